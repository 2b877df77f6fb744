/* ui — `kontor tui`: the main loop. It reads a key, gives it to the question open (ask.c),
 * the line being typed or the view shown (through its ops: views.c), and draws (draw.c).
 * Views are lists or wrapped text; both scroll the same way. It reaches a view only through
 * the view table. Leaves curses on every way out, signals included. */
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
		if (!(argc == 1 && strcmp(argv[0], "sync") == 0 && ui_live_sync_command(u))) {
			kbuf_reset(&u->output_cmd);
			kbuf_puts(&u->output_cmd, text);
			u->from_prompt = 1;
			ui_run_command(u, argc, argv, NULL);
			u->from_prompt = 0;
		}
	}
	cmd_words_free(&w);
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
	u->back_tab = -1; /* she chose a tab: q goes back within it */
	if (tab == u->tab)
		return;
	if (u->msg_tab >= 0 && u->msg_tab != tab) /* "2 shown of 2" is not of the tab shown */
		kbuf_reset(&u->msg);
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
		if (r == EDIT_DONE) /* the query is the Search tab's */
			ui_view_ops[VIEW_RESULTS].typed(u, NULL);
		else
			ui_line_set(&u->query, kbuf_str(&u->query_saved)); /* back to what it was */
		return;
	}
	if (r == EDIT_CANCEL)
		return;
	ui_line_utf8(&u->line, &text);
	if (p == PROMPT_COMMAND)
		run_prompt_line(u, kbuf_str(&text));
	else if (p == PROMPT_COMPOSE && text.len && ui_cur_view(u)->ops->typed)
		ui_cur_view(u)->ops->typed(u, kbuf_str(&text)); /* a message (chat.c) */
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

/* A key while the screen is too small to draw: nothing acts unseen (as htop and mutt).
 * q and Q leave as on a list (q asking first when it would throw work away), Ctrl-C asks;
 * their question shows under the size message and only its keys answer it. */
static void small_key(struct ui *u, int key)
{
	enum ui_action act = ui_key_action(ui_cur_view(u)->ops->name, key);
	if (u->small_ask && ui_ask_open(u))
		ui_ask_key(u, key);
	else if (key == 'Q' || act == ACT_QUIT)
		u->quit = 1;
	else if (key == 'q' || act == ACT_BACK || key == UI_CTRL('c'))
		quit(u, key == UI_CTRL('c'));
	u->small_ask = ui_ask_open(u) &&
	               (u->small_ask || key == 'q' || act == ACT_BACK || key == UI_CTRL('c'));
	u->dirty |= DIRTY_ALL;
}

/* A letter that does nothing here says so, and where it does something (p pays in an
 * order, not on the list of them), rather than nothing at all (as tig says "Unknown key"). */
static void unbound_key(struct ui *u, const struct ui_view *v, int key)
{
	if (key <= ' ' || key > '~')
		return; /* Enter on text, a function key: nothing to say */
	/* first a view this one opens (p: the order, from the Orders list), then any */
	for (int pass = 0; pass < 2; pass++)
		for (const struct ui_keydef *k = ui_keymap; k->view; k++) {
			if (k->key != key || k->action == ACT_NONE ||
			    strcmp(k->view, v->ops->name) == 0 || strcmp(k->view, "any") == 0)
				continue;
			int child = 0;
			for (int i = 0; i < VIEW_N; i++)
				child |= strcmp(ui_view_ops[i].name, k->view) == 0 &&
				         ui_view_ops[i].parent >= 0 &&
				         &u->views[ui_view_ops[i].parent] == v;
			if (pass == 0 && !child)
				continue;
			ui_say(u, "%c: %s, in the %s view (? lists this view's keys)", key, k->name,
			       k->view);
			return;
		}
	ui_say(u, "%c: no such key here (? lists the keys)", key);
}

static void handle_key(struct ui *u, int key)
{
	if (key == UI_FKEY(KEY_RESIZE)) {
		u->dirty |= DIRTY_ALL;
		return;
	}
	if (u->too_small) {
		small_key(u, key);
		return;
	}
	u->small_ask = 0;       /* drawn whole again: a question is answered as any other */
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
		unbound_key(u, v, key);
		break;
	case ACT_QUIT: /* Q: at once, as it says; q and Ctrl-C are the ones that ask */
		u->quit = 1;
		break;
	case ACT_BACK:
		if (u->help) {
			u->help = 0;
		} else if (v->ops->parent >= 0) {
			int left = u->tab_view[u->tab];
			u->tab_view[u->tab] = v->ops->parent;
			/* opened from another tab (the Inbox): back to it, its cursor where it was;
			 * this tab shows its list, the cursor on the row just viewed */
			if (u->back_tab >= 0 && u->tab == u->back_in && left == u->back_view) {
				u->tab = u->back_tab;
				u->back_tab = -1;
			}
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
		if (!v->ops->typed) {
			ui_say(u, "%s: not in this view (? lists its keys)", action_name(act));
			break;
		}
		ui_line_clear(&u->line);
		u->prompt = PROMPT_COMPOSE;
		u->dirty |= DIRTY_ALL;
		break;
	case ACT_HELP:
		u->help = 1;
		u->views[VIEW_HELP].top = 0;
		u->views[VIEW_HELP].built_width = -1; /* it may have shown a command's output */
		u->dirty |= DIRTY_ALL;
		break;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		u->dirty |= DIRTY_ALL;
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
	u->back_tab = -1;
}

static int run_tui(struct ctx *c, const struct args *a, struct kerr *e)
{
	if (c->in_batch)
		return kerr_set(e, K_EUSAGE, "tui: not inside a batch (it needs the keyboard)");
	struct ui u;
	memset(&u, 0, sizeof u);
	u.c = c;
	u.msg_tab = -1;
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
	if (!u.script && ui_key_locked(&u)) {
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
	for (int i = 0; i < VIEW_N; i++) /* the first reads; the Inbox first when anything waits */
		if (u.views[i].ops->start)
			u.views[i].ops->start(&u);
	ui_live_start(&u); /* the background sync and /events (live.c) */
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
	ui_ask_free(&u); /* a question given up may still read a view's state */
	for (int i = 0; i < VIEW_N; i++)
		if (u.views[i].ops->free)
			u.views[i].ops->free(&u);
	for (int i = 0; i < VIEW_N; i++)
		kstrv_free(&u.views[i].lines);
	kbuf_free(&u.msg);
	kbuf_free(&u.output);
	kbuf_free(&u.output_cmd);
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
