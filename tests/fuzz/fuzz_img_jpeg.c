/* fuzz_img_jpeg — the photo hash on arbitrary bytes behind a JPEG signature: libjpeg-turbo's
 * decoder as imagehash drives it (scaled decoding, the error_exit longjmp, the truncation and
 * scan limits) and the EXIF orientation parser of APP1. No crash, no leak, and a result that
 * keeps the API's promises. The pixel limit is lowered so that a mutated header cannot make
 * each run decode megapixels. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_img.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* inputs that lost the SOI marker get it back, so mutations stay inside the decoder */
	if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) {
		fuzz_img_check(data, size, "fuzz.jpg", KIMG_JPEG);
		return 0;
	}
	uint8_t *d = malloc(size + 3);
	memcpy(d, "\xFF\xD8\xFF", 3);
	if (size)
		memcpy(d + 3, data, size);
	fuzz_img_check(d, size + 3, "fuzz.jpg", KIMG_JPEG);
	free(d);
	return 0;
}
