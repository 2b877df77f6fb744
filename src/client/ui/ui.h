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
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <wchar.h>

#include "../cmd/cmd.h"
#include "../store/store.h"
#include "kontor/buf.h"
#include "kontor/money.h"
#include "kontor/model.h"

/* Keys are one int: a Unicode character as itself, a curses KEY_* code above Unicode. */
#define UI_FKEY(k) (0x200000 + (k))
#define UI_CTRL(ch) ((ch)&0x1f)
#define UI_KEY_ESC 27

/* The tabs, in the order the tab bar shows them and `1`..`9` choose them; each has a line in
 * ui_tabs[] (its name and the view it opens on) and an ACT_TAB_* action in the same place. */
enum ui_tab {
	TAB_SEARCH,
	TAB_CHAT,
	TAB_ORDERS,
	TAB_CONTRACTS,
	TAB_SHIPMENTS,
	TAB_INBOX,    /* inboxview.c: what waits for her */
	TAB_LISTINGS, /* listings.c: her own listings */
	TAB_RFQS,     /* rfqs.c: the open RFQs, hers first */
	TAB_N
};
struct ui_tab_def {
	const char *name; /* "Search" */
	int root;         /* the view it shows first (enum ui_view_id) */
};
extern const struct ui_tab_def ui_tabs[TAB_N];

/* The screens. A tab shows one of them; help lies over any. */
enum ui_view_id {
	VIEW_RESULTS,
	VIEW_LISTING,
	VIEW_CHATS,
	VIEW_MESSAGES,
	VIEW_ORDERS,
	VIEW_CONTRACTS,
	VIEW_SHIPMENTS,
	VIEW_ORDER,    /* one order: facts, timeline, the actions it allows */
	VIEW_CONTRACT, /* one contract as a document, or its diff */
	VIEW_SHIPMENT, /* one shipment's timeline */
	/* listings.c: her own listings, one of them; rfqs.c: the open RFQs, one of them */
	VIEW_MYLISTINGS,
	VIEW_MYLISTING,
	VIEW_RFQS,
	VIEW_RFQ,
	VIEW_INBOX,     /* inboxview.c: what waits for her */
	VIEW_WALLET,    /* wallet.c */
	VIEW_COUNTER,   /* counter.c: the counter-offer form */
	VIEW_EVENTPICK, /* eventpick.c: a shipment event by DCSA code */
	VIEW_HELP,
	VIEW_N
};

enum ui_action {
	ACT_NONE,
	ACT_QUIT,
	ACT_BACK,
	ACT_TAB_SEARCH, /* one per tab, in enum ui_tab's order: ACT_TAB_SEARCH + tab */
	ACT_TAB_CHAT,
	ACT_TAB_ORDERS,
	ACT_TAB_CONTRACTS,
	ACT_TAB_SHIPMENTS,
	ACT_TAB_INBOX,
	ACT_TAB_LISTINGS,
	ACT_TAB_RFQS,
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
	ACT_EDITOR,    /* live: compose in $EDITOR (editor.c) */
	ACT_TRANSLATE, /* live: translations beside messages (translate.c) */
	ACT_REDRAW,
	ACT_PAY, /* orders.c: the order actions, each asked and confirmed first */
	ACT_SHIP,
	ACT_CONFIRM,
	ACT_DISPUTE,
	ACT_CANCEL,
	ACT_RATE,
	ACT_SIGN, /* contracts.c */
	ACT_DIFF,
	ACT_MESSAGE, /* search.c: the listing's supplier, asked on the prompt row as above */
	ACT_QUOTE,
	ACT_PROPOSE,
	ACT_IMAGES,   /* images.c: the listing's pictures, fetched when asked */
	ACT_SUPPLIER, /* the listing's supplier: profile, factory, attestation */
	ACT_FETCH,    /* the signed listing, fetched when asked (a pull brings summaries) */
	ACT_WALLET,   /* wallet.c, from Orders and the Inbox */
	ACT_WITHDRAW, /* wallet.c: money out of the wallet, asked and confirmed first */
	ACT_COUNTER,  /* counter.c, from the contract view */
	ACT_EVENT,    /* eventpick.c, from the order view */
	ACT_EDIT,     /* listings.c: her listing's price and tiers */
	ACT_PAUSE,    /* listings.c: pause or resume her listing */
	ACT_STOCK,    /* listings.c: say her listing's stock, or each variant's */
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
	char translate_lang[16];  /* `set translate-lang`; "": the account's language, $LANG, en */
	int sync_interval;        /* `set sync-interval` seconds; 0: only on events and writes */
	int sync_timeout;         /* `set sync-timeout` seconds a background sync may take */
	char currency[4];         /* `set currency`: listing import's for files without one */
	int image_cache_mb;       /* `set image-cache-mb`: the image cache's limit (MiB) */
	int image_protocol;       /* `set image-protocol`: enum picture_allow (picture.h) */
	char notify_cmd[1024];    /* `set notify-command` (notify.h); "" none */
	int notify_text;          /* `set notify-text yes`: message text in the summary */
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
 * is pushed on out with indent in front (indent counts in width), and a paragraph of s that
 * starts with spaces goes on under its first word (where that takes at most half the width).
 * s must be sanitised. */
void ui_wrap(const char *s, int width, const char *indent, struct kstrv *out);

/* --- ask.c: the one y/n and line prompt every view uses --------------------------------
 * One question at a time on the row above the status line; the main loop gives it every
 * key first (ui_ask_key) and draws it (ui_ask_draw). Esc and Ctrl-C give up; a y/n takes
 * only y, n (q, Esc, Ctrl-C: no). A y/n is drawn as "QUESTION (y/n)": pass the question
 * without its keys; a long one fills two rows (ui_ask_fits: whole?), and one still too long
 * loses its middle, never its end or its keys. Strings are
 * copied; arg is the caller's and must live until done is called. done is called once,
 * after the question has ended (it may ask the next one), and also when it is given up
 * (yes 0, text NULL) — by a key, by a new question, or by ui_ask_free. Example:
 *     static void quit_answer(struct ui *u, int yes, void *arg) { if (yes) u->quit = 1; }
 *     ui_ask_yn(u, "Quit kontor?", quit_answer, NULL);
 *     static void price_typed(struct ui *u, const char *text, void *arg) {
 *         if (!text) return;                               // given up
 *         if (bad(text)) { ui_ask_retry(u, "a price: 12.50", text); return; } // asked again
 *         ...run the command (ui_run_command) ...
 *     }
 *     ui_ask_line(u, "price: ", "12.00", price_typed, my_state); */
struct ui;
typedef void (*ui_ask_yn_fn)(struct ui *u, int yes, void *arg);
typedef void (*ui_ask_line_fn)(struct ui *u, const char *text, void *arg); /* NULL: gave up */
void ui_ask_yn(struct ui *u, const char *question, ui_ask_yn_fn done, void *arg);
/* Whether a y/n question fits the two prompt rows whole, its keys too, at this width. */
int ui_ask_fits(const char *question);
/* A line of text after label ("price: "); initial (may be NULL) is put in to edit. */
void ui_ask_line(struct ui *u, const char *label, const char *initial, ui_ask_line_fn done,
                 void *arg);
/* From a line's done: asks the same line again with text in it and why above it. */
void ui_ask_retry(struct ui *u, const char *why, const char *text);
/* A form: fields one by one, each checked as its kind, then a y/n made from the answers.
 * ui_ask_form begins it (act: the caller's tag, target: what it acts on, copied), then
 * ui_ask_field for each field, then ui_ask_form_go. question writes the y/n (without its
 * keys) into q; NULL runs at once after the last field. run gets the answers on y; they
 * are freed after it returns. */
#define UI_ASK_MAX 6
#define UI_ASK_ID 48
enum ui_ask_kind {
	ASK_TEXT,     /* needed */
	ASK_OPTIONAL, /* Enter skips */
	ASK_STARS,    /* 1-5 */
	ASK_MODE,     /* sea air road rail courier; Enter: sea */
	ASK_QTY,      /* a whole number, at least min (a listing's MOQ) */
	ASK_INCOTERM, /* an Incoterms 2020 rule, in capitals; Enter: FOB */
	ASK_VARIANT,  /* a variant of the listing the form targets, by its options or SKU: the
	               * answer is its SKU */
	ASK_PRICE,    /* a unit price: AMOUNT in the currency of the listing the form targets,
	               * or AMOUNT CUR; the answer is "AMOUNT CUR"; Enter: "" (the listing's) */
};
struct ui_ask_form {
	int act;                /* the caller's tag, e.g. an enum ui_action */
	char target[UI_ASK_ID]; /* what it acts on */
	char *v[UI_ASK_MAX];    /* the answers, trimmed ("" for a skipped optional one) */
	int n;
	int64_t min; /* ASK_QTY's least */
};
typedef void (*ui_ask_form_fn)(struct ui *u, const struct ui_ask_form *f);
typedef void (*ui_ask_form_question_fn)(struct ui *u, const struct ui_ask_form *f, char *q,
                                        size_t cap);
void ui_ask_form(struct ui *u, int act, const char *target);
void ui_ask_field(struct ui *u, const char *label, enum ui_ask_kind kind, int64_t min);
/* What Enter takes for the field added last, where its kind has a default (ASK_MODE: "sea",
 * ASK_INCOTERM: "FOB"): the order's contract's mode, say. */
void ui_ask_default(struct ui *u, const char *value);
void ui_ask_form_go(struct ui *u, ui_ask_form_question_fn question, ui_ask_form_fn run);
/* An outcome in full on the prompt row (the status line clips at 80 columns) until the next
 * key that does something. */
void ui_ask_note(struct ui *u, const char *text);
/* Whether such an outcome is on the prompt row now (the status line then leaves it out). */
int ui_ask_noting(const struct ui *u);
/* For the main loop: a question is open; it takes this key (1); it draws at row y (the
 * cursor's column, -1 for none); give it up (done with no); free it (at exit). */
int ui_ask_open(const struct ui *u);
int ui_ask_key(struct ui *u, int key);
int ui_ask_draw(struct ui *u, int y);
void ui_ask_cancel(struct ui *u);
void ui_ask_free(struct ui *u);

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
	/* The view's own keys: called first with every action on it; 1 when it took the
	 * action (the main loop then does nothing more), 0 to leave it to the main loop. */
	int (*action)(struct ui *u, enum ui_action act);
	void (*free)(struct ui *u); /* frees the view's private state (priv); may be NULL */
	/* The cache changed (a sync, a command run): read it again. ui_reload calls it for a
	 * range of views, in the table's order; may be NULL. */
	void (*reload)(struct ui *u);
	/* Shows this view on what id names (ui_open); 0 when it is not there. May be NULL. */
	int (*open_id)(struct ui *u, const char *id);
	/* The line typed for this view, on Enter: the Search tab's query (u->query), a message
	 * after the compose key (i). NULL: the view takes none. */
	void (*typed)(struct ui *u, const char *text);
	void (*start)(struct ui *u); /* the first read, as the TUI starts; may be NULL */
	/* The first row when there are none, said now (the Search tab's names the scope);
	 * NULL: empty above. */
	void (*empty_row)(struct ui *u, struct kbuf *out);
};
extern const struct ui_view_ops ui_view_ops[];

struct ui_view {
	const struct ui_view_ops *ops;
	int n, cur, top;    /* rows, selected row, first row shown */
	struct kstrv lines; /* text views: the lines, built for `built_width` */
	int built_width;
	void *priv; /* the view's own state, made and freed by its file (ops->free) */
};

struct ui {
	struct ctx *c;
	struct store *s;
	int tab;
	int tab_view[TAB_N];
	int help; /* over the view: 1 the keys (?), 2 the last `:` command's output (run.c) */
	/* What the last `:` command printed, whole, when it was more than one line (run.c); its
	 * command line in output_cmd. The status line shows only the first line. */
	struct kbuf output, output_cmd;
	int from_prompt; /* ui_run_command is running what the `:` prompt read */
	struct ui_view views[VIEW_N];
	/* ui_back_from: view, shown in tab back_in, was opened from tab back_tab (-1: none) */
	int back_tab, back_in, back_view;
	int dirty;
	int row_a, row_b; /* DIRTY_ROWS: the two rows that changed */
	int too_small;
	int small_ask; /* the question open was asked on the too-small screen (quit's) */
	/* colours or, without them, attributes: slot[] from the theme; a_* name some */
	attr_t slot[SLOT_N];
	attr_t a_sel, a_status, a_tab, a_tab_on, a_head, a_dim;
	struct ui_config *cfg; /* the config in force (owned) */
	/* prompt */
	enum ui_prompt prompt;
	struct ui_line query, line;
	struct kbuf query_saved; /* the query before `/`, for Esc */
	struct ui_ask *ask; /* ask.c: the question on the prompt row (owned, NULL until asked) */
	/* status line */
	struct kbuf msg;    /* the message on the left */
	int msg_tab;        /* the tab the message is a word of (its count), -1: news or a reply */
	struct kbuf status; /* last drawn, to repaint only on change */
	const char *tab_hint; /* the tab bar's hint when the bar had no room for it ("? help
	                       * : command"): the status line shows it while no message does */
	struct kbuf tmp;
	/* live.c: the background sync; translate.c: `t` */
	struct ui_live *live;
	int translate;
	/* script mode */
	FILE *script;
	int quit;
};

/* views.c, the seam: a view reached through the table. ui_open shows view on what id
 * names (its ops->open_id; 0 when it is not there or the view opens nothing by id);
 * ui_reload reads the cache again for views first..last (their ops->reload, in order). */
int ui_open(struct ui *u, int view, const char *id);
void ui_reload(struct ui *u, int first, int last);

/* core.c: what every view uses; it calls no view. ui_say puts a message (sanitised) on the
 * status line; the body's first row and its rows; a view's rows (its cursor and scroll kept
 * inside them); ui_view_build rebuilds a text view for the screen's width (ops->build). */
void ui_say(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* ui_say of a word of the tab's own (its count): showing another tab takes it off */
void ui_say_of(struct ui *u, int tab, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ui_vsay(struct ui *u, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
struct ui_view *ui_cur_view(struct ui *u);
int ui_body_y(struct ui *u);
int ui_body_rows(struct ui *u);
void ui_view_set_rows(struct ui *u, struct ui_view *v, int n);
void ui_view_build(struct ui *u, int view);
/* A row opened: view shown in tab from its top, built for the screen (ops->build). */
void ui_view_show(struct ui *u, int tab, int view);
/* A row opened: its id copied into open (cap bytes: what view shows), view shown in tab. */
void ui_view_show_id(struct ui *u, int tab, int view, char *open, size_t cap, const char *id);
/* A list read again: view rebuilt when tab shows it, and the screen redrawn. */
void ui_view_refresh(struct ui *u, int tab, int view);
/* A form over the tab shown (counter, event): view in place of its view, n rows, from the
 * first. q goes back to its ops->parent. */
void ui_view_over(struct ui *u, int view, int n);
/* A text view about to be built for width: its lines emptied, the width noted; NULL (and
 * nothing done) when id, what it shows, is "". */
struct ui_view *ui_build_begin(struct ui *u, int view, const char *id, int width);
/* What a store walk that fills a view's rows carries: the TUI and the room its array has
 * (ui_grow). A walk that adds its rows by ui_walk_row says their size and where a row's id
 * is (a string of id_cap bytes, id_at bytes in); the rows it read are then rows, n of them. */
struct ui_walk {
	struct ui *u;
	int cap;
	size_t size, id_at, id_cap;
	void *rows; /* the caller's once the walk is over (free) */
	int n;
};
/* Room for row n in an array of size-byte rows with room for *cap: grown (doubled, 16
 * first) when full, row n zeroed. Returns the array, which may have moved. */
void *ui_grow(void *rows, int n, int *cap, size_t size);
/* A walked object with id as the walk's next row: grown into w->rows (ui_grow), zeroed, id
 * cleaned into it (ui_clean_to) and counted in w->n. Returns the row, valid until the next
 * call; NULL, and no row, when id is NULL. */
void *ui_walk_row(struct ui_walk *w, const char *id);
/* A list read again keeps its cursor on the row it was on. Rows are n of size bytes, each
 * with its id a string id_at bytes in. Before: ui_rows_keep copies the id under the cursor
 * into keep ("" when none). After: ui_rows_settle sorts the new rows by cmp (NULL: as read),
 * puts the cursor on keep's row when it is still there, sets the view's rows and says err
 * (the reading's error; NULL or "" when none). */
void ui_rows_keep(const struct ui_view *v, const void *rows, int n, size_t size, size_t id_at,
                  char *keep, size_t cap);
void ui_rows_settle(struct ui *u, struct ui_view *v, void *rows, int n, size_t size, size_t id_at,
                    int (*cmp)(const void *, const void *), const char *keep, const char *err);
/* Draws a head row: text clipped to the width in attr. */
void ui_head_row(struct ui *u, int y, const char *text, attr_t attr);
/* Appends s clipped to cols columns as text_clip does, but a cut ends with "…" in the
 * last column it has (never wider than cols, wide characters whole); padded when pad is
 * set. Returns the columns used. Every cell of a list, a head row and a row's last column
 * is cut this way, so that a cut shows. */
size_t ui_clip(struct kbuf *out, const char *s, int cols, int pad);
/* Appends s clipped to cols-1 columns (ui_clip), padded, and a space: a column of a list
 * row. */
void ui_col(struct kbuf *line, const char *s, int cols);
/* ui_col for a product: cut before its variant ("Quạt mây… (Cỡ: Lớn)", "Đèn… (Lớn)"), which
 * tells two orders of one product apart (text_clip_tail); marked as ui_clip where no variant
 * can be kept. The Orders, Contracts and Shipments lists share it. */
void ui_col_product(struct kbuf *line, const char *s, int cols);
/* An amount as the lists show it: "740,000,000 VND" in the person's grouping (money_text),
 * "?" with no currency or below 0. */
#define UI_MONEY_MAX (MONEY_FMT_MAX + 8)
void ui_money(int64_t minor, const char *cur, char out[UI_MONEY_MAX]);
/* Puts view's cursor on row i (in sight), so the list shows the row just opened. */
void ui_view_cursor(struct ui *u, int view, int i);
/* view, about to be shown in tab from the tab shown now (the Inbox's Enter): q on it goes
 * back to the tab shown now rather than to tab's list; a tab changed by a key forgets it. */
void ui_back_from(struct ui *u, int tab, int view);
/* The key bound to act in view now (a config may have moved it), else dflt. */
void ui_key_of(const char *view, enum ui_action act, const char *dflt, char *out, size_t cap);
/* Whether her own account says she is a supplier (not a buyer, nor both): the empty trade
 * tabs say where a seller's orders come from. */
int ui_self_supplier(struct ui *u);
/* The Orders and Contracts tabs with none yet, said for a buyer or for a supplier. */
void ui_orders_empty(struct ui *u, struct kbuf *out);
void ui_contracts_empty(struct ui *u, struct kbuf *out);
/* "2026-11-25T09:12:00Z" -> "2026-11-25 09:12 UTC" (sanitised; "-" when absent). */
void ui_local_time(const char *at, char *out, size_t cap);
/* A display name from the cached Account (sanitised), else the id cut short. Caller frees. */
char *ui_account_name(struct ui *u, const char *id);
/* Text from elsewhere, sanitised: a copy (caller frees; "" for NULL), or into out (cap
 * bytes, cut there). */
char *ui_clean(const char *s);
void ui_clean_to(char *out, size_t cap, const char *s);
/* A detail view's "Label       value" line: the label padded to label_cols, "-" for an empty
 * or NULL value, sanitised and wrapped to width onto lines. */
void ui_field(struct kstrv *lines, int label_cols, const char *label, const char *value, int width);
/* A timeline's line: indent, the local time when ("2026-12-07 14:21 +0530") in a column of
 * 20 or its width, two blanks, then what happened, which goes on under itself. */
void ui_time_field(struct kstrv *lines, const char *indent, const char *when, const char *what,
                   int width);
/* A byte count as people read it: "512 B", "3.4 KiB", "1.2 MiB" (the TUI and the CLI). */
void ui_bytes(uint64_t n, char *out, size_t cap);
/* ask.c: ui_say, and the same words on the prompt row until the next key that does
 * something. */
void ui_say_note(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* run.c: commands and the identity. What a command run from the TUI did: its status, its
 * error and its result (cmd.h). */
struct ui_ran {
	int rc;
	struct kerr e;
	char type[24], id[128], state[32], error_type[40];
};
/* Runs one batch command through the table, its output kept from the terminal (ctx's out
 * and err point at a buffer, in at /dev/null); its result's sentence, else the first line it
 * printed, or its error, goes to the status line; then every view reads the cache again
 * (ui_live_reload). ran (may be NULL) gets what it did. Returns its kstatus. */
int ui_run_command(struct ui *u, int argc, char **argv, struct ui_ran *ran);
/* Loads the identity, leaving curses for a passphrase prompt when one is needed. */
int ui_identity(struct ui *u, struct kerr *e);
/* The key is encrypted and not open yet: a passphrase would be asked. */
int ui_key_locked(struct ui *u);

/* draw.c: the screen, repainting what u->dirty says changed. */
void ui_draw(struct ui *u);
/* Writes the screen as plain text (one line a row, trailing spaces cut) to path. */
int ui_dump(const char *path);

/* search.c: results and one listing */
void ui_search_run(struct ui *u);
void ui_search_typed(struct ui *u, const char *text); /* Enter on the query: runs it */
void ui_search_shown(struct ui *u);
/* The next page of the same results, when there is one. */
void ui_search_more(struct ui *u);
void ui_search_head(struct ui *u, int y);
void ui_results_row(struct ui *u, int i, struct kbuf *out, int width);
void ui_results_empty(struct ui *u, struct kbuf *out);
void ui_results_open(struct ui *u, int i);
void ui_results_reload(struct ui *u); /* keeps the cursor; not under a query being typed */
void ui_listing_build(struct ui *u, int width);
void ui_listing_reload(struct ui *u);
/* The listing view's head: its id and the keys it offers (m message · Q quote · ...). */
void ui_listing_title(struct ui *u, struct kbuf *out);
/* The listing view's ops->action: m, Q, P asked (ask.c) and run; i, s. 1 when taken. */
int ui_listing_action(struct ui *u, enum ui_action act);
/* images.c: the image view over images (blob ids or URLs) of what title names, fetched when
 * opened; type, id and prop say where the node keeps their sizes (cmd_picture_sizes). Holds
 * the keyboard until q. ui_images_listing: a listing's, fetched whole first if a summary. */
void ui_images_show(struct ui *u, const char *title, const struct kstrv *images, const char *type,
                    const char *id, const char *prop);
void ui_images_listing(struct ui *u, const char *listing_id);
/* The supplier view: an account's profile, its factory profile and the node's attestation,
 * with i for the factory photos. */
void ui_supplier_show(struct ui *u, const char *account_id);
/* live.c: bytes fetched outside a sync (images) counted in the status line's total. */
void ui_live_count(struct ui *u, uint64_t bytes);
void ui_search_free(struct ui *u);

/* chat.c: conversations, one conversation, sending */
void ui_chats_load(struct ui *u);
void ui_chats_title(struct ui *u, struct kbuf *out);
void ui_chats_row(struct ui *u, int i, struct kbuf *out, int width);
int ui_messages_open(struct ui *u, const char *conv_id); /* 0: the key is locked */
void ui_chats_open(struct ui *u, int i);
void ui_messages_title(struct ui *u, struct kbuf *out);
void ui_messages_build(struct ui *u, int width);
void ui_messages_reload(struct ui *u);
/* The conversation view's ops->action: E (the editor), t (translations). */
int ui_messages_action(struct ui *u, enum ui_action act);
void ui_chat_send(struct ui *u, const char *text); /* its ops->typed */
void ui_chat_free(struct ui *u);

/* help: the key table as lines */
void ui_help_build(struct ui *u, int width);

/* script.c: KONTOR_UI_SCRIPT. The next key (or -1 at the end); runs :dump, :sleep and
 * :quit lines itself. */
int ui_script_next(struct ui *u);

/* orders.c, contracts.c, shipments.c: the Orders, Contracts and Shipments tabs, read from
 * the cached Order and Contract objects; every action runs the batch command through
 * ui_run_command, asked for and confirmed on the prompt row first. */
#define UI_TRADE_ID 48
struct trade_order {
	char id[UI_TRADE_ID], contract_id[UI_TRADE_ID];
	char *peer;     /* the counterparty's display name or short id, sanitised */
	char *product;  /* the first item's title, "+N more" after it; sanitised, owned */
	int buyer;      /* we are its buyer (else its seller) */
	char state[20]; /* the node's word, checked against the known states */
	char shown[32]; /* the state in words, with the share paid while some is to pay */
	char currency[4];
	int64_t total;
	int rank;      /* 0 waits for us, 1 waits for them, 2 over */
	char next[64]; /* the next step in words: "pay", "wait for delivery" */
	int seq;       /* the cache's order (newest first), to keep it within a rank */
	/* the shipment: the Order's "shipment", else the contract's shipped section */
	int shipped;
	char *carrier, *tracking, *mode, *last; /* sanitised; NULL when unknown */
	char eta[24];                           /* "2026-12-01 14:00 UTC", "" when none */
	char cancel_by[8]; /* a cancellation after funding asked by "buyer"/"seller", or "" */
	char ship_by[11];  /* the contract's ship-by day, "" when not known */
};
struct trade_contract {
	char id[UI_TRADE_ID];
	char *peer;        /* sanitised */
	char *product;     /* as trade_order's */
	const char *state; /* "offer waiting for me", "waiting for them", "binding", ... */
	int rank, seq;
	char currency[4];
	int64_t total; /* -1 when the terms cannot be read */
	char updated[24];
};
struct ui_trade {
	struct trade_order *orders;
	int norders;
	int *ships; /* indexes into orders of those with a shipment */
	int nships;
	int ships_eta; /* one of them has an ETA (the Shipments list's ETA column, per load) */
	int state_w, next_w; /* the Orders list's state and next columns, as its words need */
	int total_w;         /* the Orders list's totals, the widest ("740,000,000 VND") */
	int kstate_w;        /* the Contracts list's state column, as its words need */
	int ktotal_w;        /* the Contracts list's totals, the widest */
	struct trade_contract *contracts;
	int ncontracts;
	struct inbox_queued *queued; /* while the orders load: steps the outbox holds */
	size_t nqueued;
	char order_id[UI_TRADE_ID], contract_id[UI_TRADE_ID], ship_id[UI_TRADE_ID];
	char order_actions[256];  /* the order view's second head row */
	char contract_check[600]; /* the contract view's second head row */
	int contract_ok, diff;
	/* an action queued for the background sync: its outcome is said once the outbox
	 * shows it gone (done) or refused; said[] waits for the next head drawn */
	char pending_word[16], pending_target[UI_TRADE_ID], pending_contract[UI_TRADE_ID];
	int pending_sign; /* what pending_contract names: 0 an order's contract, 1 a contract,
	                   * 2 a message (sent once the outbox no longer holds it) */
	char said[600];
};
/* The three tabs' state (the lists, the one open of each, a queued action), in the Orders
 * view's priv: made on first use by ui_trade, freed by its ops->free (ui_trade_free). */
struct ui_trade *ui_trade(struct ui *u);
/* Re-reads the three tabs from the cache and rebuilds an open order, contract or
 * shipment (their ops->reload, through ui_reload): on showing a tab, after an action. */
void ui_trade_reload(struct ui *u);
void ui_trade_free(struct ui *u);
/* An action queued for the background sync: its outcome (word: "pay") is said once the
 * outbox shows it gone or refused. sign: what contract names, as pending_sign. */
void ui_trade_queued(struct ui *u, const char *word, const char *target, const char *contract,
                     int sign);
/* The state of the contract id in the Contracts list, in words; NULL when not listed. */
const char *ui_trade_contract_state(struct ui *u, const char *id);
/* The order view's ops->action: p s c D x r, refused with the rules' reason or asked. */
int ui_order_action(struct ui *u, enum ui_action act);
/* Runs an order or contract action as the batch command with its answers v (may be NULL
 * when it has none) and says its outcome; a queued one is said again once sent. */
void ui_trade_run(struct ui *u, enum ui_action act, const char *target, char *const *v);
/* orders.c: the tab and one order; helpers the other two share */
void ui_order_reload(struct ui *u);
int ui_order_open_id(struct ui *u, const char *id);
void ui_orders_head(struct ui *u, int y);
void ui_orders_row(struct ui *u, int i, struct kbuf *out, int width);
void ui_orders_open(struct ui *u, int i);
void ui_order_head(struct ui *u, int y);
void ui_order_build(struct ui *u, int width);
void ui_orders_load(struct ui *u);
/* Says the outcome of a queued action once a reload found it (each head calls it). */
void ui_trade_head_said(struct ui *u);
/* contracts.c */
void ui_contracts_load(struct ui *u);
void ui_contracts_head(struct ui *u, int y);
void ui_contracts_row(struct ui *u, int i, struct kbuf *out, int width);
void ui_contracts_open(struct ui *u, int i);
void ui_contract_head(struct ui *u, int y);
void ui_contract_build(struct ui *u, int width);
void ui_contract_reload(struct ui *u);
int ui_contract_open_id(struct ui *u, const char *id);
/* The contract view's ops->action: S signs (asked first), d shows the changes. */
int ui_contract_action(struct ui *u, enum ui_action act);
/* shipments.c */
void ui_shipments_head(struct ui *u, int y);
void ui_shipments_row(struct ui *u, int i, struct kbuf *out, int width);
void ui_shipments_open(struct ui *u, int i);
void ui_shipment_title(struct ui *u, struct kbuf *out);
void ui_shipment_build(struct ui *u, int width);
void ui_shipment_reload(struct ui *u);
/* The shipment's timeline lines, most recent first, into lines (orders.c shares it). */
void ui_shipment_lines(const cJSON *shipment, const char *indent, int width, struct kstrv *lines);

/* listings.c: the Listings tab, her own listings (e price, p pause/resume, Enter opens);
 * rfqs.c: the RFQs tab, the open RFQs, hers first (Q quotes: a contract proposal). */
void ui_mylistings_head(struct ui *u, int y);
void ui_mylistings_row(struct ui *u, int i, struct kbuf *out, int width);
void ui_mylistings_open(struct ui *u, int i);
void ui_mylistings_shown(struct ui *u);
int ui_mylistings_action(struct ui *u, enum ui_action act);
void ui_mylistings_free(struct ui *u);
void ui_mylisting_title(struct ui *u, struct kbuf *out);
void ui_mylisting_build(struct ui *u, int width);
int64_t ui_listing_moq_price(const struct listing *l); /* the unit price at its MOQ */
void ui_rfqs_head(struct ui *u, int y);
void ui_rfqs_row(struct ui *u, int i, struct kbuf *out, int width);
void ui_rfqs_open(struct ui *u, int i);
void ui_rfqs_shown(struct ui *u);
int ui_rfqs_action(struct ui *u, enum ui_action act);
void ui_rfqs_free(struct ui *u);
int ui_rfq_open_id(struct ui *u, const char *id); /* the Inbox's Enter; 0: not listed */
void ui_rfq_title(struct ui *u, struct kbuf *out);
void ui_rfq_build(struct ui *u, int width);

/* live.c: sync in a worker thread with its own store and network handles, GET /events
 * held open while online, translations fetched off the main thread. The main loop waits on
 * the keyboard and the worker's pipe; the worker never touches curses. */
struct ui_live;
/* Starts the worker when a node is set (no node: nothing to do, and no error). */
void ui_live_start(struct ui *u);
/* Stops it: transfers are aborted, the threads joined. */
void ui_live_stop(struct ui *u);
int ui_live_active(const struct ui *u);
/* A sync now (a write was queued, `:sync`). */
void ui_live_kick(struct ui *u);
/* `:sync` typed in the TUI: 1 when the worker took it (it says so on the status line),
 * 0 when there is no worker (the batch command runs instead). */
int ui_live_sync_command(struct ui *u);
/* Waits up to ms for a key or word from the worker; 1 when the worker spoke (then call
 * ui_live_poll), 0 otherwise (a key may be there). */
int ui_live_wait(struct ui *u, int ms);
/* Takes the worker's news: status, reloads after a sync that changed something, arrived
 * translations. */
void ui_live_poll(struct ui *u);
/* The right part of the status line: node, sync state, queue, bytes this session.
 * *bytes_at (may be NULL) gets where in out the bytes part begins, (size_t)-1 when none. */
void ui_live_status(struct ui *u, struct kbuf *out, size_t *bytes_at);
/* Every view reads the cache again (after another connection wrote it): their
 * ops->reload through ui_reload; the message line is kept. */
void ui_live_reload(struct ui *u);
/* Asks the worker to translate text to lang (hash names it); 0 when queued. done is called
 * on the main thread (ui_live_poll) with hash and the error, NULL when it is in the cache. */
typedef void (*ui_translated_fn)(struct ui *u, const char *hash, const char *error);
int ui_live_translate(struct ui *u, const char *url, const char *lang, const char *hash,
                      const char *text, ui_translated_fn done);

/* editor.c: a message written in $VISUAL/$EDITOR: its text (caller frees), NULL when there
 * is none to send (the status line says why). */
char *ui_compose_editor(struct ui *u);

/* translate.c: `t` in a conversation; the lines under a message's text while it is on (text
 * may be NULL: none). */
void ui_translate_toggle(struct ui *u);
void ui_translate_lines(struct ui *u, const char *text, int width, struct kstrv *out);
/* The target language: translate-lang, the account's first language, $LANG, "en". */
void ui_translate_lang(struct ui *u, char out[16]);

/* inboxview.c: the Inbox tab (inbox.h's list); wallet.c: the wallet view; counter.c: `c`
 * on a contract waiting for her; eventpick.c: `e` on a shipped order. Each runs the real
 * command through ui_run_command and asks through ask.c. */
void ui_inbox_load(struct ui *u);
void ui_inbox_first(struct ui *u); /* at start: the Inbox shown when anything waits */
void ui_inbox_head(struct ui *u, int y);
void ui_inbox_row(struct ui *u, int i, struct kbuf *out, int width);
void ui_inbox_open(struct ui *u, int i);
void ui_inbox_shown(struct ui *u);
void ui_inbox_free(struct ui *u);
void ui_wallet_show(struct ui *u);
int ui_wallet_open_id(struct ui *u, const char *id);         /* ui_open: id unused; 1 */
int ui_wallet_key(struct ui *u, enum ui_action act);         /* w (ACT_WALLET): the wallet view */
void ui_wallet_balance(struct ui *u, char *out, size_t cap); /* "balance 1,150.00 USD", "" */
void ui_wallet_title(struct ui *u, struct kbuf *out);
void ui_wallet_build(struct ui *u, int width);
void ui_wallet_shown(struct ui *u);
void ui_wallet_more(struct ui *u);
int ui_wallet_action(struct ui *u, enum ui_action act);
void ui_wallet_free(struct ui *u);
int ui_counter_start(struct ui *u, const char *contract_id); /* 0: refused, said why */
void ui_counter_head(struct ui *u, int y);
void ui_counter_row(struct ui *u, int i, struct kbuf *out, int width);
void ui_counter_open(struct ui *u, int i);
void ui_counter_free(struct ui *u);
/* Whether `e` adds a shipment event to o: she is its seller and it is shipped. */
int ui_order_takes_event(const struct trade_order *o);
/* o's goods from its contract, "Goods" labelled in cols columns, an item a row, onto lines. */
void ui_order_goods(struct ui *u, const struct trade_order *o, int cols, int width,
                    struct kstrv *lines);
int ui_eventpick_start(struct ui *u, const char *order_id); /* 0: refused, said why */
void ui_eventpick_head(struct ui *u, int y);
void ui_eventpick_row(struct ui *u, int i, struct kbuf *out, int width);
void ui_eventpick_open(struct ui *u, int i);
void ui_eventpick_free(struct ui *u);

#endif
