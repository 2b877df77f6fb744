/* names — lookups for what a person types instead of an id. An id prefix is an index range
 * (id >= prefix AND id < prefix || '~': '~' sorts after every base64url character), so it
 * costs the same with a million listings as with ten. */
#include "names.h"

#include <stdio.h>
#include <string.h>

#include "kontor/model.h"
#include "store_int.h"

static const char *const tables[] = {
    [NAMES_LISTINGS] = "listings", [NAMES_ACCOUNTS] = "accounts",
    [NAMES_ORDERS] = "orders",     [NAMES_CONTRACTS] = "contracts",
    [NAMES_RFQS] = "rfqs",         [NAMES_CONVERSATIONS] = "conversations",
};

static int b64url_word(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= NAMES_ID_MAX && model_b64url(s, n);
}

static void hits_add(struct names_hits *h, const char *id)
{
	if (!id || strlen(id) > NAMES_ID_MAX)
		return;
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->id[i], id) == 0)
			return;
	if (h->n >= NAMES_HITS_MAX) {
		h->more = 1;
		return;
	}
	memcpy(h->id[h->n++], id, strlen(id) + 1);
}

/* Runs sql with v[0..n) bound and adds the first column of every row to out. */
static int collect(struct store *s, const char *sql, const char *const *v, int n,
                   struct names_hits *out, const char *doing, struct kerr *e)
{
	sqlite3_stmt *st = store_prepare(s, sql, v, n, NULL, e);
	if (!st)
		return K_EDB;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		hits_add(out, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? K_OK : store_dberr(s, e, doing);
}

int store_names_id_prefix(struct store *s, enum names_table t, const char *prefix,
                          struct names_hits *out, struct kerr *e)
{
	if ((unsigned)t >= sizeof tables / sizeof tables[0] || !b64url_word(prefix))
		return kerr_set(e, K_EINVAL, "an id prefix is 1 to %d of A-Z a-z 0-9 - _",
		                NAMES_ID_MAX);
	char sql[160], upper[NAMES_ID_MAX + 2];
	snprintf(sql, sizeof sql,
	         "SELECT id FROM %s WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT %d", tables[t],
	         NAMES_HITS_MAX + 1);
	snprintf(upper, sizeof upper, "%s~", prefix);
	const char *v[] = {prefix, upper};
	return collect(s, sql, v, 2, out, "looking ids up by a prefix", e);
}

int store_names_sku(struct store *s, const char *seller_id, const char *sku, int match,
                    struct names_hits *out, struct kerr *e)
{
	static const char *const sql[] = {
	    /* exactly: the SKU as written is in listing_skus (kind 0), found through its index */
	    "SELECT id FROM listings WHERE seller_id = ?1 AND sku = ?2"
	    " UNION SELECT l.id FROM listing_skus k JOIN listings l ON l.rid = k.rid"
	    " WHERE k.sku = ?2 COLLATE NOCASE AND k.sku = ?2 AND k.kind = 0"
	    " AND l.seller_id = ?1 LIMIT 33",
	    "SELECT id FROM listings WHERE seller_id = ?1 AND sku = ?2 COLLATE NOCASE"
	    " UNION SELECT l.id FROM listing_skus k JOIN listings l ON l.rid = k.rid"
	    " WHERE k.sku = ?2 COLLATE NOCASE AND k.kind = 0 AND l.seller_id = ?1"
	    " LIMIT 33",
	    /* a start, of hers alone (read from her listings, never the market's SKUs), a
	     * variant's too */
	    "SELECT id FROM listings WHERE seller_id = ?1"
	    " AND substr(sku, 1, length(?2)) = ?2 COLLATE NOCASE"
	    " UNION SELECT l.id FROM listings l JOIN listing_skus k ON k.rid = l.rid"
	    " WHERE l.seller_id = ?1 AND substr(k.sku, 1, length(?2)) = ?2 COLLATE NOCASE"
	    " LIMIT 33"};
	const char *v[] = {seller_id, sku};
	return collect(s, sql[match < 0 || match > NAMES_SKU_START ? 0 : match], v, 2, out,
	               "looking a listing up by its SKU", e);
}

int store_names_variant_sku(struct store *s, const char *seller_id, const char *sku,
                            struct names_hits *out, struct kerr *e)
{
	const char *v[] = {seller_id ? seller_id : "", sku};
	return collect(s,
	               "SELECT DISTINCT l.id FROM listing_skus k JOIN listings l ON l.rid = k.rid"
	               " WHERE k.sku = ?2 COLLATE NOCASE AND k.kind = 1"
	               " AND (?1 = '' OR l.seller_id = ?1) ORDER BY l.id LIMIT 33",
	               v, 2, out, "looking a listing up by a variant's SKU", e);
}

int store_names_uncategorised(struct store *s, const char *seller_id, struct names_hits *out,
                              struct kerr *e)
{
	const char *v[] = {seller_id};
	return collect(
	    s,
	    "SELECT sku FROM listings WHERE seller_id = ?1 AND NOT EXISTS (SELECT 1"
	    " FROM listings l JOIN listing_json j ON j.rid = l.rid WHERE l.seller_id = ?1"
	    " AND (coalesce(l.category, '') != ''"
	    " OR json_extract(j.json, '$.hsCode') IS NOT NULL))"
	    " ORDER BY sku LIMIT 1",
	    v, 1, out, "looking for a listing with a category", e);
}

int store_names_sku_any(struct store *s, const char *sku, int nocase, struct names_hits *out,
                        struct kerr *e)
{
	const char *v[] = {sku};
	/* both through the index on sku COLLATE NOCASE, the exact one filtered after it */
	return collect(
	    s,
	    nocase ? "SELECT id FROM listings WHERE sku = ?1 COLLATE NOCASE ORDER BY id LIMIT 33"
	           : "SELECT id FROM listings WHERE sku = ?1 COLLATE NOCASE AND sku = ?1"
	             " ORDER BY id LIMIT 33",
	    v, 1, out, "looking a listing up by its SKU", e);
}

int store_names_handle(struct store *s, const char *handle, int prefix, struct names_hits *out,
                       struct kerr *e)
{
	char upper[NAMES_ID_MAX + 2];
	snprintf(upper, sizeof upper, "%s~", handle);
	const char *v[] = {handle, upper};
	return collect(
	    s,
	    prefix ? "SELECT id FROM accounts WHERE handle >= ?1 AND handle < ?2 ORDER BY handle"
	             " LIMIT 33"
	           : "SELECT id FROM accounts WHERE handle = ?1 ORDER BY id LIMIT 33",
	    v, prefix ? 2 : 1, out, "looking an account up by its handle", e);
}

int store_names_between_each(struct store *s, enum names_table t, const char *self,
                             const char *peer, store_names_id_cb cb, void *ctx, struct kerr *e)
{
	if (t != NAMES_ORDERS && t != NAMES_CONTRACTS)
		return kerr_set(e, K_EINVAL, "only orders and contracts are between two parties");
	char sql[200];
	snprintf(sql, sizeof sql,
	         "SELECT id FROM %s WHERE (buyer_id = ?1 AND seller_id = ?2)"
	         " OR (buyer_id = ?2 AND seller_id = ?1) ORDER BY updated DESC, id",
	         tables[t]);
	const char *v[] = {self, peer};
	sqlite3_stmt *st = store_prepare(s, sql, v, 2, NULL, e);
	if (!st)
		return K_EDB;
	int step, rc = K_OK;
	while (rc == K_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = cb(ctx, (const char *)sqlite3_column_text(st, 0));
	if (rc == K_OK && step != SQLITE_DONE)
		rc = store_dberr(s, e, "looking up what is between two parties");
	sqlite3_finalize(st);
	return rc > 0 ? K_OK : rc;
}

/* Adds id to the hits; past NAMES_HITS_MAX, marks more and stops the walk. */
static int hit_one(void *ctx, const char *id)
{
	struct names_hits *h = ctx;
	hits_add(h, id);
	return h->more;
}

int store_names_between(struct store *s, enum names_table t, const char *self, const char *peer,
                        struct names_hits *out, struct kerr *e)
{
	return store_names_between_each(s, t, self, peer, hit_one, out, e);
}

int store_names_titles_each(struct store *s, const char *seller_id, store_names_title_cb cb,
                            void *ctx, struct kerr *e)
{
	const char *v[] = {seller_id};
	sqlite3_stmt *st =
	    store_prepare(s, "SELECT id, title FROM listings WHERE seller_id = ?1", v, 1, NULL, e);
	if (!st)
		return K_EDB;
	int step, rc = K_OK;
	while (rc == K_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = cb(ctx, (const char *)sqlite3_column_text(st, 0),
		        (const char *)sqlite3_column_text(st, 1));
	if (rc == K_OK && step != SQLITE_DONE)
		rc = store_dberr(s, e, "reading your listings' titles");
	sqlite3_finalize(st);
	return rc;
}

/* Steps st (bound by the caller) through cb as store_names_accounts_each promises. */
static int accounts_walk(struct store *s, sqlite3_stmt *st, store_names_account_cb cb, void *ctx,
                         struct kerr *e)
{
	int step, rc = K_OK;
	while (rc == K_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = cb(ctx, (const char *)sqlite3_column_text(st, 0),
		        (const char *)sqlite3_column_text(st, 1),
		        (const char *)sqlite3_column_text(st, 2),
		        (const char *)sqlite3_column_text(st, 3));
	if (rc == K_OK && step != SQLITE_DONE)
		rc = store_dberr(s, e, "reading the cached accounts' names");
	sqlite3_finalize(st);
	return rc;
}

int store_names_accounts_each(struct store *s, store_names_account_cb cb, void *ctx, struct kerr *e)
{
	sqlite3_stmt *st =
	    kdb_prepare(&s->k,
	                "SELECT id, handle, display_name,"
	                " json_extract(json, '$.legalName') FROM accounts ORDER BY id",
	                e);
	return st ? accounts_walk(s, st, cb, ctx, e) : K_EDB;
}

int store_names_peers_each(struct store *s, const char *self, store_names_account_cb cb, void *ctx,
                           struct kerr *e)
{
	static const char sql[] =
	    "SELECT id, handle, display_name, json_extract(json, '$.legalName') FROM accounts"
	    " WHERE id IN (SELECT CASE WHEN buyer_id = ?1 THEN seller_id ELSE buyer_id END"
	    " FROM orders WHERE buyer_id = ?1 OR seller_id = ?1"
	    " UNION SELECT CASE WHEN buyer_id = ?1 THEN seller_id ELSE buyer_id END"
	    " FROM contracts WHERE buyer_id = ?1 OR seller_id = ?1) ORDER BY id";
	sqlite3_stmt *st = store_prepare(s, sql, &self, 1, NULL, e);
	return st ? accounts_walk(s, st, cb, ctx, e) : K_EDB;
}

int store_names_unpulled_orders_each(struct store *s, store_object_cb cb, void *ctx, struct kerr *e)
{
	sqlite3_stmt *st = kdb_prepare(&s->k,
	                               "SELECT k.json FROM contracts k WHERE k.state = 'binding'"
	                               " AND NOT EXISTS (SELECT 1 FROM orders o"
	                               " WHERE o.contract_id = k.id) ORDER BY k.id",
	                               e);
	return st ? store_walk_json(s, st, NULL, cb, NULL, ctx, "reading the binding contracts", e)
	          : K_EDB;
}
