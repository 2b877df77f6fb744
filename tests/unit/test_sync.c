/* test_sync — how a pull page is read from the node's answer: the parts it needs, the
 * JMAP error that asks for a full fetch, and the garbage it refuses by name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../src/client/net/sync.h"
#include "kontor/json.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_page_gives_state_more_objects_and_tombstones),
	    cmocka_unit_test(test_another_requests_tag_is_not_this_page),
	    cmocka_unit_test(test_cannot_calculate_changes_is_reported_not_refused),
	    cmocka_unit_test(test_garbage_is_refused_naming_what_is_wrong),
	};
	return cmocka_run_group_tests_name("sync", tests, NULL, NULL);
}
