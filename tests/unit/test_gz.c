/* test_gz — the gzip codec both HTTP sides use: a round trip at each level, a bomb stopped
 * at its limit without growing near its size, damaged, cut and trailing data refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kontor/gz.h"

static void test_round_trip_at_the_client_and_node_levels(void **state)
{
	struct kbuf in = KBUF_INIT;
	for (int i = 0; i < 2000; i++)
		kbuf_printf(&in, "{\"id\":\"L%d\",\"title\":\"iron table legs\"},", i);
	for (int level = 1; level <= 9; level += 2) {
		struct kbuf z = KBUF_INIT, back = KBUF_INIT;
		struct kerr e = {0};
		kgz_deflate(in.data, in.len, level, &z);
		assert_true(z.len < in.len / 4);
		assert_int_equal((unsigned char)z.data[0], 0x1f); /* gzip, not raw zlib */
		assert_int_equal((unsigned char)z.data[1], 0x8b);
		kbuf_puts(&back, "kept:");
		assert_int_equal(kgz_inflate(z.data, z.len, in.len, &back, &e), K_OK);
		assert_int_equal(back.len, 5 + in.len); /* appended */
		assert_memory_equal(back.data + 5, in.data, in.len);
		kbuf_free(&z);
		kbuf_free(&back);
	}
	struct kbuf z = KBUF_INIT, back = KBUF_INIT;
	struct kerr e = {0};
	kgz_deflate("", 0, 6, &z);
	assert_int_equal(kgz_inflate(z.data, z.len, 10, &back, &e), K_OK);
	assert_int_equal(back.len, 0);
	kbuf_free(&z);
	kbuf_free(&back);
	kbuf_free(&in);
}

static void test_a_bomb_stops_at_its_limit(void **state)
{
	size_t big = 32u << 20;
	char *zeros = calloc(1, big);
	struct kbuf z = KBUF_INIT, out = KBUF_INIT;
	struct kerr e = {0};
	kgz_deflate(zeros, big, 9, &z);
	free(zeros);
	assert_true(z.len < 100000);
	assert_int_equal(kgz_inflate(z.data, z.len, 1u << 20, &out, &e), K_ETOOBIG);
	assert_non_null(strstr(e.msg, "over 1048576 bytes"));
	assert_int_equal(out.len, 0);
	assert_true(out.cap <= (2u << 20) + 64);
	kbuf_free(&z);
	kbuf_free(&out);
	char body[1000];
	memset(body, 'x', sizeof body);
	kgz_deflate(body, sizeof body, 3, &z);
	assert_int_equal(kgz_inflate(z.data, z.len, sizeof body, &out, &e), K_OK);
	kbuf_reset(&out);
	assert_int_equal(kgz_inflate(z.data, z.len, sizeof body - 1, &out, &e), K_ETOOBIG);
	kbuf_free(&z);
	kbuf_free(&out);
}

static void test_damaged_cut_and_trailing_data_are_refused(void **state)
{
	const char *json = "{\"methodCalls\":[]}";
	struct kbuf z = KBUF_INIT, out = KBUF_INIT;
	struct kerr e = {0};
	kgz_deflate(json, strlen(json), 6, &z);
	assert_int_equal(kgz_inflate(z.data, z.len - 3, 1000, &out, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "cut short"));
	assert_int_equal(out.len, 0);
	kbuf_putc(&z, 'x');
	assert_int_equal(kgz_inflate(z.data, z.len, 1000, &out, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "after its end"));
	z.data[12] ^= 0x55;
	assert_int_equal(kgz_inflate(z.data, z.len - 1, 1000, &out, &e), K_EINVAL);
	assert_int_equal(kgz_inflate(json, strlen(json), 1000, &out, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "damaged"));
	assert_int_equal(out.len, 0);
	kbuf_free(&z);
	kbuf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip_at_the_client_and_node_levels),
	    cmocka_unit_test(test_a_bomb_stops_at_its_limit),
	    cmocka_unit_test(test_damaged_cut_and_trailing_data_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
