/* ui/draw — the layout (tabs, the view's head, its body, the status line, the line being
 * typed or the question asked) and repainting only what changed; the screen as text. It
 * reaches a view only through its ops. */
#include "ui.h"

#include <stdlib.h>
#include <string.h>

#include "kontor/text.h"

#define MIN_COLS 80
#define MIN_LINES 24

enum tab_fit { TABS_FULL, TABS_TIGHT, TABS_NUMBERS };

/* The labels: " 1 Search " and a space after each (full); " 1 Search" run on, the current
 * one with its space after (tight); " 1 " but the current one's name (numbers). */
static int tabs_width(struct ui *u, enum tab_fit fit)
{
	int w = 0;
	for (int t = 0; t < TAB_N; t++) {
		int name = (int)text_width(ui_tabs[t].name);
		if (fit == TABS_FULL)
			w += 5 + name;
		else if (fit == TABS_TIGHT)
			w += 3 + name + (t == u->tab);
		else
			w += t == u->tab ? 5 + name : 4;
	}
	return w;
}

/* The tabs with every name while they fit, the hint on the right as long as it fits; at 80
 * columns the names run on (" 1 Search 2 Chat 3 Orders  4 ...") and the hint goes to the
 * status line; narrower, the numbers and the current tab's name (" 1  2  3 Orders  4 ..."). */
static void draw_tabs(struct ui *u)
{
	move(0, 0);
	const char *right = u->help == 2 ? "output — q closes "
	                    : u->help    ? "help — q closes "
	                                 : "? help  : command ";
	enum tab_fit fit = TABS_FULL;
	u->tab_hint = NULL;
	if (tabs_width(u, TABS_FULL) + (int)text_width(right) > COLS) {
		const char *shorter = u->help ? "q closes " : "? help ";
		if (tabs_width(u, TABS_FULL) + (int)text_width(shorter) <= COLS) {
			right = shorter;
		} else if (tabs_width(u, TABS_TIGHT) <= COLS) {
			/* every tab's name rather than the hint, which the status line keeps */
			fit = TABS_TIGHT, right = "";
			u->tab_hint = u->help == 2 ? "output — q closes"
			              : u->help    ? "help — q closes"
			                           : "? help  : command";
		} else {
			fit = TABS_NUMBERS;
			if (tabs_width(u, fit) + (int)text_width(right) > COLS)
				right = shorter;
		}
	}
	if (tabs_width(u, fit) + (int)text_width(right) > COLS)
		right = "";
	int x = 0;
	for (int t = 0; t < TAB_N; t++) {
		char label[32];
		if (fit == TABS_NUMBERS && t != u->tab)
			snprintf(label, sizeof label, " %d ", t + 1);
		else if (fit == TABS_TIGHT && t != u->tab)
			snprintf(label, sizeof label, " %d %s", t + 1, ui_tabs[t].name);
		else
			snprintf(label, sizeof label, " %d %s ", t + 1, ui_tabs[t].name);
		attrset(t == u->tab && !u->help ? u->a_tab_on : u->a_tab);
		addstr(label);
		attrset(u->a_tab);
		x += (int)text_width(label);
		if (fit != TABS_TIGHT) {
			addch(' ');
			x++;
		}
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
	ui_clip(&u->tmp, kbuf_str(&safe), COLS, 1);
	attrset(u->a_head);
	mvaddstr(1, 0, kbuf_str(&u->tmp));
	attrset(A_NORMAL);
	kbuf_free(&t);
	kbuf_free(&safe);
}

/* A view with no rows that says them now (ops->empty_row): its words wrapped over the
 * first rows, read once per drawing of the body. */
static void empty_lines(struct ui *u, struct ui_view *v, struct kstrv *out)
{
	struct kbuf e = KBUF_INIT, safe = KBUF_INIT;
	v->ops->empty_row(u, &e);
	text_sanitize(&safe, kbuf_str(&e), e.len, 0); /* a node's name is hers, but typed */
	ui_wrap(kbuf_str(&safe), COLS, "  ", out);
	kbuf_free(&e);
	kbuf_free(&safe);
}

/* Row i's text; empty: the view's empty_lines when it has no rows and says them now. */
static void row_text(struct ui *u, struct ui_view *v, int i, const struct kstrv *empty,
                     struct kbuf *out)
{
	if (empty)
		ui_clip(out, (size_t)i < empty->n ? empty->v[i] : "", COLS, 1);
	else if (i >= v->n)
		text_clip(out, i == 0 ? v->ops->empty : "", (size_t)COLS, 1);
	else if (v->ops->row)
		v->ops->row(u, i, out, COLS);
	else
		ui_clip(out, v->lines.v[i], COLS, 1);
}

static void draw_row(struct ui *u, int i, const struct kstrv *empty)
{
	struct ui_view *v = ui_cur_view(u);
	int y = ui_body_y(u) + i - v->top;
	if (i < v->top || i >= v->top + ui_body_rows(u))
		return;
	kbuf_reset(&u->tmp);
	row_text(u, v, i, empty, &u->tmp);
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
	struct kstrv empty = {0};
	int said = v->n == 0 && v->ops->empty_row;
	if (said)
		empty_lines(u, v, &empty);
	for (int i = v->top; i < v->top + h; i++)
		draw_row(u, i, said ? &empty : NULL);
	kstrv_free(&empty);
}

static void draw_status(struct ui *u, int force)
{
	struct kbuf right = KBUF_INIT, line = KBUF_INIT;
	size_t bytes_at;
	ui_live_status(u, &right, &bytes_at); /* node, sync state, queue, bytes (live.c) */
	const char *msg = ui_ask_noting(u) ? "" : kbuf_str(&u->msg);
	if (u->tab_hint && (!*msg || u->help) && !ui_ask_noting(u))
		msg = u->tab_hint; /* the tab bar had no room for it; over help, how to close it */
	int rw = (int)text_width(kbuf_str(&right));
	if ((int)text_width(msg) > COLS - 1 - rw - 2 && bytes_at < right.len) {
		/* a message that does not fit takes the bytes' room: the node, its sync state
		 * and what is queued stay */
		right.len = bytes_at;
		right.data[right.len] = '\0';
		rw = (int)text_width(kbuf_str(&right));
	}
	kbuf_puts(&line, " ");
	/* the message, cut to leave two spaces before the status, so the two never run on;
	 * not while the prompt row above shows it in full */
	int room = COLS - 1 - rw - 2;
	ui_clip(&line, msg, room > 0 ? room : 0, 1);
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

/* The size message, and under it the question asked on this screen (quitting's). */
static void draw_too_small(struct ui *u)
{
	char msg[128];
	snprintf(msg, sizeof msg, "kontor needs at least %dx%d (this terminal is %dx%d)", MIN_COLS,
	         MIN_LINES, COLS, LINES);
	int w = (int)strlen(msg);
	int x = COLS > w ? (COLS - w) / 2 : 0;
	mvaddnstr(LINES / 2, x, msg, COLS);
	if (u->small_ask && ui_ask_open(u))
		ui_ask_draw(u, LINES / 2 + 3 < LINES ? LINES / 2 + 3 : LINES - 1);
}

void ui_draw(struct ui *u)
{
	if (u->dirty & DIRTY_ALL) {
		u->too_small = COLS < MIN_COLS || LINES < MIN_LINES;
		erase();
		if (u->too_small) {
			draw_too_small(u);
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
	if (all || (u->dirty & DIRTY_BODY) || ((u->dirty & DIRTY_ROWS) && ui_cur_view(u)->n == 0)) {
		draw_body(u); /* with no rows, the body is its empty words */
	} else if (u->dirty & DIRTY_ROWS) {
		draw_row(u, u->row_a, NULL);
		draw_row(u, u->row_b, NULL);
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
