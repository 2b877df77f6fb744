/* nphoto — the node's side of search by photo (DESIGN §13): each image blob hashed once (as it
 * arrives, or when a listing first names a blob stored before hashes existed), one row per
 * listing image with its blob's hash, and the photo filter of Listing/query.
 *
 * The filter scans every hash in memory (kimg_scan: a million hashes in 1-2 ms) and checks
 * the few within the distance against the other filters, one FTS5 lookup by rowid each. The
 * array follows the table by change sequence: a row is written at the sequence of the
 * listing write that made it (its rid), so after the first load only rows past the last
 * sequence read are added. Rows of listings since changed or removed stay in the array
 * until the next full load and are dropped by the check (their rid is no longer indexed). */
#include "nstore_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/imagehash.h"
#include "kontor/imgrgb.h"
#include "kontor/model.h"

#define BLOB_ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
#define SCALED_QUALITY 80
#define PHOTO_VERSION "1" /* meta photo_version: the upgrade has filled the rows */

struct nphoto_ix {
	pthread_mutex_t lock;
	uint64_t *hash;
	int64_t *rid;
	size_t n, cap;
	size_t live; /* rows at the last full load */
	int64_t seq; /* the newest row sequence read */
	int loaded;
};

struct nphoto_ix *nphoto_ix_new(void)
{
	struct nphoto_ix *ix = xcalloc(1, sizeof *ix);
	pthread_mutex_init(&ix->lock, NULL);
	return ix;
}

void nphoto_ix_free(struct nphoto_ix **p)
{
	struct nphoto_ix *ix = *p;
	if (!ix)
		return;
	pthread_mutex_destroy(&ix->lock);
	free(ix->hash);
	free(ix->rid);
	free(ix);
	*p = NULL;
}

static int is_blob_id(const char *s)
{
	return s && strlen(s) == KCRYPTO_HASH_B64_LEN &&
	       strspn(s, BLOB_ID_CHARS) == KCRYPTO_HASH_B64_LEN;
}

int nphoto_hash_blob(const void *data, size_t len, uint64_t *hash)
{
	struct kerr e = {0};
	return kimg_hash_bytes(data, len, "blob", NULL, hash, NULL, &e) == K_OK;
}

/* The hash of blob id: *state 1 with *hash, 0 when the blob is no image, -1 when the node
 * does not hold it (yet). A blob stored before hashes existed is hashed now, once. */
static int blob_hash(struct nconn *c, const char *id, uint64_t *hash, int *state, struct kerr *e)
{
	sqlite3_stmt *st = nstore_stmt(c, S_B_HASH_GET, e);
	if (!st)
		return K_EDB;
	nstore_bind_text(st, 1, id);
	int rc = sqlite3_step(st);
	*state = -1;
	int tried = 0, image = 0;
	if (rc == SQLITE_ROW) {
		tried = sqlite3_column_int(st, 1);
		if (tried && sqlite3_column_type(st, 0) != SQLITE_NULL) {
			*hash = (uint64_t)sqlite3_column_int64(st, 0);
			image = 1;
		} else if (!tried) {
			image = nphoto_hash_blob(sqlite3_column_blob(st, 2),
			                         (size_t)sqlite3_column_bytes(st, 2), hash);
		}
		*state = image;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return nstore_dberr(c, e, "reading a blob's image hash");
	if (rc == SQLITE_ROW && !tried) {
		if (!(st = nstore_stmt(c, S_B_HASH_SET, e)))
			return K_EDB;
		nstore_bind_text(st, 1, id);
		if (image)
			sqlite3_bind_int64(st, 2, (sqlite3_int64)*hash);
		if ((rc = nstore_exec_stmt(c, st, e, "keeping a blob's image hash")))
			return rc;
	}
	return K_OK;
}

int nphoto_listing_put(struct nconn *c, int64_t rid, const cJSON *j, struct kerr *e)
{
	const cJSON *imgs = cJSON_GetObjectItemCaseSensitive(j, "images");
	const cJSON *im;
	int idx = 0, rc = K_OK;
	cJSON_ArrayForEach(im, imgs)
	{
		const char *id = cJSON_GetStringValue(im);
		int at = idx++;
		if (!is_blob_id(id))
			continue; /* an https URL: the node holds no bytes to hash */
		uint64_t h = 0;
		int state;
		if ((rc = blob_hash(c, id, &h, &state, e)))
			return rc;
		if (state == 0)
			continue;
		sqlite3_stmt *st = nstore_stmt(c, S_P_INSERT, e);
		if (!st)
			return K_EDB;
		sqlite3_bind_int64(st, 1, rid);
		sqlite3_bind_int(st, 2, at);
		nstore_bind_text(st, 3, id);
		if (state > 0)
			sqlite3_bind_int64(st, 4, (sqlite3_int64)h);
		if ((rc = nstore_exec_stmt(c, st, e, "filing a listing's image hash")))
			return rc;
	}
	return K_OK;
}

int nphoto_listing_drop(struct nconn *c, int64_t rid, struct kerr *e)
{
	sqlite3_stmt *st = nstore_stmt(c, S_P_DELETE, e);
	if (!st)
		return K_EDB;
	sqlite3_bind_int64(st, 1, rid);
	return nstore_exec_stmt(c, st, e, "removing a listing's image hashes");
}

int nphoto_blob_arrived(struct nconn *c, const char *id, uint64_t hash, struct kerr *e)
{
	sqlite3_stmt *st = nstore_stmt(c, S_P_FILL, e);
	if (!st)
		return K_EDB;
	/* The sequence is taken only when a row changes: most uploads come before their
	 * listing and touch none. */
	int64_t seq;
	nstore_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)hash);
	sqlite3_bind_int64(st, 3, INT64_MAX);
	int rc = nstore_exec_stmt(c, st, e, "filing a blob's image hash");
	if (rc || sqlite3_changes(c->db) == 0)
		return rc;
	if ((rc = nlog_bump(c, NT_LISTING, &seq, e)))
		return rc;
	/* ... and the rows just filled move from INT64_MAX to that sequence */
	return kdb_exec(&c->k,
	                "UPDATE listing_photos SET seq = (SELECT seq FROM states"
	                " WHERE type = '*') WHERE seq = 9223372036854775807",
	                "filing a blob's image hash", e);
}

int nphoto_upgrade(struct nconn *c, struct kerr *e)
{
	char *v = NULL;
	int rc = kdb_meta_get(&c->k, "photo_version", &v, NULL);
	int same = rc == K_OK && v && strcmp(v, PHOTO_VERSION) == 0;
	free(v);
	if (same)
		return K_OK;
	if ((rc = kdb_wbegin(&c->k, e)))
		return rc;
	sqlite3_stmt *st = nstore_stmt(c, S_P_UNHASHED, e);
	int64_t *rids = NULL;
	char **jsons = NULL;
	size_t n = 0, cap = 0;
	if (!st)
		rc = K_EDB;
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			rids = xrealloc(rids, cap * sizeof *rids);
			jsons = xrealloc(jsons, cap * sizeof *jsons);
		}
		rids[n] = sqlite3_column_int64(st, 0);
		jsons[n++] = xstrdup((const char *)sqlite3_column_text(st, 1));
		rc = 0;
	}
	if (st) {
		sqlite3_reset(st);
		rc = rc == SQLITE_DONE ? K_OK : rc ? nstore_dberr(c, e, "listing listings") : rc;
	}
	for (size_t i = 0; i < n; i++) {
		cJSON *j = rc ? NULL : cJSON_Parse(jsons[i]);
		if (j)
			rc = nphoto_listing_put(c, rids[i], j, e);
		cJSON_Delete(j);
		free(jsons[i]);
	}
	free(rids);
	free(jsons);
	if (!rc)
		rc = kdb_meta_set(&c->k, "photo_version", PHOTO_VERSION, e);
	return kdb_wend(&c->k, rc, e);
}

/* ---------------------------------------------------------------- the photo filter */

static void ix_add(struct nphoto_ix *ix, uint64_t h, int64_t rid)
{
	if (ix->n == ix->cap) {
		ix->cap = ix->cap ? ix->cap * 2 : 1024;
		ix->hash = xrealloc(ix->hash, ix->cap * sizeof *ix->hash);
		ix->rid = xrealloc(ix->rid, ix->cap * sizeof *ix->rid);
	}
	ix->hash[ix->n] = h;
	ix->rid[ix->n++] = rid;
}

/* Brings the array up to the connection's snapshot (the caller holds ix->lock). */
static int ix_refresh(struct nconn *c, struct nphoto_ix *ix, struct kerr *e)
{
	if (ix->loaded && ix->n > 2 * ix->live + 4096) {
		ix->loaded = 0; /* mostly rows of changed listings now: load afresh */
	}
	if (!ix->loaded) {
		ix->n = 0;
		ix->seq = 0;
	}
	sqlite3_stmt *st = nstore_stmt(c, S_P_SINCE, e);
	if (!st)
		return K_EDB;
	sqlite3_bind_int64(st, 1, ix->seq);
	int rc;
	int64_t top = ix->seq;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ix_add(ix, (uint64_t)sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
		int64_t s = sqlite3_column_int64(st, 2);
		if (s > top)
			top = s;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return nstore_dberr(c, e, "reading image hashes");
	ix->seq = top;
	if (!ix->loaded) {
		ix->loaded = 1;
		ix->live = ix->n;
	}
	return K_OK;
}

/* 1 when listing rid is indexed (active, as it is now) and passes the plan's filters. */
static int passes(struct nconn *c, sqlite3_stmt *st, const char *expr, const struct ksearch_plan *p,
                  int64_t rid, struct kerr *e, int *rc)
{
	sqlite3_bind_text(st, 1, expr, (int)strlen(expr), SQLITE_STATIC);
	sqlite3_bind_int(st, 2, p->lo_edge);
	sqlite3_bind_int64(st, 3, p->min_price);
	sqlite3_bind_int(st, 4, p->hi_edge);
	sqlite3_bind_int64(st, 5, p->max_price);
	sqlite3_bind_int(st, 6, p->moq_edge);
	sqlite3_bind_int64(st, 7, p->max_moq);
	sqlite3_bind_int64(st, 8, rid);
	int step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		*rc = nstore_dberr(c, e, "checking a photo match against the filters");
	return step == SQLITE_ROW;
}

int nphoto_query(struct nconn *c, const struct nlisting_query *q, const char *expr,
                 const struct ksearch_plan *p, struct nids *out, struct kerr *e)
{
	if (q->nphoto > NSTORE_PHOTO_HASHES_MAX)
		return kerr_set(e, K_EINVAL, "filter.photo.hashes: at most %d hashes",
		                NSTORE_PHOTO_HASHES_MAX);
	if (q->photo_max < 0 || q->photo_max > 64)
		return kerr_set(e, K_EINVAL, "filter.photo.maxDistance: must be 0..64");
	if (q->sort != NSORT_RELEVANCE)
		return kerr_set(e, K_EINVAL,
		                "sort: a photo query is ordered by distance, nearest first; ask it"
		                " without a sort (or by relevance)");
	struct nphoto_ix *ix = c->s->photos;
	struct kimg_match *m = xmalloc(NSTORE_SCAN_MAX * sizeof *m);
	struct ksearch_photo_hit *h = NULL;
	size_t nm = 0, total = 0;
	pthread_mutex_lock(&ix->lock);
	int rc = ix_refresh(c, ix, e);
	if (!rc) {
		nm = kimg_scan(ix->hash, ix->n, q->photo, q->nphoto, q->photo_max, m,
		               NSTORE_SCAN_MAX, &total);
		h = xmalloc((nm ? nm : 1) * sizeof *h);
		for (size_t i = 0; i < nm; i++)
			h[i] = (struct ksearch_photo_hit){ix->rid[m[i].index], m[i].distance};
	}
	pthread_mutex_unlock(&ix->lock);
	free(m);
	if (rc) {
		free(h);
		return rc;
	}
	size_t n = ksearch_photo_rank(h, nm);

	sqlite3_stmt *chk = nstore_stmt(c, S_P_CHECK, e);
	sqlite3_stmt *idq = chk ? nstore_stmt(c, S_ID_BY_RID, e) : NULL;
	if (!idq) {
		free(h);
		return K_EDB;
	}
	int64_t end = q->page.position + q->page.limit, found = 0;
	out->dist = xmalloc((size_t)(q->page.limit > 0 ? q->page.limit : 1) * sizeof *out->dist);
	for (size_t i = 0; i < n && !rc; i++) {
		if (found >= end && !q->page.calc_total)
			break;
		if (!passes(c, chk, expr, p, h[i].rid, e, &rc))
			continue;
		if (found++ < q->page.position || found > end)
			continue;
		sqlite3_bind_int64(idq, 1, h[i].rid);
		int step = sqlite3_step(idq);
		if (step == SQLITE_ROW) {
			out->dist[out->ids.n] = h[i].dist;
			kstrv_push(&out->ids, (const char *)sqlite3_column_text(idq, 0));
		}
		sqlite3_reset(idq);
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			rc = nstore_dberr(c, e, "reading a photo match");
	}
	free(h);
	if (q->page.calc_total) {
		out->total = found;
		out->total_capped = total > NSTORE_SCAN_MAX;
	}
	return rc;
}

/* ---------------------------------------------------------------- reads */

int nstore_listing_photo_hashes(struct nstore *s, const char *id, uint64_t out[MODEL_IMAGES_MAX],
                                size_t *n, struct kerr *e)
{
	*n = 0;
	struct nconn *c;
	sqlite3_stmt *st = nstore_conn_stmt(s, S_P_OF_ID, id, &c, e);
	if (!st)
		return K_EDB;
	return kdb_u64s(&c->k, st, "reading a listing's image hashes", out, MODEL_IMAGES_MAX, n, e);
}

int nstore_blob_scaled(struct nstore *s, const char *id, unsigned width, struct kbuf *jpeg,
                       struct kerr *e)
{
	kbuf_reset(jpeg);
	if (width < NSTORE_SCALED_MIN || width > NSTORE_SCALED_MAX)
		return kerr_set(e, K_EINVAL, "w: must be %d..%d pixels", NSTORE_SCALED_MIN,
		                NSTORE_SCALED_MAX);
	struct nconn *c;
	sqlite3_stmt *st = nstore_conn_stmt(s, S_V_GET, id, &c, e);
	if (!st)
		return K_EDB;
	sqlite3_bind_int(st, 2, (int)width);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		kbuf_append(jpeg, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return K_OK;
	if (rc != SQLITE_DONE)
		return nstore_dberr(c, e, "reading a scaled image");
	struct kbuf orig = KBUF_INIT;
	char type[64];
	if ((rc = nstore_blob_get(s, id, &orig, type, e))) {
		kbuf_free(&orig);
		return rc;
	}
	struct kimg_rgb img;
	rc = kimg_decode_rgb(orig.data ? orig.data : "", orig.len, "blob", NULL, width, width, &img,
	                     e);
	kbuf_free(&orig);
	if (rc)
		return rc == K_ETOOBIG ? rc : K_EINVAL;
	kimg_encode_jpeg(&img, SCALED_QUALITY, jpeg);
	kimg_rgb_free(&img);
	/* Kept for the next asker; a failure to keep it costs only the next decode. */
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	struct kerr ke = {0};
	if (nstore_wbegin(c, &ke) == K_OK) {
		int wrc = K_EDB;
		if ((st = nstore_stmt(c, S_V_PUT, &ke))) {
			nstore_bind_text(st, 1, id);
			sqlite3_bind_int(st, 2, (int)width);
			sqlite3_bind_blob(st, 3, jpeg->data, (int)jpeg->len, SQLITE_STATIC);
			nstore_bind_text(st, 4, now);
			wrc = nstore_exec_stmt(c, st, &ke, "keeping a scaled image");
		}
		nstore_wend(c, wrc, &ke);
	}
	return K_OK;
}

int nstore_blob_size(struct nstore *s, const char *id, int64_t *size, struct kerr *e)
{
	*size = -1;
	struct nconn *c = nstore_conn(s, e);
	sqlite3_stmt *st = c ? kdb_prepare(&c->k, "SELECT size FROM blobs WHERE id = ?1", e) : NULL;
	if (!st)
		return K_EDB;
	nstore_bind_text(st, 1, id);
	int rc = kdb_one_int64(&c->k, st, "reading a blob's size", size, e);
	sqlite3_finalize(st);
	if (rc == K_ENOTFOUND)
		return kerr_set(e, K_ENOTFOUND, "no blob %.*s", KCRYPTO_HASH_B64_LEN, id);
	return rc;
}
