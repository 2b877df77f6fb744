/* nodes — the nodes this client syncs with, the sync state of each type on each, the small
 * and private objects sync brings (Rfq, Conversation, Message, Contract), and putting refused
 * outbox entries back in line. None of this is on a hot path: statements are prepared per call. */
#include "store_int.h"
#include "wallet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kontor/buf.h"
#include "kontor/contract.h"
#include "kontor/json.h"

/* Runs sql, a statement that returns no rows, with the texts v[0..n) bound to ?1..?n inside
 * the caller's write bracket; *changed (NULL: not asked) gets the rows it changed. */
static int run_texts(struct store *s, const char *sql, const char *const *v, int n,
                     const char *what, int *changed, struct kerr *e)
{
	sqlite3_stmt *st = store_prepare(s, sql, v, n, NULL, e);
	if (!st)
		return K_EDB;
	int rc = store_run_write(s, st, what, e);
	if (changed)
		*changed = sqlite3_changes(s->db);
	return rc;
}

/* run_texts in a write bracket of its own. */
static int write_texts(struct store *s, const char *sql, const char *const *v, int n,
                       const char *what, struct kerr *e)
{
	int rc = store_wbegin(s, e);
	if (rc)
		return rc;
	return store_wfinish(s, run_texts(s, sql, v, n, what, NULL, e), e);
}

/* The sentence for a node name nothing matches. */
static int no_node(const char *name, struct kerr *e)
{
	return kerr_set(e, K_ENOTFOUND, "no node named '%s' (see `kontor node list`)", name);
}

void node_info_free(struct node_info *n)
{
	if (!n)
		return;
	free(n->name);
	free(n->url);
	free(n->ca_file);
	free(n->node_key);
	free(n->tls_pin);
	free(n->session);
	free(n->last_sync);
	free(n->scope);
	memset(n, 0, sizeof *n);
}

static void session_key(const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "node.session-at.%s", name);
}

/* The session was fetched now: a sync takes it as it is for KSYNC's while. */
static int session_fetched(struct store *s, const char *name, struct kerr *e)
{
	char key[160], v[24];
	session_key(name, key, sizeof key);
	snprintf(v, sizeof v, "%lld", (long long)time(NULL));
	return store_meta_set(s, key, v, e);
}

int store_node_session_expire(struct store *s, const char *name, struct kerr *e)
{
	char key[160];
	session_key(name, key, sizeof key);
	return store_meta_set(s, key, "0", e);
}

int store_node_session_stale(struct store *s, const char *name, int64_t max_age_s)
{
	char key[160], *v = NULL;
	session_key(name, key, sizeof key);
	if (store_meta_get(s, key, &v, NULL) != K_OK || !v)
		return 1;
	long long at = strtoll(v, NULL, 10);
	free(v);
	long long now = (long long)time(NULL);
	return at <= 0 || now - at > max_age_s || now < at;
}

int store_node_add(struct store *s, const struct node_info *n, struct kerr *e)
{
	const char *v[] = {n->name,    n->url,   n->ca_file, n->node_key,
	                   n->session, n->added, n->tls_pin, n->scope};
	sqlite3_stmt *st;
	int rc = store_wprepare(s,
	                        "INSERT INTO nodes(name, url, ca_file, node_key, session, added,"
	                        " tls_pin, scope) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	                        v, 8, NULL, &st, e);
	if (rc)
		return rc;
	int step = sqlite3_step(st);
	if ((step & 0xff) == SQLITE_CONSTRAINT) /* extended codes are on: _PRIMARYKEY */
		rc = kerr_set(e, K_EEXIST, "a node named '%s' exists already", n->name);
	else if (step != SQLITE_DONE)
		rc = store_dberr(s, e, "adding a node");
	sqlite3_finalize(st);
	rc = store_wfinish(s, rc, e);
	return rc == K_OK && n->session ? session_fetched(s, n->name, e) : rc;
}

#define NODE_COLS                                                                                  \
	"name, url, ca_file, node_key, session, added, last_sync, bytes_up, bytes_down, tls_pin,"  \
	" scope"

/* A CA file kept in the home (`node add --ca-file` copies it there) is stored by its name
 * alone, so a home that moves keeps working; it is found beside cache.db. */
static char *ca_path(const struct store *s, const char *stored)
{
	if (!stored || stored[0] == '/')
		return stored ? xstrdup(stored) : NULL;
	const char *slash = strrchr(s->path, '/');
	struct kbuf b = KBUF_INIT;
	if (slash)
		kbuf_append(&b, s->path, (size_t)(slash - s->path) + 1);
	kbuf_puts(&b, stored);
	return kbuf_detach(&b, NULL);
}

static void node_row(const struct store *s, sqlite3_stmt *st, struct node_info *n)
{
	memset(n, 0, sizeof *n);
	n->name = store_col_dup(st, 0);
	n->url = store_col_dup(st, 1);
	char *ca = store_col_dup(st, 2);
	n->ca_file = ca_path(s, ca);
	free(ca);
	n->node_key = store_col_dup(st, 3);
	n->session = store_col_dup(st, 4);
	store_col_copy(st, 5, n->added, sizeof n->added);
	n->last_sync = store_col_dup(st, 6);
	n->bytes_up = sqlite3_column_int64(st, 7);
	n->bytes_down = sqlite3_column_int64(st, 8);
	n->tls_pin = store_col_dup(st, 9);
	n->scope = store_col_dup(st, 10);
}

int store_node_get(struct store *s, const char *name, struct node_info *out, struct kerr *e)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st =
	    store_prepare(s, "SELECT " NODE_COLS " FROM nodes WHERE name = ?1", &name, 1, NULL, e);
	if (!st)
		return K_EDB;
	int step = sqlite3_step(st), rc = K_OK;
	if (step == SQLITE_ROW)
		node_row(s, st, out);
	else if (step == SQLITE_DONE)
		rc = no_node(name, e);
	else
		rc = store_dberr(s, e, "reading a node");
	sqlite3_finalize(st);
	return rc;
}

int store_node_each(struct store *s, store_node_cb cb, void *ctx, struct kerr *e)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " NODE_COLS " FROM nodes ORDER BY added, name",
	                                 NULL, 0, NULL, e);
	if (!st)
		return K_EDB;
	int step, rc = K_OK;
	while (rc == K_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct node_info n;
		node_row(s, st, &n);
		rc = cb(ctx, &n);
		node_info_free(&n);
	}
	if (rc == K_OK && step != SQLITE_DONE)
		rc = store_dberr(s, e, "listing the nodes");
	sqlite3_finalize(st);
	return rc;
}

int store_node_rm(struct store *s, const char *name, struct kerr *e)
{
	static const char *const sql[] = {
	    "DELETE FROM nodes WHERE name = ?1",
	    "DELETE FROM sync_state WHERE node = ?1",
	    "DELETE FROM outbox WHERE node = ?1",
	};
	int rc = store_wbegin(s, e), gone = 0;
	if (rc)
		return rc;
	for (size_t i = 0; rc == K_OK && i < sizeof sql / sizeof sql[0]; i++)
		rc = run_texts(s, sql[i], &name, 1, "removing a node", i == 0 ? &gone : NULL, e);
	if (rc == K_OK && !gone)
		rc = no_node(name, e);
	return store_wfinish(s, rc, e);
}

int store_node_set_tls_pin(struct store *s, const char *name, const char *tls_pin, struct kerr *e)
{
	const char *v[] = {name, tls_pin};
	return write_texts(s, "UPDATE nodes SET tls_pin = ?2 WHERE name = ?1", v, 2,
	                   "pinning a node's TLS key", e);
}

int store_node_set_scope(struct store *s, const char *name, const char *scope, struct kerr *e)
{
	static const char *const sql[] = {
	    "UPDATE nodes SET scope = ?2 WHERE name = ?1",
	    "DELETE FROM sync_state WHERE node = ?1 AND type IN ('Account', 'Listing', 'Rfq')",
	};
	const char *v[] = {name, scope};
	int rc = store_wbegin(s, e), found = 0;
	if (rc)
		return rc;
	for (size_t i = 0; rc == K_OK && i < sizeof sql / sizeof sql[0]; i++) {
		rc = run_texts(s, sql[i], v, i == 0 ? 2 : 1, "setting a node's scope",
		               i == 0 ? &found : NULL, e);
		if (rc == K_OK && !found)
			rc = no_node(name, e);
	}
	return store_wfinish(s, rc, e);
}

int store_node_replace(struct store *s, const struct node_info *n, int reset_states, struct kerr *e)
{
	const char *v[] = {n->name, n->url, n->ca_file, n->node_key, n->session, n->tls_pin};
	int rc = store_wbegin(s, e), found = 0;
	if (rc)
		return rc;
	rc = run_texts(s,
	               "UPDATE nodes SET url = ?2, ca_file = coalesce(?3, ca_file),"
	               " node_key = ?4,"
	               " session = ?5, tls_pin = ?6 WHERE name = ?1",
	               v, 6, "replacing a node", &found, e);
	if (rc == K_OK && found == 0)
		rc = no_node(n->name, e);
	/* Another node's states mean nothing here: everything is pulled again. */
	if (rc == K_OK && reset_states)
		rc = run_texts(s, "DELETE FROM sync_state WHERE node = ?1", v, 1,
		               "replacing a node", NULL, e);
	rc = store_wfinish(s, rc, e);
	return rc == K_OK && n->session ? session_fetched(s, n->name, e) : rc;
}

int store_node_synced(struct store *s, const char *name, int answered, int64_t up, int64_t down,
                      const char *session, struct kerr *e)
{
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	const char *v[] = {name, answered ? now : NULL};
	sqlite3_stmt *st;
	int rc = store_wprepare(
	    s,
	    "UPDATE nodes SET last_sync = coalesce(?2, last_sync), bytes_up = bytes_up + ?3,"
	    " bytes_down = bytes_down + ?4, session = coalesce(?5, session)"
	    " WHERE name = ?1",
	    v, 2, NULL, &st, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 3, up);
	sqlite3_bind_int64(st, 4, down);
	store_bind_text(st, 5, session);
	rc = store_wfinish(s, store_run_write(s, st, "recording a sync", e), e);
	return rc == K_OK && session ? session_fetched(s, name, e) : rc;
}

int store_sync_state_get(struct store *s, const char *node, const char *type, char **out,
                         struct kerr *e)
{
	*out = NULL;
	const char *v[] = {node, type};
	sqlite3_stmt *st = store_prepare(
	    s, "SELECT state FROM sync_state WHERE node = ?1 AND type = ?2", v, 2, NULL, e);
	if (!st)
		return K_EDB;
	int step = sqlite3_step(st), rc = K_OK;
	if (step == SQLITE_ROW)
		*out = store_col_dup(st, 0);
	else if (step != SQLITE_DONE)
		rc = store_dberr(s, e, "reading the sync state");
	sqlite3_finalize(st);
	return rc;
}

int store_sync_state_set(struct store *s, const char *node, const char *type, const char *state,
                         struct kerr *e)
{
	const char *v[] = {node, type, state};
	return write_texts(s,
	                   state ? "INSERT OR REPLACE INTO sync_state(node, type, state)"
	                           " VALUES(?1, ?2, ?3)"
	                         : "DELETE FROM sync_state WHERE node = ?1 AND type = ?2",
	                   v, state ? 3 : 2, "recording the sync state", e);
}

/* --- objects ------------------------------------------------------------------- */

static const char *str_of(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The table for a type, and whether it is known. */
static const char *table_of(const char *type)
{
	static const char *const tables[][2] = {
	    {"Rfq", "rfqs"},         {"Conversation", "conversations"},
	    {"Message", "messages"}, {"Contract", "contracts"},
	    {"Order", "orders"},
	};
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
		if (strcmp(type, tables[i][0]) == 0)
			return tables[i][1];
	return NULL;
}

/* A contract's state for the list: "cancelled" after a cancelled section, "binding" when
 * its latest offer carries a buyer and a seller signature, "countered" when a later offer
 * superseded the first, else "offer". From the shape only: sync and the commands verify. */
static const char *contract_state(const cJSON *obj)
{
	const cJSON *secs = cJSON_GetObjectItemCaseSensitive(obj, "sections");
	int n = cJSON_GetArraySize(secs), latest = contract_latest_offer(obj);
	const cJSON *last = n > 0 ? cJSON_GetArrayItem(secs, n - 1) : NULL;
	if (last && str_of(last, "kind") && strcmp(str_of(last, "kind"), "cancelled") == 0)
		return "cancelled";
	if (latest < 0)
		return "offer";
	int buyer = 0, seller = 0;
	const cJSON *sig, *sigs = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(secs, latest),
	                                                           "signatures");
	cJSON_ArrayForEach(sig, (cJSON_IsArray(sigs) ? sigs : NULL))
	{
		const char *role = str_of(sig, "role");
		buyer |= role && strcmp(role, "buyer") == 0;
		seller |= role && strcmp(role, "seller") == 0;
	}
	if (buyer && seller)
		return "binding";
	return latest > 0 ? "countered" : "offer";
}

int store_object_put(struct store *s, const char *type, const cJSON *obj, const char *node,
                     const char *self_id, struct kerr *e)
{
	if (strcmp(type, "Wallet") == 0) /* per node, with its history: store/wallet.c */
		return store_wallet_put(s, obj, node, self_id, e);
	const char *table = table_of(type), *id = str_of(obj, "id");
	if (!table)
		return kerr_set(e, K_EINVAL, "cache: no table for %s objects", type);
	/* Bound with SQLITE_STATIC: it must live until the statement has run. */
	char now[MODEL_TIME_LEN + 1];
	if (!id)
		return kerr_set(e, K_EINVAL, "cache: a %s without an id", type);
	struct kbuf json = KBUF_INIT;
	json_print(obj, &json);
	const char *sql;
	if (strcmp(type, "Rfq") == 0)
		sql = "INSERT OR REPLACE INTO rfqs(id, json, buyer_id, node, created)"
		      " VALUES(?1, ?2, ?3, ?4, ?5)";
	else if (strcmp(type, "Conversation") == 0)
		/* A conversation seen again keeps its unread count. */
		sql = "INSERT INTO conversations(id, json, peer_id, listing_id, order_id, updated)"
		      " VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET"
		      " json = excluded.json, peer_id = excluded.peer_id,"
		      " listing_id = excluded.listing_id, order_id = excluded.order_id,"
		      " updated = excluded.updated";
	else if (strcmp(type, "Contract") == 0)
		sql = "INSERT OR REPLACE INTO contracts(id, json, listing_id, buyer_id, seller_id,"
		      " state, updated) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	else if (strcmp(type, "Order") == 0)
		sql = "INSERT OR REPLACE INTO orders(id, json, contract_id, buyer_id, seller_id,"
		      " state, updated) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	else
		sql = "INSERT OR REPLACE INTO messages(id, conversation_id, json, sender_id, sent)"
		      " VALUES(?1, ?3, ?2, ?4, ?5)";
	const char *keys[] = {id, kbuf_str(&json)};
	sqlite3_stmt *st;
	int rc = store_wprepare(s, sql, keys, 2, NULL, &st, e);
	if (rc) {
		kbuf_free(&json);
		return rc;
	}
	if (strcmp(type, "Rfq") == 0) {
		store_bind_text(st, 3, str_of(obj, "buyerId"));
		store_bind_text(st, 4, node);
		store_bind_text(st, 5, str_of(obj, "created") ? str_of(obj, "created") : "");
	} else if (strcmp(type, "Conversation") == 0) {
		const char *peer = NULL;
		const cJSON *p, *parts = cJSON_GetObjectItemCaseSensitive(obj, "participants");
		if (!cJSON_IsArray(parts))
			parts = NULL;
		cJSON_ArrayForEach(p, parts) if (cJSON_IsString(p) &&
		                                 (!self_id || strcmp(p->valuestring, self_id) != 0))
		    peer = p->valuestring;
		const char *upd =
		    str_of(obj, "updated") ? str_of(obj, "updated") : str_of(obj, "created");
		store_bind_text(st, 3, peer);
		store_bind_text(st, 4, str_of(obj, "listingId"));
		store_bind_text(st, 5, str_of(obj, "orderId"));
		store_bind_text(st, 6, upd ? upd : "");
	} else if (strcmp(type, "Contract") == 0) {
		/* dated by its sections (an offer made two days before her sync is two days old) */
		if (!contract_latest_time(obj, now))
			model_now(now);
		store_bind_text(st, 3, str_of(obj, "listingId"));
		store_bind_text(st, 4, str_of(obj, "buyerId"));
		store_bind_text(st, 5, str_of(obj, "sellerId"));
		store_bind_text(st, 6, contract_state(obj));
		store_bind_text(st, 7, now);
	} else if (strcmp(type, "Order") == 0) {
		const char *upd =
		    str_of(obj, "updated") ? str_of(obj, "updated") : str_of(obj, "created");
		store_bind_text(st, 3, str_of(obj, "contractId"));
		store_bind_text(st, 4, str_of(obj, "buyerId"));
		store_bind_text(st, 5, str_of(obj, "sellerId"));
		store_bind_text(st, 6, str_of(obj, "state") ? str_of(obj, "state") : "?");
		store_bind_text(st, 7, upd ? upd : "");
	} else {
		store_bind_text(st, 3, str_of(obj, "conversationId"));
		store_bind_text(st, 4, str_of(obj, "from"));
		store_bind_text(st, 5, str_of(obj, "sent") ? str_of(obj, "sent") : "");
	}
	rc = store_run_write(s, st, "storing an object", e);
	/* A message from the other side counts as unread in its conversation. */
	if (rc == K_OK && strcmp(type, "Message") == 0 && self_id && str_of(obj, "from") &&
	    strcmp(str_of(obj, "from"), self_id) != 0 && sqlite3_changes(s->db) > 0) {
		const char *v[] = {str_of(obj, "conversationId"),
		                   str_of(obj, "sent") ? str_of(obj, "sent") : ""};
		rc = run_texts(s,
		               "UPDATE conversations SET unread = unread + 1,"
		               " updated = max(updated, ?2) WHERE id = ?1",
		               v, 2, "counting an unread message", NULL, e);
	}
	kbuf_free(&json);
	return store_wfinish(s, rc, e);
}

int store_object_delete(struct store *s, const char *type, const char *id, struct kerr *e)
{
	if (strcmp(type, "Wallet") == 0)
		return K_ENOTFOUND; /* a wallet is never destroyed: nothing cached goes */
	const char *table = table_of(type);
	if (!table)
		return kerr_set(e, K_EINVAL, "cache: no table for %s objects", type);
	char sql[96];
	snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id = ?1", table);
	return write_texts(s, sql, &id, 1, "deleting an object", e);
}

static int parse_row(struct store *s, sqlite3_stmt *st, const char *type, cJSON **out,
                     struct kerr *e)
{
	const char *text = (const char *)sqlite3_column_text(st, 0);
	*out = text ? cJSON_Parse(text) : NULL;
	if (!*out)
		return kerr_set(e, K_EDB, "%s: a cached %s is damaged", s->path, type);
	return K_OK;
}

int store_object_get(struct store *s, const char *type, const char *id, cJSON **out, struct kerr *e)
{
	*out = NULL;
	const char *table = table_of(type);
	if (!table)
		return kerr_set(e, K_EINVAL, "cache: no table for %s objects", type);
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT json FROM %s WHERE id = ?1", table);
	sqlite3_stmt *st = store_prepare(s, sql, &id, 1, NULL, e);
	if (!st)
		return K_EDB;
	int step = sqlite3_step(st), rc;
	if (step == SQLITE_ROW)
		rc = parse_row(s, st, type, out, e);
	else if (step == SQLITE_DONE)
		rc = kerr_set(e, K_ENOTFOUND, "no %s '%s' in the cache", type, id);
	else
		rc = store_dberr(s, e, "reading an object");
	sqlite3_finalize(st);
	return rc;
}

int store_object_each(struct store *s, const char *type, const char *parent, store_object_cb cb,
                      void *ctx, struct kerr *e)
{
	const char *sql;
	if (strcmp(type, "Rfq") == 0)
		/* a tie in the second it was made: the one the cache took last, first */
		sql = "SELECT json FROM rfqs ORDER BY created DESC, rowid DESC";
	else if (strcmp(type, "Conversation") == 0)
		sql = "SELECT json FROM conversations ORDER BY updated DESC, id";
	else if (strcmp(type, "Message") == 0)
		/* times are in seconds: in a tie, the order the cache took them in */
		sql = parent ? "SELECT json FROM messages WHERE conversation_id = ?1"
		               " ORDER BY sent, rowid"
		             : "SELECT json FROM messages ORDER BY sent, rowid";
	else if (strcmp(type, "Contract") == 0)
		sql = "SELECT json FROM contracts ORDER BY updated DESC, id";
	else if (strcmp(type, "Order") == 0)
		sql = parent ? "SELECT json FROM orders WHERE state = ?1 ORDER BY updated DESC, id"
		             : "SELECT json FROM orders ORDER BY updated DESC, id";
	else
		return kerr_set(e, K_EINVAL, "cache: no table for %s objects", type);
	int keyed = parent && (strcmp(type, "Message") == 0 || strcmp(type, "Order") == 0);
	sqlite3_stmt *st = store_prepare(s, sql, &parent, keyed, NULL, e);
	if (!st)
		return K_EDB;
	return store_walk_json(s, st, type, cb, NULL, ctx, "reading objects", e);
}

int store_orders_sold_since(struct store *s, const char *seller, const char *since,
                            store_object_cb cb, void *ctx, struct kerr *e)
{
	const char *v[] = {seller, since};
	sqlite3_stmt *st = store_prepare(s,
	                                 "SELECT json FROM orders WHERE seller_id = ?1 AND"
	                                 " updated >= ?2 ORDER BY updated DESC, id",
	                                 v, 2, NULL, e);
	if (!st)
		return K_EDB;
	return store_walk_json(s, st, "Order", cb, NULL, ctx, "reading her orders", e);
}

int store_conversation_read(struct store *s, const char *id, struct kerr *e)
{
	return write_texts(s, "UPDATE conversations SET unread = 0 WHERE id = ?1", &id, 1,
	                   "marking a conversation read", e);
}

int store_conversation_last(struct store *s, const char *id, store_object_cb cb, void *ctx,
                            struct kerr *e)
{
	sqlite3_stmt *st = store_prepare(s,
	                                 "SELECT json FROM messages WHERE conversation_id = ?1"
	                                 " ORDER BY sent DESC, rowid DESC LIMIT 1",
	                                 &id, 1, NULL, e);
	return st ? store_walk_json(s, st, "Message", cb, NULL, ctx, "reading the last message", e)
	          : K_EDB;
}

int store_conversation_unread(struct store *s, const char *id)
{
	sqlite3_stmt *st =
	    store_prepare(s, "SELECT unread FROM conversations WHERE id = ?1", &id, 1, NULL, NULL);
	if (!st)
		return 0;
	int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return n;
}

int store_outbox_retry(struct store *s, int64_t seq, struct kerr *e)
{
	sqlite3_stmt *st;
	int rc =
	    store_wprepare(s,
	                   seq ? "UPDATE outbox SET last_error = NULL WHERE seq = ?1"
	                       : "UPDATE outbox SET last_error = NULL WHERE last_error IS NOT NULL",
	                   NULL, 0, NULL, &st, e);
	if (rc)
		return rc;
	if (seq)
		sqlite3_bind_int64(st, 1, seq);
	rc = store_run_write(s, st, "putting outbox entries back in line", e);
	if (rc == K_OK && seq && sqlite3_changes(s->db) == 0)
		rc = kerr_set(e, K_ENOTFOUND, "outbox: no entry %lld", (long long)seq);
	int rc2 = store_wend(s, rc == K_OK || rc == K_ENOTFOUND, rc ? NULL : e);
	return rc ? rc : rc2;
}
