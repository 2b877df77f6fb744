/* test_http — the parts of kontord's HTTP layer that read outside text: --listen, Range,
 * Accept-Encoding, Host, gzip bodies (zip bombs included), log-line cleaning, --trusted-proxy
 * and X-Forwarded-For, and the per-address keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/node/http_int.h"

static void test_listen_parses_ipv4_and_bracketed_ipv6(void **state)
{
	struct http_listen l;
	struct kerr e = {0};
	assert_int_equal(http_listen_parse("127.0.0.1:8443", &l, &e), K_OK);
	assert_int_equal(l.port, 8443);
	assert_true(l.loopback);
	assert_string_equal(l.host, "127.0.0.1");
	assert_int_equal(l.addr.ss_family, AF_INET);

	assert_int_equal(http_listen_parse("127.9.8.7:1", &l, &e), K_OK);
	assert_true(l.loopback);
	assert_int_equal(http_listen_parse("0.0.0.0:443", &l, &e), K_OK);
	assert_false(l.loopback);
	assert_int_equal(http_listen_parse("192.0.2.1:443", &l, &e), K_OK);
	assert_false(l.loopback);

	assert_int_equal(http_listen_parse("[::1]:0", &l, &e), K_OK);
	assert_int_equal(l.port, 0);
	assert_true(l.loopback);
	assert_string_equal(l.host, "[::1]");
	assert_int_equal(l.addr.ss_family, AF_INET6);
	assert_int_equal(http_listen_parse("[::]:8443", &l, &e), K_OK);
	assert_false(l.loopback);
	assert_int_equal(http_listen_parse("[2001:db8::1]:65535", &l, &e), K_OK);
	assert_false(l.loopback);
	assert_int_equal(l.port, 65535);
	assert_int_equal(http_listen_parse("[::ffff:127.0.0.1]:80", &l, &e), K_OK);
	assert_true(l.loopback);
}

static void test_listen_refuses_what_it_cannot_bind_with_a_reason(void **state)
{
	static const struct {
		const char *in, *says;
	} bad[] = {
	    {"", "ADDR:PORT"},
	    {"127.0.0.1", "no :PORT"},
	    {"127.0.0.1:", "not a number"},
	    {"127.0.0.1:http", "not a number"},
	    {"127.0.0.1:65536", "over 65535"},
	    {"127.0.0.1:123456", "not a number"},
	    {"127.0.0.1:-1", "not a number"},
	    {"localhost:8443", "names are not looked up"},
	    {"::1:8443", "brackets"},
	    {"[::1]8443", "[ADDR]:PORT"},
	    {"[::1:8443", "[ADDR]:PORT"},
	    {"[]:8443", "bad IPv6"},
	    {"[nonsense]:8443", "not an IPv6"},
	    {":8443", "no address"},
	    {"256.0.0.1:80", "not a numeric IPv4"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct http_listen l;
		struct kerr e = {0};
		assert_int_equal(http_listen_parse(bad[i].in, &l, &e), K_EINVAL);
		if (!strstr(e.msg, bad[i].says))
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"", bad[i].in, e.msg,
			         bad[i].says);
	}
	struct http_listen l;
	assert_int_equal(http_listen_parse(NULL, &l, NULL), K_EINVAL);
}

static void test_range_single_ranges_suffixes_and_unsatisfiable(void **state)
{
	static const struct {
		const char *h;
		uint64_t size;
		int want;
		uint64_t from, to;
	} cases[] = {
	    {"bytes=0-9", 100, 1, 0, 9},
	    {"bytes=10-", 100, 1, 10, 99},
	    {"bytes=90-200", 100, 1, 90, 99},
	    {"bytes=-10", 100, 1, 90, 99},
	    {"bytes=-1000", 100, 1, 0, 99},
	    {"bytes=99-99", 100, 1, 99, 99},
	    {"Bytes= 5-6 ", 100, 1, 5, 6},
	    {"bytes=100-", 100, -1, 0, 0},
	    {"bytes=100-200", 100, -1, 0, 0},
	    {"bytes=-0", 100, -1, 0, 0},
	    {"bytes=0-", 0, -1, 0, 0},
	    {"bytes=-5", 0, -1, 0, 0},
	    {"bytes=99999999999999999999999-", 100, -1, 0, 0},
	    /* Ignored, so the whole body goes out with 200. */
	    {NULL, 100, 0, 0, 0},
	    {"", 100, 0, 0, 0},
	    {"items=0-9", 100, 0, 0, 0},
	    {"bytes=0-9,20-29", 100, 0, 0, 0},
	    {"bytes=9-0", 100, 0, 0, 0},
	    {"bytes=a-b", 100, 0, 0, 0},
	    {"bytes=-", 100, 0, 0, 0},
	    {"bytes=5", 100, 0, 0, 0},
	    {"bytes=1-2-3", 100, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint64_t from = 7777, to = 7777;
		int got = http_range_parse(cases[i].h, cases[i].size, &from, &to);
		if (got != cases[i].want)
			fail_msg("\"%s\" over %llu: %d, want %d",
			         cases[i].h ? cases[i].h : "(null)",
			         (unsigned long long)cases[i].size, got, cases[i].want);
		if (got == 1) {
			assert_int_equal(from, cases[i].from);
			assert_int_equal(to, cases[i].to);
		}
	}
}

static void test_accept_encoding_gzip_unless_q_zero(void **state)
{
	assert_true(http_accepts_gzip("gzip"));
	assert_true(http_accepts_gzip("GZIP"));
	assert_true(http_accepts_gzip("deflate, gzip"));
	assert_true(http_accepts_gzip("br;q=1.0, gzip;q=0.5, *;q=0"));
	assert_true(http_accepts_gzip("x-gzip"));
	assert_true(http_accepts_gzip("gzip ;q=0.001"));
	assert_false(http_accepts_gzip(NULL));
	assert_false(http_accepts_gzip(""));
	assert_false(http_accepts_gzip("identity"));
	assert_false(http_accepts_gzip("br, deflate"));
	assert_false(http_accepts_gzip("gzip;q=0"));
	assert_false(http_accepts_gzip("gzip; q=0.000"));
	assert_false(http_accepts_gzip("gzipx"));
	assert_false(http_accepts_gzip("xgzip"));
}

static void test_gzip_round_trips(void **state)
{
	struct kbuf in = KBUF_INIT, z = KBUF_INIT, back = KBUF_INIT;
	for (int i = 0; i < 2000; i++)
		kbuf_printf(&in, "{\"id\":\"L%d\",\"title\":\"iron table legs\"},", i);
	http_gzip(in.data, in.len, &z);
	assert_true(z.len < in.len / 4);
	assert_int_equal((unsigned char)z.data[0], 0x1f); /* gzip magic, not raw zlib */
	assert_int_equal((unsigned char)z.data[1], 0x8b);
	struct kerr e = {0};
	assert_int_equal(http_gunzip(z.data, z.len, in.len, &back, &e), K_OK);
	assert_int_equal(back.len, in.len);
	assert_memory_equal(back.data, in.data, in.len);
	/* Empty in, empty out. */
	kbuf_reset(&z);
	kbuf_reset(&back);
	http_gzip("", 0, &z);
	assert_int_equal(http_gunzip(z.data, z.len, 10, &back, &e), K_OK);
	assert_int_equal(back.len, 0);
	kbuf_free(&in);
	kbuf_free(&z);
	kbuf_free(&back);
}

static void test_gunzip_stops_a_bomb_at_the_limit(void **state)
{
	/* 64 MiB of zeros squeeze into about 64 KiB. */
	size_t big = 64u << 20;
	char *zeros = calloc(1, big);
	struct kbuf z = KBUF_INIT, out = KBUF_INIT;
	http_gzip(zeros, big, &z);
	free(zeros);
	assert_true(z.len < 400000);
	struct kerr e = {0};
	assert_int_equal(http_gunzip(z.data, z.len, 4u << 20, &out, &e), K_ETOOBIG);
	assert_non_null(strstr(e.msg, "4194304"));
	assert_int_equal(out.len, 0);
	/* Memory stays within a doubling of the limit, not near the inflated size. */
	assert_true(out.cap <= (8u << 20) + 64);
	kbuf_free(&z);
	kbuf_free(&out);

	/* Exactly at the limit is fine; one byte over is not. */
	char body[1000];
	memset(body, 'x', sizeof body);
	http_gzip(body, sizeof body, &z);
	assert_int_equal(http_gunzip(z.data, z.len, sizeof body, &out, &e), K_OK);
	kbuf_reset(&out);
	assert_int_equal(http_gunzip(z.data, z.len, sizeof body - 1, &out, &e), K_ETOOBIG);
	kbuf_free(&z);
	kbuf_free(&out);
}

static void test_gunzip_refuses_damaged_cut_and_non_gzip_bodies(void **state)
{
	const char *json = "{\"using\":[\"urn:kontor:trade\"],\"methodCalls\":[]}";
	struct kbuf z = KBUF_INIT, out = KBUF_INIT;
	struct kerr e = {0};
	http_gzip(json, strlen(json), &z);

	assert_int_equal(http_gunzip(json, strlen(json), 1000, &out, &e), K_EINVAL);
	assert_int_equal(http_gunzip(z.data, z.len / 2, 1000, &out, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "cut short"));
	assert_int_equal(http_gunzip(z.data, 0, 1000, &out, &e), K_EINVAL);
	z.data[z.len - 6] ^= 0x55; /* the CRC no longer matches */
	assert_int_equal(http_gunzip(z.data, z.len, 1000, &out, &e), K_EINVAL);
	z.data[z.len - 6] ^= 0x55;
	kbuf_puts(&z, "trailing");
	assert_int_equal(http_gunzip(z.data, z.len, 1000, &out, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "after its end"));
	assert_int_equal(out.len, 0);
	kbuf_free(&z);
	kbuf_free(&out);
}

static void test_host_header_is_used_only_when_it_is_a_plain_host(void **state)
{
	assert_true(http_host_ok("node.example.com"));
	assert_true(http_host_ok("node.example.com:8443"));
	assert_true(http_host_ok("127.0.0.1:8443"));
	assert_true(http_host_ok("[::1]:8443"));
	assert_true(http_host_ok("[2001:db8::1]"));
	assert_false(http_host_ok(NULL));
	assert_false(http_host_ok(""));
	assert_false(http_host_ok("evil.example/path"));
	assert_false(http_host_ok("a b"));
	assert_false(http_host_ok("host:"));
	assert_false(http_host_ok("host:123456"));
	assert_false(http_host_ok("user@host"));
	assert_false(http_host_ok("[]:80"));
	assert_false(http_host_ok("[::1"));
	assert_false(http_host_ok("host\r\nX-Evil: 1"));
}

static void test_log_fields_stay_one_word(void **state)
{
	char out[16];
	http_log_clean(out, sizeof out, "/a b\n\x1b[31m");
	assert_string_equal(out, "/a?b??[31m");
	http_log_clean(out, sizeof out, "/a-very-long-path-indeed");
	assert_string_equal(out, "/a-very-long-pa");
	http_log_clean(out, sizeof out, NULL);
	assert_string_equal(out, "");
}

/* The client X-Forwarded-For names through the proxies p, as text ("" when none). */
static const char *xff(const char *h, const struct serve_opts *o)
{
	static char text[INET6_ADDRSTRLEN];
	char key[HTTP_ADDR_KEY_MAX];
	int family;
	uint8_t a[16];
	if (!http_xff_client(h, o->proxies, o->nproxies, &family, a))
		return "";
	http_addr_text(family, a, text, key);
	return text;
}

static void test_trusted_proxies_parse_lists_networks_and_refuse_the_rest(void **state)
{
	struct serve_opts o;
	memset(&o, 0, sizeof o);
	struct kerr e = {0};
	assert_int_equal(serve_proxies_add(&o, "127.0.0.1", &e), K_OK);
	assert_int_equal(serve_proxies_add(&o, "10.1.0.0/16, 2001:db8::/32,::1", &e), K_OK);
	assert_int_equal(o.nproxies, 4);
	assert_int_equal(o.proxies[0].bits, 32);
	assert_int_equal(o.proxies[1].bits, 16);
	assert_int_equal(o.proxies[2].family, AF_INET6);
	assert_int_equal(o.proxies[3].bits, 128);

	uint8_t a4[4] = {10, 1, 200, 3}, b4[4] = {10, 2, 0, 1}, lo[4] = {127, 0, 0, 1};
	assert_true(http_proxy_match(o.proxies, o.nproxies, AF_INET, a4));
	assert_false(http_proxy_match(o.proxies, o.nproxies, AF_INET, b4));
	assert_true(http_proxy_match(o.proxies, o.nproxies, AF_INET, lo));
	uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
	assert_true(http_proxy_match(o.proxies, o.nproxies, AF_INET6, mapped));
	uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
	assert_true(http_proxy_match(o.proxies, o.nproxies, AF_INET6, v6));
	v6[3] = 0xb9;
	assert_false(http_proxy_match(o.proxies, o.nproxies, AF_INET6, v6));
	/* A proxy written as IPv4-mapped IPv6 matches its IPv4 peer. */
	struct serve_opts m;
	memset(&m, 0, sizeof m);
	assert_int_equal(serve_proxies_add(&m, "::ffff:192.0.2.0/120", &e), K_OK);
	assert_int_equal(m.proxies[0].family, AF_INET);
	assert_int_equal(m.proxies[0].bits, 24);
	uint8_t in24[4] = {192, 0, 2, 77}, out24[4] = {192, 0, 3, 77};
	assert_true(http_proxy_match(m.proxies, m.nproxies, AF_INET, in24));
	assert_false(http_proxy_match(m.proxies, m.nproxies, AF_INET, out24));

	static const char *const bad[] = {"",          "localhost",  "10.0.0.0/33", "::1/129",
	                                  "10.0.0.1/", "10.0.0.1/x", "1.2.3.4:80",  "10.0.0.1,",
	                                  "[::1",      "1.2.3.4 / 8"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct serve_opts b;
		memset(&b, 0, sizeof b);
		e.msg[0] = '\0';
		if (serve_proxies_add(&b, bad[i], &e) != K_EINVAL)
			fail_msg("'%s' was taken", bad[i]);
		assert_non_null(strstr(e.msg, "--trusted-proxy"));
	}
	struct serve_opts full;
	memset(&full, 0, sizeof full);
	for (int i = 0; i < SERVE_PROXIES_MAX; i++)
		assert_int_equal(serve_proxies_add(&full, "192.0.2.1", &e), K_OK);
	assert_int_equal(serve_proxies_add(&full, "192.0.2.2", &e), K_ETOOBIG);
}

/* An IPv4 client from X-Forwarded-For fills 4 bytes; the other 12 are zero, whatever the
 * caller's buffer held, so no stale byte can ever reach a key built from all 16. */
static void test_xff_ipv4_client_leaves_no_stale_bytes(void **state)
{
	struct serve_opts o;
	memset(&o, 0, sizeof o);
	struct kerr e = {0};
	assert_int_equal(serve_proxies_add(&o, "127.0.0.1", &e), K_OK);
	int family;
	uint8_t a[16];
	memset(a, 0xaa, sizeof a);
	assert_int_equal(
	    http_xff_client("203.0.113.7, 127.0.0.1", o.proxies, o.nproxies, &family, a), 1);
	assert_int_equal(family, AF_INET);
	const uint8_t want[16] = {203, 0, 113, 7};
	assert_memory_equal(a, want, sizeof want);
}

static void test_xff_gives_the_rightmost_hop_that_is_not_a_trusted_proxy(void **state)
{
	struct serve_opts o;
	memset(&o, 0, sizeof o);
	struct kerr e = {0};
	assert_int_equal(serve_proxies_add(&o, "127.0.0.1,10.0.0.0/8,::1", &e), K_OK);
	assert_string_equal(xff("203.0.113.7", &o), "203.0.113.7");
	/* What the client wrote itself stands left of what the proxy appended. */
	assert_string_equal(xff("198.51.100.1, 203.0.113.7", &o), "203.0.113.7");
	assert_string_equal(xff("198.51.100.1,203.0.113.7 , 10.0.0.5", &o), "203.0.113.7");
	assert_string_equal(xff("203.0.113.7, 10.9.9.9, 127.0.0.1", &o), "203.0.113.7");
	assert_string_equal(xff("2001:db8::7, ::1", &o), "2001:db8::7");
	assert_string_equal(xff("[2001:db8::7]:4711", &o), "2001:db8::7");
	assert_string_equal(xff("203.0.113.7:4711", &o), "203.0.113.7");
	assert_string_equal(xff("::ffff:203.0.113.7", &o), "203.0.113.7");
	/* Only proxies: the leftmost of them. */
	assert_string_equal(xff("10.0.0.2, 127.0.0.1", &o), "10.0.0.2");
	/* A hop that cannot be read stops the walk at the trusted hop right of it. */
	assert_string_equal(xff("junk, 10.0.0.2", &o), "10.0.0.2");
	assert_string_equal(xff("203.0.113.7, unknown", &o), "");
	assert_string_equal(xff("203.0.113.7,", &o), "");
	assert_string_equal(xff("", &o), "");
	assert_string_equal(xff(NULL, &o), "");
	assert_string_equal(xff("1.2.3.4\r\nX: y", &o), "");
	assert_string_equal(xff("999.1.1.1", &o), "");
	/* Past HTTP_XFF_HOPS trusted hops the walk stops: the client is not found beyond. */
	char many[1024] = "203.0.113.7";
	size_t len = strlen(many);
	for (int i = 0; i < HTTP_XFF_HOPS + 2; i++)
		len += (size_t)snprintf(many + len, sizeof many - len, ", 10.0.0.1");
	assert_string_equal(xff(many, &o), "10.0.0.1");
}

static void test_addresses_keyed_by_ipv4_and_ipv6_64(void **state)
{
	char text[INET6_ADDRSTRLEN], key[HTTP_ADDR_KEY_MAX];
	uint8_t v4[4] = {192, 0, 2, 9};
	http_addr_text(AF_INET, v4, text, key);
	assert_string_equal(text, "192.0.2.9");
	assert_string_equal(key, "192.0.2.9");
	uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0xaa, 0xbb, 0, 0, 0, 0, 0, 1};
	http_addr_text(AF_INET6, v6, text, key);
	assert_string_equal(text, "2001:db8:1:2:aabb::1");
	assert_string_equal(key, "2001:db8:1:2::/64");
	uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 9};
	http_addr_text(AF_INET6, mapped, text, key);
	assert_string_equal(text, "192.0.2.9");
	assert_string_equal(key, "192.0.2.9");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_listen_parses_ipv4_and_bracketed_ipv6),
	    cmocka_unit_test(test_listen_refuses_what_it_cannot_bind_with_a_reason),
	    cmocka_unit_test(test_range_single_ranges_suffixes_and_unsatisfiable),
	    cmocka_unit_test(test_accept_encoding_gzip_unless_q_zero),
	    cmocka_unit_test(test_gzip_round_trips),
	    cmocka_unit_test(test_gunzip_stops_a_bomb_at_the_limit),
	    cmocka_unit_test(test_gunzip_refuses_damaged_cut_and_non_gzip_bodies),
	    cmocka_unit_test(test_host_header_is_used_only_when_it_is_a_plain_host),
	    cmocka_unit_test(test_log_fields_stay_one_word),
	    cmocka_unit_test(test_trusted_proxies_parse_lists_networks_and_refuse_the_rest),
	    cmocka_unit_test(test_xff_gives_the_rightmost_hop_that_is_not_a_trusted_proxy),
	    cmocka_unit_test(test_xff_ipv4_client_leaves_no_stale_bytes),
	    cmocka_unit_test(test_addresses_keyed_by_ipv4_and_ipv6_64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
