/* contract — the contract document of DESIGN §5 as a pure library (no I/O, no network, no
 * store): offer terms to and from canonical JSON, validated field by field; sections made,
 * hashed, signed and appended; a whole contract verified offline; the offer rendered as a
 * readable document; two offers diffed field by field. The client, the node and the fuzzer
 * share it.
 *
 * The document (model_validate("Contract") accepts it):
 *   {"id": <hash of section 0>, "buyerId", "sellerId", "listingId"?,
 *    "sections": [{"kind", "body": <canonical JSON as a string>,
 *                  "hash": base64url(BLAKE2b-256(body)), "signatures": [{by, role, sig}]}]}
 *
 * What is signed: Ed25519 over  "kontor/v1/contract/" <section kind> "\0" <body bytes>
 * (kcrypto_sign_object with kind "contract/<section kind>"), i.e. the exact canonical bytes
 * stored in "body", never the hash and never a re-serialisation. The body is what the
 * signer read and agreed to; the section kind is outside the body, so it is put in the
 * signing domain: a "funded" signature can never be relabelled "released", and no listing
 * or rating signature can pass as a contract signature. Signing the body (rather than its
 * hash) lets anyone check a signature with libsodium alone, without trusting our hash.
 *
 * The chain: every section after the first carries "prev" = hash of the section right
 * before it, so sections cannot be dropped, reordered or moved to another contract. A
 * counter-offer also carries "supersedes" = hash of the latest offer before it.
 * Roles: "buyer" (the offer's buyer), "seller" (the offer's seller), "escrow" (the node as
 * escrow agent: the offer's escrowAgent key; model.c's role name for the node).
 * An offer is binding when it carries both a buyer and a seller signature; the order id is
 * its hash. Once an offer is binding no further offer may follow; order events need a
 * binding offer before them (only "cancelled" may come before one), and they are replayed
 * through the rules of a trade (order.h) against the binding offer's terms: a step taken
 * out of turn, by a role that may not take it, or moving other money than the terms say
 * does not verify.
 *
 * Limits: CONTRACT_MAX_SECTIONS sections, CONTRACT_BODY_MAX bytes of body, 8 signatures
 * per section, CONTRACT_MAX_ITEMS items per offer. */
#ifndef KONTOR_CONTRACT_H
#define KONTOR_CONTRACT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "kontor/buf.h"
#include "kontor/crypto.h"
#include "kontor/err.h"
#include "kontor/model.h"
#include "kontor/order.h"

#define CONTRACT_MAX_SECTIONS 64
#define CONTRACT_BODY_MAX 65536
#define CONTRACT_MAX_SIGS 8
#define CONTRACT_MAX_ITEMS 100
#define CONTRACT_DATE_LEN 10   /* RFC 3339 full-date "2026-12-15" */
#define CONTRACT_TEXT_MAX 4000 /* quality, inspection */
#define CONTRACT_LINE_MAX 200  /* named place, governing law, venue, description */
#define CONTRACT_NONCE_LEN 22  /* base64url of 16 random bytes */
#define CONTRACT_ADDR_LINES 4
#define CONTRACT_MAX_TAX_IDS 4
#define CONTRACT_MAX_CHARGES 3 /* one of each kind */
#define CONTRACT_PORT_MAX 100
#define CONTRACT_MARKS_MAX 500
#define CONTRACT_GRAMS_MAX 1000000000 /* one unit: 1,000 t */

/* Offer body, canonical JSON (keys sorted by canon_write):
 *   buyer, seller            account ids (must differ)
 *   items[]                  {listingId, listingHash, description, qty, unit, unitPrice,
 *                             hsCode?, origin?}
 *                            listingHash = base64url BLAKE2b-256 of the canonical bytes
 *                            of the signed listing WITH its "sig" (listing_to_json(l, 1)),
 *                            so the quote names exactly the seller-signed listing.
 *   currency, total          ISO 4217; total = sum qty * unitPrice in minor units, exact
 *   incoterm, namedPlace     Incoterms 2020 rule and its named place
 *   shipmentMode             sea | air | road | rail | courier; FAS, FOB, CFR and CIF are
 *                            refused with air or courier (sea and inland waterway only)
 *   shipBy, deliverBy        RFC 3339 full-date "YYYY-MM-DD" (trade terms are calendar
 *                            days, not instants); shipBy <= deliverBy
 *   payment                  {method: "escrow", stages: [{pct, due}], autoReleaseDays
 *                            1..90}: the payment stages of order.h (due "signing",
 *                            "before_shipment", "delivery", "days_after_delivery:N").
 *                            Documents before stages carry depositPct 0..100 instead,
 *                            read as order_stages_deposit says.
 *   quality, inspection      plain text (may be empty: left out)
 *   governingLaw, disputeVenue, language (ISO 639-1), escrowAgent (the node's key id)
 *   supersedes?              hash of the offer this one counters
 *   prev?                    hash of the section before (every offer but the first)
 *   created?, nonce?         when the offer was made (RFC 3339 UTC) and 16 random bytes
 *                            (base64url), so two offers of identical terms are two
 *                            contracts; documents made before them have neither
 * What the trade papers need (all optional: documents before them have none):
 *   buyerParty?, sellerParty? {name, address? {lines [1..4], city, postcode?, country},
 *                            taxIds? [{scheme, id}]}: copied from the Account profiles
 *                            when the offer is made, so the signed document is whole
 *   items[].netGrams?, grossGrams?  one unit's weight (grams, integers as canonical JSON
 *                            wants; the papers print kg), gross >= net
 *   items[].packages? {count, code (UN/ECE Rec 21)}, items[].marks? (shipping marks)
 *   items[].variantSku?      the sku of the listing's variant bought (its options follow
 *                            the title in the description); documents before it have none
 *   portOfLoading?, portOfDischarge?  UN/LOCODE ("CNNGB") where known, else free text
 *   charges? [{kind, amount}]  freight, insurance, packing, each at most once, billed by
 *                            the seller on top of the goods: total = sum of the lines + sum
 *                            of the charges. Only what the Incoterm makes the seller's cost
 *                            (codes_charge_rule): freight under FOB is refused. */
struct contract_tax_id {
	char scheme[17]; /* VAT, EORI, EIN, GSTIN, USCI, ... */
	char id[41];
};

/* A party as the papers print it; name NULL when the offer carries none. */
struct contract_party {
	char *name; /* legal name, else display name; one line */
	char *lines[CONTRACT_ADDR_LINES];
	size_t nlines; /* 0: no address */
	char *city, *postcode;
	char country[3];
	struct contract_tax_id tax_ids[CONTRACT_MAX_TAX_IDS];
	size_t ntax_ids;
};

struct contract_charge {
	char kind[10];  /* freight insurance packing */
	int64_t amount; /* minor units, >= 0 */
};

struct contract_item {
	char listing_id[MODEL_LISTING_ID_LEN + 1];
	char listing_hash[KCRYPTO_HASH_B64_LEN + 1];
	char *description;    /* 1..CONTRACT_LINE_MAX bytes, one line */
	int64_t qty;          /* >= 1 */
	char unit[4];         /* UN/ECE Rec 20 */
	int64_t unit_price;   /* minor units, >= 0 */
	char hs_code[11];     /* 6..10 digits or "" */
	char origin[3];       /* ISO 3166 alpha-2 or "" */
	int64_t net_grams;    /* one unit, 0 when not said */
	int64_t gross_grams;  /* one unit packed, 0 when not said */
	int64_t packages;     /* how many packages the line ships in, 0 when not said */
	char package_code[3]; /* UN/ECE Rec 21, "" with packages 0 */
	char *marks;          /* shipping marks, may be NULL */
	char variant_sku[MODEL_SKU_MAX + 1]; /* the listing variant's sku, "" for none */
};

struct contract_terms {
	char buyer[KCRYPTO_ID_LEN + 1];
	char seller[KCRYPTO_ID_LEN + 1];
	struct contract_item *items;
	size_t nitems;
	char currency[4];
	int64_t total; /* contract_terms_total fills it */
	char incoterm[4];
	char *named_place; /* required, one line */
	char mode[8];      /* sea air road rail courier */
	char ship_by[CONTRACT_DATE_LEN + 1];
	char deliver_by[CONTRACT_DATE_LEN + 1];
	int64_t deposit_pct; /* 0..100: the stages (order_stages_deposit) when nstages is 0 */
	struct order_stage stages[ORDER_MAX_STAGES];
	size_t nstages;            /* 0: the stages deposit_pct means */
	int64_t auto_release_days; /* 1..90 */
	char *quality;             /* may be NULL */
	char *inspection;          /* may be NULL */
	char *governing_law;       /* required */
	char *dispute_venue;       /* required */
	char language[3];          /* ISO 639-1 */
	char escrow_agent[KCRYPTO_ID_LEN + 1];
	char supersedes[KCRYPTO_HASH_B64_LEN + 1]; /* "" for a first offer */
	char prev[KCRYPTO_HASH_B64_LEN + 1];       /* "" for section 0 */
	char created[MODEL_TIME_LEN + 1];          /* "" in documents made before it */
	char nonce[CONTRACT_NONCE_LEN + 1];        /* "" in documents made before it */
	struct contract_party buyer_party, seller_party;
	char *port_loading, *port_discharge; /* may be NULL */
	struct contract_charge charges[CONTRACT_MAX_CHARGES];
	size_t ncharges;
};

void contract_terms_init(struct contract_terms *t); /* zeroes; payment 100% / 14 days */
void contract_terms_free(struct contract_terms *t); /* frees and zeroes */
/* Sets created to now and nonce to 16 fresh random bytes (every new offer, counters too). */
void contract_terms_stamp(struct contract_terms *t);
/* What the rules of a trade need from the terms: currency, total and the payment stages
 * (the explicit ones, else those deposit_pct means). */
void contract_terms_order(const struct contract_terms *t, struct order_terms *out);

/* Appends an item quoting listing l (which must carry its seller's signature) for qty:
 * description = title, unit, hsCode, origin from the listing; unitPrice = the listing's
 * tier price for qty (listing_unit_price) when unit_price < 0, else unit_price as given.
 * A listing with variants needs the one bought named by variant (listing_variant_find):
 * the item keeps its sku, the description ends in its options ("Basket (Size: L)") and its
 * own price, when it has one, replaces the tier's. variant is refused for a listing
 * without variants.
 * Sets currency and seller from the listing when still empty and refuses a listing from
 * another seller. An offer in another currency than the listing's (t->currency set first)
 * takes the listing only with unit_price given: its tiers say nothing in that currency and
 * kontor converts nothing. K_EINVAL naming the field. */
int contract_terms_add_listing(struct contract_terms *t, const struct listing *l, int64_t qty,
                               int64_t unit_price, const char *variant, struct kerr *e);
/* listingHash of l: base64url BLAKE2b-256 of its canonical bytes with its signature. */
int contract_listing_hash(const struct listing *l, char out[KCRYPTO_HASH_B64_LEN + 1],
                          struct kerr *e);
/* Makes item it (which quotes l: its id and hash, else K_ECONFLICT) be for the variant of l
 * that variant names (listing_variant_find): its sku, and the title with its options as the
 * description. The price is the caller's; *var_out (may be NULL) gets the variant. */
int contract_item_set_variant(struct contract_item *it, const struct listing *l,
                              const char *variant, const cJSON **var_out, struct kerr *e);
/* The party from an Account profile: its legal name (else display name), address and tax
 * ids. Replaces what p held. */
void contract_party_from_account(struct contract_party *p, const struct account *a);
void contract_party_free(struct contract_party *p);
/* Sets (amount >= 0) or adds a charge of kind; K_EINVAL for an unknown kind. */
int contract_terms_set_charge(struct contract_terms *t, const char *kind, int64_t amount,
                              struct kerr *e);
/* Sum of the lines (qty * unit_price), and of the charges; overflow-checked. */
int contract_terms_goods(const struct contract_terms *t, int64_t *goods, int64_t *charges,
                         struct kerr *e);
/* total = sum qty * unit_price + sum of the charges, overflow-checked (K_ERANGE past
 * MONEY_MAX). */
int contract_terms_total(struct contract_terms *t, struct kerr *e);
/* Every rule above (including that total is the exact sum). K_EINVAL naming the field
 * ("items[1].unit: ...", "incoterm: FOB (Free On Board) is for sea and inland waterway
 * transport only, not air ..."). */
int contract_terms_validate(const struct contract_terms *t, struct kerr *e);
/* Validated terms -> new offer body tree (caller cJSON_Delete). */
int contract_terms_to_json(const struct contract_terms *t, cJSON **out, struct kerr *e);
/* Offer body tree -> terms (initialised here, freed again on error); refuses unknown
 * properties and then validates. */
int contract_terms_from_json(const cJSON *body, struct contract_terms *out, struct kerr *e);
/* The terms of an offer section (parses its body). */
int contract_section_terms(const cJSON *section, struct contract_terms *out, struct kerr *e);

/* --- sections and the document ------------------------------------------------------ */

/* Known section kind ("offer", "funded", ... "cancelled")? */
int contract_kind_valid(const char *kind);

/* Event body: {"prev", "at" (RFC 3339 UTC time)} plus what the caller puts in extra (an
 * object of further fields, copied; may be NULL): note, amount (minor units: funded,
 * released, refunded), stage (funded: the payment stage's number, from 1), carrier,
 * trackingNumber, mode (shipped: one of order_ship_modes), buyerAmount, sellerAmount
 * (ruling), reason. What a step needs is a field, never words in the note. New tree in
 * *out. */
int contract_event_body(const char *prev, const char *at, const cJSON *extra, cJSON **out,
                        struct kerr *e);

/* New section {kind, body: canon_write(body), hash, signatures: []} (caller cJSON_Delete).
 * K_ETOOBIG over CONTRACT_BODY_MAX; K_EINVAL for an unknown kind or a body that cannot be
 * canonical. Does not check the body's fields (contract_verify does). */
int contract_section_make(const char *kind, const cJSON *body, cJSON **section, struct kerr *e);
/* Adds {by: kp's id, role, sig} over the section's body (see the top of this file). role
 * is "buyer", "seller" or "escrow". K_EEXIST when kp already signed it, K_EINVAL for a bad
 * role or a section without body/kind. Does not check that kp is entitled to the role. */
int contract_section_sign(cJSON *section, const char *role, const struct kkeypair *kp,
                          struct kerr *e);

/* A new document whose section 0 is the offer section (ownership passes to the document,
 * also on failure). Checks the offer's terms; buyerId/sellerId/id from them. */
int contract_new(cJSON *offer_section, cJSON **contract, struct kerr *e);
/* Appends a section (ownership passes, also on failure). K_ETOOBIG past
 * CONTRACT_MAX_SECTIONS. Checks only shape and the "prev" link; contract_verify checks it all. */
int contract_append(cJSON *contract, cJSON *section, struct kerr *e);
/* The hash of the last section (the next section's "prev"); K_EINVAL when there is none. */
int contract_tip(const cJSON *contract, char out[KCRYPTO_HASH_B64_LEN + 1], struct kerr *e);
/* Index of the latest offer section, -1 when none. */
int contract_latest_offer(const cJSON *contract);
/* The terms of the latest offer into *t, initialised here whatever comes of it (the caller
 * frees them): K_OK, K_EINVAL when contract (or NULL) has no offer, else what
 * contract_section_terms says. */
int contract_latest_terms(const cJSON *contract, struct contract_terms *t, struct kerr *e);
/* What the trade is about, for a list: the first item's description, sanitised, and
 * " +N more" when there are more; "-" without terms (the caller frees it). _of reads the
 * latest offer of a contract (NULL: "-"). The Orders and Contracts of `kontor order list`,
 * `contract list` and the terminal UI all name the product by it. */
char *contract_product(const struct contract_terms *terms);
/* Item i for people, appended to out: "300 pieces × Iron table legs, SKU TL-71 at 10.20 USD"
 * (the variant's SKU when there is one, the unit price as money_text writes it), and where,
 * how and by when the goods ship: "FOB Hai Phong by sea; ship by 2027-01-04, deliver by
 * 2027-02-18" (what the terms leave unsaid left out). `order show` and the TUI's order
 * say the goods with them. The description is the offer's: clean it for a terminal. */
void contract_item_words(const struct contract_terms *t, size_t i, struct kbuf *out);
void contract_shipping_words(const struct contract_terms *t, struct kbuf *out);
/* The charges billed on top of the goods, appended to out: "freight 500,000 VND, insurance
 * 50,000 VND"; nothing when there are none. */
void contract_charges_words(const struct contract_terms *t, struct kbuf *out);
/* The payment stages in words: "30% on signing, 70% before shipment", with amounts (as
 * money_text writes them, for people only) "30% on signing (3,900,000 VND), 70% before
 * shipment (9,100,000 VND)": the amounts the node takes at each `order pay`. */
void contract_payment_words(const struct contract_terms *t, int amounts, struct kbuf *out);
char *contract_product_of(const cJSON *contract);
/* The day the latest offer says the goods ship by ("2027-01-06"), unchecked as
 * contract_product_of: 1 and out, or 0 and "" when it says none that reads as a date. */
int contract_ship_by_of(const cJSON *contract, char out[CONTRACT_DATE_LEN + 1]);
/* Where an order stands against ship_by, the day its contract has the goods ship by
 * (contract_ship_by_of), as the inbox, the TUI and order show all say it:
 * CONTRACT_SHIP_NONE while shipping is not the seller's step now (not paid as the terms ask
 * before shipment, or shipped) or there is no day ("" or NULL); CONTRACT_SHIP_DUE before
 * the day is gone, CONTRACT_SHIP_LATE after, in the local zone (the day itself is still in
 * time). */
enum { CONTRACT_SHIP_NONE, CONTRACT_SHIP_DUE, CONTRACT_SHIP_LATE };
int contract_ship_due(const char *ship_by, const struct order_terms *t,
                      const struct order_progress *p);
/* Whether section i carries a signature given as role ("buyer", "seller"): that party has
 * signed it (contract_verify says whether the signature is good and whose). */
int contract_signed_as(const cJSON *contract, int i, const char *role);
/* The role account self has in an object with buyerId and sellerId (a contract, an Order):
 * "buyer", "seller", or NULL when neither. */
const char *contract_role_of(const cJSON *obj, const char *self);
/* When the document last changed, as its sections say (a signed document carries no envelope
 * times): the latest of the events' "at" and the offers' "created", in out as
 * "YYYY-MM-DDTHH:MM:SSZ". 1 when a section gave one, 0 when none did (out is then ""). */
int contract_latest_time(const cJSON *contract, char out[MODEL_TIME_LEN + 1]);
/* The document's last "disputed" section: the role that signed it ("buyer", "seller") into
 * role, its reason as written into reason and its time into at (each when not NULL; "" when
 * the section says none). 0 (role "") when no section is one. Read as written: verify the
 * document first where it matters. */
struct kbuf;
int contract_dispute_of(const cJSON *contract, char role[16], struct kbuf *reason,
                        char at[MODEL_TIME_LEN + 1]);
/* Whether role ("buyer", "seller") is to answer a dispute now: the Order (order) is
 * disputed and carries no answer yet, and the contract's last "disputed" section was signed
 * by the other party. 0 when contract is NULL. order dispute and the TUI's D ask it. */
int contract_dispute_answerable(const cJSON *order, const cJSON *contract, const char *role);
/* When the document was made, as it says: its first offer's "created" in out; 0 (out "")
 * for a document an older kontor made, whose offer carries none. */
int contract_created_time(const cJSON *contract, char out[MODEL_TIME_LEN + 1]);

struct contract_status {
	size_t nsections;
	int latest_offer; /* index of the latest offer section */
	int binding;      /* index of the binding offer, -1 when not (yet) binding */
	char order_id[KCRYPTO_HASH_B64_LEN + 1]; /* hash of the binding offer, "" when none */
	char last_kind[16];
	/* The order the sections make, replayed through order.h: the binding offer's terms
	 * (nothing to pay before one binds), where the order stands after the last section
	 * and after each one, and the money each section moved (none for offers). */
	struct order_terms terms;
	struct order_progress progress;
	struct order_progress after[CONTRACT_MAX_SECTIONS];
	struct order_effect effect[CONTRACT_MAX_SECTIONS];
};

/* Verifies the whole document offline: shape (model "Contract"), every body canonical and
 * of its kind's fields, every hash, every signature against its "by" in the domain
 * "contract/<kind>", each role's signer is the party named in the offer (buyer, seller,
 * escrowAgent) and allowed for that kind, the prev chain, supersedes on counter-offers,
 * the same parties on every offer, events only after a binding offer, nothing after
 * "cancelled", the top-level id/buyerId/sellerId agreeing with the offer, and every event
 * after the binding offer a step the rules of a trade (order.h) allow from where the order
 * stands, moving the money the terms say. K_EVERIFY (or K_EINVAL/K_ETOOBIG for malformed
 * input) with "section 2 (funded): signature of escrow does not verify"; K_ECONFLICT for a
 * step out of turn ("section 2 (shipped): order is awaiting_payment: ship needs funded").
 * st may be NULL. */
int contract_verify(const cJSON *contract, struct contract_status *st, struct kerr *e);

/* The state of a verified contract, the one rule both programs name it by (the node's
 * Contract/query filters on it, the client shows it): "cancelled" after a cancelled
 * section, "binding" once an offer binds, "countered" when a later offer superseded the
 * first, else "offer". A static string. */
const char *contract_state_name(const struct contract_status *st);

/* --- for people ---------------------------------------------------------------------- */

/* Appends the latest offer as a plain-English document (parties, items table, total,
 * Incoterm rule and place explained, dates, payment, quality, inspection, law, venue,
 * language) followed by every section's kind, hash and signatures. Does not verify:
 * call contract_verify first and say so. Outside text is shown with controls replaced. */
int contract_render(const cJSON *contract, struct kbuf *out, struct kerr *e);
/* The same within width columns (the Items table fitted, each description whole and
 * wrapped, longer lines broken at spaces); width 0 is contract_render: the table laid out
 * for 100 columns, other lines as they are. */
int contract_render_width(const cJSON *contract, int width, struct kbuf *out, struct kerr *e);
/* Appends one line per changed field ("items[0].qty: 500 -> 800",
 * "items[0].unit price: 12.50 USD -> 11.90 USD", "incoterm: FOB -> CIF", "payment into escrow: 100%
 * before shipment -> 30% on signing (…), 70% before shipment (…)"); nothing when the terms agree
 * (apart from supersedes, prev, created and nonce). */
void contract_diff(const struct contract_terms *old_t, const struct contract_terms *new_t,
                   struct kbuf *out);
/* The fields contract_diff names, in words, each once ("quantity, unit price, total",
 * "payment into escrow"): what a counter-offer changes, said in a line. */
void contract_changed_words(const struct contract_terms *old_t, const struct contract_terms *new_t,
                            struct kbuf *out);
/* The latest offer's terms (new_t) and those of the offer it counters (old_t): 1 when the
 * latest is a counter-offer and both read; 0 otherwise (new_t may hold terms then too). */
int contract_offer_pair(const cJSON *contract, struct contract_terms *old_t,
                        struct contract_terms *new_t);

#endif
