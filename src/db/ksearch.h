/* ksearch — the listing search engine under both stores (the client's cache and kontord):
 * what a listing is found by (its index text and filter tokens), the row keys that make
 * every sort order an index order, the held-back index writes, the safe FTS5 query planner
 * and the result cache. Each store keeps its own tables and statements and hands in their
 * ids; nothing here knows either schema.
 *
 * How it stays fast. Two contentless FTS5 tables hold every active listing:
 *   main  rowid = rid: the store's `updated` order (newest first read backwards), columns
 *         title, body, facets
 *   ord   rowid = pkey: currency, then the unit price at the MOQ; and again
 *         rowid = rkey: seller rating, rating count, newest; columns title, doc
 * so each sort is "the first N rows in rowid order": SQLite never sorts. Filters are tokens
 * ("_c_de", "_cur_usd", "_v_1", ...: text never yields a leading '_') and become AND terms;
 * range filters are bucket tokens, MOQ steps or key ranges, and only the rows in an edge
 * bucket are checked against the table (kedge). */
#ifndef KONTOR_KSEARCH_H
#define KONTOR_KSEARCH_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "db/kdb.h"
#include "db/ksearch_query.h"
#include "kontor/buf.h"
#include "kontor/err.h"

#define KS_QUERY_TOKENS_MAX 32
#define KS_TOKEN_BYTES_MAX 64
#define KS_KEY_SPAN 4096     /* pkey and rkey: keys one (currency, price) may take */
#define KS_PRICE (1LL << 62) /* ord rowids: price keys live above, rating keys below */
#define KS_PRICE_KEY_MAX ((1LL << 35) - 1)
#define KS_AGE_MAX 0xffffffffLL
#define KS_EDGE_NONE (-1)   /* kedge: no row is checked against the table */
#define KS_EDGE_ALWAYS (-2) /* kedge: every row is */
#define KS_ANCHORS_MAX 8

/* ---- the FTS5 side of a connection ------------------------------------------------ */
/* Registers kedge and ktitle and makes the query tokenizer: the very unicode61 options the
 * tables use (KS_TOKENIZE), so every quoted term is exactly one token of the index. */
#define KS_TOKENIZE "unicode61 remove_diacritics 2 categories 'L* N* Co M*' tokenchars '_'"
struct ksearch_tok {
	void *api; /* fts5_tokenizer * (owned copy) */
	void *tok; /* Fts5Tokenizer * */
};
int ksearch_attach(struct kdb *k, struct ksearch_tok *t, struct kerr *e);
void ksearch_detach(struct ksearch_tok *t);

/* ---- documents ---------------------------------------------------------------------- */
enum {
	KS_DOC_SELLER = 1, /* a token of the seller (a sellerId filter) */
	KS_DOC_SKU = 2,    /* the SKU is searchable text */
	KS_DOC_RANGES = 4, /* price and MOQ bucket tokens (ksearch_plan KS_PLAN_RANGES) */
	KS_DOC_STEPS = 8,  /* MOQ step tokens and filter bits for the rid (KS_PLAN_BITS) */
};
struct ksearch_doc {
	struct kbuf title, body, facets, all; /* all: body and facets, the ord table's doc */
	int64_t price; /* the unit price at the MOQ: what the smallest order pays */
	int64_t best;  /* the lowest unit price of any tier ("from ...") */
	int64_t moq;
	int64_t bits; /* KS_DOC_STEPS: the filter bits of the rid */
	char currency[4];
	char country[3];
	int active;
};
/* Builds d (freeing what it held) from a listing's JSON; the same JSON, seller and flag
 * make the same text again, so a contentless index can be told exactly what to forget. */
void ksearch_doc_build(struct ksearch_doc *d, const cJSON *listing, const char *seller_id,
                       int verified, unsigned flags);
void ksearch_doc_free(struct ksearch_doc *d);

/* ---- row keys ----------------------------------------------------------------------- */
/* rid for KS_DOC_STEPS: epoch (bits 30..61) | filter bits | a tie in the low 8 bits. */
#define KS_RID_TIE_MASK 0xFFLL
#define KS_RID_SPAN 256
#define KS_RID_STEP (1LL << 30)
int64_t ksearch_rid_base(const char *updated, int64_t bits);
int64_t ksearch_pkey_base(const char *currency, int64_t price);
/* Best rated first (rating in hundredths of a star, -1 unrated), then most rated, then
 * newest (a larger newness is newer: an epoch or a change sequence). */
int64_t ksearch_rkey_base(int64_t rating_centi, int64_t count, int64_t newness);
int64_t ksearch_epoch(const char *rfc3339); /* 0 when unreadable */
/* A free key in [base, base + span): max used + 1, moving on by step while a span is full
 * (that costs the order a hair of precision, never a row). stmt: the store's "SELECT
 * max(key) ... WHERE key BETWEEN ?1 AND ?2". memo remembers full spans between calls (NULL
 * for none), so a bulk load with one base does not probe them again for each row. */
struct ksearch_keymemo {
	struct {
		int which;
		int64_t base, next;
	} m[64];
};
int ksearch_free_key(struct kdb *k, struct ksearch_keymemo *memo, int stmt, int64_t base,
                     int64_t span, int64_t step, int64_t *out, struct kerr *e);

/* ---- held-back index writes ------------------------------------------------------------
 * FTS5 writes its pending postings out as a segment whenever a rowid is not larger than the
 * one before; pkey and rkey land anywhere, so writing in call order cut a segment per row.
 * Index writes wait here and go out sorted by table and rowid before anything reads the
 * index, a savepoint moves, or the transaction commits (the store's kdb hooks). */
struct ksearch_queue;
/* stmt[ord][del]: the store's insert and 'delete' statements of the main (ord = 0: rowid,
 * title, body, facets) and ord (1: rowid, title, doc) tables. on_flush (may be NULL) sees
 * every batch before it goes out. */
struct ksearch_queue *ksearch_queue_new(const int stmt[2][2],
                                        void (*on_flush)(void *ctx, const struct ksearch_queue *q),
                                        void *ctx);
void ksearch_queue_free(struct ksearch_queue **q);
/* Adds (del = 0) or removes d's rows at rid in main and pkey, rkey in ord. */
int ksearch_queue_doc(struct kdb *k, struct ksearch_queue *q, int del, int64_t rid, int64_t pkey,
                      int64_t rkey, const struct ksearch_doc *d, struct kerr *e);
int ksearch_queue_flush(struct kdb *k, struct ksearch_queue *q, struct kerr *e);
void ksearch_queue_discard(struct ksearch_queue *q);
/* Calls cb with the hash of every token the queued writes add or remove (for the result
 * cache); returns 0, or -1 when more than max ops are held (the caller drops everything). */
int ksearch_queue_tokens(const struct ksearch_tok *t, const struct ksearch_queue *q, size_t max,
                         void (*cb)(void *ctx, uint64_t hash), void *ctx);

/* ---- queries ------------------------------------------------------------------------ */
/* struct ksearch_query, what a search finds: db/ksearch_query.h. */
/* How errors name each part of the query ("filter.country", "search: country"). */
struct ksearch_names {
	const char *text, *country, *currency, *incoterm, *min_price, *max_price;
};
enum {
	KS_PLAN_BITS = 1,        /* verified, Incoterms and MOQ classes also as rid bits (dense) */
	KS_PLAN_RANGES = 2,      /* price and MOQ as bucket token ranges */
	KS_PLAN_KEYS = 4,        /* a currency with a price cap (or price order) as a pkey range */
	KS_PLAN_PRICE_ORDER = 8, /* the store walks price order: with KS_PLAN_KEYS and a currency,
	                          * the pkey range is that order itself, price filter or not */
};
struct ksearch_plan {
	struct kbuf words;        /* the query words, ANDed, every word whole */
	struct kbuf words_prefix; /* the same with the last word a prefix; empty when n/a */
	struct kbuf filters;      /* sparse filter terms and range groups, ANDed */
	struct kbuf dense;        /* KS_PLAN_BITS: filters also carried as rid bits */
	struct kbuf cur;          /* the currency term (a pkey range implies it) */
	struct kbuf not ;         /* " NOT term" for an at-most MOQ, or empty */
	struct kbuf key;          /* the normalised query: the cache key */
	size_t tail_run;          /* characters of a spaceless run the text ends in */
	int nwords, nphrases;
	int lo_edge, hi_edge, moq_edge; /* phrases of edge buckets, KS_EDGE_NONE when none */
	int64_t req_bits;               /* rid bits every match has (verified, an Incoterm) */
	int64_t moq_class;              /* highest MOQ class allowed, 31 = any; -1 none can match */
	int64_t moq_edge_class; /* the class whose rows are checked against the table, or -1 */
	int64_t min_price, max_price, max_moq;
	int price_range; /* the currency and price filter as a pkey range [lo, hi] */
	int64_t lo, hi;
	uint64_t anchor[KS_ANCHORS_MAX]; /* hashes of whole-token AND terms (see kqcache) */
	int nanchors;
};
/* K_EINVAL naming the part (names) the index cannot take. p is the caller's to free. */
int ksearch_plan_build(struct ksearch_plan *p, const struct ksearch_tok *t,
                       const struct ksearch_query *q, unsigned flags,
                       const struct ksearch_names *names, struct kerr *e);
void ksearch_plan_free(struct ksearch_plan *p);
/* The MATCH expression: words first (their phrase numbers come first), then filters; on the
 * ord table the dense filters and the NOT term too; the currency term unless a key range
 * stands for it. mode 0: everything; 1: the words in the title; 2: not all in the title. */
void ksearch_plan_expr(const struct ksearch_plan *p, const struct kbuf *words, int mode, int on_ord,
                       int with_cur, struct kbuf *out);

/* ---- search by photo ----------------------------------------------------------------- */
struct ksearch_photo_hit {
	int64_t rid; /* the listing's row */
	int dist;    /* the image's distance to the query */
};
/* Ranks the hits of a photo scan (an image each) in place: one a listing (its nearest
 * image), nearest first and among equals the newest (a larger rid is a later write).
 * Returns how many of h[0..n) are left. */
size_t ksearch_photo_rank(struct ksearch_photo_hit *h, size_t n);

/* ---- the result cache --------------------------------------------------------------------
 * Set-associative (ways per set, least recently used out), shared by threads (own lock).
 * An entry is the answer at a version (a store's write generation or change state). Plain:
 * it answers only at that version. Anchored: a write touches the hashes of every token of
 * the rows it adds or removes, tagged with its version, and an entry made at v still answers
 * at a later version while one of its anchors (an AND term of its query) was touched by no
 * write after v: a row that could change the answer holds every AND term. */
struct kqcache;
struct kqresult {
	void *data; /* the store's own bytes (ids); malloc'd, the caller's after a get */
	size_t len, n;
	int64_t total;
	int capped, kind;
};
struct kqcache *kqcache_new(size_t sets, int ways, int anchored);
void kqcache_free(struct kqcache **q);
/* 1 and out filled on a hit (out->data the caller's), 0 on a miss. */
int kqcache_get(struct kqcache *q, const char *key, int64_t version, struct kqresult *out);
/* Keeps a copy of r made at version. */
void kqcache_put(struct kqcache *q, const char *key, int64_t version, const uint64_t *anchors,
                 int nanchors, const struct kqresult *r);
/* A write at version changed rows holding these token hashes (n = 0 with all: every row). */
void kqcache_touch(struct kqcache *q, const uint64_t *hashes, size_t n, int all, int64_t version);
void kqcache_stats(struct kqcache *q, uint64_t *hits, uint64_t *misses);

#endif
