/* imgrgb — JPEG, PNG and WebP decoded in colour and shrunk as they are read, and JPEG out.
 * The decoders are imgdec's (kimg_decode); here is the sink they feed row by row, a box
 * accumulator, so a big photo never sits in memory whole. */
#include "kontor/imgrgb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <webp/decode.h>

#include "imgdec.h"

void kimg_rgb_free(struct kimg_rgb *img)
{
	if (!img)
		return;
	free(img->px);
	memset(img, 0, sizeof *img);
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

/* n pixels of source row y at columns x0, x0 + step, ..., alpha onto white. */
static void racc_row(struct racc *a, uint32_t y, uint32_t x0, uint32_t step, const uint8_t *p,
                     uint32_t n, enum kimg_layout l)
{
	if (y >= a->sh)
		return;
	uint32_t i = (uint32_t)((uint64_t)y * a->dh / a->sh);
	uint64_t x = x0;
	int bpp = l == KIMG_L_GREY ? 1 : l == KIMG_L_GREY_ALPHA ? 2 : l == KIMG_L_RGB ? 3 : 4;
	for (uint32_t k = 0; k < n && x < a->sw; k++, x += step) {
		const uint8_t *q = p + (size_t)k * bpp;
		unsigned r, g, b;
		switch (l) {
		case KIMG_L_GREY:
			r = g = b = q[0];
			break;
		case KIMG_L_GREY_ALPHA:
			r = g = b = (q[0] * q[1] + 255u * (255u - q[1])) / 255u;
			break;
		case KIMG_L_RGB:
			r = q[0], g = q[1], b = q[2];
			break;
		case KIMG_L_RGBA:
			r = (q[0] * q[3] + 255u * (255u - q[3])) / 255u;
			g = (q[1] * q[3] + 255u * (255u - q[3])) / 255u;
			b = (q[2] * q[3] + 255u * (255u - q[3])) / 255u;
			break;
		case KIMG_L_RGBA_PREMUL:
			r = q[0] + 255u - q[3], g = q[1] + 255u - q[3], b = q[2] + 255u - q[3];
			break;
		default: /* KIMG_L_CMYK_INVERTED */
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
			kimg_orient_src(o, w, h, r, c, &sr, &sc);
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
		racc_row(&a, y, 0, 1, img->px + (size_t)y * img->width * 3, img->width, KIMG_L_RGB);
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

/* ---- the colour sink ---- */

struct rgb_sink {
	struct kimg_sink s; /* first: the decoders hand back &s */
	uint32_t max_w, max_h;
	struct racc acc;
};

static void rgb_want(struct kimg_sink *s, uint32_t sw, uint32_t sh, int o, uint32_t *dw,
                     uint32_t *dh)
{
	struct rgb_sink *k = (struct rgb_sink *)s;
	fit_oriented(sw, sh, o, k->max_w, k->max_h, dw, dh);
}

static int rgb_begin(struct kimg_sink *s, const struct kimg_info *info, int interlaced,
                     const char *name, struct kerr *e)
{
	struct rgb_sink *k = (struct rgb_sink *)s;
	uint32_t w = info->decoded_width, h = info->decoded_height, dw, dh;
	if (interlaced && (uint64_t)w * h > KIMG_RGB_WHOLE_MAX)
		return kerr_set(
		    e, K_ETOOBIG,
		    "%s: an interlaced PNG of %lu×%lu is over the %u-megapixel limit for"
		    " showing one",
		    name, (unsigned long)w, (unsigned long)h, KIMG_RGB_WHOLE_MAX / 1000000);
	/* a PNG's orientation is known only after its data (1 here): the box is made for the
	 * stored image, and the turned result shrunk again if it no longer fits */
	fit_oriented(w, h, info->orientation, k->max_w, k->max_h, &dw, &dh);
	racc_init(&k->acc, w, h, dw, dh);
	return K_OK;
}

static void rgb_row(struct kimg_sink *s, uint32_t y, uint32_t x0, uint32_t step, const uint8_t *p,
                    uint32_t n, enum kimg_layout l)
{
	racc_row(&((struct rgb_sink *)s)->acc, y, x0, step, p, n, l);
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
	struct rgb_sink k = {
	    .s = {.colour = 1,
	          .to_eoi = 1,
	          .animated = "which kontor does not show",
	          .want = rgb_want,
	          .begin = rgb_begin,
	          .row = rgb_row},
	    .max_w = max_w,
	    .max_h = max_h,
	};
	struct kimg_info info = {0};
	int rc = kimg_decode(data, len, name, lim, &k.s, &info, e);
	if (rc < 0) {
		racc_free(&k.acc);
		return rc;
	}
	struct kimg_rgb img = {0};
	racc_finish(&k.acc, info.orientation, &img);
	racc_free(&k.acc);
	if (img.width > max_w || img.height > max_h)
		shrink(&img, max_w, max_h); /* a PNG turned: the stored box no longer fits */
	img.src_width = info.width;
	img.src_height = info.height;
	img.format = info.format;
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
	*format = kimg_sniff(d, len);
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
