/* model — the types of DESIGN §4 to and from JSON, validated field by field. Listing and
 * Account have C structs (the client's hot paths use them); every type can be checked as
 * JSON with model_validate. Messages name the field ("priceTiers[2].minQty: ..."). A
 * struct owns every pointer in it; *_free releases them and leaves the struct zeroed. */
#ifndef KONTOR_MODEL_H
#define KONTOR_MODEL_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "kontor/buf.h"
#include "kontor/crypto.h"
#include "kontor/err.h"

#define MODEL_TITLE_MAX 200 /* bytes */
#define MODEL_DESC_MAX 20000
#define MODEL_SKU_MAX 64
#define MODEL_SELLER_SKU_MAX 200 /* bytes of a SKU as the seller wrote it */
#define MODEL_TAGS_MAX 32
#define MODEL_TIERS_MAX 16
#define MODEL_VARIANTS_MAX 256
#define MODEL_IMAGES_MAX 32
#define MODEL_LISTING_ID_LEN 23 /* 'L' + base64url of 16 bytes */
#define MODEL_TIME_LEN 20       /* "2026-11-23T09:12:18Z" */

struct kstrv {
	char **v;
	size_t n;
};
void kstrv_push(struct kstrv *sv, const char *s); /* copies s */
void kstrv_free(struct kstrv *sv);

struct price_tier {
	int64_t min_qty;    /* >= 1, strictly increasing across tiers */
	int64_t unit_price; /* minor units of the listing currency, >= 0 (>= 1 when set now) */
};

/* The rule of a listing's prices, once: each quantity break from more units than the one
 * before (TIERS_ORDER); and, for prices set now (is_new), each above nothing (TIERS_FREE: a
 * listing is not a gift) and never dearer than the break below it (TIERS_DEARER) — rules
 * that came later, so that listings signed before them still read. Returns TIERS_OK when
 * t[0..n) keeps it, else what it breaks with *at the index of the tier that breaks it.
 * Each caller words it for its reader (a path in the document, or the option she typed). */
enum { TIERS_OK, TIERS_FREE, TIERS_ORDER, TIERS_DEARER };
int price_tiers_rule(const struct price_tier *t, size_t n, int is_new, size_t *at);

struct listing {
	char id[MODEL_LISTING_ID_LEN + 1];
	char seller_id[KCRYPTO_ID_LEN + 1];
	char *sku;         /* required, 1..MODEL_SKU_MAX of A-Z a-z 0-9 - _ . /; the seller's key */
	char *seller_sku;  /* the SKU as the seller wrote it, when sku had to be made from it
	                    * (spaces, '#', too long); else NULL. Variants: "sellerSku" */
	char *title;       /* required, 1..MODEL_TITLE_MAX bytes, no control characters */
	char *description; /* plain text, may be NULL */
	char *category;    /* may be NULL */
	struct kstrv tags;
	char *hs_code;            /* 6..10 digits, may be NULL */
	char origin_country[3];   /* ISO 3166 alpha-2 or "" */
	char ships_from[3];       /* ISO 3166 alpha-2 or "" */
	char currency[4];         /* ISO 4217, required */
	struct price_tier *tiers; /* at least one; tiers[0].min_qty is normally 1 or moq */
	size_t ntiers;
	char unit[4];           /* UN/ECE Rec 20, default "C62"; "" in a summary without one */
	int64_t moq;            /* >= 1 */
	int64_t lead_time_days; /* >= 0 */
	int64_t stock;          /* units on hand as the seller last said; -1: not said */
	/* What one unit weighs and how it is packed, for the papers (0 / "" when not said):
	 * "netGrams", "grossGrams", "packageCode" (UN/ECE Rec 21), "unitsPerPackage". */
	int64_t net_grams, gross_grams;
	char package_code[3];
	int64_t units_per_package;
	struct kstrv incoterms; /* Incoterms 2020 codes offered */
	cJSON *variants;        /* owned; NULL or a validated array [{sku, options, unitPrice?}] */
	struct kstrv images;    /* blob ids or https URLs */
	char status[8];         /* "active" or "paused" */
	char created[MODEL_TIME_LEN + 1];
	char updated[MODEL_TIME_LEN + 1];
	char *sig; /* standard base64 Ed25519 signature, or NULL when unsigned */
};

void listing_init(struct listing *l); /* zeroes, status "active", unit "C62", moq 1 */
void listing_free(struct listing *l);
/* Deep copy; dst is initialised by this call. */
void listing_copy(struct listing *dst, const struct listing *src);

/* id = "L" + base64url(BLAKE2b-128(seller_id "\0" sku)): the same SKU from the same seller
 * is always the same listing, so a re-import never makes a second one. */
void listing_make_id(const char *seller_id, const char *sku, char out[MODEL_LISTING_ID_LEN + 1]);

/* Every rule of DESIGN §4 (codes known, tiers increasing, sizes bounded, UTF-8, no control
 * characters in one-line fields). K_EINVAL naming the field. */
int listing_validate(const struct listing *l, struct kerr *e);
/* Parses and validates; out is initialised by this call (and freed again on error). */
int listing_from_json(const cJSON *j, struct listing *out, struct kerr *e);
/* New tree (caller cJSON_Delete). with_sig 0 leaves "sig" out: that form's canonical bytes
 * are what the seller signs. Optional fields that are empty are left out. */
cJSON *listing_to_json(const struct listing *l, int with_sig);
/* Canonical bytes of the listing without sig. */
int listing_canon(const struct listing *l, struct kbuf *out, struct kerr *e);
/* Sets seller_id from kp, id from sku, and sig over listing_canon (kind "listing"). */
int listing_sign(struct listing *l, const struct kkeypair *kp, struct kerr *e);
/* K_EVERIFY when sig is missing or does not verify against seller_id. */
int listing_verify(const struct listing *l, struct kerr *e);
/* Unit price for a quantity from the tiers (the last tier whose min_qty <= qty);
 * -1 when qty is below the first tier. */
int64_t listing_unit_price(const struct listing *l, int64_t qty);
/* l's prices again from its MOQ, as they were for each quantity: the first is what its MOQ
 * cost (the first price where the MOQ came below every break), the breaks at or below the MOQ
 * are gone into it, those above stay. What an edit of the MOQ alone does to the prices. */
void listing_tiers_from_moq(struct listing *l);
/* The lead time for people: "12 days", "1 day", or "not said" for 0, which is what a listing
 * that never said one holds (a shop's export has none; an offer then ships in 30 days). */
void listing_lead_words(const struct listing *l, char out[32]);
/* The word for n of l's unit ("metre", "metres"); "" when l does not say its unit (a summary
 * cached before summaries carried it): not known, never pieces by guess. */
const char *listing_unit_count(const struct listing *l, int64_t n);
#define MODEL_GRAMS_MAX 100000000 /* a listing's unit weighs at most 100 t */
/* grams as kg with up to 3 decimals, trailing zeros dropped: "12.5", "0.25", "3". */
void model_kg_text(int64_t grams, char out[32]);
/* What one unit of l weighs and how it is packed, for people and the papers: "net 12.5 kg,
 * gross 14 kg a piece; 4 pieces to a carton (CT)"; "" when l says none of it. */
void listing_packing_words(const struct listing *l, char *out, size_t cap);
/* The variant of l that key names: its SKU, the seller's SKU for it, all its option values
 * ("L Red"), else one value ("L") that only it has; case, accents and spacing aside, as
 * search folds them. K_EINVAL when l has no variants, key is NULL or empty, or names several;
 * K_ENOTFOUND when it names none; each message lists the variants. *out points into l. */
int listing_variant_find(const struct listing *l, const char *key, const cJSON **out,
                         struct kerr *e);
/* The SKU a person knows variant v by: the seller's own, else kontor's. */
const char *listing_variant_sku(const cJSON *v);
/* The one variant of variants (a listing's) whose every option value text says as whole
 * words, folded as search folds them: a buyer's "Black steel table legs 71 cm" says Black /
 * 71 cm and not White / 71 cm; NULL when none or several do. */
const cJSON *listing_variant_in_text(const cJSON *variants, const char *text);
/* The unit price of qty of variant v: its own, else the listing's tier for qty (-1 when qty
 * is below the first tier). */
int64_t listing_variant_price(const struct listing *l, const cJSON *v, int64_t qty);
/* The variants' values for a person to choose from: "Nâu / Nhỏ, Nâu / Lớn" (at most
 * eight, then "…"; each clipped to 30 columns), sanitised. */
void listing_variants_named(const struct listing *l, struct kbuf *out);
/* Variant v's units on hand as the seller said, -1 when she did not; set_stock says n (-1:
 * says none). listing_variants_stock sums those the variants say (-1 when none says any):
 * at 0 or more, the variants keep stock of their own. listing_stock is what l has on hand
 * in all: where its variants keep their own, their sum when every one says its count, -1
 * when one does not (a Shopify variant made to order: the listing cannot say it has none);
 * else the listing's own. A listing keeps it as its stock. */
int64_t listing_variant_stock(const cJSON *v);
void listing_variant_set_stock(cJSON *v, int64_t n);
int64_t listing_variants_stock(const struct listing *l);
int64_t listing_stock(const struct listing *l);
/* What the seller has on hand of l, or of its variant whose SKU is variant_sku (NULL or "":
 * the listing): that variant's own stock where the variants keep theirs, else the
 * listing's; -1 when she does not say. */
int64_t listing_on_hand(const struct listing *l, const char *variant_sku);
/* "Colour: Red, Size: L" (a shop export's generic "Variation" unnamed), sanitised. */
void listing_variant_label(const cJSON *v, struct kbuf *out);
/* The same as written, each "Name: value" joined by sep: what kontor's CSV keeps in its
 * options column ("Cỡ: Lớn|Màu: Nâu"), which its import reads back. */
void listing_variant_options(const cJSON *v, const char *sep, struct kbuf *out);
/* The variants as a person reads them, one line each pushed to out, aligned: indent, the
 * values of its options joined by " / " in the order of their names' bytes, as the signed
 * form keeps them ("40cm / Nâu"), its price (the listing's at the MOQ when it has none of its
 * own), its stock where the variants keep their own ("stock 25") and its SKU as the seller
 * wrote it. names (may be NULL) gets the option names in that
 * order ("Cỡ / Màu"), empty when the only one is the generic "Variation" a shop export
 * gives. Sanitised for a terminal; nothing for a listing without variants. */
void listing_variant_lines(const struct listing *l, const char *indent, struct kstrv *out,
                           struct kbuf *names);

/* JSON carries {"sum", "count"} (canonical JSON has integers only); sum and count are the
 * truth, average = sum / count is filled by account_from_json for display. */
struct rating_summary {
	double average; /* 0 when count is 0 */
	int64_t count;
	int64_t sum; /* total stars over count ratings: count <= sum <= 5 * count */
};

struct account {
	char id[KCRYPTO_ID_LEN + 1];
	char *handle;       /* [a-z0-9_-]{2,32} */
	char *display_name; /* required */
	char *legal_name;
	char country[3];        /* required */
	struct kstrv languages; /* ISO 639-1 codes */
	char role[9];           /* "buyer", "supplier", "both" */
	char *about;
	char *box_key;      /* base64url X25519 public key, may be NULL */
	cJSON *attestation; /* owned, NULL when none */
	cJSON *factory;     /* owned, NULL when none: the signed factory profile (below) */
	/* owned, NULL when none: the postal address {lines [1..4], city, postcode?, country}
	 * and the tax ids [{scheme (VAT, EORI, EIN, ...), id}] offers copy for the papers */
	cJSON *address;
	cJSON *tax_ids;
	struct rating_summary rating;
	char created[MODEL_TIME_LEN + 1];
};

void account_init(struct account *a); /* zeroes, role "buyer" */
void account_free(struct account *a);
int account_validate(const struct account *a, struct kerr *e);
int account_from_json(const cJSON *j, struct account *out, struct kerr *e);
cJSON *account_to_json(const struct account *a);

/* An account's factory profile (DESIGN §13): what a buyer checks before wiring a deposit to a
 * stranger. An object in the Account, signed by the account itself (kind "factory", over its
 * canonical JSON without "sig"), so no node can change it: photos (blob ids, the production
 * lines, warehouse, QC lab), capacity (one line), staff (count), founded (a year),
 * certifications [{name, issuer, number?, expires? (YYYY-MM-DD)}], videoUrl (an https link
 * to a video tour or call, which kontor hands to a browser or prints), updated, sig. An
 * account without one is as it always was. */
#define MODEL_FACTORY_PHOTOS_MAX 16
#define MODEL_FACTORY_CERTS_MAX 16
/* Validates factory (sig aside), sets "updated" to now and "sig" with kp's key. */
int account_factory_sign(cJSON *factory, const struct kkeypair *kp, struct kerr *e);
/* K_OK when factory is well formed and its sig verifies against account_id, K_EVERIFY when
 * the signature does not, K_EINVAL naming the field when it is malformed. */
int account_factory_verify(const cJSON *factory, const char *account_id, struct kerr *e);

/* Validates any DESIGN §4 type as JSON: "Account", "Listing", "Rfq", "Conversation",
 * "Message", "Contract", "Order", "Shipment", "Rating", "Wallet". K_ENOTFOUND for an
 * unknown type name, K_EINVAL naming the field otherwise. The fields of each type are one
 * table in src/common/model.c (one line per field); unknown properties are refused, and an
 * optional string that is "" counts as absent. */
int model_validate(const char *type, const cJSON *obj, struct kerr *e);

/* Current time as RFC 3339 UTC ("2026-11-23T09:12:18Z"). */
void model_now(char out[MODEL_TIME_LEN + 1]);
/* A new version's "updated": now (NULL: the present), or a second after prev when now is not
 * later, so two versions of a listing made in one second are never taken for one (a sync
 * keeps a whole cached copy while a summary's "updated" is the copy's). out may be prev. */
void model_after(const char *prev, const char *now, char out[MODEL_TIME_LEN + 1]);
/* t (seconds since 1970) as RFC 3339 UTC, as model_now writes the present. */
void model_time(int64_t t, char out[MODEL_TIME_LEN + 1]);
/* K_OK when s is RFC 3339 UTC of that exact form. */
int model_check_time(const char *s, const char *field, struct kerr *e);
/* 1 when the n bytes at s are all base64url characters (A-Z a-z 0-9 - _), else 0. */
int model_b64url(const char *s, size_t n);
/* 1 for a word that begins with one '-' and goes on in id characters, four or more in all:
 * the prefix of an id that happens to begin with '-' (one in 64 does), never an option
 * (neither kontor nor kontord has a single-dash option that long). */
int model_id_prefix_shaped(const char *s);

#endif
