/* prompt — the one-line editor behind the search query, the ':' prompt and chat compose,
 * and word wrapping by display width (CJK takes two columns). */
#include "ui.h"

#include <string.h>
#include <wctype.h>

#include "kontor/text.h"

void ui_line_clear(struct ui_line *l)
{
	l->len = l->cur = 0;
	l->buf[0] = 0;
}

void ui_line_set(struct ui_line *l, const char *s)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	ui_line_clear(l);
	size_t n = strlen(s);
	while (n > 0 && l->len < UI_LINE_MAX) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, n, &st);
		if (k == (size_t)-1 || k == (size_t)-2) {
			memset(&st, 0, sizeof st);
			s++, n--;
			continue;
		}
		if (k == 0)
			break;
		l->buf[l->len++] = wc;
		s += k, n -= k;
	}
	l->buf[l->len] = 0;
	l->cur = l->len;
}

enum ui_edit ui_line_key(struct ui_line *l, int key)
{
	switch (key) {
	case '\n':
	case '\r':
	case UI_FKEY(KEY_ENTER):
		return EDIT_DONE;
	case UI_KEY_ESC:
		return EDIT_CANCEL;
	case UI_FKEY(KEY_BACKSPACE):
	case 127:
	case 8:
		if (l->cur > 0) {
			memmove(l->buf + l->cur - 1, l->buf + l->cur,
			        (size_t)(l->len - l->cur + 1) * sizeof(wchar_t));
			l->cur--, l->len--;
		}
		return EDIT_GOING;
	case UI_FKEY(KEY_DC):
		if (l->cur < l->len) {
			memmove(l->buf + l->cur, l->buf + l->cur + 1,
			        (size_t)(l->len - l->cur) * sizeof(wchar_t));
			l->len--;
		}
		return EDIT_GOING;
	case UI_FKEY(KEY_LEFT):
		if (l->cur > 0)
			l->cur--;
		return EDIT_GOING;
	case UI_FKEY(KEY_RIGHT):
		if (l->cur < l->len)
			l->cur++;
		return EDIT_GOING;
	case UI_FKEY(KEY_HOME):
	case UI_CTRL('a'):
		l->cur = 0;
		return EDIT_GOING;
	case UI_FKEY(KEY_END):
	case UI_CTRL('e'):
		l->cur = l->len;
		return EDIT_GOING;
	case UI_CTRL('u'):
		ui_line_clear(l);
		return EDIT_GOING;
	}
	/* Printable characters only: a control character never gets into a command line. */
	if (key >= 0x200000 || key < 0x20 || !iswprint((wint_t)key) || l->len >= UI_LINE_MAX)
		return EDIT_GOING;
	memmove(l->buf + l->cur + 1, l->buf + l->cur,
	        (size_t)(l->len - l->cur + 1) * sizeof(wchar_t));
	l->buf[l->cur++] = (wchar_t)key;
	l->len++;
	return EDIT_GOING;
}

void ui_line_utf8(const struct ui_line *l, struct kbuf *out)
{
	kbuf_reset(out);
	char mb[MB_LEN_MAX];
	mbstate_t st;
	memset(&st, 0, sizeof st);
	for (int i = 0; i < l->len; i++) {
		size_t k = wcrtomb(mb, l->buf[i], &st);
		if (k != (size_t)-1)
			kbuf_append(out, mb, k);
	}
}

static int wc_cols(wchar_t wc)
{
	int w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

int ui_line_draw(const struct ui_line *l, const char *label, int y, int cols, attr_t attr)
{
	int lw = (int)text_width(label);
	int room = cols - lw - 1;
	if (room < 1)
		room = 1;
	/* Show the part around the cursor: start where the cursor still fits. */
	int start = 0, w = 0;
	for (int i = l->cur - 1; i >= 0; i--) {
		w += wc_cols(l->buf[i]);
		if (w > room - 1) {
			start = i + 1;
			break;
		}
	}
	attrset(attr);
	mvaddstr(y, 0, label);
	int x = lw, curx = lw;
	for (int i = start; i < l->len; i++) {
		int cw = wc_cols(l->buf[i]);
		if (x + cw > cols - 1)
			break;
		if (i == l->cur)
			curx = x;
		addnwstr(&l->buf[i], 1);
		x += cw;
	}
	if (l->cur == l->len || curx < lw)
		curx = l->cur == l->len ? x : curx;
	for (; x < cols; x++)
		addch(' ');
	attrset(A_NORMAL);
	return curx;
}

void ui_wrap(const char *s, int width, const char *indent, struct kstrv *out)
{
	struct kbuf line = KBUF_INIT;
	int iw = (int)text_width(indent);
	if (width <= iw + 4)
		width = iw + 4;
	while (1) {
		/* one paragraph at a time */
		const char *nl = strchr(s, '\n');
		size_t plen = nl ? (size_t)(nl - s) : strlen(s);
		const char *p = s, *end = s + plen;
		if (p == end)
			kstrv_push(out, indent);
		/* a paragraph that starts indented goes on under its first word, as a list's item
		 * or a table's note does ("      listing L…, hash" and the hash under it), where
		 * that leaves room */
		int lead = (int)strspn(p, " ");
		if ((size_t)lead >= plen || iw + lead > width / 2)
			lead = 0;
		int first = 1;
		while (p < end) {
			mbstate_t st;
			memset(&st, 0, sizeof st);
			int hang = first ? 0 : lead;
			int cols = iw + hang;
			const char *q = p, *brk = NULL;
			while (q < end) {
				wchar_t wc;
				size_t k = mbrtowc(&wc, q, (size_t)(end - q), &st);
				if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
					k = 1;
					wc = L'?';
					memset(&st, 0, sizeof st);
				}
				int cw = wc_cols(wc);
				if (cols + cw > width)
					break;
				cols += cw;
				q += k;
				if (wc == L' ')
					brk = q;
			}
			if (q < end && brk && brk > p)
				q = brk; /* break after the last space that fits */
			if (q == p) {    /* one character wider than the line: take it anyway */
				int k = mblen(p, (size_t)(end - p));
				q = p + (k > 0 ? k : 1);
			}
			kbuf_reset(&line);
			kbuf_puts(&line, indent);
			kbuf_printf(&line, "%*s", hang, "");
			first = 0;
			size_t n = (size_t)(q - p);
			while (n > 0 && p[n - 1] == ' ')
				n--;
			kbuf_append(&line, p, n);
			kstrv_push(out, kbuf_str(&line));
			p = q;
			while (p < end && *p == ' ')
				p++;
		}
		if (!nl)
			break;
		s = nl + 1;
	}
	kbuf_free(&line);
}
