/* test_api — POST /api bodies straight into api_handle against a temporary database: every
 * method of every type, request-level errors (400, 401, 413), creation ids, ifInState,
 * changes paging and the tombstone horizon, back-references, signed listings, privacy of
 * conversations, search, and a restart. Needs Debian's iso-codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kontor/canon.h"
#include "kontor/codes.h"
#include "kontor/crypto.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "../../src/node/node.h"
#include "../../src/node/store/nstore.h"

/* node.c is not linked into this test: a stand-in that only counts. */
static int notified;
__attribute__((weak)) void node_notify(struct node *n)
{
	notified++;
}

static struct kkeypair key_a, key_b, key_c;
static char id_a[KCRYPTO_ID_LEN + 1], id_b[KCRYPTO_ID_LEN + 1], id_c[KCRYPTO_ID_LEN + 1];

struct fx {
	char dir[64];
	char path[96];
	struct node n;
	cJSON *resp; /* the last response */
	int status;
};

static int group_setup(void **state)
{
	struct kerr e = {0, ""};
	if (kcrypto_init(&e) != K_OK || codes_load(&e) != K_OK) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	kcrypto_keypair_new(&key_a);
	kcrypto_keypair_new(&key_b);
	kcrypto_keypair_new(&key_c);
	kcrypto_account_id(key_a.pk, id_a);
	kcrypto_account_id(key_b.pk, id_b);
	kcrypto_account_id(key_c.pk, id_c);
	return 0;
}

static void limits(struct node_limits *l)
{
	l->max_size_request = 4 << 20;
	l->max_calls_in_request = 16;
	l->max_objects_in_get = 500;
	l->max_objects_in_set = 20;
	l->max_query_limit = 100;
	l->max_upload = 10 << 20;
	l->max_connections = 64;
	l->rate_account_per_min = 600;
	l->rate_addr_per_min = 3000;
	l->max_changes = 5000;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/api-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/node.db", f->dir);
	struct kerr e = {0, ""};
	if (nstore_open(f->path, 1, &f->n.store, &e) != K_OK) {
		fprintf(stderr, "open: %s\n", e.msg);
		return -1;
	}
	snprintf(f->n.name, sizeof f->n.name, "test-node");
	kcrypto_keypair_new(&f->n.key);
	kcrypto_account_id(f->n.key.pk, f->n.key_id);
	limits(&f->n.limits);
	pthread_mutex_init(&f->n.ev_lock, NULL);
	pthread_cond_init(&f->n.ev_cond, NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	cJSON_Delete(f->resp);
	nstore_close(&f->n.store);
	pthread_mutex_destroy(&f->n.ev_lock);
	pthread_cond_destroy(&f->n.ev_cond);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* ---------------------------------------------------------------- helpers */

/* tmpl with @A, @B, @C (account ids) filled in. */
static char *fill(const char *tmpl)
{
	struct kbuf b = KBUF_INIT;
	for (const char *p = tmpl; *p; p++) {
		if (p[0] == '@' && (p[1] == 'A' || p[1] == 'B' || p[1] == 'C')) {
			kbuf_puts(&b, p[1] == 'A' ? id_a : p[1] == 'B' ? id_b : id_c);
			p++;
		} else {
			kbuf_putc(&b, *p);
		}
	}
	return kbuf_detach(&b, NULL);
}

/* Runs a request as caller (NULL = anonymous); keeps the parsed response in f->resp. */
static int run(struct fx *f, const char *caller, const char *body)
{
	struct api_caller who = {caller, "127.0.0.1"};
	struct kbuf out = KBUF_INIT, methods = KBUF_INIT;
	f->status = api_handle(&f->n, &who, body, strlen(body), &out, &methods);
	cJSON_Delete(f->resp);
	f->resp = cJSON_Parse(kbuf_str(&out));
	if (!f->resp)
		fail_msg("response is not JSON: %s", kbuf_str(&out));
	kbuf_free(&out);
	kbuf_free(&methods);
	return f->status;
}

/* One call: [name, args-template, "c0"]. */
static int call(struct fx *f, const char *caller, const char *name, const char *args_tmpl)
{
	char *args = fill(args_tmpl);
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b,
	            "{\"using\":[\"urn:ietf:params:jmap:core\",\"urn:kontor:trade\"],"
	            "\"methodCalls\":[[\"%s\",%s,\"c0\"]]}",
	            name, args);
	int rc = run(f, caller, kbuf_str(&b));
	kbuf_free(&b);
	free(args);
	return rc;
}

static const cJSON *response(struct fx *f, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f->resp, "methodResponses"), i);
}

static const char *resp_name(struct fx *f, int i)
{
	return cJSON_GetArrayItem(response(f, i), 0)->valuestring;
}

static const cJSON *resp_args(struct fx *f, int i)
{
	return cJSON_GetArrayItem(response(f, i), 1);
}

static const char *str_at(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *at(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

static void expect_error(struct fx *f, int i, const char *type)
{
	if (strcmp(resp_name(f, i), "error") != 0)
		fail_msg("call %d: expected error %s, got %s", i, type, resp_name(f, i));
	assert_string_equal(str_at(resp_args(f, i), "type"), type);
}

static void expect_ok(struct fx *f, int i, const char *name)
{
	if (strcmp(resp_name(f, i), name) != 0) {
		char *s = cJSON_PrintUnformatted(resp_args(f, i));
		fail_msg("call %d: expected %s, got %s %s", i, name, resp_name(f, i), s);
	}
}

static void register_account(struct fx *f, const char *id, const char *name)
{
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b,
	            "{\"create\":{\"me\":{\"displayName\":\"%s\",\"country\":\"DE\","
	            "\"role\":\"both\"}}}",
	            name);
	assert_int_equal(call(f, id, "Account/set", kbuf_str(&b)), 200);
	kbuf_free(&b);
	expect_ok(f, 0, "Account/set");
	assert_non_null(at(at(resp_args(f, 0), "created"), "me"));
}

/* A signed listing as JSON text. */
static char *listing_json(const struct kkeypair *kp, const char *sku, const char *title,
                          const char *currency, int64_t price, int64_t moq, const char *country)
{
	struct listing l;
	struct kerr e = {0, ""};
	listing_init(&l);
	l.sku = strdup(sku);
	l.title = strdup(title);
	snprintf(l.currency, sizeof l.currency, "%s", currency);
	snprintf(l.ships_from, sizeof l.ships_from, "%s", country);
	l.ntiers = 1;
	l.tiers = calloc(1, sizeof *l.tiers);
	l.tiers[0].min_qty = moq;
	l.tiers[0].unit_price = price;
	l.moq = moq;
	kstrv_push(&l.incoterms, "FOB");
	model_now(l.created);
	model_now(l.updated);
	if (listing_sign(&l, kp, &e) != K_OK)
		fail_msg("sign: %s", e.msg);
	cJSON *j = listing_to_json(&l, 1);
	char *s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	listing_free(&l);
	return s;
}

static void listing_id_of(const char *seller, const char *sku, char out[24])
{
	listing_make_id(seller, sku, out);
}

static void create_listing(struct fx *f, const struct kkeypair *kp, const char *caller,
                           const char *sku, const char *title, const char *cur, int64_t price,
                           int64_t moq, const char *country)
{
	char *l = listing_json(kp, sku, title, cur, price, moq, country);
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "{\"create\":{\"%s\":%s}}", sku, l);
	assert_int_equal(call(f, caller, "Listing/set", kbuf_str(&b)), 200);
	expect_ok(f, 0, "Listing/set");
	if (!at(at(resp_args(f, 0), "created"), sku)) {
		char *s = cJSON_PrintUnformatted(resp_args(f, 0));
		fail_msg("listing %s not created: %s", sku, s);
	}
	kbuf_free(&b);
	free(l);
}

static int ids_has(const cJSON *ids, const char *id)
{
	const cJSON *v;
	cJSON_ArrayForEach(v, ids)
	{
		if (cJSON_IsString(v) && strcmp(v->valuestring, id) == 0)
			return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- request level */

static void test_session_object_has_urls_limits_and_state(void **state)
{
	struct fx *f = *state;
	struct kbuf out = KBUF_INIT;
	api_session(&f->n, "https://127.0.0.1:8443", &out);
	cJSON *s = cJSON_Parse(kbuf_str(&out));
	assert_non_null(s);
	assert_string_equal(str_at(s, "apiUrl"), "https://127.0.0.1:8443/api");
	assert_string_equal(str_at(s, "downloadUrl"), "https://127.0.0.1:8443/download/{blobId}");
	assert_string_equal(str_at(s, "eventSourceUrl"), "https://127.0.0.1:8443/events");
	assert_string_equal(str_at(s, "nodeKey"), f->n.key_id);
	const cJSON *trade = at(at(s, "capabilities"), "urn:kontor:trade");
	assert_int_equal((int)at(trade, "maxCallsInRequest")->valuedouble, 16);
	assert_int_equal((int)at(trade, "maxChanges")->valuedouble, 5000);
	assert_non_null(str_at(s, "state"));
	/* The same state goes out with every API response. */
	run(f, NULL, "{\"using\":[],\"methodCalls\":[]}");
	assert_string_equal(str_at(f->resp, "sessionState"), str_at(s, "state"));
	/* Canonical JSON takes integers only: the whole session must pass. */
	struct kerr e = {0, ""};
	struct kbuf c = KBUF_INIT;
	assert_int_equal(canon_write(s, &c, &e), K_OK);
	kbuf_free(&c);
	cJSON_Delete(s);
	kbuf_free(&out);

	kbuf_init(&out);
	api_states(&f->n, &out);
	cJSON *st = cJSON_Parse(kbuf_str(&out));
	assert_string_equal(str_at(st, "Listing"), "0");
	assert_string_equal(str_at(st, "Message"), "0");
	cJSON_Delete(st);
	kbuf_free(&out);
}

static void test_not_json_and_wrong_shape_are_400(void **state)
{
	struct fx *f = *state;
	assert_int_equal(run(f, NULL, "{\"using\": ["), 400);
	assert_string_equal(str_at(f->resp, "type"), "urn:ietf:params:jmap:error:notRequest");
	assert_int_equal(run(f, NULL, "[1,2]"), 400);
	assert_int_equal(run(f, NULL, "{\"using\":[],\"methodCalls\":[[\"Core/echo\",{}]]}"), 400);
	assert_non_null(strstr(str_at(f->resp, "description"), "methodCalls[0]"));
	assert_int_equal(run(f, NULL, "{\"using\":[],\"methodCalls\":[],\"using\":[]}"), 400);
	assert_int_equal(run(f, NULL, "{\"using\":[\"urn:example:mail\"],\"methodCalls\":[]}"),
	                 400);
	assert_string_equal(str_at(f->resp, "type"),
	                    "urn:ietf:params:jmap:error:unknownCapability");
}

static void test_calls_limit_is_413(void **state)
{
	struct fx *f = *state;
	struct kbuf b = KBUF_INIT;
	kbuf_puts(&b, "{\"using\":[],\"methodCalls\":[");
	for (int i = 0; i < 17; i++)
		kbuf_printf(&b, "%s[\"Core/echo\",{},\"c%d\"]", i ? "," : "", i);
	kbuf_puts(&b, "]}");
	assert_int_equal(run(f, NULL, kbuf_str(&b)), 413);
	assert_string_equal(str_at(f->resp, "type"), "urn:ietf:params:jmap:error:limit");
	assert_string_equal(str_at(f->resp, "limit"), "maxCallsInRequest");
	kbuf_free(&b);
	f->n.limits.max_size_request = 10;
	assert_int_equal(run(f, NULL, "{\"using\":[],\"methodCalls\":[]}"), 413);
	assert_string_equal(str_at(f->resp, "limit"), "maxSizeRequest");
}

static void test_anonymous_write_is_401(void **state)
{
	struct fx *f = *state;
	char *l = listing_json(&key_a, "X1", "Widget", "EUR", 100, 1, "DE");
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b,
	            "{\"using\":[],\"methodCalls\":[[\"Listing/query\",{},\"q\"],"
	            "[\"Listing/set\",{\"create\":{\"x\":%s}},\"s\"]]}",
	            l);
	assert_int_equal(run(f, NULL, kbuf_str(&b)), 401);
	assert_string_equal(str_at(f->resp, "type"), "unauthorized");
	assert_non_null(strstr(str_at(f->resp, "description"), "Listing/set"));
	/* Nothing ran: not even the query before it. */
	assert_null(at(f->resp, "methodResponses"));
	kbuf_free(&b);
	free(l);
	assert_int_equal(call(f, NULL, "Conversation/get", "{\"ids\":null}"), 401);
	assert_int_equal(call(f, NULL, "Listing/get", "{\"ids\":[]}"), 200);
}

static void test_bad_call_fails_alone_while_next_runs(void **state)
{
	struct fx *f = *state;
	assert_int_equal(run(f, NULL,
	                     "{\"using\":[],\"methodCalls\":["
	                     "[\"Listing/get\",{\"ids\":7},\"a\"],"
	                     "[\"Nope/get\",{},\"b\"],"
	                     "[\"Listing/get\",{\"bogus\":1},\"c\"],"
	                     "[\"Listing/query\",{\"filter\":{\"text\":\"x\"}},\"d\"]]}"),
	                 200);
	expect_error(f, 0, "invalidArguments");
	assert_non_null(strstr(str_at(resp_args(f, 0), "description"), "ids"));
	expect_error(f, 1, "unknownMethod");
	expect_error(f, 2, "invalidArguments");
	assert_non_null(strstr(str_at(resp_args(f, 2), "description"), "bogus"));
	expect_ok(f, 3, "Listing/query");
	assert_string_equal(cJSON_GetArrayItem(response(f, 3), 2)->valuestring, "d");
}

/* ---------------------------------------------------------------- Account */

static void test_account_register_get_changes_query(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha GmbH");
	const cJSON *made = at(at(resp_args(f, 0), "created"), "me");
	assert_string_equal(str_at(made, "id"), id_a);
	assert_non_null(str_at(made, "boxKey"));
	register_account(f, id_b, "Beta Ltd");

	/* Public read, anonymous. */
	assert_int_equal(call(f, NULL, "Account/get", "{\"ids\":[\"@A\",\"nobody\"]}"), 200);
	expect_ok(f, 0, "Account/get");
	const cJSON *list = at(resp_args(f, 0), "list");
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_string_equal(str_at(list->child, "displayName"), "Alpha GmbH");
	assert_int_equal(cJSON_GetArraySize(at(resp_args(f, 0), "notFound")), 1);

	assert_int_equal(call(f, NULL, "Account/changes", "{\"sinceState\":\"0\"}"), 200);
	expect_ok(f, 0, "Account/changes");
	assert_int_equal(cJSON_GetArraySize(at(resp_args(f, 0), "created")), 2);

	assert_int_equal(call(f, NULL, "Account/query", "{\"calculateTotal\":true}"), 200);
	expect_ok(f, 0, "Account/query");
	assert_int_equal((int)at(resp_args(f, 0), "total")->valuedouble, 2);

	/* Own profile: editable. */
	assert_int_equal(call(f, id_a, "Account/set",
	                      "{\"update\":{\"@A\":{\"about\":\"Iron works since 1950\"}}}"),
	                 200);
	expect_ok(f, 0, "Account/set");
	assert_true(at(at(resp_args(f, 0), "updated"), id_a) != NULL);
	call(f, NULL, "Account/get", "{\"ids\":[\"@A\"],\"properties\":[\"about\"]}");
	assert_string_equal(str_at(at(resp_args(f, 0), "list")->child, "about"),
	                    "Iron works since 1950");
	assert_null(at(at(resp_args(f, 0), "list")->child, "displayName"));

	/* The same key again is not a second account. */
	call(f, id_a, "Account/set",
	     "{\"create\":{\"again\":{\"displayName\":\"A2\",\"country\":\"DE\"}}}");
	assert_string_equal(str_at(at(at(resp_args(f, 0), "notCreated"), "again"), "type"),
	                    "alreadyExists");
}

static void test_account_register_as_another_key_is_forbidden(void **state)
{
	struct fx *f = *state;
	call(f, id_a, "Account/set",
	     "{\"create\":{\"x\":{\"id\":\"@B\",\"displayName\":\"B\",\"country\":\"DE\"}}}");
	expect_ok(f, 0, "Account/set");
	assert_string_equal(str_at(at(at(resp_args(f, 0), "notCreated"), "x"), "type"),
	                    "forbidden");
	call(f, id_a, "Account/set",
	     "{\"create\":{\"x\":{\"displayName\":\"A\",\"country\":\"DE\","
	     "\"rating\":{\"sum\":50,\"count\":10}}}}");
	const cJSON *se = at(at(resp_args(f, 0), "notCreated"), "x");
	assert_string_equal(str_at(se, "type"), "invalidProperties");
	assert_string_equal(at(se, "properties")->child->valuestring, "rating");
}

static void test_account_edit_another_profile_is_forbidden(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha");
	register_account(f, id_b, "Beta");
	call(f, id_b, "Account/set", "{\"update\":{\"@A\":{\"displayName\":\"Pwned\"}}}");
	expect_ok(f, 0, "Account/set");
	assert_string_equal(str_at(at(at(resp_args(f, 0), "notUpdated"), id_a), "type"),
	                    "forbidden");
	call(f, NULL, "Account/get", "{\"ids\":[\"@A\"]}");
	assert_string_equal(str_at(at(resp_args(f, 0), "list")->child, "displayName"), "Alpha");
	call(f, id_a, "Account/set", "{\"destroy\":[\"@A\"]}");
	assert_string_equal(str_at(at(at(resp_args(f, 0), "notDestroyed"), id_a), "type"),
	                    "forbidden");
}

/* ---------------------------------------------------------------- Listing */

static void test_listing_create_get_update_destroy(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha");
	int notified_before = notified;
	create_listing(f, &key_a, id_a, "LEG-1", "Iron table leg", "EUR", 1250, 10, "DE");
	char lid[24];
	listing_id_of(id_a, "LEG-1", lid);
	assert_string_equal(str_at(at(at(resp_args(f, 0), "created"), "LEG-1"), "id"), lid);
	/* A write wakes the /events streams (the stand-in above counts the wake-ups). */
	assert_true(notified > notified_before);

	/* Stored exactly as sent: the canonical bytes with the signature. */
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "{\"ids\":[\"%s\"]}", lid);
	call(f, NULL, "Listing/get", kbuf_str(&b));
	const cJSON *got = at(resp_args(f, 0), "list")->child;
	struct listing l;
	struct kerr e = {0, ""};
	assert_int_equal(listing_from_json(got, &l, &e), K_OK);
	assert_int_equal(listing_verify(&l, &e), K_OK);
	listing_free(&l);
	char *state0 = strdup(str_at(resp_args(f, 0), "state"));

	/* Update: the whole listing signed again. */
	char *upd =
	    listing_json(&key_a, "LEG-1", "Iron table leg, powder coated", "EUR", 1300, 10, "DE");
	kbuf_reset(&b);
	kbuf_printf(&b, "{\"update\":{\"%s\":%s}}", lid, upd);
	call(f, id_a, "Listing/set", kbuf_str(&b));
	expect_ok(f, 0, "Listing/set");
	assert_non_null(at(at(resp_args(f, 0), "updated"), lid));
	assert_string_equal(str_at(resp_args(f, 0), "oldState"), state0);
	free(upd);
	/* A patch without the signature is refused, naming sig. */
	kbuf_reset(&b);
	kbuf_printf(&b, "{\"update\":{\"%s\":{\"status\":\"paused\"}}}", lid);
	call(f, id_a, "Listing/set", kbuf_str(&b));
	const cJSON *se = at(at(resp_args(f, 0), "notUpdated"), lid);
	assert_string_equal(at(se, "properties")->child->valuestring, "sig");

	kbuf_reset(&b);
	kbuf_printf(&b, "{\"sinceState\":\"%s\"}", state0);
	call(f, NULL, "Listing/changes", kbuf_str(&b));
	assert_true(ids_has(at(resp_args(f, 0), "updated"), lid));

	kbuf_reset(&b);
	kbuf_printf(&b, "{\"destroy\":[\"%s\"]}", lid);
	call(f, id_a, "Listing/set", kbuf_str(&b));
	assert_true(ids_has(at(resp_args(f, 0), "destroyed"), lid));
	kbuf_reset(&b);
	kbuf_printf(&b, "{\"ids\":[\"%s\"]}", lid);
	call(f, NULL, "Listing/get", kbuf_str(&b));
	assert_true(ids_has(at(resp_args(f, 0), "notFound"), lid));
	kbuf_reset(&b);
	kbuf_printf(&b, "{\"sinceState\":\"%s\"}", state0);
	call(f, NULL, "Listing/changes", kbuf_str(&b));
	assert_true(ids_has(at(resp_args(f, 0), "destroyed"), lid));
	kbuf_free(&b);
	free(state0);
}

static void test_listing_bad_signature_not_created_naming_sig(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha");
	char *l = listing_json(&key_a, "S1", "Steel bracket", "EUR", 100, 1, "DE");
	cJSON *j = cJSON_Parse(l);
	/* Change the title after signing. */
	cJSON_ReplaceItemInObject(j, "title", cJSON_CreateString("Gold bracket"));
	char *bad = cJSON_PrintUnformatted(j);
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "{\"create\":{\"k\":%s}}", bad);
	call(f, id_a, "Listing/set", kbuf_str(&b));
	expect_ok(f, 0, "Listing/set");
	const cJSON *se = at(at(resp_args(f, 0), "notCreated"), "k");
	assert_non_null(se);
	assert_string_equal(str_at(se, "type"), "invalidProperties");
	assert_string_equal(at(se, "properties")->child->valuestring, "sig");
	assert_true(cJSON_IsNull(at(resp_args(f, 0), "created")));
	call(f, NULL, "Listing/query", "{\"calculateTotal\":true}");
	assert_int_equal((int)at(resp_args(f, 0), "total")->valuedouble, 0);
	kbuf_free(&b);
	free(bad);
	free(l);
	cJSON_Delete(j);
}

static void test_listing_not_in_canonical_form_names_the_property(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha");
	char *l = listing_json(&key_a, "U1", "Unitless widget", "EUR", 100, 1, "DE");
	cJSON *j = cJSON_Parse(l);
	/* Signed correctly over what is sent, but without the default unit every reader
	 * puts back: it would fail verification everywhere else. */
	cJSON_DeleteItemFromObject(j, "unit");
	cJSON_DeleteItemFromObject(j, "sig");
	struct kbuf canon = KBUF_INIT, sig = KBUF_INIT;
	struct kerr e = {0, ""};
	assert_int_equal(canon_write(j, &canon, &e), K_OK);
	kcrypto_sign_object_b64("listing", canon.data, canon.len, key_a.sk, &sig);
	cJSON_AddStringToObject(j, "sig", kbuf_str(&sig));
	char *sent = cJSON_PrintUnformatted(j);
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "{\"create\":{\"k\":%s}}", sent);
	call(f, id_a, "Listing/set", kbuf_str(&b));
	const cJSON *se = at(at(resp_args(f, 0), "notCreated"), "k");
	assert_non_null(se);
	assert_string_equal(at(se, "properties")->child->valuestring, "unit");
	kbuf_free(&b);
	kbuf_free(&canon);
	kbuf_free(&sig);
	free(sent);
	free(l);
	cJSON_Delete(j);
}

static void test_listing_edit_by_another_seller_is_forbidden(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha");
	register_account(f, id_b, "Beta");
	create_listing(f, &key_a, id_a, "A1", "Brass valve", "EUR", 700, 1, "PL");
	char lid[24];
	listing_id_of(id_a, "A1", lid);
	/* B signs a listing of its own and sends it as an update of A's. */
	char *mine = listing_json(&key_b, "A1", "Brass valve (cheaper)", "EUR", 1, 1, "PL");
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "{\"update\":{\"%s\":%s},\"destroy\":[\"%s\"]}", lid, mine, lid);
	call(f, id_b, "Listing/set", kbuf_str(&b));
	expect_ok(f, 0, "Listing/set");
	assert_string_equal(str_at(at(at(resp_args(f, 0), "notUpdated"), lid), "type"),
	                    "forbidden");
	assert_string_equal(str_at(at(at(resp_args(f, 0), "notDestroyed"), lid), "type"),
	                    "forbidden");
	/* And A's listing as B: sellerId is not the caller. */
	char *theirs = listing_json(&key_a, "A2", "Gate valve", "EUR", 900, 1, "PL");
	kbuf_reset(&b);
	kbuf_printf(&b, "{\"create\":{\"x\":%s}}", theirs);
	call(f, id_b, "Listing/set", kbuf_str(&b));
	assert_string_equal(str_at(at(at(resp_args(f, 0), "notCreated"), "x"), "type"),
	                    "forbidden");
	kbuf_free(&b);
	free(mine);
	free(theirs);
}

static void test_retried_create_with_same_creation_id_makes_one_object(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha");
	const char *rfq = "{\"create\":{\"r1\":{\"title\":\"500 iron table legs\",\"qty\":500}}}";
	call(f, id_a, "Rfq/set", rfq);
	expect_ok(f, 0, "Rfq/set");
	char *first = strdup(str_at(at(at(resp_args(f, 0), "created"), "r1"), "id"));
	call(f, id_a, "Rfq/set", rfq);
	expect_ok(f, 0, "Rfq/set");
	assert_string_equal(str_at(at(at(resp_args(f, 0), "created"), "r1"), "id"), first);
	call(f, NULL, "Rfq/query", "{\"calculateTotal\":true}");
	assert_int_equal((int)at(resp_args(f, 0), "total")->valuedouble, 1);
	/* Another caller's r1 is its own. */
	register_account(f, id_b, "Beta");
	call(f, id_b, "Rfq/set", rfq);
	assert_string_not_equal(str_at(at(at(resp_args(f, 0), "created"), "r1"), "id"), first);
	free(first);
}

static void test_unregistered_account_writes_nothing_until_it_registers(void **state)
{
	struct fx *f = *state;
	char *l = listing_json(&key_a, "U1", "Unregistered bracket", "EUR", 100, 1, "DE");
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "{\"create\":{\"U1\":%s}}", l);
	/* Refused as a method error inside the 200, saying how to register. */
	assert_int_equal(call(f, id_a, "Listing/set", kbuf_str(&b)), 200);
	expect_error(f, 0, "forbidden");
	const char *desc = str_at(resp_args(f, 0), "description");
	char want[160];
	snprintf(want, sizeof want, "Listing/set: account %s is not registered on this node", id_a);
	assert_non_null(strstr(desc, want));
	assert_non_null(strstr(desc, "Account/set"));
	assert_non_null(strstr(desc, "kontor node add"));
	call(f, id_a, "Rfq/set", "{\"create\":{\"r\":{\"title\":\"Bolts\",\"qty\":1}}}");
	expect_error(f, 0, "forbidden");
	assert_non_null(strstr(str_at(resp_args(f, 0), "description"), "Rfq/set: account"));
	/* Nothing was stored, and reading stays open to it. */
	call(f, id_a, "Listing/query", "{\"calculateTotal\":true}");
	expect_ok(f, 0, "Listing/query");
	assert_int_equal((int)at(resp_args(f, 0), "total")->valuedouble, 0);
	call(f, id_a, "Rfq/query", "{\"calculateTotal\":true}");
	expect_ok(f, 0, "Rfq/query");
	assert_int_equal((int)at(resp_args(f, 0), "total")->valuedouble, 0);
	/* Registering is the one write it may make; then it may publish. */
	register_account(f, id_a, "Alpha");
	assert_int_equal(call(f, id_a, "Listing/set", kbuf_str(&b)), 200);
	expect_ok(f, 0, "Listing/set");
	assert_non_null(at(at(resp_args(f, 0), "created"), "U1"));
	kbuf_free(&b);
	free(l);
}

static void test_if_in_state_mismatch(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha");
	call(f, id_a, "Rfq/set",
	     "{\"ifInState\":\"999\",\"create\":{\"r\":{\"title\":\"Bolts\",\"qty\":1}}}");
	expect_error(f, 0, "stateMismatch");
	call(f, NULL, "Rfq/query", "{\"calculateTotal\":true}");
	assert_int_equal((int)at(resp_args(f, 0), "total")->valuedouble, 0);
	call(f, id_a, "Rfq/set",
	     "{\"ifInState\":\"0\",\"create\":{\"r\":{\"title\":\"Bolts\",\"qty\":1}}}");
	expect_ok(f, 0, "Rfq/set");
}

static void test_changes_paging_with_has_more_changes(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha");
	for (int i = 0; i < 5; i++) {
		char sku[8];
		snprintf(sku, sizeof sku, "P%d", i);
		create_listing(f, &key_a, id_a, sku, "Cotton fabric", "USD", 500 + i, 1, "IN");
	}
	char since[32] = "0";
	int pages = 0, seen = 0, more;
	do {
		char args[96];
		snprintf(args, sizeof args, "{\"sinceState\":\"%s\",\"maxChanges\":2}", since);
		call(f, NULL, "Listing/changes", args);
		expect_ok(f, 0, "Listing/changes");
		const cJSON *r = resp_args(f, 0);
		seen += cJSON_GetArraySize(at(r, "created"));
		more = cJSON_IsTrue(at(r, "hasMoreChanges"));
		assert_string_equal(str_at(r, "oldState"), since);
		snprintf(since, sizeof since, "%s", str_at(r, "newState"));
		pages++;
	} while (more && pages < 10);
	assert_int_equal(seen, 5);
	assert_int_equal(pages, 3);
}

static void test_cannot_calculate_changes_past_horizon_or_malformed(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha");
	create_listing(f, &key_a, id_a, "T1", "Ceramic tile", "EUR", 99, 1, "IT");
	char lid[24], args[96];
	listing_id_of(id_a, "T1", lid);
	snprintf(args, sizeof args, "{\"destroy\":[\"%s\"]}", lid);
	call(f, id_a, "Listing/set", args);
	int64_t horizon = (int64_t)atoll(str_at(resp_args(f, 0), "newState"));
	struct kerr e = {0, ""};
	assert_int_equal(nstore_prune_tombstones(f->n.store, horizon, &e), K_OK);
	call(f, NULL, "Listing/changes", "{\"sinceState\":\"0\"}");
	expect_error(f, 0, "cannotCalculateChanges");
	call(f, NULL, "Listing/changes", "{\"sinceState\":\"banana\"}");
	expect_error(f, 0, "cannotCalculateChanges");
	call(f, NULL, "Listing/changes", "{\"sinceState\":\"99999\"}");
	expect_error(f, 0, "cannotCalculateChanges");
	snprintf(args, sizeof args, "{\"sinceState\":\"%lld\"}", (long long)horizon);
	call(f, NULL, "Listing/changes", args);
	expect_ok(f, 0, "Listing/changes");
}

static void test_backreference_query_to_get_in_one_request(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha");
	create_listing(f, &key_a, id_a, "L1", "Iron table legs", "USD", 1999, 4, "DE");
	create_listing(f, &key_a, id_a, "L2", "LED strip", "USD", 899, 10, "CN");
	run(f, NULL,
	    "{\"using\":[\"urn:ietf:params:jmap:core\",\"urn:kontor:trade\"],\"methodCalls\":["
	    "[\"Listing/query\",{\"filter\":{\"text\":\"iron\"}},\"q\"],"
	    "[\"Listing/get\",{\"#ids\":{\"resultOf\":\"q\",\"name\":\"Listing/query\","
	    "\"path\":\"/ids\"},\"properties\":[\"title\",\"sellerId\"]},\"g\"],"
	    "[\"Account/get\",{\"#ids\":{\"resultOf\":\"g\",\"name\":\"Listing/get\","
	    "\"path\":\"/list/*/sellerId\"}},\"a\"],"
	    "[\"Listing/get\",{\"#ids\":{\"resultOf\":\"zz\",\"name\":\"Listing/query\","
	    "\"path\":\"/ids\"}},\"bad\"]]}");
	assert_int_equal(f->status, 200);
	expect_ok(f, 1, "Listing/get");
	const cJSON *list = at(resp_args(f, 1), "list");
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_string_equal(str_at(list->child, "title"), "Iron table legs");
	expect_ok(f, 2, "Account/get");
	assert_string_equal(str_at(at(resp_args(f, 2), "list")->child, "id"), id_a);
	expect_error(f, 3, "invalidResultReference");
}

static void test_get_properties_filter_not_found_and_limits(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha");
	call(f, NULL, "Account/get", "{\"ids\":[\"@A\"],\"properties\":[\"nope\"]}");
	expect_error(f, 0, "invalidArguments");
	assert_non_null(strstr(str_at(resp_args(f, 0), "description"), "nope"));
	f->n.limits.max_objects_in_get = 1;
	call(f, NULL, "Account/get", "{\"ids\":[\"@A\",\"@B\"]}");
	expect_error(f, 0, "requestTooLarge");
	struct kbuf b = KBUF_INIT;
	kbuf_puts(&b, "{\"create\":{");
	for (int i = 0; i < 21; i++)
		kbuf_printf(&b, "%s\"r%d\":{\"title\":\"x\",\"qty\":1}", i ? "," : "", i);
	kbuf_puts(&b, "}}");
	call(f, id_a, "Rfq/set", kbuf_str(&b));
	expect_error(f, 0, "requestTooLarge");
	kbuf_free(&b);
}

static void test_listing_query_cjk_two_characters(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha");
	create_listing(f, &key_a, id_a, "CN1", "铁艺桌腿 黑色 工业风", "CNY", 4500, 50, "CN");
	create_listing(f, &key_a, id_a, "CN2", "实木餐桌", "CNY", 99900, 1, "CN");
	call(f, NULL, "Listing/query", "{\"filter\":{\"text\":\"桌腿\"},\"calculateTotal\":true}");
	expect_ok(f, 0, "Listing/query");
	char lid[24];
	listing_id_of(id_a, "CN1", lid);
	const cJSON *ids = at(resp_args(f, 0), "ids");
	assert_int_equal(cJSON_GetArraySize(ids), 1);
	assert_true(ids_has(ids, lid));
	assert_int_equal((int)at(resp_args(f, 0), "total")->valuedouble, 1);
}

static void test_listing_query_filters_and_sorts(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha");
	register_account(f, id_b, "Beta");
	create_listing(f, &key_a, id_a, "L1", "Iron table legs black", "USD", 1999, 4, "DE");
	create_listing(f, &key_b, id_b, "L2", "LED strip warm white", "USD", 899, 10, "CN");
	create_listing(f, &key_a, id_a, "L3", "Table lamp iron base", "USD", 2999, 2, "VN");
	create_listing(f, &key_b, id_b, "L4", "Coffee beans arabica", "EUR", 1500, 100, "BR");
	char l1[24], l2[24], l3[24], l4[24];
	listing_id_of(id_a, "L1", l1);
	listing_id_of(id_b, "L2", l2);
	listing_id_of(id_a, "L3", l3);
	listing_id_of(id_b, "L4", l4);

	call(f, NULL, "Listing/query",
	     "{\"filter\":{\"currency\":\"USD\",\"maxPrice\":2000},"
	     "\"sort\":[{\"property\":\"price\"}]}");
	const cJSON *ids = at(resp_args(f, 0), "ids");
	assert_int_equal(cJSON_GetArraySize(ids), 2);
	assert_string_equal(cJSON_GetArrayItem(ids, 0)->valuestring, l2);
	assert_string_equal(cJSON_GetArrayItem(ids, 1)->valuestring, l1);

	call(f, NULL, "Listing/query",
	     "{\"filter\":{\"currency\":\"USD\"},\"sort\":[{\"property\":\"price\","
	     "\"isAscending\":false}],\"limit\":1}");
	ids = at(resp_args(f, 0), "ids");
	assert_int_equal(cJSON_GetArraySize(ids), 1);
	assert_string_equal(ids->child->valuestring, l3);

	call(f, NULL, "Listing/query", "{\"filter\":{\"country\":\"CN\"}}");
	ids = at(resp_args(f, 0), "ids");
	assert_int_equal(cJSON_GetArraySize(ids), 1);
	assert_string_equal(ids->child->valuestring, l2);

	call(f, NULL, "Listing/query", "{\"filter\":{\"maxMoq\":4,\"sellerId\":\"@A\"}}");
	assert_int_equal(cJSON_GetArraySize(at(resp_args(f, 0), "ids")), 2);

	call(f, NULL, "Listing/query",
	     "{\"filter\":{\"currency\":\"USD\",\"minPrice\":1000,\"incoterm\":\"FOB\"}}");
	assert_int_equal(cJSON_GetArraySize(at(resp_args(f, 0), "ids")), 2);

	call(f, NULL, "Listing/query", "{\"sort\":[{\"property\":\"newest\"}]}");
	ids = at(resp_args(f, 0), "ids");
	assert_string_equal(cJSON_GetArrayItem(ids, 0)->valuestring, l4);
	assert_string_equal(cJSON_GetArrayItem(ids, 3)->valuestring, l1);

	/* Relevance: both words in the title (L1, L3) before the rest. */
	call(f, NULL, "Listing/query", "{\"filter\":{\"text\":\"iron table\"}}");
	assert_int_equal(cJSON_GetArraySize(at(resp_args(f, 0), "ids")), 2);

	call(f, NULL, "Listing/query",
	     "{\"sort\":[{\"property\":\"rating\"}],\"position\":-1,\"calculateTotal\":true}");
	expect_ok(f, 0, "Listing/query");
	assert_int_equal((int)at(resp_args(f, 0), "position")->valuedouble, 3);
	assert_int_equal(cJSON_GetArraySize(at(resp_args(f, 0), "ids")), 1);
	assert_int_equal((int)at(resp_args(f, 0), "total")->valuedouble, 4);

	call(f, NULL, "Listing/query", "{\"filter\":{\"maxPrice\":10}}");
	expect_error(f, 0, "invalidArguments");
	assert_non_null(strstr(str_at(resp_args(f, 0), "description"), "currency"));
	call(f, NULL, "Listing/query", "{\"filter\":{\"colour\":\"red\"}}");
	expect_error(f, 0, "unsupportedFilter");
	call(f, NULL, "Listing/query", "{\"sort\":[{\"property\":\"weight\"}]}");
	expect_error(f, 0, "unsupportedSort");
	call(f, NULL, "Listing/query", "{\"limit\":1000}");
	assert_int_equal((int)at(resp_args(f, 0), "limit")->valuedouble, 100);
}

/* ---------------------------------------------------------------- Rfq */

static void test_rfq_set_get_query_update_destroy(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha");
	register_account(f, id_b, "Beta");
	call(f, id_a, "Rfq/set",
	     "{\"create\":{\"r\":{\"title\":\"LED strips\",\"qty\":2000,\"destination\":\"FR\","
	     "\"currency\":\"EUR\",\"targetPrice\":150}}}");
	expect_ok(f, 0, "Rfq/set");
	char *rid = strdup(str_at(at(at(resp_args(f, 0), "created"), "r"), "id"));
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "{\"ids\":[\"%s\"]}", rid);
	call(f, NULL, "Rfq/get", kbuf_str(&b));
	const cJSON *got = at(resp_args(f, 0), "list")->child;
	assert_string_equal(str_at(got, "buyerId"), id_a);
	assert_string_equal(str_at(got, "title"), "LED strips");

	call(f, NULL, "Rfq/query", "{\"filter\":{\"destination\":\"FR\"}}");
	assert_true(ids_has(at(resp_args(f, 0), "ids"), rid));

	kbuf_reset(&b);
	kbuf_printf(&b, "{\"update\":{\"%s\":{\"status\":\"closed\"}}}", rid);
	call(f, id_b, "Rfq/set", kbuf_str(&b));
	assert_string_equal(str_at(at(at(resp_args(f, 0), "notUpdated"), rid), "type"),
	                    "forbidden");
	call(f, id_a, "Rfq/set", kbuf_str(&b));
	assert_non_null(at(at(resp_args(f, 0), "updated"), rid));
	kbuf_reset(&b);
	kbuf_printf(&b, "{\"update\":{\"%s\":{\"qty\":0}}}", rid);
	call(f, id_a, "Rfq/set", kbuf_str(&b));
	const cJSON *se = at(at(resp_args(f, 0), "notUpdated"), rid);
	assert_string_equal(at(se, "properties")->child->valuestring, "qty");

	call(f, NULL, "Rfq/changes", "{\"sinceState\":\"0\"}");
	assert_true(ids_has(at(resp_args(f, 0), "created"), rid));

	kbuf_reset(&b);
	kbuf_printf(&b, "{\"destroy\":[\"%s\"]}", rid);
	call(f, id_a, "Rfq/set", kbuf_str(&b));
	assert_true(ids_has(at(resp_args(f, 0), "destroyed"), rid));
	kbuf_free(&b);
	free(rid);
}

/* ---------------------------------------------------------------- Conversation, Message */

static void test_conversation_and_messages_private_to_participants(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha");
	register_account(f, id_b, "Beta");
	register_account(f, id_c, "Gamma");
	/* One request: open a conversation and send into it by creation id. */
	char *body =
	    fill("{\"using\":[],\"methodCalls\":["
	         "[\"Conversation/set\",{\"create\":{\"c1\":{\"participants\":[\"@A\",\"@B\"],"
	         "\"subject\":\"Table legs\"}}},\"0\"],"
	         "[\"Message/set\",{\"create\":{\"m1\":{\"conversationId\":\"#c1\","
	         "\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
	         "\"ciphertext\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}}},\"1\"]]}");
	assert_int_equal(run(f, id_a, body), 200);
	free(body);
	expect_ok(f, 0, "Conversation/set");
	expect_ok(f, 1, "Message/set");
	const cJSON *m1 = at(at(resp_args(f, 1), "created"), "m1");
	if (!m1)
		fail_msg("message not created: %s", cJSON_PrintUnformatted(resp_args(f, 1)));
	assert_string_equal(str_at(m1, "to"), id_b);
	char *cid = strdup(str_at(at(at(resp_args(f, 0), "created"), "c1"), "id"));
	char *mid = strdup(str_at(m1, "id"));

	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "{\"ids\":[\"%s\"]}", cid);
	call(f, id_b, "Conversation/get", kbuf_str(&b));
	assert_int_equal(cJSON_GetArraySize(at(resp_args(f, 0), "list")), 1);
	call(f, id_c, "Conversation/get", kbuf_str(&b));
	assert_int_equal(cJSON_GetArraySize(at(resp_args(f, 0), "list")), 0);
	assert_true(ids_has(at(resp_args(f, 0), "notFound"), cid));

	kbuf_reset(&b);
	kbuf_printf(&b, "{\"ids\":[\"%s\"]}", mid);
	call(f, id_b, "Message/get", kbuf_str(&b));
	const cJSON *msg = at(resp_args(f, 0), "list")->child;
	assert_string_equal(str_at(msg, "from"), id_a);
	assert_string_equal(str_at(msg, "ciphertext"), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	call(f, id_c, "Message/get", kbuf_str(&b));
	assert_int_equal(cJSON_GetArraySize(at(resp_args(f, 0), "list")), 0);

	call(f, id_b, "Message/changes", "{\"sinceState\":\"0\"}");
	assert_true(ids_has(at(resp_args(f, 0), "created"), mid));
	call(f, id_b, "Conversation/changes", "{\"sinceState\":\"0\"}");
	assert_true(ids_has(at(resp_args(f, 0), "created"), cid));
	call(f, id_c, "Conversation/changes", "{\"sinceState\":\"0\"}");
	assert_int_equal(cJSON_GetArraySize(at(resp_args(f, 0), "created")), 0);
	call(f, id_c, "Message/changes", "{\"sinceState\":\"0\"}");
	assert_int_equal(cJSON_GetArraySize(at(resp_args(f, 0), "created")), 0);
	call(f, id_c, "Conversation/query", "{\"calculateTotal\":true}");
	assert_int_equal((int)at(resp_args(f, 0), "total")->valuedouble, 0);
	call(f, id_b, "Conversation/query", "{}");
	assert_true(ids_has(at(resp_args(f, 0), "ids"), cid));
	kbuf_reset(&b);
	kbuf_printf(&b, "{\"filter\":{\"conversationId\":\"%s\"}}", cid);
	call(f, id_b, "Message/query", kbuf_str(&b));
	assert_true(ids_has(at(resp_args(f, 0), "ids"), mid));

	/* An outsider cannot post into it, nor pretend to be someone else. */
	kbuf_reset(&b);
	kbuf_printf(&b,
	            "{\"create\":{\"x\":{\"conversationId\":\"%s\","
	            "\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
	            "\"ciphertext\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}}}",
	            cid);
	call(f, id_c, "Message/set", kbuf_str(&b));
	assert_string_equal(
	    at(at(at(resp_args(f, 0), "notCreated"), "x"), "properties")->child->valuestring,
	    "conversationId");
	/* Messages cannot be edited; only the sender deletes one. */
	kbuf_reset(&b);
	kbuf_printf(&b, "{\"update\":{\"%s\":{\"ciphertext\":\"x\"}},\"destroy\":[\"%s\"]}", mid,
	            mid);
	call(f, id_b, "Message/set", kbuf_str(&b));
	assert_string_equal(str_at(at(at(resp_args(f, 0), "notUpdated"), mid), "type"),
	                    "forbidden");
	assert_string_equal(str_at(at(at(resp_args(f, 0), "notDestroyed"), mid), "type"),
	                    "forbidden");
	/* A participant's update of the subject. */
	kbuf_reset(&b);
	kbuf_printf(&b, "{\"update\":{\"%s\":{\"subject\":\"Legs, 500 pcs\"}}}", cid);
	call(f, id_b, "Conversation/set", kbuf_str(&b));
	assert_non_null(at(at(resp_args(f, 0), "updated"), cid));
	kbuf_reset(&b);
	kbuf_printf(&b, "{\"destroy\":[\"%s\"]}", cid);
	call(f, id_a, "Conversation/set", kbuf_str(&b));
	assert_true(ids_has(at(resp_args(f, 0), "destroyed"), cid));
	kbuf_reset(&b);
	kbuf_printf(&b, "{\"ids\":[\"%s\"]}", mid);
	call(f, id_a, "Message/get", kbuf_str(&b));
	assert_true(ids_has(at(resp_args(f, 0), "notFound"), mid));
	kbuf_free(&b);
	free(cid);
	free(mid);
}

static void test_conversation_with_unknown_account_is_refused(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha");
	call(f, id_a, "Conversation/set",
	     "{\"create\":{\"c\":{\"participants\":[\"@A\",\"@C\"]}}}");
	const cJSON *se = at(at(resp_args(f, 0), "notCreated"), "c");
	assert_string_equal(at(se, "properties")->child->valuestring, "participants");
	call(f, id_a, "Conversation/set",
	     "{\"create\":{\"c\":{\"participants\":[\"@B\",\"@C\"]}}}");
	se = at(at(resp_args(f, 0), "notCreated"), "c");
	assert_string_equal(str_at(se, "type"), "forbidden");
}

/* Both parties open the conversation under the id both make before either has the other's:
 * the second create is answered as done. Anyone else, or another topic, still hears the id
 * is taken. */
static void test_a_conversation_opened_twice_by_its_two_parties_is_one(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha");
	register_account(f, id_b, "Beta");
	register_account(f, id_c, "Gamma");
	char *ab =
	    fill("{\"create\":{\"c\":{\"id\":\"CpairAAAAAAAAAAAAAAAAAA\","
	         "\"participants\":[\"@A\",\"@B\"],\"listingId\":\"LoneAAAAAAAAAAAAAAAAAAA\"}}}");
	char *ba =
	    fill("{\"create\":{\"c\":{\"id\":\"CpairAAAAAAAAAAAAAAAAAA\","
	         "\"participants\":[\"@B\",\"@A\"],\"listingId\":\"LoneAAAAAAAAAAAAAAAAAAA\"}}}");
	char *cb =
	    fill("{\"create\":{\"c\":{\"id\":\"CpairAAAAAAAAAAAAAAAAAA\","
	         "\"participants\":[\"@C\",\"@B\"],\"listingId\":\"LoneAAAAAAAAAAAAAAAAAAA\"}}}");
	char *other =
	    fill("{\"create\":{\"c2\":{\"id\":\"CpairAAAAAAAAAAAAAAAAAA\","
	         "\"participants\":[\"@B\",\"@A\"],\"listingId\":\"LtwoAAAAAAAAAAAAAAAAAAA\"}}}");
	call(f, id_a, "Conversation/set", ab);
	assert_string_equal(str_at(at(at(resp_args(f, 0), "created"), "c"), "id"),
	                    "CpairAAAAAAAAAAAAAAAAAA");
	call(f, id_b, "Conversation/set", ba);
	assert_string_equal(str_at(at(at(resp_args(f, 0), "created"), "c"), "id"),
	                    "CpairAAAAAAAAAAAAAAAAAA");
	call(f, id_c, "Conversation/set", cb);
	assert_string_equal(str_at(at(at(resp_args(f, 0), "notCreated"), "c"), "type"),
	                    "alreadyExists");
	call(f, id_b, "Conversation/set", other); /* c2: c would be the same create again */
	assert_string_equal(str_at(at(at(resp_args(f, 0), "notCreated"), "c2"), "type"),
	                    "alreadyExists");
	call(f, id_b, "Conversation/query", "{\"calculateTotal\":true}");
	assert_int_equal((int)at(resp_args(f, 0), "total")->valuedouble, 1);
	call(f, id_c, "Conversation/query", "{\"calculateTotal\":true}");
	assert_int_equal((int)at(resp_args(f, 0), "total")->valuedouble, 0);
	free(ab);
	free(ba);
	free(cb);
	free(other);
}

/* ---------------------------------------------------------------- restart */

static void test_restart_keeps_everything(void **state)
{
	struct fx *f = *state;
	register_account(f, id_a, "Alpha");
	create_listing(f, &key_a, id_a, "K1", "铁艺桌腿", "CNY", 4500, 50, "CN");
	call(f, id_a, "Rfq/set", "{\"create\":{\"r\":{\"title\":\"Bolts\",\"qty\":9}}}");
	struct kbuf before = KBUF_INIT, after = KBUF_INIT;
	api_states(&f->n, &before);
	nstore_close(&f->n.store);
	struct kerr e = {0, ""};
	assert_int_equal(nstore_open(f->path, 0, &f->n.store, &e), K_OK);
	api_states(&f->n, &after);
	assert_string_equal(kbuf_str(&before), kbuf_str(&after));
	call(f, NULL, "Listing/query", "{\"filter\":{\"text\":\"桌腿\"}}");
	assert_int_equal(cJSON_GetArraySize(at(resp_args(f, 0), "ids")), 1);
	call(f, NULL, "Rfq/query", "{\"calculateTotal\":true}");
	assert_int_equal((int)at(resp_args(f, 0), "total")->valuedouble, 1);
	/* Creation ids too: the retry after a restart makes nothing new. */
	call(f, id_a, "Rfq/set", "{\"create\":{\"r\":{\"title\":\"Bolts\",\"qty\":9}}}");
	call(f, NULL, "Rfq/query", "{\"calculateTotal\":true}");
	assert_int_equal((int)at(resp_args(f, 0), "total")->valuedouble, 1);
	kbuf_free(&before);
	kbuf_free(&after);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_session_object_has_urls_limits_and_state),
	    T(test_not_json_and_wrong_shape_are_400),
	    T(test_calls_limit_is_413),
	    T(test_anonymous_write_is_401),
	    T(test_bad_call_fails_alone_while_next_runs),
	    T(test_account_register_get_changes_query),
	    T(test_account_register_as_another_key_is_forbidden),
	    T(test_account_edit_another_profile_is_forbidden),
	    T(test_listing_create_get_update_destroy),
	    T(test_listing_bad_signature_not_created_naming_sig),
	    T(test_listing_not_in_canonical_form_names_the_property),
	    T(test_listing_edit_by_another_seller_is_forbidden),
	    T(test_retried_create_with_same_creation_id_makes_one_object),
	    T(test_unregistered_account_writes_nothing_until_it_registers),
	    T(test_if_in_state_mismatch),
	    T(test_changes_paging_with_has_more_changes),
	    T(test_cannot_calculate_changes_past_horizon_or_malformed),
	    T(test_backreference_query_to_get_in_one_request),
	    T(test_get_properties_filter_not_found_and_limits),
	    T(test_listing_query_cjk_two_characters),
	    T(test_listing_query_filters_and_sorts),
	    T(test_rfq_set_get_query_update_destroy),
	    T(test_conversation_and_messages_private_to_participants),
	    T(test_conversation_with_unknown_account_is_refused),
	    T(test_a_conversation_opened_twice_by_its_two_parties_is_one),
	    T(test_restart_keeps_everything),
	};
#undef T
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
