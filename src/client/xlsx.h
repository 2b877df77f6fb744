/* xlsx — the sheets of an Office Open XML workbook (.xlsx as Excel, LibreOffice and the shops'
 * seller centres write it) read as CSV text, so the importer reads a workbook as it reads a
 * CSV export. libzip opens the archive; libxml2 reads the parts (its SAX2 callbacks for the
 * shared strings and the sheets, streamed as they inflate and never held whole; its reader
 * for the small ones), with no network, no DTD and no entities. Pure: bytes in, text out; no
 * files (so it can be fuzzed).
 * Bounded: the archive's parts (XLSX_MAX_PART each), sheets, columns (CSV_MAX_FIELDS) and
 * rows (IMPORT_MAX_ROWS). */
#ifndef KONTOR_CLIENT_XLSX_H
#define KONTOR_CLIENT_XLSX_H

#include <stddef.h>

#include "kontor/buf.h"
#include "kontor/err.h"

#define XLSX_MAX_PART (256u << 20) /* uncompressed bytes of one part (a sheet, the strings) */
#define XLSX_MAX_SHEETS 256

struct xlsx;

/* 1 when data starts as a zip archive does ("PK\3\4"): what an .xlsx is, whatever its name. */
int xlsx_is_zip(const char *data, size_t len);

/* 1 when data starts as an OLE2 compound file does (D0 CF 11 E0 A1 B1 1A E1): an old Excel
 * workbook (.xls), or an .xlsx saved with a password to open (Excel wraps it in one). Neither is
 * read: xlsx_open refuses it, saying how to save it again. */
int xlsx_is_ole(const char *data, size_t len);

/* Opens a workbook held in data (not copied: it must outlive x) and reads its sheet list
 * (xl/workbook.xml and its relationships) and shared strings. name is used in messages
 * ("shop.xlsx"). K_EINVAL for a zip that is no workbook ("shop.xlsx: not an Excel workbook
 * (.xlsx): no xl/workbook.xml"), a damaged archive or part, or one that is encrypted (Excel's
 * "password to open": "save it again without a password"); K_ETOOBIG past the limits. */
int xlsx_open(const char *data, size_t len, const char *name, struct xlsx **out, struct kerr *e);
void xlsx_free(struct xlsx **x);

/* The sheets in the workbook's order (the tabs as Excel shows them, hidden ones included). */
size_t xlsx_sheet_count(const struct xlsx *x);
const char *xlsx_sheet_name(const struct xlsx *x, size_t i);

/* Sheet i as CSV text into out (reset first): ',' between fields, CRLF after each record,
 * quoted as csv_write_record quotes. One record for each row from row 1 to the last row that
 * holds a value; a row with no value (missing, or only empty cells) is an empty line, so that
 * while no cell holds a line break the CSV's line N is the sheet's row N. Cells are placed by
 * their reference (r="C7"; a cell or row without one follows the one before it); a gap is
 * an empty field. Values: shared and inline strings (rich text runs joined, phonetic runs
 * left out, Excel's escapes such as _x000D_ decoded), formula results as cached, booleans as
 * TRUE/FALSE, numbers as written unless they carry binary noise (over 15 significant digits
 * with a fraction or an exponent: then as Excel shows them, to 15 significant digits, which
 * is the shortest form that reads back as the same double when there is one:
 * "19.989999999999998" is written "19.99", and "0.30000000000000004", what =0.1+0.2 holds,
 * "0.3"). Dates stay serial numbers (no column kontor reads is one).
 * Line ends inside a cell are kept ("\n"; CRLF and a lone CR become "\n"). A ';' or tab in a
 * cell is not quoted: read the text with ',' as the delimiter, not by detection.
 * rows gets, for every record written (a row that holds a value; the empty lines are no
 * records), the CSV line it starts on and its sheet row (xlsx_row_of_line reads it); may be
 * NULL. K_EINVAL for a damaged sheet (its XML, a cell reference, rows out of order, a shared
 * string that does not exist), K_ETOOBIG past CSV_MAX_FIELDS columns, CSV_MAX_FIELD bytes in
 * a cell, IMPORT_MAX_ROWS rows or IMPORT_MAX_BYTES of text; out and rows are then empty. */
struct xlsx_rows {
	long *line; /* line[k]: the CSV line where record k starts (ascending) */
	long *row;  /* row[k]: its sheet row */
	size_t n, cap;
};
int xlsx_sheet_csv(struct xlsx *x, size_t i, struct kbuf *out, struct xlsx_rows *rows,
                   struct kerr *e);

/* The sheet row of the record that starts on CSV line `line` (or, for a line inside a record,
 * of the record it belongs to; for an empty line, the empty row it stands for); line itself
 * when rows is empty or NULL. */
long xlsx_row_of_line(const struct xlsx_rows *rows, long line);
void xlsx_rows_free(struct xlsx_rows *rows);

#endif
