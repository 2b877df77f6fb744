/* Unit tests for ktime: a stored UTC time shown in the zone TZ names, with the zone's
 * abbreviation and its summer time, the RFC 3339 forms a node may send, and text that is
 * not a time shown harmlessly; and the one reader under them all: the calendar, what each
 * strictness flag lets pass, and UTC written back for years 0000-9999. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
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

/* The edges of what ktime_parse takes: each case with the instant it must give. */
static void test_parse_takes_leap_days_second_60_short_forms_and_far_years(void **state)
{
	static const struct {
		const char *s;
		long long t;
	} ok[] = {
	    {"2024-02-29T00:00:00Z", 1709164800},   /* a leap day */
	    {"2000-02-29T12:00:00Z", 951825600},    /* a century that is a leap year */
	    {"2026-11-25T23:59:60Z", 1795651199},   /* second 60 is read as 59 */
	    {"2026-11-25 09:12:00Z", 1795597920},   /* a space for the 'T' */
	    {"2026-11-25T09:12Z", 1795597920},      /* no seconds */
	    {"2026-11-25T10:12+01:00", 1795597920}, /* no seconds, with an offset */
	    {"2026-11-25t09:12:00z", 1795597920},   /* lower-case t and z */
	    {"2026-11-25T09:12:00.999999999Z", 1795597920},
	    {"2026-11-25T09:12:00.5-00:00", 1795597920},
	    {"2026-11-25T09:12:00+23:59", 1795597920 - 86340},
	    {"1970-01-01T00:30:00+01:00", -1800}, /* 1970 before the offset is enough */
	    {"9999-12-31T23:59:59Z", 253402300799},
	    {"9999-12-31T23:30:00-01:00", 253402302600}, /* past 9999 in UTC is still an instant */
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		time_t t = 0;
		if (ktime_parse(ok[i].s, &t) != K_OK)
			fail_msg("'%s' was refused", ok[i].s);
		if ((long long)t != ok[i].t)
			fail_msg("'%s' gave %lld, wanted %lld", ok[i].s, (long long)t, ok[i].t);
	}
}

static void test_parse_refuses_impossible_dates_and_malformed_times(void **state)
{
	static const char *const bad[] = {
	    "2026-02-29T00:00:00Z", /* 2026 is not a leap year */
	    "2100-02-29T00:00:00Z", /* a century that is not */
	    "2026-04-31T00:00:00Z", /* no 31 April */
	    "2026-13-01T00:00:00Z",      "2026-00-10T00:00:00Z",
	    "2026-01-00T00:00:00Z",      "2026-01-32T00:00:00Z",
	    "2026-11-25T09:12:61Z", /* only 60 is a (leap) second past 59 */
	    "2026-11-25T09:60:00Z",      "2026-11-25T24:00:00Z",
	    "2026-11-25T09:12.5Z", /* a fraction needs seconds */
	    "2026-11-25T09:12:Z",        "2026-11-25T09:12:0Z",
	    "2026-11-25T9:12:00Z",       "2026-11-25_09:12:00Z",
	    "2026-11-25T09:12:00+24:00", "2026-11-25T09:12:00+01:60",
	    "2026-11-25T09:12:00+0100",  "2026-11-25T09:12:00+01:00 ",
	    "2026-11-25T09:12:00+01",    "+026-11-25T09:12:00Z",
	    "2026/11/25T09:12:00Z",      "2026-11-25T09-12:00Z",
	    "1969-12-31T23:30:00-01:00", /* before 1970 as written, though not in UTC */
	    "0000-01-01T00:00:00Z",      "2026-11-25T09:1",
	};
	time_t t;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (ktime_parse(bad[i], &t) != K_EINVAL)
			fail_msg("'%s' was taken as a time", bad[i]);
	assert_int_equal(ktime_parse(NULL, &t), K_EINVAL);
}

static void test_parse_takes_64_bytes_and_refuses_65(void **state)
{
	char s[80];
	time_t t = 0;
	/* "2026-11-25T09:12:00." and a fraction and "Z": 64 bytes, KTIME_IN_MAX. */
	memcpy(s, "2026-11-25T09:12:00.", 20);
	memset(s + 20, '1', 43);
	memcpy(s + 63, "Z", 2);
	assert_int_equal(strlen(s), KTIME_IN_MAX);
	assert_int_equal(ktime_parse(s, &t), K_OK);
	assert_int_equal((long long)t, 1795597920);
	memset(s + 20, '1', 44);
	memcpy(s + 64, "Z", 2);
	assert_int_equal(ktime_parse(s, &t), K_EINVAL);
}

static void test_date_valid_is_the_gregorian_calendar(void **state)
{
	int y, m, d;
	assert_int_equal(ktime_date_read("2028-02-29", &y, &m, &d), K_OK);
	assert_int_equal(y * 10000 + m * 100 + d, 20280229);
	assert_int_equal(ktime_date_read("2026-02-30", &y, &m, &d), K_EINVAL);
	assert_int_equal(ktime_date_read("2026-13-01", &y, &m, &d), K_EINVAL);
	assert_int_equal(ktime_date_read("2026-1-011", &y, &m, &d), K_EINVAL);
	assert_int_equal(ktime_date_read(" 2026-01-1", &y, &m, &d), K_EINVAL);
	assert_int_equal(ktime_date_read("2026-01-01T", &y, &m, &d), K_EINVAL);
	assert_int_equal(ktime_date_read(NULL, &y, &m, &d), K_EINVAL);
	assert_true(ktime_date_valid(2024, 2, 29));
	assert_true(ktime_date_valid(2000, 2, 29)); /* divisible by 400 */
	assert_true(ktime_date_valid(0, 2, 29));    /* so is year 0 */
	assert_false(ktime_date_valid(2026, 2, 29));
	assert_false(ktime_date_valid(1900, 2, 29)); /* a century not divisible by 400 */
	assert_true(ktime_date_valid(2026, 4, 30));
	assert_false(ktime_date_valid(2026, 4, 31));
	assert_true(ktime_date_valid(9999, 12, 31));
	assert_false(ktime_date_valid(2026, 12, 32));
	assert_false(ktime_date_valid(2026, 1, 0));
	assert_false(ktime_date_valid(2026, 0, 1));
	assert_false(ktime_date_valid(2026, 13, 1));
}

static void test_read_strict_and_each_flag_lets_pass_only_its_own_form(void **state)
{
	struct ktime_fields f;
	assert_int_equal(ktime_read("2026-11-25T10:12:07.25+01:30", KTIME_STRICT, &f), K_OK);
	assert_int_equal(f.year, 2026);
	assert_int_equal(f.month, 11);
	assert_int_equal(f.day, 25);
	assert_int_equal(f.hour, 10);
	assert_int_equal(f.min, 12);
	assert_int_equal(f.sec, 7);
	assert_int_equal(f.offset, 5400);
	assert_int_equal(ktime_read("0000-01-01T00:00:00-23:59", KTIME_STRICT, &f), K_OK);
	assert_int_equal(f.offset, -86340);

	assert_int_equal(ktime_read("2026-11-25 10:12:00Z", KTIME_STRICT, &f), K_EINVAL);
	assert_int_equal(ktime_read("2026-11-25 10:12:00Z", KTIME_SPACE_T, &f), K_OK);
	assert_int_equal(ktime_read("2026-11-25T10:12Z", KTIME_SPACE_T, &f), K_EINVAL);

	assert_int_equal(ktime_read("2026-11-25T10:12Z", KTIME_STRICT, &f), K_EINVAL);
	assert_int_equal(ktime_read("2026-11-25T10:12Z", KTIME_SECONDS_OPTIONAL, &f), K_OK);
	assert_int_equal(f.sec, 0);
	assert_int_equal(ktime_read("2026-11-25T10:12:60Z", KTIME_SECONDS_OPTIONAL, &f), K_EINVAL);

	assert_int_equal(ktime_read("2026-11-25T10:12:60Z", KTIME_STRICT, &f), K_EINVAL);
	assert_int_equal(ktime_read("2026-11-25T10:12:60Z", KTIME_SECOND_60, &f), K_OK);
	assert_int_equal(f.sec, 59);
	assert_int_equal(ktime_read("2026-11-25 10:12:00Z", KTIME_SECOND_60, &f), K_EINVAL);

	assert_int_equal(ktime_read(NULL, KTIME_STRICT, &f), K_EINVAL);
}

static void test_utc_writes_years_0000_to_9999_and_nothing_beyond(void **state)
{
	char out[KTIME_UTC_LEN + 1];
	assert_int_equal(ktime_utc(0, out), K_OK);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	assert_int_equal(ktime_utc(-1, out), K_OK);
	assert_string_equal(out, "1969-12-31T23:59:59Z");
	assert_int_equal(ktime_utc(1709251199, out), K_OK);
	assert_string_equal(out, "2024-02-29T23:59:59Z");
	assert_int_equal(ktime_utc(-62167219200LL, out), K_OK);
	assert_string_equal(out, "0000-01-01T00:00:00Z");
	assert_int_equal(ktime_utc(253402300799LL, out), K_OK);
	assert_string_equal(out, "9999-12-31T23:59:59Z");
	memcpy(out, "untouched", 10);
	assert_int_equal(ktime_utc(-62167219201LL, out), K_ERANGE);
	assert_int_equal(ktime_utc(253402300800LL, out), K_ERANGE);
	assert_int_equal(ktime_utc(INT64_MIN, out), K_ERANGE);
	assert_int_equal(ktime_utc(INT64_MAX, out), K_ERANGE);
	assert_string_equal(out, "untouched");

	struct ktime_fields f;
	assert_int_equal(ktime_read("0001-01-01T00:30:00+01:00", KTIME_STRICT, &f), K_OK);
	assert_int_equal(ktime_utc(ktime_epoch(&f), out), K_OK);
	assert_string_equal(out, "0000-12-31T23:30:00Z");
}

static void test_a_time_t_is_shown_the_same_way(void **state)
{
	char out[KTIME_LOCAL_MAX];
	in_zone("Europe/Berlin");
	assert_string_equal(ktime_local_t((time_t)1795000000, out, sizeof out),
	                    "2026-11-18 12:06 CET");
}

static void typed(const char *tz, const char *s, const char *want_utc)
{
	time_t t = 0;
	char out[KTIME_UTC_LEN + 1];
	in_zone(tz);
	if (ktime_parse_typed(s, &t) != K_OK)
		fail_msg("'%s' in %s not read", s, tz);
	assert_int_equal(ktime_utc((int64_t)t, out), K_OK);
	if (strcmp(out, want_utc))
		fail_msg("'%s' in %s read as %s, not %s", s, tz, out, want_utc);
}

static void test_typed_times_are_local_without_an_offset_and_a_date_is_its_noon(void **state)
{
	typed("Asia/Ho_Chi_Minh", "2026-12-07 07:30", "2026-12-07T00:30:00Z");
	typed("Asia/Ho_Chi_Minh", "2026-12-07T07:30:15", "2026-12-07T00:30:15Z");
	typed("Asia/Ho_Chi_Minh", "2027-01-20", "2027-01-20T05:00:00Z");
	typed("Europe/Berlin", "2026-07-01 12:00", "2026-07-01T10:00:00Z"); /* summer time */
	typed("Europe/Berlin", "2026-12-01 12:00", "2026-12-01T11:00:00Z");
	/* an offset, or Z, is the instant it says wherever she is */
	typed("Asia/Ho_Chi_Minh", "2026-12-07T07:30:00+01:00", "2026-12-07T06:30:00Z");
	typed("Europe/Berlin", "2026-12-07 07:30Z", "2026-12-07T07:30:00Z");
	time_t t;
	in_zone("Asia/Ho_Chi_Minh");
	const char * not [] = {
	    "yesterday",  "14/11/2026", "2026-02-30", "2026-12-07 25:00", "2026-12-07 07:30 +07",
	    "1969-12-31", "",           NULL};
	for (size_t i = 0; i < sizeof not / sizeof not [0]; i++)
		if (ktime_parse_typed(not [i], &t) == K_OK)
			fail_msg("'%s' read as a time", not [i] ? not [i] : "(null)");
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
	    cmocka_unit_test(test_parse_takes_leap_days_second_60_short_forms_and_far_years),
	    cmocka_unit_test(test_parse_refuses_impossible_dates_and_malformed_times),
	    cmocka_unit_test(test_parse_takes_64_bytes_and_refuses_65),
	    cmocka_unit_test(test_date_valid_is_the_gregorian_calendar),
	    cmocka_unit_test(test_read_strict_and_each_flag_lets_pass_only_its_own_form),
	    cmocka_unit_test(test_utc_writes_years_0000_to_9999_and_nothing_beyond),
	    cmocka_unit_test(test_a_time_t_is_shown_the_same_way),
	    cmocka_unit_test(test_typed_times_are_local_without_an_offset_and_a_date_is_its_noon),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
