/* wallet — Wallet/get: the caller's own wallet from the node's ledger (store/nledger.c),
 * one object per caller: balances per currency, what escrow holds for the caller's open
 * orders, and the newest lines of the wallet's history. Private: anonymous callers get
 * `forbidden`, and no caller ever sees another account's wallet (its id is notFound). The
 * ledger is written by the payment providers (pay.h) and, later, the order state machine;
 * there is no Wallet/set. */
#include "api_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/json.h"
#include "kontor/model.h"
#include "kontor/money.h"

#define HISTORY_DEFAULT 50
#define HISTORY_MAX 500 /* what model.c's Wallet table takes */

static const char *const wallet_props[] = {
    "id", "accountId", "balances", "held", "history", "historyTotal", "updated", NULL,
};

static int known_prop(const char *p)
{
	for (int i = 0; wallet_props[i]; i++)
		if (strcmp(wallet_props[i], p) == 0)
			return 1;
	return 0;
}

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
	for (const cJSON *m = args->child; m; m = m->next) {
		int known = 0;
		for (int i = 0; names[i] && !known; i++)
			known = strcmp(names[i], m->string) == 0;
		if (!known)
			return api_fail(err, "invalidArguments",
			                "%.48s: unknown argument of Wallet/get", m->string);
	}
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
			if (!cJSON_IsString(it) || !known_prop(it->valuestring))
				return api_fail(err, "invalidArguments",
				                "properties: '%.48s' is not a property of Wallet",
				                cJSON_IsString(it) ? it->valuestring : "?");
		}
	}
	return 0;
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
	snprintf(id, sizeof id, "W%s", c->caller);
	cJSON *w = cJSON_CreateObject();
	cJSON_AddStringToObject(w, "id", id);
	cJSON_AddStringToObject(w, "accountId", c->caller);
	cJSON_AddItemToObject(w, "balances", balances_json(&bal));
	cJSON_AddItemToObject(w, "held", balances_json(&held));
	cJSON *hist = cJSON_AddArrayToObject(w, "history");
	for (size_t i = 0; i < nh; i++) {
		cJSON *l = cJSON_CreateObject();
		cJSON_AddStringToObject(l, "txId", h[i].tx);
		cJSON_AddStringToObject(l, "kind", h[i].kind);
		cJSON_AddStringToObject(l, "currency", h[i].currency);
		json_add_int(l, "amount", h[i].amount);
		cJSON_AddStringToObject(l, "created", h[i].created);
		if (h[i].memo[0])
			cJSON_AddStringToObject(l, "memo", h[i].memo);
		if (h[i].reference[0])
			cJSON_AddStringToObject(l, "reference", h[i].reference);
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
	snprintf(mine, sizeof mine, "W%s", c->caller);
	int want = !ids;
	cJSON *not_found = cJSON_CreateArray();
	const cJSON *id;
	cJSON_ArrayForEach(id, ids)
	{
		const char *v = api_resolve_id(c, id->valuestring);
		int seen = 0;
		for (const cJSON *p = ids->child; p != id && !seen; p = p->next)
			seen = strcmp(api_resolve_id(c, p->valuestring), v) == 0;
		if (seen)
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
