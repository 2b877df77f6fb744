/* test_seed — `kontord seed`'s demo data: the same seed gives the same listings, every
 * listing is signed by its seller and valid, the data spans 40+ countries and 8 scripts,
 * prices sit in the right minor units, and verified sellers' attestations check out against
 * the node key. Works in a temporary directory; needs Debian's iso-codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kontor/canon.h"
#include "kontor/codes.h"
#include "kontor/crypto.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "kontor/money.h"
#include "../../src/node/node.h"
#include "../../src/node/store/nstore.h"

static char tmpdir[] = "/tmp/kontor-test-seed.XXXXXX";
static struct node *big; /* 2,000 listings, shared by the read-only tests */

struct row {
	char *id;
	char *json;
};
struct rows {
	struct row *v;
	size_t n, cap;
};

static int collect(void *ctx, const char *id, const char *json, size_t len)
{
	struct rows *r = ctx;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 256;
		r->v = xrealloc(r->v, r->cap * sizeof *r->v);
	}
	r->v[r->n].id = xstrdup(id);
	r->v[r->n].json = xstrndup(json, len);
	r->n++;
	return 0;
}

static int row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->id, ((const struct row *)b)->id);
}

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].id);
		free(r->v[i].json);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* Every object of type t, sorted by id (the store's own order is newest first). */
static void all_rows(struct node *n, enum ntype t, struct rows *out)
{
	struct kerr e = {0, ""};
	memset(out, 0, sizeof *out);
	if (nstore_list(n->store, t, NULL, 10000000, collect, out, &e) != K_OK)
		fail_msg("nstore_list: %s", e.msg);
	qsort(out->v, out->n, sizeof *out->v, row_cmp);
}

static struct node *seeded(const char *name, long listings, uint64_t seed)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s.db", tmpdir, name);
	struct kerr e = {0, ""};
	struct node *n = NULL;
	if (node_init(path, "test node", &e) != K_OK)
		fail_msg("node_init: %s", e.msg);
	if (node_open(path, &n, &e) != K_OK)
		fail_msg("node_open: %s", e.msg);
	struct seed_opts o = {listings, 0, seed};
	if (seed_run(n, &o, &e) != K_OK)
		fail_msg("seed_run: %s", e.msg);
	return n;
}

static int setup(void **state)
{
	struct kerr e = {0, ""};
	if (kcrypto_init(&e) != K_OK || codes_load(&e) != K_OK) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return -1;
	}
	big = seeded("big", 2000, 42);
	return 0;
}

static int teardown(void **state)
{
	node_close(&big);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_seed_same_seed_gives_identical_listings(void **state)
{
	struct node *a = seeded("a", 200, 7), *b = seeded("b", 200, 7), *c = seeded("c", 200, 8);
	struct rows ra, rb, rc;
	all_rows(a, NT_LISTING, &ra);
	all_rows(b, NT_LISTING, &rb);
	all_rows(c, NT_LISTING, &rc);
	assert_int_equal(ra.n, 200);
	assert_int_equal(rb.n, 200);
	for (size_t i = 0; i < ra.n; i++) {
		assert_string_equal(ra.v[i].id, rb.v[i].id);
		assert_string_equal(ra.v[i].json, rb.v[i].json);
	}
	/* ... and another seed other listings. */
	size_t same = 0;
	for (size_t i = 0; i < ra.n && i < rc.n; i++)
		same += strcmp(ra.v[i].json, rc.v[i].json) == 0;
	assert_int_equal(same, 0);
	rows_free(&ra);
	rows_free(&rb);
	rows_free(&rc);
	node_close(&a);
	node_close(&b);
	node_close(&c);
}

static void parse_listing(const char *json, struct listing *l)
{
	struct kerr e = {0, ""};
	cJSON *j = NULL;
	if (canon_check(json, strlen(json), &e) != K_OK)
		fail_msg("stored listing is not canonical: %s", e.msg);
	if (json_parse(json, strlen(json), "listing", &j, &e) != K_OK)
		fail_msg("json_parse: %s", e.msg);
	if (listing_from_json(j, l, &e) != K_OK)
		fail_msg("listing_from_json: %s in %s", e.msg, json);
	cJSON_Delete(j);
}

static void test_seed_every_listing_verifies_and_validates(void **state)
{
	struct rows r;
	all_rows(big, NT_LISTING, &r);
	assert_int_equal(r.n, 2000);
	for (size_t i = 0; i < r.n; i++) {
		struct listing l;
		struct kerr e = {0, ""};
		parse_listing(r.v[i].json, &l);
		if (listing_validate(&l, &e) != K_OK)
			fail_msg("listing %s: %s", l.id, e.msg);
		if (listing_verify(&l, &e) != K_OK)
			fail_msg("listing %s: %s", l.id, e.msg);
		assert_string_equal(l.id, r.v[i].id);
		assert_true(l.ntiers >= 2 && l.ntiers <= 4);
		assert_int_equal(l.tiers[0].min_qty, l.moq);
		for (size_t t = 1; t < l.ntiers; t++) {
			assert_true(l.tiers[t].min_qty > l.tiers[t - 1].min_qty);
			assert_true(l.tiers[t].unit_price < l.tiers[t - 1].unit_price);
		}
		assert_non_null(l.hs_code);
		assert_int_equal(strlen(l.hs_code), 6);
		assert_true(l.incoterms.n >= 1);
		assert_non_null(l.description);
		listing_free(&l);
	}
	rows_free(&r);
}

enum script {
	SC_LATIN,
	SC_CHINESE,
	SC_JAPANESE,
	SC_KOREAN,
	SC_CYRILLIC,
	SC_ARABIC,
	SC_DEVANAGARI,
	SC_THAI,
	SC_COUNT
};

/* The scripts a text uses. Han with kana counts as Japanese, Han alone as Chinese; *han
 * says whether there was Han at all (a Japanese title may be all kanji). */
static unsigned scripts_of(const char *s, int *han_out)
{
	unsigned m = 0;
	int han = 0, kana = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t c;
		int n;
		if (*p < 0x80)
			c = *p, n = 1;
		else if ((*p & 0xe0) == 0xc0)
			c = *p & 0x1f, n = 2;
		else if ((*p & 0xf0) == 0xe0)
			c = *p & 0x0f, n = 3;
		else
			c = *p & 0x07, n = 4;
		for (int k = 1; k < n && p[k]; k++)
			c = (c << 6) | (p[k] & 0x3f);
		p += n;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
			m |= 1u << SC_LATIN;
		else if (c >= 0x3040 && c <= 0x30ff)
			kana = 1;
		else if (c >= 0x4e00 && c <= 0x9fff)
			han = 1;
		else if (c >= 0xac00 && c <= 0xd7af)
			m |= 1u << SC_KOREAN;
		else if (c >= 0x0400 && c <= 0x04ff)
			m |= 1u << SC_CYRILLIC;
		else if (c >= 0x0600 && c <= 0x06ff)
			m |= 1u << SC_ARABIC;
		else if (c >= 0x0900 && c <= 0x097f)
			m |= 1u << SC_DEVANAGARI;
		else if (c >= 0x0e00 && c <= 0x0e7f)
			m |= 1u << SC_THAI;
	}
	if (kana)
		m |= 1u << SC_JAPANESE;
	else if (han)
		m |= 1u << SC_CHINESE;
	if (han_out)
		*han_out = han;
	return m;
}

static void test_seed_spans_40_countries_and_8_scripts(void **state)
{
	static const char *const names[SC_COUNT] = {"Latin",    "Chinese", "Japanese",   "Korean",
	                                            "Cyrillic", "Arabic",  "Devanagari", "Thai"};
	struct rows r;
	all_rows(big, NT_LISTING, &r);
	char seen[200][3];
	int ncountries = 0;
	unsigned title_scripts = 0, desc_scripts = 0;
	for (size_t i = 0; i < r.n; i++) {
		struct listing l;
		parse_listing(r.v[i].json, &l);
		int known = 0;
		for (int k = 0; k < ncountries && !known; k++)
			known = strcmp(seen[k], l.ships_from) == 0;
		if (!known && ncountries < 200)
			memcpy(seen[ncountries++], l.ships_from, 3);
		/* The description (always with native sentences) says the language; the title
		 * must then be written in it too. */
		int han;
		unsigned d = scripts_of(l.description, NULL), t = scripts_of(l.title, &han);
		if ((d & (1u << SC_JAPANESE)) && han)
			t |= 1u << SC_JAPANESE;
		desc_scripts |= d;
		title_scripts |= t & d;
		listing_free(&l);
	}
	rows_free(&r);
	if (ncountries < 40)
		fail_msg("only %d countries", ncountries);
	for (int s = 0; s < SC_COUNT; s++) {
		if (!(title_scripts & (1u << s)))
			fail_msg("no title in %s script", names[s]);
		if (!(desc_scripts & (1u << s)))
			fail_msg("no description in %s script", names[s]);
	}
}

/* Believable US-dollar ranges per unit for a few HS codes, wide enough for rounding and
 * the lower tiers but far narrower than a factor of 100 (a wrong minor unit). */
static const struct {
	const char *hs;
	double lo, hi;
} usd_ranges[] = {
    {"940390", 9, 45},      /* iron table legs, per set */
    {"392690", 0.45, 3.5},  /* phone cases */
    {"090111", 3.8, 11},    /* green coffee, per kg */
    {"854143", 55, 160},    /* solar panels */
    {"961700", 2.2, 9},     /* insulated bottles */
    {"100630", 600, 1600},  /* rice, per tonne */
    {"180100", 2500, 9000}, /* cocoa beans, per tonne */
};
/* Units of currency per dollar, as the seed prices them (roughly today's rates). */
static const struct {
	const char *cur;
	double per_usd;
} rates[] = {
    {"USD", 1},     {"EUR", 0.92},  {"CNY", 7.2},  {"JPY", 150},  {"KRW", 1350},  {"INR", 83},
    {"VND", 24500}, {"THB", 35},    {"TRY", 32},   {"BRL", 5.0},  {"KWD", 0.307}, {"BHD", 0.376},
    {"OMR", 0.385}, {"JOD", 0.709}, {"TND", 3.1},  {"CLP", 940},  {"ISK", 138},   {"UGX", 3800},
    {"PYG", 7300},  {"XOF", 605},   {"MXN", 17},   {"PKR", 280},  {"TWD", 32},    {"HKD", 7.8},
    {"GHS", 14},    {"NGN", 1500},  {"PEN", 3.75}, {"ETB", 57},   {"COP", 3900},  {"KES", 130},
    {"IDR", 15700}, {"MYR", 4.6},   {"SGD", 1.35}, {"PLN", 4.0},  {"GBP", 0.79},  {"CHF", 0.88},
    {"SEK", 10.5},  {"CZK", 23},    {"AUD", 1.52}, {"CAD", 1.36},
};

static void test_seed_prices_use_the_currencys_minor_units(void **state)
{
	struct rows r;
	all_rows(big, NT_LISTING, &r);
	int zero_dp = 0, three_dp = 0, checked = 0;
	for (size_t i = 0; i < r.n; i++) {
		struct listing l;
		parse_listing(r.v[i].json, &l);
		int minor = money_minor_units(l.currency);
		assert_true(minor >= 0 && minor <= 3);
		zero_dp += minor == 0;
		three_dp += minor == 3;
		double per_usd = 0, scale = 1;
		for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++)
			if (strcmp(rates[k].cur, l.currency) == 0)
				per_usd = rates[k].per_usd;
		for (int k = 0; k < minor; k++)
			scale *= 10;
		for (size_t k = 0; per_usd > 0 && k < sizeof usd_ranges / sizeof usd_ranges[0];
		     k++) {
			if (strcmp(usd_ranges[k].hs, l.hs_code) != 0)
				continue;
			double usd = (double)l.tiers[0].unit_price / scale / per_usd;
			if (usd < usd_ranges[k].lo * 0.9 || usd > usd_ranges[k].hi * 1.1)
				fail_msg("listing %s (%s): %lld %s minor units is %.2f USD, not in "
				         "%.2f..%.2f",
				         l.id, l.title, (long long)l.tiers[0].unit_price,
				         l.currency, usd, usd_ranges[k].lo, usd_ranges[k].hi);
			checked++;
		}
		listing_free(&l);
	}
	rows_free(&r);
	assert_true(zero_dp > 0);  /* JPY, KRW, VND, CLP, ... */
	assert_true(three_dp > 0); /* KWD, BHD, OMR, JOD, TND */
	assert_true(checked > 50);
}

static void test_seed_attestations_verify_against_the_node_key(void **state)
{
	struct rows r;
	all_rows(big, NT_ACCOUNT, &r);
	int verified = 0, business = 0, factory = 0, rated = 0, buyers = 0;
	for (size_t i = 0; i < r.n; i++) {
		struct kerr e = {0, ""};
		cJSON *j = NULL;
		if (json_parse(r.v[i].json, strlen(r.v[i].json), "account", &j, &e) != K_OK)
			fail_msg("json_parse: %s", e.msg);
		if (model_validate("Account", j, &e) != K_OK)
			fail_msg("account %s: %s", r.v[i].id, e.msg);
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(j, "role");
		buyers += cJSON_IsString(role) && strcmp(role->valuestring, "buyer") == 0;
		rated += cJSON_GetObjectItemCaseSensitive(j, "rating") != NULL;
		cJSON *att = cJSON_GetObjectItemCaseSensitive(j, "attestation");
		if (att) {
			cJSON *sig = cJSON_DetachItemFromObjectCaseSensitive(att, "sig");
			const cJSON *by = cJSON_GetObjectItemCaseSensitive(att, "by");
			const cJSON *level = cJSON_GetObjectItemCaseSensitive(att, "level");
			assert_non_null(sig);
			assert_string_equal(by->valuestring, big->key_id);
			struct kbuf canon = KBUF_INIT;
			assert_int_equal(canon_write(att, &canon, &e), K_OK);
			if (kcrypto_verify_object_b64("attestation", canon.data, canon.len,
			                              big->key_id, sig->valuestring, &e) != K_OK)
				fail_msg("account %s: attestation: %s", r.v[i].id, e.msg);
			/* A tampered attestation must not verify. */
			int is_business = strcmp(level->valuestring, "business") == 0;
			if (is_business) {
				cJSON_ReplaceItemInObjectCaseSensitive(
				    att, "level", cJSON_CreateString("factory"));
				kbuf_reset(&canon);
				canon_write(att, &canon, &e);
				assert_int_equal(
				    kcrypto_verify_object_b64("attestation", canon.data, canon.len,
				                              big->key_id, sig->valuestring, NULL),
				    K_EVERIFY);
				business++;
			} else {
				factory++;
			}
			verified++;
			kbuf_free(&canon);
			cJSON_Delete(sig);
		}
		cJSON_Delete(j);
	}
	size_t naccounts = r.n;
	rows_free(&r);
	assert_true((size_t)rated < naccounts); /* some new sellers have no rating yet */
	assert_true((size_t)verified < naccounts);
	assert_true(verified > 0);
	assert_true(business > 0);
	assert_true(factory > 0);
	assert_true(buyers > 0);
	assert_true(rated > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seed_same_seed_gives_identical_listings),
	    cmocka_unit_test(test_seed_every_listing_verifies_and_validates),
	    cmocka_unit_test(test_seed_spans_40_countries_and_8_scripts),
	    cmocka_unit_test(test_seed_prices_use_the_currencys_minor_units),
	    cmocka_unit_test(test_seed_attestations_verify_against_the_node_key),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
