/* test_rules — the rules of a trade (kontor/order.h) against an independent oracle: every
 * state x step x signer set, on one-stage, two-stage (deposit) and delivery-stage terms at
 * each point of their payment; the money each allowed step moves; the refusal sentences
 * that name the state; the stage amounts summing to the total for odd totals in JPY (0
 * decimals), USD (2) and KWD (3) with the last stage taking the remainder; the lists the
 * rest of the code takes from here. The oracle below is written from DESIGN §6, not from
 * order.c's tables. Needs Debian's iso-codes (money formatting). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "kontor/codes.h"
#include "kontor/order.h"

/* ---------------------------------------------------------------- the oracle */

enum { AW, FU, SH, DE, CO, CA, DI, RE, NST };
static const char *const st_name[NST] = {"awaiting_payment", "funded",    "shipped",  "delivered",
                                         "completed",        "cancelled", "disputed", "resolved"};
static const char *const kinds[] = {"funded",   "shipped", "delivered", "confirmed", "released",
                                    "disputed", "ruling",  "refunded",  "cancelled"};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* Terms for the oracle: n stages, each due before shipment (1) or on/after delivery (0). */
struct oterms {
	int n;
	int pre[4];
};

static int in(int s, int a, int b, int c, int d)
{
	return s == a || s == b || s == c || s == d;
}

/* What DESIGN §6 says of section kind signed by roles (bits 1 buyer, 2 seller, 4 escrow)
 * on an order in state with paid stages paid: the next state (>= 0), or -1 for a role
 * that may not sign it, -2 for a state or a payment it does not fit. */
static int oracle(const struct oterms *t, int state, const char *kind, unsigned roles, int paid)
{
	int all = paid == t->n, pre_left = 0;
	for (int i = paid; i < t->n; i++)
		pre_left |= t->pre[i];
	if (!strcmp(kind, "funded")) {
		if (!roles || (roles & ~5u))
			return -1;
		if (all)
			return -2;
		if (t->pre[paid] ? in(state, AW, FU, -1, -1) : in(state, SH, DE, -1, -1))
			return state == AW ? FU : state;
		return -2;
	}
	if (!strcmp(kind, "shipped")) {
		if (roles != 2)
			return -1;
		return in(state, AW, FU, -1, -1) && !pre_left ? SH : -2;
	}
	if (!strcmp(kind, "delivered")) {
		if (!roles || (roles & ~7u))
			return -1;
		return state == SH ? DE : -2;
	}
	if (!strcmp(kind, "confirmed")) {
		if (roles != 1)
			return -1;
		return in(state, SH, DE, -1, -1) && all ? CO : -2;
	}
	if (!strcmp(kind, "released")) {
		if (roles != 4)
			return -1;
		return state == DE && all ? CO : -2;
	}
	if (!strcmp(kind, "disputed")) {
		if (!roles || (roles & ~3u))
			return -1;
		return in(state, FU, SH, DE, -1) ? DI : -2;
	}
	if (!strcmp(kind, "ruling")) {
		if (roles != 4)
			return -1;
		return state == DI ? RE : -2;
	}
	if (!strcmp(kind, "refunded")) {
		if (roles != 4)
			return -1;
		return in(state, FU, SH, DE, DI) ? CA : -2;
	}
	/* cancelled */
	if (!roles || (roles & ~3u))
		return -1;
	if (state == AW)
		return CA;
	return in(state, FU, SH, DE, -1) && roles == 3 ? CA : -2;
}

/* The points of payment an order in state can be at on terms t: how many stages paid. */
static int paid_points(const struct oterms *t, int state, int out[5])
{
	int n = 0;
	for (int p = 0; p <= t->n; p++) {
		int pre_left = 0, any_post_paid = 0;
		for (int i = p; i < t->n; i++)
			pre_left |= t->pre[i];
		for (int i = 0; i < p; i++)
			any_post_paid |= !t->pre[i];
		int ok;
		switch (state) {
		case AW: /* nothing paid yet, or nothing due before shipment at all */
			ok = p == 0;
			break;
		case FU: /* something paid, nothing due after delivery paid yet */
			ok = p >= 1 && !any_post_paid;
			break;
		case SH:
		case DE:
		case DI:
			ok = !pre_left;
			break;
		default: /* settled: any point the contract could have stopped at */
			ok = 1;
			break;
		}
		if (ok)
			out[n++] = p;
	}
	return n;
}

static void make_terms(const struct oterms *o, int64_t total, struct order_terms *t)
{
	static const int64_t pcts[3][4] = {{100}, {30, 70}, {20, 30, 50}};
	memset(t, 0, sizeof *t);
	memcpy(t->currency, "USD", 4);
	t->total = total;
	t->nstages = (size_t)o->n;
	for (int i = 0; i < o->n; i++) {
		t->stages[i].pct = pcts[o->n - 1][i];
		t->stages[i].due =
		    o->pre[i] ? (i == 0 && o->n > 1 && o->pre[1] ? ORDER_DUE_SIGNING
		                                                 : ORDER_DUE_BEFORE_SHIPMENT)
		              : ORDER_DUE_DELIVERY;
	}
}

/* ---------------------------------------------------------------- every state x step x role */

static void test_rules_table_against_the_oracle(void **state)
{
	(void)state;
	static const struct oterms terms[] = {
	    {1, {1}},       /* the default: 100% before shipment */
	    {2, {1, 1}},    /* 30% on signing, 70% before shipment (--deposit-pct 30) */
	    {2, {1, 0}},    /* 30% before shipment, 70% on delivery */
	    {3, {1, 1, 0}}, /* 20 / 30 / 50 */
	    {1, {0}},       /* 100% on delivery: ships unpaid */
	};
	static const unsigned role_sets[] = {1, 2, 4, 3, 5, 6, 7};
	int allowed = 0, refused_role = 0, refused_state = 0;
	for (size_t ti = 0; ti < sizeof terms / sizeof terms[0]; ti++) {
		struct order_terms t;
		make_terms(&terms[ti], 100001, &t);
		assert_int_equal(order_stages_check(t.stages, t.nstages, NULL), K_OK);
		for (int s = 0; s < NST; s++) {
			int points[5], np = paid_points(&terms[ti], s, points);
			for (int pi = 0; pi < np; pi++)
				for (size_t k = 0; k < NKINDS; k++)
					for (size_t r = 0;
					     r < sizeof role_sets / sizeof role_sets[0]; r++) {
						int paid = points[pi];
						struct order_progress p, before;
						order_progress_start(&p);
						p.state = (enum order_state)s;
						p.stages_paid = (size_t)paid;
						for (int i = 0; i < paid; i++)
							p.paid += order_stage_amount(&t, (size_t)i);
						p.escrow = p.paid;
						before = p;
						struct order_act a;
						int step = order_step_parse(kinds[k]);
						assert_true(step >= 0);
						order_act_for(&t, &p, step, role_sets[r], &a);
						struct kerr e = {0, ""};
						int rc = order_next(&t, &p, &a, NULL, &e);
						int want = oracle(&terms[ti], s, kinds[k],
						                  role_sets[r], paid);
						if (want >= 0) {
							if (rc != K_OK)
								fail_msg(
								    "%s by %u from %s (%d paid): "
								    "refused: %s",
								    kinds[k], role_sets[r],
								    st_name[s], paid, e.msg);
							assert_string_equal(
							    order_state_name((int)p.state),
							    st_name[want]);
							allowed++;
						} else {
							if (rc == K_OK)
								fail_msg(
								    "%s by %u from %s (%d paid): "
								    "allowed",
								    kinds[k], role_sets[r],
								    st_name[s], paid);
							assert_int_equal(
							    rc, want == -1 ? K_EPERM : K_ECONFLICT);
							assert_true(e.msg[0] != '\0');
							/* a refusal changes nothing */
							assert_memory_equal(&p, &before, sizeof p);
							if (want == -2)
								assert_non_null(
								    strstr(e.msg, st_name[s]));
							want == -1 ? refused_role++
							           : refused_state++;
						}
					}
		}
	}
	assert_true(allowed > 100);
	assert_true(refused_role > 500);
	assert_true(refused_state > 300);
}

/* What a party may do now is what the transition allows it (cancel after funding: its half
 * of the cancellation both sign). */
static void test_steps_for_agrees_with_the_transition(void **state)
{
	(void)state;
	struct oterms o = {2, {1, 1}};
	struct order_terms t;
	make_terms(&o, 6000, &t);
	for (int s = 0; s < NST; s++)
		for (int paid = 0; paid <= 2; paid++)
			for (unsigned role = 1; role <= 4; role <<= 1) {
				struct order_progress p;
				order_progress_start(&p);
				p.state = (enum order_state)s;
				p.stages_paid = (size_t)paid;
				unsigned got = order_steps_for(&t, &p, role), want = 0;
				for (size_t k = 0; k < NKINDS; k++) {
					int ok = oracle(&o, s, kinds[k], role, paid) >= 0 ||
					         (!strcmp(kinds[k], "cancelled") && role != 4 &&
					          in(s, FU, SH, DE, -1));
					if (ok)
						want |= 1u << order_step_parse(kinds[k]);
				}
				assert_int_equal(got, want);
				/* and a refusal in words for every step that is not */
				for (int step = 0; step < ORDER_NSTEPS; step++) {
					char buf[200];
					const char *w = order_refusal_words(&t, &p, step, role, buf,
					                                    sizeof buf);
					assert_true((w == NULL) == !!(got & (1u << step)));
				}
			}
}

/* ---------------------------------------------------------------- money */

static void test_the_money_each_step_moves(void **state)
{
	(void)state;
	struct oterms o = {2, {1, 1}};
	struct order_terms t;
	make_terms(&o, 100001, &t); /* 1000.01 USD: 30% = 300.00, 70% = 700.01 */
	struct order_progress p;
	struct order_effect fx;
	struct order_act a;
	struct kerr e = {0, ""};
	order_progress_start(&p);
	order_act_for(&t, &p, ORDER_PAY, ORDER_BUYER, &a);
	assert_int_equal(a.amount, 30000);
	assert_int_equal(a.stage, 1);
	assert_int_equal(order_due_now(&t, &p), 30000);
	assert_int_equal(order_remaining(&t, &p), 100001);
	/* more, or less, than the stage: refused naming the amount */
	a.amount = 30001;
	assert_int_equal(order_next(&t, &p, &a, &fx, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "amount: 300.01 USD is not what the terms ask for"));
	a.amount = 30000;
	a.stage = 2;
	assert_int_equal(order_next(&t, &p, &a, &fx, &e), K_EINVAL);
	a.stage = 1;
	assert_int_equal(order_next(&t, &p, &a, &fx, &e), K_OK);
	assert_int_equal(fx.money, ORDER_MONEY_FUND);
	assert_int_equal(fx.amount, 30000);
	assert_int_equal(p.state, ORDER_FUNDED);
	assert_int_equal(p.escrow, 30000);
	/* the ship refusal names the stage and its amount, word for word */
	assert_int_equal(order_may(&t, &p, ORDER_SHIP, ORDER_SELLER, &e), K_ECONFLICT);
	assert_string_equal(e.msg, "order is funded: ship needs every stage due before shipment "
	                           "paid (stage 2 of 2, 70% before shipment, 700.01 USD, is not)");
	/* a cancel now refunds exactly the deposit */
	struct order_progress q = p;
	order_act_for(&t, &q, ORDER_CANCEL, ORDER_BUYER | ORDER_SELLER, &a);
	assert_int_equal(order_next(&t, &q, &a, &fx, &e), K_OK);
	assert_int_equal(fx.money, ORDER_MONEY_REFUND);
	assert_int_equal(fx.amount, 30000);
	assert_int_equal(q.escrow, 0);
	/* the second stage, shipping, a ruling splitting the whole */
	order_act_for(&t, &p, ORDER_PAY, ORDER_BUYER, &a);
	assert_int_equal(a.amount, 70001);
	assert_int_equal(order_next(&t, &p, &a, &fx, &e), K_OK);
	assert_int_equal(p.escrow, 100001);
	assert_int_equal(order_remaining(&t, &p), 0);
	order_act_for(&t, &p, ORDER_SHIP, ORDER_SELLER, &a);
	assert_int_equal(order_next(&t, &p, &a, &fx, &e), K_OK);
	order_act_for(&t, &p, ORDER_DISPUTE, ORDER_BUYER, &a);
	assert_int_equal(order_next(&t, &p, &a, &fx, &e), K_OK);
	a = (struct order_act){ORDER_RULE, ORDER_ESCROW, -1, 0, 33333, 66667};
	assert_int_equal(order_next(&t, &p, &a, &fx, &e), K_EINVAL); /* 1 short */
	assert_non_null(strstr(e.msg, "is not the 1,000.01 USD escrow holds"));
	a.to_seller = 66668;
	assert_int_equal(order_next(&t, &p, &a, &fx, &e), K_OK);
	assert_int_equal(fx.money, ORDER_MONEY_SPLIT);
	assert_int_equal(fx.to_buyer + fx.to_seller, 100001);
	assert_int_equal(p.escrow, 0);
	assert_int_equal(p.state, ORDER_RESOLVED);
	/* a section without an amount (documents before stages) pays all that is left */
	order_progress_start(&p);
	a = (struct order_act){ORDER_PAY, ORDER_BUYER, -1, 0, -1, -1};
	assert_int_equal(order_next(&t, &p, &a, &fx, &e), K_OK);
	assert_int_equal(fx.amount, 100001);
	assert_int_equal(p.stages_paid, 2);
}

/* Each stage but the last is its share rounded down to the minor unit; the last takes what
 * is left; they sum to the total, for odd totals in 0-, 2- and 3-decimal currencies. */
static void test_stage_amounts_sum_to_odd_totals(void **state)
{
	(void)state;
	static const struct {
		const char *cur;
		int64_t total;
	} totals[] = {
	    {"JPY", 1}, {"JPY", 7},   {"JPY", 100001}, {"JPY", 999999999},
	    {"USD", 1}, {"USD", 99},  {"USD", 100001}, {"USD", 123456789},
	    {"KWD", 1}, {"KWD", 333}, {"KWD", 100001}, {"KWD", 9007199254740991LL},
	};
	static const int64_t splits[][4] = {
	    {30, 70}, {33, 33, 34}, {1, 99}, {99, 1}, {10, 20, 30, 40}, {100},
	};
	static const size_t nsplit[] = {2, 3, 2, 2, 4, 1};
	for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++)
		for (size_t s = 0; s < sizeof nsplit / sizeof nsplit[0]; s++) {
			struct order_terms t;
			memset(&t, 0, sizeof t);
			memcpy(t.currency, totals[i].cur, 4);
			t.total = totals[i].total;
			t.nstages = nsplit[s];
			int64_t sum = 0, want_last = t.total;
			for (size_t k = 0; k < t.nstages; k++) {
				t.stages[k].pct = splits[s][k];
				t.stages[k].due = k == 0 ? ORDER_DUE_SIGNING : ORDER_DUE_DELIVERY;
				if (k == 1)
					t.stages[k].due = ORDER_DUE_BEFORE_SHIPMENT;
				if (k >= 2) {
					t.stages[k].due = ORDER_DUE_AFTER_DELIVERY;
					t.stages[k].days = (int64_t)k * 10;
				}
			}
			assert_int_equal(order_stages_check(t.stages, t.nstages, NULL), K_OK);
			for (size_t k = 0; k < t.nstages; k++) {
				int64_t amt = order_stage_amount(&t, k);
				/* the rule, computed here: floor for all but the last */
				if (k + 1 < t.nstages) {
					int64_t want = t.total / 100 * splits[s][k] +
					               t.total % 100 * splits[s][k] / 100;
					assert_int_equal(amt, want);
					want_last -= amt;
				} else {
					assert_int_equal(amt, want_last);
				}
				assert_true(amt >= 0);
				sum += amt;
			}
			assert_int_equal(sum, t.total);
		}
	/* the stage in words carries the amount as money_format writes it */
	struct order_terms t;
	memset(&t, 0, sizeof t);
	memcpy(t.currency, "KWD", 4);
	t.total = 100001; /* 100.001 KWD */
	order_stages_deposit(30, t.stages, &t.nstages);
	char w[ORDER_WORDS_LEN];
	order_stage_words(&t, 0, w);
	assert_string_equal(w, "stage 1 of 2, 30% on signing, 30.000 KWD");
	order_stage_words(&t, 1, w);
	assert_string_equal(w, "stage 2 of 2, 70% before shipment, 70.001 KWD");
	memcpy(t.currency, "JPY", 4);
	t.total = 1001;
	order_stage_words(&t, 1, w);
	assert_string_equal(w, "stage 2 of 2, 70% before shipment, 701 JPY");
}

/* ---------------------------------------------------------------- stages, names, lists */

static void test_stages_parse_check_and_deposit(void **state)
{
	(void)state;
	struct order_stage st[ORDER_MAX_STAGES];
	size_t n = 0;
	struct kerr e = {0, ""};
	assert_int_equal(order_stages_parse(
	                     "30:signing,50:before_shipment,20:days_after_delivery:30", st, &n, &e),
	                 K_OK);
	assert_int_equal(n, 3);
	assert_int_equal(st[2].due, ORDER_DUE_AFTER_DELIVERY);
	assert_int_equal(st[2].days, 30);
	assert_int_equal(order_stages_check(st, n, &e), K_OK);
	char buf[ORDER_DUE_LEN];
	order_due_format(&st[2], buf);
	assert_string_equal(buf, "days_after_delivery:30");
	order_due_words(&st[2], buf);
	assert_string_equal(buf, "30 days after delivery");

	assert_int_equal(order_stages_parse("30:signing,60:delivery", st, &n, &e), K_OK);
	assert_int_equal(order_stages_check(st, n, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "sum to 90, not 100"));
	assert_int_equal(order_stages_parse("50:delivery,50:signing", st, &n, &e), K_OK);
	assert_int_equal(order_stages_check(st, n, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "payment.stages[1].due: signing cannot follow delivery"));
	assert_int_equal(order_stages_parse("50:signing,50:signing", st, &n, &e), K_OK);
	assert_int_equal(order_stages_check(st, n, &e), K_EINVAL);
	assert_int_equal(order_stages_parse("0:signing,100:delivery", st, &n, &e), K_OK);
	assert_int_equal(order_stages_check(st, n, &e), K_EINVAL);
	assert_int_equal(order_stages_parse("30:tomorrow", st, &n, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "'tomorrow' is not one of signing"));
	assert_int_equal(order_stages_parse("30:days_after_delivery:0,70:delivery", st, &n, &e),
	                 K_EINVAL);
	assert_int_equal(order_stages_parse("30:days_after_delivery:366", st, &n, &e), K_EINVAL);
	assert_int_equal(order_stages_parse("x:signing", st, &n, &e), K_EINVAL);
	assert_int_equal(order_stages_parse("30:signing,", st, &n, &e), K_EINVAL);
	assert_int_equal(order_stages_parse("", st, &n, &e), K_EINVAL);
	assert_int_equal(
	    order_stages_parse("1:signing,1:before_shipment,1:delivery,1:days_after_delivery:1,"
	                       "1:days_after_delivery:2,1:days_after_delivery:3,"
	                       "1:days_after_delivery:4,1:days_after_delivery:5,"
	                       "92:days_after_delivery:6",
	                       st, &n, &e),
	    K_EINVAL); /* nine stages */

	/* --deposit-pct: N% on signing and the rest before shipment; 0 and 100 one stage */
	order_stages_deposit(30, st, &n);
	assert_int_equal(n, 2);
	assert_int_equal(st[0].due, ORDER_DUE_SIGNING);
	assert_int_equal(st[0].pct, 30);
	assert_int_equal(st[1].due, ORDER_DUE_BEFORE_SHIPMENT);
	assert_int_equal(st[1].pct, 70);
	assert_int_equal(order_stages_deposit_pct(st, n), 30);
	order_stages_deposit(100, st, &n);
	assert_int_equal(n, 1);
	assert_int_equal(st[0].due, ORDER_DUE_BEFORE_SHIPMENT);
	assert_int_equal(order_stages_deposit_pct(st, n), 100);
	order_stages_deposit(0, st, &n);
	assert_int_equal(n, 1);
	assert_int_equal(order_stages_parse("50:before_shipment,50:delivery", st, &n, &e), K_OK);
	assert_int_equal(order_stages_deposit_pct(st, n), -1);
}

static void test_names_lists_and_state_flags(void **state)
{
	(void)state;
	for (int s = 0; s < NST; s++) {
		assert_string_equal(order_state_names[s], st_name[s]);
		assert_int_equal(order_state_parse(st_name[s]), s);
	}
	assert_null(order_state_names[ORDER_NSTATES]);
	assert_int_equal(order_state_parse("paid"), -1);
	assert_string_equal(order_state_words(ORDER_AWAITING_PAYMENT), "awaiting payment");
	/* open orders sort first */
	assert_true(order_state_rank(ORDER_AWAITING_PAYMENT) < order_state_rank(ORDER_DISPUTED));
	assert_true(order_state_rank(ORDER_DISPUTED) < order_state_rank(ORDER_COMPLETED));
	assert_true(order_state_rank(ORDER_COMPLETED) < order_state_rank(ORDER_CANCELLED));
	/* the section kinds: the offer, then each step's */
	assert_string_equal(order_section_kinds[0], "offer");
	for (int k = 0; k < ORDER_NSTEPS; k++)
		assert_string_equal(order_section_kinds[k + 1], order_step_kind(k));
	assert_null(order_section_kinds[ORDER_NSTEPS + 1]);
	for (size_t k = 0; k < NKINDS; k++)
		assert_true(order_step_parse(kinds[k]) >= 0);
	assert_int_equal(order_step_parse("offer"), -1);
	static const char *const modes[] = {"sea", "air", "road", "rail", "courier"};
	for (int i = 0; i < 5; i++) {
		assert_string_equal(order_ship_modes[i], modes[i]);
		assert_true(order_mode_valid(modes[i]));
	}
	assert_null(order_ship_modes[5]);
	assert_false(order_mode_valid("ship"));
	assert_false(order_mode_valid(NULL));
	/* shipment events, ratings, and the DLVD that delivers */
	assert_true(order_state_takes_events(ORDER_SHIPPED));
	assert_true(order_state_takes_events(ORDER_DISPUTED));
	assert_false(order_state_takes_events(ORDER_FUNDED));
	assert_true(order_state_rateable(ORDER_RESOLVED));
	assert_false(order_state_rateable(ORDER_DELIVERED));
	/* final: by the oracle no section, signed by anyone, at any payment, leaves it */
	static const struct oterms some[] = {{1, {1}}, {2, {1, 1}}, {2, {1, 0}}, {1, {0}}};
	for (int st = 0; st < NST; st++) {
		int leaves = 0;
		for (size_t t = 0; t < sizeof some / sizeof some[0]; t++)
			for (size_t k = 0; k < NKINDS; k++)
				for (unsigned r = 1; r <= 7; r++)
					for (int p = 0; p <= some[t].n; p++)
						leaves |= oracle(&some[t], st, kinds[k], r, p) >= 0;
		assert_int_equal(order_state_final(st), !leaves);
	}
	assert_true(order_state_final(ORDER_COMPLETED));
	assert_true(order_state_final(ORDER_RESOLVED));
	assert_true(order_state_final(ORDER_CANCELLED));
	assert_false(order_state_final(ORDER_DISPUTED));
	assert_false(order_state_final(-1));
	assert_true(order_event_delivers(ORDER_SHIPPED, "DLVD", "ACT"));
	assert_false(order_event_delivers(ORDER_SHIPPED, "DLVD", "EST"));
	assert_false(order_event_delivers(ORDER_DELIVERED, "DLVD", "ACT"));
	assert_false(order_event_delivers(ORDER_SHIPPED, "ARRI", "ACT"));
	assert_int_equal(order_role_bit("buyer"), ORDER_BUYER);
	assert_int_equal(order_role_bit("carrier"), 0);
}

/* The sentences the node, the CLI and the TUI show come from here and name the state. */
static void test_refusals_in_words(void **state)
{
	(void)state;
	struct order_terms t;
	struct order_progress p;
	char buf[200];
	struct kerr e = {0, ""};
	order_assume(ORDER_AWAITING_PAYMENT, "USD", 120000, &t, &p);
	assert_int_equal(order_may(&t, &p, ORDER_SHIP, ORDER_SELLER, &e), K_ECONFLICT);
	assert_string_equal(e.msg, "order is awaiting_payment: ship needs funded");
	assert_string_equal(order_refusal_words(&t, &p, ORDER_SHIP, ORDER_BUYER, buf, sizeof buf),
	                    "only the seller ships an order");
	assert_string_equal(
	    order_refusal_words(&t, &p, ORDER_CONFIRM, ORDER_BUYER, buf, sizeof buf),
	    "receipt is confirmed once the order is shipped or delivered");
	assert_int_equal(order_next_words(&t, &p, ORDER_BUYER, buf, sizeof buf), 1);
	assert_string_equal(buf, "pay");
	assert_int_equal(order_next_words(&t, &p, ORDER_SELLER, buf, sizeof buf), 0);
	assert_string_equal(buf, "wait for payment");
	order_assume(ORDER_FUNDED, "USD", 120000, &t, &p);
	assert_int_equal(order_may(&t, &p, ORDER_PAY, ORDER_BUYER, &e), K_ECONFLICT);
	assert_string_equal(e.msg, "order is funded: pay needs awaiting_payment");
	assert_int_equal(order_may(&t, &p, ORDER_CANCEL, ORDER_BUYER, &e), K_ECONFLICT);
	assert_non_null(strstr(e.msg, "order is funded: cancel needs awaiting_payment (after "
	                              "funding both parties sign"));
	assert_int_equal(order_next_words(&t, &p, ORDER_SELLER, buf, sizeof buf), 1);
	assert_string_equal(buf, "ship");

	/* two stages: the buyer's next move names the stage's share and amount */
	order_progress_start(&p);
	order_stages_deposit(30, t.stages, &t.nstages);
	assert_int_equal(order_next_words(&t, &p, ORDER_BUYER, buf, sizeof buf), 1);
	assert_string_equal(buf, "pay 360.00 USD");
	p.state = ORDER_FUNDED;
	p.stages_paid = 1;
	assert_int_equal(order_next_words(&t, &p, ORDER_SELLER, buf, sizeof buf), 0);
	assert_string_equal(buf, "wait for payment");
	assert_string_equal(order_refusal_words(&t, &p, ORDER_SHIP, ORDER_SELLER, buf, sizeof buf),
	                    "it ships once stage 2 of 2 is paid (840.00 USD before shipment)");
	/* nothing paid yet: both stages due before shipment are named, not the first alone */
	p.state = ORDER_AWAITING_PAYMENT;
	p.stages_paid = 0;
	assert_string_equal(order_refusal_words(&t, &p, ORDER_SHIP, ORDER_SELLER, buf, sizeof buf),
	                    "it ships once stages 1 and 2 of 2 are paid (360.00 USD on signing, "
	                    "840.00 USD before shipment)");
	p.state = ORDER_FUNDED;
	p.stages_paid = 1;
	/* all paid: one stage says it in the old words; more, that every stage is paid */
	p.stages_paid = 2;
	assert_int_equal(order_may(&t, &p, ORDER_PAY, ORDER_BUYER, &e), K_ECONFLICT);
	assert_string_equal(e.msg,
	                    "order is funded: pay needs a stage still to pay (all 2 stages are "
	                    "paid)");
}

/* A stage due on or after delivery may be paid once the goods are shipped, but it is due,
 * and the buyer is asked to pay it, only once they are delivered: while they travel his
 * next move is to wait for them, as hers is. */
static void test_a_stage_after_delivery_is_not_due_in_transit(void **state)
{
	(void)state;
	struct order_terms t;
	struct order_progress p;
	struct kerr e = {0, ""};
	char buf[200];
	order_assume(ORDER_AWAITING_PAYMENT, "USD", 120000, &t, &p);
	assert_int_equal(
	    order_stages_parse("30:signing,50:before_shipment,20:days_after_delivery:30", t.stages,
	                       &t.nstages, &e),
	    K_OK);
	p.state = ORDER_SHIPPED;
	p.stages_paid = 2;
	p.paid = p.escrow = 96000;
	assert_int_equal(order_due_now(&t, &p), 0);
	assert_int_equal(order_remaining(&t, &p), 24000);
	assert_int_equal(order_next_words(&t, &p, ORDER_BUYER, buf, sizeof buf), 0);
	assert_string_equal(buf, "wait for delivery");
	assert_int_equal(order_next_words(&t, &p, ORDER_SELLER, buf, sizeof buf), 0);
	assert_string_equal(buf, "wait for delivery");
	/* paying early is still his to do */
	assert_int_equal(order_may(&t, &p, ORDER_PAY, ORDER_BUYER, &e), K_OK);
	p.state = ORDER_DELIVERED;
	assert_int_equal(order_due_now(&t, &p), 24000);
	assert_int_equal(order_next_words(&t, &p, ORDER_BUYER, buf, sizeof buf), 1);
	assert_string_equal(buf, "pay 240.00 USD");
	assert_int_equal(order_next_words(&t, &p, ORDER_SELLER, buf, sizeof buf), 0);
	assert_string_equal(buf, "wait for payment");
}

/* A stage N days after delivery falls due N days after the delivered section's time: before
 * then it is "not yet due" with its date (it may be paid early), nothing asks the buyer to pay
 * and his next step is to pay by that date; from then on it is due as any other. */
static void test_a_stage_days_after_delivery_falls_due_on_its_day(void **state)
{
	(void)state;
	struct order_terms t;
	struct order_progress p;
	struct kerr e = {0, ""};
	char buf[200], at[ORDER_TIME_LEN + 1], standing[ORDER_STANDING_LEN];
	order_assume(ORDER_AWAITING_PAYMENT, "USD", 140000, &t, &p);
	assert_int_equal(
	    order_stages_parse("50:signing,50:days_after_delivery:30", t.stages, &t.nstages, &e),
	    K_OK);
	p.state = ORDER_DELIVERED;
	p.stages_paid = 1;
	p.paid = p.escrow = 70000;
	strcpy(p.delivered, "2026-12-06T18:25:00Z");
	assert_int_equal(order_stage_due_at(&t, &p, 1, at), 1);
	assert_string_equal(at, "2027-01-05T18:25:00Z");
	assert_int_equal(order_stage_due_at(&t, &p, 0, at), 0); /* on signing: no date */
	strcpy(p.as_of, "2026-12-10T09:00:00Z");
	assert_int_equal(order_due_now(&t, &p), 0);
	assert_int_equal(order_remaining(&t, &p), 70000);
	assert_string_equal(order_stage_standing(&t, &p, 0, standing), "paid");
	assert_string_equal(order_stage_standing(&t, &p, 1, standing),
	                    "not yet due (2027-01-05 18:25 UTC; it may be paid now)");
	assert_int_equal(order_next_words(&t, &p, ORDER_BUYER, buf, sizeof buf), 0);
	assert_string_equal(buf, "pay by 2027-01-05");
	assert_int_equal(order_next_words(&t, &p, ORDER_SELLER, buf, sizeof buf), 0);
	assert_string_equal(buf, "wait for payment");
	assert_int_equal(order_may(&t, &p, ORDER_PAY, ORDER_BUYER, &e), K_OK); /* early */
	assert_int_equal(order_may(&t, &p, ORDER_CONFIRM, ORDER_BUYER, &e), K_ECONFLICT);
	strcpy(p.as_of, "2027-01-05T18:25:00Z"); /* its day, its minute */
	assert_int_equal(order_due_now(&t, &p), 70000);
	assert_string_equal(order_stage_standing(&t, &p, 1, standing), "due now");
	assert_int_equal(order_stage_late(&t, &p, at), 0); /* due, not late yet */
	assert_int_equal(order_next_words(&t, &p, ORDER_BUYER, buf, sizeof buf), 1);
	assert_string_equal(buf, "pay 700.00 USD");
	assert_int_equal(order_next_words(&t, &p, ORDER_SELLER, buf, sizeof buf), 0);
	assert_string_equal(buf, "wait for payment");
	strcpy(p.as_of, "2027-01-06T09:00:00Z"); /* the day after: late */
	assert_int_equal(order_stage_late(&t, &p, at), 1);
	assert_string_equal(at, "2027-01-05T18:25:00Z");
	assert_string_equal(order_stage_standing(&t, &p, 1, standing),
	                    "late: due since 2027-01-05 18:25 UTC");
	assert_int_equal(order_next_words(&t, &p, ORDER_BUYER, buf, sizeof buf), 1);
	assert_string_equal(buf, "pay 700.00 USD");
	assert_int_equal(order_next_words(&t, &p, ORDER_SELLER, buf, sizeof buf), 0);
	assert_string_equal(buf, "late since 2027-01-05");
	p.stages_paid = 2; /* paid: nothing late */
	assert_int_equal(order_stage_late(&t, &p, at), 0);
}

/* A list says what share is paid while some is still to pay, to the nearest percent as the
 * terms word it, never 0% or 100% while neither is true; settled and unpaid orders, and
 * whole payments, show the state alone. */
static void test_state_shows_the_share_paid(void **state)
{
	(void)state;
	static const struct {
		int state;
		const char *name;
		int64_t paid, total;
		const char *want;
	} cases[] = {
	    {ORDER_FUNDED, "funded", 119979, 399933, "funded 30%"},
	    {ORDER_DELIVERED, "delivered", 96000, 120000, "delivered 80%"},
	    {ORDER_FUNDED, "funded", 1, 1000000, "funded 1%"},
	    {ORDER_FUNDED, "funded", 999999, 1000000, "funded 99%"},
	    {ORDER_FUNDED, "funded", INT64_MAX / 2, INT64_MAX, "funded 50%"},
	    {ORDER_FUNDED, "funded", 120000, 120000, "funded"},
	    {ORDER_AWAITING_PAYMENT, "awaiting payment", 0, 120000, "awaiting payment"},
	    {ORDER_COMPLETED, "completed", 36000, 120000, "completed"},
	    {-1, "?", 36000, 120000, "?"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[ORDER_STATE_PAID_LEN];
		order_state_paid(cases[i].state, cases[i].name, cases[i].paid, cases[i].total, out);
		assert_string_equal(out, cases[i].want);
	}
}

/* The day the escrow agent releases a delivered order by itself: its days after delivery,
 * to the second; none without a delivery time or days. */
static void test_release_comes_its_days_after_delivery(void **state)
{
	(void)state;
	char at[ORDER_TIME_LEN + 1];
	assert_int_equal(order_release_at("2026-12-07T03:12:40Z", 14, at), 1);
	assert_string_equal(at, "2026-12-21T03:12:40Z");
	assert_int_equal(order_release_at("2026-02-20T23:00:00Z", 10, at), 1);
	assert_string_equal(at, "2026-03-02T23:00:00Z"); /* across February's end */
	assert_int_equal(order_release_at(NULL, 14, at), 0);
	assert_int_equal(order_release_at("2026-12-07T03:12:40Z", 0, at), 0);
	assert_int_equal(order_release_at("yesterday", 14, at), 0);
}

/* Where escrow ended, once it holds nothing and has paid out: to the seller, back to the buyer
 * or divided, with the time; nothing while it holds money, has paid nothing out, or where no
 * contract said when (an assumed progress). */
static void test_settled_words_say_where_the_money_went(void **state)
{
	(void)state;
	char out[ORDER_SETTLED_LEN];
	struct order_progress p;
	order_progress_start(&p);
	p.paid = p.released = 3000000000;
	snprintf(p.settled, sizeof p.settled, "2026-12-07T14:21:17Z");
	assert_int_equal(order_settled_words(&p, "VND", out), 1);
	assert_string_equal(out,
	                    "released to the seller on 2026-12-07 14:21 UTC: 3,000,000,000 VND");
	p.released = 0;
	p.refunded = 120000;
	assert_int_equal(order_settled_words(&p, "USD", out), 1);
	assert_string_equal(out, "refunded to the buyer on 2026-12-07 14:21 UTC: 1,200.00 USD");
	p.released = 36000;
	p.refunded = 84000;
	assert_int_equal(order_settled_words(&p, "USD", out), 1);
	assert_string_equal(out, "divided on 2026-12-07 14:21 UTC: 360.00 USD to the seller, "
	                         "840.00 USD back to the buyer");
	p.escrow = 1; /* a part still held: not settled */
	assert_int_equal(order_settled_words(&p, "USD", out), 0);
	assert_string_equal(out, "");
	p.escrow = 0;
	p.settled[0] = '\0'; /* assumed from a state, no contract: no time to say */
	assert_int_equal(order_settled_words(&p, "USD", out), 0);
	order_progress_start(&p); /* awaiting payment: nothing to say of escrow yet */
	assert_int_equal(order_settled_words(&p, "USD", out), 0);
	p.state = ORDER_CANCELLED; /* cancelled before funding, from a contract or the state */
	assert_int_equal(order_settled_words(&p, "USD", out), 1);
	assert_string_equal(out, "held nothing: cancelled before any payment");
}

int main(void)
{
	setenv("TZ", "UTC0", 1); /* the words name local times: this zone says "UTC" */
	tzset();
	struct kerr e = {0, ""};
	if (codes_load(&e) != K_OK) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return 1;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rules_table_against_the_oracle),
	    cmocka_unit_test(test_steps_for_agrees_with_the_transition),
	    cmocka_unit_test(test_the_money_each_step_moves),
	    cmocka_unit_test(test_stage_amounts_sum_to_odd_totals),
	    cmocka_unit_test(test_stages_parse_check_and_deposit),
	    cmocka_unit_test(test_names_lists_and_state_flags),
	    cmocka_unit_test(test_refusals_in_words),
	    cmocka_unit_test(test_state_shows_the_share_paid),
	    cmocka_unit_test(test_a_stage_after_delivery_is_not_due_in_transit),
	    cmocka_unit_test(test_a_stage_days_after_delivery_falls_due_on_its_day),
	    cmocka_unit_test(test_release_comes_its_days_after_delivery),
	    cmocka_unit_test(test_settled_words_say_where_the_money_went),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
