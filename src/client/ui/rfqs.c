/* ui/rfqs — the RFQs tab: the open requests for quotation in the cache: ours first (a
 * buyer's, each with the count of the quotes that answer it, and in its view those quotes
 * side by side), then those other buyers posted, those in her categories (her listings'
 * categories) first, then the others, each group newest first; with the quantity and its unit,
 * target price, destination, the buyer's name, the deadline in local time and "yes" under ANSWERED
 * when a contract she is party to names the RFQ. One RFQ as text. `Q` quotes: a short form on the
 * prompt row (listing, price, quantity, Incoterm, place, deposit %) and a y/n, then `contract
 * propose --rfq ID --buyer BUYER` runs through ui_run_command: the offer is signed, cached and
 * queued as from the shell. Every word of an RFQ is a buyer's text and is sanitised before it is
 * drawn. */
#include "ui.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../cmd/resolve.h"
#include "../inbox.h"
#include "kontor/json.h"
#include "kontor/codes.h"
#include "kontor/ktime.h"
#include "kontor/money.h"
#include "kontor/text.h"

#define RFQ_ID_MAX 64

struct rfq_row {
	char id[RFQ_ID_MAX + 1];
	char buyer_id[KCRYPTO_ID_LEN + 1];
	char *title, *buyer, *category; /* sanitised */
	int64_t qty;
	char unit[4], currency[4], dest[3];
	int64_t target;                    /* minor units; -1 when none */
	char deadline[MODEL_TIME_LEN + 1]; /* "expires", else "deliverBy", else "" */
	char created[MODEL_TIME_LEN + 1];
	int match, answered, seq; /* match (inbox_rfq_hers): 1 her category, 2 HS code, 3 listing */
	int mine;                 /* posted by us: nothing to quote, the quotes it has to read */
	int nquotes;              /* ours: the contracts in the cache that name it */
	char listing_id[MODEL_LISTING_ID_LEN + 1]; /* the RFQ's listing, "" when none */
	char hs[11];                               /* the RFQ's HS code, "" when none */
};

/* The quote being asked, field by field. */
enum { Q_LISTING, Q_PRICE, Q_QTY, Q_INCOTERM, Q_PLACE, Q_DEPOSIT, Q_N };

struct rfqs {
	struct rfq_row *rows;
	int n, cap, nmatch, nmine;
	struct inbox_sells sells;        /* what she sells (inbox_what_i_sell) */
	struct kstrv answered;           /* RFQ ids named by contracts she is party to */
	struct kstrv quoted;             /* the RFQ id of each such contract, once per contract */
	char no_category[INBOX_SKU_LEN]; /* a SKU of hers when none names a category, "" */
	int target_w;                    /* the TARGET column: widest_target's, at load */
	char open_id[RFQ_ID_MAX + 1];
	/* the quote */
	char q_rfq[RFQ_ID_MAX + 1];
	char q_listing[MODEL_LISTING_ID_LEN + 1];
	char q_variant[MODEL_SKU_MAX + 1]; /* the variant's sku, "" for a listing without */
	char q_currency[4];
	char q_unit[4]; /* the listing's: what the quantity counts and the price is per */
	char q_buyer[KCRYPTO_ID_LEN + 1];
	int q_step;
	char q_value[Q_N][256];
	char q_default[Q_N][256];
};

static struct rfqs *state(struct ui *u)
{
	struct ui_view *v = &u->views[VIEW_RFQS];
	if (!v->priv)
		v->priv = xcalloc(1, sizeof(struct rfqs));
	return v->priv;
}

static int has(const struct kstrv *sv, const char *s)
{
	for (size_t i = 0; s && i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return 1;
	return 0;
}

static void rows_clear(struct rfqs *r)
{
	for (int i = 0; i < r->n; i++) {
		free(r->rows[i].title);
		free(r->rows[i].buyer);
		free(r->rows[i].category);
	}
	r->n = r->nmatch = r->nmine = 0;
	inbox_sells_free(&r->sells);
	kstrv_free(&r->answered);
	kstrv_free(&r->quoted);
}

struct walk {
	struct ui *u;
	struct rfqs *r;
};

static int add_answered(void *ctx, const cJSON *doc)
{
	struct walk *w = ctx;
	const char *rfq = json_str(doc, "rfqId"), *b = json_str(doc, "buyerId"),
	           *s = json_str(doc, "sellerId");
	const char *self = w->u->c->self_id;
	if (!rfq || !((b && strcmp(b, self) == 0) || (s && strcmp(s, self) == 0)))
		return 0;
	if (!has(&w->r->answered, rfq))
		kstrv_push(&w->r->answered, rfq);
	kstrv_push(&w->r->quoted, rfq);
	return 0;
}

/* Open: status open (or none said) and not past its expiry; ours among them. */
static int is_open(const cJSON *o, time_t now)
{
	const char *st = json_str(o, "status"), *exp = json_str(o, "expires");
	time_t t;
	if (st && strcmp(st, "open") != 0)
		return 0;
	return !(exp && ktime_parse(exp, &t) == K_OK && t < now);
}

static int add_rfq(void *ctx, const cJSON *o)
{
	struct walk *w = ctx;
	struct rfqs *r = w->r;
	const char *id = json_str(o, "id"), *buyer = json_str(o, "buyerId");
	if (!id || strlen(id) > RFQ_ID_MAX || !buyer || strlen(buyer) > KCRYPTO_ID_LEN ||
	    !is_open(o, time(NULL)))
		return 0;
	r->rows = ui_grow(r->rows, r->n, &r->cap, sizeof *r->rows);
	struct rfq_row *x = &r->rows[r->n];
	snprintf(x->id, sizeof x->id, "%s", id);
	snprintf(x->buyer_id, sizeof x->buyer_id, "%s", buyer);
	x->title = ui_clean(json_str(o, "title"));
	x->category = ui_clean(json_str(o, "category"));
	struct kbuf name = KBUF_INIT;
	resolve_account_name(w->u->c, buyer, &name);
	x->buyer = ui_clean(kbuf_str(&name));
	kbuf_free(&name);
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(o, "qty");
	x->qty = cJSON_IsNumber(q) ? (int64_t)q->valuedouble : 0;
	const cJSON *tp = cJSON_GetObjectItemCaseSensitive(o, "targetPrice");
	x->target = cJSON_IsNumber(tp) ? (int64_t)tp->valuedouble : -1;
	/* codes the model checked; copied bounded all the same */
	snprintf(x->unit, sizeof x->unit, "%.3s", json_str(o, "unit") ? json_str(o, "unit") : "");
	snprintf(x->currency, sizeof x->currency, "%.3s",
	         json_str(o, "currency") ? json_str(o, "currency") : "");
	snprintf(x->dest, sizeof x->dest, "%.2s",
	         json_str(o, "destination") ? json_str(o, "destination") : "");
	const char *dl = json_str(o, "expires") ? json_str(o, "expires") : json_str(o, "deliverBy");
	snprintf(x->deadline, sizeof x->deadline, "%.*s", MODEL_TIME_LEN, dl ? dl : "");
	snprintf(x->created, sizeof x->created, "%.*s", MODEL_TIME_LEN,
	         json_str(o, "created") ? json_str(o, "created") : "");
	const char *lid = json_str(o, "listingId");
	snprintf(x->listing_id, sizeof x->listing_id, "%.*s", MODEL_LISTING_ID_LEN, lid ? lid : "");
	const char *hs = json_str(o, "hsCode");
	snprintf(x->hs, sizeof x->hs, "%.10s", hs ? hs : "");
	/* as the inbox */
	x->match = inbox_rfq_hers(json_str(o, "category"), NULL, NULL, &r->sells) ? 1
	           : inbox_rfq_hers(NULL, x->hs, NULL, &r->sells)                 ? 2
	           : inbox_rfq_hers(NULL, NULL, lid, &r->sells)                   ? 3
	                                                                          : 0;
	x->mine = strcmp(buyer, w->u->c->self_id) == 0;
	if (x->mine) { /* his own: no supplier's rule finds it for him, its quotes do */
		x->match = 0;
		for (size_t i = 0; i < r->quoted.n; i++)
			x->nquotes += strcmp(r->quoted.v[i], id) == 0;
	}
	x->answered = !x->mine && has(&r->answered, id);
	x->seq = r->n++;
	r->nmatch += x->match != 0;
	r->nmine += x->mine;
	return 0;
}

static int order_rows(const void *a_, const void *b_)
{
	const struct rfq_row *a = a_, *b = b_;
	if (a->mine != b->mine) /* his own first: their quotes are what he waits for */
		return b->mine - a->mine;
	if (!a->match != !b->match) /* hers first, whichever way */
		return !a->match - !b->match;
	int c = strcmp(b->created, a->created);
	return c ? c : a->seq - b->seq;
}

static int widest_target(const struct rfqs *r);

static void load(struct ui *u)
{
	struct rfqs *r = state(u);
	struct ui_view *v = &u->views[VIEW_RFQS];
	char keep[RFQ_ID_MAX + 1];
	ui_rows_keep(v, r->rows, r->n, sizeof *r->rows, offsetof(struct rfq_row, id), keep,
	             sizeof keep);
	rows_clear(r);
	struct kerr e = {0};
	struct walk w = {u, r};
	int rc = ctx_self(u->c, &e);
	if (!rc)
		rc = inbox_what_i_sell(u->s, u->c->self_id, &r->sells, &e);
	char why[400];
	r->no_category[0] = '\0';
	if (!rc && !r->sells.cats.n && !r->sells.hs.n)
		inbox_no_category(u->s, u->c->self_id, why, sizeof why, r->no_category);
	if (!rc)
		rc = store_object_each(u->s, "Contract", NULL, add_answered, &w, &e);
	if (!rc)
		rc = store_object_each(u->s, "Rfq", NULL, add_rfq, &w, &e);
	r->target_w = widest_target(r); /* once, not for every row drawn */
	ui_rows_settle(u, v, r->rows, r->n, sizeof *r->rows, offsetof(struct rfq_row, id),
	               order_rows, keep, e.msg);
}

void ui_rfqs_shown(struct ui *u)
{
	load(u);
	ui_view_refresh(u, TAB_RFQS, VIEW_RFQ);
}

#define COL_QTY 10        /* "12000 pcs" */
#define COL_TARGET_MIN 6  /* "TARGET" */
#define COL_TARGET_MAX 16 /* "125,000,000 VND" and a blank */
#define COL_DEST 2
#define COL_BUYER 13
#define COL_DEADLINE 10
#define COL_ANSWERED 8
#define COL_FIXED (4 + COL_QTY + COL_DEST + COL_BUYER + COL_DEADLINE + COL_ANSWERED + 6)

static void target_text(const struct rfq_row *x, char *out, size_t cap);

/* The TARGET column: as wide as the widest target shown (a VND one is "1,000,000 VND"),
 * within its bounds; the title takes the rest. */
static int widest_target(const struct rfqs *r)
{
	int w = COL_TARGET_MIN;
	for (int i = 0; i < r->n; i++) {
		char t[MONEY_FMT_MAX + 8];
		target_text(&r->rows[i], t, sizeof t);
		if ((int)text_width(t) > w)
			w = (int)text_width(t);
	}
	return w < COL_TARGET_MAX ? w : COL_TARGET_MAX;
}

static int title_width(const struct rfqs *r, int width)
{
	int tw = width - COL_FIXED - r->target_w;
	return tw > 12 ? tw : 12;
}

void ui_rfqs_head(struct ui *u, int y)
{
	struct rfqs *r = state(u);
	struct kbuf b = KBUF_INIT, h = KBUF_INIT;
	char kq[16];
	ui_key_of("rfqs", ACT_QUOTE, "Q", kq, sizeof kq);
	if (r->no_category[0]) /* she should know why none is hers, and what to do */
		kbuf_printf(&b,
		            "Open RFQs (%d): none yours, no listing has a category or HS code "
		            "(:listing edit %s --category C)",
		            r->n, r->no_category);
	else if (r->nmine)
		kbuf_printf(&b, "Open RFQs (%d, %d yours, %d for you)   Enter opens · %s quotes",
		            r->n, r->nmine, r->nmatch, kq);
	else
		kbuf_printf(&b, "Open RFQs (%d, %d for you)   Enter opens · %s quotes", r->n,
		            r->nmatch, kq);
	ui_head_row(u, y, kbuf_str(&b), u->a_head);
	kbuf_puts(&h, "    ");
	ui_col(&h, "TITLE", title_width(r, COLS) + 1);
	ui_col(&h, "QTY", COL_QTY + 1);
	ui_col(&h, "TARGET", r->target_w + 1);
	ui_col(&h, "TO", COL_DEST + 1);
	ui_col(&h, "BUYER", COL_BUYER + 1);
	ui_col(&h, "DEADLINE", COL_DEADLINE + 1);
	kbuf_puts(&h, "ANSWERED");
	ui_head_row(u, y + 1, kbuf_str(&h), u->a_dim);
	kbuf_free(&b);
	kbuf_free(&h);
}

static void target_text(const struct rfq_row *x, char *out, size_t cap)
{
	char amt[MONEY_FMT_MAX];
	if (x->target < 0 || !x->currency[0]) {
		snprintf(out, cap, "-");
		return;
	}
	money_text(x->target, x->currency, amt);
	snprintf(out, cap, "%s %s", amt, x->currency);
}

void ui_rfqs_row(struct ui *u, int i, struct kbuf *out, int width)
{
	struct rfqs *r = state(u);
	if (i >= r->n)
		return;
	const struct rfq_row *x = &r->rows[i];
	struct kbuf line = KBUF_INIT;
	char qty[MONEY_FMT_MAX + 16], target[MONEY_FMT_MAX + 8], when[KTIME_LOCAL_MAX],
	    q[MONEY_FMT_MAX];
	snprintf(qty, sizeof qty, "%s %s", count_text(x->qty, q), codes_unit_abbr(x->unit));
	target_text(x, target, sizeof target);
	ktime_local(x->deadline, when, sizeof when);
	when[strcspn(when, " ")] = 0; /* the date: the whole time is in the RFQ's view */
	kbuf_puts(&line, x->match ? "  * " : "    "); /* the first two: the cursor's */
	ui_col(&line, x->title, title_width(r, width) + 1);
	ui_col(&line, qty, COL_QTY + 1);
	ui_col(&line, target, r->target_w + 1);
	ui_col(&line, x->dest[0] ? x->dest : "-", COL_DEST + 1);
	ui_col(&line, x->mine ? "you" : x->buyer, COL_BUYER + 1);
	ui_col(&line, when, COL_DEADLINE + 1);
	if (x->mine && x->nquotes)
		kbuf_printf(&line, "%d quote%s", x->nquotes, x->nquotes == 1 ? "" : "s");
	else if (x->mine)
		kbuf_puts(&line, "none yet");
	else if (x->answered)
		kbuf_puts(&line, "yes");
	ui_clip(out, kbuf_str(&line), width, 1);
	kbuf_free(&line);
}

void ui_rfqs_open(struct ui *u, int i)
{
	struct rfqs *r = state(u);
	if (i < r->n)
		ui_view_show_id(u, TAB_RFQS, VIEW_RFQ, r->open_id, sizeof r->open_id,
		                r->rows[i].id);
}

/* --- one RFQ ----------------------------------------------------------------------- */

static const struct rfq_row *find(struct rfqs *r, const char *id)
{
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->rows[i].id, id) == 0)
			return &r->rows[i];
	return NULL;
}

/* RFQ id opened on the RFQs tab (the Inbox's Enter); 0 when the list does not hold it. */
int ui_rfq_open_id(struct ui *u, const char *id)
{
	load(u);
	struct rfqs *r = state(u);
	const struct rfq_row *x = find(r, id);
	if (x)
		ui_rfqs_open(u, (int)(x - r->rows));
	return x != NULL;
}

#define LABEL_COLS 13 /* the width of the detail view's labels */

void ui_rfq_title(struct ui *u, struct kbuf *out)
{
	struct rfqs *r = state(u);
	const struct rfq_row *x = find(r, r->open_id);
	char kq[16];
	ui_key_of("rfq", ACT_QUOTE, "Q", kq, sizeof kq);
	if (x && x->mine)
		kbuf_puts(out, "Your RFQ   q back");
	else
		kbuf_printf(out, "RFQ from %s   %s quotes · q back", x ? x->buyer : "?", kq);
}

void ui_rfq_build(struct ui *u, int width)
{
	struct rfqs *r = state(u);
	struct ui_view *v = ui_build_begin(u, VIEW_RFQ, r->open_id, width);
	if (!v)
		return;
	const struct rfq_row *x = find(r, r->open_id);
	cJSON *o = NULL;
	if (!x || store_object_get(u->s, "Rfq", r->open_id, &o, NULL) != K_OK) {
		kstrv_push(&v->lines, "This RFQ is no longer open in the cache.");
		cJSON_Delete(o);
		ui_view_set_rows(u, v, (int)v->lines.n);
		return;
	}
	char buf[300], when[KTIME_LOCAL_MAX];
	ui_field(&v->lines, LABEL_COLS, "Title", x->title, width);
	ui_field(&v->lines, LABEL_COLS, "Buyer", x->buyer, width);
	char q[MONEY_FMT_MAX];
	snprintf(buf, sizeof buf, "%s %s", count_text(x->qty, q),
	         codes_unit_count(x->unit, x->qty));
	ui_field(&v->lines, LABEL_COLS, "Quantity", buf, width);
	target_text(x, buf, sizeof buf);
	if (x->target >= 0)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " per %s",
		         codes_unit_count(x->unit, 1));
	ui_field(&v->lines, LABEL_COLS, "Target price", x->target >= 0 ? buf : "none given", width);
	struct kbuf b = KBUF_INIT;
	const cJSON *incs = cJSON_GetObjectItemCaseSensitive(o, "incoterms");
	for (int i = 0; cJSON_IsArray(incs) && i < cJSON_GetArraySize(incs); i++) {
		const char *inc = cJSON_GetStringValue(cJSON_GetArrayItem(incs, i));
		if (inc)
			kbuf_printf(&b, "%s%.3s", b.len ? ", " : "", inc);
	}
	ui_field(&v->lines, LABEL_COLS, "Incoterms", kbuf_str(&b), width);
	ui_field(&v->lines, LABEL_COLS, "Destination", x->dest, width);
	snprintf(buf, sizeof buf, "%s%s", x->category[0] ? x->category : "-",
	         x->match == 1 ? "  (one of your categories)" : "");
	ui_field(&v->lines, LABEL_COLS, "Category", buf, width);
	snprintf(buf, sizeof buf, "%s%s", x->hs,
	         x->match == 2 ? "  (the heading of one of yours)" : "");
	ui_field(&v->lines, LABEL_COLS, "HS code", buf, width);
	struct kbuf lw = KBUF_INIT;
	if (x->listing_id[0])
		inbox_listing_words(u->s, x->listing_id, u->c->self_id, &lw);
	ui_field(&v->lines, LABEL_COLS, "Listing", kbuf_str(&lw), width);
	kbuf_free(&lw);
	ui_field(&v->lines, LABEL_COLS, "Answer by",
	         ktime_local(json_str(o, "expires"), when, sizeof when), width);
	ui_field(&v->lines, LABEL_COLS, "Deliver by",
	         ktime_local(json_str(o, "deliverBy"), when, sizeof when), width);
	ui_field(&v->lines, LABEL_COLS, "Posted", ktime_local(x->created, when, sizeof when),
	         width);
	ui_field(&v->lines, LABEL_COLS, "Id", x->id, width);
	if (x->mine) { /* the offers that answer it, side by side */
		struct kstrv quotes = {0};
		cmd_rfq_quotes(u->c, u->s, x->id, NULL, &quotes);
		for (size_t i = 0; i < quotes.n; i++)
			ui_field(&v->lines, LABEL_COLS, i ? "" : "Quotes", quotes.v[i], width);
		if (!quotes.n)
			ui_field(&v->lines, LABEL_COLS, "Quotes",
			         "none in the cache yet (:sync brings the offers)", width);
		kstrv_free(&quotes);
	} else {
		ui_field(&v->lines, LABEL_COLS, "Your quote",
		         x->answered ? "answered (Contracts tab)" : "not yet", width);
	}
	const char *d = json_str(o, "description");
	if (d && *d) {
		kstrv_push(&v->lines, "");
		kbuf_reset(&b);
		text_sanitize(&b, d, strlen(d), 0);
		ui_wrap(kbuf_str(&b), width, "", &v->lines);
	}
	kbuf_free(&b);
	cJSON_Delete(o);
	ui_view_set_rows(u, v, (int)v->lines.n);
}

/* --- Q: the quote ------------------------------------------------------------------ */

struct pick {
	struct ui *u;
	const struct rfq_row *x;
	char best[MODEL_LISTING_ID_LEN + 1], best_created[MODEL_TIME_LEN + 1];
	int best_score; /* inbox_quote_score's */
};

static int pick_one(void *ctx, const struct listing *l)
{
	struct pick *p = ctx;
	struct inbox_sells mine = {0};
	inbox_sells_add(&mine, l);
	const struct inbox_rfq_ask ask = {p->x->category, p->x->hs, p->x->listing_id, p->x->unit};
	int score =
	    inbox_quote_score(l->id, strcmp(l->status, "active") == 0, l->unit, &mine, &ask);
	inbox_sells_free(&mine);
	if (score > p->best_score ||
	    (score == p->best_score && score && strcmp(l->created, p->best_created) > 0)) {
		p->best_score = score;
		snprintf(p->best, sizeof p->best, "%s", l->id);
		snprintf(p->best_created, sizeof p->best_created, "%s", l->created);
	}
	return 0;
}

/* The SKUs her variants go by, as she wrote them: "GIO-TRE-S, GIO-TRE-L" (eight, then "…"). */
static void variant_skus(const struct listing *l, struct kbuf *out)
{
	int n = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, l->variants)
	{
		const char *s = listing_variant_sku(v);
		if (n == 8) {
			kbuf_puts(out, ", …");
			break;
		}
		kbuf_puts(out, n++ ? ", " : "");
		if (s)
			text_sanitize(out, s, strlen(s), 0);
	}
}

static const char *const q_label[Q_N] = {
    "listing (SKU or id)",     "unit price", "quantity", "Incoterm", "named place",
    "deposit % (Enter: none)",
};

static void ask_next(struct ui *u);

static int check_field(struct ui *u, struct rfqs *r, int step, const char *v, struct kerr *e)
{
	switch (step) {
	case Q_LISTING: {
		char id[RESOLVE_ID_MAX + 1];
		struct listing l;
		int rc = resolve_id(u->c, RESOLVE_LISTING, v, id, sizeof id, e);
		if (rc)
			return rc;
		if (store_listing_get(u->s, id, &l, e) != K_OK)
			return kerr_set(e, K_ENOTFOUND, "no listing '%s' in the cache", v);
		rc = strcmp(l.seller_id, u->c->self_id) != 0
		         ? kerr_set(e, K_EINVAL, "'%s' is not one of your listings", v)
		         : K_OK;
		/* a listing in variants is quoted for one: named by its SKU (or options) */
		const cJSON *var = NULL;
		if (!rc && cJSON_GetArraySize(l.variants) > 0 &&
		    listing_variant_find(&l, v, &var, NULL) != K_OK) {
			struct kbuf skus = KBUF_INIT;
			variant_skus(&l, &skus);
			rc = kerr_set(e, K_EINVAL, "'%s' comes in %d variants: give one's SKU (%s)",
			              v, cJSON_GetArraySize(l.variants), kbuf_str(&skus));
			kbuf_free(&skus);
		}
		if (!rc) {
			snprintf(r->q_listing, sizeof r->q_listing, "%s", l.id);
			snprintf(r->q_unit, sizeof r->q_unit, "%s", l.unit);
			snprintf(
			    r->q_variant, sizeof r->q_variant, "%s",
			    var ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(var, "sku"))
			        : "");
			/* the quote is in the money the buyer asked in (her shop's VND for his EUR
			 * RFQ would be a price he cannot read), else in her listing's */
			const struct rfq_row *x = find(r, r->q_rfq);
			int theirs = x && x->currency[0] && codes_currency_name(x->currency) &&
			             strcmp(x->currency, l.currency) != 0;
			snprintf(r->q_currency, sizeof r->q_currency, "%s",
			         theirs ? x->currency : l.currency);
			/* the price default: the RFQ's target when in the quote's currency, else
			 * her own (none in his: kontor converts nothing) */
			char amt[MONEY_FMT_MAX] = "";
			int64_t own =
			    var ? listing_variant_price(&l, var, l.moq > 0 ? l.moq : 1) : -1;
			int64_t p = x && x->target >= 0 && strcmp(x->currency, r->q_currency) == 0
			                ? x->target
			            : theirs   ? -1
			            : own >= 0 ? own
			                       : ui_listing_moq_price(&l);
			if (p >= 0)
				money_format(p, r->q_currency, amt);
			size_t k = 0;
			for (size_t i = 0; amt[i] && k + 1 < sizeof r->q_default[Q_PRICE]; i++)
				if (amt[i] != ',')
					r->q_default[Q_PRICE][k++] = amt[i];
			r->q_default[Q_PRICE][k] = 0;
		}
		listing_free(&l);
		return rc;
	}
	case Q_PRICE: {
		int64_t minor;
		return money_parse(v, r->q_currency, &minor, e);
	}
	case Q_QTY: {
		char *end;
		long long n = strtoll(v, &end, 10);
		if (!*v || *end || n < 1 || n > MONEY_MAX)
			return kerr_set(e, K_EINVAL, "'%s' is not a whole number of at least 1", v);
		return K_OK;
	}
	case Q_INCOTERM:
		return codes_check_incoterm(v, "Incoterm", e);
	case Q_PLACE:
		return *v ? K_OK : kerr_set(e, K_EINVAL, "the named place is needed");
	case Q_DEPOSIT: {
		char *end;
		long n = strtol(v, &end, 10);
		if (*v && (*end || n < 0 || n > 100))
			return kerr_set(e, K_EINVAL, "'%s' is not a percentage from 0 to 100", v);
		return K_OK;
	}
	}
	return K_OK;
}

static void quote_confirmed(struct ui *u, int yes, void *arg)
{
	struct rfqs *r = state(u);
	if (!yes) {
		ui_say(u, "quote not sent");
		return;
	}
	char *argv[24];
	int argc = 0;
	argv[argc++] = "contract";
	argv[argc++] = "propose";
	argv[argc++] = "--listing";
	argv[argc++] = r->q_listing;
	if (r->q_variant[0]) {
		argv[argc++] = "--variant";
		argv[argc++] = r->q_variant;
	}
	argv[argc++] = "--rfq";
	argv[argc++] = r->q_rfq;
	argv[argc++] = "--buyer";
	argv[argc++] = r->q_buyer;
	argv[argc++] = "--price";
	argv[argc++] = r->q_value[Q_PRICE];
	argv[argc++] = "--currency";
	argv[argc++] = r->q_currency;
	argv[argc++] = "--qty";
	argv[argc++] = r->q_value[Q_QTY];
	argv[argc++] = "--incoterm";
	argv[argc++] = r->q_value[Q_INCOTERM];
	argv[argc++] = "--place";
	argv[argc++] = r->q_value[Q_PLACE];
	if (r->q_value[Q_DEPOSIT][0]) {
		argv[argc++] = "--deposit-pct";
		argv[argc++] = r->q_value[Q_DEPOSIT];
	}
	struct ui_ran ran;
	ui_run_command(u, argc, argv, &ran);
	ui_rfqs_shown(u); /* the RFQs again: this one now answered */
}

static void field_done(struct ui *u, const char *answer, void *arg)
{
	struct rfqs *r = state(u);
	if (!answer) {
		ui_say(u, "quote not sent");
		return;
	}
	char v[256];
	size_t n = strlen(answer);
	while (n && (answer[n - 1] == ' ' || answer[n - 1] == '\t'))
		n--;
	while (n && (*answer == ' ' || *answer == '\t'))
		answer++, n--;
	snprintf(v, sizeof v, "%.*s", (int)n, answer);
	if (!v[0] && r->q_step != Q_DEPOSIT)
		snprintf(v, sizeof v, "%s", r->q_default[r->q_step]);
	if (r->q_step == Q_INCOTERM)
		for (char *p = v; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
	struct kerr e = {0};
	if (check_field(u, r, r->q_step, v, &e) != K_OK) {
		char why[200];
		snprintf(why, sizeof why, "%s: %s", q_label[r->q_step], e.msg);
		ui_ask_retry(u, why, answer); /* the same field again, as typed */
		return;
	}
	snprintf(r->q_value[r->q_step], sizeof r->q_value[r->q_step], "%s", v);
	r->q_step++;
	ask_next(u);
}

static void ask_next(struct ui *u)
{
	struct rfqs *r = state(u);
	if (r->q_step < Q_N) {
		struct kbuf label = KBUF_INIT;
		kbuf_printf(&label, "Quote: %s", q_label[r->q_step]);
		if (r->q_step == Q_PRICE && r->q_currency[0]) /* in the quote's money */
			kbuf_printf(&label, " in %s", r->q_currency);
		kbuf_puts(&label, ": ");
		ui_ask_line(u, kbuf_str(&label), r->q_default[r->q_step], field_done, NULL);
		kbuf_free(&label);
		return;
	}
	const struct rfq_row *x = find(r, r->q_rfq);
	struct kbuf q = KBUF_INIT, place = KBUF_INIT;
	text_sanitize(&place, r->q_value[Q_PLACE], strlen(r->q_value[Q_PLACE]), 0);
	kbuf_printf(&q, "Offer %s: %s ", x ? x->buyer : "the buyer", r->q_value[Q_QTY]);
	if (r->q_unit[0]) /* "500 pcs", "40 m": as her listing counts them */
		kbuf_printf(&q, "%s ", codes_unit_abbr(r->q_unit));
	if (r->q_variant[0]) { /* which one: the variant as she named it */
		text_sanitize(&q, r->q_value[Q_LISTING], strlen(r->q_value[Q_LISTING]), 0);
		kbuf_puts(&q, " ");
	}
	kbuf_printf(&q, "× %s %s, %s %s", r->q_value[Q_PRICE], r->q_currency,
	            r->q_value[Q_INCOTERM], kbuf_str(&place));
	if (r->q_value[Q_DEPOSIT][0])
		kbuf_printf(&q, ", %s%% deposit", r->q_value[Q_DEPOSIT]);
	kbuf_puts(&q, "?");
	ui_ask_yn(u, kbuf_str(&q), quote_confirmed, NULL);
	kbuf_free(&q);
	kbuf_free(&place);
}

static void quote_begin(struct ui *u, const struct rfq_row *x)
{
	struct rfqs *r = state(u);
	struct kerr e = {0};
	if (ctx_self(u->c, &e) != K_OK) {
		ui_say(u, "%s", e.msg);
		return;
	}
	struct pick p = {.u = u, .x = x};
	store_listing_each(u->s, u->c->self_id, pick_one, &p, NULL);
	if (!p.best_score) {
		ui_say(u, "nothing to quote from: add a listing first (:listing add --title ...)");
		return;
	}
	memset(r->q_value, 0, sizeof r->q_value);
	memset(r->q_default, 0, sizeof r->q_default);
	snprintf(r->q_rfq, sizeof r->q_rfq, "%s", x->id);
	snprintf(r->q_buyer, sizeof r->q_buyer, "%s", x->buyer_id);
	cJSON *o = NULL;
	if (store_object_get(u->s, "Rfq", x->id, &o, NULL) != K_OK)
		o = NULL;
	struct listing l;
	if (store_listing_get(u->s, p.best, &l, NULL) == K_OK) {
		/* in variants: the one his words name (as the inbox's command does), else the
		 * first; she can change it to another's SKU */
		const cJSON *v = o ? inbox_rfq_variant(l.variants, o) : NULL;
		if (!v)
			v = cJSON_GetArrayItem(l.variants, 0);
		const char *sku = v ? listing_variant_sku(v) : NULL;
		snprintf(r->q_default[Q_LISTING], sizeof r->q_default[Q_LISTING], "%s",
		         sku ? sku : l.sku);
		listing_free(&l);
	}
	snprintf(r->q_default[Q_QTY], sizeof r->q_default[Q_QTY], "%lld", (long long)x->qty);
	/* the RFQ's first Incoterm, else FOB; the place: its destination for a C or D rule */
	const char *inc = NULL;
	if (o)
		inc = cJSON_GetStringValue(
		    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "incoterms"), 0));
	snprintf(r->q_default[Q_INCOTERM], sizeof r->q_default[Q_INCOTERM], "%.3s",
	         inc && codes_incoterm(inc) ? inc : "FOB");
	if (codes_incoterm_at_destination(r->q_default[Q_INCOTERM]) && x->dest[0])
		snprintf(r->q_default[Q_PLACE], sizeof r->q_default[Q_PLACE], "%s", x->dest);
	cJSON_Delete(o);
	r->q_step = Q_LISTING;
	ask_next(u);
}

int ui_rfqs_action(struct ui *u, enum ui_action act)
{
	if (act != ACT_QUOTE)
		return 0;
	struct rfqs *r = state(u);
	const struct rfq_row *x = NULL;
	if (u->tab_view[TAB_RFQS] == VIEW_RFQ)
		x = find(r, r->open_id);
	else if (u->views[VIEW_RFQS].cur < r->n)
		x = &r->rows[u->views[VIEW_RFQS].cur];
	if (!x) {
		ui_say(u, "no open RFQ here (:sync fetches new ones)");
		return 1;
	}
	if (x->mine) {
		ui_say(u, "quote: this RFQ is yours; Enter shows the quotes it has");
		return 1;
	}
	quote_begin(u, x);
	return 1;
}

void ui_rfqs_free(struct ui *u)
{
	struct ui_view *v = &u->views[VIEW_RFQS];
	struct rfqs *r = v->priv;
	if (!r)
		return;
	rows_clear(r);
	free(r->rows);
	free(r);
	v->priv = NULL;
}
