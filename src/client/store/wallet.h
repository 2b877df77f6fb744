/* store/wallet — the account's Wallet on each node, cached as sync pulls it (DESIGN §6):
 * balances per currency, what escrow holds of each of its orders (as buyer and as seller),
 * and every line of the wallet's history that ever came, newest first. The node computes
 * all of it from its ledger; the cache never works a balance out itself. Screens and
 * commands read these structs; nothing here talks to the network. */
#ifndef KONTOR_STORE_WALLET_H
#define KONTOR_STORE_WALLET_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "kontor/err.h"
#include "kontor/model.h"

struct store;

#define WALLET_ID_MAX 64 /* bytes of a transaction or order id */

struct wallet_amount {
	char currency[4];
	int64_t amount; /* minor units */
};

struct wallet_escrow {
	char order[WALLET_ID_MAX + 1];
	char role[8]; /* "buyer": her money, held; "seller": released to her at the end */
	char currency[4];
	int64_t amount;
};

struct wallet_view {
	struct wallet_amount *balances; /* by currency; none when empty */
	size_t nbalances;
	struct wallet_amount *held; /* escrow holding her money, per currency */
	size_t nheld;
	struct wallet_escrow *escrow; /* per order, newest order first */
	size_t nescrow;
	int64_t history_total;            /* lines the node says the history has */
	int64_t lines;                    /* lines in the cache */
	char updated[MODEL_TIME_LEN + 1]; /* the newest line's time; "" before any */
	char pulled[MODEL_TIME_LEN + 1];  /* when sync last brought it (cmd_wallet_read: or,
	                                     later, the last sync that finished) */
};
/* Frees what the view holds (the struct itself is the caller's). */
void wallet_view_free(struct wallet_view *w);

/* The cached wallet of account on node. K_ENOTFOUND "no wallet from node N in the cache"
 * before the first sync that brought one. out is reset first. */
int store_wallet_get(struct store *s, const char *node, const char *account,
                     struct wallet_view *out, struct kerr *e);
/* The balance in one currency (0 when the wallet holds none or was never pulled). */
int64_t wallet_view_balance(const struct wallet_view *w, const char *currency);
/* What the balance says when it holds nothing: "nothing yet" before any money moved,
 * "0 in every currency" after (her payout took it all). */
const char *wallet_view_empty_words(const struct wallet_view *w);

/* One line of the history: her side of one ledger transaction. */
struct wallet_line {
	char tx[WALLET_ID_MAX + 1];
	char kind[33]; /* deposit, payout, escrow_fund, escrow_release, escrow_refund, ... */
	char currency[4];
	int64_t amount; /* + came in, - went out */
	int64_t seq;    /* its place in the node's ledger: the order of the history */
	char created[MODEL_TIME_LEN + 1];
	char order[WALLET_ID_MAX + 1]; /* the order whose escrow was the other side, "" if none */
	char memo[201];
	char reference[129];
};
struct wallet_lines {
	struct wallet_line *v; /* owned; free with wallet_lines_free */
	size_t n;
	int64_t total; /* lines in the cache, all pages */
};
void wallet_lines_free(struct wallet_lines *l);
/* Up to limit lines newest first from offset (>= 0). */
int store_wallet_lines(struct store *s, const char *node, const char *account, int64_t offset,
                       int limit, struct wallet_lines *out, struct kerr *e);
/* Lines that came in (amount > 0) after seq, newest first, at most limit. */
int store_wallet_credits_since(struct store *s, const char *node, const char *account, int64_t seq,
                               int limit, struct wallet_lines *out, struct kerr *e);

/* A Wallet object from the node (model_validate("Wallet") passed): replaces the cached one
 * and adds its history lines. K_EINVAL when it is not self_id's wallet. In its own write
 * bracket (or the caller's transaction). */
int store_wallet_put(struct store *s, const cJSON *w, const char *node, const char *self_id,
                     struct kerr *e);
/* More history lines (a page Wallet/get returned with historyPosition): added, kept. */
int store_wallet_lines_put(struct store *s, const char *node, const char *account,
                           const cJSON *history, struct kerr *e);
int64_t store_wallet_line_count(struct store *s, const char *node, const char *account);

/* The newest line `kontor wallet` has shown (its seq; 0 before), and moving that mark:
 * what came in after it is news in the inbox. */
int64_t store_wallet_seen(struct store *s, const char *node, const char *account);
int store_wallet_mark_seen(struct store *s, const char *node, const char *account, int64_t seq,
                           struct kerr *e);

/* What escrow held for each of her orders as seller when `kontor wallet` last showed it:
 * a payment into escrow beyond that is news in the inbox. _get returns the mark as stored
 * (one "ORDER AMOUNT" line per order; NULL before any, the caller frees it), from which
 * _seen reads one order's amount (0 when it is not there). _mark replaces it with w's. */
char *store_wallet_escrow_seen_get(struct store *s, const char *node, const char *account);
int64_t store_wallet_escrow_seen(const char *seen, const char *order);
int store_wallet_mark_escrow_seen(struct store *s, const char *node, const char *account,
                                  const struct wallet_view *w, struct kerr *e);

#endif
