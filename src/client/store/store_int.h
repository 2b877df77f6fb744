/* store_int — what the store's files share and nothing outside store/ may see: the
 * connection with its prepared statements, the write bracket, and the search index hooks. */
#ifndef KONTOR_STORE_INT_H
#define KONTOR_STORE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "store.h"
#include "kontor/buf.h"
#include "kontor/err.h"

/* Options of the unicode61 tokenizer shared by the FTS tables (migration 1) and the query
 * parser (search.c): a query is only safe and exact when both split text the same way. */
/* The low bits of a rid that only tell apart listings of one second with the same filter
 * bits (see search.c). */
#define SEARCH_RID_TIE_MASK 0xFFLL
/* Bump whenever search_doc_build would index a listing differently: store_open then
 * rebuilds the index (contentless FTS5 rows can only be deleted with their exact text). */
#define SEARCH_TEXT_VERSION 1
#define SEARCH_RID_SPAN 256

#define STORE_TOKENIZER_ARGS                                                                       \
	"remove_diacritics", "2", "categories", "L* N* Co M*", "tokenchars", "_"

/* Every statement the store runs, prepared once per connection on first use. */
enum store_stmt {
	ST_META_GET,
	ST_META_SET,
	ST_L_FIND, /* id -> rid, pkey, rkey, json, ix_verified */
	ST_L_INSERT,
	ST_J_INSERT, /* the listing's JSON, beside its row */
	ST_L_DELETE, /* by rid */
	ST_L_JSON,   /* id -> json */
	ST_L_EACH_ALL,
	ST_L_EACH_SELLER,
	ST_L_COUNT,
	ST_L_MAX_RID, /* max(rid) in a range: free slot for a new rid */
	ST_L_MAX_PKEY,
	ST_L_MAX_RKEY,
	ST_L_OF_SELLER,   /* rids of one seller's indexed rows */
	ST_L_ALL_INDEXED, /* rids of every indexed row */
	ST_L_BY_RID,      /* rid -> pkey, rkey, json, ix_verified, updated */
	ST_L_SET_KEYS,    /* rid -> rkey, ix_verified, new rid, pkey */
	ST_J_MOVE,        /* the JSON follows a new rid */
	ST_FTS_INSERT,
	ST_FTS_DELETE,
	ST_ORD_INSERT,
	ST_ORD_DELETE,
	ST_L_KEYS_BY_PKEY, /* pkey -> rid, rkey */
	ST_L_RID_BY_PKEY,
	ST_A_GET,
	ST_A_STATE, /* verified, rating_avg, rating_count */
	ST_A_PUT,
	ST_O_ADD,
	ST_O_EACH,
	ST_O_COUNT,
	ST_O_DONE,
	ST_O_FAIL,
	ST_SCAN_MAIN,  /* search: rowid = rid, newest first, and the title score */
	ST_SCAN_ORD_P, /* search_ord within a rowid range, rowid = pkey (price order) */
	ST_SCAN_ORD_R, /* rowid = rkey (rating order) */
	ST_HIT_RID,
	ST_HIT_PKEY,
	ST_HIT_RKEY,
	ST_HIT_ID,
	ST__COUNT
};

struct search_cache; /* search.c */
struct fts_pending;

struct store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[ST__COUNT];
	int user_txn;   /* inside store_begin .. store_commit/rollback */
	int wdepth;     /* open store_wbegin brackets */
	int txn_failed; /* a write inside the open transaction failed: it must not commit */
	uint64_t gen;   /* bumped by every write: drops cached search results and counts */
	int64_t count_cache;
	uint64_t count_gen;
	struct search_cache *cache;
	struct fts_pending *pending; /* index writes not yet handed to FTS5 (search.c) */
	/* search_free_key: for a (statement, base) the first span not yet seen full, so a
	 * bulk load of many listings with one key base does not probe every full span again
	 * for each row (quadratic). Keys only come back by deletion; skipping a freed slot
	 * costs order precision, never uniqueness. */
	struct {
		int which;
		int64_t base, next;
	} keymemo[64];
	/* The FTS5 tokenizer instance that splits query text (see search.c). */
	void *tok_api; /* fts5_tokenizer * (owned copy) */
	void *tok;     /* Fts5Tokenizer * */
};

/* The statement, reset and with bindings cleared; NULL with e filled when SQLite refuses it. */
sqlite3_stmt *store_stmt(struct store *s, enum store_stmt id, struct kerr *e);
/* K_EDB naming the database file and what was being done. Returns K_EDB. */
int store_dberr(struct store *s, struct kerr *e, const char *what);
/* Binds text with its length (NULL binds NULL). */
int store_bind_text(sqlite3_stmt *st, int i, const char *v);
/* Runs the one-row statement `which` with id bound and parses its first column as JSON
 * (*out owned by the caller). K_ENOTFOUND "no WHAT ID in the cache", K_EDB when damaged. */
int store_read_json(struct store *s, enum store_stmt which, const char *id, const char *what,
                    cJSON **out, struct kerr *e);
/* A malloc'd copy of a text column, NULL when the column is NULL. */
char *store_col_dup(sqlite3_stmt *st, int i);
/* Copies a text column into a fixed buffer (truncating; always NUL-terminated). */
void store_col_copy(sqlite3_stmt *st, int i, char *out, size_t cap);

/* A write bracket: a transaction of its own, or part of the caller's. End with ok = 1 to
 * keep, 0 to undo: on its own that rolls back; inside a transaction it dooms the whole
 * transaction (store_commit rolls back). Either way a failed put leaves nothing. Pass
 * ok = 1 for a write that failed before changing anything (K_ENOTFOUND). */
int store_wbegin(struct store *s, struct kerr *e);
int store_wend(struct store *s, int ok, struct kerr *e);

/* --- search.c: the index side of a listing ------------------------------------- */
/* The seller's standing as the index sees it. */
struct seller_state {
	int verified;
	double rating_avg;
	int64_t rating_count;
};
/* What listings.c needs to index or unindex one listing: built from its stored JSON so
 * the exact same text can be produced again to delete it from a contentless index. */
struct search_doc {
	struct kbuf title, body, facets, all;
	int64_t price; /* lowest unit price of the tiers */
	int64_t moq;
	int64_t rid_bits; /* the filter bits of its rid (see search.c) */
	char currency[4];
	char country[3];
	int active;
};
void search_doc_init(struct search_doc *d);
void search_doc_free(struct search_doc *d);
/* Builds d from a listing's JSON tree and the seller's verified flag. */
void search_doc_build(struct search_doc *d, const cJSON *listing_json, int verified);

/* Row keys: the FTS rowids that give each sort order for free (see search.c). */
int64_t search_rid_base(const char *updated, int64_t bits);
int64_t search_rid_step(void); /* from one second's rids to the next */
int64_t search_pkey_base(const char *currency, int64_t price);
int64_t search_rkey_base(const struct seller_state *ss, const char *updated);

/* Adds or removes one listing's rows in both FTS tables. The writes are queued and go out
 * sorted by search_pending_flush: before a search, a commit, or when the queue is long. */
int search_index_add(struct store *s, int64_t rid, int64_t pkey, int64_t rkey,
                     const struct search_doc *d, struct kerr *e);
int search_index_remove(struct store *s, int64_t rid, int64_t pkey, int64_t rkey,
                        const struct search_doc *d, struct kerr *e);
int search_pending_flush(struct store *s, struct kerr *e);
/* Empties both FTS tables (for a rebuild). */
int search_index_clear(struct store *s, struct kerr *e);
void search_pending_discard(struct store *s);
/* A free key in [base, base + span): max used + 1, moving on by step when it is full. */
int search_free_key(struct store *s, enum store_stmt which, int64_t base, int64_t span,
                    int64_t step, int64_t *out, struct kerr *e);

/* Registers the FTS5 auxiliary function and the query tokenizer on a new connection. */
int search_attach(struct store *s, struct kerr *e);
void search_detach(struct store *s);
/* Drops every cached result: called by each write. */
void search_cache_clear(struct store *s);

/* --- listings.c / accounts.c ----------------------------------------------------- */
int store_seller_state(struct store *s, const char *seller_id, struct seller_state *out,
                       struct kerr *e);
/* Re-keys and re-tokenises every indexed listing of seller after its verified flag or
 * rating changed (old = what the index was built with). */
/* Rebuilds the search index when SEARCH_TEXT_VERSION moved on (run by store_open). */
int listings_search_upgrade(struct store *s, struct kerr *e);
int listings_reindex_seller(struct store *s, const char *seller_id, const struct seller_state *now,
                            struct kerr *e);

#endif
