/* ui — the terminal UI (`kontor tui`): a front end over the same cache and command table as
 * batch mode, never a second implementation of a command. Every screen reads the cache;
 * what it draws from the network is sanitised first; writes go through cmd_dispatch.
 * One key table (keys.c) drives the keys, `?` help, the script mode and the man page.
 * Internal to src/client/ui/: nothing outside includes this but cmd.c's one extern. */
#ifndef KONTOR_UI_H
#define KONTOR_UI_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <wchar.h>

#include "../cmd/cmd.h"
#include "../store/store.h"
#include "kontor/buf.h"
#include "kontor/model.h"

/* Keys are one int: a Unicode character as itself, a curses KEY_* code above Unicode. */
#define UI_FKEY(k) (0x200000 + (k))
#define UI_CTRL(ch) ((ch)&0x1f)
#define UI_KEY_ESC 27

enum ui_tab { TAB_SEARCH, TAB_CHAT, TAB_ORDERS, TAB_CONTRACTS, TAB_SHIPMENTS, TAB_N };

/* The screens. A tab shows one of them; help lies over any. */
enum ui_view_id {
	VIEW_RESULTS,
	VIEW_LISTING,
	VIEW_CHATS,
	VIEW_MESSAGES,
	VIEW_ORDERS,
	VIEW_CONTRACTS,
	VIEW_SHIPMENTS,
	VIEW_HELP,
	VIEW_N
};

enum ui_action {
	ACT_NONE,
	ACT_QUIT,
	ACT_BACK,
	ACT_TAB_SEARCH,
	ACT_TAB_CHAT,
	ACT_TAB_ORDERS,
	ACT_TAB_CONTRACTS,
	ACT_TAB_SHIPMENTS,
	ACT_TAB_NEXT,
	ACT_TAB_PREV,
	ACT_DOWN,
	ACT_UP,
	ACT_PAGE_DOWN,
	ACT_PAGE_UP,
	ACT_TOP,
	ACT_BOTTOM,
	ACT_OPEN,
	ACT_SEARCH,
	ACT_PROMPT,
	ACT_HELP,
	ACT_COMPOSE,
	ACT_REDRAW,
};

/* One line of the key table: in view (a view name or "any"), key does action. */
struct ui_keydef {
	const char *view;
	int key;
	const char *label; /* as the help, the man page and scripts write it: "j", "<Down>" */
	enum ui_action action;
	const char *name; /* "move-down" */
	const char *desc;
};
extern const struct ui_keydef ui_keys[]; /* ends with a NULL view */
/* The table in force: ui_keys, or a copy with the config's `bind` lines applied. The keys,
 * `?` help read it; the script mode's names and the man page read ui_keys. */
extern const struct ui_keydef *ui_keymap;

/* The action for key in view name, or ACT_NONE. */
enum ui_action ui_key_action(const char *view, int key);
/* The key for a script name ("<Enter>", "<Down>", ...); -1 when unknown. */
int ui_key_by_name(const char *name, size_t len);

/* A key as a config file writes it: one character ("J", "é"), a name from the key table
 * or the script mode ("<Enter>", "<PgDn>", "<Space>"), <C-a>..<C-z> or <F1>..<F12>.
 * Returns the key, -1 when it is none of these. */
int ui_key_parse(const char *s, size_t len);
/* How help writes key: "J", "<C-x>", "<F5>", "<Enter>"; out gets at most cap-1 bytes. */
void ui_key_label(int key, char *out, size_t cap);

/* --- config.c: the TUI's config file and themes (kontor.conf(5)) --------------------- */

/* What the UI draws in colour: each slot is one `color` line of a theme. */
enum ui_slot {
	SLOT_NORMAL,     /* the screen's background and plain text */
	SLOT_TABS,       /* the tab bar */
	SLOT_TAB_ACTIVE, /* the current tab */
	SLOT_TITLE,      /* a view's head line, column heads */
	SLOT_LIST,       /* the rows of a list or a text */
	SLOT_CURSOR,     /* the cursor mark on the selected row */
	SLOT_DIM,        /* secondary text: the filter bar */
	SLOT_STATUS,     /* the status line */
	SLOT_ERROR,      /* the status line when it reports an error */
	SLOT_PROMPT,     /* the line being edited: query, ':' command, message */
	SLOT_N
};
#define UI_COLOR_DEFAULT (-1) /* the terminal's own colour */
struct ui_color {
	short fg, bg; /* UI_COLOR_DEFAULT or 0..255 */
	attr_t attr;  /* A_BOLD, A_REVERSE, ... */
};
struct ui_slot_def {
	const char *name; /* "tab-active" */
	const char *desc;
	struct ui_color dflt; /* the built-in (default) theme */
	attr_t mono;          /* without colour: NO_COLOR, a monochrome terminal */
};
extern const struct ui_slot_def ui_slots[SLOT_N];

#define UI_CONFIG_MAX_BYTES (256 * 1024) /* a file; larger is an error */
#define UI_CONFIG_MAX_LINES 10000
#define UI_CONFIG_MAX_LINE 4096
#define UI_CONFIG_MAX_BINDS 256
#define UI_CONFIG_MAX_DEPTH 8 /* source and theme nesting */

struct ui_bind {
	char view[16]; /* "any" or a view's name */
	int key;
	enum ui_action action; /* ACT_NONE: unbound */
	const char *name;      /* the action's name in ui_keys; "none" */
};

struct ui_config {
	char theme[256];          /* the last `set theme`, "" when none */
	char translate_url[1024]; /* `set translate-url`, stored for the translation feature */
	struct ui_color color[SLOT_N];
	struct ui_bind bind[UI_CONFIG_MAX_BINDS];
	int nbind;
	struct kbuf notes; /* "FILE:LINE: note" lines, e.g. an ignored `node` line */
};

/* Follows `source FILE` (theme 0) and `set theme NAME` (theme 1) from file at depth:
 * reads it and parses it into cfg. NULL in ui_config_parse: the names are stored only. */
typedef int (*ui_config_include_fn)(void *arg, struct ui_config *cfg, const char *from,
                                    const char *name, int theme, int depth, struct kerr *e);

/* The built-in theme, no bindings, no settings. Free with ui_config_free. */
void ui_config_init(struct ui_config *cfg);
void ui_config_free(struct ui_config *cfg);
/* Parses data (len bytes, named file in errors) into cfg, line by line, in order. A theme
 * (theme_only) holds `color` lines only. Touches no file itself (include does). Errors are
 * K_EINVAL/K_ETOOBIG with "FILE:LINE: reason"; cfg keeps the lines before the bad one. */
int ui_config_parse(struct ui_config *cfg, const char *file, const char *data, size_t len,
                    int theme_only, int depth, ui_config_include_fn include, void *arg,
                    struct kerr *e);
/* Reads and parses the user's config: $KONTOR_CONFIG (which must exist), else
 * $XDG_CONFIG_HOME/kontor/config or ~/.config/kontor/config (which need not). */
int ui_config_load(struct ui_config *cfg, struct kerr *e);
/* Finds theme NAME: $KONTOR_THEMES (a list of directories, ':' between), the source
 * tree's themes/ when kontor runs from its build dir, then KONTOR_DATADIR/themes.
 * K_ENOTFOUND when it is nowhere. */
int ui_theme_find(const char *name, char *out, size_t cap, struct kerr *e);
/* Applies cfg's bindings to the key table in force (ui_keymap); NULL puts ui_keys back. */
void ui_keymap_apply(const struct ui_config *cfg);

/* A one-line editor of wide characters (query, ':' prompt, compose). */
#define UI_LINE_MAX 1024
struct ui_line {
	wchar_t buf[UI_LINE_MAX + 1];
	int len, cur;
};
enum ui_edit { EDIT_GOING, EDIT_DONE, EDIT_CANCEL };
void ui_line_clear(struct ui_line *l);
void ui_line_set(struct ui_line *l, const char *utf8);
/* Applies one key; EDIT_DONE on Enter, EDIT_CANCEL on Esc. */
enum ui_edit ui_line_key(struct ui_line *l, int key);
/* The text as UTF-8 into out (reset first). */
void ui_line_utf8(const struct ui_line *l, struct kbuf *out);
/* Draws label + text at row y over cols columns; returns the cursor's column. */
int ui_line_draw(const struct ui_line *l, const char *label, int y, int cols, attr_t attr);

/* Splits s into lines of at most width columns, breaking at spaces where it can; each line
 * is pushed on out with indent in front (indent counts in width). s must be sanitised. */
void ui_wrap(const char *s, int width, const char *indent, struct kstrv *out);

enum ui_prompt { PROMPT_NONE, PROMPT_QUERY, PROMPT_COMMAND, PROMPT_COMPOSE };

#define DIRTY_ALL 1
#define DIRTY_BODY 2
#define DIRTY_STATUS 4
#define DIRTY_PROMPT 8
#define DIRTY_ROWS 16
#define DIRTY_HEAD 32

struct ui;

/* What a view is, as tig's view_ops: the main loop knows a view only through these. */
struct ui_view_ops {
	const char *name;                  /* the key table's name for it */
	int selectable;                    /* a list with a cursor; otherwise text that scrolls */
	int head_rows;                     /* rows between the tabs and the body */
	int parent;                        /* the view q goes back to; -1: q leaves kontor */
	const char *empty;                 /* the first row when there are none */
	void (*head)(struct ui *u, int y); /* draws the head; NULL: title below */
	void (*title)(struct ui *u, struct kbuf *out);                 /* the one-line head */
	void (*row)(struct ui *u, int i, struct kbuf *out, int width); /* NULL: lines */
	void (*open)(struct ui *u, int i);      /* Enter on row i; may be NULL */
	void (*build)(struct ui *u, int width); /* wraps text for a width; may be NULL */
	void (*shown)(struct ui *u);            /* it comes (back) on screen; may be NULL */
	void (*more)(struct ui *u);             /* fetch the next page; may be NULL */
};
extern const struct ui_view_ops ui_view_ops[];

struct ui_view {
	const struct ui_view_ops *ops;
	int n, cur, top;    /* rows, selected row, first row shown */
	struct kstrv lines; /* text views: the lines, built for `built_width` */
	int built_width;
};

struct conv_row {
	char id[32];
	char listing[32];
	char *peer; /* display name, sanitised */
	int unread;
};

struct msg_item {
	char *head; /* "2026-11-23T09:12:18Z  you" */
	char *text; /* sanitised, or NULL when it cannot be opened */
};

struct ui {
	struct ctx *c;
	struct store *s;
	int tab;
	int tab_view[TAB_N];
	int help;
	struct ui_view views[VIEW_N];
	int dirty;
	int row_a, row_b; /* DIRTY_ROWS: the two rows that changed */
	int too_small;
	/* colours or, without them, attributes: slot[] from the theme; a_* name some */
	attr_t slot[SLOT_N];
	attr_t a_sel, a_status, a_tab, a_tab_on, a_head, a_dim;
	struct ui_config *cfg; /* the config in force (owned) */
	/* prompt */
	enum ui_prompt prompt;
	struct ui_line query, line;
	struct kbuf query_saved; /* the query before `/`, for Esc */
	/* search */
	struct search_result res;
	int have_res;
	struct kbuf filters; /* the filter bar's text */
	char listing_id[MODEL_LISTING_ID_LEN + 1];
	/* chat */
	struct conv_row *convs;
	int nconvs;
	char conv_id[32];
	char conv_peer[128];
	struct msg_item *msgs;
	int nmsgs;
	/* status line */
	struct kbuf msg;    /* the message on the left */
	struct kbuf status; /* last drawn, to repaint only on change */
	struct kbuf tmp;
	/* script mode */
	FILE *script;
	int quit;
};

/* ui.c */
void ui_say(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct ui_view *ui_cur_view(struct ui *u);
int ui_body_y(struct ui *u);
int ui_body_rows(struct ui *u);
void ui_view_set_rows(struct ui *u, struct ui_view *v, int n);
/* Runs one batch command through the table with its output caught; the first line of
 * what it printed (or its error) goes to the status line. Returns its kstatus. */
int ui_run_command(struct ui *u, int argc, char **argv);
/* Loads the identity, leaving curses for a passphrase prompt when one is needed. */
int ui_identity(struct ui *u, struct kerr *e);
void ui_draw(struct ui *u);
/* Writes the screen as plain text (one line a row, trailing spaces cut) to path. */
int ui_dump(const char *path);

/* search.c: results and one listing */
void ui_search_run(struct ui *u);
/* The next page of the same results, when there is one. */
void ui_search_more(struct ui *u);
void ui_search_head(struct ui *u, int y);
void ui_results_row(struct ui *u, int i, struct kbuf *out, int width);
void ui_listing_open(struct ui *u, const char *id);
void ui_results_open(struct ui *u, int i);
void ui_listing_build(struct ui *u, int width);
void ui_search_free(struct ui *u);

/* chat.c: conversations, one conversation, sending */
void ui_chats_load(struct ui *u);
void ui_chats_row(struct ui *u, int i, struct kbuf *out, int width);
void ui_messages_open(struct ui *u, const char *conv_id);
void ui_chats_open(struct ui *u, int i);
void ui_messages_build(struct ui *u, int width);
void ui_chat_send(struct ui *u, const char *text);
void ui_chat_free(struct ui *u);

/* help: the key table as lines */
void ui_help_build(struct ui *u, int width);

/* script.c: KONTOR_UI_SCRIPT. The next key (or -1 at the end); runs :dump, :sleep and
 * :quit lines itself. */
int ui_script_next(struct ui *u);

#endif
