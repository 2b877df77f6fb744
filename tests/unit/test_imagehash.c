/* test_imagehash — the photo hash against ImageMagick: tests/data/images/make.sh made each
 * fixture and, in ref/, ImageMagick's own 32×32 grey of it (orient, flatten onto white, trim,
 * Rec. 601 luma, area average); the reference hash comes from that grey through a plain DCT
 * written here, not the library's. Then the turned variants, EXIF orientation (all eight, and
 * JPEG and WebP files), alpha, trim, every format against the others, scaled JPEG decoding,
 * each decoder's refusals (not an image, truncated, lying header, bomb sizes, limits), the
 * Hamming scan against a brute-force one, and the text form. Runs from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>
#include <zlib.h>

#include "fixture.h"
#include "kontor/buf.h"
#include "kontor/imagehash.h"

#define DATA "tests/data/images/"

/* ---- helpers ---- */

static uint8_t *slurp(const char *name, size_t *len)
{
	return (uint8_t *)fixture_read(DATA, name, 1 << 22, len);
}

static uint64_t hash_mem(const uint8_t *d, size_t n, const char *name, struct kimg_info *info)
{
	uint64_t h = 0;
	struct kerr e = {0, ""};
	int rc = kimg_hash_bytes(d, n, name, NULL, &h, info, &e);
	if (rc != K_OK)
		fail_msg("%s: %d %s", name, rc, e.msg);
	return h;
}

static uint64_t hash_fixture(const char *name, struct kimg_info *info)
{
	size_t n;
	uint8_t *d = slurp(name, &n);
	uint64_t h = hash_mem(d, n, name, info);
	free(d);
	return h;
}

/* Refused with code, and the message is exactly want (or contains want when sub). */
static void expect_refusal(const uint8_t *d, size_t n, const struct kimg_limits *lim, int code,
                           const char *want, int sub)
{
	uint64_t h = 0x1234;
	struct kerr e = {0, ""};
	int rc = kimg_hash_bytes(d, n, "photo", lim, &h, NULL, &e);
	if (rc != code)
		fail_msg("want %d (%s), got %d: %s", code, want, rc, e.msg);
	assert_int_equal(e.code, code);
	assert_true(h == 0x1234); /* the hash is left alone */
	if (sub ? strstr(e.msg, want) == NULL : strcmp(e.msg, want) != 0)
		fail_msg("message \"%s\" does not say \"%s\"", e.msg, want);
}

/* ---- the independent reference: ImageMagick's 32×32 grey and a DCT written out in full ---- */

static void read_pgm16(const char *name, double g[32 * 32])
{
	char rel[256];
	snprintf(rel, sizeof rel, "ref/%s.pgm", name);
	size_t n;
	uint8_t *d = slurp(rel, &n);
	const char head[] = "P5\n32 32\n65535\n";
	assert_true(n == sizeof head - 1 + 2 * 32 * 32);
	assert_memory_equal(d, head, sizeof head - 1);
	const uint8_t *p = d + sizeof head - 1;
	for (int k = 0; k < 32 * 32; k++)
		g[k] = (p[2 * k] << 8 | p[2 * k + 1]) * 255.0 / 65535.0;
	free(d);
}

/* F(u,v) = a(u) a(v) sum_y sum_x f(y,x) cos((2y+1)u pi/64) cos((2x+1)v pi/64), straight from
 * the definition; the median is the AC coefficient with exactly 31 below it. */
static uint64_t reference_hash(const double g[32 * 32])
{
	double f[64];
	for (int u = 0; u < 8; u++)
		for (int v = 0; v < 8; v++) {
			double s = 0;
			for (int y = 0; y < 32; y++)
				for (int x = 0; x < 32; x++)
					s += g[y * 32 + x] * cos((2 * y + 1) * u * M_PI / 64) *
					     cos((2 * x + 1) * v * M_PI / 64);
			double au = u ? sqrt(2.0 / 32) : sqrt(1.0 / 32);
			double av = v ? sqrt(2.0 / 32) : sqrt(1.0 / 32);
			f[u * 8 + v] = au * av * s;
		}
	double median = 0;
	for (int k = 1; k < 64; k++) {
		int below = 0;
		for (int j = 1; j < 64; j++)
			below += f[j] < f[k];
		if (below == 31)
			median = f[k];
	}
	uint64_t h = 0;
	for (int k = 1; k < 64; k++)
		if (f[k] > median)
			h |= (uint64_t)1 << k;
	return h;
}

static uint64_t ref_hash_of(const char *name)
{
	double g[32 * 32];
	read_pgm16(name, g);
	return reference_hash(g);
}

/* How far each fixture may be from ImageMagick's hash. Lossless files give ImageMagick's grey
 * to rounding: 0 bits. Lossy and reduced files may lose one bit: we take libjpeg's Y where
 * ImageMagick recomputes luma from upsampled RGB, and palette and 16-bit values round
 * differently, which can move a coefficient across the median (all were 0 when written). */
static const struct {
	const char *name;
	int tolerance;
} fixtures[] = {
    {"photo.png", 0},           {"photo_interlaced.png", 0},
    {"photo_lossless.webp", 0}, {"photo_border.png", 0},
    {"alpha.png", 0},           {"alpha.webp", 0},
    {"other.png", 0},           {"photo_palette.png", 1},
    {"photo_grey16.png", 1},    {"photo.webp", 1},
    {"photo.jpg", 1},           {"photo_progressive.jpg", 1},
    {"photo_grey.jpg", 1},      {"photo_cmyk.jpg", 1},
    {"photo_exif6.jpg", 1},
};

static void hash_matches_imagemagick_and_an_independent_dct(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof fixtures / sizeof fixtures[0]; k++) {
		uint64_t h = hash_fixture(fixtures[k].name, NULL);
		uint64_t want = ref_hash_of(fixtures[k].name);
		int d = kimg_distance(h, want);
		if (d > fixtures[k].tolerance)
			fail_msg("%s: %016llx is %d bits from ImageMagick's %016llx (tolerance %d)",
			         fixtures[k].name, (unsigned long long)h, d,
			         (unsigned long long)want, fixtures[k].tolerance);
	}
	/* and the tolerance means something: an unrelated picture is far from all of them */
	uint64_t other = ref_hash_of("other.png");
	assert_true(kimg_distance(other, ref_hash_of("photo.png")) >= 20);
	assert_true(kimg_distance(other, ref_hash_of("alpha.png")) >= 20);
}

/* The DCT-and-median step alone, on ImageMagick's grey: exactly the reference. */
static void grey32_step_equals_the_reference_dct_exactly(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof fixtures / sizeof fixtures[0]; k++) {
		double g[32 * 32];
		read_pgm16(fixtures[k].name, g);
		uint64_t h = kimg_hash_grey32(g, NULL);
		assert_true(h == reference_hash(g));
		assert_true((h & 1) == 0);                     /* the DC bit is always 0 */
		assert_int_equal(__builtin_popcountll(h), 31); /* above the median of 63: 31 */
	}
}

/* ---- turns ---- */

/* out = in as a viewer shows it under EXIF orientation o (in and out 32×32). */
static void turn32(const double *in, int o, double *out)
{
	for (int r = 0; r < 32; r++)
		for (int c = 0; c < 32; c++) {
			int sr = r, sc = c, m = 31;
			switch (o) {
			case 2:
				sc = m - c;
				break;
			case 3:
				sr = m - r, sc = m - c;
				break;
			case 4:
				sr = m - r;
				break;
			case 5:
				sr = c, sc = r;
				break;
			case 6:
				sr = m - c, sc = r;
				break;
			case 7:
				sr = m - c, sc = m - r;
				break;
			case 8:
				sr = c, sc = m - r;
				break;
			}
			out[r * 32 + c] = in[sr * 32 + sc];
		}
}

static void turned_variants_are_the_hashes_of_the_turned_images(void **state)
{
	(void)state;
	const char *names[] = {"photo.png", "alpha.png", "other.png"};
	for (size_t k = 0; k < 3; k++) {
		double g[32 * 32], t[32 * 32];
		uint64_t var[KIMG_TURNS];
		read_pgm16(names[k], g);
		uint64_t h = kimg_hash_grey32(g, var);
		assert_true(var[KIMG_ASIS] == h);
		for (int o = 1; o <= 8; o++) {
			turn32(g, o, t);
			assert_true(var[o - 1] == reference_hash(t));
		}
		/* the turns are really different hashes, or the test above proves nothing */
		assert_true(kimg_distance(var[KIMG_FLIP_H], h) >= 16);
		assert_true(kimg_distance(var[KIMG_ROT90], h) >= 16);
	}
}

/* ---- PNG building in memory, for orientation and lying headers ---- */

struct img {
	uint32_t w, h;
	uint8_t *rgba;
};

static struct img read_png_rgba(const char *name)
{
	size_t n;
	uint8_t *d = slurp(name, &n);
	png_image im;
	memset(&im, 0, sizeof im);
	im.version = PNG_IMAGE_VERSION;
	assert_true(png_image_begin_read_from_memory(&im, d, n));
	im.format = PNG_FORMAT_RGBA;
	struct img out = {im.width, im.height, xmalloc(PNG_IMAGE_SIZE(im))};
	assert_true(png_image_finish_read(&im, NULL, out.rgba, 0, NULL));
	free(d);
	return out;
}

static uint8_t *write_png(const struct img *im, size_t *len)
{
	png_image p;
	memset(&p, 0, sizeof p);
	p.version = PNG_IMAGE_VERSION;
	p.width = im->w;
	p.height = im->h;
	p.format = PNG_FORMAT_RGBA;
	png_alloc_size_t n = 0;
	assert_true(png_image_write_to_memory(&p, NULL, &n, 0, im->rgba, 0, NULL));
	uint8_t *buf = xmalloc(n);
	assert_true(png_image_write_to_memory(&p, buf, &n, 0, im->rgba, 0, NULL));
	*len = n;
	return buf;
}

static void put32be(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}

/* A copy of the PNG d with a chunk inserted right after IHDR (which is always first). */
static uint8_t *png_insert_chunk(const uint8_t *d, size_t n, const char *type, const uint8_t *data,
                                 uint32_t dn, size_t *outlen)
{
	size_t at = 8 + 8 + 13 + 4;
	uint8_t *o = xmalloc(n + 12 + dn);
	memcpy(o, d, at);
	put32be(o + at, dn);
	memcpy(o + at + 4, type, 4);
	if (dn)
		memcpy(o + at + 8, data, dn);
	put32be(o + at + 8 + dn, (uint32_t)crc32(0, o + at + 4, 4 + dn));
	memcpy(o + at + 12 + dn, d + at, n - at);
	*outlen = n + 12 + dn;
	return o;
}

/* Rewrites the IHDR's width and height, with a good CRC: the header lies, nothing else does. */
static void png_patch_size(uint8_t *d, uint32_t w, uint32_t h)
{
	put32be(d + 16, w);
	put32be(d + 20, h);
	put32be(d + 29, (uint32_t)crc32(0, d + 12, 17));
}

/* A little-endian TIFF block with one IFD entry: Orientation = o. */
static size_t exif_tiff_le(int o, uint8_t out[26])
{
	const uint8_t t[26] = {'I', 'I', 42, 0, 8, 0,          0, 0, 1, 0, 0x12, 0x01, 3,
	                       0,   1,   0,  0, 0, (uint8_t)o, 0, 0, 0, 0, 0,    0,    0};
	memcpy(out, t, sizeof t);
	return sizeof t;
}

/* Every EXIF orientation: the photo stored so that orientation o shows it upright hashes as the
 * upright photo, bit for bit; stored the same way without the EXIF it does not. */
static void every_exif_orientation_in_a_png_shows_the_photo_upright(void **state)
{
	(void)state;
	struct img up = read_png_rgba("photo.png");
	uint64_t want = hash_fixture("photo.png", NULL);
	for (int o = 1; o <= 8; o++) {
		int swap = o >= 5;
		struct img st = {swap ? up.h : up.w, swap ? up.w : up.h, NULL};
		st.rgba = xmalloc((size_t)st.w * st.h * 4);
		uint32_t W = st.w, H = st.h;
		/* shown(r, c) = stored(sr, sc) as a viewer turns it; fill stored from upright */
		for (uint32_t r = 0; r < up.h; r++)
			for (uint32_t c = 0; c < up.w; c++) {
				uint32_t sr = r, sc = c;
				switch (o) {
				case 2:
					sc = W - 1 - c;
					break;
				case 3:
					sr = H - 1 - r, sc = W - 1 - c;
					break;
				case 4:
					sr = H - 1 - r;
					break;
				case 5:
					sr = c, sc = r;
					break;
				case 6:
					sr = H - 1 - c, sc = r;
					break;
				case 7:
					sr = H - 1 - c, sc = W - 1 - r;
					break;
				case 8:
					sr = c, sc = W - 1 - r;
					break;
				}
				memcpy(st.rgba + ((size_t)sr * W + sc) * 4,
				       up.rgba + ((size_t)r * up.w + c) * 4, 4);
			}
		size_t n, m;
		uint8_t *png = write_png(&st, &n), tiff[26];
		size_t tn = exif_tiff_le(o, tiff);
		uint8_t *with = png_insert_chunk(png, n, "eXIf", tiff, (uint32_t)tn, &m);
		struct kimg_info info;
		uint64_t h = hash_mem(with, m, "turned.png", &info);
		assert_int_equal(info.orientation, o);
		if (h != want)
			fail_msg("orientation %d: %016llx, upright %016llx", o,
			         (unsigned long long)h, (unsigned long long)want);
		if (o != 1)
			assert_true(kimg_distance(hash_mem(png, n, "turned.png", NULL), want) >=
			            16);
		free(with);
		free(png);
		free(st.rgba);
	}
	free(up.rgba);
}

static void exif_orientation_in_jpeg_and_webp(void **state)
{
	(void)state;
	struct kimg_info info;
	/* the fixture with a big-endian EXIF that make.sh wrote, against the upright JPEG */
	uint64_t up = hash_fixture("photo.jpg", NULL);
	uint64_t h6 = hash_fixture("photo_exif6.jpg", &info);
	assert_int_equal(info.orientation, 6);
	assert_true(kimg_distance(h6, up) <= 4);
	uint64_t ccw = hash_fixture("photo_ccw.jpg", &info);
	assert_int_equal(info.orientation, 1);
	assert_true(kimg_distance(ccw, up) >= 16);
	/* the same pixels with a little-endian EXIF put in here: the very same hash */
	size_t n;
	uint8_t *j = slurp("photo_ccw.jpg", &n), tiff[26];
	size_t tn = exif_tiff_le(6, tiff);
	size_t seg = 2 + 6 + tn;
	uint8_t *x = xmalloc(n + 2 + seg);
	memcpy(x, j, 2);
	x[2] = 0xFF, x[3] = 0xE1, x[4] = (uint8_t)(seg >> 8), x[5] = (uint8_t)seg;
	memcpy(x + 6, "Exif\0\0", 6);
	memcpy(x + 12, tiff, tn);
	memcpy(x + 2 + 2 + seg, j + 2, n - 2);
	assert_true(hash_mem(x, n + 2 + seg, "le.jpg", &info) == h6);
	assert_int_equal(info.orientation, 6);
	free(x);
	free(j);

	/* WebP: the lossless turned picture wrapped in an extended (VP8X) file with an EXIF
	 * chunk hashes exactly as the upright PNG */
	uint8_t *w = slurp("photo_ccw_lossless.webp", &n);
	assert_memory_equal(w + 12, "VP8L", 4);
	size_t img = 8 + (w[16] | w[17] << 8 | w[18] << 16 | (size_t)w[19] << 24);
	img += img & 1;
	size_t ex = 6 + tn, total = 12 + 18 + img + 8 + ex + (ex & 1);
	uint8_t *o = xcalloc(1, total);
	memcpy(o, "RIFF", 4);
	o[4] = (uint8_t)(total - 8), o[5] = (uint8_t)((total - 8) >> 8),
	o[6] = (uint8_t)((total - 8) >> 16);
	memcpy(o + 8, "WEBPVP8X", 8);
	o[16] = 10;
	o[20] = 0x08;                     /* EXIF present */
	o[24] = 100 - 1, o[27] = 150 - 1; /* canvas 100 × 150, as stored */
	memcpy(o + 30, w + 12, img);
	uint8_t *c = o + 30 + img;
	memcpy(c, "EXIF", 4);
	c[4] = (uint8_t)ex;
	memcpy(c + 8, "Exif\0\0", 6);
	memcpy(c + 14, tiff, tn);
	uint64_t hw = hash_mem(o, total, "turned.webp", &info);
	assert_int_equal(info.orientation, 6);
	assert_int_equal(info.format, KIMG_WEBP);
	assert_true(hw == hash_fixture("photo.png", NULL));
	free(o);
	free(w);
}

/* EXIF blocks that lie about their offsets and counts are read within bounds and ignored. */
static void malformed_exif_is_ignored_not_followed(void **state)
{
	(void)state;
	size_t n;
	uint8_t *png = slurp("photo.png", &n);
	uint64_t want = hash_fixture("photo.png", NULL);
	static const struct {
		uint8_t tiff[26];
		uint32_t len;
	} bad[] = {
	    /* IFD offset past the end */
	    {{'I', 'I', 42, 0, 0xff, 0xff, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6}, 26},
	    /* 65535 entries claimed, and the first, an orientation, cut off by the end */
	    {{'M', 'M', 0, 42, 0, 0, 0, 8, 0xff, 0xff, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6}, 20},
	    /* orientation 9 */
	    {{'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 9}, 26},
	    /* the wrong type (LONG) */
	    {{'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 4, 0, 1, 0, 0, 0, 6}, 26},
	    /* neither II nor MM */
	    {{'X', 'X', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6}, 26},
	    /* a good orientation 6, but the block ends inside the header */
	    {{'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6}, 7},
	    /* empty */
	    {{0}, 0},
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		size_t m;
		uint8_t *x = png_insert_chunk(png, n, "eXIf", bad[k].tiff, bad[k].len, &m);
		struct kimg_info info;
		assert_true(hash_mem(x, m, "exif.png", &info) == want);
		assert_int_equal(info.orientation, 1);
		free(x);
	}
	/* the second block with its entry whole is read, and turns the picture */
	size_t m;
	uint8_t *x = png_insert_chunk(png, n, "eXIf", bad[1].tiff, 22, &m);
	struct kimg_info info;
	hash_mem(x, m, "exif.png", &info);
	assert_int_equal(info.orientation, 6);
	free(x);
	free(png);
}

/* ---- alpha, trim, formats ---- */

static void alpha_is_flattened_onto_white(void **state)
{
	(void)state;
	struct kimg_info info;
	uint64_t white = hash_fixture("alpha_on_white.png", &info);
	assert_int_equal(info.has_alpha, 0);
	assert_true(hash_fixture("alpha.png", &info) == white);
	assert_int_equal(info.has_alpha, 1);
	assert_true(hash_fixture("alpha.webp", &info) == white);
	assert_int_equal(info.has_alpha, 1);
	/* the disc's hidden colour is black: with alpha ignored the hash is another one */
	struct img im = read_png_rgba("alpha.png");
	for (size_t k = 0; k < (size_t)im.w * im.h; k++)
		im.rgba[4 * k + 3] = 255;
	size_t n;
	uint8_t *png = write_png(&im, &n);
	assert_true(kimg_distance(hash_mem(png, n, "opaque.png", NULL), white) >= 10);
	free(png);
	free(im.rgba);
}

static void uniform_border_is_trimmed_and_blank_image_survives(void **state)
{
	(void)state;
	struct kimg_info info;
	uint64_t plain = hash_fixture("photo.png", &info);
	assert_int_equal(info.trimmed, 0);
	assert_true(hash_fixture("photo_border.png", &info) == plain);
	assert_int_equal(info.trimmed, 1);
	/* a black letterbox (bars top and bottom) in a bigger frame trims to the same picture */
	struct img up = read_png_rgba("photo.png");
	struct img lb = {up.w, up.h + 40, NULL};
	lb.rgba = xcalloc((size_t)lb.w * lb.h, 4);
	for (size_t k = 0; k < (size_t)lb.w * lb.h; k++)
		lb.rgba[4 * k + 3] = 255;
	memcpy(lb.rgba + (size_t)20 * lb.w * 4, up.rgba, (size_t)up.w * up.h * 4);
	size_t n;
	uint8_t *png = write_png(&lb, &n);
	assert_true(hash_mem(png, n, "letterbox.png", &info) == plain);
	assert_int_equal(info.trimmed, 1);
	free(png);
	/* an all-white picture: nothing to trim to, no crash, a hash all the same */
	memset(lb.rgba, 255, (size_t)lb.w * lb.h * 4);
	png = write_png(&lb, &n);
	hash_mem(png, n, "blank.png", &info);
	assert_int_equal(info.trimmed, 0);
	free(png);
	free(lb.rgba);
	free(up.rgba);
}

static void every_format_of_one_photo_hashes_alike(void **state)
{
	(void)state;
	struct kimg_info info;
	uint64_t png = hash_fixture("photo.png", &info);
	assert_int_equal(info.format, KIMG_PNG);
	/* the same pixels: the same bits */
	assert_true(hash_fixture("photo_interlaced.png", NULL) == png);
	assert_true(hash_fixture("photo_lossless.webp", &info) == png);
	assert_int_equal(info.format, KIMG_WEBP);
	uint64_t jpg = hash_fixture("photo.jpg", &info);
	assert_int_equal(info.format, KIMG_JPEG);
	assert_true(hash_fixture("photo_progressive.jpg", NULL) == jpg);
	/* lossy copies: a few bits, "same photo" */
	const char *lossy[] = {"photo.jpg",  "photo_grey.jpg",    "photo_cmyk.jpg",
	                       "photo.webp", "photo_palette.png", "photo_grey16.png"};
	for (size_t k = 0; k < sizeof lossy / sizeof lossy[0]; k++) {
		int d = kimg_distance(hash_fixture(lossy[k], NULL), png);
		if (d > KIMG_DIST_SAME)
			fail_msg("%s is %d bits from photo.png", lossy[k], d);
		assert_string_equal(kimg_distance_words(d), "same photo");
	}
	int d = kimg_distance(hash_fixture("other.png", NULL), png);
	assert_true(d > KIMG_DIST_SIMILAR);
	assert_string_equal(kimg_distance_words(d), "different");
}

/* A smooth picture of w × h as a baseline JPEG in memory. */
static uint8_t *make_jpeg(uint32_t w, uint32_t h, size_t *len)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	unsigned char *buf = NULL;
	unsigned long n = 0;
	jpeg_mem_dest(&c, &buf, &n);
	c.image_width = w;
	c.image_height = h;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, 75, TRUE);
	jpeg_start_compress(&c, TRUE);
	uint8_t *row = xmalloc((size_t)w * 3);
	while (c.next_scanline < h) {
		double fy = (double)c.next_scanline / h;
		for (uint32_t x = 0; x < w; x++) {
			double fx = (double)x / w;
			row[3 * x] = (uint8_t)(127 + 120 * sin(7 * fx + 3 * fy));
			row[3 * x + 1] = (uint8_t)(127 + 120 * cos(5 * fy - 2 * fx * fx));
			row[3 * x + 2] = (uint8_t)(127 + 120 * sin(11 * fx * fy));
		}
		JSAMPROW r = row;
		jpeg_write_scanlines(&c, &r, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	free(row);
	*len = n;
	return buf;
}

/* A 4000 × 3000 photo is decoded at 1/8 (500 × 375) and hashes as the same picture made at
 * 400 × 300. */
static void big_jpeg_is_decoded_at_an_eighth(void **state)
{
	(void)state;
	size_t n, m;
	uint8_t *big = make_jpeg(4000, 3000, &n), *small = make_jpeg(400, 300, &m);
	struct kimg_info info;
	uint64_t hb = hash_mem(big, n, "big.jpg", &info);
	assert_int_equal(info.width, 4000);
	assert_int_equal(info.height, 3000);
	assert_int_equal(info.decoded_width, 500);
	assert_int_equal(info.decoded_height, 375);
	uint64_t hs = hash_mem(small, m, "small.jpg", &info);
	assert_int_equal(info.decoded_width, 400); /* under 2 × 256 a side: not scaled */
	assert_true(kimg_distance(hb, hs) <= KIMG_DIST_SAME);
	free(big);
	free(small);
}

/* ---- refusals ---- */

static void not_an_image_is_refused_by_name(void **state)
{
	(void)state;
	const char *txt = "name,price\nbolt,0.10\n";
	expect_refusal((const uint8_t *)txt, strlen(txt), NULL, K_EINVAL,
	               "photo: not a JPEG, PNG or WebP image", 0);
	expect_refusal((const uint8_t *)"", 0, NULL, K_EINVAL,
	               "photo: not a JPEG, PNG or WebP image", 0);
	/* a GIF is an image, but not one of ours */
	expect_refusal((const uint8_t *)"GIF89a\x01\x00\x01\x00", 10, NULL, K_EINVAL,
	               "photo: not a JPEG, PNG or WebP image", 0);
	/* kimg_hash_file names the file it could not read */
	uint64_t h;
	struct kerr e = {0, ""};
	assert_int_equal(kimg_hash_file(DATA "no-such.png", NULL, &h, NULL, &e), K_ENOTFOUND);
	assert_non_null(strstr(e.msg, "no-such.png"));
	assert_int_equal(kimg_hash_file(DATA "make.sh", NULL, &h, NULL, &e), K_EINVAL);
	assert_string_equal(e.msg, DATA "make.sh: not a JPEG, PNG or WebP image");
}

static void truncated_files_are_refused_as_truncated(void **state)
{
	(void)state;
	const char *names[] = {"photo.jpg",  "photo_progressive.jpg",
	                       "photo.png",  "photo_interlaced.png",
	                       "photo.webp", "photo_lossless.webp"};
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		size_t n;
		uint8_t *d = slurp(names[k], &n);
		expect_refusal(d, n / 2, NULL, K_EINVAL, "is truncated (its data ends early)", 1);
		/* cut anywhere: refused or (cut after the last pixel) hashed, never a crash */
		for (size_t cut = 0; cut < n; cut += 37) {
			uint64_t h;
			struct kerr e = {0, ""};
			int rc = kimg_hash_bytes(d, cut, "cut", NULL, &h, NULL, &e);
			assert_true(rc == K_OK || rc == K_EINVAL);
		}
		free(d);
	}
}

/* The JPEG's SOF marker segment (baseline or progressive); its height is at +5, width at +7. */
static uint8_t *jpeg_sof(uint8_t *d, size_t n)
{
	for (size_t k = 2; k + 9 < n; k++)
		if (d[k] == 0xFF && (d[k + 1] == 0xC0 || d[k + 1] == 0xC2))
			return d + k;
	fail_msg("no SOF marker");
	return NULL;
}

static void lying_headers_are_refused(void **state)
{
	(void)state;
	size_t n;
	/* PNG: twice the rows the data holds */
	uint8_t *d = slurp("photo.png", &n);
	png_patch_size(d, 150, 200);
	expect_refusal(d, n, NULL, K_EINVAL, "photo: a damaged PNG (", 1);
	/* ... or wider than the rows are: the filter bytes and rows no longer line up */
	png_patch_size(d, 300, 100);
	expect_refusal(d, n, NULL, K_EINVAL, "photo: ", 1);
	free(d);
	/* JPEG: twice the height the scan data holds */
	d = slurp("photo.jpg", &n);
	uint8_t *sof = jpeg_sof(d, n);
	sof[5] = 0, sof[6] = 200;
	expect_refusal(d, n, NULL, K_EINVAL, "photo: the JPEG is truncated", 1);
	free(d);
	/* WebP: a RIFF size past the end of the data */
	d = slurp("photo.webp", &n);
	d[4] = 0xff, d[5] = 0xff, d[6] = 0xff, d[7] = 0x00;
	expect_refusal(d, n, NULL, K_EINVAL, "photo: the WebP is truncated", 1);
	free(d);
	/* WebP: the VP8 frame says one size, the extended header's canvas another */
	d = slurp("photo.webp", &n);
	size_t img = n - 12, total = 12 + 18 + img;
	uint8_t *o = xcalloc(1, total);
	memcpy(o, "RIFF", 4);
	o[4] = (uint8_t)(total - 8), o[5] = (uint8_t)((total - 8) >> 8);
	memcpy(o + 8, "WEBPVP8X", 8);
	o[16] = 10;
	o[24] = 200 - 1, o[27] = 100 - 1; /* 200 × 100; the frame is 150 × 100 */
	memcpy(o + 30, d + 12, img);
	expect_refusal(o, total, NULL, K_EINVAL, "photo: a damaged WebP (", 1);
	free(o);
	free(d);
}

/* Sizes are checked against the header before a pixel is decoded: the data here could never
 * fill the stated size, so a refusal naming the size proves the check came first. */
static void bomb_sizes_are_refused_before_decoding(void **state)
{
	(void)state;
	size_t n;
	uint8_t *d = slurp("photo.png", &n);
	png_patch_size(d, 60000, 60000);
	expect_refusal(d, n, NULL, K_ETOOBIG, "photo: 60000×60000 is over the 50-megapixel limit",
	               0);
	png_patch_size(d, 70000, 10);
	expect_refusal(d, n, NULL, K_ETOOBIG,
	               "photo: 70000×10 has a side over the 65535-pixel limit", 0);
	free(d);
	d = slurp("photo.jpg", &n);
	uint8_t *sof = jpeg_sof(d, n);
	sof[5] = 60000 >> 8, sof[6] = 60000 & 255, sof[7] = 60000 >> 8, sof[8] = 60000 & 255;
	expect_refusal(d, n, NULL, K_ETOOBIG, "photo: 60000×60000 is over the 50-megapixel limit",
	               0);
	free(d);
	/* WebP's largest size, 16384 × 16384, in the lossless header (14 bits a side) */
	d = slurp("photo_lossless.webp", &n);
	assert_memory_equal(d + 12, "VP8L", 4);
	assert_int_equal(d[20], 0x2f);
	uint32_t bitsv = d[21] | d[22] << 8 | d[23] << 16 | (uint32_t)d[24] << 24;
	bitsv = (bitsv & 0xf0000000u) | 16383u | 16383u << 14;
	d[21] = (uint8_t)bitsv, d[22] = (uint8_t)(bitsv >> 8), d[23] = (uint8_t)(bitsv >> 16),
	d[24] = (uint8_t)(bitsv >> 24);
	expect_refusal(d, n, NULL, K_ETOOBIG, "photo: 16384×16384 is over the 50-megapixel limit",
	               0);
	free(d);
}

/* A progressive JPEG whose first scan (the DC one, which reads the same bits whatever came
 * before) comes 600 times over: each scan costs a pass over the coefficients, so the file is
 * refused at 500 (libjpeg-turbo's advice against such CPU bombs). */
static void jpeg_with_too_many_scans_is_refused(void **state)
{
	(void)state;
	size_t n;
	uint8_t *d = slurp("photo_progressive.jpg", &n);
	size_t first = 0, second = 0;
	for (size_t k = 2; k + 1 < n && !second; k++)
		if (d[k] == 0xFF && d[k + 1] == 0xDA) {
			if (first)
				second = k;
			else
				first = k;
		}
	assert_true(first > 0 && second > first);
	size_t scan = second - first, m = n + 599 * scan;
	uint8_t *b = xmalloc(m);
	memcpy(b, d, first);
	for (int k = 0; k < 600; k++)
		memcpy(b + first + (size_t)k * scan, d + first, scan);
	memcpy(b + first + 600 * scan, d + second, n - second);
	expect_refusal(b, m, NULL, K_EINVAL, "photo: the JPEG has over 500 progressive scans", 0);
	/* with that scan there twice it is only a redundant file, and hashes as the original */
	memcpy(b + first + 2 * scan, d + second, n - second);
	uint64_t h;
	struct kerr e = {0, ""};
	assert_int_equal(kimg_hash_bytes(b, n + scan, "photo", NULL, &h, NULL, &e), K_OK);
	assert_true(h == hash_fixture("photo_progressive.jpg", NULL));
	free(b);
	free(d);
}

static void configured_limits_are_kept(void **state)
{
	(void)state;
	size_t n;
	uint8_t *d = slurp("photo.png", &n);
	struct kimg_limits bytes = {.max_bytes = 1000};
	char want[128];
	snprintf(want, sizeof want, "photo: %zu bytes is over the 1000-byte limit for an image", n);
	expect_refusal(d, n, &bytes, K_ETOOBIG, want, 0);
	struct kimg_limits px = {.max_pixels = 10000};
	expect_refusal(d, n, &px, K_ETOOBIG, "photo: 150×100 is over the limit of 10000 pixels", 0);
	struct kimg_limits mp = {.max_pixels = 1000000};
	uint64_t h;
	struct kerr e = {0, ""};
	assert_int_equal(kimg_hash_bytes(d, n, "photo", &mp, &h, NULL, &e), K_OK);
	/* the file form refuses by the size on disk, before reading */
	assert_int_equal(kimg_hash_file(DATA "photo.png", &bytes, &h, NULL, &e), K_ETOOBIG);
	snprintf(want, sizeof want,
	         DATA "photo.png: %zu bytes is over the 1000-byte limit for an image", n);
	assert_string_equal(e.msg, want);
	free(d);
}

static void animated_webp_is_refused(void **state)
{
	(void)state;
	size_t n;
	uint8_t *d = slurp("anim.webp", &n);
	expect_refusal(d, n, NULL, K_EINVAL,
	               "photo: an animated WebP, which has no single photo to hash", 0);
	free(d);
}

/* ---- the scan ---- */

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
	return *s;
}

/* The answer worked out the slow way: every match, sorted by distance then index. */
static size_t brute(const uint64_t *h, size_t n, const uint64_t *q, size_t nq, int maxd,
                    struct kimg_match *out, size_t cap, size_t *total)
{
	size_t m = 0;
	*total = 0;
	for (int d = 0; d <= maxd; d++)
		for (size_t i = 0; i < n; i++) {
			int best = 65;
			for (size_t k = 0; k < nq; k++)
				if (__builtin_popcountll(h[i] ^ q[k]) < best)
					best = __builtin_popcountll(h[i] ^ q[k]);
			if (best == d) {
				++*total;
				if (m < cap)
					out[m++] = (struct kimg_match){i, d};
			}
		}
	return m;
}

static void scan_finds_the_nearest_first_as_brute_force_does(void **state)
{
	(void)state;
	uint64_t s = 88172645463325252ull;
	enum { N = 3000 };
	uint64_t *h = xmalloc(N * sizeof *h);
	struct kimg_match got[64], want[64];
	for (int round = 0; round < 300; round++) {
		uint64_t q[4];
		size_t nq = 1 + round % 4;
		for (size_t k = 0; k < nq; k++)
			q[k] = rnd(&s);
		/* hashes near the queries: a query with 0..12 random bits flipped, and noise */
		for (size_t i = 0; i < N; i++) {
			uint64_t x = q[rnd(&s) % nq];
			int flips = (int)(rnd(&s) % 40);
			for (int f = 0; f < flips && f < 12; f++)
				x ^= (uint64_t)1 << (rnd(&s) % 64);
			h[i] = flips >= 12 ? rnd(&s) : x;
		}
		int maxd = (int)(rnd(&s) % 14);
		size_t cap = 1 + rnd(&s) % 64, total, wtotal;
		size_t m = kimg_scan(h, N, q, nq, maxd, got, cap, &total);
		size_t wm = brute(h, N, q, nq, maxd, want, cap, &wtotal);
		assert_int_equal(total, wtotal);
		assert_int_equal(m, wm);
		for (size_t k = 0; k < m; k++) {
			assert_int_equal(got[k].index, want[k].index);
			assert_int_equal(got[k].distance, want[k].distance);
		}
	}
	/* planted hashes among random ones */
	for (size_t i = 0; i < N; i++)
		h[i] = rnd(&s);
	uint64_t q = h[0];
	h[10] = q ^ 0x7;             /* 3 */
	h[20] = q;                   /* 0 */
	h[30] = q ^ 0x1f00000000ull; /* 5 */
	size_t total;
	size_t m = kimg_scan(h, N, &q, 1, 5, got, 64, &total);
	assert_true(m >= 4);
	assert_int_equal(got[0].index, 0), assert_int_equal(got[0].distance, 0);
	assert_int_equal(got[1].index, 20), assert_int_equal(got[1].distance, 0);
	assert_int_equal(got[2].index, 10), assert_int_equal(got[2].distance, 3);
	assert_int_equal(got[3].index, 30), assert_int_equal(got[3].distance, 5);
	assert_int_equal(kimg_scan(h, N, &q, 1, -1, got, 64, &total), 0);
	assert_int_equal(total, 0);
	assert_int_equal(kimg_scan(h, 0, &q, 1, 10, got, 64, &total), 0);
	free(h);
}

/* ---- text form, words ---- */

static void hex_form_round_trips_and_refuses_junk(void **state)
{
	(void)state;
	char hex[KIMG_HASH_HEX_LEN + 1];
	kimg_hash_hex(0x0123456789abcdefull, hex);
	assert_string_equal(hex, "0123456789abcdef");
	uint64_t h = 0;
	struct kerr e = {0, ""};
	assert_int_equal(kimg_hash_parse("0123456789ABCDEF", &h, &e), K_OK);
	assert_true(h == 0x0123456789abcdefull);
	uint64_t s = 42;
	for (int k = 0; k < 1000; k++) {
		uint64_t x = rnd(&s), y = 0;
		kimg_hash_hex(x, hex);
		assert_int_equal(strlen(hex), 16);
		assert_int_equal(kimg_hash_parse(hex, &y, &e), K_OK);
		assert_true(x == y);
	}
	h = 7;
	assert_int_equal(kimg_hash_parse("0123456789abcde", &h, &e), K_EINVAL);
	assert_string_equal(e.msg, "photo hash: fewer than 16 hex digits, 16 expected");
	assert_int_equal(kimg_hash_parse("0123456789abcdef0", &h, &e), K_EINVAL);
	assert_string_equal(e.msg, "photo hash: more than 16 hex digits, 16 expected");
	assert_int_equal(kimg_hash_parse("0123456789abcdeg", &h, &e), K_EINVAL);
	assert_string_equal(e.msg, "photo hash: character 16 is not a hex digit (16 expected)");
	assert_int_equal(kimg_hash_parse("", &h, &e), K_EINVAL);
	assert_int_equal(kimg_hash_parse("-123456789abcdef", &h, &e), K_EINVAL);
	assert_true(h == 7);
}

static void distance_words_follow_the_thresholds(void **state)
{
	(void)state;
	assert_int_equal(kimg_distance(0, ~0ull), 64);
	assert_int_equal(kimg_distance(0xf0, 0x0f), 8);
	assert_string_equal(kimg_distance_words(0), "same photo");
	assert_string_equal(kimg_distance_words(KIMG_DIST_SAME), "same photo");
	assert_string_equal(kimg_distance_words(KIMG_DIST_SAME + 1), "very similar");
	assert_string_equal(kimg_distance_words(KIMG_DIST_VERY), "very similar");
	assert_string_equal(kimg_distance_words(KIMG_DIST_VERY + 1), "similar");
	assert_string_equal(kimg_distance_words(KIMG_DIST_SIMILAR), "similar");
	assert_string_equal(kimg_distance_words(KIMG_DIST_SIMILAR + 1), "different");
	assert_string_equal(kimg_distance_words(64), "different");
	struct kimg_info info;
	hash_fixture("photo.png", &info);
	uint64_t q[KIMG_TURNS];
	assert_int_equal(kimg_query_turns(&info, 1, q), 1);
	assert_true(q[0] == info.variants[KIMG_ASIS]);
	assert_int_equal(kimg_query_turns(&info, 2, q), 2);
	assert_true(q[0] == info.variants[KIMG_ASIS]);
	assert_true(q[1] == info.variants[KIMG_FLIP_H]);
	assert_int_equal(kimg_query_turns(&info, 4, q), 4);
	assert_true(q[1] == info.variants[KIMG_FLIP_H]);
	assert_true(q[2] == info.variants[KIMG_ROT90]);
	assert_true(q[3] == info.variants[KIMG_ROT270]);
	assert_int_equal(kimg_query_turns(&info, 8, q), 8);
	assert_true(q[7] == info.variants[7]);
	assert_int_equal(kimg_query_turns(&info, 3, q), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hash_matches_imagemagick_and_an_independent_dct),
	    cmocka_unit_test(grey32_step_equals_the_reference_dct_exactly),
	    cmocka_unit_test(turned_variants_are_the_hashes_of_the_turned_images),
	    cmocka_unit_test(every_exif_orientation_in_a_png_shows_the_photo_upright),
	    cmocka_unit_test(exif_orientation_in_jpeg_and_webp),
	    cmocka_unit_test(malformed_exif_is_ignored_not_followed),
	    cmocka_unit_test(alpha_is_flattened_onto_white),
	    cmocka_unit_test(uniform_border_is_trimmed_and_blank_image_survives),
	    cmocka_unit_test(every_format_of_one_photo_hashes_alike),
	    cmocka_unit_test(big_jpeg_is_decoded_at_an_eighth),
	    cmocka_unit_test(not_an_image_is_refused_by_name),
	    cmocka_unit_test(truncated_files_are_refused_as_truncated),
	    cmocka_unit_test(lying_headers_are_refused),
	    cmocka_unit_test(bomb_sizes_are_refused_before_decoding),
	    cmocka_unit_test(jpeg_with_too_many_scans_is_refused),
	    cmocka_unit_test(configured_limits_are_kept),
	    cmocka_unit_test(animated_webp_is_refused),
	    cmocka_unit_test(scan_finds_the_nearest_first_as_brute_force_does),
	    cmocka_unit_test(hex_form_round_trips_and_refuses_junk),
	    cmocka_unit_test(distance_words_follow_the_thresholds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
