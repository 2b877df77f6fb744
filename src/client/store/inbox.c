/* store/inbox — the SQL behind the inbox (see inbox.h): candidate rows only; which of them
 * wait for the account is inbox.c's to say, from the trade rules. */
#include "inbox.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* sql prepared with self at ?1 (and now at ?2 when not NULL) and the cap STORE_INBOX_MAX
 * at its last parameter; NULL with e filled. The walks pass a damaged row over: it is no
 * item here, and the command that owns it says so. */
static sqlite3_stmt *query(struct store *s, const char *sql, const char *self, const char *now,
                           struct kerr *e)
{
	const char *v[] = {self, now};
	sqlite3_stmt *st = store_prepare(s, sql, v, now ? 2 : 1, "preparing an inbox statement", e);
	if (st)
		sqlite3_bind_int(st, sqlite3_bind_parameter_count(st), STORE_INBOX_MAX);
	return st;
}

/* Whether the RFQ is one for her is inbox_rfq_hers' to say. */
#define CAT "json_extract(r.json, '$.category')"
#define HS "json_extract(r.json, '$.hsCode')"
#define LID "json_extract(r.json, '$.listingId')"

/* The caller's rule as the SQL function inbox_wanted(category, hs, listing), so the cap of
 * STORE_INBOX_MAX rows counts only RFQs for her. */
struct wanted {
	int (*fn)(void *ctx, const char *category, const char *hs, const char *listing);
	void *ctx;
};

static void wanted_sql(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const struct wanted *w = sqlite3_user_data(cx);
	const char *cat = (const char *)sqlite3_value_text(argv[0]);
	const char *hs = (const char *)sqlite3_value_text(argv[1]);
	const char *lid = (const char *)sqlite3_value_text(argv[2]);
	sqlite3_result_int(cx, (cat || hs || lid) && w->fn(w->ctx, cat, hs, lid) ? 1 : 0);
}

int store_inbox_rfqs(struct store *s, const char *self, const char *now,
                     int (*wanted)(void *ctx, const char *category, const char *hs,
                                   const char *listing),
                     int (*cb)(void *ctx, const cJSON *rfq), void *ctx, struct kerr *e)
{
	struct wanted w = {wanted, ctx};
	if (sqlite3_create_function(s->db, "inbox_wanted", 3, SQLITE_UTF8, &w, wanted_sql, NULL,
	                            NULL) != SQLITE_OK)
		return store_dberr(s, e, "reading RFQs for the inbox");
	sqlite3_stmt *st = query(s,
	                         "SELECT r.json FROM rfqs r WHERE coalesce(r.buyer_id, '') != ?1"
	                         " AND coalesce(json_extract(r.json, '$.status'), 'open') = 'open'"
	                         " AND coalesce(json_extract(r.json, '$.expires'), '9999') > ?2"
	                         " AND inbox_wanted(" CAT ", " HS ", " LID ")"
	                         " AND NOT EXISTS (SELECT 1 FROM contracts k WHERE "
	                         "json_extract(k.json, '$.rfqId') = r.id"
	                         "  AND (k.buyer_id = ?1 OR k.seller_id = ?1))"
	                         " AND NOT EXISTS (SELECT 1 FROM conversations c WHERE "
	                         "json_extract(c.json, '$.rfqId')"
	                         "  = r.id)"
	                         " AND NOT EXISTS (SELECT 1 FROM messages m JOIN conversations c"
	                         "  ON c.id = m.conversation_id WHERE m.sender_id = ?1 AND "
	                         "c.peer_id = r.buyer_id"
	                         "  AND m.sent >= r.created)"
	                         " ORDER BY r.created DESC, r.id LIMIT ?3",
	                         self, now, e);
	int rc = st ? store_walk_json(s, st, NULL, cb, NULL, ctx, "reading RFQs for the inbox", e)
	            : K_EDB;
	sqlite3_create_function(s->db, "inbox_wanted", 3, SQLITE_UTF8, NULL, NULL, NULL, NULL);
	return rc;
}

int store_inbox_contracts(struct store *s, const char *self,
                          int (*cb)(void *ctx, const cJSON *contract, const char *updated),
                          void *ctx, struct kerr *e)
{
	sqlite3_stmt *st = query(s,
	                         "SELECT json, updated FROM contracts WHERE (buyer_id = ?1 OR"
	                         " seller_id = ?1) AND state IN ('offer', 'countered')"
	                         " ORDER BY updated DESC, id LIMIT ?2",
	                         self, NULL, e);
	return st ? store_walk_json(s, st, NULL, NULL, cb, ctx, "reading contracts for the inbox",
	                            e)
	          : K_EDB;
}

int store_inbox_orders(struct store *s, const char *self,
                       int (*cb)(void *ctx, const cJSON *order, const char *updated), void *ctx,
                       struct kerr *e)
{
	sqlite3_stmt *st = query(s,
	                         "SELECT json, updated FROM orders WHERE buyer_id = ?1 OR"
	                         " seller_id = ?1 ORDER BY updated DESC, id LIMIT ?2",
	                         self, NULL, e);
	return st ? store_walk_json(s, st, NULL, NULL, cb, ctx, "reading orders for the inbox", e)
	          : K_EDB;
}

int store_inbox_chats(struct store *s, const char *self,
                      int (*cb)(void *ctx, const struct inbox_chat_row *row), void *ctx,
                      struct kerr *e)
{
	sqlite3_stmt *st = query(s,
	                         "SELECT c.id, c.peer_id, c.unread, c.updated,"
	                         " (SELECT m.json FROM messages m WHERE m.conversation_id = c.id"
	                         "  AND coalesce(m.sender_id, '') != ?1 ORDER BY m.sent DESC,"
	                         "  m.rowid DESC LIMIT 1),"
	                         " c.json FROM conversations c WHERE c.unread > 0"
	                         " ORDER BY c.updated DESC, c.id LIMIT ?2",
	                         self, NULL, e);
	if (!st)
		return K_EDB;
	int step = SQLITE_DONE, rc = K_OK;
	while (rc == K_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct inbox_chat_row row;
		memset(&row, 0, sizeof row);
		store_col_copy(st, 0, row.conversation, sizeof row.conversation);
		store_col_copy(st, 1, row.peer, sizeof row.peer);
		row.unread = sqlite3_column_int(st, 2);
		store_col_copy(st, 3, row.updated, sizeof row.updated);
		const char *text = (const char *)sqlite3_column_text(st, 4);
		cJSON *last = text ? cJSON_Parse(text) : NULL;
		row.last = last;
		const char *cj = (const char *)sqlite3_column_text(st, 5);
		cJSON *conv = cj ? cJSON_Parse(cj) : NULL;
		row.conv = conv;
		rc = cb(ctx, &row);
		cJSON_Delete(last);
		cJSON_Delete(conv);
	}
	if (rc == K_OK && step != SQLITE_DONE)
		rc = store_dberr(s, e, "reading conversations for the inbox");
	sqlite3_finalize(st);
	return rc;
}
