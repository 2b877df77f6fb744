/* Unit tests for text: display width of CJK and emoji, clipping by columns without
 * splitting characters, and sanitising escape and control sequences, bidi controls and
 * invisible format characters out of remote text (keeping emoji ZWJ sequences and the
 * joiners scripts shape with), the same characters found for validation, and JSON output
 * made safe for a terminal without changing what it means. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
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

/* two sizes of one fan stay apart in a narrow column: the cut falls before the variant */
static void test_clip_tail_keeps_a_variant_in_parentheses(void **state)
{
	(void)state;
	struct kbuf b = KBUF_INIT;
	assert_int_equal(text_clip_tail(&b, "Quạt mây đan tay (Cỡ: Lớn)", 19, 0), 19);
	assert_string_equal(b.data, "Quạt mây… (Cỡ: Lớn)");
	kbuf_reset(&b);
	assert_int_equal(text_clip_tail(&b, "Quạt mây đan tay (Cỡ: Lớn)", 22, 1), 22);
	assert_string_equal(b.data, "Quạt mây đa… (Cỡ: Lớn)");
	kbuf_reset(&b);
	/* a cut at a space leaves none before the mark */
	text_clip_tail(&b, "Giỏ tre đan tay (Nhỏ)", 19, 1);
	assert_string_equal(b.data, "Giỏ tre đan… (Nhỏ) ");
	kbuf_reset(&b);
	/* where the option's name makes it too wide, its value alone */
	text_clip_tail(&b, "Giỏ tre đan tay (Kích thước: Nhỏ, Màu: Nâu)", 19, 0);
	assert_string_equal(b.data, "Giỏ tre… (Nhỏ, Nâu)");
	kbuf_reset(&b);
	/* what fits stays whole, padded */
	text_clip_tail(&b, "Quạt (Cỡ: Lớn)", 16, 1);
	assert_string_equal(b.data, "Quạt (Cỡ: Lớn)  ");
	kbuf_reset(&b);
	/* no part in parentheses, or one too wide to keep with room: a clip marked … */
	text_clip_tail(&b, "Iron table legs, black", 10, 0);
	assert_string_equal(b.data, "Iron tabl…");
	kbuf_reset(&b);
	text_clip_tail(&b, "Fan (a very long variant name)", 12, 0);
	assert_string_equal(b.data, "Fan (a very…");
	kbuf_reset(&b);
	text_clip_tail(&b, "(only a part)", 8, 0);
	assert_string_equal(b.data, "(only a…");
	kbuf_reset(&b);
	/* a wide head is cut whole characters at a time */
	text_clip_tail(&b, "铁艺桌腿 (黑)", 10, 0);
	assert_string_equal(b.data, "铁艺… (黑)");
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

static void test_shown_cuts_and_hides_controls_keeping_every_script(void **state)
{
	(void)state;
	char out[12];
	assert_string_equal(text_shown("ok", out, sizeof out), "ok");
	assert_string_equal(text_shown(NULL, out, sizeof out), "");
	/* the words a person typed stand as typed, in any script */
	assert_string_equal(text_shown("Giỏ tre", out, sizeof out), "Giỏ tre");
	assert_string_equal(text_shown("\xC3\xA9", out, sizeof out), "é");
	assert_string_equal(text_shown("铁艺", out, sizeof out), "铁艺");
	/* what could move a cursor, colour a terminal or turn text around does not */
	assert_string_equal(text_shown("a\x1b[31mb", out, sizeof out), "a?[31mb");
	assert_string_equal(text_shown("a\xC2\x85"
	                               "b",
	                               out, sizeof out),
	                    "a?b"); /* C1 NEL */
	assert_string_equal(text_shown("a\xE2\x80\xAE"
	                               "b",
	                               out, sizeof out),
	                    "a?b"); /* RLO */
	assert_string_equal(text_shown("a\xE2\x80\xA8"
	                               "b",
	                               out, sizeof out),
	                    "a?b"); /* LS */
	assert_string_equal(text_shown("a\x7f\tb", out, sizeof out), "a??b");
	assert_string_equal(text_shown("a\xC3"
	                               "b",
	                               out, sizeof out),
	                    "a?b"); /* not UTF-8 */
	/* cut with "...", never inside a character */
	assert_string_equal(text_shown("0123456789abcdef", out, sizeof out), "01234567...");
	assert_string_equal(text_shown("ééééééé", out, sizeof out), "éééé...");
	assert_string_equal(text_shown("abcdefg铁艺", out, sizeof out), "abcdefg...");
}

/* Sanitises s and returns the result (static buffer, one at a time). */
static const char *clean(const char *s, int keep_newlines)
{
	static char out[512];
	struct kbuf b = KBUF_INIT;
	text_sanitize(&b, s, strlen(s), keep_newlines);
	snprintf(out, sizeof out, "%s", kbuf_str(&b));
	kbuf_free(&b);
	return out;
}

/* The characters issue 16 found passing validation and reaching the terminal. */
static void test_sanitize_removes_the_bidi_controls_of_issue_16(void **state)
{
	assert_string_equal(clean("Oak desk \xE2\x80\xAE"
	                          "gpj.exe",
	                          0),
	                    "Oak desk gpj.exe");
	assert_string_equal(clean("a\xE2\x81\xA6"
	                          "b\xE2\x81\xA7"
	                          "c\xE2\x81\xA8"
	                          "d\xE2\x81\xA9"
	                          "e",
	                          0),
	                    "abcde"); /* U+2066..2069 */
	assert_string_equal(clean("a\xE2\x80\x8F"
	                          "b\xE2\x80\x8E"
	                          "c",
	                          0),
	                    "abc"); /* RLM, LRM */
	assert_string_equal(clean("\xD9\x85\xD8\x9C\xD9\x86", 0), "\xD9\x85\xD9\x86"); /* ALM */
	assert_string_equal(clean("\xEF\xBB\xBFtitle", 0), "title");                   /* BOM */
	assert_string_equal(clean("a\xE2\x80\xAA"
	                          "b\xE2\x80\xAB"
	                          "c\xE2\x80\xAC"
	                          "d\xE2\x80\xAD"
	                          "e",
	                          0),
	                    "abcde"); /* LRE RLE PDF LRO */
	/* Line and paragraph separators break a line, or become a space on one line. */
	assert_string_equal(clean("one\xE2\x80\xA8two\xE2\x80\xA9three", 0), "one two three");
	assert_string_equal(clean("one\xE2\x80\xA8two", 1), "one\ntwo");
}

static void test_sanitize_removes_invisible_format_characters(void **state)
{
	assert_string_equal(clean("pay\xE2\x80\x8Bpal", 0), "paypal"); /* ZWSP */
	assert_string_equal(clean("pay\xE2\x81\xA0pal", 0), "paypal"); /* word joiner */
	assert_string_equal(clean("a\xE2\x81\xA2"
	                          "b\xE2\x81\xA4"
	                          "c",
	                          0),
	                    "abc");                                        /* invisible ops */
	assert_string_equal(clean("soft\xC2\xADhyphen", 0), "softhyphen"); /* U+00AD */
	assert_string_equal(clean("a\xE2\x81\xAA"
	                          "b\xE2\x81\xAF"
	                          "c",
	                          0),
	                    "abc"); /* U+206A, 206F */
	assert_string_equal(clean("a\xEF\xBF\xB9"
	                          "b\xEF\xBF\xBB"
	                          "c",
	                          0),
	                    "abc"); /* annotation */
	assert_string_equal(clean("a\xE1\xA0\x8E"
	                          "b",
	                          0),
	                    "ab"); /* U+180E */
	/* Tag characters spelling hidden ASCII ("hi") outside a flag. */
	assert_string_equal(clean("ok\xF3\xA0\x81\xA8\xF3\xA0\x81\xA9", 0), "ok");
	/* ZWJ and ZWNJ between Latin letters: nothing there needs them. */
	assert_string_equal(clean("pay\xE2\x80\x8Dpal", 0), "paypal");
	assert_string_equal(clean("pay\xE2\x80\x8Cpal", 0), "paypal");
	/* A dangling ZWJ after an emoji, or one before a letter. */
	assert_string_equal(clean("\xF0\x9F\x91\xA9\xE2\x80\x8D", 0), "\xF0\x9F\x91\xA9");
	assert_string_equal(clean("\xF0\x9F\x91\xA9\xE2\x80\x8Dx", 0), "\xF0\x9F\x91\xA9x");
	/* Visible format signs stay: ARABIC NUMBER SIGN before digits. */
	assert_string_equal(clean("\xD8\x80\xD9\xA1", 0), "\xD8\x80\xD9\xA1");
}

static void test_sanitize_keeps_emoji_zwj_sequences(void **state)
{
	/* family (man ZWJ woman ZWJ girl), woman technologist with a skin tone, rainbow flag
	 * (VS16 before the ZWJ), heart on fire, woman running, polar bear, England's flag (black
	 * flag, tags g b e n g, cancel tag). */
	static const char *const keep[] = {
	    "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7",
	    "\xF0\x9F\x91\xA9\xF0\x9F\x8F\xBD\xE2\x80\x8D\xF0\x9F\x92\xBB",
	    "\xF0\x9F\x8F\xB3\xEF\xB8\x8F\xE2\x80\x8D\xF0\x9F\x8C\x88",
	    "\xE2\x9D\xA4\xEF\xB8\x8F\xE2\x80\x8D\xF0\x9F\x94\xA5",
	    "\xF0\x9F\x8F\x83\xE2\x80\x8D\xE2\x99\x80\xEF\xB8\x8F",
	    "\xF0\x9F\x90\xBB\xE2\x80\x8D\xE2\x9D\x84\xEF\xB8\x8F",
	    "\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xA5\xF3\xA0\x81\xAE"
	    "\xF3\xA0\x81\xA7\xF3\xA0\x81\xBF",
	};
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
		char with[128];
		snprintf(with, sizeof with, "mugs %s x", keep[i]);
		assert_string_equal(clean(with, 0), with);
		assert_int_equal(text_hidden_find(with, strlen(with), NULL, NULL, NULL), 0);
	}
	/* A bidi override inside a sequence goes; the joiners around it follow their rules. */
	assert_string_equal(clean("\xF0\x9F\x91\xA9\xE2\x80\xAE\xE2\x80\x8D\xF0\x9F\x92\xBB", 0),
	                    "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB");
	/* Tags after a black flag that do not end in the cancel tag are not a flag. */
	assert_string_equal(clean("\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2x", 0),
	                    "\xF0\x9F\x8F\xB4x");
}

/* ZWNJ and ZWJ where a script shapes with them: Persian, Sinhala, Devanagari, Malayalam. */
static void test_sanitize_keeps_joiners_scripts_need(void **state)
{
	/* Persian "mi-khaham" (ZWNJ), Sinhala "shri" (ZWJ), Devanagari ka-virama ZWNJ ssa, and a
	 * Malayalam virama with a ZWJ at the very end. */
	static const char *const keep[] = {
	    "\xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xAE\xD9\x88\xD8\xA7\xD9\x87\xD9\x85",
	    "\xE0\xB7\x81\xE0\xB7\x8A\xE2\x80\x8D\xE0\xB6\xBB\xE0\xB7\x93",
	    "\xE0\xA4\x95\xE0\xA5\x8D\xE2\x80\x8C\xE0\xA4\xB7",
	    "\xE0\xB4\xA8\xE0\xB5\x8D\xE2\x80\x8D",
	};
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(clean(keep[i], 0), keep[i]);
	/* A joiner at the end of Malayalam text has nothing to join to. */
	assert_string_equal(clean(keep[3], 0), "\xE0\xB4\xA8\xE0\xB5\x8D");
}

static void test_sanitize_is_idempotent(void **state)
{
	static const char *const in[] = {
	    "a\x1b[31mb\xE2\x80\xAE\xE2\x80\x8D\xF0\x9F\x92\xBB\t\xE2\x80\xA8x",
	    "\xF0\x9F\x91\xA9\xE2\x80\x8B\xE2\x80\x8D\xF0\x9F\x92\xBB\xFF",
	    "\xD9\x85\xE2\x80\xAE\xE2\x80\x8C\xD8\xAE",
	};
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		struct kbuf once = KBUF_INIT, twice = KBUF_INIT;
		text_sanitize(&once, in[i], strlen(in[i]), 1);
		text_sanitize(&twice, kbuf_str(&once), once.len, 1);
		assert_string_equal(kbuf_str(&once), kbuf_str(&twice));
		kbuf_free(&once);
		kbuf_free(&twice);
	}
}

static void test_hidden_find_names_offset_code_point_and_kind(void **state)
{
	size_t at = 0;
	long cp = 0;
	const char *kind = NULL;
	const char *s = "Oak \xE2\x80\xAE"
	                "desk";
	assert_int_equal(text_hidden_find(s, strlen(s), &at, &cp, &kind), 1);
	assert_int_equal(at, 4);
	assert_int_equal(cp, 0x202E);
	assert_string_equal(kind, "a bidi control");
	s = "\xEF\xBB\xBF";
	assert_int_equal(text_hidden_find(s, strlen(s), &at, &cp, &kind), 1);
	assert_int_equal(cp, 0xFEFF);
	assert_string_equal(kind, "an invisible format character");
	s = "a\xE2\x80\xA8";
	assert_int_equal(text_hidden_find(s, strlen(s), &at, &cp, &kind), 1);
	assert_int_equal(at, 1);
	assert_string_equal(kind, "a line or paragraph separator");
	s = "plain \xE9\x93\x81\xE8\x89\xBA \xF0\x9F\x93\xA6"; /* CJK and an emoji */
	assert_int_equal(text_hidden_find(s, strlen(s), NULL, NULL, NULL), 0);
}

/* JSON keeps its meaning: the hidden characters become \u escapes, the rest is untouched. */
static void test_json_guard_escapes_hidden_characters_losslessly(void **state)
{
	struct kbuf b = KBUF_INIT;
	const char *j =
	    "{\"title\":\"Oak \xE2\x80\xAE"
	    "desk\",\"c1\":\"\xC2\x9B"
	    "2J\","
	    "\"tag\":\"\xF3\xA0\x81\xA8\",\"ok\":\"\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB\"}";
	text_json_guard(&b, j, strlen(j));
	assert_string_equal(
	    kbuf_str(&b),
	    "{\"title\":\"Oak \\u202edesk\",\"c1\":\"\\u009b2J\","
	    "\"tag\":\"\\udb40\\udc68\",\"ok\":\"\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB\"}");
	kbuf_free(&b);
}

static void test_fprintf_sanitises_the_whole_line(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	text_fprintf(f, "error: %s\n%s\n", "\x1b]0;pwned\x07gone\xE2\x80\xAE", "line two");
	fclose(f);
	assert_string_equal(buf, "error: gone\nline two\n");
	free(buf);
}

static void test_list_next_trims_items_and_keeps_empty_ones_empty(void **state)
{
	const char *s = " 12 Harbour Rd ;;Unit 4;  ", *it;
	char got[4][32];
	size_t n = 0, len;
	while (*s) {
		assert_true(n < 4);
		len = text_list_next(&s, ';', &it);
		snprintf(got[n++], sizeof got[0], "%.*s", (int)len, it);
	}
	assert_int_equal(n, 4);
	assert_string_equal(got[0], "12 Harbour Rd");
	assert_string_equal(got[1], "");
	assert_string_equal(got[2], "Unit 4");
	assert_string_equal(got[3], "");
	s = "a,b";
	assert_int_equal(text_list_next(&s, ',', &it), 1);
	assert_int_equal(*it, 'a');
	assert_string_equal(s, "b");
	assert_int_equal(text_list_next(&s, ',', &it), 1);
	assert_int_equal(*s, '\0');
}

/* text_wrap: lines of at most cols columns, broken at spaces; a word wider than a line
 * (a link of 600 bytes) is cut where the line ends and goes on whole, nothing of it lost;
 * wide characters count two and are never split. */
static void test_wrap_keeps_every_byte_of_a_word_longer_than_a_line(void **state)
{
	struct kbuf lines[16];
	size_t n = text_wrap("ship by sea to Hamburg", 10, lines, 16);
	assert_int_equal(n, 3);
	assert_string_equal(kbuf_str(&lines[0]), "ship by");
	assert_string_equal(kbuf_str(&lines[1]), "sea to");
	assert_string_equal(kbuf_str(&lines[2]), "Hamburg");
	for (size_t i = 0; i < n; i++)
		kbuf_free(&lines[i]);

	char link[700];
	memcpy(link, "https://", 8);
	for (int i = 8; i < 600; i++)
		link[i] = (char)('a' + i % 26);
	link[600] = '\0';
	char text[720];
	snprintf(text, sizeof text, "see %s ok", link);
	n = text_wrap(text, 70, lines, 16);
	struct kbuf joined = KBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		assert_true(text_width(kbuf_str(&lines[i])) <= 70);
		for (const char *q = kbuf_str(&lines[i]); *q; q++)
			if (*q != ' ')
				kbuf_putc(&joined, *q);
		kbuf_free(&lines[i]);
	}
	char want[720];
	snprintf(want, sizeof want, "see%sok", link); /* every byte, spaces aside */
	assert_string_equal(kbuf_str(&joined), want);
	kbuf_free(&joined);

	n = text_wrap("铁艺桌腿铁艺桌腿", 5, lines, 16); /* 16 columns: 2 a line */
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(kbuf_str(&lines[i]), i % 2 ? "桌腿" : "铁艺");
		kbuf_free(&lines[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_width_counts_cjk_as_two_columns),
	    cmocka_unit_test(test_clip_never_splits_a_wide_character),
	    cmocka_unit_test(test_clip_tail_keeps_a_variant_in_parentheses),
	    cmocka_unit_test(test_sanitize_removes_csi_osc_and_controls),
	    cmocka_unit_test(test_sanitize_keeps_newlines_only_when_asked),
	    cmocka_unit_test(test_sanitize_replaces_invalid_utf8),
	    cmocka_unit_test(test_shown_cuts_and_hides_controls_keeping_every_script),
	    cmocka_unit_test(test_sanitize_removes_the_bidi_controls_of_issue_16),
	    cmocka_unit_test(test_sanitize_removes_invisible_format_characters),
	    cmocka_unit_test(test_sanitize_keeps_emoji_zwj_sequences),
	    cmocka_unit_test(test_sanitize_keeps_joiners_scripts_need),
	    cmocka_unit_test(test_sanitize_is_idempotent),
	    cmocka_unit_test(test_hidden_find_names_offset_code_point_and_kind),
	    cmocka_unit_test(test_json_guard_escapes_hidden_characters_losslessly),
	    cmocka_unit_test(test_fprintf_sanitises_the_whole_line),
	    cmocka_unit_test(test_list_next_trims_items_and_keeps_empty_ones_empty),
	    cmocka_unit_test(test_wrap_keeps_every_byte_of_a_word_longer_than_a_line),
	};
	return cmocka_run_group_tests_name("text", tests, setup, NULL);
}
