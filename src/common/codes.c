/* codes — lookups for countries and currencies (Debian iso-codes JSON, read once on first
 * use, never at start-up), Incoterms, units and DCSA codes (compiled-in tables). */
#include "kontor/codes.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codes_data.h"
#include "kontor/buf.h"

#define ISO_CODES_DEFAULT_DIR "/usr/share/iso-codes/json"
/* The real files are ~50 KiB; the cap only stops a wrong $KONTOR_ISO_CODES_DIR from
 * swallowing something huge. */
#define ISO_FILE_MAX (16u << 20)

struct iso_entry {
	char code[4];
	int minor;  /* currencies only */
	char *name; /* owned by the table, lives until exit */
};

struct iso_table {
	const char *file; /* "iso_3166-1.json" */
	const char *list; /* key of the array inside it: "3166-1" */
	const char *key;  /* code member: "alpha_2" */
	size_t codelen;
	struct iso_entry *v;
	size_t n;
	struct kerr err; /* code K_OK when loaded */
};

static struct iso_table countries = {"iso_3166-1.json", "3166-1", "alpha_2", 2, NULL, 0, {0, ""}};
static struct iso_table currencies = {"iso_4217.json", "4217", "alpha_3", 3, NULL, 0, {0, ""}};
/* pthread_once because the node looks codes up from several request threads at once. */
static pthread_once_t iso_once = PTHREAD_ONCE_INIT;

static const struct unit units[] = {
    {"C62", "piece", "pieces", "pcs", "pc|pce|unit|units|ea|each"},
    {"SET", "set", "sets", "sets", ""},
    {"PR", "pair", "pairs", "pairs", ""},
    {"DZN", "dozen", "dozen", "doz", "dozens"},
    {"KGM", "kilogram", "kilograms", "kg", "kgs|kilo|kilos"},
    {"GRM", "gram", "grams", "g", "gr"},
    {"TNE", "tonne", "tonnes", "t", "ton|tons|mt"},
    {"MTR", "metre", "metres", "m", "meter|meters"},
    {"MTK", "square metre", "square metres", "m²", "m2|sqm|square meter|square meters"},
    {"MTQ", "cubic metre", "cubic metres", "m³", "m3|cbm|cubic meter|cubic meters"},
    {"LTR", "litre", "litres", "l", "liter|liters|lt"},
    {"BX", "box", "boxes", "boxes", ""},
    {"CT", "carton", "cartons", "ctns", "ctn"},
};
#define NUNITS ((int)(sizeof units / sizeof units[0]))

static int cmp_minor(const void *k, const void *el)
{
	return strcmp(k, ((const struct codes_minor *)el)->code);
}

static int table_minor(const char *alpha3)
{
	const struct codes_minor *m =
	    bsearch(alpha3, codes_minor_table, (size_t)codes_minor_count, sizeof *m, cmp_minor);
	return m ? m->minor : -1;
}

static int cmp_iso_sort(const void *a, const void *b)
{
	return strcmp(((const struct iso_entry *)a)->code, ((const struct iso_entry *)b)->code);
}

static int cmp_iso_find(const void *k, const void *el)
{
	return strcmp(k, ((const struct iso_entry *)el)->code);
}

static int is_upper_code(const char *s, size_t len)
{
	if (strlen(s) != len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return 0;
	return 1;
}

static int iso_table_load(struct iso_table *t, const char *dir)
{
	char path[4096];
	struct kbuf b = KBUF_INIT;
	struct kerr e;
	int n = snprintf(path, sizeof path, "%s/%s", dir, t->file);
	if (n < 0 || (size_t)n >= sizeof path)
		return kerr_set(&t->err, K_EIO, "iso-codes directory name too long: %.64s...", dir);
	if (kbuf_read_file(path, ISO_FILE_MAX, &b, &e) != K_OK) {
		kbuf_free(&b);
		/* e.msg already starts with the path. */
		return kerr_set(&t->err, K_EIO,
		                "%s (install Debian's iso-codes package or set "
		                "KONTOR_ISO_CODES_DIR)",
		                e.msg);
	}
	cJSON *root = cJSON_ParseWithLength(b.data, b.len);
	kbuf_free(&b);
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, t->list);
	if (!cJSON_IsArray(arr)) {
		cJSON_Delete(root);
		return kerr_set(&t->err, K_EIO, "%s: not iso-codes JSON (no \"%s\" list)", path,
		                t->list);
	}
	t->v = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *t->v);
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
	{
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(it, t->key);
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
		/* Entries we cannot use are skipped rather than failing the whole list. */
		if (!cJSON_IsString(code) || !cJSON_IsString(name) ||
		    !is_upper_code(code->valuestring, t->codelen))
			continue;
		struct iso_entry *en = &t->v[t->n];
		memcpy(en->code, code->valuestring, t->codelen + 1);
		en->minor = -1;
		if (t == &currencies) {
			/* Money needs a minor unit: XAU, XDR and withdrawn codes have none. */
			en->minor = table_minor(en->code);
			if (en->minor < 0)
				continue;
		}
		en->name = xstrdup(name->valuestring);
		t->n++;
	}
	cJSON_Delete(root);
	qsort(t->v, t->n, sizeof *t->v, cmp_iso_sort);
	kerr_clear(&t->err);
	return K_OK;
}

static void iso_load_once(void)
{
	const char *dir = getenv("KONTOR_ISO_CODES_DIR");
	if (!dir || !*dir)
		dir = ISO_CODES_DEFAULT_DIR;
	iso_table_load(&countries, dir);
	iso_table_load(&currencies, dir);
}

static const struct iso_table *iso_get(struct iso_table *t)
{
	pthread_once(&iso_once, iso_load_once);
	return t;
}

int codes_load(struct kerr *e)
{
	const struct iso_table *c = iso_get(&countries), *m = iso_get(&currencies);
	if (c->err.code != K_OK)
		return kerr_set(e, c->err.code, "%s", c->err.msg);
	if (m->err.code != K_OK)
		return kerr_set(e, m->err.code, "%s", m->err.msg);
	return K_OK;
}

static const struct iso_entry *iso_find(struct iso_table *t, const char *code)
{
	const struct iso_table *l = iso_get(t);
	if (!code || l->err.code != K_OK)
		return NULL;
	return bsearch(code, l->v, l->n, sizeof *l->v, cmp_iso_find);
}

/* A code as it may be quoted in a message: user input, so short and printable only. */
static void shown(const char *s, char out[24])
{
	size_t i = 0;
	for (; s[i] && i < 16; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (s[i])
		memcpy(out + i, "...", 3), i += 3;
	out[i] = '\0';
}

/* Upper-cases s into out when that could be a code, so "de" can point at "DE". */
static int upper_copy(const char *s, char out[8])
{
	size_t i = 0;
	for (; s[i]; i++) {
		if (i >= 7)
			return 0;
		out[i] = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];
	}
	out[i] = '\0';
	return strcmp(out, s) != 0;
}

/* The one check of a code against its list: K_OK when known(code), else one shape for
 * every "unknown X" message; known of the upper-cased code turns the usual hint into "codes
 * are upper case: DE". */
static int check_known(struct kerr *e, const char *field, const char *what, const char *code,
                       const char *standard, int (*known)(const char *))
{
	char sh[24], up[8];
	if (known(code))
		return K_OK;
	if (!code || !*code)
		return kerr_set(e, K_EINVAL, "%s: missing %s (%s)", field, what, standard);
	shown(code, sh);
	if (upper_copy(code, up) && known(up))
		return kerr_set(e, K_EINVAL, "%s: unknown %s '%s' (codes are upper case: %s)",
		                field, what, sh, up);
	return kerr_set(e, K_EINVAL, "%s: unknown %s '%s' (%s)", field, what, sh, standard);
}

static int iso_check(struct iso_table *t, const char *code, const char *field, const char *what,
                     const char *standard, int (*known)(const char *), struct kerr *e)
{
	const struct iso_table *l = iso_get(t);
	if (l->err.code != K_OK) {
		char sh[24];
		shown(code ? code : "", sh);
		return kerr_set(e, l->err.code, "%s: cannot check %s '%s': %s", field, what, sh,
		                l->err.msg);
	}
	return check_known(e, field, what, code, standard, known);
}

const char *codes_country_name(const char *alpha2)
{
	const struct iso_entry *en = iso_find(&countries, alpha2);
	return en ? en->name : NULL;
}

static int country_known(const char *code)
{
	return codes_country_name(code) != NULL;
}

int codes_check_country(const char *alpha2, const char *field, struct kerr *e)
{
	return iso_check(&countries, alpha2, field ? field : "country", "country",
	                 "ISO 3166-1 alpha-2, e.g. DE", country_known, e);
}

const char *codes_currency_name(const char *alpha3)
{
	const struct iso_entry *en = iso_find(&currencies, alpha3);
	return en ? en->name : NULL;
}

int codes_currency_minor(const char *alpha3)
{
	const struct iso_entry *en = iso_find(&currencies, alpha3);
	return en ? en->minor : -1;
}

static int currency_known(const char *code)
{
	return codes_currency_name(code) != NULL;
}

int codes_check_currency(const char *alpha3, const char *field, struct kerr *e)
{
	return iso_check(&currencies, alpha3, field ? field : "currency", "currency",
	                 "ISO 4217, e.g. EUR", currency_known, e);
}

/* The one lookup of the compiled-in lists (Incoterms, units, packages): the entry of table
 * (n entries of size bytes, each struct beginning with its `const char *code`) whose code
 * is code; NULL when none is or code is NULL. The lists are short (eleven rules, a dozen
 * units): a scan beats sorting them out of their natural order. */
static const void *by_code(const void *table, int n, size_t size, const char *code)
{
	for (int i = 0; code && i < n; i++) {
		const void *el = (const char *)table + (size_t)i * size;
		if (strcmp(*(const char *const *)el, code) == 0)
			return el;
	}
	return NULL;
}

const struct incoterm *codes_incoterm(const char *code)
{
	return by_code(codes_incoterm_table, codes_incoterm_count, sizeof *codes_incoterm_table,
	               code);
}

const struct incoterm *codes_incoterms(int *n)
{
	if (n)
		*n = codes_incoterm_count;
	return codes_incoterm_table;
}

int codes_incoterm_at_destination(const char *code)
{
	return codes_incoterm(code) && (code[0] == 'C' || code[0] == 'D');
}

static int incoterm_known(const char *code)
{
	return codes_incoterm(code) != NULL;
}

int codes_check_incoterm(const char *code, const char *field, struct kerr *e)
{
	return check_known(e, field ? field : "incoterms", "Incoterms rule", code,
	                   "Incoterms 2020: EXW FCA FAS FOB CFR CIF CPT CIP DAP DPU DDP",
	                   incoterm_known);
}

const struct unit *codes_unit(const char *code)
{
	return by_code(units, NUNITS, sizeof *units, code);
}

/* 1 when word is one of list's '|'-separated words, in any case. */
static int word_in(const char *word, const char *list)
{
	size_t n = strlen(word);
	for (const char *p = list; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncasecmp(p, word, n) == 0)
			return 1;
		p += len + (bar != NULL);
	}
	return 0;
}

const struct unit *codes_unit_word(const char *word)
{
	for (int i = 0; word && *word && i < NUNITS; i++) {
		const struct unit *u = &units[i];
		if (strcasecmp(word, u->code) == 0 || strcasecmp(word, u->name) == 0 ||
		    strcasecmp(word, u->plural) == 0 || strcasecmp(word, u->abbr) == 0 ||
		    word_in(word, u->also))
			return u;
	}
	return NULL;
}

int codes_unit_parse(const char *word, char *out, const char *field, struct kerr *e)
{
	const struct unit *u = codes_unit_word(word);
	if (!u)
		return kerr_set(e, K_EINVAL,
		                "%s: '%.40s' is not a unit kontor knows (piece, set, pair, dozen, "
		                "kg, g, tonne, metre, m2, m3, litre, box, carton, or their UN/ECE "
		                "Rec 20 codes: C62 SET PR DZN KGM GRM TNE MTR MTK MTQ LTR BX CT)",
		                field, word ? word : "");
	memcpy(out, u->code, strlen(u->code) + 1);
	return K_OK;
}

const char *codes_unit_count(const char *code, int64_t n)
{
	if (!code || !*code) /* unsaid: a piece, as model.h defaults a unit */
		code = "C62";
	const struct unit *u = codes_unit(code);
	return !u ? code : n == 1 ? u->name : u->plural;
}

const char *codes_unit_abbr(const char *code)
{
	if (!code || !*code)
		code = "C62";
	const struct unit *u = codes_unit(code);
	return u ? u->abbr : code;
}

const struct unit *codes_units(int *n)
{
	if (n)
		*n = NUNITS;
	return units;
}

static int unit_known(const char *code)
{
	return codes_unit(code) != NULL;
}

int codes_check_unit(const char *code, const char *field, struct kerr *e)
{
	return check_known(e, field ? field : "unit", "unit", code,
	                   "UN/ECE Rec 20, e.g. C62 piece, KGM kilogram, MTR metre", unit_known);
}

int codes_hs_code(const char *s, char *out)
{
	char d[CODES_HS_MAX + 1];
	size_t n = 0;
	int sep = 1; /* at the start, as after a separator: none may lead */
	for (const char *p = s; p && *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n == CODES_HS_MAX)
				return 0;
			d[n++] = *p;
			sep = 0;
		} else if ((*p == '.' || *p == ' ' || *p == '-') && !sep) {
			sep = 1;
		} else {
			return 0;
		}
	}
	if (n < 6 || sep)
		return 0;
	d[n] = 0;
	memcpy(out, d, n + 1);
	return 1;
}

int codes_hs_ok(const char *s)
{
	char d[CODES_HS_MAX + 1];
	return codes_hs_code(s, d) && strcmp(d, s) == 0;
}
/* UN/ECE Recommendation 21, "Codes for Types of Cargo, Packages and Packaging Materials"
 * (Revision 8.1, Annex VI, the alphanumeric package codes): the ones small shipments use.
 * Source: https://unece.org/trade/uncefact/cl-recommendations (rec21_Rev8e_2012). */
static const struct package_code packages[] = {
    {"BA", "barrel", "barrels"},
    {"BE", "bundle", "bundles"},
    {"BG", "bag", "bags"},
    {"BO", "bottle", "bottles"},
    {"BX", "box", "boxes"},
    {"CH", "chest", "chests"},
    {"CN", "container", "containers"},
    {"CR", "crate", "crates"},
    {"CS", "case", "cases"},
    {"CT", "carton", "cartons"},
    {"CY", "cylinder", "cylinders"},
    {"DR", "drum", "drums"},
    {"EN", "envelope", "envelopes"},
    {"JR", "jar", "jars"},
    {"NE", "unpacked", "unpacked"},
    {"PA", "packet", "packets"},
    {"PK", "package", "packages"},
    {"PL", "pail", "pails"},
    {"PX", "pallet", "pallets"},
    {"RO", "roll", "rolls"},
    {"SA", "sack", "sacks"},
    {"TN", "tin", "tins"},
    {"TU", "tube", "tubes"},
};
#define NPACKAGES ((int)(sizeof packages / sizeof packages[0]))

const struct package_code *codes_package(const char *code)
{
	return by_code(packages, NPACKAGES, sizeof *packages, code);
}

const struct package_code *codes_packages(int *n)
{
	if (n)
		*n = NPACKAGES;
	return packages;
}

static int package_known(const char *code)
{
	return codes_package(code) != NULL;
}

int codes_check_package(const char *code, const char *field, struct kerr *e)
{
	return check_known(e, field ? field : "package", "package code", code,
	                   "UN/ECE Rec 21, e.g. CT carton, BX box, PX pallet, CS case, BG bag",
	                   package_known);
}

/* The charge rules of Incoterms 2020, one line per rule: who pays the main carriage (A4/B4
 * and A9/B9), cargo insurance (A5/B5) and packing (A8: always the seller). The C rules put
 * the main carriage on the seller, CIF and CIP the insurance too; the D rules the carriage,
 * with insurance the seller's own choice (it bears the risk to the place). */
static const struct {
	const char *rule;
	signed char freight, insurance, packing;
} charge_rules[] = {
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

const char *const codes_charge_kinds[] = {"freight", "insurance", "packing", NULL};

int codes_charge_rule(const char *incoterm, const char *kind)
{
	for (size_t i = 0; incoterm && kind && i < sizeof charge_rules / sizeof *charge_rules;
	     i++) {
		if (strcmp(charge_rules[i].rule, incoterm) != 0)
			continue;
		if (strcmp(kind, "freight") == 0)
			return charge_rules[i].freight;
		if (strcmp(kind, "insurance") == 0)
			return charge_rules[i].insurance;
		if (strcmp(kind, "packing") == 0)
			return charge_rules[i].packing;
		return -1;
	}
	return -1;
}

const char *codes_charge_why(const char *incoterm, const char *kind, char *out, size_t cap)
{
	int r = codes_charge_rule(incoterm, kind);
	const char *what = kind && strcmp(kind, "freight") == 0     ? "the main carriage"
	                   : kind && strcmp(kind, "insurance") == 0 ? "the cargo insurance"
	                                                            : "the packing";
	if (r < 0)
		snprintf(out, cap, "%s is not a charge kind (freight, insurance, packing)",
		         kind ? kind : "?");
	else if (r == CHARGE_BUYER)
		snprintf(out, cap, "under %s the buyer pays %s", incoterm, what);
	else if (r == CHARGE_INVOICE)
		snprintf(out, cap, "under %s the seller pays %s and the invoice itemises it",
		         incoterm, what);
	else
		snprintf(out, cap, "under %s %s is the seller's cost, itemised when billed",
		         incoterm, what);
	return out;
}

static int cmp_dcsa(const void *k, const void *el)
{
	return strcmp(k, ((const struct dcsa_code *)el)->code);
}

const struct dcsa_code *codes_dcsa_event(const char *code)
{
	if (!code)
		return NULL;
	return bsearch(code, codes_dcsa_table, (size_t)codes_dcsa_count, sizeof *codes_dcsa_table,
	               cmp_dcsa);
}

const struct dcsa_code *codes_dcsa_events(int *n)
{
	if (n)
		*n = codes_dcsa_count;
	return codes_dcsa_table;
}

const char *codes_dcsa_classifier(const char *code)
{
	if (!code)
		return NULL;
	for (int i = 0; i < codes_classifier_count; i++)
		if (strcmp(codes_classifier_table[i].code, code) == 0)
			return codes_classifier_table[i].name;
	return NULL;
}
