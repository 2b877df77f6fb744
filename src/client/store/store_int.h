/* store_int — what the store's files share and nothing outside store/ may see: the
 * connection with its prepared statements, the write bracket, and the search index hooks. */
#ifndef KONTOR_STORE_INT_H
#define KONTOR_STORE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "db/kdb.h"
#include "db/ksearch.h"
#include "store.h"
#include "kontor/buf.h"
#include "kontor/err.h"

/* Bump whenever the index would hold a listing differently (ksearch_doc_build, searchtext):
 * store_open then rebuilds it (contentless FTS5 rows can only be deleted with their exact
 * text). 2: folded text (е/ё, ß/ss, diacritics), the price at the MOQ; 3: letters that
 * hold their mark read as ASCII (đ/d, ł/l, ø/o, æ/ae); 4: HS codes by heading and
 * subheading, dotted codes as their digits. */
#define SEARCH_TEXT_VERSION 4

/* Every statement the store runs, prepared once per connection on first use. */
enum store_stmt {
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
	ST_L_RKEY_BY_RID,
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

struct store {
	struct kdb k; /* the connection, its statements and brackets */
	sqlite3 *db;  /* k.db and k.path, for brevity */
	const char *path;
	uint64_t gen; /* bumped by every write: drops cached search results and counts */
	int64_t count_cache;
	uint64_t count_gen;
	struct ksearch_tok tok;      /* splits query text as the index does */
	struct ksearch_queue *queue; /* index writes not yet handed to FTS5 */
	struct kqcache *cache;       /* results of repeated queries, by generation */
	struct ksearch_keymemo keymemo;
};

/* The kernel's calls, on the store's connection (see db/kdb.h). */
static inline sqlite3_stmt *store_stmt(struct store *s, enum store_stmt id, struct kerr *e)
{
	return kdb_stmt(&s->k, (int)id, e);
}
static inline int store_dberr(struct store *s, struct kerr *e, const char *what)
{
	return kdb_err(&s->k, e, what);
}
/* A one-off statement (the caller finalizes it) with the texts v[0..n) bound to ?1..?n
 * without copying (they must outlive its steps). NULL with e filled when SQLite refuses sql:
 * "<file>: WHAT: <SQLite's message>", what NULL saying "preparing a statement". */
sqlite3_stmt *store_prepare(struct store *s, const char *sql, const char *const *v, int n,
                            const char *what, struct kerr *e);
#define store_bind_text kdb_bind_text
#define store_col_dup kdb_col_dup
#define store_col_copy kdb_col_copy
/* Runs the one-row statement `which` with id bound and parses its first column as JSON
 * (*out owned by the caller). K_ENOTFOUND "no WHAT ID in the cache", K_EDB when damaged. */
int store_read_json(struct store *s, enum store_stmt which, const char *id, const char *what,
                    cJSON **out, struct kerr *e);

/* A write bracket: a transaction of its own, or part of the caller's. End with ok = 1 to
 * keep, 0 to undo: on its own that rolls back; inside a transaction it dooms the whole
 * transaction (store_commit rolls back). Either way a failed put leaves nothing. Pass
 * ok = 1 for a write that failed before changing anything (K_ENOTFOUND). */
static inline int store_wbegin(struct store *s, struct kerr *e)
{
	return kdb_wbegin(&s->k, e);
}
static inline int store_wend(struct store *s, int ok, struct kerr *e)
{
	return kdb_wend(&s->k, ok ? K_OK : K_EFAIL, e);
}
/* Ends a write bracket with the status of the work in it (store_wend with ok = rc == K_OK):
 * returns rc when the work failed, else the status of the commit. */
static inline int store_wfinish(struct store *s, int rc, struct kerr *e)
{
	int rc2 = store_wend(s, rc == K_OK, rc ? NULL : e);
	return rc ? rc : rc2;
}
/* store_read_json, then parse fills out from the JSON (out stays valid either way); its
 * failure is prefixed "<file>: WHAT ID". */
int store_read_into(struct store *s, enum store_stmt which, const char *id, const char *what,
                    int (*parse)(const cJSON *j, void *out, struct kerr *e), void *out,
                    struct kerr *e);

/* Steps st, a one-off statement that returns no rows, then finalizes it: K_EDB naming what
 * when the step fails. */
int store_run_write(struct store *s, sqlite3_stmt *st, const char *what, struct kerr *e);
/* A write bracket opened for one statement: the store's statement id (store_wstmt) or a
 * one-off sql with v[0..n) bound as store_prepare binds them (store_wprepare, the caller
 * finalizes it). K_OK with *st ready, the bracket open for store_wfinish; on failure the
 * bracket is already ended and its status returned. */
int store_wstmt(struct store *s, enum store_stmt id, sqlite3_stmt **st, struct kerr *e);
int store_wprepare(struct store *s, const char *sql, const char *const *v, int n, const char *what,
                   sqlite3_stmt **st, struct kerr *e);

/* Steps st (bound by the caller) to its end and finalizes it, parsing column 0 of each row
 * as JSON for cb, or for cb2 with column 1's text ("" when NULL). A row that does not parse
 * is passed over when damaged is NULL, else it stops the walk: K_EDB "<file>: a cached
 * DAMAGED is damaged". A callback's non-zero return stops the walk and is returned; a
 * failed step is K_EDB naming what. */
int store_walk_json(struct store *s, sqlite3_stmt *st, const char *damaged, store_object_cb cb,
                    int (*cb2)(void *ctx, const cJSON *o, const char *col1), void *ctx,
                    const char *what, struct kerr *e);

/* --- search.c ------------------------------------------------------------------ */
/* The FTS5 hooks, the query tokenizer, the write queue and the result cache of a new
 * connection; search_detach frees them. */
int search_attach(struct store *s, struct kerr *e);
void search_detach(struct store *s);
/* Hands the queued index writes to FTS5 (before a search, a commit, or when long). */
int search_pending_flush(struct store *s, struct kerr *e);
/* Empties both FTS tables (for a rebuild). */
int search_index_clear(struct store *s, struct kerr *e);
/* K_EINVAL unless q's limit (1..500) and offset (0..1000000) are in range. */
int search_page_check(const struct search_query *q, struct kerr *e);
/* The index's plan of q (flags: KS_PLAN_*), its errors named as the command's words
 * ("search: country"). On failure p is freed; else the caller frees it. */
int search_plan(struct store *s, const struct search_query *q, unsigned flags,
                struct ksearch_plan *p, struct kerr *e);

/* The seller's standing as the index sees it. */
struct seller_state {
	int verified;
	double rating_avg;
	int64_t rating_count;
};

/* --- listings.c / accounts.c ----------------------------------------------------- */
int store_seller_state(struct store *s, const char *seller_id, struct seller_state *out,
                       struct kerr *e);
/* Rebuilds the search index when SEARCH_TEXT_VERSION moved on (run by store_open). */
int listings_search_upgrade(struct store *s, struct kerr *e);
/* Re-keys and re-tokenises every indexed listing of seller after its verified flag or
 * rating changed. */
int listings_reindex_seller(struct store *s, const char *seller_id, const struct seller_state *now,
                            struct kerr *e);

#endif
