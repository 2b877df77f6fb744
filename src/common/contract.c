/* contract — offer terms, signed sections, offline verification, rendering and diffs of the
 * contract document (DESIGN §5). Pure functions over cJSON and bytes: see contract.h for
 * the body fields, what is signed and why. */
#include "kontor/contract.h"
#include "kontor/text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/canon.h"
#include "kontor/codes.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "kontor/money.h"

#define SHOWN_LEN 48
#define PATH_LEN 96
#define DOMAIN_LEN 32

/* ---------------------------------------------------------------- small helpers */

/* Outside text in messages: cut short, anything not printable ASCII becomes '?'. */
static const char *shown(const char *s, char out[SHOWN_LEN])
{
	return text_shown(s, out, SHOWN_LEN);
}

static void copy_fixed(char *dst, size_t cap, const char *s)
{
	size_t n = s ? strnlen(s, cap - 1) : 0;
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

static int in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; s && list[i]; i++) {
		if (strcmp(s, list[i]) == 0)
			return 1;
	}
	return 0;
}

/* An offer, or the kind of one of the steps of order.h. */
int contract_kind_valid(const char *kind)
{
	return kind && (strcmp(kind, "offer") == 0 || order_step_parse(kind) >= 0);
}

static int is_hash(const char *s)
{
	return s && strlen(s) == KCRYPTO_HASH_B64_LEN && model_b64url(s, KCRYPTO_HASH_B64_LEN);
}

/* One line (allow_nl 0) or plain text (\n and \t allowed): valid UTF-8, no C0, DEL or C1
 * controls, min..max bytes. */
static int check_str(const char *s, const char *field, size_t min, size_t max, int allow_nl,
                     struct kerr *e)
{
	size_t n = s ? strlen(s) : 0;
	if (n < min)
		return kerr_set(e, K_EINVAL, "%s: %s", field, n ? "too short" : "missing");
	if (n > max)
		return kerr_set(e, K_EINVAL, "%s: longer than %zu bytes", field, max);
	if (!utf8_valid(s, n))
		return kerr_set(e, K_EINVAL, "%s: not valid UTF-8", field);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (allow_nl && (c == '\n' || c == '\t'))
			continue;
		if (c < 0x20 || c == 0x7f ||
		    (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		     (unsigned char)s[i + 1] <= 0x9f))
			return kerr_set(e, K_EINVAL, "%s: control character at byte %zu", field, i);
	}
	size_t at = 0; /* what the terminal sanitiser takes out, as model.c refuses it */
	long cp = 0;
	const char *kind = NULL;
	if (text_hidden_find(s, n, &at, &cp, &kind))
		return kerr_set(e, K_EINVAL, "%s: U+%04lX at byte %zu is %s (not allowed)", field,
		                (unsigned long)cp, at, kind);
	return K_OK;
}

static int check_account(const char *id, const char *field, struct kerr *e)
{
	uint8_t pk[KCRYPTO_PK_BYTES];
	char sh[SHOWN_LEN];
	if (!id || !*id)
		return kerr_set(e, K_EINVAL, "%s: missing", field);
	if (strlen(id) != KCRYPTO_ID_LEN || kcrypto_account_pk(id, pk, NULL) != K_OK)
		return kerr_set(e, K_EINVAL, "%s: '%s' is not an account id", field, shown(id, sh));
	return K_OK;
}

/* RFC 3339 full-date. */
static int check_date(const char *s, const char *field, struct kerr *e)
{
	char sh[SHOWN_LEN];
	if (!s || !*s)
		return kerr_set(e, K_EINVAL, "%s: missing", field);
	if (strlen(s) != CONTRACT_DATE_LEN)
		goto bad;
	for (int i = 0; i < CONTRACT_DATE_LEN; i++) {
		int dash = i == 4 || i == 7;
		if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			goto bad;
	}
	int y = atoi(s), mo = (s[5] - '0') * 10 + (s[6] - '0'),
	    d = (s[8] - '0') * 10 + (s[9] - '0');
	if (mo < 1 || mo > 12)
		return kerr_set(e, K_EINVAL, "%s: no month %02d in '%s'", field, mo, s);
	if (!ktime_date_valid(y, mo, d))
		return kerr_set(e, K_EINVAL, "%s: %04d-%02d has no day %02d", field, y, mo, d);
	return K_OK;
bad:
	return kerr_set(e, K_EINVAL, "%s: must be an RFC 3339 date like 2026-12-15 (got '%s')",
	                field, shown(s, sh));
}

static void put_clean(struct kbuf *b, const char *s, int allow_nl)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c < 0x20 && !(allow_nl && c == '\n')) || c == 0x7f)
			kbuf_putc(b, '?');
		else
			kbuf_putc(b, *s);
	}
}

static const cJSON *item(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

static const char *str_item(const cJSON *o, const char *name)
{
	const cJSON *v = item(o, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---------------------------------------------------------------- JSON getters with paths */

static int unknown_keys(const cJSON *o, const char *path, const char *const *allowed,
                        struct kerr *e)
{
	const cJSON *c;
	char sh[SHOWN_LEN];
	cJSON_ArrayForEach(c, o)
	{
		if (!c->string || !in_list(c->string, allowed))
			return kerr_set(e, K_EINVAL, "%s%s%s: unknown property", path,
			                *path ? "." : "", shown(c->string, sh));
	}
	return K_OK;
}

/* *v: o's member name, or NULL when it is absent or null (K_EINVAL "missing" when req). */
static int get_item(const cJSON *o, const char *path, const char *name, int req, const cJSON **v,
                    struct kerr *e)
{
	*v = item(o, name);
	if (*v && !cJSON_IsNull(*v))
		return K_OK;
	*v = NULL;
	if (req)
		return kerr_set(e, K_EINVAL, "%s%s%s: missing", path, *path ? "." : "", name);
	return K_OK;
}

static int get_str(const cJSON *o, const char *path, const char *name, int req, const char **out,
                   struct kerr *e)
{
	const cJSON *v;
	*out = NULL;
	int rc = get_item(o, path, name, req, &v, e);
	if (rc != K_OK || !v)
		return rc;
	if (!cJSON_IsString(v) || !v->valuestring)
		return kerr_set(e, K_EINVAL, "%s%s%s: must be a string", path, *path ? "." : "",
		                name);
	*out = v->valuestring;
	return K_OK;
}

static int get_int(const cJSON *o, const char *path, const char *name, int req, int64_t *out,
                   struct kerr *e)
{
	const cJSON *v;
	int rc = get_item(o, path, name, req, &v, e);
	if (rc != K_OK || !v)
		return rc;
	if (!json_is_int(v))
		return kerr_set(e, K_EINVAL, "%s%s%s: must be an integer", path, *path ? "." : "",
		                name);
	*out = (int64_t)v->valuedouble;
	return K_OK;
}

/* ---------------------------------------------------------------- terms */

void contract_terms_init(struct contract_terms *t)
{
	memset(t, 0, sizeof *t);
	t->deposit_pct = 100;
	t->auto_release_days = 14;
}

void contract_terms_stamp(struct contract_terms *t)
{
	uint8_t r[16];
	struct kbuf b = KBUF_INIT;
	model_now(t->created);
	kcrypto_random(r, sizeof r);
	kcrypto_b64_encode(r, sizeof r, KB64_URL_NOPAD, &b);
	copy_fixed(t->nonce, sizeof t->nonce, kbuf_str(&b));
	kbuf_free(&b);
}

void contract_terms_order(const struct contract_terms *t, struct order_terms *out)
{
	memset(out, 0, sizeof *out);
	copy_fixed(out->currency, sizeof out->currency, t->currency);
	out->total = t->total;
	if (t->nstages > 0 && t->nstages <= ORDER_MAX_STAGES) {
		memcpy(out->stages, t->stages, t->nstages * sizeof *t->stages);
		out->nstages = t->nstages;
	} else {
		order_stages_deposit(t->deposit_pct, out->stages, &out->nstages);
	}
}

static void item_free(struct contract_item *it)
{
	free(it->description);
	free(it->marks);
	memset(it, 0, sizeof *it);
}

void contract_party_free(struct contract_party *p)
{
	free(p->name);
	for (size_t i = 0; i < p->nlines && i < CONTRACT_ADDR_LINES; i++)
		free(p->lines[i]);
	free(p->city);
	free(p->postcode);
	memset(p, 0, sizeof *p);
}

static const char *jstr_of(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) && v->valuestring && *v->valuestring ? v->valuestring : NULL;
}

void contract_party_from_account(struct contract_party *p, const struct account *a)
{
	contract_party_free(p);
	const char *name = a->legal_name && *a->legal_name ? a->legal_name : a->display_name;
	p->name = name ? xstrdup(name) : NULL;
	const cJSON *ad = a->address, *c;
	if (cJSON_IsObject(ad) && jstr_of(ad, "city") && jstr_of(ad, "country")) {
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(ad, "lines"))
		{
			if (p->nlines < CONTRACT_ADDR_LINES && cJSON_IsString(c) && *c->valuestring)
				p->lines[p->nlines++] = xstrdup(c->valuestring);
		}
		p->city = xstrdup(jstr_of(ad, "city"));
		if (jstr_of(ad, "postcode"))
			p->postcode = xstrdup(jstr_of(ad, "postcode"));
		copy_fixed(p->country, sizeof p->country, jstr_of(ad, "country"));
	}
	cJSON_ArrayForEach(c, a->tax_ids)
	{
		if (p->ntax_ids >= CONTRACT_MAX_TAX_IDS || !jstr_of(c, "scheme") ||
		    !jstr_of(c, "id"))
			continue;
		copy_fixed(p->tax_ids[p->ntax_ids].scheme, sizeof p->tax_ids[0].scheme,
		           jstr_of(c, "scheme"));
		copy_fixed(p->tax_ids[p->ntax_ids].id, sizeof p->tax_ids[0].id, jstr_of(c, "id"));
		p->ntax_ids++;
	}
}

int contract_terms_set_charge(struct contract_terms *t, const char *kind, int64_t amount,
                              struct kerr *e)
{
	char sh[SHOWN_LEN];
	if (!in_list(kind, codes_charge_kinds))
		return kerr_set(e, K_EINVAL, "charge: '%s' is not freight, insurance or packing",
		                shown(kind, sh));
	if (amount < 0 || amount > MONEY_MAX)
		return kerr_set(e, K_ERANGE, "charge %s: amount out of range", kind);
	for (size_t i = 0; i < t->ncharges; i++) {
		if (strcmp(t->charges[i].kind, kind) == 0) {
			t->charges[i].amount = amount;
			return K_OK;
		}
	}
	if (t->ncharges >= CONTRACT_MAX_CHARGES)
		return kerr_set(e, K_ETOOBIG, "charges: at most %d", CONTRACT_MAX_CHARGES);
	copy_fixed(t->charges[t->ncharges].kind, sizeof t->charges[0].kind, kind);
	t->charges[t->ncharges++].amount = amount;
	return K_OK;
}

void contract_terms_free(struct contract_terms *t)
{
	for (size_t i = 0; i < t->nitems; i++)
		item_free(&t->items[i]);
	free(t->items);
	free(t->named_place);
	free(t->quality);
	free(t->inspection);
	free(t->governing_law);
	free(t->dispute_venue);
	contract_party_free(&t->buyer_party);
	contract_party_free(&t->seller_party);
	free(t->port_loading);
	free(t->port_discharge);
	memset(t, 0, sizeof *t);
}

static struct contract_item *push_item(struct contract_terms *t)
{
	t->items = xrealloc(t->items, (t->nitems + 1) * sizeof *t->items);
	struct contract_item *it = &t->items[t->nitems++];
	memset(it, 0, sizeof *it);
	return it;
}

/* Appends s cut to at most max bytes on a character's first byte, ending in "…" when cut. */
static void put_cut(struct kbuf *out, const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n > max) {
		n = max >= 3 ? max - 3 : 0;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	kbuf_append(out, s, n);
	if (n < strlen(s))
		kbuf_puts(out, "…");
}

/* "Title (Size: L)": the description of a variant in one line of CONTRACT_LINE_MAX bytes;
 * the title is cut first, down to 60 bytes, then the options. */
static char *variant_description(const char *title, const cJSON *v)
{
	enum { TITLE_KEPT = 60 };
	struct kbuf label = KBUF_INIT, d = KBUF_INIT;
	listing_variant_label(v, &label);
	size_t room = CONTRACT_LINE_MAX - 3; /* " (" and ")" */
	size_t tn = strlen(title), keep = tn < TITLE_KEPT ? tn : TITLE_KEPT;
	size_t lmax = label.len <= room - keep ? label.len : room - keep;
	put_cut(&d, title, room - lmax);
	kbuf_puts(&d, " (");
	put_cut(&d, kbuf_str(&label), lmax);
	kbuf_puts(&d, ")");
	kbuf_free(&label);
	return kbuf_detach(&d, NULL);
}

int contract_listing_hash(const struct listing *l, char out[KCRYPTO_HASH_B64_LEN + 1],
                          struct kerr *e)
{
	/* the seller-signed listing exactly, signature included */
	struct kbuf c = KBUF_INIT;
	cJSON *lj = listing_to_json(l, 1);
	int rc = canon_write(lj, &c, e);
	cJSON_Delete(lj);
	if (rc == K_OK)
		kcrypto_hash_b64url(c.data, c.len, out);
	kbuf_free(&c);
	return rc;
}

/* Item it is for listing l as a person reads it: the title, with variant var's options
 * and sku when var is not NULL. */
static void item_goods(struct contract_item *it, const struct listing *l, const cJSON *var)
{
	free(it->description);
	it->description = var ? variant_description(l->title ? l->title : "", var)
	                      : xstrdup(l->title ? l->title : "");
	copy_fixed(it->variant_sku, sizeof it->variant_sku,
	           var ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(var, "sku")) : "");
}

int contract_item_set_variant(struct contract_item *it, const struct listing *l,
                              const char *variant, const cJSON **var_out, struct kerr *e)
{
	char hash[KCRYPTO_HASH_B64_LEN + 1];
	const cJSON *var = NULL;
	int rc = contract_listing_hash(l, hash, e);
	if (rc == K_OK &&
	    (strcmp(l->id, it->listing_id) != 0 || strcmp(hash, it->listing_hash) != 0))
		rc = kerr_set(e, K_ECONFLICT, "listing %s is not the version the offer quotes",
		              l->id);
	if (rc == K_OK)
		rc = listing_variant_find(l, variant, &var, e);
	if (rc != K_OK)
		return rc;
	item_goods(it, l, var);
	if (var_out)
		*var_out = var;
	return K_OK;
}

int contract_terms_add_listing(struct contract_terms *t, const struct listing *l, int64_t qty,
                               int64_t unit_price, const char *variant, struct kerr *e)
{
	char sh[SHOWN_LEN];
	const cJSON *var = NULL;
	if (t->nitems >= CONTRACT_MAX_ITEMS)
		return kerr_set(e, K_ETOOBIG, "items: at most %d per offer", CONTRACT_MAX_ITEMS);
	if (!l->sig || !*l->sig)
		return kerr_set(e, K_EINVAL, "listing %s: not signed by its seller",
		                shown(l->id, sh));
	if (qty < 1 || qty > MONEY_MAX)
		return kerr_set(e, K_EINVAL, "qty: %" PRId64 " must be at least 1", qty);
	if (*t->currency && strcmp(t->currency, l->currency) != 0 && unit_price < 0)
		return kerr_set(
		    e, K_EINVAL,
		    "currency: listing %s is priced in %s; an offer in %s names its unit "
		    "price",
		    shown(l->id, sh), l->currency, t->currency);
	if (*t->seller && strcmp(t->seller, l->seller_id) != 0)
		return kerr_set(e, K_EINVAL, "seller: listing %s is from another seller", l->id);
	if (variant || cJSON_GetArraySize(l->variants) > 0) {
		int vrc = listing_variant_find(l, variant, &var, e);
		if (vrc != K_OK)
			return vrc;
	}
	if (unit_price < 0) {
		char title[SHOWN_LEN], sku[SHOWN_LEN]; /* the listing as a person knows it */
		if (qty < l->moq)
			return kerr_set(e, K_EINVAL,
			                "qty: %" PRId64
			                " is below the minimum order quantity %" PRId64
			                " of \"%s\" (%s)",
			                qty, l->moq, shown(l->title, title),
			                shown(l->sku ? l->sku : l->id, sku));
		unit_price = var ? listing_variant_price(l, var, qty) : listing_unit_price(l, qty);
		if (unit_price < 0)
			return kerr_set(e, K_EINVAL,
			                "qty: %" PRId64
			                " is below the first price tier of listing %s",
			                qty, l->id);
	} else if (unit_price > MONEY_MAX) {
		return kerr_set(e, K_ERANGE, "unitPrice: past %" PRId64, MONEY_MAX);
	}

	char hash[KCRYPTO_HASH_B64_LEN + 1];
	int rc = contract_listing_hash(l, hash, e);
	if (rc != K_OK)
		return rc;
	struct contract_item *it = push_item(t);
	memcpy(it->listing_hash, hash, sizeof it->listing_hash);
	copy_fixed(it->listing_id, sizeof it->listing_id, l->id);
	item_goods(it, l, var);
	it->qty = qty;
	copy_fixed(it->unit, sizeof it->unit, l->unit);
	it->unit_price = unit_price;
	copy_fixed(it->hs_code, sizeof it->hs_code, l->hs_code);
	copy_fixed(it->origin, sizeof it->origin, l->origin_country);
	it->net_grams = l->net_grams;
	it->gross_grams = l->gross_grams;
	if (l->package_code[0] && l->units_per_package > 0) {
		/* Whole packages: the last one may be part full. */
		it->packages = qty / l->units_per_package + (qty % l->units_per_package != 0);
		copy_fixed(it->package_code, sizeof it->package_code, l->package_code);
	}
	if (!*t->currency)
		copy_fixed(t->currency, sizeof t->currency, l->currency);
	if (!*t->seller)
		copy_fixed(t->seller, sizeof t->seller, l->seller_id);
	return K_OK;
}

int contract_terms_goods(const struct contract_terms *t, int64_t *goods, int64_t *charges,
                         struct kerr *e)
{
	int64_t total = 0, line, ch = 0;
	for (size_t i = 0; i < t->nitems; i++) {
		int rc = money_mul(t->items[i].unit_price, t->items[i].qty, &line, e);
		if (rc == K_OK)
			rc = money_add(total, line, &total, e);
		if (rc != K_OK) {
			kerr_prefix(e, "total: items[%zu]", i);
			return rc;
		}
	}
	for (size_t i = 0; i < t->ncharges && i < CONTRACT_MAX_CHARGES; i++) {
		int rc = money_add(ch, t->charges[i].amount, &ch, e);
		if (rc != K_OK) {
			kerr_prefix(e, "total: charges[%zu]", i);
			return rc;
		}
	}
	*goods = total;
	*charges = ch;
	return K_OK;
}

static int terms_sum(const struct contract_terms *t, int64_t *sum, struct kerr *e)
{
	int64_t goods, ch;
	int rc = contract_terms_goods(t, &goods, &ch, e);
	if (rc == K_OK && (rc = money_add(goods, ch, sum, e)) != K_OK)
		kerr_prefix(e, "total: the lines and the charges");
	return rc;
}

int contract_terms_total(struct contract_terms *t, struct kerr *e)
{
	return terms_sum(t, &t->total, e);
}

static int item_validate(const struct contract_item *it, size_t i, struct kerr *e)
{
	char f[PATH_LEN], sh[SHOWN_LEN];
	int rc;
	snprintf(f, sizeof f, "items[%zu].listingId", i);
	if (strlen(it->listing_id) != MODEL_LISTING_ID_LEN || it->listing_id[0] != 'L' ||
	    !model_b64url(it->listing_id + 1, MODEL_LISTING_ID_LEN - 1))
		return kerr_set(e, K_EINVAL, "%s: '%s' is not a listing id", f,
		                shown(it->listing_id, sh));
	snprintf(f, sizeof f, "items[%zu].listingHash", i);
	if (!is_hash(it->listing_hash))
		return kerr_set(e, K_EINVAL, "%s: must be a base64url BLAKE2b-256 hash", f);
	snprintf(f, sizeof f, "items[%zu].description", i);
	if ((rc = check_str(it->description, f, 1, CONTRACT_LINE_MAX, 0, e)) != K_OK)
		return rc;
	if (it->qty < 1 || it->qty > MONEY_MAX)
		return kerr_set(e, K_EINVAL, "items[%zu].qty: %" PRId64 " must be 1 to %" PRId64, i,
		                it->qty, MONEY_MAX);
	snprintf(f, sizeof f, "items[%zu].unit", i);
	if ((rc = codes_check_unit(it->unit, f, e)) != K_OK)
		return rc;
	if (it->unit_price < 0 || it->unit_price > MONEY_MAX)
		return kerr_set(e, K_EINVAL,
		                "items[%zu].unitPrice: %" PRId64 " must be 0 to %" PRId64, i,
		                it->unit_price, MONEY_MAX);
	if (*it->hs_code && !codes_hs_ok(it->hs_code))
		return kerr_set(e, K_EINVAL, "items[%zu].hsCode: must be 6 to 10 digits", i);
	if (*it->origin) {
		snprintf(f, sizeof f, "items[%zu].origin", i);
		if ((rc = codes_check_country(it->origin, f, e)) != K_OK)
			return rc;
	}
	if (it->net_grams < 0 || it->net_grams > CONTRACT_GRAMS_MAX || it->gross_grams < 0 ||
	    it->gross_grams > CONTRACT_GRAMS_MAX)
		return kerr_set(e, K_EINVAL, "items[%zu]: a unit's weight must be 1 g to %d t", i,
		                CONTRACT_GRAMS_MAX / 1000000);
	if (it->gross_grams && it->gross_grams < it->net_grams)
		return kerr_set(
		    e, K_EINVAL,
		    "items[%zu].grossGrams: a unit packed cannot weigh less than its net "
		    "weight",
		    i);
	if (it->packages < 0 || it->packages > MONEY_MAX ||
	    (it->packages > 0) != (it->package_code[0] != '\0'))
		return kerr_set(e, K_EINVAL,
		                "items[%zu].packages: a count of at least 1 and a code", i);
	if (it->packages) {
		snprintf(f, sizeof f, "items[%zu].packages.code", i);
		if ((rc = codes_check_package(it->package_code, f, e)) != K_OK)
			return rc;
	}
	for (const char *c = it->variant_sku; *c; c++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./",
		            *c))
			return kerr_set(e, K_EINVAL, "items[%zu].variantSku: '%s' is not a SKU", i,
			                shown(it->variant_sku, sh));
	if (it->marks) {
		snprintf(f, sizeof f, "items[%zu].marks", i);
		if ((rc = check_str(it->marks, f, 1, CONTRACT_MARKS_MAX, 1, e)) != K_OK)
			return rc;
	}
	return K_OK;
}

/* A party's details as an offer carries them (nothing: fine, documents before them). */
static int party_validate(const struct contract_party *p, const char *who, struct kerr *e)
{
	char f[PATH_LEN];
	int rc;
	if (!p->name && !p->nlines && !p->ntax_ids)
		return K_OK;
	snprintf(f, sizeof f, "%sParty.name", who);
	if ((rc = check_str(p->name, f, 1, CONTRACT_LINE_MAX, 0, e)) != K_OK)
		return rc;
	if (p->nlines > CONTRACT_ADDR_LINES)
		return kerr_set(e, K_EINVAL, "%sParty.address.lines: at most %d", who,
		                CONTRACT_ADDR_LINES);
	for (size_t i = 0; i < p->nlines; i++) {
		snprintf(f, sizeof f, "%sParty.address.lines[%zu]", who, i);
		if ((rc = check_str(p->lines[i], f, 1, 100, 0, e)) != K_OK)
			return rc;
	}
	if (p->nlines || p->city || p->country[0]) {
		snprintf(f, sizeof f, "%sParty.address.city", who);
		if (!p->nlines)
			return kerr_set(e, K_EINVAL, "%sParty.address.lines: at least one line",
			                who);
		if ((rc = check_str(p->city, f, 1, 100, 0, e)) != K_OK)
			return rc;
		snprintf(f, sizeof f, "%sParty.address.postcode", who);
		if (p->postcode && (rc = check_str(p->postcode, f, 1, 20, 0, e)) != K_OK)
			return rc;
		snprintf(f, sizeof f, "%sParty.address.country", who);
		if ((rc = codes_check_country(p->country, f, e)) != K_OK)
			return rc;
	}
	for (size_t i = 0; i < p->ntax_ids && i < CONTRACT_MAX_TAX_IDS; i++) {
		const struct contract_tax_id *x = &p->tax_ids[i];
		size_t n = strlen(x->scheme);
		int ok = n >= 2 && n <= 16;
		for (size_t k = 0; ok && k < n; k++)
			ok = (x->scheme[k] >= 'A' && x->scheme[k] <= 'Z') ||
			     (x->scheme[k] >= '0' && x->scheme[k] <= '9') || x->scheme[k] == '-';
		if (!ok)
			return kerr_set(
			    e, K_EINVAL,
			    "%sParty.taxIds[%zu].scheme: 2 to 16 upper-case letters and "
			    "digits, like VAT or EORI",
			    who, i);
		snprintf(f, sizeof f, "%sParty.taxIds[%zu].id", who, i);
		if ((rc = check_str(x->id, f, 1, 40, 0, e)) != K_OK)
			return rc;
	}
	return K_OK;
}

/* The charges: known kinds, each once, and only what the Incoterm makes the seller's. */
static int charges_validate(const struct contract_terms *t, struct kerr *e)
{
	char why[160];
	if (t->ncharges > CONTRACT_MAX_CHARGES)
		return kerr_set(e, K_EINVAL, "charges: at most %d", CONTRACT_MAX_CHARGES);
	for (size_t i = 0; i < t->ncharges; i++) {
		const struct contract_charge *c = &t->charges[i];
		char sh[SHOWN_LEN];
		if (!in_list(c->kind, codes_charge_kinds))
			return kerr_set(
			    e, K_EINVAL,
			    "charges[%zu].kind: '%s' is not freight, insurance or packing", i,
			    shown(c->kind, sh));
		for (size_t k = 0; k < i; k++)
			if (strcmp(t->charges[k].kind, c->kind) == 0)
				return kerr_set(e, K_EINVAL, "charges[%zu]: %s twice", i, c->kind);
		if (c->amount < 0 || c->amount > MONEY_MAX)
			return kerr_set(e, K_EINVAL, "charges[%zu].amount: must be 0 to %" PRId64,
			                i, MONEY_MAX);
		if (codes_charge_rule(t->incoterm, c->kind) == CHARGE_BUYER)
			return kerr_set(
			    e, K_EINVAL, "charges[%zu]: %s, so %s is not on the seller's invoice",
			    i, codes_charge_why(t->incoterm, c->kind, why, sizeof why), c->kind);
	}
	return K_OK;
}

static int port_validate(const char *s, const char *field, struct kerr *e)
{
	return s ? check_str(s, field, 1, CONTRACT_PORT_MAX, 0, e) : K_OK;
}

int contract_terms_validate(const struct contract_terms *t, struct kerr *e)
{
	int rc;
	char sh[SHOWN_LEN];
	if ((rc = check_account(t->buyer, "buyer", e)) != K_OK ||
	    (rc = check_account(t->seller, "seller", e)) != K_OK ||
	    (rc = check_account(t->escrow_agent, "escrowAgent", e)) != K_OK)
		return rc;
	if (strcmp(t->buyer, t->seller) == 0)
		return kerr_set(e, K_EINVAL, "seller: must not be the same account as buyer");
	if (strcmp(t->escrow_agent, t->buyer) == 0 || strcmp(t->escrow_agent, t->seller) == 0)
		return kerr_set(e, K_EINVAL,
		                "escrowAgent: must be the node's key, not the buyer or the seller");
	if (t->nitems < 1)
		return kerr_set(e, K_EINVAL, "items: at least one item");
	if (t->nitems > CONTRACT_MAX_ITEMS)
		return kerr_set(e, K_EINVAL, "items: at most %d", CONTRACT_MAX_ITEMS);
	for (size_t i = 0; i < t->nitems; i++) {
		if ((rc = item_validate(&t->items[i], i, e)) != K_OK)
			return rc;
	}
	if ((rc = codes_check_currency(t->currency, "currency", e)) != K_OK)
		return rc;
	int64_t sum;
	if ((rc = terms_sum(t, &sum, e)) != K_OK)
		return rc;
	if (sum != t->total)
		return kerr_set(e, K_EINVAL,
		                "total: %" PRId64 " is not the sum of qty x unitPrice%s (%" PRId64
		                ")",
		                t->total, t->ncharges ? " and the charges" : "", sum);
	if ((rc = codes_check_incoterm(t->incoterm, "incoterm", e)) != K_OK)
		return rc;
	if ((rc = charges_validate(t, e)) != K_OK ||
	    (rc = party_validate(&t->buyer_party, "buyer", e)) != K_OK ||
	    (rc = party_validate(&t->seller_party, "seller", e)) != K_OK ||
	    (rc = port_validate(t->port_loading, "portOfLoading", e)) != K_OK ||
	    (rc = port_validate(t->port_discharge, "portOfDischarge", e)) != K_OK)
		return rc;
	if ((rc = check_str(t->named_place, "namedPlace", 1, CONTRACT_LINE_MAX, 0, e)) != K_OK)
		return rc;
	if (!order_mode_valid(t->mode))
		return kerr_set(e, K_EINVAL,
		                "shipmentMode: '%s' must be one of sea, air, road, rail, courier",
		                shown(t->mode, sh));
	const struct incoterm *ic = codes_incoterm(t->incoterm);
	if (ic && ic->sea_only && (strcmp(t->mode, "air") == 0 || strcmp(t->mode, "courier") == 0))
		return kerr_set(e, K_EINVAL,
		                "incoterm: %s (%s) is for sea and inland waterway transport only, "
		                "not %s; use FCA, CPT, CIP, DAP, DPU, DDP or EXW",
		                ic->code, ic->name, t->mode);
	if ((rc = check_date(t->ship_by, "shipBy", e)) != K_OK ||
	    (rc = check_date(t->deliver_by, "deliverBy", e)) != K_OK)
		return rc;
	if (strcmp(t->ship_by, t->deliver_by) > 0)
		return kerr_set(e, K_EINVAL, "deliverBy: %s is before shipBy %s", t->deliver_by,
		                t->ship_by);
	if (t->nstages == 0 && (t->deposit_pct < 0 || t->deposit_pct > 100))
		return kerr_set(e, K_EINVAL, "payment.depositPct: %" PRId64 " must be 0 to 100",
		                t->deposit_pct);
	if (t->nstages > 0 && (rc = order_stages_check(t->stages, t->nstages, e)) != K_OK)
		return rc;
	if (t->auto_release_days < 1 || t->auto_release_days > 90)
		return kerr_set(e, K_EINVAL, "payment.autoReleaseDays: %" PRId64 " must be 1 to 90",
		                t->auto_release_days);
	if ((t->quality && (rc = check_str(t->quality, "quality", 0, CONTRACT_TEXT_MAX, 1, e))) ||
	    (t->inspection &&
	     (rc = check_str(t->inspection, "inspection", 0, CONTRACT_TEXT_MAX, 1, e))))
		return rc;
	if ((rc = check_str(t->governing_law, "governingLaw", 1, CONTRACT_LINE_MAX, 0, e)) ||
	    (rc = check_str(t->dispute_venue, "disputeVenue", 1, CONTRACT_LINE_MAX, 0, e)))
		return rc;
	if (strlen(t->language) != 2 || t->language[0] < 'a' || t->language[0] > 'z' ||
	    t->language[1] < 'a' || t->language[1] > 'z')
		return kerr_set(e, K_EINVAL, "language: '%s' must be ISO 639-1 like en",
		                shown(t->language, sh));
	if (*t->supersedes && !is_hash(t->supersedes))
		return kerr_set(e, K_EINVAL, "supersedes: must be the hash of an offer section");
	if (*t->prev && !is_hash(t->prev))
		return kerr_set(e, K_EINVAL, "prev: must be the hash of the section before");
	if (*t->supersedes && !*t->prev)
		return kerr_set(e, K_EINVAL, "prev: a counter-offer names the section before it");
	if (*t->created && (rc = model_check_time(t->created, "created", e)) != K_OK)
		return rc;
	if (*t->nonce &&
	    (strlen(t->nonce) != CONTRACT_NONCE_LEN || !model_b64url(t->nonce, CONTRACT_NONCE_LEN)))
		return kerr_set(e, K_EINVAL, "nonce: must be 16 bytes as base64url (%d characters)",
		                CONTRACT_NONCE_LEN);
	return K_OK;
}

static void party_to_json(cJSON *o, const char *name, const struct contract_party *p)
{
	if (!p->name)
		return;
	cJSON *j = cJSON_AddObjectToObject(o, name);
	cJSON_AddStringToObject(j, "name", p->name);
	if (p->nlines) {
		cJSON *a = cJSON_AddObjectToObject(j, "address");
		cJSON *l = cJSON_AddArrayToObject(a, "lines");
		for (size_t i = 0; i < p->nlines; i++)
			cJSON_AddItemToArray(l, cJSON_CreateString(p->lines[i]));
		cJSON_AddStringToObject(a, "city", p->city ? p->city : "");
		json_add_opt(a, "postcode", p->postcode);
		cJSON_AddStringToObject(a, "country", p->country);
	}
	if (p->ntax_ids) {
		cJSON *x = cJSON_AddArrayToObject(j, "taxIds");
		for (size_t i = 0; i < p->ntax_ids; i++) {
			cJSON *c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "scheme", p->tax_ids[i].scheme);
			cJSON_AddStringToObject(c, "id", p->tax_ids[i].id);
			cJSON_AddItemToArray(x, c);
		}
	}
}

int contract_terms_to_json(const struct contract_terms *t, cJSON **out, struct kerr *e)
{
	int rc = contract_terms_validate(t, e);
	if (rc != K_OK)
		return rc;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "buyer", t->buyer);
	cJSON_AddStringToObject(o, "seller", t->seller);
	cJSON *items = cJSON_AddArrayToObject(o, "items");
	for (size_t i = 0; i < t->nitems; i++) {
		const struct contract_item *it = &t->items[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "listingId", it->listing_id);
		cJSON_AddStringToObject(j, "listingHash", it->listing_hash);
		cJSON_AddStringToObject(j, "description", it->description);
		json_add_int(j, "qty", it->qty);
		cJSON_AddStringToObject(j, "unit", it->unit);
		json_add_int(j, "unitPrice", it->unit_price);
		json_add_opt(j, "hsCode", it->hs_code);
		json_add_opt(j, "origin", it->origin);
		if (it->net_grams)
			json_add_int(j, "netGrams", it->net_grams);
		if (it->gross_grams)
			json_add_int(j, "grossGrams", it->gross_grams);
		if (it->packages) {
			cJSON *pk = cJSON_AddObjectToObject(j, "packages");
			json_add_int(pk, "count", it->packages);
			cJSON_AddStringToObject(pk, "code", it->package_code);
		}
		json_add_opt(j, "marks", it->marks);
		json_add_opt(j, "variantSku", it->variant_sku);
		cJSON_AddItemToArray(items, j);
	}
	cJSON_AddStringToObject(o, "currency", t->currency);
	json_add_int(o, "total", t->total);
	cJSON_AddStringToObject(o, "incoterm", t->incoterm);
	cJSON_AddStringToObject(o, "namedPlace", t->named_place);
	cJSON_AddStringToObject(o, "shipmentMode", t->mode);
	cJSON_AddStringToObject(o, "shipBy", t->ship_by);
	cJSON_AddStringToObject(o, "deliverBy", t->deliver_by);
	cJSON *p = cJSON_AddObjectToObject(o, "payment");
	cJSON_AddStringToObject(p, "method", "escrow");
	struct order_terms ot;
	contract_terms_order(t, &ot);
	cJSON *stages = cJSON_AddArrayToObject(p, "stages");
	for (size_t i = 0; i < ot.nstages; i++) {
		char due[ORDER_DUE_LEN];
		cJSON *st = cJSON_CreateObject();
		order_due_format(&ot.stages[i], due);
		cJSON_AddStringToObject(st, "due", due);
		json_add_int(st, "pct", ot.stages[i].pct);
		cJSON_AddItemToArray(stages, st);
	}
	json_add_int(p, "autoReleaseDays", t->auto_release_days);
	json_add_opt(o, "quality", t->quality);
	json_add_opt(o, "inspection", t->inspection);
	cJSON_AddStringToObject(o, "governingLaw", t->governing_law);
	cJSON_AddStringToObject(o, "disputeVenue", t->dispute_venue);
	cJSON_AddStringToObject(o, "language", t->language);
	cJSON_AddStringToObject(o, "escrowAgent", t->escrow_agent);
	json_add_opt(o, "supersedes", t->supersedes);
	json_add_opt(o, "prev", t->prev);
	json_add_opt(o, "created", t->created);
	json_add_opt(o, "nonce", t->nonce);
	party_to_json(o, "buyerParty", &t->buyer_party);
	party_to_json(o, "sellerParty", &t->seller_party);
	json_add_opt(o, "portOfLoading", t->port_loading);
	json_add_opt(o, "portOfDischarge", t->port_discharge);
	if (t->ncharges) {
		cJSON *ch = cJSON_AddArrayToObject(o, "charges");
		for (size_t i = 0; i < t->ncharges; i++) {
			cJSON *c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "kind", t->charges[i].kind);
			json_add_int(c, "amount", t->charges[i].amount);
			cJSON_AddItemToArray(ch, c);
		}
	}
	*out = o;
	return K_OK;
}

/* Copies into a fixed field, refusing what does not fit (so nothing is silently cut). */
static int fixed_from(char *dst, size_t cap, const char *s, const char *field, struct kerr *e)
{
	char sh[SHOWN_LEN];
	if (s && strlen(s) >= cap)
		return kerr_set(e, K_EINVAL, "%s: '%s' is too long", field, shown(s, sh));
	copy_fixed(dst, cap, s);
	return K_OK;
}

/* The string member name of o (at path) into the fixed field dst[cap] ("" when absent). */
static int get_fixed(const cJSON *o, const char *path, const char *name, int req, char *dst,
                     size_t cap, struct kerr *e)
{
	const char *s;
	char f[PATH_LEN];
	int rc = get_str(o, path, name, req, &s, e);
	if (rc != K_OK)
		return rc;
	snprintf(f, sizeof f, "%s%s%s", path, *path ? "." : "", name);
	return fixed_from(dst, cap, s, f, e);
}

/* The string member name of o (at path) as *dst, a copy the caller frees (NULL when absent). */
static int get_dup(const cJSON *o, const char *path, const char *name, int req, char **dst,
                   struct kerr *e)
{
	const char *s;
	int rc = get_str(o, path, name, req, &s, e);
	if (rc == K_OK)
		*dst = s ? xstrdup(s) : NULL;
	return rc;
}

static int item_from_json(const cJSON *j, size_t i, struct contract_item *it, struct kerr *e)
{
	static const char *const keys[] = {
	    "listingId", "listingHash", "description", "qty",      "unit",  "unitPrice",  "hsCode",
	    "origin",    "netGrams",    "grossGrams",  "packages", "marks", "variantSku", NULL};
	static const char *const pkg_keys[] = {"count", "code", NULL};
	char p[PATH_LEN], f[PATH_LEN];
	int rc;
	snprintf(p, sizeof p, "items[%zu]", i);
	if (!cJSON_IsObject(j))
		return kerr_set(e, K_EINVAL, "%s: must be an object", p);
	if ((rc = unknown_keys(j, p, keys, e)) != K_OK ||
	    (rc = get_fixed(j, p, "listingId", 1, it->listing_id, sizeof it->listing_id, e)) !=
	        K_OK ||
	    (rc = get_fixed(j, p, "listingHash", 1, it->listing_hash, sizeof it->listing_hash,
	                    e)) != K_OK ||
	    (rc = get_fixed(j, p, "unit", 1, it->unit, sizeof it->unit, e)) != K_OK ||
	    (rc = get_fixed(j, p, "hsCode", 0, it->hs_code, sizeof it->hs_code, e)) != K_OK ||
	    (rc = get_fixed(j, p, "origin", 0, it->origin, sizeof it->origin, e)) != K_OK ||
	    (rc = get_dup(j, p, "description", 1, &it->description, e)) != K_OK ||
	    (rc = get_int(j, p, "qty", 1, &it->qty, e)) != K_OK ||
	    (rc = get_int(j, p, "unitPrice", 1, &it->unit_price, e)) != K_OK ||
	    (rc = get_int(j, p, "netGrams", 0, &it->net_grams, e)) != K_OK ||
	    (rc = get_int(j, p, "grossGrams", 0, &it->gross_grams, e)) != K_OK ||
	    (rc = get_dup(j, p, "marks", 0, &it->marks, e)) != K_OK ||
	    (rc = get_fixed(j, p, "variantSku", 0, it->variant_sku, sizeof it->variant_sku, e)) !=
	        K_OK)
		return rc;
	const cJSON *pk = item(j, "packages");
	if (pk) {
		snprintf(f, sizeof f, "%s.packages", p);
		if (!cJSON_IsObject(pk))
			return kerr_set(e, K_EINVAL, "%s: must be an object", f);
		if ((rc = unknown_keys(pk, f, pkg_keys, e)) != K_OK ||
		    (rc = get_int(pk, f, "count", 1, &it->packages, e)) != K_OK ||
		    (rc = get_fixed(pk, f, "code", 1, it->package_code, sizeof it->package_code,
		                    e)) != K_OK)
			return rc;
		if (it->packages < 1)
			return kerr_set(e, K_EINVAL, "%s.packages.count: at least 1", p);
	}
	return K_OK;
}

/* buyerParty / sellerParty. */
static int party_from_json(const cJSON *b, const char *name, struct contract_party *pt,
                           struct kerr *e)
{
	static const char *const keys[] = {"name", "address", "taxIds", NULL};
	static const char *const addr_keys[] = {"lines", "city", "postcode", "country", NULL};
	static const char *const tax_keys[] = {"scheme", "id", NULL};
	const cJSON *j = item(b, name), *c;
	char f[PATH_LEN];
	const char *s;
	int rc;
	if (!j)
		return K_OK;
	if (!cJSON_IsObject(j))
		return kerr_set(e, K_EINVAL, "%s: must be an object", name);
	if ((rc = unknown_keys(j, name, keys, e)) != K_OK ||
	    (rc = get_dup(j, name, "name", 1, &pt->name, e)) != K_OK)
		return rc;
	const cJSON *a = item(j, "address");
	if (a) {
		snprintf(f, sizeof f, "%s.address", name);
		if (!cJSON_IsObject(a))
			return kerr_set(e, K_EINVAL, "%s: must be an object", f);
		if ((rc = unknown_keys(a, f, addr_keys, e)) != K_OK)
			return rc;
		const cJSON *l = item(a, "lines");
		int n = cJSON_IsArray(l) ? cJSON_GetArraySize(l) : -1;
		if (n < 1 || n > CONTRACT_ADDR_LINES)
			return kerr_set(e, K_EINVAL, "%s.lines: an array of 1 to %d lines", f,
			                CONTRACT_ADDR_LINES);
		cJSON_ArrayForEach(c, l)
		{
			if (!cJSON_IsString(c))
				return kerr_set(e, K_EINVAL, "%s.lines[%zu]: must be a string", f,
				                pt->nlines);
			pt->lines[pt->nlines++] = xstrdup(c->valuestring);
		}
		if ((rc = get_dup(a, f, "city", 1, &pt->city, e)) != K_OK ||
		    (rc = get_dup(a, f, "postcode", 0, &pt->postcode, e)) != K_OK ||
		    (rc = get_fixed(a, f, "country", 1, pt->country, sizeof pt->country, e)) !=
		        K_OK)
			return rc;
	}
	const cJSON *x = item(j, "taxIds");
	if (x) {
		snprintf(f, sizeof f, "%s.taxIds", name);
		int n = cJSON_IsArray(x) ? cJSON_GetArraySize(x) : -1;
		if (n < 1 || n > CONTRACT_MAX_TAX_IDS)
			return kerr_set(e, K_EINVAL, "%s: an array of 1 to %d", f,
			                CONTRACT_MAX_TAX_IDS);
		cJSON_ArrayForEach(c, x)
		{
			char q[PATH_LEN];
			struct contract_tax_id *t = &pt->tax_ids[pt->ntax_ids];
			snprintf(q, sizeof q, "%s[%zu]", f, pt->ntax_ids);
			if (!cJSON_IsObject(c))
				return kerr_set(e, K_EINVAL, "%s: must be an object", q);
			if ((rc = unknown_keys(c, q, tax_keys, e)) != K_OK ||
			    (rc = get_str(c, q, "scheme", 1, &s, e)) != K_OK ||
			    (rc = fixed_from(t->scheme, sizeof t->scheme, s, q, e)) != K_OK ||
			    (rc = get_str(c, q, "id", 1, &s, e)) != K_OK ||
			    (rc = fixed_from(t->id, sizeof t->id, s, q, e)) != K_OK)
				return rc;
			pt->ntax_ids++;
		}
	}
	return K_OK;
}

static int charges_from_json(const cJSON *b, struct contract_terms *t, struct kerr *e)
{
	static const char *const keys[] = {"kind", "amount", NULL};
	const cJSON *arr = item(b, "charges"), *c;
	int rc;
	if (!arr)
		return K_OK;
	int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : -1;
	if (n < 1 || n > CONTRACT_MAX_CHARGES)
		return kerr_set(e, K_EINVAL, "charges: an array of 1 to %d", CONTRACT_MAX_CHARGES);
	cJSON_ArrayForEach(c, arr)
	{
		char q[PATH_LEN];
		const char *s;
		struct contract_charge *ch = &t->charges[t->ncharges];
		snprintf(q, sizeof q, "charges[%zu]", t->ncharges);
		if (!cJSON_IsObject(c))
			return kerr_set(e, K_EINVAL, "%s: must be an object", q);
		if ((rc = unknown_keys(c, q, keys, e)) != K_OK ||
		    (rc = get_str(c, q, "kind", 1, &s, e)) != K_OK ||
		    (rc = fixed_from(ch->kind, sizeof ch->kind, s, q, e)) != K_OK ||
		    (rc = get_int(c, q, "amount", 1, &ch->amount, e)) != K_OK)
			return rc;
		t->ncharges++;
	}
	return K_OK;
}

/* payment.stages: [{pct, due}], each checked by name; the sum and order by validate. */
static int stages_from_json(const cJSON *arr, struct contract_terms *t, struct kerr *e)
{
	static const char *const keys[] = {"pct", "due", NULL};
	if (!cJSON_IsArray(arr))
		return kerr_set(e, K_EINVAL, "payment.stages: must be an array");
	int n = cJSON_GetArraySize(arr);
	if (n < 1 || n > ORDER_MAX_STAGES)
		return kerr_set(e, K_EINVAL, "payment.stages: 1 to %d stages", ORDER_MAX_STAGES);
	const cJSON *c;
	int rc;
	cJSON_ArrayForEach(c, arr)
	{
		char path[PATH_LEN], field[PATH_LEN];
		const char *due;
		struct order_stage *st = &t->stages[t->nstages];
		snprintf(path, sizeof path, "payment.stages[%zu]", t->nstages);
		snprintf(field, sizeof field, "%s.due", path);
		if (!cJSON_IsObject(c))
			return kerr_set(e, K_EINVAL, "%s: must be an object", path);
		if ((rc = unknown_keys(c, path, keys, e)) != K_OK ||
		    (rc = get_int(c, path, "pct", 1, &st->pct, e)) != K_OK ||
		    (rc = get_str(c, path, "due", 1, &due, e)) != K_OK ||
		    (rc = order_due_parse(due, field, st, e)) != K_OK)
			return rc;
		t->nstages++;
	}
	return K_OK;
}

static int terms_from_json(const cJSON *b, struct contract_terms *t, struct kerr *e)
{
	static const char *const keys[] = {
	    "buyer",    "seller",      "items",        "currency",      "total",
	    "incoterm", "namedPlace",  "shipmentMode", "shipBy",        "deliverBy",
	    "payment",  "quality",     "inspection",   "governingLaw",  "disputeVenue",
	    "language", "escrowAgent", "supersedes",   "prev",          "created",
	    "nonce",    "buyerParty",  "sellerParty",  "portOfLoading", "portOfDischarge",
	    "charges",  NULL};
	static const char *const pay_keys[] = {"method", "depositPct", "stages", "autoReleaseDays",
	                                       NULL};
	const char *s;
	int rc;
	if (!cJSON_IsObject(b))
		return kerr_set(e, K_EINVAL, "offer: must be an object");
	if ((rc = unknown_keys(b, "", keys, e)) != K_OK)
		return rc;
	if ((rc = get_fixed(b, "", "buyer", 1, t->buyer, sizeof t->buyer, e)) != K_OK ||
	    (rc = get_fixed(b, "", "seller", 1, t->seller, sizeof t->seller, e)) != K_OK ||
	    (rc = get_fixed(b, "", "currency", 1, t->currency, sizeof t->currency, e)) != K_OK ||
	    (rc = get_fixed(b, "", "incoterm", 1, t->incoterm, sizeof t->incoterm, e)) != K_OK ||
	    (rc = get_fixed(b, "", "shipmentMode", 1, t->mode, sizeof t->mode, e)) != K_OK ||
	    (rc = get_fixed(b, "", "shipBy", 1, t->ship_by, sizeof t->ship_by, e)) != K_OK ||
	    (rc = get_fixed(b, "", "deliverBy", 1, t->deliver_by, sizeof t->deliver_by, e)) !=
	        K_OK ||
	    (rc = get_fixed(b, "", "language", 1, t->language, sizeof t->language, e)) != K_OK ||
	    (rc = get_fixed(b, "", "escrowAgent", 1, t->escrow_agent, sizeof t->escrow_agent, e)) !=
	        K_OK ||
	    (rc = get_fixed(b, "", "supersedes", 0, t->supersedes, sizeof t->supersedes, e)) !=
	        K_OK ||
	    (rc = get_fixed(b, "", "prev", 0, t->prev, sizeof t->prev, e)) != K_OK ||
	    (rc = get_fixed(b, "", "created", 0, t->created, sizeof t->created, e)) != K_OK ||
	    (rc = get_fixed(b, "", "nonce", 0, t->nonce, sizeof t->nonce, e)) != K_OK ||
	    (rc = get_dup(b, "", "namedPlace", 1, &t->named_place, e)) != K_OK ||
	    (rc = get_dup(b, "", "quality", 0, &t->quality, e)) != K_OK ||
	    (rc = get_dup(b, "", "inspection", 0, &t->inspection, e)) != K_OK ||
	    (rc = get_dup(b, "", "governingLaw", 1, &t->governing_law, e)) != K_OK ||
	    (rc = get_dup(b, "", "disputeVenue", 1, &t->dispute_venue, e)) != K_OK ||
	    (rc = get_dup(b, "", "portOfLoading", 0, &t->port_loading, e)) != K_OK ||
	    (rc = get_dup(b, "", "portOfDischarge", 0, &t->port_discharge, e)) != K_OK)
		return rc;
	if ((rc = get_int(b, "", "total", 1, &t->total, e)) != K_OK)
		return rc;
	const cJSON *items = item(b, "items");
	if (!cJSON_IsArray(items))
		return kerr_set(e, K_EINVAL, "items: %s", items ? "must be an array" : "missing");
	int n = cJSON_GetArraySize(items);
	if (n < 1 || n > CONTRACT_MAX_ITEMS)
		return kerr_set(e, K_EINVAL, "items: must have 1 to %d entries",
		                CONTRACT_MAX_ITEMS);
	const cJSON *c;
	cJSON_ArrayForEach(c, items)
	{
		struct contract_item *it = push_item(t);
		if ((rc = item_from_json(c, t->nitems - 1, it, e)) != K_OK)
			return rc;
	}
	const cJSON *p = item(b, "payment");
	if (!cJSON_IsObject(p))
		return kerr_set(e, K_EINVAL, "payment: %s", p ? "must be an object" : "missing");
	if ((rc = unknown_keys(p, "payment", pay_keys, e)) != K_OK ||
	    (rc = get_str(p, "payment", "method", 1, &s, e)) != K_OK)
		return rc;
	if (strcmp(s, "escrow") != 0)
		return kerr_set(e, K_EINVAL, "payment.method: must be escrow");
	const cJSON *stages = item(p, "stages");
	if (stages && item(p, "depositPct"))
		return kerr_set(e, K_EINVAL, "payment: stages or depositPct, not both");
	if (stages && (rc = stages_from_json(stages, t, e)) != K_OK)
		return rc;
	if (!stages && (rc = get_int(p, "payment", "depositPct", 1, &t->deposit_pct, e)) != K_OK)
		return rc;
	if ((rc = get_int(p, "payment", "autoReleaseDays", 1, &t->auto_release_days, e)) != K_OK)
		return rc;
	if ((rc = party_from_json(b, "buyerParty", &t->buyer_party, e)) != K_OK ||
	    (rc = party_from_json(b, "sellerParty", &t->seller_party, e)) != K_OK ||
	    (rc = charges_from_json(b, t, e)) != K_OK)
		return rc;
	return contract_terms_validate(t, e);
}

int contract_terms_from_json(const cJSON *body, struct contract_terms *out, struct kerr *e)
{
	contract_terms_init(out);
	int rc = terms_from_json(body, out, e);
	if (rc != K_OK)
		contract_terms_free(out);
	return rc;
}

int contract_section_terms(const cJSON *section, struct contract_terms *out, struct kerr *e)
{
	const char *body = str_item(section, "body");
	cJSON *j = NULL;
	if (!body)
		return kerr_set(e, K_EINVAL, "section: no body");
	int rc = canon_parse(body, strlen(body), &j, e);
	if (rc != K_OK)
		return rc;
	rc = contract_terms_from_json(j, out, e);
	cJSON_Delete(j);
	return rc;
}

/* ---------------------------------------------------------------- events */

static int event_validate(const cJSON *b, struct kerr *e)
{
	static const char *const keys[] = {
	    "prev",           "at",   "note",        "amount",       "stage",  "carrier",
	    "trackingNumber", "mode", "buyerAmount", "sellerAmount", "reason", NULL};
	static const char *const ints[] = {"amount", "stage", "buyerAmount", "sellerAmount", NULL};
	static const char *const lines[] = {"carrier", "trackingNumber", NULL};
	static const char *const texts[] = {"note", "reason", NULL};
	const char *s;
	int rc;
	if (!cJSON_IsObject(b))
		return kerr_set(e, K_EINVAL, "body: must be an object");
	if ((rc = unknown_keys(b, "", keys, e)) != K_OK)
		return rc;
	if ((rc = get_str(b, "", "prev", 1, &s, e)) != K_OK)
		return rc;
	if (!is_hash(s))
		return kerr_set(e, K_EINVAL, "prev: must be the hash of the section before");
	if ((rc = get_str(b, "", "at", 1, &s, e)) != K_OK ||
	    (rc = model_check_time(s, "at", e)) != K_OK)
		return rc;
	for (size_t i = 0; ints[i]; i++) {
		int64_t v = 0;
		if ((rc = get_int(b, "", ints[i], 0, &v, e)) != K_OK)
			return rc;
		if (v < 0)
			return kerr_set(e, K_EINVAL, "%s: must not be negative", ints[i]);
		if (v > MONEY_MAX)
			return kerr_set(e, K_EINVAL, "%s: past %" PRId64, ints[i], MONEY_MAX);
	}
	int64_t stage = 1;
	if (get_int(b, "", "stage", 0, &stage, NULL) == K_OK &&
	    (stage < 1 || stage > ORDER_MAX_STAGES))
		return kerr_set(e, K_EINVAL, "stage: must be 1 to %d", ORDER_MAX_STAGES);
	if ((rc = get_str(b, "", "mode", 0, &s, e)) != K_OK)
		return rc;
	if (s && !order_mode_valid(s)) {
		char sh[SHOWN_LEN];
		return kerr_set(e, K_EINVAL,
		                "mode: '%s' must be one of sea, air, road, rail, courier",
		                shown(s, sh));
	}
	for (size_t i = 0; lines[i]; i++) {
		if ((rc = get_str(b, "", lines[i], 0, &s, e)) != K_OK ||
		    (s && (rc = check_str(s, lines[i], 1, 100, 0, e)) != K_OK))
			return rc;
	}
	for (size_t i = 0; texts[i]; i++) {
		if ((rc = get_str(b, "", texts[i], 0, &s, e)) != K_OK ||
		    (s && (rc = check_str(s, texts[i], 0, CONTRACT_TEXT_MAX, 1, e)) != K_OK))
			return rc;
	}
	return K_OK;
}

int contract_event_body(const char *prev, const char *at, const cJSON *extra, cJSON **out,
                        struct kerr *e)
{
	cJSON *o = extra ? cJSON_Duplicate(extra, 1) : cJSON_CreateObject();
	if (!o)
		return kerr_set(e, K_ENOMEM, "event body: out of memory");
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return kerr_set(e, K_EINVAL, "event body: extra must be an object");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(o, "prev");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "at");
	cJSON_AddStringToObject(o, "prev", prev ? prev : "");
	cJSON_AddStringToObject(o, "at", at ? at : "");
	int rc = event_validate(o, e);
	if (rc != K_OK) {
		cJSON_Delete(o);
		return rc;
	}
	*out = o;
	return K_OK;
}

/* ---------------------------------------------------------------- sections */

static void sign_domain(const char *kind, char out[DOMAIN_LEN])
{
	snprintf(out, DOMAIN_LEN, "contract/%s", kind);
}

int contract_section_make(const char *kind, const cJSON *body, cJSON **section, struct kerr *e)
{
	char sh[SHOWN_LEN], hash[KCRYPTO_HASH_B64_LEN + 1];
	if (!contract_kind_valid(kind))
		return kerr_set(e, K_EINVAL, "kind: '%s' is not a section kind", shown(kind, sh));
	if (!cJSON_IsObject(body))
		return kerr_set(e, K_EINVAL, "body: must be an object");
	struct kbuf c = KBUF_INIT;
	int rc = canon_write(body, &c, e);
	if (rc != K_OK) {
		kbuf_free(&c);
		return rc;
	}
	if (c.len > CONTRACT_BODY_MAX) {
		kbuf_free(&c);
		return kerr_set(e, K_ETOOBIG, "body: %zu bytes, over %d", c.len, CONTRACT_BODY_MAX);
	}
	kcrypto_hash_b64url(c.data, c.len, hash);
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "kind", kind);
	cJSON_AddStringToObject(s, "body", kbuf_str(&c));
	cJSON_AddStringToObject(s, "hash", hash);
	cJSON_AddArrayToObject(s, "signatures");
	kbuf_free(&c);
	*section = s;
	return K_OK;
}

static int role_valid(const char *role)
{
	return role && (strcmp(role, "buyer") == 0 || strcmp(role, "seller") == 0 ||
	                strcmp(role, "escrow") == 0);
}

int contract_section_sign(cJSON *section, const char *role, const struct kkeypair *kp,
                          struct kerr *e)
{
	char sh[SHOWN_LEN], id[KCRYPTO_ID_LEN + 1], dom[DOMAIN_LEN];
	const char *kind = str_item(section, "kind"), *body = str_item(section, "body");
	cJSON *sigs = cJSON_GetObjectItemCaseSensitive(section, "signatures");
	if (!role_valid(role))
		return kerr_set(e, K_EINVAL, "role: '%s' must be buyer, seller or escrow",
		                shown(role, sh));
	if (!contract_kind_valid(kind) || !body || !cJSON_IsArray(sigs))
		return kerr_set(e, K_EINVAL, "section: needs kind, body and signatures");
	kcrypto_account_id(kp->pk, id);
	const cJSON *c;
	cJSON_ArrayForEach(c, sigs)
	{
		const char *by = str_item(c, "by");
		if (by && strcmp(by, id) == 0)
			return kerr_set(e, K_EEXIST, "section (%s): already signed by %s", kind,
			                id);
	}
	if (cJSON_GetArraySize(sigs) >= CONTRACT_MAX_SIGS)
		return kerr_set(e, K_ETOOBIG, "section (%s): at most %d signatures", kind,
		                CONTRACT_MAX_SIGS);
	struct kbuf sig = KBUF_INIT;
	sign_domain(kind, dom);
	kcrypto_sign_object_b64(dom, body, strlen(body), kp->sk, &sig);
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "by", id);
	cJSON_AddStringToObject(s, "role", role);
	cJSON_AddStringToObject(s, "sig", kbuf_str(&sig));
	cJSON_AddItemToArray(sigs, s);
	kbuf_free(&sig);
	return K_OK;
}

/* ---------------------------------------------------------------- the document */

int contract_new(cJSON *offer_section, cJSON **contract, struct kerr *e)
{
	struct contract_terms t;
	const char *kind = str_item(offer_section, "kind"), *hash = str_item(offer_section, "hash");
	if (!kind || strcmp(kind, "offer") != 0 || !hash) {
		cJSON_Delete(offer_section);
		return kerr_set(e, K_EINVAL, "section 0: a contract opens with an offer");
	}
	int rc = contract_section_terms(offer_section, &t, e);
	if (rc != K_OK) {
		kerr_prefix(e, "section 0 (offer)");
		cJSON_Delete(offer_section);
		return rc;
	}
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "id", hash);
	cJSON_AddStringToObject(c, "buyerId", t.buyer);
	cJSON_AddStringToObject(c, "sellerId", t.seller);
	if (t.nitems == 1)
		cJSON_AddStringToObject(c, "listingId", t.items[0].listing_id);
	cJSON *secs = cJSON_AddArrayToObject(c, "sections");
	cJSON_AddItemToArray(secs, offer_section);
	contract_terms_free(&t);
	*contract = c;
	return K_OK;
}

int contract_tip(const cJSON *contract, char out[KCRYPTO_HASH_B64_LEN + 1], struct kerr *e)
{
	const cJSON *secs = item(contract, "sections");
	int n = cJSON_IsArray(secs) ? cJSON_GetArraySize(secs) : 0;
	const char *h = n > 0 ? str_item(cJSON_GetArrayItem(secs, n - 1), "hash") : NULL;
	if (!is_hash(h))
		return kerr_set(e, K_EINVAL, "sections: no last section with a hash");
	copy_fixed(out, KCRYPTO_HASH_B64_LEN + 1, h);
	return K_OK;
}

int contract_latest_offer(const cJSON *contract)
{
	const cJSON *secs = item(contract, "sections"), *c;
	int i = 0, last = -1;
	if (!cJSON_IsArray(secs))
		return -1;
	cJSON_ArrayForEach(c, secs)
	{
		const char *k = str_item(c, "kind");
		if (k && strcmp(k, "offer") == 0)
			last = i;
		i++;
	}
	return last;
}

/* "Iron table legs +2 more", sanitised; "-" without a description. */
static char *product_words(const char *first, size_t nitems)
{
	if (!first || nitems == 0)
		return xstrdup("-");
	struct kbuf b = KBUF_INIT;
	text_sanitize(&b, first, strlen(first), 0);
	if (nitems > 1)
		kbuf_printf(&b, " +%zu more", nitems - 1);
	char *r = xstrdup(kbuf_str(&b));
	kbuf_free(&b);
	return r;
}

char *contract_product(const struct contract_terms *terms)
{
	return terms && terms->nitems ? product_words(terms->items[0].description, terms->nitems)
	                              : product_words(NULL, 0);
}

void contract_item_words(const struct contract_terms *t, size_t i, struct kbuf *out)
{
	if (i >= t->nitems)
		return;
	const struct contract_item *it = &t->items[i];
	char up[MONEY_FMT_MAX], q[MONEY_FMT_MAX];
	money_text(it->unit_price, t->currency, up);
	kbuf_printf(out, "%s %s × %s%s%s at %s %s", count_text(it->qty, q),
	            codes_unit_count(it->unit, it->qty), it->description ? it->description : "",
	            it->variant_sku[0] ? ", SKU " : "", it->variant_sku, up, t->currency);
}

void contract_shipping_words(const struct contract_terms *t, struct kbuf *out)
{
	kbuf_printf(out, "%s %s", t->incoterm, t->named_place ? t->named_place : "");
	if (t->mode[0])
		kbuf_printf(out, " by %s", t->mode);
	if (t->ship_by[0])
		kbuf_printf(out, "; ship by %s", t->ship_by);
	if (t->deliver_by[0])
		kbuf_printf(out, "%s deliver by %s", t->ship_by[0] ? "," : ";", t->deliver_by);
}

void contract_charges_words(const struct contract_terms *t, struct kbuf *out)
{
	for (size_t i = 0; i < t->ncharges && i < CONTRACT_MAX_CHARGES; i++) {
		char m[MONEY_FMT_MAX];
		money_text(t->charges[i].amount, t->currency, m);
		kbuf_printf(out, "%s%s %s %s", i ? ", " : "", t->charges[i].kind, m, t->currency);
	}
}

void contract_payment_words(const struct contract_terms *t, int amounts, struct kbuf *out)
{
	struct order_terms ot;
	contract_terms_order(t, &ot);
	for (size_t i = 0; i < ot.nstages; i++) {
		char due[ORDER_DUE_LEN], m[MONEY_FMT_MAX];
		order_due_words(&ot.stages[i], due);
		kbuf_printf(out, "%s%" PRId64 "%% %s", i ? ", " : "", ot.stages[i].pct, due);
		if (amounts) {
			money_text(order_stage_amount(&ot, i), t->currency, m);
			kbuf_printf(out, " (%s %s)", m, t->currency);
		}
	}
}

int contract_latest_terms(const cJSON *contract, struct contract_terms *t, struct kerr *e)
{
	contract_terms_init(t);
	int lo = contract ? contract_latest_offer(contract) : -1;
	if (lo < 0)
		return kerr_set(e, K_EINVAL, "sections: no offer");
	return contract_section_terms(cJSON_GetArrayItem(item(contract, "sections"), lo), t, e);
}

/* The latest offer's body, parsed and unchecked: a list reads thousands of these, and words
 * for a column need no validated terms. NULL when there is none. */
static cJSON *latest_offer_body(const cJSON *contract)
{
	int lo = contract ? contract_latest_offer(contract) : -1;
	const cJSON *sec = cJSON_GetArrayItem(item(contract, "sections"), lo);
	const char *b = lo >= 0 ? str_item(sec, "body") : NULL;
	return b ? cJSON_Parse(b) : NULL;
}

char *contract_product_of(const cJSON *contract)
{
	cJSON *body = latest_offer_body(contract);
	const cJSON *items = item(body, "items");
	int n = cJSON_IsArray(items) ? cJSON_GetArraySize(items) : 0;
	char *r =
	    product_words(n > 0 ? str_item(cJSON_GetArrayItem(items, 0), "description") : NULL,
	                  n > 0 ? (size_t)n : 0);
	cJSON_Delete(body);
	return r;
}

int contract_ship_by_of(const cJSON *contract, char out[CONTRACT_DATE_LEN + 1])
{
	cJSON *body = latest_offer_body(contract);
	const char *d = str_item(body, "shipBy");
	int y, m, dd,
	    ok = d && strlen(d) == CONTRACT_DATE_LEN && ktime_date_read(d, &y, &m, &dd) == K_OK;
	if (ok)
		memcpy(out, d, CONTRACT_DATE_LEN + 1);
	else
		out[0] = '\0';
	cJSON_Delete(body);
	return ok;
}

int contract_ship_due(const char *ship_by, const struct order_terms *t,
                      const struct order_progress *p)
{
	char today[CONTRACT_DATE_LEN + 1];
	if (!ship_by || !ship_by[0] || !(order_steps_for(t, p, ORDER_SELLER) & (1u << ORDER_SHIP)))
		return CONTRACT_SHIP_NONE;
	return strcmp(ktime_today(today), ship_by) > 0 ? CONTRACT_SHIP_LATE : CONTRACT_SHIP_DUE;
}

int contract_signed_as(const cJSON *contract, int i, const char *role)
{
	const cJSON *sigs = item(cJSON_GetArrayItem(item(contract, "sections"), i), "signatures"),
	            *g;
	if (!role || !cJSON_IsArray(sigs))
		return 0;
	cJSON_ArrayForEach(g, sigs)
	{
		const char *r = str_item(g, "role");
		if (r && strcmp(r, role) == 0)
			return 1;
	}
	return 0;
}

const char *contract_role_of(const cJSON *obj, const char *self)
{
	const char *b = str_item(obj, "buyerId"), *sl = str_item(obj, "sellerId");
	if (!self || !*self)
		return NULL;
	return b && strcmp(b, self) == 0 ? "buyer" : sl && strcmp(sl, self) == 0 ? "seller" : NULL;
}

/* The time section sec gives (an event's "at", an offer's "created"; with offer_only, only
 * an offer's), when it is RFC 3339 UTC in the one shape model times take; else "". */
static void section_time(const cJSON *sec, int offer_only, char out[MODEL_TIME_LEN + 1])
{
	const char *b = str_item(sec, "body"), *kind = str_item(sec, "kind");
	out[0] = '\0';
	if (!b || (offer_only && !(kind && strcmp(kind, "offer") == 0)))
		return;
	cJSON *body = cJSON_Parse(b);
	const char *at = offer_only             ? str_item(body, "created")
	                 : str_item(body, "at") ? str_item(body, "at")
	                                        : str_item(body, "created");
	if (at && model_check_time(at, NULL, NULL) == K_OK)
		memcpy(out, at, MODEL_TIME_LEN + 1);
	cJSON_Delete(body);
}

int contract_latest_time(const cJSON *contract, char out[MODEL_TIME_LEN + 1])
{
	const cJSON *secs = item(contract, "sections"), *c;
	char at[MODEL_TIME_LEN + 1];
	out[0] = '\0';
	if (!cJSON_IsArray(secs))
		return 0;
	cJSON_ArrayForEach(c, secs)
	{
		section_time(c, 0, at);
		/* RFC 3339 UTC in this one shape orders as text */
		if (strcmp(at, out) > 0)
			memcpy(out, at, MODEL_TIME_LEN + 1);
	}
	return out[0] != '\0';
}

int contract_dispute_of(const cJSON *contract, char role[16], struct kbuf *reason,
                        char at[MODEL_TIME_LEN + 1])
{
	const cJSON *secs = item(contract, "sections"), *sec, *last = NULL;
	role[0] = '\0';
	cJSON_ArrayForEach(sec, secs)
	{
		const char *kind = str_item(sec, "kind");
		if (kind && strcmp(kind, "disputed") == 0)
			last = sec;
	}
	if (at)
		at[0] = '\0';
	if (!last)
		return 0;
	const char *r = str_item(cJSON_GetArrayItem(item(last, "signatures"), 0), "role");
	snprintf(role, 16, "%s", r ? r : "");
	if (at)
		section_time(last, 0, at);
	if (reason) {
		cJSON *body = cJSON_Parse(str_item(last, "body") ? str_item(last, "body") : "");
		const char *why = str_item(body, "reason");
		if (why)
			kbuf_puts(reason, why);
		cJSON_Delete(body);
	}
	return 1;
}

int contract_dispute_answerable(const cJSON *order, const cJSON *contract, const char *role)
{
	char by[16];
	const char *state = str_item(order, "state");
	return contract && role && state && strcmp(state, "disputed") == 0 &&
	       !item(order, "answer") && contract_dispute_of(contract, by, NULL, NULL) &&
	       strcmp(by, role) != 0;
}

int contract_created_time(const cJSON *contract, char out[MODEL_TIME_LEN + 1])
{
	section_time(cJSON_GetArrayItem(item(contract, "sections"), 0), 1, out);
	return out[0] != '\0';
}

int contract_append(cJSON *contract, cJSON *section, struct kerr *e)
{
	char tip[KCRYPTO_HASH_B64_LEN + 1];
	cJSON *secs = cJSON_GetObjectItemCaseSensitive(contract, "sections");
	int rc = K_OK;
	const char *kind = str_item(section, "kind"), *body = str_item(section, "body");
	if (!cJSON_IsArray(secs)) {
		rc = kerr_set(e, K_EINVAL, "sections: missing");
		goto fail;
	}
	if (cJSON_GetArraySize(secs) >= CONTRACT_MAX_SECTIONS) {
		rc = kerr_set(e, K_ETOOBIG, "sections: at most %d", CONTRACT_MAX_SECTIONS);
		goto fail;
	}
	if (!contract_kind_valid(kind) || !body) {
		rc = kerr_set(e, K_EINVAL, "section: needs a kind and a body");
		goto fail;
	}
	if ((rc = contract_tip(contract, tip, e)) != K_OK)
		goto fail;
	cJSON *b = NULL;
	if ((rc = canon_parse(body, strlen(body), &b, e)) != K_OK)
		goto fail;
	const char *prev = str_item(b, "prev");
	int linked = prev && strcmp(prev, tip) == 0;
	cJSON_Delete(b);
	if (!linked) {
		rc = kerr_set(e, K_EINVAL,
		              "section %d (%s): prev must be %s, the hash of the section before",
		              cJSON_GetArraySize(secs), kind, tip);
		goto fail;
	}
	cJSON_AddItemToArray(secs, section);
	return K_OK;
fail:
	cJSON_Delete(section);
	return rc;
}

/* ---------------------------------------------------------------- verification */

/* Who may sign a section of this kind: both parties an offer, the rules of order.h the
 * rest. */
static unsigned roles_for(const char *kind)
{
	if (strcmp(kind, "offer") == 0)
		return ORDER_BUYER | ORDER_SELLER;
	return order_step_roles(order_step_parse(kind));
}

static const char *party_for(const struct contract_terms *t, const char *role)
{
	if (strcmp(role, "buyer") == 0)
		return t->buyer;
	if (strcmp(role, "seller") == 0)
		return t->seller;
	return t->escrow_agent;
}

struct vstate {
	struct contract_terms first;
	int have_first;
	int latest_offer, binding, cancelled;
	struct order_terms terms;       /* the binding offer's */
	struct order_progress progress; /* the order so far */
	struct order_progress after[CONTRACT_MAX_SECTIONS];
	struct order_effect effect[CONTRACT_MAX_SECTIONS];
	char hashes[CONTRACT_MAX_SECTIONS][KCRYPTO_HASH_B64_LEN + 1];
};

/* Signatures of section i: each by the party its role names, allowed for the kind, and
 * verifying over "kontor/v1/contract/<kind>\0<body>". Sets *roles bit 1 buyer, 2 seller,
 * 4 escrow. */
static int verify_sigs(const cJSON *sec, int i, const char *kind, const char *body,
                       const struct contract_terms *t, unsigned *roles, struct kerr *e)
{
	char sh[SHOWN_LEN], dom[DOMAIN_LEN];
	const cJSON *sigs = item(sec, "signatures"), *c;
	if (!cJSON_IsArray(sigs))
		return kerr_set(e, K_EVERIFY, "section %d (%s): no signatures", i, kind);
	int n = cJSON_GetArraySize(sigs);
	if (n < 1 || n > CONTRACT_MAX_SIGS)
		return kerr_set(e, K_EVERIFY, "section %d (%s): needs 1 to %d signatures", i, kind,
		                CONTRACT_MAX_SIGS);
	sign_domain(kind, dom);
	*roles = 0;
	cJSON_ArrayForEach(c, sigs)
	{
		const char *by = str_item(c, "by"), *role = str_item(c, "role"),
		           *sig = str_item(c, "sig");
		if (!by || !role || !sig)
			return kerr_set(e, K_EVERIFY,
			                "section %d (%s): a signature lacks by, role or sig", i,
			                kind);
		if (!(order_role_bit(role) & roles_for(kind)))
			return kerr_set(e, K_EVERIFY,
			                "section %d (%s): the %s may not sign a %s section", i,
			                kind, shown(role, sh), kind);
		const char *want = party_for(t, role);
		if (strcmp(by, want) != 0)
			return kerr_set(
			    e, K_EVERIFY,
			    "section %d (%s): signature as %s is by %s, not the %s named in "
			    "the offer (%s)",
			    i, kind, role, shown(by, sh), role, want);
		unsigned bit = order_role_bit(role);
		if (*roles & bit)
			return kerr_set(e, K_EVERIFY, "section %d (%s): signed twice as %s", i,
			                kind, role);
		*roles |= bit;
		if (kcrypto_verify_object_b64(dom, body, strlen(body), by, sig, NULL) != K_OK)
			return kerr_set(e, K_EVERIFY,
			                "section %d (%s): signature of %s does not verify", i, kind,
			                role);
	}
	return K_OK;
}

static int verify_section(const cJSON *sec, int i, struct vstate *v, struct kerr *e)
{
	char sh[SHOWN_LEN], want[KCRYPTO_HASH_B64_LEN + 1];
	const char *kind = str_item(sec, "kind"), *body = str_item(sec, "body"),
	           *hash = str_item(sec, "hash");
	int rc;
	if (!cJSON_IsObject(sec) || !contract_kind_valid(kind))
		return kerr_set(e, K_EINVAL, "section %d: kind '%s' is not a section kind", i,
		                shown(kind, sh));
	if (!body || !hash)
		return kerr_set(e, K_EINVAL, "section %d (%s): needs body and hash", i, kind);
	size_t blen = strlen(body);
	if (blen > CONTRACT_BODY_MAX)
		return kerr_set(e, K_ETOOBIG, "section %d (%s): body over %d bytes", i, kind,
		                CONTRACT_BODY_MAX);
	kcrypto_hash_b64url(body, blen, want);
	if (strcmp(want, hash) != 0)
		return kerr_set(e, K_EVERIFY, "section %d (%s): hash does not match its body", i,
		                kind);
	copy_fixed(v->hashes[i], sizeof v->hashes[i], hash);
	if (i == 0 && strcmp(kind, "offer") != 0)
		return kerr_set(e, K_EVERIFY, "section 0 (%s): a contract opens with an offer",
		                kind);
	if (v->cancelled)
		return kerr_set(e, K_EVERIFY,
		                "section %d (%s): follows the cancellation in section %d", i, kind,
		                v->cancelled);

	cJSON *b = NULL;
	struct kerr pe = {0, ""};
	if (canon_parse(body, blen, &b, &pe) != K_OK || canon_check(body, blen, &pe) != K_OK) {
		cJSON_Delete(b);
		return kerr_set(e, K_EVERIFY, "section %d (%s): body is not canonical JSON: %s", i,
		                kind, pe.msg);
	}
	char prevbuf[KCRYPTO_HASH_B64_LEN + 1];
	const char *prev = str_item(b, "prev");
	if (prev)
		copy_fixed(prevbuf, sizeof prevbuf, prev);
	prev = prev ? prevbuf : NULL; /* b is freed below */
	const struct contract_terms *parties = &v->first;
	struct contract_terms t;
	memset(&t, 0, sizeof t);
	int is_offer = strcmp(kind, "offer") == 0;
	/* What the section says it moves, for the rules (absent: -1). */
	struct order_act act = {order_step_parse(kind), 0, -1, 0, -1, -1};
	get_int(b, "", "amount", 0, &act.amount, NULL);
	get_int(b, "", "stage", 0, &act.stage, NULL);
	get_int(b, "", "buyerAmount", 0, &act.to_buyer, NULL);
	get_int(b, "", "sellerAmount", 0, &act.to_seller, NULL);
	char at[ORDER_TIME_LEN + 1] = ""; /* when a delivery was, for a stage N days after it */
	if (str_item(b, "at"))
		copy_fixed(at, sizeof at, str_item(b, "at"));
	if (is_offer) {
		if ((rc = contract_terms_from_json(b, &t, e)) != K_OK) {
			cJSON_Delete(b);
			kerr_prefix(e, "section %d (offer)", i);
			return rc;
		}
		parties = &t;
	} else if ((rc = event_validate(b, e)) != K_OK) {
		cJSON_Delete(b);
		kerr_prefix(e, "section %d (%s)", i, kind);
		return rc;
	}
	cJSON_Delete(b);
	b = NULL;

	/* The chain. */
	if (i == 0 ? prev != NULL : (!prev || strcmp(prev, v->hashes[i - 1]) != 0)) {
		rc = i == 0 ? kerr_set(e, K_EVERIFY,
		                       "section 0 (offer): the first section has no prev")
		            : kerr_set(e, K_EVERIFY,
		                       "section %d (%s): prev does not name section %d (sections "
		                       "dropped or reordered)",
		                       i, kind, i - 1);
		goto out;
	}
	if (is_offer) {
		if (i == 0 && *t.supersedes) {
			rc = kerr_set(e, K_EVERIFY,
			              "section 0 (offer): supersedes an offer not here");
			goto out;
		}
		if (i > 0) {
			if (v->binding >= 0) {
				rc = kerr_set(e, K_EVERIFY,
				              "section %d (offer): the offer in section %d is "
				              "already binding",
				              i, v->binding);
				goto out;
			}
			if (strcmp(t.supersedes, v->hashes[v->latest_offer]) != 0) {
				rc = kerr_set(
				    e, K_EVERIFY,
				    "section %d (offer): a counter-offer must supersede the offer "
				    "in section %d",
				    i, v->latest_offer);
				goto out;
			}
			if (strcmp(t.buyer, v->first.buyer) || strcmp(t.seller, v->first.seller) ||
			    strcmp(t.escrow_agent, v->first.escrow_agent)) {
				rc = kerr_set(
				    e, K_EVERIFY,
				    "section %d (offer): buyer, seller and escrowAgent must stay "
				    "those of section 0",
				    i);
				goto out;
			}
		}
	} else if (v->binding < 0 && strcmp(kind, "cancelled") != 0) {
		rc = kerr_set(e, K_EVERIFY, "section %d (%s): no binding offer before it", i, kind);
		goto out;
	}

	unsigned roles = 0;
	if ((rc = verify_sigs(sec, i, kind, body, parties, &roles, e)) != K_OK)
		goto out;
	/* The order: every event after the binding offer is a step the rules allow from where
	 * the order stands, moving the money the terms say. */
	if (!is_offer && v->binding >= 0) {
		act.roles = roles;
		rc = order_next(&v->terms, &v->progress, &act, &v->effect[i], e);
		if (rc != K_OK) {
			kerr_prefix(e, "section %d (%s)", i, kind);
			rc = e->code = rc == K_ECONFLICT ? K_ECONFLICT : K_EVERIFY;
			goto out;
		}
		if (act.step == ORDER_DELIVER)
			memcpy(v->progress.delivered, at, sizeof at);
		if (v->effect[i].money >= ORDER_MONEY_RELEASE) /* escrow paid out */
			memcpy(v->progress.settled, at, sizeof at);
	}
	v->after[i] = v->progress;
	if (is_offer) {
		v->latest_offer = i;
		if ((roles & (ORDER_BUYER | ORDER_SELLER)) == (ORDER_BUYER | ORDER_SELLER)) {
			v->binding = i;
			contract_terms_order(&t, &v->terms);
		}
		if (!v->have_first) {
			v->first = t;
			v->have_first = 1;
			return K_OK; /* t now lives in v->first */
		}
	} else if (strcmp(kind, "cancelled") == 0) {
		v->cancelled = i;
	}
	rc = K_OK;
out:
	if (is_offer)
		contract_terms_free(&t);
	return rc;
}

const char *contract_state_name(const struct contract_status *st)
{
	if (strcmp(st->last_kind, "cancelled") == 0)
		return "cancelled";
	if (st->binding >= 0)
		return "binding";
	return st->latest_offer > 0 ? "countered" : "offer";
}

int contract_verify(const cJSON *contract, struct contract_status *st, struct kerr *e)
{
	const cJSON *secs = item(contract, "sections"), *c;
	if (!cJSON_IsObject(contract))
		return kerr_set(e, K_EINVAL, "contract: must be an object");
	if (!cJSON_IsArray(secs))
		return kerr_set(e, K_EINVAL, "sections: %s", secs ? "must be an array" : "missing");
	int n = cJSON_GetArraySize(secs);
	if (n < 1)
		return kerr_set(e, K_EINVAL, "sections: a contract has at least its offer");
	if (n > CONTRACT_MAX_SECTIONS)
		return kerr_set(e, K_ETOOBIG, "sections: %d, over %d", n, CONTRACT_MAX_SECTIONS);

	struct vstate *v = xcalloc(1, sizeof *v);
	v->latest_offer = -1;
	v->binding = -1;
	order_progress_start(&v->progress);
	int i = 0, rc = K_OK;
	cJSON_ArrayForEach(c, secs)
	{
		if ((rc = verify_section(c, i, v, e)) != K_OK)
			goto out;
		i++;
	}
	/* The envelope: its fields are not signed, so they must agree with what is. */
	const char *id = str_item(contract, "id"), *buyer = str_item(contract, "buyerId"),
	           *seller = str_item(contract, "sellerId");
	if (!id || strcmp(id, v->hashes[0]) != 0) {
		rc = kerr_set(e, K_EVERIFY, "id: is not the hash of section 0");
		goto out;
	}
	if (!buyer || strcmp(buyer, v->first.buyer) != 0 || !seller ||
	    strcmp(seller, v->first.seller) != 0) {
		rc = kerr_set(e, K_EVERIFY, "buyerId/sellerId: not the parties named in the offer");
		goto out;
	}
	if ((rc = model_validate("Contract", contract, e)) != K_OK)
		goto out;
	if (st) {
		memset(st, 0, sizeof *st);
		st->nsections = (size_t)n;
		st->latest_offer = v->latest_offer;
		st->binding = v->binding;
		if (v->binding >= 0)
			copy_fixed(st->order_id, sizeof st->order_id, v->hashes[v->binding]);
		copy_fixed(st->last_kind, sizeof st->last_kind,
		           str_item(cJSON_GetArrayItem(secs, n - 1), "kind"));
		st->terms = v->terms;
		st->progress = v->progress;
		memcpy(st->after, v->after, (size_t)n * sizeof *st->after);
		memcpy(st->effect, v->effect, (size_t)n * sizeof *st->effect);
	}
out:
	if (v->have_first)
		contract_terms_free(&v->first);
	free(v);
	return rc;
}

/* ---------------------------------------------------------------- rendering */

/* One line per Incoterms 2020 rule: who delivers where, where risk passes (%s = place). */
static const struct {
	const char *code, *text;
} incoterm_text[] = {
    {"EXW", "the seller makes the goods available at %s; the buyer loads them and bears all "
            "risk and cost from there"},
    {"FCA", "the seller hands the goods, cleared for export, to the buyer's carrier at %s; risk "
            "passes on handover"},
    {"FAS", "the seller places the goods alongside the buyer's vessel at the port of %s; risk "
            "passes there"},
    {"FOB", "the seller loads the goods on board the buyer's vessel at the port of %s; risk "
            "passes once they are on board"},
    {"CFR", "the seller pays the sea freight to the port of %s; risk passes once the goods are "
            "on board at the port of shipment"},
    {"CIF", "the seller pays sea freight and insurance to the port of %s; risk passes once the "
            "goods are on board at the port of shipment"},
    {"CPT", "the seller pays the carriage to %s; risk passes when the goods are handed to the "
            "first carrier"},
    {"CIP", "the seller pays carriage and insurance to %s; risk passes when the goods are "
            "handed to the first carrier"},
    {"DAP", "the seller delivers the goods, ready for unloading, at %s and bears the risk until "
            "then; the buyer clears import"},
    {"DPU", "the seller delivers and unloads the goods at %s and bears the risk until then; the "
            "buyer clears import"},
    {"DDP", "the seller delivers the goods at %s cleared for import with duties paid, bearing "
            "all risk and cost until then"},
};

static void put_money(struct kbuf *b, int64_t v, const char *cur)
{
	char m[MONEY_FMT_MAX];
	money_text(v, cur, m);
	kbuf_printf(b, "%s %s", m, cur);
}

/* The payment terms in words, then each stage with its amount: the numbers order.h
 * computes, so the document says what the node takes at each `order pay`. */
static void render_payment(const struct contract_terms *t, struct kbuf *b)
{
	struct order_terms ot;
	contract_terms_order(t, &ot);
	int64_t dep = order_stages_deposit_pct(ot.stages, ot.nstages);
	char due[ORDER_DUE_LEN];
	/* a stage due on or after delivery: the rules release nothing until it is paid */
	int later = 0;
	for (size_t i = 0; i < ot.nstages; i++)
		later |= ot.stages[i].due >= ORDER_DUE_DELIVERY;
	const char *once =
	    later ? (ot.nstages == 1 ? " once it is paid," : " once every stage is paid,") : "";
	if (dep > 0 && dep < 100)
		kbuf_printf(b,
		            "\nPayment: %" PRId64
		            "%% deposit into escrow held by the node; released "
		            "to the seller %" PRId64 " days after delivery unless disputed. The "
		            "remaining %" PRId64 "%% is paid into escrow before shipment.\n",
		            dep, t->auto_release_days, 100 - dep);
	else if (ot.nstages == 1) {
		order_due_words(&ot.stages[0], due);
		kbuf_printf(b,
		            "\nPayment: 100%% into escrow held by the node, %s; released to the "
		            "seller %" PRId64 " days after delivery%s unless disputed.\n",
		            due, t->auto_release_days, once);
	} else
		kbuf_printf(
		    b,
		    "\nPayment: into escrow held by the node in %zu stages; released to the "
		    "seller %" PRId64 " days after delivery%s unless disputed.\n",
		    ot.nstages, t->auto_release_days, once);
	for (size_t i = 0; i < ot.nstages; i++) {
		order_due_words(&ot.stages[i], due);
		kbuf_printf(b, "  stage %zu: %" PRId64 "%% %s, ", i + 1, ot.stages[i].pct, due);
		put_money(b, order_stage_amount(&ot, i), t->currency);
		kbuf_puts(b, "\n");
	}
	if (ot.nstages > 1)
		kbuf_puts(b, "  (each stage is its share of the total rounded down to the minor "
		             "unit; the last stage takes what is left)\n");
}

/* "Name, line, line, postcode city, CC; VAT DE123, EORI DE456" on one line. */
static void party_line(struct kbuf *b, const struct contract_party *p)
{
	put_clean(b, p->name, 0);
	for (size_t i = 0; i < p->nlines; i++) {
		kbuf_puts(b, ", ");
		put_clean(b, p->lines[i], 0);
	}
	if (p->nlines) {
		kbuf_puts(b, ", ");
		if (p->postcode) {
			put_clean(b, p->postcode, 0);
			kbuf_putc(b, ' ');
		}
		put_clean(b, p->city, 0);
		kbuf_printf(b, ", %s", p->country);
	}
	for (size_t i = 0; i < p->ntax_ids; i++) {
		kbuf_puts(b, i ? ", " : "; ");
		put_clean(b, p->tax_ids[i].scheme, 0);
		kbuf_putc(b, ' ');
		put_clean(b, p->tax_ids[i].id, 0);
	}
}

/* Weights in kg with up to 3 decimals, trailing zeros dropped: "12.5". */
static void put_kg(struct kbuf *b, int64_t grams)
{
	char s[32];
	model_kg_text(grams, s);
	kbuf_puts(b, s);
}

/* An item's variant, weights, packages and marks on one line under it, when it has any. */
static void put_item_extras(struct kbuf *b, const struct contract_item *it)
{
	if (*it->variant_sku)
		kbuf_printf(b, "      variant SKU %s\n", it->variant_sku);
	if (!it->net_grams && !it->gross_grams && !it->packages && !it->marks)
		return;
	kbuf_puts(b, "     ");
	if (it->net_grams) {
		kbuf_puts(b, " net ");
		put_kg(b, it->net_grams);
		kbuf_puts(b, " kg a unit;");
	}
	if (it->gross_grams) {
		kbuf_puts(b, " gross ");
		put_kg(b, it->gross_grams);
		kbuf_puts(b, " kg a unit;");
	}
	if (it->packages) {
		const struct package_code *pc = codes_package(it->package_code);
		kbuf_printf(b, " %" PRId64 " x %s (%s);", it->packages,
		            pc ? pc->name : it->package_code, it->package_code);
	}
	if (it->marks) {
		kbuf_puts(b, " marks ");
		put_clean(b, it->marks, 0);
	}
	kbuf_putc(b, '\n');
}

static void pad_to(struct kbuf *b, size_t from, size_t to)
{
	for (; from < to; from++)
		kbuf_putc(b, ' ');
}

/* The Items table within width columns: every description whole, wrapped in its column;
 * the HS code and origin move under the row when the row would leave the description too
 * narrow a column, and each item becomes a block of lines when even that does not fit. */
static void render_items(const struct contract_terms *t, struct kbuf *b, int width)
{
	enum { MAXL = 64 };
	size_t n = t->nitems, W = width > 0 ? (size_t)width : 100;
	char(*qty)[24] = xcalloc(n ? n : 1, sizeof *qty);
	char(*up)[MONEY_FMT_MAX + 8] = xcalloc(n ? n : 1, sizeof *up);
	char(*lt)[MONEY_FMT_MAX + 8] = xcalloc(n ? n : 1, sizeof *lt);
	size_t qw = 3, uw = 4, pw = 10, lw = 10, hw = 7, ow = 6;
	for (size_t i = 0; i < n; i++) {
		const struct contract_item *it = &t->items[i];
		const struct unit *u = codes_unit(it->unit);
		char m[MONEY_FMT_MAX];
		int64_t line = 0;
		snprintf(qty[i], sizeof qty[i], "%" PRId64, it->qty);
		money_text(it->unit_price, t->currency, m);
		snprintf(up[i], sizeof up[i], "%s %s", m, t->currency);
		if (money_mul(it->unit_price, it->qty, &line, NULL) != K_OK)
			line = 0;
		money_text(line, t->currency, m);
		snprintf(lt[i], sizeof lt[i], "%s %s", m, t->currency);
#define WIDEST(v, s)                                                                               \
	do {                                                                                       \
		size_t w_ = text_width(s);                                                         \
		if (w_ > (v))                                                                      \
			(v) = w_;                                                                  \
	} while (0)
		WIDEST(qw, qty[i]);
		WIDEST(uw, u ? u->name : it->unit);
		WIDEST(pw, up[i]);
		WIDEST(lw, lt[i]);
		WIDEST(hw, *it->hs_code ? it->hs_code : "-");
		WIDEST(ow, *it->origin ? it->origin : "-");
#undef WIDEST
	}
	/* "  #   description  qty  unit  unit price  line total  HS code  origin" */
	size_t fixed = 6 + 2 + qw + 2 + uw + 2 + pw + 2 + lw, tail = 2 + hw + 2 + ow;
	int codes_in_row = W >= fixed + tail + 24;
	size_t dw =
	    W > fixed + (codes_in_row ? tail : 0) ? W - fixed - (codes_in_row ? tail : 0) : 0;
	int table = dw >= 16;
	size_t widest = 11; /* "description" */
	for (size_t i = 0; i < n; i++) {
		struct kbuf d = KBUF_INIT;
		text_sanitize(&d, t->items[i].description, strlen(t->items[i].description), 0);
		if (text_width(kbuf_str(&d)) > widest)
			widest = text_width(kbuf_str(&d));
		kbuf_free(&d);
	}
	if (dw > widest)
		dw = widest; /* a wide terminal: no wider than the longest description */
	kbuf_puts(b, "\nItems\n");
	if (table) {
		size_t at = b->len;
		kbuf_printf(b, "  %-3s %-*s  %*s  %-*s  %*s  %*s", "#", (int)dw, "description",
		            (int)qw, "qty", (int)uw, "unit", (int)pw, "unit price", (int)lw,
		            "line total");
		if (codes_in_row)
			kbuf_printf(b, "  %-*s  %s", (int)hw, "HS code", "origin");
		while (b->len > at && b->data[b->len - 1] == ' ')
			b->len--;
		kbuf_putc(b, '\n');
	}
	for (size_t i = 0; i < n; i++) {
		const struct contract_item *it = &t->items[i];
		const struct unit *u = codes_unit(it->unit);
		const char *hs = *it->hs_code ? it->hs_code : "-",
		           *org = *it->origin ? it->origin : "-";
		struct kbuf lines[MAXL];
		size_t nl =
		    text_wrap(it->description, table ? dw : (W > 6 ? W - 6 : 1), lines, MAXL);
		if (table) {
			for (size_t k = 0; k < nl; k++) {
				size_t at = b->len;
				if (k == 0)
					kbuf_printf(b, "  %-3zu ", i + 1);
				else
					kbuf_puts(b, "      ");
				kbuf_puts(b, kbuf_str(&lines[k]));
				if (k == 0) {
					pad_to(b, text_width(kbuf_str(&lines[k])), dw);
					kbuf_printf(b, "  %*s  %-*s  %*s  %*s", (int)qw, qty[i],
					            (int)uw, u ? u->name : it->unit, (int)pw, up[i],
					            (int)lw, lt[i]);
					if (codes_in_row)
						kbuf_printf(b, "  %-*s  %s", (int)hw, hs, org);
				}
				while (b->len > at && b->data[b->len - 1] == ' ')
					b->len--;
				kbuf_putc(b, '\n');
			}
			if (!codes_in_row)
				kbuf_printf(b, "      HS code %s, origin %s\n", hs, org);
		} else {
			for (size_t k = 0; k < nl; k++) {
				if (k == 0)
					kbuf_printf(b, "  %-3zu ", i + 1);
				else
					kbuf_puts(b, "      ");
				kbuf_printf(b, "%s\n", kbuf_str(&lines[k]));
			}
			kbuf_printf(b, "      %s %s\n      at %s\n      = %s\n", qty[i],
			            u ? u->name : it->unit, up[i], lt[i]);
			kbuf_printf(b, "      HS code %s, origin %s\n", hs, org);
		}
		for (size_t k = 0; k < nl; k++)
			kbuf_free(&lines[k]);
		/* the listing and its hash: on one line when it fits */
		size_t one = 6 + 8 + strlen(it->listing_id) + 7 + strlen(it->listing_hash);
		if (one <= W)
			kbuf_printf(b, "      listing %s, hash %s\n", it->listing_id,
			            it->listing_hash);
		else
			kbuf_printf(b, "      listing %s\n      hash %s\n", it->listing_id,
			            it->listing_hash);
		put_item_extras(b, it);
	}
	free(qty);
	free(up);
	free(lt);
}

static void render_terms(const struct contract_terms *t, struct kbuf *b, int width)
{
	kbuf_puts(b, "Buyer:        ");
	kbuf_puts(b, t->buyer);
	if (t->buyer_party.name) {
		kbuf_puts(b, "\n              ");
		party_line(b, &t->buyer_party);
	}
	kbuf_puts(b, "\nSeller:       ");
	kbuf_puts(b, t->seller);
	if (t->seller_party.name) {
		kbuf_puts(b, "\n              ");
		party_line(b, &t->seller_party);
	}
	kbuf_puts(b, "\nEscrow agent: ");
	kbuf_puts(b, t->escrow_agent);
	kbuf_puts(b, " (the node)\n");
	if (*t->created) { /* for a person: local time (the document keeps UTC) */
		char when[KTIME_LOCAL_MAX];
		kbuf_printf(b, "Offered:      %s (nonce %s)\n",
		            ktime_local(t->created, when, sizeof when),
		            *t->nonce ? t->nonce : "none");
	}
	if (*t->supersedes)
		kbuf_printf(b, "This offer counters and replaces offer %s.\n", t->supersedes);
	render_items(t, b, width);
	for (size_t i = 0; i < t->ncharges; i++) {
		kbuf_printf(b, "Charge, %s: ", t->charges[i].kind);
		put_money(b, t->charges[i].amount, t->currency);
		kbuf_putc(b, '\n');
	}
	kbuf_puts(b, "Total: ");
	put_money(b, t->total, t->currency);
	kbuf_puts(b, "\n\nDelivery: ");
	kbuf_printf(b, "%s ", t->incoterm);
	put_clean(b, t->named_place, 0);
	kbuf_puts(b, " (Incoterms 2020");
	const struct incoterm *ic = codes_incoterm(t->incoterm);
	if (ic)
		kbuf_printf(b, ", %s", ic->name);
	kbuf_puts(b, "): ");
	for (size_t i = 0; i < sizeof incoterm_text / sizeof incoterm_text[0]; i++) {
		if (strcmp(incoterm_text[i].code, t->incoterm) != 0)
			continue;
		const char *pct = strstr(incoterm_text[i].text, "%s");
		kbuf_append(b, incoterm_text[i].text, (size_t)(pct - incoterm_text[i].text));
		put_clean(b, t->named_place, 0);
		kbuf_puts(b, pct + 2);
	}
	kbuf_printf(b, ".\nShipment by %s. Ship by %s; deliver by %s.\n", t->mode, t->ship_by,
	            t->deliver_by);
	if (t->port_loading || t->port_discharge) {
		kbuf_puts(b, "Loading at ");
		put_clean(b, t->port_loading ? t->port_loading : "(not said)", 0);
		kbuf_puts(b, "; discharge at ");
		put_clean(b, t->port_discharge ? t->port_discharge : "(not said)", 0);
		kbuf_puts(b, ".\n");
	}
	render_payment(t, b);
	kbuf_puts(b, "Quality: ");
	put_clean(b, t->quality && *t->quality ? t->quality : "(no terms)", 1);
	kbuf_puts(b, "\nInspection: ");
	put_clean(b, t->inspection && *t->inspection ? t->inspection : "(no terms)", 1);
	kbuf_puts(b, "\nGoverning law: ");
	put_clean(b, t->governing_law, 0);
	kbuf_puts(b, "\nDisputes: ");
	put_clean(b, t->dispute_venue, 0);
	kbuf_printf(b, "\nLanguage: %s\n", t->language);
}

/* Appends b's lines to out, each longer than width columns broken at spaces onto lines
 * indented as it was (two more when it was indented less than a quarter of the width). */
static void wrap_prose(struct kbuf *out, const struct kbuf *b, size_t width)
{
	const char *p = b->data ? b->data : "", *end = p + b->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = xmalloc(len + 1);
		memcpy(line, p, len);
		line[len] = '\0';
		if (text_width(line) <= width) {
			kbuf_append(out, line, len);
		} else {
			size_t ind = strspn(line, " ");
			size_t more = ind < width / 4 ? ind + 2 : ind;
			if (more + 16 > width)
				ind = more = 0;
			struct kbuf parts[64];
			/* the first line at its own indent, the rest at the hanging one */
			size_t n = text_wrap(line + ind, width - more, parts, 64);
			for (size_t k = 0; k < n; k++) {
				pad_to(out, 0, k ? more : ind);
				kbuf_puts(out, kbuf_str(&parts[k]));
				if (k + 1 < n)
					kbuf_putc(out, '\n');
				kbuf_free(&parts[k]);
			}
		}
		free(line);
		if (nl)
			kbuf_putc(out, '\n');
		p = nl ? nl + 1 : end;
	}
}

int contract_render(const cJSON *contract, struct kbuf *out, struct kerr *e)
{
	return contract_render_width(contract, 0, out, e);
}

int contract_render_width(const cJSON *contract, int width, struct kbuf *out, struct kerr *e)
{
	char sh[SHOWN_LEN];
	int lo = contract_latest_offer(contract);
	const cJSON *secs = item(contract, "sections");
	if (lo < 0)
		return kerr_set(e, K_EINVAL, "sections: no offer to show");
	struct contract_terms t;
	int rc = contract_section_terms(cJSON_GetArrayItem(secs, lo), &t, e);
	if (rc != K_OK) {
		kerr_prefix(e, "section %d (offer)", lo);
		return rc;
	}
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "Contract %s\n", shown(str_item(contract, "id"), sh));
	kbuf_printf(&b, "Offer in section %d (%s)\n\n", lo,
	            shown(str_item(cJSON_GetArrayItem(secs, lo), "hash"), sh));
	render_terms(&t, &b, width);
	contract_terms_free(&t);

	kbuf_puts(&b,
	          "\nSections (signatures listed here are not checked; verify to check them)\n");
	const cJSON *c;
	int i = 0;
	cJSON_ArrayForEach(c, secs)
	{
		if (i >= CONTRACT_MAX_SECTIONS)
			break;
		kbuf_printf(&b, "  %d %s", i, shown(str_item(c, "kind"), sh));
		kbuf_printf(&b, " %s\n", shown(str_item(c, "hash"), sh));
		const cJSON *s, *sigs = item(c, "signatures");
		int k = 0;
		cJSON_ArrayForEach(s, sigs)
		{
			if (k++ >= CONTRACT_MAX_SIGS)
				break;
			kbuf_printf(&b, "      signed by %s", shown(str_item(s, "by"), sh));
			kbuf_printf(&b, " as %s\n", shown(str_item(s, "role"), sh));
		}
		i++;
	}
	if (width > 0)
		wrap_prose(out, &b, (size_t)width);
	else
		kbuf_append(out, b.data ? b.data : "", b.len);
	kbuf_free(&b);
	return K_OK;
}

/* ---------------------------------------------------------------- diff */

static void diff_str(struct kbuf *b, const char *label, const char *a, const char *c)
{
	if (!a)
		a = "";
	if (!c)
		c = "";
	if (strcmp(a, c) == 0)
		return;
	kbuf_printf(b, "%s: ", label);
	put_clean(b, *a ? a : "(none)", 0);
	kbuf_puts(b, " -> ");
	put_clean(b, *c ? c : "(none)", 0);
	kbuf_putc(b, '\n');
}

static void diff_int(struct kbuf *b, const char *label, int64_t a, int64_t c, const char *suffix)
{
	if (a != c)
		kbuf_printf(b, "%s: %" PRId64 "%s -> %" PRId64 "%s\n", label, a, suffix, c, suffix);
}

static void diff_money(struct kbuf *b, const char *label, int64_t a, const char *ca, int64_t c,
                       const char *cc)
{
	if (a == c && strcmp(ca, cc) == 0)
		return;
	kbuf_printf(b, "%s: ", label);
	put_money(b, a, ca);
	kbuf_puts(b, " -> ");
	put_money(b, c, cc);
	kbuf_putc(b, '\n');
}

/* The payment stages in words, the new with their amounts: "payment into escrow: 100% before
 * shipment -> 30% on signing (975,000 VND), 70% before shipment (2,275,000 VND)". */
static void diff_stages(struct kbuf *b, const struct contract_terms *o,
                        const struct contract_terms *n)
{
	struct order_terms a, c;
	contract_terms_order(o, &a);
	contract_terms_order(n, &c);
	if (a.nstages == c.nstages && memcmp(a.stages, c.stages, a.nstages * sizeof *a.stages) == 0)
		return;
	kbuf_puts(b, "payment into escrow: ");
	contract_payment_words(o, 0, b);
	kbuf_puts(b, " -> ");
	contract_payment_words(n, 1, b);
	kbuf_putc(b, '\n');
}

static void diff_party(struct kbuf *out, const char *label, const struct contract_party *a,
                       const struct contract_party *c)
{
	struct kbuf x = KBUF_INIT, y = KBUF_INIT;
	if (a->name)
		party_line(&x, a);
	if (c->name)
		party_line(&y, c);
	diff_str(out, label, kbuf_str(&x), kbuf_str(&y));
	kbuf_free(&x);
	kbuf_free(&y);
}

void contract_changed_words(const struct contract_terms *o, const struct contract_terms *n,
                            struct kbuf *out)
{
	struct kbuf d = KBUF_INIT;
	struct kstrv said = {0};
	contract_diff(o, n, &d);
	for (const char *p = kbuf_str(&d); *p;) {
		const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
		const char *colon = strstr(p, ": ");
		if (colon && colon < end) {
			const char *f = p;
			if (strncmp(f, "items[", 6) == 0 && strchr(f, ']') &&
			    strchr(f, ']') < colon) {
				f = strchr(f, ']') + 1;
				f += *f == '.';
			}
			char word[64];
			snprintf(word, sizeof word, "%.*s", (int)(colon - f), f);
			if (strcmp(word, "qty") == 0)
				snprintf(word, sizeof word, "quantity");
			else if (!*word)
				snprintf(word, sizeof word, "items");
			int seen = 0; /* each once */
			for (size_t i = 0; i < said.n && !seen; i++)
				seen = strcmp(said.v[i], word) == 0;
			if (!seen) {
				kstrv_push(&said, word);
				kbuf_printf(out, "%s%s", said.n > 1 ? ", " : "", word);
			}
		}
		p = nl ? nl + 1 : end;
	}
	kstrv_free(&said);
	kbuf_free(&d);
}

int contract_offer_pair(const cJSON *doc, struct contract_terms *old_t,
                        struct contract_terms *new_t)
{
	const cJSON *secs = item(doc, "sections");
	int lo = doc ? contract_latest_offer(doc) : -1;
	struct kerr e = {0, ""};
	if (lo < 0 || contract_section_terms(cJSON_GetArrayItem(secs, lo), new_t, &e) != K_OK ||
	    !new_t->supersedes[0])
		return 0;
	const cJSON *sec;
	cJSON_ArrayForEach(sec, (cJSON_IsArray(secs) ? secs : NULL))
	{
		const char *h = str_item(sec, "hash"), *k = str_item(sec, "kind");
		if (h && k && strcmp(k, "offer") == 0 && strcmp(h, new_t->supersedes) == 0)
			return contract_section_terms(sec, old_t, &e) == K_OK;
	}
	return 0;
}

void contract_diff(const struct contract_terms *o, const struct contract_terms *n, struct kbuf *out)
{
	char l[PATH_LEN];
	diff_str(out, "buyer", o->buyer, n->buyer);
	diff_str(out, "seller", o->seller, n->seller);
	if (o->nitems != n->nitems)
		kbuf_printf(out, "items: %zu -> %zu\n", o->nitems, n->nitems);
	size_t common = o->nitems < n->nitems ? o->nitems : n->nitems;
	for (size_t i = 0; i < common; i++) {
		const struct contract_item *a = &o->items[i], *c = &n->items[i];
#define L(name) (snprintf(l, sizeof l, "items[%zu].%s", i, name), l)
		diff_str(out, L("listing"), a->listing_id, c->listing_id);
		diff_str(out, L("listing hash"), a->listing_hash, c->listing_hash);
		diff_str(out, L("description"), a->description, c->description);
		diff_int(out, L("qty"), a->qty, c->qty, "");
		diff_str(out, L("unit"), a->unit, c->unit);
		diff_money(out, L("unit price"), a->unit_price, o->currency, c->unit_price,
		           n->currency);
		diff_str(out, L("HS code"), a->hs_code, c->hs_code);
		diff_str(out, L("origin"), a->origin, c->origin);
		diff_int(out, L("net grams a unit"), a->net_grams, c->net_grams, "");
		diff_int(out, L("gross grams a unit"), a->gross_grams, c->gross_grams, "");
		diff_int(out, L("packages"), a->packages, c->packages, "");
		diff_str(out, L("package code"), a->package_code, c->package_code);
		diff_str(out, L("marks"), a->marks, c->marks);
		diff_str(out, L("variant"), a->variant_sku, c->variant_sku);
#undef L
	}
	for (size_t i = common; i < o->nitems; i++) {
		kbuf_printf(out, "items[%zu]: removed ", i);
		put_clean(out, o->items[i].description, 0);
		kbuf_printf(out, " (%" PRId64 " %s)\n", o->items[i].qty,
		            codes_unit_count(o->items[i].unit, o->items[i].qty));
	}
	for (size_t i = common; i < n->nitems; i++) {
		char m[MONEY_FMT_MAX];
		money_format(n->items[i].unit_price, n->currency, m);
		kbuf_printf(out, "items[%zu]: added ", i);
		put_clean(out, n->items[i].description, 0);
		kbuf_printf(out, " (%" PRId64 " %s at %s %s)\n", n->items[i].qty,
		            codes_unit_count(n->items[i].unit, n->items[i].qty), m, n->currency);
	}
	diff_str(out, "currency", o->currency, n->currency);
	diff_money(out, "total", o->total, o->currency, n->total, n->currency);
	diff_str(out, "incoterm", o->incoterm, n->incoterm);
	diff_str(out, "named place", o->named_place, n->named_place);
	diff_str(out, "shipment mode", o->mode, n->mode);
	diff_str(out, "ship by", o->ship_by, n->ship_by);
	diff_str(out, "deliver by", o->deliver_by, n->deliver_by);
	diff_stages(out, o, n);
	diff_int(out, "auto-release", o->auto_release_days, n->auto_release_days, " days");
	diff_str(out, "quality", o->quality, n->quality);
	diff_str(out, "inspection", o->inspection, n->inspection);
	diff_str(out, "governing law", o->governing_law, n->governing_law);
	diff_str(out, "dispute venue", o->dispute_venue, n->dispute_venue);
	diff_str(out, "language", o->language, n->language);
	diff_str(out, "escrow agent", o->escrow_agent, n->escrow_agent);
	diff_party(out, "buyer details", &o->buyer_party, &n->buyer_party);
	diff_party(out, "seller details", &o->seller_party, &n->seller_party);
	diff_str(out, "port of loading", o->port_loading, n->port_loading);
	diff_str(out, "port of discharge", o->port_discharge, n->port_discharge);
	for (size_t k = 0; codes_charge_kinds[k]; k++) {
		int64_t a = -1, c = -1;
		for (size_t i = 0; i < o->ncharges; i++)
			if (strcmp(o->charges[i].kind, codes_charge_kinds[k]) == 0)
				a = o->charges[i].amount;
		for (size_t i = 0; i < n->ncharges; i++)
			if (strcmp(n->charges[i].kind, codes_charge_kinds[k]) == 0)
				c = n->charges[i].amount;
		if (a == c)
			continue;
		kbuf_printf(out, "%s charge: ", codes_charge_kinds[k]);
		if (a < 0)
			kbuf_puts(out, "(none)");
		else
			put_money(out, a, o->currency);
		kbuf_puts(out, " -> ");
		if (c < 0)
			kbuf_puts(out, "(none)");
		else
			put_money(out, c, n->currency);
		kbuf_putc(out, '\n');
	}
}
