/* photo — image hashes of cached listings and the offline photo search. The search reads every
 * hash of an active listing (kimg_scan over them is a millisecond or two for a million), then
 * checks the few within the distance against the query's words and filters with one FTS5
 * lookup by rowid each, as the main search table's scan checks its rows. */
#include "photo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/imagehash.h"
#include "store_int.h"

int store_listing_photos_put(struct store *s, const char *id, const uint64_t *hashes, size_t n,
                             struct kerr *e)
{
	if (n > MODEL_IMAGES_MAX)
		n = MODEL_IMAGES_MAX;
	sqlite3_stmt *del, *ins;
	int rc = store_wprepare(s, "DELETE FROM listing_photos WHERE listing_id = ?1", &id, 1, NULL,
	                        &del, e);
	if (rc)
		return rc;
	ins = kdb_prepare(
	    &s->k, "INSERT INTO listing_photos(listing_id, idx, hash) VALUES(?1, ?2, ?3)", e);
	if (!ins) {
		sqlite3_finalize(del);
		return store_wfinish(s, K_EDB, e);
	}
	rc = kdb_step_done(&s->k, del, "forgetting a listing's image hashes", e);
	for (size_t i = 0; !rc && i < n; i++) {
		sqlite3_reset(ins);
		store_bind_text(ins, 1, id);
		sqlite3_bind_int(ins, 2, (int)i);
		sqlite3_bind_int64(ins, 3, (sqlite3_int64)hashes[i]);
		rc = kdb_step_done(&s->k, ins, "keeping a listing's image hashes", e);
	}
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	return store_wfinish(s, rc, e);
}

int store_listing_photos_get(struct store *s, const char *id, uint64_t out[MODEL_IMAGES_MAX],
                             size_t *n, struct kerr *e)
{
	*n = 0;
	sqlite3_stmt *st =
	    store_prepare(s, "SELECT hash FROM listing_photos WHERE listing_id = ?1 ORDER BY idx",
	                  &id, 1, NULL, e);
	if (!st)
		return K_EDB;
	int rc =
	    kdb_u64s(&s->k, st, "reading a listing's image hashes", out, MODEL_IMAGES_MAX, n, e);
	sqlite3_finalize(st);
	return rc;
}

void photo_result_free(struct photo_result *p)
{
	if (!p)
		return;
	search_result_free(&p->r);
	free(p->distance);
	p->distance = NULL;
}

/* Every hash of an indexed (active) listing with its rid; *hash and *rid the caller's. */
static int load(struct store *s, uint64_t **hash, int64_t **rid, size_t *n, struct kerr *e)
{
	*hash = NULL;
	*rid = NULL;
	*n = 0;
	sqlite3_stmt *st = kdb_prepare(&s->k,
	                               "SELECT p.hash, l.rid FROM listing_photos p"
	                               " JOIN listings l ON l.id = p.listing_id"
	                               " WHERE l.rkey IS NOT NULL",
	                               e);
	if (!st)
		return K_EDB;
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			*hash = xrealloc(*hash, cap * sizeof **hash);
			*rid = xrealloc(*rid, cap * sizeof **rid);
		}
		(*hash)[*n] = (uint64_t)sqlite3_column_int64(st, 0);
		(*rid)[(*n)++] = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? K_OK : store_dberr(s, e, "reading image hashes");
}

/* The main search table's checks (ST_SCAN_MAIN's) on one rowid. */
#define CHECK_SQL                                                                                  \
	"SELECT rowid FROM search WHERE search MATCH ?1 AND rowid = ?6"                            \
	" AND (rowid & ?10) = ?10 AND ((rowid >> 19) & 31) <= ?11"                                 \
	" AND (((rowid >> 19) & 31) != ?12"                                                        \
	" OR (SELECT moq FROM listings WHERE rid = search.rowid) <= ?5)"                           \
	" AND (kedge(search, ?2) = 0"                                                              \
	" OR (SELECT price FROM listings WHERE rid = search.rowid) <= ?3)"

static int search_photo(struct store *s, const struct search_query *q, const uint64_t *hashes,
                        size_t nq, int max_distance, struct photo_result *out, struct kerr *e)
{
	struct ksearch_plan p;
	int rc = search_plan(s, q, KS_PLAN_BITS, &p, e);
	if (rc)
		return rc;
	struct kbuf expr = KBUF_INIT;
	ksearch_plan_expr(&p, &p.words, 0, 0, 1, &expr);
	uint64_t *hash = NULL;
	int64_t *rid = NULL;
	size_t n = 0, nm = 0;
	struct kimg_match *m = NULL;
	struct ksearch_photo_hit *h = NULL;
	sqlite3_stmt *chk = NULL, *idq = NULL;
	if ((rc = load(s, &hash, &rid, &n, e)))
		goto out;
	m = xmalloc(PHOTO_MATCHES_MAX * sizeof *m);
	size_t total = 0;
	nm = kimg_scan(hash, n, hashes, nq, max_distance, m, PHOTO_MATCHES_MAX, &total);
	h = xmalloc((nm ? nm : 1) * sizeof *h);
	for (size_t i = 0; i < nm; i++)
		h[i] = (struct ksearch_photo_hit){rid[m[i].index], m[i].distance};
	size_t nh = ksearch_photo_rank(h, nm);
	chk = kdb_prepare(&s->k, CHECK_SQL, e);
	idq = chk ? kdb_prepare(&s->k, "SELECT id FROM listings WHERE rid = ?1", e) : NULL;
	if (!idq) {
		rc = K_EDB;
		goto out;
	}
	out->r.hits = xcalloc((size_t)q->limit, sizeof *out->r.hits);
	out->distance = xcalloc((size_t)q->limit, sizeof *out->distance);
	int64_t found = 0, end = (int64_t)q->offset + q->limit;
	for (size_t i = 0; i < nh && !rc; i++) {
		sqlite3_reset(chk);
		sqlite3_bind_text(chk, 1, kbuf_str(&expr), (int)expr.len, SQLITE_STATIC);
		sqlite3_bind_int(chk, 2, q->filter.max_price >= 0 ? KS_EDGE_ALWAYS : KS_EDGE_NONE);
		sqlite3_bind_int64(chk, 3, p.max_price);
		sqlite3_bind_int64(chk, 5, p.max_moq);
		sqlite3_bind_int64(chk, 6, h[i].rid);
		sqlite3_bind_int64(chk, 10, p.req_bits);
		sqlite3_bind_int64(chk, 11, p.moq_class);
		sqlite3_bind_int64(chk, 12, p.moq_edge_class);
		int step = sqlite3_step(chk);
		if (step != SQLITE_ROW) {
			if (step != SQLITE_DONE)
				rc =
				    store_dberr(s, e, "checking a photo match against the filters");
			continue;
		}
		if (found++ < q->offset || found > end)
			continue;
		sqlite3_reset(idq);
		sqlite3_bind_int64(idq, 1, h[i].rid);
		char id[MODEL_LISTING_ID_LEN + 1] = "";
		if (sqlite3_step(idq) == SQLITE_ROW)
			store_col_copy(idq, 0, id, sizeof id);
		if (id[0] && store_search_hit(s, id, &out->r.hits[out->r.n], e) == K_OK)
			out->distance[out->r.n++] = h[i].dist;
	}
	out->r.total = found;
	out->r.total_capped = total > PHOTO_MATCHES_MAX;
out:
	sqlite3_finalize(chk);
	sqlite3_finalize(idq);
	free(h);
	free(m);
	free(hash);
	free(rid);
	kbuf_free(&expr);
	ksearch_plan_free(&p);
	return rc;
}

int store_photo_search(struct store *s, const struct search_query *q, const uint64_t *hashes,
                       size_t nq, int max_distance, struct photo_result *out, struct kerr *e)
{
	memset(out, 0, sizeof *out);
	if (nq < 1 || nq > PHOTO_QUERY_HASHES_MAX)
		return kerr_set(e, K_EINVAL, "search: 1 to %d photo hashes, not %zu",
		                PHOTO_QUERY_HASHES_MAX, nq);
	if (max_distance < 0 || max_distance > 64)
		return kerr_set(e, K_EINVAL, "search: a photo distance is 0..64, not %d",
		                max_distance);
	if (q->sort != SEARCH_RELEVANCE)
		return kerr_set(e, K_EINVAL,
		                "search: a photo search is ordered by distance, nearest first (no"
		                " --sort)");
	int rc = search_page_check(q, e);
	if (rc || (rc = search_pending_flush(s, e)))
		return rc;
	int own = kdb_read_begin(&s->k, NULL) == K_OK;
	rc = search_photo(s, q, hashes, nq, max_distance, out, e);
	if (own)
		kdb_read_end(&s->k);
	if (rc)
		photo_result_free(out);
	return rc;
}
