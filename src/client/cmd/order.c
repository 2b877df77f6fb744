/* order — orders, escrow, shipments and ratings of DESIGN §6 from the command line. An order
 * lives in its contract: every step is an event section (funded, shipped, delivered,
 * confirmed, cancelled) appended to the cached contract, signed by us in our role, stored
 * with its Contract/set update in one transaction and pushed. The node checks the step
 * against the order's state and moves the money (wallet -> escrow on funded, escrow ->
 * the seller's wallet on confirmed). When the node refuses a step the cached contract is
 * put back as it was and the refused update leaves the outbox, so the chain stays the
 * node's. Shipment events (order event), ratings (order rate) and a cancellation after
 * funding (order cancel, which both parties sign) go as Order/set patches instead, with the
 * cached Order changed in the same transaction. track reads the shipment from the cache.
 * Order objects come with `kontor sync`. */
#include "cmd.h"
#include "docs.h"
#include "resolve.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../inbox.h"
#include "../net/session.h"
#include "../store/store.h"
#include "kontor/buf.h"
#include "kontor/canon.h"
#include "kontor/codes.h"
#include "kontor/contract.h"
#include "kontor/dcsa.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "kontor/model.h"
#include "kontor/money.h"
#include "kontor/order.h"
#include "kontor/text.h"

/* Our role in an Order or a contract, NULL when neither. */
static const char *role_in(const struct ctx *c, const cJSON *o)
{
	return contract_role_of(o, c->self_id);
}

/* --- finding an order's contract ------------------------------------------------------- */

struct find {
	const char *order_id;
	char contract_id[KCRYPTO_HASH_B64_LEN + 1];
};

static int find_one(void *vctx, const cJSON *doc)
{
	struct find *f = vctx;
	struct contract_status st;
	struct kerr e = {0, ""};
	if (contract_verify(doc, &st, &e) == K_OK && strcmp(st.order_id, f->order_id) == 0 &&
	    json_str(doc, "id")) {
		snprintf(f->contract_id, sizeof f->contract_id, "%s", json_str(doc, "id"));
		return 1;
	}
	return 0;
}

/* The id of the contract whose binding offer is order id: from the cached Order, else
 * from the cached contracts (an order just made binding is not pulled yet). */
static int contract_of(struct store *s, const char *id, char out[KCRYPTO_HASH_B64_LEN + 1],
                       struct kerr *e)
{
	cJSON *o = NULL;
	if (store_object_get(s, "Order", id, &o, NULL) == K_OK && json_str(o, "contractId")) {
		snprintf(out, KCRYPTO_HASH_B64_LEN + 1, "%s", json_str(o, "contractId"));
		cJSON_Delete(o);
		return K_OK;
	}
	cJSON_Delete(o);
	struct find f = {id, ""};
	int rc = store_object_each(s, "Contract", NULL, find_one, &f, e);
	if (rc < 0)
		return rc;
	if (!f.contract_id[0])
		return kerr_set(e, K_ENOTFOUND,
		                "no order %s in the cache (run `kontor sync`; the order id is the "
		                "binding offer's hash)",
		                id);
	snprintf(out, KCRYPTO_HASH_B64_LEN + 1, "%s", f.contract_id);
	return K_OK;
}

/* --- appending a step ------------------------------------------------------------------- */

/* One of our outbox entries, found by its creation id after a push: gone (the node took
 * it), still waiting, or refused with the node's SetError type as a field. */
struct entry_fate {
	const char *creation_id;
	int64_t seq; /* 0: not in the outbox any more */
	char type[32];
	char why[400];
};

static int find_entry(void *vctx, const struct outbox_item *it)
{
	struct entry_fate *f = vctx;
	if (strcmp(it->creation_id, f->creation_id) != 0)
		return 0;
	f->seq = it->seq;
	if (it->last_error) {
		snprintf(f->type, sizeof f->type, "%s",
		         it->error_type ? it->error_type : "refused");
		snprintf(f->why, sizeof f->why, "%s", it->last_error);
	}
	return 1;
}

/* The status a refusal of this SetError type is for the command (every one exits 1). */
static int refusal_code(const char *type)
{
	if (strcmp(type, "stateConflict") == 0 || strcmp(type, "insufficientFunds") == 0 ||
	    strcmp(type, "alreadyExists") == 0)
		return K_ECONFLICT;
	if (strcmp(type, "forbidden") == 0 || strcmp(type, "notFound") == 0)
		return K_EPERM;
	if (strcmp(type, "invalidProperties") == 0)
		return K_EINVAL;
	return K_EFAIL;
}

/* After cmd_push: what became of our entry (creation id cid). The node took it (K_OK, even
 * when another queued entry was refused: that one stays in `kontor outbox`, as the note
 * says), or it waits (K_EQUEUED), or the node refused it: then it leaves the outbox,
 * *refused is set and e says so, with the node's type and words. */
static int push_fate(struct ctx *c, struct store *s, const char *cid, int rc, const char *id,
                     const char *what, int *refused, struct kerr *e)
{
	*refused = 0;
	if (rc != K_OK && rc != K_EFAIL && rc != K_EQUEUED)
		return rc;
	struct entry_fate f = {cid, 0, "", ""};
	struct kerr ie = {0, ""};
	store_outbox_each(s, find_entry, &f, &ie);
	if (!f.seq) {
		if (rc == K_EFAIL)
			cmd_note(c, "%s", e->msg);
		return K_OK;
	}
	if (!f.type[0])
		return rc == K_EFAIL ? kerr_set(e, K_EQUEUED, "queued in the outbox") : rc;
	*refused = 1;
	cmd_result_refused(c, "Order", id, f.type); /* the node's type, as a field */
	store_outbox_drop(s, f.seq, NULL);
	return kerr_set(e, refusal_code(f.type),
	                "%s: the node refused it: %s (dropped from the outbox; nothing is "
	                "kept to retry)",
	                what, f.why);
}

/* The binding contract of order id from the cache, verified, and our role in it. */
static int order_contract(struct ctx *c, struct store *s, const char *id,
                          char kid[KCRYPTO_HASH_B64_LEN + 1], cJSON **doc,
                          struct contract_status *st, const char **role, struct kerr *e)
{
	*doc = NULL;
	*role = NULL;
	int rc = contract_of(s, id, kid, e); /* no order: says so itself */
	if (!rc && (rc = store_object_get(s, "Contract", kid, doc, e)) == K_ENOTFOUND)
		rc = kerr_set(e, K_ENOTFOUND,
		              "order %s: its contract %s is not in the cache (run "
		              "`kontor sync`)",
		              id, kid);
	if (!rc && contract_verify(*doc, st, e) != K_OK) {
		kerr_prefix(e, "contract %s does not verify", kid);
		rc = e->code = K_EVERIFY;
	}
	*role = *doc ? role_in(c, *doc) : NULL;
	if (!rc && !*role)
		rc = kerr_set(e, K_EPERM, "order %s: you are not its buyer or seller", id);
	if (!rc && strcmp(st->order_id, id) != 0)
		rc = kerr_set(e, K_ENOTFOUND, "contract %s is not bound to order %s", kid, id);
	return rc;
}

/* What a payment did, for people: "paid stage 1 of 2 (30% on signing): 1800.00 USD; 4200.00
 * USD still to pay (stage 2, 70% before shipment)". */
static void paid_words(const struct contract_status *st, const struct order_effect *fx,
                       struct kbuf *out)
{
	const struct order_terms *t = &st->terms;
	char amt[MONEY_FMT_MAX], due[ORDER_DUE_LEN];
	money_text(fx->amount, t->currency, amt);
	if (fx->stage_to == fx->stage_from + 1 && fx->stage_from < t->nstages) {
		order_due_words(&t->stages[fx->stage_from], due);
		kbuf_printf(out, "paid stage %zu of %zu (%lld%% %s): %s %s", fx->stage_to,
		            t->nstages, (long long)t->stages[fx->stage_from].pct, due, amt,
		            t->currency);
	} else {
		kbuf_printf(out, "paid stages %zu to %zu: %s %s", fx->stage_from + 1, fx->stage_to,
		            amt, t->currency);
	}
	int64_t rest = order_remaining(t, &st->progress);
	if (rest <= 0) {
		kbuf_puts(out, "; nothing more to pay");
		return;
	}
	char w[ORDER_WORDS_LEN];
	money_text(rest, t->currency, amt);
	order_stage_words(t, st->progress.stages_paid, w);
	kbuf_printf(out, "; %s %s still to pay (next: %s)", amt, t->currency, w);
}

#define RATING_TEXT_MAX 4000 /* a rating's text, a dispute's answer: the node's limit */

/* --- which of the orders with the other party a command acts on (resolve_id_for) -------- */

/* The cached Order id with our role in it, or 0 (*o NULL) when it is not cached or not ours. */
static int cached_mine(struct ctx *c, const char *id, cJSON **o, const char **role)
{
	struct store *s;
	struct kerr ie = {0, ""};
	*o = NULL;
	if (ctx_store(c, &s, &ie) != K_OK || store_object_get(s, "Order", id, o, NULL) != K_OK ||
	    !(*role = role_in(c, *o))) {
		cJSON_Delete(*o);
		*o = NULL;
		return 0;
	}
	return 1;
}

/* Whether we may take step *arg (enum order_step) on order id now, as its cached contract
 * says: the rules' steps for our role (a cancel after funding is our half of it). */
static int fit_step(struct ctx *c, const char *id, void *arg)
{
	struct store *s;
	struct kerr ie = {0, ""};
	char kid[KCRYPTO_HASH_B64_LEN + 1];
	cJSON *doc = NULL;
	const char *role = NULL;
	/* an order the cache holds settled never moves again: no contract to check (a repeat
	 * buyer's hundreds of completed orders cost nothing) */
	int settled = cached_mine(c, id, &doc, &role) &&
	              order_state_final(order_state_parse(json_str(doc, "state")));
	cJSON_Delete(doc);
	doc = NULL;
	if (settled || ctx_store(c, &s, &ie) != K_OK)
		return 0;
	struct contract_status *st = xcalloc(1, sizeof *st);
	int fits = order_contract(c, s, id, kid, &doc, st, &role, &ie) == K_OK &&
	           (order_steps_for(&st->terms, &st->progress, order_role_bit(role)) &
	            (1u << *(const int *)arg));
	cJSON_Delete(doc);
	free(st);
	return fits;
}

/* An order whose shipment takes events now. */
static int fit_events(struct ctx *c, const char *id, void *arg)
{
	(void)arg;
	cJSON *o;
	const char *role;
	int fits = cached_mine(c, id, &o, &role) &&
	           order_state_takes_events(order_state_parse(json_str(o, "state")));
	cJSON_Delete(o);
	return fits;
}

/* An order done with that we have not rated yet (a party rates once). */
static int fit_rate(struct ctx *c, const char *id, void *arg)
{
	(void)arg;
	cJSON *o;
	const char *role = NULL;
	int fits =
	    cached_mine(c, id, &o, &role) &&
	    order_state_rateable(order_state_parse(json_str(o, "state"))) &&
	    !cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "ratings"), role);
	cJSON_Delete(o);
	return fits;
}

/* What a command that signs for an order needs: *id (a full id, or what resolve.h takes,
 * narrowed by rf) resolved into idbuf with *id pointed at it, our identity
 * unlocked and the cache open. */
static int order_open(struct ctx *c, const char **id, const struct resolve_for *rf,
                      char idbuf[RESOLVE_ID_MAX + 1], struct store **s, struct kerr *e)
{
	int rc = resolve_id_for(c, RESOLVE_ORDER, *id, rf, idbuf, RESOLVE_ID_MAX + 1, e);
	if (!rc) {
		*id = idbuf;
		rc = ctx_identity(c, e);
	}
	if (!rc)
		rc = ctx_store(c, s, e);
	return rc;
}

/* Appends one signed event section of step (extra: its further fields) to the order's
 * contract, queues the update and pushes it. The rules (order.h) are asked first, on the
 * contract as the cache holds it: a step they refuse never leaves this machine. A pay
 * carries the stage the rules say is due and its amount. */
static int order_step(struct ctx *c, const char *id, int step, const cJSON *extra, struct kerr *e)
{
	struct store *s;
	const char *kind = order_step_kind(step), *verb = order_step_verb(step), *role = NULL;
	char idbuf[RESOLVE_ID_MAX + 1];
	const struct resolve_for rf = {fit_step, &step, verb};
	int rc = order_open(c, &id, &rf, idbuf, &s, e);
	if (rc)
		return rc;
	char kid[KCRYPTO_HASH_B64_LEN + 1] = "";
	cJSON *doc = NULL, *old = NULL, *body = NULL, *sec = NULL, *x = NULL;
	struct contract_status *st = xcalloc(1, sizeof *st);
	rc = order_contract(c, s, id, kid, &doc, st, &role, e);
	struct order_act act;
	if (!rc) {
		order_act_for(&st->terms, &st->progress, step, order_role_bit(role), &act);
		struct order_progress p = st->progress;
		if ((rc = order_next(&st->terms, &p, &act, NULL, e)) != K_OK)
			kerr_prefix(e, "order %s (as your cache holds it; nothing was sent)", id);
	}
	x = extra ? cJSON_Duplicate(extra, 1) : cJSON_CreateObject();
	if (!rc && step == ORDER_PAY) {
		json_add_int(x, "amount", act.amount);
		json_add_int(x, "stage", act.stage);
	}
	char tip[KCRYPTO_HASH_B64_LEN + 1], now[MODEL_TIME_LEN + 1], cid[40] = "";
	model_now(now);
	if (!rc) {
		old = cJSON_Duplicate(doc, 1);
		rc = contract_tip(doc, tip, e);
	}
	if (!rc)
		rc = contract_event_body(tip, now, x, &body, e);
	if (!rc)
		rc = contract_section_make(kind, body, &sec, e);
	if (!rc)
		rc = contract_section_sign(sec, role, &c->kp, e);
	if (!rc) {
		rc = contract_append(doc, sec, e);
		sec = NULL; /* the document's now, also on failure */
	}
	if (!rc && (rc = contract_verify(doc, st, e)) != K_OK)
		kerr_prefix(e, "order %s", id);
	int refused = 0;
	if (!rc) {
		rc = cmd_contract_queue(c, s, doc, "update", cid, e);
		if (!rc) {
			char what[120];
			snprintf(what, sizeof what, "order %s: %s", id, verb);
			rc = push_fate(c, s, cid, cmd_push(c, e), id, what, &refused, e);
		}
		if (refused) /* the node's chain stays the cached one */
			store_object_put(s, "Contract", old, c->node, c->self_id, NULL);
		char funding[KNET_FUNDING_MAX + 1];
		if (refused && step == ORDER_PAY &&
		    strcmp(c->res.error_type, "insufficientFunds") == 0 &&
		    cmd_wallet_funding(c, NULL, funding, sizeof funding)) {
			size_t n = strlen(e->msg);
			snprintf(e->msg + n, sizeof e->msg - n,
			         "; `kontor wallet` says how to add money");
		}
	}
	const char *state = order_state_name((int)st->progress.state);
	if (rc == K_OK || rc == K_EQUEUED) {
		/* The cached Order follows what the node took (the next sync brings its copy). */
		cJSON *o = NULL;
		if (rc == K_OK && store_object_get(s, "Order", id, &o, NULL) == K_OK) {
			cJSON_ReplaceItemInObjectCaseSensitive(o, "state",
			                                       cJSON_CreateString(state));
			cJSON_DeleteItemFromObjectCaseSensitive(o, "escrow");
			json_add_int(o, "escrow", st->progress.escrow);
			cJSON_DeleteItemFromObjectCaseSensitive(o, "updated");
			cJSON_AddStringToObject(o, "updated", now);
			store_object_put(s, "Order", o, c->node, c->self_id, NULL);
		}
		cJSON_Delete(o);
		/* the node's copy holds the shipment it made, so that `track` and `order event`
		 * have it at once; without it (a broken link) the next sync brings it */
		struct kerr fe = {0, ""};
		if (rc == K_OK && step == ORDER_SHIP)
			cmd_fetch(c, "Order", id, &fe);
		struct kbuf said = KBUF_INIT;
		int last = (int)st->nsections - 1;
		if (step == ORDER_PAY && last >= 0 && rc == K_OK)
			paid_words(st, &st->effect[last], &said);
		if (c->json) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddStringToObject(j, "id", id);
			cJSON_AddStringToObject(j, "contractId", kid);
			cJSON_AddStringToObject(j, "event", kind);
			cJSON_AddStringToObject(j, "state", state);
			if (step == ORDER_PAY && last >= 0) {
				const struct order_effect *fx = &st->effect[last];
				json_add_int(j, "amount", fx->amount);
				json_add_int(j, "stage", (int64_t)fx->stage_to);
				json_add_int(j, "stages", (int64_t)st->terms.nstages);
				json_add_int(j, "remaining",
				             order_remaining(&st->terms, &st->progress));
			}
			cJSON_AddStringToObject(j, "status", rc == K_OK ? "delivered" : "queued");
			cmd_result_json(c, j);
		}
		char shown[ORDER_STATE_PAID_LEN]; /* a payment: "funded 30%" while part is paid */
		order_state_paid((int)st->progress.state, state,
		                 step == ORDER_PAY ? st->progress.paid : 0, st->terms.total, shown);
		if (rc == K_OK) {
			cmd_result_set(c, "Order", id, state, "order %s: %s as %s%s%s", id, shown,
			               role, said.len ? "; " : "", kbuf_str(&said));
			/* what she may do now, as a signature's "next:" says it */
			if (step == ORDER_SHIP)
				cmd_result_more(c,
				                "next: wait for delivery; say where the goods are "
				                "with `kontor order event %.8s --code CODE` (or "
				                "--dcsa FILE from the carrier)",
				                id);
			else if (step == ORDER_CONFIRM)
				cmd_result_more(c,
				                "next: rate the seller: `kontor order rate %.8s "
				                "--stars N`",
				                id);
		} else
			cmd_result_set(c, "Order", id, state,
			               "order %s: %s queued as %s (the node checks it when it "
			               "arrives)",
			               id, verb, role);
		kbuf_free(&said);
	}
	cJSON_Delete(x);
	cJSON_Delete(sec);
	cJSON_Delete(body);
	cJSON_Delete(old);
	cJSON_Delete(doc);
	free(st);
	return rc;
}

static int run_pay(struct ctx *c, const struct args *a, struct kerr *e)
{
	return order_step(c, a->pos[0], ORDER_PAY, NULL, e);
}

static int run_ship(struct ctx *c, const struct args *a, struct kerr *e)
{
	const char *carrier = arg_get(a, "carrier"), *tracking = arg_get(a, "tracking");
	const char *mode = arg_get(a, "mode");
	if (!carrier || !tracking)
		return kerr_set(e, K_EUSAGE, "order ship: --carrier and --tracking are needed");
	if (mode && !order_mode_valid(mode)) {
		char shown[40];
		return kerr_set(e, K_EUSAGE,
		                "--mode: '%s' is not one of sea, air, road, rail, courier",
		                text_shown(mode, shown, sizeof shown));
	}
	cJSON *x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "carrier", carrier);
	cJSON_AddStringToObject(x, "trackingNumber", tracking);
	if (mode) /* a field of the section: the node's shipment and the TUI read it */
		cJSON_AddStringToObject(x, "mode", mode);
	int rc = order_step(c, a->pos[0], ORDER_SHIP, x, e);
	cJSON_Delete(x);
	return rc;
}

static int run_deliver(struct ctx *c, const struct args *a, struct kerr *e)
{
	return order_step(c, a->pos[0], ORDER_DELIVER, NULL, e);
}

static int run_confirm(struct ctx *c, const struct args *a, struct kerr *e)
{
	return order_step(c, a->pos[0], ORDER_CONFIRM, NULL, e);
}

static int order_update(struct ctx *c, struct store *s, const char *id, const cJSON *o,
                        const cJSON *old, char **payloads, size_t n, struct kerr *e);

/* The payload {key: v} of an Order/set update ("cancel", "rate", "addEvents"), printed; v
 * becomes the payload's (freed here), the string is the caller's to free. */
static char *update_payload(const char *key, cJSON *v)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddItemToObject(p, key, v);
	struct kbuf b = KBUF_INIT;
	json_print(p, &b);
	cJSON_Delete(p);
	char *out = xstrdup(kbuf_str(&b));
	kbuf_free(&b);
	return out;
}

/* After funding both parties sign one "cancelled" section (DESIGN §6): the first asks (the
 * node keeps the signed section as the order's cancelRequest), the other signs that same
 * section and the node appends it and refunds the escrow to the buyer. */
static int cancel_funded(struct ctx *c, struct store *s, const char *id, cJSON *o,
                         const char *reason, struct kerr *e)
{
	const char *role = role_in(c, o), *state = json_str(o, "state");
	if (!role)
		return kerr_set(e, K_EPERM, "order %s: you are not its buyer or seller", id);
	const char *other = strcmp(role, "buyer") == 0 ? "seller" : "buyer";
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(o, "cancelRequest");
	const char *by = json_str(req, "by");
	char t[KTIME_LOCAL_MAX];
	if (by && strcmp(by, role) == 0)
		return kerr_set(e, K_ECONFLICT,
		                "order %s: you asked to cancel on %s; it waits for the %s to sign "
		                "the same cancellation",
		                id, ktime_local(json_str(req, "at"), t, sizeof t), other);
	cJSON *sec = NULL, *old = cJSON_Duplicate(o, 1);
	int agree = by != NULL, rc = K_OK;
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	if (agree) {
		/* The other party's section, as it is, with our signature added. */
		sec = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(req, "section"), 1);
		char h[KCRYPTO_HASH_B64_LEN + 1];
		const char *body = json_str(sec, "body");
		if (body)
			kcrypto_hash_b64url(body, strlen(body), h);
		if (!body || !json_str(sec, "hash") || strcmp(h, json_str(sec, "hash")) != 0 ||
		    !json_str(sec, "kind") || strcmp(json_str(sec, "kind"), "cancelled") != 0)
			rc = kerr_set(e, K_EVERIFY,
			              "order %s: the %s's cancellation does not hash to its body",
			              id, other);
		if (!rc)
			rc = contract_section_sign(sec, role, &c->kp, e);
	} else {
		char kid[KCRYPTO_HASH_B64_LEN + 1], tip[KCRYPTO_HASH_B64_LEN + 1];
		cJSON *doc = NULL, *body = NULL, *x = cJSON_CreateObject();
		if (reason)
			cJSON_AddStringToObject(x, "reason", reason);
		rc = contract_of(s, id, kid, e);
		if (!rc)
			rc = store_object_get(s, "Contract", kid, &doc, e);
		if (!rc)
			rc = contract_tip(doc, tip, e);
		if (!rc)
			rc = contract_event_body(tip, now, x, &body, e);
		if (!rc)
			rc = contract_section_make("cancelled", body, &sec, e);
		if (!rc)
			rc = contract_section_sign(sec, role, &c->kp, e);
		cJSON_Delete(body);
		cJSON_Delete(doc);
		cJSON_Delete(x);
		if (!rc) { /* the cached order waits for the other party as the node's will */
			cJSON *r = cJSON_CreateObject();
			cJSON_AddStringToObject(r, "by", role);
			cJSON_AddStringToObject(r, "at", now);
			if (reason)
				cJSON_AddStringToObject(r, "reason", reason);
			cJSON_AddItemToObject(r, "section", cJSON_Duplicate(sec, 1));
			cJSON_DeleteItemFromObjectCaseSensitive(o, "cancelRequest");
			cJSON_AddItemToObject(o, "cancelRequest", r);
		}
	}
	if (!rc) {
		char *payload = update_payload("cancel", cJSON_Duplicate(sec, 1));
		rc = order_update(c, s, id, agree ? NULL : o, agree ? NULL : old, &payload, 1, e);
		free(payload);
	}
	if (rc == K_OK && agree) {
		/* the node appended the section and refunded; the next sync brings its copy */
		cJSON_ReplaceItemInObjectCaseSensitive(
		    o, "state", cJSON_CreateString(order_state_name(ORDER_CANCELLED)));
		cJSON_DeleteItemFromObjectCaseSensitive(o, "cancelRequest");
		store_object_put(s, "Order", o, c->node, c->self_id, NULL);
	}
	if (rc == K_OK || rc == K_EQUEUED) {
		const char *what = agree ? "cancelled by both; escrow refunded to the buyer"
		                         : "cancellation asked";
		if (c->json) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddStringToObject(j, "id", id);
			cJSON_AddStringToObject(j, "cancel", agree ? "agreed" : "requested");
			cJSON_AddStringToObject(j, "state",
			                        agree && rc == K_OK ? "cancelled" : state);
			cJSON_AddStringToObject(j, "status", rc == K_OK ? "delivered" : "queued");
			cmd_result_json(c, j);
		}
		cmd_result_set(c, "Order", id, agree && rc == K_OK ? "cancelled" : state,
		               "order %s: %s as %s%s", id, what, role,
		               rc == K_EQUEUED ? " (queued; the node checks it when it arrives)"
		               : agree         ? ""
		                               : "; it takes effect when the other party runs "
		                                 "`kontor order cancel` too");
	}
	cJSON_Delete(sec);
	cJSON_Delete(old);
	return rc;
}

static int run_cancel(struct ctx *c, const struct args *a, struct kerr *e)
{
	const char *reason = arg_get(a, "reason"), *id = a->pos[0];
	struct store *s = NULL;
	cJSON *o = NULL;
	char idbuf[RESOLVE_ID_MAX + 1];
	int step = ORDER_CANCEL;
	const struct resolve_for rf = {fit_step, &step, "cancel"};
	int rc = order_open(c, &id, &rf, idbuf, &s, e);
	if (rc)
		return rc;
	/* Where the node's Order stands says which kind of cancel the rules want. */
	const char *state = NULL;
	if (store_object_get(s, "Order", id, &o, NULL) == K_OK)
		state = json_str(o, "state");
	if (state && order_cancel_needs_both(order_state_parse(state))) {
		rc = cancel_funded(c, s, id, o, reason, e);
		cJSON_Delete(o);
		return rc;
	}
	cJSON_Delete(o);
	cJSON *x = cJSON_CreateObject();
	if (reason)
		cJSON_AddStringToObject(x, "reason", reason);
	rc = order_step(c, id, ORDER_CANCEL, x, e);
	cJSON_Delete(x);
	return rc;
}

/* Whether order id is disputed by the other party and we have not answered (its cached
 * Order and contract say so). */
static int answerable(struct ctx *c, const char *id)
{
	cJSON *o = NULL, *doc = NULL;
	const char *role = NULL;
	struct store *s;
	int fits = cached_mine(c, id, &o, &role) && json_str(o, "contractId") &&
	           ctx_store(c, &s, NULL) == K_OK &&
	           store_object_get(s, "Contract", json_str(o, "contractId"), &doc, NULL) == K_OK &&
	           contract_dispute_answerable(o, doc, role);
	cJSON_Delete(doc);
	cJSON_Delete(o);
	return fits;
}

/* The order a dispute command acts on: one to dispute, or one the other party disputed that
 * waits for our answer. */
static int fit_dispute(struct ctx *c, const char *id, void *arg)
{
	(void)arg;
	int step = ORDER_DISPUTE;
	return fit_step(c, id, &step) || answerable(c, id);
}

/* A signed object of ours about order id, kept on the Order (a Rating, a DisputeAnswer):
 * {"id": hash(orderId NUL from), "orderId", "from"}, to which the caller adds its fields
 * before order_object_seal. */
static cJSON *order_object_new(struct ctx *c, const char *id)
{
	char rid[KCRYPTO_HASH_B64_LEN + 1];
	struct kbuf pre = KBUF_INIT;
	kbuf_puts(&pre, id);
	kbuf_putc(&pre, '\0');
	kbuf_puts(&pre, c->self_id);
	kcrypto_hash_b64url(pre.data, pre.len, rid);
	kbuf_free(&pre);
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "id", rid);
	cJSON_AddStringToObject(r, "orderId", id);
	cJSON_AddStringToObject(r, "from", c->self_id);
	return r;
}

/* Dates it now and signs it with our key in domain, then checks it as model type. */
static int order_object_seal(struct ctx *c, cJSON *r, const char *domain, const char *type,
                             struct kerr *e)
{
	char now[MODEL_TIME_LEN + 1];
	struct kbuf canon = KBUF_INIT, sig = KBUF_INIT;
	model_now(now);
	cJSON_AddStringToObject(r, "created", now);
	int rc = canon_write(r, &canon, e);
	if (!rc) {
		kcrypto_sign_object_b64(domain, canon.data, canon.len, c->kp.sk, &sig);
		cJSON_AddStringToObject(r, "sig", kbuf_str(&sig));
		rc = model_validate(type, r, e);
	}
	kbuf_free(&canon);
	kbuf_free(&sig);
	return rc;
}

/* Sends r as the Order/set patch {key: r}, the cached Order o saying it already (old: as it
 * was); --json gets r with our role and whether it went or is queued. */
static int order_object_send(struct ctx *c, struct store *s, const char *id, const cJSON *o,
                             const cJSON *old, const char *key, const cJSON *r, const char *role,
                             struct kerr *e)
{
	char *payload = update_payload(key, cJSON_Duplicate(r, 1));
	int rc = order_update(c, s, id, o, old, &payload, 1, e);
	free(payload);
	if ((rc == K_OK || rc == K_EQUEUED) && c->json) {
		cJSON *j = cJSON_Duplicate(r, 1);
		cJSON_AddStringToObject(j, "role", role);
		cJSON_AddStringToObject(j, "status", rc == K_OK ? "delivered" : "queued");
		cmd_result_json(c, j);
	}
	return rc;
}

/* Our side of a dispute the other party opened: a signed DisputeAnswer on the Order, which
 * the node's arbitrator reads beside the dispute's reason. */
static int answer_dispute(struct ctx *c, struct store *s, const char *id, const char *text,
                          struct kerr *e)
{
	cJSON *o = NULL, *old = NULL, *r = NULL;
	int rc = store_object_get(s, "Order", id, &o, e);
	const char *role = rc ? NULL : role_in(c, o);
	if (!rc && !role)
		rc = kerr_set(e, K_EPERM, "order %s: you are not its buyer or seller", id);
	if (!rc) {
		r = order_object_new(c, id);
		cJSON_AddStringToObject(r, "text", text);
		if ((rc = order_object_seal(c, r, "answer", "DisputeAnswer", e)))
			kerr_prefix(e, "order dispute: the answer");
	}
	if (!rc) {
		old = cJSON_Duplicate(o, 1);
		cJSON_AddItemToObject(o, "answer", cJSON_Duplicate(r, 1));
		rc = order_object_send(c, s, id, o, old, "answer", r, role, e);
	}
	if (rc == K_OK || rc == K_EQUEUED)
		cmd_result_set(
		    c, "Order", id, "disputed",
		    "order %s: answered the dispute as %s; the node's arbitrator reads it "
		    "beside the reason%s",
		    id, role,
		    rc == K_EQUEUED ? " (queued; the node checks it when it arrives)" : "");
	cJSON_Delete(r);
	cJSON_Delete(old);
	cJSON_Delete(o);
	return rc;
}

static int run_dispute(struct ctx *c, const struct args *a, struct kerr *e)
{
	const char *reason = arg_get(a, "reason"), *id = a->pos[0];
	if (!reason || !*reason)
		return kerr_set(e, K_EUSAGE,
		                "order dispute: --reason TEXT is needed (what went "
		                "wrong, for the arbitrator; or, to a dispute the other party "
		                "opened, your side)");
	if (strlen(reason) > RATING_TEXT_MAX)
		return kerr_set(e, K_EUSAGE, "--reason: %zu bytes is over the limit of %d",
		                strlen(reason), RATING_TEXT_MAX);
	struct store *s = NULL;
	char idbuf[RESOLVE_ID_MAX + 1];
	int rc = order_open(c, &id, &(const struct resolve_for){fit_dispute, NULL, "dispute"},
	                    idbuf, &s, e);
	if (rc)
		return rc;
	if (answerable(c, id))
		return answer_dispute(c, s, id, reason, e);
	cJSON *o = NULL;
	if (store_object_get(s, "Order", id, &o, NULL) == K_OK &&
	    order_state_parse(json_str(o, "state")) == ORDER_DISPUTED) {
		/* disputed already: said in words, not as a step out of turn */
		const cJSON *had = cJSON_GetObjectItemCaseSensitive(o, "answer");
		char t[KTIME_LOCAL_MAX];
		if (had && json_str(had, "from") && strcmp(json_str(had, "from"), c->self_id) == 0)
			rc =
			    kerr_set(e, K_ECONFLICT,
			             "order %s: you answered the dispute on %s; an answer is given "
			             "once",
			             id, ktime_local(json_str(had, "created"), t, sizeof t));
		else
			rc = kerr_set(
			    e, K_ECONFLICT,
			    "order %s is disputed: its reason is your side; the other party "
			    "may answer, then the node's arbitrator rules",
			    id);
		cJSON_Delete(o);
		return rc;
	}
	cJSON_Delete(o);
	cJSON *x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "reason", reason);
	rc = order_step(c, id, ORDER_DISPUTE, x, e);
	cJSON_Delete(x);
	return rc;
}

/* --- shipment events (DESIGN §6): order event ---------------------------------------- */

#define EVENTS_PER_UPDATE 200 /* the node's limit for one addEvents */

/* A time as she types it (ktime_parse_typed: "2026-11-25 10:12" her local time, a date
 * alone its noon, or RFC 3339 with any offset) -> "2026-11-25T09:12:00Z". */
static int parse_at(const char *s, char out[MODEL_TIME_LEN + 1], struct kerr *e)
{
	time_t t;
	struct tm u;
	if (ktime_parse_typed(s, &t) == K_OK && gmtime_r(&t, &u) &&
	    strftime(out, MODEL_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &u) == MODEL_TIME_LEN)
		return K_OK;
	char shown[80];
	return kerr_set(e, K_EUSAGE,
	                "--at: '%s' is not a time: 2026-11-25 10:12 (your local time), "
	                "2026-11-25 (its noon), or RFC 3339 with an offset like "
	                "2026-11-25T10:12:00+01:00",
	                text_shown(s, shown, sizeof shown));
}

static int event_same(const cJSON *a, const cJSON *b)
{
	static const char *const keys[] = {"code", "classifier", "at", "location"};
	for (int i = 0; i < 4; i++) {
		const char *x = json_str(a, keys[i]), *y = json_str(b, keys[i]);
		if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0))
			return 0;
	}
	return 1;
}

static int event_in(const cJSON *arr, const cJSON *ev)
{
	const cJSON *x;
	cJSON_ArrayForEach(x, arr) if (event_same(x, ev)) return 1;
	return 0;
}

/* A line of text given on the command line: 1..max bytes of UTF-8, no control characters. */
static int check_line(const char *v, const char *opt, size_t max, struct kerr *e)
{
	size_t n = strlen(v);
	int ok = n >= 1 && n <= max && utf8_valid(v, n);
	for (size_t i = 0; ok && i < n; i++)
		ok = (unsigned char)v[i] >= 0x20 && v[i] != 0x7f;
	if (!ok)
		return kerr_set(e, K_EUSAGE,
		                "--%s: 1 to %zu bytes of text on one line, without "
		                "control characters",
		                opt, max);
	return K_OK;
}

static int check_code(const char *code, struct kerr *e)
{
	if (codes_dcsa_event(code))
		return K_OK;
	struct kbuf b = KBUF_INIT;
	int n = 0;
	const struct dcsa_code *all = codes_dcsa_events(&n);
	for (int i = 0; i < n; i++)
		kbuf_printf(&b, "%s%s", i ? " " : "", all[i].code);
	char shown[40];
	kerr_set(e, K_EUSAGE, "--code: unknown DCSA event code '%s' (one of: %s)",
	         text_shown(code, shown, sizeof shown), kbuf_str(&b));
	kbuf_free(&b);
	return K_EUSAGE;
}

/* The one event of --code and its options. */
static int event_from_args(const struct args *a, cJSON **out, struct kerr *e)
{
	const char *code = arg_get(a, "code"), *cl = arg_get(a, "classifier");
	const char *loc = arg_get(a, "location"), *note = arg_get(a, "note");
	const char *at = arg_get(a, "at");
	char t[MODEL_TIME_LEN + 1];
	int rc = check_code(code, e);
	if (!rc && cl && !codes_dcsa_classifier(cl)) {
		char shown[40];
		rc = kerr_set(e, K_EUSAGE,
		              "--classifier: '%s' is not one of ACT (actual), EST "
		              "(estimated), PLN (planned), REQ (requested)",
		              text_shown(cl, shown, sizeof shown));
	}
	if (!rc && loc)
		rc = check_line(loc, "location", 200, e);
	if (!rc && note)
		rc = check_line(note, "note", 500, e);
	if (!rc) {
		if (at)
			rc = parse_at(at, t, e);
		else
			model_now(t);
	}
	if (rc)
		return rc;
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "code", code);
	cJSON_AddStringToObject(ev, "classifier", cl ? cl : "ACT");
	cJSON_AddStringToObject(ev, "at", t);
	if (loc)
		cJSON_AddStringToObject(ev, "location", loc);
	if (note)
		cJSON_AddStringToObject(ev, "note", note);
	*out = ev;
	return K_OK;
}

/* Reads and parses a DCSA events file (or stdin for "-"). */
static int events_from_dcsa(struct ctx *c, const char *path, cJSON **out, struct kerr *e)
{
	struct kbuf data = KBUF_INIT;
	int rc = K_OK;
	const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
	if (strcmp(path, "-") == 0) {
		char chunk[16384];
		size_t n;
		while (!rc && (n = fread(chunk, 1, sizeof chunk, c->in)) > 0) {
			if (data.len + n > DCSA_MAX_BYTES)
				rc = kerr_set(e, K_ETOOBIG,
				              "stdin: over the limit of %u MiB for a "
				              "DCSA events file",
				              DCSA_MAX_BYTES >> 20);
			else
				kbuf_append(&data, chunk, n);
		}
		if (!rc && ferror(c->in))
			rc = kerr_set(e, K_EIO, "stdin: cannot read it");
	} else {
		rc = kbuf_read_file(path, DCSA_MAX_BYTES, &data, e);
	}
	if (!rc) {
		rc = dcsa_parse(data.data ? data.data : "", data.len, out, e);
		if (rc)
			kerr_prefix(e, "%s", name);
	}
	kbuf_free(&data);
	return rc;
}

/* Queues Order/set updates (payloads[0..n)) for id with the cached order's new form (o,
 * NULL for no local effect) in one transaction, then pushes. An update the node refuses
 * leaves the outbox and the cached order is put back (old): the command says so, with the
 * node's SetError type as its status. */
static int order_update(struct ctx *c, struct store *s, const char *id, const cJSON *o,
                        const cJSON *old, char **payloads, size_t n, struct kerr *e)
{
	char(*cid)[40] = xcalloc(n ? n : 1, sizeof *cid);
	int rc = store_begin(s, e);
	if (rc) {
		free(cid);
		return rc;
	}
	if (o)
		rc = store_object_put(s, "Order", o, c->node, c->self_id, e);
	for (size_t i = 0; !rc && i < n; i++)
		rc =
		    store_outbox_add(s, "Order/set", "update", id, payloads[i], c->node, cid[i], e);
	rc = rc ? (store_rollback(s), rc) : store_commit(s, e);
	if (!rc) {
		int pushed = cmd_push(c, e), any = 0, worst = K_OK;
		struct kerr first = {0, ""};
		char what[120];
		snprintf(what, sizeof what, "order %s", id);
		for (size_t i = 0; i < n; i++) {
			struct kerr ie = *e;
			int refused = 0,
			    r = push_fate(c, s, cid[i], pushed, id, what, &refused, &ie);
			if (refused && !any) {
				any = 1;
				first = ie;
			}
			if (!refused && r != K_OK && worst == K_OK)
				worst = r, *e = ie;
		}
		if (any) {
			struct kerr ie = {0, ""};
			if (old)
				store_object_put(s, "Order", old, c->node, c->self_id, &ie);
			*e = first;
			rc = first.code;
		} else {
			rc = worst;
		}
	}
	free(cid);
	return rc;
}

static int run_event(struct ctx *c, const struct args *a, struct kerr *e)
{
	const char *id = a->pos[0], *file = arg_get(a, "dcsa");
	int dry = arg_has(a, "dry-run");
	if (!file == !arg_get(a, "code"))
		return kerr_set(e, K_EUSAGE,
		                "order event: give --code CODE (one event) or --dcsa "
		                "FILE (a DCSA Track & Trace events file), not both");
	if (file && (arg_get(a, "classifier") || arg_get(a, "location") || arg_get(a, "at") ||
	             arg_get(a, "note")))
		return kerr_set(e, K_EUSAGE,
		                "order event: --classifier, --location, --at and "
		                "--note go with --code; a --dcsa file brings its own");
	cJSON *in = NULL;
	int rc;
	if (file) {
		rc = events_from_dcsa(c, file, &in, e);
	} else {
		cJSON *ev = NULL;
		rc = event_from_args(a, &ev, e);
		if (!rc) {
			in = cJSON_CreateArray();
			cJSON_AddItemToArray(in, ev);
		}
	}
	if (rc)
		return rc;
	struct store *s = NULL;
	char idbuf[RESOLVE_ID_MAX + 1];
	const struct resolve_for rf = {fit_events, NULL, "add events to"};
	if (!(rc = resolve_id_for(c, RESOLVE_ORDER, a->pos[0], &rf, idbuf, sizeof idbuf, e)))
		id = idbuf;
	if (!rc && !dry)
		rc = ctx_identity(c, e);
	if (!rc)
		rc = ctx_store(c, &s, e);
	if (!rc && dry)
		rc = ctx_self(c, e);
	if (rc) {
		cJSON_Delete(in);
		return rc;
	}
	/* The cached order (a carrier has none: then the node alone judges). */
	cJSON *o = NULL, *old = NULL, *add = cJSON_CreateArray();
	if (store_object_get(s, "Order", id, &o, NULL) != K_OK) {
		cJSON_Delete(o);
		o = NULL;
	}
	const char *role = o ? role_in(c, o) : NULL;
	cJSON *ship = o ? cJSON_GetObjectItemCaseSensitive(o, "shipment") : NULL;
	cJSON *have =
	    cJSON_IsObject(ship) ? cJSON_GetObjectItemCaseSensitive(ship, "events") : NULL;
	int already = 0;
	cJSON *ev;
	cJSON_ArrayForEach(ev, in)
	{
		if ((have && event_in(have, ev)) || event_in(add, ev)) {
			already++;
			continue;
		}
		cJSON_AddItemToArray(add, cJSON_Duplicate(ev, 1));
	}
	cJSON_Delete(in);
	int nadd = cJSON_GetArraySize(add);
	/* The local effect: only where the cached order has a shipment to add to. */
	int local = o && cJSON_IsObject(ship) && role && !dry && nadd > 0;
	const char *eta = NULL;
	char eta_buf[MODEL_TIME_LEN + 1] = "";
	int delivered = 0;
	if (local) {
		old = cJSON_Duplicate(o, 1);
		if (!cJSON_IsArray(have)) {
			cJSON_DeleteItemFromObjectCaseSensitive(ship, "events");
			have = cJSON_AddArrayToObject(ship, "events");
		}
		cJSON_ArrayForEach(ev, add)
		{
			cJSON *x = cJSON_Duplicate(ev, 1);
			cJSON_AddStringToObject(x, "by", c->self_id);
			cJSON_AddStringToObject(x, "role", role);
			cJSON_AddItemToArray(have, x);
			/* the rules say which event moves the order on (the node signs it) */
			if (order_event_delivers(order_state_parse(json_str(o, "state")),
			                         json_str(ev, "code"), json_str(ev, "classifier")))
				delivered = 1;
		}
		eta = dcsa_eta(have);
		cJSON_DeleteItemFromObjectCaseSensitive(ship, "eta");
		if (eta) {
			cJSON_AddStringToObject(ship, "eta", eta);
			snprintf(eta_buf, sizeof eta_buf, "%s", eta);
		}
		char now[MODEL_TIME_LEN + 1];
		model_now(now);
		cJSON_DeleteItemFromObjectCaseSensitive(o, "updated");
		cJSON_AddStringToObject(o, "updated", now);
	} else {
		/* What the events we have and bring say (no cache: ours alone). */
		cJSON *all = have ? cJSON_Duplicate(have, 1) : cJSON_CreateArray();
		cJSON_ArrayForEach(ev, add) cJSON_AddItemToArray(all, cJSON_Duplicate(ev, 1));
		eta = dcsa_eta(all);
		if (eta)
			snprintf(eta_buf, sizeof eta_buf, "%s", eta);
		cJSON_Delete(all);
	}
	if (dry) {
		if (c->json) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddStringToObject(j, "id", id);
			cJSON_AddBoolToObject(j, "dryRun", 1);
			json_add_int(j, "added", nadd);
			json_add_int(j, "already", already);
			json_add_opt(j, "eta", eta_buf);
			cJSON *l = cJSON_AddArrayToObject(j, "events");
			cJSON_ArrayForEach(ev, add)
			{
				char w[600];
				cJSON *x = cJSON_Duplicate(ev, 1);
				dcsa_words(ev, json_str(ship, "mode"), w, sizeof w);
				cJSON_AddStringToObject(x, "words", w);
				cJSON_AddItemToArray(l, x);
			}
			cmd_print_json(c, j);
		} else {
			cJSON_ArrayForEach(ev, add)
			{
				char w[600], t[KTIME_LOCAL_MAX];
				dcsa_words(ev, json_str(ship, "mode"), w, sizeof w);
				text_fprintf(c->out, "would add  %s  %s\n",
				             ktime_local(json_str(ev, "at"), t, sizeof t), w);
			}
			char t[KTIME_LOCAL_MAX];
			text_fprintf(c->out,
			             "order %s: %d event%s would be added (%d already there)", id,
			             nadd, nadd == 1 ? "" : "s", already);
			if (eta_buf[0])
				text_fprintf(c->out, "; ETA %s", ktime_local(eta_buf, t, sizeof t));
			fputc('\n', c->out);
		}
		cJSON_Delete(add);
		cJSON_Delete(o);
		return K_OK;
	}
	if (nadd > 0) {
		size_t nchunk = ((size_t)nadd + EVENTS_PER_UPDATE - 1) / EVENTS_PER_UPDATE;
		char **payloads = xcalloc(nchunk, sizeof *payloads);
		for (size_t k = 0; k < nchunk; k++) {
			cJSON *l = cJSON_CreateArray();
			for (int i = (int)k * EVENTS_PER_UPDATE;
			     i < nadd && i < (int)(k + 1) * EVENTS_PER_UPDATE; i++)
				cJSON_AddItemToArray(
				    l, cJSON_Duplicate(cJSON_GetArrayItem(add, i), 1));
			payloads[k] = update_payload("addEvents", l);
		}
		rc = order_update(c, s, id, local ? o : NULL, old, payloads, nchunk, e);
		for (size_t k = 0; k < nchunk; k++)
			free(payloads[k]);
		free(payloads);
		/* An actual delivery moves a shipped order on (the next sync brings the node's). */
		if (rc == K_OK && local && delivered) {
			cJSON_ReplaceItemInObjectCaseSensitive(
			    o, "state", cJSON_CreateString(order_state_name(ORDER_DELIVERED)));
			store_object_put(s, "Order", o, c->node, c->self_id, NULL);
		}
	}
	if (rc == K_OK || rc == K_EQUEUED) {
		char t[KTIME_LOCAL_MAX];
		if (c->json) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddStringToObject(j, "id", id);
			json_add_int(j, "added", nadd);
			json_add_int(j, "already", already);
			json_add_opt(j, "eta", eta_buf);
			cJSON_AddStringToObject(j, "status", rc == K_OK ? "delivered" : "queued");
			cmd_result_json(c, j);
		}
		cmd_result_set(c, "Order", id, json_str(o, "state"),
		               "order %s: %d event%s added (%d already there)%s%s%s", id, nadd,
		               nadd == 1 ? "" : "s", already, eta_buf[0] ? "; ETA " : "",
		               eta_buf[0] ? ktime_local(eta_buf, t, sizeof t) : "",
		               rc == K_EQUEUED ? " (queued; the node checks them when they arrive)"
		                               : "");
	}
	cJSON_Delete(add);
	cJSON_Delete(old);
	cJSON_Delete(o);
	return rc;
}

/* --- ratings (DESIGN §6): order rate ----------------------------------------------------- */

static int star_opt(const struct args *a, const char *name, int required, int *out, struct kerr *e)
{
	const char *v = arg_get(a, name);
	*out = 0;
	if (!v)
		return required
		           ? kerr_set(e, K_EUSAGE, "order rate: --%s N (1 to 5) is needed", name)
		           : K_OK;
	if (v[0] < '1' || v[0] > '5' || v[1]) {
		char shown[40];
		return kerr_set(e, K_EUSAGE, "--%s: '%s' is not a whole number from 1 to 5", name,
		                text_shown(v, shown, sizeof shown));
	}
	*out = v[0] - '0';
	return K_OK;
}

static int run_rate(struct ctx *c, const struct args *a, struct kerr *e)
{
	const char *id = a->pos[0], *tv = arg_get(a, "text");
	int stars, q, d, cm;
	int rc = star_opt(a, "stars", 1, &stars, e);
	if (!rc)
		rc = star_opt(a, "quality", 0, &q, e);
	if (!rc)
		rc = star_opt(a, "delivery", 0, &d, e);
	if (!rc)
		rc = star_opt(a, "communication", 0, &cm, e);
	if (rc)
		return rc;
	struct kbuf text = KBUF_INIT;
	if (tv && tv[0] == '@') {
		rc = ctx_read_file(c, tv + 1, RATING_TEXT_MAX, &text, e);
		if (rc == K_ETOOBIG)
			rc = kerr_set(e, K_EUSAGE, "--text: %s is over %d bytes", tv + 1,
			              RATING_TEXT_MAX);
	} else if (tv) {
		kbuf_puts(&text, tv);
	}
	if (!rc && text.len > RATING_TEXT_MAX)
		rc = kerr_set(e, K_EUSAGE, "--text: %zu bytes is over the limit of %d", text.len,
		              RATING_TEXT_MAX);
	if (!rc && text.len && !utf8_valid(text.data, text.len))
		rc = kerr_set(e, K_EUSAGE, "--text: not valid UTF-8");
	struct store *s = NULL;
	char idbuf[RESOLVE_ID_MAX + 1];
	if (!rc)
		rc = order_open(c, &id, &(const struct resolve_for){fit_rate, NULL, "rate"}, idbuf,
		                &s, e);
	cJSON *o = NULL, *old = NULL, *r = NULL;
	if (!rc) {
		rc = store_object_get(s, "Order", id, &o, e);
		if (rc == K_ENOTFOUND)
			rc = kerr_set(e, K_ENOTFOUND,
			              "no order %s in the cache (run `kontor sync`)", id);
	}
	const char *role = !rc ? role_in(c, o) : NULL;
	const char *state = o && json_str(o, "state") ? json_str(o, "state") : "?";
	if (!rc && !role)
		rc = kerr_set(e, K_EPERM,
		              "order %s: you are not its buyer or seller; only they "
		              "rate it",
		              id);
	if (!rc && !order_state_rateable(order_state_parse(state)))
		rc = kerr_set(e, K_ECONFLICT, "order %s is %s: rating needs completed or resolved",
		              id, state);
	cJSON *ratings = o ? cJSON_GetObjectItemCaseSensitive(o, "ratings") : NULL;
	const cJSON *mine = role ? cJSON_GetObjectItemCaseSensitive(ratings, role) : NULL;
	if (!rc && mine) {
		char t[KTIME_LOCAL_MAX];
		rc = kerr_set(e, K_ECONFLICT,
		              "order %s: you rated this order on %s (once per party)", id,
		              ktime_local(json_str(mine, "created"), t, sizeof t));
	}
	if (!rc) {
		const char *to =
		    strcmp(role, "buyer") == 0 ? json_str(o, "sellerId") : json_str(o, "buyerId");
		r = order_object_new(c, id);
		cJSON_AddStringToObject(r, "to", to ? to : "");
		json_add_int(r, "stars", stars);
		if (q)
			json_add_int(r, "quality", q);
		if (d)
			json_add_int(r, "delivery", d);
		if (cm)
			json_add_int(r, "communication", cm);
		json_add_opt(r, "text", kbuf_str(&text));
		if ((rc = order_object_seal(c, r, "rating", "Rating", e)))
			kerr_prefix(e, "order rate: the rating");
	}
	if (!rc) {
		old = cJSON_Duplicate(o, 1);
		if (!cJSON_IsObject(ratings)) {
			cJSON_DeleteItemFromObjectCaseSensitive(o, "ratings");
			ratings = cJSON_AddObjectToObject(o, "ratings");
		}
		cJSON_AddItemToObject(ratings, role, cJSON_Duplicate(r, 1));
		rc = order_object_send(c, s, id, o, old, "rate", r, role, e);
	}
	if (rc == K_OK || rc == K_EQUEUED) {
		cmd_result_set(
		    c, "Order", id, json_str(o, "state"),
		    "order %s: rated the %s %d star%s as %s%s", id,
		    strcmp(role, "buyer") == 0 ? "seller" : "buyer", stars, stars == 1 ? "" : "s",
		    role, rc == K_EQUEUED ? " (queued; the node checks it when it arrives)" : "");
	}
	kbuf_free(&text);
	cJSON_Delete(r);
	cJSON_Delete(old);
	cJSON_Delete(o);
	return rc;
}

/* --- track ORDER: the shipment's timeline from the cache --------------------------------- */

static void put_clean_str(FILE *f, const char *s)
{
	struct kbuf b = KBUF_INIT;
	text_sanitize(&b, s ? s : "", s ? strlen(s) : 0, 0);
	fputs(kbuf_str(&b), f);
	kbuf_free(&b);
}

/* The cached Order named by key (resolve.h) as *o (the caller frees it), its full id in id;
 * K_ENOTFOUND saying to sync when the cache does not hold it. */
static int cached_order(struct ctx *c, const char *key, char id[RESOLVE_ID_MAX + 1],
                        struct store **s, cJSON **o, struct kerr *e)
{
	int rc = resolve_id(c, RESOLVE_ORDER, key, id, RESOLVE_ID_MAX + 1, e);
	if (!rc)
		rc = ctx_store(c, s, e);
	if (!rc && (rc = store_object_get(*s, "Order", id, o, e)) == K_ENOTFOUND)
		rc = kerr_set(e, K_ENOTFOUND, "no order %s in the cache (run `kontor sync`)", id);
	return rc;
}

/* --- track without ORDER: her shipments, three lines each ------------------------------- */

/* What a shipment says besides its carrier and number: its events, the ETA (the node's, else
 * the latest estimated arrival) and the customs status in words. */
struct ship_said {
	const cJSON *events; /* an array, or NULL */
	const char *eta, *customs;
	char customs_buf[200];
};

static void ship_said(const cJSON *ship, struct ship_said *s)
{
	const cJSON *evs = cJSON_GetObjectItemCaseSensitive(ship, "events");
	s->events = cJSON_IsArray(evs) ? evs : NULL;
	s->eta = json_str(ship, "eta");
	if (!s->eta && s->events)
		s->eta = dcsa_eta(s->events);
	s->customs =
	    s->events ? dcsa_customs(s->events, s->customs_buf, sizeof s->customs_buf) : NULL;
}

/* --json's shipment: the node's, its events left out, with the ETA and customs said. */
static cJSON *ship_said_json(const cJSON *ship, const struct ship_said *s)
{
	cJSON *sh = cJSON_Duplicate(ship, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(sh, "events");
	if (s->eta && !json_str(sh, "eta"))
		cJSON_AddStringToObject(sh, "eta", s->eta);
	if (s->customs)
		cJSON_AddStringToObject(sh, "customs", s->customs);
	return sh;
}

struct track_walk {
	struct ctx *c;
	int all;   /* --all: every order that was shipped, not only those under way */
	int shown; /* shipments listed */
	int done;  /* shipments left out: delivered, confirmed, disputed, settled */
};

/* One shipment: the order's start, state, carrier, tracking number, mode, ETA and customs;
 * what it carries and to or from whom; its last event in words and local time. */
static void track_print(struct ctx *c, const cJSON *o, const char *state, const cJSON *ship)
{
	struct ship_said said;
	ship_said(ship, &said);
	const char *eta = said.eta, *cus = said.customs;
	char t[KTIME_LOCAL_MAX], w[600];
	const cJSON *last = said.events ? dcsa_latest(said.events) : NULL;
	struct kbuf name = KBUF_INIT;
	char *product = cmd_order_product(c, o, &name, NULL);
	const char *id = json_str(o, "id") ? json_str(o, "id") : "?";
	if (c->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "id", id);
		cJSON_AddStringToObject(j, "state", state);
		cJSON_AddStringToObject(j, "product", product);
		cJSON_AddStringToObject(j, "counterpartyName", kbuf_str(&name));
		if (cJSON_IsObject(ship)) {
			cJSON *sh = ship_said_json(ship, &said);
			if (last) {
				cJSON *x = cJSON_Duplicate(last, 1);
				dcsa_words(last, json_str(ship, "mode"), w, sizeof w);
				cJSON_AddStringToObject(x, "words", w);
				cJSON_AddItemToObject(sh, "lastEvent", x);
			}
			cJSON_AddItemToObject(j, "shipment", sh);
		} else {
			cJSON_AddNullToObject(j, "shipment");
		}
		cmd_print_json(c, j);
	} else {
		FILE *f = c->out;
		text_fprintf(f, "%.8s  %-9s  ", id, state);
		if (cJSON_IsObject(ship)) {
			put_clean_str(f,
			              json_str(ship, "carrier") ? json_str(ship, "carrier") : "?");
			fputc(' ', f);
			put_clean_str(f, json_str(ship, "trackingNumber")
			                     ? json_str(ship, "trackingNumber")
			                     : "?");
			if (json_str(ship, "mode")) {
				fputs(" (", f);
				put_clean_str(f, json_str(ship, "mode"));
				fputc(')', f);
			}
			if (eta)
				text_fprintf(f, "  ETA %s", ktime_local(eta, t, sizeof t));
			if (cus)
				text_fprintf(f, "  customs %s", cus);
		}
		text_fprintf(f, "\n          %s, %s\n          ", product, kbuf_str(&name));
		if (!cJSON_IsObject(ship)) {
			fputs("the shipment comes with `kontor sync`\n", f);
		} else if (last) {
			dcsa_words(last, json_str(ship, "mode"), w, sizeof w);
			text_fprintf(f, "%s  %s\n", ktime_local(json_str(last, "at"), t, sizeof t),
			             w);
		} else {
			fputs("no shipment events yet\n", f);
		}
	}
	free(product);
	kbuf_free(&name);
}

static int track_one(void *vctx, const cJSON *o)
{
	struct track_walk *w = vctx;
	const char *state = json_str(o, "state") ? json_str(o, "state") : "?";
	const cJSON *ship = cJSON_GetObjectItemCaseSensitive(o, "shipment");
	int under_way = order_state_parse(state) == ORDER_SHIPPED;
	if (!cJSON_IsObject(ship) && !under_way)
		return 0; /* not shipped (yet, or ever) */
	if (!under_way && !w->all) {
		w->done++;
		return 0;
	}
	w->shown++;
	track_print(w->c, o, state, cJSON_IsObject(ship) ? ship : NULL);
	return 0;
}

static int run_track_list(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct track_walk w = {c, arg_has(a, "all"), 0, 0};
	struct store *s;
	int rc = ctx_store(c, &s, e);
	if (!rc)
		rc = ctx_self(c, e);
	if (!rc)
		rc = store_object_each(s, "Order", NULL, track_one, &w, e);
	if (rc || w.shown)
		return rc;
	if (w.done)
		cmd_note(c,
		         "no shipment under way; %d delivered or done (`kontor track --all` lists "
		         "them)",
		         w.done);
	else
		cmd_note(c, "no shipments in the cache (`kontor sync` brings them)");
	return K_OK;
}

static int run_track(struct ctx *c, const struct args *a, struct kerr *e)
{
	if (a->npos == 0)
		return run_track_list(c, a, e);
	if (arg_has(a, "all"))
		return kerr_set(
		    e, K_EUSAGE,
		    "track: --all lists every shipment; it takes no ORDER (`kontor track "
		    "%.64s` shows that one)",
		    a->pos[0]);
	struct store *s;
	char id[RESOLVE_ID_MAX + 1];
	cJSON *o = NULL;
	int rc = cached_order(c, a->pos[0], id, &s, &o, e);
	if (rc)
		return rc;
	const char *state = json_str(o, "state") ? json_str(o, "state") : "?";
	const cJSON *ship = cJSON_GetObjectItemCaseSensitive(o, "shipment");
	const cJSON *evs =
	    cJSON_IsObject(ship) ? cJSON_GetObjectItemCaseSensitive(ship, "events") : NULL;
	if (!cJSON_IsObject(ship)) {
		if (c->json) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddStringToObject(j, "id", id);
			cJSON_AddStringToObject(j, "state", state);
			cJSON_AddNullToObject(j, "shipment");
			cmd_print_json(c, j);
		} else {
			/* The local effect of `order ship` moves the state at once; the shipment
			 * and its events are the node's, in the cache after the next sync. */
			int st = order_state_parse(state);
			if (st == ORDER_CANCELLED)
				text_fprintf(c->out,
				             "order %s is cancelled: it was never shipped\n", id);
			else if (st < 0 || st == ORDER_AWAITING_PAYMENT || st == ORDER_FUNDED)
				text_fprintf(c->out, "order %s is %s: not shipped yet\n", id,
				             state);
			else
				text_fprintf(
				    c->out,
				    "order %s is %s: no shipment in the cache yet (`kontor sync` "
				    "brings it)\n",
				    id, state);
		}
		cJSON_Delete(o);
		return K_OK;
	}
	size_t n = (size_t)cJSON_GetArraySize(evs);
	if (n > DCSA_MAX_EVENTS)
		n = DCSA_MAX_EVENTS;
	size_t *idx = xcalloc(n + 1, sizeof *idx);
	n = cJSON_IsArray(evs) ? dcsa_recent_first(evs, idx, n) : 0;
	struct ship_said said;
	ship_said(ship, &said);
	const char *eta = said.eta, *cus = said.customs;
	if (c->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "id", id);
		cJSON_AddStringToObject(j, "state", state);
		cJSON *sh = ship_said_json(ship, &said);
		cJSON *l = cJSON_AddArrayToObject(sh, "events");
		for (size_t i = 0; i < n; i++) {
			const cJSON *ev = cJSON_GetArrayItem(evs, (int)idx[i]);
			char w[600];
			dcsa_words(ev, json_str(ship, "mode"), w, sizeof w);
			cJSON *x = cJSON_Duplicate(ev, 1);
			cJSON_AddStringToObject(x, "words", w);
			cJSON_AddItemToArray(l, x);
		}
		cJSON_AddItemToObject(j, "shipment", sh);
		cmd_print_json(c, j);
	} else {
		FILE *f = c->out;
		char t[KTIME_LOCAL_MAX];
		fprintf(f, "order     %s\ncarrier   ", id);
		put_clean_str(f, json_str(ship, "carrier") ? json_str(ship, "carrier") : "?");
		fputs("\ntracking  ", f);
		put_clean_str(f, json_str(ship, "trackingNumber") ? json_str(ship, "trackingNumber")
		                                                  : "?");
		if (json_str(ship, "mode")) {
			fputs("\nmode      ", f);
			put_clean_str(f, json_str(ship, "mode"));
		}
		text_fprintf(f, "\nstate     %s\n", state);
		if (json_str(ship, "origin") || json_str(ship, "destination")) {
			fputs("route     ", f);
			if (json_str(ship, "origin") && json_str(ship, "destination")) {
				put_clean_str(f, json_str(ship, "origin"));
				fputs(" -> ", f);
				put_clean_str(f, json_str(ship, "destination"));
			} else {
				fputs(json_str(ship, "origin") ? "from " : "to ", f);
				put_clean_str(f, json_str(ship, "origin")
				                     ? json_str(ship, "origin")
				                     : json_str(ship, "destination"));
			}
			fputc('\n', f);
		}
		if (eta)
			text_fprintf(f, "ETA %s\n", ktime_local(eta, t, sizeof t));
		else if (json_str(o, "deliveredAt")) /* arrived: no ETA, the day it came */
			text_fprintf(f, "delivered %s\n",
			             ktime_local(json_str(o, "deliveredAt"), t, sizeof t));
		if (cus)
			text_fprintf(f, "Customs: %s\n", cus);
		if (n)
			fputc('\n', f);
		else
			fputs("no shipment events yet\n", f);
		for (size_t i = 0; i < n; i++) {
			const cJSON *ev = cJSON_GetArrayItem(evs, (int)idx[i]);
			char w[600];
			dcsa_words(ev, json_str(ship, "mode"), w, sizeof w);
			text_fprintf(f, "%s  %s\n", ktime_local(json_str(ev, "at"), t, sizeof t),
			             w);
		}
	}
	free(idx);
	cJSON_Delete(o);
	return K_OK;
}

/* --- list and show ---------------------------------------------------------------------- */

char *cmd_order_product(struct ctx *c, const cJSON *o, struct kbuf *name, cJSON **doc)
{
	resolve_account_name(c, resolve_peer_of(c, o), name);
	struct store *s;
	cJSON *k = ctx_store(c, &s, NULL) == K_OK ? inbox_order_contract(s, o) : NULL;
	char *product = contract_product_of(k); /* "-" without one */
	if (doc)
		*doc = k;
	else
		cJSON_Delete(k);
	return product;
}

static void print_order(struct ctx *c, const cJSON *o)
{
	const char *b = json_str(o, "buyerId");
	int buying = b && strcmp(b, c->self_id) == 0;
	char total[MONEY_FMT_MAX] = "?";
	const char *cur = json_str(o, "currency") ? json_str(o, "currency") : "";
	if (*cur)
		money_text(json_int(o, "total"), cur, total);
	struct kbuf name = KBUF_INIT; /* people read names; --json keeps the ids */
	cJSON *doc = NULL;
	char *product = cmd_order_product(c, o, &name, c->json ? &doc : NULL);
	if (c->json) {
		cJSON *j = cJSON_Duplicate(o, 1);
		cJSON_AddStringToObject(j, "role", buying ? "buyer" : "seller");
		cJSON_AddStringToObject(j, "counterpartyName", kbuf_str(&name));
		cJSON_AddStringToObject(j, "product", product);
		char sb[CONTRACT_DATE_LEN + 1];
		if (contract_ship_by_of(doc, sb)) /* the day it ships by: a script sorts by it */
			cJSON_AddStringToObject(j, "shipBy", sb);
		cJSON_Delete(doc);
		cmd_print_json(c, j);
	} else {
		const char *st = json_str(o, "state") ? json_str(o, "state") : "?";
		char shown[ORDER_STATE_PAID_LEN];
		order_state_paid(order_state_parse(st), st, json_int(o, "escrow"),
		                 json_int(o, "total"), shown);
		cmd_list_line(c, json_str(o, "id"), shown, 16, buying, total, cur, product,
		              kbuf_str(&name));
	}
	free(product);
	kbuf_free(&name);
}

static int list_one(void *vctx, const cJSON *o)
{
	print_order(vctx, o);
	return 0;
}

static int run_list(struct ctx *c, const struct args *a, struct kerr *e)
{
	const char *state = arg_get(a, "state");
	if (state && order_state_parse(state) < 0) {
		struct kbuf all = KBUF_INIT;
		char shown[40];
		for (int i = 0; order_state_names[i]; i++)
			kbuf_printf(&all, "%s%s", i ? ", " : "", order_state_names[i]);
		kerr_set(e, K_EUSAGE, "--state: '%s' is not one of %s",
		         text_shown(state, shown, sizeof shown), kbuf_str(&all));
		kbuf_free(&all);
		return K_EUSAGE;
	}
	return ctx_list_objects(c, "Order", state, list_one, e);
}

static void show_shipment_ratings(struct ctx *c, const cJSON *o)
{
	FILE *f = c->out;
	const cJSON *ship = cJSON_GetObjectItemCaseSensitive(o, "shipment");
	if (cJSON_IsObject(ship)) {
		char t[KTIME_LOCAL_MAX];
		fputs("shipment   ", f);
		put_clean_str(f, json_str(ship, "carrier") ? json_str(ship, "carrier") : "?");
		fputc(' ', f);
		put_clean_str(f, json_str(ship, "trackingNumber") ? json_str(ship, "trackingNumber")
		                                                  : "?");
		if (json_str(ship, "mode")) {
			fputs(" (", f);
			put_clean_str(f, json_str(ship, "mode"));
			fputc(')', f);
		}
		const cJSON *evs = cJSON_GetObjectItemCaseSensitive(ship, "events");
		int n = cJSON_GetArraySize(evs);
		text_fprintf(f, ", %d event%s (`kontor track %.8s`)\n", n, n == 1 ? "" : "s",
		             json_str(o, "id") ? json_str(o, "id") : "ID");
		if (json_str(ship, "eta"))
			text_fprintf(f, "ETA        %s\n",
			             ktime_local(json_str(ship, "eta"), t, sizeof t));
	}
	const cJSON *ans = cJSON_GetObjectItemCaseSensitive(o, "answer");
	if (cJSON_IsObject(ans) && json_str(ans, "text")) {
		/* the other party's side of the dispute, as the arbitrator reads it */
		const char *from = json_str(ans, "from");
		const char *b = json_str(o, "buyerId");
		char t[KTIME_LOCAL_MAX];
		text_fprintf(f, "answer by the %s (%s): ",
		             from && b && strcmp(from, b) == 0 ? "buyer" : "seller",
		             ktime_local(json_str(ans, "created"), t, sizeof t));
		char *t1 = xstrdup(json_str(ans, "text"));
		for (char *p = t1; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		put_clean_str(f, t1);
		free(t1);
		fputc('\n', f);
	}
	const cJSON *ratings = cJSON_GetObjectItemCaseSensitive(o, "ratings");
	static const char *const roles[] = {"buyer", "seller"};
	for (int i = 0; i < 2; i++) {
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(ratings, roles[i]);
		if (!cJSON_IsObject(r))
			continue;
		fprintf(f, "rating by the %s: %lld/5", roles[i], (long long)json_int(r, "stars"));
		static const char *const parts[] = {"quality", "delivery", "communication"};
		for (int k = 0; k < 3; k++)
			if (json_int(r, parts[k]))
				fprintf(f, ", %s %lld", parts[k], (long long)json_int(r, parts[k]));
		if (json_str(r, "text")) {
			/* One line: the text's line breaks become spaces, then it is cleaned. */
			char *t1 = xstrdup(json_str(r, "text"));
			for (char *p = t1; *p; p++)
				if (*p == '\n' || *p == '\r')
					*p = ' ';
			fputs(": ", f);
			put_clean_str(f, t1);
			free(t1);
		}
		fputc('\n', f);
	}
}

/* The sections of contract kid our outbox still holds (not yet on the node): from the
 * first waiting Contract/set update on, whose last section is the first of them. */
struct queued_walk {
	const char *contract_id;
	int from; /* -1: none waiting */
};

static int queued_one(void *vctx, const struct outbox_item *it)
{
	struct queued_walk *w = vctx;
	if (w->from >= 0 || !it->method || strcmp(it->method, "Contract/set") != 0 ||
	    !it->object_id || strcmp(it->object_id, w->contract_id) != 0 || !it->op ||
	    strcmp(it->op, "update") != 0)
		return 0;
	cJSON *p = cJSON_Parse(it->payload ? it->payload : "");
	int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(p, "sections"));
	if (n > 1)
		w->from = n - 1;
	cJSON_Delete(p);
	return 0;
}

/* One "label      value" line of `order show` (the label in 11 columns); on a terminal too
 * narrow for it, the value wraps under itself. */
static void show_field(struct ctx *c, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void show_field(struct ctx *c, const char *label, const char *fmt, ...)
{
	char head[24];
	snprintf(head, sizeof head, "%-10s ", label);
	struct kbuf v = KBUF_INIT, out = KBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	kbuf_vprintf(&v, fmt, ap);
	va_end(ap);
	cmd_field(c, &out, head, kbuf_str(&v));
	text_fprintf(c->out, "%s\n", kbuf_str(&out));
	kbuf_free(&v);
	kbuf_free(&out);
}

/* The payment stages in words and what each stands at, from the contract's replay. */
static void show_payment(struct ctx *c, const struct contract_status *st)
{
	const struct order_terms *t = &st->terms;
	const struct order_progress *p = &st->progress;
	char a1[MONEY_FMT_MAX], a2[MONEY_FMT_MAX], a3[MONEY_FMT_MAX];
	money_text(p->paid, t->currency, a1);
	money_text(order_due_now(t, p), t->currency, a2);
	money_text(order_remaining(t, p), t->currency, a3);
	show_field(c, "payment", "paid %s %s, due now %s %s, still to pay %s %s", a1, t->currency,
	           a2, t->currency, a3, t->currency);
	for (size_t i = 0; i < t->nstages; i++) {
		char w[ORDER_WORDS_LEN], at[ORDER_STANDING_LEN];
		order_stage_words(t, i, w);
		text_fprintf(c->out, "  %s: %s\n", w, order_stage_standing(t, p, i, at));
	}
}

/* The event section of secs after prev (NULL: from the first), the offer and sections without
 * a kind skipped: *idx counts every section passed, *body is its parsed body (NULL when it
 * does not parse; the caller frees it). NULL after the last. */
static const cJSON *next_event(const cJSON *secs, const cJSON *prev, int *idx, cJSON **body)
{
	const cJSON *sec = prev ? prev->next : secs ? secs->child : NULL;
	for (; sec; sec = sec->next) {
		const char *kind = json_str(sec, "kind"), *b = json_str(sec, "body");
		++*idx;
		if (kind && strcmp(kind, "offer") != 0) {
			*body = cJSON_Parse(b ? b : "");
			return sec;
		}
	}
	return NULL;
}

/* What the order is for, from its binding offer (the terms both signed): each line's
 * quantity, goods, the variant's SKU and unit price, then where, how and by when it ships.
 * j: the offer's own items and shipping fields, as it signed them, into --json's j; else
 * lines on c->out. */
static void show_goods(struct ctx *c, const cJSON *doc, const struct contract_status *st, cJSON *j)
{
	const cJSON *sec =
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "sections"), st->binding);
	if (j) {
		static const char *const shipping[] = {"incoterm", "namedPlace", "shipmentMode",
		                                       "shipBy", "deliverBy"};
		cJSON *body = cJSON_Parse(json_str(sec, "body") ? json_str(sec, "body") : "");
		cJSON *items = cJSON_DetachItemFromObjectCaseSensitive(body, "items");
		if (items)
			cJSON_AddItemToObject(j, "goods", items);
		cJSON *sh = cJSON_AddObjectToObject(j, "shipping");
		for (size_t i = 0; i < sizeof shipping / sizeof shipping[0]; i++) {
			cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(body, shipping[i]);
			if (v)
				cJSON_AddItemToObject(sh, shipping[i], v);
		}
		cJSON_Delete(body);
		return;
	}
	struct contract_terms t;
	struct kerr e = {0, ""};
	contract_terms_init(&t);
	if (!sec || contract_section_terms(sec, &t, &e) != K_OK) {
		contract_terms_free(&t);
		return;
	}
	struct kbuf b = KBUF_INIT;
	for (size_t i = 0; i < t.nitems; i++) {
		kbuf_reset(&b);
		contract_item_words(&t, i, &b);
		show_field(c, i ? "" : "goods", "%s", kbuf_str(&b));
	}
	kbuf_reset(&b);
	contract_charges_words(&t, &b);
	if (b.len)
		show_field(c, "charges", "%s", kbuf_str(&b));
	kbuf_reset(&b);
	contract_shipping_words(&t, &b);
	show_field(c, "terms", "%s", kbuf_str(&b));
	kbuf_free(&b);
	contract_terms_free(&t);
}

static int run_show(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	char id[RESOLVE_ID_MAX + 1];
	cJSON *o = NULL, *doc = NULL;
	int rc = ctx_self(c, e);
	if (!rc)
		rc = cached_order(c, a->pos[0], id, &s, &o, e);
	if (rc)
		return rc;
	if (json_str(o, "contractId"))
		store_object_get(s, "Contract", json_str(o, "contractId"), &doc, NULL);
	const cJSON *secs = doc ? cJSON_GetObjectItemCaseSensitive(doc, "sections") : NULL;
	/* Where the order stands by its contract, replayed through the rules; the sections
	 * still in our outbox are said to be so, not shown as done. */
	struct contract_status *st = xcalloc(1, sizeof *st);
	struct kerr ve = {0, ""};
	int verified = doc && contract_verify(doc, st, &ve) == K_OK && st->binding >= 0;
	struct queued_walk qw = {json_str(o, "contractId"), -1};
	if (doc)
		store_outbox_each(s, queued_one, &qw, NULL);
	if (c->json) {
		cJSON *j = cJSON_Duplicate(o, 1);
		const char *buyer = json_str(o, "buyerId");
		cJSON_AddStringToObject(
		    j, "role", buyer && strcmp(buyer, c->self_id) == 0 ? "buyer" : "seller");
		resolve_json_name(c, j, resolve_peer_of(c, o));
		cJSON *ev = cJSON_AddArrayToObject(j, "events");
		cJSON *body;
		int idx = -1;
		for (const cJSON *sec = NULL; (sec = next_event(secs, sec, &idx, &body));) {
			cJSON *x = body ? body : cJSON_CreateObject();
			cJSON_DeleteItemFromObjectCaseSensitive(x, "prev");
			cJSON_AddStringToObject(x, "kind", json_str(sec, "kind"));
			if (qw.from >= 0 && idx >= qw.from)
				cJSON_AddBoolToObject(x, "queued", 1);
			cJSON_AddItemToArray(ev, x);
		}
		if (verified) {
			const struct order_terms *t = &st->terms;
			show_goods(c, doc, st, j);
			char day[CONTRACT_DATE_LEN + 1];
			contract_ship_by_of(doc, day);
			if (contract_ship_due(day, t, &st->progress) == CONTRACT_SHIP_LATE)
				cJSON_AddBoolToObject(j, "shipLate", 1);
			cJSON *pay = cJSON_AddObjectToObject(j, "payment");
			json_add_int(pay, "paid", st->progress.paid);
			json_add_int(pay, "dueNow", order_due_now(t, &st->progress));
			json_add_int(pay, "remaining", order_remaining(t, &st->progress));
			/* where escrow's money went: to the seller, back to the buyer, and when */
			json_add_int(pay, "released", st->progress.released);
			json_add_int(pay, "refunded", st->progress.refunded);
			if (st->progress.settled[0])
				cJSON_AddStringToObject(pay, "settledAt", st->progress.settled);
			cJSON *arr = cJSON_AddArrayToObject(pay, "stages");
			for (size_t i = 0; i < t->nstages; i++) {
				char due[ORDER_DUE_LEN];
				cJSON *x = cJSON_CreateObject();
				order_due_format(&t->stages[i], due);
				json_add_int(x, "pct", t->stages[i].pct);
				cJSON_AddStringToObject(x, "due", due);
				json_add_int(x, "amount", order_stage_amount(t, i));
				cJSON_AddBoolToObject(x, "paid", i < st->progress.stages_paid);
				char at[ORDER_TIME_LEN + 1];
				if (order_stage_due_at(t, &st->progress, i, at))
					cJSON_AddStringToObject(x, "dueAt", at);
				cJSON_AddItemToArray(arr, x);
			}
		}
		cmd_print_json(c, j);
	} else {
		char total[MONEY_FMT_MAX] = "?", escrow[MONEY_FMT_MAX] = "?";
		const char *cur = json_str(o, "currency") ? json_str(o, "currency") : "";
		if (*cur) {
			money_text(json_int(o, "total"), cur, total);
			money_text(json_int(o, "escrow"), cur, escrow);
		}
		/* the parties by name, with the ids they stand for */
		struct kbuf bn = KBUF_INIT, sn = KBUF_INIT;
		resolve_account_name(c, json_str(o, "buyerId"), &bn);
		resolve_account_name(c, json_str(o, "sellerId"), &sn);
		char created[KTIME_LOCAL_MAX], rel_at[ORDER_TIME_LEN + 1], rel[KTIME_LOCAL_MAX + 8];
		/* delivered: the day itself, as the node's sweep will judge it */
		snprintf(rel, sizeof rel, "%s",
		         inbox_order_release_at(o, rel_at)
		             ? ktime_local(rel_at, created, sizeof created)
		             : "");
		if (rel[0])
			snprintf(rel + strlen(rel), sizeof rel - strlen(rel), " (");
		/* once escrow has paid out, where the money went, not the rule that would move it
		 */
		char settled[ORDER_SETTLED_LEN];
		struct kbuf release = KBUF_INIT;
		if (verified && order_settled_words(&st->progress, cur, settled))
			kbuf_puts(&release, settled);
		else
			kbuf_printf(
			    &release,
			    "%s%lld days after delivery%s%s, unless confirmed or disputed first",
			    rel, (long long)json_int(o, "autoReleaseDays"),
			    /* the rules release nothing while a stage is unpaid */
			    verified && st->progress.stages_paid < st->terms.nstages
			        ? " once every stage is paid"
			        : "",
			    rel[0] ? ")" : "");
		const char *bid = json_str(o, "buyerId"), *sid = json_str(o, "sellerId");
		show_field(c, "order", "%s", id);
		show_field(c, "state", "%s", json_str(o, "state") ? json_str(o, "state") : "?");
		show_field(c, "contract", "%s",
		           json_str(o, "contractId") ? json_str(o, "contractId") : "?");
		show_field(c, "buyer", "%s (%s)", kbuf_str(&bn), bid ? bid : "?");
		show_field(c, "seller", "%s (%s)", kbuf_str(&sn), sid ? sid : "?");
		show_field(c, "total", "%s %s", total, cur);
		show_field(c, "in escrow", "%s %s", escrow, cur);
		show_field(c, "release", "%s", kbuf_str(&release));
		show_field(c, "created", "%s",
		           ktime_local(json_str(o, "created"), created, sizeof created));
		kbuf_free(&release);
		kbuf_free(&bn);
		kbuf_free(&sn);
		char day[CONTRACT_DATE_LEN + 1];
		contract_ship_by_of(doc, day);
		if (verified)
			show_goods(c, doc, st, NULL);
		if (verified && contract_ship_due(day, &st->terms, &st->progress) ==
		                    CONTRACT_SHIP_LATE) /* as the inbox says it */
			text_fprintf(c->out,
			             "late       not shipped, and the contract said by %s\n", day);
		if (verified)
			show_payment(c, st);
		else if (doc)
			text_fprintf(c->out, "contract   DOES NOT VERIFY: %s\n", ve.msg);
		show_shipment_ratings(c, o);
		cJSON *body;
		int idx = -1;
		for (const cJSON *sec = NULL; (sec = next_event(secs, sec, &idx, &body));) {
			const cJSON *sig = cJSON_GetArrayItem(
			    cJSON_GetObjectItemCaseSensitive(sec, "signatures"), 0);
			char at[KTIME_LOCAL_MAX];
			text_fprintf(c->out, "  %-20s %-10s by %s",
			             ktime_local(json_str(body, "at"), at, sizeof at),
			             json_str(sec, "kind"),
			             json_str(sig, "role") ? json_str(sig, "role") : "?");
			if (json_str(body, "carrier"))
				text_fprintf(c->out, "  %s %s", json_str(body, "carrier"),
				             json_str(body, "trackingNumber")
				                 ? json_str(body, "trackingNumber")
				                 : "");
			if (json_str(body, "mode"))
				text_fprintf(c->out, " (%s)", json_str(body, "mode"));
			if (*cur && strcmp(json_str(sec, "kind"), "funded") == 0 && verified &&
			    idx < CONTRACT_MAX_SECTIONS) {
				const struct order_effect *fx = &st->effect[idx];
				char am[MONEY_FMT_MAX];
				money_text(fx->amount, cur, am);
				if (fx->stage_to == fx->stage_from + 1)
					text_fprintf(c->out, "  %s %s (stage %zu of %zu)", am, cur,
					             fx->stage_to, st->terms.nstages);
				else
					text_fprintf(c->out, "  %s %s", am, cur);
			}
			if (*cur && strcmp(json_str(sec, "kind"), "ruling") == 0) {
				char ba[MONEY_FMT_MAX], sa[MONEY_FMT_MAX];
				money_text(json_int(body, "buyerAmount"), cur, ba);
				money_text(json_int(body, "sellerAmount"), cur, sa);
				text_fprintf(c->out, "  buyer %s %s, seller %s %s", ba, cur, sa,
				             cur);
			} else if (*cur && strcmp(json_str(sec, "kind"), "released") == 0 &&
			           cJSON_GetObjectItemCaseSensitive(body, "amount")) {
				char am[MONEY_FMT_MAX];
				money_text(json_int(body, "amount"), cur, am);
				text_fprintf(c->out, "  %s %s to the seller", am, cur);
			}
			if (json_str(body, "reason"))
				text_fprintf(c->out, "  reason: %s", json_str(body, "reason"));
			if (json_str(body, "note"))
				text_fprintf(c->out, "  note: %s", json_str(body, "note"));
			if (qw.from >= 0 && idx >= qw.from)
				fputs("  [queued in your outbox: not on the node yet]", c->out);
			fputc('\n', c->out);
			cJSON_Delete(body);
		}
	}
	free(st);
	cJSON_Delete(doc);
	cJSON_Delete(o);
	return K_OK;
}

const struct cmd_entry cmd_order_entries[] = {
    {"order list", "[--state STATE]",
     "the orders in the cache: state, total, product, counterparty", "state=", 0, 0, run_list,
     "STATE: awaiting_payment, funded, shipped, delivered, completed, cancelled, disputed,\n"
     "resolved. Orders come with `kontor sync`."},
    {"order show", "ID", "an order: state, total, escrow, goods, terms, shipment, ratings, events",
     "", 1, 1, run_show, NULL},
    {"order docs", CMD_DOCS_USAGE,
     "the order's commercial invoice, proforma, packing list, origin application", CMD_DOCS_SPEC, 1,
     1, cmd_order_docs, cmd_docs_help},
    {"order pay", "ID", "pay the stage that is due into escrow from your wallet (buyer)", "", 1, 1,
     run_pay,
     "Appends a signed \"funded\" section with the stage's number and amount to the contract:\n"
     "the payment terms' next stage (stages due on signing or before shipment while the order\n"
     "awaits payment or is funded, those due on or after delivery once it is shipped). The\n"
     "node moves that amount from your wallet to the order's escrow and the command says\n"
     "which stage it paid and what remains. Exit 1 when no stage is due or the wallet holds\n"
     "too little."},
    {"order ship", "ID --carrier NAME --tracking NUMBER [--mode sea|air|road|rail|courier]",
     "mark an order shipped once every stage due before shipment is paid (seller)",
     "carrier= tracking= mode=", 1, 1, run_ship,
     "Carrier, tracking number and mode are fields of the signed \"shipped\" section; the mode\n"
     "defaults to the offer's."},
    {"order deliver", "ID", "mark a shipped order delivered", "", 1, 1, run_deliver, NULL},
    {"order confirm", "ID", "confirm receipt: escrow is released to the seller (buyer)", "", 1, 1,
     run_confirm, NULL},
    {"order cancel", "ID [--reason TEXT]",
     "cancel an order: alone before funding, with the other party's signature after", "reason=", 1,
     1, run_cancel,
     "Before funding either party cancels alone. Once funded (and until release, unless\n"
     "disputed) both must sign one \"cancelled\" section: the first `order cancel` asks,\n"
     "the node keeps it as the order's cancelRequest; the other party's `order cancel`\n"
     "signs the same section and the node refunds the whole escrow to the buyer."},
    {"order dispute", "ID --reason TEXT",
     "dispute a funded, shipped or delivered order, or answer a dispute (buyer or seller)",
     "reason=", 1, 1, run_dispute,
     "Appends a signed \"disputed\" section to the contract. Until the node's arbitrator "
     "rules\n(`kontord admin resolve`), escrow stays where it is: confirm is refused and "
     "there is no\nauto-release. Exit 1 when the order is past release or not yet funded.\n"
     "On an order the other party disputed, --reason is your side instead, signed and kept\n"
     "on the order for the arbitrator beside theirs, once."},
    {"order event",
     "ID --code CODE [--location L] [--at TIME] [--classifier ACT|EST|PLN|REQ] [--note N] | "
     "ID --dcsa FILE|- [--dry-run]",
     "add shipment events (DCSA Track & Trace) to a shipped order (seller or its carrier)",
     "code= location= at= classifier= note= dcsa= dry-run", 1, 1, run_event,
     "CODE: a DCSA event code (LOAD DISC GTIN GTOT CUSR DEPA ARRI ...) or kontor's OFDL (out\n"
     "for delivery), DLVD (delivered), EXCP (exception). --classifier: ACT (default), EST,\n"
     "PLN, REQ; estimated arrivals give the ETA. --at: your local time, 2026-12-07 07:30,\n"
     "a date alone (its noon), or RFC 3339 with any offset (default now); stored in UTC;\n"
     "an actual event dated over a day ahead is refused (to come: EST, PLN).\n"
     "--dcsa reads a DCSA Track & Trace events file (v2.2 or v3; - for\n"
     "stdin); events the order has already are left out, so a re-import adds nothing.\n"
     "An actual DLVD moves a shipped order to delivered. Exit 2 for an unknown code, 1 when\n"
     "the file does not parse (naming the event) or the node refuses."},
    {"order rate", "ID --stars N [--quality N] [--delivery N] [--communication N] [--text T|@FILE]",
     "rate the other party of a completed or resolved order, once (buyer or seller)",
     "stars= quality= delivery= communication= text=", 1, 1, run_rate,
     "N: 1 to 5. The rating is signed with your key; the node takes one per party, only\n"
     "from the order's buyer or seller, so every review is a verified purchase. --text: at\n"
     "most 4000 bytes, or @FILE."},
    {"track", "[ORDER | --all]",
     "an order's shipment from the cache: ETA, customs, events in words; without ORDER, "
     "the shipments under way",
     "all", 0, 1, run_track,
     "Carrier, tracking number, mode, state, the ETA (the latest estimated arrival), the\n"
     "customs status, then one line per event, most recent first. Without ORDER: every\n"
     "shipment under way (its order shipped, not yet delivered), newest first, in three\n"
     "lines: the order, carrier, tracking number, ETA and customs; what it carries and the\n"
     "other party; the last event. --all adds the delivered and settled ones. Run `kontor\n"
     "sync` to bring new events."},
    {NULL, NULL, NULL, NULL, 0, 0, NULL, NULL},
};
