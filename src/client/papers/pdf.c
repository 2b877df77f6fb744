/* pdf — a paper as A4 or Letter pages: cairo's PDF surface, every string laid out by pango
 * (fontconfig finds the Noto faces, harfbuzz shapes Arabic, Devanagari, Thai; CJK falls back
 * to Noto Sans CJK), and on every page the order id, the contract hash and a QR code of the
 * contract hash (libqrencode) so a customs officer can match the paper to the signed
 * contract. The layout runs twice: once to count the pages ("Page 1 of 3"), once to draw. */
#include "papers.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <inttypes.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <stdio.h>
#include <string.h>

#include "kontor/codes.h"

#define MARGIN 42.0
#define FOOTER 78.0 /* room kept at the bottom of each page for the hash and the QR code */
#define FONT "Noto Sans"

struct pdf {
	cairo_t *cr;
	const struct paper *p;
	int lang;
	double w, h, y;
	int page, pages, dry; /* dry: measuring only, nothing drawn */
};

static const int titles[PAPER_NTYPES] = {PL_TITLE_INVOICE, PL_TITLE_PROFORMA, PL_TITLE_PACKING,
                                         PL_TITLE_ORIGIN};
static const int declarations[PAPER_NTYPES] = {PL_DECLARATION_INVOICE, PL_DECLARATION_PROFORMA,
                                               PL_DECLARATION_PACKING, PL_DECLARATION_ORIGIN};

/* Lays text out at (x, y) within width; returns its height. align: 0 left, 1 right. */
static double text_at(struct pdf *d, double x, double y, double width, const char *text,
                      double size, int bold, int align)
{
	PangoLayout *l = pango_cairo_create_layout(d->cr);
	PangoFontDescription *fd = pango_font_description_from_string(FONT);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	if (bold)
		pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	pango_layout_set_font_description(l, fd);
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(l, align ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
	pango_layout_set_text(l, text ? text : "", -1);
	int pw, ph;
	pango_layout_get_size(l, &pw, &ph);
	if (!d->dry) {
		cairo_move_to(d->cr, x, y);
		pango_cairo_show_layout(d->cr, l);
	}
	pango_font_description_free(fd);
	g_object_unref(l);
	return (double)ph / PANGO_SCALE;
}

static void qr(struct pdf *d, double x, double y, double size)
{
	QRcode *q = QRcode_encodeString(d->p->contract_id, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return;
	double m = size / (q->width + 2); /* a quiet zone of one module */
	cairo_set_source_rgb(d->cr, 0, 0, 0);
	for (int r = 0; r < q->width; r++)
		for (int c = 0; c < q->width; c++)
			if (q->data[r * q->width + c] & 1)
				cairo_rectangle(d->cr, x + (c + 1) * m, y + (r + 1) * m, m, m);
	cairo_fill(d->cr);
	QRcode_free(q);
}

/* The footer of the current page: order id, contract hash, how to check it, page n of m,
 * and the QR code of the contract hash. */
static void footer(struct pdf *d)
{
	if (d->dry)
		return;
	char line[600], page[64];
	double qs = FOOTER - 14, top = d->h - MARGIN - qs;
	cairo_set_source_rgb(d->cr, 0.3, 0.3, 0.3);
	cairo_move_to(d->cr, MARGIN, top - 6);
	cairo_line_to(d->cr, d->w - MARGIN, top - 6);
	cairo_set_line_width(d->cr, 0.5);
	cairo_stroke(d->cr);
	cairo_set_source_rgb(d->cr, 0, 0, 0);
	snprintf(line, sizeof line, "%s %s\n%s %s\n", papers_label(d->lang, PL_ORDER),
	         d->p->order_id, papers_label(d->lang, PL_CONTRACT), d->p->contract_id);
	size_t n = strlen(line);
	snprintf(line + n, sizeof line - n, papers_label(d->lang, PL_VERIFY), d->p->contract_id);
	text_at(d, MARGIN, top, d->w - 2 * MARGIN - qs - 10, line, 7, 0, 0);
	snprintf(page, sizeof page, papers_label(d->lang, PL_PAGE), d->page, d->pages);
	text_at(d, MARGIN, top + qs - 10, d->w - 2 * MARGIN - qs - 10, page, 7, 0, 0);
	qr(d, d->w - MARGIN - qs, top, qs);
}

static void new_page(struct pdf *d)
{
	footer(d);
	if (!d->dry)
		cairo_show_page(d->cr);
	d->page++;
	d->y = MARGIN;
}

/* Room for h more points on this page, else the next one. */
static void need(struct pdf *d, double h)
{
	if (d->y + h > d->h - MARGIN - FOOTER)
		new_page(d);
}

static void rule(struct pdf *d)
{
	if (!d->dry) {
		cairo_set_source_rgb(d->cr, 0.6, 0.6, 0.6);
		cairo_move_to(d->cr, MARGIN, d->y);
		cairo_line_to(d->cr, d->w - MARGIN, d->y);
		cairo_set_line_width(d->cr, 0.5);
		cairo_stroke(d->cr);
		cairo_set_source_rgb(d->cr, 0, 0, 0);
	}
	d->y += 4;
}

static void party_text(struct pdf *d, const struct paper_party *pp, struct kbuf *b)
{
	const struct contract_party *cp = &pp->party;
	kbuf_printf(b, "%s\n", cp->name ? cp->name : "");
	for (size_t i = 0; i < cp->nlines; i++)
		kbuf_printf(b, "%s\n", cp->lines[i]);
	if (cp->nlines) {
		char cn[160];
		papers_country_name(d->lang, cp->country, cn, sizeof cn);
		kbuf_printf(b, "%s%s%s\n%s\n", cp->postcode ? cp->postcode : "",
		            cp->postcode ? " " : "", cp->city ? cp->city : "", cn);
	}
	for (size_t i = 0; i < cp->ntax_ids; i++)
		kbuf_printf(b, "%s %s%s\n", papers_scheme_word(d->lang, cp->tax_ids[i].scheme),
		            cp->tax_ids[i].id, pp->amended & PAPER_AMENDED_TAX ? " *" : "");
}

/* The party's heading, starred as the text papers star it when its address was added after
 * signing (a star on a line of its own said nothing of what it marked). */
static void party_head(struct pdf *d, const struct paper_party *pp, enum paper_label l, char *out,
                       size_t cap)
{
	snprintf(out, cap, "%s%s", papers_label(d->lang, l),
	         pp->amended & PAPER_AMENDED_ADDRESS ? " *" : "");
}

static void header(struct pdf *d)
{
	const struct paper *p = d->p;
	char date[PAPERS_NUM_MAX], s[400];
	double half = (d->w - 2 * MARGIN) / 2;
	d->y += text_at(d, MARGIN, d->y, d->w - 2 * MARGIN, papers_label(d->lang, titles[p->type]),
	                18, 1, 0) +
	        4;
	papers_date(p->date, d->lang, date);
	snprintf(s, sizeof s, "%s: %s    %s: %s", papers_label(d->lang, PL_NUMBER), p->number,
	         papers_label(d->lang, PL_DATE), date);
	d->y += text_at(d, MARGIN, d->y, d->w - 2 * MARGIN, s, 9, 0, 0) + 8;
	rule(d);
	struct kbuf a = KBUF_INIT, b = KBUF_INIT;
	party_text(d, &p->seller, &a);
	party_text(d, &p->buyer, &b);
	char head[160];
	party_head(d, &p->seller, PL_SELLER, head, sizeof head);
	double h1 = text_at(d, MARGIN, d->y, half - 8, head, 8, 1, 0);
	party_head(d, &p->buyer, PL_BUYER, head, sizeof head);
	text_at(d, MARGIN + half, d->y, half, head, 8, 1, 0);
	d->y += h1 + 2;
	double ha = text_at(d, MARGIN, d->y, half - 8, kbuf_str(&a), 9, 0, 0);
	double hb = text_at(d, MARGIN + half, d->y, half, kbuf_str(&b), 9, 0, 0);
	d->y += (ha > hb ? ha : hb) + 6;
	kbuf_free(&a);
	kbuf_free(&b);
	rule(d);
	/* The terms, two columns of label: value. */
	char ship[PAPERS_NUM_MAX];
	papers_date(p->ship_by, d->lang, ship);
	struct kbuf t = KBUF_INIT, u = KBUF_INIT;
	kbuf_printf(&t, "%s: %s %s\n%s: %s\n%s: %s\n", papers_label(d->lang, PL_INCOTERM),
	            p->incoterm, p->named_place, papers_label(d->lang, PL_MODE),
	            papers_mode_word(d->lang, p->mode), papers_label(d->lang, PL_SHIP_BY), ship);
	kbuf_printf(&u, "%s: %s%s\n%s: %s%s\n%s: %s\n", papers_label(d->lang, PL_LOADING),
	            p->port_loading ? p->port_loading : "-", p->loading_amended ? " *" : "",
	            papers_label(d->lang, PL_DISCHARGE),
	            p->port_discharge ? p->port_discharge : "-", p->discharge_amended ? " *" : "",
	            papers_label(d->lang, PL_CURRENCY), p->currency);
	if (p->origin_country[0]) {
		char cn[160];
		papers_country_name(d->lang, p->origin_country, cn, sizeof cn);
		kbuf_printf(&u, "%s: %s (%s)\n", papers_label(d->lang, PL_COUNTRY_OF_ORIGIN), cn,
		            p->origin_country);
	}
	ha = text_at(d, MARGIN, d->y, half - 8, kbuf_str(&t), 9, 0, 0);
	hb = text_at(d, MARGIN + half, d->y, half, kbuf_str(&u), 9, 0, 0);
	d->y += (ha > hb ? ha : hb) + 6;
	kbuf_free(&t);
	kbuf_free(&u);
}

/* The table: column x offsets (fractions of the width) and cells per type. */
struct col {
	double from, to;
	int right;
};

static void row(struct pdf *d, const struct col *cols, int n, char cells[][300], int bold)
{
	double width = d->w - 2 * MARGIN, h = 0;
	int saved = d->dry;
	d->dry = 1;
	for (int i = 0; i < n; i++) {
		double ch = text_at(d, 0, 0, (cols[i].to - cols[i].from) * width - 4, cells[i], 8,
		                    bold, cols[i].right);
		if (ch > h)
			h = ch;
	}
	d->dry = saved;
	need(d, h + 3);
	for (int i = 0; i < n; i++)
		text_at(d, MARGIN + cols[i].from * width, d->y,
		        (cols[i].to - cols[i].from) * width - 4, cells[i], 8, bold, cols[i].right);
	d->y += h + 3;
}

static void lines_table(struct pdf *d)
{
	const struct paper *p = d->p;
	int money = p->type == PAPER_INVOICE || p->type == PAPER_PROFORMA;
	static const struct col money_cols[] = {
	    {0, .04, 0}, {.04, .44, 0}, {.44, .60, 1}, {.60, .78, 1}, {.78, 1, 1}};
	static const struct col goods_cols[] = {{0, .04, 0},   {.04, .36, 0}, {.36, .50, 1},
	                                        {.50, .64, 1}, {.64, .78, 1}, {.78, 1, 0}};
	const struct col *cols = money ? money_cols : goods_cols;
	int n = money ? 5 : 6;
	char c[6][300], a[PAPERS_NUM_MAX], b[PAPERS_NUM_MAX];
	memset(c, 0, sizeof c);
	snprintf(c[0], sizeof c[0], "#");
	snprintf(c[1], sizeof c[1], "%s", papers_label(d->lang, PL_DESCRIPTION));
	snprintf(c[2], sizeof c[2], "%s", papers_label(d->lang, PL_QTY));
	if (money) {
		snprintf(c[3], sizeof c[3], "%s", papers_label(d->lang, PL_UNIT_PRICE));
		snprintf(c[4], sizeof c[4], "%s (%s)", papers_label(d->lang, PL_AMOUNT),
		         p->currency);
	} else {
		snprintf(c[3], sizeof c[3], "%s", papers_label(d->lang, PL_NET));
		snprintf(c[4], sizeof c[4], "%s", papers_label(d->lang, PL_GROSS));
		snprintf(c[5], sizeof c[5], "%s / %s", papers_label(d->lang, PL_PACKAGES),
		         papers_label(d->lang, PL_MARKS));
	}
	row(d, cols, n, c, 1);
	rule(d);
	for (size_t i = 0; i < p->nlines; i++) {
		const struct paper_line *l = &p->lines[i];
		memset(c, 0, sizeof c);
		snprintf(c[0], sizeof c[0], "%zu", i + 1);
		snprintf(c[1], sizeof c[1], "%s\n%s %s%s · %s %s%s", l->description,
		         papers_label(d->lang, PL_HS), l->hs_code[0] ? l->hs_code : "-",
		         paper_line_star(l, PAPER_LINE_HS), papers_label(d->lang, PL_ORIGIN),
		         l->origin[0] ? l->origin : "-", paper_line_star(l, PAPER_LINE_ORIGIN));
		papers_count(l->qty, d->lang, a);
		snprintf(c[2], sizeof c[2], "%s %s", a, papers_unit_word(d->lang, l->unit, l->qty));
		if (money) {
			papers_amount(l->unit_price, p->minor, d->lang, a);
			papers_amount(l->amount, p->minor, d->lang, b);
			snprintf(c[3], sizeof c[3], "%s", a);
			snprintf(c[4], sizeof c[4], "%s", b);
			if (l->packages || l->marks || l->gross_g) {
				size_t k = strlen(c[1]);
				if (l->packages) {
					papers_count(l->packages, d->lang, a);
					k += (size_t)snprintf(
					    c[1] + k, sizeof c[1] - k, "\n%s: %s %s%s",
					    papers_label(d->lang, PL_PACKAGES), a, l->package_code,
					    paper_line_star(l, PAPER_LINE_PACKAGES));
				}
				if (l->gross_g && k < sizeof c[1]) {
					papers_kg(l->net_g, d->lang, a);
					papers_kg(l->gross_g, d->lang, b);
					k += (size_t)snprintf(c[1] + k, sizeof c[1] - k,
					                      "\n%s %s%s · %s %s%s",
					                      papers_label(d->lang, PL_NET), a,
					                      paper_line_star(l, PAPER_LINE_NET),
					                      papers_label(d->lang, PL_GROSS), b,
					                      paper_line_star(l, PAPER_LINE_GROSS));
				}
				if (l->marks && k < sizeof c[1])
					snprintf(c[1] + k, sizeof c[1] - k, "\n%s: %s%s",
					         papers_label(d->lang, PL_MARKS), l->marks,
					         paper_line_star(l, PAPER_LINE_MARKS));
			}
		} else {
			papers_kg(l->net_g, d->lang, a);
			papers_kg(l->gross_g, d->lang, b);
			snprintf(c[3], sizeof c[3], "%s%s", l->net_g ? a : "-",
			         paper_line_star(l, PAPER_LINE_NET));
			snprintf(c[4], sizeof c[4], "%s%s", l->gross_g ? b : "-",
			         paper_line_star(l, PAPER_LINE_GROSS));
			papers_count(l->packages, d->lang, a);
			snprintf(c[5], sizeof c[5], "%s %s%s%s%s%s", l->packages ? a : "-",
			         l->packages
			             ? papers_package_word(d->lang, l->package_code, l->packages)
			             : "",
			         paper_line_star(l, PAPER_LINE_PACKAGES), l->marks ? "\n" : "",
			         l->marks ? l->marks : "", paper_line_star(l, PAPER_LINE_MARKS));
		}
		row(d, cols, n, c, 0);
	}
	rule(d);
}

static void totals(struct pdf *d)
{
	const struct paper *p = d->p;
	int money = p->type == PAPER_INVOICE || p->type == PAPER_PROFORMA;
	double width = d->w - 2 * MARGIN;
	char a[PAPERS_NUM_MAX], b[PAPERS_NUM_MAX], s[400];
	struct kbuf t = KBUF_INIT;
	if (p->weights_known || p->packages_known) {
		kbuf_printf(&t, "%s:", papers_label(d->lang, PL_TOTALS));
		if (p->weights_known) {
			papers_kg(p->net_g, d->lang, a);
			papers_kg(p->gross_g, d->lang, b);
			kbuf_printf(&t, " %s %s · %s %s", papers_label(d->lang, PL_NET), a,
			            papers_label(d->lang, PL_GROSS), b);
		}
		if (p->packages_known) {
			papers_count(p->packages, d->lang, a);
			kbuf_printf(&t, " · %s %s", papers_label(d->lang, PL_PACKAGES), a);
		}
		kbuf_putc(&t, '\n');
	}
	if (money) {
		papers_amount(p->goods, p->minor, d->lang, a);
		kbuf_printf(&t, "%s: %s %s\n", papers_label(d->lang, PL_GOODS), a, p->currency);
		for (size_t i = 0; i < p->ncharges; i++) {
			papers_amount(p->charges[i].amount, p->minor, d->lang, a);
			kbuf_printf(&t, "%s: %s %s%s%s%s\n",
			            papers_label(d->lang, papers_charge_label(p->charges[i].kind)),
			            a, p->currency, p->charges[i].included ? " (" : "",
			            p->charges[i].included ? papers_label(d->lang, PL_INCLUDED)
			                                   : "",
			            p->charges[i].included ? ") *" : "");
		}
	}
	int saved = d->dry;
	d->dry = 1;
	double h = text_at(d, 0, 0, width, kbuf_str(&t), 9, 0, 1);
	d->dry = saved;
	need(d, h + 30);
	d->y += text_at(d, MARGIN, d->y, width, kbuf_str(&t), 9, 0, 1);
	kbuf_free(&t);
	if (money) {
		papers_amount(p->total, p->minor, d->lang, a);
		snprintf(s, sizeof s, "%s: %s %s", papers_label(d->lang, PL_TOTAL), a, p->currency);
		d->y += text_at(d, MARGIN, d->y, width, s, 12, 1, 1) + 6;
		struct kbuf pay = KBUF_INIT;
		papers_payment_words(p, d->lang, &pay);
		snprintf(s, sizeof s, "%s: %s", papers_label(d->lang, PL_PAYMENT), kbuf_str(&pay));
		kbuf_free(&pay);
		d->y += text_at(d, MARGIN, d->y, width, s, 8, 0, 0) + 2;
	}
	snprintf(s, sizeof s, "%s: %s", papers_label(d->lang, PL_REASON),
	         papers_reason_word(p, d->lang));
	d->y += text_at(d, MARGIN, d->y, width, s, 8, 0, 0) + 8;
}

static void declaration(struct pdf *d)
{
	const struct paper *p = d->p;
	double width = d->w - 2 * MARGIN;
	char s[600];
	need(d, 70);
	d->y +=
	    text_at(d, MARGIN, d->y, width, papers_label(d->lang, declarations[p->type]), 9, 0, 0) +
	    14;
	snprintf(s, sizeof s, "%s: %s", papers_label(d->lang, PL_SIGNATURE),
	         p->seller.party.name ? p->seller.party.name : "");
	d->y += text_at(d, MARGIN, d->y, width, s, 9, 1, 0);
	snprintf(s, sizeof s, "kontor %s · Ed25519", p->seller.account);
	d->y += text_at(d, MARGIN, d->y, width, s, 7, 0, 0) + 6;
	if (papers_amended(p))
		d->y += text_at(d, MARGIN, d->y, width, papers_label(d->lang, PL_AMENDED), 7, 0, 0);
}

static void layout(struct pdf *d)
{
	d->page = 1;
	d->y = MARGIN;
	header(d);
	lines_table(d);
	totals(d);
	declaration(d);
	footer(d);
	if (!d->dry)
		cairo_show_page(d->cr);
}

static cairo_status_t to_kbuf(void *closure, const unsigned char *data, unsigned int len)
{
	kbuf_append(closure, data, len);
	return CAIRO_STATUS_SUCCESS;
}

int papers_write_pdf(const struct paper *p, int lang, int size, struct kbuf *out, struct kerr *e)
{
	double w = size == PAPERS_LETTER ? 612.0 : 595.276,
	       h = size == PAPERS_LETTER ? 792.0 : 841.89;
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(to_kbuf, out, w, h);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE,
	                               papers_label(lang, titles[p->type]));
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "kontor");
	cairo_t *cr = cairo_create(s);
	struct pdf d = {cr, p, lang, w, h, 0, 1, 1, 1};
	layout(&d); /* counts the pages */
	d.pages = d.page;
	d.dry = 0;
	layout(&d);
	cairo_status_t st = cairo_status(cr);
	cairo_destroy(cr);
	cairo_surface_finish(s);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(s);
	cairo_surface_destroy(s);
	if (st != CAIRO_STATUS_SUCCESS)
		return kerr_set(e, K_EIO, "pdf: cairo: %s", cairo_status_to_string(st));
	return K_OK;
}

void papers_pdf_release(void)
{
	/* pango's font map, cairo's and fontconfig's caches are process-wide: handed back once
	 * the papers are written, so a long-running TUI does not keep them and a leak checker
	 * sees only real leaks. The next PDF builds them again. */
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
}

#if defined(__SANITIZE_ADDRESS__)
/* Debian 12's cairo 1.16 keeps one array of its PDF surface past cairo_surface_finish (768
 * bytes a document, allocated and lost inside libcairo): not a leak of ours, so the
 * sanitizer build names it here instead of failing every PDF. Any other leak still fails. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libcairo.so\n";
}
#endif
