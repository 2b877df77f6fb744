/* Unit tests for text: display width of CJK and emoji, clipping by columns without
 * splitting characters, and sanitising escape and control sequences out of remote text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "kontor/text.h"

static int setup(void **state)
{
	text_locale_init();
	return 0;
}

static void test_width_counts_cjk_as_two_columns(void **state)
{
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width("铁艺桌腿"), 8);
	assert_int_equal(text_width("コーヒー"), 8);
	assert_int_equal(text_width("\xF0\x9F\x93\xA6"), 2); /* 📦 */
	assert_int_equal(text_width("caf\xC3\xA9"), 4);
}

static void test_clip_never_splits_a_wide_character(void **state)
{
	struct kbuf b = KBUF_INIT;
	assert_int_equal(text_clip(&b, "铁艺桌腿", 5, 0), 4);
	assert_string_equal(b.data, "铁艺");
	kbuf_reset(&b);
	assert_int_equal(text_clip(&b, "铁艺桌腿", 5, 1), 5);
	assert_string_equal(b.data, "铁艺 ");
	kbuf_reset(&b);
	text_clip(&b, "ab", 4, 1);
	assert_string_equal(b.data, "ab  ");
	kbuf_free(&b);
}

static void test_sanitize_removes_csi_osc_and_controls(void **state)
{
	struct kbuf b = KBUF_INIT;
	const char *evil = "Legs\x1b[31mRED\x1b[0m\x1b]0;pwned\x07 ok\x1b"
	                   "c\x07\x7f\r";
	text_sanitize(&b, evil, strlen(evil), 0);
	assert_string_equal(b.data, "LegsRED ok");
	kbuf_reset(&b);
	const char *c1 = "a\xC2\x9B"
	                 "31mb"; /* 8-bit CSI */
	text_sanitize(&b, c1, strlen(c1), 0);
	assert_string_equal(b.data, "ab");
	kbuf_free(&b);
}

static void test_sanitize_keeps_newlines_only_when_asked(void **state)
{
	struct kbuf b = KBUF_INIT;
	text_sanitize(&b, "a\nb\tc", 5, 1);
	assert_string_equal(b.data, "a\nb c");
	kbuf_reset(&b);
	text_sanitize(&b, "a\nb", 3, 0);
	assert_string_equal(b.data, "ab");
	kbuf_free(&b);
}

static void test_sanitize_replaces_invalid_utf8(void **state)
{
	struct kbuf b = KBUF_INIT;
	text_sanitize(&b,
	              "a\xFF"
	              "b",
	              3, 0);
	assert_string_equal(b.data, "a\xEF\xBF\xBD"
	                            "b");
	kbuf_free(&b);
}

static void test_shown_cuts_and_hides_what_is_not_printable_ascii(void **state)
{
	(void)state;
	char out[12];
	assert_string_equal(text_shown("ok", out, sizeof out), "ok");
	assert_string_equal(text_shown(NULL, out, sizeof out), "");
	assert_string_equal(text_shown("a\x1b[31mb", out, sizeof out), "a?[31mb");
	assert_string_equal(text_shown("0123456789abcdef", out, sizeof out), "01234567...");
	assert_string_equal(text_shown("\xC3\xA9", out, sizeof out), "??");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_width_counts_cjk_as_two_columns),
	    cmocka_unit_test(test_clip_never_splits_a_wide_character),
	    cmocka_unit_test(test_sanitize_removes_csi_osc_and_controls),
	    cmocka_unit_test(test_sanitize_keeps_newlines_only_when_asked),
	    cmocka_unit_test(test_sanitize_replaces_invalid_utf8),
	    cmocka_unit_test(test_shown_cuts_and_hides_what_is_not_printable_ascii),
	};
	return cmocka_run_group_tests_name("text", tests, setup, NULL);
}
