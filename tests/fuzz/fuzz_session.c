/* fuzz_session — knet_session_parse (the node's session object, src/client/net/session.c)
 * on arbitrary bytes: no crash, a reason for every refusal, and whatever is accepted is
 * complete and well-formed (terminated strings, positive limits, a real node key). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/client/net/session.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_session: %s\n", what);
		abort();
	}
}

static int terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
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
	struct knet_session s;
	struct kerr e = {0};
	int rc = knet_session_parse(h, size, &s, &e);
	if (rc == K_OK) {
		check(terminated(s.name, sizeof s.name) && s.name[0], "bad name");
		check(terminated(s.state, sizeof s.state) && s.state[0], "bad state");
		uint8_t pk[KCRYPTO_PK_BYTES];
		check(kcrypto_account_pk(s.node_key, pk, NULL) == K_OK, "accepted a bad node key");
		const char *urls[] = {s.api_url, s.upload_url, s.download_url, s.event_source_url};
		for (int i = 0; i < 4; i++) {
			check(terminated(urls[i], KNET_URL_MAX), "URL not terminated");
			check(strncmp(urls[i], "http", 4) == 0, "URL without http(s)");
			for (const char *p = urls[i]; *p; p++)
				check(*p > 0x20 && *p < 0x7f, "URL with a space or control byte");
		}
		check(strstr(s.download_url, "{blobId}") != NULL, "downloadUrl without {blobId}");
		check(s.max_size_request >= 1 && s.max_calls_in_request >= 1 &&
		          s.max_objects_in_get >= 1 && s.max_objects_in_set >= 1 &&
		          s.max_size_upload >= 0,
		      "limit below 1");
	} else {
		check(rc == e.code && rc < 0 && e.msg[0], "failure without a reason");
		check(strlen(e.msg) < sizeof e.msg, "message not terminated");
		check(s.node_key[0] == '\0' && s.api_url[0] == '\0', "half-filled on failure");
	}
	free(h);
	return 0;
}
