/* picture — libchafa (with glib) is the only library here; it never sees outside bytes, only
 * pixels our own decoders (imgrgb) made. */
#include "picture.h"

#include <chafa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>

extern char **environ;

int picture_allow_parse(const char *s, enum picture_allow *out)
{
	static const char *const names[] = {"symbols", "auto", "sixels", "kitty"};
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum picture_allow)i;
			return 0;
		}
	return -1;
}

void picture_caps_detect(int term_colors, enum picture_allow allow, struct picture_caps *out)
{
	memset(out, 0, sizeof *out);
	const char *term = getenv("TERM");
	if (term_colors < 8 || getenv("NO_COLOR")) {
		out->mode = PIC_NONE;
		snprintf(out->why, sizeof out->why, "%s",
		         getenv("NO_COLOR") ? "NO_COLOR is set" : "this terminal has no colours");
		if (!getenv("NO_COLOR") && term && *term)
			snprintf(out->why, sizeof out->why, "TERM=%.60s has no colours or graphics",
			         term);
		return;
	}
	out->mode = PIC_SYMBOLS;
	out->colors = term_colors >= 256 ? 256 : 16;
	if (allow == PIC_ALLOW_SYMBOLS)
		return;
	ChafaTermDb *db = chafa_term_db_get_default();
	ChafaTermInfo *ti = chafa_term_db_detect(db, environ);
	int sixel = ti && chafa_term_info_have_seq(ti, CHAFA_TERM_SEQ_BEGIN_SIXELS);
	int kitty =
	    ti && chafa_term_info_have_seq(ti, CHAFA_TERM_SEQ_BEGIN_KITTY_IMMEDIATE_IMAGE_V1);
	if (ti)
		chafa_term_info_unref(ti);
	if ((allow == PIC_ALLOW_AUTO || allow == PIC_ALLOW_KITTY) && kitty)
		out->mode = PIC_KITTY;
	else if ((allow == PIC_ALLOW_AUTO || allow == PIC_ALLOW_SIXELS) && sixel)
		out->mode = PIC_SIXELS;
}

unsigned picture_fetch_width(int cols, enum picture_mode mode)
{
	/* symbols: chafa reads about 8 pixels across a cell; sixels and kitty: a cell is about
	 * 10 pixels wide on common fonts */
	unsigned w = (unsigned)(cols > 0 ? cols : 1) * (mode == PIC_SYMBOLS ? 8u : 10u);
	w = (w + 15) / 16 * 16;
	return w < 64 ? 64 : w > 2048 ? 2048 : w;
}

static ChafaCanvas *canvas_of(const struct kimg_rgb *img, int cols, int rows, int colors,
                              ChafaPixelMode pm, int *w, int *h)
{
	gint cw = cols, ch = rows;
	chafa_calc_canvas_geometry((gint)img->width, (gint)img->height, &cw, &ch, 0.5f, FALSE,
	                           FALSE);
	if (cw < 1)
		cw = 1;
	if (ch < 1)
		ch = 1;
	ChafaSymbolMap *sm = chafa_symbol_map_new();
	chafa_symbol_map_add_by_tags(sm, CHAFA_SYMBOL_TAG_BLOCK | CHAFA_SYMBOL_TAG_BORDER |
	                                     CHAFA_SYMBOL_TAG_SPACE | CHAFA_SYMBOL_TAG_DIAGONAL);
	ChafaCanvasConfig *cfg = chafa_canvas_config_new();
	chafa_canvas_config_set_geometry(cfg, cw, ch);
	chafa_canvas_config_set_canvas_mode(cfg, colors >= 256 ? CHAFA_CANVAS_MODE_INDEXED_240
	                                                       : CHAFA_CANVAS_MODE_INDEXED_16);
	chafa_canvas_config_set_pixel_mode(cfg, pm);
	chafa_canvas_config_set_symbol_map(cfg, sm);
	ChafaCanvas *cv = chafa_canvas_new(cfg);
	chafa_canvas_draw_all_pixels(cv, CHAFA_PIXEL_RGB8, img->px, (gint)img->width,
	                             (gint)img->height, (gint)img->width * 3);
	chafa_canvas_config_unref(cfg);
	chafa_symbol_map_unref(sm);
	*w = cw;
	*h = ch;
	return cv;
}

void picture_cells(const struct kimg_rgb *img, int cols, int rows, int colors, struct picture *out)
{
	int w, h;
	ChafaCanvas *cv = canvas_of(img, cols, rows, colors, CHAFA_PIXEL_MODE_SYMBOLS, &w, &h);
	out->cols = w;
	out->rows = h;
	out->cell = xcalloc((size_t)w * (size_t)h, sizeof *out->cell);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			struct picture_cell *c = &out->cell[(size_t)y * w + x];
			gint fg = -1, bg = -1;
			c->ch = (uint32_t)chafa_canvas_get_char_at(cv, x, y);
			chafa_canvas_get_raw_colors_at(cv, x, y, &fg, &bg);
			c->fg = fg;
			c->bg = bg;
		}
	chafa_canvas_unref(cv);
}

void picture_free(struct picture *p)
{
	free(p->cell);
	memset(p, 0, sizeof *p);
}

void picture_print(const struct kimg_rgb *img, int cols, int rows, const struct picture_caps *caps,
                   struct kbuf *out)
{
	ChafaPixelMode pm = caps->mode == PIC_SIXELS  ? CHAFA_PIXEL_MODE_SIXELS
	                    : caps->mode == PIC_KITTY ? CHAFA_PIXEL_MODE_KITTY
	                                              : CHAFA_PIXEL_MODE_SYMBOLS;
	int w, h;
	ChafaCanvas *cv = canvas_of(img, cols, rows, caps->colors, pm, &w, &h);
	ChafaTermDb *db = chafa_term_db_get_default();
	ChafaTermInfo *ti = chafa_term_db_get_fallback_info(db);
	GString *gs = chafa_canvas_print(cv, ti);
	kbuf_append(out, gs->str, gs->len);
	if (out->len && out->data[out->len - 1] != '\n')
		kbuf_puts(out, "\n");
	g_string_free(gs, TRUE);
	chafa_term_info_unref(ti);
	chafa_canvas_unref(cv);
}

int picture_term_colors(void)
{
	const char *term = getenv("TERM");
	int err = 0, colors = -1;
	if (term && *term && setupterm((char *)term, STDOUT_FILENO, &err) == 0) {
		colors = tigetnum("colors");
		del_curterm(cur_term);
	}
	return colors;
}
