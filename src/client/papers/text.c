/* text — a paper for a terminal or an email: the same content as the PDF, label: value lines
 * and one block per line of goods, numbers and dates in the paper's language. */
#include "papers.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kontor/codes.h"

static const int titles[PAPER_NTYPES] = {PL_TITLE_INVOICE, PL_TITLE_PROFORMA, PL_TITLE_PACKING,
                                         PL_TITLE_ORIGIN};
static const int declarations[PAPER_NTYPES] = {PL_DECLARATION_INVOICE, PL_DECLARATION_PROFORMA,
                                               PL_DECLARATION_PACKING, PL_DECLARATION_ORIGIN};

static void party(struct kbuf *b, int lang, int label, const struct paper_party *pp)
{
	const struct contract_party *cp = &pp->party;
	kbuf_printf(b, "%s%s\n  %s\n", papers_label(lang, label),
	            pp->amended & PAPER_AMENDED_ADDRESS ? " *" : "", cp->name ? cp->name : "");
	for (size_t i = 0; i < cp->nlines; i++)
		kbuf_printf(b, "  %s\n", cp->lines[i]);
	if (cp->nlines) {
		char cn[160];
		papers_country_name(lang, cp->country, cn, sizeof cn);
		int named = strcmp(cn, cp->country) != 0;
		kbuf_printf(b, "  %s%s%s\n  %s%s%s%s\n", cp->postcode ? cp->postcode : "",
		            cp->postcode ? " " : "", cp->city ? cp->city : "", named ? cn : "",
		            named ? " (" : "", cp->country, named ? ")" : "");
	}
	for (size_t i = 0; i < cp->ntax_ids; i++)
		kbuf_printf(b, "  %s %s: %s%s\n", papers_label(lang, PL_TAX_ID),
		            papers_scheme_word(lang, cp->tax_ids[i].scheme), cp->tax_ids[i].id,
		            pp->amended & PAPER_AMENDED_TAX ? " *" : "");
	kbuf_printf(b, "  kontor %s\n", pp->account);
}

void papers_write_text(const struct paper *p, int lang, struct kbuf *b)
{
	char n1[PAPERS_NUM_MAX], n2[PAPERS_NUM_MAX], n3[PAPERS_NUM_MAX];
	int money = p->type == PAPER_INVOICE || p->type == PAPER_PROFORMA;
	int goods = p->type == PAPER_PACKING_LIST || p->type == PAPER_ORIGIN;
	kbuf_printf(b, "%s\n", papers_label(lang, titles[p->type]));
	papers_date(p->date, lang, n1);
	kbuf_printf(b, "%s: %s    %s: %s\n", papers_label(lang, PL_NUMBER), p->number,
	            papers_label(lang, PL_DATE), n1);
	kbuf_printf(b, "%s: %s\n%s: %s\n\n", papers_label(lang, PL_ORDER), p->order_id,
	            papers_label(lang, PL_CONTRACT), p->contract_id);
	party(b, lang, PL_SELLER, &p->seller);
	kbuf_putc(b, '\n');
	party(b, lang, PL_BUYER, &p->buyer);
	kbuf_putc(b, '\n');
	kbuf_printf(b, "%s: %s %s\n", papers_label(lang, PL_INCOTERM), p->incoterm, p->named_place);
	kbuf_printf(b, "%s: %s\n", papers_label(lang, PL_MODE), papers_mode_word(lang, p->mode));
	kbuf_printf(b, "%s: %s%s\n", papers_label(lang, PL_LOADING),
	            p->port_loading ? p->port_loading : "-", p->loading_amended ? " *" : "");
	kbuf_printf(b, "%s: %s%s\n", papers_label(lang, PL_DISCHARGE),
	            p->port_discharge ? p->port_discharge : "-", p->discharge_amended ? " *" : "");
	papers_date(p->ship_by, lang, n1);
	kbuf_printf(b, "%s: %s\n", papers_label(lang, PL_SHIP_BY), n1);
	if (p->origin_country[0]) {
		char cn[160];
		papers_country_name(lang, p->origin_country, cn, sizeof cn);
		kbuf_printf(b, "%s: %s (%s)\n", papers_label(lang, PL_COUNTRY_OF_ORIGIN), cn,
		            p->origin_country);
	}
	kbuf_printf(b, "%s: %s\n\n", papers_label(lang, PL_CURRENCY), p->currency);

	for (size_t i = 0; i < p->nlines; i++) {
		const struct paper_line *l = &p->lines[i];
		kbuf_printf(b, "%zu. %s\n", i + 1, l->description);
		kbuf_printf(b, "   %s: %s%s   %s: %s%s\n", papers_label(lang, PL_HS),
		            l->hs_code[0] ? l->hs_code : "-", paper_line_star(l, PAPER_LINE_HS),
		            papers_label(lang, PL_ORIGIN), l->origin[0] ? l->origin : "-",
		            paper_line_star(l, PAPER_LINE_ORIGIN));
		papers_count(l->qty, lang, n1);
		kbuf_printf(b, "   %s: %s %s", papers_label(lang, PL_QTY), n1,
		            papers_unit_word(lang, l->unit, l->qty));
		if (money) {
			papers_amount(l->unit_price, p->minor, lang, n2);
			papers_amount(l->amount, p->minor, lang, n3);
			kbuf_printf(b, "   %s: %s   %s: %s", papers_label(lang, PL_UNIT_PRICE), n2,
			            papers_label(lang, PL_AMOUNT), n3);
		}
		kbuf_putc(b, '\n');
		if (l->net_g || l->gross_g) {
			papers_kg(l->net_g, lang, n1);
			papers_kg(l->gross_g, lang, n2);
			kbuf_printf(b, "   %s: %s%s   %s: %s%s\n", papers_label(lang, PL_NET), n1,
			            paper_line_star(l, PAPER_LINE_NET),
			            papers_label(lang, PL_GROSS), n2,
			            paper_line_star(l, PAPER_LINE_GROSS));
		}
		if (l->packages) {
			const char *pw = papers_package_word(lang, l->package_code, l->packages);
			int named = strcmp(pw, l->package_code) != 0;
			papers_count(l->packages, lang, n1);
			kbuf_printf(b, "   %s: %s %s%s%s%s%s\n", papers_label(lang, PL_PACKAGES),
			            n1, pw, named ? " (" : "", named ? l->package_code : "",
			            named ? ")" : "", paper_line_star(l, PAPER_LINE_PACKAGES));
		}
		if (l->marks)
			kbuf_printf(b, "   %s: %s%s\n", papers_label(lang, PL_MARKS), l->marks,
			            paper_line_star(l, PAPER_LINE_MARKS));
	}
	kbuf_putc(b, '\n');
	if (goods || p->weights_known || p->packages_known) {
		kbuf_printf(b, "%s:", papers_label(lang, PL_TOTALS));
		if (p->weights_known) {
			papers_kg(p->net_g, lang, n1);
			papers_kg(p->gross_g, lang, n2);
			kbuf_printf(b, " %s %s, %s %s", papers_label(lang, PL_NET), n1,
			            papers_label(lang, PL_GROSS), n2);
		}
		if (p->packages_known) {
			papers_count(p->packages, lang, n1);
			kbuf_printf(b, ", %s %s", papers_label(lang, PL_PACKAGES), n1);
		}
		kbuf_putc(b, '\n');
	}
	if (money) {
		papers_amount(p->goods, p->minor, lang, n1);
		kbuf_printf(b, "%s: %s %s\n", papers_label(lang, PL_GOODS), n1, p->currency);
		for (size_t i = 0; i < p->ncharges; i++) {
			const struct paper_charge *c = &p->charges[i];
			papers_amount(c->amount, p->minor, lang, n1);
			kbuf_printf(b, "%s: %s %s%s%s%s\n",
			            papers_label(lang, papers_charge_label(c->kind)), n1,
			            p->currency, c->included ? " (" : "",
			            c->included ? papers_label(lang, PL_INCLUDED) : "",
			            c->included ? ") *" : "");
		}
		papers_amount(p->total, p->minor, lang, n1);
		kbuf_printf(b, "%s: %s %s\n", papers_label(lang, PL_TOTAL), n1, p->currency);
		kbuf_printf(b, "%s: ", papers_label(lang, PL_PAYMENT));
		papers_payment_words(p, lang, b);
		kbuf_putc(b, '\n');
	}
	kbuf_printf(b, "%s: %s\n\n", papers_label(lang, PL_REASON), papers_reason_word(p, lang));
	kbuf_printf(b, "%s\n", papers_label(lang, declarations[p->type]));
	kbuf_printf(b, "%s: %s (kontor %s)\n", papers_label(lang, PL_SIGNATURE),
	            p->seller.party.name ? p->seller.party.name : "", p->seller.account);
	kbuf_printf(b, papers_label(lang, PL_VERIFY), p->contract_id);
	kbuf_putc(b, '\n');
	if (papers_amended(p))
		kbuf_printf(b, "%s\n", papers_label(lang, PL_AMENDED));
}
