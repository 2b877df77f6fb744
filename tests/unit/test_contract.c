/* test_contract — the contract document (DESIGN §5): offers built from a signed listing,
 * exact totals, the Incoterms/mode rule, binding and the order id, offline verification
 * refusing tampered bodies, wrong signers, broken chains and stray counter-offers, and the
 * rendered text and diff. Fixed keys, so every hash is the same on every run. Runs from the
 * repo root; needs Debian's iso-codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/canon.h"
#include "kontor/codes.h"
#include "kontor/contract.h"
#include "kontor/crypto.h"
#include "kontor/json.h"
#include "kontor/model.h"

static struct kkeypair buyer_kp, seller_kp, node_kp, other_kp;
static char buyer_id[KCRYPTO_ID_LEN + 1], seller_id[KCRYPTO_ID_LEN + 1],
    node_id[KCRYPTO_ID_LEN + 1];
static struct listing lst;

#define AT "2026-12-01T10:00:00Z"

static void seeded(struct kkeypair *kp, uint8_t b)
{
	uint8_t seed[32];
	memset(seed, b, sizeof seed);
	kcrypto_keypair_from_seed(kp, seed);
}

static int setup(void **state)
{
	struct kerr e = {0, ""};
	if (kcrypto_init(&e) != K_OK || codes_load(&e) != K_OK) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	seeded(&buyer_kp, 1);
	seeded(&seller_kp, 2);
	seeded(&node_kp, 3);
	seeded(&other_kp, 4);
	kcrypto_account_id(buyer_kp.pk, buyer_id);
	kcrypto_account_id(seller_kp.pk, seller_id);
	kcrypto_account_id(node_kp.pk, node_id);

	listing_init(&lst);
	lst.sku = xstrdup("PSU-650W");
	lst.title = xstrdup("650 W ATX power supply, 80 Plus Gold");
	lst.hs_code = xstrdup("850440");
	memcpy(lst.origin_country, "CN", 3);
	memcpy(lst.currency, "USD", 4);
	lst.moq = 100;
	static struct price_tier tiers[] = {{100, 1300}, {500, 1250}, {800, 1190}};
	lst.ntiers = 3;
	lst.tiers = xmalloc(sizeof tiers);
	memcpy(lst.tiers, tiers, sizeof tiers);
	memcpy(lst.created, "2026-11-01T09:00:00Z", MODEL_TIME_LEN + 1);
	memcpy(lst.updated, "2026-11-01T09:00:00Z", MODEL_TIME_LEN + 1);
	if (listing_sign(&lst, &seller_kp, &e) != K_OK) {
		fprintf(stderr, "setup: listing_sign: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	listing_free(&lst);
	return 0;
}

/* Terms for qty of the listing: FOB Shanghai by sea, 30% deposit, 14 days. */
static void make_terms(struct contract_terms *t, int64_t qty)
{
	struct kerr e = {0, ""};
	contract_terms_init(t);
	memcpy(t->buyer, buyer_id, sizeof t->buyer);
	memcpy(t->escrow_agent, node_id, sizeof t->escrow_agent);
	assert_int_equal(contract_terms_add_listing(t, &lst, qty, -1, &e), K_OK);
	memcpy(t->incoterm, "FOB", 4);
	t->named_place = xstrdup("Shanghai");
	memcpy(t->mode, "sea", 4);
	memcpy(t->ship_by, "2026-12-15", 11);
	memcpy(t->deliver_by, "2027-01-31", 11);
	t->deposit_pct = 30;
	t->auto_release_days = 14;
	t->quality = xstrdup("AQL 2.5 general inspection level II");
	t->inspection = xstrdup("Pre-shipment inspection by SGS at the factory");
	t->governing_law = xstrdup("England and Wales");
	t->dispute_venue = xstrdup("Arbitration by the kontor node operator");
	memcpy(t->language, "en", 3);
	assert_int_equal(contract_terms_total(t, &e), K_OK);
}

static cJSON *offer_section(const struct contract_terms *t)
{
	struct kerr e = {0, ""};
	cJSON *body = NULL, *sec = NULL;
	if (contract_terms_to_json(t, &body, &e) != K_OK)
		fail_msg("contract_terms_to_json: %s", e.msg);
	assert_int_equal(contract_section_make("offer", body, &sec, &e), K_OK);
	cJSON_Delete(body);
	return sec;
}

static void sign(cJSON *sec, const char *role, const struct kkeypair *kp)
{
	struct kerr e = {0, ""};
	if (contract_section_sign(sec, role, kp, &e) != K_OK)
		fail_msg("contract_section_sign: %s", e.msg);
}

/* An event section chained to the contract's tip, signed as role. */
static void append_event(cJSON *c, const char *kind, const char *role, const struct kkeypair *kp)
{
	struct kerr e = {0, ""};
	char tip[KCRYPTO_HASH_B64_LEN + 1];
	cJSON *body = NULL, *sec = NULL;
	assert_int_equal(contract_tip(c, tip, &e), K_OK);
	if (contract_event_body(tip, AT, NULL, &body, &e) != K_OK)
		fail_msg("contract_event_body: %s", e.msg);
	assert_int_equal(contract_section_make(kind, body, &sec, &e), K_OK);
	cJSON_Delete(body);
	sign(sec, role, kp);
	if (contract_append(c, sec, &e) != K_OK)
		fail_msg("contract_append: %s", e.msg);
}

/* Offer for 500 signed by buyer and seller. */
static cJSON *bound_contract(void)
{
	struct kerr e = {0, ""};
	struct contract_terms t;
	cJSON *c = NULL;
	make_terms(&t, 500);
	cJSON *sec = offer_section(&t);
	contract_terms_free(&t);
	sign(sec, "buyer", &buyer_kp);
	sign(sec, "seller", &seller_kp);
	assert_int_equal(contract_new(sec, &c, &e), K_OK);
	return c;
}

static cJSON *section_at(cJSON *c, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c, "sections"), i);
}

static void expect_verify_fails(const cJSON *c, int code, const char *msg)
{
	struct kerr e = {0, ""};
	int rc = contract_verify(c, NULL, &e);
	if (rc != code || !strstr(e.msg, msg))
		fail_msg("expected %d '%s', got %d '%s'", code, msg, rc, e.msg);
}

/* ---------------------------------------------------------------- terms */

static void test_offer_from_listing_picks_the_tier_price_for_the_quantity(void **state)
{
	struct kerr e = {0, ""};
	struct contract_terms t;
	contract_terms_init(&t);
	assert_int_equal(contract_terms_add_listing(&t, &lst, 100, -1, &e), K_OK);
	assert_int_equal(contract_terms_add_listing(&t, &lst, 499, -1, &e), K_OK);
	assert_int_equal(contract_terms_add_listing(&t, &lst, 500, -1, &e), K_OK);
	assert_int_equal(contract_terms_add_listing(&t, &lst, 800, -1, &e), K_OK);
	assert_int_equal(contract_terms_add_listing(&t, &lst, 800, 1100, &e), K_OK);
	assert_int_equal(t.items[0].unit_price, 1300);
	assert_int_equal(t.items[1].unit_price, 1300);
	assert_int_equal(t.items[2].unit_price, 1250);
	assert_int_equal(t.items[3].unit_price, 1190);
	assert_int_equal(t.items[4].unit_price, 1100); /* an explicit price wins */
	assert_string_equal(t.currency, "USD");
	assert_string_equal(t.seller, seller_id);
	assert_string_equal(t.items[0].unit, "C62");
	assert_string_equal(t.items[0].hs_code, "850440");
	assert_string_equal(t.items[0].origin, "CN");
	assert_string_equal(t.items[0].listing_id, lst.id);

	/* listingHash is BLAKE2b-256 of the signed listing's canonical bytes, sig included. */
	struct kbuf cb = KBUF_INIT;
	char want[KCRYPTO_HASH_B64_LEN + 1];
	cJSON *lj = listing_to_json(&lst, 1);
	assert_int_equal(canon_write(lj, &cb, &e), K_OK);
	kcrypto_hash_b64url(cb.data, cb.len, want);
	assert_string_equal(t.items[0].listing_hash, want);
	cJSON_Delete(lj);
	kbuf_free(&cb);

	/* Below the minimum order quantity there is no tier price. */
	assert_int_equal(contract_terms_add_listing(&t, &lst, 99, -1, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "qty: 99 is below the minimum order quantity 100"));
	contract_terms_free(&t);
}

static void test_offer_refuses_an_unsigned_listing(void **state)
{
	struct kerr e = {0, ""};
	struct contract_terms t;
	struct listing l;
	listing_copy(&l, &lst);
	free(l.sig);
	l.sig = NULL;
	contract_terms_init(&t);
	assert_int_equal(contract_terms_add_listing(&t, &l, 500, -1, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "not signed by its seller"));
	contract_terms_free(&t);
	listing_free(&l);
}

static void test_offer_total_is_the_exact_sum_and_overflow_is_refused(void **state)
{
	struct kerr e = {0, ""};
	struct contract_terms t;
	make_terms(&t, 500);
	assert_int_equal(contract_terms_add_listing(&t, &lst, 800, -1, &e), K_OK);
	assert_int_equal(contract_terms_add_listing(&t, &lst, 333, 1999, &e), K_OK);
	assert_int_equal(contract_terms_total(&t, &e), K_OK);
	assert_int_equal(t.total, 500 * 1250 + 800 * 1190 + 333 * 1999);
	assert_int_equal(contract_terms_validate(&t, &e), K_OK);

	t.total += 1;
	assert_int_equal(contract_terms_validate(&t, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "total: "));
	assert_non_null(strstr(e.msg, "is not the sum of qty x unitPrice"));

	t.items[2].qty = 9007199254740991LL; /* 2^53 - 1 */
	assert_int_equal(contract_terms_total(&t, &e), K_ERANGE);
	assert_non_null(strstr(e.msg, "total: items[2]"));
	contract_terms_free(&t);
}

static void test_sea_only_incoterm_with_air_or_courier_is_refused_naming_the_rule(void **state)
{
	struct kerr e = {0, ""};
	struct contract_terms t;
	make_terms(&t, 500);
	assert_int_equal(contract_terms_validate(&t, &e), K_OK); /* FOB by sea */

	memcpy(t.mode, "air", 4);
	assert_int_equal(contract_terms_validate(&t, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "incoterm: FOB (Free On Board) is for sea and inland "
	                              "waterway transport only, not air"));
	cJSON *body = NULL;
	assert_int_equal(contract_terms_to_json(&t, &body, &e), K_EINVAL);
	assert_null(body);

	memcpy(t.incoterm, "CIF", 4);
	memcpy(t.mode, "courier", 8);
	assert_int_equal(contract_terms_validate(&t, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "incoterm: CIF"));
	assert_non_null(strstr(e.msg, "not courier"));

	memcpy(t.incoterm, "FCA", 4);
	memcpy(t.mode, "air", 4);
	assert_int_equal(contract_terms_validate(&t, &e), K_OK);
	contract_terms_free(&t);
}

static void test_offer_fields_are_checked_by_name(void **state)
{
	struct kerr e = {0, ""};
	struct contract_terms t;
	make_terms(&t, 500);
	memcpy(t.ship_by, "2027-02-30", 11);
	assert_int_equal(contract_terms_validate(&t, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "shipBy: 2027-02 has no day 30"));
	memcpy(t.ship_by, "2027-02-28", 11);
	assert_int_equal(contract_terms_validate(&t, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "deliverBy: 2027-01-31 is before shipBy 2027-02-28"));
	memcpy(t.ship_by, "2026-12-15", 11);
	t.deposit_pct = 101;
	assert_int_equal(contract_terms_validate(&t, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "payment.depositPct"));
	t.deposit_pct = 30;
	t.auto_release_days = 0;
	assert_int_equal(contract_terms_validate(&t, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "payment.autoReleaseDays"));
	t.auto_release_days = 14;
	memcpy(t.items[0].unit, "XYZ", 4);
	assert_int_equal(contract_terms_validate(&t, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "items[0].unit"));
	memcpy(t.items[0].unit, "C62", 4);
	memcpy(t.escrow_agent, seller_id, sizeof t.escrow_agent);
	assert_int_equal(contract_terms_validate(&t, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "escrowAgent:"));
	contract_terms_free(&t);
}

static void test_offer_body_round_trips_through_json(void **state)
{
	struct kerr e = {0, ""};
	struct contract_terms t, back;
	struct kbuf a = KBUF_INIT, b = KBUF_INIT;
	cJSON *j1 = NULL, *j2 = NULL;
	make_terms(&t, 500);
	assert_int_equal(contract_terms_to_json(&t, &j1, &e), K_OK);
	assert_int_equal(contract_terms_from_json(j1, &back, &e), K_OK);
	assert_int_equal(contract_terms_to_json(&back, &j2, &e), K_OK);
	assert_int_equal(canon_write(j1, &a, &e), K_OK);
	assert_int_equal(canon_write(j2, &b, &e), K_OK);
	assert_string_equal(kbuf_str(&a), kbuf_str(&b));

	cJSON_AddStringToObject(j1, "bribe", "yes");
	struct contract_terms bad;
	assert_int_equal(contract_terms_from_json(j1, &bad, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "bribe: unknown property"));
	cJSON_Delete(j1);
	cJSON_Delete(j2);
	kbuf_free(&a);
	kbuf_free(&b);
	contract_terms_free(&back);
	contract_terms_free(&t);
}

/* ---------------------------------------------------------------- binding and verification */

static void test_offer_signed_by_both_parties_is_binding_and_its_hash_is_the_order_id(void **state)
{
	struct kerr e = {0, ""};
	struct contract_status st;
	struct contract_terms t;
	cJSON *c = NULL;
	make_terms(&t, 500);
	cJSON *sec = offer_section(&t);
	contract_terms_free(&t);
	sign(sec, "buyer", &buyer_kp);
	assert_int_equal(contract_new(sec, &c, &e), K_OK);
	assert_int_equal(contract_verify(c, &st, &e), K_OK);
	assert_int_equal(st.binding, -1);
	assert_string_equal(st.order_id, "");

	sign(section_at(c, 0), "seller", &seller_kp);
	if (contract_verify(c, &st, &e) != K_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(st.binding, 0);
	const char *hash = cJSON_GetObjectItem(section_at(c, 0), "hash")->valuestring;
	assert_string_equal(st.order_id, hash);
	assert_string_equal(cJSON_GetObjectItem(c, "id")->valuestring, hash);
	assert_int_equal(model_validate("Contract", c, &e), K_OK);

	/* Exactly the body's canonical bytes are signed, in the domain contract/offer. */
	const cJSON *sig =
	    cJSON_GetArrayItem(cJSON_GetObjectItem(section_at(c, 0), "signatures"), 0);
	const char *body = cJSON_GetObjectItem(section_at(c, 0), "body")->valuestring;
	assert_int_equal(kcrypto_verify_object_b64("contract/offer", body, strlen(body), buyer_id,
	                                           cJSON_GetObjectItem(sig, "sig")->valuestring,
	                                           &e),
	                 K_OK);
	assert_int_equal(kcrypto_verify_object_b64("contract", body, strlen(body), buyer_id,
	                                           cJSON_GetObjectItem(sig, "sig")->valuestring,
	                                           &e),
	                 K_EVERIFY);
	assert_int_equal(canon_check(body, strlen(body), &e), K_OK);
	cJSON_Delete(c);
}

static void test_order_events_verify_along_the_chain(void **state)
{
	struct kerr e = {0, ""};
	struct contract_status st;
	cJSON *c = bound_contract();
	append_event(c, "funded", "escrow", &node_kp);
	append_event(c, "shipped", "seller", &seller_kp);
	append_event(c, "delivered", "buyer", &buyer_kp);
	append_event(c, "released", "escrow", &node_kp);
	if (contract_verify(c, &st, &e) != K_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(st.nsections, 5);
	assert_int_equal(st.binding, 0);
	assert_string_equal(st.last_kind, "released");
	assert_int_equal(model_validate("Contract", c, &e), K_OK);
	cJSON_Delete(c);
}

static void test_one_changed_body_byte_fails_verification_naming_that_section(void **state)
{
	cJSON *c = bound_contract();
	append_event(c, "funded", "escrow", &node_kp);
	append_event(c, "shipped", "seller", &seller_kp);
	cJSON *sec = section_at(c, 1);
	char *body = xstrdup(cJSON_GetObjectItem(sec, "body")->valuestring);
	char *p = strstr(body, "2026-12-01");
	assert_non_null(p);
	p[9] = '2'; /* one byte: the 1st becomes the 2nd */
	cJSON_ReplaceItemInObjectCaseSensitive(sec, "body", cJSON_CreateString(body));
	expect_verify_fails(c, K_EVERIFY, "section 1 (funded): hash does not match its body");

	/* Re-hashing the changed body does not help: the escrow signature is over the body,
	 * and the next section's prev names the old hash. */
	char h[KCRYPTO_HASH_B64_LEN + 1];
	kcrypto_hash_b64url(body, strlen(body), h);
	cJSON_ReplaceItemInObjectCaseSensitive(sec, "hash", cJSON_CreateString(h));
	expect_verify_fails(c, K_EVERIFY,
	                    "section 1 (funded): signature of escrow does not verify");
	free(body);

	/* A changed offer byte fails on section 0. */
	cJSON_Delete(c);
	c = bound_contract();
	sec = section_at(c, 0);
	body = xstrdup(cJSON_GetObjectItem(sec, "body")->valuestring);
	p = strstr(body, "\"qty\":500");
	assert_non_null(p);
	p[6] = '9';
	cJSON_ReplaceItemInObjectCaseSensitive(sec, "body", cJSON_CreateString(body));
	expect_verify_fails(c, K_EVERIFY, "section 0 (offer): hash does not match its body");
	free(body);
	cJSON_Delete(c);
}

static void test_relabelled_section_kind_fails_its_signature(void **state)
{
	cJSON *c = bound_contract();
	append_event(c, "funded", "escrow", &node_kp);
	cJSON_ReplaceItemInObjectCaseSensitive(section_at(c, 1), "kind",
	                                       cJSON_CreateString("released"));
	expect_verify_fails(c, K_EVERIFY,
	                    "section 1 (released): signature of escrow does not verify");
	cJSON_Delete(c);
}

static void test_signature_by_the_wrong_party_for_a_role_fails(void **state)
{
	struct kerr e = {0, ""};
	struct contract_terms t;
	cJSON *c = NULL;

	/* The seller signs the offer claiming to be the buyer. */
	make_terms(&t, 500);
	cJSON *sec = offer_section(&t);
	sign(sec, "buyer", &seller_kp);
	assert_int_equal(contract_new(sec, &c, &e), K_OK);
	expect_verify_fails(c, K_EVERIFY, "section 0 (offer): signature as buyer is by");
	expect_verify_fails(c, K_EVERIFY, "not the buyer named in the offer");
	cJSON_Delete(c);

	/* A stranger signs "funded" as the escrow agent. */
	c = bound_contract();
	append_event(c, "funded", "escrow", &other_kp);
	expect_verify_fails(c, K_EVERIFY, "section 1 (funded): signature as escrow is by");
	cJSON_Delete(c);

	/* The buyer may not sign "shipped", nor the seller "released". */
	c = bound_contract();
	append_event(c, "shipped", "buyer", &buyer_kp);
	expect_verify_fails(c, K_EVERIFY, "section 1 (shipped): the buyer may not sign a shipped");
	cJSON_Delete(c);

	/* A signature copied from the buyer onto the seller's entry. */
	c = bound_contract();
	cJSON *sigs = cJSON_GetObjectItem(section_at(c, 0), "signatures");
	const char *bsig = cJSON_GetObjectItem(cJSON_GetArrayItem(sigs, 0), "sig")->valuestring;
	cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetArrayItem(sigs, 1), "sig",
	                                       cJSON_CreateString(bsig));
	expect_verify_fails(c, K_EVERIFY, "section 0 (offer): signature of seller does not verify");
	cJSON_Delete(c);
	contract_terms_free(&t);
}

/* Puts the sections in the order given (a section left out is deleted). */
static void rearrange(cJSON *c, const int *order, int n)
{
	cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(c, "sections");
	cJSON *secs = cJSON_AddArrayToObject(c, "sections");
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(secs, cJSON_Duplicate(cJSON_GetArrayItem(old, order[i]), 1));
	cJSON_Delete(old);
}

static void test_dropped_or_reordered_section_breaks_the_chain(void **state)
{
	struct kerr e = {0, ""};
	cJSON *c = bound_contract();
	append_event(c, "funded", "escrow", &node_kp);
	append_event(c, "shipped", "seller", &seller_kp);
	append_event(c, "delivered", "seller", &seller_kp);
	assert_int_equal(contract_verify(c, NULL, &e), K_OK);

	/* Reorder: "delivered" before "shipped". */
	static const int swapped[] = {0, 1, 3, 2}, same[] = {0, 1, 2, 3}, dropped[] = {0, 2, 3};
	rearrange(c, swapped, 4);
	expect_verify_fails(c, K_EVERIFY,
	                    "section 2 (delivered): prev does not name section 1 (sections dropped "
	                    "or reordered)");
	rearrange(c, swapped, 4); /* back */
	rearrange(c, same, 4);
	assert_int_equal(contract_verify(c, NULL, &e), K_OK);

	/* Drop "funded". */
	rearrange(c, dropped, 3);
	expect_verify_fails(c, K_EVERIFY, "section 1 (shipped): prev does not name section 0");

	/* contract_append refuses a section that does not chain to the tip. */
	cJSON *body = NULL, *sec = NULL;
	assert_int_equal(
	    contract_event_body(cJSON_GetObjectItem(section_at(c, 0), "hash")->valuestring, AT,
	                        NULL, &body, &e),
	    K_OK);
	assert_int_equal(contract_section_make("confirmed", body, &sec, &e), K_OK);
	cJSON_Delete(body);
	sign(sec, "buyer", &buyer_kp);
	assert_int_equal(contract_append(c, sec, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "prev must be"));
	cJSON_Delete(c);
}

static void test_events_need_a_binding_offer(void **state)
{
	struct kerr e = {0, ""};
	struct contract_terms t;
	cJSON *c = NULL;
	make_terms(&t, 500);
	cJSON *sec = offer_section(&t);
	contract_terms_free(&t);
	sign(sec, "buyer", &buyer_kp);
	assert_int_equal(contract_new(sec, &c, &e), K_OK);
	append_event(c, "funded", "escrow", &node_kp);
	expect_verify_fails(c, K_EVERIFY, "section 1 (funded): no binding offer before it");
	cJSON_Delete(c);
}

/* The buyer offers 500; the seller counters 800 at the 800 tier. */
static cJSON *countered(const char *supersedes)
{
	struct kerr e = {0, ""};
	struct contract_terms t;
	char tip[KCRYPTO_HASH_B64_LEN + 1];
	cJSON *c = NULL;
	make_terms(&t, 500);
	cJSON *sec = offer_section(&t);
	contract_terms_free(&t);
	sign(sec, "buyer", &buyer_kp);
	assert_int_equal(contract_new(sec, &c, &e), K_OK);
	assert_int_equal(contract_tip(c, tip, &e), K_OK);
	make_terms(&t, 800);
	memcpy(t.prev, tip, sizeof t.prev);
	memcpy(t.supersedes, supersedes ? supersedes : tip, sizeof t.supersedes);
	sec = offer_section(&t);
	contract_terms_free(&t);
	sign(sec, "seller", &seller_kp);
	assert_int_equal(contract_append(c, sec, &e), K_OK);
	return c;
}

static void test_counter_offer_must_supersede_the_previous_offer(void **state)
{
	struct kerr e = {0, ""};
	struct contract_status st;
	cJSON *c = countered(NULL);
	if (contract_verify(c, &st, &e) != K_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(st.latest_offer, 1);
	assert_int_equal(st.binding, -1);
	/* The buyer accepts the counter: it binds, and the order id is its hash. */
	sign(section_at(c, 1), "buyer", &buyer_kp);
	assert_int_equal(contract_verify(c, &st, &e), K_OK);
	assert_int_equal(st.binding, 1);
	assert_string_equal(st.order_id,
	                    cJSON_GetObjectItem(section_at(c, 1), "hash")->valuestring);
	assert_int_equal(contract_latest_offer(c), 1);

	/* No offer after a binding one. */
	char tip[KCRYPTO_HASH_B64_LEN + 1];
	struct contract_terms t;
	assert_int_equal(contract_tip(c, tip, &e), K_OK);
	make_terms(&t, 900);
	memcpy(t.prev, tip, sizeof t.prev);
	memcpy(t.supersedes, tip, sizeof t.supersedes);
	cJSON *sec = offer_section(&t);
	contract_terms_free(&t);
	sign(sec, "buyer", &buyer_kp);
	assert_int_equal(contract_append(c, sec, &e), K_OK);
	expect_verify_fails(c, K_EVERIFY,
	                    "section 2 (offer): the offer in section 1 is already binding");
	cJSON_Delete(c);

	/* A counter naming some other offer. */
	c = countered("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	expect_verify_fails(
	    c, K_EVERIFY,
	    "section 1 (offer): a counter-offer must supersede the offer in section 0");
	cJSON_Delete(c);
}

/* ---------------------------------------------------------------- rendering and diff */

static void test_rendered_text_contains_the_filled_in_numbers(void **state)
{
	struct kerr e = {0, ""};
	struct kbuf out = KBUF_INIT;
	cJSON *c = bound_contract();
	append_event(c, "funded", "escrow", &node_kp);
	assert_int_equal(contract_render(c, &out, &e), K_OK);
	const char *s = kbuf_str(&out);
	static const char *const want[] = {
	    "Buyer:        ",
	    "650 W ATX power supply",
	    "500",
	    "piece",
	    "12.50 USD",
	    "6250.00 USD",
	    "Total: 6250.00 USD",
	    "850440",
	    "FOB Shanghai (Incoterms 2020, Free On Board): the seller loads the goods on board the "
	    "buyer's vessel at the port of Shanghai",
	    "Ship by 2026-12-15; deliver by 2027-01-31",
	    "30% deposit into escrow held by the node; released to the seller 14 days after "
	    "delivery unless disputed",
	    "remaining 70%",
	    "AQL 2.5",
	    "Pre-shipment inspection by SGS",
	    "Governing law: England and Wales",
	    "Disputes: Arbitration by the kontor node operator",
	    "Language: en",
	    "  1 funded ",
	    " as escrow",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		if (!strstr(s, want[i]))
			fail_msg("render lacks '%s' in:\n%s", want[i], s);
	}
	char line[128];
	snprintf(line, sizeof line, "signed by %s as buyer", buyer_id);
	assert_non_null(strstr(s, line));
	snprintf(line, sizeof line, "Seller:       %s", seller_id);
	assert_non_null(strstr(s, line));
	kbuf_free(&out);
	cJSON_Delete(c);
}

static void test_diff_names_the_changed_fields(void **state)
{
	struct kerr e = {0, ""};
	struct kbuf out = KBUF_INIT;
	cJSON *c = countered(NULL);
	struct contract_terms a, b;
	assert_int_equal(contract_section_terms(section_at(c, 0), &a, &e), K_OK);
	assert_int_equal(contract_section_terms(section_at(c, 1), &b, &e), K_OK);
	free(b.governing_law);
	b.governing_law = xstrdup("Singapore");
	contract_diff(&a, &b, &out);
	const char *s = kbuf_str(&out);
	assert_non_null(strstr(s, "items[0].qty: 500 -> 800\n"));
	assert_non_null(strstr(s, "items[0].unit price: 12.50 USD -> 11.90 USD\n"));
	assert_non_null(strstr(s, "total: 6250.00 USD -> 9520.00 USD\n"));
	assert_non_null(strstr(s, "governing law: England and Wales -> Singapore\n"));
	assert_null(strstr(s, "incoterm"));
	assert_null(strstr(s, "buyer"));

	kbuf_reset(&out);
	contract_diff(&a, &a, &out);
	assert_int_equal(out.len, 0);
	contract_terms_free(&a);
	contract_terms_free(&b);
	kbuf_free(&out);
	cJSON_Delete(c);
}

static void test_verify_refuses_a_wrong_envelope(void **state)
{
	cJSON *c = bound_contract();
	cJSON_ReplaceItemInObjectCaseSensitive(c, "buyerId", cJSON_CreateString(node_id));
	expect_verify_fails(c, K_EVERIFY, "buyerId/sellerId: not the parties named in the offer");
	cJSON_Delete(c);
	c = bound_contract();
	cJSON_ReplaceItemInObjectCaseSensitive(c, "id", cJSON_CreateString("K1"));
	expect_verify_fails(c, K_EVERIFY, "id: is not the hash of section 0");
	cJSON_Delete(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_offer_from_listing_picks_the_tier_price_for_the_quantity),
	    cmocka_unit_test(test_offer_refuses_an_unsigned_listing),
	    cmocka_unit_test(test_offer_total_is_the_exact_sum_and_overflow_is_refused),
	    cmocka_unit_test(test_sea_only_incoterm_with_air_or_courier_is_refused_naming_the_rule),
	    cmocka_unit_test(test_offer_fields_are_checked_by_name),
	    cmocka_unit_test(test_offer_body_round_trips_through_json),
	    cmocka_unit_test(
	        test_offer_signed_by_both_parties_is_binding_and_its_hash_is_the_order_id),
	    cmocka_unit_test(test_order_events_verify_along_the_chain),
	    cmocka_unit_test(test_one_changed_body_byte_fails_verification_naming_that_section),
	    cmocka_unit_test(test_relabelled_section_kind_fails_its_signature),
	    cmocka_unit_test(test_signature_by_the_wrong_party_for_a_role_fails),
	    cmocka_unit_test(test_dropped_or_reordered_section_breaks_the_chain),
	    cmocka_unit_test(test_events_need_a_binding_offer),
	    cmocka_unit_test(test_counter_offer_must_supersede_the_previous_offer),
	    cmocka_unit_test(test_rendered_text_contains_the_filled_in_numbers),
	    cmocka_unit_test(test_diff_names_the_changed_fields),
	    cmocka_unit_test(test_verify_refuses_a_wrong_envelope),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
