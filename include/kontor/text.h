/* text — measuring and cleaning text for a terminal: display width of UTF-8 (CJK and emoji
 * take two columns), clipping to a column count, and stripping control and escape
 * sequences from text that came from elsewhere, so it can never drive the terminal.
 * Needs a UTF-8 LC_CTYPE for wcwidth: text_locale_init sets one. */
#ifndef KONTOR_TEXT_H
#define KONTOR_TEXT_H

#include <stddef.h>

#include "kontor/buf.h"

/* setlocale(LC_CTYPE, "") and, when that is not UTF-8, C.UTF-8. */
void text_locale_init(void);

/* Columns s takes on a terminal (invalid bytes and non-printables count one each). */
size_t text_width(const char *s);

/* Appends s to out clipped to at most cols columns (never splitting a character; a wide
 * character that would straddle the edge is left out), then pads with spaces up to cols
 * when pad is set. Returns the columns used (cols when padded). */
size_t text_clip(struct kbuf *out, const char *s, size_t cols, int pad);

/* Appends s to out with escape sequences (ESC [ ... final, ESC ] ... BEL/ST, other ESC x)
 * removed, C0/C1 control characters and DEL removed (newline kept when keep_newlines, tab
 * turned into a space), and invalid UTF-8 replaced by U+FFFD. */
void text_sanitize(struct kbuf *out, const char *s, size_t len, int keep_newlines);
/* Outside text quoted in an error message (which reaches terminals and logs): at most
 * cap - 1 bytes, cut with "...", and anything but printable ASCII becomes '?', so a
 * message never carries an escape sequence. s may be NULL. Returns out. */
const char *text_shown(const char *s, char *out, size_t cap);

#endif
