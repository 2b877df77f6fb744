/* fuzz_img_webp — the photo hash on arbitrary bytes inside a WebP RIFF container: libwebp as
 * imagehash drives it (features, scaled decoding, premultiplied alpha) and the walk over RIFF
 * chunks for EXIF. Bytes that are not a RIFF/WEBP file are wrapped in a header with the right
 * size; those that are keep theirs, so lying sizes are fuzzed too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_img.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 12 && memcmp(data, "RIFF", 4) == 0 && memcmp(data + 8, "WEBP", 4) == 0) {
		fuzz_img_check(data, size, "fuzz.webp", KIMG_WEBP);
		return 0;
	}
	uint8_t *d = malloc(size + 12);
	uint32_t riff = (uint32_t)(size + 4);
	memcpy(d, "RIFF", 4);
	d[4] = (uint8_t)riff, d[5] = (uint8_t)(riff >> 8), d[6] = (uint8_t)(riff >> 16),
	d[7] = (uint8_t)(riff >> 24);
	memcpy(d + 8, "WEBP", 4);
	if (size)
		memcpy(d + 12, data, size);
	fuzz_img_check(d, size + 12, "fuzz.webp", KIMG_WEBP);
	free(d);
	return 0;
}
