/* test_photo — the cache's photo search (store/photo.c): image hashes kept beside cached
 * listings and replaced by the next summary, the search nearest first (among equals the
 * newest), combined with words and filters, paused listings left out, and what it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/client/net/sync.h"
#include "../../src/client/store/photo.h"
#include "../../src/client/store/store.h"
#include "kontor/crypto.h"
#include "kontor/imagehash.h"
#include "kontor/model.h"

/* Three hashes: A, B a few bits from A (a recompressed copy), C far from both. */
#define HA 0x946730b2996d2bccull
#define HB (HA ^ 0x0000000000000003ull) /* 2 bits off */
#define HC (HA ^ 0xffffffff00000000ull) /* 32 bits off */
#define HM 0x1234567812345678ull        /* unrelated (the mirror query) */

struct fx {
	char dir[64];
	char path[96];
	struct store *s;
	char seller[KCRYPTO_ID_LEN + 1];
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct kerr e = {0};
	snprintf(f->dir, sizeof f->dir, "/tmp/kontor-photo-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/cache.db", f->dir);
	assert_int_equal(kcrypto_init(&e), 0);
	struct kkeypair kp;
	kcrypto_keypair_new(&kp);
	kcrypto_account_id(kp.pk, f->seller);
	kcrypto_keypair_wipe(&kp);
	int rc = store_open(f->path, &f->s, &e);
	if (rc)
		fprintf(stderr, "store_open: %s\n", e.msg);
	assert_int_equal(rc, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[128];
	store_close(&f->s);
	const char *sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", f->path, sfx[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* A cached listing (a summary, as a pull brings it) with one image hash; id gets its id. */
static void put(struct fx *f, const char *sku, const char *title, const char *country,
                int64_t price, const char *updated, const char *status, uint64_t hash,
                char id[MODEL_LISTING_ID_LEN + 1])
{
	struct listing l;
	struct kerr e = {0};
	listing_init(&l);
	memcpy(l.seller_id, f->seller, sizeof l.seller_id);
	l.sku = xstrdup(sku);
	listing_make_id(l.seller_id, l.sku, l.id);
	l.title = xstrdup(title);
	memcpy(l.currency, "USD", 4);
	l.ntiers = 1;
	l.tiers = xcalloc(1, sizeof *l.tiers);
	l.tiers[0].min_qty = 1;
	l.tiers[0].unit_price = price;
	memcpy(l.ships_from, country, 3);
	snprintf(l.status, sizeof l.status, "%s", status);
	memcpy(l.created, "2025-01-01T00:00:00Z", MODEL_TIME_LEN + 1);
	memcpy(l.updated, updated, MODEL_TIME_LEN + 1);
	int rc = store_listing_put(f->s, &l, "main", &e);
	if (rc)
		fail_msg("put: %s", e.msg);
	rc = store_listing_photos_put(f->s, l.id, &hash, 1, &e);
	if (rc)
		fail_msg("photos: %s", e.msg);
	memcpy(id, l.id, MODEL_LISTING_ID_LEN + 1);
	listing_free(&l);
}

static struct search_query query(void)
{
	struct search_query q = {
	    .filter = KSEARCH_QUERY_ANY,
	    .limit = 20,
	};
	return q;
}

static void test_hashes_kept_and_replaced(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	char a[MODEL_LISTING_ID_LEN + 1];
	put(f, "A", "Bracket", "CN", 100, "2026-01-01T00:00:00Z", "active", HA, a);
	uint64_t h[MODEL_IMAGES_MAX];
	size_t n;
	assert_int_equal(store_listing_photos_get(f->s, a, h, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_true(h[0] == HA);
	const uint64_t two[2] = {HC, HB};
	assert_int_equal(store_listing_photos_put(f->s, a, two, 2, &e), 0);
	assert_int_equal(store_listing_photos_get(f->s, a, h, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_true(h[0] == HC && h[1] == HB);
	assert_int_equal(store_listing_photos_put(f->s, a, NULL, 0, &e), 0);
	assert_int_equal(store_listing_photos_get(f->s, a, h, &n, &e), 0);
	assert_int_equal(n, 0);
}

static void test_nearest_first_and_far_ones_left_out(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	char a[24], b[24], c[24], b2[24];
	put(f, "A", "Bracket", "CN", 100, "2026-01-01T00:00:00Z", "active", HA, a);
	put(f, "B", "Bracket copy", "CN", 100, "2026-01-02T00:00:00Z", "active", HB, b);
	put(f, "C", "Lamp", "CN", 100, "2026-01-03T00:00:00Z", "active", HC, c);
	put(f, "B2", "Bracket copy, newer", "CN", 100, "2026-01-04T00:00:00Z", "active", HB, b2);
	struct search_query q = query();
	const uint64_t hs[2] = {HM, HA}; /* the hit comes from the second hash asked */
	struct photo_result r;
	assert_int_equal(store_photo_search(f->s, &q, hs, 2, KIMG_DIST_SIMILAR, &r, &e), 0);
	assert_int_equal(r.r.n, 3);
	assert_string_equal(r.r.hits[0].id, a);
	assert_int_equal(r.distance[0], 0);
	assert_string_equal(r.r.hits[1].id, b2); /* 2 away, the newer of the two first */
	assert_string_equal(r.r.hits[2].id, b);
	assert_int_equal(r.distance[1], 2);
	assert_int_equal(r.distance[2], 2);
	assert_int_equal(r.r.total, 3);
	photo_result_free(&r);
	/* a tighter radius: the same photo only */
	assert_int_equal(store_photo_search(f->s, &q, hs, 2, 1, &r, &e), 0);
	assert_int_equal(r.r.n, 1);
	assert_string_equal(r.r.hits[0].id, a);
	photo_result_free(&r);
	/* a page: offset counts matches */
	q.offset = 1;
	q.limit = 1;
	assert_int_equal(store_photo_search(f->s, &q, hs, 2, KIMG_DIST_SIMILAR, &r, &e), 0);
	assert_int_equal(r.r.n, 1);
	assert_string_equal(r.r.hits[0].id, b2);
	assert_int_equal(r.r.total, 3);
	photo_result_free(&r);
}

static void test_combined_with_words_and_filters(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	char a[24], b[24], d[24];
	put(f, "A", "Steel bracket", "CN", 100, "2026-01-01T00:00:00Z", "active", HA, a);
	put(f, "B", "Steel bracket deluxe", "DE", 900, "2026-01-02T00:00:00Z", "active", HB, b);
	put(f, "D", "Bracket", "DE", 100, "2026-01-03T00:00:00Z", "paused", HA, d);
	struct search_query q = query();
	struct photo_result r;
	q.filter.country = "DE";
	assert_int_equal(store_photo_search(f->s, &q, (uint64_t[]){HA}, 1, 12, &r, &e), 0);
	assert_int_equal(r.r.n, 1); /* D is paused: not found */
	assert_string_equal(r.r.hits[0].id, b);
	photo_result_free(&r);
	q = query();
	q.filter.text = "deluxe";
	assert_int_equal(store_photo_search(f->s, &q, (uint64_t[]){HA}, 1, 12, &r, &e), 0);
	assert_int_equal(r.r.n, 1);
	assert_string_equal(r.r.hits[0].id, b);
	photo_result_free(&r);
	q = query();
	q.filter.currency = "USD";
	q.filter.max_price = 500;
	assert_int_equal(store_photo_search(f->s, &q, (uint64_t[]){HA}, 1, 12, &r, &e), 0);
	assert_int_equal(r.r.n, 1);
	assert_string_equal(r.r.hits[0].id, a);
	photo_result_free(&r);
}

/* The scan checks matches against a price cap only: a price floor is refused, never passed
 * over (A, at 1.00, would come back under a floor of 5.00). */
static void test_a_price_floor_is_refused_not_ignored(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	char a[24];
	put(f, "A", "Steel bracket", "CN", 100, "2026-01-01T00:00:00Z", "active", HA, a);
	struct search_query q = query();
	struct photo_result r;
	q.filter.currency = "USD";
	q.filter.min_price = 500;
	assert_int_equal(store_photo_search(f->s, &q, (uint64_t[]){HA}, 1, 12, &r, &e), K_EINVAL);
	assert_string_equal(e.msg, "search: the local cache takes no min-price filter");
}

static void test_refusals(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	struct search_query q = query();
	struct photo_result r;
	assert_int_equal(store_photo_search(f->s, &q, (uint64_t[]){HA}, 0, 12, &r, &e), K_EINVAL);
	assert_int_equal(store_photo_search(f->s, &q, (uint64_t[]){HA}, 1, 65, &r, &e), K_EINVAL);
	q.sort = SEARCH_PRICE;
	assert_int_equal(store_photo_search(f->s, &q, (uint64_t[]){HA}, 1, 12, &r, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "distance"));
}

/* A pull's page-packed imageHashes spread onto its listings, and a pack that does not add up
 * (counts against bytes, a count per listing) dropped whole. */
static cJSON *page(const char *counts, const char *hashes)
{
	char buf[1024];
	snprintf(buf, sizeof buf,
	         "{\"methodResponses\":[[\"Listing/get\",{\"list\":[{\"id\":\"a\"},{\"id\":\"b\"},"
	         "{\"id\":\"c\"}],\"imageHashes\":{\"counts\":%s,\"hashes\":\"%s\"}},\"g1\"]]}",
	         counts, hashes);
	return cJSON_Parse(buf);
}

static const cJSON *hashes_of(const cJSON *resp, int i)
{
	const cJSON *call = cJSON_GetArrayItem(cJSON_GetObjectItem(resp, "methodResponses"), 0);
	const cJSON *o =
	    cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(call, 1), "list"), i);
	return cJSON_GetObjectItem(o, "imageHashes");
}

static void test_packed_page_hashes_spread_onto_listings(void **state)
{
	/* 946730b2996d2bcc, then 0102030405060708 and 946730b2996d2bcc */
	cJSON *r = page("[1,0,2]", "lGcwspltK8wBAgMEBQYHCJRnMLKZbSvM");
	sync_unpack_image_hashes(r);
	assert_int_equal(cJSON_GetArraySize(hashes_of(r, 0)), 1);
	assert_string_equal(cJSON_GetArrayItem(hashes_of(r, 0), 0)->valuestring,
	                    "946730b2996d2bcc");
	assert_null(hashes_of(r, 1));
	assert_int_equal(cJSON_GetArraySize(hashes_of(r, 2)), 2);
	assert_string_equal(cJSON_GetArrayItem(hashes_of(r, 2), 0)->valuestring,
	                    "0102030405060708");
	const cJSON *call = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "methodResponses"), 0);
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(call, 1), "imageHashes"));
	cJSON_Delete(r);
	const char *bad[][2] = {
	    {"[1,0,1]", "lGcwspltK8wBAgMEBQYHCJRnMLKZbSvM"}, /* 2 counted, 3 sent */
	    {"[1,0]", "lGcwspltK8w"},                        /* a count missing */
	    {"[1,0,-1]", "lGcwspltK8w"},
	    {"[1,0,0]", "not base64 url!"},
	    {"[99,0,0]", "lGcwspltK8w"}};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = page(bad[i][0], bad[i][1]);
		sync_unpack_image_hashes(r);
		for (int j = 0; j < 3; j++)
			assert_null(hashes_of(r, j));
		cJSON_Delete(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_hashes_kept_and_replaced, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nearest_first_and_far_ones_left_out, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_combined_with_words_and_filters, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_price_floor_is_refused_not_ignored, setup,
	                                    teardown),
	    cmocka_unit_test(test_packed_page_hashes_spread_onto_listings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
