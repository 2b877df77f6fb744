/* auth — who is calling: the Beckn HTTP signature of DESIGN §4 checked over the exact body,
 * a replay cache that remembers every accepted signature until it expires, and token-bucket
 * rates per account and per address. Bounded memory; never forgets a live signature. */
#include <inttypes.h>
#include <pthread.h>
#include <stddef.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"

/* A signature accepted now expires at most KBECKN_MAX_SKEW + KBECKN_MAX_TTL s from now;
 * holding a million of them covers about 3,000 signed requests a second. */
#define REPLAY_MAX 1000000u
/* Distinct rate keys (accounts and addresses) tracked at once; an idle key is the same as an
 * absent one, so only keys active within the last minute count against this. */
#define RATE_MAX 200000u
#define TABLE_MIN 1024u
#define SWEEP_EVERY 60 /* s: drop expired entries at least this often */

/* Entries hold a keyed 128-bit BLAKE2b of the signature or rate key, not the bytes
 * themselves: a third of the memory, and with a random key nobody can aim collisions. */
#define TAG_BYTES 16

struct replay_slot {
	uint8_t tag[TAG_BYTES];
	int64_t expires; /* 0 = empty: a valid signature always expires after time 0 */
};

struct rate_slot {
	uint8_t tag[TAG_BYTES];
	int64_t last;   /* when tokens was last brought up to date; 0 = empty */
	int64_t tokens; /* sixtieths of a request: a second refills exactly per_min of them */
};

/* A table of fixed-size slots, each with its tag first: open addressing, linear probing,
 * load <= 1/2. */
struct table {
	void *slots;
	size_t cap; /* power of two */
	size_t used;
	int64_t swept; /* when the expired slots were last dropped */
};

struct auth {
	uint8_t key[crypto_generichash_KEYBYTES];

	pthread_mutex_t replay_lock;
	struct table replay; /* of struct replay_slot */

	pthread_mutex_t rate_lock;
	struct table rate; /* of struct rate_slot */

	int64_t floor; /* signatures created before this are refused: see auth_set_floor */
};

static void tag_of(const struct auth *a, const void *p, size_t n, uint8_t tag[TAG_BYTES])
{
	crypto_generichash(tag, TAG_BYTES, p, n, a->key, sizeof a->key);
}

static size_t slot_of(const uint8_t tag[TAG_BYTES], size_t cap)
{
	uint64_t h;
	memcpy(&h, tag, sizeof h);
	return (size_t)h & (cap - 1);
}

struct auth *auth_new(const struct node_limits *l)
{
	(void)l; /* the rates come with each auth_rate call, so a reload needs no new auth */
	struct auth *a = xcalloc(1, sizeof *a);
	randombytes_buf(a->key, sizeof a->key);
	pthread_mutex_init(&a->replay_lock, NULL);
	pthread_mutex_init(&a->rate_lock, NULL);
	a->replay.cap = TABLE_MIN;
	a->replay.slots = xcalloc(a->replay.cap, sizeof(struct replay_slot));
	a->rate.cap = TABLE_MIN;
	a->rate.slots = xcalloc(a->rate.cap, sizeof(struct rate_slot));
	return a;
}

void auth_set_floor(struct auth *a, int64_t t)
{
	a->floor = t;
}

void auth_free(struct auth **pa)
{
	struct auth *a = *pa;
	if (!a)
		return;
	pthread_mutex_destroy(&a->replay_lock);
	pthread_mutex_destroy(&a->rate_lock);
	free(a->replay.slots);
	free(a->rate.slots);
	sodium_memzero(a->key, sizeof a->key);
	free(a);
	*pa = NULL;
}

/* ---- replay cache ------------------------------------------------------------------ */

/* Before an insert into t (slots of size bytes): at least every SWEEP_EVERY s, and whenever
 * one more slot would pass load 1/2, t becomes a copy holding only the slots live at now,
 * sized for them + 1 at load <= 1/2. Rebuilding rather than deleting in place keeps linear
 * probing free of tombstones. */
static void table_tidy(struct table *t, size_t size, int (*live)(const void *slot, int64_t now),
                       int64_t now)
{
	if (now - t->swept < SWEEP_EVERY && 2 * (t->used + 1) <= t->cap)
		return;
	const unsigned char *o = t->slots;
	size_t n = 0;
	for (size_t i = 0; i < t->cap; i++)
		n += live(o + i * size, now) != 0;
	size_t ncap = TABLE_MIN;
	while (ncap < 2 * (n + 1))
		ncap *= 2;
	unsigned char *c = xcalloc(ncap, size);
	for (size_t i = 0; i < t->cap; i++) {
		const unsigned char *s = o + i * size;
		if (!live(s, now))
			continue;
		size_t j = slot_of(s, ncap);
		while (live(c + j * size, now)) /* every slot copied in is live */
			j = (j + 1) & (ncap - 1);
		memcpy(c + j * size, s, size);
	}
	free(t->slots);
	t->slots = c;
	t->cap = ncap;
	t->used = n;
	t->swept = now;
}

_Static_assert(offsetof(struct replay_slot, tag) == 0, "table_tidy finds the tag first");
_Static_assert(offsetof(struct rate_slot, tag) == 0, "table_tidy finds the tag first");

/* A remembered signature is live until it expires. */
static int replay_live(const void *slot, int64_t now)
{
	return ((const struct replay_slot *)slot)->expires > now;
}

/* K_OK and remembered, K_EVERIFY when seen before, K_EFAIL when the cache is full. */
static int replay_admit(struct auth *a, const uint8_t sig[KCRYPTO_SIG_BYTES], int64_t expires,
                        int64_t now, struct kerr *e)
{
	uint8_t tag[TAG_BYTES];
	tag_of(a, sig, KCRYPTO_SIG_BYTES, tag);
	int rc = K_OK;
	pthread_mutex_lock(&a->replay_lock);
	table_tidy(&a->replay, sizeof(struct replay_slot), replay_live, now);
	struct replay_slot *r = a->replay.slots;
	size_t j = slot_of(tag, a->replay.cap);
	for (; r[j].expires; j = (j + 1) & (a->replay.cap - 1)) {
		if (sodium_memcmp(r[j].tag, tag, TAG_BYTES) == 0 && r[j].expires > now) {
			rc = kerr_set(e, K_EVERIFY,
			              "replayed signature: this Authorization was already used; "
			              "sign every request anew");
			goto out;
		}
	}
	/* Refuse rather than forget: forgetting a live signature would let it be replayed. */
	if (a->replay.used >= REPLAY_MAX) {
		rc = kerr_set(e, K_EFAIL,
		              "the node is remembering %u signatures and takes no more until "
		              "some expire; try again in a minute",
		              REPLAY_MAX);
		goto out;
	}
	memcpy(r[j].tag, tag, TAG_BYTES);
	r[j].expires = expires;
	a->replay.used++;
out:
	pthread_mutex_unlock(&a->replay_lock);
	return rc;
}

int auth_check(struct auth *a, const char *header, const void *body, size_t len, int64_t now,
               char account_id[KCRYPTO_ID_LEN + 1], struct kerr *e)
{
	if (!header || !*header)
		return kerr_set(e, K_EVERIFY, "no Authorization header");
	struct kbeckn_sig s;
	struct kerr pe = {0};
	if (kcrypto_beckn_parse(header, strlen(header), &s, &pe) != K_OK)
		return kerr_set(e, K_EVERIFY, "malformed %s", pe.msg);
	/* The account id is the public key, so a registration can be checked before the
	 * account exists, and there is no key directory to consult. */
	uint8_t pk[KCRYPTO_PK_BYTES];
	if (kcrypto_account_pk(s.subscriber_id, pk, NULL) != K_OK)
		return kerr_set(e, K_EVERIFY,
		                "unknown key: the keyId subscriber \"%.64s\" is not a kontor "
		                "account id",
		                s.subscriber_id);
	int rc = kcrypto_beckn_verify(&s, body, len, pk, now, 0, e);
	if (rc != K_OK)
		return rc;
	/* The replay cache lives in memory: a signature made before this process started may
	 * have been used by the one before it, so it is refused rather than trusted. */
	if (s.created < a->floor)
		return kerr_set(
		    e, K_EVERIFY,
		    "signed before this node started (created %lld, started %lld): sign "
		    "the request again",
		    (long long)s.created, (long long)a->floor);
	/* Only verified signatures reach the cache, so garbage cannot fill it. */
	rc = replay_admit(a, s.sig, s.expires, now, e);
	if (rc != K_OK)
		return rc;
	memcpy(account_id, s.subscriber_id, KCRYPTO_ID_LEN);
	account_id[KCRYPTO_ID_LEN] = '\0';
	return K_OK;
}

/* ---- rates ------------------------------------------------------------------------- */

/* A bucket holds per_min requests and refills in a minute, so one untouched for a minute is
 * full: the same as no bucket at all, and safe to drop. */
#define RATE_IDLE 60

/* A bucket is live while it has been used within RATE_IDLE. */
static int rate_live(const void *slot, int64_t now)
{
	const struct rate_slot *s = slot;
	return s->last && now - s->last < RATE_IDLE;
}

int auth_rate(struct auth *a, const char *key, int per_min, int64_t now)
{
	if (per_min <= 0 || !key)
		return 0;
	/* Time 0 marks an empty slot; clocks before 1970 are not worth a second sentinel. */
	if (now < 1)
		now = 1;
	const int64_t full = (int64_t)per_min * 60;
	uint8_t tag[TAG_BYTES];
	tag_of(a, key, strlen(key), tag);
	int wait = 0;
	pthread_mutex_lock(&a->rate_lock);
	table_tidy(&a->rate, sizeof(struct rate_slot), rate_live, now);
	struct rate_slot *r = a->rate.slots;
	size_t j = slot_of(tag, a->rate.cap);
	while (r[j].last && sodium_memcmp(r[j].tag, tag, TAG_BYTES) != 0)
		j = (j + 1) & (a->rate.cap - 1);
	struct rate_slot *s = &r[j];
	if (!s->last) {
		/* Every live key is in the table after a rebuild, so when it is full of them
		 * a newcomer goes unmetered rather than locking everyone out. */
		if (a->rate.used >= RATE_MAX)
			goto out;
		memcpy(s->tag, tag, TAG_BYTES);
		s->last = now;
		s->tokens = full;
		a->rate.used++;
	} else if (now > s->last) {
		int64_t dt = now - s->last;
		int64_t add = dt >= RATE_IDLE ? full : dt * per_min;
		s->tokens = s->tokens + add > full ? full : s->tokens + add;
		s->last = now;
	}
	if (s->tokens > full) /* per_min lowered since the last call */
		s->tokens = full;
	if (s->tokens >= 60) {
		s->tokens -= 60;
	} else {
		/* Seconds until one whole request has refilled, rounded up. */
		int64_t secs = (60 - s->tokens + per_min - 1) / per_min;
		wait = secs < 1 ? 1 : (int)secs;
	}
out:
	pthread_mutex_unlock(&a->rate_lock);
	return wait;
}
