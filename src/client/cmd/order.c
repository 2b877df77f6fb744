/* order — orders and escrow of DESIGN §6 from the command line, the first states. An order
 * lives in its contract: every step is an event section (funded, shipped, delivered,
 * confirmed, cancelled) appended to the cached contract, signed by us in our role, stored
 * with its Contract/set update in one transaction and pushed. The node checks the step
 * against the order's state and moves the money (wallet -> escrow on funded, escrow ->
 * the seller's wallet on confirmed). When the node refuses a step the cached contract is
 * put back as it was and the refused update leaves the outbox, so the chain stays the
 * node's. Order objects come with `kontor sync`. */
#include "cmd.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "../store/store.h"
#include "kontor/buf.h"
#include "kontor/contract.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "kontor/money.h"

static const char *jstr(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static int64_t jint(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
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
	    jstr(doc, "id")) {
		snprintf(f->contract_id, sizeof f->contract_id, "%s", jstr(doc, "id"));
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
	if (store_object_get(s, "Order", id, &o, NULL) == K_OK && jstr(o, "contractId")) {
		snprintf(out, KCRYPTO_HASH_B64_LEN + 1, "%s", jstr(o, "contractId"));
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

struct drop {
	struct store *s;
	const char *contract_id;
};

/* A refused Contract/set update of this contract leaves the outbox. */
static int drop_refused(void *vctx, const struct outbox_item *it)
{
	struct drop *d = vctx;
	if (it->last_error && it->method && strcmp(it->method, "Contract/set") == 0 &&
	    it->object_id && strcmp(it->object_id, d->contract_id) == 0)
		store_outbox_drop(d->s, it->seq, NULL);
	return 0;
}

static const char *state_after(const char *kind)
{
	return strcmp(kind, "confirmed") == 0 ? "completed" : kind;
}

/* Appends one signed event section of kind (extra: its further fields) to the order's
 * contract, queues the update and pushes it. */
static int order_step(struct ctx *c, const char *id, const char *kind, const cJSON *extra,
		      struct kerr *e)
{
	struct store *s;
	int rc = ctx_identity(c, e);
	if (!rc)
		rc = ctx_store(c, &s, e);
	char kid[KCRYPTO_HASH_B64_LEN + 1];
	if (!rc)
		rc = contract_of(s, id, kid, e);
	if (rc)
		return rc;
	cJSON *doc = NULL, *old = NULL, *body = NULL, *sec = NULL;
	struct contract_status st;
	rc = store_object_get(s, "Contract", kid, &doc, e);
	if (rc == K_ENOTFOUND)
		rc = kerr_set(e, K_ENOTFOUND, "order %s: its contract %s is not in the cache (run "
					      "`kontor sync`)",
			      id, kid);
	if (!rc && contract_verify(doc, &st, e) != K_OK) {
		kerr_prefix(e, "contract %s does not verify", kid);
		rc = e->code = K_EVERIFY;
	}
	const char *b = doc ? jstr(doc, "buyerId") : NULL, *sl = doc ? jstr(doc, "sellerId") : NULL;
	const char *role = b && strcmp(b, c->self_id) == 0	  ? "buyer"
			   : sl && strcmp(sl, c->self_id) == 0 ? "seller"
								: NULL;
	if (!rc && !role)
		rc = kerr_set(e, K_EPERM, "order %s: you are not its buyer or seller", id);
	if (!rc && strcmp(st.order_id, id) != 0)
		rc = kerr_set(e, K_ENOTFOUND, "contract %s is not bound to order %s", kid, id);
	char tip[KCRYPTO_HASH_B64_LEN + 1], now[MODEL_TIME_LEN + 1];
	model_now(now);
	if (!rc) {
		old = cJSON_Duplicate(doc, 1);
		rc = contract_tip(doc, tip, e);
	}
	if (!rc)
		rc = contract_event_body(tip, now, extra, &body, e);
	if (!rc)
		rc = contract_section_make(kind, body, &sec, e);
	if (!rc)
		rc = contract_section_sign(sec, role, &c->kp, e);
	if (!rc) {
		rc = contract_append(doc, sec, e);
		sec = NULL; /* the document's now, also on failure */
	}
	/* Our own check first: a step our role may not take never leaves this machine. */
	if (!rc && contract_verify(doc, &st, e) != K_OK)
		rc = K_EPERM, e->code = K_EPERM;
	struct kbuf payload = KBUF_INIT;
	if (!rc) {
		cJSON *p = cJSON_CreateObject();
		cJSON_AddItemToObject(
		    p, "sections",
		    cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(doc, "sections"), 1));
		json_print(p, &payload);
		cJSON_Delete(p);
		if (!(rc = store_begin(s, e))) {
			rc = store_object_put(s, "Contract", doc, c->node, c->self_id, e);
			if (!rc)
				rc = store_outbox_add(s, "Contract/set", "update", kid,
						      kbuf_str(&payload), c->node, NULL, e);
			rc = rc ? (store_rollback(s), rc) : store_commit(s, e);
		}
		if (!rc)
			rc = cmd_push(c, e);
		if (rc == K_EFAIL) {
			/* Refused: the node's chain stays the cached one. */
			struct drop d = {s, kid};
			struct kerr ie = {0, ""};
			store_object_put(s, "Contract", old, c->node, c->self_id, &ie);
			store_outbox_each(s, drop_refused, &d, &ie);
			if (strstr(e->msg, "stateConflict") || strstr(e->msg, "insufficientFunds"))
				e->code = rc = K_ECONFLICT;
			else if (strstr(e->msg, "forbidden") || strstr(e->msg, "notFound"))
				e->code = rc = K_EPERM;
		}
	}
	kbuf_free(&payload);
	if (rc == K_OK || rc == K_EQUEUED) {
		/* The cached Order follows (the next sync brings the node's own copy). */
		cJSON *o = NULL;
		if (rc == K_OK && store_object_get(s, "Order", id, &o, NULL) == K_OK) {
			cJSON_ReplaceItemInObjectCaseSensitive(o, "state",
							       cJSON_CreateString(state_after(kind)));
			cJSON_DeleteItemFromObjectCaseSensitive(o, "updated");
			cJSON_AddStringToObject(o, "updated", now);
			store_object_put(s, "Order", o, c->node, c->self_id, NULL);
		}
		cJSON_Delete(o);
		if (c->json) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddStringToObject(j, "id", id);
			cJSON_AddStringToObject(j, "contractId", kid);
			cJSON_AddStringToObject(j, "event", kind);
			cJSON_AddStringToObject(j, "state", state_after(kind));
			cJSON_AddStringToObject(j, "status", rc == K_OK ? "delivered" : "queued");
			cmd_print_json(c, j);
		} else if (c->verbosity >= 0) {
			fprintf(c->out, "order %s: %s as %s%s\n", id, state_after(kind), role,
				rc == K_EQUEUED ? " (queued; the node checks it when it arrives)"
						: "");
		}
	}
	cJSON_Delete(sec);
	cJSON_Delete(body);
	cJSON_Delete(old);
	cJSON_Delete(doc);
	return rc;
}

static int run_pay(struct ctx *c, const struct args *a, struct kerr *e)
{
	return order_step(c, a->pos[0], "funded", NULL, e);
}

static int run_ship(struct ctx *c, const struct args *a, struct kerr *e)
{
	static const char *const modes[] = {"sea", "air", "road", "rail", "courier", NULL};
	const char *carrier = arg_get(a, "carrier"), *tracking = arg_get(a, "tracking");
	const char *mode = arg_get(a, "mode");
	if (!carrier || !tracking)
		return kerr_set(e, K_EUSAGE, "order ship: --carrier and --tracking are needed");
	if (mode) {
		int ok = 0;
		for (int i = 0; modes[i] && !ok; i++)
			ok = strcmp(modes[i], mode) == 0;
		if (!ok)
			return kerr_set(e, K_EUSAGE,
					"--mode: '%s' is not one of sea, air, road, rail, courier",
					mode);
	}
	cJSON *x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "carrier", carrier);
	cJSON_AddStringToObject(x, "trackingNumber", tracking);
	if (mode) {
		char note[32];
		snprintf(note, sizeof note, "mode: %s", mode);
		cJSON_AddStringToObject(x, "note", note);
	}
	int rc = order_step(c, a->pos[0], "shipped", x, e);
	cJSON_Delete(x);
	return rc;
}

static int run_deliver(struct ctx *c, const struct args *a, struct kerr *e)
{
	return order_step(c, a->pos[0], "delivered", NULL, e);
}

static int run_confirm(struct ctx *c, const struct args *a, struct kerr *e)
{
	return order_step(c, a->pos[0], "confirmed", NULL, e);
}

static int run_cancel(struct ctx *c, const struct args *a, struct kerr *e)
{
	const char *reason = arg_get(a, "reason");
	cJSON *x = cJSON_CreateObject();
	if (reason)
		cJSON_AddStringToObject(x, "reason", reason);
	int rc = order_step(c, a->pos[0], "cancelled", x, e);
	cJSON_Delete(x);
	return rc;
}

static int run_dispute(struct ctx *c, const struct args *a, struct kerr *e)
{
	const char *reason = arg_get(a, "reason");
	if (!reason || !*reason)
		return kerr_set(e, K_EUSAGE, "order dispute: --reason TEXT is needed (what went "
					     "wrong, for the arbitrator)");
	cJSON *x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "reason", reason);
	int rc = order_step(c, a->pos[0], "disputed", x, e);
	cJSON_Delete(x);
	return rc;
}

/* --- list and show ---------------------------------------------------------------------- */

static void print_order(struct ctx *c, const cJSON *o)
{
	const char *b = jstr(o, "buyerId"), *sl = jstr(o, "sellerId");
	int buying = b && strcmp(b, c->self_id) == 0;
	const char *peer = buying ? sl : b;
	char total[MONEY_FMT_MAX] = "?";
	const char *cur = jstr(o, "currency") ? jstr(o, "currency") : "";
	if (*cur)
		money_format(jint(o, "total"), cur, total);
	if (c->json) {
		cJSON *j = cJSON_Duplicate(o, 1);
		cJSON_AddStringToObject(j, "role", buying ? "buyer" : "seller");
		cmd_print_json(c, j);
		return;
	}
	fprintf(c->out, "%-43s %-16s %-8s %-43s %14s %-3s\n", jstr(o, "id") ? jstr(o, "id") : "?",
		jstr(o, "state") ? jstr(o, "state") : "?", buying ? "buy from" : "sell to",
		peer ? peer : "", total, cur);
}

static int list_one(void *vctx, const cJSON *o)
{
	print_order(vctx, o);
	return 0;
}

static int run_list(struct ctx *c, const struct args *a, struct kerr *e)
{
	static const char *const states[] = {"awaiting_payment", "funded",    "shipped",
					     "delivered",        "completed", "cancelled",
					     "disputed",         "resolved",  NULL};
	const char *state = arg_get(a, "state");
	if (state) {
		int ok = 0;
		for (int i = 0; states[i] && !ok; i++)
			ok = strcmp(states[i], state) == 0;
		if (!ok)
			return kerr_set(e, K_EUSAGE,
					"--state: '%s' is not one of awaiting_payment, funded, "
					"shipped, delivered, completed, cancelled, disputed, resolved",
					state);
	}
	struct store *s;
	int rc = ctx_store(c, &s, e);
	if (!rc)
		rc = ctx_self(c, e);
	if (!rc)
		rc = store_object_each(s, "Order", state, list_one, c, e);
	return rc;
}

static int run_show(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	const char *id = a->pos[0];
	int rc = ctx_store(c, &s, e);
	if (!rc)
		rc = ctx_self(c, e);
	if (rc)
		return rc;
	cJSON *o = NULL, *doc = NULL;
	rc = store_object_get(s, "Order", id, &o, e);
	if (rc == K_ENOTFOUND)
		return kerr_set(e, K_ENOTFOUND, "no order %s in the cache (run `kontor sync`)", id);
	if (rc)
		return rc;
	if (jstr(o, "contractId"))
		store_object_get(s, "Contract", jstr(o, "contractId"), &doc, NULL);
	const cJSON *secs = doc ? cJSON_GetObjectItemCaseSensitive(doc, "sections") : NULL;
	if (c->json) {
		cJSON *j = cJSON_Duplicate(o, 1);
		cJSON *ev = cJSON_AddArrayToObject(j, "events");
		const cJSON *sec;
		cJSON_ArrayForEach(sec, secs)
		{
			if (!jstr(sec, "kind") || strcmp(jstr(sec, "kind"), "offer") == 0)
				continue;
			cJSON *body = cJSON_Parse(jstr(sec, "body") ? jstr(sec, "body") : "");
			cJSON *x = body ? body : cJSON_CreateObject();
			cJSON_DeleteItemFromObjectCaseSensitive(x, "prev");
			cJSON_AddStringToObject(x, "kind", jstr(sec, "kind"));
			cJSON_AddItemToArray(ev, x);
		}
		cmd_print_json(c, j);
	} else {
		char total[MONEY_FMT_MAX] = "?", escrow[MONEY_FMT_MAX] = "?";
		const char *cur = jstr(o, "currency") ? jstr(o, "currency") : "";
		if (*cur) {
			money_format(jint(o, "total"), cur, total);
			money_format(jint(o, "escrow"), cur, escrow);
		}
		fprintf(c->out, "order      %s\nstate      %s\ncontract   %s\nbuyer      %s\n"
				"seller     %s\ntotal      %s %s\nin escrow  %s %s\n"
				"auto-release %lld days after delivery\ncreated    %s\n",
			id, jstr(o, "state") ? jstr(o, "state") : "?",
			jstr(o, "contractId") ? jstr(o, "contractId") : "?",
			jstr(o, "buyerId") ? jstr(o, "buyerId") : "?",
			jstr(o, "sellerId") ? jstr(o, "sellerId") : "?", total, cur, escrow, cur,
			(long long)jint(o, "autoReleaseDays"),
			jstr(o, "created") ? jstr(o, "created") : "?");
		const cJSON *sec;
		cJSON_ArrayForEach(sec, secs)
		{
			if (!jstr(sec, "kind") || strcmp(jstr(sec, "kind"), "offer") == 0)
				continue;
			cJSON *body = cJSON_Parse(jstr(sec, "body") ? jstr(sec, "body") : "");
			const cJSON *sig = cJSON_GetArrayItem(
			    cJSON_GetObjectItemCaseSensitive(sec, "signatures"), 0);
			fprintf(c->out, "  %-20s %-10s by %s", jstr(body, "at") ? jstr(body, "at") : "?",
				jstr(sec, "kind"), jstr(sig, "role") ? jstr(sig, "role") : "?");
			if (jstr(body, "carrier"))
				fprintf(c->out, "  %s %s", jstr(body, "carrier"),
					jstr(body, "trackingNumber") ? jstr(body, "trackingNumber") : "");
			if (*cur && strcmp(jstr(sec, "kind"), "ruling") == 0) {
				char ba[MONEY_FMT_MAX], sa[MONEY_FMT_MAX];
				money_format(jint(body, "buyerAmount"), cur, ba);
				money_format(jint(body, "sellerAmount"), cur, sa);
				fprintf(c->out, "  buyer %s %s, seller %s %s", ba, cur, sa, cur);
			} else if (*cur && strcmp(jstr(sec, "kind"), "released") == 0 &&
				   cJSON_GetObjectItemCaseSensitive(body, "amount")) {
				char am[MONEY_FMT_MAX];
				money_format(jint(body, "amount"), cur, am);
				fprintf(c->out, "  %s %s to the seller", am, cur);
			}
			if (jstr(body, "reason"))
				fprintf(c->out, "  reason: %s", jstr(body, "reason"));
			if (jstr(body, "note"))
				fprintf(c->out, "  note: %s", jstr(body, "note"));
			fputc('\n', c->out);
			cJSON_Delete(body);
		}
	}
	cJSON_Delete(doc);
	cJSON_Delete(o);
	return K_OK;
}

const struct cmd_entry cmd_order_entries[] = {
    {"order list", "[--state STATE]", "the orders in the cache: state, counterparty, total",
     "state=", 0, 0, run_list,
     "STATE: awaiting_payment, funded, shipped, delivered, completed, cancelled, disputed,\n"
     "resolved. Orders come with `kontor sync`."},
    {"order show", "ID", "an order: state, total, escrow and its events", "", 1, 1, run_show,
     NULL},
    {"order pay", "ID", "fund the order's escrow from your wallet (buyer)", "", 1, 1, run_pay,
     "Appends a signed \"funded\" section to the contract. The node moves the total from your "
     "wallet\nto the order's escrow; exit 1 when the order is not awaiting payment or the "
     "wallet holds\ntoo little."},
    {"order ship", "ID --carrier NAME --tracking NUMBER [--mode sea|air|road|rail|courier]",
     "mark a funded order shipped (seller)", "carrier= tracking= mode=", 1, 1, run_ship, NULL},
    {"order deliver", "ID", "mark a shipped order delivered", "", 1, 1, run_deliver, NULL},
    {"order confirm", "ID", "confirm receipt: escrow is released to the seller (buyer)", "", 1,
     1, run_confirm, NULL},
    {"order cancel", "ID [--reason TEXT]", "cancel an order before it is funded", "reason=", 1,
     1, run_cancel, NULL},
    {"order dispute", "ID --reason TEXT",
     "dispute a funded, shipped or delivered order: escrow is frozen (buyer or seller)",
     "reason=", 1, 1, run_dispute,
     "Appends a signed \"disputed\" section to the contract. Until the node's arbitrator "
     "rules\n(`kontord admin resolve`), escrow stays where it is: confirm is refused and "
     "there is no\nauto-release. Exit 1 when the order is past release or not yet funded."},
    {NULL, NULL, NULL, NULL, 0, 0, NULL, NULL},
};
