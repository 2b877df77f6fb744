/* import — sellers' spreadsheets to unsigned listings. See import.h; the column mapping of
 * each format is documented in kontor.1 (listing import). */
#include "import.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kontor/codes.h"
#include "kontor/csv.h"
#include "kontor/json.h"
#include "kontor/money.h"

#define MAX_OPTIONS 3 /* Shopify Option1..3; Etsy VARIATION 1..2 use 2 */
#define WOO_MAX_ATTRS 16

static const char *const format_names[] = {"auto",        "kontor", "shopify",
                                           "woocommerce", "etsy",   "jsonl"};

const char *import_format_name(enum import_format f)
{
	return (unsigned)f < sizeof format_names / sizeof format_names[0] ? format_names[f] : "?";
}

int import_format_parse(const char *s, enum import_format *out, struct kerr *e)
{
	for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
		if (strcasecmp(s, format_names[i]) == 0) {
			*out = (enum import_format)i;
			return K_OK;
		}
	return kerr_set(
	    e, K_EUSAGE,
	    "--format: '%s' is not one of auto, kontor, shopify, woocommerce, etsy, jsonl", s);
}

void import_derived_sku(const char *prefix, const char *text, char *out)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ull;
	}
	snprintf(out, MODEL_SKU_MAX + 1, "%s-%016" PRIx64, prefix, h);
}

/* --- HTML to text -------------------------------------------------------------------- */

struct html_out {
	struct kbuf *b;
	size_t start; /* out->len when we began: nothing before it is ours */
	int space;    /* a collapsed space is pending */
	int nl;       /* line breaks pending (0..2) */
};

static void h_flush(struct html_out *h)
{
	if (h->b->len > h->start) {
		if (h->nl)
			kbuf_append(h->b, "\n\n", (size_t)h->nl);
		else if (h->space)
			kbuf_putc(h->b, ' ');
	}
	h->nl = 0;
	h->space = 0;
}

static void h_text(struct html_out *h, const char *s, size_t n)
{
	h_flush(h);
	kbuf_append(h->b, s, n);
}

static void h_break(struct html_out *h, int n, int add)
{
	h->space = 0;
	h->nl = add ? h->nl + n : (h->nl > n ? h->nl : n);
	if (h->nl > 2)
		h->nl = 2;
}

static void h_codepoint(struct html_out *h, uint32_t cp)
{
	if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		cp = 0xFFFD;
	if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0) {
		h->space = 1;
		return;
	}
	if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
		return;
	char u[4];
	h_text(h, u, utf8_encode(cp, u));
}

/* An entity at s[0] == '&'; returns the bytes it takes, 0 when it is not one we decode. */
static size_t h_entity(struct html_out *h, const char *s, size_t n)
{
	size_t max = n < 12 ? n : 12, semi = 1;
	while (semi < max && s[semi] != ';')
		semi++;
	if (semi >= max || s[semi] != ';' || semi < 2)
		return 0;
	const char *name = s + 1;
	size_t len = semi - 1;
	static const struct {
		const char *name;
		uint32_t cp;
	} named[] = {{"amp", '&'},   {"lt", '<'},   {"gt", '>'},  {"quot", '"'},
	             {"apos", '\''}, {"nbsp", ' '}, {"#39", '\''}};
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (strlen(named[i].name) == len && memcmp(named[i].name, name, len) == 0) {
			h_codepoint(h, named[i].cp);
			return semi + 1;
		}
	if (name[0] != '#')
		return 0;
	uint32_t cp = 0;
	int hex = name[1] == 'x' || name[1] == 'X';
	size_t i = hex ? 2 : 1;
	if (i >= len || len - i > (hex ? 6u : 7u))
		return 0;
	for (; i < len; i++) {
		char c = name[i];
		uint32_t d;
		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (hex && c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (hex && c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return 0;
		cp = cp * (hex ? 16u : 10u) + d;
	}
	h_codepoint(h, cp);
	return semi + 1;
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Case-insensitive search for "</name" from s; returns the offset or n. */
static size_t find_close(const char *s, size_t n, const char *name)
{
	size_t k = strlen(name);
	for (size_t i = 0; i + 2 + k <= n; i++)
		if (s[i] == '<' && s[i + 1] == '/' && strncasecmp(s + i + 2, name, k) == 0)
			return i;
	return n;
}

void import_html_to_text(const char *s, size_t n, struct kbuf *out)
{
	struct html_out h = {out, out->len, 0, 0};
	int no_more_tags = 0; /* a '<' found no '>' to its end: none after it will either */
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c == '<' && !no_more_tags && i + 1 < n &&
		    (is_alpha(s[i + 1]) || s[i + 1] == '/' || s[i + 1] == '!' || s[i + 1] == '?')) {
			if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
				const char *end = memmem(s + i + 4, n - i - 4, "-->", 3);
				i = end ? (size_t)(end - s) + 3 : n;
				continue;
			}
			/* the tag's end, skipping quoted attribute values */
			size_t j = i + 1;
			char q = 0;
			while (j < n && (q || s[j] != '>')) {
				if (q && s[j] == q)
					q = 0;
				else if (!q && (s[j] == '"' || s[j] == '\'') && j > i + 1 &&
				         (s[j - 1] == '=' || s[j - 1] == ' '))
					q = s[j];
				j++;
			}
			if (j >= n) {
				no_more_tags = 1;
				h_text(&h, "<", 1);
				i++;
				continue;
			}
			size_t p = i + 1;
			int closing = s[p] == '/';
			if (closing)
				p++;
			char name[12];
			size_t k = 0;
			while (p < j && k + 1 < sizeof name &&
			       (is_alpha(s[p]) || (s[p] >= '0' && s[p] <= '9')))
				name[k++] = (char)(s[p++] | 0x20);
			name[k] = 0;
			i = j + 1;
			if (!closing &&
			    (strcmp(name, "script") == 0 || strcmp(name, "style") == 0)) {
				size_t at = find_close(s + i, n - i, name);
				i += at;
				if (i < n) {
					const char *gt = memchr(s + i, '>', n - i);
					i = gt ? (size_t)(gt - s) + 1 : n;
				}
				continue;
			}
			if (strcmp(name, "br") == 0)
				h_break(&h, 1, 1);
			else if (strcmp(name, "p") == 0 ||
			         (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !name[2]))
				h_break(&h, 2, 0);
			else if (strcmp(name, "li") == 0 || strcmp(name, "div") == 0 ||
			         strcmp(name, "tr") == 0 || strcmp(name, "ul") == 0 ||
			         strcmp(name, "ol") == 0 || strcmp(name, "table") == 0)
				h_break(&h, 1, 0);
			else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0)
				h.space = 1;
			continue;
		}
		if (c == '&') {
			size_t used = h_entity(&h, s + i, n - i);
			if (used) {
				i += used;
				continue;
			}
			h_text(&h, "&", 1);
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			h.space = 1;
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7F) {
			i++;
			continue;
		}
		/* one UTF-8 sequence (input is valid UTF-8); U+00A0 and C1 controls tidied */
		size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		if (len > n - i)
			len = n - i;
		if (len == 2 && c == 0xC2) {
			unsigned char d = (unsigned char)s[i + 1];
			if (d == 0xA0) {
				h.space = 1;
				i += 2;
				continue;
			}
			if (d >= 0x80 && d <= 0x9F) {
				i += 2;
				continue;
			}
		}
		h_text(&h, s + i, len);
		i += len;
	}
}

/* --- small helpers --------------------------------------------------------------------- */

struct pctx {
	import_cb cb;
	void *ctx;
	const char *name;
	const struct import_opts *o;
	long rows;
};

/* Hands one result to the callback and frees the listing. */
static int emit(struct pctx *p, long line, struct listing *l, const struct kerr *err)
{
	int rc = p->cb(p->ctx, line, err ? NULL : l, err);
	if (l)
		listing_free(l);
	return rc;
}

static int emit_err(struct pctx *p, long line, struct listing *l, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int emit_err(struct pctx *p, long line, struct listing *l, int code, const char *fmt, ...)
{
	struct kerr e = {code, ""};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof e.msg, fmt, ap);
	va_end(ap);
	return emit(p, line, l, &e);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* s trimmed, as a new string; NULL when nothing is left. */
static char *trimdup(const char *s)
{
	while (is_space(*s))
		s++;
	size_t n = strlen(s);
	while (n && is_space(s[n - 1]))
		n--;
	return n ? xstrndup(s, n) : NULL;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = trimdup(v);
}

/* Plain text from a spreadsheet cell: CRLF and lone CR become LF, trimmed. */
static void set_text(char **dst, const char *v)
{
	free(*dst);
	*dst = NULL;
	char *t = trimdup(v);
	if (!t)
		return;
	char *w = t;
	for (const char *r = t; *r; r++) {
		if (*r == '\r') {
			*w++ = '\n';
			if (r[1] == '\n')
				r++;
		} else {
			*w++ = *r;
		}
	}
	*w = 0;
	*dst = t;
}

static void set_html(char **dst, const char *v)
{
	struct kbuf b = KBUF_INIT;
	import_html_to_text(v, strlen(v), &b);
	free(*dst);
	*dst = b.len ? kbuf_detach(&b, NULL) : NULL;
	kbuf_free(&b);
}

static void set_code(char *dst, size_t cap, const char *v)
{
	while (is_space(*v))
		v++;
	size_t n = strlen(v);
	while (n && is_space(v[n - 1]))
		n--;
	if (n >= cap) /* too long to be a code: keep enough for validation to refuse it */
		n = cap - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)(v[i] >= 'a' && v[i] <= 'z' ? v[i] - 'a' + 'A' : v[i]);
	dst[n] = 0;
}

/* Items of a sep-separated list, trimmed, empty ones skipped; dedup drops repeats. */
static void split_list(struct kstrv *sv, const char *s, char sep, int upper, int dedup)
{
	while (*s) {
		const char *end = strchr(s, sep);
		size_t len = end ? (size_t)(end - s) : strlen(s);
		const char *p = s;
		while (len && is_space(*p))
			p++, len--;
		while (len && is_space(p[len - 1]))
			len--;
		if (len) {
			char *item = xstrndup(p, len);
			for (char *q = item; upper && *q; q++)
				if (*q >= 'a' && *q <= 'z')
					*q = (char)(*q - 'a' + 'A');
			int seen = 0;
			for (size_t i = 0; dedup && i < sv->n && !seen; i++)
				seen = strcmp(sv->v[i], item) == 0;
			if (!seen)
				kstrv_push(sv, item);
			free(item);
		}
		s = end ? end + 1 : s + strlen(s);
	}
}

static int parse_int(const char *col, const char *v, int64_t min, int64_t max, int64_t *out,
                     struct kerr *e)
{
	char *t = trimdup(v), *end;
	if (!t)
		return kerr_set(e, K_EINVAL, "%s: empty", col);
	errno = 0;
	long long n = strtoll(t, &end, 10);
	int bad = *end || errno || t[0] == '+' || !((t[0] >= '0' && t[0] <= '9') || t[0] == '-');
	int rc = K_OK;
	if (bad)
		rc = kerr_set(e, K_EINVAL, "%s: '%.40s' is not a whole number", col, t);
	else if (n < min || n > max)
		rc = kerr_set(e, K_EINVAL, "%s: %lld is out of range (%lld to %lld)", col, n,
		              (long long)min, (long long)max);
	else
		*out = n;
	free(t);
	return rc;
}

static int parse_price(const char *col, const char *v, const char *cur, int64_t *out,
                       struct kerr *e)
{
	char *t = trimdup(v);
	if (!t)
		return kerr_set(e, K_EINVAL, "%s: empty (a price in %s is needed)", col, cur);
	int rc = money_parse(t, cur, out, e);
	if (rc)
		kerr_prefix(e, "%s", col);
	free(t);
	return rc;
}

/* The listing currency from a cell (or --currency when the cell is empty). */
static int set_currency(struct listing *l, const char *col, const char *v, const char *dflt,
                        struct kerr *e)
{
	char *t = v ? trimdup(v) : NULL;
	if (!t && !dflt) {
		return kerr_set(e, K_EINVAL, "%s: empty and no --currency given", col);
	}
	set_code(l->currency, sizeof l->currency, t ? t : dflt);
	int rc = K_OK;
	if (t && strlen(t) != 3)
		rc = kerr_set(e, K_EINVAL, "%s: '%.20s' is not an ISO 4217 code", col, t);
	else
		rc = codes_check_currency(l->currency, col, e);
	free(t);
	return rc;
}

/* --- the header ----------------------------------------------------------------------- */

struct hdr {
	struct kstrv names; /* trimmed */
};

static void hdr_load(struct hdr *h, const struct csv_record *rec)
{
	for (size_t i = 0; i < rec->nfields; i++) {
		char *t = trimdup(rec->fields[i]);
		kstrv_push(&h->names, t ? t : "");
		free(t);
	}
}

/* Column index by name, case-insensitive; -1 when absent. */
static int hcol(const struct hdr *h, const char *name)
{
	for (size_t i = 0; i < h->names.n; i++)
		if (strcasecmp(h->names.v[i], name) == 0)
			return (int)i;
	return -1;
}

static const char *fget(const struct csv_record *r, int i)
{
	return i >= 0 && (size_t)i < r->nfields ? r->fields[i] : "";
}

static int blank(const char *s)
{
	while (is_space(*s))
		s++;
	return !*s;
}

/* A reader error as a row error: the line from the reader's message, the text after it. */
static int csv_row_error(struct pctx *p, const struct kerr *ce)
{
	const char *m = ce->msg, *at = strstr(m, ": line ");
	long line = 0;
	if (at) {
		char *end;
		line = strtol(at + 7, &end, 10);
		m = end;
		while (*m == ',' || *m == ':' || *m == ' ')
			m++;
	}
	struct kerr e = {ce->code, ""};
	snprintf(e.msg, sizeof e.msg, "%s", m);
	return emit(p, line, NULL, &e);
}

/* Reads the header record; a file-level error when there is none. */
static int read_header(struct csv_reader *r, struct hdr *h, const char *name, struct kerr *e)
{
	struct csv_record rec;
	int rc = csv_next(r, &rec, e);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return kerr_set(e, K_EINVAL, "%s: empty file (no header line)", name);
	hdr_load(h, &rec);
	return K_OK;
}

static int need_cols(const struct hdr *h, const char *name, const char *fmt,
                     const char *const *cols, size_t n, struct kerr *e)
{
	for (size_t i = 0; i < n; i++)
		if (hcol(h, cols[i]) < 0)
			return kerr_set(
			    e, K_EINVAL, "%s: line 1: no '%s' column (a %s file needs %s%s%s%s%s)",
			    name, cols[i], fmt, cols[0], n > 1 ? ", " : "", n > 1 ? cols[1] : "",
			    n > 2 ? ", " : "", n > 2 ? cols[2] : "");
	return K_OK;
}

/* Next data record: 1 = rec, 0 = end, <0 = stop (callback or limit); reader errors are
 * reported as row errors and skipped. */
static int next_rec(struct pctx *p, struct csv_reader *r, struct csv_record *rec, struct kerr *e)
{
	for (;;) {
		struct kerr ce = {0, ""};
		int rc = csv_next(r, rec, &ce);
		if (rc == 0)
			return 0;
		if (++p->rows > IMPORT_MAX_ROWS)
			return kerr_set(e, K_ETOOBIG, "%s: more than %ld rows", p->name,
			                IMPORT_MAX_ROWS);
		if (rc > 0)
			return 1;
		if ((rc = csv_row_error(p, &ce)))
			return rc > 0 ? -rc : rc;
	}
}

/* --- kontor's own CSV --------------------------------------------------------------------- */

static int kontor_row(const struct hdr *h, const struct csv_record *rec, const char *dflt_cur,
                      struct listing *l, struct kerr *e)
{
	int rc;
	const char *v;
	set_str(&l->sku, fget(rec, hcol(h, "sku")));
	if (!l->sku)
		return kerr_set(e, K_EINVAL, "sku: empty (the SKU is the listing's key)");
	set_str(&l->title, fget(rec, hcol(h, "title")));
	if (!l->title)
		return kerr_set(e, K_EINVAL, "title: empty");
	set_text(&l->description, fget(rec, hcol(h, "description")));
	set_str(&l->category, fget(rec, hcol(h, "category")));
	split_list(&l->tags, fget(rec, hcol(h, "tags")), '|', 0, 1);
	if ((rc = set_currency(l, "currency",
	                       hcol(h, "currency") >= 0 ? fget(rec, hcol(h, "currency")) : NULL,
	                       dflt_cur, e)))
		return rc;
	if (!blank(v = fget(rec, hcol(h, "moq"))) &&
	    (rc = parse_int("moq", v, 1, MONEY_MAX, &l->moq, e)))
		return rc;
	if (!blank(v = fget(rec, hcol(h, "lead_days"))) &&
	    (rc = parse_int("lead_days", v, 0, 3650, &l->lead_time_days, e)))
		return rc;
	struct kstrv tiers = {0};
	split_list(&tiers, fget(rec, hcol(h, "tiers")), '|', 0, 0);
	if (tiers.n + 1 > MODEL_TIERS_MAX) {
		kstrv_free(&tiers);
		return kerr_set(e, K_EINVAL, "tiers: at most %d price tiers", MODEL_TIERS_MAX - 1);
	}
	l->tiers = xcalloc(tiers.n + 1, sizeof *l->tiers);
	l->tiers[0].min_qty = l->moq;
	rc = parse_price("price", fget(rec, hcol(h, "price")), l->currency, &l->tiers[0].unit_price,
	                 e);
	l->ntiers = 1;
	for (size_t i = 0; rc == K_OK && i < tiers.n; i++) {
		char *colon = strchr(tiers.v[i], ':');
		if (!colon) {
			rc = kerr_set(e, K_EINVAL,
			              "tiers: '%.40s' is not QTY:AMOUNT (e.g. 100:9.50)",
			              tiers.v[i]);
			break;
		}
		*colon = 0;
		struct price_tier *t = &l->tiers[l->ntiers];
		if ((rc = parse_int("tiers", tiers.v[i], 1, MONEY_MAX, &t->min_qty, e)) ||
		    (rc = parse_price("tiers", colon + 1, l->currency, &t->unit_price, e)))
			break;
		l->ntiers++;
	}
	kstrv_free(&tiers);
	if (rc)
		return rc;
	if (!blank(v = fget(rec, hcol(h, "unit"))))
		set_code(l->unit, sizeof l->unit, v);
	set_str(&l->hs_code, fget(rec, hcol(h, "hs_code")));
	set_code(l->origin_country, sizeof l->origin_country, fget(rec, hcol(h, "origin")));
	set_code(l->ships_from, sizeof l->ships_from, fget(rec, hcol(h, "ships_from")));
	split_list(&l->incoterms, fget(rec, hcol(h, "incoterms")), '|', 1, 0);
	split_list(&l->images, fget(rec, hcol(h, "images")), '|', 0, 1);
	if (!blank(v = fget(rec, hcol(h, "status")))) {
		char st[16];
		set_code(st, sizeof st, v);
		if (strcmp(st, "ACTIVE") && strcmp(st, "PAUSED"))
			return kerr_set(e, K_EINVAL, "status: '%.20s' is not active or paused", v);
		snprintf(l->status, sizeof l->status, "%s", st[0] == 'A' ? "active" : "paused");
	}
	return K_OK;
}

static int parse_kontor(struct pctx *p, const char *data, size_t len, struct kerr *e)
{
	struct csv_reader *r = csv_reader_new(data, len, 0, p->name);
	struct hdr h = {{0}};
	static const char *const need[] = {"sku", "title", "price"};
	int rc = read_header(r, &h, p->name, e);
	if (rc == K_OK)
		rc = need_cols(&h, p->name, "kontor", need, 3, e);
	if (rc == K_OK && hcol(&h, "currency") < 0 && !p->o->currency)
		rc = kerr_set(e, K_EUSAGE,
		              "%s: no 'currency' column: give --currency CUR for its prices",
		              p->name);
	struct csv_record rec;
	while (rc == K_OK && (rc = next_rec(p, r, &rec, e)) == 1) {
		struct listing l;
		struct kerr re = {0, ""};
		listing_init(&l);
		int bad = kontor_row(&h, &rec, p->o->currency, &l, &re);
		rc = emit(p, rec.line, &l, bad ? &re : NULL);
	}
	kstrv_free(&h.names);
	csv_reader_free(&r);
	return rc;
}

/* --- variants ------------------------------------------------------------------------- */

/* Adds {sku, options, unitPrice} to l->variants; K_EINVAL for a repeated option name. */
static int add_variant(struct listing *l, const char *sku, const char *const *names,
                       const char *const *values, size_t n, int64_t price, struct kerr *e)
{
	if (l->variants && cJSON_GetArraySize(l->variants) >= MODEL_VARIANTS_MAX)
		return kerr_set(e, K_EINVAL, "variants: more than %d", MODEL_VARIANTS_MAX);
	cJSON *v = cJSON_CreateObject();
	cJSON_AddStringToObject(v, "sku", sku);
	cJSON *o = cJSON_AddObjectToObject(v, "options");
	for (size_t i = 0; i < n; i++) {
		if (!names[i] || !values[i])
			continue;
		if (cJSON_GetObjectItemCaseSensitive(o, names[i])) {
			cJSON_Delete(v);
			return kerr_set(e, K_EINVAL, "option '%.64s' is given twice", names[i]);
		}
		cJSON_AddStringToObject(o, names[i], values[i]);
	}
	if (price >= 0)
		json_add_int(v, "unitPrice", price);
	if (!l->variants)
		l->variants = cJSON_CreateArray();
	cJSON_AddItemToArray(l->variants, v);
	return K_OK;
}

/* A single variant with no options is a plain product: drop the array. */
static void settle_variants(struct listing *l)
{
	if (l->variants && cJSON_GetArraySize(l->variants) == 1) {
		const cJSON *o = cJSON_GetObjectItemCaseSensitive(l->variants->child, "options");
		if (!o || !o->child) {
			cJSON_Delete(l->variants);
			l->variants = NULL;
		}
	}
}

static void set_single_price(struct listing *l, int64_t price)
{
	free(l->tiers);
	l->tiers = xcalloc(1, sizeof *l->tiers);
	l->tiers[0].min_qty = l->moq;
	l->tiers[0].unit_price = price;
	l->ntiers = 1;
}

/* --- Shopify ------------------------------------------------------------------------------ */

struct shop_cols {
	int handle, title, body, category, type, tags, published, status, vsku, vprice, image;
	int opt_name[MAX_OPTIONS], opt_value[MAX_OPTIONS];
};

struct shop_group {
	int open;
	long line; /* the product's first row */
	struct listing l;
	char *opt_name[MAX_OPTIONS];
	int64_t min_price;
	int nvar;
	long err_line; /* 0 = no error */
	struct kerr err;
};

static void shop_reset(struct shop_group *g)
{
	if (g->open)
		listing_free(&g->l);
	for (int i = 0; i < MAX_OPTIONS; i++)
		xfree(&g->opt_name[i]);
	memset(g, 0, sizeof *g);
}

static int shop_finish(struct pctx *p, struct shop_group *g)
{
	if (!g->open)
		return K_OK;
	int rc;
	if (g->err_line) {
		rc = emit(p, g->err_line, NULL, &g->err);
	} else if (!g->nvar) {
		rc = emit_err(p, g->line, NULL, K_EINVAL,
		              "Variant Price: product '%.64s' has no row with a price", g->l.sku);
	} else {
		set_single_price(&g->l, g->min_price);
		settle_variants(&g->l);
		rc = emit(p, g->line, &g->l, NULL);
		g->open = 0; /* emit freed it */
	}
	shop_reset(g);
	return rc;
}

static int shop_fail(struct shop_group *g, long line, const struct kerr *e)
{
	if (!g->err_line) {
		g->err_line = line;
		g->err = *e;
		kerr_prefix(&g->err, "product '%.64s'", g->l.sku ? g->l.sku : "?");
	}
	return K_OK;
}

static void shop_row(struct shop_group *g, const struct shop_cols *c, const struct csv_record *rec,
                     const char *cur)
{
	struct kerr e = {0, ""};
	if (g->err_line)
		return;
	const char *img = fget(rec, c->image);
	if (!blank(img))
		split_list(&g->l.images, img, '\n', 0, 1);
	const char *names[MAX_OPTIONS] = {0}, *values[MAX_OPTIONS] = {0};
	char *vals[MAX_OPTIONS] = {0}, *names_own[MAX_OPTIONS] = {0};
	int any = 0;
	for (int i = 0; i < MAX_OPTIONS; i++) {
		char *nm = trimdup(fget(rec, c->opt_name[i]));
		if (nm && !g->opt_name[i]) /* the product row names the options */
			g->opt_name[i] = xstrdup(nm);
		names_own[i] = nm;
		names[i] = nm ? nm : g->opt_name[i];
		vals[i] = trimdup(fget(rec, c->opt_value[i]));
		values[i] = vals[i];
		any |= vals[i] != NULL;
		/* Shopify's single-variant product: Title = Default Title */
		if (names[i] && values[i] && strcmp(names[i], "Title") == 0 &&
		    strcmp(values[i], "Default Title") == 0)
			values[i] = NULL;
		if (values[i] && !names[i]) {
			kerr_set(&e, K_EINVAL, "Option%d Value: '%.40s' has no Option%d Name",
			         i + 1, values[i], i + 1);
			shop_fail(g, rec->line, &e);
		}
	}
	char *sku = trimdup(fget(rec, c->vsku));
	const char *price = fget(rec, c->vprice);
	if (!g->err_line && (any || sku || !blank(price))) {
		int64_t amount;
		if (parse_price("Variant Price", price, cur, &amount, &e)) {
			shop_fail(g, rec->line, &e);
		} else {
			char dsku[MODEL_SKU_MAX + 32];
			if (!sku)
				snprintf(dsku, sizeof dsku, "%s-%d", g->l.sku, g->nvar + 1);
			if (add_variant(&g->l, sku ? sku : dsku, names, values, MAX_OPTIONS, amount,
			                &e))
				shop_fail(g, rec->line, &e);
			if (!g->nvar || amount < g->min_price)
				g->min_price = amount;
			g->nvar++;
		}
	}
	free(sku);
	for (int i = 0; i < MAX_OPTIONS; i++) {
		free(vals[i]);
		free(names_own[i]);
	}
}

static int parse_shopify(struct pctx *p, const char *data, size_t len, struct kerr *e)
{
	if (!p->o->currency)
		return kerr_set(e, K_EUSAGE,
		                "%s: Shopify exports carry no currency: give --currency CUR (the "
		                "shop's currency, e.g. USD)",
		                p->name);
	struct csv_reader *r = csv_reader_new(data, len, 0, p->name);
	struct hdr h = {{0}};
	static const char *const need[] = {"Handle", "Title", "Variant Price"};
	int rc = read_header(r, &h, p->name, e);
	if (rc == K_OK)
		rc = need_cols(&h, p->name, "Shopify", need, 3, e);
	struct shop_cols c = {hcol(&h, "Handle"),
	                      hcol(&h, "Title"),
	                      hcol(&h, "Body (HTML)"),
	                      hcol(&h, "Product Category"),
	                      hcol(&h, "Type"),
	                      hcol(&h, "Tags"),
	                      hcol(&h, "Published"),
	                      hcol(&h, "Status"),
	                      hcol(&h, "Variant SKU"),
	                      hcol(&h, "Variant Price"),
	                      hcol(&h, "Image Src"),
	                      {0},
	                      {0}};
	for (int i = 0; i < MAX_OPTIONS; i++) {
		char nm[32];
		snprintf(nm, sizeof nm, "Option%d Name", i + 1);
		c.opt_name[i] = hcol(&h, nm);
		snprintf(nm, sizeof nm, "Option%d Value", i + 1);
		c.opt_value[i] = hcol(&h, nm);
	}
	struct shop_group g;
	memset(&g, 0, sizeof g);
	struct csv_record rec;
	while (rc == K_OK && (rc = next_rec(p, r, &rec, e)) == 1) {
		char *handle = trimdup(fget(&rec, c.handle));
		rc = K_OK;
		if (!handle) {
			rc = emit_err(p, rec.line, NULL, K_EINVAL,
			              "Handle: empty (the Handle is the listing's key)");
			continue;
		}
		if (g.open && strcmp(handle, g.l.sku) != 0 && (rc = shop_finish(p, &g))) {
			free(handle);
			break;
		}
		if (!g.open) {
			g.open = 1;
			g.line = rec.line;
			listing_init(&g.l);
			g.l.sku = handle;
			handle = NULL;
			struct kerr re = {0, ""};
			set_str(&g.l.title, fget(&rec, c.title));
			if (!g.l.title) {
				kerr_set(&re, K_EINVAL, "Title: empty");
				shop_fail(&g, rec.line, &re);
			}
			set_html(&g.l.description, fget(&rec, c.body));
			set_str(&g.l.category, fget(&rec, c.category));
			if (!g.l.category)
				set_str(&g.l.category, fget(&rec, c.type));
			split_list(&g.l.tags, fget(&rec, c.tags), ',', 0, 1);
			snprintf(g.l.currency, sizeof g.l.currency, "%s", p->o->currency);
			const char *st = fget(&rec, c.status), *pub = fget(&rec, c.published);
			if ((!blank(st) && strncasecmp(st, "active", 6) != 0) ||
			    strncasecmp(pub, "false", 5) == 0)
				snprintf(g.l.status, sizeof g.l.status, "paused");
		}
		free(handle);
		shop_row(&g, &c, &rec, p->o->currency);
	}
	if (rc == 0)
		rc = shop_finish(p, &g);
	shop_reset(&g);
	kstrv_free(&h.names);
	csv_reader_free(&r);
	return rc;
}

/* --- WooCommerce ------------------------------------------------------------------------ */

struct woo_cols {
	int id, type, sku, name, published, shortdesc, desc, regular, sale, categories, tags,
	    images, parent;
	int nattr;
	int attr_name[WOO_MAX_ATTRS], attr_value[WOO_MAX_ATTRS];
};

struct woo_var {
	long line;
	char *parent; /* as written: a SKU or "id:NN" */
	char *sku;
	char *price; /* regular price, else sale price */
	char *names[WOO_MAX_ATTRS];
	char *values[WOO_MAX_ATTRS];
};

static void woo_var_free(struct woo_var *v)
{
	free(v->parent);
	free(v->sku);
	free(v->price);
	for (int i = 0; i < WOO_MAX_ATTRS; i++) {
		free(v->names[i]);
		free(v->values[i]);
	}
}

static int cmp_var(const void *a, const void *b)
{
	const struct woo_var *x = a, *y = b;
	int c = strcmp(x->parent, y->parent);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Woo writes the product type as "simple", "variable", "variation", "simple, virtual"... */
static int has_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = s; (p = strcasestr(p, w)); p += n) {
		int start = p == s || p[-1] == ',' || p[-1] == ' ';
		int end = !p[n] || p[n] == ',' || p[n] == ' ';
		if (start && end)
			return 1;
	}
	return 0;
}

static char *woo_price(const struct woo_cols *c, const struct csv_record *rec)
{
	char *v = trimdup(fget(rec, c->regular));
	return v ? v : trimdup(fget(rec, c->sale));
}

/* The key a variation's Parent may use for this product: its SKU, or "id:ID". */
static void woo_keys(const struct woo_cols *c, const struct csv_record *rec, char **sku,
                     char **idkey)
{
	*sku = trimdup(fget(rec, c->sku));
	char *id = trimdup(fget(rec, c->id));
	*idkey = NULL;
	if (id) {
		size_t n = strlen(id) + 4;
		*idkey = xmalloc(n);
		snprintf(*idkey, n, "id:%s", id);
	}
	free(id);
}

static int woo_product(struct pctx *p, const struct woo_cols *c, const struct csv_record *rec,
                       int variable, struct woo_var *vars, size_t nvars, struct kerr *re,
                       long *err_line, struct listing *l)
{
	const char *cur = p->o->currency;
	char *sku, *idkey;
	int rc = K_OK;
	woo_keys(c, rec, &sku, &idkey);
	if (sku) {
		l->sku = sku;
		sku = NULL;
	} else if (idkey) {
		char d[MODEL_SKU_MAX + 1];
		snprintf(d, sizeof d, "woo-%s", idkey + 3);
		l->sku = xstrdup(d);
	} else {
		rc = kerr_set(re, K_EINVAL, "SKU: empty, and no ID to make a key from");
		goto out;
	}
	set_str(&l->title, fget(rec, c->name));
	if (!l->title) {
		rc = kerr_set(re, K_EINVAL, "Name: empty");
		goto out;
	}
	set_html(&l->description, fget(rec, c->desc));
	if (!l->description)
		set_html(&l->description, fget(rec, c->shortdesc));
	struct kstrv cats = {0};
	split_list(&cats, fget(rec, c->categories), ',', 0, 0);
	if (cats.n)
		l->category = xstrdup(cats.v[0]);
	kstrv_free(&cats);
	split_list(&l->tags, fget(rec, c->tags), ',', 0, 1);
	split_list(&l->images, fget(rec, c->images), ',', 0, 1);
	snprintf(l->currency, sizeof l->currency, "%s", cur);
	char *pub = trimdup(fget(rec, c->published));
	if (pub && strcmp(pub, "1") != 0)
		snprintf(l->status, sizeof l->status, "paused");
	free(pub);
	int64_t amount;
	if (!variable) {
		char *pr = woo_price(c, rec);
		rc = parse_price("Regular price", pr ? pr : "", cur, &amount, re);
		free(pr);
		if (rc == K_OK)
			set_single_price(l, amount);
		goto out;
	}
	/* the variations whose Parent names this product, by SKU or by id:ID */
	int64_t min = -1;
	for (int pass = 0; pass < 2 && rc == K_OK; pass++) {
		const char *key = pass == 0 ? l->sku : idkey;
		if (!key || (pass == 1 && strcmp(key, l->sku) == 0))
			continue;
		size_t lo = 0, hi = nvars;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(vars[mid].parent, key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < nvars && strcmp(vars[i].parent, key) == 0; i++) {
			struct woo_var *v = &vars[i];
			if ((rc = parse_price("Regular price", v->price ? v->price : "", cur,
			                      &amount, re))) {
				*err_line = v->line;
				break;
			}
			char dsku[MODEL_SKU_MAX + 32];
			if (!v->sku)
				snprintf(dsku, sizeof dsku, "%s-%zu", l->sku,
				         l->variants ? (size_t)cJSON_GetArraySize(l->variants) + 1
				                     : 1);
			const char *names[WOO_MAX_ATTRS];
			for (int k = 0; k < WOO_MAX_ATTRS; k++)
				names[k] = v->names[k];
			if ((rc = add_variant(l, v->sku ? v->sku : dsku, names,
			                      (const char *const *)v->values, WOO_MAX_ATTRS, amount,
			                      re))) {
				*err_line = v->line;
				break;
			}
			if (min < 0 || amount < min)
				min = amount;
		}
	}
	if (rc == K_OK && min < 0)
		rc = kerr_set(re, K_EINVAL,
		              "Type: variable product '%.64s' has no variations in this file",
		              l->sku);
	if (rc == K_OK)
		set_single_price(l, min);
out:
	free(sku);
	free(idkey);
	return rc;
}

static int parse_woo(struct pctx *p, const char *data, size_t len, struct kerr *e)
{
	if (!p->o->currency)
		return kerr_set(
		    e, K_EUSAGE,
		    "%s: WooCommerce exports carry no currency: give --currency CUR (the "
		    "shop's currency, e.g. EUR)",
		    p->name);
	struct csv_reader *r = csv_reader_new(data, len, 0, p->name);
	struct hdr h = {{0}};
	static const char *const need[] = {"Type", "SKU", "Name"};
	int rc = read_header(r, &h, p->name, e);
	if (rc == K_OK)
		rc = need_cols(&h, p->name, "WooCommerce", need, 3, e);
	struct woo_cols c = {hcol(&h, "ID"),
	                     hcol(&h, "Type"),
	                     hcol(&h, "SKU"),
	                     hcol(&h, "Name"),
	                     hcol(&h, "Published"),
	                     hcol(&h, "Short description"),
	                     hcol(&h, "Description"),
	                     hcol(&h, "Regular price"),
	                     hcol(&h, "Sale price"),
	                     hcol(&h, "Categories"),
	                     hcol(&h, "Tags"),
	                     hcol(&h, "Images"),
	                     hcol(&h, "Parent"),
	                     0,
	                     {0},
	                     {0}};
	for (int i = 0; i < WOO_MAX_ATTRS; i++) {
		char nm[40], vl[40];
		snprintf(nm, sizeof nm, "Attribute %d name", i + 1);
		snprintf(vl, sizeof vl, "Attribute %d value(s)", i + 1);
		c.attr_name[i] = hcol(&h, nm);
		c.attr_value[i] = hcol(&h, vl);
		if (c.attr_name[i] >= 0)
			c.nattr = i + 1;
	}
	/* pass 1: the variations and the keys of the variable products */
	struct woo_var *vars = NULL;
	size_t nvars = 0, capv = 0;
	struct kstrv parents = {0};
	struct csv_record rec;
	struct kerr ce;
	if (rc == K_OK) {
		struct csv_reader *r1 = csv_reader_new(data, len, csv_reader_delim(r), p->name);
		csv_next(r1, &rec, &ce); /* the header */
		int n;
		long rows = 0;
		while ((n = csv_next(r1, &rec, &ce)) != 0 && ++rows <= IMPORT_MAX_ROWS) {
			if (n < 0)
				continue;
			const char *type = fget(&rec, c.type);
			if (has_word(type, "variable")) {
				char *sku, *idkey;
				woo_keys(&c, &rec, &sku, &idkey);
				if (sku)
					kstrv_push(&parents, sku);
				if (idkey)
					kstrv_push(&parents, idkey);
				free(sku);
				free(idkey);
				continue;
			}
			if (!has_word(type, "variation"))
				continue;
			char *parent = trimdup(fget(&rec, c.parent));
			if (!parent)
				continue; /* reported in pass 2 */
			if (nvars == capv) {
				capv = capv ? capv * 2 : 64;
				vars = xrealloc(vars, capv * sizeof *vars);
			}
			struct woo_var *v = &vars[nvars++];
			memset(v, 0, sizeof *v);
			v->line = rec.line;
			v->parent = parent;
			v->sku = trimdup(fget(&rec, c.sku));
			v->price = woo_price(&c, &rec);
			for (int i = 0; i < c.nattr; i++) {
				v->names[i] = trimdup(fget(&rec, c.attr_name[i]));
				v->values[i] =
				    v->names[i] ? trimdup(fget(&rec, c.attr_value[i])) : NULL;
			}
		}
		csv_reader_free(&r1);
		qsort(vars, nvars, sizeof *vars, cmp_var);
		if (parents.n)
			qsort(parents.v, parents.n, sizeof *parents.v, cmp_str);
	}
	/* pass 2: the products in file order */
	while (rc == K_OK && (rc = next_rec(p, r, &rec, e)) == 1) {
		const char *type = fget(&rec, c.type);
		int variable = has_word(type, "variable");
		if (has_word(type, "variation")) {
			char *parent = trimdup(fget(&rec, c.parent));
			rc = K_OK;
			if (!parent)
				rc = emit_err(
				    p, rec.line, NULL, K_EINVAL,
				    "Parent: empty (a variation needs its product's SKU or "
				    "id:ID)");
			else if (!parents.n || !bsearch(&parent, parents.v, parents.n,
			                                sizeof *parents.v, cmp_str))
				rc = emit_err(p, rec.line, NULL, K_EINVAL,
				              "Parent: '%.64s' is no variable product in this file",
				              parent);
			free(parent);
			continue;
		}
		if (!variable && !has_word(type, "simple") && !has_word(type, "external") &&
		    !blank(type)) {
			rc = emit_err(
			    p, rec.line, NULL, K_EINVAL,
			    "Type: '%.40s' products are not imported (simple, variable and "
			    "variation are)",
			    type);
			continue;
		}
		struct listing l;
		listing_init(&l);
		struct kerr re = {0, ""};
		long err_line = rec.line;
		int bad = woo_product(p, &c, &rec, variable, vars, nvars, &re, &err_line, &l);
		rc = emit(p, bad ? err_line : rec.line, &l, bad ? &re : NULL);
	}
	for (size_t i = 0; i < nvars; i++)
		woo_var_free(&vars[i]);
	free(vars);
	kstrv_free(&parents);
	kstrv_free(&h.names);
	csv_reader_free(&r);
	return rc;
}

/* --- Etsy ------------------------------------------------------------------------------- */

struct etsy_cols {
	int title, desc, price, currency, tags, materials, sku;
	int image[10];
	int var_type[2], var_name[2], var_values[2];
};

static int etsy_row(const struct etsy_cols *c, const struct csv_record *rec, const char *dflt,
                    struct listing *l, struct kerr *e)
{
	int rc;
	set_str(&l->title, fget(rec, c->title));
	if (!l->title)
		return kerr_set(e, K_EINVAL, "TITLE: empty");
	set_str(&l->sku, fget(rec, c->sku));
	if (!l->sku) {
		char d[MODEL_SKU_MAX + 1];
		import_derived_sku("etsy", l->title, d);
		l->sku = xstrdup(d);
	}
	set_text(&l->description, fget(rec, c->desc));
	if ((rc = set_currency(l, "CURRENCY_CODE", c->currency >= 0 ? fget(rec, c->currency) : NULL,
	                       dflt, e)))
		return rc;
	int64_t amount;
	if ((rc = parse_price("PRICE", fget(rec, c->price), l->currency, &amount, e)))
		return rc;
	set_single_price(l, amount);
	split_list(&l->tags, fget(rec, c->tags), ',', 0, 1);
	split_list(&l->tags, fget(rec, c->materials), ',', 0, 1);
	for (int i = 0; i < 10; i++)
		split_list(&l->images, fget(rec, c->image[i]), '\n', 0, 1);
	/* variations: every combination of VARIATION 1 and VARIATION 2 values */
	struct kstrv vals[2] = {{0}, {0}};
	char *names[2] = {0};
	size_t total = 1;
	for (int i = 0; i < 2; i++) {
		names[i] = trimdup(fget(rec, c->var_name[i]));
		if (!names[i])
			names[i] = trimdup(fget(rec, c->var_type[i]));
		if (names[i])
			split_list(&vals[i], fget(rec, c->var_values[i]), ',', 0, 1);
		if (vals[i].n)
			total *= vals[i].n;
	}
	if (total > MODEL_VARIANTS_MAX)
		rc = kerr_set(e, K_EINVAL, "VARIATION 1/2 VALUES: %zu combinations, at most %d",
		              total, MODEL_VARIANTS_MAX);
	for (size_t k = 0; rc == K_OK && (vals[0].n || vals[1].n) && k < total; k++) {
		const char *nm[2] = {names[0], names[1]}, *vv[2] = {NULL, NULL};
		size_t a = vals[0].n ? k % vals[0].n : 0;
		size_t b = vals[0].n ? k / vals[0].n : k;
		if (vals[0].n)
			vv[0] = vals[0].v[a];
		if (vals[1].n)
			vv[1] = vals[1].v[b];
		char vsku[MODEL_SKU_MAX + 32];
		snprintf(vsku, sizeof vsku, "%s-%zu", l->sku, k + 1);
		rc = add_variant(l, vsku, nm, vv, 2, -1, e);
	}
	for (int i = 0; i < 2; i++) {
		free(names[i]);
		kstrv_free(&vals[i]);
	}
	return rc;
}

static int parse_etsy(struct pctx *p, const char *data, size_t len, struct kerr *e)
{
	struct csv_reader *r = csv_reader_new(data, len, 0, p->name);
	struct hdr h = {{0}};
	static const char *const need[] = {"TITLE", "PRICE"};
	int rc = read_header(r, &h, p->name, e);
	if (rc == K_OK)
		rc = need_cols(&h, p->name, "Etsy", need, 2, e);
	if (rc == K_OK && hcol(&h, "CURRENCY_CODE") < 0 && !p->o->currency)
		rc = kerr_set(e, K_EUSAGE, "%s: no CURRENCY_CODE column: give --currency CUR",
		              p->name);
	struct etsy_cols c = {hcol(&h, "TITLE"),
	                      hcol(&h, "DESCRIPTION"),
	                      hcol(&h, "PRICE"),
	                      hcol(&h, "CURRENCY_CODE"),
	                      hcol(&h, "TAGS"),
	                      hcol(&h, "MATERIALS"),
	                      hcol(&h, "SKU"),
	                      {0},
	                      {0},
	                      {0},
	                      {0}};
	for (int i = 0; i < 10; i++) {
		char nm[16];
		snprintf(nm, sizeof nm, "IMAGE%d", i + 1);
		c.image[i] = hcol(&h, nm);
	}
	for (int i = 0; i < 2; i++) {
		char nm[32];
		snprintf(nm, sizeof nm, "VARIATION %d TYPE", i + 1);
		c.var_type[i] = hcol(&h, nm);
		snprintf(nm, sizeof nm, "VARIATION %d NAME", i + 1);
		c.var_name[i] = hcol(&h, nm);
		snprintf(nm, sizeof nm, "VARIATION %d VALUES", i + 1);
		c.var_values[i] = hcol(&h, nm);
	}
	struct csv_record rec;
	while (rc == K_OK && (rc = next_rec(p, r, &rec, e)) == 1) {
		struct listing l;
		struct kerr re = {0, ""};
		listing_init(&l);
		int bad = etsy_row(&c, &rec, p->o->currency, &l, &re);
		rc = emit(p, rec.line, &l, bad ? &re : NULL);
	}
	kstrv_free(&h.names);
	csv_reader_free(&r);
	return rc;
}

/* --- JSON Lines ------------------------------------------------------------------------- */

static int parse_jsonl(struct pctx *p, const char *data, size_t len, struct kerr *e)
{
	size_t at = 0;
	long line = 0;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		at = 3;
	int rc = K_OK;
	while (rc == K_OK && at < len) {
		const char *s = data + at, *nl = memchr(s, '\n', len - at);
		size_t n = nl ? (size_t)(nl - s) : len - at;
		at += n + (nl ? 1 : 0);
		line++;
		size_t m = n;
		while (m && is_space(s[m - 1]))
			m--;
		size_t b = 0;
		while (b < m && is_space(s[b]))
			b++;
		if (b == m)
			continue;
		if (++p->rows > IMPORT_MAX_ROWS)
			return kerr_set(e, K_ETOOBIG, "%s: more than %ld lines", p->name,
			                IMPORT_MAX_ROWS);
		cJSON *j = NULL;
		struct kerr re = {0, ""};
		struct listing l;
		listing_init(&l);
		int bad = json_parse(s + b, m - b, "JSON", &j, &re);
		if (!bad) {
			listing_free(&l);
			bad = listing_from_json(j, &l, &re);
			if (bad)
				listing_init(&l);
		}
		cJSON_Delete(j);
		if (!bad) { /* re-signed by the importer */
			l.seller_id[0] = 0;
			l.id[0] = 0;
			xfree(&l.sig);
		}
		rc = emit(p, line, &l, bad ? &re : NULL);
	}
	return rc;
}

/* --- detection and dispatch --------------------------------------------------------------- */

enum import_format import_detect(const char *data, size_t len)
{
	size_t at = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	while (at < len && is_space(data[at]))
		at++;
	if (at < len && data[at] == '{')
		return IMPORT_JSONL;
	/* only the header line matters: bound the bytes the reader sees */
	size_t end = at;
	int q = 0;
	while (end < len && end - at < (1u << 20) &&
	       (q || (data[end] != '\n' && data[end] != '\r'))) {
		if (data[end] == '"')
			q = !q;
		end++;
	}
	struct csv_reader *r = csv_reader_new(data + at, end - at, 0, "header");
	struct csv_record rec;
	struct kerr e;
	enum import_format f = IMPORT_AUTO;
	if (csv_next(r, &rec, &e) == 1) {
		struct hdr h = {{0}};
		hdr_load(&h, &rec);
		if (hcol(&h, "Handle") >= 0 &&
		    (hcol(&h, "Variant Price") >= 0 || hcol(&h, "Body (HTML)") >= 0))
			f = IMPORT_SHOPIFY;
		else if (hcol(&h, "Type") >= 0 && hcol(&h, "SKU") >= 0 &&
		         (hcol(&h, "Regular price") >= 0 || hcol(&h, "Parent") >= 0))
			f = IMPORT_WOOCOMMERCE;
		else if (hcol(&h, "TITLE") >= 0 && hcol(&h, "PRICE") >= 0 &&
		         (hcol(&h, "CURRENCY_CODE") >= 0 || hcol(&h, "IMAGE1") >= 0))
			f = IMPORT_ETSY;
		else if (hcol(&h, "sku") >= 0 && hcol(&h, "title") >= 0 && hcol(&h, "price") >= 0)
			f = IMPORT_KONTOR;
		kstrv_free(&h.names);
	}
	csv_reader_free(&r);
	return f;
}

int import_parse(const char *data, size_t len, const char *name, const struct import_opts *o,
                 enum import_format *used, import_cb cb, void *ctx, struct kerr *e)
{
	enum import_format f = o->format;
	if (f == IMPORT_AUTO && (f = import_detect(data, len)) == IMPORT_AUTO)
		return kerr_set(e, K_EINVAL,
		                "%s: line 1: not a format kontor knows (kontor CSV, Shopify, "
		                "WooCommerce, Etsy or JSON Lines): give --format",
		                name);
	if (used)
		*used = f;
	struct pctx p = {cb, ctx, name, o, 0};
	switch (f) {
	case IMPORT_KONTOR:
		return parse_kontor(&p, data, len, e);
	case IMPORT_SHOPIFY:
		return parse_shopify(&p, data, len, e);
	case IMPORT_WOOCOMMERCE:
		return parse_woo(&p, data, len, e);
	case IMPORT_ETSY:
		return parse_etsy(&p, data, len, e);
	case IMPORT_JSONL:
		return parse_jsonl(&p, data, len, e);
	default:
		return kerr_set(e, K_EUSAGE, "unknown import format");
	}
}
