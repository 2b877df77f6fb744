/* imgrgb — a photo decoded in colour at the size it will be shown, and a JPEG of it: what the
 * node serves as a scaled variant of an image blob (GET /download/{blobId}?w=PX) and what the
 * client hands to libchafa to draw. The same decoders as imagehash (libjpeg-turbo at 1/2..1/8
 * scale, libpng, libwebp with scaling), the same limits checked before anything is decoded,
 * the EXIF orientation applied, alpha flattened onto white. Every image is outside bytes:
 * a truncated, damaged or lying file gets an error, never a crash (tests/fuzz/fuzz_imgrgb.c). */
#ifndef KONTOR_IMGRGB_H
#define KONTOR_IMGRGB_H

#include <stddef.h>
#include <stdint.h>

#include "kontor/buf.h"
#include "kontor/err.h"
#include "kontor/imagehash.h"

#define KIMG_RGB_SIDE_MAX 4096u /* the largest side a decode may be asked for */
/* An interlaced PNG is decoded whole before it is scaled: over this many pixels it is refused
 * (the others are scaled row by row and need no such bound). */
#define KIMG_RGB_WHOLE_MAX (16u * 1000 * 1000)

/* width × height pixels of 3 bytes (R, G, B), row-major, no padding. */
struct kimg_rgb {
	uint32_t width, height;
	uint8_t *px;                    /* malloc'd; kimg_rgb_free releases it */
	uint32_t src_width, src_height; /* as the file states them */
	enum kimg_format format;
};
void kimg_rgb_free(struct kimg_rgb *img);

/* Decodes the image held in memory and shrinks it (never enlarges it) to fit max_w × max_h
 * (each 1..KIMG_RGB_SIDE_MAX), keeping its proportions, after turning it as its EXIF
 * orientation says. name starts the error sentences as in kimg_hash_bytes; lim may be NULL
 * for the defaults. K_EINVAL for a bad or unsupported image, K_ETOOBIG over a limit; out is
 * the caller's to free on success and untouched on failure. */
int kimg_decode_rgb(const void *data, size_t len, const char *name, const struct kimg_limits *lim,
                    uint32_t max_w, uint32_t max_h, struct kimg_rgb *out, struct kerr *e);

/* The JPEG (baseline, 4:2:0, quality 1..100) of img, appended to out. */
void kimg_encode_jpeg(const struct kimg_rgb *img, int quality, struct kbuf *out);

/* The format and stated size of an image without decoding it (K_EINVAL when the header is not
 * one of the three or is cut short). */
int kimg_probe(const void *data, size_t len, const char *name, enum kimg_format *format,
               uint32_t *width, uint32_t *height, struct kerr *e);

#endif
