/* test_model — Listing and Account to and from JSON (stable canonical bytes, signatures),
 * every validation rule refused with a message naming its field, and model_validate good
 * and bad for each DESIGN §4 type. Runs from the repo root; needs Debian's iso-codes. */
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
#include "kontor/crypto.h"
#include "kontor/json.h"
#include "kontor/model.h"

static struct kkeypair key_a, key_b;
static char id_a[KCRYPTO_ID_LEN + 1], id_b[KCRYPTO_ID_LEN + 1];
static char body_hash[KCRYPTO_HASH_B64_LEN + 1];

#define SIG64                                                                                      \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"       \
	"AAAA=="
#define OFFER_BODY "{\"qty\":500}"

static int setup(void **state)
{
	struct kerr e = {0, ""};
	if (kcrypto_init(&e) != K_OK || codes_load(&e) != K_OK) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	kcrypto_keypair_new(&key_a);
	kcrypto_keypair_new(&key_b);
	kcrypto_account_id(key_a.pk, id_a);
	kcrypto_account_id(key_b.pk, id_b);
	kcrypto_hash_b64url(OFFER_BODY, strlen(OFFER_BODY), body_hash);
	return 0;
}

/* JSON text with @A / @B (the two account ids) and @H (hash of OFFER_BODY) filled in. */
static char *fill(const char *tmpl)
{
	struct kbuf b = KBUF_INIT;
	for (const char *p = tmpl; *p; p++) {
		if (p[0] == '@' && p[1] == 'A') {
			kbuf_puts(&b, id_a);
			p++;
		} else if (p[0] == '@' && p[1] == 'B') {
			kbuf_puts(&b, id_b);
			p++;
		} else if (p[0] == '@' && p[1] == 'H') {
			kbuf_puts(&b, body_hash);
			p++;
		} else {
			kbuf_putc(&b, *p);
		}
	}
	return kbuf_detach(&b, NULL);
}

static cJSON *parse(const char *tmpl)
{
	char *s = fill(tmpl);
	cJSON *j = cJSON_Parse(s);
	if (!j)
		fail_msg("test JSON does not parse: %s", s);
	free(s);
	return j;
}

/* Sets (or with value NULL deletes) a member at a dotted path; numeric segments index
 * arrays: "priceTiers.1.minQty". */
static void set_path(cJSON *root, const char *path, const char *value)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	cJSON *cur = root;
	char *seg = buf, *dot;
	while ((dot = strchr(seg, '.'))) {
		*dot = '\0';
		cur = cJSON_IsArray(cur) ? cJSON_GetArrayItem(cur, atoi(seg))
		                         : cJSON_GetObjectItemCaseSensitive(cur, seg);
		if (!cur)
			fail_msg("no %s in test object (path %s)", seg, path);
		seg = dot + 1;
	}
	if (cJSON_IsArray(cur)) {
		int i = atoi(seg);
		if (value)
			cJSON_ReplaceItemInArray(cur, i, parse(value));
		else
			cJSON_DeleteItemFromArray(cur, i);
		return;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(cur, seg);
	if (value)
		cJSON_AddItemToObject(cur, seg, parse(value));
}

struct bad {
	const char *path;  /* dotted path to change */
	const char *value; /* JSON text (with @A/@B/@H), NULL deletes */
	const char *want;  /* substring of the message, starting with the field */
};

/* Each change to the good object alone must be refused with K_EINVAL and a message that
 * names the field. */
static void expect_each_refused(const char *type, const char *good, const struct bad *cases,
                                size_t n)
{
	struct kerr e = {0, ""};
	cJSON *ok = parse(good);
	if (model_validate(type, ok, &e) != K_OK)
		fail_msg("%s: the good object is refused: %s", type, e.msg);
	cJSON_Delete(ok);
	for (size_t i = 0; i < n; i++) {
		cJSON *j = parse(good);
		set_path(j, cases[i].path, cases[i].value);
		kerr_clear(&e);
		int rc = model_validate(type, j, &e);
		if (rc != K_EINVAL || strstr(e.msg, cases[i].want) != e.msg)
			fail_msg("%s case %zu (%s = %s): got %d '%s', wanted '%s...'", type, i,
			         cases[i].path, cases[i].value ? cases[i].value : "(deleted)", rc,
			         e.msg, cases[i].want);
		if (strcmp(type, "Listing") == 0 || strcmp(type, "Account") == 0) {
			/* The struct readers refuse exactly the same way. */
			struct listing l;
			struct account a;
			struct kerr e2 = {0, ""};
			rc = strcmp(type, "Listing") == 0 ? listing_from_json(j, &l, &e2)
			                                  : account_from_json(j, &a, &e2);
			assert_int_equal(rc, K_EINVAL);
			assert_string_equal(e2.msg, e.msg);
		}
		cJSON_Delete(j);
	}
}

#define EXPECT_EACH_REFUSED(type, good, cases)                                                     \
	expect_each_refused(type, good, cases, sizeof cases / sizeof cases[0])

/* ------------------------------------------------------------------ listings */

static const char good_listing[] =
    "{\"sku\":\"TSHIRT-001\",\"title\":\"Organic cotton T-shirt\","
    "\"description\":\"Heavy jersey.\\n\\tSizes S-XL.\",\"category\":\"Apparel\","
    "\"tags\":[\"cotton\",\"organic\"],\"hsCode\":\"610910\",\"originCountry\":\"PT\","
    "\"shipsFrom\":\"PT\",\"currency\":\"EUR\",\"priceTiers\":[{\"minQty\":1,\"unitPrice\":1200},"
    "{\"minQty\":100,\"unitPrice\":950}],\"unit\":\"C62\",\"moq\":10,\"leadTimeDays\":14,"
    "\"incoterms\":[\"EXW\",\"FOB\"],\"variants\":[{\"sku\":\"TSHIRT-001-S\",\"options\":"
    "{\"size\":\"S\"}},{\"sku\":\"TSHIRT-001-M\",\"options\":{\"size\":\"M\",\"colour\":"
    "\"blue\"},\"unitPrice\":1250}],\"images\":[\"https://example.com/a.jpg\"],"
    "\"status\":\"active\",\"created\":\"2026-01-05T10:00:00Z\","
    "\"updated\":\"2026-01-06T11:30:00Z\"}";

static const char good_listing_canon[] =
    "{\"category\":\"Apparel\",\"created\":\"2026-01-05T10:00:00Z\",\"currency\":\"EUR\","
    "\"description\":\"Heavy jersey.\\n\\tSizes S-XL.\",\"hsCode\":\"610910\","
    "\"images\":[\"https://example.com/a.jpg\"],\"incoterms\":[\"EXW\",\"FOB\"],"
    "\"leadTimeDays\":14,\"moq\":10,\"originCountry\":\"PT\",\"priceTiers\":[{\"minQty\":1,"
    "\"unitPrice\":1200},{\"minQty\":100,\"unitPrice\":950}],\"shipsFrom\":\"PT\","
    "\"sku\":\"TSHIRT-001\",\"status\":\"active\",\"tags\":[\"cotton\",\"organic\"],"
    "\"title\":\"Organic cotton T-shirt\",\"unit\":\"C62\",\"updated\":\"2026-01-06T11:30:00Z\","
    "\"variants\":[{\"options\":{\"size\":\"S\"},\"sku\":\"TSHIRT-001-S\"},{\"options\":"
    "{\"colour\":\"blue\",\"size\":\"M\"},\"sku\":\"TSHIRT-001-M\",\"unitPrice\":1250}]}";

static void load_listing(const char *tmpl, struct listing *l)
{
	struct kerr e = {0, ""};
	cJSON *j = parse(tmpl);
	if (listing_from_json(j, l, &e) != K_OK)
		fail_msg("listing_from_json: %s", e.msg);
	cJSON_Delete(j);
}

static char *canon_of(const struct listing *l)
{
	struct kbuf b = KBUF_INIT;
	struct kerr e = {0, ""};
	if (listing_canon(l, &b, &e) != K_OK)
		fail_msg("listing_canon: %s", e.msg);
	return kbuf_detach(&b, NULL);
}

static void test_listing_json_round_trip_keeps_canonical_bytes(void **state)
{
	struct listing l, again;
	struct kerr e = {0, ""};
	load_listing(good_listing, &l);
	char *c1 = canon_of(&l);
	assert_string_equal(c1, good_listing_canon);

	cJSON *j = listing_to_json(&l, 1);
	assert_int_equal(listing_from_json(j, &again, &e), K_OK);
	char *c2 = canon_of(&again);
	assert_string_equal(c1, c2);
	assert_int_equal(canon_check(c1, strlen(c1), &e), K_OK);

	free(c1);
	free(c2);
	cJSON_Delete(j);
	listing_free(&l);
	listing_free(&again);
}

static void test_listing_to_json_leaves_out_empty_optionals(void **state)
{
	struct listing l;
	struct kerr e = {0, ""};
	listing_init(&l);
	l.sku = strdup("S1");
	l.title = strdup("Plain");
	l.description = strdup(""); /* empty counts as absent */
	memcpy(l.currency, "USD", 4);
	l.tiers = calloc(1, sizeof *l.tiers);
	l.ntiers = 1;
	l.tiers[0].min_qty = 1;
	l.tiers[0].unit_price = 500;
	assert_int_equal(listing_validate(&l, &e), K_OK);
	char *c = canon_of(&l);
	assert_string_equal(c, "{\"currency\":\"USD\",\"leadTimeDays\":0,\"moq\":1,\"priceTiers\":"
	                       "[{\"minQty\":1,\"unitPrice\":500}],\"sku\":\"S1\",\"status\":"
	                       "\"active\",\"title\":\"Plain\",\"unit\":\"C62\"}");
	free(c);
	listing_free(&l);
}

static void test_listing_variant_lines_align_each_variant_in_the_signed_order(void **state)
{
	struct listing l;
	load_listing(good_listing, &l);
	struct kstrv lines = {0};
	struct kbuf names = KBUF_INIT;
	listing_variant_lines(&l, "  ", &lines, &names);
	assert_int_equal(lines.n, 2);
	/* S has no price of its own: the listing's at the MOQ; M's options by their names */
	assert_string_equal(lines.v[0], "  S         EUR 12.00  TSHIRT-001-S");
	assert_string_equal(lines.v[1], "  blue / M  EUR 12.50  TSHIRT-001-M");
	assert_string_equal(kbuf_str(&names), "colour / size");
	kstrv_free(&lines);
	listing_free(&l);

	/* a shop export's one generic option is not named; the SKU as the seller wrote it */
	load_listing("{\"sku\":\"G\",\"title\":\"Giỏ\",\"currency\":\"VND\",\"priceTiers\":"
	             "[{\"minQty\":1,\"unitPrice\":185000}],\"variants\":[{\"sku\":\"G-1\","
	             "\"options\":{\"Variation\":\"Nh\\u1ecf\"},\"unitPrice\":185000,"
	             "\"sellerSku\":\"G 1\"}]}",
	             &l);
	listing_variant_lines(&l, "", &lines, &names);
	assert_int_equal(lines.n, 1);
	assert_string_equal(lines.v[0], "Nhỏ  VND 185,000  G 1");
	assert_string_equal(kbuf_str(&names), "");
	kstrv_free(&lines);
	listing_free(&l);

	load_listing("{\"sku\":\"P\",\"title\":\"Plain\",\"currency\":\"EUR\",\"priceTiers\":"
	             "[{\"minQty\":1,\"unitPrice\":100}]}",
	             &l);
	listing_variant_lines(&l, "  ", &lines, &names);
	assert_int_equal(lines.n, 0);
	kstrv_free(&lines);
	kbuf_free(&names);
	listing_free(&l);
}

static void test_variant_stock_is_kept_signed_summed_and_shown_in_its_column(void **state)
{
	struct listing l;
	struct kerr e = {0, ""};
	load_listing("{\"sku\":\"G\",\"title\":\"Giỏ\",\"currency\":\"VND\",\"stock\":65,"
	             "\"priceTiers\":[{\"minQty\":1,\"unitPrice\":185000}],\"variants\":["
	             "{\"sku\":\"G-S\",\"options\":{\"Size\":\"S\"},\"stock\":40},"
	             "{\"sku\":\"G-L\",\"options\":{\"Size\":\"L\"},\"unitPrice\":245000,"
	             "\"stock\":25},{\"sku\":\"G-XL\",\"options\":{\"Size\":\"XL\"}}]}",
	             &l);
	assert_int_equal(listing_variant_stock(cJSON_GetArrayItem(l.variants, 0)), 40);
	assert_int_equal(listing_variant_stock(cJSON_GetArrayItem(l.variants, 2)), -1);
	assert_int_equal(listing_variants_stock(&l), 65);
	/* what she has of one: the variant's own, -1 where it says none or is no variant of it;
	 * the listing's for the listing */
	assert_int_equal(listing_on_hand(&l, "G-L"), 25);
	assert_int_equal(listing_on_hand(&l, "G-XL"), -1);
	assert_int_equal(listing_on_hand(&l, "NOPE"), -1);
	assert_int_equal(listing_on_hand(&l, NULL), 65);
	assert_int_equal(listing_on_hand(&l, ""), 65);
	struct kstrv lines = {0};
	listing_variant_lines(&l, "", &lines, NULL);
	assert_int_equal(lines.n, 3);
	assert_string_equal(lines.v[0], "S   VND 185,000  stock 40  G-S");
	assert_string_equal(lines.v[1], "L   VND 245,000  stock 25  G-L");
	assert_string_equal(lines.v[2], "XL  VND 185,000  no count  G-XL"); /* says none */
	kstrv_free(&lines);
	/* in all: none said while XL keeps no count (made to order), their sum once it does */
	assert_int_equal(listing_stock(&l), -1);
	listing_variant_set_stock(cJSON_GetArrayItem(l.variants, 2), 5);
	assert_int_equal(listing_stock(&l), 70);
	listing_variant_set_stock(cJSON_GetArrayItem(l.variants, 2), -1);
	/* it is signed: the canonical form carries it, and a copy read back has it */
	listing_variant_set_stock(cJSON_GetArrayItem(l.variants, 1), 0);
	char *c = canon_of(&l);
	assert_non_null(strstr(c, "\"sku\":\"G-L\",\"stock\":0,\"unitPrice\":245000"));
	free(c);
	listing_variant_set_stock(cJSON_GetArrayItem(l.variants, 0), -1); /* no longer said */
	assert_int_equal(listing_variants_stock(&l), 0);
	/* variants that keep no stock of their own: a variant has what the listing says */
	listing_variant_set_stock(cJSON_GetArrayItem(l.variants, 1), -1);
	assert_int_equal(listing_variants_stock(&l), -1);
	assert_int_equal(listing_stock(&l), 65); /* the listing's own, then */
	assert_int_equal(listing_on_hand(&l, "G-L"), 65);
	listing_free(&l);
	/* below none is refused, as the listing's own is */
	cJSON *j = cJSON_Parse("{\"sku\":\"G\",\"title\":\"G\",\"currency\":\"VND\","
	                       "\"priceTiers\":[{\"minQty\":1,\"unitPrice\":1}],\"variants\":"
	                       "[{\"sku\":\"G-S\",\"options\":{\"Size\":\"S\"},\"stock\":-1}]}");
	assert_int_equal(model_validate("Listing", j, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "variants[0].stock"));
	cJSON_Delete(j);
}

static void test_listing_from_json_takes_empty_and_null_optionals_as_absent(void **state)
{
	struct listing l;
	load_listing("{\"sku\":\"S1\",\"title\":\"T\",\"currency\":\"USD\",\"priceTiers\":"
	             "[{\"minQty\":1,\"unitPrice\":5}],\"description\":\"\",\"hsCode\":\"\","
	             "\"originCountry\":null,\"tags\":[],\"variants\":[],\"status\":\"\"}",
	             &l);
	assert_null(l.description);
	assert_null(l.hs_code);
	assert_string_equal(l.origin_country, "");
	assert_int_equal(l.tags.n, 0);
	assert_null(l.variants);
	assert_string_equal(l.status, "active");
	assert_string_equal(l.unit, "C62");
	assert_int_equal(l.moq, 1);
	listing_free(&l);
}

static void test_listing_sign_then_verify_succeeds(void **state)
{
	struct listing l, back;
	struct kerr e = {0, ""};
	char want_id[MODEL_LISTING_ID_LEN + 1];
	load_listing(good_listing, &l);
	assert_int_equal(listing_sign(&l, &key_a, &e), K_OK);
	assert_string_equal(l.seller_id, id_a);
	listing_make_id(id_a, "TSHIRT-001", want_id);
	assert_string_equal(l.id, want_id);
	assert_non_null(l.sig);
	assert_int_equal(listing_verify(&l, &e), K_OK);

	/* and still after the trip through JSON a reader makes */
	cJSON *j = listing_to_json(&l, 1);
	assert_int_equal(listing_from_json(j, &back, &e), K_OK);
	assert_int_equal(listing_verify(&back, &e), K_OK);
	cJSON_Delete(j);
	listing_free(&l);
	listing_free(&back);
}

static void test_listing_tampered_title_fails_verify(void **state)
{
	struct listing l;
	struct kerr e = {0, ""};
	load_listing(good_listing, &l);
	assert_int_equal(listing_sign(&l, &key_a, &e), K_OK);
	free(l.title);
	l.title = strdup("Organic cotton T-shirt!");
	assert_int_equal(listing_verify(&l, &e), K_EVERIFY);
	assert_int_equal(e.code, K_EVERIFY);
	listing_free(&l);
}

static void test_listing_tampered_price_fails_verify(void **state)
{
	struct listing l;
	struct kerr e = {0, ""};
	load_listing(good_listing, &l);
	assert_int_equal(listing_sign(&l, &key_a, &e), K_OK);
	l.tiers[1].unit_price = 1;
	assert_int_equal(listing_verify(&l, &e), K_EVERIFY);
	listing_free(&l);
}

static void test_price_tiers_rule_refuses_new_free_or_dearer_prices_but_reads_old_ones(void **state)
{
	(void)state;
	size_t at = 99;
	const struct price_tier falling[] = {{10, 12000}, {20, 11000}, {100, 11000}};
	assert_int_equal(price_tiers_rule(falling, 3, 1, &at), TIERS_OK);
	const struct price_tier dearer[] = {{10, 12000}, {20, 13000}};
	assert_int_equal(price_tiers_rule(dearer, 2, 1, &at), TIERS_DEARER);
	assert_int_equal(at, 1);
	const struct price_tier free_one[] = {{1, 0}};
	assert_int_equal(price_tiers_rule(free_one, 1, 1, &at), TIERS_FREE);
	assert_int_equal(at, 0);
	const struct price_tier same_qty[] = {{10, 12000}, {10, 11000}};
	assert_int_equal(price_tiers_rule(same_qty, 2, 1, &at), TIERS_ORDER);
	assert_int_equal(price_tiers_rule(same_qty, 2, 0, &at), TIERS_ORDER);
	/* a listing signed before the price rules still reads from the cache and the node */
	assert_int_equal(price_tiers_rule(dearer, 2, 0, &at), TIERS_OK);
	assert_int_equal(price_tiers_rule(free_one, 1, 0, &at), TIERS_OK);
	struct listing l;
	load_listing("{\"sku\":\"G\",\"title\":\"Gate\",\"currency\":\"USD\",\"priceTiers\":"
	             "[{\"minQty\":10,\"unitPrice\":12000},{\"minQty\":20,\"unitPrice\":13000}]}",
	             &l);
	struct kerr e = {0, ""};
	assert_int_equal(listing_validate(&l, &e), K_OK);
	listing_free(&l);
}

static void test_listing_signature_does_not_verify_as_another_kind(void **state)
{
	struct listing l;
	struct kerr e = {0, ""};
	load_listing(good_listing, &l);
	assert_int_equal(listing_sign(&l, &key_a, &e), K_OK);
	char *c = canon_of(&l);
	assert_int_equal(kcrypto_verify_object_b64("listing", c, strlen(c), id_a, l.sig, &e), K_OK);
	assert_int_equal(kcrypto_verify_object_b64("contract", c, strlen(c), id_a, l.sig, &e),
	                 K_EVERIFY);
	assert_int_equal(kcrypto_verify_object_b64("listingx", c, strlen(c), id_a, l.sig, &e),
	                 K_EVERIFY);
	free(c);
	listing_free(&l);
}

static void test_listing_verify_refuses_unsigned_listing(void **state)
{
	struct listing l;
	struct kerr e = {0, ""};
	load_listing(good_listing, &l);
	assert_int_equal(listing_verify(&l, &e), K_EVERIFY);
	assert_non_null(strstr(e.msg, "sig: missing"));
	listing_free(&l);
}

static void test_listing_verify_refuses_another_sellers_id(void **state)
{
	struct listing l;
	struct kerr e = {0, ""};
	load_listing(good_listing, &l);
	assert_int_equal(listing_sign(&l, &key_a, &e), K_OK);
	/* claimed by B under A's signature: the id no longer matches ... */
	memcpy(l.seller_id, id_b, sizeof l.seller_id);
	assert_int_equal(listing_verify(&l, &e), K_EVERIFY);
	assert_non_null(strstr(e.msg, "id:"));
	/* ... and with the id fixed up the signature is still A's, not B's */
	listing_make_id(id_b, l.sku, l.id);
	assert_int_equal(listing_verify(&l, &e), K_EVERIFY);
	listing_free(&l);
}

static void test_listing_sign_refuses_invalid_listing(void **state)
{
	struct listing l;
	struct kerr e = {0, ""};
	load_listing(good_listing, &l);
	free(l.title);
	l.title = strdup("bell\a");
	assert_int_equal(listing_sign(&l, &key_a, &e), K_EINVAL);
	assert_null(l.sig);
	assert_non_null(strstr(e.msg, "title: control character U+0007"));
	listing_free(&l);
}

static void test_listing_id_derived_from_seller_and_sku(void **state)
{
	char a1[MODEL_LISTING_ID_LEN + 1], a2[MODEL_LISTING_ID_LEN + 1];
	char b1[MODEL_LISTING_ID_LEN + 1], a3[MODEL_LISTING_ID_LEN + 1];
	listing_make_id(id_a, "SKU-1", a1);
	listing_make_id(id_a, "SKU-1", a2);
	listing_make_id(id_b, "SKU-1", b1);
	listing_make_id(id_a, "SKU-2", a3);
	assert_string_equal(a1, a2);
	assert_string_not_equal(a1, b1);
	assert_string_not_equal(a1, a3);
	assert_int_equal(strlen(a1), MODEL_LISTING_ID_LEN);
	assert_int_equal(a1[0], 'L');
	/* the separator keeps ("ab", "c") and ("a", "bc") apart */
	listing_make_id("ab", "c", a1);
	listing_make_id("a", "bc", a2);
	assert_string_not_equal(a1, a2);
}

/* 100 EUR cents from the MOQ of 10, 90 from 100, 75 from 1000. */
static const char three_breaks[] =
    "{\"sku\":\"S\",\"title\":\"T\",\"currency\":\"EUR\",\"moq\":10,\"priceTiers\":"
    "[{\"minQty\":10,\"unitPrice\":100},{\"minQty\":100,\"unitPrice\":90},"
    "{\"minQty\":1000,\"unitPrice\":75}]}";

static void test_listing_unit_price_uses_last_tier_at_or_below_qty(void **state)
{
	struct listing l;
	load_listing(three_breaks, &l);
	assert_int_equal(listing_unit_price(&l, 9), -1);
	assert_int_equal(listing_unit_price(&l, 10), 100);
	assert_int_equal(listing_unit_price(&l, 99), 100);
	assert_int_equal(listing_unit_price(&l, 100), 90);
	assert_int_equal(listing_unit_price(&l, 999), 90);
	assert_int_equal(listing_unit_price(&l, 1000), 75);
	assert_int_equal(listing_unit_price(&l, 1000000), 75);
	listing_free(&l);
}

/* A new MOQ alone: every quantity a buyer may order keeps its price. */
static void test_tiers_from_a_new_moq_keep_each_quantitys_price(void **state)
{
	(void)state;
	struct listing l;
	load_listing(three_breaks, &l);
	l.moq = 100; /* onto a break: it becomes the first price */
	listing_tiers_from_moq(&l);
	assert_int_equal(l.ntiers, 2);
	assert_int_equal(l.tiers[0].min_qty, 100);
	assert_int_equal(l.tiers[0].unit_price, 90);
	assert_int_equal(l.tiers[1].min_qty, 1000);
	l.moq = 2000; /* past every break: the last price alone */
	listing_tiers_from_moq(&l);
	assert_int_equal(l.ntiers, 1);
	assert_int_equal(l.tiers[0].min_qty, 2000);
	assert_int_equal(l.tiers[0].unit_price, 75);
	l.moq = 5; /* below them all: the first price from there */
	listing_tiers_from_moq(&l);
	assert_int_equal(l.ntiers, 1);
	assert_int_equal(l.tiers[0].min_qty, 5);
	assert_int_equal(l.tiers[0].unit_price, 75);
	listing_free(&l);
}

static void test_listing_copy_is_deep(void **state)
{
	struct listing l, c;
	struct kerr e = {0, ""};
	load_listing(good_listing, &l);
	assert_int_equal(listing_sign(&l, &key_a, &e), K_OK);
	listing_copy(&c, &l);
	char *c1 = canon_of(&l);
	listing_free(&l); /* the copy must not share anything with it */
	char *c2 = canon_of(&c);
	assert_string_equal(c1, c2);
	assert_int_equal(listing_verify(&c, &e), K_OK);
	free(c1);
	free(c2);
	listing_free(&c);
	assert_null(c.title);
	assert_int_equal(c.ntiers, 0);
}

static void test_listing_each_rule_refused_naming_field(void **state)
{
	/* Oversized values, built here rather than spelled out. */
	struct kbuf long_title = KBUF_INIT, long_desc = KBUF_INIT, long_sku = KBUF_INIT;
	struct kbuf many_tags = KBUF_INIT, many_tiers = KBUF_INIT, many_images = KBUF_INIT;
	struct kbuf long_url = KBUF_INIT;
	kbuf_printf(&long_title, "\"%0201d\"", 0);
	kbuf_printf(&long_sku, "\"%065d\"", 0);
	kbuf_printf(&long_desc, "\"%020001d\"", 0);
	kbuf_printf(&long_url, "[\"https://x.example/%02040d\"]", 0);
	for (int i = 0; i < 33; i++) {
		kbuf_printf(&many_tags, "%s\"t%d\"", i ? "," : "[", i);
		kbuf_printf(&many_images, "%s\"https://x.example/%d.jpg\"", i ? "," : "[", i);
	}
	for (int i = 0; i < 17; i++)
		kbuf_printf(&many_tiers, "%s{\"minQty\":%d,\"unitPrice\":1}", i ? "," : "[", i + 1);
	kbuf_puts(&many_tags, "]");
	kbuf_puts(&many_images, "]");
	kbuf_puts(&many_tiers, "]");

	const struct bad cases[] = {
	    {"title", NULL, "title: missing"},
	    {"title", "\"\"", "title: must not be empty"},
	    {"title", "\"   \"", "title: must not be blank (spaces only)"},
	    {"title", "\" \u00a0\u3000\"", "title: must not be blank (spaces only)"},
	    {"tags", "[\"  \"]", "tags[0]: must not be blank (spaces only)"},
	    {"title", kbuf_str(&long_title), "title: must be 1 to 200 bytes (got 201)"},
	    {"title", "42", "title: must be a string"},
	    {"title", "\"a\\u0007b\"", "title: control character U+0007 at byte 1"},
	    {"title", "\"a\\u007fb\"", "title: control character U+007F"},
	    {"title", "\"a\\u0085b\"", "title: control character U+0085"},
	    {"title", "\"tab\\there\"", "title: control character U+0009"},
	    {"title", "\"bad \xff utf8\"", "title: not valid UTF-8"},
	    {"description", "\"a\\rb\"", "description: control character U+000D"},
	    {"description", "\"esc \\u001b[31m\"", "description: control character U+001B"},
	    {"description", kbuf_str(&long_desc),
	     "description: must be 0 to 20000 bytes (got 20001)"},
	    {"sku", NULL, "sku: missing"},
	    {"sku", "\"has space\"", "sku: must be 1 to 64 of A-Z a-z 0-9 - _ . /"},
	    {"sku", "\"\"", "sku: must be 1 to 64"},
	    {"sku", kbuf_str(&long_sku), "sku: must be 1 to 64"},
	    {"category", "\"a\\nb\"", "category: control character U+000A"},
	    {"tags", "[\"ok\",\"a\\tb\"]", "tags[1]: control character U+0009"},
	    {"tags", "[\"\"]", "tags[0]: must not be empty"},
	    {"tags", "\"cotton\"", "tags: must be an array"},
	    {"tags", kbuf_str(&many_tags), "tags: at most 32 entries (got 33)"},
	    {"hsCode", "\"12345\"", "hsCode: must be 6 to 10 digits"},
	    {"hsCode", "\"12345678901\"", "hsCode: must be 6 to 10 digits"},
	    {"hsCode", "\"6109.10\"", "hsCode: must be 6 to 10 digits"},
	    {"originCountry", "\"XX\"", "originCountry:"},
	    {"originCountry", "\"pt\"", "originCountry: must be an ISO 3166-1 alpha-2"},
	    {"shipsFrom", "\"ZZ\"", "shipsFrom:"},
	    {"currency", NULL, "currency: missing"},
	    {"currency", "\"XYZ\"", "currency:"},
	    {"currency", "\"eur\"", "currency: must be an ISO 4217 code"},
	    {"priceTiers", NULL, "priceTiers: missing"},
	    {"priceTiers", "[]", "priceTiers: needs at least 1 entry (got 0)"},
	    {"priceTiers", kbuf_str(&many_tiers), "priceTiers: at most 16 entries (got 17)"},
	    {"priceTiers",
	     "[{\"minQty\":1,\"unitPrice\":100},{\"minQty\":100,\"unitPrice\":90},"
	     "{\"minQty\":100,\"unitPrice\":80}]",
	     "priceTiers[2].minQty: must be greater than priceTiers[1].minQty (100)"},
	    {"priceTiers.0.minQty", "0", "priceTiers[0].minQty: must be at least 1 (got 0)"},
	    {"priceTiers.1.unitPrice", "-1",
	     "priceTiers[1].unitPrice: must be at least 0 (got -1)"},
	    {"priceTiers.1.unitPrice", "9007199254740992",
	     "priceTiers[1].unitPrice: must be at most 9007199254740991"},
	    {"priceTiers.0.unitPrice", "1.5", "priceTiers[0].unitPrice: must be an integer"},
	    {"priceTiers.0.unitPrice", "\"12\"", "priceTiers[0].unitPrice: must be an integer"},
	    {"priceTiers.0.unitPrice", NULL, "priceTiers[0].unitPrice: missing"},
	    {"priceTiers.0.discount", "5",
	     "priceTiers[0].discount: unknown property of price tier"},
	    {"priceTiers.0", "7", "priceTiers[0]: must be an object"},
	    {"unit", "\"XYZ\"", "unit:"},
	    {"unit", "\"c62\"", "unit: must be a UN/ECE Rec 20 unit code"},
	    {"moq", "0", "moq: must be at least 1 (got 0)"},
	    {"moq", "true", "moq: must be an integer"},
	    {"leadTimeDays", "3651", "leadTimeDays: must be 0 to 3650 (got 3651)"},
	    {"leadTimeDays", "-1", "leadTimeDays: must be 0 to 3650 (got -1)"},
	    {"incoterms", "[\"FOB\",\"XYZ\"]", "incoterms[1]:"},
	    {"incoterms", "[\"FOB\",\"FOB\"]", "incoterms[1]: repeats incoterms[0]"},
	    {"variants.0.sku", "\"a b\"", "variants[0].sku: must be 1 to 64"},
	    {"variants.0.options", "{}", "variants[0].options: needs at least 1 entry (got 0)"},
	    {"variants.0.options", NULL, "variants[0].options: missing"},
	    {"variants.1.options.colour", "\"bl\\u0001ue\"",
	     "variants[1].options.colour: control character U+0001"},
	    {"variants.1.options.colour", "3", "variants[1].options.colour: must be a string"},
	    {"variants.1.sku", "\"TSHIRT-001-S\"",
	     "variants[1].sku: 'TSHIRT-001-S' repeats variants[0].sku"},
	    {"variants.1.unitPrice", "-5", "variants[1].unitPrice: must be at least 0 (got -5)"},
	    {"variants.0.price", "5", "variants[0].price: unknown property of variant"},
	    {"images", "[\"http://example.com/a.jpg\"]",
	     "images[0]: must be a blob id or an https:// URL"},
	    {"images", "[\"https://\"]", "images[0]: must be a blob id or an https:// URL"},
	    {"images", "[\"https://x.example/a b.jpg\"]", "images[0]: must be a blob id"},
	    {"images", "[\"AAAA\"]", "images[0]: must be a blob id"},
	    {"images", kbuf_str(&long_url),
	     "images[0]: must be a blob id or an https:// URL of at most 2048"},
	    {"images", kbuf_str(&many_images), "images: at most 32 entries (got 33)"},
	    {"status", "\"deleted\"", "status: must be one of active, paused (got 'deleted')"},
	    {"created", "\"2026-02-29T00:00:00Z\"", "created: 2026-02 has no day 29"},
	    {"created", "\"2026-01-05 10:00:00\"", "created: must be RFC 3339 UTC"},
	    {"updated", "\"2026-01-04T10:00:00Z\"",
	     "updated: 2026-01-04T10:00:00Z is before created (2026-01-05T10:00:00Z)"},
	    {"sig", "\"abc\"", "sig: must be the standard base64 of a 64-byte signature"},
	    {"sig", "\"" SIG64 "\"", "sig: a signed listing needs sellerId"},
	    {"sellerId", "\"abc\"", "sellerId: not an account id"},
	    {"sellerId", "\"@A\"", "id: must be L"},
	    {"id", "\"X123\"", "id: not a listing id"},
	    {"colour", "\"red\"", "colour: unknown property of Listing"},
	};
	EXPECT_EACH_REFUSED("Listing", good_listing, cases);
	kbuf_free(&long_title);
	kbuf_free(&long_desc);
	kbuf_free(&long_sku);
	kbuf_free(&many_tags);
	kbuf_free(&many_tiers);
	kbuf_free(&many_images);
	kbuf_free(&long_url);
}

static void test_listing_with_matching_seller_and_id_is_accepted(void **state)
{
	struct listing l;
	struct kerr e = {0, ""};
	char id[MODEL_LISTING_ID_LEN + 1], text[200];
	listing_make_id(id_a, "S1", id);
	snprintf(text, sizeof text,
	         "{\"id\":\"%s\",\"sellerId\":\"@A\",\"sku\":\"S1\",\"title\":\"T\","
	         "\"currency\":\"JPY\",\"priceTiers\":[{\"minQty\":1,\"unitPrice\":500}]}",
	         id);
	cJSON *j = parse(text);
	assert_int_equal(listing_from_json(j, &l, &e), K_OK);
	assert_string_equal(l.id, id);
	assert_string_equal(l.seller_id, id_a);
	cJSON_Delete(j);
	listing_free(&l);
}

static void test_listing_accepts_blob_id_and_https_images(void **state)
{
	struct listing l;
	load_listing("{\"sku\":\"S1\",\"title\":\"T\",\"currency\":\"EUR\",\"priceTiers\":"
	             "[{\"minQty\":1,\"unitPrice\":5}],\"images\":[\"@H\","
	             "\"https://cdn.example.com/p/1.jpg?w=800\"]}",
	             &l);
	assert_int_equal(l.images.n, 2);
	assert_string_equal(l.images.v[0], body_hash);
	listing_free(&l);
}

static void test_listing_refuses_non_object_naming_type(void **state)
{
	struct listing l;
	struct kerr e = {0, ""};
	cJSON *j = parse("[1,2]");
	assert_int_equal(listing_from_json(j, &l, &e), K_EINVAL);
	assert_string_equal(e.msg, "Listing: must be an object");
	cJSON_Delete(j);
	assert_int_equal(listing_from_json(NULL, &l, &e), K_EINVAL);
}

static void test_listing_validate_struct_names_field(void **state)
{
	struct listing l;
	struct kerr e = {0, ""};
	load_listing(good_listing, &l);
	assert_int_equal(listing_validate(&l, &e), K_OK);

	l.tiers[1].min_qty = 1;
	assert_int_equal(listing_validate(&l, &e), K_EINVAL);
	assert_string_equal(e.msg,
	                    "priceTiers[1].minQty: must be greater than priceTiers[0].minQty (1)");
	l.tiers[1].min_qty = 100;

	kstrv_push(&l.tags, "new\nline");
	assert_int_equal(listing_validate(&l, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "tags[2]: control character U+000A"));
	kstrv_free(&l.tags);

	l.ntiers = 0;
	assert_int_equal(listing_validate(&l, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "priceTiers: needs at least 1 entry"));
	l.ntiers = 2;

	memcpy(l.currency, "", 1);
	assert_int_equal(listing_validate(&l, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "currency:"));
	memcpy(l.currency, "EUR", 4);

	memcpy(l.status, "gone", 5);
	assert_int_equal(listing_validate(&l, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "status: must be one of active, paused"));
	memcpy(l.status, "paused", 7);

	l.lead_time_days = 4000;
	assert_int_equal(listing_validate(&l, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "leadTimeDays:"));
	l.lead_time_days = 0;

	free(l.sku);
	l.sku = NULL;
	assert_int_equal(listing_validate(&l, &e), K_EINVAL);
	assert_string_equal(e.msg, "sku: missing");
	listing_free(&l);
}

/* ------------------------------------------------------------------ accounts */

static const char good_account[] =
    "{\"id\":\"@A\",\"handle\":\"lisboa_tex\",\"displayName\":\"Lisboa T\xc3\xaaxteis\","
    "\"legalName\":\"Lisboa T\xc3\xaaxteis Lda\",\"country\":\"PT\",\"languages\":[\"pt\","
    "\"en\"],\"role\":\"supplier\",\"about\":\"Family mill since 1952.\\nGOTS certified.\","
    "\"boxKey\":\"@B\",\"attestation\":{\"legalName\":\"Lisboa T\xc3\xaaxteis Lda\","
    "\"country\":\"PT\",\"registration\":\"PT-509876543\",\"level\":\"factory\","
    "\"issued\":\"2026-01-01T00:00:00Z\",\"expires\":\"2027-01-01T00:00:00Z\","
    "\"sig\":\"" SIG64 "\"},\"rating\":{\"sum\":27,\"count\":6},"
    "\"created\":\"2025-12-01T08:00:00Z\"}";

static void test_account_json_round_trip(void **state)
{
	struct account a, b;
	struct kerr e = {0, ""};
	struct kbuf c1 = KBUF_INIT, c2 = KBUF_INIT;
	cJSON *j = parse(good_account);
	assert_int_equal(account_from_json(j, &a, &e), K_OK);
	assert_string_equal(a.id, id_a);
	assert_string_equal(a.handle, "lisboa_tex");
	assert_string_equal(a.role, "supplier");
	assert_int_equal(a.languages.n, 2);
	assert_string_equal(a.languages.v[1], "en");
	assert_string_equal(a.box_key, id_b);
	assert_non_null(a.attestation);
	assert_int_equal(account_validate(&a, &e), K_OK);

	cJSON *j1 = account_to_json(&a);
	assert_int_equal(canon_write(j1, &c1, &e), K_OK);
	assert_int_equal(canon_write(j, &c2, &e), K_OK);
	assert_string_equal(kbuf_str(&c1), kbuf_str(&c2)); /* nothing lost or added */
	assert_int_equal(account_from_json(j1, &b, &e), K_OK);
	kbuf_reset(&c2);
	cJSON *j2 = account_to_json(&b);
	assert_int_equal(canon_write(j2, &c2, &e), K_OK);
	assert_string_equal(kbuf_str(&c1), kbuf_str(&c2));

	cJSON_Delete(j);
	cJSON_Delete(j1);
	cJSON_Delete(j2);
	kbuf_free(&c1);
	kbuf_free(&c2);
	account_free(&a);
	account_free(&b);
	assert_null(a.handle);
}

static void test_account_rating_average_from_sum_and_count(void **state)
{
	struct account a;
	struct kerr e = {0, ""};
	cJSON *j = parse(good_account);
	assert_int_equal(account_from_json(j, &a, &e), K_OK);
	assert_int_equal(a.rating.sum, 27);
	assert_int_equal(a.rating.count, 6);
	assert_true(a.rating.average > 4.49 && a.rating.average < 4.51);
	account_free(&a);
	cJSON_Delete(j);

	/* no ratings: average 0 and no "rating" written back */
	j = parse("{\"id\":\"@A\",\"displayName\":\"D\",\"country\":\"DE\"}");
	assert_int_equal(account_from_json(j, &a, &e), K_OK);
	assert_int_equal(a.rating.count, 0);
	assert_true(a.rating.average == 0);
	assert_string_equal(a.role, "buyer");
	cJSON *out = account_to_json(&a);
	assert_null(cJSON_GetObjectItem(out, "rating"));
	cJSON_Delete(out);
	account_free(&a);
	cJSON_Delete(j);
}

static void test_account_each_rule_refused_naming_field(void **state)
{
	const struct bad cases[] = {
	    {"id", NULL, "id: missing"},
	    {"id", "\"abc\"", "id: not an account id"},
	    {"handle", "\"a\"", "handle: must be 2 to 32 of a-z 0-9 _ -"},
	    {"handle", "\"Lisboa\"", "handle: must be 2 to 32"},
	    {"handle", "\"abcdefghijklmnopqrstuvwxyz0123456\"", "handle: must be 2 to 32"},
	    {"displayName", NULL, "displayName: missing"},
	    {"displayName", "\"\"", "displayName: must not be empty"},
	    {"displayName", "\"x\\u009by\"", "displayName: control character U+009B"},
	    {"legalName", "\"a\\nb\"", "legalName: control character U+000A"},
	    {"country", NULL, "country: missing"},
	    {"country", "\"XX\"", "country:"},
	    {"languages", "[\"pt\",\"EN\"]", "languages[1]: must be an ISO 639-1 code"},
	    {"languages", "[\"pt\",\"por\"]", "languages[1]: must be an ISO 639-1 code"},
	    {"languages", "[\"pt\",\"pt\"]", "languages[1]: repeats languages[0]"},
	    {"role", "\"admin\"", "role: must be one of buyer, supplier, both"},
	    {"about", "\"\\u001b[31mred\"", "about: control character U+001B"},
	    {"boxKey", "\"short\"", "boxKey: must be 43 base64url characters"},
	    {"attestation", "[]", "attestation: must be an object"},
	    {"attestation.level", "\"gold\"",
	     "attestation.level: must be one of business, factory"},
	    {"attestation.sig", NULL, "attestation.sig: missing"},
	    {"attestation.country", "\"QQ\"", "attestation.country:"},
	    {"attestation.registration", "\"\"", "attestation.registration: must not be empty"},
	    {"attestation.issued", "\"2026-01-01\"", "attestation.issued: must be RFC 3339 UTC"},
	    {"attestation.expires", "\"2025-06-01T00:00:00Z\"",
	     "attestation.expires: 2025-06-01T00:00:00Z is not after issued"},
	    {"attestation.stamp", "\"x\"", "attestation.stamp: unknown property of attestation"},
	    {"rating", "{\"sum\":31,\"count\":6}",
	     "rating.sum: 31 is not possible for 6 ratings of 1 to 5 stars"},
	    {"rating", "{\"sum\":5,\"count\":6}", "rating.sum: 5 is not possible"},
	    {"rating", "{\"average\":4,\"count\":6}", "rating.average: unknown property of rating"},
	    {"rating", "{\"sum\":3,\"count\":-1}", "rating.count: must be 0 to"},
	    {"rating", "{\"sum\":4.5,\"count\":1}", "rating.sum: must be an integer"},
	    {"created", "\"2026-13-01T00:00:00Z\"", "created: no month 13"},
	    {"email", "\"a@b.c\"", "email: unknown property of Account"},
	};
	EXPECT_EACH_REFUSED("Account", good_account, cases);
}

static void test_account_validate_struct_names_field(void **state)
{
	struct account a;
	struct kerr e = {0, ""};
	account_init(&a);
	memcpy(a.id, id_a, sizeof a.id);
	a.display_name = strdup("Kontor GmbH");
	memcpy(a.country, "DE", 3);
	assert_int_equal(account_validate(&a, &e), K_OK);
	a.handle = strdup("Bad Handle");
	assert_int_equal(account_validate(&a, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "handle:"));
	free(a.handle);
	a.handle = NULL;
	a.rating.count = 2; /* average set by hand, sum forgotten */
	a.rating.average = 4.5;
	assert_int_equal(account_validate(&a, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "rating.sum:"));
	account_free(&a);
}

/* ------------------------------------------------------------------ hidden characters */

/* The characters of issue 16 (U+202E, U+2066-2069, U+200F, U+061C, U+FEFF, U+2028) and the
 * other invisible format characters, in every kind of free text field, each refused with
 * the field, the code point and what it is. */
static void test_text_fields_refuse_bidi_and_invisible_characters_naming_field(void **state)
{
	const struct bad listing_cases[] = {
	    {"title", "\"Oak \\u202Edesk\"",
	     "title: U+202E at byte 4 is a bidi control (bidi controls and invisible format "
	     "characters are not allowed)"},
	    {"title", "\"a\\u2066b\"", "title: U+2066 at byte 1 is a bidi control"},
	    {"title", "\"a\\u2067b\"", "title: U+2067 at byte 1 is a bidi control"},
	    {"title", "\"a\\u2068b\"", "title: U+2068 at byte 1 is a bidi control"},
	    {"title", "\"a\\u2069b\"", "title: U+2069 at byte 1 is a bidi control"},
	    {"title", "\"a\\u202Ab\"", "title: U+202A at byte 1 is a bidi control"},
	    {"title", "\"a\\u202Db\"", "title: U+202D at byte 1 is a bidi control"},
	    {"title", "\"a\\u200Eb\"", "title: U+200E at byte 1 is a bidi control"},
	    {"title", "\"a\\u200Fb\"", "title: U+200F at byte 1 is a bidi control"},
	    {"title", "\"\\u0645\\u061C\\u0646\"", "title: U+061C at byte 2 is a bidi control"},
	    {"title", "\"\\uFEFFtitle\"", "title: U+FEFF at byte 0 is an invisible format"},
	    {"title", "\"pay\\u200Bpal\"", "title: U+200B at byte 3 is an invisible format"},
	    {"title", "\"a\\u2060b\"", "title: U+2060 at byte 1 is an invisible format"},
	    {"title", "\"a\\u00ADb\"", "title: U+00AD at byte 1 is an invisible format"},
	    {"title", "\"a\\u206Ab\"", "title: U+206A at byte 1 is an invisible format"},
	    {"title", "\"a\\uFFF9b\"", "title: U+FFF9 at byte 1 is an invisible format"},
	    {"title", "\"a\\uDB40\\uDC41b\"", "title: U+E0041 at byte 1 is an invisible format"},
	    {"title", "\"pay\\u200Dpal\"", "title: U+200D at byte 3 is an invisible format"},
	    {"title", "\"pay\\u200Cpal\"", "title: U+200C at byte 3 is an invisible format"},
	    {"title", "\"\\uD83D\\uDC69\\u200D\"", "title: U+200D at byte 4 is an invisible"},
	    {"title", "\"a\\u2028b\"", "title: U+2028 at byte 1 is a line or paragraph separator"},
	    {"description", "\"line one\\u2029two\"",
	     "description: U+2029 at byte 8 is a line or paragraph separator"},
	    {"description", "\"ok\\n\\u202Ehidden\"", "description: U+202E at byte 3 is a bidi"},
	    {"category", "\"a\\u2066b\"", "category: U+2066 at byte 1 is a bidi control"},
	    {"tags", "[\"ok\",\"a\\u200Fb\"]", "tags[1]: U+200F at byte 1 is a bidi control"},
	    {"variants.1.options.colour", "\"bl\\u202Eue\"",
	     "variants[1].options.colour: U+202E at byte 2 is a bidi control"},
	};
	EXPECT_EACH_REFUSED("Listing", good_listing, listing_cases);
	const struct bad account_cases[] = {
	    {"displayName", "\"Acme \\u202ETrading\"",
	     "displayName: U+202E at byte 5 is a bidi control"},
	    {"legalName", "\"\\uFEFFAcme GmbH\"", "legalName: U+FEFF at byte 0 is an invisible"},
	    {"about", "\"We \\u2067make\\u2069 things\"", "about: U+2067 at byte 3 is a bidi"},
	};
	EXPECT_EACH_REFUSED("Account", good_account, account_cases);
}

/* Emoji ZWJ sequences, a subdivision flag's tags, and ZWJ/ZWNJ where a script shapes with
 * them are text, not tricks: they validate. */
static void test_text_fields_keep_emoji_zwj_sequences_and_script_joiners(void **state)
{
	static const char *const titles[] = {
	    "\"Family mugs \\uD83D\\uDC68\\u200D\\uD83D\\uDC69\\u200D\\uD83D\\uDC67\"", /* 👨‍👩‍👧
	                                                                                 */
	    "\"\\uD83D\\uDC69\\uD83C\\uDFFD\\u200D\\uD83D\\uDCBB laptop stands\"", /* 👩🏽‍💻
	                                                                            */
	    "\"\\uD83C\\uDFF3\\uFE0F\\u200D\\uD83C\\uDF08 flags\"", /* 🏳️‍🌈 */
	    "\"\\u2764\\uFE0F\\u200D\\uD83D\\uDD25 candles\"",      /* ❤️‍🔥 */
	    "\"\\uD83C\\uDFC3\\u200D\\u2640\\uFE0F shoes\"",        /* 🏃‍♀️ */
	    "\"\\uD83C\\uDFF4\\uDB40\\uDC67\\uDB40\\uDC62\\uDB40\\uDC65\\uDB40\\uDC6E\\uDB40\\uDC67"
	    "\\uDB40\\uDC7F scarves\"",                                     /* England's flag */
	    "\"\\u0645\\u06CC\\u200C\\u062E\\u0648\\u0627\\u0647\\u0645\"", /* Persian ZWNJ */
	    "\"\\u0DC1\\u0DCA\\u200D\\u0DBB\\u0DD3 Lanka tea\"",            /* Sinhala ZWJ */
	    "\"\\u0915\\u094D\\u200C\\u0937\"",                             /* Devanagari ZWNJ */
	    "\"\\u0661\\u0662 \\u0600\\u0661 Arabic number sign\"",         /* visible Cf stays */
	};
	for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++) {
		cJSON *j = parse(good_listing);
		set_path(j, "title", titles[i]);
		struct kerr e = {0, ""};
		if (model_validate("Listing", j, &e) != K_OK)
			fail_msg("title %zu (%s) refused: %s", i, titles[i], e.msg);
		struct listing l;
		assert_int_equal(listing_from_json(j, &l, &e), K_OK);
		listing_free(&l);
		cJSON_Delete(j);
	}
}

/* ------------------------------------------------------------------ other types */

static void test_model_validate_rfq_good_and_bad(void **state)
{
	static const char good[] =
	    "{\"id\":\"R1\",\"buyerId\":\"@A\",\"title\":\"500 cotton tote bags\","
	    "\"description\":\"Natural colour.\\nPrint on one side.\",\"qty\":500,"
	    "\"unit\":\"C62\",\"currency\":\"EUR\",\"targetPrice\":250,\"incoterms\":[\"FOB\"],"
	    "\"destination\":\"DE\",\"status\":\"open\",\"created\":\"2026-02-01T09:00:00Z\"}";
	const struct bad cases[] = {
	    {"qty", "0", "qty: must be at least 1 (got 0)"},
	    {"currency", NULL, "currency: missing (targetPrice needs a currency)"},
	    {"status", "\"maybe\"", "status: must be one of open, closed, awarded"},
	    {"buyerId", "\"x\"", "buyerId: not an account id"},
	    {"destination", "\"XX\"", "destination:"},
	    {"title", NULL, "title: missing"},
	    {"id", "\"has space\"", "id: not an id"},
	    {"budget", "1", "budget: unknown property of Rfq"},
	};
	EXPECT_EACH_REFUSED("Rfq", good, cases);
}

static void test_model_validate_conversation_good_and_bad(void **state)
{
	static const char good[] = "{\"id\":\"C1\",\"participants\":[\"@A\",\"@B\"],\"listingId\":"
	                           "\"LAAAAAAAAAAAAAAAAAAAAAA\",\"subject\":\"Tote bags\","
	                           "\"created\":\"2026-02-01T09:00:00Z\"}";
	const struct bad cases[] = {
	    {"participants", "[\"@A\",\"@A\"]", "participants[1]: repeats participants[0]"},
	    {"participants", "[\"@A\"]", "participants: needs exactly 2 entries (got 1)"},
	    {"participants", "[\"@A\",\"nobody\"]", "participants[1]: not an account id"},
	    {"listingId", "\"L1\"", "listingId: not a listing id"},
	    {"created", NULL, "created: missing"},
	    {"subject", "\"a\\u0008b\"", "subject: control character U+0008"},
	};
	EXPECT_EACH_REFUSED("Conversation", good, cases);
}

static void test_model_validate_message_good_and_bad(void **state)
{
	static const char good[] =
	    "{\"id\":\"M1\",\"conversationId\":\"C1\",\"from\":\"@A\",\"to\":\"@B\","
	    "\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
	    "\"ciphertext\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"sent\":\"2026-02-01T09:00:00Z\"}";
	const struct bad cases[] = {
	    {"to", "\"@A\"", "to: must not be the same account as from"},
	    {"nonce", "\"AAAAAAAAAAAAAAAAAAAAAA==\"", "nonce: must be standard base64 of 24 bytes"},
	    {"ciphertext", "\"not base64!\"", "ciphertext: must be standard base64 of 16 to"},
	    {"ciphertext", "\"AAAA\"", "ciphertext: must be standard base64 of 16 to"},
	    {"sent", "\"yesterday\"", "sent: must be RFC 3339 UTC"},
	    {"text", "\"hello\"", "text: unknown property of Message"},
	};
	EXPECT_EACH_REFUSED("Message", good, cases);
}

static void test_model_validate_contract_good_and_bad(void **state)
{
	static const char good[] =
	    "{\"id\":\"K1\",\"buyerId\":\"@A\",\"sellerId\":\"@B\",\"sections\":[{\"kind\":"
	    "\"offer\",\"body\":\"{\\\"qty\\\":500}\",\"hash\":\"@H\",\"signatures\":[{\"by\":"
	    "\"@A\",\"role\":\"buyer\",\"sig\":\"" SIG64 "\"},{\"by\":\"@B\",\"role\":\"seller\","
	    "\"sig\":\"" SIG64 "\"}]}],\"created\":\"2026-02-01T09:00:00Z\"}";
	const struct bad cases[] = {
	    {"sections.0.hash", "\"@B\"", "sections[0].hash: does not match body"},
	    {"sections.0.kind", "\"bribe\"", "sections[0].kind: must be one of offer, funded"},
	    {"sections.0.kind", "\"funded\"",
	     "sections[0].kind: a contract opens with an offer (got 'funded')"},
	    {"sections.0.body", "\"{\\\"b\\\":1,\\\"a\\\":2}\"",
	     "sections[0].body: not canonical JSON"},
	    {"sections.0.body", "\"{\\\"qty\\\": 500}\"", "sections[0].body: not canonical JSON"},
	    {"sections.0.signatures.1.by", "\"@A\"",
	     "sections[0].signatures[1].by: already signed in sections[0].signatures[0]"},
	    {"sections.0.signatures", "[]", "sections[0].signatures: needs at least 1 entry"},
	    {"sections.0.signatures.0.role", "\"witness\"",
	     "sections[0].signatures[0].role: must be one of buyer, seller, escrow"},
	    {"sections.0.signatures.0.sig", "\"AAAA\"", "sections[0].signatures[0].sig:"},
	    {"sections", "[]", "sections: needs at least 1 entry"},
	    {"sellerId", "\"@A\"", "sellerId: must not be the same account as buyerId"},
	};
	EXPECT_EACH_REFUSED("Contract", good, cases);
}

static void test_model_validate_order_good_and_bad(void **state)
{
	static const char good[] =
	    "{\"id\":\"@H\",\"contractId\":\"K1\",\"buyerId\":\"@A\",\"sellerId\":\"@B\","
	    "\"state\":\"funded\",\"currency\":\"EUR\",\"total\":125000,\"escrow\":125000,"
	    "\"autoReleaseDays\":14,\"created\":\"2026-02-01T09:00:00Z\","
	    "\"updated\":\"2026-02-02T09:00:00Z\"}";
	const struct bad cases[] = {
	    {"state", "\"paid\"", "state: must be one of awaiting_payment, funded, shipped"},
	    {"total", "-1", "total: must be at least 0 (got -1)"},
	    {"currency", "\"EURO\"", "currency: must be an ISO 4217 code"},
	    {"autoReleaseDays", "400", "autoReleaseDays: must be 0 to 365 (got 400)"},
	    {"updated", "\"2026-01-31T09:00:00Z\"",
	     "updated: 2026-01-31T09:00:00Z is before created"},
	    {"buyerId", "\"@B\"", "sellerId: must not be the same account as buyerId"},
	    {"contractId", NULL, "contractId: missing"},
	};
	EXPECT_EACH_REFUSED("Order", good, cases);
}

static void test_model_validate_shipment_good_and_bad(void **state)
{
	static const char good[] =
	    "{\"id\":\"S1\",\"orderId\":\"O1\",\"carrier\":\"Maersk\",\"trackingNumber\":"
	    "\"MAEU1234567\",\"mode\":\"sea\",\"origin\":\"PTLIS\",\"destination\":\"DEHAM\","
	    "\"events\":[{\"code\":\"GTIN\",\"classifier\":\"ACT\",\"at\":\"2026-03-01T08:00:00Z\","
	    "\"location\":\"PTLIS\"},{\"code\":\"ARRI\",\"classifier\":\"EST\","
	    "\"at\":\"2026-03-09T08:00:00Z\"},{\"code\":\"DLVD\",\"classifier\":\"PLN\","
	    "\"at\":\"2026-03-12T08:00:00Z\",\"note\":\"Door delivery\"}]}";
	const struct bad cases[] = {
	    {"mode", "\"teleport\"", "mode: must be one of sea, air, road, rail, courier"},
	    {"events.1.code", "\"ZZZZ\"", "events[1].code: unknown DCSA event code 'ZZZZ'"},
	    {"events.0.classifier", "\"ACTUAL\"",
	     "events[0].classifier: must be one of ACT, EST, PLN, REQ"},
	    {"events.0.at", NULL, "events[0].at: missing"},
	    {"events.2.note", "\"a\\nb\"", "events[2].note: control character U+000A"},
	    {"trackingNumber", "\"\"", "trackingNumber: must not be empty"},
	    {"carrier", NULL, "carrier: missing"},
	};
	EXPECT_EACH_REFUSED("Shipment", good, cases);
}

static void test_model_validate_rating_good_and_bad(void **state)
{
	static const char good[] =
	    "{\"id\":\"RT1\",\"orderId\":\"O1\",\"from\":\"@A\",\"to\":\"@B\",\"stars\":5,"
	    "\"quality\":4,\"text\":\"Great fabric.\\nFast.\",\"created\":"
	    "\"2026-03-20T10:00:00Z\",\"sig\":\"" SIG64 "\"}";
	const struct bad cases[] = {
	    {"stars", "6", "stars: must be 1 to 5 (got 6)"},
	    {"stars", "0", "stars: must be 1 to 5 (got 0)"},
	    {"stars", NULL, "stars: missing"},
	    {"delivery", "3.5", "delivery: must be an integer"},
	    {"sig", NULL, "sig: missing"},
	    {"to", "\"@A\"", "to: must not be the same account as from"},
	};
	EXPECT_EACH_REFUSED("Rating", good, cases);
}

static void test_model_validate_wallet_good_and_bad(void **state)
{
	static const char good[] =
	    "{\"id\":\"W1\",\"accountId\":\"@A\",\"balances\":{\"EUR\":120000,\"JPY\":5000},"
	    "\"held\":{\"EUR\":25000},\"updated\":\"2026-03-20T10:00:00Z\"}";
	const struct bad cases[] = {
	    {"balances.EUR", "-1", "balances.EUR: must be at least 0 (got -1)"},
	    {"balances", "{\"XYZ\":1}", "balances key 'XYZ':"},
	    {"balances", "{\"eur\":1}", "balances key 'eur': must be an ISO 4217 code"},
	    {"balances", "[]", "balances: must be an object"},
	    {"balances", NULL, "balances: missing"},
	    {"held.EUR", "\"25000\"", "held.EUR: must be an integer"},
	    {"owner", "\"@B\"", "owner: unknown property of Wallet"},
	};
	EXPECT_EACH_REFUSED("Wallet", good, cases);
}

static void test_model_validate_listing_and_account_good(void **state)
{
	struct kerr e = {0, ""};
	cJSON *j = parse(good_listing);
	assert_int_equal(model_validate("Listing", j, &e), K_OK);
	cJSON_Delete(j);
	j = parse(good_account);
	assert_int_equal(model_validate("Account", j, &e), K_OK);
	cJSON_Delete(j);
}

static void test_model_validate_refuses_repeated_property(void **state)
{
	struct kerr e = {0, ""};
	cJSON *j = parse("{\"id\":\"W1\",\"accountId\":\"@A\",\"balances\":{}}");
	cJSON_AddStringToObject(j, "id", "W2"); /* cJSON allows the duplicate */
	assert_int_equal(model_validate("Wallet", j, &e), K_EINVAL);
	assert_string_equal(e.msg, "id: appears twice");
	cJSON_Delete(j);
}

static void test_model_validate_unknown_type_is_notfound(void **state)
{
	struct kerr e = {0, ""};
	cJSON *j = parse("{}");
	assert_int_equal(model_validate("Invoice", j, &e), K_ENOTFOUND);
	assert_non_null(strstr(e.msg, "Invoice"));
	assert_int_equal(model_validate(NULL, j, &e), K_ENOTFOUND);
	cJSON_Delete(j);
}

/* ------------------------------------------------------------------ time, kstrv */

static void test_model_check_time_refuses_2026_02_29(void **state)
{
	struct kerr e = {0, ""};
	assert_int_equal(model_check_time("2026-02-29T12:00:00Z", "at", &e), K_EINVAL);
	assert_string_equal(e.msg, "at: 2026-02 has no day 29");
}

static void test_model_check_time_accepts_2024_02_29(void **state)
{
	struct kerr e = {0, ""};
	assert_int_equal(model_check_time("2024-02-29T12:00:00Z", "at", &e), K_OK);
	assert_int_equal(model_check_time("2000-02-29T00:00:00Z", "at", &e), K_OK);
}

static void test_model_check_time_refuses_impossible_dates_and_times(void **state)
{
	static const char *const bad[] = {
	    "1900-02-29T00:00:00Z", /* century, not a leap year */
	    "2026-04-31T00:00:00Z",   "2026-13-01T00:00:00Z",
	    "2026-00-10T00:00:00Z",   "2026-01-00T00:00:00Z",
	    "2026-01-01T24:00:00Z",   "2026-01-01T23:60:00Z",
	    "2026-01-01T23:59:60Z",   "2026-01-01T23:59:59z",
	    "2026-01-01t23:59:59Z",   "2026-01-01T23:59:59+00:00",
	    "2026-01-01T23:59:59.5Z", "2026-1-01T23:59:59Z",
	    "2026-01-01 23:59:59Z",   "",
	    "2026-01-01T23:59:59Z ",  "+026-01-01T23:59:59Z",
	};
	struct kerr e = {0, ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (model_check_time(bad[i], "created", &e) != K_EINVAL)
			fail_msg("accepted '%s'", bad[i]);
		assert_non_null(strstr(e.msg, "created: "));
	}
	assert_int_equal(model_check_time(NULL, "created", &e), K_EINVAL);
	assert_int_equal(model_check_time("2026-12-31T23:59:59Z", "created", &e), K_OK);
	assert_int_equal(model_check_time("2026-01-31T00:00:00Z", "created", &e), K_OK);
}

static void test_model_now_passes_check_time(void **state)
{
	char now[MODEL_TIME_LEN + 1];
	struct kerr e = {0, ""};
	model_now(now);
	assert_int_equal(strlen(now), MODEL_TIME_LEN);
	assert_int_equal(model_check_time(now, "now", &e), K_OK);
	assert_true(strcmp(now, "2025-01-01T00:00:00Z") > 0);
}

/* model_time writes ktime's UTC form; outside the years 0000-9999 it gives the epoch. */
static void test_model_time_is_rfc3339_utc_and_the_epoch_out_of_range(void **state)
{
	char t[MODEL_TIME_LEN + 1];
	model_time(0, t);
	assert_string_equal(t, "1970-01-01T00:00:00Z");
	model_time(1790812800, t);
	assert_string_equal(t, "2026-10-01T00:00:00Z");
	model_time(-86399, t);
	assert_string_equal(t, "1969-12-31T00:00:01Z");
	model_time(253402300799, t);
	assert_string_equal(t, "9999-12-31T23:59:59Z");
	model_time(253402300800, t); /* 10000-01-01 */
	assert_string_equal(t, "1970-01-01T00:00:00Z");
}

/* A new version's time is later than the last one's, even within one second. */
static void test_model_after_is_never_the_last_versions_time(void **state)
{
	char t[MODEL_TIME_LEN + 1];
	model_after("2026-12-05T12:00:00Z", "2026-12-05T12:00:07Z", t);
	assert_string_equal(t, "2026-12-05T12:00:07Z"); /* later: now as it is */
	model_after("2026-12-05T12:00:07Z", "2026-12-05T12:00:07Z", t);
	assert_string_equal(t, "2026-12-05T12:00:08Z"); /* the same second: one after */
	model_after("2026-12-31T23:59:59Z", "2026-12-31T23:59:58Z", t);
	assert_string_equal(t, "2027-01-01T00:00:00Z"); /* a clock behind it: one after too */
	memcpy(t, "2026-12-05T12:00:08Z", sizeof t);
	model_after(t, "2026-12-05T12:00:08Z", t); /* in place */
	assert_string_equal(t, "2026-12-05T12:00:09Z");
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	model_after(NULL, NULL, t); /* no last version: the present */
	assert_true(strcmp(t, now) >= 0);
}

static void test_kstrv_push_copies_and_free_zeroes(void **state)
{
	struct kstrv sv = {NULL, 0};
	char word[8] = "alpha";
	kstrv_push(&sv, word);
	word[0] = 'X'; /* the vector kept its own copy */
	for (int i = 0; i < 100; i++)
		kstrv_push(&sv, "more");
	assert_int_equal(sv.n, 101);
	assert_string_equal(sv.v[0], "alpha");
	assert_string_equal(sv.v[100], "more");
	kstrv_free(&sv);
	assert_null(sv.v);
	assert_int_equal(sv.n, 0);
	kstrv_free(&sv); /* twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_listing_json_round_trip_keeps_canonical_bytes),
	    cmocka_unit_test(test_listing_to_json_leaves_out_empty_optionals),
	    cmocka_unit_test(test_listing_from_json_takes_empty_and_null_optionals_as_absent),
	    cmocka_unit_test(test_listing_sign_then_verify_succeeds),
	    cmocka_unit_test(test_listing_tampered_title_fails_verify),
	    cmocka_unit_test(test_listing_tampered_price_fails_verify),
	    cmocka_unit_test(
	        test_price_tiers_rule_refuses_new_free_or_dearer_prices_but_reads_old_ones),
	    cmocka_unit_test(test_listing_signature_does_not_verify_as_another_kind),
	    cmocka_unit_test(test_listing_verify_refuses_unsigned_listing),
	    cmocka_unit_test(test_listing_verify_refuses_another_sellers_id),
	    cmocka_unit_test(test_listing_sign_refuses_invalid_listing),
	    cmocka_unit_test(test_listing_id_derived_from_seller_and_sku),
	    cmocka_unit_test(test_listing_unit_price_uses_last_tier_at_or_below_qty),
	    cmocka_unit_test(test_listing_copy_is_deep),
	    cmocka_unit_test(test_listing_each_rule_refused_naming_field),
	    cmocka_unit_test(test_listing_with_matching_seller_and_id_is_accepted),
	    cmocka_unit_test(test_listing_accepts_blob_id_and_https_images),
	    cmocka_unit_test(test_listing_refuses_non_object_naming_type),
	    cmocka_unit_test(test_listing_validate_struct_names_field),
	    cmocka_unit_test(test_account_json_round_trip),
	    cmocka_unit_test(test_account_rating_average_from_sum_and_count),
	    cmocka_unit_test(test_account_each_rule_refused_naming_field),
	    cmocka_unit_test(test_account_validate_struct_names_field),
	    cmocka_unit_test(test_text_fields_refuse_bidi_and_invisible_characters_naming_field),
	    cmocka_unit_test(test_text_fields_keep_emoji_zwj_sequences_and_script_joiners),
	    cmocka_unit_test(test_model_validate_listing_and_account_good),
	    cmocka_unit_test(test_model_validate_rfq_good_and_bad),
	    cmocka_unit_test(test_model_validate_conversation_good_and_bad),
	    cmocka_unit_test(test_model_validate_message_good_and_bad),
	    cmocka_unit_test(test_model_validate_contract_good_and_bad),
	    cmocka_unit_test(test_model_validate_order_good_and_bad),
	    cmocka_unit_test(test_model_validate_shipment_good_and_bad),
	    cmocka_unit_test(test_model_validate_rating_good_and_bad),
	    cmocka_unit_test(test_model_validate_wallet_good_and_bad),
	    cmocka_unit_test(test_model_validate_refuses_repeated_property),
	    cmocka_unit_test(test_model_validate_unknown_type_is_notfound),
	    cmocka_unit_test(test_model_check_time_refuses_2026_02_29),
	    cmocka_unit_test(test_model_check_time_accepts_2024_02_29),
	    cmocka_unit_test(test_model_check_time_refuses_impossible_dates_and_times),
	    cmocka_unit_test(test_model_now_passes_check_time),
	    cmocka_unit_test(test_model_time_is_rfc3339_utc_and_the_epoch_out_of_range),
	    cmocka_unit_test(test_model_after_is_never_the_last_versions_time),
	    cmocka_unit_test(test_kstrv_push_copies_and_free_zeroes),
	    cmocka_unit_test(test_listing_variant_lines_align_each_variant_in_the_signed_order),
	    cmocka_unit_test(test_variant_stock_is_kept_signed_summed_and_shown_in_its_column),
	    cmocka_unit_test(test_tiers_from_a_new_moq_keep_each_quantitys_price),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
