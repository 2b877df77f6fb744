/* fuzz_import — the listing import parsers on arbitrary bytes under every format (and
 * detection), with and without --currency: no crash, no hang, every result either a listing
 * with a SKU and a title or an error with a message and a sane line; and the HTML-to-text
 * conversion gives valid UTF-8 with no control characters but newlines, tidy at both ends. */
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

static int on_row(void *ctx, long line, struct listing *l, const struct kerr *err)
{
	struct seen *s = ctx;
	s->rows++;
	check((l == NULL) != (err == NULL), "exactly one of listing and error");
	check(line >= 0 && line <= s->max_line, "line out of range");
	if (err) {
		check(err->msg[0] != 0, "error without a message");
		check(err->code < 0, "error without a code");
		return 0;
	}
	check(l->sku && *l->sku, "listing without a SKU");
	check(l->title && *l->title, "listing without a title");
	check(l->ntiers >= 1, "listing without a price");
	/* what the command does next: validation must not crash on anything the parser made */
	struct kerr e;
	kstrv_free(&l->images);
	(void)listing_validate(l, &e);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	long lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += s[i] == '\n' || s[i] == '\r';
	static const char *const curs[] = {NULL, "USD"};
	for (int f = IMPORT_AUTO; f <= IMPORT_JSONL; f++)
		for (int c = 0; c < 2; c++) {
			struct import_opts o = {(enum import_format)f, curs[c]};
			struct seen seen = {0, lines};
			struct kerr e = {0, ""};
			int rc = import_parse(s, size, "fuzz.csv", &o, NULL, on_row, &seen, &e);
			check(rc <= 0, "positive status");
			if (rc)
				check(e.msg[0] != 0, "file error without a message");
		}
	(void)import_detect(s, size);

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
