/* sync — the cache and one node brought into step: push sends the outbox in batches (as many
 * calls per request as the node's limits allow) and clears each entry only when the node
 * confirmed it; pull asks Foo/changes for every type in one request, pages with maxChanges,
 * commits each page in one transaction with its new state, and resumes from there after a
 * failure. Creation ids make a push repeated after a crash harmless: nothing is lost and
 * nothing is made twice. A node cannot hold a sync: it ends by its deadline, and a pull
 * stops after as many pages as the node's own stated total needs (with a hard ceiling);
 * an object that does not check out is skipped, counted and named, never cached. */
#ifndef KONTOR_CLIENT_NET_SYNC_H
#define KONTOR_CLIENT_NET_SYNC_H

#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "kontor/crypto.h"
#include "kontor/err.h"

struct store;
struct knet;

#define SYNC_NTYPES 8 /* Account, Listing, Rfq, Conversation, Message, Contract, Order, Wallet */
extern const char *const sync_types[SYNC_NTYPES];

#define KSYNC_TIMEOUT_S 300           /* a sync's deadline when none is set (`set sync-timeout`) */
#define KSYNC_TIMEOUT_MAX 86400       /* the longest one may set */
#define KSYNC_CALL_TIMEOUT_S 120      /* one request's, when the sync's is longer */
#define KSYNC_PAGES_MAX 10000         /* pages of one type in one pull, whatever the node says */
#define KSYNC_PAGES_UNSTATED 200      /* ... when the node states no total for the type */
#define KSYNC_SESSION_MAX_AGE_S 43200 /* the kept session is fetched again after 12 h */
#define SCOPE_CATS_MAX 32             /* categories in one scope (the node's bound too) */
#define SYNC_SKIPPED_NAMED 8          /* skipped objects named in sync_stats (the rest counted) */

struct sync_stats {
	int64_t pushed;            /* outbox entries the node confirmed */
	int64_t refused;           /* entries the node refused (kept, with the reason) */
	int64_t waiting;           /* entries still queued after the push */
	int64_t held;              /* refused entries (now or before) waiting for `outbox retry` */
	int64_t got[SYNC_NTYPES];  /* objects created or updated in the cache */
	int64_t gone[SYNC_NTYPES]; /* objects destroyed */
	int64_t bad_sig;           /* listings or attestations dropped: signature does not verify */
	int64_t malformed;         /* objects skipped: a field missing or of the wrong form */
	int nskipped;              /* how many of the two kinds above are named in skipped */
	char skipped[SYNC_SKIPPED_NAMED][200]; /* "Listing LX: why" (printable ASCII only) */
	int64_t resyncs;  /* types fetched whole after cannotCalculateChanges */
	int64_t requests; /* HTTP requests made */
	uint64_t bytes_up, bytes_down;
	char first_refusal[256];    /* the first refusal's reason, "" when none */
	int64_t pages;              /* pull requests answered (pages of every type at once) */
	int64_t total[SYNC_NTYPES]; /* the node's total for a type it pulled in pages (-1 or 0:
	                             * it did not say) */
};

struct ksync;

/* The page-packed imageHashes of the Listing/get answers in resp spread onto their listings
 * (sync.c; a pure function of outside bytes, fuzzed). */
void sync_unpack_image_hashes(cJSON *resp);

/* Connects to the named node as self (kp signs every request; NULL: public calls only).
 * The node's pinned keys are checked on every connection (its TLS key before a byte is
 * sent) and every answer; a node pinned before TLS keys were gets its TLS key learned on
 * the first contact whose node key matches, and kept. KSYNC_QUICK gives up sooner (two
 * attempts, 5 s to connect): for the push that follows a write, which must not keep a
 * user waiting on a dead link when the next sync will deliver anyway. Everything k does
 * ends within KSYNC_TIMEOUT_S from here unless ksync_set_timeout says otherwise. */
#define KSYNC_QUICK 1u
int ksync_open(struct store *s, const char *node, const char *self_id, const struct kkeypair *kp,
               unsigned flags, struct ksync **out, struct kerr *e);
void ksync_close(struct ksync **k);
/* The deadline of everything k does, seconds from now (1..KSYNC_TIMEOUT_MAX; 0:
 * KSYNC_TIMEOUT_S); each request also ends within KSYNC_CALL_TIMEOUT_S. Past it a call
 * stops with K_ENET "... stopped: the sync-timeout of N s ran out"; pages already
 * committed stay, and the next sync resumes from them. */
void ksync_set_timeout(struct ksync *k, long seconds);
/* The session (GET /.well-known/kontor) when the cached one is missing, for the limits. */
int ksync_push(struct ksync *k, struct sync_stats *st, struct kerr *e);
int ksync_pull(struct ksync *k, struct sync_stats *st, struct kerr *e);
/* Bytes and requests so far are in st after each call; this records them on the node, and
 * the time as its last sync when every push and pull made through k finished. */
int ksync_finish(struct ksync *k, struct sync_stats *st, struct kerr *e);
/* One page of a pull, decoded from the node's answer (a pure function, fuzzed): the
 * Foo/changes response of type t under call id "c<t>.<tag>" ("c<t>" when tag is NULL: a
 * request carries its random tag once, in its first call) and its two chained Foo/get lists
 * "g<t>" (created) and "u<t>" (updated). A Wallet is never created (every account has one
 * from the start): its pull asks "u<t>" alone and created comes back an empty array.
 * Pointers point into resp (or at a static empty array). K_EFAIL "node answered garbage:
 * ..." when a part is missing or of the wrong shape. */
struct sync_page {
	const char *error_type; /* the changes call answered this JMAP error (else NULL) */
	const char *error_desc;
	const char *new_state;
	int has_more;
	const cJSON *created, *updated; /* arrays of objects, not yet validated */
	const cJSON *destroyed;         /* array of id strings */
};
int sync_decode_page(const cJSON *resp, const char *tag, int t, struct sync_page *out,
                     struct kerr *e);
/* The total the node states for type t: its Foo/query answer under call id "n<t>" with
 * calculateTotal (pure, fuzzed). K_OK with *total >= 0, or -1 when the node says its count
 * is capped (more than it counted); K_ENOTFOUND when there is no such answer or it is an
 * error; K_EFAIL "node answered garbage: ..." for a total that is not a count. */
int sync_decode_total(const cJSON *resp, int t, int64_t *total, struct kerr *e);
/* The pages one pull may take of a type whose stated total is total (-1: unknown or
 * capped) at page objects a page: room for every object twice (a change can come back
 * while the pull runs, and tombstones are not in the total) and a few pages more, never
 * over KSYNC_PAGES_MAX; KSYNC_PAGES_UNSTATED when there is no total. */
int64_t sync_page_cap(int64_t total, int64_t page);
/* Whether an object of type t from a pull may be cached (pure, fuzzed): K_EINVAL naming
 * the field when it is malformed (a listing summary without sellerId, say), K_EVERIFY when
 * a signature does not verify (a whole listing; a contract's chain). For a listing, *l
 * gets it parsed on K_OK (the caller frees it; l may be NULL otherwise). */
struct listing;
int sync_object_check(int t, const cJSON *o, struct listing *l, struct kerr *e);

/* Listing/get of one id, verified against its seller, into the cache. K_ENOTFOUND when the
 * node has none; K_EVERIFY when it does not verify (nothing cached). */
int ksync_fetch_listing(struct ksync *k, const char *id, struct kerr *e);

/* Foo/get of one id of a type ("Order"; not a listing: see above; not the wallet) into the
 * cache,
 * checked as a pull checks it, and nothing else pulled: no other news is taken in before
 * the next sync (and its notify-command) sees it. K_ENOTFOUND when the node has none;
 * K_EVERIFY naming why when it does not check out (nothing cached). */
int ksync_fetch(struct ksync *k, const char *type, const char *id, struct kerr *e);

/* The account of an @handle (without its '@'), asked of the node (Account/query by handle,
 * chained into Account/get) and cached as a pull caches it; its id into id (at least
 * KCRYPTO_ID_LEN + 1 bytes). K_ENOTFOUND when the node has none, or cannot look one up. */
int ksync_fetch_handle(struct ksync *k, const char *handle, char *id, struct kerr *e);

/* The accounts of an Account/get list the caller asked for in a request of its own (a
 * search's sellers), cached as a pull caches them: each checked (its attestation too), a
 * bad one skipped; how many were cached into *n when n is not NULL. */
int ksync_take_accounts(struct ksync *k, const cJSON *list, size_t *n, struct kerr *e);

/* Pages of a pull drawn on p (progress.h) as they commit: objects and bytes so far, the
 * node's total of listings when it states one. NULL: none (the default). */
struct progress;
void ksync_set_progress(struct ksync *k, struct progress *p);
/* What the node's scope (node_info.scope) asks of type t's pull: the filter of its
 * Foo/changes ({"mine": true} on Account, Listing and Rfq; {"categories": [...]} on
 * Listing), or NULL for the whole type (the market, and every type a scope does not
 * filter). Pure; the caller deletes it. */
cJSON *sync_scope_filter(const char *scope, int t);
/* Whether scope holds the whole market's listings (NULL and "market" do). */
int sync_scope_is_market(const char *scope);

/* The knet of this sync (for remote search and downloads). */
struct knet *ksync_net(struct ksync *k);

#endif
