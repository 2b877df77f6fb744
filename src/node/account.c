/* account — the Account type behind the API: registering with your own key (the created id
 * must be the signer), editing only your own profile, and the public list. The attestation
 * and the rating summary are the node's to set, never the account's. */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/crypto.h"
#include "kontor/model.h"

static const char *const account_props[] = {
    "id",    "handle", "displayName", "legalName", "country", "languages", "role",
    "about", "boxKey", "attestation", "rating",    "created", "factory",   "factoryPhotoBytes",
    NULL,
};

/* factoryPhotoBytes: the size of each factory photo blob the node holds (-1 for an https URL
 * or one it has not), for a client that says what it does not fetch. */
static int account_computed(struct api_ctx *c, const char *prop, const cJSON *full, cJSON *o)
{
	if (strcmp(prop, "factoryPhotoBytes") != 0)
		return 0;
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(full, "factory");
	api_add_blob_sizes(c, cJSON_GetObjectItemCaseSensitive(f, "photos"), o,
	                   "factoryPhotoBytes");
	return 1;
}

/* Stores o (a full account object) after validating it. */
static int account_store(struct api_ctx *c, const cJSON *o, struct api_seterr *se)
{
	struct account a;
	struct kerr e = {0, ""};
	if (account_from_json(o, &a, &e) != K_OK)
		return api_setfail_kerr(se, &e);
	/* The factory profile is the account's own word: signed by it, or not taken. */
	if (a.factory && account_factory_verify(a.factory, a.id, &e) != K_OK) {
		account_free(&a);
		return api_setfail(se, "invalidProperties", "factory", "%s", e.msg);
	}
	int rc = nstore_account_put(c->s, &a, &e);
	account_free(&a);
	if (rc == K_EEXIST)
		return api_setfail(se, "invalidProperties", "handle", "%s", e.msg);
	if (rc)
		return api_setfail(se, "serverFail", NULL, "%s", e.msg);
	return 0;
}

/* The box key is a function of the account key: filled in when absent, checked when not. */
static int box_key(const char *id, cJSON *o, struct api_seterr *se)
{
	uint8_t pk[KCRYPTO_PK_BYTES];
	char want[KCRYPTO_ID_LEN + 1];
	struct kerr e = {0, ""};
	if (kcrypto_account_pk(id, pk, &e) != K_OK || kcrypto_box_key(pk, want, &e) != K_OK)
		return api_setfail(se, "invalidProperties", "id", "id: %s", e.msg);
	const char *have = api_str(o, "boxKey");
	if (!have || !*have) {
		api_set_str(o, "boxKey", want);
		return 0;
	}
	if (strcmp(have, want) != 0)
		return api_setfail(se, "invalidProperties", "boxKey",
		                   "boxKey: must be the X25519 form of the account key (%s)", want);
	return 0;
}

/* A handle is the first free one of HANDLE, HANDLE-2, HANDLE-3, ...: two firms with the same
 * name both register (the second learns its handle from the created object) instead of the
 * second being refused forever. Inside the request's write transaction, so no other
 * registration takes the same one in between. 0 with o's handle set, or -1 (se filled). */
#define HANDLE_MAX 32 /* model.h: [a-z0-9_-]{2,32} */
#define HANDLE_SUFFIX_MAX 999
static int free_handle(struct api_ctx *c, cJSON *o, struct api_seterr *se)
{
	const char *want = api_str(o, "handle");
	char id[KCRYPTO_ID_LEN + 1];
	struct kerr e = {0, ""};
	if (!want || !*want || strlen(want) > HANDLE_MAX)
		return 0; /* none, or too long: validation says so */
	int rc = nstore_account_by_handle(c->s, want, id, &e);
	if (rc == K_ENOTFOUND)
		return 0;
	if (rc)
		return api_setfail(se, "serverFail", NULL, "%s", e.msg);
	char base[HANDLE_MAX + 1], cand[HANDLE_MAX + 1];
	snprintf(base, sizeof base, "%s", want);
	for (int n = 2; n <= HANDLE_SUFFIX_MAX; n++) {
		char suffix[8];
		int sl = snprintf(suffix, sizeof suffix, "-%d", n);
		size_t keep = strlen(base);
		if (keep + (size_t)sl > HANDLE_MAX)
			keep = HANDLE_MAX - (size_t)sl;
		while (keep > 1 && base[keep - 1] == '-')
			keep--; /* "acme-" cut short must not give "acme--2" */
		snprintf(cand, sizeof cand, "%.*s%s", (int)keep, base, suffix);
		rc = nstore_account_by_handle(c->s, cand, id, &e);
		if (rc == K_ENOTFOUND) {
			api_set_str(o, "handle", cand);
			return 0;
		}
		if (rc)
			return api_setfail(se, "serverFail", NULL, "%s", e.msg);
	}
	return api_setfail(se, "invalidProperties", "handle",
	                   "handle: '%s' and %s-2 to %s-%d are taken; choose another", want, base,
	                   base, HANDLE_SUFFIX_MAX);
}

static int account_create(struct api_ctx *c, const cJSON *obj, char id[NSTORE_ID_MAX + 1],
                          cJSON **created, struct api_seterr *se)
{
	const char *want = api_str(obj, "id");
	if (want && strcmp(want, c->caller) != 0)
		return api_setfail(se, "forbidden", "id",
		                   "id: an account is registered by its own key only (you are %s)",
		                   c->caller);
	static const char *const node_set[] = {"attestation", "rating"};
	for (size_t i = 0; i < sizeof node_set / sizeof node_set[0]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, node_set[i]);
		if (v && !cJSON_IsNull(v))
			return api_setfail(se, "invalidProperties", node_set[i],
			                   "%s: set by the node, not by the account", node_set[i]);
	}
	struct nobj old = {KBUF_INIT, "", ""};
	struct kerr e = {0, ""};
	int exists = nstore_get(c->s, NT_ACCOUNT, c->caller, &old, &e) == K_OK;
	nobj_free(&old);
	if (exists)
		return api_setfail(se, "alreadyExists", "id",
		                   "account %s is registered already; update it instead",
		                   c->caller);
	cJSON *o = cJSON_Duplicate(obj, 1);
	api_set_str(o, "id", c->caller);
	if (!api_str(o, "created") || !*api_str(o, "created")) {
		char now[MODEL_TIME_LEN + 1];
		model_now(now);
		api_set_str(o, "created", now);
	}
	int rc = box_key(c->caller, o, se);
	if (!rc)
		rc = free_handle(c, o, se);
	if (!rc)
		rc = account_store(c, o, se);
	if (!rc) {
		snprintf(id, NSTORE_ID_MAX + 1, "%s", c->caller);
		*created = cJSON_CreateObject();
		cJSON_AddStringToObject(*created, "id", c->caller);
		cJSON_AddStringToObject(*created, "boxKey", api_str(o, "boxKey"));
		cJSON_AddStringToObject(*created, "created", api_str(o, "created"));
		/* The handle the node gave, when it is not the one asked for (JMAP: properties
		 * the server set or changed come back in created). */
		const char *asked = api_str(obj, "handle");
		if (asked && api_str(o, "handle") && strcmp(asked, api_str(o, "handle")) != 0)
			cJSON_AddStringToObject(*created, "handle", api_str(o, "handle"));
	}
	cJSON_Delete(o);
	return rc;
}

static int account_update(struct api_ctx *c, const char *id, const cJSON *patch, cJSON **updated,
                          struct api_seterr *se)
{
	struct nobj old = {KBUF_INIT, "", ""};
	cJSON *o = api_load(c, NT_ACCOUNT, id, &old);
	nobj_free(&old);
	if (!o)
		return api_setfail(se, "notFound", NULL, "no account %.64s", id);
	int rc;
	if (strcmp(id, c->caller) != 0) {
		rc = api_setfail(se, "forbidden", NULL,
		                 "account %.64s is not yours: only its owner edits a profile", id);
	} else {
		static const char *const fixed[] = {"id", "attestation", "rating", "created", NULL};
		rc = api_patch(o, patch, fixed, se);
		if (!rc)
			rc = box_key(id, o, se);
		if (!rc)
			rc = account_store(c, o, se);
	}
	cJSON_Delete(o);
	return rc;
}

static int account_destroy(struct api_ctx *c, const char *id, struct api_seterr *se)
{
	return api_setfail(se, "forbidden", NULL,
	                   "accounts are not destroyed (the trades they signed stay valid)");
}

static const struct api_filter account_filters[] = {
    {"country", API_F_TEXT, NULL}, {"role", API_F_TEXT, NULL}, {"verified", API_F_BOOL, NULL},
    {"handle", API_F_TEXT, NULL}, /* whole, as a person gives it: the one account */
    {NULL, API_F_TEXT, NULL},
};

const struct api_type api_account_type = {
    .t = NT_ACCOUNT,
    .props = account_props,
    .create = account_create,
    .update = account_update,
    .destroy = account_destroy,
    .filters = account_filters,
    .sort_by = "created",
    .ascending = 0, /* newest first */
    .computed = account_computed,
};
