/* pay_sim — the simulated payment provider behind `kontord admin deposit`: money appears in
 * a registered account's wallet, taken from the ledger account "provider:sim" (which goes
 * negative by what it has paid in, as a real provider's account would mirror the money
 * held for the node outside). */
#include "pay.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kontor/codes.h"
#include "kontor/money.h"

/* The checks a deposit and a payout share; what ("deposit" or "payout") names it in the
 * sentence. */
static int sim_check(const char *account_id, int64_t amount, const char *currency, const char *what,
                     struct kerr *e)
{
	if (!account_id || !*account_id || strlen(account_id) > NSTORE_ID_MAX)
		return kerr_set(e, K_EINVAL, "account: missing or longer than %d bytes",
		                NSTORE_ID_MAX);
	int rc = codes_check_currency(currency ? currency : "", "currency", e);
	if (rc)
		return rc;
	if (amount <= 0 || amount > MONEY_MAX)
		return kerr_set(e, K_EINVAL,
		                "amount: a %s is more than zero and at most %" PRId64
		                " minor units (got %" PRId64 ")",
		                what, MONEY_MAX, amount);
	return K_OK;
}

/* Moves amount between "provider:sim" and the account's wallet (into it for a deposit, out of
 * it for a payout) as one ledger transaction, then reads the wallet's balance into out. */
static int sim_post(struct nstore *s, const char *account_id, int64_t amount, const char *currency,
                    int into_wallet, const char *kind, const char *memo, const char *ref,
                    struct pay_result *out, struct kerr *e)
{
	char wallet[NLEDGER_ACCOUNT_MAX + 1];
	snprintf(wallet, sizeof wallet, "wallet:%s", account_id);
	const char *from = into_wallet ? "provider:sim" : wallet;
	const char *to = into_wallet ? wallet : "provider:sim";
	const struct nentry entries[] = {
	    {from, currency, -amount, NULL},
	    {to, currency, amount, NULL},
	};
	const struct ntx tx = {kind, memo, ref, entries, 2};
	int rc = nledger_post(s, &tx, out->tx, &out->posted, e);
	if (rc == K_ECONFLICT)
		kerr_prefix(e, into_wallet ? "simulated deposit" : "simulated payout");
	if (rc)
		return rc;
	return nledger_balance(s, wallet, currency, &out->balance, e);
}

static int sim_deposit(void *ctx, const char *account_id, int64_t amount, const char *currency,
                       const char *reference, struct pay_result *out, struct kerr *e)
{
	struct nstore *s = ctx;
	memset(out, 0, sizeof *out);
	int rc = sim_check(account_id, amount, currency, "deposit", e);
	if (rc)
		return rc;
	if (!reference || !*reference)
		return kerr_set(e, K_EINVAL, "reference: missing (the provider's payment id)");
	if (strlen(reference) > NLEDGER_REF_MAX - 4)
		return kerr_set(e, K_EINVAL, "reference: longer than %d bytes",
		                NLEDGER_REF_MAX - 4);

	struct nobj o = {KBUF_INIT, "", ""};
	rc = nstore_get(s, NT_ACCOUNT, account_id, &o, e);
	nobj_free(&o);
	if (rc == K_ENOTFOUND)
		return kerr_set(e, K_ENOTFOUND,
		                "account: %s is not registered on this node (Account/set first)",
		                account_id);
	if (rc)
		return rc;

	char ref[NLEDGER_REF_MAX + 1];
	snprintf(ref, sizeof ref, "sim:%s", reference);
	return sim_post(s, account_id, amount, currency, 1, "deposit", "simulated deposit", ref,
	                out, e);
}

static int sim_payout(void *ctx, const char *account_id, int64_t amount, const char *currency,
                      const char *reference, struct pay_result *out, struct kerr *e)
{
	struct nstore *s = ctx;
	memset(out, 0, sizeof *out);
	int rc = sim_check(account_id, amount, currency, "payout", e);
	if (rc)
		return rc;
	size_t rl = reference ? strlen(reference) : 0;
	if (rl == 0 || rl > PAY_PAYOUT_REF_MAX)
		return kerr_set(e, K_EINVAL, "reference: 1 to %d characters, please",
		                PAY_PAYOUT_REF_MAX);
	for (size_t i = 0; i < rl; i++) {
		char ch = reference[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return kerr_set(e, K_EINVAL,
			                "reference: only A-Z a-z 0-9 - and _ (a character at %zu)",
			                i + 1);
	}
	char ref[NLEDGER_REF_MAX + 1];
	snprintf(ref, sizeof ref, "sim-payout:%s:%s", account_id, reference);
	return sim_post(s, account_id, amount, currency, 0, "payout",
	                "simulated payout to the account holder", ref, out, e);
}

void pay_sim_init(struct pay_provider *p, struct nstore *s)
{
	p->name = "sim";
	p->ctx = s;
	p->deposit = sim_deposit;
	p->payout = sim_payout;
}
