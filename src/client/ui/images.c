/* ui/images — the image view: a listing's pictures (`i` on a listing) or a supplier's factory
 * photos (`i` on a supplier), fetched when the person opens it and never before, at the size
 * the screen draws them, kept in the image cache, drawn as libchafa's symbol cells through
 * curses (so curses keeps the screen: no escape sequence of ours reaches the terminal, the
 * window title included). With `set image-protocol` allowing it and a terminal that has
 * them, sixels or kitty graphics are written after curses drew the frame. A terminal without
 * colours gets the images' sizes and how to fetch them. The view holds the keyboard until q:
 * n and p (or the arrows) move between the pictures. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cmd/picture.h"
#include "../net/http.h"
#include "../net/sync.h"
#include "kontor/imagehash.h"
#include "kontor/text.h"

#define PAIR_BASE 64 /* the theme's pairs are below */
#define PAIRS_MAX 8192

struct pairs {
	int n, cap;
	int fg[PAIRS_MAX], bg[PAIRS_MAX];
};

/* A colour the terminal has for palette colour c (-1: the default). */
static int fit(int c, int dflt)
{
	if (c < 0)
		return dflt ? -1 : COLOR_BLACK;
	if (c < COLORS)
		return c;
	if (c < 16)
		return c - 8;
	return c % 8;
}

static int pair_of(struct pairs *p, int fg, int bg, int dflt)
{
	fg = fit(fg, dflt);
	bg = fit(bg, dflt);
	for (int i = 0; i < p->n; i++)
		if (p->fg[i] == fg && p->bg[i] == bg)
			return PAIR_BASE + i;
	if (p->n >= p->cap)
		return 0;
	int pair = PAIR_BASE + p->n;
	init_extended_pair(pair, fg, bg);
	p->fg[p->n] = fg;
	p->bg[p->n++] = bg;
	return pair;
}

struct view {
	struct ui *u;
	const char *title;
	const struct kstrv *images;
	const char *type, *id, *prop;
	struct picture_conf conf;
	struct picture_caps caps;
	struct ksync *k;
	uint64_t fetched; /* bytes this view took */
	struct pairs *pairs;
	int64_t *sizes; /* for a terminal without colours, asked once */
	int sizes_asked;
};

static void line(int y, const char *s, attr_t a)
{
	struct kbuf t = KBUF_INIT, c = KBUF_INIT;
	text_sanitize(&t, s, strlen(s), 0);
	text_clip(&c, kbuf_str(&t), (size_t)COLS, 1);
	attrset(a);
	mvaddstr(y, 0, kbuf_str(&c));
	attrset(A_NORMAL);
	kbuf_free(&t);
	kbuf_free(&c);
}

static void status(struct view *v, const char *what)
{
	struct kbuf s = KBUF_INIT;
	kbuf_printf(&s, " %s · ", what);
	ui_live_status(v->u, &s, NULL);
	line(LINES - 1, kbuf_str(&s), v->u->a_status);
	kbuf_free(&s);
}

/* A terminal without colours: what there is, and how to fetch it elsewhere. */
static void draw_none(struct view *v)
{
	if (!v->sizes_asked) {
		v->sizes = xcalloc(v->images->n, sizeof *v->sizes);
		struct kerr e = {0};
		cmd_picture_sizes(v->u->c, v->type, v->id, v->prop, v->sizes, v->images->n, &e);
		v->sizes_asked = 1;
	}
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "Images of %s  (q back)", v->title);
	line(0, kbuf_str(&b), v->u->a_head);
	kbuf_reset(&b);
	kbuf_printf(&b, "This terminal cannot show images (%s): none was fetched.", v->caps.why);
	line(2, kbuf_str(&b), A_NORMAL);
	int y = 4;
	if (!v->k && cmd_public_open(v->u->c, &v->k, NULL) != K_OK)
		v->k = NULL;
	for (size_t i = 0; i < v->images->n && y < LINES - 2; i++) {
		char sz[32] = "size unknown";
		if (v->sizes[i] >= 0)
			ui_bytes((uint64_t)v->sizes[i], sz, sizeof sz);
		kbuf_reset(&b);
		kbuf_printf(&b, "image %zu/%zu: %s", i + 1, v->images->n, sz);
		line(y++, kbuf_str(&b), A_NORMAL);
		struct kbuf url = KBUF_INIT;
		if (v->k &&
		    knet_download_url(ksync_net(v->k), v->images->v[i], &url, NULL) == K_OK) {
			kbuf_reset(&b);
			kbuf_printf(&b, "  curl -o image%zu %s", i + 1, kbuf_str(&url));
			line(y++, kbuf_str(&b), A_NORMAL);
		}
		kbuf_free(&url);
	}
	kbuf_free(&b);
	status(v, "no images on this terminal");
}

/* Picture i, drawn below the title row. */
static void draw_one(struct view *v, size_t i)
{
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "Image %zu/%zu of %s   n next · p previous · q back", i + 1, v->images->n,
	            v->title);
	line(0, kbuf_str(&b), v->u->a_head);
	const char *im = v->images->v[i];
	int rows = LINES - 3 > 1 ? LINES - 3 : 1, cols = COLS;
	if (strncmp(im, "https://", 8) == 0) {
		kbuf_reset(&b);
		kbuf_printf(&b, "An image on another site, not fetched: %s", im);
		line(2, kbuf_str(&b), A_NORMAL);
		status(v, "not fetched");
		kbuf_free(&b);
		return;
	}
	status(v, "fetching…");
	refresh();
	struct kimg_rgb img;
	uint64_t got = 0;
	struct kerr e = {0};
	unsigned width = picture_fetch_width(cols, v->caps.mode);
	int rc = cmd_picture_get(v->u->c, &v->k, &v->conf, im, width, (uint32_t)cols * 8,
	                         (uint32_t)rows * 16, &img, &got, &e);
	v->fetched += got;
	ui_live_count(v->u, got);
	if (rc) {
		kbuf_reset(&b);
		kbuf_printf(&b, "Not shown: %s", e.msg);
		line(2, kbuf_str(&b), A_NORMAL);
		status(v, "not shown");
		kbuf_free(&b);
		return;
	}
	struct picture pic;
	picture_cells(&img, cols, rows, v->caps.colors, &pic);
	int x0 = (cols - pic.cols) / 2, dflt = use_default_colors() == OK;
	for (int y = 0; y < pic.rows; y++)
		for (int x = 0; x < pic.cols; x++) {
			const struct picture_cell *c = &pic.cell[(size_t)y * pic.cols + x];
			wchar_t wc[2] = {(wchar_t)c->ch, 0};
			int pair = pair_of(v->pairs, c->fg, c->bg, dflt);
			cchar_t cc;
			setcchar(&cc, wc, A_NORMAL, 0, &pair);
			mvadd_wch(1 + y, x0 + x, &cc);
		}
	char fb[32], what[160];
	ui_bytes(v->fetched, fb, sizeof fb);
	snprintf(what, sizeof what, "%u×%u %s", img.src_width, img.src_height,
	         kimg_format_name(img.format));
	kbuf_reset(&b);
	kbuf_printf(&b, "%s · %s", what, got ? "" : "from the cache, ");
	kbuf_printf(&b, "%s fetched", fb);
	status(v, kbuf_str(&b));
	if (v->caps.mode == PIC_SIXELS || v->caps.mode == PIC_KITTY) {
		/* graphics over the cells curses drew: written after curses' own output */
		struct kbuf g = KBUF_INIT;
		refresh();
		printf("\033[2;1H");
		picture_print(&img, cols, rows, &v->caps, &g);
		fwrite(g.data, 1, g.len, stdout);
		fflush(stdout);
		kbuf_free(&g);
	}
	picture_free(&pic);
	kimg_rgb_free(&img);
	kbuf_free(&b);
}

static int next_key(struct ui *u)
{
	if (u->script)
		return ui_script_next(u);
	for (;;) {
		wint_t wc;
		wtimeout(stdscr, 200);
		int r = wget_wch(stdscr, &wc);
		if (r == ERR)
			continue;
		if (r == KEY_CODE_YES)
			return UI_FKEY((int)wc);
		return (int)wc;
	}
}

void ui_images_show(struct ui *u, const char *title, const struct kstrv *images, const char *type,
                    const char *id, const char *prop)
{
	if (!images->n) {
		ui_say(u, "%s has no images", title);
		return;
	}
	struct view v;
	memset(&v, 0, sizeof v);
	v.u = u;
	v.title = title;
	v.images = images;
	v.type = type;
	v.id = id;
	v.prop = prop;
	cmd_picture_conf(&v.conf);
	picture_caps_detect(has_colors() ? COLORS : -1, v.conf.allow, &v.caps);
	v.pairs = xcalloc(1, sizeof *v.pairs);
	v.pairs->cap = COLOR_PAIRS - PAIR_BASE < PAIRS_MAX ? COLOR_PAIRS - PAIR_BASE : PAIRS_MAX;
	size_t i = 0;
	for (int redraw = 1;;) {
		if (redraw) {
			erase();
			if (v.caps.mode == PIC_NONE)
				draw_none(&v);
			else
				draw_one(&v, i);
			refresh();
		}
		int k = next_key(u);
		redraw = 1;
		if (k < 0 || k == 'q' || k == 27)
			break;
		if ((k == 'n' || k == ' ' || k == UI_FKEY(KEY_RIGHT)) && i + 1 < images->n)
			i++;
		else if ((k == 'p' || k == UI_FKEY(KEY_LEFT)) && i > 0)
			i--;
		else if (k != UI_FKEY(KEY_RESIZE))
			redraw = 0;
	}
	ksync_close(&v.k);
	free(v.sizes);
	free(v.pairs);
	/* the screen is the views' again: the theme's colours and everything drawn anew */
	clearok(curscr, TRUE);
	u->dirty |= DIRTY_ALL;
	char fb[32];
	ui_bytes(v.fetched, fb, sizeof fb);
	ui_say(u, "images: %s fetched", fb);
}

void ui_images_listing(struct ui *u, const char *listing_id)
{
	int fetched_whole = 0;
	struct listing l;
	struct kerr e = {0};
	if (store_listing_get(u->s, listing_id, &l, NULL) != K_OK) {
		ui_say(u, "this listing is no longer in the cache");
		return;
	}
	if (!l.sig) {
		/* a summary names no images: the whole listing first (the person asked) */
		listing_free(&l);
		if (cmd_fetch_listing(u->c, listing_id, &e) != K_OK ||
		    store_listing_get(u->s, listing_id, &l, NULL) != K_OK) {
			ui_say(u, "images: the node could not be asked for the listing: %s", e.msg);
			return;
		}
		fetched_whole = 1;
	}
	struct kbuf t = KBUF_INIT;
	text_sanitize(&t, l.title, strlen(l.title), 0);
	ui_images_show(u, kbuf_str(&t), &l.images, "Listing", l.id, "imageBytes");
	kbuf_free(&t);
	listing_free(&l);
	if (fetched_whole)
		ui_view_build(u, VIEW_LISTING); /* the view shows the signed listing now */
}

void ui_supplier_show(struct ui *u, const char *account_id)
{
	struct account a;
	if (store_account_get(u->s, account_id, &a, NULL) != K_OK) {
		ui_say(u, "supplier %.12s…: no profile in the cache yet (`:sync`)", account_id);
		return;
	}
	struct kstrv lines = {0};
	cmd_supplier_lines(&a, &lines);
	struct kerr ve = {0};
	int ok = a.factory && account_factory_verify(a.factory, a.id, &ve) == K_OK;
	struct kstrv photos = {0};
	const cJSON *p, *plist = ok ? cJSON_GetObjectItemCaseSensitive(a.factory, "photos") : NULL;
	cJSON_ArrayForEach(p, plist)
	{
		if (cJSON_IsString(p))
			kstrv_push(&photos, p->valuestring);
	}
	struct kbuf name = KBUF_INIT;
	const char *dn = a.display_name ? a.display_name : a.id;
	text_sanitize(&name, dn, strlen(dn), 0);
	size_t top = 0;
	for (int redraw = 1;;) {
		if (redraw) {
			erase();
			struct kbuf b = KBUF_INIT;
			kbuf_printf(&b, "Supplier %s   %sj k move · q back", kbuf_str(&name),
			            photos.n ? "i factory photos · " : "");
			line(0, kbuf_str(&b), u->a_head);
			kbuf_free(&b);
			for (size_t i = top; i < lines.n && (int)(i - top) + 2 < LINES - 1; i++)
				line((int)(i - top) + 2, lines.v[i], A_NORMAL);
			kbuf_reset(&b);
			kbuf_puts(&b, " ");
			ui_live_status(u, &b, NULL);
			line(LINES - 1, kbuf_str(&b), u->a_status);
			kbuf_free(&b);
			refresh();
		}
		int k = next_key(u);
		redraw = 1;
		if (k < 0 || k == 'q' || k == 27)
			break;
		if (k == 'i' && photos.n) {
			struct kbuf t = KBUF_INIT;
			kbuf_printf(&t, "%s's factory", kbuf_str(&name));
			ui_images_show(u, kbuf_str(&t), &photos, "Account", a.id,
			               "factoryPhotoBytes");
			kbuf_free(&t);
		} else if ((k == 'j' || k == UI_FKEY(KEY_DOWN)) && top + 1 < lines.n) {
			top++;
		} else if ((k == 'k' || k == UI_FKEY(KEY_UP)) && top > 0) {
			top--;
		} else if (k != UI_FKEY(KEY_RESIZE)) {
			redraw = 0;
		}
	}
	kbuf_free(&name);
	kstrv_free(&photos);
	kstrv_free(&lines);
	account_free(&a);
	clearok(curscr, TRUE);
	u->dirty |= DIRTY_ALL;
}
