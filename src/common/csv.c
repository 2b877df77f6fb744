/* csv — one pass over CSV bytes already in memory (sellers' Shopify, WooCommerce, Etsy and
 * Excel exports) and the matching writer. Never trusts the input: every byte is checked. */
#include "kontor/csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct csv_reader {
	const char *data;
	size_t len;
	size_t pos;        /* next byte to read */
	long line;         /* physical line of data[pos] */
	size_t line_start; /* offset where that line starts, for columns */
	char delim;
	int sep_line; /* the input began with Excel's "sep=X" line */
	char *name;
	/* Field bytes of the current record, each NUL-terminated, and where each starts. Offsets
	 * rather than pointers while reading, because the kbuf may move as it grows. Both are
	 * reused for every record, so the steady state allocates nothing. */
	struct kbuf bytes;
	size_t *offs;
	char **fields;
	size_t cap;
	/* Where the current field opened: limit and quote errors are reported there. */
	size_t foff; /* in bytes */
	size_t fpos;
	long fline;
	size_t fline_start;
	/* Bytes that end a run of ordinary field bytes, outside and inside quotes. */
	unsigned char stop_plain[256];
	unsigned char stop_quoted[256];
};

static int csv_is_eol(char c)
{
	return c == '\r' || c == '\n';
}

/* CRLF, LF and a lone CR each end one physical line. */
static void csv_eat_line_end(struct csv_reader *r)
{
	if (r->data[r->pos] == '\r' && r->pos + 1 < r->len && r->data[r->pos + 1] == '\n')
		r->pos++;
	r->pos++;
	r->line++;
	r->line_start = r->pos;
}

/* Error recovery: drop the rest of the physical line at pos, ignoring quotes, because a
 * quote we cannot trust must not swallow the lines after it. */
static void csv_skip_line(struct csv_reader *r)
{
	while (r->pos < r->len && !csv_is_eol(r->data[r->pos]))
		r->pos++;
	if (r->pos < r->len)
		csv_eat_line_end(r);
}

static long csv_column(const struct csv_reader *r, size_t line_start, size_t at)
{
	long col = 1;
	for (size_t i = line_start; i < at && i < r->len; i++)
		if (((unsigned char)r->data[i] & 0xC0) != 0x80)
			col++;
	return col;
}

/* Fills e with "name: line L, column C: what", then resumes at the next line from r->pos
 * (callers put pos where reading should go on). */
static int csv_fail(struct csv_reader *r, struct kerr *e, int code, long line, size_t line_start,
                    size_t at, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static int csv_fail(struct csv_reader *r, struct kerr *e, int code, long line, size_t line_start,
                    size_t at, const char *fmt, ...)
{
	char what[KERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	kerr_set(e, code, "%s: line %ld, column %ld: %s", r->name, line,
	         csv_column(r, line_start, at), what);
	csv_skip_line(r);
	return code;
}

/* Bytes in the UTF-8 sequence a lead byte announces; 0 for a byte that cannot lead. */
static size_t csv_utf8_seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if ((c & 0xE0) == 0xC0)
		return 2;
	if ((c & 0xF0) == 0xE0)
		return 3;
	if ((c & 0xF8) == 0xF0)
		return 4;
	return 0;
}

/* Length of the valid UTF-8 prefix of s[0..n): the offset of the first bad byte. */
static size_t csv_utf8_good_prefix(const char *s, size_t n)
{
	if (utf8_valid(s, n))
		return n;
	size_t i = 0;
	while (i < n) {
		size_t len = csv_utf8_seq_len((unsigned char)s[i]);
		if (!len || len > n - i || !utf8_valid(s + i, len))
			return i;
		i += len;
	}
	return n;
}

/* Appends data[pos..pos+n) to the current field after checking its encoding and the field
 * limit; pos moves past it. */
static int csv_take(struct csv_reader *r, size_t n, struct kerr *e)
{
	const char *s = r->data + r->pos;
	size_t good = csv_utf8_good_prefix(s, n);
	if (good < n) {
		r->pos += good;
		return csv_fail(r, e, K_EINVAL, r->line, r->line_start, r->pos,
		                "invalid UTF-8 (save the file as UTF-8 CSV)");
	}
	if (r->bytes.len - r->foff + n > CSV_MAX_FIELD)
		return csv_fail(r, e, K_ETOOBIG, r->fline, r->fline_start, r->fpos,
		                "field longer than %u bytes", CSV_MAX_FIELD);
	kbuf_append(&r->bytes, s, n);
	r->pos += n;
	return 0;
}

static size_t csv_run(const struct csv_reader *r, const unsigned char *stop)
{
	size_t i = r->pos;
	while (i < r->len && !stop[(unsigned char)r->data[i]])
		i++;
	return i - r->pos;
}

static int csv_nul(struct csv_reader *r, struct kerr *e)
{
	return csv_fail(r, e, K_EINVAL, r->line, r->line_start, r->pos,
	                "NUL byte (is this a spreadsheet file rather than CSV text?)");
}

/* The byte after a field: the delimiter (another field follows; *end = 0), or a line end or
 * the end of input (the record ends; *end = 1). Returns 0 for anything else. */
static int csv_field_end(struct csv_reader *r, int *end)
{
	if (r->pos >= r->len) {
		*end = 1;
		return 1;
	}
	char c = r->data[r->pos];
	if (c == r->delim) {
		r->pos++;
		*end = 0;
		return 1;
	}
	if (csv_is_eol(c)) {
		csv_eat_line_end(r);
		*end = 1;
		return 1;
	}
	return 0;
}

static int csv_read_plain(struct csv_reader *r, int *end, struct kerr *e)
{
	int rc = csv_take(r, csv_run(r, r->stop_plain), e);
	if (rc < 0)
		return rc;
	if (csv_field_end(r, end))
		return 0;
	return csv_nul(r, e); /* the only other byte that stops a plain run */
}

/* How one byte after a closing quote reads in a message: printable ASCII as itself, a UTF-8
 * character whole, anything else as a byte value. */
static void csv_describe(const struct csv_reader *r, size_t at, char *out, size_t cap)
{
	unsigned char c = (unsigned char)r->data[at];
	if (c >= 0x20 && c < 0x7F) {
		snprintf(out, cap, "'%c'", c);
		return;
	}
	size_t n = c >= 0x80 ? csv_utf8_seq_len(c) : 0;
	if (n && n <= r->len - at && utf8_valid(r->data + at, n)) {
		snprintf(out, cap, "'%.*s'", (int)n, r->data + at);
		return;
	}
	snprintf(out, cap, "byte 0x%02X", c);
}

static int csv_read_quoted(struct csv_reader *r, int *end, struct kerr *e)
{
	r->pos++; /* the opening quote */
	for (;;) {
		int rc = csv_take(r, csv_run(r, r->stop_quoted), e);
		if (rc < 0)
			return rc;
		if (r->pos >= r->len)
			break;
		char c = r->data[r->pos];
		if (c == '"') {
			if (r->pos + 1 < r->len && r->data[r->pos + 1] == '"') {
				/* a doubled quote is one quote: take the first, skip the second */
				rc = csv_take(r, 1, e);
				if (rc < 0)
					return rc;
				r->pos++;
				continue;
			}
			r->pos++;
			if (csv_field_end(r, end))
				return 0;
			char what[16];
			csv_describe(r, r->pos, what, sizeof what);
			return csv_fail(r, e, K_EINVAL, r->line, r->line_start, r->pos,
			                "unexpected %s after closing quote", what);
		}
		if (c == '\0')
			return csv_nul(r, e);
		/* a line end inside quotes is field data, kept as written; lines go on counting */
		size_t n = c == '\r' && r->pos + 1 < r->len && r->data[r->pos + 1] == '\n' ? 2 : 1;
		rc = csv_take(r, n, e);
		if (rc < 0)
			return rc;
		r->line++;
		r->line_start = r->pos;
	}
	/* Unterminated: the quote was most likely meant as text, so go on from the line after it
	 * opened. That rescans at most once: every run of quotes after it has even length (or
	 * the field would have closed), and from a fresh line even runs cannot leave a quote
	 * open, so no second unterminated field can follow. */
	size_t at = r->fpos;
	long line = r->fline;
	size_t line_start = r->fline_start;
	r->pos = at;
	r->line = line;
	r->line_start = line_start;
	return csv_fail(
	    r, e, K_EINVAL, line, line_start, at,
	    "unterminated quoted field (it opens here and runs to the end of the file)");
}

/* Room for field n (0-based) in offs and fields; grows by doubling, never shrinks. */
static void csv_reserve_fields(struct csv_reader *r, size_t n)
{
	if (n < r->cap)
		return;
	size_t cap = r->cap ? r->cap * 2 : 16;
	if (cap > CSV_MAX_FIELDS)
		cap = CSV_MAX_FIELDS;
	r->offs = xrealloc(r->offs, cap * sizeof *r->offs);
	r->fields = xrealloc(r->fields, cap * sizeof *r->fields);
	r->cap = cap;
}

int csv_next(struct csv_reader *r, struct csv_record *rec, struct kerr *e)
{
	while (r->pos < r->len && csv_is_eol(r->data[r->pos]))
		csv_eat_line_end(r);
	if (r->pos >= r->len)
		return 0;
	long rec_line = r->line;
	size_t rec_offset = r->pos, n = 0;
	kbuf_reset(&r->bytes);
	for (int end = 0; !end;) {
		if (n == CSV_MAX_FIELDS)
			return csv_fail(r, e, K_ETOOBIG, r->line, r->line_start, r->pos,
			                "more than %d fields in the record that starts on line %ld",
			                CSV_MAX_FIELDS, rec_line);
		csv_reserve_fields(r, n);
		r->offs[n++] = r->foff = r->bytes.len;
		r->fpos = r->pos;
		r->fline = r->line;
		r->fline_start = r->line_start;
		int rc = r->pos < r->len && r->data[r->pos] == '"' ? csv_read_quoted(r, &end, e)
		                                                   : csv_read_plain(r, &end, e);
		if (rc < 0)
			return rc;
		kbuf_putc(&r->bytes, '\0');
	}
	for (size_t i = 0; i < n; i++)
		r->fields[i] = r->bytes.data + r->offs[i];
	rec->fields = r->fields;
	rec->nfields = n;
	rec->line = rec_line;
	rec->offset = rec_offset;
	return 1;
}

/* The first record decides: count the candidates outside quotes. A quote opens only at the
 * start of a field (after any candidate), so a literal 24" in a title does not hide the rest
 * of the line. */
static char csv_detect_delim(const char *s, size_t len, size_t pos)
{
	static const char cand[3] = {',', ';', '\t'};
	size_t count[3] = {0, 0, 0};
	int field_start = 1, quoted = 0;
	while (pos < len && csv_is_eol(s[pos]))
		pos++;
	for (; pos < len; pos++) {
		char c = s[pos];
		if (quoted) {
			if (c == '"') {
				if (pos + 1 < len && s[pos + 1] == '"')
					pos++;
				else
					quoted = 0;
			}
			continue;
		}
		if (csv_is_eol(c))
			break;
		if (c == '"' && field_start) {
			quoted = 1;
			field_start = 0;
			continue;
		}
		field_start = 0;
		for (int i = 0; i < 3; i++) {
			if (c == cand[i]) {
				count[i]++;
				field_start = 1;
			}
		}
	}
	if (count[1] > count[0] && count[1] > count[2])
		return ';';
	if (count[2] > count[0] && count[2] > count[1])
		return '\t';
	return ',';
}

/* Excel's "sep=;" line: the delimiter it names (0 when the line at pos is not one) and, in
 * *next, the offset of the line after it. */
static char csv_sep_line(const char *s, size_t len, size_t pos, size_t *next)
{
	if (len - pos < 5 || strncasecmp(s + pos, "sep=", 4) != 0)
		return 0;
	unsigned char d = (unsigned char)s[pos + 4];
	if ((d < 0x20 && d != '\t') || d >= 0x7F || d == '"')
		return 0;
	size_t at = pos + 5;
	if (at < len && !csv_is_eol(s[at]))
		return 0;
	if (at < len && s[at] == '\r' && at + 1 < len && s[at + 1] == '\n')
		at++;
	*next = at < len ? at + 1 : at;
	return (char)d;
}

struct csv_reader *csv_reader_new(const char *data, size_t len, char delim, const char *name)
{
	struct csv_reader *r = xcalloc(1, sizeof *r);
	r->data = data;
	r->len = data ? len : 0;
	r->line = 1;
	r->name = xstrdup(name ? name : "input");
	kbuf_init(&r->bytes);
	/* Excel and Shopify put a BOM in front; columns count from after it. */
	if (r->len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		r->pos = r->line_start = 3;
	unsigned char d = (unsigned char)delim;
	int given = !(d == 0 || d == '"' || d == '\r' || d == '\n' || d >= 0x80);
	size_t next;
	char sep = csv_sep_line(data, r->len, r->pos, &next);
	if (sep) { /* the line is a hint, not a record; lines go on counting from it */
		r->pos = r->line_start = next;
		r->line = 2;
		r->sep_line = 1;
	}
	if (!given)
		delim = sep ? sep : csv_detect_delim(data, r->len, r->pos);
	r->delim = delim;
	static const char stops[] = {'\r', '\n', '\0'};
	for (size_t i = 0; i < sizeof stops; i++) {
		r->stop_plain[(unsigned char)stops[i]] = 1;
		r->stop_quoted[(unsigned char)stops[i]] = 1;
	}
	r->stop_plain[(unsigned char)r->delim] = 1;
	r->stop_quoted['"'] = 1;
	return r;
}

void csv_reader_free(struct csv_reader **rp)
{
	struct csv_reader *r = *rp;
	if (!r)
		return;
	kbuf_free(&r->bytes);
	xfree(&r->offs);
	xfree(&r->fields);
	xfree(&r->name);
	xfree(rp);
}

char csv_reader_delim(const struct csv_reader *r)
{
	return r->delim;
}

int csv_reader_sep_line(const struct csv_reader *r)
{
	return r->sep_line;
}

static int csv_needs_quotes(const char *s, size_t n, char delim)
{
	if (n == 0)
		return 0;
	/* some importers trim unquoted fields; quoting keeps the spaces */
	if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
		return 1;
	/* at the start of a file this would be read as a BOM and dropped */
	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (s[i] == delim || s[i] == '"' || csv_is_eol(s[i]))
			return 1;
	return 0;
}

void csv_write_field(struct kbuf *out, const char *s, char delim)
{
	if (!s)
		s = "";
	if (!delim)
		delim = ',';
	size_t n = strlen(s);
	if (!csv_needs_quotes(s, n, delim)) {
		kbuf_append(out, s, n);
		return;
	}
	kbuf_reserve(out, n + 2);
	kbuf_putc(out, '"');
	const char *p = s, *endp = s + n, *q;
	while ((q = memchr(p, '"', (size_t)(endp - p))) != NULL) {
		kbuf_append(out, p, (size_t)(q - p) + 1);
		kbuf_putc(out, '"');
		p = q + 1;
	}
	kbuf_append(out, p, (size_t)(endp - p));
	kbuf_putc(out, '"');
}

void csv_write_record(struct kbuf *out, const char *const *fields, size_t n, char delim)
{
	if (n == 0)
		return;
	if (!delim)
		delim = ',';
	if (n == 1 && (!fields[0] || !fields[0][0])) {
		/* an empty line would be skipped as blank; "" keeps the record */
		kbuf_puts(out, "\"\"\r\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (i)
			kbuf_putc(out, delim);
		csv_write_field(out, fields[i], delim);
	}
	kbuf_puts(out, "\r\n");
}
