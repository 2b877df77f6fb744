/* papers — the trade papers of one order (commercial invoice, proforma invoice, packing list,
 * certificate of origin application) as one model struct mapped from the signed contract: a
 * pure function of the verified contract, an optional unsigned amendment the seller keeps,
 * the paper's type and its date. Every amount is recomputed from the signed lines and
 * charges and checked against the signed total; the papers' labels, numbers and dates in
 * en, de, es, fr and zh. No I/O: the writers (UBL, PDF, text) are the client's
 * (src/client/papers/), and they print only what is here.
 *
 * The amendment ({"key": "value", ...}, what `kontor order docs ORDER --set KEY=VALUE`
 * writes) fills fields the signed contract lacks; it can never change one it has, nor
 * move money: charges it names are breakdowns of the signed prices ("included"). Its keys:
 *   seller.address / buyer.address   "line; line; POSTCODE CITY; CC" (';' between parts,
 *                                    the last two city and country; postcode optional:
 *                                    "12 Main St; 10115 Berlin; DE")
 *   seller.taxId / buyer.taxId       "SCHEME:ID" ("VAT:DE123456789"), more than one with ','
 *   portOfLoading / portOfDischarge  UN/LOCODE or a place
 *   items.N.netKg / items.N.grossKg  one unit's weight in kg (N from 1)
 *   items.N.packages                 "COUNT:CODE" ("20:CT")
 *   items.N.marks                    shipping marks
 *   freight / insurance / packing    an amount included in the signed prices
 *   invoiceNumber                    the seller's own number (default KI-<order id prefix>)
 *   exportReason                     default "sale"
 * Each value one line, at most PAPERS_VALUE_MAX bytes; at most PAPERS_AMEND_MAX keys. */
#ifndef KONTOR_PAPERS_H
#define KONTOR_PAPERS_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "kontor/buf.h"
#include "kontor/contract.h"
#include "kontor/err.h"

#define PAPERS_VALUE_MAX 200
#define PAPERS_AMEND_MAX 64
#define PAPERS_MISSING_MAX 32

enum paper_type { PAPER_INVOICE, PAPER_PROFORMA, PAPER_PACKING_LIST, PAPER_ORIGIN, PAPER_NTYPES };
enum paper_lang { PAPER_EN, PAPER_DE, PAPER_ES, PAPER_FR, PAPER_ZH, PAPER_VI, PAPER_NLANGS };

/* "invoice", "proforma", "packing-list", "origin" and back; -1 when unknown. */
const char *papers_type_name(int type);
int papers_type_parse(const char *s);
/* "en" ... "vi"; -1 when not one of them. */
int papers_lang_parse(const char *s);
const char *papers_lang_code(int lang);

/* A party as printed: the signed contract's party with every string sanitised (no controls,
 * no bidi overrides), the address or tax ids it lacks filled from the amendment; the account
 * that signed for it, and which parts the amendment gave. */
struct paper_party {
	struct contract_party party; /* freed with contract_party_free (paper_free does) */
	char account[KCRYPTO_ID_LEN + 1];
	unsigned amended; /* PAPER_AMENDED_ADDRESS | PAPER_AMENDED_TAX */
};
#define PAPER_AMENDED_ADDRESS 1u
#define PAPER_AMENDED_TAX 2u

struct paper_line {
	char *description;
	char hs_code[11];
	char origin[3];
	int64_t qty;
	char unit[4];
	int64_t unit_price, amount;       /* minor units; amount = qty * unit_price */
	int64_t net_unit_g, gross_unit_g; /* 0: not known */
	int64_t net_g, gross_g;           /* the line's: per unit * qty */
	int64_t packages;
	char package_code[3];
	char *marks; /* may be NULL */
	char listing_id[MODEL_LISTING_ID_LEN + 1];
	char variant_sku[MODEL_SKU_MAX + 1]; /* the listing variant's, "" for none */
	unsigned amended; /* which values came from the amendment: PAPER_LINE_* bits */
};

/* A line's values the seller added after signing; each is marked where it stands. */
enum {
	PAPER_LINE_NET = 1 << 0,
	PAPER_LINE_GROSS = 1 << 1,
	PAPER_LINE_PACKAGES = 1 << 2,
	PAPER_LINE_MARKS = 1 << 3,
	PAPER_LINE_HS = 1 << 4,
	PAPER_LINE_ORIGIN = 1 << 5,
};
/* " *" when any of the bits of line l are amended, else "" */
const char *paper_line_star(const struct paper_line *l, unsigned bits);

struct paper_charge {
	char kind[10];
	int64_t amount;
	int included;   /* a breakdown of the signed prices (the amendment), not added */
	int on_invoice; /* codes_charge_rule: CHARGE_INVOICE or CHARGE_MAY */
};

struct paper {
	int type;
	char number[48];                            /* invoice / list / application number */
	char date[11];                              /* YYYY-MM-DD */
	char order_id[KCRYPTO_HASH_B64_LEN + 1];    /* = the binding offer's hash */
	char contract_id[KCRYPTO_HASH_B64_LEN + 1]; /* the contract (section 0's hash) */
	struct paper_party seller, buyer;
	char currency[4];
	int minor; /* the currency's decimals */
	char incoterm[4];
	char *named_place;
	char mode[8];
	char *port_loading, *port_discharge; /* NULL when not known */
	int loading_amended, discharge_amended;
	char ship_by[11], deliver_by[11];
	struct paper_line *lines;
	size_t nlines;
	struct paper_charge charges[CONTRACT_MAX_CHARGES];
	size_t ncharges;
	int64_t goods;                    /* sum of the lines */
	int64_t added;                    /* charges billed on top (the signed ones) */
	int64_t total;                    /* goods + added = the signed total */
	int64_t net_g, gross_g, packages; /* sums over the lines (0 when a line lacks it) */
	int weights_known, packages_known;
	char *payment_terms;    /* "30% on signing, 70% before shipment, into escrow" (English) */
	struct order_terms pay; /* the stages, for papers_payment_words in another language */
	int64_t release_days;   /* escrow released this many days after delivery */
	char *export_reason;
	int reason_said; /* export_reason came from the amendment, else it is the default "sale" */
	char origin_country[3]; /* the goods' origin when every line shares one, else "" */
};
/* 1 when anything on paper p came from the amendment (a party's address or tax id, a port, a
 * line's value, a charge included in the prices): the paper then says so below */
int papers_amended(const struct paper *p);

/* What a paper needs and the contract (with its amendment) lacks: one entry per field,
 * with how to add it. */
struct papers_missing {
	size_t n;
	char field[PAPERS_MISSING_MAX][64];
	char how[PAPERS_MISSING_MAX][160];
};

/* Builds paper (zeroed here) of type from a contract document: verified here
 * (K_EVERIFY when it does not), bound (K_ECONFLICT when no offer is binding yet), the
 * binding offer's terms plus amend (may be NULL; K_EINVAL naming the key when it is
 * malformed or would change a signed field). date is the paper's date (YYYY-MM-DD). The
 * amounts are recomputed and checked against the signed total: K_EVERIFY naming the line
 * or the total when they disagree. Fields the type needs and neither has: K_EUSAGE with
 * miss (may be NULL) listing each, and e naming the first. paper_free frees. */
int papers_build(const cJSON *contract, const cJSON *amend, int type, const char *date,
                 struct paper *out, struct papers_missing *miss, struct kerr *e);
void paper_free(struct paper *p);

/* --- the amendment ------------------------------------------------------------------ */

/* Checks one KEY=VALUE (a --set) and puts it into amend (an object the caller owns),
 * replacing what the key had; an empty value removes the key. K_EINVAL naming the key. */
int papers_amend_set(cJSON *amend, const char *kv, struct kerr *e);
/* Checks a whole amendment object (read back from a file): known keys, each value valid. */
int papers_amend_check(const cJSON *amend, struct kerr *e);

/* --- words and numbers for people, in the paper's language -------------------------- */

enum paper_label {
	PL_TITLE_INVOICE,
	PL_TITLE_PROFORMA,
	PL_TITLE_PACKING,
	PL_TITLE_ORIGIN,
	PL_NUMBER,
	PL_DATE,
	PL_ORDER,
	PL_CONTRACT,
	PL_SELLER,
	PL_BUYER,
	PL_TAX_ID,
	PL_INCOTERM,
	PL_MODE,
	PL_LOADING,
	PL_DISCHARGE,
	PL_SHIP_BY,
	PL_CURRENCY,
	PL_DESCRIPTION,
	PL_HS,
	PL_ORIGIN,
	PL_QTY,
	PL_UNIT_PRICE,
	PL_AMOUNT,
	PL_NET,
	PL_GROSS,
	PL_PACKAGES,
	PL_MARKS,
	PL_GOODS,
	PL_FREIGHT,
	PL_INSURANCE,
	PL_PACKING,
	PL_INCLUDED,
	PL_TOTAL,
	PL_PAYMENT,
	PL_REASON,
	PL_DECLARATION_INVOICE,
	PL_DECLARATION_PROFORMA,
	PL_DECLARATION_PACKING,
	PL_DECLARATION_ORIGIN,
	PL_SIGNATURE,
	PL_VERIFY,
	PL_AMENDED,
	PL_PAGE,
	PL_NOT_KNOWN,
	PL_TOTALS,
	PL_COUNTRY_OF_ORIGIN,
	PL_NLABELS
};
/* The label in lang (UTF-8, never NULL). */
const char *papers_label(int lang, int label);
/* minor units -> "1,234.50" (en, zh), "1.234,50" (de, es), "1 234,50" (fr, U+202F between
 * groups), with the currency's decimals. out holds at least PAPERS_NUM_MAX bytes. */
#define PAPERS_NUM_MAX 48
void papers_amount(int64_t minor, int decimals, int lang, char out[PAPERS_NUM_MAX]);
/* A whole number with grouping ("12,000"). */
void papers_count(int64_t n, int lang, char out[PAPERS_NUM_MAX]);
/* grams -> kg with 3 decimals ("1,250.500"). */
void papers_kg(int64_t grams, int lang, char out[PAPERS_NUM_MAX]);
/* YYYY-MM-DD -> "15 December 2026", "15.12.2026", "15/12/2026", "15/12/2026", "2026年12月15日". */
void papers_date(const char *ymd, int lang, char out[PAPERS_NUM_MAX]);

/* --- the contract's values in the paper's language ----------------------------------- */

/* A ship mode (order_ship_modes: "sea") in lang: "Seefracht", "đường biển"; the mode as it
 * is when unknown. */
const char *papers_mode_word(int lang, const char *mode);
/* A UN/ECE Rec 20 unit for n of it in lang: "10 pieces", "10 Stück", "10 cái" (without the
 * number); the code as it is when unknown. */
const char *papers_unit_word(int lang, const char *code, int64_t n);
/* n packages (UN/ECE Rec 21) in lang: their English name in en ("carton", "cartons"),
 * elsewhere the code, which customs read in every language. */
const char *papers_package_word(int lang, const char *code, int64_t n);
/* "12.5" (or "12,5") kg to grams, at most 3 decimals, 1 g to CONTRACT_GRAMS_MAX: 0, else -1. The
 * one reader of a weight in kg, for an offer's --net-kg and the papers' --set alike. */
int papers_kg_parse(const char *s, int64_t *grams);
/* "20:CT", a count of 1 to 10^9 and a UN/ECE Rec 21 package code (codes_package), into
 * *count and code: 0, else -1. An offer's --packages, a listing's --per-package and the
 * papers' --set read it alike. */
int papers_packages_parse(const char *s, int64_t *count, char code[3]);
/* An ISO 3166 country's name in lang from ICU's locale data ("Vietnam" in de, "Việt Nam" in
 * vi, "越南" in zh); in en the ISO short name codes_country_name gives; the code itself
 * when neither knows it. */
void papers_country_name(int lang, const char *cc, char *out, size_t cap);
/* The payment terms in lang: each stage with when it is due, then that the money goes into
 * escrow and when it is released ("30% bei Unterzeichnung, 70% vor Versand; auf ein
 * Treuhandkonto, freigegeben 14 Tage nach Lieferung"). */
void papers_payment_words(const struct paper *p, int lang, struct kbuf *out);
/* A tax id's scheme as the paper's language names it: VAT is USt-IdNr. in de, NIF-IVA in es,
 * N° TVA in fr, 增值税号 in zh, MST in vi; any other (EORI, EIN) as it is. */
const char *papers_scheme_word(int lang, const char *scheme);
/* The reason for export in lang: the amendment's words as they are, else "sale" in lang. */
const char *papers_reason_word(const struct paper *p, int lang);
/* The charge kind's label. */
int papers_charge_label(const char *kind);

#endif
