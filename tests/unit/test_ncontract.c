/* test_ncontract — the node's Contract type: the strict-prefix check on an update (sections
 * byte for byte, then new sections or new signatures on the latest offer), only the
 * caller's own signatures, parties only; and through api_handle: create, private get /
 * changes / query, a wrong signature, a broken chain or a wrong role refused with
 * invalidProperties naming the section, binding recording the order id. Fixed keys; runs
 * from the repo root (needs Debian's iso-codes). */
#include "kontor/canon.h"
#include "trade_fx.h"

static const char *escrow = NULL; /* the escrow agent of new offers: node_id when NULL */

static int group_setup(void **state)
{
	static const struct price_tier tiers[] = {{100, 1200}, {1000, 1100}};
	return fx_group_setup(11, tiers, 2);
}

/* ---------------------------------------------------------------- building contracts */

static void make_terms(struct contract_terms *t, int64_t qty, const char *prev,
                       const char *supersedes)
{
	struct kerr e = {0, ""};
	contract_terms_init(t);
	memcpy(t->buyer, buyer_id, sizeof t->buyer);
	memcpy(t->escrow_agent, escrow ? escrow : node_id, sizeof t->escrow_agent);
	assert_int_equal(contract_terms_add_listing(t, &lst, qty, -1, NULL, &e), K_OK);
	memcpy(t->incoterm, "FOB", 4);
	t->named_place = xstrdup("Shanghai");
	memcpy(t->mode, "sea", 4);
	memcpy(t->ship_by, "2027-01-15", 11);
	memcpy(t->deliver_by, "2027-03-01", 11);
	t->governing_law = xstrdup("CISG");
	t->dispute_venue = xstrdup("Arbitration by the node operator");
	memcpy(t->language, "en", 3);
	if (prev)
		snprintf(t->prev, sizeof t->prev, "%s", prev);
	if (supersedes)
		snprintf(t->supersedes, sizeof t->supersedes, "%s", supersedes);
	assert_int_equal(contract_terms_total(t, &e), K_OK);
}

static cJSON *offer(int64_t qty, const char *prev, const char *supersedes, const char *role,
                    const struct kkeypair *kp)
{
	struct kerr e = {0, ""};
	struct contract_terms t;
	cJSON *body = NULL, *sec = NULL;
	make_terms(&t, qty, prev, supersedes);
	if (contract_terms_to_json(&t, &body, &e) != K_OK)
		fail_msg("to_json: %s", e.msg);
	contract_terms_free(&t);
	assert_int_equal(contract_section_make("offer", body, &sec, &e), K_OK);
	cJSON_Delete(body);
	if (role)
		assert_int_equal(contract_section_sign(sec, role, kp, &e), K_OK);
	return sec;
}

/* The buyer's offer for 1500, signed by the buyer. */
static cJSON *proposed(void)
{
	struct kerr e = {0, ""};
	cJSON *c = NULL;
	assert_int_equal(contract_new(offer(1500, NULL, NULL, "buyer", &buyer_kp), &c, &e), K_OK);
	return c;
}

static cJSON *section_at(cJSON *c, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c, "sections"), i);
}

static const char *hash_of(cJSON *c, int i)
{
	return cJSON_GetObjectItemCaseSensitive(section_at(c, i), "hash")->valuestring;
}

/* proposed() plus the seller's counter for 2000. */
static cJSON *countered(void)
{
	struct kerr e = {0, ""};
	cJSON *c = proposed();
	char tip[KCRYPTO_HASH_B64_LEN + 1];
	assert_int_equal(contract_tip(c, tip, &e), K_OK);
	assert_int_equal(contract_append(c, offer(2000, tip, tip, "seller", &seller_kp), &e), K_OK);
	return c;
}

static void expect(const cJSON *old, const cJSON *doc, const char *caller, int code,
                   const char *msg)
{
	struct kerr e = {0, ""};
	struct contract_status st;
	int same = 0;
	int rc = ncontract_check(old, doc, caller, &st, &same, &e);
	if (rc != code || (msg && !strstr(e.msg, msg)))
		fail_msg("expected %d '%s', got %d '%s'", code, msg ? msg : "", rc, e.msg);
}

/* ---------------------------------------------------------------- the check */

static void test_create_needs_a_party_signing_for_itself(void **state)
{
	cJSON *c = proposed();
	expect(NULL, c, buyer_id, K_OK, NULL);
	expect(NULL, c, other_id, K_EPERM, "not a party");
	/* The seller cannot upload the buyer's signature as its own act. */
	expect(NULL, c, seller_id, K_EPERM, "section 0 (offer): the new signature is by");
	cJSON_Delete(c);
}

static void test_update_appends_a_counter_signed_by_the_caller(void **state)
{
	struct kerr e = {0, ""};
	struct contract_status st;
	int same = 1;
	cJSON *old = proposed(), *c = countered();
	assert_int_equal(ncontract_check(old, c, seller_id, &st, &same, &e), K_OK);
	assert_int_equal(same, 0);
	assert_int_equal(st.latest_offer, 1);
	assert_int_equal(st.binding, -1);
	/* The buyer cannot push the seller's counter. */
	expect(old, c, buyer_id, K_EPERM, "section 1 (offer): the new signature is by");
	expect(old, c, other_id, K_EPERM, "not a party");
	/* The same document again adds nothing: a retried update. */
	assert_int_equal(ncontract_check(c, c, seller_id, &st, &same, &e), K_OK);
	assert_int_equal(same, 1);
	cJSON_Delete(old);
	cJSON_Delete(c);
}

static void test_stored_sections_must_stay_byte_for_byte(void **state)
{
	cJSON *old = countered();
	/* One byte of a stored body changed. */
	cJSON *c = cJSON_Duplicate(old, 1);
	cJSON *body = cJSON_GetObjectItemCaseSensitive(section_at(c, 0), "body");
	char *p = strstr(body->valuestring, "\"qty\":1500");
	assert_non_null(p);
	p[7] = '6';
	expect(old, c, seller_id, K_EINVAL,
	       "section 0 (offer): differs from the one the node holds");
	cJSON_Delete(c);

	/* A section dropped. */
	c = cJSON_Duplicate(old, 1);
	cJSON_DeleteItemFromArray(cJSON_GetObjectItemCaseSensitive(c, "sections"), 1);
	expect(old, c, seller_id, K_EINVAL, "sections are never removed");
	cJSON_Delete(c);

	/* A stored signature dropped. */
	c = cJSON_Duplicate(old, 1);
	cJSON_DeleteItemFromArray(cJSON_GetObjectItemCaseSensitive(section_at(c, 1), "signatures"),
	                          0);
	expect(old, c, seller_id, K_EINVAL,
	       "section 1 (offer): a signature the node holds is missing");
	cJSON_Delete(c);

	/* The envelope changed. */
	c = cJSON_Duplicate(old, 1);
	cJSON_ReplaceItemInObjectCaseSensitive(c, "sellerId", cJSON_CreateString(other_id));
	expect(old, c, buyer_id, K_EINVAL, "sellerId: cannot be changed");
	cJSON_Delete(c);
	cJSON_Delete(old);
}

static void test_only_the_latest_offer_takes_new_signatures(void **state)
{
	struct kerr e = {0, ""};
	cJSON *old = countered();
	cJSON *c = cJSON_Duplicate(old, 1);
	/* The seller signs the buyer's superseded first offer. */
	assert_int_equal(contract_section_sign(section_at(c, 0), "seller", &seller_kp, &e), K_OK);
	expect(old, c, seller_id, K_EINVAL, "section 0 (offer): only the latest offer (section 1)");
	cJSON_Delete(c);
	cJSON_Delete(old);
}

static void test_signing_the_counter_binds_it_and_names_the_order(void **state)
{
	struct kerr e = {0, ""};
	struct contract_status st;
	int same = 1;
	cJSON *old = countered();
	cJSON *c = cJSON_Duplicate(old, 1);
	assert_int_equal(contract_section_sign(section_at(c, 1), "buyer", &buyer_kp, &e), K_OK);
	assert_int_equal(ncontract_check(old, c, buyer_id, &st, &same, &e), K_OK);
	assert_int_equal(st.binding, 1);
	assert_string_equal(st.order_id, hash_of(c, 1));
	/* Signed by the seller it is not the seller's to push as the buyer's. */
	expect(old, c, seller_id, K_EPERM, "section 1 (offer): the new signature is by");
	cJSON_Delete(c);
	cJSON_Delete(old);
}

static void test_wrong_signature_role_and_chain_fail_verification(void **state)
{
	struct kerr e = {0, ""};
	cJSON *old = countered();

	/* A buyer signature made with another key. */
	cJSON *c = cJSON_Duplicate(old, 1);
	assert_int_equal(contract_section_sign(section_at(c, 1), "buyer", &other_kp, &e), K_OK);
	cJSON *sigs = cJSON_GetObjectItemCaseSensitive(section_at(c, 1), "signatures");
	cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetArrayItem(sigs, 1), "by",
	                                       cJSON_CreateString(buyer_id));
	expect(old, c, buyer_id, K_EVERIFY, "section 1 (offer): signature");
	cJSON_Delete(c);

	/* The buyer signing as the seller. */
	c = cJSON_Duplicate(old, 1);
	assert_int_equal(contract_section_sign(section_at(c, 1), "seller", &buyer_kp, &e), K_OK);
	expect(old, c, buyer_id, K_EVERIFY, "section 1 (offer)");
	cJSON_Delete(c);

	/* A counter whose prev is not the tip. */
	cJSON *p = proposed();
	c = cJSON_Duplicate(p, 1);
	const char *bogus = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	assert_int_equal(
	    contract_append(c, offer(2000, hash_of(c, 0), bogus, "seller", &seller_kp), &e), K_OK);
	expect(p, c, seller_id, K_EVERIFY, "section 1 (offer)");
	cJSON_Delete(c);
	cJSON_Delete(p);
	cJSON_Delete(old);
}

/* ---------------------------------------------------------------- through the API */

/* The node with the API tests' tighter limits. */
static int setup(void **state)
{
	if (fx_setup(state, "ncontract") != 0)
		return -1;
	struct node_limits *l = &((struct fx *)*state)->n.limits;
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
	return 0;
}

/* Contract/set create of doc by caller under the creation id key (a caller's key names one
 * creation: sent again, it answers what it made the first time). */
static const cJSON *create_as(struct fx *f, const char *caller, const cJSON *doc, const char *key)
{
	cJSON *args = cJSON_CreateObject(), *cr = cJSON_AddObjectToObject(args, "create");
	cJSON_AddItemToObject(cr, key, cJSON_Duplicate(doc, 1));
	return call(f, caller, "Contract/set", args);
}

static const cJSON *create(struct fx *f, const char *caller, const cJSON *doc)
{
	return create_as(f, caller, doc, "k1");
}

static const cJSON *update(struct fx *f, const char *caller, const cJSON *doc)
{
	cJSON *args = cJSON_CreateObject(), *up = cJSON_AddObjectToObject(args, "update");
	cJSON *patch = cJSON_AddObjectToObject(
	    up, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "id")));
	cJSON_AddItemToObject(
	    patch, "sections",
	    cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(doc, "sections"), 1));
	return call(f, caller, "Contract/set", args);
}

/* The SetError of key in map ("notCreated", "notUpdated"), or NULL. */
static const cJSON *set_error(const cJSON *r, const char *map, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, map), key);
}

static void expect_set_error(const cJSON *err, const char *type, const char *desc)
{
	if (!err)
		fail_msg("no SetError, wanted %s", type);
	const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err, "type"));
	const char *d = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err, "description"));
	if (!t || strcmp(t, type) != 0 || (desc && (!d || !strstr(d, desc))))
		fail_msg("wanted %s '%s', got %s '%s'", type, desc ? desc : "", t ? t : "-",
		         d ? d : "-");
}

static int ids_count(const cJSON *r, const char *name)
{
	return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, name));
}

static void test_api_contract_life_private_to_its_parties(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	cJSON *p = proposed();
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "id"));

	/* A stranger cannot create it; the buyer can. */
	expect_set_error(set_error(create(f, other_id, p), "notCreated", "k1"), "forbidden",
	                 "not a party");
	const cJSON *r = create(f, buyer_id, p);
	assert_null(set_error(r, "notCreated", "k1"));
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	                        cJSON_GetObjectItemCaseSensitive(
	                            cJSON_GetObjectItemCaseSensitive(r, "created"), "k1"),
	                        "state")),
	                    "offer");

	/* Get: both parties see it, a stranger is told notFound. */
	cJSON *ga = cJSON_CreateObject();
	cJSON_AddItemToObject(ga, "ids", cJSON_CreateStringArray(&id, 1));
	r = call(f, seller_id, "Contract/get", ga);
	assert_int_equal(ids_count(r, "list"), 1);
	ga = cJSON_CreateObject();
	cJSON_AddItemToObject(ga, "ids", cJSON_CreateStringArray(&id, 1));
	r = call(f, other_id, "Contract/get", ga);
	assert_int_equal(ids_count(r, "list"), 0);
	assert_int_equal(ids_count(r, "notFound"), 1);
	/* Anonymous: a signature is needed (401). */
	{
		const char *body = "{\"using\":[\"urn:kontor:trade\"],\"methodCalls\":"
		                   "[[\"Contract/get\",{\"ids\":null},\"c0\"]]}";
		struct kbuf out = KBUF_INIT, methods = KBUF_INIT;
		struct api_caller anon = {NULL, "127.0.0.1"};
		assert_int_equal(api_handle(&f->n, &anon, body, strlen(body), &out, &methods), 401);
		kbuf_free(&out);
		kbuf_free(&methods);
	}

	/* Changes: the seller learns of it, the stranger does not. */
	cJSON *ca = cJSON_CreateObject();
	cJSON_AddStringToObject(ca, "sinceState", "0");
	r = call(f, seller_id, "Contract/changes", ca);
	assert_int_equal(ids_count(r, "created"), 1);
	ca = cJSON_CreateObject();
	cJSON_AddStringToObject(ca, "sinceState", "0");
	r = call(f, other_id, "Contract/changes", ca);
	assert_int_equal(ids_count(r, "created"), 0);

	/* The seller counters; a forged buyer signature on it is refused naming the section. */
	cJSON *c = cJSON_Duplicate(p, 1);
	char tip[KCRYPTO_HASH_B64_LEN + 1];
	assert_int_equal(contract_tip(c, tip, &e), K_OK);
	assert_int_equal(contract_append(c, offer(2000, tip, tip, "seller", &seller_kp), &e), K_OK);
	expect_set_error(set_error(update(f, other_id, c), "notUpdated", id), "notFound", NULL);
	expect_set_error(set_error(update(f, buyer_id, c), "notUpdated", id), "forbidden",
	                 "section 1 (offer)");
	r = update(f, seller_id, c);
	assert_null(set_error(r, "notUpdated", id));

	cJSON *forged = cJSON_Duplicate(c, 1);
	assert_int_equal(contract_section_sign(section_at(forged, 1), "buyer", &other_kp, &e),
	                 K_OK);
	cJSON *sigs = cJSON_GetObjectItemCaseSensitive(section_at(forged, 1), "signatures");
	cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetArrayItem(sigs, 1), "by",
	                                       cJSON_CreateString(buyer_id));
	const cJSON *err = set_error(update(f, buyer_id, forged), "notUpdated", id);
	expect_set_error(err, "invalidProperties", "section 1 (offer): signature");
	assert_string_equal(
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(err, "properties"), 0)->valuestring,
	    "sections");
	cJSON_Delete(forged);

	/* Query by state: countered. */
	cJSON *qa = cJSON_CreateObject();
	cJSON_AddItemToObject(qa, "filter", cJSON_CreateObject());
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(qa, "filter"), "state",
	                        "countered");
	r = call(f, buyer_id, "Contract/query", qa);
	assert_int_equal(ids_count(r, "ids"), 1);

	/* The buyer signs the counter: binding, the order id recorded. */
	assert_int_equal(contract_section_sign(section_at(c, 1), "buyer", &buyer_kp, &e), K_OK);
	r = update(f, buyer_id, c);
	assert_null(set_error(r, "notUpdated", id));
	const cJSON *u =
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "updated"), id);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(u, "state")),
	                    "binding");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(u, "orderId")),
	                    hash_of(c, 1));
	qa = cJSON_CreateObject();
	cJSON_AddItemToObject(qa, "filter", cJSON_CreateObject());
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(qa, "filter"), "orderId",
	                        hash_of(c, 1));
	r = call(f, seller_id, "Contract/query", qa);
	assert_int_equal(ids_count(r, "ids"), 1);
	/* The same update again is accepted and changes nothing (a retried push). */
	r = update(f, buyer_id, c);
	assert_null(set_error(r, "notUpdated", id));

	/* The same document created again (another creation id): what was asked for. */
	cJSON *args = cJSON_CreateObject(), *cr = cJSON_AddObjectToObject(args, "create");
	cJSON_AddItemToObject(cr, "k2", cJSON_Duplicate(c, 1));
	r = call(f, buyer_id, "Contract/set", args);
	assert_null(set_error(r, "notCreated", "k2"));

	/* Never destroyed. */
	cJSON *da = cJSON_CreateObject();
	cJSON_AddItemToObject(da, "destroy", cJSON_CreateStringArray(&id, 1));
	r = call(f, buyer_id, "Contract/set", da);
	expect_set_error(set_error(r, "notDestroyed", id), "forbidden", "cancelled");
	cJSON_Delete(c);
	cJSON_Delete(p);
}

/* created and updated of one contract, asked for by the buyer as properties. */
static const cJSON *times_of(struct fx *f, const char *id)
{
	const char *props[] = {"created", "updated", "buyerId"};
	cJSON *ga = cJSON_CreateObject();
	cJSON_AddItemToObject(ga, "ids", cJSON_CreateStringArray(&id, 1));
	cJSON_AddItemToObject(ga, "properties", cJSON_CreateStringArray(props, 3));
	const cJSON *r = call(f, buyer_id, "Contract/get", ga);
	const cJSON *k = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "list"), 0);
	assert_non_null(k);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "buyerId")),
	                    buyer_id);
	assert_null(cJSON_GetObjectItemCaseSensitive(k, "sections"));
	return k;
}

static void test_get_serves_created_and_updated_as_the_document_says(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	/* an offer made now carries its time: created and updated are that time */
	struct contract_terms t;
	cJSON *body = NULL, *sec = NULL, *doc = NULL;
	make_terms(&t, 700, NULL, NULL);
	contract_terms_stamp(&t);
	assert_int_equal(contract_terms_to_json(&t, &body, &e), K_OK);
	assert_int_equal(contract_section_make("offer", body, &sec, &e), K_OK);
	assert_int_equal(contract_section_sign(sec, "buyer", &buyer_kp, &e), K_OK);
	assert_int_equal(contract_new(sec, &doc, &e), K_OK);
	assert_null(set_error(create(f, buyer_id, doc), "notCreated", "k1"));
	const cJSON *k =
	    times_of(f, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "id")));
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "created")),
	                    t.created);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "updated")),
	                    t.created);
	/* one an older kontor made gives no time: null, not a guess */
	cJSON *p = proposed();
	assert_null(set_error(create_as(f, buyer_id, p, "k2"), "notCreated", "k2"));
	k = times_of(f, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "id")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(k, "created")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(k, "updated")));
	contract_terms_free(&t);
	cJSON_Delete(body);
	cJSON_Delete(doc);
	cJSON_Delete(p);
}

static void test_api_refuses_another_escrow_agent(void **state)
{
	struct fx *f = *state;
	escrow = other_id;
	cJSON *p = proposed();
	escrow = NULL;
	expect_set_error(set_error(create(f, buyer_id, p), "notCreated", "k1"), "invalidProperties",
	                 "section 0 (offer): escrowAgent:");
	cJSON_Delete(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_needs_a_party_signing_for_itself),
	    cmocka_unit_test(test_update_appends_a_counter_signed_by_the_caller),
	    cmocka_unit_test(test_stored_sections_must_stay_byte_for_byte),
	    cmocka_unit_test(test_only_the_latest_offer_takes_new_signatures),
	    cmocka_unit_test(test_signing_the_counter_binds_it_and_names_the_order),
	    cmocka_unit_test(test_wrong_signature_role_and_chain_fail_verification),
	    cmocka_unit_test_setup_teardown(test_api_contract_life_private_to_its_parties, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_get_serves_created_and_updated_as_the_document_says, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_api_refuses_another_escrow_agent, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
