/* test_resolve — what a person types for an id, against a real cache file: a unique id
 * prefix, an ambiguous one listing its candidates, none, one too short; an @handle and the
 * start of one; the start of a name with its accents and case folded; an exact name beating
 * a longer one; her SKU (also as she wrote it, sellerSku) and never another seller's; a whole
 * id taken as it is; an order just made binding found by the start of its id before a pull
 * brings its Order; a command that acts narrowing the other party's orders to the ones it
 * can act on, and never an id prefix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/client/cmd/cmd.h"
#include "../../src/client/cmd/resolve.h"
#include "../../src/client/store/store.h"
#include "kontor/buf.h"
#include "kontor/codes.h"
#include "kontor/contract.h"
#include "kontor/crypto.h"
#include "kontor/model.h"
#include "kontor/text.h"

static char dir[64], path[96];
static struct ctx c;
static struct kkeypair self_kp, buyer_kp;
static char self_id[KCRYPTO_ID_LEN + 1], buyer_id[KCRYPTO_ID_LEN + 1], steel_id[KCRYPTO_ID_LEN + 1],
    hoa_id[KCRYPTO_ID_LEN + 1], acme_id[KCRYPTO_ID_LEN + 1], acmet_id[KCRYPTO_ID_LEN + 1],
    other_id[KCRYPTO_ID_LEN + 1];
static char own_u720[MODEL_LISTING_ID_LEN + 1], own_mug[MODEL_LISTING_ID_LEN + 1],
    other_u720[MODEL_LISTING_ID_LEN + 1];
static char unpulled_order[KCRYPTO_HASH_B64_LEN + 1];

#define ORDER_A "AbCdEfGhA1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define ORDER_B "AbCdEfGhB2xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define ORDER_C "QqQqQqQqQqxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

static void seeded(struct kkeypair *kp, uint8_t b, char id[KCRYPTO_ID_LEN + 1])
{
	uint8_t seed[32];
	memset(seed, b, sizeof seed);
	kcrypto_keypair_from_seed(kp, seed);
	kcrypto_account_id(kp->pk, id);
}

static void must(int rc, const struct kerr *e)
{
	if (rc != K_OK)
		fail_msg("unexpected failure %d: %s", rc, e->msg);
}

static void put_account(uint8_t seed, char id[KCRYPTO_ID_LEN + 1], const char *handle,
                        const char *name, const char *legal)
{
	struct kkeypair kp;
	struct kerr e = {0, ""};
	seeded(&kp, seed, id);
	struct account a;
	account_init(&a);
	memcpy(a.id, id, sizeof a.id);
	a.handle = xstrdup(handle);
	a.display_name = xstrdup(name);
	if (legal)
		a.legal_name = xstrdup(legal);
	memcpy(a.country, "VN", 3);
	memcpy(a.created, "2026-01-01T00:00:00Z", MODEL_TIME_LEN + 1);
	must(store_account_put(c.store, &a, &e), &e);
	account_free(&a);
}

static void put_listing(const char *seller, const char *sku, const char *seller_sku,
                        const char *title, char id[MODEL_LISTING_ID_LEN + 1])
{
	struct kerr e = {0, ""};
	struct listing l;
	listing_init(&l);
	memcpy(l.seller_id, seller, sizeof l.seller_id);
	l.sku = xstrdup(sku);
	if (seller_sku)
		l.seller_sku = xstrdup(seller_sku);
	listing_make_id(l.seller_id, l.sku, l.id);
	l.title = xstrdup(title);
	memcpy(l.currency, "USD", 4);
	l.ntiers = 1;
	l.tiers = xcalloc(1, sizeof *l.tiers);
	l.tiers[0].min_qty = 1;
	l.tiers[0].unit_price = 1250;
	memcpy(l.created, "2026-01-01T00:00:00Z", MODEL_TIME_LEN + 1);
	memcpy(l.updated, "2026-01-01T00:00:00Z", MODEL_TIME_LEN + 1);
	must(store_listing_put(c.store, &l, "main", &e), &e);
	memcpy(id, l.id, MODEL_LISTING_ID_LEN + 1);
	listing_free(&l);
}

static void put_order_at(const char *id, const char *state, const char *updated)
{
	struct kerr e = {0, ""};
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "buyerId", buyer_id);
	cJSON_AddStringToObject(o, "sellerId", self_id);
	cJSON_AddStringToObject(o, "state", state);
	cJSON_AddNumberToObject(o, "total", 552000);
	cJSON_AddStringToObject(o, "currency", "USD");
	cJSON_AddStringToObject(o, "updated", updated);
	must(store_object_put(c.store, "Order", o, "main", self_id, &e), &e);
	cJSON_Delete(o);
}

static void put_order(const char *id, const char *state)
{
	put_order_at(id, state, "2026-11-25T09:12:00Z");
}

/* A contract for 500 of own_u720 signed by both parties, with no Order cached for it. */
static void put_binding_contract(void)
{
	struct kerr e = {0, ""};
	struct listing l;
	must(store_listing_get(c.store, own_u720, &l, &e), &e);
	must(listing_sign(&l, &self_kp, &e), &e);
	struct contract_terms t;
	contract_terms_init(&t);
	memcpy(t.buyer, buyer_id, sizeof t.buyer);
	memcpy(t.escrow_agent, other_id, sizeof t.escrow_agent);
	must(contract_terms_add_listing(&t, &l, 500, -1, NULL, &e), &e);
	memcpy(t.incoterm, "FOB", 4);
	t.named_place = xstrdup("Hai Phong");
	memcpy(t.mode, "sea", 4);
	memcpy(t.ship_by, "2026-12-15", 11);
	memcpy(t.deliver_by, "2027-01-31", 11);
	t.governing_law = xstrdup("CISG");
	t.dispute_venue = xstrdup("Arbitration by the node's operator");
	memcpy(t.language, "en", 3);
	must(contract_terms_total(&t, &e), &e);
	cJSON *body = NULL, *sec = NULL, *doc = NULL;
	must(contract_terms_to_json(&t, &body, &e), &e);
	must(contract_section_make("offer", body, &sec, &e), &e);
	must(contract_section_sign(sec, "buyer", &buyer_kp, &e), &e);
	must(contract_section_sign(sec, "seller", &self_kp, &e), &e);
	must(contract_new(sec, &doc, &e), &e);
	struct contract_status *st = xcalloc(1, sizeof *st);
	must(contract_verify(doc, st, &e), &e);
	assert_true(st->binding >= 0);
	memcpy(unpulled_order, st->order_id, sizeof unpulled_order);
	must(store_object_put(c.store, "Contract", doc, "main", self_id, &e), &e);
	free(st);
	cJSON_Delete(body);
	cJSON_Delete(doc);
	contract_terms_free(&t);
	listing_free(&l);
}

static int setup(void **state)
{
	struct kerr e = {0, ""};
	if (kcrypto_init(&e) != K_OK || codes_load(&e) != K_OK)
		return -1;
	text_locale_init();
	snprintf(dir, sizeof dir, "/tmp/kontor-resolve-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/cache.db", dir);
	ctx_init(&c);
	c.home = dir;
	if (store_open(path, &c.store, &e) != K_OK)
		return -1;
	put_account(2, self_id, "sat-my-thuat-hoa-phat", "Sắt Mỹ Thuật Hoà Phát", NULL);
	seeded(&self_kp, 2, self_id);
	memcpy(c.self_id, self_id, sizeof c.self_id);
	put_account(1, buyer_id, "berlin-interiors-gmbh", "Berlin Interiors GmbH", NULL);
	seeded(&buyer_kp, 1, buyer_id);
	put_account(5, steel_id, "berliner-stahl", "Berliner Stahl AG", NULL);
	put_account(6, hoa_id, "cong-ty-an-khang", "Công ty An Khang", "Hoà Bình Trading Co");
	put_account(7, acme_id, "acme", "Acme", NULL);
	put_account(8, acmet_id, "acme-trading", "Acme Trading", NULL);
	put_account(9, other_id, "shenzhen-iron", "深圳铁艺", NULL);
	put_listing(self_id, "U720-BK", NULL, "Iron table legs, black, 72 cm", own_u720);
	put_listing(self_id, "MUG-7-blue", "MUG #7 blue", "Hand-made mug no. 7, blue", own_mug);
	put_listing(other_id, "U720-BK", NULL, "Table legs of another seller", other_u720);
	put_order(ORDER_A, "funded");
	put_order(ORDER_B, "shipped");
	put_order(ORDER_C, "awaiting_payment");
	put_binding_contract();
	return 0;
}

static int teardown(void **state)
{
	ctx_done(&c);
	char p[128];
	const char *sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

static void expect_id(int kinds, const char *word, int kind, const char *want)
{
	struct resolved r;
	struct kerr e = {0, ""};
	int rc = resolve_word(&c, kinds, word, &r, &e);
	if (rc != K_OK)
		fail_msg("'%s': %s", word, e.msg);
	assert_int_equal(r.kind, kind);
	if (strcmp(r.id, want) != 0)
		fail_msg("'%s' resolved to %s, not %s", word, r.id, want);
}

/* A usage error (exit 2) whose message holds each of the parts given (NULL-terminated). */
static void expect_refused(int kinds, const char *word, ...)
{
	struct resolved r;
	struct kerr e = {0, ""};
	int rc = resolve_word(&c, kinds, word, &r, &e);
	if (rc != K_EUSAGE)
		fail_msg("'%s' gave %d (%s), not a usage error", word, rc, e.msg);
	assert_int_equal(cmd_exit_code(rc), 2);
	va_list ap;
	va_start(ap, word);
	for (const char *part; (part = va_arg(ap, const char *));)
		if (!strstr(e.msg, part))
			fail_msg("'%s': message '%s' lacks '%s'", word, e.msg, part);
	va_end(ap);
}

static void test_a_unique_order_prefix_is_the_order(void **state)
{
	expect_id(RESOLVE_ORDER, "AbCdEfGhA", RESOLVE_ORDER, ORDER_A);
	expect_id(RESOLVE_ORDER, "QqQq", RESOLVE_ORDER, ORDER_C);
}

static void test_an_ambiguous_prefix_lists_the_candidates_and_exits_2(void **state)
{
	expect_refused(RESOLVE_ORDER, "AbCdEf", "'AbCdEf' matches 2 orders", "AbCdEfGhA (funded",
	               "AbCdEfGhB (shipped", "Berlin Interiors GmbH @berlin-interiors-gmbh",
	               "say which", NULL);
}

static void test_no_match_says_none_matched_and_exits_2(void **state)
{
	expect_refused(RESOLVE_ORDER, "ZZZZZZ", "no order in the cache matches 'ZZZZZZ'", NULL);
	/* three characters are no id prefix (git asks for four) */
	expect_refused(RESOLVE_ORDER, "QqQ", "no order", "first 4 or more characters", NULL);
	expect_refused(RESOLVE_ACCOUNT, "@nobody", "no account in the cache matches '@nobody'",
	               "an @handle", NULL);
	expect_refused(RESOLVE_LISTING, "NOPE-1", "no listing", "one of your SKUs", NULL);
}

static void test_a_whole_id_is_taken_as_it_is_cached_or_not(void **state)
{
	expect_id(RESOLVE_ORDER, ORDER_B, RESOLVE_ORDER, ORDER_B);
	const char *unknown = "Zz9_Zz9_Zz9_Zz9_Zz9_Zz9_Zz9_Zz9_Zz9_Zz9_Zz9";
	expect_id(RESOLVE_ACCOUNT, unknown, RESOLVE_ACCOUNT, unknown);
	expect_id(RESOLVE_LISTING, other_u720, RESOLVE_LISTING, other_u720);
}

static void test_an_at_handle_and_its_start(void **state)
{
	expect_id(RESOLVE_ACCOUNT, "@berlin-interiors-gmbh", RESOLVE_ACCOUNT, buyer_id);
	expect_id(RESOLVE_ACCOUNT, "@Berlin-Interiors-GmbH", RESOLVE_ACCOUNT, buyer_id);
	expect_id(RESOLVE_ACCOUNT, "@berlin-i", RESOLVE_ACCOUNT, buyer_id);
	expect_refused(RESOLVE_ACCOUNT, "@berlin", "matches 2 accounts",
	               "Berlin Interiors GmbH (@berlin-interiors-gmbh, ",
	               "Berliner Stahl AG (@berliner-stahl, ", NULL);
	/* a handle typed without its '@' */
	expect_id(RESOLVE_ACCOUNT, "berliner-stahl", RESOLVE_ACCOUNT, steel_id);
}

static void test_the_start_of_a_name_with_accents_and_case_folded(void **state)
{
	expect_id(RESOLVE_ACCOUNT, "sat my", RESOLVE_ACCOUNT, self_id);
	expect_id(RESOLVE_ACCOUNT, "SẮT MỸ THUẬT", RESOLVE_ACCOUNT, self_id);
	expect_id(RESOLVE_ACCOUNT, "Berliner", RESOLVE_ACCOUNT, steel_id);
	/* the legal name counts too */
	expect_id(RESOLVE_ACCOUNT, "hoa binh", RESOLVE_ACCOUNT, hoa_id);
	expect_id(RESOLVE_ACCOUNT, "Cong ty", RESOLVE_ACCOUNT, hoa_id);
	expect_id(RESOLVE_ACCOUNT, "深圳", RESOLVE_ACCOUNT, other_id);
	expect_refused(RESOLVE_ACCOUNT, "Berlin", "matches 2 accounts", NULL);
}

static void test_an_exact_name_beats_a_longer_one(void **state)
{
	expect_id(RESOLVE_ACCOUNT, "Acme", RESOLVE_ACCOUNT, acme_id);
	expect_id(RESOLVE_ACCOUNT, "acme t", RESOLVE_ACCOUNT, acmet_id);
}

static void test_her_sku_and_the_sku_as_she_wrote_it(void **state)
{
	expect_id(RESOLVE_LISTING, "U720-BK", RESOLVE_LISTING, own_u720);
	expect_id(RESOLVE_LISTING, "u720-bk", RESOLVE_LISTING, own_u720);
	expect_id(RESOLVE_LISTING, "MUG #7 blue", RESOLVE_LISTING, own_mug);
	expect_id(RESOLVE_LISTING, "MUG-7-blue", RESOLVE_LISTING, own_mug);
	/* another seller's listing only by its id or a prefix of it */
	char pre[12];
	snprintf(pre, sizeof pre, "%.10s", other_u720);
	expect_id(RESOLVE_LISTING, pre, RESOLVE_LISTING, other_u720);
}

static void test_an_order_not_pulled_yet_is_found_by_its_prefix(void **state)
{
	char pre[12];
	snprintf(pre, sizeof pre, "%.8s", unpulled_order);
	expect_id(RESOLVE_ORDER, pre, RESOLVE_ORDER, unpulled_order);
}

static void test_a_chat_word_picks_its_kind(void **state)
{
	int kinds = RESOLVE_CONVERSATION | RESOLVE_ACCOUNT | RESOLVE_LISTING;
	expect_id(kinds, "@berlin-interiors-gmbh", RESOLVE_ACCOUNT, buyer_id);
	expect_id(kinds, "U720-BK", RESOLVE_LISTING, own_u720);
	expect_id(kinds, own_mug, RESOLVE_LISTING, own_mug);
}

static void test_many_candidates_fit_the_message_with_how_many_more(void **state)
{
	for (int i = 0; i < 40; i++) {
		char name[64], handle[32];
		char id[KCRYPTO_ID_LEN + 1];
		snprintf(name, sizeof name, "Hai Phong Steel Works no. %d", i);
		snprintf(handle, sizeof handle, "hai-phong-steel-%d", i);
		put_account((uint8_t)(100 + i), id, handle, name, NULL);
	}
	struct resolved r;
	struct kerr e = {0, ""};
	assert_int_equal(resolve_word(&c, RESOLVE_ACCOUNT, "hai phong", &r, &e), K_EUSAGE);
	assert_non_null(strstr(e.msg, "matches 40 accounts"));
	assert_non_null(strstr(e.msg, "more; say which"));
	assert_true(strlen(e.msg) < KERR_MSG_MAX - 1);
}

/* A command's fit: the cached Order is in one of the states arg lists ("funded shipped"). */
static int in_states(struct ctx *cc, const char *id, void *arg)
{
	cJSON *o = NULL;
	int fits = 0;
	if (store_object_get(cc->store, "Order", id, &o, NULL) == K_OK) {
		const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "state"));
		fits = st && strstr((const char *)arg, st) != NULL;
	}
	cJSON_Delete(o);
	return fits;
}

static int narrowed(const char *word, const char *states, char out[RESOLVE_ID_MAX + 1],
                    struct kerr *e)
{
	const struct resolve_for rf = {in_states, (void *)states, "ship"};
	return resolve_id_for(&c, RESOLVE_ORDER, word, &rf, out, RESOLVE_ID_MAX + 1, e);
}

static void test_a_command_that_acts_takes_the_one_order_with_him_it_can_act_on(void **state)
{
	char id[RESOLVE_ID_MAX + 1];
	struct kerr e = {0, ""};
	/* four orders with him: funded, shipped, awaiting payment, and one not pulled yet */
	expect_refused(RESOLVE_ORDER, "@berlin-interiors-gmbh", "matches 4 orders", NULL);
	must(narrowed("@berlin-interiors-gmbh", "funded", id, &e), &e);
	assert_string_equal(id, ORDER_A);
	must(narrowed("berlin int", "awaiting_payment", id, &e), &e);
	assert_string_equal(id, ORDER_C);
}

static void test_several_that_fit_are_listed_and_none_that_fits_lists_them_all(void **state)
{
	char id[RESOLVE_ID_MAX + 1];
	struct kerr e = {0, ""};
	assert_int_equal(narrowed("@berlin-interiors-gmbh", "funded shipped", id, &e), K_EUSAGE);
	/* both with him: he is named once, each order by its state and total */
	assert_non_null(
	    strstr(e.msg, "matches 2 orders with Berlin Interiors GmbH @berlin-interiors-gmbh: "));
	assert_null(strstr(strstr(e.msg, ": ") + 2, "Berlin Interiors"));
	assert_non_null(strstr(e.msg, "AbCdEfGhA (funded, 5,520.00 USD)"));
	assert_non_null(strstr(e.msg, "AbCdEfGhB (shipped, 5,520.00 USD)"));
	assert_null(strstr(e.msg, "awaiting_payment"));
	/* nothing it can act on: never a guess, all four with their states, saying so */
	assert_int_equal(narrowed("@berlin-interiors-gmbh", "completed", id, &e), K_EUSAGE);
	assert_non_null(strstr(e.msg, "matches 4 orders, none of which you can ship now: "));
}

static void test_an_id_prefix_is_never_narrowed(void **state)
{
	char id[RESOLVE_ID_MAX + 1];
	struct kerr e = {0, ""};
	/* "AbCdEf" starts ORDER_A (funded) and ORDER_B (shipped): it names both */
	assert_int_equal(narrowed("AbCdEf", "funded", id, &e), K_EUSAGE);
	assert_non_null(strstr(e.msg, "'AbCdEf' matches 2 orders"));
	/* and one it names is taken though it does not fit: the command says why not */
	must(narrowed("AbCdEfGhB", "funded", id, &e), &e);
	assert_string_equal(id, ORDER_B);
	must(narrowed(ORDER_B, "funded", id, &e), &e);
	assert_string_equal(id, ORDER_B);
}

static void test_a_repeat_buyers_one_funded_order_is_found_past_forty_done_ones(void **state)
{
	/* forty orders with him done since, all newer than the funded one: more than a list of
	 * candidates holds, and still the one it can act on is found */
	for (int i = 0; i < 40; i++) {
		char id[KCRYPTO_HASH_B64_LEN + 1], at[MODEL_TIME_LEN + 1];
		snprintf(id, sizeof id, "Done%02dxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", i);
		snprintf(at, sizeof at, "2026-12-%02dT10:00:00Z", 1 + i % 28);
		put_order_at(id, "completed", at);
	}
	char id[RESOLVE_ID_MAX + 1];
	struct kerr e = {0, ""};
	expect_refused(RESOLVE_ORDER, "@berlin-interiors-gmbh", "matches over ", "orders", NULL);
	must(narrowed("@berlin-interiors-gmbh", "funded", id, &e), &e);
	assert_string_equal(id, ORDER_A);
	assert_int_equal(narrowed("@berlin-interiors-gmbh", "completed", id, &e), K_EUSAGE);
	assert_non_null(strstr(e.msg, "matches 40 orders with Berlin Interiors GmbH"));
	/* a long head still leaves the message whole: the list is cut, "say which" stays */
	assert_non_null(strstr(e.msg, "more; say which"));
	assert_true(strlen(e.msg) < KERR_MSG_MAX - 1);
	assert_int_equal(narrowed("@berlin-interiors-gmbh", "resolved", id, &e), K_EUSAGE);
	assert_non_null(strstr(e.msg, "none of which you can ship now: "));
	assert_non_null(strstr(e.msg, "more; say which"));
	assert_true(strlen(e.msg) < KERR_MSG_MAX - 1);
}

static void test_bad_words_are_usage_errors(void **state)
{
	char big[RESOLVE_WORD_MAX + 8];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	expect_refused(RESOLVE_ACCOUNT, "", "empty", NULL);
	expect_refused(RESOLVE_ACCOUNT, big, "too long", NULL);
	expect_refused(RESOLVE_ORDER, "Ab%_'", "no order", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_unique_order_prefix_is_the_order),
	    cmocka_unit_test(test_an_ambiguous_prefix_lists_the_candidates_and_exits_2),
	    cmocka_unit_test(test_no_match_says_none_matched_and_exits_2),
	    cmocka_unit_test(test_a_whole_id_is_taken_as_it_is_cached_or_not),
	    cmocka_unit_test(test_an_at_handle_and_its_start),
	    cmocka_unit_test(test_the_start_of_a_name_with_accents_and_case_folded),
	    cmocka_unit_test(test_an_exact_name_beats_a_longer_one),
	    cmocka_unit_test(test_her_sku_and_the_sku_as_she_wrote_it),
	    cmocka_unit_test(test_an_order_not_pulled_yet_is_found_by_its_prefix),
	    cmocka_unit_test(test_a_chat_word_picks_its_kind),
	    cmocka_unit_test(test_many_candidates_fit_the_message_with_how_many_more),
	    cmocka_unit_test(test_a_command_that_acts_takes_the_one_order_with_him_it_can_act_on),
	    cmocka_unit_test(test_several_that_fit_are_listed_and_none_that_fits_lists_them_all),
	    cmocka_unit_test(test_an_id_prefix_is_never_narrowed),
	    cmocka_unit_test(test_a_repeat_buyers_one_funded_order_is_found_past_forty_done_ones),
	    cmocka_unit_test(test_bad_words_are_usage_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
