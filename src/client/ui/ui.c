/* ui — `kontor tui`: the main loop, the layout (tabs, the view's head, its body, the status
 * line) and repainting only what changed. Views are lists or wrapped text; both scroll the
 * same way. Leaves curses on every way out, signals included. */
#include "ui.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kontor/crypto.h"
#include "kontor/text.h"

#define MIN_COLS 80
#define MIN_LINES 24
#define STATUS_TICK_MS 15000

static volatile sig_atomic_t ui_stop, ui_intr;

/* SIGTERM and SIGHUP end the TUI; SIGINT (Ctrl-C) is a key: it gives up the line or the
 * question open, and on a list asks whether to quit. */
static void on_stop(int sig)
{
	if (sig == SIGINT)
		ui_intr = 1;
	else
		ui_stop = sig;
}

void ui_say(struct ui *u, const char *fmt, ...)
{
	struct kbuf raw = KBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	kbuf_vprintf(&raw, fmt, ap);
	va_end(ap);
	kbuf_reset(&u->msg);
	/* messages carry text from commands and the network: never let it drive the terminal */
	text_sanitize(&u->msg, kbuf_str(&raw), raw.len, 0);
	kbuf_free(&raw);
	u->dirty |= DIRTY_STATUS;
}

struct ui_view *ui_cur_view(struct ui *u)
{
	return &u->views[u->help ? VIEW_HELP : u->tab_view[u->tab]];
}

static int head_rows(struct ui *u)
{
	return ui_cur_view(u)->ops->head_rows;
}

int ui_body_y(struct ui *u)
{
	return 1 + head_rows(u);
}

int ui_body_rows(struct ui *u)
{
	int h =
	    LINES - 1 - ui_body_y(u) - (u->prompt == PROMPT_COMMAND || u->prompt == PROMPT_COMPOSE);
	return h < 1 ? 1 : h;
}

void ui_view_set_rows(struct ui *u, struct ui_view *v, int n)
{
	v->n = n;
	/* the rows this view gets when shown, which need not be the view shown now */
	int h = LINES - 2 - v->ops->head_rows -
	        (u->prompt == PROMPT_COMMAND || u->prompt == PROMPT_COMPOSE);
	if (h < 1)
		h = 1;
	if (v->ops->selectable) {
		if (v->cur >= n)
			v->cur = n ? n - 1 : 0;
		if (v->cur < 0)
			v->cur = 0;
		if (v->top > v->cur)
			v->top = v->cur;
		if (v->cur >= v->top + h)
			v->top = v->cur - h + 1;
	} else if (v->top > (n > h ? n - h : 0)) {
		v->top = n > h ? n - h : 0;
	}
	if (v->top < 0)
		v->top = 0;
}

/* --- commands and the identity --------------------------------------------------- */

static int passphrase_prompt_needed(struct ui *u)
{
	struct ctx *c = u->c;
	if (c->have_key || c->passphrase_file || getenv("KONTOR_PASSPHRASE"))
		return 0;
	char path[4096];
	ctx_path(c, "identity.key", path, sizeof path);
	return kcrypto_identity_encrypted(path, NULL) == 1;
}

/* Curses steps aside while ctx asks for the passphrase on the terminal. */
static void leave_curses(void)
{
	def_prog_mode();
	endwin();
}

static void back_to_curses(struct ui *u)
{
	reset_prog_mode();
	clearok(curscr, TRUE);
	u->dirty |= DIRTY_ALL;
}

int ui_identity(struct ui *u, struct kerr *e)
{
	if (u->c->have_key)
		return K_OK;
	int ask = passphrase_prompt_needed(u) && !u->script;
	if (passphrase_prompt_needed(u) && u->script)
		return kerr_set(e, K_EPASS,
		                "the key is locked: give KONTOR_PASSPHRASE or "
		                "--passphrase-file to a scripted run");
	if (ask) {
		leave_curses();
		fputs("kontor: your key opens the messages.\n", stderr);
	}
	int rc = ctx_identity(u->c, e);
	if (ask)
		back_to_curses(u);
	return rc;
}

/* Counts the non-empty lines of text[0..len); the first into *first (malloc'd) if unset. */
static int count_lines(const char *text, size_t len, char **first)
{
	int n = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		while (l && p[l - 1] == '\r')
			l--;
		if (l) {
			if (!*first)
				*first = xstrndup(p, l);
			n++;
		}
		p = nl ? nl + 1 : end;
	}
	return n;
}

int ui_run_command(struct ui *u, int argc, char **argv, struct ui_ran *ran)
{
	struct ctx *c = u->c;
	struct ui_ran mine;
	if (!ran)
		ran = &mine;
	memset(ran, 0, sizeof *ran);
	struct kerr *e = &ran->e;
	if (argc < 1)
		return K_OK;
	if (strcmp(argv[0], "tui") == 0) {
		ui_say(u, "already in the terminal UI");
		return ran->rc = K_EUSAGE;
	}
	/* What a command prints goes to a buffer of ours and what it reads from standard input
	 * is /dev/null: the terminal stays curses', whose descriptors are never touched. What
	 * the command did comes back as its result (cmd.h), not as text to search. */
	char *text = NULL;
	size_t len = 0;
	FILE *sink = open_memstream(&text, &len), *nul = fopen("/dev/null", "re");
	if (!sink || !nul) {
		ui_say(u, "cannot run a command: %s", strerror(errno));
		if (sink)
			fclose(sink);
		if (nul)
			fclose(nul);
		free(text);
		return ran->rc = K_EIO;
	}
	int need = passphrase_prompt_needed(u), ask = need && !u->script;
	const char *old_pf = c->passphrase_file;
	if (ask)
		leave_curses();
	else if (need)
		c->passphrase_file = "/dev/null"; /* a scripted run never waits on a prompt */
	FILE *old_in = c->in, *old_out = c->out, *old_err = c->err;
	c->in = nul;
	c->out = c->err = sink;
	/* With the background sync running a write only queues (as in a batch): the worker
	 * pushes it, so a dead link never holds the screen. */
	int live = ui_live_active(u) && !c->in_batch;
	if (live)
		c->in_batch = 1;
	int rc = cmd_dispatch(c, argc, argv, e);
	if (live) {
		c->in_batch = 0;
		if (rc == K_EQUEUED) {
			snprintf(e->msg, sizeof e->msg, "queued, sending in the background");
			ui_live_kick(u);
		}
	}
	c->in = old_in, c->out = old_out, c->err = old_err;
	c->passphrase_file = old_pf;
	fclose(nul);
	fclose(sink);
	if (ask)
		back_to_curses(u);
	if (need && !ask && rc == K_EPASS)
		kerr_set(e, K_EPASS,
		         "the key is locked: give KONTOR_PASSPHRASE or "
		         "--passphrase-file to a scripted run");
	ran->rc = rc;
	const struct cmd_result *r = &c->res;
	snprintf(ran->type, sizeof ran->type, "%s", r->type);
	snprintf(ran->id, sizeof ran->id, "%s", r->id);
	snprintf(ran->state, sizeof ran->state, "%s", r->state);
	snprintf(ran->error_type, sizeof ran->error_type, "%s", r->error_type);

	/* The status line: the result's sentence, else the first line the command printed
	 * (a list, a note), with how many lines there were in all. */
	char *first = NULL;
	int lines = 0;
	if (r->set && r->text.len)
		lines += count_lines(r->text.data, r->text.len, &first);
	if (r->set)
		lines += count_lines(kbuf_str(&r->more), r->more.len, &first);
	lines += count_lines(text ? text : "", len, &first);
	free(text);
	cmd_result_clear(&c->res); /* read: the TUI prints none of it */
	char more[40] = "";
	if (lines > 1) /* in front: a long first line is clipped at its end */
		snprintf(more, sizeof more, "[%d lines] ", lines);
	if (rc == K_OK)
		ui_say(u, "%s%s", more, first ? first : "done");
	else if (rc == K_EQUEUED)
		ui_say(u, "%s%s — %s", more, first ? first : "saved",
		       e->msg[0] ? e->msg : "queued");
	else
		ui_say(u, "error: %s", e->msg[0] ? e->msg : kstatus_str(rc));
	free(first);
	/* what the command changed shows at once, as after a sync */
	ui_live_reload(u);
	return rc;
}

static void run_prompt_line(struct ui *u, const char *text)
{
	struct cmd_words w = {0};
	struct kerr e = {0};
	if (cmd_split_line(text, strlen(text), &w, &e) != K_OK) {
		ui_say(u, "%s", e.msg);
		return;
	}
	if (w.argc > 0) {
		char **argv = w.argv;
		int argc = w.argc;
		if (strcmp(argv[0], "kontor") == 0) /* what the man page shows works too */
			argv++, argc--;
		if (!(argc == 1 && strcmp(argv[0], "sync") == 0 && ui_live_sync_command(u)))
			ui_run_command(u, argc, argv, NULL);
	}
	cmd_words_free(&w);
}

/* --- drawing -------------------------------------------------------------------- */

/* The tab bar's width with every name (compact 0) or only the current tab's (1). */
static int tabs_width(struct ui *u, int compact)
{
	int w = 0;
	for (int t = 0; t < TAB_N; t++)
		w += compact && t != u->tab ? 4 : 5 + (int)text_width(ui_tabs[t].name);
	return w;
}

/* The tabs: " 1 Search " for each, or at a narrow width the numbers and the current tab's
 * name (" 1  2  3 Orders  4 ..."); the hint on the right as long as it fits. */
static void draw_tabs(struct ui *u)
{
	move(0, 0);
	const char *right = u->help ? "help — q closes " : "? help  : command ";
	int compact = tabs_width(u, 0) + (int)text_width(right) > COLS;
	if (compact && tabs_width(u, 0) + 7 <= COLS)
		compact = 0, right = u->help ? "q closes " : "? help ";
	else if (compact && tabs_width(u, 1) + (int)text_width(right) > COLS)
		right = u->help ? "q closes " : "? help ";
	if (tabs_width(u, compact) + (int)text_width(right) > COLS)
		right = "";
	int x = 0;
	for (int t = 0; t < TAB_N; t++) {
		char label[32];
		if (compact && t != u->tab)
			snprintf(label, sizeof label, " %d ", t + 1);
		else
			snprintf(label, sizeof label, " %d %s ", t + 1, ui_tabs[t].name);
		attrset(t == u->tab && !u->help ? u->a_tab_on : u->a_tab);
		addstr(label);
		attrset(u->a_tab);
		addch(' ');
		x += (int)strlen(label) + 1;
	}
	attrset(u->a_tab);
	for (int rw = (int)text_width(right); x < COLS - rw; x++)
		addch(' ');
	addstr(right);
	attrset(A_NORMAL);
}

static void draw_head(struct ui *u)
{
	const struct ui_view_ops *ops = ui_cur_view(u)->ops;
	if (ops->head) {
		ops->head(u, 1);
		return;
	}
	struct kbuf t = KBUF_INIT, safe = KBUF_INIT;
	ops->title(u, &t);
	text_sanitize(&safe, kbuf_str(&t), t.len, 0); /* ids and names come from the cache */
	kbuf_reset(&u->tmp);
	text_clip(&u->tmp, kbuf_str(&safe), (size_t)COLS, 1);
	attrset(u->a_head);
	mvaddstr(1, 0, kbuf_str(&u->tmp));
	attrset(A_NORMAL);
	kbuf_free(&t);
	kbuf_free(&safe);
}

static void row_text(struct ui *u, struct ui_view *v, int i, struct kbuf *out)
{
	if (i >= v->n)
		text_clip(out, i == 0 ? v->ops->empty : "", (size_t)COLS, 1);
	else if (v->ops->row)
		v->ops->row(u, i, out, COLS);
	else
		text_clip(out, v->lines.v[i], (size_t)COLS, 1);
}

static void draw_row(struct ui *u, int i)
{
	struct ui_view *v = ui_cur_view(u);
	int y = ui_body_y(u) + i - v->top;
	if (i < v->top || i >= v->top + ui_body_rows(u))
		return;
	kbuf_reset(&u->tmp);
	row_text(u, v, i, &u->tmp);
	/* Each view sanitises what it draws; the same sanitiser has the last word here. */
	struct kbuf safe = KBUF_INIT;
	text_sanitize(&safe, kbuf_str(&u->tmp), u->tmp.len, 0);
	kbuf_reset(&u->tmp);
	text_clip(&u->tmp, kbuf_str(&safe), (size_t)COLS, 1);
	kbuf_free(&safe);
	attrset(u->slot[SLOT_LIST]);
	mvaddstr(y, 0, kbuf_str(&u->tmp));
	/* The cursor is a mark in the first column, as neomutt's arrow_cursor: a whole
	 * reversed row costs every cell of two rows per keystroke (about 240 bytes at 100
	 * columns), the mark about 30 — DESIGN §11 allows 200. Rows start with two spaces. */
	if (v->ops->selectable && i == v->cur && i < v->n) {
		attrset(u->a_sel);
		mvaddstr(y, 0, ">");
		attrset(A_NORMAL);
	}
}

static void draw_body(struct ui *u)
{
	struct ui_view *v = ui_cur_view(u);
	int h = ui_body_rows(u);
	for (int i = v->top; i < v->top + h; i++)
		draw_row(u, i);
}

static void draw_status(struct ui *u, int force)
{
	struct kbuf right = KBUF_INIT, line = KBUF_INIT;
	ui_live_status(u, &right); /* node, sync state, queue, bytes (live.c) */
	int rw = (int)text_width(kbuf_str(&right));
	kbuf_puts(&line, " ");
	/* the message, cut to leave two spaces before the status, so the two never run on */
	int room = COLS - 1 - rw - 2;
	text_clip(&line, kbuf_str(&u->msg), (size_t)(room > 0 ? room : 0), 1);
	kbuf_puts(&line, room > 0 ? "  " : "");
	kbuf_puts(&line, kbuf_str(&right));
	if (force || strcmp(kbuf_str(&line), kbuf_str(&u->status)) != 0) {
		kbuf_reset(&u->status);
		kbuf_puts(&u->status, kbuf_str(&line));
		kbuf_reset(&u->tmp);
		text_clip(&u->tmp, kbuf_str(&line), (size_t)COLS, 1);
		attrset(strncmp(kbuf_str(&u->msg), "error", 5) == 0 ? u->slot[SLOT_ERROR]
		                                                    : u->a_status);
		mvaddstr(LINES - 1, 0, kbuf_str(&u->tmp));
		attrset(A_NORMAL);
	}
	kbuf_free(&right);
	kbuf_free(&line);
}

static void draw_too_small(void)
{
	char msg[128];
	snprintf(msg, sizeof msg, "kontor needs at least %dx%d (this terminal is %dx%d)", MIN_COLS,
	         MIN_LINES, COLS, LINES);
	int w = (int)strlen(msg);
	int x = COLS > w ? (COLS - w) / 2 : 0;
	mvaddnstr(LINES / 2, x, msg, COLS);
}

void ui_draw(struct ui *u)
{
	if (u->dirty & DIRTY_ALL) {
		u->too_small = COLS < MIN_COLS || LINES < MIN_LINES;
		erase();
		if (u->too_small) {
			draw_too_small();
			curs_set(0);
			wnoutrefresh(stdscr);
			doupdate();
			u->dirty = 0;
			return;
		}
		/* wrapped text follows the width */
		for (int i = 0; i < VIEW_N; i++) {
			struct ui_view *v = &u->views[i];
			if (v->ops->build && v->built_width != COLS)
				v->ops->build(u, COLS);
			ui_view_set_rows(u, v, v->n);
		}
	}
	if (u->too_small || !u->dirty)
		return;
	int all = u->dirty & DIRTY_ALL;
	if (all)
		draw_tabs(u);
	if (all || (u->dirty & DIRTY_HEAD))
		draw_head(u);
	if (all || (u->dirty & DIRTY_BODY)) {
		draw_body(u);
	} else if (u->dirty & DIRTY_ROWS) {
		draw_row(u, u->row_a);
		draw_row(u, u->row_b);
	}
	if (all || (u->dirty & DIRTY_STATUS))
		draw_status(u, all);
	int cx = -1, cy = -1;
	if (u->prompt == PROMPT_QUERY) {
		cy = 1;
		cx = ui_line_draw(&u->query, "Search: ", cy, COLS, u->slot[SLOT_PROMPT]);
	} else if (u->prompt == PROMPT_COMMAND || u->prompt == PROMPT_COMPOSE) {
		cy = LINES - 2;
		cx = ui_line_draw(&u->line, u->prompt == PROMPT_COMMAND ? ":" : "message: ", cy,
		                  COLS, u->slot[SLOT_PROMPT]);
	}
	if (cy < 0 && (cx = ui_ask_draw(u, LINES - 2)) >= 0)
		cy = LINES - 2; /* a view asks (ask.c) */
	if (cy >= 0) {
		move(cy, cx < COLS ? cx : COLS - 1);
		curs_set(1);
	} else {
		curs_set(0);
	}
	wnoutrefresh(stdscr);
	doupdate();
	u->dirty = 0;
}

int ui_dump(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return K_EIO;
	wchar_t *row = xcalloc((size_t)COLS + 1, sizeof *row);
	char mb[MB_LEN_MAX];
	struct kbuf line = KBUF_INIT;
	int cy, cx;
	getyx(stdscr, cy, cx);
	for (int y = 0; y < LINES; y++) {
		kbuf_reset(&line);
		int n = mvwinnwstr(stdscr, y, 0, row, COLS);
		mbstate_t st;
		memset(&st, 0, sizeof st);
		for (int i = 0; i < n && row[i]; i++) {
			size_t k = wcrtomb(mb, row[i], &st);
			if (k != (size_t)-1)
				kbuf_append(&line, mb, k);
		}
		while (line.len && line.data[line.len - 1] == ' ')
			line.len--;
		fprintf(f, "%.*s\n", (int)line.len, line.data ? line.data : "");
	}
	move(cy, cx);
	kbuf_free(&line);
	free(row);
	return fclose(f) == 0 ? K_OK : K_EIO;
}

/* --- keys ----------------------------------------------------------------------- */

static void move_to(struct ui *u, struct ui_view *v, int target)
{
	int h = ui_body_rows(u);
	if (!v->ops->selectable) {
		int maxtop = v->n > h ? v->n - h : 0;
		if (target > maxtop)
			target = maxtop;
		if (target < 0)
			target = 0;
		if (target != v->top) {
			v->top = target;
			u->dirty |= DIRTY_BODY;
		}
		return;
	}
	if (v->n == 0)
		return;
	if (target >= v->n)
		target = v->n - 1;
	if (target < 0)
		target = 0;
	if (target == v->cur)
		return;
	int old = v->cur;
	v->cur = target;
	if (target < v->top) {
		v->top = target;
		u->dirty |= DIRTY_BODY;
	} else if (target >= v->top + h) {
		v->top = target - h + 1;
		u->dirty |= DIRTY_BODY;
	} else {
		u->row_a = old;
		u->row_b = target;
		u->dirty |= DIRTY_ROWS;
	}
}

static void show_tab(struct ui *u, int tab)
{
	u->help = 0;
	if (tab == u->tab)
		return;
	u->tab = tab;
	struct ui_view *v = ui_cur_view(u);
	if (v->ops->shown)
		v->ops->shown(u);
	u->dirty |= DIRTY_ALL;
}

static void prompt_done(struct ui *u, enum ui_edit r)
{
	enum ui_prompt p = u->prompt;
	struct kbuf text = KBUF_INIT;
	u->prompt = PROMPT_NONE;
	u->dirty |= DIRTY_ALL;
	if (p == PROMPT_QUERY) {
		if (r == EDIT_DONE)
			ui_search_run(u);
		else
			ui_line_set(&u->query, kbuf_str(&u->query_saved)); /* back to what it was */
		return;
	}
	if (r == EDIT_CANCEL)
		return;
	ui_line_utf8(&u->line, &text);
	if (p == PROMPT_COMMAND)
		run_prompt_line(u, kbuf_str(&text));
	else if (p == PROMPT_COMPOSE && text.len)
		ui_chat_send(u, kbuf_str(&text));
	kbuf_free(&text);
}

/* --- quitting ----------------------------------------------------------------- */

static void quit_answer(struct ui *u, int yes, void *arg)
{
	(void)arg;
	if (yes)
		u->quit = 1;
	else
		ui_say(u, "still here");
}

/* Why quitting now would throw work away, into why (empty when it would not): the demo
 * deletes its home when the TUI ends, queued actions wait for a sync that will not come. */
static void quit_loss(struct ui *u, char *why, size_t cap)
{
	const char *demo = getenv("KONTOR_DEMO"), *keep = getenv("DEMO_KEEP");
	int64_t queued = store_outbox_count(u->s);
	why[0] = '\0';
	if (demo && *demo && strcmp(demo, "0") != 0 && !(keep && *keep && strcmp(keep, "0") != 0))
		snprintf(
		    why, cap,
		    "Quit the demo? Its node stops and its files go (DEMO_KEEP=1 keeps them).");
	else if (queued > 0)
		snprintf(why, cap, "Quit? %lld action%s still queued: %s at the next sync.",
		         (long long)queued, queued == 1 ? " is" : "s are",
		         queued == 1 ? "it goes" : "they go");
}

/* q on a top-level list: at once, unless it would throw work away (then asked, saying
 * why); Ctrl-C on a list: always asked. */
static void quit(struct ui *u, int ask)
{
	char why[160];
	quit_loss(u, why, sizeof why);
	if (why[0])
		ui_ask_yn(u, why, quit_answer, NULL);
	else if (ask)
		ui_ask_yn(u, "Quit kontor?", quit_answer, NULL);
	else
		u->quit = 1;
}

/* The key table's name for act ("pay"). */
static const char *action_name(enum ui_action act)
{
	for (const struct ui_keydef *k = ui_keys; k->view; k++)
		if (k->action == act)
			return k->name;
	return "that key";
}

static void handle_key(struct ui *u, int key)
{
	if (key == UI_FKEY(KEY_RESIZE)) {
		u->dirty |= DIRTY_ALL;
		return;
	}
	if (ui_ask_key(u, key)) /* a view's question (ask.c); Ctrl-C gives it up */
		return;
	if (u->prompt != PROMPT_NONE) {
		struct ui_line *l = u->prompt == PROMPT_QUERY ? &u->query : &u->line;
		enum ui_edit r = key == UI_CTRL('c') ? EDIT_CANCEL : ui_line_key(l, key);
		if (r == EDIT_GOING)
			u->dirty |= DIRTY_PROMPT;
		else
			prompt_done(u, r);
		return;
	}
	if (key == UI_CTRL('c')) { /* nothing being typed or asked: quit? */
		quit(u, 1);
		return;
	}
	struct ui_view *v = ui_cur_view(u);
	int h = ui_body_rows(u);
	int pos = v->ops->selectable ? v->cur : v->top;
	enum ui_action act = ui_key_action(v->ops->name, key);
	if (act != ACT_NONE && v->ops->action && v->ops->action(u, act))
		return;
	if (act >= ACT_TAB_SEARCH && act < ACT_TAB_SEARCH + TAB_N) {
		show_tab(u, (int)(act - ACT_TAB_SEARCH));
		u->dirty |= DIRTY_ALL;
		return;
	}
	/* lists that come a page at a time fetch the next before moving past the last */
	if (v->ops->more && (act == ACT_DOWN || act == ACT_PAGE_DOWN || act == ACT_BOTTOM) &&
	    (act == ACT_BOTTOM || pos + (act == ACT_DOWN ? 1 : h) >= v->n - 1))
		v->ops->more(u);
	switch (act) {
	case ACT_NONE:
		break;
	case ACT_QUIT: /* Q: at once, as it says; q and Ctrl-C are the ones that ask */
		u->quit = 1;
		break;
	case ACT_BACK:
		if (u->help) {
			u->help = 0;
		} else if (v->ops->parent >= 0) {
			u->tab_view[u->tab] = v->ops->parent;
			if (ui_cur_view(u)->ops->shown) /* e.g. unread counts changed */
				ui_cur_view(u)->ops->shown(u);
		} else {
			quit(u, 0); /* a top-level list */
		}
		u->dirty |= DIRTY_ALL;
		break;
	case ACT_TAB_SEARCH: /* above */
	case ACT_TAB_CHAT:
	case ACT_TAB_ORDERS:
	case ACT_TAB_CONTRACTS:
	case ACT_TAB_SHIPMENTS:
		break;
	case ACT_TAB_NEXT:
		show_tab(u, (u->tab + 1) % TAB_N);
		u->dirty |= DIRTY_ALL;
		break;
	case ACT_TAB_PREV:
		show_tab(u, (u->tab + TAB_N - 1) % TAB_N);
		u->dirty |= DIRTY_ALL;
		break;
	case ACT_DOWN:
		move_to(u, v, pos + 1);
		break;
	case ACT_UP:
		move_to(u, v, pos - 1);
		break;
	case ACT_PAGE_DOWN:
		move_to(u, v, pos + h);
		break;
	case ACT_PAGE_UP:
		move_to(u, v, pos - h);
		break;
	case ACT_TOP:
		move_to(u, v, 0);
		break;
	case ACT_BOTTOM:
		move_to(u, v, v->n);
		break;
	case ACT_OPEN:
		if (v->ops->open && v->cur < v->n)
			v->ops->open(u, v->cur);
		break;
	case ACT_SEARCH:
		show_tab(u, TAB_SEARCH);
		u->tab_view[TAB_SEARCH] = VIEW_RESULTS;
		ui_line_utf8(&u->query, &u->query_saved); /* kept for Esc */
		u->prompt = PROMPT_QUERY;
		u->dirty |= DIRTY_ALL;
		break;
	case ACT_PROMPT:
		ui_line_clear(&u->line);
		u->prompt = PROMPT_COMMAND;
		u->dirty |= DIRTY_ALL;
		break;
	case ACT_COMPOSE:
		ui_line_clear(&u->line);
		u->prompt = PROMPT_COMPOSE;
		u->dirty |= DIRTY_ALL;
		break;
	case ACT_HELP:
		u->help = 1;
		u->views[VIEW_HELP].top = 0;
		u->dirty |= DIRTY_ALL;
		break;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		u->dirty |= DIRTY_ALL;
		break;
	case ACT_EDITOR:
		ui_compose_editor(u);
		break;
	case ACT_TRANSLATE:
		ui_translate_toggle(u);
		break;
	default: /* a view's own key (its ops->action) bound where that view is not shown */
		ui_say(u, "%s: not in this view (? lists its keys)", action_name(act));
		break;
	}
}

static int read_key(struct ui *u)
{
	wint_t wc;
	int r;
	if (u->script) {
		/* a resize still reaches a scripted run (tests resize the tmux window) */
		wtimeout(stdscr, 0);
		r = wget_wch(stdscr, &wc);
		if (r == KEY_CODE_YES && wc == KEY_RESIZE)
			return UI_FKEY(KEY_RESIZE);
		if (ui_live_wait(u, 0))
			return -2; /* the background sync has news */
		return ui_script_next(u);
	}
	/* A key curses holds already, else the keyboard and the background sync's pipe. */
	wtimeout(stdscr, 0);
	r = wget_wch(stdscr, &wc);
	if (r == ERR) {
		if (ui_live_wait(u, STATUS_TICK_MS))
			return -2;
		wtimeout(stdscr, 100);
		r = wget_wch(stdscr, &wc);
	}
	if (r == ERR)
		return -1;
	if (r == KEY_CODE_YES)
		return UI_FKEY((int)wc);
	return (int)wc;
}

/* A colour of 256 on a terminal with fewer: 8..15 are the bright eight, 16..231 a 6x6x6
 * cube, 232..255 greys; each goes to the nearest of the eight (curses: red 1, green 2,
 * blue 4). */
static short colour_fit(short c, int default_ok, int is_bg)
{
	if (c == UI_COLOR_DEFAULT)
		return default_ok ? -1 : (is_bg ? COLOR_BLACK : COLOR_WHITE);
	if (c < COLORS)
		return c;
	if (c < 16)
		return (short)(c - 8);
	if (c >= 232)
		return c - 232 < 12 ? COLOR_BLACK : COLOR_WHITE;
	int v = c - 16, r = v / 36, g = (v / 6) % 6, b = v % 6;
	return (short)((r >= 2) | ((g >= 2) << 1) | ((b >= 2) << 2));
}

/* The theme's colours, or without colour (NO_COLOR, which wins over any theme, or a
 * monochrome terminal) the attributes of the mono look. */
static void colours(struct ui *u)
{
	const char *nc = getenv("NO_COLOR");
	for (int i = 0; i < SLOT_N; i++)
		u->slot[i] = ui_slots[i].mono;
	if (!(nc && *nc) && has_colors() && start_color() != ERR && COLOR_PAIRS > SLOT_N) {
		int dflt = use_default_colors() == OK;
		for (int i = 0; i < SLOT_N; i++) {
			const struct ui_color *c = &u->cfg->color[i];
			init_pair((short)(i + 1), colour_fit(c->fg, dflt, 0),
			          colour_fit(c->bg, dflt, 1));
			u->slot[i] = COLOR_PAIR(i + 1) | c->attr;
		}
		bkgdset(' ' | u->slot[SLOT_NORMAL]);
	}
	u->a_sel = u->slot[SLOT_CURSOR];
	u->a_status = u->slot[SLOT_STATUS];
	u->a_tab = u->slot[SLOT_TABS];
	u->a_tab_on = u->slot[SLOT_TAB_ACTIVE];
	u->a_head = u->slot[SLOT_TITLE];
	u->a_dim = u->slot[SLOT_DIM];
}

static void ui_init_views(struct ui *u)
{
	for (int i = 0; i < VIEW_N; i++)
		u->views[i].ops = &ui_view_ops[i];
	for (int t = 0; t < TAB_N; t++)
		u->tab_view[t] = ui_tabs[t].root;
}

static int run_tui(struct ctx *c, const struct args *a, struct kerr *e)
{
	if (c->in_batch)
		return kerr_set(e, K_EUSAGE, "tui: not inside a batch (it needs the keyboard)");
	struct ui u;
	memset(&u, 0, sizeof u);
	u.c = c;
	int rc = ctx_store(c, &u.s, e);
	if (!rc)
		rc = ctx_self(c, e);
	if (rc)
		return rc;
	/* The config first: a bad line stops here, before anything is drawn. */
	u.cfg = xmalloc(sizeof *u.cfg);
	ui_config_init(u.cfg);
	if ((rc = ui_config_load(u.cfg, e)) != K_OK) {
		ui_config_free(u.cfg);
		free(u.cfg);
		return rc == K_ENOTFOUND || rc == K_EIO ? kerr_set(e, K_EINVAL, "config %s", e->msg)
		                                        : rc;
	}
	const char *script = getenv("KONTOR_UI_SCRIPT");
	if (script && *script && !(u.script = fopen(script, "r"))) {
		rc = kerr_set(e, K_EIO, "KONTOR_UI_SCRIPT %s: %s", script, strerror(errno));
		ui_config_free(u.cfg);
		free(u.cfg);
		return rc;
	}
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		if (u.script)
			fclose(u.script);
		ui_config_free(u.cfg);
		free(u.cfg);
		return kerr_set(e, K_EUSAGE,
		                "kontor tui needs a terminal (batch commands work "
		                "without one)");
	}
	/* An encrypted key is asked for once, now, on the terminal (before curses), so the
	 * background sync runs from the start; declined, the cache is still there to browse
	 * and a conversation asks again (issue 13). A scripted run never waits on a prompt. */
	struct kerr pe = {0};
	int locked = 0;
	if (!u.script && passphrase_prompt_needed(&u)) {
		fputs(
		    "kontor: your key is encrypted: its passphrase lets kontor sync and open your "
		    "messages\n(an empty one, three times, browses the cache only)\n",
		    stderr);
		locked = ctx_identity(c, &pe) != K_OK;
	}
	/* Our handlers before curses starts, so it keeps them: a flag, then endwin below. */
	struct sigaction sa, old_int, old_term, old_hup;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	ui_stop = ui_intr = 0;
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGHUP, &old_hup, NULL);
		if (u.script)
			fclose(u.script);
		ui_config_free(u.cfg);
		free(u.cfg);
		const char *term = getenv("TERM");
		return kerr_set(e, K_EIO, "kontor tui: cannot drive this terminal (TERM=%s)",
		                term ? term : "unset");
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	idlok(stdscr, TRUE); /* scrolling a list by a row uses the terminal's scroll region */
	set_escdelay(25);
	curs_set(0);
	colours(&u);
	ui_keymap_apply(u.cfg);
	ui_init_views(&u);
	ui_search_run(&u);
	ui_chats_load(&u);
	ui_inbox_first(&u); /* the Inbox first when anything waits (inboxview.c) */
	ui_live_start(&u);  /* the background sync and /events (live.c) */
	if (locked)
		ui_say(&u,
		       "key locked (%s): browsing the cache; Enter on a conversation asks again",
		       pe.msg);
	if (u.cfg->notes.len) { /* e.g. an ignored `node` line: its first note */
		const char *n = kbuf_str(&u.cfg->notes);
		ui_say(&u, "%.*s", (int)strcspn(n, "\n"), n);
	}
	u.dirty = DIRTY_ALL;
	while (!u.quit && !ui_stop) {
		ui_draw(&u);
		int key = read_key(&u);
		if (ui_intr) { /* Ctrl-C, as a key */
			ui_intr = 0;
			key = UI_CTRL('c');
		}
		if (key == -2) {
			ui_live_poll(&u);
			continue;
		}
		if (key < 0) {
			if (u.script && feof(u.script))
				break;
			u.dirty |= DIRTY_STATUS; /* "synced 2m ago" moves on */
			continue;
		}
		handle_key(&u, key);
	}
	endwin();
	ui_live_stop(&u); /* aborts transfers, joins the threads */
	delscreen(scr);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	if (u.script)
		fclose(u.script);
	ui_search_free(&u);
	ui_chat_free(&u);
	ui_trade_free(&u);
	ui_ask_free(&u);
	for (int i = 0; i < VIEW_N; i++)
		if (u.views[i].ops->free)
			u.views[i].ops->free(&u);
	for (int i = 0; i < VIEW_N; i++)
		kstrv_free(&u.views[i].lines);
	kbuf_free(&u.msg);
	kbuf_free(&u.status);
	kbuf_free(&u.tmp);
	kbuf_free(&u.query_saved);
	ui_keymap_apply(NULL);
	ui_config_free(u.cfg);
	free(u.cfg);
	if (ui_stop)
		return kerr_set(e, K_EFAIL, "stopped by signal %d", (int)ui_stop);
	return K_OK;
}

const struct cmd_entry cmd_ui_entries[] = {
    {"tui", "", "open the terminal UI", "", 0, 0, run_tui,
     "Tabs 1 Search, 2 Chat, 3 Orders, 4 Contracts, 5 Shipments; ? lists the keys, : runs\n"
     "any kontor command, / edits the search. Every screen reads the cache (`kontor sync`\n"
     "fills it). KONTOR_UI_SCRIPT=FILE reads keys from FILE (for tests), see kontor(1)."},
    {NULL, NULL, NULL, NULL, 0, 0, NULL, NULL},
};
