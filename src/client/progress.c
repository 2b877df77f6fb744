/* progress — the live line of a long run; see progress.h. */
#include "progress.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kontor/ktime.h"

void progress_begin(struct progress *p, FILE *f, int quiet, const char *what)
{
	memset(p, 0, sizeof *p);
	p->f = f;
	p->quiet = quiet;
	p->live = f && !quiet && isatty(fileno(f));
	p->t0 = ktime_mono_us() / 1000;
	snprintf(p->what, sizeof p->what, "%s", what ? what : "");
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
	if (!fmt || p->quiet || !p->f)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(p->f, fmt, ap);
	va_end(ap);
	fputc('\n', p->f);
	fflush(p->f);
}
