/* kproxy: a fault-injecting TCP relay for the shell tests. It sits between kontor and
 * kontord and passes TLS through untouched (it never sees plaintext); it can hold every
 * chunk for a while (one-way latency per direction), throttle each direction to a byte
 * rate, cut a connection after so many bytes from the node, refuse connections, or answer
 * them with garbage. Single-threaded, poll()-based, bounded in connections and buffers.
 *
 *   kproxy --listen 127.0.0.1:0 --to 127.0.0.1:PORT [--delay-ms N] [--rate BYTES_PER_SEC]
 *          [--cut-after BYTES] [--cut-conns K] [--refuse] [--garbage]
 *
 * Prints "kproxy: listening on 127.0.0.1:PORT" on stderr once bound; on SIGTERM or SIGINT
 * prints "kproxy: N connections, X bytes up, Y bytes down" and exits 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 64
#define CHUNK_MAX 16384
#define QUEUE_LIMIT (256 * 1024) /* stop reading a side while its queue holds more */
#define GARBAGE_LEN 320
#define GARBAGE_LINGER_US 2000000

struct chunk {
	struct chunk *next;
	int64_t release_us; /* not forwarded before this time */
	size_t len, off;
	unsigned char data[];
};

/* One direction of a connection: what was read from one side, waiting for the other. */
struct dir {
	struct chunk *head, *tail;
	size_t queued;
	double tokens;
	int64_t refill_us;
	int eof_in;   /* the source side sent its FIN */
	int shut_out; /* the FIN was passed on */
	int blocked;  /* the last send would block: wait for POLLOUT */
};

struct conn {
	int used;
	unsigned id;
	int cfd, ufd; /* client side, upstream (node) side */
	int connecting;
	int garbage;
	int64_t linger_until; /* garbage: when to give up waiting for the client's close */
	int cut;
	uint64_t cut_left;
	struct dir up, down; /* up: client -> node; down: node -> client */
};

static struct {
	struct sockaddr_in listen_addr, to_addr;
	long delay_ms;
	long rate;
	double burst;
	long long cut_after; /* -1: never */
	long cut_conns;      /* 0: every connection */
	int refuse, garbage;
} opt = {.cut_after = -1};

static struct conn conns[MAX_CONNS];
static int nconns;
static unsigned long long n_accepted, bytes_up, bytes_down;
static volatile sig_atomic_t stopping;
static int sigpipe_fds[2] = {-1, -1};

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void on_signal(int sig)
{
	int saved = errno;
	stopping = 1;
	if (sigpipe_fds[1] >= 0) {
		ssize_t w = write(sigpipe_fds[1], "x", 1);
		(void)w;
	}
	errno = saved;
	(void)sig;
}

static void usage(void)
{
	fprintf(stderr, "usage: kproxy --listen 127.0.0.1:PORT --to HOST:PORT [--delay-ms N] "
	                "[--rate BYTES_PER_SEC] [--cut-after BYTES] [--cut-conns K] [--refuse] "
	                "[--garbage]\n");
	exit(2);
}

static int parse_addr(const char *s, struct sockaddr_in *a)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof host || colon == s)
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	char *end;
	errno = 0;
	long port = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port < 0 || port > 65535)
		return -1;
	memset(a, 0, sizeof *a);
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

static long long parse_num(const char *name, const char *s, long long lo, long long hi)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "kproxy: %s wants a number from %lld to %lld, not \"%s\"\n", name,
		        lo, hi, s);
		exit(2);
	}
	return v;
}

static void parse_args(int argc, char **argv)
{
	int have_listen = 0, have_to = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--refuse") == 0) {
			opt.refuse = 1;
			continue;
		}
		if (strcmp(a, "--garbage") == 0) {
			opt.garbage = 1;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (strcmp(a, "--listen") == 0) {
			if (parse_addr(v, &opt.listen_addr) < 0 ||
			    opt.listen_addr.sin_addr.s_addr != htonl(INADDR_LOOPBACK)) {
				fprintf(stderr,
				        "kproxy: --listen must be 127.0.0.1:PORT, not \"%s\"\n", v);
				exit(2);
			}
			have_listen = 1;
		} else if (strcmp(a, "--to") == 0) {
			if (parse_addr(v, &opt.to_addr) < 0 || opt.to_addr.sin_port == 0) {
				fprintf(
				    stderr,
				    "kproxy: --to must be an IPv4 address and port, not \"%s\"\n",
				    v);
				exit(2);
			}
			have_to = 1;
		} else if (strcmp(a, "--delay-ms") == 0) {
			opt.delay_ms = (long)parse_num(a, v, 0, 600000);
		} else if (strcmp(a, "--rate") == 0) {
			opt.rate = (long)parse_num(a, v, 1, 1000000000);
		} else if (strcmp(a, "--cut-after") == 0) {
			opt.cut_after = parse_num(a, v, 0, (long long)1 << 50);
		} else if (strcmp(a, "--cut-conns") == 0) {
			opt.cut_conns = (long)parse_num(a, v, 1, 1000000000);
		} else {
			usage();
		}
	}
	if (!have_listen || (!have_to && !opt.refuse && !opt.garbage))
		usage();
	if (opt.refuse && opt.garbage) {
		fprintf(stderr, "kproxy: --refuse and --garbage do not go together\n");
		exit(2);
	}
	/* Small bursts: about 1/16 s of the rate, at least 512 bytes. */
	opt.burst = opt.rate / 16.0 < 512 ? 512 : opt.rate / 16.0;
}

static void dir_init(struct dir *d, int64_t now)
{
	memset(d, 0, sizeof *d);
	d->tokens = opt.burst;
	d->refill_us = now;
}

static void dir_free(struct dir *d)
{
	struct chunk *c = d->head;
	while (c) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
	d->head = d->tail = NULL;
	d->queued = 0;
}

static void dir_push(struct dir *d, const unsigned char *p, size_t n, int64_t now)
{
	struct chunk *c = malloc(sizeof *c + n);
	if (!c)
		abort();
	c->next = NULL;
	c->release_us = now + (int64_t)opt.delay_ms * 1000;
	c->len = n;
	c->off = 0;
	memcpy(c->data, p, n);
	if (d->tail)
		d->tail->next = c;
	else
		d->head = c;
	d->tail = c;
	d->queued += n;
}

static void refill(struct dir *d, int64_t now)
{
	if (!opt.rate)
		return;
	d->tokens += (double)(now - d->refill_us) * (double)opt.rate / 1e6;
	if (d->tokens > opt.burst)
		d->tokens = opt.burst;
	d->refill_us = now;
}

/* How many bytes the head chunk waits for before a send is worth making. */
static double tokens_wanted(const struct dir *d)
{
	double left = (double)(d->head->len - d->head->off);
	double half = opt.burst / 2;
	return left < half ? left : half;
}

/* The time d next has something to do without waiting for poll, or -1. */
static int64_t dir_deadline(const struct dir *d, int64_t now)
{
	if (!d->head || d->blocked)
		return -1;
	if (d->head->release_us > now)
		return d->head->release_us;
	if (opt.rate) {
		double need = tokens_wanted(d) - d->tokens;
		if (need > 0)
			return now + (int64_t)(need * 1e6 / (double)opt.rate) + 1;
	}
	return now;
}

static void close_fd(int *fd, int abortive)
{
	if (*fd < 0)
		return;
	if (abortive) {
		struct linger l = {.l_onoff = 1, .l_linger = 0};
		setsockopt(*fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	}
	close(*fd);
	*fd = -1;
}

static void conn_close(struct conn *c, int abortive)
{
	close_fd(&c->cfd, abortive);
	close_fd(&c->ufd, abortive);
	dir_free(&c->up);
	dir_free(&c->down);
	c->used = 0;
	nconns--;
}

enum { FLUSH_OK = 0, FLUSH_FAIL = -1, FLUSH_CUT = -2 };

/* Sends what d may send now to fd; counts it in *total. */
static int dir_flush(struct conn *c, struct dir *d, int fd, int is_down, unsigned long long *total,
                     int64_t now)
{
	while (d->head && !d->blocked) {
		struct chunk *h = d->head;
		if (h->release_us > now)
			break;
		size_t allowed = h->len - h->off;
		if (opt.rate) {
			refill(d, now);
			if (d->tokens < tokens_wanted(d))
				break;
			if ((double)allowed > d->tokens)
				allowed = (size_t)d->tokens;
		}
		if (is_down && c->cut) {
			if (c->cut_left == 0)
				return FLUSH_CUT;
			if (allowed > c->cut_left)
				allowed = (size_t)c->cut_left;
		}
		ssize_t n = send(fd, h->data + h->off, allowed, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				d->blocked = 1;
				break;
			}
			if (errno == EINTR)
				continue;
			return FLUSH_FAIL;
		}
		h->off += (size_t)n;
		d->queued -= (size_t)n;
		*total += (unsigned long long)n;
		if (opt.rate)
			d->tokens -= (double)n;
		if (h->off == h->len) {
			d->head = h->next;
			if (!d->head)
				d->tail = NULL;
			free(h);
		}
		if (is_down && c->cut) {
			c->cut_left -= (uint64_t)n;
			if (c->cut_left == 0)
				return FLUSH_CUT;
		}
	}
	return FLUSH_OK;
}

/* Reads what fd has into d (or drops it when d is NULL). Returns -1 on a fault. */
static int side_read(int fd, struct dir *d, int force, int64_t now)
{
	unsigned char buf[CHUNK_MAX];
	for (int rounds = 0; rounds < 8; rounds++) {
		if (d && (d->eof_in || (!force && d->queued >= QUEUE_LIMIT)))
			return 0;
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			if (d)
				d->eof_in = 1;
			else
				return -1; /* garbage: the client is gone */
			return 0;
		}
		if (d)
			dir_push(d, buf, (size_t)n, now);
	}
	return 0;
}

static void make_garbage(unsigned char *g, size_t n)
{
	static const char head[] = "HTTP/1.0 500 kproxy garbage\r\n\r\nthis is not TLS; ";
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < n; i++) {
		if (i < sizeof head - 1) {
			g[i] = (unsigned char)head[i];
			continue;
		}
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		g[i] = (unsigned char)(x & 0xff);
	}
}

static void accept_one(int lfd, int64_t now)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			fprintf(stderr, "kproxy: accept: %s\n", strerror(errno));
		return;
	}
	n_accepted++;
	if (opt.refuse) {
		close(fd);
		return;
	}
	struct conn *c = NULL;
	for (int i = 0; i < MAX_CONNS; i++)
		if (!conns[i].used) {
			c = &conns[i];
			break;
		}
	if (!c) { /* cannot happen: the listener is not polled when full */
		close(fd);
		return;
	}
	memset(c, 0, sizeof *c);
	c->used = 1;
	c->id = (unsigned)n_accepted;
	c->cfd = fd;
	c->ufd = -1;
	dir_init(&c->up, now);
	dir_init(&c->down, now);
	nconns++;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (opt.garbage) {
		unsigned char g[GARBAGE_LEN];
		make_garbage(g, sizeof g);
		c->garbage = 1;
		dir_push(&c->down, g, sizeof g, now);
		c->down.eof_in = 1;
		return;
	}
	c->cut = opt.cut_after >= 0 && (opt.cut_conns == 0 || (long)c->id <= opt.cut_conns);
	c->cut_left = c->cut ? (uint64_t)opt.cut_after : 0;
	c->ufd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->ufd < 0) {
		fprintf(stderr, "kproxy: socket: %s\n", strerror(errno));
		conn_close(c, 1);
		return;
	}
	setsockopt(c->ufd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(c->ufd, (struct sockaddr *)&opt.to_addr, sizeof opt.to_addr) < 0) {
		if (errno != EINPROGRESS) {
			fprintf(stderr, "kproxy: connection %u: cannot connect upstream: %s\n",
			        c->id, strerror(errno));
			conn_close(c, 1);
			return;
		}
		c->connecting = 1;
	}
}

/* Moves c along after poll said cev (client side) and uev (upstream side). */
static void conn_step(struct conn *c, short cev, short uev, int64_t now)
{
	if (c->connecting && uev) {
		int err = 0;
		socklen_t len = sizeof err;
		if (getsockopt(c->ufd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			fprintf(stderr, "kproxy: connection %u: cannot connect upstream: %s\n",
			        c->id, strerror(err));
			conn_close(c, 1);
			return;
		}
		c->connecting = 0;
		uev = 0;
	}
	if (cev & POLLOUT)
		c->down.blocked = 0;
	if (uev & POLLOUT)
		c->up.blocked = 0;

	if (c->garbage) {
		if ((cev & (POLLIN | POLLHUP | POLLERR)) && side_read(c->cfd, NULL, 1, now) < 0) {
			conn_close(c, 0);
			return;
		}
	} else {
		if ((cev & (POLLIN | POLLHUP | POLLERR)) &&
		    side_read(c->cfd, &c->up, (cev & (POLLHUP | POLLERR)) != 0, now) < 0) {
			conn_close(c, 1);
			return;
		}
		if (!c->connecting && (uev & (POLLIN | POLLHUP | POLLERR)) &&
		    side_read(c->ufd, &c->down, (uev & (POLLHUP | POLLERR)) != 0, now) < 0) {
			conn_close(c, 1);
			return;
		}
	}

	if (!c->connecting && !c->garbage &&
	    dir_flush(c, &c->up, c->ufd, 0, &bytes_up, now) == FLUSH_FAIL) {
		conn_close(c, 1);
		return;
	}
	int r = dir_flush(c, &c->down, c->cfd, 1, &bytes_down, now);
	if (r == FLUSH_CUT) {
		fprintf(stderr, "kproxy: connection %u cut after %lld bytes down\n", c->id,
		        opt.cut_after);
		conn_close(c, 1);
		return;
	}
	if (r == FLUSH_FAIL) {
		conn_close(c, 1);
		return;
	}

	/* Pass a FIN on once everything before it has gone. */
	if (!c->connecting && !c->garbage && c->up.eof_in && !c->up.head && !c->up.shut_out) {
		shutdown(c->ufd, SHUT_WR);
		c->up.shut_out = 1;
	}
	if (c->down.eof_in && !c->down.head && !c->down.shut_out) {
		shutdown(c->cfd, SHUT_WR);
		c->down.shut_out = 1;
		if (c->garbage)
			c->linger_until = now + GARBAGE_LINGER_US;
	}
	if (c->garbage && c->down.shut_out && now >= c->linger_until) {
		conn_close(c, 0);
		return;
	}
	if (!c->garbage && c->up.shut_out && c->down.shut_out)
		conn_close(c, 0);
}

static int listen_on(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "kproxy: socket: %s\n", strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&opt.listen_addr, sizeof opt.listen_addr) < 0 ||
	    listen(fd, 64) < 0) {
		fprintf(stderr, "kproxy: cannot listen on 127.0.0.1:%u: %s\n",
		        (unsigned)ntohs(opt.listen_addr.sin_port), strerror(errno));
		close(fd);
		return -1;
	}
	struct sockaddr_in got;
	socklen_t len = sizeof got;
	if (getsockname(fd, (struct sockaddr *)&got, &len) < 0) {
		fprintf(stderr, "kproxy: getsockname: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	fprintf(stderr, "kproxy: listening on 127.0.0.1:%u\n", (unsigned)ntohs(got.sin_port));
	fflush(stderr);
	return fd;
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	if (pipe(sigpipe_fds) < 0) {
		fprintf(stderr, "kproxy: pipe: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 0; i < 2; i++)
		fcntl(sigpipe_fds[i], F_SETFL, fcntl(sigpipe_fds[i], F_GETFL) | O_NONBLOCK);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int lfd = listen_on();
	if (lfd < 0)
		return 1;

	struct pollfd pfd[2 + 2 * MAX_CONNS];
	int cidx[MAX_CONNS], uidx[MAX_CONNS];
	while (!stopping) {
		int64_t now = now_us();
		int64_t wake = -1;
		int np = 0;
		pfd[np++] = (struct pollfd){.fd = sigpipe_fds[0], .events = POLLIN};
		int lidx = -1;
		if (nconns < MAX_CONNS) {
			lidx = np;
			pfd[np++] = (struct pollfd){.fd = lfd, .events = POLLIN};
		}
		for (int i = 0; i < MAX_CONNS; i++) {
			struct conn *c = &conns[i];
			cidx[i] = uidx[i] = -1;
			if (!c->used)
				continue;
			short ce = 0, ue = 0;
			if (c->garbage)
				ce |= POLLIN;
			else if (!c->up.eof_in && c->up.queued < QUEUE_LIMIT)
				ce |= POLLIN;
			if (c->down.head && c->down.blocked)
				ce |= POLLOUT;
			if (c->connecting) {
				ue |= POLLOUT;
			} else if (!c->garbage) {
				if (!c->down.eof_in && c->down.queued < QUEUE_LIMIT)
					ue |= POLLIN;
				if (c->up.head && c->up.blocked)
					ue |= POLLOUT;
			}
			/* A socket's POLLHUP is reported whether asked for or not: a side with
			 * nothing to ask (its queue full) stays out of the set so the loop does not
			 * spin. */
			if (ce) {
				cidx[i] = np;
				pfd[np++] = (struct pollfd){.fd = c->cfd, .events = ce};
			}
			if (c->ufd >= 0 && ue) {
				uidx[i] = np;
				pfd[np++] = (struct pollfd){.fd = c->ufd, .events = ue};
			}
			int64_t t[3] = {dir_deadline(&c->up, now), dir_deadline(&c->down, now),
			                c->garbage && c->down.shut_out ? c->linger_until : -1};
			if (c->connecting)
				t[0] = -1;
			for (int k = 0; k < 3; k++)
				if (t[k] >= 0 && (wake < 0 || t[k] < wake))
					wake = t[k];
		}
		int timeout = -1;
		if (wake >= 0) {
			int64_t ms = (wake - now + 999) / 1000;
			timeout = ms < 0 ? 0 : ms > 60000 ? 60000 : (int)ms;
		}
		int rc = poll(pfd, (nfds_t)np, timeout);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "kproxy: poll: %s\n", strerror(errno));
			break;
		}
		if (pfd[0].revents)
			break;
		now = now_us();
		for (int i = 0; i < MAX_CONNS; i++) {
			if (!conns[i].used)
				continue;
			short cev = cidx[i] >= 0 ? pfd[cidx[i]].revents : 0;
			short uev = uidx[i] >= 0 ? pfd[uidx[i]].revents : 0;
			conn_step(&conns[i], cev, uev, now);
		}
		if (lidx >= 0 && (pfd[lidx].revents & POLLIN))
			while (nconns < MAX_CONNS) {
				unsigned long long before = n_accepted;
				accept_one(lfd, now);
				if (n_accepted == before)
					break;
			}
	}
	for (int i = 0; i < MAX_CONNS; i++)
		if (conns[i].used)
			conn_close(&conns[i], 1);
	close(lfd);
	fprintf(stderr, "kproxy: %llu connections, %llu bytes up, %llu bytes down\n", n_accepted,
	        bytes_up, bytes_down);
	return 0;
}
