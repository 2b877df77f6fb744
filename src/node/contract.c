/* contract — the Contract type behind the API (DESIGN §5): the signed contract document,
 * private to its buyer and seller (anyone else is told "not found"). The node never signs
 * or rewrites an offer; it checks. A create must verify whole (contract_verify) and carry
 * only the caller's signatures; an update must keep the stored document as a strict
 * prefix, byte for byte, and add only the caller's signatures: new sections, or new
 * signatures on the latest offer. When an offer becomes binding its order id (the offer
 * section's hash) is recorded; orders and escrow start from contract_bound below. */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/canon.h"
#include "kontor/contract.h"
#include "kontor/json.h"

static const char *const contract_props[] = {
    "id", "buyerId", "sellerId", "listingId", "rfqId", "sections", "created", "updated", NULL,
};

static const char *sval(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

static int same_str(const cJSON *a, const cJSON *b, const char *name)
{
	const char *x = sval(a, name), *y = sval(b, name);
	return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

static const char *kind_of(const cJSON *sec)
{
	const char *k = sval(sec, "kind");
	return k ? k : "?";
}

/* Signature j of a section as "by role sig" equality. */
static int same_sig(const cJSON *a, const cJSON *b)
{
	return cJSON_IsObject(a) && cJSON_IsObject(b) && same_str(a, b, "by") &&
	       same_str(a, b, "role") && same_str(a, b, "sig") && cJSON_GetArraySize(a) == 3 &&
	       cJSON_GetArraySize(b) == 3;
}

/* Every signature of sec from index `from` on must be the caller's. */
static int new_sigs_are_callers(const cJSON *sec, int idx, int from, const char *caller, int *added,
                                struct kerr *e)
{
	const cJSON *sigs = cJSON_GetObjectItemCaseSensitive(sec, "signatures");
	int n = cJSON_GetArraySize(sigs);
	for (int j = from; j < n; j++) {
		const cJSON *s = cJSON_GetArrayItem(sigs, j);
		const char *by = sval(s, "by");
		if (!by || strcmp(by, caller) != 0)
			return kerr_set(
			    e, K_EPERM,
			    "section %d (%s): the new signature is by %.64s, not by you "
			    "(%s): each party signs for itself",
			    idx, kind_of(sec), by ? by : "nobody", caller);
		(*added)++;
	}
	return K_OK;
}

int ncontract_check(const cJSON *old, const cJSON *doc, const char *caller,
                    struct contract_status *st, int *nothing_new, struct kerr *e)
{
	*nothing_new = 0;
	if (!caller)
		return kerr_set(e, K_EPERM, "contracts need a signed request");
	if (!cJSON_IsObject(doc))
		return kerr_set(e, K_EINVAL, "contract: must be an object");
	const char *buyer = sval(doc, "buyerId"), *seller = sval(doc, "sellerId");
	if (!buyer || !seller || (strcmp(buyer, caller) != 0 && strcmp(seller, caller) != 0))
		return kerr_set(e, K_EPERM,
		                "buyerId/sellerId: you (%s) are not a party to this contract",
		                caller);
	const cJSON *secs = cJSON_GetObjectItemCaseSensitive(doc, "sections");
	if (!cJSON_IsArray(secs))
		return kerr_set(e, K_EINVAL, "sections: %s", secs ? "must be an array" : "missing");
	int n = cJSON_GetArraySize(secs), n_old = 0, added = 0, rc;
	if (old) {
		static const char *const envelope[] = {"id", "buyerId", "sellerId", "listingId",
		                                       "rfqId"};
		for (size_t i = 0; i < sizeof envelope / sizeof envelope[0]; i++)
			if (!same_str(old, doc, envelope[i]))
				return kerr_set(e, K_EINVAL, "%s: cannot be changed", envelope[i]);
		const cJSON *osecs = cJSON_GetObjectItemCaseSensitive(old, "sections");
		n_old = cJSON_GetArraySize(osecs);
		if (n < n_old)
			return kerr_set(e, K_EINVAL,
			                "sections: %d, but the node holds %d: sections are never "
			                "removed",
			                n, n_old);
		int latest = contract_latest_offer(old);
		for (int i = 0; i < n_old; i++) {
			const cJSON *a = cJSON_GetArrayItem(osecs, i),
			            *b = cJSON_GetArrayItem(secs, i);
			if (!cJSON_IsObject(b) || !same_str(a, b, "kind") ||
			    !same_str(a, b, "body") || !same_str(a, b, "hash"))
				return kerr_set(
				    e, K_EINVAL,
				    "section %d (%s): differs from the one the node holds: "
				    "what is stored is never changed",
				    i, kind_of(a));
			const cJSON *sa = cJSON_GetObjectItemCaseSensitive(a, "signatures");
			const cJSON *sb = cJSON_GetObjectItemCaseSensitive(b, "signatures");
			int na = cJSON_GetArraySize(sa), nb = cJSON_GetArraySize(sb);
			if (!cJSON_IsArray(sb) || nb < na)
				return kerr_set(
				    e, K_EINVAL,
				    "section %d (%s): a signature the node holds is missing", i,
				    kind_of(a));
			for (int j = 0; j < na; j++)
				if (!same_sig(cJSON_GetArrayItem(sa, j), cJSON_GetArrayItem(sb, j)))
					return kerr_set(
					    e, K_EINVAL,
					    "section %d (%s): signature %d differs from the one "
					    "the node holds",
					    i, kind_of(a), j);
			if (nb > na && i != latest && i != n_old - 1)
				return kerr_set(
				    e, K_EINVAL,
				    "section %d (%s): only the latest offer (section %d) "
				    "takes new signatures",
				    i, kind_of(a), latest);
			if ((rc = new_sigs_are_callers(b, i, na, caller, &added, e)))
				return rc;
			/* Anything else in the section object (unknown members) stays as it was. */
			if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
				return kerr_set(
				    e, K_EINVAL,
				    "section %d (%s): differs from the one the node holds", i,
				    kind_of(a));
		}
	}
	for (int i = n_old; i < n; i++) {
		const cJSON *b = cJSON_GetArrayItem(secs, i);
		if ((rc = new_sigs_are_callers(b, i, 0, caller, &added, e)))
			return rc;
	}
	if (old && n == n_old && !added) {
		*nothing_new = 1;
		return K_OK;
	}
	if ((rc = contract_verify(doc, st, e)) != K_OK)
		return rc;
	return K_OK;
}

/* Called once in the /set's transaction when an offer has just become binding: order_id is
 * that offer's hash. The Order object (state awaiting_payment) is made here (order.c); its
 * escrow ledger account ("escrow:<orderId>", owner the buyer) on funding. A failure here
 * refuses the update. */
static int contract_bound(struct api_ctx *c, const cJSON *doc, const char *order_id,
                          struct api_seterr *se)
{
	return norder_create(c, doc, order_id, se);
}

/* The order events among the sections from index `from` on, applied in order to the
 * order: contract_verify has replayed them through the rules of a trade; order.c keeps the
 * Order in step and posts the ledger. */
static int contract_events(struct api_ctx *c, const cJSON *doc, const char *order_id, int from,
                           struct api_seterr *se)
{
	const cJSON *sec, *secs = cJSON_GetObjectItemCaseSensitive(doc, "sections");
	int i = 0, rc = 0;
	cJSON_ArrayForEach(sec, secs)
	{
		if (!rc && i >= from && strcmp(kind_of(sec), "offer") != 0)
			rc = norder_event(c, doc, order_id, i, sec, se);
		i++;
	}
	return rc;
}

/* Every offer from section `from` on must name this node as its escrow agent: the node
 * holds the money, so it takes no contract that makes someone else the escrow. */
static int escrow_is_us(struct api_ctx *c, const cJSON *doc, int from, struct api_seterr *se)
{
	const cJSON *sec, *secs = cJSON_GetObjectItemCaseSensitive(doc, "sections");
	int i = 0, rc = 0;
	cJSON_ArrayForEach(sec, secs)
	{
		if (rc || i++ < from || strcmp(kind_of(sec), "offer") != 0)
			continue;
		struct contract_terms t;
		struct kerr e = {0, ""};
		if (contract_section_terms(sec, &t, &e) != K_OK)
			rc = api_setfail(se, "invalidProperties", "sections",
			                 "section %d (offer): %s", i - 1, e.msg);
		else if (strcmp(t.escrow_agent, c->n->key_id) != 0)
			rc = api_setfail(
			    se, "invalidProperties", "sections",
			    "section %d (offer): escrowAgent: %s is not this node's key "
			    "(%s)",
			    i - 1, t.escrow_agent, c->n->key_id);
		contract_terms_free(&t);
	}
	return rc;
}

static int fail_check(const struct kerr *e, struct api_seterr *se)
{
	if (e->code == K_EPERM)
		return api_setfail(se, "forbidden", "sections", "%s", e->msg);
	if (e->code == K_ECONFLICT) /* a step the rules refuse from where the order stands */
		return api_setfail(se, "stateConflict", "sections", "%s", e->msg);
	if (e->code == K_EDB || e->code == K_EFAIL)
		return api_setfail(se, "serverFail", NULL, "%s", e->msg);
	return api_setfail(se, "invalidProperties", "sections", "%s", e->msg);
}

/* Stores doc (checked) with its state; calls the hook when it just became binding. */
static int contract_store(struct api_ctx *c, const cJSON *doc, const struct contract_status *st,
                          int was_binding, struct api_seterr *se)
{
	struct kerr e = {0, ""};
	struct kbuf canon = KBUF_INIT;
	int rc = 0;
	if (canon_write(doc, &canon, &e) != K_OK)
		rc = api_setfail_kerr(se, &e);
	else if (nstore_contract_put(c->s, doc, kbuf_str(&canon), contract_state_name(st),
	                             st->order_id, &e) != K_OK)
		rc = api_setfail(se, "serverFail", NULL, "%s", e.msg);
	if (!rc && st->binding >= 0 && !was_binding)
		rc = contract_bound(c, doc, st->order_id, se);
	kbuf_free(&canon);
	return rc;
}

static int contract_create(struct api_ctx *c, const cJSON *obj, char id[NSTORE_ID_MAX + 1],
                           cJSON **created, struct api_seterr *se)
{
	struct kerr e = {0, ""};
	struct contract_status st;
	int same = 0;
	const char *want = sval(obj, "id"), *b = sval(obj, "buyerId"), *sl = sval(obj, "sellerId");
	if (!b || !sl || (strcmp(b, c->caller) != 0 && strcmp(sl, c->caller) != 0))
		return api_setfail(se, "forbidden", "buyerId",
		                   "buyerId/sellerId: you (%s) are not a party to this contract",
		                   c->caller);
	struct nobj old = {KBUF_INIT, "", ""};
	int exists = want && strlen(want) <= NSTORE_ID_MAX &&
	             nstore_get(c->s, NT_CONTRACT, want, &old, &e) == K_OK;
	int rc = 0;
	if (exists) {
		/* The same document again (a second name for this node, a lost answer) is what
		 * was asked for; anything else goes through an update. */
		struct kbuf canon = KBUF_INIT;
		int same_doc = canon_write(obj, &canon, &e) == K_OK && canon.len == old.json.len &&
		               memcmp(canon.data, old.json.data, canon.len) == 0;
		kbuf_free(&canon);
		nobj_free(&old);
		if (!same_doc)
			return api_setfail(se, "alreadyExists", "id",
			                   "id: contract %.64s exists already: send an update",
			                   want);
		snprintf(id, NSTORE_ID_MAX + 1, "%s", want);
		return 0;
	}
	nobj_free(&old);
	if (ncontract_check(NULL, obj, c->caller, &st, &same, &e) != K_OK)
		return fail_check(&e, se);
	if (!rc)
		rc = escrow_is_us(c, obj, 0, se);
	if (!rc)
		rc = contract_store(c, obj, &st, 0, se);
	if (!rc) {
		snprintf(id, NSTORE_ID_MAX + 1, "%s", want);
		*created = cJSON_CreateObject();
		cJSON_AddStringToObject(*created, "id", id);
		cJSON_AddStringToObject(*created, "state", contract_state_name(&st));
		json_add_opt(*created, "orderId", st.order_id);
	}
	return rc;
}

/* The patch is the whole new "sections" (plus, optionally, the unchanged envelope). */
static int contract_update(struct api_ctx *c, const char *id, const cJSON *patch, cJSON **updated,
                           struct api_seterr *se)
{
	cJSON *old = api_load_party(c, NT_CONTRACT, id, NULL, se);
	if (!old)
		return -1;
	if (!cJSON_IsObject(patch) || !cJSON_GetObjectItemCaseSensitive(patch, "sections")) {
		cJSON_Delete(old);
		return api_setfail(se, "invalidPatch", "sections",
		                   "sections: an update sends the contract's whole sections");
	}
	cJSON *doc = cJSON_Duplicate(old, 1);
	static const char *const fixed[] = {"id",    "buyerId", "sellerId", "listingId",
	                                    "rfqId", "created", "updated",  NULL};
	int rc = api_patch(doc, patch, fixed, se);
	struct kerr e = {0, ""};
	struct contract_status st, ost;
	int same = 0;
	if (!rc && ncontract_check(old, doc, c->caller, &st, &same, &e) != K_OK)
		rc = fail_check(&e, se);
	if (!rc && !same)
		rc = escrow_is_us(
		    c, doc, cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(old, "sections")),
		    se);
	if (!rc && !same) {
		int was_binding = contract_verify(old, &ost, &e) == K_OK && ost.binding >= 0;
		rc = contract_store(c, doc, &st, was_binding, se);
		if (!rc)
			rc = contract_events(
			    c, doc, st.order_id,
			    cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(old, "sections")),
			    se);
		if (!rc) {
			*updated = cJSON_CreateObject();
			cJSON_AddStringToObject(*updated, "state", contract_state_name(&st));
			json_add_opt(*updated, "orderId", st.order_id);
		}
	}
	cJSON_Delete(doc);
	cJSON_Delete(old);
	return rc;
}

static int contract_destroy(struct api_ctx *c, const char *id, struct api_seterr *se)
{
	return api_refuse_change(
	    c, NT_CONTRACT, id,
	    "a contract is never destroyed: append a signed \"cancelled\" section", se);
}

static const char *const contract_states[] = {"offer", "countered", "binding", "cancelled", NULL};
static const struct api_filter contract_filters[] = {
    {"state", API_F_TEXT, contract_states},
    {"listingId", API_F_TEXT, NULL},
    {"orderId", API_F_TEXT, NULL},
    {"peer", API_F_TEXT, NULL},
    {NULL, API_F_TEXT, NULL},
};

/* created and updated, as the signed document says (it carries no envelope times, and
 * goes out as its stored bytes): the first offer's created and the latest time a section
 * gives, the times the client dates a contract by; null where the sections give none (an
 * offer an older kontor made has no created). */
static int contract_computed(struct api_ctx *c, const char *prop, const cJSON *full, cJSON *o)
{
	(void)c;
	char t[MODEL_TIME_LEN + 1];
	int have;
	if (strcmp(prop, "updated") == 0)
		have = contract_latest_time(full, t);
	else if (strcmp(prop, "created") == 0)
		have = contract_created_time(full, t);
	else
		return 0;
	cJSON_AddItemToObject(o, prop, have ? cJSON_CreateString(t) : cJSON_CreateNull());
	return 1;
}

const struct api_type api_contract_type = {
    .t = NT_CONTRACT,
    .props = contract_props,
    .create = contract_create,
    .update = contract_update,
    .destroy = contract_destroy,
    .filters = contract_filters,
    .sort_by = "updated",
    .ascending = 0, /* latest first */
    .computed = contract_computed,
};
