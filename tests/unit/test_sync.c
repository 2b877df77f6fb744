/* test_sync — how a pull page is read from the node's answer: the parts it needs, the
 * JMAP error that asks for a full fetch, and the garbage it refuses by name; the total a
 * node states and the cap on pages derived from it; and which objects of a pull may be
 * cached (a summary without sellerId is malformed, a changed listing does not verify). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../src/client/net/sync.h"
#include "kontor/crypto.h"
#include "kontor/json.h"
#include "kontor/model.h"

static cJSON *parse(const char *s)
{
	cJSON *j = NULL;
	struct kerr e = {0, ""};
	if (json_parse(s, strlen(s), "test", &j, &e) != K_OK)
		fail_msg("%s", e.msg);
	return j;
}

#define LISTING_PAGE                                                                               \
	"{\"methodResponses\":["                                                                   \
	"[\"Listing/changes\",{\"newState\":\"42\",\"hasMoreChanges\":true,"                       \
	"\"created\":[\"L1\"],\"updated\":[],\"destroyed\":[\"L9\"]},\"c1.ab12\"],"                \
	"[\"Listing/get\",{\"list\":[{\"id\":\"L1\"}]},\"g1\"],"                                   \
	"[\"Listing/get\",{\"list\":[]},\"u1\"]]}"

static void test_a_page_gives_state_more_objects_and_tombstones(void **state)
{
	(void)state;
	cJSON *r = parse(LISTING_PAGE);
	struct sync_page pg;
	struct kerr e = {0, ""};
	assert_int_equal(sync_decode_page(r, "ab12", 1, &pg, &e), K_OK);
	assert_null(pg.error_type);
	assert_string_equal(pg.new_state, "42");
	assert_int_equal(pg.has_more, 1);
	assert_int_equal(cJSON_GetArraySize(pg.created), 1);
	assert_int_equal(cJSON_GetArraySize(pg.updated), 0);
	assert_string_equal(cJSON_GetArrayItem(pg.destroyed, 0)->valuestring, "L9");
	cJSON_Delete(r);
}

static void test_another_requests_tag_is_not_this_page(void **state)
{
	(void)state;
	cJSON *r = parse(LISTING_PAGE);
	struct sync_page pg;
	struct kerr e = {0, ""};
	assert_int_equal(sync_decode_page(r, "ffff", 1, &pg, &e), K_EFAIL);
	assert_non_null(strstr(e.msg, "node answered garbage: a change list is missing"));
	cJSON_Delete(r);
}

static void test_cannot_calculate_changes_is_reported_not_refused(void **state)
{
	(void)state;
	cJSON *r = parse("{\"methodResponses\":[[\"error\",{\"type\":\"cannotCalculateChanges\","
	                 "\"description\":\"past the horizon\"},\"c3.x\"]]}");
	struct sync_page pg;
	struct kerr e = {0, ""};
	assert_int_equal(sync_decode_page(r, "x", 3, &pg, &e), K_OK);
	assert_string_equal(pg.error_type, "cannotCalculateChanges");
	assert_string_equal(pg.error_desc, "past the horizon");
	cJSON_Delete(r);
}

static void expect_garbage(const char *json, int t, const char *why)
{
	cJSON *r = parse(json);
	struct sync_page pg;
	struct kerr e = {0, ""};
	assert_int_equal(sync_decode_page(r, "x", t, &pg, &e), K_EFAIL);
	if (!strstr(e.msg, why))
		fail_msg("'%s' lacks '%s'", e.msg, why);
	cJSON_Delete(r);
}

static void test_garbage_is_refused_naming_what_is_wrong(void **state)
{
	(void)state;
	expect_garbage("{\"x\":1}", 1, "no methodResponses");
	expect_garbage("{\"methodResponses\":[[\"Listing/changes\",{\"hasMoreChanges\":false,"
	               "\"destroyed\":[]},\"c1.x\"]]}",
	               1, "without newState");
	expect_garbage("{\"methodResponses\":[[\"Account/changes\",{\"newState\":\"1\","
	               "\"hasMoreChanges\":false,\"destroyed\":[]},\"c1.x\"]]}",
	               1, "another method");
	expect_garbage("{\"methodResponses\":[[\"Listing/changes\",{\"newState\":\"1\","
	               "\"hasMoreChanges\":false,\"destroyed\":[7]},\"c1.x\"]]}",
	               1, "not a string");
	expect_garbage("{\"methodResponses\":[[\"Listing/changes\",{\"newState\":\"1\","
	               "\"hasMoreChanges\":false,\"destroyed\":[]},\"c1.x\"]]}",
	               1, "objects of a change list are missing");
	expect_garbage(
	    "{\"methodResponses\":[[\"Listing/changes\",{\"newState\":\"1\","
	    "\"hasMoreChanges\":false,\"destroyed\":[]},\"c1.x\"],"
	    "[\"Listing/get\",{\"list\":{}},\"g1\"],[\"Listing/get\",{\"list\":[]},\"u1\"]]}",
	    1, "a get without a list");
	expect_garbage("{\"methodResponses\":[[\"error\",{\"description\":\"?\"},\"c1.x\"]]}", 1,
	               "an error without a type");
}

static void test_stated_total_is_read_from_the_query_answer(void **state)
{
	(void)state;
	struct kerr e = {0, ""};
	int64_t total = 0;
	cJSON *r =
	    parse("{\"methodResponses\":[[\"Listing/query\",{\"ids\":[],\"total\":1234,"
	          "\"queryState\":\"1\"},\"n1\"],[\"Rfq/query\",{\"ids\":[],\"total\":9,"
	          "\"totalCapped\":true},\"n2\"],[\"error\",{\"type\":\"forbidden\"},\"n3\"],"
	          "[\"Message/query\",{\"total\":-4},\"n4\"],[\"Contract/query\",{\"total\":"
	          "\"7\"},\"n5\"],[\"Account/query\",{\"total\":3},\"n6\"]]}");
	assert_int_equal(sync_decode_total(r, 1, &total, &e), K_OK);
	assert_int_equal(total, 1234);
	/* capped: more than the node counted, so unknown */
	assert_int_equal(sync_decode_total(r, 2, &total, &e), K_OK);
	assert_int_equal(total, -1);
	/* an error answer states nothing */
	assert_int_equal(sync_decode_total(r, 3, &total, &e), K_ENOTFOUND);
	assert_int_equal(total, -1);
	/* a negative or a string is garbage */
	assert_int_equal(sync_decode_total(r, 4, &total, &e), K_EFAIL);
	assert_non_null(strstr(e.msg, "node answered garbage: a total that is not a count"));
	assert_int_equal(sync_decode_total(r, 5, &total, &e), K_EFAIL);
	/* answered by another method under the id: not this type's total */
	assert_int_equal(sync_decode_total(r, 6, &total, &e), K_ENOTFOUND);
	/* no answer at all */
	assert_int_equal(sync_decode_total(r, 0, &total, &e), K_ENOTFOUND);
	cJSON_Delete(r);
}

static void test_page_cap_follows_the_stated_total_under_a_ceiling(void **state)
{
	(void)state;
	/* Room for every object twice, and four pages more. */
	assert_int_equal(sync_page_cap(0, 500), 4);
	assert_int_equal(sync_page_cap(3, 500), 5);
	assert_int_equal(sync_page_cap(250, 500), 5);
	assert_int_equal(sync_page_cap(251, 500), 6);
	assert_int_equal(sync_page_cap(20000, 500), 84);
	/* A node that states nothing, or a capped count: a modest cap. */
	assert_int_equal(sync_page_cap(-1, 500), KSYNC_PAGES_UNSTATED);
	/* A node that states an absurd total: the ceiling, and no overflow. */
	assert_int_equal(sync_page_cap(INT64_C(1) << 53, 500), KSYNC_PAGES_MAX);
	assert_int_equal(sync_page_cap(INT64_MAX, 1), KSYNC_PAGES_MAX);
	assert_int_equal(sync_page_cap(10, 0), KSYNC_PAGES_UNSTATED);
}

/* A listing signed by a fresh key, as JSON (with or without its signature). */
static cJSON *signed_listing(int with_sig)
{
	struct kkeypair kp;
	struct kerr e = {0, ""};
	kcrypto_keypair_new(&kp);
	struct listing l;
	listing_init(&l);
	l.sku = strdup("OAK-160");
	l.title = strdup("Solid oak desk top, 160 x 80 cm");
	memcpy(l.currency, "EUR", 4);
	memcpy(l.origin_country, "PT", 3);
	l.tiers = calloc(1, sizeof *l.tiers);
	l.tiers[0].min_qty = 1;
	l.tiers[0].unit_price = 8900;
	l.ntiers = 1;
	model_now(l.created);
	model_now(l.updated);
	if (listing_sign(&l, &kp, &e) != K_OK)
		fail_msg("listing_sign: %s", e.msg);
	cJSON *j = listing_to_json(&l, with_sig);
	listing_free(&l);
	return j;
}

static void test_pulled_objects_are_checked_before_the_cache(void **state)
{
	(void)state;
	struct kerr e = {0, ""};
	struct listing l;
	/* A whole listing that verifies, and its summary (no signature): both may go in. */
	cJSON *whole = signed_listing(1);
	assert_int_equal(sync_object_check(1, whole, &l, &e), K_OK);
	assert_string_equal(l.sku, "OAK-160");
	listing_free(&l);
	cJSON *summary = signed_listing(0);
	assert_int_equal(sync_object_check(1, summary, NULL, &e), K_OK);
	/* The summary of issue 16: no sellerId. Malformed, named. */
	cJSON_DeleteItemFromObjectCaseSensitive(summary, "sellerId");
	assert_int_equal(sync_object_check(1, summary, NULL, &e), K_EINVAL);
	assert_string_equal(e.msg, "sellerId is missing");
	/* A whole listing changed on the way: its signature does not verify. */
	cJSON_ReplaceItemInObjectCaseSensitive(whole, "title", cJSON_CreateString("Pine desk top"));
	assert_int_equal(sync_object_check(1, whole, &l, &e), K_EVERIFY);
	/* Not an object, no id, a type that is not one. */
	cJSON *num = cJSON_CreateNumber(7), *noid = cJSON_CreateObject();
	assert_int_equal(sync_object_check(1, num, NULL, &e), K_EINVAL);
	assert_int_equal(sync_object_check(2, noid, NULL, &e), K_EINVAL);
	assert_string_equal(e.msg, "id is missing");
	assert_int_equal(sync_object_check(SYNC_NTYPES, whole, NULL, &e), K_EINVAL);
	/* Another type: the model's own validation. */
	cJSON *rfq = parse("{\"id\":\"R1\",\"title\":7}");
	assert_int_equal(sync_object_check(2, rfq, NULL, &e), K_EINVAL);
	cJSON_Delete(rfq);
	cJSON_Delete(num);
	cJSON_Delete(noid);
	cJSON_Delete(whole);
	cJSON_Delete(summary);
}

int main(void)
{
	struct kerr e = {0, ""};
	if (kcrypto_init(&e) != K_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stated_total_is_read_from_the_query_answer),
	    cmocka_unit_test(test_page_cap_follows_the_stated_total_under_a_ceiling),
	    cmocka_unit_test(test_pulled_objects_are_checked_before_the_cache),
	    cmocka_unit_test(test_a_page_gives_state_more_objects_and_tombstones),
	    cmocka_unit_test(test_another_requests_tag_is_not_this_page),
	    cmocka_unit_test(test_cannot_calculate_changes_is_reported_not_refused),
	    cmocka_unit_test(test_garbage_is_refused_naming_what_is_wrong),
	};
	return cmocka_run_group_tests_name("sync", tests, NULL, NULL);
}
