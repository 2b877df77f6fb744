/* ktime — RFC 3339 times and calendar dates read in one place, and shown as people read them:
 * in the local zone, with the zone's name. */
#include "kontor/ktime.h"

#include <stdio.h>
#include <string.h>

#include "kontor/buf.h"
#include "kontor/err.h"

int ktime_date_valid(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12 || d < 1)
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

/* n digits at *p, lo to hi, in *v, and *p past them: 1, or 0 (and *p where it was). */
static int number(const char **p, size_t n, int lo, int hi, int *v)
{
	int64_t x = kdigits(*p, n); /* stops at the first non-digit, so never past the end */
	if (x < lo || x > hi)
		return 0;
	*v = (int)x;
	*p += n;
	return 1;
}

int ktime_date_read(const char *s, int *y, int *m, int *d)
{
	const char *p = s;
	if (!s || strlen(s) != 10 || !number(&p, 4, 0, 9999, y) || *p++ != '-' ||
	    !number(&p, 2, 1, 12, m) || *p++ != '-' || !number(&p, 2, 1, 31, d) ||
	    !ktime_date_valid(*y, *m, *d))
		return K_EINVAL;
	return K_OK;
}

/* The character c at *p, and *p past it: 1, or 0. */
static int sep(const char **p, char c)
{
	if (**p != c)
		return 0;
	(*p)++;
	return 1;
}

int ktime_read(const char *s, unsigned flags, struct ktime_fields *f)
{
	if (!s || strnlen(s, KTIME_IN_MAX + 1) > KTIME_IN_MAX)
		return K_EINVAL;
	memset(f, 0, sizeof *f);
	const char *p = s;
	if (!number(&p, 4, 0, 9999, &f->year) || !sep(&p, '-') ||
	    !number(&p, 2, 1, 12, &f->month) || !sep(&p, '-') || !number(&p, 2, 1, 31, &f->day) ||
	    !ktime_date_valid(f->year, f->month, f->day))
		return K_EINVAL;
	if (!sep(&p, 'T') && !sep(&p, 't') && !((flags & KTIME_SPACE_T) && sep(&p, ' ')))
		return K_EINVAL;
	if (!number(&p, 2, 0, 23, &f->hour) || !sep(&p, ':') || !number(&p, 2, 0, 59, &f->min))
		return K_EINVAL;
	if (sep(&p, ':')) {
		if (!number(&p, 2, 0, flags & KTIME_SECOND_60 ? 60 : 59, &f->sec))
			return K_EINVAL;
		if (f->sec == 60)
			f->sec = 59;
		if (sep(&p, '.')) {
			if (*p < '0' || *p > '9')
				return K_EINVAL;
			while (*p >= '0' && *p <= '9')
				p++;
		}
	} else if (!(flags & KTIME_SECONDS_OPTIONAL)) {
		return K_EINVAL;
	}
	if (sep(&p, 'Z') || sep(&p, 'z')) {
		f->offset = 0;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, oh, om;
		p++;
		if (!number(&p, 2, 0, 23, &oh) || !sep(&p, ':') || !number(&p, 2, 0, 59, &om))
			return K_EINVAL;
		f->offset = sign * (oh * 3600 + om * 60);
	} else if ((flags & KTIME_NO_OFFSET) && !*p) {
		f->local = 1;
	} else {
		return K_EINVAL;
	}
	return *p ? K_EINVAL : K_OK;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The date of day z since 1970-01-01 (the inverse of days_from_civil). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int64_t ktime_epoch(const struct ktime_fields *f)
{
	return days_from_civil(f->year, f->month, f->day) * 86400 + f->hour * 3600 + f->min * 60 +
	       f->sec - f->offset;
}

int ktime_utc(int64_t t, char out[KTIME_UTC_LEN + 1])
{
	if (t < days_from_civil(0, 1, 1) * 86400 || t >= days_from_civil(10000, 1, 1) * 86400)
		return K_ERANGE;
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400); /* rounded down */
	int64_t rem = t - days * 86400, y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(out, KTIME_UTC_LEN + 1, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, m, d,
	         (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	return K_OK;
}

int ktime_parse(const char *s, time_t *t)
{
	struct ktime_fields f;
	if (ktime_read(s, KTIME_SPACE_T | KTIME_SECONDS_OPTIONAL | KTIME_SECOND_60, &f) != K_OK ||
	    f.year < 1970)
		return K_EINVAL;
	int64_t v = ktime_epoch(&f);
	if ((time_t)v != v) /* a 32-bit time_t */
		return K_EINVAL;
	*t = (time_t)v;
	return K_OK;
}

int ktime_parse_typed(const char *s, time_t *t)
{
	struct ktime_fields f;
	if (ktime_read(s,
	               KTIME_SPACE_T | KTIME_SECONDS_OPTIONAL | KTIME_SECOND_60 | KTIME_NO_OFFSET,
	               &f) != K_OK) {
		memset(&f, 0, sizeof f);
		if (ktime_date_read(s, &f.year, &f.month, &f.day) != K_OK)
			return K_EINVAL;
		f.hour = 12;
		f.local = 1;
	}
	if (!f.local)
		return ktime_parse(s, t);
	if (f.year < 1970)
		return K_EINVAL;
	struct tm tm = {.tm_year = f.year - 1900,
	                .tm_mon = f.month - 1,
	                .tm_mday = f.day,
	                .tm_hour = f.hour,
	                .tm_min = f.min,
	                .tm_sec = f.sec,
	                .tm_isdst = -1};
	time_t v = mktime(&tm);
	if (v == (time_t)-1)
		return K_EINVAL;
	*t = v;
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

const char *ktime_today(char out[11])
{
	struct tm tm;
	time_t now = time(NULL);
	if (!localtime_r(&now, &tm) || strftime(out, 11, "%Y-%m-%d", &tm) == 0)
		snprintf(out, 11, "1970-01-01");
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
