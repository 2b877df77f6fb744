/* Tests for canon: JCS writing (sorting, escaping, integers only), the strict parser and
 * canon_check, including the RFC 8785 examples that fit the integers-only subset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kontor/canon.h"
#include "kontor/json.h"

#define LIT(s) s, sizeof(s) - 1

/* Parses text (plain JSON) and returns its canonical form; the caller frees it. */
static char *canon_of(const char *text)
{
	cJSON *v;
	struct kerr e = {0};
	int rc = json_parse(text, strlen(text), "test", &v, &e);
	if (rc != K_OK)
		fail_msg("json_parse: %s", e.msg);
	struct kbuf b = KBUF_INIT;
	rc = canon_write(v, &b, &e);
	cJSON_Delete(v);
	if (rc != K_OK)
		fail_msg("canon_write: %s", e.msg);
	return kbuf_detach(&b, NULL);
}

static void assert_canon(const char *text, const char *want)
{
	char *got = canon_of(text);
	assert_string_equal(got, want);
	free(got);
}

/* canon_parse must refuse s[0..n) with a message containing `needle`. */
static void assert_parse_refuses(const char *s, size_t n, const char *needle)
{
	cJSON *v = (cJSON *)1;
	struct kerr e = {0};
	int rc = canon_parse(s, n, &v, &e);
	if (rc == K_OK)
		fail_msg("canon_parse accepted %.*s", (int)n, s);
	assert_int_equal(rc, K_EINVAL);
	assert_null(v);
	if (!strstr(e.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, needle);
}

static void assert_write_refuses(const cJSON *v, const char *msg)
{
	struct kbuf b = KBUF_INIT;
	struct kerr e = {0};
	kbuf_puts(&b, "keep");
	assert_int_equal(canon_write(v, &b, &e), K_EINVAL);
	assert_string_equal(e.msg, msg);
	assert_int_equal(b.len, 4);
	assert_string_equal(b.data, "keep");
	kbuf_free(&b);
}

static cJSON *nest_arrays(int levels)
{
	cJSON *v = cJSON_CreateNumber(1);
	for (int i = 0; i < levels; i++) {
		cJSON *a = cJSON_CreateArray();
		cJSON_AddItemToArray(a, v);
		v = a;
	}
	return v;
}

static char *nested_text(int levels)
{
	char *s = malloc((size_t)levels * 2 + 2);
	for (int i = 0; i < levels; i++)
		s[i] = '[';
	s[levels] = '1';
	for (int i = 0; i < levels; i++)
		s[levels + 1 + i] = ']';
	s[levels * 2 + 1] = '\0';
	return s;
}

/* --- canon_write ---------------------------------------------------------------------- */

/* RFC 8785 section 3.2.3: JavaScript (UTF-16) order, not UTF-8 byte order. */
static void test_canon_sorts_keys_by_utf16_code_units(void **state)
{
	assert_canon("{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\","
	             " \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\", \"1\": \"One\","
	             " \"\\ud83d\\ude00\": \"Emoji: Grinning Face\", \"\\u0080\": \"Control\","
	             " \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"}",
	             "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\","
	             "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
	             "\"\xe2\x82\xac\":\"Euro Sign\",\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
	             "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
}

static void test_canon_sorts_astral_keys_before_private_use_area(void **state)
{
	/* U+E000 is EE 80 80 in UTF-8 (below F0) but E000 in UTF-16 (above D800). */
	assert_canon("{\"\\ue000\":1,\"\\ud800\\udc00\":2,\"\\ud7ff\":3}",
	             "{\"\xed\x9f\xbf\":3,\"\xf0\x90\x80\x80\":2,\"\xee\x80\x80\":1}");
}

static void test_canon_sorts_prefix_keys_first(void **state)
{
	assert_canon("{\"ab\":1,\"a\":2,\"\":3,\"B\":4}", "{\"\":3,\"B\":4,\"a\":2,\"ab\":1}");
}

static void test_canon_sorts_nested_objects_and_keeps_array_order(void **state)
{
	assert_canon("{\"z\":[3,1,{\"y\":1,\"x\":2}],\"a\":{\"d\":null,\"c\":true,\"b\":false}}",
	             "{\"a\":{\"b\":false,\"c\":true,\"d\":null},\"z\":[3,1,{\"x\":2,\"y\":1}]}");
}

/* RFC 8785 section 3.2.2.2. */
static void test_canon_escapes_strings_like_rfc8785(void **state)
{
	assert_canon("\"\\u20ac$\\u000f\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\"",
	             "\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"");
}

static void test_canon_uses_short_escapes_and_lowercase_hex(void **state)
{
	assert_canon("\"\\u0008\\u0009\\u000A\\u000C\\u000D\\u0001\\u001F\\u000b\"",
	             "\"\\b\\t\\n\\f\\r\\u0001\\u001f\\u000b\"");
}

static void test_canon_writes_del_and_line_separator_literally(void **state)
{
	assert_canon("\"\\u007f\\u2028\\u2029\\u00e9\"",
	             "\"\x7f\xe2\x80\xa8\xe2\x80\xa9\xc3\xa9\"");
}

static void test_canon_writes_scalars_and_empty_containers(void **state)
{
	assert_canon("true", "true");
	assert_canon("false", "false");
	assert_canon("null", "null");
	assert_canon("-42", "-42");
	assert_canon("[]", "[]");
	assert_canon("{}", "{}");
	assert_canon(" [ { } , [ ] , \"\" ] ", "[{},[],\"\"]");
}

static void test_canon_writes_integers_up_to_2_pow_53_minus_1(void **state)
{
	cJSON *a = cJSON_CreateArray();
	cJSON_AddItemToArray(a, cJSON_CreateNumber(9007199254740991.0));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(-9007199254740991.0));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(-0.0));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(1e15));
	struct kbuf b = KBUF_INIT;
	struct kerr e = {0};
	assert_int_equal(canon_write(a, &b, &e), K_OK);
	assert_string_equal(b.data, "[9007199254740991,-9007199254740991,0,1000000000000000]");
	kbuf_free(&b);
	cJSON_Delete(a);
}

static void test_canon_write_refuses_fraction_naming_the_path(void **state)
{
	cJSON *l = cJSON_CreateObject();
	cJSON *tiers = cJSON_AddArrayToObject(l, "priceTiers");
	cJSON *t0 = cJSON_CreateObject();
	cJSON_AddNumberToObject(t0, "minQty", 1);
	cJSON_AddNumberToObject(t0, "unitPrice", 200);
	cJSON_AddItemToArray(tiers, t0);
	cJSON *t1 = cJSON_CreateObject();
	cJSON_AddNumberToObject(t1, "minQty", 100);
	cJSON_AddNumberToObject(t1, "unitPrice", 1.5);
	cJSON_AddItemToArray(tiers, t1);
	assert_write_refuses(l, "priceTiers[1].unitPrice: 1.5 is not an integer (canonical JSON "
	                        "carries integers only)");
	cJSON_Delete(l);
}

static void test_canon_write_refuses_nan_and_infinity(void **state)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "x", 0.0 / 0.0);
	assert_write_refuses(o, "x: NaN is not allowed in canonical JSON");
	cJSON_Delete(o);
	o = cJSON_CreateArray();
	cJSON_AddItemToArray(o, cJSON_CreateNumber(-1.0 / 0.0));
	assert_write_refuses(o, "[0]: infinity is not allowed in canonical JSON");
	cJSON_Delete(o);
}

static void test_canon_write_refuses_2_pow_53_and_beyond(void **state)
{
	cJSON *v = cJSON_CreateNumber(9007199254740992.0);
	assert_write_refuses(v, "top level: integer 9007199254740992 out of range (|n| must be "
	                        "below 2^53)");
	cJSON_Delete(v);
	v = cJSON_CreateNumber(-9007199254740992.0);
	assert_write_refuses(v, "top level: integer -9007199254740992 out of range (|n| must be "
	                        "below 2^53)");
	cJSON_Delete(v);
}

static void test_canon_write_refuses_invalid_utf8_in_values_and_keys(void **state)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *in = cJSON_AddObjectToObject(o, "seller");
	cJSON_AddStringToObject(in, "name", "caf\xc3");
	assert_write_refuses(o, "seller.name: string is not valid UTF-8");
	cJSON_Delete(o);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "ok", 1);
	cJSON_AddNumberToObject(o, "\xed\xa0\x80", 1); /* an encoded surrogate */
	assert_write_refuses(o, "top level: key number 1 is not valid UTF-8");
	cJSON_Delete(o);
}

static void test_canon_write_refuses_duplicate_keys(void **state)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "sku", "A");
	cJSON_AddStringToObject(o, "moq", "B");
	cJSON_AddStringToObject(o, "sku", "C");
	assert_write_refuses(o, "top level: duplicate key \"sku\"");
	cJSON_Delete(o);
}

static void test_canon_write_bounds_depth(void **state)
{
	cJSON *ok = nest_arrays(CANON_MAX_DEPTH);
	struct kbuf b = KBUF_INIT;
	struct kerr e = {0};
	assert_int_equal(canon_write(ok, &b, &e), K_OK);
	assert_int_equal(b.len, CANON_MAX_DEPTH * 2 + 1);
	kbuf_free(&b);
	cJSON_Delete(ok);
	cJSON *deep = nest_arrays(CANON_MAX_DEPTH + 1);
	assert_int_equal(canon_write(deep, &b, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "nesting deeper than 64 levels"));
	assert_int_equal(b.len, 0);
	kbuf_free(&b);
	cJSON_Delete(deep);
}

static void test_canon_write_refuses_raw_items(void **state)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddRawToObject(o, "body", "{\"b\":1,\"a\":2}");
	assert_write_refuses(o, "body: a raw or invalid cJSON item cannot be written as canonical "
	                        "JSON");
	cJSON_Delete(o);
}

static void test_canon_write_leaves_output_untouched_on_late_error(void **state)
{
	/* The error comes after "a" and "b" were already written. */
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "a", "long enough to force the buffer to grow past 64 bytes");
	cJSON_AddNumberToObject(o, "b", 2);
	cJSON_AddNumberToObject(o, "c", 0.25);
	assert_write_refuses(o, "c: 0.25 is not an integer (canonical JSON carries integers only)");
	cJSON_Delete(o);
}

static void test_canon_write_appends_to_existing_output(void **state)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "n", 7);
	struct kbuf b = KBUF_INIT;
	struct kerr e = {0};
	kbuf_puts(&b, "kontor/v1/listing");
	kbuf_putc(&b, '\0');
	assert_int_equal(canon_write(o, &b, &e), K_OK);
	assert_int_equal(b.len, 18 + 7);
	assert_memory_equal(b.data, "kontor/v1/listing\0{\"n\":7}", 25);
	kbuf_free(&b);
	cJSON_Delete(o);
}

/* --- canon_parse ---------------------------------------------------------------------- */

static void test_canon_parse_reads_whitespace_and_nesting(void **state)
{
	cJSON *v;
	struct kerr e = {0};
	const char s[] =
	    " {\n\t\"sku\" : \"A-1\" ,\r\n \"tiers\":[ {\"minQty\":1,\"unitPrice\":-5} ]} ";
	assert_int_equal(canon_parse(LIT(s), &v, &e), K_OK);
	assert_string_equal(cJSON_GetObjectItem(v, "sku")->valuestring, "A-1");
	cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(v, "tiers"), 0);
	assert_true(cJSON_GetObjectItem(t, "unitPrice")->valuedouble == -5.0);
	cJSON_Delete(v);
}

static void test_canon_parse_refuses_duplicate_keys(void **state)
{
	struct kerr e = {0};
	cJSON *v;
	const char s[] = "{\"sku\":1,\"moq\":2,\"sku\":3}";
	assert_int_equal(canon_parse(LIT(s), &v, &e), K_EINVAL);
	assert_string_equal(e.msg, "at byte 17: duplicate key \"sku\"");
	assert_parse_refuses(LIT("[{\"a\":1},{\"b\":1,\"b\":1}]"),
	                     "at byte 16: duplicate key \"b\"");
	/* The same key reached through different escapes is still the same key. */
	assert_parse_refuses(LIT("{\"\\u00e9\":1,\"\xc3\xa9\":2}"), "duplicate key \"\xc3\xa9\"");
}

static void test_canon_parse_names_the_first_duplicate_in_document_order(void **state)
{
	assert_parse_refuses(LIT("{\"b\":1,\"a\":1,\"a\":2,\"b\":2}"),
	                     "at byte 13: duplicate key \"a\"");
}

static void test_canon_parse_refuses_fractions_exponents_and_minus_zero(void **state)
{
	assert_parse_refuses(LIT("[1.0]"), "at byte 1: only integers are allowed in canonical "
	                                   "JSON (found a fraction)");
	assert_parse_refuses(LIT("1e3"), "found an exponent");
	assert_parse_refuses(LIT("1E+3"), "found an exponent");
	assert_parse_refuses(LIT("-0"), "-0 is not canonical JSON");
	assert_parse_refuses(LIT("1."), "expected a digit after '.'");
	assert_parse_refuses(LIT("-"), "expected a digit after '-'");
	assert_parse_refuses(LIT("+1"), "expected a value, found '+'");
	assert_parse_refuses(LIT(".5"), "expected a value, found '.'");
}

static void test_canon_parse_refuses_leading_zeros(void **state)
{
	assert_parse_refuses(LIT("[0123]"), "at byte 1: number with a leading zero");
	assert_parse_refuses(LIT("-01"), "at byte 0: number with a leading zero");
	assert_parse_refuses(LIT("00"), "leading zero");
}

static void test_canon_parse_accepts_integers_just_below_2_pow_53(void **state)
{
	cJSON *v;
	struct kerr e = {0};
	assert_int_equal(canon_parse(LIT("[9007199254740991,-9007199254740991,0,7]"), &v, &e),
	                 K_OK);
	assert_true(cJSON_GetArrayItem(v, 0)->valuedouble == 9007199254740991.0);
	assert_true(cJSON_GetArrayItem(v, 1)->valuedouble == -9007199254740991.0);
	cJSON_Delete(v);
}

static void test_canon_parse_refuses_integers_from_2_pow_53(void **state)
{
	assert_parse_refuses(LIT("9007199254740992"),
	                     "integer out of range (|n| must be below 2^53)");
	assert_parse_refuses(LIT("-9007199254740992"), "integer out of range");
	assert_parse_refuses(LIT("99999999999999999999999"), "integer out of range");
}

static void test_canon_parse_refuses_invalid_utf8(void **state)
{
	assert_parse_refuses(LIT("\"a\xc3\""), "at byte 2: invalid UTF-8 in a string");
	assert_parse_refuses(LIT("\"\xc0\x80\""), "invalid UTF-8");         /* overlong NUL */
	assert_parse_refuses(LIT("\"\xe0\x80\xaf\""), "invalid UTF-8");     /* overlong '/' */
	assert_parse_refuses(LIT("\"\xed\xa0\x80\""), "invalid UTF-8");     /* surrogate */
	assert_parse_refuses(LIT("\"\xf4\x90\x80\x80\""), "invalid UTF-8"); /* > U+10FFFF */
	assert_parse_refuses(LIT("\"\xff\""), "invalid UTF-8");
	assert_parse_refuses(LIT("{\"k\x80\":1}"), "invalid UTF-8");
	assert_parse_refuses(LIT("\"\xf0\x9f\x98\""), "invalid UTF-8"); /* truncated */
}

static void test_canon_parse_refuses_lone_surrogates(void **state)
{
	assert_parse_refuses(LIT("\"\\ud83d\""), "at byte 1: lone high surrogate \\uD83D");
	assert_parse_refuses(LIT("\"\\ud83dx\\ude00\""), "lone high surrogate");
	assert_parse_refuses(LIT("\"\\ud83d\\u0041\""), "lone high surrogate");
	assert_parse_refuses(LIT("\"\\ud83d\\ud83d\""), "lone high surrogate");
	assert_parse_refuses(LIT("\"\\ude00\""), "lone low surrogate \\uDE00");
	assert_parse_refuses(LIT("\"\\ude00\\ud83d\""), "lone low surrogate");
}

static void test_canon_parse_combines_surrogate_pairs(void **state)
{
	cJSON *v;
	struct kerr e = {0};
	assert_int_equal(canon_parse(LIT("\"\\uD83D\\uDE00!\""), &v, &e), K_OK);
	assert_string_equal(v->valuestring, "\xf0\x9f\x98\x80!");
	cJSON_Delete(v);
	assert_int_equal(canon_parse(LIT("\"\\udbff\\udfff\""), &v, &e), K_OK);
	assert_string_equal(v->valuestring, "\xf4\x8f\xbf\xbf");
	cJSON_Delete(v);
}

static void test_canon_parse_refuses_unescaped_control_characters(void **state)
{
	assert_parse_refuses(LIT("\"a\tb\""),
	                     "at byte 2: control character U+0009 must be escaped");
	assert_parse_refuses(LIT("\"\n\""), "U+000A");
	assert_parse_refuses(LIT("{\"a\x1f\":1}"), "U+001F");
}

static void test_canon_parse_refuses_nul_bytes(void **state)
{
	assert_parse_refuses(LIT("\"a\0b\""), "at byte 2: control character U+0000");
	assert_parse_refuses(LIT("1\0"), "at byte 1: trailing bytes");
	assert_parse_refuses(LIT("\0"), "at byte 0: expected a value, found byte 0x00");
	assert_parse_refuses(LIT("\"\\u0000\""), "\\u0000 is not accepted");
}

static void test_canon_parse_bounds_depth(void **state)
{
	cJSON *v;
	struct kerr e = {0};
	char *ok = nested_text(CANON_MAX_DEPTH);
	assert_int_equal(canon_parse(ok, strlen(ok), &v, &e), K_OK);
	cJSON_Delete(v);
	free(ok);
	char *deep = nested_text(CANON_MAX_DEPTH + 1);
	assert_parse_refuses(deep, strlen(deep), "at byte 64: nesting deeper than 64 levels");
	free(deep);
	/* Objects count too, and a deep hostile input fails without deep recursion. */
	size_t n = 100000;
	char *objs = malloc(n * 5);
	for (size_t i = 0; i < n; i++)
		memcpy(objs + i * 5, "{\"a\":", 5);
	assert_parse_refuses(objs, n * 5, "nesting deeper than 64 levels");
	free(objs);
}

static void test_canon_parse_refuses_trailing_bytes(void **state)
{
	assert_parse_refuses(LIT("{} {}"), "at byte 3: trailing bytes after the JSON value");
	assert_parse_refuses(LIT("truex"), "at byte 4: trailing bytes");
	assert_parse_refuses(LIT("[1]]"), "at byte 3: trailing bytes");
}

static void test_canon_parse_refuses_malformed_syntax(void **state)
{
	assert_parse_refuses(LIT(""), "at byte 0: expected a value, found the end of the input");
	assert_parse_refuses(LIT("   "), "at byte 3: expected a value, found the end");
	assert_parse_refuses(LIT("[1,]"), "at byte 3: expected a value, found ']'");
	assert_parse_refuses(LIT("[1 2]"), "at byte 3: expected ',' or ']' after an array element, "
	                                   "found '2'");
	assert_parse_refuses(LIT("{\"a\":1,}"), "at byte 7: expected a string key, found '}'");
	assert_parse_refuses(LIT("{\"a\" 1}"), "at byte 5: expected ':' after a key, found '1'");
	assert_parse_refuses(LIT("{\"a\":1"), "at byte 6: expected ',' or '}' after an object "
	                                      "member, found the end of the input");
	assert_parse_refuses(LIT("{'a':1}"), "expected a string key, found '''");
	assert_parse_refuses(LIT("\"abc"), "at byte 0: unterminated string");
	assert_parse_refuses(LIT("\"abc\\"), "at byte 0: unterminated string");
	assert_parse_refuses(LIT("\"\\x\""),
	                     "at byte 1: invalid escape: backslash followed by 'x'");
	assert_parse_refuses(LIT("\"\\u12\""),
	                     "at byte 1: \\u must be followed by four hex digits");
	assert_parse_refuses(LIT("tru"), "at byte 0: invalid literal (expected true)");
	assert_parse_refuses(LIT("nul"), "invalid literal (expected null)");
	assert_parse_refuses(LIT("False"), "expected a value, found 'F'");
}

static void test_canon_parse_refuses_input_over_16_mib(void **state)
{
	size_t n = ((size_t)16 << 20) + 1;
	char *big = malloc(n);
	memset(big, ' ', n);
	big[0] = '0';
	cJSON *v = (cJSON *)1;
	struct kerr e = {0};
	assert_int_equal(canon_parse(big, n, &v, &e), K_ETOOBIG);
	assert_null(v);
	assert_non_null(strstr(e.msg, "over the limit"));
	/* Exactly 16 MiB is still read. */
	assert_int_equal(canon_parse(big, n - 1, &v, &e), K_OK);
	cJSON_Delete(v);
	free(big);
}

static void test_canon_parse_then_write_gives_back_canonical_bytes(void **state)
{
	static const char listing[] =
	    "{\"currency\":\"EUR\",\"moq\":10,\"priceTiers\":[{\"minQty\":1,\"unitPrice\":250}],"
	    "\"sku\":\"A-1\",\"title\":\"Kaffee \xe2\x80\x94 \\\"gr\xc3\xbcn\\\"\"}";
	static const char *const samples[] = {
	    listing,
	    "[null,true,false,-1,0,\"\\u001f\\b\"]",
	    "{\"\":{\"\":[]}}",
	};
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		cJSON *v;
		struct kerr e = {0};
		struct kbuf b = KBUF_INIT;
		assert_int_equal(canon_parse(samples[i], strlen(samples[i]), &v, &e), K_OK);
		assert_int_equal(canon_write(v, &b, &e), K_OK);
		assert_string_equal(b.data, samples[i]);
		kbuf_free(&b);
		cJSON_Delete(v);
	}
}

/* --- canon_check ---------------------------------------------------------------------- */

static void assert_check_refuses(const char *s, size_t n, const char *msg)
{
	struct kerr e = {0};
	assert_int_equal(canon_check(s, n, &e), K_EINVAL);
	assert_int_equal(e.code, K_EINVAL);
	if (!strstr(e.msg, msg))
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, msg);
}

static void test_canon_check_accepts_canonical_bytes(void **state)
{
	struct kerr e = {0};
	assert_int_equal(canon_check(LIT("{\"a\":[1,{\"b\":\"\\n\"}],\"c\":null}"), &e), K_OK);
	assert_int_equal(canon_check(LIT("\"\xf0\x9f\x98\x80\""), &e), K_OK);
	assert_int_equal(canon_check(LIT("0"), &e), K_OK);
}

static void test_canon_check_refuses_whitespace(void **state)
{
	assert_check_refuses(LIT("{\"a\": 1}"), "at byte 5: not in canonical form: whitespace "
	                                        "between tokens (expected '1', found a space)");
	assert_check_refuses(LIT("[1]\n"), "at byte 3: not in canonical form: whitespace");
}

static void test_canon_check_refuses_unsorted_keys(void **state)
{
	assert_check_refuses(LIT("{\"b\":1,\"a\":2}"), "at byte 2: not in canonical form: keys not "
	                                               "sorted by UTF-16 code units (expected "
	                                               "'a', found 'b')");
	/* Byte order is not JCS order. */
	assert_check_refuses(LIT("{\"\xef\xac\xb3\":1,\"\xf0\x9f\x98\x80\":2}"), "keys not sorted");
}

static void test_canon_check_refuses_escapes_jcs_writes_differently(void **state)
{
	assert_check_refuses(LIT("\"\\u0041\""), "at byte 1: not in canonical form: an escape JCS "
	                                         "writes differently");
	assert_check_refuses(LIT("\"\\/\""), "an escape JCS writes differently");
	assert_check_refuses(LIT("\"\\u001F\""), "at byte 6: not in canonical form: an escape JCS "
	                                         "writes differently (expected 'f', found 'F')");
	assert_check_refuses(LIT("\"\\u000a\""), "an escape JCS writes differently");
	assert_check_refuses(LIT("\"\\u00e9\""), "an escape JCS writes differently");
}

static void test_canon_check_refuses_what_canon_parse_refuses(void **state)
{
	assert_check_refuses(LIT("{\"a\":1,\"a\":1}"), "at byte 7: duplicate key \"a\"");
	assert_check_refuses(LIT("1.0"), "only integers");
	assert_check_refuses(LIT("{}x"), "at byte 2: trailing bytes");
	assert_check_refuses(LIT("{} "), "at byte 2: not in canonical form: whitespace");
	size_t n = ((size_t)16 << 20) + 1;
	char *big = calloc(1, n);
	assert_check_refuses(big, n, "over the limit");
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_canon_sorts_keys_by_utf16_code_units),
	    cmocka_unit_test(test_canon_sorts_astral_keys_before_private_use_area),
	    cmocka_unit_test(test_canon_sorts_prefix_keys_first),
	    cmocka_unit_test(test_canon_sorts_nested_objects_and_keeps_array_order),
	    cmocka_unit_test(test_canon_escapes_strings_like_rfc8785),
	    cmocka_unit_test(test_canon_uses_short_escapes_and_lowercase_hex),
	    cmocka_unit_test(test_canon_writes_del_and_line_separator_literally),
	    cmocka_unit_test(test_canon_writes_scalars_and_empty_containers),
	    cmocka_unit_test(test_canon_writes_integers_up_to_2_pow_53_minus_1),
	    cmocka_unit_test(test_canon_write_refuses_fraction_naming_the_path),
	    cmocka_unit_test(test_canon_write_refuses_nan_and_infinity),
	    cmocka_unit_test(test_canon_write_refuses_2_pow_53_and_beyond),
	    cmocka_unit_test(test_canon_write_refuses_invalid_utf8_in_values_and_keys),
	    cmocka_unit_test(test_canon_write_refuses_duplicate_keys),
	    cmocka_unit_test(test_canon_write_bounds_depth),
	    cmocka_unit_test(test_canon_write_refuses_raw_items),
	    cmocka_unit_test(test_canon_write_leaves_output_untouched_on_late_error),
	    cmocka_unit_test(test_canon_write_appends_to_existing_output),
	    cmocka_unit_test(test_canon_parse_reads_whitespace_and_nesting),
	    cmocka_unit_test(test_canon_parse_refuses_duplicate_keys),
	    cmocka_unit_test(test_canon_parse_names_the_first_duplicate_in_document_order),
	    cmocka_unit_test(test_canon_parse_refuses_fractions_exponents_and_minus_zero),
	    cmocka_unit_test(test_canon_parse_refuses_leading_zeros),
	    cmocka_unit_test(test_canon_parse_accepts_integers_just_below_2_pow_53),
	    cmocka_unit_test(test_canon_parse_refuses_integers_from_2_pow_53),
	    cmocka_unit_test(test_canon_parse_refuses_invalid_utf8),
	    cmocka_unit_test(test_canon_parse_refuses_lone_surrogates),
	    cmocka_unit_test(test_canon_parse_combines_surrogate_pairs),
	    cmocka_unit_test(test_canon_parse_refuses_unescaped_control_characters),
	    cmocka_unit_test(test_canon_parse_refuses_nul_bytes),
	    cmocka_unit_test(test_canon_parse_bounds_depth),
	    cmocka_unit_test(test_canon_parse_refuses_trailing_bytes),
	    cmocka_unit_test(test_canon_parse_refuses_malformed_syntax),
	    cmocka_unit_test(test_canon_parse_refuses_input_over_16_mib),
	    cmocka_unit_test(test_canon_parse_then_write_gives_back_canonical_bytes),
	    cmocka_unit_test(test_canon_check_accepts_canonical_bytes),
	    cmocka_unit_test(test_canon_check_refuses_whitespace),
	    cmocka_unit_test(test_canon_check_refuses_unsorted_keys),
	    cmocka_unit_test(test_canon_check_refuses_escapes_jcs_writes_differently),
	    cmocka_unit_test(test_canon_check_refuses_what_canon_parse_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
