/* nstore — opening kontord's database: one SQLite connection per thread, ordered migrations
 * under PRAGMA user_version, the statement table every store file draws from, transactions,
 * savepoints, the meta table and blobs. */
#include "nstore_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kontor/buf.h"
#include "kontor/model.h"

#define FTS_OPTS "tokenize=\"" KS_TOKENIZE "\", detail=column, content='', columnsize=0"

/* Ordered schema patches: entry i takes the schema from version i to i + 1, and PRAGMA
 * user_version records how many have run. A shipped entry is never edited; a change is a
 * new entry at the end. */
static const char *const migrations[] = {
    /* 1: the first schema. */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    /* '*' holds the global sequence; each type's row the last sequence that touched it and
     * the newest tombstone pruned (sinceState before it cannot be answered). */
    "CREATE TABLE states(type TEXT PRIMARY KEY, seq INTEGER NOT NULL DEFAULT 0,"
    "  horizon INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
    "INSERT INTO states(type) VALUES('*'), ('Account'), ('Listing'), ('Rfq'),"
    "  ('Conversation'), ('Message');"
    /* One row per object and viewer ('' for public types) holding its latest change, so
     * /changes pages in seq order without ever reporting an object twice. cseq is the
     * change that created it: created vs updated relative to sinceState. */
    "CREATE TABLE changes(type TEXT NOT NULL, who TEXT NOT NULL, id TEXT NOT NULL,"
    "  seq INTEGER NOT NULL, cseq INTEGER NOT NULL, destroyed INTEGER NOT NULL,"
    "  PRIMARY KEY(type, who, id)) WITHOUT ROWID;"
    "CREATE INDEX changes_seq ON changes(type, who, seq);"
    "CREATE INDEX changes_tombs ON changes(seq) WHERE destroyed;"
    "CREATE TABLE creations(caller TEXT NOT NULL, type TEXT NOT NULL, cid TEXT NOT NULL,"
    "  id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(caller, type, cid)) WITHOUT ROWID;"
    "CREATE INDEX creations_seq ON creations(seq);"
    "CREATE TABLE accounts(aid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    "  handle TEXT UNIQUE, json TEXT NOT NULL, country TEXT NOT NULL, role TEXT NOT NULL,"
    "  verified INTEGER NOT NULL DEFAULT 0, rating_sum INTEGER NOT NULL DEFAULT 0,"
    "  rating_count INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX accounts_country ON accounts(country);"
    /* rid is the change sequence of the listing's last write: newest first is rowid
     * order in listing_fts. pkey and rkey are its rowids in listing_ord (price order and
     * rating order), NULL while it is not indexed (paused). ix_verified is the seller mark
     * the index rows were built with, so they can be rebuilt exactly to delete them. */
    "CREATE TABLE listings(rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    "  seller_id TEXT NOT NULL, sku TEXT NOT NULL, json TEXT NOT NULL, status TEXT NOT NULL,"
    "  currency TEXT NOT NULL, price INTEGER NOT NULL, moq INTEGER NOT NULL,"
    "  pkey INTEGER UNIQUE, rkey INTEGER UNIQUE, ix_verified INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX listings_seller ON listings(seller_id, rid);"
    "CREATE VIRTUAL TABLE listing_fts USING fts5(title, body, facets, " FTS_OPTS ");"
    "CREATE VIRTUAL TABLE listing_ord USING fts5(doc, " FTS_OPTS ");"
    "CREATE TABLE rfqs(qid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    "  buyer_id TEXT NOT NULL, json TEXT NOT NULL, status TEXT NOT NULL, category TEXT,"
    "  destination TEXT, listing_id TEXT);"
    "CREATE INDEX rfqs_buyer ON rfqs(buyer_id, qid);"
    "CREATE TABLE conversations(cid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    "  p1 TEXT NOT NULL, p2 TEXT NOT NULL, json TEXT NOT NULL, listing_id TEXT, rfq_id TEXT,"
    "  order_id TEXT, updated TEXT NOT NULL);"
    "CREATE INDEX conversations_p1 ON conversations(p1, updated);"
    "CREATE INDEX conversations_p2 ON conversations(p2, updated);"
    "CREATE TABLE messages(mid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    "  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
    "  from_id TEXT NOT NULL, to_id TEXT NOT NULL, json TEXT NOT NULL, sent TEXT NOT NULL);"
    "CREATE INDEX messages_conv ON messages(conversation_id, sent);"
    "CREATE INDEX messages_from ON messages(from_id);"
    "CREATE INDEX messages_to ON messages(to_id);"
    "CREATE TABLE blobs(bid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,"
    "  owner TEXT, size INTEGER NOT NULL, created TEXT NOT NULL, data BLOB NOT NULL);",
    /* 2: the double-entry ledger (nledger.c). One row per ledger account and currency
     * (wallet:<accountId>, escrow:<orderId>, provider:<name>, fees) with its running
     * balance; transactions (ref: the caller's idempotency key, body: their entries in one
     * canonical line, to tell a true repeat from a clash) and their entries, which sum to
     * zero per currency. */
    "CREATE TABLE ledger_accounts(id TEXT NOT NULL, currency TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK(kind IN ('wallet', 'escrow', 'provider', 'fees')),"
    "  owner TEXT NOT NULL, balance INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY(id, currency)) WITHOUT ROWID;"
    "CREATE INDEX ledger_accounts_owner ON ledger_accounts(owner, kind);"
    "CREATE TABLE ledger_tx(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL, memo TEXT, created TEXT NOT NULL, ref TEXT UNIQUE,"
    "  body TEXT NOT NULL);"
    "CREATE TABLE ledger_entries(tx INTEGER NOT NULL REFERENCES ledger_tx(seq),"
    "  account TEXT NOT NULL, currency TEXT NOT NULL, amount INTEGER NOT NULL,"
    "  PRIMARY KEY(tx, account, currency)) WITHOUT ROWID;"
    "CREATE INDEX ledger_entries_account ON ledger_entries(account, tx);",
    /* 3: contracts (contract.c), private to their buyer and seller: the document as
     * canonical JSON, its state and, once binding, its order id. */
    "CREATE TABLE contracts(kid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    "  buyer_id TEXT NOT NULL, seller_id TEXT NOT NULL, json TEXT NOT NULL,"
    "  state TEXT NOT NULL, listing_id TEXT, order_id TEXT, updated TEXT NOT NULL);"
    "CREATE INDEX contracts_buyer ON contracts(buyer_id, updated);"
    "CREATE INDEX contracts_seller ON contracts(seller_id, updated);"
    "INSERT INTO states(type) VALUES('Contract');",
    /* 4: orders (order.c), one per binding contract, private to its buyer and seller: the
     * Order object as canonical JSON and the columns Order/query filters by. */
    "CREATE TABLE orders(oid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    "  contract_id TEXT NOT NULL, buyer_id TEXT NOT NULL, seller_id TEXT NOT NULL,"
    "  json TEXT NOT NULL, state TEXT NOT NULL, updated TEXT NOT NULL);"
    "CREATE INDEX orders_buyer ON orders(buyer_id, updated);"
    "CREATE INDEX orders_seller ON orders(seller_id, updated);"
    "INSERT INTO states(type) VALUES('Order');",
    /* 5: carriers (ncarrier.c) registered by the operator: a carrier's name (as orders name
     * it in their shipment) and the kontor account that may post its shipment events. */
    "CREATE TABLE carriers(name TEXT PRIMARY KEY COLLATE NOCASE,"
    "  account TEXT NOT NULL UNIQUE, created TEXT);",
    /* 6: the search kernel's ord table holds the title apart (as the client's does); the
     * index is filled again by nsearch_upgrade, and `price` is the price at the MOQ. */
    "DROP TABLE listing_ord;"
    "CREATE VIRTUAL TABLE listing_ord USING fts5(title, doc, " FTS_OPTS ");",
    /* 7: photo search (nphoto.c). A blob's 64-bit image hash (phash, NULL when it is no
     * image kontor reads; hashed once tried); one row per image of a listing with the hash
     * of its blob (NULL until the blob arrives), at the change sequence that wrote it, so
     * the in-memory scan reads only what is new; and scaled JPEG variants of image blobs. */
    "ALTER TABLE blobs ADD COLUMN phash INTEGER;"
    "ALTER TABLE blobs ADD COLUMN hashed INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE listing_photos(rid INTEGER NOT NULL, idx INTEGER NOT NULL,"
    "  blob TEXT NOT NULL, hash INTEGER, seq INTEGER NOT NULL,"
    "  PRIMARY KEY(rid, idx)) WITHOUT ROWID;"
    "CREATE INDEX listing_photos_seq ON listing_photos(seq);"
    "CREATE INDEX listing_photos_blob ON listing_photos(blob) WHERE hash IS NULL;"
    "CREATE TABLE blob_variants(vid INTEGER PRIMARY KEY, id TEXT NOT NULL,"
    "  width INTEGER NOT NULL, data BLOB NOT NULL, created TEXT NOT NULL,"
    "  UNIQUE(id, width));",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* Listing search statements share their WHERE: the MATCH expression, then exact checks
 * for rows in the edge buckets of range filters (kedge says whether phrase N of the
 * expression is in the row; -1 never is), so only those few rows touch the table. */
#define EDGE_WHERE(tab, key)                                                                       \
	" AND (kedge(" tab ", ?2) = 0 OR (SELECT price FROM listings WHERE " key " = " tab         \
	".rowid) >= ?3)"                                                                           \
	" AND (kedge(" tab ", ?4) = 0 OR (SELECT price FROM listings WHERE " key " = " tab         \
	".rowid) <= ?5)"                                                                           \
	" AND (kedge(" tab ", ?6) = 0 OR (SELECT moq FROM listings WHERE " key " = " tab           \
	".rowid) <= ?7)"
#define SCAN_MAIN                                                                                  \
	"SELECT rowid FROM listing_fts WHERE listing_fts MATCH ?1" EDGE_WHERE("listing_fts", "ri"  \
	                                                                                     "d")
#define SCAN_ORD(key)                                                                              \
	"SELECT rowid FROM listing_ord WHERE listing_ord MATCH ?1 AND rowid BETWEEN ?9 AND "       \
	"?10" EDGE_WHERE("listing_ord", key)
#define RFQ_WHERE                                                                                  \
	" WHERE (?1 IS NULL OR buyer_id = ?1) AND (?2 IS NULL OR status = ?2)"                     \
	" AND (?3 IS NULL OR category = ?3) AND (?4 IS NULL OR destination = ?4)"                  \
	" AND (?5 IS NULL OR listing_id = ?5)"
#define CONV_WHERE                                                                                 \
	" WHERE (p1 = ?1 OR p2 = ?1) AND (?2 IS NULL OR listing_id = ?2)"                          \
	" AND (?3 IS NULL OR rfq_id = ?3) AND (?4 IS NULL OR order_id = ?4)"                       \
	" AND (?5 IS NULL OR p1 = ?5 OR p2 = ?5)"
#define MSG_WHERE " WHERE (from_id = ?1 OR to_id = ?1) AND (?2 IS NULL OR conversation_id = ?2)"
#define CONTRACT_WHERE                                                                             \
	" WHERE (buyer_id = ?1 OR seller_id = ?1) AND (?2 IS NULL OR state = ?2)"                  \
	" AND (?3 IS NULL OR listing_id = ?3) AND (?4 IS NULL OR order_id = ?4)"                   \
	" AND (?5 IS NULL OR buyer_id = ?5 OR seller_id = ?5)"
#define ORDER_WHERE                                                                                \
	" WHERE (buyer_id = ?1 OR seller_id = ?1) AND (?2 IS NULL OR state = ?2)"                  \
	" AND (?3 IS NULL OR contract_id = ?3) AND (?4 IS NULL OR buyer_id = ?4 OR seller_id = "   \
	"?4)"
#define ACC_WHERE                                                                                  \
	" WHERE (?1 IS NULL OR country = ?1) AND (?2 IS NULL OR role = ?2)"                        \
	" AND (?3 < 0 OR verified = ?3) AND (?4 IS NULL OR handle = ?4)"
/* With a handle given: SQLite plans "?4 IS NULL OR handle = ?4" as a scan of every account
 * (0.2 s at 200,000), "handle = ?4" through the handle's index. */
#define ACC_WHERE_H                                                                                \
	" WHERE handle = ?4 AND (?1 IS NULL OR country = ?1) AND (?2 IS NULL OR role = ?2)"        \
	" AND (?3 < 0 OR verified = ?3)"

/* Category a holds b: b is a or starts with a's path and " > ". RELATED: either holds
 * the other. */
#define HOLDS_EQ(a, b) "(" b " = " a " OR substr(" b ", 1, length(" a ") + 3) = " a " || ' > ')"
#define RELATED(a, b) "(" HOLDS_EQ(a, b) " OR " HOLDS_EQ(b, a) ")"
/* An RFQ is a seller's, as her client's inbox says (inbox_rfq_hers): about one of her
 * listings, its category related to one of theirs, or its HS code's heading (six digits)
 * that of one of theirs. */
#define RFQ_HERS(r, l)                                                                             \
	"(" r ".listing_id = " l ".id OR " RELATED(                                                \
	    r ".category", "json_extract(" l ".json, '$.category')") " OR substr(json_extract(" r  \
	                                                             ".json, '$.hsCode'), 1, 6)"   \
	                                                             " = substr(json_extract(" l   \
	                                                             ".json, '$.hsCode'), 1, 6))"

static const char *const stmt_sql[S__COUNT] = {
    [S_SEQ_NEXT] = "UPDATE states SET seq = seq + 1 WHERE type = '*' RETURNING seq",
    [S_STATE_SET] = "UPDATE states SET seq = ?2 WHERE type = ?1",
    [S_STATE_GET] = "SELECT seq, horizon FROM states WHERE type = ?1",
    [S_STATE_ALL] = "SELECT type, seq FROM states WHERE type != '*'",
    /* The DO UPDATE expressions read the old row: a re-created object gets a new cseq. */
    [S_CHANGE_LOG] = "INSERT INTO changes(type, who, id, seq, cseq, destroyed)"
                     " VALUES(?1, ?2, ?3, ?4, ?4, ?5) ON CONFLICT(type, who, id) DO UPDATE SET"
                     " cseq = CASE WHEN changes.destroyed THEN excluded.seq ELSE changes.cseq END,"
                     " seq = excluded.seq, destroyed = excluded.destroyed",
    [S_CHANGES] = "SELECT id, seq, cseq, destroyed FROM changes"
                  " WHERE type = ?1 AND who = ?2 AND seq > ?3 ORDER BY seq LIMIT ?4",
    /* A scope's pull (Foo/changes with a filter, api.c): the same rows, of the objects the
     * filter holds, and every tombstone (a destroyed object's owner is gone with its row;
     * a client drops an id it never had). ?5 is the caller or a JSON array of categories.
     * Categories match as the client's inbox matches them: the same, or one holding the
     * other as whole steps of its path ("Furniture" holds "Furniture > Legs"). */
    [S_CHANGES_L_MINE] = "SELECT id, seq, cseq, destroyed FROM ("
                         "SELECT c.id, c.seq, c.cseq, c.destroyed FROM listings l JOIN changes c"
                         " ON c.type = ?1 AND c.who = ?2 AND c.id = l.id"
                         " WHERE l.seller_id = ?5 AND c.seq > ?3 UNION ALL"
                         " SELECT id, seq, cseq, destroyed FROM changes"
                         " WHERE destroyed AND type = ?1 AND who = ?2 AND seq > ?3)"
                         " ORDER BY seq LIMIT ?4",
    [S_CHANGES_L_CATS] =
        "SELECT c.id, c.seq, c.cseq, c.destroyed FROM changes c"
        " LEFT JOIN listings l ON l.id = c.id"
        " WHERE c.type = ?1 AND c.who = ?2 AND c.seq > ?3 AND (c.destroyed"
        " OR EXISTS (SELECT 1 FROM json_each(?5) j WHERE " HOLDS_EQ(
            "j.value", "json_extract(l.json, '$.category')") "))"
                                                             " ORDER BY c.seq LIMIT ?4",
    [S_CHANGES_R_MINE] =
        "SELECT c.id, c.seq, c.cseq, c.destroyed FROM changes c"
        " LEFT JOIN rfqs r ON r.id = c.id"
        " WHERE c.type = ?1 AND c.who = ?2 AND c.seq > ?3 AND (c.destroyed"
        " OR r.buyer_id = ?5 OR EXISTS (SELECT 1 FROM listings l"
        " WHERE l.seller_id = ?5 AND " RFQ_HERS("r", "l") "))"
                                                          " ORDER BY c.seq LIMIT ?4",
    [S_CHANGES_R_CATS] = "SELECT c.id, c.seq, c.cseq, c.destroyed FROM changes c"
                         " LEFT JOIN rfqs r ON r.id = c.id"
                         " WHERE c.type = ?1 AND c.who = ?2 AND c.seq > ?3 AND (c.destroyed"
                         " OR EXISTS (SELECT 1 FROM json_each(?5) j WHERE " RELATED(
                             "r.category", "j.value") "))"
                                                      " ORDER BY c.seq LIMIT ?4",
    /* The caller, and whoever it talks to, trades with, or whose RFQ its categories hold. */
    [S_CHANGES_A_MINE] =
        "SELECT id, seq, cseq, destroyed FROM changes"
        " WHERE type = ?1 AND who = ?2 AND seq > ?3 AND (destroyed OR id = ?5"
        " OR id IN (SELECT p2 FROM conversations WHERE p1 = ?5"
        " UNION SELECT p1 FROM conversations WHERE p2 = ?5"
        " UNION SELECT seller_id FROM contracts WHERE buyer_id = ?5"
        " UNION SELECT buyer_id FROM contracts WHERE seller_id = ?5"
        " UNION SELECT seller_id FROM orders WHERE buyer_id = ?5"
        " UNION SELECT buyer_id FROM orders WHERE seller_id = ?5"
        " UNION SELECT r.buyer_id FROM rfqs r WHERE EXISTS (SELECT 1"
        " FROM listings l WHERE l.seller_id = ?5 AND " RFQ_HERS("r", "l") ")))"
                                                                          " ORDER BY seq LIMIT ?4",
    [S_CRE_GET] = "SELECT id FROM creations WHERE caller = ?1 AND type = ?2 AND cid = ?3",
    [S_CRE_PUT] = "INSERT INTO creations(caller, type, cid, id, seq) VALUES(?1, ?2, ?3, ?4,"
                  " (SELECT seq FROM states WHERE type = '*')) ON CONFLICT DO NOTHING",
    [S_PRUNE_HORIZON] = "UPDATE states SET horizon = max(horizon, coalesce((SELECT max(c.seq)"
                        " FROM changes c WHERE c.type = states.type AND c.destroyed"
                        " AND c.seq <= ?1), 0)) WHERE type != '*'",
    [S_PRUNE_CHANGES] = "DELETE FROM changes WHERE destroyed AND seq <= ?1",
    [S_PRUNE_CREATIONS] = "DELETE FROM creations WHERE seq <= ?1",

    [S_GET_ACCOUNT] = "SELECT json, id, '' FROM accounts WHERE id = ?1",
    [S_GET_LISTING] = "SELECT json, seller_id, '' FROM listings WHERE id = ?1",
    [S_GET_RFQ] = "SELECT json, buyer_id, '' FROM rfqs WHERE id = ?1",
    [S_GET_CONVERSATION] = "SELECT json, p1, p2 FROM conversations WHERE id = ?1",
    [S_GET_MESSAGE] = "SELECT json, from_id, to_id FROM messages WHERE id = ?1",
    [S_GET_CONTRACT] = "SELECT json, buyer_id, seller_id FROM contracts WHERE id = ?1",
    [S_GET_ORDER] = "SELECT json, buyer_id, seller_id FROM orders WHERE id = ?1",
    [S_LIST_ACCOUNT] = "SELECT id, json FROM accounts ORDER BY aid DESC LIMIT ?1",
    [S_LIST_LISTING] = "SELECT id, json FROM listings ORDER BY rid DESC LIMIT ?1",
    [S_LIST_RFQ] = "SELECT id, json FROM rfqs ORDER BY qid DESC LIMIT ?1",
    [S_LIST_CONVERSATION] = "SELECT id, json FROM conversations WHERE p1 = ?2 OR p2 = ?2"
                            " ORDER BY updated DESC, cid DESC LIMIT ?1",
    [S_LIST_MESSAGE] = "SELECT id, json FROM messages WHERE from_id = ?2 OR to_id = ?2"
                       " ORDER BY mid DESC LIMIT ?1",
    [S_LIST_CONTRACT] = "SELECT id, json FROM contracts WHERE buyer_id = ?2 OR seller_id = ?2"
                        " ORDER BY updated DESC, kid DESC LIMIT ?1",
    [S_LIST_ORDER] = "SELECT id, json FROM orders WHERE buyer_id = ?2 OR seller_id = ?2"
                     " ORDER BY updated DESC, oid DESC LIMIT ?1",

    [S_A_PUT] = "INSERT INTO accounts(id, handle, json, country, role, verified, rating_sum,"
                " rating_count) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(id) DO UPDATE"
                " SET handle = excluded.handle, json = excluded.json, country = excluded.country,"
                " role = excluded.role, verified = excluded.verified,"
                " rating_sum = excluded.rating_sum, rating_count = excluded.rating_count",
    [S_A_STATE] = "SELECT verified, rating_sum, rating_count FROM accounts WHERE id = ?1",
    [S_A_HANDLE] = "SELECT id FROM accounts WHERE handle = ?1",
    [S_A_QUERY_ASC] = "SELECT id FROM accounts" ACC_WHERE " ORDER BY aid ASC LIMIT ?5 OFFSET ?6",
    [S_A_QUERY_DESC] = "SELECT id FROM accounts" ACC_WHERE " ORDER BY aid DESC LIMIT ?5 OFFSET ?6",
    [S_A_COUNT] = "SELECT count(*) FROM accounts" ACC_WHERE,
    [S_A_QUERY_H_ASC] =
        "SELECT id FROM accounts" ACC_WHERE_H " ORDER BY aid ASC LIMIT ?5 OFFSET ?6",
    [S_A_QUERY_H_DESC] =
        "SELECT id FROM accounts" ACC_WHERE_H " ORDER BY aid DESC LIMIT ?5 OFFSET ?6",
    [S_A_COUNT_H] = "SELECT count(*) FROM accounts" ACC_WHERE_H,

    [S_L_FIND] = "SELECT rid, pkey, rkey, json, ix_verified, seller_id FROM listings"
                 " WHERE id = ?1",
    [S_L_BY_RID] = "SELECT rid, pkey, rkey, json, ix_verified, seller_id FROM listings"
                   " WHERE rid = ?1",
    [S_L_ALL] = "SELECT rid FROM listings ORDER BY rid",
    [S_L_INSERT] = "INSERT INTO listings(rid, id, seller_id, sku, json, status, currency, price,"
                   " moq, pkey, rkey, ix_verified)"
                   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [S_L_DELETE] = "DELETE FROM listings WHERE rid = ?1",
    [S_L_OF_SELLER] = "SELECT rid FROM listings WHERE seller_id = ?1 AND pkey IS NOT NULL",
    [S_L_MAX_PKEY] = "SELECT max(pkey) FROM listings WHERE pkey BETWEEN ?1 AND ?2",
    [S_L_MAX_RKEY] = "SELECT max(rkey) FROM listings WHERE rkey BETWEEN ?1 AND ?2",
    [S_L_SET_KEYS] = "UPDATE listings SET pkey = ?2, rkey = ?3, ix_verified = ?4, price = ?5,"
                     " moq = ?6 WHERE rid = ?1",
    [S_L_SELLER_PAGE] = "SELECT id FROM listings WHERE seller_id = ?1"
                        " AND (?2 = 'all' OR status = ?2) ORDER BY rid DESC LIMIT ?3 OFFSET ?4",
    [S_L_SELLER_COUNT] = "SELECT count(*) FROM listings WHERE seller_id = ?1"
                         " AND (?2 = 'all' OR status = ?2)",
    [S_FTS_INSERT] = "INSERT INTO listing_fts(rowid, title, body, facets) VALUES(?1, ?2, ?3, ?4)",
    [S_FTS_DELETE] = "INSERT INTO listing_fts(listing_fts, rowid, title, body, facets)"
                     " VALUES('delete', ?1, ?2, ?3, ?4)",
    [S_ORD_INSERT] = "INSERT INTO listing_ord(rowid, title, doc) VALUES(?1, ?2, ?3)",
    [S_ORD_DELETE] = "INSERT INTO listing_ord(listing_ord, rowid, title, doc)"
                     " VALUES('delete', ?1, ?2, ?3)",
    [S_SCAN_MAIN_DESC] = SCAN_MAIN " ORDER BY rowid DESC LIMIT ?8",
    [S_SCAN_MAIN_ASC] = SCAN_MAIN " ORDER BY rowid ASC LIMIT ?8",
    [S_SCAN_P_ASC] = SCAN_ORD("pkey") " ORDER BY rowid ASC LIMIT ?8",
    [S_SCAN_P_DESC] = SCAN_ORD("pkey") " ORDER BY rowid DESC LIMIT ?8",
    [S_SCAN_R_ASC] = SCAN_ORD("rkey") " ORDER BY rowid ASC LIMIT ?8",
    [S_SCAN_R_DESC] = SCAN_ORD("rkey") " ORDER BY rowid DESC LIMIT ?8",
    [S_COUNT_MAIN] = "SELECT count(*) FROM (" SCAN_MAIN " LIMIT ?8)",
    [S_COUNT_P] = "SELECT count(*) FROM (" SCAN_ORD("pkey") " LIMIT ?8)",
    [S_ID_BY_RID] = "SELECT id FROM listings WHERE rid = ?1",
    [S_ID_BY_PKEY] = "SELECT id FROM listings WHERE pkey = ?1",
    [S_ID_BY_RKEY] = "SELECT id FROM listings WHERE rkey = ?1",

    [S_R_PUT] = "INSERT INTO rfqs(id, buyer_id, json, status, category, destination, listing_id)"
                " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(id) DO UPDATE SET"
                " buyer_id = excluded.buyer_id, json = excluded.json, status = excluded.status,"
                " category = excluded.category, destination = excluded.destination,"
                " listing_id = excluded.listing_id",
    [S_R_DELETE] = "DELETE FROM rfqs WHERE id = ?1",
    [S_R_QUERY_ASC] = "SELECT id FROM rfqs" RFQ_WHERE " ORDER BY qid ASC LIMIT ?6 OFFSET ?7",
    [S_R_QUERY_DESC] = "SELECT id FROM rfqs" RFQ_WHERE " ORDER BY qid DESC LIMIT ?6 OFFSET ?7",
    [S_R_COUNT] = "SELECT count(*) FROM rfqs" RFQ_WHERE,

    [S_C_PUT] = "INSERT INTO conversations(id, p1, p2, json, listing_id, rfq_id, order_id, updated)"
                " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(id) DO UPDATE SET"
                " json = excluded.json, listing_id = excluded.listing_id,"
                " rfq_id = excluded.rfq_id, order_id = excluded.order_id,"
                " updated = excluded.updated",
    [S_C_DELETE] = "DELETE FROM conversations WHERE id = ?1",
    [S_C_MESSAGES] = "SELECT id, from_id, to_id FROM messages WHERE conversation_id = ?1",
    [S_C_QUERY_ASC] = "SELECT id FROM conversations" CONV_WHERE
                      " ORDER BY updated ASC, cid ASC LIMIT ?6 OFFSET ?7",
    [S_C_QUERY_DESC] = "SELECT id FROM conversations" CONV_WHERE
                       " ORDER BY updated DESC, cid DESC LIMIT ?6 OFFSET ?7",
    [S_C_COUNT] = "SELECT count(*) FROM conversations" CONV_WHERE,
    [S_M_PUT] = "INSERT INTO messages(id, conversation_id, from_id, to_id, json, sent)"
                " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [S_M_DELETE] = "DELETE FROM messages WHERE id = ?1",
    [S_M_QUERY_ASC] =
        "SELECT id FROM messages" MSG_WHERE " ORDER BY sent ASC, mid ASC LIMIT ?3 OFFSET ?4",
    [S_M_QUERY_DESC] =
        "SELECT id FROM messages" MSG_WHERE " ORDER BY sent DESC, mid DESC LIMIT ?3 OFFSET ?4",
    [S_M_COUNT] = "SELECT count(*) FROM messages" MSG_WHERE,

    [S_K_PUT] = "INSERT INTO contracts(id, buyer_id, seller_id, json, state, listing_id, order_id,"
                " updated) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(id) DO UPDATE SET"
                " json = excluded.json, state = excluded.state, order_id = excluded.order_id,"
                " updated = excluded.updated",
    [S_K_QUERY_ASC] = "SELECT id FROM contracts" CONTRACT_WHERE
                      " ORDER BY updated ASC, kid ASC LIMIT ?6 OFFSET ?7",
    [S_K_QUERY_DESC] = "SELECT id FROM contracts" CONTRACT_WHERE
                       " ORDER BY updated DESC, kid DESC LIMIT ?6 OFFSET ?7",
    [S_K_COUNT] = "SELECT count(*) FROM contracts" CONTRACT_WHERE,

    [S_O_PUT] = "INSERT INTO orders(id, contract_id, buyer_id, seller_id, json, state, updated)"
                " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(id) DO UPDATE SET"
                " json = excluded.json, state = excluded.state, updated = excluded.updated",
    [S_O_QUERY_ASC] =
        "SELECT id FROM orders" ORDER_WHERE " ORDER BY updated ASC, oid ASC LIMIT ?5 OFFSET ?6",
    [S_O_QUERY_DESC] =
        "SELECT id FROM orders" ORDER_WHERE " ORDER BY updated DESC, oid DESC LIMIT ?5 OFFSET ?6",
    [S_O_COUNT] = "SELECT count(*) FROM orders" ORDER_WHERE,

    [S_B_PUT] = "INSERT INTO blobs(id, type, owner, size, created, data, phash, hashed)"
                " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 1) ON CONFLICT(id) DO NOTHING",
    [S_B_GET] = "SELECT type, data FROM blobs WHERE id = ?1",
    [S_B_HASH_GET] = "SELECT phash, hashed, data FROM blobs WHERE id = ?1",
    [S_B_HASH_SET] = "UPDATE blobs SET phash = ?2, hashed = 1 WHERE id = ?1",
    [S_P_INSERT] = "INSERT OR REPLACE INTO listing_photos(rid, idx, blob, hash, seq)"
                   " VALUES(?1, ?2, ?3, ?4, ?1)",
    [S_P_DELETE] = "DELETE FROM listing_photos WHERE rid = ?1",
    [S_P_FILL] = "UPDATE listing_photos SET hash = ?2, seq = ?3 WHERE blob = ?1 AND hash IS NULL",
    [S_P_SINCE] = "SELECT hash, rid, seq FROM listing_photos WHERE seq > ?1 AND hash IS NOT NULL",
    [S_P_COUNT] = "SELECT count(*) FROM listing_photos WHERE hash IS NOT NULL",
    [S_P_OF_ID] = "SELECT p.hash FROM listings l JOIN listing_photos p ON p.rid = l.rid"
                  " WHERE l.id = ?1 AND p.hash IS NOT NULL ORDER BY p.idx",
    [S_P_CHECK] =
        "SELECT rowid FROM listing_fts WHERE listing_fts MATCH ?1 AND rowid = ?8" EDGE_WHERE(
            "listing_fts", "rid"),
    [S_P_UNHASHED] = "SELECT rid, json FROM listings WHERE json LIKE '%\"images\"%'"
                     " AND rid NOT IN (SELECT rid FROM listing_photos) ORDER BY rid",
    [S_V_GET] = "SELECT data FROM blob_variants WHERE id = ?1 AND width = ?2",
    [S_V_PUT] = "INSERT INTO blob_variants(id, width, data, created) VALUES(?1, ?2, ?3, ?4)"
                " ON CONFLICT(id, width) DO NOTHING",

    [S_LG_BY_REF] = "SELECT id, body FROM ledger_tx WHERE ref = ?1",
    [S_LG_TX_PUT] = "INSERT INTO ledger_tx(id, kind, memo, created, ref, body)"
                    " VALUES(?1, ?2, ?3, ?4, ?5, ?6) RETURNING seq",
    [S_LG_ACC_ADD] = "INSERT INTO ledger_accounts(id, currency, kind, owner, balance)"
                     " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(id, currency) DO UPDATE"
                     " SET balance = balance + excluded.balance RETURNING balance",
    [S_LG_ENTRY_PUT] = "INSERT INTO ledger_entries(tx, account, currency, amount)"
                       " VALUES(?1, ?2, ?3, ?4)",
    [S_LG_BALANCE] = "SELECT balance FROM ledger_accounts WHERE id = ?1 AND currency = ?2",
    [S_LG_OWNED] = "SELECT currency, sum(balance) FROM ledger_accounts"
                   " WHERE owner = ?1 AND kind = ?2 GROUP BY currency ORDER BY currency",
    [S_LG_HISTORY] = "SELECT t.id, t.kind, t.memo, t.ref, t.created, e.currency, e.amount, t.seq,"
                     " (SELECT substr(x.account, 8) FROM ledger_entries x WHERE x.tx = e.tx"
                     " AND x.account LIKE 'escrow:%' LIMIT 1)"
                     " FROM ledger_entries e JOIN ledger_tx t ON t.seq = e.tx"
                     " WHERE e.account = ?1 ORDER BY e.tx DESC, e.currency LIMIT ?2 OFFSET ?3",
    [S_LG_HISTORY_COUNT] = "SELECT count(*) FROM ledger_entries WHERE account = ?1",
    [S_LG_STATE] = "SELECT coalesce(max(seq), 0) FROM ledger_tx",
    [S_LG_STATE_OF] = "SELECT coalesce(max(tx), 0) FROM ledger_entries WHERE account = ?1"
                      " OR account IN (SELECT id FROM ledger_accounts WHERE owner = ?2"
                      " AND kind = 'escrow')"
                      " OR account IN (SELECT 'escrow:' || id FROM orders WHERE seller_id = ?2)",
    [S_LG_CHECK_SUMS] = "SELECT t.id, e.currency, sum(e.amount) FROM ledger_entries e"
                        " JOIN ledger_tx t ON t.seq = e.tx GROUP BY e.tx, e.currency"
                        " HAVING sum(e.amount) != 0 LIMIT 1",
    [S_LG_CHECK_BALANCES] = "SELECT a.id, a.currency, a.balance, (SELECT coalesce(sum(e.amount), 0)"
                            " FROM ledger_entries e WHERE e.account = a.id"
                            " AND e.currency = a.currency) AS s FROM ledger_accounts a"
                            " WHERE a.balance != s OR (a.kind IN ('wallet', 'escrow')"
                            " AND a.balance < 0) LIMIT 1",
    [S_LG_ESCROWS] = "SELECT o.id, CASE WHEN o.buyer_id = ?1 THEN 'buyer' ELSE 'seller' END,"
                     " a.currency, a.balance FROM orders o"
                     " JOIN ledger_accounts a ON a.id = 'escrow:' || o.id"
                     " WHERE (o.buyer_id = ?1 OR o.seller_id = ?1) AND a.balance != 0"
                     " ORDER BY o.updated DESC, o.oid DESC LIMIT ?2",
    [S_LG_PAYOUTS] = "SELECT t.id, t.created, t.ref, substr(e.account, 8), e.currency, -e.amount,"
                     " (SELECT p.account FROM ledger_entries p WHERE p.tx = t.seq"
                     " AND p.account LIKE 'provider:%' LIMIT 1)"
                     " FROM ledger_entries e JOIN ledger_tx t ON t.seq = e.tx"
                     " WHERE t.kind = 'payout' AND e.account LIKE 'wallet:%'"
                     " AND (?1 IS NULL OR e.account = ?1) ORDER BY t.seq DESC",
};

/* ---------------------------------------------------------------- connections */

static void conn_close(struct nconn *c)
{
	if (!c)
		return;
	nsearch_detach(c);
	kdb_close(&c->k);
	free(c);
}

/* Thread exit: the connection goes with its thread. */
static void conn_destructor(void *p)
{
	struct nconn *c = p;
	struct nstore *s = c->s;
	pthread_mutex_lock(&s->lock);
	for (struct nconn **pp = &s->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
	conn_close(c);
}

static int conn_open(struct nstore *s, int create, struct nconn **out, struct kerr *e)
{
	struct nconn *c = xcalloc(1, sizeof *c);
	c->s = s;
	/* mmap keeps index pages out of the pread() path: queries are most of the load (SQLite
	 * clamps the size to its own ceiling). */
	const struct kdb_opts o = {
	    .sql = stmt_sql,
	    .nsql = S__COUNT,
	    .setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	             " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
	             " PRAGMA cache_size=-32768; PRAGMA mmap_size=68719476736;",
	    .create = create,
	    .nomutex = 1,
	};
	int rc = kdb_open(&c->k, s->path, &o, e);
	c->db = c->k.db;
	if (!rc)
		rc = nsearch_attach(c, e);
	if (rc) {
		conn_close(c);
		return rc;
	}
	*out = c;
	return K_OK;
}

static void conn_register(struct nstore *s, struct nconn *c)
{
	pthread_mutex_lock(&s->lock);
	c->next = s->conns;
	s->conns = c;
	pthread_mutex_unlock(&s->lock);
	pthread_setspecific(s->key, c);
}

struct nconn *nstore_conn(struct nstore *s, struct kerr *e)
{
	struct nconn *c = pthread_getspecific(s->key);
	if (c)
		return c;
	if (conn_open(s, 0, &c, e) != K_OK)
		return NULL;
	conn_register(s, c);
	return c;
}

sqlite3_stmt *nstore_conn_stmt(struct nstore *s, enum nst id, const char *key, struct nconn **c,
                               struct kerr *e)
{
	*c = nstore_conn(s, e);
	sqlite3_stmt *st = *c ? nstore_stmt(*c, id, e) : NULL;
	if (st && key)
		nstore_bind_text(st, 1, key);
	return st;
}

/* ---------------------------------------------------------------- open and close */

/* SQLite's allocation statistics take one process-wide mutex on every malloc: with a
 * connection per thread that lock is the hottest thing in a query. Only possible before
 * SQLite initialises; later it is a harmless no-op. */
static void sqlite_config_once(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int nstore_open(const char *path, int create, struct nstore **out, struct kerr *e)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_config_once);
	*out = NULL;
	struct stat sb;
	if (!create && stat(path, &sb) != 0)
		return kerr_set(e, K_ENOTFOUND, "%s: no such database (run kontord init)", path);
	/* Made 0600 whatever the umask; SQLite gives -wal, -shm and -journal the db's mode. */
	int mfd = create ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
	if (mfd >= 0) {
		if (fstat(mfd, &sb) == 0 && sb.st_size == 0)
			fchmod(mfd, 0600); /* a file it cannot take shows when SQLite opens it */
		close(mfd);
	}
	struct nstore *s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	if (pthread_key_create(&s->key, conn_destructor) != 0) {
		free(s->path);
		free(s);
		return kerr_set(e, K_EFAIL, "%s: cannot make a thread key", path);
	}
	pthread_mutex_init(&s->lock, NULL);
	s->qcache = nsearch_cache_new();
	s->photos = nphoto_ix_new();
	struct nconn *c;
	int rc = conn_open(s, create, &c, e);
	if (rc) {
		nstore_close(&s);
		return rc;
	}
	conn_register(s, c);
	if ((rc = kdb_migrate(&c->k, migrations, SCHEMA_VERSION, "kontord", e)) ||
	    (rc = nsearch_upgrade(c, e)) || (rc = nphoto_upgrade(c, e))) {
		nstore_close(&s);
		return rc;
	}
	*out = s;
	return K_OK;
}

void nstore_close(struct nstore **sp)
{
	struct nstore *s = sp ? *sp : NULL;
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	struct nconn *c = s->conns;
	s->conns = NULL;
	pthread_mutex_unlock(&s->lock);
	pthread_setspecific(s->key, NULL);
	/* After this no thread exit calls the destructor for this store. */
	pthread_key_delete(s->key);
	while (c) {
		struct nconn *next = c->next;
		conn_close(c);
		c = next;
	}
	nsearch_cache_free(&s->qcache);
	nphoto_ix_free(&s->photos);
	pthread_mutex_destroy(&s->lock);
	free(s->path);
	free(s);
	*sp = NULL;
}

/* ---------------------------------------------------------------- transactions and meta */

/* Each is the kernel's call on the calling thread's connection. */
#define ON_CONN(call)                                                                              \
	struct nconn *c = nstore_conn(s, e);                                                       \
	return c ? (call) : K_EDB
#define ON_CONN_VOID(call)                                                                         \
	struct nconn *c = nstore_conn(s, NULL);                                                    \
	if (c)                                                                                     \
	call

int nstore_begin(struct nstore *s, struct kerr *e)
{
	ON_CONN(kdb_begin(&c->k, e));
}

int nstore_commit(struct nstore *s, struct kerr *e)
{
	ON_CONN(kdb_commit(&c->k, e));
}

void nstore_rollback(struct nstore *s)
{
	ON_CONN_VOID(kdb_rollback(&c->k));
}

int nstore_read_begin(struct nstore *s, struct kerr *e)
{
	ON_CONN(kdb_read_begin(&c->k, e));
}

void nstore_read_end(struct nstore *s)
{
	ON_CONN_VOID(kdb_read_end(&c->k));
}

int nstore_savepoint(struct nstore *s, struct kerr *e)
{
	ON_CONN(kdb_savepoint(&c->k, e));
}

int nstore_release(struct nstore *s, struct kerr *e)
{
	ON_CONN(kdb_release(&c->k, e));
}

void nstore_rollback_to(struct nstore *s)
{
	ON_CONN_VOID(kdb_rollback_to(&c->k));
}

int nstore_meta_get(struct nstore *s, const char *key, char **out, struct kerr *e)
{
	*out = NULL;
	ON_CONN(kdb_meta_get(&c->k, key, out, e));
}

int nstore_meta_set(struct nstore *s, const char *key, const char *value, struct kerr *e)
{
	ON_CONN(kdb_meta_set(&c->k, key, value, e));
}

/* ---------------------------------------------------------------- blobs */

int nstore_blob_put(struct nstore *s, const void *data, size_t len, const char *type,
                    const char *owner, char id_out[KCRYPTO_HASH_B64_LEN + 1], struct kerr *e)
{
	struct nconn *c = nstore_conn(s, e);
	if (!c)
		return K_EDB;
	if (len > (size_t)INT32_MAX)
		return kerr_set(e, K_ETOOBIG, "blob of %zu bytes is too large", len);
	kcrypto_hash_b64url(data, len, id_out);
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	/* An image is hashed as it arrives, before the write lock is taken (milliseconds). */
	uint64_t phash;
	int is_image = nphoto_hash_blob(data, len, &phash);
	sqlite3_stmt *st;
	int rc = nstore_wstmt(c, S_B_PUT, &st, e);
	if (rc)
		return rc;
	nstore_bind_text(st, 1, id_out);
	nstore_bind_text(st, 2, type && *type ? type : "application/octet-stream");
	nstore_bind_text(st, 3, owner);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)len);
	nstore_bind_text(st, 5, now);
	sqlite3_bind_blob(st, 6, len ? data : "", (int)len, SQLITE_STATIC);
	if (is_image)
		sqlite3_bind_int64(st, 7, (sqlite3_int64)phash);
	rc = nstore_exec_stmt(c, st, e, "storing a blob");
	if (!rc && is_image)
		rc = nphoto_blob_arrived(c, id_out, phash, e);
	return nstore_wend(c, rc, e);
}

int nstore_blob_get(struct nstore *s, const char *id, struct kbuf *data, char type[64],
                    struct kerr *e)
{
	struct nconn *c = nstore_conn(s, e);
	if (!c)
		return K_EDB;
	sqlite3_stmt *st;
	int rc = kdb_one_key(&c->k, S_B_GET, id, "reading a blob", &st, e);
	if (rc == K_ENOTFOUND)
		return kerr_set(e, K_ENOTFOUND, "no blob %.*s", KCRYPTO_HASH_B64_LEN, id);
	if (rc == K_OK) {
		nstore_col_copy(st, 0, type, 64);
		const void *p = sqlite3_column_blob(st, 1);
		int n = sqlite3_column_bytes(st, 1);
		kbuf_reset(data);
		if (n > 0)
			kbuf_append(data, p, (size_t)n);
		sqlite3_reset(st);
	}
	return rc;
}

int64_t nstore_db_size(struct nstore *s)
{
	struct stat sb;
	int64_t size = 0;
	if (stat(s->path, &sb) == 0)
		size += (int64_t)sb.st_size;
	struct kbuf wal = KBUF_INIT;
	kbuf_printf(&wal, "%s-wal", s->path);
	if (stat(kbuf_str(&wal), &sb) == 0)
		size += (int64_t)sb.st_size;
	kbuf_free(&wal);
	return size;
}
