/* test_kdb — the SQLite and search kernel both stores stand on: files made private whatever
 * the umask, migrations and a newer schema refused, write brackets (a failure inside a
 * transaction dooms it, or only its savepoint), meta, the one-row reads and counts, the
 * result cache (plain and anchored), a listing's index document (the price at the MOQ) and
 * the ranking of photo hits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/kdb.h"
#include "db/ksearch.h"
#include "kontor/searchtext.h"

enum { ST_PUT, ST_COUNT, ST_FIND, ST_OVERFLOW, ST_LENGTHS, ST_ALL, ST__N };
static const char *const sql[ST__N] = {
    [ST_PUT] = "INSERT INTO t(v) VALUES(?1)",
    [ST_COUNT] = "SELECT count(*) FROM t",
    [ST_FIND] = "SELECT v, length(v) FROM t WHERE v = ?1",
    [ST_OVERFLOW] = "SELECT abs(-9223372036854775807 - 1)", /* fails when stepped */
    [ST_LENGTHS] = "SELECT length(v) FROM t WHERE ?1 IS NULL OR v >= ?1 ORDER BY v",
    [ST_ALL] = "SELECT v, length(v) FROM t ORDER BY v",
};
static const char *const migrations[] = {
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;",
    "CREATE TABLE t(v TEXT NOT NULL UNIQUE);",
};

struct fx {
	char dir[64], path[96];
	struct kdb k;
};

static int setup_opts(void **state, int dooms)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct kerr e = {0};
	snprintf(f->dir, sizeof f->dir, "/tmp/kontor-kdb-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/k.db", f->dir);
	const struct kdb_opts o = {sql, ST__N, "PRAGMA journal_mode=WAL", 1, 0, dooms};
	if (kdb_open(&f->k, f->path, &o, &e) || kdb_migrate(&f->k, migrations, 2, "kontor", &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_opts(state, 1);
}

static int setup_savepoints(void **state)
{
	return setup_opts(state, 0);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	kdb_close(&f->k);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* One bracket putting v; its status (a UNIQUE clash fails). */
static int put(struct kdb *k, const char *v)
{
	struct kerr e = {0};
	int rc = kdb_wbegin(k, &e);
	if (rc)
		return rc;
	sqlite3_stmt *st = kdb_stmt(k, ST_PUT, &e);
	kdb_bind_text(st, 1, v);
	return kdb_wend(k, kdb_step_done(k, st, "putting", &e), &e);
}

static int64_t rows(struct kdb *k)
{
	sqlite3_stmt *st = kdb_stmt(k, ST_COUNT, NULL);
	int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_reset(st);
	return n;
}

static void test_files_are_private_whatever_the_umask(void **state)
{
	struct fx *f = *state;
	assert_int_equal(put(&f->k, "a"), K_OK);
	const char *sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		char p[128];
		struct stat sb;
		snprintf(p, sizeof p, "%s%s", f->path, sfx[i]);
		assert_int_equal(stat(p, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
	}
	/* A file an older program left readable by others is narrowed when opened. */
	char other[128];
	struct kdb k;
	struct kerr e = {0};
	snprintf(other, sizeof other, "%s/old.db", f->dir);
	mode_t old = umask(0);
	int fd = open(other, O_CREAT | O_WRONLY, 0644);
	umask(old);
	assert_true(fd >= 0);
	close(fd);
	const struct kdb_opts o = {sql, ST__N, NULL, 0, 0, 1};
	assert_int_equal(kdb_open(&k, other, &o, &e), K_OK);
	kdb_close(&k);
	struct stat sb;
	assert_int_equal(stat(other, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* Not created unless asked. */
	snprintf(other, sizeof other, "%s/absent.db", f->dir);
	assert_int_equal(kdb_open(&k, other, &o, &e), K_ENOTFOUND);
	kdb_close(&k);
}

static void test_migrate_runs_once_and_refuses_a_newer_file(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	assert_int_equal(kdb_migrate(&f->k, migrations, 2, "kontor", &e), K_OK); /* again: none */
	assert_int_equal(kdb_migrate(&f->k, migrations, 1, "kontor", &e), K_ENEWER);
	assert_non_null(strstr(e.msg, "newer kontor (schema 2, this one knows 1)"));
}

static void test_meta_get_set_and_missing(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	char *v = NULL;
	assert_int_equal(kdb_meta_get(&f->k, "x", &v, &e), K_ENOTFOUND);
	assert_non_null(strstr(e.msg, "'x'"));
	assert_int_equal(kdb_meta_set(&f->k, "x", "1", &e), K_OK);
	assert_int_equal(kdb_meta_set(&f->k, "x", "2", &e), K_OK);
	assert_int_equal(kdb_meta_get(&f->k, "x", &v, &e), K_OK);
	assert_string_equal(v, "2");
	free(v);
}

static void test_failed_bracket_dooms_the_transaction(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	assert_int_equal(put(&f->k, "a"), K_OK);
	assert_int_equal(kdb_begin(&f->k, &e), K_OK);
	assert_int_equal(kdb_begin(&f->k, &e), K_EINVAL);
	assert_int_equal(put(&f->k, "b"), K_OK);
	assert_int_not_equal(put(&f->k, "a"), K_OK); /* UNIQUE */
	assert_int_equal(kdb_commit(&f->k, &e), K_EDB);
	assert_non_null(strstr(e.msg, "rolled back"));
	assert_int_equal(rows(&f->k), 1); /* "b" went too */
	/* On its own, a failed bracket rolls back only itself. */
	assert_int_not_equal(put(&f->k, "a"), K_OK);
	assert_int_equal(put(&f->k, "c"), K_OK);
	assert_int_equal(rows(&f->k), 2);
}

static void test_savepoint_undoes_a_failure_and_the_rest_commits(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	assert_int_equal(kdb_begin(&f->k, &e), K_OK);
	assert_int_equal(kdb_savepoint(&f->k, &e), K_OK);
	assert_int_equal(put(&f->k, "x"), K_OK);
	assert_int_equal(kdb_release(&f->k, &e), K_OK);
	assert_int_equal(kdb_savepoint(&f->k, &e), K_OK);
	assert_int_equal(put(&f->k, "y"), K_OK);
	assert_int_not_equal(put(&f->k, "x"), K_OK);
	kdb_rollback_to(&f->k);
	assert_int_equal(kdb_commit(&f->k, &e), K_OK);
	assert_int_equal(rows(&f->k), 1); /* x kept, y undone with its savepoint */
}

static void test_one_row_reads_copy_count_and_say_not_found(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	assert_int_equal(put(&f->k, "abcdef"), K_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(kdb_one_key(&f->k, ST_FIND, "abcdef", "finding", &st, &e), K_OK);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "abcdef");
	assert_int_equal(sqlite3_column_int(st, 1), 6);
	sqlite3_reset(st);
	assert_int_equal(kdb_one_key(&f->k, ST_FIND, "zz", "finding", &st, &e), K_ENOTFOUND);
	assert_int_equal(kdb_one_key(&f->k, ST__N, "zz", "finding", &st, &e), K_EDB);
	assert_non_null(strstr(e.msg, "no statement"));

	/* The copy is cut to its buffer and always terminated; the statement is reset. */
	char out[4] = "xyz";
	st = kdb_stmt(&f->k, ST_FIND, &e);
	kdb_bind_text(st, 1, "abcdef");
	assert_int_equal(kdb_one_copy(&f->k, st, "copying", out, sizeof out, &e), K_OK);
	assert_string_equal(out, "abc");
	assert_int_equal(sqlite3_stmt_busy(st), 0);
	kdb_bind_text(st, 1, "nothing");
	assert_int_equal(kdb_one_copy(&f->k, st, "copying", out, sizeof out, &e), K_ENOTFOUND);
	assert_string_equal(out, "abc"); /* untouched */

	int64_t n = -1;
	assert_int_equal(kdb_int64(&f->k, kdb_stmt(&f->k, ST_COUNT, &e), "counting", &n, &e), K_OK);
	assert_int_equal(n, 1);
	st = kdb_stmt(&f->k, ST_OVERFLOW, &e);
	assert_int_equal(kdb_int64(&f->k, st, "counting the impossible", &n, &e), K_EDB);
	assert_int_equal(n, 0);
	assert_non_null(strstr(e.msg, "counting the impossible: integer overflow"));
	assert_int_equal(sqlite3_stmt_busy(st), 0);
}

struct item {
	char v[3];
	int len;
};

static void item_row(sqlite3_stmt *st, void *p)
{
	struct item *it = p;
	kdb_col_copy(st, 0, it->v, sizeof it->v);
	it->len = sqlite3_column_int(st, 1);
}

static void test_ints_and_rows_collect_every_row_and_free_what_they_read_on_failure(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	assert_int_equal(put(&f->k, "a"), K_OK);
	assert_int_equal(put(&f->k, "bb"), K_OK);
	assert_int_equal(put(&f->k, "cccc"), K_OK);
	int64_t *v = NULL;
	size_t n = 9;
	assert_int_equal(kdb_ints(&f->k, ST_LENGTHS, NULL, "lengths", &v, &n, &e), K_OK);
	assert_int_equal(n, 3);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[2], 4);
	free(v);
	assert_int_equal(kdb_ints(&f->k, ST_LENGTHS, "b", "lengths", &v, &n, &e), K_OK);
	assert_int_equal(n, 2); /* the key is bound to ?1 */
	free(v);
	assert_int_equal(kdb_ints(&f->k, ST_LENGTHS, "z", "lengths", &v, &n, &e), K_OK);
	assert_int_equal(n, 0);
	assert_null(v);
	assert_int_equal(kdb_ints(&f->k, ST_OVERFLOW, NULL, "reading ints", &v, &n, &e), K_EDB);
	assert_null(v);
	assert_int_equal(n, 0);
	assert_non_null(strstr(e.msg, "reading ints: integer overflow"));

	/* Rows are added to what the array held, each zeroed and filled. */
	struct item *items = xcalloc(1, sizeof *items);
	items[0].len = 42;
	n = 1;
	int rc = -1;
	items = kdb_rows(&f->k, kdb_stmt(&f->k, ST_ALL, &e), sizeof *items, item_row, items, &n,
	                 &rc, "reading rows", &e);
	assert_int_equal(rc, K_OK);
	assert_int_equal(n, 4);
	assert_int_equal(items[0].len, 42);
	assert_string_equal(items[1].v, "a");
	assert_string_equal(items[3].v, "cc"); /* cut to its buffer */
	assert_int_equal(items[3].len, 4);
	sqlite3_stmt *st = kdb_stmt(&f->k, ST_OVERFLOW, &e);
	items = kdb_rows(&f->k, st, sizeof *items, item_row, items, &n, &rc, "reading rows", &e);
	assert_null(items); /* freed: LeakSanitizer would say otherwise */
	assert_int_equal(n, 0);
	assert_int_equal(rc, K_EDB);
	assert_non_null(strstr(e.msg, "reading rows: integer overflow"));
	assert_int_equal(sqlite3_stmt_busy(st), 0);
}

static void
test_photo_rank_keeps_each_listings_nearest_then_orders_by_distance_and_newness(void **state)
{
	struct ksearch_photo_hit h[] = {{5, 10}, {3, 4}, {5, 2}, {7, 4}, {3, 9}, {9, 12}};
	size_t n = ksearch_photo_rank(h, sizeof h / sizeof h[0]);
	assert_int_equal(n, 4);
	const int64_t rid[] = {5, 7, 3, 9}; /* 2; 4 and 4, the newer (larger rid) first; 12 */
	const int dist[] = {2, 4, 4, 12};
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(h[i].rid, rid[i]);
		assert_int_equal(h[i].dist, dist[i]);
	}
	assert_int_equal(ksearch_photo_rank(h, 0), 0);
	struct ksearch_photo_hit one = {1, 0};
	assert_int_equal(ksearch_photo_rank(&one, 1), 1);
}

static void test_plain_cache_answers_only_at_its_version(void **state)
{
	struct kqcache *q = kqcache_new(4, 2, 0);
	int64_t ids[2] = {7, 9};
	struct kqresult r = {ids, sizeof ids, 2, 2, 0, 1}, out;
	kqcache_put(q, "k", 5, NULL, 0, &r);
	assert_int_equal(kqcache_get(q, "k", 5, &out), 1);
	assert_int_equal(out.n, 2);
	assert_int_equal(((int64_t *)out.data)[1], 9);
	assert_int_equal(out.kind, 1);
	free(out.data);
	assert_int_equal(kqcache_get(q, "k", 6, &out), 0);
	assert_int_equal(kqcache_get(q, "other", 5, &out), 0);
	uint64_t h, m;
	kqcache_stats(q, &h, &m);
	assert_int_equal(h, 1);
	assert_int_equal(m, 2);
	kqcache_free(&q);
	assert_null(q);
}

static uint64_t hash(const char *t)
{
	return searchtext_hash(t, strlen(t));
}

static void test_anchored_cache_answers_until_every_anchor_is_touched(void **state)
{
	struct kqcache *q = kqcache_new(4, 2, 1);
	uint64_t anchors[2] = {hash("oak"), hash("_c_de")};
	char ids[4] = "abc";
	struct kqresult r = {ids, sizeof ids, 1, 1, 0, 0}, out;
	kqcache_put(q, "oak de", 10, anchors, 2, &r);
	uint64_t other = hash("steel");
	kqcache_touch(q, &other, 1, 0, 11); /* a write without oak nor DE */
	assert_int_equal(kqcache_get(q, "oak de", 11, &out), 1);
	free(out.data);
	kqcache_touch(q, &anchors[1], 1, 0, 12); /* a German listing, not of oak */
	assert_int_equal(kqcache_get(q, "oak de", 12, &out), 1);
	free(out.data);
	kqcache_touch(q, &anchors[0], 1, 0, 13); /* now one with both: the answer may change */
	assert_int_equal(kqcache_get(q, "oak de", 13, &out), 0);
	/* An answer is never served to an older snapshot than it was made at. */
	kqcache_put(q, "oak de", 13, anchors, 2, &r);
	assert_int_equal(kqcache_get(q, "oak de", 12, &out), 0);
	/* A write of unknown rows makes everything older stale. */
	kqcache_touch(q, NULL, 0, 1, 14);
	assert_int_equal(kqcache_get(q, "oak de", 14, &out), 0);
	kqcache_free(&q);
}

static void test_doc_price_is_the_tier_the_moq_falls_in(void **state)
{
	cJSON *j = cJSON_Parse("{\"title\":\"Oak board\",\"currency\":\"EUR\",\"moq\":50,"
	                       "\"priceTiers\":[{\"minQty\":10,\"unitPrice\":900},"
	                       "{\"minQty\":50,\"unitPrice\":700},{\"minQty\":500,\"unitPrice\":"
	                       "500}],\"shipsFrom\":\"DE\",\"incoterms\":[\"FOB\"]}");
	struct ksearch_doc d = {0};
	ksearch_doc_build(&d, j, "S", 1, KS_DOC_STEPS);
	assert_int_equal(d.price, 700);
	assert_int_equal(d.best, 500);
	assert_int_equal(d.moq, 50);
	assert_string_equal(d.country, "DE");
	assert_non_null(strstr(kbuf_str(&d.facets), "_c_de"));
	assert_non_null(strstr(kbuf_str(&d.facets), "_v_1"));
	assert_non_null(strstr(kbuf_str(&d.facets), "_mgt_20"));
	assert_null(strstr(kbuf_str(&d.facets), "_mgt_50"));
	assert_null(strstr(kbuf_str(&d.facets), "_s_")); /* no seller token asked for */
	/* A MOQ below the first tier pays the first tier. */
	cJSON_SetNumberValue(cJSON_GetObjectItem(j, "moq"), 1);
	ksearch_doc_build(&d, j, "S", 0, KS_DOC_SELLER | KS_DOC_RANGES);
	assert_int_equal(d.price, 900);
	assert_non_null(strstr(kbuf_str(&d.facets), "_s_"));
	assert_non_null(strstr(kbuf_str(&d.facets), "_peur_"));
	assert_int_equal(d.bits, 0);
	ksearch_doc_free(&d);
	cJSON_Delete(j);
}

/* A store sorted by price says so (KS_PLAN_PRICE_ORDER): with KS_PLAN_KEYS its currency's
 * whole key range is the walk, price filter or not; otherwise the currency stays a term. */
static void test_plan_price_order_makes_the_currency_a_key_range(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	struct ksearch_tok t = {0};
	assert_int_equal(ksearch_attach(&f->k, &t, &e), 0);
	static const struct ksearch_names n = {"text",     "country", "currency",
	                                       "incoterm", "min",     "max"};
	const struct ksearch_query q = {
	    .currency = "usd", .min_price = -1, .max_price = -1, .max_moq = -1};
	struct ksearch_plan p;
	assert_int_equal(ksearch_plan_build(&p, &t, &q, KS_PLAN_KEYS, &n, &e), 0);
	assert_false(p.price_range);
	ksearch_plan_free(&p);
	assert_int_equal(ksearch_plan_build(&p, &t, &q, KS_PLAN_KEYS | KS_PLAN_PRICE_ORDER, &n, &e),
	                 0);
	assert_true(p.price_range);
	assert_true(p.lo == ksearch_pkey_base("USD", 0));
	assert_true(p.hi == ksearch_pkey_base("USD", KS_PRICE_KEY_MAX) + KS_KEY_SPAN - 1);
	ksearch_plan_free(&p);
	assert_int_equal(ksearch_plan_build(&p, &t, &q, KS_PLAN_PRICE_ORDER, &n, &e), 0);
	assert_false(p.price_range);
	ksearch_plan_free(&p);
	ksearch_detach(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_files_are_private_whatever_the_umask, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_migrate_runs_once_and_refuses_a_newer_file, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_meta_get_set_and_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_bracket_dooms_the_transaction, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_savepoint_undoes_a_failure_and_the_rest_commits,
	                                    setup_savepoints, teardown),
	    cmocka_unit_test_setup_teardown(test_one_row_reads_copy_count_and_say_not_found, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_ints_and_rows_collect_every_row_and_free_what_they_read_on_failure, setup,
	        teardown),
	    cmocka_unit_test(
	        test_photo_rank_keeps_each_listings_nearest_then_orders_by_distance_and_newness),
	    cmocka_unit_test(test_plain_cache_answers_only_at_its_version),
	    cmocka_unit_test(test_anchored_cache_answers_until_every_anchor_is_touched),
	    cmocka_unit_test(test_doc_price_is_the_tier_the_moq_falls_in),
	    cmocka_unit_test_setup_teardown(test_plan_price_order_makes_the_currency_a_key_range,
	                                    setup, teardown),
	};
	umask(022);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
