/* wallet — `kontor wallet`: her money on the current node as the last sync brought it
 * (balances per currency, what escrow holds of each of her orders as buyer and as seller,
 * the history in words, newest first, paged), and `kontor wallet withdraw AMOUNT CUR`: a
 * payout through the node's payment provider, queued and pushed at once like every write.
 * Cache first: the balance is the node's (Wallet/get), never worked out here. */
#include "cmd.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../inbox.h"
#include "../net/session.h"
#include "../net/sync.h"
#include "../store/store.h"
#include "../store/wallet.h"
#include "kontor/codes.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "kontor/money.h"
#include "kontor/text.h"

#define PAGE_DEFAULT 20
#define PAGE_MAX 500

/* --limit N, --offset N or --page N (1-based, of --limit lines). */
static int paging(const struct args *a, int64_t *offset, int *limit, struct kerr *e)
{
	const char *names[] = {"limit", "offset", "page"};
	long v[3] = {PAGE_DEFAULT, 0, 0};
	long lo[3] = {1, 0, 1}, hi[3] = {PAGE_MAX, 100000000L, 100000000L};
	for (int i = 0; i < 3; i++) {
		const char *s = arg_get(a, names[i]);
		if (!s)
			continue;
		char *end;
		errno = 0;
		long n = strtol(s, &end, 10);
		if (errno || !*s || *end || n < lo[i] || n > hi[i])
			return kerr_set(e, K_EUSAGE,
			                "wallet: --%s %.20s: a whole number from %ld to %ld",
			                names[i], s, lo[i], hi[i]);
		v[i] = n;
	}
	if (arg_has(a, "offset") && arg_has(a, "page"))
		return kerr_set(e, K_EUSAGE, "wallet: --offset and --page exclude each other");
	*limit = (int)v[0];
	*offset = arg_has(a, "page") ? (v[2] - 1) * v[0] : v[1];
	return K_OK;
}

int cmd_wallet_read(struct ctx *c, int64_t offset, int limit, char **node, struct wallet_view *w,
                    struct wallet_lines *l, struct kerr *e)
{
	struct store *s;
	*node = NULL;
	memset(w, 0, sizeof *w);
	memset(l, 0, sizeof *l);
	int rc = ctx_store(c, &s, e);
	if (!rc)
		rc = ctx_self(c, e);
	if (!rc)
		rc = cmd_node_name(c, node, e);
	if (!rc)
		rc = store_wallet_get(s, *node, c->self_id, w, e);
	char *state = NULL;
	if (rc == K_ENOTFOUND && store_sync_state_get(s, *node, "Wallet", &state, NULL) == K_OK &&
	    state) {
		/* Synced, and the node has never moved money of ours: an empty wallet. */
		memset(w, 0, sizeof *w);
		rc = K_OK;
	}
	free(state);
	struct node_info ni;
	if (!rc && w->pulled[0] && store_node_get(s, *node, &ni, NULL) == K_OK) {
		/* A sync that finished pulled every change: the wallet is as of the last one,
		 * though it brought none of the wallet's (she synced since the money came). */
		if (ni.last_sync && strcmp(ni.last_sync, w->pulled) > 0)
			snprintf(w->pulled, sizeof w->pulled, "%s", ni.last_sync);
		node_info_free(&ni);
	}
	if (!rc)
		rc = store_wallet_lines(s, *node, c->self_id, offset, limit, l, e);
	if (rc) {
		free(*node);
		*node = NULL;
		wallet_view_free(w);
		wallet_lines_free(l);
	}
	return rc;
}

void cmd_wallet_seen(struct ctx *c, const char *node)
{
	/* She has seen what came in: the inbox stops calling it news. */
	struct store *s;
	struct kerr me = {0};
	if (ctx_store(c, &s, &me) != K_OK || ctx_self(c, &me) != K_OK)
		return;
	int64_t newest = 0;
	struct wallet_lines top = {0};
	if (store_wallet_lines(s, node, c->self_id, 0, 1, &top, NULL) == K_OK && top.n)
		newest = top.v[0].seq;
	wallet_lines_free(&top);
	if (newest)
		store_wallet_mark_seen(s, node, c->self_id, newest, &me);
	/* And what escrow holds for her orders: the buyers' payments into it. */
	struct wallet_view w;
	if (store_wallet_get(s, node, c->self_id, &w, NULL) == K_OK) {
		store_wallet_mark_escrow_seen(s, node, c->self_id, &w, &me);
		wallet_view_free(&w);
	}
}

int cmd_wallet_funding(struct ctx *c, const char *node, char *out, size_t cap)
{
	struct store *s;
	struct kerr e = {0, ""};
	char *cur = NULL;
	out[0] = '\0';
	if (ctx_store(c, &s, &e) != K_OK || (!node && cmd_node_name(c, &cur, &e) != K_OK))
		return 0;
	int said = inbox_node_funding(s, node ? node : cur, out, cap);
	free(cur);
	return said;
}

static cJSON *amounts_json(const struct wallet_amount *v, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < n; i++)
		json_add_int(o, v[i].currency, v[i].amount);
	return o;
}

void cmd_wallet_escrow_about(struct ctx *c, const char *order, struct kbuf *out)
{
	struct store *s;
	cJSON *o = NULL;
	if (ctx_store(c, &s, NULL) != K_OK || store_object_get(s, "Order", order, &o, NULL) != K_OK)
		return;
	struct kbuf name = KBUF_INIT;
	char *product = cmd_order_product(c, o, &name, NULL);
	kbuf_printf(out, "%s, %s", product, kbuf_str(&name));
	free(product);
	kbuf_free(&name);
	cJSON_Delete(o);
}

void cmd_wallet_yours_words(struct ctx *c, const char *order, char *out, size_t cap)
{
	struct store *s;
	cJSON *o = NULL;
	char at[ORDER_TIME_LEN + 1], day[KTIME_LOCAL_MAX];
	snprintf(out, cap, "yours once released");
	if (ctx_store(c, &s, NULL) == K_OK &&
	    store_object_get(s, "Order", order, &o, NULL) == K_OK &&
	    inbox_order_release_at(o, at)) {
		ktime_local(at, day, sizeof day);
		day[strcspn(day, " ")] = '\0'; /* its local date */
		snprintf(out, cap, "yours on %s unless disputed", day);
	}
	cJSON_Delete(o);
}

void cmd_wallet_history_line(struct ctx *c, const struct wallet_line *x, struct kbuf *line,
                             struct kbuf *about)
{
	char words[160], m[INBOX_MONEY_MAX], when[KTIME_LOCAL_MAX], sign[INBOX_MONEY_MAX + 2];
	inbox_line_words(x->kind, x->order, words, sizeof words);
	inbox_money(x->amount, x->currency, m);
	snprintf(sign, sizeof sign, "%s%s", x->amount > 0 ? "+" : "", m);
	ktime_local(x->created, when, sizeof when); /* local, named; --json: UTC */
	kbuf_printf(line, "  %s  ", when);
	text_clip(line, words, 36, 1); /* padded by columns: "…" is one, not three bytes */
	kbuf_printf(line, " %16s", sign);
	struct kbuf what = KBUF_INIT; /* under it, the order as she knows it */
	if (x->order[0])
		cmd_wallet_escrow_about(c, x->order, &what);
	if (what.len)
		kbuf_printf(about, "  %*s  %s", (int)text_width(when), "", kbuf_str(&what));
	kbuf_free(&what);
}

/* A line under an entry saying what its order is ("Iron table legs…, Berlin Interiors
 * GmbH @berlin-interiors-gmbh"), indented as given (8 when about has no indent of its own);
 * on a terminal too narrow for it, wrapped under its own start. */
static void print_about(struct ctx *c, FILE *f, const char *about)
{
	size_t lead = strspn(about, " ");
	char head[64];
	snprintf(head, sizeof head, "%*s",
	         lead ? (int)(lead < sizeof head ? lead : sizeof head - 1) : 8, "");
	struct kbuf b = KBUF_INIT;
	cmd_hanging(c, &b, head, about + lead);
	text_fprintf(f, "%s\n", kbuf_str(&b));
	kbuf_free(&b);
}

static int run_wallet(struct ctx *c, const struct args *a, struct kerr *e)
{
	int64_t offset = 0;
	int limit = PAGE_DEFAULT;
	int rc = paging(a, &offset, &limit, e);
	char *node = NULL;
	struct wallet_view w;
	struct wallet_lines l = {0};
	if (rc)
		return rc;
	if ((rc = cmd_wallet_read(c, offset, limit, &node, &w, &l, e)))
		return rc;
	char funding[KNET_FUNDING_MAX + 1];
	int have_funding = cmd_wallet_funding(c, node, funding, sizeof funding);
	if (c->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "node", node);
		cJSON_AddStringToObject(o, "accountId", c->self_id);
		cJSON_AddItemToObject(o, "balances", amounts_json(w.balances, w.nbalances));
		cJSON_AddItemToObject(o, "held", amounts_json(w.held, w.nheld));
		cJSON *esc = cJSON_AddArrayToObject(o, "escrow");
		for (size_t i = 0; i < w.nescrow; i++) {
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "orderId", w.escrow[i].order);
			cJSON_AddStringToObject(x, "role", w.escrow[i].role);
			cJSON_AddStringToObject(x, "currency", w.escrow[i].currency);
			json_add_int(x, "amount", w.escrow[i].amount);
			cJSON_AddItemToArray(esc, x);
		}
		cJSON *hist = cJSON_AddArrayToObject(o, "history");
		for (size_t i = 0; i < l.n; i++) {
			const struct wallet_line *x = &l.v[i];
			char words[160];
			inbox_line_words(x->kind, x->order, words, sizeof words);
			cJSON *h = cJSON_CreateObject();
			cJSON_AddStringToObject(h, "txId", x->tx);
			cJSON_AddStringToObject(h, "kind", x->kind);
			cJSON_AddStringToObject(h, "words", words);
			cJSON_AddStringToObject(h, "currency", x->currency);
			json_add_int(h, "amount", x->amount);
			cJSON_AddStringToObject(h, "created", x->created);
			json_add_opt(h, "orderId", x->order);
			json_add_opt(h, "reference", x->reference);
			cJSON_AddItemToArray(hist, h);
		}
		json_add_int(o, "historyTotal", w.history_total);
		json_add_int(o, "historyCached", l.total);
		json_add_int(o, "offset", offset);
		json_add_int(o, "limit", limit);
		cJSON_AddStringToObject(o, "pulled", w.pulled);
		if (have_funding)
			cJSON_AddStringToObject(o, "funding", funding);
		cmd_print_json(c, o);
	} else {
		FILE *f = c->out;
		char synced[KTIME_LOCAL_MAX];
		if (w.pulled[0])
			fprintf(f, "Wallet on node %s (as of the sync at %s)\n", node,
			        ktime_local(w.pulled, synced, sizeof synced));
		else
			fprintf(f, "Wallet on node %s (no money has moved yet)\n", node);
		fprintf(f, "Balance\n");
		if (!w.nbalances)
			fprintf(f, "  %s\n", wallet_view_empty_words(&w));
		for (size_t i = 0; i < w.nbalances; i++) {
			char m[INBOX_MONEY_MAX];
			inbox_money(w.balances[i].amount, w.balances[i].currency, m);
			fprintf(f, "  %20s\n", m);
		}
		if (w.nescrow) {
			fprintf(f, "In escrow for your orders\n");
			for (size_t i = 0; i < w.nescrow; i++) {
				const struct wallet_escrow *x = &w.escrow[i];
				char m[INBOX_MONEY_MAX];
				inbox_money(x->amount, x->currency, m);
				char yours[64] = "your money, held";
				if (strcmp(x->role, "seller") == 0)
					cmd_wallet_yours_words(c, x->order, yours, sizeof yours);
				fprintf(f, "  order %-8.8s  as %-6s %20s  (%s)\n", x->order,
				        x->role, m, yours);
				struct kbuf about = KBUF_INIT; /* under it, what the order is */
				cmd_wallet_escrow_about(c, x->order, &about);
				if (about.len)
					print_about(c, f, kbuf_str(&about));
				kbuf_free(&about);
			}
		}
		fprintf(f, "History, newest first");
		if (l.n)
			fprintf(f, " (%lld-%lld of %lld)", (long long)offset + 1,
			        (long long)offset + (long long)l.n, (long long)l.total);
		fputc('\n', f);
		if (!l.n)
			fprintf(f, "  %s\n", l.total ? "no lines on this page" : "nothing yet");
		for (size_t i = 0; i < l.n; i++) {
			struct kbuf one = KBUF_INIT, about = KBUF_INIT;
			cmd_wallet_history_line(c, &l.v[i], &one, &about);
			text_fprintf(f, "%s\n", kbuf_str(&one));
			if (about.len)
				print_about(c, f, kbuf_str(&about));
			kbuf_free(&one);
			kbuf_free(&about);
		}
		if (w.history_total > l.total)
			fprintf(f, "  (the node has %lld lines; `kontor sync` brings the rest)\n",
			        (long long)w.history_total);
		if (have_funding) /* the node's words: cleaned on the way out */
			text_fprintf(f, "To add money (node %s says): %s\n  your account id: %s\n",
			             node, funding, c->self_id);
	}
	cmd_wallet_seen(c, node);
	wallet_lines_free(&l);
	wallet_view_free(&w);
	free(node);
	return K_OK;
}

/* A reference of our own for the payout: a push retried after a crash pays once. */
static void new_reference(char out[32])
{
	uint8_t r[16];
	struct kbuf b = KBUF_INIT;
	kcrypto_random(r, sizeof r);
	kcrypto_b64_encode(r, sizeof r, KB64_URL_NOPAD, &b);
	snprintf(out, 32, "%s", kbuf_str(&b));
	kbuf_free(&b);
}

static int run_withdraw(struct ctx *c, const struct args *a, struct kerr *e)
{
	const char *amount_s = a->pos[0];
	char cur[64]; /* usd is USD, as listing add takes it */
	cmd_copy_upper(cur, sizeof cur, a->pos[1]);
	int64_t amount = 0;
	struct kerr ve = {0};
	int rc = codes_check_currency(cur, "CURRENCY", &ve);
	if (rc)
		return kerr_set(e, K_EUSAGE, "wallet withdraw: %s", ve.msg);
	int all = strcmp(amount_s, "all") == 0; /* all she has of it, at the last sync */
	if (!all && amount_s[0] == '-')
		return kerr_set(e, K_EUSAGE,
		                "wallet withdraw: %s is negative; a withdrawal is more than zero",
		                amount_s);
	if (!all && (rc = money_parse(amount_s, cur, &amount, &ve)))
		return kerr_set(e, K_EUSAGE,
		                "wallet withdraw: AMOUNT %s, or all for what the wallet holds",
		                ve.msg);
	if (!all && amount <= 0)
		return kerr_set(e, K_EUSAGE, "wallet withdraw: %s: a withdrawal is more than zero",
		                amount_s);
	struct store *s;
	char *node = NULL;
	if (!(rc = ctx_store(c, &s, e)) && !(rc = ctx_self(c, e)))
		rc = cmd_node_name(c, &node, e);
	if (rc) {
		free(node);
		return rc;
	}
	/* Refused here when the last sync's balance is short: the node would refuse it too,
	 * and nothing is queued. The node has the last word on what passes. */
	struct wallet_view w;
	int have_view = store_wallet_get(s, node, c->self_id, &w, NULL) == K_OK;
	int64_t have = have_view ? wallet_view_balance(&w, cur) : 0;
	if (have_view)
		wallet_view_free(&w);
	char want[INBOX_MONEY_MAX], got[INBOX_MONEY_MAX];
	inbox_money(have, cur, got);
	if (all && have <= 0) {
		free(node);
		return kerr_set(
		    e, K_EFAIL,
		    "wallet withdraw: your wallet holds %s at the last sync%s: nothing to "
		    "withdraw",
		    got, have_view ? "" : ", which brought no wallet yet");
	}
	if (all)
		amount = have;
	inbox_money(amount, cur, want);
	if (have < amount) {
		free(node);
		return kerr_set(
		    e, K_EFAIL,
		    "wallet withdraw: %s is more than your wallet holds (%s at the last "
		    "sync%s); nothing was queued",
		    want, got,
		    have_view ? "; `kontor sync` first if money came in since"
		              : ", which "
		                "brought "
		                "no wallet"
		                " yet");
	}
	char ref[32], wid[KCRYPTO_ID_LEN + 2];
	new_reference(ref);
	snprintf(wid, sizeof wid, "W%s", c->self_id);
	cJSON *p = cJSON_CreateObject();
	cJSON *wd = cJSON_AddObjectToObject(p, "withdraw");
	json_add_int(wd, "amount", amount);
	cJSON_AddStringToObject(wd, "currency", cur);
	cJSON_AddStringToObject(wd, "reference", ref);
	struct kbuf payload = KBUF_INIT;
	json_print(p, &payload);
	cJSON_Delete(p);
	rc = store_outbox_add(s, "Wallet/set", "update", wid, kbuf_str(&payload), node, NULL, e);
	kbuf_free(&payload);
	if (rc) {
		free(node);
		return rc;
	}
	rc = cmd_push(c, e);
	if (rc == K_OK) {
		/* The new balance, at once: one pull (its failure changes nothing above). */
		struct ksync *k = NULL;
		struct sync_stats st = {0};
		struct kerr pe = {0};
		if (cmd_sync_open(c, &k, &pe) == K_OK) {
			ksync_pull(k, &st, &pe);
			ksync_finish(k, &st, &pe);
		}
		ksync_close(&k);
		struct wallet_view after;
		int64_t bal = have - amount;
		if (store_wallet_get(s, node, c->self_id, &after, NULL) == K_OK) {
			bal = wallet_view_balance(&after, cur);
			wallet_view_free(&after);
		}
		char now[INBOX_MONEY_MAX];
		inbox_money(bal, cur, now);
		if (c->json) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "node", node);
			json_add_int(o, "amount", amount);
			cJSON_AddStringToObject(o, "currency", cur);
			cJSON_AddStringToObject(o, "reference", ref);
			json_add_int(o, "balance", bal);
			cmd_print_json(c, o);
		} else if (c->verbosity >= 0) {
			fprintf(c->out,
			        "withdrew %s (a payout from node %s, reference %s); balance %s\n",
			        want, node, ref, now);
		}
	}
	free(node);
	return rc;
}

const struct cmd_entry cmd_wallet_entries[] = {
    {"wallet", "[--limit N] [--offset N | --page N]",
     "your money on the node: balances, escrow, history", "limit= offset= page=", 0, 0, run_wallet,
     "From the cache, as the last sync brought it (`kontor sync` first for the newest):\n"
     "the balance per currency, what escrow holds of each of your orders (as buyer: your\n"
     "money, held; as seller: yours once released, or on the day the node releases a\n"
     "delivered order by itself; under it the order's product and the\n"
     "other party), and the history of the wallet in words\n"
     "(deposit, payout, paid into escrow, released by order ..., refund; under a line of\n"
     "an order, its product and the other party), newest first, --limit lines (default\n"
     "20) from --offset, or --page N. Looking at it clears the money\n"
     "that came in, and the buyers' payments into escrow for your orders, from `kontor\n"
     "inbox`."},
    {"wallet withdraw", "AMOUNT|all CURRENCY", "pay money out of your wallet to you", "", 2, 2,
     run_withdraw,
     "Asks the node's payment provider for a payout of AMOUNT (a decimal such as 100 or\n"
     "99.50; all: what the last sync says the wallet holds) in CURRENCY (usd is USD); the\n"
     "node debits your wallet through its ledger. More than the wallet holds, an unknown\n"
     "currency or an amount not above zero is refused with the reason and nothing moves.\n"
     "Pushed at once: exit 0 when the node took it, 4 when it is queued offline, 1 when\n"
     "refused (the reason stays in `kontor outbox`)."},
    {NULL, NULL, NULL, NULL, 0, 0, NULL, NULL},
};
