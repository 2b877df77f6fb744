/* ktime — times for people. kontor stores and sends every time as RFC 3339 UTC; a person
 * reads it in the local zone (TZ) with the zone's abbreviation, "2026-11-25 10:12 CET", in
 * the CLI and the TUI alike, through this one function. --json output keeps UTC. It is also
 * the one reader of RFC 3339 times and calendar dates in libkontor (node times, DCSA events,
 * contract dates): they come from outside, so it is bounded and never trusts its input. */
#ifndef KONTOR_KTIME_H
#define KONTOR_KTIME_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define KTIME_LOCAL_MAX 48 /* "2026-11-25 10:12 CET" with room for long zone names */
#define KTIME_IN_MAX 64    /* longer input is not a time */

#define KTIME_UTC_LEN 20 /* "2026-11-25T09:12:00Z" */

/* 1 when day d of month m (1-12) exists in year y of the Gregorian calendar (29 February in
 * years divisible by 4, except centuries not divisible by 400), else 0. The one calendar rule
 * for every date and time kontor reads. */
int ktime_date_valid(int y, int m, int d);
/* A calendar date "YYYY-MM-DD" as written (digits and dashes, exactly) into *y, *m, *d: K_OK
 * when the calendar has that day, else K_EINVAL. */
int ktime_date_read(const char *s, int *y, int *m, int *d);

/* What ktime_read lets pass beyond RFC 3339's date-time. 0 (KTIME_STRICT) is RFC 3339 as
 * written: "YYYY-MM-DD", 'T' or 't', "HH:MM:SS" with seconds 00-59, an optional fraction of
 * one digit or more, then 'Z', 'z' or an offset +HH:MM / -HH:MM. */
enum ktime_flags {
	KTIME_STRICT = 0,
	KTIME_SPACE_T = 1 << 0,          /* a space may stand for the 'T' */
	KTIME_SECONDS_OPTIONAL = 1 << 1, /* "HH:MM" alone (then no fraction either) */
	KTIME_SECOND_60 = 1 << 2,        /* a leap second 60 is taken and read as 59 */
	KTIME_NO_OFFSET = 1 << 3,        /* no offset at all: the fields' local is 1 */
};

/* The fields of a time as written, before its offset is applied. */
struct ktime_fields {
	int year, month, day; /* 0000-9999, 1-12, a day that exists in that month */
	int hour, min, sec;   /* 0-23, 0-59, 0-59 (a fraction is dropped) */
	int offset;           /* seconds east of UTC: "+01:00" is 3600, 'Z' is 0 */
	int local;            /* 1: written without an offset (KTIME_NO_OFFSET), offset 0 */
};

/* Reads the RFC 3339 time s (at most KTIME_IN_MAX bytes), with what flags (enum ktime_flags)
 * let pass, into *f. K_OK, or K_EINVAL when s is not such a time (or is NULL); *f is then
 * unspecified. */
int ktime_read(const char *s, unsigned flags, struct ktime_fields *f);
/* The instant f names, in seconds since 1970-01-01T00:00:00Z (negative before). */
int64_t ktime_epoch(const struct ktime_fields *f);
/* The instant t as "YYYY-MM-DDTHH:MM:SSZ" in out: K_OK, or K_ERANGE when t falls outside the
 * years 0000-9999 (out is then untouched). */
int ktime_utc(int64_t t, char out[KTIME_UTC_LEN + 1]);

/* RFC 3339 ("2026-11-25T09:12:00Z", also with fractional seconds, a space for the 'T', no
 * seconds, second 60, or an offset such as +01:00; the year as written 1970 or later) to *t.
 * K_OK, or K_EINVAL when s is not such a time (or is NULL). */
int ktime_parse(const char *s, time_t *t);
/* A time as a person types it: RFC 3339 with any offset (as ktime_parse); or "YYYY-MM-DD
 * HH:MM[:SS]" (a space or 'T') without one, in the local zone (TZ); or a date "YYYY-MM-DD"
 * alone, its noon there, so that it stays that date where the other party reads it (within
 * eleven hours of her). K_OK with *t, or K_EINVAL. What a command's --at takes. */
int ktime_parse_typed(const char *s, time_t *t);
/* The time at in the local zone: "YYYY-MM-DD HH:MM ZONE" (localtime_r and strftime's %Z:
 * "CET", "EST", "+07" where tzdata names no letters). NULL or "" gives "-"; text that is not a
 * time comes back with anything but printable ASCII as '?', cut to fit. Returns out. */
const char *ktime_local(const char *at, char *out, size_t cap);
/* The same for a time_t. */
const char *ktime_local_t(time_t t, char *out, size_t cap);
/* Today's date in the local zone, "YYYY-MM-DD": what a contract's calendar days (ship by,
 * deliver by) are read against. Returns out. */
const char *ktime_today(char out[11]);
/* Microseconds on the monotonic clock (CLOCK_MONOTONIC): for durations and deadlines, never
 * for dates. */
int64_t ktime_mono_us(void);

#endif
