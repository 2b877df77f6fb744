/* http_int — the pieces of http.c that read outside text (listen addresses, Range and
 * Accept-Encoding headers, gzip bodies, trusted proxies and X-Forwarded-For), exposed only
 * so tests/unit/test_http.c and tests/fuzz/fuzz_http.c can reach them. Nothing here calls
 * libmicrohttpd. */
#ifndef KONTOR_HTTP_INT_H
#define KONTOR_HTTP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include "kontor/buf.h"
#include "kontor/err.h"
#include "node.h"

struct http_listen {
	struct sockaddr_storage addr;
	socklen_t addr_len;
	int loopback;  /* 127.0.0.0/8 or ::1 */
	char host[64]; /* as written in a URL: "127.0.0.1" or "[::1]" */
	int port;      /* 0 lets the OS choose */
};
/* "ADDR:PORT" with a numeric IPv4 address or "[IPv6]:PORT". K_EINVAL saying what is wrong. */
int http_listen_parse(const char *s, struct http_listen *out, struct kerr *e);

/* A Range header against a body of size bytes. 0: serve the whole body (no Range, or one
 * we may ignore: another unit, several ranges, bad syntax); 1: bytes [*from, *to] inclusive;
 * -1: not satisfiable (416). */
int http_range_parse(const char *h, uint64_t size, uint64_t *from, uint64_t *to);

/* 1 when an Accept-Encoding value accepts gzip (not with q=0). */
int http_accepts_gzip(const char *h);

/* Appends the gzip of in to out: level 3, or 6 from HTTP_GZIP_BIG bytes (a pull's pages of
 * listing summaries, not a query's answer). */
#define HTTP_GZIP_BIG (64 * 1024)
void http_gzip(const void *in, size_t len, struct kbuf *out);
/* Appends the inflated gzip data in to out, refusing more than max bytes of output with
 * K_ETOOBIG (so a small bomb costs at most max) and damaged data with K_EINVAL. */
int http_gunzip(const void *in, size_t len, size_t max, struct kbuf *out, struct kerr *e);

/* 1 when a Host header value is safe to put in a URL we hand out (host or [v6], optional
 * port, nothing else). */
int http_host_ok(const char *h);

/* Copies s into dst (capacity cap, always terminated) with control bytes and spaces turned
 * into '?', so a log line keeps one field per word whatever the client sent. */
void http_log_clean(char *dst, size_t cap, const char *s);

/* ---- client addresses ---- */
#define HTTP_ADDR_KEY_MAX (INET6_ADDRSTRLEN + 4)
#define HTTP_XFF_HOPS 16 /* X-Forwarded-For hops read, from the right */

/* The text of an address (family AF_INET with 4 bytes or AF_INET6 with 16; IPv4-mapped
 * IPv6 is written as IPv4) and its key for the per-address limits and rates: the IPv4
 * address, or the IPv6 /64 ("2001:db8:1:2::/64"), since one host usually holds a /64. */
void http_addr_text(int family, const uint8_t *addr, char text[INET6_ADDRSTRLEN],
                    char key[HTTP_ADDR_KEY_MAX]);

/* 1 when the address is within one of the np prefixes p. */
int http_proxy_match(const struct net_prefix *p, int np, int family, const uint8_t *addr);

/* The client behind a trusted proxy: walks the X-Forwarded-For value xff from its rightmost
 * hop leftwards (at most HTTP_XFF_HOPS; each a numeric IPv4 or IPv6 address, bracketed or
 * with a port allowed) while the hop is itself one of the proxies p, and gives the first
 * hop that is not. 1 with *family and addr set; when a hop cannot be read, the trusted hop
 * right of it is given (1), or 0 when that is the rightmost one or xff is NULL or empty. */
int http_xff_client(const char *xff, const struct net_prefix *p, int np, int *family,
                    uint8_t addr[16]);

#endif
