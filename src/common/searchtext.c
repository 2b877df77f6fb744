/* searchtext — the index form of listing text, shared by the client cache and the node. */
#include "kontor/searchtext.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

static int is_bigram_script(uint32_t c)
{
	return (c >= 0x0E00 && c <= 0x0EFF) || /* Thai, Lao */
	       (c >= 0x1000 && c <= 0x109F) || /* Myanmar */
	       (c >= 0x1100 && c <= 0x11FF) || /* Hangul Jamo */
	       (c >= 0x1780 && c <= 0x17FF) || /* Khmer */
	       (c >= 0x3040 && c <= 0x30FF) || /* Hiragana, Katakana */
	       (c >= 0x3130 && c <= 0x318F) || /* Hangul compatibility Jamo */
	       (c >= 0x31F0 && c <= 0x31FF) || /* Katakana extensions */
	       (c >= 0x3400 && c <= 0x4DBF) || /* Han extension A */
	       (c >= 0x4E00 && c <= 0x9FFF) || /* Han */
	       (c >= 0xAC00 && c <= 0xD7AF) || /* Hangul syllables */
	       (c >= 0xF900 && c <= 0xFAFF) || /* Han compatibility */
	       (c >= 0xFF66 && c <= 0xFF9F) || /* halfwidth Katakana */
	       (c >= 0x20000 && c <= 0x3134F); /* Han extensions B.. */
}

/* One UTF-8 character; its length, 0 at a bad byte (taken as a gap). */
static size_t utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	size_t len = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC0 ? 2 : 0;
	if (!len || len > n || p[0] > 0xF4)
		return 0;
	uint32_t c = p[0] & (0x3F >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	*cp = c;
	return len;
}

/* A spaceless run becomes its overlapping bigrams (铁艺桌腿 -> 铁艺 艺桌 桌腿); a
 * one-character run stays as it is. */
static void flush_run(struct kbuf *out, const unsigned char *run, size_t n)
{
	if (!n)
		return;
	uint32_t cp;
	size_t a = utf8_next(run, n, &cp);
	if (a == n) {
		kbuf_putc(out, ' ');
		kbuf_append(out, run, n);
		kbuf_putc(out, ' ');
		return;
	}
	size_t i = 0;
	while (i + a < n) {
		size_t b = utf8_next(run + i + a, n - i - a, &cp);
		kbuf_putc(out, ' ');
		kbuf_append(out, run + i, a + b);
		i += a;
		a = b;
	}
	kbuf_putc(out, ' ');
}

/* Marks that only decorate a letter: the combining diacritics (Latin, Greek, Cyrillic: é, ё,
 * ά), Hebrew points and Arabic harakat. Marks that make a letter of their own script (Thai
 * vowels, Indic signs) stay. */
static int is_diacritic(UChar32 c)
{
	return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
	       (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
	       (c >= 0xFE20 && c <= 0xFE2F) ||
	       (c >= 0x0591 && c <= 0x05C7 && c != 0x05BE && c != 0x05C0 && c != 0x05C3 &&
	        c != 0x05C6) ||
	       (c >= 0x064B && c <= 0x065F) || c == 0x0670;
}

/* The Latin letters whose mark is part of the letter, so that NFD leaves them whole (a
 * stroke, a bar, a hook, two letters joined), as a keyboard without them writes them: the
 * lower-case ones of ICU's Latin-ASCII transliterator that a name or a product is written
 * with. Case is folded before. NULL for any other character. */
static const char *ascii_letters(UChar32 c)
{
	static const struct {
		UChar32 c;
		const char *as;
	} held[] = {
	    {0x00E6, "ae"}, {0x00F0, "d"},  {0x00F8, "o"}, {0x00FE, "th"}, /* æ ð ø þ */
	    {0x0111, "d"},  {0x0127, "h"},  {0x0131, "i"}, {0x0142, "l"},  /* đ ħ ı ł */
	    {0x014B, "n"},  {0x0153, "oe"}, {0x0167, "t"}, {0x0180, "b"},  /* ŋ œ ŧ ƀ */
	    {0x0188, "c"},  {0x0192, "f"},  {0x0199, "k"}, {0x019A, "l"},  /* ƈ ƒ ƙ ƚ */
	    {0x01A5, "p"},  {0x01AD, "t"},  {0x01B6, "z"}, {0x01E5, "g"},  /* ƥ ƭ ƶ ǥ */
	    {0x0253, "b"},  {0x0257, "d"},  {0x0260, "g"}, {0x0268, "i"},  /* ɓ ɗ ɠ ɨ */
	    {0x0272, "n"},  {0x0289, "u"},                                 /* ɲ ʉ */
	};
	if (c < 0x00E6 || c > 0x0289)
		return NULL;
	for (size_t i = 0; i < sizeof held / sizeof held[0]; i++)
		if (held[i].c == c)
			return held[i].as;
	return NULL;
}

/* Unicode's default case folding with compatibility forms (NFKC_Casefold: ß -> ss, ﬁ -> fi,
 * full-width -> ASCII, ς -> σ), then the diacritics taken off (NFD: ё -> е, é -> e) and the
 * letters that hold their mark written as ascii_letters says (đ -> d, æ -> ae). Plain
 * ASCII needs only its case folded (prep_folded does that) and skips ICU: most text is
 * ASCII, and an import indexes a hundred thousand listings. Bytes that are not UTF-8 become gaps.
 * Returns 0 when s was left as it is, else 1 with *out (the caller frees) and *len set. */
static int fold(const char *s, size_t n, char **out, size_t *len)
{
	size_t i = 0;
	while (i < n && (unsigned char)s[i] < 0x80)
		i++;
	if (i == n || n > (size_t)INT32_MAX / 8)
		return 0;
	UErrorCode err = U_ZERO_ERROR;
	const UNormalizer2 *cf = unorm2_getNFKCCasefoldInstance(&err);
	const UNormalizer2 *nfd = unorm2_getNFDInstance(&err);
	int32_t cap = (int32_t)n * 4 + 16, la = 0, lb = 0, lo = 0;
	UChar *a = xmalloc((size_t)cap * sizeof *a), *b = xmalloc((size_t)cap * sizeof *b);
	u_strFromUTF8WithSub(a, cap, &la, s, (int32_t)n, ' ', NULL, &err);
	la = unorm2_normalize(cf, a, la, b, cap, &err);
	lb = unorm2_normalize(nfd, b, la, a, cap, &err);
	int32_t k = 0;
	for (int32_t j = 0; j < lb && k + 2 <= cap;) {
		UChar32 c;
		int32_t at = j;
		U16_NEXT(a, j, lb, c);
		const char *as = ascii_letters(c);
		if (as) /* two units at most: the loop leaves room */
			while (*as)
				b[k++] = (UChar)*as++;
		else if (!is_diacritic(c))
			while (at < j)
				b[k++] = a[at++];
	}
	*out = xmalloc((size_t)k * 3 + 1);
	u_strToUTF8(*out, k * 3 + 1, &lo, b, k, &err);
	free(a);
	free(b);
	if (U_FAILURE(err)) {
		free(*out);
		return 0; /* ICU refused it: the text as it is is still searchable */
	}
	*len = (size_t)lo;
	return 1;
}

static size_t prep_folded(struct kbuf *out, const char *s, size_t n, int index);

static size_t prep(struct kbuf *out, const char *s, size_t n, int index)
{
	char *folded;
	size_t len;
	if (!fold(s, n, &folded, &len))
		return prep_folded(out, s, n, index);
	size_t tail = prep_folded(out, folded, len, index);
	free(folded);
	return tail;
}

size_t searchtext_prep(struct kbuf *out, const char *s, size_t n)
{
	return prep(out, s, n, 0);
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_word_byte(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* An HS code written with dots as a tariff prints it, "7308.30" or "7308.30.90" (four
 * digits, then groups of two to four, at most 10 digits, a word of its own): its length in
 * bytes, its digits in d (SEARCHTEXT_HS_MAX + 1 bytes); 0 for anything else. */
static size_t hs_dotted(const unsigned char *p, size_t n, char *d)
{
	size_t i = 0, nd = 0, groups = 0;
	while (i < n && is_digit(p[i]) && i < 5)
		d[nd++] = (char)p[i++];
	if (nd != 4)
		return 0;
	while (i + 1 < n && p[i] == '.' && is_digit(p[i + 1])) {
		size_t g = 0;
		for (i++; i < n && is_digit(p[i]); i++, g++) {
			if (nd == SEARCHTEXT_HS_MAX || g == 4)
				return 0;
			d[nd++] = (char)p[i];
		}
		if (g < 2)
			return 0;
		groups++;
	}
	if (!groups || (i < n && is_word_byte(p[i])))
		return 0;
	d[nd] = 0;
	return i;
}

/* index: a dotted HS code is indexed as its pieces and its digits ("1200.50" still has the
 * word 1200); a query has only the digits, which either finds. */
static size_t prep_folded(struct kbuf *out, const char *s, size_t n, int index)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, run_chars = 0;
	int in_run = 0;
	while (i < n) {
		char hs[SEARCHTEXT_HS_MAX + 1];
		size_t hl;
		if (is_digit(p[i]) && (i == 0 || (!is_word_byte(p[i - 1]) && p[i - 1] != '.')) &&
		    (hl = hs_dotted(p + i, n - i, hs)) > 0) {
			if (in_run)
				flush_run(out, p + run, i - run);
			in_run = 0;
			run_chars = 0;
			if (index) {
				kbuf_append(out, p + i, hl);
				kbuf_putc(out, ' ');
			}
			kbuf_puts(out, hs);
			i += hl;
			continue;
		}
		uint32_t cp;
		size_t len = utf8_next(p + i, n - i, &cp);
		if (!len) {
			flush_run(out, p + run, in_run ? i - run : 0);
			in_run = 0;
			run_chars = 0;
			kbuf_putc(out, ' ');
			i++;
			continue;
		}
		if (is_bigram_script(cp)) {
			if (!in_run) {
				in_run = 1;
				run = i;
				run_chars = 0;
			}
			run_chars++;
		} else {
			if (in_run)
				flush_run(out, p + run, i - run);
			in_run = 0;
			run_chars = 0;
			if (cp == '_')
				kbuf_putc(out, ' ');
			else if (cp >= 'A' && cp <= 'Z')
				kbuf_putc(out, (char)(cp - 'A' + 'a'));
			else if (!(cp >= 0x300 && cp <= 0x36F))
				kbuf_append(out, p + i, len);
		}
		i += len;
	}
	if (in_run)
		flush_run(out, p + run, n - run);
	return in_run ? run_chars : 0;
}

void searchtext_prep_field(struct kbuf *out, const char *s, size_t max)
{
	if (!s)
		return;
	size_t n = strlen(s);
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--; /* never cut a character in half */
	}
	kbuf_putc(out, ' ');
	prep(out, s, n, 1);
}

void searchtext_hs_field(struct kbuf *out, const char *hs)
{
	size_t n = hs ? strlen(hs) : 0;
	if (!n)
		return;
	if (n > 4)
		kbuf_printf(out, " %.4s", hs);
	if (n > 6)
		kbuf_printf(out, " %.6s", hs);
	searchtext_prep_field(out, hs, (size_t)-1);
}

int searchtext_value_bucket(int64_t v)
{
	if (v <= 0)
		return 0;
	int e = 63 - __builtin_clzll((unsigned long long)v);
	int m = e >= 2 ? (int)((v >> (e - 2)) & 3) : (int)((v << (2 - e)) & 3);
	return 1 + 4 * e + m;
}

void searchtext_range_tokens(struct kbuf *out, const char *prefix, int64_t v)
{
	int b = searchtext_value_bucket(v);
	for (int lvl = 0; lvl <= 6; lvl += 2)
		kbuf_printf(out, " %s%d_%d", prefix, lvl, b >> lvl);
}

void searchtext_category_norm(const char *c, struct kbuf *out)
{
	int space = 0;
	kbuf_reset(out);
	for (; *c; c++) {
		char ch = *c;
		if (ch == '>' || ch == '/') {
			while (out->len && out->data[out->len - 1] == ' ')
				out->len--;
			kbuf_putc(out, '/');
			space = 0;
			while (c[1] == ' ' || c[1] == '\t')
				c++;
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			space = out->len > 0 && out->data[out->len - 1] != '/';
			continue;
		}
		if (space)
			kbuf_putc(out, ' ');
		space = 0;
		kbuf_putc(out, ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch);
	}
	while (out->len && (out->data[out->len - 1] == '/' || out->data[out->len - 1] == ' '))
		out->len--;
	if (out->data)
		out->data[out->len] = '\0';
}

uint64_t searchtext_hash(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void searchtext_category_token(struct kbuf *out, const char *prefix, const char *norm, size_t n)
{
	kbuf_printf(out, " %s%016llx", prefix, (unsigned long long)searchtext_hash(norm, n));
}

void searchtext_category_tokens(struct kbuf *out, const char *prefix, const char *category)
{
	struct kbuf norm = KBUF_INIT;
	searchtext_category_norm(category, &norm);
	for (size_t i = 0; i <= norm.len; i++)
		if ((i == norm.len || norm.data[i] == '/') && i > 0)
			searchtext_category_token(out, prefix, norm.data, i);
	kbuf_free(&norm);
}

void searchtext_fts_phrase(struct kbuf *out, const char *t, int prefix)
{
	kbuf_putc(out, '"');
	for (; *t; t++) {
		if (*t == '"')
			kbuf_putc(out, '"');
		kbuf_putc(out, *t);
	}
	kbuf_putc(out, '"');
	if (prefix)
		kbuf_putc(out, '*');
}

int64_t searchtext_currency_rank(const char *c)
{
	int64_t r = 0;
	for (int i = 0; i < 3; i++) {
		int v = c && c[0] && (i == 0 || c[i - 1]) ? c[i] - 'A' : 0;
		r = r * 26 + (v < 0 ? 0 : v > 25 ? 25 : v);
	}
	return r;
}
