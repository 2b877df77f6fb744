/* Unit tests for handle: a business name in any script makes an ASCII @handle through ICU's
 * transliterator (Vietnamese, Russian, Chinese, Greek, German), cut to 32 at a word, and a
 * name with no letters at all falls back to the account id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "kontor/handle.h"

static void expect_handle(const char *name, const char *want)
{
	char out[HANDLE_MAX + 1];
	handle_from_name(name, "AbC-_dEf0123456789", out);
	if (strcmp(out, want) != 0)
		fail_msg("'%s' made '%s', not '%s'", name, out, want);
}

static void test_vietnamese_loses_its_diacritics(void **state)
{
	expect_handle("Sắt Mỹ Thuật Hoà Phát", "sat-my-thuat-hoa-phat");
	expect_handle("Đồng Nai Iron", "dong-nai-iron");
}

static void test_russian_is_transliterated(void **state)
{
	/* ICU's Cyrillic-Latin: Ш -> Š -> S, ж -> ž -> z, й -> j; the soft sign goes. */
	expect_handle("Шэньчжэнь Айрон", "senczen-ajron");
}

static void test_chinese_becomes_pinyin(void **state)
{
	expect_handle("深圳铁艺", "shen-zhen-tie-yi");
}

static void test_greek_german_and_punctuation(void **state)
{
	expect_handle("Ελληνικά Έπιπλα", "ellenika-epipla");
	expect_handle("Müller & Söhne GmbH", "muller-sohne-gmbh");
	expect_handle("Berlin Interiors GmbH", "berlin-interiors-gmbh");
	expect_handle("  --Acme  Trading!! ", "acme-trading");
	expect_handle("O'Brien’s Oak", "obriens-oak");
	expect_handle("@acme", "acme");
}

static void test_a_long_name_is_cut_at_a_word(void **state)
{
	char out[HANDLE_MAX + 1];
	handle_from_name("Guangzhou Wanlong Precision Hardware Manufacturing Co Ltd", NULL, out);
	assert_true(strlen(out) <= HANDLE_MAX);
	assert_string_equal(out, "guangzhou-wanlong-precision");
	handle_from_name("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL, out);
	assert_int_equal(strlen(out), HANDLE_MAX);
}

static void test_no_letters_falls_back_to_the_id(void **state)
{
	expect_handle("🙂🙂", "k-abc-_def");
	expect_handle("", "k-abc-_def");
	char out[HANDLE_MAX + 1];
	handle_from_name("!", NULL, out);
	assert_string_equal(out, "k-account");
}

static void test_invalid_utf8_does_not_stop_it(void **state)
{
	expect_handle("Acme\xff\xfeTrading", "acme-trading");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vietnamese_loses_its_diacritics),
	    cmocka_unit_test(test_russian_is_transliterated),
	    cmocka_unit_test(test_chinese_becomes_pinyin),
	    cmocka_unit_test(test_greek_german_and_punctuation),
	    cmocka_unit_test(test_a_long_name_is_cut_at_a_word),
	    cmocka_unit_test(test_no_letters_falls_back_to_the_id),
	    cmocka_unit_test(test_invalid_utf8_does_not_stop_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
