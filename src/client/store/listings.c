/* listings — cached listings: the row (its JSON with sig plus the columns screens sort and
 * show) and its search index rows, always written together in one transaction. */
#include "store_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/buf.h"
#include "kontor/json.h"

int store_seller_state(struct store *s, const char *seller_id, struct seller_state *out,
                       struct kerr *e)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st;
	int rc = kdb_one_key(&s->k, ST_A_STATE, seller_id, "reading a seller", &st, e);
	if (rc == K_OK) {
		out->verified = sqlite3_column_int(st, 0);
		out->rating_avg = sqlite3_column_double(st, 1);
		out->rating_count = sqlite3_column_int64(st, 2);
		sqlite3_reset(st);
	}
	return rc == K_ENOTFOUND ? K_OK : rc; /* unknown: not verified, not rated */
}

/* A stored row's index text, made again from its JSON and the flag it was indexed with
 * (so the contentless index can be told exactly what to forget), or with a new flag. */
static int doc_of(struct store *s, int64_t rid, const char *json, int verified,
                  struct ksearch_doc *d, struct kerr *e)
{
	cJSON *j = json ? cJSON_Parse(json) : NULL;
	if (!j)
		return kerr_set(e, K_EDB, "%s: a stored listing is damaged (row %lld)", s->path,
		                (long long)rid);
	ksearch_doc_build(d, j, NULL, verified, KS_DOC_STEPS);
	cJSON_Delete(j);
	return K_OK;
}

static int unindex(struct store *s, int64_t rid, int64_t pkey, int64_t rkey, const char *json,
                   int verified, struct kerr *e)
{
	struct ksearch_doc d = {0};
	int rc = doc_of(s, rid, json, verified, &d, e);
	if (!rc)
		rc = ksearch_queue_doc(&s->k, s->queue, 1, rid, pkey, rkey, &d, e);
	ksearch_doc_free(&d);
	return rc;
}

/* The row keys of d: its rid stays while its `updated` and filter bits do (*rid 0: new),
 * the price key is made when *pkey is 0, the rating key always; then its index rows. */
static int index_doc(struct store *s, const struct ksearch_doc *d, const char *updated,
                     const struct seller_state *ss, int64_t *rid, int64_t *pkey, int64_t *rkey,
                     struct kerr *e)
{
	int rc = K_OK;
	int64_t base = ksearch_rid_base(updated, d->bits);
	if (!*rid || (*rid & ~KS_RID_TIE_MASK) != base)
		rc = ksearch_free_key(&s->k, &s->keymemo, ST_L_MAX_RID, base, KS_RID_SPAN,
		                      KS_RID_STEP, rid, e);
	if (rc || !d->active)
		return rc;
	int64_t centi = ss->rating_count > 0 ? lround(ss->rating_avg * 100) : -1;
	if (!*pkey)
		rc = ksearch_free_key(&s->k, &s->keymemo, ST_L_MAX_PKEY,
		                      ksearch_pkey_base(d->currency, d->price), KS_KEY_SPAN,
		                      KS_KEY_SPAN, pkey, e);
	if (!rc)
		rc = ksearch_free_key(&s->k, &s->keymemo, ST_L_MAX_RKEY,
		                      ksearch_rkey_base(centi < 0 ? -1 : centi, ss->rating_count,
		                                        ksearch_epoch(updated)),
		                      KS_KEY_SPAN, KS_KEY_SPAN, rkey, e);
	if (!rc)
		rc = ksearch_queue_doc(&s->k, s->queue, 0, *rid, *pkey, *rkey, d, e);
	return rc;
}

const char *store_listing_missing(const struct listing *l)
{
	return !l->id[0]                     ? "id"
	       : !l->seller_id[0]            ? "sellerId"
	       : !l->sku || !*l->sku         ? "sku"
	       : !l->title || !*l->title     ? "title"
	       : !l->currency[0]             ? "currency"
	       : !l->tiers || l->ntiers == 0 ? "priceTiers"
	                                     : NULL;
}

static int check_listing(const struct listing *l, struct kerr *e)
{
	const char *missing = store_listing_missing(l);
	if (missing)
		return kerr_set(e, K_EINVAL, "listing %s: %s is missing",
		                l->id[0] ? l->id : "(no id)", missing);
	return K_OK;
}

/* Takes the row of listing id and its index entries away; *rid gets the row it had.
 * K_ENOTFOUND when there is none. */
static int remove_row(struct store *s, const char *id, int64_t *rid, struct kerr *e)
{
	sqlite3_stmt *st;
	int rc = kdb_one_key(&s->k, ST_L_FIND, id, "reading a listing", &st, e);
	if (rc == K_ENOTFOUND)
		return kerr_set(e, K_ENOTFOUND, "no listing %s in the cache", id);
	if (rc)
		return rc;
	*rid = sqlite3_column_int64(st, 0);
	int indexed = sqlite3_column_type(st, 1) != SQLITE_NULL;
	int64_t pkey = sqlite3_column_int64(st, 1), rkey = sqlite3_column_int64(st, 2);
	char *json = store_col_dup(st, 3);
	int ixv = sqlite3_column_int(st, 4);
	sqlite3_reset(st);
	rc = indexed ? unindex(s, *rid, pkey, rkey, json, ixv, e) : K_OK;
	free(json);
	if (!rc && (st = store_stmt(s, ST_L_DELETE, e))) {
		sqlite3_bind_int64(st, 1, *rid);
		rc = kdb_step_done(&s->k, st, "deleting a listing", e);
	}
	return st ? rc : K_EDB;
}

static int put_locked(struct store *s, const struct listing *l, const char *node, struct kerr *e)
{
	sqlite3_stmt *st;
	int64_t rid = 0;
	int rc = remove_row(s, l->id, &rid, e);
	if (rc == K_ENOTFOUND) {
		rid = 0; /* new */
		kerr_clear(e);
	} else if (rc) {
		return rc;
	}

	struct seller_state ss;
	if ((rc = store_seller_state(s, l->seller_id, &ss, e)))
		return rc;
	cJSON *j = listing_to_json(l, 1);
	struct kbuf json = KBUF_INIT;
	json_print(j, &json);
	struct ksearch_doc d = {0};
	ksearch_doc_build(&d, j, NULL, ss.verified, KS_DOC_STEPS);
	cJSON_Delete(j);
	int64_t pkey = 0, rkey = 0;
	rc = index_doc(s, &d, l->updated, &ss, &rid, &pkey, &rkey, e);
	if (!rc && (st = store_stmt(s, ST_L_INSERT, e))) {
		sqlite3_bind_int64(st, 1, rid);
		store_bind_text(st, 2, l->id);
		store_bind_text(st, 3, l->seller_id);
		store_bind_text(st, 4, l->sku);
		store_bind_text(st, 5, node);
		store_bind_text(st, 6, l->title);
		store_bind_text(st, 7, d.currency);
		sqlite3_bind_int64(st, 8, d.price);
		sqlite3_bind_int64(st, 9, d.moq);
		store_bind_text(st, 10, d.country);
		store_bind_text(st, 11, l->category);
		store_bind_text(st, 12, l->updated);
		store_bind_text(st, 13, l->status[0] ? l->status : "active");
		if (d.active) {
			sqlite3_bind_int64(st, 14, pkey);
			sqlite3_bind_int64(st, 15, rkey);
		}
		sqlite3_bind_int(st, 16, ss.verified);
		sqlite3_bind_int64(st, 17, d.best);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = store_dberr(s, e, "writing a listing");
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if (!rc && (st = store_stmt(s, ST_J_INSERT, e))) {
			sqlite3_bind_int64(st, 1, rid);
			sqlite3_bind_text(st, 2, kbuf_str(&json), (int)json.len, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				rc = store_dberr(s, e, "writing a listing");
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
		} else if (!rc) {
			rc = K_EDB;
		}
	} else if (!rc) {
		rc = K_EDB;
	}
	ksearch_doc_free(&d);
	kbuf_free(&json);
	return rc;
}

int store_listing_put(struct store *s, const struct listing *l, const char *node, struct kerr *e)
{
	int rc = check_listing(l, e);
	if (rc)
		return rc;
	if ((rc = store_wbegin(s, e)))
		return rc;
	if ((rc = put_locked(s, l, node, e)))
		kerr_prefix(e, "listing %s", l->id);
	return store_wfinish(s, rc, e);
}

void store_summary_unit(const cJSON *j, struct listing *l)
{
	if (!l->sig && !cJSON_GetObjectItemCaseSensitive(j, "unit"))
		l->unit[0] = '\0';
}

static int cached_listing(const cJSON *j, struct listing *out, struct kerr *e)
{
	int rc = listing_from_json(j, out, e);
	if (rc == K_OK)
		store_summary_unit(j, out);
	return rc;
}

/* store_read_into's parse: out was initialised by store_listing_get. */
static int listing_parse(const cJSON *j, void *out, struct kerr *e)
{
	listing_free(out);
	return cached_listing(j, out, e);
}

int store_listing_get(struct store *s, const char *id, struct listing *out, struct kerr *e)
{
	listing_init(out);
	return store_read_into(s, ST_L_JSON, id, "listing", listing_parse, out, e);
}

int store_listing_delete(struct store *s, const char *id, struct kerr *e)
{
	int rc = store_wbegin(s, e);
	if (rc)
		return rc;
	int64_t rid;
	rc = remove_row(s, id, &rid, e);
	/* Not found changed nothing: no reason to doom the caller's transaction. */
	int rc2 = store_wend(s, rc == K_OK || rc == K_ENOTFOUND, rc ? NULL : e);
	return rc ? rc : rc2;
}

int store_listing_each(struct store *s, const char *seller_id, store_listing_cb cb, void *ctx,
                       struct kerr *e)
{
	/* The shared statement, unless a callback up the stack is still walking it. */
	enum store_stmt id = seller_id ? ST_L_EACH_SELLER : ST_L_EACH_ALL;
	sqlite3_stmt *st = s->k.st[id];
	int own = st && sqlite3_stmt_busy(st);
	if (own) {
		if (sqlite3_prepare_v2(s->db, sqlite3_sql(s->k.st[id]), -1, &st, NULL) != SQLITE_OK)
			return store_dberr(s, e, "listing listings");
	} else if (!(st = store_stmt(s, id, e))) {
		return K_EDB;
	}
	if (seller_id)
		store_bind_text(st, 1, seller_id);
	int rc, ret = K_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *j = cJSON_ParseWithLength((const char *)sqlite3_column_text(st, 0),
		                                 (size_t)sqlite3_column_bytes(st, 0));
		struct listing l;
		if (!j) {
			ret = kerr_set(e, K_EDB, "%s: a stored listing is damaged", s->path);
			break;
		}
		ret = cached_listing(j, &l, e);
		cJSON_Delete(j);
		if (ret) {
			kerr_prefix(e, "%s", s->path);
			break;
		}
		ret = cb(ctx, &l);
		listing_free(&l);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = store_dberr(s, e, "listing listings");
	if (own)
		sqlite3_finalize(st);
	else
		sqlite3_reset(st);
	return ret;
}

int store_listing_categories(struct store *s, const char *seller_id, char **out, struct kerr *e)
{
	*out = NULL;
	const char *v[] = {seller_id};
	sqlite3_stmt *st = store_prepare(
	    s,
	    "SELECT coalesce(group_concat(k, char(10)), '') FROM (SELECT category AS k"
	    " FROM listings WHERE seller_id = ?1 AND coalesce(category, '') != '' UNION"
	    " SELECT 'HS ' || substr(json_extract(j.json, '$.hsCode'), 1, 6) FROM listings l"
	    " JOIN listing_json j ON j.rid = l.rid WHERE l.seller_id = ?1"
	    " AND json_extract(j.json, '$.hsCode') IS NOT NULL ORDER BY k)",
	    v, 1, NULL, e);
	if (!st)
		return K_EDB;
	int rc = sqlite3_step(st) == SQLITE_ROW ? K_OK : store_dberr(s, e, "reading categories");
	if (rc == K_OK)
		*out = store_col_dup(st, 0);
	sqlite3_finalize(st);
	if (rc == K_OK && !*out)
		*out = xstrdup("");
	return rc;
}

int64_t store_listing_count(struct store *s)
{
	if (s->count_gen == s->gen + 1) /* + 1: 0 means never counted */
		return s->count_cache;
	sqlite3_stmt *st = store_stmt(s, ST_L_COUNT, NULL);
	if (!st)
		return -1;
	int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_reset(st);
	s->count_cache = n;
	s->count_gen = n >= 0 ? s->gen + 1 : 0;
	return n;
}

/* Re-tokenises and re-keys one indexed row. now: the seller's standing to index with; NULL
 * after the index was emptied (fresh): nothing to delete, the standing is read, and the
 * price key and the prices are made anew too. */
static int reindex_one(struct store *s, int64_t rid, const struct seller_state *now, struct kerr *e)
{
	sqlite3_stmt *st = store_stmt(s, ST_L_BY_RID, e);
	if (!st)
		return K_EDB;
	sqlite3_bind_int64(st, 1, rid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return store_dberr(s, e, "reading a listing to re-index");
	}
	int64_t pkey = sqlite3_column_int64(st, 0), rkey = sqlite3_column_int64(st, 1);
	char *json = store_col_dup(st, 2);
	int ixv = sqlite3_column_int(st, 3);
	char *updated = store_col_dup(st, 4);
	char *seller = store_col_dup(st, 5);
	sqlite3_reset(st);
	struct seller_state read;
	int rc = K_OK;
	if (!now) {
		rc = store_seller_state(s, seller, &read, e);
		now = &read;
		pkey = 0;
	} else {
		rc = unindex(s, rid, pkey, rkey, json, ixv, e);
	}
	struct ksearch_doc d = {0};
	int64_t nrid = rid; /* the verified flag is a rid bit: the row may move */
	if (!rc)
		rc = doc_of(s, rid, json, now->verified, &d, e);
	if (!rc)
		rc = index_doc(s, &d, updated, now, &nrid, &pkey, &rkey, e);
	if (!rc && (st = store_stmt(s, ST_L_SET_KEYS, e))) {
		sqlite3_bind_int64(st, 1, rid);
		sqlite3_bind_int64(st, 2, rkey);
		sqlite3_bind_int(st, 3, now->verified);
		sqlite3_bind_int64(st, 4, nrid);
		sqlite3_bind_int64(st, 5, pkey);
		sqlite3_bind_int64(st, 6, d.price);
		sqlite3_bind_int64(st, 7, d.best);
		rc = kdb_step_done(&s->k, st, "re-indexing a listing", e);
	}
	if (!rc && nrid != rid && (st = store_stmt(s, ST_J_MOVE, e))) {
		sqlite3_bind_int64(st, 1, rid);
		sqlite3_bind_int64(st, 2, nrid);
		rc = kdb_step_done(&s->k, st, "re-indexing a listing", e);
	}
	ksearch_doc_free(&d);
	free(json);
	free(updated);
	free(seller);
	return rc;
}

int listings_reindex_seller(struct store *s, const char *seller_id, const struct seller_state *now,
                            struct kerr *e)
{
	int64_t *rids;
	size_t n;
	int rc = kdb_ints(&s->k, ST_L_OF_SELLER, seller_id, "listing listings to re-index", &rids,
	                  &n, e);
	for (size_t i = 0; i < n && !rc; i++)
		rc = reindex_one(s, rids[i], now, e);
	free(rids);
	return rc;
}

int listings_search_upgrade(struct store *s, struct kerr *e)
{
	/* The index holds text made by ksearch_doc_build and searchtext; when that changes
	 * (SEARCH_TEXT_VERSION), the contentless tables cannot be edited row by row any more
	 * and are rebuilt from the stored JSON. */
	char *v = NULL, want[16];
	snprintf(want, sizeof want, "%d", SEARCH_TEXT_VERSION);
	int rc = store_meta_get(s, "search_version", &v, NULL);
	int same = rc == K_OK && strcmp(v, want) == 0;
	free(v);
	if (same)
		return K_OK;
	if ((rc = store_wbegin(s, e)))
		return rc;
	int64_t *rids = NULL;
	size_t n = 0;
	rc = search_index_clear(s, e);
	if (!rc)
		rc = kdb_ints(&s->k, ST_L_ALL_INDEXED, NULL, "listing listings to re-index", &rids,
		              &n, e);
	for (size_t i = 0; i < n && !rc; i++)
		rc = reindex_one(s, rids[i], NULL, e);
	free(rids);
	if (!rc)
		rc = store_meta_set(s, "search_version", want, e);
	return store_wfinish(s, rc, e);
}
