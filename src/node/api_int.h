/* api_int — what api.c and the per-type files (account.c, listing.c, rfq.c,
 * conversation.c) share: the call context, JMAP method errors and SetErrors, and the type
 * table that lets one generic get/changes/set/query serve every type. Nothing here talks
 * SQL; the store does. */
#ifndef KONTOR_API_INT_H
#define KONTOR_API_INT_H

#include <cjson/cJSON.h>

#include "kontor/err.h"
#include "node.h"
#include "store/nstore.h"

/* A method-level error: ["error", {type, description}, callId]. */
struct api_err {
	const char *type; /* "invalidArguments", "forbidden", ... */
	char desc[KERR_MSG_MAX];
};
/* Fills err; returns -1 so handlers write `return api_fail(err, ...)`. */
int api_fail(struct api_err *err, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A per-object SetError: {type, description, properties: [prop]}. */
struct api_seterr {
	const char *type; /* "invalidProperties", "forbidden", "notFound", ... */
	char prop[64];    /* the property at fault ("" when none) */
	char desc[KERR_MSG_MAX];
};
int api_setfail(struct api_seterr *se, const char *type, const char *prop, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* invalidProperties from a model/validation error: the property is the first word of the
 * message ("priceTiers[1].minQty: ..." names priceTiers). */
int api_setfail_kerr(struct api_seterr *se, const struct kerr *e);

struct api_ctx {
	struct node *n;
	struct nstore *s;
	const char *caller; /* the verified account id, or NULL for anonymous */
	cJSON *created_ids; /* creation id -> id made in this request, for "#cid" */
};

/* "#cid" made earlier in this request becomes its id; anything else is returned as is. */
const char *api_resolve_id(struct api_ctx *c, const char *id);
/* 1 when an item of the get's ids before id resolves to the same id: the same id twice is
 * answered once. */
int api_id_repeated(struct api_ctx *c, const cJSON *ids, const cJSON *id);

/* A type kept outside the object store (Wallet, in the ledger): the generic Foo/set runs
 * its frame (arguments, transaction, ifInState, the answer's maps, commit) and asks this
 * for the rest. Each *_one adds its item's answer to r's maps (api_map_add) and sets
 * *changed when it changed something; non-zero only when the store failed (e filled). */
struct api_own_set {
	const char *name;     /* "Wallet", as in "Wallet/set: ..." */
	const char *state_of; /* the stateMismatch's subject: "the wallet" */
	int (*state)(struct api_ctx *c, int64_t *out, struct kerr *e);
	int (*create_one)(struct api_ctx *c, const char *cid, const cJSON *obj, cJSON *r,
	                  int *changed, struct kerr *e);
	int (*update_one)(struct api_ctx *c, const char *key, const cJSON *patch, cJSON *r,
	                  int *changed, struct kerr *e);
	int (*destroy_one)(struct api_ctx *c, const char *key, cJSON *r, int *changed,
	                   struct kerr *e);
};

/* How Foo/query reads one filter property of a type described as data (every type but
 * Listing, whose query function reads its own). */
enum api_fkind {
	API_F_TEXT, /* a string of at most 1000 bytes */
	API_F_ID,   /* a string naming an object: a "#cid" made earlier in the request is its id */
	API_F_BOOL, /* true or false */
};
struct api_filter {
	const char *name;
	enum api_fkind kind;
	/* The only values it takes (NULL-ended), or NULL for any: another is an
	 * unsupportedFilter "filter.<name>: one of a, b, c". */
	const char *const *one_of;
};

/* A type's behaviour behind the generic methods. The handlers run inside the /set's
 * transaction, each within its own savepoint; returning non-zero means se is filled. */
struct api_type {
	enum ntype t;
	const char *const *props; /* every property name (for get's properties) */
	/* Fills id (and *created with server-set properties, or leaves it NULL). */
	int (*create)(struct api_ctx *c, const cJSON *obj, char id[NSTORE_ID_MAX + 1],
	              cJSON **created, struct api_seterr *se);
	int (*update)(struct api_ctx *c, const char *id, const cJSON *patch, cJSON **updated,
	              struct api_seterr *se);
	int (*destroy)(struct api_ctx *c, const char *id, struct api_seterr *se);
	/* Foo/query as data: the filter properties in the order the store's statements take
	 * them (nstore_query; a NULL name ends them, at most NQUERY_VALS_MAX), the one property
	 * it sorts by, and the direction when the call does not say (1 ascending). */
	const struct api_filter *filters;
	const char *sort_by;
	int ascending;
	/* Or a query of the type's own (Listing: its index, photo filter and sorts), with
	 * filters NULL. filter and sort are the call's (either may be NULL); pg has position
	 * >= 0, limit >= 1 and calc_total set. */
	int (*query)(struct api_ctx *c, const cJSON *filter, const cJSON *sort, struct npage *pg,
	             struct nids *out, struct api_err *err);
	/* A property the node computes rather than stores (Listing's imageHashes), asked for by
	 * name in a get's properties: 1 when prop is one (added to o when it has a value, left
	 * out otherwise), 0 for a stored property. May be NULL. */
	int (*computed)(struct api_ctx *c, const char *prop, const cJSON *full, cJSON *o);
	/* After a get with a properties list made its list: adds what belongs to the answer as
	 * a whole (Listing's imageHashes, packed for the whole page). May be NULL. */
	void (*get_done)(struct api_ctx *c, const cJSON *props, const cJSON *list, cJSON *res);
	/* Set only for a type kept outside the object store (the others leave it NULL). */
	const struct api_own_set *own;
};

extern const struct api_type api_account_type;
extern const struct api_type api_listing_type;
extern const struct api_type api_rfq_type;
extern const struct api_type api_conversation_type;
extern const struct api_type api_message_type;
extern const struct api_type api_contract_type;
extern const struct api_type api_order_type;
extern const struct api_type api_wallet_type; /* wallet.c: its /set is api_wallet_set */
/* order.c (DESIGN §6): the Order an offer that just became binding makes (state
 * awaiting_payment, total, currency and autoReleaseDays from its terms), and one new event
 * section idx of a binding contract applied to its order: the rules (kontor/order.h) asked
 * from where the order stood before it (doc replayed up to idx; without a doc, the
 * Order's state on the default terms), the money it moves posted in the ledger with the
 * section's hash as the reference. Inside the Contract/set's savepoint; non-zero means se
 * is filled. norder_next asks the rules for one event kind signed in role ("buyer",
 * "seller") from state on the default terms: K_ECONFLICT naming the state ("order is
 * awaiting_payment: ship needs funded"), K_EPERM for a role that may not take the step,
 * K_EINVAL otherwise. */
int norder_create(struct api_ctx *c, const cJSON *doc, const char *order_id, struct api_seterr *se);
int norder_event(struct api_ctx *c, const cJSON *doc, const char *order_id, int idx,
                 const cJSON *sec, struct api_seterr *se);
int norder_next(const char *state, const char *kind, const char *role, const char **next,
                struct kerr *e);
/* contract.c: may caller turn the stored contract old (NULL for a create) into doc? doc must
 * keep old's sections as a strict prefix, byte for byte (new sections after them, or new
 * signatures on old's latest offer or last section), every new signature must be the
 * caller's, the caller a party, and doc must pass contract_verify (st filled). A doc that
 * adds nothing sets *nothing_new (a retried update). K_EPERM for someone else's signature
 * or a stranger; K_EINVAL/K_EVERIFY naming the section otherwise. */
struct contract_status;
int ncontract_check(const cJSON *old, const cJSON *doc, const char *caller,
                    struct contract_status *st, int *nothing_new, struct kerr *e);
/* What a Foo/changes without maxChanges returns at most: maxObjectsInGet (what one
 * chained get takes), never over the ceiling max_changes. The session says it. */
int64_t api_default_max_changes(const struct node_limits *l);
/* Wallet/get, Wallet/changes and Wallet/set (wallet.c): the caller's own wallet from the
 * ledger, whether it moved since a state, and withdraw; forbidden when anonymous. */
int api_wallet_get(struct api_ctx *c, const struct api_type *ty, const cJSON *args, cJSON **res,
                   struct api_err *err);
int api_wallet_changes(struct api_ctx *c, const struct api_type *ty, const cJSON *args, cJSON **res,
                       struct api_err *err);
int api_wallet_set(struct api_ctx *c, const struct api_type *ty, const cJSON *args, cJSON **res,
                   struct api_err *err);

/* ---- the generic methods' parts a type with methods of its own (Wallet) shares ------- */

/* The arguments every Foo/set takes (NULL-ended). */
extern const char *const api_set_names[];
/* Foo/set once its argument names are checked: the rest of the arguments, the limits,
 * the transaction with ifInState, each item (the store's, or ty->own's), the answer. */
int api_set_run(struct api_ctx *c, const struct api_type *ty, const cJSON *args, cJSON **res,
                struct api_err *err);
/* 1 when s is one of names (NULL-ended). */
int api_name_in(const char *const *names, const char *s);
/* A state string as this node writes it (decimal digits, nothing else) read; -1 if not. */
int api_parse_state(const char *s, int64_t *out);
/* Adds name: v as the decimal string a state goes out as. */
void api_add_state(cJSON *o, const char *name, int64_t v);
/* A SetError's JSON {type, description, properties}. Caller owns it. */
cJSON *api_seterr_json(const struct api_seterr *se);
/* Adds key: v (v's ownership passes) to the /set answer r's map, creating the map on its
 * first use (the RFC's null when empty). */
void api_map_add(cJSON *r, const char *map, const char *key, cJSON *v);

/* ---- helpers for the type files ------------------------------------------------------ */

/* A fresh object id: prefix + 22 base64url characters of 16 random bytes. */
void api_new_id(char prefix, char out[NSTORE_ID_MAX + 1]);
/* Canonical JSON of v (the form every object is stored in). K_EINVAL naming the path. */
int api_canon(const cJSON *v, struct kbuf *out, struct kerr *e);
/* The stored object parsed; NULL when absent (or damaged). Caller cJSON_Delete()s. */
cJSON *api_load(struct api_ctx *c, enum ntype t, const char *id, struct nobj *o);
/* The stored object if the caller takes part in it (its owner or other); otherwise NULL and
 * se a notFound "no <Type> <id>" (existence is private). The caller cJSON_Delete()s the
 * object; o (NULL when not wanted) is filled either way and the caller nobj_free()s it. */
cJSON *api_load_party(struct api_ctx *c, enum ntype t, const char *id, struct nobj *o,
                      struct api_seterr *se);
/* A change the type never allows (destroying a Contract or an Order, editing a Message):
 * the notFound of api_load_party for anyone but a party, else forbidden saying why. */
int api_refuse_change(struct api_ctx *c, enum ntype t, const char *id, const char *why,
                      struct api_seterr *se);
/* Applies a JMAP patch of whole top-level properties (null removes one) to obj. Refuses
 * paths ("a/b") and the properties in fixed (changing them; sending the same value is
 * fine). */
int api_patch(cJSON *obj, const cJSON *patch, const char *const *fixed, struct api_seterr *se);
/* Adds name: the size of each blob of images (an array of blob ids or https URLs), -1 for
 * a URL or a blob the node does not hold. */
void api_add_blob_sizes(struct api_ctx *c, const cJSON *images, cJSON *o, const char *name);
/* The string member or NULL. */
const char *api_str(const cJSON *o, const char *name);
/* Sets (replacing) a string member. */
void api_set_str(cJSON *o, const char *name, const char *v);

/* Reads a JMAP sort: at most one comparator whose property is one of names (index into
 * names in *which; -1 when sort is absent or empty) and its isAscending (dflt when absent). */
int api_sort(const cJSON *sort, const char *const *names, int *which, int *ascending,
             const int *dflt, struct api_err *err);
/* Checks that filter is a FilterCondition with only the given property names. */
int api_filter_check(const cJSON *filter, const char *const *names, struct api_err *err);
/* Optional string / integer / boolean filter properties (type errors name the property). */
int api_filter_str(const cJSON *filter, const char *name, const char **out, struct api_err *err);
int api_filter_int(const cJSON *filter, const char *name, int64_t *out, struct api_err *err);
int api_filter_bool(const cJSON *filter, const char *name, int *out, struct api_err *err);
/* A store error as a method error (K_EINVAL -> invalidArguments, else serverFail). */
int api_fail_kerr(struct api_err *err, const struct kerr *e);

#endif
