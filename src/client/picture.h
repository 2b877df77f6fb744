/* picture — a decoded image drawn in a terminal with libchafa: as symbol cells (characters
 * with a foreground and a background colour from the 256- or 16-colour palette) that ncurses
 * draws or a plain terminal prints, or, where the terminal speaks them and `set
 * image-protocol` allows, as sixels or kitty graphics. What the terminal can do is read from
 * TERM and terminfo (and chafa's terminal database for the graphics protocols). */
#ifndef KONTOR_CLIENT_PICTURE_H
#define KONTOR_CLIENT_PICTURE_H

#include <stddef.h>
#include <stdint.h>

#include "kontor/buf.h"
#include "kontor/imgrgb.h"

enum picture_mode { PIC_NONE, PIC_SYMBOLS, PIC_SIXELS, PIC_KITTY };

/* `set image-protocol`: symbols (the default: cells, curses keeps the screen), auto
 * (sixels or kitty when the terminal has them, else symbols), sixels, kitty (each only when
 * the terminal has it). */
enum picture_allow { PIC_ALLOW_SYMBOLS, PIC_ALLOW_AUTO, PIC_ALLOW_SIXELS, PIC_ALLOW_KITTY };
int picture_allow_parse(const char *s, enum picture_allow *out); /* 0 ok, -1 unknown */

/* What to draw with on this terminal: colours is 256 or 16 (or 0 with PIC_NONE, a terminal
 * without colour: nothing is drawn). term_colors is what terminfo says (-1 unknown), as
 * curses' COLORS or tigetnum("colors") give it. */
struct picture_caps {
	enum picture_mode mode;
	int colors;
	char why[128]; /* for PIC_NONE: why not ("TERM=vt100 has no colours") */
};
/* The colours terminfo gives TERM (-1 when TERM is unset or unknown), without curses. */
int picture_term_colors(void);
void picture_caps_detect(int term_colors, enum picture_allow allow, struct picture_caps *out);

/* One cell: a Unicode character and palette indexes (-1: the terminal's default). */
struct picture_cell {
	uint32_t ch;
	int fg, bg;
};
struct picture {
	int cols, rows;
	struct picture_cell *cell; /* rows × cols, owned */
};
/* The cells of img fitted into at most cols × rows (its proportions kept, a cell taken as
 * twice as tall as wide) in colors (256 or 16). */
void picture_cells(const struct kimg_rgb *img, int cols, int rows, int colors, struct picture *out);
void picture_free(struct picture *p);
/* img as text for a terminal in mode (symbols, sixels or kitty), fitted into cols × rows,
 * appended to out: escape sequences made by chafa from our own pixels only. */
void picture_print(const struct kimg_rgb *img, int cols, int rows, const struct picture_caps *caps,
                   struct kbuf *out);
/* The pixel width to fetch an image at to draw it in cols columns in mode. */
unsigned picture_fetch_width(int cols, enum picture_mode mode);

#endif
