/* kflood — one address's attack on a node, for tests/integration/node-guard.sh: many
 * connections to 127.0.0.1:PORT (never anywhere else), bounded in count and time.
 *   kflood MODE PORT [--count N] [--src 127.x.y.z] [--hold S] [--every S] [--xff VALUE]
 *                    [--ready FILE] [--linger S]
 * --xff sends X-Forwarded-For: VALUE; a VALUE ending in "." gets the connection's number
 * (1, 2, ...) added, so each connection claims another address.
 * MODE says what each connection does:
 *   events   GET /events?ping=3600, waits for the answer's status line, and once every
 *            connection has one (or was closed, or --hold passed) keeps them --linger
 *            seconds more (default 0), then drops them all at once
 *   headers  a request line, then one header line every --every seconds, never ending
 *   body     POST /api declaring a 4,000,000-byte body, then one body byte every --every s
 *   idle     connects and sends nothing
 * Every connection is opened first (from --src when given; a connect not through in 5 s
 * counts as failed); FILE, when given, then gets "ready". The drip modes run until the node has
 * closed every connection or --hold seconds passed (default 30), then close what is left. The last
 * line on standard output counts: opened=N failed=N closed=N open=N s200=N s429=N s503=N sother=N
 * closed: connections the node closed (or reset); open: those still open at the end; sNNN:
 * status lines received. Exit 0 when it ran, 1 when it could not, 2 for bad usage. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define COUNT_MAX 4000
#define HOLD_MAX 120
#define CONNECT_S 5 /* for all the connects together */

enum mode { M_EVENTS, M_HEADERS, M_BODY, M_IDLE };

struct link {
	int fd;
	int connecting; /* the connect is under way */
	int closed;     /* by the node */
	int answered;   /* a status line came */
	char head[16];  /* the answer's first bytes */
	size_t headlen;
};

static int usage(void)
{
	fputs("usage: kflood events|headers|body|idle PORT [--count N] [--src 127.x.y.z] "
	      "[--hold S] [--every S] [--xff VALUE] [--ready FILE] [--linger S]\n",
	      stderr);
	return 2;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A whole number from lo to hi, or -1. */
static long number(const char *s, long lo, long hi)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return -1;
	return v;
}

static void send_all(struct link *l, const char *s)
{
	size_t n = strlen(s);
	if (l->closed || l->fd < 0)
		return;
	/* Small writes into an empty socket buffer: they go whole or the link is gone. */
	if (send(l->fd, s, n, MSG_NOSIGNAL) != (ssize_t)n) {
		if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
			l->closed = 1;
	}
}

/* Reads what the node sent; marks the link closed on EOF or a reset. */
static void take(struct link *l)
{
	char buf[4096];
	for (;;) {
		ssize_t n = recv(l->fd, buf, sizeof buf, 0);
		if (n > 0) {
			size_t room = sizeof l->head - 1 - l->headlen;
			size_t k = (size_t)n < room ? (size_t)n : room;
			memcpy(l->head + l->headlen, buf, k);
			l->headlen += k;
			l->head[l->headlen] = '\0';
			if (l->headlen >= 12)
				l->answered = 1;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			l->closed = 1;
		return;
	}
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	enum mode mode;
	if (strcmp(argv[1], "events") == 0)
		mode = M_EVENTS;
	else if (strcmp(argv[1], "headers") == 0)
		mode = M_HEADERS;
	else if (strcmp(argv[1], "body") == 0)
		mode = M_BODY;
	else if (strcmp(argv[1], "idle") == 0)
		mode = M_IDLE;
	else
		return usage();
	long port = number(argv[2], 1, 65535), count = 100, hold = 30, every = 2, linger = 0;
	const char *src = NULL, *xff = NULL, *ready = NULL;
	if (port < 0)
		return usage();
	for (int i = 3; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			return usage();
		if (strcmp(argv[i], "--count") == 0)
			count = number(v, 1, COUNT_MAX);
		else if (strcmp(argv[i], "--hold") == 0)
			hold = number(v, 1, HOLD_MAX);
		else if (strcmp(argv[i], "--every") == 0)
			every = number(v, 1, HOLD_MAX);
		else if (strcmp(argv[i], "--linger") == 0)
			linger = number(v, 0, HOLD_MAX);
		else if (strcmp(argv[i], "--src") == 0)
			src = v;
		else if (strcmp(argv[i], "--xff") == 0)
			xff = v;
		else if (strcmp(argv[i], "--ready") == 0)
			ready = v;
		else
			return usage();
		if (count < 0 || hold < 0 || every < 0 || linger < 0)
			return usage();
		i++;
	}
	struct sockaddr_in to = {0}, from = {0};
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (src) {
		from.sin_family = AF_INET;
		if (inet_pton(AF_INET, src, &from.sin_addr) != 1 ||
		    (ntohl(from.sin_addr.s_addr) >> 24) != 127) {
			fprintf(stderr, "kflood: --src %s is not a loopback address (127.x.y.z)\n",
			        src);
			return 2;
		}
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)count + 64) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	struct link *links = calloc((size_t)count, sizeof *links);
	struct pollfd *pf = calloc((size_t)count, sizeof *pf);
	if (!links || !pf) {
		fputs("kflood: out of memory\n", stderr);
		return 1;
	}
	/* Every connect at once, without waiting: a node that has stopped accepting fills its
	 * queue, and those left over fail after CONNECT_S seconds in all. */
	long opened = 0, failed = 0;
	for (long i = 0; i < count; i++) {
		struct link *l = &links[i];
		l->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (l->fd < 0) {
			fprintf(stderr, "kflood: socket: %s\n", strerror(errno));
			failed += count - i;
			break;
		}
		if ((src && bind(l->fd, (struct sockaddr *)&from, sizeof from) != 0) ||
		    (connect(l->fd, (struct sockaddr *)&to, sizeof to) != 0 &&
		     errno != EINPROGRESS)) {
			close(l->fd);
			l->fd = -1;
			failed++;
			continue;
		}
		l->connecting = 1;
	}
	for (double until = now_s() + CONNECT_S;;) {
		long n = 0;
		for (long i = 0; i < count; i++)
			if (links[i].fd >= 0 && links[i].connecting) {
				pf[n].fd = links[i].fd;
				pf[n].events = POLLOUT;
				pf[n].revents = 0;
				n++;
			}
		if (n == 0 || now_s() >= until)
			break;
		if (poll(pf, (nfds_t)n, 100) <= 0)
			continue;
		for (long i = 0, j = 0; i < count && j < n; i++) {
			struct link *l = &links[i];
			if (l->fd < 0 || !l->connecting)
				continue;
			if (!pf[j++].revents)
				continue;
			int err = 0;
			socklen_t el = sizeof err;
			getsockopt(l->fd, SOL_SOCKET, SO_ERROR, &err, &el);
			l->connecting = 0;
			if (err) {
				close(l->fd);
				l->fd = -1;
				failed++;
				continue;
			}
			opened++;
			char req[512], xv[160] = "";
			if (xff)
				snprintf(xv, sizeof xv, "X-Forwarded-For: %s%.0ld\r\n", xff,
				         xff[0] && xff[strlen(xff) - 1] == '.' ? i + 1 : 0);
			if (mode == M_EVENTS)
				snprintf(
				    req, sizeof req,
				    "GET /events?ping=3600 HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n",
				    xv);
			else if (mode == M_HEADERS)
				snprintf(req, sizeof req,
				         "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n%s", xv);
			else if (mode == M_BODY)
				snprintf(req, sizeof req,
				         "POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\n%sContent-Type: "
				         "application/json\r\nContent-Length: 4000000\r\n\r\n{",
				         xv);
			else
				req[0] = '\0';
			if (req[0])
				send_all(l, req);
		}
	}
	for (long i = 0; i < count; i++)
		if (links[i].fd >= 0 && links[i].connecting) {
			close(links[i].fd);
			links[i].fd = -1;
			failed++;
		}
	if (ready) {
		FILE *f = fopen(ready, "w");
		if (f) {
			fputs("ready\n", f);
			fclose(f);
		}
	}

	double start = now_s(), next_drip = start + (double)every, answered_at = 0;
	int drip = 0;
	for (;;) {
		long n = 0, live = 0, waiting = 0;
		for (long i = 0; i < count; i++) {
			struct link *l = &links[i];
			if (l->fd < 0 || l->closed)
				continue;
			live++;
			waiting += !l->answered;
			pf[n].fd = l->fd;
			pf[n].events = POLLIN;
			pf[n].revents = 0;
			n++;
		}
		double t = now_s();
		if (mode == M_EVENTS && waiting == 0 && answered_at == 0)
			answered_at = t;
		if (live == 0 || t - start >= (double)hold ||
		    (answered_at > 0 && t - answered_at >= (double)linger))
			break;
		if (poll(pf, (nfds_t)n, 100) > 0)
			for (long i = 0, j = 0; i < count && j < n; i++) {
				struct link *l = &links[i];
				if (l->fd < 0 || l->closed)
					continue;
				if (pf[j++].revents)
					take(l);
			}
		if ((mode == M_HEADERS || mode == M_BODY) && now_s() >= next_drip) {
			char d[64];
			if (mode == M_HEADERS)
				snprintf(d, sizeof d, "X-Drip-%d: x\r\n", drip);
			else
				snprintf(d, sizeof d, " ");
			drip++;
			for (long i = 0; i < count; i++)
				send_all(&links[i], d);
			next_drip += (double)every;
		}
	}

	long closed = 0, open = 0, s200 = 0, s429 = 0, s503 = 0, sother = 0;
	for (long i = 0; i < count; i++) {
		struct link *l = &links[i];
		if (l->fd < 0)
			continue;
		if (l->answered) {
			int code = atoi(l->head + 9);
			s200 += code == 200;
			s429 += code == 429;
			s503 += code == 503;
			sother += code != 200 && code != 429 && code != 503;
		}
		if (l->closed)
			closed++;
		else
			open++;
		close(l->fd); /* the drop: a FIN, as a client that goes away sends */
	}
	printf("opened=%ld failed=%ld closed=%ld open=%ld s200=%ld s429=%ld s503=%ld sother=%ld\n",
	       opened, failed, closed, open, s200, s429, s503, sother);
	free(links);
	free(pf);
	return 0;
}
