/* test_nphoto — the node's photo filter (store/nphoto.c) on real image blobs from
 * tests/data/images: each blob hashed as it is stored, a listing's images filed with their
 * hashes, Listing/query's photo filter nearest first and combined with the other filters, a
 * listing that names a blob before the blob arrives, changed and removed listings, and the
 * scaled JPEG variant of an image blob. Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/codes.h"
#include "kontor/crypto.h"
#include "kontor/imagehash.h"
#include "kontor/imgrgb.h"
#include "kontor/model.h"
#include "../../src/node/store/nstore.h"

#define DATA "tests/data/images/"

static struct kkeypair seller;

struct fx {
	char dir[64];
	char path[96];
	struct nstore *s;
	char blob_photo[KCRYPTO_HASH_B64_LEN + 1]; /* photo.jpg */
	char blob_png[KCRYPTO_HASH_B64_LEN + 1];   /* the same photo as a PNG */
	char blob_other[KCRYPTO_HASH_B64_LEN + 1]; /* an unrelated picture */
	uint64_t h_photo, h_other;
};

static void must(int rc, const struct kerr *e)
{
	if (rc != K_OK)
		fail_msg("unexpected failure %d: %s", rc, e->msg);
}

static int group_setup(void **state)
{
	struct kerr e = {0, ""};
	if (kcrypto_init(&e) != K_OK || codes_load(&e) != K_OK) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	kcrypto_keypair_new(&seller);
	return 0;
}

static void put_file_blob(struct nstore *s, const char *name, char id[KCRYPTO_HASH_B64_LEN + 1])
{
	struct kbuf b = KBUF_INIT;
	struct kerr e = {0, ""};
	char path[128];
	snprintf(path, sizeof path, DATA "%s", name);
	must(kbuf_read_file(path, 10u << 20, &b, &e), &e);
	must(nstore_blob_put(s, b.data, b.len, "image/x", "owner", id, &e), &e);
	kbuf_free(&b);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/nphoto-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/node.db", f->dir);
	struct kerr e = {0, ""};
	if (nstore_open(f->path, 1, &f->s, &e) != K_OK) {
		fprintf(stderr, "open: %s\n", e.msg);
		return -1;
	}
	put_file_blob(f->s, "photo.jpg", f->blob_photo);
	put_file_blob(f->s, "photo.png", f->blob_png);
	put_file_blob(f->s, "other.png", f->blob_other);
	must(kimg_hash_file(DATA "photo.jpg", NULL, &f->h_photo, NULL, &e), &e);
	must(kimg_hash_file(DATA "other.png", NULL, &f->h_other, NULL, &e), &e);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	nstore_close(&f->s);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* A signed listing with one image (a blob id) and the given price and country; id gets its
 * listing id. */
static void put_listing(struct nstore *s, const char *sku, const char *title, int64_t price,
                        const char *country, const char *image, char id[24])
{
	struct listing l;
	struct kerr e = {0, ""};
	listing_init(&l);
	l.sku = strdup(sku);
	l.title = strdup(title);
	snprintf(l.currency, sizeof l.currency, "USD");
	snprintf(l.ships_from, sizeof l.ships_from, "%s", country);
	l.ntiers = 1;
	l.tiers = calloc(1, sizeof *l.tiers);
	l.tiers[0].min_qty = 1;
	l.tiers[0].unit_price = price;
	if (image)
		kstrv_push(&l.images, image);
	model_now(l.created);
	model_now(l.updated);
	must(listing_sign(&l, &seller, &e), &e);
	must(nstore_listing_put(s, &l, &e), &e);
	snprintf(id, 24, "%s", l.id);
	listing_free(&l);
}

static int has_id(const struct nids *r, const char *id)
{
	for (size_t i = 0; i < r->ids.n; i++)
		if (strcmp(r->ids.v[i], id) == 0)
			return 1;
	return 0;
}

static struct nlisting_query photo_query(const uint64_t *h, size_t n, int maxd)
{
	struct nlisting_query q;
	memset(&q, 0, sizeof q);
	q.filter = (struct ksearch_query)KSEARCH_QUERY_ANY;
	q.page.limit = 50;
	q.page.calc_total = 1;
	q.sort = NSORT_RELEVANCE;
	q.photo = h;
	q.nphoto = n;
	q.photo_max = maxd;
	return q;
}

static void test_blob_put_hashes_images_only(void **state)
{
	struct fx *f = *state;
	char a[24], b[24];
	put_listing(f->s, "A", "Bracket in the photo", 150, "CN", f->blob_photo, a);
	struct kerr e = {0, ""};
	uint64_t h[MODEL_IMAGES_MAX];
	size_t n;
	must(nstore_listing_photo_hashes(f->s, a, h, &n, &e), &e);
	assert_int_equal(n, 1);
	assert_true(h[0] == f->h_photo);
	/* a blob that is no image has no hash: its listing files none */
	char txt[KCRYPTO_HASH_B64_LEN + 1];
	must(nstore_blob_put(f->s, "plain text", 10, "text/plain", "owner", txt, &e), &e);
	put_listing(f->s, "B", "Text", 100, "CN", txt, b);
	must(nstore_listing_photo_hashes(f->s, b, h, &n, &e), &e);
	assert_int_equal(n, 0);
}

static void test_photo_query_nearest_first_and_not_unrelated(void **state)
{
	struct fx *f = *state;
	char same[24], png[24], other[24], none[24];
	put_listing(f->s, "S", "Bracket, the photo as JPEG", 150, "CN", f->blob_photo, same);
	put_listing(f->s, "P", "Bracket, the photo as PNG", 150, "CN", f->blob_png, png);
	put_listing(f->s, "O", "Something else", 150, "CN", f->blob_other, other);
	put_listing(f->s, "N", "No image", 150, "CN", NULL, none);
	struct kerr e = {0, ""};
	struct nlisting_query q = photo_query(&f->h_photo, 1, KIMG_DIST_SIMILAR);
	struct nids r;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 2);
	assert_non_null(r.dist);
	/* nearest first; among equals the newest (the PNG was listed after the JPEG) */
	uint64_t h_png;
	must(kimg_hash_file(DATA "photo.png", NULL, &h_png, NULL, &e), &e);
	int d_png = kimg_distance(f->h_photo, h_png);
	assert_true(d_png <= KIMG_DIST_SAME);
	assert_string_equal(r.ids.v[0], d_png == 0 ? png : same);
	assert_string_equal(r.ids.v[1], d_png == 0 ? same : png);
	assert_int_equal(r.dist[0], 0);
	assert_int_equal(r.dist[1], d_png);
	assert_int_equal(r.total, 2);
	nids_free(&r);
	/* the unrelated picture finds itself and not the photo */
	q = photo_query(&f->h_other, 1, KIMG_DIST_SIMILAR);
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	assert_string_equal(r.ids.v[0], other);
	nids_free(&r);
	/* a page past the first: position counts matches */
	q = photo_query(&f->h_photo, 1, KIMG_DIST_SIMILAR);
	q.page.position = 1;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	assert_string_equal(r.ids.v[0], d_png == 0 ? same : png);
	assert_int_equal(r.total, 2);
	nids_free(&r);
}

static void test_photo_query_combined_with_filters(void **state)
{
	struct fx *f = *state;
	char cn[24], de[24], dear[24];
	put_listing(f->s, "CN1", "Steel bracket", 150, "CN", f->blob_photo, cn);
	put_listing(f->s, "DE1", "Steel bracket", 150, "DE", f->blob_png, de);
	put_listing(f->s, "DE2", "Steel bracket deluxe", 90000, "DE", f->blob_photo, dear);
	struct kerr e = {0, ""};
	struct nids r;
	struct nlisting_query q = photo_query(&f->h_photo, 1, KIMG_DIST_SIMILAR);
	q.filter.country = "DE";
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 2);
	assert_true(has_id(&r, dear) && has_id(&r, de));
	nids_free(&r);
	q.filter.currency = "USD";
	q.filter.max_price = 1000;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	assert_string_equal(r.ids.v[0], de);
	nids_free(&r);
	q = photo_query(&f->h_photo, 1, KIMG_DIST_SIMILAR);
	q.filter.text = "deluxe";
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	assert_string_equal(r.ids.v[0], dear);
	nids_free(&r);
	/* another order than distance is refused, naming the sort */
	q = photo_query(&f->h_photo, 1, KIMG_DIST_SIMILAR);
	q.sort = NSORT_PRICE;
	assert_int_equal(nstore_listing_query(f->s, &q, &r, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "sort"));
}

static void test_listing_before_its_blob_gets_the_hash_when_it_arrives(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	/* webp of the same photo: not uploaded yet */
	struct kbuf b = KBUF_INIT;
	must(kbuf_read_file(DATA "photo.webp", 10u << 20, &b, &e), &e);
	char id[KCRYPTO_HASH_B64_LEN + 1];
	kcrypto_hash_b64url(b.data, b.len, id);
	char l[24];
	put_listing(f->s, "W", "Bracket as WebP", 150, "CN", id, l);
	struct nids r;
	struct nlisting_query q = photo_query(&f->h_photo, 1, KIMG_DIST_SIMILAR);
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 0);
	nids_free(&r);
	must(nstore_blob_put(f->s, b.data, b.len, "image/webp", "owner", id, &e), &e);
	kbuf_free(&b);
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	assert_string_equal(r.ids.v[0], l);
	nids_free(&r);
}

static void test_changed_and_removed_listings_leave_the_answer(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	char a[24];
	put_listing(f->s, "A", "Bracket", 150, "CN", f->blob_photo, a);
	struct nids r;
	struct nlisting_query q = photo_query(&f->h_photo, 1, KIMG_DIST_SIMILAR);
	must(nstore_listing_query(f->s, &q, &r, &e), &e); /* loads the hashes in memory */
	assert_int_equal(r.ids.n, 1);
	nids_free(&r);
	/* the same listing written again (a new rid) is one answer, not two */
	put_listing(f->s, "A", "Bracket, new title", 150, "CN", f->blob_photo, a);
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	assert_int_equal(r.total, 1);
	nids_free(&r);
	/* its image changed to the unrelated one: no longer found by the photo */
	put_listing(f->s, "A", "Bracket, new title", 150, "CN", f->blob_other, a);
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 0);
	nids_free(&r);
	must(nstore_destroy(f->s, NT_LISTING, a, &e), &e);
	q = photo_query(&f->h_other, 1, KIMG_DIST_SIMILAR);
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 0);
	nids_free(&r);
}

static void test_scaled_variant_is_a_smaller_jpeg(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	struct kbuf j = KBUF_INIT;
	must(nstore_blob_scaled(f->s, f->blob_png, 64, &j, &e), &e);
	struct kimg_rgb img;
	must(kimg_decode_rgb(j.data, j.len, "variant", NULL, 4096, 4096, &img, &e), &e);
	assert_int_equal(img.format, KIMG_JPEG);
	assert_true(img.width <= 64 && img.height <= 64);
	assert_true(img.width == 64 || img.height == 64);
	kimg_rgb_free(&img);
	/* kept: asked again, the same bytes */
	struct kbuf j2 = KBUF_INIT;
	must(nstore_blob_scaled(f->s, f->blob_png, 64, &j2, &e), &e);
	assert_int_equal(j.len, j2.len);
	assert_memory_equal(j.data, j2.data, j.len);
	kbuf_free(&j2);
	char txt[KCRYPTO_HASH_B64_LEN + 1];
	must(nstore_blob_put(f->s, "plain text", 10, "text/plain", "owner", txt, &e), &e);
	assert_int_equal(nstore_blob_scaled(f->s, txt, 64, &j, &e), K_EINVAL);
	assert_int_equal(nstore_blob_scaled(f->s, f->blob_png, 8, &j, &e), K_EINVAL);
	assert_int_equal(
	    nstore_blob_scaled(f->s, "nosuchblobnosuchblobnosuchblobnosuchblob123", 64, &j, &e),
	    K_ENOTFOUND);
	kbuf_free(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_blob_put_hashes_images_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_photo_query_nearest_first_and_not_unrelated, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_photo_query_combined_with_filters, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_listing_before_its_blob_gets_the_hash_when_it_arrives, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_changed_and_removed_listings_leave_the_answer,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_scaled_variant_is_a_smaller_jpeg, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
