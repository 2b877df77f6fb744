/* test_dispute — disputes, rulings and auto-release (order.c, DESIGN §6) against a temporary
 * database through api_handle: a real contract binds, is funded, shipped and disputed by
 * signed sections; confirm is then refused naming the state; order_resolve signs a ruling
 * as escrow with the node key (the contract still verifies), splits the escrow with the
 * remainder to the seller in one ledger transaction keyed by the ruling's hash and resolves
 * the order, and refuses an order that is not disputed; order_auto_release releases a
 * delivered order only once its days have passed and never a disputed one. Fixed keys;
 * runs from the repo root (needs Debian's iso-codes). */
#include <time.h>

#include "trade_fx.h"

static int group_setup(void **state)
{
	static const struct price_tier tiers[] = {{100, 1200}};
	return fx_group_setup(21, tiers, 1);
}

static int setup(void **state)
{
	return fx_setup(state, "dispute");
}

/* An event section signed by kp as role, sent as caller (a dispute gives its reason); the
 * SetError or NULL. */
static const cJSON *step(struct fx *f, const char *kind, const char *role,
                         const struct kkeypair *kp, const char *caller)
{
	cJSON *extra = NULL;
	if (strcmp(kind, "disputed") == 0) {
		extra = cJSON_CreateObject();
		cJSON_AddStringToObject(extra, "reason", "leaks at 10 bar");
	}
	const cJSON *err = step_x(f, kind, role, kp, caller, extra);
	cJSON_Delete(extra);
	return err;
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
