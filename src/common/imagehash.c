/* imagehash — from the decoders' work image to 64 bits: orientation, trim, 32×32, DCT,
 * median; the turned variants from the same coefficients; the Hamming scan. */
#include "kontor/imagehash.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "imgdec.h"
#include "kontor/buf.h"

/* grey levels: a border pixel this close to the corners' colour is border */
#define TRIM_TOL 10.0

const char *kimg_format_name(enum kimg_format f)
{
	switch (f) {
	case KIMG_JPEG:
		return "JPEG";
	case KIMG_PNG:
		return "PNG";
	case KIMG_WEBP:
		return "WebP";
	default:
		return "unknown";
	}
}

/* ---- orientation: out (ow × oh) is the stored image (w × h) as a viewer shows it ---- */

static double *orient(const double *in, uint32_t w, uint32_t h, int o, uint32_t *ow, uint32_t *oh)
{
	int swap = o >= 5;
	*ow = swap ? h : w;
	*oh = swap ? w : h;
	double *out = xmalloc((size_t)w * h * sizeof *out);
	for (uint32_t r = 0; r < *oh; r++)
		for (uint32_t c = 0; c < *ow; c++) {
			uint32_t sr, sc; /* the stored pixel shown at (r, c) */
			kimg_orient_src(o, w, h, r, c, &sr, &sc);
			out[(size_t)r * *ow + c] = in[(size_t)sr * w + sc];
		}
	return out;
}

/* ---- trim: when the four corners share a colour, cut off every outer row and column that
 * is all that colour (the same on every side, so a turned photo trims the same) ---- */

struct box {
	uint32_t x, y, w, h;
};

static int near(double a, double b)
{
	return fabs(a - b) <= TRIM_TOL;
}

static struct box trim(const double *g, uint32_t w, uint32_t h, int *trimmed)
{
	struct box b = {0, 0, w, h};
	*trimmed = 0;
	double c[4] = {g[0], g[w - 1], g[(size_t)(h - 1) * w], g[(size_t)h * w - 1]};
	double lo = c[0], hi = c[0];
	for (int k = 1; k < 4; k++) {
		lo = c[k] < lo ? c[k] : lo;
		hi = c[k] > hi ? c[k] : hi;
	}
	if (hi - lo > TRIM_TOL)
		return b;
	double bg = (c[0] + c[1] + c[2] + c[3]) / 4;
	/* the bounding box of the pixels that are not background */
	uint32_t x0 = w, x1 = 0, y0 = h, y1 = 0;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			if (!near(g[(size_t)y * w + x], bg)) {
				x0 = x < x0 ? x : x0;
				x1 = x > x1 ? x : x1;
				y0 = y < y0 ? y : y0;
				y1 = y > y1 ? y : y1;
			}
	if (x0 > x1) /* all background: a blank image keeps its size */
		return b;
	b = (struct box){x0, y0, x1 - x0 + 1, y1 - y0 + 1};
	*trimmed = b.w != w || b.h != h;
	return b;
}

/* ---- area averaging of one line: n samples at stride ss into m at stride ds ---- */

static void area_1d(const double *src, size_t ss, uint32_t n, double *dst, size_t ds, uint32_t m)
{
	for (uint32_t j = 0; j < m; j++) {
		double lo = (double)j * n / m, hi = (double)(j + 1) * n / m, sum = 0;
		for (uint32_t k = (uint32_t)lo; k < n && k < hi; k++) {
			double a = lo > k ? lo : k, b = hi < k + 1 ? hi : k + 1;
			if (b > a)
				sum += (b - a) * src[k * ss];
		}
		dst[j * ds] = sum / (hi - lo);
	}
}

/* ---- the DCT and the bits ---- */

/* The orthonormal DCT-II of a 32×32 block, first 8×8 coefficients: c[u][v], u vertical. */
static void dct8x8(const double g[32 * 32], double c[8][8])
{
	static double cosines[8][32];
	static int ready;
	if (!ready) {
		for (int u = 0; u < 8; u++)
			for (int x = 0; x < 32; x++)
				cosines[u][x] = (u == 0 ? sqrt(1.0 / 32) : sqrt(2.0 / 32)) *
				                cos(M_PI * (2 * x + 1) * u / 64.0);
		ready = 1; /* same values from any thread that races here */
	}
	double rows[32][8]; /* each row transformed horizontally */
	for (int y = 0; y < 32; y++)
		for (int v = 0; v < 8; v++) {
			double s = 0;
			for (int x = 0; x < 32; x++)
				s += g[y * 32 + x] * cosines[v][x];
			rows[y][v] = s;
		}
	for (int u = 0; u < 8; u++)
		for (int v = 0; v < 8; v++) {
			double s = 0;
			for (int y = 0; y < 32; y++)
				s += rows[y][v] * cosines[u][y];
			c[u][v] = s;
		}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static uint64_t bits(const double c[8][8])
{
	double ac[63];
	for (int k = 1; k < 64; k++)
		ac[k - 1] = c[k / 8][k % 8];
	qsort(ac, 63, sizeof ac[0], cmp_double);
	double median = ac[31];
	uint64_t h = 0;
	for (int k = 1; k < 64; k++)
		if (c[k / 8][k % 8] > median)
			h |= (uint64_t)1 << k;
	return h;
}

/* The coefficients of the image turned by t, from those of the image: a mirror negates the odd
 * frequencies across it, a transpose swaps u and v (see enum kimg_turn). */
static void turn_coefficients(const double c[8][8], int t, double out[8][8])
{
	static const struct {
		int transpose, neg_u, neg_v;
	} tab[KIMG_TURNS] = {
	    [KIMG_ASIS] = {0, 0, 0},       [KIMG_FLIP_H] = {0, 0, 1},    [KIMG_ROT180] = {0, 1, 1},
	    [KIMG_FLIP_V] = {0, 1, 0},     [KIMG_TRANSPOSE] = {1, 0, 0}, [KIMG_ROT90] = {1, 0, 1},
	    [KIMG_TRANSVERSE] = {1, 1, 1}, [KIMG_ROT270] = {1, 1, 0},
	};
	for (int u = 0; u < 8; u++)
		for (int v = 0; v < 8; v++) {
			double x = tab[t].transpose ? c[v][u] : c[u][v];
			if ((tab[t].neg_u && (u & 1)) != (tab[t].neg_v && (v & 1)))
				x = -x;
			out[u][v] = x;
		}
}

uint64_t kimg_hash_grey32(const double grey[32 * 32], uint64_t variants[KIMG_TURNS])
{
	double c[8][8];
	dct8x8(grey, c);
	if (variants)
		for (int t = 0; t < KIMG_TURNS; t++) {
			double tc[8][8];
			turn_coefficients(c, t, tc);
			variants[t] = bits(tc);
		}
	return bits(c);
}

/* ---- the whole hash ---- */

int kimg_hash_bytes(const void *data, size_t len, const char *name, const struct kimg_limits *lim,
                    uint64_t *hash, struct kimg_info *info, struct kerr *e)
{
	const uint8_t *d = data;
	if (!name)
		name = "image";
	size_t maxb = lim && lim->max_bytes ? lim->max_bytes : KIMG_MAX_BYTES_DEFAULT;
	if (len > maxb)
		return kerr_set(e, K_ETOOBIG,
		                "%s: %zu bytes is over the %zu-byte limit for an image", name, len,
		                maxb);
	struct kimg_info in = {.orientation = 1};
	struct kimg_acc acc = {0};
	int rc = kimg_decode_grey(d, len, name, lim, &acc, &in, e);
	if (rc < 0) {
		kimg_acc_free(&acc);
		return rc;
	}
	uint32_t w, h;
	double *g = orient(kimg_acc_result(&acc), acc.dw, acc.dh, in.orientation, &w, &h);
	kimg_acc_free(&acc);
	struct box b = trim(g, w, h, &in.trimmed);
	/* the box to 32 columns, then to 32 rows */
	double *cols = xmalloc((size_t)b.h * 32 * sizeof *cols), grey[32 * 32];
	for (uint32_t y = 0; y < b.h; y++)
		area_1d(g + (size_t)(b.y + y) * w + b.x, 1, b.w, cols + (size_t)y * 32, 1, 32);
	for (int x = 0; x < 32; x++)
		area_1d(cols + x, 32, b.h, grey + x, 32, 32);
	free(cols);
	free(g);
	*hash = kimg_hash_grey32(grey, in.variants);
	if (info)
		*info = in;
	return K_OK;
}

int kimg_hash_file(const char *path, const struct kimg_limits *lim, uint64_t *hash,
                   struct kimg_info *info, struct kerr *e)
{
	size_t maxb = lim && lim->max_bytes ? lim->max_bytes : KIMG_MAX_BYTES_DEFAULT;
	struct stat st;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > maxb)
		return kerr_set(e, K_ETOOBIG,
		                "%s: %llu bytes is over the %zu-byte limit for an image", path,
		                (unsigned long long)st.st_size, maxb);
	struct kbuf b = KBUF_INIT;
	int rc = kbuf_read_file(path, maxb, &b, e);
	if (rc == K_ETOOBIG) /* a pipe or a file that grew: the size is not known */
		rc = kerr_set(e, K_ETOOBIG, "%s: over the %zu-byte limit for an image", path, maxb);
	if (rc == K_OK)
		rc = kimg_hash_bytes(b.data, b.len, path, lim, hash, info, e);
	kbuf_free(&b);
	return rc;
}

/* ---- distance, words, text ---- */

#if defined(__x86_64__) || defined(__i386__)
#define KIMG_X86 1
__attribute__((target("popcnt"))) static int popcount_hw(uint64_t x)
{
	return __builtin_popcountll(x);
}
#endif

int kimg_distance(uint64_t a, uint64_t b)
{
	return __builtin_popcountll(a ^ b);
}

const char *kimg_distance_words(int d)
{
	if (d < 0)
		return "different";
	if (d <= KIMG_DIST_SAME)
		return "same photo";
	if (d <= KIMG_DIST_VERY)
		return "very similar";
	if (d <= KIMG_DIST_SIMILAR)
		return "similar";
	return "different";
}

void kimg_hash_hex(uint64_t hash, char out[KIMG_HASH_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	for (int k = 0; k < 16; k++)
		out[k] = hex[(hash >> (60 - 4 * k)) & 15];
	out[16] = '\0';
}

int kimg_hash_parse(const char *s, uint64_t *hash, struct kerr *e)
{
	uint64_t h = 0;
	size_t n = 0;
	for (; s[n]; n++) {
		int c = (unsigned char)s[n], v;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return kerr_set(
			    e, K_EINVAL,
			    "photo hash: character %zu is not a hex digit (16 expected)", n + 1);
		h = h << 4 | (uint64_t)v;
	}
	if (n != 16)
		return kerr_set(e, K_EINVAL, "photo hash: %s hex digits, 16 expected",
		                n > 16   ? "more than 16"
		                : n == 0 ? "no"
		                         : "fewer than 16");
	*hash = h;
	return K_OK;
}

size_t kimg_query_turns(const struct kimg_info *info, int ways, uint64_t out[KIMG_TURNS])
{
	static const int four[] = {KIMG_ASIS, KIMG_FLIP_H, KIMG_ROT90, KIMG_ROT270};
	size_t n = ways == 8 ? 8 : ways == 4 ? 4 : ways == 2 ? 2 : 1;
	for (size_t k = 0; k < n; k++)
		out[k] = info->variants[n == 8 ? (int)k : four[k]];
	return n;
}

/* ---- the scan ---- */

static int cmp_match(const void *a, const void *b)
{
	const struct kimg_match *x = a, *y = b;
	if (x->distance != y->distance)
		return x->distance < y->distance ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Distances are the least over the queries. Counts every match in hist[] and stores, while
 * out has room, those nearer than `keep` and the first `room` at distance `keep`. Returns how
 * many it stored. */
#define SCAN_BODY(POPCOUNT)                                                                        \
	size_t stored = 0, at_keep = 0;                                                            \
	for (size_t i = 0; i < n; i++) {                                                           \
		int d = POPCOUNT(h[i] ^ q[0]);                                                     \
		for (size_t k = 1; k < nq; k++) {                                                  \
			int dk = POPCOUNT(h[i] ^ q[k]);                                            \
			d = dk < d ? dk : d;                                                       \
		}                                                                                  \
		if (d <= maxd) {                                                                   \
			hist[d]++;                                                                 \
			if (stored < cap && (d < keep || (d == keep && at_keep++ < room)))         \
				out[stored++] = (struct kimg_match){i, d};                         \
		}                                                                                  \
	}                                                                                          \
	return stored;

static size_t scan_sw(const uint64_t *h, size_t n, const uint64_t *q, size_t nq, int maxd, int keep,
                      size_t room, struct kimg_match *out, size_t cap, size_t hist[65])
{
	SCAN_BODY(__builtin_popcountll)
}

#ifdef KIMG_X86
__attribute__((target("popcnt"))) static size_t
scan_hw(const uint64_t *h, size_t n, const uint64_t *q, size_t nq, int maxd, int keep, size_t room,
        struct kimg_match *out, size_t cap, size_t hist[65])
{
	SCAN_BODY(popcount_hw)
}
#endif

static size_t scan_once(const uint64_t *h, size_t n, const uint64_t *q, size_t nq, int maxd,
                        int keep, size_t room, struct kimg_match *out, size_t cap, size_t hist[65])
{
	memset(hist, 0, 65 * sizeof hist[0]);
#ifdef KIMG_X86
	if (__builtin_cpu_supports("popcnt"))
		return scan_hw(h, n, q, nq, maxd, keep, room, out, cap, hist);
#endif
	return scan_sw(h, n, q, nq, maxd, keep, room, out, cap, hist);
}

size_t kimg_scan(const uint64_t *hashes, size_t n, const uint64_t *queries, size_t nq,
                 int max_distance, struct kimg_match *out, size_t cap, size_t *total)
{
	size_t hist[65], all = 0;
	if (total)
		*total = 0;
	if (nq == 0 || max_distance < 0)
		return 0;
	if (max_distance > 64)
		max_distance = 64;
	/* one pass stores every match while out has room, in index order */
	size_t stored = scan_once(hashes, n, queries, nq, max_distance, 65, 0, out, cap, hist);
	for (int d = 0; d <= max_distance; d++)
		all += hist[d];
	if (all > stored) {
		/* more matches than room: from the distances counted, the nearest cap are all those
		 * nearer than `keep` and the first few at `keep`; a second pass takes just those */
		int keep = 0;
		size_t upto = 0;
		while (keep < max_distance && upto + hist[keep] < cap)
			upto += hist[keep++];
		stored = scan_once(hashes, n, queries, nq, max_distance, keep, cap - upto, out, cap,
		                   hist);
	}
	qsort(out, stored, sizeof *out, cmp_match);
	if (total)
		*total = all;
	return stored;
}
