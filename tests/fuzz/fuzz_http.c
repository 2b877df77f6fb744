/* fuzz_http — the HTTP layer's readers of outside text (Range, Accept-Encoding, Host,
 * --listen, gzip bodies, log cleaning) on arbitrary bytes: no crash, every answer in bounds,
 * and gzip always gives back what it was given. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/node/http_int.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_http: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Headers reach http.c as C strings. */
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';

	uint64_t sizes[] = {0, 1, 100, (uint64_t)size, UINT64_MAX / 2};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		uint64_t from = 0, to = 0;
		int r = http_range_parse(s, sizes[i], &from, &to);
		check(r >= -1 && r <= 1, "range: unknown answer");
		if (r == 1)
			check(from <= to && to < sizes[i], "range: outside the body");
	}
	(void)http_accepts_gzip(s);
	if (http_host_ok(s))
		check(!strpbrk(s, "/ @\r\n\t?#"),
		      "host: accepted a character a URL host cannot hold");

	struct http_listen l;
	struct kerr e = {0};
	if (http_listen_parse(s, &l, &e) == K_OK)
		check(l.port >= 0 && l.port <= 65535 && l.addr_len > 0, "listen: bad result");
	else
		check(e.msg[0] != '\0', "listen: refused without a reason");

	char clean[64];
	http_log_clean(clean, sizeof clean, s);
	for (const char *p = clean; *p; p++)
		check((unsigned char)*p > ' ' && *p != 0x7f, "log: control byte left in");

	/* As a gzip body, under a small limit: never more than the limit comes out. */
	struct kbuf out = KBUF_INIT;
	int rc = http_gunzip(data, size, 4096, &out, &e);
	check(rc == K_OK || rc == K_EINVAL || rc == K_ETOOBIG, "gunzip: unexpected status");
	check(out.len <= 4096, "gunzip: over the limit");
	if (rc != K_OK)
		check(out.len == 0, "gunzip: kept output after refusing");
	kbuf_free(&out);

	/* And as a response body: gzip then gunzip is the identity. */
	struct kbuf z = KBUF_INIT, back = KBUF_INIT;
	http_gzip(data, size, &z);
	check(http_gunzip(z.data, z.len, size, &back, &e) == K_OK, "gzip: does not inflate");
	check(back.len == size && (size == 0 || memcmp(back.data, data, size) == 0),
	      "gzip: does not round-trip");
	kbuf_free(&z);
	kbuf_free(&back);
	free(s);
	return 0;
}
