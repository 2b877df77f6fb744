/* pay — the node's payment-provider interface (DESIGN §6): money enters and leaves the
 * ledger only through a provider. Each provider posts to the ledger between its own
 * account "provider:<name>" and a user's wallet, with the provider's payment id as the
 * transaction's reference, so a notice delivered twice credits once and a payout asked
 * twice pays once. The built-in provider is the simulated one (pay_sim.c, `kontord admin
 * deposit`, Wallet/set withdraw, `kontord admin payouts`); a real PSP is another struct
 * pay_provider whose deposit is called from its webhook once the payment has settled and
 * whose payout hands the transfer to the PSP. */
#ifndef KONTOR_PAY_H
#define KONTOR_PAY_H

#include <stdint.h>

#include "kontor/err.h"
#include "store/nstore.h"

struct pay_result {
	char tx[NSTORE_ID_MAX + 1]; /* the ledger transaction (the first one on a repeat) */
	int posted;                 /* 0 when the reference had been posted before */
	int64_t balance;            /* the wallet's balance in that currency afterwards */
};

struct pay_provider {
	const char *name; /* the ledger account is "provider:<name>" */
	void *ctx;
	/* Credits account_id's wallet with amount (minor units, > 0) of currency. The account
	 * must be registered on the node (K_ENOTFOUND naming it); K_EINVAL naming the currency
	 * or amount; reference (required, 1..NLEDGER_REF_MAX bytes of one line) is the
	 * provider's payment id: the same reference again posts nothing (out->posted = 0),
	 * with another amount or account it is K_ECONFLICT. */
	int (*deposit)(void *ctx, const char *account_id, int64_t amount, const char *currency,
	               const char *reference, struct pay_result *out, struct kerr *e);
	/* Pays amount (minor units, > 0) of currency out of account_id's wallet to the account
	 * holder (ledger: wallet -> provider:<name>, kind "payout"). K_ECONFLICT naming the
	 * balance when the wallet holds less (nothing is posted); K_EINVAL naming the currency,
	 * amount or reference. reference (1..PAY_PAYOUT_REF_MAX bytes of A-Z a-z 0-9 - _) is
	 * the requester's idempotency key, scoped to the account: the same reference again
	 * pays nothing (out->posted = 0), with another amount it is K_ECONFLICT. Runs inside
	 * the caller's transaction when it has one. */
	int (*payout)(void *ctx, const char *account_id, int64_t amount, const char *currency,
	              const char *reference, struct pay_result *out, struct kerr *e);
};
#define PAY_PAYOUT_REF_MAX 64

/* The simulated provider "sim" over a node store: deposits and payouts need no outside
 * party (a payout is recorded as its ledger transaction and nothing leaves the machine). Its
 * references are stored as "sim:<reference>" for deposits and
 * "sim-payout:<account>:<reference>" for payouts. */
void pay_sim_init(struct pay_provider *p, struct nstore *s);

#endif
