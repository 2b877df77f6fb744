/* listing — the Listing type behind the API: a listing is only ever its seller's complete,
 * signed object. The node checks the signature over the canonical bytes it received and
 * stores exactly those bytes; it never re-serialises what it has not verified. */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/canon.h"
#include "kontor/crypto.h"
#include "kontor/imagehash.h"
#include "kontor/json.h"
#include "kontor/model.h"

static const char *const listing_props[] = {
    "id",           "sellerId",      "sku",        "title",    "description", "category", "tags",
    "hsCode",       "originCountry", "shipsFrom",  "currency", "priceTiers",  "unit",     "moq",
    "leadTimeDays", "incoterms",     "variants",   "images",   "status",      "created",  "updated",
    "sig",          "imageHashes",   "imageBytes", "stock",    NULL,
};

/* imageHashes: the 64-bit photo hashes of the images the node holds, for a whole page at once
 * (what a pull's summaries carry so a client searches its cache by photo offline): beside
 * "list", {"counts": [n, ...] one per listing in list order, "hashes": base64url of the
 * hashes, 8 bytes each, big-endian, in that order}. A hash per listing as its own property
 * cost 16 bytes gzip'd; packed it costs 8.5 (DESIGN §11: 9). */
static void listing_get_done(struct api_ctx *c, const cJSON *props, const cJSON *list, cJSON *res)
{
	const cJSON *p;
	int asked = 0;
	cJSON_ArrayForEach(p, props) asked |=
	    cJSON_IsString(p) && strcmp(p->valuestring, "imageHashes") == 0;
	if (!asked || !cJSON_GetArraySize(list))
		return; /* nothing new: not a byte (the no-change sync's budget) */
	cJSON *ih = cJSON_AddObjectToObject(res, "imageHashes");
	cJSON *counts = cJSON_AddArrayToObject(ih, "counts");
	struct kbuf raw = KBUF_INIT, b64 = KBUF_INIT;
	const cJSON *o;
	cJSON_ArrayForEach(o, list)
	{
		uint64_t h[MODEL_IMAGES_MAX];
		size_t n = 0;
		struct kerr e = {0, ""};
		const char *id = api_str(o, "id");
		if (!id || nstore_listing_photo_hashes(c->s, id, h, &n, &e) != K_OK)
			n = 0;
		cJSON_AddItemToArray(counts, cJSON_CreateNumber((double)n));
		for (size_t i = 0; i < n; i++)
			for (int k = 7; k >= 0; k--)
				kbuf_putc(&raw, (char)(h[i] >> (8 * k)));
	}
	kcrypto_b64_encode(raw.data ? raw.data : "", raw.len, KB64_URL_NOPAD, &b64);
	cJSON_AddStringToObject(ih, "hashes", kbuf_str(&b64));
	kbuf_free(&raw);
	kbuf_free(&b64);
}

static int listing_computed(struct api_ctx *c, const char *prop, const cJSON *full, cJSON *o)
{
	if (strcmp(prop, "imageBytes") == 0) {
		/* imageBytes: the size of each image blob in the order of images, -1 for an https
		 * URL or a blob the node does not hold: what a client says of an image it does not
		 * fetch (a terminal that cannot show it) */
		api_add_blob_sizes(c, cJSON_GetObjectItemCaseSensitive(full, "images"), o,
		                   "imageBytes");
		return 1;
	}
	/* imageHashes come for the page as a whole (listing_get_done) */
	return strcmp(prop, "imageHashes") == 0;
}

/* filter.photo: {hashes: [hex, ...]} (or {hash: hex}) and maxDistance (default 12). */
static int photo_filter(const cJSON *filter, uint64_t hashes[NSTORE_PHOTO_HASHES_MAX],
                        struct nlisting_query *q, struct api_err *err)
{
	const cJSON *ph = cJSON_GetObjectItemCaseSensitive(filter, "photo");
	if (!ph || cJSON_IsNull(ph))
		return 0;
	if (!cJSON_IsObject(ph))
		return api_fail(err, "invalidArguments",
		                "filter.photo: must be an object {hashes, maxDistance}");
	for (const cJSON *m = ph->child; m; m = m->next)
		if (strcmp(m->string, "hashes") != 0 && strcmp(m->string, "hash") != 0 &&
		    strcmp(m->string, "maxDistance") != 0)
			return api_fail(
			    err, "invalidArguments",
			    "filter.photo: unknown property '%.40s' (hashes, maxDistance)",
			    m->string);
	const cJSON *one = cJSON_GetObjectItemCaseSensitive(ph, "hash");
	const cJSON *many = cJSON_GetObjectItemCaseSensitive(ph, "hashes");
	if ((one != NULL) == (many != NULL))
		return api_fail(err, "invalidArguments",
		                "filter.photo: give hashes (a list of 16 hex digits each)");
	if (many && (!cJSON_IsArray(many) || cJSON_GetArraySize(many) < 1 ||
	             cJSON_GetArraySize(many) > NSTORE_PHOTO_HASHES_MAX))
		return api_fail(err, "invalidArguments",
		                "filter.photo.hashes: must be a list of 1..%d hashes",
		                NSTORE_PHOTO_HASHES_MAX);
	size_t n = 0;
	struct kerr e = {0, ""};
	if (one) {
		const char *v = cJSON_GetStringValue(one);
		if (kimg_hash_parse(v ? v : "", &hashes[0], &e) != K_OK)
			return api_fail(err, "invalidArguments", "filter.photo.hash: %s", e.msg);
		n = 1;
	} else {
		const cJSON *h;
		cJSON_ArrayForEach(h, many)
		{
			const char *v = cJSON_GetStringValue(h);
			if (kimg_hash_parse(v ? v : "", &hashes[n], &e) != K_OK)
				return api_fail(err, "invalidArguments",
				                "filter.photo.hashes[%zu]: %s", n, e.msg);
			n++;
		}
	}
	int64_t maxd = KIMG_DIST_SIMILAR;
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(ph, "maxDistance");
	if (md && !cJSON_IsNull(md)) {
		if (!json_is_int(md) || md->valuedouble < 0 || md->valuedouble > 64)
			return api_fail(err, "invalidArguments",
			                "filter.photo.maxDistance: must be an integer 0..64");
		maxd = (int64_t)md->valuedouble;
	}
	q->photo = hashes;
	q->nphoto = n;
	q->photo_max = (int)maxd;
	return 0;
}

/* The first property where what was sent differs from the listing's canonical form. */
static const char *first_difference(const cJSON *sent, const cJSON *want)
{
	for (const cJSON *m = want->child; m; m = m->next) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(sent, m->string);
		if (!v || !cJSON_Compare(v, m, 1))
			return m->string;
	}
	for (const cJSON *m = sent->child; m; m = m->next)
		if (!cJSON_GetObjectItemCaseSensitive(want, m->string))
			return m->string;
	return "sig";
}

/* Checks and stores a complete signed listing from the caller. expect_id, when given, is
 * the id being updated. */
static int listing_accept(struct api_ctx *c, const cJSON *obj, const char *expect_id,
                          char id[NSTORE_ID_MAX + 1], struct api_seterr *se)
{
	struct listing l;
	struct kerr e = {0, ""};
	if (!cJSON_IsObject(obj))
		return api_setfail(se, "invalidProperties", NULL, "a listing must be an object");
	if (listing_from_json(obj, &l, &e) != K_OK)
		return api_setfail_kerr(se, &e);
	int rc = -1;
	struct kbuf sent = KBUF_INIT, want = KBUF_INIT, full = KBUF_INIT;
	cJSON *unsigned_sent = NULL, *want_j = NULL;
	if (!l.seller_id[0]) {
		api_setfail(se, "invalidProperties", "sellerId", "sellerId: missing");
		goto out;
	}
	if (strcmp(l.seller_id, c->caller) != 0) {
		api_setfail(se, "forbidden", "sellerId",
		            "sellerId: you can only list as yourself (%s)", c->caller);
		goto out;
	}
	if (expect_id && strcmp(l.id, expect_id) != 0) {
		api_setfail(se, "invalidProperties", "id", "id: the listing sent is %s, not %s",
		            l.id[0] ? l.id : "(none)", expect_id);
		goto out;
	}
	if (!l.sig) {
		api_setfail(se, "invalidProperties", "sig",
		            "sig: missing; a listing is signed by its seller");
		goto out;
	}
	/* The bytes the seller signed are the canonical form of what was sent, less sig. */
	unsigned_sent = cJSON_Duplicate(obj, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(unsigned_sent, "sig");
	if (canon_write(unsigned_sent, &sent, &e) != K_OK) {
		api_setfail_kerr(se, &e);
		goto out;
	}
	if (kcrypto_verify_object_b64("listing", sent.data, sent.len, l.seller_id, l.sig, &e) !=
	    K_OK) {
		api_setfail(
		    se, "invalidProperties", "sig",
		    "sig: does not verify against sellerId over the listing's canonical bytes");
		goto out;
	}
	/* Every reader checks the signature over listing_canon: what we keep must give
	 * exactly these bytes there too, or the listing would fail everywhere else. */
	if (listing_canon(&l, &want, &e) != K_OK) {
		api_setfail_kerr(se, &e);
		goto out;
	}
	if (want.len != sent.len || memcmp(want.data, sent.data, sent.len) != 0) {
		want_j = listing_to_json(&l, 0);
		const char *prop = first_difference(unsigned_sent, want_j);
		api_setfail(se, "invalidProperties", prop,
		            "%s: not as the listing's canonical form has it (sign and send exactly"
		            " what listing_canon makes, defaults included)",
		            prop);
		goto out;
	}
	if (listing_verify(&l, &e) != K_OK) {
		api_setfail(se, "invalidProperties", "sig", "%s", e.msg);
		goto out;
	}
	if (canon_write(obj, &full, &e) != K_OK) {
		api_setfail_kerr(se, &e);
		goto out;
	}
	if (nstore_listing_put_canon(c->s, &l, full.data, full.len, &e) != K_OK) {
		api_setfail(se, "serverFail", NULL, "%s", e.msg);
		goto out;
	}
	snprintf(id, NSTORE_ID_MAX + 1, "%s", l.id);
	rc = 0;
out:
	cJSON_Delete(unsigned_sent);
	cJSON_Delete(want_j);
	kbuf_free(&sent);
	kbuf_free(&want);
	kbuf_free(&full);
	listing_free(&l);
	return rc;
}

/* A listing's id is its seller and SKU: sending the same SKU again replaces the listing
 * (so a re-import makes nothing twice). */
static int listing_create(struct api_ctx *c, const cJSON *obj, char id[NSTORE_ID_MAX + 1],
                          cJSON **created, struct api_seterr *se)
{
	return listing_accept(c, obj, NULL, id, se);
}

static int owned(struct api_ctx *c, const char *id, struct api_seterr *se)
{
	struct nobj o = {KBUF_INIT, "", ""};
	struct kerr e = {0, ""};
	int rc = nstore_get(c->s, NT_LISTING, id, &o, &e);
	int mine = rc == K_OK && strcmp(o.owner, c->caller) == 0;
	nobj_free(&o);
	if (rc == K_ENOTFOUND)
		return api_setfail(se, "notFound", NULL, "no listing %.64s", id);
	if (rc)
		return api_setfail(se, "serverFail", NULL, "%s", e.msg);
	if (!mine)
		return api_setfail(se, "forbidden", NULL,
		                   "listing %.64s is not yours: only its seller changes it", id);
	return 0;
}

static int listing_update(struct api_ctx *c, const char *id, const cJSON *patch, cJSON **updated,
                          struct api_seterr *se)
{
	if (owned(c, id, se))
		return -1;
	if (!cJSON_IsObject(patch) || !api_str(patch, "sig"))
		return api_setfail(se, "invalidProperties", "sig",
		                   "sig: an update is the whole listing, signed again");
	char made[NSTORE_ID_MAX + 1];
	return listing_accept(c, patch, id, made, se);
}

static int listing_destroy(struct api_ctx *c, const char *id, struct api_seterr *se)
{
	if (owned(c, id, se))
		return -1;
	struct kerr e = {0, ""};
	if (nstore_destroy(c->s, NT_LISTING, id, &e) != K_OK)
		return api_setfail(se, "serverFail", NULL, "%s", e.msg);
	return 0;
}

static int listing_query(struct api_ctx *c, const cJSON *filter, const cJSON *sort,
                         struct npage *pg, struct nids *out, struct api_err *err)
{
	static const char *const fnames[] = {
	    "text",     "country",  "category", "currency", "minPrice", "maxPrice", "maxMoq",
	    "verified", "incoterm", "sellerId", "status",   "photo",    NULL};
	/* The default direction is the useful one: cheapest, best rated, newest first. */
	static const char *const snames[] = {"relevance", "price",  "rating",
	                                     "updated",   "newest", NULL};
	static const int dflt[] = {0, 1, 0, 0, 0};
	static const enum nsort sorts[] = {NSORT_RELEVANCE, NSORT_PRICE, NSORT_RATING, NSORT_NEWEST,
	                                   NSORT_NEWEST};
	struct nlisting_query q;
	uint64_t hashes[NSTORE_PHOTO_HASHES_MAX];
	memset(&q, 0, sizeof q);
	q.filter = (struct ksearch_query)KSEARCH_QUERY_ANY;
	int which, asc;
	if (api_filter_check(filter, fnames, err) || photo_filter(filter, hashes, &q, err) ||
	    api_filter_str(filter, "text", &q.filter.text, err) ||
	    api_filter_str(filter, "country", &q.filter.country, err) ||
	    api_filter_str(filter, "category", &q.filter.category, err) ||
	    api_filter_str(filter, "currency", &q.filter.currency, err) ||
	    api_filter_int(filter, "minPrice", &q.filter.min_price, err) ||
	    api_filter_int(filter, "maxPrice", &q.filter.max_price, err) ||
	    api_filter_int(filter, "maxMoq", &q.filter.max_moq, err) ||
	    api_filter_bool(filter, "verified", &q.filter.verified, err) ||
	    api_filter_str(filter, "incoterm", &q.filter.incoterm, err) ||
	    api_filter_str(filter, "sellerId", &q.filter.seller_id, err) ||
	    api_filter_str(filter, "status", &q.status, err) ||
	    api_sort(sort, snames, &which, &asc, dflt, err))
		return -1;
	q.page = *pg;
	if (which < 0) {
		q.sort =
		    (q.filter.text && *q.filter.text) || q.nphoto ? NSORT_RELEVANCE : NSORT_NEWEST;
		q.page.ascending = 0;
	} else {
		q.sort = sorts[which];
		q.page.ascending = asc;
	}
	struct kerr e = {0, ""};
	if (nstore_listing_query(c->s, &q, out, &e))
		return api_fail_kerr(err, &e);
	return 0;
}

const struct api_type api_listing_type = {
    .t = NT_LISTING,
    .props = listing_props,
    .create = listing_create,
    .update = listing_update,
    .destroy = listing_destroy,
    .query = listing_query,
    .computed = listing_computed,
    .get_done = listing_get_done,
};
