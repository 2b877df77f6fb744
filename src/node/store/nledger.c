/* nledger — the node's double-entry ledger (DESIGN §6): ledger accounts with one running
 * balance per currency, transactions whose entries sum to zero per currency, wallets and
 * escrows that never go below zero, and an idempotency key per transaction so a payment
 * provider's repeated notice posts once. Every post is one write transaction (a savepoint
 * when the caller already has one open), so a refused post leaves nothing behind. */
#include "nstore_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/codes.h"
#include "kontor/crypto.h"
#include "kontor/model.h"
#include "kontor/money.h"

/* ---------------------------------------------------------------- names */

/* The kind of a ledger account name ("wallet", ...) and its owner (the part after the
 * colon; "node" for fees). K_EINVAL naming field when the name is not one of ours. */
static int account_kind(const char *name, const char *field, const char **kind, const char **owner,
                        struct kerr *e)
{
	static const char *const kinds[] = {"wallet", "escrow", "provider"};
	if (!name || !*name)
		return kerr_set(e, K_EINVAL, "%s: missing", field);
	size_t len = strlen(name);
	if (len > NLEDGER_ACCOUNT_MAX)
		return kerr_set(e, K_EINVAL, "%s: longer than %d bytes", field,
		                NLEDGER_ACCOUNT_MAX);
	if (strcmp(name, "fees") == 0) {
		*kind = "fees";
		*owner = "node";
		return K_OK;
	}
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		size_t kl = strlen(kinds[k]);
		if (strncmp(name, kinds[k], kl) != 0 || name[kl] != ':')
			continue;
		const char *rest = name + kl + 1;
		size_t rl = strlen(rest);
		if (rl == 0 || rl > NSTORE_ID_MAX)
			break;
		for (const char *p = rest; *p; p++) {
			char ch = *p;
			if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
				return kerr_set(e, K_EINVAL,
				                "%s: '%s' has a character outside [A-Za-z0-9_-]",
				                field, kinds[k]);
		}
		*kind = kinds[k];
		*owner = rest;
		return K_OK;
	}
	return kerr_set(e, K_EINVAL,
	                "%s: must be wallet:ID, escrow:ID, provider:NAME or fees (1..%d id bytes)",
	                field, NSTORE_ID_MAX);
}

static int kind_may_go_negative(const char *kind)
{
	return strcmp(kind, "provider") == 0;
}

/* One line of text for memo and reference: 1..max bytes, no control characters. */
static int check_line(const char *v, size_t max, const char *field, struct kerr *e)
{
	size_t n = strlen(v);
	if (n == 0 || n > max)
		return kerr_set(e, K_EINVAL, "%s: must be 1 to %zu bytes", field, max);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return kerr_set(e, K_EINVAL,
			                "%s: must be one line without control characters", field);
	return K_OK;
}

/* ---------------------------------------------------------------- checking a transaction */

static int check_tx(const struct ntx *tx, struct kerr *e)
{
	if (!tx->kind || check_line(tx->kind, NLEDGER_KIND_MAX, "kind", e))
		return tx->kind ? K_EINVAL : kerr_set(e, K_EINVAL, "kind: missing");
	if (tx->memo && check_line(tx->memo, NLEDGER_MEMO_MAX, "memo", e))
		return K_EINVAL;
	if (tx->reference && check_line(tx->reference, NLEDGER_REF_MAX, "reference", e))
		return K_EINVAL;
	if (!tx->entries || tx->n < 2 || tx->n > NLEDGER_ENTRIES_MAX)
		return kerr_set(e, K_EINVAL, "entries: a transaction has 2 to %d entries, not %zu",
		                NLEDGER_ENTRIES_MAX, tx->entries ? tx->n : 0);
	char field[48];
	for (size_t i = 0; i < tx->n; i++) {
		const struct nentry *en = &tx->entries[i];
		const char *kind, *owner;
		snprintf(field, sizeof field, "entries[%zu].account", i);
		if (account_kind(en->account, field, &kind, &owner, e))
			return K_EINVAL;
		snprintf(field, sizeof field, "entries[%zu].currency", i);
		if (!en->currency)
			return kerr_set(e, K_EINVAL, "%s: missing", field);
		int rc = codes_check_currency(en->currency, field, e);
		if (rc)
			return rc;
		if (en->amount == 0 || en->amount > MONEY_MAX || en->amount < -MONEY_MAX)
			return kerr_set(e, K_EINVAL,
			                "entries[%zu].amount: must be non-zero and at most %" PRId64
			                " minor units either way (got %" PRId64 ")",
			                i, MONEY_MAX, en->amount);
		if (en->owner && strcmp(kind, "escrow") != 0)
			return kerr_set(e, K_EINVAL,
			                "entries[%zu].owner: only an escrow takes an owner", i);
		for (size_t j = 0; j < i; j++)
			if (strcmp(tx->entries[j].account, en->account) == 0 &&
			    strcmp(tx->entries[j].currency, en->currency) == 0)
				return kerr_set(
				    e, K_EINVAL,
				    "entries[%zu]: %s %s appears twice in one transaction", i,
				    en->account, en->currency);
	}
	/* Per currency: the first entry of each currency sums all of that currency. Amounts
	 * are at most 2^53 and there are at most 64, so the sums cannot overflow. */
	for (size_t i = 0; i < tx->n; i++) {
		int first = 1;
		for (size_t j = 0; j < i && first; j++)
			first = strcmp(tx->entries[j].currency, tx->entries[i].currency) != 0;
		if (!first)
			continue;
		int64_t sum = 0;
		for (size_t j = i; j < tx->n; j++)
			if (strcmp(tx->entries[j].currency, tx->entries[i].currency) == 0)
				sum += tx->entries[j].amount;
		if (sum != 0) {
			char f[MONEY_FMT_MAX];
			money_format(sum, tx->entries[i].currency, f);
			return kerr_set(
			    e, K_EINVAL,
			    "entries: the %s entries sum to %s, not zero (every transaction"
			    " balances per currency)",
			    tx->entries[i].currency, f);
		}
	}
	return K_OK;
}

/* The entries as one canonical line, sorted, to compare a repeated reference. */
static int cmp_entry(const void *a, const void *b)
{
	const struct nentry *x = *(const struct nentry *const *)a;
	const struct nentry *y = *(const struct nentry *const *)b;
	int c = strcmp(x->account, y->account);
	return c ? c : strcmp(x->currency, y->currency);
}

static void tx_body(const struct ntx *tx, struct kbuf *out)
{
	const struct nentry *sorted[NLEDGER_ENTRIES_MAX];
	for (size_t i = 0; i < tx->n; i++)
		sorted[i] = &tx->entries[i];
	qsort(sorted, tx->n, sizeof sorted[0], cmp_entry);
	kbuf_printf(out, "%s", tx->kind);
	for (size_t i = 0; i < tx->n; i++)
		kbuf_printf(out, " %s %s %" PRId64, sorted[i]->account, sorted[i]->currency,
		            sorted[i]->amount);
}

/* ---------------------------------------------------------------- posting */

static int post_entries(struct nconn *c, const struct ntx *tx, const char *body,
                        char id[NSTORE_ID_MAX + 1], struct kerr *e)
{
	uint8_t r[16];
	struct kbuf b = KBUF_INIT;
	kcrypto_random(r, sizeof r);
	kcrypto_b64_encode(r, sizeof r, KB64_URL_NOPAD, &b);
	snprintf(id, NSTORE_ID_MAX + 1, "T%s", kbuf_str(&b));
	kbuf_free(&b);
	char now[MODEL_TIME_LEN + 1];
	model_now(now);

	sqlite3_stmt *st = nstore_stmt(c, S_LG_TX_PUT, e);
	if (!st)
		return K_EDB;
	nstore_bind_text(st, 1, id);
	nstore_bind_text(st, 2, tx->kind);
	nstore_bind_text(st, 3, tx->memo);
	nstore_bind_text(st, 4, now);
	nstore_bind_text(st, 5, tx->reference);
	nstore_bind_text(st, 6, body);
	int64_t seq;
	int rc = kdb_int64(&c->k, st, "recording a ledger transaction", &seq, e);
	if (rc)
		return rc;

	for (size_t i = 0; i < tx->n; i++) {
		const struct nentry *en = &tx->entries[i];
		const char *kind, *owner;
		account_kind(en->account, "account", &kind, &owner, e); /* checked before */
		if (en->owner)
			owner = en->owner;
		if (!(st = nstore_stmt(c, S_LG_ACC_ADD, e)))
			return K_EDB;
		nstore_bind_text(st, 1, en->account);
		nstore_bind_text(st, 2, en->currency);
		nstore_bind_text(st, 3, kind);
		nstore_bind_text(st, 4, owner);
		sqlite3_bind_int64(st, 5, en->amount);
		int64_t bal;
		if ((rc = kdb_int64(&c->k, st, "updating a ledger balance", &bal, e)))
			return rc;
		if (bal < 0 && !kind_may_go_negative(kind)) {
			char has[MONEY_FMT_MAX], needs[MONEY_FMT_MAX];
			money_format(bal - en->amount, en->currency, has);
			money_format(-en->amount, en->currency, needs);
			return kerr_set(e, K_ECONFLICT,
			                "%s: the %s balance would go below zero (it has %s %s; this"
			                " takes %s %s)",
			                en->account, en->currency, has, en->currency, needs,
			                en->currency);
		}
		if (bal > MONEY_MAX || bal < -MONEY_MAX)
			return kerr_set(e, K_ERANGE, "%s: the %s balance would pass %" PRId64,
			                en->account, en->currency, MONEY_MAX);
		if (!(st = nstore_stmt(c, S_LG_ENTRY_PUT, e)))
			return K_EDB;
		sqlite3_bind_int64(st, 1, seq);
		nstore_bind_text(st, 2, en->account);
		nstore_bind_text(st, 3, en->currency);
		sqlite3_bind_int64(st, 4, en->amount);
		if ((rc = nstore_exec_stmt(c, st, e, "recording a ledger entry")))
			return rc;
	}
	return K_OK;
}

/* K_OK with *found set when the reference was posted before (id filled); K_ECONFLICT when
 * it was posted with other entries. */
static int find_reference(struct nconn *c, const char *ref, const char *body,
                          char id[NSTORE_ID_MAX + 1], int *found, struct kerr *e)
{
	*found = 0;
	sqlite3_stmt *st = nstore_stmt(c, S_LG_BY_REF, e);
	if (!st)
		return K_EDB;
	nstore_bind_text(st, 1, ref);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return K_OK;
	}
	if (rc != SQLITE_ROW) {
		rc = nstore_dberr(c, e, "looking up a ledger reference");
		sqlite3_reset(st);
		return rc;
	}
	nstore_col_copy(st, 0, id, NSTORE_ID_MAX + 1);
	const char *was = (const char *)sqlite3_column_text(st, 1);
	int same = was && strcmp(was, body) == 0;
	sqlite3_reset(st);
	if (!same)
		return kerr_set(e, K_ECONFLICT,
		                "reference: '%s' was already posted (transaction %s) with other"
		                " entries",
		                ref, id);
	*found = 1;
	return K_OK;
}

int nledger_post(struct nstore *s, const struct ntx *tx, char tx_id[NSTORE_ID_MAX + 1], int *posted,
                 struct kerr *e)
{
	char id[NSTORE_ID_MAX + 1] = "";
	if (posted)
		*posted = 0;
	int rc = check_tx(tx, e);
	if (rc)
		return rc;
	struct nconn *c = nstore_conn(s, e);
	if (!c)
		return K_EDB;
	struct kbuf body = KBUF_INIT;
	tx_body(tx, &body);
	if ((rc = nstore_wbegin(c, e))) {
		kbuf_free(&body);
		return rc;
	}
	/* A savepoint of our own: inside a caller's transaction a refused post must still
	 * leave nothing behind. */
	if (sqlite3_exec(c->db, "SAVEPOINT ledger_post", NULL, NULL, NULL) != SQLITE_OK) {
		rc = nstore_dberr(c, e, "starting a ledger savepoint");
		kbuf_free(&body);
		return nstore_wend(c, rc, e);
	}
	int found = 0;
	if (tx->reference)
		rc = find_reference(c, tx->reference, kbuf_str(&body), id, &found, e);
	if (rc == K_OK && !found)
		rc = post_entries(c, tx, kbuf_str(&body), id, e);
	if (rc == K_OK) {
		if (sqlite3_exec(c->db, "RELEASE ledger_post", NULL, NULL, NULL) != SQLITE_OK)
			rc = nstore_dberr(c, e, "releasing a ledger savepoint");
	} else {
		sqlite3_exec(c->db, "ROLLBACK TO ledger_post; RELEASE ledger_post", NULL, NULL,
		             NULL);
	}
	kbuf_free(&body);
	rc = nstore_wend(c, rc, e);
	if (rc == K_OK) {
		if (tx_id)
			snprintf(tx_id, NSTORE_ID_MAX + 1, "%s", id);
		if (posted)
			*posted = !found;
	}
	return rc;
}

/* ---------------------------------------------------------------- reading */

int nledger_balance(struct nstore *s, const char *account, const char *currency, int64_t *out,
                    struct kerr *e)
{
	*out = 0;
	struct nconn *c;
	sqlite3_stmt *st = nstore_conn_stmt(s, S_LG_BALANCE, account, &c, e);
	if (!st)
		return K_EDB;
	nstore_bind_text(st, 2, currency);
	int rc = kdb_one_int64(&c->k, st, "reading a ledger balance", out, e);
	return rc == K_ENOTFOUND ? K_OK : rc; /* no row yet: a balance of 0 */
}

void nbalances_free(struct nbalances *b)
{
	if (!b)
		return;
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

static int owned(struct nconn *c, const char *owner, const char *kind, struct nbalances *out,
                 struct kerr *e)
{
	sqlite3_stmt *st = nstore_stmt(c, S_LG_OWNED, e);
	if (!st)
		return K_EDB;
	nstore_bind_text(st, 1, owner);
	nstore_bind_text(st, 2, kind);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t amount = sqlite3_column_int64(st, 1);
		if (amount == 0)
			continue; /* a currency once held and spent: nothing to show */
		out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
		nstore_col_copy(st, 0, out->v[out->n].currency, sizeof out->v[out->n].currency);
		out->v[out->n].amount = amount;
		out->n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return nstore_dberr(c, e, "reading ledger balances");
	return K_OK;
}

int nledger_wallet(struct nstore *s, const char *account_id, struct nbalances *wallet,
                   struct nbalances *held, struct kerr *e)
{
	wallet->v = NULL;
	wallet->n = 0;
	if (held) {
		held->v = NULL;
		held->n = 0;
	}
	struct nconn *c = nstore_conn(s, e);
	if (!c)
		return K_EDB;
	int rc = owned(c, account_id, "wallet", wallet, e);
	if (rc == K_OK && held)
		rc = owned(c, account_id, "escrow", held, e);
	if (rc) {
		nbalances_free(wallet);
		nbalances_free(held);
	}
	return rc;
}

#define WALLET_ACCOUNT_MAX (NLEDGER_ACCOUNT_MAX + 16)

/* Statement id on the calling thread's connection (*c) with ?1 bound to the ledger account of
 * account_id's wallet, made in wallet ("wallet:ID"; it must outlive the step). NULL
 * account_id leaves ?1 NULL. NULL with e filled when there is no connection or statement. */
static sqlite3_stmt *wallet_stmt(struct nstore *s, enum nst id, const char *account_id,
                                 char wallet[WALLET_ACCOUNT_MAX], struct nconn **c, struct kerr *e)
{
	if (account_id)
		snprintf(wallet, WALLET_ACCOUNT_MAX, "wallet:%s", account_id);
	return nstore_conn_stmt(s, id, account_id ? wallet : NULL, c, e);
}

/* One line of a wallet's history (S_LG_HISTORY's columns). */
static void hist_row(sqlite3_stmt *st, void *item)
{
	struct nhist *h = item;
	nstore_col_copy(st, 0, h->tx, sizeof h->tx);
	nstore_col_copy(st, 1, h->kind, sizeof h->kind);
	nstore_col_copy(st, 2, h->memo, sizeof h->memo);
	nstore_col_copy(st, 3, h->reference, sizeof h->reference);
	nstore_col_copy(st, 4, h->created, sizeof h->created);
	nstore_col_copy(st, 5, h->currency, sizeof h->currency);
	h->amount = sqlite3_column_int64(st, 6);
	h->seq = sqlite3_column_int64(st, 7);
	nstore_col_copy(st, 8, h->order, sizeof h->order);
}

int nledger_history(struct nstore *s, const char *account_id, int64_t position, int limit,
                    struct nhist **out, size_t *n, int64_t *total, struct kerr *e)
{
	*out = NULL;
	*n = 0;
	struct nconn *c;
	char account[WALLET_ACCOUNT_MAX];
	sqlite3_stmt *st = wallet_stmt(s, S_LG_HISTORY, account_id, account, &c, e);
	if (!st)
		return K_EDB;
	sqlite3_bind_int(st, 2, limit > 0 ? limit : 0);
	sqlite3_bind_int64(st, 3, position > 0 ? position : 0);
	int rc;
	*out = kdb_rows(&c->k, st, sizeof **out, hist_row, NULL, n, &rc,
	                "reading a wallet's history", e);
	if (rc)
		return rc;
	if (total) {
		if (!(st = nstore_stmt(c, S_LG_HISTORY_COUNT, e)))
			return K_EDB;
		nstore_bind_text(st, 1, account);
		return kdb_int64(&c->k, st, "counting a wallet's history", total, e);
	}
	return K_OK;
}

int nledger_state(struct nstore *s, const char *account_id, int64_t *out, struct kerr *e)
{
	*out = 0;
	struct nconn *c;
	char wallet[WALLET_ACCOUNT_MAX];
	sqlite3_stmt *st =
	    wallet_stmt(s, account_id ? S_LG_STATE_OF : S_LG_STATE, account_id, wallet, &c, e);
	if (!st)
		return K_EDB;
	if (account_id)
		nstore_bind_text(st, 2, account_id);
	return kdb_int64(&c->k, st, "reading the ledger state", out, e);
}

/* One escrow an account stands in (S_LG_ESCROWS's columns). */
static void escrow_row(sqlite3_stmt *st, void *item)
{
	struct nescrow *x = item;
	nstore_col_copy(st, 0, x->order, sizeof x->order);
	nstore_col_copy(st, 1, x->role, sizeof x->role);
	nstore_col_copy(st, 2, x->currency, sizeof x->currency);
	x->amount = sqlite3_column_int64(st, 3);
}

int nledger_escrows(struct nstore *s, const char *account_id, int max, struct nescrow **out,
                    size_t *n, struct kerr *e)
{
	*out = NULL;
	*n = 0;
	struct nconn *c;
	sqlite3_stmt *st = nstore_conn_stmt(s, S_LG_ESCROWS, account_id, &c, e);
	if (!st)
		return K_EDB;
	sqlite3_bind_int(st, 2, max > 0 ? max : 0);
	int rc;
	*out = kdb_rows(&c->k, st, sizeof **out, escrow_row, NULL, n, &rc,
	                "reading what escrow holds for an account", e);
	return rc;
}

int nledger_payouts(struct nstore *s, const char *account_id,
                    int (*cb)(void *ctx, const struct npayout *p), void *ctx, struct kerr *e)
{
	struct nconn *c;
	char wallet[WALLET_ACCOUNT_MAX];
	sqlite3_stmt *st = wallet_stmt(s, S_LG_PAYOUTS, account_id, wallet, &c, e);
	if (!st)
		return K_EDB;
	int rc = SQLITE_DONE, stop = 0;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct npayout p;
		memset(&p, 0, sizeof p);
		nstore_col_copy(st, 0, p.tx, sizeof p.tx);
		nstore_col_copy(st, 1, p.created, sizeof p.created);
		nstore_col_copy(st, 2, p.reference, sizeof p.reference);
		nstore_col_copy(st, 3, p.account, sizeof p.account);
		nstore_col_copy(st, 4, p.currency, sizeof p.currency);
		p.amount = sqlite3_column_int64(st, 5);
		nstore_col_copy(st, 6, p.provider, sizeof p.provider);
		stop = cb(ctx, &p);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (stop)
		return stop;
	if (rc != SQLITE_DONE)
		return nstore_dberr(c, e, "reading the payouts");
	return K_OK;
}

int nledger_check(struct nstore *s, struct kerr *e)
{
	struct nconn *c;
	sqlite3_stmt *st = nstore_conn_stmt(s, S_LG_CHECK_SUMS, NULL, &c, e);
	if (!st)
		return K_EDB;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		char tx[NSTORE_ID_MAX + 1], cur[4];
		nstore_col_copy(st, 0, tx, sizeof tx);
		nstore_col_copy(st, 1, cur, sizeof cur);
		int64_t sum = sqlite3_column_int64(st, 2);
		sqlite3_reset(st);
		return kerr_set(e, K_ECONFLICT,
		                "ledger transaction %s: its %s entries sum to %" PRId64
		                ", not zero",
		                tx, cur, sum);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return nstore_dberr(c, e, "auditing the ledger");
	if (!(st = nstore_stmt(c, S_LG_CHECK_BALANCES, e)))
		return K_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		char acc[NLEDGER_ACCOUNT_MAX + 1], cur[4];
		nstore_col_copy(st, 0, acc, sizeof acc);
		nstore_col_copy(st, 1, cur, sizeof cur);
		int64_t bal = sqlite3_column_int64(st, 2), sum = sqlite3_column_int64(st, 3);
		sqlite3_reset(st);
		return kerr_set(e, K_ECONFLICT,
		                "ledger account %s: its %s balance is %" PRId64
		                " (the sum of its entries is %" PRId64 ")",
		                acc, cur, bal, sum);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return nstore_dberr(c, e, "auditing the ledger");
	return K_OK;
}
