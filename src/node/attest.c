/* attest — the node vouches for a business (DESIGN §6, Verified identity): the operator has
 * checked its papers, and the node signs an attestation (legal name, country, registration
 * number, level, issued, expires) with its key into the Account object. Clients show the
 * verified mark only when that signature checks out against the node key they pinned.
 * `kontord admin attest` and seed.c sign here. */
#include "node.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "kontor/canon.h"
#include "kontor/model.h"
#include "store/nstore.h"

int node_attest_make(const struct node_attestation *a, const char *by,
                     const uint8_t sk[KCRYPTO_SK_BYTES], cJSON **out, struct kerr *e)
{
	cJSON *att = cJSON_CreateObject();
	cJSON_AddStringToObject(att, "legalName", a->legal_name);
	cJSON_AddStringToObject(att, "country", a->country);
	cJSON_AddStringToObject(att, "registration", a->registration);
	cJSON_AddStringToObject(att, "level", a->level);
	cJSON_AddStringToObject(att, "issued", a->issued);
	cJSON_AddStringToObject(att, "expires", a->expires);
	cJSON_AddStringToObject(att, "by", by);
	struct kbuf canon = KBUF_INIT, sig = KBUF_INIT;
	int rc = canon_write(att, &canon, e);
	if (rc == K_OK) {
		kcrypto_sign_object_b64("attestation", canon.data, canon.len, sk, &sig);
		cJSON_AddStringToObject(att, "sig", kbuf_str(&sig));
		*out = att;
	} else {
		cJSON_Delete(att);
	}
	kbuf_free(&canon);
	kbuf_free(&sig);
	return rc;
}

/* Puts att (a copy of it) into the account's object, or removes the attestation when att
 * is NULL; one transaction, one Account change. */
static int put_attestation(struct node *n, const char *id, const cJSON *att, struct kerr *e)
{
	struct nstore *s = n->store;
	struct nobj o = {KBUF_INIT, "", ""};
	struct account acc;
	account_init(&acc);
	cJSON *j = NULL;
	int rc = nstore_begin(s, e);
	if (rc != K_OK)
		return rc;
	rc = strlen(id) <= NSTORE_ID_MAX ? nstore_get(s, NT_ACCOUNT, id, &o, e) : K_ENOTFOUND;
	if (rc == K_ENOTFOUND) {
		rc = kerr_set(e, K_ENOTFOUND,
		              "ACCOUNT: no account '%.64s' is registered on this node", id);
		goto out;
	}
	if (rc != K_OK)
		goto out;
	j = cJSON_ParseWithLength(o.json.data ? o.json.data : "", o.json.len);
	if (!cJSON_IsObject(j)) {
		rc = kerr_set(e, K_EDB, "account %.64s: the stored object is not JSON", id);
		goto out;
	}
	const cJSON *had = cJSON_GetObjectItemCaseSensitive(j, "attestation");
	if (!att && (!had || cJSON_IsNull(had))) {
		rc = kerr_set(e, K_ENOTFOUND, "account %.64s has no attestation to revoke", id);
		goto out;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(j, "attestation");
	if (att)
		cJSON_AddItemToObject(j, "attestation", cJSON_Duplicate(att, 1));
	/* The whole account is checked again, the attestation with it ("attestation.country:
	 * ..."), exactly as an Account/set would be. */
	if ((rc = account_from_json(j, &acc, e)) == K_OK)
		rc = nstore_account_put(s, &acc, e);
out:
	if (rc == K_OK)
		rc = nstore_commit(s, e);
	else
		nstore_rollback(s);
	account_free(&acc);
	cJSON_Delete(j);
	nobj_free(&o);
	return rc;
}

int node_attest(struct node *n, const char *account_id, const struct node_attestation *a,
                cJSON **out, struct kerr *e)
{
	if (out)
		*out = NULL;
	cJSON *att = NULL;
	int rc = node_attest_make(a, n->key_id, n->key.sk, &att, e);
	if (rc == K_OK)
		rc = put_attestation(n, account_id, att, e);
	if (rc == K_OK && out)
		*out = att;
	else
		cJSON_Delete(att);
	return rc;
}

int node_attest_revoke(struct node *n, const char *account_id, struct kerr *e)
{
	return put_attestation(n, account_id, NULL, e);
}
