/* nstore — all SQL of the node: one SQLite file (WAL) with ordered migrations, a per-type
 * change log (states, tombstones, the horizon), creation ids, objects, the listing search
 * index and blobs. Thread-safe: each thread gets its own connection. Nothing above store/
 * sees sqlite3. Every write is one transaction. */
#ifndef KONTOR_NSTORE_H
#define KONTOR_NSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "db/ksearch_query.h"
#include "kontor/buf.h"
#include "kontor/crypto.h"
#include "kontor/err.h"
#include "kontor/model.h"

struct nstore;

/* Opens (creating when create is set) and migrates. K_ENEWER for a newer schema,
 * K_ENOTFOUND when the file is absent and create is 0. */
int nstore_open(const char *path, int create, struct nstore **out, struct kerr *e);
void nstore_close(struct nstore **s);

/* A transaction on the calling thread's connection. */
int nstore_begin(struct nstore *s, struct kerr *e);
int nstore_commit(struct nstore *s, struct kerr *e);
void nstore_rollback(struct nstore *s);

int nstore_meta_get(struct nstore *s, const char *key, char **out, struct kerr *e);
int nstore_meta_set(struct nstore *s, const char *key, const char *value, struct kerr *e);

/* Upserts that also log the change (bumping the type's state). Callers have validated
 * (and for listings verified) the object. Used by the API and by seed (inside one big
 * transaction for speed). */
int nstore_account_put(struct nstore *s, const struct account *a, struct kerr *e);
int nstore_listing_put(struct nstore *s, const struct listing *l, struct kerr *e);

/* Blobs: id = base64url BLAKE2b-256 of the bytes; putting the same bytes twice is one blob. */
int nstore_blob_put(struct nstore *s, const void *data, size_t len, const char *type,
                    const char *owner, char id_out[KCRYPTO_HASH_B64_LEN + 1], struct kerr *e);
/* K_ENOTFOUND when absent. type gets the stored media type. */
int nstore_blob_get(struct nstore *s, const char *id, struct kbuf *data, char type[64],
                    struct kerr *e);
/* An image blob scaled to fit width × width pixels (never enlarged) as a JPEG, made once and
 * kept (GET /download/{blobId}?w=PX). width 16..NSTORE_SCALED_MAX. K_ENOTFOUND when there is
 * no such blob, K_EINVAL (naming the reason) when it is no image kontor reads. */
#define NSTORE_SCALED_MIN 16
#define NSTORE_SCALED_MAX 2048
int nstore_blob_scaled(struct nstore *s, const char *id, unsigned width, struct kbuf *jpeg,
                       struct kerr *e);
/* The size in bytes of blob id (K_ENOTFOUND when the node has none). */
int nstore_blob_size(struct nstore *s, const char *id, int64_t *size, struct kerr *e);
/* The image hashes of a listing, in the order of its images (those that are image blobs the
 * node holds); *n gets how many (at most MODEL_IMAGES_MAX). */
int nstore_listing_photo_hashes(struct nstore *s, const char *id, uint64_t out[MODEL_IMAGES_MAX],
                                size_t *n, struct kerr *e);

/* Size of the database file in bytes (for /metrics). */
int64_t nstore_db_size(struct nstore *s);
/* Listing/query result cache: answers served from it and answers it did not have. */
void nstore_query_cache_stats(struct nstore *s, uint64_t *hits, uint64_t *misses);

/* ---- objects, states and the change log (used by api.c and its type files) ---------- */

/* The object types of the API. Account, Listing and Rfq are public; Conversation and
 * Message belong to their two participants, Contract to its buyer and seller (the change
 * log keeps a row per participant, so one never learns of another's conversations). */
enum ntype {
	NT_ACCOUNT,
	NT_LISTING,
	NT_RFQ,
	NT_CONVERSATION,
	NT_MESSAGE,
	NT_CONTRACT,
	NT_ORDER, /* private to its buyer and seller, like its contract */
	NT__COUNT
};
#define NSTORE_ID_MAX 64 /* bytes of any object id */

const char *nstore_type_name(enum ntype t); /* "Account", ... */
int nstore_type_of(const char *name);       /* the enum value, -1 when unknown */
int nstore_type_private(enum ntype t);

/* A read snapshot on the calling thread's connection: a get, changes or query sees one
 * state of the database. Cheap (a deferred BEGIN); nests inside nothing. */
int nstore_read_begin(struct nstore *s, struct kerr *e);
void nstore_read_end(struct nstore *s);
/* Savepoints inside nstore_begin: one per object of a /set, so a half-done object leaves
 * nothing behind while the others stand. */
int nstore_savepoint(struct nstore *s, struct kerr *e);
int nstore_release(struct nstore *s, struct kerr *e);
void nstore_rollback_to(struct nstore *s);

/* The last change sequence that touched the type (0 when none yet). */
int nstore_state(struct nstore *s, enum ntype t, int64_t *out, struct kerr *e);

struct nchange {
	char id[NSTORE_ID_MAX + 1];
	int64_t seq;
	int kind; /* NCH_CREATED, NCH_UPDATED, NCH_DESTROYED */
};
enum { NCH_CREATED, NCH_UPDATED, NCH_DESTROYED };
/* Changes of type t after since, oldest first, at most max. viewer is the caller for the
 * private types (ignored for public ones). *more is set when max cut the list; *new_state is
 * then the sequence of the last change returned, else the type's state. Objects created
 * and destroyed since are left out. K_ERANGE when since is before the type's tombstone
 * horizon or after its state (cannotCalculateChanges). *out is the caller's (free()). */
int nstore_changes(struct nstore *s, enum ntype t, const char *viewer, int64_t since, int max,
                   struct nchange **out, size_t *n, int *more, int64_t *new_state, struct kerr *e);
/* What a scope's pull holds (Foo/changes with a filter): NSCOPE_MINE the objects of
 * account who (Listing: its own; Rfq: its own and those of its listings' categories;
 * Account: itself and the accounts it deals with), NSCOPE_CATS those of the categories in
 * cats (a JSON array of strings; Listing and Rfq). Tombstones always come. The rest as
 * nstore_changes; K_EINVAL for a type the scope does not apply to. */
enum { NSCOPE_ALL, NSCOPE_MINE, NSCOPE_CATS };
/* own[0..nown): the caller's own writes, each (oldState, newState] of one of its /set
 * answers; an object whose latest change lies in one is left out (the caller holds it as it
 * sent it). They count against max all the same, so paging is as without them. */
#define NSTORE_OWN_SETS_MAX 64
int nstore_changes_scoped(struct nstore *s, enum ntype t, const char *viewer, int scope,
                          const char *arg, const int64_t (*own)[2], size_t nown, int64_t since,
                          int max, struct nchange **out, size_t *n, int *more, int64_t *new_state,
                          struct kerr *e);
/* Forgets tombstones (and remembered creation ids) at or before keep_seq; a sinceState
 * before the newest tombstone forgotten gets cannotCalculateChanges from then on. */
int nstore_prune_tombstones(struct nstore *s, int64_t keep_seq, struct kerr *e);

/* Creation ids: the id a caller's earlier create with this creation id made (K_ENOTFOUND
 * when none), and remembering one. */
int nstore_creation_get(struct nstore *s, const char *caller, enum ntype t, const char *cid,
                        char id[NSTORE_ID_MAX + 1], struct kerr *e);
int nstore_creation_put(struct nstore *s, const char *caller, enum ntype t, const char *cid,
                        const char *id, struct kerr *e);

/* One stored object: its JSON text exactly as stored (canonical) and who it belongs to:
 * owner is the account itself, the seller, the buyer, a conversation's first participant
 * or a message's sender; other is the second participant or recipient ("" for public). */
struct nobj {
	struct kbuf json;
	char owner[KCRYPTO_ID_LEN + 1];
	char other[KCRYPTO_ID_LEN + 1];
};
void nobj_free(struct nobj *o);
/* K_ENOTFOUND when there is no such object. o is reset first. */
int nstore_get(struct nstore *s, enum ntype t, const char *id, struct nobj *o, struct kerr *e);
/* Calls cb for up to max objects of type t, newest first; for the private types only those
 * viewer takes part in. A non-zero return from cb stops the walk and is returned. */
typedef int (*nstore_each_cb)(void *ctx, const char *id, const char *json, size_t len);
int nstore_list(struct nstore *s, enum ntype t, const char *viewer, int max, nstore_each_cb cb,
                void *ctx, struct kerr *e);
/* Destroys an object and logs its tombstone (a conversation takes its messages with it).
 * K_ENOTFOUND when absent. */
int nstore_destroy(struct nstore *s, enum ntype t, const char *id, struct kerr *e);

/* Stores a listing as exactly these canonical bytes (sig included), which the caller has
 * checked are the canonical form of l and verified. nstore_listing_put is this with the
 * bytes made from l. */
int nstore_listing_put_canon(struct nstore *s, const struct listing *l, const char *canon,
                             size_t len, struct kerr *e);
/* The account with this handle: K_ENOTFOUND when none. */
int nstore_account_by_handle(struct nstore *s, const char *handle, char id[KCRYPTO_ID_LEN + 1],
                             struct kerr *e);
/* Rfq, Conversation and Message as validated JSON (j) and its canonical text. */
int nstore_rfq_put(struct nstore *s, const cJSON *j, const char *canon, struct kerr *e);
int nstore_conversation_put(struct nstore *s, const cJSON *j, const char *canon, struct kerr *e);
int nstore_message_put(struct nstore *s, const cJSON *j, const char *canon, struct kerr *e);
/* A contract (contract.c has verified it) as its canonical text: owner = buyer, other =
 * seller; state ("offer", "countered", "binding", "cancelled") and order_id ("" until
 * binding) are the columns Contract/query filters by. Insert or replace by id. */
int nstore_contract_put(struct nstore *s, const cJSON *j, const char *canon, const char *state,
                        const char *order_id, struct kerr *e);
/* An order (order.c, model "Order") as its canonical text: owner = buyerId, other =
 * sellerId; state and contractId are the columns Order/query filters by. Insert or
 * replace by id. */
int nstore_order_put(struct nstore *s, const cJSON *j, const char *canon, struct kerr *e);
/* The ids of every order in state (any buyer or seller), oldest first: the node's own
 * sweeps (auto-release). */
int nstore_orders_in_state(struct nstore *s, const char *state, struct kstrv *ids, struct kerr *e);

/* ---- queries ---------------------------------------------------------------------- */
#define NSTORE_SCAN_MAX 10000 /* results past this are not served; totals stop here */

struct npage {
	int64_t position; /* >= 0 (the API turns a negative JMAP position into this) */
	int limit;        /* 1..max_query_limit */
	int calc_total;
	int ascending;
};
struct nids {
	struct kstrv ids;
	int64_t total;    /* -1 unless calc_total */
	int total_capped; /* total stopped at NSTORE_SCAN_MAX */
	int64_t state;    /* the type's state the result belongs to */
	int *dist;        /* a photo query: the Hamming distance of each id (else NULL) */
};
void nids_free(struct nids *r);

enum nsort { NSORT_RELEVANCE, NSORT_PRICE, NSORT_RATING, NSORT_NEWEST };
struct nlisting_query {
	/* Listing/query's filter (db/ksearch_query.h); CJK text is found by substring (two
	 * characters and up). */
	struct ksearch_query filter;
	const char *status; /* NULL or "active": the index; "paused"/"all" need filter.seller_id */
	enum nsort sort;
	struct npage page;
	/* The photo filter: listings with an image within photo_max (0..64) of any of the
	 * nphoto hashes, nearest first (sort must be relevance then). */
	const uint64_t *photo;
	size_t nphoto; /* 0: no photo filter; at most NSTORE_PHOTO_HASHES_MAX */
	int photo_max;
};
#define NSTORE_PHOTO_HASHES_MAX 8
/* K_EINVAL naming the filter property for a query the index cannot take. */
int nstore_listing_query(struct nstore *s, const struct nlisting_query *q, struct nids *out,
                         struct kerr *e);

/* The simple filtered lists behind every Foo/query but Listing's, sorted by creation
 * (Account, Rfq), last activity (Conversation, Contract, Order) or time sent (Message).
 * vals are the type's filter values in the order its statements take them (Account:
 * country, role, verified, handle; Rfq: buyerId, status, category, destination, listingId;
 * Conversation: listingId, rfqId, orderId, peer; Message: conversationId; Contract: state,
 * listingId, orderId, peer; Order: state, contractId, peer). */
#define NQUERY_VALS_MAX 5
struct nqval {
	const char *text; /* a text filter's value; NULL matches everything */
	int is_flag;      /* a yes/no filter (Account's verified): flag, not text, is the value */
	int flag;         /* 0 or 1; -1 matches everything */
};
struct nquery {
	const char *viewer; /* required for a private type: the buyer, seller or participant */
	struct nqval vals[NQUERY_VALS_MAX];
	struct npage page;
};
/* K_EPERM for a private type without a viewer; K_EINVAL for Listing (nstore_listing_query)
 * or a bad page. */
int nstore_query(struct nstore *s, enum ntype t, const struct nquery *q, struct nids *out,
                 struct kerr *e);

/* ---- the double-entry ledger (nledger.c) ------------------------------------------- */
/* Ledger accounts are named by kind: "wallet:<accountId>" (an account's money on the node),
 * "escrow:<orderId>" (held for one order: funded - released - refunded), "provider:<name>"
 * (the other side of money that entered or left through a payment provider; it may go
 * negative) and "fees". Each has one balance per currency, in minor units. Wallet and
 * escrow balances never go below zero. */
#define NLEDGER_ACCOUNT_MAX 80 /* bytes of a ledger account name */
#define NLEDGER_KIND_MAX 32    /* bytes of a transaction kind ("deposit", ...) */
#define NLEDGER_MEMO_MAX 200
#define NLEDGER_REF_MAX 128
#define NLEDGER_ENTRIES_MAX 64 /* entries of one transaction */

struct nentry {
	const char *account;  /* "wallet:...", "escrow:...", "provider:...", "fees" */
	const char *currency; /* ISO 4217 */
	int64_t amount;       /* minor units, non-zero: > 0 credits, < 0 debits */
	const char *owner;    /* escrow only, optional: the account whose money it holds (the
	                       * buyer; counted as that wallet's "held"). Set when the escrow
	                       * account is first used. */
};
struct ntx {
	const char *kind;      /* "deposit", "escrow_fund", "escrow_release", ... (required) */
	const char *memo;      /* optional, one line */
	const char *reference; /* optional idempotency key (a provider's payment id): posting
	                        * the same reference again posts nothing */
	const struct nentry *entries;
	size_t n; /* 2..NLEDGER_ENTRIES_MAX */
};
/* Posts tx atomically in one write transaction (or a savepoint of the caller's): K_EINVAL
 * naming entries[i] for a bad account name, currency or amount, or when a currency's
 * entries do not sum to zero; K_ECONFLICT naming the account and currency when a wallet or
 * escrow balance would go below zero (nothing is written then). A reference already posted
 * with the same entries is K_OK with *posted = 0 and tx_id set to the first transaction;
 * with other entries it is K_ECONFLICT. tx_id and posted may be NULL. */
int nledger_post(struct nstore *s, const struct ntx *tx, char tx_id[NSTORE_ID_MAX + 1], int *posted,
                 struct kerr *e);
/* One account's balance in one currency (0 when it never had an entry). */
int nledger_balance(struct nstore *s, const char *account, const char *currency, int64_t *out,
                    struct kerr *e);

struct nbalance {
	char currency[4];
	int64_t amount;
};
struct nbalances {
	struct nbalance *v;
	size_t n;
};
void nbalances_free(struct nbalances *b);
/* An account's wallet per currency (sorted by currency; currencies it never held are
 * absent) and, when held is not NULL, what escrow holds for it per currency. */
int nledger_wallet(struct nstore *s, const char *account_id, struct nbalances *wallet,
                   struct nbalances *held, struct kerr *e);

/* One line of an account's wallet history: its side of one transaction. */
struct nhist {
	char tx[NSTORE_ID_MAX + 1];
	char kind[NLEDGER_KIND_MAX + 1];
	char memo[NLEDGER_MEMO_MAX + 1];
	char reference[NLEDGER_REF_MAX + 1];
	char created[MODEL_TIME_LEN + 1];
	char currency[4];
	int64_t amount;                /* signed: + came in, - went out */
	int64_t seq;                   /* the transaction's place in the ledger */
	char order[NSTORE_ID_MAX + 1]; /* the order whose escrow is the other side, "" if none */
};
/* The wallet's history newest first: up to limit lines from position (>= 0); *total (may
 * be NULL) gets the number of lines there are. *out is the caller's (free()). */
int nledger_history(struct nstore *s, const char *account_id, int64_t position, int limit,
                    struct nhist **out, size_t *n, int64_t *total, struct kerr *e);
/* The ledger's state: the sequence of the newest transaction (0 when none); with account_id,
 * of the newest one that touched its wallet or the escrow of an order it is party to (as
 * buyer or seller), so a Wallet state moves with everything a Wallet shows and tells
 * nothing of other accounts. */
int nledger_state(struct nstore *s, const char *account_id, int64_t *out, struct kerr *e);

/* What escrow holds of each order account_id is party to (non-zero balances only), newest
 * order first, at most max: role "buyer" (its own money, held) or "seller" (to be released
 * to it). *out is the caller's (free()). */
struct nescrow {
	char order[NSTORE_ID_MAX + 1];
	char role[8];
	char currency[4];
	int64_t amount;
};
int nledger_escrows(struct nstore *s, const char *account_id, int max, struct nescrow **out,
                    size_t *n, struct kerr *e);

/* Payouts (transactions of kind "payout": a wallet paid out through a payment provider),
 * newest first, of one account or (account_id NULL) of all. cb's non-zero return stops the
 * walk and is returned. */
struct npayout {
	char tx[NSTORE_ID_MAX + 1];
	char created[MODEL_TIME_LEN + 1];
	char reference[NLEDGER_REF_MAX + 1];
	char account[NSTORE_ID_MAX + 1];
	char provider[NLEDGER_ACCOUNT_MAX + 1]; /* "provider:sim" */
	char currency[4];
	int64_t amount; /* > 0: what left the wallet */
};
int nledger_payouts(struct nstore *s, const char *account_id,
                    int (*cb)(void *ctx, const struct npayout *p), void *ctx, struct kerr *e);
/* Audits the whole ledger: every transaction sums to zero per currency, every balance is
 * the sum of its entries, no wallet or escrow is negative. K_ECONFLICT naming the first
 * transaction or account that breaks one. */
int nledger_check(struct nstore *s, struct kerr *e);

/* ---- carriers (ncarrier.c): carrier accounts registered by the operator (DESIGN §6) --- */
/* A carrier is a name (as an order's shipment names its carrier; compared without case)
 * and the kontor account that speaks for it: that account may post shipment events for
 * orders shipped with that carrier name. One account per carrier and one carrier per
 * account. */
#define NSTORE_CARRIER_NAME_MAX 100
/* The carrier name registered for account (K_OK, name filled) or K_ENOTFOUND. */
int nstore_carrier_of(struct nstore *s, const char *account, char name[NSTORE_CARRIER_NAME_MAX + 1],
                      struct kerr *e);
int nstore_carrier_add(struct nstore *s, const char *name, const char *account,
                       struct kerr *e); /* K_EEXIST when the name or the account is taken */
int nstore_carrier_rm(struct nstore *s, const char *name, struct kerr *e); /* K_ENOTFOUND */
/* Calls cb for every carrier, by name; a non-zero return from cb stops the walk and is
 * returned. created is RFC 3339 UTC ("" when unknown). */
int nstore_carrier_each(struct nstore *s,
                        int (*cb)(void *ctx, const char *name, const char *account,
                                  const char *created),
                        void *ctx, struct kerr *e);

#endif
