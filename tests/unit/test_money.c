/* test_money — amounts parse to exact minor units or are refused with a sentence that says
 * why; formatting is the inverse; totals never pass 2^53-1. Uses the system iso-codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kontor/buf.h"
#include "kontor/money.h"

static int64_t parse_ok(const char *text, const char *cur)
{
	struct kerr e = {0, ""};
	int64_t v = -42;
	int rc = money_parse(text, cur, &v, &e);
	if (rc != K_OK)
		fail_msg("money_parse(\"%s\", %s) failed: %s", text, cur, e.msg);
	return v;
}

/* Asserts a refusal with the given code and, when want is set, that exact message. */
static void parse_refused(const char *text, const char *cur, int code, const char *want)
{
	struct kerr e = {0, ""};
	int64_t v = -42;
	int rc = money_parse(text, cur, &v, &e);
	if (rc == K_OK)
		fail_msg("money_parse(\"%s\", %s) accepted it as %lld", text, cur, (long long)v);
	assert_int_equal(rc, code);
	assert_int_equal(e.code, code);
	assert_int_equal(v, -42); /* output untouched on failure */
	assert_true(e.msg[0] != '\0');
	if (want)
		assert_string_equal(e.msg, want);
}

static void test_money_minor_units_jpy_0_usd_2_bhd_3_clf_4(void **state)
{
	assert_int_equal(money_minor_units("JPY"), 0);
	assert_int_equal(money_minor_units("USD"), 2);
	assert_int_equal(money_minor_units("EUR"), 2);
	assert_int_equal(money_minor_units("BHD"), 3);
	assert_int_equal(money_minor_units("CLF"), 4);
}

static void test_money_minor_units_unknown_is_minus_one(void **state)
{
	assert_int_equal(money_minor_units("USX"), -1);
	assert_int_equal(money_minor_units("usd"), -1);
	assert_int_equal(money_minor_units(""), -1);
	assert_int_equal(money_minor_units(NULL), -1);
	assert_int_equal(money_minor_units("XAU"), -1); /* gold: no minor unit */
	assert_int_equal(money_minor_units("DEM"), -1); /* withdrawn */
}

static void test_money_parse_whole_number_usd(void **state)
{
	assert_int_equal(parse_ok("12", "USD"), 1200);
}

static void test_money_parse_one_decimal_is_scaled(void **state)
{
	assert_int_equal(parse_ok("12.5", "USD"), 1250);
}

static void test_money_parse_two_decimals_usd(void **state)
{
	assert_int_equal(parse_ok("12.50", "USD"), 1250);
	assert_int_equal(parse_ok("0.01", "USD"), 1);
}

static void test_money_parse_three_decimals_bhd(void **state)
{
	assert_int_equal(parse_ok("1234.567", "BHD"), 1234567);
	assert_int_equal(parse_ok("1.5", "BHD"), 1500);
}

static void test_money_parse_four_decimals_clf(void **state)
{
	assert_int_equal(parse_ok("1.2345", "CLF"), 12345);
	assert_int_equal(parse_ok("7", "CLF"), 70000);
}

static void test_money_parse_whole_jpy(void **state)
{
	assert_int_equal(parse_ok("1500", "JPY"), 1500);
}

static void test_money_parse_zero(void **state)
{
	assert_int_equal(parse_ok("0", "USD"), 0);
	assert_int_equal(parse_ok("0.00", "USD"), 0);
	assert_int_equal(parse_ok("0", "JPY"), 0);
}

static void test_money_parse_allows_surrounding_spaces(void **state)
{
	assert_int_equal(parse_ok("  12.50", "USD"), 1250);
	assert_int_equal(parse_ok("12.50 \t\r\n", "USD"), 1250);
	assert_int_equal(parse_ok("\t 7 ", "JPY"), 7);
}

static void test_money_parse_allows_leading_zeros(void **state)
{
	assert_int_equal(parse_ok("007.10", "USD"), 710);
	assert_int_equal(parse_ok("00000000000000000000000000000001", "JPY"), 1);
}

static void test_money_parse_accepts_money_max_exactly(void **state)
{
	assert_int_equal(parse_ok("90071992547409.91", "USD"), MONEY_MAX);
	assert_int_equal(parse_ok("9007199254740991", "JPY"), MONEY_MAX);
	assert_int_equal(parse_ok("900719925474.0991", "CLF"), MONEY_MAX);
}

static void test_money_parse_refuses_three_decimals_for_usd(void **state)
{
	parse_refused(
	    "12.345", "USD", K_EINVAL,
	    "12.345: USD has 2 decimal places (if the '.' groups thousands, write 12345)");
	parse_refused("12.3456", "USD", K_EINVAL, "12.3456: USD has 2 decimal places");
}

static void
test_money_parse_refuses_three_zeros_past_the_minor_unit_as_maybe_thousands(void **state)
{
	/* Three digits after the '.' may be a thousands group ("12.500" is 12500 in Hanoi and in
	 * Berlin): refused, with the reading that would be meant, even when they are zeros. */
	parse_refused(
	    "12.500", "USD", K_EINVAL,
	    "12.500: USD has 2 decimal places (if the '.' groups thousands, write 12500)");
	parse_refused("245.000", "VND", K_EINVAL,
	              "245.000: VND has no decimal places (if the '.' groups thousands, write "
	              "245000)");
	parse_refused("1200.000", "JPY", K_EINVAL, "1200.000: JPY has no decimal places");
}

static void test_money_parse_refuses_decimals_for_jpy(void **state)
{
	parse_refused("1.5", "JPY", K_EINVAL, "1.5: JPY has no decimal places");
	parse_refused("1.05", "JPY", K_EINVAL, "1.05: JPY has no decimal places");
}

static void test_money_parse_reads_zero_decimals_a_currency_lacks_as_whole(void **state)
{
	/* Shops and scripts write every price with two decimals: "245000.00" in VND is exact. */
	assert_int_equal(parse_ok("245000.00", "VND"), 245000);
	assert_int_equal(parse_ok("1200.0", "JPY"), 1200);
	assert_int_equal(parse_ok("12.5000", "USD"), 1250);
	assert_int_equal(parse_ok("1.2340", "KWD"), 1234);
}

static void test_money_parse_exact_refuses_any_decimal_a_currency_lacks(void **state)
{
	struct kerr e = {0, ""};
	int64_t v = -42;
	assert_int_equal(money_parse_exact("245000.00", "VND", &v, &e), K_EINVAL);
	assert_string_equal(e.msg, "245000.00: VND has no decimal places");
	assert_int_equal(v, -42);
	assert_int_equal(money_parse_exact("12.50", "USD", &v, &e), K_OK);
	assert_int_equal(v, 1250);
	assert_int_equal(money_parse_exact("245000", "VND", &v, &e), K_OK);
	assert_int_equal(v, 245000);
}

static void test_money_parse_refuses_five_decimals_for_clf(void **state)
{
	parse_refused("1.23456", "CLF", K_EINVAL, "1.23456: CLF has 4 decimal places");
}

static void test_money_parse_refuses_negative(void **state)
{
	parse_refused("-5", "USD", K_EINVAL, "-5 is negative: a price can't be below zero");
	parse_refused(" -0.50 ", "USD", K_EINVAL, "-0.50 is negative: a price can't be below zero");
}

static void test_money_parse_refuses_plus_sign(void **state)
{
	parse_refused("+5", "USD", K_EINVAL, "+5: leave out the '+' (write the plain number)");
}

static void test_money_parse_refuses_thousands_separators(void **state)
{
	const char *want = ": no thousands separators or decimal commas (write plain digits and "
	                   "one '.', like 1234.50)";
	const char *cases[] = {"1,000", "1 000", "1'000", "1_000", "1.000.000", "1,000.50"};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char msg[128];
		snprintf(msg, sizeof msg, "%s%s", cases[i], want);
		parse_refused(cases[i], "USD", K_EINVAL, msg);
	}
}

static void test_money_parse_refuses_decimal_comma(void **state)
{
	parse_refused("12,50", "EUR", K_EINVAL, NULL);
}

static void test_money_parse_refuses_letters_and_symbols(void **state)
{
	const char *cases[] = {"12a", "abc", "1e5", "0x10", "12.5x",
	                       "NaN", "inf", "١٢",  "$",    "12 $ 5"};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		parse_refused(cases[i], "USD", K_EINVAL, NULL);
	parse_refused("12a", "USD", K_EINVAL,
	              "12a is not an amount (digits and at most one '.', like 12.50)");
}

/* A shop writes its currency beside the price: the amount's own is left out, another's is
 * refused naming both, never converted. */
static void test_money_parse_takes_the_amounts_own_currency_mark(void **state)
{
	static const struct {
		const char *text, *currency;
		int64_t minor;
	} ok[] = {
	    {"120000đ", "VND", 120000},    {"120000 ₫", "VND", 120000}, {"₫120000", "VND", 120000},
	    {"245000 VNĐ", "VND", 245000}, {"$12.50", "USD", 1250},     {"US$ 12.50", "USD", 1250},
	    {"$12.50", "CAD", 1250},       {"12USD", "USD", 1200},      {"12.50 eur", "EUR", 1250},
	    {"€ 12.50", "EUR", 1250},      {"¥1200", "JPY", 1200},      {"¥12.50", "CNY", 1250},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		assert_int_equal(parse_ok(ok[i].text, ok[i].currency), ok[i].minor);
	parse_refused("$12", "EUR", K_EINVAL, "$12 is in USD, not EUR: write the amount in EUR");
	parse_refused("12.50 EUR", "USD", K_EINVAL,
	              "12.50 EUR is in EUR, not USD: write the amount in USD");
	parse_refused("₫", "VND", K_EINVAL, NULL);
	/* the mark goes; what is left is read as strictly as ever */
	parse_refused("120.000đ", "VND", K_EINVAL,
	              "120.000đ: VND has no decimal places (if the '.' groups thousands, write "
	              "120000)");
	parse_refused("1,250 €", "EUR", K_EINVAL, NULL);
}

static void test_money_parse_refuses_leading_point(void **state)
{
	parse_refused(".5", "USD", K_EINVAL, ".5: write 0.5 (a digit before the '.')");
	parse_refused(".", "USD", K_EINVAL, NULL);
}

static void test_money_parse_refuses_trailing_point(void **state)
{
	parse_refused("12.", "USD", K_EINVAL, "12.: put digits after the '.' or leave the '.' out");
	parse_refused("12.", "JPY", K_EINVAL, NULL);
}

static void test_money_parse_refuses_empty_blank_and_null(void **state)
{
	parse_refused("", "USD", K_EINVAL, "empty amount (write it like 12.50)");
	parse_refused(" \t\n", "USD", K_EINVAL, "empty amount (write it like 12.50)");
	parse_refused(NULL, "USD", K_EINVAL, "missing amount (write it like 12.50)");
}

static void test_money_parse_refuses_unknown_currency(void **state)
{
	parse_refused("12", "USX", K_EINVAL,
	              "currency: unknown currency 'USX' (ISO 4217, e.g. EUR)");
	parse_refused("12", "usd", K_EINVAL, NULL);
	parse_refused("12", "XAU", K_EINVAL, NULL);
	parse_refused("12", NULL, K_EINVAL, NULL);
}

static void test_money_parse_refuses_one_past_money_max_with_erange(void **state)
{
	parse_refused("90071992547409.92", "USD", K_ERANGE,
	              "90071992547409.92 is over the largest amount kontor handles "
	              "(90071992547409.91 USD)");
	parse_refused("9007199254740992", "JPY", K_ERANGE, NULL);
	parse_refused("900719925474.0992", "CLF", K_ERANGE, NULL);
}

static void test_money_parse_refuses_overflow_from_scaling(void **state)
{
	/* The digits fit, but times 100 they do not. */
	parse_refused("90071992547410", "USD", K_ERANGE, NULL);
}

static void test_money_parse_refuses_huge_numbers_without_wrapping(void **state)
{
	parse_refused("99999999999999999999999999999999999999", "USD", K_ERANGE, NULL);
	parse_refused("18446744073709551616", "JPY", K_ERANGE, NULL);
	parse_refused("9223372036854775808", "JPY", K_ERANGE, NULL);
}

static void test_money_parse_message_quotes_input_safely(void **state)
{
	struct kerr e = {0, ""};
	int64_t v;
	assert_int_equal(money_parse("1\x01\x1b[2J", "USD", &v, &e), K_EINVAL);
	assert_null(strchr(e.msg, '\x1b'));
	assert_null(strchr(e.msg, '\x01'));
	char longtext[200];
	memset(longtext, '7', sizeof longtext - 2);
	longtext[sizeof longtext - 2] = 'x';
	longtext[sizeof longtext - 1] = '\0';
	assert_int_equal(money_parse(longtext, "USD", &v, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "..."));
	assert_true(strlen(e.msg) < 120);
}

static void test_money_parse_message_quotes_a_shop_price_in_its_own_letters(void **state)
{
	struct kerr e = {0, ""};
	int64_t v;
	/* a Vietnamese shop's price: the dong sign stays readable, a C1 control does not pass */
	parse_refused("120000đồng", "VND", K_EINVAL,
	              "120000đồng is not an amount (digits and at most one '.', like 12.50)");
	assert_int_equal(money_parse("12\xc2\x9b"
	                             "2J",
	                             "USD", &v, &e),
	                 K_EINVAL);
	assert_null(strstr(e.msg, "\xc2\x9b"));
	assert_true(utf8_valid(e.msg, strlen(e.msg)));
	/* cut on a character, never inside one */
	assert_int_equal(money_parse("1đđđđđđđđđđđđđđđđđđđđđđđđđđđđđđ", "VND", &v, &e), K_EINVAL);
	assert_true(utf8_valid(e.msg, strlen(e.msg)));
	assert_non_null(strstr(e.msg, "..."));
}

static void test_money_parse_works_without_kerr(void **state)
{
	int64_t v = 0;
	assert_int_equal(money_parse("12.345", "USD", &v, NULL), K_EINVAL);
	assert_int_equal(money_parse("1.25", "USD", &v, NULL), K_OK);
	assert_int_equal(v, 125);
}

static void test_money_format_usd_two_decimals(void **state)
{
	char out[MONEY_FMT_MAX];
	money_format(1250, "USD", out);
	assert_string_equal(out, "12.50");
	money_format(5, "USD", out);
	assert_string_equal(out, "0.05");
	money_format(0, "USD", out);
	assert_string_equal(out, "0.00");
	money_format(100000000, "USD", out);
	assert_string_equal(out, "1000000.00"); /* never "1,000,000.00" */
}

static void test_money_format_jpy_has_no_point(void **state)
{
	char out[MONEY_FMT_MAX];
	money_format(1500, "JPY", out);
	assert_string_equal(out, "1500");
}

static void test_money_format_bhd_three_and_clf_four_decimals(void **state)
{
	char out[MONEY_FMT_MAX];
	money_format(1234567, "BHD", out);
	assert_string_equal(out, "1234.567");
	money_format(7, "BHD", out);
	assert_string_equal(out, "0.007");
	money_format(12345, "CLF", out);
	assert_string_equal(out, "1.2345");
}

static void test_money_format_negative_gets_leading_minus(void **state)
{
	char out[MONEY_FMT_MAX];
	money_format(-1250, "USD", out);
	assert_string_equal(out, "-12.50");
	money_format(-5, "USD", out);
	assert_string_equal(out, "-0.05");
	money_format(-3, "JPY", out);
	assert_string_equal(out, "-3");
}

static void test_money_format_unknown_currency_uses_two_decimals(void **state)
{
	char out[MONEY_FMT_MAX];
	money_format(1250, "USX", out);
	assert_string_equal(out, "12.50");
	money_format(-1, NULL, out);
	assert_string_equal(out, "-0.01");
}

static void test_money_format_int64_extremes_fit_the_buffer(void **state)
{
	char out[MONEY_FMT_MAX];
	money_format(MONEY_MAX, "USD", out);
	assert_string_equal(out, "90071992547409.91");
	money_format(INT64_MIN, "CLF", out);
	assert_string_equal(out, "-922337203685477.5808");
	money_format(INT64_MAX, "JPY", out);
	assert_string_equal(out, "9223372036854775807");
}

static void test_money_format_then_parse_round_trips(void **state)
{
	const char *curs[] = {"JPY", "USD", "BHD", "CLF", "EUR"};
	const int64_t vals[] = {0,        1, 9, 10, 99, 100, 101, 1250, 123456789, MONEY_MAX - 1,
	                        MONEY_MAX};
	for (size_t c = 0; c < sizeof curs / sizeof curs[0]; c++)
		for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
			char out[MONEY_FMT_MAX];
			money_format(vals[i], curs[c], out);
			assert_int_equal(parse_ok(out, curs[c]), vals[i]);
		}
}

static void test_money_mul_multiplies_unit_price_by_quantity(void **state)
{
	int64_t r = -1;
	assert_int_equal(money_mul(1250, 3, &r, NULL), K_OK);
	assert_int_equal(r, 3750);
	assert_int_equal(money_mul(1250, 0, &r, NULL), K_OK);
	assert_int_equal(r, 0);
	assert_int_equal(money_mul(0, INT64_MAX, &r, NULL), K_OK);
	assert_int_equal(r, 0);
	assert_int_equal(money_mul(-1250, 2, &r, NULL), K_OK);
	assert_int_equal(r, -2500);
	assert_int_equal(money_mul(-3, -4, &r, NULL), K_OK);
	assert_int_equal(r, 12);
}

static void test_money_mul_reaches_money_max_exactly(void **state)
{
	int64_t r = 0;
	assert_int_equal(money_mul(MONEY_MAX, 1, &r, NULL), K_OK);
	assert_int_equal(r, MONEY_MAX);
	assert_int_equal(money_mul(-1, MONEY_MAX, &r, NULL), K_OK);
	assert_int_equal(r, -MONEY_MAX);
	/* 2^53-1 = 6361 * 69431 * 20394401 */
	assert_int_equal(money_mul(6361, (int64_t)69431 * 20394401, &r, NULL), K_OK);
	assert_int_equal(r, MONEY_MAX);
}

static void test_money_mul_refuses_past_money_max_with_erange(void **state)
{
	struct kerr e = {0, ""};
	int64_t r = 7;
	assert_int_equal(money_mul(MONEY_MAX / 2 + 1, 2, &r, &e), K_ERANGE);
	assert_int_equal(e.code, K_ERANGE);
	assert_non_null(strstr(e.msg, "largest amount"));
	assert_int_equal(money_mul(MONEY_MAX, -2, &r, NULL), K_ERANGE);
	assert_int_equal(money_mul(INT64_MIN, -1, &r, NULL), K_ERANGE);
	assert_int_equal(money_mul(INT64_MAX, INT64_MAX, &r, NULL), K_ERANGE);
	assert_int_equal(money_mul((int64_t)1 << 32, (int64_t)1 << 32, &r, NULL), K_ERANGE);
	assert_int_equal(r, 7); /* untouched */
}

static void test_money_add_adds_and_handles_negatives(void **state)
{
	int64_t r = 0;
	assert_int_equal(money_add(1250, 3750, &r, NULL), K_OK);
	assert_int_equal(r, 5000);
	assert_int_equal(money_add(1250, -3750, &r, NULL), K_OK);
	assert_int_equal(r, -2500);
	assert_int_equal(money_add(MONEY_MAX - 1, 1, &r, NULL), K_OK);
	assert_int_equal(r, MONEY_MAX);
	assert_int_equal(money_add(-MONEY_MAX + 1, -1, &r, NULL), K_OK);
	assert_int_equal(r, -MONEY_MAX);
	assert_int_equal(money_add(INT64_MAX, INT64_MIN, &r, NULL), K_OK);
	assert_int_equal(r, -1);
}

static void test_money_add_refuses_past_money_max_with_erange(void **state)
{
	struct kerr e = {0, ""};
	int64_t r = 7;
	assert_int_equal(money_add(MONEY_MAX, 1, &r, &e), K_ERANGE);
	assert_int_equal(e.code, K_ERANGE);
	assert_non_null(strstr(e.msg, "largest amount"));
	assert_int_equal(money_add(-MONEY_MAX, -1, &r, NULL), K_ERANGE);
	assert_int_equal(money_add(INT64_MAX, INT64_MAX, &r, NULL), K_ERANGE);
	assert_int_equal(money_add(INT64_MIN, INT64_MIN, &r, NULL), K_ERANGE);
	assert_int_equal(money_add(INT64_MAX, 0, &r, NULL), K_ERANGE);
	assert_int_equal(money_add(MONEY_MAX + 10, -5, &r, NULL), K_ERANGE);
	assert_int_equal(r, 7);
}

/* money_text in the C locale (main sets LC_ALL=C before the first call): groups of three
 * with ',' and a '.', as "1,234.50" always read. */
static void test_money_text_groups_thousands_in_the_c_locale(void **state)
{
	(void)state;
	char m[MONEY_FMT_MAX];
	money_text(196000000, "USD", m);
	assert_string_equal(m, "1,960,000.00");
	money_text(99999, "USD", m);
	assert_string_equal(m, "999.99");
	money_text(1000, "JPY", m);
	assert_string_equal(m, "1,000");
	money_text(-1234567, "BHD", m);
	assert_string_equal(m, "-1,234.567");
	money_text(MONEY_MAX, "USD", m);
	assert_string_equal(m, "90,071,992,547,409.91");
	money_text(INT64_MIN, "USD", m);
	assert_string_equal(m, "-92,233,720,368,547,758.08");
}

/* count_text groups a count as money_text groups an amount, with no decimals: "249,600". */
static void test_count_text_groups_a_count_as_amounts_are_grouped(void **state)
{
	(void)state;
	char m[MONEY_FMT_MAX];
	assert_string_equal(count_text(249600, m), "249,600");
	assert_string_equal(m, "249,600");
	assert_string_equal(count_text(999, m), "999");
	assert_string_equal(count_text(0, m), "0");
	assert_string_equal(count_text(1000, m), "1,000");
	assert_string_equal(count_text(-1234567, m), "-1,234,567");
	assert_string_equal(count_text(MONEY_MAX, m), "9,007,199,254,740,991");
}

int main(void)
{
	setenv("LC_ALL", "C", 1); /* money_text reads the locale once, from here */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_money_minor_units_jpy_0_usd_2_bhd_3_clf_4),
	    cmocka_unit_test(test_money_minor_units_unknown_is_minus_one),
	    cmocka_unit_test(test_money_parse_whole_number_usd),
	    cmocka_unit_test(test_money_parse_one_decimal_is_scaled),
	    cmocka_unit_test(test_money_parse_two_decimals_usd),
	    cmocka_unit_test(test_money_parse_three_decimals_bhd),
	    cmocka_unit_test(test_money_parse_four_decimals_clf),
	    cmocka_unit_test(test_money_parse_whole_jpy),
	    cmocka_unit_test(test_money_parse_zero),
	    cmocka_unit_test(test_money_parse_allows_surrounding_spaces),
	    cmocka_unit_test(test_money_parse_allows_leading_zeros),
	    cmocka_unit_test(test_money_parse_accepts_money_max_exactly),
	    cmocka_unit_test(test_money_parse_refuses_three_decimals_for_usd),
	    cmocka_unit_test(
	        test_money_parse_refuses_three_zeros_past_the_minor_unit_as_maybe_thousands),
	    cmocka_unit_test(test_money_parse_refuses_decimals_for_jpy),
	    cmocka_unit_test(test_money_parse_reads_zero_decimals_a_currency_lacks_as_whole),
	    cmocka_unit_test(test_money_parse_exact_refuses_any_decimal_a_currency_lacks),
	    cmocka_unit_test(test_money_parse_refuses_five_decimals_for_clf),
	    cmocka_unit_test(test_money_parse_refuses_negative),
	    cmocka_unit_test(test_money_parse_refuses_plus_sign),
	    cmocka_unit_test(test_money_parse_refuses_thousands_separators),
	    cmocka_unit_test(test_money_parse_refuses_decimal_comma),
	    cmocka_unit_test(test_money_parse_refuses_letters_and_symbols),
	    cmocka_unit_test(test_money_parse_takes_the_amounts_own_currency_mark),
	    cmocka_unit_test(test_money_parse_refuses_leading_point),
	    cmocka_unit_test(test_money_parse_refuses_trailing_point),
	    cmocka_unit_test(test_money_parse_refuses_empty_blank_and_null),
	    cmocka_unit_test(test_money_parse_refuses_unknown_currency),
	    cmocka_unit_test(test_money_parse_refuses_one_past_money_max_with_erange),
	    cmocka_unit_test(test_money_parse_refuses_overflow_from_scaling),
	    cmocka_unit_test(test_money_parse_refuses_huge_numbers_without_wrapping),
	    cmocka_unit_test(test_money_parse_message_quotes_input_safely),
	    cmocka_unit_test(test_money_parse_message_quotes_a_shop_price_in_its_own_letters),
	    cmocka_unit_test(test_money_parse_works_without_kerr),
	    cmocka_unit_test(test_money_format_usd_two_decimals),
	    cmocka_unit_test(test_money_text_groups_thousands_in_the_c_locale),
	    cmocka_unit_test(test_count_text_groups_a_count_as_amounts_are_grouped),
	    cmocka_unit_test(test_money_format_jpy_has_no_point),
	    cmocka_unit_test(test_money_format_bhd_three_and_clf_four_decimals),
	    cmocka_unit_test(test_money_format_negative_gets_leading_minus),
	    cmocka_unit_test(test_money_format_unknown_currency_uses_two_decimals),
	    cmocka_unit_test(test_money_format_int64_extremes_fit_the_buffer),
	    cmocka_unit_test(test_money_format_then_parse_round_trips),
	    cmocka_unit_test(test_money_mul_multiplies_unit_price_by_quantity),
	    cmocka_unit_test(test_money_mul_reaches_money_max_exactly),
	    cmocka_unit_test(test_money_mul_refuses_past_money_max_with_erange),
	    cmocka_unit_test(test_money_add_adds_and_handles_negatives),
	    cmocka_unit_test(test_money_add_refuses_past_money_max_with_erange),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
