/* ui/inboxview — the Inbox tab: what waits for her, newest first, over the same list as
 * `kontor inbox` (inbox.h decides what waits; nothing here knows a trade rule). Each row
 * says the key that acts on it where Enter takes her: S signs in the contract, p pays, s
 * ships, c confirms in the order, Q quotes in the RFQ, the wallet shows money that came in,
 * the conversation opens. An item whose screen no longer lists it puts its command on the
 * `:` prompt to be checked and run. It is the first screen when anything waits, and it is
 * read again after every sync that changed something (ui_live_reload) and every command. */
#include "ui.h"

#include <stdlib.h>
#include <string.h>

#include "../inbox.h"
#include "kontor/ktime.h"
#include "kontor/text.h"

struct inbox_ui {
	struct inbox in;
	char error[200]; /* why the list could not be read, "" when it was */
};

static struct inbox_ui *state(struct ui *u)
{
	struct ui_view *v = &u->views[VIEW_INBOX];
	if (!v->priv)
		v->priv = xcalloc(1, sizeof(struct inbox_ui));
	return v->priv;
}

void ui_inbox_load(struct ui *u)
{
	struct inbox_ui *st = state(u);
	struct ui_view *v = &u->views[VIEW_INBOX];
	char keep[sizeof st->in.v[0].key];
	ui_rows_keep(v, st->in.v, (int)st->in.n, sizeof *st->in.v, offsetof(struct inbox_item, key),
	             keep, sizeof keep);
	inbox_free(&st->in);
	st->error[0] = '\0';
	char *node = NULL;
	if (cmd_node_name(u->c, &node, NULL) != K_OK)
		node = NULL; /* no node yet: nothing of a wallet, the rest still counts */
	struct kerr e = {0};
	if (inbox_collect(u->s, node, u->c->self_id, NULL, &st->in, &e) != K_OK)
		snprintf(st->error, sizeof st->error, "%s", e.msg);
	free(node);
	/* the cursor stays on the item it was on while that item still waits */
	ui_rows_settle(u, v, st->in.v, (int)st->in.n, sizeof *st->in.v,
	               offsetof(struct inbox_item, key), NULL, keep, NULL);
	u->dirty |= DIRTY_ALL;
}

void ui_inbox_first(struct ui *u)
{
	ui_inbox_load(u);
	if (!state(u)->in.n)
		return;
	u->tab = TAB_INBOX;
	u->views[VIEW_INBOX].cur = 0;
	kbuf_reset(&u->msg); /* the Search tab's first count is of a tab she does not see */
}

/* The one key that acts on it once Enter took her there, and what it does, from the
 * command the inbox names (the key table in force says which key that is). */
static void item_key(const struct inbox_item *it, char *out, size_t cap)
{
	static const struct {
		const char *cmd, *view;
		enum ui_action act;
		const char *dflt, *word;
	} map[] = {
	    {"kontor contract sign ", "contract", ACT_SIGN, "S", "sign"},
	    {"kontor order pay ", "order", ACT_PAY, "p", "pay"},
	    {"kontor order ship ", "order", ACT_SHIP, "s", "ship"},
	    {"kontor order confirm ", "order", ACT_CONFIRM, "c", "confirm"},
	    {"kontor order cancel ", "order", ACT_CANCEL, "x", "cancel"},
	    {"kontor order rate ", "order", ACT_RATE, "r", "rate"},
	    {"kontor order dispute ", "order", ACT_DISPUTE, "D", "answer"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strncmp(it->cmd, map[i].cmd, strlen(map[i].cmd)) == 0) {
			char k[16];
			ui_key_of(map[i].view, map[i].act, map[i].dflt, k, sizeof k);
			snprintf(out, cap, "%s %s", k, map[i].word);
			return;
		}
	switch (it->kind) {
	case INBOX_MONEY:
		snprintf(out, cap, "wallet");
		break;
	case INBOX_CHAT:
		snprintf(out, cap, "read");
		break;
	case INBOX_RFQ: {
		char k[16];
		ui_key_of("rfq", ACT_QUOTE, "Q", k, sizeof k);
		snprintf(out, cap, "%s quote", k);
		break;
	}
	case INBOX_STOCK:
		snprintf(out, cap, ": stock"); /* Enter puts its command on the prompt */
		break;
	default:
		snprintf(out, cap, "open");
		break;
	}
}

#define COL_WHEN 11 /* "12-04 21:14" */
#define COL_KIND 8  /* "dispute" and a space */
#define COL_KEY 11

void ui_inbox_head(struct ui *u, int y)
{
	struct inbox_ui *st = state(u);
	struct kbuf b = KBUF_INIT, h = KBUF_INIT;
	if (st->error[0])
		kbuf_printf(&b, "Inbox: %s", st->error);
	else
		kbuf_printf(&b, "Inbox (%zu waiting)   Enter goes to it, where KEY acts · w wallet",
		            st->in.n);
	ui_head_row(u, y, kbuf_str(&b), st->error[0] ? u->slot[SLOT_ERROR] : u->a_head);
	kbuf_puts(&h, "  ");
	ui_col(&h, "WHEN", COL_WHEN + 1);
	text_clip(&h, "KIND", COL_KIND, 1);
	text_clip(&h, "KEY", COL_KEY, 1);
	kbuf_puts(&h, "WHAT");
	ui_head_row(u, y + 1, kbuf_str(&h), u->a_dim);
	kbuf_free(&b);
	kbuf_free(&h);
}

void ui_inbox_row(struct ui *u, int i, struct kbuf *out, int width)
{
	struct inbox_ui *st = state(u);
	if (i < 0 || (size_t)i >= st->in.n)
		return;
	const struct inbox_item *it = &st->in.v[i];
	char when[KTIME_LOCAL_MAX], key[32];
	ktime_local(it->when, when, sizeof when); /* "2026-12-04 21:14 UTC": month-day, time */
	item_key(it, key, sizeof key);
	kbuf_puts(out, "  ");
	text_clip(out, strlen(when) >= 16 ? when + 5 : when, COL_WHEN, 1);
	kbuf_puts(out, " ");
	ui_col(out, inbox_kind_name(it->kind), COL_KIND);
	ui_col(out, key, COL_KEY);
	int rest = width - 2 - COL_WHEN - 1 - COL_KIND - COL_KEY;
	ui_clip(out, it->text, rest > 1 ? rest : 1, 0);
}

/* To tab, where the item is shown in view: q there comes back to the Inbox. */
static void go_tab(struct ui *u, int tab, int view)
{
	ui_back_from(u, tab, view);
	u->help = 0;
	u->tab = tab;
	u->dirty |= DIRTY_ALL;
}

/* Its command on the `:` prompt, "kontor " left off, for her to finish and run. */
static void to_prompt(struct ui *u, const struct inbox_item *it)
{
	const char *cmd = it->cmd;
	if (strncmp(cmd, "kontor ", 7) == 0)
		cmd += 7;
	ui_line_set(&u->line, cmd);
	u->prompt = PROMPT_COMMAND;
	u->dirty |= DIRTY_ALL;
}

void ui_inbox_open(struct ui *u, int i)
{
	struct inbox_ui *st = state(u);
	if (i < 0 || (size_t)i >= st->in.n)
		return;
	struct inbox_item it = st->in.v[i]; /* a copy: the reloads below free the list */
	switch (it.kind) {
	case INBOX_OFFER:
		ui_trade_reload(u); /* the trade tabs' lists, read again first */
		if (!ui_open(u, VIEW_CONTRACT, it.id))
			break;
		go_tab(u, TAB_CONTRACTS, VIEW_CONTRACT);
		return;
	case INBOX_ORDER:
	case INBOX_DISPUTE:
	case INBOX_RULING:
	case INBOX_RATE:
		ui_trade_reload(u);
		if (!ui_open(u, VIEW_ORDER, it.id))
			break;
		go_tab(u, TAB_ORDERS, VIEW_ORDER);
		return;
	case INBOX_MONEY:
		ui_open(u, VIEW_WALLET, NULL);
		return;
	case INBOX_CHAT:
		go_tab(u, TAB_CHAT, VIEW_MESSAGES);
		if (!ui_open(u, VIEW_MESSAGES, it.id)) /* the key stayed locked: the list */
			u->back_tab = -1;
		return;
	case INBOX_RFQ:
		if (!ui_open(u, VIEW_RFQ, it.id))
			break;
		go_tab(u, TAB_RFQS, VIEW_RFQ);
		return;
	case INBOX_STOCK: /* the number is hers to type */
	case INBOX_NKINDS:
		break;
	}
	to_prompt(u, &it); /* not on its screen (yet): its command, to check and run */
}

void ui_inbox_shown(struct ui *u)
{
	ui_inbox_load(u);
}

void ui_inbox_free(struct ui *u)
{
	struct ui_view *v = &u->views[VIEW_INBOX];
	struct inbox_ui *st = v->priv;
	if (st)
		inbox_free(&st->in);
	free(st);
	v->priv = NULL;
}
