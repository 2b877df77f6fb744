/* fuzz_http — the HTTP layer's readers of outside text (Range, Accept-Encoding, Host,
 * --listen, --trusted-proxy, X-Forwarded-For, gzip bodies, log cleaning) on arbitrary bytes:
 * no crash, every answer in bounds, and gzip always gives back what it was given. */
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

	/* As --trusted-proxy: whatever is taken is a whole prefix, never past the table. */
	struct serve_opts o;
	memset(&o, 0, sizeof o);
	int rc = serve_proxies_add(&o, s, &e);
	check(rc == K_OK || rc == K_EINVAL || rc == K_ETOOBIG, "proxies: unexpected status");
	check(o.nproxies >= 0 && o.nproxies <= SERVE_PROXIES_MAX, "proxies: past the table");
	for (int i = 0; i < o.nproxies; i++)
		check((o.proxies[i].family == AF_INET && o.proxies[i].bits <= 32) ||
		          (o.proxies[i].family == AF_INET6 && o.proxies[i].bits <= 128),
		      "proxies: a prefix longer than its address");
	if (rc != K_OK)
		check(e.msg[0] != '\0', "proxies: refused without a reason");

	/* As X-Forwarded-For behind loopback and 10/8 proxies: the client given is an address,
	 * and a trusted one only when every hop read was trusted (HTTP_XFF_HOPS at most). */
	struct serve_opts tp;
	memset(&tp, 0, sizeof tp);
	check(serve_proxies_add(&tp, "127.0.0.0/8,10.0.0.0/8,::1", &e) == K_OK, "proxies: fixed");
	int family = 0;
	uint8_t a[16];
	if (http_xff_client(s, tp.proxies, tp.nproxies, &family, a)) {
		check(family == AF_INET || family == AF_INET6, "xff: not an address");
		char text[INET6_ADDRSTRLEN], key[HTTP_ADDR_KEY_MAX];
		http_addr_text(family, a, text, key);
		check(text[0] != '\0' && key[0] != '\0', "xff: no text for the address");
		check(!strpbrk(text, " ,\r\n") && !strpbrk(key, " ,\r\n"),
		      "xff: a list as one hop");
	}

	char clean[64];
	http_log_clean(clean, sizeof clean, s);
	for (const char *p = clean; *p; p++)
		check((unsigned char)*p > ' ' && *p != 0x7f, "log: control byte left in");

	/* As a gzip body, under a small limit: never more than the limit comes out. */
	struct kbuf out = KBUF_INIT;
	rc = http_gunzip(data, size, 4096, &out, &e);
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
