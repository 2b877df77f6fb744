/* conversation — the Conversation and Message types behind the API: private to their two
 * participants (anyone else is told "not found"). Message bodies are ciphertext and nonce
 * sealed between the parties; the node routes and stores them and never sees plaintext. */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/canon.h"
#include "kontor/model.h"

static const char *const conversation_props[] = {
    "id", "participants", "listingId", "rfqId", "orderId", "subject", "created", "updated", NULL,
};

static const char *const message_props[] = {
    "id", "conversationId", "from", "to", "nonce", "ciphertext", "sent", NULL,
};

/* Validates and stores a conversation or message. */
static int store(struct api_ctx *c, enum ntype t, const cJSON *o, struct api_seterr *se)
{
	struct kerr e = {0, ""};
	if (model_validate(nstore_type_name(t), o, &e) != K_OK)
		return api_setfail_kerr(se, &e);
	struct kbuf canon = KBUF_INIT;
	int rc = 0;
	if (canon_write(o, &canon, &e) != K_OK)
		rc = api_setfail_kerr(se, &e);
	else if ((t == NT_CONVERSATION ? nstore_conversation_put(c->s, o, kbuf_str(&canon), &e)
	                               : nstore_message_put(c->s, o, kbuf_str(&canon), &e)) != K_OK)
		rc = api_setfail(se, e.code == K_EEXIST ? "alreadyExists" : "serverFail",
		                 e.code == K_EEXIST ? "id" : NULL, "%s", e.msg);
	kbuf_free(&canon);
	return rc;
}

/* A client may name the object (it wrote it to its cache first); never over another. */
static int take_id(struct api_ctx *c, enum ntype t, cJSON *o, char prefix, struct api_seterr *se)
{
	const char *want = api_str(o, "id");
	if (!want || !*want) {
		char fresh[NSTORE_ID_MAX + 1];
		api_new_id(prefix, fresh);
		api_set_str(o, "id", fresh);
		return 0;
	}
	struct nobj old = {KBUF_INIT, "", ""};
	struct kerr e = {0, ""};
	int exists = strlen(want) <= NSTORE_ID_MAX && nstore_get(c->s, t, want, &old, &e) == K_OK;
	nobj_free(&old);
	if (exists)
		return api_setfail(se, "alreadyExists", "id", "id: %s %s exists already",
		                   nstore_type_name(t), want);
	return 0;
}

static void default_time(cJSON *o, const char *name)
{
	if (!api_str(o, name) || !*api_str(o, name)) {
		char now[MODEL_TIME_LEN + 1];
		model_now(now);
		api_set_str(o, name, now);
	}
}

/* ---------------------------------------------------------------- Conversation */

/* The same participants, in any order, and the same topic. */
static int same_conversation(const cJSON *a, const cJSON *b)
{
	static const char *const topic[] = {"listingId", "rfqId", "orderId", NULL};
	for (int i = 0; topic[i]; i++) {
		const char *x = api_str(a, topic[i]), *y = api_str(b, topic[i]);
		if ((x || y) && (!x || !y || strcmp(x, y) != 0))
			return 0;
	}
	const cJSON *pa = cJSON_GetObjectItemCaseSensitive(a, "participants"), *p;
	const cJSON *pb = cJSON_GetObjectItemCaseSensitive(b, "participants"), *q;
	if (cJSON_GetArraySize(pa) != cJSON_GetArraySize(pb))
		return 0;
	cJSON_ArrayForEach(p, pa)
	{
		int in = 0;
		cJSON_ArrayForEach(q, pb) in |= cJSON_IsString(p) && cJSON_IsString(q) &&
		                                strcmp(p->valuestring, q->valuestring) == 0;
		if (!in)
			return 0;
	}
	return 1;
}

/* Both parties open a conversation under the id they both make (the client's
 * kcrypto_pair_id) before either has the other's: the second create finds the first, the
 * same two people about the same thing, and is answered as done. */
static int conversation_there(struct api_ctx *c, const cJSON *obj, char id[NSTORE_ID_MAX + 1],
                              cJSON **created)
{
	const char *want = api_str(obj, "id");
	if (!want || !*want || strlen(want) > NSTORE_ID_MAX)
		return 0;
	struct nobj o = {KBUF_INIT, "", ""};
	cJSON *old = api_load(c, NT_CONVERSATION, want, &o);
	nobj_free(&o);
	int same = old && same_conversation(old, obj);
	if (same) {
		snprintf(id, NSTORE_ID_MAX + 1, "%s", want);
		*created = cJSON_CreateObject();
		cJSON_AddStringToObject(*created, "id", id);
		cJSON_AddStringToObject(*created, "created",
		                        api_str(old, "created") ? api_str(old, "created") : "");
	}
	cJSON_Delete(old);
	return same;
}

static int conversation_create(struct api_ctx *c, const cJSON *obj, char id[NSTORE_ID_MAX + 1],
                               cJSON **created, struct api_seterr *se)
{
	const cJSON *parts = cJSON_GetObjectItemCaseSensitive(obj, "participants"), *p;
	const char *other = NULL;
	int me = 0;
	cJSON_ArrayForEach(p, (cJSON_IsArray(parts) ? parts : NULL))
	{
		if (!cJSON_IsString(p))
			continue;
		if (strcmp(p->valuestring, c->caller) == 0)
			me = 1;
		else
			other = p->valuestring;
	}
	if (!me)
		return api_setfail(
		    se, "forbidden", "participants",
		    "participants: you can only open a conversation you take part in");
	if (conversation_there(c, obj, id, created))
		return 0;
	cJSON *o = cJSON_Duplicate(obj, 1);
	int rc = take_id(c, NT_CONVERSATION, o, 'C', se);
	default_time(o, "created");
	if (!rc) {
		struct kerr e = {0, ""};
		if (model_validate("Conversation", o, &e) != K_OK)
			rc = api_setfail_kerr(se, &e);
	}
	if (!rc) {
		/* The other party must have a profile here: its box key is what messages are
		 * sealed to. */
		struct nobj acc = {KBUF_INIT, "", ""};
		struct kerr e = {0, ""};
		if (nstore_get(c->s, NT_ACCOUNT, other, &acc, &e) != K_OK)
			rc = api_setfail(se, "invalidProperties", "participants",
			                 "participants: %s has no account on this node", other);
		nobj_free(&acc);
	}
	if (!rc)
		rc = store(c, NT_CONVERSATION, o, se);
	if (!rc) {
		snprintf(id, NSTORE_ID_MAX + 1, "%s", api_str(o, "id"));
		*created = cJSON_CreateObject();
		cJSON_AddStringToObject(*created, "id", id);
		cJSON_AddStringToObject(*created, "created", api_str(o, "created"));
	}
	cJSON_Delete(o);
	return rc;
}

static int conversation_update(struct api_ctx *c, const char *id, const cJSON *patch,
                               cJSON **updated, struct api_seterr *se)
{
	cJSON *o = api_load_party(c, NT_CONVERSATION, id, NULL, se);
	if (!o)
		return -1;
	static const char *const fixed[] = {"id",      "participants", "listingId", "rfqId",
	                                    "orderId", "created",      "updated",   NULL};
	int rc = api_patch(o, patch, fixed, se);
	if (!rc) {
		char now[MODEL_TIME_LEN + 1];
		model_now(now);
		api_set_str(o, "updated", now);
		rc = store(c, NT_CONVERSATION, o, se);
		if (!rc) {
			*updated = cJSON_CreateObject();
			cJSON_AddStringToObject(*updated, "updated", now);
		}
	}
	cJSON_Delete(o);
	return rc;
}

static int destroy_visible(struct api_ctx *c, enum ntype t, const char *id, int sender_only,
                           struct api_seterr *se)
{
	struct nobj o = {KBUF_INIT, "", ""};
	cJSON *j = api_load_party(c, t, id, &o, se);
	int mine = j && strcmp(o.owner, c->caller) == 0;
	nobj_free(&o);
	cJSON_Delete(j);
	if (!j)
		return -1;
	if (sender_only && !mine)
		return api_setfail(se, "forbidden", NULL,
		                   "message %.64s is not yours: only its sender deletes it", id);
	struct kerr e = {0, ""};
	if (nstore_destroy(c->s, t, id, &e) != K_OK)
		return api_setfail(se, "serverFail", NULL, "%s", e.msg);
	return 0;
}

/* Either participant may close a conversation; its messages go with it. */
static int conversation_destroy(struct api_ctx *c, const char *id, struct api_seterr *se)
{
	return destroy_visible(c, NT_CONVERSATION, id, 0, se);
}

static const struct api_filter conversation_filters[] = {
    {"listingId", API_F_TEXT, NULL}, {"rfqId", API_F_TEXT, NULL}, {"orderId", API_F_TEXT, NULL},
    {"peer", API_F_TEXT, NULL},      {NULL, API_F_TEXT, NULL},
};

const struct api_type api_conversation_type = {
    .t = NT_CONVERSATION,
    .props = conversation_props,
    .create = conversation_create,
    .update = conversation_update,
    .destroy = conversation_destroy,
    .filters = conversation_filters,
    .sort_by = "updated",
    .ascending = 0, /* latest activity first */
};

/* ---------------------------------------------------------------- Message */

/* A new message is activity in its conversation: the list of conversations sorts by it. */
static int touch_conversation(struct api_ctx *c, cJSON *conv, struct api_seterr *se)
{
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	api_set_str(conv, "updated", now);
	return store(c, NT_CONVERSATION, conv, se);
}

static int message_create(struct api_ctx *c, const cJSON *obj, char id[NSTORE_ID_MAX + 1],
                          cJSON **created, struct api_seterr *se)
{
	const char *from = api_str(obj, "from");
	if (from && strcmp(from, c->caller) != 0)
		return api_setfail(se, "forbidden", "from",
		                   "from: you can only send as yourself (%s)", c->caller);
	const char *conv_id = api_resolve_id(c, api_str(obj, "conversationId"));
	if (!conv_id || strlen(conv_id) > NSTORE_ID_MAX)
		return api_setfail(se, "invalidProperties", "conversationId",
		                   "conversationId: missing");
	struct nobj co = {KBUF_INIT, "", ""};
	struct api_seterr ignored = {NULL, "", ""};
	cJSON *conv = api_load_party(c, NT_CONVERSATION, conv_id, &co, &ignored);
	if (!conv) {
		nobj_free(&co);
		return api_setfail(se, "invalidProperties", "conversationId",
		                   "conversationId: no conversation %s of yours", conv_id);
	}
	const char *peer = strcmp(co.owner, c->caller) == 0 ? co.other : co.owner;
	cJSON *o = cJSON_Duplicate(obj, 1);
	int rc = 0;
	const char *to = api_str(o, "to");
	if (to && strcmp(to, peer) != 0)
		rc = api_setfail(se, "invalidProperties", "to",
		                 "to: must be the other participant of %s", conv_id);
	if (!rc)
		rc = take_id(c, NT_MESSAGE, o, 'M', se);
	if (!rc) {
		api_set_str(o, "conversationId", conv_id);
		api_set_str(o, "from", c->caller);
		api_set_str(o, "to", peer);
		default_time(o, "sent");
		rc = store(c, NT_MESSAGE, o, se);
	}
	if (!rc)
		rc = touch_conversation(c, conv, se);
	if (!rc) {
		snprintf(id, NSTORE_ID_MAX + 1, "%s", api_str(o, "id"));
		*created = cJSON_CreateObject();
		cJSON_AddStringToObject(*created, "id", id);
		cJSON_AddStringToObject(*created, "to", peer);
		cJSON_AddStringToObject(*created, "sent", api_str(o, "sent"));
	}
	cJSON_Delete(o);
	cJSON_Delete(conv);
	nobj_free(&co);
	return rc;
}

static int message_update(struct api_ctx *c, const char *id, const cJSON *patch, cJSON **updated,
                          struct api_seterr *se)
{
	return api_refuse_change(c, NT_MESSAGE, id,
	                         "messages are sealed and cannot be changed; send a new one", se);
}

static int message_destroy(struct api_ctx *c, const char *id, struct api_seterr *se)
{
	return destroy_visible(c, NT_MESSAGE, id, 1, se);
}

static const struct api_filter message_filters[] = {
    {"conversationId", API_F_ID, NULL},
    {NULL, API_F_TEXT, NULL},
};

const struct api_type api_message_type = {
    .t = NT_MESSAGE,
    .props = message_props,
    .create = message_create,
    .update = message_update,
    .destroy = message_destroy,
    .filters = message_filters,
    .sort_by = "sent",
    .ascending = 1, /* reading order */
};
