/* ui/core — what every view uses and that calls no view: the status line's message, the
 * body's rows, a view's rows and scroll, its text rebuilt, and the drawing helpers of heads
 * and list rows (a column, a key's label, a time, an account's name). */
#include "ui.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/ktime.h"
#include "kontor/money.h"
#include "kontor/text.h"

void ui_vsay(struct ui *u, const char *fmt, va_list ap)
{
	struct kbuf raw = KBUF_INIT;
	kbuf_vprintf(&raw, fmt, ap);
	kbuf_reset(&u->msg);
	/* messages carry text from commands and the network: never let it drive the terminal */
	text_sanitize(&u->msg, kbuf_str(&raw), raw.len, 0);
	kbuf_free(&raw);
	u->msg_tab = -1;
	u->dirty |= DIRTY_STATUS;
}

void ui_say(struct ui *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ui_vsay(u, fmt, ap);
	va_end(ap);
}

void ui_say_of(struct ui *u, int tab, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ui_vsay(u, fmt, ap);
	va_end(ap);
	u->msg_tab = tab;
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

struct ui_view *ui_build_begin(struct ui *u, int view, const char *id, int width)
{
	struct ui_view *v = &u->views[view];
	if (!id[0])
		return NULL;
	kstrv_free(&v->lines);
	v->built_width = width;
	return v;
}

void *ui_grow(void *rows, int n, int *cap, size_t size)
{
	if (n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		rows = xrealloc(rows, (size_t)*cap * size);
	}
	memset((char *)rows + (size_t)n * size, 0, size);
	return rows;
}

void *ui_walk_row(struct ui_walk *w, const char *id)
{
	if (!id)
		return NULL;
	w->rows = ui_grow(w->rows, w->n, &w->cap, w->size);
	char *row = (char *)w->rows + (size_t)w->n++ * w->size;
	ui_clean_to(row + w->id_at, w->id_cap, id);
	return row;
}

void ui_rows_keep(const struct ui_view *v, const void *rows, int n, size_t size, size_t id_at,
                  char *keep, size_t cap)
{
	keep[0] = '\0';
	if (v->cur >= 0 && v->cur < n)
		snprintf(keep, cap, "%s", (const char *)rows + (size_t)v->cur * size + id_at);
}

void ui_rows_settle(struct ui *u, struct ui_view *v, void *rows, int n, size_t size, size_t id_at,
                    int (*cmp)(const void *, const void *), const char *keep, const char *err)
{
	if (cmp && n > 1)
		qsort(rows, (size_t)n, size, cmp);
	for (int i = 0; keep[0] && i < n; i++)
		if (strcmp((const char *)rows + (size_t)i * size + id_at, keep) == 0)
			v->cur = i;
	ui_view_set_rows(u, v, n);
	if (err && err[0])
		ui_say(u, "%s", err);
}

void ui_view_build(struct ui *u, int view)
{
	struct ui_view *v = &u->views[view];
	if (v->ops->build)
		v->ops->build(u, COLS);
}

void ui_view_show(struct ui *u, int tab, int view)
{
	u->views[view].top = 0;
	ui_view_build(u, view);
	u->tab_view[tab] = view;
	u->dirty |= DIRTY_ALL;
}

void ui_view_show_id(struct ui *u, int tab, int view, char *open, size_t cap, const char *id)
{
	snprintf(open, cap, "%s", id);
	ui_view_show(u, tab, view);
}

void ui_view_refresh(struct ui *u, int tab, int view)
{
	if (u->tab_view[tab] == view)
		ui_view_build(u, view);
	u->dirty |= DIRTY_ALL;
}

void ui_view_over(struct ui *u, int view, int n)
{
	struct ui_view *v = &u->views[view];
	v->cur = v->top = 0;
	ui_view_set_rows(u, v, n);
	u->tab_view[u->tab] = view;
	u->dirty |= DIRTY_ALL;
}

void ui_head_row(struct ui *u, int y, const char *text, attr_t attr)
{
	(void)u;
	struct kbuf b = KBUF_INIT;
	ui_clip(&b, text, COLS, 1);
	attrset(attr);
	mvaddstr(y, 0, kbuf_str(&b));
	attrset(A_NORMAL);
	kbuf_free(&b);
}

size_t ui_clip(struct kbuf *out, const char *s, int cols, int pad)
{
	return cols < 1 ? 0 : text_clip_mark(out, s, (size_t)cols, pad);
}

void ui_col(struct kbuf *line, const char *s, int cols)
{
	ui_clip(line, s ? s : "", cols > 1 ? cols - 1 : 1, 1);
	kbuf_puts(line, " ");
}

void ui_col_product(struct kbuf *line, const char *s, int cols)
{
	/* whole, cut before its variant, or cut where it must: marked with … */
	text_clip_tail(line, s ? s : "", (size_t)(cols > 1 ? cols - 1 : 1), 1);
	kbuf_puts(line, " ");
}

void ui_money(int64_t minor, const char *cur, char out[UI_MONEY_MAX])
{
	char amt[MONEY_FMT_MAX];
	if (minor < 0 || !cur || !*cur) {
		snprintf(out, UI_MONEY_MAX, "?");
		return;
	}
	money_text(minor, cur, amt);
	snprintf(out, UI_MONEY_MAX, "%s %.3s", amt, cur);
}

void ui_view_cursor(struct ui *u, int view, int i)
{
	struct ui_view *v = &u->views[view];
	if (i >= 0 && i < v->n) {
		v->cur = i;
		ui_view_set_rows(u, v, v->n); /* its scroll keeps the cursor in sight */
	}
}

void ui_back_from(struct ui *u, int tab, int view)
{
	u->back_tab = u->tab;
	u->back_in = tab;
	u->back_view = view;
}

int ui_self_supplier(struct ui *u)
{
	struct account a;
	if (!u->c->self_id[0] || store_account_get(u->s, u->c->self_id, &a, NULL) != K_OK)
		return 0;
	int supplier = strcmp(a.role, "supplier") == 0;
	account_free(&a);
	return supplier;
}

void ui_key_of(const char *view, enum ui_action act, const char *dflt, char *out, size_t cap)
{
	for (const struct ui_keydef *k = ui_keymap; k->view; k++)
		if (k->action == act && strcmp(k->view, view) == 0) {
			snprintf(out, cap, "%s", k->label);
			return;
		}
	snprintf(out, cap, "%s", dflt);
}

void ui_local_time(const char *at, char *out, size_t cap)
{
	ktime_local(at, out, cap); /* the local zone, named, as the CLI shows it */
}

char *ui_account_name(struct ui *u, const char *id)
{
	struct kbuf b = KBUF_INIT;
	struct account a;
	if (id && store_account_get(u->s, id, &a, NULL) == K_OK && a.display_name) {
		text_sanitize(&b, a.display_name, strlen(a.display_name), 0);
		account_free(&a);
	} else {
		/* an id from the cache, cleaned like any text from elsewhere */
		struct kbuf sh = KBUF_INIT;
		const char *s = id ? id : "?";
		text_sanitize(&sh, s, strlen(s), 0);
		char cut[16];
		snprintf(cut, sizeof cut, "%s", kbuf_str(&sh));
		kbuf_free(&sh);
		kbuf_printf(&b, "%.10s…", cut);
	}
	return kbuf_detach(&b, NULL);
}

char *ui_clean(const char *s)
{
	struct kbuf b = KBUF_INIT;
	if (s)
		text_sanitize(&b, s, strlen(s), 0);
	return kbuf_detach(&b, NULL);
}

void ui_clean_to(char *out, size_t cap, const char *s)
{
	struct kbuf b = KBUF_INIT;
	text_sanitize(&b, s ? s : "", s ? strlen(s) : 0, 0);
	snprintf(out, cap, "%s", kbuf_str(&b));
	kbuf_free(&b);
}

void ui_time_field(struct kstrv *lines, const char *indent, const char *when, const char *what,
                   int width)
{
	struct kbuf at = KBUF_INIT;
	kbuf_printf(&at, "%s%s", indent, when);
	int wc = (int)strlen(when) > 20 ? (int)strlen(when) : 20;
	ui_field(lines, (int)strlen(indent) + wc + 2, kbuf_str(&at), what, width);
	kbuf_free(&at);
}

void ui_field(struct kstrv *lines, int label_cols, const char *label, const char *value, int width)
{
	/* a value longer than the line goes on under itself, not under the label */
	char pad[64];
	int pc = label_cols > 0 && label_cols < (int)sizeof pad && label_cols < width / 2
	             ? label_cols
	             : 0;
	memset(pad, ' ', (size_t)pc);
	pad[pc] = '\0';
	struct kbuf b = KBUF_INIT, safe = KBUF_INIT;
	const char *v = value && *value ? value : "-";
	text_sanitize(&safe, v, strlen(v), 0);
	struct kstrv w = {0};
	ui_wrap(kbuf_str(&safe), width, pad, &w);
	for (size_t i = 0; i < w.n; i++) {
		kbuf_reset(&b);
		if (i == 0) {
			kbuf_printf(&b, "%-*s", label_cols, label);
			struct kbuf l = KBUF_INIT;
			text_sanitize(&l, kbuf_str(&b), b.len, 0);
			kbuf_reset(&b);
			kbuf_printf(&b, "%s%s", kbuf_str(&l), w.v[i] + pc);
			kbuf_free(&l);
		} else {
			kbuf_puts(&b, w.v[i]);
		}
		kstrv_push(lines, kbuf_str(&b));
	}
	kstrv_free(&w);
	kbuf_free(&b);
	kbuf_free(&safe);
}

void ui_bytes(uint64_t n, char *out, size_t cap)
{
	if (n < 1024)
		snprintf(out, cap, "%llu B", (unsigned long long)n);
	else if (n < 1024 * 1024)
		snprintf(out, cap, "%.1f KiB", (double)n / 1024);
	else
		snprintf(out, cap, "%.1f MiB", (double)n / (1024 * 1024));
}
