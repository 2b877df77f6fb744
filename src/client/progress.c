/* progress — the live line of a long run; see progress.h. */
#include "progress.h"

#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kontor/ktime.h"

/* Ctrl-C during a live line: the line is finished with what became of the run, then the
 * signal does what it always does. Written with write(2): the one call a handler may make. */
static char int_msg[PROGRESS_LINE_MAX];
static size_t int_len;
static int int_fd = -1;
static struct sigaction int_old;

static void on_interrupt(int sig)
{
	if (int_fd >= 0 && write(int_fd, int_msg, int_len) < 0)
		int_len = 0;
	sigaction(sig, &int_old, NULL);
	raise(sig);
}

void progress_begin(struct progress *p, FILE *f, int quiet, const char *what)
{
	memset(p, 0, sizeof *p);
	p->f = f;
	p->quiet = quiet;
	p->live = f && !quiet && isatty(fileno(f));
	p->t0 = ktime_mono_us() / 1000;
	snprintf(p->what, sizeof p->what, "%s", what ? what : "");
}

/* From the first live line on (every run that draws one ends with progress_end). */
static void interrupt_hold(struct progress *p)
{
	if (p->handler || int_fd >= 0)
		return;
	int n = snprintf(int_msg, sizeof int_msg,
	                 "\r\033[K%s: interrupted; what is done is kept: run it again to go on\n",
	                 p->what);
	int_len = n > 0 && (size_t)n < sizeof int_msg ? (size_t)n : 0;
	int_fd = fileno(p->f);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &int_old);
	if (int_old.sa_handler == SIG_IGN) { /* started with Ctrl-C ignored: it stays so */
		sigaction(SIGINT, &int_old, NULL);
		int_fd = -1;
		return;
	}
	p->handler = 1;
}

/* The live line is gone: Ctrl-C is again what it was. */
static void interrupt_restore(struct progress *p)
{
	if (p->handler) {
		sigaction(SIGINT, &int_old, NULL);
		int_fd = -1;
		p->handler = 0;
	}
}

int64_t progress_elapsed_ms(const struct progress *p)
{
	return ktime_mono_us() / 1000 - p->t0;
}

char *progress_count(int64_t n, char *buf, size_t cap)
{
	char digits[24];
	int neg = n < 0;
	snprintf(digits, sizeof digits, "%llu",
	         neg ? 0ULL - (unsigned long long)n : (unsigned long long)n);
	size_t len = strlen(digits), at = 0;
	char out[32];
	if (neg)
		out[at++] = '-';
	for (size_t i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[at++] = ',';
		out[at++] = digits[i];
	}
	out[at] = '\0';
	snprintf(buf, cap, "%s", out);
	return buf;
}

char *progress_bytes(uint64_t bytes, char *buf, size_t cap)
{
	if (bytes < 1000)
		snprintf(buf, cap, "%llu B", (unsigned long long)bytes);
	else if (bytes < 1000000)
		snprintf(buf, cap, "%.1f KB", bytes / 1e3);
	else if (bytes < 1000000000)
		snprintf(buf, cap, "%.1f MB", bytes / 1e6);
	else
		snprintf(buf, cap, "%.2f GB", bytes / 1e9);
	return buf;
}

static void span(int64_t secs, char *buf, size_t cap)
{
	if (secs < 60)
		snprintf(buf, cap, "%llds", (long long)secs);
	else if (secs < 3600)
		snprintf(buf, cap, "%lldm%02llds", (long long)(secs / 60), (long long)(secs % 60));
	else
		snprintf(buf, cap, "%lldh%02lldm", (long long)(secs / 3600),
		         (long long)(secs / 60 % 60));
}

static void draw(struct progress *p, const char *line)
{
	/* \r back to the start, the line, then erase what a longer line before left. */
	fprintf(p->f, "\r%.*s\033[K", PROGRESS_LINE_MAX, line);
	fflush(p->f);
	p->drawn = 1;
	interrupt_hold(p);
}

void progress_update(struct progress *p, int64_t done, int64_t total, const char *noun,
                     uint64_t bytes, const char *note, int force)
{
	if (!p->live)
		return;
	int64_t t = ktime_mono_us() / 1000;
	if (!force && (t - p->t0 < PROGRESS_FIRST_MS || t - p->last < PROGRESS_EVERY_MS))
		return;
	p->last = t;
	double secs = (t - p->t0) / 1000.0;
	char line[PROGRESS_LINE_MAX + 1], a[32], b[32];
	size_t at = 0;
#define ADD(...)                                                                                   \
	do {                                                                                       \
		if (at < sizeof line)                                                              \
			at += (size_t)snprintf(line + at, sizeof line - at, __VA_ARGS__);          \
	} while (0)
	ADD("%s: %s", p->what, progress_count(done, a, sizeof a));
	if (total >= 0)
		ADD(" of %s", progress_count(total, b, sizeof b));
	ADD(" %s", noun ? noun : "");
	if (bytes)
		ADD(", %s", progress_bytes(bytes, a, sizeof a));
	if (secs >= 0.5) {
		if (bytes)
			ADD(", %s/s", progress_bytes((uint64_t)(bytes / secs), a, sizeof a));
		else
			ADD(", %s/s", progress_count((int64_t)(done / secs), a, sizeof a));
		if (total > done && done > 0) {
			span((int64_t)((total - done) * secs / done + 0.5), a, sizeof a);
			ADD(", %s left", a);
		}
	}
	if (note && *note)
		ADD(" (%s)", note);
#undef ADD
	draw(p, line);
}

void progress_clear(struct progress *p)
{
	if (p->live && p->drawn) {
		fputs("\r\033[K", p->f);
		fflush(p->f);
		p->drawn = 0;
	}
}

void progress_end(struct progress *p, const char *fmt, ...)
{
	progress_clear(p);
	interrupt_restore(p);
	if (!fmt || p->quiet || !p->f)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(p->f, fmt, ap);
	va_end(ap);
	fputc('\n', p->f);
	fflush(p->f);
}
