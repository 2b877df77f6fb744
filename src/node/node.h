/* node — the pieces of kontord and the contracts between them:
 *   http.c   the only file that calls libmicrohttpd: TLS, routes, limits, gzip, logging,
 *            /.well-known/kontor, /upload, /download, /events, /healthz, /metrics
 *   auth.c   Beckn HTTP signature check, replay cache, per-account and per-address rates
 *   api.c    the JMAP-shaped method table behind POST /api (back-references, limits,
 *            one JMAP error per failed call, the others still run)
 *   store/   all SQL of the node (one SQLite file, WAL, ordered migrations), per-type
 *            get/set/changes/query, creation ids, change log with tombstones, blobs
 *   seed.c   deterministic demo data
 * Nothing here calls exit() below main. */
#ifndef KONTOR_NODE_H
#define KONTOR_NODE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "kontor/buf.h"
#include "kontor/crypto.h"
#include "kontor/err.h"

struct nstore; /* store/nstore.h */

/* Limits published in the session object and enforced (413 / JMAP errors). */
struct node_limits {
	size_t max_size_request;  /* bytes of a POST /api body (after gunzip): 4 MiB */
	int max_calls_in_request; /* 64 */
	int max_objects_in_get;   /* 500 */
	int max_objects_in_set;   /* 500 */
	int max_query_limit;      /* 500 */
	size_t max_upload;        /* 10 MiB */
	int max_connections;      /* open connections in all: 1024 */
	int rate_account_per_min; /* signed requests per account per minute: 600 */
	int rate_addr_per_min;    /* requests per client address per minute: 3000 */
	int max_changes;          /* default and ceiling of maxChanges: 5000 */
};
void node_limits_default(struct node_limits *l);

/* How a buyer adds money to his wallet on this node (`kontord admin funding`): one line
 * the operator sets in the database's meta, published in the session object as
 * "funding" (absent when unset), which clients show with the wallet. */
#define NODE_FUNDING_META "funding"
#define NODE_FUNDING_MAX 500

struct node {
	char *db_path; /* owned */
	char name[64];
	struct kkeypair key;             /* the node key (escrow agent, attestations) */
	char key_id[KCRYPTO_ID_LEN + 1]; /* account-id form of key.pk */
	struct node_limits limits;
	struct nstore *store; /* thread-safe: one SQLite connection per thread inside */
	/* State-change broadcast for /events: api.c bumps it after every committed write. */
	pthread_mutex_t ev_lock;
	pthread_cond_t ev_cond;
	uint64_t ev_seq;
	int stopping;
	/* The highest object and ledger states a notify has covered (under ev_lock). */
	int64_t covered_fp[2];
	int watch_on; /* node_watch_outside has looked once */
};

/* `kontord init`: creates the database (migrated) and the node key file DB.key (mode 0600,
 * unencrypted: a server cannot type a passphrase). K_EEXIST when either exists. */
int node_init(const char *db_path, const char *name, struct kerr *e);
/* Opens an initialised node: database (migrations applied; a newer schema refused) and key. */
int node_open(const char *db_path, struct node **out, struct kerr *e);
void node_close(struct node **n);
/* Wakes /events listeners (call after a commit that changed state). */
void node_notify(struct node *n);
/* Wakes them for what another process committed (`kontord admin deposit`, `admin resolve`,
 * `admin attest` beside a serving node): called by the serve loop once a second, it
 * notifies when the objects' or the ledger's state moved past what this process's
 * node_notify calls covered. */
void node_watch_outside(struct node *n);

/* ---- order.c: the node as escrow agent (DESIGN §6) ---------------------------------- */
struct order_ruling {
	char currency[4];
	int64_t escrow, buyer, seller; /* minor units: what escrow held and where it went */
	char section[48];              /* the ruling section's hash (the ledger reference) */
};
/* `kontord admin resolve`: the node signs a "ruling" section as escrow with its key,
 * appends it to the order's contract, splits the escrow balance (buyer_pct percent to the
 * buyer, rounded down; the rest to the seller) in one ledger transaction referenced by the
 * section hash, and moves the order to resolved; all in one database transaction.
 * K_ENOTFOUND for an unknown order, K_ECONFLICT naming the state unless it is disputed. */
int order_resolve(struct node *n, const char *order_id, int buyer_pct, const char *note,
                  struct order_ruling *out, struct kerr *e);
/* `kontord admin disputes`: each disputed order, oldest dispute first, as the arbitrator
 * reads it before ruling. The strings are the callback's to read, not to keep. */
struct order_dispute {
	const char *id, *buyer, *seller; /* the order's id, the parties' account ids */
	const char *by, *reason, *since; /* who disputed ("buyer", "seller"), why, when (UTC) */
	const char *answer;              /* the other party's side (NULL when not given) */
	const char *currency;
	int64_t escrow, total; /* minor units: what escrow holds, the order's total */
};
typedef int (*order_dispute_fn)(void *ctx, const struct order_dispute *d);
int order_disputes(struct node *n, order_dispute_fn each, void *ctx, struct kerr *e);
/* Releases to the seller every order delivered more than its autoReleaseDays before now
 * (and not disputed since): a "released" section signed as escrow, escrow -> the seller's
 * wallet, state completed; one database transaction per order. *released counts them
 * (may be NULL). Called by the serve loop once a minute and by `admin release-due`. */
int order_auto_release(struct node *n, int64_t now, int *released, struct kerr *e);
/* Seconds since 1970 of an RFC 3339 UTC time "YYYY-MM-DDTHH:MM:SSZ"; -1 when not one. */
int64_t order_time_of(const char *rfc3339);

/* ---- http.c ----------------------------------------------------------------------- */
#define SERVE_PROXIES_MAX 16
/* A trusted proxy: an address, or a network when bits is under the address's length. */
struct net_prefix {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	int bits;
};
/* The guards against one address taking the node (kontord(8), LIMITS). A field left 0 takes
 * its default; per-address limits of -1 are off. */
struct serve_opts {
	const char *listen;   /* "127.0.0.1:8443" (ADDR:PORT; [v6]:PORT) */
	const char *tls_cert; /* PEM paths; both required unless plain_http */
	const char *tls_key;
	int plain_http;           /* only allowed on a loopback address */
	int threads;              /* 0 = number of cores */
	int max_conn_per_addr;    /* open connections from one address: 64 */
	int max_streams;          /* open /events streams in all: 7/8 of the connections */
	int max_streams_per_addr; /* open /events streams from one address: 8 */
	int request_timeout;      /* s for a request's headers to arrive, and for its body
	                           * on top of the declared size at body_rate: 10 */
	int body_rate;            /* bytes per second a body must average: 16384 */
	struct net_prefix proxies[SERVE_PROXIES_MAX]; /* --trusted-proxy */
	int nproxies;
};
/* Adds "ADDR[/BITS][,ADDR[/BITS]...]" (numeric IPv4 or IPv6) to o's trusted proxies, whose
 * X-Forwarded-For names the client. K_EINVAL naming the entry, K_ETOOBIG past
 * SERVE_PROXIES_MAX. */
int serve_proxies_add(struct serve_opts *o, const char *list, struct kerr *e);
/* Serves until SIGINT or SIGTERM (then finishes in-flight requests and returns K_OK).
 * Prints "kontord: listening on https://ADDR:PORT" on stderr once the socket is bound.
 * One log line per request on stderr. */
int http_serve(struct node *n, const struct serve_opts *o, struct kerr *e);

/* ---- api.c ------------------------------------------------------------------------ */
/* Who is calling: the account id from a verified signature, or NULL for anonymous
 * (anonymous callers may only read public data: Account/get, Listing/get|query|changes). */
struct api_caller {
	const char *account_id;
	const char *addr; /* client address text, for logs */
};
/* Runs one POST /api body. Fills out with the JSON response (methodResponses or a
 * request-level error object {type, description}) and methods with the comma-separated
 * method names (for the log line). Returns the HTTP status: 200, or 400 (not JSON / not a
 * request), 401 (a method needs a signature and there is none), 413 (over the calls limit). */
int api_handle(struct node *n, const struct api_caller *who, const char *body, size_t len,
               struct kbuf *out, struct kbuf *methods);
/* 1 when account_id has a profile on this node (made by its Account/set). The node takes
 * no write from an account without one; reads stay open. */
int api_registered(struct node *n, const char *account_id);
/* prefix, then nbytes (at most 32) random bytes in unpadded base64url, into out (outlen
 * bytes, cut short to fit): the node's fresh ids and payment references. */
void api_random_ref(const char *prefix, size_t nbytes, char *out, size_t outlen);
/* The refusal's sentence, with two %s: the method or endpoint, then the account id. */
#define API_UNREGISTERED_FMT                                                                       \
	"%s: account %s is not registered on this node; register it first with Account/set "       \
	"(`kontor node add` does)"
/* The session object for GET /.well-known/kontor (node name and key, URLs, capabilities
 * with limits, state), appended to out as JSON. base is "https://host:port". */
void api_session(struct node *n, const char *base, struct kbuf *out);
/* {"Listing": "123", "Account": "45", ...}: current state of every type (for /events). */
void api_states(struct node *n, struct kbuf *out);

/* ---- auth.c ----------------------------------------------------------------------- */
struct auth; /* replay cache and rate buckets; thread-safe */
struct auth *auth_new(const struct node_limits *l);
void auth_free(struct auth **a);
/* Checks an Authorization header over the exact body bytes at time now. On success
 * account_id gets the signer. K_EVERIFY with the reason (401 + WWW-Authenticate). */
int auth_check(struct auth *a, const char *header, const void *body, size_t len, int64_t now,
               char account_id[KCRYPTO_ID_LEN + 1], struct kerr *e);
/* Refuses signatures created before t (the server's start): the replay cache is in memory,
 * so a signature from before a restart might already have been used. */
void auth_set_floor(struct auth *a, int64_t t);
/* 0 when allowed, else the seconds to wait (429 with Retry-After). key is an account id or
 * an address; per_min the allowance. */
int auth_rate(struct auth *a, const char *key, int per_min, int64_t now);

/* ---- seed.c ----------------------------------------------------------------------- */
struct seed_opts {
	long listings;
	long accounts;
	uint64_t seed;
};
int seed_run(struct node *n, const struct seed_opts *o, struct kerr *e);

/* ---- attest.c: the node vouches for a business (DESIGN §6, Verified identity) -------- */
struct cJSON;
/* What `kontord admin attest` vouches for; issued and expires are RFC 3339 UTC. */
struct node_attestation {
	const char *legal_name;
	const char *country; /* ISO 3166-1 alpha-2 */
	const char *registration;
	const char *level; /* "business" or "factory" */
	const char *issued;
	const char *expires; /* after issued */
};
/* The attestation a as JSON (legalName, country, registration, level, issued, expires, and
 * by: the node key id), signed with the node key sk: "sig" over the canonical attestation
 * without it (kind "attestation"), which is what clients verify against the node key they
 * pinned. *out is the caller's (cJSON_Delete); K_EINVAL when it has no canonical form. */
int node_attest_make(const struct node_attestation *a, const char *by,
                     const uint8_t sk[KCRYPTO_SK_BYTES], struct cJSON **out, struct kerr *e);
/* Stores a new attestation, signed by n's key and naming it in "by", in account_id's
 * Account object (replacing any), in one transaction that logs an Account change, so
 * clients pull it with Account/changes. *out (may be NULL) gets the signed attestation
 * (caller cJSON_Delete). K_ENOTFOUND for an account not on this node; K_EINVAL naming the
 * field for a bad value. */
int node_attest(struct node *n, const char *account_id, const struct node_attestation *a,
                struct cJSON **out, struct kerr *e);
/* Removes the account's attestation (an Account change). K_ENOTFOUND when the account is
 * unknown or has none. */
int node_attest_revoke(struct node *n, const char *account_id, struct kerr *e);

#endif
