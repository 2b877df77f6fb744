/* fuzz_imgrgb — a node's picture as the client draws it (and the node scales it): arbitrary
 * bytes behind a JPEG, PNG or WebP signature (the first byte picks which) through
 * kimg_decode_rgb at a small size, then libchafa's cells and a JPEG of the result. No crash,
 * no leak; an error is K_EINVAL or K_ETOOBIG naming the file; a picture fits the size asked,
 * its pixels all there. The pixel limit is lowered so a mutated header cannot make each run
 * decode megapixels. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/picture.h"
#include "kontor/imgrgb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_imgrgb: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sig[3] = {"\xFF\xD8\xFF", "\x89PNG\r\n\x1a\n", "RIFF\0\0\0\0WEBP"};
	static const size_t sigl[3] = {3, 8, 12};
	if (size < 2)
		return 0;
	int which = data[0] % 3;
	uint32_t side = 16 + data[1] % 200;
	data += 2;
	size -= 2;
	uint8_t *d = malloc(size + 12);
	size_t n = 0;
	if (size < sigl[which] || memcmp(data, sig[which], which == 2 ? 4 : sigl[which]) != 0) {
		memcpy(d, sig[which], sigl[which]);
		n = sigl[which];
	}
	if (size)
		memcpy(d + n, data, size);
	n += size;
	struct kimg_limits lim = {.max_pixels = 1u << 22};
	struct kimg_rgb img;
	struct kerr e = {0, ""};
	int rc = kimg_decode_rgb(d, n, "fuzz.img", &lim, side, side, &img, &e);
	if (rc < 0) {
		require(rc == K_EINVAL || rc == K_ETOOBIG, "unexpected error code");
		require(strncmp(e.msg, "fuzz.img:", 9) == 0, "message does not name the file");
	} else {
		require(img.width >= 1 && img.height >= 1 && img.width <= side &&
		            img.height <= side,
		        "picture outside the size asked");
		require(img.px != NULL, "no pixels");
		unsigned sum = 0;
		for (size_t i = 0; i < (size_t)img.width * img.height * 3; i++)
			sum +=
			    img.px[i]; /* every pixel written (ASan/MSan see a read past the end) */
		(void)sum;
		struct picture pic;
		picture_cells(&img, 20, 10, data[0] & 1 ? 256 : 16, &pic);
		require(pic.cols >= 1 && pic.cols <= 20 && pic.rows >= 1 && pic.rows <= 10,
		        "cells outside the size asked");
		picture_free(&pic);
		struct kbuf j = KBUF_INIT;
		kimg_encode_jpeg(&img, 70, &j);
		require(j.len > 100, "no JPEG made");
		kbuf_free(&j);
		kimg_rgb_free(&img);
	}
	free(d);
	return 0;
}
