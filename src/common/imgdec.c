/* imgdec — JPEG (libjpeg-turbo), PNG (libpng) and WebP (libwebp) decoded row by row into a
 * sink: the grey work image here (kimg_decode_grey), the colour box in imgrgb.c. Both C libraries
 * report fatal errors by calling back: libjpeg's error_exit and libpng's error function longjmp
 * back here; everything those jumps cross lives in a context struct, not in locals, so nothing is
 * clobbered. */
#include "imgdec.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>
#include <webp/decode.h>

#include "kontor/buf.h"

/* a progressive JPEG with more scans is a CPU bomb (libjpeg-turbo's advice) */
#define JPEG_MAX_SCANS 500
#define PNG_CHUNK_MAX (1u << 20) /* ancillary chunks we keep are small: eXIf */

/* ---- the work-image accumulator ---- */

void kimg_acc_init(struct kimg_acc *a, uint32_t sw, uint32_t sh)
{
	memset(a, 0, sizeof *a);
	a->sw = sw;
	a->sh = sh;
	a->dw = sw < KIMG_WORK ? sw : KIMG_WORK;
	a->dh = sh < KIMG_WORK ? sh : KIMG_WORK;
	a->xj = xmalloc((size_t)sw * sizeof *a->xj);
	a->xw = xmalloc((size_t)sw * sizeof *a->xw);
	for (uint32_t x = 0; x < sw; x++) {
		/* source column x covers [x, x+1); work column j covers [j*sw/dw, (j+1)*sw/dw) */
		uint64_t j = (uint64_t)x * a->dw / sw;
		double edge = (double)((j + 1) * sw) - (double)x * a->dw; /* in 1/dw units */
		a->xj[x] = (uint32_t)j;
		a->xw[x] = edge >= a->dw ? 1.0f : (float)(edge / a->dw);
	}
	a->row = xcalloc(a->dw, sizeof *a->row);
	a->acc = xcalloc((size_t)a->dw * a->dh, sizeof *a->acc);
}

void kimg_acc_row(struct kimg_acc *a, uint32_t y, uint32_t x0, uint32_t xstep, const float *grey,
                  uint32_t n)
{
	if (!a->acc || y >= a->sh)
		return;
	memset(a->row, 0, a->dw * sizeof *a->row);
	uint64_t x = x0;
	for (uint32_t k = 0; k < n && x < a->sw; k++, x += xstep) {
		uint32_t j = a->xj[x];
		double w = a->xw[x];
		a->row[j] += w * grey[k];
		if (w < 1.0 && j + 1 < a->dw)
			a->row[j + 1] += (1.0 - w) * grey[k];
	}
	uint64_t i = (uint64_t)y * a->dh / a->sh;
	double edge = (double)((i + 1) * a->sh) - (double)y * a->dh;
	double wy = edge >= a->dh ? 1.0 : edge / a->dh;
	double *d = a->acc + i * a->dw;
	for (uint32_t j = 0; j < a->dw; j++)
		d[j] += wy * a->row[j];
	if (wy < 1.0 && i + 1 < a->dh) {
		d += a->dw;
		for (uint32_t j = 0; j < a->dw; j++)
			d[j] += (1.0 - wy) * a->row[j];
	}
}

double *kimg_acc_result(struct kimg_acc *a)
{
	/* each work pixel received (sw/dw) × (sh/dh) source pixels' worth of weight */
	double area = ((double)a->sw / a->dw) * ((double)a->sh / a->dh);
	for (size_t k = 0; k < (size_t)a->dw * a->dh; k++)
		a->acc[k] /= area;
	return a->acc;
}

void kimg_acc_free(struct kimg_acc *a)
{
	xfree(&a->xj);
	xfree(&a->xw);
	xfree(&a->row);
	xfree(&a->acc);
}

/* ---- grey from the decoders' pixel layouts (Rec. 601 luma, alpha onto white) ---- */

static float luma(unsigned r, unsigned g, unsigned b)
{
	return 0.299f * (float)r + 0.587f * (float)g + 0.114f * (float)b;
}

static void to_grey(enum kimg_layout l, const uint8_t *p, uint32_t n, float *out)
{
	for (uint32_t k = 0; k < n; k++) {
		switch (l) {
		case KIMG_L_GREY:
			out[k] = p[k];
			break;
		case KIMG_L_GREY_ALPHA: {
			const uint8_t *q = p + 2 * (size_t)k;
			out[k] = ((float)q[0] * q[1] + 255.0f * (255 - q[1])) / 255.0f;
			break;
		}
		case KIMG_L_RGB: {
			const uint8_t *q = p + 3 * (size_t)k;
			out[k] = luma(q[0], q[1], q[2]);
			break;
		}
		case KIMG_L_RGBA: {
			const uint8_t *q = p + 4 * (size_t)k;
			out[k] = (luma(q[0], q[1], q[2]) * q[3] + 255.0f * (255 - q[3])) / 255.0f;
			break;
		}
		case KIMG_L_RGBA_PREMUL: {
			const uint8_t *q = p + 4 * (size_t)k;
			out[k] = luma(q[0], q[1], q[2]) + (float)(255 - q[3]);
			break;
		}
		case KIMG_L_CMYK_INVERTED: {
			/* Adobe's CMYK JPEGs store inverted ink: R = C·K/255 and so on */
			const uint8_t *q = p + 4 * (size_t)k;
			out[k] = luma(q[0] * q[3] / 255u, q[1] * q[3] / 255u, q[2] * q[3] / 255u);
			break;
		}
		}
	}
}

/* ---- limits and EXIF ---- */

int kimg_check_size(uint64_t w, uint64_t h, const char *name, const struct kimg_limits *lim,
                    struct kerr *e)
{
	uint64_t maxpx = lim && lim->max_pixels ? lim->max_pixels : KIMG_MAX_PIXELS_DEFAULT;
	if (w == 0 || h == 0)
		return kerr_set(e, K_EINVAL, "%s: the image states a size of %llu×%llu pixels",
		                name, (unsigned long long)w, (unsigned long long)h);
	if (w * h > maxpx) {
		if (maxpx % 1000000 == 0)
			return kerr_set(e, K_ETOOBIG,
			                "%s: %llu×%llu is over the %llu-megapixel limit", name,
			                (unsigned long long)w, (unsigned long long)h,
			                (unsigned long long)(maxpx / 1000000));
		return kerr_set(e, K_ETOOBIG, "%s: %llu×%llu is over the limit of %llu pixels",
		                name, (unsigned long long)w, (unsigned long long)h,
		                (unsigned long long)maxpx);
	}
	if (w > KIMG_MAX_SIDE || h > KIMG_MAX_SIDE)
		return kerr_set(e, K_ETOOBIG, "%s: %llu×%llu has a side over the %u-pixel limit",
		                name, (unsigned long long)w, (unsigned long long)h, KIMG_MAX_SIDE);
	return K_OK;
}

static unsigned rd16(const uint8_t *p, int big)
{
	return big ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
}

static uint32_t rd32(const uint8_t *p, int big)
{
	return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
	           : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

int kimg_exif_orientation(const uint8_t *t, size_t len)
{
	if (len < 8)
		return 1;
	int big;
	if (t[0] == 'M' && t[1] == 'M')
		big = 1;
	else if (t[0] == 'I' && t[1] == 'I')
		big = 0;
	else
		return 1;
	if (rd16(t + 2, big) != 42)
		return 1;
	uint32_t ifd = rd32(t + 4, big);
	if (ifd < 8 || ifd > len - 2)
		return 1;
	unsigned count = rd16(t + ifd, big);
	size_t room = (len - ifd - 2) / 12; /* entries that fit in the block */
	if (count > room)
		count = (unsigned)room;
	for (unsigned k = 0; k < count; k++) {
		const uint8_t *en = t + ifd + 2 + 12 * (size_t)k;
		/* tag 0x0112 Orientation, type 3 SHORT, count 1, the value in the first 2 bytes */
		if (rd16(en, big) == 0x0112 && rd16(en + 2, big) == 3 && rd32(en + 4, big) == 1) {
			unsigned v = rd16(en + 8, big);
			return v >= 1 && v <= 8 ? (int)v : 1;
		}
	}
	return 1;
}

/* An APP1 or EXIF chunk's payload: "Exif\0\0" then the TIFF block (WebP writers differ on
 * whether the prefix is there, so it is optional). */
static int exif_payload_orientation(const uint8_t *p, size_t len)
{
	if (len >= 6 && memcmp(p, "Exif\0\0", 6) == 0)
		return kimg_exif_orientation(p + 6, len - 6);
	return kimg_exif_orientation(p, len);
}

void kimg_orient_src(int o, uint32_t w, uint32_t h, uint32_t r, uint32_t c, uint32_t *sr,
                     uint32_t *sc)
{
	switch (o) {
	case 2:
		*sr = r, *sc = w - 1 - c;
		break;
	case 3:
		*sr = h - 1 - r, *sc = w - 1 - c;
		break;
	case 4:
		*sr = h - 1 - r, *sc = c;
		break;
	case 5:
		*sr = c, *sc = r;
		break;
	case 6:
		*sr = h - 1 - c, *sc = r;
		break;
	case 7:
		*sr = h - 1 - c, *sc = w - 1 - r;
		break;
	case 8:
		*sr = c, *sc = w - 1 - r;
		break;
	default:
		*sr = r, *sc = c;
		break;
	}
}

/* ---- JPEG ---- */

struct jpeg_ctx {
	struct jpeg_error_mgr pub;
	struct jpeg_progress_mgr progress;
	jmp_buf jb;
	int truncated, too_many_scans;
	char msg[JMSG_LENGTH_MAX];
	struct jpeg_decompress_struct cinfo;
	uint8_t *row;
};

static void jpeg_fail(j_common_ptr c)
{
	struct jpeg_ctx *x = (struct jpeg_ctx *)c->err;
	c->err->format_message(c, x->msg);
	longjmp(x->jb, 1);
}

static void jpeg_emit(j_common_ptr c, int level)
{
	struct jpeg_ctx *x = (struct jpeg_ctx *)c->err;
	if (level < 0 &&
	    (c->err->msg_code == JWRN_JPEG_EOF || c->err->msg_code == JWRN_HIT_MARKER)) {
		/* the data ends (at the end of the file, or at a marker such as EOI) before the
		 * rows the header promised: libjpeg would pad them with grey; we refuse the file */
		x->truncated = 1;
		longjmp(x->jb, 1);
	}
	if (level < 0)
		c->err->num_warnings++;
}

static void jpeg_progress(j_common_ptr c)
{
	struct jpeg_ctx *x = (struct jpeg_ctx *)c->err;
	j_decompress_ptr d = (j_decompress_ptr)c;
	if (d->progressive_mode && d->input_scan_number > JPEG_MAX_SCANS) {
		x->too_many_scans = 1;
		longjmp(x->jb, 1);
	}
}

static int decode_jpeg(const uint8_t *data, size_t len, const char *name,
                       const struct kimg_limits *lim, struct kimg_sink *s, struct kimg_info *info,
                       struct kerr *e)
{
	struct jpeg_ctx *x = xcalloc(1, sizeof *x);
	struct jpeg_decompress_struct *ci = &x->cinfo;
	int rc = K_OK;
	ci->err = jpeg_std_error(&x->pub);
	x->pub.error_exit = jpeg_fail;
	x->pub.emit_message = jpeg_emit;
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
	x->progress.progress_monitor = jpeg_progress;
	ci->progress = &x->progress;
	jpeg_mem_src(ci, data, (unsigned long)len);
	jpeg_save_markers(ci, JPEG_APP0 + 1, 0xFFFF);
	jpeg_read_header(ci, TRUE);

	rc = kimg_check_size(ci->image_width, ci->image_height, name, lim, e);
	if (rc < 0)
		goto out;
	info->width = ci->image_width;
	info->height = ci->image_height;
	for (jpeg_saved_marker_ptr m = ci->marker_list; m; m = m->next)
		if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 &&
		    memcmp(m->data, "Exif\0\0", 6) == 0) {
			info->orientation = kimg_exif_orientation(m->data + 6, m->data_length - 6);
			break;
		}

	/* the smallest scale (down to 1/8) that still gives the sink the size it wants */
	uint32_t tw, th;
	s->want(s, ci->image_width, ci->image_height, info->orientation, &tw, &th);
	unsigned d = 8;
	while (d > 1 && (ci->image_width / d < tw || ci->image_height / d < th))
		d /= 2;
	ci->scale_num = 1;
	ci->scale_denom = d;
	enum kimg_layout lay;
	if (ci->jpeg_color_space == JCS_CMYK || ci->jpeg_color_space == JCS_YCCK) {
		ci->out_color_space = JCS_CMYK;
		lay = KIMG_L_CMYK_INVERTED;
	} else if (s->colour) {
		ci->out_color_space = JCS_RGB;
		lay = KIMG_L_RGB;
	} else {
		ci->out_color_space = JCS_GRAYSCALE; /* a YCbCr JPEG's Y is Rec. 601 luma already */
		lay = KIMG_L_GREY;
	}
	/* a progressive JPEG buffers its coefficients whole: bound that by the pixel limit */
	uint64_t maxpx = lim && lim->max_pixels ? lim->max_pixels : KIMG_MAX_PIXELS_DEFAULT;
	ci->mem->max_memory_to_use = (long)(maxpx * 8 < 0x7fffffff ? maxpx * 8 : 0x7fffffff);
	jpeg_start_decompress(ci);
	if (ci->output_components != (lay == KIMG_L_CMYK_INVERTED ? 4 : lay == KIMG_L_RGB ? 3 : 1))
		ERREXIT(ci, JERR_BAD_J_COLORSPACE);
	info->decoded_width = ci->output_width;
	info->decoded_height = ci->output_height;
	rc = s->begin(s, info, 0, name, e);
	if (rc < 0)
		goto out;
	x->row = xmalloc((size_t)ci->output_width * ci->output_components);
	while (ci->output_scanline < ci->output_height) {
		JSAMPROW r = x->row;
		uint32_t y = ci->output_scanline;
		if (jpeg_read_scanlines(ci, &r, 1) != 1)
			ERREXIT(ci, JERR_INPUT_EMPTY);
		s->row(s, y, 0, 1, x->row, ci->output_width, lay);
	}
	if (s->to_eoi)
		jpeg_finish_decompress(ci);
out:
	jpeg_destroy_decompress(ci);
	xfree(&x->row);
	free(x);
	return rc;
}

/* ---- PNG ---- */

struct png_ctx {
	const uint8_t *data;
	size_t len, pos;
	int truncated;
	char msg[160];
	png_structp png;
	png_infop info;
	uint8_t *row;
};

static void png_fail(png_structp png, png_const_charp msg)
{
	struct png_ctx *x = png_get_error_ptr(png);
	snprintf(x->msg, sizeof x->msg, "%s", msg ? msg : "error");
	png_longjmp(png, 1);
}

static void png_warn(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void png_read_mem(png_structp png, png_bytep out, size_t n)
{
	struct png_ctx *x = png_get_io_ptr(png);
	if (n > x->len - x->pos) {
		x->truncated = 1;
		png_error(png, "read past the end");
	}
	memcpy(out, x->data + x->pos, n);
	x->pos += n;
}

static int decode_png(const uint8_t *data, size_t len, const char *name,
                      const struct kimg_limits *lim, struct kimg_sink *s, struct kimg_info *info,
                      struct kerr *e)
{
	struct png_ctx *x = xcalloc(1, sizeof *x);
	int rc = K_OK;
	x->data = data;
	x->len = len;
	x->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, x, png_fail, png_warn);
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
	png_set_read_fn(x->png, x, png_read_mem);
	png_set_chunk_malloc_max(x->png, PNG_CHUNK_MAX);
	png_set_chunk_cache_max(x->png, 64);
	/* text, colour profiles and palettes suggestions are of no use to a picture: skip them
	 * unread (no zTXt/iCCP inflating) */
	static const png_byte skip[] = "tEXt\0zTXt\0iTXt\0iCCP\0sPLT\0hIST\0tIME\0pCAL\0sCAL\0";
	png_set_keep_unknown_chunks(x->png, PNG_HANDLE_CHUNK_NEVER, skip, (int)(sizeof skip / 5));
	png_read_info(x->png, x->info);

	png_uint_32 w, h;
	int depth, ctype, interlace;
	png_get_IHDR(x->png, x->info, &w, &h, &depth, &ctype, &interlace, NULL, NULL);
	rc = kimg_check_size(w, h, name, lim, e);
	if (rc < 0)
		goto out;
	info->width = info->decoded_width = w;
	info->height = info->decoded_height = h;
	info->has_alpha = (ctype & PNG_COLOR_MASK_ALPHA) != 0 ||
	                  png_get_valid(x->png, x->info, PNG_INFO_tRNS) != 0;
	png_set_strip_16(x->png);
	png_set_packing(x->png);
	if (ctype == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(x->png);
	if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(x->png);
	if (png_get_valid(x->png, x->info, PNG_INFO_tRNS))
		png_set_tRNS_to_alpha(x->png);
	png_read_update_info(x->png, x->info);
	int ch = png_get_channels(x->png, x->info);
	enum kimg_layout lay = ch == 1   ? KIMG_L_GREY
	                       : ch == 2 ? KIMG_L_GREY_ALPHA
	                       : ch == 3 ? KIMG_L_RGB
	                                 : KIMG_L_RGBA;
	if (ch < 1 || ch > 4 || png_get_rowbytes(x->png, x->info) < (size_t)w * ch)
		png_error(x->png, "unexpected row layout");

	/* the orientation is known only at the end (an eXIf chunk after the image data, where
	 * ImageMagick writes it, counts too): the sink gets the stored image and turns it */
	rc = s->begin(s, info, interlace != PNG_INTERLACE_NONE, name, e);
	if (rc < 0)
		goto out;
	x->row = xmalloc(png_get_rowbytes(x->png, x->info));
	if (interlace == PNG_INTERLACE_NONE) {
		for (png_uint_32 y = 0; y < h; y++) {
			png_read_row(x->png, x->row, NULL);
			s->row(s, y, 0, 1, x->row, w, lay);
		}
	} else {
		/* Adam7 without libpng's de-interlacing (which needs the whole image): each pass
		 * row goes straight to its pixels' places; libpng skips empty passes */
		for (int pass = 0; pass < 7; pass++) {
			png_uint_32 cols = PNG_PASS_COLS(w, pass), rows = PNG_PASS_ROWS(h, pass);
			if (cols == 0 || rows == 0)
				continue;
			for (png_uint_32 r = 0; r < rows; r++) {
				png_read_row(x->png, x->row, NULL);
				s->row(s, PNG_ROW_FROM_PASS_ROW(r, pass), PNG_PASS_START_COL(pass),
				       1u << PNG_PASS_COL_SHIFT(pass), x->row, cols, lay);
			}
		}
	}
	png_read_end(x->png, x->info);
	png_uint_32 nexif = 0;
	png_bytep exif = NULL;
	if (png_get_eXIf_1(x->png, x->info, &nexif, &exif) && exif)
		info->orientation = exif_payload_orientation(exif, nexif);
out:
	png_destroy_read_struct(&x->png, &x->info, NULL);
	xfree(&x->row);
	free(x);
	return rc;
}

/* ---- WebP ---- */

static const char *webp_status(VP8StatusCode st)
{
	switch (st) {
	case VP8_STATUS_OUT_OF_MEMORY:
		return "out of memory";
	case VP8_STATUS_INVALID_PARAM:
		return "invalid parameter";
	case VP8_STATUS_BITSTREAM_ERROR:
		return "bitstream error";
	case VP8_STATUS_UNSUPPORTED_FEATURE:
		return "unsupported feature";
	case VP8_STATUS_SUSPENDED:
		return "suspended";
	case VP8_STATUS_USER_ABORT:
		return "aborted";
	case VP8_STATUS_NOT_ENOUGH_DATA:
		return "not enough data";
	default:
		return "error";
	}
}

static int webp_error(VP8StatusCode st, const char *name, struct kerr *e)
{
	if (st == VP8_STATUS_NOT_ENOUGH_DATA)
		return kerr_set(e, K_EINVAL, "%s: the WebP is truncated (its data ends early)",
		                name);
	return kerr_set(e, K_EINVAL, "%s: a damaged WebP (%s)", name, webp_status(st));
}

/* The EXIF chunk of an extended (VP8X) WebP, if any: walks the RIFF chunks within bounds. */
static int webp_orientation(const uint8_t *d, size_t len)
{
	if (len < 12)
		return 1;
	size_t end = (size_t)rd32(d + 4, 0) + 8;
	if (end > len)
		end = len;
	size_t p = 12;
	while (p + 8 <= end) {
		size_t n = rd32(d + p + 4, 0);
		if (n > end - p - 8)
			break;
		if (memcmp(d + p, "EXIF", 4) == 0)
			return exif_payload_orientation(d + p + 8, n);
		p += 8 + n + (n & 1);
	}
	return 1;
}

static int decode_webp(const uint8_t *data, size_t len, const char *name,
                       const struct kimg_limits *lim, struct kimg_sink *s, struct kimg_info *info,
                       struct kerr *e)
{
	WebPDecoderConfig cfg;
	if (!WebPInitDecoderConfig(&cfg))
		return kerr_set(e, K_EFAIL,
		                "%s: libwebp does not match the headers it was built with", name);
	VP8StatusCode st = WebPGetFeatures(data, len, &cfg.input);
	if (st != VP8_STATUS_OK)
		return webp_error(st, name, e);
	int rc =
	    kimg_check_size((uint64_t)cfg.input.width, (uint64_t)cfg.input.height, name, lim, e);
	if (rc < 0)
		return rc;
	if (cfg.input.has_animation)
		return kerr_set(e, K_EINVAL, "%s: an animated WebP, %s", name, s->animated);
	info->width = (uint32_t)cfg.input.width;
	info->height = (uint32_t)cfg.input.height;
	info->has_alpha = cfg.input.has_alpha != 0;
	info->orientation = webp_orientation(data, len);
	/* libwebp shrinks by area averaging as it decodes, straight to the size the sink wants */
	uint32_t dw, dh;
	s->want(s, info->width, info->height, info->orientation, &dw, &dh);
	if ((int)dw != cfg.input.width || (int)dh != cfg.input.height) {
		cfg.options.use_scaling = 1;
		cfg.options.scaled_width = (int)dw;
		cfg.options.scaled_height = (int)dh;
	}
	/* for grey, alpha comes premultiplied so that averaging and flattening onto white
	 * commute */
	cfg.output.colorspace = s->colour ? MODE_RGBA : MODE_rgbA;
	st = WebPDecode(data, len, &cfg);
	if (st != VP8_STATUS_OK) {
		WebPFreeDecBuffer(&cfg.output);
		return webp_error(st, name, e);
	}
	const WebPRGBABuffer *b = &cfg.output.u.RGBA;
	if (cfg.output.width != (int)dw || cfg.output.height != (int)dh) {
		WebPFreeDecBuffer(&cfg.output);
		return kerr_set(e, K_EINVAL, "%s: a damaged WebP (decoded at an unexpected size)",
		                name);
	}
	info->decoded_width = dw;
	info->decoded_height = dh;
	rc = s->begin(s, info, 0, name, e);
	if (rc == K_OK)
		for (uint32_t y = 0; y < dh; y++)
			s->row(s, y, 0, 1, b->rgba + (size_t)y * b->stride, dw,
			       s->colour ? KIMG_L_RGBA : KIMG_L_RGBA_PREMUL);
	WebPFreeDecBuffer(&cfg.output);
	return rc;
}

/* ---- the three behind one door ---- */

enum kimg_format kimg_sniff(const uint8_t *d, size_t n)
{
	if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
		return KIMG_JPEG;
	if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
		return KIMG_PNG;
	if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
		return KIMG_WEBP;
	return KIMG_UNKNOWN;
}

int kimg_decode(const uint8_t *data, size_t len, const char *name, const struct kimg_limits *lim,
                struct kimg_sink *s, struct kimg_info *info, struct kerr *e)
{
	info->format = kimg_sniff(data, len);
	info->orientation = 1;
	switch (info->format) {
	case KIMG_JPEG:
		return decode_jpeg(data, len, name, lim, s, info, e);
	case KIMG_PNG:
		return decode_png(data, len, name, lim, s, info, e);
	case KIMG_WEBP:
		return decode_webp(data, len, name, lim, s, info, e);
	default:
		return kerr_set(e, K_EINVAL, "%s: not a JPEG, PNG or WebP image", name);
	}
}

/* ---- the grey sink: each row to grey, then into the work-image accumulator ---- */

struct grey_sink {
	struct kimg_sink s; /* first: the decoders hand back &s */
	struct kimg_acc *acc;
	float *grey;
};

static void grey_want(struct kimg_sink *s, uint32_t sw, uint32_t sh, int o, uint32_t *dw,
                      uint32_t *dh)
{
	(void)s;
	(void)o; /* the work image is turned after the averaging */
	*dw = sw < KIMG_WORK ? sw : KIMG_WORK;
	*dh = sh < KIMG_WORK ? sh : KIMG_WORK;
}

static int grey_begin(struct kimg_sink *s, const struct kimg_info *info, int interlaced,
                      const char *name, struct kerr *e)
{
	struct grey_sink *g = (struct grey_sink *)s;
	kimg_acc_init(g->acc, info->decoded_width, info->decoded_height);
	g->grey = xmalloc((size_t)info->decoded_width * sizeof *g->grey);
	return K_OK;
}

static void grey_row(struct kimg_sink *s, uint32_t y, uint32_t x0, uint32_t step, const uint8_t *p,
                     uint32_t n, enum kimg_layout l)
{
	struct grey_sink *g = (struct grey_sink *)s;
	to_grey(l, p, n, g->grey);
	kimg_acc_row(g->acc, y, x0, step, g->grey, n);
}

int kimg_decode_grey(const uint8_t *data, size_t len, const char *name,
                     const struct kimg_limits *lim, struct kimg_acc *acc, struct kimg_info *info,
                     struct kerr *e)
{
	struct grey_sink g = {
	    .s = {.colour = 0,
	          .to_eoi = 0,
	          .animated = "which has no single photo to hash",
	          .want = grey_want,
	          .begin = grey_begin,
	          .row = grey_row},
	    .acc = acc,
	};
	int rc = kimg_decode(data, len, name, lim, &g.s, info, e);
	free(g.grey);
	return rc;
}
