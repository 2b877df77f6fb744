/* test_cmdline — how a batch line or a ':' prompt line becomes words: quoting, escapes,
 * comments, and the refusals that name the column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../src/client/cmd/cmd.h"

static void expect_words(const char *line, int n, ...)
{
	struct cmd_words w;
	struct kerr e = {0, ""};
	int rc = cmd_split_line(line, strlen(line), &w, &e);
	if (rc != K_OK)
		fail_msg("'%s': %s", line, e.msg);
	assert_int_equal(w.argc, n);
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		assert_string_equal(w.argv[i], va_arg(ap, const char *));
	va_end(ap);
	assert_null(w.argv[n]);
	cmd_words_free(&w);
}

static void expect_refused(const char *line, size_t len, int code, const char *msg_part)
{
	struct cmd_words w;
	struct kerr e = {0, ""};
	int rc = cmd_split_line(line, len, &w, &e);
	assert_int_equal(rc, code);
	if (!strstr(e.msg, msg_part))
		fail_msg("message '%s' lacks '%s'", e.msg, msg_part);
	assert_int_equal(w.argc, 0);
	assert_null(w.argv);
}

static void test_words_split_at_spaces_and_tabs(void **state)
{
	(void)state;
	expect_words("listing  add\t--moq 5\r\n", 4, "listing", "add", "--moq", "5");
}

static void test_single_quotes_are_literal(void **state)
{
	(void)state;
	expect_words("listing add --title 'Oak \"desk\" \\n'", 4, "listing", "add", "--title",
	             "Oak \"desk\" \\n");
}

static void test_double_quotes_take_escaped_quote_and_backslash(void **state)
{
	(void)state;
	expect_words("x \"a \\\"b\\\" c\\\\ \\n\"", 2, "x", "a \"b\" c\\ \\n");
}

static void test_quotes_join_with_plain_text_into_one_word(void **state)
{
	(void)state;
	expect_words("--title=\"Oak desk\"s 'x'y", 2, "--title=Oak desks", "xy");
}

static void test_empty_quotes_make_an_empty_word(void **state)
{
	(void)state;
	expect_words("a '' \"\"", 3, "a", "", "");
}

static void test_backslash_escapes_a_space_outside_quotes(void **state)
{
	(void)state;
	expect_words("a b\\ c", 2, "a", "b c");
}

static void test_hash_starts_a_comment_only_at_a_word_start(void **state)
{
	(void)state;
	expect_words("# a whole comment", 0);
	expect_words("listing show L#1 # the desk", 3, "listing", "show", "L#1");
	expect_words("x '#not a comment'", 2, "x", "#not a comment");
}

static void test_blank_line_has_no_words(void **state)
{
	(void)state;
	expect_words("   \t \n", 0);
	expect_words("", 0);
}

static void test_cjk_words_pass_through(void **state)
{
	(void)state;
	expect_words("search 铁艺桌腿 'テーブル 脚'", 3, "search", "铁艺桌腿", "テーブル 脚");
}

static void test_unterminated_quotes_name_their_column(void **state)
{
	(void)state;
	expect_refused("listing add --title 'Oak", 24, K_EINVAL, "column 21: unterminated ' quote");
	expect_refused("a \"b", 4, K_EINVAL, "column 3: unterminated \" quote");
}

static void test_control_characters_are_refused(void **state)
{
	(void)state;
	expect_refused("a \x1b[31mred", 10, K_EINVAL, "control character 0x1b");
	expect_refused("a\0b", 3, K_EINVAL, "control character 0x00");
}

static void test_invalid_utf8_is_refused(void **state)
{
	(void)state;
	expect_refused("a \xff", 3, K_EINVAL, "UTF-8");
}

static void test_too_many_words_are_refused(void **state)
{
	(void)state;
	char line[2 * (CMD_WORDS_MAX + 1) + 1];
	for (int i = 0; i <= CMD_WORDS_MAX; i++) {
		line[2 * i] = 'w';
		line[2 * i + 1] = ' ';
	}
	line[sizeof line - 1] = '\0';
	expect_refused(line, strlen(line), K_ETOOBIG, "more than");
	line[2 * CMD_WORDS_MAX - 1] = '\0'; /* exactly the limit is fine */
	struct cmd_words w;
	struct kerr e = {0, ""};
	assert_int_equal(cmd_split_line(line, strlen(line), &w, &e), K_OK);
	assert_int_equal(w.argc, CMD_WORDS_MAX);
	cmd_words_free(&w);
}

static void test_overlong_line_is_refused_before_reading(void **state)
{
	(void)state;
	expect_refused("x", (size_t)CMD_LINE_MAX + 1, K_ETOOBIG, "bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_words_split_at_spaces_and_tabs),
	    cmocka_unit_test(test_single_quotes_are_literal),
	    cmocka_unit_test(test_double_quotes_take_escaped_quote_and_backslash),
	    cmocka_unit_test(test_quotes_join_with_plain_text_into_one_word),
	    cmocka_unit_test(test_empty_quotes_make_an_empty_word),
	    cmocka_unit_test(test_backslash_escapes_a_space_outside_quotes),
	    cmocka_unit_test(test_hash_starts_a_comment_only_at_a_word_start),
	    cmocka_unit_test(test_blank_line_has_no_words),
	    cmocka_unit_test(test_cjk_words_pass_through),
	    cmocka_unit_test(test_unterminated_quotes_name_their_column),
	    cmocka_unit_test(test_control_characters_are_refused),
	    cmocka_unit_test(test_invalid_utf8_is_refused),
	    cmocka_unit_test(test_too_many_words_are_refused),
	    cmocka_unit_test(test_overlong_line_is_refused_before_reading),
	};
	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
