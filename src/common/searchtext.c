/* searchtext — the index form of listing text, shared by the client cache and the node. */
#include "kontor/searchtext.h"

#include <string.h>

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

size_t searchtext_prep(struct kbuf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, run_chars = 0;
	int in_run = 0;
	while (i < n) {
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
	searchtext_prep(out, s, n);
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
