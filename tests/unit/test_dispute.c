/* test_dispute — disputes, rulings and auto-release (order.c, DESIGN §6) against a temporary
 * database through api_handle: a real contract binds, is funded, shipped and disputed by
 * signed sections; confirm is then refused naming the state; order_resolve signs a ruling
 * as escrow with the node key (the contract still verifies), splits the escrow with the
 * remainder to the seller in one ledger transaction keyed by the ruling's hash and resolves
 * the order, and refuses an order that is not disputed; order_auto_release releases a
 * delivered order only once its days have passed and never a disputed one. Fixed keys;
 * runs from the repo root (needs Debian's iso-codes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kontor/codes.h"
#include "kontor/contract.h"
#include "kontor/crypto.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "../../src/node/api_int.h"
#include "../../src/node/node.h"
#include "../../src/node/store/nstore.h"

/* node.c may not be linked in: a stand-in. */
__attribute__((weak)) void node_notify(struct node *n)
{
}

static struct kkeypair buyer_kp, seller_kp, node_kp;
static char buyer_id[KCRYPTO_ID_LEN + 1], seller_id[KCRYPTO_ID_LEN + 1],
    node_id[KCRYPTO_ID_LEN + 1];
static struct listing lst;

static void seeded(struct kkeypair *kp, uint8_t b)
{
	uint8_t seed[32];
	memset(seed, b, sizeof seed);
	kcrypto_keypair_from_seed(kp, seed);
}

static int group_setup(void **state)
{
	struct kerr e = {0, ""};
	if (kcrypto_init(&e) != K_OK || codes_load(&e) != K_OK) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	seeded(&buyer_kp, 21);
	seeded(&seller_kp, 22);
	seeded(&node_kp, 23);
	kcrypto_account_id(buyer_kp.pk, buyer_id);
	kcrypto_account_id(seller_kp.pk, seller_id);
	kcrypto_account_id(node_kp.pk, node_id);
	listing_init(&lst);
	lst.sku = xstrdup("PSU-650W");
	lst.title = xstrdup("650 W ATX power supply");
	memcpy(lst.currency, "USD", 4);
	lst.moq = 100;
	static struct price_tier tiers[] = {{100, 1200}};
	lst.ntiers = 1;
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

static int group_teardown(void **state)
{
	listing_free(&lst);
	return 0;
}

struct fx {
	char dir[64];
	char path[96];
	struct node n;
	cJSON *resp;
	cJSON *doc; /* the contract as the parties hold it */
	char order_id[KCRYPTO_HASH_B64_LEN + 1];
};

static void must(int rc, const struct kerr *e)
{
	if (rc != K_OK)
		fail_msg("unexpected failure %d: %s", rc, e->msg);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/dispute-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/node.db", f->dir);
	struct kerr e = {0, ""};
	if (nstore_open(f->path, 1, &f->n.store, &e) != K_OK) {
		fprintf(stderr, "open: %s\n", e.msg);
		return -1;
	}
	snprintf(f->n.name, sizeof f->n.name, "test-node");
	f->n.key = node_kp;
	memcpy(f->n.key_id, node_id, sizeof node_id);
	node_limits_default(&f->n.limits);
	pthread_mutex_init(&f->n.ev_lock, NULL);
	pthread_cond_init(&f->n.ev_cond, NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	cJSON_Delete(f->resp);
	cJSON_Delete(f->doc);
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

static const cJSON *call(struct fx *f, const char *caller, const char *name, cJSON *args)
{
	cJSON *req = cJSON_CreateObject();
	cJSON *using = cJSON_AddArrayToObject(req, "using");
	cJSON_AddItemToArray(using, cJSON_CreateString("urn:kontor:trade"));
	cJSON *calls = cJSON_AddArrayToObject(req, "methodCalls"), *c = cJSON_CreateArray();
	cJSON_AddItemToArray(c, cJSON_CreateString(name));
	cJSON_AddItemToArray(c, args);
	cJSON_AddItemToArray(c, cJSON_CreateString("c0"));
	cJSON_AddItemToArray(calls, c);
	struct kbuf body = KBUF_INIT, out = KBUF_INIT, methods = KBUF_INIT;
	json_print(req, &body);
	cJSON_Delete(req);
	struct api_caller who = {caller, "127.0.0.1"};
	assert_int_equal(api_handle(&f->n, &who, kbuf_str(&body), body.len, &out, &methods), 200);
	cJSON_Delete(f->resp);
	f->resp = cJSON_Parse(kbuf_str(&out));
	kbuf_free(&body);
	kbuf_free(&out);
	kbuf_free(&methods);
	assert_non_null(f->resp);
	const cJSON *r =
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f->resp, "methodResponses"), 0);
	return cJSON_GetArrayItem(r, 1);
}

/* Sends the parties' contract as caller (create or update); the SetError or NULL. */
static const cJSON *send_doc(struct fx *f, const char *caller, int create)
{
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f->doc, "id"));
	cJSON *args = cJSON_CreateObject();
	if (create) {
		cJSON *cr = cJSON_AddObjectToObject(args, "create");
		cJSON_AddItemToObject(cr, "k1", cJSON_Duplicate(f->doc, 1));
	} else {
		cJSON *up = cJSON_AddObjectToObject(args, "update");
		cJSON *patch = cJSON_AddObjectToObject(up, id);
		cJSON_AddItemToObject(
		    patch, "sections",
		    cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(f->doc, "sections"), 1));
	}
	const cJSON *r = call(f, caller, "Contract/set", args);
	const cJSON *errs = cJSON_GetObjectItemCaseSensitive(r, create ? "notCreated" : "notUpdated");
	return cJSON_GetObjectItemCaseSensitive(errs, create ? "k1" : id);
}

/* A binding contract for qty at unit_price (minor units), funded with exactly the total
 * deposited first; f->order_id set. */
static void funded_order(struct fx *f, int64_t qty, int64_t unit_price, int64_t *total)
{
	struct kerr e = {0, ""};
	struct contract_terms t;
	contract_terms_init(&t);
	memcpy(t.buyer, buyer_id, sizeof t.buyer);
	memcpy(t.escrow_agent, node_id, sizeof t.escrow_agent);
	must(contract_terms_add_listing(&t, &lst, qty, unit_price, &e), &e);
	memcpy(t.incoterm, "FOB", 4);
	t.named_place = xstrdup("Shanghai");
	memcpy(t.mode, "sea", 4);
	memcpy(t.ship_by, "2027-01-15", 11);
	memcpy(t.deliver_by, "2027-03-01", 11);
	t.governing_law = xstrdup("CISG");
	t.dispute_venue = xstrdup("Arbitration by the node operator");
	memcpy(t.language, "en", 3);
	must(contract_terms_total(&t, &e), &e);
	*total = t.total;
	cJSON *body = NULL, *sec = NULL;
	must(contract_terms_to_json(&t, &body, &e), &e);
	contract_terms_free(&t);
	must(contract_section_make("offer", body, &sec, &e), &e);
	cJSON_Delete(body);
	must(contract_section_sign(sec, "buyer", &buyer_kp, &e), &e);
	must(contract_new(sec, &f->doc, &e), &e);
	assert_null(send_doc(f, buyer_id, 1));
	cJSON *offer = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f->doc, "sections"), 0);
	must(contract_section_sign(offer, "seller", &seller_kp, &e), &e);
	assert_null(send_doc(f, seller_id, 0));
	snprintf(f->order_id, sizeof f->order_id, "%s",
	         cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(offer, "hash")));
	char wallet[NLEDGER_ACCOUNT_MAX + 1];
	snprintf(wallet, sizeof wallet, "wallet:%s", buyer_id);
	struct nentry dep[2] = {{"provider:sim", "USD", -*total, NULL},
	                        {wallet, "USD", *total, NULL}};
	char ref[64];
	snprintf(ref, sizeof ref, "psp-%.20s", f->order_id);
	struct ntx tx = {"deposit", NULL, ref, dep, 2};
	must(nledger_post(f->n.store, &tx, NULL, NULL, &e), &e);
}

/* Appends an event section signed by kp as role and sends it as its signer; the SetError
 * (the section is taken back out of f->doc when refused) or NULL. */
static const cJSON *step(struct fx *f, const char *kind, const char *role,
                         const struct kkeypair *kp, const char *caller)
{
	struct kerr e = {0, ""};
	char tip[KCRYPTO_HASH_B64_LEN + 1];
	cJSON *extra = cJSON_CreateObject(), *body = NULL, *sec = NULL;
	if (strcmp(kind, "disputed") == 0)
		cJSON_AddStringToObject(extra, "reason", "leaks at 10 bar");
	must(contract_tip(f->doc, tip, &e), &e);
	must(contract_event_body(tip, "2026-11-20T10:00:00Z", extra, &body, &e), &e);
	must(contract_section_make(kind, body, &sec, &e), &e);
	must(contract_section_sign(sec, role, kp, &e), &e);
	must(contract_append(f->doc, sec, &e), &e);
	cJSON_Delete(extra);
	cJSON_Delete(body);
	const cJSON *err = send_doc(f, caller, 0);
	if (err) {
		cJSON *secs = cJSON_GetObjectItemCaseSensitive(f->doc, "sections");
		cJSON_DeleteItemFromArray(secs, cJSON_GetArraySize(secs) - 1);
	}
	return err;
}

static int64_t balance(struct fx *f, const char *kind, const char *who)
{
	char acc[NLEDGER_ACCOUNT_MAX + 1];
	snprintf(acc, sizeof acc, "%s:%s", kind, who);
	int64_t v = -1;
	struct kerr e = {0, ""};
	must(nledger_balance(f->n.store, acc, "USD", &v, &e), &e);
	return v;
}

static cJSON *stored(struct fx *f, enum ntype t, const char *id)
{
	struct api_ctx c = {&f->n, f->n.store, NULL, NULL};
	struct nobj o = {KBUF_INIT, "", ""};
	cJSON *j = api_load(&c, t, id, &o);
	nobj_free(&o);
	assert_non_null(j);
	return j;
}

static void expect_state(struct fx *f, const char *want)
{
	cJSON *o = stored(f, NT_ORDER, f->order_id);
	assert_string_equal(api_str(o, "state"), want);
	cJSON_Delete(o);
}

static void expect_refused(const cJSON *err, const char *type, const char *desc)
{
	assert_non_null(err);
	assert_string_equal(api_str(err, "type"), type);
	if (!strstr(api_str(err, "description"), desc))
		fail_msg("'%s' does not contain '%s'", api_str(err, "description"), desc);
}

static void test_dispute_then_ruling_splits_escrow(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	int64_t total = 0;
	funded_order(f, 101, 1201, &total); /* 1,213.01 USD: 33% leaves a remainder */
	assert_int_equal(total, 121301);
	/* Not funded yet: no dispute, and no ruling. */
	expect_refused(step(f, "disputed", "buyer", &buyer_kp, buyer_id), "stateConflict",
	               "order is awaiting_payment: dispute needs funded, shipped or delivered");
	struct order_ruling r;
	assert_int_equal(order_resolve(&f->n, f->order_id, 50, "x", &r, &e), K_ECONFLICT);
	assert_string_equal(e.msg, "order is awaiting_payment: resolve needs disputed (only a "
	                           "disputed order is ruled on)");
	assert_null(step(f, "funded", "buyer", &buyer_kp, buyer_id));
	assert_null(step(f, "shipped", "seller", &seller_kp, seller_id));
	assert_int_equal(order_resolve(&f->n, f->order_id, 50, "x", &r, &e), K_ECONFLICT);
	assert_non_null(strstr(e.msg, "order is shipped: resolve needs disputed"));
	assert_null(step(f, "disputed", "seller", &seller_kp, seller_id));
	expect_state(f, "disputed");
	assert_int_equal(balance(f, "escrow", f->order_id), total);
	/* Frozen: confirm, delivery and a second dispute are refused naming the state. */
	expect_refused(step(f, "confirmed", "buyer", &buyer_kp, buyer_id), "stateConflict",
	               "order is disputed: confirm needs shipped or delivered");
	expect_refused(step(f, "disputed", "buyer", &buyer_kp, buyer_id), "stateConflict",
	               "order is disputed: dispute");
	cJSON *o = stored(f, NT_ORDER, f->order_id);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(o, "escrow")->valuedouble, total);
	cJSON_Delete(o);
	/* Nothing is released automatically, however late. */
	int released = -1;
	must(order_auto_release(&f->n, (int64_t)time(NULL) + 400 * 86400, &released, &e), &e);
	assert_int_equal(released, 0);

	assert_int_equal(order_resolve(&f->n, f->order_id, 101, "x", &r, &e), K_EINVAL);
	assert_int_equal(order_resolve(&f->n, "nosuchorder", 50, "x", &r, &e), K_ENOTFOUND);
	must(order_resolve(&f->n, f->order_id, 33, "inspection report 4711", &r, &e), &e);
	assert_int_equal(r.escrow, total);
	assert_int_equal(r.buyer, 40029); /* 121301 * 33 / 100 = 40029.33, rounded down */
	assert_int_equal(r.seller, 81272);
	assert_string_equal(r.currency, "USD");
	expect_state(f, "resolved");
	assert_int_equal(balance(f, "escrow", f->order_id), 0);
	assert_int_equal(balance(f, "wallet", buyer_id), 40029);
	assert_int_equal(balance(f, "wallet", seller_id), 81272);
	must(nledger_check(f->n.store, &e), &e);

	/* The node's contract ends with the ruling, signed as escrow, and verifies whole. */
	const char *kid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f->doc, "id"));
	cJSON *doc = stored(f, NT_CONTRACT, kid);
	struct contract_status st;
	must(contract_verify(doc, &st, &e), &e);
	cJSON *secs = cJSON_GetObjectItemCaseSensitive(doc, "sections");
	cJSON *last = cJSON_GetArrayItem(secs, cJSON_GetArraySize(secs) - 1);
	assert_string_equal(api_str(last, "kind"), "ruling");
	assert_string_equal(api_str(last, "hash"), r.section);
	cJSON *sig = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(last, "signatures"), 0);
	assert_string_equal(api_str(sig, "role"), "escrow");
	assert_string_equal(api_str(sig, "by"), node_id);
	cJSON *body = cJSON_Parse(api_str(last, "body"));
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(body, "buyerAmount")->valuedouble, 40029);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(body, "sellerAmount")->valuedouble,
	                 81272);
	assert_string_equal(api_str(body, "note"), "inspection report 4711");
	cJSON_Delete(body);
	cJSON_Delete(doc);

	/* Once: a second ruling is refused and moves nothing. */
	assert_int_equal(order_resolve(&f->n, f->order_id, 100, "again", &r, &e), K_ECONFLICT);
	assert_non_null(strstr(e.msg, "order is resolved: resolve needs disputed"));
	assert_int_equal(balance(f, "wallet", buyer_id), 40029);
}

static void test_auto_release_after_the_days(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	int64_t total = 0;
	funded_order(f, 100, -1, &total); /* 1,200.00 USD; 14 days (the default) */
	assert_null(step(f, "funded", "buyer", &buyer_kp, buyer_id));
	assert_null(step(f, "shipped", "seller", &seller_kp, seller_id));
	int released = -1;
	int64_t now = (int64_t)time(NULL);
	/* Shipped but not delivered: the clock has not started. */
	must(order_auto_release(&f->n, now + 100 * 86400, &released, &e), &e);
	assert_int_equal(released, 0);
	assert_null(step(f, "delivered", "buyer", &buyer_kp, buyer_id));
	cJSON *o = stored(f, NT_ORDER, f->order_id);
	assert_non_null(api_str(o, "deliveredAt"));
	int64_t at = order_time_of(api_str(o, "deliveredAt"));
	cJSON_Delete(o);
	assert_true(at > 0 && at <= now + 5 && at >= now - 60);
	must(order_auto_release(&f->n, at + 14 * 86400, &released, &e), &e);
	assert_int_equal(released, 0); /* exactly 14 days: not yet more than */
	expect_state(f, "delivered");
	assert_int_equal(balance(f, "escrow", f->order_id), total);
	must(order_auto_release(&f->n, at + 14 * 86400 + 1, &released, &e), &e);
	assert_int_equal(released, 1);
	expect_state(f, "completed");
	assert_int_equal(balance(f, "escrow", f->order_id), 0);
	assert_int_equal(balance(f, "wallet", seller_id), total);
	must(nledger_check(f->n.store, &e), &e);
	const char *kid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f->doc, "id"));
	cJSON *doc = stored(f, NT_CONTRACT, kid);
	struct contract_status st;
	must(contract_verify(doc, &st, &e), &e);
	assert_string_equal(st.last_kind, "released");
	cJSON_Delete(doc);
	/* Once. */
	must(order_auto_release(&f->n, at + 400 * 86400, &released, &e), &e);
	assert_int_equal(released, 0);
	assert_int_equal(balance(f, "wallet", seller_id), total);
	/* The parties' stale copy cannot confirm on top: the node's chain moved on. */
	assert_non_null(step(f, "confirmed", "buyer", &buyer_kp, buyer_id));
}

static void test_times(void **state)
{
	(void)state;
	assert_int_equal(order_time_of("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(order_time_of("2000-03-01T00:00:00Z"), 951868800);
	assert_int_equal(order_time_of("2026-11-23T09:12:18Z"), 1795425138);
	assert_int_equal(order_time_of("yesterday"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_times),
	    cmocka_unit_test_setup_teardown(test_dispute_then_ruling_splits_escrow, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_auto_release_after_the_days, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
