/* test_import — the import parsers on the fixtures under tests/data/import (files shaped like
 * real exports of kontor, Shopify, WooCommerce, Etsy (English and Italian headers, one SKU
 * per variation) and JSON Lines, a WooCommerce export with repeated rows and grouped
 * products, one whose variations keep their own stock, a Windows-1252 file, a "sep=;" file
 * with decimal commas, each with bad rows), format detection, SKU keys, encodings, the
 * HTML-to-text conversion and the file-level refusals. Every parse checks that its results
 * account for every row of the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <iconv.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/client/import.h"
#include "kontor/codes.h"
#include "kontor/json.h"

#include "import_data.h"

/* What the parser handed out, row by row. */
struct got {
	int n;
	long line[64];
	struct listing l[64];
	int ok[64];
	long same_as[64]; /* merged rows: the line they repeat */
	char msg[64][KERR_MSG_MAX];
	long rows;      /* records the results stood for */
	long file_rows; /* records the parser read */
};

static int collect(void *ctx, const struct import_row *r)
{
	struct got *g = ctx;
	if (g->n >= 64)
		return K_EFAIL;
	assert_true((r->l != NULL) + (r->err != NULL) + (r->same_as > 0) == 1);
	assert_true(r->rows >= 1);
	g->rows += r->rows;
	g->line[g->n] = r->line;
	g->same_as[g->n] = r->same_as;
	if (r->l) {
		listing_copy(&g->l[g->n], r->l);
		g->ok[g->n] = 1;
	} else {
		listing_init(&g->l[g->n]);
		if (r->err)
			snprintf(g->msg[g->n], KERR_MSG_MAX, "%s", r->err->msg);
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

static struct got *parse_opts(const char *data, size_t len, const struct import_opts *o,
                              int want_rc, enum import_format *used, struct kerr *e)
{
	struct got *g = calloc(1, sizeof *g);
	struct import_stats st = {IMPORT_AUTO, -1};
	struct kerr e0 = {0, ""};
	if (!e)
		e = &e0;
	int rc = import_parse(data, len, "test.csv", o, &st, collect, g, e);
	if (rc != want_rc)
		fail_msg("import_parse returned %d (%s), wanted %d", rc, e->msg, want_rc);
	if (rc == K_OK) { /* every row accounted for: created, merged or failed */
		g->file_rows = st.rows;
		if (g->rows != st.rows)
			fail_msg("results stand for %ld rows of %ld", g->rows, st.rows);
	}
	if (used)
		*used = rc == K_OK ? st.format : IMPORT_AUTO;
	return g;
}

static struct got *parse_str(const char *data, size_t len, enum import_format f, const char *cur,
                             int want_rc, enum import_format *used)
{
	struct import_opts o = {f, cur, 0, 0, NULL};
	return parse_opts(data, len, &o, want_rc, used, NULL);
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

static const char *vsku(const struct listing *l, size_t variant, const char *field)
{
	const cJSON *v = cJSON_GetArrayItem(l->variants, (int)variant);
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(v, field);
	return cJSON_IsString(s) ? s->valuestring : NULL;
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
	assert_string_equal(g->msg[2], "price: 12.345: USD has 2 decimal places (if the '.' groups "
	                               "thousands, write 12345)");
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
	struct import_opts o = {IMPORT_KONTOR, NULL, 0, 0, NULL};
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

/* The model's rule of prices set now holds for a file's rows too: none at 0, no quantity
 * break dearer than the price below it; the row fails saying which, the others go in. */
static void a_free_or_dearer_price_fails_its_row_only(void **state)
{
	(void)state;
	const char csv[] = "sku,title,price,moq,tiers\n"
	                   "A-1,Gate,120.00,10,20:130.00\n"
	                   "A-2,Gift wrap,0,1,\n"
	                   "A-3,Fence,120.00,10,20:110.00\n";
	struct got *g = parse_str(csv, strlen(csv), IMPORT_KONTOR, "USD", K_OK, NULL);
	assert_int_equal(g->n, 3);
	assert_false(g->ok[0]);
	assert_string_equal(g->msg[0], "tiers: 130.00 USD from 20 up is dearer than 120.00 from 10 "
	                               "up (a break lowers the price)");
	assert_false(g->ok[1]);
	assert_string_equal(g->msg[1], "price: 0.00 USD gives the goods away (a price is above 0)");
	assert_true(g->ok[2]);
	assert_int_equal(g->l[2].tiers[1].unit_price, 11000);
	got_free(g);
}

static void kontor_csv_missing_required_column_is_a_file_error(void **state)
{
	(void)state;
	const char csv[] = "sku,name,price,currency\nA,B,1,USD\n";
	struct kerr e = {0, ""};
	struct got *g = calloc(1, sizeof *g);
	struct import_opts o = {IMPORT_KONTOR, NULL, 0, 0, NULL};
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

/* A break no buyer reaches (below the MOQ, or at it beside the price) and breaks out of order
 * fail their row in the column's words, not the signed form's field names. */
static void kontor_csv_breaks_start_above_the_moq_and_go_up(void **state)
{
	(void)state;
	const char csv[] = "sku,title,currency,price,moq,tiers\n"
	                   "A,T,USD,50,10,5:45\n"
	                   "B,T,USD,50,10,10:45\n"
	                   "C,T,USD,50,10,20:45|15:47\n"
	                   "D,T,USD,50,10,15:47|20:45\n";
	struct got *g = parse_str(csv, strlen(csv), IMPORT_AUTO, NULL, K_OK, NULL);
	assert_int_equal(g->n, 4);
	assert_string_equal(g->msg[0], "tiers: a break from 5 is not above the moq of 10 (price is "
	                               "the price from the MOQ; a break starts above it)");
	assert_string_equal(g->msg[1], "tiers: a break from 10 is not above the moq of 10 (price "
	                               "is the price from the MOQ; a break starts above it)");
	assert_string_equal(g->msg[2], "tiers: a break from 15 after one from 20 (list them from "
	                               "the smallest quantity up)");
	assert_true(g->ok[3]);
	assert_int_equal(g->l[3].ntiers, 3);
	got_free(g);
}

/* listing export writes a listing's variants as rows under it; they read back as its variants,
 * and its stock as theirs summed */
static void kontor_csv_variant_rows_become_the_listings_variants(void **state)
{
	(void)state;
	const char csv[] = "sku,title,currency,price,stock,variant_of,options\n"
	                   "quat-may,Quạt mây,VND,47000,,,\n"
	                   "QUAT-S,,,45000,120,quat-may,Cỡ: Nhỏ\n"
	                   "QUAT L,,VND,,80,quat-may,Cỡ: Lớn|Màu: Nâu\n"
	                   "den,Đèn tre,VND,320000,15,,\n"
	                   "G-1,,,,,den,Tre\n";
	struct got *g = parse_str(csv, strlen(csv), IMPORT_KONTOR, NULL, K_OK, NULL);
	assert_int_equal(g->n, 2);
	assert_int_equal(g->rows, 5);
	assert_true(g->ok[0]);
	assert_int_equal(g->line[0], 2);
	const struct listing *l = &g->l[0];
	assert_int_equal(cJSON_GetArraySize(l->variants), 2);
	assert_int_equal(l->tiers[0].unit_price, 47000);
	assert_int_equal(l->stock, 200); /* 120 + 80 */
	assert_string_equal(vsku(l, 0, "sku"), "QUAT-S");
	assert_string_equal(opt(l, 0, "Cỡ"), "Nhỏ");
	assert_int_equal(vprice(l, 0), 45000);
	assert_int_equal(listing_variant_stock(cJSON_GetArrayItem(l->variants, 0)), 120);
	/* a SKU a key cannot hold is mapped and kept as written; no price: the listing's */
	assert_string_equal(vsku(l, 1, "sellerSku"), "QUAT L");
	assert_string_equal(opt(l, 1, "Cỡ"), "Lớn");
	assert_string_equal(opt(l, 1, "Màu"), "Nâu");
	assert_int_equal(vprice(l, 1), -1);
	/* a value alone is a shop's unnamed Variation; the product's own stock stands when its
	 * variants keep none */
	assert_true(g->ok[1]);
	assert_string_equal(opt(&g->l[1], 0, "Variation"), "Tre");
	assert_int_equal(g->l[1].stock, 15);
	struct kerr e = {0, ""};
	assert_int_equal(listing_validate(&g->l[0], &e), K_OK);
	got_free(g);
}

/* a bad variant row fails its product, all its rows, at the bad row's line; a variant row
 * that does not follow its product is refused alone, and the product before it goes in */
static void kontor_csv_bad_variant_rows_are_named_and_fail_their_product(void **state)
{
	(void)state;
	const char csv[] = "sku,title,currency,price,stock,variant_of,options\n"
	                   "a,A,VND,100,50,,\n"          /* 2: stock not the variants' sum */
	                   "a-s,,,90,20,a,Size: S\n"     /* 3 */
	                   "a-l,,,110,20,a,Size: L\n"    /* 4 */
	                   "b,B,VND,100,,,\n"            /* 5 */
	                   "b-s,Small,,90,2,b,Size: S\n" /* 6: a title on a variant row */
	                   "c,C,VND,100,,,\n"            /* 7: goes in */
	                   "c-s,,,,5,zz,Size: S\n"       /* 8: not under zz */
	                   "d,D,VND,100,,,\n"            /* 9 */
	                   "d-s,,,,5,d,\n"               /* 10: no options */
	                   "e,E,VND,100,,,\n"            /* 11 */
	                   "e-s,,USD,,5,e,Size: S\n"     /* 12: another currency */
	                   "f,F,VND,100,,,\n"            /* 13 */
	                   "f-s,,,,5,f,Size: \n"         /* 14: a name without a value */
	                   "g,G,VND,100,,,\n"            /* 15 */
	                   "g-s,,,12.5,5,g,Size: S\n"    /* 16: VND has no cents */
	                   "h,H,VND,100,,,Size: L\n";    /* 17: options on a product */
	struct got *g = parse_str(csv, strlen(csv), IMPORT_KONTOR, NULL, K_OK, NULL);
	assert_int_equal(g->rows, 16);
	assert_int_equal(g->n, 9);
	assert_false(g->ok[0]);
	assert_int_equal(g->line[0], 2);
	assert_non_null(strstr(g->msg[0], "stock: 50 on the product's row, but its variants' "
	                                  "rows say 40"));
	assert_false(g->ok[1]);
	assert_int_equal(g->line[1], 6);
	assert_non_null(strstr(g->msg[1], "title: a variant's row leaves it blank"));
	assert_true(g->ok[2]);
	assert_string_equal(g->l[2].sku, "c");
	assert_null(g->l[2].variants);
	assert_false(g->ok[3]);
	assert_int_equal(g->line[3], 8);
	assert_non_null(strstr(g->msg[3], "variant_of: 'zz' is not the product on the rows above"));
	assert_int_equal(g->line[4], 10);
	assert_non_null(strstr(g->msg[4], "options: empty"));
	assert_int_equal(g->line[5], 12);
	assert_non_null(strstr(g->msg[5], "currency: USD, but its product's is VND"));
	assert_int_equal(g->line[6], 14);
	assert_non_null(strstr(g->msg[6], "options: 'Size' has no value (NAME: VALUE)"));
	assert_int_equal(g->line[7], 16);
	assert_non_null(strstr(g->msg[7], "price: 12.5: VND has no decimal places"));
	assert_int_equal(g->line[8], 17);
	assert_non_null(strstr(g->msg[8], "options: a product's row leaves it blank"));
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
	                    "product 'bad-price': Variant Price: 12.345: USD has 2 decimal "
	                    "places (if the '.' groups thousands, write 12345)");
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

/* --- Shopee ----------------------------------------------------------------------------- */

static void shopee_export_skips_its_notes_rows_and_groups_variations_by_product(void **state)
{
	(void)state;
	enum import_format used = IMPORT_AUTO;
	struct got *g = parse_file("shopee-sales-info.csv", IMPORT_AUTO, "VND", &used);
	assert_int_equal(used, IMPORT_SHOPEE);
	assert_int_equal(g->n, 4);
	assert_int_equal(g->file_rows, 6); /* rows 7-12: Shopee's notes are no rows of hers */
	const struct listing *l = &g->l[0];
	assert_true(g->ok[0]);
	assert_int_equal(g->line[0], 7);
	assert_string_equal(l->sku, "GIO-TRE");
	assert_string_equal(l->title, "Giỏ tre đan tay");
	assert_string_equal(l->currency, "VND");
	assert_int_equal(cJSON_GetArraySize(l->variants), 2);
	assert_string_equal(opt(l, 0, "Variation"), "Nhỏ");
	assert_string_equal(opt(l, 1, "Variation"), "Lớn");
	assert_string_equal(vsku(l, 1, "sku"), "GIO-TRE-L");
	assert_int_equal(vprice(l, 1), 245000);
	assert_int_equal(l->tiers[0].unit_price, 185000); /* the lowest */
	assert_int_equal(l->stock, 65);                   /* the variations' summed */
	l = &g->l[1];
	assert_true(g->ok[1]);
	assert_string_equal(l->sku, "NON-LA");
	assert_null(l->variants);
	assert_int_equal(l->tiers[0].unit_price, 120000);
	assert_int_equal(l->stock, 100);
	l = &g->l[2]; /* no parent SKU: the product id is the key */
	assert_true(g->ok[2]);
	assert_string_equal(l->sku, "shopee-22345678903");
	assert_string_equal(opt(l, 0, "Variation"), "Nâu,30cm");
	assert_string_equal(vsku(l, 0, "sku"), "KHAY-NAU-30");
	assert_int_equal(l->stock, 20);
	assert_false(g->ok[3]);
	assert_int_equal(g->line[3], 12);
	assert_non_null(strstr(g->msg[3], "Thảm cói"));
	assert_non_null(strstr(g->msg[3], "et_title_variation_price"));
	got_free(g);
}

static void shopee_template_reads_flagged_keys_options_description_and_images(void **state)
{
	(void)state;
	enum import_format used = IMPORT_AUTO;
	struct got *g = parse_file("shopee-template.csv", IMPORT_AUTO, "VND", &used);
	assert_int_equal(used, IMPORT_SHOPEE);
	assert_int_equal(g->n, 3);
	assert_int_equal(g->file_rows, 5);
	const struct listing *l = &g->l[0];
	assert_true(g->ok[0]);
	assert_int_equal(g->line[0], 8); /* the guidance cell above holds a line break */
	assert_string_equal(l->sku, "GIO-TRE");
	assert_string_equal(l->description, "Giỏ tre đan tay\nLàng nghề Phú Vinh");
	assert_int_equal(l->images.n, 2);
	assert_string_equal(l->images.v[0], "https://cf.shopee.vn/file/vn-giotre-1");
	assert_string_equal(opt(l, 0, "Kích thước"), "Nhỏ");
	assert_string_equal(opt(l, 1, "Kích thước"), "Lớn");
	assert_int_equal(l->stock, 65);
	l = &g->l[1]; /* a product of its own row: its SKU is the key */
	assert_true(g->ok[1]);
	assert_string_equal(l->sku, "NON-LA");
	assert_null(l->variants);
	assert_string_equal(l->description, "Nón lá truyền thống");
	l = &g->l[2];
	assert_true(g->ok[2]);
	assert_string_equal(l->sku, "KHAY");
	assert_int_equal(cJSON_GetArraySize(l->variants), 2);
	assert_string_equal(opt(l, 1, "Màu"), "Nâu");
	assert_string_equal(opt(l, 1, "Cỡ"), "40cm");
	assert_string_equal(vsku(l, 1, "sku"), "KHAY-2");
	assert_int_equal(l->tiers[0].unit_price, 95000);
	got_free(g);
}

static void shopee_without_currency_names_the_option(void **state)
{
	(void)state;
	size_t len;
	char *data = slurp("shopee-sales-info.csv", &len);
	struct kerr e = {0, ""};
	struct import_opts o = {IMPORT_AUTO, NULL, 0, 0, NULL};
	struct got *g = parse_opts(data, len, &o, K_EUSAGE, NULL, &e);
	assert_int_equal(g->n, 0);
	assert_non_null(strstr(e.msg, "--currency"));
	assert_int_equal(import_has_currency(data, len, &o), 0);
	got_free(g);
	free(data);
}

static void shopee_product_row_in_the_notes_rows_is_not_skipped(void **state)
{
	(void)state;
	/* a seller who deleted Shopee's notes rows: her first product is on row 2 */
	const char csv[] = "ps_product_name|1|0,ps_price|1|1,ps_sku_short|0|0\n"
	                   "Giỏ tre,185000,GIO\n"
	                   "Nón lá,120000,NON\n";
	struct got *g = parse_str(csv, strlen(csv), IMPORT_AUTO, "VND", K_OK, NULL);
	assert_int_equal(g->n, 2);
	assert_int_equal(g->line[0], 2);
	assert_string_equal(g->l[0].sku, "GIO");
	got_free(g);
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

static int64_t vstock(const struct listing *l, size_t variant)
{
	return listing_variant_stock(cJSON_GetArrayItem(l->variants, (int)variant));
}

/* Each variation's Stock is its variant's, and their sum the listing's (below zero: none on
 * hand; blank: none recorded, not 0). Stock managed at product level ("parent", or blank, on
 * the variations) is the listing's, the variants keeping none. */
/* A shop that counts nothing marks a simple product out of stock by hand: "In stock?" 0 with
 * no Stock is none on hand; 1 or "backorder" with none is a count never said; a Stock wins. */
static void woocommerce_in_stock_0_without_a_count_is_none_on_hand(void **state)
{
	(void)state;
	const char csv[] = "ID,Type,SKU,Name,Published,In stock?,Stock,Regular price\n"
	                   "1,simple,POT,Clay pot,1,0,,8.00\n"
	                   "2,simple,JUG,Clay jug,1,1,,9.00\n"
	                   "3,simple,CUP,Clay cup,1,backorder,,3.00\n"
	                   "4,simple,BOWL,Clay bowl,1,0,7,5.00\n";
	struct got *g = parse_str(csv, strlen(csv), IMPORT_AUTO, "EUR", K_OK, NULL);
	assert_int_equal(g->n, 4);
	assert_true(g->ok[0] && g->ok[1] && g->ok[2] && g->ok[3]);
	assert_int_equal(g->l[0].stock, 0);
	assert_int_equal(g->l[1].stock, -1);
	assert_int_equal(g->l[2].stock, -1);
	assert_int_equal(g->l[3].stock, 7);
	got_free(g);
}

static void woocommerce_variations_keep_their_stock_and_the_listing_their_sum(void **state)
{
	(void)state;
	struct got *g = parse_file("woocommerce-stock.csv", IMPORT_AUTO, "EUR", NULL);
	assert_int_equal(g->n, 7);
	assert_int_equal(g->rows, 23);
	const struct listing *tee = &g->l[0];
	assert_true(g->ok[0]);
	assert_string_equal(tee->sku, "TEE");
	assert_int_equal(cJSON_GetArraySize(tee->variants), 3);
	assert_int_equal(vstock(tee, 0), 4);
	assert_int_equal(vstock(tee, 1), 0);  /* '-2: sold below zero */
	assert_int_equal(vstock(tee, 2), -1); /* blank: no count kept */
	assert_int_equal(tee->stock, -1);     /* so the tee says no 4 in all */
	assert_int_equal(tee->tiers[0].unit_price, 2500);
	struct kerr e = {0, ""};
	assert_int_equal(listing_validate(tee, &e), K_OK);
	/* the cap's 12 are managed on the product's row, shared by both colours */
	const struct listing *cap = &g->l[1];
	assert_true(g->ok[1]);
	assert_string_equal(cap->sku, "CAP");
	assert_int_equal(cap->stock, 12);
	assert_int_equal(vstock(cap, 0), -1);
	assert_int_equal(vstock(cap, 1), -1);
	assert_int_equal(listing_variants_stock(cap), -1);
	/* every variation keeps its own count: WooCommerce ignores the product's row's 50 */
	const struct listing *bag = &g->l[2];
	assert_true(g->ok[2]);
	assert_int_equal(bag->stock, 25);
	/* one variation shares the product's 20 beside one with its own 8: the 20 are its own */
	const struct listing *apron = &g->l[3];
	assert_true(g->ok[3]);
	assert_int_equal(vstock(apron, 0), 8);
	assert_int_equal(vstock(apron, 1), 20);
	assert_int_equal(apron->stock, 28);
	assert_int_equal(listing_validate(apron, &e), K_OK);
	/* the product's row may say the variations' sum */
	const struct listing *jar = &g->l[5];
	assert_true(g->ok[5]);
	assert_string_equal(jar->sku, "JAR");
	assert_int_equal(jar->stock, 25);
	assert_int_equal(vstock(jar, 0), 10);
	assert_int_equal(vstock(jar, 1), 15);
	got_free(g);
}

/* Two variations sharing the product's count beside one keeping its own fail the product (a
 * listing cannot split one count between variants); a bad Stock fails it at the variation's
 * line. */
static void woocommerce_variation_stock_that_cannot_stand_fails_its_product(void **state)
{
	(void)state;
	struct got *g = parse_file("woocommerce-stock.csv", IMPORT_AUTO, "EUR", NULL);
	assert_int_equal(g->n, 7);
	assert_false(g->ok[6]);
	assert_int_equal(g->line[6], 21);
	assert_non_null(strstr(g->msg[6], "Stock: 2 variations (from line 23) share the "
	                                  "product's 30 (stock managed at product level) while "
	                                  "line 22 keeps its own"));
	assert_false(g->ok[4]);
	assert_int_equal(g->line[4], 16);
	assert_non_null(strstr(g->msg[4], "Stock: 'six' is not a whole number"));
	got_free(g);
}

/* Backorders allowed? (1, notify) sells past Stock: no count said, on a product or a
 * variation, as Shopify's 'continue'. A variation marked out of stock by hand (In stock? 0,
 * no Stock) where the product keeps no count to share has none on hand. */
static void woocommerce_backorders_say_no_count_and_out_of_stock_by_hand_none(void **state)
{
	(void)state;
	const char csv[] =
	    "ID,Type,SKU,Name,In stock?,Stock,Backorders allowed?,Regular price,Parent,"
	    "Attribute 1 name,Attribute 1 value(s)\n"
	    "10,simple,KEO,Keo,1,5,1,3.00,,,\n"
	    "11,simple,HOP,Hop,1,5,notify,3.00,,,\n"
	    "12,simple,DAY,Day,1,5,0,3.00,,,\n"
	    "20,variable,AO,Ao,1,,0,,,Size,\"S, M, L\"\n"
	    "21,variation,AO-S,Ao - S,1,4,0,10.00,AO,Size,S\n"
	    "22,variation,AO-M,Ao - M,1,6,1,10.00,AO,Size,M\n"
	    "23,variation,AO-L,Ao - L,0,,0,10.00,AO,Size,L\n";
	struct got *g = parse_str(csv, strlen(csv), IMPORT_WOOCOMMERCE, "USD", K_OK, NULL);
	assert_int_equal(g->n, 4);
	for (int i = 0; i < 4; i++)
		if (!g->ok[i])
			fail_msg("row %d: %s", i, g->msg[i]);
	assert_int_equal(g->l[0].stock, -1); /* backorders: 1 */
	assert_int_equal(g->l[1].stock, -1); /* notify */
	assert_int_equal(g->l[2].stock, 5);
	const struct listing *ao = &g->l[3];
	assert_int_equal(vstock(ao, 0), 4);
	assert_int_equal(vstock(ao, 1), -1); /* sold past its 6 */
	assert_int_equal(vstock(ao, 2), 0);  /* out of stock by hand */
	assert_int_equal(ao->stock, -1);     /* M keeps no count: none in all */
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
	    {"et_title_product_id,et_title_product_name,et_title_variation_price\n", IMPORT_SHOPEE},
	    {"ps_category|0|0,ps_product_name|1|0,ps_price|1|1\n", IMPORT_SHOPEE},
	    {"\xEF\xBB\xBFsku;title;price\r\n", IMPORT_KONTOR},
	    {"a,b,c\n", IMPORT_AUTO},
	    {"", IMPORT_AUTO},
	    {"\"unterminated", IMPORT_AUTO},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(import_detect(cases[i].s, strlen(cases[i].s), 0), cases[i].f);
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
	struct import_opts o = {IMPORT_AUTO, NULL, 0, 0, NULL};
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

/* --- SKUs as sellers write them --------------------------------------------------------- */

static void sku_key_maps_what_a_key_cannot_hold_and_is_stable(void **state)
{
	(void)state;
	char k[MODEL_SKU_MAX + 1], again[MODEL_SKU_MAX + 1];
	assert_int_equal(import_sku_key("  TL-71/b.2_x ", k), 0);
	assert_string_equal(k, "TL-71/b.2_x");
	assert_int_equal(import_sku_key(" \t", k), -1);
	assert_int_equal(import_sku_key("MUG #7 blue", k), 1);
	assert_int_equal(strncmp(k, "MUG-7-blue-", 11), 0);
	assert_int_equal(strlen(k), 11 + 12);
	assert_int_equal(import_sku_key("MUG #7 blue", again), 1);
	assert_string_equal(k, again);
	/* the hash keeps SKUs apart that read the same once mapped */
	assert_int_equal(import_sku_key("MUG  7 blue", again), 1);
	assert_string_not_equal(k, again);
	assert_int_equal(import_sku_key("###", k), 1);
	assert_int_equal(strncmp(k, "sku-", 4), 0);
	assert_int_equal(import_sku_key("Größe #1", k), 1);
	assert_int_equal(strncmp(k, "Gr-e-1-", 7), 0);
	char longsku[100];
	memset(longsku, 'A', 99);
	longsku[99] = 0;
	assert_int_equal(import_sku_key(longsku, k), 1);
	assert_int_equal(strlen(k), MODEL_SKU_MAX);
	/* every mapped key is one the model takes */
	struct listing l;
	listing_init(&l);
	const char *const samples[] = {"MUG #7 blue", "###", "Größe #1", longsku, "a b/c"};
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		char key[MODEL_SKU_MAX + 1];
		import_sku_key(samples[i], key);
		free(l.sku);
		l.sku = xstrdup(key);
		free(l.title);
		l.title = xstrdup("t");
		snprintf(l.currency, sizeof l.currency, "EUR");
		free(l.tiers);
		l.tiers = xcalloc(1, sizeof *l.tiers);
		l.tiers[0].min_qty = 1;
		l.ntiers = 1;
		struct kerr e;
		if (listing_validate(&l, &e))
			fail_msg("%s -> %s: %s", samples[i], key, e.msg);
	}
	listing_free(&l);
}

static void listings_signed_before_seller_sku_still_verify(void **state)
{
	(void)state;
	size_t len;
	char *data = slurp("signed-before-sellersku.jsonl", &len);
	int n = 0;
	for (char *line = data, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		cJSON *j = cJSON_Parse(line);
		assert_non_null(j);
		struct listing l;
		struct kerr e = {0, ""};
		if (listing_from_json(j, &l, &e) || listing_verify(&l, &e))
			fail_msg("%s", e.msg);
		assert_null(l.seller_sku);
		/* and sellerSku, where there is one, is signed: adding it breaks the signature */
		l.seller_sku = xstrdup("OLD #1");
		assert_int_equal(listing_verify(&l, &e), K_EVERIFY);
		listing_free(&l);
		cJSON_Delete(j);
		n++;
	}
	assert_int_equal(n, 2);
	free(data);
}

static void kontor_csv_sku_with_spaces_is_mapped_and_kept_as_written(void **state)
{
	(void)state;
	const char csv[] = "sku,title,currency,price\nLAMP #3 (brass),Brass lamp,EUR,40\n";
	struct got *g = parse_str(csv, strlen(csv), IMPORT_AUTO, NULL, K_OK, NULL);
	assert_int_equal(g->n, 1);
	assert_true(g->ok[0]);
	assert_int_equal(strncmp(g->l[0].sku, "LAMP-3-brass-", 13), 0);
	assert_string_equal(g->l[0].seller_sku, "LAMP #3 (brass)");
	struct kerr e;
	assert_int_equal(listing_validate(&g->l[0], &e), K_OK);
	got_free(g);
}

/* --- Etsy: one SKU per variation, any language ------------------------------------------ */

static void etsy_comma_separated_skus_go_to_the_variants_in_value_order(void **state)
{
	(void)state;
	enum import_format used = IMPORT_AUTO;
	struct got *g = parse_file("etsy-variants.csv", IMPORT_AUTO, NULL, &used);
	assert_int_equal(used, IMPORT_ETSY);
	assert_int_equal(g->n, 6);
	/* two variations: the first one's values outermost, one SKU each, in order */
	const struct listing *l = &g->l[0];
	assert_true(g->ok[0]);
	assert_string_equal(l->sku, "66F927A9CDAD6_5436"); /* its first SKU is its key */
	assert_null(l->seller_sku);
	assert_int_equal(cJSON_GetArraySize(l->variants), 4);
	const char *want[4][3] = {{"66F927A9CDAD6_5436", "S", "Black"},
	                          {"66F927A9CDAD6_5437", "S", "White"},
	                          {"66F927A9CDAD6_5438", "M", "Black"},
	                          {"66F927A9CDAD6_5439", "M", "White"}};
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(vsku(l, i, "sku"), want[i][0]);
		assert_string_equal(opt(l, i, "Size"), want[i][1]);
		assert_string_equal(opt(l, i, "Colour"), want[i][2]);
	}
	struct kerr e;
	assert_int_equal(listing_validate(l, &e), K_OK);
	/* spaces after the commas are not part of the SKUs */
	assert_string_equal(g->l[1].sku, "POSTER-A4");
	assert_string_equal(vsku(&g->l[1], 2, "sku"), "POSTER-A2");
	assert_string_equal(opt(&g->l[1], 2, "Size"), "A2");
	/* no variations: the SKU as written, '#' and spaces, mapped to a key */
	assert_string_equal(g->l[2].seller_sku, "MUG #7 blue");
	assert_int_equal(strncmp(g->l[2].sku, "MUG-7-blue-", 11), 0);
	assert_null(g->l[2].variants);
	/* three SKUs for two scents: the row fails, saying so */
	assert_false(g->ok[3]);
	assert_int_equal(g->line[3], 6); /* the first description has two lines */
	assert_non_null(strstr(g->msg[3], "SKU: 3 SKUs for 2 variations"));
	/* variant SKUs a key cannot hold: mapped, kept as written */
	const struct listing *ear = &g->l[4];
	assert_int_equal(strncmp(vsku(ear, 1, "sku"), "EAR-2-", 6), 0);
	assert_string_equal(vsku(ear, 1, "sellerSku"), "EAR #2");
	assert_string_equal(ear->sku, vsku(ear, 0, "sku"));
	assert_string_equal(ear->seller_sku, "EAR #1");
	assert_int_equal(listing_validate(ear, &e), K_OK);
	/* no SKU at all: etsy-HASH, variants numbered from it, nothing kept as written */
	assert_int_equal(strncmp(g->l[5].sku, "etsy-", 5), 0);
	assert_null(vsku(&g->l[5], 0, "sellerSku"));
	got_free(g);
	/* the same file again gives the same keys */
	struct got *h = parse_file("etsy-variants.csv", IMPORT_ETSY, NULL, NULL);
	struct got *g2 = parse_file("etsy-variants.csv", IMPORT_ETSY, NULL, NULL);
	for (int i = 0; i < h->n; i++)
		if (h->ok[i])
			assert_string_equal(h->l[i].sku, g2->l[i].sku);
	got_free(h);
	got_free(g2);
}

static void etsy_italian_header_is_read_by_its_names(void **state)
{
	(void)state;
	enum import_format used = IMPORT_AUTO;
	struct got *g = parse_file("etsy-it.csv", IMPORT_AUTO, NULL, &used);
	assert_int_equal(used, IMPORT_ETSY);
	assert_int_equal(g->n, 4);
	const struct listing *l = &g->l[0];
	assert_true(g->ok[0]);
	assert_string_equal(l->title, "Tazza in ceramica fatta a mano");
	assert_string_equal(l->description, "Gres smaltato.\nLavabile in lavastoviglie.");
	assert_string_equal(l->currency, "EUR");
	assert_int_equal(l->tiers[0].unit_price, 2400);
	assert_int_equal(l->images.n, 1);
	assert_int_equal(l->tags.n, 3);
	assert_string_equal(vsku(l, 1, "sku"), "TZ-VERDE");
	assert_string_equal(opt(l, 1, "Colore"), "Verde");
	assert_string_equal(g->l[1].sku, "SC-01");
	assert_false(g->ok[2]);
	assert_int_equal(g->line[2], 5);
	assert_non_null(strstr(g->msg[2], "TITLE: empty"));
	assert_int_equal(cJSON_GetArraySize(g->l[3].variants), 4);
	assert_string_equal(vsku(&g->l[3], 3, "sellerSku"), "PK #4");
	assert_string_equal(opt(&g->l[3], 3, "Iniziale"), "B");
	got_free(g);
}

/* A header Etsy wrote in words this importer does not know: the layout reads it. */
static void etsy_header_in_other_words_is_read_by_etsy_layout(void **state)
{
	(void)state;
	struct kbuf b = KBUF_INIT;
	kbuf_puts(&b, "NAZWA,OPISANIE,KOSZT,WALUTA,SZTUK,SLOWA,SUROWCE");
	for (int i = 1; i <= 10; i++)
		kbuf_printf(&b, ",FOTO %d", i);
	kbuf_puts(&b, ",RODZAJ 1,MIANO 1,WYBORY 1,RODZAJ 2,MIANO 2,WYBORY 2,KOD\n");
	kbuf_puts(&b, "Kubek,Ręcznie robiony.,45.00,PLN,3,kubek,glina,,,,,,,,,,,Kolor,Kolor,"
	              "\"Biały,Czarny\",,,,\"KB-B,KB-C\"\n");
	assert_int_equal(import_detect(b.data, b.len, 0), IMPORT_ETSY);
	struct got *g = parse_str(b.data, b.len, IMPORT_AUTO, NULL, K_OK, NULL);
	assert_int_equal(g->n, 1);
	assert_true(g->ok[0]);
	assert_string_equal(g->l[0].currency, "PLN");
	assert_int_equal(g->l[0].tiers[0].unit_price, 4500);
	assert_string_equal(g->l[0].sku, "KB-B");
	assert_string_equal(opt(&g->l[0], 1, "Kolor"), "Czarny");
	got_free(g);
	/* a header of some other file with 24 columns is not taken for Etsy's */
	kbuf_reset(&b);
	for (int i = 0; i < 24; i++)
		kbuf_printf(&b, "%scol%d", i ? "," : "", i);
	kbuf_puts(&b, "\n");
	assert_int_equal(import_detect(b.data, b.len, 0), IMPORT_AUTO);
	kbuf_free(&b);
}

static void etsy_german_header_translates_currency_and_sku(void **state)
{
	(void)state;
	const char csv[] = "TITEL,BESCHREIBUNG,PREIS,WÄHRUNGSCODE,STÜCKZAHL,TAGS,MATERIALIEN,BILD1,"
	                   "VARIATIONSTYP 1,VARIATIONSNAME 1,VARIATIONSWERT 1,BESTANDSEINHEIT\n"
	                   "Schale,Handgetöpfert.,18.00,EUR,2,,,,Farbe,Farbe,\"Blau, Grün\","
	                   "\"SCH-1, SCH-2\"\n";
	struct got *g = parse_str(csv, strlen(csv), IMPORT_AUTO, NULL, K_OK, NULL);
	assert_int_equal(g->n, 1);
	assert_true(g->ok[0]);
	assert_string_equal(g->l[0].currency, "EUR");
	assert_string_equal(vsku(&g->l[0], 1, "sku"), "SCH-2");
	assert_string_equal(opt(&g->l[0], 1, "Farbe"), "Grün");
	got_free(g);
}

/* --- WooCommerce: repeated rows, grouped products --------------------------------------- */

static void woocommerce_repeats_merge_conflicts_fail_and_groups_list_children(void **state)
{
	(void)state;
	struct got *g = parse_file("woocommerce-repeats.csv", IMPORT_AUTO, "EUR", NULL);
	assert_int_equal(g->file_rows, 14);
	int created = 0, merged = 0, failed = 0;
	for (int i = 0; i < g->n; i++) {
		created += g->ok[i];
		merged += g->same_as[i] > 0;
		failed += !g->ok[i] && !g->same_as[i];
	}
	assert_int_equal(created, 4);
	assert_int_equal(merged, 2);
	assert_int_equal(failed, 4);
	/* the shirt, its repeated variation merged rather than a second variant */
	assert_string_equal(g->l[0].sku, "SHIRT");
	assert_int_equal(cJSON_GetArraySize(g->l[0].variants), 2);
	assert_int_equal(g->l[0].tiers[0].unit_price, 3000);
	/* in file order: line 5 repeats line 3 exactly */
	assert_int_equal(g->line[1], 5);
	assert_int_equal(g->same_as[1], 3);
	/* the grouped tea set: its children as variants, each at its price */
	const struct listing *set = &g->l[4];
	assert_true(g->ok[4]);
	assert_string_equal(set->sku, "TEA-SET");
	assert_int_equal(cJSON_GetArraySize(set->variants), 2);
	assert_string_equal(vsku(set, 0, "sku"), "TEA-GREEN");
	assert_string_equal(opt(set, 1, "Product"), "Black tea 100 g");
	assert_int_equal(vprice(set, 0), 650);
	assert_int_equal(set->tiers[0].unit_price, 590);
	struct kerr e;
	assert_int_equal(listing_validate(set, &e), K_OK);
	assert_int_equal(g->line[5], 9);
	assert_int_equal(g->same_as[5], 6);
	/* SOAP twice with two prices: both rows fail, each naming the other's line */
	assert_int_equal(g->line[6], 10);
	assert_non_null(strstr(g->msg[6], "ID '40' is on line 11 too, with another Regular price"));
	assert_int_equal(g->line[7], 11);
	assert_non_null(strstr(g->msg[7], "is on line 10 too"));
	/* a grouped product whose child is not in the file: once, with the reason */
	assert_int_equal(g->line[8], 12);
	assert_non_null(strstr(g->msg[8], "Grouped products: 'id:99' is no simple product"));
	/* a variation SKU twice with two prices: its product fails, naming both lines */
	assert_int_equal(g->line[9], 14);
	assert_non_null(strstr(g->msg[9], "SKU 'APRON-ONE' is on line 15 too"));
	got_free(g);
}

/* --- encodings, delimiters, decimal commas ----------------------------------------------- */

static void windows_1252_file_is_refused_once_naming_encoding(void **state)
{
	(void)state;
	size_t len;
	char *data = slurp("woocommerce-1252.csv", &len);
	struct import_opts o = {IMPORT_AUTO, "EUR", 0, 0, NULL};
	struct kerr e = {0, ""};
	struct got *g = parse_opts(data, len, &o, K_EINVAL, NULL, &e);
	assert_int_equal(g->n, 0); /* not row by row */
	assert_non_null(strstr(e.msg, "test.csv: line 2: not UTF-8"));
	assert_non_null(strstr(e.msg, "--encoding WINDOWS-1252"));
	/* the line as it reads in that set, for the person to judge */
	assert_non_null(strstr(e.msg, "\"60,simple,CAFE-MUG,Café crème mug,1,,"));
	got_free(g);
	/* converted, it reads with every accent and the euro sign */
	struct kbuf u = KBUF_INIT;
	assert_int_equal(import_to_utf8(data, len, "WINDOWS-1252", &u, &e), K_OK);
	g = parse_opts(u.data, u.len, &o, K_OK, NULL, NULL);
	assert_int_equal(g->n, 2);
	assert_string_equal(g->l[0].title, "Café crème mug");
	assert_non_null(strstr(g->l[0].description, "– spülmaschinenfest. Preis in €."));
	assert_string_equal(opt(&g->l[1], 1, "Größe"), "M");
	got_free(g);
	kbuf_free(&u);
	free(data);
}

/* UTF-8 text as a shop's Excel on another Windows would save it (charset, iconv's name). */
static char *encode_as(const char *utf8, const char *charset, size_t *len)
{
	iconv_t cd = iconv_open(charset, "UTF-8");
	assert_true(cd != (iconv_t)-1);
	size_t left = strlen(utf8), room = left * 4 + 1;
	char *out = calloc(1, room), *in = (char *)utf8, *o = out;
	assert_true(iconv(cd, &in, &left, &o, &room) != (size_t)-1);
	iconv_close(cd);
	*len = (size_t)(o - out);
	return out;
}

static void vietnamese_excel_csv_names_windows_1258_with_the_line_it_reads(void **state)
{
	(void)state;
	const char *text = "Handle,Title,Variant SKU,Variant Price\n"
	                   "gio-tre,Giỏ tre đan tay,GIO-TRE,185000\n"
	                   "non-la,Nón lá Huế,NON-LA,90000\n";
	size_t len;
	char *data = encode_as(text, "WINDOWS-1258", &len);
	struct import_opts o = {IMPORT_AUTO, "VND", 0, 0, "VN"};
	struct kerr e = {0, ""};
	struct got *g = parse_opts(data, len, &o, K_EINVAL, NULL, &e);
	assert_int_equal(g->n, 0); /* once, not row by row */
	got_free(g);
	assert_non_null(strstr(e.msg, "test.csv: line 2: not UTF-8"));
	assert_non_null(strstr(e.msg, "WINDOWS-1258"));
	assert_non_null(strstr(e.msg, "Vietnamese"));
	assert_non_null(strstr(e.msg, "\"gio-tre,Giỏ tre đan tay,GIO-TRE,185000\""));
	assert_non_null(strstr(e.msg, "give --encoding WINDOWS-1258"));
	assert_null(strstr(e.msg, "1252"));
	/* Windows-1258 decodes with a state (a letter waits for its tone mark): the last letter
	 * of a file with no newline at its end is not lost */
	struct kbuf last = KBUF_INIT;
	assert_int_equal(import_to_utf8("Gio\xD2 tre", 8, "WINDOWS-1258", &last, &e), K_OK);
	assert_string_equal(last.data, "Giỏ tre");
	kbuf_free(&last);
	/* converted as it says, the titles are hers */
	struct kbuf u = KBUF_INIT;
	assert_int_equal(import_to_utf8(data, len, "WINDOWS-1258", &u, &e), K_OK);
	g = parse_opts(u.data, u.len, &o, K_OK, NULL, NULL);
	assert_int_equal(g->n, 2);
	assert_string_equal(g->l[0].title, "Giỏ tre đan tay");
	assert_string_equal(g->l[1].title, "Nón lá Huế");
	got_free(g);
	kbuf_free(&u);
	/* without her country the bytes read as Windows-1252, and the line shows they do not */
	o.country = NULL;
	g = parse_opts(data, len, &o, K_EINVAL, NULL, &e);
	got_free(g);
	assert_non_null(strstr(e.msg, "give --encoding WINDOWS-1252"));
	assert_non_null(strstr(e.msg, "\"gio-tre,GioÒ tre"));
	/* a country on Windows-1252 says the same */
	o.country = "DE";
	g = parse_opts(data, len, &o, K_EINVAL, NULL, &e);
	got_free(g);
	assert_non_null(strstr(e.msg, "give --encoding WINDOWS-1252"));
	free(data);
}

static void east_asian_excel_csv_names_its_code_page_never_1252(void **state)
{
	(void)state;
	struct {
		const char *country, *charset, *title;
	} cases[] = {
	    {"CN", "GBK", "铁艺桌腿、黑色"},        {"JP", "CP932", "竹の箸、セット"},
	    {"KR", "CP949", "대나무 젓가락"},       {"TW", "BIG5", "竹筷子、黑色"},
	    {"RU", "WINDOWS-1251", "Стол дубовый"}, {"TH", "WINDOWS-874", "ตะกร้าไม้ไผ่"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[512];
		snprintf(text, sizeof text,
		         "Handle,Title,Variant SKU,Variant Price\nx,%s,X-1,12\ny,%s %s,Y-1,13\n",
		         cases[i].title, cases[i].title, cases[i].title);
		size_t len;
		char *data = encode_as(text, cases[i].charset, &len);
		struct import_opts o = {IMPORT_AUTO, "USD", 0, 0, cases[i].country};
		struct kerr e = {0, ""};
		struct got *g = parse_opts(data, len, &o, K_EINVAL, NULL, &e);
		assert_int_equal(g->n, 0);
		got_free(g);
		char want[128];
		snprintf(want, sizeof want, "give --encoding %s,", cases[i].charset);
		if (!strstr(e.msg, want) || !strstr(e.msg, cases[i].title))
			fail_msg("%s: %s", cases[i].country, e.msg);
		/* with no country it is refused once all the same */
		o.country = NULL;
		g = parse_opts(data, len, &o, K_EINVAL, NULL, &e);
		assert_int_equal(g->n, 0);
		got_free(g);
		if (!strstr(e.msg, "line 2: not UTF-8") || !strstr(e.msg, "--encoding"))
			fail_msg("%s without a country: %s", cases[i].country, e.msg);
		free(data);
	}
}

static void encoding_names_and_bytes_outside_the_set_are_refused(void **state)
{
	(void)state;
	struct kbuf u = KBUF_INIT;
	struct kerr e = {0, ""};
	assert_int_equal(import_to_utf8("a", 1, "NO-SUCH-CHARSET", &u, &e), K_EUSAGE);
	assert_non_null(strstr(e.msg, "--encoding"));
	/* 0x81 is no character in Windows-1252 */
	const char bad[] = "sku,title\nA,\x81\n";
	assert_int_equal(import_to_utf8(bad, strlen(bad), "WINDOWS-1252", &u, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "line 2: byte 0x81"));
	/* UTF-16 as Excel's "Unicode Text" saves it: refused with a word, converted with one */
	const char u16[] = "\xFF\xFEs\0k\0u\0,\0t\0i\0t\0l\0e\0,\0p\0r\0i\0c\0e\0,\0c\0u\0r\0r\0"
	                   "e\0n\0c\0y\0\n\0A\0,\0\xE9\0,\0\x31\0,\0E\0U\0R\0\n\0";
	size_t n16 = sizeof u16 - 1;
	struct import_opts o = {IMPORT_AUTO, NULL, 0, 0, NULL};
	struct got *g = parse_opts(u16, n16, &o, K_EINVAL, NULL, &e);
	assert_non_null(strstr(e.msg, "--encoding UTF-16"));
	got_free(g);
	assert_int_equal(import_to_utf8(u16, n16, "UTF-16", &u, &e), K_OK);
	g = parse_opts(u.data, u.len, &o, K_OK, NULL, NULL);
	assert_int_equal(g->n, 1);
	assert_string_equal(g->l[0].title, "é");
	got_free(g);
	kbuf_free(&u);
}

static void mostly_utf8_file_fails_only_its_bad_row(void **state)
{
	(void)state;
	const char csv[] = "sku,title,currency,price\nA,Crème,EUR,1\nB,Cr\xE8me,EUR,1\n"
	                   "C,Größe,EUR,1\n";
	struct got *g = parse_str(csv, strlen(csv), IMPORT_AUTO, NULL, K_OK, NULL);
	assert_int_equal(g->n, 3);
	assert_true(g->ok[0]);
	assert_false(g->ok[1]);
	assert_int_equal(g->line[1], 3);
	assert_non_null(strstr(g->msg[1], "invalid UTF-8"));
	assert_true(g->ok[2]);
	got_free(g);
}

static void shop_prices_with_zero_decimals_read_whole_in_vnd(void **state)
{
	(void)state;
	/* Shopify writes "245000.00" for a shop in VND, which has no decimals */
	const char text[] = "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price\n"
	                    "gio-tre,Giỏ tre đan tay,Cỡ,Nhỏ,GIO-S,185000.00\n"
	                    "gio-tre,,,Lớn,GIO-L,245000.00\n"
	                    "non-la,Nón lá Huế,,,NON-LA,90000.0\n";
	struct got *g = parse_str(text, sizeof text - 1, IMPORT_AUTO, "VND", K_OK, NULL);
	assert_int_equal(g->n, 2);
	assert_true(g->ok[0] && g->ok[1]);
	assert_int_equal(vprice(&g->l[0], 0), 185000);
	assert_int_equal(vprice(&g->l[0], 1), 245000);
	assert_int_equal(g->l[1].tiers[0].unit_price, 90000);
	got_free(g);
	/* so do a ';' file's decimal commas, and kontor CSV's tiers */
	const char semi[] = "Handle;Title;Variant SKU;Variant Price\nnon-la;Nón lá;NL;90000,00\n";
	g = parse_str(semi, sizeof semi - 1, IMPORT_AUTO, "VND", K_OK, NULL);
	assert_true(g->ok[0]);
	assert_int_equal(g->l[0].tiers[0].unit_price, 90000);
	got_free(g);
	const char kontor[] = "sku,title,price,currency,tiers\nNL,Nón lá,1200.00,JPY,100:1100.00\n";
	g = parse_str(kontor, sizeof kontor - 1, IMPORT_AUTO, NULL, K_OK, NULL);
	assert_true(g->ok[0]);
	assert_int_equal(g->l[0].tiers[0].unit_price, 1200);
	assert_int_equal(g->l[0].tiers[1].unit_price, 1100);
	got_free(g);
}

static void a_file_with_cents_keeps_its_zero_decimals_refused_in_vnd(void **state)
{
	(void)state;
	/* A shop in USD, read as VND for want of a currency column: "12.00" is not twelve đồng;
	 * every row is refused until --currency says USD. */
	const char text[] = "Handle,Title,Variant SKU,Variant Price\n"
	                    "legs-71,Iron table legs,TL-71,12.00\n"
	                    "legs-72,Iron table legs 72,TL-72,11.50\n";
	struct got *g = parse_str(text, sizeof text - 1, IMPORT_AUTO, "VND", K_OK, NULL);
	assert_int_equal(g->n, 2);
	assert_false(g->ok[0]);
	assert_false(g->ok[1]);
	assert_string_equal(g->msg[0],
	                    "product 'legs-71': Variant Price: 12.00: VND has no decimal places");
	got_free(g);
	g = parse_str(text, sizeof text - 1, IMPORT_AUTO, "USD", K_OK, NULL);
	assert_true(g->ok[0] && g->ok[1]);
	assert_int_equal(g->l[0].tiers[0].unit_price, 1200);
	got_free(g);
	/* three digits after a lone dot group thousands in VND: "245.000" is never 245 đồng */
	const char dots[] = "Handle,Title,Variant SKU,Variant Price\nnon-la,Nón lá,NL,245.000\n";
	g = parse_str(dots, sizeof dots - 1, IMPORT_AUTO, "VND", K_OK, NULL);
	assert_true(g->ok[0]);
	assert_int_equal(g->l[0].tiers[0].unit_price, 245000);
	got_free(g);
}

static void semicolon_file_from_excel_reads_decimal_commas(void **state)
{
	(void)state;
	struct got *g = parse_file("kontor-excel-de.csv", IMPORT_AUTO, NULL, NULL);
	assert_int_equal(g->n, 6);
	assert_int_equal(g->line[0], 3); /* the sep= line counts */
	assert_int_equal(g->l[0].tiers[0].unit_price, 1250);
	assert_int_equal(g->l[0].tiers[1].unit_price, 1100);
	assert_int_equal(g->l[0].tiers[2].unit_price, 980);
	assert_string_equal(g->l[0].title, "Tischbeine aus Eisen, schwarz");
	assert_int_equal(g->l[1].tiers[0].unit_price, 123450);
	assert_int_equal(g->l[2].tiers[0].unit_price, 350);
	assert_false(g->ok[3]);
	assert_non_null(strstr(g->msg[3], "EUR has 2 decimal places"));
	/* with decimal commas a '.' in groups of three groups thousands: 1.500 is 1500 */
	assert_true(g->ok[4]);
	assert_int_equal(g->l[4].tiers[0].unit_price, 150000);
	assert_false(g->ok[5]);
	assert_non_null(strstr(g->msg[5], "'12.34,50' is not an amount with a decimal comma"));
	got_free(g);
}

static void decimal_commas_beyond_doubt_are_found_in_the_price_columns_only(void **state)
{
	(void)state;
	struct import_opts o = {IMPORT_AUTO, NULL, 0, 0, NULL};
	char eg[64];
	const char woo[] =
	    "ID,Type,SKU,Name,Published,Regular price\n"
	    "1,simple,W-1,\"Tisch, Eiche\",1,12\n2,simple,W-2,Stuhl,1,\"1.234,50\"\n";
	assert_int_equal(import_decimal_commas(woo, strlen(woo), &o, eg), 1);
	assert_string_equal(eg, "1.234,50");
	/* three digits after it may be a thousands group; commas elsewhere are no prices */
	const char shop[] = "Handle,Title,Variant Price\nt,\"Legs, 12,50 cm\",\"7,250\"\n";
	assert_int_equal(import_decimal_commas(shop, strlen(shop), &o, eg), 0);
	const char lakh[] = "sku,title,currency,price\nA,T,INR,\"1,23,456.00\"\n";
	assert_int_equal(import_decimal_commas(lakh, strlen(lakh), &o, eg), 0);
	/* kontor CSV's tiers count; a ';' file, --decimal-comma and JSON Lines need no finding */
	const char tiers[] = "sku,title,currency,price,tiers\nA,T,EUR,12,\"100:9,50\"\n";
	assert_int_equal(import_decimal_commas(tiers, strlen(tiers), &o, eg), 1);
	const char semi[] = "sku;title;currency;price\nA;T;EUR;12,50\n";
	assert_int_equal(import_decimal_commas(semi, strlen(semi), &o, eg), 0);
	struct import_opts dc = {IMPORT_AUTO, NULL, 0, 1, NULL};
	assert_int_equal(import_decimal_commas(woo, strlen(woo), &dc, eg), 0);
	/* read with the option set as the command sets it: 1.234,50 is 1234.50 */
	struct got *g =
	    parse_opts(woo, strlen(woo), &(struct import_opts){IMPORT_AUTO, "EUR", 0, 1, NULL},
	               K_OK, NULL, NULL);
	assert_true(g->ok[0] && g->ok[1]);
	assert_int_equal(g->l[1].tiers[0].unit_price, 123450);
	got_free(g);
}

static void decimal_comma_in_a_comma_file_needs_the_option(void **state)
{
	(void)state;
	const char csv[] = "sku,title,currency,price\nA,T,EUR,\"12,50\"\n";
	struct got *g = parse_str(csv, strlen(csv), IMPORT_AUTO, NULL, K_OK, NULL);
	assert_false(g->ok[0]);
	got_free(g);
	struct import_opts o = {IMPORT_AUTO, NULL, 0, 1, NULL};
	g = parse_opts(csv, strlen(csv), &o, K_OK, NULL, NULL);
	assert_true(g->ok[0]);
	assert_int_equal(g->l[0].tiers[0].unit_price, 1250);
	got_free(g);
	/* --delimiter ';' with a header that has more commas than semicolons */
	const char semi[] = "sku;title, long;currency;price\nA;T, x;EUR;3,25\n";
	struct import_opts os = {IMPORT_KONTOR, NULL, ';', 0, NULL};
	struct kerr e = {0, ""};
	g = parse_opts(semi, strlen(semi), &os, K_EINVAL, NULL, &e);
	assert_non_null(strstr(e.msg, "no 'title' column"));
	got_free(g);
	const char semi2[] = "sku;title;currency;price;x,y,z\nA;T, x;EUR;3,25;\n";
	g = parse_opts(semi2, strlen(semi2), &os, K_OK, NULL, NULL);
	assert_true(g->ok[0]);
	assert_string_equal(g->l[0].title, "T, x");
	assert_int_equal(g->l[0].tiers[0].unit_price, 325);
	got_free(g);
}

/* --- currencies --------------------------------------------------------------------------- */

static void has_currency_says_which_files_need_one(void **state)
{
	(void)state;
	struct import_opts o = {IMPORT_AUTO, NULL, 0, 0, NULL};
	const char shop[] = "Handle,Title,Variant Price\n";
	const char k1[] = "sku,title,price\n", k2[] = "sku,title,price,currency\n";
	const char j[] = "{\"sku\":\"A\"}\n";
	assert_int_equal(import_has_currency(shop, strlen(shop), &o), 0);
	assert_int_equal(import_has_currency(k1, strlen(k1), &o), 0);
	assert_int_equal(import_has_currency(k2, strlen(k2), &o), 1);
	assert_int_equal(import_has_currency(j, strlen(j), &o), 1);
	size_t len;
	char *data = slurp("etsy-it.csv", &len);
	assert_int_equal(import_has_currency(data, len, &o), 1);
	free(data);
	data = slurp("woocommerce-repeats.csv", &len);
	assert_int_equal(import_has_currency(data, len, &o), 0);
	free(data);
}

static void every_country_has_its_currency(void **state)
{
	(void)state;
	assert_string_equal(import_country_currency("DE"), "EUR");
	assert_string_equal(import_country_currency("JP"), "JPY");
	assert_string_equal(import_country_currency("CH"), "CHF");
	assert_string_equal(import_country_currency("GB"), "GBP");
	assert_string_equal(import_country_currency("US"), "USD");
	assert_string_equal(import_country_currency("IN"), "INR");
	assert_string_equal(import_country_currency("PA"), "USD");
	assert_null(import_country_currency("AQ"));
	assert_null(import_country_currency("XX"));
	assert_null(import_country_currency("D"));
	int countries = 0;
	for (char a = 'A'; a <= 'Z'; a++)
		for (char b = 'A'; b <= 'Z'; b++) {
			char cc[3] = {a, b, 0};
			const char *cur = import_country_currency(cc);
			int known = codes_country_name(cc) != NULL;
			countries += known;
			if (cur && !known)
				fail_msg("%s has a currency but is no country", cc);
			if (known && !cur && strcmp(cc, "AQ") && strcmp(cc, "GS"))
				fail_msg("country %s has no currency", cc);
			/* iso-codes may not list the newest codes yet (XCG, ZWG) */
			if (cur && !codes_currency_name(cur) && strcmp(cur, "XCG") &&
			    strcmp(cur, "ZWG"))
				fail_msg("%s -> %s, no currency", cc, cur);
		}
	assert_true(countries > 240);
}

/* --- a Vietnamese seller's exports ----------------------------------------------------- */

/* The first listing's price of a one-row Shopify file with Variant Price v, read in cur (opts
 * as o gives them, the delimiter ',' unless semi); -1 and msg when the row failed. */
static int64_t shopify_price(const char *v, const char *cur, int dc, int semi, char msg[256])
{
	char text[512];
	snprintf(text, sizeof text,
	         semi ? "Handle;Title;Variant SKU;Variant Price\nnon-la;Nón lá;NL;%s\n"
	              : "Handle,Title,Variant SKU,Variant Price\nnon-la,Nón lá,NL,\"%s\"\n",
	         v);
	struct import_opts o = {IMPORT_AUTO, cur, 0, dc, NULL};
	struct got *g = parse_opts(text, strlen(text), &o, K_OK, NULL, NULL);
	assert_int_equal(g->n, 1);
	int64_t p = g->ok[0] ? g->l[0].tiers[0].unit_price : -1;
	snprintf(msg, 256, "%s", g->msg[0]);
	got_free(g);
	return p;
}

static void dots_that_group_thousands_are_read_as_such(void **state)
{
	(void)state;
	char msg[256];
	/* two dots or more in groups of three are never a decimal point, in any file */
	assert_int_equal(shopify_price("1.250.000", "VND", 0, 0, msg), 1250000);
	assert_int_equal(shopify_price("1.250.000 ₫", "VND", 0, 0, msg), 1250000);
	assert_int_equal(shopify_price("1.250.000đ", "VND", 0, 0, msg), 1250000);
	assert_int_equal(shopify_price("1.234.567", "USD", 0, 0, msg), 123456700);
	/* one dot and three digits after it, in a currency with no minor unit */
	assert_int_equal(shopify_price("250.000", "VND", 0, 0, msg), 250000);
	assert_int_equal(shopify_price("3.500", "JPY", 0, 0, msg), 3500);
	assert_int_equal(shopify_price("185000.00", "VND", 0, 0, msg), 185000);
	/* with decimal commas (a ';' file, --decimal-comma) every dot in groups of three */
	assert_int_equal(shopify_price("1.250.000", "VND", 0, 1, msg), 1250000);
	assert_int_equal(shopify_price("1.250.000", "VND", 1, 0, msg), 1250000);
	assert_int_equal(shopify_price("1.500", "EUR", 0, 1, msg), 150000);
	assert_int_equal(shopify_price("1.234.567,50", "EUR", 0, 1, msg), 123456750);
	assert_int_equal(shopify_price("1.234.567", "EUR", 1, 0, msg), 123456700);
	assert_int_equal(shopify_price("12.50", "EUR", 0, 1, msg), 1250);
	/* what may be a decimal point stays refused, saying how to write it */
	assert_int_equal(shopify_price("1.500", "USD", 0, 0, msg), -1);
	assert_non_null(strstr(msg, "1.500: USD has 2 decimal places (if the '.' groups thousands, "
	                            "write 1500)"));
	assert_int_equal(shopify_price("1.25.000", "VND", 0, 1, msg), -1);
	assert_non_null(strstr(msg, "'1.25.000' is not an amount with a decimal comma (write it "
	                            "like 1234,50, 1.234,50 or 1.234.567)"));
	assert_null(strstr(msg, "no thousands separators"));
	assert_int_equal(shopify_price("1250.000", "VND", 0, 0, msg), -1);
	assert_int_equal(shopify_price("0.500", "VND", 0, 0, msg), -1);
}

static void grouped_prices_are_no_cents_and_cents_keep_vnd_exact(void **state)
{
	(void)state;
	/* "1.250.000" and "250.000" have no cents: the file's "245000.00" stays whole đồng */
	const char vnd[] = "Handle,Title,Variant SKU,Variant Price\n"
	                   "a,Giỏ tre,A,1.250.000\nb,Nón lá,B,250.000\nc,Quạt,C,245000.00\n";
	struct got *g = parse_str(vnd, sizeof vnd - 1, IMPORT_AUTO, "VND", K_OK, NULL);
	assert_int_equal(g->n, 3);
	assert_true(g->ok[0] && g->ok[1] && g->ok[2]);
	assert_int_equal(g->l[0].tiers[0].unit_price, 1250000);
	assert_int_equal(g->l[1].tiers[0].unit_price, 250000);
	assert_int_equal(g->l[2].tiers[0].unit_price, 245000);
	got_free(g);
	/* a file with cents read as VND: a lone dot may be one of them, two never are */
	const char usd[] = "Handle,Title,Variant SKU,Variant Price\n"
	                   "a,Legs,A,11.50\nb,Legs 2,B,1.500\nc,Legs 3,C,1.250.000\n";
	g = parse_str(usd, sizeof usd - 1, IMPORT_AUTO, "VND", K_OK, NULL);
	assert_int_equal(g->n, 3);
	assert_false(g->ok[0]);
	assert_false(g->ok[1]);
	assert_non_null(strstr(g->msg[1], "1.500: VND has no decimal places (if the '.' groups "
	                                  "thousands, write 1500)"));
	assert_true(g->ok[2]);
	assert_int_equal(g->l[2].tiers[0].unit_price, 1250000);
	got_free(g);
}

/* Excel's #,##0 writes a whole price with commas and no decimal point ("1,250,000" đồng): read
 * where nothing else can be meant (two commas or more; a currency without minor units; a file
 * whose prices write a decimal point elsewhere); a lone "1,250" in dollars stays refused. */
static void comma_grouped_whole_prices_are_read_where_nothing_else_is_meant(void **state)
{
	(void)state;
	char msg[256];
	assert_int_equal(shopify_price("85,000", "VND", 0, 0, msg), 85000);
	assert_int_equal(shopify_price("1,250,000", "VND", 0, 0, msg), 1250000);
	assert_int_equal(shopify_price("₫1,250,000", "VND", 0, 0, msg), 1250000);
	assert_int_equal(shopify_price("1,250,000", "USD", 0, 0, msg), 125000000);
	assert_int_equal(shopify_price("12,50", "VND", 0, 0, msg), -1); /* no groups of three */
	assert_int_equal(shopify_price("1,25,000", "VND", 0, 0, msg), -1);
	assert_int_equal(shopify_price("1,250", "USD", 0, 0, msg), -1); /* 1.25 or 1250 */
	assert_non_null(strstr(msg, "no thousands separators or decimal commas"));
	/* where the file's other prices write a decimal point, "1,250" dollars is 1250 */
	const char usd[] = "Handle,Title,Variant SKU,Variant Price\n"
	                   "a,Legs,A,\"1,250\"\nb,Legs 2,B,9.50\n";
	struct got *g = parse_str(usd, sizeof usd - 1, IMPORT_AUTO, "USD", K_OK, NULL);
	assert_int_equal(g->n, 2);
	if (!g->ok[0])
		fail_msg("%s", g->msg[0]);
	assert_int_equal(g->l[0].tiers[0].unit_price, 125000);
	assert_int_equal(g->l[1].tiers[0].unit_price, 950);
	got_free(g);
}

/* Excel in a USD shop writes 1,234.00: commas grouping thousands, then a decimal point. Read
 * when every group after the first 1-3 digits has exactly three; else refused saying how it is
 * written. Decimal commas read as they do without it. */
static void comma_grouped_thousands_before_a_decimal_point_are_read(void **state)
{
	(void)state;
	char msg[256];
	assert_int_equal(shopify_price("1,234.00", "USD", 0, 0, msg), 123400);
	assert_int_equal(shopify_price("12,345,678.5", "USD", 0, 0, msg), 1234567850);
	assert_int_equal(shopify_price("$1,234.50", "USD", 0, 0, msg), 123450);
	assert_int_equal(shopify_price("1,234.50 USD", "USD", 0, 0, msg), 123450);
	assert_int_equal(shopify_price("999,999.99", "USD", 0, 0, msg), 99999999);
	assert_int_equal(shopify_price("1,250,000.00", "VND", 0, 0, msg), 1250000);
	/* badly grouped: refused, saying how such a price is written */
	assert_int_equal(shopify_price("1,23.00", "USD", 0, 0, msg), -1);
	assert_non_null(strstr(msg, "Variant Price: '1,23.00' is not an amount with commas "
	                            "grouping thousands (write it like 1,234.50 or 1234.50)"));
	assert_int_equal(shopify_price("1,2345.00", "USD", 0, 0, msg), -1);
	assert_non_null(strstr(msg, "'1,2345.00' is not an amount with commas grouping thousands"));
	assert_int_equal(shopify_price("1234,567.00", "USD", 0, 0, msg), -1);
	assert_int_equal(shopify_price("0,123.00", "USD", 0, 0, msg), -1);
	assert_int_equal(shopify_price("1,,234.00", "USD", 0, 0, msg), -1);
	/* the decimals are still the currency's */
	assert_int_equal(shopify_price("1,234.567", "USD", 0, 0, msg), -1);
	assert_non_null(strstr(msg, "USD has 2 decimal places"));
	/* a comma without a decimal point after it may be a decimal comma (7,250 KWD): refused */
	assert_int_equal(shopify_price("1,234", "USD", 0, 0, msg), -1);
	/* where decimal commas read, a comma is the decimal mark, and 1,234.00 no amount */
	assert_int_equal(shopify_price("1.234,50", "EUR", 1, 0, msg), 123450);
	assert_int_equal(shopify_price("1.234,50", "EUR", 0, 1, msg), 123450);
	assert_int_equal(shopify_price("12,50", "EUR", 1, 0, msg), 1250);
	assert_int_equal(shopify_price("1,234.00", "EUR", 1, 0, msg), -1);
	/* in a kontor CSV's price and tiers too */
	const char csv[] = "sku,title,currency,price,tiers\n"
	                   "TL-71,Iron table legs,USD,\"1,250.00\",\"100:1,100.00|500:990.00\"\n";
	struct got *g = parse_str(csv, sizeof csv - 1, IMPORT_AUTO, NULL, K_OK, NULL);
	assert_true(g->ok[0]);
	assert_int_equal(g->l[0].tiers[0].unit_price, 125000);
	assert_int_equal(g->l[0].tiers[1].unit_price, 110000);
	assert_int_equal(g->l[0].tiers[2].unit_price, 99000);
	got_free(g);
}

static void rows_of_nothing_but_delimiters_are_skipped(void **state)
{
	(void)state;
	const char kontor[] = "sku,title,price,currency\nA,Nón lá,90000,VND\n,,,\n , ,\t,\n"
	                      "B,Quạt,65000,VND\n,,,\n,,,\n";
	struct got *g = parse_str(kontor, sizeof kontor - 1, IMPORT_AUTO, NULL, K_OK, NULL);
	assert_int_equal(g->n, 2);
	assert_true(g->ok[0] && g->ok[1]);
	assert_int_equal(g->line[1], 5);
	assert_int_equal(g->file_rows, 2);
	got_free(g);
	const char semi[] = "Handle;Title;Variant SKU;Variant Price\nnon-la;Nón lá;NL;90000\n;;;\n"
	                    "quat;Quạt;Q;65000\n;;;\n";
	g = parse_str(semi, sizeof semi - 1, IMPORT_AUTO, "VND", K_OK, NULL);
	assert_int_equal(g->n, 2);
	assert_true(g->ok[0] && g->ok[1]);
	got_free(g);
	const char woo[] = "ID,Type,SKU,Name,Published,Regular price\n1,simple,W-1,Nón,1,90000\n"
	                   ",,,,,\n,,,,,\n2,simple,W-2,Quạt,1,65000\n,,,,,\n";
	g = parse_str(woo, sizeof woo - 1, IMPORT_AUTO, "VND", K_OK, NULL);
	assert_int_equal(g->n, 2);
	assert_true(g->ok[0] && g->ok[1]);
	assert_int_equal(g->file_rows, 2);
	got_free(g);
	const char etsy[] = "TITLE,DESCRIPTION,PRICE,CURRENCY_CODE,QUANTITY,TAGS,MATERIALS,IMAGE1,"
	                    "IMAGE2,IMAGE3,IMAGE4,IMAGE5,IMAGE6,IMAGE7,IMAGE8,IMAGE9,IMAGE10,"
	                    "VARIATION 1 TYPE,VARIATION 1 NAME,VARIATION 1 VALUES,VARIATION 2 TYPE,"
	                    "VARIATION 2 NAME,VARIATION 2 VALUES,SKU\n"
	                    "Mug,Nice,12.00,USD,3,,,,,,,,,,,,,,,,,,,MUG-1\n"
	                    ",,,,,,,,,,,,,,,,,,,,,,,\n";
	g = parse_str(etsy, sizeof etsy - 1, IMPORT_AUTO, NULL, K_OK, NULL);
	assert_int_equal(g->n, 1);
	assert_true(g->ok[0]);
	got_free(g);
}

static void html_named_entities_of_html4_and_vietnamese_letters(void **state)
{
	(void)state;
	html("a &ndash; b &mdash; c&hellip; &lsquo;x&rsquo; &ldquo;y&rdquo;",
	     "a \u2013 b \u2014 c\u2026 \u2018x\u2019 \u201Cy\u201D");
	html("&copy; &reg; &trade; &euro; &deg; &times;",
	     "\u00A9 \u00AE \u2122 \u20AC \u00B0 \u00D7");
	/* CKEditor writes Vietnamese letters of Latin-1 as entities */
	html("Qu&agrave; t&ocirc; &eacute; &Agrave;", "Quà tô é À");
	html("&abreve;n &Dstrok;&agrave; N&abreve;ng &dstrok;&itilde;a", "ăn Đà Năng đĩa");
	/* names are case-sensitive; unknown ones stay as written */
	html("&AGRAVE; &Eacute; &hyphen;", "&AGRAVE; É &hyphen;");
}

static void woocommerce_escapes_are_undone(void **state)
{
	(void)state;
	const char woo[] = "ID,Type,SKU,Name,Published,Short description,Description,Regular price,"
	                   "Stock,Tags\n"
	                   "1,simple,'@NL-1,Nón lá,1,,Dòng 1\\nDòng 2\\n\\nĐoạn 2,90000,'-3,'=tag\n"
	                   "2,simple,Q-1,'+Quạt,1,Ngắn\\ngọn,,65000,12,\n"
	                   "3,simple,C-1,Code,1,,<p>a</p>\\n<p>b</p> C:\\\\new,100,0,\n";
	struct got *g = parse_str(woo, sizeof woo - 1, IMPORT_AUTO, "VND", K_OK, NULL);
	assert_int_equal(g->n, 3);
	assert_true(g->ok[0] && g->ok[1] && g->ok[2]);
	assert_string_equal(g->l[0].seller_sku, "@NL-1");
	assert_int_equal(g->l[0].stock, 0); /* -3: sold below zero, none on hand */
	assert_string_equal(g->l[0].tags.v[0], "=tag");
	assert_string_equal(g->l[0].description, "Dòng 1\nDòng 2\n\nĐoạn 2");
	assert_string_equal(g->l[1].title, "+Quạt");
	assert_string_equal(g->l[1].description, "Ngắn\ngọn");
	assert_string_equal(g->l[2].description, "a\n\nb\n\nC:\\new");
	got_free(g);
}

static void one_line_fields_fold_line_breaks_and_stock_may_end_in_dot_zero(void **state)
{
	(void)state;
	const char kontor[] =
	    "sku,title,price,currency,category,tags,stock\n"
	    "\"NL\n1\",\"Nón lá\nHuế\",90000,VND,\"Mũ\r\nnón\",\"lá\tcọ|Huế\",12.0\n"
	    "B,Bad stock,1000,VND,,,12.5\n";
	struct got *g = parse_str(kontor, sizeof kontor - 1, IMPORT_AUTO, NULL, K_OK, NULL);
	assert_int_equal(g->n, 2);
	assert_true(g->ok[0]);
	assert_string_equal(g->l[0].title, "Nón lá Huế");
	assert_string_equal(g->l[0].seller_sku, "NL 1");
	assert_string_equal(g->l[0].category, "Mũ nón");
	assert_string_equal(g->l[0].tags.v[0], "lá cọ");
	assert_int_equal(g->l[0].stock, 12);
	assert_false(g->ok[1]);
	assert_non_null(strstr(g->msg[1], "'12.5' is not a whole number"));
	got_free(g);
	/* a shop's variant SKU too */
	const char shop[] = "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,"
	                    "Variant Inventory Qty\n"
	                    "gio,\"Giỏ\ntre\",Cỡ,Nhỏ,\"GIO\nS\",185000,4.0\n"
	                    "gio,,,Lớn,GIO-L,245000,2\n";
	g = parse_str(shop, sizeof shop - 1, IMPORT_AUTO, "VND", K_OK, NULL);
	assert_true(g->ok[0]);
	assert_string_equal(g->l[0].title, "Giỏ tre");
	assert_string_equal(vsku(&g->l[0], 0, "sellerSku"), "GIO S");
	assert_int_equal(g->l[0].stock, 6);
	got_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(kontor_csv_with_bom_crlf_and_semicolons_reads_every_column),
	    cmocka_unit_test(kontor_csv_row_validates_once_signed_fields_are_added),
	    cmocka_unit_test(kontor_csv_without_currency_column_takes_the_option),
	    cmocka_unit_test(a_free_or_dearer_price_fails_its_row_only),
	    cmocka_unit_test(kontor_csv_breaks_start_above_the_moq_and_go_up),
	    cmocka_unit_test(kontor_csv_missing_required_column_is_a_file_error),
	    cmocka_unit_test(kontor_csv_bad_tier_and_moq_name_the_column),
	    cmocka_unit_test(kontor_csv_variant_rows_become_the_listings_variants),
	    cmocka_unit_test(kontor_csv_bad_variant_rows_are_named_and_fail_their_product),
	    cmocka_unit_test(csv_reader_errors_become_row_errors_with_their_line),
	    cmocka_unit_test(shopify_groups_variant_and_image_rows_under_the_handle),
	    cmocka_unit_test(shopify_default_title_product_has_no_variants),
	    cmocka_unit_test(shopify_without_currency_names_the_option),
	    cmocka_unit_test(shopee_export_skips_its_notes_rows_and_groups_variations_by_product),
	    cmocka_unit_test(shopee_template_reads_flagged_keys_options_description_and_images),
	    cmocka_unit_test(shopee_without_currency_names_the_option),
	    cmocka_unit_test(shopee_product_row_in_the_notes_rows_is_not_skipped),
	    cmocka_unit_test(woocommerce_variable_product_collects_its_variations),
	    cmocka_unit_test(woocommerce_bad_variation_fails_its_product_at_its_line),
	    cmocka_unit_test(woocommerce_variations_keep_their_stock_and_the_listing_their_sum),
	    cmocka_unit_test(woocommerce_variation_stock_that_cannot_stand_fails_its_product),
	    cmocka_unit_test(woocommerce_backorders_say_no_count_and_out_of_stock_by_hand_none),
	    cmocka_unit_test(woocommerce_in_stock_0_without_a_count_is_none_on_hand),
	    cmocka_unit_test(etsy_multiline_descriptions_and_variations),
	    cmocka_unit_test(jsonl_lines_become_listings_and_bad_lines_are_named),
	    cmocka_unit_test(detect_names_each_format_from_its_header),
	    cmocka_unit_test(unknown_format_is_a_file_error_asking_for_format),
	    cmocka_unit_test(callback_stop_ends_the_parse_with_its_value),
	    cmocka_unit_test(html_tags_dropped_and_blocks_become_line_breaks),
	    cmocka_unit_test(html_entities_decoded),
	    cmocka_unit_test(html_whitespace_tidied),
	    cmocka_unit_test(html_comments_scripts_and_stray_brackets),
	    cmocka_unit_test(sku_key_maps_what_a_key_cannot_hold_and_is_stable),
	    cmocka_unit_test(listings_signed_before_seller_sku_still_verify),
	    cmocka_unit_test(kontor_csv_sku_with_spaces_is_mapped_and_kept_as_written),
	    cmocka_unit_test(etsy_comma_separated_skus_go_to_the_variants_in_value_order),
	    cmocka_unit_test(etsy_italian_header_is_read_by_its_names),
	    cmocka_unit_test(etsy_header_in_other_words_is_read_by_etsy_layout),
	    cmocka_unit_test(etsy_german_header_translates_currency_and_sku),
	    cmocka_unit_test(woocommerce_repeats_merge_conflicts_fail_and_groups_list_children),
	    cmocka_unit_test(windows_1252_file_is_refused_once_naming_encoding),
	    cmocka_unit_test(vietnamese_excel_csv_names_windows_1258_with_the_line_it_reads),
	    cmocka_unit_test(east_asian_excel_csv_names_its_code_page_never_1252),
	    cmocka_unit_test(encoding_names_and_bytes_outside_the_set_are_refused),
	    cmocka_unit_test(mostly_utf8_file_fails_only_its_bad_row),
	    cmocka_unit_test(shop_prices_with_zero_decimals_read_whole_in_vnd),
	    cmocka_unit_test(a_file_with_cents_keeps_its_zero_decimals_refused_in_vnd),
	    cmocka_unit_test(semicolon_file_from_excel_reads_decimal_commas),
	    cmocka_unit_test(decimal_commas_beyond_doubt_are_found_in_the_price_columns_only),
	    cmocka_unit_test(decimal_comma_in_a_comma_file_needs_the_option),
	    cmocka_unit_test(has_currency_says_which_files_need_one),
	    cmocka_unit_test(every_country_has_its_currency),
	    cmocka_unit_test(dots_that_group_thousands_are_read_as_such),
	    cmocka_unit_test(grouped_prices_are_no_cents_and_cents_keep_vnd_exact),
	    cmocka_unit_test(comma_grouped_thousands_before_a_decimal_point_are_read),
	    cmocka_unit_test(comma_grouped_whole_prices_are_read_where_nothing_else_is_meant),
	    cmocka_unit_test(rows_of_nothing_but_delimiters_are_skipped),
	    cmocka_unit_test(html_named_entities_of_html4_and_vietnamese_letters),
	    cmocka_unit_test(woocommerce_escapes_are_undone),
	    cmocka_unit_test(one_line_fields_fold_line_breaks_and_stock_may_end_in_dot_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
