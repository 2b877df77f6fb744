/* ktime — times for people. kontor stores and sends every time as RFC 3339 UTC; a person
 * reads it in the local zone (TZ) with the zone's abbreviation, "2026-11-25 10:12 CET", in
 * the CLI and the TUI alike, through this one function. --json output keeps UTC. Parses
 * times that came from a node, so it is bounded and never trusts its input. */
#ifndef KONTOR_KTIME_H
#define KONTOR_KTIME_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define KTIME_LOCAL_MAX 48 /* "2026-11-25 10:12 CET" with room for long zone names */
#define KTIME_IN_MAX 64    /* longer input is not a time */

/* RFC 3339 ("2026-11-25T09:12:00Z", also with fractional seconds, a space for the 'T', or an
 * offset such as +01:00) to *t. K_OK, or K_EINVAL when s is not such a time (or is NULL). */
int ktime_parse(const char *s, time_t *t);
/* The time at in the local zone: "YYYY-MM-DD HH:MM ZONE" (localtime_r and strftime's %Z:
 * "CET", "EST", "+07" where tzdata names no letters). NULL or "" gives "-"; text that is not a
 * time comes back with anything but printable ASCII as '?', cut to fit. Returns out. */
const char *ktime_local(const char *at, char *out, size_t cap);
/* The same for a time_t. */
const char *ktime_local_t(time_t t, char *out, size_t cap);
/* Microseconds on the monotonic clock (CLOCK_MONOTONIC): for durations and deadlines, never
 * for dates. */
int64_t ktime_mono_us(void);

#endif
