/* store/names — the cache's side of taking what a person knows for an id (cmd/resolve.c):
 * ids by a prefix, one's own listings by SKU, accounts by handle, and every cached account's
 * names for a prefix of a name. Only lookups: which match wins, and what is ambiguous, is
 * resolve.c's. */
#ifndef KONTOR_STORE_NAMES_H
#define KONTOR_STORE_NAMES_H

#include <stddef.h>

#include "kontor/err.h"
#include "store.h"

#define NAMES_HITS_MAX 32 /* ids collected for one lookup; past that only "more" */
#define NAMES_ID_MAX 64

struct names_hits {
	size_t n;
	int more; /* there were more than NAMES_HITS_MAX */
	char id[NAMES_HITS_MAX][NAMES_ID_MAX + 1];
};

enum names_table {
	NAMES_LISTINGS,
	NAMES_ACCOUNTS,
	NAMES_ORDERS,
	NAMES_CONTRACTS,
	NAMES_RFQS,
	NAMES_CONVERSATIONS,
};

/* Adds the ids of table that start with prefix (1..NAMES_ID_MAX of A-Z a-z 0-9 - _; K_EINVAL
 * otherwise), an index range read. Ids already in out are not added twice. */
int store_names_id_prefix(struct store *s, enum names_table t, const char *prefix,
                          struct names_hits *out, struct kerr *e);
/* Adds seller_id's listings whose sku, or whose sellerSku (the SKU as the seller wrote it),
 * is sku: exactly (NAMES_SKU_EXACT), ignoring ASCII case (NAMES_SKU_NOCASE), or starts with
 * it ignoring ASCII case, a variant's SKU too (NAMES_SKU_START: "RAIL" of RAIL-01). */
enum { NAMES_SKU_EXACT, NAMES_SKU_NOCASE, NAMES_SKU_START };
int store_names_sku(struct store *s, const char *seller_id, const char *sku, int match,
                    struct names_hits *out, struct kerr *e);
/* Adds seller_id's listings (any seller's when seller_id is NULL) that have a variant whose
 * sku or sellerSku is sku, ignoring ASCII case: a variant's SKU names its listing. */
int store_names_variant_sku(struct store *s, const char *seller_id, const char *sku,
                            struct names_hits *out, struct kerr *e);
/* Adds the SKU of one of seller_id's listings when she has some and none of them names a
 * category (nothing when one does). */
int store_names_uncategorised(struct store *s, const char *seller_id, struct names_hits *out,
                              struct kerr *e);
/* Adds the listings of any seller whose sku is sku, exactly or ignoring ASCII case: how a
 * buyer names a listing by the SKU that listing show and the listing view print. */
int store_names_sku_any(struct store *s, const char *sku, int nocase, struct names_hits *out,
                        struct kerr *e);
/* Calls cb with the id and title of each of seller_id's cached listings, whatever their
 * status (a paused one is named by its title too); cb returning non-zero stops the walk. */
typedef int (*store_names_title_cb)(void *ctx, const char *id, const char *title);
int store_names_titles_each(struct store *s, const char *seller_id, store_names_title_cb cb,
                            void *ctx, struct kerr *e);
/* Adds the accounts whose handle is handle (lower case, without '@'), or starts with it when
 * prefix is set. */
int store_names_handle(struct store *s, const char *handle, int prefix, struct names_hits *out,
                       struct kerr *e);
/* Calls cb with every cached account's id, handle, display name and legal name (each may be
 * NULL but id), in id order; cb returning non-zero stops the walk with that value. */
typedef int (*store_names_account_cb)(void *ctx, const char *id, const char *handle,
                                      const char *display_name, const char *legal_name);
int store_names_accounts_each(struct store *s, store_names_account_cb cb, void *ctx,
                              struct kerr *e);
/* The same for the cached accounts on the other side of one of self's orders or contracts. */
int store_names_peers_each(struct store *s, const char *self, store_names_account_cb cb, void *ctx,
                           struct kerr *e);
/* Adds the orders (t NAMES_ORDERS) or contracts (NAMES_CONTRACTS) between self and peer, the
 * one buying and the other selling either way round, the latest first. */
int store_names_between(struct store *s, enum names_table t, const char *self, const char *peer,
                        struct names_hits *out, struct kerr *e);
/* The same, every one of them, through cb: a negative return is an error that ends the walk
 * with that value, a positive one stops it (K_OK). */
typedef int (*store_names_id_cb)(void *ctx, const char *id);
int store_names_between_each(struct store *s, enum names_table t, const char *self,
                             const char *peer, store_names_id_cb cb, void *ctx, struct kerr *e);
/* Calls cb with each cached contract the cache calls binding that no cached Order names as
 * its contract yet (an order just made binding, before a pull brings its Order). */
int store_names_unpulled_orders_each(struct store *s, store_object_cb cb, void *ctx,
                                     struct kerr *e);

#endif
