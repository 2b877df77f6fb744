/* fuzz_beckn_header — kcrypto_beckn_parse and the strict base64 decoders on arbitrary bytes:
 * no crash, and whatever is accepted must be well-formed and re-encode to the same text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/crypto.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_beckn_header: %s\n", what);
		abort();
	}
}

static void fuzz_b64(const uint8_t *data, size_t size, enum kb64 v)
{
	uint8_t *bin = malloc(size + 1);
	size_t n = 0;
	if (kcrypto_b64_decode((const char *)data, size, v, bin, size, &n) == K_OK) {
		/* Strict decoding means one spelling per value: encoding gives the input back. */
		struct kbuf b = KBUF_INIT;
		kcrypto_b64_encode(bin, n, v, &b);
		check(b.len == size && memcmp(b.data, data, size) == 0,
		      "base64 does not round-trip");
		kbuf_free(&b);
		/* One byte less room than needed must be refused, never overrun. */
		if (n > 0)
			check(kcrypto_b64_decode((const char *)data, size, v, bin, n - 1, &n) ==
			          K_EINVAL,
			      "base64 decoded into too small a buffer");
	}
	free(bin);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	if (!inited) {
		struct kerr e;
		check(kcrypto_init(&e) == K_OK, "kcrypto_init failed");
		inited = 1;
	}

	/* An exact-size heap copy, so ASan catches any read past the given length. */
	char *h = malloc(size ? size : 1);
	memcpy(h, data, size);
	struct kbeckn_sig s;
	struct kerr e = {0};
	int rc = kcrypto_beckn_parse(h, size, &s, &e);
	if (rc == K_OK) {
		check(size <= 2048, "accepted an oversized header");
		check(strcmp(s.algorithm, "ed25519") == 0, "accepted another algorithm");
		check(strcmp(s.headers, "(created) (expires) digest") == 0,
		      "accepted other headers");
		check(s.subscriber_id[0] && strlen(s.subscriber_id) < sizeof s.subscriber_id &&
		          !strchr(s.subscriber_id, '|'),
		      "bad subscriber id");
		check(s.unique_key_id[0] && !strchr(s.unique_key_id, '|'), "bad unique key id");
		check(s.created >= 0 && s.expires >= 0, "negative time");
		/* Verification of whatever parsed must fail cleanly, never crash. */
		uint8_t pk[KCRYPTO_PK_BYTES] = {0};
		pk[0] = 1;
		kcrypto_beckn_verify(&s, data, size, pk, s.created, 0, &e);
	} else {
		check(rc == K_EINVAL && e.code == K_EINVAL && e.msg[0], "failure without a reason");
		check(strlen(e.msg) < sizeof e.msg, "message not terminated");
	}
	free(h);

	fuzz_b64(data, size, KB64_STD);
	fuzz_b64(data, size, KB64_URL_NOPAD);

	/* Account ids are parsed from the same kind of outside text. */
	char *id = malloc(size + 1);
	memcpy(id, data, size);
	id[size] = '\0';
	uint8_t pk[KCRYPTO_PK_BYTES];
	if (kcrypto_account_pk(id, pk, &e) == K_OK) {
		char back[KCRYPTO_ID_LEN + 1];
		kcrypto_account_id(pk, back);
		check(strcmp(back, id) == 0, "account id does not round-trip");
	}
	free(id);
	return 0;
}
