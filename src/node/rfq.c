/* rfq — the Rfq type behind the API: a buyer's request for quotation, owned by the buyer
 * who posts it and readable by everyone. When it carries a signature, the node checks it. */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/canon.h"
#include "kontor/crypto.h"
#include "kontor/model.h"

static const char *const rfq_props[] = {
    "id",     "buyerId", "title",    "description", "category",  "hsCode",      "listingId",
    "qty",    "unit",    "currency", "targetPrice", "incoterms", "destination", "deliverBy",
    "status", "created", "updated",  "expires",     "sig",       NULL,
};

/* Validates o, checks its signature when there is one, and stores it. */
static int rfq_store(struct api_ctx *c, const cJSON *o, struct api_seterr *se)
{
	struct kerr e = {0, ""};
	if (model_validate("Rfq", o, &e) != K_OK)
		return api_setfail_kerr(se, &e);
	struct kbuf canon = KBUF_INIT;
	int rc = 0;
	const char *sig = api_str(o, "sig");
	if (sig && *sig) {
		cJSON *u = cJSON_Duplicate(o, 1);
		cJSON_DeleteItemFromObjectCaseSensitive(u, "sig");
		if (canon_write(u, &canon, &e) != K_OK)
			rc = api_setfail_kerr(se, &e);
		else if (kcrypto_verify_object_b64("rfq", canon.data, canon.len,
		                                   api_str(o, "buyerId"), sig, &e) != K_OK)
			rc = api_setfail(se, "invalidProperties", "sig",
			                 "sig: does not verify against buyerId");
		cJSON_Delete(u);
		kbuf_reset(&canon);
	}
	if (!rc && canon_write(o, &canon, &e) != K_OK)
		rc = api_setfail_kerr(se, &e);
	if (!rc && nstore_rfq_put(c->s, o, kbuf_str(&canon), &e) != K_OK)
		rc = api_setfail(se, "serverFail", NULL, "%s", e.msg);
	kbuf_free(&canon);
	return rc;
}

static int rfq_create(struct api_ctx *c, const cJSON *obj, char id[NSTORE_ID_MAX + 1],
                      cJSON **created, struct api_seterr *se)
{
	const char *buyer = api_str(obj, "buyerId");
	if (buyer && strcmp(buyer, c->caller) != 0)
		return api_setfail(se, "forbidden", "buyerId",
		                   "buyerId: you can only ask for quotes as yourself (%s)",
		                   c->caller);
	cJSON *o = cJSON_Duplicate(obj, 1);
	const char *want = api_str(o, "id");
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	int rc = 0;
	if (want && *want) {
		/* A client may name its RFQ (cache first, pushed later), never over another. */
		struct nobj old = {KBUF_INIT, "", ""};
		struct kerr e = {0, ""};
		if (strlen(want) <= NSTORE_ID_MAX &&
		    nstore_get(c->s, NT_RFQ, want, &old, &e) == K_OK)
			rc = api_setfail(se, "alreadyExists", "id", "id: RFQ %s exists already",
			                 want);
		nobj_free(&old);
	} else {
		char fresh[NSTORE_ID_MAX + 1];
		api_new_id('R', fresh);
		api_set_str(o, "id", fresh);
	}
	if (!rc) {
		api_set_str(o, "buyerId", c->caller);
		if (!api_str(o, "created") || !*api_str(o, "created"))
			api_set_str(o, "created", now);
		rc = rfq_store(c, o, se);
	}
	if (!rc) {
		snprintf(id, NSTORE_ID_MAX + 1, "%s", api_str(o, "id"));
		*created = cJSON_CreateObject();
		cJSON_AddStringToObject(*created, "id", id);
		cJSON_AddStringToObject(*created, "buyerId", c->caller);
		cJSON_AddStringToObject(*created, "created", api_str(o, "created"));
	}
	cJSON_Delete(o);
	return rc;
}

static cJSON *load_own(struct api_ctx *c, const char *id, struct api_seterr *se)
{
	struct nobj old = {KBUF_INIT, "", ""};
	cJSON *o = api_load(c, NT_RFQ, id, &old);
	int mine = o && strcmp(old.owner, c->caller) == 0;
	nobj_free(&old);
	if (!o) {
		api_setfail(se, "notFound", NULL, "no RFQ %.64s", id);
		return NULL;
	}
	if (!mine) {
		cJSON_Delete(o);
		api_setfail(se, "forbidden", NULL,
		            "RFQ %.64s is not yours: only its buyer changes it", id);
		return NULL;
	}
	return o;
}

static int rfq_update(struct api_ctx *c, const char *id, const cJSON *patch, cJSON **updated,
                      struct api_seterr *se)
{
	cJSON *o = load_own(c, id, se);
	if (!o)
		return -1;
	static const char *const fixed[] = {"id", "buyerId", "created", NULL};
	int rc = api_patch(o, patch, fixed, se);
	/* A signed RFQ carries its own "updated"; an unsigned one gets the node's time. */
	if (!rc && !api_str(o, "sig") && !cJSON_GetObjectItemCaseSensitive(patch, "updated")) {
		char now[MODEL_TIME_LEN + 1];
		model_now(now);
		api_set_str(o, "updated", now);
		*updated = cJSON_CreateObject();
		cJSON_AddStringToObject(*updated, "updated", now);
	}
	if (!rc)
		rc = rfq_store(c, o, se);
	cJSON_Delete(o);
	return rc;
}

static int rfq_destroy(struct api_ctx *c, const char *id, struct api_seterr *se)
{
	cJSON *o = load_own(c, id, se);
	if (!o)
		return -1;
	cJSON_Delete(o);
	struct kerr e = {0, ""};
	if (nstore_destroy(c->s, NT_RFQ, id, &e) != K_OK)
		return api_setfail(se, "serverFail", NULL, "%s", e.msg);
	return 0;
}

static const struct api_filter rfq_filters[] = {
    {"buyerId", API_F_TEXT, NULL},   {"status", API_F_TEXT, NULL},
    {"category", API_F_TEXT, NULL},  {"destination", API_F_TEXT, NULL},
    {"listingId", API_F_TEXT, NULL}, {NULL, API_F_TEXT, NULL},
};

const struct api_type api_rfq_type = {
    .t = NT_RFQ,
    .props = rfq_props,
    .create = rfq_create,
    .update = rfq_update,
    .destroy = rfq_destroy,
    .filters = rfq_filters,
    .sort_by = "created",
    .ascending = 0, /* newest first */
};
