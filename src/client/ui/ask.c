/* ui/ask — the one question on the prompt row, which every view asks through: a y/n, a
 * line of text, or a form (fields one by one, each checked as its kind, then a y/n naming
 * what will happen). The main loop hands it every key first and draws it on the row above
 * the status line. A y/n always ends with its keys, "(y/n)", and fits the width: a long
 * question fills the row above too (ui_ask_fits says whether it fits whole; one that does
 * not loses its middle, never its end or its keys); a long outcome (a note) takes the rows
 * above it as it needs, up to NOTE_ROWS. Esc and Ctrl-C give up (a y/n answers no). One
 * question at a time; its state is this file's (u->ask). */
#include "ui.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/codes.h"
#include "kontor/money.h"
#include "kontor/order.h"
#include "kontor/text.h"

enum ask_mode { MODE_NONE, MODE_YN, MODE_LINE, MODE_FORM };

struct ui_ask {
	enum ask_mode mode;
	char question[512]; /* a y/n, without its keys */
	char label[160];    /* a line's label */
	struct ui_line line;
	char error[200]; /* why the last answer was not taken, above the question */
	char note[600];  /* an outcome in full, until the next key that does something */
	ui_ask_yn_fn yn;
	ui_ask_line_fn ln;
	void *arg;
	/* a form: fields, then the y/n */
	struct ui_ask_form form;
	char flabel[UI_ASK_MAX][160];
	int fkind[UI_ASK_MAX];
	char fdefault[UI_ASK_MAX][16]; /* what Enter takes, "" for the kind's own */
	int nfields, step;
	ui_ask_form_question_fn fquestion;
	ui_ask_form_fn frun;
	/* what ui_ask_retry puts back */
	char last_label[160];
	ui_ask_line_fn last_ln;
	void *last_arg;
};

static struct ui_ask *ask_of(struct ui *u)
{
	if (!u->ask)
		u->ask = xcalloc(1, sizeof *u->ask);
	return u->ask;
}

int ui_ask_open(const struct ui *u)
{
	return u->ask && u->ask->mode != MODE_NONE;
}

static void form_clear(struct ui_ask_form *f)
{
	for (int i = 0; i < UI_ASK_MAX; i++) {
		free(f->v[i]);
		f->v[i] = NULL;
	}
	f->n = 0;
}

/* Ends the question; its callbacks are the caller's to call after (they may ask again). */
static void ask_end(struct ui *u)
{
	struct ui_ask *a = u->ask;
	form_clear(&a->form);
	a->mode = MODE_NONE;
	a->nfields = a->step = 0;
	a->error[0] = '\0';
	a->yn = NULL;
	a->ln = NULL;
	a->arg = NULL;
	a->fquestion = NULL;
	a->frun = NULL;
	u->dirty |= DIRTY_ALL;
}

static void ask_start(struct ui *u, enum ask_mode mode)
{
	ui_ask_cancel(u); /* the question before, if any, is given up */
	struct ui_ask *a = ask_of(u);
	a->mode = mode;
	a->note[0] = '\0';
	a->error[0] = '\0';
	ui_say(u, "%s", ""); /* what the status line said was of something before */
	ui_line_clear(&a->line);
	u->dirty |= DIRTY_ALL;
}

void ui_ask_yn(struct ui *u, const char *question, ui_ask_yn_fn done, void *arg)
{
	ask_start(u, MODE_YN);
	struct ui_ask *a = u->ask;
	snprintf(a->question, sizeof a->question, "%s", question);
	a->yn = done;
	a->arg = arg;
}

void ui_ask_line(struct ui *u, const char *label, const char *initial, ui_ask_line_fn done,
                 void *arg)
{
	ask_start(u, MODE_LINE);
	struct ui_ask *a = u->ask;
	snprintf(a->label, sizeof a->label, "%s", label);
	if (initial)
		ui_line_set(&a->line, initial);
	a->ln = done;
	a->arg = arg;
}

void ui_ask_retry(struct ui *u, const char *why, const char *text)
{
	struct ui_ask *a = ask_of(u);
	ui_ask_line_fn ln = a->last_ln;
	void *arg = a->last_arg;
	char label[160];
	snprintf(label, sizeof label, "%s", a->last_label);
	ui_ask_line(u, label, text, ln, arg);
	snprintf(u->ask->error, sizeof u->ask->error, "%s", why);
}

void ui_ask_form(struct ui *u, int act, const char *target)
{
	ask_start(u, MODE_FORM);
	struct ui_ask *a = u->ask;
	a->form.act = act;
	snprintf(a->form.target, sizeof a->form.target, "%s", target);
	a->form.min = 0;
}

void ui_ask_field(struct ui *u, const char *label, enum ui_ask_kind kind, int64_t min)
{
	struct ui_ask *a = ask_of(u);
	if (a->mode != MODE_FORM || a->nfields >= UI_ASK_MAX)
		return;
	snprintf(a->flabel[a->nfields], sizeof a->flabel[a->nfields], "%s", label);
	a->fkind[a->nfields] = (int)kind;
	a->fdefault[a->nfields][0] = '\0';
	if (kind == ASK_QTY)
		a->form.min = min;
	a->nfields++;
}

void ui_ask_default(struct ui *u, const char *value)
{
	struct ui_ask *a = ask_of(u);
	if (a->mode == MODE_FORM && a->nfields > 0)
		snprintf(a->fdefault[a->nfields - 1], sizeof a->fdefault[0], "%s", value);
}

static void form_confirm(struct ui *u)
{
	struct ui_ask *a = u->ask;
	a->question[0] = '\0';
	a->fquestion(u, &a->form, a->question, sizeof a->question);
}

static void form_run(struct ui *u)
{
	struct ui_ask *a = u->ask;
	struct ui_ask_form f = a->form; /* the answers move to the copy */
	ui_ask_form_fn run = a->frun;
	memset(a->form.v, 0, sizeof a->form.v);
	ask_end(u);
	if (run)
		run(u, &f);
	form_clear(&f);
}

void ui_ask_form_go(struct ui *u, ui_ask_form_question_fn question, ui_ask_form_fn run)
{
	struct ui_ask *a = ask_of(u);
	if (a->mode != MODE_FORM)
		return;
	a->fquestion = question;
	a->frun = run;
	if (a->nfields > 0)
		return;
	if (question)
		form_confirm(u);
	else
		form_run(u);
}

void ui_ask_note(struct ui *u, const char *text)
{
	struct ui_ask *a = ask_of(u);
	snprintf(a->note, sizeof a->note, "%s", text);
	u->dirty |= DIRTY_ALL;
}

void ui_say_note(struct ui *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ui_vsay(u, fmt, ap); /* sanitises it into u->msg */
	va_end(ap);
	ui_ask_note(u, kbuf_str(&u->msg));
}

void ui_ask_cancel(struct ui *u)
{
	struct ui_ask *a = u->ask;
	if (!a || a->mode == MODE_NONE)
		return;
	enum ask_mode m = a->mode;
	ui_ask_yn_fn yn = a->yn;
	ui_ask_line_fn ln = a->ln;
	void *arg = a->arg;
	ask_end(u);
	if (m == MODE_YN && yn)
		yn(u, 0, arg);
	else if (m == MODE_LINE && ln)
		ln(u, NULL, arg);
}

void ui_ask_free(struct ui *u)
{
	ui_ask_cancel(u);
	free(u->ask);
	u->ask = NULL;
}

/* An ASK_PRICE answer s (trimmed, not empty): "480", "480 EUR" or "EUR 480", the currency
 * the listing's (target's) when not said; NULL when taken ("480 EUR" into *out), else why. */
static const char *price_check(struct ui *u, const char *target, const char *s, char **out,
                               char *why, size_t cap)
{
	char a[48] = "", b[48] = "", extra[2] = "";
	int nw = sscanf(s, "%47s %47s %1s", a, b, extra);
	const char *amount = a, *cur = b;
	if (nw == 2 && ((a[0] >= 'A' && a[0] <= 'Z') || (a[0] >= 'a' && a[0] <= 'z'))) {
		amount = b; /* "EUR 480" */
		cur = a;
	}
	if (nw < 1 || nw > 2)
		return "price: an amount, and its currency when not the listing's (480 EUR)";
	char code[4] = "";
	if (nw == 2) {
		if (strlen(cur) != 3)
			return "price: the currency is a three-letter ISO 4217 code (EUR, USD, "
			       "VND)";
		for (int i = 0; i < 3; i++)
			code[i] =
			    (char)(cur[i] >= 'a' && cur[i] <= 'z' ? cur[i] - 'a' + 'A' : cur[i]);
	} else {
		struct listing l;
		if (store_listing_get(u->s, target, &l, NULL) != K_OK)
			return "price: the listing is no longer in the cache; say the currency too";
		snprintf(code, sizeof code, "%s", l.currency);
		listing_free(&l);
	}
	int64_t minor = 0;
	struct kerr e = {0, ""};
	if (money_parse(amount, code, &minor, &e) != K_OK) {
		snprintf(why, cap, "price: %s", e.msg);
		return why;
	}
	if (minor <= 0)
		return "price: a unit price above 0";
	size_t need = strlen(amount) + 5;
	*out = xmalloc(need);
	snprintf(*out, need, "%s %s", amount, code);
	return NULL;
}

/* An ASK_PRICE field's label once the quantity (and the variant) before it are answered:
 * the price Enter takes, the listing's for that quantity and variant, in numbers ("Enter:
 * 245,000 VND, the listing's for 20"), as the y/n after will say it. */
static void price_label(struct ui *u, struct ui_ask *a, int step)
{
	struct listing l;
	if (store_listing_get(u->s, a->form.target, &l, NULL) != K_OK)
		return;
	const cJSON *var = NULL;
	int64_t qty = 0;
	for (int i = 0; i < step; i++) {
		if (a->fkind[i] == ASK_VARIANT && a->form.v[i])
			listing_variant_find(&l, a->form.v[i], &var, NULL);
		if (a->fkind[i] == ASK_QTY && a->form.v[i])
			qty = strtoll(a->form.v[i], NULL, 10);
	}
	if (qty > 0) {
		char amt[MONEY_FMT_MAX], n[MONEY_FMT_MAX];
		money_text(var ? listing_variant_price(&l, var, qty) : listing_unit_price(&l, qty),
		           l.currency, amt);
		snprintf(
		    a->flabel[step], sizeof a->flabel[step],
		    "unit price (Enter: %s %s, the listing's for %s; or AMOUNT CUR, 480 EUR): ",
		    amt, l.currency, count_text(qty, n));
	}
	listing_free(&l);
}

/* The answer to a form's field, checked as its kind and trimmed; NULL when taken (into
 * *out, malloc'd), else why not. */
static const char *field_check(struct ui *u, struct ui_ask *a, int kind, char *s, char **out,
                               char *why, size_t cap)
{
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
	if (kind == ASK_INCOTERM) { /* "fob" is FOB; Enter: FOB */
		for (char *p = s; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		struct kerr e = {0};
		if (n && codes_check_incoterm(s, "Incoterm", &e) != K_OK) {
			snprintf(why, cap, "%s", e.msg);
			return why;
		}
	}
	if (kind == ASK_QTY) {
		char *end = NULL;
		long long q =
		    n && n <= 15 && s[0] >= '0' && s[0] <= '9' ? strtoll(s, &end, 10) : -1;
		if (q < 1 || (end && *end))
			return "quantity: a whole number, 1 or more";
		if (q < a->form.min) {
			snprintf(why, cap,
			         "%lld is below the minimum order quantity (MOQ %lld): "
			         "ask for %lld or more",
			         q, (long long)a->form.min, (long long)a->form.min);
			return why;
		}
	}
	if (kind == ASK_VARIANT) {
		struct listing l;
		const cJSON *v = NULL;
		struct kerr e = {0, ""};
		if (store_listing_get(u->s, a->form.target, &l, &e) != K_OK) {
			snprintf(why, cap, "%s", e.msg);
			return why;
		}
		int rc = listing_variant_find(&l, s, &v, &e);
		if (rc == K_OK)
			*out = xstrdup(
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "sku")));
		else /* it names the variants there are */
			snprintf(why, cap, "%s", e.msg);
		listing_free(&l);
		return rc == K_OK ? NULL : why;
	}
	if (kind == ASK_PRICE && n)
		return price_check(u, a->form.target, s, out, why, cap);
	if (kind == ASK_TEXT && !n)
		return "this one is needed (Esc gives up)";
	if (kind == ASK_STARS && !(n == 1 && s[0] >= '1' && s[0] <= '5'))
		return "stars: a whole number from 1 to 5";
	if (kind == ASK_MODE && n && !order_mode_valid(s))
		return "mode: one of sea, air, road, rail, courier";
	if (s[0] == '@') /* `--text @FILE` reads a file: typed words never name one */
		return "a text starting with @ would be read as a file name: reword it";
	const char *def = a->fdefault[a->step][0] ? a->fdefault[a->step]
	                  : kind == ASK_MODE      ? "sea"
	                                          : "FOB";
	*out = xstrdup((kind == ASK_MODE || kind == ASK_INCOTERM) && !n ? def : s);
	return NULL;
}

int ui_ask_key(struct ui *u, int key)
{
	struct ui_ask *a = u->ask;
	if (!a)
		return 0;
	if (a->mode == MODE_NONE) {
		if (a->note[0] && u->prompt == PROMPT_NONE &&
		    (key == UI_CTRL('c') ||
		     ui_key_action(ui_cur_view(u)->ops->name, key) != ACT_NONE)) {
			a->note[0] = '\0'; /* read: the row goes back to the screen */
			u->dirty |= DIRTY_ALL;
		}
		return 0;
	}
	u->dirty |= DIRTY_ALL;
	int cancel = key == UI_KEY_ESC || key == UI_CTRL('c');
	if (a->mode == MODE_YN || (a->mode == MODE_FORM && a->step >= a->nfields)) {
		int yes = key == 'y' || key == 'Y';
		if (!yes && !(cancel || key == 'n' || key == 'N' || key == 'q'))
			return 1; /* only the keys it names answer */
		if (a->mode == MODE_FORM) {
			if (yes) {
				form_run(u);
			} else {
				ask_end(u);
				ui_say(u, "nothing was done");
				ui_ask_note(u, "nothing was done");
			}
			return 1;
		}
		ui_ask_yn_fn yn = a->yn;
		void *arg = a->arg;
		ask_end(u);
		if (yn)
			yn(u, yes, arg);
		return 1;
	}
	a->error[0] = '\0';
	enum ui_edit r = cancel ? EDIT_CANCEL : ui_line_key(&a->line, key);
	if (r == EDIT_GOING)
		return 1;
	if (r == EDIT_CANCEL) {
		int form = a->mode == MODE_FORM;
		ui_ask_cancel(u);
		if (form) {
			ui_say(u, "nothing was done");
			ui_ask_note(u, "nothing was done");
		}
		return 1;
	}
	struct kbuf text = KBUF_INIT;
	ui_line_utf8(&a->line, &text);
	if (a->mode == MODE_LINE) {
		ui_ask_line_fn ln = a->ln;
		void *arg = a->arg;
		snprintf(a->last_label, sizeof a->last_label, "%s", a->label);
		a->last_ln = ln;
		a->last_arg = arg;
		ask_end(u);
		if (ln)
			ln(u, kbuf_str(&text), arg);
		kbuf_free(&text);
		return 1;
	}
	char why[200];
	const char *bad = field_check(u, a, a->fkind[a->step], (char *)kbuf_str(&text),
	                              &a->form.v[a->step], why, sizeof why);
	kbuf_free(&text);
	if (bad) {
		snprintf(a->error, sizeof a->error, "%s", bad);
		ui_say(u, "%s", bad);
		return 1;
	}
	a->step++;
	a->form.n = a->step;
	if (a->step < a->nfields && a->fkind[a->step] == ASK_PRICE)
		price_label(u, a, a->step);
	ui_line_clear(&a->line);
	ui_say(u, "%s", "");
	if (a->step >= a->nfields) {
		if (a->fquestion)
			form_confirm(u);
		else
			form_run(u); /* e.g. a message: Enter sends it */
	}
	return 1;
}

int ui_ask_noting(const struct ui *u)
{
	const struct ui_ask *a = u->ask;
	return a && a->mode == MODE_NONE && a->note[0] && u->prompt == PROMPT_NONE && !u->help;
}

/* Text for the two prompt rows: what fills the first (as wide as the screen) into first, and
 * the rest into rest; returns whether the rest fits the second row beside kw columns of keys. */
static int rows_split(const char *text, int kw, struct kbuf *first, struct kbuf *rest)
{
	struct kstrv lines = {0};
	ui_wrap(text, COLS, "", &lines);
	const char *f = lines.n ? lines.v[0] : "";
	kbuf_puts(first, f);
	const char *r = text + strlen(f); /* ui_wrap's first line is text's start */
	while (*r == ' ')
		r++;
	size_t n = strlen(r);
	while (n && r[n - 1] == ' ')
		n--;
	kbuf_append(rest, r, n);
	kstrv_free(&lines);
	return (int)text_width(kbuf_str(rest)) + kw <= COLS;
}

/* text on row y, or over rows y-1 and y when one is too narrow, keys at its end; a rest that
 * still does not fit keeps its end (a question's), cut at its start with "…". Returns the
 * column after the keys. */
static int rows_draw(struct ui *u, int y, const char *text, const char *keys, attr_t attr)
{
	int kw = (int)text_width(keys);
	struct kbuf b = KBUF_INIT;
	if ((int)text_width(text) + kw <= COLS || y < 1) {
		text_clip(&b, text, (size_t)(COLS - kw > 1 ? COLS - kw : 1), 0);
	} else {
		struct kbuf first = KBUF_INIT, rest = KBUF_INIT;
		if (rows_split(text, kw, &first, &rest)) {
			kbuf_puts(&b, kbuf_str(&rest));
			/* all of it on the first row: the keys alone on the second */
			if (!rest.len)
				while (*keys == ' ')
					keys++;
		} else {
			struct kstrv lines = {0};
			ui_wrap(kbuf_str(&rest), COLS - kw - 1, "", &lines);
			kbuf_puts(&b, "…");
			kbuf_puts(&b, lines.n ? lines.v[lines.n - 1] : "");
			kstrv_free(&lines);
		}
		ui_head_row(u, y - 1, kbuf_str(&first), attr);
		kbuf_free(&first);
		kbuf_free(&rest);
	}
	kbuf_puts(&b, keys);
	ui_head_row(u, y, kbuf_str(&b), attr);
	int x = (int)text_width(kbuf_str(&b));
	kbuf_free(&b);
	return x;
}

static const char yn_keys[] = " (y/n) ";
enum { NOTE_ROWS = 4 }; /* an outcome takes up to this many rows, the prompt row last */

int ui_ask_fits(const char *question)
{
	struct kbuf safe = KBUF_INIT, first = KBUF_INIT, rest = KBUF_INIT;
	text_sanitize(&safe, question, strlen(question), 0);
	int kw = (int)strlen(yn_keys), fits = (int)text_width(kbuf_str(&safe)) + kw <= COLS;
	if (!fits)
		fits = rows_split(kbuf_str(&safe), kw, &first, &rest);
	kbuf_free(&first);
	kbuf_free(&rest);
	kbuf_free(&safe);
	return fits;
}

int ui_ask_draw(struct ui *u, int y)
{
	struct ui_ask *a = u->ask;
	if (!a)
		return -1;
	if (a->mode == MODE_NONE) {
		if (ui_ask_noting(u)) { /* in full: the rows above too, as many as it needs */
			struct kbuf safe = KBUF_INIT;
			struct kstrv lines = {0};
			text_sanitize(&safe, a->note, strlen(a->note), 0);
			ui_wrap(kbuf_str(&safe), COLS, "", &lines);
			int n = (int)lines.n < NOTE_ROWS ? (int)lines.n : NOTE_ROWS;
			if (n > y + 1)
				n = y + 1;
			for (int i = 0; i < n; i++) {
				struct kbuf b = KBUF_INIT;
				kbuf_puts(&b, lines.v[i]);
				/* longer still: its start, then "…" */
				if (i == n - 1 && (size_t)n < lines.n) {
					kbuf_reset(&b);
					text_clip(&b, lines.v[i], (size_t)(COLS > 1 ? COLS - 1 : 1),
					          0);
					kbuf_puts(&b, "…");
				}
				ui_head_row(u, y - n + 1 + i, kbuf_str(&b),
				            strncmp(a->note, "error", 5) == 0 ? u->slot[SLOT_ERROR]
				                                              : u->a_status);
				kbuf_free(&b);
			}
			kstrv_free(&lines);
			kbuf_free(&safe);
		}
		return -1; /* no cursor */
	}
	if (a->error[0] && y > 0) /* the row above the question says what was wrong */
		ui_head_row(u, y - 1, a->error, u->slot[SLOT_ERROR]);
	if (a->mode == MODE_LINE)
		return ui_line_draw(&a->line, a->label, y, COLS, u->slot[SLOT_PROMPT]);
	if (a->mode == MODE_FORM && a->step < a->nfields)
		return ui_line_draw(&a->line, a->flabel[a->step], y, COLS, u->slot[SLOT_PROMPT]);
	/* the y/n: the question and its keys, over both rows when one is too narrow */
	struct kbuf safe = KBUF_INIT;
	text_sanitize(&safe, a->question, strlen(a->question), 0);
	int x = rows_draw(u, y, kbuf_str(&safe), yn_keys, u->slot[SLOT_PROMPT]);
	kbuf_free(&safe);
	return x < COLS ? x : COLS - 1;
}
