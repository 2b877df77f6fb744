/* fuzz_auth — auth_check on arbitrary Authorization bytes and bodies: never a crash, every
 * refusal with a reason; and a body signed for real passes once and is then a replay.
 * Input: header bytes, a newline, then the body. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../../src/node/node.h"

#define NOW 1700000000

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_auth: %s\n", what);
		abort();
	}
}

static struct auth *shared;
static struct kkeypair key;
static char key_id[KCRYPTO_ID_LEN + 32];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!shared) {
		struct kerr e;
		check(kcrypto_init(&e) == K_OK, "kcrypto_init failed");
		struct node_limits l = {0};
		shared = auth_new(&l);
		/* A fixed key, so a crash reproduces from its input alone. */
		uint8_t seed[32] = {7};
		crypto_sign_seed_keypair(key.pk, key.sk, seed);
		char id[KCRYPTO_ID_LEN + 1];
		kcrypto_account_id(key.pk, id);
		snprintf(key_id, sizeof key_id, "%s|k1|ed25519", id);
	}

	const uint8_t *nl = memchr(data, '\n', size);
	size_t hlen = nl ? (size_t)(nl - data) : size;
	size_t blen = nl ? size - hlen - 1 : 0;
	/* Headers reach auth_check as C strings; the body as an exact-size heap copy so ASan
	 * sees any read past its end. */
	char *header = malloc(hlen + 1);
	memcpy(header, data, hlen);
	header[hlen] = '\0';
	uint8_t *body = malloc(blen ? blen : 1);
	if (blen)
		memcpy(body, nl + 1, blen);

	/* The time comes from the input too, so the window checks see every edge. */
	int64_t now = NOW + (int64_t)(blen ? body[0] : 0) * 7 - 600;
	char id[KCRYPTO_ID_LEN + 1];
	struct kerr e = {0};
	int rc = auth_check(shared, header, body, blen, now, id, &e);
	if (rc == K_OK) {
		check(strlen(id) == KCRYPTO_ID_LEN, "accepted with a bad account id");
	} else {
		check(rc == K_EVERIFY || rc == K_EFAIL, "refused with an unexpected status");
		check(e.code == rc && e.msg[0] && strlen(e.msg) < sizeof e.msg, "no reason given");
	}
	check(auth_rate(shared, header, 1 + (int)(hlen % 100), now) >= 0, "negative wait");

	/* The same body signed for real: accepted once, refused the second time. */
	struct auth *a = auth_new(&(struct node_limits){0});
	struct kbuf h = KBUF_INIT;
	kcrypto_beckn_authorization(key_id, NOW, NOW + 60, body, blen, key.sk, &h);
	check(auth_check(a, kbuf_str(&h), body, blen, NOW, id, &e) == K_OK,
	      "a real signature was refused");
	check(auth_check(a, kbuf_str(&h), body, blen, NOW, id, &e) == K_EVERIFY,
	      "a replay was accepted");
	if (blen) {
		/* Any change to the body breaks the digest. */
		body[blen / 2] ^= 1;
		kbuf_reset(&h);
		kcrypto_beckn_authorization(key_id, NOW, NOW + 60, body, blen, key.sk, &h);
		body[blen / 2] ^= 1;
		check(auth_check(a, kbuf_str(&h), body, blen, NOW, id, &e) == K_EVERIFY,
		      "an altered body was accepted");
	}
	kbuf_free(&h);
	auth_free(&a);
	free(header);
	free(body);
	return 0;
}
