/* order — the rules of a trade as tables (states, steps, who may take them, from where, the
 * money they move) and the pure functions that apply them; see order.h. */
#include "kontor/order.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/ktime.h"
#include "kontor/money.h"

#define BIT(s) (1u << (s))
#define B ORDER_BUYER
#define S ORDER_SELLER
#define E ORDER_ESCROW

/* ---------------------------------------------------------------- the tables */

const char *const order_state_names[ORDER_NSTATES + 1] = {
    [ORDER_AWAITING_PAYMENT] = "awaiting_payment",
    [ORDER_FUNDED] = "funded",
    [ORDER_SHIPPED] = "shipped",
    [ORDER_DELIVERED] = "delivered",
    [ORDER_COMPLETED] = "completed",
    [ORDER_CANCELLED] = "cancelled",
    [ORDER_DISPUTED] = "disputed",
    [ORDER_RESOLVED] = "resolved",
    [ORDER_NSTATES] = NULL,
};

const char *const order_ship_modes[] = {"sea", "air", "road", "rail", "courier", NULL};

/* "offer", then the kind of each step in step order (test_rules checks they agree). */
const char *const order_section_kinds[ORDER_NSTEPS + 2] = {
    "offer",    "funded", "shipped",  "delivered", "confirmed", "released",
    "disputed", "ruling", "refunded", "cancelled", NULL,
};

#define ST_EVENTS 1u /* takes shipment events */
#define ST_RATE 2u   /* each party may rate the other once */

static const struct {
	const char *words;
	int rank; /* open orders first, settled ones last */
	unsigned flags;
} state_info[ORDER_NSTATES] = {
    [ORDER_AWAITING_PAYMENT] = {"awaiting payment", 0, 0},
    [ORDER_FUNDED] = {"funded", 1, 0},
    [ORDER_SHIPPED] = {"shipped", 2, ST_EVENTS},
    [ORDER_DELIVERED] = {"delivered", 3, ST_EVENTS},
    [ORDER_DISPUTED] = {"disputed", 4, ST_EVENTS},
    [ORDER_COMPLETED] = {"completed", 5, ST_RATE},
    [ORDER_RESOLVED] = {"resolved", 6, ST_RATE},
    [ORDER_CANCELLED] = {"cancelled", 7, 0},
};

/* One step: the section kind, who may sign it, the states it is taken from, where it goes
 * (ORDER_NSTATES: the state stays), the money it moves, and its refusals: the states the
 * machine's sentence names, who may take it and when, in words for people. The stage rules
 * of pay, ship, confirm and release, and cancel's two signatures, are in order_next. */
struct step_rule {
	const char *kind, *verb;
	unsigned roles, from;
	int to;
	enum order_money money;
	const char *needs, *who, *when;
};

static const struct step_rule steps[ORDER_NSTEPS] = {
    [ORDER_PAY] = {"funded", "pay", B | E,
                   BIT(ORDER_AWAITING_PAYMENT) | BIT(ORDER_FUNDED) | BIT(ORDER_SHIPPED) |
                       BIT(ORDER_DELIVERED),
                   ORDER_FUNDED, ORDER_MONEY_FUND, "awaiting_payment",
                   "only the buyer pays an order", "it is paid only while awaiting payment"},
    [ORDER_SHIP] = {"shipped", "ship", S, BIT(ORDER_AWAITING_PAYMENT) | BIT(ORDER_FUNDED),
                    ORDER_SHIPPED, ORDER_MONEY_NONE, "funded", "only the seller ships an order",
                    "an order ships once it is funded"},
    [ORDER_DELIVER] = {"delivered", "deliver", B | S | E, BIT(ORDER_SHIPPED), ORDER_DELIVERED,
                       ORDER_MONEY_NONE, "shipped",
                       "only the buyer, the seller or the escrow agent marks an order "
                       "delivered",
                       "an order is delivered once it is shipped"},
    [ORDER_CONFIRM] = {"confirmed", "confirm", B, BIT(ORDER_SHIPPED) | BIT(ORDER_DELIVERED),
                       ORDER_COMPLETED, ORDER_MONEY_RELEASE, "shipped or delivered",
                       "only the buyer confirms receipt",
                       "receipt is confirmed once the order is shipped or delivered"},
    [ORDER_RELEASE] = {"released", "release", E, BIT(ORDER_DELIVERED), ORDER_COMPLETED,
                       ORDER_MONEY_RELEASE, "delivered",
                       "only the escrow agent (the node) releases escrow unasked",
                       "escrow is released unasked once the order is delivered"},
    [ORDER_DISPUTE] = {"disputed", "dispute", B | S,
                       BIT(ORDER_FUNDED) | BIT(ORDER_SHIPPED) | BIT(ORDER_DELIVERED),
                       ORDER_DISPUTED, ORDER_MONEY_NONE, "funded, shipped or delivered",
                       "only the buyer or the seller disputes an order",
                       "a dispute is possible while it is funded, shipped or delivered"},
    [ORDER_RULE] = {"ruling", "rule on", E, BIT(ORDER_DISPUTED), ORDER_RESOLVED, ORDER_MONEY_SPLIT,
                    "disputed", "only the escrow agent (the node's arbitrator) rules on an order",
                    "a ruling is made on a disputed order"},
    [ORDER_REFUND] = {"refunded", "refund", E,
                      BIT(ORDER_FUNDED) | BIT(ORDER_SHIPPED) | BIT(ORDER_DELIVERED) |
                          BIT(ORDER_DISPUTED),
                      ORDER_CANCELLED, ORDER_MONEY_REFUND, "funded, shipped, delivered or disputed",
                      "only the escrow agent (the node) refunds escrow",
                      "escrow is refunded while it holds the buyer's money"},
    [ORDER_CANCEL] = {"cancelled", "cancel", B | S,
                      BIT(ORDER_AWAITING_PAYMENT) | BIT(ORDER_FUNDED) | BIT(ORDER_SHIPPED) |
                          BIT(ORDER_DELIVERED),
                      ORDER_CANCELLED, ORDER_MONEY_REFUND, "awaiting_payment",
                      "only the buyer or the seller cancels an order",
                      "an order is cancelled before it is paid, or by both while funded, "
                      "shipped or delivered"},
};

/* ---------------------------------------------------------------- names */

static int valid_state(int s)
{
	return s >= 0 && s < ORDER_NSTATES;
}

static int valid_step(int s)
{
	return s >= 0 && s < ORDER_NSTEPS;
}

int order_state_parse(const char *s)
{
	for (int i = 0; s && i < ORDER_NSTATES; i++)
		if (strcmp(order_state_names[i], s) == 0)
			return i;
	return -1;
}

const char *order_state_name(int state)
{
	return valid_state(state) ? order_state_names[state] : "?";
}

const char *order_state_words(int state)
{
	return valid_state(state) ? state_info[state].words : "unknown";
}

void order_state_paid(int state, const char *name, int64_t paid, int64_t total,
                      char out[ORDER_STATE_PAID_LEN])
{
	/* settled orders hold nothing; before that, escrow holds every payment */
	if (valid_state(state) && !order_state_final(state) && paid > 0 && total > paid) {
		/* to the nearest percent, as the terms say them (30% of 3,999.33 is 1,199.79, which
		 * is 29.9998%), but never 0% or 100% while neither is true */
		int64_t pct =
		    paid < INT64_MAX / 200 ? (paid * 200 / total + 1) / 2 : paid / (total / 100);
		pct = pct < 1 ? 1 : pct > 99 ? 99 : pct;
		snprintf(out, ORDER_STATE_PAID_LEN, "%.20s %d%%", name, (int)pct);
	} else
		snprintf(out, ORDER_STATE_PAID_LEN, "%s", name);
}

int order_state_rank(int state)
{
	return valid_state(state) ? state_info[state].rank : ORDER_NSTATES;
}

int order_state_takes_events(int state)
{
	return valid_state(state) && (state_info[state].flags & ST_EVENTS);
}

int order_state_rateable(int state)
{
	return valid_state(state) && (state_info[state].flags & ST_RATE);
}

int order_state_final(int state)
{
	if (!valid_state(state))
		return 0;
	for (int k = 0; k < ORDER_NSTEPS; k++)
		if (steps[k].from & BIT(state))
			return 0;
	return 1;
}

int order_event_delivers(int state, const char *code, const char *classifier)
{
	return state == ORDER_SHIPPED && code && classifier && strcmp(code, "DLVD") == 0 &&
	       strcmp(classifier, "ACT") == 0;
}

int order_step_parse(const char *kind)
{
	for (int i = 0; kind && i < ORDER_NSTEPS; i++)
		if (strcmp(steps[i].kind, kind) == 0)
			return i;
	return -1;
}

const char *order_step_kind(int step)
{
	return valid_step(step) ? steps[step].kind : "?";
}

const char *order_step_verb(int step)
{
	return valid_step(step) ? steps[step].verb : "?";
}

unsigned order_step_roles(int step)
{
	return valid_step(step) ? steps[step].roles : 0;
}

unsigned order_role_bit(const char *role)
{
	if (!role)
		return 0;
	return strcmp(role, "buyer") == 0    ? B
	       : strcmp(role, "seller") == 0 ? S
	       : strcmp(role, "escrow") == 0 ? E
	                                     : 0;
}

const char *order_role_name(unsigned bit)
{
	return bit == B ? "buyer" : bit == S ? "seller" : bit == E ? "escrow" : "nobody";
}

int order_mode_valid(const char *mode)
{
	for (int i = 0; mode && order_ship_modes[i]; i++)
		if (strcmp(order_ship_modes[i], mode) == 0)
			return 1;
	return 0;
}

/* ---------------------------------------------------------------- stages */

static const char *const due_names[] = {
    [ORDER_DUE_SIGNING] = "signing",
    [ORDER_DUE_BEFORE_SHIPMENT] = "before_shipment",
    [ORDER_DUE_DELIVERY] = "delivery",
    [ORDER_DUE_AFTER_DELIVERY] = "days_after_delivery",
};

#define AFTER_DELIVERY_MAX 365

int order_due_parse(const char *s, const char *field, struct order_stage *st, struct kerr *e)
{
	size_t n = s ? strlen(s) : 0;
	for (int i = ORDER_DUE_SIGNING; i < ORDER_DUE_AFTER_DELIVERY; i++)
		if (s && strcmp(s, due_names[i]) == 0) {
			st->due = (enum order_due)i;
			st->days = 0;
			return K_OK;
		}
	const char *pre = due_names[ORDER_DUE_AFTER_DELIVERY];
	size_t pl = strlen(pre);
	if (s && n > pl + 1 && n <= pl + 4 && strncmp(s, pre, pl) == 0 && s[pl] == ':') {
		int64_t d = 0;
		int ok = s[pl + 1] != '0';
		for (const char *p = s + pl + 1; ok && *p; p++) {
			ok = *p >= '0' && *p <= '9';
			d = d * 10 + (*p - '0');
		}
		if (ok && d >= 1 && d <= AFTER_DELIVERY_MAX) {
			st->due = ORDER_DUE_AFTER_DELIVERY;
			st->days = d;
			return K_OK;
		}
	}
	char shown[40];
	snprintf(shown, sizeof shown, "%.32s", s ? s : "");
	for (char *p = shown; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	return kerr_set(e, K_EINVAL,
	                "%s: '%s' is not one of signing, before_shipment, delivery, "
	                "days_after_delivery:N (N 1 to %d)",
	                field, shown, AFTER_DELIVERY_MAX);
}

void order_due_format(const struct order_stage *st, char out[ORDER_DUE_LEN])
{
	if (st->due == ORDER_DUE_AFTER_DELIVERY)
		snprintf(out, ORDER_DUE_LEN, "%s:%" PRId64, due_names[st->due], st->days);
	else if (st->due >= ORDER_DUE_SIGNING && st->due < ORDER_DUE_AFTER_DELIVERY)
		snprintf(out, ORDER_DUE_LEN, "%s", due_names[st->due]);
	else
		snprintf(out, ORDER_DUE_LEN, "?");
}

void order_due_words(const struct order_stage *st, char out[ORDER_DUE_LEN])
{
	switch (st->due) {
	case ORDER_DUE_SIGNING:
		snprintf(out, ORDER_DUE_LEN, "on signing");
		break;
	case ORDER_DUE_BEFORE_SHIPMENT:
		snprintf(out, ORDER_DUE_LEN, "before shipment");
		break;
	case ORDER_DUE_DELIVERY:
		snprintf(out, ORDER_DUE_LEN, "on delivery");
		break;
	case ORDER_DUE_AFTER_DELIVERY:
		snprintf(out, ORDER_DUE_LEN, "%" PRId64 " day%s after delivery", st->days,
		         st->days == 1 ? "" : "s");
		break;
	default:
		snprintf(out, ORDER_DUE_LEN, "?");
	}
}

int order_stages_parse(const char *spec, struct order_stage out[ORDER_MAX_STAGES], size_t *n,
                       struct kerr *e)
{
	*n = 0;
	if (!spec || !*spec)
		return kerr_set(e, K_EINVAL, "--stages: empty; e.g. 30:signing,70:before_shipment");
	const char *p = spec;
	while (*p) {
		if (*n >= ORDER_MAX_STAGES)
			return kerr_set(e, K_EINVAL, "--stages: at most %d stages",
			                ORDER_MAX_STAGES);
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char part[64], field[32];
		snprintf(field, sizeof field, "--stages (stage %zu)", *n + 1);
		if (len == 0 || len >= sizeof part)
			return kerr_set(e, K_EINVAL, "%s: write PCT:DUE, e.g. 30:signing", field);
		memcpy(part, p, len);
		part[len] = '\0';
		char *colon = strchr(part, ':');
		int64_t pct = 0;
		int ok = colon && colon > part && colon - part <= 3;
		for (char *q = part; ok && q < colon; q++) {
			ok = *q >= '0' && *q <= '9';
			pct = pct * 10 + (*q - '0');
		}
		if (!ok)
			return kerr_set(e, K_EINVAL,
			                "%s: write PCT:DUE with PCT a whole percentage, e.g. "
			                "30:signing",
			                field);
		struct order_stage st = {pct, ORDER_DUE_SIGNING, 0};
		int rc = order_due_parse(colon + 1, field, &st, e);
		if (rc)
			return rc;
		out[(*n)++] = st;
		p += len;
		if (*p == ',') {
			p++;
			if (!*p)
				return kerr_set(e, K_EINVAL, "--stages: ends with a comma");
		}
	}
	return K_OK;
}

/* Stages are due in this order: signing, before shipment, delivery, then by days. */
static int64_t due_key(const struct order_stage *st)
{
	return (int64_t)st->due * 1000 + (st->due == ORDER_DUE_AFTER_DELIVERY ? st->days : 0);
}

int order_stages_check(const struct order_stage *st, size_t n, struct kerr *e)
{
	if (n < 1 || n > ORDER_MAX_STAGES)
		return kerr_set(e, K_EINVAL, "payment.stages: 1 to %d stages, not %zu",
		                ORDER_MAX_STAGES, n);
	int64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		if (st[i].pct < 1 || st[i].pct > 100)
			return kerr_set(e, K_EINVAL,
			                "payment.stages[%zu].pct: %" PRId64 " must be 1 to 100", i,
			                st[i].pct);
		if (st[i].due < ORDER_DUE_SIGNING || st[i].due > ORDER_DUE_AFTER_DELIVERY ||
		    (st[i].due == ORDER_DUE_AFTER_DELIVERY
		         ? st[i].days < 1 || st[i].days > AFTER_DELIVERY_MAX
		         : st[i].days != 0))
			return kerr_set(e, K_EINVAL, "payment.stages[%zu].due: not a due point", i);
		if (i > 0 && due_key(&st[i]) <= due_key(&st[i - 1])) {
			char a[ORDER_DUE_LEN], b[ORDER_DUE_LEN];
			order_due_format(&st[i - 1], a);
			order_due_format(&st[i], b);
			return kerr_set(
			    e, K_EINVAL,
			    "payment.stages[%zu].due: %s cannot follow %s (stages run "
			    "signing, before_shipment, delivery, days_after_delivery:N, "
			    "each once)",
			    i, b, a);
		}
		sum += st[i].pct;
	}
	if (sum != 100)
		return kerr_set(e, K_EINVAL,
		                "payment.stages: the percentages sum to %" PRId64 ", not 100", sum);
	return K_OK;
}

void order_stages_deposit(int64_t deposit_pct, struct order_stage out[ORDER_MAX_STAGES], size_t *n)
{
	if (deposit_pct >= 1 && deposit_pct <= 99) {
		out[0] = (struct order_stage){deposit_pct, ORDER_DUE_SIGNING, 0};
		out[1] = (struct order_stage){100 - deposit_pct, ORDER_DUE_BEFORE_SHIPMENT, 0};
		*n = 2;
	} else {
		out[0] = (struct order_stage){100, ORDER_DUE_BEFORE_SHIPMENT, 0};
		*n = 1;
	}
}

int64_t order_stages_deposit_pct(const struct order_stage *st, size_t n)
{
	if (n == 1 && st[0].pct == 100 && st[0].due == ORDER_DUE_BEFORE_SHIPMENT)
		return 100;
	if (n == 2 && st[0].due == ORDER_DUE_SIGNING && st[1].due == ORDER_DUE_BEFORE_SHIPMENT &&
	    st[0].pct + st[1].pct == 100)
		return st[0].pct;
	return -1;
}

int64_t order_stage_amount(const struct order_terms *t, size_t i)
{
	if (i >= t->nstages || t->total < 0)
		return 0;
	if (i + 1 < t->nstages)
		return t->total * t->stages[i].pct / 100; /* total <= 2^53, so no overflow */
	int64_t rest = t->total;
	for (size_t k = 0; k + 1 < t->nstages; k++)
		rest -= t->total * t->stages[k].pct / 100;
	return rest;
}

static void money_words(int64_t v, const char *cur, char *out, size_t cap)
{
	char m[MONEY_FMT_MAX];
	money_text(v, cur, m);
	snprintf(out, cap, "%s %.3s", m, cur);
}

void order_stage_words(const struct order_terms *t, size_t i, char out[ORDER_WORDS_LEN])
{
	if (i >= t->nstages) {
		snprintf(out, ORDER_WORDS_LEN, "no stage %zu", i + 1);
		return;
	}
	char due[ORDER_DUE_LEN], amt[MONEY_FMT_MAX + 8];
	order_due_words(&t->stages[i], due);
	money_words(order_stage_amount(t, i), t->currency, amt, sizeof amt);
	snprintf(out, ORDER_WORDS_LEN, "stage %zu of %zu, %" PRId64 "%% %s, %s", i + 1, t->nstages,
	         t->stages[i].pct, due, amt);
}

/* ---------------------------------------------------------------- progress */

void order_progress_start(struct order_progress *p)
{
	memset(p, 0, sizeof *p);
	p->state = ORDER_AWAITING_PAYMENT;
	ktime_utc((int64_t)time(NULL), p->as_of);
}

void order_assume(int state, const char *currency, int64_t total, struct order_terms *t,
                  struct order_progress *p)
{
	memset(t, 0, sizeof *t);
	snprintf(t->currency, sizeof t->currency, "%s", currency ? currency : "");
	t->total = total;
	order_stages_deposit(100, t->stages, &t->nstages);
	order_progress_start(p);
	if (!valid_state(state))
		return;
	p->state = (enum order_state)state;
	if (state == ORDER_AWAITING_PAYMENT || state == ORDER_CANCELLED)
		return; /* cancelled alone before funding; after it, by both: refunded */
	p->stages_paid = t->nstages;
	p->paid = total;
	if (state == ORDER_COMPLETED || state == ORDER_RESOLVED)
		p->released = total;
	else
		p->escrow = total;
}

static int before_shipment(const struct order_stage *st)
{
	return st->due <= ORDER_DUE_BEFORE_SHIPMENT;
}

/* May stage i be paid in state? Stages before shipment while awaiting payment or funded;
 * the others once shipped. */
static int payable(const struct order_stage *st, int state)
{
	if (before_shipment(st))
		return state == ORDER_AWAITING_PAYMENT || state == ORDER_FUNDED;
	return state == ORDER_SHIPPED || state == ORDER_DELIVERED;
}

int64_t order_remaining(const struct order_terms *t, const struct order_progress *p)
{
	int64_t r = 0;
	for (size_t i = p->stages_paid; i < t->nstages; i++)
		r += order_stage_amount(t, i);
	return r;
}

int order_stage_due_at(const struct order_terms *t, const struct order_progress *p, size_t k,
                       char out[ORDER_TIME_LEN + 1])
{
	time_t at;
	if (k >= t->nstages || t->stages[k].due != ORDER_DUE_AFTER_DELIVERY ||
	    t->stages[k].days < 1 || ktime_parse(p->delivered, &at) != K_OK)
		return 0;
	return ktime_utc((int64_t)at + t->stages[k].days * 86400, out) == K_OK;
}

int order_release_at(const char *delivered_at, int64_t days, char out[ORDER_TIME_LEN + 1])
{
	time_t at;
	if (!delivered_at || days < 1 || ktime_parse(delivered_at, &at) != K_OK)
		return 0;
	return ktime_utc((int64_t)at + days * 86400, out) == K_OK;
}

/* Is stage k due in p's state: one before shipment while it may be paid, one on or after
 * delivery once the goods are delivered, and N days after it once those days are past. A
 * buyer may pay it early, once the order is shipped, but nothing asks him to before then. */
static int stage_due(const struct order_terms *t, size_t k, const struct order_progress *p)
{
	const struct order_stage *st = &t->stages[k];
	char at[ORDER_TIME_LEN + 1];
	if (!payable(st, p->state) || !(before_shipment(st) || p->state == ORDER_DELIVERED))
		return 0;
	return !order_stage_due_at(t, p, k, at) || !p->as_of[0] || strcmp(p->as_of, at) >= 0;
}

int64_t order_due_now(const struct order_terms *t, const struct order_progress *p)
{
	size_t k = p->stages_paid;
	return k < t->nstages && stage_due(t, k, p) ? order_stage_amount(t, k) : 0;
}

int order_stage_late(const struct order_terms *t, const struct order_progress *p,
                     char at[ORDER_TIME_LEN + 1])
{
	return order_due_now(t, p) > 0 && order_stage_due_at(t, p, p->stages_paid, at) &&
	       p->as_of[0] && strcmp(p->as_of, at) > 0;
}

const char *order_stage_standing(const struct order_terms *t, const struct order_progress *p,
                                 size_t k, char out[ORDER_STANDING_LEN])
{
	char at[ORDER_TIME_LEN + 1], local[64];
	if (k < p->stages_paid)
		snprintf(out, ORDER_STANDING_LEN, "paid");
	else if (k == p->stages_paid && order_stage_late(t, p, at))
		snprintf(out, ORDER_STANDING_LEN, "late: due since %s",
		         ktime_local(at, local, sizeof local));
	else if (k == p->stages_paid && order_due_now(t, p) > 0)
		snprintf(out, ORDER_STANDING_LEN, "due now");
	else if (k == p->stages_paid && order_stage_due_at(t, p, k, at))
		snprintf(out, ORDER_STANDING_LEN, "not yet due (%s; it may be paid now)",
		         ktime_local(at, local, sizeof local));
	else
		snprintf(out, ORDER_STANDING_LEN, "not yet due");
	return out;
}

int order_settled_words(const struct order_progress *p, const char *currency,
                        char out[ORDER_SETTLED_LEN])
{
	char local[64], to_seller[MONEY_FMT_MAX], to_buyer[MONEY_FMT_MAX];
	out[0] = '\0';
	if (p->state == ORDER_CANCELLED && p->paid == 0) {
		snprintf(out, ORDER_SETTLED_LEN, "held nothing: cancelled before any payment");
		return 1;
	}
	if (p->escrow != 0 || (p->released <= 0 && p->refunded <= 0) || !p->settled[0])
		return 0;
	ktime_local(p->settled, local, sizeof local);
	money_text(p->released, currency, to_seller);
	money_text(p->refunded, currency, to_buyer);
	if (p->refunded <= 0)
		snprintf(out, ORDER_SETTLED_LEN, "released to the seller on %s: %s %s", local,
		         to_seller, currency);
	else if (p->released <= 0)
		snprintf(out, ORDER_SETTLED_LEN, "refunded to the buyer on %s: %s %s", local,
		         to_buyer, currency);
	else
		snprintf(out, ORDER_SETTLED_LEN,
		         "divided on %s: %s %s to the seller, %s %s back to the buyer", local,
		         to_seller, currency, to_buyer, currency);
	return 1;
}

/* The first unpaid stage due before shipment; -1 when there is none. */
static int unpaid_before_shipment(const struct order_terms *t, const struct order_progress *p)
{
	for (size_t i = p->stages_paid; i < t->nstages; i++)
		if (before_shipment(&t->stages[i]))
			return (int)i;
	return -1;
}

void order_act_for(const struct order_terms *t, const struct order_progress *p, int step,
                   unsigned role, struct order_act *a)
{
	memset(a, 0, sizeof *a);
	a->step = step;
	a->roles = role;
	a->amount = -1;
	a->to_buyer = a->to_seller = -1;
	if (step == ORDER_PAY && p->stages_paid < t->nstages) {
		a->amount = order_stage_amount(t, p->stages_paid);
		a->stage = (int64_t)p->stages_paid + 1;
	} else if (step == ORDER_RELEASE || step == ORDER_REFUND) {
		a->amount = p->escrow;
	} else if (step == ORDER_RULE) {
		a->to_buyer = p->escrow;
		a->to_seller = 0;
	}
}

int order_cancel_needs_both(int state)
{
	return state == ORDER_FUNDED || state == ORDER_SHIPPED || state == ORDER_DELIVERED;
}

/* Where stage k can be paid, as the refusal names it: the first stage before shipment while
 * awaiting payment (paying it makes the order funded), a later one while funded, one due
 * on or after delivery once the order is shipped or delivered. */
static const char *pay_needs(const struct order_terms *t, size_t k)
{
	if (!before_shipment(&t->stages[k]))
		return "shipped or delivered";
	for (size_t i = 0; i < k; i++)
		if (before_shipment(&t->stages[i]))
			return "funded";
	return "awaiting_payment";
}

static int pay_check(const struct order_terms *t, const struct order_progress *p,
                     const struct order_act *a, size_t *to, int64_t *amount, struct kerr *e)
{
	const char *sn = order_state_name((int)p->state);
	size_t k = p->stages_paid;
	char w[ORDER_WORDS_LEN], m1[MONEY_FMT_MAX + 8];
	if (k >= t->nstages) {
		if (t->nstages <= 1)
			return kerr_set(e, K_ECONFLICT, "order is %s: pay needs awaiting_payment",
			                sn);
		return kerr_set(e, K_ECONFLICT,
		                "order is %s: pay needs a stage still to pay (all %zu stages are "
		                "paid)",
		                sn, t->nstages);
	}
	if (!payable(&t->stages[k], (int)p->state)) {
		if (t->nstages <= 1)
			return kerr_set(e, K_ECONFLICT, "order is %s: pay needs %s", sn,
			                pay_needs(t, k));
		order_stage_words(t, k, w);
		return kerr_set(e, K_ECONFLICT, "order is %s: pay needs %s (%s)", sn,
		                pay_needs(t, k), w);
	}
	if (a->stage && a->stage != (int64_t)k + 1)
		return kerr_set(e, K_EINVAL,
		                "stage: %" PRId64 ", but the stage to pay is %zu of %zu", a->stage,
		                k + 1, t->nstages);
	if (a->amount < 0) { /* no amount: everything still unpaid, in one payment */
		*to = t->nstages;
		*amount = order_remaining(t, p);
		return K_OK;
	}
	int64_t want = order_stage_amount(t, k);
	if (a->amount != want) {
		order_stage_words(t, k, w);
		money_words(a->amount, t->currency, m1, sizeof m1);
		return kerr_set(e, K_EINVAL, "amount: %s is not what the terms ask for (%s)", m1,
		                w);
	}
	*to = k + 1;
	*amount = want;
	return K_OK;
}

/* Every stage paid (confirm, release): the first one that is not, in the refusal. */
static int all_paid(const struct order_terms *t, const struct order_progress *p, int step,
                    struct kerr *e)
{
	if (p->stages_paid >= t->nstages)
		return K_OK;
	char w[ORDER_WORDS_LEN];
	order_stage_words(t, p->stages_paid, w);
	return kerr_set(e, K_ECONFLICT, "order is %s: %s needs every stage paid (%s, is not)",
	                order_state_name((int)p->state), steps[step].verb, w);
}

static int escrow_amount(const struct order_terms *t, const struct order_progress *p,
                         const struct order_act *a, struct kerr *e)
{
	if (a->amount < 0 || a->amount == p->escrow)
		return K_OK;
	char m1[MONEY_FMT_MAX + 8], m2[MONEY_FMT_MAX + 8];
	money_words(a->amount, t->currency, m1, sizeof m1);
	money_words(p->escrow, t->currency, m2, sizeof m2);
	return kerr_set(e, K_EINVAL, "amount: %s, but escrow holds %s", m1, m2);
}

/* The whole escrow leaves at once as money says (released to the seller, refunded to the
 * buyer): *to is n->released or n->refunded. */
static void escrow_out(struct order_effect *fx, enum order_money money, struct order_progress *n,
                       int64_t *to)
{
	fx->money = money;
	fx->amount = n->escrow;
	*to += n->escrow;
	n->escrow = 0;
}

int order_next(const struct order_terms *t, struct order_progress *p, const struct order_act *a,
               struct order_effect *fx, struct kerr *e)
{
	struct order_effect dummy;
	if (!fx)
		fx = &dummy;
	memset(fx, 0, sizeof *fx);
	if (!valid_step(a->step))
		return kerr_set(e, K_EINVAL, "not an order step");
	const struct step_rule *r = &steps[a->step];
	int state = (int)p->state;
	const char *sn = order_state_name(state);
	if (!valid_state(state))
		return kerr_set(e, K_EINVAL, "order is in no known state");
	if (!a->roles || (a->roles & ~r->roles))
		return kerr_set(e, K_EPERM, "%s", r->who);
	if (!(r->from & BIT(state))) {
		if (a->step == ORDER_PAY)
			return kerr_set(e, K_ECONFLICT, "order is %s: pay needs %s", sn,
			                p->stages_paid < t->nstages ? pay_needs(t, p->stages_paid)
			                                            : "awaiting_payment");
		if (a->step == ORDER_CANCEL)
			return kerr_set(e, K_ECONFLICT,
			                "order is %s: cancel needs awaiting_payment, or funded, "
			                "shipped or delivered with both parties' signatures",
			                sn);
		return kerr_set(e, K_ECONFLICT, "order is %s: %s needs %s", sn, r->verb, r->needs);
	}
	struct order_progress n = *p;
	int rc = K_OK;
	switch (a->step) {
	case ORDER_PAY: {
		size_t to = 0;
		int64_t amount = 0;
		if ((rc = pay_check(t, p, a, &to, &amount, e)))
			return rc;
		fx->money = ORDER_MONEY_FUND;
		fx->amount = amount;
		fx->stage_from = p->stages_paid;
		fx->stage_to = to;
		n.stages_paid = to;
		n.paid += amount;
		n.escrow += amount;
		if (state == ORDER_AWAITING_PAYMENT)
			n.state = ORDER_FUNDED;
		*p = n;
		return K_OK;
	}
	case ORDER_SHIP: {
		int k = unpaid_before_shipment(t, p);
		if (k >= 0) {
			char w[ORDER_WORDS_LEN];
			order_stage_words(t, (size_t)k, w);
			if (state == ORDER_AWAITING_PAYMENT && t->nstages <= 1)
				return kerr_set(e, K_ECONFLICT, "order is %s: ship needs funded",
				                sn);
			if (state == ORDER_AWAITING_PAYMENT)
				return kerr_set(e, K_ECONFLICT,
				                "order is %s: ship needs funded (%s, is not paid)",
				                sn, w);
			return kerr_set(e, K_ECONFLICT,
			                "order is %s: ship needs every stage due before shipment "
			                "paid (%s, is not)",
			                sn, w);
		}
		break;
	}
	case ORDER_CONFIRM:
	case ORDER_RELEASE:
		if ((rc = all_paid(t, p, a->step, e)) || (rc = escrow_amount(t, p, a, e)))
			return rc;
		escrow_out(fx, ORDER_MONEY_RELEASE, &n, &n.released);
		break;
	case ORDER_RULE: {
		char m1[MONEY_FMT_MAX + 8], m2[MONEY_FMT_MAX + 8], m3[MONEY_FMT_MAX + 8];
		if (a->to_buyer < 0 || a->to_seller < 0)
			return kerr_set(e, K_EINVAL,
			                "ruling: buyerAmount and sellerAmount are both needed");
		if (a->to_buyer > p->escrow || a->to_seller != p->escrow - a->to_buyer) {
			money_words(a->to_buyer, t->currency, m1, sizeof m1);
			money_words(a->to_seller, t->currency, m2, sizeof m2);
			money_words(p->escrow, t->currency, m3, sizeof m3);
			return kerr_set(e, K_EINVAL,
			                "buyerAmount + sellerAmount: %s + %s is not the %s escrow "
			                "holds",
			                m1, m2, m3);
		}
		fx->money = ORDER_MONEY_SPLIT;
		fx->to_buyer = a->to_buyer;
		fx->to_seller = a->to_seller;
		n.refunded += a->to_buyer;
		n.released += a->to_seller;
		n.escrow = 0;
		break;
	}
	case ORDER_REFUND:
		if ((rc = escrow_amount(t, p, a, e)))
			return rc;
		escrow_out(fx, ORDER_MONEY_REFUND, &n, &n.refunded);
		break;
	case ORDER_CANCEL:
		if (order_cancel_needs_both(state) && (a->roles & (B | S)) != (B | S))
			return kerr_set(e, K_ECONFLICT,
			                "order is %s: cancel needs awaiting_payment (after funding "
			                "both parties sign one cancelled section: `kontor order "
			                "cancel` on each side)",
			                sn);
		escrow_out(fx, p->escrow > 0 ? ORDER_MONEY_REFUND : ORDER_MONEY_NONE, &n,
		           &n.refunded);
		break;
	default:
		break;
	}
	if (r->to != ORDER_NSTATES)
		n.state = (enum order_state)r->to;
	*p = n;
	return K_OK;
}

int order_may(const struct order_terms *t, const struct order_progress *p, int step, unsigned role,
              struct kerr *e)
{
	struct order_act a;
	struct order_progress q = *p;
	order_act_for(t, p, step, role, &a);
	return order_next(t, &q, &a, NULL, e);
}

unsigned order_steps_for(const struct order_terms *t, const struct order_progress *p, unsigned role)
{
	unsigned out = 0;
	for (int s = 0; s < ORDER_NSTEPS; s++) {
		struct kerr e = {0, ""};
		if (order_may(t, p, s, role, &e) == K_OK ||
		    (s == ORDER_CANCEL && (role & (B | S)) && !(role & ~(B | S)) &&
		     order_cancel_needs_both((int)p->state)))
			out |= 1u << s;
	}
	return out;
}

/* "stage 2 of 2 is paid (840.00 USD before shipment)": short enough for a message line. */
static void stage_short(const struct order_terms *t, size_t k, char out[ORDER_WORDS_LEN])
{
	char due[ORDER_DUE_LEN], amt[MONEY_FMT_MAX + 8];
	order_due_words(&t->stages[k], due);
	money_words(order_stage_amount(t, k), t->currency, amt, sizeof amt);
	snprintf(out, ORDER_WORDS_LEN, "stage %zu of %zu is paid (%s %s)", k + 1, t->nstages, amt,
	         due);
}

const char *order_refusal_words(const struct order_terms *t, const struct order_progress *p,
                                int step, unsigned role, char *out, size_t cap)
{
	if (!valid_step(step))
		return "not an order step";
	if (order_steps_for(t, p, role) & (1u << step))
		return NULL;
	const struct step_rule *r = &steps[step];
	int state = (int)p->state;
	if (!role || (role & ~r->roles))
		return r->who;
	if (!(r->from & BIT(state)) || !valid_state(state))
		return r->when;
	char w[ORDER_WORDS_LEN], due[ORDER_DUE_LEN];
	size_t k = p->stages_paid;
	switch (step) {
	case ORDER_PAY:
		if (k >= t->nstages)
			return t->nstages <= 1 ? r->when : "every stage is paid";
		order_due_words(&t->stages[k], due);
		snprintf(out, cap, "the next stage (%" PRId64 "%% %s) is paid once the order is %s",
		         t->stages[k].pct, due,
		         before_shipment(&t->stages[k]) ? "awaiting payment or funded"
		                                        : "shipped or delivered");
		return out;
	case ORDER_SHIP: {
		int u = unpaid_before_shipment(t, p);
		if (u < 0 || t->nstages <= 1)
			return r->when;
		/* every stage still due before shipment (two at most: signing's, shipment's) */
		size_t last = (size_t)u;
		while (last + 1 < t->nstages && before_shipment(&t->stages[last + 1]))
			last++;
		if (last == (size_t)u) {
			stage_short(t, (size_t)u, w);
			snprintf(out, cap, "it ships once %s", w);
			return out;
		}
		char amt[MONEY_FMT_MAX + 8], amt2[MONEY_FMT_MAX + 8], due2[ORDER_DUE_LEN];
		order_due_words(&t->stages[u], due);
		order_due_words(&t->stages[last], due2);
		money_words(order_stage_amount(t, (size_t)u), t->currency, amt, sizeof amt);
		money_words(order_stage_amount(t, last), t->currency, amt2, sizeof amt2);
		snprintf(out, cap, "it ships once stages %d and %zu of %zu are paid (%s %s, %s %s)",
		         u + 1, last + 1, t->nstages, amt, due, amt2, due2);
		return out;
	}
	case ORDER_CONFIRM:
	case ORDER_RELEASE:
		if (k < t->nstages) {
			stage_short(t, k, w);
			snprintf(out, cap, "%s once %s",
			         step == ORDER_CONFIRM ? "receipt is confirmed"
			                               : "escrow is released",
			         w);
			return out;
		}
		return r->when;
	default:
		return r->when;
	}
}

int order_next_words(const struct order_terms *t, const struct order_progress *p, unsigned role,
                     char *out, size_t cap)
{
	int buyer = role == B;
	size_t k = p->stages_paid;
	int64_t due = order_due_now(t, p);
	char amt[MONEY_FMT_MAX + 8];
	if (due > 0) {
		char at[ORDER_TIME_LEN + 1], local[64];
		if (!buyer && p->state == ORDER_DELIVERED && order_stage_late(t, p, at)) {
			ktime_local(at, local, sizeof local);
			local[10] = 0; /* its date: the day it fell due, past */
			snprintf(out, cap, "late since %s", local);
			return 0;
		}
		if (!buyer) {
			/* the seller ships first when nothing before shipment is left to pay */
			if (p->state == ORDER_AWAITING_PAYMENT || p->state == ORDER_FUNDED ||
			    p->state == ORDER_DELIVERED) {
				snprintf(out, cap, "wait for payment");
				return 0;
			}
		} else if (t->nstages <= 1) {
			snprintf(out, cap, "pay");
			return 1;
		} else {
			money_words(order_stage_amount(t, k), t->currency, amt, sizeof amt);
			snprintf(out, cap, "pay %s", amt);
			return 1;
		}
	}
	switch (p->state) {
	case ORDER_AWAITING_PAYMENT:
	case ORDER_FUNDED:
		if (unpaid_before_shipment(t, p) >= 0) { /* a stage not yet due holds it */
			snprintf(out, cap, "%s", buyer ? "pay" : "wait for payment");
			return buyer;
		}
		snprintf(out, cap, "%s", buyer ? "wait for shipment" : "ship");
		return !buyer;
	case ORDER_SHIPPED:
		snprintf(out, cap, "wait for delivery");
		return 0;
	case ORDER_DELIVERED: {
		/* a stage N days after delivery, not yet due: paid, then receipt confirmed */
		char at[ORDER_TIME_LEN + 1], local[64];
		if (order_stage_due_at(t, p, k, at)) {
			ktime_local(at, local, sizeof local);
			local[10] = 0; /* its date */
			if (buyer)
				snprintf(out, cap, "pay by %s", local);
			else
				snprintf(out, cap, "wait for payment");
			return 0;
		}
		snprintf(out, cap, "%s", buyer ? "confirm receipt" : "wait for confirmation");
		return buyer;
	}
	case ORDER_DISPUTED:
		snprintf(out, cap, "wait for the ruling");
		return 0;
	case ORDER_COMPLETED:
	case ORDER_RESOLVED:
		snprintf(out, cap, "done");
		return 0;
	case ORDER_CANCELLED:
		snprintf(out, cap, "none (cancelled)");
		return 0;
	default:
		snprintf(out, cap, "sync again");
		return 0;
	}
}
