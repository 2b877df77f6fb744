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

static int sim_deposit(void *ctx, const char *account_id, int64_t amount, const char *currency,
                       const char *reference, struct pay_result *out, struct kerr *e)
{
	struct nstore *s = ctx;
	memset(out, 0, sizeof *out);
	if (!account_id || !*account_id || strlen(account_id) > NSTORE_ID_MAX)
		return kerr_set(e, K_EINVAL, "account: missing or longer than %d bytes",
		                NSTORE_ID_MAX);
	int rc = codes_check_currency(currency ? currency : "", "currency", e);
	if (rc)
		return rc;
	if (amount <= 0 || amount > MONEY_MAX)
		return kerr_set(e, K_EINVAL,
		                "amount: a deposit is more than zero and at most %" PRId64
		                " minor units (got %" PRId64 ")",
		                MONEY_MAX, amount);
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

	char wallet[NLEDGER_ACCOUNT_MAX + 1], ref[NLEDGER_REF_MAX + 1];
	snprintf(wallet, sizeof wallet, "wallet:%s", account_id);
	snprintf(ref, sizeof ref, "sim:%s", reference);
	const struct nentry entries[] = {
	    {"provider:sim", currency, -amount, NULL},
	    {wallet, currency, amount, NULL},
	};
	const struct ntx tx = {"deposit", "simulated deposit", ref, entries, 2};
	rc = nledger_post(s, &tx, out->tx, &out->posted, e);
	if (rc == K_ECONFLICT)
		kerr_prefix(e, "simulated deposit");
	if (rc)
		return rc;
	return nledger_balance(s, wallet, currency, &out->balance, e);
}

void pay_sim_init(struct pay_provider *p, struct nstore *s)
{
	p->name = "sim";
	p->ctx = s;
	p->deposit = sim_deposit;
}
