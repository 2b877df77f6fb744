/* fuzz_img_png — the photo hash on arbitrary bytes behind a PNG signature: libpng as
 * imagehash drives it (row by row, Adam7 passes placed by hand, the error longjmp, chunk
 * limits, eXIf). Every chunk's CRC is recomputed before decoding, or nearly every mutation
 * would stop at the first CRC check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "fuzz_img.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	size_t off = size >= 8 && memcmp(data, sig, 8) == 0 ? 0 : 8;
	size_t n = size + off;
	uint8_t *d = malloc(n ? n : 1);
	memcpy(d, sig, 8);
	if (size)
		memcpy(d + off, data, size);
	/* walk the chunks: length, type, data, CRC over type and data */
	size_t p = 8;
	while (p + 12 <= n) {
		uint32_t len = (uint32_t)d[p] << 24 | (uint32_t)d[p + 1] << 16 |
		               (uint32_t)d[p + 2] << 8 | d[p + 3];
		if (len > n - p - 12)
			break;
		uint32_t crc = (uint32_t)crc32(0, d + p + 4, 4 + len);
		uint8_t *c = d + p + 8 + len;
		c[0] = (uint8_t)(crc >> 24), c[1] = (uint8_t)(crc >> 16),
		c[2] = (uint8_t)(crc >> 8), c[3] = (uint8_t)crc;
		p += 12 + len;
	}
	fuzz_img_check(d, n, "fuzz.png", KIMG_PNG);
	free(d);
	return 0;
}
