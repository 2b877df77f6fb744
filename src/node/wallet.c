/* wallet — the Wallet type (DESIGN §6): one object per account from the node's ledger
 * (store/nledger.c): balances per currency, what escrow holds of each order it is party to
 * (as buyer and as seller), and the newest lines of the wallet's history. Wallet/get reads
 * it; Wallet/changes says whether it moved since a state (the per-account ledger state, so
 * sync keeps it like any other type; a wallet exists for every account and is only ever
 * updated); Wallet/set takes one patch, withdraw {amount, currency, reference}, which asks
 * the payment provider (pay.h) for a payout and debits the wallet through the ledger, or is
 * refused with the reason (more than the wallet holds, an unknown currency, not more than
 * zero) and changes nothing. Private: anonymous callers get `forbidden`, and no caller ever
 * sees or moves another account's wallet (its id is notFound). */
#include "api_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/codes.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "kontor/money.h"
#include "kontor/text.h"
#include "pay.h"

#define HISTORY_DEFAULT 50
#define HISTORY_MAX 500 /* what model.c's Wallet table takes */
#define ESCROW_MAX 500  /* escrow lines in one Wallet (model.c takes 500) */
#define SHOWN 48

static const char *const wallet_props[] = {
    "id", "accountId", "balances", "held", "escrow", "history", "historyTotal", "updated", NULL,
};

/* Optional whole-number argument in lo..hi. */
static int int_arg(const cJSON *args, const char *name, int64_t lo, int64_t hi, int64_t *out,
                   struct api_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, name);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!json_is_int(v) || v->valuedouble < (double)lo || v->valuedouble > (double)hi)
		return api_fail(err, "invalidArguments",
		                "%s: must be a whole number from %" PRId64 " to %" PRId64, name, lo,
		                hi);
	*out = (int64_t)v->valuedouble;
	return 0;
}

static int check_wallet_args(const cJSON *args, struct api_err *err)
{
	static const char *const names[] = {"accountId",       "ids",          "properties",
	                                    "historyPosition", "historyLimit", NULL};
	for (const cJSON *m = args->child; m; m = m->next)
		if (!api_name_in(names, m->string))
			return api_fail(err, "invalidArguments",
			                "%.48s: unknown argument of Wallet/get", m->string);
	const cJSON *acc = cJSON_GetObjectItemCaseSensitive(args, "accountId");
	if (acc && !cJSON_IsNull(acc) && !cJSON_IsString(acc))
		return api_fail(err, "invalidArguments", "accountId: must be a string");
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(args, "ids"), *it;
	if (ids && !cJSON_IsNull(ids)) {
		if (!cJSON_IsArray(ids))
			return api_fail(err, "invalidArguments", "ids: must be an array or null");
		cJSON_ArrayForEach(it, ids)
		{
			if (!cJSON_IsString(it))
				return api_fail(err, "invalidArguments", "ids: must be strings");
		}
	}
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(args, "properties");
	if (props && !cJSON_IsNull(props)) {
		if (!cJSON_IsArray(props))
			return api_fail(err, "invalidArguments",
			                "properties: must be an array or null");
		cJSON_ArrayForEach(it, props)
		{
			if (!cJSON_IsString(it) || !api_name_in(wallet_props, it->valuestring))
				return api_fail(err, "invalidArguments",
				                "properties: '%.48s' is not a property of Wallet",
				                cJSON_IsString(it) ? it->valuestring : "?");
		}
	}
	return 0;
}

/* The caller's wallet's id: W and the account id. */
static void wallet_id(const struct api_ctx *c, char out[NSTORE_ID_MAX + 1])
{
	snprintf(out, NSTORE_ID_MAX + 1, "W%s", c->caller);
}

static cJSON *balances_json(const struct nbalances *b)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < b->n; i++)
		json_add_int(o, b->v[i].currency, b->v[i].amount);
	return o;
}

/* The caller's wallet as model_validate("Wallet") takes it. */
static int wallet_build(struct api_ctx *c, int64_t position, int limit, cJSON **out, struct kerr *e)
{
	struct nbalances bal, held;
	int rc = nledger_wallet(c->s, c->caller, &bal, &held, e);
	if (rc)
		return rc;
	struct nhist *h = NULL;
	size_t nh = 0;
	int64_t total = 0;
	rc = nledger_history(c->s, c->caller, position, limit, &h, &nh, &total, e);
	if (rc) {
		nbalances_free(&bal);
		nbalances_free(&held);
		return rc;
	}
	char id[NSTORE_ID_MAX + 1];
	wallet_id(c, id);
	cJSON *w = cJSON_CreateObject();
	cJSON_AddStringToObject(w, "id", id);
	cJSON_AddStringToObject(w, "accountId", c->caller);
	cJSON_AddItemToObject(w, "balances", balances_json(&bal));
	cJSON_AddItemToObject(w, "held", balances_json(&held));
	struct nescrow *x = NULL;
	size_t nx = 0;
	rc = nledger_escrows(c->s, c->caller, ESCROW_MAX, &x, &nx, e);
	if (rc) {
		cJSON_Delete(w);
		free(h);
		nbalances_free(&bal);
		nbalances_free(&held);
		return rc;
	}
	cJSON *esc = cJSON_AddArrayToObject(w, "escrow");
	for (size_t i = 0; i < nx; i++) {
		cJSON *l = cJSON_CreateObject();
		cJSON_AddStringToObject(l, "orderId", x[i].order);
		cJSON_AddStringToObject(l, "role", x[i].role);
		cJSON_AddStringToObject(l, "currency", x[i].currency);
		json_add_int(l, "amount", x[i].amount);
		cJSON_AddItemToArray(esc, l);
	}
	free(x);
	cJSON *hist = cJSON_AddArrayToObject(w, "history");
	for (size_t i = 0; i < nh; i++) {
		cJSON *l = cJSON_CreateObject();
		cJSON_AddStringToObject(l, "txId", h[i].tx);
		cJSON_AddStringToObject(l, "kind", h[i].kind);
		cJSON_AddStringToObject(l, "currency", h[i].currency);
		json_add_int(l, "amount", h[i].amount);
		cJSON_AddStringToObject(l, "created", h[i].created);
		json_add_opt(l, "memo", h[i].memo);
		json_add_opt(l, "reference", h[i].reference);
		json_add_opt(l, "orderId", h[i].order);
		json_add_int(l, "seq", h[i].seq);
		cJSON_AddItemToArray(hist, l);
	}
	json_add_int(w, "historyTotal", total);
	/* The newest line of the history is the last change, wherever the page starts. */
	if (position == 0 && nh > 0) {
		cJSON_AddStringToObject(w, "updated", h[0].created);
	} else if (total > 0) {
		struct nhist *first = NULL;
		size_t n1 = 0;
		if (nledger_history(c->s, c->caller, 0, 1, &first, &n1, NULL, e) == K_OK && n1)
			cJSON_AddStringToObject(w, "updated", first[0].created);
		free(first);
	}
	free(h);
	nbalances_free(&bal);
	nbalances_free(&held);
	if ((rc = model_validate("Wallet", w, e))) {
		cJSON_Delete(w);
		return rc;
	}
	*out = w;
	return K_OK;
}

/* Only the requested properties (id always). */
static cJSON *pick(cJSON *w, const cJSON *props)
{
	if (!props || cJSON_IsNull(props))
		return w;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "id", cJSON_DetachItemFromObjectCaseSensitive(w, "id"));
	const cJSON *p;
	cJSON_ArrayForEach(p, props)
	{
		if (strcmp(p->valuestring, "id") == 0 ||
		    cJSON_GetObjectItemCaseSensitive(o, p->valuestring))
			continue;
		cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(w, p->valuestring);
		cJSON_AddItemToObject(o, p->valuestring, v ? v : cJSON_CreateNull());
	}
	cJSON_Delete(w);
	return o;
}

int api_wallet_get(struct api_ctx *c, const struct api_type *ty, const cJSON *args, cJSON **res,
                   struct api_err *err)
{
	if (check_wallet_args(args, err))
		return -1;
	if (!c->caller)
		return api_fail(err, "forbidden",
		                "Wallet objects are private: sign the request to see your own");
	int64_t position = 0, limit = HISTORY_DEFAULT;
	if (int_arg(args, "historyPosition", 0, MONEY_MAX, &position, err) ||
	    int_arg(args, "historyLimit", 0, HISTORY_MAX, &limit, err))
		return -1;
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(args, "ids");
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(args, "properties");
	if (cJSON_IsNull(ids))
		ids = NULL;
	if (ids && cJSON_GetArraySize(ids) > c->n->limits.max_objects_in_get)
		return api_fail(err, "requestTooLarge",
		                "ids: %d ids; at most %d in one get (maxObjectsInGet)",
		                cJSON_GetArraySize(ids), c->n->limits.max_objects_in_get);

	char mine[NSTORE_ID_MAX + 1];
	wallet_id(c, mine);
	int want = !ids;
	cJSON *not_found = cJSON_CreateArray();
	const cJSON *id;
	cJSON_ArrayForEach(id, ids)
	{
		const char *v = api_resolve_id(c, id->valuestring);
		if (api_id_repeated(c, ids, id))
			continue;
		if (strcmp(v, mine) == 0)
			want = 1;
		else /* another's wallet is as unknown as one that does not exist */
			cJSON_AddItemToArray(not_found, cJSON_CreateString(v));
	}

	struct kerr e = {0, ""};
	if (nstore_read_begin(c->s, &e)) {
		cJSON_Delete(not_found);
		return api_fail(err, "serverFail", "%s", e.msg);
	}
	int64_t state = 0;
	cJSON *w = NULL;
	int rc = nledger_state(c->s, c->caller, &state, &e);
	if (rc == K_OK && want)
		rc = wallet_build(c, position, (int)limit, &w, &e);
	nstore_read_end(c->s);
	if (rc) {
		cJSON_Delete(not_found);
		return api_fail(err, "serverFail", "Wallet/get: %s", e.msg);
	}
	cJSON *r = cJSON_CreateObject();
	const char *acc = api_str(args, "accountId");
	if (acc)
		cJSON_AddStringToObject(r, "accountId", acc);
	char sbuf[24];
	snprintf(sbuf, sizeof sbuf, "%" PRId64, state);
	cJSON_AddStringToObject(r, "state", sbuf);
	cJSON *list = cJSON_AddArrayToObject(r, "list");
	if (w)
		cJSON_AddItemToArray(list, pick(w, props));
	cJSON_AddItemToObject(r, "notFound", not_found);
	*res = r;
	return 0;
}

/* ---------------------------------------------------------------- Wallet/changes */

/* Refuses an argument method does not know, naming it and the method. */
static int check_names(const cJSON *args, const char *const *names, const char *method,
                       struct api_err *err)
{
	char sh[SHOWN];
	for (const cJSON *m = args->child; m; m = m->next)
		if (!api_name_in(names, m->string))
			return api_fail(err, "invalidArguments", "%s: unknown argument of %s",
			                text_shown(m->string, sh, sizeof sh), method);
	return 0;
}

int api_wallet_changes(struct api_ctx *c, const struct api_type *ty, const cJSON *args, cJSON **res,
                       struct api_err *err)
{
	static const char *const names[] = {"accountId", "sinceState", "maxChanges", NULL};
	if (check_names(args, names, "Wallet/changes", err))
		return -1;
	const cJSON *since_j = cJSON_GetObjectItemCaseSensitive(args, "sinceState");
	if (!cJSON_IsString(since_j))
		return api_fail(err, "invalidArguments", "sinceState: missing (a state string)");
	const cJSON *mc = cJSON_GetObjectItemCaseSensitive(args, "maxChanges");
	if (mc && !cJSON_IsNull(mc) && (!json_is_int(mc) || mc->valuedouble < 1))
		return api_fail(err, "invalidArguments", "maxChanges: must be a positive integer");
	int64_t since;
	char sh[SHOWN];
	if (api_parse_state(since_j->valuestring, &since))
		return api_fail(err, "cannotCalculateChanges",
		                "sinceState: '%s' is not a state this node gave out",
		                text_shown(since_j->valuestring, sh, sizeof sh));
	if (!c->caller)
		return api_fail(err, "forbidden",
		                "Wallet objects are private: sign the request to see your own");
	struct kerr e = {0, ""};
	int64_t state = 0;
	if (nstore_read_begin(c->s, &e))
		return api_fail(err, "serverFail", "%s", e.msg);
	int rc = nledger_state(c->s, c->caller, &state, &e);
	nstore_read_end(c->s);
	if (rc)
		return api_fail(err, "serverFail", "Wallet/changes: %s", e.msg);
	if (since > state)
		return api_fail(err, "cannotCalculateChanges",
		                "sinceState: %" PRId64 " is past this wallet's state %" PRId64
		                " (not a state this node gave out)",
		                since, state);
	cJSON *r = cJSON_CreateObject();
	const char *acc = api_str(args, "accountId");
	if (acc)
		cJSON_AddStringToObject(r, "accountId", acc);
	api_add_state(r, "oldState", since);
	api_add_state(r, "newState", state);
	cJSON_AddBoolToObject(r, "hasMoreChanges", 0);
	/* Every account has its wallet from the start (state 0, empty): a move of its ledger
	 * is an update, never a creation. */
	cJSON_AddArrayToObject(r, "created");
	cJSON *upd = cJSON_AddArrayToObject(r, "updated");
	cJSON_AddArrayToObject(r, "destroyed");
	if (state > since) {
		char id[NSTORE_ID_MAX + 1];
		wallet_id(c, id);
		cJSON_AddItemToArray(upd, cJSON_CreateString(id));
	}
	*res = r;
	return 0;
}

/* ---------------------------------------------------------------- Wallet/set */

/* The withdraw patch, checked: K_OK with amount, currency and reference filled, or -1 with
 * se naming what is wrong. reference may come out NULL (the request gave none). */
static int withdraw_args(const cJSON *patch, int64_t *amount, const char **currency,
                         const char **reference, struct api_seterr *se)
{
	char sh[SHOWN];
	for (const cJSON *m = patch->child; m; m = m->next)
		if (strcmp(m->string, "withdraw") != 0)
			return api_setfail(se, "invalidProperties",
			                   text_shown(m->string, sh, sizeof sh),
			                   "%s: a wallet moves only through its ledger; Wallet/set "
			                   "takes only withdraw {amount, currency, reference}",
			                   sh);
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(patch, "withdraw");
	if (!cJSON_IsObject(w))
		return api_setfail(se, "invalidProperties", "withdraw",
		                   "withdraw: missing (an object {amount, currency, reference})");
	for (const cJSON *m = w->child; m; m = m->next)
		if (strcmp(m->string, "amount") && strcmp(m->string, "currency") &&
		    strcmp(m->string, "reference"))
			return api_setfail(se, "invalidProperties", "withdraw",
			                   "withdraw.%s: not a part of withdraw (amount, currency, "
			                   "reference)",
			                   text_shown(m->string, sh, sizeof sh));
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(w, "amount");
	if (!json_is_int(a))
		return api_setfail(se, "invalidProperties", "withdraw",
		                   "withdraw.amount: missing or not a whole number of minor units");
	if (a->valuedouble <= 0 || a->valuedouble > (double)MONEY_MAX)
		return api_setfail(se, "invalidProperties", "withdraw",
		                   "withdraw.amount: must be more than zero (got %.0f)",
		                   a->valuedouble);
	*amount = (int64_t)a->valuedouble;
	*currency = api_str(w, "currency");
	struct kerr e = {0, ""};
	if (!*currency)
		return api_setfail(se, "invalidProperties", "withdraw",
		                   "withdraw.currency: missing (an ISO 4217 code)");
	if (codes_check_currency(*currency, "withdraw.currency", &e) != K_OK)
		return api_setfail(se, "invalidProperties", "withdraw", "%s", e.msg);
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(w, "reference");
	if (r && !cJSON_IsNull(r) && !cJSON_IsString(r))
		return api_setfail(se, "invalidProperties", "withdraw",
		                   "withdraw.reference: must be a string");
	*reference = cJSON_IsString(r) ? r->valuestring : NULL;
	return 0;
}

/* One withdrawal from the caller's wallet, inside the set's savepoint. */
static int withdraw(struct api_ctx *c, const cJSON *patch, cJSON **updated, struct api_seterr *se)
{
	int64_t amount = 0;
	const char *cur = NULL, *ref = NULL;
	if (withdraw_args(patch, &amount, &cur, &ref, se))
		return -1;
	char fresh[32];
	if (!ref) {
		/* Without the requester's key a repeat would pay again: the client always
		 * sends one; a bare request gets a key of its own. */
		api_random_ref("n", 12, fresh, sizeof fresh);
		ref = fresh;
	}
	char wallet[NLEDGER_ACCOUNT_MAX + 1];
	snprintf(wallet, sizeof wallet, "wallet:%s", c->caller);
	struct kerr e = {0, ""};
	int64_t have = 0;
	if (nledger_balance(c->s, wallet, cur, &have, &e) != K_OK)
		return api_setfail(se, "serverFail", NULL, "%s", e.msg);
	struct pay_provider pay;
	pay_sim_init(&pay, c->s); /* the node's provider: the simulated one in this build */
	struct pay_result res;
	int rc = pay.payout(pay.ctx, c->caller, amount, cur, ref, &res, &e);
	if (rc == K_ECONFLICT && have < amount) {
		char want[MONEY_FMT_MAX], got[MONEY_FMT_MAX]; /* words for a person */
		money_text(amount, cur, want);
		money_text(have, cur, got);
		return api_setfail(se, "insufficientFunds", "withdraw",
		                   "withdraw: %s %s is more than the wallet holds (%s %s)", want,
		                   cur, got, cur);
	}
	if (rc == K_EINVAL || rc == K_ECONFLICT)
		return api_setfail(se, "invalidProperties", "withdraw", "withdraw: %s", e.msg);
	if (rc)
		return api_setfail(se, "serverFail", NULL, "withdraw: %s", e.msg);
	struct nbalances bal;
	if (nledger_wallet(c->s, c->caller, &bal, NULL, &e) != K_OK)
		return api_setfail(se, "serverFail", NULL, "%s", e.msg);
	cJSON *u = cJSON_CreateObject();
	cJSON_AddItemToObject(u, "balances", balances_json(&bal));
	cJSON *p = cJSON_AddObjectToObject(u, "payout");
	cJSON_AddStringToObject(p, "txId", res.tx);
	cJSON_AddBoolToObject(p, "posted", res.posted);
	nbalances_free(&bal);
	*updated = u;
	return 0;
}

/* The wallet's state: the caller's ledger state. */
static int wallet_state(struct api_ctx *c, int64_t *out, struct kerr *e)
{
	return nledger_state(c->s, c->caller, out, e);
}

/* A wallet is the node's: every registered account has one, made with it. */
static int wallet_create_one(struct api_ctx *c, const char *cid, const cJSON *obj, cJSON *r,
                             int *changed, struct kerr *e)
{
	char mine[NSTORE_ID_MAX + 1], sh[SHOWN];
	wallet_id(c, mine);
	struct api_seterr se = {NULL, "", ""};
	api_setfail(&se, "forbidden", NULL,
	            "a wallet is the node's: every registered account has one (%s)", mine);
	api_map_add(r, "notCreated", text_shown(cid, sh, sizeof sh), api_seterr_json(&se));
	return 0;
}

/* The caller's own wallet takes one withdraw, in a savepoint of its own. */
static int wallet_update_one(struct api_ctx *c, const char *key, const cJSON *patch, cJSON *r,
                             int *changed, struct kerr *e)
{
	char mine[NSTORE_ID_MAX + 1], sh[SHOWN];
	wallet_id(c, mine);
	struct api_seterr se = {NULL, "", ""};
	const char *id = api_resolve_id(c, key);
	cJSON *upd = NULL;
	if (strcmp(id, mine) != 0) {
		/* another's wallet is as unknown as one that does not exist */
		api_setfail(&se, "notFound", NULL, "no such Wallet");
		api_map_add(r, "notUpdated", text_shown(id, sh, sizeof sh), api_seterr_json(&se));
		return 0;
	}
	if (!cJSON_IsObject(patch)) {
		api_setfail(&se, "invalidPatch", NULL, "%s: a patch is an object", mine);
		api_map_add(r, "notUpdated", mine, api_seterr_json(&se));
		return 0;
	}
	if (nstore_savepoint(c->s, e))
		return -1;
	if (withdraw(c, patch, &upd, &se) == 0) {
		if (nstore_release(c->s, e)) {
			cJSON_Delete(upd);
			return -1;
		}
		api_map_add(r, "updated", mine, upd);
		*changed = 1;
	} else {
		nstore_rollback_to(c->s);
		api_map_add(r, "notUpdated", mine, api_seterr_json(&se));
	}
	return 0;
}

static int wallet_destroy_one(struct api_ctx *c, const char *key, cJSON *r, int *changed,
                              struct kerr *e)
{
	char sh[SHOWN];
	struct api_seterr se = {NULL, "", ""};
	api_setfail(&se, "forbidden", NULL, "a wallet is never destroyed");
	api_map_add(r, "notDestroyed", text_shown(key, sh, sizeof sh), api_seterr_json(&se));
	return 0;
}

static const struct api_own_set wallet_set = {
    .name = "Wallet",
    .state_of = "the wallet",
    .state = wallet_state,
    .create_one = wallet_create_one,
    .update_one = wallet_update_one,
    .destroy_one = wallet_destroy_one,
};

/* Wallet/get and Wallet/changes are wallet.c's own; Wallet/set is the generic one's frame. */
const struct api_type api_wallet_type = {
    .t = NT__COUNT, /* not a type of the object store */
    .props = wallet_props,
    .own = &wallet_set,
};

/* The generic Foo/set but for its message naming an unknown argument (and the method). */
int api_wallet_set(struct api_ctx *c, const struct api_type *ty, const cJSON *args, cJSON **res,
                   struct api_err *err)
{
	if (check_names(args, api_set_names, "Wallet/set", err))
		return -1;
	return api_set_run(c, &api_wallet_type, args, res, err);
}
