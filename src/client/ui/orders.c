/* ui/orders — the Orders tab: the cached orders, the ones waiting for us first, and one
 * order with its facts, what is paid, due and still to pay, its contract's event sections
 * and shipment events in words, its ratings and only the actions the rules of a trade
 * (kontor/order.h) allow our role now, asked of them on the contract replayed: this file
 * keeps no copy of the rules. An action is asked for and confirmed on the prompt row, then
 * runs the batch command (`order pay ID` ...) through ui_run_command: never a second
 * implementation. Also the question machinery Contracts shares. */
#include "ui.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../inbox.h"
#include "kontor/json.h"
#include "kontor/codes.h"
#include "kontor/contract.h"
#include "kontor/dcsa.h"
#include "kontor/ktime.h"
#include "kontor/money.h"
#include "kontor/order.h"
#include "kontor/text.h"

struct ui_trade *ui_trade(struct ui *u)
{
	struct ui_view *v = &u->views[VIEW_ORDERS];
	if (!v->priv)
		v->priv = xcalloc(1, sizeof(struct ui_trade));
	return v->priv;
}

static char *safe_dup(const char *s)
{
	if (!s || !*s)
		return NULL;
	struct kbuf b = KBUF_INIT;
	text_sanitize(&b, s, strlen(s), 0);
	return kbuf_detach(&b, NULL);
}

/* --- the list ------------------------------------------------------------------- */

static void order_free(struct trade_order *o)
{
	free(o->peer);
	free(o->product);
	free(o->carrier);
	free(o->tracking);
	free(o->mode);
	free(o->last);
}

_Static_assert(sizeof((struct trade_order *)0)->shown == ORDER_STATE_PAID_LEN,
               "a trade_order holds order_state_paid's words");

static const char *state_words(const char *state)
{
	return order_state_words(order_state_parse(state));
}

/* Where the order stands for the rules: its contract replayed (doc, when cached, it
 * verifies and agrees with the node's Order: a step still on its way does not count yet),
 * else the Order's state on the default terms. */
static void rules_of(const struct trade_order *o, const cJSON *doc, struct order_terms *t,
                     struct order_progress *p)
{
	struct contract_status *st = xcalloc(1, sizeof *st);
	struct kerr e = {0, ""};
	if (doc && contract_verify(doc, st, &e) == K_OK && st->binding >= 0 &&
	    strcmp(st->order_id, o->id) == 0 &&
	    strcmp(order_state_name((int)st->progress.state), o->state) == 0) {
		*t = st->terms;
		*p = st->progress;
	} else {
		order_assume(order_state_parse(o->state), o->currency, o->total, t, p);
	}
	free(st);
}

/* What happens next and who does it, as the rules say: rank 0 when it is our move. A
 * cancellation waiting for a signature and a rating still to give are the Order's. */
static void next_step(struct trade_order *o, const cJSON *obj, const cJSON *doc,
                      const struct order_terms *t, const struct order_progress *p)
{
	const cJSON *ratings = cJSON_GetObjectItemCaseSensitive(obj, "ratings");
	int rated =
	    cJSON_GetObjectItemCaseSensitive(ratings, o->buyer ? "buyer" : "seller") != NULL;
	const char *me = o->buyer ? "buyer" : "seller";
	const char *cby = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(obj, "cancelRequest"), "by"));
	snprintf(o->cancel_by, sizeof o->cancel_by, "%s",
	         cby && (strcmp(cby, "buyer") == 0 || strcmp(cby, "seller") == 0) ? cby : "");
	int st = order_state_parse(o->state);
	if (st < 0) {
		snprintf(o->next, sizeof o->next, "sync again");
		o->rank = 2;
	} else if (o->cancel_by[0] && order_cancel_needs_both(st)) {
		int mine = strcmp(o->cancel_by, me) == 0;
		snprintf(o->next, sizeof o->next, "%s",
		         mine ? "wait for cancellation" : "sign the cancellation");
		o->rank = mine ? 1 : 0;
	} else if (order_state_rateable(st)) {
		snprintf(o->next, sizeof o->next, "%s", rated ? "done (rated)" : "rate");
		o->rank = rated ? 2 : 0;
	} else if (st == ORDER_DISPUTED && contract_dispute_answerable(obj, doc, me)) {
		/* the other party's dispute: her side first, as the inbox asks (D answers) */
		snprintf(o->next, sizeof o->next, "answer the dispute");
		o->rank = 0;
	} else {
		int mine = order_next_words(t, p, o->buyer ? ORDER_BUYER : ORDER_SELLER, o->next,
		                            sizeof o->next);
		int ship = contract_ship_due(o->ship_by, t, p);
		o->rank = mine ? 0 : st == ORDER_CANCELLED ? 2 : 1;
		/* to ship: by which day, as the contract says, and whether it is gone; his
		 * goods late are his to ask about */
		if (ship == CONTRACT_SHIP_LATE)
			snprintf(o->next, sizeof o->next, "%s, late: %s",
			         o->buyer ? "wait" : "ship", o->ship_by);
		else if (ship == CONTRACT_SHIP_DUE && !o->buyer)
			snprintf(o->next, sizeof o->next, "ship by %s", o->ship_by);
	}
}

/* A contract's sections as parsed bodies; NULL when the contract is not cached. */
static cJSON *contract_of(struct ui *u, const char *contract_id)
{
	cJSON *doc = NULL;
	if (!contract_id || !*contract_id ||
	    store_object_get(u->s, "Contract", contract_id, &doc, NULL) != K_OK) {
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}

static const char *sec_kind(const cJSON *sec)
{
	const char *k = json_str(sec, "kind");
	return k ? k : "";
}

/* The shipment: the Order's, else the last shipped section of its contract. */
static void shipment_of(struct ui *u, struct trade_order *o, const cJSON *obj, const cJSON *doc)
{
	const cJSON *sh = cJSON_GetObjectItemCaseSensitive(obj, "shipment");
	if (cJSON_IsObject(sh)) {
		o->shipped = 1;
		o->carrier = safe_dup(json_str(sh, "carrier"));
		o->tracking = safe_dup(json_str(sh, "trackingNumber"));
		o->mode = safe_dup(json_str(sh, "mode"));
		const cJSON *ev = cJSON_GetObjectItemCaseSensitive(sh, "events");
		const char *eta = json_str(sh, "eta");
		if (!eta && cJSON_IsArray(ev))
			eta = dcsa_eta(ev);
		if (eta)
			ui_local_time(eta, o->eta, sizeof o->eta);
		const cJSON *last = dcsa_latest(ev);
		if (last) {
			char w[300];
			dcsa_words(last, o->mode, w, sizeof w);
			o->last = safe_dup(w);
		}
	}
	const cJSON *sec, *secs = cJSON_GetObjectItemCaseSensitive(doc, "sections");
	cJSON_ArrayForEach(sec, (cJSON_IsArray(secs) ? secs : NULL))
	{
		if (strcmp(sec_kind(sec), "shipped") != 0)
			continue;
		cJSON *body = cJSON_Parse(json_str(sec, "body") ? json_str(sec, "body") : "");
		o->shipped = 1;
		if (!o->carrier)
			o->carrier = safe_dup(json_str(body, "carrier"));
		if (!o->tracking)
			o->tracking = safe_dup(json_str(body, "trackingNumber"));
		if (!o->mode && order_mode_valid(json_str(body, "mode")))
			o->mode = safe_dup(json_str(body, "mode"));
		cJSON_Delete(body);
	}
	if (o->shipped && !o->last && order_state_parse(o->state) == ORDER_SHIPPED)
		o->last = safe_dup("Shipped (no carrier events yet)");
	(void)u;
}

static int add_order(void *vctx, const cJSON *obj)
{
	struct ui_walk *w = vctx;
	struct ui *u = w->u;
	struct trade_order *o = ui_walk_row(w, json_str(obj, "id"));
	if (!o)
		return 0;
	o->seq = w->n - 1; /* the cache's order */
	ui_clean_to(o->contract_id, sizeof o->contract_id, json_str(obj, "contractId"));
	const char *b = json_str(obj, "buyerId");
	o->buyer = b && strcmp(b, u->c->self_id) == 0;
	o->peer = ui_account_name(u, o->buyer ? json_str(obj, "sellerId") : b);
	const char *st = json_str(obj, "state");
	snprintf(o->state, sizeof o->state, "%s", order_state_parse(st) >= 0 ? st : "?");
	ui_clean_to(o->currency, sizeof o->currency, json_str(obj, "currency"));
	o->total = json_int(obj, "total");
	cJSON *doc = contract_of(u, json_str(obj, "contractId"));
	struct order_terms terms;
	struct order_progress prog;
	rules_of(o, doc, &terms, &prog);
	contract_ship_by_of(doc, o->ship_by); /* next_step's, and the sort's */
	next_step(o, obj, doc, &terms, &prog);
	/* a step of ours the outbox holds: taken here, on its way or refused, as the inbox says */
	struct ui_trade *t = ui_trade(u);
	const struct inbox_queued *q =
	    inbox_queued_of(t->queued, t->nqueued, o->contract_id, o->id);
	if (q) { /* "ship: in the outbox", "pay: refused, outbox" */
		const char *verb = strchr(q->cmd, ' ') ? strchr(q->cmd, ' ') + 1 : q->cmd;
		snprintf(o->next, sizeof o->next, "%s: %s", verb,
		         q->error[0] ? "refused, outbox" : "in the outbox");
		o->rank = q->error[0] ? 0 : 1;
	}
	/* what escrow holds is what is paid until the order settles: the Order says it, as
	 * order list reads it, whether or not its contract is cached */
	order_state_paid(order_state_parse(o->state), state_words(o->state),
	                 json_int(obj, "escrow"), o->total, o->shown);
	shipment_of(u, o, obj, doc);
	o->product = contract_product_of(doc);
	cJSON_Delete(doc);
	return 0;
}

static int order_cmp(const void *a, const void *b)
{
	const struct trade_order *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	int sx = order_state_rank(order_state_parse(x->state)),
	    sy = order_state_rank(order_state_parse(y->state));
	if (sx != sy)
		return sx - sy;
	/* of two orders to ship, the one due first */
	int by = x->ship_by[0] && y->ship_by[0] ? strcmp(x->ship_by, y->ship_by) : 0;
	return by ? by : x->seq - y->seq;
}

#define COL_STATE 17 /* "awaiting payment" and a space */
#define COL_ROLE 5
#define COL_NEXT 22  /* "wait for confirmation", "ship, late: 2027-01-06" */
#define COL_TOTAL 24 /* "9,007,199,254,740,991 VND" is cut; anything a trade is, is not */

/* The state and next-step columns as wide as the orders' words need (at most COL_STATE and
 * COL_NEXT), so that on 80 columns what is left goes to the counterparty and the product:
 * "completed" and "rate" leave the product 22 columns, not 12. Measured once a load. */
static void column_widths(struct ui_trade *t)
{
	size_t sw = 5, nw = 4, tw = 5; /* "STATE", "NEXT", "TOTAL" */
	for (int i = 0; i < t->norders; i++) {
		char total[UI_MONEY_MAX];
		ui_money(t->orders[i].total, t->orders[i].currency, total);
		size_t a = text_width(t->orders[i].shown);
		size_t b = text_width(t->orders[i].next);
		size_t c = text_width(total);
		sw = a > sw ? a : sw;
		nw = b > nw ? b : nw;
		tw = c > tw ? c : tw;
	}
	t->state_w = sw + 1 < COL_STATE ? (int)sw + 1 : COL_STATE;
	t->next_w = nw < COL_NEXT ? (int)nw : COL_NEXT;
	t->total_w = tw < COL_TOTAL ? (int)tw : COL_TOTAL;
}

void ui_orders_load(struct ui *u)
{
	struct ui_trade *t = ui_trade(u);
	struct ui_view *v = &u->views[VIEW_ORDERS];
	char keep[UI_TRADE_ID];
	ui_rows_keep(v, t->orders, t->norders, sizeof *t->orders, offsetof(struct trade_order, id),
	             keep, sizeof keep);
	for (int i = 0; i < t->norders; i++)
		order_free(&t->orders[i]);
	free(t->orders);
	free(t->ships);
	t->orders = NULL;
	t->ships = NULL;
	t->norders = t->nships = t->ships_eta = 0;
	struct kerr e = {0};
	struct ui_walk w = {u, .size = sizeof *t->orders, .id_at = offsetof(struct trade_order, id),
	                    .id_cap = sizeof t->orders->id};
	inbox_queued_read(u->s, &t->queued, &t->nqueued, NULL);
	if (store_object_each(u->s, "Order", NULL, add_order, &w, &e) != K_OK)
		ui_say(u, "%s", e.msg);
	free(t->queued);
	t->queued = NULL;
	t->nqueued = 0;
	t->orders = w.rows;
	t->norders = w.n;
	/* sorted, the cursor on the order it was on (a sync may move it up or down) */
	ui_rows_settle(u, v, t->orders, t->norders, sizeof *t->orders,
	               offsetof(struct trade_order, id), order_cmp, keep, NULL);
	column_widths(t);
	/* Shipments: the ones under way first, as the orders are sorted */
	t->ships = xcalloc((size_t)t->norders + 1, sizeof *t->ships);
	for (int i = 0; i < t->norders; i++)
		if (t->orders[i].shipped) {
			t->ships[t->nships++] = i;
			t->ships_eta |= t->orders[i].eta[0] != '\0';
		}
	ui_view_set_rows(u, &u->views[VIEW_SHIPMENTS], t->nships);
	u->dirty |= DIRTY_BODY | DIRTY_HEAD;
}

/* TOTAL: "1,200.00 USD" fits 13; wider screens keep room for millions; wider still when a
 * total needs it ("740,000,000 VND" on 80 columns), so that no total is cut or pushes NEXT */
static int total_width(const struct ui_trade *t, int width)
{
	int w = width >= 100 ? 17 : 13;
	return t->total_w > w ? t->total_w : w;
}

/* What is left once the state, the role, the total and the next step have theirs, shared
 * by the counterparty and the product (issue 17: two orders from one supplier differ by
 * what they buy, not only by their totals). */
static int rest_width(const struct ui_trade *t, int width)
{
	return width - 2 - t->state_w - COL_ROLE - total_width(t, width) - 2 - t->next_w;
}

static int peer_width(const struct ui_trade *t, int width)
{
	int w = rest_width(t, width) / 2;
	return w < 8 ? 8 : w > 30 ? 30 : w;
}

static int product_width(const struct ui_trade *t, int width)
{
	int w = rest_width(t, width) - peer_width(t, width);
	return w < 8 ? 8 : w > 40 ? 40 : w;
}

static void say_pending(struct ui *u);

void ui_trade_head_said(struct ui *u)
{
	say_pending(u);
}

void ui_orders_head(struct ui *u, int y)
{
	struct ui_trade *t = ui_trade(u);
	say_pending(u);
	struct kbuf b = KBUF_INIT, h = KBUF_INIT;
	int waiting = 0;
	for (int i = 0; i < t->norders; i++)
		waiting += t->orders[i].rank == 0;
	char bal[160]; /* "balance 1,150.00 USD" (wallet.c), "" before a wallet was synced */
	ui_wallet_balance(u, bal, sizeof bal);
	/* the money stays whole; the keys (in ? too) give way, Enter's first, then w's */
	static const char *const keys[] = {"Enter opens · w wallet", "w wallet", ""};
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		kbuf_reset(&b);
		kbuf_printf(&b, "Orders (%d, %d waiting for you)   %s%s%s", t->norders, waiting,
		            bal, bal[0] && keys[k][0] ? "   " : "", keys[k]);
		if (text_width(kbuf_str(&b)) <= (size_t)COLS)
			break;
	}
	ui_head_row(u, y, kbuf_str(&b), u->a_head);
	kbuf_puts(&h, "  ");
	text_clip(&h, "STATE", (size_t)t->state_w, 1);
	text_clip(&h, "ROLE", COL_ROLE, 1);
	ui_col(&h, "COUNTERPARTY", peer_width(t, COLS));
	ui_col(&h, "PRODUCT", product_width(t, COLS));
	kbuf_printf(&h, "%*s  NEXT", total_width(t, COLS), "TOTAL");
	ui_head_row(u, y + 1, kbuf_str(&h), u->a_dim);
	kbuf_free(&b);
	kbuf_free(&h);
}

void ui_orders_row(struct ui *u, int i, struct kbuf *out, int width)
{
	struct ui_trade *t = ui_trade(u);
	const struct trade_order *o = &t->orders[i];
	struct kbuf line = KBUF_INIT;
	char total[UI_MONEY_MAX];
	ui_money(o->total, o->currency, total);
	kbuf_puts(&line, "  ");
	ui_col(&line, o->shown, t->state_w);
	text_clip(&line, o->buyer ? "buy" : "sell", COL_ROLE, 1);
	ui_col(&line, o->peer, peer_width(t, width));
	ui_col_product(&line, o->product, product_width(t, width));
	kbuf_printf(&line, "%*s  %s", total_width(t, width), total, o->next);
	ui_clip(out, kbuf_str(&line), width, 1);
	kbuf_free(&line);
}

/* --- one order ------------------------------------------------------------------ */

static const struct trade_order *find_order(struct ui *u, const char *id)
{
	struct ui_trade *t = ui_trade(u);
	for (int i = 0; i < t->norders; i++)
		if (strcmp(t->orders[i].id, id) == 0)
			return &t->orders[i];
	return NULL;
}

/* The order view's actions, in the order its action line names them: the key (the
 * default; a config may move it), the verb of `kontor order VERB` and the step of the rules
 * it takes (-1 for rating: the Order's, not a step). */
static const struct order_verb {
	enum ui_action act;
	const char *key, *word;
	int step;
} order_acts[] = {
    {ACT_PAY, "p", "pay", ORDER_PAY},
    {ACT_SHIP, "s", "ship", ORDER_SHIP},
    {ACT_CONFIRM, "c", "confirm", ORDER_CONFIRM},
    {ACT_DISPUTE, "D", "dispute", ORDER_DISPUTE},
    {ACT_CANCEL, "x", "cancel", ORDER_CANCEL},
    {ACT_RATE, "r", "rate", -1},
};

/* act's row of order_acts; NULL when act is not an order action. */
static const struct order_verb *verb_of(enum ui_action act)
{
	for (size_t i = 0; i < sizeof order_acts / sizeof order_acts[0]; i++)
		if (order_acts[i].act == act)
			return &order_acts[i];
	return NULL;
}

/* Which actions the rules allow our role now; why not, in their words, when one is not
 * (out holds a sentence built for it). Rating and a cancellation we asked for already are
 * the Order's. */
static const char *refusal(const struct trade_order *o, enum ui_action act, const cJSON *obj,
                           const cJSON *doc, const struct order_terms *t,
                           const struct order_progress *p, char *out, size_t cap)
{
	int st = order_state_parse(o->state);
	if (act == ACT_DISPUTE && st == ORDER_DISPUTED) {
		/* D answers a dispute the other party opened: her side, for the arbitrator */
		if (contract_dispute_answerable(obj, doc, o->buyer ? "buyer" : "seller"))
			return NULL;
		if (cJSON_GetObjectItemCaseSensitive(obj, "answer"))
			return "the dispute is answered; the node's arbitrator rules next";
		return "you opened the dispute; the other party may answer, then the node's "
		       "arbitrator rules";
	}
	if (act == ACT_RATE) {
		if (!order_state_rateable(st))
			return "an order is rated once it is completed or resolved";
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(obj, "ratings");
		if (cJSON_GetObjectItemCaseSensitive(r, o->buyer ? "buyer" : "seller"))
			return "you rated this order already";
		return NULL;
	}
	const struct order_verb *oa = verb_of(act);
	if (!oa || oa->step < 0)
		return "not an order action";
	const char *why =
	    order_refusal_words(t, p, oa->step, o->buyer ? ORDER_BUYER : ORDER_SELLER, out, cap);
	if (!why && act == ACT_CANCEL && order_cancel_needs_both(st) &&
	    strcmp(o->cancel_by, o->buyer ? "buyer" : "seller") == 0)
		return "you asked to cancel; it waits for the other party's signature";
	return why;
}

#define FIELD_COLS 11 /* "Contract   ": the order's facts' labels, their values after */

static void push_wrapped(struct kstrv *lines, const char *text, int width, const char *indent)
{
	struct kbuf b = KBUF_INIT;
	text_sanitize(&b, text, strlen(text), 0);
	ui_wrap(kbuf_str(&b), width, indent, lines);
	kbuf_free(&b);
}

struct tl_item {
	char at[32];
	char *text;
	int seq;
};

static int tl_cmp(const void *a, const void *b)
{
	const struct tl_item *x = a, *y = b;
	int c = strcmp(x->at, y->at);
	return c ? c : x->seq - y->seq;
}

/* ": AMOUNT" after an event's words when its section names the amount. */
static void amount_said(struct kbuf *b, const cJSON *body, const char *cur)
{
	char amt[UI_MONEY_MAX];
	if (cJSON_GetObjectItemCaseSensitive(body, "amount")) {
		ui_money(json_int(body, "amount"), cur, amt);
		kbuf_printf(b, ": %s", amt);
	}
}

/* One contract event section in words. */
static char *section_words(const cJSON *sec, const cJSON *body, const char *cur)
{
	struct kbuf b = KBUF_INIT;
	const char *kind = sec_kind(sec);
	const cJSON *sig =
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(sec, "signatures"), 0);
	const char *role = json_str(sig, "role");
	const char *by = !role                         ? "?"
	                 : strcmp(role, "escrow") == 0 ? "the node"
	                 : strcmp(role, "buyer") == 0  ? "the buyer"
	                 : strcmp(role, "seller") == 0 ? "the seller"
	                                               : role;
	char a1[UI_MONEY_MAX], a2[UI_MONEY_MAX];
	if (strcmp(kind, "funded") == 0) {
		kbuf_printf(&b, "Paid into escrow by %s", by);
		amount_said(&b, body, cur);
		if (json_int(body, "stage") > 0)
			kbuf_printf(&b, " (stage %lld)", (long long)json_int(body, "stage"));
	} else if (strcmp(kind, "shipped") == 0) {
		kbuf_printf(&b, "Shipped by %s", by);
		if (json_str(body, "carrier"))
			kbuf_printf(&b, " with %s", json_str(body, "carrier"));
		if (json_str(body, "trackingNumber"))
			kbuf_printf(&b, ", tracking %s", json_str(body, "trackingNumber"));
		if (json_str(body, "mode"))
			kbuf_printf(&b, " (mode: %s)", json_str(body, "mode"));
		if (json_str(body, "note"))
			kbuf_printf(&b, " (%s)", json_str(body, "note"));
	} else if (strcmp(kind, "delivered") == 0) {
		kbuf_printf(&b, "Delivered (said by %s)", by);
	} else if (strcmp(kind, "confirmed") == 0) {
		kbuf_printf(&b, "Receipt confirmed by %s: escrow released to the seller", by);
	} else if (strcmp(kind, "disputed") == 0) {
		kbuf_printf(&b, "Disputed by %s", by);
		if (json_str(body, "reason"))
			kbuf_printf(&b, ": %s", json_str(body, "reason"));
	} else if (strcmp(kind, "ruling") == 0) {
		ui_money(json_int(body, "buyerAmount"), cur, a1);
		ui_money(json_int(body, "sellerAmount"), cur, a2);
		kbuf_printf(&b, "Ruling by the arbitrator: %s to the buyer, %s to the seller", a1,
		            a2);
		if (json_str(body, "note"))
			kbuf_printf(&b, " (%s)", json_str(body, "note"));
	} else if (strcmp(kind, "released") == 0) {
		kbuf_puts(&b, "Escrow released to the seller");
		amount_said(&b, body, cur);
		if (json_str(body, "note"))
			kbuf_printf(&b, " (%s)", json_str(body, "note"));
	} else if (strcmp(kind, "refunded") == 0) {
		kbuf_puts(&b, "Refunded to the buyer");
		amount_said(&b, body, cur);
	} else if (strcmp(kind, "cancelled") == 0) {
		kbuf_printf(&b, "Cancelled by %s", by);
		if (json_str(body, "reason"))
			kbuf_printf(&b, ": %s", json_str(body, "reason"));
	} else {
		kbuf_printf(&b, "%s by %s", kind, by);
	}
	struct kbuf safe = KBUF_INIT;
	text_sanitize(&safe, kbuf_str(&b), b.len, 0);
	kbuf_free(&b);
	return kbuf_detach(&safe, NULL);
}

static void rating_line(struct kstrv *lines, const cJSON *r, const char *who, const char *whom,
                        int width)
{
	if (!cJSON_IsObject(r))
		return;
	struct kbuf b = KBUF_INIT;
	int64_t stars = json_int(r, "stars");
	if (stars < 0 || stars > 5)
		stars = 0;
	kbuf_printf(&b, "The %s rated the %s %lld/5 ", who, whom, (long long)stars);
	for (int i = 0; i < 5; i++)
		kbuf_puts(&b, i < stars ? "★" : "☆");
	const char *parts[] = {"quality", "delivery", "communication"};
	int any = 0;
	for (int i = 0; i < 3; i++)
		if (cJSON_GetObjectItemCaseSensitive(r, parts[i])) {
			kbuf_printf(&b, "%s%s %lld", any ? ", " : " (", parts[i],
			            (long long)json_int(r, parts[i]));
			any = 1;
		}
	if (any)
		kbuf_puts(&b, ")");
	if (json_str(r, "text"))
		kbuf_printf(&b, ": %s", json_str(r, "text"));
	push_wrapped(lines, kbuf_str(&b), width, "  ");
	kbuf_free(&b);
}

int ui_order_takes_event(const struct trade_order *o)
{
	return !o->buyer && strcmp(o->state, "shipped") == 0;
}

/* The goods of an order's contract (its latest offer) under the label "Goods", an item a
 * row ("400 pieces × Iron table legs at 13.00 USD"); with all, its charges and shipping terms
 * after. Nothing when the contract is not in the cache or its terms do not read. */
static void goods_fields(const cJSON *doc, int cols, int all, int width, struct kstrv *lines)
{
	struct contract_terms terms;
	struct kerr e = {0};
	if (contract_latest_terms(doc, &terms, &e) != K_OK) {
		contract_terms_free(&terms);
		return;
	}
	struct kbuf b = KBUF_INIT;
	for (size_t i = 0; i < terms.nitems; i++) {
		kbuf_reset(&b);
		contract_item_words(&terms, i, &b);
		ui_field(lines, cols, i ? "" : "Goods", kbuf_str(&b), width);
	}
	if (all) {
		kbuf_reset(&b);
		contract_charges_words(&terms, &b);
		if (b.len)
			ui_field(lines, cols, "Charges", kbuf_str(&b), width);
		kbuf_reset(&b);
		contract_shipping_words(&terms, &b);
		ui_field(lines, cols, "Terms", kbuf_str(&b), width);
	}
	kbuf_free(&b);
	contract_terms_free(&terms);
}

void ui_order_goods(struct ui *u, const struct trade_order *o, int cols, int width,
                    struct kstrv *lines)
{
	cJSON *doc = contract_of(u, o->contract_id);
	goods_fields(doc, cols, 0, width, lines);
	cJSON_Delete(doc);
}

void ui_order_build(struct ui *u, int width)
{
	struct ui_trade *t = ui_trade(u);
	struct ui_view *v = ui_build_begin(u, VIEW_ORDER, t->order_id, width);
	if (!v)
		return;
	t->order_actions[0] = '\0';
	cJSON *obj = NULL;
	const struct trade_order *o = find_order(u, t->order_id);
	if (!o || store_object_get(u->s, "Order", t->order_id, &obj, NULL) != K_OK) {
		kstrv_push(&v->lines, "This order is no longer in the cache (:sync fetches it).");
		snprintf(t->order_actions, sizeof t->order_actions, "Actions: none");
		cJSON_Delete(obj);
		ui_view_set_rows(u, v, (int)v->lines.n);
		return;
	}
	struct kbuf b = KBUF_INIT;
	char total[UI_MONEY_MAX], escrow[UI_MONEY_MAX], when[32], when2[32];
	ui_money(o->total, o->currency, total);
	ui_money(json_int(obj, "escrow"), o->currency, escrow);
	kbuf_printf(&b, "%s — next: %s", state_words(o->state), o->next);
	ui_field(&v->lines, FIELD_COLS, "State", kbuf_str(&b), width);
	kbuf_reset(&b);
	kbuf_printf(&b, "the %s; %s %s", o->buyer ? "buyer" : "seller",
	            o->buyer ? "buying from" : "selling to", o->peer);
	ui_field(&v->lines, FIELD_COLS, "You", kbuf_str(&b), width);
	kbuf_reset(&b);
	/* paid / due / remaining as the rules count them: one stage on the Total line (it
	 * fits 80 columns), more on a line of their own and one line per stage */
	cJSON *doc = contract_of(u, o->contract_id);
	struct order_terms ot;
	struct order_progress op;
	rules_of(o, doc, &ot, &op);
	char m1[UI_MONEY_MAX], m2[UI_MONEY_MAX], m3[UI_MONEY_MAX];
	int64_t due_now = order_due_now(&ot, &op), left = order_remaining(&ot, &op);
	ui_money(op.paid, o->currency, m1);
	ui_money(due_now, o->currency, m2);
	ui_money(left, o->currency, m3);
	kbuf_printf(&b, "%s   in escrow %s", total, escrow);
	if (ot.nstages <= 1 && left <= 0) {
		kbuf_puts(&b, "   paid in full");
	} else if (ot.nstages <= 1 && due_now > 0) {
		kbuf_printf(&b, "   due now %s", m2);
	} else if (ot.nstages <= 1 && op.stages_paid < ot.nstages) {
		char due[ORDER_DUE_LEN];
		order_due_words(&ot.stages[op.stages_paid], due);
		kbuf_printf(&b, "   %s to pay %s", m3, due);
	}
	ui_field(&v->lines, FIELD_COLS, "Total", kbuf_str(&b), width);
	kbuf_reset(&b);
	if (ot.nstages > 1) {
		kbuf_printf(&b, "paid %s · due now %s · remaining %s", m1, m2, m3);
		ui_field(&v->lines, FIELD_COLS, "Payment", kbuf_str(&b), width);
		kbuf_reset(&b);
	}
	for (size_t i = 0; ot.nstages > 1 && i < ot.nstages; i++) {
		char w[ORDER_WORDS_LEN], at[ORDER_STANDING_LEN];
		order_stage_words(&ot, i, w);
		kbuf_printf(&b, "%s: %s", w, order_stage_standing(&ot, &op, i, at));
		push_wrapped(&v->lines, kbuf_str(&b), width, "           "); /* under its column */
		kbuf_reset(&b);
	}
	if (o->cancel_by[0]) {
		const cJSON *cr = cJSON_GetObjectItemCaseSensitive(obj, "cancelRequest");
		ui_local_time(json_str(cr, "at"), when, sizeof when);
		kbuf_printf(
		    &b, "asked by the %s on %s; it takes effect when the %s signs it too (x)",
		    o->cancel_by, when, strcmp(o->cancel_by, "buyer") == 0 ? "seller" : "buyer");
		ui_field(&v->lines, FIELD_COLS, "Cancel", kbuf_str(&b), width);
		kbuf_reset(&b);
	}
	ui_local_time(json_str(obj, "created"), when, sizeof when);
	ui_local_time(json_str(obj, "updated"), when2, sizeof when2);
	kbuf_printf(&b, "%s   updated %s", when, when2);
	ui_field(&v->lines, FIELD_COLS, "Created", kbuf_str(&b), width);
	kbuf_reset(&b);
	char rel_at[ORDER_TIME_LEN + 1], rel[sizeof when], settled[ORDER_SETTLED_LEN];
	if (order_settled_words(&op, o->currency, settled)) { /* where the money went */
		kbuf_printf(&b, "%s", settled);
	} else if (inbox_order_release_at(obj, rel_at)) { /* delivered: the day itself */
		ui_local_time(rel_at, rel, sizeof rel);
		kbuf_printf(&b,
		            "released to the seller on %s (%lld days after delivery) unless "
		            "disputed",
		            rel, (long long)json_int(obj, "autoReleaseDays"));
	} else {
		kbuf_printf(&b, "released to the seller %lld days after delivery%s unless disputed",
		            (long long)json_int(obj, "autoReleaseDays"),
		            /* the rules release nothing while a stage is unpaid */
		            op.stages_paid < ot.nstages ? " once every stage is paid," : "");
	}
	ui_field(&v->lines, FIELD_COLS, "Escrow", kbuf_str(&b), width);
	goods_fields(doc, FIELD_COLS, 1, width, &v->lines);
	kbuf_reset(&b);
	ui_field(&v->lines, FIELD_COLS, "Order", o->id, width);
	kbuf_printf(&b, "%s%s", o->contract_id[0] ? o->contract_id : "-",
	            doc ? "" : " (not in the cache)");
	ui_field(&v->lines, FIELD_COLS, "Contract", kbuf_str(&b), width);

	/* the timeline: contract events and shipment events, oldest first */
	kstrv_push(&v->lines, "");
	kstrv_push(&v->lines, "Timeline");
	struct tl_item *items = NULL;
	size_t n = 0, cap = 0;
	const cJSON *sec, *secs = doc ? cJSON_GetObjectItemCaseSensitive(doc, "sections") : NULL;
	cJSON_ArrayForEach(sec, (cJSON_IsArray(secs) ? secs : NULL))
	{
		if (strcmp(sec_kind(sec), "offer") == 0)
			continue;
		if (n == cap)
			items = xrealloc(items, (cap = cap ? cap * 2 : 16) * sizeof *items);
		cJSON *body = cJSON_Parse(json_str(sec, "body") ? json_str(sec, "body") : "");
		snprintf(items[n].at, sizeof items[n].at, "%s",
		         json_str(body, "at") ? json_str(body, "at") : "");
		items[n].text = section_words(sec, body, o->currency);
		items[n].seq = (int)n;
		n++;
		cJSON_Delete(body);
	}
	const cJSON *sh = cJSON_GetObjectItemCaseSensitive(obj, "shipment");
	const cJSON *ev, *evs = cJSON_GetObjectItemCaseSensitive(sh, "events");
	int nev = 0;
	cJSON_ArrayForEach(ev, (cJSON_IsArray(evs) ? evs : NULL))
	{
		if (nev++ >= DCSA_MAX_EVENTS)
			break;
		if (n == cap)
			items = xrealloc(items, (cap = cap ? cap * 2 : 16) * sizeof *items);
		char w[400];
		dcsa_words(ev, o->mode, w, sizeof w);
		struct kbuf x = KBUF_INIT;
		kbuf_printf(&x, "Shipment: %s", w);
		snprintf(items[n].at, sizeof items[n].at, "%s",
		         json_str(ev, "at") ? json_str(ev, "at") : "");
		items[n].text = kbuf_detach(&x, NULL);
		items[n].seq = (int)n;
		n++;
	}
	if (n)
		qsort(items, n, sizeof *items, tl_cmp);
	for (size_t i = 0; i < n; i++) {
		ui_local_time(items[i].at, when, sizeof when);
		/* what happened goes on under itself, the times alone in their column */
		ui_time_field(&v->lines, "  ", when, items[i].text, width);
		free(items[i].text);
	}
	free(items);
	if (!n)
		kstrv_push(&v->lines,
		           doc ? "  nothing has happened yet since the offer bound"
		               : "  the contract is not in the cache (:sync fetches it)");
	const cJSON *ans = cJSON_GetObjectItemCaseSensitive(obj, "answer");
	if (cJSON_IsObject(ans) && json_str(ans, "text")) {
		/* the other party's side of the dispute, as the arbitrator reads it */
		const char *bid = json_str(obj, "buyerId"), *from = json_str(ans, "from");
		ui_local_time(json_str(ans, "created"), when, sizeof when);
		kbuf_reset(&b);
		kbuf_printf(&b, "The %s answered the dispute (%s): %s",
		            from && bid && strcmp(from, bid) == 0 ? "buyer" : "seller", when,
		            json_str(ans, "text"));
		kstrv_push(&v->lines, "");
		push_wrapped(&v->lines, kbuf_str(&b), width, "  ");
	}
	const cJSON *ratings = cJSON_GetObjectItemCaseSensitive(obj, "ratings");
	if (cJSON_IsObject(ratings) && cJSON_GetArraySize(ratings) > 0) {
		kstrv_push(&v->lines, "");
		kstrv_push(&v->lines, "Ratings");
		rating_line(&v->lines, cJSON_GetObjectItemCaseSensitive(ratings, "buyer"), "buyer",
		            "seller", width);
		rating_line(&v->lines, cJSON_GetObjectItemCaseSensitive(ratings, "seller"),
		            "seller", "buyer", width);
	}
	/* the actions this state and role allow, and nothing else */
	kbuf_reset(&b);
	kbuf_puts(&b, "Actions:");
	int any = 0;
	for (size_t i = 0; i < sizeof order_acts / sizeof order_acts[0]; i++) {
		char why[200];
		if (refusal(o, order_acts[i].act, obj, doc, &ot, &op, why, sizeof why))
			continue;
		char key[16];
		ui_key_of("order", order_acts[i].act, order_acts[i].key, key, sizeof key);
		/* D on an order the other party disputed gives her side */
		int answer = order_acts[i].act == ACT_DISPUTE &&
		             order_state_parse(o->state) == ORDER_DISPUTED;
		kbuf_printf(&b, "%s %s %s", any ? " ·" : "", key,
		            answer ? "answer" : order_acts[i].word);
		any = 1;
	}
	if (ui_order_takes_event(o)) { /* e: a shipment event, the Order's (eventpick.c) */
		char key[16];
		ui_key_of("order", ACT_EVENT, "e", key, sizeof key);
		kbuf_printf(&b, "%s %s event", any ? " ·" : "", key);
		any = 1;
	}
	if (!any)
		kbuf_printf(&b, " none for you now (%s)", o->next);
	kbuf_puts(&b, "   q back");
	snprintf(t->order_actions, sizeof t->order_actions, "%s", kbuf_str(&b));
	cJSON_Delete(doc);
	cJSON_Delete(obj);
	kbuf_free(&b);
	ui_view_set_rows(u, v, (int)v->lines.n);
}

void ui_orders_empty(struct ui *u, struct kbuf *out)
{
	if (ui_self_supplier(u))
		kbuf_puts(out,
		          "No orders yet. An order comes when you sign a buyer's offer or a "
		          "buyer signs yours: offers waiting for you are in the Inbox (6), and Q "
		          "on an RFQ (8) offers to a buyer who asked.");
	else
		kbuf_puts(out, u->views[VIEW_ORDERS].ops->empty +
		                   strspn(u->views[VIEW_ORDERS].ops->empty, " "));
}

void ui_order_head(struct ui *u, int y)
{
	struct ui_trade *t = ui_trade(u);
	say_pending(u);
	const struct trade_order *o = find_order(u, t->order_id);
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "Order %.12s…  %s  %s %s", t->order_id,
	            o ? state_words(o->state) : "not in the cache",
	            o ? (o->buyer ? "from" : "to") : "", o ? o->peer : "");
	ui_head_row(u, y, kbuf_str(&b), u->a_head);
	ui_head_row(u, y + 1, t->order_actions, u->a_dim);
	kbuf_free(&b);
}

void ui_orders_open(struct ui *u, int i)
{
	struct ui_trade *t = ui_trade(u);
	if (i >= t->norders)
		return;
	ui_view_cursor(u, VIEW_ORDERS, i); /* q comes back to the list on it */
	ui_view_show_id(u, TAB_ORDERS, VIEW_ORDER, t->order_id, sizeof t->order_id,
	                t->orders[i].id);
}

/* --- outcomes ------------------------------------------------------------------- */

const char *ui_trade_contract_state(struct ui *u, const char *id)
{
	struct ui_trade *t = ui_trade(u);
	const char *state = NULL;
	for (int i = 0; i < t->ncontracts; i++) /* the last of the same id, as ever */
		if (strcmp(t->contracts[i].id, id) == 0)
			state = t->contracts[i].state;
	return state;
}

/* Where an order or a contract stands now, in words, for "pay: done — ...". */
static void standing(struct ui *u, const char *target, int sign, char *out, size_t cap)
{
	if (sign) {
		const char *state = ui_trade_contract_state(u, target);
		if (state)
			snprintf(out, cap, "the contract is %s", state);
		else
			snprintf(out, cap, "the contract is not in the list");
		return;
	}
	const struct trade_order *o = find_order(u, target);
	if (o)
		snprintf(out, cap, "the order is %s; next: %s", state_words(o->state), o->next);
	else
		snprintf(out, cap, "the order is not in the list");
}

struct pending_walk {
	const char *contract_id;
	int found;
	char error[400];
};

static int pending_one(void *vctx, const struct outbox_item *it)
{
	struct pending_walk *w = vctx;
	if (!it->method ||
	    (strcmp(it->method, "Contract/set") != 0 && strcmp(it->method, "Message/set") != 0) ||
	    !it->object_id || strcmp(it->object_id, w->contract_id) != 0)
		return 0;
	w->found = 1;
	if (it->last_error)
		snprintf(w->error, sizeof w->error, "%s", it->last_error);
	return 0;
}

/* A queued action: gone from the outbox is done, there with an error is refused. */
static void pending_check(struct ui *u)
{
	struct ui_trade *t = ui_trade(u);
	if (!t->pending_word[0])
		return;
	struct pending_walk w = {t->pending_contract, 0, ""};
	if (store_outbox_each(u->s, pending_one, &w, NULL) != K_OK)
		return;
	char where[160];
	if (w.found && w.error[0]) {
		snprintf(t->said, sizeof t->said, "error: %s refused by the node: %s",
		         t->pending_word, w.error);
	} else if (!w.found && t->pending_sign == 2) { /* a message: "message to X: sent" */
		char *name = ui_account_name(u, t->pending_target);
		snprintf(t->said, sizeof t->said, "%s to %s: sent", t->pending_word, name);
		free(name);
	} else if (!w.found) {
		standing(u, t->pending_target, t->pending_sign, where, sizeof where);
		snprintf(t->said, sizeof t->said, "%s: done — %s", t->pending_word, where);
	} else {
		return; /* still on its way */
	}
	t->pending_word[0] = '\0';
}

/* The outcome found by a reload, said when one of these screens draws its head: the
 * background sync's reload keeps the message line as it was. */
static void say_pending(struct ui *u)
{
	struct ui_trade *t = ui_trade(u);
	if (!t->said[0])
		return;
	ui_say_note(u, "%s", t->said);
	t->said[0] = '\0';
}

/* --- reloading ------------------------------------------------------------------ */

void ui_trade_reload(struct ui *u)
{
	ui_reload(u, VIEW_ORDERS, VIEW_SHIPMENT); /* the lists, then the one open of each */
	u->dirty |= DIRTY_BODY | DIRTY_HEAD;
}

void ui_order_reload(struct ui *u)
{
	struct ui_trade *t = ui_trade(u);
	pending_check(u); /* the lists are read: what a queued action came to */
	if (t->order_id[0])
		ui_order_build(u, COLS);
}

int ui_order_open_id(struct ui *u, const char *id)
{
	const struct trade_order *o = find_order(u, id);
	if (o)
		ui_orders_open(u, (int)(o - ui_trade(u)->orders));
	return o != NULL;
}

void ui_trade_free(struct ui *u)
{
	struct ui_trade *t = u->views[VIEW_ORDERS].priv;
	if (!t)
		return;
	for (int i = 0; i < t->norders; i++)
		order_free(&t->orders[i]);
	free(t->orders);
	free(t->ships);
	for (int i = 0; i < t->ncontracts; i++) {
		free(t->contracts[i].peer);
		free(t->contracts[i].product);
	}
	free(t->contracts);
	free(t);
	u->views[VIEW_ORDERS].priv = NULL;
}

/* --- actions: asked, confirmed, run as the batch command -------------------------- */

/* The y/n question, once the fields are in: it names what will happen. */
static void order_question(struct ui *u, const struct ui_ask_form *f, char *q, size_t cap)
{
	const struct trade_order *o = find_order(u, f->target);
	char total[UI_MONEY_MAX] = "?", held[UI_MONEY_MAX] = "?";
	/* the amounts the rules give: the stage due, what escrow holds */
	struct order_terms ot;
	struct order_progress op;
	memset(&ot, 0, sizeof ot);
	order_progress_start(&op);
	if (o) {
		cJSON *doc = contract_of(u, o->contract_id);
		rules_of(o, doc, &ot, &op);
		cJSON_Delete(doc);
		ui_money(o->total, o->currency, total);
		ui_money(op.escrow, o->currency, held);
	}
	const char *peer = o ? o->peer : "?";
	char *const *v = f->v;
	switch ((enum ui_action)f->act) {
	case ACT_PAY: {
		if (o && ot.nstages > 1 && op.stages_paid < ot.nstages) {
			char due[UI_MONEY_MAX], rest[UI_MONEY_MAX], w[ORDER_DUE_LEN];
			/* the next stage, due now or paid early while the goods travel */
			int64_t now = order_stage_amount(&ot, op.stages_paid);
			ui_money(now, o->currency, due);
			ui_money(order_remaining(&ot, &op) - now, o->currency, rest);
			order_due_words(&ot.stages[op.stages_paid], w);
			snprintf(q, cap,
			         "Pay stage %zu of %zu, %s (%lld%% %s%s)? %s remains after it.",
			         op.stages_paid + 1, ot.nstages, due,
			         (long long)ot.stages[op.stages_paid].pct, w,
			         order_due_now(&ot, &op) > 0 ? "" : ", not yet due", rest);
		} else {
			snprintf(q, cap, "Pay %s into escrow for this order?", total);
		}
		break;
	}
	case ACT_SHIP:
		snprintf(q, cap, "Ship this order with %s, tracking %s, by %s?", v[0], v[1], v[2]);
		break;
	case ACT_CONFIRM:
		snprintf(q, cap, "Confirm receipt and release %s to %s?", held, peer);
		break;
	case ACT_DISPUTE:
		if (o && order_state_parse(o->state) == ORDER_DISPUTED)
			snprintf(q, cap,
			         "Send your side to the node's arbitrator (escrow holds %s)?",
			         held);
		else
			snprintf(q, cap,
			         "Dispute this order (escrow of %s is frozen until a ruling)?",
			         held);
		break;
	case ACT_CANCEL:
		if (!o || !order_cancel_needs_both(order_state_parse(o->state)))
			snprintf(q, cap, "Cancel this order of %s with %s?", total, peer);
		else if (o->cancel_by[0])
			snprintf(q, cap, "Sign the %s's cancellation: %s goes back to the buyer?",
			         o->cancel_by, held);
		else
			snprintf(q, cap, "Ask %s to cancel (it takes effect when they sign too)?",
			         peer);
		break;
	case ACT_RATE:
		snprintf(q, cap, "Rate %s %s/5%s?", peer, v[0],
		         v[1] && *v[1] ? " with your words" : "");
		break;
	default:
		break;
	}
}

void ui_trade_queued(struct ui *u, const char *word, const char *target, const char *contract,
                     int sign)
{
	struct ui_trade *t = ui_trade(u);
	snprintf(t->pending_word, sizeof t->pending_word, "%s", word);
	snprintf(t->pending_target, sizeof t->pending_target, "%s", target);
	snprintf(t->pending_contract, sizeof t->pending_contract, "%s", contract);
	t->pending_sign = sign;
	t->said[0] = '\0';
}

void ui_trade_run(struct ui *u, enum ui_action act, const char *target_id, char *const *v)
{
	char target[UI_TRADE_ID];
	snprintf(target, sizeof target, "%s", target_id);
	char *argv[16];
	int argc = 0;
	const struct order_verb *oa = verb_of(act);
	if (!oa && act != ACT_SIGN)
		return;
	argv[argc++] = act == ACT_SIGN ? "contract" : "order";
	argv[argc++] = (char *)(act == ACT_SIGN ? "sign" : oa->word);
	argv[argc++] = target;
	if (act == ACT_SHIP) {
		argv[argc++] = "--carrier";
		argv[argc++] = v[0];
		argv[argc++] = "--tracking";
		argv[argc++] = v[1];
		argv[argc++] = "--mode";
		argv[argc++] = v[2];
	} else if (act == ACT_DISPUTE) {
		argv[argc++] = "--reason";
		argv[argc++] = v[0];
	} else if (act == ACT_CANCEL && v[0] && *v[0]) {
		argv[argc++] = "--reason";
		argv[argc++] = v[0];
	} else if (act == ACT_RATE) {
		argv[argc++] = "--stars";
		argv[argc++] = v[0];
		if (v[1] && *v[1]) {
			argv[argc++] = "--text";
			argv[argc++] = v[1];
		}
	}
	argv[argc] = NULL;
	const char *word = argv[1];
	char contract_id[UI_TRADE_ID] = "";
	const struct trade_order *o = act == ACT_SIGN ? NULL : find_order(u, target);
	snprintf(contract_id, sizeof contract_id, "%s",
	         act == ACT_SIGN ? target
	         : o             ? o->contract_id
	                         : "");
	/* the same command batch mode runs; the screens re-read the cache after it
	 * (ui_run_command calls ui_trade_reload) */
	struct ui_ran ran;
	int rc = ui_run_command(u, argc, argv, &ran);
	/* its outcome in a few words, from the command's result and error, never its text */
	char where[160];
	if (rc == K_OK) {
		standing(u, target, act == ACT_SIGN, where, sizeof where);
		ui_say_note(u, "%s: done — %s", word, where);
	} else if (rc == K_EQUEUED) {
		ui_say_note(u, "%s: queued — %s", word,
		            ran.e.msg[0] ? ran.e.msg : "it goes out with the next sync");
		ui_trade_queued(u, word, target, contract_id, act == ACT_SIGN);
	} else if (ran.error_type[0]) { /* the node's own word for it, as a field */
		ui_say_note(u, "error: %s refused (%s): %s", word, ran.error_type,
		            ran.e.msg[0] ? ran.e.msg : kstatus_str(rc));
	} else {
		ui_say_note(u, "error: %s refused: %s", word,
		            ran.e.msg[0] ? ran.e.msg : kstatus_str(rc));
	}
	u->dirty |= DIRTY_ALL;
}

static void order_run(struct ui *u, const struct ui_ask_form *f)
{
	ui_trade_run(u, (enum ui_action)f->act, f->target, f->v);
}

/* The order view's own keys (its ops->action): pay, ship, confirm, dispute, cancel, rate,
 * each refused with the reason the rules give, else asked (ask.c) and then run. */
int ui_order_action(struct ui *u, enum ui_action act)
{
	if (act == ACT_EVENT) { /* e: a shipment event (eventpick.c) */
		ui_open(u, VIEW_EVENTPICK, ui_trade(u)->order_id);
		return 1;
	}
	const struct order_verb *oa = verb_of(act);
	if (!oa)
		return 0;
	struct ui_trade *t = ui_trade(u);
	const struct trade_order *o = find_order(u, t->order_id);
	if (ui_cur_view(u) != &u->views[VIEW_ORDER] || !o) {
		/* a key bound in another view acts on no order by surprise */
		ui_say_note(u, "%s",
		            o ? "open an order first (tab 3, Enter)"
		              : "this order is no longer in the cache");
		return 1;
	}
	cJSON *obj = NULL, *doc = contract_of(u, o->contract_id);
	store_object_get(u->s, "Order", o->id, &obj, NULL);
	struct order_terms ot;
	struct order_progress op;
	char buf[200];
	rules_of(o, doc, &ot, &op);
	const char *why = refusal(o, act, obj, doc, &ot, &op, buf, sizeof buf);
	struct contract_terms terms;
	char mode[sizeof terms.mode] = "sea"; /* the offer's, as `order ship` takes it */
	struct kerr te = {0};
	if (contract_latest_terms(doc, &terms, &te) == K_OK && order_mode_valid(terms.mode))
		snprintf(mode, sizeof mode, "%s", terms.mode);
	contract_terms_free(&terms);
	cJSON_Delete(obj);
	cJSON_Delete(doc);
	int answering = act == ACT_DISPUTE && order_state_parse(o->state) == ORDER_DISPUTED;
	if (why) {
		/* the key does nothing but say why */
		ui_say_note(u, "%s: not now — %s (it is %s)", oa->word, why, state_words(o->state));
		return 1;
	}
	ui_ask_form(u, act, o->id);
	switch (act) {
	case ACT_SHIP:
		ui_ask_field(u, "carrier: ", ASK_TEXT, 0);
		ui_ask_field(u, "tracking number: ", ASK_TEXT, 0);
		snprintf(buf, sizeof buf,
		         "mode (sea air road rail courier; Enter: %s, the contract's): ", mode);
		ui_ask_field(u, buf, ASK_MODE, 0);
		ui_ask_default(u, mode);
		break;
	case ACT_DISPUTE:
		ui_ask_field(u,
		             answering ? "your side of the dispute (for the arbitrator): "
		                       : "what went wrong (for the arbitrator): ",
		             ASK_TEXT, 0);
		break;
	case ACT_CANCEL:
		ui_ask_field(u, "reason (optional, Enter skips): ", ASK_OPTIONAL, 0);
		break;
	case ACT_RATE:
		ui_ask_field(u, "stars 1-5: ", ASK_STARS, 0);
		ui_ask_field(u, "a few words (optional, Enter skips): ", ASK_OPTIONAL, 0);
		break;
	default:
		break;
	}
	ui_ask_form_go(u, order_question, order_run);
	return 1;
}
