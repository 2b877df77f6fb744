/* ui/search — the Search tab: a query line (words plus filter words such as country:CN),
 * the filter bar, the results from store_search, and one listing with its supplier. All
 * from the cache; a summary from a pull is said to be one, never shown as the signed
 * listing. */
#include "ui.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../store/photo.h"
#include "kontor/codes.h"
#include "kontor/imagehash.h"
#include "kontor/money.h"
#include "kontor/text.h"

/* The first page is what a screen shows and a little more: each hit is one lookup in the
 * cache, and start-up time counts (DESIGN §11). Moving near the end fetches the next. */
#define RESULTS_FIRST 40
#define RESULTS_MORE 100
#define OTHERS_MAX 20
#define PHOTO_RESULTS 200 /* a photo search comes whole: matches are few */

static const char *const sort_names[] = {"relevance", "price", "rating", "newest"};

/* The Search tab's own state, in the results view's priv (made on first use, freed by its
 * ops->free): the results, the filter bar, the listing open. */
struct search_ui {
	struct search_result res;
	int have_res;
	int *res_dist;       /* a photo search (photo:PATH): each result's distance; else NULL */
	struct kbuf filters; /* the filter bar's text */
	char listing_id[MODEL_LISTING_ID_LEN + 1];
	/* the cache's scope when it is not the market ("node main's scope mine"), read at each
	 * search, and its node: an empty result says the node may have more; "" in the market */
	char scope[300], node[80], words[200];
	int price_cols; /* the widest price of res (price_text), 0 until measured */
};

static struct search_ui *state(struct ui *u)
{
	struct ui_view *v = &u->views[VIEW_RESULTS];
	if (!v->priv)
		v->priv = xcalloc(1, sizeof(struct search_ui));
	return v->priv;
}

/* How many of the matches are on screen, on the status line. */
static void say_count(struct ui *u, const struct search_ui *st)
{
	ui_say_of(u, TAB_SEARCH, "%zu shown of %s%lld", st->res.n,
	          st->res.total_capped ? "over " : "", (long long)st->res.total);
}

static void upper(char *dst, size_t cap, const char *s, size_t n)
{
	size_t i = 0;
	for (; i + 1 < cap && i < n; i++)
		dst[i] = (char)toupper((unsigned char)s[i]);
	dst[i] = '\0';
}

/* A code filter's value (NAME:VALUE) in capitals into code (8 bytes), checked (codes.h's
 * check, which names the filter in its error) and set as *set. */
static int code_filter(const char *v, size_t vl, char code[8], const char *name,
                       int (*check)(const char *, const char *, struct kerr *), const char **set,
                       struct kerr *e)
{
	upper(code, 8, v, vl);
	int rc = check(code, name, e);
	if (!rc)
		*set = code;
	return rc;
}

/* Words of the query; a word NAME:VALUE (or "verified") sets a filter instead; photo:PATH
 * (*photo, malloc'd) searches by the picture in that file. */
static int parse_query(const char *text, struct search_query *q, struct kbuf *words,
                       struct kbuf *bar, char country[8], char currency[8], char incoterm[8],
                       char **category, char **photo, struct kerr *e)
{
	const char *max = NULL;
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		size_t n = (size_t)(p - w);
		const char *colon = memchr(w, ':', n);
		size_t kl = colon ? (size_t)(colon - w) : n;
		const char *v = colon ? colon + 1 : NULL;
		size_t vl = colon ? n - kl - 1 : 0;
		char val[64];
		snprintf(val, sizeof val, "%.*s", (int)(vl < 63 ? vl : 63), v ? v : "");
		int rc = K_OK; /* a code filter's check */
#define IS(name) (kl == strlen(name) && strncmp(w, name, kl) == 0)
		if (!colon && IS("verified")) {
			q->filter.verified = 1;
		} else if (colon && IS("country")) {
			rc = code_filter(v, vl, country, "country:", codes_check_country,
			                 &q->filter.country, e);
		} else if (colon && IS("currency")) {
			rc = code_filter(v, vl, currency, "currency:", codes_check_currency,
			                 &q->filter.currency, e);
		} else if (colon && IS("incoterm")) {
			rc = code_filter(v, vl, incoterm, "incoterm:", codes_check_incoterm,
			                 &q->filter.incoterm, e);
		} else if (colon && IS("category")) {
			free(*category);
			*category = xstrdup(val);
			q->filter.category = *category;
		} else if (colon && IS("photo")) {
			if (!vl)
				return kerr_set(e, K_EINVAL, "photo: needs a file (photo:PATH)");
			free(*photo);
			*photo = xmalloc(vl + 1);
			memcpy(*photo, v, vl);
			(*photo)[vl] = '\0';
		} else if (colon && IS("max")) {
			max = v;
		} else if (colon && IS("moq")) {
			char *end;
			long long m = strtoll(val, &end, 10);
			if (!*val || *end || m < 1)
				return kerr_set(e, K_EINVAL,
				                "moq:%s is not a whole number of 1 or more", val);
			q->filter.max_moq = m;
		} else if (colon && IS("sort")) {
			int found = -1;
			for (int i = 0; i < 4; i++)
				if (strcmp(val, sort_names[i]) == 0)
					found = i;
			if (found < 0)
				return kerr_set(e, K_EINVAL,
				                "sort:%s is not relevance, price, rating or newest",
				                val);
			q->sort = (enum search_sort)found;
		} else {
			kbuf_printf(words, "%s%.*s", words->len ? " " : "", (int)n, w);
		}
#undef IS
		if (rc)
			return rc;
	}
	if (max) {
		char val[64];
		snprintf(val, sizeof val, "%.*s", (int)strcspn(max, " "), max);
		if (!q->filter.currency)
			return kerr_set(
			    e, K_EINVAL,
			    "max:%s needs currency:CUR (prices are compared in one currency)", val);
		int rc = money_parse(val, q->filter.currency, &q->filter.max_price, e);
		if (rc) {
			kerr_prefix(e, "max:");
			return rc;
		}
	}
	/* the filter bar says what is in force, in the words the query takes */
	kbuf_puts(bar, "filters:");
	size_t before = bar->len;
	/* " · " between filters, never before the first */
#define FILTER_SEP (bar->len == before ? " " : " · ")
	if (q->filter.country)
		kbuf_printf(bar, "%scountry %s", FILTER_SEP, q->filter.country);
	if (q->filter.currency)
		kbuf_printf(bar, "%scurrency %s", FILTER_SEP, q->filter.currency);
	if (q->filter.max_price >= 0) {
		char amt[MONEY_FMT_MAX];
		money_text(q->filter.max_price, q->filter.currency, amt);
		kbuf_printf(bar, "%smax %s", FILTER_SEP, amt);
	}
	if (q->filter.max_moq >= 0)
		kbuf_printf(bar, "%sMOQ ≤ %lld", FILTER_SEP, (long long)q->filter.max_moq);
	if (q->filter.verified)
		kbuf_printf(bar, "%sverified only", FILTER_SEP);
	if (q->filter.incoterm)
		kbuf_printf(bar, "%s%s", FILTER_SEP, q->filter.incoterm);
	if (q->filter.category)
		kbuf_printf(bar, "%scategory %s", FILTER_SEP, q->filter.category);
	if (*photo)
		kbuf_printf(bar, "%slike the photo %s", FILTER_SEP, *photo);
#undef FILTER_SEP
	if (bar->len == before)
		kbuf_puts(bar, " none");
	if (*photo && q->sort != SEARCH_RELEVANCE)
		return kerr_set(e, K_EINVAL, "photo: results come nearest first; leave out sort:");
	kbuf_printf(bar, "  ·  sorted by %s", *photo ? "distance" : sort_names[q->sort]);
	return K_OK;
}

/* The query line parsed: the query, and the text its pointers point into. */
struct parsed {
	struct search_query q;
	struct kbuf words, bar; /* the words searched; the filter bar */
	char country[8], currency[8], incoterm[8];
	char *category, *photo;
};

/* u->query parsed into p (parse_query) for the first limit rows; p is the caller's to free
 * with parsed_free, also when it fails. */
static int parse_line(struct ui *u, int limit, struct parsed *p, struct kerr *e)
{
	struct kbuf text = KBUF_INIT;
	memset(p, 0, sizeof *p);
	p->q = (struct search_query){
	    .filter = KSEARCH_QUERY_ANY,
	    .limit = limit,
	};
	ui_line_utf8(&u->query, &text);
	int rc = parse_query(kbuf_str(&text), &p->q, &p->words, &p->bar, p->country, p->currency,
	                     p->incoterm, &p->category, &p->photo, e);
	p->q.filter.text = kbuf_str(&p->words);
	kbuf_free(&text);
	return rc;
}

static void parsed_free(struct parsed *p)
{
	free(p->category);
	free(p->photo);
	kbuf_free(&p->words);
	kbuf_free(&p->bar);
}

void ui_search_run(struct ui *u)
{
	struct search_ui *st = state(u);
	struct kbuf safe = KBUF_INIT;
	struct parsed p;
	struct kerr e = {0};
	int rc = parse_line(u, RESULTS_FIRST, &p, &e);
	struct search_result r = {0};
	int *dist = NULL;
	if (rc == K_OK && p.photo) {
		/* hashed here from the file; the picture never leaves the machine */
		uint64_t h, hs[KIMG_TURNS];
		struct kimg_info info;
		struct photo_result pr;
		p.q.limit = PHOTO_RESULTS;
		rc = kimg_hash_file(p.photo, NULL, &h, &info, &e);
		if (rc == K_OK)
			rc = store_photo_search(u->s, &p.q, hs, kimg_query_turns(&info, 2, hs),
			                        KIMG_DIST_SIMILAR, &pr, &e);
		if (rc == K_OK) {
			r = pr.r;
			dist = pr.distance;
		}
	} else if (rc == K_OK) {
		rc = store_search(u->s, &p.q, &r, &e);
	}
	char *node = NULL;
	st->scope[0] = st->node[0] = st->words[0] = '\0';
	if (cmd_cache_scope(u->c, &node, st->words, sizeof st->words)) {
		snprintf(st->scope, sizeof st->scope, "node %s's scope %s", node, st->words);
		snprintf(st->node, sizeof st->node, "%s", node);
	}
	free(node);
	if (rc == K_OK) {
		if (st->have_res)
			search_result_free(&st->res);
		free(st->res_dist);
		st->res = r;
		st->res_dist = dist;
		st->price_cols = 0;
		st->have_res = 1;
		text_sanitize(&safe, kbuf_str(&p.bar), p.bar.len, 0);
		kbuf_reset(&st->filters);
		kbuf_puts(&st->filters, kbuf_str(&safe));
		struct ui_view *v = &u->views[VIEW_RESULTS];
		v->cur = v->top = 0;
		ui_view_set_rows(u, v, (int)r.n);
		if (r.n == 0 && p.photo)
			ui_say_of(u, TAB_SEARCH,
			          "no cached listing has a picture like %s (`:search --photo %s "
			          "--remote` asks the node)",
			          p.photo, p.photo);
		else if (r.n == 0 && st->scope[0])
			ui_say_of(u, TAB_SEARCH, "none in scope %s", st->words);
		else if (r.n == 0)
			ui_say_of(u, TAB_SEARCH, "no listings match in the cache%s",
			          p.words.len ? " (`:search WORDS --remote` asks the node)" : "");
		else
			say_count(u, st);
	} else {
		ui_say(u, "%s", e.msg[0] ? e.msg : kstatus_str(rc));
	}
	parsed_free(&p);
	kbuf_free(&safe);
	u->dirty |= DIRTY_BODY | DIRTY_HEAD;
}

void ui_results_empty(struct ui *u, struct kbuf *out)
{
	const struct search_ui *st = state(u);
	if (st->scope[0])
		kbuf_printf(out,
		            "nothing in the cache matches: it holds %s, not the market. "
		            "`:search WORDS --remote` asks the node; `:node scope %s market` pulls "
		            "the market's listings at the next sync.",
		            st->scope, st->node);
	else
		kbuf_puts(out, "no listings in the cache match (`kontor sync` fills the cache)");
}

/* The tab comes back on screen: the count again, which another tab's word replaced. */
void ui_search_shown(struct ui *u)
{
	struct search_ui *st = state(u);
	if (st->have_res && st->res.n)
		say_count(u, st);
}

void ui_search_typed(struct ui *u, const char *text)
{
	(void)text; /* the query is u->query, as the head draws it */
	ui_search_run(u);
}

void ui_search_more(struct ui *u)
{
	struct search_ui *st = state(u);
	if (!st->have_res || (int64_t)st->res.n >= st->res.total || st->res.n >= 1000 ||
	    st->res_dist)
		return; /* a photo search came whole */
	struct parsed p;
	struct kerr e = {0};
	/* the query that made the results: the line only changes through ui_search_run */
	int rc = parse_line(u, RESULTS_MORE, &p, &e);
	p.q.offset = (int)st->res.n;
	struct search_result r = {0};
	if (rc == K_OK)
		rc = store_search(u->s, &p.q, &r, &e);
	if (rc == K_OK && r.n) {
		/* the titles move over to st->res, which frees them */
		st->res.hits = xrealloc(st->res.hits, (st->res.n + r.n) * sizeof *st->res.hits);
		memcpy(st->res.hits + st->res.n, r.hits, r.n * sizeof *r.hits);
		st->res.n += r.n;
		st->price_cols = 0;
		free(r.hits);
		ui_view_set_rows(u, &u->views[VIEW_RESULTS], (int)st->res.n);
		say_count(u, st);
	} else if (rc == K_OK) {
		st->res.total = (int64_t)st->res.n; /* the cache changed under us: no more */
		search_result_free(&r);
	} else {
		ui_say(u, "%s", e.msg);
	}
	parsed_free(&p);
}

/* Column widths of a result row after the title. The price column is as wide as the
 * results' widest price, at most COL_PRICE: the title keeps the room prices do not use. */
#define COL_PRICE 24 /* "USD 1234.50 from 1100.00": at the MOQ, from the best tier */
#define COL_MOQ 7
#define COL_UNIT 5 /* what the price is per and the MOQ counts: "pcs", "m²", "boxes" */
#define COL_CC 3
#define COL_VER 2
#define COL_RATING 9
#define COLS_AFTER_PRICE (1 + COL_MOQ + 1 + COL_UNIT + 1 + COL_CC + COL_VER + COL_RATING)

/* A hit's price as its column shows it: "VND 85,000", "USD 13.00 from 11.50". */
static void price_text(const struct search_hit *h, char *out, size_t cap)
{
	char amt[MONEY_FMT_MAX], best[MONEY_FMT_MAX];
	money_text(h->price, h->currency, amt);
	snprintf(out, cap, "%.3s %s", h->currency, amt);
	if (h->best < h->price) {
		money_text(h->best, h->currency, best);
		snprintf(out, cap, "%.3s %s from %s", h->currency, amt, best);
	}
}

static int price_cols(struct search_ui *st)
{
	if (!st->price_cols) {
		st->price_cols = (int)strlen("PRICE");
		for (size_t i = 0; i < st->res.n && st->price_cols < COL_PRICE; i++) {
			char price[64];
			price_text(&st->res.hits[i], price, sizeof price);
			int w = (int)text_width(price);
			if (w > st->price_cols)
				st->price_cols = w < COL_PRICE ? w : COL_PRICE;
		}
	}
	return st->price_cols;
}

static int title_width(struct search_ui *st, int width)
{
	int w = width - 2 - 1 - price_cols(st) - COLS_AFTER_PRICE;
	return w < 10 ? 10 : w;
}

/* Three rows (the view table says so): the query, the filter bar, the column titles. */
void ui_search_head(struct ui *u, int y)
{
	struct search_ui *st = state(u);
	int cols = COLS;
	if (u->prompt == PROMPT_QUERY) {
		/* drawn with the cursor by ui_draw */
	} else {
		struct kbuf t = KBUF_INIT;
		ui_line_utf8(&u->query, &t);
		struct ui_line l;
		ui_line_set(&l, kbuf_str(&t));
		ui_line_draw(&l, "Search: ", y, cols, A_NORMAL);
		kbuf_free(&t);
	}
	kbuf_reset(&u->tmp);
	text_clip(&u->tmp, kbuf_str(&st->filters), (size_t)cols, 1);
	attrset(u->a_dim);
	mvaddstr(y + 1, 0, kbuf_str(&u->tmp));
	kbuf_reset(&u->tmp);
	kbuf_puts(&u->tmp, "  ");
	text_clip(&u->tmp, "TITLE", (size_t)title_width(st, cols), 1);
	kbuf_printf(&u->tmp, " %*s %*s %*s %-*s%-*s%-*s", price_cols(st), "PRICE", COL_MOQ, "MOQ",
	            COL_UNIT, "", COL_CC, "CC", COL_VER + 2, "✓", COL_RATING, "RATING");
	struct kbuf row = KBUF_INIT;
	text_clip(&row, kbuf_str(&u->tmp), (size_t)cols, 1);
	attrset(u->a_head);
	mvaddstr(y + 2, 0, kbuf_str(&row));
	attrset(A_NORMAL);
	kbuf_free(&row);
}

void ui_results_row(struct ui *u, int i, struct kbuf *out, int width)
{
	struct search_ui *st = state(u);
	const struct search_hit *h = &st->res.hits[i];
	struct kbuf t = KBUF_INIT, line = KBUF_INIT;
	char price[64], rating[24], moq[MONEY_FMT_MAX];
	text_sanitize(&t, h->title, strlen(h->title), 0);
	kbuf_puts(&line, "  ");
	if (st->res_dist) { /* how near its picture is, before the title */
		struct kbuf m = KBUF_INIT;
		kbuf_printf(&m, "%s (%d) · %s", kimg_distance_words(st->res_dist[i]),
		            st->res_dist[i], kbuf_str(&t));
		kbuf_reset(&t);
		kbuf_puts(&t, kbuf_str(&m));
		kbuf_free(&m);
	}
	text_clip_mark(&line, kbuf_str(&t), (size_t)title_width(st, width), 1);
	price_text(h, price, sizeof price);
	if (h->rating_count)
		snprintf(rating, sizeof rating, "%.1f (%lld)", h->rating,
		         (long long)h->rating_count);
	else
		snprintf(rating, sizeof rating, "-");
	kbuf_printf(&line, " %*s %*s ", price_cols(st), price, COL_MOQ, count_text(h->moq, moq));
	text_clip(&line, h->unit[0] ? codes_unit_abbr(h->unit) : "", COL_UNIT, 1);
	kbuf_printf(&line, " %-*.2s%-*s%-*s", COL_CC, h->country,
	            h->verified ? COL_VER + 2 : COL_VER, h->verified ? "✓" : "", COL_RATING,
	            rating);
	text_clip(out, kbuf_str(&line), (size_t)width, 1);
	kbuf_free(&t);
	kbuf_free(&line);
}

/* --- one listing ---------------------------------------------------------------- */

/* " metres" for qty of l's unit, "" where it does not say it (listing_unit_count). */
static const char *unit_after(const struct listing *l, int64_t qty)
{
	static char out[40];
	const char *w = listing_unit_count(l, qty);
	snprintf(out, sizeof out, "%s%s", *w ? " " : "", w);
	return out;
}

struct others {
	const char *self;
	struct kstrv *lines;
	int n, more;
	int width;
};

static int other_listing(void *vctx, const struct listing *l)
{
	struct others *o = vctx;
	if (strcmp(l->id, o->self) == 0 || strcmp(l->status, "active") != 0)
		return 0; /* a paused listing is not offered, as search leaves it out */
	if (o->n >= OTHERS_MAX) {
		o->more++;
		return 0;
	}
	struct kbuf t = KBUF_INIT, line = KBUF_INIT;
	char amt[MONEY_FMT_MAX];
	text_sanitize(&t, l->title, strlen(l->title), 0);
	kbuf_puts(&line, "  ");
	text_clip_mark(&line, kbuf_str(&t), (size_t)(o->width > 80 ? o->width - 50 : 30), 1);
	money_text(l->ntiers ? l->tiers[0].unit_price : 0, l->currency, amt);
	kbuf_printf(&line, "  %s %10s  %s", l->currency, amt, l->id);
	kstrv_push(o->lines, kbuf_str(&line));
	kbuf_free(&t);
	kbuf_free(&line);
	o->n++;
	return 0;
}

/* s made safe to show and wrapped within width, never cut (a long category, a large MOQ in
 * cartons with its stock). */
static void push_safe(struct kstrv *lines, const char *s, int width)
{
	struct kbuf b = KBUF_INIT;
	text_sanitize(&b, s, strlen(s), 0);
	ui_wrap(kbuf_str(&b), width, "", lines);
	kbuf_free(&b);
}

void ui_listing_build(struct ui *u, int width)
{
	struct search_ui *st = state(u);
	struct ui_view *v = ui_build_begin(u, VIEW_LISTING, st->listing_id, width);
	if (!v)
		return;
	struct listing l;
	struct kerr e = {0};
	if (store_listing_get(u->s, st->listing_id, &l, &e) != K_OK) {
		kstrv_push(&v->lines, e.msg[0] ? e.msg : "this listing is no longer in the cache");
		ui_view_set_rows(u, v, (int)v->lines.n);
		return;
	}
	struct kbuf b = KBUF_INIT, t = KBUF_INIT;
	char amt[MONEY_FMT_MAX], q[MONEY_FMT_MAX];
	text_sanitize(&t, l.title, strlen(l.title), 0);
	ui_wrap(kbuf_str(&t), width, "", &v->lines);
	kbuf_printf(&b, "%s   sku %s   %s", l.id, l.sku ? l.sku : "-", l.status);
	push_safe(&v->lines, kbuf_str(&b), width);
	if (!l.sig) {
		char fk[16];
		ui_key_of("listing", ACT_FETCH, "f", fk, sizeof fk);
		kbuf_reset(&t);
		kbuf_printf(
		    &t, "summary — %s fetches the signed listing: variants, stock, lead time", fk);
		kstrv_push(&v->lines, kbuf_str(&t));
	}
	kstrv_push(&v->lines, "");
	kstrv_push(&v->lines, "Price");
	const char *per = listing_unit_count(&l, 1);
	for (size_t i = 0; i < l.ntiers; i++) {
		kbuf_reset(&b);
		money_text(l.tiers[i].unit_price, l.currency, amt);
		kbuf_printf(&b, "  from %9s  %s %s", count_text(l.tiers[i].min_qty, q), l.currency,
		            amt);
		if (*per)
			kbuf_printf(&b, " per %s", per);
		push_safe(&v->lines, kbuf_str(&b), width);
	}
	if (l.variants) {
		kbuf_reset(&b);
		struct kstrv vl = {0};
		listing_variant_lines(&l, "  ", &vl, &b);
		kbuf_reset(&t);
		kbuf_printf(&t, "Variants%s%s", b.len ? ", by " : "", kbuf_str(&b));
		kstrv_push(&v->lines, kbuf_str(&t));
		for (size_t i = 0; i < vl.n; i++)
			kstrv_push(&v->lines, vl.v[i]);
		kstrv_free(&vl);
	}
	kbuf_reset(&b);
	char lead[32];
	listing_lead_words(&l, lead);
	if (l.sig) /* a summary does not carry the lead time or the HS code */
		kbuf_printf(&b, "MOQ %s%s   lead time %s", count_text(l.moq, q),
		            unit_after(&l, l.moq), lead);
	else
		kbuf_printf(&b, "MOQ %s%s   lead time and HS code: in the signed listing",
		            count_text(l.moq, q), unit_after(&l, l.moq));
	if (listing_stock(&l) >= 0)
		kbuf_printf(&b, "   stock %s on hand", count_text(listing_stock(&l), q));
	push_safe(&v->lines, kbuf_str(&b), width);
	kbuf_reset(&b);
	if (l.sig)
		kbuf_printf(&b, "HS code %s   ", l.hs_code ? l.hs_code : "-");
	kbuf_puts(&b, "Incoterms ");
	for (size_t i = 0; i < l.incoterms.n; i++)
		kbuf_printf(&b, "%s%s", i ? ", " : "", l.incoterms.v[i]);
	if (!l.incoterms.n)
		kbuf_puts(&b, "-");
	push_safe(&v->lines, kbuf_str(&b), width);
	kbuf_reset(&b);
	const char *oc = l.origin_country[0] ? codes_country_name(l.origin_country) : NULL;
	kbuf_printf(&b, "origin %s%s%s%s   ships from %s",
	            l.origin_country[0] ? l.origin_country : "-", oc ? " (" : "", oc ? oc : "",
	            oc ? ")" : "", l.ships_from[0] ? l.ships_from : "-");
	if (l.category)
		kbuf_printf(&b, "   category %s", l.category);
	push_safe(&v->lines, kbuf_str(&b), width);
	if (l.description && *l.description) {
		kstrv_push(&v->lines, "");
		kstrv_push(&v->lines, "Description");
		kbuf_reset(&t);
		text_sanitize(&t, l.description, strlen(l.description), 1);
		ui_wrap(kbuf_str(&t), width, "  ", &v->lines);
	}
	kstrv_push(&v->lines, "");
	struct account a;
	struct search_hit hit;
	int verified = 0;
	if (store_search_hit(u->s, l.id, &hit, NULL) == K_OK) {
		verified = hit.verified;
		free(hit.title);
	}
	if (store_account_get(u->s, l.seller_id, &a, NULL) == K_OK) {
		kbuf_reset(&b);
		kbuf_puts(&b, a.display_name);
		if (a.handle)
			kbuf_printf(&b, " (@%s)", a.handle);
		const char *cn = codes_country_name(a.country);
		kbuf_printf(&b, "   %s%s%s%s   %s   ", a.country, cn ? " (" : "", cn ? cn : "",
		            cn ? ")" : "", verified ? "✓ verified" : "not verified");
		if (a.rating.count)
			kbuf_printf(&b, "rating %.1f (%lld)", a.rating.average,
			            (long long)a.rating.count);
		else
			kbuf_puts(&b, "no ratings yet");
		/* wrapped under itself, never cut: the rating is at its end */
		ui_field(&v->lines, 10, "Supplier", kbuf_str(&b), width);
		account_free(&a);
	} else {
		kbuf_reset(&b);
		kbuf_printf(&b, "%s (no profile in the cache yet: `kontor sync`)", l.seller_id);
		ui_field(&v->lines, 10, "Supplier", kbuf_str(&b), width);
	}
	kstrv_push(&v->lines, "");
	kstrv_push(&v->lines, "Other listings of this supplier");
	struct others o = {l.id, &v->lines, 0, 0, width};
	store_listing_each(u->s, l.seller_id, other_listing, &o, NULL);
	if (!o.n)
		kstrv_push(&v->lines, "  none in the cache");
	if (o.more) {
		kbuf_reset(&b);
		kbuf_printf(&b, "  and %d more", o.more);
		kstrv_push(&v->lines, kbuf_str(&b));
	}
	kbuf_free(&b);
	kbuf_free(&t);
	listing_free(&l);
	ui_view_set_rows(u, v, (int)v->lines.n);
}

static void listing_open(struct ui *u, const char *id)
{
	struct search_ui *st = state(u);
	snprintf(st->listing_id, sizeof st->listing_id, "%s", id);
	ui_view_show(u, TAB_SEARCH, VIEW_LISTING);
}

void ui_results_open(struct ui *u, int i)
{
	struct search_ui *st = state(u);
	if (i < (int)st->res.n)
		listing_open(u, st->res.hits[i].id);
}

void ui_results_reload(struct ui *u)
{
	if (u->prompt == PROMPT_QUERY) /* not under a query being typed */
		return;
	struct ui_view *r = &u->views[VIEW_RESULTS];
	int cur = r->cur, top = r->top;
	ui_search_run(u);
	r->cur = cur, r->top = top;
	ui_view_set_rows(u, r, r->n);
}

void ui_listing_reload(struct ui *u)
{
	ui_listing_build(u, COLS);
}

void ui_search_free(struct ui *u)
{
	struct search_ui *st = u->views[VIEW_RESULTS].priv;
	if (!st)
		return;
	if (st->have_res)
		search_result_free(&st->res);
	free(st->res_dist);
	kbuf_free(&st->filters);
	free(st);
	u->views[VIEW_RESULTS].priv = NULL;
}

/* --- the listing's keys: message, quote, propose ------------------------------------ */

static const struct {
	enum ui_action act;
	const char *key, *word;
} listing_acts[] = {
    {ACT_MESSAGE, "m", "message"},
    {ACT_QUOTE, "Q", "quote"},
    {ACT_PROPOSE, "P", "propose"},
};

static int own_listing(struct ui *u, const struct listing *l)
{
	return u->c->self_id[0] && strcmp(l->seller_id, u->c->self_id) == 0;
}

void ui_listing_title(struct ui *u, struct kbuf *out)
{
	struct search_ui *st = state(u);
	ui_trade_head_said(u); /* a queued message or offer that went out meanwhile */
	kbuf_printf(out, "Listing %s  ", st->listing_id);
	struct listing l;
	int own = 0;
	if (st->listing_id[0] && store_listing_get(u->s, st->listing_id, &l, NULL) == K_OK) {
		own = own_listing(u, &l);
		listing_free(&l);
	}
	char key[16];
	int any = 0;
	if (own) {
		kbuf_puts(out, " your own listing");
		any = 1;
	} else {
		for (size_t i = 0; i < sizeof listing_acts / sizeof listing_acts[0]; i++) {
			/* the keys in force: a config may move one, or take it away */
			ui_key_of("listing", listing_acts[i].act, "", key, sizeof key);
			if (!key[0])
				continue;
			kbuf_printf(out, "%s %s %s", any ? " ·" : "", key, listing_acts[i].word);
			any = 1;
		}
	}
	ui_key_of("listing", ACT_BACK, "", key, sizeof key);
	if (!key[0])
		ui_key_of("any", ACT_BACK, "q", key, sizeof key);
	kbuf_printf(out, "%s %s back", any ? " ·" : "", key);
}

static void listing_question(struct ui *u, const struct ui_ask_form *f, char *q, size_t cap);
static void listing_run(struct ui *u, const struct ui_ask_form *f);

/* f: the signed listing from the node (`listing show` fetches and checks it), in place of the
 * summary a pull brought; the view re-reads the cache after the command. */
static void fetch_listing(struct ui *u, const char *id, int whole)
{
	if (whole) {
		ui_say_note(u, "fetch: the signed listing is here already");
		return;
	}
	char lid[MODEL_LISTING_ID_LEN + 1];
	snprintf(lid, sizeof lid, "%s", id);
	char *argv[] = {"listing", "show", lid, NULL};
	struct ui_ran ran;
	int rc = ui_run_command(u, 3, argv, &ran);
	struct listing l;
	int signed_here = 0;
	if (store_listing_get(u->s, lid, &l, NULL) == K_OK) {
		signed_here = l.sig != NULL;
		listing_free(&l);
	}
	if (signed_here && rc == K_OK)
		ui_say_note(u, "fetch: the signed listing is here, and its signature checks out");
	else if (signed_here) /* listing show exits 5 for a signature that does not verify */
		ui_say_note(u, "error: fetch: %s", ran.e.msg[0] ? ran.e.msg : kstatus_str(rc));
	else
		ui_say_note(u, "error: fetch: the node could not be asked for it (%s)",
		            ran.e.msg[0] ? ran.e.msg
		            : rc         ? kstatus_str(rc)
		                         : "no node");
}

/* The listing view's own keys (its ops->action): m, Q, P asked (ask.c) then run; i, s, f. */
int ui_listing_action(struct ui *u, enum ui_action act)
{
	struct search_ui *st = state(u);
	if (act != ACT_MESSAGE && act != ACT_QUOTE && act != ACT_PROPOSE && act != ACT_IMAGES &&
	    act != ACT_SUPPLIER && act != ACT_FETCH)
		return 0;
	/* i, s and f are in ? and the man page: the head line has room for the trade keys only */
	const char *word = act == ACT_IMAGES     ? "images"
	                   : act == ACT_SUPPLIER ? "supplier"
	                   : act == ACT_FETCH    ? "fetch"
	                                         : "?";
	for (size_t i = 0; i < sizeof listing_acts / sizeof listing_acts[0]; i++)
		if (listing_acts[i].act == act)
			word = listing_acts[i].word;
	if (ui_cur_view(u) != &u->views[VIEW_LISTING] || !st->listing_id[0]) {
		/* a key bound in another view acts on no listing by surprise */
		ui_say_note(u, "%s: open a listing first (tab 1, Enter on a result)", word);
		return 1;
	}
	struct listing l;
	if (store_listing_get(u->s, st->listing_id, &l, NULL) != K_OK) {
		ui_say_note(u, "%s: this listing is no longer in the cache", word);
		return 1;
	}
	if (act == ACT_FETCH) {
		int whole = l.sig != NULL;
		listing_free(&l);
		fetch_listing(u, st->listing_id, whole);
		return 1;
	}
	if (act == ACT_IMAGES || act == ACT_SUPPLIER) { /* own listings too */
		char seller[KCRYPTO_ID_LEN + 1];
		snprintf(seller, sizeof seller, "%s", l.seller_id);
		listing_free(&l);
		if (act == ACT_IMAGES)
			ui_images_listing(u, st->listing_id);
		else
			ui_supplier_show(u, seller);
		return 1;
	}
	if (own_listing(u, &l)) {
		ui_say_note(u, "%s: this is your own listing", word);
		listing_free(&l);
		return 1;
	}
	if (act == ACT_PROPOSE && !l.sig) {
		/* the contract quotes the signed listing whole, and which variant is bought is
		 * asked first: a sync brings only the summary */
		char lid[MODEL_LISTING_ID_LEN + 1];
		snprintf(lid, sizeof lid, "%s", l.id);
		listing_free(&l);
		char *argv[] = {"listing", "show", lid, NULL};
		struct ui_ran ran;
		int rc = ui_run_command(u, 3, argv, &ran);
		if (store_listing_get(u->s, lid, &l, NULL) != K_OK)
			return 1;
		if (rc != K_OK || !l.sig) {
			ui_say_note(u,
			            "error: propose: the signed listing could not be fetched (%s)",
			            ran.e.msg[0] ? ran.e.msg : kstatus_str(rc ? rc : K_ENOTFOUND));
			listing_free(&l);
			return 1;
		}
	}
	char *name = ui_account_name(u, l.seller_id);
	char label[160];
	ui_ask_form(u, act, l.id);
	if (act == ACT_PROPOSE && cJSON_GetArraySize(l.variants) > 0) {
		struct kbuf names = KBUF_INIT, t = KBUF_INIT;
		listing_variants_named(&l, &names);
		kbuf_puts(&t, "variant (");
		text_clip(&t, kbuf_str(&names), 64, 0);
		kbuf_puts(&t, "): ");
		ui_ask_field(u, kbuf_str(&t), ASK_VARIANT, 0);
		kbuf_free(&names);
		kbuf_free(&t);
	}
	if (act == ACT_MESSAGE) {
		snprintf(label, sizeof label, "message to %s: ", name);
		ui_ask_field(u, label, ASK_TEXT, 0);
	} else {
		int64_t moq = l.moq > 0 ? l.moq : 1;
		char q[MONEY_FMT_MAX];
		snprintf(label, sizeof label, "quantity (MOQ %s): ", count_text(moq, q));
		ui_ask_field(u, label, ASK_QTY, moq);
	}
	if (act == ACT_PROPOSE) {
		/* a buyer whose wallet holds EUR offers in EUR: the seller's VND is no use to him
		 */
		snprintf(label, sizeof label,
		         "unit price (Enter: the listing's, in %s; or AMOUNT CUR, 480 EUR): ",
		         l.currency);
		ui_ask_field(u, label, ASK_PRICE, 0);
		/* the listing's first Incoterm, else FOB, as an RFQ's Q offers the RFQ's */
		const char *inc =
		    l.incoterms.n && codes_incoterm(l.incoterms.v[0]) ? l.incoterms.v[0] : NULL;
		snprintf(label, sizeof label, "Incoterm (Enter: %s%s): ", inc ? inc : "FOB",
		         inc ? ", the listing's" : "");
		ui_ask_field(u, label, ASK_INCOTERM, 0);
		ui_ask_default(u, inc ? inc : "FOB");
		ui_ask_field(u, "named place (a port or town): ", ASK_TEXT, 0);
		ui_ask_field(u, "mode (sea air road rail courier; Enter: sea): ", ASK_MODE, 0);
	}
	/* a message is its own confirmation: Enter sends it */
	ui_ask_form_go(u, act == ACT_MESSAGE ? NULL : listing_question, listing_run);
	free(name);
	listing_free(&l);
	return 1;
}

/* P asks the quantity, the unit price, the Incoterm, the place and the mode; a listing in
 * variants asks which one before them. */
enum { PROPOSE_ASKS = 5 };

/* "Request for quote: 20 pieces of ... (SKU). Please quote ..." */
static void quote_text(const struct listing *l, const char *qty, struct kbuf *out)
{
	kbuf_printf(out, "Request for quote: %s%s of ", qty,
	            unit_after(l, strcmp(qty, "1") == 0 ? 1 : 2));
	text_sanitize(out, l->title, strlen(l->title), 0);
	if (l->sku && *l->sku)
		kbuf_printf(out, " (%s)", l->sku);
	kbuf_puts(out, ". Please quote your best unit price, lead time and Incoterm.");
}

static void listing_question(struct ui *u, const struct ui_ask_form *f, char *q, size_t cap)
{
	char *const *v = f->v;
	struct listing l;
	if (store_listing_get(u->s, f->target, &l, NULL) != K_OK) {
		snprintf(q, cap, "The listing is no longer in the cache; try anyway?");
		return;
	}
	char *name = ui_account_name(u, l.seller_id);
	if (f->act == ACT_QUOTE) {
		snprintf(q, cap, "Ask %s for a quote for %s?", name, v[0]);
	} else if (f->act == ACT_PROPOSE) {
		const cJSON *var = NULL;
		if (f->n > PROPOSE_ASKS) { /* the variant came first */
			listing_variant_find(&l, v[0], &var, NULL);
			v++;
		}
		int64_t qty = strtoll(v[0], NULL, 10);
		int64_t price =
		    var ? listing_variant_price(&l, var, qty) : listing_unit_price(&l, qty);
		char cur[4];
		snprintf(cur, sizeof cur, "%s", l.currency);
		if (v[1][0]) { /* "480 EUR", as the field took it */
			char amount[48] = "";
			if (sscanf(v[1], "%47s %3s", amount, cur) != 2 ||
			    money_parse(amount, cur, &price, NULL) != K_OK)
				price = -1;
		}
		char unit[MONEY_FMT_MAX] = "?", total[MONEY_FMT_MAX] = "?";
		if (price >= 0) {
			money_text(price, cur, unit);
			if (price == 0 || qty <= MONEY_MAX / price)
				money_text(price * qty, cur, total);
		}
		struct kbuf title = KBUF_INIT;
		text_sanitize(&title, l.title, strlen(l.title), 0);
		if (var) {
			kbuf_puts(&title, " (");
			listing_variant_label(var, &title);
			kbuf_puts(&title, ")");
		}
		snprintf(q, cap, "Propose %s%s × %s at %s = %s %s, %s %s?", v[0],
		         unit_after(&l, qty), kbuf_str(&title), unit, total, cur, v[2], v[3]);
		kbuf_free(&title);
	}
	free(name);
	listing_free(&l);
}

static void listing_run(struct ui *u, const struct ui_ask_form *f)
{
	enum ui_action act = (enum ui_action)f->act;
	const char *id = f->target;
	char *const *v = f->v;
	struct listing l;
	char lid[MODEL_LISTING_ID_LEN + 1], seller[KCRYPTO_ID_LEN + 1];
	if (store_listing_get(u->s, id, &l, NULL) != K_OK) {
		ui_say_note(u, "error: listing %s is no longer in the cache (:sync)", id);
		return;
	}
	snprintf(lid, sizeof lid, "%s", l.id);
	snprintf(seller, sizeof seller, "%s", l.seller_id);
	char *name = ui_account_name(u, seller);
	struct kbuf text = KBUF_INIT;
	char *argv[20];
	int argc = 0;
	char amount[48] = "", cur[4] = "";
	const char *word = act == ACT_PROPOSE ? "propose"
	                   : act == ACT_QUOTE ? "quote request"
	                                      : "message";
	if (act == ACT_PROPOSE) {
		argv[argc++] = "contract";
		argv[argc++] = "propose";
		argv[argc++] = "--listing";
		argv[argc++] = lid;
		if (f->n > PROPOSE_ASKS) { /* the variant came first */
			argv[argc++] = "--variant";
			argv[argc++] = *v++;
		}
		argv[argc++] = "--qty";
		argv[argc++] = v[0];
		if (v[1][0] && sscanf(v[1], "%47s %3s", amount, cur) == 2) { /* "480 EUR" */
			argv[argc++] = "--price";
			argv[argc++] = amount;
			argv[argc++] = "--currency";
			argv[argc++] = cur;
		}
		argv[argc++] = "--incoterm";
		argv[argc++] = v[2];
		argv[argc++] = "--place";
		argv[argc++] = v[3];
		argv[argc++] = "--mode";
		argv[argc++] = v[4];
	} else {
		if (act == ACT_QUOTE)
			quote_text(&l, v[0], &text);
		else
			kbuf_puts(&text, v[0]);
		argv[argc++] = "chat";
		argv[argc++] = "send";
		argv[argc++] = seller;
		argv[argc++] = (char *)kbuf_str(&text);
		argv[argc++] = "--listing";
		argv[argc++] = lid;
	}
	argv[argc] = NULL;
	listing_free(&l);
	/* the batch command itself; the screens re-read the cache after it */
	struct ui_ran ran;
	int rc = ui_run_command(u, argc, argv, &ran);
	char made[UI_TRADE_ID]; /* the contract proposed, the message sent: the result's id */
	snprintf(made, sizeof made, "%s", ran.id);
	if (rc == K_OK && act == ACT_PROPOSE) {
		const char *state = ui_trade_contract_state(u, made);
		if (!state)
			state = "not in the list";
		ui_say_note(u, "propose: done — the contract is %s (tab 4)", state);
	} else if (rc == K_OK) {
		ui_say_note(u, "%s to %s: sent", word, name);
	} else if (rc == K_EQUEUED && ui_live_active(u) && made[0]) {
		/* the background sync pushes it: its outcome is said once the outbox shows it */
		ui_say_note(u, "%s: queued — sending in the background", word);
		ui_trade_queued(u, word, act == ACT_PROPOSE ? made : seller, made,
		                act == ACT_PROPOSE ? 1 : 2);
	} else if (rc == K_EQUEUED) {
		ui_say_note(u, "%s: queued offline — it goes out with the next sync (:sync)", word);
	} else {
		ui_say_note(u, "error: %s refused: %s", word,
		            ran.e.msg[0] ? ran.e.msg : kstatus_str(rc));
	}
	free(name);
	kbuf_free(&text);
}
