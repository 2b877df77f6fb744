/* nsearch — Listing/query over a million listings within the node's budget, on the search
 * kernel (db/ksearch.h: index text, filter tokens, row keys, the planner and the result
 * cache, shared with the client). What is the node's own: its tables (listing_fts,
 * listing_ord), rids that are change sequences, price and MOQ filters as bucket ranges,
 * relevance as "all query words in the title" first, then the rest, each newest first, and
 * a result cache shared by all connections in which a listing write makes stale only the
 * queries its rows can answer (anchored, see kqcache). */
#include "nstore_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/json.h"
#include "kontor/model.h"
#include "kontor/searchtext.h"

#define QCACHE_SETS 8192   /* 4 ways: 32,768 queries, the popular ones of a Zipf stream */
#define QCACHE_IDS_MAX 200 /* pages longer than this are not cached (memory bound) */
#define TOUCH_OPS_MAX 4096 /* a bigger flush (a seed, an upgrade) makes every entry stale */
#define ID_SLOT (MODEL_LISTING_ID_LEN + 1)
#define DOC_FLAGS (KS_DOC_SELLER | KS_DOC_SKU | KS_DOC_RANGES)
/* Bump whenever the index would hold a listing differently: nsearch_upgrade rebuilds it.
 * 1 (none stored): before the kernel; 2: folded text, the price at the MOQ; 3: letters
 * that hold their mark read as ASCII (đ/d, ł/l, ø/o, æ/ae); 4: HS codes by heading and
 * subheading, dotted codes as their digits. */
#define NSEARCH_TEXT_VERSION "4"

/* ---------------------------------------------------------------- connections */

struct touch {
	uint64_t *h;
	size_t n, cap;
};

static void touch_add(void *ctx, uint64_t h)
{
	struct touch *t = ctx;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->h = xrealloc(t->h, t->cap * sizeof *t->h);
	}
	t->h[t->n++] = h;
}

/* Before the index writes go out: the cached answers they can change go stale, from the
 * first change sequence of these writes on (the next one, when none was made yet). Every
 * answer made from a snapshot without them is at a state below that: the write lock is
 * ours, and the sequence only grows. */
static void touch_cache(void *ctx, const struct ksearch_queue *q)
{
	struct nconn *c = ctx;
	int64_t v = c->seq_lo;
	sqlite3_stmt *st = v ? NULL : nstore_stmt(c, S_STATE_GET, NULL);
	if (st) {
		nstore_bind_text(st, 1, "*");
		v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) + 1 : 0;
		sqlite3_reset(st);
	}
	struct touch t = {0};
	int all = !v || ksearch_queue_tokens(&c->tok, q, TOUCH_OPS_MAX, touch_add, &t) != 0;
	kqcache_touch(c->s->qcache, t.h, t.n, all, v ? v : INT64_MAX);
	free(t.h);
	c->seq_lo = 0;
}

static int hook_flush(void *c, struct kerr *e)
{
	return ksearch_queue_flush(&((struct nconn *)c)->k, ((struct nconn *)c)->queue, e);
}

static void hook_discard(void *c)
{
	ksearch_queue_discard(((struct nconn *)c)->queue);
	((struct nconn *)c)->seq_lo = 0; /* those sequences were rolled back: made again */
}

int nsearch_attach(struct nconn *c, struct kerr *e)
{
	static const int stmts[2][2] = {{S_FTS_INSERT, S_FTS_DELETE}, {S_ORD_INSERT, S_ORD_DELETE}};
	int rc = ksearch_attach(&c->k, &c->tok, e);
	if (rc)
		return rc;
	c->queue = ksearch_queue_new(stmts, touch_cache, c);
	c->k.h = (struct kdb_hooks){hook_flush, hook_discard, NULL, c};
	return K_OK;
}

void nsearch_detach(struct nconn *c)
{
	ksearch_detach(&c->tok);
	ksearch_queue_free(&c->queue);
}

struct kqcache *nsearch_cache_new(void)
{
	return kqcache_new(QCACHE_SETS, 4, 1);
}

void nsearch_cache_free(struct kqcache **q)
{
	kqcache_free(q);
}

void nstore_query_cache_stats(struct nstore *s, uint64_t *hits, uint64_t *misses)
{
	kqcache_stats(s->qcache, hits, misses);
}

/* ---------------------------------------------------------------- index rows */

int nsearch_seller(struct nconn *c, const char *seller_id, struct nseller *out, struct kerr *e)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st;
	int rc = kdb_one_key(&c->k, S_A_STATE, seller_id, "reading the seller", &st, e);
	if (rc == K_OK) {
		out->verified = sqlite3_column_int(st, 0);
		out->rating_sum = sqlite3_column_int64(st, 1);
		out->rating_count = sqlite3_column_int64(st, 2);
		sqlite3_reset(st);
	}
	return rc == K_ENOTFOUND ? K_OK : rc; /* unknown: not verified, not rated */
}

/* Best rated first, then most rated, then newest (a larger rid is a later write). */
static int64_t rkey_base(const struct nseller *ss, int64_t rid)
{
	int64_t n = ss->rating_count;
	return ksearch_rkey_base(n > 0 ? (ss->rating_sum * 100 + n / 2) / n : -1, n, rid);
}

/* The keys of an active listing (*pkey 0: made anew) and its index rows, queued. */
static int index_doc(struct nconn *c, const struct ksearch_doc *d, const struct nseller *ss,
                     int64_t rid, int64_t *pkey, int64_t *rkey, struct kerr *e)
{
	int rc = K_OK;
	if (!*pkey)
		rc = ksearch_free_key(&c->k, NULL, S_L_MAX_PKEY,
		                      ksearch_pkey_base(d->currency, d->price), KS_KEY_SPAN,
		                      KS_KEY_SPAN, pkey, e);
	if (!rc && (*rkey & ~(int64_t)(KS_KEY_SPAN - 1)) != rkey_base(ss, rid))
		rc = ksearch_free_key(&c->k, NULL, S_L_MAX_RKEY, rkey_base(ss, rid), KS_KEY_SPAN,
		                      KS_KEY_SPAN, rkey, e);
	if (!rc)
		rc = ksearch_queue_doc(&c->k, c->queue, 0, rid, *pkey, *rkey, d, e);
	return rc;
}

int nsearch_insert(struct nconn *c, int64_t rid, const char *id, const char *seller_id,
                   const char *sku, const char *canon, size_t len, const cJSON *j, struct kerr *e)
{
	struct nseller ss;
	int rc = nsearch_seller(c, seller_id, &ss, e);
	if (rc)
		return rc;
	struct ksearch_doc d = {0};
	ksearch_doc_build(&d, j, seller_id, ss.verified, DOC_FLAGS);
	int64_t pkey = 0, rkey = 0;
	if (d.active && (rc = index_doc(c, &d, &ss, rid, &pkey, &rkey, e)))
		goto out;
	sqlite3_stmt *st = nstore_stmt(c, S_L_INSERT, e);
	if (!st) {
		rc = K_EDB;
		goto out;
	}
	sqlite3_bind_int64(st, 1, rid);
	nstore_bind_text(st, 2, id);
	nstore_bind_text(st, 3, seller_id);
	nstore_bind_text(st, 4, sku);
	sqlite3_bind_text(st, 5, canon, (int)len, SQLITE_STATIC);
	nstore_bind_text(st, 6, d.active ? "active" : "paused");
	nstore_bind_text(st, 7, d.currency);
	sqlite3_bind_int64(st, 8, d.price);
	sqlite3_bind_int64(st, 9, d.moq);
	if (d.active) {
		sqlite3_bind_int64(st, 10, pkey);
		sqlite3_bind_int64(st, 11, rkey);
	}
	sqlite3_bind_int(st, 12, ss.verified);
	rc = nstore_exec_stmt(c, st, e, "storing a listing");
	if (!rc)
		rc = nphoto_listing_put(c, rid, j, e);
out:
	ksearch_doc_free(&d);
	return rc;
}

struct lrow {
	int64_t rid, pkey, rkey;
	int indexed, verified;
	char seller[KCRYPTO_ID_LEN + 1];
	cJSON *j;
};

/* The row by id (rid 0) or by rid. */
static int lrow_find(struct nconn *c, const char *id, int64_t rid, struct lrow *r, struct kerr *e)
{
	memset(r, 0, sizeof *r);
	sqlite3_stmt *st = nstore_stmt(c, rid ? S_L_BY_RID : S_L_FIND, e);
	if (!st)
		return K_EDB;
	if (rid)
		sqlite3_bind_int64(st, 1, rid);
	else
		nstore_bind_text(st, 1, id);
	int rc = kdb_one(&c->k, st, "reading a listing", e);
	if (rc == K_ENOTFOUND)
		return kerr_set(e, K_ENOTFOUND, "no listing %s", id ? id : "");
	if (rc == K_OK) {
		r->rid = sqlite3_column_int64(st, 0);
		r->indexed = sqlite3_column_type(st, 1) != SQLITE_NULL;
		r->pkey = sqlite3_column_int64(st, 1);
		r->rkey = sqlite3_column_int64(st, 2);
		/* Stored by us as canonical JSON: only the index rows are rebuilt from it. */
		r->j = cJSON_ParseWithLength((const char *)sqlite3_column_text(st, 3),
		                             (size_t)sqlite3_column_bytes(st, 3));
		r->verified = sqlite3_column_int(st, 4);
		nstore_col_copy(st, 5, r->seller, sizeof r->seller);
		sqlite3_reset(st);
	}
	if (!rc && !r->j)
		return kerr_set(e, K_EDB, "%s: listing %s is damaged", c->k.path, id ? id : "");
	return rc;
}

/* Queues the removal of the row's index entries, rebuilt as they were made. */
static int unindex(struct nconn *c, const struct lrow *r, struct kerr *e)
{
	if (!r->indexed)
		return K_OK;
	struct ksearch_doc d = {0};
	ksearch_doc_build(&d, r->j, r->seller, r->verified, DOC_FLAGS);
	int rc = ksearch_queue_doc(&c->k, c->queue, 1, r->rid, r->pkey, r->rkey, &d, e);
	ksearch_doc_free(&d);
	return rc;
}

int nsearch_remove(struct nconn *c, const char *id, struct kerr *e)
{
	struct lrow r;
	int rc = lrow_find(c, id, 0, &r, e);
	if (!rc)
		rc = unindex(c, &r, e);
	if (!rc)
		rc = nphoto_listing_drop(c, r.rid, e);
	sqlite3_stmt *st = rc ? NULL : nstore_stmt(c, S_L_DELETE, e);
	if (st) {
		sqlite3_bind_int64(st, 1, r.rid);
		rc = nstore_exec_stmt(c, st, e, "deleting a listing");
	} else if (!rc) {
		rc = K_EDB;
	}
	cJSON_Delete(r.j);
	return rc;
}

/* Indexes row rid again with the seller's standing now (fresh: the index was emptied, and
 * every key and price is made anew). */
static int reindex(struct nconn *c, int64_t rid, const struct nseller *now, int fresh,
                   struct kerr *e)
{
	struct lrow r;
	struct nseller read;
	int rc = lrow_find(c, NULL, rid, &r, e);
	if (!rc && fresh)
		rc = nsearch_seller(c, r.seller, &read, e);
	if (!rc && !fresh)
		rc = unindex(c, &r, e);
	if (fresh)
		now = &read, r.pkey = r.rkey = 0;
	struct ksearch_doc d = {0};
	if (!rc) {
		ksearch_doc_build(&d, r.j, r.seller, now->verified, DOC_FLAGS);
		if (d.active)
			rc = index_doc(c, &d, now, rid, &r.pkey, &r.rkey, e);
	}
	sqlite3_stmt *st = rc ? NULL : nstore_stmt(c, S_L_SET_KEYS, e);
	if (st) {
		sqlite3_bind_int64(st, 1, rid);
		if (d.active) {
			sqlite3_bind_int64(st, 2, r.pkey);
			sqlite3_bind_int64(st, 3, r.rkey);
		}
		sqlite3_bind_int(st, 4, now->verified);
		sqlite3_bind_int64(st, 5, d.price);
		sqlite3_bind_int64(st, 6, d.moq);
		rc = nstore_exec_stmt(c, st, e, "re-keying a listing");
	} else if (!rc) {
		rc = K_EDB;
	}
	ksearch_doc_free(&d);
	cJSON_Delete(r.j);
	return rc;
}

int nsearch_reindex_seller(struct nconn *c, const char *seller_id, struct kerr *e)
{
	int64_t *rids, seq;
	size_t n;
	struct nseller ss;
	int rc =
	    kdb_ints(&c->k, S_L_OF_SELLER, seller_id, "listing listings to re-index", &rids, &n, e);
	if (!rc)
		rc = nsearch_seller(c, seller_id, &ss, e);
	/* Query results change with the index rows: the Listing query state must move. */
	if (!rc && n > 0)
		rc = nlog_bump(c, NT_LISTING, &seq, e);
	for (size_t i = 0; !rc && i < n; i++)
		rc = reindex(c, rids[i], &ss, 0, e);
	free(rids);
	return rc;
}

int nsearch_upgrade(struct nconn *c, struct kerr *e)
{
	/* Contentless tables cannot be edited row by row once the text they were given is made
	 * differently: they are emptied and every listing indexed again from its JSON. */
	char *v = NULL;
	int rc = kdb_meta_get(&c->k, "search_version", &v, NULL);
	int same = rc == K_OK && strcmp(v, NSEARCH_TEXT_VERSION) == 0;
	free(v);
	if (same)
		return K_OK;
	int64_t *rids = NULL, seq;
	size_t n = 0;
	if ((rc = kdb_wbegin(&c->k, e)))
		return rc;
	rc = kdb_exec(&c->k,
	              "INSERT INTO listing_fts(listing_fts) VALUES('delete-all');"
	              " INSERT INTO listing_ord(listing_ord) VALUES('delete-all');"
	              " UPDATE listings SET pkey = NULL, rkey = NULL",
	              "emptying the search index", e);
	if (!rc)
		rc = kdb_ints(&c->k, S_L_ALL, NULL, "listing listings to re-index", &rids, &n, e);
	if (!rc && n > 0)
		rc = nlog_bump(c, NT_LISTING, &seq, e);
	for (size_t i = 0; !rc && i < n; i++)
		rc = reindex(c, rids[i], NULL, 1, e);
	free(rids);
	if (!rc)
		rc = kdb_meta_set(&c->k, "search_version", NSEARCH_TEXT_VERSION, e);
	return kdb_wend(&c->k, rc, e);
}

/* ---------------------------------------------------------------- queries */

struct nplan {
	struct ksearch_plan k;
	const struct kbuf *words; /* whole words, or the last one a prefix (one CJK character) */
	enum nst scan;            /* the statement that walks the sort order */
	enum nst count;
	enum nst to_id; /* rowid -> listing id */
	int64_t lo, hi; /* rowid range for listing_ord scans */
};

static const struct ksearch_names names = {"filter.text",     "filter.country",  "filter.currency",
                                           "filter.incoterm", "filter.minPrice", "filter.maxPrice"};

static int plan_build(struct nconn *c, const struct nlisting_query *q, struct nplan *p,
                      struct kerr *e)
{
	memset(p, 0, sizeof *p);
	/* Sorted by price, a currency's price filter is the key range of the order itself. */
	unsigned flags =
	    KS_PLAN_RANGES | (q->sort == NSORT_PRICE ? KS_PLAN_KEYS | KS_PLAN_PRICE_ORDER : 0);
	int rc = ksearch_plan_build(&p->k, &c->tok, &q->filter, flags, &names, e);
	if (rc)
		return rc;
	p->words = p->k.tail_run == 1 ? &p->k.words_prefix : &p->k.words;
	kbuf_printf(&p->k.key, "|s=%d|a=%d|pos=%lld|lim=%d|t=%d", (int)q->sort, q->page.ascending,
	            (long long)q->page.position, q->page.limit, q->page.calc_total);
	p->count = S_COUNT_MAIN;
	p->to_id = S_ID_BY_RID;
	p->lo = 0;
	p->hi = INT64_MAX;
	switch (q->sort) {
	case NSORT_PRICE:
		p->scan = q->page.ascending ? S_SCAN_P_ASC : S_SCAN_P_DESC;
		p->to_id = S_ID_BY_PKEY;
		p->lo = p->k.price_range ? p->k.lo : KS_PRICE;
		p->hi = p->k.price_range ? p->k.hi : INT64_MAX;
		if (p->k.price_range)
			p->count = S_COUNT_P;
		break;
	case NSORT_RATING:
		/* Natural rkey order is best first: "ascending" rating is worst first. */
		p->scan = q->page.ascending ? S_SCAN_R_DESC : S_SCAN_R_ASC;
		p->to_id = S_ID_BY_RKEY;
		p->hi = KS_PRICE - 1;
		break;
	case NSORT_NEWEST:
		p->scan = q->page.ascending ? S_SCAN_MAIN_ASC : S_SCAN_MAIN_DESC;
		break;
	case NSORT_RELEVANCE:
	default:
		p->scan = S_SCAN_MAIN_DESC;
		break;
	}
	return K_OK;
}

static void plan_expr(const struct nplan *p, int mode, struct kbuf *out)
{
	ksearch_plan_expr(&p->k, p->words, mode, 0, !p->k.price_range, out);
}

static void bind_plan(sqlite3_stmt *st, const struct nplan *p, const char *expr, int64_t limit,
                      int ord)
{
	sqlite3_bind_text(st, 1, expr, (int)strlen(expr), SQLITE_STATIC);
	sqlite3_bind_int(st, 2, p->k.lo_edge);
	sqlite3_bind_int64(st, 3, p->k.min_price);
	sqlite3_bind_int(st, 4, p->k.hi_edge);
	sqlite3_bind_int64(st, 5, p->k.max_price);
	sqlite3_bind_int(st, 6, p->k.moq_edge);
	sqlite3_bind_int64(st, 7, p->k.max_moq);
	sqlite3_bind_int64(st, 8, limit);
	if (ord) {
		sqlite3_bind_int64(st, 9, p->lo);
		sqlite3_bind_int64(st, 10, p->hi);
	}
}

static int is_ord(enum nst s)
{
	return s == S_SCAN_P_ASC || s == S_SCAN_P_DESC || s == S_SCAN_R_ASC || s == S_SCAN_R_DESC ||
	       s == S_COUNT_P;
}

/* Appends up to limit row keys in the statement's order to *rows. */
static int scan(struct nconn *c, enum nst which, const struct nplan *p, const char *expr,
                int64_t limit, int64_t **rows, size_t *n, size_t *cap, struct kerr *e)
{
	if (limit <= 0)
		return K_OK;
	sqlite3_stmt *st = nstore_stmt(c, which, e);
	if (!st)
		return K_EDB;
	bind_plan(st, p, expr, limit, is_ord(which));
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*rows = xrealloc(*rows, *cap * sizeof **rows);
		}
		(*rows)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return nstore_dberr(c, e, "searching listings");
	return K_OK;
}

static int count(struct nconn *c, const struct nplan *p, const char *expr, int64_t *total,
                 int *capped, struct kerr *e)
{
	sqlite3_stmt *st = nstore_stmt(c, p->count, e);
	if (!st)
		return K_EDB;
	bind_plan(st, p, expr, NSTORE_SCAN_MAX + 1, is_ord(p->count));
	int rc = sqlite3_step(st);
	int64_t n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return nstore_dberr(c, e, "counting listings");
	*capped = n > NSTORE_SCAN_MAX;
	*total = *capped ? NSTORE_SCAN_MAX : n;
	return K_OK;
}

static int run_plan(struct nconn *c, const struct nlisting_query *q, const struct nplan *p,
                    struct nids *out, struct kerr *e)
{
	int64_t need = q->page.position + q->page.limit;
	if (need > NSTORE_SCAN_MAX)
		need = NSTORE_SCAN_MAX;
	struct kbuf expr = KBUF_INIT;
	int64_t *rows = NULL;
	size_t n = 0, cap = 0;
	int rc = K_OK;
	plan_expr(p, 0, &expr);
	if (q->page.calc_total &&
	    (rc = count(c, p, kbuf_str(&expr), &out->total, &out->total_capped, e)))
		goto out;
	if (q->page.position >= need)
		goto out;
	if (q->sort == NSORT_RELEVANCE && p->k.nwords > 0) {
		plan_expr(p, 1, &expr);
		rc = scan(c, p->scan, p, kbuf_str(&expr), need, &rows, &n, &cap, e);
		if (!rc && (int64_t)n < need) {
			plan_expr(p, 2, &expr);
			rc = scan(c, p->scan, p, kbuf_str(&expr), need - (int64_t)n, &rows, &n,
			          &cap, e);
		}
	} else {
		rc = scan(c, p->scan, p, kbuf_str(&expr), need, &rows, &n, &cap, e);
	}
	for (size_t i = (size_t)q->page.position; !rc && i < n; i++) {
		sqlite3_stmt *st = nstore_stmt(c, p->to_id, e);
		if (!st) {
			rc = K_EDB;
			break;
		}
		sqlite3_bind_int64(st, 1, rows[i]);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW)
			kstrv_push(&out->ids, (const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			rc = nstore_dberr(c, e, "reading a search hit");
	}
out:
	free(rows);
	kbuf_free(&expr);
	return rc;
}

/* 1 when the plan's words match no listing at all (out: what run_plan found, no ids), 0
 * when some do (the page asked for lies past them), or a failure. */
static int none_match(struct nconn *c, const struct nlisting_query *q, const struct nplan *p,
                      const struct nids *out, struct kerr *e)
{
	if (q->page.calc_total)
		return out->total == 0;
	if (q->page.position == 0)
		return 1;
	struct kbuf expr = KBUF_INIT;
	int64_t n = 0;
	int capped = 0;
	plan_expr(p, 0, &expr);
	int rc = count(c, p, kbuf_str(&expr), &n, &capped, e);
	kbuf_free(&expr);
	return rc ? rc : n == 0;
}

/* Paused listings are not in the index: a seller's own, newest first, from the table. */
static int seller_page(struct nconn *c, const struct nlisting_query *q, struct nids *out,
                       struct kerr *e)
{
	const char *status = q->status;
	const struct ksearch_query *f = &q->filter;
	if (!f->seller_id || !*f->seller_id)
		return kerr_set(e, K_EINVAL, "filter.status: '%s' needs filter.sellerId",
		                strcmp(status, "all") == 0 ? "all" : "paused");
	if ((f->text && *f->text) || (f->country && *f->country) || (f->category && *f->category) ||
	    (f->currency && *f->currency) || (f->incoterm && *f->incoterm) || f->verified ||
	    f->min_price >= 0 || f->max_price >= 0 || f->max_moq >= 0 || q->nphoto)
		return kerr_set(e, K_EINVAL, "filter.status: '%s' takes no filter but sellerId",
		                status);
	sqlite3_stmt *st;
	int rc;
	if (q->page.calc_total) {
		if (!(st = nstore_stmt(c, S_L_SELLER_COUNT, e)))
			return K_EDB;
		nstore_bind_text(st, 1, f->seller_id);
		nstore_bind_text(st, 2, status);
		if ((rc = kdb_int64(&c->k, st, "counting listings", &out->total, e)))
			return rc;
	}
	if (!(st = nstore_stmt(c, S_L_SELLER_PAGE, e)))
		return K_EDB;
	nstore_bind_text(st, 1, f->seller_id);
	nstore_bind_text(st, 2, status);
	sqlite3_bind_int(st, 3, q->page.limit);
	sqlite3_bind_int64(st, 4, q->page.position);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		kstrv_push(&out->ids, (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return nstore_dberr(c, e, "listing a seller's listings");
	return K_OK;
}

void nids_free(struct nids *r)
{
	kstrv_free(&r->ids);
	free(r->dist);
	memset(r, 0, sizeof *r);
	r->total = -1;
}

int nstore_listing_query(struct nstore *s, const struct nlisting_query *q, struct nids *out,
                         struct kerr *e)
{
	memset(out, 0, sizeof *out);
	out->total = -1;
	if (q->page.limit < 1)
		return kerr_set(e, K_EINVAL, "limit: must be at least 1");
	if (q->page.position < 0)
		return kerr_set(e, K_EINVAL, "position: must not be negative here");
	if ((unsigned)q->sort > NSORT_NEWEST)
		return kerr_set(e, K_EINVAL, "sort: unknown order %d", (int)q->sort);
	struct nconn *c = nstore_conn(s, e);
	if (!c)
		return K_EDB;
	/* Writes of an open transaction are part of what it reads. */
	int rc = ksearch_queue_flush(&c->k, c->queue, e);
	if (!rc)
		rc = nstore_state(s, NT_LISTING, &out->state, e);
	if (rc)
		return rc;
	if (q->status && strcmp(q->status, "active") != 0) {
		if (strcmp(q->status, "paused") != 0 && strcmp(q->status, "all") != 0)
			return kerr_set(e, K_EINVAL,
			                "filter.status: must be active, paused or all");
		if ((rc = seller_page(c, q, out, e)))
			nids_free(out);
		return rc;
	}

	struct nplan p;
	rc = plan_build(c, q, &p, e);
	if (rc) {
		ksearch_plan_free(&p.k);
		return rc;
	}
	if (q->nphoto) {
		/* The photo scan is a few milliseconds over a million hashes: never cached. */
		struct kbuf expr = KBUF_INIT;
		plan_expr(&p, 0, &expr);
		rc = nphoto_query(c, q, kbuf_str(&expr), &p.k, out, e);
		kbuf_free(&expr);
		ksearch_plan_free(&p.k);
		if (rc)
			nids_free(out);
		return rc;
	}
	struct kqcache *qc = s->qcache;
	const char *key = kbuf_str(&p.k.key);
	struct kqresult r;
	if (kqcache_get(qc, key, out->state, &r)) {
		const char *ids = r.data;
		for (size_t i = 0; i < r.n; i++)
			kstrv_push(&out->ids, ids + i * ID_SLOT);
		out->total = r.total;
		out->total_capped = r.capped;
		free(r.data);
		ksearch_plan_free(&p.k);
		return K_OK;
	}
	rc = run_plan(c, q, &p, out, e);
	/* As the client's cache does: the whole last word first (a prefix reads every word it
	 * begins), then, when that finds nothing, the last word as the start of one ("wrou",
	 * "7308" of 73083090). */
	if (rc == K_OK && !out->ids.n && p.k.words_prefix.len && p.words != &p.k.words_prefix &&
	    (rc = none_match(c, q, &p, out, e)) == 1) {
		kstrv_free(&out->ids);
		out->total = -1;
		out->total_capped = 0;
		p.words = &p.k.words_prefix;
		rc = run_plan(c, q, &p, out, e);
	}
	if (rc == K_OK && out->ids.n <= QCACHE_IDS_MAX) {
		char *ids = xcalloc(out->ids.n ? out->ids.n : 1, ID_SLOT);
		for (size_t i = 0; i < out->ids.n; i++)
			snprintf(ids + i * ID_SLOT, ID_SLOT, "%s", out->ids.v[i]);
		r = (struct kqresult){ids,        out->ids.n * ID_SLOT, out->ids.n,
		                      out->total, out->total_capped,    0};
		kqcache_put(qc, key, out->state, p.k.anchor, p.k.nanchors, &r);
		free(ids);
	} else if (rc) {
		nids_free(out);
	}
	ksearch_plan_free(&p.k);
	return rc;
}
