/* fuzz_xlsx — the workbook reader on arbitrary bytes: no crash, no hang, errors that name the
 * file, and every sheet it reads is CSV the CSV reader takes whole, each record starting on
 * the line the row map gives it. Mutated zips rarely get past their CRCs, so an input that is
 * not a zip is taken as the parts of one, separated by NUL bytes (which XML cannot hold):
 * sheet, shared strings, workbook, relationships; zipped here, the mutations reach the XML. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "../../src/client/import.h"
#include "../../src/client/xlsx.h"
#include "kontor/csv.h"

#define NAME "fuzz.xlsx"

static const char WORKBOOK[] =
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"Sheet1\" r:id=\"rId1\"/></sheets></workbook>";
static const char RELS[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"x/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"x/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "</Relationships>";

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_xlsx: %s\n", what);
		abort();
	}
}

/* A zip of the NUL-separated parts in data; a part not given is a plain default. */
static char *zip_parts(const uint8_t *data, size_t size, size_t *len)
{
	static const char *const names[] = {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
	                                    "xl/workbook.xml", "xl/_rels/workbook.xml.rels"};
	const char *defaults[] = {NULL, NULL, WORKBOOK, RELS};
	zip_error_t zerr;
	zip_error_init(&zerr);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &zerr);
	check(src != NULL, "zip_source_buffer_create");
	zip_source_keep(src);
	zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &zerr);
	check(za != NULL, "zip_open_from_source");
	size_t at = 0;
	for (size_t i = 0; i < 4; i++) {
		const void *p = defaults[i];
		size_t n = p ? strlen(p) : 0;
		if (at <= size && (at < size || i == 0)) {
			const uint8_t *end = memchr(data + at, 0, size - at);
			p = data + at;
			n = end ? (size_t)(end - (data + at)) : size - at;
			at += n + 1;
		}
		if (!p)
			continue;
		zip_source_t *s = zip_source_buffer(za, p, n, 0);
		zip_int64_t idx = s ? zip_file_add(za, names[i], s, 0) : -1;
		check(idx >= 0, "zip_file_add");
		zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
	}
	check(zip_close(za) == 0, "zip_close");
	zip_stat_t st;
	zip_stat_init(&st);
	check(zip_source_stat(src, &st) == 0, "zip_source_stat");
	char *bytes = malloc(st.size ? st.size : 1);
	check(bytes && zip_source_open(src) == 0, "zip_source_open");
	check(zip_source_read(src, bytes, st.size) == (zip_int64_t)st.size, "zip_source_read");
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&zerr);
	*len = st.size;
	return bytes;
}

static void check_error(int rc, const struct kerr *e)
{
	check(rc == K_EINVAL || rc == K_ETOOBIG, "unexpected error code");
	check(e->code == rc, "error code not in kerr");
	check(strncmp(e->msg, NAME ": ", strlen(NAME) + 2) == 0, "message does not name the file");
}

/* The rows map: ascending, a row on or before its line, and read back by xlsx_row_of_line. */
static void check_rows(const struct xlsx_rows *rows)
{
	for (size_t k = 0; k < rows->n; k++) {
		check(rows->row[k] >= 1 && rows->row[k] <= rows->line[k], "row after its line");
		if (k) {
			check(rows->line[k] > rows->line[k - 1], "lines not ascending");
			check(rows->row[k] > rows->row[k - 1], "rows not ascending");
		}
		check(xlsx_row_of_line(rows, rows->line[k]) == rows->row[k], "row_of_line differs");
	}
}

/* The CSV reads back whole, record k on rows->line[k], each ending in a value. */
static void check_csv(const struct kbuf *out, const struct xlsx_rows *rows)
{
	check(out->len <= IMPORT_MAX_BYTES, "more text than the limit");
	check(utf8_valid(out->data ? out->data : "", out->len), "output is not UTF-8");
	struct csv_reader *r = csv_reader_new(out->data, out->len, ',', "again.csv");
	struct csv_record rec;
	struct kerr e;
	size_t k = 0;
	int rc;
	while ((rc = csv_next(r, &rec, &e)) == 1) {
		check(k < rows->n, "more records than the row map");
		check(rec.line == rows->line[k], "record not on the line the map says");
		check(rec.nfields >= 1 && rec.fields[rec.nfields - 1][0], "record ends empty");
		k++;
	}
	if (rc < 0) {
		fprintf(stderr, "fuzz_xlsx: the CSV does not read back: %s\n", e.msg);
		abort();
	}
	check(k == rows->n, "fewer records than the row map");
	csv_reader_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = size;
	char *zipped = NULL;
	const char *bytes = (const char *)data;
	if (!xlsx_is_zip(bytes, size))
		bytes = zipped = zip_parts(data, size, &len);
	struct xlsx *x = NULL;
	struct kerr e;
	memset(&e, 0, sizeof e);
	int rc = xlsx_open(bytes, len, NAME, &x, &e);
	if (rc) {
		check_error(rc, &e);
		check(x == NULL, "a failed open left a workbook");
	}
	struct kbuf out = KBUF_INIT;
	struct xlsx_rows rows = {0};
	for (size_t i = 0; i < xlsx_sheet_count(x); i++) {
		const char *name = xlsx_sheet_name(x, i);
		check(name && utf8_valid(name, strlen(name)), "sheet name");
		memset(&e, 0, sizeof e);
		rc = xlsx_sheet_csv(x, i, &out, &rows, &e);
		if (rc) {
			check_error(rc, &e);
			check(out.len == 0 && rows.n == 0, "a failed sheet left text");
			continue;
		}
		check_rows(&rows);
		check_csv(&out, &rows);
	}
	kbuf_free(&out);
	xlsx_rows_free(&rows);
	xlsx_free(&x);
	check(x == NULL, "xlsx_free left the pointer");
	free(zipped);
	return 0;
}
