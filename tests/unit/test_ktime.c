/* Unit tests for ktime: a stored UTC time shown in the zone TZ names, with the zone's
 * abbreviation and its summer time, the RFC 3339 forms a node may send, and text that is
 * not a time shown harmlessly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kontor/err.h"
#include "kontor/ktime.h"

static char *old_tz;

static int setup(void **state)
{
	const char *tz = getenv("TZ");
	old_tz = tz ? strdup(tz) : NULL;
	return 0;
}

static int teardown(void **state)
{
	if (old_tz)
		setenv("TZ", old_tz, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old_tz);
	return 0;
}

static void in_zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void expect_local(const char *tz, const char *at, const char *want)
{
	char out[KTIME_LOCAL_MAX];
	in_zone(tz);
	assert_string_equal(ktime_local(at, out, sizeof out), want);
}

static void test_utc0_says_utc(void **state)
{
	expect_local("UTC0", "2026-11-25T09:12:00Z", "2026-11-25 09:12 UTC");
}

static void test_berlin_winter_is_cet_and_summer_is_cest(void **state)
{
	expect_local("Europe/Berlin", "2026-11-25T09:12:00Z", "2026-11-25 10:12 CET");
	expect_local("Europe/Berlin", "2026-07-01T09:12:00Z", "2026-07-01 11:12 CEST");
}

static void test_ho_chi_minh_city_is_seven_hours_ahead_across_midnight(void **state)
{
	/* tzdata names no letters for Indochina time: its abbreviation is the offset. */
	expect_local("Asia/Ho_Chi_Minh", "2026-11-25T20:30:00Z", "2026-11-26 03:30 +07");
}

static void test_new_york_is_behind_across_midnight(void **state)
{
	expect_local("America/New_York", "2026-01-01T03:00:00Z", "2025-12-31 22:00 EST");
}

static void test_offsets_fractions_and_a_space_are_taken(void **state)
{
	expect_local("UTC0", "2026-11-25T10:12:00+01:00", "2026-11-25 09:12 UTC");
	expect_local("UTC0", "2026-11-25T09:12:00.123456Z", "2026-11-25 09:12 UTC");
	expect_local("UTC0", "2026-11-25 09:12Z", "2026-11-25 09:12 UTC");
	expect_local("UTC0", "2026-11-25T04:12:00-05:00", "2026-11-25 09:12 UTC");
}

static void test_parse_gives_the_instant(void **state)
{
	time_t t = 0;
	assert_int_equal(ktime_parse("1970-01-02T00:00:00Z", &t), K_OK);
	assert_int_equal((long)t, 86400);
	assert_int_equal(ktime_parse("1970-01-02T01:00:00+01:00", &t), K_OK);
	assert_int_equal((long)t, 86400);
}

static void test_not_a_time_is_refused_and_shown_harmlessly(void **state)
{
	time_t t;
	static const char *const bad[] = {
	    "",
	    "yesterday",
	    "2026-02-30T10:00:00Z", /* no 30 February */
	    "2026-11-25T25:00:00Z",
	    "2026-11-25T10:00:00",   /* no zone */
	    "2026-11-25T10:00:00+1", /* a short offset */
	    "2026-11-25T10:00:00Zjunk",
	    "2026-11-25T10:00:00.Z",
	    "1969-12-31T23:59:59Z",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (ktime_parse(bad[i], &t) != K_EINVAL)
			fail_msg("'%s' was taken as a time", bad[i]);
	char out[KTIME_LOCAL_MAX];
	assert_string_equal(ktime_local("soon\x1b[31m", out, sizeof out), "soon?[31m");
	assert_string_equal(ktime_local(NULL, out, sizeof out), "-");
	assert_string_equal(ktime_local("", out, sizeof out), "-");
	char longer[200];
	memset(longer, '9', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	assert_int_equal(ktime_parse(longer, &t), K_EINVAL);
	assert_int_equal(strlen(ktime_local(longer, out, sizeof out)), sizeof out - 1);
}

static void test_a_time_t_is_shown_the_same_way(void **state)
{
	char out[KTIME_LOCAL_MAX];
	in_zone("Europe/Berlin");
	assert_string_equal(ktime_local_t((time_t)1795000000, out, sizeof out),
	                    "2026-11-18 12:06 CET");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utc0_says_utc),
	    cmocka_unit_test(test_berlin_winter_is_cet_and_summer_is_cest),
	    cmocka_unit_test(test_ho_chi_minh_city_is_seven_hours_ahead_across_midnight),
	    cmocka_unit_test(test_new_york_is_behind_across_midnight),
	    cmocka_unit_test(test_offsets_fractions_and_a_space_are_taken),
	    cmocka_unit_test(test_parse_gives_the_instant),
	    cmocka_unit_test(test_not_a_time_is_refused_and_shown_harmlessly),
	    cmocka_unit_test(test_a_time_t_is_shown_the_same_way),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
