/* err — status names and the kerr sentence. */
#include "kontor/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_names[] = {
    [0] = "ok",
    [1] = "failed",
    [2] = "bad input",
    [3] = "out of memory",
    [4] = "I/O error",
    [5] = "not found",
    [6] = "already exists",
    [7] = "verification failed",
    [8] = "usage error",
    [9] = "crypto failure",
    [10] = "wrong passphrase",
    [11] = "out of range",
    [12] = "database error",
    [13] = "written by a newer kontor",
    [14] = "network error",
    [15] = "too large",
    [16] = "state conflict",
    [17] = "partly done",
    [18] = "queued offline",
    [19] = "not permitted",
};

const char *kstatus_str(int code)
{
	int i = code < 0 ? -code : code;
	if ((size_t)i < sizeof status_names / sizeof status_names[0] && status_names[i])
		return status_names[i];
	return "unknown error";
}

int kerr_set(struct kerr *e, int code, const char *fmt, ...)
{
	if (!e)
		return code;
	e->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return code;
}

void kerr_prefix(struct kerr *e, const char *fmt, ...)
{
	if (!e)
		return;
	char pre[KERR_MSG_MAX], old[KERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof pre, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	/* Build "pre: old" by hand: a long prefix may cut the old message short, on purpose. */
	old[sizeof old - 1] = '\0';
	size_t np = strlen(pre), no = strlen(old), n = 0;
	size_t cap = sizeof e->msg - 1;
	size_t take = np < cap ? np : cap;
	memcpy(e->msg, pre, take);
	n = take;
	if (n + 2 <= cap) {
		memcpy(e->msg + n, ": ", 2);
		n += 2;
	}
	take = no < cap - n ? no : cap - n;
	memcpy(e->msg + n, old, take);
	e->msg[n + take] = '\0';
}

void kerr_clear(struct kerr *e)
{
	if (e) {
		e->code = 0;
		e->msg[0] = '\0';
	}
}
