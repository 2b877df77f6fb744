/* test_import — the import parsers on the fixtures under tests/data/import (real exports of
 * kontor, Shopify, WooCommerce, Etsy and JSON Lines, each with bad rows), format detection,
 * the HTML-to-text conversion and the file-level refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/client/import.h"
#include "kontor/json.h"

#ifndef TEST_DATA
#define TEST_DATA "tests/data/import/"
#endif

/* What the parser handed out, row by row. */
struct got {
	int n;
	long line[64];
	struct listing l[64];
	int ok[64];
	char msg[64][KERR_MSG_MAX];
};

static int collect(void *ctx, long line, struct listing *l, const struct kerr *err)
{
	struct got *g = ctx;
	if (g->n >= 64)
		return K_EFAIL;
	g->line[g->n] = line;
	if (l) {
		listing_copy(&g->l[g->n], l);
		g->ok[g->n] = 1;
	} else {
		listing_init(&g->l[g->n]);
		snprintf(g->msg[g->n], KERR_MSG_MAX, "%s", err->msg);
	}
	g->n++;
	return 0;
}

static void got_free(struct got *g)
{
	for (int i = 0; i < g->n; i++)
		listing_free(&g->l[i]);
	free(g);
}

static char *slurp(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof path, TEST_DATA "%s", name);
	struct kbuf b = KBUF_INIT;
	struct kerr e;
	if (kbuf_read_file(path, IMPORT_MAX_BYTES, &b, &e))
		fail_msg("%s", e.msg);
	return kbuf_detach(&b, len);
}

static struct got *parse_str(const char *data, size_t len, enum import_format f, const char *cur,
                             int want_rc, enum import_format *used)
{
	struct got *g = calloc(1, sizeof *g);
	struct import_opts o = {f, cur};
	struct kerr e = {0, ""};
	int rc = import_parse(data, len, "test.csv", &o, used, collect, g, &e);
	if (rc != want_rc)
		fail_msg("import_parse returned %d (%s), wanted %d", rc, e.msg, want_rc);
	return g;
}

static struct got *parse_file(const char *name, enum import_format f, const char *cur,
                              enum import_format *used)
{
	size_t len;
	char *data = slurp(name, &len);
	struct got *g = parse_str(data, len, f, cur, K_OK, used);
	free(data);
	return g;
}

static const char *opt(const struct listing *l, size_t variant, const char *name)
{
	const cJSON *v = cJSON_GetArrayItem(l->variants, (int)variant);
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(v, "options");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(s) ? s->valuestring : NULL;
}

static int64_t vprice(const struct listing *l, size_t variant)
{
	const cJSON *v = cJSON_GetArrayItem(l->variants, (int)variant);
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(v, "unitPrice");
	return p ? (int64_t)p->valuedouble : -1;
}

/* --- kontor CSV ----------------------------------------------------------------------- */

static void kontor_csv_with_bom_crlf_and_semicolons_reads_every_column(void **state)
{
	(void)state;
	enum import_format used = IMPORT_AUTO;
	struct got *g = parse_file("kontor.csv", IMPORT_AUTO, NULL, &used);
	assert_int_equal(used, IMPORT_KONTOR);
	assert_int_equal(g->n, 5);
	const struct listing *l = &g->l[0];
	assert_true(g->ok[0]);
	assert_int_equal(g->line[0], 2);
	assert_string_equal(l->sku, "TL-71");
	assert_string_equal(l->title, "Iron table legs, black, 71 cm");
	assert_string_equal(l->description, "Powder-coated steel.\nFits all tables.");
	assert_string_equal(l->currency, "USD");
	assert_int_equal(l->moq, 10);
	assert_int_equal(l->ntiers, 3);
	assert_int_equal(l->tiers[0].min_qty, 10);
	assert_int_equal(l->tiers[0].unit_price, 1250);
	assert_int_equal(l->tiers[1].min_qty, 100);
	assert_int_equal(l->tiers[1].unit_price, 1100);
	assert_int_equal(l->tiers[2].unit_price, 980);
	assert_int_equal(l->tags.n, 2);
	assert_string_equal(l->incoterms.v[1], "EXW");
	assert_string_equal(l->hs_code, "940390");
	assert_string_equal(l->origin_country, "CN");
	assert_int_equal(l->lead_time_days, 14);
	/* images stay as written: the command resolves local paths */
	assert_string_equal(g->l[1].images.v[0], "images/led.png");
	assert_string_equal(g->l[1].unit, "MTR");
	assert_int_equal(g->line[1], 4); /* the quoted newline pushed it down a line */
	assert_false(g->ok[2]);
	assert_int_equal(g->line[2], 5);
	assert_string_equal(g->msg[2], "price: 12.345: USD has 2 decimal places");
	assert_string_equal(g->l[3].status, "paused");
	assert_int_equal(g->l[3].tiers[0].unit_price, 1200); /* JPY has no minor unit */
	assert_false(g->ok[4]);
	assert_int_equal(g->line[4], 7);
	assert_non_null(strstr(g->msg[4], "sku: empty"));
	got_free(g);
}

static void kontor_csv_row_validates_once_signed_fields_are_added(void **state)
{
	(void)state;
	struct got *g = parse_file("kontor.csv", IMPORT_KONTOR, NULL, NULL);
	struct kerr e;
	/* TL-71 has only https images, so it validates as it stands */
	assert_int_equal(listing_validate(&g->l[0], &e), K_OK);
	got_free(g);
}

static void kontor_csv_without_currency_column_takes_the_option(void **state)
{
	(void)state;
	const char csv[] = "sku,title,price\nA-1,Thing,2.50\n";
	struct kerr e = {0, ""};
	struct got *g = calloc(1, sizeof *g);
	struct import_opts o = {IMPORT_KONTOR, NULL};
	assert_int_equal(import_parse(csv, strlen(csv), "t.csv", &o, NULL, collect, g, &e),
	                 K_EUSAGE);
	assert_non_null(strstr(e.msg, "--currency"));
	assert_int_equal(g->n, 0);
	got_free(g);
	g = parse_str(csv, strlen(csv), IMPORT_KONTOR, "EUR", K_OK, NULL);
	assert_int_equal(g->n, 1);
	assert_string_equal(g->l[0].currency, "EUR");
	assert_int_equal(g->l[0].tiers[0].unit_price, 250);
	got_free(g);
}

static void kontor_csv_missing_required_column_is_a_file_error(void **state)
{
	(void)state;
	const char csv[] = "sku,name,price,currency\nA,B,1,USD\n";
	struct kerr e = {0, ""};
	struct got *g = calloc(1, sizeof *g);
	struct import_opts o = {IMPORT_KONTOR, NULL};
	assert_int_equal(import_parse(csv, strlen(csv), "t.csv", &o, NULL, collect, g, &e),
	                 K_EINVAL);
	assert_non_null(strstr(e.msg, "no 'title' column"));
	assert_non_null(strstr(e.msg, "t.csv: line 1"));
	got_free(g);
}

static void kontor_csv_bad_tier_and_moq_name_the_column(void **state)
{
	(void)state;
	const char csv[] = "sku,title,currency,price,tiers,moq\n"
	                   "A,T,USD,1,100-9,1\n"
	                   "B,T,USD,1,,zero\n"
	                   "C,T,USD,1,100:0.5|x:1,\n";
	struct got *g = parse_str(csv, strlen(csv), IMPORT_AUTO, NULL, K_OK, NULL);
	assert_int_equal(g->n, 3);
	assert_non_null(strstr(g->msg[0], "tiers: '100-9' is not QTY:AMOUNT"));
	assert_non_null(strstr(g->msg[1], "moq: 'zero' is not a whole number"));
	assert_non_null(strstr(g->msg[2], "tiers: 'x' is not a whole number"));
	got_free(g);
}

static void csv_reader_errors_become_row_errors_with_their_line(void **state)
{
	(void)state;
	const char csv[] = "sku,title,currency,price\n"
	                   "A,\"unterminated,USD,1\n"
	                   "B,Fine,USD,1\n";
	struct got *g = parse_str(csv, strlen(csv), IMPORT_KONTOR, NULL, K_OK, NULL);
	assert_int_equal(g->n, 2);
	assert_false(g->ok[0]);
	assert_int_equal(g->line[0], 2);
	assert_non_null(strstr(g->msg[0], "column"));
	assert_null(strstr(g->msg[0], "test.csv")); /* the caller adds FILE:LINE */
	assert_true(g->ok[1]);
	assert_int_equal(g->line[1], 3);
	got_free(g);
}

/* --- Shopify --------------------------------------------------------------------------- */

static void shopify_groups_variant_and_image_rows_under_the_handle(void **state)
{
	(void)state;
	enum import_format used = IMPORT_AUTO;
	struct got *g = parse_file("shopify.csv", IMPORT_AUTO, "USD", &used);
	assert_int_equal(used, IMPORT_SHOPIFY);
	assert_int_equal(g->n, 5);
	const struct listing *l = &g->l[0];
	assert_true(g->ok[0]);
	assert_int_equal(g->line[0], 2);
	assert_string_equal(l->sku, "iron-table-legs");
	assert_string_equal(l->description,
	                    "Powder-coated steel legs.\n\nHeight 71 cm\nLoad 150 kg & more");
	assert_string_equal(l->category, "Home & Garden > Furniture");
	assert_int_equal(cJSON_GetArraySize(l->variants), 3);
	assert_string_equal(opt(l, 1, "Colour"), "White");
	assert_string_equal(opt(l, 1, "Height"), "71 cm");
	assert_string_equal(opt(l, 2, "Height"), "40 cm");
	assert_int_equal(vprice(l, 1), 1300);
	/* the lowest variant price is the listing's price */
	assert_int_equal(l->ntiers, 1);
	assert_int_equal(l->tiers[0].unit_price, 990);
	assert_int_equal(l->images.n, 3); /* the image-only row belongs to the product */
	assert_string_equal(l->images.v[2], "https://cdn.shopify.com/s/files/1/tl-detail.jpg");
	struct kerr e;
	assert_int_equal(listing_validate(l, &e), K_OK);
	got_free(g);
}

static void shopify_default_title_product_has_no_variants(void **state)
{
	(void)state;
	struct got *g = parse_file("shopify.csv", IMPORT_SHOPIFY, "USD", NULL);
	const struct listing *l = &g->l[1];
	assert_string_equal(l->sku, "led-strip");
	assert_int_equal(g->line[1], 6);
	assert_null(l->variants);
	assert_int_equal(l->tiers[0].unit_price, 320);
	assert_string_equal(l->description,
	                    "Warm white & dimmable \xE2\x80\x93 5 m\n\nCut every 5 cm.");
	assert_false(g->ok[2]);
	assert_int_equal(g->line[2], 8);
	assert_string_equal(g->msg[2],
	                    "product 'bad-price': Variant Price: 12.345: USD has 2 decimal places");
	assert_true(g->ok[3]); /* its http image is the command's to refuse */
	assert_string_equal(g->l[4].status, "paused");
	got_free(g);
}

static void shopify_without_currency_names_the_option(void **state)
{
	(void)state;
	size_t len;
	char *data = slurp("shopify.csv", &len);
	struct got *g = parse_str(data, len, IMPORT_AUTO, NULL, K_EUSAGE, NULL);
	assert_int_equal(g->n, 0);
	got_free(g);
	free(data);
}

/* --- WooCommerce ------------------------------------------------------------------------ */

static void woocommerce_variable_product_collects_its_variations(void **state)
{
	(void)state;
	enum import_format used = IMPORT_AUTO;
	struct got *g = parse_file("woocommerce.csv", IMPORT_AUTO, "EUR", &used);
	assert_int_equal(used, IMPORT_WOOCOMMERCE);
	assert_int_equal(g->n, 5);
	const struct listing *l = &g->l[0];
	assert_true(g->ok[0]);
	assert_string_equal(l->sku, "HOODIE");
	assert_string_equal(l->description, "Heavy organic cotton hoodie.\n\nMade in Portugal.");
	assert_string_equal(l->category, "Clothing > Hoodies");
	assert_int_equal(l->images.n, 2);
	assert_int_equal(cJSON_GetArraySize(l->variants), 2);
	assert_string_equal(opt(l, 0, "Color"), "Blue");
	assert_string_equal(opt(l, 1, "Size"), "M"); /* Parent given as id:10 */
	assert_int_equal(l->tiers[0].unit_price, 4500);
	struct kerr e;
	assert_int_equal(listing_validate(l, &e), K_OK);
	/* the simple product: regular price, short description as text */
	assert_string_equal(g->l[1].sku, "BEANIE");
	assert_int_equal(g->l[1].tiers[0].unit_price, 1500);
	assert_string_equal(g->l[1].description, "Warm & soft");
	assert_int_equal(g->l[1].tags.n, 2);
	/* a product without a price and a variation without its parent fail on their lines */
	assert_false(g->ok[2]);
	assert_int_equal(g->line[2], 7);
	assert_non_null(strstr(g->msg[2], "Regular price: empty"));
	assert_false(g->ok[3]);
	assert_int_equal(g->line[3], 8);
	assert_non_null(strstr(g->msg[3], "Parent: 'NOPARENT'"));
	/* no SKU: woo-ID, unpublished is paused */
	assert_string_equal(g->l[4].sku, "woo-16");
	assert_string_equal(g->l[4].status, "paused");
	got_free(g);
}

static void woocommerce_bad_variation_fails_its_product_at_its_line(void **state)
{
	(void)state;
	const char csv[] =
	    "ID,Type,SKU,Name,Regular price,Parent,Attribute 1 name,Attribute 1 value(s)\n"
	    "1,variable,P,Product,,,Size,\"S, M\"\n"
	    "2,variation,P-S,P S,5,P,Size,S\n"
	    "3,variation,P-M,P M,5.555,P,Size,M\n";
	struct got *g = parse_str(csv, strlen(csv), IMPORT_AUTO, "USD", K_OK, NULL);
	assert_int_equal(g->n, 1);
	assert_false(g->ok[0]);
	assert_int_equal(g->line[0], 4);
	assert_non_null(strstr(g->msg[0], "Regular price: 5.555"));
	got_free(g);
}

/* --- Etsy -------------------------------------------------------------------------------- */

static void etsy_multiline_descriptions_and_variations(void **state)
{
	(void)state;
	enum import_format used = IMPORT_AUTO;
	struct got *g = parse_file("etsy.csv", IMPORT_AUTO, NULL, &used);
	assert_int_equal(used, IMPORT_ETSY);
	assert_int_equal(g->n, 4);
	const struct listing *l = &g->l[0];
	assert_string_equal(l->sku, "MUG-01");
	assert_string_equal(l->description,
	                    "A sturdy mug.\n\nDishwasher safe.\nEach one is unique.");
	assert_int_equal(l->tags.n, 5); /* tags and materials */
	assert_int_equal(l->images.n, 2);
	assert_int_equal(cJSON_GetArraySize(l->variants), 2);
	assert_int_equal(g->line[1], 6);
	/* no SKU: etsy- and a hash of the title, the same on every run */
	char want[MODEL_SKU_MAX + 1];
	import_derived_sku("etsy", "Linen napkins, set of 4", want);
	assert_string_equal(g->l[1].sku, want);
	assert_int_equal(strncmp(want, "etsy-", 5), 0);
	assert_int_equal(strlen(want), 21);
	assert_string_equal(g->l[1].currency, "EUR");
	assert_int_equal(cJSON_GetArraySize(g->l[1].variants), 4);
	assert_string_equal(opt(&g->l[1], 3, "Color"), "Grey");
	struct kerr e;
	assert_int_equal(listing_validate(&g->l[1], &e), K_OK);
	assert_int_equal(g->line[2], 7);
	assert_non_null(strstr(g->msg[2], "PRICE: abc"));
	assert_int_equal(g->line[3], 8);
	assert_non_null(strstr(g->msg[3], "CURRENCY_CODE"));
	got_free(g);
}

/* --- JSON Lines ------------------------------------------------------------------------ */

static void jsonl_lines_become_listings_and_bad_lines_are_named(void **state)
{
	(void)state;
	enum import_format used = IMPORT_AUTO;
	struct got *g = parse_file("listings.jsonl", IMPORT_AUTO, NULL, &used);
	assert_int_equal(used, IMPORT_JSONL);
	assert_int_equal(g->n, 4);
	assert_string_equal(g->l[0].sku, "JS-1");
	assert_int_equal(g->line[1], 3); /* the blank line counts */
	assert_int_equal(cJSON_GetArraySize(g->l[1].variants), 2);
	assert_int_equal(g->line[2], 4);
	assert_non_null(strstr(g->msg[2], "unterminated"));
	assert_int_equal(g->line[3], 5);
	assert_non_null(strstr(g->msg[3], "sku"));
	got_free(g);
}

/* --- detection --------------------------------------------------------------------------- */

static void detect_names_each_format_from_its_header(void **state)
{
	(void)state;
	struct {
		const char *s;
		enum import_format f;
	} cases[] = {
	    {"\xEF\xBB\xBF{\"sku\":1}", IMPORT_JSONL},
	    {"\n  {}", IMPORT_JSONL},
	    {"Handle,Title,Body (HTML),Variant Price\n", IMPORT_SHOPIFY},
	    {"ID,Type,SKU,Name,Regular price\n", IMPORT_WOOCOMMERCE},
	    {"TITLE,DESCRIPTION,PRICE,CURRENCY_CODE\n", IMPORT_ETSY},
	    {"\xEF\xBB\xBFsku;title;price\r\n", IMPORT_KONTOR},
	    {"a,b,c\n", IMPORT_AUTO},
	    {"", IMPORT_AUTO},
	    {"\"unterminated", IMPORT_AUTO},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(import_detect(cases[i].s, strlen(cases[i].s)), cases[i].f);
}

static void unknown_format_is_a_file_error_asking_for_format(void **state)
{
	(void)state;
	const char csv[] = "a,b,c\n1,2,3\n";
	struct got *g = parse_str(csv, strlen(csv), IMPORT_AUTO, "USD", K_EINVAL, NULL);
	assert_int_equal(g->n, 0);
	got_free(g);
	enum import_format f;
	struct kerr e;
	assert_int_equal(import_format_parse("Shopify", &f, &e), K_OK);
	assert_int_equal(f, IMPORT_SHOPIFY);
	assert_int_equal(import_format_parse("excel", &f, &e), K_EUSAGE);
	assert_non_null(strstr(e.msg, "woocommerce"));
}

static void callback_stop_ends_the_parse_with_its_value(void **state)
{
	(void)state;
	struct got *g = calloc(1, sizeof *g);
	g->n = 64; /* collect returns K_EFAIL at once */
	const char csv[] = "sku,title,currency,price\nA,B,USD,1\nC,D,USD,1\n";
	struct import_opts o = {IMPORT_AUTO, NULL};
	struct kerr e;
	assert_int_equal(import_parse(csv, strlen(csv), "t", &o, NULL, collect, g, &e), K_EFAIL);
	g->n = 0;
	got_free(g);
}

/* --- HTML to text -------------------------------------------------------------------------- */

static void html(const char *in, const char *want)
{
	struct kbuf b = KBUF_INIT;
	import_html_to_text(in, strlen(in), &b);
	if (strcmp(kbuf_str(&b), want) != 0)
		fail_msg("html '%s' gave '%s', wanted '%s'", in, kbuf_str(&b), want);
	kbuf_free(&b);
}

static void html_tags_dropped_and_blocks_become_line_breaks(void **state)
{
	(void)state;
	html("<p>One <b>two</b></p><p>three</p>", "One two\n\nthree");
	html("a<br>b<br/><br />c", "a\nb\n\nc");
	html("<ul><li>x</li><li>y</li></ul>", "x\ny");
	html("<h2>Title</h2>Body", "Title\n\nBody");
	html("<div>a</div><div>b</div>", "a\nb");
	html("<table><tr><td>a</td><td>b</td></tr></table>", "a b");
	html("<a href=\"x>y\" title='q'>link</a>", "link");
}

static void html_entities_decoded(void **state)
{
	(void)state;
	html("&amp; &lt; &gt; &quot; &#39; &apos;", "& < > \" ' '");
	html("5&nbsp;kg", "5 kg");
	html("&#233;&#xE9;&#x1F600;", "\xC3\xA9\xC3\xA9\xF0\x9F\x98\x80");
	html("&#0;&#xD800;&#x110000;", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	html("&#7;x&#x9F;", "x"); /* control characters dropped */
	html("AT&T &unknown; &#xZZ; &", "AT&T &unknown; &#xZZ; &");
}

static void html_whitespace_tidied(void **state)
{
	(void)state;
	html("  a \n\t b  ", "a b");
	html("<p>  a  </p>  <p>  b  </p>", "a\n\nb");
	html("<br><br><br><br>x<br><br><br>", "x");
	html("a <br> b", "a\nb");
	html("\xC2\xA0"
	     "a"
	     "\xC2\xA0\xC2\xA0"
	     "b",
	     "a b");
}

static void html_comments_scripts_and_stray_brackets(void **state)
{
	(void)state;
	html("a<!-- hidden <p> -->b", "ab");
	html("a<script>alert('<p>')</script>b<style>p{}</style>c", "abc");
	html("a<!-- never closed", "a");
	html("1 < 2 and 3 > 2", "1 < 2 and 3 > 2");
	html("x <b unclosed", "x <b unclosed");
	html("<SCRIPT>x</SCRIPT>y", "y");
	html("", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(kontor_csv_with_bom_crlf_and_semicolons_reads_every_column),
	    cmocka_unit_test(kontor_csv_row_validates_once_signed_fields_are_added),
	    cmocka_unit_test(kontor_csv_without_currency_column_takes_the_option),
	    cmocka_unit_test(kontor_csv_missing_required_column_is_a_file_error),
	    cmocka_unit_test(kontor_csv_bad_tier_and_moq_name_the_column),
	    cmocka_unit_test(csv_reader_errors_become_row_errors_with_their_line),
	    cmocka_unit_test(shopify_groups_variant_and_image_rows_under_the_handle),
	    cmocka_unit_test(shopify_default_title_product_has_no_variants),
	    cmocka_unit_test(shopify_without_currency_names_the_option),
	    cmocka_unit_test(woocommerce_variable_product_collects_its_variations),
	    cmocka_unit_test(woocommerce_bad_variation_fails_its_product_at_its_line),
	    cmocka_unit_test(etsy_multiline_descriptions_and_variations),
	    cmocka_unit_test(jsonl_lines_become_listings_and_bad_lines_are_named),
	    cmocka_unit_test(detect_names_each_format_from_its_header),
	    cmocka_unit_test(unknown_format_is_a_file_error_asking_for_format),
	    cmocka_unit_test(callback_stop_ends_the_parse_with_its_value),
	    cmocka_unit_test(html_tags_dropped_and_blocks_become_line_breaks),
	    cmocka_unit_test(html_entities_decoded),
	    cmocka_unit_test(html_whitespace_tidied),
	    cmocka_unit_test(html_comments_scripts_and_stray_brackets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
