/* test_xlsx — workbooks zipped in memory from XML written out in each test, so every edge
 * case is explicit: shared strings and rich text, inline strings, numbers with and without
 * binary noise, booleans, gaps and missing references, empty rows, line breaks inside cells
 * and the line-to-row map after them, sheet order from the relationships, Excel's _xHHHH_
 * escapes; then the refusals (not a zip, no workbook, damaged parts and XML, the limits), and
 * the two committed fixtures under tests/data/import/xlsx. Every CSV produced is read back
 * with the CSV reader, record by record against the line map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "../../src/client/import.h"
#include "../../src/client/xlsx.h"
#include "kontor/csv.h"

#include "import_data.h"

#define NS "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define RNS "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define PRNS "http://schemas.openxmlformats.org/package/2006/relationships"
#define SHEET(rows) "<worksheet xmlns=\"" NS "\"><sheetData>" rows "</sheetData></worksheet>"
#define SST(items) "<sst xmlns=\"" NS "\">" items "</sst>"

static const char WORKBOOK[] = "<workbook xmlns=\"" NS "\" xmlns:r=\"" RNS "\"><sheets>"
                               "<sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/>"
                               "</sheets></workbook>";
static const char RELS[] = "<Relationships xmlns=\"" PRNS "\">"
                           "<Relationship Id=\"rId1\" Type=\"" RNS "/worksheet\""
                           " Target=\"worksheets/sheet1.xml\"/>"
                           "<Relationship Id=\"rId2\" Type=\"" RNS "/sharedStrings\""
                           " Target=\"sharedStrings.xml\"/>"
                           "</Relationships>";

struct part {
	const char *name;
	const char *xml;
};

/* The bytes of a zip holding parts[0..n) (stored, not deflated, when store: a test can then
 * find a part's text in them). Caller frees. */
static char *zip_parts_how(const struct part *parts, size_t n, int store, size_t *len)
{
	zip_error_t zerr;
	zip_error_init(&zerr);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &zerr);
	assert_non_null(src);
	zip_source_keep(src);
	zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &zerr);
	assert_non_null(za);
	for (size_t i = 0; i < n; i++) {
		zip_source_t *s = zip_source_buffer(za, parts[i].xml, strlen(parts[i].xml), 0);
		assert_non_null(s);
		zip_int64_t idx = zip_file_add(za, parts[i].name, s, ZIP_FL_ENC_UTF_8);
		assert_true(idx >= 0);
		if (store)
			assert_int_equal(
			    zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0), 0);
	}
	assert_int_equal(zip_close(za), 0);
	zip_stat_t st;
	zip_stat_init(&st);
	assert_int_equal(zip_source_stat(src, &st), 0);
	char *bytes = malloc(st.size + 1);
	assert_int_equal(zip_source_open(src), 0);
	assert_int_equal(zip_source_read(src, bytes, st.size), (zip_int64_t)st.size);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&zerr);
	*len = st.size;
	return bytes;
}

static char *zip_parts(const struct part *parts, size_t n, size_t *len)
{
	return zip_parts_how(parts, n, 0, len);
}

/* A one-sheet workbook of sheet (and strings, when not NULL). */
static char *workbook(const char *sheet, const char *strings, size_t *len)
{
	struct part parts[] = {
	    {"xl/workbook.xml", WORKBOOK},
	    {"xl/_rels/workbook.xml.rels", RELS},
	    {"xl/worksheets/sheet1.xml", sheet},
	    {"xl/sharedStrings.xml", strings},
	};
	return zip_parts(parts, strings ? 4 : 3, len);
}

/* Reads csv back record by record: no error, and record k starts on rows->line[k]. */
static void expect_reads_back(const struct kbuf *csv, const struct xlsx_rows *rows)
{
	struct csv_reader *r = csv_reader_new(csv->data, csv->len, ',', "back.csv");
	struct csv_record rec;
	struct kerr e = {0, ""};
	size_t k = 0;
	int rc;
	while ((rc = csv_next(r, &rec, &e)) == 1) {
		assert_true(k < rows->n);
		assert_int_equal(rec.line, rows->line[k]);
		assert_int_equal(xlsx_row_of_line(rows, rec.line), rows->row[k]);
		k++;
	}
	if (rc < 0)
		fail_msg("the CSV does not read back: %s", e.msg);
	assert_int_equal(k, rows->n);
	csv_reader_free(&r);
}

/* Sheet i of the workbook in data as CSV text (caller frees), checked to read back. */
static char *sheet_csv_at(const char *data, size_t len, size_t i, struct xlsx_rows *rows)
{
	struct xlsx *x = NULL;
	struct kerr e = {0, ""};
	if (xlsx_open(data, len, "shop.xlsx", &x, &e))
		fail_msg("xlsx_open: %s", e.msg);
	struct kbuf out = KBUF_INIT;
	if (xlsx_sheet_csv(x, i, &out, rows, &e))
		fail_msg("xlsx_sheet_csv: %s", e.msg);
	expect_reads_back(&out, rows);
	xlsx_free(&x);
	assert_null(x);
	return kbuf_detach(&out, NULL);
}

/* Asserts that the one sheet of sheet/strings reads as want. */
static void expect_csv(const char *sheet, const char *strings, const char *want)
{
	size_t len;
	char *data = workbook(sheet, strings, &len);
	struct xlsx_rows rows = {0};
	char *got = sheet_csv_at(data, len, 0, &rows);
	assert_string_equal(got, want);
	free(got);
	xlsx_rows_free(&rows);
	free(data);
}

/* Asserts that opening data fails with code and exactly msg. */
static void expect_open_error(const char *data, size_t len, int code, const char *msg)
{
	struct xlsx *x = (struct xlsx *)1;
	struct kerr e = {0, ""};
	assert_int_equal(xlsx_open(data, len, "shop.xlsx", &x, &e), code);
	assert_null(x);
	assert_int_equal(e.code, code);
	assert_string_equal(e.msg, msg);
}

/* Asserts that the workbook opens and its one sheet fails with code and exactly msg. */
static void expect_sheet_error(const char *sheet, const char *strings, int code, const char *msg)
{
	size_t len;
	char *data = workbook(sheet, strings, &len);
	struct xlsx *x = NULL;
	struct kerr e = {0, ""};
	if (xlsx_open(data, len, "shop.xlsx", &x, &e))
		fail_msg("xlsx_open: %s", e.msg);
	struct kbuf out = KBUF_INIT;
	struct xlsx_rows rows = {0};
	assert_int_equal(xlsx_sheet_csv(x, 0, &out, &rows, &e), code);
	assert_int_equal(e.code, code);
	assert_string_equal(e.msg, msg);
	assert_int_equal(out.len, 0);
	assert_int_equal(rows.n, 0);
	kbuf_free(&out);
	xlsx_rows_free(&rows);
	xlsx_free(&x);
	free(data);
}

/* --- values --------------------------------------------------------------------------- */

static void test_xlsx_reads_shared_strings_and_joins_rich_text_runs(void **state)
{
	expect_csv(SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v>"
	                 "</c><c r=\"C1\" t=\"s\"><v>0</v></c></row>"),
	           SST("<si><t>plain</t></si>"
	               "<si><r><rPr><b/></rPr><t>Bold</t></r><r><t xml:space=\"preserve\"> and "
	               "not</t></r></si>"),
	           "plain,Bold and not,plain\r\n");
}

static void test_xlsx_leaves_phonetic_runs_out_of_the_value(void **state)
{
	/* Japanese names carry their reading in <rPh>: not part of what the cell says */
	expect_csv(SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"),
	           SST("<si><t>東京</t><rPh sb=\"0\" eb=\"2\"><t>トウキョウ</t></rPh>"
	               "<phoneticPr fontId=\"1\"/></si>"),
	           "東京\r\n");
}

static void test_xlsx_reads_inline_strings_with_and_without_runs(void **state)
{
	expect_csv(SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>inline</t></is></c>"
	                 "<c r=\"B1\" t=\"inlineStr\"><is><r><t>two </t></r><r><t>runs</t></r></is>"
	                 "</c><c r=\"C1\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> pad </t>"
	                 "</is></c></row>"),
	           NULL, "inline,two runs,\" pad \"\r\n");
}

static void test_xlsx_writes_numbers_without_binary_noise(void **state)
{
	/* 19.99 as Excel writes it; what =0.1+0.2 holds (not the double nearest 0.3, but 0.3 is
	 * what Excel shows); a 17-digit result shown to 15 digits */
	expect_csv(SHEET("<row r=\"1\"><c r=\"A1\"><v>19.989999999999998</v></c>"
	                 "<c r=\"B1\" t=\"n\"><v>0.30000000000000004</v></c>"
	                 "<c r=\"C1\"><v>-0.30000000000000004</v></c>"
	                 "<c r=\"D1\"><v>1.0000000000000001E+20</v></c>"
	                 "<c r=\"E1\"><v>1.50000000000000000</v></c>"
	                 "<c r=\"F1\"><v>1.2345678901234567</v></c></row>"),
	           NULL, "19.99,0.3,-0.3,1e+20,1.5,1.23456789012346\r\n");
}

static void test_xlsx_writes_small_noisy_numbers_without_an_exponent(void **state)
{
	/* typed without an exponent, written back without one: a price reader need not know it */
	expect_csv(SHEET("<row r=\"1\"><c r=\"A1\"><v>0.000012345000000000001</v></c>"
	                 "<c r=\"B1\"><v>100000000000000000.5</v></c></row>"),
	           NULL, "0.000012345,100000000000000000\r\n");
}

static void test_xlsx_keeps_numbers_without_noise_as_written(void **state)
{
	/* a barcode of 13 digits and an id of 20 stay digit for digit */
	expect_csv(
	    SHEET("<row r=\"1\"><c r=\"A1\"><v>199000</v></c><c r=\"B1\"><v>0.5</v></c>"
	          "<c r=\"C1\"><v>8935049500155</v></c><c r=\"D1\"><v>12345678901234567890</v>"
	          "</c><c r=\"E1\"><v>1.5E-3</v></c><c r=\"F1\"><v>12345678901234.5</v></c>"
	          "<c r=\"G1\"><v>45292</v></c><c r=\"H1\"><v>not a number</v></c></row>"),
	    NULL,
	    "199000,0.5,8935049500155,12345678901234567890,1.5E-3,12345678901234.5,45292,"
	    "not a number\r\n");
}

static void test_xlsx_writes_booleans_as_true_and_false(void **state)
{
	expect_csv(SHEET("<row r=\"1\"><c r=\"A1\" t=\"b\"><v>1</v></c><c r=\"B1\" t=\"b\"><v>0</v>"
	                 "</c></row>"),
	           NULL, "TRUE,FALSE\r\n");
}

static void test_xlsx_writes_formula_results_and_errors_as_cached(void **state)
{
	expect_csv(SHEET("<row r=\"1\"><c r=\"A1\" t=\"str\"><f>A2&amp;\"x\"</f><v>tx</v></c>"
	                 "<c r=\"B1\" t=\"e\"><f>1/0</f><v>#DIV/0!</v></c>"
	                 "<c r=\"C1\"><f>1+1</f><v>2</v></c><c r=\"D1\"><f>NOW()</f></c>"
	                 "<c r=\"E1\"><v>x</v></c></row>"),
	           NULL, "tx,#DIV/0!,2,,x\r\n");
}

static void test_xlsx_leaves_gaps_between_cells_empty(void **state)
{
	expect_csv(SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a</t></is></c>"
	                 "<c r=\"C1\" t=\"inlineStr\"><is><t>c</t></is></c>"
	                 "<c r=\"E1\" s=\"3\"/></row>"),
	           NULL, "a,,c\r\n");
}

static void test_xlsx_places_cells_and_rows_without_r_after_the_previous(void **state)
{
	expect_csv(SHEET("<row><c t=\"inlineStr\"><is><t>a</t></is></c><c><v>2</v></c></row>"
	                 "<row><c r=\"B2\"><v>3</v></c><c><v>4</v></c></row>"
	                 "<row r=\"4\"><c><v>5</v></c></row>"
	                 "<row><c r=\"C5\"><v>6</v></c></row>"),
	           NULL, "a,2\r\n,3,4\r\n\r\n5\r\n,,6\r\n");
}

static void test_xlsx_writes_rows_without_a_value_as_empty_lines(void **state)
{
	/* line N is row N: row 2 is missing, row 4 has only empty cells, rows after 5 no value */
	size_t len;
	char *data =
	    workbook(SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"
	                   "<row r=\"3\"><c r=\"A3\"><v>3</v></c></row>"
	                   "<row r=\"4\"><c r=\"A4\" s=\"1\"/><c r=\"B4\" t=\"inlineStr\"><is>"
	                   "<t></t></is></c></row>"
	                   "<row r=\"5\"><c r=\"B5\"><v>5</v></c></row>"
	                   "<row r=\"6\"><c r=\"A6\" s=\"2\"/></row><row r=\"9\"/>"),
	             NULL, &len);
	struct xlsx_rows rows = {0};
	char *got = sheet_csv_at(data, len, 0, &rows);
	assert_string_equal(got, "1\r\n\r\n3\r\n\r\n,5\r\n");
	assert_int_equal(rows.n, 3);
	for (long line = 1; line <= 5; line++)
		assert_int_equal(xlsx_row_of_line(&rows, line), line);
	free(got);
	xlsx_rows_free(&rows);
	assert_null(rows.line);
	free(data);
}

static void test_xlsx_reads_a_sparse_row_far_down(void **state)
{
	size_t len;
	char *data = workbook(SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"
	                            "<row r=\"1000000\"><c r=\"B1000000\"><v>2</v></c></row>"),
	                      NULL, &len);
	struct xlsx_rows rows = {0};
	char *got = sheet_csv_at(data, len, 0, &rows);
	assert_int_equal(strlen(got), 3 + 2 * 999998 + 4);
	assert_string_equal(got + strlen(got) - 4, ",2\r\n");
	assert_int_equal(rows.n, 2);
	assert_int_equal(rows.line[1], 1000000);
	assert_int_equal(xlsx_row_of_line(&rows, 500000), 500000);
	free(got);
	xlsx_rows_free(&rows);
	free(data);
}

static void test_xlsx_quotes_line_breaks_and_maps_later_lines_to_their_rows(void **state)
{
	/* row 2's cell takes lines 2 to 5 (LF, then CRLF and a lone CR written as entities);
	 * row 3 is the empty line 6; row 4 starts on line 7 */
	size_t len;
	char *data = workbook(
	    SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>sku</t></is></c>"
	          "<c r=\"B1\" t=\"inlineStr\"><is><t>description</t></is></c></row>"
	          "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>TL-71</t></is></c>"
	          "<c r=\"B2\" t=\"inlineStr\"><is><t>one\ntwo&#13;&#10;three&#13;four</t>"
	          "</is></c></row>"
	          "<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>TL-72</t></is></c></row>"
	          "<row r=\"5\"><c r=\"A5\" t=\"inlineStr\"><is><t>TL-73</t></is></c></row>"),
	    NULL, &len);
	struct xlsx_rows rows = {0};
	char *got = sheet_csv_at(data, len, 0, &rows);
	assert_string_equal(got, "sku,description\r\nTL-71,\"one\ntwo\nthree\nfour\"\r\n\r\n"
	                         "TL-72\r\nTL-73\r\n");
	assert_int_equal(rows.n, 4);
	assert_int_equal(rows.line[0], 1);
	assert_int_equal(rows.line[1], 2);
	assert_int_equal(rows.line[2], 7);
	assert_int_equal(rows.row[2], 4);
	assert_int_equal(rows.line[3], 8);
	assert_int_equal(rows.row[3], 5);
	assert_int_equal(xlsx_row_of_line(&rows, 1), 1);
	for (long line = 2; line <= 5; line++)
		assert_int_equal(xlsx_row_of_line(&rows, line), 2); /* inside row 2's record */
	assert_int_equal(xlsx_row_of_line(&rows, 6), 3);            /* row 3's empty line */
	assert_int_equal(xlsx_row_of_line(&rows, 7), 4);
	assert_int_equal(xlsx_row_of_line(&rows, 8), 5);
	free(got);
	xlsx_rows_free(&rows);
	free(data);
}

static void test_xlsx_row_of_line_without_rows_is_the_line(void **state)
{
	struct xlsx_rows none = {0};
	assert_int_equal(xlsx_row_of_line(NULL, 7), 7);
	assert_int_equal(xlsx_row_of_line(&none, 7), 7);
	xlsx_rows_free(&none);
	xlsx_rows_free(NULL);
}

static void test_xlsx_keeps_vietnamese_text_exact(void **state)
{
	expect_csv(SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
	                 "<c r=\"B1\" t=\"inlineStr\"><is><t>Áo thun cổ tròn</t></is></c></row>"),
	           SST("<si><t>Tên sản phẩm</t></si>"), "Tên sản phẩm,Áo thun cổ tròn\r\n");
}

static void test_xlsx_decodes_excel_escapes(void **state)
{
	/* _x000D__x000A_ is one line end; _x005F_ escapes the '_' of a literal "_x000D_";
	 * _x0000_ (NUL) stays as written; a tab decodes */
	expect_csv(SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
	                 "<c r=\"B1\" t=\"inlineStr\"><is><t>x_x0009_y</t></is></c>"
	                 "<c r=\"C1\" t=\"str\"><f>A1</f><v>p_x000D_q</v></c>"
	                 "<c r=\"D1\" t=\"s\"><v>1</v></c></row>"),
	           SST("<si><t>a_x000D__x000A_b_x000D_c</t></si>"
	               "<si><t>_x005F_x000D_ _x0000_ _xZZZZ_ _x00e9_</t></si>"),
	           "\"a\nb\nc\",x\ty,\"p\nq\",_x000D_ _x0000_ _xZZZZ_ é\r\n");
}

static void test_xlsx_matches_elements_by_local_name(void **state)
{
	/* a writer that prefixes SpreadsheetML ("x:"), and an r:id under another prefix */
	static const char wb[] = "<x:workbook xmlns:x=\"" NS "\" xmlns:rel=\"" RNS "\"><x:sheets>"
	                         "<x:sheet name=\"Products\" sheetId=\"1\" rel:id=\"rId1\"/>"
	                         "</x:sheets></x:workbook>";
	static const char sheet[] = "<x:worksheet xmlns:x=\"" NS "\"><x:sheetData>"
	                            "<x:row r=\"1\"><x:c r=\"A1\" t=\"s\"><x:v>0</x:v></x:c>"
	                            "<x:c r=\"B1\"><x:v>2</x:v></x:c></x:row>"
	                            "</x:sheetData></x:worksheet>";
	static const char sst[] = "<x:sst xmlns:x=\"" NS "\"><x:si><x:t>sku</x:t></x:si></x:sst>";
	struct part parts[] = {
	    {"xl/workbook.xml", wb},
	    {"xl/_rels/workbook.xml.rels", RELS},
	    {"xl/worksheets/sheet1.xml", sheet},
	    {"xl/sharedStrings.xml", sst},
	};
	size_t len;
	char *data = zip_parts(parts, 4, &len);
	struct xlsx_rows rows = {0};
	char *got = sheet_csv_at(data, len, 0, &rows);
	assert_string_equal(got, "sku,2\r\n");
	free(got);
	xlsx_rows_free(&rows);
	free(data);
}

static void test_xlsx_quotes_a_first_row_that_looks_like_excels_sep_line(void **state)
{
	/* unquoted, "sep=;" on line 1 would be taken for Excel's delimiter hint, not a record */
	expect_csv(
	    SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>sep=;</t></is></c></row>"
	          "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>sep=;</t></is></c></row>"),
	    NULL, "\"sep=;\"\r\nsep=;\r\n");
}

/* --- the workbook ---------------------------------------------------------------------- */

static void test_xlsx_lists_sheets_in_workbook_order_through_relationships(void **state)
{
	/* the tabs' order is the workbook's, whatever the parts are called; one Target is
	 * absolute, one climbs back into xl/ */
	static const char wb[] =
	    "<workbook xmlns=\"" NS "\" xmlns:r=\"" RNS "\"><sheets>"
	    "<sheet name=\"Guidance\" sheetId=\"3\" r:id=\"rId3\"/>"
	    "<sheet name=\"Hidden\" sheetId=\"2\" state=\"hidden\" r:id=\"rId7\"/>"
	    "<sheet name=\"Template\" sheetId=\"1\" r:id=\"rId1\"/>"
	    "</sheets></workbook>";
	static const char rels[] = "<Relationships xmlns=\"" PRNS "\">"
	                           "<Relationship Id=\"rId1\" Type=\"" RNS "/worksheet\""
	                           " Target=\"/xl/worksheets/sheet1.xml\"/>"
	                           "<Relationship Id=\"rId7\" Type=\"" RNS "/worksheet\""
	                           " Target=\"./worksheets/../worksheets/sheet2.xml\"/>"
	                           "<Relationship Id=\"rId3\" Type=\"" RNS "/worksheet\""
	                           " Target=\"worksheets/sheet3.xml\"/>"
	                           "<Relationship Id=\"rId9\" Type=\"" RNS "/hyperlink\""
	                           " Target=\"https://example.com/\" TargetMode=\"External\"/>"
	                           "</Relationships>";
	struct part parts[] = {
	    {"xl/workbook.xml", wb},
	    {"xl/_rels/workbook.xml.rels", rels},
	    {"xl/worksheets/sheet1.xml", SHEET("<row><c><v>1</v></c></row>")},
	    {"xl/worksheets/sheet2.xml", SHEET("<row><c><v>2</v></c></row>")},
	    {"xl/worksheets/sheet3.xml", SHEET("<row><c><v>3</v></c></row>")},
	};
	size_t len;
	char *data = zip_parts(parts, 5, &len);
	struct xlsx *x = NULL;
	struct kerr e = {0, ""};
	assert_int_equal(xlsx_open(data, len, "shop.xlsx", &x, &e), 0);
	assert_int_equal(xlsx_sheet_count(x), 3);
	assert_string_equal(xlsx_sheet_name(x, 0), "Guidance");
	assert_string_equal(xlsx_sheet_name(x, 1), "Hidden");
	assert_string_equal(xlsx_sheet_name(x, 2), "Template");
	assert_null(xlsx_sheet_name(x, 3));
	xlsx_free(&x);
	const char *want[] = {"3\r\n", "2\r\n", "1\r\n"};
	for (size_t i = 0; i < 3; i++) {
		struct xlsx_rows rows = {0};
		char *got = sheet_csv_at(data, len, i, &rows);
		assert_string_equal(got, want[i]);
		free(got);
		xlsx_rows_free(&rows);
	}
	free(data);
}

static void test_xlsx_finds_sheets_by_excels_names_without_relationships(void **state)
{
	static const char wb[] = "<workbook xmlns=\"" NS "\"><sheets><sheet name=\"A\"/>"
	                         "<sheet name=\"B\"/></sheets></workbook>";
	struct part parts[] = {
	    {"xl/workbook.xml", wb},
	    {"xl/worksheets/sheet1.xml", SHEET("<row><c><v>1</v></c></row>")},
	    {"xl/worksheets/sheet2.xml", SHEET("<row><c><v>2</v></c></row>")},
	};
	size_t len;
	char *data = zip_parts(parts, 3, &len);
	struct xlsx_rows rows = {0};
	char *got = sheet_csv_at(data, len, 1, &rows);
	assert_string_equal(got, "2\r\n");
	free(got);
	xlsx_rows_free(&rows);
	free(data);
}

static void test_xlsx_reads_a_workbook_without_shared_strings(void **state)
{
	expect_csv(SHEET("<row r=\"1\"><c r=\"A1\"><v>42</v></c><c r=\"B1\" t=\"inlineStr\"><is>"
	                 "<t>ok</t></is></c></row>"),
	           NULL, "42,ok\r\n");
}

static void test_xlsx_writes_an_empty_sheet_as_no_text(void **state)
{
	expect_csv("<worksheet xmlns=\"" NS "\"><sheetData/></worksheet>", NULL, "");
	expect_csv("<worksheet xmlns=\"" NS "\"/>", NULL, "");
}

static void test_xlsx_free_is_safe_on_null(void **state)
{
	struct xlsx *x = NULL;
	xlsx_free(&x);
	xlsx_free(NULL);
	assert_int_equal(xlsx_sheet_count(NULL), 0);
	assert_null(xlsx_sheet_name(NULL, 0));
}

static void test_xlsx_is_zip_reads_the_magic(void **state)
{
	assert_int_equal(xlsx_is_zip("PK\3\4rest", 8), 1);
	assert_int_equal(xlsx_is_zip("PK\3", 3), 0);
	assert_int_equal(xlsx_is_zip("sku,title\r\n", 11), 0);
	assert_int_equal(xlsx_is_zip(NULL, 0), 0);
}

/* --- refusals ------------------------------------------------------------------------- */

static void test_xlsx_refuses_data_that_is_not_a_zip(void **state)
{
	expect_open_error("sku,title\r\n", 11, K_EINVAL,
	                  "shop.xlsx: not an Excel workbook (.xlsx): not a zip archive");
	expect_open_error("", 0, K_EINVAL,
	                  "shop.xlsx: not an Excel workbook (.xlsx): not a zip archive");
	expect_open_error("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", 10, K_EINVAL,
	                  "shop.xlsx: an encrypted workbook or an old Excel (.xls) file: save it "
	                  "again as an Excel workbook (.xlsx) without a password");
}

static void test_xlsx_refuses_a_cut_short_archive(void **state)
{
	size_t len;
	char *data = workbook(SHEET(""), NULL, &len);
	struct xlsx *x = NULL;
	struct kerr e = {0, ""};
	assert_int_equal(xlsx_open(data, len / 2, "shop.xlsx", &x, &e), K_EINVAL);
	assert_null(x);
	assert_non_null(
	    strstr(e.msg, "shop.xlsx: not an Excel workbook (.xlsx), or a damaged one"));
	free(data);
}

static void test_xlsx_refuses_a_zip_without_a_workbook(void **state)
{
	struct part parts[] = {{"word/document.xml", "<document/>"}};
	size_t len;
	char *data = zip_parts(parts, 1, &len);
	expect_open_error(data, len, K_EINVAL,
	                  "shop.xlsx: not an Excel workbook (.xlsx): no xl/workbook.xml");
	free(data);
}

static void test_xlsx_refuses_a_workbook_without_sheets(void **state)
{
	struct part parts[] = {
	    {"xl/workbook.xml", "<workbook xmlns=\"" NS "\"><sheets/></workbook>"}};
	size_t len;
	char *data = zip_parts(parts, 1, &len);
	expect_open_error(data, len, K_EINVAL,
	                  "shop.xlsx: not an Excel workbook (.xlsx): it has no sheets");
	free(data);
}

static void test_xlsx_refuses_a_part_whose_bytes_fail_their_crc(void **state)
{
	static const char sheet[] = SHEET("<row><c><v>12345</v></c></row>");
	struct part parts[] = {
	    {"xl/workbook.xml", WORKBOOK},
	    {"xl/_rels/workbook.xml.rels", RELS},
	    {"xl/worksheets/sheet1.xml", sheet},
	};
	size_t len;
	char *data = zip_parts_how(parts, 3, 1, &len);
	char *at = memmem(data, len, "12345", 5);
	assert_non_null(at);
	at[0] = '9';
	struct xlsx *x = NULL;
	struct kerr e = {0, ""};
	assert_int_equal(xlsx_open(data, len, "shop.xlsx", &x, &e), 0);
	struct kbuf out = KBUF_INIT;
	assert_int_equal(xlsx_sheet_csv(x, 0, &out, NULL, &e), K_EINVAL);
	assert_string_equal(e.msg, "shop.xlsx: the archive is damaged (xl/worksheets/sheet1.xml: "
	                           "CRC error)");
	kbuf_free(&out);
	xlsx_free(&x);
	free(data);
}

static void test_xlsx_refuses_an_encrypted_part(void **state)
{
	zip_uint16_t method = zip_encryption_method_supported(ZIP_EM_AES_256, 1) ? ZIP_EM_AES_256
	                      : zip_encryption_method_supported(ZIP_EM_TRAD_PKWARE, 1)
	                          ? ZIP_EM_TRAD_PKWARE
	                          : ZIP_EM_NONE;
	if (method == ZIP_EM_NONE)
		skip(); /* this libzip cannot write an encrypted entry */
	zip_error_t zerr;
	zip_error_init(&zerr);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &zerr);
	zip_source_keep(src);
	zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &zerr);
	zip_int64_t idx = zip_file_add(za, "xl/workbook.xml",
	                               zip_source_buffer(za, WORKBOOK, strlen(WORKBOOK), 0), 0);
	assert_true(idx >= 0);
	assert_int_equal(zip_file_set_encryption(za, (zip_uint64_t)idx, method, "secret"), 0);
	assert_int_equal(zip_close(za), 0);
	zip_stat_t st;
	zip_stat_init(&st);
	assert_int_equal(zip_source_stat(src, &st), 0);
	char *data = malloc(st.size);
	assert_int_equal(zip_source_open(src), 0);
	assert_int_equal(zip_source_read(src, data, st.size), (zip_int64_t)st.size);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&zerr);
	expect_open_error(data, st.size, K_EINVAL,
	                  "shop.xlsx: the workbook is encrypted (xl/workbook.xml has a password): "
	                  "save it again without a password");
	free(data);
}

static void test_xlsx_refuses_a_shared_string_index_out_of_range(void **state)
{
	expect_sheet_error(SHEET("<row r=\"7\"><c r=\"C7\" t=\"s\"><v>3</v></c></row>"),
	                   SST("<si><t>a</t></si><si><t>b</t></si><si><t>c</t></si>"), K_EINVAL,
	                   "shop.xlsx: sheet 'Sheet1', cell C7: shared string 3 does not exist "
	                   "(the workbook has 3)");
	expect_sheet_error(SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"), NULL,
	                   K_EINVAL,
	                   "shop.xlsx: sheet 'Sheet1', cell A1: shared string 0 does not exist "
	                   "(the workbook has 0)");
	expect_sheet_error(
	    SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>-1</v></c></row>"), NULL, K_EINVAL,
	    "shop.xlsx: sheet 'Sheet1', cell A1: '-1' is not a shared string number");
}

static void test_xlsx_refuses_malformed_xml(void **state)
{
	expect_sheet_error(SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></row>"), NULL, K_EINVAL,
	                   "shop.xlsx: sheet 'Sheet1': damaged XML in xl/worksheets/sheet1.xml, "
	                   "line 1: Opening and ending tag mismatch: c line 1 and row");
	/* cut short: libxml2's words for it vary with its version */
	size_t len;
	char *data =
	    workbook("<worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\"><c><v>1", NULL, &len);
	struct xlsx *x = NULL;
	struct kerr e = {0, ""};
	struct kbuf out = KBUF_INIT;
	assert_int_equal(xlsx_open(data, len, "shop.xlsx", &x, &e), 0);
	assert_int_equal(xlsx_sheet_csv(x, 0, &out, NULL, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "shop.xlsx: sheet 'Sheet1': damaged XML in "
	                              "xl/worksheets/sheet1.xml, line 1: "));
	kbuf_free(&out);
	xlsx_free(&x);
	free(data);
	data = workbook(SHEET(""), "<sst><si><t>x</si></sst>", &len);
	assert_int_equal(xlsx_open(data, len, "shop.xlsx", &x, &e), K_EINVAL);
	assert_string_equal(e.msg, "shop.xlsx: damaged XML in xl/sharedStrings.xml, line 1: "
	                           "Opening and ending tag mismatch: t line 1 and si");
	free(data);
}

static void test_xlsx_reports_the_error_that_stopped_the_xml_not_an_earlier_one(void **state)
{
	/* an undeclared prefix is an error libxml2 reads past; the mismatch is what stops it */
	expect_sheet_error(SHEET("<row r=\"1\"><y:c r=\"A1\"><v>1</v></y:c></row>\n"
	                         "<row r=\"2\"><c r=\"A2\"><v>1</v></row>"),
	                   NULL, K_EINVAL,
	                   "shop.xlsx: sheet 'Sheet1': damaged XML in xl/worksheets/sheet1.xml, "
	                   "line 2: Opening and ending tag mismatch: c line 2 and row");
}

static void test_xlsx_refuses_a_dtd(void **state)
{
	/* no part has one; refusing it keeps entity declarations (billion laughs) out */
	expect_sheet_error("<!DOCTYPE worksheet [<!ENTITY a \"aaaaaaaaaa\">]>"
	                   "<worksheet xmlns=\"" NS "\"><sheetData><row><c t=\"inlineStr\"><is><t>"
	                   "&a;</t></is></c></row></sheetData></worksheet>",
	                   NULL, K_EINVAL,
	                   "shop.xlsx: sheet 'Sheet1': damaged XML in xl/worksheets/sheet1.xml: a "
	                   "DTD, which no workbook part has");
}

static void test_xlsx_refuses_a_value_beyond_the_column_limit(void **state)
{
	/* column 4097 (FAO) holds a value; an empty formatted cell out there is no matter */
	expect_csv(SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"XFD1\" s=\"1\"/></row>"),
	           NULL, "1\r\n");
	expect_sheet_error(
	    SHEET("<row r=\"7\"><c r=\"FAN7\"><v>1</v></c><c r=\"FAO7\"><v>1</v></c></row>"), NULL,
	    K_ETOOBIG, "shop.xlsx: sheet 'Sheet1', cell FAO7: more than 4096 columns");
}

static void test_xlsx_refuses_malformed_cell_references(void **state)
{
	static const char *const bad[] = {"XFE7", "AAAA7", "a7", "A0", "A", "7", "A7x", "A07", ""};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char sheet[512], msg[512];
		snprintf(sheet, sizeof sheet, SHEET("<row r=\"7\"><c r=\"%s\"><v>1</v></c></row>"),
		         bad[i]);
		snprintf(
		    msg, sizeof msg,
		    "shop.xlsx: sheet 'Sheet1', row 7: '%s' is not a cell reference (A1 to XFD7)",
		    bad[i]);
		expect_sheet_error(sheet, NULL, K_EINVAL, msg);
	}
	expect_sheet_error(SHEET("<row r=\"seven\"/>"), NULL, K_EINVAL,
	                   "shop.xlsx: sheet 'Sheet1', after row 0: 'seven' is not a row number");
}

static void test_xlsx_refuses_rows_out_of_order(void **state)
{
	expect_sheet_error(SHEET("<row r=\"7\"/><row r=\"5\"/>"), NULL, K_EINVAL,
	                   "shop.xlsx: sheet 'Sheet1', row 5: out of order (after row 7)");
}

static void test_xlsx_refuses_rows_beyond_the_limit(void **state)
{
	expect_sheet_error(SHEET("<row r=\"2000001\"><c><v>1</v></c></row>"), NULL, K_ETOOBIG,
	                   "shop.xlsx: sheet 'Sheet1', row 2000001: more than 2000000 rows");
}

static void test_xlsx_refuses_more_sheets_than_the_limit(void **state)
{
	struct kbuf wb = KBUF_INIT;
	kbuf_puts(&wb, "<workbook xmlns=\"" NS "\"><sheets>");
	for (int i = 0; i <= XLSX_MAX_SHEETS; i++)
		kbuf_printf(&wb, "<sheet name=\"S%d\"/>", i);
	kbuf_puts(&wb, "</sheets></workbook>");
	struct part parts[] = {{"xl/workbook.xml", wb.data}};
	size_t len;
	char *data = zip_parts(parts, 1, &len);
	expect_open_error(data, len, K_ETOOBIG, "shop.xlsx: more than 256 sheets");
	free(data);
	kbuf_free(&wb);
}

static void test_xlsx_refuses_a_sheet_the_archive_lacks(void **state)
{
	struct part parts[] = {{"xl/workbook.xml", WORKBOOK}, {"xl/_rels/workbook.xml.rels", RELS}};
	size_t len;
	char *data = zip_parts(parts, 2, &len);
	struct xlsx *x = NULL;
	struct kerr e = {0, ""};
	assert_int_equal(xlsx_open(data, len, "shop.xlsx", &x, &e), 0);
	struct kbuf out = KBUF_INIT;
	assert_int_equal(xlsx_sheet_csv(x, 0, &out, NULL, &e), K_EINVAL);
	assert_string_equal(
	    e.msg, "shop.xlsx: sheet 'Sheet1': the archive has no xl/worksheets/sheet1.xml");
	assert_int_equal(xlsx_sheet_csv(x, 1, &out, NULL, &e), K_EINVAL);
	assert_string_equal(e.msg, "shop.xlsx: no sheet 2 (the workbook has 1)");
	kbuf_free(&out);
	xlsx_free(&x);
	free(data);
}

/* --- the committed fixtures --------------------------------------------------------------- */

static void test_xlsx_reads_fixture_kontor_basic(void **state)
{
	size_t len;
	char *data = slurp("xlsx/kontor-basic.xlsx", &len);
	struct xlsx *x = NULL;
	struct kerr e = {0, ""};
	assert_int_equal(xlsx_open(data, len, "kontor-basic.xlsx", &x, &e), 0);
	assert_int_equal(xlsx_sheet_count(x), 1);
	assert_string_equal(xlsx_sheet_name(x, 0), "Products");
	xlsx_free(&x);
	struct xlsx_rows rows = {0};
	char *got = sheet_csv_at(data, len, 0, &rows);
	assert_string_equal(got, "sku,title,description,price,currency,stock\r\n"
	                         "TL-71,\"Iron table legs, black, 71 cm\","
	                         "\"Powder-coated steel.\nFits all tables.\",12.5,USD,40\r\n"
	                         "VN-01,Bàn gỗ sồi tự nhiên,\"Mặt bàn gỗ sồi, chân sắt\",199000,"
	                         "VND,12\r\n"
	                         "MUG-2,\"Ceramic mug, 350 ml\",,19.99,EUR,250\r\n");
	assert_int_equal(rows.n, 4);
	assert_int_equal(xlsx_row_of_line(&rows, 3), 2);
	assert_int_equal(xlsx_row_of_line(&rows, 4), 3);
	assert_int_equal(xlsx_row_of_line(&rows, 5), 4);
	free(got);
	xlsx_rows_free(&rows);
	free(data);
}

static void test_xlsx_reads_fixture_two_sheets(void **state)
{
	size_t len;
	char *data = slurp("xlsx/two-sheets.xlsx", &len);
	struct xlsx *x = NULL;
	struct kerr e = {0, ""};
	assert_int_equal(xlsx_open(data, len, "two-sheets.xlsx", &x, &e), 0);
	assert_int_equal(xlsx_sheet_count(x), 2);
	assert_string_equal(xlsx_sheet_name(x, 0), "Guidance");
	assert_string_equal(xlsx_sheet_name(x, 1), "Template");
	xlsx_free(&x);
	struct xlsx_rows rows = {0};
	char *got = sheet_csv_at(data, len, 0, &rows);
	assert_string_equal(got, "How to fill in this template\r\n\r\nOne product per row.\r\n"
	                         "Do not change the header row.\r\n");
	free(got);
	got = sheet_csv_at(data, len, 1, &rows);
	assert_string_equal(got, "sku,title,price,currency\r\n"
	                         "SH-1,Áo thun cotton,150000,VND\r\n"
	                         "SH-2,\"Tea towel, linen\",4.5,EUR\r\n");
	assert_int_equal(rows.n, 3);
	free(got);
	xlsx_rows_free(&rows);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_xlsx_reads_shared_strings_and_joins_rich_text_runs),
	    cmocka_unit_test(test_xlsx_leaves_phonetic_runs_out_of_the_value),
	    cmocka_unit_test(test_xlsx_reads_inline_strings_with_and_without_runs),
	    cmocka_unit_test(test_xlsx_writes_numbers_without_binary_noise),
	    cmocka_unit_test(test_xlsx_writes_small_noisy_numbers_without_an_exponent),
	    cmocka_unit_test(test_xlsx_keeps_numbers_without_noise_as_written),
	    cmocka_unit_test(test_xlsx_writes_booleans_as_true_and_false),
	    cmocka_unit_test(test_xlsx_writes_formula_results_and_errors_as_cached),
	    cmocka_unit_test(test_xlsx_leaves_gaps_between_cells_empty),
	    cmocka_unit_test(test_xlsx_places_cells_and_rows_without_r_after_the_previous),
	    cmocka_unit_test(test_xlsx_writes_rows_without_a_value_as_empty_lines),
	    cmocka_unit_test(test_xlsx_reads_a_sparse_row_far_down),
	    cmocka_unit_test(test_xlsx_quotes_line_breaks_and_maps_later_lines_to_their_rows),
	    cmocka_unit_test(test_xlsx_row_of_line_without_rows_is_the_line),
	    cmocka_unit_test(test_xlsx_keeps_vietnamese_text_exact),
	    cmocka_unit_test(test_xlsx_decodes_excel_escapes),
	    cmocka_unit_test(test_xlsx_matches_elements_by_local_name),
	    cmocka_unit_test(test_xlsx_quotes_a_first_row_that_looks_like_excels_sep_line),
	    cmocka_unit_test(test_xlsx_lists_sheets_in_workbook_order_through_relationships),
	    cmocka_unit_test(test_xlsx_finds_sheets_by_excels_names_without_relationships),
	    cmocka_unit_test(test_xlsx_reads_a_workbook_without_shared_strings),
	    cmocka_unit_test(test_xlsx_writes_an_empty_sheet_as_no_text),
	    cmocka_unit_test(test_xlsx_free_is_safe_on_null),
	    cmocka_unit_test(test_xlsx_is_zip_reads_the_magic),
	    cmocka_unit_test(test_xlsx_refuses_data_that_is_not_a_zip),
	    cmocka_unit_test(test_xlsx_refuses_a_cut_short_archive),
	    cmocka_unit_test(test_xlsx_refuses_a_zip_without_a_workbook),
	    cmocka_unit_test(test_xlsx_refuses_a_workbook_without_sheets),
	    cmocka_unit_test(test_xlsx_refuses_a_part_whose_bytes_fail_their_crc),
	    cmocka_unit_test(test_xlsx_refuses_an_encrypted_part),
	    cmocka_unit_test(test_xlsx_refuses_a_shared_string_index_out_of_range),
	    cmocka_unit_test(test_xlsx_refuses_malformed_xml),
	    cmocka_unit_test(test_xlsx_reports_the_error_that_stopped_the_xml_not_an_earlier_one),
	    cmocka_unit_test(test_xlsx_refuses_a_dtd),
	    cmocka_unit_test(test_xlsx_refuses_a_value_beyond_the_column_limit),
	    cmocka_unit_test(test_xlsx_refuses_malformed_cell_references),
	    cmocka_unit_test(test_xlsx_refuses_rows_out_of_order),
	    cmocka_unit_test(test_xlsx_refuses_rows_beyond_the_limit),
	    cmocka_unit_test(test_xlsx_refuses_more_sheets_than_the_limit),
	    cmocka_unit_test(test_xlsx_refuses_a_sheet_the_archive_lacks),
	    cmocka_unit_test(test_xlsx_reads_fixture_kontor_basic),
	    cmocka_unit_test(test_xlsx_reads_fixture_two_sheets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
