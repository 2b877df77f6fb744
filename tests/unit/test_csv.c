/* test_csv — the CSV reader against what real exports contain (BOM, CRLF, lone CR, quoted
 * newlines, ';' and tab, Excel's "sep=;" line), its error messages and recovery, record
 * offsets, and the writer's round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/csv.h"

static struct csv_reader *reader(const char *s, char delim)
{
	return csv_reader_new(s, strlen(s), delim, "products.csv");
}

/* Asserts the next record starts on line and holds exactly the n fields in want. */
static void expect_record_at(struct csv_reader *r, long line, const char *const *want, size_t n)
{
	struct csv_record rec;
	struct kerr e = {0, ""};
	int rc = csv_next(r, &rec, &e);
	if (rc != 1)
		fail_msg("expected a record on line %ld, got %d (%s)", line, rc, e.msg);
	assert_int_equal(rec.line, line);
	assert_int_equal(rec.nfields, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(rec.fields[i], want[i]);
}

#define EXPECT_RECORD(r, line, ...)                                                                \
	expect_record_at((r), (line), (const char *const[]){__VA_ARGS__},                          \
	                 sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

/* Asserts the next call fails with code and exactly the message msg. */
static void expect_error(struct csv_reader *r, int code, const char *msg)
{
	struct csv_record rec;
	struct kerr e = {0, ""};
	int rc = csv_next(r, &rec, &e);
	assert_int_equal(rc, code);
	assert_int_equal(e.code, code);
	assert_string_equal(e.msg, msg);
}

static void expect_end(struct csv_reader *r)
{
	struct csv_record rec;
	struct kerr e = {0, ""};
	assert_int_equal(csv_next(r, &rec, &e), 0);
	/* and stays at the end */
	assert_int_equal(csv_next(r, &rec, &e), 0);
}

static void test_csv_skips_utf8_bom(void **state)
{
	struct csv_reader *r = reader("\xEF\xBB\xBFHandle,Title\nshirt,Shirt\n", 0);
	EXPECT_RECORD(r, 1, "Handle", "Title");
	EXPECT_RECORD(r, 2, "shirt", "Shirt");
	expect_end(r);
	csv_reader_free(&r);
	assert_null(r);
}

static void test_csv_counts_columns_after_bom(void **state)
{
	struct csv_reader *r = reader("\xEF\xBB\xBF\"a\"x\n", 0);
	expect_error(r, K_EINVAL,
	             "products.csv: line 1, column 4: unexpected 'x' after closing quote");
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_reads_crlf_line_ends(void **state)
{
	struct csv_reader *r = reader("a,b\r\nc,d\r\n", 0);
	EXPECT_RECORD(r, 1, "a", "b");
	EXPECT_RECORD(r, 2, "c", "d");
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_reads_lone_cr_line_ends(void **state)
{
	struct csv_reader *r = reader("a,b\rc,d\re,f", 0);
	EXPECT_RECORD(r, 1, "a", "b");
	EXPECT_RECORD(r, 2, "c", "d");
	EXPECT_RECORD(r, 3, "e", "f");
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_counts_lines_inside_quoted_newlines(void **state)
{
	/* LF, CRLF and lone CR inside quotes: each is one line, and all are kept */
	struct csv_reader *r = reader("id,body\n"
	                              "1,\"first\nsecond\r\nthird\rfourth\"\n"
	                              "2,plain\n"
	                              "3,\"x\"y\n",
	                              0);
	EXPECT_RECORD(r, 1, "id", "body");
	EXPECT_RECORD(r, 2, "1", "first\nsecond\r\nthird\rfourth");
	EXPECT_RECORD(r, 6, "2", "plain");
	expect_error(r, K_EINVAL,
	             "products.csv: line 7, column 6: unexpected 'y' after closing quote");
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_unescapes_doubled_quotes(void **state)
{
	struct csv_reader *r = reader("\"say \"\"hi\"\"\",\"\"\"\",\"\"\n", 0);
	EXPECT_RECORD(r, 1, "say \"hi\"", "\"", "");
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_keeps_delimiter_inside_quotes(void **state)
{
	struct csv_reader *r = reader("\"Shirt, blue\",12.50\n", ',');
	EXPECT_RECORD(r, 1, "Shirt, blue", "12.50");
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_detects_semicolon_delimiter(void **state)
{
	/* European Excel: ';' with decimal commas */
	struct csv_reader *r = reader("sku;price;title\nA1;12,50;\"Hat; red\"\n", 0);
	assert_int_equal(csv_reader_delim(r), ';');
	EXPECT_RECORD(r, 1, "sku", "price", "title");
	EXPECT_RECORD(r, 2, "A1", "12,50", "Hat; red");
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_detects_tab_delimiter(void **state)
{
	struct csv_reader *r = reader("TITLE\tDESCRIPTION\tPRICE\nMug\tBig, blue\t9.00\n", 0);
	assert_int_equal(csv_reader_delim(r), '\t');
	EXPECT_RECORD(r, 1, "TITLE", "DESCRIPTION", "PRICE");
	EXPECT_RECORD(r, 2, "Mug", "Big, blue", "9.00");
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_detection_ignores_delimiters_inside_quotes(void **state)
{
	/* two commas inside quotes, one ';' outside: ';' wins */
	struct csv_reader *r = reader("\"a,b,c\";d\n", 0);
	assert_int_equal(csv_reader_delim(r), ';');
	csv_reader_free(&r);
	/* a literal 24" in a title does not open a quote that hides the rest of the line */
	r = reader("Monitor 24\";x;y\n", 0);
	assert_int_equal(csv_reader_delim(r), ';');
	csv_reader_free(&r);
}

static void test_csv_detection_picks_comma_on_tie_or_none(void **state)
{
	struct csv_reader *r = reader("a;b,c\n", 0);
	assert_int_equal(csv_reader_delim(r), ',');
	csv_reader_free(&r);
	r = reader("title\nx;y;z\n", 0); /* only the first record counts */
	assert_int_equal(csv_reader_delim(r), ',');
	csv_reader_free(&r);
	r = reader("", 0);
	assert_int_equal(csv_reader_delim(r), ',');
	csv_reader_free(&r);
}

static void test_csv_explicit_delimiter_is_not_second_guessed(void **state)
{
	struct csv_reader *r = reader("a;b;c,d\n", ',');
	assert_int_equal(csv_reader_delim(r), ',');
	EXPECT_RECORD(r, 1, "a;b;c", "d");
	csv_reader_free(&r);
}

static void test_csv_keeps_empty_fields(void **state)
{
	struct csv_reader *r = reader(",a,,b\n,\n", 0);
	EXPECT_RECORD(r, 1, "", "a", "", "b");
	EXPECT_RECORD(r, 2, "", "");
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_trailing_delimiter_gives_empty_last_field(void **state)
{
	struct csv_reader *r = reader("a,b,\r\nc,d,", 0);
	EXPECT_RECORD(r, 1, "a", "b", "");
	EXPECT_RECORD(r, 2, "c", "d", "");
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_reads_last_line_without_newline(void **state)
{
	struct csv_reader *r = reader("a,b\nc,\"d\"", 0);
	EXPECT_RECORD(r, 1, "a", "b");
	EXPECT_RECORD(r, 2, "c", "d");
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_skips_blank_lines_but_counts_them(void **state)
{
	struct csv_reader *r = reader("\n\r\na\n\n\r\rb\r\n\r\n", 0);
	EXPECT_RECORD(r, 3, "a");
	EXPECT_RECORD(r, 7, "b");
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_empty_and_bom_only_input_have_no_records(void **state)
{
	struct csv_reader *r = reader("", 0);
	expect_end(r);
	csv_reader_free(&r);
	r = reader("\xEF\xBB\xBF", 0);
	expect_end(r);
	csv_reader_free(&r);
	r = csv_reader_new(NULL, 0, ',', NULL);
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_treats_quote_inside_unquoted_field_literally(void **state)
{
	struct csv_reader *r = reader("Monitor 24\",5\" x 7\",  \"spaced\"\n", 0);
	EXPECT_RECORD(r, 1, "Monitor 24\"", "5\" x 7\"", "  \"spaced\"");
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_reports_invalid_utf8_with_line_and_column(void **state)
{
	/* "Café" in Windows-1252 on line 2; 'é' before it on the line counts as one column */
	struct csv_reader *r = reader("title,price\n\xC3\xA9t\xC3\xA9,Caf\xE9\n", 0);
	EXPECT_RECORD(r, 1, "title", "price");
	expect_error(r, K_EINVAL,
	             "products.csv: line 2, column 8: invalid UTF-8 (save the file as UTF-8 CSV)");
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_reports_invalid_utf8_inside_quoted_newlines(void **state)
{
	/* overlong encoding of '/', on the second line of a quoted field */
	struct csv_reader *r = reader("a,\"one\ntwo \xC0\xAF\"\n", 0);
	expect_error(r, K_EINVAL,
	             "products.csv: line 2, column 5: invalid UTF-8 (save the file as UTF-8 CSV)");
	csv_reader_free(&r);
}

static void test_csv_refuses_nul_byte(void **state)
{
	static const char data[] = "ok\nPK\0\x03\nnext\n";
	struct csv_reader *r = csv_reader_new(data, sizeof data - 1, 0, "products.csv");
	EXPECT_RECORD(r, 1, "ok");
	expect_error(r, K_EINVAL,
	             "products.csv: line 2, column 3: NUL byte (is this a spreadsheet file rather "
	             "than CSV text?)");
	EXPECT_RECORD(r, 3, "next");
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_reports_unterminated_quote_where_it_opens(void **state)
{
	struct csv_reader *r = reader("a,b\nc,\"open\nmore\nstill more", 0);
	EXPECT_RECORD(r, 1, "a", "b");
	expect_error(r, K_EINVAL,
	             "products.csv: line 2, column 3: unterminated quoted field (it opens here and "
	             "runs to the end of the file)");
	/* reading goes on with the line after the stray quote */
	EXPECT_RECORD(r, 3, "more");
	EXPECT_RECORD(r, 4, "still more");
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_reports_junk_after_closing_quote(void **state)
{
	struct csv_reader *r = reader("sku,title,price\n"
	                              "1,a,1\n2,b,2\n3,c,3\n4,d,4\n5,e,5\n"
	                              "6,\"Big \"\"ü\"\" hat\"x,7\n",
	                              0);
	for (int i = 0; i < 6; i++) {
		struct csv_record rec;
		assert_int_equal(csv_next(r, &rec, NULL), 1);
	}
	expect_error(r, K_EINVAL,
	             "products.csv: line 7, column 18: unexpected 'x' after closing quote");
	expect_end(r);
	csv_reader_free(&r);
	/* a space or a non-ASCII character is named too */
	r = reader("\"a\" ,b\n\"a\"é\n\"a\"\x01\n", 0);
	expect_error(r, K_EINVAL,
	             "products.csv: line 1, column 4: unexpected ' ' after closing quote");
	expect_error(r, K_EINVAL,
	             "products.csv: line 2, column 4: unexpected 'é' after closing quote");
	expect_error(r, K_EINVAL,
	             "products.csv: line 3, column 4: unexpected byte 0x01 after closing quote");
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_resumes_at_next_line_after_error(void **state)
{
	/* the error is inside a quoted field spanning lines 2-3: reading resumes on line 4,
	 * outside any quote, even though line 3 has a quote of its own */
	struct csv_reader *r = reader("a,b\n"
	                              "\"x\n"
	                              "y\"z,\"w\n"
	                              "c,d\n",
	                              0);
	EXPECT_RECORD(r, 1, "a", "b");
	expect_error(r, K_EINVAL,
	             "products.csv: line 3, column 3: unexpected 'z' after closing quote");
	EXPECT_RECORD(r, 4, "c", "d");
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_refuses_record_with_too_many_fields(void **state)
{
	struct kbuf b = KBUF_INIT;
	kbuf_puts(&b, "ok\n");
	for (int i = 0; i < CSV_MAX_FIELDS; i++)
		kbuf_puts(&b, "x,");
	kbuf_puts(&b, "x\n");
	for (int i = 0; i < CSV_MAX_FIELDS - 1; i++)
		kbuf_puts(&b, "y,");
	kbuf_puts(&b, "y\n");
	struct csv_reader *r = csv_reader_new(b.data, b.len, ',', "products.csv");
	EXPECT_RECORD(r, 1, "ok");
	char want[200];
	snprintf(want, sizeof want,
	         "products.csv: line 2, column %d: more than %d fields in the record that starts "
	         "on line 2",
	         2 * CSV_MAX_FIELDS + 1, CSV_MAX_FIELDS);
	expect_error(r, K_ETOOBIG, want);
	/* exactly at the limit is fine */
	struct csv_record rec;
	assert_int_equal(csv_next(r, &rec, NULL), 1);
	assert_int_equal(rec.line, 3);
	assert_int_equal(rec.nfields, CSV_MAX_FIELDS);
	assert_string_equal(rec.fields[CSV_MAX_FIELDS - 1], "y");
	expect_end(r);
	csv_reader_free(&r);
	kbuf_free(&b);
}

static void test_csv_refuses_field_over_max_size(void **state)
{
	struct kbuf b = KBUF_INIT;
	kbuf_puts(&b, "a,\"");
	for (unsigned i = 0; i < CSV_MAX_FIELD; i++)
		kbuf_puts(&b, "\"\""); /* doubled quotes: the field counts unescaped bytes */
	kbuf_puts(&b, "\"\nb,");
	char *big = malloc(CSV_MAX_FIELD + 1);
	assert_non_null(big);
	memset(big, 'z', CSV_MAX_FIELD + 1);
	kbuf_append(&b, big, CSV_MAX_FIELD + 1);
	kbuf_puts(&b, "\nc\n");
	free(big);
	struct csv_reader *r = csv_reader_new(b.data, b.len, ',', "products.csv");
	struct csv_record rec;
	assert_int_equal(csv_next(r, &rec, NULL), 1);
	assert_int_equal(strlen(rec.fields[1]), CSV_MAX_FIELD);
	char want[200];
	snprintf(want, sizeof want, "products.csv: line 2, column 3: field longer than %u bytes",
	         CSV_MAX_FIELD);
	expect_error(r, K_ETOOBIG, want);
	EXPECT_RECORD(r, 3, "c");
	expect_end(r);
	csv_reader_free(&r);
	kbuf_free(&b);
}

static void test_csv_reuses_field_storage_across_records(void **state)
{
	struct csv_reader *r = reader("a,b,c\nd,e,f\n", 0);
	struct csv_record one, two;
	assert_int_equal(csv_next(r, &one, NULL), 1);
	char **fields = one.fields;
	char *bytes = one.fields[0];
	assert_int_equal(csv_next(r, &two, NULL), 1);
	assert_ptr_equal(two.fields, fields);
	assert_ptr_equal(two.fields[0], bytes);
	assert_string_equal(two.fields[2], "f");
	csv_reader_free(&r);
}

static void test_csv_writer_quotes_only_when_needed(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"plain", "plain"},
	    {"", ""},
	    {"a,b", "\"a,b\""},
	    {"a;b", "a;b"},
	    {"say \"hi\"", "\"say \"\"hi\"\"\""},
	    {"two\nlines", "\"two\nlines\""},
	    {"cr\r", "\"cr\r\""},
	    {" lead", "\" lead\""},
	    {"trail ", "\"trail \""},
	    {"in side", "in side"},
	    {"\xEF\xBB\xBFx", "\"\xEF\xBB\xBFx\""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct kbuf b = KBUF_INIT;
		csv_write_field(&b, cases[i].in, ',');
		assert_string_equal(kbuf_str(&b), cases[i].out);
		kbuf_free(&b);
	}
	struct kbuf b = KBUF_INIT;
	csv_write_field(&b, "a;b", ';');
	assert_string_equal(kbuf_str(&b), "\"a;b\"");
	kbuf_free(&b);
}

static void test_csv_writer_joins_records_with_crlf(void **state)
{
	struct kbuf b = KBUF_INIT;
	const char *rec[] = {"a", "b c", "d,e", ""};
	csv_write_record(&b, rec, 4, ',');
	const char *lone[] = {""};
	csv_write_record(&b, lone, 1, ',');
	csv_write_record(&b, NULL, 0, ',');
	csv_write_record(&b, rec, 2, '\t');
	assert_string_equal(kbuf_str(&b), "a,b c,\"d,e\",\r\n\"\"\r\na\tb c\r\n");
	kbuf_free(&b);
}

static void test_csv_writer_round_trips_awkward_fields(void **state)
{
	static const char delims[] = {',', ';', '\t'};
	const char *rec1[] = {"", "  spaced  ", "q\"uote", "\"", "a,b;c\td", "multi\r\nline\rx\n"};
	const char *rec2[] = {""};
	/* U+FEFF then "bom" */
	const char *rec3[] = {"\xEF\xBB\xBF\x62om", "caf\xC3\xA9", ""};
	const char *const *recs[] = {rec1, rec2, rec3};
	const size_t lens[] = {6, 1, 3};
	for (size_t d = 0; d < sizeof delims; d++) {
		struct kbuf b = KBUF_INIT;
		/* rec3 first: its BOM-like field lands at the very start of the output */
		csv_write_record(&b, rec3, 3, delims[d]);
		for (size_t i = 0; i < 3; i++)
			csv_write_record(&b, recs[i], lens[i], delims[d]);
		struct csv_reader *r = csv_reader_new(b.data, b.len, delims[d], "rt.csv");
		struct csv_record rec;
		struct kerr e = {0, ""};
		for (size_t i = 0; i < 4; i++) {
			size_t k = i == 0 ? 2 : i - 1;
			int rc = csv_next(r, &rec, &e);
			if (rc != 1)
				fail_msg("record %zu: %d %s", i, rc, e.msg);
			assert_int_equal(rec.nfields, lens[k]);
			for (size_t f = 0; f < lens[k]; f++)
				assert_string_equal(rec.fields[f], recs[k][f]);
		}
		expect_end(r);
		csv_reader_free(&r);
		kbuf_free(&b);
	}
}

static void test_csv_excel_sep_line_sets_the_delimiter_and_is_no_record(void **state)
{
	(void)state;
	/* after a BOM, any case, CRLF: ';' although the header has more commas */
	struct csv_reader *r = reader("\xEF\xBB\xBFSEP=;\r\nsku;title, long\r\nA;B, c\r\n", 0);
	assert_int_equal(csv_reader_delim(r), ';');
	assert_int_equal(csv_reader_sep_line(r), 1);
	EXPECT_RECORD(r, 2, "sku", "title, long");
	EXPECT_RECORD(r, 3, "A", "B, c");
	expect_end(r);
	csv_reader_free(&r);
	/* a delimiter given wins, and the line is still skipped */
	r = reader("sep=|\na,b|c\n", ',');
	assert_int_equal(csv_reader_delim(r), ',');
	EXPECT_RECORD(r, 2, "a", "b|c");
	csv_reader_free(&r);
	/* only a line that is just sep=X is the hint: "sep=;x" and a second-line one are data */
	r = reader("sep=;x\n", 0);
	assert_int_equal(csv_reader_sep_line(r), 0);
	EXPECT_RECORD(r, 1, "sep=", "x");
	csv_reader_free(&r);
	r = reader("a,b\nsep=;\n", 0);
	EXPECT_RECORD(r, 1, "a", "b");
	EXPECT_RECORD(r, 2, "sep=;");
	csv_reader_free(&r);
	/* the whole input being the hint leaves no record */
	r = reader("sep=\t", 0);
	assert_int_equal(csv_reader_delim(r), '\t');
	expect_end(r);
	csv_reader_free(&r);
}

static void test_csv_record_offset_reads_the_record_again(void **state)
{
	(void)state;
	const char *s = "\xEF\xBB\xBF"
	                "a,b\n\n\"x\ny\",z\nlast,1\n";
	struct csv_reader *r = reader(s, 0);
	struct csv_record rec;
	struct kerr e;
	assert_int_equal(csv_next(r, &rec, &e), 1);
	assert_int_equal(rec.offset, 3);
	assert_int_equal(csv_next(r, &rec, &e), 1);
	size_t off = rec.offset;
	assert_int_equal(csv_next(r, &rec, &e), 1);
	assert_string_equal(rec.fields[0], "last");
	struct csv_reader *again = csv_reader_new(s + off, strlen(s) - off, ',', "again");
	EXPECT_RECORD(again, 1, "x\ny", "z");
	csv_reader_free(&again);
	csv_reader_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_skips_utf8_bom),
	    cmocka_unit_test(test_csv_counts_columns_after_bom),
	    cmocka_unit_test(test_csv_reads_crlf_line_ends),
	    cmocka_unit_test(test_csv_reads_lone_cr_line_ends),
	    cmocka_unit_test(test_csv_counts_lines_inside_quoted_newlines),
	    cmocka_unit_test(test_csv_unescapes_doubled_quotes),
	    cmocka_unit_test(test_csv_keeps_delimiter_inside_quotes),
	    cmocka_unit_test(test_csv_detects_semicolon_delimiter),
	    cmocka_unit_test(test_csv_detects_tab_delimiter),
	    cmocka_unit_test(test_csv_detection_ignores_delimiters_inside_quotes),
	    cmocka_unit_test(test_csv_detection_picks_comma_on_tie_or_none),
	    cmocka_unit_test(test_csv_explicit_delimiter_is_not_second_guessed),
	    cmocka_unit_test(test_csv_keeps_empty_fields),
	    cmocka_unit_test(test_csv_trailing_delimiter_gives_empty_last_field),
	    cmocka_unit_test(test_csv_reads_last_line_without_newline),
	    cmocka_unit_test(test_csv_skips_blank_lines_but_counts_them),
	    cmocka_unit_test(test_csv_empty_and_bom_only_input_have_no_records),
	    cmocka_unit_test(test_csv_treats_quote_inside_unquoted_field_literally),
	    cmocka_unit_test(test_csv_reports_invalid_utf8_with_line_and_column),
	    cmocka_unit_test(test_csv_reports_invalid_utf8_inside_quoted_newlines),
	    cmocka_unit_test(test_csv_refuses_nul_byte),
	    cmocka_unit_test(test_csv_reports_unterminated_quote_where_it_opens),
	    cmocka_unit_test(test_csv_reports_junk_after_closing_quote),
	    cmocka_unit_test(test_csv_resumes_at_next_line_after_error),
	    cmocka_unit_test(test_csv_refuses_record_with_too_many_fields),
	    cmocka_unit_test(test_csv_refuses_field_over_max_size),
	    cmocka_unit_test(test_csv_reuses_field_storage_across_records),
	    cmocka_unit_test(test_csv_writer_quotes_only_when_needed),
	    cmocka_unit_test(test_csv_writer_joins_records_with_crlf),
	    cmocka_unit_test(test_csv_writer_round_trips_awkward_fields),
	    cmocka_unit_test(test_csv_excel_sep_line_sets_the_delimiter_and_is_no_record),
	    cmocka_unit_test(test_csv_record_offset_reads_the_record_again),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
