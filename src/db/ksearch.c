/* ksearch — the search engine both stores share (see ksearch.h for how it stays fast). */
#include "db/ksearch.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kontor/searchtext.h"

#define DESC_INDEXED 500 /* bytes of a description that are searchable */

/* ---------------------------------------------------------------- FTS5 hooks */

/* kedge(table, N): 1 when phrase N of the MATCH expression is in this row (KS_EDGE_ALWAYS:
 * every row). Phrases are numbered as written, so the planner knows which one marks the rows
 * a range filter must check against the table. */
static void aux_kedge(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
                      sqlite3_value **vals)
{
	int i = nval > 0 ? sqlite3_value_int(vals[0]) : KS_EDGE_NONE;
	int col = -1;
	if (i == KS_EDGE_ALWAYS) {
		sqlite3_result_int(ctx, 1);
		return;
	}
	if (i >= 0 && i < api->xPhraseCount(fts)) {
		Fts5PhraseIter it;
		if (api->xPhraseFirstColumn(fts, i, &it, &col) != SQLITE_OK)
			col = -1;
	}
	sqlite3_result_int(ctx, col >= 0);
}

/* ktitle(table, N): how many of phrases 0..N-1 (the query words) are in the title. */
static void aux_ktitle(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                       int nval, sqlite3_value **vals)
{
	int n = nval > 0 ? sqlite3_value_int(vals[0]) : 0, score = 0;
	if (n > api->xPhraseCount(fts))
		n = api->xPhraseCount(fts);
	for (int i = 0; i < n; i++) {
		Fts5PhraseIter it;
		int col = -1;
		if (api->xPhraseFirstColumn(fts, i, &it, &col) != SQLITE_OK)
			continue;
		for (; col >= 0; api->xPhraseNextColumn(fts, &it, &col))
			if (col == 0) {
				score++;
				break;
			}
	}
	sqlite3_result_int(ctx, score);
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

int ksearch_attach(struct kdb *k, struct ksearch_tok *t, struct kerr *e)
{
	memset(t, 0, sizeof *t);
	fts5_api *api = fts5_of(k->db);
	if (!api)
		return kerr_set(e, K_EDB, "%s: this SQLite has no FTS5", k->path);
	if (api->xCreateFunction(api, "kedge", NULL, aux_kedge, NULL) != SQLITE_OK ||
	    api->xCreateFunction(api, "ktitle", NULL, aux_ktitle, NULL) != SQLITE_OK)
		return kdb_err(k, e, "registering the search functions");
	void *ud = NULL;
	fts5_tokenizer *tk = xcalloc(1, sizeof *tk);
	const char *args[] = {"remove_diacritics", "2",          "categories",
	                      "L* N* Co M*",       "tokenchars", "_"};
	Fts5Tokenizer *tok = NULL;
	if (api->xFindTokenizer(api, "unicode61", &ud, tk) != SQLITE_OK ||
	    tk->xCreate(ud, args, (int)(sizeof args / sizeof args[0]), &tok) != SQLITE_OK) {
		free(tk);
		return kerr_set(e, K_EDB, "%s: cannot create the unicode61 tokenizer", k->path);
	}
	t->api = tk;
	t->tok = tok;
	return K_OK;
}

void ksearch_detach(struct ksearch_tok *t)
{
	fts5_tokenizer *tk = t->api;
	if (tk && t->tok)
		tk->xDelete(t->tok);
	free(tk);
	t->api = t->tok = NULL;
}

static int tokenize(const struct ksearch_tok *t, int flags, const char *text, size_t n, void *ctx,
                    int (*cb)(void *, int, const char *, int, int, int))
{
	const fts5_tokenizer *tk = t->api;
	if (!n)
		return SQLITE_OK;
	return tk->xTokenize(t->tok, ctx, flags, text, (int)n, cb);
}

/* ---------------------------------------------------------------- documents */

/* "At most N" filters on MOQ (KS_DOC_STEPS) are one NOT term: a listing carries "_mgt_T"
 * (MOQ greater than T) for each of these thresholds below its MOQ, and "moq <= T" is NOT
 * "_mgt_T". The thresholds are the round numbers people ask for; between two of them only
 * the rows in that gap are checked against the table. */
static const int64_t moq_steps[] = {1,    2,    5,    10,    20,    50,    100,    200,    500,
                                    1000, 2000, 5000, 10000, 20000, 50000, 100000, 1000000};
#define NMOQ_STEPS (sizeof moq_steps / sizeof moq_steps[0])

/* rid bits: verified (24) | MOQ class (19..23) | Incoterms (8..18). They carry the filters
 * whose tokens would be dense (a quarter to two thirds of all listings): FTS5 reads a dense
 * doclist entry by entry to skip through it, so a scan tests these on the rowid instead. */
#define RID_INC_SHIFT 8
#define RID_MOQ_SHIFT 19
#define RID_VERIFIED (1LL << 24)
#define RID_EPOCH_SHIFT 30

static const char *const incoterm_codes[11] = {"EXW", "FCA", "CPT", "CIP", "DAP", "DPU",
                                               "DDP", "FAS", "FOB", "CFR", "CIF"};

static int incoterm_bit(const char *code)
{
	for (int i = 0; i < 11; i++)
		if (strcasecmp(code, incoterm_codes[i]) == 0)
			return i;
	return -1;
}

/* Index of the smallest MOQ step >= moq (NMOQ_STEPS when above all): "moq <= step k" is
 * "class <= k". */
static int64_t moq_class(int64_t moq)
{
	size_t k = 0;
	while (k < NMOQ_STEPS && moq_steps[k] < moq)
		k++;
	return (int64_t)k;
}

static const char *jstr(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

/* A code in lower case, cut to cap - 1 bytes. */
static void lower_code(char *out, size_t cap, const char *v)
{
	size_t i = 0;
	for (; v && v[i] && i + 1 < cap; i++)
		out[i] = v[i] >= 'A' && v[i] <= 'Z' ? (char)(v[i] - 'A' + 'a') : v[i];
	out[i] = '\0';
}

static void seller_token(struct kbuf *out, const char *seller_id)
{
	kbuf_printf(out, " _s_%016llx",
	            (unsigned long long)searchtext_hash(seller_id, strlen(seller_id)));
}

static int64_t num(const cJSON *o, const char *name, int64_t dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : dflt;
}

/* The unit price of the tier the MOQ falls in (tiers rise strictly by minQty; a MOQ below
 * the first tier pays the first), and the lowest of any tier. */
static void tier_prices(const cJSON *tiers, int64_t moq, int64_t *at_moq, int64_t *best)
{
	*at_moq = *best = -1;
	const cJSON *t;
	cJSON_ArrayForEach(t, tiers)
	{
		int64_t p = num(t, "unitPrice", -1);
		if (p < 0)
			continue;
		if (*best < 0 || p < *best)
			*best = p;
		if (*at_moq < 0 || num(t, "minQty", 1) <= moq)
			*at_moq = p;
	}
	if (*best < 0)
		*at_moq = *best = 0;
}

void ksearch_doc_free(struct ksearch_doc *d)
{
	kbuf_free(&d->title);
	kbuf_free(&d->body);
	kbuf_free(&d->facets);
	kbuf_free(&d->all);
	memset(d, 0, sizeof *d);
}

void ksearch_doc_build(struct ksearch_doc *d, const cJSON *j, const char *seller_id, int verified,
                       unsigned flags)
{
	ksearch_doc_free(d);
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
	if (flags & KS_DOC_SKU)
		searchtext_prep_field(&d->body, jstr(j, "sku"), (size_t)-1);
	searchtext_hs_field(&d->body, jstr(j, "hsCode"));
	searchtext_prep_field(&d->body, jstr(j, "description"), DESC_INDEXED);

	const char *country = jstr(j, "shipsFrom");
	if (!country || !*country)
		country = jstr(j, "originCountry");
	snprintf(d->country, sizeof d->country, "%s", country ? country : "");
	snprintf(d->currency, sizeof d->currency, "%s",
	         jstr(j, "currency") ? jstr(j, "currency") : "");
	d->moq = num(j, "moq", 1);
	tier_prices(cJSON_GetObjectItemCaseSensitive(j, "priceTiers"), d->moq, &d->price, &d->best);

	/* Filter tokens. "_all" lets a query with no words and no filters be a MATCH too. */
	char code[8];
	kbuf_puts(&d->facets, "_all");
	if (d->country[0]) {
		lower_code(code, sizeof code, d->country);
		kbuf_printf(&d->facets, " _c_%s", code);
	}
	lower_code(code, sizeof code, d->currency);
	kbuf_printf(&d->facets, " _cur_%s", code);
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(j, "incoterms"))
	{
		if (!cJSON_IsString(v))
			continue;
		int bit = incoterm_bit(v->valuestring);
		if (bit >= 0)
			d->bits |= 1LL << (RID_INC_SHIFT + bit);
		lower_code(code, sizeof code, v->valuestring);
		kbuf_printf(&d->facets, " _inc_%s", code);
	}
	if (verified) {
		kbuf_puts(&d->facets, " _v_1");
		d->bits |= RID_VERIFIED;
	}
	if (category)
		searchtext_category_tokens(&d->facets, "_cat_", category);
	if ((flags & KS_DOC_SELLER) && seller_id)
		seller_token(&d->facets, seller_id);
	if (flags & KS_DOC_RANGES) {
		char prefix[16];
		lower_code(code, sizeof code, d->currency);
		snprintf(prefix, sizeof prefix, "_p%s_", code);
		searchtext_range_tokens(&d->facets, prefix, d->price);
		searchtext_range_tokens(&d->facets, "_m_", d->moq);
	}
	if (flags & KS_DOC_STEPS) {
		for (size_t i = 0; i < NMOQ_STEPS && moq_steps[i] < d->moq; i++)
			kbuf_printf(&d->facets, " _mgt_%lld", (long long)moq_steps[i]);
		d->bits |= moq_class(d->moq) << RID_MOQ_SHIFT;
	} else {
		d->bits = 0;
	}
	kbuf_puts(&d->all, kbuf_str(&d->body));
	kbuf_putc(&d->all, ' ');
	kbuf_puts(&d->all, kbuf_str(&d->facets));
}

/* ---------------------------------------------------------------- row keys */

int64_t ksearch_epoch(const char *t)
{
	int y, mo, d, h, mi, sec;
	if (!t || strlen(t) < 19 ||
	    sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6)
		return 0;
	struct tm tm = {.tm_year = y - 1900,
	                .tm_mon = mo - 1,
	                .tm_mday = d,
	                .tm_hour = h,
	                .tm_min = mi,
	                .tm_sec = sec};
	int64_t v = (int64_t)timegm(&tm);
	return v < 0 ? 0 : v > KS_AGE_MAX ? KS_AGE_MAX : v;
}

/* Newer is larger: a sync delivers listings oldest first, so rows append at the right edge
 * of the table and pages fill up. */
int64_t ksearch_rid_base(const char *updated, int64_t bits)
{
	return ksearch_epoch(updated) << RID_EPOCH_SHIFT | bits;
}

int64_t ksearch_pkey_base(const char *currency, int64_t price)
{
	if (price < 0)
		price = 0;
	if (price > KS_PRICE_KEY_MAX)
		price = KS_PRICE_KEY_MAX;
	return KS_PRICE | searchtext_currency_rank(currency) << 47 | price << 12;
}

int64_t ksearch_rkey_base(int64_t rating_centi, int64_t count, int64_t newness)
{
	int64_t rq = 511, cq = 255;
	if (rating_centi >= 0 && count > 0) {
		rq = 500 - (rating_centi > 500 ? 500 : rating_centi);
		cq = 255 - (count > 255 ? 255 : count);
	}
	int64_t age = KS_AGE_MAX - (newness < 0 ? 0 : newness > KS_AGE_MAX ? KS_AGE_MAX : newness);
	return rq << 52 | cq << 44 | age << 12;
}

int ksearch_free_key(struct kdb *k, struct ksearch_keymemo *memo, int which, int64_t base,
                     int64_t span, int64_t step, int64_t *out, struct kerr *e)
{
	size_t m = (size_t)(((uint64_t)base * 0x9E3779B97F4A7C15ull) >> 58 ^ (uint64_t)which) % 64;
	int64_t first = base;
	if (memo && memo->m[m].which == which && memo->m[m].base == base && memo->m[m].next > base)
		base = memo->m[m].next;
	for (int tries = 0; tries < 4096; tries++, base += step) {
		sqlite3_stmt *st = kdb_stmt(k, which, e);
		if (!st)
			return K_EDB;
		sqlite3_bind_int64(st, 1, base);
		sqlite3_bind_int64(st, 2, base + span - 1);
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_reset(st);
			return kdb_err(k, e, "finding a free search key");
		}
		int null = sqlite3_column_type(st, 0) == SQLITE_NULL;
		int64_t max = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (null || max < base + span - 1) {
			*out = null ? base : max + 1;
			if (memo) {
				memo->m[m].which = which;
				memo->m[m].base = first;
				memo->m[m].next = base;
			}
			return K_OK;
		}
	}
	return kerr_set(e, K_EDB, "%s: no free search key near %lld", k->path, (long long)base);
}

/* ---------------------------------------------------------------- held-back index writes */

struct fts_op {
	int64_t rowid;
	uint32_t seq;
	uint8_t ord; /* the ord table, else main */
	uint8_t del;
	char *text; /* main: title \0 body \0 facets; ord: title \0 all */
	int len[3];
};

struct ksearch_queue {
	int stmt[2][2];
	void (*on_flush)(void *ctx, const struct ksearch_queue *q);
	void *ctx;
	struct fts_op *op;
	size_t n, cap;
};

#define PENDING_MAX 60000 /* ops held before an early, still sorted, write */

struct ksearch_queue *ksearch_queue_new(const int stmt[2][2],
                                        void (*on_flush)(void *ctx, const struct ksearch_queue *q),
                                        void *ctx)
{
	struct ksearch_queue *q = xcalloc(1, sizeof *q);
	memcpy(q->stmt, stmt, sizeof q->stmt);
	q->on_flush = on_flush;
	q->ctx = ctx;
	return q;
}

void ksearch_queue_free(struct ksearch_queue **qp)
{
	if (!*qp)
		return;
	ksearch_queue_discard(*qp);
	free((*qp)->op);
	free(*qp);
	*qp = NULL;
}

static void push(struct ksearch_queue *q, int ord, int del, int64_t rowid,
                 const struct ksearch_doc *d)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 64;
		q->op = xrealloc(q->op, q->cap * sizeof *q->op);
	}
	struct fts_op *o = &q->op[q->n];
	*o = (struct fts_op){
	    .rowid = rowid, .seq = (uint32_t)q->n, .ord = (uint8_t)ord, .del = (uint8_t)del};
	const struct kbuf *parts[3] = {&d->title, ord ? &d->all : &d->body, &d->facets};
	int nparts = ord ? 2 : 3;
	size_t total = 3, at = 0;
	for (int i = 0; i < nparts; i++)
		total += parts[i]->len;
	o->text = xmalloc(total);
	for (int i = 0; i < nparts; i++) {
		memcpy(o->text + at, kbuf_str(parts[i]), parts[i]->len);
		o->text[at + parts[i]->len] = '\0';
		o->len[i] = (int)parts[i]->len;
		at += parts[i]->len + 1;
	}
	q->n++;
}

static int op_order(const void *a, const void *b)
{
	const struct fts_op *x = a, *y = b;
	if (x->ord != y->ord)
		return x->ord < y->ord ? -1 : 1;
	if (x->rowid != y->rowid)
		return x->rowid < y->rowid ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void ksearch_queue_discard(struct ksearch_queue *q)
{
	for (size_t i = 0; q && i < q->n; i++)
		free(q->op[i].text);
	if (q)
		q->n = 0;
}

int ksearch_queue_flush(struct kdb *k, struct ksearch_queue *q, struct kerr *e)
{
	if (!q || !q->n)
		return K_OK;
	if (q->on_flush)
		q->on_flush(q->ctx, q);
	/* A delete goes before the insert that reuses its key (call order for one rowid). */
	qsort(q->op, q->n, sizeof *q->op, op_order);
	int rc = K_OK;
	for (size_t i = 0; i < q->n && !rc; i++) {
		const struct fts_op *o = &q->op[i];
		sqlite3_stmt *st = kdb_stmt(k, q->stmt[o->ord][o->del], e);
		if (!st) {
			rc = K_EDB;
			break;
		}
		sqlite3_bind_int64(st, 1, o->rowid);
		const char *t = o->text;
		for (int c = 0; c < (o->ord ? 2 : 3); c++) {
			sqlite3_bind_text(st, 2 + c, t, o->len[c], SQLITE_STATIC);
			t += o->len[c] + 1;
		}
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = kdb_err(k, e, "updating the search index");
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	ksearch_queue_discard(q);
	if (rc && k->depth > 0 && !k->failed)
		k->failed = 1; /* the index no longer matches the rows: never commit this */
	return rc;
}

int ksearch_queue_doc(struct kdb *k, struct ksearch_queue *q, int del, int64_t rid, int64_t pkey,
                      int64_t rkey, const struct ksearch_doc *d, struct kerr *e)
{
	push(q, 0, del, rid, d);
	push(q, 1, del, pkey, d);
	push(q, 1, del, rkey, d);
	return q->n >= PENDING_MAX ? ksearch_queue_flush(k, q, e) : K_OK;
}

struct hash_sink {
	void (*cb)(void *, uint64_t);
	void *ctx;
};

static int hash_token(void *ctx, int flags, const char *t, int n, int start, int end)
{
	struct hash_sink *h = ctx;
	(void)flags, (void)start, (void)end;
	if (n > 0)
		h->cb(h->ctx, searchtext_hash(t, (size_t)n));
	return SQLITE_OK;
}

int ksearch_queue_tokens(const struct ksearch_tok *t, const struct ksearch_queue *q, size_t max,
                         void (*cb)(void *ctx, uint64_t hash), void *ctx)
{
	if (q->n > max)
		return -1;
	struct hash_sink h = {cb, ctx};
	for (size_t i = 0; i < q->n; i++) {
		const struct fts_op *o = &q->op[i];
		const char *p = o->text;
		for (int c = 0; !o->ord && c < 3; p += o->len[c] + 1, c++)
			tokenize(t, FTS5_TOKENIZE_DOCUMENT, p, (size_t)o->len[c], &h, hash_token);
	}
	return 0;
}

/* ---------------------------------------------------------------- queries */

struct qtokens {
	char *tok[KS_QUERY_TOKENS_MAX];
	size_t n;
	int too_many;
	const char *too_long; /* points into the prepared text */
	size_t too_long_len;
};

static int collect_token(void *ctx, int flags, const char *t, int n, int start, int end)
{
	struct qtokens *q = ctx;
	(void)flags, (void)start, (void)end;
	if (n <= 0)
		return SQLITE_OK;
	if (n > KS_TOKEN_BYTES_MAX) {
		if (!q->too_long) {
			q->too_long = t;
			q->too_long_len = (size_t)n;
		}
		return SQLITE_OK;
	}
	for (size_t i = 0; i < q->n; i++)
		if (strlen(q->tok[i]) == (size_t)n && memcmp(q->tok[i], t, (size_t)n) == 0)
			return SQLITE_OK; /* a repeated word adds nothing */
	if (q->n == KS_QUERY_TOKENS_MAX) {
		q->too_many = 1;
		return SQLITE_OK;
	}
	q->tok[q->n++] = xstrndup(t, (size_t)n);
	return SQLITE_OK;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void and_sep(struct kbuf *b)
{
	if (b->len)
		kbuf_puts(b, " AND ");
}

static void anchor(struct ksearch_plan *p, const char *tok)
{
	if (p->nanchors < KS_ANCHORS_MAX)
		p->anchor[p->nanchors++] = searchtext_hash(tok, strlen(tok));
}

/* A whole-token AND term: numbered, and an anchor of the result. */
static void add_filter(struct ksearch_plan *p, struct kbuf *to, const char *tok)
{
	and_sep(to);
	searchtext_fts_phrase(to, tok, 0);
	p->nphrases++;
	anchor(p, tok);
	kbuf_printf(&p->key, "|%s", tok);
}

static int add_phrase_or(struct ksearch_plan *p, const char *tok, int *first)
{
	if (!*first)
		kbuf_puts(&p->filters, " OR ");
	*first = 0;
	searchtext_fts_phrase(&p->filters, tok, 0);
	return p->nphrases++;
}

/* lo <= value <= hi (either bound -1 = open) as an OR of bucket blocks. The buckets holding
 * the bounds are phrases of their own (the edges), so kedge sends just their rows to the
 * exact check. */
static void add_range(struct ksearch_plan *p, const char *prefix, int64_t lo, int64_t hi,
                      int *lo_edge, int *hi_edge)
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

/* MOQ at most m with step tokens: exact with one NOT term when m is a step; otherwise NOT
 * the next step up, and the rows above the step below are marked for a check ("_all" OR
 * ...: every row has "_all", so the group filters nothing; it only names the rows). */
static void add_moq_steps(struct ksearch_plan *p, int64_t m)
{
	char tok[32];
	if (m < moq_steps[0]) {
		add_filter(p, &p->dense, "_none"); /* no listing has a MOQ below 1 */
		p->moq_class = -1;
		return;
	}
	size_t lo = 0;
	while (lo + 1 < NMOQ_STEPS && moq_steps[lo + 1] <= m)
		lo++;
	int exact = moq_steps[lo] == m;
	p->moq_class = (int64_t)lo + !exact;
	p->moq_edge_class = exact ? -1 : (int64_t)lo + 1;
	if (exact || lo + 1 < NMOQ_STEPS) {
		snprintf(tok, sizeof tok, "_mgt_%lld", (long long)(exact ? m : moq_steps[lo + 1]));
		kbuf_puts(&p->not, " NOT ");
		searchtext_fts_phrase(&p->not, tok, 0);
	}
	if (exact)
		return;
	snprintf(tok, sizeof tok, "_mgt_%lld", (long long)moq_steps[lo]);
	and_sep(&p->dense);
	kbuf_puts(&p->dense, "(\"_all\" OR ");
	searchtext_fts_phrase(&p->dense, tok, 0);
	kbuf_putc(&p->dense, ')');
	p->moq_edge = p->nphrases + 1;
	p->nphrases += 2;
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

/* A code-valued filter (country, Incoterm, currency): v must be len ASCII letters, else
 * K_EINVAL "<field>: 'v' is not <what>"; its lower-case form, the index's, into out[cap]. */
static int filter_code(const char *v, size_t len, const char *field, const char *what, char *out,
                       size_t cap, struct kerr *e)
{
	if (!code_ok(v, len))
		return kerr_set(e, K_EINVAL, "%s: '%.8s' is not %s", field, v, what);
	lower_code(out, cap, v);
	return K_OK;
}

/* The words: the index form of the text, split by the index's own tokenizer. */
static int plan_words(struct ksearch_plan *p, const struct ksearch_tok *t, const char *text,
                      const struct ksearch_names *names, struct kerr *e)
{
	struct qtokens qt = {0};
	struct kbuf prepped = KBUF_INIT;
	int rc = K_OK;
	p->tail_run = searchtext_prep(&prepped, text, strlen(text));
	if (tokenize(t, FTS5_TOKENIZE_QUERY, prepped.data, prepped.len, &qt, collect_token) !=
	    SQLITE_OK)
		rc =
		    kerr_set(e, K_EINVAL, "%s: cannot read the query \"%.80s\"", names->text, text);
	if (!rc && qt.too_long)
		rc = kerr_set(e, K_EINVAL, "%s: the word \"%.*s\" is too long (at most %d bytes)",
		              names->text, (int)(qt.too_long_len > 80 ? 80 : qt.too_long_len),
		              qt.too_long, KS_TOKEN_BYTES_MAX);
	if (!rc && qt.too_many)
		rc = kerr_set(e, K_EINVAL, "%s: too many words (at most %d)", names->text,
		              KS_QUERY_TOKENS_MAX);
	if (!rc && qt.n) {
		/* The last word may still be being typed: it may be tried as a prefix when the
		 * text does not end in a space, and it is one character of a spaceless script (only
		 * ever the start of the bigrams it is in) or three characters or more (shorter
		 * prefixes fan out to too many words). */
		size_t tl = strlen(text);
		int typing = tl > 0 && text[tl - 1] != ' ' && text[tl - 1] != '\t';
		const char *last = qt.tok[qt.n - 1];
		int prefix =
		    typing && (p->tail_run == 1 || (p->tail_run == 0 && utf8_chars(last) >= 3));
		kbuf_puts(&p->key, "w=");
		for (size_t i = 0; i < qt.n; i++) {
			and_sep(&p->words);
			searchtext_fts_phrase(&p->words, qt.tok[i], 0);
			if (prefix) {
				and_sep(&p->words_prefix);
				searchtext_fts_phrase(&p->words_prefix, qt.tok[i], i == qt.n - 1);
			}
			if (i < qt.n - 1 || p->tail_run != 1)
				anchor(p, qt.tok[i]);
			kbuf_printf(&p->key, "%s%s", i ? " " : "", qt.tok[i]);
		}
		if (prefix)
			kbuf_putc(&p->key, p->tail_run == 1 ? '*' : '+');
		p->nwords = p->nphrases = (int)qt.n;
	}
	for (size_t i = 0; i < qt.n; i++)
		free(qt.tok[i]);
	kbuf_free(&prepped);
	return rc;
}

int ksearch_plan_build(struct ksearch_plan *p, const struct ksearch_tok *t,
                       const struct ksearch_query *q, unsigned flags, const struct ksearch_names *n,
                       struct kerr *e)
{
	memset(p, 0, sizeof *p);
	p->lo_edge = p->hi_edge = p->moq_edge = KS_EDGE_NONE;
	p->moq_class = 31;
	p->moq_edge_class = -1;
	p->min_price = q->min_price;
	p->max_price = q->max_price;
	p->max_moq = q->max_moq;
	int rc = plan_words(p, t, q->text ? q->text : "", n, e);
	if (rc)
		return rc;

	char tok[64], code[8];
	/* Sparse filters first, then the dense ones: phrases are numbered in this order. */
	if (q->country && *q->country) {
		if ((rc = filter_code(q->country, 2, n->country, "an ISO 3166 alpha-2 code", code,
		                      sizeof code, e)))
			return rc;
		snprintf(tok, sizeof tok, "_c_%s", code);
		add_filter(p, &p->filters, tok);
	}
	if (q->category && *q->category) {
		struct kbuf norm = KBUF_INIT, c = KBUF_INIT;
		searchtext_category_norm(q->category, &norm);
		searchtext_category_token(&c, "_cat_", kbuf_str(&norm), norm.len);
		add_filter(p, &p->filters, kbuf_str(&c) + 1);
		kbuf_free(&norm);
		kbuf_free(&c);
	}
	if (q->seller_id && *q->seller_id) {
		struct kbuf s = KBUF_INIT;
		seller_token(&s, q->seller_id);
		add_filter(p, &p->filters, kbuf_str(&s) + 1);
		kbuf_free(&s);
	}
	if (q->incoterm && *q->incoterm) {
		if ((rc = filter_code(q->incoterm, 3, n->incoterm, "an Incoterms rule", code,
		                      sizeof code, e)))
			return rc;
		snprintf(tok, sizeof tok, "_inc_%s", code);
		int bit = incoterm_bit(q->incoterm);
		if ((flags & KS_PLAN_BITS) && bit >= 0)
			p->req_bits |= 1LL << (RID_INC_SHIFT + bit);
		/* Not an Incoterms 2020 rule: a sparse term that finds none. */
		add_filter(p, (flags & KS_PLAN_BITS) && bit >= 0 ? &p->dense : &p->filters, tok);
	}
	if (q->verified) {
		if (flags & KS_PLAN_BITS)
			p->req_bits |= RID_VERIFIED;
		add_filter(p, flags & KS_PLAN_BITS ? &p->dense : &p->filters, "_v_1");
	}
	if (q->max_moq >= 0) {
		kbuf_printf(&p->key, "|moq=%lld", (long long)q->max_moq);
		if (flags & KS_PLAN_BITS)
			add_moq_steps(p, q->max_moq);
		else
			add_range(p, "_m_", -1, q->max_moq, &p->moq_edge, &p->moq_edge);
	}

	char cur[4] = "";
	if (q->currency && *q->currency) {
		if ((rc = filter_code(q->currency, 3, n->currency, "an ISO 4217 code", cur,
		                      sizeof cur, e)))
			return rc;
		snprintf(tok, sizeof tok, "_cur_%s", cur);
		searchtext_fts_phrase(&p->cur, tok, 0);
		anchor(p, tok);
		kbuf_printf(&p->key, "|%s", tok);
	}
	if ((q->max_price >= 0 || q->min_price >= 0) && !cur[0])
		return kerr_set(e, K_EINVAL, "%s: a price needs %s",
		                q->max_price >= 0 ? n->max_price : n->min_price, n->currency);
	if (q->max_price >= 0 && q->min_price > q->max_price)
		return kerr_set(e, K_EINVAL, "%s: above %s", n->min_price, n->max_price);
	kbuf_printf(&p->key, "|min=%lld|max=%lld", (long long)q->min_price,
	            (long long)q->max_price);
	if ((flags & KS_PLAN_KEYS) && cur[0] &&
	    ((flags & KS_PLAN_PRICE_ORDER) || q->min_price >= 0 || q->max_price >= 0)) {
		/* The ord table's price keys are (currency, price): the filter is a key range,
		 * exact and cheap, with no token to read. */
		char up[4];
		for (int i = 0; i < 4; i++)
			up[i] =
			    (char)(cur[i] >= 'a' && cur[i] <= 'z' ? cur[i] - 'a' + 'A' : cur[i]);
		p->price_range = 1;
		p->lo = ksearch_pkey_base(up, q->min_price >= 0 ? q->min_price : 0);
		p->hi = ksearch_pkey_base(up, q->max_price >= 0 ? q->max_price : KS_PRICE_KEY_MAX) +
		        KS_KEY_SPAN - 1;
	} else if ((flags & KS_PLAN_RANGES) && (q->min_price >= 0 || q->max_price >= 0)) {
		char prefix[16];
		snprintf(prefix, sizeof prefix, "_p%s_", cur);
		add_range(p, prefix, q->min_price, q->max_price, &p->lo_edge, &p->hi_edge);
	}
	return K_OK;
}

void ksearch_plan_free(struct ksearch_plan *p)
{
	kbuf_free(&p->words);
	kbuf_free(&p->words_prefix);
	kbuf_free(&p->filters);
	kbuf_free(&p->dense);
	kbuf_free(&p->cur);
	kbuf_free(&p->not );
	kbuf_free(&p->key);
}

void ksearch_plan_expr(const struct ksearch_plan *p, const struct kbuf *words, int mode, int on_ord,
                       int with_cur, struct kbuf *out)
{
	kbuf_reset(out);
	if (words->len)
		kbuf_printf(out, mode == 1 ? "{title}: (%s)" : "(%s)", kbuf_str(words));
	const struct kbuf *parts[3] = {&p->filters, on_ord ? &p->dense : NULL,
	                               with_cur ? &p->cur : NULL};
	for (int i = 0; i < 3; i++)
		if (parts[i] && parts[i]->len) {
			and_sep(out);
			kbuf_puts(out, kbuf_str(parts[i]));
		}
	if (!out->len)
		kbuf_puts(out, "\"_all\"");
	if (on_ord)
		kbuf_puts(out, kbuf_str(&p->not ));
	if (mode == 2)
		kbuf_printf(out, " NOT {title}: (%s)", kbuf_str(words));
}

/* ---------------------------------------------------------------- search by photo */

static int hit_by_rid(const void *a, const void *b)
{
	const struct ksearch_photo_hit *x = a, *y = b;
	if (x->rid != y->rid)
		return x->rid < y->rid ? -1 : 1;
	return x->dist - y->dist;
}

/* Nearest first; among equals the newest (a larger rid is a later write). */
static int hit_by_dist(const void *a, const void *b)
{
	const struct ksearch_photo_hit *x = a, *y = b;
	if (x->dist != y->dist)
		return x->dist - y->dist;
	return x->rid > y->rid ? -1 : x->rid < y->rid;
}

size_t ksearch_photo_rank(struct ksearch_photo_hit *h, size_t n)
{
	size_t kept = 0;
	if (n > 1)
		qsort(h, n, sizeof *h, hit_by_rid);
	for (size_t i = 0; i < n; i++)
		if (kept == 0 || h[kept - 1].rid != h[i].rid)
			h[kept++] = h[i];
	if (kept > 1)
		qsort(h, kept, sizeof *h, hit_by_dist);
	return kept;
}

/* ---------------------------------------------------------------- the result cache */

#define TOUCH_SLOTS (1u << 18) /* anchored: the last version that touched each hash slot */

struct qentry {
	uint64_t hash;
	char *key;
	int64_t version;
	uint64_t anchor[KS_ANCHORS_MAX];
	int nanchors;
	struct kqresult r;
	uint64_t used; /* tick of the last hit or fill: the smallest in a set goes first */
};

struct kqcache {
	pthread_mutex_t lock;
	size_t sets;
	int ways;
	uint64_t tick, hits, misses;
	int64_t all_touched; /* the last version that touched every row */
	int64_t *touched;    /* TOUCH_SLOTS, when anchored */
	struct qentry *slot;
};

struct kqcache *kqcache_new(size_t sets, int ways, int anchored)
{
	struct kqcache *q = xcalloc(1, sizeof *q);
	pthread_mutex_init(&q->lock, NULL);
	q->sets = sets;
	q->ways = ways;
	q->slot = xcalloc(sets * (size_t)ways, sizeof *q->slot);
	if (anchored)
		q->touched = xcalloc(TOUCH_SLOTS, sizeof *q->touched);
	return q;
}

void kqcache_free(struct kqcache **qp)
{
	struct kqcache *q = *qp;
	if (!q)
		return;
	for (size_t i = 0; i < q->sets * (size_t)q->ways; i++) {
		free(q->slot[i].key);
		free(q->slot[i].r.data);
	}
	pthread_mutex_destroy(&q->lock);
	free(q->slot);
	free(q->touched);
	free(q);
	*qp = NULL;
}

/* Whether an entry made at ce->version still answers at version (lock held). */
static int current(const struct kqcache *q, const struct qentry *ce, int64_t version)
{
	if (ce->version == version)
		return 1;
	if (!q->touched || ce->version > version || q->all_touched > ce->version)
		return 0;
	for (int i = 0; i < ce->nanchors; i++)
		if (q->touched[ce->anchor[i] % TOUCH_SLOTS] <= ce->version)
			return 1; /* no write since has a row with this term */
	return 0;
}

static uint64_t key_hash(const char *key)
{
	return searchtext_hash(key, strlen(key));
}

int kqcache_get(struct kqcache *q, const char *key, int64_t version, struct kqresult *out)
{
	uint64_t h = key_hash(key);
	int hit = 0;
	pthread_mutex_lock(&q->lock);
	struct qentry *set = &q->slot[(h % q->sets) * (size_t)q->ways];
	for (int w = 0; w < q->ways && !hit; w++) {
		struct qentry *ce = &set[w];
		if (!ce->key || ce->hash != h || strcmp(ce->key, key) != 0 ||
		    !current(q, ce, version))
			continue;
		*out = ce->r;
		out->data = xmalloc(ce->r.len ? ce->r.len : 1);
		if (ce->r.len)
			memcpy(out->data, ce->r.data, ce->r.len);
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

void kqcache_put(struct kqcache *q, const char *key, int64_t version, const uint64_t *anchors,
                 int nanchors, const struct kqresult *r)
{
	uint64_t h = key_hash(key);
	char *k = xstrdup(key), *data = xmalloc(r->len ? r->len : 1);
	if (r->len)
		memcpy(data, r->data, r->len);
	pthread_mutex_lock(&q->lock);
	/* The same query (another thread filled it first), else an empty or stale way, else
	 * the least recently used. */
	struct qentry *set = &q->slot[(h % q->sets) * (size_t)q->ways], *ce = NULL;
	for (int w = 0; w < q->ways && !ce; w++)
		if (set[w].key && set[w].hash == h && strcmp(set[w].key, key) == 0)
			ce = &set[w];
	for (int w = 0; w < q->ways && !ce; w++)
		if (!set[w].key || !current(q, &set[w], version))
			ce = &set[w];
	if (!ce) {
		ce = &set[0];
		for (int w = 1; w < q->ways; w++)
			if (set[w].used < ce->used)
				ce = &set[w];
	}
	char *old_key = ce->key;
	void *old_data = ce->r.data;
	ce->hash = h;
	ce->key = k;
	ce->version = version;
	ce->nanchors = nanchors > KS_ANCHORS_MAX ? KS_ANCHORS_MAX : nanchors;
	if (ce->nanchors)
		memcpy(ce->anchor, anchors, (size_t)ce->nanchors * sizeof *anchors);
	ce->r = *r;
	ce->r.data = data;
	ce->used = ++q->tick;
	pthread_mutex_unlock(&q->lock);
	free(old_key);
	free(old_data);
}

void kqcache_touch(struct kqcache *q, const uint64_t *hashes, size_t n, int all, int64_t version)
{
	pthread_mutex_lock(&q->lock);
	if (all || !q->touched) {
		if (version > q->all_touched)
			q->all_touched = version;
	} else {
		for (size_t i = 0; i < n; i++) {
			int64_t *t = &q->touched[hashes[i] % TOUCH_SLOTS];
			if (version > *t)
				*t = version;
		}
	}
	pthread_mutex_unlock(&q->lock);
}

void kqcache_stats(struct kqcache *q, uint64_t *hits, uint64_t *misses)
{
	pthread_mutex_lock(&q->lock);
	*hits = q->hits;
	*misses = q->misses;
	pthread_mutex_unlock(&q->lock);
}
