/* ktime — RFC 3339 UTC as people read it: in the local zone, with the zone's name. */
#include "kontor/ktime.h"

#include <stdio.h>
#include <string.h>

#include "kontor/buf.h"
#include "kontor/err.h"

/* n (at most 4) digits at p as a number, or -1. */
static int digits(const char *p, size_t n)
{
	return (int)kdigits(p, n);
}

int ktime_parse(const char *s, time_t *t)
{
	if (!s)
		return K_EINVAL;
	size_t len = strnlen(s, KTIME_IN_MAX + 1);
	if (len < 16 || len > KTIME_IN_MAX)
		return K_EINVAL;
	int Y = digits(s, 4), M = digits(s + 5, 2), D = digits(s + 8, 2);
	int h = digits(s + 11, 2), m = digits(s + 14, 2), sec = 0;
	if (Y < 1970 || M < 1 || M > 12 || D < 1 || D > 31 || h < 0 || h > 23 || m < 0 || m > 59 ||
	    s[4] != '-' || s[7] != '-' || s[13] != ':' ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
		return K_EINVAL;
	const char *p = s + 16;
	if (*p == ':') {
		if ((sec = digits(p + 1, 2)) < 0 || sec > 60)
			return K_EINVAL;
		p += 3;
		if (*p == '.') {
			p++;
			if (*p < '0' || *p > '9')
				return K_EINVAL;
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
	long off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh = digits(p + 1, 2), om = oh >= 0 && p[3] == ':' ? digits(p + 4, 2) : -1;
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return K_EINVAL;
		off = (oh * 60L + om) * 60L * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return K_EINVAL;
	}
	if (*p)
		return K_EINVAL;
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec > 59 ? 59 : sec;
	time_t v = timegm(&tm);
	if (v == (time_t)-1 || tm.tm_mday != D) /* normalised: there is no 31 April */
		return K_EINVAL;
	*t = v - off;
	return K_OK;
}

const char *ktime_local_t(time_t t, char *out, size_t cap)
{
	struct tm tm;
	if (!cap)
		return out;
	if (!localtime_r(&t, &tm) || strftime(out, cap, "%Y-%m-%d %H:%M %Z", &tm) == 0)
		snprintf(out, cap, "-");
	return out;
}

const char *ktime_local(const char *at, char *out, size_t cap)
{
	time_t t;
	if (!cap)
		return out;
	if (!at || !*at) {
		snprintf(out, cap, "-");
		return out;
	}
	if (ktime_parse(at, &t) == K_OK)
		return ktime_local_t(t, out, cap);
	/* Not a time: shown as it is, harmless. */
	size_t i = 0;
	for (; at[i] && i + 1 < cap; i++)
		out[i] = (unsigned char)at[i] >= 0x20 && (unsigned char)at[i] < 0x7f ? at[i] : '?';
	out[i] = '\0';
	return out;
}

int64_t ktime_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
