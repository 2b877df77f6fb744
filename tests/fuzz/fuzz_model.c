/* fuzz_model — outside bytes through both JSON parsers into every model reader. Whatever a
 * reader accepts must be canonicalisable, and a Listing or Account read back from its own
 * to_json must give the same canonical bytes (what gets signed must not drift). No string
 * of an accepted object holds a bidi control or invisible format character (the contract
 * section body, canonical JSON checked by contract_verify, aside); every string through the
 * terminal sanitiser comes out valid UTF-8 with no escape, control or hidden character, and
 * the same again when sanitised twice; JSON made safe for a terminal means the same JSON.
 * Each variant of a listing is found by its own SKU. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/canon.h"
#include "kontor/codes.h"
#include "kontor/crypto.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "kontor/text.h"

static const char *const types[] = {"Account",  "Listing", "Rfq",      "Conversation", "Message",
                                    "Contract", "Order",   "Shipment", "Rating",       "Wallet"};

static void die(const char *what, const struct kerr *e)
{
	fprintf(stderr, "fuzz_model: %s: %s\n", what, e ? e->msg : "");
	abort();
}

static void canon_or_die(const cJSON *j, struct kbuf *out, const char *what)
{
	struct kerr e = {0, ""};
	if (canon_write(j, out, &e) != K_OK)
		die(what, &e);
}

static void same_or_die(const struct kbuf *a, const struct kbuf *b, const char *what)
{
	if (a->len != b->len || memcmp(kbuf_str(a), kbuf_str(b), a->len) != 0) {
		fprintf(stderr, "fuzz_model: %s differ:\n%s\n%s\n", what, kbuf_str(a), kbuf_str(b));
		abort();
	}
}

static void listing_round_trip(const cJSON *j)
{
	struct listing l, l2, cp;
	struct kerr e = {0, ""};
	if (listing_from_json(j, &l, &e) != K_OK)
		return;
	if (listing_validate(&l, &e) != K_OK)
		die("a listing read from JSON does not validate", &e);

	struct kbuf c1 = KBUF_INIT, c2 = KBUF_INIT, signed_form = KBUF_INIT;
	cJSON *j1 = listing_to_json(&l, 1);
	canon_or_die(j1, &c1, "listing_to_json");
	if (listing_from_json(j1, &l2, &e) != K_OK)
		die("listing_to_json output is refused", &e);
	cJSON *j2 = listing_to_json(&l2, 1);
	canon_or_die(j2, &c2, "listing_to_json (second)");
	same_or_die(&c1, &c2, "listing canonical bytes after a round trip");

	/* The canonical bytes are canonical by the canon module's own reading. */
	if (canon_check(c1.data, c1.len, &e) != K_OK)
		die("canon_check on listing canonical bytes", &e);
	if (listing_canon(&l, &signed_form, &e) != K_OK)
		die("listing_canon", &e);

	listing_copy(&cp, &l);
	kbuf_reset(&c2);
	cJSON *j3 = listing_to_json(&cp, 1);
	canon_or_die(j3, &c2, "listing_copy");
	same_or_die(&c1, &c2, "listing canonical bytes after listing_copy");
	(void)listing_verify(&l, &e);
	(void)listing_unit_price(&l, 1000);
	/* each variant is found by its own SKU (or refused as ambiguous, when another's
	 * sellerSku is the same bytes), and its label and price come out */
	const cJSON *v, *found;
	struct kbuf label = KBUF_INIT;
	listing_variants_named(&l, &label);
	cJSON_ArrayForEach(v, l.variants)
	{
		const char *sku = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "sku"));
		int rc = listing_variant_find(&l, sku, &found, &e);
		if (rc == K_OK && found != v &&
		    strcmp(sku, cJSON_GetStringValue(
		                    cJSON_GetObjectItemCaseSensitive(found, "sellerSku"))) != 0)
			die("a variant's SKU found another variant", NULL);
		if (rc != K_OK && rc != K_EINVAL)
			die("a variant's SKU found none", &e);
		listing_variant_label(v, &label);
		(void)listing_variant_price(&l, v, 1000);
	}
	(void)listing_variant_find(&l, "L", &found, &e);
	kbuf_free(&label);

	cJSON_Delete(j1);
	cJSON_Delete(j2);
	cJSON_Delete(j3);
	kbuf_free(&c1);
	kbuf_free(&c2);
	kbuf_free(&signed_form);
	listing_free(&l);
	listing_free(&l2);
	listing_free(&cp);
}

static void account_round_trip(const cJSON *j)
{
	struct account a, a2;
	struct kerr e = {0, ""};
	if (account_from_json(j, &a, &e) != K_OK)
		return;
	if (account_validate(&a, &e) != K_OK)
		die("an account read from JSON does not validate", &e);
	/* its factory profile: checked against the account, never a crash, one of three answers */
	if (a.factory) {
		struct kerr fe = {0, ""};
		int frc = account_factory_verify(a.factory, a.id, &fe);
		if (frc != K_OK && frc != K_EVERIFY && frc != K_EINVAL)
			die("account_factory_verify gave another code", &fe);
	}
	struct kbuf c1 = KBUF_INIT, c2 = KBUF_INIT;
	cJSON *j1 = account_to_json(&a);
	canon_or_die(j1, &c1, "account_to_json");
	if (account_from_json(j1, &a2, &e) != K_OK)
		die("account_to_json output is refused", &e);
	cJSON *j2 = account_to_json(&a2);
	canon_or_die(j2, &c2, "account_to_json (second)");
	same_or_die(&c1, &c2, "account canonical bytes after a round trip");
	cJSON_Delete(j1);
	cJSON_Delete(j2);
	kbuf_free(&c1);
	kbuf_free(&c2);
	account_free(&a);
	account_free(&a2);
}

/* Every string (and key) of an accepted object: nothing the sanitiser would take out. */
static void no_hidden_or_die(const cJSON *v, const char *type)
{
	const cJSON *c;
	if (cJSON_IsString(v) && v->valuestring && !(v->string && strcmp(v->string, "body") == 0)) {
		size_t at = 0;
		long cp = 0;
		if (text_hidden_find(v->valuestring, strlen(v->valuestring), &at, &cp, NULL)) {
			fprintf(stderr, "fuzz_model: %s accepted U+%04lX in '%s'\n", type, cp,
			        v->string ? v->string : "?");
			abort();
		}
	}
	for (c = v->child; c; c = c->next) {
		if (c->string && text_hidden_find(c->string, strlen(c->string), NULL, NULL, NULL)) {
			fprintf(stderr, "fuzz_model: %s accepted a hidden character in a key\n",
			        type);
			abort();
		}
		no_hidden_or_die(c, type);
	}
}

/* The sanitiser's promises on one string from outside. */
static void sanitised_or_die(const char *s, size_t n)
{
	struct kbuf once = KBUF_INIT, twice = KBUF_INIT;
	text_sanitize(&once, s, n, 1);
	const unsigned char *p = (const unsigned char *)kbuf_str(&once);
	for (size_t i = 0; i < once.len; i++) {
		if ((p[i] < 0x20 && p[i] != '\n') || p[i] == 0x7f ||
		    (p[i] == 0xc2 && i + 1 < once.len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f)) {
			fprintf(stderr, "fuzz_model: the sanitiser let byte %zu (0x%02x) through\n",
			        i, p[i]);
			abort();
		}
	}
	if (!utf8_valid(kbuf_str(&once), once.len) ||
	    text_hidden_find(kbuf_str(&once), once.len, NULL, NULL, NULL))
		die("sanitised text is not valid UTF-8 or keeps a hidden character", NULL);
	text_sanitize(&twice, kbuf_str(&once), once.len, 1);
	same_or_die(&once, &twice, "text sanitised once and twice");
	/* a product cut for a column, before its variant: never wider than the column */
	struct kbuf line = KBUF_INIT, cut = KBUF_INIT;
	text_sanitize(&line, s, n, 0);
	for (size_t cols = 1; cols <= 41; cols += 8) {
		kbuf_reset(&cut);
		size_t used = text_clip_tail(&cut, kbuf_str(&line), cols, 1);
		if (used != cols || text_width(kbuf_str(&cut)) != cols ||
		    !utf8_valid(kbuf_str(&cut), cut.len))
			die("a product clipped before its variant is not its column wide", NULL);
	}
	/* wrapped for a terminal: no line wider than it (a character wider than a line alone on
	 * its own), and every byte of the text on some line, only spaces gone */
	static struct kbuf lines[64];
	for (size_t cols = 1; cols <= 41; cols += 10) {
		size_t nl = text_wrap(kbuf_str(&line), cols, lines, 64);
		struct kbuf all = KBUF_INIT, want = KBUF_INIT;
		for (size_t i = 0; i < nl; i++) {
			if ((i + 1 < 64 || nl < 64) && text_width(kbuf_str(&lines[i])) > cols &&
			    text_width(kbuf_str(&lines[i])) > 2)
				die("a wrapped line is wider than its columns", NULL);
			for (const char *q = kbuf_str(&lines[i]); *q; q++)
				if (*q != ' ')
					kbuf_putc(&all, *q);
			kbuf_free(&lines[i]);
		}
		for (const char *q = kbuf_str(&line); *q; q++)
			if (*q != ' ')
				kbuf_putc(&want, *q);
		same_or_die(&want, &all, "the text and its wrapped lines, spaces aside");
		kbuf_free(&all);
		kbuf_free(&want);
	}
	kbuf_free(&line);
	kbuf_free(&cut);
	kbuf_free(&once);
	kbuf_free(&twice);
}

static void strings_sanitised_or_die(const cJSON *v)
{
	const cJSON *c;
	if (cJSON_IsString(v) && v->valuestring)
		sanitised_or_die(v->valuestring, strlen(v->valuestring));
	for (c = v->child; c; c = c->next)
		strings_sanitised_or_die(c);
}

/* JSON printed for a terminal reads back as the same JSON. */
static void json_guard_lossless_or_die(const cJSON *j)
{
	struct kbuf plain = KBUF_INIT, safe = KBUF_INIT, again = KBUF_INIT;
	struct kerr e = {0, ""};
	json_print(j, &plain);
	text_json_guard(&safe, kbuf_str(&plain), plain.len);
	cJSON *back = NULL;
	if (json_parse(kbuf_str(&safe), safe.len, "guarded JSON", &back, &e) != K_OK)
		die("JSON made safe for a terminal does not parse", &e);
	json_print(back, &again);
	same_or_die(&plain, &again, "JSON before and after text_json_guard");
	cJSON_Delete(back);
	kbuf_free(&plain);
	kbuf_free(&safe);
	kbuf_free(&again);
}

static void run(const cJSON *j)
{
	struct kerr e = {0, ""};
	strings_sanitised_or_die(j);
	json_guard_lossless_or_die(j);
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		if (model_validate(types[i], j, &e) != K_OK)
			continue;
		no_hidden_or_die(j, types[i]);
		/* Everything a table accepts is fit to be signed. */
		struct kbuf c = KBUF_INIT;
		canon_or_die(j, &c, types[i]);
		kbuf_free(&c);
	}
	listing_round_trip(j);
	account_round_trip(j);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct kerr e = {0, ""};
	if (kcrypto_init(&e) != K_OK || codes_load(&e) != K_OK)
		die("init", &e);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kerr e = {0, ""};
	cJSON *j = NULL;
	if (canon_parse((const char *)data, size, &j, &e) == K_OK) {
		run(j);
		cJSON_Delete(j);
	}
	j = NULL;
	if (json_parse((const char *)data, size, "fuzz input", &j, &e) == K_OK) {
		run(j);
		cJSON_Delete(j);
	}
	return 0;
}
