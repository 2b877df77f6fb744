/* store/wallet — the wallet cache's SQL (see wallet.h). The Wallet object is kept as JSON
 * without its history; the history's lines go into wallet_lines, one row per transaction
 * and currency, so lines pulled once stay whatever page the next pull brings. */
#include "wallet.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/buf.h"
#include "kontor/json.h"
#include "store_int.h"

/* sql with node and account bound to ?1 and ?2 (store_prepare's). */
static sqlite3_stmt *prep(struct store *s, const char *sql, const char *node, const char *account,
                          struct kerr *e)
{
	const char *v[] = {node, account};
	return store_prepare(s, sql, v, 2, "preparing a wallet statement", e);
}

void wallet_view_free(struct wallet_view *w)
{
	if (!w)
		return;
	free(w->balances);
	free(w->held);
	free(w->escrow);
	memset(w, 0, sizeof *w);
}

void wallet_lines_free(struct wallet_lines *l)
{
	if (!l)
		return;
	free(l->v);
	memset(l, 0, sizeof *l);
}

const char *wallet_view_empty_words(const struct wallet_view *w)
{
	return w->history_total > 0 || w->lines > 0 ? "0 in every currency" : "nothing yet";
}

int64_t wallet_view_balance(const struct wallet_view *w, const char *currency)
{
	for (size_t i = 0; w && i < w->nbalances; i++)
		if (strcmp(w->balances[i].currency, currency) == 0)
			return w->balances[i].amount;
	return 0;
}

/* {"USD": 552000, ...} -> amounts, in the order the map has them (the node sorts). */
static void amounts_of(const cJSON *map, struct wallet_amount **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, (cJSON_IsObject(map) ? map : NULL))
	{
		if (!cJSON_IsNumber(it) || !it->string || strlen(it->string) != 3)
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		struct wallet_amount *a = &(*out)[(*n)++];
		snprintf(a->currency, sizeof a->currency, "%s", it->string);
		a->amount = (int64_t)it->valuedouble;
	}
}

int store_wallet_get(struct store *s, const char *node, const char *account,
                     struct wallet_view *out, struct kerr *e)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = prep(s,
	                        "SELECT json, updated, (SELECT count(*) FROM wallet_lines l"
	                        " WHERE l.node = ?1 AND l.account = ?2)"
	                        " FROM wallets WHERE node = ?1 AND account = ?2",
	                        node, account, e);
	if (!st)
		return K_EDB;
	int step = sqlite3_step(st);
	if (step != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (step == SQLITE_DONE)
			return kerr_set(
			    e, K_ENOTFOUND,
			    "no wallet from node %s in the cache yet: `kontor sync` brings it",
			    node);
		return store_dberr(s, e, "reading the wallet");
	}
	const char *text = (const char *)sqlite3_column_text(st, 0);
	cJSON *w = text ? cJSON_Parse(text) : NULL;
	store_col_copy(st, 1, out->pulled, sizeof out->pulled);
	out->lines = sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	if (!w)
		return kerr_set(e, K_EDB, "%s: the cached wallet is damaged", s->path);
	amounts_of(cJSON_GetObjectItemCaseSensitive(w, "balances"), &out->balances,
	           &out->nbalances);
	amounts_of(cJSON_GetObjectItemCaseSensitive(w, "held"), &out->held, &out->nheld);
	const cJSON *x;
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(w, "escrow"))
	{
		if (!json_str(x, "orderId") || !json_str(x, "role") || !json_str(x, "currency"))
			continue;
		out->escrow = xrealloc(out->escrow, (out->nescrow + 1) * sizeof *out->escrow);
		struct wallet_escrow *w1 = &out->escrow[out->nescrow++];
		snprintf(w1->order, sizeof w1->order, "%s", json_str(x, "orderId"));
		snprintf(w1->role, sizeof w1->role, "%s", json_str(x, "role"));
		snprintf(w1->currency, sizeof w1->currency, "%s", json_str(x, "currency"));
		w1->amount = json_int(x, "amount");
	}
	out->history_total = json_int(w, "historyTotal");
	snprintf(out->updated, sizeof out->updated, "%s",
	         json_str(w, "updated") ? json_str(w, "updated") : "");
	cJSON_Delete(w);
	return K_OK;
}

#define LINE_COLS "tx, kind, currency, amount, seq, created, order_id, memo, reference"

/* One history line (LINE_COLS). */
static void line_row(sqlite3_stmt *st, void *item)
{
	struct wallet_line *l = item;
	store_col_copy(st, 0, l->tx, sizeof l->tx);
	store_col_copy(st, 1, l->kind, sizeof l->kind);
	store_col_copy(st, 2, l->currency, sizeof l->currency);
	l->amount = sqlite3_column_int64(st, 3);
	l->seq = sqlite3_column_int64(st, 4);
	store_col_copy(st, 5, l->created, sizeof l->created);
	store_col_copy(st, 6, l->order, sizeof l->order);
	store_col_copy(st, 7, l->memo, sizeof l->memo);
	store_col_copy(st, 8, l->reference, sizeof l->reference);
}

/* Reads the lines st yields into out, then finalizes st. */
static int read_lines(struct store *s, sqlite3_stmt *st, struct wallet_lines *out, struct kerr *e)
{
	int rc;
	out->v = kdb_rows(&s->k, st, sizeof *out->v, line_row, out->v, &out->n, &rc,
	                  "reading the wallet's history", e);
	sqlite3_finalize(st);
	if (rc)
		wallet_lines_free(out);
	return rc;
}

int store_wallet_lines(struct store *s, const char *node, const char *account, int64_t offset,
                       int limit, struct wallet_lines *out, struct kerr *e)
{
	memset(out, 0, sizeof *out);
	out->total = store_wallet_line_count(s, node, account);
	sqlite3_stmt *st = prep(s,
	                        "SELECT " LINE_COLS " FROM wallet_lines WHERE node = ?1"
	                        " AND account = ?2 ORDER BY seq DESC, currency LIMIT ?3 OFFSET ?4",
	                        node, account, e);
	if (!st)
		return K_EDB;
	sqlite3_bind_int(st, 3, limit > 0 ? limit : 0);
	sqlite3_bind_int64(st, 4, offset > 0 ? offset : 0);
	return read_lines(s, st, out, e);
}

int store_wallet_credits_since(struct store *s, const char *node, const char *account, int64_t seq,
                               int limit, struct wallet_lines *out, struct kerr *e)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = prep(s,
	                        "SELECT " LINE_COLS " FROM wallet_lines WHERE node = ?1"
	                        " AND account = ?2 AND seq > ?3 AND amount > 0"
	                        " ORDER BY seq DESC, currency LIMIT ?4",
	                        node, account, e);
	if (!st)
		return K_EDB;
	sqlite3_bind_int64(st, 3, seq);
	sqlite3_bind_int(st, 4, limit > 0 ? limit : 0);
	int rc = read_lines(s, st, out, e);
	out->total = (int64_t)out->n;
	return rc;
}

int64_t store_wallet_line_count(struct store *s, const char *node, const char *account)
{
	sqlite3_stmt *st =
	    prep(s, "SELECT count(*) FROM wallet_lines WHERE node = ?1 AND account = ?2", node,
	         account, NULL);
	if (!st)
		return 0;
	int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return n;
}

/* Adds the lines of history (validated by the model) inside the caller's bracket. */
static int put_lines(struct store *s, const char *node, const char *account, const cJSON *history,
                     struct kerr *e)
{
	if (!cJSON_GetArraySize(history))
		return K_OK;
	sqlite3_stmt *st =
	    prep(s,
	         "INSERT INTO wallet_lines(node, account, tx, currency, seq, kind,"
	         " amount, created, memo, reference, order_id)"
	         " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
	         " ON CONFLICT(node, account, tx, currency) DO UPDATE SET"
	         " seq = excluded.seq, kind = excluded.kind, amount = excluded.amount,"
	         " created = excluded.created, memo = excluded.memo,"
	         " reference = excluded.reference, order_id = excluded.order_id",
	         node, account, e);
	if (!st)
		return K_EDB;
	int rc = K_OK;
	const cJSON *l;
	cJSON_ArrayForEach(l, history)
	{
		if (rc)
			break;
		if (!json_str(l, "txId") || !json_str(l, "currency") || !json_str(l, "kind") ||
		    !json_str(l, "created"))
			continue; /* the model requires them; a line without is not ours to keep */
		store_bind_text(st, 3, json_str(l, "txId"));
		store_bind_text(st, 4, json_str(l, "currency"));
		sqlite3_bind_int64(st, 5, json_int(l, "seq"));
		store_bind_text(st, 6, json_str(l, "kind"));
		sqlite3_bind_int64(st, 7, json_int(l, "amount"));
		store_bind_text(st, 8, json_str(l, "created"));
		store_bind_text(st, 9, json_str(l, "memo"));
		store_bind_text(st, 10, json_str(l, "reference"));
		store_bind_text(st, 11, json_str(l, "orderId"));
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = store_dberr(s, e, "storing a wallet line");
		sqlite3_reset(st); /* node and account stay bound; the rest is bound anew */
	}
	sqlite3_finalize(st);
	return rc;
}

int store_wallet_put(struct store *s, const cJSON *w, const char *node, const char *self_id,
                     struct kerr *e)
{
	const char *account = json_str(w, "accountId");
	if (!account || !self_id || strcmp(account, self_id) != 0)
		return kerr_set(e, K_EINVAL,
		                "a Wallet of another account (%.64s) is not ours to keep",
		                account ? account : "?");
	if (!node)
		return kerr_set(e, K_EINVAL, "a Wallet comes from a node: none named");
	cJSON *copy = cJSON_Duplicate(w, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(copy, "history");
	struct kbuf json = KBUF_INIT;
	json_print(copy, &json);
	cJSON_Delete(copy);
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	const char *v[] = {node, account, kbuf_str(&json), now};
	sqlite3_stmt *st;
	int rc = store_wprepare(s,
	                        "INSERT INTO wallets(node, account, json, updated)"
	                        " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(node, account) DO UPDATE SET"
	                        " json = excluded.json, updated = excluded.updated",
	                        v, 4, "preparing a wallet statement", &st, e);
	if (rc == K_OK) {
		rc = store_run_write(s, st, "storing the wallet", e);
		if (rc == K_OK)
			rc = put_lines(s, node, account,
			               cJSON_GetObjectItemCaseSensitive(w, "history"), e);
		rc = store_wfinish(s, rc, e);
	}
	kbuf_free(&json);
	return rc;
}

int store_wallet_lines_put(struct store *s, const char *node, const char *account,
                           const cJSON *history, struct kerr *e)
{
	int rc = store_wbegin(s, e);
	if (rc)
		return rc;
	rc = put_lines(s, node, account, history, e);
	return store_wfinish(s, rc, e);
}

static void seen_key(const char *node, const char *account, char *out, size_t cap)
{
	snprintf(out, cap, "wallet.seen.%s.%s", node, account);
}

static void escrow_seen_key(const char *node, const char *account, char *out, size_t cap)
{
	snprintf(out, cap, "wallet.escrow-seen.%s.%s", node, account);
}

int64_t store_wallet_seen(struct store *s, const char *node, const char *account)
{
	char key[160], *v = NULL;
	seen_key(node, account, key, sizeof key);
	if (store_meta_get(s, key, &v, NULL) != K_OK || !v)
		return 0;
	int64_t seq = strtoll(v, NULL, 10);
	free(v);
	return seq > 0 ? seq : 0;
}

int store_wallet_mark_seen(struct store *s, const char *node, const char *account, int64_t seq,
                           struct kerr *e)
{
	if (seq <= store_wallet_seen(s, node, account))
		return K_OK; /* the mark only moves on */
	char key[160], v[24];
	seen_key(node, account, key, sizeof key);
	snprintf(v, sizeof v, "%lld", (long long)seq);
	return store_meta_set(s, key, v, e);
}

int64_t store_wallet_escrow_seen(const char *seen, const char *order)
{
	size_t n = strlen(order);
	for (const char *p = seen; p && *p;) {
		const char *end = strchr(p, '\n');
		if (strncmp(p, order, n) == 0 && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
		p = end ? end + 1 : NULL;
	}
	return 0;
}

char *store_wallet_escrow_seen_get(struct store *s, const char *node, const char *account)
{
	char key[160], *v = NULL;
	escrow_seen_key(node, account, key, sizeof key);
	if (store_meta_get(s, key, &v, NULL) != K_OK)
		return NULL;
	return v;
}

int store_wallet_mark_escrow_seen(struct store *s, const char *node, const char *account,
                                  const struct wallet_view *w, struct kerr *e)
{
	/* The whole list again: an order whose escrow was released drops out of it. */
	struct kbuf b = KBUF_INIT;
	for (size_t i = 0; i < w->nescrow; i++)
		if (strcmp(w->escrow[i].role, "seller") == 0)
			kbuf_printf(&b, "%s %" PRId64 "\n", w->escrow[i].order,
			            w->escrow[i].amount);
	char key[160];
	escrow_seen_key(node, account, key, sizeof key);
	int rc = store_meta_set(s, key, kbuf_str(&b), e);
	kbuf_free(&b);
	return rc;
}
