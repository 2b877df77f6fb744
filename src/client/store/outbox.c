/* outbox — every user action waiting for its node, in the order it was made. Each entry
 * carries a creation id made here, so a push retried after a crash or a dropped link is
 * recognised by the node and never makes a second object. An entry the node refused keeps
 * the refusal's SetError type as a field beside its sentence; a refused order step is taken
 * out of the cached contract again (store_outbox_refused), so the cache never shows a step
 * the node did not take. */
#include "store_int.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/buf.h"
#include "kontor/json.h"

void outbox_item_free(struct outbox_item *it)
{
	if (!it)
		return;
	free(it->method);
	free(it->op);
	free(it->object_id);
	free(it->payload);
	free(it->node);
	free(it->last_error);
	free(it->error_type);
	memset(it, 0, sizeof *it);
}

/* "k" + 32 hex digits: 128 random bits, so two clients never collide either. */
static void creation_id(char out[40])
{
	unsigned char r[16];
	/* Idempotent; 1 (already done) is as good as 0. */
	if (sodium_init() < 0)
		abort(); /* no randomness: never hand out guessable ids */
	randombytes_buf(r, sizeof r);
	out[0] = 'k';
	sodium_bin2hex(out + 1, 33, r, sizeof r);
}

int store_outbox_add(struct store *s, const char *method, const char *op, const char *object_id,
                     const char *payload, const char *node, char creation_id_out[40],
                     struct kerr *e)
{
	if (!method || !*method || !op || !*op)
		return kerr_set(e, K_EINVAL, "outbox: an entry needs a method and an op");
	char cid[40], now[MODEL_TIME_LEN + 1];
	creation_id(cid);
	model_now(now);
	sqlite3_stmt *st;
	int rc = store_wstmt(s, ST_O_ADD, &st, e);
	if (rc)
		return rc;
	store_bind_text(st, 1, cid);
	store_bind_text(st, 2, method);
	store_bind_text(st, 3, op);
	store_bind_text(st, 4, object_id);
	store_bind_text(st, 5, payload);
	store_bind_text(st, 6, node);
	store_bind_text(st, 7, now);
	rc = sqlite3_step(st) == SQLITE_DONE ? K_OK : store_dberr(s, e, "queueing an action");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	rc = store_wfinish(s, rc, e);
	if (!rc && creation_id_out)
		memcpy(creation_id_out, cid, sizeof cid);
	return rc;
}

int store_outbox_each(struct store *s, store_outbox_cb cb, void *ctx, struct kerr *e)
{
	/* Collected first: a callback that pushes an entry marks it done or failed, which
	 * writes the very table being walked. */
	sqlite3_stmt *st = store_stmt(s, ST_O_EACH, e);
	if (!st)
		return K_EDB;
	struct outbox_item *items = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			items = xrealloc(items, cap * sizeof *items);
		}
		struct outbox_item *it = &items[n++];
		memset(it, 0, sizeof *it);
		it->seq = sqlite3_column_int64(st, 0);
		store_col_copy(st, 1, it->creation_id, sizeof it->creation_id);
		it->method = store_col_dup(st, 2);
		it->op = store_col_dup(st, 3);
		it->object_id = store_col_dup(st, 4);
		it->payload = store_col_dup(st, 5);
		it->node = store_col_dup(st, 6);
		store_col_copy(st, 7, it->created, sizeof it->created);
		it->attempts = sqlite3_column_int(st, 8);
		it->last_error = store_col_dup(st, 9);
		/* `outbox retry` clears the sentence; the type goes with it */
		it->error_type = it->last_error ? store_col_dup(st, 10) : NULL;
	}
	sqlite3_reset(st);
	int ret = rc == SQLITE_DONE ? K_OK : store_dberr(s, e, "reading the outbox");
	for (size_t i = 0; i < n; i++) {
		if (!ret)
			ret = cb(ctx, &items[i]);
		outbox_item_free(&items[i]);
	}
	free(items);
	return ret;
}

int64_t store_outbox_count(struct store *s)
{
	sqlite3_stmt *st = store_stmt(s, ST_O_COUNT, NULL);
	if (!st)
		return -1;
	int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_reset(st);
	return n;
}

static int write_seq(struct store *s, enum store_stmt id, int64_t seq, const char *error,
                     const char *type, const char *what, struct kerr *e)
{
	sqlite3_stmt *st;
	int rc = store_wstmt(s, id, &st, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, seq);
	if (id == ST_O_FAIL) {
		store_bind_text(st, 2, error ? error : "failed");
		store_bind_text(st, 3, type);
	}
	rc = sqlite3_step(st) == SQLITE_DONE ? K_OK : store_dberr(s, e, what);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (!rc && sqlite3_changes(s->db) == 0)
		rc = kerr_set(e, K_ENOTFOUND, "outbox: no entry %lld", (long long)seq);
	int rc2 = store_wend(s, rc == K_OK || rc == K_ENOTFOUND, rc ? NULL : e);
	return rc ? rc : rc2;
}

int store_outbox_done(struct store *s, int64_t seq, struct kerr *e)
{
	return write_seq(s, ST_O_DONE, seq, NULL, NULL, "clearing an outbox entry", e);
}

int store_outbox_fail(struct store *s, int64_t seq, const char *error, struct kerr *e)
{
	return write_seq(s, ST_O_FAIL, seq, error, NULL, "recording an outbox failure", e);
}

/* The cached contract back to what the node holds after it refused the Contract/set update
 * payload (the whole sections, as sent): an update that appended an order step carries
 * the node's sections and then the new one, so the cache keeps the first n - 1 when it
 * still starts with the payload's sections. Offers and signatures are left as they are. */
static int unappend_refused(struct store *s, const char *contract_id, const char *payload,
                            struct kerr *e)
{
	cJSON *p = NULL, *doc = NULL;
	struct kerr ie = {0, ""};
	if (!payload || json_parse(payload, strlen(payload), "outbox payload", &p, &ie) != K_OK)
		return K_OK;
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(p, "sections");
	int np = cJSON_IsArray(ps) ? cJSON_GetArraySize(ps) : 0;
	const char *last = np ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	                            cJSON_GetArrayItem(ps, np - 1), "kind"))
	                      : NULL;
	int rc = K_OK;
	if (np > 1 && last && strcmp(last, "offer") != 0 &&
	    store_object_get(s, "Contract", contract_id, &doc, &ie) == K_OK) {
		cJSON *cs = cJSON_GetObjectItemCaseSensitive(doc, "sections");
		int nc = cJSON_IsArray(cs) ? cJSON_GetArraySize(cs) : 0, same = nc >= np;
		for (int i = 0; same && i < np; i++) {
			const char *a = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ps, i), "hash"));
			const char *b = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cs, i), "hash"));
			same = a && b && strcmp(a, b) == 0;
		}
		if (same) {
			while (cJSON_GetArraySize(cs) > np - 1)
				cJSON_DeleteItemFromArray(cs, cJSON_GetArraySize(cs) - 1);
			rc = store_object_put(s, "Contract", doc, NULL, NULL, e);
		}
	}
	cJSON_Delete(doc);
	cJSON_Delete(p);
	return rc;
}

int store_outbox_refused(struct store *s, int64_t seq, const char *type, const char *desc,
                         struct kerr *e)
{
	struct kbuf why = KBUF_INIT;
	kbuf_printf(&why, "%s: %s", type && *type ? type : "refused", desc ? desc : "");
	int rc = store_wbegin(s, e);
	if (rc) {
		kbuf_free(&why);
		return rc;
	}
	sqlite3_stmt *st =
	    store_prepare(s, "SELECT method, op, object_id, payload FROM outbox WHERE seq = ?1",
	                  NULL, 0, "reading a refused outbox entry", e);
	if (!st) {
		rc = K_EDB;
	} else {
		sqlite3_bind_int64(st, 1, seq);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			const char *m = (const char *)sqlite3_column_text(st, 0),
			           *op = (const char *)sqlite3_column_text(st, 1);
			char *oid = store_col_dup(st, 2), *payload = store_col_dup(st, 3);
			if (m && op && oid && strcmp(m, "Contract/set") == 0 &&
			    strcmp(op, "update") == 0)
				rc = unappend_refused(s, oid, payload, e);
			free(oid);
			free(payload);
		} else if (step != SQLITE_DONE) {
			rc = store_dberr(s, e, "reading a refused outbox entry");
		}
	}
	sqlite3_finalize(st);
	if (rc == K_OK)
		rc = write_seq(s, ST_O_FAIL, seq, kbuf_str(&why), type, "recording a refusal", e);
	kbuf_free(&why);
	return store_wfinish(s, rc, e);
}

int store_outbox_drop(struct store *s, int64_t seq, struct kerr *e)
{
	/* The same deletion as done; kept apart so callers say which one they mean. */
	return write_seq(s, ST_O_DONE, seq, NULL, NULL, "dropping an outbox entry", e);
}
