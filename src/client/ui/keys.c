/* keys — the one key table: what each key does in each view. The key handling, `?` help,
 * the script mode's key names and the man page's KEYS section all come from it, so they
 * cannot drift apart. */
#include "ui.h"

#include <string.h>

#include "kontor/text.h"

const struct ui_keydef ui_keys[] = {
    {"any", '1', "1", ACT_TAB_SEARCH, "tab-search", "show the Search tab"},
    {"any", '2', "2", ACT_TAB_CHAT, "tab-chat", "show the Chat tab"},
    {"any", '3', "3", ACT_TAB_ORDERS, "tab-orders", "show the Orders tab"},
    {"any", '4', "4", ACT_TAB_CONTRACTS, "tab-contracts", "show the Contracts tab"},
    {"any", '5', "5", ACT_TAB_SHIPMENTS, "tab-shipments", "show the Shipments tab"},
    {"any", '6', "6", ACT_TAB_INBOX, "tab-inbox", "show the Inbox tab: what waits for you"},
    {"any", '7', "7", ACT_TAB_LISTINGS, "tab-listings", "show the Listings tab (your listings)"},
    {"any", '8', "8", ACT_TAB_RFQS, "tab-rfqs", "show the RFQs tab (open requests for quotes)"},
    {"any", '\t', "<Tab>", ACT_TAB_NEXT, "tab-next", "the next tab"},
    {"any", UI_FKEY(KEY_BTAB), "<S-Tab>", ACT_TAB_PREV, "tab-prev", "the previous tab"},
    {"any", 'j', "j", ACT_DOWN, "move-down", "next row (scroll down in text)"},
    {"any", UI_FKEY(KEY_DOWN), "<Down>", ACT_DOWN, "move-down", "next row"},
    {"any", 'k', "k", ACT_UP, "move-up", "previous row (scroll up in text)"},
    {"any", UI_FKEY(KEY_UP), "<Up>", ACT_UP, "move-up", "previous row"},
    {"any", UI_FKEY(KEY_NPAGE), "<PgDn>", ACT_PAGE_DOWN, "page-down", "one screen down"},
    {"any", UI_CTRL('f'), "<C-f>", ACT_PAGE_DOWN, "page-down", "one screen down"},
    {"any", UI_FKEY(KEY_PPAGE), "<PgUp>", ACT_PAGE_UP, "page-up", "one screen up"},
    {"any", UI_CTRL('b'), "<C-b>", ACT_PAGE_UP, "page-up", "one screen up"},
    {"any", 'g', "g", ACT_TOP, "move-first", "first row"},
    {"any", UI_FKEY(KEY_HOME), "<Home>", ACT_TOP, "move-first", "first row"},
    {"any", 'G', "G", ACT_BOTTOM, "move-last", "last row"},
    {"any", UI_FKEY(KEY_END), "<End>", ACT_BOTTOM, "move-last", "last row"},
    {"any", '/', "/", ACT_SEARCH, "search", "edit the search query (Enter runs it)"},
    {"any", ':', ":", ACT_PROMPT, "prompt", "run a kontor command (as in batch mode)"},
    {"any", '?', "?", ACT_HELP, "help", "this list of keys"},
    {"any", UI_CTRL('l'), "<C-l>", ACT_REDRAW, "redraw", "draw the whole screen again"},
    {"any", 'q', "q", ACT_BACK, "back",
     "back to the list; on a list, leave kontor (asked first when it loses work)"},
    {"any", 'Q', "Q", ACT_QUIT, "quit", "leave kontor"},
    {"search", '\n', "<Enter>", ACT_OPEN, "open", "open the listing"},
    {"listing", 'm', "m", ACT_MESSAGE, "message", "write to the supplier about this listing"},
    {"listing", 'Q', "Q", ACT_QUOTE, "quote", "ask the supplier for a quote: quantity (MOQ up)"},
    {"listing", 'P', "P", ACT_PROPOSE, "propose",
     "propose a contract: quantity, price (480 EUR), Incoterm, place, mode"},
    {"listing", 'i', "i", ACT_IMAGES, "images",
     "the listing's pictures, fetched now at the size drawn (n, p, q)"},
    {"listing", 's', "s", ACT_SUPPLIER, "supplier",
     "the supplier: profile, factory profile, attestation (i: photos)"},
    {"listing", 'f', "f", ACT_FETCH, "fetch",
     "fetch the signed listing now: variants, stock, lead time (a sync brings a summary)"},
    {"chat", '\n', "<Enter>", ACT_OPEN, "open", "open the conversation (unlocks your key)"},
    {"messages", 'i', "i", ACT_COMPOSE, "compose", "write a message (Enter sends it)"},
    {"orders", '\n', "<Enter>", ACT_OPEN, "open", "open the order: facts, timeline, actions"},
    {"order", 'p', "p", ACT_PAY, "pay", "pay the stage that is due into escrow (buyer)"},
    {"order", 's', "s", ACT_SHIP, "ship", "mark it shipped: carrier, tracking (seller, funded)"},
    {"order", 'c', "c", ACT_CONFIRM, "confirm",
     "confirm receipt: escrow goes to the seller (buyer)"},
    {"order", 'D', "D", ACT_DISPUTE, "dispute",
     "dispute it: escrow is frozen (funded to delivered); or answer their dispute"},
    {"order", 'x', "x", ACT_CANCEL, "cancel",
     "cancel: alone before payment, with the other party after"},
    {"order", 'r', "r", ACT_RATE, "rate", "rate the other party, 1-5 stars (when it is over)"},
    {"contracts", '\n', "<Enter>", ACT_OPEN, "open", "open the contract as a document"},
    {"contract", 'd', "d", ACT_DIFF, "diff", "show or hide the changes against the earlier offer"},
    {"contract", 'S', "S", ACT_SIGN, "sign", "sign the offer when it waits for you"},
    {"shipments", '\n', "<Enter>", ACT_OPEN, "open", "open the shipment's timeline"},
    {"messages", 'c', "c", ACT_COMPOSE, "compose", "write a message (Enter sends it)"},
    {"messages", 'E', "E", ACT_EDITOR, "compose-editor",
     "write a message in $VISUAL or $EDITOR (sent when it is saved, not empty)"},
    {"messages", 't', "t", ACT_TRANSLATE, "translate",
     "show or hide each message's translation (set translate-url)"},
    {"mylistings", '\n', "<Enter>", ACT_OPEN, "open", "open your listing"},
    {"mylistings", 'e', "e", ACT_EDIT, "edit-price",
     "edit the price and its breaks, or each variant's"},
    {"mylistings", 'p', "p", ACT_PAUSE, "pause", "pause the listing, or resume it (asked first)"},
    {"mylistings", 's', "s", ACT_STOCK, "stock", "say the stock on hand, or each variant's"},
    {"mylisting", 'e', "e", ACT_EDIT, "edit-price",
     "edit the price and its breaks, or each variant's"},
    {"mylisting", 'p', "p", ACT_PAUSE, "pause", "pause the listing, or resume it (asked first)"},
    {"mylisting", 's', "s", ACT_STOCK, "stock", "say the stock on hand, or each variant's"},
    {"rfqs", '\n', "<Enter>", ACT_OPEN, "open", "show the RFQ"},
    {"rfqs", 'Q', "Q", ACT_QUOTE, "quote",
     "quote: listing, price, quantity, Incoterm, place, deposit %; then a contract offer"},
    {"rfq", 'Q', "Q", ACT_QUOTE, "quote",
     "quote: listing, price, quantity, Incoterm, place, deposit %; then a contract offer"},
    {"inbox", '\n', "<Enter>", ACT_OPEN, "open",
     "go to it (contract, order, wallet, conversation), else its command on the : prompt"},
    {"inbox", 'w', "w", ACT_WALLET, "wallet", "the wallet: balances, escrow, history"},
    {"orders", 'w', "w", ACT_WALLET, "wallet", "the wallet: balances, escrow, history"},
    {"wallet", 'w', "w", ACT_WITHDRAW, "withdraw",
     "withdraw: an amount and currency, or all, paid out to you (asked first)"},
    {"contract", 'c', "c", ACT_COUNTER, "counter",
     "counter the offer waiting for you: price, quantity, variant, Incoterm, dates, deposit %"},
    {"counter", '\n', "<Enter>", ACT_OPEN, "open", "edit the term; on the last row, send it"},
    {"order", 'e', "e", ACT_EVENT, "event",
     "add a shipment event, its DCSA code picked in words (seller, shipped)"},
    {"event", '\n', "<Enter>", ACT_OPEN, "open", "pick this event: where, then y/n"},
    {"help", UI_KEY_ESC, "<Esc>", ACT_BACK, "back", "close the help"},
    {NULL, 0, NULL, ACT_NONE, NULL, NULL},
};

const struct ui_keydef *ui_keymap = ui_keys;
static struct ui_keydef *keymap_owned;
static char (*keymap_labels)[16];

enum ui_action ui_key_action(const char *view, int key)
{
	if (key == '\r' || key == UI_FKEY(KEY_ENTER))
		key = '\n';
	/* The view's own binding wins over "any". */
	for (const struct ui_keydef *k = ui_keymap; k->view; k++)
		if (k->key == key && strcmp(k->view, view) == 0)
			return k->action;
	for (const struct ui_keydef *k = ui_keymap; k->view; k++)
		if (k->key == key && strcmp(k->view, "any") == 0)
			return k->action;
	return ACT_NONE;
}

/* Names the script mode takes besides those of the table (keys that only edit text). */
static const struct {
	const char *name;
	int key;
} extra_names[] = {
    {"<Esc>", UI_KEY_ESC},
    {"<Backspace>", UI_FKEY(KEY_BACKSPACE)},
    {"<Left>", UI_FKEY(KEY_LEFT)},
    {"<Right>", UI_FKEY(KEY_RIGHT)},
    {"<Space>", ' '},
    {"<Lt>", '<'},
    {"<C-u>", UI_CTRL('u')},
    {"<Resize>", UI_FKEY(KEY_RESIZE)},
};

int ui_key_by_name(const char *name, size_t len)
{
	for (const struct ui_keydef *k = ui_keys; k->view; k++)
		if (k->label[0] == '<' && strlen(k->label) == len &&
		    strncmp(k->label, name, len) == 0)
			return k->key;
	for (size_t i = 0; i < sizeof extra_names / sizeof extra_names[0]; i++)
		if (strlen(extra_names[i].name) == len &&
		    strncmp(extra_names[i].name, name, len) == 0)
			return extra_names[i].key;
	return -1;
}

int ui_key_parse(const char *s, size_t len)
{
	if (len >= 3 && s[0] == '<' && s[len - 1] == '>') {
		int k = ui_key_by_name(s, len);
		if (k >= 0)
			return k;
		if (len == 5 && (s[1] == 'C' || s[1] == 'c') && s[2] == '-' &&
		    ((s[3] >= 'a' && s[3] <= 'z') || (s[3] >= 'A' && s[3] <= 'Z')))
			return s[3] == 'm' || s[3] == 'M' ? '\n' : UI_CTRL(s[3]); /* C-m is Enter */
		if ((len == 4 || len == 5) && (s[1] == 'F' || s[1] == 'f') && s[2] >= '1' &&
		    s[2] <= '9') {
			int n = s[2] - '0';
			if (len == 5) {
				if (s[3] < '0' || s[3] > '9')
					return -1;
				n = n * 10 + (s[3] - '0');
			}
			return n <= 12 ? UI_FKEY(KEY_F(n)) : -1;
		}
		return -1;
	}
	/* one character, as UTF-8; blanks and controls have names */
	const unsigned char *p = (const unsigned char *)s;
	if (len == 0)
		return -1;
	int need, cp;
	if (p[0] < 0x80)
		need = 1, cp = p[0];
	else if ((p[0] & 0xe0) == 0xc0)
		need = 2, cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		need = 3, cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		need = 4, cp = p[0] & 0x07;
	else
		return -1;
	if ((size_t)need != len)
		return -1;
	for (int i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	static const int min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min_cp[need] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	if (cp <= 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
		return -1;
	return cp;
}

void ui_key_label(int key, char *out, size_t cap)
{
	if (!cap)
		return;
	for (const struct ui_keydef *k = ui_keys; k->view; k++)
		if (k->key == key) {
			snprintf(out, cap, "%s", k->label);
			return;
		}
	for (size_t i = 0; i < sizeof extra_names / sizeof extra_names[0]; i++)
		if (extra_names[i].key == key) {
			snprintf(out, cap, "%s", extra_names[i].name);
			return;
		}
	if (key >= 1 && key <= 26) {
		snprintf(out, cap, "<C-%c>", 'a' + key - 1);
	} else if (key >= UI_FKEY(KEY_F(1)) && key <= UI_FKEY(KEY_F(12))) {
		snprintf(out, cap, "<F%d>", key - UI_FKEY(KEY_F0));
	} else if (key > 0x20 && key <= 0x10ffff) {
		char b[4];
		int n = (int)utf8_encode((uint32_t)key, b);
		snprintf(out, cap, "%.*s", n, b);
	} else {
		snprintf(out, cap, "<%d>", key);
	}
}

void ui_keymap_apply(const struct ui_config *cfg)
{
	free(keymap_owned);
	free(keymap_labels);
	keymap_owned = NULL;
	keymap_labels = NULL;
	ui_keymap = ui_keys;
	if (!cfg || cfg->nbind == 0)
		return;
	size_t n = 0;
	while (ui_keys[n].view)
		n++;
	size_t cap = n + (size_t)cfg->nbind + 1;
	struct ui_keydef *t = xcalloc(cap, sizeof *t);
	keymap_labels = xcalloc((size_t)cfg->nbind, sizeof *keymap_labels);
	memcpy(t, ui_keys, (n + 1) * sizeof *t);
	for (int b = 0; b < cfg->nbind; b++) {
		const struct ui_bind *bd = &cfg->bind[b];
		const char *desc = "";
		for (const struct ui_keydef *k = ui_keys; k->view; k++)
			if (k->action == bd->action && bd->action != ACT_NONE) {
				desc = k->desc;
				break;
			}
		size_t i, last = n; /* n: no row of that view yet */
		for (i = 0; i < n; i++) {
			if (strcmp(t[i].view, bd->view) != 0)
				continue;
			last = i;
			if (t[i].key == bd->key)
				break;
		}
		if (i == n) { /* a new row: after the view's last, or at the end */
			i = last == n ? n : last + 1;
			memmove(&t[i + 1], &t[i], (n + 1 - i) * sizeof *t);
			n++;
			ui_key_label(bd->key, keymap_labels[b], sizeof keymap_labels[b]);
			t[i].view = bd->view;
			t[i].key = bd->key;
			t[i].label = keymap_labels[b];
		}
		t[i].action = bd->action;
		t[i].name = bd->name;
		t[i].desc = bd->action == ACT_NONE ? "(unbound)" : desc;
	}
	keymap_owned = t;
	ui_keymap = t;
}

/* The last `:` command's output over the view: each line as printed, wrapped to the width. */
static void output_build(struct ui *u, struct ui_view *v, int width)
{
	struct kbuf b = KBUF_INIT;
	text_sanitize(&b, kbuf_str(&u->output), u->output.len, 1);
	while (b.len && b.data[b.len - 1] == '\n') /* no empty line after the last */
		b.data[--b.len] = 0;
	ui_wrap(kbuf_str(&b), width, "", &v->lines);
	kbuf_free(&b);
}

void ui_help_build(struct ui *u, int width)
{
	struct ui_view *v = &u->views[VIEW_HELP];
	kstrv_free(&v->lines);
	if (u->help == 2) {
		output_build(u, v, width);
		v->built_width = width;
		ui_view_set_rows(u, v, (int)v->lines.n);
		return;
	}
	struct kbuf b = KBUF_INIT;
	kstrv_push(&v->lines, "Keys (from the key table; `man kontor` has the same list)");
	/* each view's keys once, together: the view she is on first, then every view's, then
	 * the others in the table's order */
	const char *here = u->views[u->tab_view[u->tab]].ops->name;
	struct kstrv order = {0};
	kstrv_push(&order, here);
	kstrv_push(&order, "any");
	for (const struct ui_keydef *k = ui_keymap; k->view; k++) {
		size_t i = 0;
		while (i < order.n && strcmp(order.v[i], k->view) != 0)
			i++;
		if (i == order.n)
			kstrv_push(&order, k->view);
	}
	/* "  <Enter>     open            " is 30 columns; a longer description goes on below it */
	char pad[31];
	memset(pad, ' ', 30);
	pad[30] = 0;
	struct kstrv wrapped = {0};
	for (size_t i = 0; i < order.n; i++) {
		int said = 0;
		for (const struct ui_keydef *k = ui_keymap; k->view; k++) {
			if (k->action == ACT_NONE || strcmp(k->view, order.v[i]) != 0)
				continue;
			if (!said++) {
				kstrv_push(&v->lines, "");
				kbuf_reset(&b);
				if (i == 0 && strcmp(here, "any") != 0)
					kbuf_printf(&b, "in %s (this view):", here);
				else
					kbuf_printf(&b, "in %s:",
					            strcmp(k->view, "any") == 0 ? "every view"
					                                        : k->view);
				kstrv_push(&v->lines, kbuf_str(&b));
			}
			kstrv_free(&wrapped);
			ui_wrap(k->desc, width > 50 ? width : 50, pad, &wrapped);
			for (size_t w = 0; w < wrapped.n; w++) {
				kbuf_reset(&b);
				if (w == 0) {
					kbuf_puts(&b, "  ");
					text_clip(&b, k->label, 10, 1);
					kbuf_puts(&b, "  ");
					text_clip(&b, k->name, 14, 1);
					kbuf_puts(&b, "  ");
				} else {
					kbuf_puts(&b, pad);
				}
				kbuf_puts(&b, wrapped.v[w] + 30);
				kstrv_push(&v->lines, kbuf_str(&b));
			}
		}
	}
	kstrv_free(&wrapped);
	kstrv_free(&order);
	kstrv_push(&v->lines, "");
	ui_wrap("While editing a line: <Enter> accepts, <Esc> cancels, <Backspace>, <Left>, "
	        "<Right>, <C-u> edit.",
	        width, "", &v->lines);
	ui_wrap("Search words may carry filters: country:CN currency:USD max:15 moq:100 verified "
	        "incoterm:FOB sort:price|rating|newest",
	        width, "", &v->lines);
	kbuf_free(&b);
	v->built_width = width;
	ui_view_set_rows(u, v, (int)v->lines.n);
}
