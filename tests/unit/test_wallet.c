/* test_wallet — the Wallet as a synced type at the node (api_handle against a temporary
 * database): Wallet/changes follows the caller's own ledger state (her wallet and the escrow
 * of her orders as buyer and as seller) and nobody else's; Wallet/set withdraw pays out
 * through the simulated provider, debits through the ledger and is refused with the reason
 * (over the balance, unknown currency, not above zero, anything but withdraw, another's
 * wallet) leaving everything as it was; a repeated reference pays once; Wallet/get lists
 * escrow per order for both roles and history lines name their order. Needs Debian's
 * iso-codes. */
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
#include "../../src/node/pay.h"
#include "../../src/node/store/nstore.h"

static struct kkeypair key_a, key_b;
static char id_a[KCRYPTO_ID_LEN + 1], id_b[KCRYPTO_ID_LEN + 1];

struct fx {
	char dir[64];
	char path[96];
	struct node n;
	cJSON *resp;
	struct pay_provider sim;
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
	kcrypto_account_id(key_a.pk, id_a);
	kcrypto_account_id(key_b.pk, id_b);
	return 0;
}

static void must(int rc, const struct kerr *e)
{
	if (rc != K_OK)
		fail_msg("unexpected failure %d: %s", rc, e->msg);
}

static void put_account(struct nstore *s, const char *id, const char *name)
{
	struct account a;
	struct kerr e = {0, ""};
	account_init(&a);
	snprintf(a.id, sizeof a.id, "%s", id);
	a.display_name = strdup(name);
	snprintf(a.country, sizeof a.country, "VN");
	snprintf(a.role, sizeof a.role, "both");
	model_now(a.created);
	must(nstore_account_put(s, &a, &e), &e);
	account_free(&a);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/wallet-XXXXXX");
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
	node_limits_default(&f->n.limits);
	pthread_mutex_init(&f->n.ev_lock, NULL);
	pthread_cond_init(&f->n.ev_cond, NULL);
	put_account(f->n.store, id_a, "Hoa Phat Iron Art");
	put_account(f->n.store, id_b, "Berlin Interiors GmbH");
	pay_sim_init(&f->sim, f->n.store);
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

/* ---------------------------------------------------------------- node helpers */

/* One call name(args) as caller; args with @A and @B for the account ids. */
static const cJSON *call(struct fx *f, const char *caller, const char *name, const char *tmpl)
{
	struct kbuf args = KBUF_INIT, b = KBUF_INIT, out = KBUF_INIT, methods = KBUF_INIT;
	for (const char *p = tmpl; *p; p++) {
		if (p[0] == '@' && (p[1] == 'A' || p[1] == 'B')) {
			kbuf_puts(&args, p[1] == 'A' ? id_a : id_b);
			p++;
		} else {
			kbuf_putc(&args, *p);
		}
	}
	kbuf_printf(&b, "{\"using\":[\"urn:kontor:trade\"],\"methodCalls\":[[\"%s\",%s,\"c0\"]]}",
	            name, kbuf_str(&args));
	struct api_caller who = {caller, "127.0.0.1"};
	int status = api_handle(&f->n, &who, b.data, b.len, &out, &methods);
	assert_int_equal(status, 200);
	cJSON_Delete(f->resp);
	f->resp = cJSON_Parse(kbuf_str(&out));
	assert_non_null(f->resp);
	kbuf_free(&args);
	kbuf_free(&b);
	kbuf_free(&out);
	kbuf_free(&methods);
	const cJSON *r =
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f->resp, "methodResponses"), 0);
	assert_non_null(r);
	return r;
}

static const char *rname(const cJSON *r)
{
	return cJSON_GetArrayItem(r, 0)->valuestring;
}

static const cJSON *rargs(const cJSON *r)
{
	return cJSON_GetArrayItem(r, 1);
}

static const char *sget(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static int64_t balance(struct fx *f, const char *id, const char *cur)
{
	char acc[NLEDGER_ACCOUNT_MAX + 1];
	snprintf(acc, sizeof acc, "wallet:%s", id);
	int64_t v = 0;
	struct kerr e = {0, ""};
	must(nledger_balance(f->n.store, acc, cur, &v, &e), &e);
	return v;
}

static void deposit(struct fx *f, const char *id, int64_t amount, const char *cur, const char *ref)
{
	struct pay_result r;
	struct kerr e = {0, ""};
	must(f->sim.deposit(f->sim.ctx, id, amount, cur, ref, &r, &e), &e);
}

static int count_payouts_cb(void *ctx, const struct npayout *p)
{
	(*(int *)ctx)++;
	return 0;
}

static int payouts(struct fx *f, const char *id)
{
	int n = 0;
	struct kerr e = {0, ""};
	must(nledger_payouts(f->n.store, id, count_payouts_cb, &n, &e), &e);
	return n;
}

/* The SetError of W<caller> in notUpdated (asserting there is one). */
static const cJSON *not_updated(const cJSON *r, const char *wid)
{
	assert_string_equal(rname(r), "Wallet/set");
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(rargs(r), "notUpdated"), wid);
	if (!e) {
		char *s = cJSON_PrintUnformatted(rargs(r));
		fail_msg("no notUpdated for %s in %s", wid, s);
	}
	return e;
}

/* ---------------------------------------------------------------- the node */

static void test_wallet_changes_follow_the_callers_own_ledger_only(void **state)
{
	struct fx *f = *state;
	char wa[80];
	snprintf(wa, sizeof wa, "W%s", id_a);
	const cJSON *r = call(f, id_a, "Wallet/changes", "{\"sinceState\":\"0\"}");
	assert_string_equal(rname(r), "Wallet/changes");
	assert_string_equal(sget(rargs(r), "newState"), "0");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rargs(r), "updated")),
	                 0);

	deposit(f, id_a, 10000, "USD", "p1");
	r = call(f, id_a, "Wallet/changes", "{\"sinceState\":\"0\",\"maxChanges\":500}");
	const char *st = sget(rargs(r), "newState");
	assert_string_not_equal(st, "0");
	const cJSON *upd = cJSON_GetObjectItemCaseSensitive(rargs(r), "updated");
	assert_int_equal(cJSON_GetArraySize(upd), 1);
	assert_string_equal(cJSON_GetArrayItem(upd, 0)->valuestring, wa);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rargs(r), "created")),
	                 0);
	char since[64];
	snprintf(since, sizeof since, "{\"sinceState\":\"%s\"}", st);
	r = call(f, id_a, "Wallet/changes", since);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rargs(r), "updated")),
	                 0);

	/* B's wallet did not move: its state says nothing of A's deposit. */
	r = call(f, id_b, "Wallet/changes", "{\"sinceState\":\"0\"}");
	assert_string_equal(sget(rargs(r), "newState"), "0");
	r = call(f, id_b, "Wallet/changes", "{\"sinceState\":\"7\"}");
	assert_string_equal(sget(rargs(r), "type"), "cannotCalculateChanges");
	r = call(f, id_a, "Wallet/changes", "{\"sinceState\":\"x1\"}");
	assert_string_equal(sget(rargs(r), "type"), "cannotCalculateChanges");
	r = call(f, NULL, "Wallet/changes", "{\"sinceState\":\"0\"}");
	assert_string_equal(sget(rargs(r), "type"), "forbidden");
	r = call(f, id_a, "Wallet/changes", "{}");
	assert_string_equal(sget(rargs(r), "type"), "invalidArguments");
}

static void test_withdraw_pays_out_through_the_ledger(void **state)
{
	struct fx *f = *state;
	char wa[80], args[256];
	snprintf(wa, sizeof wa, "W%s", id_a);
	deposit(f, id_a, 10000, "USD", "p1");
	uint64_t before = f->n.ev_seq;
	snprintf(args, sizeof args,
	         "{\"update\":{\"%s\":{\"withdraw\":{\"amount\":4000,\"currency\":\"USD\","
	         "\"reference\":\"r-1\"}}}}",
	         wa);
	const cJSON *r = call(f, id_a, "Wallet/set", args);
	assert_string_equal(rname(r), "Wallet/set");
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(rargs(r), "updated"), wa);
	assert_non_null(u);
	assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(
	                     cJSON_GetObjectItemCaseSensitive(u, "balances"), "USD")
	                     ->valuedouble,
	                 6000);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(u, "payout"), "posted")));
	assert_string_not_equal(sget(rargs(r), "oldState"), sget(rargs(r), "newState"));
	assert_int_equal(balance(f, id_a, "USD"), 6000);
	assert_int_equal(payouts(f, id_a), 1);
	assert_int_equal(payouts(f, NULL), 1);
	assert_int_equal(payouts(f, id_b), 0);
	assert_true(f->n.ev_seq > before); /* /events listeners hear of it */
	struct kerr e = {0, ""};
	must(nledger_check(f->n.store, &e), &e); /* sums to zero; nothing negative */

	/* The same reference again: nothing paid twice. */
	r = call(f, id_a, "Wallet/set", args);
	u = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rargs(r), "updated"),
	                                     wa);
	assert_non_null(u);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(u, "payout"), "posted")));
	assert_int_equal(balance(f, id_a, "USD"), 6000);
	assert_int_equal(payouts(f, id_a), 1);

	/* The history says payout, newest first. */
	r = call(f, id_a, "Wallet/get", "{}");
	const cJSON *w = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rargs(r), "list"), 0);
	const cJSON *l0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(w, "history"), 0);
	assert_string_equal(sget(l0, "kind"), "payout");
	assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(l0, "amount")->valuedouble, -4000);
	assert_non_null(cJSON_GetObjectItemCaseSensitive(l0, "seq"));
}

static void test_withdraw_refusals_change_nothing(void **state)
{
	struct fx *f = *state;
	char wa[80], wb[80], args[512];
	snprintf(wa, sizeof wa, "W%s", id_a);
	snprintf(wb, sizeof wb, "W%s", id_b);
	deposit(f, id_a, 5000, "USD", "p1");
	deposit(f, id_b, 5000, "USD", "p2");
	struct {
		const char *patch, *type, *says;
	} bad[] = {
	    {"{\"withdraw\":{\"amount\":5001,\"currency\":\"USD\",\"reference\":\"a\"}}",
	     "insufficientFunds", "withdraw: 50.01 USD is more than the wallet holds (50.00 USD)"},
	    {"{\"withdraw\":{\"amount\":100,\"currency\":\"EUR\",\"reference\":\"b\"}}",
	     "insufficientFunds", "withdraw: 1.00 EUR is more than the wallet holds (0.00 EUR)"},
	    {"{\"withdraw\":{\"amount\":100,\"currency\":\"ABC\",\"reference\":\"c\"}}",
	     "invalidProperties", "withdraw.currency: unknown currency 'ABC'"},
	    {"{\"withdraw\":{\"amount\":0,\"currency\":\"USD\"}}", "invalidProperties",
	     "withdraw.amount: must be more than zero (got 0)"},
	    {"{\"withdraw\":{\"amount\":-100,\"currency\":\"USD\"}}", "invalidProperties",
	     "withdraw.amount: must be more than zero (got -100)"},
	    {"{\"withdraw\":{\"amount\":1.5,\"currency\":\"USD\"}}", "invalidProperties",
	     "withdraw.amount: missing or not a whole number of minor units"},
	    {"{\"withdraw\":{\"currency\":\"USD\"}}", "invalidProperties",
	     "withdraw.amount: missing"},
	    {"{\"withdraw\":{\"amount\":100}}", "invalidProperties", "withdraw.currency: missing"},
	    {"{\"withdraw\":{\"amount\":100,\"currency\":\"USD\",\"to\":\"me\"}}",
	     "invalidProperties", "withdraw.to: not a part of withdraw"},
	    {"{\"withdraw\":{\"amount\":100,\"currency\":\"USD\",\"reference\":\"a b\"}}",
	     "invalidProperties", "reference: only A-Z a-z 0-9 - and _"},
	    {"{\"balances\":{\"USD\":999999}}", "invalidProperties",
	     "balances: a wallet moves only through its ledger"},
	    {"{}", "invalidProperties", "withdraw: missing"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(args, sizeof args, "{\"update\":{\"%s\":%s}}", wa, bad[i].patch);
		const cJSON *r = call(f, id_a, "Wallet/set", args);
		const cJSON *se = not_updated(r, wa);
		assert_string_equal(sget(se, "type"), bad[i].type);
		if (!strstr(sget(se, "description"), bad[i].says))
			fail_msg("case %zu: '%s' lacks '%s'", i, sget(se, "description"),
			         bad[i].says);
		assert_string_equal(sget(rargs(r), "oldState"), sget(rargs(r), "newState"));
	}
	/* Another's wallet is as unknown as none; creating or destroying one is forbidden. */
	snprintf(args, sizeof args,
	         "{\"update\":{\"%s\":{\"withdraw\":{\"amount\":100,\"currency\":\"USD\"}}}}", wb);
	const cJSON *r = call(f, id_a, "Wallet/set", args);
	assert_string_equal(sget(not_updated(r, wb), "type"), "notFound");
	r = call(f, id_a, "Wallet/set", "{\"create\":{\"x\":{}},\"destroy\":[\"W1\"]}");
	assert_string_equal(sget(cJSON_GetObjectItemCaseSensitive(
	                             cJSON_GetObjectItemCaseSensitive(rargs(r), "notCreated"), "x"),
	                         "type"),
	                    "forbidden");
	assert_string_equal(
	    sget(cJSON_GetObjectItemCaseSensitive(
	             cJSON_GetObjectItemCaseSensitive(rargs(r), "notDestroyed"), "W1"),
	         "type"),
	    "forbidden");
	{ /* unsigned: the whole request is refused (401), nothing runs */
		struct kbuf b = KBUF_INIT, out = KBUF_INIT, methods = KBUF_INIT;
		kbuf_printf(&b, "{\"using\":[],\"methodCalls\":[[\"Wallet/set\",%s,\"c0\"]]}",
		            args);
		struct api_caller anon = {NULL, "127.0.0.1"};
		assert_int_equal(api_handle(&f->n, &anon, b.data, b.len, &out, &methods), 401);
		kbuf_free(&b);
		kbuf_free(&out);
		kbuf_free(&methods);
	}
	snprintf(args, sizeof args,
	         "{\"ifInState\":\"999\",\"update\":{\"%s\":{\"withdraw\":{\"amount\":100,"
	         "\"currency\":\"USD\"}}}}",
	         wa);
	r = call(f, id_a, "Wallet/set", args);
	assert_string_equal(sget(rargs(r), "type"), "stateMismatch");

	assert_int_equal(balance(f, id_a, "USD"), 5000);
	assert_int_equal(balance(f, id_b, "USD"), 5000);
	assert_int_equal(payouts(f, NULL), 0);
	struct kerr e = {0, ""};
	must(nledger_check(f->n.store, &e), &e);
}

/* An order of A's (buyer) from B (seller), its escrow funded as order.c funds it. */
static void fund_order(struct fx *f, const char *order, int64_t amount)
{
	struct kerr e = {0, ""};
	char oj[1024];
	snprintf(oj, sizeof oj,
	         "{\"id\":\"%s\",\"contractId\":\"K1\",\"buyerId\":\"%s\",\"sellerId\":\"%s\","
	         "\"state\":\"funded\",\"currency\":\"USD\",\"total\":%lld,"
	         "\"created\":\"2026-12-01T10:00:00Z\"}",
	         order, id_a, id_b, (long long)amount);
	cJSON *j = cJSON_Parse(oj);
	struct kbuf canon = KBUF_INIT;
	must(canon_write(j, &canon, &e), &e);
	must(nstore_order_put(f->n.store, j, kbuf_str(&canon), &e), &e);
	kbuf_free(&canon);
	cJSON_Delete(j);
	char wallet[NLEDGER_ACCOUNT_MAX + 1], escrow[NLEDGER_ACCOUNT_MAX + 1];
	snprintf(wallet, sizeof wallet, "wallet:%s", id_a);
	snprintf(escrow, sizeof escrow, "escrow:%s", order);
	const struct nentry en[] = {{wallet, "USD", -amount, NULL}, {escrow, "USD", amount, id_a}};
	const struct ntx tx = {"escrow_fund", "order funded", order, en, 2};
	must(nledger_post(f->n.store, &tx, NULL, NULL, &e), &e);
}

static void test_escrow_shows_for_buyer_and_seller_and_moves_the_sellers_state(void **state)
{
	struct fx *f = *state;
	deposit(f, id_a, 900000, "USD", "p1");
	const cJSON *r = call(f, id_b, "Wallet/changes", "{\"sinceState\":\"0\"}");
	assert_string_equal(sget(rargs(r), "newState"), "0");
	fund_order(f, "Oorder1", 552000);

	r = call(f, id_a, "Wallet/get", "{}");
	const cJSON *w = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rargs(r), "list"), 0);
	const cJSON *x = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(w, "escrow"), 0);
	assert_non_null(x);
	assert_string_equal(sget(x, "orderId"), "Oorder1");
	assert_string_equal(sget(x, "role"), "buyer");
	assert_int_equal((int64_t)cJSON_GetObjectItemCaseSensitive(x, "amount")->valuedouble,
	                 552000);
	assert_int_equal((int64_t)cJSON_GetObjectItemCaseSensitive(
	                     cJSON_GetObjectItemCaseSensitive(w, "held"), "USD")
	                     ->valuedouble,
	                 552000);
	const cJSON *l0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(w, "history"), 0);
	assert_string_equal(sget(l0, "orderId"), "Oorder1"); /* the escrow's other side */

	/* The seller's wallet moved too: the escrow of her order. */
	r = call(f, id_b, "Wallet/changes", "{\"sinceState\":\"0\"}");
	assert_string_not_equal(sget(rargs(r), "newState"), "0");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rargs(r), "updated")),
	                 1);
	r = call(f, id_b, "Wallet/get", "{}");
	w = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rargs(r), "list"), 0);
	x = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(w, "escrow"), 0);
	assert_string_equal(sget(x, "role"), "seller");
	assert_int_equal((int64_t)cJSON_GetObjectItemCaseSensitive(x, "amount")->valuedouble,
	                 552000);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(w, "balances")), 0);
	struct kerr e = {0, ""};
	must(model_validate("Wallet", w, &e), &e);
}

/* The budget of a sync with nothing new leaves maxChanges out: the node's default must be
 * what one chained get takes, and the session must say so. */
static void test_changes_without_max_changes_stop_at_one_gets_worth(void **state)
{
	struct fx *f = *state;
	f->n.limits.max_objects_in_get = 2;
	struct kkeypair k3;
	char id3[KCRYPTO_ID_LEN + 1];
	kcrypto_keypair_new(&k3);
	kcrypto_account_id(k3.pk, id3);
	put_account(f->n.store, id3, "Third Trading");
	const cJSON *r = call(f, NULL, "Account/changes", "{\"sinceState\":\"0\"}");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rargs(r), "created")),
	                 2);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rargs(r), "hasMoreChanges")));
	r = call(f, NULL, "Account/changes", "{\"sinceState\":\"0\",\"maxChanges\":10}");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rargs(r), "created")),
	                 3);
	struct kbuf b = KBUF_INIT;
	api_session(&f->n, "https://127.0.0.1:1", &b);
	cJSON *sess = cJSON_Parse(kbuf_str(&b));
	const cJSON *trade = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(sess, "capabilities"), "urn:kontor:trade");
	assert_int_equal(
	    (int)cJSON_GetObjectItemCaseSensitive(trade, "defaultMaxChanges")->valuedouble, 2);
	assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(trade, "maxChanges")->valuedouble,
	                 (int)f->n.limits.max_changes);
	cJSON_Delete(sess);
	kbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_wallet_changes_follow_the_callers_own_ledger_only,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_withdraw_pays_out_through_the_ledger, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_withdraw_refusals_change_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_escrow_shows_for_buyer_and_seller_and_moves_the_sellers_state, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(test_changes_without_max_changes_stop_at_one_gets_worth,
	                                    setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
