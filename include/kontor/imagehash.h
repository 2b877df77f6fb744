/* imagehash — a 64-bit perceptual hash of a photo (DCT pHash), so that two copies of one
 * photo (resized, recompressed, lightly cropped, watermarked) hash a few bits apart and a
 * search sends 8 bytes instead of the photo (DESIGN §13).
 *
 * The hash: decode the JPEG, PNG or WebP (libjpeg-turbo at 1/2..1/8 scale for big photos,
 * libpng, libwebp), turn it as its EXIF orientation says, flatten alpha onto white, take the
 * Rec. 601 luma (0.299 R + 0.587 G + 0.114 B), cut off a uniform border, shrink to 32×32 by
 * area averaging, take the orthonormal 2-D DCT-II, and keep the top-left 8×8 block less its DC
 * term: bit u*8+v (u the vertical, v the horizontal frequency, 0..7) is set when that
 * coefficient is above the median of the 63. Bit 0 (the DC term) is always 0.
 *
 * Every image is outside bytes: its size in bytes and in pixels is checked before anything is
 * decoded, and a truncated, damaged or lying file gets an error, never a crash. */
#ifndef KONTOR_IMAGEHASH_H
#define KONTOR_IMAGEHASH_H

#include <stddef.h>
#include <stdint.h>

#include "kontor/err.h"

#define KIMG_HASH_HEX_LEN 16                /* the text form: 16 lowercase hex digits */
#define KIMG_MAX_BYTES_DEFAULT (10u << 20)  /* an image file over this is refused */
#define KIMG_MAX_PIXELS_DEFAULT 50000000ull /* 50 megapixels */
#define KIMG_MAX_SIDE 65535u                /* wider or taller than this is refused too */

/* Hamming distances and what they mean to a person, from tests/bench/photo.sh on 43 real
 * photographs (README, Measures). Distances come in even numbers: the hash of any picture
 * that is not blank has 31 bits set. */
#define KIMG_DIST_SAME 4 /* 0..4 "same photo": every resized and recompressed copy */
#define KIMG_DIST_VERY 8 /* 6..8 "very similar": most 5% crops, some watermarks */
/* 10..12 "similar", and the default search radius: past it, a million random hashes give a
 * false match a query or more */
#define KIMG_DIST_SIMILAR 12

struct kimg_limits {
	size_t max_bytes;    /* 0: KIMG_MAX_BYTES_DEFAULT */
	uint64_t max_pixels; /* width × height as the file states it; 0: KIMG_MAX_PIXELS_DEFAULT */
};

enum kimg_format { KIMG_UNKNOWN = 0, KIMG_JPEG, KIMG_PNG, KIMG_WEBP };

/* The eight ways a photo can be flipped or turned, numbered as EXIF orientations less one:
 * variant t is the photo after the transform a viewer applies for EXIF orientation t + 1. */
enum kimg_turn {
	KIMG_ASIS = 0,
	KIMG_FLIP_H = 1, /* mirrored left to right */
	KIMG_ROT180 = 2,
	KIMG_FLIP_V = 3,    /* mirrored top to bottom */
	KIMG_TRANSPOSE = 4, /* mirrored about the main diagonal */
	KIMG_ROT90 = 5,     /* turned a quarter clockwise */
	KIMG_TRANSVERSE = 6,
	KIMG_ROT270 = 7, /* turned a quarter anticlockwise */
	KIMG_TURNS = 8
};

/* What the hash saw; filled when a hash succeeds. */
struct kimg_info {
	enum kimg_format format;
	uint32_t width, height;                 /* as the file states them */
	uint32_t decoded_width, decoded_height; /* what was decoded (JPEG 1/2..1/8, WebP scaled) */
	int orientation;                        /* the EXIF orientation applied, 1..8 (1: none) */
	int has_alpha;                          /* the file has an alpha channel or tRNS */
	int trimmed;                            /* a uniform border was cut off */
	/* variants[t]: the hash of the photo turned by t, from the same DCT (no second decode);
	 * variants[KIMG_ASIS] is the hash itself. */
	uint64_t variants[KIMG_TURNS];
};

/* Hashes an image held in memory. name is what error sentences start with (a file name;
 * NULL: "image"); lim may be NULL for the defaults; info may be NULL. On failure *hash is
 * untouched and e says why: "photo.jpg: not a JPEG, PNG or WebP image", "photo.png: 60000×60000
 * is over the 50-megapixel limit", "photo.webp: the WebP is truncated", ... (K_EINVAL for a
 * bad or unsupported image, K_ETOOBIG for one over a limit). */
int kimg_hash_bytes(const void *data, size_t len, const char *name, const struct kimg_limits *lim,
                    uint64_t *hash, struct kimg_info *info, struct kerr *e);

/* Reads path (refusing a file over lim->max_bytes before reading it) and hashes it; errors also
 * K_ENOTFOUND and K_EIO, naming the file. */
int kimg_hash_file(const char *path, const struct kimg_limits *lim, uint64_t *hash,
                   struct kimg_info *info, struct kerr *e);

/* The hash of a 32×32 grey image (row-major, values 0..255): the DCT and median steps alone.
 * variants may be NULL; otherwise it gets the eight turned hashes as in struct kimg_info. */
uint64_t kimg_hash_grey32(const double grey[32 * 32], uint64_t variants[KIMG_TURNS]);

/* Hamming distance, 0..64. */
int kimg_distance(uint64_t a, uint64_t b);

/* "same photo", "very similar", "similar" or "different", by the KIMG_DIST_* thresholds. */
const char *kimg_distance_words(int distance);

/* The text form used in JSON and on command lines: 16 lowercase hex digits, most significant
 * first. */
void kimg_hash_hex(uint64_t hash, char out[KIMG_HASH_HEX_LEN + 1]);
/* Parses exactly 16 hex digits (either case); K_EINVAL naming what is wrong otherwise. */
int kimg_hash_parse(const char *s, uint64_t *hash, struct kerr *e);

/* The hashes to ask a search with, from info->variants: ways 1 is the photo as it is; 2 adds
 * its mirror image (what a search should ask with: tests/bench/photo.sh finds every mirrored
 * copy so, for 1.3× the scan); 4 adds both quarter turns; 8 is every turn. Writes that many to
 * out and returns the count (any other ways means 1). */
size_t kimg_query_turns(const struct kimg_info *info, int ways, uint64_t out[KIMG_TURNS]);

struct kimg_match {
	size_t index; /* into the scanned array */
	int distance; /* the least distance to any of the queries */
};

/* Scans hashes[0..n) for those within max_distance of any of queries[0..nq), writes the
 * nearest min(cap, matches) to out, nearest first and in index order among equals, and returns
 * how many it wrote; *total (may be NULL) gets how many matched in all. A plain linear scan
 * (a second pass only when more than cap match): 0.7-1.8 ms of CPU for 1,000,000 hashes and
 * one or two queries (tests/bench/photo.sh), so no index is needed. */
size_t kimg_scan(const uint64_t *hashes, size_t n, const uint64_t *queries, size_t nq,
                 int max_distance, struct kimg_match *out, size_t cap, size_t *total);

const char *kimg_format_name(enum kimg_format f); /* "JPEG", "PNG", "WebP", "unknown" */

#endif
