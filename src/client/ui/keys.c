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
    {"any", 'q', "q", ACT_BACK, "back", "back to the list; on a list, leave kontor"},
    {"any", 'Q', "Q", ACT_QUIT, "quit", "leave kontor"},
    {"search", '\n', "<Enter>", ACT_OPEN, "open", "open the listing"},
    {"chat", '\n', "<Enter>", ACT_OPEN, "open", "open the conversation (unlocks your key)"},
    {"messages", 'i', "i", ACT_COMPOSE, "compose", "write a message (Enter sends it)"},
    {"messages", 'c', "c", ACT_COMPOSE, "compose", "write a message (Enter sends it)"},
    {"help", UI_KEY_ESC, "<Esc>", ACT_BACK, "back", "close the help"},
    {NULL, 0, NULL, ACT_NONE, NULL, NULL},
};

enum ui_action ui_key_action(const char *view, int key)
{
	if (key == '\r' || key == UI_FKEY(KEY_ENTER))
		key = '\n';
	/* The view's own binding wins over "any". */
	for (const struct ui_keydef *k = ui_keys; k->view; k++)
		if (k->key == key && strcmp(k->view, view) == 0)
			return k->action;
	for (const struct ui_keydef *k = ui_keys; k->view; k++)
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

void ui_help_build(struct ui *u, int width)
{
	struct ui_view *v = &u->views[VIEW_HELP];
	kstrv_free(&v->lines);
	struct kbuf b = KBUF_INIT;
	kstrv_push(&v->lines, "Keys (from the key table; `man kontor` has the same list)");
	kstrv_push(&v->lines, "");
	const char *last = "";
	for (const struct ui_keydef *k = ui_keys; k->view; k++) {
		if (strcmp(last, k->view) != 0) {
			if (*last)
				kstrv_push(&v->lines, "");
			kbuf_reset(&b);
			kbuf_printf(&b,
			            "in %s:", strcmp(k->view, "any") == 0 ? "every view" : k->view);
			kstrv_push(&v->lines, kbuf_str(&b));
			last = k->view;
		}
		kbuf_reset(&b);
		kbuf_puts(&b, "  ");
		text_clip(&b, k->label, 10, 1);
		kbuf_puts(&b, "  ");
		text_clip(&b, k->name, 14, 1);
		kbuf_printf(&b, "  %s", k->desc);
		kstrv_push(&v->lines, kbuf_str(&b));
	}
	kstrv_push(&v->lines, "");
	kstrv_push(&v->lines, "While editing a line: <Enter> accepts, <Esc> cancels, <Backspace>, "
	                      "<Left>, <Right>, <C-u> edit.");
	kstrv_push(&v->lines, "Search words may carry filters: country:CN currency:USD max:15 "
	                      "moq:100 verified incoterm:FOB sort:price|rating|newest");
	kbuf_free(&b);
	v->built_width = width;
	ui_view_set_rows(u, v, (int)v->lines.n);
}
