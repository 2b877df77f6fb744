/* Tests for json: the general parser for outside bytes, the typed field getters and their
 * messages, json_is_int / json_add_int, and compact printing. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kontor/json.h"

#define LIT(s) s, sizeof(s) - 1

static cJSON *parse_ok(const char *s, size_t n)
{
	cJSON *v;
	struct kerr e = {0};
	if (json_parse(s, n, "test", &v, &e) != K_OK)
		fail_msg("json_parse: %s", e.msg);
	return v;
}

static void assert_parse_refuses(const char *s, size_t n, const char *msg)
{
	cJSON *v = (cJSON *)1;
	struct kerr e = {0};
	int rc = json_parse(s, n, "request body", &v, &e);
	if (rc == K_OK)
		fail_msg("json_parse accepted %.*s", (int)n, s);
	assert_null(v);
	if (!strstr(e.msg, msg))
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, msg);
}

/* Prints v and compares with want. */
static void assert_prints(const cJSON *v, const char *want)
{
	struct kbuf b = KBUF_INIT;
	json_print(v, &b);
	assert_string_equal(kbuf_str(&b), want);
	kbuf_free(&b);
}

/* --- json_parse ----------------------------------------------------------------------- */

static void test_json_parse_reads_fractions_and_exponents(void **state)
{
	cJSON *v = parse_ok(LIT("{\"a\": 1.5, \"b\": -2e3, \"c\": 0.1, \"d\": 1E-2, \"e\": -0}"));
	assert_true(cJSON_GetObjectItem(v, "a")->valuedouble == 1.5);
	assert_true(cJSON_GetObjectItem(v, "b")->valuedouble == -2000.0);
	assert_true(cJSON_GetObjectItem(v, "c")->valuedouble == 0.1);
	assert_true(cJSON_GetObjectItem(v, "d")->valuedouble == 0.01);
	assert_true(cJSON_GetObjectItem(v, "e")->valuedouble == 0.0);
	cJSON_Delete(v);
}

static void test_json_parse_reads_large_integers_as_doubles(void **state)
{
	cJSON *v = parse_ok(LIT("[9007199254740993, 123456789012345678901234567890]"));
	assert_true(cJSON_GetArrayItem(v, 0)->valuedouble == 9007199254740992.0);
	assert_true(cJSON_GetArrayItem(v, 1)->valuedouble == 1.2345678901234568e29);
	cJSON_Delete(v);
}

static void test_json_parse_refuses_numbers_that_overflow_to_infinity(void **state)
{
	assert_parse_refuses(LIT("[1e400]"), "request body: at byte 1: number out of range");
	assert_parse_refuses(LIT("-1e99999"), "number out of range");
}

static void test_json_parse_prefixes_messages_with_what(void **state)
{
	assert_parse_refuses(LIT("{\"a\":1,\"a\":2}"),
	                     "request body: at byte 7: duplicate key \"a\"");
	cJSON *v;
	struct kerr e = {0};
	assert_int_equal(json_parse(LIT("[1,]"), NULL, &v, &e), K_EINVAL);
	assert_string_equal(e.msg, "at byte 3: expected a value, found ']'");
}

static void test_json_parse_refuses_duplicate_keys(void **state)
{
	assert_parse_refuses(LIT("{\"x\":{\"y\":1,\"y\":1}}"), "at byte 12: duplicate key \"y\"");
}

static void test_json_parse_refuses_invalid_utf8(void **state)
{
	assert_parse_refuses(LIT("[\"ok\", \"\xe2\x82\"]"), "at byte 8: invalid UTF-8 in a string");
	assert_parse_refuses(LIT("\"\\udc00\""), "lone low surrogate");
}

static void test_json_parse_bounds_depth(void **state)
{
	char s[2 * JSON_MAX_DEPTH + 4];
	size_t n = 0;
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		s[n++] = '[';
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		s[n++] = ']';
	cJSON *v = parse_ok(s, n);
	cJSON_Delete(v);
	memmove(s + 1, s, n);
	s[0] = '[';
	s[++n] = ']';
	assert_parse_refuses(s, n + 1, "at byte 64: nesting deeper than 64 levels");
}

static void test_json_parse_refuses_trailing_garbage(void **state)
{
	assert_parse_refuses(LIT("{\"a\":1}x"), "at byte 7: trailing bytes after the JSON value");
	assert_parse_refuses(LIT("1 2"), "at byte 2: trailing bytes");
}

static void test_json_parse_refuses_leading_zeros_and_bare_dots(void **state)
{
	assert_parse_refuses(LIT("012"), "leading zero");
	assert_parse_refuses(LIT("1.e5"), "expected a digit after '.'");
	assert_parse_refuses(LIT("1e"), "expected a digit in the exponent");
	assert_parse_refuses(LIT("NaN"), "expected a value, found 'N'");
	assert_parse_refuses(LIT("Infinity"), "expected a value, found 'I'");
}

static void test_json_parse_refuses_empty_and_nul_input(void **state)
{
	assert_parse_refuses(NULL, 0, "expected a value, found the end of the input");
	assert_parse_refuses(LIT("\0"), "expected a value, found byte 0x00");
	assert_parse_refuses(LIT("\"\\u0000\""), "\\u0000 is not accepted");
}

static void test_json_parse_refuses_input_over_16_mib(void **state)
{
	size_t n = ((size_t)16 << 20) + 1;
	char *big = malloc(n);
	memset(big, ' ', n);
	cJSON *v;
	struct kerr e = {0};
	assert_int_equal(json_parse(big, n, "upload", &v, &e), K_ETOOBIG);
	assert_non_null(strstr(e.msg, "upload: 16777217 bytes is over the limit"));
	free(big);
}

static void test_json_parse_ignores_the_locale_decimal_separator(void **state)
{
	if (!setlocale(LC_NUMERIC, "de_DE.UTF-8") && !setlocale(LC_NUMERIC, "fr_FR.UTF-8"))
		skip();
	cJSON *v = parse_ok(LIT("[1.25]"));
	assert_true(cJSON_GetArrayItem(v, 0)->valuedouble == 1.25);
	assert_prints(v, "[1.25]");
	cJSON_Delete(v);
	setlocale(LC_NUMERIC, "C");
}

static void test_json_parse_ex_integers_only_matches_canon_rules(void **state)
{
	cJSON *v;
	struct kerr e = {0};
	assert_int_equal(json_parse_ex(LIT("[1.5]"), 1, 64, &v, &e), K_EINVAL);
	assert_string_equal(e.msg, "at byte 1: only integers are allowed in canonical JSON (found "
	                           "a fraction)");
	assert_int_equal(json_parse_ex(LIT("[[1]]"), 0, 1, &v, &e), K_EINVAL);
	assert_string_equal(e.msg, "at byte 1: nesting deeper than 1 levels");
	assert_int_equal(json_parse_ex(LIT("[1.5]"), 0, 1, &v, &e), K_OK);
	cJSON_Delete(v);
}

/* --- getters ------------------------------------------------------------------------- */

static const char listing[] = "{\"sku\":\"A-1\",\"moq\":10,\"price\":1.5,\"big\":9007199254740992,"
                              "\"neg\":-9007199254740991,\"active\":true,\"note\":null,"
                              "\"tags\":[\"x\"],\"seller\":{\"id\":\"s\"}}";

static void test_json_get_str_reads_and_names_wrong_type(void **state)
{
	cJSON *v = parse_ok(LIT(listing));
	struct kerr e = {0};
	const char *s = "untouched";
	assert_int_equal(json_get_str(v, "sku", 1, &s, &e), K_OK);
	assert_string_equal(s, "A-1");
	assert_int_equal(json_get_str(v, "moq", 0, &s, &e), K_EINVAL);
	assert_string_equal(e.msg, "field 'moq': expected a string");
	cJSON_Delete(v);
}

static void test_json_get_str_refuses_invalid_utf8_from_code(void **state)
{
	cJSON *v = cJSON_CreateObject();
	cJSON_AddStringToObject(v, "title", "\xc3(");
	struct kerr e = {0};
	const char *s = NULL;
	assert_int_equal(json_get_str(v, "title", 1, &s, &e), K_EINVAL);
	assert_string_equal(e.msg, "field 'title': not valid UTF-8");
	assert_null(s);
	cJSON_Delete(v);
}

static void test_json_get_optional_missing_or_null_leaves_out_untouched(void **state)
{
	cJSON *v = parse_ok(LIT(listing));
	struct kerr e = {0};
	const char *s = "default";
	int64_t n = 42;
	int b = 7;
	const cJSON *a = (const cJSON *)v;
	assert_int_equal(json_get_str(v, "absent", 0, &s, &e), K_OK);
	assert_int_equal(json_get_str(v, "note", 0, &s, &e), K_OK);
	assert_int_equal(json_get_int(v, "note", 0, &n, &e), K_OK);
	assert_int_equal(json_get_bool(v, "absent", 0, &b, &e), K_OK);
	assert_int_equal(json_get_array(v, "absent", 0, &a, &e), K_OK);
	assert_int_equal(json_get_object(v, "note", 0, &a, &e), K_OK);
	assert_string_equal(s, "default");
	assert_int_equal(n, 42);
	assert_int_equal(b, 7);
	assert_ptr_equal(a, v);
	cJSON_Delete(v);
}

static void test_json_get_required_missing_or_null_is_an_error(void **state)
{
	cJSON *v = parse_ok(LIT(listing));
	struct kerr e = {0};
	int64_t n;
	assert_int_equal(json_get_int(v, "leadTimeDays", 1, &n, &e), K_EINVAL);
	assert_string_equal(e.msg, "field 'leadTimeDays': missing (it is required)");
	assert_int_equal(json_get_int(v, "note", 1, &n, &e), K_EINVAL);
	assert_string_equal(e.msg, "field 'note': missing (it is required)");
	cJSON_Delete(v);
}

static void test_json_get_int_reads_integers_within_2_pow_53(void **state)
{
	cJSON *v = parse_ok(LIT(listing));
	struct kerr e = {0};
	int64_t n = 0;
	assert_int_equal(json_get_int(v, "moq", 1, &n, &e), K_OK);
	assert_int_equal(n, 10);
	assert_int_equal(json_get_int(v, "neg", 1, &n, &e), K_OK);
	assert_true(n == -9007199254740991LL);
	cJSON_Delete(v);
}

static void test_json_get_int_refuses_fractions_big_numbers_and_strings(void **state)
{
	cJSON *v = parse_ok(LIT(listing));
	struct kerr e = {0};
	int64_t n = 5;
	assert_int_equal(json_get_int(v, "price", 1, &n, &e), K_EINVAL);
	assert_string_equal(e.msg, "field 'price': expected an integer, not a fraction");
	assert_int_equal(json_get_int(v, "big", 1, &n, &e), K_EINVAL);
	assert_string_equal(e.msg, "field 'big': integer out of range (|n| must be below 2^53)");
	assert_int_equal(json_get_int(v, "sku", 1, &n, &e), K_EINVAL);
	assert_string_equal(e.msg, "field 'sku': expected an integer");
	assert_int_equal(n, 5);
	cJSON_Delete(v);
	v = cJSON_CreateObject();
	cJSON_AddNumberToObject(v, "moq", 0.0 / 0.0);
	assert_int_equal(json_get_int(v, "moq", 1, &n, &e), K_EINVAL);
	assert_string_equal(e.msg, "field 'moq': expected an integer, not NaN");
	cJSON_Delete(v);
}

static void test_json_get_bool_array_object_check_types(void **state)
{
	cJSON *v = parse_ok(LIT(listing));
	struct kerr e = {0};
	int b = 0;
	const cJSON *a = NULL, *o = NULL;
	assert_int_equal(json_get_bool(v, "active", 1, &b, &e), K_OK);
	assert_int_equal(b, 1);
	assert_int_equal(json_get_array(v, "tags", 1, &a, &e), K_OK);
	assert_string_equal(cJSON_GetArrayItem(a, 0)->valuestring, "x");
	assert_int_equal(json_get_object(v, "seller", 1, &o, &e), K_OK);
	assert_ptr_equal(o, cJSON_GetObjectItem(v, "seller"));
	assert_int_equal(json_get_bool(v, "moq", 1, &b, &e), K_EINVAL);
	assert_string_equal(e.msg, "field 'moq': expected true or false");
	assert_int_equal(json_get_array(v, "seller", 1, &a, &e), K_EINVAL);
	assert_string_equal(e.msg, "field 'seller': expected an array");
	assert_int_equal(json_get_object(v, "tags", 1, &o, &e), K_EINVAL);
	assert_string_equal(e.msg, "field 'tags': expected an object");
	cJSON_Delete(v);
}

static void test_json_get_refuses_a_container_that_is_not_an_object(void **state)
{
	cJSON *v = parse_ok(LIT("[1]"));
	struct kerr e = {0};
	int64_t n;
	assert_int_equal(json_get_int(v, "moq", 0, &n, &e), K_EINVAL);
	assert_string_equal(e.msg, "field 'moq': the enclosing value is not an object");
	assert_int_equal(json_get_int(NULL, "moq", 0, &n, &e), K_EINVAL);
	cJSON_Delete(v);
}

/* --- ints --------------------------------------------------------------------------- */

static void test_json_is_int_accepts_only_integers_below_2_pow_53(void **state)
{
	double yes[] = {0, -0.0, 1, -1, 9007199254740991.0, -9007199254740991.0};
	double no[] = {0.5, 9007199254740992.0, -9007199254740992.0, 1e300, 1.0 / 0.0, 0.0 / 0.0};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		cJSON *n = cJSON_CreateNumber(yes[i]);
		assert_true(json_is_int(n));
		cJSON_Delete(n);
	}
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		cJSON *n = cJSON_CreateNumber(no[i]);
		assert_false(json_is_int(n));
		cJSON_Delete(n);
	}
	cJSON *s = cJSON_CreateString("1");
	assert_false(json_is_int(s));
	assert_false(json_is_int(NULL));
	cJSON_Delete(s);
}

static void test_json_add_int_is_exact_up_to_2_pow_53_minus_1(void **state)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *item = json_add_int(o, "total", 9007199254740991LL);
	assert_non_null(item);
	assert_ptr_equal(item, cJSON_GetObjectItem(o, "total"));
	int64_t back = 0;
	struct kerr e = {0};
	assert_int_equal(json_get_int(o, "total", 1, &back, &e), K_OK);
	assert_true(back == 9007199254740991LL);
	json_add_int(o, "neg", -123456789012345LL);
	assert_prints(o, "{\"total\":9007199254740991,\"neg\":-123456789012345}");
	cJSON_Delete(o);
}

/* --- printing ----------------------------------------------------------------------- */

static void test_json_print_is_compact_and_keeps_key_order(void **state)
{
	cJSON *v = parse_ok(LIT("{ \"z\" : [1, 2.5, true, null], \"a\" : {\"s\": \"x\"} }"));
	assert_prints(v, "{\"z\":[1,2.5,true,null],\"a\":{\"s\":\"x\"}}");
	cJSON_Delete(v);
}

static void test_json_print_writes_shortest_round_trip_doubles(void **state)
{
	cJSON *v = parse_ok(LIT("[0.1, 1e-7, 123456789.125, 1e21, -0.3, 1e15]"));
	assert_prints(v, "[0.1,1e-07,123456789.125,1e+21,-0.3,1000000000000000]");
	cJSON_Delete(v);
}

static void test_json_print_writes_nonfinite_numbers_as_null(void **state)
{
	cJSON *a = cJSON_CreateArray();
	cJSON_AddItemToArray(a, cJSON_CreateNumber(0.0 / 0.0));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(1.0 / 0.0));
	assert_prints(a, "[null,null]");
	cJSON_Delete(a);
}

static void test_json_print_escapes_like_jcs_and_replaces_invalid_utf8(void **state)
{
	cJSON *s = cJSON_CreateString("q\"b\\\x01\x7f\xe2\x80\xa8 \xff!\xc3");
	assert_prints(s, "\"q\\\"b\\\\\\u0001\x7f\xe2\x80\xa8 \xef\xbf\xbd!\xef\xbf\xbd\"");
	cJSON_Delete(s);
}

static void test_json_print_appends_and_round_trips(void **state)
{
	const char text[] = "{\"t\":\"\xf0\x9f\x98\x80\\n\",\"n\":[-1.5e-300,3]}";
	cJSON *v = parse_ok(LIT(text));
	struct kbuf b = KBUF_INIT;
	kbuf_puts(&b, ">");
	json_print(v, &b);
	cJSON *w = parse_ok(b.data + 1, b.len - 1);
	struct kbuf c = KBUF_INIT;
	json_print(w, &c);
	assert_string_equal(b.data + 1, c.data);
	assert_int_equal(b.data[0], '>');
	kbuf_free(&b);
	kbuf_free(&c);
	cJSON_Delete(v);
	cJSON_Delete(w);
}

static void test_json_put_string_escapes_only_what_jcs_escapes(void **state)
{
	struct kbuf b = KBUF_INIT;
	json_put_string(&b, LIT("a\0b\x1f/\xc3\xa9"));
	assert_string_equal(b.data, "\"a\\u0000b\\u001f/\xc3\xa9\"");
	kbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_parse_reads_fractions_and_exponents),
	    cmocka_unit_test(test_json_parse_reads_large_integers_as_doubles),
	    cmocka_unit_test(test_json_parse_refuses_numbers_that_overflow_to_infinity),
	    cmocka_unit_test(test_json_parse_prefixes_messages_with_what),
	    cmocka_unit_test(test_json_parse_refuses_duplicate_keys),
	    cmocka_unit_test(test_json_parse_refuses_invalid_utf8),
	    cmocka_unit_test(test_json_parse_bounds_depth),
	    cmocka_unit_test(test_json_parse_refuses_trailing_garbage),
	    cmocka_unit_test(test_json_parse_refuses_leading_zeros_and_bare_dots),
	    cmocka_unit_test(test_json_parse_refuses_empty_and_nul_input),
	    cmocka_unit_test(test_json_parse_refuses_input_over_16_mib),
	    cmocka_unit_test(test_json_parse_ignores_the_locale_decimal_separator),
	    cmocka_unit_test(test_json_parse_ex_integers_only_matches_canon_rules),
	    cmocka_unit_test(test_json_get_str_reads_and_names_wrong_type),
	    cmocka_unit_test(test_json_get_str_refuses_invalid_utf8_from_code),
	    cmocka_unit_test(test_json_get_optional_missing_or_null_leaves_out_untouched),
	    cmocka_unit_test(test_json_get_required_missing_or_null_is_an_error),
	    cmocka_unit_test(test_json_get_int_reads_integers_within_2_pow_53),
	    cmocka_unit_test(test_json_get_int_refuses_fractions_big_numbers_and_strings),
	    cmocka_unit_test(test_json_get_bool_array_object_check_types),
	    cmocka_unit_test(test_json_get_refuses_a_container_that_is_not_an_object),
	    cmocka_unit_test(test_json_is_int_accepts_only_integers_below_2_pow_53),
	    cmocka_unit_test(test_json_add_int_is_exact_up_to_2_pow_53_minus_1),
	    cmocka_unit_test(test_json_print_is_compact_and_keeps_key_order),
	    cmocka_unit_test(test_json_print_writes_shortest_round_trip_doubles),
	    cmocka_unit_test(test_json_print_writes_nonfinite_numbers_as_null),
	    cmocka_unit_test(test_json_print_escapes_like_jcs_and_replaces_invalid_utf8),
	    cmocka_unit_test(test_json_print_appends_and_round_trips),
	    cmocka_unit_test(test_json_put_string_escapes_only_what_jcs_escapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
