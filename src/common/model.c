/* model — every DESIGN §4 type checked as JSON against one field table, and the Listing and
 * Account structs built from (and turned back into) JSON that passed those same tables. */
#include "kontor/model.h"
#include "kontor/text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kontor/canon.h"
#include "kontor/codes.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "kontor/order.h"
#include "kontor/money.h"
#include "kontor/searchtext.h"

#define PATH_LEN 256
#define SHOWN_LEN 48
#define URL_MAX 2048
#define MESSAGE_MAX 65536      /* plaintext bytes of one chat message */
#define SECTION_BODY_MAX 65536 /* CONTRACT_BODY_MAX */

/* ---------------------------------------------------------------- string vectors */

void kstrv_push(struct kstrv *sv, const char *s)
{
	/* One realloc per push: the vectors hold tags, images and languages (tens, not
	 * thousands), and a kstrv filled by hand has no capacity field to trust. */
	sv->v = xrealloc(sv->v, (sv->n + 1) * sizeof *sv->v);
	sv->v[sv->n++] = xstrdup(s);
}

void kstrv_free(struct kstrv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

static void kstrv_copy(struct kstrv *dst, const struct kstrv *src)
{
	dst->v = NULL;
	dst->n = 0;
	for (size_t i = 0; i < src->n; i++)
		kstrv_push(dst, src->v[i]);
}

/* ---------------------------------------------------------------- small helpers */

/* Outside text goes into messages that reach terminals and logs: cut it short and replace
 * whatever is not printable ASCII, so a message never carries an escape sequence. */
static const char *shown(const char *s, char out[SHOWN_LEN])
{
	return text_shown(s, out, SHOWN_LEN);
}

static void path_join(char out[PATH_LEN], const char *parent, const char *name)
{
	if (parent && *parent)
		snprintf(out, PATH_LEN, "%s.%s", parent, name);
	else
		snprintf(out, PATH_LEN, "%s", name);
}

static void path_index(char out[PATH_LEN], const char *parent, size_t i)
{
	snprintf(out, PATH_LEN, "%s[%zu]", parent, i);
}

/* Copies a validated value into a fixed struct field, always NUL-terminated. */
static void copy_fixed(char *dst, size_t cap, const char *s)
{
	size_t n = s ? strnlen(s, cap - 1) : 0;
	memcpy(dst, s ? s : "", n);
	dst[n] = '\0';
}

/* A fixed struct field may have been filled by hand without its NUL: read at most cap. */
static void add_fixed(cJSON *o, const char *name, const char *field, size_t cap)
{
	char tmp[KCRYPTO_ID_LEN + 2];
	size_t n = strnlen(field, cap < sizeof tmp ? cap : sizeof tmp - 1);
	memcpy(tmp, field, n);
	tmp[n] = '\0';
	cJSON_AddStringToObject(o, name, tmp);
}

static void add_strv(cJSON *o, const char *name, const struct kstrv *sv)
{
	if (sv->n == 0)
		return;
	cJSON *a = cJSON_AddArrayToObject(o, name);
	for (size_t i = 0; i < sv->n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(sv->v[i]));
}

static const cJSON *item(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* The string value of a property that passed its table, NULL when absent or "". */
static const char *str_of(const cJSON *o, const char *name)
{
	const cJSON *v = item(o, name);
	if (!cJSON_IsString(v) || !v->valuestring || !*v->valuestring)
		return NULL;
	return v->valuestring;
}

static int64_t int_of(const cJSON *o, const char *name, int64_t dflt)
{
	const cJSON *v = item(o, name);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : dflt;
}

/* Whether an element of the array arr repeats an earlier element's string key (a variant's
 * sku, a signature's by): 1 with *at, *earlier (their indexes) and *value set for the first
 * such element, 0 when none does. Elements without the key never clash. */
static int repeated_key(const cJSON *arr, const char *key, size_t *at, size_t *earlier,
                        const char **value)
{
	const cJSON *c;
	size_t i = 0;
	cJSON_ArrayForEach(c, arr)
	{
		const char *v = str_of(c, key);
		size_t j = 0;
		for (const cJSON *d = arr->child; d != c; d = d->next, j++) {
			const char *other = str_of(d, key);
			if (v && other && strcmp(v, other) == 0) {
				*at = i;
				*earlier = j;
				*value = v;
				return 1;
			}
		}
		i++;
	}
	return 0;
}

static char *dup_opt(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void strv_from(struct kstrv *sv, const cJSON *a)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, a)
	{
		if (cJSON_IsString(c) && c->valuestring)
			kstrv_push(sv, c->valuestring);
	}
}

/* ---------------------------------------------------------------- time */

static int num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

void model_now(char out[MODEL_TIME_LEN + 1])
{
	model_time((int64_t)time(NULL), out);
}

void model_after(const char *prev, const char *now, char out[MODEL_TIME_LEN + 1])
{
	char t[MODEL_TIME_LEN + 1];
	if (now)
		copy_fixed(t, sizeof t, now);
	else
		model_now(t);
	time_t p;
	/* the same form throughout (UTC, seconds): the later is the greater string */
	if (prev && strcmp(t, prev) <= 0 && ktime_parse(prev, &p) == K_OK)
		model_time((int64_t)p + 1, t);
	memcpy(out, t, sizeof t);
}

void model_time(int64_t at, char out[MODEL_TIME_LEN + 1])
{
	_Static_assert(MODEL_TIME_LEN == KTIME_UTC_LEN, "a model time is ktime's UTC form");
	if (ktime_utc(at, out) != K_OK) /* outside the years 0000-9999 */
		copy_fixed(out, MODEL_TIME_LEN + 1, "1970-01-01T00:00:00Z");
}

int model_check_time(const char *s, const char *field, struct kerr *e)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	char sh[SHOWN_LEN];
	if (!field)
		field = "time";
	if (!s)
		return kerr_set(e, K_EINVAL, "%s: missing", field);
	if (strnlen(s, MODEL_TIME_LEN + 1) != MODEL_TIME_LEN)
		goto bad;
	for (int i = 0; i < MODEL_TIME_LEN; i++) {
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			goto bad;
	}
	int y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2);
	int h = num(s + 11, 2), mi = num(s + 14, 2), sec = num(s + 17, 2);
	if (mo < 1 || mo > 12)
		return kerr_set(e, K_EINVAL, "%s: no month %02d in '%s'", field, mo, s);
	if (!ktime_date_valid(y, mo, d))
		return kerr_set(e, K_EINVAL, "%s: %04d-%02d has no day %02d", field, y, mo, d);
	/* No leap seconds: they cannot be ordered or compared as text reliably. */
	if (h > 23 || mi > 59 || sec > 59)
		return kerr_set(e, K_EINVAL, "%s: no time of day %.8s in '%s'", field, s + 11, s);
	return K_OK;
bad:
	return kerr_set(e, K_EINVAL,
	                "%s: must be RFC 3339 UTC like 2026-11-23T09:12:18Z (got '%s')", field,
	                shown(s, sh));
}

/* ---------------------------------------------------------------- field tables */

enum mkind { MK_STR, MK_INT, MK_BOOL, MK_ARR, MK_MAP, MK_OBJ };

/* How a string must look. Formats with a fixed shape ignore min/max. */
enum mfmt {
	MF_NONE,
	MF_LINE,       /* one line of UTF-8 text: no C0, DEL or C1 controls; min..max bytes */
	MF_TEXT,       /* plain text: like MF_LINE but \n and \t allowed */
	MF_ENUM,       /* one of enumv */
	MF_TIME,       /* RFC 3339 UTC, model_check_time */
	MF_ACCOUNT,    /* account id: base64url of an Ed25519 public key */
	MF_LISTING_ID, /* 'L' + 22 base64url characters */
	MF_ID,         /* any object id: 1..64 of [A-Za-z0-9_-] */
	MF_HASH,       /* base64url BLAKE2b-256 (blob ids, section hashes, box keys) */
	MF_COUNTRY,    /* ISO 3166-1 alpha-2 */
	MF_CURRENCY,   /* ISO 4217 */
	MF_UNIT,       /* UN/ECE Rec 20 */
	MF_INCOTERM,   /* Incoterms 2020 */
	MF_SKU,        /* 1..MODEL_SKU_MAX of [A-Za-z0-9-_./] */
	MF_HSCODE,     /* 6..10 digits */
	MF_IMAGE,      /* blob id or https:// URL */
	MF_SIG,        /* standard base64 of a 64-byte Ed25519 signature */
	MF_B64,        /* standard base64 decoding to min..max bytes */
	MF_HANDLE,     /* [a-z0-9_-]{2,32} */
	MF_LANG,       /* ISO 639-1: two lower-case letters */
	MF_DCSA,       /* DCSA event code (codes_dcsa_event) */
	MF_CLASSIFIER, /* ACT, EST, PLN, REQ */
	MF_CANON,      /* canonical JSON text of min..max bytes */
};

enum { M_REQ = 1, M_UNIQUE = 2 };

struct mtype;

struct mfield {
	const char *name; /* NULL for array entries and map keys/values */
	enum mkind kind;
	enum mfmt fmt;             /* strings only */
	unsigned flags;            /* M_REQ: missing or null refused; M_UNIQUE: arrays */
	int64_t min, max;          /* strings: bytes; integers: value; arrays/maps: entries */
	const char *const *enumv;  /* MF_ENUM, NULL-terminated */
	const struct mfield *elem; /* arrays: each entry; maps: each value */
	const struct mfield *key;  /* maps: each key */
	const struct mtype *type;  /* objects */
};

struct mtype {
	const char *name; /* for messages about the object as a whole */
	const struct mfield *fields;
	size_t nfields; /* at most 64 */
	/* Rules across fields, run once every field passed its own line. */
	int (*rules)(const cJSON *o, const char *path, struct kerr *e);
};

/* One line per field: name, flags, then what the kind needs. */
/* clang-format off */
#define F_STR(n, fl, f, lo, hi) \
	{.name = n, .kind = MK_STR, .fmt = f, .flags = fl, .min = lo, .max = hi}
#define F_FMT(n, fl, f) F_STR(n, fl, f, 0, 0)
#define F_ENUM(n, fl, list) {.name = n, .kind = MK_STR, .fmt = MF_ENUM, .flags = fl, .enumv = list}
#define F_INT(n, fl, lo, hi) {.name = n, .kind = MK_INT, .flags = fl, .min = lo, .max = hi}
#define F_BOOL(n, fl) {.name = n, .kind = MK_BOOL, .flags = fl}
#define F_ARR(n, fl, lo, hi, el) \
	{.name = n, .kind = MK_ARR, .flags = fl, .min = lo, .max = hi, .elem = el}
#define F_MAP(n, fl, lo, hi, k, v) \
	{.name = n, .kind = MK_MAP, .flags = fl, .min = lo, .max = hi, .key = k, .elem = v}
#define F_OBJ(n, fl, t) {.name = n, .kind = MK_OBJ, .flags = fl, .type = t}
#define MTYPE(n, f, r) {n, f, sizeof f / sizeof f[0], r}
/* clang-format on */

static const char *const listing_status[] = {"active", "paused", NULL};
static const char *const account_roles[] = {"buyer", "supplier", "both", NULL};
static const char *const attest_levels[] = {"business", "factory", NULL};
static const char *const rfq_status[] = {"open", "closed", "awarded", NULL};
/* The order states, section kinds and shipment modes are the rules' (order.h). */
static const char *const signer_roles[] = {"buyer", "seller", "escrow", NULL};

/* Entries shared by several tables. */
static const struct mfield e_account = F_FMT(NULL, M_REQ, MF_ACCOUNT);
static const struct mfield e_incoterm = F_FMT(NULL, M_REQ, MF_INCOTERM);
static const struct mfield e_currency = F_FMT(NULL, M_REQ, MF_CURRENCY);
static const struct mfield e_amount = F_INT(NULL, M_REQ, 0, MONEY_MAX);

/* --- Listing */
static const struct mfield tier_fields[] = {
    F_INT("minQty", M_REQ, 1, MONEY_MAX),
    F_INT("unitPrice", M_REQ, 0, MONEY_MAX), /* price_tiers_rule */
};
static const struct mtype tier_type = MTYPE("price tier", tier_fields, NULL);
static const struct mfield e_tier = F_OBJ(NULL, M_REQ, &tier_type);
static const struct mfield e_option_name = F_STR(NULL, M_REQ, MF_LINE, 1, 64);
static const struct mfield e_option_value = F_STR(NULL, M_REQ, MF_LINE, 1, 200);
static const struct mfield variant_fields[] = {
    F_STR("sku", M_REQ, MF_SKU, 1, MODEL_SKU_MAX),
    F_MAP("options", M_REQ, 1, 16, &e_option_name, &e_option_value),
    F_INT("unitPrice", 0, 0, MONEY_MAX),
    F_STR("sellerSku", 0, MF_LINE, 1, MODEL_SELLER_SKU_MAX),
    F_INT("stock", 0, 0, MONEY_MAX), /* its units on hand, when the seller says */
};
static const struct mtype variant_type = MTYPE("variant", variant_fields, NULL);
static const struct mfield e_variant = F_OBJ(NULL, M_REQ, &variant_type);
static const struct mfield e_tag = F_STR(NULL, M_REQ, MF_LINE, 1, 64);
static const struct mfield e_image = F_STR(NULL, M_REQ, MF_IMAGE, 1, URL_MAX);

static int listing_rules(const cJSON *o, const char *path, struct kerr *e);
static const struct mfield listing_fields[] = {
    F_FMT("id", 0, MF_LISTING_ID),
    F_FMT("sellerId", 0, MF_ACCOUNT),
    F_STR("sku", M_REQ, MF_SKU, 1, MODEL_SKU_MAX),
    F_STR("sellerSku", 0, MF_LINE, 1, MODEL_SELLER_SKU_MAX),
    F_STR("title", M_REQ, MF_LINE, 1, MODEL_TITLE_MAX),
    F_STR("description", 0, MF_TEXT, 0, MODEL_DESC_MAX),
    F_STR("category", 0, MF_LINE, 1, 200),
    F_ARR("tags", 0, 0, MODEL_TAGS_MAX, &e_tag),
    F_FMT("hsCode", 0, MF_HSCODE),
    F_FMT("originCountry", 0, MF_COUNTRY),
    F_FMT("shipsFrom", 0, MF_COUNTRY),
    F_FMT("currency", M_REQ, MF_CURRENCY),
    F_ARR("priceTiers", M_REQ, 1, MODEL_TIERS_MAX, &e_tier),
    F_FMT("unit", 0, MF_UNIT),
    F_INT("moq", 0, 1, MONEY_MAX),
    F_INT("leadTimeDays", 0, 0, 3650),
    F_INT("stock", 0, 0, MONEY_MAX),            /* units on hand, when the seller says */
    F_INT("netGrams", 0, 1, MODEL_GRAMS_MAX),   /* one unit, for the papers */
    F_INT("grossGrams", 0, 1, MODEL_GRAMS_MAX), /* one unit packed */
    F_STR("packageCode", 0, MF_LINE, 2, 2),     /* UN/ECE Rec 21 (codes_package) */
    F_INT("unitsPerPackage", 0, 1, 1000000000),
    F_ARR("incoterms", M_UNIQUE, 0, 11, &e_incoterm),
    F_ARR("variants", 0, 0, MODEL_VARIANTS_MAX, &e_variant),
    F_ARR("images", 0, 0, MODEL_IMAGES_MAX, &e_image),
    F_ENUM("status", 0, listing_status),
    F_FMT("created", 0, MF_TIME),
    F_FMT("updated", 0, MF_TIME),
    F_FMT("sig", 0, MF_SIG),
};
static const struct mtype listing_type = MTYPE("Listing", listing_fields, listing_rules);

/* --- Account */
static int attestation_rules(const cJSON *o, const char *path, struct kerr *e);
static const struct mfield attestation_fields[] = {
    F_STR("legalName", M_REQ, MF_LINE, 1, MODEL_TITLE_MAX),
    F_FMT("country", M_REQ, MF_COUNTRY),
    F_STR("registration", M_REQ, MF_LINE, 1, 100),
    F_ENUM("level", M_REQ, attest_levels),
    F_FMT("issued", M_REQ, MF_TIME),
    F_FMT("expires", M_REQ, MF_TIME),
    F_FMT("by", 0, MF_ACCOUNT), /* the node key that signed, when the node names it */
    F_FMT("sig", M_REQ, MF_SIG),
};
static const struct mtype attestation_type =
    MTYPE("attestation", attestation_fields, attestation_rules);
static int rating_summary_rules(const cJSON *o, const char *path, struct kerr *e);
static const struct mfield rating_summary_fields[] = {
    F_INT("sum", M_REQ, 0, MONEY_MAX),
    F_INT("count", M_REQ, 0, MONEY_MAX / 5),
};
static const struct mtype rating_summary_type =
    MTYPE("rating", rating_summary_fields, rating_summary_rules);
static int cert_rules(const cJSON *o, const char *path, struct kerr *e);
static const struct mfield cert_fields[] = {
    F_STR("name", M_REQ, MF_LINE, 1, 200), F_STR("issuer", M_REQ, MF_LINE, 1, 200),
    F_STR("number", 0, MF_LINE, 1, 100), F_STR("expires", 0, MF_LINE, 10, 10), /* YYYY-MM-DD */
};
static const struct mtype cert_type = MTYPE("certification", cert_fields, cert_rules);
static const struct mfield e_cert = F_OBJ(NULL, M_REQ, &cert_type);
static int factory_rules(const cJSON *o, const char *path, struct kerr *e);
static const struct mfield factory_fields[] = {
    F_ARR("photos", M_UNIQUE, 0, MODEL_FACTORY_PHOTOS_MAX, &e_image),
    F_STR("capacity", 0, MF_LINE, 1, 200),
    F_INT("staff", 0, 1, 10000000),
    F_INT("founded", 0, 1800, 2100),
    F_ARR("certifications", 0, 0, MODEL_FACTORY_CERTS_MAX, &e_cert),
    F_STR("videoUrl", 0, MF_LINE, 9, URL_MAX),
    F_FMT("updated", M_REQ, MF_TIME),
    F_FMT("sig", M_REQ, MF_SIG),
};
static const struct mtype factory_type = MTYPE("factory", factory_fields, factory_rules);
static const struct mfield e_lang = F_FMT(NULL, M_REQ, MF_LANG);
/* A postal address and tax ids, which offers copy for the trade papers. */
static const struct mfield e_addr_line = F_STR(NULL, M_REQ, MF_LINE, 1, 100);
static const struct mfield address_fields[] = {
    F_ARR("lines", M_REQ, 1, 4, &e_addr_line),
    F_STR("city", M_REQ, MF_LINE, 1, 100),
    F_STR("postcode", 0, MF_LINE, 1, 20),
    F_FMT("country", M_REQ, MF_COUNTRY),
};
static const struct mtype address_type = MTYPE("address", address_fields, NULL);
static int tax_id_rules(const cJSON *o, const char *path, struct kerr *e);
static const struct mfield tax_id_fields[] = {
    F_STR("scheme", M_REQ, MF_LINE, 2, 16), /* VAT, EORI, EIN, GSTIN, USCI, ... */
    F_STR("id", M_REQ, MF_LINE, 1, 40),
};
static const struct mtype tax_id_type = MTYPE("tax id", tax_id_fields, tax_id_rules);
static const struct mfield e_tax_id = F_OBJ(NULL, M_REQ, &tax_id_type);
static const struct mfield account_fields[] = {
    F_FMT("id", M_REQ, MF_ACCOUNT),
    F_FMT("handle", 0, MF_HANDLE),
    F_STR("displayName", M_REQ, MF_LINE, 1, MODEL_TITLE_MAX),
    F_STR("legalName", 0, MF_LINE, 1, MODEL_TITLE_MAX),
    F_FMT("country", M_REQ, MF_COUNTRY),
    F_ARR("languages", M_UNIQUE, 0, 16, &e_lang),
    F_ENUM("role", 0, account_roles),
    F_STR("about", 0, MF_TEXT, 0, MODEL_DESC_MAX),
    F_FMT("boxKey", 0, MF_HASH),
    F_OBJ("attestation", 0, &attestation_type),
    F_OBJ("rating", 0, &rating_summary_type),
    F_FMT("created", 0, MF_TIME),
    F_OBJ("factory", 0, &factory_type),
    F_OBJ("address", 0, &address_type),
    F_ARR("taxIds", 0, 0, 4, &e_tax_id),
};
static const struct mtype account_type = MTYPE("Account", account_fields, NULL);

/* --- Rfq: a buyer's request for quotation */
static int rfq_rules(const cJSON *o, const char *path, struct kerr *e);
static const struct mfield rfq_fields[] = {
    F_FMT("id", M_REQ, MF_ID),
    F_FMT("buyerId", M_REQ, MF_ACCOUNT),
    F_STR("title", M_REQ, MF_LINE, 1, MODEL_TITLE_MAX),
    F_STR("description", 0, MF_TEXT, 0, MODEL_DESC_MAX),
    F_STR("category", 0, MF_LINE, 1, 200),
    F_FMT("hsCode", 0, MF_HSCODE),
    F_FMT("listingId", 0, MF_LISTING_ID),
    F_INT("qty", M_REQ, 1, MONEY_MAX),
    F_FMT("unit", 0, MF_UNIT),
    F_FMT("currency", 0, MF_CURRENCY),
    F_INT("targetPrice", 0, 0, MONEY_MAX), /* per unit, minor units of currency */
    F_ARR("incoterms", M_UNIQUE, 0, 11, &e_incoterm),
    F_FMT("destination", 0, MF_COUNTRY),
    F_FMT("deliverBy", 0, MF_TIME),
    F_ENUM("status", 0, rfq_status),
    F_FMT("created", M_REQ, MF_TIME),
    F_FMT("updated", 0, MF_TIME),
    F_FMT("expires", 0, MF_TIME),
    F_FMT("sig", 0, MF_SIG),
};
static const struct mtype rfq_type = MTYPE("Rfq", rfq_fields, rfq_rules);

/* --- Conversation */
static const struct mfield conversation_fields[] = {
    F_FMT("id", M_REQ, MF_ID),
    F_ARR("participants", M_REQ | M_UNIQUE, 2, 2, &e_account),
    F_FMT("listingId", 0, MF_LISTING_ID),
    F_FMT("rfqId", 0, MF_ID),
    F_FMT("orderId", 0, MF_ID),
    F_STR("subject", 0, MF_LINE, 1, MODEL_TITLE_MAX),
    F_FMT("created", M_REQ, MF_TIME),
    F_FMT("updated", 0, MF_TIME),
};
static const struct mtype conversation_type = MTYPE("Conversation", conversation_fields, NULL);

/* --- Message: sealed end to end; the node sees routing data and ciphertext only */
static int from_to_rules(const cJSON *o, const char *path, struct kerr *e);
static const struct mfield message_fields[] = {
    F_FMT("id", M_REQ, MF_ID),
    F_FMT("conversationId", M_REQ, MF_ID),
    F_FMT("from", M_REQ, MF_ACCOUNT),
    F_FMT("to", M_REQ, MF_ACCOUNT),
    F_STR("nonce", M_REQ, MF_B64, 24, 24),
    F_STR("ciphertext", M_REQ, MF_B64, 16, MESSAGE_MAX + 16),
    F_FMT("sent", M_REQ, MF_TIME),
};
static const struct mtype message_type = MTYPE("Message", message_fields, from_to_rules);

/* --- Contract: an append-only list of signed sections (DESIGN §5) */
static const struct mfield signature_fields[] = {
    F_FMT("by", M_REQ, MF_ACCOUNT),
    F_ENUM("role", M_REQ, signer_roles),
    F_FMT("sig", M_REQ, MF_SIG),
};
static const struct mtype signature_type = MTYPE("signature", signature_fields, NULL);
static const struct mfield e_signature = F_OBJ(NULL, M_REQ, &signature_type);
static int section_rules(const cJSON *o, const char *path, struct kerr *e);
static const struct mfield section_fields[] = {
    F_ENUM("kind", M_REQ, order_section_kinds),
    F_STR("body", M_REQ, MF_CANON, 2, SECTION_BODY_MAX),
    F_FMT("hash", M_REQ, MF_HASH),
    F_ARR("signatures", M_REQ, 1, 8, &e_signature),
};
static const struct mtype section_type = MTYPE("section", section_fields, section_rules);
static const struct mfield e_section = F_OBJ(NULL, M_REQ, &section_type);
static int contract_rules(const cJSON *o, const char *path, struct kerr *e);
static const struct mfield contract_fields[] = {
    F_FMT("id", M_REQ, MF_ID),
    F_FMT("buyerId", M_REQ, MF_ACCOUNT),
    F_FMT("sellerId", M_REQ, MF_ACCOUNT),
    F_FMT("listingId", 0, MF_LISTING_ID),
    F_FMT("rfqId", 0, MF_ID),
    F_ARR("sections", M_REQ, 1, 64, &e_section), /* CONTRACT_MAX_SECTIONS */
    F_FMT("created", 0, MF_TIME),
    F_FMT("updated", 0, MF_TIME),
};
static const struct mtype contract_type = MTYPE("Contract", contract_fields, contract_rules);

/* --- Shipment with DCSA Track & Trace events */
static const char *const event_roles[] = {"seller", "carrier", "escrow", NULL};
static const struct mfield event_fields[] = {
    F_FMT("code", M_REQ, MF_DCSA),
    F_FMT("classifier", M_REQ, MF_CLASSIFIER),
    F_FMT("at", M_REQ, MF_TIME),
    F_STR("location", 0, MF_LINE, 1, 200),
    F_STR("note", 0, MF_LINE, 1, 500),
    F_FMT("by", 0, MF_ACCOUNT),     /* seller or registered carrier key */
    F_ENUM("role", 0, event_roles), /* who entered it: seller, carrier, escrow */
    F_FMT("sig", 0, MF_SIG),
};
static const struct mtype event_type = MTYPE("event", event_fields, NULL);
static const struct mfield e_event = F_OBJ(NULL, M_REQ, &event_type);
static const struct mfield shipment_fields[] = {
    F_FMT("id", M_REQ, MF_ID),
    F_FMT("orderId", M_REQ, MF_ID),
    F_STR("carrier", M_REQ, MF_LINE, 1, 100),
    F_STR("trackingNumber", M_REQ, MF_LINE, 1, 100),
    F_ENUM("mode", M_REQ, order_ship_modes),
    F_STR("origin", 0, MF_LINE, 1, 200),      /* UN/LOCODE or free text */
    F_STR("destination", 0, MF_LINE, 1, 200), /* UN/LOCODE or free text */
    F_ARR("events", 0, 0, 1000, &e_event),
    F_FMT("created", 0, MF_TIME),
    F_FMT("updated", 0, MF_TIME),
};
static const struct mtype shipment_type = MTYPE("Shipment", shipment_fields, NULL);

/* --- Rating: one per party per order, signed by the rater */
static const struct mfield rating_fields[] = {
    F_FMT("id", M_REQ, MF_ID),          F_FMT("orderId", M_REQ, MF_ID),
    F_FMT("from", M_REQ, MF_ACCOUNT),   F_FMT("to", M_REQ, MF_ACCOUNT),
    F_INT("stars", M_REQ, 1, 5),        F_INT("quality", 0, 1, 5),
    F_INT("delivery", 0, 1, 5),         F_INT("communication", 0, 1, 5),
    F_STR("text", 0, MF_TEXT, 0, 4000), F_FMT("created", M_REQ, MF_TIME),
    F_FMT("sig", M_REQ, MF_SIG),
};
static const struct mtype rating_type = MTYPE("Rating", rating_fields, from_to_rules);

/* --- DisputeAnswer: the side of a dispute of the party that did not open it, once, signed
 * by that party; the arbitrator reads it beside the disputed section's reason */
static const struct mfield answer_fields[] = {
    F_FMT("id", M_REQ, MF_ID),        F_FMT("orderId", M_REQ, MF_ID),
    F_FMT("from", M_REQ, MF_ACCOUNT), F_STR("text", M_REQ, MF_TEXT, 1, 4000),
    F_FMT("created", M_REQ, MF_TIME), F_FMT("sig", M_REQ, MF_SIG),
};
static const struct mtype answer_type = MTYPE("DisputeAnswer", answer_fields, NULL);

/* --- Order (DESIGN §6): its shipment (the node keeps it from the "shipped" section and the
 * events the seller or the carrier adds), the ratings given, a pending cancellation */
static const struct mfield order_shipment_fields[] = {
    F_STR("carrier", M_REQ, MF_LINE, 1, 100),
    F_STR("trackingNumber", M_REQ, MF_LINE, 1, 100),
    F_ENUM("mode", 0, order_ship_modes), /* the rules' list (order.h) */
    F_STR("origin", 0, MF_LINE, 1, 200),
    F_STR("destination", 0, MF_LINE, 1, 200),
    F_FMT("eta", 0, MF_TIME), /* the latest EST arrival */
    F_ARR("events", 0, 0, 1000, &e_event),
};
static const struct mtype order_shipment_type = MTYPE("shipment", order_shipment_fields, NULL);
static const struct mfield order_ratings_fields[] = {
    F_OBJ("buyer", 0, &rating_type),
    F_OBJ("seller", 0, &rating_type),
};
static const struct mtype order_ratings_type = MTYPE("ratings", order_ratings_fields, NULL);
static const char *const party_roles[] = {"buyer", "seller", NULL};
static const struct mfield cancel_request_fields[] = {
    F_ENUM("by", M_REQ, party_roles),
    F_FMT("at", M_REQ, MF_TIME),
    F_OBJ("section", M_REQ, &section_type), /* "cancelled", signed by "by": the other's turn */
    F_STR("reason", 0, MF_LINE, 1, 500),
};
static const struct mtype cancel_request_type = MTYPE("cancelRequest", cancel_request_fields, NULL);

/* --- Order */
static int parties_rules(const cJSON *o, const char *path, struct kerr *e);
static const struct mfield order_fields[] = {
    F_FMT("id", M_REQ, MF_ID),
    F_FMT("contractId", M_REQ, MF_ID),
    F_FMT("buyerId", M_REQ, MF_ACCOUNT),
    F_FMT("sellerId", M_REQ, MF_ACCOUNT),
    F_FMT("listingId", 0, MF_LISTING_ID),
    F_ENUM("state", M_REQ, order_state_names),
    F_FMT("currency", M_REQ, MF_CURRENCY),
    F_INT("total", M_REQ, 0, MONEY_MAX),
    F_INT("escrow", 0, 0, MONEY_MAX), /* funded - released - refunded */
    F_INT("autoReleaseDays", 0, 0, 365),
    F_FMT("deliveredAt", 0, MF_TIME), /* the node's clock when "delivered" came */
    F_FMT("created", M_REQ, MF_TIME),
    F_FMT("updated", 0, MF_TIME),
    F_OBJ("shipment", 0, &order_shipment_type),
    F_OBJ("ratings", 0, &order_ratings_type),
    F_OBJ("cancelRequest", 0, &cancel_request_type),
    F_OBJ("answer", 0, &answer_type), /* to the dispute, by the party that did not open it */
};
static const struct mtype order_type = MTYPE("Order", order_fields, parties_rules);

/* --- Wallet: balances per currency (no wallet goes negative) */
/* One line of the wallet's ledger history, newest first: its side of one transaction. */
static const struct mfield wallet_line_fields[] = {
    F_FMT("txId", M_REQ, MF_ID),
    F_STR("kind", M_REQ, MF_LINE, 1, 32), /* deposit, escrow_fund, escrow_refund, ... */
    F_FMT("currency", M_REQ, MF_CURRENCY),
    F_INT("amount", M_REQ, -MONEY_MAX, MONEY_MAX), /* + came in, - went out */
    F_FMT("created", M_REQ, MF_TIME),
    F_STR("memo", 0, MF_LINE, 1, 200),
    F_STR("reference", 0, MF_LINE, 1, 128),
    F_FMT("orderId", 0, MF_ID),    /* the order whose escrow the money came from or went to */
    F_INT("seq", 0, 1, MONEY_MAX), /* the transaction's place in the node's ledger */
};
static const struct mtype wallet_line_type = MTYPE("history line", wallet_line_fields, NULL);
static const struct mfield e_wallet_line = F_OBJ(NULL, M_REQ, &wallet_line_type);
/* What escrow holds of one order the account is party to, as buyer (its money, held) or
 * as seller (money on its way to it once released). */
static const struct mfield wallet_escrow_fields[] = {
    F_FMT("orderId", M_REQ, MF_ID),
    F_ENUM("role", M_REQ, party_roles),
    F_FMT("currency", M_REQ, MF_CURRENCY),
    F_INT("amount", M_REQ, 1, MONEY_MAX),
};
static const struct mtype wallet_escrow_type = MTYPE("escrow line", wallet_escrow_fields, NULL);
static const struct mfield e_wallet_escrow = F_OBJ(NULL, M_REQ, &wallet_escrow_type);
static const struct mfield wallet_fields[] = {
    F_FMT("id", M_REQ, MF_ID),
    F_FMT("accountId", M_REQ, MF_ACCOUNT),
    F_MAP("balances", M_REQ, 0, 300, &e_currency, &e_amount),
    F_MAP("held", 0, 0, 300, &e_currency, &e_amount), /* in escrow for open orders */
    F_ARR("escrow", 0, 0, 500, &e_wallet_escrow),     /* the same per order, both roles */
    F_ARR("history", 0, 0, 500, &e_wallet_line),
    F_INT("historyTotal", 0, 0, MONEY_MAX),
    F_FMT("updated", 0, MF_TIME),
};
static const struct mtype wallet_type = MTYPE("Wallet", wallet_fields, NULL);

static const struct mtype *const all_types[] = {
    &account_type, &listing_type,  &rfq_type,    &conversation_type, &message_type, &contract_type,
    &order_type,   &shipment_type, &rating_type, &wallet_type,       &answer_type,
};

/* ---------------------------------------------------------------- the checker */

static int check_object(const struct mtype *t, const cJSON *o, const char *path, struct kerr *e);

int model_b64url(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

int model_id_prefix_shaped(const char *s)
{
	size_t n = strlen(s);
	return n >= 4 && s[0] == '-' && s[1] != '-' && model_b64url(s, n);
}

static int all_in(const char *s, size_t n, int (*ok)(char))
{
	for (size_t i = 0; i < n; i++)
		if (!ok(s[i]))
			return 0;
	return 1;
}

static int is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}
static int is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}
static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}
static int is_upper_digit(char c)
{
	return is_upper(c) || is_digit(c);
}
static int is_sku_char(char c)
{
	return is_upper(c) || is_lower(c) || is_digit(c) || c == '-' || c == '_' || c == '.' ||
	       c == '/';
}
static int is_handle_char(char c)
{
	return is_lower(c) || is_digit(c) || c == '_' || c == '-';
}
static int is_url_char(char c)
{
	return c > 0x20 && c < 0x7f;
}

/* 32 bytes as unpadded base64url, with no stray trailing bits. */
static int is_b64url32(const char *s, size_t n)
{
	uint8_t bin[KCRYPTO_PK_BYTES];
	size_t len = 0;
	return n == KCRYPTO_HASH_B64_LEN && model_b64url(s, n) &&
	       kcrypto_b64_decode(s, n, KB64_URL_NOPAD, bin, sizeof bin, &len) == K_OK &&
	       len == sizeof bin;
}

/* kcrypto_account_pk checks the key is a point of the curve (~35 us), and the same few ids
 * come back over and over (one seller's whole import, the two parties of an order), so the
 * last ids found valid are remembered. Per thread: kontord validates on several. */
#define ACCOUNT_CACHE 4
static _Thread_local char account_ok[ACCOUNT_CACHE][KCRYPTO_ID_LEN + 1];
static _Thread_local unsigned account_next;

static int is_account_id(const char *s, size_t n)
{
	uint8_t pk[KCRYPTO_PK_BYTES];
	if (!is_b64url32(s, n))
		return 0;
	for (int i = 0; i < ACCOUNT_CACHE; i++)
		if (memcmp(account_ok[i], s, KCRYPTO_ID_LEN + 1) == 0)
			return 1;
	if (kcrypto_account_pk(s, pk, NULL) != K_OK)
		return 0;
	memcpy(account_ok[account_next++ % ACCOUNT_CACHE], s, KCRYPTO_ID_LEN + 1);
	return 1;
}

/* Standard base64 decoding to lo..hi bytes. */
static int b64_size_ok(const char *s, size_t n, int64_t lo, int64_t hi)
{
	if (n == 0 || n % 4 || (int64_t)(n / 4 * 3) > hi + 2)
		return 0;
	size_t cap = n / 4 * 3;
	uint8_t stackbuf[128];
	uint8_t *bin = cap <= sizeof stackbuf ? stackbuf : xmalloc(cap);
	size_t len = 0;
	int ok = kcrypto_b64_decode(s, n, KB64_STD, bin, cap, &len) == K_OK && (int64_t)len >= lo &&
	         (int64_t)len <= hi;
	if (bin != stackbuf)
		free(bin);
	return ok;
}

/* Returns the first control character (C0 other than the allowed ones, DEL, or a C1
 * code point U+0080..U+009F, encoded C2 80..C2 9F) or -1. s is valid UTF-8. */
static long find_control(const char *s, size_t n, int text, size_t *at)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f) {
			if (text && (c == '\n' || c == '\t'))
				continue;
			*at = i;
			return c;
		}
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] <= 0x9f) {
			*at = i;
			return (unsigned char)s[i + 1];
		}
	}
	return -1;
}

/* 1 when s is spaces only: ASCII, no-break (U+00A0) and ideographic (U+3000) ones */
static int blank(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		if (p[i] == ' ')
			i++;
		else if (i + 1 < n && p[i] == 0xC2 && p[i + 1] == 0xA0)
			i += 2;
		else if (i + 2 < n && p[i] == 0xE3 && p[i + 1] == 0x80 && p[i + 2] == 0x80)
			i += 3;
		else
			return 0;
	}
	return 1;
}

static int check_text(const struct mfield *f, const char *s, size_t n, const char *path,
                      struct kerr *e)
{
	if ((int64_t)n < f->min || (int64_t)n > f->max) {
		if (f->min == f->max)
			return kerr_set(e, K_EINVAL, "%s: must be %" PRId64 " bytes (got %zu)",
			                path, f->min, n);
		if (n == 0)
			return kerr_set(e, K_EINVAL, "%s: must not be empty", path);
		return kerr_set(e, K_EINVAL,
		                "%s: must be %" PRId64 " to %" PRId64 " bytes (got %zu)", path,
		                f->min, f->max, n);
	}
	if (!utf8_valid(s, n))
		return kerr_set(e, K_EINVAL, "%s: not valid UTF-8", path);
	if (f->fmt == MF_LINE && f->min > 0 && blank(s, n))
		return kerr_set(e, K_EINVAL, "%s: must not be blank (spaces only)", path);
	size_t at = 0;
	long c = find_control(s, n, f->fmt == MF_TEXT, &at);
	if (c >= 0)
		return kerr_set(e, K_EINVAL, "%s: control character U+%04lX at byte %zu%s", path,
		                (unsigned long)c, at,
		                f->fmt == MF_TEXT ? " (only newline and tab are allowed)" : "");
	/* What the terminal sanitiser would take out must not be signed in: a bidi override
	 * or an invisible character makes a title read as something else. */
	const char *kind = NULL;
	if (text_hidden_find(s, n, &at, &c, &kind))
		return kerr_set(e, K_EINVAL,
		                "%s: U+%04lX at byte %zu is %s (bidi controls and invisible "
		                "format characters are not allowed)",
		                path, (unsigned long)c, at, kind);
	return K_OK;
}

static int check_str(const struct mfield *f, const char *s, const char *path, struct kerr *e)
{
	char sh[SHOWN_LEN];
	size_t n = strlen(s);

	switch (f->fmt) {
	case MF_NONE:
		return K_OK;
	case MF_LINE:
	case MF_TEXT:
		return check_text(f, s, n, path, e);
	case MF_CANON: {
		if ((int64_t)n < f->min || (int64_t)n > f->max)
			return kerr_set(e, K_EINVAL,
			                "%s: must be %" PRId64 " to %" PRId64 " bytes (got %zu)",
			                path, f->min, f->max, n);
		struct kerr ce = {0, ""};
		if (canon_check(s, n, &ce) != K_OK)
			return kerr_set(e, K_EINVAL, "%s: not canonical JSON: %s", path, ce.msg);
		return K_OK;
	}
	case MF_ENUM: {
		for (const char *const *v = f->enumv; *v; v++)
			if (strcmp(s, *v) == 0)
				return K_OK;
		struct kbuf all = KBUF_INIT;
		for (const char *const *v = f->enumv; *v; v++)
			kbuf_printf(&all, "%s%s", v == f->enumv ? "" : ", ", *v);
		kerr_set(e, K_EINVAL, "%s: must be one of %s (got '%s')", path, kbuf_str(&all),
		         shown(s, sh));
		kbuf_free(&all);
		return K_EINVAL;
	}
	case MF_TIME:
		return model_check_time(s, path, e);
	case MF_ACCOUNT:
		if (!is_account_id(s, n))
			return kerr_set(e, K_EINVAL,
			                "%s: not an account id (43 base64url characters of an "
			                "Ed25519 key; got '%s')",
			                path, shown(s, sh));
		return K_OK;
	case MF_LISTING_ID:
		if (n != MODEL_LISTING_ID_LEN || s[0] != 'L' || !model_b64url(s + 1, n - 1))
			return kerr_set(e, K_EINVAL,
			                "%s: not a listing id ('L' and 22 base64url characters; "
			                "got '%s')",
			                path, shown(s, sh));
		return K_OK;
	case MF_ID:
		if (n < 1 || n > 64 || !model_b64url(s, n))
			return kerr_set(e, K_EINVAL,
			                "%s: not an id (1 to 64 of A-Z a-z 0-9 - _; got '%s')",
			                path, shown(s, sh));
		return K_OK;
	case MF_HASH:
		if (!is_b64url32(s, n))
			return kerr_set(
			    e, K_EINVAL,
			    "%s: must be 43 base64url characters of 32 bytes (got '%s')", path,
			    shown(s, sh));
		return K_OK;
	case MF_COUNTRY:
		if (n != 2 || !all_in(s, n, is_upper))
			return kerr_set(
			    e, K_EINVAL,
			    "%s: must be an ISO 3166-1 alpha-2 code such as DE (got '%s')", path,
			    shown(s, sh));
		return codes_check_country(s, path, e);
	case MF_CURRENCY:
		if (n != 3 || !all_in(s, n, is_upper))
			return kerr_set(e, K_EINVAL,
			                "%s: must be an ISO 4217 code such as EUR (got '%s')", path,
			                shown(s, sh));
		return codes_check_currency(s, path, e);
	case MF_UNIT:
		if (n < 2 || n > 3 || !all_in(s, n, is_upper_digit))
			return kerr_set(
			    e, K_EINVAL,
			    "%s: must be a UN/ECE Rec 20 unit code such as C62 (got '%s')", path,
			    shown(s, sh));
		return codes_check_unit(s, path, e);
	case MF_INCOTERM:
		if (n != 3 || !all_in(s, n, is_upper))
			return kerr_set(e, K_EINVAL,
			                "%s: must be an Incoterms 2020 rule such as FOB (got '%s')",
			                path, shown(s, sh));
		return codes_check_incoterm(s, path, e);
	case MF_SKU:
		if (n < 1 || (int64_t)n > MODEL_SKU_MAX || !all_in(s, n, is_sku_char))
			return kerr_set(e, K_EINVAL,
			                "%s: must be 1 to %d of A-Z a-z 0-9 - _ . / (got '%s')",
			                path, MODEL_SKU_MAX, shown(s, sh));
		return K_OK;
	case MF_HSCODE:
		if (!codes_hs_ok(s))
			return kerr_set(e, K_EINVAL, "%s: must be 6 to 10 digits (got '%s')", path,
			                shown(s, sh));
		return K_OK;
	case MF_IMAGE:
		if (is_b64url32(s, n))
			return K_OK;
		if (n > 8 && (int64_t)n <= f->max && strncmp(s, "https://", 8) == 0 &&
		    all_in(s, n, is_url_char) && s[8] != '/')
			return K_OK;
		return kerr_set(e, K_EINVAL,
		                "%s: must be a blob id or an https:// URL of at most %" PRId64
		                " bytes (got '%s')",
		                path, f->max, shown(s, sh));
	case MF_SIG:
		if (n != 88 || !b64_size_ok(s, n, KCRYPTO_SIG_BYTES, KCRYPTO_SIG_BYTES))
			return kerr_set(e, K_EINVAL,
			                "%s: must be the standard base64 of a 64-byte signature",
			                path);
		return K_OK;
	case MF_B64:
		if (!b64_size_ok(s, n, f->min, f->max)) {
			if (f->min == f->max)
				return kerr_set(e, K_EINVAL,
				                "%s: must be standard base64 of %" PRId64 " bytes",
				                path, f->min);
			return kerr_set(e, K_EINVAL,
			                "%s: must be standard base64 of %" PRId64 " to %" PRId64
			                " bytes",
			                path, f->min, f->max);
		}
		return K_OK;
	case MF_HANDLE:
		if (n < 2 || n > 32 || !all_in(s, n, is_handle_char))
			return kerr_set(e, K_EINVAL,
			                "%s: must be 2 to 32 of a-z 0-9 _ - (got '%s')", path,
			                shown(s, sh));
		return K_OK;
	case MF_LANG:
		if (n != 2 || !all_in(s, n, is_lower))
			return kerr_set(e, K_EINVAL,
			                "%s: must be an ISO 639-1 code such as en (got '%s')", path,
			                shown(s, sh));
		return K_OK;
	case MF_DCSA:
		if (n != 4 || !all_in(s, n, is_upper) || !codes_dcsa_event(s))
			return kerr_set(e, K_EINVAL,
			                "%s: unknown DCSA event code '%s' (e.g. LOAD, DEPA, DLVD)",
			                path, shown(s, sh));
		return K_OK;
	case MF_CLASSIFIER:
		if (n != 3 || !codes_dcsa_classifier(s))
			return kerr_set(e, K_EINVAL,
			                "%s: must be one of ACT, EST, PLN, REQ (got '%s')", path,
			                shown(s, sh));
		return K_OK;
	}
	return kerr_set(e, K_EFAIL, "%s: no rule for this field", path);
}

static int check_value(const struct mfield *f, const cJSON *v, const char *path, struct kerr *e);

static const char *entries(int64_t n)
{
	return n == 1 ? "entry" : "entries";
}

static int count_error(const struct mfield *f, int n, const char *path, struct kerr *e)
{
	if (f->min == f->max)
		return kerr_set(e, K_EINVAL, "%s: needs exactly %" PRId64 " %s (got %d)", path,
		                f->min, entries(f->min), n);
	if (n < f->min)
		return kerr_set(e, K_EINVAL, "%s: needs at least %" PRId64 " %s (got %d)", path,
		                f->min, entries(f->min), n);
	return kerr_set(e, K_EINVAL, "%s: at most %" PRId64 " %s (got %d)", path, f->max,
	                entries(f->max), n);
}

static int check_array(const struct mfield *f, const cJSON *v, const char *path, struct kerr *e)
{
	if (!cJSON_IsArray(v))
		return kerr_set(e, K_EINVAL, "%s: must be an array", path);
	int n = cJSON_GetArraySize(v);
	if (n < f->min || n > f->max)
		return count_error(f, n, path, e);
	char p[PATH_LEN];
	size_t i = 0;
	for (const cJSON *c = v->child; c; c = c->next, i++) {
		path_index(p, path, i);
		int rc = check_value(f->elem, c, p, e);
		if (rc)
			return rc;
		if (!(f->flags & M_UNIQUE) || !cJSON_IsString(c))
			continue;
		size_t j = 0;
		for (const cJSON *d = v->child; d != c; d = d->next, j++) {
			if (strcmp(d->valuestring, c->valuestring) == 0)
				return kerr_set(e, K_EINVAL, "%s: repeats %s[%zu]", p, path, j);
		}
	}
	return K_OK;
}

static int check_map(const struct mfield *f, const cJSON *v, const char *path, struct kerr *e)
{
	if (!cJSON_IsObject(v))
		return kerr_set(e, K_EINVAL, "%s: must be an object", path);
	int n = cJSON_GetArraySize(v);
	if (n < f->min || n > f->max)
		return count_error(f, n, path, e);
	char p[PATH_LEN], sh[SHOWN_LEN];
	for (const cJSON *c = v->child; c; c = c->next) {
		const char *k = c->string ? c->string : "";
		snprintf(p, sizeof p, "%s key '%s'", path, shown(k, sh));
		int rc = check_str(f->key, k, p, e);
		if (rc)
			return rc;
		for (const cJSON *d = v->child; d != c; d = d->next) {
			if (d->string && strcmp(d->string, k) == 0)
				return kerr_set(e, K_EINVAL, "%s: appears twice", p);
		}
		path_join(p, path, k);
		rc = check_value(f->elem, c, p, e);
		if (rc)
			return rc;
	}
	return K_OK;
}

static int check_value(const struct mfield *f, const cJSON *v, const char *path, struct kerr *e)
{
	switch (f->kind) {
	case MK_STR:
		if (!cJSON_IsString(v) || !v->valuestring)
			return kerr_set(e, K_EINVAL, "%s: must be a string", path);
		return check_str(f, v->valuestring, path, e);
	case MK_INT: {
		if (!cJSON_IsNumber(v))
			return kerr_set(e, K_EINVAL, "%s: must be an integer", path);
		double d = v->valuedouble;
		if (!json_is_int(v)) {
			/* A whole number past 2^53 is a range problem, not a type problem. */
			if (d >= 9e15 && d <= 9e18 && d == (double)(int64_t)d)
				return kerr_set(e, K_EINVAL, "%s: must be at most %" PRId64, path,
				                f->max);
			if (d <= -9e15 && d >= -9e18 && d == (double)(int64_t)d)
				return kerr_set(e, K_EINVAL, "%s: must be at least %" PRId64, path,
				                f->min);
			return kerr_set(e, K_EINVAL, "%s: must be an integer", path);
		}
		int64_t n = (int64_t)d;
		if (n >= f->min && n <= f->max)
			return K_OK;
		if (f->max >= MONEY_MAX && n < f->min)
			return kerr_set(e, K_EINVAL,
			                "%s: must be at least %" PRId64 " (got %" PRId64 ")", path,
			                f->min, n);
		return kerr_set(e, K_EINVAL,
		                "%s: must be %" PRId64 " to %" PRId64 " (got %" PRId64 ")", path,
		                f->min, f->max, n);
	}
	case MK_BOOL:
		if (!cJSON_IsBool(v))
			return kerr_set(e, K_EINVAL, "%s: must be true or false", path);
		return K_OK;
	case MK_ARR:
		return check_array(f, v, path, e);
	case MK_MAP:
		return check_map(f, v, path, e);
	case MK_OBJ:
		return check_object(f->type, v, path, e);
	}
	return kerr_set(e, K_EFAIL, "%s: no rule for this field", path);
}

static int check_object(const struct mtype *t, const cJSON *o, const char *path, struct kerr *e)
{
	const char *where = *path ? path : t->name;
	char p[PATH_LEN], sh[SHOWN_LEN];
	if (!cJSON_IsObject(o))
		return kerr_set(e, K_EINVAL, "%s: must be an object", where);

	/* Unknown and repeated names first: a misspelt optional field would otherwise pass
	 * silently as "absent". */
	uint64_t seen = 0;
	for (const cJSON *c = o->child; c; c = c->next) {
		size_t i = 0;
		while (i < t->nfields && (!c->string || strcmp(t->fields[i].name, c->string)))
			i++;
		if (i == t->nfields) {
			path_join(p, path, shown(c->string, sh));
			return kerr_set(e, K_EINVAL, "%s: unknown property of %s", p, t->name);
		}
		if (seen & ((uint64_t)1 << i)) {
			path_join(p, path, c->string);
			return kerr_set(e, K_EINVAL, "%s: appears twice", p);
		}
		seen |= (uint64_t)1 << i;
	}

	for (size_t i = 0; i < t->nfields; i++) {
		const struct mfield *f = &t->fields[i];
		const cJSON *v = item(o, f->name);
		path_join(p, path, f->name);
		if (!v || cJSON_IsNull(v)) {
			if (f->flags & M_REQ)
				return kerr_set(e, K_EINVAL, "%s: missing", p);
			continue;
		}
		/* An optional string left empty means absent, as listing_to_json writes it. */
		if (f->kind == MK_STR && !(f->flags & M_REQ) && cJSON_IsString(v) &&
		    v->valuestring && !*v->valuestring)
			continue;
		int rc = check_value(f, v, p, e);
		if (rc)
			return rc;
	}
	return t->rules ? t->rules(o, path, e) : K_OK;
}

/* ---------------------------------------------------------------- rules across fields */

static int later_or_equal(const cJSON *o, const char *path, const char *first, const char *later,
                          struct kerr *e)
{
	const char *a = str_of(o, first), *b = str_of(o, later);
	char p[PATH_LEN];
	/* The fixed RFC 3339 UTC form orders as text. */
	if (a && b && strcmp(b, a) < 0) {
		path_join(p, path, later);
		return kerr_set(e, K_EINVAL, "%s: %s is before %s (%s)", p, b, first, a);
	}
	return K_OK;
}

static int listing_rules(const cJSON *o, const char *path, struct kerr *e)
{
	char p[PATH_LEN], q[PATH_LEN], sh[SHOWN_LEN];
	const cJSON *c;
	if (str_of(o, "packageCode")) {
		path_join(p, path, "packageCode");
		int rc = codes_check_package(str_of(o, "packageCode"), p, e);
		if (rc)
			return rc;
	}
	if (int_of(o, "grossGrams", 0) && int_of(o, "grossGrams", 0) < int_of(o, "netGrams", 0)) {
		path_join(p, path, "grossGrams");
		return kerr_set(e, K_EINVAL,
		                "%s: a unit packed cannot weigh less than its net weight", p);
	}
	struct price_tier t[MODEL_TIERS_MAX];
	size_t i = 0;
	cJSON_ArrayForEach(c, item(o, "priceTiers"))
	{
		if (i == MODEL_TIERS_MAX)
			break; /* the table refuses more */
		t[i].min_qty = int_of(c, "minQty", 1);
		t[i++].unit_price = int_of(c, "unitPrice", 1);
	}
	size_t at;
	if (price_tiers_rule(t, i, 0, &at)) {
		path_join(p, path, "priceTiers");
		return kerr_set(e, K_EINVAL,
		                "%s[%zu].minQty: must be greater than %s[%zu].minQty (%" PRId64 ")",
		                p, at, p, at - 1, t[at - 1].min_qty);
	}

	size_t j;
	const char *sku;
	if (repeated_key(item(o, "variants"), "sku", &i, &j, &sku)) {
		path_join(p, path, "variants");
		return kerr_set(e, K_EINVAL, "%s[%zu].sku: '%s' repeats %s[%zu].sku", p, i, sku, p,
		                j);
	}

	const char *seller = str_of(o, "sellerId"), *id = str_of(o, "id");
	if (seller) {
		char want[MODEL_LISTING_ID_LEN + 1];
		listing_make_id(seller, str_of(o, "sku") ? str_of(o, "sku") : "", want);
		if (!id || strcmp(id, want) != 0) {
			path_join(p, path, "id");
			path_join(q, path, "sellerId");
			return kerr_set(e, K_EINVAL,
			                "%s: must be %s, made from %s and sku (got '%s')", p, want,
			                q, shown(id, sh));
		}
	}
	if (str_of(o, "sig") && !seller) {
		path_join(p, path, "sig");
		return kerr_set(e, K_EINVAL, "%s: a signed listing needs sellerId (the signer)", p);
	}
	return later_or_equal(o, path, "created", "updated", e);
}

int price_tiers_rule(const struct price_tier *t, size_t n, int is_new, size_t *at)
{
	for (size_t i = 0; i < n; i++) {
		*at = i;
		if (is_new && t[i].unit_price <= 0)
			return TIERS_FREE;
		if (i && t[i].min_qty <= t[i - 1].min_qty)
			return TIERS_ORDER;
		if (is_new && i && t[i].unit_price > t[i - 1].unit_price)
			return TIERS_DEARER;
	}
	return TIERS_OK;
}

static int attestation_rules(const cJSON *o, const char *path, struct kerr *e)
{
	const char *a = str_of(o, "issued"), *b = str_of(o, "expires");
	char p[PATH_LEN];
	if (a && b && strcmp(b, a) <= 0) {
		path_join(p, path, "expires");
		return kerr_set(e, K_EINVAL, "%s: %s is not after issued (%s)", p, b, a);
	}
	return K_OK;
}

static int cert_rules(const cJSON *o, const char *path, struct kerr *e)
{
	const char *x = str_of(o, "expires");
	char p[PATH_LEN];
	int ok = !x || (strlen(x) == 10 && x[4] == '-' && x[7] == '-');
	for (int i = 0; ok && x && i < 10; i++)
		ok = i == 4 || i == 7 || (x[i] >= '0' && x[i] <= '9');
	if (!ok) {
		path_join(p, path, "expires");
		return kerr_set(e, K_EINVAL, "%s: '%s' is not a date YYYY-MM-DD", p, x);
	}
	return K_OK;
}

static int factory_rules(const cJSON *o, const char *path, struct kerr *e)
{
	const char *v = str_of(o, "videoUrl");
	char p[PATH_LEN];
	if (v && (strncmp(v, "https://", 8) != 0 || v[8] == '\0' || v[8] == '/' ||
	          strpbrk(v, " \t\"'<>\\`") != NULL)) {
		path_join(p, path, "videoUrl");
		return kerr_set(e, K_EINVAL,
		                "%s: must be an https:// link to the video tour or call, without"
		                " spaces or quotes",
		                p);
	}
	return K_OK;
}

/* The factory's canonical bytes without its sig. */
static int factory_canon(const cJSON *factory, struct kbuf *out, struct kerr *e)
{
	cJSON *body = cJSON_Duplicate(factory, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(body, "sig");
	int rc = canon_write(body, out, e);
	cJSON_Delete(body);
	return rc;
}

int account_factory_sign(cJSON *factory, const struct kkeypair *kp, struct kerr *e)
{
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	cJSON_DeleteItemFromObjectCaseSensitive(factory, "updated");
	cJSON_DeleteItemFromObjectCaseSensitive(factory, "sig");
	cJSON_AddStringToObject(factory, "updated", now);
	/* placeholder of the right form, so the checks below see a whole object */
	cJSON_AddStringToObject(factory, "sig",
	                        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	                        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==");
	int rc = check_object(&factory_type, factory, "factory", e);
	struct kbuf canon = KBUF_INIT, sig = KBUF_INIT;
	if (!rc)
		rc = factory_canon(factory, &canon, e);
	if (!rc) {
		kcrypto_sign_object_b64("factory", canon.data, canon.len, kp->sk, &sig);
		cJSON_ReplaceItemInObjectCaseSensitive(factory, "sig",
		                                       cJSON_CreateString(kbuf_str(&sig)));
	}
	kbuf_free(&canon);
	kbuf_free(&sig);
	return rc;
}

int account_factory_verify(const cJSON *factory, const char *account_id, struct kerr *e)
{
	int rc = check_object(&factory_type, factory, "factory", e);
	if (rc)
		return rc;
	struct kbuf canon = KBUF_INIT;
	rc = factory_canon(factory, &canon, e);
	if (!rc && kcrypto_verify_object_b64("factory", canon.data, canon.len, account_id,
	                                     str_of(factory, "sig"), e) != K_OK)
		rc = kerr_set(e, K_EVERIFY,
		              "factory: its signature does not verify against the account %.60s",
		              account_id);
	kbuf_free(&canon);
	return rc;
}

/* A tax id scheme is a short upper-case name (VAT, EORI, GSTIN); the id has no spaces
 * at its ends, so what the papers print is what customs types in. */
static int tax_id_rules(const cJSON *o, const char *path, struct kerr *e)
{
	const char *sc = str_of(o, "scheme"), *id = str_of(o, "id");
	char p[PATH_LEN];
	for (const char *c = sc; c && *c; c++) {
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-')) {
			path_join(p, path, "scheme");
			return kerr_set(
			    e, K_EINVAL,
			    "%s: must be upper-case letters and digits like VAT or EORI", p);
		}
	}
	if (id && (id[0] == ' ' || id[strlen(id) - 1] == ' ')) {
		path_join(p, path, "id");
		return kerr_set(e, K_EINVAL, "%s: must not start or end with a space", p);
	}
	return K_OK;
}

static int rating_summary_rules(const cJSON *o, const char *path, struct kerr *e)
{
	int64_t sum = int_of(o, "sum", 0), count = int_of(o, "count", 0);
	char p[PATH_LEN];
	if (sum < count || sum > 5 * count) {
		path_join(p, path, "sum");
		return kerr_set(e, K_EINVAL,
		                "%s: %" PRId64 " is not possible for %" PRId64
		                " ratings of 1 to 5 stars",
		                p, sum, count);
	}
	return K_OK;
}

static int rfq_rules(const cJSON *o, const char *path, struct kerr *e)
{
	char p[PATH_LEN];
	if (item(o, "targetPrice") && !cJSON_IsNull(item(o, "targetPrice")) &&
	    !str_of(o, "currency")) {
		path_join(p, path, "currency");
		return kerr_set(e, K_EINVAL, "%s: missing (targetPrice needs a currency)", p);
	}
	return later_or_equal(o, path, "created", "updated", e);
}

static int distinct(const cJSON *o, const char *path, const char *a, const char *b, struct kerr *e)
{
	const char *x = str_of(o, a), *y = str_of(o, b);
	char p[PATH_LEN];
	if (x && y && strcmp(x, y) == 0) {
		path_join(p, path, b);
		return kerr_set(e, K_EINVAL, "%s: must not be the same account as %s", p, a);
	}
	return K_OK;
}

static int from_to_rules(const cJSON *o, const char *path, struct kerr *e)
{
	return distinct(o, path, "from", "to", e);
}

static int parties_rules(const cJSON *o, const char *path, struct kerr *e)
{
	int rc = distinct(o, path, "buyerId", "sellerId", e);
	return rc ? rc : later_or_equal(o, path, "created", "updated", e);
}

static int section_rules(const cJSON *o, const char *path, struct kerr *e)
{
	char p[PATH_LEN], want[KCRYPTO_HASH_B64_LEN + 1];
	const char *body = str_of(o, "body"), *hash = str_of(o, "hash");
	if (body && hash) {
		kcrypto_hash_b64url(body, strlen(body), want);
		if (strcmp(want, hash) != 0) {
			path_join(p, path, "hash");
			return kerr_set(e, K_EINVAL, "%s: does not match body (BLAKE2b-256 is %s)",
			                p, want);
		}
	}
	size_t i, j;
	const char *by;
	if (repeated_key(item(o, "signatures"), "by", &i, &j, &by)) {
		path_join(p, path, "signatures");
		return kerr_set(e, K_EINVAL, "%s[%zu].by: already signed in %s[%zu]", p, i, p, j);
	}
	return K_OK;
}

static int contract_rules(const cJSON *o, const char *path, struct kerr *e)
{
	char p[PATH_LEN];
	const cJSON *first = cJSON_GetArrayItem(item(o, "sections"), 0);
	const char *kind = str_of(first, "kind");
	if (kind && strcmp(kind, "offer") != 0) {
		path_join(p, path, "sections[0].kind");
		return kerr_set(e, K_EINVAL, "%s: a contract opens with an offer (got '%s')", p,
		                kind);
	}
	return parties_rules(o, path, e);
}

int model_validate(const char *type, const cJSON *obj, struct kerr *e)
{
	char sh[SHOWN_LEN];
	for (size_t i = 0; type && i < sizeof all_types / sizeof all_types[0]; i++) {
		if (strcmp(all_types[i]->name, type) == 0)
			return check_object(all_types[i], obj, "", e);
	}
	return kerr_set(e, K_ENOTFOUND, "unknown type '%s'", shown(type, sh));
}

/* ---------------------------------------------------------------- Listing */

void listing_init(struct listing *l)
{
	memset(l, 0, sizeof *l);
	copy_fixed(l->status, sizeof l->status, "active");
	copy_fixed(l->unit, sizeof l->unit, "C62");
	l->moq = 1;
	l->stock = -1;
}

void listing_free(struct listing *l)
{
	free(l->sku);
	free(l->seller_sku);
	free(l->title);
	free(l->description);
	free(l->category);
	kstrv_free(&l->tags);
	free(l->hs_code);
	free(l->tiers);
	kstrv_free(&l->incoterms);
	cJSON_Delete(l->variants);
	kstrv_free(&l->images);
	free(l->sig);
	memset(l, 0, sizeof *l);
}

void listing_copy(struct listing *dst, const struct listing *src)
{
	memcpy(dst, src, sizeof *dst);
	dst->sku = dup_opt(src->sku);
	dst->seller_sku = dup_opt(src->seller_sku);
	dst->title = dup_opt(src->title);
	dst->description = dup_opt(src->description);
	dst->category = dup_opt(src->category);
	kstrv_copy(&dst->tags, &src->tags);
	dst->hs_code = dup_opt(src->hs_code);
	dst->tiers = NULL;
	if (src->ntiers) {
		dst->tiers = xcalloc(src->ntiers, sizeof *dst->tiers);
		memcpy(dst->tiers, src->tiers, src->ntiers * sizeof *dst->tiers);
	}
	kstrv_copy(&dst->incoterms, &src->incoterms);
	dst->variants = src->variants ? cJSON_Duplicate(src->variants, 1) : NULL;
	kstrv_copy(&dst->images, &src->images);
	dst->sig = dup_opt(src->sig);
}

void listing_make_id(const char *seller_id, const char *sku, char out[MODEL_LISTING_ID_LEN + 1])
{
	struct kbuf in = KBUF_INIT, b64 = KBUF_INIT;
	uint8_t h[16];
	kbuf_puts(&in, seller_id ? seller_id : "");
	kbuf_putc(&in, '\0'); /* so ("ab", "c") and ("a", "bc") differ */
	kbuf_puts(&in, sku ? sku : "");
	kcrypto_blake2b(h, sizeof h, in.data, in.len, NULL, 0);
	kcrypto_b64_encode(h, sizeof h, KB64_URL_NOPAD, &b64);
	out[0] = 'L';
	size_t n = b64.len < MODEL_LISTING_ID_LEN - 1 ? b64.len : MODEL_LISTING_ID_LEN - 1;
	memcpy(out + 1, kbuf_str(&b64), n);
	out[1 + n] = '\0';
	kbuf_free(&in);
	kbuf_free(&b64);
}

cJSON *listing_to_json(const struct listing *l, int with_sig)
{
	cJSON *o = cJSON_CreateObject();
	if (l->id[0])
		add_fixed(o, "id", l->id, sizeof l->id);
	if (l->seller_id[0])
		add_fixed(o, "sellerId", l->seller_id, sizeof l->seller_id);
	if (l->sku)
		cJSON_AddStringToObject(o, "sku", l->sku);
	json_add_opt(o, "sellerSku", l->seller_sku);
	if (l->title)
		cJSON_AddStringToObject(o, "title", l->title);
	json_add_opt(o, "description", l->description);
	json_add_opt(o, "category", l->category);
	add_strv(o, "tags", &l->tags);
	json_add_opt(o, "hsCode", l->hs_code);
	if (l->origin_country[0])
		add_fixed(o, "originCountry", l->origin_country, sizeof l->origin_country);
	if (l->ships_from[0])
		add_fixed(o, "shipsFrom", l->ships_from, sizeof l->ships_from);
	/* Required fields go out even when empty, so validation names them. */
	add_fixed(o, "currency", l->currency, sizeof l->currency);
	cJSON *tiers = cJSON_AddArrayToObject(o, "priceTiers");
	for (size_t i = 0; l->tiers && i < l->ntiers; i++) {
		cJSON *t = cJSON_CreateObject();
		json_add_int(t, "minQty", l->tiers[i].min_qty);
		json_add_int(t, "unitPrice", l->tiers[i].unit_price);
		cJSON_AddItemToArray(tiers, t);
	}
	if (l->unit[0]) /* "" only in a summary that did not say it */
		add_fixed(o, "unit", l->unit, sizeof l->unit);
	json_add_int(o, "moq", l->moq);
	json_add_int(o, "leadTimeDays", l->lead_time_days);
	/* Left out when not said, so a listing without them signs the bytes it always did. */
	if (l->stock >= 0)
		json_add_int(o, "stock", l->stock);
	if (l->net_grams > 0)
		json_add_int(o, "netGrams", l->net_grams);
	if (l->gross_grams > 0)
		json_add_int(o, "grossGrams", l->gross_grams);
	if (l->package_code[0])
		add_fixed(o, "packageCode", l->package_code, sizeof l->package_code);
	if (l->units_per_package > 0)
		json_add_int(o, "unitsPerPackage", l->units_per_package);
	add_strv(o, "incoterms", &l->incoterms);
	if (l->variants && cJSON_GetArraySize(l->variants) > 0)
		cJSON_AddItemToObject(o, "variants", cJSON_Duplicate(l->variants, 1));
	add_strv(o, "images", &l->images);
	add_fixed(o, "status", l->status, sizeof l->status);
	if (l->created[0])
		add_fixed(o, "created", l->created, sizeof l->created);
	if (l->updated[0])
		add_fixed(o, "updated", l->updated, sizeof l->updated);
	if (with_sig && l->sig && *l->sig)
		cJSON_AddStringToObject(o, "sig", l->sig);
	return o;
}

/* Rebuilt from the checked input rather than duplicated, so numbers are plain integers and
 * nothing the table does not know survives into what gets signed. */
static cJSON *variants_from(const cJSON *a)
{
	if (cJSON_GetArraySize(a) == 0)
		return NULL;
	cJSON *out = cJSON_CreateArray();
	const cJSON *v, *opt;
	cJSON_ArrayForEach(v, a)
	{
		cJSON *nv = cJSON_CreateObject();
		cJSON_AddStringToObject(nv, "sku", str_of(v, "sku"));
		cJSON *no = cJSON_AddObjectToObject(nv, "options");
		cJSON_ArrayForEach(opt, item(v, "options"))
		{
			cJSON_AddStringToObject(no, opt->string, opt->valuestring);
		}
		const cJSON *price = item(v, "unitPrice");
		if (cJSON_IsNumber(price))
			json_add_int(nv, "unitPrice", (int64_t)price->valuedouble);
		if (str_of(v, "sellerSku"))
			cJSON_AddStringToObject(nv, "sellerSku", str_of(v, "sellerSku"));
		const cJSON *stock = item(v, "stock");
		if (cJSON_IsNumber(stock))
			json_add_int(nv, "stock", (int64_t)stock->valuedouble);
		cJSON_AddItemToArray(out, nv);
	}
	return out;
}

int listing_from_json(const cJSON *j, struct listing *out, struct kerr *e)
{
	listing_init(out);
	int rc = check_object(&listing_type, j, "", e);
	if (rc)
		return rc;
	copy_fixed(out->id, sizeof out->id, str_of(j, "id"));
	copy_fixed(out->seller_id, sizeof out->seller_id, str_of(j, "sellerId"));
	out->sku = xstrdup(str_of(j, "sku"));
	out->seller_sku = dup_opt(str_of(j, "sellerSku"));
	out->title = xstrdup(str_of(j, "title"));
	out->description = dup_opt(str_of(j, "description"));
	out->category = dup_opt(str_of(j, "category"));
	strv_from(&out->tags, item(j, "tags"));
	out->hs_code = dup_opt(str_of(j, "hsCode"));
	copy_fixed(out->origin_country, sizeof out->origin_country, str_of(j, "originCountry"));
	copy_fixed(out->ships_from, sizeof out->ships_from, str_of(j, "shipsFrom"));
	copy_fixed(out->currency, sizeof out->currency, str_of(j, "currency"));
	const cJSON *tiers = item(j, "priceTiers"), *t;
	out->ntiers = (size_t)cJSON_GetArraySize(tiers);
	out->tiers = xcalloc(out->ntiers, sizeof *out->tiers);
	size_t i = 0;
	cJSON_ArrayForEach(t, tiers)
	{
		out->tiers[i].min_qty = int_of(t, "minQty", 1);
		out->tiers[i].unit_price = int_of(t, "unitPrice", 0);
		i++;
	}
	if (str_of(j, "unit"))
		copy_fixed(out->unit, sizeof out->unit, str_of(j, "unit"));
	out->moq = int_of(j, "moq", 1);
	out->lead_time_days = int_of(j, "leadTimeDays", 0);
	out->stock = int_of(j, "stock", -1);
	out->net_grams = int_of(j, "netGrams", 0);
	out->gross_grams = int_of(j, "grossGrams", 0);
	copy_fixed(out->package_code, sizeof out->package_code, str_of(j, "packageCode"));
	out->units_per_package = int_of(j, "unitsPerPackage", 0);
	strv_from(&out->incoterms, item(j, "incoterms"));
	out->variants = variants_from(item(j, "variants"));
	strv_from(&out->images, item(j, "images"));
	if (str_of(j, "status"))
		copy_fixed(out->status, sizeof out->status, str_of(j, "status"));
	copy_fixed(out->created, sizeof out->created, str_of(j, "created"));
	copy_fixed(out->updated, sizeof out->updated, str_of(j, "updated"));
	out->sig = dup_opt(str_of(j, "sig"));
	return K_OK;
}

/* The struct goes through the same table as JSON from outside: one set of rules. */
int listing_validate(const struct listing *l, struct kerr *e)
{
	cJSON *j = listing_to_json(l, 1);
	int rc = check_object(&listing_type, j, "", e);
	cJSON_Delete(j);
	return rc;
}

int listing_canon(const struct listing *l, struct kbuf *out, struct kerr *e)
{
	cJSON *j = listing_to_json(l, 0);
	int rc = canon_write(j, out, e);
	cJSON_Delete(j);
	return rc;
}

int listing_sign(struct listing *l, const struct kkeypair *kp, struct kerr *e)
{
	if (!l->sku || !*l->sku)
		return kerr_set(e, K_EINVAL, "sku: missing (the listing id is made from it)");
	kcrypto_account_id(kp->pk, l->seller_id);
	listing_make_id(l->seller_id, l->sku, l->id);
	xfree(&l->sig);
	/* Never sign what a reader would refuse. */
	int rc = listing_validate(l, e);
	if (rc)
		return rc;
	struct kbuf canon = KBUF_INIT, sig = KBUF_INIT;
	rc = listing_canon(l, &canon, e);
	if (rc == K_OK) {
		kcrypto_sign_object_b64("listing", canon.data, canon.len, kp->sk, &sig);
		l->sig = kbuf_detach(&sig, NULL);
	}
	kbuf_free(&canon);
	return rc;
}

int listing_verify(const struct listing *l, struct kerr *e)
{
	char want[MODEL_LISTING_ID_LEN + 1];
	if (!l->sig || !*l->sig)
		return kerr_set(e, K_EVERIFY, "sig: missing; the listing is not signed");
	if (!l->seller_id[0])
		return kerr_set(e, K_EVERIFY,
		                "sellerId: missing; nobody to verify the listing against");
	/* The id is inside the signed bytes, but a seller must not be able to sign a listing
	 * under an id that is not made from its own key and SKU. */
	listing_make_id(l->seller_id, l->sku ? l->sku : "", want);
	if (strncmp(want, l->id, sizeof l->id) != 0)
		return kerr_set(e, K_EVERIFY, "id: %.*s is not made from sellerId and sku",
		                (int)sizeof l->id, l->id);
	struct kbuf canon = KBUF_INIT;
	int rc = listing_canon(l, &canon, e);
	if (rc == K_OK) {
		rc = kcrypto_verify_object_b64("listing", canon.data, canon.len, l->seller_id,
		                               l->sig, e);
		if (rc != K_OK) {
			/* A malformed signature is as unverified as a wrong one. */
			if (e)
				e->code = K_EVERIFY;
			kerr_prefix(e, "listing %s", want);
			rc = K_EVERIFY;
		}
	}
	kbuf_free(&canon);
	return rc;
}

const char *listing_unit_count(const struct listing *l, int64_t n)
{
	return l->unit[0] ? codes_unit_count(l->unit, n) : "";
}

void listing_lead_words(const struct listing *l, char out[32])
{
	if (l->lead_time_days <= 0)
		snprintf(out, 32, "not said");
	else
		snprintf(out, 32, "%lld day%s", (long long)l->lead_time_days,
		         l->lead_time_days == 1 ? "" : "s");
}

void model_kg_text(int64_t grams, char out[32])
{
	snprintf(out, 32, "%" PRId64 ".%03" PRId64, grams / 1000, grams % 1000);
	size_t n = strlen(out);
	while (out[n - 1] == '0')
		out[--n] = '\0';
	if (out[n - 1] == '.')
		out[--n] = '\0';
}

void listing_packing_words(const struct listing *l, char *out, size_t cap)
{
	char kg[32];
	size_t n = 0; /* what is written; snprintf cuts at cap and ends out with a NUL */
	out[0] = '\0';
#define PUT(...) (n < cap ? (n += (size_t)snprintf(out + n, cap - n, __VA_ARGS__)) : n)
	if (l->net_grams > 0) {
		model_kg_text(l->net_grams, kg);
		PUT("net %s kg", kg);
	}
	if (l->gross_grams > 0) {
		model_kg_text(l->gross_grams, kg);
		PUT("%sgross %s kg", n ? ", " : "", kg);
	}
	if (n)
		PUT(" a %s", codes_unit_count(l->unit, 1));
	if (l->units_per_package > 0 && l->package_code[0]) {
		const struct package_code *pc = codes_package(l->package_code);
		PUT("%s%" PRId64 " %s to a %s (%s)", n ? "; " : "", l->units_per_package,
		    codes_unit_count(l->unit, l->units_per_package),
		    pc ? pc->name : l->package_code, l->package_code);
	}
#undef PUT
}

int64_t listing_unit_price(const struct listing *l, int64_t qty)
{
	int64_t price = -1;
	for (size_t i = 0; l->tiers && i < l->ntiers; i++) {
		if (l->tiers[i].min_qty <= qty)
			price = l->tiers[i].unit_price;
	}
	return price;
}

void listing_tiers_from_moq(struct listing *l)
{
	if (!l->ntiers)
		return;
	int64_t at_moq = listing_unit_price(l, l->moq); /* -1: below every break */
	size_t n = 1; /* the breaks above the MOQ kept in place: n <= i, nothing is lost */
	for (size_t i = 1; at_moq >= 0 && i < l->ntiers; i++)
		if (l->tiers[i].min_qty > l->moq)
			l->tiers[n++] = l->tiers[i];
	l->tiers[0].min_qty = l->moq;
	if (at_moq >= 0) {
		l->tiers[0].unit_price = at_moq;
		l->ntiers = n;
	}
}

#define VARIANT_OPTS_MAX 30 /* columns of the options on a variant's line */

static const char *variant_str(const cJSON *v, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, key));
}

/* The option after `last` in the order of the signed form (names by their bytes), which
 * every copy shares; NULL after the last. */
static const cJSON *option_after(const cJSON *v, const char *last)
{
	const cJSON *o, *next = NULL;
	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(v, "options"))
	{
		if (cJSON_IsString(o) && strcmp(o->string, last) > 0 &&
		    (!next || strcmp(o->string, next->string) < 0))
			next = o;
	}
	return next;
}

/* The values of v's options joined by sep in that order, unsanitised ("40cm / Nâu"); with
 * names, each "Name: value" but for the generic "Variation" a shop export gives. */
static void variant_values(const cJSON *v, const char *sep, int names, struct kbuf *out)
{
	size_t start = out->len;
	for (const cJSON *o = option_after(v, ""); o; o = option_after(v, o->string)) {
		if (out->len > start)
			kbuf_puts(out, sep);
		if (names && strcmp(o->string, "Variation") != 0)
			kbuf_printf(out, "%s: ", o->string);
		kbuf_puts(out, o->valuestring);
	}
}

int64_t listing_variant_price(const struct listing *l, const cJSON *v, int64_t qty)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(v, "unitPrice");
	if (cJSON_IsNumber(p))
		return (int64_t)p->valuedouble;
	return listing_unit_price(l, qty);
}

int64_t listing_variant_stock(const cJSON *v)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(v, "stock");
	return cJSON_IsNumber(n) ? (int64_t)n->valuedouble : -1;
}

void listing_variant_set_stock(cJSON *v, int64_t n)
{
	cJSON_DeleteItemFromObjectCaseSensitive(v, "stock");
	if (n >= 0)
		json_add_int(v, "stock", n);
}

int64_t listing_variants_stock(const struct listing *l)
{
	int64_t sum = -1;
	const cJSON *v;
	cJSON_ArrayForEach(v, l->variants)
	{
		int64_t n = listing_variant_stock(v), have = sum < 0 ? 0 : sum;
		if (n >= 0)
			sum = n > MONEY_MAX - have ? MONEY_MAX : have + n;
	}
	return sum;
}

int64_t listing_stock(const struct listing *l)
{
	if (listing_variants_stock(l) < 0)
		return l->stock;
	const cJSON *v;
	cJSON_ArrayForEach(v, l->variants)
	{
		if (listing_variant_stock(v) < 0)
			return -1;
	}
	return listing_variants_stock(l);
}

int64_t listing_on_hand(const struct listing *l, const char *variant_sku)
{
	if (!variant_sku || !*variant_sku || listing_variants_stock(l) < 0)
		return l->stock; /* her variants keep no stock of their own */
	const cJSON *v;
	cJSON_ArrayForEach(v, l->variants)
	{
		const char *sku = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "sku"));
		if (sku && strcmp(sku, variant_sku) == 0)
			return listing_variant_stock(v);
	}
	return -1;
}

void listing_variant_options(const cJSON *v, const char *sep, struct kbuf *out)
{
	variant_values(v, sep, 1, out);
}

void listing_variant_label(const cJSON *v, struct kbuf *out)
{
	struct kbuf b = KBUF_INIT;
	variant_values(v, ", ", 1, &b);
	text_sanitize(out, kbuf_str(&b), b.len, 0);
	kbuf_free(&b);
}

/* The fold search gives s, its spaces trimmed: how a typed name and a stored one compare. */
static void fold_name(const char *s, struct kbuf *out)
{
	kbuf_reset(out);
	searchtext_prep(out, s, strnlen(s, 4 * MODEL_TITLE_MAX));
	size_t a = 0, n = out->len;
	while (a < n && out->data[a] == ' ')
		a++;
	while (n > a && out->data[n - 1] == ' ')
		n--;
	if (a) /* data is NULL for a text that folds to nothing at all */
		memmove(out->data, out->data + a, n - a);
	out->len = n - a;
	kbuf_str(out);
}

static int cmp_word(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The words of s as fold_name gives them, sorted: "Lớn Nâu" and "nau lon" are one. */
static void fold_words(const char *s, struct kbuf *out)
{
	struct kbuf f = KBUF_INIT;
	struct kstrv w = {0};
	fold_name(s, &f);
	char *save = NULL;
	for (char *tok = f.len ? strtok_r(f.data, " ", &save) : NULL; tok;
	     tok = strtok_r(NULL, " ", &save))
		kstrv_push(&w, tok);
	if (w.n > 1)
		qsort(w.v, w.n, sizeof *w.v, cmp_word);
	kbuf_reset(out);
	for (size_t i = 0; i < w.n; i++)
		kbuf_printf(out, "%s%s", i ? " " : "", w.v[i]);
	kbuf_str(out);
	kstrv_free(&w);
	kbuf_free(&f);
}

/* The words of v's option values, folded and sorted as fold_words gives them. */
static void variant_words(const cJSON *v, struct kbuf *out)
{
	struct kbuf all = KBUF_INIT;
	variant_values(v, " ", 0, &all);
	fold_words(kbuf_str(&all), out);
	kbuf_free(&all);
}

/* Whether every word of words (space-separated) is a word of have. */
static int words_within(const char *words, const char *have, struct kbuf *tmp)
{
	kbuf_reset(tmp);
	kbuf_printf(tmp, " %s ", have);
	const char *w = words;
	while (*w) {
		size_t n = strcspn(w, " ");
		char word[MODEL_TITLE_MAX + 3];
		if (n && n < sizeof word - 2) {
			snprintf(word, sizeof word, " %.*s ", (int)n, w);
			if (!strstr(kbuf_str(tmp), word))
				return 0;
		} else if (n) {
			return 0;
		}
		w += n;
		w += *w == ' ';
	}
	return 1;
}

static int folded_is(const char *s, const char *want, struct kbuf *tmp)
{
	if (!s)
		return 0;
	fold_name(s, tmp);
	return strcmp(kbuf_str(tmp), want) == 0;
}

const char *listing_variant_sku(const cJSON *v)
{
	const char *ssku = variant_str(v, "sellerSku");
	return ssku && *ssku ? ssku : variant_str(v, "sku");
}

/* " word word " of s: folded as fold_name does, punctuation a space, one space apart. */
static void fold_spaced(const char *s, struct kbuf *tmp, struct kbuf *out)
{
	fold_name(s, tmp);
	kbuf_reset(out);
	kbuf_putc(out, ' ');
	for (size_t i = 0; i < tmp->len; i++) {
		unsigned char ch = (unsigned char)tmp->data[i];
		int word = ch >= 0x80 || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z');
		if (word)
			kbuf_putc(out, (char)ch);
		else if (out->data[out->len - 1] != ' ')
			kbuf_putc(out, ' ');
	}
	if (out->data[out->len - 1] != ' ')
		kbuf_putc(out, ' ');
	kbuf_str(out);
}

const cJSON *listing_variant_in_text(const cJSON *variants, const char *text)
{
	if (!text || !*text || !cJSON_IsArray(variants))
		return NULL;
	struct kbuf said = KBUF_INIT, f = KBUF_INIT, val = KBUF_INIT;
	fold_spaced(text, &f, &said); /* each word between spaces */
	const cJSON *v, *hit = NULL;
	int hits = 0;
	cJSON_ArrayForEach(v, variants)
	{
		int all = 1, any = 0;
		for (const cJSON *o = option_after(v, ""); o && all;
		     o = option_after(v, o->string)) {
			fold_spaced(o->valuestring, &f, &val);
			if (val.len <= 1) /* a value of no word at all says nothing */
				continue;
			all = strstr(kbuf_str(&said), kbuf_str(&val)) != NULL;
			any = 1;
		}
		if (all && any) {
			hit = v;
			hits++;
		}
	}
	kbuf_free(&said);
	kbuf_free(&f);
	kbuf_free(&val);
	return hits == 1 ? hit : NULL;
}

void listing_variants_named(const struct listing *l, struct kbuf *out)
{
	int n = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, l->variants)
	{
		if (n == 8) {
			kbuf_puts(out, ", …");
			break;
		}
		struct kbuf b = KBUF_INIT, t = KBUF_INIT;
		variant_values(v, " / ", 0, &b);
		text_sanitize(&t, kbuf_str(&b), b.len, 0);
		kbuf_puts(out, n++ ? ", " : "");
		text_clip(out, kbuf_str(&t), 30, 0); /* eight fit in a message */
		kbuf_free(&b);
		kbuf_free(&t);
	}
}

int listing_variant_find(const struct listing *l, const char *key, const cJSON **out,
                         struct kerr *e)
{
	*out = NULL;
	int n = cJSON_GetArraySize(l->variants);
	struct kbuf want = KBUF_INIT, tmp = KBUF_INIT, names = KBUF_INIT, words = KBUF_INIT,
	            all_words = KBUF_INIT, said = KBUF_INIT;
	listing_variants_named(l, &names);
	/* the listing as its seller and buyer know it: "Quạt mây đan tay" (quat-may) */
	struct kbuf who = KBUF_INIT;
	if (l->title) {
		struct kbuf t = KBUF_INIT;
		text_sanitize(&t, l->title, strlen(l->title), 0);
		kbuf_putc(&who, '"');
		text_clip(&who, kbuf_str(&t), 40, 0);
		kbuf_printf(&who, "\" (%s)", l->sku ? l->sku : l->id);
		kbuf_free(&t);
	} else {
		kbuf_printf(&who, "listing %s", l->id);
	}
	int rc = K_OK;
	if (n == 0) {
		rc = kerr_set(e, K_EINVAL, "%s has no variants", kbuf_str(&who));
		goto done;
	}
	if (!key || !*key) {
		rc = kerr_set(e, K_EINVAL, "%s comes in %d variants: name one (%s)", kbuf_str(&who),
		              n, kbuf_str(&names));
		goto done;
	}
	struct kbuf clean = KBUF_INIT;
	text_sanitize(&clean, key, strnlen(key, 4 * MODEL_TITLE_MAX), 0);
	text_clip(&said, kbuf_str(&clean), 40, 0); /* the key as typed, for the message */
	kbuf_free(&clean);
	fold_name(key, &want);
	fold_words(key, &words);
	/* first a SKU or the seller's SKU exactly; then what names one variant whole, folded:
	 * either SKU, all its values in any order; then one value of one option ("L"), when
	 * only one variant has it; then words that only one variant's values all hold ("black
	 * 71" of Black / 71 cm) */
	for (int pass = 0; pass < 4 && !*out; pass++) {
		const cJSON *v, *hit = NULL;
		int hits = 0;
		cJSON_ArrayForEach(v, l->variants)
		{
			int match = 0;
			const char *sku = variant_str(v, "sku"),
			           *ssku = variant_str(v, "sellerSku");
			if (pass == 0) { /* a SKU as it is: "gio-l" and "GIO-L" fold alike */
				match = (sku && strcmp(sku, key) == 0) ||
				        (ssku && strcmp(ssku, key) == 0);
			} else if (pass == 1) {
				variant_words(v, &all_words);
				match = folded_is(sku, kbuf_str(&want), &tmp) ||
				        folded_is(ssku, kbuf_str(&want), &tmp) ||
				        (words.len &&
				         strcmp(kbuf_str(&all_words), kbuf_str(&words)) == 0);
			} else if (pass == 2) {
				for (const cJSON *o = option_after(v, ""); o && !match;
				     o = option_after(v, o->string))
					match = folded_is(o->valuestring, kbuf_str(&want), &tmp);
			} else if (words.len) {
				variant_words(v, &all_words);
				match = words_within(kbuf_str(&words), kbuf_str(&all_words), &tmp);
			}
			if (match) {
				hit = v;
				hits++;
			}
		}
		if (hits == 1) {
			*out = hit;
		} else if (hits > 1) {
			rc = kerr_set(e, K_EINVAL,
			              "%s: '%s' names %d of its variants; name one (%s)",
			              kbuf_str(&who), kbuf_str(&said), hits, kbuf_str(&names));
			goto done;
		}
	}
	if (!*out)
		rc = kerr_set(e, K_ENOTFOUND, "%s has no variant '%s' (%s)", kbuf_str(&who),
		              kbuf_str(&said), kbuf_str(&names));
done:
	kbuf_free(&who);
	kbuf_free(&said);
	kbuf_free(&words);
	kbuf_free(&all_words);
	kbuf_free(&want);
	kbuf_free(&tmp);
	kbuf_free(&names);
	return rc;
}

void listing_variant_lines(const struct listing *l, const char *indent, struct kstrv *out,
                           struct kbuf *names)
{
	struct kstrv opts = {0}, amts = {0}, skus = {0}, seen = {0}, stocks = {0};
	size_t ocols = 0, acols = 0, scols = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, l->variants) /* each variant's columns, and their widths */
	{
		struct kbuf b = KBUF_INIT, t = KBUF_INIT;
		variant_values(v, " / ", 0, &b);
		for (const cJSON *o = option_after(v, ""); o; o = option_after(v, o->string)) {
			size_t k = 0;
			while (k < seen.n && strcmp(seen.v[k], o->string) != 0)
				k++;
			if (k == seen.n)
				kstrv_push(&seen, o->string);
		}
		text_sanitize(&t, kbuf_str(&b), b.len, 0);
		size_t w = text_width(kbuf_str(&t));
		ocols = w > ocols ? w : ocols;
		kstrv_push(&opts, kbuf_str(&t));
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(v, "unitPrice");
		char amt[MONEY_FMT_MAX];
		money_text(cJSON_IsNumber(p) ? (int64_t)p->valuedouble
		                             : (l->ntiers ? l->tiers[0].unit_price : 0),
		           l->currency, amt);
		w = text_width(amt);
		acols = w > acols ? w : acols;
		kstrv_push(&amts, amt);
		char st[MONEY_FMT_MAX + 8] = "", q[MONEY_FMT_MAX];
		if (listing_variant_stock(v) >= 0)
			snprintf(st, sizeof st, "stock %s",
			         count_text(listing_variant_stock(v), q));
		else if (listing_variants_stock(l) >= 0) /* beside ones that count: say it */
			snprintf(st, sizeof st, "no count");
		scols = strlen(st) > scols ? strlen(st) : scols;
		kstrv_push(&stocks, st);
		const char *vs = variant_str(v, "sellerSku");
		if (!vs)
			vs = variant_str(v, "sku");
		kbuf_reset(&t);
		if (vs)
			text_sanitize(&t, vs, strlen(vs), 0);
		kstrv_push(&skus, kbuf_str(&t));
		kbuf_free(&t);
		kbuf_free(&b);
	}
	ocols = ocols < VARIANT_OPTS_MAX ? ocols : VARIANT_OPTS_MAX;
	for (size_t i = 0; i < opts.n; i++) {
		struct kbuf line = KBUF_INIT;
		kbuf_puts(&line, indent);
		text_clip(&line, opts.v[i], ocols, 1);
		kbuf_printf(&line, "  %s %*s%s  ", l->currency,
		            (int)(acols - text_width(amts.v[i])), "", amts.v[i]);
		if (scols) /* "stock 25" where the variants keep their own, "no count" where one
		            * among them does not */
			kbuf_printf(&line, "%-*s  ", (int)scols, stocks.v[i]);
		kbuf_puts(&line, skus.v[i]);
		kstrv_push(out, kbuf_str(&line));
		kbuf_free(&line);
	}
	for (size_t a = 1; a < seen.n; a++) /* the names too in the signed form's order */
		for (size_t b = a; b > 0 && strcmp(seen.v[b - 1], seen.v[b]) > 0; b--) {
			char *t = seen.v[b];
			seen.v[b] = seen.v[b - 1];
			seen.v[b - 1] = t;
		}
	if (names) {
		kbuf_reset(names);
		if (!(seen.n == 1 && strcmp(seen.v[0], "Variation") == 0))
			for (size_t k = 0; k < seen.n; k++) {
				if (k)
					kbuf_puts(names, " / ");
				text_sanitize(names, seen.v[k], strlen(seen.v[k]), 0);
			}
	}
	kstrv_free(&opts);
	kstrv_free(&amts);
	kstrv_free(&skus);
	kstrv_free(&stocks);
	kstrv_free(&seen);
}

/* ---------------------------------------------------------------- Account */

void account_init(struct account *a)
{
	memset(a, 0, sizeof *a);
	copy_fixed(a->role, sizeof a->role, "buyer");
}

void account_free(struct account *a)
{
	free(a->handle);
	free(a->display_name);
	free(a->legal_name);
	kstrv_free(&a->languages);
	free(a->about);
	free(a->box_key);
	cJSON_Delete(a->attestation);
	cJSON_Delete(a->factory);
	cJSON_Delete(a->address);
	cJSON_Delete(a->tax_ids);
	memset(a, 0, sizeof *a);
}

cJSON *account_to_json(const struct account *a)
{
	cJSON *o = cJSON_CreateObject();
	add_fixed(o, "id", a->id, sizeof a->id);
	json_add_opt(o, "handle", a->handle);
	if (a->display_name)
		cJSON_AddStringToObject(o, "displayName", a->display_name);
	json_add_opt(o, "legalName", a->legal_name);
	add_fixed(o, "country", a->country, sizeof a->country);
	add_strv(o, "languages", &a->languages);
	add_fixed(o, "role", a->role, sizeof a->role);
	json_add_opt(o, "about", a->about);
	json_add_opt(o, "boxKey", a->box_key);
	if (a->attestation)
		cJSON_AddItemToObject(o, "attestation", cJSON_Duplicate(a->attestation, 1));
	if (a->rating.count > 0 || a->rating.sum != 0) {
		cJSON *r = cJSON_AddObjectToObject(o, "rating");
		json_add_int(r, "sum", a->rating.sum);
		json_add_int(r, "count", a->rating.count);
	}
	if (a->created[0])
		add_fixed(o, "created", a->created, sizeof a->created);
	if (a->factory)
		cJSON_AddItemToObject(o, "factory", cJSON_Duplicate(a->factory, 1));
	if (a->address)
		cJSON_AddItemToObject(o, "address", cJSON_Duplicate(a->address, 1));
	if (a->tax_ids && cJSON_GetArraySize(a->tax_ids) > 0)
		cJSON_AddItemToObject(o, "taxIds", cJSON_Duplicate(a->tax_ids, 1));
	return o;
}

int account_from_json(const cJSON *j, struct account *out, struct kerr *e)
{
	account_init(out);
	int rc = check_object(&account_type, j, "", e);
	if (rc)
		return rc;
	copy_fixed(out->id, sizeof out->id, str_of(j, "id"));
	out->handle = dup_opt(str_of(j, "handle"));
	out->display_name = xstrdup(str_of(j, "displayName"));
	out->legal_name = dup_opt(str_of(j, "legalName"));
	copy_fixed(out->country, sizeof out->country, str_of(j, "country"));
	strv_from(&out->languages, item(j, "languages"));
	if (str_of(j, "role"))
		copy_fixed(out->role, sizeof out->role, str_of(j, "role"));
	out->about = dup_opt(str_of(j, "about"));
	out->box_key = dup_opt(str_of(j, "boxKey"));
	const cJSON *att = item(j, "attestation");
	if (cJSON_IsObject(att)) {
		/* Only checked strings remain; "" optionals dropped as for the rest. */
		out->attestation = cJSON_CreateObject();
		for (const cJSON *c = att->child; c; c = c->next) {
			if (cJSON_IsString(c) && c->valuestring && *c->valuestring)
				cJSON_AddStringToObject(out->attestation, c->string,
				                        c->valuestring);
		}
	}
	const cJSON *r = item(j, "rating");
	if (cJSON_IsObject(r)) {
		out->rating.sum = int_of(r, "sum", 0);
		out->rating.count = int_of(r, "count", 0);
		if (out->rating.count > 0)
			out->rating.average = (double)out->rating.sum / (double)out->rating.count;
	}
	copy_fixed(out->created, sizeof out->created, str_of(j, "created"));
	if (cJSON_IsObject(item(j, "factory")))
		out->factory = cJSON_Duplicate(item(j, "factory"), 1);
	if (cJSON_IsObject(item(j, "address")))
		out->address = cJSON_Duplicate(item(j, "address"), 1);
	if (cJSON_IsArray(item(j, "taxIds")) && cJSON_GetArraySize(item(j, "taxIds")) > 0)
		out->tax_ids = cJSON_Duplicate(item(j, "taxIds"), 1);
	return K_OK;
}

int account_validate(const struct account *a, struct kerr *e)
{
	cJSON *j = account_to_json(a);
	int rc = check_object(&account_type, j, "", e);
	cJSON_Delete(j);
	return rc;
}
