/* sync — the cache and one node brought into step: push sends the outbox in batches (as many
 * calls per request as the node's limits allow) and clears each entry only when the node
 * confirmed it; pull asks Foo/changes for every type in one request, pages with maxChanges,
 * commits each page in one transaction with its new state, and resumes from there after a
 * failure. Creation ids make a push repeated after a crash harmless: nothing is lost and
 * nothing is made twice. */
#ifndef KONTOR_CLIENT_NET_SYNC_H
#define KONTOR_CLIENT_NET_SYNC_H

#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "kontor/crypto.h"
#include "kontor/err.h"

struct store;
struct knet;

#define SYNC_NTYPES 7 /* Account, Listing, Rfq, Conversation, Message, Contract, Order */
extern const char *const sync_types[SYNC_NTYPES];

struct sync_stats {
	int64_t pushed;            /* outbox entries the node confirmed */
	int64_t refused;           /* entries the node refused (kept, with the reason) */
	int64_t waiting;           /* entries still queued after the push */
	int64_t held;              /* refused entries (now or before) waiting for `outbox retry` */
	int64_t got[SYNC_NTYPES];  /* objects created or updated in the cache */
	int64_t gone[SYNC_NTYPES]; /* objects destroyed */
	int64_t bad_sig;           /* listings or attestations dropped: signature does not verify */
	int64_t resyncs;           /* types fetched whole after cannotCalculateChanges */
	int64_t requests;          /* HTTP requests made */
	uint64_t bytes_up, bytes_down;
	char first_refusal[256]; /* the first refusal's reason, "" when none */
};

struct ksync;

/* Connects to the named node as self (kp signs every request; NULL: public calls only).
 * The node's pinned key is checked on every answer. KSYNC_QUICK gives up sooner (two
 * attempts, 5 s to connect): for the push that follows a write, which must not keep a
 * user waiting on a dead link when the next sync will deliver anyway. */
#define KSYNC_QUICK 1u
int ksync_open(struct store *s, const char *node, const char *self_id, const struct kkeypair *kp,
               unsigned flags, struct ksync **out, struct kerr *e);
void ksync_close(struct ksync **k);
/* The session (GET /.well-known/kontor) when the cached one is missing, for the limits. */
int ksync_push(struct ksync *k, struct sync_stats *st, struct kerr *e);
int ksync_pull(struct ksync *k, struct sync_stats *st, struct kerr *e);
/* Bytes and requests so far are in st after each call; this records them on the node. */
int ksync_finish(struct ksync *k, struct sync_stats *st, struct kerr *e);
/* One page of a pull, decoded from the node's answer (a pure function, fuzzed): the
 * Foo/changes response of type t under call id "c<t>.<tag>" and its two chained Foo/get
 * lists "g<t>" (created) and "u<t>" (updated). Pointers point into resp. K_EFAIL "node
 * answered garbage: ..." when a part is missing or of the wrong shape. */
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

/* Listing/get of one id, verified against its seller, into the cache. K_ENOTFOUND when the
 * node has none; K_EVERIFY when it does not verify (nothing cached). */
int ksync_fetch_listing(struct ksync *k, const char *id, struct kerr *e);

/* The knet of this sync (for remote search and downloads). */
struct knet *ksync_net(struct ksync *k);

#endif
