/* import — the spreadsheets sellers already keep, turned into kontor listings: kontor's own
 * CSV, Shopify's product CSV, WooCommerce's product CSV, Etsy's listings export and JSON Lines
 * of kontor listings. Pure: bytes in, unsigned listings (no seller, no id) or per-row errors
 * out through a callback; no store, no keys, no files (so it can be fuzzed). Images are left
 * as written in the file (paths or URLs): the command resolves them. Bounded: input size,
 * rows, fields (csv.h), variants per product. */
#ifndef KONTOR_IMPORT_H
#define KONTOR_IMPORT_H

#include <stddef.h>

#include "kontor/buf.h"
#include "kontor/err.h"
#include "kontor/model.h"

#define IMPORT_MAX_BYTES (256u << 20) /* the command refuses a larger file */
#define IMPORT_MAX_ROWS 2000000L      /* records (CSV) or lines (JSONL) per file */

enum import_format {
	IMPORT_AUTO = 0,
	IMPORT_KONTOR,
	IMPORT_SHOPIFY,
	IMPORT_WOOCOMMERCE,
	IMPORT_ETSY,
	IMPORT_JSONL,
};

/* "auto", "kontor", "shopify", "woocommerce", "etsy", "jsonl". */
const char *import_format_name(enum import_format f);
/* K_EUSAGE naming the allowed values for an unknown name. */
int import_format_parse(const char *s, enum import_format *out, struct kerr *e);
/* From the first byte ('{' = JSON Lines) or the header line's column names; IMPORT_AUTO when
 * nothing fits. A UTF-8 BOM and leading blank lines are skipped. */
enum import_format import_detect(const char *data, size_t len);

struct import_opts {
	enum import_format format; /* IMPORT_AUTO detects */
	const char *currency;      /* --currency (ISO 4217, upper case) or NULL */
};

/* One result: exactly one of l and err is set. line is the physical line where the row
 * (for Shopify and WooCommerce: the product's first row) starts; err->msg names the column
 * and never the file or line (the caller prefixes "FILE:LINE: "). l is owned by the parser
 * and freed after the call; the callback may take its contents (listing_copy, or move them
 * out and listing_init it). A non-zero return stops the parse; import_parse returns it. */
typedef int (*import_cb)(void *ctx, long line, struct listing *l, const struct kerr *err);

/* Parses data[0..len) as o->format (detected when IMPORT_AUTO; *used gets the format, may be
 * NULL). Returns K_OK after the last row; a file-level problem (format not recognised, a
 * required column missing from the header, no --currency where the format has no currency
 * column, too many rows) is K_EINVAL/K_EUSAGE/K_ETOOBIG in e with no row reported for it.
 * name is used in messages ("products.csv"). Listings handed out are not validated: the
 * caller resolves images, signs and validates. */
int import_parse(const char *data, size_t len, const char *name, const struct import_opts *o,
                 enum import_format *used, import_cb cb, void *ctx, struct kerr *e);

/* HTML (a product body) to plain text, appended to out: tags dropped; <br>, <p>, <div>, <li>,
 * <tr>, <h1>-<h6> become line breaks; <script> and <style> bodies and comments dropped;
 * &amp; &lt; &gt; &quot; &#39; &apos; &nbsp; &#NNN; &#xHH; decoded (NUL, surrogates and
 * out-of-range code points become U+FFFD, control characters are dropped); runs of white
 * space collapse to one space, spaces around line breaks go, at most one blank line in a
 * row, none at the start or end. Linear in n, no recursion; s must be valid UTF-8. */
void import_html_to_text(const char *s, size_t n, struct kbuf *out);

/* A stable key for a row with no SKU: prefix + "-" + 16 hex digits of the 64-bit FNV-1a hash
 * of text (Etsy: the title). out must hold MODEL_SKU_MAX + 1 bytes. */
void import_derived_sku(const char *prefix, const char *text, char *out);

#endif
