/* store — the client's cache: one SQLite file (cache.db, WAL) with ordered migrations and a
 * schema version; a database written by a newer kontor is refused. All of the client's SQL
 * lives under store/; nothing above it sees sqlite3. Every screen reads from here. */
#ifndef KONTOR_STORE_H
#define KONTOR_STORE_H

#include <stdint.h>

#include "db/ksearch_query.h"
#include "kontor/err.h"
#include "kontor/model.h"

#include <cjson/cJSON.h>

struct store;

/* Opens (creating when absent) and migrates. K_ENEWER when the file's schema version is
 * newer than this program's; K_EDB naming the file for anything SQLite refuses. */
int store_open(const char *path, struct store **out, struct kerr *e);
void store_close(struct store **s);
int store_schema_version(struct store *s); /* the version of this program's schema */

/* One transaction around several writes (a local effect and its outbox entry). */
int store_begin(struct store *s, struct kerr *e);
int store_commit(struct store *s, struct kerr *e);
void store_rollback(struct store *s);

/* For a bulk load (the initial pull of a node's listings, a benchmark fill): on = 1 raises
 * the page cache to 128 MiB so a million inserts into random places of the indexes do not
 * rewrite each index page once per transaction; on = 0 returns to the normal budget and
 * releases that memory. Run store_search_optimize after. */
int store_bulk_load(struct store *s, int on, struct kerr *e);

/* Small key/value table for settings and per-node sync state. *out is malloc'd. */
int store_meta_get(struct store *s, const char *key, char **out, struct kerr *e);
int store_meta_set(struct store *s, const char *key, const char *value, struct kerr *e);

/* --- listings ---------------------------------------------------------------- */
/* Insert or replace by id, keeping the FTS index and filter tokens in step. node may be
 * NULL (not yet on any node). The listing is stored as its JSON with sig. */
int store_listing_put(struct store *s, const struct listing *l, const char *node, struct kerr *e);
/* A summary (no signature) whose JSON j does not say its unit: l's unit is not known (""),
 * not the pieces listing_from_json takes for a listing that says none. */
void store_summary_unit(const cJSON *j, struct listing *l);
/* The first field the cache files a listing by that l lacks ("sellerId"), NULL when none:
 * store_listing_put refuses a listing without one. */
const char *store_listing_missing(const struct listing *l);
/* K_ENOTFOUND when absent; out is initialised by this call. */
int store_listing_get(struct store *s, const char *id, struct listing *out, struct kerr *e);
int store_listing_delete(struct store *s, const char *id, struct kerr *e);
/* Calls cb for each listing of seller_id in sku order (NULL = all, by seller then sku);
 * cb returning non-zero stops the walk and that value is returned. */
typedef int (*store_listing_cb)(void *ctx, const struct listing *l);
int store_listing_each(struct store *s, const char *seller_id, store_listing_cb cb, void *ctx,
                       struct kerr *e);
int64_t store_listing_count(struct store *s);
/* seller_id's listings' categories and HS headings ("HS 730830"), each once, sorted, joined
 * by newlines into *out (malloc'd; "" when none names one): what her RFQs in scope mine
 * depend on. */
int store_listing_categories(struct store *s, const char *seller_id, char **out, struct kerr *e);

enum search_sort { SEARCH_RELEVANCE, SEARCH_PRICE, SEARCH_RATING, SEARCH_NEWEST };

struct search_query {
	/* What is found (db/ksearch_query.h), as Listing/query finds it on a node. The cache
	 * files no seller and keeps no price floor: filter.seller_id must be NULL and
	 * filter.min_price -1 (K_EINVAL else). */
	struct ksearch_query filter;
	enum search_sort sort;
	int limit; /* 1..500 */
	int offset;
};

struct search_hit {
	char id[MODEL_LISTING_ID_LEN + 1];
	char seller_id[KCRYPTO_ID_LEN + 1];
	char *title; /* owned by the result */
	char currency[4];
	int64_t price; /* the unit price at the MOQ: what the smallest order pays */
	int64_t best;  /* the lowest unit price of any tier (shown "from" where it differs) */
	int64_t moq;
	char unit[4]; /* UN/ECE Rec 20, as the listing says it; "" when the cache does not know */
	char country[3];
	int verified;
	double rating;
	int64_t rating_count;
	char updated[MODEL_TIME_LEN + 1];
};

struct search_result {
	struct search_hit *hits;
	size_t n;
	int64_t total; /* matches (may be capped: see total_capped) */
	int total_capped;
};
void search_result_free(struct search_result *r);
/* K_EINVAL for a query the index cannot take (names the word). Only active listings are
 * found. total stops at 1000 (total_capped). Relevance = query words in the title, then
 * newest; price = cheapest at the MOQ first within a currency (by currency code when none
 * is given); rating = seller rating, then rating count, then newest. The last word also
 * matches as a prefix when the whole word finds nothing. Results are cached until the next
 * write. Text is folded as searchtext folds it (case, diacritics, е/ё, ß/ss). */
int store_search(struct store *s, const struct search_query *q, struct search_result *out,
                 struct kerr *e);
/* One listing as a search hit (for results in another's order: the node's, with --remote).
 * K_ENOTFOUND when it is not in the cache; out->title is the caller's to free. */
int store_search_hit(struct store *s, const char *id, struct search_hit *out, struct kerr *e);
/* Merges each search index into one segment, so a query reads one b-tree per term: run it
 * after a bulk load (an initial pull, a benchmark fill). Seconds for a million listings. */
int store_search_optimize(struct store *s, struct kerr *e);

/* --- accounts (profiles seen, our own included) -------------------------------- */
/* The seller is "verified" for search while a->attestation is present and its "expires" is
 * in the future: the caller (sync) has already checked its signature against the node keys
 * it trusts and dropped one that failed. A change of verified or rating re-indexes that
 * seller's listings. */
int store_account_put(struct store *s, const struct account *a, struct kerr *e);
int store_account_get(struct store *s, const char *id, struct account *out, struct kerr *e);

/* --- the outbox ---------------------------------------------------------------
 * Every user action, written in the same transaction as its local effect. */
struct outbox_item {
	int64_t seq;
	char creation_id[40]; /* unique, made at enqueue time */
	char *method;         /* "Listing/set" */
	char *op;             /* "create", "update", "destroy" */
	char *object_id;
	char *payload; /* JSON text */
	char *node;    /* may be NULL: the current node at push time */
	char created[MODEL_TIME_LEN + 1];
	int attempts;
	char *last_error; /* NULL when none: "type: description" for a node's refusal */
	char *error_type; /* the node's SetError type ("stateConflict"), NULL when none */
};
void outbox_item_free(struct outbox_item *it);
/* creation_id_out may be NULL. */
int store_outbox_add(struct store *s, const char *method, const char *op, const char *object_id,
                     const char *payload, const char *node, char creation_id_out[40],
                     struct kerr *e);
typedef int (*store_outbox_cb)(void *ctx, const struct outbox_item *it);
int store_outbox_each(struct store *s, store_outbox_cb cb, void *ctx, struct kerr *e);
int64_t store_outbox_count(struct store *s);
int store_outbox_done(struct store *s, int64_t seq, struct kerr *e);
int store_outbox_fail(struct store *s, int64_t seq, const char *error, struct kerr *e);
/* The node refused entry seq: its SetError type and description, kept for `outbox retry`
 * or `outbox drop`. A refused Contract/set update that appended order steps takes them out
 * of the cached contract again, which then says what the node holds. */
int store_outbox_refused(struct store *s, int64_t seq, const char *type, const char *desc,
                         struct kerr *e);
int store_outbox_drop(struct store *s, int64_t seq, struct kerr *e);

/* --- nodes (store/nodes.c) ----------------------------------------------------
 * The nodes this client syncs with. The current one is the meta key "node". */
struct node_info {
	char *name;
	char *url;       /* https://host:port */
	char *ca_file;   /* NULL = the system's CAs; a relative path is under the home */
	char *node_key;  /* pinned on first contact */
	char *tls_pin;   /* the TLS public key pinned with it, "sha256//..."; NULL before */
	char *session;   /* the session JSON last fetched (limits), may be NULL */
	char *last_sync; /* RFC 3339, NULL before the first */
	int64_t bytes_up, bytes_down;
	char added[MODEL_TIME_LEN + 1];
	char *scope; /* what a sync pulls: NULL or "market", "mine", or a JSON array of
	              * categories (see store_node_set_scope) */
};
void node_info_free(struct node_info *n);
/* Sets what a sync pulls from the node (scope as in node_info) and forgets the sync state
 * of the types it filters (Account, Listing, Rfq), so the next sync pulls what the new
 * scope holds. K_ENOTFOUND when there is no such node. */
int store_node_set_scope(struct store *s, const char *name, const char *scope, struct kerr *e);
int store_node_add(struct store *s, const struct node_info *n, struct kerr *e); /* K_EEXIST */
int store_node_get(struct store *s, const char *name, struct node_info *out, struct kerr *e);
typedef int (*store_node_cb)(void *ctx, const struct node_info *n);
int store_node_each(struct store *s, store_node_cb cb, void *ctx, struct kerr *e);
/* Removes the node, its sync states and its queued outbox entries. */
int store_node_rm(struct store *s, const char *name, struct kerr *e);
/* Pins the node's TLS key (learned for a node added before TLS pins). */
int store_node_set_tls_pin(struct store *s, const char *name, const char *tls_pin, struct kerr *e);
/* `node add --replace`: url, keys, session and (unless n->ca_file is NULL) the CA file of
 * the node n->name replaced; its queued actions stay; its sync states go when
 * reset_states (a node with another key). */
int store_node_replace(struct store *s, const struct node_info *n, int reset_states,
                       struct kerr *e);
/* After a sync: bytes added, session replaced when not NULL, and last_sync = now when the
 * node answered everything asked of it (a sync cut off leaves the last one that did). */
int store_node_synced(struct store *s, const char *name, int answered, int64_t up, int64_t down,
                      const char *session, struct kerr *e);
/* Whether the session kept for node was fetched more than max_age_s ago (or when is not
 * known: before this was kept, or the clock went back): 1 asks a sync to fetch it again.
 * Adding, replacing and syncing a node with a session mark it fetched now. */
int store_node_session_stale(struct store *s, const char *name, int64_t max_age_s);
/* The kept session is out of date: the next sync fetches it again. */
int store_node_session_expire(struct store *s, const char *name, struct kerr *e);
/* Per node and type: the state string of the last page committed. *out malloc'd, NULL
 * when there is none yet (K_OK). */
int store_sync_state_get(struct store *s, const char *node, const char *type, char **out,
                         struct kerr *e);
int store_sync_state_set(struct store *s, const char *node, const char *type, const char *state,
                         struct kerr *e);

/* --- private and small objects from the node: Rfq, Conversation, Message, Contract
 * Stored as their JSON; the columns the screens sort and filter by come from it (a
 * Contract's state: offer, countered, binding or cancelled; newest put first). */
int store_object_put(struct store *s, const char *type, const cJSON *obj, const char *node,
                     const char *self_id, struct kerr *e);
int store_object_delete(struct store *s, const char *type, const char *id, struct kerr *e);
/* K_ENOTFOUND when absent. *out is the parsed JSON (caller deletes). */
int store_object_get(struct store *s, const char *type, const char *id, cJSON **out,
                     struct kerr *e);
/* Walks a type newest first (Message: oldest first within parent, the conversation id;
 * Order: parent is a state to keep; parent NULL = all). */
typedef int (*store_object_cb)(void *ctx, const cJSON *obj);
int store_object_each(struct store *s, const char *type, const char *parent, store_object_cb cb,
                      void *ctx, struct kerr *e);

/* The orders seller sold that changed at or after since (RFC 3339), newest first: what
 * her stock may not have counted yet (client/stock.c). */
int store_orders_sold_since(struct store *s, const char *seller, const char *since,
                            store_object_cb cb, void *ctx, struct kerr *e);

/* Conversation unread counts: messages from the other side add one; reading clears. */
int store_conversation_read(struct store *s, const char *id, struct kerr *e);
/* The conversation's last message (the newest sent) to cb; none when it has none. */
int store_conversation_last(struct store *s, const char *id, store_object_cb cb, void *ctx,
                            struct kerr *e);
int store_conversation_unread(struct store *s, const char *id);

/* Outbox entries that failed go back in line (seq 0 = all of them). K_ENOTFOUND when seq
 * names none. */
int store_outbox_retry(struct store *s, int64_t seq, struct kerr *e);

/* Another connection (a background sync's) wrote the file: drop what this one cached
 * (search results, counts). */
void store_changed_elsewhere(struct store *s);

/* --- translations (store/translations.c): by target language and the text's hash
 * (kcrypto_hash_b64url). get: K_ENOTFOUND when absent; *text and *detected (may be NULL;
 * "" when unknown) malloc'd. */
int store_translation_get(struct store *s, const char *lang, const char *hash, char **text,
                          char **detected, struct kerr *e);
int store_translation_put(struct store *s, const char *lang, const char *hash, const char *text,
                          const char *detected, struct kerr *e);

#endif
