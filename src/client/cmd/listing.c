/* listing commands: add, show, edit, pause, resume, rm, list and export a seller's products.
 * Every write signs the listing, stores it in the cache and queues it in the outbox in one
 * transaction; until sync delivers it the command exits 4 (queued). */
#include "cmd.h"
#include "../stock.h"
#include "resolve.h"
#include "picture.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../store/store.h"
#include "kontor/buf.h"
#include "kontor/codes.h"
#include "kontor/csv.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "kontor/model.h"
#include "kontor/money.h"
#include "kontor/text.h"

#define IMAGE_MAX_BYTES (10u << 20)

/* Strict whole number in [min, max]; names the option in the message. */
static int parse_int(const char *opt, const char *s, int64_t min, int64_t max, int64_t *out,
                     struct kerr *e)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno || s[0] == '+' || s[0] == ' ')
		return kerr_set(e, K_EINVAL, "--%s: '%s' is not a whole number", opt, s);
	if (v < min || v > max)
		return kerr_set(e, K_EINVAL, "--%s: %lld is out of range (%lld to %lld)", opt, v,
		                (long long)min, (long long)max);
	*out = v;
	return K_OK;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v && *v ? xstrdup(v) : NULL;
}

/* Repeatable options also take comma-separated lists: --tag a,b --tag c. */
static void push_list(struct kstrv *sv, const struct args *a, const char *name, int upper)
{
	const char *v;
	for (int i = 0; (v = arg_nth(a, name, i)); i++) {
		for (const char *p = v, *it; *p;) {
			size_t len = text_list_next(&p, ',', &it);
			if (len) {
				char *item = xstrndup(it, len);
				for (char *q = item; upper && *q; q++)
					if (*q >= 'a' && *q <= 'z')
						*q = (char)(*q - 'a' + 'A');
				kstrv_push(sv, item);
				free(item);
			}
		}
	}
}

static int cmp_tier(const void *x, const void *y)
{
	const struct price_tier *a = x, *b = y;
	return a->min_qty < b->min_qty ? -1 : a->min_qty > b->min_qty;
}

/* --price AMOUNT is the price from the MOQ up; --tier QTY:AMOUNT adds quantity breaks. */
static int apply_prices(struct listing *l, const struct args *a, int is_add, struct kerr *e)
{
	const char *price = arg_get(a, "price");
	int ntier = 0;
	while (arg_nth(a, "tier", ntier))
		ntier++;
	/* a new MOQ alone: each quantity keeps its price, the first now from the MOQ */
	if (!price && arg_get(a, "moq"))
		listing_tiers_from_moq(l);
	if (!price && !ntier)
		return is_add ? kerr_set(e, K_EUSAGE, "listing add: --price is required") : K_OK;
	if (ntier + 1 > MODEL_TIERS_MAX)
		return kerr_set(e, K_EINVAL, "--tier: at most %d price tiers", MODEL_TIERS_MAX);
	/* An edit of the base price keeps the quantity breaks unless new ones are given. */
	size_t keep = !is_add && !ntier && l->ntiers > 1 ? l->ntiers - 1 : 0;
	struct price_tier *t = xcalloc((size_t)ntier + 1 + keep, sizeof *t);
	size_t n = 0;
	int rc = K_OK;
	if (price) {
		t[n].min_qty = l->moq;
		rc = money_parse(price, l->currency, &t[n].unit_price, e);
		if (rc)
			kerr_prefix(e, "--price");
		n++;
	} else if (l->ntiers) {
		t[n++] = l->tiers[0];
	}
	for (size_t i = 0; i < keep; i++)
		t[n++] = l->tiers[i + 1];
	for (int i = 0; rc == K_OK && i < ntier; i++) {
		const char *v = arg_nth(a, "tier", i), *colon = strchr(v, ':');
		if (!colon) {
			rc = kerr_set(e, K_EINVAL, "--tier: '%s' is not QTY:AMOUNT (e.g. 100:9.50)",
			              v);
			break;
		}
		char qty[32];
		snprintf(qty, sizeof qty, "%.*s", (int)(colon - v), v);
		if ((rc = parse_int("tier", qty, 1, MONEY_MAX, &t[n].min_qty, e)))
			break;
		if (t[n].min_qty < l->moq) { /* no buyer orders fewer: no price is ever paid */
			rc = kerr_set(
			    e, K_EUSAGE,
			    "--tier %s: from %" PRId64 " is below the MOQ of %" PRId64
			    " (a break starts above the MOQ; --price is the price from it)",
			    v, t[n].min_qty, l->moq);
			break;
		}
		if ((rc = money_parse(colon + 1, l->currency, &t[n].unit_price, e))) {
			kerr_prefix(e, "--tier %s", v);
			break;
		}
		n++;
	}
	if (rc) {
		free(t);
		return rc;
	}
	qsort(t, n, sizeof *t, cmp_tier);
	size_t at;
	int broken = price_tiers_rule(t, n, 1, &at);
	if (broken) { /* the rule is the model's; the words name what she typed */
		char p[MONEY_FMT_MAX], q[MONEY_FMT_MAX];
		money_format(t[at].unit_price, l->currency, p);
		money_format(at ? t[at - 1].unit_price : 0, l->currency, q);
		const char *opt = ntier ? "--tier" : "--price";
		if (broken == TIERS_FREE)
			rc = kerr_set(e, K_EUSAGE,
			              "%s: %s %s from %" PRId64 " up gives the goods away (a price "
			              "is above 0)",
			              t[at].min_qty == l->moq && price ? "--price" : opt, p,
			              l->currency, t[at].min_qty);
		else if (broken == TIERS_ORDER)
			rc = kerr_set(e, K_EUSAGE,
			              "--tier: two prices from %" PRId64
			              " up (each quantity break starts at its own quantity, above "
			              "the MOQ %" PRId64 ")",
			              t[at].min_qty, l->moq);
		else
			rc =
			    kerr_set(e, K_EUSAGE,
			             "%s: %s %s from %" PRId64 " up is dearer than %s from %" PRId64
			             " up (a break lowers the price)",
			             opt, p, l->currency, t[at].min_qty, q, t[at - 1].min_qty);
		free(t);
		return rc;
	}
	free(l->tiers);
	l->tiers = t;
	l->ntiers = n;
	return K_OK;
}

/* One image: an https URL stays a reference; http is refused; anything else is a local
 * file (relative to base_dir when that is given and the path is relative) read, hashed
 * into a blob id and queued as an upload. Messages name the image, not the option. */
int cmd_image_ref(const char *v, const char *base_dir, struct kstrv *images, struct kstrv *uploads,
                  struct kerr *e)
{
	if (strncasecmp(v, "https://", 8) == 0) { /* the scheme in any case, as RFC 3986 has it */
		char *low = xstrdup(v);
		memcpy(low, "https://", 8); /* kept as the signed listing's rule writes it */
		kstrv_push(images, low);
		free(low);
		return K_OK;
	}
	if (strncasecmp(v, "http://", 7) == 0) /* her input's form, not a file: a usage error */
		return kerr_set(e, K_EUSAGE, "%s: only https URLs are accepted", v);
	char *joined = NULL;
	if (base_dir && *base_dir && v[0] != '/') {
		size_t n = strlen(base_dir) + strlen(v) + 2;
		joined = xmalloc(n);
		snprintf(joined, n, "%s/%s", base_dir, v);
	}
	const char *path = joined ? joined : v;
	if (strcmp(path, "-") == 0) /* never standard input: under the TUI that is the keyboard */
		return kerr_set(e, K_EINVAL, "-: an image is a file or an https URL");
	struct kbuf img = KBUF_INIT;
	int rc = kbuf_read_file(path, IMAGE_MAX_BYTES, &img, e);
	if (rc) {
		kbuf_free(&img);
		free(joined);
		return rc;
	}
	char blob[KCRYPTO_HASH_B64_LEN + 1];
	kcrypto_hash_b64url(img.data, img.len, blob);
	kstrv_push(images, blob);
	char *abs = realpath(path, NULL);
	cJSON *u = cJSON_CreateObject();
	cJSON_AddStringToObject(u, "blobId", blob);
	cJSON_AddStringToObject(u, "path", abs ? abs : path);
	json_add_int(u, "size", (int64_t)img.len);
	struct kbuf p = KBUF_INIT;
	json_print(u, &p);
	kstrv_push(uploads, p.data);
	kbuf_free(&p);
	cJSON_Delete(u);
	free(abs);
	free(joined);
	kbuf_free(&img);
	return K_OK;
}

/* Local image files become blobs (uploaded by sync); https URLs stay references. */
static int apply_images(struct ctx *c, struct listing *l, const struct args *a,
                        struct kstrv *uploads, struct kerr *e)
{
	const char *v;
	if (!arg_nth(a, "image", 0))
		return K_OK;
	kstrv_free(&l->images);
	for (int i = 0; (v = arg_nth(a, "image", i)); i++) {
		int rc = cmd_image_ref(v, NULL, &l->images, uploads, e);
		if (rc) {
			kerr_prefix(e, "--image");
			return rc;
		}
	}
	(void)c;
	return K_OK;
}

/* The variant of l that its own SKU (or the seller's SKU for it) names, NULL when key is none. */
static cJSON *variant_by_sku(const struct listing *l, const char *key)
{
	cJSON *v;
	cJSON_ArrayForEach(v, l->variants)
	{
		const char *sku = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "sku")),
		           *ssku = cJSON_GetStringValue(
		               cJSON_GetObjectItemCaseSensitive(v, "sellerSku"));
		if ((sku && strcasecmp(sku, key) == 0) || (ssku && strcasecmp(ssku, key) == 0))
			return v;
	}
	return NULL;
}

/* The variant an edit is of: the one --variant names, else the one whose SKU she named the
 * listing by ("listing edit GIO-TRE-L"); NULL for the listing itself. */
static int edited_variant(struct listing *l, const struct args *a, cJSON **out, struct kerr *e)
{
	const char *key = arg_get(a, "variant");
	*out = key || !a->npos ? NULL : variant_by_sku(l, a->pos[0]);
	if (key) {
		const cJSON *found;
		struct kerr fe = {0};
		if (listing_variant_find(l, key, &found, &fe))
			return kerr_set(e, K_EUSAGE, "--variant: %s", fe.msg);
		*out = (cJSON *)found;
	}
	return K_OK;
}

/* --stock n: the listing's, or where its variants keep their own, the one --variant (or the
 * variant's SKU she named the listing by) names; the listing's is then their sum. */
static int set_stock(struct listing *l, const struct args *a, int64_t n, struct kerr *e)
{
	cJSON *v;
	int rc = edited_variant(l, a, &v, e);
	if (rc)
		return rc;
	if (!v && listing_variants_stock(l) >= 0) {
		struct kbuf names = KBUF_INIT;
		listing_variants_named(l, &names);
		rc = kerr_set(e, K_EUSAGE,
		              "listing %s keeps stock for each variant: name one with --variant "
		              "(%s)",
		              l->sku, kbuf_str(&names));
		kbuf_free(&names);
		return rc;
	}
	if (!v) {
		l->stock = n;
		return K_OK;
	}
	listing_variant_set_stock(v, n);
	l->stock = listing_stock(l);
	return K_OK;
}

static int apply_options(struct ctx *c, struct listing *l, const struct args *a, int is_add,
                         struct kstrv *uploads, struct kerr *e)
{
	const char *v;
	int64_t n;
	int rc;
	if ((v = arg_get(a, "title")))
		set_str(&l->title, v);
	if ((v = arg_get(a, "description"))) {
		if (v[0] == '@') {
			struct kbuf d = KBUF_INIT;
			if ((rc = ctx_read_file(c, v + 1, MODEL_DESC_MAX, &d, e))) {
				kbuf_free(&d);
				kerr_prefix(e, "--description");
				return rc;
			}
			set_str(&l->description, d.data);
			kbuf_free(&d);
		} else {
			set_str(&l->description, v);
		}
	}
	if ((v = arg_get(a, "category")))
		set_str(&l->category, v);
	char hs[CODES_HS_MAX + 1];
	if ((v = arg_get(a, "hs-code")))
		set_str(&l->hs_code, codes_hs_code(v, hs) ? hs : v);
	if ((v = arg_get(a, "origin")))
		cmd_copy_upper(l->origin_country, sizeof l->origin_country, v);
	if ((v = arg_get(a, "ships-from")))
		cmd_copy_upper(l->ships_from, sizeof l->ships_from, v);
	if ((v = arg_get(a, "unit")) && (rc = codes_unit_parse(v, l->unit, "--unit", e)))
		return rc;
	if ((v = arg_get(a, "moq"))) {
		if ((rc = parse_int("moq", v, 1, MONEY_MAX, &n, e)))
			return rc;
		l->moq = n;
	}
	if ((v = arg_get(a, "lead-days"))) {
		if ((rc = parse_int("lead-days", v, 0, 3650, &n, e)))
			return rc;
		l->lead_time_days = n;
	}
	/* one unit's weights and packing, for the papers of every offer of it; none unsays */
	if ((v = arg_get(a, "net-kg")) && strcmp(v, "none") == 0)
		l->net_grams = 0;
	else if (v && (rc = cmd_parse_kg("net-kg", v, MODEL_GRAMS_MAX, &l->net_grams, e)))
		return rc;
	if ((v = arg_get(a, "gross-kg")) && strcmp(v, "none") == 0)
		l->gross_grams = 0;
	else if (v && (rc = cmd_parse_kg("gross-kg", v, MODEL_GRAMS_MAX, &l->gross_grams, e)))
		return rc;
	if ((v = arg_get(a, "per-package")) && strcmp(v, "none") == 0) {
		l->units_per_package = 0;
		l->package_code[0] = '\0';
	} else if (v && (rc = cmd_parse_packages("per-package", v, &l->units_per_package,
	                                         l->package_code, e))) {
		return rc;
	}
	if (l->gross_grams && l->net_grams > l->gross_grams) {
		char net[32], gross[32];
		model_kg_text(l->net_grams, net);
		model_kg_text(l->gross_grams, gross);
		/* named by the flag she gave: the one that made the two disagree */
		return arg_get(a, "gross-kg")
		           ? kerr_set(
		                 e, K_EUSAGE,
		                 "--gross-kg: %s kg packed is less than the %s kg net of one unit",
		                 gross, net)
		           : kerr_set(
		                 e, K_EUSAGE,
		                 "--net-kg: %s kg bare is more than the %s kg gross of one unit "
		                 "packed (--gross-kg says that)",
		                 net, gross);
	}
	if ((v = arg_get(a, "stock"))) {
		if (strcmp(v, "none") == 0)
			n = -1; /* she no longer says */
		else if ((rc = parse_int("stock", v, 0, MONEY_MAX, &n, e)))
			return kerr_set(e, K_EUSAGE,
			                "--stock: a whole number of units, 0 or more, "
			                "or none (got '%.40s')",
			                v);
		if ((rc = set_stock(l, a, n, e)))
			return rc;
	} else if (arg_get(a, "variant") && !arg_get(a, "price")) {
		return kerr_set(e, K_EUSAGE,
		                "--variant names the variant whose --stock or --price you say");
	}
	if ((v = arg_get(a, "currency"))) {
		char cur[8];
		cmd_copy_upper(cur, sizeof cur, v);
		if ((rc = codes_check_currency(cur, "--currency", e)))
			return rc;
		if (!is_add && strcmp(cur, l->currency) != 0 && !arg_get(a, "price"))
			return kerr_set(
			    e, K_EUSAGE,
			    "--currency: changing the currency needs --price too (prices "
			    "are kept in the currency's minor units)");
		snprintf(l->currency, sizeof l->currency, "%s", cur);
	} else if (is_add) {
		return kerr_set(e, K_EUSAGE,
		                "listing add: --currency is required (ISO 4217, e.g. EUR)");
	}
	if (arg_nth(a, "tag", 0)) {
		kstrv_free(&l->tags);
		push_list(&l->tags, a, "tag", 0);
	}
	if (arg_nth(a, "incoterm", 0)) {
		kstrv_free(&l->incoterms);
		push_list(&l->incoterms, a, "incoterm", 1);
	}
	/* --price of a variant (named by --variant or its SKU) is its own price */
	cJSON *var = NULL;
	if (!is_add && arg_get(a, "price") && (rc = edited_variant(l, a, &var, e)))
		return rc;
	if (var) {
		int64_t p;
		if (arg_nth(a, "tier", 0))
			return kerr_set(e, K_EUSAGE,
			                "--tier: a variant has one price; quantity breaks are the "
			                "listing's (name it by its own SKU)");
		if (arg_get(a, "currency"))
			return kerr_set(e, K_EUSAGE,
			                "--currency is the listing's: name it by its own SKU");
		if ((rc = money_parse(arg_get(a, "price"), l->currency, &p, e))) {
			kerr_prefix(e, "--price");
			return rc;
		}
		struct price_tier its = {1, p};
		size_t at;
		if (price_tiers_rule(&its, 1, 1, &at) == TIERS_FREE)
			return kerr_set(e, K_EUSAGE,
			                "--price: %s %s gives the goods away (a price is above 0)",
			                arg_get(a, "price"), l->currency);
		cJSON_DeleteItemFromObjectCaseSensitive(var, "unitPrice");
		json_add_int(var, "unitPrice", p);
		/* what search shows is what the smallest order pays: when every variant has its
		 * own price, the lowest of them (as an import of a shop's variants makes it) */
		int64_t low = -1;
		const cJSON *each;
		cJSON_ArrayForEach(each, l->variants)
		{
			const cJSON *up = cJSON_GetObjectItemCaseSensitive(each, "unitPrice");
			if (!cJSON_IsNumber(up)) {
				low = -1;
				break;
			}
			if (low < 0 || (int64_t)up->valuedouble < low)
				low = (int64_t)up->valuedouble;
		}
		if (low >= 0 && l->ntiers == 1)
			l->tiers[0].unit_price = low;
	} else if ((rc = apply_prices(l, a, is_add, e))) {
		return rc;
	}
	return apply_images(c, l, a, uploads, e);
}

/* Makes a SKU for a listing added without one: random, so two adds never collide. */
static void random_sku(char out[16])
{
	uint8_t r[5];
	kcrypto_random(r, sizeof r);
	snprintf(out, 16, "K-%02X%02X%02X%02X%02X", r[0], r[1], r[2], r[3], r[4]);
}

/* Signs, stores and queues l in one transaction, with its image uploads. */
static int save_listing(struct ctx *c, struct listing *l, const char *op,
                        const struct kstrv *uploads, struct kerr *e)
{
	struct store *s;
	int rc = ctx_store(c, &s, e);
	return rc ? rc : listing_queue_signed(s, l, &c->kp, c->node, op, uploads, e);
}

/* After a local write: push at once; say what happened either way. */
/* What an edit changed, in words: "stock 5 -> 12", "price of QUAT-L 65,000 -> 70,000 VND",
 * "title, description"; the numbers she deals in with their before and after. */
static void stock_text(int64_t n, char *out, size_t cap)
{
	if (n < 0)
		snprintf(out, cap, "none said");
	else
		snprintf(out, cap, "%lld", (long long)n);
}

static void change_sep(struct kbuf *out)
{
	kbuf_puts(out, out->len ? "; " : "");
}

static void changed_number(struct kbuf *out, const char *who, const char *what, int64_t a,
                           int64_t b, const char *cur)
{
	char x[MONEY_FMT_MAX], y[MONEY_FMT_MAX];
	if (a == b)
		return;
	change_sep(out);
	if (cur) {
		money_text(a, cur, x);
		money_text(b, cur, y);
	} else {
		stock_text(a, x, sizeof x);
		stock_text(b, y, sizeof y);
	}
	kbuf_printf(out, "%s%s%s %s -> %s%s%s", what, who ? " of " : "", who ? who : "", x, y,
	            cur ? " " : "", cur ? cur : "");
}

/* "12.50, 11.00 from 100, 10.20 from 500 USD": the price at the MOQ, then each break */
static void tiers_text(const struct listing *l, int with_currency, struct kbuf *out)
{
	char x[MONEY_FMT_MAX];
	for (size_t i = 0; i < l->ntiers; i++) {
		money_text(l->tiers[i].unit_price, l->currency, x);
		kbuf_printf(out, "%s%s", i ? ", " : "", x);
		if (i)
			kbuf_printf(out, " from %s", count_text(l->tiers[i].min_qty, x));
	}
	if (with_currency)
		kbuf_printf(out, " %s", l->currency);
}

static int same_text(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static int same_strv(const struct kstrv *a, const struct kstrv *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

/* A code she changed, before and after: "origin CN -> VN" ("-" for none). */
static void changed_code(struct kbuf *out, const char *what, const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return;
	change_sep(out);
	kbuf_printf(out, "%s %s -> %s", what, *a ? a : "-", *b ? b : "-");
}

static void listing_changes(const struct listing *a, const struct listing *b, struct kbuf *out)
{
	static const char *const names[] = {"title",  "description", "category", "tags",
	                                    "images", "incoterms",   "lead time"};
	int differ[] = {
	    !same_text(a->title, b->title),        !same_text(a->description, b->description),
	    !same_text(a->category, b->category),  !same_strv(&a->tags, &b->tags),
	    !same_strv(&a->images, &b->images),    !same_strv(&a->incoterms, &b->incoterms),
	    a->lead_time_days != b->lead_time_days};
	if (a->ntiers == 1 && b->ntiers == 1 && strcmp(a->currency, b->currency) == 0)
		changed_number(out, NULL, "price", a->tiers[0].unit_price, b->tiers[0].unit_price,
		               b->currency);
	else if (a->ntiers != b->ntiers || strcmp(a->currency, b->currency) != 0 ||
	         memcmp(a->tiers, b->tiers, a->ntiers * sizeof *a->tiers) != 0) {
		int same_cur = strcmp(a->currency, b->currency) == 0;
		struct kbuf was = KBUF_INIT, now = KBUF_INIT;
		tiers_text(a, 0, &was);
		tiers_text(b, 0, &now);
		if (!same_cur || strcmp(kbuf_str(&was), kbuf_str(&now)) != 0) {
			/* the same words: only the MOQ the first is from moved, said below */
			change_sep(out);
			kbuf_puts(out, "prices ");
			tiers_text(a, !same_cur, out);
			kbuf_puts(out, " -> ");
			tiers_text(b, 1, out);
		}
		kbuf_free(&was);
		kbuf_free(&now);
	}
	changed_number(out, NULL, "MOQ", a->moq, b->moq, NULL);
	changed_code(out, "unit", a->unit, b->unit);
	changed_code(out, "HS code", a->hs_code ? a->hs_code : "", b->hs_code ? b->hs_code : "");
	changed_code(out, "origin", a->origin_country, b->origin_country);
	changed_code(out, "ships from", a->ships_from, b->ships_from);
	char pa[160], pb[160];
	listing_packing_words(a, pa, sizeof pa);
	listing_packing_words(b, pb, sizeof pb);
	changed_code(out, "packing", pa, pb);
	if (!cJSON_GetArraySize(b->variants))
		changed_number(out, NULL, "stock", a->stock, b->stock, NULL);
	const cJSON *v, *w;
	cJSON_ArrayForEach(v, b->variants)
	{
		const char *sku = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "sku"));
		cJSON_ArrayForEach(w, a->variants)
		{
			const char *was =
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w, "sku"));
			if (!sku || !was || strcmp(sku, was) != 0)
				continue;
			/* by its SKU, as the TUI asks for them (the options would not fit its line)
			 */
			changed_number(out, sku, "price", listing_variant_price(a, w, a->moq),
			               listing_variant_price(b, v, b->moq), b->currency);
			changed_number(out, sku, "stock", listing_variant_stock(w),
			               listing_variant_stock(v), NULL);
		}
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (differ[i]) {
			change_sep(out);
			kbuf_puts(out, names[i]);
		}
}

static int queued(struct ctx *c, const char *what, const struct listing *l, const char *changes,
                  struct kerr *e)
{
	int rc = cmd_push(c, e);
	const char *status = rc == K_OK ? "delivered" : rc == K_EQUEUED ? "queued" : "refused";
	if (c->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", l->id);
		cJSON_AddStringToObject(o, "sku", l->sku);
		cJSON_AddStringToObject(o, "result", what);
		cJSON_AddStringToObject(o, "status", status);
		struct store *s;
		if (ctx_store(c, &s, NULL) == K_OK)
			json_add_int(o, "outbox", store_outbox_count(s));
		cmd_result_json(c, o);
	}
	struct store *s;
	if (rc == K_EFAIL && ctx_store(c, &s, NULL) == K_OK)
		cmd_result_outbox(c, s, "Listing", l->id);
	const char *state = strcmp(what, "removed") == 0 ? "removed" : l->status;
	if (changes) /* what changed first: the TUI's status line keeps a sentence's start */
		cmd_result_set(c, "Listing", l->id, state, "%s %s: %s (listing %s)%s", what, l->sku,
		               changes, l->id, rc == K_EQUEUED ? ", queued" : "");
	else {
		/* her SKU first, as she named it, and what pausing means */
		char after[160] = "";
		if (strcmp(what, "paused") == 0)
			snprintf(after, sizeof after, ": out of search until resumed");
		else if (strcmp(what, "resumed") == 0)
			snprintf(after, sizeof after, ": in search again");
		cmd_result_set(c, "Listing", l->id, state, "%s %s%s (listing %s)%s", what, l->sku,
		               after, l->id, rc == K_EQUEUED ? ", queued" : "");
	}
	return rc;
}

/* Finds a listing by id, or by one of our SKUs. */
static int find_listing(struct ctx *c, const char *key, struct listing *out, struct kerr *e)
{
	struct store *s;
	char id[RESOLVE_ID_MAX + 1];
	int rc = resolve_id(c, RESOLVE_LISTING, key, id, sizeof id, e);
	if (!rc)
		rc = ctx_store(c, &s, e);
	if (!rc && (rc = store_listing_get(s, id, out, e)) == K_ENOTFOUND)
		rc = kerr_set(e, K_ENOTFOUND,
		              "no listing '%s' in the cache (an id, or one of your SKUs)", key);
	return rc;
}

static int own_listing(struct ctx *c, const char *key, struct listing *l, struct kerr *e)
{
	int rc = find_listing(c, key, l, e);
	if (rc)
		return rc;
	if ((rc = ctx_self(c, e))) {
		listing_free(l);
		return rc;
	}
	if (strcmp(l->seller_id, c->self_id) != 0) {
		rc = kerr_set(e, K_EPERM, "listing %s is not yours (seller %s)", l->id,
		              l->seller_id);
		listing_free(l);
	}
	return rc;
}

/* own_listing after unlocking our identity (asking for the passphrase), for a change we sign. */
static int own_listing_to_sign(struct ctx *c, const char *key, struct listing *l, struct kerr *e)
{
	int rc = ctx_identity(c, e);
	return rc ? rc : own_listing(c, key, l, e);
}

static int run_add(struct ctx *c, const struct args *a, struct kerr *e)
{
	if (!arg_get(a, "title"))
		return kerr_set(e, K_EUSAGE, "listing add: --title is required");
	int rc = ctx_identity(c, e);
	if (rc)
		return rc;
	struct listing l;
	struct kstrv uploads = {0};
	listing_init(&l);
	char sku[16];
	if (arg_get(a, "sku")) {
		set_str(&l.sku, arg_get(a, "sku"));
	} else {
		random_sku(sku);
		set_str(&l.sku, sku);
	}
	if ((rc = apply_options(c, &l, a, 1, &uploads, e)))
		goto out;
	if (!l.ships_from[0]) /* found by buyers who look for her country */
		ctx_self_country(c, l.ships_from);
	model_now(l.created);
	memcpy(l.updated, l.created, sizeof l.updated);
	char id[MODEL_LISTING_ID_LEN + 1];
	listing_make_id(c->self_id, l.sku, id);
	struct store *s;
	if ((rc = ctx_store(c, &s, e)))
		goto out;
	struct listing old;
	if (store_listing_get(s, id, &old, NULL) == K_OK) {
		listing_free(&old);
		rc = kerr_set(e, K_EEXIST,
		              "you already have a listing with SKU '%s' (%s): use `kontor listing "
		              "edit %s`",
		              l.sku, id, l.sku);
		goto out;
	}
	if ((rc = save_listing(c, &l, "create", &uploads, e)))
		goto out;
	rc = queued(c, "added", &l, NULL, e);
out:
	kstrv_free(&uploads);
	listing_free(&l);
	return rc;
}

static int run_edit(struct ctx *c, const struct args *a, struct kerr *e)
{
	if (a->nopt == 0)
		return kerr_set(
		    e, K_EUSAGE,
		    "listing edit: nothing to change (give --title, --price, --moq, ...)");
	if (arg_get(a, "sku"))
		return kerr_set(
		    e, K_EUSAGE,
		    "listing edit: the SKU names the listing and cannot change; add a new "
		    "listing instead");
	struct listing l;
	int rc = own_listing_to_sign(c, a->pos[0], &l, e);
	if (rc)
		return rc;
	struct kstrv uploads = {0};
	struct listing was;
	listing_copy(&was, &l);
	if ((rc = apply_options(c, &l, a, 0, &uploads, e)) == K_OK) {
		model_after(l.updated, NULL, l.updated);
		struct kbuf changes = KBUF_INIT; /* said, so that she sees what her edit did */
		listing_changes(&was, &l, &changes);
		if (!changes.len) /* nothing to sign again and send over her line */
			cmd_note(c, "%s is as it was: nothing changed, nothing sent (listing %s)",
			         l.sku, l.id);
		else if ((rc = save_listing(c, &l, "update", &uploads, e)) == K_OK)
			rc = queued(c, "updated", &l, kbuf_str(&changes), e);
		kbuf_free(&changes);
	}
	listing_free(&was);
	kstrv_free(&uploads);
	listing_free(&l);
	return rc;
}

static int set_status(struct ctx *c, const struct args *a, const char *status, struct kerr *e)
{
	struct listing l;
	int rc = own_listing_to_sign(c, a->pos[0], &l, e);
	if (rc)
		return rc;
	if (strcmp(l.status, status) == 0) {
		cmd_note(c, "%s is already %s (listing %s)", l.sku, status, l.id);
		listing_free(&l);
		return K_OK;
	}
	snprintf(l.status, sizeof l.status, "%s", status);
	model_after(l.updated, NULL, l.updated);
	if ((rc = save_listing(c, &l, "update", NULL, e)) == K_OK)
		rc = queued(c, strcmp(status, "paused") == 0 ? "paused" : "resumed", &l, NULL, e);
	listing_free(&l);
	return rc;
}

static int run_pause(struct ctx *c, const struct args *a, struct kerr *e)
{
	return set_status(c, a, "paused", e);
}

static int run_resume(struct ctx *c, const struct args *a, struct kerr *e)
{
	return set_status(c, a, "active", e);
}

static int run_rm(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct listing l;
	int rc = own_listing(c, a->pos[0], &l, e);
	if (rc)
		return rc;
	struct store *s;
	if ((rc = ctx_store(c, &s, e)) == K_OK && (rc = store_begin(s, e)) == K_OK) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", l.id);
		struct kbuf p = KBUF_INIT;
		json_print(o, &p);
		cJSON_Delete(o);
		if ((rc = store_listing_delete(s, l.id, e)) == K_OK &&
		    (rc = store_outbox_add(s, "Listing/set", "destroy", l.id, p.data, c->node, NULL,
		                           e)) == K_OK)
			rc = store_commit(s, e);
		else
			store_rollback(s);
		kbuf_free(&p);
	}
	if (rc == K_OK)
		rc = queued(c, "removed", &l, NULL, e);
	listing_free(&l);
	return rc;
}

/* Prints remote text harmlessly: escape sequences and control characters removed. */
static void put_clean(FILE *f, const char *s, int keep_newlines)
{
	struct kbuf b = KBUF_INIT;
	text_sanitize(&b, s, strlen(s), keep_newlines);
	fputs(kbuf_str(&b), f);
	kbuf_free(&b);
}

static void put_list(FILE *f, const char *label, const struct kstrv *sv)
{
	if (!sv->n)
		return;
	fprintf(f, "%-11s", label);
	for (size_t i = 0; i < sv->n; i++) {
		fputs(i ? ", " : "", f);
		put_clean(f, sv->v[i], 0);
	}
	fputc('\n', f);
}

static int run_show(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct listing l;
	int rc = find_listing(c, a->pos[0], &l, e);
	if (rc)
		return rc;
	/* A summary from a pull: the whole signed listing comes from the node now. */
	int summary = !l.sig;
	struct kerr fe = {0};
	if (summary && cmd_fetch_listing(c, l.id, &fe) == K_OK) {
		listing_free(&l);
		if ((rc = find_listing(c, a->pos[0], &l, e)))
			return rc;
		summary = !l.sig;
	}
	struct kerr ve = {0};
	int verified = !summary && listing_verify(&l, &ve) == K_OK;
	if (summary)
		snprintf(ve.msg, sizeof ve.msg,
		         "not checked: only the summary is cached, and the node could not be asked "
		         "for the signed listing (%s)",
		         fe.msg[0] ? fe.msg : "no node");
	if (c->json) {
		cJSON *o = listing_to_json(&l, 1);
		cJSON_AddBoolToObject(o, "sigValid", verified);
		cJSON_AddBoolToObject(o, "summaryOnly", summary);
		cmd_print_json(c, o);
	} else {
		FILE *f = c->out;
		put_clean(f, l.title, 0);
		fprintf(f, "  [%s]\n", l.status);
		fprintf(f, "id:        %s\nsku:       ", l.id);
		put_clean(f, l.sku, 0);
		fputs("\nseller:    ", f);
		struct store *s;
		struct account acc;
		if (ctx_store(c, &s, NULL) == K_OK &&
		    store_account_get(s, l.seller_id, &acc, NULL) == 0) {
			/* the name and the handle a person types, then the id */
			struct kbuf who = KBUF_INIT;
			resolve_account_name(c, l.seller_id, &who);
			fprintf(f, "%s, %s", kbuf_str(&who), acc.country);
			kbuf_free(&who);
			if (acc.rating.count > 0)
				fprintf(f, ", rating %.1f (%lld)", acc.rating.average,
				        (long long)acc.rating.count);
			else
				fputs(", not rated yet", f);
			/* Sync keeps an attestation only when the pinned node key signed it. */
			const cJSON *at = acc.attestation;
			const char *exp =
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(at, "expires"));
			const char *ln =
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(at, "legalName"));
			char now[MODEL_TIME_LEN + 1];
			model_now(now);
			if (at && exp && ln && strcmp(exp, now) > 0) {
				const char *cc = cJSON_GetStringValue(
				    cJSON_GetObjectItemCaseSensitive(at, "country"));
				const char *rg = cJSON_GetStringValue(
				    cJSON_GetObjectItemCaseSensitive(at, "registration"));
				const char *lv = cJSON_GetStringValue(
				    cJSON_GetObjectItemCaseSensitive(at, "level"));
				fputs("\nverified:  \u2713 ", f);
				put_clean(f, ln, 0);
				fprintf(f, ", %s", cc ? cc : "?");
				if (rg) {
					fputs(", registration ", f);
					put_clean(f, rg, 0);
				}
				fprintf(f, " (%s; signed by the node, until %.10s)",
				        lv ? lv : "business", exp);
			} else if (at && exp && strcmp(exp, now) <= 0) {
				fprintf(f, "\nverified:  no (the attestation expired on %.10s)",
				        exp);
			}
			account_free(&acc);
			fprintf(f, "\n           account %s", l.seller_id);
		} else {
			fputs(l.seller_id, f);
		}
		const char *per = listing_unit_count(&l, 1), *moq = listing_unit_count(&l, l.moq);
		for (size_t i = 0; i < l.ntiers; i++) {
			char amt[MONEY_FMT_MAX], q[MONEY_FMT_MAX];
			money_text(l.tiers[i].unit_price, l.currency, amt);
			fprintf(f, "\n%-11s%s %s%s%s  from %s", i ? "" : "price:", l.currency, amt,
			        *per ? " / " : "", per, count_text(l.tiers[i].min_qty, q));
		}
		char lead[32];
		listing_lead_words(&l, lead);
		char q[MONEY_FMT_MAX];
		fprintf(f, "\nmoq:       %s%s%s\nlead time: %s\n", count_text(l.moq, q),
		        *moq ? " " : "", moq, lead);
		int64_t stock = listing_stock(&l); /* one signed before it was so kept says 0 */
		if (stock >= 0)
			fprintf(f, "stock:     %s %s on hand\n", count_text(stock, q),
			        codes_unit_count(l.unit, stock));
		struct kstrv vl = {0};
		struct kbuf vn = KBUF_INIT;
		listing_variant_lines(&l, "           ", &vl, &vn);
		if (vl.n && vn.len)
			fprintf(f, "variants:  %zu, by %s\n", vl.n, kbuf_str(&vn));
		else if (vl.n)
			fprintf(f, "variants:  %zu\n", vl.n);
		for (size_t i = 0; i < vl.n; i++)
			fprintf(f, "%s\n", vl.v[i]);
		kstrv_free(&vl);
		kbuf_free(&vn);
		if (l.hs_code)
			fprintf(f, "hs code:   %s\n", l.hs_code);
		char packing[160];
		listing_packing_words(&l, packing, sizeof packing);
		if (packing[0])
			fprintf(f, "packing:   %s\n", packing);
		if (l.origin_country[0])
			fprintf(f, "origin:    %s (%s)\n", l.origin_country,
			        codes_country_name(l.origin_country));
		if (l.ships_from[0])
			fprintf(f, "ships:     from %s (%s)\n", l.ships_from,
			        codes_country_name(l.ships_from));
		put_list(f, "incoterms:", &l.incoterms);
		if (l.category) {
			fputs("category:  ", f);
			put_clean(f, l.category, 0);
			fputc('\n', f);
		}
		put_list(f, "tags:", &l.tags);
		put_list(f, "images:", &l.images);
		char cr[KTIME_LOCAL_MAX], up[KTIME_LOCAL_MAX];
		fprintf(f, "created:   %s\nupdated:   %s\nsignature: %s\n",
		        ktime_local(l.created, cr, sizeof cr),
		        ktime_local(l.updated, up, sizeof up),
		        verified ? "valid (signed by the seller)" : ve.msg);
		if (l.description) {
			fputc('\n', f);
			put_clean(f, l.description, 1);
			fputc('\n', f);
		}
	}
	/* --images: the pictures are fetched now, because a person asked to see them */
	int irc = K_OK;
	if (arg_has(a, "images") && !c->json) {
		struct kbuf what = KBUF_INIT;
		text_sanitize(&what, l.title, strlen(l.title), 0);
		irc = cmd_show_images(c, kbuf_str(&what), &l.images, "Listing", l.id, "imageBytes",
		                      e);
		kbuf_free(&what);
	}
	listing_free(&l);
	if (irc)
		return irc;
	if (summary)
		return K_OK; /* shown as what it is; nothing claims to be verified */
	if (!verified)
		return kerr_set(e, K_EVERIFY, "listing %s: the seller's signature does not verify",
		                a->pos[0]);
	return K_OK;
}

/* kontor's own CSV: one row per listing; lists inside a cell are separated by '|', extra
 * price tiers written as QTY:AMOUNT (documented in kontor.1). */
static const char *const csv_columns[] = {
    "sku",        "title",     "description", "category", "tags",        "currency",
    "price",      "tiers",     "moq",         "unit",     "hs_code",     "origin",
    "ships_from", "lead_days", "incoterms",   "images",   "status",      "stock",
    "variant_of", "options",   "net_kg",      "gross_kg", "per_package",
};
#define NCOLS (sizeof csv_columns / sizeof csv_columns[0])

struct export_ctx {
	struct ctx *c;
	int jsonl;
	int64_t n;
};

static void join(struct kbuf *b, const struct kstrv *sv)
{
	for (size_t i = 0; i < sv->n; i++) {
		if (i)
			kbuf_putc(b, '|');
		kbuf_puts(b, sv->v[i]);
	}
}

/* One row of kontor's CSV: the listing's, or (v) one of its variants', which gives only its
 * SKU, its product's, its options, its own price and stock. A listing whose variants keep
 * stock leaves its own blank: it is their sum, which its import makes it again. */
static void export_row(const struct listing *l, const cJSON *v, struct kbuf *line)
{
	struct kbuf cell[NCOLS];
	for (size_t i = 0; i < NCOLS; i++)
		kbuf_init(&cell[i]);
	char amt[MONEY_FMT_MAX];
	if (v) {
		const char *ssku = json_str(v, "sellerSku");
		kbuf_puts(&cell[0], ssku ? ssku : json_str(v, "sku"));
		int64_t stock = listing_variant_stock(v);
		if (cJSON_GetObjectItemCaseSensitive(v, "unitPrice")) {
			money_format(json_int(v, "unitPrice"), l->currency, amt);
			kbuf_puts(&cell[6], amt);
		}
		if (stock >= 0)
			kbuf_printf(&cell[17], "%lld", (long long)stock);
		kbuf_puts(&cell[18], l->sku);
		listing_variant_options(v, "|", &cell[19]);
	} else {
		kbuf_puts(&cell[0], l->sku);
		kbuf_puts(&cell[1], l->title);
		kbuf_puts(&cell[2], l->description ? l->description : "");
		kbuf_puts(&cell[3], l->category ? l->category : "");
		join(&cell[4], &l->tags);
		kbuf_puts(&cell[5], l->currency);
		if (l->ntiers) {
			money_format(l->tiers[0].unit_price, l->currency, amt);
			kbuf_puts(&cell[6], amt);
		}
		for (size_t i = 1; i < l->ntiers; i++) {
			money_format(l->tiers[i].unit_price, l->currency, amt);
			kbuf_printf(&cell[7], "%s%lld:%s", i > 1 ? "|" : "",
			            (long long)l->tiers[i].min_qty, amt);
		}
		kbuf_printf(&cell[8], "%lld", (long long)l->moq);
		kbuf_puts(&cell[9], l->unit);
		kbuf_puts(&cell[10], l->hs_code ? l->hs_code : "");
		kbuf_puts(&cell[11], l->origin_country);
		kbuf_puts(&cell[12], l->ships_from);
		kbuf_printf(&cell[13], "%lld", (long long)l->lead_time_days);
		join(&cell[14], &l->incoterms);
		join(&cell[15], &l->images);
		kbuf_puts(&cell[16], l->status);
		if (l->stock >= 0 && listing_variants_stock(l) < 0)
			kbuf_printf(&cell[17], "%lld", (long long)l->stock);
		char kg[32];
		if (l->net_grams > 0) {
			model_kg_text(l->net_grams, kg);
			kbuf_puts(&cell[20], kg);
		}
		if (l->gross_grams > 0) {
			model_kg_text(l->gross_grams, kg);
			kbuf_puts(&cell[21], kg);
		}
		if (l->units_per_package > 0 && l->package_code[0])
			kbuf_printf(&cell[22], "%lld:%s", (long long)l->units_per_package,
			            l->package_code);
	}
	const char *f[NCOLS];
	for (size_t i = 0; i < NCOLS; i++)
		f[i] = kbuf_str(&cell[i]);
	csv_write_record(line, f, NCOLS, ',');
	for (size_t i = 0; i < NCOLS; i++)
		kbuf_free(&cell[i]);
}

static int export_one(void *vctx, const struct listing *l)
{
	struct export_ctx *x = vctx;
	x->n++;
	struct kbuf line = KBUF_INIT;
	if (x->jsonl) {
		cJSON *j = listing_to_json(l, 1);
		json_print(j, &line);
		cJSON_Delete(j);
		kbuf_putc(&line, '\n');
	} else {
		export_row(l, NULL, &line);
		const cJSON *v;
		cJSON_ArrayForEach(v, l->variants) export_row(l, v, &line);
	}
	fwrite(line.data, 1, line.len, x->c->out);
	kbuf_free(&line);
	return 0;
}

static int run_export(struct ctx *c, const struct args *a, struct kerr *e)
{
	/* --json asks for one JSON object per line, as everywhere: that is jsonl. */
	const char *fmt = arg_get(a, "format") ? arg_get(a, "format") : c->json ? "jsonl" : "csv";
	if (strcmp(fmt, "csv") && strcmp(fmt, "jsonl"))
		return kerr_set(e, K_EUSAGE, "listing export: --format is csv or jsonl, not '%s'",
		                fmt);
	if (c->json && strcmp(fmt, "csv") == 0)
		return kerr_set(
		    e, K_EUSAGE,
		    "listing export: --json writes JSON lines; drop it for --format csv");
	int rc = ctx_self(c, e);
	struct store *s;
	if (rc || (rc = ctx_store(c, &s, e)))
		return rc;
	struct export_ctx x = {c, strcmp(fmt, "jsonl") == 0, 0};
	if (!x.jsonl) {
		struct kbuf h = KBUF_INIT;
		csv_write_record(&h, csv_columns, NCOLS, ',');
		fwrite(h.data, 1, h.len, c->out);
		kbuf_free(&h);
	}
	rc = store_listing_each(s, c->self_id, export_one, &x, e);
	if (rc == K_OK && fflush(c->out) != 0)
		rc = kerr_set(e, K_EIO, "listing export: write error: %s", strerror(errno));
	if (rc == K_OK)
		cmd_note(c, "%lld listing%s exported", (long long)x.n, x.n == 1 ? "" : "s");
	return rc;
}

#define LIST_SKU_MAX 32    /* wider SKUs are cut, and end in "…" to say so */
#define LIST_TITLE_COLS 40 /* a title's columns where the row has room */
#define LIST_TITLE_LEAST 10
#define LIST_ID_SHORT 8 /* an id's start, which every command takes, on a narrow terminal */

struct list_ctx {
	struct ctx *c;
	int64_t n;
	/* Each column as wide as its widest row (the SKU: so that every SKU shown can be
	 * typed back; a cut SKU names nothing); the title takes what the width leaves. */
	size_t sku_cols, price_cols, moq_cols, stock_cols, title_cols, id_cols;
};

/* A listing's price at the MOQ, its MOQ with the unit the price is per ("10 m", "100 pcs"),
 * and its stock ("-": not said), as the list shows them. */
static void list_cells(const struct listing *l, char amt[MONEY_FMT_MAX],
                       char moq[MONEY_FMT_MAX + 16], char stock[MONEY_FMT_MAX])
{
	char q[MONEY_FMT_MAX];
	money_text(l->ntiers ? l->tiers[0].unit_price : 0, l->currency, amt);
	snprintf(moq, MONEY_FMT_MAX + 16, "%s %s", count_text(l->moq, q), codes_unit_abbr(l->unit));
	snprintf(stock, MONEY_FMT_MAX, "-");
	if (listing_stock(l) >= 0)
		count_text(listing_stock(l), stock);
}

/* The first pass: how wide each column must be. */
static int list_width(void *vctx, const struct listing *l)
{
	struct list_ctx *x = vctx;
	struct kbuf t = KBUF_INIT;
	text_sanitize(&t, l->sku, strlen(l->sku), 0);
	cmd_widen(&x->sku_cols, kbuf_str(&t));
	if (x->sku_cols > LIST_SKU_MAX)
		x->sku_cols = LIST_SKU_MAX;
	kbuf_reset(&t);
	text_sanitize(&t, l->title, strlen(l->title), 0);
	cmd_widen(&x->title_cols, kbuf_str(&t));
	if (x->title_cols > LIST_TITLE_COLS)
		x->title_cols = LIST_TITLE_COLS;
	kbuf_free(&t);
	char amt[MONEY_FMT_MAX], moq[MONEY_FMT_MAX + 16], stock[MONEY_FMT_MAX];
	list_cells(l, amt, moq, stock);
	cmd_widen(&x->price_cols, amt);
	cmd_widen(&x->moq_cols, moq);
	cmd_widen(&x->stock_cols, stock);
	return 0;
}

static int list_one(void *vctx, const struct listing *l)
{
	struct list_ctx *x = vctx;
	x->n++;
	if (x->c->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", l->id);
		cJSON_AddStringToObject(o, "sku", l->sku);
		cJSON_AddStringToObject(o, "title", l->title);
		cJSON_AddStringToObject(o, "currency", l->currency);
		json_add_int(o, "price", l->ntiers ? l->tiers[0].unit_price : 0);
		json_add_int(o, "moq", l->moq);
		if (listing_stock(l) >= 0)
			json_add_int(o, "stock", listing_stock(l));
		cJSON_AddStringToObject(o, "status", l->status);
		cmd_print_json(x->c, o);
		return 0;
	}
	struct kbuf b = KBUF_INIT, t = KBUF_INIT;
	char amt[MONEY_FMT_MAX], moq[MONEY_FMT_MAX + 16], stock[MONEY_FMT_MAX];
	list_cells(l, amt, moq, stock);
	text_sanitize(&t, l->sku, strlen(l->sku), 0);
	text_clip_mark(&b, kbuf_str(&t), x->sku_cols, 1);
	kbuf_puts(&b, "  ");
	kbuf_reset(&t);
	text_sanitize(&t, l->title, strlen(l->title), 0);
	text_clip_mark(&b, kbuf_str(&t), x->title_cols, 1);
	kbuf_printf(&b, "  %s %*s  moq ", l->currency, (int)x->price_cols, amt);
	text_clip(&b, moq, x->moq_cols, 1);
	kbuf_printf(&b, " stock %-*s %-6s %.*s\n", (int)x->stock_cols, stock, l->status,
	            (int)x->id_cols, l->id);
	fputs(b.data, x->c->out);
	kbuf_free(&b);
	kbuf_free(&t);
	return 0;
}

static int run_list(struct ctx *c, const struct args *a, struct kerr *e)
{
	int rc = ctx_self(c, e);
	struct store *s;
	if (rc || (rc = ctx_store(c, &s, e)))
		return rc;
	/* Each column as wide as its widest row; where the terminal is too narrow for the row
	 * the id gives way to its start, then the title is cut. */
	int width = cmd_table_width(c);
	struct list_ctx x = {c, 0, 1, 1, 1, 1, 1, MODEL_LISTING_ID_LEN};
	if (!c->json)
		rc = store_listing_each(s, c->self_id, list_width, &x, e);
	/* the SKU, 2, the title, 2, CUR, 1, the price, 6 ("  moq "), the MOQ, 7 (" stock "),
	 * the stock, 1, the status (6), 1, the id */
	int rest = (int)(x.sku_cols + 2 + 2 + 3 + 1 + x.price_cols + 6 + x.moq_cols + 7 +
	                 x.stock_cols + 1 + 6 + 1);
	if (width > 0 && rest + (int)x.title_cols + MODEL_LISTING_ID_LEN > width)
		x.id_cols = LIST_ID_SHORT;
	x.title_cols = (size_t)cmd_flex_cols(width, rest + (int)x.id_cols, (int)x.title_cols,
	                                     LIST_TITLE_LEAST);
	if (rc == K_OK)
		rc = store_listing_each(s, c->self_id, list_one, &x, e);
	if (rc == K_OK && !c->json && x.n == 0)
		cmd_note(
		    c,
		    "no listings yet: `kontor listing add --title ... --price ... --currency ...`");
	return rc;
}

#define LISTING_OPTS                                                                               \
	"title= price= currency= tier=* moq= unit= hs-code= origin= ships-from= lead-days= "       \
	"stock= net-kg= gross-kg= per-package= "                                                   \
	"description= image=* category= tag=* incoterm=*"

#define LISTING_FIELDS_HELP                                                                        \
	"  --title T            product title (required for add)\n"                                \
	"  --price AMOUNT       unit price from the MOQ up, in CUR (e.g. 12.50; JPY has no "       \
	"decimals)\n"                                                                              \
	"  --currency CUR       ISO 4217 code (required for add)\n"                                \
	"  --tier QTY:AMOUNT    a quantity break (repeatable), no dearer than the price below "    \
	"it:\n"                                                                                    \
	"                       --tier 100:11.00 --tier 500:9.80\n"                                \
	"  --moq N              minimum order quantity (default 1)\n"                              \
	"  --unit UNIT          piece (default), set, pair, dozen, kg, g, tonne, metre, m2, m3,\n" \
	"                       litre, box, carton, or a UN/ECE Rec 20 code: C62, KGM, MTR...\n"   \
	"  --hs-code H          Harmonized System code, 6 to 10 digits: 7308.30.90 or 73083090\n"  \
	"  --origin CC          country of origin (ISO 3166 alpha-2)\n"                            \
	"  --ships-from CC      country it ships from (add: your country unless given)\n"          \
	"  --lead-days N        days from order to dispatch\n"                                     \
	"  --stock N|none       units on hand (shown to buyers); none: no longer said\n"           \
	"  --net-kg KG, --gross-kg KG   one unit's weight, bare and packed (12.5), for the "       \
	"papers\n"                                                                                 \
	"  --per-package N:CODE\n"                                                                 \
	"                       units to one package of UN/ECE Rec 21 CODE: 4:CT, 1:PX;\n"         \
	"                       each of the three takes none to unsay it\n"                        \
	"  --description TEXT   plain text, or @FILE to read it from a file\n"                     \
	"  --image FILE|URL     a local image (uploaded at sync) or an https URL (repeatable)\n"   \
	"  --category C, --tag T, --incoterm RULE   (tags and rules repeat, or take a,b,c)"
static const char listing_fields_help[] = LISTING_FIELDS_HELP;

static const char listing_edit_help[] = LISTING_FIELDS_HELP
    "\n  --variant NAME       with --stock or --price: that variant's units on hand or own\n"
    "                       price, by its SKU or options (where the variants keep their own\n"
    "                       stock the listing's is their sum); `listing edit GIO-TRE-L\n"
    "                       --price 250000` names it by its SKU\n\n"
    "The stock you say follows your sales: an order made since takes its quantity (from its\n"
    "variant's too), one cancelled before it shipped gives it back, and the new version is\n"
    "queued by the sync, or the signature that binds, that brings the order.";

const struct cmd_entry cmd_listing_entries[] = {
    {"listing add",
     "--title T --price AMOUNT --currency CUR [--sku S] [--moq N] [--unit UNIT] [--hs-code H] "
     "[--origin CC] [--lead-days N] [--description TEXT|@FILE] [--image FILE] ...",
     "add a product listing (signed, cached, queued for the node)", LISTING_OPTS " sku=", 0, 0,
     run_add, listing_fields_help},
    {"listing show", "ID|SKU [--images]", "show one listing and check its signature", "images", 1,
     1, run_show,
     "--images fetches the listing's pictures from the node, now and only now, at the size\n"
     "this terminal draws them, keeps them in the image cache (`set image-cache-mb`) and\n"
     "draws them with libchafa: symbols in 256 or 16 colours, or sixels or kitty graphics\n"
     "where the terminal has them and `set image-protocol` allows. A terminal without\n"
     "colours gets each image's size and a command to fetch it instead."},
    {"listing edit", "ID|SKU [--title T] [--price AMOUNT] ...",
     "change your listing (re-signed and queued)", LISTING_OPTS " sku= variant=", 1, 1, run_edit,
     listing_edit_help},
    {"listing pause", "ID|SKU", "take your listing out of search results", "", 1, 1, run_pause,
     NULL},
    {"listing resume", "ID|SKU", "put a paused listing back", "", 1, 1, run_resume, NULL},
    {"listing rm", "ID|SKU", "remove your listing", "", 1, 1, run_rm, NULL},
    {"listing list", "", "list your own listings", "", 0, 0, run_list, NULL},
    {"listing export", "[--format csv|jsonl]", "write your listings to standard output",
     "format=", 0, 0, run_export,
     "csv is kontor's own format, one listing per row with the columns sku, title,\n"
     "description, category, tags, currency, price, tiers, moq, unit, hs_code, origin,\n"
     "ships_from, lead_days, incoterms, images, status, stock, variant_of, options, net_kg,\n"
     "gross_kg, per_package. Lists in a cell are separated by '|'; tiers are QTY:AMOUNT\n"
     "beyond the first price; stock is empty when not said; per_package is N:CODE (4:CT).\n"
     "A listing's variants follow it, a row each: its SKU, variant_of the listing's SKU,\n"
     "options (Size: L|Colour: red), its own price and stock; the listing's stock is then\n"
     "blank, theirs summed. listing import reads it back as it is, and keeps the weights\n"
     "and packing of a file with no column for them."},
    {0},
};
