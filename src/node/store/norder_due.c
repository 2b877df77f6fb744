/* norder_due — the orders in one state, node-wide (no viewer): what the escrow agent's own
 * sweeps (auto-release, DESIGN §6) walk. Ad-hoc statement: it runs once a minute, not per
 * request. */
#include "nstore_int.h"

#include <string.h>

int nstore_orders_in_state(struct nstore *s, const char *state, struct kstrv *ids, struct kerr *e)
{
	struct nconn *c = nstore_conn(s, e);
	if (!c)
		return K_EDB;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(c->db, "SELECT id FROM orders WHERE state = ?1 ORDER BY oid", -1,
	                       &st, NULL) != SQLITE_OK)
		return nstore_dberr(c, e, "listing orders by state");
	nstore_bind_text(st, 1, state);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		kstrv_push(ids, (const char *)sqlite3_column_text(st, 0));
	int out = rc == SQLITE_DONE ? K_OK : nstore_dberr(c, e, "listing orders by state");
	sqlite3_finalize(st);
	return out;
}
