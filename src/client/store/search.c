/* search — local listing search over a million cached rows within a few milliseconds, on the
 * search kernel (db/ksearch.h: index text, filter tokens, row keys, the planner and the result
 * cache, shared with kontord). What is the client's own: its tables (search, search_ord), the
 * rid bits of its dense filters, one capped scan that yields both the page and the total, and
 * relevance as "query words in the title" (ktitle) then newest. */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/buf.h"

#define COUNT_CAP 1000 /* totals past this say "1000+": counting further costs */

static const int fts_stmts[2][2] = {{ST_FTS_INSERT, ST_FTS_DELETE}, {ST_ORD_INSERT, ST_ORD_DELETE}};

int search_attach(struct store *s, struct kerr *e)
{
	int rc = ksearch_attach(&s->k, &s->tok, e);
	if (rc)
		return rc;
	s->cache = kqcache_new(2048, 4, 0);
	s->queue = ksearch_queue_new(fts_stmts, NULL, NULL);
	return K_OK;
}

void search_detach(struct store *s)
{
	ksearch_detach(&s->tok);
	ksearch_queue_free(&s->queue);
	kqcache_free(&s->cache);
}

int search_pending_flush(struct store *s, struct kerr *e)
{
	return ksearch_queue_flush(&s->k, s->queue, e);
}

struct cand {
	int64_t id;
	int64_t key; /* what the candidates are sorted by, when they are */
	int score;
};

struct scan_args {
	enum store_stmt which;
	const char *expr;
	int64_t limit;
	int scored;     /* ask ktitle for the title score */
	int price_edge; /* KS_EDGE_NONE or KS_EDGE_ALWAYS (price checked on the row) */
	int64_t lo, hi; /* search_ord rowid range */
};

/* One capped scan: up to `limit` matching row keys in index order, with title scores,
 * appended to *out. */
static int scan(struct store *s, const struct ksearch_plan *p, const struct scan_args *a,
                struct cand **out, size_t *n, struct kerr *e)
{
	sqlite3_stmt *st = store_stmt(s, a->which, e);
	if (!st)
		return K_EDB;
	sqlite3_bind_text(st, 1, a->expr, (int)strlen(a->expr), SQLITE_STATIC);
	sqlite3_bind_int(st, 2, a->price_edge);
	sqlite3_bind_int64(st, 3, p->max_price);
	sqlite3_bind_int(st, 4, p->moq_edge);
	sqlite3_bind_int64(st, 5, p->max_moq);
	sqlite3_bind_int64(st, 6, a->limit);
	sqlite3_bind_int(st, 7, a->scored ? p->nwords : 0); /* 0: ktitle does no work */
	if (a->which != ST_SCAN_MAIN) {
		sqlite3_bind_int64(st, 8, a->lo);
		sqlite3_bind_int64(st, 9, a->hi);
	} else {
		sqlite3_bind_int64(st, 10, p->req_bits);
		sqlite3_bind_int64(st, 11, p->moq_class);
		sqlite3_bind_int64(st, 12, p->moq_edge_class);
	}
	size_t cap = *n; /* appends after what *out already holds; grows it at once */
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct cand *c = &(*out)[(*n)++];
		c->id = sqlite3_column_int64(st, 0);
		c->score = sqlite3_column_int(st, 1);
		c->key = 0;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return store_dberr(s, e, "searching");
	return K_OK;
}

/* Title score first, then the key (for relevance: larger rid = newer). */
static int by_score(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->key > y->key ? -1 : x->key < y->key;
}

static int by_key_asc(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

enum { KIND_RID, KIND_PKEY, KIND_RKEY };

/* Candidates found by price key, re-ordered for another sort: each needs its rid (and for
 * rating its rkey), so this is for the capped few only. */
static int resort_by(struct store *s, struct cand *c, size_t n, enum search_sort sort,
                     struct kerr *e)
{
	for (size_t i = 0; i < n; i++) {
		/* Only rating needs the row; the rid is in the pkey index itself. */
		sqlite3_stmt *st =
		    store_stmt(s, sort == SEARCH_RATING ? ST_L_KEYS_BY_PKEY : ST_L_RID_BY_PKEY, e);
		if (!st)
			return K_EDB;
		sqlite3_bind_int64(st, 1, c[i].id);
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_reset(st);
			return store_dberr(s, e, "reading a search candidate");
		}
		c[i].id = sqlite3_column_int64(st, 0);
		c[i].key = sort == SEARCH_RATING ? sqlite3_column_int64(st, 1) : c[i].id;
		sqlite3_reset(st);
	}
	if (n > 1)
		qsort(c, n, sizeof *c, sort == SEARCH_RATING ? by_key_asc : by_score);
	return K_OK;
}

/* Candidates found by rid, put in rating order (their rating keys, read from the rows). */
static int by_rating(struct store *s, struct cand *c, size_t n, struct kerr *e)
{
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = store_stmt(s, ST_L_RKEY_BY_RID, e);
		if (!st)
			return K_EDB;
		sqlite3_bind_int64(st, 1, c[i].id);
		int rc = sqlite3_step(st);
		c[i].key = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : INT64_MAX;
		sqlite3_reset(st);
		if (rc != SQLITE_ROW)
			return store_dberr(s, e, "reading a search candidate");
	}
	if (n > 1)
		qsort(c, n, sizeof *c, by_key_asc);
	return K_OK;
}

/* Runs the plan: the ids of the page (in order), the total and whether it was capped. */
static int plan_run(struct store *s, const struct search_query *q, const struct ksearch_plan *p,
                    const struct kbuf *words, int *kind, int64_t **ids, size_t *nids,
                    int64_t *total, int *capped, struct kerr *e)
{
	int64_t need = (int64_t)q->offset + q->limit;
	int64_t limit = need > COUNT_CAP + 1 ? need : COUNT_CAP + 1;
	struct kbuf expr = KBUF_INIT;
	struct cand *c = NULL;
	size_t n = 0;
	int rc, relevance = q->sort == SEARCH_RELEVANCE && p->nwords > 0;
	struct scan_args a = {ST_SCAN_MAIN, NULL, limit, relevance, KS_EDGE_NONE, 0, 0};
	*kind = KIND_RID;
	*nids = 0;
	if (q->sort == SEARCH_PRICE) {
		a.which = ST_SCAN_ORD_P;
		a.lo = p->price_range ? p->lo : KS_PRICE;
		a.hi = p->price_range ? p->hi : INT64_MAX;
		*kind = KIND_PKEY;
	} else if (p->price_range) {
		/* A price cap with another order: the cheap exact key range finds (and counts)
		 * the candidates; when they are few they are re-ordered here. */
		a.which = ST_SCAN_ORD_P;
		a.lo = p->lo;
		a.hi = p->hi;
	}
	/* Rating order counts (and, when they are few, finds) on the main table too: its dense
	 * filters are rid bits there, which the rating keys' table reads as long doclists. */
	ksearch_plan_expr(p, words, 0, a.which != ST_SCAN_MAIN,
	                  !p->price_range || a.which != ST_SCAN_ORD_P, &expr);
	a.expr = kbuf_str(&expr);
	if ((rc = scan(s, p, &a, &c, &n, e)))
		goto out;
	*capped = n > COUNT_CAP;
	*total = *capped ? COUNT_CAP : (int64_t)n;

	if (q->sort != SEARCH_PRICE && p->price_range) {
		if ((int64_t)n < limit) {
			rc = resort_by(s, c, n, q->sort, e);
		} else {
			/* Too many to re-order: walk the order's own index instead, checking each
			 * row's price (the currency is a term again), until the page is full. */
			n = 0;
			struct scan_args b = {ST_SCAN_MAIN, NULL, need, 0, KS_EDGE_ALWAYS, 0, 0};
			if (q->sort == SEARCH_RATING) {
				b.which = ST_SCAN_ORD_R;
				b.hi = KS_PRICE - 1;
				*kind = KIND_RKEY;
			}
			ksearch_plan_expr(p, words, 0, b.which != ST_SCAN_MAIN, 1, &expr);
			b.expr = kbuf_str(&expr);
			rc = scan(s, p, &b, &c, &n, e);
		}
		if (rc)
			goto out;
	} else if (q->sort == SEARCH_RATING) {
		if ((int64_t)n < limit) {
			rc = by_rating(s, c, n, e);
		} else {
			/* Many: the first page of the rating order itself, its total known. */
			n = 0;
			struct scan_args b = {ST_SCAN_ORD_R, NULL, need,        0,
			                      KS_EDGE_NONE,  0,    KS_PRICE - 1};
			ksearch_plan_expr(p, words, 0, 1, 1, &expr);
			b.expr = kbuf_str(&expr);
			rc = scan(s, p, &b, &c, &n, e);
			*kind = KIND_RKEY;
		}
		if (rc)
			goto out;
	} else if (relevance) {
		if ((int64_t)n < limit) {
			for (size_t i = 0; i < n; i++)
				c[i].key = c[i].id;
			if (n > 1)
				qsort(c, n, sizeof *c, by_score);
		} else {
			/* More matches than one scan may hold: title hits first, then the rest,
			 * each newest first, each stopping at the page. */
			struct cand *t = NULL;
			size_t nt = 0;
			struct scan_args b = {ST_SCAN_MAIN, NULL, need, 0, KS_EDGE_NONE, 0, 0};
			ksearch_plan_expr(p, words, 1, 0, 1, &expr);
			b.expr = kbuf_str(&expr);
			rc = scan(s, p, &b, &t, &nt, e);
			if (!rc && (int64_t)nt < need) {
				ksearch_plan_expr(p, words, 2, 0, 1, &expr);
				b.expr = kbuf_str(&expr);
				b.limit = need - (int64_t)nt;
				rc = scan(s, p, &b, &t, &nt, e);
			}
			free(c);
			c = t;
			n = nt;
			if (rc)
				goto out;
		}
	}
	if ((int64_t)n > q->offset) {
		size_t m = n - (size_t)q->offset;
		if (m > (size_t)q->limit)
			m = (size_t)q->limit;
		*ids = xmalloc((m ? m : 1) * sizeof **ids);
		for (size_t i = 0; i < m; i++)
			(*ids)[i] = c[(size_t)q->offset + i].id;
		*nids = m;
	}
out:
	free(c);
	kbuf_free(&expr);
	return rc;
}

static void read_hit(sqlite3_stmt *st, struct search_hit *h)
{
	store_col_copy(st, 0, h->id, sizeof h->id);
	store_col_copy(st, 1, h->seller_id, sizeof h->seller_id);
	h->title = store_col_dup(st, 2);
	if (!h->title)
		h->title = xstrdup("");
	store_col_copy(st, 3, h->currency, sizeof h->currency);
	h->price = sqlite3_column_int64(st, 4);
	h->moq = sqlite3_column_int64(st, 5);
	store_col_copy(st, 6, h->country, sizeof h->country);
	store_col_copy(st, 7, h->updated, sizeof h->updated);
	h->verified = sqlite3_column_int(st, 8);
	h->rating = sqlite3_column_double(st, 9);
	h->rating_count = sqlite3_column_int64(st, 10);
	h->best = sqlite3_column_int64(st, 11);
	store_col_copy(st, 12, h->unit, sizeof h->unit); /* "" in a summary pulled before 12-07 */
}

int store_search_hit(struct store *s, const char *id, struct search_hit *out, struct kerr *e)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st;
	int rc = kdb_one_key(&s->k, ST_HIT_ID, id, "reading a search hit", &st, e);
	if (rc == K_OK) {
		read_hit(st, out);
		sqlite3_reset(st);
	} else if (rc == K_ENOTFOUND) {
		kerr_set(e, K_ENOTFOUND, "no listing %s in the cache", id);
	}
	return rc;
}

static int materialise(struct store *s, int kind, const int64_t *ids, size_t n,
                       struct search_result *out, struct kerr *e)
{
	enum store_stmt which = kind == KIND_PKEY   ? ST_HIT_PKEY
	                        : kind == KIND_RKEY ? ST_HIT_RKEY
	                                            : ST_HIT_RID;
	out->hits = xcalloc(n ? n : 1, sizeof *out->hits);
	out->n = 0;
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = store_stmt(s, which, e);
		if (!st)
			return K_EDB;
		sqlite3_bind_int64(st, 1, ids[i]);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			read_hit(st, &out->hits[out->n++]);
		} else if (rc != SQLITE_DONE) {
			sqlite3_reset(st);
			return store_dberr(s, e, "reading a search hit");
		}
		sqlite3_reset(st);
	}
	return K_OK;
}

void search_result_free(struct search_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->hits[i].title);
	free(r->hits);
	memset(r, 0, sizeof *r);
}

static int search_in_txn(struct store *s, const struct search_query *q, struct search_result *out,
                         struct kerr *e);

/* One read transaction around the whole search: the scan, the count and each hit's row read
 * one snapshot, and SQLite takes its shared lock once instead of once per statement. */
int store_search(struct store *s, const struct search_query *q, struct search_result *out,
                 struct kerr *e)
{
	int own = kdb_read_begin(&s->k, NULL) == K_OK; /* else it searches without one */
	int rc = search_in_txn(s, q, out, e);
	if (own)
		kdb_read_end(&s->k);
	return rc;
}

int search_page_check(const struct search_query *q, struct kerr *e)
{
	if (q->limit < 1 || q->limit > 500)
		return kerr_set(e, K_EINVAL, "search: limit %d is not between 1 and 500", q->limit);
	if (q->offset < 0 || q->offset > 1000000)
		return kerr_set(e, K_EINVAL, "search: offset %d is out of range", q->offset);
	return K_OK;
}

int search_plan(struct store *s, const struct search_query *q, unsigned flags,
                struct ksearch_plan *p, struct kerr *e)
{
	static const struct ksearch_names names = {
	    "search",           "search: country",   "search: currency",
	    "search: incoterm", "search: min-price", "search: max-price"};
	/* The cache's index has no seller tokens, and its scans check no price floor. */
	int seller = q->filter.seller_id && *q->filter.seller_id;
	if (seller || q->filter.min_price >= 0) {
		memset(p, 0, sizeof *p);
		return kerr_set(e, K_EINVAL, "search: the local cache takes no %s filter",
		                seller ? "seller" : "min-price");
	}
	if (q->sort == SEARCH_PRICE)
		flags |= KS_PLAN_PRICE_ORDER;
	int rc = ksearch_plan_build(p, &s->tok, &q->filter, flags, &names, e);
	if (rc)
		ksearch_plan_free(p);
	return rc;
}

static int search_in_txn(struct store *s, const struct search_query *q, struct search_result *out,
                         struct kerr *e)
{
	memset(out, 0, sizeof *out);
	int rc = search_page_check(q, e);
	if (rc)
		return rc;
	if (q->sort < SEARCH_RELEVANCE || q->sort > SEARCH_NEWEST)
		return kerr_set(e, K_EINVAL, "search: unknown sort order %d", (int)q->sort);

	/* Writes of the open transaction are part of what it reads. */
	if ((rc = search_pending_flush(s, e)))
		return rc;
	struct ksearch_plan p;
	if ((rc = search_plan(s, q, KS_PLAN_BITS | KS_PLAN_KEYS, &p, e)))
		return rc;
	kbuf_printf(&p.key, "|s=%d|lim=%d|off=%d", (int)q->sort, q->limit, q->offset);
	struct kqresult r = {0};
	if (!kqcache_get(s->cache, kbuf_str(&p.key), (int64_t)s->gen, &r)) {
		int64_t *ids = NULL;
		rc = plan_run(s, q, &p, &p.words, &r.kind, &ids, &r.n, &r.total, &r.capped, e);
		/* The whole last word first: a prefix reads every word it begins, which costs
		 * as much as the rest of the query, and a whole word that finds anything is what
		 * was meant. */
		if (!rc && p.words_prefix.len && r.total == 0) {
			free(ids);
			ids = NULL;
			rc = plan_run(s, q, &p, &p.words_prefix, &r.kind, &ids, &r.n, &r.total,
			              &r.capped, e);
		}
		r.data = ids;
		r.len = r.n * sizeof *ids;
		if (!rc)
			kqcache_put(s->cache, kbuf_str(&p.key), (int64_t)s->gen, NULL, 0, &r);
	}
	ksearch_plan_free(&p);
	out->total = r.total;
	out->total_capped = r.capped;
	if (!rc)
		rc = materialise(s, r.kind, r.data, r.n, out, e);
	if (rc)
		search_result_free(out);
	free(r.data);
	return rc;
}

int search_index_clear(struct store *s, struct kerr *e)
{
	ksearch_queue_discard(s->queue);
	return kdb_exec(&s->k,
	                "INSERT INTO search(search) VALUES('delete-all');"
	                " INSERT INTO search_ord(search_ord) VALUES('delete-all')",
	                "emptying the search index", e);
}

int store_search_optimize(struct store *s, struct kerr *e)
{
	if (search_pending_flush(s, e))
		return K_EDB;
	return kdb_exec(&s->k,
	                "INSERT INTO search(search) VALUES('optimize');"
	                " INSERT INTO search_ord(search_ord) VALUES('optimize')",
	                "merging the search index", e);
}
