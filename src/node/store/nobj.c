/* nobj — the node's objects in their tables: reading one by id or a page of them, storing
 * accounts, listings, RFQs, conversations and messages (each write logged as a change),
 * destroying them into tombstones, and the simple filtered lists behind Foo/query. */
#include "nstore_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/canon.h"
#include "kontor/json.h"

void nobj_free(struct nobj *o)
{
	kbuf_free(&o->json);
	o->owner[0] = o->other[0] = '\0';
}

static const enum nst get_stmt[NT__COUNT] = {
    [NT_ACCOUNT] = S_GET_ACCOUNT, [NT_LISTING] = S_GET_LISTING,
    [NT_RFQ] = S_GET_RFQ,         [NT_CONVERSATION] = S_GET_CONVERSATION,
    [NT_MESSAGE] = S_GET_MESSAGE, [NT_CONTRACT] = S_GET_CONTRACT,
    [NT_ORDER] = S_GET_ORDER,
};

static const enum nst list_stmt[NT__COUNT] = {
    [NT_ACCOUNT] = S_LIST_ACCOUNT, [NT_LISTING] = S_LIST_LISTING,
    [NT_RFQ] = S_LIST_RFQ,         [NT_CONVERSATION] = S_LIST_CONVERSATION,
    [NT_MESSAGE] = S_LIST_MESSAGE, [NT_CONTRACT] = S_LIST_CONTRACT,
    [NT_ORDER] = S_LIST_ORDER,
};

static int get_in(struct nconn *c, enum ntype t, const char *id, struct nobj *o, struct kerr *e)
{
	kbuf_reset(&o->json);
	o->owner[0] = o->other[0] = '\0';
	sqlite3_stmt *st;
	int rc = kdb_one_key(&c->k, get_stmt[t], id, "reading an object", &st, e);
	if (rc == K_ENOTFOUND)
		return kerr_set(e, K_ENOTFOUND, "no %s %.64s", nstore_type_name(t), id);
	if (rc == K_OK) {
		kbuf_append(&o->json, sqlite3_column_text(st, 0),
		            (size_t)sqlite3_column_bytes(st, 0));
		nstore_col_copy(st, 1, o->owner, sizeof o->owner);
		nstore_col_copy(st, 2, o->other, sizeof o->other);
		sqlite3_reset(st);
	}
	return rc;
}

int nstore_get(struct nstore *s, enum ntype t, const char *id, struct nobj *o, struct kerr *e)
{
	if ((unsigned)t >= NT__COUNT)
		return kerr_set(e, K_EINVAL, "unknown type %d", (int)t);
	struct nconn *c = nstore_conn(s, e);
	return c ? get_in(c, t, id, o, e) : K_EDB;
}

int nstore_list(struct nstore *s, enum ntype t, const char *viewer, int max, nstore_each_cb cb,
                void *ctx, struct kerr *e)
{
	if ((unsigned)t >= NT__COUNT)
		return kerr_set(e, K_EINVAL, "unknown type %d", (int)t);
	if (nstore_type_private(t) && !viewer)
		return kerr_set(e, K_EPERM, "%s objects are private", nstore_type_name(t));
	struct nconn *c = nstore_conn(s, e);
	sqlite3_stmt *st = c ? nstore_stmt(c, list_stmt[t], e) : NULL;
	if (!st)
		return K_EDB;
	sqlite3_bind_int(st, 1, max);
	if (nstore_type_private(t))
		nstore_bind_text(st, 2, viewer);
	int rc, stop = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		stop = cb(ctx, (const char *)sqlite3_column_text(st, 0),
		          (const char *)sqlite3_column_text(st, 1),
		          (size_t)sqlite3_column_bytes(st, 1));
		if (stop)
			break;
	}
	sqlite3_reset(st);
	if (stop)
		return stop;
	if (rc != SQLITE_DONE)
		return nstore_dberr(c, e, "listing objects");
	return K_OK;
}

/* Runs a one-row-or-none write; K_ENOTFOUND when it touched nothing. */
static int delete_by_id(struct nconn *c, enum nst which, const char *id, struct kerr *e)
{
	sqlite3_stmt *st = nstore_stmt(c, which, e);
	if (!st)
		return K_EDB;
	nstore_bind_text(st, 1, id);
	int rc = nstore_exec_stmt(c, st, e, "deleting an object");
	if (rc == K_OK && sqlite3_changes(c->db) == 0)
		return kerr_set(e, K_ENOTFOUND, "no such object %.64s", id);
	return rc;
}

static int destroy_conversation(struct nconn *c, const char *id, struct kerr *e)
{
	struct nobj conv = {KBUF_INIT, "", ""};
	int rc = get_in(c, NT_CONVERSATION, id, &conv, e);
	if (rc) {
		nobj_free(&conv);
		return rc;
	}
	/* The messages go with it (ON DELETE CASCADE); each leaves a tombstone first. */
	sqlite3_stmt *st = nstore_stmt(c, S_C_MESSAGES, e);
	struct kstrv ids = {0}, from = {0}, to = {0};
	if (!st) {
		rc = K_EDB;
	} else {
		nstore_bind_text(st, 1, id);
		int step;
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			kstrv_push(&ids, (const char *)sqlite3_column_text(st, 0));
			kstrv_push(&from, (const char *)sqlite3_column_text(st, 1));
			kstrv_push(&to, (const char *)sqlite3_column_text(st, 2));
		}
		sqlite3_reset(st);
		if (step != SQLITE_DONE)
			rc = nstore_dberr(c, e, "listing a conversation's messages");
	}
	int64_t seq;
	for (size_t i = 0; rc == K_OK && i < ids.n; i++)
		rc = nlog_change(c, NT_MESSAGE, ids.v[i], from.v[i], to.v[i], 1, &seq, e);
	if (rc == K_OK)
		rc = delete_by_id(c, S_C_DELETE, id, e);
	if (rc == K_OK)
		rc = nlog_change(c, NT_CONVERSATION, id, conv.owner, conv.other, 1, &seq, e);
	kstrv_free(&ids);
	kstrv_free(&from);
	kstrv_free(&to);
	nobj_free(&conv);
	return rc;
}

int nstore_destroy(struct nstore *s, enum ntype t, const char *id, struct kerr *e)
{
	if ((unsigned)t >= NT__COUNT)
		return kerr_set(e, K_EINVAL, "unknown type %d", (int)t);
	if (t == NT_ACCOUNT)
		return kerr_set(e, K_EPERM, "accounts are not destroyed");
	int rc;
	struct nconn *c = nstore_wconn(s, &rc, e);
	if (!c)
		return rc;
	int64_t seq;
	struct nobj o = {KBUF_INIT, "", ""};
	switch (t) {
	case NT_LISTING:
		if ((rc = nsearch_remove(c, id, e)) == K_OK)
			rc = nlog_change(c, t, id, "", NULL, 1, &seq, e);
		break;
	case NT_RFQ:
		if ((rc = delete_by_id(c, S_R_DELETE, id, e)) == K_OK)
			rc = nlog_change(c, t, id, "", NULL, 1, &seq, e);
		break;
	case NT_CONVERSATION:
		rc = destroy_conversation(c, id, e);
		break;
	case NT_MESSAGE:
		if ((rc = get_in(c, t, id, &o, e)) == K_OK &&
		    (rc = delete_by_id(c, S_M_DELETE, id, e)) == K_OK)
			rc = nlog_change(c, t, id, o.owner, o.other, 1, &seq, e);
		break;
	default:
		rc = kerr_set(e, K_EINVAL, "cannot destroy %s", nstore_type_name(t));
	}
	nobj_free(&o);
	return nstore_wend(c, rc, e);
}

/* ---------------------------------------------------------------- accounts */

int nstore_account_put(struct nstore *s, const struct account *a, struct kerr *e)
{
	struct nconn *c = nstore_conn(s, e);
	if (!c)
		return K_EDB;
	cJSON *j = account_to_json(a);
	struct kbuf canon = KBUF_INIT;
	int rc = canon_write(j, &canon, e);
	cJSON_Delete(j);
	if (rc) {
		kbuf_free(&canon);
		return rc;
	}
	if ((rc = nstore_wbegin(c, e))) {
		kbuf_free(&canon);
		return rc;
	}
	struct nseller old;
	int verified = a->attestation != NULL;
	sqlite3_stmt *st;
	int64_t seq;
	if ((rc = nsearch_seller(c, a->id, &old, e)))
		goto out;
	if (!(st = nstore_stmt(c, S_A_PUT, e))) {
		rc = K_EDB;
		goto out;
	}
	nstore_bind_text(st, 1, a->id);
	nstore_bind_text(st, 2, a->handle && *a->handle ? a->handle : NULL);
	sqlite3_bind_text(st, 3, kbuf_str(&canon), (int)canon.len, SQLITE_STATIC);
	nstore_bind_text(st, 4, a->country);
	nstore_bind_text(st, 5, a->role[0] ? a->role : "buyer");
	sqlite3_bind_int(st, 6, verified);
	sqlite3_bind_int64(st, 7, a->rating.sum);
	sqlite3_bind_int64(st, 8, a->rating.count);
	int step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step == SQLITE_CONSTRAINT_UNIQUE) {
		rc = kerr_set(e, K_EEXIST, "handle: '%s' is taken by another account", a->handle);
		goto out;
	}
	if (step != SQLITE_DONE) {
		rc = nstore_dberr(c, e, "storing an account");
		goto out;
	}
	if ((rc = nlog_change(c, NT_ACCOUNT, a->id, "", NULL, 0, &seq, e)))
		goto out;
	/* The verified mark and the rating are in the seller's index rows. */
	if (old.verified != verified || old.rating_sum != a->rating.sum ||
	    old.rating_count != a->rating.count)
		rc = nsearch_reindex_seller(c, a->id, e);
out:
	kbuf_free(&canon);
	return nstore_wend(c, rc, e);
}

int nstore_account_by_handle(struct nstore *s, const char *handle, char id[KCRYPTO_ID_LEN + 1],
                             struct kerr *e)
{
	id[0] = '\0';
	struct nconn *c = nstore_conn(s, e);
	sqlite3_stmt *st = c ? nstore_stmt(c, S_A_HANDLE, e) : NULL;
	if (!st)
		return K_EDB;
	nstore_bind_text(st, 1, handle);
	int rc = kdb_one_copy(&c->k, st, "finding a handle", id, KCRYPTO_ID_LEN + 1, e);
	if (rc == K_ENOTFOUND)
		return kerr_set(e, K_ENOTFOUND, "no account with handle %.32s", handle);
	return rc;
}

/* ---------------------------------------------------------------- listings */

static int listing_store(struct nstore *s, const struct listing *l, const char *canon, size_t len,
                         struct kerr *e)
{
	struct nconn *c = nstore_conn(s, e);
	if (!c)
		return K_EDB;
	if (!l->id[0] || !l->seller_id[0] || !l->sku)
		return kerr_set(e, K_EINVAL,
		                "listing: id, sellerId and sku are needed to store it");
	/* The same fields, as a tree, for the index rows. */
	cJSON *j = listing_to_json(l, 1);
	int rc = nstore_wbegin(c, e);
	if (rc) {
		cJSON_Delete(j);
		return rc;
	}
	int64_t seq;
	rc = nsearch_remove(c, l->id, e);
	if (rc == K_ENOTFOUND)
		rc = K_OK;
	if (rc == K_OK)
		rc = nlog_change(c, NT_LISTING, l->id, "", NULL, 0, &seq, e);
	if (rc == K_OK)
		rc = nsearch_insert(c, seq, l->id, l->seller_id, l->sku, canon, len, j, e);
	cJSON_Delete(j);
	return nstore_wend(c, rc, e);
}

int nstore_listing_put_canon(struct nstore *s, const struct listing *l, const char *canon,
                             size_t len, struct kerr *e)
{
	return listing_store(s, l, canon, len, e);
}

int nstore_listing_put(struct nstore *s, const struct listing *l, struct kerr *e)
{
	cJSON *j = listing_to_json(l, 1);
	struct kbuf canon = KBUF_INIT;
	int rc = canon_write(j, &canon, e);
	cJSON_Delete(j);
	if (rc == K_OK)
		rc = listing_store(s, l, kbuf_str(&canon), canon.len, e);
	kbuf_free(&canon);
	return rc;
}

/* ---------------------------------------------------------------- rfqs, conversations, messages */

static const char *jstr(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) && v->valuestring && *v->valuestring ? v->valuestring : NULL;
}

/* A one-row write inside its own bracket, then the change logged. */
static int put_and_log(struct nstore *s, enum ntype t, enum nst which, const char *const *vals,
                       int nvals, const char *id, const char *who1, const char *who2,
                       struct kerr *e)
{
	struct nconn *c = nstore_conn(s, e);
	if (!c)
		return K_EDB;
	if (!id)
		return kerr_set(e, K_EINVAL, "id: missing");
	sqlite3_stmt *st;
	int rc = nstore_wstmt(c, which, &st, e);
	if (rc)
		return rc;
	for (int i = 0; i < nvals; i++)
		nstore_bind_text(st, i + 1, vals[i]);
	int step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step == SQLITE_CONSTRAINT_FOREIGNKEY)
		rc = kerr_set(e, K_ENOTFOUND, "conversationId: no such conversation");
	else if (step == SQLITE_CONSTRAINT_UNIQUE || step == SQLITE_CONSTRAINT_PRIMARYKEY)
		rc = kerr_set(e, K_EEXIST, "id: %s %.64s exists already", nstore_type_name(t), id);
	else if (step != SQLITE_DONE)
		rc = nstore_dberr(c, e, "storing an object");
	int64_t seq;
	if (rc == K_OK)
		rc = nlog_change(c, t, id, who1 ? who1 : "", who2, 0, &seq, e);
	return nstore_wend(c, rc, e);
}

int nstore_rfq_put(struct nstore *s, const cJSON *j, const char *canon, struct kerr *e)
{
	const char *v[] = {jstr(j, "id"),
	                   jstr(j, "buyerId"),
	                   canon,
	                   jstr(j, "status") ? jstr(j, "status") : "open",
	                   jstr(j, "category"),
	                   jstr(j, "destination"),
	                   jstr(j, "listingId")};
	if (!v[1])
		return kerr_set(e, K_EINVAL, "buyerId: missing");
	return put_and_log(s, NT_RFQ, S_R_PUT, v, 7, v[0], "", NULL, e);
}

static const char *participant(const cJSON *j, int i)
{
	const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "participants"), i);
	return cJSON_IsString(p) ? p->valuestring : NULL;
}

int nstore_conversation_put(struct nstore *s, const cJSON *j, const char *canon, struct kerr *e)
{
	const char *updated = jstr(j, "updated") ? jstr(j, "updated") : jstr(j, "created");
	const char *v[] = {
	    jstr(j, "id"),        participant(j, 0), participant(j, 1),  canon,
	    jstr(j, "listingId"), jstr(j, "rfqId"),  jstr(j, "orderId"), updated ? updated : ""};
	if (!v[1] || !v[2])
		return kerr_set(e, K_EINVAL, "participants: two accounts are needed");
	return put_and_log(s, NT_CONVERSATION, S_C_PUT, v, 8, v[0], v[1], v[2], e);
}

int nstore_message_put(struct nstore *s, const cJSON *j, const char *canon, struct kerr *e)
{
	const char *v[] = {jstr(j, "id"),   jstr(j, "conversationId"),
	                   jstr(j, "from"), jstr(j, "to"),
	                   canon,           jstr(j, "sent")};
	if (!v[1] || !v[2] || !v[3] || !v[5])
		return kerr_set(e, K_EINVAL,
		                "message: conversationId, from, to and sent are needed");
	return put_and_log(s, NT_MESSAGE, S_M_PUT, v, 6, v[0], v[2], v[3], e);
}

int nstore_contract_put(struct nstore *s, const cJSON *j, const char *canon, const char *state,
                        const char *order_id, struct kerr *e)
{
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	const char *v[] = {jstr(j, "id"),
	                   jstr(j, "buyerId"),
	                   jstr(j, "sellerId"),
	                   canon,
	                   state,
	                   jstr(j, "listingId"),
	                   order_id && *order_id ? order_id : NULL,
	                   now};
	if (!v[1] || !v[2] || !state)
		return kerr_set(e, K_EINVAL, "contract: buyerId, sellerId and a state are needed");
	return put_and_log(s, NT_CONTRACT, S_K_PUT, v, 8, v[0], v[1], v[2], e);
}

int nstore_order_put(struct nstore *s, const cJSON *j, const char *canon, struct kerr *e)
{
	const char *upd = jstr(j, "updated") ? jstr(j, "updated") : jstr(j, "created");
	const char *v[] = {
	    jstr(j, "id"), jstr(j, "contractId"), jstr(j, "buyerId"), jstr(j, "sellerId"),
	    canon,         jstr(j, "state"),      upd ? upd : ""};
	if (!v[0] || !v[1] || !v[2] || !v[3] || !v[5])
		return kerr_set(e, K_EINVAL,
		                "order: id, contractId, buyerId, sellerId and state are needed");
	return put_and_log(s, NT_ORDER, S_O_PUT, v, 7, v[0], v[2], v[3], e);
}

/* ---------------------------------------------------------------- simple queries */

static int check_page(const struct npage *pg, struct kerr *e)
{
	if (pg->limit < 1)
		return kerr_set(e, K_EINVAL, "limit: must be at least 1");
	if (pg->position < 0)
		return kerr_set(e, K_EINVAL, "position: must not be negative here");
	return K_OK;
}

/* Each type's simple query (every type but Listing): its rows in either direction and
 * their count, how many filter values they take after the viewer (?1 of a private type),
 * and what the type's objects are called in a refusal; and where one filter value names
 * one object by an indexed column (an account's handle), which value and the statements
 * that use that index when it is given. */
static const struct {
	enum nst asc, desc, count;
	int nvals; /* 0: the type has no simple query */
	const char *objects;
	int key; /* the value's index, -1 for none */
	enum nst key_asc, key_desc, key_count;
} query_stmts[NT__COUNT] = {
    [NT_ACCOUNT] = {S_A_QUERY_ASC, S_A_QUERY_DESC, S_A_COUNT, 4, "accounts", 3, S_A_QUERY_H_ASC,
                    S_A_QUERY_H_DESC, S_A_COUNT_H},
    [NT_RFQ] = {S_R_QUERY_ASC, S_R_QUERY_DESC, S_R_COUNT, 5, "RFQs", -1, 0, 0, 0},
    [NT_CONVERSATION] = {S_C_QUERY_ASC, S_C_QUERY_DESC, S_C_COUNT, 4, "conversations", -1, 0, 0, 0},
    [NT_MESSAGE] = {S_M_QUERY_ASC, S_M_QUERY_DESC, S_M_COUNT, 1, "messages", -1, 0, 0, 0},
    [NT_CONTRACT] = {S_K_QUERY_ASC, S_K_QUERY_DESC, S_K_COUNT, 4, "contracts", -1, 0, 0, 0},
    [NT_ORDER] = {S_O_QUERY_ASC, S_O_QUERY_DESC, S_O_COUNT, 3, "orders", -1, 0, 0, 0},
};

/* Binds a private type's viewer and then the filter values to st's first parameters;
 * returns how many it bound. */
static int bind_filter(sqlite3_stmt *st, enum ntype t, const struct nquery *q)
{
	int n = 0;
	if (nstore_type_private(t))
		nstore_bind_text(st, ++n, q->viewer);
	for (int i = 0; i < query_stmts[t].nvals; i++) {
		const struct nqval *v = &q->vals[i];
		if (v->is_flag)
			sqlite3_bind_int(st, ++n, v->flag);
		else
			nstore_bind_text(st, ++n, v->text);
	}
	return n;
}

int nstore_query(struct nstore *s, enum ntype t, const struct nquery *q, struct nids *out,
                 struct kerr *e)
{
	memset(out, 0, sizeof *out);
	out->total = -1;
	if ((unsigned)t >= NT__COUNT || !query_stmts[t].nvals)
		return kerr_set(e, K_EINVAL, "%s has no simple query", nstore_type_name(t));
	if (nstore_type_private(t) && !q->viewer)
		return kerr_set(e, K_EPERM, "%s are private", query_stmts[t].objects);
	int rc = check_page(&q->page, e);
	if (rc)
		return rc;
	struct nconn *c = nstore_conn(s, e);
	if (!c)
		return K_EDB;
	if ((rc = nstore_state(s, t, &out->state, e)))
		return rc;
	sqlite3_stmt *st;
	int k = query_stmts[t].key;
	int keyed = k >= 0 && !q->vals[k].is_flag && q->vals[k].text;
	enum nst count = keyed ? query_stmts[t].key_count : query_stmts[t].count;
	enum nst rows = q->page.ascending ? (keyed ? query_stmts[t].key_asc : query_stmts[t].asc)
	                                  : (keyed ? query_stmts[t].key_desc : query_stmts[t].desc);
	if (q->page.calc_total) {
		if (!(st = nstore_stmt(c, count, e)))
			return K_EDB;
		bind_filter(st, t, q);
		if ((rc = kdb_int64(&c->k, st, "counting", &out->total, e)))
			return rc;
	}
	if (!(st = nstore_stmt(c, rows, e)))
		return K_EDB;
	int n = bind_filter(st, t, q); /* then LIMIT ?n+1 OFFSET ?n+2 */
	sqlite3_bind_int(st, n + 1, q->page.limit);
	sqlite3_bind_int64(st, n + 2, q->page.position);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		kstrv_push(&out->ids, (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		nids_free(out);
		char what[48];
		snprintf(what, sizeof what, "querying %s", query_stmts[t].objects);
		return nstore_dberr(c, e, what);
	}
	return K_OK;
}
