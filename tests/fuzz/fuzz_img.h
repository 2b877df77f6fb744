/* fuzz_img.h — what the image fuzz targets check of every result: an error is one of the
 * two codes, in the kerr, naming the file; a hash keeps the promises of imagehash.h. */
#ifndef KONTOR_FUZZ_IMG_H
#define KONTOR_FUZZ_IMG_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/imagehash.h"

#define FUZZ_IMG_MAX_PIXELS (1u << 22) /* 4 megapixels: fast runs, and the limit path taken */

static inline void fuzz_img_require(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_img: %s\n", what);
		abort();
	}
}

static inline void fuzz_img_check(const uint8_t *d, size_t n, const char *name,
                                  enum kimg_format want)
{
	struct kimg_limits lim = {.max_pixels = FUZZ_IMG_MAX_PIXELS};
	struct kimg_info info;
	struct kerr e = {0, ""};
	uint64_t h = 0x5555;
	int rc = kimg_hash_bytes(d, n, name, &lim, &h, &info, &e);
	if (rc < 0) {
		fuzz_img_require(rc == K_EINVAL || rc == K_ETOOBIG, "unexpected error code");
		fuzz_img_require(e.code == rc, "error code not in the kerr");
		fuzz_img_require(strncmp(e.msg, name, strlen(name)) == 0 &&
		                     e.msg[strlen(name)] == ':',
		                 "message does not start with the file name");
		fuzz_img_require(h == 0x5555, "hash written on failure");
		return;
	}
	fuzz_img_require(info.format == want, "wrong format");
	fuzz_img_require((uint64_t)info.width * info.height <= FUZZ_IMG_MAX_PIXELS,
	                 "over the pixel limit");
	fuzz_img_require(info.decoded_width >= 1 && info.decoded_width <= info.width &&
	                     info.decoded_height >= 1 && info.decoded_height <= info.height,
	                 "decoded size out of range");
	fuzz_img_require(info.orientation >= 1 && info.orientation <= 8,
	                 "orientation out of range");
	fuzz_img_require(info.variants[KIMG_ASIS] == h, "variant 0 is not the hash");
	fuzz_img_require((h & 1) == 0, "DC bit set");
	for (int t = 0; t < KIMG_TURNS; t++)
		fuzz_img_require(__builtin_popcountll(info.variants[t]) <= 31,
		                 "more bits above the median than below");
}

#endif
