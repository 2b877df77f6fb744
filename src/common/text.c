/* text — terminal width, clipping and sanitising of UTF-8, shared by batch output and the
 * TUI so a remote title looks (and behaves) the same in both. */
#include "kontor/text.h"

#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

void text_locale_init(void)
{
	if (!setlocale(LC_CTYPE, "") || strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		setlocale(LC_CTYPE, "C.UTF-8");
}

/* Decodes one UTF-8 character; returns its length (1 for an invalid byte, with *cp = -1). */
static size_t utf8_next(const unsigned char *p, size_t left, long *cp)
{
	uint32_t v;
	size_t len = utf8_decode(p, left, &v);
	*cp = len ? (long)v : -1;
	return len ? len : 1;
}

static int cp_width(long cp)
{
	if (cp < 0)
		return 1;
	int w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

size_t text_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), w = 0;
	while (left > 0) {
		long cp;
		size_t n = utf8_next(p, left, &cp);
		w += (size_t)cp_width(cp);
		p += n;
		left -= n;
	}
	return w;
}

size_t text_clip(struct kbuf *out, const char *s, size_t cols, int pad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), used = 0;
	while (left > 0) {
		long cp;
		size_t n = utf8_next(p, left, &cp);
		size_t w = (size_t)cp_width(cp);
		if (used + w > cols)
			break;
		if (cp < 0)
			kbuf_puts(out, "\xEF\xBF\xBD");
		else
			kbuf_append(out, p, n);
		used += w;
		p += n;
		left -= n;
	}
	if (pad)
		for (; used < cols; used++)
			kbuf_putc(out, ' ');
	return used;
}

/* "(Kích thước: Nhỏ, Màu: Nâu)" without the names: "(Nhỏ, Nâu)". */
static void values_only(const char *open, struct kbuf *out)
{
	kbuf_putc(out, '(');
	const char *p = open + 1, *end = open + strlen(open) - 1;
	while (p < end) {
		const char *comma = strstr(p, ", ");
		const char *stop = comma && comma < end ? comma : end;
		const char *colon = strstr(p, ": ");
		const char *v = colon && colon < stop ? colon + 2 : p;
		kbuf_append(out, v, (size_t)(stop - v));
		if (stop == end)
			break;
		kbuf_puts(out, ", ");
		p = stop + 2;
	}
	kbuf_putc(out, ')');
}

size_t text_clip_mark(struct kbuf *out, const char *s, size_t cols, int pad)
{
	if (cols < 1)
		return 0;
	if (text_width(s) <= cols)
		return text_clip(out, s, cols, pad);
	/* one column less (less still when a wide character would straddle it), the spaces
	 * before the cut dropped ("Berlin …" reads as two words), then the mark */
	size_t start = out->len, used = text_clip(out, s, cols - 1, 0);
	while (out->len > start && out->data[out->len - 1] == ' ') {
		out->data[--out->len] = '\0';
		used--;
	}
	kbuf_puts(out, "\xE2\x80\xA6"); /* … */
	used++;
	if (pad)
		for (; used < cols; used++)
			kbuf_putc(out, ' ');
	return used;
}

size_t text_clip_tail(struct kbuf *out, const char *s, size_t cols, int pad)
{
	size_t n = strlen(s);
	const char *open = n && s[n - 1] == ')' ? strrchr(s, '(') : NULL;
	size_t tail = open && open > s ? text_width(open) : 0;
	if (!tail || text_width(s) <= cols)
		return text_clip_mark(out, s, cols, pad);
	/* the part needs "… " and three columns of the head before it ("Đèn… (Lớn)"): two
	 * lanterns that differ by their size stay apart in a narrow column */
	struct kbuf shorter = KBUF_INIT;
	if (tail + 5 > cols) { /* the values alone, where the names make it too wide */
		values_only(open, &shorter);
		tail = text_width(kbuf_str(&shorter));
		if (tail + 5 > cols) {
			kbuf_free(&shorter);
			return text_clip_mark(out, s, cols, pad);
		}
	}
	/* the head before the part (its space dropped), cut to leave "… " and the part */
	size_t hn = (size_t)(open - s);
	while (hn && s[hn - 1] == ' ')
		hn--;
	char *head = xstrndup(s, hn);
	size_t start = out->len, used = text_clip(out, head, cols - tail - 2, 0);
	free(head);
	while (out->len > start && out->data[out->len - 1] == ' ') { /* "đan …" reads as two */
		out->data[--out->len] = '\0';
		used--;
	}
	kbuf_puts(out, "\xE2\x80\xA6 "); /* … */
	used += 2;
	used += text_clip(out, shorter.len ? kbuf_str(&shorter) : open, cols - used, 0);
	kbuf_free(&shorter);
	if (pad)
		for (; used < cols; used++)
			kbuf_putc(out, ' ');
	return used;
}

/* ---- bidi controls and invisible format characters --------------------------------------
 * What goes: every code point of general category Cf that is invisible (the bidi embeddings,
 * overrides, isolates and marks, zero-width space, word joiner and the invisible operators,
 * the BOM, soft hyphen, interlinear annotation, the deprecated format controls, the
 * Egyptian, shorthand and musical format controls, language tags), and the line and
 * paragraph separators U+2028/U+2029 (a newline or a space instead). What stays: the
 * visible Cf signs (Arabic number signs, end of ayah, Syriac and Kaithi marks), ZWJ inside
 * an emoji sequence (between two pictographs, a skin tone or VS16 allowed after the first)
 * and ZWJ or ZWNJ between two letters of a script that shapes with them (Arabic, Syriac,
 * Thaana, N'Ko, the Indic scripts, Myanmar, Khmer, Mongolian), and tag characters that
 * spell a subdivision flag after U+1F3F4. */

struct range {
	uint32_t lo, hi;
};

static int in_ranges(long cp, const struct range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cp >= (long)r[i].lo && cp <= (long)r[i].hi)
			return 1;
	return 0;
}
#define IN(cp, table) in_ranges(cp, table, sizeof table / sizeof table[0])

/* Extended_Pictographic, a little generously: what may stand on either side of an emoji ZWJ. */
static const struct range emoji_ranges[] = {
    {0x00A9, 0x00A9}, {0x00AE, 0x00AE},   {0x203C, 0x203C},   {0x2049, 0x2049}, {0x2122, 0x2122},
    {0x2139, 0x2139}, {0x2194, 0x21AA},   {0x231A, 0x23FF},   {0x24C2, 0x24C2}, {0x25AA, 0x25FE},
    {0x2600, 0x27BF}, {0x2934, 0x2935},   {0x2B05, 0x2B55},   {0x3030, 0x3030}, {0x303D, 0x303D},
    {0x3297, 0x3299}, {0x1F000, 0x1FAFF}, {0x1FC00, 0x1FFFD},
};

/* Scripts whose shaping uses ZWJ and ZWNJ (Unicode §23.2). */
static const struct range joining_ranges[] = {
    {0x0620, 0x06FF}, {0x0700, 0x074F}, {0x0750, 0x07BF}, {0x07C0, 0x07FF},
    {0x0870, 0x08FF}, {0x0900, 0x0DFF}, {0x1000, 0x109F}, {0x1780, 0x17FF},
    {0x1800, 0x18AF}, {0xA840, 0xA87F}, {0xFB50, 0xFDFF}, {0xFE70, 0xFEFC},
};

#define ZWNJ 0x200C
#define ZWJ 0x200D
#define BLACK_FLAG 0x1F3F4
#define TAG_CANCEL 0xE007F

/* The last kept code point, and the last one that was not an emoji modifier (VS15/16, a
 * skin tone, the keycap or a tag), for the context rules. */
struct fmt_state {
	long last, base;
};

static int is_tag(long cp)
{
	return cp >= 0xE0020 && cp <= TAG_CANCEL;
}

static void fmt_note(struct fmt_state *st, long cp)
{
	st->last = cp;
	if (cp < 0x80 || !(cp == 0xFE0F || cp == 0xFE0E || cp == 0x20E3 ||
	                   (cp >= 0x1F3FB && cp <= 0x1F3FF) || is_tag(cp)))
		st->base = cp;
}

/* Bytes of a subdivision flag's tag run at p (2 to 7 tag letters or digits and the cancel
 * tag, as in England's flag), or 0. */
static size_t tag_run(const unsigned char *p, size_t left)
{
	size_t off = 0;
	for (int k = 0; k < 8 && off < left; k++) {
		long cp;
		size_t n = utf8_next(p + off, left - off, &cp);
		off += n;
		if (cp == TAG_CANCEL)
			return k >= 2 ? off : 0;
		if (!((cp >= 0xE0030 && cp <= 0xE0039) || (cp >= 0xE0061 && cp <= 0xE007A)))
			return 0;
	}
	return 0;
}

/* The kind of hidden character cp is, or NULL when it is not one of them. Ordered so most
 * text (ASCII, Latin, CJK) is decided by the first comparisons. */
static const char *fmt_kind(long cp)
{
	static const char bidi[] = "a bidi control", sep[] = "a line or paragraph separator",
	                  inv[] = "an invisible format character";
	if (cp < 0x2000)
		return cp == 0x061C ? bidi : cp == 0x00AD || cp == 0x180E ? inv : NULL;
	if (cp <= 0x206F) {
		if ((cp >= 0x200E && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			return bidi;
		if (cp == 0x2028 || cp == 0x2029)
			return sep;
		if ((cp >= 0x200B && cp <= 0x200D) || (cp >= 0x2060 && cp <= 0x2064) ||
		    cp >= 0x206A)
			return inv;
		return NULL;
	}
	if (cp < 0xFEFF)
		return NULL;
	if (cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB) || (cp >= 0x13430 && cp <= 0x1343F) ||
	    (cp >= 0x1BCA0 && cp <= 0x1BCA3) || (cp >= 0x1D173 && cp <= 0x1D17A) || cp == 0xE0001 ||
	    is_tag(cp))
		return inv;
	return NULL;
}

/* For a code point fmt_kind names: how many bytes from p to keep (its own n, or a whole tag
 * run), 0 when it goes. */
static size_t fmt_keep(const unsigned char *p, size_t left, long cp, size_t n,
                       const struct fmt_state *st)
{
	if (cp == ZWJ || cp == ZWNJ) {
		long nx = -1;
		if (left > n)
			utf8_next(p + n, left - n, &nx);
		if (cp == ZWJ && IN(st->base, emoji_ranges) && IN(nx, emoji_ranges))
			return n;
		return IN(st->last, joining_ranges) && IN(nx, joining_ranges) ? n : 0;
	}
	if (is_tag(cp) && st->last == BLACK_FLAG)
		return tag_run(p, left);
	return 0;
}

/* For a code point fmt_kind names: the bytes fmt_keep keeps appended to out and noted in st;
 * returns their count (0: the caller drops or escapes the code point's n bytes). */
static size_t fmt_take(struct kbuf *out, const unsigned char *p, const unsigned char *end, long cp,
                       size_t n, struct fmt_state *st)
{
	size_t keep = fmt_keep(p, (size_t)(end - p), cp, n, st);
	if (keep) {
		kbuf_append(out, p, keep);
		fmt_note(st, cp);
	}
	return keep;
}

int text_hidden_find(const char *s, size_t len, size_t *at, long *cp_out, const char **kind)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	struct fmt_state st = {-1, -1};
	while (p < end) {
		long cp;
		size_t n = utf8_next(p, (size_t)(end - p), &cp);
		const char *k = fmt_kind(cp);
		if (k) {
			size_t keep = fmt_keep(p, (size_t)(end - p), cp, n, &st);
			if (!keep) {
				if (at)
					*at = (size_t)(p - (const unsigned char *)s);
				if (cp_out)
					*cp_out = cp;
				if (kind)
					*kind = k;
				return 1;
			}
			n = keep;
		}
		fmt_note(&st, cp);
		p += n;
	}
	return 0;
}

const char *text_shown(const char *s, char *out, size_t cap)
{
	if (!cap)
		return out;
	out[0] = '\0';
	if (cap < 4)
		return out;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t left = strlen((const char *)p), i = 0, cut = 0; /* cut: where "..." would go */
	while (left) {
		long cp;
		size_t n = utf8_next(p, left, &cp);
		int shown = cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp < 0xA0) && !fmt_kind(cp);
		size_t w = shown ? n : 1;
		if (i + w <= cap - 4)
			cut = i + w;
		if (i + w > cap - 1) { /* it does not fit whole: cut at a character, say so */
			memcpy(out + cut, "...", 4);
			return out;
		}
		if (shown)
			memcpy(out + i, p, n);
		else
			out[i] = '?';
		i += w;
		p += n;
		left -= n;
	}
	out[i] = '\0';
	return out;
}

void text_sanitize(struct kbuf *out, const char *s, size_t len, int keep_newlines)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	struct fmt_state st = {-1, -1};
	while (p < end) {
		long cp;
		size_t n = utf8_next(p, (size_t)(end - p), &cp);
		if (cp == 0x1B || cp == 0x9B || cp == 0x9D) {
			/* ESC or the 8-bit CSI/OSC: swallow the whole sequence. */
			const unsigned char *q = p + n;
			int osc = cp == 0x9D, csi = cp == 0x9B;
			if (cp == 0x1B && q < end) {
				if (*q == '[')
					csi = 1, q++;
				else if (*q == ']' || *q == 'P' || *q == '_' || *q == '^')
					osc = 1, q++;
				else
					q++; /* two-byte escape such as ESC c */
			}
			if (csi) {
				while (q < end && *q >= 0x20 && *q <= 0x3F)
					q++; /* parameters and intermediates */
				if (q < end && *q >= 0x40 && *q <= 0x7E)
					q++;
			} else if (osc) {
				while (q < end && *q != 0x07 &&
				       !(*q == 0x1B && q + 1 < end && q[1] == '\\'))
					q++;
				if (q < end)
					q += *q == 0x07 ? 1 : 2;
			}
			p = q;
			continue;
		}
		if (cp == 0x2028 || cp == 0x2029) {
			kbuf_putc(out, keep_newlines ? '\n' : ' ');
			fmt_note(&st, ' ');
			p += n;
			continue;
		}
		if (fmt_kind(cp)) {
			size_t keep = fmt_take(out, p, end, cp, n, &st);
			p += keep ? keep : n;
			continue;
		}
		if (cp < 0)
			kbuf_puts(out, "\xEF\xBF\xBD");
		else if (cp == '\n' && keep_newlines)
			kbuf_putc(out, '\n');
		else if (cp == '\t')
			kbuf_putc(out, ' ');
		else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
			; /* control characters never reach the terminal */
		else
			kbuf_append(out, p, n);
		if (cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp < 0xA0))
			fmt_note(&st, cp);
		p += n;
	}
}

int text_fprintf(FILE *f, const char *fmt, ...)
{
	struct kbuf raw = KBUF_INIT, safe = KBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	kbuf_vprintf(&raw, fmt, ap);
	va_end(ap);
	text_sanitize(&safe, kbuf_str(&raw), raw.len, 1);
	size_t w = safe.len ? fwrite(safe.data, 1, safe.len, f) : 0;
	int rc = w == safe.len ? (int)w : -1;
	kbuf_free(&raw);
	kbuf_free(&safe);
	return rc;
}

static void put_u_escape(struct kbuf *out, long cp)
{
	if (cp >= 0x10000) {
		long v = cp - 0x10000;
		kbuf_printf(out, "\\u%04lx\\u%04lx", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
	} else {
		kbuf_printf(out, "\\u%04lx", cp);
	}
}

void text_json_guard(struct kbuf *out, const char *json, size_t len)
{
	const unsigned char *p = (const unsigned char *)json, *end = p + len;
	struct fmt_state st = {-1, -1};
	while (p < end) {
		long cp;
		size_t n = utf8_next(p, (size_t)(end - p), &cp);
		if (cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x1B) {
			put_u_escape(out, cp);
			p += n;
			continue;
		}
		if (fmt_kind(cp)) {
			size_t keep = fmt_take(out, p, end, cp, n, &st);
			if (!keep)
				put_u_escape(out, cp);
			p += keep ? keep : n;
			continue;
		}
		kbuf_append(out, p, n);
		fmt_note(&st, cp);
		p += n;
	}
}

size_t text_list_next(const char **s, char sep, const char **item)
{
	const char *p = *s, *end = strchr(p, sep);
	size_t len = end ? (size_t)(end - p) : strlen(p);
	*s = end ? end + 1 : p + len;
	while (len && *p == ' ')
		p++, len--;
	while (len && p[len - 1] == ' ')
		len--;
	*item = p;
	return len;
}

size_t text_wrap(const char *s, size_t cols, struct kbuf *lines, size_t max)
{
	struct kbuf clean = KBUF_INIT;
	text_sanitize(&clean, s ? s : "", s ? strlen(s) : 0, 0);
	const char *p = kbuf_str(&clean);
	size_t n = 0;
	if (cols < 1)
		cols = 1;
	lines[0] = (struct kbuf)KBUF_INIT;
	size_t used = 0;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		size_t wl = strcspn(p, " ");
		/* the whole word, however long (a link): what is cut goes on the next line */
		struct kbuf word = KBUF_INIT;
		kbuf_append(&word, p, wl);
		size_t ww = text_width(kbuf_str(&word));
		if (used > 0 && used + 1 + ww > cols && n + 1 < max) {
			lines[++n] = (struct kbuf)KBUF_INIT;
			used = 0;
		}
		if (used > 0) {
			kbuf_putc(&lines[n], ' ');
			used++;
		}
		const char *w = kbuf_str(&word);
		while (used + text_width(w) > cols && n + 1 < max) {
			/* a word wider than what is left of a line: cut it where the line ends */
			size_t before = lines[n].len;
			text_clip(&lines[n], w, cols - used, 0);
			size_t took = lines[n].len - before;
			if (took == 0 && used == 0)
				break;
			w += took;
			lines[++n] = (struct kbuf)KBUF_INIT;
			used = 0;
		}
		kbuf_puts(&lines[n], w);
		used += text_width(w);
		kbuf_free(&word);
		p += wl;
	}
	kbuf_free(&clean);
	return n + 1;
}
