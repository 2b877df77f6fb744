/* store — opening cache.db, its ordered migrations and schema version, the statement
 * table every store file draws from, transactions and the meta key/value table. */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/buf.h"

/* Ordered schema patches (newsboat's schemaPatches): entry i takes the schema from version
 * i to i + 1 and PRAGMA user_version records how many have run. A shipped entry is never
 * edited; a change is a new entry at the end. */
/* In a trigger on listing_json: the rows of listing_skus for the listing new.json (none
 * for JSON that is damaged: a damaged row must still be deletable). */
/* Whether new.json may hold any (a byte search: most listings have neither, and a sync
 * writes thousands; a row is replaced by a delete, whose trigger takes its SKUs away). */
#define LISTING_SKUS_ANY " (instr(new.json, '\"sellerSku\"') OR instr(new.json, '\"variants\"'))"
#define LISTING_JSON_OF(j) "(CASE WHEN json_valid(" j ") THEN " j " ELSE '{}' END)"
#define LISTING_SKUS_OF_NEW                                                                        \
	"  INSERT INTO listing_skus(rid, kind, sku) SELECT new.rid, 0, s FROM (SELECT"             \
	"  json_extract(" LISTING_JSON_OF(                                                         \
	    "new.json") ", '$.sellerSku') AS s) WHERE s IS NOT NULL;"                              \
	                "  INSERT INTO listing_skus(rid, kind, sku) SELECT new.rid, 1, s FROM"     \
	                "  (SELECT json_extract(v.value, '$.sku') AS s FROM "                      \
	                "json_each(" LISTING_JSON_OF(                                              \
	                    "new.json") ", '$.variants') v UNION SELECT json_extract(v.value, "    \
	                                "'$.sellerSku') FROM"                                      \
	                                "  json_each(" LISTING_JSON_OF(                            \
	                                    "new.json") ", '$.variants') v) WHERE s IS NOT NULL;"

static const char *const migrations[] = {
    /* 1: the first schema. */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE sync_state(node TEXT NOT NULL, type TEXT NOT NULL, state TEXT NOT NULL,"
    "  PRIMARY KEY(node, type)) WITHOUT ROWID;"
    "CREATE TABLE accounts(id TEXT PRIMARY KEY, json TEXT NOT NULL, handle TEXT,"
    "  display_name TEXT, country TEXT, verified INTEGER NOT NULL DEFAULT 0,"
    "  rating_avg REAL NOT NULL DEFAULT 0, rating_count INTEGER NOT NULL DEFAULT 0,"
    "  seen TEXT NOT NULL);"
    "CREATE INDEX accounts_handle ON accounts(handle);"
    /* rid is the listing's place in `updated` order and its rowid in search; pkey and
     * rkey are its rowids in search_ord (price and rating order); both NULL while the
     * listing is not in the index (paused). ix_verified is the seller flag the index rows
     * were built with, so they can be rebuilt exactly to delete them. The JSON (with
     * sig) lives in listing_json: this table is what every search hit reads, and kept
     * narrow it stays in memory with a million rows. */
    "CREATE TABLE listings(rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    "  seller_id TEXT NOT NULL, sku TEXT NOT NULL, node TEXT,"
    "  title TEXT NOT NULL, currency TEXT NOT NULL, price INTEGER NOT NULL,"
    "  moq INTEGER NOT NULL, country TEXT NOT NULL, category TEXT, updated TEXT NOT NULL,"
    "  status TEXT NOT NULL, pkey INTEGER UNIQUE, rkey INTEGER UNIQUE,"
    "  ix_verified INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX listings_seller ON listings(seller_id, sku);"
    "CREATE TABLE listing_json(rid INTEGER PRIMARY KEY, json TEXT NOT NULL);"
    "CREATE TRIGGER listings_json_gone AFTER DELETE ON listings BEGIN"
    "  DELETE FROM listing_json WHERE rid = old.rid; END;"
    /* Contentless: the text is rebuilt from listing_json when a row must go. */
    "CREATE VIRTUAL TABLE search USING fts5(title, body, facets,"
    "  tokenize=\"unicode61 remove_diacritics 2 categories 'L* N* Co M*' tokenchars '_'\","
    "  detail=column, content='', columnsize=0);"
    "CREATE VIRTUAL TABLE search_ord USING fts5(title, doc,"
    "  tokenize=\"unicode61 remove_diacritics 2 categories 'L* N* Co M*' tokenchars '_'\","
    "  detail=column, content='', columnsize=0);"
    "CREATE TABLE conversations(id TEXT PRIMARY KEY, json TEXT NOT NULL, peer_id TEXT,"
    "  listing_id TEXT, order_id TEXT, updated TEXT NOT NULL, unread INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX conversations_updated ON conversations(updated);"
    "CREATE TABLE messages(id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL"
    "  REFERENCES conversations(id) ON DELETE CASCADE, json TEXT NOT NULL, sender_id TEXT,"
    "  sent TEXT NOT NULL);"
    "CREATE INDEX messages_conv ON messages(conversation_id, sent);"
    "CREATE TABLE contracts(id TEXT PRIMARY KEY, json TEXT NOT NULL, listing_id TEXT,"
    "  buyer_id TEXT, seller_id TEXT, state TEXT, updated TEXT NOT NULL);"
    "CREATE INDEX contracts_updated ON contracts(updated);"
    "CREATE TABLE orders(id TEXT PRIMARY KEY, json TEXT NOT NULL, contract_id TEXT,"
    "  buyer_id TEXT, seller_id TEXT, state TEXT NOT NULL, updated TEXT NOT NULL);"
    "CREATE INDEX orders_state ON orders(state, updated);"
    "CREATE TABLE shipments(id TEXT PRIMARY KEY, json TEXT NOT NULL, order_id TEXT,"
    "  carrier TEXT, tracking TEXT, status TEXT, updated TEXT NOT NULL);"
    "CREATE INDEX shipments_order ON shipments(order_id);"
    "CREATE TABLE outbox(seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  creation_id TEXT NOT NULL UNIQUE, method TEXT NOT NULL, op TEXT NOT NULL,"
    "  object_id TEXT, payload TEXT, node TEXT, created TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);",
    /* 2: the nodes this client syncs with (the node key pinned on first contact, the
     * session with its limits, bytes used), and RFQs. */
    "CREATE TABLE nodes(name TEXT PRIMARY KEY, url TEXT NOT NULL, ca_file TEXT,"
    "  node_key TEXT NOT NULL, session TEXT, added TEXT NOT NULL, last_sync TEXT,"
    "  bytes_up INTEGER NOT NULL DEFAULT 0, bytes_down INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE rfqs(id TEXT PRIMARY KEY, json TEXT NOT NULL, buyer_id TEXT,"
    "  node TEXT, created TEXT NOT NULL);"
    "CREATE INDEX rfqs_created ON rfqs(created);",
    /* 3: translations of message text (the TUI's `t`), by target language and the text's
     * hash, so a text is sent to the translation service once. */
    "CREATE TABLE translations(lang TEXT NOT NULL, hash TEXT NOT NULL, text TEXT NOT NULL,"
    "  detected TEXT, created TEXT NOT NULL, PRIMARY KEY(lang, hash)) WITHOUT ROWID;",
    /* 4: the node's TLS public key pinned beside its node key ("sha256//BASE64"). */
    "ALTER TABLE nodes ADD COLUMN tls_pin TEXT;",
    /* 5: a listing's lowest unit price of any tier beside its price at the MOQ (`price`):
     * results show "from" the best tier. The search index upgrade fills both. */
    "ALTER TABLE listings ADD COLUMN best INTEGER;",
    /* 6: the type of the node's refusal (its SetError type) beside the sentence, so a
     * command reads it as a field and never searches the text. */
    "ALTER TABLE outbox ADD COLUMN error_type TEXT;",
    /* 7: search by photo (store/photo.c): the image hashes a listing summary carries, by
     * listing and the image's place in its list. */
    "CREATE TABLE listing_photos(listing_id TEXT NOT NULL, idx INTEGER NOT NULL,"
    "  hash INTEGER NOT NULL, PRIMARY KEY(listing_id, idx)) WITHOUT ROWID;",
    /* 8: the account's wallet on each node (store/wallet.c): the Wallet object as pulled,
     * without its history, and the history's lines kept as they come, so every line
     * pulled stays however far the node's page reaches. */
    "CREATE TABLE wallets(node TEXT NOT NULL, account TEXT NOT NULL, json TEXT NOT NULL,"
    "  updated TEXT NOT NULL, PRIMARY KEY(node, account)) WITHOUT ROWID;"
    "CREATE TABLE wallet_lines(node TEXT NOT NULL, account TEXT NOT NULL, tx TEXT NOT NULL,"
    "  currency TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,"
    "  amount INTEGER NOT NULL, created TEXT NOT NULL, memo TEXT, reference TEXT,"
    "  order_id TEXT, PRIMARY KEY(node, account, tx, currency)) WITHOUT ROWID;"
    "CREATE INDEX wallet_lines_seq ON wallet_lines(node, account, seq);",
    /* 9: what a sync pulls from the node (its scope): NULL or 'market' the whole market,
     * 'mine' what concerns the account, or a JSON array of categories. */
    "ALTER TABLE nodes ADD COLUMN scope TEXT;",
    /* 10: a buyer names another seller's listing by the SKU search shows (names.c). */
    "CREATE INDEX listings_sku ON listings(sku COLLATE NOCASE);",
    /* 11: the other SKUs that name a listing, kept by triggers beside its JSON so a name is
     * an index lookup, not a read of every listing's JSON: the seller's SKU as written
     * (kind 0) and each variant's SKU and seller's SKU (kind 1). */
    "CREATE TABLE listing_skus(rid INTEGER NOT NULL, kind INTEGER NOT NULL, sku TEXT NOT NULL);"
    "CREATE INDEX listing_skus_sku ON listing_skus(sku COLLATE NOCASE);"
    "CREATE INDEX listing_skus_rid ON listing_skus(rid);"
    "CREATE TRIGGER listing_skus_in AFTER INSERT ON listing_json WHEN" LISTING_SKUS_ANY
    " BEGIN" LISTING_SKUS_OF_NEW " END;"
    "CREATE TRIGGER listing_skus_json AFTER UPDATE OF json ON listing_json BEGIN"
    "  DELETE FROM listing_skus WHERE rid = old.rid;" LISTING_SKUS_OF_NEW " END;"
    "CREATE TRIGGER listing_skus_move AFTER UPDATE OF rid ON listing_json BEGIN"
    "  UPDATE listing_skus SET rid = new.rid WHERE rid = old.rid; END;"
    "CREATE TRIGGER listing_skus_gone AFTER DELETE ON listing_json BEGIN"
    "  DELETE FROM listing_skus WHERE rid = old.rid; END;"
    /* the listings cached already */
    "INSERT INTO listing_skus(rid, kind, sku) SELECT rid, 0, s FROM (SELECT rid,"
    "  json_extract(" LISTING_JSON_OF(
        "json") ", '$.sellerSku') AS s FROM listing_json)"
                "  WHERE s IS NOT NULL;"
                "INSERT INTO listing_skus(rid, kind, sku) SELECT rid, 1, s FROM"
                "  (SELECT j.rid AS rid, json_extract(v.value, '$.sku') AS s FROM listing_json j,"
                "  json_each(" LISTING_JSON_OF(
                    "j.json") ", '$.variants') v UNION SELECT j.rid,"
                              "  json_extract(v.value, '$.sellerSku') FROM listing_json j,"
                              "  json_each(" LISTING_JSON_OF(
                                  "j.json") ", '$.variants') v) WHERE s IS NOT NULL;",
    /* 12: a seller's stock follows her sales (client/stock.c) from the day this cache first
     * kept it: orders made before then are never counted against what she said. */
    "INSERT OR REPLACE INTO meta(key, value)"
    "  VALUES('stock-since', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));",
    /* 13: a pull's summaries carry the unit from 2026-12-07; one cached before then was
     * kept with pieces, the default, whatever it is sold by: not known, until it changes. */
    "UPDATE listing_json SET json = json_remove(json, '$.unit')"
    "  WHERE json_valid(json) AND json_extract(json, '$.sig') IS NULL;",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* search_ord scans share their WHERE: the MATCH expression, then exact checks of price
 * and MOQ on the rows that need one (kedge: phrase N of the expression is in this row; -1
 * never, -2 always), so only those rows touch the table. */
#define EDGE_WHERE(tab, key)                                                                       \
	" AND (kedge(" tab ", ?2) = 0 OR (SELECT price FROM listings WHERE " key " = " tab         \
	".rowid) <= ?3)"                                                                           \
	" AND (kedge(" tab ", ?4) = 0 OR (SELECT moq FROM listings WHERE " key " = " tab           \
	".rowid) <= ?5)"
#define HIT_COLS                                                                                   \
	"SELECT l.id, l.seller_id, l.title, l.currency, l.price, l.moq, l.country, l.updated,"     \
	" coalesce(a.verified, 0), coalesce(a.rating_avg, 0), coalesce(a.rating_count, 0),"        \
	" coalesce(l.best, l.price),"                                                              \
	" (SELECT json_extract(j.json, '$.unit') FROM listing_json j WHERE j.rid = l.rid)"         \
	" FROM listings l LEFT JOIN accounts a ON a.id = l.seller_id "

static const char *const stmt_sql[ST__COUNT] = {
    [ST_L_FIND] = "SELECT l.rid, l.pkey, l.rkey, j.json, l.ix_verified, l.updated"
                  " FROM listings l JOIN listing_json j ON j.rid = l.rid WHERE l.id = ?1",
    [ST_L_INSERT] = "INSERT INTO listings(rid, id, seller_id, sku, node, title, currency,"
                    " price, moq, country, category, updated, status, pkey, rkey, ix_verified,"
                    " best) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                    " ?15, ?16, ?17)",
    [ST_J_INSERT] = "INSERT INTO listing_json(rid, json) VALUES(?1, ?2)",
    [ST_L_DELETE] = "DELETE FROM listings WHERE rid = ?1",
    [ST_L_JSON] = "SELECT j.json FROM listings l JOIN listing_json j ON j.rid = l.rid"
                  " WHERE l.id = ?1",
    [ST_L_EACH_ALL] = "SELECT j.json FROM listings l JOIN listing_json j ON j.rid = l.rid"
                      " ORDER BY l.seller_id, l.sku",
    [ST_L_EACH_SELLER] = "SELECT j.json FROM listings l JOIN listing_json j ON j.rid = l.rid"
                         " WHERE l.seller_id = ?1 ORDER BY l.sku",
    [ST_L_COUNT] = "SELECT count(*) FROM listings",
    [ST_L_MAX_RID] = "SELECT max(rid) FROM listings WHERE rid BETWEEN ?1 AND ?2",
    [ST_L_MAX_PKEY] = "SELECT max(pkey) FROM listings WHERE pkey BETWEEN ?1 AND ?2",
    [ST_L_MAX_RKEY] = "SELECT max(rkey) FROM listings WHERE rkey BETWEEN ?1 AND ?2",
    [ST_L_OF_SELLER] = "SELECT rid FROM listings WHERE seller_id = ?1 AND rkey IS NOT NULL",
    [ST_L_BY_RID] = "SELECT l.pkey, l.rkey, j.json, l.ix_verified, l.updated, l.seller_id"
                    " FROM listings l JOIN listing_json j ON j.rid = l.rid WHERE l.rid = ?1",
    [ST_L_SET_KEYS] = "UPDATE listings SET rkey = ?2, ix_verified = ?3, rid = ?4, pkey = ?5,"
                      " price = ?6, best = ?7 WHERE rid = ?1",
    [ST_L_ALL_INDEXED] = "SELECT rid FROM listings WHERE rkey IS NOT NULL",
    [ST_J_MOVE] = "UPDATE listing_json SET rid = ?2 WHERE rid = ?1",
    [ST_FTS_INSERT] = "INSERT INTO search(rowid, title, body, facets) VALUES(?1, ?2, ?3, ?4)",
    [ST_FTS_DELETE] = "INSERT INTO search(search, rowid, title, body, facets)"
                      " VALUES('delete', ?1, ?2, ?3, ?4)",
    [ST_ORD_INSERT] = "INSERT INTO search_ord(rowid, title, doc) VALUES(?1, ?2, ?3)",
    [ST_ORD_DELETE] = "INSERT INTO search_ord(search_ord, rowid, title, doc)"
                      " VALUES('delete', ?1, ?2, ?3)",
    [ST_L_RID_BY_PKEY] = "SELECT rid FROM listings WHERE pkey = ?1", /* the index covers it */
    [ST_L_KEYS_BY_PKEY] = "SELECT rid, rkey FROM listings WHERE pkey = ?1",
    [ST_L_RKEY_BY_RID] = "SELECT rkey FROM listings WHERE rid = ?1",
    [ST_A_GET] = "SELECT json FROM accounts WHERE id = ?1",
    [ST_A_STATE] = "SELECT verified, rating_avg, rating_count FROM accounts WHERE id = ?1",
    [ST_A_PUT] = "INSERT INTO accounts(id, json, handle, display_name, country, verified,"
                 " rating_avg, rating_count, seen) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                 " ON CONFLICT(id) DO UPDATE SET json = excluded.json, handle = excluded.handle,"
                 " display_name = excluded.display_name, country = excluded.country,"
                 " verified = excluded.verified, rating_avg = excluded.rating_avg,"
                 " rating_count = excluded.rating_count, seen = excluded.seen",
    [ST_O_ADD] = "INSERT INTO outbox(creation_id, method, op, object_id, payload, node, created)"
                 " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_O_EACH] = "SELECT seq, creation_id, method, op, object_id, payload, node, created,"
                  " attempts, last_error, error_type FROM outbox ORDER BY seq",
    [ST_O_COUNT] = "SELECT count(*) FROM outbox",
    [ST_O_DONE] = "DELETE FROM outbox WHERE seq = ?1",
    [ST_O_FAIL] = "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, error_type = ?3"
                  " WHERE seq = ?1",
    /* The dense filters are rid bits here (search.c): ?10 bits required, MOQ class (bits
     * 19..23) at most ?11, rows of class ?12 checked against the table. */
    [ST_SCAN_MAIN] = "SELECT rowid, ktitle(search, ?7) FROM search WHERE search MATCH ?1"
                     " AND (rowid & ?10) = ?10 AND ((rowid >> 19) & 31) <= ?11"
                     " AND (((rowid >> 19) & 31) != ?12"
                     " OR (SELECT moq FROM listings WHERE rid = search.rowid) <= ?5)"
                     " AND (kedge(search, ?2) = 0"
                     " OR (SELECT price FROM listings WHERE rid = search.rowid) <= ?3)"
                     " ORDER BY rowid DESC LIMIT ?6",
    [ST_SCAN_ORD_P] =
        "SELECT rowid, ktitle(search_ord, ?7) FROM search_ord WHERE search_ord MATCH ?1"
        " AND rowid BETWEEN ?8 AND ?9" EDGE_WHERE("search_ord", "pkey") " ORDER BY rowid LIMIT ?6",
    [ST_SCAN_ORD_R] =
        "SELECT rowid, ktitle(search_ord, ?7) FROM search_ord WHERE search_ord MATCH ?1"
        " AND rowid BETWEEN ?8 AND ?9" EDGE_WHERE("search_ord", "rkey") " ORDER BY rowid LIMIT ?6",
    [ST_HIT_RID] = HIT_COLS "WHERE l.rid = ?1",
    [ST_HIT_PKEY] = HIT_COLS "WHERE l.pkey = ?1",
    [ST_HIT_RKEY] = HIT_COLS "WHERE l.rkey = ?1",
    [ST_HIT_ID] = HIT_COLS "WHERE l.id = ?1",
};

int store_schema_version(struct store *s)
{
	(void)s;
	return SCHEMA_VERSION;
}

/* Bulk loading checkpoints the WAL every 128 MiB instead of every 4 MiB (each checkpoint
 * rewrites the pages a bulk load touches again and again). It also lets FTS5 gather 32 MiB of
 * postings before it writes a segment and holds off its merging until store_search_optimize:
 * otherwise each table is merged again and again while it grows. The options persist in the tables,
 * so off puts the defaults back, and a meta row remembers a load that never finished (store_open
 * undoes it). */
static const char *const bulk_sql[2] = {
    "PRAGMA cache_size = -8000; PRAGMA wal_autocheckpoint = 1000;"
    " INSERT INTO search(search, rank) VALUES('hashsize', 1048576);"
    " INSERT INTO search(search, rank) VALUES('automerge', 4);"
    " INSERT INTO search(search, rank) VALUES('crisismerge', 16);"
    " INSERT INTO search_ord(search_ord, rank) VALUES('hashsize', 1048576);"
    " INSERT INTO search_ord(search_ord, rank) VALUES('automerge', 4);"
    " INSERT INTO search_ord(search_ord, rank) VALUES('crisismerge', 16);"
    " DELETE FROM meta WHERE key = 'bulk_load';",
    "PRAGMA cache_size = -131072; PRAGMA wal_autocheckpoint = 32768;"
    " INSERT INTO search(search, rank) VALUES('hashsize', 33554432);"
    " INSERT INTO search(search, rank) VALUES('automerge', 0);"
    " INSERT INTO search(search, rank) VALUES('crisismerge', 64);"
    " INSERT INTO search_ord(search_ord, rank) VALUES('hashsize', 33554432);"
    " INSERT INTO search_ord(search_ord, rank) VALUES('automerge', 0);"
    " INSERT INTO search_ord(search_ord, rank) VALUES('crisismerge', 64);"
    " INSERT INTO meta(key, value) VALUES('bulk_load', '1')"
    " ON CONFLICT(key) DO UPDATE SET value = excluded.value;",
};

int store_bulk_load(struct store *s, int on, struct kerr *e)
{
	int rc = kdb_exec(&s->k, bulk_sql[on != 0], "switching bulk loading", e);
	if (!rc && !on)
		sqlite3_db_release_memory(s->k.db);
	return rc;
}

static int hook_flush(void *s, struct kerr *e)
{
	return search_pending_flush(s, e);
}

static void hook_discard(void *s)
{
	ksearch_queue_discard(((struct store *)s)->queue);
}

static void hook_wrote(void *s)
{
	((struct store *)s)->gen++; /* cached results and counts carry the generation */
}

int store_open(const char *path, struct store **out, struct kerr *e)
{
	*out = NULL;
	struct store *s = xcalloc(1, sizeof *s);
	/* The client's RSS budget (30 MiB with a million listings) rules out a big page cache
	 * and mmap, whose touched pages count as resident; the OS page cache does the rest. */
	const struct kdb_opts o = {
	    .sql = stmt_sql,
	    .nsql = ST__COUNT,
	    .setup = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	             " PRAGMA foreign_keys = ON; PRAGMA cache_size = -8000; PRAGMA mmap_size = 0",
	    .create = 1,
	    .nested_fail_dooms = 1,
	};
	int rc = kdb_open(&s->k, path, &o, e);
	s->k.h = (struct kdb_hooks){hook_flush, hook_discard, hook_wrote, s};
	s->db = s->k.db;
	s->path = s->k.path;
	if (rc || (rc = kdb_migrate(&s->k, migrations, SCHEMA_VERSION, "kontor", e)) ||
	    (rc = search_attach(s, e)) || (rc = listings_search_upgrade(s, e)))
		goto fail;
	char *bulk = NULL;
	if (store_meta_get(s, "bulk_load", &bulk, NULL) == K_OK)
		rc = kdb_exec(&s->k, bulk_sql[0], "ending an unfinished bulk load", e);
	free(bulk);
	if (rc)
		goto fail;
	*out = s;
	return K_OK;
fail:
	store_close(&s);
	return rc;
}

void store_close(struct store **sp)
{
	struct store *s = *sp;
	if (!s)
		return;
	search_detach(s);
	kdb_close(&s->k);
	free(s);
	*sp = NULL;
}

int store_begin(struct store *s, struct kerr *e)
{
	return kdb_begin(&s->k, e);
}

int store_commit(struct store *s, struct kerr *e)
{
	return kdb_commit(&s->k, e);
}

void store_rollback(struct store *s)
{
	kdb_rollback(&s->k);
}

void store_changed_elsewhere(struct store *s)
{
	s->gen++;
}

int store_meta_get(struct store *s, const char *key, char **out, struct kerr *e)
{
	return kdb_meta_get(&s->k, key, out, e);
}

int store_meta_set(struct store *s, const char *key, const char *value, struct kerr *e)
{
	return kdb_meta_set(&s->k, key, value, e);
}

int store_read_json(struct store *s, enum store_stmt which, const char *id, const char *what,
                    cJSON **out, struct kerr *e)
{
	char doing[128];
	snprintf(doing, sizeof doing, "reading %s %s", what, id);
	sqlite3_stmt *st;
	int rc = kdb_one_key(&s->k, which, id, doing, &st, e);
	if (rc == K_ENOTFOUND)
		return kerr_set(e, K_ENOTFOUND, "no %s %s in the cache", what, id);
	if (rc)
		return rc;
	*out = cJSON_ParseWithLength((const char *)sqlite3_column_text(st, 0),
	                             (size_t)sqlite3_column_bytes(st, 0));
	sqlite3_reset(st);
	if (!*out)
		return kerr_set(e, K_EDB, "%s: %s %s is damaged", s->path, what, id);
	return K_OK;
}

int store_read_into(struct store *s, enum store_stmt which, const char *id, const char *what,
                    int (*parse)(const cJSON *j, void *out, struct kerr *e), void *out,
                    struct kerr *e)
{
	cJSON *j = NULL;
	int rc = store_read_json(s, which, id, what, &j, e);
	if (rc)
		return rc;
	rc = parse(j, out, e);
	cJSON_Delete(j);
	if (rc)
		kerr_prefix(e, "%s: %s %s", s->path, what, id);
	return rc;
}

sqlite3_stmt *store_prepare(struct store *s, const char *sql, const char *const *v, int n,
                            const char *what, struct kerr *e)
{
	sqlite3_stmt *st = kdb_prepare_as(&s->k, sql, what ? what : "preparing a statement", e);
	for (int i = 0; st && i < n; i++)
		store_bind_text(st, i + 1, v[i]);
	return st;
}

int store_run_write(struct store *s, sqlite3_stmt *st, const char *what, struct kerr *e)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? K_OK : store_dberr(s, e, what);
	sqlite3_finalize(st);
	return rc;
}

int store_wstmt(struct store *s, enum store_stmt id, sqlite3_stmt **st, struct kerr *e)
{
	return kdb_wstmt(&s->k, (int)id, st, e);
}

int store_wprepare(struct store *s, const char *sql, const char *const *v, int n, const char *what,
                   sqlite3_stmt **st, struct kerr *e)
{
	*st = NULL;
	int rc = store_wbegin(s, e);
	if (rc)
		return rc;
	*st = store_prepare(s, sql, v, n, what, e);
	return *st ? K_OK : store_wfinish(s, K_EDB, e);
}

int store_walk_json(struct store *s, sqlite3_stmt *st, const char *damaged, store_object_cb cb,
                    int (*cb2)(void *ctx, const cJSON *o, const char *col1), void *ctx,
                    const char *what, struct kerr *e)
{
	int step = SQLITE_DONE, rc = K_OK;
	while (rc == K_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_ParseWithLength((const char *)sqlite3_column_text(st, 0),
		                                 (size_t)sqlite3_column_bytes(st, 0));
		if (!o) {
			if (damaged)
				rc = kerr_set(e, K_EDB, "%s: a cached %s is damaged", s->path,
				              damaged);
			continue;
		}
		if (cb) {
			rc = cb(ctx, o);
		} else {
			const char *col1 = (const char *)sqlite3_column_text(st, 1);
			rc = cb2(ctx, o, col1 ? col1 : "");
		}
		cJSON_Delete(o);
	}
	if (rc == K_OK && step != SQLITE_DONE)
		rc = store_dberr(s, e, what);
	sqlite3_finalize(st);
	return rc;
}
