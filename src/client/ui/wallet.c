/* ui/wallet — the wallet view (`w` on the Orders tab and the Inbox): the balance per
 * currency, what escrow holds of her orders as buyer and as seller, and the history in
 * words, newest first, a page at a time as she scrolls. It reads the cached Wallet through
 * the same code as `kontor wallet` (cmd_wallet_read) and, like it, marks the money that came
 * in as seen, so the Inbox stops listing it. The Orders head's "balance 1,150.00 USD" comes
 * from ui_wallet_balance. Nothing here computes a balance: the node's word, as synced. */
#include "ui.h"

#include "../net/session.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../inbox.h"
#include "../store/wallet.h"
#include "kontor/ktime.h"
#include "kontor/text.h"

#define WALLET_PAGE 20

struct wallet_ui {
	int back;  /* the view q goes back to (enum ui_view_id) */
	int limit; /* history lines read: a page more each time she scrolls to the end */
	int more;  /* the cache holds lines past those read */
	char amount[40], currency[16]; /* a withdrawal typed, while its y/n is asked */
};

static struct wallet_ui *state(struct ui *u)
{
	struct ui_view *v = &u->views[VIEW_WALLET];
	if (!v->priv) {
		struct wallet_ui *w = xcalloc(1, sizeof *w);
		w->back = VIEW_ORDERS;
		w->limit = WALLET_PAGE;
		v->priv = w;
	}
	return v->priv;
}

void ui_wallet_balance(struct ui *u, char *out, size_t cap)
{
	char *node = NULL;
	struct wallet_view w;
	struct wallet_lines l;
	struct kerr e = {0};
	out[0] = '\0';
	if (cmd_wallet_read(u->c, 0, 1, &node, &w, &l, &e) != K_OK)
		return; /* no node, or no wallet synced yet: the head says nothing of money */
	struct kbuf b = KBUF_INIT;
	kbuf_puts(&b, "balance ");
	if (!w.nbalances)
		kbuf_puts(&b, "0");
	for (size_t i = 0; i < w.nbalances; i++) {
		char m[INBOX_MONEY_MAX];
		inbox_money(w.balances[i].amount, w.balances[i].currency, m);
		kbuf_printf(&b, "%s%s", i ? " · " : "", m);
	}
	snprintf(out, cap, "%s", kbuf_str(&b));
	kbuf_free(&b);
	free(node);
	wallet_view_free(&w);
	wallet_lines_free(&l);
}

static void line(struct ui_view *v, int width, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void line(struct ui_view *v, int width, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	struct kbuf safe = KBUF_INIT;
	text_sanitize(&safe, buf, strlen(buf), 0);
	/* never cut: an order's product and the other party go on under themselves */
	ui_wrap(kbuf_str(&safe), width, "", &v->lines);
	kbuf_free(&safe);
}

void ui_wallet_build(struct ui *u, int width)
{
	struct ui_view *v = &u->views[VIEW_WALLET];
	if (!v->priv)
		return; /* never opened */
	struct wallet_ui *st = state(u);
	kstrv_free(&v->lines);
	v->built_width = width;
	char *node = NULL;
	struct wallet_view w;
	struct wallet_lines l;
	struct kerr e = {0};
	if (cmd_wallet_read(u->c, 0, st->limit, &node, &w, &l, &e) != K_OK) {
		line(v, width, "  %s", e.msg);
		line(v, width, "  (:sync brings the wallet from the node)");
		ui_view_set_rows(u, v, (int)v->lines.n);
		return;
	}
	char when[KTIME_LOCAL_MAX];
	if (w.pulled[0])
		line(v, width, "Balance (as of the sync at %s)",
		     ktime_local(w.pulled, when, sizeof when));
	else
		line(v, width, "Balance (no money has moved yet)");
	if (!w.nbalances)
		line(v, width, "  %s", wallet_view_empty_words(&w));
	for (size_t i = 0; i < w.nbalances; i++) {
		char m[INBOX_MONEY_MAX];
		inbox_money(w.balances[i].amount, w.balances[i].currency, m);
		line(v, width, "  %20s", m);
	}
	char funding[KNET_FUNDING_MAX + 1];
	if (cmd_wallet_funding(u->c, node, funding, sizeof funding)) {
		/* The node's words on adding money, whole: wrapped, never cut. */
		struct kbuf said = KBUF_INIT, safe = KBUF_INIT;
		struct kstrv rows = {0};
		kbuf_printf(&said, "To add money (node %s says): %s", node, funding);
		text_sanitize(&safe, kbuf_str(&said), said.len, 0);
		ui_wrap(kbuf_str(&safe), width, "  ", &rows);
		for (size_t i = 0; i < rows.n; i++)
			line(v, width, "%s", rows.v[i]);
		/* on a line of its own, as `kontor wallet` puts it: her words may not end a
		 * sentence */
		line(v, width, "  Your account id: %s", u->c->self_id);
		kstrv_free(&rows);
		kbuf_free(&said);
		kbuf_free(&safe);
	}
	line(v, width, "%s", "");
	line(v, width, "In escrow for your orders");
	if (!w.nescrow)
		line(v, width, "  nothing held");
	for (size_t i = 0; i < w.nescrow; i++) {
		const struct wallet_escrow *x = &w.escrow[i];
		char m[INBOX_MONEY_MAX], sid[16];
		inbox_money(x->amount, x->currency, m);
		inbox_short_id(x->order, sid);
		int seller = strcmp(x->role, "seller") == 0;
		char yours[64] = "your money, held";
		if (seller)
			cmd_wallet_yours_words(u->c, x->order, yours, sizeof yours);
		line(v, width, "  as %-6s  order %-10s %18s  %s", seller ? "seller" : "buyer", sid,
		     m, yours);
		struct kbuf about = KBUF_INIT; /* under it, what the order is */
		cmd_wallet_escrow_about(u->c, x->order, &about);
		if (about.len)
			line(v, width, "             %s", kbuf_str(&about));
		kbuf_free(&about);
	}
	line(v, width, "%s", "");
	if (l.n)
		line(v, width, "History, newest first (1-%zu of %lld)", l.n, (long long)l.total);
	else
		line(v, width, "History, newest first");
	if (!l.n)
		line(v, width, "  nothing yet");
	for (size_t i = 0; i < l.n; i++) {
		struct kbuf one = KBUF_INIT, about = KBUF_INIT;
		cmd_wallet_history_line(u->c, &l.v[i], &one, &about);
		line(v, width, "%s", kbuf_str(&one));
		if (about.len)
			line(v, width, "%s", kbuf_str(&about));
		kbuf_free(&one);
		kbuf_free(&about);
	}
	st->more = (int64_t)l.n < l.total;
	if (st->more)
		line(v, width, "  (more below: scroll on)");
	else if (w.history_total > l.total)
		line(v, width, "  (the node has %lld lines; :sync brings the rest)",
		     (long long)w.history_total);
	free(node);
	wallet_view_free(&w);
	wallet_lines_free(&l);
	ui_view_set_rows(u, v, (int)v->lines.n);
}

void ui_wallet_title(struct ui *u, struct kbuf *out)
{
	char *node = NULL;
	if (cmd_node_name(u->c, &node, NULL) != K_OK)
		node = NULL;
	char kw[16];
	ui_key_of("wallet", ACT_WITHDRAW, "w", kw, sizeof kw);
	kbuf_printf(out, "Wallet on node %s   %s withdraw · j/k scroll · q back",
	            node ? node : "(none)", kw);
	free(node);
}

/* She looked: what came in is no longer news for the Inbox. */
static void seen(struct ui *u)
{
	char *node = NULL;
	if (cmd_node_name(u->c, &node, NULL) == K_OK)
		cmd_wallet_seen(u->c, node);
	free(node);
}

void ui_wallet_shown(struct ui *u)
{
	if (!u->views[VIEW_WALLET].priv)
		return;
	ui_wallet_build(u, COLS);
	u->dirty |= DIRTY_ALL;
}

void ui_wallet_show(struct ui *u)
{
	struct wallet_ui *st = state(u);
	int here = u->tab_view[u->tab];
	if (here != VIEW_WALLET)
		st->back = here;
	st->limit = WALLET_PAGE;
	u->views[VIEW_WALLET].top = 0;
	u->help = 0;
	u->tab_view[u->tab] = VIEW_WALLET;
	ui_wallet_build(u, COLS);
	seen(u);
	ui_reload(u, VIEW_INBOX, VIEW_INBOX); /* the money she has now seen leaves the Inbox */
	u->dirty |= DIRTY_ALL;
}

int ui_wallet_open_id(struct ui *u, const char *id)
{
	(void)id;
	ui_wallet_show(u);
	return 1;
}

void ui_wallet_more(struct ui *u)
{
	struct wallet_ui *st = state(u);
	if (!st->more)
		return;
	st->limit += WALLET_PAGE;
	int top = u->views[VIEW_WALLET].top;
	ui_wallet_build(u, COLS);
	u->views[VIEW_WALLET].top = top;
	seen(u);
	u->dirty |= DIRTY_BODY;
}

/* The y/n answered: the command runs, its outcome on the status line, the wallet read again. */
static void withdraw_yes(struct ui *u, int yes, void *arg)
{
	struct wallet_ui *st = arg;
	if (!yes) {
		ui_say(u, "withdraw: nothing was sent");
		return;
	}
	char *argv[4] = {"wallet", "withdraw", st->amount, st->currency};
	struct ui_ran ran;
	ui_run_command(u, 4, argv, &ran);
	ui_ask_note(u, kbuf_str(&u->msg));
	ui_wallet_shown(u);
}

/* "100 USD", "1450.50 usd", "all VND": two words, checked by the command itself once asked
 * (the same words as `kontor wallet withdraw`); the y/n names the money. */
static void withdraw_typed(struct ui *u, const char *text, void *arg)
{
	struct wallet_ui *st = arg;
	if (!text)
		return;
	char a[64] = "", c[64] = "", extra[2] = "";
	if (sscanf(text, "%63s %63s %1s", a, c, extra) != 2 || strlen(a) >= sizeof st->amount ||
	    strlen(c) >= sizeof st->currency) {
		ui_ask_retry(u, "an amount and its currency (100 USD), or all and a currency",
		             text);
		return;
	}
	snprintf(st->amount, sizeof st->amount, "%s", a);
	cmd_copy_upper(st->currency, sizeof st->currency, c);
	char q[160];
	if (strcmp(a, "all") == 0)
		snprintf(q, sizeof q, "Withdraw all your %s from the wallet, paid out to you?",
		         st->currency);
	else
		snprintf(q, sizeof q, "Withdraw %s %s from the wallet, paid out to you?", a,
		         st->currency);
	ui_ask_yn(u, q, withdraw_yes, st);
}

/* w: what to withdraw, "all" and the currency she holds most of put in to edit. */
static void withdraw_ask(struct ui *u)
{
	struct wallet_ui *st = state(u);
	char *node = NULL, initial[32] = "";
	struct wallet_view w;
	struct wallet_lines l;
	struct kerr e = {0};
	if (cmd_wallet_read(u->c, 0, 1, &node, &w, &l, &e) == K_OK) {
		int64_t most = 0;
		for (size_t i = 0; i < w.nbalances; i++)
			if (w.balances[i].amount > most) {
				most = w.balances[i].amount;
				snprintf(initial, sizeof initial, "all %s", w.balances[i].currency);
			}
		free(node);
		wallet_view_free(&w);
		wallet_lines_free(&l);
	}
	ui_ask_line(u, "withdraw (AMOUNT CURRENCY, or all CURRENCY): ", initial, withdraw_typed,
	            st);
}

int ui_wallet_action(struct ui *u, enum ui_action act)
{
	if (act == ACT_WITHDRAW && !u->help) {
		withdraw_ask(u);
		return 1;
	}
	if (act != ACT_BACK || u->help)
		return 0;
	struct wallet_ui *st = state(u);
	u->tab_view[u->tab] = st->back;
	if (u->tab_view[u->tab] == VIEW_WALLET)
		u->tab_view[u->tab] = ui_tabs[u->tab].root;
	struct ui_view *v = ui_cur_view(u);
	if (v->ops->shown)
		v->ops->shown(u);
	u->dirty |= DIRTY_ALL;
	return 1;
}

int ui_wallet_key(struct ui *u, enum ui_action act)
{
	if (act != ACT_WALLET)
		return 0;
	ui_wallet_show(u);
	return 1;
}

void ui_wallet_free(struct ui *u)
{
	free(u->views[VIEW_WALLET].priv);
	u->views[VIEW_WALLET].priv = NULL;
}
