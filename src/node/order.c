/* order — the Order type behind the API (DESIGN §6): an order is made when its contract's
 * offer becomes binding (contract.c calls norder_create inside that Contract/set), and it
 * moves only through signed event sections the parties append to the contract. The rules
 * of a trade — the states, who may take which step from where, the payment stages and the
 * money each step moves — are libkontor's (kontor/order.h), applied by contract_verify as
 * it replays the document: by the time contract.c calls norder_event for a new section,
 * the rules have accepted it and said what it moves (struct contract_status). This file
 * keeps the Order object in step and posts the ledger:
 *
 *   funded     wallet:buyer -> escrow:<order>, the stage's amount (refused with
 *              insufficientFunds when the wallet holds less)
 *   confirmed  escrow:<order> -> wallet:seller, all it holds
 *   cancelled  escrow:<order> -> wallet:buyer, all it holds (after funding, once both signed)
 *   ruling     escrow:<order> -> wallet:buyer + wallet:seller (`kontord admin resolve`)
 *   released   escrow:<order> -> wallet:seller (auto-release after autoReleaseDays)
 *
 * A step the rules refuse is a SetError whose description names the order's state
 * ("section 1 (shipped): order is awaiting_payment: ship needs funded"): type
 * "stateConflict" (DESIGN §6's 409, kept inside the JMAP 200 like every other SetError),
 * "insufficientFunds" when the buyer's wallet holds less than the stage. Ledger postings
 * use the event section's hash as their reference, so a retried /set posts once; what a
 * posting moves out of escrow is what the ledger says escrow holds, checked against what
 * the rules say it holds. The order is private to its buyer and seller (and its carrier may
 * add events). The escrow sections (ruling, released, delivered on a DLVD) are written by
 * the node itself, signed with its key (order_resolve, order_auto_release below), never
 * taken from a client.
 *
 * Besides the contract, Order/set takes three patches (order_update below): addEvents
 * (shipment events from the seller or the registered carrier; an actual DLVD makes the
 * node sign "delivered") rate (a signed Rating after completed or resolved, once per
 * party) and cancel (after funding: the first party's signed "cancelled" section waits as
 * cancelRequest until the other signs it too; then escrow:<order> -> wallet:buyer). */
#include "api_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kontor/canon.h"
#include "kontor/codes.h"
#include "kontor/contract.h"
#include "kontor/crypto.h"
#include "kontor/dcsa.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "kontor/model.h"
#include "kontor/money.h"
#include "kontor/order.h"

static const char *const order_props[] = {
    "id",       "contractId", "buyerId", "sellerId",        "listingId",   "state",
    "currency", "total",      "escrow",  "autoReleaseDays", "deliveredAt", "created",
    "updated",  "shipment",   "ratings", "cancelRequest",   "answer",      NULL,
};

/* ---------------------------------------------------------------- the transition table */

/* The rules' answer for one section kind signed in role from state, on the default terms
 * (one stage of 100% before shipment, paid once the order is funded): what a client's
 * section may do, for the tests of the table. The node's own sections (released, ruling,
 * refunded) are never a client's. */
int norder_next(const char *state, const char *kind, const char *role, const char **next,
                struct kerr *e)
{
	*next = NULL;
	int st = order_state_parse(state), step = order_step_parse(kind);
	unsigned bit = order_role_bit(role);
	if (step < 0)
		return kerr_set(e, K_EINVAL, "%s: not an order event", kind);
	if (!(order_step_roles(step) & (ORDER_BUYER | ORDER_SELLER)))
		return kerr_set(e, K_EPERM, "%s: only the escrow agent (this node) writes it",
		                kind);
	if (bit != ORDER_BUYER && bit != ORDER_SELLER)
		return kerr_set(e, K_EPERM, "%s: the %s may not %s an order", kind,
		                role ? role : "nobody", order_step_verb(step));
	if (st < 0)
		return kerr_set(e, K_EINVAL, "order is in no known state (%s)", state);
	struct order_terms t;
	struct order_progress p;
	order_assume(st, "USD", 100, &t, &p);
	struct order_act a;
	order_act_for(&t, &p, step, bit, &a);
	int rc = order_next(&t, &p, &a, NULL, e);
	if (rc == K_OK)
		*next = order_state_name((int)p.state);
	return rc;
}

/* ---------------------------------------------------------------- storing */

static int order_store(struct api_ctx *c, cJSON *o, struct api_seterr *se)
{
	struct kerr e = {0, ""};
	struct kbuf canon = KBUF_INIT;
	int rc = 0;
	if (model_validate("Order", o, &e) != K_OK)
		rc = api_setfail(se, "serverFail", NULL, "order: %s", e.msg);
	else if (api_canon(o, &canon, &e) != K_OK)
		rc = api_setfail(se, "serverFail", NULL, "order: %s", e.msg);
	else if (nstore_order_put(c->s, o, kbuf_str(&canon), &e) != K_OK)
		rc = api_setfail(se, "serverFail", NULL, "%s", e.msg);
	kbuf_free(&canon);
	return rc;
}

/* The binding offer section (its hash is order_id). */
static const cJSON *offer_of(const cJSON *doc, const char *order_id)
{
	const cJSON *sec, *secs = cJSON_GetObjectItemCaseSensitive(doc, "sections");
	cJSON_ArrayForEach(sec, secs)
	{
		const char *h = api_str(sec, "hash"), *k = api_str(sec, "kind");
		if (h && k && strcmp(k, "offer") == 0 && strcmp(h, order_id) == 0)
			return sec;
	}
	return NULL;
}

int norder_create(struct api_ctx *c, const cJSON *doc, const char *order_id, struct api_seterr *se)
{
	const cJSON *offer = offer_of(doc, order_id);
	if (!offer)
		return api_setfail(se, "serverFail", NULL, "order %.64s: no binding offer",
		                   order_id);
	struct contract_terms t;
	struct kerr e = {0, ""};
	if (contract_section_terms(offer, &t, &e) != K_OK)
		return api_setfail(se, "invalidProperties", "sections", "binding offer: %s", e.msg);
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", order_id);
	cJSON_AddStringToObject(o, "contractId", api_str(doc, "id") ? api_str(doc, "id") : "");
	cJSON_AddStringToObject(o, "buyerId", t.buyer);
	cJSON_AddStringToObject(o, "sellerId", t.seller);
	if (api_str(doc, "listingId"))
		cJSON_AddStringToObject(o, "listingId", api_str(doc, "listingId"));
	cJSON_AddStringToObject(o, "state", order_state_name(ORDER_AWAITING_PAYMENT));
	cJSON_AddStringToObject(o, "currency", t.currency);
	json_add_int(o, "total", t.total);
	json_add_int(o, "escrow", 0);
	json_add_int(o, "autoReleaseDays", t.auto_release_days);
	cJSON_AddStringToObject(o, "created", now);
	cJSON_AddStringToObject(o, "updated", now);
	contract_terms_free(&t);
	int rc = order_store(c, o, se);
	cJSON_Delete(o);
	return rc;
}

static int64_t int_of(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static int post_split(struct api_ctx *c, const cJSON *o, const char *kind, const char *memo,
                      const char *ref, int64_t buyer_amt, int64_t seller_amt, struct kerr *e);

/* What escrow:<order> holds in the ledger, which must be what the rules say it holds
 * (want): the money leaving escrow is the ledger's, and a disagreement is a node fault. */
static int escrow_holds(struct api_ctx *c, const cJSON *o, int64_t want, struct kerr *e)
{
	char escrow[NLEDGER_ACCOUNT_MAX + 1];
	int64_t bal = 0;
	snprintf(escrow, sizeof escrow, "escrow:%s", api_str(o, "id"));
	int rc = nledger_balance(c->s, escrow, api_str(o, "currency"), &bal, e);
	if (rc == K_OK && bal != want)
		rc = kerr_set(e, K_EFAIL,
		              "order %.64s: escrow holds %" PRId64 " in the ledger but %" PRId64
		              " by its contract",
		              api_str(o, "id"), bal, want);
	return rc;
}

/* The money one step moves (the rules' effect), the section's hash as the reference:
 * wallet:buyer -> escrow:<order> for a payment, escrow out to the seller, the buyer or
 * both for a release, refund or split. */
static int post_money(struct api_ctx *c, const cJSON *o, const char *kind, const char *ref, int idx,
                      const struct order_effect *fx, struct api_seterr *se)
{
	const char *id = api_str(o, "id"), *cur = api_str(o, "currency");
	const char *buyer = api_str(o, "buyerId");
	char wallet[NLEDGER_ACCOUNT_MAX + 1], escrow[NLEDGER_ACCOUNT_MAX + 1];
	char memo[NLEDGER_MEMO_MAX + 1];
	struct kerr e = {0, ""};
	int rc = K_OK;
	snprintf(escrow, sizeof escrow, "escrow:%s", id);
	snprintf(wallet, sizeof wallet, "wallet:%s", buyer);
	switch (fx->money) {
	case ORDER_MONEY_FUND: {
		if (fx->amount <= 0)
			return 0; /* nothing to move (a free order) */
		int64_t have = 0;
		if (nledger_balance(c->s, wallet, cur, &have, &e) != K_OK)
			return api_setfail(se, "serverFail", NULL, "%s", e.msg);
		if (have < fx->amount) {
			char need[MONEY_FMT_MAX], got[MONEY_FMT_MAX]; /* words for a person */
			money_text(fx->amount, cur, need);
			money_text(have, cur, got);
			return api_setfail(
			    se, "insufficientFunds", "sections",
			    "section %d (funded): order is %s: paying needs %s %s in "
			    "your wallet; it holds %s %s",
			    idx, api_str(o, "state") ? api_str(o, "state") : "?", need, cur, got,
			    cur);
		}
		struct nentry en[2] = {
		    {wallet, cur, -fx->amount, NULL},
		    {escrow, cur, fx->amount, buyer},
		};
		if (fx->stage_to - fx->stage_from == 1)
			snprintf(memo, sizeof memo, "order %s funded: stage %zu", id, fx->stage_to);
		else
			snprintf(memo, sizeof memo, "order %s funded", id);
		struct ntx tx = {"escrow_fund", memo, ref, en, 2};
		rc = nledger_post(c->s, &tx, NULL, NULL, &e);
		if (rc == K_ECONFLICT)
			return api_setfail(se, "insufficientFunds", "sections",
			                   "section %d (%s): %s", idx, kind, e.msg);
		break;
	}
	case ORDER_MONEY_RELEASE:
		snprintf(memo, sizeof memo, "order %s released to the seller", id);
		if ((rc = escrow_holds(c, o, fx->amount, &e)) == K_OK)
			rc = post_split(c, o, "escrow_release", memo, ref, 0, fx->amount, &e);
		break;
	case ORDER_MONEY_REFUND:
		snprintf(memo, sizeof memo, "order %s %s: refunded to the buyer", id, kind);
		if ((rc = escrow_holds(c, o, fx->amount, &e)) == K_OK)
			rc = post_split(c, o, "escrow_refund", memo, ref, fx->amount, 0, &e);
		break;
	case ORDER_MONEY_SPLIT:
		snprintf(memo, sizeof memo, "order %s ruled", id);
		if ((rc = escrow_holds(c, o, fx->to_buyer + fx->to_seller, &e)) == K_OK)
			rc = post_split(c, o, "escrow_ruling", memo, ref, fx->to_buyer,
			                fx->to_seller, &e);
		break;
	default:
		break;
	}
	if (rc != K_OK)
		return api_setfail(se, "serverFail", NULL, "section %d (%s): %s", idx, kind, e.msg);
	return 0;
}

/* ---------------------------------------------------------------- the shipment */

/* The order's shipment, made from the "shipped" section's fields: carrier, tracking number
 * and mode (else the binding offer's shipmentMode); the offer's named place (origin or
 * destination by its Incoterm). Events come later (order_add_events). */
static void shipment_from_section(cJSON *o, const cJSON *doc, const cJSON *sec)
{
	cJSON *body = cJSON_Parse(api_str(sec, "body") ? api_str(sec, "body") : "");
	const char *carrier = api_str(body, "carrier"), *tracking = api_str(body, "trackingNumber");
	const char *smode = api_str(body, "mode");
	if (carrier && tracking) {
		cJSON *sh = cJSON_CreateObject();
		cJSON_AddStringToObject(sh, "carrier", carrier);
		cJSON_AddStringToObject(sh, "trackingNumber", tracking);
		char mode[8] = "";
		if (order_mode_valid(smode))
			snprintf(mode, sizeof mode, "%s", smode);
		const cJSON *offer = offer_of(doc, api_str(o, "id"));
		struct contract_terms t;
		struct kerr e = {0, ""};
		if (offer && contract_section_terms(offer, &t, &e) == K_OK) {
			if (!*mode)
				snprintf(mode, sizeof mode, "%s", t.mode);
			/* The Incoterm's named place is where the seller's part ends: the
			 * origin side for E- and F-terms, the destination for C- and D-terms. */
			int origin_side = t.incoterm[0] == 'E' || t.incoterm[0] == 'F';
			if (t.named_place && *t.named_place)
				cJSON_AddStringToObject(sh, origin_side ? "origin" : "destination",
				                        t.named_place);
			contract_terms_free(&t);
		}
		if (*mode)
			cJSON_AddStringToObject(sh, "mode", mode);
		cJSON_AddArrayToObject(sh, "events");
		cJSON_DeleteItemFromObjectCaseSensitive(o, "shipment");
		cJSON_AddItemToObject(o, "shipment", sh);
	}
	cJSON_Delete(body);
}

/* The step a section states: its kind, its signers' roles, the amounts in its body. */
static void act_of(const cJSON *sec, struct order_act *a)
{
	memset(a, 0, sizeof *a);
	a->step = order_step_parse(api_str(sec, "kind"));
	a->amount = a->to_buyer = a->to_seller = -1;
	const cJSON *sg, *sigs = cJSON_GetObjectItemCaseSensitive(sec, "signatures");
	cJSON_ArrayForEach(sg, (cJSON_IsArray(sigs) ? sigs : NULL)) a->roles |=
	    order_role_bit(api_str(sg, "role"));
	cJSON *body = cJSON_Parse(api_str(sec, "body") ? api_str(sec, "body") : "");
	const cJSON *v;
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(body, "amount")))
		a->amount = (int64_t)v->valuedouble;
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(body, "stage")))
		a->stage = (int64_t)v->valuedouble;
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(body, "buyerAmount")))
		a->to_buyer = (int64_t)v->valuedouble;
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(body, "sellerAmount")))
		a->to_seller = (int64_t)v->valuedouble;
	cJSON_Delete(body);
}

/* Where the order stood before section idx: the contract replayed through the rules up to
 * it (doc already passed contract_verify), or, without a document, the Order's state on
 * the default terms. */
static int order_before(const cJSON *doc, const cJSON *o, int idx, struct order_terms *t,
                        struct order_progress *p, struct kerr *e)
{
	if (!doc) {
		order_assume(order_state_parse(api_str(o, "state")), api_str(o, "currency"),
		             int_of(o, "total"), t, p);
		return K_OK;
	}
	struct contract_status *st = xcalloc(1, sizeof *st);
	int rc = contract_verify(doc, st, e);
	if (rc == K_OK && (st->binding < 0 || idx <= st->binding || idx >= (int)st->nsections))
		rc = kerr_set(e, K_EINVAL, "section %d: not an event after the binding offer", idx);
	if (rc == K_OK) {
		*t = st->terms;
		*p = st->after[idx - 1];
	}
	free(st);
	return rc;
}

/* One new event section idx of the order's contract: the rules asked again from where the
 * order stood before it (a step they refuse is a SetError naming the state), the money it
 * moves posted, and the Order kept in step: state, escrow, the auto-release clock, the
 * shipment. */
int norder_event(struct api_ctx *c, const cJSON *doc, const char *order_id, int idx,
                 const cJSON *sec, struct api_seterr *se)
{
	const char *kind = api_str(sec, "kind"), *hash = api_str(sec, "hash");
	if (!kind || !hash || strcmp(kind, "offer") == 0)
		return 0;
	if (!order_id || !*order_id) /* a cancelled offer before it bound: no order */
		return 0;
	struct nobj ob = {KBUF_INIT, "", ""};
	cJSON *o = api_load(c, NT_ORDER, order_id, &ob);
	nobj_free(&ob);
	if (!o) { /* bound before orders existed on this node: made now */
		int rc = norder_create(c, doc, order_id, se);
		if (rc)
			return rc;
		o = api_load(c, NT_ORDER, order_id, &ob);
		nobj_free(&ob);
		if (!o)
			return api_setfail(se, "serverFail", NULL, "order %.64s vanished",
			                   order_id);
	}
	struct order_terms t;
	struct order_progress p;
	struct order_act a;
	struct order_effect fx;
	struct kerr e = {0, ""};
	int rc = 0;
	act_of(sec, &a);
	if (order_before(doc, o, idx, &t, &p, &e) != K_OK)
		rc = api_setfail(se, "serverFail", NULL, "section %d (%s): %s", idx, kind, e.msg);
	else if (order_next(&t, &p, &a, &fx, &e) != K_OK)
		rc = api_setfail(se,
		                 e.code == K_EPERM       ? "forbidden"
		                 : e.code == K_ECONFLICT ? "stateConflict"
		                                         : "invalidProperties",
		                 "sections", "section %d (%s): %s", idx, kind, e.msg);
	if (!rc)
		rc = post_money(c, o, kind, hash, idx, &fx, se);
	if (!rc) {
		char now[MODEL_TIME_LEN + 1];
		model_now(now);
		api_set_str(o, "state", order_state_name((int)p.state));
		/* escrow = funded - released - refunded, as the rules count it */
		cJSON_DeleteItemFromObjectCaseSensitive(o, "escrow");
		json_add_int(o, "escrow", p.escrow);
		if (strcmp(kind, "delivered") == 0) /* the auto-release clock starts */
			api_set_str(o, "deliveredAt", now);
		if (strcmp(kind, "shipped") == 0)
			shipment_from_section(o, doc, sec);
		/* a cancellation waiting for a signature is stale once the chain moves */
		cJSON_DeleteItemFromObjectCaseSensitive(o, "cancelRequest");
		api_set_str(o, "updated", now);
		rc = order_store(c, o, se);
	}
	cJSON_Delete(o);
	return rc;
}

/* ---------------------------------------------------------------- the node as escrow agent */

static int order_put_e(struct nstore *s, const cJSON *o, struct kerr *e)
{
	struct kbuf canon = KBUF_INIT;
	int rc = model_validate("Order", o, e);
	if (rc == K_OK)
		rc = api_canon(o, &canon, e);
	if (rc == K_OK)
		rc = nstore_order_put(s, o, kbuf_str(&canon), e);
	kbuf_free(&canon);
	return rc;
}

/* Appends a section of kind (body: prev, at = now, extra) signed as escrow with the node
 * key to doc, checks the whole document again and stores it. hash gets the section's. */
static int escrow_append(struct api_ctx *c, cJSON *doc, const char *order_id, const char *kind,
                         const cJSON *extra, char hash[KCRYPTO_HASH_B64_LEN + 1], struct kerr *e)
{
	char tip[KCRYPTO_HASH_B64_LEN + 1], now[MODEL_TIME_LEN + 1];
	cJSON *body = NULL, *sec = NULL;
	struct contract_status st;
	struct kbuf canon = KBUF_INIT;
	model_now(now);
	int rc = contract_tip(doc, tip, e);
	if (rc == K_OK)
		rc = contract_event_body(tip, now, extra, &body, e);
	if (rc == K_OK)
		rc = contract_section_make(kind, body, &sec, e);
	if (rc == K_OK)
		rc = contract_section_sign(sec, "escrow", &c->n->key, e);
	if (rc == K_OK) {
		snprintf(hash, KCRYPTO_HASH_B64_LEN + 1, "%s", api_str(sec, "hash"));
		rc = contract_append(doc, sec, e);
		sec = NULL; /* the document's now, also on failure */
	}
	if (rc == K_OK && (rc = contract_verify(doc, &st, e)) != K_OK)
		kerr_prefix(e, "the contract with the node's %s section", kind);
	if (rc == K_OK && strcmp(st.order_id, order_id) != 0)
		rc = kerr_set(e, K_EFAIL, "contract %s is not bound to order %s",
		              api_str(doc, "id") ? api_str(doc, "id") : "?", order_id);
	if (rc == K_OK)
		rc = canon_write(doc, &canon, e);
	if (rc == K_OK)
		rc = nstore_contract_put(c->s, doc, kbuf_str(&canon), "binding", order_id, e);
	kbuf_free(&canon);
	cJSON_Delete(sec);
	cJSON_Delete(body);
	return rc;
}

/* The order and its contract, inside the caller's transaction. */
static int load_pair(struct api_ctx *c, const char *order_id, cJSON **o, cJSON **doc,
                     struct kerr *e)
{
	struct nobj ob = {KBUF_INIT, "", ""};
	*doc = NULL;
	*o = strlen(order_id) <= NSTORE_ID_MAX ? api_load(c, NT_ORDER, order_id, &ob) : NULL;
	nobj_free(&ob);
	if (!*o)
		return kerr_set(e, K_ENOTFOUND, "no order %.64s on this node", order_id);
	const char *kid = api_str(*o, "contractId");
	*doc = kid ? api_load(c, NT_CONTRACT, kid, &ob) : NULL;
	nobj_free(&ob);
	if (!*doc)
		return kerr_set(e, K_EFAIL, "order %.64s: its contract %.64s is missing", order_id,
		                kid ? kid : "?");
	return K_OK;
}

/* escrow:<order> -> buyer and seller (either may be 0), referenced by ref. */
static int post_split(struct api_ctx *c, const cJSON *o, const char *kind, const char *memo,
                      const char *ref, int64_t buyer_amt, int64_t seller_amt, struct kerr *e)
{
	const char *id = api_str(o, "id"), *cur = api_str(o, "currency");
	char escrow[NLEDGER_ACCOUNT_MAX + 1], wb[NLEDGER_ACCOUNT_MAX + 1],
	    ws[NLEDGER_ACCOUNT_MAX + 1];
	snprintf(escrow, sizeof escrow, "escrow:%s", id);
	snprintf(wb, sizeof wb, "wallet:%s", api_str(o, "buyerId"));
	snprintf(ws, sizeof ws, "wallet:%s", api_str(o, "sellerId"));
	struct nentry en[3];
	size_t k = 0;
	en[k++] = (struct nentry){escrow, cur, -(buyer_amt + seller_amt), api_str(o, "buyerId")};
	if (buyer_amt > 0)
		en[k++] = (struct nentry){wb, cur, buyer_amt, NULL};
	if (seller_amt > 0)
		en[k++] = (struct nentry){ws, cur, seller_amt, NULL};
	if (k < 2)
		return K_OK; /* an empty escrow: nothing moves */
	struct ntx tx = {kind, memo, ref, en, k};
	return nledger_post(c->s, &tx, NULL, NULL, e);
}

static void set_settled(cJSON *o, const char *state)
{
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	api_set_str(o, "state", state);
	cJSON_DeleteItemFromObjectCaseSensitive(o, "escrow");
	json_add_int(o, "escrow", 0);
	cJSON_DeleteItemFromObjectCaseSensitive(o, "cancelRequest"); /* settled: nothing waits */
	api_set_str(o, "updated", now);
}

int order_resolve(struct node *n, const char *order_id, int buyer_pct, const char *note,
                  struct order_ruling *out, struct kerr *e)
{
	struct api_ctx c = {n, n->store, NULL, NULL};
	memset(out, 0, sizeof *out);
	if (buyer_pct < 0 || buyer_pct > 100)
		return kerr_set(e, K_EINVAL, "--buyer-pct: must be 0 to 100, not %d", buyer_pct);
	int rc = nstore_begin(c.s, e);
	if (rc)
		return rc;
	cJSON *o = NULL, *doc = NULL, *x = NULL;
	rc = load_pair(&c, order_id, &o, &doc, e);
	const char *state = o && api_str(o, "state") ? api_str(o, "state") : "?";
	if (rc == K_OK && order_state_parse(state) != ORDER_DISPUTED)
		rc = kerr_set(e, K_ECONFLICT,
		              "order is %s: resolve needs disputed (only a disputed order is "
		              "ruled on)",
		              state);
	int64_t bal = 0;
	if (rc == K_OK) {
		snprintf(out->currency, sizeof out->currency, "%s", api_str(o, "currency"));
		char escrow[NLEDGER_ACCOUNT_MAX + 1];
		snprintf(escrow, sizeof escrow, "escrow:%s", order_id);
		rc = nledger_balance(c.s, escrow, out->currency, &bal, e);
	}
	if (rc == K_OK) {
		out->escrow = bal;
		out->buyer =
		    bal * buyer_pct / 100; /* rounded down: the remainder is the seller's */
		out->seller = bal - out->buyer;
		x = cJSON_CreateObject();
		json_add_int(x, "buyerAmount", out->buyer);
		json_add_int(x, "sellerAmount", out->seller);
		json_add_opt(x, "note", note);
		rc = escrow_append(&c, doc, order_id, "ruling", x, out->section, e);
	}
	if (rc == K_OK) {
		char memo[NLEDGER_MEMO_MAX + 1];
		snprintf(memo, sizeof memo, "order %s ruled: %d%% to the buyer", order_id,
		         buyer_pct);
		rc = post_split(&c, o, "escrow_ruling", memo, out->section, out->buyer, out->seller,
		                e);
	}
	if (rc == K_OK) {
		set_settled(o, order_state_name(ORDER_RESOLVED));
		rc = order_put_e(c.s, o, e);
	}
	rc = rc ? (nstore_rollback(c.s), rc) : nstore_commit(c.s, e);
	cJSON_Delete(x);
	cJSON_Delete(doc);
	cJSON_Delete(o);
	return rc;
}

struct dispute_row {
	struct order_dispute d;
	cJSON *o;
	char since[MODEL_TIME_LEN + 1], by[16];
	struct kbuf reason;
};

static int by_since(const void *a, const void *b)
{
	const struct dispute_row *x = a, *y = b;
	int c = strcmp(x->since, y->since);
	return c ? c : strcmp(x->d.id, y->d.id);
}

int order_disputes(struct node *n, order_dispute_fn each, void *ctx, struct kerr *e)
{
	struct api_ctx c = {n, n->store, NULL, NULL};
	struct kstrv ids = {0};
	int rc = nstore_orders_in_state(c.s, order_state_name(ORDER_DISPUTED), &ids, e);
	struct dispute_row *rows = ids.n ? xcalloc(ids.n, sizeof *rows) : NULL;
	size_t nrows = 0;
	for (size_t i = 0; rc == K_OK && i < ids.n; i++) {
		struct dispute_row *r = &rows[nrows];
		cJSON *doc = NULL;
		if (load_pair(&c, ids.v[i], &r->o, &doc, e) != K_OK) {
			cJSON_Delete(r->o); /* one order whose contract is gone: the others still */
			r->o = NULL;
			continue;
		}
		contract_dispute_of(doc, r->by, &r->reason, r->since);
		cJSON_Delete(doc);
		r->d = (struct order_dispute){
		    .id = api_str(r->o, "id"),
		    .buyer = api_str(r->o, "buyerId"),
		    .seller = api_str(r->o, "sellerId"),
		    .by = r->by,
		    .reason = kbuf_str(&r->reason),
		    .since = r->since,
		    .answer = api_str(cJSON_GetObjectItemCaseSensitive(r->o, "answer"), "text"),
		    .currency = api_str(r->o, "currency"),
		    .total = json_int(r->o, "total")};
		char escrow[NLEDGER_ACCOUNT_MAX + 1];
		snprintf(escrow, sizeof escrow, "escrow:%s", r->d.id);
		rc = nledger_balance(c.s, escrow, r->d.currency ? r->d.currency : "", &r->d.escrow,
		                     e);
		nrows++;
	}
	if (rc == K_OK && nrows)
		qsort(rows, nrows, sizeof *rows, by_since);
	for (size_t i = 0; rc == K_OK && i < nrows; i++)
		rc = each(ctx, &rows[i].d);
	for (size_t i = 0; i < nrows; i++) {
		cJSON_Delete(rows[i].o);
		kbuf_free(&rows[i].reason);
	}
	free(rows);
	kstrv_free(&ids);
	return rc;
}

/* Seconds since 1970 of an RFC 3339 UTC time "YYYY-MM-DDTHH:MM:SS[.fff]Z"; -1 when not. */
static int64_t epoch_of(const char *t)
{
	int y, mo, d, h, mi, sec;
	if (!t || sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6)
		return -1;
	/* days from civil (Howard Hinnant's algorithm) */
	y -= mo <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	return days * 86400 + h * 3600 + mi * 60 + sec;
}

int64_t order_time_of(const char *rfc3339)
{
	return epoch_of(rfc3339);
}

/* One order, if it is due: released to the seller. *done set when it was. */
static int release_one(struct api_ctx *c, const char *order_id, int64_t now, int *done,
                       struct kerr *e)
{
	*done = 0;
	int rc = nstore_begin(c->s, e);
	if (rc)
		return rc;
	cJSON *o = NULL, *doc = NULL, *x = NULL;
	rc = load_pair(c, order_id, &o, &doc, e);
	int due = 0;
	int64_t days = 0;
	struct contract_status st;
	struct kerr ve = {0, ""};
	/* Due only where the rules let the escrow agent release: delivered, every stage paid
	 * (an unpaid stage on or after delivery waits for the buyer, or for a dispute). */
	if (rc == K_OK && order_state_parse(api_str(o, "state")) == ORDER_DELIVERED &&
	    contract_verify(doc, &st, &ve) == K_OK &&
	    order_may(&st.terms, &st.progress, ORDER_RELEASE, ORDER_ESCROW, &ve) == K_OK) {
		/* deliveredAt; an order delivered before the node recorded it: updated, which
		 * is when it became delivered */
		const char *at =
		    api_str(o, "deliveredAt") ? api_str(o, "deliveredAt") : api_str(o, "updated");
		char when[ORDER_TIME_LEN + 1];
		days = int_of(o, "autoReleaseDays");
		int64_t t = order_release_at(at, days, when) ? epoch_of(when) : -1;
		due = t >= 0 && now > t;
	}
	char hash[KCRYPTO_HASH_B64_LEN + 1] = "";
	int64_t bal = 0;
	if (rc == K_OK && due) {
		char escrow[NLEDGER_ACCOUNT_MAX + 1];
		snprintf(escrow, sizeof escrow, "escrow:%s", order_id);
		rc = nledger_balance(c->s, escrow, api_str(o, "currency"), &bal, e);
	}
	if (rc == K_OK && due) {
		char note[96];
		snprintf(note, sizeof note,
		         "released to the seller automatically %" PRId64
		         " days after delivery (no dispute)",
		         days);
		x = cJSON_CreateObject();
		json_add_int(x, "amount", bal);
		cJSON_AddStringToObject(x, "note", note);
		rc = escrow_append(c, doc, order_id, "released", x, hash, e);
	}
	if (rc == K_OK && due) {
		char memo[NLEDGER_MEMO_MAX + 1];
		snprintf(memo, sizeof memo, "order %s auto-released to the seller", order_id);
		rc = post_split(c, o, "escrow_release", memo, hash, 0, bal, e);
	}
	if (rc == K_OK && due) {
		set_settled(o, order_state_name(ORDER_COMPLETED));
		rc = order_put_e(c->s, o, e);
	}
	if (rc == K_OK && due)
		rc = nstore_commit(c->s, e);
	else
		nstore_rollback(c->s);
	*done = rc == K_OK && due;
	cJSON_Delete(x);
	cJSON_Delete(doc);
	cJSON_Delete(o);
	return rc;
}

int order_auto_release(struct node *n, int64_t now, int *released, struct kerr *e)
{
	struct api_ctx c = {n, n->store, NULL, NULL};
	struct kstrv ids = {0};
	int count = 0, rc = nstore_orders_in_state(c.s, "delivered", &ids, e);
	for (size_t i = 0; rc == K_OK && i < ids.n; i++) {
		int done = 0;
		rc = release_one(&c, ids.v[i], now, &done, e);
		if (rc != K_OK)
			kerr_prefix(e, "auto-release of order %s", ids.v[i]);
		count += done;
	}
	kstrv_free(&ids);
	if (released)
		*released = count;
	return rc;
}

/* ---------------------------------------------------------------- the API type */

static int order_create(struct api_ctx *c, const cJSON *obj, char id[NSTORE_ID_MAX + 1],
                        cJSON **created, struct api_seterr *se)
{
	(void)c;
	(void)obj;
	(void)id;
	(void)created;
	return api_setfail(se, "forbidden", NULL,
	                   "orders are made when a contract binds: sign the offer (Contract/set)");
}

#define ORDER_EVENTS_PER_SET 200

static int same_field(const cJSON *a, const cJSON *b, const char *name)
{
	const char *x = api_str(a, name), *y = api_str(b, name);
	return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

/* Seconds an actual event may lie ahead of the node's clock: a day, for clocks and zones set
 * wrong (a local time written with Z), never a month or a mistyped year. */
#define EVENT_CLOCK_SLACK (24 * 3600)

/* One event of addEvents[i]: its own members only, each checked, with a message that names
 * it. The whole order is validated again before it is stored. */
static int event_check(const cJSON *ev, int i, struct api_seterr *se)
{
	static const char *const names[] = {"code", "classifier", "at", "location", "note", NULL};
	if (!cJSON_IsObject(ev))
		return api_setfail(se, "invalidProperties", "addEvents",
		                   "addEvents[%d]: must be an object", i);
	const cJSON *m;
	cJSON_ArrayForEach(m, ev)
	{
		int ok = 0;
		for (int k = 0; names[k] && !ok; k++)
			ok = strcmp(names[k], m->string) == 0;
		if (!ok)
			return api_setfail(
			    se, "invalidProperties", "addEvents",
			    "addEvents[%d].%.40s: not an event property (code, "
			    "classifier, at, location, note; the node sets by and role)",
			    i, m->string);
		if (!cJSON_IsString(m))
			return api_setfail(se, "invalidProperties", "addEvents",
			                   "addEvents[%d].%s: must be a string", i, m->string);
	}
	const char *code = api_str(ev, "code"), *cls = api_str(ev, "classifier");
	const char *at = api_str(ev, "at");
	struct kerr e = {0, ""};
	if (!code || !codes_dcsa_event(code))
		return api_setfail(se, "invalidProperties", "addEvents",
		                   "addEvents[%d].code: unknown DCSA event code '%.8s' (e.g. GTIN, "
		                   "LOAD, DEPA, ARRI, DISC, CUSR, OFDL, DLVD, EXCP)",
		                   i, code ? code : "");
	if (!cls || !codes_dcsa_classifier(cls))
		return api_setfail(se, "invalidProperties", "addEvents",
		                   "addEvents[%d].classifier: '%.8s' is not ACT, EST, PLN or REQ",
		                   i, cls ? cls : "");
	if (!at || model_check_time(at, "at", &e) != K_OK)
		return api_setfail(se, "invalidProperties", "addEvents", "addEvents[%d].%s", i,
		                   at ? e.msg : "at: missing");
	/* What happened has happened: an actual event dated later than tomorrow would show the
	 * buyer a customs release or a delivery still to come. */
	time_t t;
	if (strcmp(cls, "ACT") == 0 && ktime_parse(at, &t) == K_OK &&
	    t > time(NULL) + EVENT_CLOCK_SLACK)
		return api_setfail(
		    se, "invalidProperties", "addEvents",
		    "addEvents[%d].at: %.40s is in the future: an actual (ACT) event "
		    "has happened; one to come is EST (estimated) or PLN (planned)",
		    i, at);
	return 0;
}

static int event_known(const cJSON *events, const cJSON *ev)
{
	const cJSON *x;
	cJSON_ArrayForEach(x, events)
	{
		if (same_field(x, ev, "code") && same_field(x, ev, "classifier") &&
		    same_field(x, ev, "at") && same_field(x, ev, "location"))
			return 1;
	}
	return 0;
}

/* addEvents: shipment events from the seller or the shipment's carrier. Equal events (code,
 * classifier, at, location) are taken once, so a re-imported file adds nothing. An actual
 * DLVD on a shipped order moves it to delivered: the node signs the "delivered" section as
 * escrow agent on the word of the one who reported it, and the auto-release clock starts. */
static int order_add_events(struct api_ctx *c, cJSON *o, const char *role, const cJSON *add,
                            cJSON *res, struct api_seterr *se)
{
	const char *state = api_str(o, "state") ? api_str(o, "state") : "?";
	int sti = order_state_parse(state);
	if (!order_state_takes_events(sti))
		return api_setfail(
		    se, "stateConflict", "addEvents",
		    "order is %s: shipment events need shipped, delivered or disputed", state);
	cJSON *sh = cJSON_GetObjectItemCaseSensitive(o, "shipment");
	if (!sh)
		return api_setfail(se, "stateConflict", "addEvents",
		                   "order is %s but has no shipment (no carrier in its shipped "
		                   "section)",
		                   state);
	if (!cJSON_IsArray(add) || cJSON_GetArraySize(add) < 1 ||
	    cJSON_GetArraySize(add) > ORDER_EVENTS_PER_SET)
		return api_setfail(se, "invalidProperties", "addEvents",
		                   "addEvents: an array of 1 to %d events", ORDER_EVENTS_PER_SET);
	cJSON *events = cJSON_GetObjectItemCaseSensitive(sh, "events");
	if (!cJSON_IsArray(events)) {
		cJSON_DeleteItemFromObjectCaseSensitive(sh, "events");
		events = cJSON_AddArrayToObject(sh, "events");
	}
	int i = 0, added = 0, known = 0, delivered = 0;
	const cJSON *ev;
	cJSON_ArrayForEach(ev, add)
	{
		if (event_check(ev, i++, se))
			return -1;
		if (event_known(events, ev)) {
			known++;
			continue;
		}
		if (cJSON_GetArraySize(events) >= DCSA_MAX_EVENTS)
			return api_setfail(se, "invalidProperties", "addEvents",
			                   "shipment: at most %d events per order",
			                   DCSA_MAX_EVENTS);
		cJSON *x = cJSON_Duplicate(ev, 1);
		cJSON_AddStringToObject(x, "by", c->caller);
		cJSON_AddStringToObject(x, "role", role);
		cJSON_AddItemToArray(events, x);
		added++;
		if (order_event_delivers(sti, api_str(ev, "code"), api_str(ev, "classifier")))
			delivered = 1;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(sh, "eta");
	const char *eta = dcsa_eta(events);
	if (eta)
		cJSON_AddStringToObject(sh, "eta", eta);
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	if (delivered) {
		cJSON *doc = NULL, *x = cJSON_CreateObject();
		struct kerr e = {0, ""};
		char hash[KCRYPTO_HASH_B64_LEN + 1];
		char note[120];
		snprintf(note, sizeof note, "DLVD reported by the %s", role);
		cJSON_AddStringToObject(x, "note", note);
		struct nobj ob = {KBUF_INIT, "", ""};
		const char *kid = api_str(o, "contractId");
		doc = kid ? api_load(c, NT_CONTRACT, kid, &ob) : NULL;
		nobj_free(&ob);
		int rc = doc ? escrow_append(c, doc, api_str(o, "id"), "delivered", x, hash, &e)
		             : kerr_set(&e, K_EFAIL, "the order's contract is missing");
		cJSON_Delete(x);
		cJSON_Delete(doc);
		if (rc != K_OK)
			return api_setfail(se, "serverFail", NULL, "delivered: %s", e.msg);
		api_set_str(o, "state", order_state_name(ORDER_DELIVERED));
		api_set_str(o, "deliveredAt", now);
		/* the chain moved: a cancellation waiting for a signature is stale */
		cJSON_DeleteItemFromObjectCaseSensitive(o, "cancelRequest");
	}
	if (added)
		api_set_str(o, "updated", now);
	json_add_int(res, "added", added);
	json_add_int(res, "known", known);
	if (eta)
		cJSON_AddStringToObject(res, "eta", eta);
	return 0;
}

/* A signed object of the caller's about order o, patched in as key ("rate", "answer"): of
 * model type, for this order, from the caller, its id the hash of orderId NUL from, its
 * signature good in domain. 0, or the refusal set in se. */
static int caller_signed(struct api_ctx *c, const cJSON *o, const char *key, const char *type,
                         const char *domain, const cJSON *r, struct api_seterr *se)
{
	struct kerr e = {0, ""};
	const char *id = api_str(o, "id");
	if (!cJSON_IsObject(r) || model_validate(type, r, &e) != K_OK)
		return cJSON_IsObject(r)
		           ? api_setfail(se, "invalidProperties", key, "%s: %s", key, e.msg)
		           : api_setfail(se, "invalidProperties", key, "%s: must be a %s object",
		                         key, type);
	if (strcmp(api_str(r, "orderId"), id) != 0)
		return api_setfail(se, "invalidProperties", key, "%s.orderId: not this order", key);
	if (strcmp(api_str(r, "from"), c->caller) != 0)
		return api_setfail(se, "forbidden", key,
		                   "%s.from: it is given by its signer only (you are %s)", key,
		                   c->caller);
	struct kbuf idsrc = KBUF_INIT;
	char want[KCRYPTO_HASH_B64_LEN + 1];
	kbuf_puts(&idsrc, id);
	kbuf_putc(&idsrc, '\0');
	kbuf_puts(&idsrc, c->caller);
	kcrypto_hash_b64url(idsrc.data, idsrc.len, want);
	kbuf_free(&idsrc);
	if (strcmp(api_str(r, "id"), want) != 0)
		return api_setfail(se, "invalidProperties", key,
		                   "%s.id: must be the hash of orderId NUL from (%s)", key, want);
	cJSON *bare = cJSON_Duplicate(r, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(bare, "sig");
	struct kbuf canon = KBUF_INIT;
	int ok = api_canon(bare, &canon, &e) == K_OK &&
	         kcrypto_verify_object_b64(domain, canon.data, canon.len, c->caller,
	                                   api_str(r, "sig"), &e) == K_OK;
	cJSON_Delete(bare);
	kbuf_free(&canon);
	if (!ok)
		return api_setfail(se, "invalidProperties", key,
		                   "%s.sig: the signature does not verify against %s", key,
		                   c->caller);
	return 0;
}

/* answer: the side of the party that did not open the dispute, once, while it is disputed;
 * the arbitrator reads it beside the dispute's reason (admin disputes). */
static int order_answer(struct api_ctx *c, cJSON *o, const char *role, const cJSON *r,
                        struct api_seterr *se)
{
	const char *state = api_str(o, "state") ? api_str(o, "state") : "?";
	int rc = caller_signed(c, o, "answer", "DisputeAnswer", "answer", r, se);
	if (rc)
		return rc;
	if (order_state_parse(state) != ORDER_DISPUTED)
		return api_setfail(se, "stateConflict", "answer",
		                   "order is %s: an answer is to a dispute, while it waits for the "
		                   "ruling",
		                   state);
	struct nobj ob = {KBUF_INIT, "", ""};
	const char *kid = api_str(o, "contractId");
	cJSON *doc = kid ? api_load(c, NT_CONTRACT, kid, &ob) : NULL;
	nobj_free(&ob);
	char by[16] = "";
	if (doc)
		contract_dispute_of(doc, by, NULL, NULL);
	cJSON_Delete(doc);
	if (strcmp(by, role) == 0)
		return api_setfail(
		    se, "forbidden", "answer",
		    "the %s opened the dispute, whose reason is its side; the answer "
		    "is the other party's",
		    role);
	const cJSON *had = cJSON_GetObjectItemCaseSensitive(o, "answer");
	if (had)
		return api_setfail(se, "stateConflict", "answer",
		                   "the %s answered the dispute on %.20s; an answer is given once",
		                   role, api_str(had, "created") ? api_str(had, "created") : "?");
	cJSON_AddItemToObject(o, "answer", cJSON_Duplicate(r, 1));
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	api_set_str(o, "updated", now);
	return 0;
}

/* rate: the caller's signed Rating of the other party, once, after completed or resolved.
 * The rated account's summary {sum, count} takes the stars. */
static int order_rate(struct api_ctx *c, cJSON *o, const char *role, const cJSON *r,
                      struct api_seterr *se)
{
	struct kerr e = {0, ""};
	const char *state = api_str(o, "state") ? api_str(o, "state") : "?";
	const char *other =
	    strcmp(role, "buyer") == 0 ? api_str(o, "sellerId") : api_str(o, "buyerId");
	int rc = caller_signed(c, o, "rate", "Rating", "rating", r, se);
	if (rc)
		return rc;
	if (!other || strcmp(api_str(r, "to"), other) != 0)
		return api_setfail(se, "invalidProperties", "rate",
		                   "rate.to: the %s rates the other party of the order (%s)", role,
		                   other ? other : "?");
	if (!order_state_rateable(order_state_parse(state)))
		return api_setfail(se, "stateConflict", "rate",
		                   "order is %s: rating needs completed or resolved", state);
	cJSON *ratings = cJSON_GetObjectItemCaseSensitive(o, "ratings");
	const cJSON *mine = ratings ? cJSON_GetObjectItemCaseSensitive(ratings, role) : NULL;
	if (mine)
		return api_setfail(se, "stateConflict", "rate",
		                   "order is %s: the %s rated it on %.20s; a rating is given once",
		                   state, role,
		                   api_str(mine, "created") ? api_str(mine, "created") : "?");
	if (!ratings)
		ratings = cJSON_AddObjectToObject(o, "ratings");
	cJSON_AddItemToObject(ratings, role, cJSON_Duplicate(r, 1));
	/* The rated account's summary: an account this node never saw keeps none. */
	struct nobj ob = {KBUF_INIT, "", ""};
	cJSON *acc = api_load(c, NT_ACCOUNT, other, &ob);
	nobj_free(&ob);
	if (acc) {
		cJSON *sum = cJSON_GetObjectItemCaseSensitive(acc, "rating");
		int64_t s0 = 0, n0 = 0;
		if (sum) {
			s0 = int_of(sum, "sum");
			n0 = int_of(sum, "count");
		}
		cJSON_DeleteItemFromObjectCaseSensitive(acc, "rating");
		cJSON *nr = cJSON_AddObjectToObject(acc, "rating");
		json_add_int(nr, "sum", s0 + int_of(r, "stars"));
		json_add_int(nr, "count", n0 + 1);
		struct account a;
		rc = account_from_json(acc, &a, &e);
		if (rc == K_OK) {
			rc = nstore_account_put(c->s, &a, &e);
			account_free(&a);
		}
		cJSON_Delete(acc);
		if (rc != K_OK)
			return api_setfail(se, "serverFail", NULL, "rating %s: %s", other, e.msg);
	}
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	api_set_str(o, "updated", now);
	return 0;
}

/* cancel: after funding an order is cancelled only when buyer and seller sign the same
 * "cancelled" section (DESIGN §6). The first party's signed section waits in the order as
 * cancelRequest; the other party sends the same section with its own signature added; the
 * node then appends it to the contract, refunds the whole escrow to the buyer (the ledger
 * references the section's hash) and the order is cancelled. A section appended to the
 * contract meanwhile makes the request stale (its prev is no longer the tip). */
static int order_cancel(struct api_ctx *c, cJSON *o, const char *role, const cJSON *sec, cJSON *res,
                        struct api_seterr *se)
{
	const char *state = api_str(o, "state") ? api_str(o, "state") : "?";
	const char *id = api_str(o, "id");
	struct kerr e = {0, ""};
	if (!order_cancel_needs_both(order_state_parse(state)))
		return api_setfail(se, "stateConflict", "cancel",
		                   order_state_parse(state) == ORDER_AWAITING_PAYMENT
		                       ? "order is %s: before funding either party cancels alone "
		                         "(a cancelled section in Contract/set)"
		                       : "order is %s: cancel after funding needs funded, shipped "
		                         "or delivered",
		                   state);
	/* The shape here; the order's validation checks the section whole before it is kept. */
	if (!cJSON_IsObject(sec) || !api_str(sec, "kind") || !api_str(sec, "body") ||
	    !api_str(sec, "hash") ||
	    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(sec, "signatures")))
		return api_setfail(se, "invalidProperties", "cancel",
		                   "cancel: a contract section {kind, body, hash, signatures}");
	if (strcmp(api_str(sec, "kind"), "cancelled") != 0)
		return api_setfail(se, "invalidProperties", "cancel",
		                   "cancel.kind: must be cancelled");
	struct nobj ob = {KBUF_INIT, "", ""};
	const char *kid = api_str(o, "contractId");
	cJSON *doc = kid ? api_load(c, NT_CONTRACT, kid, &ob) : NULL;
	nobj_free(&ob);
	if (!doc)
		return api_setfail(se, "serverFail", NULL, "order %.64s: its contract is missing",
		                   id);
	char tip[KCRYPTO_HASH_B64_LEN + 1] = "";
	contract_tip(doc, tip, &e);
	cJSON *body = cJSON_Parse(api_str(sec, "body"));
	int rc = 0;
	const cJSON *sigs = cJSON_GetObjectItemCaseSensitive(sec, "signatures");
	cJSON *req = cJSON_GetObjectItemCaseSensitive(o, "cancelRequest");
	const cJSON *pending = req ? cJSON_GetObjectItemCaseSensitive(req, "section") : NULL;
	const char *pby = req ? api_str(req, "by") : NULL;
	char hash[KCRYPTO_HASH_B64_LEN + 1];
	kcrypto_hash_b64url(api_str(sec, "body"), strlen(api_str(sec, "body")), hash);
	if (!body || !api_str(body, "prev") || strcmp(hash, api_str(sec, "hash")) != 0) {
		rc = api_setfail(se, "invalidProperties", "cancel",
		                 "cancel: the section's hash is not that of its body");
	} else if (strcmp(api_str(body, "prev"), tip) != 0) {
		rc = api_setfail(se, "stateConflict", "cancel",
		                 "order is %s: the contract has moved on since this cancellation "
		                 "was signed (sync and ask again)",
		                 state);
	} else if (pby && strcmp(pby, role) == 0) {
		rc = api_setfail(se, "stateConflict", "cancel",
		                 "order is %s: the %s asked to cancel on %.20s; it waits for the "
		                 "%s's signature",
		                 state, role, api_str(req, "at") ? api_str(req, "at") : "?",
		                 strcmp(role, "buyer") == 0 ? "seller" : "buyer");
	} else if (!pending ||
	           strcmp(api_str(pending, "hash") ? api_str(pending, "hash") : "", hash) != 0) {
		/* A new request: exactly the caller's own signature, valid, in its role. */
		const cJSON *sg = cJSON_GetArrayItem(sigs, 0);
		if (cJSON_GetArraySize(sigs) != 1 || !api_str(sg, "by") ||
		    strcmp(api_str(sg, "by"), c->caller) || !api_str(sg, "role") ||
		    strcmp(api_str(sg, "role"), role) || !api_str(sg, "sig") ||
		    kcrypto_verify_object_b64("contract/cancelled", api_str(sec, "body"),
		                              strlen(api_str(sec, "body")), c->caller,
		                              api_str(sg, "sig"), &e) != K_OK) {
			rc = api_setfail(se, "invalidProperties", "cancel",
			                 "cancel.signatures: one signature, yours as the %s, over "
			                 "the body",
			                 role);
		} else {
			char now[MODEL_TIME_LEN + 1];
			model_now(now);
			cJSON_DeleteItemFromObjectCaseSensitive(o, "cancelRequest");
			cJSON *r = cJSON_AddObjectToObject(o, "cancelRequest");
			cJSON_AddStringToObject(r, "by", role);
			cJSON_AddStringToObject(r, "at", now);
			if (api_str(body, "reason"))
				cJSON_AddStringToObject(r, "reason", api_str(body, "reason"));
			cJSON_AddItemToObject(r, "section", cJSON_Duplicate(sec, 1));
			api_set_str(o, "updated", now);
			cJSON_AddStringToObject(res, "cancel", "requested");
		}
	} else {
		/* The other party's answer: the pending section with this party's signature. */
		cJSON *full = cJSON_Duplicate(pending, 1);
		const cJSON *sg;
		int mine = 0;
		cJSON_ArrayForEach(sg, sigs)
		{
			if (api_str(sg, "by") && strcmp(api_str(sg, "by"), c->caller) == 0 &&
			    api_str(sg, "role") && strcmp(api_str(sg, "role"), role) == 0 &&
			    !mine) {
				cJSON_AddItemToArray(
				    cJSON_GetObjectItemCaseSensitive(full, "signatures"),
				    cJSON_Duplicate(sg, 1));
				mine = 1;
			}
		}
		struct contract_status st;
		struct kbuf canon = KBUF_INIT;
		int64_t bal = 0; /* what the rules refund: all escrow holds */
		char memo[NLEDGER_MEMO_MAX + 1];
		snprintf(memo, sizeof memo, "order %s cancelled by both: refunded to the buyer",
		         id);
		int ok = mine && contract_append(doc, full, &e) == K_OK &&
		         contract_verify(doc, &st, &e) == K_OK;
		if (ok)
			bal = st.effect[st.nsections - 1].amount;
		if (!mine) {
			cJSON_Delete(full);
			rc = api_setfail(se, "invalidProperties", "cancel",
			                 "cancel.signatures: yours as the %s is missing", role);
		} else if (!ok) {
			rc = api_setfail(se, "invalidProperties", "cancel", "cancel: %s", e.msg);
		} else if (canon_write(doc, &canon, &e) != K_OK ||
		           nstore_contract_put(c->s, doc, kbuf_str(&canon), "cancelled", id, &e) !=
		               K_OK ||
		           escrow_holds(c, o, bal, &e) != K_OK ||
		           post_split(c, o, "escrow_refund", memo, hash, bal, 0, &e) != K_OK) {
			rc = api_setfail(se, "serverFail", NULL, "cancel: %s", e.msg);
		} else {
			set_settled(o, order_state_name(ORDER_CANCELLED));
			cJSON_DeleteItemFromObjectCaseSensitive(o, "cancelRequest");
			cJSON_AddStringToObject(res, "cancel", "agreed");
			json_add_int(res, "refunded", bal);
		}
		kbuf_free(&canon);
	}
	cJSON_Delete(body);
	cJSON_Delete(doc);
	return rc;
}

/* There is no free-form Order/set: a step is a signed contract section (Contract/set). Four
 * patches are taken: {"addEvents": [...]} from the seller or the shipment's registered
 * carrier, {"rate": Rating} from either party, {"answer": DisputeAnswer} from the party
 * that did not open the dispute, and {"cancel": section}. */
static int order_update(struct api_ctx *c, const char *id, const cJSON *patch, cJSON **updated,
                        struct api_seterr *se)
{
	struct nobj ob = {KBUF_INIT, "", ""};
	cJSON *o = strlen(id) <= NSTORE_ID_MAX ? api_load(c, NT_ORDER, id, &ob) : NULL;
	nobj_free(&ob);
	const char *role = NULL;
	if (o && c->caller) {
		if (api_str(o, "buyerId") && strcmp(api_str(o, "buyerId"), c->caller) == 0)
			role = "buyer";
		else if (api_str(o, "sellerId") && strcmp(api_str(o, "sellerId"), c->caller) == 0)
			role = "seller";
	}
	const cJSON *add = cJSON_GetObjectItemCaseSensitive(patch, "addEvents");
	const cJSON *rate = cJSON_GetObjectItemCaseSensitive(patch, "rate");
	const cJSON *cancel = cJSON_GetObjectItemCaseSensitive(patch, "cancel");
	const cJSON *answer = cJSON_GetObjectItemCaseSensitive(patch, "answer");
	int rc = 0;
	char carrier[NSTORE_CARRIER_NAME_MAX + 1] = "";
	if (o && !role && add && c->caller) {
		struct kerr e = {0, ""};
		const cJSON *sh = cJSON_GetObjectItemCaseSensitive(o, "shipment");
		if (nstore_carrier_of(c->s, c->caller, carrier, &e) == K_OK) {
			if (!sh || !api_str(sh, "carrier") ||
			    strcasecmp(api_str(sh, "carrier"), carrier))
				rc =
				    api_setfail(se, "forbidden", "addEvents",
				                "you are the carrier %s; order %.64s does not ship "
				                "with %s",
				                carrier, id, carrier);
			else
				role = "carrier";
		}
	}
	cJSON *res = cJSON_CreateObject();
	if (rc) {
	} else if (!o || !role) {
		rc = api_setfail(se, "notFound", NULL, "no Order %.64s", id);
	} else if (!cJSON_IsObject(patch) || cJSON_GetArraySize(patch) != 1 ||
	           (!add && !rate && !cancel && !answer)) {
		rc =
		    api_setfail(se, "forbidden", NULL,
		                "an order changes only through signed sections appended to its "
		                "contract (Contract/set), {\"addEvents\": [...]} (shipment events) "
		                "{\"rate\": Rating}, {\"answer\": DisputeAnswer} or "
		                "{\"cancel\": section} (after funding)");
	} else if (add) {
		if (strcmp(role, "buyer") == 0)
			rc = api_setfail(
			    se, "forbidden", "addEvents",
			    "shipment events come from the seller or the carrier, not the "
			    "buyer");
		else
			rc = order_add_events(c, o, role, add, res, se);
	} else if (strcmp(role, "carrier") == 0) {
		rc = api_setfail(se, "forbidden", NULL, "only the buyer and the seller do that");
	} else if (cancel) {
		rc = order_cancel(c, o, role, cancel, res, se);
	} else if (answer) {
		rc = order_answer(c, o, role, answer, se);
	} else {
		rc = order_rate(c, o, role, rate, se);
	}
	if (!rc)
		rc = order_store(c, o, se);
	if (!rc) {
		cJSON_AddStringToObject(res, "state", api_str(o, "state"));
		*updated = res;
		res = NULL;
	}
	cJSON_Delete(res);
	cJSON_Delete(o);
	return rc;
}

static int order_destroy(struct api_ctx *c, const char *id, struct api_seterr *se)
{
	return api_refuse_change(c, NT_ORDER, id,
	                         "an order is never destroyed: cancel it through its contract", se);
}

static const struct api_filter order_filters[] = {
    {"state", API_F_TEXT, order_state_names},
    {"contractId", API_F_TEXT, NULL},
    {"peer", API_F_TEXT, NULL},
    {NULL, API_F_TEXT, NULL},
};

const struct api_type api_order_type = {
    .t = NT_ORDER,
    .props = order_props,
    .create = order_create,
    .update = order_update,
    .destroy = order_destroy,
    .filters = order_filters,
    .sort_by = "updated",
    .ascending = 0, /* latest first */
};
