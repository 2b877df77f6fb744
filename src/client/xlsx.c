/* xlsx — a workbook's sheets as CSV text. The archive and every part in it come from a
 * stranger's file: sizes are checked before anything is read, the XML goes through libxml2
 * (its streaming reader for the small parts, its SAX2 callbacks for the sheets) never
 * fetching, never expanding entities and refusing a DTD, and every cell reference and shared
 * string index is checked before it is used. */
#include "xlsx.h"

#include <libxml/parserInternals.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlversion.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include "import.h"
#include "kontor/csv.h"

/* No network, no libxml2 messages on stderr (ours are better), small text nodes packed.
 * Never XML_PARSE_NOENT, XML_PARSE_DTDLOAD or XML_PARSE_HUGE: a part must not make the
 * parser fetch, expand or grow without bound. */
#define XLSX_XML_OPTIONS                                                                           \
	(XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_COMPACT)
#define XLSX_MAX_COLUMN 16384L /* XFD, Excel's last column */

/* libxml2 2.12 made the error const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *xlsx_xml_error_t;
#else
typedef xmlErrorPtr xlsx_xml_error_t;
#endif

struct xlsx_sheet {
	char *name;
	char *part; /* its path in the archive */
};

struct xlsx {
	zip_t *zip;
	char *name; /* the file's, for messages */
	struct xlsx_sheet *sheets;
	size_t nsheets;
	/* The shared strings, decoded and each NUL-terminated, one after another. */
	struct kbuf strings;
	size_t *string_at;
	size_t nstrings, string_cap;
};

/* --- the archive ------------------------------------------------------------------- */

int xlsx_is_zip(const char *data, size_t len)
{
	return data && len >= 4 && memcmp(data, "PK\3\4", 4) == 0;
}

int xlsx_is_ole(const char *data, size_t len)
{
	return data && len >= 8 && memcmp(data, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0;
}

/* Hands part path to sink piece by piece, as it inflates, until sink returns non-zero (it
 * has seen enough) or the part ends. K_ENOTFOUND, with e untouched, when the archive has no
 * such part: some parts are optional. */
static int xlsx_each_piece(struct xlsx *x, const char *path,
                           int (*sink)(void *ctx, const char *p, size_t n), void *ctx,
                           struct kerr *e)
{
	zip_int64_t idx = zip_name_locate(x->zip, path, ZIP_FL_NOCASE);
	if (idx < 0)
		return K_ENOTFOUND;
	zip_stat_t st;
	zip_stat_init(&st);
	if (zip_stat_index(x->zip, (zip_uint64_t)idx, 0, &st) != 0)
		return kerr_set(e, K_EINVAL, "%s: the archive is damaged (%s: %s)", x->name, path,
		                zip_strerror(x->zip));
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
		return kerr_set(e, K_EINVAL,
		                "%s: the workbook is encrypted (%s has a password): save it again "
		                "without a password",
		                x->name, path);
	if (!(st.valid & ZIP_STAT_SIZE))
		return kerr_set(e, K_EINVAL, "%s: the archive is damaged (%s has no size)", x->name,
		                path);
	if (st.size > XLSX_MAX_PART)
		return kerr_set(e, K_ETOOBIG, "%s: %s is larger than %u MiB uncompressed", x->name,
		                path, XLSX_MAX_PART >> 20);
	zip_file_t *f = zip_fopen_index(x->zip, (zip_uint64_t)idx, 0);
	if (!f)
		return kerr_set(e, K_EINVAL, "%s: the archive is damaged (%s: %s)", x->name, path,
		                zip_strerror(x->zip));
	/* Read in pieces and stop at the size the header gave: a header that lies about the
	 * size (a zip bomb) costs at most one piece more than the limit. */
	char piece[65536];
	zip_uint64_t got = 0;
	int rc = K_OK, enough = 0;
	while (!enough) {
		zip_int64_t n = zip_fread(f, piece, sizeof piece);
		if (n < 0) {
			rc = kerr_set(e, K_EINVAL, "%s: the archive is damaged (%s: %s)", x->name,
			              path, zip_file_strerror(f));
			break;
		}
		if (n == 0)
			break;
		if ((zip_uint64_t)n > st.size - got) {
			rc = kerr_set(e, K_EINVAL,
			              "%s: the archive is damaged (%s holds more than its size)",
			              x->name, path);
			break;
		}
		got += (zip_uint64_t)n;
		enough = sink(ctx, piece, (size_t)n);
	}
	zip_fclose(f);
	if (rc == K_OK && !enough && got != st.size)
		rc = kerr_set(e, K_EINVAL, "%s: the archive is damaged (%s is cut short)", x->name,
		              path);
	return rc;
}

static int xlsx_append_piece(void *ctx, const char *p, size_t n)
{
	kbuf_append(ctx, p, n);
	return 0;
}

/* Part path whole into out (reset first); K_ENOTFOUND as xlsx_each_piece. */
static int xlsx_read_part(struct xlsx *x, const char *path, struct kbuf *out, struct kerr *e)
{
	kbuf_reset(out);
	return xlsx_each_piece(x, path, xlsx_append_piece, out, e);
}

/* --- XML ------------------------------------------------------------------------------- */

struct xlsx_xml {
	xmlTextReaderPtr r;
	const char *part;
	char why[200]; /* libxml2's first complaint, or ours */
	int line;
	int fatal; /* why is the error that stopped the reader */
};

/* Keeps the first fatal error: a warning or an error libxml2 reads past (an undeclared
 * prefix) is not what damaged the part. */
static void xlsx_xml_error(void *arg, xlsx_xml_error_t err)
{
	struct xlsx_xml *xr = arg;
	if (!err || !err->message || err->level < XML_ERR_ERROR || xr->fatal)
		return;
	if (xr->why[0] && err->level != XML_ERR_FATAL)
		return;
	xr->fatal = err->level == XML_ERR_FATAL;
	snprintf(xr->why, sizeof xr->why, "%s", err->message);
	size_t n = strlen(xr->why);
	while (n && (xr->why[n - 1] == '\n' || xr->why[n - 1] == ' '))
		xr->why[--n] = 0;
	xr->line = err->line;
}

/* 0, or -1 when libxml2 will not even start (an empty part). b must outlive the reader. */
static int xlsx_xml_open(struct xlsx_xml *xr, const struct kbuf *b, const char *part)
{
	memset(xr, 0, sizeof *xr);
	xr->part = part;
	if (b->len == 0 || b->len > XLSX_MAX_PART) {
		snprintf(xr->why, sizeof xr->why, "the part is empty");
		return -1;
	}
	xr->r = xmlReaderForMemory(b->data, (int)b->len, NULL, NULL, XLSX_XML_OPTIONS);
	if (!xr->r) {
		snprintf(xr->why, sizeof xr->why, "libxml2 cannot read it");
		return -1;
	}
	xmlTextReaderSetStructuredErrorHandler(xr->r, xlsx_xml_error, xr);
	return 0;
}

static void xlsx_xml_close(struct xlsx_xml *xr)
{
	if (xr->r)
		xmlFreeTextReader(xr->r);
	xr->r = NULL;
}

/* 1 = on the next node, 0 = the end of the part, -1 = damaged (why says how). No part of a
 * workbook has a DTD, and refusing one keeps entity declarations out altogether. */
static int xlsx_xml_next(struct xlsx_xml *xr)
{
	int rc = xmlTextReaderRead(xr->r);
	if (rc == 1 && xmlTextReaderNodeType(xr->r) == XML_READER_TYPE_DOCUMENT_TYPE) {
		snprintf(xr->why, sizeof xr->why, "a DTD, which no workbook part has");
		xr->line = 0;
		xr->fatal = 1;
		return -1;
	}
	if (rc < 0 && !xr->why[0])
		snprintf(xr->why, sizeof xr->why, "not well-formed");
	return rc < 0 ? -1 : rc;
}

static int xlsx_xml_fail(const struct xlsx *x, const struct xlsx_xml *xr, const char *sheet,
                         struct kerr *e)
{
	char where[300] = "";
	if (sheet)
		snprintf(where, sizeof where, "sheet '%s': ", sheet);
	if (xr->line > 0)
		return kerr_set(e, K_EINVAL, "%s: %sdamaged XML in %s, line %d: %s", x->name, where,
		                xr->part, xr->line, xr->why);
	return kerr_set(e, K_EINVAL, "%s: %sdamaged XML in %s: %s", x->name, where, xr->part,
	                xr->why);
}

static int xlsx_xml_is(xmlTextReaderPtr r, int type, const char *local)
{
	if (xmlTextReaderNodeType(r) != type)
		return 0;
	const xmlChar *n = xmlTextReaderConstLocalName(r);
	return n && strcmp((const char *)n, local) == 0;
}

/* The current element's attribute with local name `local` into out (reset first); 1 when
 * there is one. in_ns: whether it must carry a namespace (r:id) or must not (r, t, name):
 * matching the local name lets a file use any prefix. Namespace declarations (xmlns:r) look
 * like attributes to the reader and are passed over. */
static int xlsx_xml_attr(xmlTextReaderPtr r, const char *local, int in_ns, struct kbuf *out)
{
	int found = 0;
	kbuf_reset(out);
	kbuf_puts(out, "");
	if (xmlTextReaderMoveToFirstAttribute(r) != 1)
		return 0;
	do {
		if (xmlTextReaderIsNamespaceDecl(r) == 1)
			continue;
		const xmlChar *n = xmlTextReaderConstLocalName(r);
		int has_ns = xmlTextReaderConstNamespaceUri(r) != NULL;
		if (n && strcmp((const char *)n, local) == 0 && has_ns == in_ns) {
			const xmlChar *v = xmlTextReaderConstValue(r);
			kbuf_puts(out, v ? (const char *)v : "");
			found = 1;
			break;
		}
	} while (xmlTextReaderMoveToNextAttribute(r) == 1);
	xmlTextReaderMoveToElement(r);
	return found;
}

/* --- values ------------------------------------------------------------------------------ */

static int xlsx_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Excel writes a character XML cannot hold as _xHHHH_ (_x000D_ for CR) and a literal "_x"
 * as _x005F_x. NUL and lone surrogates stay as written: no text may hold them. */
static size_t xlsx_unescape_at(const char *s, size_t n, struct kbuf *out)
{
	if (n < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_')
		return 0;
	uint32_t cp = 0;
	for (int i = 2; i < 6; i++) {
		int h = xlsx_hex(s[i]);
		if (h < 0)
			return 0;
		cp = cp << 4 | (uint32_t)h;
	}
	if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	char u[4];
	kbuf_append(out, u, utf8_encode(cp, u));
	return 7;
}

/* A cell's line ends are "\n" whatever wrote them (CRLF, or a lone CR), so each is one CSV
 * line and the line numbers of the records after it can be counted. Works in place. */
static size_t xlsx_unix_line_ends(char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			s[w++] = '\n';
			if (i + 1 < n && s[i + 1] == '\n')
				i++;
		} else {
			s[w++] = s[i];
		}
	}
	return w;
}

/* Appends s[0..n) to out as a value: escapes decoded when unescape, line ends made "\n". */
static void xlsx_put_value(const char *s, size_t n, int unescape, struct kbuf *out)
{
	size_t start = out->len;
	kbuf_reserve(out, n);
	for (size_t i = 0; i < n;) {
		size_t used = unescape && s[i] == '_' ? xlsx_unescape_at(s + i, n - i, out) : 0;
		if (used) {
			i += used;
			continue;
		}
		const char *u = unescape ? memchr(s + i + 1, '_', n - i - 1) : NULL;
		size_t run = u ? (size_t)(u - (s + i)) : n - i;
		kbuf_append(out, s + i, run);
		i += run;
	}
	out->len = start + xlsx_unix_line_ends(out->data + start, out->len - start);
	out->data[out->len] = 0;
}

/* Numbers are read and written in the C locale whatever the user's: a decimal comma must
 * never change a price. Made once; uselocale() is per thread. */
static locale_t xlsx_c_locale(void)
{
	static _Atomic(locale_t) made;
	locale_t l = atomic_load(&made);
	if (l)
		return l;
	l = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (!l)
		return LC_GLOBAL_LOCALE;
	locale_t none = (locale_t)0;
	if (!atomic_compare_exchange_strong(&made, &none, l)) {
		freelocale(l);
		l = none;
	}
	return l;
}

/* Whether s[0..n) is a plain decimal number ([-+]digits[.digits][e[-+]digits]), and its
 * significant digits (from the first non-zero one to the end of the mantissa), whether it
 * has a fraction and whether an exponent. */
static int xlsx_number_shape(const char *s, size_t n, int *sig, int *frac, int *expo)
{
	size_t i = 0;
	int digits = 0, seen_nonzero = 0;
	*sig = *frac = *expo = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	for (; i < n && ((s[i] >= '0' && s[i] <= '9') || (s[i] == '.' && !*frac)); i++) {
		if (s[i] == '.') {
			*frac = 1;
			continue;
		}
		digits++;
		seen_nonzero |= s[i] != '0';
		*sig += seen_nonzero;
	}
	if (!digits)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		*expo = 1;
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t from = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == from)
			return 0;
	}
	return i == n;
}

/* The digits of d with sig significant ones, in plain notation ("0.000012", never
 * "1.2e-05"): a price column that was typed without an exponent is read back without one. */
static void xlsx_plain_digits(double d, int sig, char *out, size_t size)
{
	char e[64], digits[32];
	snprintf(e, sizeof e, "%.*e", sig - 1, d);
	const char *p = e;
	size_t nd = 0, w = 0;
	if (*p == '-')
		out[w++] = *p++;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9' && nd < sizeof digits)
			digits[nd++] = *p;
	int ex = *p == 'e' ? atoi(p + 1) : 0;
	/* out: the integer part, then the fraction with its trailing zeros dropped */
	if (ex < 0) {
		w += (size_t)snprintf(out + w, size - w, "0.");
		for (int z = -1; z > ex && w + 1 < size; z--)
			out[w++] = '0';
		for (size_t k = 0; k < nd && w + 1 < size; k++)
			out[w++] = digits[k];
	} else {
		for (int k = 0; k <= ex && w + 1 < size; k++)
			out[w++] = (size_t)k < nd ? digits[k] : '0';
		if ((size_t)ex + 1 < nd && w + 1 < size) {
			out[w++] = '.';
			for (size_t k = (size_t)ex + 1; k < nd && w + 1 < size; k++)
				out[w++] = digits[k];
		}
	}
	out[w] = 0;
	if (strchr(out, '.')) {
		while (w && out[w - 1] == '0')
			out[--w] = 0;
		if (w && out[w - 1] == '.')
			out[--w] = 0;
	}
}

/* Excel holds a double and writes it with up to 17 significant digits, so the 19.99 a seller
 * typed can arrive as 19.989999999999998, and the 0.3 that =0.1+0.2 shows as
 * 0.30000000000000004. Excel keeps and shows 15 digits, so nobody typed or saw more: the
 * number rounded to 15 significant digits, trailing zeros dropped, is what the seller sees.
 * When some shorter form reads back as the same double, that is this one (any decimal of 15
 * digits or fewer survives a round trip through a double). Integers and numbers of 15 digits
 * or fewer are left exactly as written (a barcode stays a barcode). */
static void xlsx_put_number(const char *s, size_t n, struct kbuf *out)
{
	int sig, frac, expo;
	if (!xlsx_number_shape(s, n, &sig, &frac, &expo) || sig <= 15 || (!frac && !expo)) {
		kbuf_append(out, s, n);
		return;
	}
	char text[400], buf[400];
	snprintf(text, sizeof text, "%.*s", (int)n, s);
	locale_t old = uselocale(xlsx_c_locale());
	double d = strtod(text, NULL);
	snprintf(buf, sizeof buf, "%.15g", d);
	if (!expo && strchr(buf, 'e'))
		xlsx_plain_digits(d, 15, buf, sizeof buf);
	uselocale(old);
	kbuf_puts(out, isfinite(d) ? buf : text);
}

/* --- the workbook ------------------------------------------------------------------------ */

struct xlsx_rel {
	char *id, *type, *target;
};

struct xlsx_rels {
	struct xlsx_rel *v;
	size_t n, cap;
};

static void xlsx_rels_clear(struct xlsx_rels *rels)
{
	for (size_t i = 0; i < rels->n; i++) {
		free(rels->v[i].id);
		free(rels->v[i].type);
		free(rels->v[i].target);
	}
	free(rels->v);
	memset(rels, 0, sizeof *rels);
}

/* The part a relationship of xl/workbook.xml names: Target is relative to xl/ unless it
 * starts with '/' (from the package root); "." and ".." are resolved. NULL when it climbs
 * out of the package or names nothing. */
static char *xlsx_part_path(const char *target)
{
	struct kbuf full = KBUF_INIT, out = KBUF_INIT;
	if (target[0] == '/')
		kbuf_puts(&full, target + 1);
	else
		kbuf_printf(&full, "xl/%s", target);
	const char *p = kbuf_str(&full);
	int ok = 1;
	while (*p && ok) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *last = out.len ? memrchr(out.data, '/', out.len) : NULL;
			ok = out.len > 0;
			out.len = last ? (size_t)(last - out.data) : 0;
		} else if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (out.len)
				kbuf_putc(&out, '/');
			kbuf_append(&out, p, n);
		}
		p += n + (slash != NULL);
	}
	kbuf_free(&full);
	if (!ok || out.len == 0) {
		kbuf_free(&out);
		return NULL;
	}
	out.data[out.len] = 0;
	return kbuf_detach(&out, NULL);
}

/* xl/_rels/workbook.xml.rels: which part each r:id of the sheet list names. */
static int xlsx_parse_rels(struct xlsx *x, const struct kbuf *b, const char *part,
                           struct xlsx_rels *rels, struct kerr *e)
{
	struct xlsx_xml xr;
	struct kbuf id = KBUF_INIT, type = KBUF_INIT, target = KBUF_INIT, mode = KBUF_INIT;
	int rc = xlsx_xml_open(&xr, b, part);
	while (rc == 0 && (rc = xlsx_xml_next(&xr)) == 1) {
		rc = 0;
		if (!xlsx_xml_is(xr.r, XML_READER_TYPE_ELEMENT, "Relationship"))
			continue;
		if (!xlsx_xml_attr(xr.r, "Id", 0, &id) ||
		    !xlsx_xml_attr(xr.r, "Target", 0, &target))
			continue;
		if (xlsx_xml_attr(xr.r, "TargetMode", 0, &mode) &&
		    strcmp(mode.data, "External") == 0)
			continue; /* outside the package: no part of ours */
		xlsx_xml_attr(xr.r, "Type", 0, &type);
		if (rels->n == rels->cap) {
			rels->cap = rels->cap ? rels->cap * 2 : 16;
			rels->v = xrealloc(rels->v, rels->cap * sizeof *rels->v);
		}
		rels->v[rels->n++] =
		    (struct xlsx_rel){xstrdup(id.data), xstrdup(type.data), xstrdup(target.data)};
	}
	if (rc < 0)
		rc = xlsx_xml_fail(x, &xr, NULL, e);
	xlsx_xml_close(&xr);
	kbuf_free(&id);
	kbuf_free(&type);
	kbuf_free(&target);
	kbuf_free(&mode);
	return rc;
}

static void xlsx_add_sheet(struct xlsx *x, const char *name, const char *rid)
{
	x->sheets = xrealloc(x->sheets, (x->nsheets + 1) * sizeof *x->sheets);
	/* the part is found later from the relationships; the id waits in its place */
	x->sheets[x->nsheets++] = (struct xlsx_sheet){xstrdup(name), xstrdup(rid)};
}

/* xl/workbook.xml: the sheets in their order (<sheets><sheet name=".." r:id=".."/>). */
static int xlsx_parse_workbook(struct xlsx *x, const struct kbuf *b, struct kerr *e)
{
	struct xlsx_xml xr;
	struct kbuf name = KBUF_INIT, rid = KBUF_INIT;
	int in_sheets = 0;
	int rc = xlsx_xml_open(&xr, b, "xl/workbook.xml");
	while (rc == 0 && (rc = xlsx_xml_next(&xr)) == 1) {
		rc = 0;
		if (xlsx_xml_is(xr.r, XML_READER_TYPE_ELEMENT, "sheets")) {
			in_sheets = !xmlTextReaderIsEmptyElement(xr.r);
		} else if (xlsx_xml_is(xr.r, XML_READER_TYPE_END_ELEMENT, "sheets")) {
			in_sheets = 0;
		} else if (in_sheets && xlsx_xml_is(xr.r, XML_READER_TYPE_ELEMENT, "sheet")) {
			if (x->nsheets == XLSX_MAX_SHEETS) {
				rc = kerr_set(e, K_ETOOBIG, "%s: more than %d sheets", x->name,
				              XLSX_MAX_SHEETS);
				break;
			}
			if (!xlsx_xml_attr(xr.r, "name", 0, &name))
				kbuf_printf(&name, "Sheet%zu", x->nsheets + 1);
			xlsx_xml_attr(xr.r, "id", 1, &rid);
			xlsx_add_sheet(x, name.data, rid.data);
		}
	}
	if (rc < 0 && rc != K_ETOOBIG)
		rc = xlsx_xml_fail(x, &xr, NULL, e);
	xlsx_xml_close(&xr);
	kbuf_free(&name);
	kbuf_free(&rid);
	if (rc == 0 && x->nsheets == 0)
		rc = kerr_set(e, K_EINVAL, "%s: not an Excel workbook (.xlsx): it has no sheets",
		              x->name);
	return rc;
}

/* Each sheet's part from its r:id; without relationships, Excel's own naming. */
static void xlsx_place_sheets(struct xlsx *x, const struct xlsx_rels *rels, int have_rels)
{
	for (size_t i = 0; i < x->nsheets; i++) {
		char *rid = x->sheets[i].part, *part = NULL;
		for (size_t k = 0; have_rels && k < rels->n && !part; k++)
			if (strcmp(rels->v[k].id, rid) == 0)
				part = xlsx_part_path(rels->v[k].target);
		if (!part && !have_rels) {
			struct kbuf p = KBUF_INIT;
			kbuf_printf(&p, "xl/worksheets/sheet%zu.xml", i + 1);
			part = kbuf_detach(&p, NULL);
		}
		/* an id the relationships do not know: the sheet has no part, said when read */
		x->sheets[i].part = part;
		free(rid);
	}
}

static char *xlsx_strings_path(const struct xlsx_rels *rels)
{
	static const char suffix[] = "/sharedStrings";
	for (size_t k = 0; k < rels->n; k++) {
		size_t n = strlen(rels->v[k].type), sn = sizeof suffix - 1;
		if (n >= sn && strcmp(rels->v[k].type + n - sn, suffix) == 0)
			return xlsx_part_path(rels->v[k].target);
	}
	return xstrdup("xl/sharedStrings.xml");
}

/* --- SAX2: the big parts (the shared strings, the sheets), streamed -------------------- */

/* libxml2's reader builds and frees a node for each of a big part's millions; its SAX2
 * callbacks do not, and the part streams from the archive without being held whole. A
 * callbacks' context starts with this. */
struct xlsx_sax {
	xmlParserCtxtPtr ctxt;
	struct xlsx_xml xr;
	int rc; /* the first of the callbacks' own refusals (a value, a limit): it stops the parser
	         */
};

/* One of the callbacks' refusals: kept, and the parser stopped. */
static void xlsx_sax_stop(struct xlsx_sax *p, int rc)
{
	if (rc && !p->rc) {
		p->rc = rc;
		xmlStopParser(p->ctxt);
	}
}

/* No workbook part has a DTD, and refusing one keeps entity declarations out altogether. */
static void xlsx_sax_dtd(void *ctx, const xmlChar *name, const xmlChar *external_id,
                         const xmlChar *system_id)
{
	struct xlsx_sax *p = ctx;
	if (p->xr.fatal)
		return;
	snprintf(p->xr.why, sizeof p->xr.why, "a DTD, which no workbook part has");
	p->xr.line = 0;
	p->xr.fatal = 1;
	xmlStopParser(p->ctxt);
}

static void xlsx_sax_error(void *ctx, xlsx_xml_error_t err)
{
	struct xlsx_sax *p = ctx;
	xlsx_xml_error(&p->xr, err);
}

/* Feeds the parser a piece of the part as it inflates; 1 once the parser has stopped. */
static int xlsx_sax_piece(void *ctx, const char *piece, size_t n)
{
	struct xlsx_sax *p = ctx;
	return xmlParseChunk(p->ctxt, piece, (int)n, 0) != 0 || p->rc || p->xr.fatal;
}

/* Streams part through the callbacks start, end and text (any text: character data, white
 * space, CDATA), the context given to them starting with p: K_ENOTFOUND (e untouched) when
 * the archive has no such part, the archive's error, p->rc (the callbacks' refusal, in e),
 * or the XML's damage named in e (in sheet, when not NULL). No callback for entities: a
 * reference to one that is not XML's own is an error. */
static int xlsx_sax_part(struct xlsx *x, const char *part, startElementNsSAX2Func start,
                         endElementNsSAX2Func end, charactersSAXFunc text, struct xlsx_sax *p,
                         const char *sheet, struct kerr *e)
{
	memset(&p->xr, 0, sizeof p->xr);
	p->xr.part = part;
	p->rc = 0;
	xmlSAXHandler sax = {
	    .initialized = XML_SAX2_MAGIC,
	    .startElementNs = start,
	    .endElementNs = end,
	    .characters = text,
	    .ignorableWhitespace = text,
	    .cdataBlock = text,
	    .internalSubset = xlsx_sax_dtd,
	    .serror = (xmlStructuredErrorFunc)xlsx_sax_error,
	};
	p->ctxt = xmlCreatePushParserCtxt(&sax, p, NULL, 0, part);
	if (!p->ctxt) {
		snprintf(p->xr.why, sizeof p->xr.why, "libxml2 cannot read it");
		return xlsx_xml_fail(x, &p->xr, sheet, e);
	}
	xmlCtxtUseOptions(p->ctxt, XLSX_XML_OPTIONS);
	int rc = xlsx_each_piece(x, part, xlsx_sax_piece, p, e);
	if (rc == K_OK && !p->rc && !p->xr.fatal)
		xmlParseChunk(p->ctxt, NULL, 0, 1); /* the end: what is still open is an error */
	int well_formed = p->ctxt->wellFormed;
	if (p->ctxt->myDoc)
		xmlFreeDoc(p->ctxt->myDoc);
	xmlFreeParserCtxt(p->ctxt);
	p->ctxt = NULL;
	if (rc) /* the archive's */
		return rc;
	if (p->rc)
		return p->rc;
	if (!well_formed || p->xr.fatal) {
		if (!p->xr.why[0])
			snprintf(p->xr.why, sizeof p->xr.why, "not well-formed");
		return xlsx_xml_fail(x, &p->xr, sheet, e);
	}
	return K_OK;
}

/* --- the shared strings ------------------------------------------------------------------ */

static void xlsx_add_string(struct xlsx *x, const struct kbuf *raw)
{
	if (x->nstrings == x->string_cap) {
		x->string_cap = x->string_cap ? x->string_cap * 2 : 256;
		x->string_at = xrealloc(x->string_at, x->string_cap * sizeof *x->string_at);
	}
	x->string_at[x->nstrings++] = x->strings.len;
	xlsx_put_value(raw->data ? raw->data : "", raw->len, 1, &x->strings);
	kbuf_putc(&x->strings, 0);
}

/* The shared strings (<sst><si>...</si>...), the values of the cells of type "s": each
 * <si>'s <t>, or its runs' <t>s joined. Phonetic runs (<rPh>: how a Japanese name is read)
 * are not part of the value. */
struct xlsx_strings {
	struct xlsx_sax p; /* first: the callbacks' context is this */
	struct xlsx *x;
	struct kbuf raw;
	int in_si, in_t, depth, skip; /* skip: the depth of the <rPh> passed over, 0 when none */
};

static void xlsx_sst_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                           const xmlChar *uri, int nb_ns, const xmlChar **ns, int nb_attrs,
                           int nb_defaulted, const xmlChar **attrs)
{
	struct xlsx_strings *t = ctx;
	const char *n = (const char *)localname;
	t->depth++;
	if (t->skip)
		return;
	if (strcmp(n, "si") == 0) {
		t->in_si = 1;
		kbuf_reset(&t->raw);
	} else if (t->in_si && strcmp(n, "rPh") == 0) {
		t->skip = t->depth;
	} else if (t->in_si && strcmp(n, "t") == 0) {
		t->in_t = 1;
	}
}

static void xlsx_sst_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                         const xmlChar *uri)
{
	struct xlsx_strings *t = ctx;
	const char *n = (const char *)localname;
	int depth = t->depth--;
	if (t->skip) {
		if (depth == t->skip)
			t->skip = 0;
	} else if (strcmp(n, "si") == 0 && t->in_si) {
		t->in_si = t->in_t = 0;
		xlsx_add_string(t->x, &t->raw);
	} else if (strcmp(n, "t") == 0) {
		t->in_t = 0;
	}
}

static void xlsx_sst_text(void *ctx, const xmlChar *ch, int len)
{
	struct xlsx_strings *t = ctx;
	if (t->in_si && t->in_t && !t->skip)
		kbuf_append(&t->raw, (const char *)ch, (size_t)len);
}

/* K_ENOTFOUND (e untouched) when the workbook has no shared strings. */
static int xlsx_parse_strings(struct xlsx *x, const char *part, struct kerr *e)
{
	struct xlsx_strings t = {.x = x};
	int rc = xlsx_sax_part(x, part, xlsx_sst_start, xlsx_sst_end, xlsx_sst_text, &t.p, NULL, e);
	kbuf_free(&t.raw);
	return rc;
}

/* Reads the sheet list, the relationships and the shared strings into x. */
static int xlsx_load(struct xlsx *x, struct kerr *e)
{
	struct kbuf b = KBUF_INIT;
	struct xlsx_rels rels = {0};
	char *strings = NULL;
	int rc = xlsx_read_part(x, "xl/workbook.xml", &b, e);
	if (rc == K_ENOTFOUND)
		rc = kerr_set(e, K_EINVAL, "%s: not an Excel workbook (.xlsx): no xl/workbook.xml",
		              x->name);
	if (rc == 0)
		rc = xlsx_parse_workbook(x, &b, e);
	int have_rels = 0;
	if (rc == 0) {
		rc = xlsx_read_part(x, "xl/_rels/workbook.xml.rels", &b, e);
		have_rels = rc == 0;
		if (rc == 0)
			rc = xlsx_parse_rels(x, &b, "xl/_rels/workbook.xml.rels", &rels, e);
		else if (rc == K_ENOTFOUND)
			rc = 0;
	}
	if (rc == 0) {
		xlsx_place_sheets(x, &rels, have_rels);
		strings = xlsx_strings_path(&rels);
		rc = strings ? xlsx_parse_strings(x, strings, e) : K_ENOTFOUND;
		if (rc == K_ENOTFOUND)
			rc = 0; /* a workbook of numbers alone has no shared strings */
	}
	free(strings);
	xlsx_rels_clear(&rels);
	kbuf_free(&b);
	return rc;
}

int xlsx_open(const char *data, size_t len, const char *name, struct xlsx **out, struct kerr *e)
{
	*out = NULL;
	if (!name)
		name = "workbook";
	if (!xlsx_is_zip(data, len)) {
		/* Excel's "password to open" wraps the workbook in an OLE file, as old .xls is */
		if (xlsx_is_ole(data, len))
			return kerr_set(
			    e, K_EINVAL,
			    "%s: an encrypted workbook or an old Excel (.xls) file: "
			    "save it again as an Excel workbook (.xlsx) without a password",
			    name);
		return kerr_set(e, K_EINVAL, "%s: not an Excel workbook (.xlsx): not a zip archive",
		                name);
	}
	zip_error_t zerr;
	zip_error_init(&zerr);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &zerr);
	zip_t *zip = src ? zip_open_from_source(src, ZIP_RDONLY, &zerr) : NULL;
	if (!zip) {
		int rc =
		    kerr_set(e, K_EINVAL, "%s: not an Excel workbook (.xlsx), or a damaged one: %s",
		             name, zip_error_strerror(&zerr));
		if (src)
			zip_source_free(src);
		zip_error_fini(&zerr);
		return rc;
	}
	zip_error_fini(&zerr);
	struct xlsx *x = xcalloc(1, sizeof *x);
	x->zip = zip;
	x->name = xstrdup(name);
	int rc = xlsx_load(x, e);
	if (rc) {
		xlsx_free(&x);
		return rc;
	}
	*out = x;
	return K_OK;
}

void xlsx_free(struct xlsx **xp)
{
	if (!xp || !*xp)
		return;
	struct xlsx *x = *xp;
	if (x->zip)
		zip_discard(x->zip);
	for (size_t i = 0; i < x->nsheets; i++) {
		free(x->sheets[i].name);
		free(x->sheets[i].part);
	}
	free(x->sheets);
	kbuf_free(&x->strings);
	free(x->string_at);
	free(x->name);
	free(x);
	*xp = NULL;
}

size_t xlsx_sheet_count(const struct xlsx *x)
{
	return x ? x->nsheets : 0;
}

const char *xlsx_sheet_name(const struct xlsx *x, size_t i)
{
	return x && i < x->nsheets ? x->sheets[i].name : NULL;
}

/* --- a sheet -------------------------------------------------------------------------- */

struct xlsx_read {
	struct xlsx_sax p; /* first: the callbacks' context is this */
	struct xlsx *x;
	const char *sheet;
	struct kbuf *out;
	struct xlsx_rows *rows;
	struct kbuf attr;  /* an attribute's value */
	struct kbuf text;  /* the current cell's <v> or <is> text as written */
	struct kbuf value; /* the current cell's value */
	/* The current row's values, each NUL-terminated in rowtext; cell_at[c] is 1 + where
	 * column c+1's value starts, 0 when the column is empty. */
	struct kbuf rowtext;
	size_t *cell_at;
	const char **fields;
	long ncols;       /* 1 + the last column the row has touched */
	long row;         /* the current row, 0 before the first */
	long col;         /* the current cell's column, 0 before the row's first */
	const char *type; /* its t: "s", "str", "b", "e", "n", "is" ("?" for an unknown one) */
	int has_v, has_is;
	int in_data, in_row, in_cell;
	long written; /* the last row written */
	long line;    /* the CSV line the next record starts on */
	/* where in a cell's text the callbacks are */
	struct kerr *e;
	int has_r, has_t;  /* the element's r= (in attr) and t= (in tattr) */
	struct kbuf tattr; /* a cell's t= */
	int in_v, in_is, in_t;
	int depth, skip; /* skip: the depth of the <rPh> being passed over, 0 when none */
};

/* "C7" for column 3, row 7. */
static void xlsx_cell_name(long col, long row, char *out, size_t size)
{
	char letters[16];
	int n = 0;
	for (; col > 0 && n < (int)sizeof letters; col = (col - 1) / 26)
		letters[n++] = (char)('A' + (col - 1) % 26);
	size_t w = 0;
	while (n > 0 && w + 1 < size)
		out[w++] = letters[--n];
	snprintf(out + w, size - w, "%ld", row);
}

static int xlsx_read_fail(struct xlsx_read *s, struct kerr *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "shop.xlsx: sheet 'Template', " and what fmt says ("cell C7: ..."). */
static int xlsx_read_fail(struct xlsx_read *s, struct kerr *e, int code, const char *fmt, ...)
{
	char what[KERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return kerr_set(e, code, "%s: sheet '%s', %s", s->x->name, s->sheet, what);
}

static int xlsx_cell_fail(struct xlsx_read *s, struct kerr *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The same for the current cell: "shop.xlsx: sheet 'Template', cell C7: " and fmt. */
static int xlsx_cell_fail(struct xlsx_read *s, struct kerr *e, int code, const char *fmt, ...)
{
	char what[KERR_MSG_MAX], ref[24];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	xlsx_cell_name(s->col, s->row, ref, sizeof ref);
	return xlsx_read_fail(s, e, code, "cell %s: %s", ref, what);
}

/* The column of a cell reference ("C7" is 3), or 0 when it is none: one to three capital
 * letters up to XFD, then a row number. The row number is checked, not used: the <row>
 * around the cell says which row it is in. */
static long xlsx_ref_column(const char *ref)
{
	long col = 0;
	int n = 0;
	for (; ref[n] >= 'A' && ref[n] <= 'Z'; n++)
		col = col * 26 + (ref[n] - 'A' + 1);
	if (n == 0 || n > 3 || col > XLSX_MAX_COLUMN)
		return 0;
	const char *d = ref + n;
	return d[0] >= '1' && d[0] <= '9' && kdigits(d, strlen(d)) > 0 ? col : 0;
}

static void xlsx_rows_add(struct xlsx_rows *rows, long line, long row)
{
	if (!rows)
		return;
	if (rows->n == rows->cap) {
		size_t cap = rows->cap ? rows->cap * 2 : 64;
		rows->line = xrealloc(rows->line, cap * sizeof *rows->line);
		rows->row = xrealloc(rows->row, cap * sizeof *rows->row);
		rows->cap = cap;
	}
	rows->line[rows->n] = line;
	rows->row[rows->n] = row;
	rows->n++;
}

/* Excel's "sep=;" hint line, which a CSV reader takes for no record at all. */
static int xlsx_looks_like_sep_line(const char *s)
{
	return strlen(s) == 5 && strncasecmp(s, "sep=", 4) == 0;
}

/* The current row as a record, after an empty line for each row without a value since the
 * last one written, so that line N is row N until a cell holds a line break. */
static int xlsx_write_row(struct xlsx_read *s, struct kerr *e)
{
	while (s->ncols > 0 && !s->cell_at[s->ncols - 1])
		s->ncols--;
	if (s->ncols == 0)
		return 0;
	for (long gap = s->row - s->written - 1; gap > 0; gap--) {
		kbuf_puts(s->out, "\r\n");
		s->line++;
	}
	long breaks = 0;
	for (long c = 0; c < s->ncols; c++) {
		s->fields[c] = s->cell_at[c] ? s->rowtext.data + s->cell_at[c] - 1 : NULL;
		for (const char *p = s->fields[c]; p && (p = strchr(p, '\n')) != NULL; p++)
			breaks++;
	}
	xlsx_rows_add(s->rows, s->line, s->row);
	if (s->out->len == 0 && s->ncols == 1 && xlsx_looks_like_sep_line(s->fields[0]))
		kbuf_printf(s->out, "\"%s\"\r\n", s->fields[0]); /* quoted, it is a value */
	else
		csv_write_record(s->out, s->fields, (size_t)s->ncols, ',');
	s->line += 1 + breaks;
	s->written = s->row;
	if (s->out->len > IMPORT_MAX_BYTES)
		return xlsx_read_fail(s, e, K_ETOOBIG, "row %ld: more than %u MiB of text", s->row,
		                      IMPORT_MAX_BYTES >> 20);
	return 0;
}

static int xlsx_row_start(struct xlsx_read *s, struct kerr *e)
{
	long r = s->row + 1;
	if (s->has_r) {
		int64_t v = kdigits(s->attr.data, s->attr.len);
		if (v <= 0)
			return xlsx_read_fail(s, e, K_EINVAL,
			                      "after row %ld: '%.20s' is not a row number", s->row,
			                      s->attr.data);
		if (v <= s->row)
			return xlsx_read_fail(s, e, K_EINVAL,
			                      "row %lld: out of order (after row %ld)",
			                      (long long)v, s->row);
		if (v > IMPORT_MAX_ROWS)
			return xlsx_read_fail(s, e, K_ETOOBIG, "row %lld: more than %ld rows",
			                      (long long)v, IMPORT_MAX_ROWS);
		r = (long)v;
	}
	if (r > IMPORT_MAX_ROWS)
		return xlsx_read_fail(s, e, K_ETOOBIG, "row %ld: more than %ld rows", r,
		                      IMPORT_MAX_ROWS);
	s->row = r;
	s->col = 0;
	for (long c = 0; c < s->ncols; c++)
		s->cell_at[c] = 0;
	s->ncols = 0;
	kbuf_reset(&s->rowtext);
	s->in_row = 1;
	return 0;
}

static int xlsx_row_end(struct xlsx_read *s, struct kerr *e)
{
	s->in_row = 0;
	return xlsx_write_row(s, e);
}

static int xlsx_cell_start(struct xlsx_read *s, struct kerr *e)
{
	long col = s->col + 1;
	if (s->has_r) {
		col = xlsx_ref_column(s->attr.data);
		if (col == 0)
			return xlsx_read_fail(
			    s, e, K_EINVAL,
			    "row %ld: '%.20s' is not a cell reference (A1 to XFD%ld)", s->row,
			    s->attr.data, s->row);
	} else if (col > XLSX_MAX_COLUMN) {
		return xlsx_read_fail(s, e, K_EINVAL, "row %ld: a cell after column XFD, the last",
		                      s->row);
	}
	s->col = col;
	s->type = "n";
	if (s->has_t) {
		static const char *const known[] = {"s", "str", "b", "e", "n"};
		s->type = strcmp(s->tattr.data, "inlineStr") == 0 ? "is" : "?";
		for (size_t k = 0; k < sizeof known / sizeof *known; k++)
			if (strcmp(s->tattr.data, known[k]) == 0)
				s->type = known[k];
	}
	kbuf_reset(&s->text);
	s->has_v = s->has_is = 0;
	s->in_cell = 1;
	return 0;
}

/* The cell's value into s->value, by its type. */
static int xlsx_cell_value(struct xlsx_read *s, struct kerr *e)
{
	const char *t = s->type, *v = kbuf_str(&s->text);
	struct kbuf *out = &s->value;
	kbuf_reset(out);
	kbuf_puts(out, "");
	if (strcmp(t, "is") == 0 || (s->has_is && !s->has_v)) {
		xlsx_put_value(v, s->text.len, 1, out);
	} else if (!s->has_v) {
		/* no value: a formatted empty cell, or a formula never calculated */
	} else if (strcmp(t, "s") == 0) {
		int64_t k = kdigits(v, s->text.len);
		if (k < 0)
			return xlsx_cell_fail(s, e, K_EINVAL,
			                      "'%.20s' is not a shared string number", v);
		if ((uint64_t)k >= s->x->nstrings)
			return xlsx_cell_fail(
			    s, e, K_EINVAL,
			    "shared string %lld does not exist (the workbook has %zu)",
			    (long long)k, s->x->nstrings);
		kbuf_puts(out, s->x->strings.data + s->x->string_at[k]);
	} else if (strcmp(t, "b") == 0 && (strcmp(v, "0") == 0 || strcmp(v, "1") == 0)) {
		kbuf_puts(out, v[0] == '1' ? "TRUE" : "FALSE");
	} else if (strcmp(t, "n") == 0) {
		xlsx_put_number(v, s->text.len, out);
	} else {
		/* a formula's text, an error (#N/A) or a type this reader does not know */
		xlsx_put_value(v, s->text.len, strcmp(t, "str") == 0, out);
	}
	return 0;
}

/* Places the finished cell's value in its column of the row. */
static int xlsx_cell_end(struct xlsx_read *s, struct kerr *e)
{
	s->in_cell = 0;
	if (s->col < 1)
		return 0;
	int rc = xlsx_cell_value(s, e);
	if (rc)
		return rc;
	size_t n = s->value.len;
	if (n == 0) {
		if (s->col <= s->ncols)
			s->cell_at[s->col - 1] = 0; /* a later empty cell empties a column */
		return 0;
	}
	if (s->col > CSV_MAX_FIELDS)
		return xlsx_cell_fail(s, e, K_ETOOBIG, "more than %d columns", CSV_MAX_FIELDS);
	if (n > CSV_MAX_FIELD)
		return xlsx_cell_fail(s, e, K_ETOOBIG, "more than %u bytes of text", CSV_MAX_FIELD);
	if (s->out->len + s->rowtext.len + n > IMPORT_MAX_BYTES)
		return xlsx_cell_fail(s, e, K_ETOOBIG, "more than %u MiB of text",
		                      IMPORT_MAX_BYTES >> 20);
	s->cell_at[s->col - 1] = s->rowtext.len + 1;
	kbuf_append(&s->rowtext, s->value.data, n + 1);
	if (s->col > s->ncols)
		s->ncols = s->col;
	return 0;
}

/* A sheet is read with libxml2's SAX2 callbacks rather than its reader: a sheet of 100,000
 * rows has millions of nodes, and the reader builds and frees each one (twice the time).
 * Only <sheetData>'s rows and cells matter; element names are matched by their local name. */

/* The non-namespaced attribute `local` of a SAX2 start tag into out; 1 when there is one.
 * attrs holds nb five at a time: local name, prefix, URI, value, end of value. */
static int xlsx_sax_attr(const xmlChar **attrs, int nb, const char *local, struct kbuf *out)
{
	kbuf_reset(out);
	kbuf_puts(out, "");
	for (int i = 0; i < nb; i++) {
		const xmlChar **a = attrs + 5 * i;
		if (!a[2] && strcmp((const char *)a[0], local) == 0) {
			kbuf_append(out, (const char *)a[3], (size_t)(a[4] - a[3]));
			return 1;
		}
	}
	return 0;
}

static void xlsx_sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                           const xmlChar *uri, int nb_ns, const xmlChar **ns, int nb_attrs,
                           int nb_defaulted, const xmlChar **attrs)
{
	struct xlsx_read *s = ctx;
	const char *n = (const char *)localname;
	int rc = 0;
	s->depth++;
	if (s->p.rc || s->skip)
		return;
	if (strcmp(n, "sheetData") == 0) {
		s->in_data = 1;
	} else if (!s->in_data) {
		return;
	} else if (strcmp(n, "row") == 0) {
		s->has_r = xlsx_sax_attr(attrs, nb_attrs, "r", &s->attr);
		rc = xlsx_row_start(s, s->e);
	} else if (!s->in_row) {
		return;
	} else if (strcmp(n, "c") == 0) {
		s->has_r = xlsx_sax_attr(attrs, nb_attrs, "r", &s->attr);
		s->has_t = xlsx_sax_attr(attrs, nb_attrs, "t", &s->tattr);
		rc = xlsx_cell_start(s, s->e);
	} else if (!s->in_cell) {
		return;
	} else if (strcmp(n, "v") == 0) {
		s->has_v = s->in_v = 1;
		kbuf_reset(&s->text);
	} else if (strcmp(n, "is") == 0) {
		s->has_is = s->in_is = 1;
		kbuf_reset(&s->text);
	} else if (s->in_is && strcmp(n, "rPh") == 0) {
		s->skip = s->depth; /* how a Japanese name is read: not part of the value */
	} else if (s->in_is && strcmp(n, "t") == 0) {
		s->in_t = 1;
	}
	xlsx_sax_stop(&s->p, rc);
}

static void xlsx_sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                         const xmlChar *uri)
{
	struct xlsx_read *s = ctx;
	const char *n = (const char *)localname;
	int rc = 0, depth = s->depth--;
	if (s->p.rc)
		return;
	if (s->skip) {
		if (depth == s->skip)
			s->skip = 0;
		return;
	}
	if (strcmp(n, "sheetData") == 0)
		s->in_data = 0;
	else if (!s->in_data)
		return;
	else if (strcmp(n, "row") == 0 && s->in_row)
		rc = xlsx_row_end(s, s->e);
	else if (strcmp(n, "c") == 0 && s->in_cell)
		rc = xlsx_cell_end(s, s->e);
	else if (strcmp(n, "v") == 0)
		s->in_v = 0;
	else if (strcmp(n, "is") == 0)
		s->in_is = s->in_t = 0;
	else if (strcmp(n, "t") == 0)
		s->in_t = 0;
	xlsx_sax_stop(&s->p, rc);
}

/* Text: a <v>'s whole, or the <t>s of an <is> (its runs' too). */
static void xlsx_sax_text(void *ctx, const xmlChar *ch, int len)
{
	struct xlsx_read *s = ctx;
	if (!s->p.rc && !s->skip && s->in_cell && (s->in_v || (s->in_is && s->in_t)))
		kbuf_append(&s->text, (const char *)ch, (size_t)len);
}

/* The sheet in part, streamed from the archive through the callbacks above. */
static int xlsx_read_sheet(struct xlsx_read *s, const char *part, struct kerr *e)
{
	s->e = e;
	int rc = xlsx_sax_part(s->x, part, xlsx_sax_start, xlsx_sax_end, xlsx_sax_text, &s->p,
	                       s->sheet, e);
	if (rc == K_ENOTFOUND)
		rc = kerr_set(e, K_EINVAL, "%s: sheet '%s': the archive has no %s", s->x->name,
		              s->sheet, part);
	return rc;
}

int xlsx_sheet_csv(struct xlsx *x, size_t i, struct kbuf *out, struct xlsx_rows *rows,
                   struct kerr *e)
{
	kbuf_reset(out);
	if (rows)
		rows->n = 0;
	if (!x || i >= x->nsheets)
		return kerr_set(e, K_EINVAL, "%s: no sheet %zu (the workbook has %zu)",
		                x ? x->name : "workbook", i + 1, x ? x->nsheets : 0);
	const struct xlsx_sheet *sh = &x->sheets[i];
	if (!sh->part)
		return kerr_set(e, K_EINVAL,
		                "%s: sheet '%s': the workbook does not say where it is", x->name,
		                sh->name);
	struct xlsx_read s = {.x = x, .sheet = sh->name, .out = out, .rows = rows, .line = 1};
	s.cell_at = xcalloc(CSV_MAX_FIELDS, sizeof *s.cell_at);
	s.fields = xcalloc(CSV_MAX_FIELDS, sizeof *s.fields);
	int rc = xlsx_read_sheet(&s, sh->part, e);
	free(s.cell_at);
	free(s.fields);
	kbuf_free(&s.attr);
	kbuf_free(&s.tattr);
	kbuf_free(&s.text);
	kbuf_free(&s.value);
	kbuf_free(&s.rowtext);
	if (rc) {
		kbuf_reset(out);
		if (rows)
			rows->n = 0;
	}
	return rc;
}

long xlsx_row_of_line(const struct xlsx_rows *rows, long line)
{
	if (!rows || rows->n == 0)
		return line;
	/* k: the last record that starts on or before line */
	size_t lo = 0, hi = rows->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rows->line[mid] <= line)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0) /* an empty line before the first record: line N is row N there */
		return rows->row[0] - (rows->line[0] - line);
	size_t k = lo - 1;
	if (k + 1 < rows->n) {
		/* the empty lines just before the next record are the rows just before its own */
		long empty = rows->row[k + 1] - rows->row[k] - 1;
		if (line >= rows->line[k + 1] - empty)
			return rows->row[k + 1] - (rows->line[k + 1] - line);
	}
	return rows->row[k];
}

void xlsx_rows_free(struct xlsx_rows *rows)
{
	if (!rows)
		return;
	free(rows->line);
	free(rows->row);
	memset(rows, 0, sizeof *rows);
}
