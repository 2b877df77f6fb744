/* ncarrier — the carriers the operator registered (migration 5, DESIGN §6): a carrier's
 * name, as orders name it in their shipment (compared without case), and the kontor account
 * that speaks for it. Ad-hoc statements: `kontord admin carrier` and a carrier's shipment
 * events use them, not every request. */
#include "nstore_int.h"

#include <stdio.h>
#include <string.h>

/* One line of at most NSTORE_CARRIER_NAME_MAX bytes, no control characters. */
static int check_name(const char *name, struct kerr *e)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > NSTORE_CARRIER_NAME_MAX)
		return kerr_set(e, K_EINVAL, "NAME: a carrier name has 1 to %d bytes, not %zu",
		                NSTORE_CARRIER_NAME_MAX, n);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (ch < 0x20 || ch == 0x7f)
			return kerr_set(
			    e, K_EINVAL,
			    "NAME: a carrier name is one line without control characters"
			    " (byte %zu is 0x%02x)",
			    i + 1, ch);
	}
	return K_OK;
}

static int prepare(struct nconn *c, const char *sql, sqlite3_stmt **st, struct kerr *e,
                   const char *what)
{
	if (sqlite3_prepare_v2(c->db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return nstore_dberr(c, e, what);
	}
	return K_OK;
}

int nstore_carrier_of(struct nstore *s, const char *account, char name[NSTORE_CARRIER_NAME_MAX + 1],
                      struct kerr *e)
{
	name[0] = '\0';
	struct nconn *c = nstore_conn(s, e);
	if (!c)
		return K_EDB;
	sqlite3_stmt *st;
	int rc = prepare(c, "SELECT name FROM carriers WHERE account = ?1", &st, e,
	                 "finding an account's carrier");
	if (rc)
		return rc;
	nstore_bind_text(st, 1, account);
	rc = kdb_one_copy(&c->k, st, "finding an account's carrier", name,
	                  NSTORE_CARRIER_NAME_MAX + 1, e);
	sqlite3_finalize(st);
	if (rc == K_ENOTFOUND)
		return kerr_set(e, K_ENOTFOUND, "account %.64s is not a registered carrier",
		                account ? account : "");
	return rc;
}

int nstore_carrier_add(struct nstore *s, const char *name, const char *account, struct kerr *e)
{
	int rc = check_name(name, e);
	if (rc)
		return rc;
	if (!account || !*account || strlen(account) > KCRYPTO_ID_LEN)
		return kerr_set(e, K_EINVAL, "--account: a carrier needs an account id");
	struct nconn *c = nstore_wconn(s, &rc, e);
	if (!c)
		return rc;
	sqlite3_stmt *st = NULL;
	/* Which of the two is taken, so the refusal can say so. */
	rc = prepare(c,
	             "SELECT name, account FROM carriers WHERE name = ?1 OR account = ?2"
	             " ORDER BY name = ?1 DESC LIMIT 1",
	             &st, e, "checking a carrier");
	if (rc)
		goto out;
	nstore_bind_text(st, 1, name);
	nstore_bind_text(st, 2, account);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		char have[NSTORE_CARRIER_NAME_MAX + 1], acc[KCRYPTO_ID_LEN + 1];
		nstore_col_copy(st, 0, have, sizeof have);
		nstore_col_copy(st, 1, acc, sizeof acc);
		if (strcmp(acc, account) == 0 && sqlite3_stricmp(have, name) != 0)
			rc =
			    kerr_set(e, K_EEXIST,
			             "account %s is carrier '%s' already (one carrier per account; "
			             "`admin carrier rm` it first)",
			             acc, have);
		else
			rc = kerr_set(
			    e, K_EEXIST,
			    "carrier '%s' is registered already (account %s); `admin carrier"
			    " rm` it first to change its account",
			    have, acc);
		goto out;
	}
	if (step != SQLITE_DONE) {
		rc = nstore_dberr(c, e, "checking a carrier");
		goto out;
	}
	sqlite3_finalize(st);
	if ((rc = prepare(c, "INSERT INTO carriers(name, account, created) VALUES(?1, ?2, ?3)", &st,
	                  e, "adding a carrier")))
		goto out;
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	nstore_bind_text(st, 1, name);
	nstore_bind_text(st, 2, account);
	nstore_bind_text(st, 3, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = nstore_dberr(c, e, "adding a carrier");
out:
	sqlite3_finalize(st);
	return nstore_wend(c, rc, e);
}

int nstore_carrier_rm(struct nstore *s, const char *name, struct kerr *e)
{
	struct nconn *c = nstore_conn(s, e);
	if (!c)
		return K_EDB;
	sqlite3_stmt *st;
	int rc = prepare(c, "DELETE FROM carriers WHERE name = ?1", &st, e, "removing a carrier");
	if (rc)
		return rc;
	nstore_bind_text(st, 1, name);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = nstore_dberr(c, e, "removing a carrier");
	else if (sqlite3_changes(c->db) == 0)
		rc = kerr_set(e, K_ENOTFOUND, "no carrier '%.*s' is registered on this node",
		              NSTORE_CARRIER_NAME_MAX, name ? name : "");
	sqlite3_finalize(st);
	return rc;
}

int nstore_carrier_each(struct nstore *s,
                        int (*cb)(void *ctx, const char *name, const char *account,
                                  const char *created),
                        void *ctx, struct kerr *e)
{
	struct nconn *c = nstore_conn(s, e);
	if (!c)
		return K_EDB;
	sqlite3_stmt *st;
	int rc = prepare(c,
	                 "SELECT name, account, coalesce(created, '') FROM carriers"
	                 " ORDER BY name",
	                 &st, e, "listing carriers");
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		rc = cb(ctx, (const char *)sqlite3_column_text(st, 0),
		        (const char *)sqlite3_column_text(st, 1),
		        (const char *)sqlite3_column_text(st, 2));
		if (rc)
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = nstore_dberr(c, e, "listing carriers");
	sqlite3_finalize(st);
	return rc;
}
