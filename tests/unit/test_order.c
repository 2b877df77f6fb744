/* test_order — the node's orders (order.c, DESIGN §6), the first states: the transition
 * table (every event kind from every state, in every role), and against a temporary
 * database the Order rows (private to buyer and seller, Order/query by state) and the
 * money of each step (test_dispute.c has disputes, rulings and auto-release): funding refused with
 * too little in the wallet, wallet -> escrow on funded, escrow -> the seller on confirmed, the
 * ledger checking out after each. Needs Debian's iso-codes. */
#include "kontor/canon.h"
#include "trade_fx.h"

static char buyer[KCRYPTO_ID_LEN + 1], seller[KCRYPTO_ID_LEN + 1], other[KCRYPTO_ID_LEN + 1];
static const char *const order_id = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
static const char *const contract_id = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

static int group_setup(void **state)
{
	struct kerr e = {0, ""};
	if (kcrypto_init(&e) != K_OK || codes_load(&e) != K_OK) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	struct kkeypair a, b, c;
	kcrypto_keypair_new(&a);
	kcrypto_keypair_new(&b);
	kcrypto_keypair_new(&c);
	kcrypto_account_id(a.pk, buyer);
	kcrypto_account_id(b.pk, seller);
	kcrypto_account_id(c.pk, other);
	/* fx_setup registers trade_fx.h's own parties on the node: they need ids */
	seeded(&buyer_kp, 31, buyer_id);
	seeded(&seller_kp, 32, seller_id);
	seeded(&other_kp, 34, other_id);
	return 0;
}

/* ---------------------------------------------------------------- the transition table */

static const char *const all_states[] = {"awaiting_payment", "funded",    "shipped",  "delivered",
                                         "completed",        "cancelled", "disputed", "resolved"};
static const char *const all_kinds[] = {"funded",   "shipped", "delivered", "confirmed", "released",
                                        "disputed", "ruling",  "refunded",  "cancelled"};

/* The only allowed (state, kind, role) -> next. */
static const char *allowed(const char *state, const char *kind, const char *role)
{
	int b = strcmp(role, "buyer") == 0, s = strcmp(role, "seller") == 0;
	if (strcmp(kind, "funded") == 0 && b && strcmp(state, "awaiting_payment") == 0)
		return "funded";
	if (strcmp(kind, "shipped") == 0 && s && strcmp(state, "funded") == 0)
		return "shipped";
	if (strcmp(kind, "delivered") == 0 && (b || s) && strcmp(state, "shipped") == 0)
		return "delivered";
	if (strcmp(kind, "confirmed") == 0 && b &&
	    (strcmp(state, "shipped") == 0 || strcmp(state, "delivered") == 0))
		return "completed";
	if (strcmp(kind, "cancelled") == 0 && (b || s) && strcmp(state, "awaiting_payment") == 0)
		return "cancelled";
	if (strcmp(kind, "disputed") == 0 && (b || s) &&
	    (strcmp(state, "funded") == 0 || strcmp(state, "shipped") == 0 ||
	     strcmp(state, "delivered") == 0))
		return "disputed";
	return NULL;
}

static void test_every_transition(void **state)
{
	(void)state;
	static const char *const roles[] = {"buyer", "seller", "escrow"};
	int ok = 0, refused = 0;
	for (size_t i = 0; i < sizeof all_states / sizeof all_states[0]; i++)
		for (size_t k = 0; k < sizeof all_kinds / sizeof all_kinds[0]; k++)
			for (size_t r = 0; r < 3; r++) {
				const char *next = (const char *)1;
				struct kerr e = {0, ""};
				int rc =
				    norder_next(all_states[i], all_kinds[k], roles[r], &next, &e);
				const char *want = allowed(all_states[i], all_kinds[k], roles[r]);
				if (want) {
					assert_int_equal(rc, K_OK);
					assert_string_equal(next, want);
					ok++;
				} else {
					assert_int_not_equal(rc, K_OK);
					assert_null(next);
					assert_true(e.msg[0] != '\0');
					refused++;
				}
			}
	/* pay, ship, deliver x2 roles, confirm x2 states, cancel x2 roles, dispute x3 states
	 * x2 roles */
	assert_int_equal(ok, 14);
	assert_true(refused > 100);
}

static void test_refusals_name_the_state(void **state)
{
	(void)state;
	const char *next;
	struct kerr e = {0, ""};
	assert_int_equal(norder_next("awaiting_payment", "shipped", "seller", &next, &e),
	                 K_ECONFLICT);
	assert_string_equal(e.msg, "order is awaiting_payment: ship needs funded");
	assert_int_equal(norder_next("completed", "confirmed", "buyer", &next, &e), K_ECONFLICT);
	assert_string_equal(e.msg, "order is completed: confirm needs shipped or delivered");
	assert_int_equal(norder_next("funded", "funded", "buyer", &next, &e), K_ECONFLICT);
	assert_string_equal(e.msg, "order is funded: pay needs awaiting_payment");
	assert_int_equal(norder_next("funded", "cancelled", "buyer", &next, &e), K_ECONFLICT);
	assert_non_null(strstr(e.msg, "order is funded: cancel needs awaiting_payment"));
	assert_int_equal(norder_next("completed", "disputed", "buyer", &next, &e), K_ECONFLICT);
	assert_string_equal(e.msg,
	                    "order is completed: dispute needs funded, shipped or delivered");
	assert_int_equal(norder_next("disputed", "confirmed", "buyer", &next, &e), K_ECONFLICT);
	assert_string_equal(e.msg, "order is disputed: confirm needs shipped or delivered");
	assert_int_equal(norder_next("shipped", "disputed", "escrow", &next, &e), K_EPERM);
	/* The wrong party: forbidden, whatever the state. */
	assert_int_equal(norder_next("awaiting_payment", "funded", "seller", &next, &e), K_EPERM);
	assert_int_equal(norder_next("funded", "shipped", "buyer", &next, &e), K_EPERM);
	assert_int_equal(norder_next("shipped", "confirmed", "seller", &next, &e), K_EPERM);
	assert_int_equal(norder_next("shipped", "released", "buyer", &next, &e), K_EPERM);
	assert_int_equal(norder_next("funded", "offer", "buyer", &next, &e), K_EINVAL);
}

/* ---------------------------------------------------------------- with a database */

static int setup(void **state)
{
	return fx_setup(state, "order");
}

static void put_order(struct nstore *s, const char *st)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", order_id);
	cJSON_AddStringToObject(o, "contractId", contract_id);
	cJSON_AddStringToObject(o, "buyerId", buyer);
	cJSON_AddStringToObject(o, "sellerId", seller);
	cJSON_AddStringToObject(o, "state", st);
	cJSON_AddStringToObject(o, "currency", "EUR");
	json_add_int(o, "total", 10000);
	json_add_int(o, "escrow", 0);
	json_add_int(o, "autoReleaseDays", 14);
	cJSON_AddStringToObject(o, "created", "2026-11-01T10:00:00Z");
	struct kerr e = {0, ""};
	must(model_validate("Order", o, &e), &e);
	struct kbuf canon = KBUF_INIT;
	must(canon_write(o, &canon, &e), &e);
	must(nstore_order_put(s, o, kbuf_str(&canon), &e), &e);
	kbuf_free(&canon);
	cJSON_Delete(o);
}

static int64_t count_query(struct nstore *s, const char *viewer, const char *st)
{
	struct nquery q;
	memset(&q, 0, sizeof q);
	q.viewer = viewer;
	q.vals[0].text = st; /* Order's filters: state, contractId, peer */
	q.page.limit = 10;
	q.page.calc_total = 1;
	struct nids r;
	struct kerr e = {0, ""};
	must(nstore_query(s, NT_ORDER, &q, &r, &e), &e);
	int64_t n = r.total;
	nids_free(&r);
	return n;
}

static void test_orders_are_private_and_queried_by_state(void **state)
{
	struct fx *f = *state;
	put_order(f->n.store, "awaiting_payment");
	struct nobj o = {KBUF_INIT, "", ""};
	struct kerr e = {0, ""};
	must(nstore_get(f->n.store, NT_ORDER, order_id, &o, &e), &e);
	assert_string_equal(o.owner, buyer);
	assert_string_equal(o.other, seller);
	nobj_free(&o);
	assert_int_equal(nstore_type_private(NT_ORDER), 1);
	assert_string_equal(nstore_type_name(NT_ORDER), "Order");
	assert_int_equal(count_query(f->n.store, buyer, NULL), 1);
	assert_int_equal(count_query(f->n.store, seller, "awaiting_payment"), 1);
	assert_int_equal(count_query(f->n.store, seller, "funded"), 0);
	assert_int_equal(count_query(f->n.store, other, NULL), 0);
	/* The change log has a row for each party and none for anyone else. */
	struct nchange *ch = NULL;
	size_t n = 0;
	int more = 0;
	int64_t ns = 0;
	must(nstore_changes(f->n.store, NT_ORDER, seller, 0, 10, &ch, &n, &more, &ns, &e), &e);
	assert_int_equal(n, 1);
	free(ch);
	ch = NULL;
	must(nstore_changes(f->n.store, NT_ORDER, other, 0, 10, &ch, &n, &more, &ns, &e), &e);
	assert_int_equal(n, 0);
	free(ch);
}

static cJSON *section(const char *kind, const char *role, const char *hash)
{
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "kind", kind);
	cJSON_AddStringToObject(s, "hash", hash);
	cJSON *sigs = cJSON_AddArrayToObject(s, "signatures");
	cJSON *sig = cJSON_CreateObject();
	cJSON_AddStringToObject(sig, "role", role);
	cJSON_AddItemToArray(sigs, sig);
	return s;
}

static int64_t eur_balance(struct nstore *s, const char *kind, const char *who)
{
	char acc[NLEDGER_ACCOUNT_MAX + 1];
	snprintf(acc, sizeof acc, "%s:%s", kind, who);
	int64_t v = -1;
	struct kerr e = {0, ""};
	must(nledger_balance(s, acc, "EUR", &v, &e), &e);
	return v;
}

static const char *stored_state(struct fx *f, struct api_ctx *c)
{
	static char st[32];
	struct nobj o = {KBUF_INIT, "", ""};
	cJSON *j = api_load(c, NT_ORDER, order_id, &o);
	nobj_free(&o);
	snprintf(st, sizeof st, "%s", j && api_str(j, "state") ? api_str(j, "state") : "?");
	cJSON_Delete(j);
	(void)f;
	return st;
}

static void test_fund_ship_confirm_moves_the_money(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	put_order(f->n.store, "awaiting_payment");
	struct api_ctx c = {&f->n, f->n.store, buyer, NULL};
	struct api_seterr se;
	const char *h1 = "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";
	const char *h2 = "DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD";
	const char *h3 = "EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE";

	/* 40.00 in the wallet: paying 100.00 is refused, nothing moves. */
	char wallet[NLEDGER_ACCOUNT_MAX + 1];
	snprintf(wallet, sizeof wallet, "wallet:%s", buyer);
	struct nentry dep[2] = {{"provider:sim", "EUR", -4000, NULL}, {wallet, "EUR", 4000, NULL}};
	struct ntx tx = {"deposit", NULL, "psp-a", dep, 2};
	must(nledger_post(f->n.store, &tx, NULL, NULL, &e), &e);
	cJSON *fund = section("funded", "buyer", h1);
	memset(&se, 0, sizeof se);
	assert_int_not_equal(norder_event(&c, NULL, order_id, 2, fund, &se), 0);
	assert_string_equal(se.type, "insufficientFunds");
	assert_non_null(strstr(se.desc, "order is awaiting_payment"));
	assert_string_equal(stored_state(f, &c), "awaiting_payment");
	assert_int_equal(eur_balance(f->n.store, "wallet", buyer), 4000);

	/* 110.00: funded, 10.00 left, 100.00 in escrow. */
	dep[0].amount = -7000;
	dep[1].amount = 7000;
	tx.reference = "psp-b";
	must(nledger_post(f->n.store, &tx, NULL, NULL, &e), &e);
	memset(&se, 0, sizeof se);
	assert_int_equal(norder_event(&c, NULL, order_id, 2, fund, &se), 0);
	assert_string_equal(stored_state(f, &c), "funded");
	assert_int_equal(eur_balance(f->n.store, "wallet", buyer), 1000);
	assert_int_equal(eur_balance(f->n.store, "escrow", order_id), 10000);
	must(nledger_check(f->n.store, &e), &e);
	/* Funding again is a state conflict and moves nothing. */
	memset(&se, 0, sizeof se);
	assert_int_not_equal(norder_event(&c, NULL, order_id, 3, fund, &se), 0);
	assert_string_equal(se.type, "stateConflict");
	assert_non_null(strstr(se.desc, "order is funded: pay needs awaiting_payment"));
	cJSON_Delete(fund);

	/* The buyer cannot ship; the seller can. */
	cJSON *ship_b = section("shipped", "buyer", h2), *ship = section("shipped", "seller", h2);
	memset(&se, 0, sizeof se);
	assert_int_not_equal(norder_event(&c, NULL, order_id, 3, ship_b, &se), 0);
	assert_string_equal(se.type, "forbidden");
	memset(&se, 0, sizeof se);
	c.caller = seller;
	assert_int_equal(norder_event(&c, NULL, order_id, 3, ship, &se), 0);
	assert_string_equal(stored_state(f, &c), "shipped");
	cJSON_Delete(ship_b);
	cJSON_Delete(ship);

	/* The buyer confirms: escrow to the seller. */
	cJSON *conf = section("confirmed", "buyer", h3);
	c.caller = buyer;
	memset(&se, 0, sizeof se);
	assert_int_equal(norder_event(&c, NULL, order_id, 4, conf, &se), 0);
	assert_string_equal(stored_state(f, &c), "completed");
	assert_int_equal(eur_balance(f->n.store, "escrow", order_id), 0);
	assert_int_equal(eur_balance(f->n.store, "wallet", seller), 10000);
	assert_int_equal(eur_balance(f->n.store, "wallet", buyer), 1000);
	must(nledger_check(f->n.store, &e), &e);
	memset(&se, 0, sizeof se);
	assert_int_not_equal(norder_event(&c, NULL, order_id, 5, conf, &se), 0);
	assert_string_equal(se.type, "stateConflict");
	assert_non_null(strstr(se.desc, "order is completed"));
	assert_int_equal(eur_balance(f->n.store, "wallet", seller), 10000);
	cJSON_Delete(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_transition),
	    cmocka_unit_test(test_refusals_name_the_state),
	    cmocka_unit_test_setup_teardown(test_orders_are_private_and_queried_by_state, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_fund_ship_confirm_moves_the_money, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
