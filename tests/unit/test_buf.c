/* Unit tests for err and buf: status names, kerr messages, the growable buffer, whole-file
 * reads with a limit, atomic writes with a mode, and the UTF-8 validator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kontor/buf.h"
#include "kontor/err.h"

static void test_kstatus_names_every_code(void **state)
{
	for (int c = 0; c >= K_EPERM; c--)
		assert_string_not_equal(kstatus_str(c), "unknown error");
	assert_string_equal(kstatus_str(K_EVERIFY), "verification failed");
	assert_string_equal(kstatus_str(-999), "unknown error");
}

static void test_kerr_set_returns_code_and_formats(void **state)
{
	struct kerr e;
	assert_int_equal(kerr_set(&e, K_EINVAL, "line %d: %s", 7, "bad"), K_EINVAL);
	assert_int_equal(e.code, K_EINVAL);
	assert_string_equal(e.msg, "line 7: bad");
	kerr_prefix(&e, "file %s", "a.csv");
	assert_string_equal(e.msg, "file a.csv: line 7: bad");
	assert_int_equal(kerr_set(NULL, K_EIO, "ignored"), K_EIO);
}

static void test_kerr_set_truncates_long_messages(void **state)
{
	struct kerr e;
	char big[2000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	kerr_set(&e, K_EFAIL, "%s", big);
	assert_int_equal(strlen(e.msg), KERR_MSG_MAX - 1);
}

static void test_kbuf_grows_and_stays_nul_terminated(void **state)
{
	struct kbuf b = KBUF_INIT;
	assert_string_equal(kbuf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		kbuf_printf(&b, "%d,", i);
	assert_true(b.len > 3000);
	assert_int_equal(b.data[b.len], '\0');
	assert_memory_equal(b.data, "0,1,2,", 6);
	kbuf_reset(&b);
	assert_int_equal(b.len, 0);
	kbuf_putc(&b, 'a');
	kbuf_append(&b, "bc", 2);
	assert_string_equal(b.data, "abc");
	size_t len;
	char *p = kbuf_detach(&b, &len);
	assert_int_equal(len, 3);
	assert_null(b.data);
	free(p);
	p = kbuf_detach(&b, &len);
	assert_string_equal(p, "");
	free(p);
}

static void test_xfree_sets_pointer_to_null(void **state)
{
	char *p = xstrdup("hello");
	xfree(&p);
	assert_null(p);
	char *q = xstrndup("abcdef", 3);
	assert_string_equal(q, "abc");
	free(q);
}

static void test_read_file_refuses_over_limit_and_missing(void **state)
{
	char path[] = "/tmp/kontor-buf-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0123456789", 10), 10);
	close(fd);
	struct kbuf b = KBUF_INIT;
	struct kerr e;
	assert_int_equal(kbuf_read_file(path, 10, &b, &e), K_OK);
	assert_string_equal(b.data, "0123456789");
	kbuf_free(&b);
	assert_int_equal(kbuf_read_file(path, 9, &b, &e), K_ETOOBIG);
	assert_non_null(strstr(e.msg, path));
	kbuf_free(&b);
	unlink(path);
	assert_int_equal(kbuf_read_file(path, 9, &b, &e), K_ENOTFOUND);
	kbuf_free(&b);
}

static void test_write_file_atomic_sets_mode_and_replaces(void **state)
{
	char dir[] = "/tmp/kontor-buf-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/f", dir);
	struct kerr e;
	assert_int_equal(kbuf_write_file_atomic(path, "one", 3, 0600, &e), K_OK);
	assert_int_equal(kbuf_write_file_atomic(path, "two!", 4, 0600, &e), K_OK);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 4);
	unlink(path);
	rmdir(dir);
	assert_int_equal(kbuf_write_file_atomic("/nonexistent-dir/x", "a", 1, 0600, &e), K_EIO);
}

static void test_utf8_valid_refuses_overlongs_surrogates_and_truncation(void **state)
{
	assert_true(utf8_valid("plain", 5));
	assert_true(utf8_valid("\xE9\x93\x81\xE8\x89\xBA", 6)); /* 铁艺 */
	assert_true(utf8_valid("\xF0\x9F\x98\x80", 4));         /* emoji */
	assert_false(utf8_valid("\xC0\xAF", 2));                /* overlong '/' */
	assert_false(utf8_valid("\xED\xA0\x80", 3));            /* surrogate */
	assert_false(utf8_valid("\xF4\x90\x80\x80", 4));        /* > U+10FFFF */
	assert_false(utf8_valid("\xE9\x93", 2));                /* truncated */
	assert_false(utf8_valid("\xFF", 1));
}

static void test_utf8_encode_gives_each_length_and_validates(void **state)
{
	(void)state;
	static const struct {
		uint32_t cp;
		const char *want;
	} cases[] = {{0x41, "A"},
	             {0xE9, "\xC3\xA9"},
	             {0x684C, "\xE6\xA1\x8C"},
	             {0x1F600, "\xF0\x9F\x98\x80"},
	             {0x10FFFF, "\xF4\x8F\xBF\xBF"}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[4];
		size_t n = utf8_encode(cases[i].cp, out);
		assert_int_equal(n, strlen(cases[i].want));
		assert_memory_equal(out, cases[i].want, n);
		assert_true(utf8_valid(out, n));
	}
}

static void test_kdigits_takes_1_to_18_plain_digits_only(void **state)
{
	assert_int_equal(kdigits("0", 1), 0);
	assert_int_equal(kdigits("2026", 4), 2026);
	assert_int_equal(kdigits("20261205", 4), 2026); /* only the n asked for */
	assert_int_equal(kdigits("999999999999999999", 18), 999999999999999999LL);
	assert_int_equal(kdigits("1000000000000000000", 19), -1); /* more than 18 */
	assert_int_equal(kdigits("", 0), -1);
	assert_int_equal(kdigits("-1", 2), -1);
	assert_int_equal(kdigits("+1", 2), -1);
	assert_int_equal(kdigits(" 1", 2), -1);
	assert_int_equal(kdigits("1a", 2), -1);
	assert_int_equal(kdigits("١٢", 2), -1); /* Arabic-Indic digits are not ASCII */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kstatus_names_every_code),
	    cmocka_unit_test(test_kerr_set_returns_code_and_formats),
	    cmocka_unit_test(test_kerr_set_truncates_long_messages),
	    cmocka_unit_test(test_kbuf_grows_and_stays_nul_terminated),
	    cmocka_unit_test(test_xfree_sets_pointer_to_null),
	    cmocka_unit_test(test_read_file_refuses_over_limit_and_missing),
	    cmocka_unit_test(test_write_file_atomic_sets_mode_and_replaces),
	    cmocka_unit_test(test_utf8_valid_refuses_overlongs_surrogates_and_truncation),
	    cmocka_unit_test(test_utf8_encode_gives_each_length_and_validates),
	    cmocka_unit_test(test_kdigits_takes_1_to_18_plain_digits_only),
	};
	return cmocka_run_group_tests_name("err+buf", tests, NULL, NULL);
}
