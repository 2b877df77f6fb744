/* import — the spreadsheets sellers already keep, turned into kontor listings: kontor's own
 * CSV, Shopify's product CSV, WooCommerce's product CSV, Etsy's listings export (its header in
 * any of the shop languages Etsy writes), Shopee's product workbooks (its Mass Update export
 * and its mass-upload template, as xlsx.h reads a sheet) and JSON Lines of kontor listings,
 * as exported or as Excel saves them again (Windows-1252, "sep=;", decimal commas). Pure: bytes in,
 * unsigned listings (no seller, no id), merged repeats or per-row errors out through a callback; no
 * store, no keys, no files (so it can be fuzzed). Images are left as written in the file
 * (paths or URLs): the command resolves them. Bounded: input size, rows, fields (csv.h),
 * variants per product. */
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
	IMPORT_SHOPEE,
};

/* "auto", "kontor", "shopify", "woocommerce", "etsy", "jsonl", "shopee". */
const char *import_format_name(enum import_format f);
/* K_EUSAGE naming the allowed values for an unknown name. */
int import_format_parse(const char *s, enum import_format *out, struct kerr *e);
struct import_opts {
	enum import_format format; /* IMPORT_AUTO detects */
	const char *currency;      /* ISO 4217, upper case, or NULL: the prices' currency where
	                            * the file has no currency column or a row leaves it empty */
	char delim;                /* --delimiter; 0: Excel's "sep=X" line, else the header's */
	int decimal_comma;         /* --decimal-comma; a ';'-separated file reads them anyway */
	const char *country;       /* the seller's ISO 3166 alpha-2, or NULL: a file that is not
	                            * UTF-8 is said as read in that country's Excel charset */
};

/* From the first byte ('{' = JSON Lines) or the header line's column names (Etsy's also from
 * its fixed column layout, whatever the language); IMPORT_AUTO when nothing fits. A UTF-8 BOM,
 * a "sep=X" line and leading blank lines are skipped; delim as in import_opts. */
enum import_format import_detect(const char *data, size_t len, char delim);

/* 1 when the file's header has a currency column (kontor's currency, Etsy's CURRENCY_CODE
 * in any language, and JSON Lines), 0 when its prices need import_opts.currency (Shopify,
 * WooCommerce, a kontor CSV without one). */
int import_has_currency(const char *data, size_t len, const struct import_opts *o);

/* One result. Exactly one of: l (a listing), err (a failure; err->msg names the column and
 * never the file or line: the caller prefixes "FILE:LINE: "), or same_as > 0 (a row that
 * repeats line same_as exactly and was merged into it). line is the physical line where the
 * row (for Shopify and WooCommerce: the product's first row) starts, or for a bad variant its
 * own. rows is how many records of the file the result stands for (a product and its variant
 * rows; 1 for a failed or merged row): over a whole parse they add up to import_stats.rows.
 * l is owned by the parser and freed after the call; the callback may take its contents
 * (listing_copy, or move them out and listing_init it). */
struct import_row {
	long line;
	struct listing *l;
	const struct kerr *err;
	long same_as;
	long rows;
	int status_set;     /* l's status was written in the row: a kontor CSV's non-empty status
	                     * column or a JSON Lines "status"; never for a shop's export (its
	                     * draft/published says nothing of a pause in kontor) */
	int packing_unsaid; /* a kontor CSV with no net_kg, gross_kg or per_package column (one
	                     * written before them, or her own sheet): it says nothing of them */
};

/* A re-import of a listing kontor has cached: l keeps the cached status unless the row set
 * it (status_set), so a listing paused in kontor stays paused, and the cached weights and
 * packing where the file has no column for them (packing_unsaid); unchanged when nothing
 * else changed. */
void import_keep_unsaid(const struct import_row *r, const struct listing *cached,
                        struct listing *l);

/* A re-import of a listing kontor has cached, from a shop's export (Shopify, WooCommerce,
 * Etsy, Shopee), which has no column for a trade term: l keeps the cached MOQ, the tiers above
 * it (the file's price stays the price at the MOQ), the unit, HS code, origin, lead time,
 * weights, packing and Incoterms, as the seller set them in kontor. A kontor CSV or JSON
 * Lines row says them all: nothing is kept. */
void import_keep_terms(enum import_format f, const struct listing *cached, struct listing *l);

/* A non-zero return stops the parse; import_parse returns it. */
typedef int (*import_cb)(void *ctx, const struct import_row *r);

/* Whether the file's prices (those of the format o->format, detected when IMPORT_AUTO) write a
 * decimal comma beyond doubt ("12,50": one or two digits after it, never a thousands group),
 * with the first such cell in eg: the import then reads them as --decimal-comma does. 0 with
 * --decimal-comma, for a ';'-separated file (which reads them anyway) and for JSON Lines. */
int import_decimal_commas(const char *data, size_t len, const struct import_opts *o, char eg[64]);

struct import_stats {
	enum import_format format; /* as used */
	long rows;                 /* records after the header (JSON Lines: non-blank lines) */
};

/* Parses data[0..len) as o->format (detected when IMPORT_AUTO). Returns K_OK after the last
 * row; a file-level problem (not UTF-8 but Windows-1252 or UTF-16: give --encoding; format
 * not recognised, a required column missing from the header, no currency where the format
 * has no currency column, too many rows) is K_EINVAL/K_EUSAGE/K_ETOOBIG in e with no row
 * reported for it. st (may be NULL) gets the format and the row count. name is used in
 * messages ("products.csv"). Listings handed out are not validated: the caller resolves
 * images, signs and validates. SKUs a key cannot be are mapped (import_sku_key) and kept as
 * written in seller_sku / "sellerSku". */
int import_parse(const char *data, size_t len, const char *name, const struct import_opts *o,
                 struct import_stats *st, import_cb cb, void *ctx, struct kerr *e);

/* --encoding: data in the named character set (any iconv(3) name: WINDOWS-1252, ISO-8859-1,
 * UTF-16...) converted to UTF-8 into out (reset first; a BOM the conversion yields is
 * dropped). K_EUSAGE for a name iconv does not know, K_EINVAL naming the line of the first
 * byte that is not in that set, K_ETOOBIG past IMPORT_MAX_BYTES of UTF-8. */
int import_to_utf8(const char *data, size_t len, const char *encoding, struct kbuf *out,
                   struct kerr *e);

/* A SKU as the seller wrote it, trimmed, as a listing key: itself when it already is one
 * (1..MODEL_SKU_MAX of A-Z a-z 0-9 - _ . /); else its key characters, runs of the others as
 * one '-', cut to leave room, then '-' and 12 hex digits of the FNV-1a hash of the whole
 * ("MUG #1 blue" -> "MUG-1-blue-1f0c..."): the same on every run. Returns 1 when it had to
 * be mapped, 0 when it is its own key, -1 when s is blank. out holds MODEL_SKU_MAX + 1. */
int import_sku_key(const char *s, char *out);

/* The currency of a country (ISO 3166 alpha-2 -> ISO 4217, from ISO 4217's own list of
 * entities, funds and second currencies left out); NULL for none (AQ, GS) or unknown. */
const char *import_country_currency(const char *alpha2);

/* K_OK for UTF-8 text, or text that is UTF-8 but for a few bytes (the reader names each row
 * with one); else K_EINVAL, once for the whole file named name, naming the --encoding to give
 * (the Excel charset of country, an ISO 3166 alpha-2 or NULL, else Windows-1252 where the file
 * reads as that) with its first bad line read in it. import_parse checks this first. */
int import_check_encoding(const char *data, size_t len, const char *name, const char *country,
                          struct kerr *e);

/* The character set Excel saves CSV in on a Windows set up for a country (its ANSI code page,
 * iconv's name: "WINDOWS-1258" for VN, "GBK" for CN, "CP932" for JP), and in *what the words
 * for such a Windows ("a Vietnamese"); NULL for a country on Windows-1252 or unknown. */
const char *import_country_charset(const char *alpha2, const char **what);

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
