/* imgrgb — JPEG, PNG and WebP decoded in colour and shrunk as they are read, and JPEG out.
 * Each decoder feeds a box accumulator row by row, so a big photo never sits in memory whole
 * (an interlaced PNG alone is read whole, under KIMG_RGB_WHOLE_MAX). libjpeg and libpng
 * report fatal errors by longjmp; what those jumps cross lives in a context struct. */
#include "kontor/imgrgb.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>
#include <png.h>
#include <webp/decode.h>

#include "imgdec.h"

#define JPEG_MAX_SCANS 500
#define PNG_CHUNK_MAX (1u << 20)

void kimg_rgb_free(struct kimg_rgb *img)
{
	if (!img)
		return;
	free(img->px);
	memset(img, 0, sizeof *img);
}

static enum kimg_format sniff(const uint8_t *d, size_t n)
{
	if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
		return KIMG_JPEG;
	if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
		return KIMG_PNG;
	if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
		return KIMG_WEBP;
	return KIMG_UNKNOWN;
}

/* ---- the colour box accumulator: sw × sh in, dw × dh out ---- */

struct racc {
	uint32_t sw, sh, dw, dh;
	uint32_t *sum; /* dw × dh × 3 */
	uint32_t *cnt; /* dw × dh */
	uint32_t *col; /* per source column: its output column */
};

/* The largest size within max_w × max_h with sw:sh's proportions, never larger than sw × sh;
 * for a stored image turned by the orientation, the shown sides are swapped. */
static void fit(uint32_t sw, uint32_t sh, uint32_t max_w, uint32_t max_h, uint32_t *dw,
                uint32_t *dh)
{
	double s = 1.0;
	if (sw > max_w)
		s = (double)max_w / sw;
	if (sh * s > max_h)
		s = (double)max_h / sh;
	*dw = (uint32_t)(sw * s + 0.5);
	*dh = (uint32_t)(sh * s + 0.5);
	if (*dw < 1)
		*dw = 1;
	if (*dh < 1)
		*dh = 1;
}

static void racc_init(struct racc *a, uint32_t sw, uint32_t sh, uint32_t dw, uint32_t dh)
{
	a->sw = sw;
	a->sh = sh;
	a->dw = dw;
	a->dh = dh;
	a->sum = xcalloc((size_t)dw * dh * 3, sizeof *a->sum);
	a->cnt = xcalloc((size_t)dw * dh, sizeof *a->cnt);
	a->col = xmalloc((size_t)sw * sizeof *a->col);
	for (uint32_t x = 0; x < sw; x++)
		a->col[x] = (uint32_t)((uint64_t)x * dw / sw);
}

static void racc_free(struct racc *a)
{
	free(a->sum);
	free(a->cnt);
	free(a->col);
	memset(a, 0, sizeof *a);
}

/* n pixels of source row y at columns x0, x0 + step, ...; ch 1 (grey), 2 (grey, alpha), 3
 * (RGB), 4 (RGBA, alpha onto white) or 5 (inverted CMYK, as Adobe writes it). */
static void racc_row(struct racc *a, uint32_t y, uint32_t x0, uint32_t step, const uint8_t *p,
                     uint32_t n, int ch)
{
	if (y >= a->sh)
		return;
	uint32_t i = (uint32_t)((uint64_t)y * a->dh / a->sh);
	uint64_t x = x0;
	int bpp = ch == 5 ? 4 : ch;
	for (uint32_t k = 0; k < n && x < a->sw; k++, x += step) {
		const uint8_t *q = p + (size_t)k * bpp;
		unsigned r, g, b;
		switch (ch) {
		case 1:
			r = g = b = q[0];
			break;
		case 2:
			r = g = b = (q[0] * q[1] + 255u * (255u - q[1])) / 255u;
			break;
		case 3:
			r = q[0], g = q[1], b = q[2];
			break;
		case 4:
			r = (q[0] * q[3] + 255u * (255u - q[3])) / 255u;
			g = (q[1] * q[3] + 255u * (255u - q[3])) / 255u;
			b = (q[2] * q[3] + 255u * (255u - q[3])) / 255u;
			break;
		default:
			r = q[0] * q[3] / 255u, g = q[1] * q[3] / 255u, b = q[2] * q[3] / 255u;
			break;
		}
		size_t cell = (size_t)i * a->dw + a->col[x];
		a->sum[cell * 3] += r;
		a->sum[cell * 3 + 1] += g;
		a->sum[cell * 3 + 2] += b;
		a->cnt[cell]++;
	}
}

/* The averaged image turned by EXIF orientation o (1..8) into out. */
static void racc_finish(struct racc *a, int o, struct kimg_rgb *out)
{
	uint32_t w = a->dw, h = a->dh;
	int swap = o >= 5;
	out->width = swap ? h : w;
	out->height = swap ? w : h;
	out->px = xmalloc((size_t)w * h * 3);
	for (uint32_t r = 0; r < out->height; r++)
		for (uint32_t c = 0; c < out->width; c++) {
			uint32_t sr, sc;
			switch (o) {
			case 2:
				sr = r, sc = w - 1 - c;
				break;
			case 3:
				sr = h - 1 - r, sc = w - 1 - c;
				break;
			case 4:
				sr = h - 1 - r, sc = c;
				break;
			case 5:
				sr = c, sc = r;
				break;
			case 6:
				sr = h - 1 - c, sc = r;
				break;
			case 7:
				sr = h - 1 - c, sc = w - 1 - r;
				break;
			case 8:
				sr = c, sc = w - 1 - r;
				break;
			default:
				sr = r, sc = c;
				break;
			}
			size_t cell = (size_t)sr * w + sc;
			uint32_t n = a->cnt[cell];
			uint8_t *d = out->px + ((size_t)r * out->width + c) * 3;
			for (int k = 0; k < 3; k++)
				d[k] = n ? (uint8_t)((a->sum[cell * 3 + k] + n / 2) / n) : 255;
		}
}

/* Shrinks img in place to fit max_w × max_h. */
static void shrink(struct kimg_rgb *img, uint32_t max_w, uint32_t max_h)
{
	uint32_t dw, dh;
	fit(img->width, img->height, max_w, max_h, &dw, &dh);
	struct racc a;
	racc_init(&a, img->width, img->height, dw, dh);
	for (uint32_t y = 0; y < img->height; y++)
		racc_row(&a, y, 0, 1, img->px + (size_t)y * img->width * 3, img->width, 3);
	free(img->px);
	racc_finish(&a, 1, img);
	racc_free(&a);
}

/* The output size for a stored sw × sh image shown turned by o within max_w × max_h. */
static void fit_oriented(uint32_t sw, uint32_t sh, int o, uint32_t max_w, uint32_t max_h,
                         uint32_t *dw, uint32_t *dh)
{
	if (o >= 5)
		fit(sw, sh, max_h, max_w, dw, dh); /* the stored width is shown as the height */
	else
		fit(sw, sh, max_w, max_h, dw, dh);
}

/* ---- JPEG ---- */

struct jctx {
	struct jpeg_error_mgr pub;
	struct jpeg_progress_mgr progress;
	jmp_buf jb;
	int truncated, too_many_scans;
	char msg[JMSG_LENGTH_MAX];
	struct jpeg_decompress_struct ci;
	uint8_t *row;
	struct racc acc;
};

static void j_fail(j_common_ptr c)
{
	struct jctx *x = (struct jctx *)c->err;
	c->err->format_message(c, x->msg);
	longjmp(x->jb, 1);
}

static void j_emit(j_common_ptr c, int level)
{
	struct jctx *x = (struct jctx *)c->err;
	if (level < 0 &&
	    (c->err->msg_code == JWRN_JPEG_EOF || c->err->msg_code == JWRN_HIT_MARKER)) {
		x->truncated = 1;
		longjmp(x->jb, 1);
	}
	if (level < 0)
		c->err->num_warnings++;
}

static void j_progress(j_common_ptr c)
{
	struct jctx *x = (struct jctx *)c->err;
	j_decompress_ptr d = (j_decompress_ptr)c;
	if (d->progressive_mode && d->input_scan_number > JPEG_MAX_SCANS) {
		x->too_many_scans = 1;
		longjmp(x->jb, 1);
	}
}

static int dec_jpeg(const uint8_t *data, size_t len, const char *name,
                    const struct kimg_limits *lim, uint32_t max_w, uint32_t max_h,
                    struct kimg_rgb *out, struct kerr *e)
{
	struct jctx *x = xcalloc(1, sizeof *x);
	struct jpeg_decompress_struct *ci = &x->ci;
	int rc = K_OK;
	ci->err = jpeg_std_error(&x->pub);
	x->pub.error_exit = j_fail;
	x->pub.emit_message = j_emit;
	if (setjmp(x->jb)) {
		if (x->truncated)
			rc = kerr_set(e, K_EINVAL,
			              "%s: the JPEG is truncated (its data ends early)", name);
		else if (x->too_many_scans)
			rc = kerr_set(e, K_EINVAL, "%s: the JPEG has over %d progressive scans",
			              name, JPEG_MAX_SCANS);
		else
			rc = kerr_set(e, K_EINVAL, "%s: a damaged JPEG (%s)", name, x->msg);
		goto out;
	}
	jpeg_create_decompress(ci);
	x->progress.progress_monitor = j_progress;
	ci->progress = &x->progress;
	jpeg_mem_src(ci, data, (unsigned long)len);
	jpeg_save_markers(ci, JPEG_APP0 + 1, 0xFFFF);
	jpeg_read_header(ci, TRUE);
	rc = kimg_check_size(ci->image_width, ci->image_height, name, lim, e);
	if (rc < 0)
		goto out;
	out->src_width = ci->image_width;
	out->src_height = ci->image_height;
	int o = 1;
	for (jpeg_saved_marker_ptr m = ci->marker_list; m; m = m->next)
		if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 &&
		    memcmp(m->data, "Exif\0\0", 6) == 0) {
			o = kimg_exif_orientation(m->data + 6, m->data_length - 6);
			break;
		}
	uint32_t dw, dh;
	fit_oriented(ci->image_width, ci->image_height, o, max_w, max_h, &dw, &dh);
	/* the smallest libjpeg scale that still gives at least the size wanted */
	unsigned d = 8;
	while (d > 1 && (ci->image_width / d < dw || ci->image_height / d < dh))
		d /= 2;
	ci->scale_num = 1;
	ci->scale_denom = d;
	int ch = 3;
	if (ci->jpeg_color_space == JCS_CMYK || ci->jpeg_color_space == JCS_YCCK) {
		ci->out_color_space = JCS_CMYK;
		ch = 5;
	} else {
		ci->out_color_space = JCS_RGB;
	}
	uint64_t maxpx = lim && lim->max_pixels ? lim->max_pixels : KIMG_MAX_PIXELS_DEFAULT;
	ci->mem->max_memory_to_use = (long)(maxpx * 8 < 0x7fffffff ? maxpx * 8 : 0x7fffffff);
	jpeg_start_decompress(ci);
	if (ci->output_components != (ch == 5 ? 4 : 3))
		ERREXIT(ci, JERR_BAD_J_COLORSPACE);
	fit_oriented(ci->output_width, ci->output_height, o, max_w, max_h, &dw, &dh);
	racc_init(&x->acc, ci->output_width, ci->output_height, dw, dh);
	x->row = xmalloc((size_t)ci->output_width * ci->output_components);
	while (ci->output_scanline < ci->output_height) {
		JSAMPROW r = x->row;
		uint32_t y = ci->output_scanline;
		if (jpeg_read_scanlines(ci, &r, 1) != 1)
			ERREXIT(ci, JERR_INPUT_EMPTY);
		racc_row(&x->acc, y, 0, 1, x->row, ci->output_width, ch);
	}
	jpeg_finish_decompress(ci);
	racc_finish(&x->acc, o, out);
	out->format = KIMG_JPEG;
out:
	jpeg_destroy_decompress(ci);
	free(x->row);
	racc_free(&x->acc);
	free(x);
	return rc;
}

/* ---- PNG ---- */

struct pctx {
	const uint8_t *data;
	size_t len, pos;
	int truncated;
	char msg[160];
	png_structp png;
	png_infop info;
	uint8_t *row;
	struct racc acc;
};

static void p_fail(png_structp png, png_const_charp msg)
{
	struct pctx *x = png_get_error_ptr(png);
	snprintf(x->msg, sizeof x->msg, "%s", msg ? msg : "error");
	png_longjmp(png, 1);
}

static void p_warn(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void p_read(png_structp png, png_bytep out, size_t n)
{
	struct pctx *x = png_get_io_ptr(png);
	if (n > x->len - x->pos) {
		x->truncated = 1;
		png_error(png, "read past the end");
	}
	memcpy(out, x->data + x->pos, n);
	x->pos += n;
}

static int exif_orient(const uint8_t *p, size_t len)
{
	if (len >= 6 && memcmp(p, "Exif\0\0", 6) == 0)
		return kimg_exif_orientation(p + 6, len - 6);
	return kimg_exif_orientation(p, len);
}

static int dec_png(const uint8_t *data, size_t len, const char *name, const struct kimg_limits *lim,
                   uint32_t max_w, uint32_t max_h, struct kimg_rgb *out, struct kerr *e)
{
	struct pctx *x = xcalloc(1, sizeof *x);
	int rc = K_OK;
	x->data = data;
	x->len = len;
	x->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, x, p_fail, p_warn);
	if (!x->png)
		abort(); /* only on allocation failure */
	x->info = png_create_info_struct(x->png);
	if (!x->info)
		abort();
	if (setjmp(png_jmpbuf(x->png))) {
		if (x->truncated)
			rc = kerr_set(e, K_EINVAL, "%s: the PNG is truncated (its data ends early)",
			              name);
		else
			rc = kerr_set(e, K_EINVAL, "%s: a damaged PNG (%s)", name, x->msg);
		goto out;
	}
	png_set_read_fn(x->png, x, p_read);
	png_set_chunk_malloc_max(x->png, PNG_CHUNK_MAX);
	png_set_chunk_cache_max(x->png, 64);
	static const png_byte skip[] = "tEXt\0zTXt\0iTXt\0iCCP\0sPLT\0hIST\0tIME\0pCAL\0sCAL\0";
	png_set_keep_unknown_chunks(x->png, PNG_HANDLE_CHUNK_NEVER, skip, (int)(sizeof skip / 5));
	png_read_info(x->png, x->info);
	png_uint_32 w, h;
	int depth, ctype, interlace;
	png_get_IHDR(x->png, x->info, &w, &h, &depth, &ctype, &interlace, NULL, NULL);
	rc = kimg_check_size(w, h, name, lim, e);
	if (rc < 0)
		goto out;
	if (interlace != PNG_INTERLACE_NONE && (uint64_t)w * h > KIMG_RGB_WHOLE_MAX) {
		rc = kerr_set(e, K_ETOOBIG,
		              "%s: an interlaced PNG of %lu×%lu is over the %u-megapixel limit for"
		              " showing one",
		              name, (unsigned long)w, (unsigned long)h,
		              KIMG_RGB_WHOLE_MAX / 1000000);
		goto out;
	}
	out->src_width = w;
	out->src_height = h;
	png_set_strip_16(x->png);
	png_set_packing(x->png);
	if (ctype == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(x->png);
	if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(x->png);
	if (png_get_valid(x->png, x->info, PNG_INFO_tRNS))
		png_set_tRNS_to_alpha(x->png);
	int passes = png_set_interlace_handling(x->png);
	png_read_update_info(x->png, x->info);
	int ch = png_get_channels(x->png, x->info);
	size_t rowbytes = png_get_rowbytes(x->png, x->info);
	if (ch < 1 || ch > 4 || rowbytes < (size_t)w * ch)
		png_error(x->png, "unexpected row layout");
	/* the orientation is known only at the end (ImageMagick writes eXIf after the data):
	 * the box is made for the stored image, and turned at the end */
	uint32_t dw, dh;
	fit(w, h, max_w, max_h, &dw, &dh);
	racc_init(&x->acc, w, h, dw, dh);
	if (passes == 1) {
		x->row = xmalloc(rowbytes);
		for (png_uint_32 y = 0; y < h; y++) {
			png_read_row(x->png, x->row, NULL);
			racc_row(&x->acc, y, 0, 1, x->row, w, ch);
		}
	} else {
		x->row = xcalloc(h, rowbytes);
		for (int p = 0; p < passes; p++)
			for (png_uint_32 y = 0; y < h; y++)
				png_read_row(x->png, x->row + (size_t)y * rowbytes, NULL);
		for (png_uint_32 y = 0; y < h; y++)
			racc_row(&x->acc, y, 0, 1, x->row + (size_t)y * rowbytes, w, ch);
	}
	png_read_end(x->png, x->info);
	int o = 1;
	png_uint_32 nexif = 0;
	png_bytep exif = NULL;
	if (png_get_eXIf_1(x->png, x->info, &nexif, &exif) && exif)
		o = exif_orient(exif, nexif);
	racc_finish(&x->acc, o, out);
	if (out->width > max_w || out->height > max_h)
		shrink(out, max_w, max_h); /* turned, the stored box no longer fits */
	out->format = KIMG_PNG;
out:
	png_destroy_read_struct(&x->png, &x->info, NULL);
	free(x->row);
	racc_free(&x->acc);
	free(x);
	return rc;
}

/* ---- WebP ---- */

static int webp_fail(VP8StatusCode st, const char *name, struct kerr *e)
{
	if (st == VP8_STATUS_NOT_ENOUGH_DATA)
		return kerr_set(e, K_EINVAL, "%s: the WebP is truncated (its data ends early)",
		                name);
	if (st == VP8_STATUS_UNSUPPORTED_FEATURE)
		return kerr_set(e, K_EINVAL, "%s: a WebP with a feature libwebp cannot read", name);
	return kerr_set(e, K_EINVAL, "%s: a damaged WebP (status %d)", name, (int)st);
}

static int webp_orient(const uint8_t *d, size_t len)
{
	if (len < 12)
		return 1;
	size_t end = (size_t)((uint32_t)d[4] | (uint32_t)d[5] << 8 | (uint32_t)d[6] << 16 |
	                      (uint32_t)d[7] << 24) +
	             8;
	if (end > len)
		end = len;
	size_t p = 12;
	while (p + 8 <= end) {
		const uint8_t *q = d + p + 4;
		size_t n = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
		           (uint32_t)q[3] << 24;
		if (n > end - p - 8)
			break;
		if (memcmp(d + p, "EXIF", 4) == 0)
			return exif_orient(d + p + 8, n);
		p += 8 + n + (n & 1);
	}
	return 1;
}

static int dec_webp(const uint8_t *data, size_t len, const char *name,
                    const struct kimg_limits *lim, uint32_t max_w, uint32_t max_h,
                    struct kimg_rgb *out, struct kerr *e)
{
	WebPDecoderConfig cfg;
	if (!WebPInitDecoderConfig(&cfg))
		return kerr_set(e, K_EFAIL,
		                "%s: libwebp does not match the headers it was built with", name);
	VP8StatusCode st = WebPGetFeatures(data, len, &cfg.input);
	if (st != VP8_STATUS_OK)
		return webp_fail(st, name, e);
	int rc =
	    kimg_check_size((uint64_t)cfg.input.width, (uint64_t)cfg.input.height, name, lim, e);
	if (rc < 0)
		return rc;
	if (cfg.input.has_animation)
		return kerr_set(e, K_EINVAL, "%s: an animated WebP, which kontor does not show",
		                name);
	int o = webp_orient(data, len);
	uint32_t dw, dh;
	fit_oriented((uint32_t)cfg.input.width, (uint32_t)cfg.input.height, o, max_w, max_h, &dw,
	             &dh);
	if ((int)dw != cfg.input.width || (int)dh != cfg.input.height) {
		cfg.options.use_scaling = 1;
		cfg.options.scaled_width = (int)dw;
		cfg.options.scaled_height = (int)dh;
	}
	cfg.output.colorspace = MODE_RGBA;
	st = WebPDecode(data, len, &cfg);
	if (st != VP8_STATUS_OK) {
		WebPFreeDecBuffer(&cfg.output);
		return webp_fail(st, name, e);
	}
	const WebPRGBABuffer *b = &cfg.output.u.RGBA;
	if (cfg.output.width != (int)dw || cfg.output.height != (int)dh) {
		WebPFreeDecBuffer(&cfg.output);
		return kerr_set(e, K_EINVAL, "%s: a damaged WebP (decoded at an unexpected size)",
		                name);
	}
	struct racc a;
	racc_init(&a, dw, dh, dw, dh);
	for (uint32_t y = 0; y < dh; y++)
		racc_row(&a, y, 0, 1, b->rgba + (size_t)y * b->stride, dw, 4);
	WebPFreeDecBuffer(&cfg.output);
	out->src_width = (uint32_t)cfg.input.width;
	out->src_height = (uint32_t)cfg.input.height;
	racc_finish(&a, o, out);
	racc_free(&a);
	out->format = KIMG_WEBP;
	return K_OK;
}

int kimg_decode_rgb(const void *data, size_t len, const char *name, const struct kimg_limits *lim,
                    uint32_t max_w, uint32_t max_h, struct kimg_rgb *out, struct kerr *e)
{
	if (!name)
		name = "image";
	if (max_w < 1 || max_h < 1 || max_w > KIMG_RGB_SIDE_MAX || max_h > KIMG_RGB_SIDE_MAX)
		return kerr_set(e, K_EINVAL, "%s: %u×%u is not a size to show an image at", name,
		                max_w, max_h);
	size_t maxb = lim && lim->max_bytes ? lim->max_bytes : KIMG_MAX_BYTES_DEFAULT;
	if (len > maxb)
		return kerr_set(e, K_ETOOBIG, "%s: %zu bytes is over the %zu-byte limit", name, len,
		                maxb);
	const uint8_t *d = data;
	struct kimg_rgb img = {0};
	int rc;
	switch (sniff(d, len)) {
	case KIMG_JPEG:
		rc = dec_jpeg(d, len, name, lim, max_w, max_h, &img, e);
		break;
	case KIMG_PNG:
		rc = dec_png(d, len, name, lim, max_w, max_h, &img, e);
		break;
	case KIMG_WEBP:
		rc = dec_webp(d, len, name, lim, max_w, max_h, &img, e);
		break;
	default:
		return kerr_set(e, K_EINVAL, "%s: not a JPEG, PNG or WebP image", name);
	}
	if (rc) {
		kimg_rgb_free(&img);
		return rc;
	}
	*out = img;
	return K_OK;
}

/* ---- JPEG out ---- */

void kimg_encode_jpeg(const struct kimg_rgb *img, int quality, struct kbuf *out)
{
	struct jpeg_compress_struct ci;
	struct jpeg_error_mgr err;
	ci.err = jpeg_std_error(&err); /* our own pixels in memory: an error is a bug, it exits */
	jpeg_create_compress(&ci);
	unsigned char *mem = NULL;
	unsigned long n = 0;
	jpeg_mem_dest(&ci, &mem, &n);
	ci.image_width = img->width;
	ci.image_height = img->height;
	ci.input_components = 3;
	ci.in_color_space = JCS_RGB;
	jpeg_set_defaults(&ci);
	jpeg_set_quality(&ci, quality < 1 ? 1 : quality > 100 ? 100 : quality, TRUE);
	jpeg_start_compress(&ci, TRUE);
	while (ci.next_scanline < ci.image_height) {
		JSAMPROW r = img->px + (size_t)ci.next_scanline * img->width * 3;
		jpeg_write_scanlines(&ci, &r, 1);
	}
	jpeg_finish_compress(&ci);
	jpeg_destroy_compress(&ci);
	kbuf_append(out, mem, n);
	free(mem);
}

/* ---- probing ---- */

int kimg_probe(const void *data, size_t len, const char *name, enum kimg_format *format,
               uint32_t *width, uint32_t *height, struct kerr *e)
{
	const uint8_t *d = data;
	if (!name)
		name = "image";
	*format = sniff(d, len);
	*width = *height = 0;
	if (*format == KIMG_PNG) {
		if (len < 24 || memcmp(d + 12, "IHDR", 4) != 0)
			return kerr_set(e, K_EINVAL, "%s: the PNG header is cut short", name);
		*width =
		    (uint32_t)d[16] << 24 | (uint32_t)d[17] << 16 | (uint32_t)d[18] << 8 | d[19];
		*height =
		    (uint32_t)d[20] << 24 | (uint32_t)d[21] << 16 | (uint32_t)d[22] << 8 | d[23];
		return K_OK;
	}
	if (*format == KIMG_WEBP) {
		WebPBitstreamFeatures f;
		if (WebPGetFeatures(d, len, &f) != VP8_STATUS_OK)
			return kerr_set(e, K_EINVAL, "%s: the WebP header is cut short", name);
		*width = (uint32_t)f.width;
		*height = (uint32_t)f.height;
		return K_OK;
	}
	if (*format == KIMG_JPEG) {
		/* walk the markers to the first SOFn */
		size_t p = 2;
		while (p + 4 <= len) {
			if (d[p] != 0xFF)
				break;
			uint8_t m = d[p + 1];
			if (m == 0xFF) {
				p++;
				continue;
			}
			size_t seg = (size_t)d[p + 2] << 8 | d[p + 3];
			if (seg < 2)
				break;
			if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
				if (p + 9 > len)
					break;
				*height = (uint32_t)d[p + 5] << 8 | d[p + 6];
				*width = (uint32_t)d[p + 7] << 8 | d[p + 8];
				return K_OK;
			}
			p += 2 + seg;
		}
		return kerr_set(e, K_EINVAL, "%s: the JPEG header is cut short", name);
	}
	return kerr_set(e, K_EINVAL, "%s: not a JPEG, PNG or WebP image", name);
}
