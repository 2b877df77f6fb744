/* nstore_int — what the node store's files share and nothing above store/ may see: the
 * per-thread connection with its persistent statements, the write bracket, the change log
 * and the listing search index hooks. */
#ifndef KONTOR_NSTORE_INT_H
#define KONTOR_NSTORE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

#include "db/kdb.h"
#include "db/ksearch.h"
#include "nstore.h"
#include "kontor/buf.h"
#include "kontor/err.h"

/* Every statement, prepared once per connection on first use (SQLITE_PREPARE_PERSISTENT). */
enum nst {
	S_SEQ_NEXT, /* bumps the global sequence, returns it */
	S_STATE_SET,
	S_STATE_GET,
	S_STATE_ALL,
	S_CHANGE_LOG,
	S_CHANGES,
	S_CHANGES_L_MINE, /* Listing/changes filtered: the caller's, by category */
	S_CHANGES_L_CATS,
	S_CHANGES_R_MINE, /* Rfq/changes: the caller's and of its listings' categories */
	S_CHANGES_R_CATS,
	S_CHANGES_A_MINE, /* Account/changes: the caller and the accounts it deals with */
	S_CRE_GET,
	S_CRE_PUT,
	S_PRUNE_HORIZON,
	S_PRUNE_CHANGES,
	S_PRUNE_CREATIONS,
	/* objects: generic reads */
	S_GET_ACCOUNT,
	S_GET_LISTING,
	S_GET_RFQ,
	S_GET_CONVERSATION,
	S_GET_MESSAGE,
	S_GET_CONTRACT,
	S_GET_ORDER,
	S_LIST_ACCOUNT,
	S_LIST_LISTING,
	S_LIST_RFQ,
	S_LIST_CONVERSATION,
	S_LIST_MESSAGE,
	S_LIST_CONTRACT,
	S_LIST_ORDER,
	/* accounts */
	S_A_PUT,
	S_A_STATE, /* verified, rating_sum, rating_count */
	S_A_HANDLE,
	S_A_QUERY_ASC,
	S_A_QUERY_DESC,
	S_A_COUNT,
	S_A_QUERY_H_ASC, /* the same with a handle: its index, not a scan */
	S_A_QUERY_H_DESC,
	S_A_COUNT_H,
	/* listings */
	S_L_FIND,   /* id -> rid, pkey, rkey, json, ix_verified, seller_id */
	S_L_BY_RID, /* the same by rid */
	S_L_ALL,    /* every rid */
	S_L_INSERT,
	S_L_DELETE,
	S_L_OF_SELLER,
	S_L_MAX_PKEY,
	S_L_MAX_RKEY,
	S_L_SET_KEYS,
	S_L_SELLER_PAGE,
	S_L_SELLER_COUNT,
	S_FTS_INSERT,
	S_FTS_DELETE,
	S_ORD_INSERT,
	S_ORD_DELETE,
	S_SCAN_MAIN_DESC, /* rowid = rid: newest first */
	S_SCAN_MAIN_ASC,
	S_SCAN_P_ASC, /* listing_ord, rowid = pkey within a range: price order */
	S_SCAN_P_DESC,
	S_SCAN_R_ASC, /* listing_ord, rowid = rkey: best rated first */
	S_SCAN_R_DESC,
	S_COUNT_MAIN,
	S_COUNT_P,
	S_ID_BY_RID,
	S_ID_BY_PKEY,
	S_ID_BY_RKEY,
	/* rfqs */
	S_R_PUT,
	S_R_DELETE,
	S_R_QUERY_ASC,
	S_R_QUERY_DESC,
	S_R_COUNT,
	/* conversations and messages */
	S_C_PUT,
	S_C_DELETE,
	S_C_MESSAGES,
	S_C_QUERY_ASC,
	S_C_QUERY_DESC,
	S_C_COUNT,
	S_M_PUT,
	S_M_DELETE,
	S_M_QUERY_ASC,
	S_M_QUERY_DESC,
	S_M_COUNT,
	/* contracts */
	S_K_PUT,
	S_K_QUERY_ASC,
	S_K_QUERY_DESC,
	S_K_COUNT,
	/* orders */
	S_O_PUT,
	S_O_QUERY_ASC,
	S_O_QUERY_DESC,
	S_O_COUNT,
	/* blobs */
	S_B_PUT,
	S_B_GET,
	/* photo hashes and scaled images (nphoto.c) */
	S_B_HASH_GET, /* id -> phash, hashed, data */
	S_B_HASH_SET,
	S_P_INSERT,
	S_P_DELETE,
	S_P_FILL,  /* a blob's hash reaches the listings that name it */
	S_P_SINCE, /* hash, rid, seq of rows after a sequence */
	S_P_COUNT,
	S_P_OF_ID,    /* listing id -> its image hashes in image order */
	S_P_CHECK,    /* does listing rid pass the other filters (the FTS expression) */
	S_P_UNHASHED, /* listings without photo rows, for the upgrade */
	S_V_GET,
	S_V_PUT,
	/* the ledger (nledger.c) */
	S_LG_BY_REF,
	S_LG_TX_PUT,
	S_LG_ACC_ADD,
	S_LG_ENTRY_PUT,
	S_LG_BALANCE,
	S_LG_OWNED,
	S_LG_HISTORY,
	S_LG_HISTORY_COUNT,
	S_LG_STATE,
	S_LG_STATE_OF,
	S_LG_CHECK_SUMS,
	S_LG_CHECK_BALANCES,
	S_LG_ESCROWS,
	S_LG_PAYOUTS,
	S__COUNT
};

/* One SQLite connection, owned by one thread. */
struct nconn {
	struct kdb k; /* the connection, its statements and brackets */
	sqlite3 *db;  /* k.db, for brevity */
	struct nstore *s;
	struct ksearch_tok tok;      /* splits query text as the index does */
	struct ksearch_queue *queue; /* index writes not yet handed to FTS5 */
	int64_t seq_lo;              /* the first change sequence since the index writes last went
	                              * out (0: none yet); see nsearch.c */
	struct nconn *next;          /* the store's list, for nstore_close */
};

struct nstore {
	char *path;
	pthread_key_t key;
	pthread_mutex_t lock; /* guards conns */
	struct nconn *conns;
	struct kqcache *qcache;   /* shared Listing/query results (own lock) */
	struct nphoto_ix *photos; /* image hashes in memory for the photo filter (own lock) */
};

/* The calling thread's connection (opened on first use); NULL with e filled on failure. */
struct nconn *nstore_conn(struct nstore *s, struct kerr *e);

/* The kernel's calls, on a connection (see db/kdb.h). */
static inline sqlite3_stmt *nstore_stmt(struct nconn *c, enum nst id, struct kerr *e)
{
	return kdb_stmt(&c->k, (int)id, e);
}
static inline int nstore_dberr(struct nconn *c, struct kerr *e, const char *what)
{
	return kdb_err(&c->k, e, what);
}
static inline int nstore_exec_stmt(struct nconn *c, sqlite3_stmt *st, struct kerr *e,
                                   const char *what)
{
	return kdb_step_done(&c->k, st, what, e);
}
/* A write bracket: joins the open nstore_begin transaction or opens its own. A failed
 * bracket rolls back its own transaction; inside a caller's, the caller's savepoint undoes
 * it. */
static inline int nstore_wbegin(struct nconn *c, struct kerr *e)
{
	return kdb_wbegin(&c->k, e);
}
static inline int nstore_wend(struct nconn *c, int rc, struct kerr *e)
{
	return kdb_wend(&c->k, rc, e);
}
/* A write bracket opened for one statement (kdb_wstmt): end it with nstore_wend. */
static inline int nstore_wstmt(struct nconn *c, enum nst id, sqlite3_stmt **st, struct kerr *e)
{
	return kdb_wstmt(&c->k, (int)id, st, e);
}
/* The calling thread's connection (nstore_conn) with a write bracket open on it; NULL with
 * *rc set and e filled when there is no connection or the bracket cannot begin. */
static inline struct nconn *nstore_wconn(struct nstore *s, int *rc, struct kerr *e)
{
	struct nconn *c = nstore_conn(s, e);
	*rc = c ? nstore_wbegin(c, e) : K_EDB;
	return *rc ? NULL : c;
}
#define nstore_bind_text kdb_bind_text
#define nstore_col_copy kdb_col_copy
/* The calling thread's connection (*c) and its statement id, reset, with key bound to ?1
 * when not NULL (without copying: it must outlive the steps); NULL with e filled when there
 * is no connection or the statement cannot be prepared. */
sqlite3_stmt *nstore_conn_stmt(struct nstore *s, enum nst id, const char *key, struct nconn **c,
                               struct kerr *e);

/* Appends a change of (type, id) to the log for each viewer (public types pass one viewer
 * ""), bumping the global sequence and the type's state. *seq gets the new sequence. */
int nlog_change(struct nconn *c, enum ntype t, const char *id, const char *who1, const char *who2,
                int destroyed, int64_t *seq, struct kerr *e);

/* Moves the type's state to a fresh sequence without an object change: what a query
 * returns changed (a seller's verified mark or rating re-keyed its listings). */
int nlog_bump(struct nconn *c, enum ntype t, int64_t *seq, struct kerr *e);

/* ---- nsearch.c: the listing index ---------------------------------------------------- */
int nsearch_attach(struct nconn *c, struct kerr *e); /* per connection: functions, tokenizer */
/* Rebuilds the index when the text it holds is made differently now (run by nstore_open). */
int nsearch_upgrade(struct nconn *c, struct kerr *e);
void nsearch_detach(struct nconn *c);
struct kqcache *nsearch_cache_new(void);
void nsearch_cache_free(struct kqcache **q);

struct nseller {
	int verified;
	int64_t rating_sum, rating_count;
};
/* Reads the seller's index-relevant state (all zero for an unknown seller). */
int nsearch_seller(struct nconn *c, const char *seller_id, struct nseller *out, struct kerr *e);
/* Stores a listing row under rid (its change sequence) and, when active, indexes it.
 * canon is the exact stored JSON; j its parsed form. */
int nsearch_insert(struct nconn *c, int64_t rid, const char *id, const char *seller_id,
                   const char *sku, const char *canon, size_t len, const cJSON *j, struct kerr *e);
/* Removes the listing row (and its index entries) with this id; K_ENOTFOUND when absent. */
int nsearch_remove(struct nconn *c, const char *id, struct kerr *e);
/* ---- nphoto.c: image hashes of listings ---------------------------------------------- */
struct nphoto_ix *nphoto_ix_new(void);
void nphoto_ix_free(struct nphoto_ix **ix);
/* Files the image hashes of listing rid (j its JSON) as photo rows at change sequence rid;
 * a blob never hashed yet is hashed now. */
int nphoto_listing_put(struct nconn *c, int64_t rid, const cJSON *j, struct kerr *e);
int nphoto_listing_drop(struct nconn *c, int64_t rid, struct kerr *e);
/* 1 with *hash set when data is an image kontor hashes (JPEG, PNG, WebP), else 0. */
int nphoto_hash_blob(const void *data, size_t len, uint64_t *hash);
/* A new image blob: the photo rows that named it before it arrived get its hash (and the
 * Listing state moves, as query answers change). */
int nphoto_blob_arrived(struct nconn *c, const char *id, uint64_t hash, struct kerr *e);
/* Fills the photo rows of every listing that has none (run by nstore_open, once). */
int nphoto_upgrade(struct nconn *c, struct kerr *e);
/* The photo filter of a Listing/query whose plan is p (its MATCH expression in expr). */
int nphoto_query(struct nconn *c, const struct nlisting_query *q, const char *expr,
                 const struct ksearch_plan *p, struct nids *out, struct kerr *e);

/* Rebuilds a seller's index entries after its verified mark or rating changed. */
int nsearch_reindex_seller(struct nconn *c, const char *seller_id, struct kerr *e);

#endif
