/* nlog — the change log behind every state string: a global sequence, one row per object
 * (and viewer) holding its latest change, tombstones until pruned past a horizon, and the
 * creation ids that make a retried create return what the first one made. */
#include "nstore_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const type_names[NT__COUNT] = {
    [NT_ACCOUNT] = "Account", [NT_LISTING] = "Listing",
    [NT_RFQ] = "Rfq",         [NT_CONVERSATION] = "Conversation",
    [NT_MESSAGE] = "Message", [NT_CONTRACT] = "Contract",
    [NT_ORDER] = "Order",
};

const char *nstore_type_name(enum ntype t)
{
	return (unsigned)t < NT__COUNT ? type_names[t] : "?";
}

int nstore_type_of(const char *name)
{
	for (int i = 0; name && i < NT__COUNT; i++)
		if (strcmp(type_names[i], name) == 0)
			return i;
	return -1;
}

int nstore_type_private(enum ntype t)
{
	return t == NT_CONVERSATION || t == NT_MESSAGE || t == NT_CONTRACT || t == NT_ORDER;
}

static int log_one(struct nconn *c, enum ntype t, const char *who, const char *id, int64_t seq,
                   int destroyed, struct kerr *e)
{
	sqlite3_stmt *st = nstore_stmt(c, S_CHANGE_LOG, e);
	if (!st)
		return K_EDB;
	nstore_bind_text(st, 1, type_names[t]);
	nstore_bind_text(st, 2, who);
	nstore_bind_text(st, 3, id);
	sqlite3_bind_int64(st, 4, seq);
	sqlite3_bind_int(st, 5, destroyed);
	return nstore_exec_stmt(c, st, e, "logging a change");
}

int nlog_bump(struct nconn *c, enum ntype t, int64_t *seq, struct kerr *e)
{
	sqlite3_stmt *st = nstore_stmt(c, S_SEQ_NEXT, e);
	if (!st)
		return K_EDB;
	int rc = kdb_int64(&c->k, st, "advancing the change sequence", seq, e);
	if (rc)
		return rc;
	if (!c->seq_lo)
		c->seq_lo = *seq; /* the cached answers the index writes touch (nsearch.c) */
	if (!(st = nstore_stmt(c, S_STATE_SET, e)))
		return K_EDB;
	nstore_bind_text(st, 1, type_names[t]);
	sqlite3_bind_int64(st, 2, *seq);
	return nstore_exec_stmt(c, st, e, "updating the state");
}

int nlog_change(struct nconn *c, enum ntype t, const char *id, const char *who1, const char *who2,
                int destroyed, int64_t *seq, struct kerr *e)
{
	int rc = nlog_bump(c, t, seq, e);
	if (rc)
		return rc;
	if ((rc = log_one(c, t, who1 ? who1 : "", id, *seq, destroyed, e)))
		return rc;
	if (who2 && *who2 && (!who1 || strcmp(who1, who2) != 0))
		rc = log_one(c, t, who2, id, *seq, destroyed, e);
	return rc;
}

static int state_row(struct nconn *c, enum ntype t, int64_t *seq, int64_t *horizon, struct kerr *e)
{
	sqlite3_stmt *st = nstore_stmt(c, S_STATE_GET, e);
	if (!st)
		return K_EDB;
	nstore_bind_text(st, 1, type_names[t]);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return nstore_dberr(c, e, "reading a state");
	}
	*seq = sqlite3_column_int64(st, 0);
	if (horizon)
		*horizon = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return K_OK;
}

int nstore_state(struct nstore *s, enum ntype t, int64_t *out, struct kerr *e)
{
	*out = 0;
	if ((unsigned)t >= NT__COUNT)
		return kerr_set(e, K_EINVAL, "unknown type %d", (int)t);
	struct nconn *c = nstore_conn(s, e);
	return c ? state_row(c, t, out, NULL, e) : K_EDB;
}

int nstore_changes(struct nstore *s, enum ntype t, const char *viewer, int64_t since, int max,
                   struct nchange **out, size_t *n, int *more, int64_t *new_state, struct kerr *e)
{
	return nstore_changes_scoped(s, t, viewer, NSCOPE_ALL, NULL, NULL, 0, since, max, out, n,
	                             more, new_state, e);
}

/* The statement of a scope's pull of type t, or S__COUNT when there is none. */
static enum nst scoped_stmt(enum ntype t, int scope)
{
	if (scope == NSCOPE_MINE)
		return t == NT_LISTING   ? S_CHANGES_L_MINE
		       : t == NT_RFQ     ? S_CHANGES_R_MINE
		       : t == NT_ACCOUNT ? S_CHANGES_A_MINE
		                         : S__COUNT;
	if (scope == NSCOPE_CATS)
		return t == NT_LISTING ? S_CHANGES_L_CATS
		       : t == NT_RFQ   ? S_CHANGES_R_CATS
		                       : S__COUNT;
	return S_CHANGES;
}

static int own_write(const int64_t (*own)[2], size_t nown, int64_t seq)
{
	for (size_t i = 0; i < nown; i++)
		if (seq > own[i][0] && seq <= own[i][1])
			return 1;
	return 0;
}

int nstore_changes_scoped(struct nstore *s, enum ntype t, const char *viewer, int scope,
                          const char *arg, const int64_t (*own)[2], size_t nown, int64_t since,
                          int max, struct nchange **out, size_t *n, int *more, int64_t *new_state,
                          struct kerr *e)
{
	*out = NULL;
	*n = 0;
	*more = 0;
	*new_state = 0;
	if ((unsigned)t >= NT__COUNT)
		return kerr_set(e, K_EINVAL, "unknown type %d", (int)t);
	if (max < 1)
		return kerr_set(e, K_EINVAL, "maxChanges: must be at least 1");
	enum nst which = scoped_stmt(t, scope);
	if (which == S__COUNT || (scope != NSCOPE_ALL && !arg))
		return kerr_set(e, K_EINVAL, "%s changes take no such filter", type_names[t]);
	const char *who = nstore_type_private(t) ? viewer : "";
	if (!who)
		return kerr_set(e, K_EINVAL, "%s changes need a viewer", type_names[t]);
	struct nconn *c = nstore_conn(s, e);
	if (!c)
		return K_EDB;
	int64_t state, horizon;
	int rc = state_row(c, t, &state, &horizon, e);
	if (rc)
		return rc;
	if (since > state)
		return kerr_set(e, K_ERANGE, "%s state %lld is not one this node gave out",
		                type_names[t], (long long)since);
	if (since < horizon)
		return kerr_set(e, K_ERANGE,
		                "%s state %lld is older than the oldest change kept (%lld):"
		                " fetch everything again",
		                type_names[t], (long long)since, (long long)horizon);
	*new_state = state;
	sqlite3_stmt *st = nstore_stmt(c, which, e);
	if (!st)
		return K_EDB;
	nstore_bind_text(st, 1, type_names[t]);
	nstore_bind_text(st, 2, who);
	sqlite3_bind_int64(st, 3, since);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)max + 1);
	if (scope != NSCOPE_ALL)
		nstore_bind_text(st, 5, arg);
	struct nchange *v = xcalloc((size_t)max + 1, sizeof *v);
	size_t rows = 0, k = 0;
	int64_t last = since;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (rows == (size_t)max) {
			*more = 1;
			break;
		}
		rows++;
		int64_t seq = sqlite3_column_int64(st, 1), cseq = sqlite3_column_int64(st, 2);
		int destroyed = sqlite3_column_int(st, 3);
		last = seq;
		if (destroyed && cseq > since)
			continue; /* made and unmade since: the client never saw it */
		if (own_write(own, nown, seq))
			continue; /* the caller's own write, its latest: it has it */
		nstore_col_copy(st, 0, v[k].id, sizeof v[k].id);
		v[k].seq = seq;
		v[k].kind = destroyed ? NCH_DESTROYED : cseq > since ? NCH_CREATED : NCH_UPDATED;
		k++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		free(v);
		return nstore_dberr(c, e, "reading changes");
	}
	if (*more)
		*new_state = last;
	*out = v;
	*n = k;
	return K_OK;
}

int nstore_prune_tombstones(struct nstore *s, int64_t keep_seq, struct kerr *e)
{
	int rc;
	struct nconn *c = nstore_wconn(s, &rc, e);
	if (!c)
		return rc;
	static const enum nst steps[] = {S_PRUNE_HORIZON, S_PRUNE_CHANGES, S_PRUNE_CREATIONS};
	for (size_t i = 0; rc == K_OK && i < sizeof steps / sizeof steps[0]; i++) {
		sqlite3_stmt *st = nstore_stmt(c, steps[i], e);
		if (!st) {
			rc = K_EDB;
			break;
		}
		sqlite3_bind_int64(st, 1, keep_seq);
		rc = nstore_exec_stmt(c, st, e, "pruning tombstones");
	}
	return nstore_wend(c, rc, e);
}

int nstore_creation_get(struct nstore *s, const char *caller, enum ntype t, const char *cid,
                        char id[NSTORE_ID_MAX + 1], struct kerr *e)
{
	id[0] = '\0';
	struct nconn *c;
	sqlite3_stmt *st = nstore_conn_stmt(s, S_CRE_GET, caller ? caller : "", &c, e);
	if (!st)
		return K_EDB;
	nstore_bind_text(st, 2, nstore_type_name(t));
	nstore_bind_text(st, 3, cid);
	int rc = kdb_one_copy(&c->k, st, "reading a creation id", id, NSTORE_ID_MAX + 1, e);
	if (rc == K_ENOTFOUND)
		return kerr_set(e, K_ENOTFOUND, "no object made from creation id %s", cid);
	return rc;
}

int nstore_creation_put(struct nstore *s, const char *caller, enum ntype t, const char *cid,
                        const char *id, struct kerr *e)
{
	struct nconn *c = nstore_conn(s, e);
	sqlite3_stmt *st;
	int rc = c ? nstore_wstmt(c, S_CRE_PUT, &st, e) : K_EDB;
	if (rc)
		return rc;
	nstore_bind_text(st, 1, caller ? caller : "");
	nstore_bind_text(st, 2, nstore_type_name(t));
	nstore_bind_text(st, 3, cid);
	nstore_bind_text(st, 4, id);
	rc = nstore_exec_stmt(c, st, e, "remembering a creation id");
	return nstore_wend(c, rc, e);
}
