/* http — kontord's HTTPS front: the only file that calls libmicrohttpd. TLS, routes, body
 * limits, gzip both ways, signatures and rates at the door, /events, metrics, one log line
 * per request. It never trusts a byte before its limit and signature are checked. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <sodium.h>

#include "kontor/gz.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "http_int.h"
#include "node.h"
#include "store/nstore.h"

#define AUTO_RELEASE_EVERY 60   /* seconds between auto-release sweeps */
#define CONN_TIMEOUT 30         /* s without progress before MHD drops a connection */
#define KEEPALIVE_S 30          /* s a kept-alive connection has for its next request */
#define CONN_MEMORY (64 * 1024) /* per connection: request line, headers, I/O buffers */
#define GZIP_MIN 256            /* smaller bodies grow or barely shrink */
#define PEM_MAX (1024 * 1024)
#define STOP_GRACE_MS 10000 /* how long in-flight requests get to finish */
#define EVENTS_PING_DEFAULT 30
#define EVENTS_PING_MAX 60   /* a caller's ?ping= is held to this */
#define STREAM_DEAD_MS 60000 /* unacknowledged bytes this long end a stream (TCP_USER_TIMEOUT) */
#define CONN_PER_ADDR_DEFAULT 64
#define STREAMS_PER_ADDR_DEFAULT 8
#define REQUEST_TIMEOUT_DEFAULT 10
#define BODY_RATE_DEFAULT 16384
#define PEER_BUCKETS 1024 /* per-address counters: a hash of chains */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
/* Ends send_error's list of extra headers (a typed NULL, as va_arg reads it). */
#define NO_HEADERS ((const char *)NULL)
#define WWW_AUTH "Signature realm=\"kontor\",headers=\"(created) (expires) digest\""

/* ---- outside text: listen address, Range, Accept-Encoding, Host, gzip --------------- */

int http_listen_parse(const char *s, struct http_listen *out, struct kerr *e)
{
	memset(out, 0, sizeof *out);
	if (!s || !*s)
		return kerr_set(e, K_EINVAL, "--listen needs ADDR:PORT, e.g. 127.0.0.1:8443");
	const char *colon;
	char host[INET6_ADDRSTRLEN + 1];
	size_t hl;
	int v6 = s[0] == '[';
	if (v6) {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return kerr_set(
			    e, K_EINVAL,
			    "--listen \"%.80s\": an IPv6 address is written [ADDR]:PORT", s);
		hl = (size_t)(close - s - 1);
		colon = close + 1;
		if (hl == 0 || hl >= sizeof host)
			return kerr_set(e, K_EINVAL, "--listen \"%.80s\": bad IPv6 address", s);
		memcpy(host, s + 1, hl);
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return kerr_set(e, K_EINVAL, "--listen \"%.80s\" has no :PORT", s);
		hl = (size_t)(colon - s);
		if (memchr(s, ':', hl))
			return kerr_set(e, K_EINVAL,
			                "--listen \"%.80s\": write an IPv6 address in brackets, "
			                "[ADDR]:PORT",
			                s);
		if (hl == 0 || hl >= sizeof host)
			return kerr_set(e, K_EINVAL, "--listen \"%.80s\" has no address", s);
		memcpy(host, s, hl);
	}
	host[hl] = '\0';
	const char *p = colon + 1;
	if (!*p || strlen(p) > 5 || strspn(p, "0123456789") != strlen(p))
		return kerr_set(e, K_EINVAL, "--listen \"%.80s\": the port is not a number", s);
	long port = strtol(p, NULL, 10);
	if (port > 65535)
		return kerr_set(e, K_EINVAL, "--listen \"%.80s\": port %ld is over 65535", s, port);
	out->port = (int)port;
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&out->addr;
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return kerr_set(e, K_EINVAL, "--listen: \"%s\" is not an IPv6 address",
			                host);
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		out->addr_len = sizeof *a;
		out->loopback =
		    IN6_IS_ADDR_LOOPBACK(&a->sin6_addr) ||
		    (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) && a->sin6_addr.s6_addr[12] == 127);
		snprintf(out->host, sizeof out->host, "[%s]", host);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&out->addr;
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return kerr_set(e, K_EINVAL,
			                "--listen: \"%s\" is not a numeric IPv4 address (names are "
			                "not looked up)",
			                host);
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		out->addr_len = sizeof *a;
		out->loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
		snprintf(out->host, sizeof out->host, "%s", host);
	}
	return K_OK;
}

/* Digits to a number, saturating (a huge offset is simply past the end). -1 when empty or
 * not digits. */
static int64_t range_num(const char *s, size_t n)
{
	if (n == 0)
		return -1;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v > (INT64_MAX - 9) / 10 ? INT64_MAX : v * 10 + (s[i] - '0');
	}
	return v;
}

int http_range_parse(const char *h, uint64_t size, uint64_t *from, uint64_t *to)
{
	if (!h)
		return 0;
	while (*h == ' ' || *h == '\t')
		h++;
	if (strncasecmp(h, "bytes=", 6) != 0)
		return 0;
	h += 6;
	/* Several ranges would need multipart/byteranges; RFC 9110 lets us send it all. */
	if (strchr(h, ','))
		return 0;
	size_t n = strlen(h);
	while (n && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	while (n && (*h == ' ' || *h == '\t'))
		h++, n--;
	const char *dash = memchr(h, '-', n);
	if (!dash)
		return 0;
	size_t an = (size_t)(dash - h), bn = n - an - 1;
	int64_t a = range_num(h, an), b = range_num(dash + 1, bn);
	if (an == 0) { /* suffix: the last b bytes */
		if (b < 0)
			return 0;
		if (b == 0 || size == 0)
			return -1;
		*from = (uint64_t)b >= size ? 0 : size - (uint64_t)b;
		*to = size - 1;
		return 1;
	}
	if (a < 0 || (bn && b < 0) || (bn && b < a))
		return 0;
	if ((uint64_t)a >= size)
		return -1;
	*from = (uint64_t)a;
	*to = !bn || (uint64_t)b >= size ? size - 1 : (uint64_t)b;
	return 1;
}

int http_accepts_gzip(const char *h)
{
	if (!h)
		return 0;
	for (const char *p = h; *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *tok = p;
		while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		size_t tl = (size_t)(p - tok);
		int match = (tl == 4 && strncasecmp(tok, "gzip", 4) == 0) ||
		            (tl == 6 && strncasecmp(tok, "x-gzip", 6) == 0);
		/* Parameters: only q matters, and only q=0 (in any spelling) says no. */
		int refused = 0;
		while (*p && *p != ',') {
			if (*p == ';') {
				p++;
				while (*p == ' ' || *p == '\t')
					p++;
				if ((*p == 'q' || *p == 'Q') && p[1] == '=') {
					char *end;
					double q = strtod(p + 2, &end);
					refused = end != p + 2 && q <= 0.0;
				}
				continue;
			}
			p++;
		}
		if (match && !refused)
			return 1;
	}
	return 0;
}

void http_gzip(const void *in, size_t len, struct kbuf *out)
{
	/* Level 3: most of level 6's gain on JSON at a fraction of the CPU, which the
	 * Listing/query budget needs more than the last few percent of bytes. A pull's page
	 * of summaries is another matter: few, large, and what a slow link waits for. */
	kgz_deflate(in, len, len >= HTTP_GZIP_BIG ? 6 : 3, out);
}

int http_gunzip(const void *in, size_t len, size_t max, struct kbuf *out, struct kerr *e)
{
	return kgz_inflate(in, len, max, out, e);
}

int http_host_ok(const char *h)
{
	if (!h || !*h || strlen(h) > 255)
		return 0;
	const char *p = h;
	if (*p == '[') {
		const char *close = strchr(p, ']');
		if (!close || close == p + 1)
			return 0;
		for (const char *q = p + 1; q < close; q++)
			if (!strchr("0123456789abcdefABCDEF:.", *q))
				return 0;
		p = close + 1;
	} else {
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		                     "0123456789.-");
		if (n == 0)
			return 0;
		p += n;
	}
	if (*p == ':') {
		p++;
		size_t n = strspn(p, "0123456789");
		if (n == 0 || n > 5)
			return 0;
		p += n;
	}
	return *p == '\0';
}

void http_log_clean(char *dst, size_t cap, const char *s)
{
	size_t i = 0;
	if (cap == 0)
		return;
	for (; s && s[i] && i + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[i] = c <= ' ' || c == 0x7f ? '?' : (char)c;
	}
	dst[i] = '\0';
}

/* ---- client addresses: keys, trusted proxies, X-Forwarded-For ------------------------- */

void http_addr_text(int family, const uint8_t *addr, char text[INET6_ADDRSTRLEN],
                    char key[HTTP_ADDR_KEY_MAX])
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (family == AF_INET6 && memcmp(addr, mapped, sizeof mapped) == 0) {
		family = AF_INET; /* ::ffff:a.b.c.d is an IPv4 client */
		addr += 12;
	}
	if (family == AF_INET) {
		inet_ntop(AF_INET, addr, text, INET6_ADDRSTRLEN);
		snprintf(key, HTTP_ADDR_KEY_MAX, "%s", text);
		return;
	}
	inet_ntop(AF_INET6, addr, text, INET6_ADDRSTRLEN);
	/* One host usually holds a whole /64, so that is what gets one allowance. */
	uint8_t net[16];
	memcpy(net, addr, 8);
	memset(net + 8, 0, 8);
	char t[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, net, t, sizeof t);
	snprintf(key, HTTP_ADDR_KEY_MAX, "%s/64", t);
}

/* The n bytes at s as a numeric address of family af (AF_INET, AF_INET6) into out: 0 and
 * *family set, or -1. */
static int addr_pton(int af, const char *s, size_t n, int *family, uint8_t out[16])
{
	char t[INET6_ADDRSTRLEN + 1];
	if (n >= sizeof t)
		return -1;
	memcpy(t, s, n);
	t[n] = '\0';
	*family = af;
	memset(out, 0, 16); /* an IPv4 address fills 4 bytes: the rest are zero, never stale */
	return inet_pton(af, t, out) == 1 ? 0 : -1;
}

/* One numeric address of n bytes at s: IPv4, IPv6, or "[IPv6]"; with port when ports is
 * set ("a.b.c.d:p", "[v6]:p"). 0 and *family set, or -1. */
static int addr_parse(const char *s, size_t n, int ports, int *family, uint8_t out[16])
{
	if (n == 0 || n > 64)
		return -1;
	if (s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close)
			return -1;
		size_t tail = n - (size_t)(close + 1 - s);
		if (tail && (!ports || close[1] != ':' || tail < 2 ||
		             strspn(close + 2, "0123456789") < tail - 1))
			return -1;
		return addr_pton(AF_INET6, s + 1, (size_t)(close - s - 1), family, out);
	}
	const char *colon = memchr(s, ':', n);
	if (colon && memchr(colon + 1, ':', n - (size_t)(colon + 1 - s))) /* bare IPv6 */
		return addr_pton(AF_INET6, s, n, family, out);
	if (colon) { /* a.b.c.d:port */
		size_t pl = n - (size_t)(colon + 1 - s);
		if (!ports || pl == 0 || strspn(colon + 1, "0123456789") < pl)
			return -1;
		n = (size_t)(colon - s);
	}
	return addr_pton(AF_INET, s, n, family, out);
}

int serve_proxies_add(struct serve_opts *o, const char *list, struct kerr *e)
{
	const char *p = list ? list : "";
	for (;;) {
		size_t n = strcspn(p, ",");
		const char *s = p;
		while (n && (*s == ' ' || *s == '\t'))
			s++, n--;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		const char *slash = memchr(s, '/', n);
		size_t an = slash ? (size_t)(slash - s) : n;
		struct net_prefix np;
		memset(&np, 0, sizeof np);
		if (addr_parse(s, an, 0, &np.family, np.addr) != 0)
			return kerr_set(e, K_EINVAL,
			                "--trusted-proxy \"%.*s\" is not a numeric IPv4 or IPv6 "
			                "address (optionally /BITS)",
			                (int)(n > 64 ? 64 : n), s);
		int max = np.family == AF_INET ? 32 : 128;
		np.bits = max;
		if (slash) {
			size_t bl = n - an - 1;
			if (bl == 0 || bl > 3 || strspn(slash + 1, "0123456789") < bl ||
			    (np.bits = atoi(slash + 1)) > max)
				return kerr_set(
				    e, K_EINVAL,
				    "--trusted-proxy \"%.*s\": the prefix must be 0 to %d "
				    "bits",
				    (int)(n > 64 ? 64 : n), s, max);
		}
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (np.family == AF_INET6 && np.bits >= 96 && memcmp(np.addr, mapped, 12) == 0) {
			np.family = AF_INET; /* ::ffff:a.b.c.d, as peers are matched */
			np.bits -= 96;
			memmove(np.addr, np.addr + 12, 4);
			memset(np.addr + 4, 0, 12);
		}
		if (o->nproxies >= SERVE_PROXIES_MAX)
			return kerr_set(e, K_ETOOBIG, "--trusted-proxy: at most %d proxies",
			                SERVE_PROXIES_MAX);
		o->proxies[o->nproxies++] = np;
		p += strcspn(p, ",");
		if (!*p)
			return K_OK;
		p++;
	}
}

int http_proxy_match(const struct net_prefix *p, int np, int family, const uint8_t *addr)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (family == AF_INET6 && memcmp(addr, mapped, sizeof mapped) == 0) {
		family = AF_INET;
		addr += 12;
	}
	for (int i = 0; i < np; i++) {
		if (p[i].family != family)
			continue;
		int whole = p[i].bits / 8, rest = p[i].bits % 8;
		if (memcmp(p[i].addr, addr, (size_t)whole) != 0)
			continue;
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if (rest && ((p[i].addr[whole] ^ addr[whole]) & mask))
			continue;
		return 1;
	}
	return 0;
}

int http_xff_client(const char *xff, const struct net_prefix *p, int np, int *family,
                    uint8_t addr[16])
{
	if (!xff)
		return 0;
	size_t end = strlen(xff);
	int found = 0;
	for (int hop = 0; hop < HTTP_XFF_HOPS && end > 0; hop++) {
		size_t start = end;
		while (start > 0 && xff[start - 1] != ',')
			start--;
		const char *s = xff + start;
		size_t n = end - start;
		while (n && (*s == ' ' || *s == '\t'))
			s++, n--;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		int f;
		uint8_t a[16];
		if (addr_parse(s, n, 1, &f, a) != 0)
			return found; /* the trusted hop before it is as far as we can see */
		*family = f;
		memcpy(addr, a, 16);
		found = 1;
		if (!http_proxy_match(p, np, f, a))
			return 1;
		end = start ? start - 1 : 0;
	}
	return found;
}

/* ---- the server ---------------------------------------------------------------------- */

enum route { R_SESSION, R_API, R_UPLOAD, R_DOWNLOAD, R_EVENTS, R_HEALTHZ, R_METRICS, R_OTHER, R_N };
static const char *const route_name[R_N] = {"session", "api",     "upload",  "download",
                                            "events",  "healthz", "metrics", "other"};

static const int status_list[] = {200, 201, 206, 304, 400, 401, 403, 404,
                                  405, 409, 413, 415, 416, 429, 500, 503};
#define NSTATUS (sizeof status_list / sizeof status_list[0])
static const double bucket_le[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                   0.25,  0.5,    1,     2.5,  5,     10};
#define NBUCKET (sizeof bucket_le / sizeof bucket_le[0])

/* Why a connection or a stream was turned away, or cut. */
enum refusal { REF_ADDR_CONNS, REF_ADDR_STREAMS, REF_STREAMS, REF_N };
static const char *const refusal_name[REF_N] = {"address_connections", "address_streams",
                                                "streams"};
/* Where a connection is: its request's headers or body coming in, its answer going out, an
 * open /events stream, or kept alive between requests. */
enum cstate { CS_HEADERS, CS_BODY, CS_ANSWER, CS_STREAM, CS_IDLE, CS_N };
static const char *const cstate_name[CS_N] = {"headers", "body", "answer", "stream", "idle"};

struct metrics {
	atomic_uint_fast64_t requests[R_N][NSTATUS + 1]; /* last column: any other status */
	atomic_uint_fast64_t buckets[R_N][NBUCKET];      /* not cumulative; summed on output */
	atomic_uint_fast64_t count[R_N];
	atomic_uint_fast64_t sum_us[R_N];
	atomic_uint_fast64_t bytes_in, bytes_out;
	atomic_int active;
	atomic_uint_fast64_t refused[REF_N];
	atomic_uint_fast64_t timed_out[CS_N]; /* cut at the deadline of that state */
	atomic_uint_fast64_t streams_gone;    /* streams whose client was seen gone */
};

/* One client address's open connections and /events streams (under h->conn_lock); it
 * exists while either is above 0. */
struct peer {
	struct peer *next; /* the hash chain */
	char key[HTTP_ADDR_KEY_MAX];
	int conns, streams;
};

/* One TCP connection from accept to close (MHD's socket context; under h->conn_lock). The
 * node closes it (shutdown) when deadline_ms passes; MHD's close callback unlinks it
 * before the socket is closed, so a listed connection's fd is always its own. */
struct conn {
	struct conn *prev, *next;
	int fd;
	struct peer *tcp; /* the TCP peer's counts; NULL for a trusted proxy */
	enum cstate state;
	int64_t deadline_ms; /* monotonic; 0: none */
	int cut;
};

/* One /events stream. The list owns it; the response's free callback only marks it dead,
 * and the watcher thread frees it, so the watcher never resumes freed memory. */
struct evstream {
	struct evstream *next;
	struct http *h;
	struct req *r;
	struct MHD_Connection *conn;
	int suspended; /* under h->ev_lock */
	atomic_int dead;
	uint64_t sent_seq;    /* the node's ev_seq last reported */
	int64_t next_ping_ms; /* monotonic */
	int ping_s;
	int close_after_state;
	int closing;
	int greeted;
	int fd;            /* the connection's socket, polled while suspended */
	atomic_int gone;   /* the client hung up (seen by the watcher) */
	struct peer *peer; /* the client address's counts (h->conn_lock) */
	struct kbuf out;   /* bytes not yet handed to MHD */
	size_t out_off;
};

struct http {
	struct node *n;
	struct auth *auth;
	const struct serve_opts *o;
	struct http_listen listen;
	const char *scheme;
	struct metrics m;
	atomic_int inflight;
	pthread_mutex_t ev_lock; /* the stream list and each stream's suspended flag */
	struct evstream *streams;
	struct pollfd *polls; /* the watcher's */
	size_t npolls;
	/* The guards, defaults applied (-1: off). */
	int conn_per_addr, streams_max, streams_per_addr, request_timeout, body_rate;
	pthread_mutex_t conn_lock; /* conns, peers, nstreams */
	struct conn *conns;
	struct peer *peers[PEER_BUCKETS];
	int nstreams;
};

/* One HTTP request, from its headers to the log line. */
struct req {
	struct http *h;
	enum route route;
	int64_t t0_us;
	char method[16];
	char path[160];
	char addr[INET6_ADDRSTRLEN];
	char rate_key[HTTP_ADDR_KEY_MAX];
	char rest[64]; /* the blobId of /download/{blobId} */
	int refuse;    /* 404 or 405, sent once the request is in */
	int keep_body; /* 0: any body is counted and dropped */
	int gzip_in;
	size_t limit;
	int over;
	struct kbuf body;
	int status;
	uint64_t bytes_in;
	int64_t body_t0_ms;     /* when the headers were in */
	uint64_t body_declared; /* the body's size as declared, held to the route's limit */
	atomic_uint_fast64_t bytes_out;
	struct kbuf methods;
	char account[KCRYPTO_ID_LEN + 1];
	char upload_type[64];
};

static const char *header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static int64_t mono_ms(void)
{
	return ktime_mono_us() / 1000;
}

/* ---- connections: per-address counts and the whole-request deadline ------------------ */

static struct peer **peer_slot(struct http *h, const char *key)
{
	uint32_t v = 2166136261u; /* FNV-1a */
	for (const char *p = key; *p; p++)
		v = (v ^ (uint8_t)*p) * 16777619u;
	struct peer **pp = &h->peers[v % PEER_BUCKETS];
	while (*pp && strcmp((*pp)->key, key) != 0)
		pp = &(*pp)->next;
	return pp;
}

/* The counts of key, made when missing. Under conn_lock. */
static struct peer *peer_get(struct http *h, const char *key)
{
	struct peer **pp = peer_slot(h, key);
	if (!*pp) {
		*pp = xcalloc(1, sizeof **pp);
		snprintf((*pp)->key, sizeof(*pp)->key, "%s", key);
	}
	return *pp;
}

/* Forgets p once nothing of its address is open. Under conn_lock. */
static void peer_release(struct http *h, struct peer *p)
{
	if (p->conns > 0 || p->streams > 0)
		return;
	struct peer **pp = peer_slot(h, p->key);
	if (*pp == p) {
		*pp = p->next;
		free(p);
	}
}

/* The address of a socket peer: its family and bytes (0), or -1 for another family. */
static int sockaddr_bytes(const struct sockaddr *sa, int *family, uint8_t out[16])
{
	if (sa && sa->sa_family == AF_INET) {
		*family = AF_INET;
		memcpy(out, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		return 0;
	}
	if (sa && sa->sa_family == AF_INET6) {
		*family = AF_INET6;
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		return 0;
	}
	return -1;
}

static int trusted_proxy(const struct http *h, int family, const uint8_t *addr)
{
	return http_proxy_match(h->o->proxies, h->o->nproxies, family, addr);
}

static struct conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* Moves c's connection to state, with a deadline ms from now (0: none). */
static void conn_state(struct http *h, struct MHD_Connection *c, enum cstate state,
                       int64_t within_ms)
{
	struct conn *k = conn_of(c);
	if (!k)
		return;
	pthread_mutex_lock(&h->conn_lock);
	k->state = state;
	k->deadline_ms = within_ms > 0 ? mono_ms() + within_ms : 0;
	pthread_mutex_unlock(&h->conn_lock);
}

/* Cuts every connection whose deadline has passed: shutdown() makes MHD see the end of the
 * stream and close it in its own thread. Called by the watcher about once a second. */
static void conn_reap(struct http *h)
{
	int64_t now = mono_ms();
	pthread_mutex_lock(&h->conn_lock);
	for (struct conn *k = h->conns; k; k = k->next) {
		if (k->cut || !k->deadline_ms || now < k->deadline_ms)
			continue;
		k->cut = 1;
		atomic_fetch_add(&h->m.timed_out[k->state], 1);
		shutdown(k->fd, SHUT_RDWR);
	}
	pthread_mutex_unlock(&h->conn_lock);
}

/* Before MHD sets a connection up: refuses an address already at its limit, cheaply. The
 * count is kept exact in on_connection. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *sa, socklen_t len)
{
	struct http *h = cls;
	int family;
	uint8_t a[16];
	char text[INET6_ADDRSTRLEN], key[HTTP_ADDR_KEY_MAX];
	if (h->conn_per_addr < 0 || sockaddr_bytes(sa, &family, a) != 0 ||
	    trusted_proxy(h, family, a))
		return MHD_YES;
	http_addr_text(family, a, text, key);
	pthread_mutex_lock(&h->conn_lock);
	struct peer *p = *peer_slot(h, key);
	int full = p && p->conns >= h->conn_per_addr;
	pthread_mutex_unlock(&h->conn_lock);
	if (full)
		atomic_fetch_add(&h->m.refused[REF_ADDR_CONNS], 1);
	return full ? MHD_NO : MHD_YES;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	struct http *h = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		atomic_fetch_add(&h->m.active, 1);
		const union MHD_ConnectionInfo *fi =
		    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ai =
		    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		struct conn *k = xcalloc(1, sizeof *k);
		k->fd = fi ? fi->connect_fd : -1;
		k->state = CS_HEADERS;
		k->deadline_ms = mono_ms() + (int64_t)h->request_timeout * 1000;
		int family, over = 0;
		uint8_t a[16];
		char text[INET6_ADDRSTRLEN], key[HTTP_ADDR_KEY_MAX];
		int limited = h->conn_per_addr >= 0 && ai &&
		              sockaddr_bytes(ai->client_addr, &family, a) == 0 &&
		              !trusted_proxy(h, family, a);
		if (limited)
			http_addr_text(family, a, text, key);
		pthread_mutex_lock(&h->conn_lock);
		k->next = h->conns;
		if (h->conns)
			h->conns->prev = k;
		h->conns = k;
		if (limited) {
			k->tcp = peer_get(h, key);
			over = ++k->tcp->conns > h->conn_per_addr;
		}
		if (over) { /* another thread let one in at the same time */
			k->cut = 1;
			shutdown(k->fd, SHUT_RDWR);
		}
		pthread_mutex_unlock(&h->conn_lock);
		if (over)
			atomic_fetch_add(&h->m.refused[REF_ADDR_CONNS], 1);
		*socket_context = k;
		return;
	}
	struct conn *k = *socket_context;
	if (!k)
		return;
	*socket_context = NULL;
	pthread_mutex_lock(&h->conn_lock);
	if (k->prev)
		k->prev->next = k->next;
	else
		h->conns = k->next;
	if (k->next)
		k->next->prev = k->prev;
	if (k->tcp) {
		k->tcp->conns--;
		peer_release(h, k->tcp);
	}
	pthread_mutex_unlock(&h->conn_lock);
	free(k);
	atomic_fetch_sub(&h->m.active, 1);
}

/* ---- responses ----------------------------------------------------------------------- */

static int wants_gzip(struct MHD_Connection *c)
{
	return http_accepts_gzip(header(c, MHD_HTTP_HEADER_ACCEPT_ENCODING));
}

static enum MHD_Result queue(struct req *r, struct MHD_Connection *c, int status,
                             struct MHD_Response *resp);

/* Queues body (taken) with the given status. compressible routes say Vary and gzip when
 * the client asked and it is worth it. */
static enum MHD_Result send_body(struct req *r, struct MHD_Connection *c, int status,
                                 const char *ctype, struct kbuf *body, int compressible,
                                 struct MHD_Response **keep)
{
	int gz = compressible && body->len > GZIP_MIN && wants_gzip(c);
	if (gz) {
		struct kbuf z = KBUF_INIT;
		http_gzip(body->data, body->len, &z);
		kbuf_free(body);
		*body = z;
	}
	size_t len;
	char *data = kbuf_detach(body, &len);
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(data);
		return MHD_NO;
	}
	if (ctype)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (compressible)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	if (gz)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	r->status = status;
	r->bytes_out = len;
	if (keep) { /* the caller adds headers and queues */
		*keep = resp;
		return MHD_YES;
	}
	return queue(r, c, status, resp);
}

/* Every answer names the node's key, so a client that pinned it on first contact notices a
 * different node behind the same address on any request, without an extra round trip. */
static enum MHD_Result queue(struct req *r, struct MHD_Connection *c, int status,
                             struct MHD_Response *resp)
{
	r->status = status;
	MHD_add_response_header(resp, "Kontor-Node-Key", r->h->n->key_id);
	enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ok;
}

static const char *status_type(int status)
{
	switch (status) {
	case 400:
		return "badRequest";
	case 401:
		return "unauthorized";
	case 403:
		return "forbidden";
	case 404:
		return "notFound";
	case 405:
		return "methodNotAllowed";
	case 413:
		return "tooLarge";
	case 415:
		return "unsupportedMediaType";
	case 416:
		return "rangeNotSatisfiable";
	case 429:
		return "rateLimited";
	case 503:
		return "unavailable";
	default:
		return status >= 500 ? "serverFail" : "badRequest";
	}
}

/* The error body of DESIGN §4, {type, status, description} as api.c writes it, plus any extra
 * headers the status needs (name, value pairs ending in NULL). */
static enum MHD_Result send_error(struct req *r, struct MHD_Connection *c, int status,
                                  const char *desc, ...)
{
	struct kbuf b = KBUF_INIT;
	kbuf_puts(&b, "{\"type\":");
	json_put_string(&b, status_type(status), strlen(status_type(status)));
	kbuf_printf(&b, ",\"status\":%d,\"description\":", status);
	json_put_string(&b, desc, strlen(desc));
	kbuf_puts(&b, "}");
	struct MHD_Response *resp = NULL;
	if (send_body(r, c, status, "application/json", &b, 0, &resp) != MHD_YES)
		return MHD_NO;
	va_list ap;
	va_start(ap, desc);
	for (const char *k; (k = va_arg(ap, const char *));)
		MHD_add_response_header(resp, k, va_arg(ap, const char *));
	va_end(ap);
	return queue(r, c, status, resp);
}

static enum MHD_Result send_unauthorized(struct req *r, struct MHD_Connection *c, const char *desc)
{
	return send_error(r, c, 401, desc, MHD_HTTP_HEADER_WWW_AUTHENTICATE, WWW_AUTH, NO_HEADERS);
}

static enum MHD_Result send_rate_limited(struct req *r, struct MHD_Connection *c, int wait,
                                         const char *who)
{
	char desc[160], secs[24];
	snprintf(desc, sizeof desc, "too many requests from this %s; try again in %d s", who, wait);
	snprintf(secs, sizeof secs, "%d", wait);
	return send_error(r, c, 429, desc, MHD_HTTP_HEADER_RETRY_AFTER, secs, NO_HEADERS);
}

/* 413 in the shape api.c gives its own limit errors (JMAP's limit error, naming the limit
 * as the session object does), so a client handles both the same way. */
static enum MHD_Result send_too_large(struct req *r, struct MHD_Connection *c, int inflated)
{
	const char *limit = r->route == R_API ? "maxSizeRequest" : "maxSizeUpload";
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b,
	            "{\"type\":\"urn:ietf:params:jmap:error:limit\",\"status\":413,"
	            "\"limit\":\"%s\",\"description\":\"the request body is over the limit of %zu "
	            "bytes (%s)%s\"}",
	            limit, r->limit, limit, inflated ? " once gunzipped" : "");
	return send_body(r, c, 413, "application/json", &b, 0, NULL);
}

/* ---- routes without a body --------------------------------------------------- */

/* The base URL clients should use: the Host they reached us by when it is sane, else the
 * listen address. Behind a TLS proxy (plain_http) the proxy says the outside scheme. */
static void base_url(struct req *r, struct MHD_Connection *c, char *out, size_t cap)
{
	struct http *h = r->h;
	const char *scheme = h->scheme;
	if (h->o->plain_http) {
		const char *fp = header(c, "X-Forwarded-Proto");
		scheme = fp && strcasecmp(fp, "https") == 0 ? "https" : "http";
	}
	const char *host = header(c, MHD_HTTP_HEADER_HOST);
	if (http_host_ok(host))
		snprintf(out, cap, "%s://%s", scheme, host);
	else
		snprintf(out, cap, "%s://%s:%d", scheme, h->listen.host, h->listen.port);
}

static enum MHD_Result do_session(struct req *r, struct MHD_Connection *c)
{
	char base[320];
	base_url(r, c, base, sizeof base);
	struct kbuf b = KBUF_INIT;
	api_session(r->h->n, base, &b);
	struct MHD_Response *resp = NULL;
	if (send_body(r, c, 200, "application/json", &b, 1, &resp) != MHD_YES)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	return queue(r, c, 200, resp);
}

static enum MHD_Result do_healthz(struct req *r, struct MHD_Connection *c)
{
	struct kbuf b = KBUF_INIT;
	kbuf_puts(&b, "ok\n");
	return send_body(r, c, 200, "text/plain; charset=utf-8", &b, 0, NULL);
}

static void metric_help(struct kbuf *b, const char *name, const char *type, const char *help)
{
	kbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static enum MHD_Result do_metrics(struct req *r, struct MHD_Connection *c)
{
	struct metrics *m = &r->h->m;
	struct kbuf b = KBUF_INIT;
	metric_help(&b, "kontord_requests_total", "counter", "HTTP requests by route and status.");
	for (int i = 0; i < R_N; i++)
		for (size_t s = 0; s <= NSTATUS; s++) {
			uint64_t v = atomic_load(&m->requests[i][s]);
			if (!v)
				continue;
			if (s < NSTATUS)
				kbuf_printf(&b,
				            "kontord_requests_total{route=\"%s\",status=\"%d\"} "
				            "%" PRIu64 "\n",
				            route_name[i], status_list[s], v);
			else
				kbuf_printf(&b,
				            "kontord_requests_total{route=\"%s\",status=\"other\"} "
				            "%" PRIu64 "\n",
				            route_name[i], v);
		}
	metric_help(&b, "kontord_request_duration_seconds", "histogram",
	            "Time from request headers to the end of the response.");
	for (int i = 0; i < R_N; i++) {
		uint64_t n = atomic_load(&m->count[i]);
		if (!n)
			continue;
		uint64_t cum = 0;
		for (size_t k = 0; k < NBUCKET; k++) {
			cum += atomic_load(&m->buckets[i][k]);
			kbuf_printf(
			    &b,
			    "kontord_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} "
			    "%" PRIu64 "\n",
			    route_name[i], bucket_le[k], cum);
		}
		kbuf_printf(&b,
		            "kontord_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} "
		            "%" PRIu64 "\n",
		            route_name[i], n);
		kbuf_printf(&b, "kontord_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
		            route_name[i], (double)atomic_load(&m->sum_us[i]) / 1e6);
		kbuf_printf(&b,
		            "kontord_request_duration_seconds_count{route=\"%s\"} %" PRIu64 "\n",
		            route_name[i], n);
	}
	metric_help(&b, "kontord_bytes_received_total", "counter", "Request body bytes received.");
	kbuf_printf(&b, "kontord_bytes_received_total %" PRIu64 "\n", atomic_load(&m->bytes_in));
	metric_help(&b, "kontord_bytes_sent_total", "counter",
	            "Response body bytes sent (after compression).");
	kbuf_printf(&b, "kontord_bytes_sent_total %" PRIu64 "\n", atomic_load(&m->bytes_out));
	metric_help(&b, "kontord_active_connections", "gauge", "Open client connections.");
	kbuf_printf(&b, "kontord_active_connections %d\n", atomic_load(&m->active));
	struct http *h = r->h;
	int per[CS_N] = {0}, streams;
	pthread_mutex_lock(&h->conn_lock);
	for (const struct conn *k = h->conns; k; k = k->next)
		per[k->state]++;
	streams = h->nstreams;
	pthread_mutex_unlock(&h->conn_lock);
	metric_help(&b, "kontord_connections", "gauge",
	            "Open connections by state: request headers or body coming in, answer "
	            "going out, /events stream, idle between requests.");
	for (int i = 0; i < CS_N; i++)
		kbuf_printf(&b, "kontord_connections{state=\"%s\"} %d\n", cstate_name[i], per[i]);
	metric_help(&b, "kontord_events_streams", "gauge", "Open /events streams.");
	kbuf_printf(&b, "kontord_events_streams %d\n", streams);
	metric_help(&b, "kontord_refused_total", "counter",
	            "Connections and /events streams turned away by a limit.");
	for (int i = 0; i < REF_N; i++)
		kbuf_printf(&b, "kontord_refused_total{limit=\"%s\"} %" PRIu64 "\n",
		            refusal_name[i], atomic_load(&m->refused[i]));
	metric_help(&b, "kontord_timed_out_total", "counter",
	            "Connections cut at the deadline of their state.");
	for (int i = 0; i < CS_N; i++)
		if (i == CS_HEADERS || i == CS_BODY || i == CS_IDLE)
			kbuf_printf(&b, "kontord_timed_out_total{state=\"%s\"} %" PRIu64 "\n",
			            cstate_name[i], atomic_load(&m->timed_out[i]));
	metric_help(&b, "kontord_events_gone_total", "counter",
	            "/events streams ended because their client hung up.");
	kbuf_printf(&b, "kontord_events_gone_total %" PRIu64 "\n", atomic_load(&m->streams_gone));
	uint64_t qh, qm;
	nstore_query_cache_stats(r->h->n->store, &qh, &qm);
	metric_help(&b, "kontord_query_cache_hits_total", "counter",
	            "Listing/query answers served from the result cache.");
	kbuf_printf(&b, "kontord_query_cache_hits_total %" PRIu64 "\n", qh);
	metric_help(&b, "kontord_query_cache_misses_total", "counter",
	            "Listing/query answers the result cache did not have.");
	kbuf_printf(&b, "kontord_query_cache_misses_total %" PRIu64 "\n", qm);
	metric_help(&b, "kontord_db_size_bytes", "gauge", "Size of the node's database file.");
	kbuf_printf(&b, "kontord_db_size_bytes %" PRId64 "\n", nstore_db_size(r->h->n->store));
	return send_body(r, c, 200, "text/plain; version=0.0.4; charset=utf-8", &b, 1, NULL);
}

static int blob_id_ok(const char *id)
{
	if (strlen(id) != KCRYPTO_HASH_B64_LEN)
		return 0;
	return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
	       KCRYPTO_HASH_B64_LEN;
}

/* 1 when an If-None-Match value names etag (or is *). */
static int etag_matches(const char *inm, const char *etag)
{
	if (!inm)
		return 0;
	if (strcmp(inm, "*") == 0)
		return 1;
	size_t el = strlen(etag);
	for (const char *p = inm; (p = strstr(p, etag)); p += el)
		if ((p == inm || p[-1] == ' ' || p[-1] == ',' || p[-1] == '/') &&
		    (p[el] == '\0' || p[el] == ',' || p[el] == ' '))
			return 1;
	return 0;
}

static void add_immutable(struct MHD_Response *resp, const char *etag)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	                        "public, max-age=31536000, immutable");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
}

static enum MHD_Result do_download(struct req *r, struct MHD_Connection *c, const char *id)
{
	if (!blob_id_ok(id))
		return send_error(
		    r, c, 404, "no such blob (a blobId is 43 characters of base64url)", NO_HEADERS);
	struct kbuf data = KBUF_INIT;
	char type[64] = "";
	struct kerr e = {0};
	/* ?w=PX: an image blob as a JPEG scaled to fit PX × PX (the size a client draws it) */
	const char *w = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "w");
	char *wend = NULL;
	unsigned long width = w ? strtoul(w, &wend, 10) : 0;
	if (w && (!*w || *wend || width > NSTORE_SCALED_MAX))
		width = 0; /* refused below with the reason */
	int rc = w ? nstore_blob_scaled(r->h->n->store, id, (unsigned)width, &data, &e)
	           : nstore_blob_get(r->h->n->store, id, &data, type, &e);
	if (w && rc == K_OK)
		snprintf(type, sizeof type, "image/jpeg");
	if (rc == K_ENOTFOUND) {
		kbuf_free(&data);
		return send_error(r, c, 404, "no such blob", NO_HEADERS);
	}
	if (w && (rc == K_EINVAL || rc == K_ETOOBIG)) {
		kbuf_free(&data);
		return send_error(r, c, 400, e.msg, NO_HEADERS);
	}
	if (rc != K_OK) {
		kbuf_free(&data);
		fprintf(stderr, "kontord: download %s: %s\n", id, e.msg);
		return send_error(r, c, 500, "the node could not read the blob", NO_HEADERS);
	}
	char etag[KCRYPTO_HASH_B64_LEN + 16];
	if (w)
		snprintf(etag, sizeof etag, "\"%s-w%lu\"", id, width);
	else
		snprintf(etag, sizeof etag, "\"%s\"", id);
	struct MHD_Response *resp;
	if (etag_matches(header(c, MHD_HTTP_HEADER_IF_NONE_MATCH), etag)) {
		kbuf_free(&data);
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		add_immutable(resp, etag);
		return queue(r, c, 304, resp);
	}
	uint64_t size = data.len, from = 0, to = 0;
	int range = http_range_parse(header(c, MHD_HTTP_HEADER_RANGE), size, &from, &to);
	/* If-Range with another validator means the client's copy is stale: send it all. */
	const char *if_range = header(c, MHD_HTTP_HEADER_IF_RANGE);
	if (range && if_range && strcmp(if_range, etag) != 0)
		range = 0;
	char cr[96];
	if (range < 0) {
		kbuf_free(&data);
		snprintf(cr, sizeof cr, "bytes */%" PRIu64, size);
		return send_error(r, c, 416, "the requested range is outside the blob",
		                  MHD_HTTP_HEADER_CONTENT_RANGE, cr, NO_HEADERS);
	}
	int status = 200;
	if (range > 0) {
		memmove(data.data, data.data + from, (size_t)(to - from + 1));
		data.len = (size_t)(to - from + 1);
		status = 206;
		snprintf(cr, sizeof cr, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, from, to, size);
	}
	resp = NULL;
	if (send_body(r, c, status, type[0] ? type : "application/octet-stream", &data, 0, &resp) !=
	    MHD_YES)
		return MHD_NO;
	add_immutable(resp, etag);
	/* A blob is whatever its uploader sent: never let a browser run or sniff it. */
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'none'; sandbox");
	if (status == 206)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
	return queue(r, c, status, resp);
}

/* ---- /events ----------------------------------------------------------------------- */

static void node_state(struct node *n, uint64_t *seq, int *stopping)
{
	pthread_mutex_lock(&n->ev_lock);
	*seq = n->ev_seq;
	*stopping = n->stopping;
	pthread_mutex_unlock(&n->ev_lock);
}

/* MHD asks for more of the stream. With nothing to say yet, the connection is suspended
 * (returning 0) so no pool thread waits on it; the watcher resumes it when the node's
 * state moves, a ping is due, or the node stops. */
static ssize_t events_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct evstream *s = cls;
	struct http *h = s->h;
	(void)pos;
	if (atomic_load(&s->gone))
		return MHD_CONTENT_READER_END_WITH_ERROR; /* nobody to finish the stream for */
	for (;;) {
		if (s->out_off < s->out.len) {
			size_t n = s->out.len - s->out_off;
			if (n > max)
				n = max;
			memcpy(buf, s->out.data + s->out_off, n);
			s->out_off += n;
			s->r->bytes_out += n;
			return (ssize_t)n;
		}
		kbuf_reset(&s->out);
		s->out_off = 0;
		if (s->closing)
			return MHD_CONTENT_READER_END_OF_STREAM;
		uint64_t seq;
		int stopping;
		node_state(h->n, &seq, &stopping);
		if (stopping)
			return MHD_CONTENT_READER_END_OF_STREAM;
		int64_t now = mono_ms();
		if (!s->greeted) {
			/* A first byte at once, so proxies and clients see the stream is open. */
			kbuf_puts(&s->out, ": kontord events\n\n");
			s->greeted = 1;
		} else if (seq != s->sent_seq) {
			kbuf_puts(&s->out,
			          "event: state\ndata: {\"@type\":\"StateChange\",\"changed\":");
			api_states(h->n, &s->out);
			kbuf_puts(&s->out, "}\n\n");
			s->sent_seq = seq;
			s->closing = s->close_after_state;
		} else if (now >= s->next_ping_ms) {
			kbuf_puts(&s->out, ": ping\n\n");
		} else {
			pthread_mutex_lock(&h->ev_lock);
			/* Checked again under the lock the watcher resumes under, so a change
			 * between the two looks is never slept through. */
			node_state(h->n, &seq, &stopping);
			if (seq == s->sent_seq && !stopping) {
				s->suspended = 1;
				MHD_suspend_connection(s->conn);
				pthread_mutex_unlock(&h->ev_lock);
				return 0;
			}
			pthread_mutex_unlock(&h->ev_lock);
			continue;
		}
		s->next_ping_ms = now + (int64_t)s->ping_s * 1000;
	}
}

static void events_free(void *cls)
{
	struct evstream *s = cls;
	struct http *h = s->h;
	pthread_mutex_lock(&h->conn_lock);
	h->nstreams--;
	s->peer->streams--;
	peer_release(h, s->peer);
	s->peer = NULL;
	pthread_mutex_unlock(&h->conn_lock);
	atomic_store(&s->dead, 1);
}

/* A suspended stream's client may have hung up: nothing is read from a stream, so only
 * the socket says so (a FIN or a reset). Such streams are resumed to end at once, instead
 * of at their next ping. Under h->ev_lock, where a suspended stream's socket stays open. */
static void events_gone(struct http *h)
{
	size_t n = 0;
	for (struct evstream *s = h->streams; s; s = s->next)
		n += s->suspended && !atomic_load(&s->dead);
	if (n == 0)
		return;
	if (n > h->npolls) {
		free(h->polls);
		h->npolls = n * 2;
		h->polls = xcalloc(h->npolls, sizeof *h->polls);
	}
	size_t i = 0;
	for (struct evstream *s = h->streams; s && i < n; s = s->next)
		if (s->suspended && !atomic_load(&s->dead))
			h->polls[i++] = (struct pollfd){s->fd, POLLRDHUP, 0};
	if (poll(h->polls, n, 0) <= 0)
		return;
	i = 0;
	for (struct evstream *s = h->streams; s && i < n; s = s->next) {
		if (!s->suspended || atomic_load(&s->dead))
			continue;
		if (h->polls[i++].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
			atomic_store(&s->gone, 1);
			atomic_fetch_add(&h->m.streams_gone, 1);
			s->suspended = 0;
			MHD_resume_connection(s->conn);
		}
	}
}

static void *events_watch(void *arg)
{
	struct http *h = arg;
	struct node *n = h->n;
	uint64_t seen;
	int stopping;
	node_state(n, &seen, &stopping);
	for (;;) {
		pthread_mutex_lock(&n->ev_lock);
		if (!n->stopping && n->ev_seq == seen) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1; /* the ping clock's resolution */
			pthread_cond_timedwait(&n->ev_cond, &n->ev_lock, &until);
		}
		seen = n->ev_seq;
		stopping = n->stopping;
		pthread_mutex_unlock(&n->ev_lock);

		conn_reap(h);
		int64_t now = mono_ms();
		pthread_mutex_lock(&h->ev_lock);
		events_gone(h);
		for (struct evstream **pp = &h->streams; *pp;) {
			struct evstream *s = *pp;
			if (atomic_load(&s->dead)) {
				*pp = s->next;
				kbuf_free(&s->out);
				free(s);
				continue;
			}
			if (s->suspended &&
			    (stopping || s->sent_seq != seen || now >= s->next_ping_ms)) {
				s->suspended = 0;
				MHD_resume_connection(s->conn);
			}
			pp = &s->next;
		}
		pthread_mutex_unlock(&h->ev_lock);
		if (stopping)
			return NULL;
	}
}

static enum MHD_Result do_events(struct req *r, struct MHD_Connection *c)
{
	struct http *h = r->h;
	uint64_t seq;
	int stopping;
	node_state(h->n, &seq, &stopping);
	if (stopping)
		return send_error(r, c, 503, "the node is stopping", NO_HEADERS);
	int ping = EVENTS_PING_DEFAULT;
	const char *p = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "ping");
	if (p) {
		char *end;
		long v = strtol(p, &end, 10);
		if (!*p || *end || v < 0)
			return send_error(r, c, 400, "ping must be a whole number of seconds",
			                  NO_HEADERS);
		ping = v < 1 ? 1 : v > EVENTS_PING_MAX ? EVENTS_PING_MAX : (int)v;
	}
	const char *ca = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "closeafter");
	if (ca && strcmp(ca, "state") != 0 && strcmp(ca, "no") != 0)
		return send_error(r, c, 400, "closeafter must be \"state\" or \"no\"", NO_HEADERS);
	const union MHD_ConnectionInfo *fi =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!fi)
		return MHD_NO;

	/* A stream holds a connection for as long as the client likes: one address gets a
	 * few, and all of them together leave room for every other request. */
	pthread_mutex_lock(&h->conn_lock);
	struct peer *pr = peer_get(h, r->rate_key);
	enum refusal why = REF_N;
	if (h->streams_per_addr >= 0 && pr->streams >= h->streams_per_addr)
		why = REF_ADDR_STREAMS;
	else if (h->nstreams >= h->streams_max)
		why = REF_STREAMS;
	else {
		pr->streams++;
		h->nstreams++;
	}
	peer_release(h, pr);
	pthread_mutex_unlock(&h->conn_lock);
	if (why == REF_ADDR_STREAMS) {
		atomic_fetch_add(&h->m.refused[why], 1);
		char desc[160];
		snprintf(desc, sizeof desc,
		         "this address has %d /events streams open, the most it may; close one "
		         "first",
		         h->streams_per_addr);
		return send_error(r, c, 429, desc, MHD_HTTP_HEADER_RETRY_AFTER, "30", NO_HEADERS);
	}
	if (why == REF_STREAMS) {
		atomic_fetch_add(&h->m.refused[why], 1);
		return send_error(r, c, 503, "the node has all the /events streams it takes open",
		                  MHD_HTTP_HEADER_RETRY_AFTER, "30", NO_HEADERS);
	}

	struct evstream *s = xcalloc(1, sizeof *s);
	s->h = h;
	s->r = r;
	s->conn = c;
	s->fd = fi->connect_fd;
	s->peer = pr;
	s->sent_seq = seq;
	s->ping_s = ping;
	s->next_ping_ms = mono_ms() + (int64_t)ping * 1000;
	s->close_after_state = ca && strcmp(ca, "state") == 0;
	/* A client that vanished without a word: its unacknowledged pings end the stream. */
	unsigned dead_ms = STREAM_DEAD_MS;
	setsockopt(s->fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &dead_ms, sizeof dead_ms);
	struct MHD_Response *resp =
	    MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, events_read, s, events_free);
	if (!resp) {
		pthread_mutex_lock(&h->conn_lock);
		h->nstreams--;
		pr->streams--;
		peer_release(h, pr);
		pthread_mutex_unlock(&h->conn_lock);
		free(s);
		return MHD_NO;
	}
	conn_state(h, c, CS_STREAM, 0);
	pthread_mutex_lock(&h->ev_lock);
	s->next = h->streams;
	h->streams = s;
	pthread_mutex_unlock(&h->ev_lock);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no"); /* nginx: do not hold it */
	return queue(r, c, 200, resp);
}

/* ---- request bodies: /api and /upload ---------------------------------------------- */

/* Checks the signature (when there is one, or when required) and the account's rate.
 * Returns MHD_YES with *done 0 to go on, or the queued refusal with *done 1. */
static enum MHD_Result door(struct req *r, struct MHD_Connection *c, const char *wire,
                            size_t wire_len, int required, int *done)
{
	struct http *h = r->h;
	*done = 1;
	const char *authz = header(c, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!authz) {
		if (!required) {
			*done = 0;
			return MHD_YES;
		}
		return send_unauthorized(r, c,
		                         "this request must be signed (Authorization: "
		                         "Signature ..., DESIGN §4)");
	}
	struct kerr e = {0};
	int64_t now = (int64_t)time(NULL);
	int rc = auth_check(h->auth, authz, r->body.data, r->body.len, now, r->account, &e);
	/* The digest is over the body the API reads; a client that signed the gzip bytes it
	 * sent is also understood. */
	if (rc == K_EVERIFY && r->gzip_in) {
		struct kerr e2 = {0};
		if (auth_check(h->auth, authz, wire, wire_len, now, r->account, &e2) == K_OK)
			rc = K_OK;
	}
	if (rc == K_EFAIL)
		return send_error(r, c, 503, e.msg, MHD_HTTP_HEADER_RETRY_AFTER, "60", NO_HEADERS);
	if (rc != K_OK) {
		r->account[0] = '\0';
		return send_unauthorized(r, c, e.msg);
	}
	int wait = auth_rate(h->auth, r->account, h->n->limits.rate_account_per_min, now);
	if (wait > 0)
		return send_rate_limited(r, c, wait, "account");
	*done = 0;
	return MHD_YES;
}

/* The body as the API sees it: inflated when it came gzip'd. Returns MHD_YES with *done 1
 * after queueing a refusal. wire gets the bytes as received (for the signature). */
static enum MHD_Result take_body(struct req *r, struct MHD_Connection *c, struct kbuf *wire,
                                 int *done)
{
	*done = 1;
	if (r->over)
		return send_too_large(r, c, 0);
	if (r->gzip_in) {
		struct kbuf plain = KBUF_INIT;
		struct kerr e = {0};
		int rc = http_gunzip(r->body.data, r->body.len, r->limit, &plain, &e);
		if (rc != K_OK) {
			kbuf_free(&plain);
			if (rc == K_ETOOBIG)
				return send_too_large(r, c, 1);
			return send_error(r, c, 400, e.msg, NO_HEADERS);
		}
		*wire = r->body;
		r->body = plain;
	}
	*done = 0;
	return MHD_YES;
}

/* The body taken (inflated when gzip'd), then the door: its signature (required for an
 * upload) and the account's rate. MHD_YES with *done 0 to go on, or the queued refusal
 * with *done 1. */
static enum MHD_Result body_admitted(struct req *r, struct MHD_Connection *c, int signed_only,
                                     int *done)
{
	struct kbuf wire = KBUF_INIT;
	enum MHD_Result ok = take_body(r, c, &wire, done);
	if (!*done)
		ok = door(r, c, wire.data, wire.len, signed_only, done);
	kbuf_free(&wire);
	return ok;
}

static enum MHD_Result do_api(struct req *r, struct MHD_Connection *c)
{
	int done;
	enum MHD_Result ok = body_admitted(r, c, 0, &done);
	if (done)
		return ok;
	struct api_caller who = {r->account[0] ? r->account : NULL, r->addr};
	struct kbuf out = KBUF_INIT;
	int status = api_handle(r->h->n, &who, kbuf_str(&r->body), r->body.len, &out, &r->methods);
	struct MHD_Response *resp = NULL;
	if (send_body(r, c, status, "application/json", &out, 1, &resp) != MHD_YES)
		return MHD_NO;
	if (status == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, WWW_AUTH);
	/* No cache keeps an API answer (no-store), so Vary would tell none of them anything:
	 * 23 bytes less on every call of a slow link (DESIGN §11: a sync with nothing new). */
	MHD_del_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return queue(r, c, status, resp);
}

static enum MHD_Result do_upload(struct req *r, struct MHD_Connection *c)
{
	int done;
	enum MHD_Result ok = body_admitted(r, c, 1, &done);
	if (done)
		return ok;
	if (!api_registered(r->h->n, r->account)) {
		char desc[KERR_MSG_MAX];
		snprintf(desc, sizeof desc, API_UNREGISTERED_FMT, "POST /upload", r->account);
		return send_error(r, c, 403, desc, NO_HEADERS);
	}
	char id[KCRYPTO_HASH_B64_LEN + 1];
	struct kerr e = {0};
	int rc = nstore_blob_put(r->h->n->store, r->body.data ? r->body.data : "", r->body.len,
	                         r->upload_type, r->account, id, &e);
	if (rc != K_OK) {
		fprintf(stderr, "kontord: upload from %s: %s\n", r->account, e.msg);
		return send_error(r, c, rc == K_EINVAL ? 400 : 500,
		                  rc == K_EINVAL ? e.msg : "the node could not store the blob",
		                  NO_HEADERS);
	}
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "{\"blobId\":\"%s\",\"size\":%zu,\"type\":", id, r->body.len);
	json_put_string(&b, r->upload_type, strlen(r->upload_type));
	kbuf_puts(&b, "}");
	return send_body(r, c, 201, "application/json", &b, 0, NULL);
}

/* ---- dispatch ------------------------------------------------------------------------ */

static enum route route_of(const char *url, const char **rest)
{
	static const struct {
		const char *url;
		enum route route;
	} exact[] = {
	    {"/.well-known/kontor", R_SESSION},
	    {"/api", R_API},
	    {"/upload", R_UPLOAD},
	    {"/events", R_EVENTS},
	    {"/healthz", R_HEALTHZ},
	    {"/metrics", R_METRICS},
	};
	*rest = NULL;
	for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
		if (strcmp(url, exact[i].url) == 0)
			return exact[i].route;
	if (strncmp(url, "/download/", 10) == 0) {
		*rest = url + 10;
		return R_DOWNLOAD;
	}
	return R_OTHER;
}

/* Every X-Forwarded-For value, in order, as one list (a proxy may add a header of its own
 * instead of appending to the client's). */
static enum MHD_Result xff_collect(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
	struct kbuf *b = cls;
	if (key && value && strcasecmp(key, "X-Forwarded-For") == 0) {
		if (b->len)
			kbuf_puts(b, ",");
		kbuf_puts(b, value);
	}
	return MHD_YES;
}

/* The client's address for logs, rates and limits: the TCP peer, or, when that is a
 * trusted proxy, the hop its X-Forwarded-For names (http_xff_client). */
static void client_addr(struct MHD_Connection *c, struct req *r)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(r->addr, sizeof r->addr, "?");
	int family;
	uint8_t a[16];
	if (!ci || sockaddr_bytes(ci->client_addr, &family, a) != 0)
		return;
	if (trusted_proxy(r->h, family, a)) {
		struct kbuf xff = KBUF_INIT;
		MHD_get_connection_values(c, MHD_HEADER_KIND, xff_collect, &xff);
		int f;
		uint8_t x[16];
		if (http_xff_client(xff.len ? xff.data : NULL, r->h->o->proxies, r->h->o->nproxies,
		                    &f, x)) {
			family = f;
			memcpy(a, x, sizeof a);
		}
		kbuf_free(&xff);
	}
	http_addr_text(family, a, r->addr, r->rate_key);
}

static enum MHD_Result on_complete_request(struct req *r, struct MHD_Connection *c);

/* The request's headers are in. Refusals that save reading a body (rate, declared size,
 * encoding, missing signature on an upload) go out at once, and MHD closes the connection
 * since the body was not read. Everything else waits for the end of the request, so that
 * keep-alive survives. */
static enum MHD_Result on_headers(struct req *r, struct MHD_Connection *c, const char *method)
{
	struct http *h = r->h;
	int post_route = r->route == R_API || r->route == R_UPLOAD;
	int is_get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	if (r->route == R_OTHER)
		r->refuse = 404;
	else if (r->route == R_EVENTS ? strcmp(method, "GET") != 0
	         : post_route         ? strcmp(method, "POST") != 0
	                              : !is_get)
		r->refuse = 405;
	if (r->route != R_HEALTHZ && r->route != R_OTHER) {
		int wait = auth_rate(h->auth, r->rate_key, h->n->limits.rate_addr_per_min,
		                     (int64_t)time(NULL));
		if (wait > 0)
			return send_rate_limited(r, c, wait, "address");
	}
	/* A request whose body would be dropped anyway (a refusal, a GET with a body) is
	 * answered now: reading megabytes only to drop them costs more than the connection. */
	const char *cl0 = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
	int has_body =
	    (cl0 && strcmp(cl0, "0") != 0) || header(c, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	if ((r->refuse || !post_route) && has_body)
		return on_complete_request(r, c);
	if (!post_route || r->refuse)
		return MHD_YES;

	r->limit = r->route == R_API ? h->n->limits.max_size_request : h->n->limits.max_upload;
	const char *ce = header(c, MHD_HTTP_HEADER_CONTENT_ENCODING);
	if (ce && strcasecmp(ce, "identity") != 0) {
		if (strcasecmp(ce, "gzip") != 0 && strcasecmp(ce, "x-gzip") != 0)
			return send_error(r, c, 415, "Content-Encoding must be gzip or identity",
			                  NO_HEADERS);
		r->gzip_in = 1;
	}
	const char *cl = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(cl, &end, 10);
		if (errno || end == cl || v > r->limit)
			return send_too_large(r, c, 0);
	}
	/* Unsigned uploads are refused before their bytes are read. */
	if (r->route == R_UPLOAD && !header(c, MHD_HTTP_HEADER_AUTHORIZATION))
		return send_unauthorized(r, c,
		                         "uploads must be signed (Authorization: Signature "
		                         "..., DESIGN §4)");
	if (r->route == R_UPLOAD) {
		const char *ct = header(c, MHD_HTTP_HEADER_CONTENT_TYPE);
		if (!ct || !*ct)
			ct = "application/octet-stream";
		size_t n = strlen(ct);
		int printable = 1;
		for (size_t i = 0; i < n; i++)
			printable &= ct[i] >= 0x20 && ct[i] < 0x7f;
		if (n >= sizeof r->upload_type || !printable)
			return send_error(r, c, 400,
			                  "Content-Type must be printable and under 64 characters",
			                  NO_HEADERS);
		memcpy(r->upload_type, ct, n + 1);
	}
	r->keep_body = 1;
	return MHD_YES;
}

/* The body's deadline: the request timeout from its headers, moved on by a second for
 * every body_rate bytes received, but never past the timeout plus the declared size (or,
 * sent in chunks, the route's limit) at that rate. A body dripped in slower is cut after
 * the timeout; a whole one has its size's worth of time. */
static void body_progress(struct req *r, struct MHD_Connection *c)
{
	struct http *h = r->h;
	if (!r->body_t0_ms)
		return; /* no body was declared: MHD refuses one */
	uint64_t got = r->bytes_in < r->body_declared ? r->bytes_in : r->body_declared;
	int64_t allowed =
	    (int64_t)h->request_timeout * 1000 + (int64_t)(got * 1000 / (uint64_t)h->body_rate);
	struct conn *k = conn_of(c);
	if (!k)
		return;
	pthread_mutex_lock(&h->conn_lock);
	k->deadline_ms = r->body_t0_ms + allowed;
	pthread_mutex_unlock(&h->conn_lock);
}

/* The headers are in: a body must follow (body_progress), or the answer is next. */
static void body_deadline(struct req *r, struct MHD_Connection *c)
{
	struct http *h = r->h;
	const char *cl = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *te = header(c, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	uint64_t size = 0;
	if (cl) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(cl, &end, 10);
		size = errno || end == cl ? UINT64_MAX : v;
	}
	if (te)
		size = UINT64_MAX;
	if (size == 0) {
		conn_state(h, c, CS_ANSWER, 0);
		return;
	}
	uint64_t cap = r->limit ? r->limit : h->n->limits.max_upload;
	r->body_declared = size > cap ? cap : size;
	r->body_t0_ms = mono_ms();
	conn_state(h, c, CS_BODY, (int64_t)h->request_timeout * 1000);
}

/* The whole request is in: answer it. */
static enum MHD_Result on_complete_request(struct req *r, struct MHD_Connection *c)
{
	conn_state(r->h, c, CS_ANSWER, 0);
	if (r->refuse == 404)
		return send_error(r, c, 404, "no such endpoint", NO_HEADERS);
	if (r->refuse == 405) {
		const char *allow = r->route == R_API || r->route == R_UPLOAD ? "POST"
		                    : r->route == R_EVENTS                    ? "GET"
		                                                              : "GET, HEAD";
		return send_error(r, c, 405, "method not allowed here", MHD_HTTP_HEADER_ALLOW,
		                  allow, NO_HEADERS);
	}
	switch (r->route) {
	case R_SESSION:
		return do_session(r, c);
	case R_DOWNLOAD:
		return do_download(r, c, r->rest);
	case R_EVENTS:
		return do_events(r, c);
	case R_HEALTHZ:
		return do_healthz(r, c);
	case R_METRICS:
		return do_metrics(r, c);
	case R_API:
		return do_api(r, c);
	case R_UPLOAD:
		return do_upload(r, c);
	default:
		return send_error(r, c, 404, "no such endpoint", NO_HEADERS);
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	struct http *h = cls;
	struct req *r = *con_cls;
	if (!r) {
		r = xcalloc(1, sizeof *r);
		r->h = h;
		r->t0_us = ktime_mono_us();
		http_log_clean(r->method, sizeof r->method, method);
		http_log_clean(r->path, sizeof r->path, url);
		const char *rest;
		r->route = route_of(url, &rest);
		if (rest)
			snprintf(r->rest, sizeof r->rest, "%s", rest);
		client_addr(c, r);
		*con_cls = r;
		atomic_fetch_add(&h->inflight, 1);
		enum MHD_Result ok = on_headers(r, c, method);
		body_deadline(r, c);
		return ok;
	}
	if (*upload_size) {
		r->bytes_in += *upload_size;
		body_progress(r, c);
		if (r->keep_body && !r->over && r->body.len + *upload_size > r->limit) {
			r->over = 1;
			kbuf_free(&r->body);
		}
		if (r->keep_body && !r->over)
			kbuf_append(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	return on_complete_request(r, c);
}

static int status_index(int status)
{
	for (size_t i = 0; i < NSTATUS; i++)
		if (status_list[i] == status)
			return (int)i;
	return (int)NSTATUS;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct http *h = cls;
	struct req *r = *con_cls;
	if (!r)
		return;
	*con_cls = NULL;
	int64_t us = ktime_mono_us() - r->t0_us;
	/* MHD sends no body for HEAD, whatever the response holds. */
	uint64_t out = strcmp(r->method, "HEAD") == 0 ? 0 : r->bytes_out;
	struct metrics *m = &h->m;
	atomic_fetch_add(&m->requests[r->route][status_index(r->status)], 1);
	size_t k = 0;
	while (k < NBUCKET && (double)us / 1e6 > bucket_le[k])
		k++;
	if (k < NBUCKET)
		atomic_fetch_add(&m->buckets[r->route][k], 1);
	atomic_fetch_add(&m->count[r->route], 1);
	atomic_fetch_add(&m->sum_us[r->route], (uint64_t)us);
	atomic_fetch_add(&m->bytes_in, r->bytes_in);
	atomic_fetch_add(&m->bytes_out, out);

	char when[32], methods[200];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	http_log_clean(methods, sizeof methods, r->methods.len ? r->methods.data : "-");
	struct conn *kc = conn_of(c);
	int cut = 0;
	if (kc) {
		pthread_mutex_lock(&h->conn_lock);
		cut = kc->cut;
		pthread_mutex_unlock(&h->conn_lock);
	}
	const char *how = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK      ? ""
	                  : cut                                           ? " (timed out)"
	                  : toe == MHD_REQUEST_TERMINATED_CLIENT_ABORT    ? " (client went away)"
	                  : toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? " (timed out)"
	                  : toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN ? " (node stopped)"
	                                                                  : " (connection broken)";
	char status[8];
	snprintf(status, sizeof status, "%d", r->status);
	/* One write per line, so lines from many threads never interleave. */
	/* Kept alive, the next request has its time like a new connection's first. */
	conn_state(h, c, CS_IDLE, (int64_t)KEEPALIVE_S * 1000);
	struct kbuf line = KBUF_INIT;
	kbuf_printf(&line, "%s %s %s %s %s %s in=%" PRIu64 " out=%" PRIu64 " %.1fms%s\n", when,
	            r->addr, r->method, r->path, methods, r->status ? status : "-", r->bytes_in,
	            out, (double)us / 1000.0, how);
	ssize_t wr = write(STDERR_FILENO, line.data, line.len);
	(void)wr;
	kbuf_free(&line);
	kbuf_free(&r->body);
	kbuf_free(&r->methods);
	free(r);
	atomic_fetch_sub(&h->inflight, 1);
}

/* A client that hangs up or fails its handshake is routine on the open internet and
 * already shows in the request log; everything else MHD says (bind, accept, limits,
 * TLS setup) is for the operator. */
static const char *const mhd_noise[] = {
    "no longer available", "handshake",          "Connection reset",
    "closed by remote",    "connection closure", /* a client gone, or a connection the node cut
                                                    (metrics count it) */
};

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	for (size_t i = 0; i < sizeof mhd_noise / sizeof mhd_noise[0]; i++)
		if (strstr(msg, mhd_noise[i]))
			return;
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	fprintf(stderr, "kontord: microhttpd: %s\n", msg);
}

/* ---- start and stop ------------------------------------------------------------------ */

/* Reads a PEM file whole (GnuTLS wants it in memory); errors name the file. */
static int read_pem(const char *path, const char *what, struct kbuf *out, struct kerr *e)
{
	if (!path || !*path)
		return kerr_set(e, K_EUSAGE, "%s is required (or --plain-http on loopback)", what);
	int rc = kbuf_read_file(path, PEM_MAX, out, e);
	if (rc != K_OK) {
		kerr_prefix(e, "%s", what);
		return rc;
	}
	if (!strstr(kbuf_str(out), "-----BEGIN "))
		return kerr_set(e, K_EINVAL, "%s %s is not a PEM file", what, path);
	return K_OK;
}

/* MHD only says "failed" for a bad pair; GnuTLS says why, so ask it first. */
static int tls_check(const struct serve_opts *o, const struct kbuf *cert, const struct kbuf *key,
                     struct kerr *e)
{
	gnutls_certificate_credentials_t cred;
	if (gnutls_certificate_allocate_credentials(&cred) < 0)
		return kerr_set(e, K_ENOMEM, "GnuTLS could not allocate credentials");
	gnutls_datum_t c = {(unsigned char *)cert->data, (unsigned)cert->len};
	gnutls_datum_t k = {(unsigned char *)key->data, (unsigned)key->len};
	int rc = gnutls_certificate_set_x509_key_mem(cred, &c, &k, GNUTLS_X509_FMT_PEM);
	gnutls_certificate_free_credentials(cred);
	if (rc < 0)
		return kerr_set(e, K_EINVAL, "--tls-cert %s and --tls-key %s: %s", o->tls_cert,
		                o->tls_key, gnutls_strerror(rc));
	return K_OK;
}

/* Binding ourselves gives a real errno ("Address already in use") where MHD gives none. */
static int bind_listen(const struct http_listen *l, const char *text, int *fd_out, struct kerr *e)
{
	int fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return kerr_set(e, K_EIO, "socket: %s", strerror(errno));
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (l->addr.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (const struct sockaddr *)&l->addr, l->addr_len) != 0 ||
	    listen(fd, 1024) != 0) {
		int err = errno;
		close(fd);
		return kerr_set(e, K_EIO, "cannot listen on %s: %s", text, strerror(err));
	}
	*fd_out = fd;
	return K_OK;
}

static int bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

int http_serve(struct node *n, const struct serve_opts *o, struct kerr *e)
{
	const char *listen_text = o->listen ? o->listen : "127.0.0.1:8443";
	struct http *h = xcalloc(1, sizeof *h);
	h->n = n;
	h->o = o;
	h->scheme = o->plain_http ? "http" : "https";
	pthread_mutex_init(&h->ev_lock, NULL);
	pthread_mutex_init(&h->conn_lock, NULL);
	struct kbuf cert = KBUF_INIT, key = KBUF_INIT;
	int fd = -1, rc;
	struct MHD_Daemon *d = NULL;
	sigset_t stop_sigs, old_mask;
	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGINT);
	sigaddset(&stop_sigs, SIGTERM);
	int masked = 0, watching = 0;
	pthread_t watcher;

	rc = http_listen_parse(listen_text, &h->listen, e);
	if (rc != K_OK)
		goto out;
	if (o->plain_http && !h->listen.loopback) {
		rc = kerr_set(e, K_EINVAL,
		              "--plain-http is only allowed on a loopback address (127.0.0.0/8 "
		              "or ::1), not %s: put a TLS proxy in front or use --tls-cert and "
		              "--tls-key",
		              listen_text);
		goto out;
	}
	if (!o->plain_http) {
		if ((rc = read_pem(o->tls_cert, "--tls-cert", &cert, e)) != K_OK ||
		    (rc = read_pem(o->tls_key, "--tls-key", &key, e)) != K_OK ||
		    (rc = tls_check(o, &cert, &key, e)) != K_OK)
			goto out;
	}
	if ((rc = bind_listen(&h->listen, listen_text, &fd, e)) != K_OK)
		goto out;
	h->listen.port = bound_port(fd);
	h->auth = auth_new(&n->limits);
	auth_set_floor(h->auth, (int64_t)time(NULL));

	/* MHD's threads inherit this mask, so the stop signals reach only sigwait below. */
	pthread_sigmask(SIG_BLOCK, &stop_sigs, &old_mask);
	masked = 1;
	signal(SIGPIPE, SIG_IGN);

	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
	                 MHD_ALLOW_SUSPEND_RESUME;
	if (!o->plain_http)
		flags |= MHD_USE_TLS;
	if (h->listen.addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	unsigned threads = (unsigned)(o->threads > 0 ? o->threads : cores());
	int max_conn = n->limits.max_connections > 0 ? n->limits.max_connections : 1024;
	/* Streams stop short of the connection limit, so /healthz and the API always find a
	 * connection free. */
	h->streams_max = o->max_streams > 0 ? o->max_streams : max_conn - max_conn / 8;
	if (h->streams_max > max_conn - 1)
		h->streams_max = max_conn > 1 ? max_conn - 1 : 1;
	h->conn_per_addr = o->max_conn_per_addr ? o->max_conn_per_addr : CONN_PER_ADDR_DEFAULT;
	h->streams_per_addr =
	    o->max_streams_per_addr ? o->max_streams_per_addr : STREAMS_PER_ADDR_DEFAULT;
	h->request_timeout = o->request_timeout > 0 ? o->request_timeout : REQUEST_TIMEOUT_DEFAULT;
	h->body_rate = o->body_rate > 0 ? o->body_rate : BODY_RATE_DEFAULT;
	struct MHD_OptionItem tls_opts[] = {
	    {MHD_OPTION_HTTPS_MEM_CERT, 0, cert.data},
	    {MHD_OPTION_HTTPS_MEM_KEY, 0, key.data},
	    {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)TLS_PRIORITIES},
	    {MHD_OPTION_END, 0, NULL},
	};
	struct MHD_OptionItem no_opts[] = {{MHD_OPTION_END, 0, NULL}};
	d = MHD_start_daemon(
	    flags, 0, on_accept, h, on_request, h, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
	    MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)max_conn, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)CONN_TIMEOUT, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_NOTIFY_CONNECTION,
	    on_connection, h, MHD_OPTION_ARRAY, o->plain_http ? no_opts : tls_opts, MHD_OPTION_END);
	if (!d) {
		close(fd);
		rc = kerr_set(e, K_EIO,
		              "could not start the HTTP%s server on %s (see the "
		              "microhttpd message above)",
		              o->plain_http ? "" : "S", listen_text);
		goto out;
	}
	if (pthread_create(&watcher, NULL, events_watch, h) != 0) {
		rc = kerr_set(e, K_EFAIL, "could not start the /events thread");
		goto out;
	}
	watching = 1;
	fprintf(stderr, "kontord: listening on %s://%s:%d (%u threads)\n", h->scheme,
	        h->listen.host, h->listen.port, threads);
	char per_conn[40] = "no limit per address", per_stream[40] = "no limit per address";
	if (h->conn_per_addr >= 0)
		snprintf(per_conn, sizeof per_conn, "%d from one address", h->conn_per_addr);
	if (h->streams_per_addr >= 0)
		snprintf(per_stream, sizeof per_stream, "%d from one address", h->streams_per_addr);
	fprintf(stderr,
	        "kontord: limits: %d connections (%s), %d /events streams (%s), requests in %d s "
	        "plus 1 s per %d body bytes%s\n",
	        max_conn, per_conn, h->streams_max, per_stream, h->request_timeout, h->body_rate,
	        o->nproxies ? ", X-Forwarded-For from trusted proxies" : "");

	/* The main thread waits for the stop signal and, once a minute (and right away),
	 * runs the escrow agent's sweep: auto-release of delivered orders (order.c). */
	int sig = 0;
	for (int64_t next_sweep = 0;;) {
		int64_t wall = (int64_t)time(NULL);
		if (wall >= next_sweep) {
			struct kerr se = {0, ""};
			int released = 0;
			if (order_auto_release(n, wall, &released, &se) != K_OK)
				fprintf(stderr, "kontord: %s\n", se.msg);
			if (released > 0) {
				fprintf(stderr, "kontord: auto-released %d order%s to the seller\n",
				        released, released == 1 ? "" : "s");
				node_notify(n);
			}
			next_sweep = wall + AUTO_RELEASE_EVERY;
		}
		node_watch_outside(n); /* what `kontord admin` committed beside us */
		struct timespec tick = {1, 0};
		sig = sigtimedwait(&stop_sigs, NULL, &tick);
		if (sig == SIGINT || sig == SIGTERM)
			break;
	}
	fprintf(stderr, "kontord: %s: stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	rc = K_OK;

out:
	if (d) {
		/* New connections are refused first; then /events streams are told to end,
		 * and in-flight requests get a grace period before the pool is torn down. */
		MHD_socket lfd = MHD_quiesce_daemon(d);
		pthread_mutex_lock(&n->ev_lock);
		n->stopping = 1;
		pthread_cond_broadcast(&n->ev_cond);
		pthread_mutex_unlock(&n->ev_lock);
		if (watching)
			pthread_join(watcher, NULL);
		for (int ms = 0; ms < STOP_GRACE_MS && atomic_load(&h->inflight) > 0; ms += 20)
			usleep(20 * 1000);
		MHD_stop_daemon(d);
		if (lfd != MHD_INVALID_SOCKET)
			close(lfd);
	}
	if (masked) {
		/* A second Ctrl-C during the shutdown must not kill the process once the
		 * mask is lifted: the first one is already being honoured. */
		struct timespec zero = {0, 0};
		while (sigtimedwait(&stop_sigs, NULL, &zero) > 0)
			;
		pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	}
	while (h->streams) {
		struct evstream *s = h->streams;
		h->streams = s->next;
		kbuf_free(&s->out);
		free(s);
	}
	for (size_t i = 0; i < PEER_BUCKETS; i++)
		while (h->peers[i]) {
			struct peer *p = h->peers[i];
			h->peers[i] = p->next;
			free(p);
		}
	free(h->polls);
	auth_free(&h->auth);
	if (key.data)
		sodium_memzero(key.data, key.len);
	kbuf_free(&key);
	kbuf_free(&cert);
	pthread_mutex_destroy(&h->ev_lock);
	pthread_mutex_destroy(&h->conn_lock);
	free(h);
	return rc;
}
