/* import — sellers' spreadsheets to unsigned listings. See import.h; the column mapping of
 * each format is documented in kontor.1 (listing import). */
#include "import.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <iconv.h>
#include <inttypes.h>
#include <libxml/HTMLparser.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kontor/codes.h"
#include "kontor/papers.h"
#include "kontor/crypto.h"
#include "kontor/csv.h"
#include "kontor/json.h"
#include "kontor/money.h"
#include "kontor/text.h"

#define MAX_OPTIONS 3 /* Shopify Option1..3; Etsy VARIATION 1..2 use 2 */
#define WOO_MAX_ATTRS 16

static const char *const format_names[] = {"auto", "kontor", "shopify", "woocommerce",
                                           "etsy", "jsonl",  "shopee"};

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
	    "--format: '%s' is not one of auto, kontor, shopify, woocommerce, etsy, shopee, jsonl",
	    s);
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

/* --- keys, currencies, encodings ------------------------------------------------------ */

static int is_key_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == '/';
}

int import_sku_key(const char *s, char *out)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	out[0] = 0;
	if (!n)
		return -1;
	size_t ok = 0;
	while (ok < n && is_key_char((unsigned char)s[ok]))
		ok++;
	if (ok == n && n <= MODEL_SKU_MAX) {
		memcpy(out, s, n);
		out[n] = 0;
		return 0;
	}
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	/* the key characters, each run of others as one '-', room left for "-" + 12 hex */
	size_t w = 0, room = MODEL_SKU_MAX - 13;
	for (size_t i = 0; i < n && w < room; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_key_char(c))
			out[w++] = (char)c;
		else if (w && out[w - 1] != '-')
			out[w++] = '-';
	}
	while (w && out[w - 1] == '-')
		w--;
	if (!w) {
		memcpy(out, "sku", 3);
		w = 3;
	}
	snprintf(out + w, MODEL_SKU_MAX + 1 - w, "-%012" PRIx64, (uint64_t)(h & 0xffffffffffffull));
	return 1;
}

/* Alpha-2 and ISO 4217 code of every country with a currency of its own in ISO 4217's list
 * of entities (data/iso4217-minor-units.csv matched to iso-codes' names): the first that is
 * not a fund; US dollar where it is what is used (PA, SV). Sorted, 6 bytes an entry. */
static const char country_currency[] =
    "ADEUR AEAED AFAFN AGXCD AIXCD ALALL AMAMD AOAOA ARARS ASUSD ATEUR AUAUD "
    "AWAWG AXEUR AZAZN BABAM BBBBD BDBDT BEEUR BFXOF BGEUR BHBHD BIBIF BJXOF "
    "BLEUR BMBMD BNBND BOBOB BQUSD BRBRL BSBSD BTBTN BVNOK BWBWP BYBYN BZBZD "
    "CACAD CCAUD CDCDF CFXAF CGXAF CHCHF CIXOF CKNZD CLCLP CMXAF CNCNY COCOP "
    "CRCRC CUCUP CVCVE CWXCG CXAUD CYEUR CZCZK DEEUR DJDJF DKDKK DMXCD DODOP "
    "DZDZD ECUSD EEEUR EGEGP EHMAD ERERN ESEUR ETETB FIEUR FJFJD FKFKP FMUSD "
    "FODKK FREUR GAXAF GBGBP GDXCD GEGEL GFEUR GGGBP GHGHS GIGIP GLDKK GMGMD "
    "GNGNF GPEUR GQXAF GREUR GTGTQ GUUSD GWXOF GYGYD HKHKD HMAUD HNHNL HREUR "
    "HTHTG HUHUF IDIDR IEEUR ILILS IMGBP ININR IOUSD IQIQD IRIRR ISISK ITEUR "
    "JEGBP JMJMD JOJOD JPJPY KEKES KGKGS KHKHR KIAUD KMKMF KNXCD KPKPW KRKRW "
    "KWKWD KYKYD KZKZT LALAK LBLBP LCXCD LICHF LKLKR LRLRD LSLSL LTEUR LUEUR "
    "LVEUR LYLYD MAMAD MCEUR MDMDL MEEUR MFEUR MGMGA MHUSD MKMKD MLXOF MMMMK "
    "MNMNT MOMOP MPUSD MQEUR MRMRU MSXCD MTEUR MUMUR MVMVR MWMWK MXMXN MYMYR "
    "MZMZN NANAD NCXPF NEXOF NFAUD NGNGN NINIO NLEUR NONOK NPNPR NRAUD NUNZD "
    "NZNZD OMOMR PAUSD PEPEN PFXPF PGPGK PHPHP PKPKR PLPLN PMEUR PNNZD PRUSD "
    "PSILS PTEUR PWUSD PYPYG QAQAR REEUR RORON RSRSD RURUB RWRWF SASAR SBSBD "
    "SCSCR SDSDG SESEK SGSGD SHSHP SIEUR SJNOK SKEUR SLSLE SMEUR SNXOF SOSOS "
    "SRSRD SSSSP STSTN SVUSD SXXCG SYSYP SZSZL TCUSD TDXAF TFEUR TGXOF THTHB "
    "TJTJS TKNZD TLUSD TMTMT TNTND TOTOP TRTRY TTTTD TVAUD TWTWD TZTZS UAUAH "
    "UGUGX UMUSD USUSD UYUYU UZUZS VAEUR VCXCD VEVES VGUSD VIUSD VNVND VUVUV "
    "WFXPF WSWST YEYER YTEUR ZAZAR ZMZMW ZWZWG ";

const char *import_country_currency(const char *alpha2)
{
	static char found[4];
	if (!alpha2 || strlen(alpha2) != 2)
		return NULL;
	size_t lo = 0, hi = (sizeof country_currency - 1) / 6;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *e = country_currency + mid * 6;
		int c = memcmp(e, alpha2, 2);
		if (c == 0) {
			memcpy(found, e + 2, 3);
			found[3] = 0;
			return found;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int import_to_utf8(const char *data, size_t len, const char *encoding, struct kbuf *out,
                   struct kerr *e)
{
	kbuf_reset(out);
	iconv_t cd = iconv_open("UTF-8", encoding);
	if (cd == (iconv_t)-1)
		return kerr_set(e, K_EUSAGE,
		                "--encoding: '%.40s' is not a character set this system converts "
		                "(e.g. WINDOWS-1252, ISO-8859-1, UTF-16)",
		                encoding);
	char *in = (char *)data;
	size_t left = len;
	int rc = K_OK;
	kbuf_reserve(out, len + len / 2 + 16);
	while (left) {
		char *o = out->data + out->len;
		size_t room = out->cap - out->len - 1, before = room;
		size_t r = iconv(cd, &in, &left, &o, &room);
		out->len += before - room;
		if (out->len > IMPORT_MAX_BYTES) {
			rc = kerr_set(e, K_ETOOBIG, "--encoding: over %u MiB as UTF-8",
			              IMPORT_MAX_BYTES >> 20);
			break;
		}
		if (r != (size_t)-1)
			continue;
		if (errno == E2BIG) {
			kbuf_reserve(out, out->cap);
			continue;
		}
		size_t at = (size_t)(in - data);
		long line = 1;
		for (size_t i = 0; i < at; i++)
			line += data[i] == '\n';
		rc = kerr_set(e, K_EINVAL, "line %ld: byte 0x%02X %s %s (is --encoding right?)",
		              line, (unsigned char)data[at],
		              errno == EINVAL ? "ends the file inside a character of" : "is not",
		              encoding);
		break;
	}
	/* a stateful decoder (Windows-1258 holds a letter back for its tone mark) gives its last
	 * character only when told the input has ended */
	while (rc == K_OK) {
		char *o = out->data + out->len;
		size_t room = out->cap - out->len - 1, before = room;
		size_t r = iconv(cd, NULL, NULL, &o, &room);
		out->len += before - room;
		if (r != (size_t)-1 || errno != E2BIG)
			break;
		kbuf_reserve(out, out->cap);
	}
	iconv_close(cd);
	if (rc == K_OK && out->len >= 3 && memcmp(out->data, "\xEF\xBB\xBF", 3) == 0) {
		memmove(out->data, out->data + 3, out->len - 3);
		out->len -= 3;
	}
	if (out->data)
		out->data[out->len] = 0;
	return rc;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
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

/* HTML5's named references for the letters of Vietnamese that HTML4 has none for (HTML4's 253
 * are libxml2's htmlEntityLookup), and &apos;. */
static const struct {
	const char *name;
	uint32_t cp;
} html5_named[] = {{"apos", '\''},    {"Abreve", 0x102}, {"abreve", 0x103},
                   {"Dstrok", 0x110}, {"dstrok", 0x111}, {"Itilde", 0x128},
                   {"itilde", 0x129}, {"Utilde", 0x168}, {"utilde", 0x169}};

/* An entity at s[0] == '&'; returns the bytes it takes, 0 when it is not one we decode: a
 * numeric one, one of HTML4's named ones (&eacute; &ndash; &hellip; &euro;...) or of
 * html5_named. */
static size_t h_entity(struct html_out *h, const char *s, size_t n)
{
	size_t max = n < 12 ? n : 12, semi = 1;
	while (semi < max && s[semi] != ';')
		semi++;
	if (semi >= max || s[semi] != ';' || semi < 2)
		return 0;
	const char *name = s + 1;
	size_t len = semi - 1;
	if (name[0] != '#') {
		char nm[12];
		memcpy(nm, name, len);
		nm[len] = 0;
		const htmlEntityDesc *d = htmlEntityLookup((const xmlChar *)nm);
		for (size_t i = 0; !d && i < sizeof html5_named / sizeof html5_named[0]; i++)
			if (strcmp(html5_named[i].name, nm) == 0) {
				h_codepoint(h, html5_named[i].cp);
				return semi + 1;
			}
		if (!d)
			return 0;
		h_codepoint(h, d->value);
		return semi + 1;
	}
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

/* import_html_to_text; nl_breaks: a line break in the text is one too, two or more a paragraph's
 * (as WordPress shows a description: wpautop), though no more than a block tag beside it. */
static void html_to_text(const char *s, size_t n, int nl_breaks, struct kbuf *out)
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
			int nl = 0;
			for (; i < n && is_space(s[i]); i++)
				nl += s[i] == '\n' ||
				      (s[i] == '\r' && (i + 1 >= n || s[i + 1] != '\n'));
			if (nl_breaks && nl)
				h_break(&h, nl > 1 ? 2 : 1, 0);
			else
				h.space = 1;
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

void import_html_to_text(const char *s, size_t n, struct kbuf *out)
{
	html_to_text(s, n, 0, out);
}

/* --- small helpers --------------------------------------------------------------------- */

/* How a file's prices read: PF_DC, with decimal commas (--decimal-comma, or the file is
 * ';'-separated); PF_EXACT, with no decimal past the currency's, zeros too; PF_DOT, a file whose
 * prices write a '.' as the decimal point beyond doubt ("12.50"): there, with decimal commas or
 * not, "1.500" may be either (exact_unless_whole says both). */
enum { PF_DC = 1, PF_EXACT = 2, PF_DOT = 4 };

struct pctx {
	import_cb cb;
	void *ctx;
	const char *name;
	const struct import_opts *o;
	long rows;
	char delim;         /* the file's, once its reader is made */
	int pf;             /* how prices read: PF_DC, PF_EXACT */
	int status_set;     /* the row being emitted said its status (import_row.status_set) */
	int packing_unsaid; /* the file has no packing column (import_row.packing_unsaid) */
	int woo;            /* WooCommerce's escapes are undone in each record (woo_unescape) */
};

/* Hands one result (standing for rows records) to the callback and frees the listing. */
/* The model's rule of prices set now (price_tiers_rule), for a listing a file brings: none at
 * 0 (a shop's free gift is no listing), no quantity break dearer than the one below it. */
static int prices_fault(const struct listing *l, struct kerr *e)
{
	size_t at;
	char a[MONEY_FMT_MAX], b[MONEY_FMT_MAX];
	int broken = price_tiers_rule(l->tiers, l->ntiers, 1, &at);
	if (broken == TIERS_FREE || broken == TIERS_DEARER) {
		money_format(l->tiers[at].unit_price, l->currency, a);
		money_format(at ? l->tiers[at - 1].unit_price : 0, l->currency, b);
		if (broken == TIERS_FREE)
			return kerr_set(e, K_EINVAL,
			                "price: %s %s gives the goods away (a price is above 0)", a,
			                l->currency);
		return kerr_set(
		    e, K_EINVAL,
		    "tiers: %s %s from %lld up is dearer than %s from %lld up (a break lowers "
		    "the price)",
		    a, l->currency, (long long)l->tiers[at].min_qty, b,
		    (long long)l->tiers[at - 1].min_qty);
	}
	const cJSON *v; /* a variant's own price, by the same rule */
	cJSON_ArrayForEach(v, l->variants)
	{
		struct price_tier its = {1, json_int(v, "unitPrice")};
		if (cJSON_GetObjectItemCaseSensitive(v, "unitPrice") &&
		    price_tiers_rule(&its, 1, 1, &at) == TIERS_FREE)
			return kerr_set(
			    e, K_EINVAL,
			    "price: variant %s at 0 gives the goods away (a price is above 0)",
			    json_str(v, "sku") ? json_str(v, "sku") : "?");
	}
	return K_OK; /* breaks out of order: the model's own check names them */
}

static int emit(struct pctx *p, long line, struct listing *l, const struct kerr *err, long rows)
{
	struct kerr pe = {0, ""};
	if (l && !err && prices_fault(l, &pe))
		err = &pe;
	/* variants with counts of their own, every format's: the listing has their sum in all,
	 * or says none where one of them keeps no count (made to order) */
	if (l && !err && listing_variants_stock(l) >= 0)
		l->stock = listing_stock(l);
	struct import_row r = {
	    line, err ? NULL : l, err, 0, rows, !err && p->status_set, p->packing_unsaid};
	p->status_set = 0;
	int rc = p->cb(p->ctx, &r);
	if (l)
		listing_free(l);
	return rc;
}

static int emit_merged(struct pctx *p, long line, long same_as)
{
	struct import_row r = {line, NULL, NULL, same_as, 1, 0, 0};
	return p->cb(p->ctx, &r);
}

static int emit_err(struct pctx *p, long line, long rows, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int emit_err(struct pctx *p, long line, long rows, int code, const char *fmt, ...)
{
	struct kerr e = {code, ""};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof e.msg, fmt, ap);
	va_end(ap);
	return emit(p, line, NULL, &e, rows);
}

/* The reader for the file's records: the delimiter as given, else as the file says; a
 * ';'-separated file (as Excel writes where the comma is the decimal mark) reads decimal
 * commas. */
static struct csv_reader *open_reader(struct pctx *p, const char *data, size_t len)
{
	struct csv_reader *r = csv_reader_new(data, len, p->o->delim, p->name);
	p->delim = csv_reader_delim(r);
	p->pf = p->o->decimal_comma || p->delim == ';' ? PF_DC : 0;
	return r;
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

/* s with each run of white space that holds a line break or a tab (Alt+Enter in an Excel
 * cell) folded to one space, in place: for the fields of one line (a title, a SKU, a
 * category, a tag). */
static char *fold_lines(char *s)
{
	char *w = s;
	for (const char *r = s; *r;) {
		const char *q = r;
		int fold = 0;
		while (is_space(*q))
			fold |= *q++ != ' ';
		if (fold) {
			*w++ = ' ';
			r = q;
		} else if (q > r) {
			while (r < q)
				*w++ = *r++;
		} else {
			*w++ = *r++;
		}
	}
	*w = 0;
	return s;
}

/* A one-line field: trimmed, its line breaks and tabs folded (fold_lines). */
static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = trimdup(v);
	if (*dst)
		fold_lines(*dst);
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

/* l->sku from a SKU as the seller wrote it (import_sku_key), and l->seller_sku when it had
 * to be mapped. K_EINVAL when it is longer than the model keeps of it. */
static int set_sku(struct listing *l, const char *col, const char *v, struct kerr *e)
{
	char key[MODEL_SKU_MAX + 1];
	xfree(&l->sku);
	xfree(&l->seller_sku);
	char *t = fold_lines(xstrdup(v));
	int mapped = import_sku_key(t, key);
	if (mapped < 0) {
		free(t);
		return K_OK;
	}
	l->sku = xstrdup(key);
	int rc = K_OK;
	if (mapped) {
		l->seller_sku = trimdup(t);
		if (strlen(l->seller_sku) > MODEL_SELLER_SKU_MAX)
			rc = kerr_set(e, K_EINVAL, "%s: '%.40s...' is longer than %d bytes", col,
			              l->seller_sku, MODEL_SELLER_SKU_MAX);
	}
	free(t);
	return rc;
}

static void set_html_nl(char **dst, const char *v, int nl_breaks)
{
	struct kbuf b = KBUF_INIT;
	html_to_text(v, strlen(v), nl_breaks, &b);
	free(*dst);
	*dst = b.len ? kbuf_detach(&b, NULL) : NULL;
	kbuf_free(&b);
}

static void set_html(char **dst, const char *v)
{
	set_html_nl(dst, v, 0);
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
			char *item = fold_lines(xstrndup(p, len));
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
	if (*end == '.' && end[1] && end > t && end[-1] >= '0' && end[-1] <= '9' &&
	    strspn(end + 1, "0") == strlen(end + 1))
		*end = 0; /* "12.0": a whole number as a spreadsheet may write it */
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

/* The thousands separators group_sep takes: a '.', a space (also U+00A0 and U+202F), a ','. */
enum { GS_DOT = 1, GS_SPACE = 2, GS_COMMA = 4 };

/* The length of a thousands separator of the kinds which (GS_*) at c, 0 when there is none. */
static size_t group_sep(const char *c, int which)
{
	const unsigned char *u = (const unsigned char *)c;
	if (*c == '.' || *c == ',')
		return (which & (*c == '.' ? GS_DOT : GS_COMMA)) ? 1 : 0;
	if (!(which & GS_SPACE))
		return 0;
	return *c == ' '                                      ? 1
	       : u[0] == 0xC2 && u[1] == 0xA0                 ? 2
	       : u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0xAF ? 3
	                                                      : 0;
}

/* The digits of [s, end) into out at *w, without their thousands separators: 1 to 3 digits,
 * then groups of exactly 3 after each separator (group_sep, of the kinds which). 0 when it is
 * not of that shape; *seps counts the separators. */
static int int_groups(const char *s, const char *end, int which, char *out, size_t cap, size_t *w,
                      int *seps)
{
	size_t group = 0;
	*seps = 0;
	for (const char *c = s; c < end;) {
		size_t sep = group_sep(c, which);
		if (sep) { /* a group ends: the first of 1-3 digits, the others of exactly 3 */
			if (group == 0 || group > 3 || (*seps && group != 3))
				return 0;
			++*seps;
			group = 0;
			c += sep;
			continue;
		}
		if (*c < '0' || *c > '9' || *w + 2 >= cap)
			return 0;
		out[(*w)++] = *c++;
		group++;
	}
	return group && (!*seps || group == 3);
}

/* A decimal-comma amount as money_parse reads it, into out: "12,50" -> "12.50", "1.234,50"
 * and "1 234,50" (a space, U+00A0 or U+202F) -> "1234.50". Thousands separators count only
 * in groups of three; text without a ',' is left as it is (dot_groups reads its thousands).
 * 0 when it does not have that shape. */
static int dc_amount(const char *t, char *out, size_t cap)
{
	const char *comma = strchr(t, ',');
	size_t n = strlen(t);
	if (!comma) {
		if (n >= cap)
			return 0;
		memcpy(out, t, n + 1);
		return 1;
	}
	if (strchr(comma + 1, ',') || !comma[1])
		return 0;
	size_t w = 0;
	int seps;
	if (!int_groups(t, comma, GS_DOT | GS_SPACE, out, cap, &w, &seps))
		return 0;
	out[w++] = '.';
	for (const char *c = comma + 1; *c; c++) {
		if (w + 1 >= cap)
			return 0;
		out[w++] = *c;
	}
	out[w] = 0;
	return 1;
}

/* Whether the amount [s, end) has its thousands grouped by dots that cannot be a decimal point
 * in a file whose prices read as pf says, in currency cur (NULL: any): the digits without
 * them into out. Beyond doubt with two dots or more ("1.250.000"); with decimal commas, in
 * groups of three (spaces too: "1 250 000"), and so one dot and exactly three digits after it
 * ("1.500"), unless the file's other prices write a '.' as the decimal point (PF_DOT: then
 * "1.500" may be either); and that one dot in a currency with no minor unit (VND, JPY, KRW:
 * "250.000"), unless the file's other prices have cents (PF_EXACT). */
static int dot_groups(const char *s, const char *end, int pf, const char *cur, char *out,
                      size_t cap)
{
	size_t w = 0;
	int seps;
	if (!int_groups(s, end, pf & PF_DC ? GS_DOT | GS_SPACE : GS_DOT, out, cap, &w, &seps) ||
	    !seps || *s == '0')
		return 0;
	out[w] = 0;
	return seps > 1 || !memchr(s, '.', (size_t)(end - s)) || ((pf & PF_DC) && !(pf & PF_DOT)) ||
	       (cur && money_minor_units(cur) == 0 && !(pf & PF_EXACT));
}

/* Whether the amount [s, end) writes commas that group thousands before a decimal point, as
 * Excel writes prices where the decimal mark is a '.' ("1,234.00", "12,345,678.5"): its digits
 * without the commas into out. 1 when it does, in groups of three after the first 1 to 3 digits;
 * -1 when its commas group badly ("1,23.00", "1,2345.00"); 0 when it is not of that shape (no
 * ',' before its one '.', or other characters), left to be read as before. */
static int comma_groups(const char *s, const char *end, char *out, size_t cap)
{
	const char *dot = memchr(s, '.', (size_t)(end - s));
	if (!dot || !memchr(s, ',', (size_t)(dot - s)))
		return 0;
	for (const char *c = s; c < end; c++)
		if (!(*c >= '0' && *c <= '9') && !(*c == ',' && c < dot) && c != dot)
			return 0;
	size_t w = 0;
	int seps;
	if (*s == '0' || !int_groups(s, dot, GS_COMMA, out, cap, &w, &seps) ||
	    w + (size_t)(end - dot) >= cap)
		return -1;
	memcpy(out + w, dot, (size_t)(end - dot));
	out[w + (size_t)(end - dot)] = 0;
	return 1;
}

/* Whether the whole amount [s, end) is digits grouped by commas with no decimal point, as Excel
 * writes a price formatted #,##0 ("1,250,000" đồng): its digits into out. Only where no other
 * reading stands: two commas or more (a decimal comma comes once), a currency without minor
 * units (VND, JPY: "85,000" is no 85 with three decimals), or a file whose prices write a
 * decimal point beyond doubt (PF_DOT). 0 otherwise. */
static int comma_integer(const char *s, const char *end, int pf, const char *cur, char *out,
                         size_t cap)
{
	if (!memchr(s, ',', (size_t)(end - s)) || *s == '0')
		return 0;
	size_t w = 0;
	int seps;
	if (!int_groups(s, end, GS_COMMA, out, cap, &w, &seps) ||
	    (seps < 2 && money_minor_units(cur) != 0 && !(pf & PF_DOT)))
		return 0;
	out[w] = '\0';
	return 1;
}

/* The amount in price cell t, rewritten as money_parse reads it into out (a currency sign or
 * code beside it kept): its decimal comma (PF_DC) and thousands separators (comma_groups,
 * dot_groups) taken out. 1 when rewritten, 0 when t stands as it is, -1 when decimal commas
 * read and t is not of their shape ("1.25.000", "12.34,50"), -2 when its commas group
 * thousands badly before a decimal point ("1,23.00"). */
static int amount_norm(const char *t, int pf, const char *cur, char *out, size_t cap)
{
	size_t n = strlen(t), a = 0, b = n;
	while (a < n && !(t[a] >= '0' && t[a] <= '9'))
		a++;
	while (b > a && !(t[b - 1] >= '0' && t[b - 1] <= '9'))
		b--;
	char core[64], num[64];
	if (a == n || b - a >= sizeof core)
		return 0;
	memcpy(core, t + a, b - a);
	core[b - a] = 0;
	int cg;
	if ((pf & PF_DC) && strchr(core, ',')) {
		if (!dc_amount(core, num, sizeof num))
			return -1;
	} else if ((cg = comma_groups(core, core + (b - a), num, sizeof num)) != 0 ||
	           (!(pf & PF_DC) &&
	            (cg = comma_integer(core, core + (b - a), pf, cur, num, sizeof num)) != 0)) {
		if (cg < 0) /* no decimal commas read here: a ',' before the '.' groups */
			return -2;
	} else if (!dot_groups(core, core + (b - a), pf, cur, num, sizeof num)) {
		/* with decimal commas, digits with one '.' ("12.50") are still a decimal point */
		size_t d = strspn(core, "0123456789");
		if ((pf & PF_DC) && core[d] &&
		    !(core[d] == '.' && strspn(core + d + 1, "0123456789") == strlen(core + d + 1)))
			return -1;
		return 0;
	}
	snprintf(out, cap, "%.*s%s%s", (int)a, t, num, t + b);
	return 1;
}

static int blank(const char *s);

/* A shop's count of units on hand (col names its column) added to l's stock, *one what the
 * row says (-1 when blank): shops let it go below zero when they oversell, which is none on
 * hand here. */
static int add_stock_of(struct listing *l, const char *col, const char *v, int64_t *one,
                        struct kerr *e)
{
	*one = -1;
	if (blank(v))
		return K_OK;
	int64_t q;
	int rc = parse_int(col, v, -MONEY_MAX, MONEY_MAX, &q, e);
	if (rc)
		return rc;
	int64_t have = l->stock > 0 ? l->stock : 0;
	q = q > 0 ? q : 0;
	l->stock = q > MONEY_MAX - have ? MONEY_MAX : have + q;
	*one = q;
	return K_OK;
}

/* The stock of l, whose product's row said product (-1: nothing): where its variants keep their
 * own (listing_variants_stock), their sum, and the product's row, when it says, must say that
 * too (col names its column); else the product's row's. */
static int stock_of_variants(struct listing *l, int64_t product, const char *col, struct kerr *e)
{
	int64_t sum = listing_variants_stock(l);
	if (sum >= 0 && product >= 0 && product != sum)
		return kerr_set(e, K_EINVAL,
		                "%s: %lld on the product's row, but its variants' rows say %lld in "
		                "all (leave it blank: the listing's stock is theirs)",
		                col, (long long)product, (long long)sum);
	l->stock = sum >= 0 ? sum : product;
	return K_OK;
}

/* add_stock_of where the row's own count is not kept apart (a product without variants). */
static int add_stock(struct listing *l, const char *col, const char *v, struct kerr *e)
{
	int64_t q;
	return add_stock_of(l, col, v, &q, e);
}

static int parse_price(const char *col, const char *v, const char *cur, int pf, int64_t *out,
                       struct kerr *e)
{
	char *t = trimdup(v);
	if (!t)
		return kerr_set(e, K_EINVAL, "%s: empty (a price in %s is needed)", col, cur);
	char norm[160];
	int how = amount_norm(t, pf, cur, norm, sizeof norm);
	if (how < 0) { /* -2: commas grouping thousands badly; -1: not a decimal comma's shape */
		int rc = kerr_set(e, K_EINVAL,
		                  how == -2 ? "%s: '%.40s' is not an amount with commas grouping "
		                              "thousands (write it like 1,234.50 or 1234.50)"
		                            : "%s: '%.40s' is not an amount with a decimal comma "
		                              "(write it like 1234,50, 1.234,50 or 1.234.567)",
		                  col, t);
		free(t);
		return rc;
	}
	if (how > 0) {
		free(t);
		t = xstrdup(norm);
	}
	int rc = pf & PF_EXACT ? money_parse_exact(t, cur, out, e) : money_parse(t, cur, out, e);
	/* "7,250" KWD: the file gave no sure sign of a decimal comma, but it reads as one */
	char dc[64];
	int64_t as_dc;
	if (rc && !(pf & PF_DC) && dc_amount(t, dc, sizeof dc) && strchr(t, ',') &&
	    money_parse(dc, cur, &as_dc, NULL) == K_OK) {
		size_t n = strlen(e->msg);
		snprintf(e->msg + n, sizeof e->msg - n, "; --decimal-comma reads it as %s", dc);
	}
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

/* A shop's file without a currency column, and no --currency: what (the shop's files) carry
 * none, eg is a currency such a shop often has. */
static int no_currency(const struct pctx *p, const char *what, const char *eg, struct kerr *e)
{
	return kerr_set(e, K_EUSAGE,
	                "%s: %s carry no currency: give --currency CUR (the shop's currency, e.g. "
	                "%s)",
	                p->name, what, eg);
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

static int price_cols_of(enum import_format f, const struct hdr *h, int cols[2]);

/* Calls hit with each cell of the price columns cols[2] (-1: none) in the records after the
 * header of r, until it says 1; 1 when it did. */
static int scan_prices(struct csv_reader *r, const int cols[2],
                       int (*hit)(const char *cell, void *ctx), void *ctx)
{
	struct csv_record rec;
	struct kerr e = {0, ""};
	int found = 0, rc = csv_next(r, &rec, &e); /* the header */
	for (long rows = 0; !found && rc != 0 && rows <= IMPORT_MAX_ROWS; rows++)
		if ((rc = csv_next(r, &rec, &e)) > 0)
			for (int i = 0; !found && i < 2; i++)
				found = cols[i] >= 0 && hit(fget(&rec, cols[i]), ctx);
	return found;
}

/* Whether an amount in cell s has a digit other than 0 after its decimal mark (',' in a cell
 * that has one where decimal commas read, else '.'): "11.50" has; "245000.00", "1200" and
 * "100:9.00|500:8.00" have not. */
static int not_whole(const char *s, void *ctx)
{
	char mark = (*(const int *)ctx & PF_DC) && strchr(s, ',') ? ',' : '.';
	for (; *s; s++) {
		if (mark == '.' && *s >= '1' && *s <= '9') {
			/* "1.250.000", "250.000": dots that group thousands (or may) are no cents
			 */
			size_t run = strspn(s, "0123456789."), w = 0;
			char digits[64];
			int seps;
			if (int_groups(s, s + run, GS_DOT, digits, sizeof digits, &w, &seps) &&
			    seps) {
				s += run - 1;
				continue;
			}
			s += strspn(s, "0123456789") - 1;
			continue;
		}
		if (*s == mark)
			for (const char *d = s + 1; *d >= '0' && *d <= '9'; d++)
				if (*d != '0')
					return 1;
	}
	return 0;
}

/* Whether cell s writes a '.' as a decimal point beyond doubt: a digit, a '.' and one or two
 * digits, then no digit, '.' or ',' ("12.50", "245000.00", "100:9.5|500:8.00"). */
static int dot_decimal(const char *s, void *ctx)
{
	(void)ctx;
	for (const char *c = strchr(s, '.'); c; c = strchr(c + 1, '.')) {
		size_t n = strspn(c + 1, "0123456789");
		char after = c[1 + n];
		if (c > s && c[-1] >= '0' && c[-1] <= '9' && n >= 1 && n <= 2 && after != '.' &&
		    after != ',')
			return 1;
	}
	return 0;
}

/* PF_EXACT unless every price in the file (of format f, header h) is whole. A shop writes its
 * prices with two decimals whatever the currency ("245000.00" from a shop in VND, which has
 * none), and those zeros then change nothing. But a file with cents in it is in a currency
 * with cents: read as VND for want of a currency column, its "12.00" would be twelve đồng, so
 * every decimal stays refused and --currency is the way out. */
static int exact_unless_whole(const struct pctx *p, const char *data, size_t len,
                              enum import_format f, const struct hdr *h)
{
	int cols[2], pf = p->pf;
	if (!price_cols_of(f, h, cols))
		return 0;
	struct csv_reader *r = csv_reader_new(data, len, p->delim, p->name);
	int cents = scan_prices(r, cols, not_whole, &pf);
	csv_reader_free(&r);
	/* with decimal commas or not: a '.' decimal point elsewhere makes "1,250" whole */
	r = csv_reader_new(data, len, p->delim, p->name);
	int dot = scan_prices(r, cols, dot_decimal, NULL);
	csv_reader_free(&r);
	return (cents ? PF_EXACT : 0) | (dot ? PF_DOT : 0);
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
	return emit(p, line, NULL, &e, 1);
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

/* Reads the header record; a file-level error when there is none, or when it lacks one of
 * the three columns a fmt file needs (need NULL: the caller checks its own). */
static int read_header(struct csv_reader *r, struct hdr *h, const char *name, const char *fmt,
                       const char *const need[3], struct kerr *e)
{
	struct csv_record rec;
	int rc = csv_next(r, &rec, e);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return kerr_set(e, K_EINVAL, "%s: empty file (no header line)", name);
	hdr_load(h, &rec);
	return need ? need_cols(h, name, fmt, need, 3, e) : K_OK;
}

/* Whether every field of rec is empty or white space: a row of nothing but delimiters, as
 * Excel writes below a table (",,,,,," or ";;;;"), which is no row of the seller's. */
static int rec_empty(const struct csv_record *rec)
{
	for (size_t i = 0; i < rec->nfields; i++)
		if (!blank(rec->fields[i]))
			return 0;
	return 1;
}

/* WooCommerce's exporter writes a value that begins with = + - or @ after an apostrophe, lest
 * a spreadsheet run it as a formula ("'-3", "'@NL-1"): the apostrophe is taken out again, as
 * WooCommerce's own importer does. In place. */
static void woo_unescape(struct csv_record *rec)
{
	for (size_t i = 0; i < rec->nfields; i++) {
		char *f = rec->fields[i];
		if (f[0] == '\'' && f[1] && strchr("=+-@", f[1]))
			memmove(f, f + 1, strlen(f));
	}
}

/* csv_next for the records after the header: empty ones (rec_empty) skipped, as blank lines
 * are; a WooCommerce file's unescaped (woo_unescape). */
static int next_row(const struct pctx *p, struct csv_reader *r, struct csv_record *rec,
                    struct kerr *e)
{
	int rc;
	while ((rc = csv_next(r, rec, e)) > 0 && rec_empty(rec))
		;
	if (rc > 0 && p->woo)
		woo_unescape(rec);
	return rc;
}

/* Next data record: 1 = rec, 0 = end, <0 = stop (callback or limit); reader errors are
 * reported as row errors and skipped. */
/* The next record: 1, or 2 for one the reader refused (its error in ce), 0 after the last. */
static int next_rec_or_bad(struct pctx *p, struct csv_reader *r, struct csv_record *rec,
                           struct kerr *ce, struct kerr *e)
{
	*ce = (struct kerr){0, ""};
	int rc = next_row(p, r, rec, ce);
	if (rc == 0)
		return 0;
	if (++p->rows > IMPORT_MAX_ROWS)
		return kerr_set(e, K_ETOOBIG, "%s: more than %ld rows", p->name, IMPORT_MAX_ROWS);
	return rc > 0 ? 1 : 2;
}

static int next_rec(struct pctx *p, struct csv_reader *r, struct csv_record *rec, struct kerr *e)
{
	for (;;) {
		struct kerr ce;
		int rc = next_rec_or_bad(p, r, rec, &ce, e);
		if (rc != 2)
			return rc;
		if ((rc = csv_row_error(p, &ce)))
			return rc > 0 ? -rc : rc;
	}
}

/* Fills l from one record of a file whose columns cols finds (its struct hdr or etsy_cols):
 * non-zero with e filled when the record is bad. */
typedef int (*row_fn)(const void *cols, const struct csv_record *rec, const char *dflt_cur, int pf,
                      struct listing *l, struct kerr *e);

/* The records after the header, one listing each as row fills it; a record whose status
 * column (-1: none) is not blank sets the listing's status. */
static int read_rows(struct pctx *p, struct csv_reader *r, row_fn row, const void *cols, int status,
                     struct kerr *e)
{
	struct csv_record rec;
	int rc = K_OK;
	while (rc == K_OK && (rc = next_rec(p, r, &rec, e)) == 1) {
		struct listing l;
		struct kerr re = {0, ""};
		listing_init(&l);
		int bad = row(cols, &rec, p->o->currency, p->pf, &l, &re);
		p->status_set = !blank(fget(&rec, status));
		rc = emit(p, rec.line, &l, bad ? &re : NULL, 1);
	}
	return rc;
}

/* --- variants ------------------------------------------------------------------------- */

/* Adds {sku, options, unitPrice, sellerSku, stock} to l->variants (price and stock -1: none), the
 * SKU as a key (import_sku_key) and, when written by the seller (not made up here) and mapped, as
 * written; K_EINVAL for a repeated option name. */
static int add_variant(struct listing *l, const char *sku_in, int written, const char *const *names,
                       const char *const *values, size_t n, int64_t price, int64_t stock,
                       struct kerr *e)
{
	if (l->variants && cJSON_GetArraySize(l->variants) >= MODEL_VARIANTS_MAX)
		return kerr_set(e, K_EINVAL, "variants: more than %d", MODEL_VARIANTS_MAX);
	char key[MODEL_SKU_MAX + 1], sku[MODEL_SELLER_SKU_MAX + 2];
	snprintf(sku, sizeof sku, "%s", sku_in);
	fold_lines(sku);
	int mapped = import_sku_key(sku, key);
	if (mapped > 0 && written && strlen(sku_in) > MODEL_SELLER_SKU_MAX)
		return kerr_set(e, K_EINVAL, "variant SKU '%.40s...' is longer than %d bytes", sku,
		                MODEL_SELLER_SKU_MAX);
	cJSON *v = cJSON_CreateObject();
	cJSON_AddStringToObject(v, "sku", key);
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
	if (mapped > 0 && written)
		cJSON_AddStringToObject(v, "sellerSku", sku);
	listing_variant_set_stock(v, stock);
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

/* A kontor CSV's one unit's weights and packing: net_kg and gross_kg (12.5, or 12,5),
 * per_package (4:CT); blank says none. */
static int packing_cells(const struct hdr *h, const struct csv_record *rec, struct listing *l,
                         struct kerr *e)
{
	static const char *const kg[] = {"net_kg", "gross_kg"};
	int64_t *grams[] = {&l->net_grams, &l->gross_grams};
	for (int i = 0; i < 2; i++) {
		char *v = trimdup(fget(rec, hcol(h, kg[i])));
		int bad = v && (papers_kg_parse(v, grams[i]) || *grams[i] > MODEL_GRAMS_MAX);
		if (bad)
			kerr_set(e, K_EINVAL,
			         "%s: '%.24s' is not a weight in kg like 12.5 (at most 3 decimals, "
			         "up to %d t)",
			         kg[i], v, MODEL_GRAMS_MAX / 1000000);
		free(v);
		if (bad)
			return K_EINVAL;
	}
	char *v = trimdup(fget(rec, hcol(h, "per_package")));
	int bad = v && papers_packages_parse(v, &l->units_per_package, l->package_code);
	if (bad)
		kerr_set(e, K_EINVAL,
		         "per_package: '%.24s' is not COUNT:CODE like 4:CT (units to a package of "
		         "UN/ECE Rec 21 CODE: CT carton, BX box, PX pallet, BG bag...)",
		         v);
	free(v);
	return bad ? K_EINVAL : K_OK;
}

/* --- kontor's own CSV --------------------------------------------------------------------- */

static int kontor_row(const void *cols, const struct csv_record *rec, const char *dflt_cur, int pf,
                      struct listing *l, struct kerr *e)
{
	const struct hdr *h = cols;
	int rc;
	const char *v;
	if ((rc = set_sku(l, "sku", fget(rec, hcol(h, "sku")), e)))
		return rc;
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
	if (!blank(v = fget(rec, hcol(h, "stock"))) &&
	    (rc = parse_int("stock", v, 0, MONEY_MAX, &l->stock, e)))
		return rc;
	if ((rc = packing_cells(h, rec, l, e)))
		return rc;
	struct kstrv tiers = {0};
	split_list(&tiers, fget(rec, hcol(h, "tiers")), '|', 0, 0);
	if (tiers.n + 1 > MODEL_TIERS_MAX) {
		kstrv_free(&tiers);
		return kerr_set(e, K_EINVAL, "tiers: at most %d price tiers", MODEL_TIERS_MAX - 1);
	}
	l->tiers = xcalloc(tiers.n + 1, sizeof *l->tiers);
	l->tiers[0].min_qty = l->moq;
	rc = parse_price("price", fget(rec, hcol(h, "price")), l->currency, pf,
	                 &l->tiers[0].unit_price, e);
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
		    (rc = parse_price("tiers", colon + 1, l->currency, pf, &t->unit_price, e)))
			break;
		if (t->min_qty <= t[-1].min_qty) { /* the model's order, in the column's words */
			rc = kerr_set(
			    e, K_EINVAL,
			    l->ntiers == 1
			        ? "tiers: a break from %lld is not above the moq of %lld "
			          "(price is the price from the MOQ; a break starts above it)"
			        : "tiers: a break from %lld after one from %lld (list them "
			          "from the smallest quantity up)",
			    (long long)t->min_qty, (long long)t[-1].min_qty);
			break;
		}
		l->ntiers++;
	}
	kstrv_free(&tiers);
	if (rc)
		return rc;
	char hs[CODES_HS_MAX + 1];
	if (!blank(v = fget(rec, hcol(h, "unit")))) {
		char *word = trimdup(v);
		rc = codes_unit_parse(word, l->unit, "unit", e);
		free(word);
		if (rc)
			return rc;
	}
	set_str(&l->hs_code, fget(rec, hcol(h, "hs_code")));
	if (l->hs_code && codes_hs_code(l->hs_code, hs))
		snprintf(l->hs_code, strlen(l->hs_code) + 1, "%s", hs);
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

/* A product of kontor's CSV: its row and the variant rows after it. */
struct kgroup {
	int open;
	long line, rows, err_line; /* err_line 0: no error */
	char *sku;                 /* as written on the product's row: its variants name it */
	int status_set;
	struct listing l;
	struct kerr err;
};

static void kgroup_fail(struct kgroup *g, long line, const struct kerr *e)
{
	if (!g->err_line) {
		g->err_line = line;
		g->err = *e;
	}
}

/* The product out: its variants' stock, where they keep their own, is the listing's. */
static int kgroup_finish(struct pctx *p, struct kgroup *g)
{
	if (!g->open)
		return K_OK;
	struct kerr e = {0, ""};
	if (!g->err_line && stock_of_variants(&g->l, g->l.stock, "stock", &e))
		kgroup_fail(g, g->line, &e);
	p->status_set = g->status_set;
	int rc = emit(p, g->err_line ? g->err_line : g->line, g->err_line ? NULL : &g->l,
	              g->err_line ? &g->err : NULL, g->rows);
	if (g->err_line)
		listing_free(&g->l);
	xfree(&g->sku);
	memset(g, 0, sizeof *g);
	return rc;
}

/* The columns a variant's row may fill: the rest are its product's. */
static const char *const kontor_variant_cols[] = {"sku",   "variant_of", "options",
                                                  "price", "stock",      "currency"};

/* One variant row of kontor's CSV added to its product g->l: sku, options ("Size: L|Colour:
 * red"; a value alone is a "Variation"), price (else the listing's) and stock. */
static int kontor_variant(const struct hdr *h, const struct csv_record *rec, int pf,
                          struct kgroup *g, struct kerr *e)
{
	for (size_t i = 0; i < h->names.n; i++) {
		size_t k = 0;
		while (k < sizeof kontor_variant_cols / sizeof *kontor_variant_cols &&
		       strcasecmp(h->names.v[i], kontor_variant_cols[k]))
			k++;
		if (k == sizeof kontor_variant_cols / sizeof *kontor_variant_cols &&
		    !blank(fget(rec, (int)i)))
			return kerr_set(
			    e, K_EINVAL,
			    "%s: a variant's row leaves it blank (its product's row says "
			    "it; a variant gives only sku, options, price and stock)",
			    h->names.v[i]);
	}
	char *cur = trimdup(fget(rec, hcol(h, "currency")));
	int rc = K_OK;
	if (cur && strcasecmp(cur, g->l.currency))
		rc = kerr_set(e, K_EINVAL, "currency: %.8s, but its product's is %s", cur,
		              g->l.currency);
	free(cur);
	char *sku = trimdup(fget(rec, hcol(h, "sku")));
	if (!rc && !sku)
		rc = kerr_set(e, K_EINVAL, "sku: empty (each variant has its own)");
	struct kstrv opts = {0};
	split_list(&opts, fget(rec, hcol(h, "options")), '|', 0, 0);
	if (!rc && !opts.n)
		rc = kerr_set(e, K_EINVAL,
		              "options: empty (a variant is named by them, e.g. Size: L)");
	if (!rc && opts.n > 16)
		rc = kerr_set(e, K_EINVAL, "options: more than 16");
	const char *names[16], *values[16];
	for (size_t i = 0; !rc && i < opts.n; i++) {
		char *o = opts.v[i], *colon = strstr(o, ": ");
		size_t n = strlen(o);
		if (!colon && n && o[n - 1] == ':') /* "Size:", its value left out */
			colon = o + n - 1;
		names[i] = "Variation";
		values[i] = o;
		if (colon) {
			*colon = 0;
			names[i] = o;
			values[i] = colon + 1 + (colon[1] == ' ');
			while (is_space(*values[i]))
				values[i]++;
		}
		if (!*values[i])
			rc = kerr_set(e, K_EINVAL, "options: '%.40s' has no value (NAME: VALUE)",
			              names[i]);
		else if (!*names[i])
			rc = kerr_set(e, K_EINVAL, "options: '%.40s' has no name (NAME: VALUE)",
			              values[i]);
	}
	int64_t price = -1, stock = -1;
	const char *v;
	if (!rc && !blank(v = fget(rec, hcol(h, "price"))))
		rc = parse_price("price", v, g->l.currency, pf, &price, e);
	if (!rc && !blank(v = fget(rec, hcol(h, "stock"))))
		rc = parse_int("stock", v, 0, MONEY_MAX, &stock, e);
	if (!rc)
		rc = add_variant(&g->l, sku, 1, names, values, opts.n, price, stock, e);
	kstrv_free(&opts);
	free(sku);
	return rc;
}

/* Rows one listing each, but that a row whose variant_of names the product on the rows
 * just above is a variant of it. */
static int parse_kontor(struct pctx *p, const char *data, size_t len, struct kerr *e)
{
	struct csv_reader *r = open_reader(p, data, len);
	struct hdr h = {{0}};
	static const char *const need[] = {"sku", "title", "price"};
	int rc = read_header(r, &h, p->name, "kontor", need, e);
	if (rc == K_OK && hcol(&h, "currency") < 0 && !p->o->currency)
		rc = kerr_set(e, K_EUSAGE,
		              "%s: no 'currency' column: give --currency CUR for its prices",
		              p->name);
	struct kgroup g = {0};
	p->packing_unsaid =
	    hcol(&h, "net_kg") < 0 && hcol(&h, "gross_kg") < 0 && hcol(&h, "per_package") < 0;
	if (rc == K_OK) {
		p->pf |= exact_unless_whole(p, data, len, IMPORT_KONTOR, &h);
		int of = hcol(&h, "variant_of");
		struct csv_record rec;
		struct kerr ce;
		while (rc == K_OK && (rc = next_rec_or_bad(p, r, &rec, &ce, e)) > 0) {
			if (rc == 2) { /* a row the reader refused ends the product before it */
				if ((rc = kgroup_finish(p, &g)) == K_OK &&
				    (rc = csv_row_error(p, &ce)))
					rc = rc > 0 ? -rc : rc;
				continue;
			}
			struct kerr re = {0, ""};
			char *parent = trimdup(fget(&rec, of));
			if (parent && g.open && g.sku && strcmp(parent, g.sku) == 0) {
				g.rows++;
				if (!g.err_line && kontor_variant(&h, &rec, p->pf, &g, &re))
					kgroup_fail(&g, rec.line, &re);
				rc = K_OK;
			} else if (parent) {
				rc = kgroup_finish(p, &g);
				if (rc == K_OK)
					rc = emit_err(
					    p, rec.line, 1, K_EINVAL,
					    "variant_of: '%.64s' is not the product on the rows "
					    "above (a variant's row follows its product's row)",
					    parent);
			} else if ((rc = kgroup_finish(p, &g)) == K_OK) {
				g.open = 1;
				g.line = rec.line;
				g.rows = 1;
				g.sku = trimdup(fget(&rec, hcol(&h, "sku")));
				g.status_set = !blank(fget(&rec, hcol(&h, "status")));
				listing_init(&g.l);
				if (kontor_row(&h, &rec, p->o->currency, p->pf, &g.l, &re))
					kgroup_fail(&g, rec.line, &re);
				else if (!blank(fget(&rec, hcol(&h, "options"))))
					kgroup_fail(
					    &g, rec.line,
					    &(struct kerr){K_EINVAL,
					                   "options: a product's row leaves "
					                   "it blank (each variant's row, "
					                   "with variant_of, gives its own)"});
			}
			free(parent);
		}
		if (rc == K_OK)
			rc = kgroup_finish(p, &g);
	}
	if (g.open) /* the parse stopped */
		listing_free(&g.l);
	xfree(&g.sku);
	kstrv_free(&h.names);
	csv_reader_free(&r);
	return rc;
}

/* --- Shopify ------------------------------------------------------------------------------ */

/* 1 when cell v is word, case and the spaces around it aside */
static int says(const char *v, const char *word)
{
	while (is_space(*v))
		v++;
	size_t n = strlen(word);
	if (strncasecmp(v, word, n) != 0)
		return 0;
	for (v += n; is_space(*v); v++)
		;
	return *v == '\0';
}

struct shop_cols {
	int handle, title, body, category, type, tags, published, status, vsku, vprice, image, inv;
	int inv_tracker, inv_policy; /* Shopify's: whether it keeps the count, sells past it */
	int grams;                   /* Shopify's Variant Grams: what a unit ships weighing */
	int opt_name[MAX_OPTIONS], opt_value[MAX_OPTIONS];
};

struct shop_group {
	int open;
	long line;    /* the product's first row */
	long rows;    /* records in the group */
	char *handle; /* as written: the rows of the product repeat it */
	struct listing l;
	char *opt_name[MAX_OPTIONS];
	int64_t min_price;
	int nvar;
	int64_t grams;    /* the first variant's shipping weight (0: none said) */
	int grams_differ; /* its variants weigh differently: no one weight is the listing's */
	long err_line;    /* 0 = no error */
	struct kerr err;
};

static void shop_reset(struct shop_group *g)
{
	if (g->open)
		listing_free(&g->l);
	for (int i = 0; i < MAX_OPTIONS; i++)
		xfree(&g->opt_name[i]);
	xfree(&g->handle);
	memset(g, 0, sizeof *g);
}

static int shop_finish(struct pctx *p, struct shop_group *g)
{
	if (!g->open)
		return K_OK;
	int rc;
	if (g->err_line) {
		rc = emit(p, g->err_line, NULL, &g->err, g->rows);
	} else if (!g->nvar) {
		rc = emit_err(p, g->line, g->rows, K_EINVAL,
		              "Variant Price: product '%.64s' has no row with a price", g->handle);
	} else {
		set_single_price(&g->l, g->min_price);
		settle_variants(&g->l);
		if (!g->grams_differ && g->grams > 0)
			g->l.gross_grams = g->grams;
		rc = emit(p, g->line, &g->l, NULL, g->rows);
		g->open = 0; /* emit freed it */
	}
	shop_reset(g);
	return rc;
}

/* The end of a file of grouped rows (Shopify's, Shopee's): the last product out unless the
 * parse stopped (rc), then the header and the reader freed. */
static int shop_close(struct pctx *p, struct shop_group *g, struct hdr *h, struct csv_reader **r,
                      int rc)
{
	if (rc == 0)
		rc = shop_finish(p, g);
	shop_reset(g);
	kstrv_free(&h->names);
	csv_reader_free(r);
	return rc;
}

/* The next variant's shipping weight (grams, 0 none said), before it is counted: the
 * listing's gross weight of one unit where all its variants weigh the same (shop_finish). */
static void shop_weigh(struct shop_group *g, int64_t grams)
{
	if (!g->nvar)
		g->grams = grams;
	else if (grams != g->grams)
		g->grams_differ = 1;
}

static int shop_fail(struct shop_group *g, long line, const struct kerr *e)
{
	if (!g->err_line) {
		g->err_line = line;
		g->err = *e;
		kerr_prefix(&g->err, "product '%.64s'", g->handle ? g->handle : "?");
	}
	return K_OK;
}

static void shop_row(struct shop_group *g, const struct shop_cols *c, const struct csv_record *rec,
                     const char *cur, int pf)
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
	/* the product's stock: its variants', each its own and summed; a count Shopify does not
	 * keep (no Inventory Tracker: made to order) or sells past (policy 'continue') is no
	 * stock said, not none on hand */
	int64_t inv = -1;
	int kept = (c->inv_tracker < 0 || !blank(fget(rec, c->inv_tracker))) &&
	           !says(fget(rec, c->inv_policy), "continue");
	if (!g->err_line && kept &&
	    add_stock_of(&g->l, "Variant Inventory Qty", fget(rec, c->inv), &inv, &e))
		shop_fail(g, rec->line, &e);
	char *sku = trimdup(fget(rec, c->vsku));
	const char *price = fget(rec, c->vprice);
	if (!g->err_line && (any || sku || !blank(price))) {
		int64_t amount;
		if (parse_price("Variant Price", price, cur, pf, &amount, &e)) {
			shop_fail(g, rec->line, &e);
		} else {
			char dsku[MODEL_SKU_MAX + 32];
			if (!sku)
				snprintf(dsku, sizeof dsku, "%s-%d", g->l.sku, g->nvar + 1);
			if (add_variant(&g->l, sku ? sku : dsku, sku != NULL, names, values,
			                MAX_OPTIONS, amount, inv, &e))
				shop_fail(g, rec->line, &e);
			if (!g->nvar || amount < g->min_price)
				g->min_price = amount;
			/* a weight Shopify keeps in whole grams ("2500", "2500.0"); anything else,
			 * or none, is no weight said: it never fails the row */
			char *gv = trimdup(fget(rec, c->grams)), *end = NULL;
			long long gr = gv ? strtoll(gv, &end, 10) : 0;
			if (!gv || end == gv || (*end && strcmp(end, ".0")) || gr < 1 ||
			    gr > MODEL_GRAMS_MAX)
				gr = 0;
			free(gv);
			shop_weigh(g, gr);
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
		return no_currency(p, "Shopify exports", "USD", e);
	struct csv_reader *r = open_reader(p, data, len);
	struct hdr h = {{0}};
	static const char *const need[] = {"Handle", "Title", "Variant Price"};
	int rc = read_header(r, &h, p->name, "Shopify", need, e);
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
	                      hcol(&h, "Variant Inventory Qty"),
	                      hcol(&h, "Variant Inventory Tracker"),
	                      hcol(&h, "Variant Inventory Policy"),
	                      hcol(&h, "Variant Grams"),
	                      {0},
	                      {0}};
	for (int i = 0; i < MAX_OPTIONS; i++) {
		char nm[32];
		snprintf(nm, sizeof nm, "Option%d Name", i + 1);
		c.opt_name[i] = hcol(&h, nm);
		snprintf(nm, sizeof nm, "Option%d Value", i + 1);
		c.opt_value[i] = hcol(&h, nm);
	}
	if (rc == K_OK)
		p->pf |= exact_unless_whole(p, data, len, IMPORT_SHOPIFY, &h);
	struct shop_group g;
	memset(&g, 0, sizeof g);
	struct csv_record rec;
	while (rc == K_OK && (rc = next_rec(p, r, &rec, e)) == 1) {
		char *handle = trimdup(fget(&rec, c.handle));
		rc = K_OK;
		if (!handle) {
			rc = emit_err(p, rec.line, 1, K_EINVAL,
			              "Handle: empty (the Handle is the listing's key)");
			continue;
		}
		if (g.open && strcmp(handle, g.handle) != 0 && (rc = shop_finish(p, &g))) {
			free(handle);
			break;
		}
		if (!g.open) {
			g.open = 1;
			g.line = rec.line;
			listing_init(&g.l);
			g.handle = handle;
			handle = NULL;
			struct kerr re = {0, ""};
			if (set_sku(&g.l, "Handle", g.handle, &re))
				shop_fail(&g, rec.line, &re);
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
		g.rows++;
		shop_row(&g, &c, &rec, p->o->currency, p->pf);
	}
	return shop_close(p, &g, &h, &r, rc);
}

/* --- WooCommerce ------------------------------------------------------------------------ */

struct woo_cols {
	int id, type, sku, name, published, shortdesc, desc, regular, sale, categories, tags,
	    images, parent, grouped, stock, instock, backorders;
	int weight;          /* "Weight (kg)", "(g)", "(lbs)" or "(oz)": the shop's unit */
	double weight_grams; /* grams in one of that unit */
	int nattr;
	int attr_name[WOO_MAX_ATTRS], attr_value[WOO_MAX_ATTRS];
};

/* Pass 1 keeps one per record, in file order: what pass 2 needs to merge exact repeats and
 * fail conflicting ones. */
struct woo_rec {
	size_t offset; /* where the record starts: a conflict is read again to name the column */
	long line;
	uint8_t hash[16]; /* BLAKE2b-128 of the fields */
	long same_as;     /* an exact repeat of this earlier line: merged */
	size_t clash;     /* 1 + index of a row with this row's ID or SKU but other values */
	char clash_by;    /* 'i' the ID, 's' the SKU */
	int read;         /* 0: the reader refused it (reported as a row error in pass 2) */
};

/* A variation row and whether a product's result counts it yet. */
struct woo_var {
	size_t rec;
	long line;
	char *parent; /* as written: a SKU or "id:NN" */
	char *sku;
	char *price;  /* regular price, else sale price */
	char *stock;  /* its own count; NULL (blank or "parent"): none, or the product's shared */
	char *weight; /* its own shipping weight; NULL: the product's */
	int past;     /* Backorders allowed?: sold past its count, so it says none */
	int out;      /* In stock? 0 and no Stock: out of stock, marked by hand */
	char *names[WOO_MAX_ATTRS];
	char *values[WOO_MAX_ATTRS];
	int claimed;
};

/* Backorders allowed? 1 or notify: WooCommerce sells past the row's Stock, which is then no
 * limit (as Shopify's policy 'continue'): no count said. */
static int woo_sells_past(const struct woo_cols *c, const struct csv_record *rec)
{
	const char *b = fget(rec, c->backorders);
	return says(b, "1") || says(b, "notify") || says(b, "yes");
}

/* A simple or external product: what a grouped product may list as a child. */
struct woo_simple {
	size_t rec;
	long line;
	char *sku, *idkey, *name, *price;
};

struct woo_key {
	const char *key; /* owned by what it points into */
	size_t i;
};

struct woo {
	struct pctx *p;
	const char *data;
	size_t len;
	struct woo_cols c;
	struct hdr h;
	struct woo_rec *recs;
	size_t nrecs;
	struct woo_var *vars; /* sorted by parent, then line */
	size_t nvars;
	struct woo_simple *simples;
	size_t nsimples;
	struct woo_key *skeys; /* the simples by SKU and by id:ID, sorted */
	size_t nskeys;
	struct kstrv parents; /* SKUs and id:IDs of the variable products, sorted */
};

static void woo_var_free(struct woo_var *v)
{
	free(v->parent);
	free(v->sku);
	free(v->price);
	free(v->stock);
	free(v->weight);
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

static int cmp_key(const void *a, const void *b)
{
	const struct woo_key *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->i > y->i) - (x->i < y->i);
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

/* The fields of the record at offset, copied into sv. */
static void woo_reread(const struct woo *w, size_t offset, struct kstrv *sv)
{
	struct csv_reader *r =
	    csv_reader_new(w->data + offset, w->len - offset, w->p->delim, w->p->name);
	struct csv_record rec;
	struct kerr e;
	if (next_row(w->p, r, &rec, &e) == 1)
		for (size_t i = 0; i < rec.nfields; i++)
			kstrv_push(sv, rec.fields[i]);
	csv_reader_free(&r);
}

/* Fills e with why record a fails: it shares its ID or SKU with record b, whose values
 * differ (the first column where they do is named). */
static int woo_clash_err(const struct woo *w, size_t a, struct kerr *e)
{
	const struct woo_rec *ra = &w->recs[a], *rb = &w->recs[ra->clash - 1];
	struct kstrv fa = {0}, fb = {0};
	woo_reread(w, ra->offset, &fa);
	woo_reread(w, rb->offset, &fb);
	/* the first column that differs, the ID last: two rows of one SKU differ in it anyway */
	const char *col = "column";
	size_t n = fa.n > fb.n ? fa.n : fb.n, at = n;
	for (size_t i = 0; i < n && at == n; i++)
		if ((i >= fa.n || i >= fb.n || strcmp(fa.v[i], fb.v[i]) != 0) && (int)i != w->c.id)
			at = i;
	if (at == n && w->c.id >= 0)
		at = (size_t)w->c.id;
	if (at < w->h.names.n && *w->h.names.v[at])
		col = w->h.names.v[at];
	int by_id = ra->clash_by == 'i';
	int ki = by_id ? w->c.id : w->c.sku;
	char *key = ki >= 0 && (size_t)ki < fa.n ? trimdup(fa.v[ki]) : NULL;
	kerr_set(e, K_EINVAL,
	         "%s '%.64s' is on line %ld too, with another %.40s (one row each: fix or drop "
	         "one of them)",
	         by_id ? "ID" : "SKU", key ? key : "", rb->line, col);
	free(key);
	kstrv_free(&fa);
	kstrv_free(&fb);
	return K_EINVAL;
}

/* Marks exact repeats (merged into the first) and rows that share an ID or a SKU with
 * another but differ from it (both fail). keys: "i" ID and "s" SKU of each record. */
static void woo_mark_repeats(struct woo *w, struct woo_key *keys, size_t nkeys)
{
	/* (hash as hex, index) sorted: equal rows end up side by side, the first one first */
	struct woo_key *hk = xcalloc(w->nrecs + 1, sizeof *hk);
	char *hex = xcalloc(w->nrecs + 1, 33);
	size_t n = 0;
	for (size_t i = 0; i < w->nrecs; i++) {
		if (!w->recs[i].read)
			continue;
		for (int b = 0; b < 16; b++)
			snprintf(hex + n * 33 + b * 2, 3, "%02x", w->recs[i].hash[b]);
		hk[n].key = hex + n * 33;
		hk[n++].i = i;
	}
	qsort(hk, n, sizeof *hk, cmp_key);
	for (size_t k = 1; k < n; k++)
		if (strcmp(hk[k].key, hk[k - 1].key) == 0) {
			const struct woo_rec *first = &w->recs[hk[k - 1].i];
			w->recs[hk[k].i].same_as = first->same_as ? first->same_as : first->line;
		}
	free(hk);
	free(hex);
	qsort(keys, nkeys, sizeof *keys, cmp_key);
	for (size_t k = 0; k < nkeys;) {
		size_t end = k + 1;
		while (end < nkeys && strcmp(keys[end].key, keys[k].key) == 0)
			end++;
		size_t first = (size_t)-1;
		for (size_t j = k; j < end; j++) {
			struct woo_rec *r = &w->recs[keys[j].i];
			if (r->same_as)
				continue;
			if (first == (size_t)-1) {
				first = keys[j].i;
				continue;
			}
			struct woo_rec *f = &w->recs[first];
			if (!r->clash) {
				r->clash = first + 1;
				r->clash_by = keys[k].key[0];
			}
			if (!f->clash) {
				f->clash = keys[j].i + 1;
				f->clash_by = keys[k].key[0];
			}
		}
		k = end;
	}
}

static void woo_hash(const struct csv_record *rec, struct kbuf *scratch, uint8_t out[16])
{
	kbuf_reset(scratch);
	for (size_t i = 0; i < rec->nfields; i++) {
		kbuf_puts(scratch, rec->fields[i]);
		kbuf_putc(scratch, '\x1f'); /* a unit separator: ("ab","c") is not ("a","bc") */
	}
	kcrypto_blake2b(out, 16, scratch->data ? scratch->data : "", scratch->len, NULL, 0);
}

/* Pass 1: every record's place, hash and keys; the variations, the variable products' keys
 * and the simple products (a grouped product's children). */
static void woo_pass1(struct woo *w)
{
	struct pctx *p = w->p;
	struct csv_reader *r = csv_reader_new(w->data, w->len, p->delim, p->name);
	struct csv_record rec;
	struct kerr ce;
	struct kbuf scratch = KBUF_INIT;
	struct woo_key *keys = NULL;
	size_t nkeys = 0, capk = 0, capr = 0, capv = 0, caps = 0;
	struct kstrv keystr = {0}; /* owns the "i"/"s" keys */
	csv_next(r, &rec, &ce);    /* the header */
	int n;
	while ((n = next_row(p, r, &rec, &ce)) != 0 && w->nrecs < (size_t)IMPORT_MAX_ROWS) {
		if (w->nrecs == capr) {
			capr = capr ? capr * 2 : 64;
			w->recs = xrealloc(w->recs, capr * sizeof *w->recs);
		}
		size_t k = w->nrecs++;
		struct woo_rec *wr = &w->recs[k];
		memset(wr, 0, sizeof *wr);
		if (n < 0)
			continue;
		wr->read = 1;
		wr->offset = rec.offset;
		wr->line = rec.line;
		woo_hash(&rec, &scratch, wr->hash);
		char *sku, *idkey;
		woo_keys(&w->c, &rec, &sku, &idkey);
		for (int kind = 0; kind < 2; kind++) {
			const char *v = kind ? (idkey ? idkey + 3 : NULL) : sku;
			if (!v)
				continue;
			kbuf_reset(&scratch);
			kbuf_putc(&scratch, kind ? 'i' : 's');
			kbuf_puts(&scratch, v);
			kstrv_push(&keystr, kbuf_str(&scratch));
			if (nkeys == capk) {
				capk = capk ? capk * 2 : 64;
				keys = xrealloc(keys, capk * sizeof *keys);
			}
			keys[nkeys].key = NULL; /* set below, once keystr stops moving */
			keys[nkeys++].i = k;
		}
		const char *type = fget(&rec, w->c.type);
		if (has_word(type, "variable")) {
			if (sku)
				kstrv_push(&w->parents, sku);
			if (idkey)
				kstrv_push(&w->parents, idkey);
		} else if (has_word(type, "variation")) {
			char *parent = trimdup(fget(&rec, w->c.parent));
			if (parent) { /* without one it is reported in pass 2 */
				if (w->nvars == capv) {
					capv = capv ? capv * 2 : 64;
					w->vars = xrealloc(w->vars, capv * sizeof *w->vars);
				}
				struct woo_var *v = &w->vars[w->nvars++];
				memset(v, 0, sizeof *v);
				v->rec = k;
				v->line = rec.line;
				v->parent = parent;
				v->sku = sku;
				sku = NULL;
				v->price = woo_price(&w->c, &rec);
				/* "parent": WooCommerce manages its stock on the product's row */
				v->stock = trimdup(fget(&rec, w->c.stock));
				if (v->stock && says(v->stock, "parent"))
					xfree(&v->stock);
				v->weight = trimdup(fget(&rec, w->c.weight));
				v->past = woo_sells_past(&w->c, &rec);
				v->out = !v->stock && says(fget(&rec, w->c.instock), "0");
				for (int i = 0; i < w->c.nattr; i++) {
					v->names[i] = trimdup(fget(&rec, w->c.attr_name[i]));
					v->values[i] = v->names[i]
					                   ? trimdup(fget(&rec, w->c.attr_value[i]))
					                   : NULL;
				}
			}
		} else if (has_word(type, "simple") || has_word(type, "external")) {
			if (w->nsimples == caps) {
				caps = caps ? caps * 2 : 64;
				w->simples = xrealloc(w->simples, caps * sizeof *w->simples);
			}
			struct woo_simple *sp = &w->simples[w->nsimples++];
			sp->rec = k;
			sp->line = rec.line;
			sp->sku = sku;
			sp->idkey = idkey;
			sku = idkey = NULL;
			sp->name = trimdup(fget(&rec, w->c.name));
			sp->price = woo_price(&w->c, &rec);
		}
		free(sku);
		free(idkey);
	}
	for (size_t i = 0; i < nkeys; i++)
		keys[i].key = keystr.v[i];
	woo_mark_repeats(w, keys, nkeys);
	free(keys);
	kstrv_free(&keystr);
	kbuf_free(&scratch);
	csv_reader_free(&r);
	/* exact repeats of a variation or a child are merged: only the first one counts */
	size_t keep = 0;
	for (size_t i = 0; i < w->nvars; i++) {
		if (w->recs[w->vars[i].rec].same_as) {
			woo_var_free(&w->vars[i]);
			continue;
		}
		w->vars[keep++] = w->vars[i];
	}
	w->nvars = keep;
	if (w->nvars) /* no variations: w->vars is NULL, which qsort may not be given */
		qsort(w->vars, w->nvars, sizeof *w->vars, cmp_var);
	if (w->parents.n)
		qsort(w->parents.v, w->parents.n, sizeof *w->parents.v, cmp_str);
	w->skeys = xcalloc(2 * w->nsimples + 1, sizeof *w->skeys);
	for (size_t i = 0; i < w->nsimples; i++) {
		const struct woo_simple *sp = &w->simples[i];
		if (w->recs[sp->rec].same_as)
			continue;
		if (sp->sku)
			w->skeys[w->nskeys++] = (struct woo_key){sp->sku, i};
		if (sp->idkey)
			w->skeys[w->nskeys++] = (struct woo_key){sp->idkey, i};
	}
	qsort(w->skeys, w->nskeys, sizeof *w->skeys, cmp_key);
}

static void woo_free(struct woo *w)
{
	for (size_t i = 0; i < w->nvars; i++)
		woo_var_free(&w->vars[i]);
	free(w->vars);
	for (size_t i = 0; i < w->nsimples; i++) {
		free(w->simples[i].sku);
		free(w->simples[i].idkey);
		free(w->simples[i].name);
		free(w->simples[i].price);
	}
	free(w->simples);
	free(w->skeys);
	free(w->recs);
	kstrv_free(&w->parents);
	kstrv_free(&w->h.names);
}

/* The product fields every type shares: key (the SKU, else woo-ID), title, description,
 * category, tags, images, currency, status. */
/* A WooCommerce description: its exporter writes a line break as the two characters \n (and
 * a \n written in the text as \\n); WordPress shows a line break in a description as one
 * (wpautop), and so does the text made of it. */
static void woo_description(char **dst, const char *v)
{
	size_t n = strlen(v), w = 0;
	char *t = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '\\' && v[i + 1] == '\\' && v[i + 2] == 'n') {
			t[w++] = '\\';
			t[w++] = 'n';
			i += 2;
		} else if (v[i] == '\\' && v[i + 1] == 'n') {
			t[w++] = '\n';
			i++;
		} else {
			t[w++] = v[i];
		}
	}
	t[w] = 0;
	set_html_nl(dst, t, 1);
	free(t);
}

/* A weight in the shop's unit ("2.5" in a "Weight (kg)" column) as grams; 0 when it says
 * none or is no weight (never a failed row: the papers can be amended). */
static int64_t woo_grams(const struct woo_cols *c, const char *v)
{
	char *t = trimdup(v);
	int64_t milli = 0; /* thousandths of the shop's unit, as papers_kg_parse reads kg */
	if (!t || papers_kg_parse(t, &milli))
		milli = 0;
	free(t);
	double g = (double)milli * c->weight_grams / 1000.0;
	return g >= 0.5 && g <= (double)MODEL_GRAMS_MAX ? (int64_t)(g + 0.5) : 0;
}

static int woo_common(const struct woo *w, const struct csv_record *rec, const char *sku,
                      const char *idkey, struct listing *l, struct kerr *re)
{
	const struct woo_cols *c = &w->c;
	int rc;
	if (sku) {
		if ((rc = set_sku(l, "SKU", sku, re)))
			return rc;
	} else if (idkey) {
		char d[MODEL_SKU_MAX + 8];
		snprintf(d, sizeof d, "woo-%s", idkey + 3);
		if ((rc = set_sku(l, "ID", d, re)))
			return rc;
	} else {
		return kerr_set(re, K_EINVAL, "SKU: empty, and no ID to make a key from");
	}
	set_str(&l->title, fget(rec, c->name));
	if (!l->title)
		return kerr_set(re, K_EINVAL, "Name: empty");
	woo_description(&l->description, fget(rec, c->desc));
	if (!l->description)
		woo_description(&l->description, fget(rec, c->shortdesc));
	struct kstrv cats = {0};
	split_list(&cats, fget(rec, c->categories), ',', 0, 0);
	if (cats.n)
		l->category = xstrdup(cats.v[0]);
	kstrv_free(&cats);
	split_list(&l->tags, fget(rec, c->tags), ',', 0, 1);
	split_list(&l->images, fget(rec, c->images), ',', 0, 1);
	const char *stock = fget(rec, c->stock); /* the product row's, when it manages stock */
	if (!blank(stock) && !woo_sells_past(c, rec) && (rc = add_stock(l, "Stock", stock, re)))
		return rc;
	snprintf(l->currency, sizeof l->currency, "%s", w->p->o->currency);
	l->gross_grams = woo_grams(c, fget(rec, c->weight)); /* what one ships weighing */
	char *pub = trimdup(fget(rec, c->published));
	if (pub && strcmp(pub, "1") != 0)
		snprintf(l->status, sizeof l->status, "paused");
	free(pub);
	return K_OK;
}

/* A simple, external or variable product. A variable one claims every variation whose Parent
 * is its SKU or id:ID (rows counts them, whatever becomes of the product). */
static int woo_product(struct woo *w, size_t k, const struct csv_record *rec, int variable,
                       struct kerr *re, long *err_line, long *rows, struct listing *l)
{
	const char *cur = w->p->o->currency;
	int pf = w->p->pf;
	char *sku, *idkey;
	woo_keys(&w->c, rec, &sku, &idkey);
	/* the variations: found by the SKU as written and by id:ID */
	size_t *mine = NULL, nmine = 0, capm = 0;
	for (int pass = 0; variable && pass < 2; pass++) {
		const char *key = pass == 0 ? sku : idkey;
		if (!key || (pass == 1 && sku && strcmp(key, sku) == 0))
			continue;
		size_t lo = 0, hi = w->nvars;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(w->vars[mid].parent, key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < w->nvars && strcmp(w->vars[i].parent, key) == 0; i++) {
			if (w->vars[i].claimed)
				continue;
			w->vars[i].claimed = 1;
			if (nmine == capm) {
				capm = capm ? capm * 2 : 8;
				mine = xrealloc(mine, capm * sizeof *mine);
			}
			mine[nmine++] = i;
		}
	}
	*rows = 1 + (long)nmine;
	int rc = K_OK;
	if (w->recs[k].clash)
		rc = woo_clash_err(w, k, re);
	if (rc == K_OK)
		rc = woo_common(w, rec, sku, idkey, l, re);
	int64_t amount;
	if (rc == K_OK && !variable) {
		char *pr = woo_price(&w->c, rec);
		rc = parse_price("Regular price", pr ? pr : "", cur, pf, &amount, re);
		free(pr);
		if (rc == K_OK)
			set_single_price(l, amount);
		/* a shop that counts nothing marks a product out of stock by hand: In stock? 0
		 * with no Stock is none on hand, not a count never said */
		char *in = trimdup(fget(rec, w->c.instock));
		if (rc == K_OK && l->stock < 0 && in && strcmp(in, "0") == 0)
			l->stock = 0;
		free(in);
		goto out;
	}
	/* in file order, as the seller lists them */
	for (size_t a = 1; a < nmine; a++)
		for (size_t b = a; b > 0 && w->vars[mine[b - 1]].line > w->vars[mine[b]].line;
		     b--) {
			size_t t = mine[b];
			mine[b] = mine[b - 1];
			mine[b - 1] = t;
		}
	/* the product's row's Stock is the count WooCommerce manages at product level, which its
	 * variations without one of their own share; a variation's own is its variant's */
	int64_t product_stock = l->stock, stock;
	/* the variations' weights, each its own or the product's: the listing's where all agree */
	int64_t product_grams = l->gross_grams;
	int grams_differ = 0;
	for (size_t m = 0; m < nmine; m++) {
		const struct woo_var *v = &w->vars[mine[m]];
		int64_t g = v->weight ? woo_grams(&w->c, v->weight) : product_grams;
		if (m == 0)
			l->gross_grams = g;
		else if (g != l->gross_grams)
			grams_differ = 1;
	}
	if (grams_differ)
		l->gross_grams = 0;
	long own = 0, shared = 0; /* the first variation of each kind, by line */
	int nshared = 0;
	int shared_at = 0; /* the variant of the last that shares it */
	l->stock = -1;
	int64_t min = -1;
	for (size_t m = 0; rc == K_OK && m < nmine; m++) {
		struct woo_var *v = &w->vars[mine[m]];
		if (w->recs[v->rec].clash) {
			rc = woo_clash_err(w, v->rec, re);
			*err_line = v->line;
			break;
		}
		stock = -1;
		if ((rc = parse_price("Regular price", v->price ? v->price : "", cur, pf, &amount,
		                      re)) ||
		    (!v->past &&
		     (rc = add_stock_of(l, "Stock", v->stock ? v->stock : "", &stock, re)))) {
			*err_line = v->line;
			break;
		}
		/* marked out of stock by hand, where the product's row keeps no count to share:
		 * its own, none on hand */
		if (v->out && !v->past && product_stock < 0)
			stock = 0;
		/* sold past any count (v->past): says none, shares none */
		if (!v->past && stock >= 0 && !own) {
			own = v->line;
		} else if (!v->past && stock < 0) {
			shared = shared ? shared : v->line;
			nshared++;
			shared_at = l->variants ? cJSON_GetArraySize(l->variants) : 0;
		}
		char dsku[MODEL_SKU_MAX + 32];
		if (!v->sku)
			snprintf(dsku, sizeof dsku, "%s-%zu", l->sku,
			         l->variants ? (size_t)cJSON_GetArraySize(l->variants) + 1 : 1);
		const char *names[WOO_MAX_ATTRS];
		for (int i = 0; i < WOO_MAX_ATTRS; i++)
			names[i] = v->names[i];
		if ((rc = add_variant(l, v->sku ? v->sku : dsku, v->sku != NULL, names,
		                      (const char *const *)v->values, WOO_MAX_ATTRS, amount, stock,
		                      re))) {
			*err_line = v->line;
			break;
		}
		if (min < 0 || amount < min)
			min = amount;
	}
	if (rc == K_OK && min < 0)
		rc = kerr_set(re, K_EINVAL,
		              "Type: variable product '%.64s' has no variations in this file",
		              sku ? sku : l->sku);
	/* as WooCommerce counts: a variation's own count is its own; those without one share
	 * the product's row's. Where one variation alone shares it, it is that one's; where
	 * every variation keeps its own, WooCommerce ignores the product's, and so does this.
	 * Two sharing one count beside one keeping its own: a listing cannot split it. */
	if (rc == K_OK && own && nshared == 1 && product_stock >= 0)
		listing_variant_set_stock(cJSON_GetArrayItem(l->variants, shared_at),
		                          product_stock);
	else if (rc == K_OK && own && nshared > 1 && product_stock >= 0)
		rc = kerr_set(re, K_EINVAL,
		              "Stock: %d variations (from line %ld) share the product's %lld "
		              "(stock managed at product level) while line %ld keeps its own; a "
		              "listing cannot split one count between variants: give each "
		              "variation its own Stock",
		              nshared, shared, (long long)product_stock, own);
	if (rc == K_OK)
		rc = stock_of_variants(l, own ? -1 : product_stock, "Stock", re);
	if (rc == K_OK)
		set_single_price(l, min);
out:
	free(mine);
	free(sku);
	free(idkey);
	return rc;
}

/* A grouped product: a listing whose variants are its children (the simple products its
 * "Grouped products" column names by SKU or id:ID), each at its own price. */
static int woo_grouped(struct woo *w, size_t k, const struct csv_record *rec, struct kerr *re,
                       struct listing *l)
{
	char *sku, *idkey;
	woo_keys(&w->c, rec, &sku, &idkey);
	int rc = K_OK;
	if (w->recs[k].clash)
		rc = woo_clash_err(w, k, re);
	if (rc == K_OK)
		rc = woo_common(w, rec, sku, idkey, l, re);
	struct kstrv kids = {0};
	if (rc == K_OK) {
		split_list(&kids, fget(rec, w->c.grouped), ',', 0, 1);
		if (!kids.n)
			rc = kerr_set(re, K_EINVAL,
			              "Grouped products: empty (a grouped product lists its "
			              "children's SKUs or id:IDs)");
	}
	int64_t min = -1;
	for (size_t i = 0; rc == K_OK && i < kids.n; i++) {
		struct woo_key want = {kids.v[i], 0}, *hit = NULL;
		size_t lo = 0, hi = w->nskeys;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(w->skeys[mid].key, want.key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < w->nskeys && strcmp(w->skeys[lo].key, want.key) == 0)
			hit = &w->skeys[lo];
		if (!hit) {
			rc = kerr_set(re, K_EINVAL,
			              "Grouped products: '%.64s' is no simple product in this file",
			              want.key);
			break;
		}
		const struct woo_simple *ch = &w->simples[hit->i];
		int64_t amount;
		if (!ch->name) {
			rc = kerr_set(re, K_EINVAL,
			              "Grouped products: '%.64s' (line %ld) has no Name", want.key,
			              ch->line);
			break;
		}
		if ((rc = parse_price("Regular price", ch->price ? ch->price : "", l->currency,
		                      w->p->pf, &amount, re))) {
			kerr_prefix(re, "Grouped products: '%.64s' (line %ld)", want.key, ch->line);
			break;
		}
		char dsku[MODEL_SKU_MAX + 8];
		if (!ch->sku)
			snprintf(dsku, sizeof dsku, "woo-%s", ch->idkey + 3);
		char name[201];
		snprintf(name, sizeof name, "%s", ch->name);
		const char *nm[1] = {"Product"}, *vv[1] = {name};
		if ((rc = add_variant(l, ch->sku ? ch->sku : dsku, ch->sku != NULL, nm, vv, 1,
		                      amount, -1, re)))
			break;
		if (min < 0 || amount < min)
			min = amount;
	}
	if (rc == K_OK)
		set_single_price(l, min);
	kstrv_free(&kids);
	free(sku);
	free(idkey);
	return rc;
}

static int parse_woo(struct pctx *p, const char *data, size_t len, struct kerr *e)
{
	if (!p->o->currency)
		return no_currency(p, "WooCommerce exports", "EUR", e);
	struct woo w;
	memset(&w, 0, sizeof w);
	w.p = p;
	w.data = data;
	w.len = len;
	p->woo = 1;
	struct csv_reader *r = open_reader(p, data, len);
	static const char *const need[] = {"Type", "SKU", "Name"};
	int rc = read_header(r, &w.h, p->name, "WooCommerce", need, e);
	const struct hdr *h = &w.h;
	struct woo_cols c = {hcol(h, "ID"),
	                     hcol(h, "Type"),
	                     hcol(h, "SKU"),
	                     hcol(h, "Name"),
	                     hcol(h, "Published"),
	                     hcol(h, "Short description"),
	                     hcol(h, "Description"),
	                     hcol(h, "Regular price"),
	                     hcol(h, "Sale price"),
	                     hcol(h, "Categories"),
	                     hcol(h, "Tags"),
	                     hcol(h, "Images"),
	                     hcol(h, "Parent"),
	                     hcol(h, "Grouped products"),
	                     hcol(h, "Stock"),
	                     hcol(h, "In stock?"),
	                     hcol(h, "Backorders allowed?"),
	                     -1,
	                     0,
	                     0,
	                     {0},
	                     {0}};
	/* the weight column names the shop's unit: WooCommerce's Settings > Products */
	static const struct {
		const char *name;
		double grams;
	} woo_units[] = {{"Weight (kg)", 1000.0},
	                 {"Weight (g)", 1.0},
	                 {"Weight (lbs)", 453.59237},
	                 {"Weight (oz)", 28.349523125}};
	for (size_t i = 0; c.weight < 0 && i < sizeof woo_units / sizeof woo_units[0]; i++)
		if ((c.weight = hcol(h, woo_units[i].name)) >= 0)
			c.weight_grams = woo_units[i].grams;
	for (int i = 0; i < WOO_MAX_ATTRS; i++) {
		char nm[40], vl[40];
		snprintf(nm, sizeof nm, "Attribute %d name", i + 1);
		snprintf(vl, sizeof vl, "Attribute %d value(s)", i + 1);
		c.attr_name[i] = hcol(h, nm);
		c.attr_value[i] = hcol(h, vl);
		if (c.attr_name[i] >= 0)
			c.nattr = i + 1;
	}
	w.c = c;
	if (rc == K_OK) {
		p->pf |= exact_unless_whole(p, data, len, IMPORT_WOOCOMMERCE, h);
		woo_pass1(&w);
	}
	/* pass 2: the products in file order; records are numbered as in pass 1 */
	struct csv_record rec;
	while (rc == K_OK && (rc = next_rec(p, r, &rec, e)) == 1) {
		rc = K_OK;
		size_t k = (size_t)p->rows - 1;
		if (k >= w.nrecs) /* pass 1 stopped at the row limit; next_rec reports it */
			continue;
		if (w.recs[k].same_as) {
			rc = emit_merged(p, rec.line, w.recs[k].same_as);
			continue;
		}
		const char *type = fget(&rec, c.type);
		int variable = has_word(type, "variable");
		if (has_word(type, "variation")) {
			char *parent = trimdup(fget(&rec, c.parent));
			if (!parent)
				rc = emit_err(
				    p, rec.line, 1, K_EINVAL,
				    "Parent: empty (a variation needs its product's SKU or id:ID)");
			else if (!w.parents.n || !bsearch(&parent, w.parents.v, w.parents.n,
			                                  sizeof *w.parents.v, cmp_str))
				rc = emit_err(p, rec.line, 1, K_EINVAL,
				              "Parent: '%.64s' is no variable product in this file",
				              parent);
			free(parent); /* else its product's result stands for it */
			continue;
		}
		struct listing l;
		listing_init(&l);
		struct kerr re = {0, ""};
		long err_line = rec.line, rows = 1;
		int bad;
		if (has_word(type, "grouped")) {
			bad = woo_grouped(&w, k, &rec, &re, &l);
		} else if (variable || has_word(type, "simple") || has_word(type, "external") ||
		           blank(type)) {
			bad = woo_product(&w, k, &rec, variable, &re, &err_line, &rows, &l);
		} else {
			listing_free(&l);
			rc = emit_err(p, rec.line, 1, K_EINVAL,
			              "Type: '%.40s' products are not imported (simple, variable, "
			              "variation, grouped and external are)",
			              type);
			continue;
		}
		rc = emit(p, bad ? err_line : rec.line, &l, bad ? &re : NULL, rows);
	}
	/* A variation its product did not take (none should be left; if one is, it is still
	 * accounted for). */
	for (size_t i = 0; rc == K_OK && i < w.nvars; i++)
		if (!w.vars[i].claimed && w.parents.n &&
		    bsearch(&w.vars[i].parent, w.parents.v, w.parents.n, sizeof *w.parents.v,
		            cmp_str))
			rc = emit_err(p, w.vars[i].line, 1, K_EINVAL,
			              "Parent: product '%.64s' did not take this variation",
			              w.vars[i].parent);
	woo_free(&w);
	csv_reader_free(&r);
	return rc;
}

/* --- Etsy ------------------------------------------------------------------------------- */

/* Etsy's listings download has a fixed layout, its names in the shop's language: 0 TITLE,
 * 1 DESCRIPTION, 2 PRICE, 3 CURRENCY_CODE, 4 QUANTITY, 5 TAGS, 6 MATERIALS, 7-16 IMAGE1 to
 * IMAGE10, 17-19 VARIATION 1 TYPE, NAME and VALUES, 20-22 the same for VARIATION 2, and
 * SKU last. */
enum {
	ET_TITLE,
	ET_DESC,
	ET_PRICE,
	ET_CURRENCY,
	ET_QUANTITY,
	ET_TAGS,
	ET_MATERIALS,
	ET_SKU,
	ET_IMAGE, /* '#' where the number goes */
	ET_VTYPE,
	ET_VNAME,
	ET_VVALUES,
	ET_N
};

/* The names per language, upper case as Etsy writes them. English, German (as exports
 * handled by other public importers show it, CURRENCY_CODE and SKU translated too) and
 * Italian (CURRENCY_CODE and SKU kept) are from real files; French, Spanish, Dutch, Polish,
 * Portuguese, Japanese and Russian are Etsy's wording as best known. Where a name differs,
 * the layout check (etsy_layout) still reads the file. */
static const char *const etsy_names[][ET_N] = {
    {"TITLE", "DESCRIPTION", "PRICE", "CURRENCY_CODE", "QUANTITY", "TAGS", "MATERIALS", "SKU",
     "IMAGE#", "VARIATION # TYPE", "VARIATION # NAME", "VARIATION # VALUES"},
    {"TITEL", "BESCHREIBUNG", "PREIS", "WÄHRUNGSCODE", "STÜCKZAHL", "TAGS", "MATERIALIEN",
     "BESTANDSEINHEIT", "BILD#", "VARIATIONSTYP #", "VARIATIONSNAME #", "VARIATIONSWERT #"},
    {"TITOLO", "DESCRIZIONE", "PREZZO", "CURRENCY_CODE", "QUANTITÀ", "TAG", "MATERIALI", "SKU",
     "IMMAGINE#", "TIPO VARIANTE #", "NOME VARIANTE #", "VALORI VARIANTE #"},
    {"TITRE", "DESCRIPTION", "PRIX", "CODE_DEVISE", "QUANTITÉ", "TAGS", "MATÉRIAUX", "SKU",
     "IMAGE#", "TYPE DE VARIATION #", "NOM DE LA VARIATION #", "VALEURS DE LA VARIATION #"},
    {"TÍTULO", "DESCRIPCIÓN", "PRECIO", "CÓDIGO_DE_DIVISA", "CANTIDAD", "ETIQUETAS", "MATERIALES",
     "SKU", "IMAGEN#", "TIPO DE VARIACIÓN #", "NOMBRE DE LA VARIACIÓN #",
     "VALORES DE LA VARIACIÓN #"},
    {"TITEL", "BESCHRIJVING", "PRIJS", "VALUTACODE", "AANTAL", "TAGS", "MATERIALEN", "SKU",
     "AFBEELDING#", "VARIATIETYPE #", "VARIATIENAAM #", "VARIATIEWAARDEN #"},
    {"TYTUŁ", "OPIS", "CENA", "KOD_WALUTY", "ILOŚĆ", "TAGI", "MATERIAŁY", "SKU", "ZDJĘCIE#",
     "TYP WARIANTU #", "NAZWA WARIANTU #", "WARTOŚCI WARIANTU #"},
    {"TÍTULO", "DESCRIÇÃO", "PREÇO", "CÓDIGO_DA_MOEDA", "QUANTIDADE", "TAGS", "MATERIAIS", "SKU",
     "IMAGEM#", "TIPO DE VARIAÇÃO #", "NOME DA VARIAÇÃO #", "VALORES DA VARIAÇÃO #"},
    {"タイトル", "説明", "価格", "通貨コード", "数量", "タグ", "素材", "SKU", "画像#",
     "バリエーション#の種類", "バリエーション#の名前", "バリエーション#の値"},
    {"НАЗВАНИЕ", "ОПИСАНИЕ", "ЦЕНА", "КОД_ВАЛЮТЫ", "КОЛИЧЕСТВО", "ТЕГИ", "МАТЕРИАЛЫ", "SKU",
     "ИЗОБРАЖЕНИЕ#", "ТИП ВАРИАЦИИ #", "НАЗВАНИЕ ВАРИАЦИИ #", "ЗНАЧЕНИЯ ВАРИАЦИИ #"},
};
#define ETSY_LANGS (sizeof etsy_names / sizeof etsy_names[0])

struct etsy_cols {
	int title, desc, price, currency, quantity, tags, materials, sku;
	int image[10];
	int var_type[2], var_name[2], var_values[2];
};

/* have[0..n) against want[0..n): ASCII letters in any case, '_' and ' ' alike. */
static int etsy_eq(const char *have, const char *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char a = have[i], b = want[i];
		a = a >= 'a' && a <= 'z' ? (char)(a - 'a' + 'A') : a == '_' ? ' ' : a;
		b = b >= 'a' && b <= 'z' ? (char)(b - 'a' + 'A') : b == '_' ? ' ' : b;
		if (a != b || !a)
			return 0;
	}
	return 1;
}

/* A header name against one of Etsy's: 1 when it is that name (no '#' in want), the number
 * (1 to 99) it has where want has '#' (a space before the number may be there or not:
 * IMAGE1 and IMAGE 1), else 0. */
static int etsy_match(const char *have, const char *want)
{
	const char *hash = strchr(want, '#');
	size_t pre = hash ? (size_t)(hash - want) : strlen(want);
	if (!etsy_eq(have, want, pre))
		return 0;
	if (!hash)
		return have[pre] == 0;
	const char *d = have + pre;
	if (*d == ' ' && (pre == 0 || want[pre - 1] != ' '))
		d++;
	int num = 0, nd = 0;
	while (*d >= '0' && *d <= '9' && nd < 2) {
		num = num * 10 + (*d++ - '0');
		nd++;
	}
	size_t rest = strlen(hash + 1);
	return nd && num && strlen(d) == rest && etsy_eq(d, hash + 1, rest) ? num : 0;
}

/* Etsy's layout, whatever the language: columns 7-16 one name numbered 1 to 10, 17-19 a
 * variation numbered 1 and 20-22 one numbered 2. */
static int etsy_layout(const struct hdr *h)
{
	if (h->names.n < 23)
		return 0;
	const char *first = h->names.v[7];
	size_t n = strlen(first);
	if (n < 2 || first[n - 1] != '1' || (first[n - 2] >= '0' && first[n - 2] <= '9'))
		return 0;
	for (int i = 1; i < 10; i++) {
		const char *v = h->names.v[7 + i];
		char num[4];
		snprintf(num, sizeof num, "%d", i + 1);
		if (strncmp(v, first, n - 1) != 0 || strcmp(v + n - 1, num) != 0)
			return 0;
	}
	for (int i = 0; i < 6; i++) {
		const char *v = h->names.v[17 + i];
		int one = strchr(v, '1') != NULL, two = strchr(v, '2') != NULL;
		if (i < 3 ? !one || two : !two || one)
			return 0;
	}
	return 1;
}

/* The columns of an Etsy export (its names looked for in the first ETSY_COLS columns, in any
 * of the languages); 0 when the header is not one (the names of title and price and of the
 * currency or first image, or Etsy's layout). */
#define ETSY_COLS 64
static int etsy_cols_of(const struct hdr *h, struct etsy_cols *c)
{
	int named[ET_N], img[10], var[3][2];
	for (int k = 0; k < ET_N; k++)
		named[k] = -1;
	for (int i = 0; i < 10; i++)
		img[i] = -1;
	for (int k = 0; k < 3; k++)
		var[k][0] = var[k][1] = -1;
	for (size_t i = 0; i < h->names.n && i < ETSY_COLS; i++)
		for (size_t lang = 0; lang < ETSY_LANGS; lang++)
			for (int k = 0; k < ET_N; k++) {
				int n = etsy_match(h->names.v[i], etsy_names[lang][k]);
				if (!n)
					continue;
				int *slot = k < ET_IMAGE               ? &named[k]
				            : k == ET_IMAGE && n <= 10 ? &img[n - 1]
				            : k > ET_IMAGE && n <= 2   ? &var[k - ET_VTYPE][n - 1]
				                                       : NULL;
				if (slot && *slot < 0)
					*slot = (int)i;
			}
	int layout = etsy_layout(h);
	static const int fixed[] = {0, 1, 2, 3, 4, 5, 6};
	int *const col[] = {&c->title,    &c->desc, &c->price,    &c->currency,
	                    &c->quantity, &c->tags, &c->materials};
	for (int k = 0; k <= ET_MATERIALS; k++)
		if (col[k])
			*col[k] = named[k] >= 0 ? named[k] : layout ? fixed[k] : -1;
	c->sku = named[ET_SKU] >= 0           ? named[ET_SKU]
	         : layout && h->names.n >= 24 ? (int)h->names.n - 1
	                                      : -1;
	for (int i = 0; i < 10; i++)
		c->image[i] = img[i] >= 0 ? img[i] : layout ? 7 + i : -1;
	for (int v = 0; v < 2; v++) {
		int *const vc[3] = {&c->var_type[v], &c->var_name[v], &c->var_values[v]};
		for (int k = 0; k < 3; k++)
			*vc[k] = var[k][v] >= 0 ? var[k][v] : layout ? 17 + 3 * v + k : -1;
	}
	int by_name = named[ET_TITLE] >= 0 && named[ET_PRICE] >= 0 &&
	              (named[ET_CURRENCY] >= 0 || img[0] >= 0);
	return layout || by_name;
}

static int etsy_row(const void *cols, const struct csv_record *rec, const char *dflt, int pf,
                    struct listing *l, struct kerr *e)
{
	const struct etsy_cols *c = cols;
	int rc;
	set_str(&l->title, fget(rec, c->title));
	if (!l->title)
		return kerr_set(e, K_EINVAL, "TITLE: empty");
	set_text(&l->description, fget(rec, c->desc));
	if ((rc = set_currency(l, "CURRENCY_CODE", c->currency >= 0 ? fget(rec, c->currency) : NULL,
	                       dflt, e)))
		return rc;
	int64_t amount;
	if ((rc = parse_price("PRICE", fget(rec, c->price), l->currency, pf, &amount, e)))
		return rc;
	set_single_price(l, amount);
	const char *qty = fget(rec, c->quantity);
	if (!blank(qty) && (rc = add_stock(l, "QUANTITY", qty, e)))
		return rc;
	split_list(&l->tags, fget(rec, c->tags), ',', 0, 1);
	split_list(&l->tags, fget(rec, c->materials), ',', 0, 1);
	for (int i = 0; i < 10; i++)
		split_list(&l->images, fget(rec, c->image[i]), '\n', 0, 1);
	/* variations: every combination of VARIATION 1 and VARIATION 2 values, the first
	 * variation's values outermost (Small/Red, Small/Blue, Large/Red...) */
	struct kstrv vals[2] = {{0}, {0}}, skus = {0};
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
	size_t combos = vals[0].n || vals[1].n ? total : 0;
	/* The SKU column: one SKU, or one per combination, comma-separated, in that order */
	const char *raw = fget(rec, c->sku);
	split_list(&skus, raw, ',', 0, 0);
	int listed = skus.n >= 2 && combos;
	if (total > MODEL_VARIANTS_MAX)
		rc = kerr_set(e, K_EINVAL, "VARIATION 1/2 VALUES: %zu combinations, at most %d",
		              total, MODEL_VARIANTS_MAX);
	else if (listed && skus.n != combos)
		rc = kerr_set(
		    e, K_EINVAL,
		    "SKU: %zu SKUs for %zu variations (%zu x %zu values): one SKU each, in "
		    "the order of the values",
		    skus.n, combos, vals[0].n ? vals[0].n : 1, vals[1].n ? vals[1].n : 1);
	else /* the listing's key: its first variation's SKU, else the one SKU as written */
		rc = set_sku(l, "SKU", listed ? skus.v[0] : raw, e);
	if (rc == K_OK && !l->sku) {
		char d[MODEL_SKU_MAX + 1];
		import_derived_sku("etsy", l->title, d);
		l->sku = xstrdup(d);
	}
	for (size_t k = 0; rc == K_OK && k < combos; k++) {
		const char *nm[2] = {names[0], names[1]}, *vv[2] = {NULL, NULL};
		if (vals[0].n)
			vv[0] = vals[0].v[vals[1].n ? k / vals[1].n : k];
		if (vals[1].n)
			vv[1] = vals[1].v[k % vals[1].n];
		char vsku[MODEL_SKU_MAX + 32];
		snprintf(vsku, sizeof vsku, "%s-%zu", l->sku, k + 1);
		rc = add_variant(l, listed ? skus.v[k] : vsku, listed, nm, vv, 2, -1, -1, e);
	}
	for (int i = 0; i < 2; i++) {
		free(names[i]);
		kstrv_free(&vals[i]);
	}
	kstrv_free(&skus);
	return rc;
}

static int parse_etsy(struct pctx *p, const char *data, size_t len, struct kerr *e)
{
	struct csv_reader *r = open_reader(p, data, len);
	struct hdr h = {{0}};
	struct etsy_cols c;
	int rc = read_header(r, &h, p->name, "Etsy", NULL, e);
	if (rc == K_OK && (!etsy_cols_of(&h, &c) || c.title < 0 || c.price < 0))
		rc = kerr_set(e, K_EINVAL,
		              "%s: line 1: no TITLE and PRICE columns (by any of the names Etsy "
		              "writes, nor in the places of Etsy's layout)",
		              p->name);
	if (rc == K_OK && c.currency < 0 && !p->o->currency)
		rc = kerr_set(e, K_EUSAGE, "%s: no CURRENCY_CODE column: give --currency CUR",
		              p->name);
	if (rc == K_OK) {
		p->pf |= exact_unless_whole(p, data, len, IMPORT_ETSY, &h);
		rc = read_rows(p, r, etsy_row, &c, -1, e);
	}
	kstrv_free(&h.names);
	csv_reader_free(&r);
	return rc;
}

/* --- Shopee ------------------------------------------------------------------------------ */

/* Shopee's seller centre writes its product workbooks with its own field keys on row 1 (in
 * the mass-upload template with flags after a '|': "ps_price|1|1"), notes on rows 2 to 6 (a
 * section tag, the columns' names in the shop's language, which are mandatory, guidance) and
 * the products from row 7, one row a variation, a product's rows together:
 * - the Mass Update export of the shop's products (its sales info): et_title_product_id,
 *   et_title_product_name, et_title_variation_name, et_title_parent_sku,
 *   et_title_variation_sku, et_title_variation_price, et_title_variation_stock;
 * - the mass-upload template: ps_product_name, ps_product_description, ps_sku_parent_short,
 *   et_title_variation_integration_no (the same number on every row of one product),
 *   et_title_variation_1/2 with et_title_option_for_variation_1/2, ps_price, ps_stock,
 *   ps_sku_short, ps_item_cover_image and ps_item_image_1 to 8.
 * Both read as one format: the columns one file lacks stay empty. */
#define SHOPEE_NOTE_ROWS 5
#define SHOPEE_IMAGES 9

struct shopee_cols {
	int id, group, name, desc, psku, vsku, vname, price, stock, weight;
	int var_name[2], var_opt[2];
	int image[SHOPEE_IMAGES];
	const char *name_name, *price_name, *stock_name, *psku_name, *vsku_name;
};

/* The column of a Shopee field key: the header cell is the key, or the key and '|' flags. */
static int shopee_col(const struct hdr *h, const char *key)
{
	size_t n = strlen(key);
	for (size_t i = 0; i < h->names.n; i++) {
		const char *c = h->names.v[i];
		if (strncasecmp(c, key, n) == 0 && (c[n] == 0 || c[n] == '|'))
			return (int)i;
	}
	return -1;
}

/* The first of two keys the header has (the export's, else the template's); its name. */
static int shopee_either(const struct hdr *h, const char *a, const char *b, const char **name)
{
	int i = shopee_col(h, a);
	if (i < 0)
		i = shopee_col(h, b);
	if (name)
		*name = shopee_col(h, a) >= 0 ? a : b;
	return i;
}

/* 1 when the header has Shopee's product name and price keys. */
static int shopee_cols_of(const struct hdr *h, struct shopee_cols *c)
{
	memset(c, 0, sizeof *c);
	c->id = shopee_col(h, "et_title_product_id");
	c->group = shopee_col(h, "et_title_variation_integration_no");
	c->name = shopee_either(h, "et_title_product_name", "ps_product_name", &c->name_name);
	c->desc = shopee_either(h, "ps_product_description", "et_title_product_description", NULL);
	c->psku = shopee_either(h, "et_title_parent_sku", "ps_sku_parent_short", &c->psku_name);
	c->vsku = shopee_either(h, "et_title_variation_sku", "ps_sku_short", &c->vsku_name);
	c->vname = shopee_col(h, "et_title_variation_name");
	c->price = shopee_either(h, "et_title_variation_price", "ps_price", &c->price_name);
	c->stock = shopee_either(h, "et_title_variation_stock", "ps_stock", &c->stock_name);
	c->weight = shopee_col(h, "ps_weight");
	for (int i = 0; i < 2; i++) {
		char k[48];
		snprintf(k, sizeof k, "et_title_variation_%d", i + 1);
		c->var_name[i] = shopee_col(h, k);
		snprintf(k, sizeof k, "et_title_option_for_variation_%d", i + 1);
		c->var_opt[i] = shopee_col(h, k);
	}
	c->image[0] = shopee_col(h, "ps_item_cover_image");
	for (int i = 1; i < SHOPEE_IMAGES; i++) {
		char k[32];
		snprintf(k, sizeof k, "ps_item_image_%d", i);
		c->image[i] = shopee_col(h, k);
	}
	return c->name >= 0 && c->price >= 0;
}

/* The product a row belongs to, as written (NULL: a product of its own row). */
static char *shopee_key(const struct shopee_cols *c, const struct csv_record *rec)
{
	char *k = trimdup(fget(rec, c->id));
	if (!k)
		k = trimdup(fget(rec, c->group));
	return k;
}

/* A product's first row opens its listing: the name, description and images are the
 * product's; the key is the parent SKU, else shopee-ID of the product id (the export), else
 * the row's own SKU (a template row that is a product of its own), else shopee-HASH of the
 * name. */
static void shopee_open(struct pctx *p, struct shop_group *g, const struct shopee_cols *c,
                        const struct csv_record *rec, const char *key)
{
	struct kerr re = {0, ""};
	g->open = 1;
	g->line = rec->line;
	listing_init(&g->l);
	set_str(&g->l.title, fget(rec, c->name));
	g->handle = xstrdup(g->l.title ? g->l.title : key ? key : "?");
	char *psku = trimdup(fget(rec, c->psku)), *vsku = trimdup(fget(rec, c->vsku));
	char *id = trimdup(fget(rec, c->id));
	if (psku && set_sku(&g->l, c->psku_name, psku, &re))
		shop_fail(g, rec->line, &re);
	if (!g->l.sku && id) {
		char k[MODEL_SKU_MAX + 1];
		snprintf(k, sizeof k, "shopee-%s", id);
		if (set_sku(&g->l, "et_title_product_id", k, &re))
			shop_fail(g, rec->line, &re);
	}
	if (!g->l.sku && !key && vsku && set_sku(&g->l, c->vsku_name, vsku, &re))
		shop_fail(g, rec->line, &re);
	if (!g->l.sku && g->l.title) {
		char d[MODEL_SKU_MAX + 1];
		import_derived_sku("shopee", g->l.title, d);
		g->l.sku = xstrdup(d);
	}
	free(psku);
	free(vsku);
	free(id);
	if (!g->l.title) {
		kerr_set(&re, K_EINVAL, "%s: empty", c->name_name);
		shop_fail(g, rec->line, &re);
	}
	set_text(&g->l.description, fget(rec, c->desc));
	for (int i = 0; i < SHOPEE_IMAGES; i++)
		split_list(&g->l.images, fget(rec, c->image[i]), '\n', 0, 1);
	snprintf(g->l.currency, sizeof g->l.currency, "%s", p->o->currency);
}

/* One variation: its options, SKU (as written, else the product's and its number), price and
 * stock. */
static void shopee_row(struct shop_group *g, const struct shopee_cols *c,
                       const struct csv_record *rec, const char *cur, int pf)
{
	struct kerr e = {0, ""};
	if (g->err_line)
		return;
	const char *names[2] = {0}, *values[2] = {0};
	char *vals[2] = {0};
	if (c->vname >= 0) { /* the export: the variation's name, tiers joined ("Red,XL") */
		names[0] = "Variation";
		values[0] = vals[0] = trimdup(fget(rec, c->vname));
	}
	for (int i = 0; i < 2 && c->vname < 0; i++) {
		char *nm = trimdup(fget(rec, c->var_name[i]));
		if (nm && !g->opt_name[i]) /* the product's first row names its variations */
			g->opt_name[i] = nm;
		else
			free(nm);
		names[i] = g->opt_name[i];
		values[i] = vals[i] = trimdup(fget(rec, c->var_opt[i]));
		if (values[i] && !names[i]) {
			kerr_set(&e, K_EINVAL,
			         "et_title_option_for_variation_%d: '%.40s' has no "
			         "et_title_variation_%d (the variation's name)",
			         i + 1, values[i], i + 1);
			shop_fail(g, rec->line, &e);
		}
	}
	/* the listing's stock: its variations', each its own and summed */
	int64_t stock = -1;
	if (!g->err_line && add_stock_of(&g->l, c->stock_name, fget(rec, c->stock), &stock, &e))
		shop_fail(g, rec->line, &e);
	int64_t amount;
	if (!g->err_line && parse_price(c->price_name, fget(rec, c->price), cur, pf, &amount, &e))
		shop_fail(g, rec->line, &e);
	char *sku = trimdup(fget(rec, c->vsku));
	if (!g->err_line) {
		char dsku[MODEL_SKU_MAX + 32];
		if (!sku)
			snprintf(dsku, sizeof dsku, "%s-%d", g->l.sku ? g->l.sku : "shopee",
			         g->nvar + 1);
		if (add_variant(&g->l, sku ? sku : dsku, sku != NULL, names, values, 2, amount,
		                stock, &e))
			shop_fail(g, rec->line, &e);
		if (!g->nvar || amount < g->min_price)
			g->min_price = amount;
		/* the template's weight, in kg (0.4, 0,4): what a unit ships weighing; anything
		 * else is no weight said, never a failed row */
		char *wv = trimdup(fget(rec, c->weight));
		int64_t grams = 0;
		if (!wv || papers_kg_parse(wv, &grams) || grams > MODEL_GRAMS_MAX)
			grams = 0;
		free(wv);
		shop_weigh(g, grams);
		g->nvar++;
	}
	free(sku);
	free(vals[0]);
	free(vals[1]);
}

/* One of Shopee's notes rows, before the first product: its price cell is no price. */
static int shopee_note(const struct shopee_cols *c, const struct csv_record *rec,
                       const struct pctx *p)
{
	int64_t amount;
	struct kerr e = {0, ""};
	return parse_price(c->price_name, fget(rec, c->price), p->o->currency, p->pf, &amount,
	                   &e) != K_OK;
}

static int parse_shopee(struct pctx *p, const char *data, size_t len, struct kerr *e)
{
	if (!p->o->currency)
		return no_currency(p, "Shopee workbooks", "VND", e);
	struct csv_reader *r = open_reader(p, data, len);
	struct hdr h = {{0}};
	struct shopee_cols c;
	int rc = read_header(r, &h, p->name, "Shopee", NULL, e);
	if (rc == K_OK && !shopee_cols_of(&h, &c))
		rc = kerr_set(
		    e, K_EINVAL,
		    "%s: line 1: no product name and price (Shopee's "
		    "et_title_product_name and et_title_variation_price, or ps_product_name "
		    "and ps_price)",
		    p->name);
	if (rc == K_OK)
		p->pf |= exact_unless_whole(p, data, len, IMPORT_SHOPEE, &h);
	struct shop_group g;
	memset(&g, 0, sizeof g);
	char *gkey = NULL;
	int notes = 0, products = 0;
	struct csv_record rec;
	while (rc == K_OK && (rc = next_rec(p, r, &rec, e)) == 1) {
		rc = K_OK;
		if (!products && notes < SHOPEE_NOTE_ROWS && shopee_note(&c, &rec, p)) {
			notes++; /* Shopee's, not the seller's: no row of hers */
			p->rows--;
			continue;
		}
		products = 1;
		char *key = shopee_key(&c, &rec);
		int same = g.open && key && gkey && strcmp(key, gkey) == 0;
		if (g.open && !same && (rc = shop_finish(p, &g))) {
			free(key);
			break;
		}
		if (!same) {
			free(gkey);
			gkey = key;
			key = NULL;
			shopee_open(p, &g, &c, &rec, gkey);
		}
		free(key);
		g.rows++;
		shopee_row(&g, &c, &rec, p->o->currency, p->pf);
	}
	free(gkey);
	return shop_close(p, &g, &h, &r, rc);
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
			p->status_set =
			    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "status"));
		}
		cJSON_Delete(j);
		if (!bad) { /* re-signed by the importer */
			l.seller_id[0] = 0;
			l.id[0] = 0;
			xfree(&l.sig);
		}
		rc = emit(p, line, &l, bad ? &re : NULL, 1);
	}
	return rc;
}

/* --- detection and dispatch --------------------------------------------------------------- */

/* The header record (after a BOM, a "sep=X" line and blank lines) into h; 0 when there is
 * none. */
static int header_only(const char *data, size_t len, char delim, struct hdr *h)
{
	struct csv_reader *r = csv_reader_new(data, len, delim, "header");
	struct csv_record rec;
	struct kerr e;
	int ok = csv_next(r, &rec, &e) == 1;
	if (ok)
		hdr_load(h, &rec);
	csv_reader_free(&r);
	return ok;
}

static enum import_format detect_header(const struct hdr *h)
{
	struct etsy_cols ec;
	struct shopee_cols sc;
	if (hcol(h, "Handle") >= 0 &&
	    (hcol(h, "Variant Price") >= 0 || hcol(h, "Body (HTML)") >= 0))
		return IMPORT_SHOPIFY;
	if (hcol(h, "Type") >= 0 && hcol(h, "SKU") >= 0 &&
	    (hcol(h, "Regular price") >= 0 || hcol(h, "Parent") >= 0))
		return IMPORT_WOOCOMMERCE;
	if (etsy_cols_of(h, &ec))
		return IMPORT_ETSY;
	if (shopee_cols_of(h, &sc))
		return IMPORT_SHOPEE;
	if (hcol(h, "sku") >= 0 && hcol(h, "title") >= 0 && hcol(h, "price") >= 0)
		return IMPORT_KONTOR;
	return IMPORT_AUTO;
}

static int starts_with_brace(const char *data, size_t len)
{
	size_t at = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	while (at < len && is_space(data[at]))
		at++;
	return at < len && data[at] == '{';
}

enum import_format import_detect(const char *data, size_t len, char delim)
{
	if (starts_with_brace(data, len))
		return IMPORT_JSONL;
	struct hdr h = {{0}};
	enum import_format f = IMPORT_AUTO;
	if (header_only(data, len, delim, &h))
		f = detect_header(&h);
	kstrv_free(&h.names);
	return f;
}

static int price_cols_of(enum import_format f, const struct hdr *h, int cols[2])
{
	struct etsy_cols ec;
	struct shopee_cols sc;
	cols[0] = cols[1] = -1;
	if (f == IMPORT_KONTOR)
		cols[0] = hcol(h, "price"), cols[1] = hcol(h, "tiers");
	else if (f == IMPORT_SHOPIFY)
		cols[0] = hcol(h, "Variant Price");
	else if (f == IMPORT_WOOCOMMERCE)
		cols[0] = hcol(h, "Regular price"), cols[1] = hcol(h, "Sale price");
	else if (f == IMPORT_ETSY && etsy_cols_of(h, &ec))
		cols[0] = ec.price;
	else if (f == IMPORT_SHOPEE && shopee_cols_of(h, &sc))
		cols[0] = sc.price;
	return cols[0] >= 0 || cols[1] >= 0;
}

/* Whether cell s writes a decimal comma beyond doubt: a digit, a ',' and one or two digits,
 * then no digit, ',' or '.' ("12,50", "1.234,5", "100:9,50|500:9,00"; never "1,234", which
 * may group thousands, nor "1,23,456.00"). The cell, from at most 20 bytes before that comma,
 * goes to ctx (a char[64]) as the example. */
static int comma_decimal(const char *s, void *ctx)
{
	for (const char *c = strchr(s, ','); c; c = strchr(c + 1, ',')) {
		size_t n = 0;
		while (c[1 + n] >= '0' && c[1 + n] <= '9')
			n++;
		char after = c[1 + n];
		if (c > s && c[-1] >= '0' && c[-1] <= '9' && n >= 1 && n <= 2 && after != ',' &&
		    after != '.') {
			const char *from =
			    c - s > 20 ? c - 20 : s; /* the comma within the example */
			while (from < c && ((unsigned char)*from & 0xC0) == 0x80)
				from++;
			snprintf(ctx, 64, "%.40s", from);
			return 1;
		}
	}
	return 0;
}

int import_decimal_commas(const char *data, size_t len, const struct import_opts *o, char eg[64])
{
	enum import_format f = o->format;
	eg[0] = '\0';
	if (o->decimal_comma || f == IMPORT_JSONL ||
	    (f == IMPORT_AUTO && starts_with_brace(data, len)))
		return 0;
	struct hdr h = {{0}};
	int cols[2], found = 0;
	if (header_only(data, len, o->delim, &h)) {
		if (f == IMPORT_AUTO)
			f = detect_header(&h);
		struct csv_reader *r = csv_reader_new(data, len, o->delim, "");
		/* a ';'-separated file reads decimal commas anyway */
		if (csv_reader_delim(r) != ';' && price_cols_of(f, &h, cols))
			found = scan_prices(r, cols, comma_decimal, eg);
		csv_reader_free(&r);
	}
	kstrv_free(&h.names);
	return found;
}

int import_has_currency(const char *data, size_t len, const struct import_opts *o)
{
	enum import_format f = o->format;
	if (f == IMPORT_JSONL || (f == IMPORT_AUTO && starts_with_brace(data, len)))
		return 1;
	struct hdr h = {{0}};
	struct etsy_cols ec;
	int has = 1;
	if (header_only(data, len, o->delim, &h)) {
		if (f == IMPORT_AUTO)
			f = detect_header(&h);
		if (f == IMPORT_SHOPIFY || f == IMPORT_WOOCOMMERCE || f == IMPORT_SHOPEE)
			has = 0;
		else if (f == IMPORT_KONTOR)
			has = hcol(&h, "currency") >= 0;
		else if (f == IMPORT_ETSY)
			has = etsy_cols_of(&h, &ec) && ec.currency >= 0;
	}
	kstrv_free(&h.names);
	return has;
}

/* The character set Excel saves "CSV (Comma delimited)" in on a Windows set up for a country:
 * its ANSI code page, where that is not Windows-1252 (iconv's names). Sorted by country. */
static const struct {
	char cc[3];
	const char *charset, *what;
} country_charsets[] = {
    {"AE", "WINDOWS-1256", "an Arabic"},          {"AZ", "WINDOWS-1254", "a Turkish"},
    {"BG", "WINDOWS-1251", "a Cyrillic"},         {"BH", "WINDOWS-1256", "an Arabic"},
    {"BY", "WINDOWS-1251", "a Cyrillic"},         {"CN", "GBK", "a Chinese"},
    {"CZ", "WINDOWS-1250", "a Central European"}, {"EE", "WINDOWS-1257", "a Baltic"},
    {"EG", "WINDOWS-1256", "an Arabic"},          {"GR", "WINDOWS-1253", "a Greek"},
    {"HK", "BIG5", "a Traditional Chinese"},      {"HR", "WINDOWS-1250", "a Central European"},
    {"HU", "WINDOWS-1250", "a Central European"}, {"IL", "WINDOWS-1255", "a Hebrew"},
    {"IQ", "WINDOWS-1256", "an Arabic"},          {"IR", "WINDOWS-1256", "a Persian"},
    {"JO", "WINDOWS-1256", "an Arabic"},          {"JP", "CP932", "a Japanese"},
    {"KG", "WINDOWS-1251", "a Cyrillic"},         {"KR", "CP949", "a Korean"},
    {"KW", "WINDOWS-1256", "an Arabic"},          {"KZ", "WINDOWS-1251", "a Cyrillic"},
    {"LB", "WINDOWS-1256", "an Arabic"},          {"LT", "WINDOWS-1257", "a Baltic"},
    {"LV", "WINDOWS-1257", "a Baltic"},           {"LY", "WINDOWS-1256", "an Arabic"},
    {"MK", "WINDOWS-1251", "a Cyrillic"},         {"MO", "BIG5", "a Traditional Chinese"},
    {"OM", "WINDOWS-1256", "an Arabic"},          {"PL", "WINDOWS-1250", "a Central European"},
    {"QA", "WINDOWS-1256", "an Arabic"},          {"RO", "WINDOWS-1250", "a Central European"},
    {"RU", "WINDOWS-1251", "a Cyrillic"},         {"SA", "WINDOWS-1256", "an Arabic"},
    {"SI", "WINDOWS-1250", "a Central European"}, {"SK", "WINDOWS-1250", "a Central European"},
    {"SY", "WINDOWS-1256", "an Arabic"},          {"TH", "WINDOWS-874", "a Thai"},
    {"TR", "WINDOWS-1254", "a Turkish"},          {"TW", "BIG5", "a Traditional Chinese"},
    {"UA", "WINDOWS-1251", "a Cyrillic"},         {"VN", "WINDOWS-1258", "a Vietnamese"},
    {"YE", "WINDOWS-1256", "an Arabic"},
};

const char *import_country_charset(const char *alpha2, const char **what)
{
	size_t n = sizeof country_charsets / sizeof country_charsets[0];
	for (size_t i = 0; alpha2 && i < n; i++)
		if (strcasecmp(country_charsets[i].cc, alpha2) == 0) {
			if (what)
				*what = country_charsets[i].what;
			return country_charsets[i].charset;
		}
	return NULL;
}

/* Line `line` of data (whose first bad byte is at `at`), read as charset, for a person to
 * judge: sanitised, at most 60 columns, from a little before the bad byte when that stands
 * far in. 0 when the line does not convert. */
static int line_read_as(const char *data, size_t len, size_t at, const char *charset,
                        struct kbuf *out)
{
	size_t from = at, to = at;
	while (from > 0 && data[from - 1] != '\n')
		from--;
	while (to < len && data[to] != '\n' && data[to] != '\r')
		to++;
	struct kbuf lead = KBUF_INIT, line = KBUF_INIT, shown = KBUF_INIT;
	struct kerr e = {0, ""};
	int ok = import_to_utf8(data + from, at - from, charset, &lead, &e) == K_OK &&
	         import_to_utf8(data + from, to - from, charset, &line, &e) == K_OK;
	if (ok) {
		text_sanitize(&shown, line.data ? line.data : "", line.len, 0);
		const char *s = shown.data ? shown.data : "";
		size_t lead_chars = 0, skip = 0;
		for (size_t i = 0; i < lead.len; i++)
			lead_chars += ((unsigned char)lead.data[i] & 0xC0) != 0x80;
		if (lead_chars > 40) /* start 20 characters before the bad one */
			for (size_t n = 0; s[skip] && n < lead_chars - 20; n++)
				while (s[++skip] && ((unsigned char)s[skip] & 0xC0) == 0x80)
					;
		if (skip)
			kbuf_append(out, "…", strlen("…"));
		text_clip(out, s + skip, 60, 0);
		if (text_width(s + skip) > 60)
			kbuf_append(out, "…", strlen("…"));
	}
	kbuf_free(&lead);
	kbuf_free(&line);
	kbuf_free(&shown);
	return ok;
}

/* 1 when the whole of data converts from charset. */
static int converts_from(const char *data, size_t len, const char *charset)
{
	struct kbuf u = KBUF_INIT;
	struct kerr e = {0, ""};
	int ok = import_to_utf8(data, len, charset, &u, &e) == K_OK;
	kbuf_free(&u);
	return ok;
}

/* A file that is not UTF-8 is refused here, once: when it is UTF-16, or when most of its bytes
 * above ASCII are not UTF-8 (what Excel saves on a Windows that is not set to UTF-8). The words
 * name the character set to give --encoding, with the first bad line read in it for the person
 * to judge: the code page of the country (a Vietnamese seller's Excel saves WINDOWS-1258),
 * else Windows-1252 where the file reads as that. A file that is mostly UTF-8 goes on, and the
 * reader names each row with a bad byte. */
int import_check_encoding(const char *data, size_t len, const char *name, const char *country,
                          struct kerr *e)
{
	const unsigned char *u = (const unsigned char *)data;
	if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
		return kerr_set(
		    e, K_EINVAL,
		    "%s: line 1: UTF-16 text (Excel's \"Unicode Text\"): give --encoding "
		    "UTF-16, or save the file as \"CSV UTF-8\"",
		    name);
	if (utf8_valid(data, len))
		return K_OK;
	size_t good = 0, bad = 0, first = 0;
	for (size_t i = 0; i < len;) {
		unsigned char c = u[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
		if (n > 1 && n <= len - i && utf8_valid(data + i, n)) {
			good++;
			i += n;
			continue;
		}
		if (!bad++)
			first = i;
		i++;
	}
	if (good >= bad)
		return K_OK;
	long line = 1;
	for (size_t i = 0; i < first; i++)
		line += data[i] == '\n';
	const char *what = "a Western European or American";
	const char *set = import_country_charset(country, &what);
	if (!set || !converts_from(data, len, set)) {
		set = "WINDOWS-1252";
		what = "a Western European or American";
		if (!converts_from(data, len, set))
			set = NULL;
	}
	struct kbuf shown = KBUF_INIT;
	if (set && !line_read_as(data, len, first, set, &shown))
		set = NULL;
	if (set)
		kerr_set(e, K_EINVAL,
		         "%s: line %ld: not UTF-8; read as %s (what Excel saves CSV in on %s "
		         "Windows) it says \"%s\": if that is right, give --encoding %s, else the "
		         "character set it was saved in, or save the file as \"CSV UTF-8\"",
		         name, line, set, what, shown.data ? shown.data : "", set);
	else
		kerr_set(
		    e, K_EINVAL,
		    "%s: line %ld: not UTF-8 (byte 0x%02X): give --encoding with the character "
		    "set it was saved in (WINDOWS-1258, GBK, CP932, WINDOWS-1251...), or save the "
		    "file as \"CSV UTF-8\"",
		    name, line, u[first]);
	kbuf_free(&shown);
	return K_EINVAL;
}

/* One unit's weights and packing, as cached. */
static void keep_packing(const struct listing *cached, struct listing *l)
{
	l->net_grams = cached->net_grams;
	l->gross_grams = cached->gross_grams;
	memcpy(l->package_code, cached->package_code, sizeof l->package_code);
	l->units_per_package = cached->units_per_package;
}

void import_keep_unsaid(const struct import_row *r, const struct listing *cached, struct listing *l)
{
	if (!r->status_set)
		snprintf(l->status, sizeof l->status, "%s", cached->status);
	if (r->packing_unsaid)
		keep_packing(cached, l);
}

void import_keep_terms(enum import_format f, const struct listing *cached, struct listing *l)
{
	if (f == IMPORT_KONTOR || f == IMPORT_JSONL || !l->ntiers)
		return;
	/* the file's price, at her MOQ, then her quantity breaks above it */
	int64_t price = l->tiers[0].unit_price;
	free(l->tiers);
	l->moq = cached->moq;
	l->ntiers = cached->ntiers ? cached->ntiers : 1;
	l->tiers = xcalloc(l->ntiers, sizeof *l->tiers);
	if (cached->ntiers)
		memcpy(l->tiers, cached->tiers, cached->ntiers * sizeof *l->tiers);
	l->tiers[0].min_qty = l->moq;
	l->tiers[0].unit_price = price;
	memcpy(l->unit, cached->unit, sizeof l->unit);
	free(l->hs_code);
	l->hs_code = cached->hs_code ? xstrdup(cached->hs_code) : NULL;
	memcpy(l->origin_country, cached->origin_country, sizeof l->origin_country);
	l->lead_time_days = cached->lead_time_days;
	/* the shop's shipping weight where it says one her own figures allow; the rest hers */
	int64_t shop_gross = l->gross_grams;
	keep_packing(cached, l);
	if (shop_gross > 0 && shop_gross >= l->net_grams)
		l->gross_grams = shop_gross;
	kstrv_free(&l->incoterms);
	for (size_t i = 0; i < cached->incoterms.n; i++)
		kstrv_push(&l->incoterms, cached->incoterms.v[i]);
}

/* The reader of one format: its rows turned into listings and handed to p's callback. */
typedef int parse_fn(struct pctx *p, const char *data, size_t len, struct kerr *e);

int import_parse(const char *data, size_t len, const char *name, const struct import_opts *o,
                 struct import_stats *st, import_cb cb, void *ctx, struct kerr *e)
{
	int rc = import_check_encoding(data, len, name, o->country, e);
	if (rc)
		return rc;
	enum import_format f = o->format;
	if (f == IMPORT_AUTO && (f = import_detect(data, len, o->delim)) == IMPORT_AUTO) {
		/* her own spreadsheet's header, so she sees which names to change */
		size_t n = strcspn(data, "\r\n");
		char *head = xmalloc(n + 1), shown[160];
		memcpy(head, data, n);
		head[n] = '\0';
		text_shown(head, shown, sizeof shown);
		free(head);
		return kerr_set(
		    e, K_EINVAL,
		    "%s: line 1: not a format kontor knows (kontor CSV, Shopify, "
		    "WooCommerce, Etsy, Shopee or JSON Lines): it reads \"%s\"; name "
		    "the columns as a kontor CSV does (sku, title, price; currency, "
		    "stock, moq and the others as `kontor listing export` writes them), "
		    "or give --format",
		    name, shown);
	}
	struct pctx p = {cb, ctx, name, o, 0, ',', o->decimal_comma, 0, 0, 0};
	static parse_fn *const parse[] = {
	    [IMPORT_KONTOR] = parse_kontor,   [IMPORT_SHOPIFY] = parse_shopify,
	    [IMPORT_WOOCOMMERCE] = parse_woo, [IMPORT_ETSY] = parse_etsy,
	    [IMPORT_JSONL] = parse_jsonl,     [IMPORT_SHOPEE] = parse_shopee};
	if ((unsigned)f >= sizeof parse / sizeof parse[0] || !parse[f])
		return kerr_set(e, K_EUSAGE, "unknown import format");
	rc = parse[f](&p, data, len, e);
	if (st) {
		st->format = f;
		st->rows = p.rows;
	}
	return rc;
}
