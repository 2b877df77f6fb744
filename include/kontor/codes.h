/* codes — the code lists trade runs on: ISO 3166-1 countries and ISO 4217 currencies (from
 * Debian's iso-codes JSON at run time, loaded on first use), Incoterms 2020, common UN/ECE
 * Rec 20 units, DCSA Track & Trace event codes and classifiers (tables generated from
 * data/). Lookups are case-sensitive on the official upper-case codes. */
#ifndef KONTOR_CODES_H
#define KONTOR_CODES_H

#include <stddef.h>
#include <stdint.h>

#include "kontor/err.h"

/* Directory of iso_3166-1.json and iso_4217.json: $KONTOR_ISO_CODES_DIR or
 * /usr/share/iso-codes/json. K_EIO naming the file when it cannot be read. */
int codes_load(struct kerr *e);

/* Country by ISO 3166-1 alpha-2 ("DE"); NULL when unknown (or iso-codes unreadable). */
const char *codes_country_name(const char *alpha2);
/* K_OK or K_EINVAL: "field: unknown country 'XX' (ISO 3166-1 alpha-2, e.g. DE)"; K_EIO
 * naming the file when iso-codes cannot be read (same for codes_check_currency). */
int codes_check_country(const char *alpha2, const char *field, struct kerr *e);

/* Currency by ISO 4217 alpha-3 ("EUR"): name, NULL when not a current currency. */
const char *codes_currency_name(const char *alpha3);
/* Minor units (0..4) of a current currency, -1 when unknown or without minor units. */
int codes_currency_minor(const char *alpha3);
int codes_check_currency(const char *alpha3, const char *field, struct kerr *e);

struct incoterm {
	const char *code; /* "FOB" */
	const char *name; /* "Free On Board" */
	int sea_only;     /* FAS, FOB, CFR, CIF: sea and inland waterway only */
};
const struct incoterm *codes_incoterm(const char *code);
const struct incoterm *codes_incoterms(int *n);
int codes_check_incoterm(const char *code, const char *field, struct kerr *e);
/* Whether the rule's named place is where the goods go (the C rules' destination, the D rules'
 * place of delivery), so that an RFQ's destination is the place to offer: 1 for a known C or
 * D rule, else 0 (E and F rules name where the seller hands them over). */
int codes_incoterm_at_destination(const char *code);

struct unit {
	const char *code;   /* UN/ECE Rec 20: "C62" */
	const char *name;   /* "piece" */
	const char *plural; /* "pieces" */
	const char *abbr;   /* "pcs": after a count in a narrow column */
	const char *also;   /* other words people write for it, '|' between: "pc|pce" */
};
const struct unit *codes_unit(const char *code);
/* The unit a person means by word, in any case: its code (c62), name (piece), plural
 * (pieces), short form (pcs) or another common word for it (pc, meter, kgs, sqm, cbm);
 * NULL when none is. What --unit and an import's unit column take. */
const struct unit *codes_unit_word(const char *word);
/* codes_unit_word's unit's code into out (4 bytes); K_EINVAL naming field and the word as
 * given, with the words kontor knows, when it means none. */
int codes_unit_parse(const char *word, char *out, const char *field, struct kerr *e);
/* The unit's name for n of it: "1 piece", "65 pieces", "0 pieces"; the code itself for a
 * unit without a name here; a NULL or empty code is C62, a piece. */
const char *codes_unit_count(const char *code, int64_t n);
/* The unit's short form after a count in a column: "pcs", "kg", "m²"; the code itself for a
 * unit without a name here; a NULL or empty code is C62. */
const char *codes_unit_abbr(const char *code);
const struct unit *codes_units(int *n);
int codes_check_unit(const char *code, const char *field, struct kerr *e);

/* An HS code as people write it (730830, 7308.30, 7308.30.90, 7308 30 90) in the digits
 * a signed document keeps: dots, spaces and hyphens between digits dropped. 1 when s so
 * written holds 6 to 10 digits (out, CODES_HS_MAX + 1 bytes, gets them), 0 when it does
 * not (out untouched). codes_hs_ok is the signed form's check: the digits alone. */
#define CODES_HS_MAX 10
int codes_hs_code(const char *s, char *out);
int codes_hs_ok(const char *s);

/* UN/ECE Recommendation 21 package type codes, the common ones ("CT" carton, "PX"
 * pallet, ...): what the papers print as the kind of package. */
struct package_code {
	const char *code;   /* "CT" */
	const char *name;   /* "carton" */
	const char *plural; /* "cartons" */
};
const struct package_code *codes_package(const char *code);
const struct package_code *codes_packages(int *n);
int codes_check_package(const char *code, const char *field, struct kerr *e);

/* Who pays a charge under an Incoterms 2020 rule, and so whether the seller's invoice
 * carries it (the one table: codes.c). kind is "freight" (the main carriage), "insurance"
 * (cargo insurance) or "packing". */
enum charge_rule {
	CHARGE_BUYER = 0,  /* the buyer's cost: not on the seller's invoice */
	CHARGE_MAY = 1,    /* the seller's cost, itemised when the seller bills it */
	CHARGE_INVOICE = 2 /* the seller's cost the rule names: the invoice must itemise it */
};
extern const char *const codes_charge_kinds[]; /* freight insurance packing, NULL-ended */
/* -1 when the rule or the kind is unknown. */
int codes_charge_rule(const char *incoterm, const char *kind);
/* Why, for people: "under FOB the buyer pays the main carriage". */
const char *codes_charge_why(const char *incoterm, const char *kind, char *out, size_t cap);

enum dcsa_kind { DCSA_EQUIPMENT, DCSA_TRANSPORT, DCSA_SHIPMENT, DCSA_KONTOR };
struct dcsa_code {
	const char *code; /* "LOAD" */
	enum dcsa_kind kind;
	const char *name;        /* "Load" */
	const char *description; /* DCSA's sentence ("" for some) */
};
/* Event codes incl. kontor's extensions OFDL, DLVD, EXCP. */
const struct dcsa_code *codes_dcsa_event(const char *code);
const struct dcsa_code *codes_dcsa_events(int *n);
/* "ACT", "EST", "PLN", "REQ" -> name; NULL when unknown. */
const char *codes_dcsa_classifier(const char *code);

#endif
