/* test_contract — the contract document (DESIGN §5): offers built from a signed listing,
 * exact totals, the Incoterms/mode rule, binding and the order id, offline verification
 * refusing tampered bodies, wrong signers, broken chains and stray counter-offers, and the
 * rendered text and diff. The order's history replayed through the rules of a trade: every
 * legal history of a two-stage contract verifies, and each one with a step skipped or
 * reordered, other money moved or a step signed by a role that may not take it fails,
 * naming its section; documents an older kontor made still verify. Fixed keys, so every
 * hash is the same on every run. Runs from the repo root; needs Debian's iso-codes. */
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
#include "kontor/money.h"
#include "kontor/order.h"

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
	assert_int_equal(contract_terms_add_listing(t, &lst, qty, -1, NULL, &e), K_OK);
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
/* An offer for 500 signed by the buyer: it waits for the seller. */
static cJSON *buyer_offer(void)
{
	struct kerr e = {0, ""};
	struct contract_terms t;
	cJSON *c = NULL;
	make_terms(&t, 500);
	cJSON *sec = offer_section(&t);
	contract_terms_free(&t);
	sign(sec, "buyer", &buyer_kp);
	assert_int_equal(contract_new(sec, &c, &e), K_OK);
	return c;
}

static cJSON *section_at(cJSON *c, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c, "sections"), i);
}

/* Some well-formed hash for a "prev". */
static const char *section_hash0(void)
{
	return "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
}

static cJSON *bound_contract(void)
{
	cJSON *c = buyer_offer();
	sign(section_at(c, 0), "seller", &seller_kp);
	return c;
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
	assert_int_equal(contract_terms_add_listing(&t, &lst, 100, -1, NULL, &e), K_OK);
	assert_int_equal(contract_terms_add_listing(&t, &lst, 499, -1, NULL, &e), K_OK);
	assert_int_equal(contract_terms_add_listing(&t, &lst, 500, -1, NULL, &e), K_OK);
	assert_int_equal(contract_terms_add_listing(&t, &lst, 800, -1, NULL, &e), K_OK);
	assert_int_equal(contract_terms_add_listing(&t, &lst, 800, 1100, NULL, &e), K_OK);
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
	assert_int_equal(contract_terms_add_listing(&t, &lst, 99, -1, NULL, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "qty: 99 is below the minimum order quantity 100"));
	contract_terms_free(&t);
}

/* A basket in three sizes and two colours, as a Shopee export makes one: the large has a
 * price of its own, the small the listing's. */
static void variant_listing(struct listing *l, const char *title)
{
	struct kerr e = {0, ""};
	listing_copy(l, &lst);
	free(l->title);
	l->title = xstrdup(title);
	static const char *const v[][5] = {
	    /* sku, size, colour, price, seller's sku */
	    {"BASKET-S-N", "Nhỏ", "Nâu", NULL, "GIO-S-NAU"},
	    {"BASKET-L-N", "Lớn", "Nâu", "2450", "GIO-L-NAU"},
	    {"BASKET-L-T", "Lớn", "Trắng", "2600", NULL},
	};
	l->variants = cJSON_CreateArray();
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "sku", v[i][0]);
		cJSON *opts = cJSON_AddObjectToObject(o, "options");
		cJSON_AddStringToObject(opts, "Size", v[i][1]);
		cJSON_AddStringToObject(opts, "Colour", v[i][2]);
		if (v[i][3])
			cJSON_AddNumberToObject(o, "unitPrice", atoi(v[i][3]));
		if (v[i][4])
			cJSON_AddStringToObject(o, "sellerSku", v[i][4]);
		cJSON_AddItemToArray(l->variants, o);
	}
	if (listing_sign(l, &seller_kp, &e) != K_OK)
		fail_msg("listing_sign: %s", e.msg);
}

static void test_a_variant_is_named_by_words_only_its_values_hold(void **state)
{
	(void)state;
	struct kerr e = {0, ""};
	struct listing l;
	memset(&l, 0, sizeof l);
	l.title = xstrdup("Iron table legs");
	l.sku = xstrdup("LEGS");
	l.variants =
	    cJSON_Parse("[{\"sku\":\"TL-71-BK\",\"options\":{\"Colour\":\"Black\","
	                "\"Height\":\"71 cm\"}},{\"sku\":\"TL-71-WH\",\"options\":{"
	                "\"Colour\":\"White\",\"Height\":\"71 cm\"}},{\"sku\":\"TL-40-BK\","
	                "\"options\":{\"Colour\":\"Black\",\"Height\":\"40 cm\"}}]");
	assert_non_null(l.variants);
	const cJSON *v = NULL;
	/* "black 71" as a buyer types it: the words of one variant only */
	assert_int_equal(listing_variant_find(&l, "black 71", &v, &e), K_OK);
	assert_ptr_equal(v, cJSON_GetArrayItem(l.variants, 0));
	assert_int_equal(listing_variant_find(&l, "71 WHITE", &v, &e), K_OK);
	assert_ptr_equal(v, cJSON_GetArrayItem(l.variants, 1));
	assert_int_equal(listing_variant_find(&l, "40", &v, &e), K_OK);
	assert_ptr_equal(v, cJSON_GetArrayItem(l.variants, 2));
	/* words two variants hold are refused, naming the choices; words none holds too */
	assert_int_equal(listing_variant_find(&l, "71", &v, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "'71' names 2 of its variants"));
	assert_int_equal(listing_variant_find(&l, "black cm", &v, &e), K_EINVAL);
	assert_int_equal(listing_variant_find(&l, "black 72", &v, &e), K_ENOTFOUND);
	assert_non_null(strstr(e.msg, "has no variant 'black 72' (Black / 71 cm, "));
	/* a part of a word is no word: "7" is not "71" */
	assert_int_equal(listing_variant_find(&l, "white 7", &v, &e), K_ENOTFOUND);
	listing_free(&l);
}

static void test_the_variant_a_buyers_words_name_is_the_only_one_they_name_whole(void **state)
{
	(void)state;
	struct listing l;
	variant_listing(&l, "Rattan basket");
	const cJSON *v = l.variants;
	/* every value, as whole words, without accents or case: that one */
	assert_ptr_equal(listing_variant_in_text(v, "Gio may LON mau nau, 40 cai"),
	                 cJSON_GetArrayItem(v, 1));
	assert_ptr_equal(listing_variant_in_text(v, "Giỏ tre Trắng (Lớn) cho khách sạn"),
	                 cJSON_GetArrayItem(v, 2));
	assert_string_equal(listing_variant_sku(cJSON_GetArrayItem(v, 1)), "GIO-L-NAU");
	assert_string_equal(listing_variant_sku(cJSON_GetArrayItem(v, 2)), "BASKET-L-T");
	/* one value two variants share names neither; both colours name both: none */
	assert_null(listing_variant_in_text(v, "Giỏ lớn"));
	assert_null(listing_variant_in_text(v, "Giỏ lớn, nâu hoặc trắng"));
	/* a value inside another word is not said: "nauy" is not "nâu" */
	assert_null(listing_variant_in_text(v, "Gio lon nauy"));
	/* no text, no variants */
	assert_null(listing_variant_in_text(v, ""));
	assert_null(listing_variant_in_text(v, NULL));
	assert_null(listing_variant_in_text(NULL, "Giỏ lớn nâu"));
	listing_free(&l);
}

static void test_an_offer_for_a_variant_takes_its_price_and_names_its_options(void **state)
{
	struct kerr e = {0, ""};
	struct listing l;
	variant_listing(&l, "Rattan basket");
	struct contract_terms t;
	contract_terms_init(&t);

	/* which one is bought is part of the bargain: none named is refused, naming them */
	assert_int_equal(contract_terms_add_listing(&t, &l, 100, -1, NULL, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "comes in 3 variants: name one (Nâu / Nhỏ, Nâu / Lớn, "
	                              "Trắng / Lớn)"));
	assert_int_equal(t.nitems, 0);

	/* by its options, typed without accents: its own price, its options in the line */
	assert_int_equal(contract_terms_add_listing(&t, &l, 100, -1, "lon nau", &e), K_OK);
	assert_int_equal(t.items[0].unit_price, 2450);
	assert_string_equal(t.items[0].variant_sku, "BASKET-L-N");
	assert_string_equal(t.items[0].description, "Rattan basket (Colour: Nâu, Size: Lớn)");
	/* by the one value only it has; by the seller's SKU; by the SKU */
	assert_int_equal(contract_terms_add_listing(&t, &l, 100, -1, "trắng", &e), K_OK);
	assert_string_equal(t.items[1].variant_sku, "BASKET-L-T");
	assert_int_equal(t.items[1].unit_price, 2600);
	assert_int_equal(contract_terms_add_listing(&t, &l, 500, -1, "gio-s-nau", &e), K_OK);
	assert_string_equal(t.items[2].variant_sku, "BASKET-S-N");
	assert_int_equal(t.items[2].unit_price, 1250); /* no price of its own: the tier's */
	assert_int_equal(contract_terms_add_listing(&t, &l, 100, 999, "BASKET-L-T", &e), K_OK);
	assert_int_equal(t.items[3].unit_price, 999); /* an explicit price still wins */

	/* a value two variants share, and one none has, are refused with the choices */
	assert_int_equal(contract_terms_add_listing(&t, &l, 100, -1, "Lớn", &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "'Lớn' names 2 of its variants; name one ("));
	assert_int_equal(contract_terms_add_listing(&t, &l, 100, -1, "XL", &e), K_ENOTFOUND);
	assert_non_null(strstr(e.msg, "has no variant 'XL' (Nâu / Nhỏ, "));
	/* and a variant of a listing that has none */
	assert_int_equal(contract_terms_add_listing(&t, &lst, 100, -1, "L", &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "has no variants"));
	assert_int_equal(t.nitems, 4);

	/* a SKU as it is wins over one that is the same but for case */
	cJSON_AddStringToObject(cJSON_GetArrayItem(l.variants, 2), "sellerSku", "basket-l-n");
	const cJSON *v = NULL;
	assert_int_equal(listing_variant_find(&l, "BASKET-L-N", &v, &e), K_OK);
	assert_ptr_equal(v, cJSON_GetArrayItem(l.variants, 1));
	assert_int_equal(listing_variant_find(&l, "basket-l-n", &v, &e), K_OK);
	assert_ptr_equal(v, cJSON_GetArrayItem(l.variants, 2));
	assert_int_equal(listing_variant_find(&l, "Basket-L-N", &v, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "names 2 of its variants"));
	/* a word that folds to nothing (a lone combining accent) names none, and says so */
	assert_int_equal(listing_variant_find(&l, "\xcc\x81", &v, &e), K_ENOTFOUND);
	assert_non_null(strstr(e.msg, "has no variant"));
	contract_terms_free(&t);
	listing_free(&l);
}

static void test_the_variant_bought_is_signed_and_read_back(void **state)
{
	struct kerr e = {0, ""};
	struct listing l;
	variant_listing(&l, "Rattan basket");
	struct contract_terms t, back;
	make_terms(&t, 100);
	assert_int_equal(contract_terms_add_listing(&t, &l, 100, -1, "GIO-L-NAU", &e), K_OK);
	assert_int_equal(contract_terms_total(&t, &e), K_OK);
	cJSON *body = NULL;
	assert_int_equal(contract_terms_to_json(&t, &body, &e), K_OK);
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(body, "items");
	/* an item without a variant carries no key, so older documents keep their bytes */
	assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(items, 0), "variantSku"));
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	                        cJSON_GetArrayItem(items, 1), "variantSku")),
	                    "BASKET-L-N");
	assert_int_equal(contract_terms_from_json(body, &back, &e), K_OK);
	assert_string_equal(back.items[0].variant_sku, "");
	assert_string_equal(back.items[1].variant_sku, "BASKET-L-N");
	assert_string_equal(back.items[1].description, "Rattan basket (Colour: Nâu, Size: Lớn)");

	/* the signed document verifies, and its text says which variant, under its line */
	cJSON *sec = offer_section(&t), *c = NULL;
	sign(sec, "buyer", &buyer_kp);
	assert_int_equal(contract_new(sec, &c, &e), K_OK);
	struct contract_status st;
	assert_int_equal(contract_verify(c, &st, &e), K_OK);
	struct kbuf txt = KBUF_INIT;
	assert_int_equal(contract_render(c, &txt, &e), K_OK);
	assert_non_null(strstr(kbuf_str(&txt), "Rattan basket (Colour: Nâu, Size: Lớn)"));
	assert_non_null(strstr(kbuf_str(&txt), "\n      variant SKU BASKET-L-N\n"));
	kbuf_free(&txt);
	cJSON_Delete(c);
	/* a counter that changes the variant says so */
	struct kbuf diff = KBUF_INIT;
	snprintf(back.items[1].variant_sku, sizeof back.items[1].variant_sku, "BASKET-L-T");
	contract_diff(&t, &back, &diff);
	assert_non_null(strstr(kbuf_str(&diff), "items[1].variant: BASKET-L-N -> BASKET-L-T"));
	kbuf_free(&diff);
	contract_terms_free(&back);

	/* a counter for another variant of the very listing the offer quotes */
	const cJSON *var = NULL;
	assert_int_equal(contract_item_set_variant(&t.items[1], &l, "nhỏ", &var, &e), K_OK);
	assert_string_equal(t.items[1].variant_sku, "BASKET-S-N");
	assert_string_equal(t.items[1].description, "Rattan basket (Colour: Nâu, Size: Nhỏ)");
	assert_int_equal(listing_variant_price(&l, var, 100),
	                 1300); /* the tier's: none of its own */
	/* not of another version of the listing, nor of another listing */
	struct listing l2;
	listing_copy(&l2, &l);
	free(l2.title);
	l2.title = xstrdup("Rattan basket, new");
	assert_int_equal(listing_sign(&l2, &seller_kp, &e), K_OK);
	assert_int_equal(contract_item_set_variant(&t.items[1], &l2, "L", NULL, &e), K_ECONFLICT);
	assert_non_null(strstr(e.msg, "is not the version the offer quotes"));
	assert_int_equal(contract_item_set_variant(&t.items[0], &l, "L", NULL, &e), K_ECONFLICT);
	assert_string_equal(t.items[1].variant_sku, "BASKET-S-N"); /* unchanged by a refusal */
	listing_free(&l2);

	/* what is not a SKU is refused by name */
	cJSON *it1 = cJSON_GetArrayItem(items, 1);
	cJSON_ReplaceItemInObject(it1, "variantSku", cJSON_CreateString("L N\n"));
	assert_int_equal(contract_terms_from_json(body, &back, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "items[1].variantSku"));
	cJSON_Delete(body);
	contract_terms_free(&t);
	listing_free(&l);
}

static void test_a_long_title_is_cut_so_the_variant_still_fits(void **state)
{
	struct kerr e = {0, ""};
	struct listing l;
	char title[MODEL_TITLE_MAX + 1];
	/* 66 three-byte letters and two bytes: every cut must land between letters */
	size_t n = 0;
	while (n + 3 <= MODEL_TITLE_MAX - 2)
		n += (size_t)snprintf(title + n, sizeof title - n, "ằ");
	snprintf(title + n, sizeof title - n, "xy");
	variant_listing(&l, title);
	struct contract_terms t;
	make_terms(&t, 100);
	assert_int_equal(contract_terms_add_listing(&t, &l, 100, -1, "BASKET-L-T", &e), K_OK);
	const char *d = t.items[1].description;
	assert_true(strlen(d) <= CONTRACT_LINE_MAX);
	assert_non_null(strstr(d, "… (Colour: Trắng, Size: Lớn)"));
	assert_int_equal(strncmp(d, "ằằằ", 9), 0);
	assert_int_equal(contract_terms_total(&t, &e), K_OK);
	assert_int_equal(contract_terms_validate(&t, &e), K_OK); /* whole letters, one line */

	/* options longer than the line: the title keeps its first 60 bytes, the options the rest */
	char value[201];
	memset(value, 'w', 200);
	value[200] = '\0';
	cJSON *opts =
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(l.variants, 2), "options");
	cJSON_ReplaceItemInObject(opts, "Colour", cJSON_CreateString(value));
	assert_int_equal(contract_terms_add_listing(&t, &l, 100, -1, "BASKET-L-T", &e), K_OK);
	d = t.items[2].description;
	assert_int_equal(strlen(d), CONTRACT_LINE_MAX);
	assert_int_equal(strncmp(d, title, 57), 0); /* 19 letters of 3 bytes, then … */
	assert_int_equal(strncmp(d + 57, "… (", 5), 0);
	assert_non_null(strstr(d, "… (Colour: wwww"));
	assert_non_null(strstr(d, "www…)"));
	assert_int_equal(contract_terms_total(&t, &e), K_OK);
	assert_int_equal(contract_terms_validate(&t, &e), K_OK);
	contract_terms_free(&t);
	listing_free(&l);
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
	assert_int_equal(contract_terms_add_listing(&t, &l, 500, -1, NULL, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "not signed by its seller"));
	contract_terms_free(&t);
	listing_free(&l);
}

/* The listing prices in USD; an offer in EUR takes it only at a price it names: its tiers
 * say nothing in EUR, and 1300 USD cents read as EUR would be a price no one said. */
static void test_an_offer_in_another_currency_names_its_price(void **state)
{
	(void)state;
	struct kerr e = {0, ""};
	struct contract_terms t;
	contract_terms_init(&t);
	memcpy(t.currency, "EUR", 4);
	assert_int_equal(contract_terms_add_listing(&t, &lst, 500, -1, NULL, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "is priced in USD; an offer in EUR names its unit price"));
	assert_int_equal(t.nitems, 0);
	assert_int_equal(contract_terms_add_listing(&t, &lst, 500, 1150, NULL, &e), K_OK);
	assert_string_equal(t.currency, "EUR");
	assert_int_equal(t.items[0].unit_price, 1150);
	contract_terms_free(&t);
}

static void test_offer_total_is_the_exact_sum_and_overflow_is_refused(void **state)
{
	struct kerr e = {0, ""};
	struct contract_terms t;
	make_terms(&t, 500);
	assert_int_equal(contract_terms_add_listing(&t, &lst, 800, -1, NULL, &e), K_OK);
	assert_int_equal(contract_terms_add_listing(&t, &lst, 333, 1999, NULL, &e), K_OK);
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

static void test_who_has_signed_and_each_partys_role(void **state)
{
	cJSON *c = buyer_offer();
	assert_string_equal(contract_role_of(c, buyer_id), "buyer");
	assert_string_equal(contract_role_of(c, seller_id), "seller");
	assert_null(contract_role_of(c, node_id)); /* the escrow agent is no party */
	assert_null(contract_role_of(c, ""));
	assert_true(contract_signed_as(c, 0, "buyer"));
	assert_false(contract_signed_as(c, 0, "seller")); /* waits for the seller */
	assert_false(contract_signed_as(c, 1, "buyer"));  /* no such section */
	assert_false(contract_signed_as(c, -1, "buyer"));
	assert_false(contract_signed_as(c, 0, NULL));
	sign(section_at(c, 0), "seller", &seller_kp);
	assert_true(contract_signed_as(c, 0, "seller"));
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

/* A signed document has no envelope times: its time is its latest section's (an offer's
 * "created", an event's "at"); a section with no time, or a time not in RFC 3339 UTC, adds
 * nothing. */
static void test_latest_time_is_the_latest_sections_offer_created_or_event_at(void **state)
{
	struct kerr e = {0, ""};
	struct contract_terms t;
	cJSON *c = NULL;
	char at[MODEL_TIME_LEN + 1];
	make_terms(&t, 500);
	memcpy(t.created, "2026-11-30T08:00:00Z", MODEL_TIME_LEN + 1);
	cJSON *sec = offer_section(&t);
	contract_terms_free(&t);
	sign(sec, "buyer", &buyer_kp);
	sign(sec, "seller", &seller_kp);
	assert_int_equal(contract_new(sec, &c, &e), K_OK);
	assert_int_equal(contract_latest_time(c, at), 1);
	assert_string_equal(at, "2026-11-30T08:00:00Z");
	append_event(c, "funded", "escrow", &node_kp);
	assert_int_equal(contract_latest_time(c, at), 1);
	assert_string_equal(at, AT);
	cJSON *junk = cJSON_CreateObject();
	cJSON_AddStringToObject(junk, "kind", "shipped");
	cJSON_AddStringToObject(junk, "body", "{\"at\":\"2099-13-01T00:00:00Z\"}");
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(c, "sections"), junk);
	assert_int_equal(contract_latest_time(c, at), 1);
	assert_string_equal(at, AT);
	cJSON_Delete(c);
	cJSON *empty = cJSON_CreateObject();
	assert_int_equal(contract_latest_time(empty, at), 0);
	assert_string_equal(at, "");
	cJSON_Delete(empty);
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

/* The terms a front end shows are the latest offer's: the counter's 800, not the first
 * offer's; a document without an offer (or none) is refused, the terms still freeable. */
static void test_latest_terms_are_the_counter_offers(void **state)
{
	(void)state;
	struct kerr e = {0, ""};
	struct contract_terms t;
	cJSON *c = countered(NULL);
	if (contract_latest_terms(c, &t, &e) != K_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(t.nitems, 1);
	assert_int_equal(t.items[0].qty, 800);
	assert_string_equal(t.mode, "sea");
	contract_terms_free(&t);
	cJSON_Delete(c);
	assert_int_equal(contract_latest_terms(NULL, &t, &e), K_EINVAL);
	assert_string_equal(e.msg, "sections: no offer");
	contract_terms_free(&t);
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
	    "6,250.00 USD",
	    "Total: 6,250.00 USD",
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

static void test_diff_names_added_and_removed_items_in_their_units(void **state)
{
	struct kerr e = {0, ""};
	struct kbuf out = KBUF_INIT;
	struct contract_terms a, b;
	make_terms(&a, 300);
	make_terms(&b, 300);
	assert_int_equal(contract_terms_add_listing(&b, &lst, 1000, -1, NULL, &e), K_OK);
	contract_diff(&a, &b, &out);
	assert_non_null(strstr(kbuf_str(&out), " (1000 pieces at "));
	kbuf_reset(&out);
	assert_int_equal(contract_terms_add_listing(&a, &lst, 300, -1, NULL, &e), K_OK);
	contract_terms_free(&b);
	make_terms(&b, 300);
	contract_diff(&a, &b, &out);
	assert_non_null(strstr(kbuf_str(&out), "items[1]: removed "));
	assert_non_null(strstr(kbuf_str(&out), " (300 pieces)\n"));
	contract_terms_free(&a);
	contract_terms_free(&b);
	kbuf_free(&out);
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
	assert_non_null(strstr(s, "total: 6,250.00 USD -> 9,520.00 USD\n"));
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

/* ---------------------------------------------------------------- the order's history */

/* The two-stage contract of these tests: 500 at 12.50 USD = 6250.00, 30% on signing
 * (1875.00) and 70% before shipment (4375.00). */
#define H_STAGE1 187500
#define H_STAGE2 437500
#define H_MAX 8

enum { H_AW, H_FU, H_SH, H_DE, H_CO, H_CA, H_DI, H_RE };
static const char *const h_state[] = {"awaiting_payment", "funded",    "shipped",  "delivered",
                                      "completed",        "cancelled", "disputed", "resolved"};

/* One event as a test writes it: its kind, who signs it, and the stage it pays. */
struct hev {
	const char *kind;
	unsigned roles; /* 1 buyer, 2 seller, 4 escrow */
	int stage;      /* funded: 1 or 2 */
};

/* Where a history stands by these tests' own count: state, stages paid, escrow. */
struct hpos {
	int state, paid;
	int64_t escrow;
};

/* DESIGN §6 for this contract, written here: moves p on after ev (0), or -1. */
static int h_next(struct hpos *p, const struct hev *ev)
{
	const char *k = ev->kind;
	int s = p->state;
	if (!strcmp(k, "funded") && ev->roles == 1 && (s == H_AW || s == H_FU) && p->paid < 2 &&
	    ev->stage == p->paid + 1) {
		p->escrow += p->paid == 0 ? H_STAGE1 : H_STAGE2;
		p->paid++;
		p->state = H_FU;
		return 0;
	}
	int to = -1;
	if (!strcmp(k, "shipped") && ev->roles == 2 && (s == H_AW || s == H_FU) && p->paid == 2)
		to = H_SH;
	else if (!strcmp(k, "delivered") && ev->roles && s == H_SH)
		to = H_DE;
	else if (!strcmp(k, "confirmed") && ev->roles == 1 && (s == H_SH || s == H_DE) &&
	         p->paid == 2)
		to = H_CO;
	else if (!strcmp(k, "released") && ev->roles == 4 && s == H_DE && p->paid == 2)
		to = H_CO;
	else if (!strcmp(k, "disputed") && (ev->roles == 1 || ev->roles == 2) &&
	         (s == H_FU || s == H_SH || s == H_DE))
		to = H_DI;
	else if (!strcmp(k, "ruling") && ev->roles == 4 && s == H_DI)
		to = H_RE;
	else if (!strcmp(k, "refunded") && ev->roles == 4 &&
	         (s == H_FU || s == H_SH || s == H_DE || s == H_DI))
		to = H_CA;
	else if (!strcmp(k, "cancelled") &&
	         ((s == H_AW && ev->roles >= 1 && ev->roles <= 3) ||
	          ((s == H_FU || s == H_SH || s == H_DE) && ev->roles == 3)))
		to = H_CA;
	if (to < 0)
		return -1;
	p->state = to;
	if (to == H_CO || to == H_RE || to == H_CA)
		p->escrow = 0; /* released, split or refunded: all escrow held */
	return 0;
}

/* The moves a party makes in this contract, as a test lists them. */
static const struct hev h_moves[] = {
    {"funded", 1, 1},    {"funded", 1, 2},    {"shipped", 2, 0},   {"delivered", 2, 0},
    {"delivered", 4, 0}, {"confirmed", 1, 0}, {"released", 4, 0},  {"disputed", 1, 0},
    {"ruling", 4, 0},    {"refunded", 4, 0},  {"cancelled", 1, 0}, {"cancelled", 3, 0},
};

static cJSON *two_stage_bound(void)
{
	struct kerr e = {0, ""};
	struct contract_terms t;
	cJSON *c = NULL;
	make_terms(&t, 500); /* a 30% deposit: 30% on signing, 70% before shipment */
	cJSON *sec = offer_section(&t);
	contract_terms_free(&t);
	sign(sec, "buyer", &buyer_kp);
	sign(sec, "seller", &seller_kp);
	assert_int_equal(contract_new(sec, &c, &e), K_OK);
	return c;
}

/* Appends ev to c with the fields its step needs, the amounts as escrow holds them at pos
 * (bump adds to the money it states). Each role in ev->roles signs. */
static void h_append(cJSON *c, const struct hev *ev, const struct hpos *pos, int64_t bump)
{
	struct kerr e = {0, ""};
	char tip[KCRYPTO_HASH_B64_LEN + 1];
	cJSON *x = cJSON_CreateObject(), *body = NULL, *sec = NULL;
	if (!strcmp(ev->kind, "funded")) {
		json_add_int(x, "amount", (ev->stage == 1 ? H_STAGE1 : H_STAGE2) + bump);
		json_add_int(x, "stage", ev->stage);
	} else if (!strcmp(ev->kind, "released") || !strcmp(ev->kind, "refunded")) {
		json_add_int(x, "amount", pos->escrow + bump);
	} else if (!strcmp(ev->kind, "ruling")) {
		json_add_int(x, "buyerAmount", pos->escrow / 3);
		json_add_int(x, "sellerAmount", pos->escrow - pos->escrow / 3 + bump);
	} else if (!strcmp(ev->kind, "shipped")) {
		cJSON_AddStringToObject(x, "carrier", "Maersk");
		cJSON_AddStringToObject(x, "trackingNumber", "MSKU1234565");
		cJSON_AddStringToObject(x, "mode", "sea");
	} else if (!strcmp(ev->kind, "disputed")) {
		cJSON_AddStringToObject(x, "reason", "short delivery");
	}
	assert_int_equal(contract_tip(c, tip, &e), K_OK);
	if (contract_event_body(tip, AT, x, &body, &e) != K_OK)
		fail_msg("contract_event_body: %s", e.msg);
	assert_int_equal(contract_section_make(ev->kind, body, &sec, &e), K_OK);
	if (ev->roles & 1)
		sign(sec, "buyer", &buyer_kp);
	if (ev->roles & 2)
		sign(sec, "seller", &seller_kp);
	if (ev->roles & 4)
		sign(sec, "escrow", &node_kp);
	assert_int_equal(contract_append(c, sec, &e), K_OK);
	cJSON_Delete(body);
	cJSON_Delete(x);
}

/* A contract of the events evs[0..n), each with the amounts the history before it gives
 * (legal or not); *first_bad is the first event this test's rules refuse, -1 when none. */
static cJSON *h_build(const struct hev *evs, int n, int *first_bad, struct hpos *end)
{
	cJSON *c = two_stage_bound();
	struct hpos p = {H_AW, 0, 0};
	*first_bad = -1;
	for (int i = 0; i < n; i++) {
		struct hpos before = p;
		h_append(c, &evs[i], &before, 0);
		if (*first_bad < 0 && h_next(&p, &evs[i]) != 0)
			*first_bad = i;
	}
	if (end)
		*end = p;
	return c;
}

/* Verification fails naming the section of event idx (the offer is section 0). */
static void expect_fails_at(const cJSON *c, int idx, const char *what)
{
	struct kerr e = {0, ""};
	char sec[64];
	int rc = contract_verify(c, NULL, &e);
	snprintf(sec, sizeof sec, "section %d (", idx + 1);
	if (rc == K_OK || !strstr(e.msg, sec))
		fail_msg("%s: expected a failure naming %s, got %d '%s'", what, sec, rc, e.msg);
}

struct h_walk {
	struct hev path[H_MAX];
	int histories, corruptions;
};

/* A step signed by a role that may not take it. */
static unsigned wrong_role(const char *kind)
{
	static const struct {
		const char *kind;
		unsigned role;
	} wrong[] = {{"funded", 2},   {"shipped", 1}, {"confirmed", 2}, {"released", 1},
	             {"disputed", 4}, {"ruling", 2},  {"refunded", 1},  {"cancelled", 4}};
	for (size_t r = 0; r < sizeof wrong / sizeof wrong[0]; r++)
		if (!strcmp(wrong[r].kind, kind))
			return wrong[r].role;
	return 0; /* delivered: anyone of the three */
}

/* Every corruption of the legal history evs[0..n): a step skipped or two swapped (where
 * that makes it illegal), one more minor unit moved than the terms allow, a step signed by
 * a role that may not take it. Each one fails verification, naming its section. */
static void h_corrupt(struct h_walk *w, const struct hev *evs, int n)
{
	struct hev v[H_MAX];
	int bad;
	for (int i = 0; i < n; i++) { /* a step skipped */
		int m = 0;
		for (int k = 0; k < n; k++)
			if (k != i)
				v[m++] = evs[k];
		cJSON *c = h_build(v, m, &bad, NULL);
		if (bad >= 0) {
			expect_fails_at(c, bad, "a step skipped");
			w->corruptions++;
		}
		cJSON_Delete(c);
	}
	for (int i = 0; i + 1 < n; i++) { /* two steps the other way round */
		memcpy(v, evs, (size_t)n * sizeof *v);
		v[i] = evs[i + 1];
		v[i + 1] = evs[i];
		cJSON *c = h_build(v, n, &bad, NULL);
		if (bad >= 0) {
			expect_fails_at(c, bad, "steps reordered");
			w->corruptions++;
		}
		cJSON_Delete(c);
	}
	for (int i = 0; i < n; i++) { /* other money; the wrong signer */
		const char *k = evs[i].kind;
		int money = !strcmp(k, "funded") || !strcmp(k, "released") ||
		            !strcmp(k, "refunded") || !strcmp(k, "ruling");
		for (int pass = 0; pass < 2; pass++) {
			unsigned role = wrong_role(k);
			if (pass == 0 ? !money : !role)
				continue;
			cJSON *c = two_stage_bound();
			struct hpos p = {H_AW, 0, 0};
			for (int j = 0; j < i; j++) {
				h_append(c, &evs[j], &p, 0);
				assert_int_equal(h_next(&p, &evs[j]), 0);
			}
			struct hev ev = evs[i];
			if (pass == 1)
				ev.roles = role;
			h_append(c, &ev, &p, pass == 0 ? 1 : 0);
			struct kerr e = {0, ""};
			char sec[64];
			snprintf(sec, sizeof sec, "section %d (%s): ", i + 1, k);
			assert_int_equal(contract_verify(c, NULL, &e), K_EVERIFY);
			if (!strstr(e.msg, sec) || (pass == 1 && !strstr(e.msg, "may not sign")) ||
			    (pass == 0 && !strstr(e.msg, "escrow holds") &&
			     !strstr(e.msg, "not what the terms ask for")))
				fail_msg("%s at event %d: '%s'", pass ? "role" : "money", i, e.msg);
			w->corruptions++;
			cJSON_Delete(c);
		}
	}
}

/* Depth first: every legal history from pos on, each built, verified, and corrupted. */
static void h_walk(struct h_walk *w, int n, struct hpos pos)
{
	int bad;
	cJSON *c = h_build(w->path, n, &bad, NULL);
	assert_int_equal(bad, -1);
	struct kerr e = {0, ""};
	struct contract_status st;
	if (contract_verify(c, &st, &e) != K_OK)
		fail_msg("a legal history of %d events does not verify: %s", n, e.msg);
	assert_string_equal(order_state_name((int)st.progress.state), h_state[pos.state]);
	assert_int_equal(st.progress.escrow, pos.escrow);
	assert_int_equal((int)st.progress.stages_paid, pos.paid);
	cJSON_Delete(c);
	w->histories++;
	h_corrupt(w, w->path, n);
	if (n >= H_MAX)
		return;
	for (size_t m = 0; m < sizeof h_moves / sizeof h_moves[0]; m++) {
		struct hpos p = pos;
		if (h_next(&p, &h_moves[m]) != 0)
			continue;
		w->path[n] = h_moves[m];
		h_walk(w, n + 1, p);
	}
}

static void test_every_legal_history_of_a_two_stage_contract_and_each_corruption(void **state)
{
	struct h_walk *w = xcalloc(1, sizeof *w);
	struct hpos start = {H_AW, 0, 0};
	h_walk(w, 0, start);
	/* pay, pay, ship, deliver (the seller or the node), confirm or release; disputes,
	 * rulings, refunds and cancellations from every state that has them */
	assert_int_equal(w->histories, 38); /* the empty one included */
	assert_true(w->corruptions >= 300);
	free(w);
}

/* The document the issue found verifying: offer, shipped, confirmed, disputed, released,
 * never funded. */
static void test_a_history_never_funded_fails_at_its_first_step(void **state)
{
	static const struct hev evs[] = {
	    {"shipped", 2, 0}, {"confirmed", 1, 0}, {"disputed", 1, 0}, {"released", 4, 0}};
	int bad;
	cJSON *c = h_build(evs, 4, &bad, NULL);
	assert_int_equal(bad, 0);
	struct kerr e = {0, ""};
	assert_int_equal(contract_verify(c, NULL, &e), K_ECONFLICT);
	assert_string_equal(e.msg, "section 1 (shipped): order is awaiting_payment: ship needs "
	                           "funded (stage 1 of 2, 30% on signing, 1,875.00 USD, is not "
	                           "paid)");
	cJSON_Delete(c);
}

static cJSON *load_json(const char *path)
{
	struct kbuf b = KBUF_INIT;
	struct kerr e = {0, ""};
	cJSON *j = NULL;
	if (kbuf_read_file(path, 1u << 20, &b, &e) != K_OK ||
	    json_parse(kbuf_str(&b), b.len, path, &j, &e) != K_OK)
		fail_msg("%s: %s", path, e.msg);
	kbuf_free(&b);
	return j;
}

/* Made by kontor before stages (tests/data/contracts/README.md): depositPct, funded without
 * an amount, the mode in a note. They verify, and the replay says where each order ended. */
static void test_documents_an_older_kontor_made_still_verify(void **state)
{
	static const struct {
		const char *file, *state;
		size_t nsections;
	} docs[] = {
	    {"tests/data/contracts/old-deposit-air-confirmed.json", "completed", 5},
	    {"tests/data/contracts/old-disputed-ruled.json", "resolved", 5},
	    {"tests/data/contracts/old-cancelled-by-both.json", "cancelled", 3},
	};
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		cJSON *c = load_json(docs[i].file);
		struct contract_status st;
		struct kerr e = {0, ""};
		if (contract_verify(c, &st, &e) != K_OK)
			fail_msg("%s: %s", docs[i].file, e.msg);
		assert_int_equal(st.nsections, docs[i].nsections);
		assert_string_equal(order_state_name((int)st.progress.state), docs[i].state);
		assert_int_equal(st.progress.escrow, 0);
		assert_int_equal(st.progress.paid, st.terms.total); /* paid whole, in one go */
		struct contract_terms t;
		assert_int_equal(contract_section_terms(section_at(c, 0), &t, &e), K_OK);
		assert_string_equal(t.created, "");
		assert_string_equal(t.nonce, "");
		if (i == 0) { /* the 30% deposit offer reads as its two stages */
			assert_int_equal(st.terms.nstages, 2);
			assert_int_equal(st.terms.stages[0].pct, 30);
			assert_int_equal(st.terms.stages[0].due, ORDER_DUE_SIGNING);
			assert_int_equal(st.terms.stages[1].due, ORDER_DUE_BEFORE_SHIPMENT);
		}
		contract_terms_free(&t);
		cJSON_Delete(c);
	}
}

static void test_identical_offers_are_two_contracts(void **state)
{
	struct kerr e = {0, ""};
	struct contract_terms a, b, back;
	make_terms(&a, 500);
	make_terms(&b, 500);
	contract_terms_stamp(&a);
	contract_terms_stamp(&b);
	assert_int_equal(strlen(a.nonce), CONTRACT_NONCE_LEN);
	assert_string_not_equal(a.nonce, b.nonce);
	assert_int_equal(model_check_time(a.created, "created", &e), K_OK);
	cJSON *sa = offer_section(&a), *sb = offer_section(&b);
	assert_string_not_equal(cJSON_GetObjectItem(sa, "hash")->valuestring,
	                        cJSON_GetObjectItem(sb, "hash")->valuestring);
	/* created and nonce are canon-stable: read back and written again, the same bytes */
	cJSON *body = NULL, *j2 = NULL;
	const char *bytes = cJSON_GetObjectItem(sa, "body")->valuestring;
	assert_int_equal(canon_parse(bytes, strlen(bytes), &body, &e), K_OK);
	assert_int_equal(contract_terms_from_json(body, &back, &e), K_OK);
	assert_string_equal(back.nonce, a.nonce);
	assert_int_equal(contract_terms_to_json(&back, &j2, &e), K_OK);
	struct kbuf out = KBUF_INIT;
	assert_int_equal(canon_write(j2, &out, &e), K_OK);
	assert_string_equal(kbuf_str(&out), bytes);
	/* and no change a counter-offer lists */
	kbuf_reset(&out);
	contract_diff(&a, &b, &out);
	assert_int_equal(out.len, 0);
	/* a nonce that is not 16 bytes of base64url is refused by name */
	memcpy(back.nonce, "short", 6);
	assert_int_equal(contract_terms_validate(&back, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "nonce:"));
	kbuf_free(&out);
	cJSON_Delete(j2);
	cJSON_Delete(body);
	cJSON_Delete(sa);
	cJSON_Delete(sb);
	contract_terms_free(&a);
	contract_terms_free(&b);
	contract_terms_free(&back);
}

/* The offer's words say the amounts the rules take at each pay, word for word, here in a
 * 3-decimal currency with an odd total. */
static void test_stages_in_the_offer_text_are_the_amounts_the_rules_take(void **state)
{
	struct kerr e = {0, ""};
	struct contract_terms t;
	make_terms(&t, 500);
	memcpy(t.currency, "KWD", 4);
	t.items[0].unit_price = 2001; /* 2.001 KWD x 500 = 1000.500 */
	assert_int_equal(contract_terms_total(&t, &e), K_OK);
	assert_int_equal(
	    order_stages_parse("33:signing,33:before_shipment,34:days_after_delivery:30", t.stages,
	                       &t.nstages, &e),
	    K_OK);
	cJSON *sec = offer_section(&t), *c = NULL;
	sign(sec, "buyer", &buyer_kp);
	sign(sec, "seller", &seller_kp);
	assert_int_equal(contract_new(sec, &c, &e), K_OK);
	struct contract_status st;
	assert_int_equal(contract_verify(c, &st, &e), K_OK);
	struct kbuf out = KBUF_INIT;
	assert_int_equal(contract_render(c, &out, &e), K_OK);
	int64_t sum = 0;
	for (size_t i = 0; i < st.terms.nstages; i++) {
		char m[MONEY_FMT_MAX], line[128], due[ORDER_DUE_LEN];
		money_format(order_stage_amount(&st.terms, i), "KWD", m);
		order_due_words(&st.terms.stages[i], due);
		snprintf(line, sizeof line, "stage %zu: %lld%% %s, %s KWD", i + 1,
		         (long long)st.terms.stages[i].pct, due, m);
		if (!strstr(kbuf_str(&out), line))
			fail_msg("render lacks '%s' in:\n%s", line, kbuf_str(&out));
		sum += order_stage_amount(&st.terms, i);
	}
	assert_int_equal(sum, 1000500);
	/* 330.165 + 330.165 + 340.170 = 1000.500 */
	assert_non_null(strstr(kbuf_str(&out), "stage 3: 34% 30 days after delivery, 340.170 KWD"));
	assert_non_null(strstr(kbuf_str(&out), "in 3 stages"));
	/* the diff against the deposit offer names the stages whole */
	struct contract_terms d, d2;
	make_terms(&d, 500);
	kbuf_reset(&out);
	contract_diff(&d, &t, &out);
	assert_non_null(strstr(kbuf_str(&out),
	                       "payment into escrow: 30% on signing, 70% before shipment -> "
	                       "33% on signing (330.165 KWD), 33% before shipment (330.165 KWD), "
	                       "34% 30 days after delivery (340.170 KWD)\n"));
	make_terms(&d2, 500);
	d.deposit_pct = 50;
	kbuf_reset(&out);
	contract_diff(&d2, &d, &out);
	assert_non_null(strstr(kbuf_str(&out), "payment into escrow: 30% on signing, 70% before "
	                                       "shipment -> 50% on signing ("));
	/* from the default, one stage before shipment: never "deposit: 100% -> 30%", which reads
	 * as less paid up front where 30% more is */
	struct contract_terms one;
	make_terms(&one, 500);
	one.deposit_pct = 100;
	kbuf_reset(&out);
	contract_diff(&one, &d2, &out);
	assert_non_null(strstr(kbuf_str(&out), "payment into escrow: 100% before shipment -> 30% "
	                                       "on signing ("));
	assert_null(strstr(kbuf_str(&out), "deposit"));
	/* the same change named in words, for the inbox's line about a counter-offer */
	kbuf_reset(&out);
	contract_changed_words(&one, &d2, &out);
	assert_string_equal(kbuf_str(&out), "payment into escrow");
	/* more of them, each once (an item's quantity and price both change its line) */
	struct contract_terms more;
	make_terms(&more, 1200);
	memcpy(more.incoterm, "CIF", 4);
	kbuf_reset(&out);
	contract_changed_words(&d2, &more, &out);
	assert_string_equal(kbuf_str(&out), "quantity, unit price, total, incoterm");
	kbuf_reset(&out);
	contract_changed_words(&d2, &d2, &out);
	assert_int_equal(out.len, 0);
	contract_terms_free(&more);
	contract_terms_free(&one);
	kbuf_free(&out);
	contract_terms_free(&d);
	contract_terms_free(&d2);
	contract_terms_free(&t);
	cJSON_Delete(c);
}

/* The ship mode is a field of the "shipped" section, checked; never words in a note. */
static void test_shipped_carries_its_mode_as_a_field(void **state)
{
	struct kerr e = {0, ""};
	cJSON *x = cJSON_CreateObject(), *body = NULL;
	cJSON_AddStringToObject(x, "mode", "air");
	assert_int_equal(contract_event_body(section_hash0(), AT, x, &body, &e), K_OK);
	assert_string_equal(cJSON_GetObjectItem(body, "mode")->valuestring, "air");
	cJSON_Delete(body);
	cJSON_ReplaceItemInObjectCaseSensitive(x, "mode", cJSON_CreateString("camel"));
	assert_int_equal(contract_event_body(section_hash0(), AT, x, &body, &e), K_EINVAL);
	assert_non_null(
	    strstr(e.msg, "mode: 'camel' must be one of sea, air, road, rail, courier"));
	cJSON_Delete(x);
	/* a stage number out of range is refused too */
	x = cJSON_CreateObject();
	json_add_int(x, "stage", 0);
	assert_int_equal(contract_event_body(section_hash0(), AT, x, &body, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "stage:"));
	cJSON_Delete(x);
}

static void test_goods_and_shipping_in_words_name_the_variant_and_leave_out_the_unsaid(void **state)
{
	struct contract_item items[2] = {
	    {.description = "Giỏ tre đan tay (Lớn)",
	     .qty = 40,
	     .unit = "C62",
	     .unit_price = 245000,
	     .variant_sku = "GIO-TRE-L"},
	    {.description = "Khay mây", .qty = 1, .unit = "C62", .unit_price = 95000}};
	struct contract_terms t = {.items = items,
	                           .nitems = 2,
	                           .currency = "VND",
	                           .incoterm = "FOB",
	                           .named_place = "Hai Phong",
	                           .mode = "sea",
	                           .ship_by = "2027-01-04",
	                           .deliver_by = "2027-02-18"};
	struct kbuf b = KBUF_INIT;
	contract_item_words(&t, 0, &b);
	assert_string_equal(kbuf_str(&b),
	                    "40 pieces × Giỏ tre đan tay (Lớn), SKU GIO-TRE-L at 245,000 VND");
	kbuf_reset(&b);
	contract_item_words(&t, 1, &b);
	assert_string_equal(kbuf_str(&b), "1 piece × Khay mây at 95,000 VND");
	kbuf_reset(&b);
	contract_item_words(&t, 2, &b); /* past the end: nothing */
	assert_string_equal(kbuf_str(&b), "");
	contract_shipping_words(&t, &b);
	assert_string_equal(kbuf_str(&b),
	                    "FOB Hai Phong by sea; ship by 2027-01-04, deliver by 2027-02-18");
	t.mode[0] = '\0';
	t.ship_by[0] = '\0';
	kbuf_reset(&b);
	contract_shipping_words(&t, &b);
	assert_string_equal(kbuf_str(&b), "FOB Hai Phong; deliver by 2027-02-18");
	kbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_offer_from_listing_picks_the_tier_price_for_the_quantity),
	    cmocka_unit_test(test_an_offer_for_a_variant_takes_its_price_and_names_its_options),
	    cmocka_unit_test(test_the_variant_a_buyers_words_name_is_the_only_one_they_name_whole),
	    cmocka_unit_test(test_a_variant_is_named_by_words_only_its_values_hold),
	    cmocka_unit_test(test_the_variant_bought_is_signed_and_read_back),
	    cmocka_unit_test(test_a_long_title_is_cut_so_the_variant_still_fits),
	    cmocka_unit_test(test_offer_refuses_an_unsigned_listing),
	    cmocka_unit_test(test_an_offer_in_another_currency_names_its_price),
	    cmocka_unit_test(test_offer_total_is_the_exact_sum_and_overflow_is_refused),
	    cmocka_unit_test(test_sea_only_incoterm_with_air_or_courier_is_refused_naming_the_rule),
	    cmocka_unit_test(test_offer_fields_are_checked_by_name),
	    cmocka_unit_test(test_offer_body_round_trips_through_json),
	    cmocka_unit_test(
	        test_offer_signed_by_both_parties_is_binding_and_its_hash_is_the_order_id),
	    cmocka_unit_test(test_who_has_signed_and_each_partys_role),
	    cmocka_unit_test(test_order_events_verify_along_the_chain),
	    cmocka_unit_test(test_latest_time_is_the_latest_sections_offer_created_or_event_at),
	    cmocka_unit_test(test_one_changed_body_byte_fails_verification_naming_that_section),
	    cmocka_unit_test(test_relabelled_section_kind_fails_its_signature),
	    cmocka_unit_test(test_signature_by_the_wrong_party_for_a_role_fails),
	    cmocka_unit_test(test_dropped_or_reordered_section_breaks_the_chain),
	    cmocka_unit_test(test_events_need_a_binding_offer),
	    cmocka_unit_test(test_latest_terms_are_the_counter_offers),
	    cmocka_unit_test(test_counter_offer_must_supersede_the_previous_offer),
	    cmocka_unit_test(test_rendered_text_contains_the_filled_in_numbers),
	    cmocka_unit_test(test_diff_names_the_changed_fields),
	    cmocka_unit_test(test_diff_names_added_and_removed_items_in_their_units),
	    cmocka_unit_test(test_verify_refuses_a_wrong_envelope),
	    cmocka_unit_test(test_every_legal_history_of_a_two_stage_contract_and_each_corruption),
	    cmocka_unit_test(test_a_history_never_funded_fails_at_its_first_step),
	    cmocka_unit_test(test_documents_an_older_kontor_made_still_verify),
	    cmocka_unit_test(test_identical_offers_are_two_contracts),
	    cmocka_unit_test(test_stages_in_the_offer_text_are_the_amounts_the_rules_take),
	    cmocka_unit_test(test_shipped_carries_its_mode_as_a_field),
	    cmocka_unit_test(
	        test_goods_and_shipping_in_words_name_the_variant_and_leave_out_the_unsaid),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
