/* test_imgcache — the home's image cache (src/client/imgcache.c): what is put comes back, a
 * hit counts as a use, the least recently used files go first to make room, the directory
 * never holds more than the limit, an image bigger than the whole cache is refused without
 * touching what is there, and keys that are not blob ids are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../src/client/imgcache.h"

struct fx {
	char home[64];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->home, sizeof f->home, "/tmp/kontor-imgcache-XXXXXX");
	if (!mkdtemp(f->home))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->home);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

#define BLOB(c) c "bcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" /* 43 characters */

static void put(struct fx *f, const char *key, size_t len, uint64_t limit, int want)
{
	char *d = malloc(len);
	memset(d, 'x', len);
	struct kerr e = {0};
	assert_int_equal(imgcache_put(f->home, key, d, len, limit, &e), want);
	free(d);
}

static int has(struct fx *f, const char *key)
{
	struct kbuf b = KBUF_INIT;
	struct kerr e = {0};
	int rc = imgcache_get(f->home, key, 1u << 20, &b, &e);
	kbuf_free(&b);
	return rc == K_OK;
}

/* File times move in whole steps on some file systems: each use a little later. */
static void tick(void)
{
	struct timespec ts = {0, 20 * 1000 * 1000};
	nanosleep(&ts, NULL);
}

static void test_put_get_roundtrip(void **state)
{
	struct fx *f = *state;
	char key[IMGCACHE_KEY_MAX + 1];
	imgcache_key(BLOB("a"), 480, key);
	assert_string_equal(key, BLOB("a") "-w480");
	struct kerr e = {0};
	assert_int_equal(imgcache_put(f->home, key, "jpeg bytes", 10, 1000, &e), K_OK);
	struct kbuf b = KBUF_INIT;
	assert_int_equal(imgcache_get(f->home, key, 100, &b, &e), K_OK);
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.data, "jpeg bytes", 10);
	kbuf_free(&b);
	imgcache_key(BLOB("b"), 0, key);
	assert_int_equal(imgcache_get(f->home, key, 100, &b, &e), K_ENOTFOUND);
	char path[128];
	snprintf(path, sizeof path, "%s/images/%s-w480", f->home, BLOB("a"));
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
}

static void test_lru_makes_room_within_the_limit(void **state)
{
	struct fx *f = *state;
	const uint64_t limit = 3000;
	put(f, BLOB("a"), 1000, limit, K_OK);
	tick();
	put(f, BLOB("b"), 1000, limit, K_OK);
	tick();
	put(f, BLOB("c"), 1000, limit, K_OK);
	tick();
	assert_true(has(f, BLOB("a"))); /* a used again: b is now the least recently used */
	tick();
	put(f, BLOB("d"), 1000, limit, K_OK);
	assert_true(imgcache_used(f->home) <= limit);
	assert_false(has(f, BLOB("b")));
	assert_true(has(f, BLOB("a")));
	assert_true(has(f, BLOB("c")));
	assert_true(has(f, BLOB("d")));
	/* a big one takes the room of several */
	tick();
	put(f, BLOB("e"), 2500, limit, K_OK);
	assert_true(imgcache_used(f->home) <= limit);
	assert_true(has(f, BLOB("e")));
	assert_int_equal(imgcache_used(f->home), 2500);
}

static void test_bigger_than_the_cache_is_refused_and_nothing_goes(void **state)
{
	struct fx *f = *state;
	put(f, BLOB("a"), 1000, 3000, K_OK);
	put(f, BLOB("h"), 3001, 3000, K_ETOOBIG);
	assert_false(has(f, BLOB("h")));
	assert_true(has(f, BLOB("a")));
	assert_int_equal(imgcache_used(f->home), 1000);
}

static void test_many_puts_never_pass_the_limit(void **state)
{
	struct fx *f = *state;
	const uint64_t limit = 10000;
	for (int i = 0; i < 60; i++) {
		char key[IMGCACHE_KEY_MAX + 1];
		imgcache_key(BLOB("z"), (unsigned)(100 + i), key);
		put(f, key, (size_t)(500 + (i * 397) % 3000), limit, K_OK);
		assert_true(imgcache_used(f->home) <= limit);
	}
}

static void test_keys_must_be_blob_ids(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	assert_int_equal(imgcache_put(f->home, "../escape", "x", 1, 100, &e), K_EINVAL);
	assert_int_equal(imgcache_put(f->home, "a/b", "x", 1, 100, &e), K_EINVAL);
	assert_int_equal(imgcache_put(f->home, "", "x", 1, 100, &e), K_EINVAL);
	struct kbuf b = KBUF_INIT;
	assert_int_equal(imgcache_get(f->home, "../../etc/passwd", 100, &b, &e), K_EINVAL);
	kbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_put_get_roundtrip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lru_makes_room_within_the_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bigger_than_the_cache_is_refused_and_nothing_goes,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_many_puts_never_pass_the_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_keys_must_be_blob_ids, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
