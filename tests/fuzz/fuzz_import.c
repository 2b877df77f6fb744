/* fuzz_import — the listing import parsers on arbitrary bytes under every format (and
 * detection), with and without a currency, with ';' and decimal commas: no crash, no hang,
 * every result exactly one of a listing with a SKU and a title, an error with a message, or
 * a merged row naming an earlier line, each on a sane line, and together standing for every
 * row the parser read; the same bytes converted from Windows-1252 and UTF-16 with iconv; SKU
 * keys that the model takes; and the HTML-to-text conversion giving valid UTF-8 with no
 * control characters but newlines, tidy at both ends. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/client/import.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_import: %s\n", what);
		abort();
	}
}

struct seen {
	long rows;
	long max_line;
};

static int on_row(void *ctx, const struct import_row *r)
{
	struct seen *s = ctx;
	check((r->l != NULL) + (r->err != NULL) + (r->same_as > 0) == 1,
	      "exactly one of listing, error and merged");
	check(r->line >= 0 && r->line <= s->max_line, "line out of range");
	check(r->rows >= 1, "a result standing for no row");
	s->rows += r->rows;
	if (r->same_as) {
		check(r->same_as < r->line, "merged into a later line");
		return 0;
	}
	if (r->err) {
		check(r->err->msg[0] != 0, "error without a message");
		check(r->err->code < 0, "error without a code");
		return 0;
	}
	const struct listing *l = r->l;
	check(l->sku && *l->sku, "listing without a SKU");
	check(l->title && *l->title, "listing without a title");
	check(l->ntiers >= 1, "listing without a price");
	/* what the command does next: validation must not crash on anything the parser made */
	struct kerr e;
	kstrv_free(&r->l->images);
	(void)listing_validate(l, &e);
	return 0;
}

static void parse_all(const char *s, size_t size, const struct import_opts *o)
{
	long lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += s[i] == '\n' || s[i] == '\r';
	struct seen seen = {0, lines};
	struct kerr e = {0, ""};
	struct import_stats st = {IMPORT_AUTO, -1};
	int rc = import_parse(s, size, "fuzz.csv", o, &st, on_row, &seen, &e);
	check(rc <= 0, "positive status");
	if (rc)
		check(e.msg[0] != 0, "file error without a message");
	else
		check(seen.rows == st.rows, "a row not accounted for");
	(void)import_has_currency(s, size, o);
	char eg[64];
	if (import_decimal_commas(s, size, o, eg))
		check(strchr(eg, ',') != NULL && memchr(eg, '\0', sizeof eg) != NULL,
		      "a decimal comma found without one in its example");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	static const char *const curs[] = {NULL, "USD", "VND"}; /* VND: no minor unit */
	for (int f = IMPORT_AUTO; f <= IMPORT_SHOPEE; f++)
		for (int c = 0; c < 3; c++) {
			struct import_opts o = {(enum import_format)f, curs[c], 0, 0, NULL};
			parse_all(s, size, &o);
		}
	struct import_opts semi = {IMPORT_AUTO, "EUR", ';', 1, NULL};
	parse_all(s, size, &semi);
	/* a file that is not UTF-8, said as read in the seller's country's Excel charset */
	static const char *const countries[] = {"VN", "JP", "CN"};
	for (size_t i = 0; i < 3; i++) {
		struct import_opts o = {IMPORT_AUTO, "USD", 0, 0, countries[i]};
		parse_all(s, size, &o);
	}
	(void)import_detect(s, size, 0);

	/* Excel's encodings, converted, then read */
	static const char *const sets[] = {"WINDOWS-1252", "UTF-16", "WINDOWS-1258"};
	for (size_t i = 0; i < 3; i++) {
		struct kbuf u = KBUF_INIT;
		struct kerr e = {0, ""};
		if (import_to_utf8(s, size, sets[i], &u, &e) == K_OK) {
			check(utf8_valid(u.data ? u.data : "", u.len),
			      "converted text is not UTF-8");
			struct import_opts o = {IMPORT_AUTO, "USD", 0, 0, NULL};
			parse_all(u.data ? u.data : "", u.len, &o);
		} else {
			check(e.msg[0] != 0, "conversion error without a message");
		}
		kbuf_free(&u);
	}

	/* the first line as a SKU: its key is one the model takes, the same every time */
	char sku[256];
	size_t n = 0;
	while (n < size && n < sizeof sku - 1 && s[n] != '\n' && s[n])
		n++;
	memcpy(sku, s, n);
	sku[n] = 0;
	char key[MODEL_SKU_MAX + 1], again[MODEL_SKU_MAX + 1];
	int mapped = import_sku_key(sku, key);
	check(import_sku_key(sku, again) == mapped && strcmp(key, again) == 0, "unstable key");
	if (mapped >= 0) {
		size_t k = strlen(key);
		check(k >= 1 && k <= MODEL_SKU_MAX, "key length");
		for (size_t i = 0; i < k; i++)
			check(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345678"
			             "9-_./",
			             key[i]) != NULL,
			      "key character");
	}

	if (utf8_valid(s, size)) {
		struct kbuf b = KBUF_INIT;
		import_html_to_text(s, size, &b);
		check(utf8_valid(b.data ? b.data : "", b.len), "html text is not UTF-8");
		for (size_t i = 0; i < b.len; i++) {
			unsigned char ch = (unsigned char)b.data[i];
			check(ch >= 0x20 || ch == '\n', "control character in html text");
			check(ch != 0x7F, "DEL in html text");
		}
		if (b.len) {
			check(b.data[0] != ' ' && b.data[0] != '\n', "html text starts with space");
			check(b.data[b.len - 1] != ' ' && b.data[b.len - 1] != '\n',
			      "html text ends with space");
			check(!memmem(b.data, b.len, "\n\n\n", 3), "more than one blank line");
		}
		kbuf_free(&b);
	}
	return 0;
}
