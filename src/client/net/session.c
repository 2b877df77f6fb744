/* session — parsing the node's session object (see session.h). Mirrors api_session in
 * src/node/api.c: name, nodeKey, apiUrl, uploadUrl, downloadUrl, eventSourceUrl,
 * capabilities {"urn:kontor:trade": {maxSizeRequest, maxCallsInRequest, maxObjectsInGet,
 * maxObjectsInSet, maxSizeUpload, ...}}, state, and funding when the node says how a
 * buyer adds money. Unknown fields are ignored (a newer node
 * may say more). */
#include <string.h>

#include "kontor/json.h"
#include "session.h"

#define CAP_TRADE "urn:kontor:trade"

/* Copies a required string field into out[cap], refusing empty, too long and (when
 * ascii_only) anything but printable ASCII without spaces; otherwise control characters
 * are refused (the parser has already checked UTF-8). */
static int get_text(const cJSON *o, const char *name, int ascii_only, char *out, size_t cap,
                    struct kerr *e)
{
	const char *s = NULL;
	int rc = json_get_str(o, name, 1, &s, e);
	if (rc != K_OK) {
		kerr_prefix(e, "session");
		return rc;
	}
	size_t n = strlen(s);
	if (n == 0)
		return kerr_set(e, K_EINVAL, "session: \"%s\" is empty", name);
	if (n >= cap)
		return kerr_set(e, K_EINVAL, "session: \"%s\" is over %zu bytes", name, cap - 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || (ascii_only && (c <= 0x20 || c >= 0x7f)))
			return kerr_set(e, K_EINVAL,
			                "session: \"%s\" has a character that is not allowed at "
			                "byte %zu",
			                name, i);
	}
	memcpy(out, s, n + 1);
	return K_OK;
}

static int get_url(const cJSON *o, const char *name, char *out, size_t cap, struct kerr *e)
{
	int rc = get_text(o, name, 1, out, cap, e);
	if (rc != K_OK)
		return rc;
	if (strncmp(out, "https://", 8) != 0 && strncmp(out, "http://", 7) != 0)
		return kerr_set(e, K_EINVAL, "session: \"%s\" is not an http(s) URL: \"%.80s\"",
		                name, out);
	return K_OK;
}

/* A positive integer limit. When not required, an absent or null one leaves *out as is. */
static int get_limit(const cJSON *o, const char *name, int required, int64_t *out, struct kerr *e)
{
	int64_t v = 0;
	int rc = json_get_int(o, name, required, &v, e);
	if (rc != K_OK) {
		kerr_prefix(e, "session capability \"%s\"", CAP_TRADE);
		return rc;
	}
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
	if (!required && (!it || cJSON_IsNull(it)))
		return K_OK;
	if (v < 1)
		return kerr_set(e, K_EINVAL, "session: %s.%s must be at least 1, not %lld",
		                CAP_TRADE, name, (long long)v);
	*out = v;
	return K_OK;
}

int knet_session_parse(const char *data, size_t len, struct knet_session *out, struct kerr *e)
{
	memset(out, 0, sizeof *out);
	if (len > KNET_SESSION_MAX)
		return kerr_set(e, K_ETOOBIG, "session: %zu bytes is over the limit of %d", len,
		                KNET_SESSION_MAX);
	cJSON *root = NULL;
	int rc = json_parse(data, len, "session", &root, e);
	if (rc != K_OK)
		return rc;
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return kerr_set(e, K_EINVAL, "session: not a JSON object");
	}
	const cJSON *caps = NULL, *trade = NULL;
	uint8_t pk[KCRYPTO_PK_BYTES];
	if ((rc = get_text(root, "name", 0, out->name, sizeof out->name, e)) != K_OK ||
	    (rc = get_text(root, "nodeKey", 1, out->node_key, sizeof out->node_key, e)) != K_OK ||
	    (rc = get_url(root, "apiUrl", out->api_url, sizeof out->api_url, e)) != K_OK ||
	    (rc = get_url(root, "uploadUrl", out->upload_url, sizeof out->upload_url, e)) != K_OK ||
	    (rc = get_url(root, "downloadUrl", out->download_url, sizeof out->download_url, e)) !=
	        K_OK ||
	    (rc = get_url(root, "eventSourceUrl", out->event_source_url,
	                  sizeof out->event_source_url, e)) != K_OK ||
	    (rc = get_text(root, "state", 1, out->state, sizeof out->state, e)) != K_OK ||
	    (rc = json_get_object(root, "capabilities", 1, &caps, e)) != K_OK ||
	    (rc = json_get_object(caps, CAP_TRADE, 1, &trade, e)) != K_OK)
		goto out;
	/* How to add money, when the node says: optional, and one that is not one clean line
	 * of text is left out rather than failing the sync over words. */
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "funding")) &&
	    get_text(root, "funding", 0, out->funding, sizeof out->funding, NULL) != K_OK)
		out->funding[0] = '\0';
	if (kcrypto_account_pk(out->node_key, pk, NULL) != K_OK) {
		rc = kerr_set(e, K_EINVAL, "session: nodeKey \"%.64s\" is not a kontor key",
		              out->node_key);
		goto out;
	}
	if (!strstr(out->download_url, "{blobId}")) {
		rc = kerr_set(e, K_EINVAL, "session: downloadUrl has no {blobId}");
		goto out;
	}
	if ((rc = get_limit(trade, "maxSizeRequest", 1, &out->max_size_request, e)) != K_OK ||
	    (rc = get_limit(trade, "maxCallsInRequest", 1, &out->max_calls_in_request, e)) !=
	        K_OK ||
	    (rc = get_limit(trade, "maxObjectsInGet", 1, &out->max_objects_in_get, e)) != K_OK ||
	    (rc = get_limit(trade, "maxObjectsInSet", 1, &out->max_objects_in_set, e)) != K_OK ||
	    (rc = get_limit(trade, "maxSizeUpload", 0, &out->max_size_upload, e)) != K_OK ||
	    (rc = get_limit(trade, "defaultMaxChanges", 0, &out->default_max_changes, e)) != K_OK)
		goto out;
	out->changes_own_sets =
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(trade, "changesOwnSets"));
out:
	cJSON_Delete(root);
	if (rc != K_OK) {
		struct kerr keep = e ? *e : (struct kerr){0};
		memset(out, 0, sizeof *out);
		if (e)
			*e = keep;
	}
	return rc;
}
