/* text — terminal width, clipping and sanitising of UTF-8, shared by batch output and the
 * TUI so a remote title looks (and behaves) the same in both. */
#include "kontor/text.h"

#include <langinfo.h>
#include <locale.h>
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
	unsigned c = p[0];
	size_t len;
	unsigned long v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xE0) == 0xC0)
		len = 2, v = c & 0x1F, min = 0x80;
	else if ((c & 0xF0) == 0xE0)
		len = 3, v = c & 0x0F, min = 0x800;
	else if ((c & 0xF8) == 0xF0)
		len = 4, v = c & 0x07, min = 0x10000;
	else {
		*cp = -1;
		return 1;
	}
	if (left < len) {
		*cp = -1;
		return 1;
	}
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			*cp = -1;
			return 1;
		}
		v = (v << 6) | (p[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
		*cp = -1;
		return 1;
	}
	*cp = (long)v;
	return len;
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

const char *text_shown(const char *s, char *out, size_t cap)
{
	size_t i = 0;
	if (!s)
		s = "";
	if (cap < 4) {
		if (cap)
			out[0] = '\0';
		return out;
	}
	for (; *s && i < cap - 4; s++)
		out[i++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	if (*s) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

void text_sanitize(struct kbuf *out, const char *s, size_t len, int keep_newlines)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
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
		p += n;
	}
}
