/* Unit tests for searchtext, the index form of listing text that the client cache and the
 * node share: spaceless scripts become overlapping bigrams, accents fold, categories give
 * one token per level, value buckets keep order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "kontor/searchtext.h"

static void test_prep_splits_chinese_runs_into_overlapping_bigrams(void **state)
{
	struct kbuf b = KBUF_INIT;
	const char *s = "铁艺桌腿 Iron";
	searchtext_prep(&b, s, strlen(s));
	assert_non_null(strstr(b.data, "铁艺"));
	assert_non_null(strstr(b.data, "艺桌"));
	assert_non_null(strstr(b.data, "桌腿"));
	assert_non_null(strstr(b.data, "iron"));
	kbuf_free(&b);
}

static void test_prep_gives_a_two_char_query_the_same_bigram_as_the_title(void **state)
{
	struct kbuf q = KBUF_INIT;
	searchtext_prep(&q, "桌腿", strlen("桌腿"));
	assert_non_null(strstr(q.data, "桌腿"));
	kbuf_free(&q);
}

static void test_prep_reports_a_trailing_one_character_run_for_prefix_matching(void **state)
{
	struct kbuf b = KBUF_INIT;
	assert_int_equal(searchtext_prep(&b, "桌", strlen("桌")), 1);
	kbuf_reset(&b);
	assert_int_equal(searchtext_prep(&b, "table", 5), 0);
	kbuf_free(&b);
}

static void test_prep_drops_combining_accents(void **state)
{
	struct kbuf b = KBUF_INIT;
	const char *s = "Cafe\xCC\x81"; /* e + combining acute */
	searchtext_prep(&b, s, strlen(s));
	assert_non_null(strstr(b.data, "cafe"));
	assert_null(strstr(b.data, "\xCC\x81"));
	kbuf_free(&b);
}

/* The index form of a and of b is the same text. */
static void assert_same_form(const char *a, const char *b)
{
	struct kbuf x = KBUF_INIT, y = KBUF_INIT;
	searchtext_prep(&x, a, strlen(a));
	searchtext_prep(&y, b, strlen(b));
	if (strcmp(kbuf_str(&x), kbuf_str(&y)) != 0)
		fail_msg("\"%s\" -> \"%s\" but \"%s\" -> \"%s\"", a, kbuf_str(&x), b, kbuf_str(&y));
	kbuf_free(&x);
	kbuf_free(&y);
}

static void test_prep_folds_letters_search_takes_as_one(void **state)
{
	assert_same_form("берёзовая", "березовая"); /* Russian ё and е */
	assert_same_form("БЕРЁЗОВАЯ", "березовая"); /* and case, Cyrillic too */
	assert_same_form("Straße", "strasse");      /* German ß and ss */
	assert_same_form("STRASSE", "straße");
	assert_same_form("Crème brûlée", "creme brulee");
	assert_same_form("ﬁne", "fine");                 /* a ligature */
	assert_same_form("ＴＡＢＬＥ ４２", "table 42"); /* full-width forms */
	assert_same_form("ΟΔΟΣ", "οδος");                /* Greek, with its final sigma */
	assert_same_form("ς", "σ");
	assert_same_form("Ångström", "angstrom");
}

/* Letters Unicode does not split into a base and a mark: a buyer types them as the base. */
static void test_prep_reads_barred_and_joined_latin_letters_as_typed_in_ascii(void **state)
{
	assert_same_form("Đèn tre thủ công", "den tre thu cong"); /* Vietnamese đ */
	assert_same_form("ĐỒ GỖ", "do go");
	assert_same_form("Łódź", "lodz");             /* Polish ł */
	assert_same_form("Smørrebrød", "smorrebrod"); /* Danish ø */
	assert_same_form("Ærø", "aero");              /* æ */
	assert_same_form("Œuvre", "oeuvre");
	assert_same_form("Þórður", "thordur");      /* Icelandic þ, ð */
	assert_same_form("ılık", "ilik");           /* Turkish dotless ı */
	assert_same_form("Ħamrun", "hamrun");       /* Maltese ħ */
	assert_same_form("ɓaƙi ɗaya", "baki daya"); /* Hausa hooked letters */
}

static void test_prep_keeps_marks_that_are_letters_of_their_script(void **state)
{
	struct kbuf b = KBUF_INIT;
	const char *thai = "เก้าอี้"; /* tone marks and vowels above are part of the word */
	searchtext_prep(&b, thai, strlen(thai));
	assert_non_null(strstr(kbuf_str(&b), "\xE0\xB9\x89")); /* U+0E49 MAI THO stays */
	kbuf_free(&b);
}

static void test_prep_leaves_bad_utf8_as_a_gap(void **state)
{
	struct kbuf b = KBUF_INIT;
	const char s[] = "Caf\xC3\xA9 \xFF tisch";
	searchtext_prep(&b, s, sizeof s - 1);
	assert_non_null(strstr(kbuf_str(&b), "cafe"));
	assert_non_null(strstr(kbuf_str(&b), "tisch"));
	assert_null(strstr(kbuf_str(&b), "\xFF"));
	kbuf_free(&b);
}

/* prep of s (a query) or prep_field (an index) is exactly want, spaces trimmed. */
static void assert_form(const char *s, int index, const char *want)
{
	struct kbuf b = KBUF_INIT;
	if (index)
		searchtext_prep_field(&b, s, strlen(s));
	else
		searchtext_prep(&b, s, strlen(s));
	const char *got = kbuf_str(&b);
	size_t n = strlen(got);
	while (*got == ' ')
		got++, n--;
	while (n && got[n - 1] == ' ')
		n--;
	if (strlen(want) != n || strncmp(got, want, n) != 0)
		fail_msg("%s \"%s\" -> \"%.*s\", want \"%s\"", index ? "field" : "query", s, (int)n,
		         got, want);
	kbuf_free(&b);
}

static void test_prep_reads_a_dotted_hs_code_as_its_digits(void **state)
{
	static const struct {
		const char *text;
		int index;
		const char *want;
	} cases[] = {
	    {"7308.30.90", 0, "73083090"},
	    {"HS 7308.30, iron", 0, "hs 730830, iron"},
	    {"8471.30.0100.", 0, "8471300100."},
	    /* an index keeps the pieces too: "1200" still finds "1200.50" */
	    {"7308.30.90", 1, "7308.30.90 73083090"},
	    {"1200.50 VND", 1, "1200.50 120050 vnd"},
	    /* not an HS code: other shapes stay as they were */
	    {"1.2 m", 0, "1.2 m"},
	    {"73083.09", 0, "73083.09"},
	    {"7308.3", 0, "7308.3"},
	    {"7308.30.90.12.34", 0, "7308.30.90.12.34"},
	    {"v7308.30", 0, "v7308.30"},
	    {"7308.30x", 0, "7308.30x"},
	    {"7308.30.12345", 0, "7308.30.12345"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_form(cases[i].text, cases[i].index, cases[i].want);
}

static void test_hs_field_gives_heading_and_subheading_words(void **state)
{
	static const char *const cases[][2] = {
	    {"73083090", " 7308 730830 73083090"}, {"730830", " 7308 730830"}, {"", ""}};
	struct kbuf b = KBUF_INIT;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		kbuf_reset(&b);
		searchtext_hs_field(&b, cases[i][0]);
		assert_string_equal(kbuf_str(&b), cases[i][1]);
	}
	kbuf_reset(&b);
	searchtext_hs_field(&b, NULL);
	assert_string_equal(kbuf_str(&b), "");
	kbuf_free(&b);
}

static void test_prep_field_cuts_on_a_character_boundary(void **state)
{
	struct kbuf b = KBUF_INIT;
	searchtext_prep_field(&b, "ab铁艺", 4); /* 4 bytes would split 铁 */
	for (size_t i = 0; i < b.len; i++)
		assert_true((unsigned char)b.data[i] < 0x80);
	searchtext_prep_field(&b, NULL, 10);
	kbuf_free(&b);
}

static void test_category_gives_one_token_per_level_with_the_callers_prefix(void **state)
{
	struct kbuf b = KBUF_INIT, n = KBUF_INIT;
	searchtext_category_norm("Furniture >  Table Legs", &n);
	assert_string_equal(n.data, "furniture/table legs");
	searchtext_category_tokens(&b, "cat_", "Furniture > Table Legs");
	int tokens = 0;
	for (const char *p = b.data; (p = strstr(p, " cat_")); p++)
		tokens++;
	assert_int_equal(tokens, 2);
	struct kbuf parent = KBUF_INIT;
	searchtext_category_tokens(&parent, "cat_", "furniture");
	assert_non_null(strstr(b.data, parent.data + 1)); /* the child carries its parent */
	kbuf_free(&b);
	kbuf_free(&n);
	kbuf_free(&parent);
}

static void test_value_buckets_keep_order(void **state)
{
	int last = -1;
	for (int64_t v = 0; v < 100000000; v = v * 3 / 2 + 1) {
		int bkt = searchtext_value_bucket(v);
		assert_true(bkt >= last);
		assert_true(bkt < SEARCHTEXT_BUCKET_MAX);
		last = bkt;
	}
	assert_true(searchtext_value_bucket(INT64_MAX) < SEARCHTEXT_BUCKET_MAX);
}

static void test_fts_phrase_doubles_quotes_so_input_is_never_syntax(void **state)
{
	struct kbuf b = KBUF_INIT;
	searchtext_fts_phrase(&b, "a\" OR *", 0);
	assert_string_equal(b.data, "\"a\"\" OR *\"");
	kbuf_reset(&b);
	searchtext_fts_phrase(&b, "tabl", 1);
	assert_string_equal(b.data, "\"tabl\"*");
	kbuf_free(&b);
}

static void test_currency_rank_sorts_like_the_code(void **state)
{
	assert_int_equal(searchtext_currency_rank("AAA"), 0);
	assert_true(searchtext_currency_rank("EUR") < searchtext_currency_rank("JPY"));
	assert_true(searchtext_currency_rank("JPY") < searchtext_currency_rank("USD"));
	assert_int_equal(searchtext_currency_rank("ZZZ"), 26 * 26 * 26 - 1);
	assert_int_equal(searchtext_currency_rank(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prep_splits_chinese_runs_into_overlapping_bigrams),
	    cmocka_unit_test(test_prep_gives_a_two_char_query_the_same_bigram_as_the_title),
	    cmocka_unit_test(test_prep_reports_a_trailing_one_character_run_for_prefix_matching),
	    cmocka_unit_test(test_prep_drops_combining_accents),
	    cmocka_unit_test(test_prep_folds_letters_search_takes_as_one),
	    cmocka_unit_test(test_prep_reads_barred_and_joined_latin_letters_as_typed_in_ascii),
	    cmocka_unit_test(test_prep_keeps_marks_that_are_letters_of_their_script),
	    cmocka_unit_test(test_prep_leaves_bad_utf8_as_a_gap),
	    cmocka_unit_test(test_prep_reads_a_dotted_hs_code_as_its_digits),
	    cmocka_unit_test(test_hs_field_gives_heading_and_subheading_words),
	    cmocka_unit_test(test_prep_field_cuts_on_a_character_boundary),
	    cmocka_unit_test(test_category_gives_one_token_per_level_with_the_callers_prefix),
	    cmocka_unit_test(test_value_buckets_keep_order),
	    cmocka_unit_test(test_fts_phrase_doubles_quotes_so_input_is_never_syntax),
	    cmocka_unit_test(test_currency_rank_sorts_like_the_code),
	};
	return cmocka_run_group_tests_name("searchtext", tests, NULL, NULL);
}
