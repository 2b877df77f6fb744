/* test_ledger — the node's double-entry ledger (store/nledger.c), the simulated payment
 * provider (pay_sim.c) and Wallet/get (wallet.c) against a temporary database: deposits,
 * sums per currency, balances that never go negative, idempotent references, currencies kept
 * apart, wallet -> escrow -> wallet, the history newest first, and the Wallet object as the
 * model accepts it. Needs Debian's iso-codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kontor/codes.h"
#include "kontor/crypto.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "../../src/node/node.h"
#include "../../src/node/pay.h"
#include "../../src/node/store/nstore.h"

/* node.c may not be linked in: a stand-in. */
__attribute__((weak)) void node_notify(struct node *n)
{
}

static struct kkeypair key_a, key_b;
static char id_a[KCRYPTO_ID_LEN + 1], id_b[KCRYPTO_ID_LEN + 1];
static char wallet_a[NLEDGER_ACCOUNT_MAX + 1], wallet_b[NLEDGER_ACCOUNT_MAX + 1];

struct fx {
	char dir[64];
	char path[96];
	struct node n;
	struct nstore *s; /* = n.store */
	struct pay_provider sim;
};

static int group_setup(void **state)
{
	struct kerr e = {0, ""};
	if (kcrypto_init(&e) != K_OK || codes_load(&e) != K_OK) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	kcrypto_keypair_new(&key_a);
	kcrypto_keypair_new(&key_b);
	kcrypto_account_id(key_a.pk, id_a);
	kcrypto_account_id(key_b.pk, id_b);
	snprintf(wallet_a, sizeof wallet_a, "wallet:%s", id_a);
	snprintf(wallet_b, sizeof wallet_b, "wallet:%s", id_b);
	return 0;
}

static void must(int rc, const struct kerr *e)
{
	if (rc != K_OK)
		fail_msg("unexpected failure %d: %s", rc, e->msg);
}

static void put_account(struct nstore *s, const char *id, const char *handle)
{
	struct account a;
	struct kerr e = {0, ""};
	account_init(&a);
	snprintf(a.id, sizeof a.id, "%s", id);
	a.handle = strdup(handle);
	a.display_name = strdup(handle);
	snprintf(a.country, sizeof a.country, "DE");
	snprintf(a.role, sizeof a.role, "both");
	model_now(a.created);
	must(nstore_account_put(s, &a, &e), &e);
	account_free(&a);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/ledger-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/node.db", f->dir);
	struct kerr e = {0, ""};
	if (nstore_open(f->path, 1, &f->n.store, &e) != K_OK) {
		fprintf(stderr, "open: %s\n", e.msg);
		return -1;
	}
	f->s = f->n.store;
	snprintf(f->n.name, sizeof f->n.name, "test-node");
	node_limits_default(&f->n.limits);
	pthread_mutex_init(&f->n.ev_lock, NULL);
	pthread_cond_init(&f->n.ev_cond, NULL);
	put_account(f->s, id_a, "alice");
	put_account(f->s, id_b, "bob");
	pay_sim_init(&f->sim, f->s);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	nstore_close(&f->n.store);
	pthread_mutex_destroy(&f->n.ev_lock);
	pthread_cond_destroy(&f->n.ev_cond);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* ---------------------------------------------------------------- helpers */

static int64_t balance(struct fx *f, const char *account, const char *cur)
{
	struct kerr e = {0, ""};
	int64_t v = -1;
	must(nledger_balance(f->s, account, cur, &v, &e), &e);
	return v;
}

static void deposit(struct fx *f, const char *id, int64_t amount, const char *cur, const char *ref)
{
	struct kerr e = {0, ""};
	struct pay_result r;
	must(f->sim.deposit(f->sim.ctx, id, amount, cur, ref, &r, &e), &e);
	assert_true(r.posted);
}

/* A two-entry move from -> to. */
static int move(struct fx *f, const char *kind, const char *from, const char *to, const char *owner,
                int64_t amount, const char *cur, const char *ref, struct kerr *e)
{
	const struct nentry en[] = {
	    {from, cur, -amount, strncmp(from, "escrow:", 7) == 0 ? owner : NULL},
	    {to, cur, amount, strncmp(to, "escrow:", 7) == 0 ? owner : NULL},
	};
	const struct ntx tx = {kind, NULL, ref, en, 2};
	return nledger_post(f->s, &tx, NULL, NULL, e);
}

/* Straight from the database file: rows of (tx, currency) whose entries do not sum to
 * zero, and accounts whose balance is not the sum of their entries. */
static int64_t sql_count(struct fx *f, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void assert_ledger_sound(struct fx *f)
{
	struct kerr e = {0, ""};
	must(nledger_check(f->s, &e), &e);
	assert_int_equal(sql_count(f, "SELECT count(*) FROM (SELECT tx FROM ledger_entries"
	                              " GROUP BY tx, currency HAVING sum(amount) != 0)"),
	                 0);
	assert_int_equal(sql_count(f, "SELECT count(*) FROM ledger_accounts a WHERE balance !="
	                              " (SELECT coalesce(sum(amount), 0) FROM ledger_entries e"
	                              " WHERE e.account = a.id AND e.currency = a.currency)"),
	                 0);
	assert_int_equal(sql_count(f, "SELECT count(*) FROM ledger_accounts WHERE kind IN"
	                              " ('wallet', 'escrow') AND balance < 0"),
	                 0);
}

static int64_t history_total(struct fx *f, const char *id)
{
	struct kerr e = {0, ""};
	struct nhist *h;
	size_t n;
	int64_t total = -1;
	must(nledger_history(f->s, id, 0, 1, &h, &n, &total, &e), &e);
	free(h);
	return total;
}

/* ---------------------------------------------------------------- tests */

static void test_deposit_credits_wallet_and_provider_side_debits(void **state)
{
	struct fx *f = *state;
	deposit(f, id_a, 12050, "EUR", "p-1");
	assert_int_equal(balance(f, wallet_a, "EUR"), 12050);
	assert_int_equal(balance(f, "provider:sim", "EUR"), -12050);
	deposit(f, id_a, 950, "EUR", "p-2");
	assert_int_equal(balance(f, wallet_a, "EUR"), 13000);
	assert_int_equal(balance(f, "provider:sim", "EUR"), -13000);
	assert_int_equal(balance(f, wallet_b, "EUR"), 0);
	assert_ledger_sound(f);
}

static void test_deposit_to_unregistered_account_is_refused(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	struct pay_result r;
	struct kkeypair k;
	char id[KCRYPTO_ID_LEN + 1];
	kcrypto_keypair_new(&k);
	kcrypto_account_id(k.pk, id);
	assert_int_equal(f->sim.deposit(f->sim.ctx, id, 100, "EUR", "p-x", &r, &e), K_ENOTFOUND);
	assert_non_null(strstr(e.msg, "is not registered on this node"));
	assert_int_equal(f->sim.deposit(f->sim.ctx, id_a, 100, "ZZZ", "p-y", &r, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "currency"));
	assert_int_equal(f->sim.deposit(f->sim.ctx, id_a, 0, "EUR", "p-z", &r, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "amount"));
	assert_int_equal(f->sim.deposit(f->sim.ctx, id_a, -5, "EUR", "p-z", &r, &e), K_EINVAL);
	int64_t st = -1;
	must(nledger_state(f->s, NULL, &st, &e), &e);
	assert_int_equal(st, 0);
}

static void test_every_transaction_sums_to_zero_per_currency(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	deposit(f, id_a, 10000, "EUR", "p-1");
	/* 100 out of A, only 90 into B: refused, naming the currency. */
	const struct nentry bad[] = {{wallet_a, "EUR", -100, NULL}, {wallet_b, "EUR", 90, NULL}};
	const struct ntx tx = {"transfer", NULL, NULL, bad, 2};
	assert_int_equal(nledger_post(f->s, &tx, NULL, NULL, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "the EUR entries sum to -0.10, not zero"));
	/* Three legs that balance are fine. */
	const struct nentry three[] = {{wallet_a, "EUR", -1000, NULL},
	                               {wallet_b, "EUR", 970, NULL},
	                               {"fees", "EUR", 30, NULL}};
	const struct ntx ok = {"transfer", "split", NULL, three, 3};
	must(nledger_post(f->s, &ok, NULL, NULL, &e), &e);
	assert_int_equal(balance(f, wallet_a, "EUR"), 9000);
	assert_int_equal(balance(f, wallet_b, "EUR"), 970);
	assert_int_equal(balance(f, "fees", "EUR"), 30);
	assert_ledger_sound(f);
}

static void test_transfer_making_wallet_negative_is_refused_and_changes_nothing(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	deposit(f, id_a, 500, "USD", "p-1");
	int64_t before = 0, after = 0;
	must(nledger_state(f->s, NULL, &before, &e), &e);
	assert_int_equal(move(f, "transfer", wallet_a, wallet_b, NULL, 501, "USD", NULL, &e),
	                 K_ECONFLICT);
	assert_non_null(strstr(e.msg, wallet_a));
	assert_non_null(strstr(e.msg, "the USD balance would go below zero (it has 5.00 USD"));
	assert_int_equal(balance(f, wallet_a, "USD"), 500);
	assert_int_equal(balance(f, wallet_b, "USD"), 0);
	must(nledger_state(f->s, NULL, &after, &e), &e);
	assert_int_equal(after, before);
	assert_int_equal(history_total(f, id_a), 1);
	assert_int_equal(history_total(f, id_b), 0);
	/* Exactly all of it is fine; then nothing more. */
	must(move(f, "transfer", wallet_a, wallet_b, NULL, 500, "USD", NULL, &e), &e);
	assert_int_equal(balance(f, wallet_a, "USD"), 0);
	assert_int_equal(move(f, "transfer", wallet_a, wallet_b, NULL, 1, "USD", NULL, &e),
	                 K_ECONFLICT);
	assert_ledger_sound(f);
}

static void test_refused_post_inside_a_callers_transaction_leaves_nothing(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	deposit(f, id_a, 100, "EUR", "p-1");
	must(nstore_begin(f->s, &e), &e);
	/* The first leg (B credited) is written before the second fails. */
	const struct nentry en[] = {{wallet_b, "EUR", 200, NULL}, {wallet_a, "EUR", -200, NULL}};
	const struct ntx tx = {"transfer", NULL, NULL, en, 2};
	assert_int_equal(nledger_post(f->s, &tx, NULL, NULL, &e), K_ECONFLICT);
	must(move(f, "transfer", wallet_a, wallet_b, NULL, 40, "EUR", NULL, &e), &e);
	must(nstore_commit(f->s, &e), &e);
	assert_int_equal(balance(f, wallet_a, "EUR"), 60);
	assert_int_equal(balance(f, wallet_b, "EUR"), 40);
	assert_ledger_sound(f);
}

static void test_repeated_reference_posts_once(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	struct pay_result r1, r2;
	must(f->sim.deposit(f->sim.ctx, id_a, 2500, "EUR", "psp-777", &r1, &e), &e);
	assert_true(r1.posted);
	assert_int_equal(r1.balance, 2500);
	must(f->sim.deposit(f->sim.ctx, id_a, 2500, "EUR", "psp-777", &r2, &e), &e);
	assert_false(r2.posted);
	assert_string_equal(r2.tx, r1.tx);
	assert_int_equal(r2.balance, 2500);
	assert_int_equal(balance(f, "provider:sim", "EUR"), -2500);
	assert_int_equal(history_total(f, id_a), 1);
	/* The same payment id with another amount is a clash, not a repeat. */
	assert_int_equal(f->sim.deposit(f->sim.ctx, id_a, 9999, "EUR", "psp-777", &r2, &e),
	                 K_ECONFLICT);
	assert_non_null(strstr(e.msg, "already posted"));
	assert_int_equal(balance(f, wallet_a, "EUR"), 2500);
	assert_ledger_sound(f);
}

static void test_two_currencies_never_mix(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	deposit(f, id_a, 1000, "EUR", "p-1");
	deposit(f, id_a, 700, "JPY", "p-2");
	/* EUR out, JPY in: each currency on its own does not sum to zero. */
	const struct nentry swap[] = {{wallet_a, "EUR", -100, NULL}, {wallet_b, "JPY", 100, NULL}};
	const struct ntx tx = {"transfer", NULL, NULL, swap, 2};
	assert_int_equal(nledger_post(f->s, &tx, NULL, NULL, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "sum to"));
	/* USD the wallet never had cannot be spent, whatever its EUR. */
	assert_int_equal(move(f, "transfer", wallet_a, wallet_b, NULL, 1, "USD", NULL, &e),
	                 K_ECONFLICT);
	assert_non_null(strstr(e.msg, "USD"));
	struct nbalances w, held;
	must(nledger_wallet(f->s, id_a, &w, &held, &e), &e);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.v[0].currency, "EUR");
	assert_int_equal(w.v[0].amount, 1000);
	assert_string_equal(w.v[1].currency, "JPY");
	assert_int_equal(w.v[1].amount, 700);
	assert_int_equal(held.n, 0);
	nbalances_free(&w);
	nbalances_free(&held);
	assert_ledger_sound(f);
}

static void test_escrow_moves_wallet_to_escrow_to_wallet_keep_all_sums(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	deposit(f, id_a, 100000, "EUR", "p-1");
	/* Fund order O1 from the buyer A. */
	must(move(f, "escrow_fund", wallet_a, "escrow:O1", id_a, 60000, "EUR", "fund:O1", &e), &e);
	assert_int_equal(balance(f, wallet_a, "EUR"), 40000);
	assert_int_equal(balance(f, "escrow:O1", "EUR"), 60000);
	struct nbalances w, held;
	must(nledger_wallet(f->s, id_a, &w, &held, &e), &e);
	assert_int_equal(held.n, 1);
	assert_int_equal(held.v[0].amount, 60000);
	nbalances_free(&w);
	nbalances_free(&held);
	/* Release 45000 to the seller B with a 500 fee, refund 14000 to A. */
	const struct nentry rel[] = {{"escrow:O1", "EUR", -45500, NULL},
	                             {wallet_b, "EUR", 45000, NULL},
	                             {"fees", "EUR", 500, NULL}};
	const struct ntx release = {"escrow_release", "order O1", "release:O1", rel, 3};
	must(nledger_post(f->s, &release, NULL, NULL, &e), &e);
	must(move(f, "escrow_refund", "escrow:O1", wallet_a, NULL, 14000, "EUR", "refund:O1", &e),
	     &e);
	/* funded - released - refunded = what escrow still holds. */
	assert_int_equal(balance(f, "escrow:O1", "EUR"), 60000 - 45500 - 14000);
	/* Escrow cannot pay out more than it holds. */
	assert_int_equal(
	    move(f, "escrow_refund", "escrow:O1", wallet_a, NULL, 501, "EUR", NULL, &e),
	    K_ECONFLICT);
	assert_non_null(strstr(e.msg, "escrow:O1: the EUR balance would go below zero"));
	must(move(f, "escrow_refund", "escrow:O1", wallet_a, NULL, 500, "EUR", NULL, &e), &e);
	assert_int_equal(balance(f, "escrow:O1", "EUR"), 0);
	assert_int_equal(balance(f, wallet_a, "EUR"), 40000 + 14000 + 500);
	assert_int_equal(balance(f, wallet_b, "EUR"), 45000);
	/* Money is neither made nor lost: everything in wallets, escrow and fees is what the
	 * provider paid in. */
	assert_int_equal(balance(f, wallet_a, "EUR") + balance(f, wallet_b, "EUR") +
	                     balance(f, "escrow:O1", "EUR") + balance(f, "fees", "EUR"),
	                 -balance(f, "provider:sim", "EUR"));
	must(nledger_wallet(f->s, id_a, &w, &held, &e), &e);
	assert_int_equal(held.n, 0); /* an empty escrow holds nothing */
	nbalances_free(&w);
	nbalances_free(&held);
	assert_ledger_sound(f);
}

static void test_history_is_newest_first_and_paged(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	deposit(f, id_a, 100, "EUR", "h-1");
	deposit(f, id_a, 200, "EUR", "h-2");
	must(move(f, "transfer", wallet_a, wallet_b, NULL, 50, "EUR", NULL, &e), &e);
	deposit(f, id_a, 300, "USD", "h-3");
	struct nhist *h;
	size_t n;
	int64_t total;
	must(nledger_history(f->s, id_a, 0, 10, &h, &n, &total, &e), &e);
	assert_int_equal(n, 4);
	assert_int_equal(total, 4);
	assert_string_equal(h[0].currency, "USD");
	assert_int_equal(h[0].amount, 300);
	assert_string_equal(h[0].reference, "sim:h-3");
	assert_string_equal(h[1].kind, "transfer");
	assert_int_equal(h[1].amount, -50);
	assert_int_equal(h[2].amount, 200);
	assert_int_equal(h[3].amount, 100);
	for (size_t i = 1; i < n; i++)
		assert_true(h[i - 1].seq > h[i].seq);
	free(h);
	must(nledger_history(f->s, id_a, 1, 2, &h, &n, &total, &e), &e);
	assert_int_equal(n, 2);
	assert_int_equal(total, 4);
	assert_int_equal(h[0].amount, -50);
	assert_int_equal(h[1].amount, 200);
	free(h);
	must(nledger_history(f->s, id_a, 4, 2, &h, &n, NULL, &e), &e);
	assert_int_equal(n, 0);
	free(h);
}

static void test_bad_entries_are_refused_naming_the_field(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	static const struct {
		const char *acc0, *cur0;
		int64_t amt;
		const char *want;
	} cases[] = {
	    {"purse:x", "EUR", 5, "entries[0].account: must be wallet:ID"},
	    {"wallet:", "EUR", 5, "entries[0].account"},
	    {"wallet:a b", "EUR", 5, "entries[0].account: 'wallet' has a character"},
	    {"fees", "eur", 5, "entries[0].currency"},
	    {"fees", "XYZ", 5, "entries[0].currency"},
	    {"fees", "EUR", 0, "entries[0].amount: must be non-zero"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct nentry en[] = {{cases[i].acc0, cases[i].cur0, cases[i].amt, NULL},
		                            {"provider:sim", cases[i].cur0, -cases[i].amt, NULL}};
		const struct ntx tx = {"t", NULL, NULL, en, 2};
		assert_int_equal(nledger_post(f->s, &tx, NULL, NULL, &e), K_EINVAL);
		if (!strstr(e.msg, cases[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg, cases[i].want);
	}
	const struct nentry twice[] = {{"fees", "EUR", 5, NULL}, {"fees", "EUR", -5, NULL}};
	const struct ntx t2 = {"t", NULL, NULL, twice, 2};
	assert_int_equal(nledger_post(f->s, &t2, NULL, NULL, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "appears twice"));
	const struct ntx t1 = {"t", NULL, NULL, twice, 1};
	assert_int_equal(nledger_post(f->s, &t1, NULL, NULL, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "entries: a transaction has 2"));
	const struct nentry own[] = {{wallet_a, "EUR", 5, id_b}, {"provider:sim", "EUR", -5, NULL}};
	const struct ntx t3 = {"t", NULL, NULL, own, 2};
	assert_int_equal(nledger_post(f->s, &t3, NULL, NULL, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "entries[0].owner"));
	int64_t st = -1;
	must(nledger_state(f->s, NULL, &st, &e), &e);
	assert_int_equal(st, 0);
}

/* ---------------------------------------------------------------- Wallet/get */

static cJSON *wallet_get(struct fx *f, const char *caller, const char *args)
{
	struct api_caller who = {caller, "127.0.0.1"};
	struct kbuf out = KBUF_INIT, methods = KBUF_INIT, body = KBUF_INIT;
	kbuf_printf(&body,
	            "{\"using\":[\"urn:ietf:params:jmap:core\",\"urn:kontor:trade\"],"
	            "\"methodCalls\":[[\"Wallet/get\",%s,\"c0\"]]}",
	            args);
	assert_int_equal(api_handle(&f->n, &who, kbuf_str(&body), body.len, &out, &methods), 200);
	cJSON *r = cJSON_Parse(kbuf_str(&out));
	assert_non_null(r);
	kbuf_free(&out);
	kbuf_free(&methods);
	kbuf_free(&body);
	cJSON *resp = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "methodResponses"), 0);
	cJSON *dup = cJSON_Duplicate(resp, 1);
	cJSON_Delete(r);
	return dup;
}

static void test_wallet_get_returns_own_wallet_as_the_model_takes_it(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	deposit(f, id_a, 12050, "EUR", "w-1");
	deposit(f, id_a, 5000, "JPY", "w-2");
	must(move(f, "escrow_fund", wallet_a, "escrow:O9", id_a, 2050, "EUR", NULL, &e), &e);
	cJSON *r = wallet_get(f, id_a, "{}");
	assert_string_equal(cJSON_GetArrayItem(r, 0)->valuestring, "Wallet/get");
	cJSON *args = cJSON_GetArrayItem(r, 1);
	cJSON *list = cJSON_GetObjectItemCaseSensitive(args, "list");
	assert_int_equal(cJSON_GetArraySize(list), 1);
	cJSON *w = cJSON_GetArrayItem(list, 0);
	must(model_validate("Wallet", w, &e), &e);
	char want_id[NSTORE_ID_MAX + 1];
	snprintf(want_id, sizeof want_id, "W%s", id_a);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(w, "id")->valuestring, want_id);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(w, "accountId")->valuestring, id_a);
	cJSON *bal = cJSON_GetObjectItemCaseSensitive(w, "balances");
	assert_int_equal((int64_t)cJSON_GetObjectItemCaseSensitive(bal, "EUR")->valuedouble, 10000);
	assert_int_equal((int64_t)cJSON_GetObjectItemCaseSensitive(bal, "JPY")->valuedouble, 5000);
	cJSON *held = cJSON_GetObjectItemCaseSensitive(w, "held");
	assert_int_equal((int64_t)cJSON_GetObjectItemCaseSensitive(held, "EUR")->valuedouble, 2050);
	cJSON *hist = cJSON_GetObjectItemCaseSensitive(w, "history");
	assert_int_equal(cJSON_GetArraySize(hist), 3);
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(hist, 0), "kind")->valuestring,
	    "escrow_fund");
	assert_non_null(cJSON_GetObjectItemCaseSensitive(w, "updated"));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(args, "state"));
	cJSON_Delete(r);

	/* Paging the history and picking properties. */
	r = wallet_get(f, id_a,
	               "{\"properties\":[\"history\"],\"historyPosition\":1,"
	               "\"historyLimit\":1}");
	w = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(r, 1), "list"),
	                       0);
	assert_null(cJSON_GetObjectItemCaseSensitive(w, "balances"));
	hist = cJSON_GetObjectItemCaseSensitive(w, "history");
	assert_int_equal(cJSON_GetArraySize(hist), 1);
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(hist, 0), "currency")->valuestring,
	    "JPY");
	cJSON_Delete(r);
}

static void test_wallet_get_is_private(void **state)
{
	struct fx *f = *state;
	deposit(f, id_a, 100, "EUR", "w-1");
	cJSON *r = wallet_get(f, NULL, "{}");
	assert_string_equal(cJSON_GetArrayItem(r, 0)->valuestring, "error");
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(r, 1), "type")->valuestring,
	    "forbidden");
	cJSON_Delete(r);
	/* B asks for A's wallet by id: not found, and B's own (empty) wallet is not A's. */
	char args[160];
	snprintf(args, sizeof args, "{\"ids\":[\"W%s\"]}", id_a);
	r = wallet_get(f, id_b, args);
	cJSON *a = cJSON_GetArrayItem(r, 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(a, "list")), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(a, "notFound")), 1);
	cJSON_Delete(r);
	r = wallet_get(f, id_b, "{\"ids\":null}");
	cJSON *w = cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(r, 1), "list"), 0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(w, "accountId")->valuestring, id_b);
	assert_null(cJSON_GetObjectItemCaseSensitive(w, "balances")->child);
	/* B's state says nothing of A's deposit. */
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(r, 1), "state")->valuestring, "0");
	cJSON_Delete(r);
	r = wallet_get(f, id_b, "{\"historyLimit\":-1}");
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(r, 1), "type")->valuestring,
	    "invalidArguments");
	cJSON_Delete(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	    T(test_deposit_credits_wallet_and_provider_side_debits),
	    T(test_deposit_to_unregistered_account_is_refused),
	    T(test_every_transaction_sums_to_zero_per_currency),
	    T(test_transfer_making_wallet_negative_is_refused_and_changes_nothing),
	    T(test_refused_post_inside_a_callers_transaction_leaves_nothing),
	    T(test_repeated_reference_posts_once),
	    T(test_two_currencies_never_mix),
	    T(test_escrow_moves_wallet_to_escrow_to_wallet_keep_all_sums),
	    T(test_history_is_newest_first_and_paged),
	    T(test_bad_entries_are_refused_naming_the_field),
	    T(test_wallet_get_returns_own_wallet_as_the_model_takes_it),
	    T(test_wallet_get_is_private),
#undef T
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
