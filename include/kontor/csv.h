/* csv — an RFC 4180 reader for the spreadsheets sellers already keep: UTF-8 BOM, CRLF and
 * lone CR line ends, quoted fields with newlines and doubled quotes, ',' ';' or tab as the
 * delimiter (detected from the first line when not given). Invalid UTF-8 is an error, not
 * garbage. Every error names the line and column. Bounded: field and record sizes. */
#ifndef KONTOR_CSV_H
#define KONTOR_CSV_H

#include <stddef.h>

#include "kontor/buf.h"
#include "kontor/err.h"

#define CSV_MAX_FIELD (1u << 20) /* 1 MiB per field */
#define CSV_MAX_FIELDS 4096      /* fields per record */

struct csv_reader;

struct csv_record {
	char **fields; /* NUL-terminated UTF-8; owned by the reader, valid until next call */
	size_t nfields;
	long line;     /* 1-based physical line where the record starts */
	size_t offset; /* byte offset in data where it starts (a reader made at data + offset,
	                * with the same delim, reads it again) */
};

/* data must outlive the reader (not copied). delim 0 = detect (',' ';' or '\t'): counts them
 * outside quotes in the first record; the most frequent wins, ',' on a tie or when none occur.
 * A delim that cannot work ('"', CR, LF or a non-ASCII byte) is treated as 0.
 * Excel's hint line "sep=X" (any case, alone on the first line, after a BOM) is no record:
 * it is skipped, and X is the delimiter unless delim names one. Line numbers count it.
 * name is used in messages ("products.csv"); it is copied. Free with csv_reader_free. */
struct csv_reader *csv_reader_new(const char *data, size_t len, char delim, const char *name);
void csv_reader_free(struct csv_reader **r);
char csv_reader_delim(const struct csv_reader *r);
/* 1 when the input began with a "sep=X" line. */
int csv_reader_sep_line(const struct csv_reader *r);

/* 1 = a record in rec, 0 = end of input, negative = error in e ("products.csv: line 7,
 * column 12: unterminated quoted field"). After an error the reader skips to the start of
 * the next line, so a caller may report and go on. Blank lines are skipped.
 * Columns are 1-based characters (UTF-8 code points, not bytes) within the physical line,
 * counted after the BOM on line 1.
 * Choices where exports disagree with RFC 4180:
 * - a '"' inside an unquoted field is kept as a literal character (as Excel does: 24" screen);
 *   only a '"' at the very start of a field opens a quoted field, and spaces before it make
 *   the field unquoted;
 * - anything but the delimiter or a line end after a closing quote is an error (K_EINVAL);
 * - invalid UTF-8 or a NUL byte is an error (K_EINVAL); a field over CSV_MAX_FIELD bytes or a
 *   record over CSV_MAX_FIELDS fields is K_ETOOBIG;
 * - line ends inside quoted fields are kept as written (CRLF stays CRLF);
 * - an unterminated quoted field is reported at the line where it opens, and reading resumes
 *   on the line after that one (a stray quote does not swallow the rest of the file). */
int csv_next(struct csv_reader *r, struct csv_record *rec, struct kerr *e);

/* Writing: appends one field quoted when needed (delimiter, quote, CR, LF, leading/trailing
 * space or tab, or a leading U+FEFF that a reader would take for a BOM), and a record ending
 * in CRLF. A record of one empty field is written as "" so it does not read back as a blank
 * line; a record of no fields writes nothing. delim 0 means ','; a NULL field is empty. */
void csv_write_field(struct kbuf *out, const char *s, char delim);
void csv_write_record(struct kbuf *out, const char *const *fields, size_t n, char delim);

#endif
