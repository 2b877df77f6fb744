/* nsearch — Listing/query over a million listings within the node's budget: the index rows,
 * the keys that make every sort order an index order, the safe query builder, and a result
 * cache shared by all connections and dropped whenever the Listing state moves.
 *
 * How it stays fast (the client's search does the same). Two contentless FTS5 tables hold
 * every active listing:
 *   listing_fts  rowid = rid (the listing's change sequence): newest first is rowid DESC
 *   listing_ord  rowid = pkey: currency, then lowest unit price; and again
 *                rowid = rkey: seller rating, rating count, newest
 * so each sort is "the first N rows in rowid order" and SQLite never sorts or reads a table
 * row for a candidate. Filters are tokens in the index ("c_de", "cur_usd", "v_1", ...) and
 * become AND terms; price and MOQ ranges use dyadic bucket tokens, and only rows in the edge
 * buckets are checked against the table (kedge). Relevance is "all query words in the title"
 * first, then the rest, each newest first, each scan stopping at the page. */
#include "nstore_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/json.h"
#include "kontor/model.h"
#include "kontor/searchtext.h"

#define DESC_INDEXED 500 /* bytes of a description that are searchable */
#define QUERY_TOKENS_MAX 32
#define TOKEN_BYTES_MAX 64
#define QCACHE_WAYS 4      /* set-associative, least recently used way replaced */
#define QCACHE_SETS 8192   /* 32,768 queries: the popular ones of a Zipf stream stay in */
#define QCACHE_IDS_MAX 200 /* pages longer than this are not cached (memory bound) */
#define ID_SLOT (MODEL_LISTING_ID_LEN + 1)

#define AGE_MAX 0xffffffffLL
#define PRICE_KEY_MAX ((1LL << 35) - 1)
#define KS_PRICE (1LL << 62) /* listing_ord: price keys live above, rating keys below */
#define KEY_SPAN 4096

/* ---------------------------------------------------------------- FTS5 hooks */

/* kedge(table, N): 1 when phrase N of the MATCH expression is in this row. Phrases are
 * numbered as written, so the query builder knows which one is a range's edge bucket. */
static void aux_kedge(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
                      sqlite3_value **vals)
{
	int i = nval > 0 ? sqlite3_value_int(vals[0]) : -1;
	int col = -1;
	if (i >= 0 && i < api->xPhraseCount(fts)) {
		Fts5PhraseIter it;
		if (api->xPhraseFirstColumn(fts, i, &it, &col) != SQLITE_OK)
			col = -1;
	}
	sqlite3_result_int(ctx, col >= 0);
}

static fts5_api *fts5_of(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}

int nsearch_attach(struct nconn *c, struct kerr *e)
{
	fts5_api *api = fts5_of(c->db);
	if (!api)
		return kerr_set(e, K_EDB, "%s: this SQLite has no FTS5", c->s->path);
	if (api->xCreateFunction(api, "kedge", NULL, aux_kedge, NULL) != SQLITE_OK)
		return nstore_dberr(c, e, "registering the search functions");
	/* The query side uses the very tokenizer (and options) the tables use, so every
	 * quoted term we build is exactly one token of the index. */
	void *ud = NULL;
	fts5_tokenizer *tk = xcalloc(1, sizeof *tk);
	const char *args[] = {NSTORE_TOKENIZER_ARGS};
	Fts5Tokenizer *tok = NULL;
	if (api->xFindTokenizer(api, "unicode61", &ud, tk) != SQLITE_OK ||
	    tk->xCreate(ud, args, (int)(sizeof args / sizeof args[0]), &tok) != SQLITE_OK) {
		free(tk);
		return kerr_set(e, K_EDB, "%s: cannot create the unicode61 tokenizer", c->s->path);
	}
	c->tok_api = tk;
	c->tok = tok;
	return K_OK;
}

void nsearch_detach(struct nconn *c)
{
	if (c->tok_api) {
		fts5_tokenizer *tk = c->tok_api;
		if (c->tok)
			tk->xDelete(c->tok);
		free(tk);
	}
	c->tok_api = c->tok = NULL;
}

/* ---------------------------------------------------------------- result cache */

struct qentry {
	uint64_t hash;
	char *key;
	int64_t state;
	char *ids; /* n slots of ID_SLOT bytes */
	size_t n;
	int64_t total;
	int capped;
	uint64_t used; /* tick of the last hit or fill: the smallest in a set goes first */
};

struct qcache {
	pthread_mutex_t lock;
	uint64_t tick;
	uint64_t hits, misses;
	struct qentry slot[QCACHE_SETS * QCACHE_WAYS];
};

struct qcache *nsearch_cache_new(void)
{
	struct qcache *q = xcalloc(1, sizeof *q);
	pthread_mutex_init(&q->lock, NULL);
	return q;
}

void nsearch_cache_free(struct qcache **qp)
{
	struct qcache *q = *qp;
	if (!q)
		return;
	for (size_t i = 0; i < QCACHE_SETS * QCACHE_WAYS; i++) {
		free(q->slot[i].key);
		free(q->slot[i].ids);
	}
	pthread_mutex_destroy(&q->lock);
	free(q);
	*qp = NULL;
}

static int cache_get(struct qcache *q, uint64_t h, const char *key, int64_t state, struct nids *out)
{
	int hit = 0;
	pthread_mutex_lock(&q->lock);
	struct qentry *set = &q->slot[(h % QCACHE_SETS) * QCACHE_WAYS];
	for (int w = 0; w < QCACHE_WAYS && !hit; w++) {
		struct qentry *ce = &set[w];
		if (!ce->key || ce->hash != h || ce->state != state || strcmp(ce->key, key) != 0)
			continue;
		for (size_t i = 0; i < ce->n; i++)
			kstrv_push(&out->ids, ce->ids + i * ID_SLOT);
		out->total = ce->total;
		out->total_capped = ce->capped;
		ce->used = ++q->tick;
		hit = 1;
	}
	if (hit)
		q->hits++;
	else
		q->misses++;
	pthread_mutex_unlock(&q->lock);
	return hit;
}

static void cache_put(struct qcache *q, uint64_t h, const char *key, int64_t state,
                      const struct nids *r)
{
	if (r->ids.n > QCACHE_IDS_MAX)
		return;
	char *ids = xmalloc(r->ids.n ? r->ids.n * ID_SLOT : 1);
	for (size_t i = 0; i < r->ids.n; i++)
		snprintf(ids + i * ID_SLOT, ID_SLOT, "%s", r->ids.v[i]);
	char *k = xstrdup(key);
	pthread_mutex_lock(&q->lock);
	/* The same query (another thread filled it first), else an empty way, else the least
	 * recently used; an entry of an older state is as good as empty. */
	struct qentry *set = &q->slot[(h % QCACHE_SETS) * QCACHE_WAYS], *ce = NULL;
	for (int w = 0; w < QCACHE_WAYS && !ce; w++)
		if (set[w].key && set[w].hash == h && strcmp(set[w].key, key) == 0)
			ce = &set[w];
	for (int w = 0; w < QCACHE_WAYS && !ce; w++)
		if (!set[w].key || set[w].state != state)
			ce = &set[w];
	if (!ce) {
		ce = &set[0];
		for (int w = 1; w < QCACHE_WAYS; w++)
			if (set[w].used < ce->used)
				ce = &set[w];
	}
	char *old_key = ce->key, *old_ids = ce->ids;
	ce->hash = h;
	ce->key = k;
	ce->state = state;
	ce->ids = ids;
	ce->n = r->ids.n;
	ce->total = r->total;
	ce->capped = r->total_capped;
	ce->used = ++q->tick;
	pthread_mutex_unlock(&q->lock);
	free(old_key);
	free(old_ids);
}

void nstore_query_cache_stats(struct nstore *s, uint64_t *hits, uint64_t *misses)
{
	struct qcache *q = s->qcache;
	pthread_mutex_lock(&q->lock);
	*hits = q->hits;
	*misses = q->misses;
	pthread_mutex_unlock(&q->lock);
}

/* ---------------------------------------------------------------- index documents */

struct ldoc {
	struct kbuf title, body, facets, all;
	char currency[4];
	int64_t price, moq;
	int active;
};

static void ldoc_free(struct ldoc *d)
{
	kbuf_free(&d->title);
	kbuf_free(&d->body);
	kbuf_free(&d->facets);
	kbuf_free(&d->all);
	memset(d, 0, sizeof *d);
}

static const char *jstr(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

static void lower_code(char *out, size_t cap, const char *v)
{
	size_t i = 0;
	for (; v && v[i] && i + 1 < cap; i++)
		out[i] = (v[i] >= 'A' && v[i] <= 'Z') ? (char)(v[i] - 'A' + 'a') : v[i];
	out[i] = '\0';
}

static void seller_token(struct kbuf *out, const char *seller_id)
{
	kbuf_printf(out, " s_%016llx",
	            (unsigned long long)searchtext_hash(seller_id, strlen(seller_id)));
}

/* The index rows of a listing: what it can be found by. */
static void ldoc_build(struct ldoc *d, const cJSON *j, const char *seller_id, int verified)
{
	memset(d, 0, sizeof *d);
	const char *status = jstr(j, "status");
	d->active = !status || strcmp(status, "active") == 0;

	searchtext_prep_field(&d->title, jstr(j, "title"), (size_t)-1);
	const cJSON *v;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(j, "tags"))
	{
		if (cJSON_IsString(v))
			searchtext_prep_field(&d->body, v->valuestring, (size_t)-1);
	}
	const char *category = jstr(j, "category");
	searchtext_prep_field(&d->body, category, (size_t)-1);
	searchtext_prep_field(&d->body, jstr(j, "sku"), (size_t)-1);
	searchtext_prep_field(&d->body, jstr(j, "hsCode"), (size_t)-1);
	searchtext_prep_field(&d->body, jstr(j, "description"), DESC_INDEXED);

	const char *country = jstr(j, "shipsFrom");
	if (!country || !*country)
		country = jstr(j, "originCountry");
	snprintf(d->currency, sizeof d->currency, "%s",
	         jstr(j, "currency") ? jstr(j, "currency") : "");
	d->price = -1;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(j, "priceTiers"))
	{
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(v, "unitPrice");
		if (cJSON_IsNumber(p) && (d->price < 0 || (int64_t)p->valuedouble < d->price))
			d->price = (int64_t)p->valuedouble;
	}
	if (d->price < 0)
		d->price = 0;
	const cJSON *moq = cJSON_GetObjectItemCaseSensitive(j, "moq");
	d->moq = cJSON_IsNumber(moq) ? (int64_t)moq->valuedouble : 1;

	/* "all_" lets a query with no words and no filters be a MATCH too. */
	char code[8], prefix[16];
	kbuf_puts(&d->facets, "all_");
	if (country && *country) {
		lower_code(code, sizeof code, country);
		kbuf_printf(&d->facets, " c_%s", code);
	}
	lower_code(code, sizeof code, d->currency);
	kbuf_printf(&d->facets, " cur_%s", code);
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(j, "incoterms"))
	{
		if (!cJSON_IsString(v))
			continue;
		lower_code(code, sizeof code, v->valuestring);
		kbuf_printf(&d->facets, " inc_%s", code);
	}
	if (verified)
		kbuf_puts(&d->facets, " v_1");
	if (category)
		searchtext_category_tokens(&d->facets, "cat_", category);
	seller_token(&d->facets, seller_id);
	lower_code(code, sizeof code, d->currency);
	snprintf(prefix, sizeof prefix, "p%s_", code);
	searchtext_range_tokens(&d->facets, prefix, d->price);
	searchtext_range_tokens(&d->facets, "m_", d->moq);

	kbuf_puts(&d->all, kbuf_str(&d->title));
	kbuf_putc(&d->all, ' ');
	kbuf_puts(&d->all, kbuf_str(&d->body));
	kbuf_putc(&d->all, ' ');
	kbuf_puts(&d->all, kbuf_str(&d->facets));
}

/* ---------------------------------------------------------------- row keys */

static int64_t pkey_base(const char *currency, int64_t price)
{
	if (price < 0)
		price = 0;
	if (price > PRICE_KEY_MAX)
		price = PRICE_KEY_MAX;
	return KS_PRICE | searchtext_currency_rank(currency) << 47 | price << 12;
}

/* Best rated first, then most rated, then newest (a larger rid is a later write). */
static int64_t rkey_base(const struct nseller *ss, int64_t rid)
{
	int64_t rq = 511, cq = 255;
	if (ss && ss->rating_count > 0) {
		int64_t r = (ss->rating_sum * 100 + ss->rating_count / 2) / ss->rating_count;
		rq = 500 - (r < 0 ? 0 : r > 500 ? 500 : r);
		cq = 255 - (ss->rating_count > 255 ? 255 : ss->rating_count);
	}
	int64_t age = AGE_MAX - (rid < 0 ? 0 : rid > AGE_MAX ? AGE_MAX : rid);
	return rq << 52 | cq << 44 | age << 12;
}

/* Keys must be unique; a full span (4096 listings at one currency and price) moves on to
 * the next one, which costs the order a hair of precision, never a row. */
static int free_key(struct nconn *c, enum nst which, int64_t base, int64_t *out, struct kerr *e)
{
	for (int tries = 0; tries < 1024; tries++, base += KEY_SPAN) {
		sqlite3_stmt *st = nstore_stmt(c, which, e);
		if (!st)
			return K_EDB;
		sqlite3_bind_int64(st, 1, base);
		sqlite3_bind_int64(st, 2, base + KEY_SPAN - 1);
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_reset(st);
			return nstore_dberr(c, e, "finding a free search key");
		}
		int null = sqlite3_column_type(st, 0) == SQLITE_NULL;
		int64_t max = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (null) {
			*out = base;
			return K_OK;
		}
		if (max < base + KEY_SPAN - 1) {
			*out = max + 1;
			return K_OK;
		}
	}
	return kerr_set(e, K_EDB, "%s: no free search key near %lld", c->s->path, (long long)base);
}

/* ---------------------------------------------------------------- index rows */

static int run_fts(struct nconn *c, enum nst id, int64_t rowid, const struct ldoc *d,
                   struct kerr *e)
{
	sqlite3_stmt *st = nstore_stmt(c, id, e);
	if (!st)
		return K_EDB;
	sqlite3_bind_int64(st, 1, rowid);
	if (id == S_FTS_INSERT || id == S_FTS_DELETE) {
		sqlite3_bind_text(st, 2, kbuf_str(&d->title), (int)d->title.len, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, kbuf_str(&d->body), (int)d->body.len, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, kbuf_str(&d->facets), (int)d->facets.len, SQLITE_STATIC);
	} else {
		sqlite3_bind_text(st, 2, kbuf_str(&d->all), (int)d->all.len, SQLITE_STATIC);
	}
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return nstore_dberr(c, e, "updating the search index");
	return K_OK;
}

static int index_rows(struct nconn *c, int insert, int64_t rid, int64_t pkey, int64_t rkey,
                      const struct ldoc *d, struct kerr *e)
{
	int rc;
	if ((rc = run_fts(c, insert ? S_FTS_INSERT : S_FTS_DELETE, rid, d, e)) ||
	    (rc = run_fts(c, insert ? S_ORD_INSERT : S_ORD_DELETE, pkey, d, e)) ||
	    (rc = run_fts(c, insert ? S_ORD_INSERT : S_ORD_DELETE, rkey, d, e)))
		return rc;
	return K_OK;
}

int nsearch_seller(struct nconn *c, const char *seller_id, struct nseller *out, struct kerr *e)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = nstore_stmt(c, S_A_STATE, e);
	if (!st)
		return K_EDB;
	nstore_bind_text(st, 1, seller_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->verified = sqlite3_column_int(st, 0);
		out->rating_sum = sqlite3_column_int64(st, 1);
		out->rating_count = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return nstore_dberr(c, e, "reading the seller");
	return K_OK;
}

int nsearch_insert(struct nconn *c, int64_t rid, const char *id, const char *seller_id,
                   const char *sku, const char *canon, size_t len, const cJSON *j, struct kerr *e)
{
	struct nseller ss;
	int rc = nsearch_seller(c, seller_id, &ss, e);
	if (rc)
		return rc;
	struct ldoc d;
	ldoc_build(&d, j, seller_id, ss.verified);
	int64_t pkey = 0, rkey = 0;
	if (d.active) {
		if ((rc = free_key(c, S_L_MAX_PKEY, pkey_base(d.currency, d.price), &pkey, e)) ||
		    (rc = free_key(c, S_L_MAX_RKEY, rkey_base(&ss, rid), &rkey, e)))
			goto out;
	}
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
	if ((rc = nstore_exec_stmt(c, st, e, "storing a listing")))
		goto out;
	if (d.active)
		rc = index_rows(c, 1, rid, pkey, rkey, &d, e);
out:
	ldoc_free(&d);
	return rc;
}

struct lrow {
	int64_t rid, pkey, rkey;
	int indexed, verified;
	char seller[KCRYPTO_ID_LEN + 1];
	cJSON *j;
};

static int lrow_find(struct nconn *c, const char *id, struct lrow *r, struct kerr *e)
{
	memset(r, 0, sizeof *r);
	sqlite3_stmt *st = nstore_stmt(c, S_L_FIND, e);
	if (!st)
		return K_EDB;
	nstore_bind_text(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->rid = sqlite3_column_int64(st, 0);
		r->indexed = sqlite3_column_type(st, 1) != SQLITE_NULL;
		r->pkey = sqlite3_column_int64(st, 1);
		r->rkey = sqlite3_column_int64(st, 2);
		/* Stored by us as canonical JSON: only the index rows are rebuilt from it. */
		r->j = cJSON_ParseWithLength((const char *)sqlite3_column_text(st, 3),
		                             (size_t)sqlite3_column_bytes(st, 3));
		r->verified = sqlite3_column_int(st, 4);
		nstore_col_copy(st, 5, r->seller, sizeof r->seller);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return K_ENOTFOUND;
	if (rc != SQLITE_ROW)
		return nstore_dberr(c, e, "reading a listing");
	if (!r->j)
		return kerr_set(e, K_EDB, "%s: listing %s is damaged", c->s->path, id);
	return K_OK;
}

int nsearch_remove(struct nconn *c, const char *id, struct kerr *e)
{
	struct lrow r;
	int rc = lrow_find(c, id, &r, e);
	if (rc == K_ENOTFOUND)
		return kerr_set(e, K_ENOTFOUND, "no listing %s", id);
	if (rc)
		goto out;
	if (r.indexed) {
		struct ldoc d;
		ldoc_build(&d, r.j, r.seller, r.verified);
		rc = index_rows(c, 0, r.rid, r.pkey, r.rkey, &d, e);
		ldoc_free(&d);
		if (rc)
			goto out;
	}
	sqlite3_stmt *st = nstore_stmt(c, S_L_DELETE, e);
	if (!st) {
		rc = K_EDB;
		goto out;
	}
	sqlite3_bind_int64(st, 1, r.rid);
	rc = nstore_exec_stmt(c, st, e, "deleting a listing");
out:
	cJSON_Delete(r.j);
	return rc;
}

int nsearch_reindex_seller(struct nconn *c, const char *seller_id, struct kerr *e)
{
	/* Collect first: the rows are rewritten while we go. */
	sqlite3_stmt *st = nstore_stmt(c, S_L_OF_SELLER, e);
	if (!st)
		return K_EDB;
	nstore_bind_text(st, 1, seller_id);
	int64_t *rids = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			rids = xrealloc(rids, cap * sizeof *rids);
		}
		rids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(rids);
		return nstore_dberr(c, e, "listing a seller's listings");
	}
	struct nseller ss;
	rc = nsearch_seller(c, seller_id, &ss, e);
	int64_t seq;
	/* Query results change with the index rows: the Listing query state must move. */
	if (rc == K_OK && n > 0)
		rc = nlog_bump(c, NT_LISTING, &seq, e);
	for (size_t i = 0; rc == K_OK && i < n; i++) {
		char id[ID_SLOT];
		if (!(st = nstore_stmt(c, S_ID_BY_RID, e))) {
			rc = K_EDB;
			break;
		}
		sqlite3_bind_int64(st, 1, rids[i]);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW)
			nstore_col_copy(st, 0, id, sizeof id);
		sqlite3_reset(st);
		if (step != SQLITE_ROW)
			continue;
		struct lrow r;
		if ((rc = lrow_find(c, id, &r, e)))
			break;
		struct ldoc old, neu;
		ldoc_build(&old, r.j, r.seller, r.verified);
		ldoc_build(&neu, r.j, r.seller, ss.verified);
		int64_t base = rkey_base(&ss, r.rid), rkey = r.rkey;
		rc = index_rows(c, 0, r.rid, r.pkey, r.rkey, &old, e);
		if (!rc && (r.rkey & ~(int64_t)(KEY_SPAN - 1)) != base)
			rc = free_key(c, S_L_MAX_RKEY, base, &rkey, e);
		if (!rc && (st = nstore_stmt(c, S_L_SET_KEYS, e))) {
			sqlite3_bind_int64(st, 1, r.rid);
			sqlite3_bind_int64(st, 2, rkey);
			sqlite3_bind_int(st, 3, ss.verified);
			rc = nstore_exec_stmt(c, st, e, "re-keying a listing");
		} else if (!rc) {
			rc = K_EDB;
		}
		if (!rc)
			rc = index_rows(c, 1, r.rid, r.pkey, rkey, &neu, e);
		ldoc_free(&old);
		ldoc_free(&neu);
		cJSON_Delete(r.j);
	}
	free(rids);
	return rc;
}

/* ---------------------------------------------------------------- queries */

struct qtokens {
	char *tok[QUERY_TOKENS_MAX];
	size_t n;
	int too_many;
	const char *too_long;
	size_t too_long_len;
};

static int collect_token(void *ctx, int flags, const char *t, int n, int start, int end)
{
	struct qtokens *q = ctx;
	(void)flags, (void)start, (void)end;
	if (n <= 0)
		return SQLITE_OK;
	if (n > TOKEN_BYTES_MAX) {
		if (!q->too_long) {
			q->too_long = t;
			q->too_long_len = (size_t)n;
		}
		return SQLITE_OK;
	}
	for (size_t i = 0; i < q->n; i++)
		if (strlen(q->tok[i]) == (size_t)n && memcmp(q->tok[i], t, (size_t)n) == 0)
			return SQLITE_OK; /* a repeated word adds nothing */
	if (q->n == QUERY_TOKENS_MAX) {
		q->too_many = 1;
		return SQLITE_OK;
	}
	q->tok[q->n++] = xstrndup(t, (size_t)n);
	return SQLITE_OK;
}

struct plan {
	struct kbuf words;   /* the query words, ANDed */
	struct kbuf filters; /* filter tokens and range groups, ANDed */
	struct kbuf key;     /* the normalised query: the cache key */
	int nwords, nphrases;
	int lo_edge, hi_edge, moq_edge; /* phrase numbers of edge buckets, -1 when none */
	int64_t min_price, max_price, max_moq;
	enum nst scan; /* the statement that walks the sort order */
	enum nst count;
	enum nst to_id; /* rowid -> listing id */
	int64_t lo, hi; /* rowid range for listing_ord scans */
};

static void and_sep(struct kbuf *b)
{
	if (b->len)
		kbuf_puts(b, " AND ");
}

static void add_filter(struct plan *p, const char *tok)
{
	and_sep(&p->filters);
	searchtext_fts_phrase(&p->filters, tok, 0);
	p->nphrases++;
}

static int add_phrase_or(struct plan *p, const char *tok, int *first)
{
	if (!*first)
		kbuf_puts(&p->filters, " OR ");
	*first = 0;
	searchtext_fts_phrase(&p->filters, tok, 0);
	return p->nphrases++;
}

/* lo <= value <= hi (either bound -1 = open) as an OR of bucket blocks. The buckets holding
 * the bounds are phrases of their own (the edges), so kedge can send just their rows to the
 * exact check. */
static void add_range(struct plan *p, const char *prefix, int64_t lo, int64_t hi, int *lo_edge,
                      int *hi_edge)
{
	if (lo < 0 && hi < 0)
		return;
	int lb = lo >= 0 ? searchtext_value_bucket(lo) : 0;
	int hb = hi >= 0 ? searchtext_value_bucket(hi) : searchtext_value_bucket(INT64_MAX);
	char tok[48];
	int first = 1;
	and_sep(&p->filters);
	kbuf_putc(&p->filters, '(');
	int x = lb, end = hb;
	if (lo >= 0) {
		snprintf(tok, sizeof tok, "%s0_%d", prefix, lb);
		*lo_edge = add_phrase_or(p, tok, &first);
		x = lb + 1;
	}
	if (hi >= 0) {
		if (hb == lb && lo >= 0) {
			*hi_edge = *lo_edge;
		} else {
			snprintf(tok, sizeof tok, "%s0_%d", prefix, hb);
			*hi_edge = add_phrase_or(p, tok, &first);
		}
		end = hb - 1;
	}
	while (x <= end) {
		int lvl = 6;
		while (lvl > 0 && ((x & ((1 << lvl) - 1)) || x + (1 << lvl) - 1 > end))
			lvl -= 2;
		snprintf(tok, sizeof tok, "%s%d_%d", prefix, lvl, x >> lvl);
		add_phrase_or(p, tok, &first);
		x += 1 << lvl;
	}
	kbuf_putc(&p->filters, ')');
}

static int code_ok(const char *v, size_t len)
{
	if (strlen(v) != len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= 'a' && v[i] <= 'z')))
			return 0;
	return 1;
}

static void plan_free(struct plan *p)
{
	kbuf_free(&p->words);
	kbuf_free(&p->filters);
	kbuf_free(&p->key);
}

static int plan_words(struct nconn *c, const char *text, struct plan *p, struct kerr *e)
{
	struct qtokens qt = {0};
	struct kbuf prepped = KBUF_INIT;
	int rc = K_OK;
	size_t tail_run = searchtext_prep(&prepped, text, strlen(text));
	fts5_tokenizer *tk = c->tok_api;
	if (prepped.len && tk->xTokenize(c->tok, &qt, FTS5_TOKENIZE_QUERY, prepped.data,
	                                 (int)prepped.len, collect_token) != SQLITE_OK)
		rc = kerr_set(e, K_EINVAL, "filter.text: cannot read the query");
	if (!rc && qt.too_long)
		rc = kerr_set(e, K_EINVAL, "filter.text: a word is too long (at most %d bytes)",
		              TOKEN_BYTES_MAX);
	if (!rc && qt.too_many)
		rc = kerr_set(e, K_EINVAL, "filter.text: too many words (at most %d)",
		              QUERY_TOKENS_MAX);
	for (size_t i = 0; !rc && i < qt.n; i++) {
		/* A single character of a spaceless script is only ever the start of the
		 * bigrams it is in. */
		int prefix = i == qt.n - 1 && tail_run == 1;
		and_sep(&p->words);
		searchtext_fts_phrase(&p->words, qt.tok[i], prefix);
		kbuf_printf(&p->key, "%s%s", i ? " " : "w=", qt.tok[i]);
	}
	if (!rc) {
		p->nwords = (int)qt.n;
		p->nphrases = (int)qt.n;
		if (qt.n && tail_run == 1)
			kbuf_putc(&p->key, '*');
	}
	for (size_t i = 0; i < qt.n; i++)
		free(qt.tok[i]);
	kbuf_free(&prepped);
	return rc;
}

static int plan_build(struct nconn *c, const struct nlisting_query *q, struct plan *p,
                      struct kerr *e)
{
	memset(p, 0, sizeof *p);
	p->lo_edge = p->hi_edge = p->moq_edge = -1;
	p->min_price = q->min_price;
	p->max_price = q->max_price;
	p->max_moq = q->max_moq;
	int rc = plan_words(c, q->text ? q->text : "", p, e);
	if (rc)
		return rc;

	char tok[64], cur[4] = "";
	if (q->country && *q->country) {
		if (!code_ok(q->country, 2))
			return kerr_set(e, K_EINVAL,
			                "filter.country: '%.8s' is not an ISO 3166 alpha-2 code",
			                q->country);
		lower_code(cur, sizeof cur, q->country);
		snprintf(tok, sizeof tok, "c_%s", cur);
		add_filter(p, tok);
		kbuf_printf(&p->key, "|c=%s", cur);
		cur[0] = '\0';
	}
	if (q->currency && *q->currency) {
		if (!code_ok(q->currency, 3))
			return kerr_set(e, K_EINVAL,
			                "filter.currency: '%.8s' is not an ISO 4217 code",
			                q->currency);
		lower_code(cur, sizeof cur, q->currency);
		kbuf_printf(&p->key, "|cur=%s", cur);
	}
	if ((q->max_price >= 0 || q->min_price >= 0) && !cur[0])
		return kerr_set(e, K_EINVAL, "filter.%s: a price needs filter.currency",
		                q->max_price >= 0 ? "maxPrice" : "minPrice");
	if (q->max_price >= 0 && q->min_price > q->max_price)
		return kerr_set(e, K_EINVAL, "filter.minPrice: above filter.maxPrice");
	int price_in_rowid = q->sort == NSORT_PRICE && cur[0];
	if (cur[0] && !price_in_rowid) {
		snprintf(tok, sizeof tok, "cur_%s", cur);
		add_filter(p, tok);
	}
	if (q->incoterm && *q->incoterm) {
		if (!code_ok(q->incoterm, 3))
			return kerr_set(e, K_EINVAL,
			                "filter.incoterm: '%.8s' is not an Incoterms rule",
			                q->incoterm);
		char inc[4];
		lower_code(inc, sizeof inc, q->incoterm);
		snprintf(tok, sizeof tok, "inc_%s", inc);
		add_filter(p, tok);
		kbuf_printf(&p->key, "|inc=%s", inc);
	}
	if (q->verified) {
		add_filter(p, "v_1");
		kbuf_puts(&p->key, "|v");
	}
	if (q->category && *q->category) {
		struct kbuf norm = KBUF_INIT, t = KBUF_INIT;
		searchtext_category_norm(q->category, &norm);
		searchtext_category_token(&t, "cat_", kbuf_str(&norm), norm.len);
		add_filter(p, kbuf_str(&t) + 1);
		kbuf_printf(&p->key, "|%s", kbuf_str(&t) + 1);
		kbuf_free(&norm);
		kbuf_free(&t);
	}
	if (q->seller_id && *q->seller_id) {
		struct kbuf t = KBUF_INIT;
		seller_token(&t, q->seller_id);
		add_filter(p, kbuf_str(&t) + 1);
		kbuf_printf(&p->key, "|%s", kbuf_str(&t) + 1);
		kbuf_free(&t);
	}
	if ((q->min_price >= 0 || q->max_price >= 0) && !price_in_rowid) {
		char prefix[16];
		snprintf(prefix, sizeof prefix, "p%s_", cur);
		add_range(p, prefix, q->min_price, q->max_price, &p->lo_edge, &p->hi_edge);
	}
	if (q->max_moq >= 0)
		add_range(p, "m_", -1, q->max_moq, &p->moq_edge, &p->moq_edge);
	kbuf_printf(&p->key, "|min=%lld|max=%lld|moq=%lld|s=%d|a=%d|pos=%lld|lim=%d|t=%d",
	            (long long)q->min_price, (long long)q->max_price, (long long)q->max_moq,
	            (int)q->sort, q->page.ascending, (long long)q->page.position, q->page.limit,
	            q->page.calc_total);

	p->count = S_COUNT_MAIN;
	p->to_id = S_ID_BY_RID;
	p->lo = 0;
	p->hi = INT64_MAX;
	switch (q->sort) {
	case NSORT_PRICE:
		p->scan = q->page.ascending ? S_SCAN_P_ASC : S_SCAN_P_DESC;
		p->to_id = S_ID_BY_PKEY;
		p->lo = KS_PRICE;
		if (price_in_rowid) {
			char up[4];
			for (int i = 0; i < 4; i++)
				up[i] = (char)(cur[i] >= 'a' && cur[i] <= 'z' ? cur[i] - 'a' + 'A'
				                                              : cur[i]);
			p->lo = pkey_base(up, q->min_price >= 0 ? q->min_price : 0);
			p->hi = pkey_base(up, q->max_price >= 0 ? q->max_price : PRICE_KEY_MAX) +
			        KEY_SPAN - 1;
			p->count = S_COUNT_P;
			/* The range is the price filter: the edges are exact already. */
			p->min_price = p->max_price = -1;
		}
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

/* The MATCH expression: words first (their phrase numbers come first), then filters.
 * mode 0: everything; 1: all words in the title; 2: words, but not all in the title. */
static void plan_expr(const struct plan *p, int mode, struct kbuf *out)
{
	kbuf_reset(out);
	if (p->words.len)
		kbuf_printf(out, mode == 1 ? "{title}: (%s)" : "(%s)", kbuf_str(&p->words));
	if (p->filters.len) {
		and_sep(out);
		kbuf_puts(out, kbuf_str(&p->filters));
	}
	if (!out->len)
		kbuf_puts(out, "\"all_\"");
	if (mode == 2)
		kbuf_printf(out, " NOT {title}: (%s)", kbuf_str(&p->words));
}

static void bind_plan(sqlite3_stmt *st, const struct plan *p, const char *expr, int64_t limit,
                      int ord)
{
	sqlite3_bind_text(st, 1, expr, (int)strlen(expr), SQLITE_STATIC);
	sqlite3_bind_int(st, 2, p->lo_edge);
	sqlite3_bind_int64(st, 3, p->min_price);
	sqlite3_bind_int(st, 4, p->hi_edge);
	sqlite3_bind_int64(st, 5, p->max_price);
	sqlite3_bind_int(st, 6, p->moq_edge);
	sqlite3_bind_int64(st, 7, p->max_moq);
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
static int scan(struct nconn *c, enum nst which, const struct plan *p, const char *expr,
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

static int count(struct nconn *c, const struct plan *p, const char *expr, int64_t *total,
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

static int run_plan(struct nconn *c, const struct nlisting_query *q, const struct plan *p,
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
	if (q->sort == NSORT_RELEVANCE && p->nwords > 0) {
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

/* Paused listings are not in the index: a seller's own, newest first, from the table. */
static int seller_page(struct nconn *c, const struct nlisting_query *q, struct nids *out,
                       struct kerr *e)
{
	const char *status = q->status;
	if (!q->seller_id || !*q->seller_id)
		return kerr_set(e, K_EINVAL, "filter.status: '%s' needs filter.sellerId",
		                strcmp(status, "all") == 0 ? "all" : "paused");
	if ((q->text && *q->text) || (q->country && *q->country) || (q->category && *q->category) ||
	    (q->currency && *q->currency) || (q->incoterm && *q->incoterm) || q->verified ||
	    q->min_price >= 0 || q->max_price >= 0 || q->max_moq >= 0)
		return kerr_set(e, K_EINVAL, "filter.status: '%s' takes no filter but sellerId",
		                status);
	sqlite3_stmt *st;
	int rc;
	if (q->page.calc_total) {
		if (!(st = nstore_stmt(c, S_L_SELLER_COUNT, e)))
			return K_EDB;
		nstore_bind_text(st, 1, q->seller_id);
		nstore_bind_text(st, 2, status);
		rc = sqlite3_step(st);
		out->total = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		sqlite3_reset(st);
		if (rc != SQLITE_ROW)
			return nstore_dberr(c, e, "counting listings");
	}
	if (!(st = nstore_stmt(c, S_L_SELLER_PAGE, e)))
		return K_EDB;
	nstore_bind_text(st, 1, q->seller_id);
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
	int rc = nstore_state(s, NT_LISTING, &out->state, e);
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

	struct plan p;
	rc = plan_build(c, q, &p, e);
	if (rc) {
		plan_free(&p);
		return rc;
	}
	uint64_t h = searchtext_hash(kbuf_str(&p.key), p.key.len);
	if (cache_get(s->qcache, h, kbuf_str(&p.key), out->state, out)) {
		plan_free(&p);
		return K_OK;
	}
	rc = run_plan(c, q, &p, out, e);
	if (rc == K_OK)
		cache_put(s->qcache, h, kbuf_str(&p.key), out->state, out);
	else
		nids_free(out);
	plan_free(&p);
	return rc;
}
