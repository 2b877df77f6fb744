/* search — local listing search over a million cached rows within a few milliseconds:
 * the text the index sees, the filter tokens, the row keys that make every sort order an
 * index order, the safe query builder and a small cache of results for repeated queries.
 *
 * How it stays fast. Two contentless FTS5 tables hold every active listing:
 *   search      rowid = rid:  `updated` order (read backwards: newest first)
 *   search_ord  rowid = pkey: currency, then lowest unit price; and again
 *               rowid = rkey: seller rating, rating count, newest
 * so each sort is "the first N rows in rowid order": SQLite never sorts, and no table row
 * is read for a candidate. Filters are tokens ("_c_de", "_cur_usd", "_v_1", ...: the
 * leading '_' is something typed text never yields, not even as a prefix) and become AND
 * terms. The dense ones (verified, Incoterms, MOQ classes: a quarter to two thirds of all
 * listings each) would make FTS5 step through long doclists, so on `search` they are bits
 * of the rid, tested on the rowid. A price cap is a key range of search_ord; a MOQ cap is
 * one NOT term, exact at the usual round numbers (only rows in between are checked against
 * the table). One scan, capped at COUNT_CAP, yields both the page and the total; relevance
 * is "query words in the title" (ktitle) then newest. Scripts written without spaces (Han,
 * Kana, Hangul, Thai, ...) are indexed as overlapping bigrams, so a two-character query
 * finds a longer word. Index writes are queued and sorted by rowid (see fts_op). */
#include "store_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kontor/buf.h"
#include "kontor/searchtext.h"

#define COUNT_CAP 1000   /* totals past this say "1000+": counting further costs */
#define DESC_INDEXED 500 /* bytes of a description that are searchable */
#define QUERY_TOKENS_MAX 32
#define TOKEN_BYTES_MAX 64
#define CACHE_SLOTS 8192 /* direct-mapped; Zipf-distributed repeats hit it */

#define EPOCH_MAX 0xffffffffLL
#define PRICE_KEY_MAX ((1LL << 35) - 1)
#define KS_PRICE (1LL << 62) /* search_ord: price keys live above, rating keys below */
#define EDGE_NONE (-1)       /* kedge: no row is checked against the table */
#define EDGE_ALWAYS (-2)     /* kedge: every row is */

/* The text the index sees comes from libkontor's searchtext, shared with the node. */

/* --- filter tokens --------------------------------------------------------------------- */

/* "At most N" filters on MOQ are one NOT term: a listing carries "_mgt_T" (MOQ greater
 * than T) for each of these thresholds below its MOQ, and "moq <= T" is NOT "_mgt_T". The
 * thresholds are the round numbers people ask for; between two of them only the rows in
 * that gap are checked against the table. (Prices are continuous and use search_ord's key
 * ranges instead.) */
static const int64_t moq_steps[] = {1,    2,    5,    10,    20,    50,    100,    200,    500,
                                    1000, 2000, 5000, 10000, 20000, 50000, 100000, 1000000};
#define NMOQ_STEPS (sizeof moq_steps / sizeof moq_steps[0])

static void moq_tokens(struct kbuf *out, int64_t moq)
{
	for (size_t i = 0; i < NMOQ_STEPS && moq_steps[i] < moq; i++)
		kbuf_printf(out, " _mgt_%lld", (long long)moq_steps[i]);
}

static void lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* --- row keys ---------------------------------------------------------------------------- */

static int64_t epoch_of(const char *t)
{
	struct tm tm = {0};
	if (!t || strlen(t) < 19)
		return 0;
	int y, mo, d, h, mi, sec;
	if (sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6)
		return 0;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	int64_t v = (int64_t)timegm(&tm);
	return v < 0 ? 0 : v > EPOCH_MAX ? EPOCH_MAX : v;
}

/* rid = epoch (bits 30..61) | verified (24) | MOQ class (19..23) | Incoterms (8..18) | tie.
 * Newer is larger: a sync delivers listings oldest first, so rows append at the right edge
 * of the table and pages fill up. The middle bits carry the filters whose tokens would be
 * dense (a quarter to two thirds of all listings): FTS5 reads a dense doclist entry by entry
 * to skip through it, so the search scan tests these on the rowid instead. */
#define RID_TIE_BITS 8
#define RID_INC_SHIFT 8
#define RID_MOQ_SHIFT 19
#define RID_VERIFIED (1LL << 24)
#define RID_EPOCH_SHIFT 30

static const char *const incoterm_codes[11] = {"EXW", "FCA", "CPT", "CIP", "DAP", "DPU",
                                               "DDP", "FAS", "FOB", "CFR", "CIF"};

static int incoterm_bit(const char *code)
{
	for (int i = 0; i < 11; i++)
		if (strcmp(code, incoterm_codes[i]) == 0)
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

int64_t search_rid_base(const char *updated, int64_t bits)
{
	return epoch_of(updated) << RID_EPOCH_SHIFT | bits;
}

int64_t search_rid_step(void)
{
	return 1LL << RID_EPOCH_SHIFT;
}

int64_t search_pkey_base(const char *currency, int64_t price)
{
	if (price < 0)
		price = 0;
	if (price > PRICE_KEY_MAX)
		price = PRICE_KEY_MAX;
	return KS_PRICE | searchtext_currency_rank(currency) << 47 | price << 12;
}

int64_t search_rkey_base(const struct seller_state *ss, const char *updated)
{
	int64_t rq = 511, cq = 255;
	if (ss && ss->rating_count > 0) {
		long r = lround(ss->rating_avg * 100);
		rq = 500 - (r < 0 ? 0 : r > 500 ? 500 : r);
		cq = 255 - (ss->rating_count > 255 ? 255 : ss->rating_count);
	}
	return rq << 52 | cq << 44 | (EPOCH_MAX - epoch_of(updated)) << 12;
}

int search_free_key(struct store *s, enum store_stmt which, int64_t base, int64_t span,
                    int64_t step, int64_t *out, struct kerr *e)
{
	/* Keys must be unique; a full span (4096 listings at one currency and price, say)
	 * moves on by step, which costs the order a hair of precision, never a row. */
	size_t m = (size_t)(((uint64_t)base * 0x9E3779B97F4A7C15ull) >> 58 ^ (uint64_t)which) % 64;
	int64_t first = base;
	if (s->keymemo[m].which == (int)which && s->keymemo[m].base == base &&
	    s->keymemo[m].next > base)
		base = s->keymemo[m].next;
	for (int tries = 0; tries < 4096; tries++, base += step) {
		sqlite3_stmt *st = store_stmt(s, which, e);
		if (!st)
			return K_EDB;
		sqlite3_bind_int64(st, 1, base);
		sqlite3_bind_int64(st, 2, base + span - 1);
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_reset(st);
			return store_dberr(s, e, "finding a free search key");
		}
		int null = sqlite3_column_type(st, 0) == SQLITE_NULL;
		int64_t max = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (null || max < base + span - 1) {
			*out = null ? base : max + 1;
			s->keymemo[m].which = (int)which;
			s->keymemo[m].base = first;
			s->keymemo[m].next = base;
			return K_OK;
		}
	}
	return kerr_set(e, K_EDB, "%s: no free search key near %lld", s->path, (long long)base);
}

/* --- documents -------------------------------------------------------------------------- */

void search_doc_init(struct search_doc *d)
{
	memset(d, 0, sizeof *d);
}

void search_doc_free(struct search_doc *d)
{
	kbuf_free(&d->title);
	kbuf_free(&d->body);
	kbuf_free(&d->facets);
	kbuf_free(&d->all);
	search_doc_init(d);
}

static const char *jstr(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void copy_code(char *out, size_t cap, const char *v)
{
	size_t i = 0;
	for (; v && v[i] && i + 1 < cap; i++)
		out[i] = v[i];
	out[i] = '\0';
}

void search_doc_build(struct search_doc *d, const cJSON *j, int verified)
{
	search_doc_free(d);
	const char *status = jstr(j, "status");
	d->active = !status || strcmp(status, "active") == 0;

	searchtext_prep_field(&d->title, jstr(j, "title"), (size_t)-1);

	const cJSON *v, *tags = cJSON_GetObjectItemCaseSensitive(j, "tags");
	cJSON_ArrayForEach(v, tags)
	{
		if (cJSON_IsString(v))
			searchtext_prep_field(&d->body, v->valuestring, (size_t)-1);
	}
	const char *category = jstr(j, "category");
	searchtext_prep_field(&d->body, category, (size_t)-1);
	searchtext_prep_field(&d->body, jstr(j, "hsCode"), (size_t)-1);
	searchtext_prep_field(&d->body, jstr(j, "description"), DESC_INDEXED);

	const char *country = jstr(j, "shipsFrom");
	if (!country || !*country)
		country = jstr(j, "originCountry");
	copy_code(d->country, sizeof d->country, country);
	copy_code(d->currency, sizeof d->currency, jstr(j, "currency"));

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

	/* Filter tokens. "_all" lets a query with no words and no filters be a MATCH too. */
	char code[8];
	kbuf_puts(&d->facets, "_all");
	if (d->country[0]) {
		copy_code(code, sizeof code, d->country);
		lower_ascii(code);
		kbuf_printf(&d->facets, " _c_%s", code);
	}
	copy_code(code, sizeof code, d->currency);
	lower_ascii(code);
	kbuf_printf(&d->facets, " _cur_%s", code);
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(j, "incoterms"))
	{
		if (!cJSON_IsString(v))
			continue;
		int bit = incoterm_bit(v->valuestring);
		if (bit >= 0)
			d->rid_bits |= 1LL << (RID_INC_SHIFT + bit);
		copy_code(code, sizeof code, v->valuestring);
		lower_ascii(code);
		kbuf_printf(&d->facets, " _inc_%s", code);
	}
	if (verified) {
		kbuf_puts(&d->facets, " _v_1");
		d->rid_bits |= RID_VERIFIED;
	}
	if (category)
		searchtext_category_tokens(&d->facets, "_cat_", category);
	moq_tokens(&d->facets, d->moq);
	d->rid_bits |= moq_class(d->moq) << RID_MOQ_SHIFT;

	kbuf_puts(&d->all, kbuf_str(&d->body));
	kbuf_putc(&d->all, ' ');
	kbuf_puts(&d->all, kbuf_str(&d->facets));
}

/* FTS5 writes its pending postings out as a new segment whenever a rowid is not larger
 * than the one before. pkey and rkey land anywhere, and a replaced listing deletes a small
 * rid before it inserts a large one, so writing in call order cut a segment per listing.
 * Index writes wait here instead and go out sorted by table and rowid (in call order for
 * one rowid: a delete before the insert that reuses its key) before anything reads the
 * index and before the transaction commits. */
struct fts_op {
	int64_t rowid;
	uint32_t seq;
	uint8_t ord; /* search_ord, else search */
	uint8_t del;
	char *text; /* main: title \0 body \0 facets; ord: title \0 body+facets */
	int len[3];
};

struct fts_pending {
	struct fts_op *op;
	size_t n, cap;
};

#define PENDING_MAX 60000 /* ops held before an early, still sorted, write */

static void pending_push(struct store *s, int ord, int del, int64_t rowid,
                         const struct search_doc *d)
{
	struct fts_pending *p = s->pending;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->op = xrealloc(p->op, p->cap * sizeof *p->op);
	}
	struct fts_op *o = &p->op[p->n];
	o->rowid = rowid;
	o->seq = (uint32_t)p->n;
	o->ord = (uint8_t)ord;
	o->del = (uint8_t)del;
	{
		const struct kbuf *parts[3] = {&d->title, ord ? &d->all : &d->body, &d->facets};
		int nparts = ord ? 2 : 3;
		size_t total = 3, at = 0;
		for (int i = 0; i < nparts; i++)
			total += parts[i]->len;
		o->text = xmalloc(total);
		o->len[2] = 0;
		for (int i = 0; i < nparts; i++) {
			memcpy(o->text + at, kbuf_str(parts[i]), parts[i]->len);
			o->text[at + parts[i]->len] = '\0';
			o->len[i] = (int)parts[i]->len;
			at += parts[i]->len + 1;
		}
	}
	p->n++;
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

void search_pending_discard(struct store *s)
{
	struct fts_pending *p = s->pending;
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->op[i].text);
	p->n = 0;
}

int search_pending_flush(struct store *s, struct kerr *e)
{
	struct fts_pending *p = s->pending;
	if (!p || !p->n)
		return K_OK;
	qsort(p->op, p->n, sizeof *p->op, op_order);
	int rc = K_OK;
	for (size_t i = 0; i < p->n && !rc; i++) {
		const struct fts_op *o = &p->op[i];
		enum store_stmt id = o->ord ? (o->del ? ST_ORD_DELETE : ST_ORD_INSERT)
		                            : (o->del ? ST_FTS_DELETE : ST_FTS_INSERT);
		sqlite3_stmt *st = store_stmt(s, id, e);
		if (!st) {
			rc = K_EDB;
			break;
		}
		sqlite3_bind_int64(st, 1, o->rowid);
		const char *t = o->text;
		for (int k = 0; k < (o->ord ? 2 : 3); k++) {
			sqlite3_bind_text(st, 2 + k, t, o->len[k], SQLITE_STATIC);
			t += o->len[k] + 1;
		}
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = store_dberr(s, e, "updating the search index");
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	search_pending_discard(s);
	if (rc && (s->user_txn || s->wdepth > 0))
		s->txn_failed = 1; /* the index no longer matches the rows: never commit this */
	return rc;
}

static int index_ops(struct store *s, int del, int64_t rid, int64_t pkey, int64_t rkey,
                     const struct search_doc *d, struct kerr *e)
{
	pending_push(s, 0, del, rid, d);
	pending_push(s, 1, del, pkey, d);
	pending_push(s, 1, del, rkey, d);
	if (s->pending->n >= PENDING_MAX)
		return search_pending_flush(s, e);
	return K_OK;
}

int search_index_add(struct store *s, int64_t rid, int64_t pkey, int64_t rkey,
                     const struct search_doc *d, struct kerr *e)
{
	return index_ops(s, 0, rid, pkey, rkey, d, e);
}

int search_index_remove(struct store *s, int64_t rid, int64_t pkey, int64_t rkey,
                        const struct search_doc *d, struct kerr *e)
{
	return index_ops(s, 1, rid, pkey, rkey, d, e);
}

/* --- FTS5 hooks -------------------------------------------------------------------------- */

/* kedge(table, N): 1 when phrase N of the MATCH expression is in this row (N = -2: always).
 * Phrases are numbered as written, so the query builder knows which one marks the rows a
 * range filter must check against the table. */
static void aux_kedge(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
                      sqlite3_value **vals)
{
	int i = nval > 0 ? sqlite3_value_int(vals[0]) : -1;
	int col = -1;
	if (i == EDGE_ALWAYS) {
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

struct cache_entry {
	uint64_t gen;
	uint64_t hash;
	char *key;
	int kind; /* which statement materialises the ids */
	int64_t *ids;
	size_t n;
	int64_t total;
	int capped;
};

struct search_cache {
	struct cache_entry slot[CACHE_SLOTS];
};

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

int search_attach(struct store *s, struct kerr *e)
{
	fts5_api *api = fts5_of(s->db);
	if (!api)
		return kerr_set(e, K_EDB, "%s: this SQLite has no FTS5", s->path);
	if (api->xCreateFunction(api, "kedge", NULL, aux_kedge, NULL) != SQLITE_OK ||
	    api->xCreateFunction(api, "ktitle", NULL, aux_ktitle, NULL) != SQLITE_OK)
		return store_dberr(s, e, "registering the search functions");
	/* The query side uses the very tokenizer (and options) the tables use, so every
	 * quoted term we build is exactly one token of the index. */
	void *ud = NULL;
	fts5_tokenizer *tk = xcalloc(1, sizeof *tk);
	const char *args[] = {STORE_TOKENIZER_ARGS};
	Fts5Tokenizer *tok = NULL;
	if (api->xFindTokenizer(api, "unicode61", &ud, tk) != SQLITE_OK ||
	    tk->xCreate(ud, args, (int)(sizeof args / sizeof args[0]), &tok) != SQLITE_OK) {
		free(tk);
		return kerr_set(e, K_EDB, "%s: cannot create the unicode61 tokenizer", s->path);
	}
	s->tok_api = tk;
	s->tok = tok;
	s->cache = xcalloc(1, sizeof *s->cache);
	s->pending = xcalloc(1, sizeof *s->pending);
	return K_OK;
}

void search_detach(struct store *s)
{
	if (s->tok_api) {
		fts5_tokenizer *tk = s->tok_api;
		if (s->tok)
			tk->xDelete(s->tok);
		free(tk);
	}
	s->tok_api = s->tok = NULL;
	if (s->pending) {
		search_pending_discard(s);
		free(s->pending->op);
		free(s->pending);
		s->pending = NULL;
	}
	if (s->cache) {
		for (size_t i = 0; i < CACHE_SLOTS; i++) {
			free(s->cache->slot[i].key);
			free(s->cache->slot[i].ids);
		}
		free(s->cache);
		s->cache = NULL;
	}
}

void search_cache_clear(struct store *s)
{
	(void)s; /* entries carry the generation they were made in; s->gen moved on */
}

/* --- queries ----------------------------------------------------------------------------- */

struct qtokens {
	char *tok[QUERY_TOKENS_MAX];
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

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

struct plan {
	struct kbuf words;        /* W: the query words, ANDed */
	struct kbuf words_prefix; /* the same with the last word as a prefix; empty when n/a */
	struct kbuf filters;      /* F: sparse filter terms, ANDed */
	struct kbuf dense;        /* D: filters carried as rid bits too (used on search_ord) */
	struct kbuf cur;          /* the currency term, kept apart: a price key range implies it */
	struct kbuf not ;         /* "NOT term" for an at-most filter, or empty */
	int nwords;               /* phrases in W (they come first) */
	int nphrases;
	int moq_edge;           /* phrase marking rows whose MOQ must be checked; EDGE_NONE */
	int64_t req_bits;       /* rid bits every match must have (verified, an Incoterm) */
	int64_t moq_class;      /* highest MOQ class allowed (moq_class()), 31 = any */
	int64_t moq_edge_class; /* the class whose rows are checked against the table, or -1 */
	int64_t max_price, max_moq;
	int price_range; /* currency (and max price) as a key range of search_ord */
	int64_t lo, hi;  /* that range */
};

static void and_sep(struct kbuf *b)
{
	if (b->len)
		kbuf_puts(b, " AND ");
}

static void add_filter(struct plan *p, struct kbuf *to, const char *tok)
{
	and_sep(to);
	searchtext_fts_phrase(to, tok, 0);
	p->nphrases++;
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

/* MOQ at most m: exact with one NOT term when m is a step; otherwise NOT the next step up,
 * and the rows above the step below are marked for a check ("_all" OR ...: every row has
 * "_all", so the group filters nothing; it only names the rows). */
static void plan_moq(struct plan *p, int64_t m)
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
	p->moq_class = (int64_t)lo + (moq_steps[lo] == m ? 0 : 1);
	p->moq_edge_class = moq_steps[lo] == m ? -1 : (int64_t)lo + 1;
	if (moq_steps[lo] == m || lo + 1 < NMOQ_STEPS) {
		snprintf(tok, sizeof tok, "_mgt_%lld",
		         (long long)(moq_steps[lo] == m ? m : moq_steps[lo + 1]));
		kbuf_puts(&p->not, " NOT ");
		searchtext_fts_phrase(&p->not, tok, 0);
	}
	if (moq_steps[lo] == m)
		return;
	snprintf(tok, sizeof tok, "_mgt_%lld", (long long)moq_steps[lo]);
	and_sep(&p->dense);
	kbuf_puts(&p->dense, "(\"_all\" OR ");
	searchtext_fts_phrase(&p->dense, tok, 0);
	kbuf_putc(&p->dense, ')');
	p->moq_edge = p->nphrases + 1;
	p->nphrases += 2;
}

static int plan_build(struct store *s, const struct search_query *q, struct plan *p, struct kerr *e)
{
	memset(p, 0, sizeof *p);
	p->moq_edge = EDGE_NONE;
	p->moq_class = 31;
	p->moq_edge_class = -1;
	p->max_price = p->max_moq = -1;

	/* Words: the index form of the text, split by the index's own tokenizer. */
	struct qtokens qt = {0};
	struct kbuf prepped = KBUF_INIT;
	int rc = K_OK;
	const char *text = q->text ? q->text : "";
	size_t tail_run = searchtext_prep(&prepped, text, strlen(text));
	fts5_tokenizer *tk = s->tok_api;
	if (prepped.len && tk->xTokenize(s->tok, &qt, FTS5_TOKENIZE_QUERY, prepped.data,
	                                 (int)prepped.len, collect_token) != SQLITE_OK)
		rc = kerr_set(e, K_EINVAL, "search: cannot read the query \"%s\"", text);
	if (!rc && qt.too_long)
		rc = kerr_set(e, K_EINVAL,
		              "search: the word \"%.*s\" is too long (at most %d bytes)",
		              (int)(qt.too_long_len > 80 ? 80 : qt.too_long_len), qt.too_long,
		              TOKEN_BYTES_MAX);
	if (!rc && qt.too_many)
		rc = kerr_set(e, K_EINVAL, "search: too many words (at most %d)", QUERY_TOKENS_MAX);
	if (!rc && qt.n) {
		/* The last word may still be being typed: when the whole word finds nothing it
		 * is tried as a prefix, if the text does not end in a space, the word is not
		 * bigrams (those are whole) and has three characters or more (shorter prefixes
		 * fan out to too many words). */
		size_t tl = strlen(text);
		int typing = tl > 0 && text[tl - 1] != ' ' && text[tl - 1] != '\t';
		const char *last = qt.tok[qt.n - 1];
		int prefix = typing && (tail_run == 1 || (tail_run == 0 && utf8_chars(last) >= 3));
		for (size_t i = 0; i < qt.n; i++) {
			and_sep(&p->words);
			searchtext_fts_phrase(&p->words, qt.tok[i], 0);
			if (prefix) {
				and_sep(&p->words_prefix);
				searchtext_fts_phrase(&p->words_prefix, qt.tok[i], i == qt.n - 1);
			}
		}
		p->nwords = (int)qt.n;
		p->nphrases = (int)qt.n;
	}
	for (size_t i = 0; i < qt.n; i++)
		free(qt.tok[i]);
	kbuf_free(&prepped);
	if (rc)
		return rc;

	char tok[64];
	/* Sparse filters first, then the dense ones: phrases are numbered in this order. */
	if (q->country && *q->country) {
		if (!code_ok(q->country, 2))
			return kerr_set(e, K_EINVAL, "search: country '%s' is not an ISO 3166 code",
			                q->country);
		snprintf(tok, sizeof tok, "_c_%s", q->country);
		lower_ascii(tok);
		add_filter(p, &p->filters, tok);
	}
	if (q->category && *q->category) {
		struct kbuf norm = KBUF_INIT, t = KBUF_INIT;
		searchtext_category_norm(q->category, &norm);
		searchtext_category_token(&t, "_cat_", kbuf_str(&norm), norm.len);
		add_filter(p, &p->filters, kbuf_str(&t) + 1);
		kbuf_free(&norm);
		kbuf_free(&t);
	}
	if (q->incoterm && *q->incoterm) {
		if (!code_ok(q->incoterm, 3))
			return kerr_set(e, K_EINVAL, "search: '%s' is not an Incoterms rule",
			                q->incoterm);
		char up3[4];
		for (int i = 0; i < 4; i++)
			up3[i] = (char)(q->incoterm[i] >= 'a' && q->incoterm[i] <= 'z'
			                    ? q->incoterm[i] - 'a' + 'A'
			                    : q->incoterm[i]);
		int bit = incoterm_bit(up3);
		snprintf(tok, sizeof tok, "_inc_%s", q->incoterm);
		lower_ascii(tok);
		if (bit >= 0) {
			p->req_bits |= 1LL << (RID_INC_SHIFT + bit);
			add_filter(p, &p->dense, tok);
		} else {
			add_filter(p, &p->filters,
			           tok); /* not an Incoterms 2020 rule: finds none */
		}
	}
	if (q->verified_only) {
		p->req_bits |= RID_VERIFIED;
		add_filter(p, &p->dense, "_v_1");
	}
	if (q->max_moq >= 0) {
		p->max_moq = q->max_moq;
		plan_moq(p, q->max_moq);
	}

	char up[4] = "";
	if (q->currency && *q->currency) {
		if (!code_ok(q->currency, 3))
			return kerr_set(e, K_EINVAL,
			                "search: currency '%s' is not an ISO 4217 code",
			                q->currency);
		for (int i = 0; i < 3; i++)
			up[i] = (char)(q->currency[i] >= 'a' ? q->currency[i] - 'a' + 'A'
			                                     : q->currency[i]);
		snprintf(tok, sizeof tok, "_cur_%s", up);
		lower_ascii(tok);
		searchtext_fts_phrase(&p->cur, tok, 0);
	}
	if (q->max_price >= 0 && !up[0])
		return kerr_set(e, K_EINVAL, "search: a maximum price needs a currency");
	p->max_price = q->max_price;
	if (up[0] && (q->sort == SEARCH_PRICE || q->max_price >= 0)) {
		/* search_ord's price keys are (currency, price): the filter is a key range,
		 * exact and cheap, with no token to read. */
		p->price_range = 1;
		p->lo = search_pkey_base(up, 0);
		p->hi = search_pkey_base(up, q->max_price >= 0 && q->max_price < PRICE_KEY_MAX
		                                 ? q->max_price
		                                 : PRICE_KEY_MAX) +
		        4095;
	}
	return K_OK;
}

static void plan_free(struct plan *p)
{
	kbuf_free(&p->words);
	kbuf_free(&p->words_prefix);
	kbuf_free(&p->filters);
	kbuf_free(&p->dense);
	kbuf_free(&p->cur);
	kbuf_free(&p->not );
}

/* The MATCH expression: words first (ktitle counts phrases 0..nwords-1), then filters, the
 * dense filters and the NOT term (only on search_ord: the search scan tests rid bits
 * instead), the currency term (unless a key range stands for it: with_cur 0).
 * mode 0: everything; 1: words in the title; 2: words, but not all of them in the title. */
static void plan_expr(const struct plan *p, const struct kbuf *words, int mode, int on_ord,
                      int with_cur, struct kbuf *out)
{
	kbuf_reset(out);
	if (words->len)
		kbuf_printf(out, mode == 1 ? "{title}: (%s)" : "(%s)", kbuf_str(words));
	if (p->filters.len) {
		and_sep(out);
		kbuf_puts(out, kbuf_str(&p->filters));
	}
	if (on_ord && p->dense.len) {
		and_sep(out);
		kbuf_puts(out, kbuf_str(&p->dense));
	}
	if (with_cur && p->cur.len) {
		and_sep(out);
		kbuf_puts(out, kbuf_str(&p->cur));
	}
	if (!out->len)
		kbuf_puts(out, "\"_all\"");
	if (on_ord)
		kbuf_puts(out, kbuf_str(&p->not ));
	if (mode == 2)
		kbuf_printf(out, " NOT {title}: (%s)", kbuf_str(words));
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
	int price_edge; /* EDGE_NONE or EDGE_ALWAYS (price checked on the row) */
	int64_t lo, hi; /* search_ord rowid range */
};

/* One capped scan: up to `limit` matching row keys in index order, with title scores,
 * appended to *out. */
static int scan(struct store *s, const struct plan *p, const struct scan_args *a, struct cand **out,
                size_t *n, struct kerr *e)
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

/* Runs the plan: the ids of the page (in order), the total and whether it was capped. */
static int plan_run(struct store *s, const struct search_query *q, const struct plan *p,
                    const struct kbuf *words, int *kind, int64_t **ids, size_t *nids,
                    int64_t *total, int *capped, struct kerr *e)
{
	int64_t need = (int64_t)q->offset + q->limit;
	int64_t limit = need > COUNT_CAP + 1 ? need : COUNT_CAP + 1;
	struct kbuf expr = KBUF_INIT;
	struct cand *c = NULL;
	size_t n = 0;
	int rc, relevance = q->sort == SEARCH_RELEVANCE && p->nwords > 0;
	struct scan_args a = {ST_SCAN_MAIN, NULL, limit, relevance, EDGE_NONE, 0, 0};
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
	} else if (q->sort == SEARCH_RATING) {
		a.which = ST_SCAN_ORD_R;
		a.lo = 0;
		a.hi = KS_PRICE - 1;
		*kind = KIND_RKEY;
	}
	plan_expr(p, words, 0, a.which != ST_SCAN_MAIN, !p->price_range || a.which != ST_SCAN_ORD_P,
	          &expr);
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
			struct scan_args b = {ST_SCAN_MAIN, NULL, need, 0, EDGE_ALWAYS, 0, 0};
			if (q->sort == SEARCH_RATING) {
				b.which = ST_SCAN_ORD_R;
				b.hi = KS_PRICE - 1;
				*kind = KIND_RKEY;
			}
			plan_expr(p, words, 0, b.which != ST_SCAN_MAIN, 1, &expr);
			b.expr = kbuf_str(&expr);
			rc = scan(s, p, &b, &c, &n, e);
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
			struct scan_args b = {ST_SCAN_MAIN, NULL, need, 0, EDGE_NONE, 0, 0};
			plan_expr(p, words, 1, 0, 1, &expr);
			b.expr = kbuf_str(&expr);
			rc = scan(s, p, &b, &t, &nt, e);
			if (!rc && (int64_t)nt < need) {
				plan_expr(p, words, 2, 0, 1, &expr);
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

static void cache_key(const struct search_query *q, struct kbuf *k)
{
	kbuf_printf(k, "%s\x1f%s\x1f%s\x1f%s\x1f%lld\x1f%lld\x1f%d\x1f%s\x1f%d\x1f%d\x1f%d",
	            q->text ? q->text : "", q->country ? q->country : "",
	            q->category ? q->category : "", q->currency ? q->currency : "",
	            (long long)q->max_price, (long long)q->max_moq, q->verified_only,
	            q->incoterm ? q->incoterm : "", (int)q->sort, q->limit, q->offset);
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
}

int store_search_hit(struct store *s, const char *id, struct search_hit *out, struct kerr *e)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = store_stmt(s, ST_HIT_ID, e);
	if (!st)
		return K_EDB;
	store_bind_text(st, 1, id);
	int rc = sqlite3_step(st), ret = K_OK;
	if (rc == SQLITE_ROW)
		read_hit(st, out);
	else if (rc == SQLITE_DONE)
		ret = kerr_set(e, K_ENOTFOUND, "no listing %s in the cache", id);
	else
		ret = store_dberr(s, e, "reading a search hit");
	sqlite3_reset(st);
	return ret;
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
	int own = !s->user_txn && !s->wdepth && sqlite3_get_autocommit(s->db);
	if (own && sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		own = 0; /* searches without it, as before */
	int rc = search_in_txn(s, q, out, e);
	if (own)
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

static int search_in_txn(struct store *s, const struct search_query *q, struct search_result *out,
                         struct kerr *e)
{
	memset(out, 0, sizeof *out);
	if (q->limit < 1 || q->limit > 500)
		return kerr_set(e, K_EINVAL, "search: limit %d is not between 1 and 500", q->limit);
	if (q->offset < 0 || q->offset > 1000000)
		return kerr_set(e, K_EINVAL, "search: offset %d is out of range", q->offset);
	if (q->sort < SEARCH_RELEVANCE || q->sort > SEARCH_NEWEST)
		return kerr_set(e, K_EINVAL, "search: unknown sort order %d", (int)q->sort);

	/* Writes of the open transaction are part of what it reads. */
	int rc = search_pending_flush(s, e);
	if (rc)
		return rc;
	struct kbuf key = KBUF_INIT;
	cache_key(q, &key);
	uint64_t h = searchtext_hash(key.data, key.len);
	struct cache_entry *ce = &s->cache->slot[h % CACHE_SLOTS];
	if (ce->key && ce->gen == s->gen && ce->hash == h && strcmp(ce->key, key.data) == 0) {
		kbuf_free(&key);
		out->total = ce->total;
		out->total_capped = ce->capped;
		rc = materialise(s, ce->kind, ce->ids, ce->n, out, e);
		if (rc)
			search_result_free(out);
		return rc;
	}

	struct plan p;
	int kind = KIND_RID, capped = 0;
	int64_t *ids = NULL, total = 0;
	size_t n = 0;
	rc = plan_build(s, q, &p, e);
	if (!rc)
		rc = plan_run(s, q, &p, &p.words, &kind, &ids, &n, &total, &capped, e);
	/* The whole last word first: a prefix reads every word it begins, which costs as much
	 * as the rest of the query, and a whole word that finds anything is what was meant. */
	if (!rc && p.words_prefix.len && total == 0) {
		free(ids);
		ids = NULL;
		rc = plan_run(s, q, &p, &p.words_prefix, &kind, &ids, &n, &total, &capped, e);
	}
	plan_free(&p);
	if (rc) {
		kbuf_free(&key);
		free(ids);
		return rc;
	}
	out->total = total;
	out->total_capped = capped;
	rc = materialise(s, kind, ids, n, out, e);
	if (rc) {
		search_result_free(out);
		kbuf_free(&key);
		free(ids);
		return rc;
	}
	free(ce->key);
	free(ce->ids);
	ce->key = kbuf_detach(&key, NULL);
	ce->gen = s->gen;
	ce->hash = h;
	ce->kind = kind;
	ce->ids = ids;
	ce->n = n;
	ce->total = total;
	ce->capped = capped;
	return K_OK;
}

int search_index_clear(struct store *s, struct kerr *e)
{
	search_pending_discard(s);
	char *msg = NULL;
	if (sqlite3_exec(s->db,
	                 "INSERT INTO search(search) VALUES('delete-all');"
	                 " INSERT INTO search_ord(search_ord) VALUES('delete-all')",
	                 NULL, NULL, &msg) != SQLITE_OK) {
		kerr_set(e, K_EDB, "%s: emptying the search index: %s", s->path,
		         msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return K_EDB;
	}
	return K_OK;
}

int store_search_optimize(struct store *s, struct kerr *e)
{
	char *msg = NULL;
	if (search_pending_flush(s, e))
		return K_EDB;
	if (sqlite3_exec(s->db,
	                 "INSERT INTO search(search) VALUES('optimize');"
	                 " INSERT INTO search_ord(search_ord) VALUES('optimize')",
	                 NULL, NULL, &msg) != SQLITE_OK) {
		kerr_set(e, K_EDB, "%s: merging the search index: %s", s->path,
		         msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return K_EDB;
	}
	return K_OK;
}
