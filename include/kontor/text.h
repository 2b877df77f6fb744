/* text — measuring and cleaning text for a terminal: display width of UTF-8 (CJK and emoji
 * take two columns), clipping to a column count, and the one sanitiser every string from
 * elsewhere passes before a terminal sees it (CLI and TUI alike): no control or escape
 * sequence can drive the terminal, and no bidi control or invisible format character can
 * make a title read as something else. Model validation refuses the same characters.
 * Needs a UTF-8 LC_CTYPE for wcwidth: text_locale_init sets one. */
#ifndef KONTOR_TEXT_H
#define KONTOR_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include "kontor/buf.h"

/* setlocale(LC_CTYPE, "") and, when that is not UTF-8, C.UTF-8. */
void text_locale_init(void);

/* Columns s takes on a terminal (invalid bytes and non-printables count one each). */
size_t text_width(const char *s);

/* Appends s to out clipped to at most cols columns (never splitting a character; a wide
 * character that would straddle the edge is left out), then pads with spaces up to cols
 * when pad is set. Returns the columns used (cols when padded). */
size_t text_clip(struct kbuf *out, const char *s, size_t cols, int pad);
/* text_clip, but a cut is marked: where s is too wide its last column is "…" (the spaces
 * before it dropped), so a cut name never reads as whole. */
size_t text_clip_mark(struct kbuf *out, const char *s, size_t cols, int pad);
/* text_clip_mark, but where s is too wide and ends in a part in parentheses that fits with
 * room to spare (a variant: "Quạt mây đan tay (Cỡ: Lớn)"), the cut falls before that part
 * ("Quạt mây… (Cỡ: Lớn)"): two products that differ at their end stay apart. */
size_t text_clip_tail(struct kbuf *out, const char *s, size_t cols, int pad);

/* s, sanitised, cut into lines of at most cols columns, at spaces where it can be, inside a
 * word longer than a line where it cannot; each line into lines[] (at most max, the rest
 * joined to the last). Returns how many (at least 1); the caller frees each. */
size_t text_wrap(const char *s, size_t cols, struct kbuf *lines, size_t max);

/* The sanitiser. Appends s to out with escape sequences (ESC [ ... final, ESC ] ... BEL/ST,
 * other ESC x) removed, C0/C1 control characters and DEL removed (newline kept when
 * keep_newlines, tab turned into a space), invalid UTF-8 replaced by U+FFFD, U+2028/U+2029
 * turned into a newline (keep_newlines) or a space, and bidi controls (U+202A-202E,
 * U+2066-2069, U+200E/200F, U+061C) and invisible format characters (every invisible Cf:
 * U+200B, U+2060-2064, U+FEFF, U+00AD, U+206A-206F, U+FFF9-FFFB, tags, ...) removed. ZWJ
 * stays inside an emoji sequence, ZWJ and ZWNJ between two letters of a script that shapes
 * with them (Arabic, Syriac, Thaana, N'Ko, Indic, Myanmar, Khmer, Mongolian), and tag
 * characters where they spell a subdivision flag after U+1F3F4. Idempotent. */
void text_sanitize(struct kbuf *out, const char *s, size_t len, int keep_newlines);
/* printf to f with the whole result through text_sanitize (newlines kept): human output
 * that carries node-supplied or cached remote text. Returns bytes written, -1 on error. */
int text_fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The first bidi control, line or paragraph separator, or invisible format character in
 * s[0..len) that text_sanitize would take out: 1 with its byte offset, code point and kind
 * ("a bidi control", ...) in the non-NULL out pointers; 0 when there is none. */
int text_hidden_find(const char *s, size_t len, size_t *at, long *cp, const char **kind);
/* JSON text for a terminal: appends json with every character text_sanitize would take out
 * (and DEL, C1 controls, ESC) written as a \uXXXX escape instead. Outside JSON strings
 * only ASCII stands, so the JSON means exactly what it meant: nothing is lost. */
void text_json_guard(struct kbuf *out, const char *json, size_t len);
/* Outside text quoted in an error message (which reaches terminals and logs): at most
 * cap - 1 bytes, cut with "..." between two characters; letters of every script stand as
 * written, and each control character (C0, DEL, C1), byte that is not UTF-8, bidi control,
 * line separator and invisible format character becomes '?', so a message never carries an
 * escape sequence or turns text around. s may be NULL. Returns out. */
const char *text_shown(const char *s, char *out, size_t cap);
/* The next item of the list at *s ("a; b;c" with sep ';'): *item points at it with the
 * spaces around it left out and its length is returned (0 for an empty item); *s moves past
 * it and its separator. Call while **s is not '\0'. */
size_t text_list_next(const char **s, char sep, const char **item);

#endif
