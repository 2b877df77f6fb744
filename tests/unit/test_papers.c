/* test_papers — the trade papers' model (kontor/papers.h) and the UBL writer: each paper's
 * fields mapped from a fixed signed contract, the invoice's UBL compared with a golden
 * document after canonicalisation (libxml2's C14N), amounts in 0-, 2- and 3-decimal currencies
 * (JPY, USD, KWD), the charge rules per Incoterm (in an offer and in the amendment), what is
 * missing listed, a --set that would change a signed field refused, an unverifiable contract
 * refused, and hostile text escaped in the XML. Fixed keys and dates. Runs from the repo root;
 * needs Debian's iso-codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/papers/papers.h"
#include "kontor/codes.h"
#include "kontor/contract.h"
#include "kontor/crypto.h"
#include "kontor/json.h"
#include "kontor/papers.h"

static struct kkeypair buyer_kp, seller_kp, node_kp;
static char buyer_id[KCRYPTO_ID_LEN + 1], seller_id[KCRYPTO_ID_LEN + 1],
    node_id[KCRYPTO_ID_LEN + 1];

static void seeded(struct kkeypair *kp, uint8_t b)
{
	uint8_t seed[32];
	memset(seed, b, sizeof seed);
	kcrypto_keypair_from_seed(kp, seed);
}

static int setup(void **state)
{
	struct kerr e = {0, ""};
	if (kcrypto_init(&e) != K_OK || codes_load(&e) != K_OK)
		return -1;
	seeded(&buyer_kp, 1);
	seeded(&seller_kp, 2);
	seeded(&node_kp, 3);
	kcrypto_account_id(buyer_kp.pk, buyer_id);
	kcrypto_account_id(seller_kp.pk, seller_id);
	kcrypto_account_id(node_kp.pk, node_id);
	return 0;
}

static void party(struct contract_party *p, const char *name, const char *line, const char *city,
                  const char *cc, const char *scheme, const char *id)
{
	p->name = xstrdup(name);
	p->lines[p->nlines++] = xstrdup(line);
	p->city = xstrdup(city);
	memcpy(p->country, cc, 3);
	snprintf(p->tax_ids[0].scheme, sizeof p->tax_ids[0].scheme, "%s", scheme);
	snprintf(p->tax_ids[0].id, sizeof p->tax_ids[0].id, "%s", id);
	p->ntax_ids = 1;
}

/* One line of qty at unit_price (minor units of cur) under incoterm, every paper field
 * given unless bare. */
static void make_terms(struct contract_terms *t, const char *cur, const char *incoterm, int64_t qty,
                       int64_t unit_price, int bare)
{
	contract_terms_init(t);
	memcpy(t->buyer, buyer_id, sizeof t->buyer);
	memcpy(t->seller, seller_id, sizeof t->seller);
	memcpy(t->escrow_agent, node_id, sizeof t->escrow_agent);
	t->items = xcalloc(1, sizeof *t->items);
	t->nitems = 1;
	struct contract_item *it = &t->items[0];
	memcpy(it->listing_id, "LAAAAAAAAAAAAAAAAAAAAAA", MODEL_LISTING_ID_LEN + 1);
	memset(it->listing_hash, 'h', KCRYPTO_HASH_B64_LEN);
	it->description = xstrdup("Porcelain tea set <6 cups> & tray");
	it->qty = qty;
	memcpy(it->unit, "SET", 4);
	it->unit_price = unit_price;
	memcpy(it->hs_code, "691200", 7);
	memcpy(it->origin, "VN", 3);
	memcpy(t->currency, cur, 4);
	memcpy(t->incoterm, incoterm, 4);
	t->named_place = xstrdup("Jebel Ali");
	memcpy(t->mode, "sea", 4);
	memcpy(t->ship_by, "2026-12-15", 11);
	memcpy(t->deliver_by, "2027-01-31", 11);
	t->governing_law = xstrdup("CISG");
	t->dispute_venue = xstrdup("Arbitration");
	memcpy(t->language, "en", 3);
	if (!bare) {
		it->net_grams = 1200;
		it->gross_grams = 1450;
		it->packages = 50;
		memcpy(it->package_code, "CT", 3);
		it->marks = xstrdup("GULF/BT/1-50");
		party(&t->seller_party, "Bat Trang Ceramics Co", "12 Gom Su Street", "Ha Noi", "VN",
		      "VAT", "0101234567");
		party(&t->buyer_party, "Gulf Trading LLC", "Building 5, Port Road", "Dubai", "AE",
		      "TRN", "100123456700003");
		t->port_loading = xstrdup("VNHPH");
		t->port_discharge = xstrdup("AEJEA");
	}
}

/* A binding contract of t (both parties signed the offer). Caller deletes. */
static cJSON *bind(struct contract_terms *t)
{
	struct kerr e = {0, ""};
	cJSON *body = NULL, *sec = NULL, *doc = NULL;
	if (contract_terms_total(t, &e) != K_OK || contract_terms_to_json(t, &body, &e) != K_OK)
		fail_msg("terms: %s", e.msg);
	assert_int_equal(contract_section_make("offer", body, &sec, &e), K_OK);
	cJSON_Delete(body);
	assert_int_equal(contract_section_sign(sec, "buyer", &buyer_kp, &e), K_OK);
	assert_int_equal(contract_section_sign(sec, "seller", &seller_kp, &e), K_OK);
	assert_int_equal(contract_new(sec, &doc, &e), K_OK);
	return doc;
}

static void test_invoice_maps_every_field_from_the_signed_contract(void **state)
{
	struct contract_terms t;
	struct paper p;
	struct kerr e = {0, ""};
	make_terms(&t, "USD", "CIF", 500, 980, 0);
	assert_int_equal(contract_terms_set_charge(&t, "freight", 85000, &e), K_OK);
	assert_int_equal(contract_terms_set_charge(&t, "insurance", 12050, &e), K_OK);
	cJSON *doc = bind(&t);
	int rc = papers_build(doc, NULL, PAPER_INVOICE, "2026-12-10", &p, NULL, &e);
	if (rc)
		fail_msg("papers_build: %s", e.msg);
	assert_string_equal(p.seller.party.name, "Bat Trang Ceramics Co");
	assert_string_equal(p.buyer.party.tax_ids[0].id, "100123456700003");
	assert_string_equal(p.port_loading, "VNHPH");
	assert_int_equal(p.lines[0].amount, 490000);
	assert_int_equal(p.goods, 490000);
	assert_int_equal(p.added, 97050);
	assert_int_equal(p.total, 587050);
	assert_int_equal(p.net_g, 600000);
	assert_int_equal(p.gross_g, 725000);
	assert_int_equal(p.packages, 50);
	assert_int_equal(p.minor, 2);
	assert_true(strncmp(p.number, "KI-", 3) == 0);
	assert_string_equal(p.origin_country, "VN");
	paper_free(&p);
	cJSON_Delete(doc);
	contract_terms_free(&t);
}

/* The golden file is the invoice's UBL as written once and read by a person; both sides are
 * canonicalised (C14N 1.0) so indentation and attribute order do not matter. */
static char *c14n(const char *xml, size_t len)
{
	xmlDocPtr d = xmlReadMemory(xml, (int)len, "x.xml", "UTF-8", XML_PARSE_NOBLANKS);
	assert_non_null(d);
	xmlChar *out = NULL;
	assert_true(xmlC14NDocDumpMemory(d, NULL, XML_C14N_1_0, NULL, 0, &out) > 0);
	xmlFreeDoc(d);
	char *s = xstrdup((const char *)out);
	xmlFree(out);
	return s;
}

static void test_invoice_ubl_matches_the_golden_document(void **state)
{
	struct contract_terms t;
	struct paper p;
	struct kerr e = {0, ""};
	make_terms(&t, "USD", "CIF", 500, 980, 0);
	assert_int_equal(contract_terms_set_charge(&t, "freight", 85000, &e), K_OK);
	assert_int_equal(contract_terms_set_charge(&t, "insurance", 12050, &e), K_OK);
	memcpy(t.created, "2026-12-01T10:00:00Z", MODEL_TIME_LEN + 1);
	memcpy(t.nonce, "AAAAAAAAAAAAAAAAAAAAAA", CONTRACT_NONCE_LEN + 1);
	cJSON *doc = bind(&t);
	assert_int_equal(papers_build(doc, NULL, PAPER_INVOICE, "2026-12-10", &p, NULL, &e), K_OK);
	struct kbuf x = KBUF_INIT, g = KBUF_INIT;
	assert_int_equal(papers_write_ubl(&p, &x, &e), K_OK);
	const char *golden = "tests/data/papers/invoice.xml";
	if (getenv("PAPERS_GOLDEN_WRITE"))
		kbuf_write_file_atomic(golden, x.data, x.len, 0644, &e);
	if (kbuf_read_file(golden, 1 << 20, &g, &e) != K_OK)
		fail_msg("%s: %s", golden, e.msg);
	char *a = c14n(x.data, x.len), *b = c14n(g.data, g.len);
	assert_string_equal(a, b);
	/* The description's < and & are escaped by the writer, not dropped. */
	assert_non_null(strstr(x.data, "Porcelain tea set &lt;6 cups&gt; &amp; tray"));
	free(a);
	free(b);
	kbuf_free(&x);
	kbuf_free(&g);
	paper_free(&p);
	cJSON_Delete(doc);
	contract_terms_free(&t);
}

/* A line for one variant of a listing names it: the seller's item id extended by the
 * variant's SKU, and its options in the description the contract signed. */
static void test_a_variant_line_names_the_variant_in_ubl(void **state)
{
	struct contract_terms t;
	struct paper p;
	struct kerr e = {0, ""};
	make_terms(&t, "USD", "FOB", 50, 980, 0);
	free(t.items[0].description);
	t.items[0].description = xstrdup("Porcelain tea set (Colour: Blue)");
	memcpy(t.items[0].variant_sku, "TEA-6-BLUE", 11);
	cJSON *doc = bind(&t);
	assert_int_equal(papers_build(doc, NULL, PAPER_INVOICE, "2026-12-10", &p, NULL, &e), K_OK);
	struct kbuf x = KBUF_INIT;
	assert_int_equal(papers_write_ubl(&p, &x, &e), K_OK);
	const char *sid = strstr(kbuf_str(&x), "<cac:SellersItemIdentification>"),
	           *id = strstr(kbuf_str(&x), "<cbc:ID>LAAAAAAAAAAAAAAAAAAAAAA</cbc:ID>"),
	           *ext = strstr(kbuf_str(&x), "<cbc:ExtendedID>TEA-6-BLUE</cbc:ExtendedID>"),
	           *end = strstr(kbuf_str(&x), "</cac:SellersItemIdentification>");
	assert_non_null(sid);
	assert_non_null(id);
	assert_non_null(ext);
	assert_true(sid < id && id < ext && ext < end); /* ExtendedID follows ID, as UBL has it */
	assert_non_null(strstr(kbuf_str(&x), "<cbc:Description>Porcelain tea set (Colour: Blue)<"));
	kbuf_free(&x);
	paper_free(&p);
	cJSON_Delete(doc);
	contract_terms_free(&t);
}

/* 0, 2 and 3 decimals: the papers print exactly the contract's minor units. */
static void test_amounts_in_jpy_usd_and_kwd_keep_their_decimals(void **state)
{
	static const struct {
		const char *cur;
		int64_t unit;
		const char *en, *de, *ubl;
	} cases[] = {
	    {"JPY", 1250, "625,000", "625.000", "<cbc:PayableAmount currencyID=\"JPY\">625000<"},
	    {"USD", 1250, "6,250.00", "6.250,00", "<cbc:PayableAmount currencyID=\"USD\">6250.00<"},
	    {"KWD", 1250, "625.000", "625,000", "<cbc:PayableAmount currencyID=\"KWD\">625.000<"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct contract_terms t;
		struct paper p;
		struct kerr e = {0, ""};
		char s[PAPERS_NUM_MAX];
		make_terms(&t, cases[i].cur, "FOB", 500, cases[i].unit, 0);
		cJSON *doc = bind(&t);
		assert_int_equal(
		    papers_build(doc, NULL, PAPER_PROFORMA, "2026-12-10", &p, NULL, &e), K_OK);
		papers_amount(p.total, p.minor, PAPER_EN, s);
		assert_string_equal(s, cases[i].en);
		papers_amount(p.total, p.minor, PAPER_DE, s);
		assert_string_equal(s, cases[i].de);
		struct kbuf x = KBUF_INIT;
		assert_int_equal(papers_write_ubl(&p, &x, &e), K_OK);
		assert_non_null(strstr(kbuf_str(&x), cases[i].ubl));
		assert_non_null(strstr(kbuf_str(&x), ">325</cbc:InvoiceTypeCode>"));
		kbuf_free(&x);
		paper_free(&p);
		cJSON_Delete(doc);
		contract_terms_free(&t);
	}
}

static void test_numbers_and_dates_in_six_languages(void **state)
{
	char s[PAPERS_NUM_MAX];
	papers_amount(123456789, 2, PAPER_FR, s);
	assert_string_equal(s, "1\u202f234\u202f567,89");
	papers_amount(123456789, 2, PAPER_ZH, s);
	assert_string_equal(s, "1,234,567.89");
	papers_kg(725000, PAPER_ES, s);
	assert_string_equal(s, "725,000");
	papers_date("2026-12-05", PAPER_EN, s);
	assert_string_equal(s, "5 December 2026");
	papers_date("2026-12-05", PAPER_DE, s);
	assert_string_equal(s, "05.12.2026");
	papers_date("2026-12-05", PAPER_ZH, s);
	assert_string_equal(s, "2026年12月5日");
	assert_string_equal(papers_label(PAPER_FR, PL_TITLE_PACKING), "Liste de colisage");
	/* Vietnamese: her own papers, as Vietnam writes numbers and dates */
	assert_int_equal(papers_lang_parse("vi"), PAPER_VI);
	assert_string_equal(papers_lang_code(PAPER_VI), "vi");
	papers_amount(123456789, 2, PAPER_VI, s);
	assert_string_equal(s, "1.234.567,89");
	papers_amount(980000000, 0, PAPER_VI, s); /* dong have no minor unit */
	assert_string_equal(s, "980.000.000");
	papers_date("2026-12-05", PAPER_VI, s);
	assert_string_equal(s, "05/12/2026");
	assert_string_equal(papers_label(PAPER_VI, PL_TITLE_INVOICE), "Hóa đơn thương mại");
	for (int l = 0; l < PL_NLABELS; l++) /* every label has its Vietnamese words */
		assert_true(papers_label(PAPER_VI, l)[0] != '\0');
}

/* The one table: who pays each charge under each rule. */
static void test_the_contracts_values_in_the_papers_language(void **state)
{
	struct contract_terms t;
	struct paper p;
	struct kerr e = {0, ""};
	make_terms(&t, "USD", "FOB", 500, 980, 0);
	t.nstages = 3; /* 30% on signing, 60% before shipment, 10% 30 days after delivery */
	t.stages[0] = (struct order_stage){.pct = 30, .due = ORDER_DUE_SIGNING};
	t.stages[1] = (struct order_stage){.pct = 60, .due = ORDER_DUE_BEFORE_SHIPMENT};
	t.stages[2] = (struct order_stage){.pct = 10, .due = ORDER_DUE_AFTER_DELIVERY, .days = 30};
	t.auto_release_days = 14;
	cJSON *doc = bind(&t);
	assert_int_equal(papers_build(doc, NULL, PAPER_INVOICE, "2026-12-10", &p, NULL, &e), K_OK);
	struct kbuf b = KBUF_INIT;
	papers_payment_words(&p, PAPER_EN, &b);
	assert_string_equal(kbuf_str(&b), "30% on signing, 60% before shipment, 10% 30 days after "
	                                  "delivery; into escrow, released 14 days after delivery, "
	                                  "once every stage is paid");
	kbuf_reset(&b);
	papers_payment_words(&p, PAPER_DE, &b);
	assert_string_equal(
	    kbuf_str(&b), "30% bei Unterzeichnung, 60% vor Versand, 10% 30 Tage nach Lieferung; "
	                  "auf ein Treuhandkonto, freigegeben 14 Tage nach Lieferung, sobald jede "
	                  "Rate bezahlt ist");
	kbuf_reset(&b);
	papers_payment_words(&p, PAPER_VI, &b);
	assert_string_equal(kbuf_str(&b),
	                    "30% khi ký hợp đồng, 60% trước khi giao hàng, 10% 30 "
	                    "ngày sau khi nhận hàng; vào tài khoản ký quỹ, giải ngân "
	                    "14 ngày sau khi nhận hàng, khi đã thanh toán đủ các đợt");
	kbuf_reset(&b);
	papers_payment_words(&p, PAPER_ZH, &b);
	assert_string_equal(kbuf_str(&b), "30% 签约时，60% 发货前，10% 交货后30天；付入托管账户，"
	                                  "交货后14天放款（须各期款项付清后）");
	/* all before shipment: escrow holds it all by delivery, nothing more is said */
	paper_free(&p);
	cJSON_Delete(doc);
	t.nstages = 1;
	t.stages[0] = (struct order_stage){.pct = 100, .due = ORDER_DUE_BEFORE_SHIPMENT};
	doc = bind(&t);
	assert_int_equal(papers_build(doc, NULL, PAPER_INVOICE, "2026-12-10", &p, NULL, &e), K_OK);
	kbuf_reset(&b);
	papers_payment_words(&p, PAPER_FR, &b);
	assert_string_equal(kbuf_str(&b),
	                    "100% avant l'expédition; sous séquestre, libéré 14 jours "
	                    "après la livraison");
	kbuf_free(&b);
	/* a VAT id's scheme in each language; other schemes as they are */
	assert_string_equal(papers_scheme_word(PAPER_DE, "VAT"), "USt-IdNr.");
	assert_string_equal(papers_scheme_word(PAPER_FR, "VAT"), "N° TVA");
	assert_string_equal(papers_scheme_word(PAPER_VI, "VAT"), "MST");
	assert_string_equal(papers_scheme_word(PAPER_EN, "VAT"), "VAT");
	assert_string_equal(papers_scheme_word(PAPER_DE, "EORI"), "EORI");
	/* the default reason for export, in each language; an amendment's as it is */
	assert_string_equal(papers_reason_word(&p, PAPER_EN), "sale");
	assert_string_equal(papers_reason_word(&p, PAPER_FR), "vente");
	assert_string_equal(papers_reason_word(&p, PAPER_ZH), "销售");
	paper_free(&p);
	cJSON *a = cJSON_CreateObject();
	assert_int_equal(papers_amend_set(a, "exportReason=sample, no charge", &e), K_OK);
	assert_int_equal(papers_build(doc, a, PAPER_INVOICE, "2026-12-10", &p, NULL, &e), K_OK);
	assert_string_equal(papers_reason_word(&p, PAPER_DE), "sample, no charge");
	paper_free(&p);
	cJSON_Delete(a);
	cJSON_Delete(doc);
	contract_terms_free(&t);

	assert_string_equal(papers_mode_word(PAPER_EN, "sea"), "sea");
	assert_string_equal(papers_mode_word(PAPER_DE, "sea"), "Seefracht");
	assert_string_equal(papers_mode_word(PAPER_VI, "air"), "đường hàng không");
	assert_string_equal(papers_mode_word(PAPER_ZH, "rail"), "铁路运输");
	assert_string_equal(papers_mode_word(PAPER_FR, "hovercraft"), "hovercraft");
	/* units: English and German plurals at 1, French takes the singular for 0 */
	assert_string_equal(papers_unit_word(PAPER_EN, "C62", 1), "piece");
	assert_string_equal(papers_unit_word(PAPER_EN, "C62", 10), "pieces");
	assert_string_equal(papers_unit_word(PAPER_DE, "SET", 1), "Satz");
	assert_string_equal(papers_unit_word(PAPER_DE, "SET", 2), "Sätze");
	assert_string_equal(papers_unit_word(PAPER_FR, "PR", 0), "paire");
	assert_string_equal(papers_unit_word(PAPER_FR, "PR", 2), "paires");
	assert_string_equal(papers_unit_word(PAPER_ES, "MTR", 5), "metros");
	assert_string_equal(papers_unit_word(PAPER_VI, "C62", 10), "cái");
	assert_string_equal(papers_unit_word(PAPER_ZH, "CT", 10), "纸箱");
	assert_string_equal(papers_unit_word(PAPER_DE, "XYZ", 3), "XYZ");
	assert_string_equal(papers_package_word(PAPER_EN, "CT", 1), "carton");
	assert_string_equal(papers_package_word(PAPER_EN, "CT", 12), "cartons");
	assert_string_equal(papers_package_word(PAPER_EN, "BX", 2), "boxes");
	assert_string_equal(papers_package_word(PAPER_EN, "NE", 5), "unpacked");
	assert_string_equal(papers_package_word(PAPER_DE, "CT", 12), "CT");
	/* countries from ICU's data, in en the ISO short name as before */
	char cn[160];
	papers_country_name(PAPER_EN, "VN", cn, sizeof cn);
	assert_string_equal(cn, "Viet Nam");
	papers_country_name(PAPER_DE, "VN", cn, sizeof cn);
	assert_string_equal(cn, "Vietnam");
	papers_country_name(PAPER_VI, "DE", cn, sizeof cn);
	assert_string_equal(cn, "Đức");
	papers_country_name(PAPER_ZH, "DE", cn, sizeof cn);
	assert_string_equal(cn, "德国");
	papers_country_name(PAPER_FR, "QQ", cn, sizeof cn); /* no such country: the code */
	assert_string_equal(cn, "QQ");
}

static void test_charge_rules_per_incoterm(void **state)
{
	static const struct {
		const char *rule;
		int freight, insurance, packing;
	} want[] = {
	    {"EXW", CHARGE_BUYER, CHARGE_BUYER, CHARGE_MAY},
	    {"FCA", CHARGE_BUYER, CHARGE_BUYER, CHARGE_MAY},
	    {"FAS", CHARGE_BUYER, CHARGE_BUYER, CHARGE_MAY},
	    {"FOB", CHARGE_BUYER, CHARGE_BUYER, CHARGE_MAY},
	    {"CFR", CHARGE_INVOICE, CHARGE_BUYER, CHARGE_MAY},
	    {"CIF", CHARGE_INVOICE, CHARGE_INVOICE, CHARGE_MAY},
	    {"CPT", CHARGE_INVOICE, CHARGE_BUYER, CHARGE_MAY},
	    {"CIP", CHARGE_INVOICE, CHARGE_INVOICE, CHARGE_MAY},
	    {"DAP", CHARGE_INVOICE, CHARGE_MAY, CHARGE_MAY},
	    {"DPU", CHARGE_INVOICE, CHARGE_MAY, CHARGE_MAY},
	    {"DDP", CHARGE_INVOICE, CHARGE_MAY, CHARGE_MAY},
	};
	int n;
	codes_incoterms(&n);
	assert_int_equal(n, (int)(sizeof want / sizeof *want));
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		assert_int_equal(codes_charge_rule(want[i].rule, "freight"), want[i].freight);
		assert_int_equal(codes_charge_rule(want[i].rule, "insurance"), want[i].insurance);
		assert_int_equal(codes_charge_rule(want[i].rule, "packing"), want[i].packing);
		/* An offer may bill what the rule makes the seller's, never the buyer's. */
		struct contract_terms t;
		struct kerr e = {0, ""};
		make_terms(&t, "USD", want[i].rule, 10, 100, 0);
		if (strcmp(want[i].rule, "FAS") && strcmp(want[i].rule, "FOB") &&
		    strcmp(want[i].rule, "CFR") && strcmp(want[i].rule, "CIF"))
			memcpy(t.mode, "road", 5);
		contract_terms_set_charge(&t, "freight", 5000, &e);
		contract_terms_total(&t, &e);
		int rc = contract_terms_validate(&t, &e);
		assert_int_equal(rc, want[i].freight == CHARGE_BUYER ? K_EINVAL : K_OK);
		if (rc)
			assert_non_null(strstr(e.msg, "the buyer pays the main carriage"));
		contract_terms_free(&t);
	}
	assert_int_equal(codes_charge_rule("FOB", "duty"), -1);
}

/* An old contract (no papers' fields): the invoice lists what it lacks, each with its --set;
 * the amendment fills it and the papers say which parts came from it; CIF's freight and
 * insurance must be itemised, stated as included in the signed prices. */
static void test_missing_fields_are_listed_and_the_amendment_fills_them(void **state)
{
	struct contract_terms t;
	struct paper p;
	struct papers_missing m;
	struct kerr e = {0, ""};
	make_terms(&t, "USD", "CIF", 100, 1000, 1);
	cJSON *doc = bind(&t);
	assert_int_equal(papers_build(doc, NULL, PAPER_INVOICE, "2026-12-10", &p, &m, &e),
	                 K_EUSAGE);
	struct kbuf all = KBUF_INIT;
	for (size_t i = 0; i < m.n; i++)
		kbuf_printf(&all, "%s: %s\n", m.field[i], m.how[i]);
	assert_non_null(strstr(kbuf_str(&all), "seller address: --set seller.address="));
	assert_non_null(strstr(kbuf_str(&all), "buyer tax id: --set buyer.taxId="));
	assert_non_null(strstr(kbuf_str(&all), "line 1 net weight: --set items.1.netKg="));
	assert_non_null(strstr(kbuf_str(&all), "freight charge: under CIF the seller pays"));
	assert_non_null(strstr(kbuf_str(&all), "insurance charge:"));
	assert_null(strstr(kbuf_str(&all), "packing charge"));
	kbuf_free(&all);

	cJSON *a = cJSON_CreateObject();
	static const char *const sets[] = {"seller.address=12 Gom Su Street; Bat Trang",
	                                   "seller.city=Ha Noi",
	                                   "seller.country=VN",
	                                   "seller.taxId=VAT:0101234567",
	                                   "buyer.address=Port Road 5",
	                                   "buyer.city=Dubai",
	                                   "buyer.country=AE",
	                                   "buyer.taxId=TRN:100123456700003",
	                                   "portOfLoading=VNHPH",
	                                   "portOfDischarge=AEJEA",
	                                   "items.1.netKg=1.2",
	                                   "items.1.grossKg=1.45",
	                                   "items.1.packages=10:CT",
	                                   "freight=80.00",
	                                   "insurance=12.50"};
	for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
		if (papers_amend_set(a, sets[i], &e) != K_OK)
			fail_msg("%s: %s", sets[i], e.msg);
	if (papers_build(doc, a, PAPER_INVOICE, "2026-12-10", &p, &m, &e) != K_OK)
		fail_msg("papers_build: %s", e.msg);
	assert_true(p.seller.amended & PAPER_AMENDED_ADDRESS);
	assert_int_equal(p.seller.party.nlines, 2);
	assert_string_equal(p.seller.party.lines[1], "Bat Trang");
	assert_int_equal(p.lines[0].amended,
	                 PAPER_LINE_NET | PAPER_LINE_GROSS | PAPER_LINE_PACKAGES);
	assert_int_equal(p.lines[0].gross_g, 145000);
	assert_int_equal(p.total, 100000); /* included charges never add to the signed total */
	assert_int_equal(p.charges[0].included, 1);
	struct kbuf txt = KBUF_INIT;
	papers_write_text(&p, PAPER_EN, &txt);
	assert_non_null(
	    strstr(kbuf_str(&txt), "Freight: 80.00 USD (included in the prices above) *"));
	assert_non_null(strstr(kbuf_str(&txt), "added by the seller after signing"));
	kbuf_free(&txt);
	paper_free(&p);

	/* Freight under FOB is the buyer's: not on the seller's papers even as a breakdown. */
	struct contract_terms f;
	make_terms(&f, "USD", "FOB", 100, 1000, 0);
	cJSON *fdoc = bind(&f), *fa = cJSON_CreateObject();
	assert_int_equal(papers_amend_set(fa, "freight=80.00", &e), K_OK);
	assert_int_equal(papers_build(fdoc, fa, PAPER_INVOICE, "2026-12-10", &p, NULL, &e),
	                 K_EINVAL);
	assert_non_null(strstr(e.msg, "under FOB the buyer pays the main carriage"));
	cJSON_Delete(fa);
	cJSON_Delete(fdoc);
	contract_terms_free(&f);
	cJSON_Delete(a);
	cJSON_Delete(doc);
	contract_terms_free(&t);
}

/* The packing list of a contract under incoterm (named place Jebel Ali) with every field but
 * the ports unless ports: its result, and whether the missing list names each port. */
static int ports_of(const char *incoterm, int ports, struct paper *p, int *loading_missing,
                    int *discharge_missing)
{
	struct contract_terms t;
	struct papers_missing m = {0};
	struct kerr e = {0, ""};
	make_terms(&t, "USD", incoterm, 100, 1000, 0);
	if (!ports) {
		free(t.port_loading);
		free(t.port_discharge);
		t.port_loading = t.port_discharge = NULL;
	}
	cJSON *doc = bind(&t);
	int rc = papers_build(doc, NULL, PAPER_PACKING_LIST, "2026-12-10", p, &m, &e);
	*loading_missing = *discharge_missing = 0;
	for (size_t i = 0; i < m.n; i++) {
		*loading_missing |= strcmp(m.field[i], "port of loading") == 0;
		*discharge_missing |= strcmp(m.field[i], "port of discharge") == 0;
	}
	cJSON_Delete(doc);
	contract_terms_free(&t);
	return rc;
}

static void test_a_sea_rules_named_place_is_the_port_it_names(void **state)
{
	struct paper p;
	int lm, dm;
	/* FOB and FAS name the port of shipment, signed: not asked again, the other is; CFR
	 * and CIF the port of destination; a rule for any mode names a place, not a port */
	static const struct {
		const char *rule;
		int loading_asked, discharge_asked;
	} rules[] = {{"FOB", 0, 1}, {"FAS", 0, 1}, {"CIF", 1, 0}, {"CFR", 1, 0}, {"FCA", 1, 1}};
	for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
		assert_int_equal(ports_of(rules[i].rule, 0, &p, &lm, &dm), K_EUSAGE);
		if (lm != rules[i].loading_asked || dm != rules[i].discharge_asked)
			fail_msg("%s: port of loading asked %d, of discharge %d", rules[i].rule, lm,
			         dm);
	}
	/* ports the contract says stand, and the named place is no mark of an amendment */
	assert_int_equal(ports_of("FOB", 1, &p, &lm, &dm), K_OK);
	assert_string_equal(p.port_loading, "VNHPH");
	assert_string_equal(p.port_discharge, "AEJEA");
	assert_int_equal(p.loading_amended, 0);
	paper_free(&p);
}

static void test_refusals(void **state)
{
	struct contract_terms t;
	struct paper p;
	struct kerr e = {0, ""};
	make_terms(&t, "USD", "CIF", 100, 1000, 0);
	contract_terms_set_charge(&t, "freight", 5000, &e);
	contract_terms_set_charge(&t, "insurance", 500, &e);
	cJSON *doc = bind(&t), *a = cJSON_CreateObject();
	/* A signed field cannot be changed by the amendment. */
	assert_int_equal(papers_amend_set(a, "portOfLoading=VNSGN", &e), K_OK);
	assert_int_equal(papers_build(doc, a, PAPER_PACKING_LIST, "2026-12-10", &p, NULL, &e),
	                 K_EINVAL);
	assert_non_null(strstr(e.msg, "portOfLoading: the signed contract says it already"));
	/* Bad --set values, each naming its key. */
	assert_int_equal(papers_amend_set(a, "items.1.packages=ten:CT", &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "items.1.packages"));
	assert_int_equal(papers_amend_set(a, "items.1.packages=10:ZZ", &e), K_EINVAL);
	assert_int_equal(papers_amend_set(a, "seller.taxId=vat:1", &e), K_EINVAL);
	assert_int_equal(papers_amend_set(a, "buyer.city=Dubai\xe2\x80\xae", &e), K_EINVAL);
	assert_int_equal(papers_amend_set(a, "seller.name=X", &e), K_EINVAL);
	assert_int_equal(papers_amend_set(a, "items.1.netKg=1.2345", &e), K_EINVAL);
	assert_int_equal(papers_amend_set(a, "noequals", &e), K_EINVAL);
	/* A line the contract does not have. */
	cJSON *b = cJSON_CreateObject();
	assert_int_equal(papers_amend_set(b, "items.2.marks=X", &e), K_OK);
	assert_int_equal(papers_build(doc, b, PAPER_INVOICE, "2026-12-10", &p, NULL, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "the contract has 1 line"));
	cJSON_Delete(b);
	/* A contract whose body was changed after signing does not verify. */
	cJSON *bad = cJSON_Duplicate(doc, 1);
	cJSON *sec = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(bad, "sections"), 0);
	char *body = xstrdup(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sec, "body")));
	char *q = strstr(body, "\"qty\":100");
	assert_non_null(q);
	q[8] = '9';
	cJSON_ReplaceItemInObjectCaseSensitive(sec, "body", cJSON_CreateString(body));
	free(body);
	assert_int_equal(papers_build(bad, NULL, PAPER_INVOICE, "2026-12-10", &p, NULL, &e),
	                 K_EVERIFY);
	cJSON_Delete(bad);
	/* An offer not yet binding has no papers. */
	cJSON *unsigned_doc = cJSON_Duplicate(doc, 1);
	sec = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(unsigned_doc, "sections"), 0);
	cJSON_DeleteItemFromArray(cJSON_GetObjectItemCaseSensitive(sec, "signatures"), 1);
	assert_int_equal(
	    papers_build(unsigned_doc, NULL, PAPER_INVOICE, "2026-12-10", &p, NULL, &e),
	    K_ECONFLICT);
	cJSON_Delete(unsigned_doc);
	cJSON_Delete(a);
	cJSON_Delete(doc);
	contract_terms_free(&t);
}

/* Old contracts (made before the papers' fields) still verify and map. */
static void test_old_contracts_still_verify_and_map(void **state)
{
	struct kbuf b = KBUF_INIT;
	struct kerr e = {0, ""};
	cJSON *doc = NULL;
	struct paper p;
	struct papers_missing m;
	assert_int_equal(
	    kbuf_read_file("tests/data/contracts/old-deposit-air-confirmed.json", 1 << 20, &b, &e),
	    K_OK);
	assert_int_equal(json_parse(b.data, b.len, "old", &doc, &e), K_OK);
	int rc = papers_build(doc, NULL, PAPER_PROFORMA, "2026-12-10", &p, &m, &e);
	assert_true(rc == K_OK || rc == K_EUSAGE);
	if (rc == K_OK)
		paper_free(&p);
	else
		assert_true(m.n > 0);
	cJSON_Delete(doc);
	kbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_invoice_maps_every_field_from_the_signed_contract),
	    cmocka_unit_test(test_invoice_ubl_matches_the_golden_document),
	    cmocka_unit_test(test_a_variant_line_names_the_variant_in_ubl),
	    cmocka_unit_test(test_amounts_in_jpy_usd_and_kwd_keep_their_decimals),
	    cmocka_unit_test(test_numbers_and_dates_in_six_languages),
	    cmocka_unit_test(test_the_contracts_values_in_the_papers_language),
	    cmocka_unit_test(test_charge_rules_per_incoterm),
	    cmocka_unit_test(test_missing_fields_are_listed_and_the_amendment_fills_them),
	    cmocka_unit_test(test_a_sea_rules_named_place_is_the_port_it_names),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_old_contracts_still_verify_and_map),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
