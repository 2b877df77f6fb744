/* ui/listings — the Listings tab: the seller's own listings from the cache, newest first,
 * with the price at the MOQ, the MOQ and whether each is active or paused; one listing as
 * text. `e` edits the price and its quantity breaks on the prompt row, `s` the stock (each
 * variant's as SKU=N where they keep their own) and `p` pauses or resumes after a y/n: each
 * runs the batch command (`listing edit`, `listing pause`, `listing resume`) through
 * ui_run_command, so the listing is re-signed, cached and queued
 * for the node exactly as from the shell. Stock is what the seller last said (an import's
 * inventory column, `listing edit --stock`) less what her orders took since (client/stock.h),
 * "-" when she never said; the node counts no views of a listing, so the screen shows none. */
#include "ui.h"

#include <stdlib.h>
#include <string.h>

#include "kontor/codes.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "kontor/money.h"
#include "kontor/text.h"

struct my_row {
	char id[MODEL_LISTING_ID_LEN + 1];
	char *sku, *title; /* sanitised */
	char currency[4];
	int64_t price; /* at the MOQ, minor units */
	int64_t moq;
	char unit[4];  /* UN/ECE Rec 20: what the price is per and the MOQ counts */
	int64_t stock; /* -1: not said */
	char status[8];
	char created[MODEL_TIME_LEN + 1];
	int seq; /* the cache's order, to keep the sort stable */
};

struct my_listings {
	struct my_row *rows;
	int n, cap;
	char open_id[MODEL_LISTING_ID_LEN + 1]; /* the listing the detail view shows */
	char act_id[MODEL_LISTING_ID_LEN + 1];  /* the listing a question is about */
	int act_pause;                          /* the y/n asks to pause (else to resume) */
	int moq_cols, stock_cols;               /* the widest row's MOQ and stock (counts_text) */
};

static struct my_listings *state(struct ui *u)
{
	struct ui_view *v = &u->views[VIEW_MYLISTINGS];
	if (!v->priv)
		v->priv = xcalloc(1, sizeof(struct my_listings));
	return v->priv;
}

static void rows_clear(struct my_listings *m)
{
	for (int i = 0; i < m->n; i++) {
		free(m->rows[i].sku);
		free(m->rows[i].title);
	}
	m->n = 0;
	m->moq_cols = m->stock_cols = 0;
}

#define COL_PRICE 16
#define COL_MOQ 9   /* at least: "100 boxes", "2,500 ctns": the count and its unit */
#define COL_STOCK 5 /* at least: "STOCK" */
#define COL_STATUS 6
#define COL_TITLE_MIN 8

/* A row's MOQ and stock as their columns say them: "2,500 ctns", "249,600" ("-": not said). */
static void counts_text(const struct my_row *r, char moq[MONEY_FMT_MAX + 16],
                        char stock[MONEY_FMT_MAX])
{
	char q[MONEY_FMT_MAX];
	snprintf(moq, MONEY_FMT_MAX + 16, "%s %s", count_text(r->moq, q), codes_unit_abbr(r->unit));
	snprintf(stock, MONEY_FMT_MAX, "%s", r->stock >= 0 ? count_text(r->stock, q) : "-");
}

/* The unit price a buyer of the MOQ pays: the last tier that starts at or below it. */
int64_t ui_listing_moq_price(const struct listing *l)
{
	if (!l->ntiers)
		return 0;
	int64_t p = l->tiers[0].unit_price;
	for (size_t i = 0; i < l->ntiers; i++)
		if (l->tiers[i].min_qty <= l->moq)
			p = l->tiers[i].unit_price;
	return p;
}

static int add_row(void *ctx, const struct listing *l)
{
	struct my_listings *m = ctx;
	m->rows = ui_grow(m->rows, m->n, &m->cap, sizeof *m->rows);
	struct my_row *r = &m->rows[m->n];
	snprintf(r->id, sizeof r->id, "%s", l->id);
	r->sku = ui_clean(l->sku);
	r->title = ui_clean(l->title);
	snprintf(r->currency, sizeof r->currency, "%s", l->currency);
	r->price = ui_listing_moq_price(l);
	r->moq = l->moq;
	snprintf(r->unit, sizeof r->unit, "%s", l->unit);
	r->stock = listing_stock(l);
	snprintf(r->status, sizeof r->status, "%s", l->status);
	snprintf(r->created, sizeof r->created, "%s", l->created);
	r->seq = m->n++;
	char moq[MONEY_FMT_MAX + 16], stock[MONEY_FMT_MAX];
	counts_text(r, moq, stock);
	int w = (int)text_width(moq);
	m->moq_cols = w > m->moq_cols ? w : m->moq_cols;
	w = (int)text_width(stock);
	m->stock_cols = w > m->stock_cols ? w : m->stock_cols;
	return 0;
}

static int newest_first(const void *x, const void *y)
{
	const struct my_row *a = x, *b = y;
	int c = strcmp(b->created, a->created); /* RFC 3339 UTC sorts as text */
	return c ? c : a->seq - b->seq;
}

/* Reads her listings from the cache again; the cursor stays on the listing it was on. */
static void load(struct ui *u)
{
	struct my_listings *m = state(u);
	struct ui_view *v = &u->views[VIEW_MYLISTINGS];
	char keep[MODEL_LISTING_ID_LEN + 1];
	ui_rows_keep(v, m->rows, m->n, sizeof *m->rows, offsetof(struct my_row, id), keep,
	             sizeof keep);
	rows_clear(m);
	struct kerr e = {0};
	if (ctx_self(u->c, &e) == K_OK)
		store_listing_each(u->s, u->c->self_id, add_row, m, &e);
	ui_rows_settle(u, v, m->rows, m->n, sizeof *m->rows, offsetof(struct my_row, id),
	               newest_first, keep, e.msg);
}

void ui_mylistings_shown(struct ui *u)
{
	load(u);
	ui_view_refresh(u, TAB_LISTINGS, VIEW_MYLISTING);
}

/* The MOQ and stock columns: as wide as their widest row. The SKU column: as wide as the
 * widest SKU (at least "SKU"), but leaving the title its minimum; the title takes the rest. */
static void widths(const struct my_listings *m, int width, int *sku, int *title, int *moqw,
                   int *stockw)
{
	*moqw = m->moq_cols > COL_MOQ ? m->moq_cols : COL_MOQ;
	*stockw = m->stock_cols > COL_STOCK ? m->stock_cols : COL_STOCK;
	int w = 3;
	for (int i = 0; i < m->n; i++) {
		int t = (int)text_width(m->rows[i].sku);
		if (t > w)
			w = t;
	}
	int rest = width - 2 - COL_PRICE - *moqw - *stockw - COL_STATUS - 5;
	if (w > rest - COL_TITLE_MIN)
		w = rest - COL_TITLE_MIN > 3 ? rest - COL_TITLE_MIN : 3;
	*sku = w;
	*title = rest - w > COL_TITLE_MIN ? rest - w : COL_TITLE_MIN;
}

void ui_mylistings_head(struct ui *u, int y)
{
	struct my_listings *m = state(u);
	struct kbuf b = KBUF_INIT, h = KBUF_INIT;
	char ke[16], kp[16], ks[16];
	ui_key_of("mylistings", ACT_EDIT, "e", ke, sizeof ke);
	ui_key_of("mylistings", ACT_PAUSE, "p", kp, sizeof kp);
	ui_key_of("mylistings", ACT_STOCK, "s", ks, sizeof ks);
	int paused = 0;
	for (int i = 0; i < m->n; i++)
		paused += strcmp(m->rows[i].status, "paused") == 0;
	kbuf_printf(&b,
	            "My listings (%d, %d paused)   Enter opens · %s price · %s stock · %s "
	            "pause/resume",
	            m->n, paused, ke, ks, kp);
	ui_head_row(u, y, kbuf_str(&b), u->a_head);
	int sw, tw, mw, stw;
	widths(m, COLS, &sw, &tw, &mw, &stw);
	kbuf_puts(&h, "  ");
	ui_clip(&h, "SKU", sw, 1);
	kbuf_puts(&h, " ");
	ui_clip(&h, "TITLE", tw, 1);
	kbuf_puts(&h, " ");
	ui_col(&h, "PRICE AT MOQ", COL_PRICE + 1);
	text_clip(&h, "MOQ", mw, 1);
	kbuf_puts(&h, " ");
	text_clip(&h, "STOCK", stw, 1);
	kbuf_puts(&h, " STATUS");
	ui_head_row(u, y + 1, kbuf_str(&h), u->a_dim);
	kbuf_free(&b);
	kbuf_free(&h);
}

static void price_text(int64_t minor, const char *cur, char *out, size_t cap)
{
	char amt[MONEY_FMT_MAX];
	if (!cur[0]) {
		snprintf(out, cap, "-");
		return;
	}
	money_text(minor, cur, amt);
	snprintf(out, cap, "%s %s", amt, cur);
}

void ui_mylistings_row(struct ui *u, int i, struct kbuf *out, int width)
{
	struct my_listings *m = state(u);
	if (i >= m->n)
		return;
	const struct my_row *r = &m->rows[i];
	struct kbuf line = KBUF_INIT;
	char price[MONEY_FMT_MAX + 8], moq[MONEY_FMT_MAX + 16], stock[MONEY_FMT_MAX];
	price_text(r->price, r->currency, price, sizeof price);
	counts_text(r, moq, stock);
	int sw, tw, mw, stw;
	widths(m, width, &sw, &tw, &mw, &stw);
	kbuf_puts(&line, "  ");
	ui_clip(&line, r->sku, sw, 1);
	kbuf_puts(&line, " ");
	ui_clip(&line, r->title, tw, 1);
	kbuf_puts(&line, " ");
	ui_clip(&line, price, COL_PRICE, 1);
	kbuf_puts(&line, " ");
	ui_clip(&line, moq, mw, 1);
	kbuf_puts(&line, " ");
	ui_clip(&line, stock, stw, 1);
	kbuf_printf(&line, " %s", r->status);
	ui_clip(out, kbuf_str(&line), width, 1);
	kbuf_free(&line);
}

void ui_mylistings_open(struct ui *u, int i)
{
	struct my_listings *m = state(u);
	if (i < m->n)
		ui_view_show_id(u, TAB_LISTINGS, VIEW_MYLISTING, m->open_id, sizeof m->open_id,
		                m->rows[i].id);
}

/* --- one listing ----------------------------------------------------------------- */

#define LABEL_COLS 13 /* the width of the detail view's labels */

static void join(struct kbuf *b, const struct kstrv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		kbuf_printf(b, "%s%s", i ? ", " : "", sv->v[i]);
}

void ui_mylisting_title(struct ui *u, struct kbuf *out)
{
	struct my_listings *m = state(u);
	char ke[16], kp[16], ks[16];
	ui_key_of("mylisting", ACT_EDIT, "e", ke, sizeof ke);
	ui_key_of("mylisting", ACT_PAUSE, "p", kp, sizeof kp);
	ui_key_of("mylisting", ACT_STOCK, "s", ks, sizeof ks);
	const char *sku = m->open_id;
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->rows[i].id, m->open_id) == 0)
			sku = m->rows[i].sku;
	kbuf_printf(out, "Your listing %s   %s price · %s stock · %s pause/resume · q back", sku,
	            ke, ks, kp);
}

void ui_mylisting_build(struct ui *u, int width)
{
	struct my_listings *m = state(u);
	struct ui_view *v = ui_build_begin(u, VIEW_MYLISTING, m->open_id, width);
	if (!v)
		return;
	struct listing l;
	struct kerr e = {0};
	if (store_listing_get(u->s, m->open_id, &l, &e) != K_OK) {
		kstrv_push(&v->lines, "This listing is no longer in the cache.");
		ui_view_set_rows(u, v, (int)v->lines.n);
		return;
	}
	struct kbuf b = KBUF_INIT;
	char amt[MONEY_FMT_MAX], when[KTIME_LOCAL_MAX], q[MONEY_FMT_MAX];
	ui_field(&v->lines, LABEL_COLS, "Title", l.title, width);
	ui_field(&v->lines, LABEL_COLS, "SKU", l.sku, width);
	ui_field(&v->lines, LABEL_COLS, "Id", l.id, width);
	ui_field(&v->lines, LABEL_COLS, "Status",
	         strcmp(l.status, "paused") == 0 ? "paused (not in search results)" : l.status,
	         width);
	for (size_t i = 0; i < l.ntiers; i++) {
		money_text(l.tiers[i].unit_price, l.currency, amt);
		kbuf_printf(&b, "%sfrom %s: %s %s", i ? "; " : "",
		            count_text(l.tiers[i].min_qty, q), amt, l.currency);
	}
	kbuf_printf(&b, " per %s", codes_unit_count(l.unit, 1));
	ui_field(&v->lines, LABEL_COLS, "Price", kbuf_str(&b), width);
	kbuf_reset(&b);
	kbuf_printf(&b, "%s %s", count_text(l.moq, q), codes_unit_count(l.unit, l.moq));
	ui_field(&v->lines, LABEL_COLS, "MOQ", kbuf_str(&b), width);
	kbuf_reset(&b);
	if (listing_stock(&l) >= 0)
		kbuf_printf(&b, "%s %s on hand", count_text(listing_stock(&l), q),
		            codes_unit_count(l.unit, listing_stock(&l)));
	else if (listing_variants_stock(&l) >= 0)
		kbuf_puts(&b, "each variant's, below");
	ui_field(&v->lines, LABEL_COLS, "Stock", kbuf_str(&b), width);
	if (l.variants) {
		struct kstrv vl = {0};
		kbuf_reset(&b);
		struct kbuf head = KBUF_INIT;
		listing_variant_lines(&l, "", &vl, &b);
		kbuf_printf(&head, "%zu%s%s", vl.n, b.len ? ", by " : "", kbuf_str(&b));
		ui_field(&v->lines, LABEL_COLS, "Variants", kbuf_str(&head), width);
		for (size_t i = 0; i < vl.n; i++)
			ui_field(&v->lines, LABEL_COLS, "", vl.v[i], width);
		kbuf_free(&head);
		kstrv_free(&vl);
	}
	ui_field(&v->lines, LABEL_COLS, "Category", l.category, width);
	kbuf_reset(&b);
	join(&b, &l.tags);
	ui_field(&v->lines, LABEL_COLS, "Tags", kbuf_str(&b), width);
	kbuf_reset(&b);
	join(&b, &l.incoterms);
	ui_field(&v->lines, LABEL_COLS, "Incoterms", kbuf_str(&b), width);
	ui_field(&v->lines, LABEL_COLS, "Origin", l.origin_country, width);
	ui_field(&v->lines, LABEL_COLS, "Ships from", l.ships_from, width);
	char lead[32];
	listing_lead_words(&l, lead);
	ui_field(&v->lines, LABEL_COLS, "Lead time", lead, width);
	ui_field(&v->lines, LABEL_COLS, "HS code", l.hs_code, width);
	char packing[160];
	listing_packing_words(&l, packing, sizeof packing);
	ui_field(&v->lines, LABEL_COLS, "Packing", packing, width);
	kbuf_reset(&b);
	if (l.images.n)
		kbuf_printf(&b, "%zu", l.images.n);
	ui_field(&v->lines, LABEL_COLS, "Images", kbuf_str(&b), width);
	ui_field(&v->lines, LABEL_COLS, "Listed", ktime_local(l.created, when, sizeof when), width);
	ui_field(&v->lines, LABEL_COLS, "Changed", ktime_local(l.updated, when, sizeof when),
	         width);
	if (l.description && *l.description) {
		kstrv_push(&v->lines, "");
		kbuf_reset(&b);
		text_sanitize(&b, l.description, strlen(l.description), 1);
		ui_wrap(kbuf_str(&b), width, "", &v->lines); /* paragraph by paragraph */
	}
	kbuf_free(&b);
	listing_free(&l);
	ui_view_set_rows(u, v, (int)v->lines.n);
}

/* --- e and p ---------------------------------------------------------------------- */

/* The listing the key is about: the detail view's, else the row under the cursor. */
static const struct my_row *target(struct ui *u)
{
	struct my_listings *m = state(u);
	if (u->tab_view[TAB_LISTINGS] == VIEW_MYLISTING) {
		for (int i = 0; i < m->n; i++)
			if (strcmp(m->rows[i].id, m->open_id) == 0)
				return &m->rows[i];
		return NULL;
	}
	int cur = u->views[VIEW_MYLISTINGS].cur;
	return cur < m->n ? &m->rows[cur] : NULL;
}

/* "11.50 100:10.80 500:9.90" -> --price 11.50 --tier 100:10.80 --tier 500:9.90 on argv
 * (from index *argc, at most cap). The words stay in words (caller frees). K_EINVAL with
 * the reason when the line is not a price and QTY:AMOUNT breaks. */
int ui_listing_price_args(const char *line, struct kstrv *words, int *argc, char **argv, int cap,
                          struct kerr *e)
{
	const char *p = line;
	int price = 0;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',' || *p == ';')
			p++;
		if (!*p)
			break;
		size_t len = strcspn(p, " \t,;");
		char *w = xstrndup(p, len);
		p += len;
		int tier = strchr(w, ':') != NULL;
		if (!tier && price) {
			free(w);
			return kerr_set(e, K_EINVAL,
			                "one price, then quantity breaks as QTY:AMOUNT (e.g. 11.50 "
			                "100:10.80)");
		}
		if (*argc + 2 > cap) {
			free(w);
			return kerr_set(e, K_EINVAL, "at most %d price tiers", MODEL_TIERS_MAX);
		}
		kstrv_push(words, w);
		free(w);
		argv[(*argc)++] = tier ? "--tier" : "--price";
		argv[(*argc)++] = words->v[words->n - 1];
		price |= !tier;
	}
	if (*argc == 0)
		return kerr_set(e, K_EINVAL, "no price given (e.g. 11.50 100:10.80)");
	return K_OK;
}

static int variants_priced(const struct listing *l);
static void variant_prices_done(struct ui *u, const char *answer, struct listing *l);

/* Runs a listing command; its outcome (old -> new) stays whole on the prompt rows, as the
 * status line cuts it. */
static int run_noted(struct ui *u, int argc, char **argv)
{
	struct ui_ran ran;
	int rc = ui_run_command(u, argc, argv, &ran);
	ui_ask_note(u, kbuf_str(&u->msg));
	return rc;
}

static void edit_done(struct ui *u, const char *answer, void *arg)
{
	struct my_listings *m = state(u);
	if (!answer) /* cancelled */
		return;
	struct listing l;
	if (store_listing_get(u->s, m->act_id, &l, NULL) == K_OK) {
		int each = variants_priced(&l);
		if (each)
			variant_prices_done(u, answer, &l);
		listing_free(&l);
		if (each)
			return;
	}
	struct kstrv words = {0};
	char *argv[4 + 2 * (MODEL_TIERS_MAX + 1)];
	int argc = 0;
	struct kerr e = {0};
	argv[argc++] = "listing";
	argv[argc++] = "edit";
	argv[argc++] = m->act_id;
	int n = 0;
	int rc = ui_listing_price_args(answer, &words, &n, argv + argc,
	                               (int)(sizeof argv / sizeof argv[0]) - argc, &e);
	struct ui_ran ran;
	if (rc) {
		ui_ask_retry(u, e.msg, answer); /* asked again, as typed */
	} else if (ui_run_command(u, argc + n, argv, &ran) == K_EUSAGE) {
		/* the rules refused what she typed (a break dearer than the price below it): asked
		 * again as typed, the reason in the prompt's words, not the option's */
		const char *why = ran.e.msg;
		if (strncmp(why, "--tier: ", 8) == 0 || strncmp(why, "--price: ", 9) == 0)
			why = strchr(why, ' ') + 1;
		ui_ask_retry(u, why, answer);
		kbuf_reset(&u->msg); /* said once, on the question */
	} else {
		ui_ask_note(u, kbuf_str(&u->msg));
		ui_mylistings_shown(u); /* her listings again, the open one rebuilt */
	}
	kstrv_free(&words);
}

/* A number of units as --stock takes it: digits, or none. */
static int stock_word(const char *w)
{
	if (strcmp(w, "none") == 0)
		return 1;
	size_t n = strspn(w, "0123456789");
	return n && n <= 15 && !w[n];
}

/* The words of an answer, split at blanks, ',' and ';'. */
static void split_words(const char *answer, struct kstrv *words)
{
	for (const char *p = answer; *p;) {
		while (*p == ' ' || *p == ',' || *p == ';')
			p++;
		size_t n = strcspn(p, " ,;");
		if (n) {
			char *w = xstrndup(p, n);
			kstrv_push(words, w);
			free(w);
		}
		p += n;
	}
}

/* Whether l's variants have prices of their own: then the price asked is each one's. */
static int variants_priced(const struct listing *l)
{
	const cJSON *v;
	cJSON_ArrayForEach(
	    v, l->variants) if (cJSON_GetObjectItemCaseSensitive(v, "unitPrice")) return 1;
	return 0;
}

/* For each word SKU=VALUE (checked so): `listing edit --variant SKU FLAG VALUE` where the
 * variant does not say VALUE now (same), stopping at the first refusal. */
static void edit_variants(struct ui *u, const struct listing *l, struct kstrv *words,
                          const char *flag,
                          int (*same)(const struct listing *, const cJSON *, const char *))
{
	struct my_listings *m = state(u);
	struct ui_ran ran;
	int ran_any = 0;
	struct kbuf said = KBUF_INIT; /* each outcome, for the prompt rows */
	for (size_t i = 0; i < words->n; i++) {
		char *eq = strchr(words->v[i], '=');
		*eq = '\0';
		const cJSON *v;
		struct kerr e = {0};
		if (listing_variant_find(l, words->v[i], &v, &e) != K_OK) {
			ui_say(u, "%s: %s", flag + 2, e.msg);
			return;
		}
		if (same(l, v, eq + 1))
			continue; /* as it was */
		char *argv[7] = {"listing",   "edit",       m->act_id, "--variant",
		                 words->v[i], (char *)flag, eq + 1};
		ran_any = 1;
		int rc = ui_run_command(u, 7, argv, &ran);
		kbuf_printf(&said, "%s%s", said.len ? "; " : "", kbuf_str(&u->msg));
		if (rc != K_OK && rc != K_EQUEUED)
			break; /* its reason is on the status line */
	}
	if (!ran_any)
		ui_say(u, "%s: nothing changed", flag + 2);
	else
		ui_ask_note(u, kbuf_str(&said));
	kbuf_free(&said);
}

static int same_price(const struct listing *l, const cJSON *v, const char *value)
{
	int64_t want;
	return money_parse(value, l->currency, &want, NULL) == K_OK &&
	       want == listing_variant_price(l, v, l->moq);
}

static int same_stock(const struct listing *l, const cJSON *v, const char *value)
{
	(void)l;
	int64_t had = listing_variant_stock(v);
	char was[32];
	snprintf(was, sizeof was, "%lld", (long long)had);
	return had >= 0 ? strcmp(was, value) == 0 : strcmp(value, "none") == 0;
}

/* "QUAT-S=45000 QUAT-L=70000": a `listing edit --variant SKU --price` for each variant whose
 * price changed (amounts as the command line takes them). */
static void variant_prices_done(struct ui *u, const char *answer, struct listing *l)
{
	struct kstrv words = {0};
	split_words(answer, &words);
	const char *bad = NULL;
	for (size_t i = 0; i < words.n && !bad; i++) {
		const char *eq = strchr(words.v[i], '=');
		if (!eq || eq == words.v[i] || !eq[1])
			bad = words.v[i];
	}
	if (!words.n || bad) {
		ui_ask_retry(u, "each variant's SKU=AMOUNT, as shown (e.g. QUAT-L=70000)", answer);
		kstrv_free(&words);
		return;
	}
	edit_variants(u, l, &words, "--price", same_price);
	kstrv_free(&words);
	ui_mylistings_shown(u); /* her listings again, the open one rebuilt */
}

/* "40", "none", or for variants that keep their own "GIO-TRE-S=12 GIO-TRE-L=20": a
 * `listing edit --stock` for the listing, or one for each variant whose number changed. */
static void stock_done(struct ui *u, const char *answer, void *arg)
{
	struct my_listings *m = state(u);
	if (!answer)
		return;
	struct listing l;
	if (store_listing_get(u->s, m->act_id, &l, NULL) != K_OK) {
		ui_say(u, "stock: the listing is no longer in the cache");
		return;
	}
	int variants = listing_variants_stock(&l) >= 0;
	struct kstrv words = {0};
	split_words(answer, &words);
	const char *bad = NULL;
	for (size_t i = 0; i < words.n && !bad; i++) {
		const char *eq = strchr(words.v[i], '=');
		if (variants != (eq != NULL) || !stock_word(eq ? eq + 1 : words.v[i]))
			bad = words.v[i];
	}
	if (!words.n || bad || (!variants && words.n > 1)) {
		ui_ask_retry(u,
		             variants ? "each variant's SKU=N, as shown (N: a whole number or none)"
		                      : "one number of units on hand, or none",
		             answer);
	} else if (!variants) {
		char *argv[5] = {"listing", "edit", m->act_id, "--stock", words.v[0]};
		run_noted(u, 5, argv);
	} else {
		edit_variants(u, &l, &words, "--stock", same_stock);
	}
	kstrv_free(&words);
	listing_free(&l);
	ui_mylistings_shown(u); /* her listings again, the open one rebuilt */
}

/* The stock prompt: what the listing says now, the listing's or each variant's. */
static void stock_fill(const struct listing *l, const char *sku, struct kbuf *label,
                       struct kbuf *now)
{
	if (listing_variants_stock(l) < 0) {
		if (l->stock >= 0)
			kbuf_printf(now, "%lld", (long long)l->stock);
		kbuf_printf(label, "%s stock on hand (a number, or none): ", sku);
		return;
	}
	const cJSON *v;
	cJSON_ArrayForEach(v, l->variants)
	{
		const char *vs = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "sku"));
		int64_t n = listing_variant_stock(v);
		if (!vs)
			continue;
		kbuf_printf(now, "%s%s=", now->len ? " " : "", vs);
		if (n >= 0)
			kbuf_printf(now, "%lld", (long long)n);
		else
			kbuf_puts(now, "none");
	}
	kbuf_printf(label, "%s stock of each variant, SKU=N: ", sku);
}

static void pause_done(struct ui *u, int yes, void *arg)
{
	struct my_listings *m = state(u);
	if (!yes)
		return;
	char *argv[3] = {"listing", m->act_pause ? "pause" : "resume", m->act_id};
	run_noted(u, 3, argv);
	ui_mylistings_shown(u); /* her listings again, the open one rebuilt */
}

/* The price prompt: the price from the MOQ, then the breaks, as the command line takes
 * amounts (no thousands separators). */
static void price_fill(const struct listing *l, const char *sku, struct kbuf *label,
                       struct kbuf *now)
{
	char amt[MONEY_FMT_MAX];
	if (variants_priced(l)) { /* each variant's own, which is what a buyer pays */
		const cJSON *v;
		cJSON_ArrayForEach(v, l->variants)
		{
			const char *vs = listing_variant_sku(v);
			if (!vs)
				continue;
			money_format(listing_variant_price(l, v, l->moq), l->currency, amt);
			kbuf_printf(now, "%s%s=", now->len ? " " : "", vs);
			for (const char *a = amt; *a; a++)
				if (*a != ',')
					kbuf_putc(now, *a);
		}
		kbuf_printf(label, "%s price of each variant in %s, SKU=AMOUNT: ", sku,
		            l->currency);
		return;
	}
	for (size_t i = 0; i < l->ntiers; i++) {
		money_format(l->tiers[i].unit_price, l->currency, amt);
		if (i)
			kbuf_printf(now, " %lld:", (long long)l->tiers[i].min_qty);
		for (const char *a = amt; *a; a++)
			if (*a != ',')
				kbuf_putc(now, *a);
	}
	kbuf_printf(label, "%s price %s, breaks QTY:AMOUNT: ", sku, l->currency);
}

/* Asks about her listing r on the prompt row, starting with what fill says it has now. */
static void ask_about(struct ui *u, const struct my_row *r,
                      void (*fill)(const struct listing *, const char *, struct kbuf *,
                                   struct kbuf *),
                      ui_ask_line_fn done)
{
	struct my_listings *m = state(u);
	struct listing l;
	if (store_listing_get(u->s, r->id, &l, NULL) != K_OK) {
		ui_say(u, "listing %s is no longer in the cache", r->sku);
		return;
	}
	struct kbuf now = KBUF_INIT, label = KBUF_INIT;
	fill(&l, r->sku, &label, &now);
	snprintf(m->act_id, sizeof m->act_id, "%s", r->id);
	ui_ask_line(u, kbuf_str(&label), kbuf_str(&now), done, NULL);
	kbuf_free(&now);
	kbuf_free(&label);
	listing_free(&l);
}

int ui_mylistings_action(struct ui *u, enum ui_action act)
{
	if (act != ACT_EDIT && act != ACT_PAUSE && act != ACT_STOCK)
		return 0;
	const struct my_row *r = target(u);
	if (!r) {
		ui_say(u, "no listing here: add one with :listing add --title ... --price ...");
		return 1;
	}
	if (act == ACT_EDIT || act == ACT_STOCK) {
		ask_about(u, r, act == ACT_EDIT ? price_fill : stock_fill,
		          act == ACT_EDIT ? edit_done : stock_done);
		return 1;
	}
	struct my_listings *m = state(u);
	snprintf(m->act_id, sizeof m->act_id, "%s", r->id);
	m->act_pause = strcmp(r->status, "paused") != 0;
	struct kbuf q = KBUF_INIT;
	if (m->act_pause)
		kbuf_printf(&q, "Pause %s? It leaves the search results.", r->sku);
	else
		kbuf_printf(&q, "Resume %s? It is found in search again.", r->sku);
	ui_ask_yn(u, kbuf_str(&q), pause_done, NULL);
	kbuf_free(&q);
	return 1;
}

void ui_mylistings_free(struct ui *u)
{
	struct ui_view *v = &u->views[VIEW_MYLISTINGS];
	struct my_listings *m = v->priv;
	if (!m)
		return;
	rows_clear(m);
	free(m->rows);
	free(m);
	v->priv = NULL;
}
