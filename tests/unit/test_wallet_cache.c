/* test_wallet_cache — the wallet at the client: the cache keeps every history line across
 * pulls, refuses another account's wallet and keeps each node's apart, and marks what was
 * seen; money and history lines in words for people; the notify summary one line, cut at
 * a phrase; the notify-command gets the summary as one argument, never through a shell,
 * exits, hangs (killed at its limit) and cannot start are told apart; the environment
 * overrides the config and refuses nonsense. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kontor/codes.h"
#include "kontor/crypto.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "../../src/client/inbox.h"
#include "../../src/client/notify.h"
#include "../../src/client/store/store.h"
#include "../../src/client/store/wallet.h"

static struct kkeypair key_a, key_b;
static char id_a[KCRYPTO_ID_LEN + 1], id_b[KCRYPTO_ID_LEN + 1];

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
	return 0;
}

static void must(int rc, const struct kerr *e)
{
	if (rc != K_OK)
		fail_msg("unexpected failure %d: %s", rc, e->msg);
}

/* ---------------------------------------------------------------- the client's cache */

struct cfx {
	char dir[64];
	char path[96];
	struct store *s;
};

static int csetup(void **state)
{
	struct cfx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/wallet-cache-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/cache.db", f->dir);
	struct kerr e = {0, ""};
	if (store_open(f->path, &f->s, &e) != K_OK) {
		fprintf(stderr, "store_open: %s\n", e.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int cteardown(void **state)
{
	struct cfx *f = *state;
	store_close(&f->s);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static cJSON *wallet_json(const char *account, int64_t usd, int total, int from, int n)
{
	char buf[256];
	snprintf(buf, sizeof buf,
	         "{\"id\":\"W%s\",\"accountId\":\"%s\",\"balances\":{\"USD\":%lld},\"held\":{},"
	         "\"escrow\":[],\"historyTotal\":%d,\"history\":[]}",
	         account, account, (long long)usd, total);
	cJSON *w = cJSON_Parse(buf);
	cJSON *h = cJSON_GetObjectItemCaseSensitive(w, "history");
	for (int i = from + n - 1; i >= from; i--) { /* newest first */
		snprintf(buf, sizeof buf,
		         "{\"txId\":\"T%d\",\"kind\":\"%s\",\"currency\":\"USD\",\"amount\":%d,"
		         "\"created\":\"2026-12-0%dT10:00:00Z\",\"seq\":%d%s}",
		         i, i == 3 ? "escrow_release" : "deposit", i * 100, 1 + i % 9, i,
		         i == 3 ? ",\"orderId\":\"Oabcdefghijkl\"" : "");
		cJSON_AddItemToArray(h, cJSON_Parse(buf));
	}
	return w;
}

static void test_cache_keeps_every_history_line_and_only_our_wallet(void **state)
{
	struct cfx *f = *state;
	struct kerr e = {0, ""};
	cJSON *w = wallet_json(id_a, 300, 3, 1, 2); /* lines 1 and 2 */
	must(store_wallet_put(f->s, w, "main", id_a, &e), &e);
	cJSON_Delete(w);
	w = wallet_json(id_a, 600, 3, 3, 1); /* a later pull brings only the newest line */
	must(store_wallet_put(f->s, w, "main", id_a, &e), &e);
	cJSON_Delete(w);
	struct wallet_view v;
	must(store_wallet_get(f->s, "main", id_a, &v, &e), &e);
	assert_int_equal(wallet_view_balance(&v, "USD"), 600);
	assert_int_equal(wallet_view_balance(&v, "EUR"), 0);
	assert_int_equal(v.lines, 3);
	assert_int_equal(v.history_total, 3);
	wallet_view_free(&v);
	struct wallet_lines l;
	must(store_wallet_lines(f->s, "main", id_a, 0, 10, &l, &e), &e);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].tx, "T3");
	assert_string_equal(l.v[0].order, "Oabcdefghijkl");
	assert_string_equal(l.v[2].tx, "T1");
	wallet_lines_free(&l);
	must(store_wallet_lines(f->s, "main", id_a, 1, 1, &l, &e), &e);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].tx, "T2");
	assert_int_equal(l.total, 3);
	wallet_lines_free(&l);

	/* Seen: only what came after the mark is news; the mark never goes back. */
	must(store_wallet_credits_since(f->s, "main", id_a, store_wallet_seen(f->s, "main", id_a),
	                                10, &l, &e),
	     &e);
	assert_int_equal(l.n, 3);
	wallet_lines_free(&l);
	must(store_wallet_mark_seen(f->s, "main", id_a, 2, &e), &e);
	must(store_wallet_mark_seen(f->s, "main", id_a, 1, &e), &e);
	assert_int_equal(store_wallet_seen(f->s, "main", id_a), 2);
	must(store_wallet_credits_since(f->s, "main", id_a, 2, 10, &l, &e), &e);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].kind, "escrow_release");
	wallet_lines_free(&l);

	/* Another account's wallet is not ours to keep; another node's is apart. */
	w = wallet_json(id_b, 999, 1, 1, 1);
	assert_int_equal(store_wallet_put(f->s, w, "main", id_a, &e), K_EINVAL);
	cJSON_Delete(w);
	assert_int_equal(store_wallet_get(f->s, "other", id_a, &v, &e), K_ENOTFOUND);
	assert_non_null(strstr(e.msg, "kontor sync"));
}

static void test_escrow_seen_is_per_order_as_seller_and_replaced_whole(void **state)
{
	struct cfx *f = *state;
	struct kerr e = {0, ""};
	char *seen = store_wallet_escrow_seen_get(f->s, "main", id_a);
	assert_null(seen); /* never looked */
	assert_int_equal(store_wallet_escrow_seen(NULL, "Oabc"), 0);
	struct wallet_escrow x[3] = {{"Oabcd", "seller", "USD", 91800},
	                             {"Oabc", "seller", "USD", 500},
	                             {"Obuy", "buyer", "EUR", 7}};
	struct wallet_view w = {0};
	w.escrow = x;
	w.nescrow = 3;
	must(store_wallet_mark_escrow_seen(f->s, "main", id_a, &w, &e), &e);
	seen = store_wallet_escrow_seen_get(f->s, "main", id_a);
	assert_non_null(seen);
	assert_int_equal(store_wallet_escrow_seen(seen, "Oabcd"), 91800);
	assert_int_equal(store_wallet_escrow_seen(seen, "Oabc"),
	                 500); /* not its longer neighbour's */
	assert_int_equal(store_wallet_escrow_seen(seen, "Oab"), 0);
	assert_int_equal(store_wallet_escrow_seen(seen, "Obuy"), 0); /* her own payment, as buyer */
	free(seen);
	/* Released: the order leaves escrow and the mark; another node keeps its own. */
	w.escrow = x + 1;
	w.nescrow = 1;
	must(store_wallet_mark_escrow_seen(f->s, "main", id_a, &w, &e), &e);
	seen = store_wallet_escrow_seen_get(f->s, "main", id_a);
	assert_int_equal(store_wallet_escrow_seen(seen, "Oabcd"), 0);
	assert_int_equal(store_wallet_escrow_seen(seen, "Oabc"), 500);
	free(seen);
	assert_null(store_wallet_escrow_seen_get(f->s, "other", id_a));
}

static void test_money_and_words_for_people(void **state)
{
	(void)state;
	char m[INBOX_MONEY_MAX], w[120];
	inbox_money(552000, "USD", m);
	assert_string_equal(m, "5,520.00 USD");
	inbox_money(100, "USD", m);
	assert_string_equal(m, "1.00 USD");
	inbox_money(123456789, "JPY", m);
	assert_string_equal(m, "123,456,789 JPY");
	inbox_money(-100000, "USD", m);
	assert_string_equal(m, "-1,000.00 USD");
	inbox_line_words("escrow_release", "Oabcdefghijkl", w, sizeof w);
	assert_string_equal(w, "released by order Oabcdefg…");
	inbox_line_words("deposit", "", w, sizeof w);
	assert_string_equal(w, "deposit");
	inbox_line_words("payout", NULL, w, sizeof w);
	assert_string_equal(w, "payout");
}

static void test_summary_is_one_line_and_cut_at_a_phrase(void **state)
{
	(void)state;
	struct inbox_item a, b, c;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	memset(&c, 0, sizeof c);
	snprintf(a.news, sizeof a.news, "order Oabcdefg… paid 5,520.00 USD");
	snprintf(b.news, sizeof b.news, "message from Evil\nName\x1b[31m");
	snprintf(c.news, sizeof c.news, "%s", "a long phrase that will not fit in a short summary");
	const struct inbox_item *news[] = {&a, &b, &c};
	char out[NOTIFY_SUMMARY_MAX];
	inbox_summary(news, 2, 2, out, sizeof out);
	assert_null(strchr(out, '\n'));
	assert_null(strchr(out, '\x1b'));
	assert_non_null(strstr(out, "2 new: order Oabcdefg… paid 5,520.00 USD; message from Evil"));
	inbox_summary(news, 3, 3, out, 60);
	assert_true(strlen(out) < 60);
	assert_non_null(strstr(out, "…"));
	assert_null(strstr(out, "a long phrase"));
	inbox_summary(news, 1, 5, out, sizeof out);
	assert_non_null(strstr(out, "5 new: order Oabcdefg… paid 5,520.00 USD; …"));
}

/* ---------------------------------------------------------------- the notify-command */

static void test_notify_gets_the_summary_as_one_argument_never_a_shell(void **state)
{
	(void)state;
	char dir[] = "/tmp/notify-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct notify_conf c;
	notify_conf_init(&c);
	/* The script writes its argument count and last argument; the summary carries shell. */
	snprintf(c.command, sizeof c.command,
	         "sh -c 'printf \"%%s|%%s\" \"$#\" \"$1\" >%s/out' script", dir);
	char summary[200];
	snprintf(summary, sizeof summary, "1 new: $(touch %s/pwned); `touch %s/pwned2` | x", dir,
	         dir);
	struct notify_result r;
	notify_run(&c, summary, 1, dir, &r);
	assert_true(r.ran);
	assert_int_equal(r.exit_code, 0);
	assert_false(notify_result_failed(&r));
	char path[128], got[300] = "";
	snprintf(path, sizeof path, "%s/out", dir);
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(got, sizeof got, fp));
	fclose(fp);
	char want[300];
	snprintf(want, sizeof want, "1|%s", summary);
	assert_string_equal(got, want);
	struct stat st;
	snprintf(path, sizeof path, "%s/pwned", dir);
	assert_int_not_equal(stat(path, &st), 0);
	snprintf(path, sizeof path, "%s/pwned2", dir);
	assert_int_not_equal(stat(path, &st), 0);
	snprintf(path, sizeof path, "%s/notify.log", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_notify_failing_hanging_and_missing_are_told_apart(void **state)
{
	(void)state;
	struct notify_conf c;
	notify_conf_init(&c);
	struct notify_result r;
	char words[256];
	snprintf(c.command, sizeof c.command, "sh -c \"exit 3\"");
	notify_run(&c, "x", 1, NULL, &r);
	assert_true(r.ran);
	assert_int_equal(r.exit_code, 3);
	assert_true(notify_result_failed(&r));
	notify_result_words(&r, words, sizeof words);
	assert_string_equal(words, "exited 3");

	c.timeout_s = 1;
	snprintf(c.command, sizeof c.command, "sh -c 'exec sleep 30' notify");
	notify_run(&c, "x", 1, NULL, &r);
	if (!r.timed_out)
		fail_msg("a sleep not timed out: ran %d exit %d signal %d ms %d: %s", r.ran,
		         r.exit_code, r.signal, r.ms, r.why);
	assert_true(notify_result_failed(&r));
	notify_result_words(&r, words, sizeof words);
	assert_string_equal(words, "killed after 1 s (it did not finish)");

	snprintf(c.command, sizeof c.command, "/nonexistent/notify-me");
	notify_run(&c, "x", 1, NULL, &r);
	assert_false(r.ran);
	notify_result_words(&r, words, sizeof words);
	assert_non_null(strstr(words, "could not start: /nonexistent/notify-me"));

	snprintf(c.command, sizeof c.command, "\"unterminated");
	notify_run(&c, "x", 1, NULL, &r);
	assert_false(r.ran);
}

static void test_notify_environment_overrides_and_refuses_nonsense(void **state)
{
	(void)state;
	struct notify_conf c;
	struct kerr e = {0, ""};
	notify_conf_init(&c);
	snprintf(c.command, sizeof c.command, "from-config");
	setenv("KONTOR_NOTIFY_TIMEOUT", "3", 1);
	setenv("KONTOR_NOTIFY_TEXT", "yes", 1);
	setenv("KONTOR_NOTIFY_COMMAND", "", 1);
	must(notify_conf_env(&c, &e), &e);
	assert_int_equal(c.timeout_s, 3);
	assert_int_equal(c.text, 1);
	assert_string_equal(c.command, ""); /* set and empty: none for this run */
	setenv("KONTOR_NOTIFY_TIMEOUT", "0", 1);
	assert_int_equal(notify_conf_env(&c, &e), K_EUSAGE);
	assert_non_null(strstr(e.msg, "KONTOR_NOTIFY_TIMEOUT"));
	unsetenv("KONTOR_NOTIFY_TIMEOUT");
	setenv("KONTOR_NOTIFY_TEXT", "maybe", 1);
	assert_int_equal(notify_conf_env(&c, &e), K_EUSAGE);
	unsetenv("KONTOR_NOTIFY_TEXT");
	unsetenv("KONTOR_NOTIFY_COMMAND");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_cache_keeps_every_history_line_and_only_our_wallet,
	                                    csetup, cteardown),
	    cmocka_unit_test_setup_teardown(
	        test_escrow_seen_is_per_order_as_seller_and_replaced_whole, csetup, cteardown),
	    cmocka_unit_test(test_money_and_words_for_people),
	    cmocka_unit_test(test_summary_is_one_line_and_cut_at_a_phrase),
	    cmocka_unit_test(test_notify_gets_the_summary_as_one_argument_never_a_shell),
	    cmocka_unit_test(test_notify_failing_hanging_and_missing_are_told_apart),
	    cmocka_unit_test(test_notify_environment_overrides_and_refuses_nonsense),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
