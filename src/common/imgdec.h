/* imgdec — the three decoders under imagehash (libjpeg-turbo, libpng, libwebp) and the
 * accumulator they feed: each decoded row is turned to grey (alpha flattened onto white) and
 * area-averaged at once into a work image of at most KIMG_WORK pixels a side, so a 50-megapixel
 * photo never sits in memory whole. Internal to libkontor. */
#ifndef KONTOR_IMGDEC_H
#define KONTOR_IMGDEC_H

#include <stddef.h>
#include <stdint.h>

#include "kontor/err.h"
#include "kontor/imagehash.h"

#define KIMG_WORK 256u /* the work image's longest side, before trim and the 32×32 step */

/* Area-averages a sw × sh grey image, given row by row in any order, to dw × dh with
 * dw = min(sw, KIMG_WORK) and dh = min(sh, KIMG_WORK). */
struct kimg_acc {
	uint32_t sw, sh, dw, dh;
	uint32_t *xj; /* per source column: the first work column it falls in */
	float *xw;    /* the share it gives that column; the rest goes to the next */
	double *row;  /* one source row reduced to dw */
	double *acc;  /* dw × dh sums */
};

void kimg_acc_init(struct kimg_acc *a, uint32_t sw, uint32_t sh);
/* Adds n grey values (0..255) of source row y, at columns x0, x0 + xstep, ... (an interlaced
 * PNG gives its pixels in passes). Values outside the image are ignored. */
void kimg_acc_row(struct kimg_acc *a, uint32_t y, uint32_t x0, uint32_t xstep, const float *grey,
                  uint32_t n);
/* The averaged work image, dw × dh, row-major, owned by a until kimg_acc_free. */
double *kimg_acc_result(struct kimg_acc *a);
void kimg_acc_free(struct kimg_acc *a);

/* Decoders: check lim against the stated size before decoding anything, fill info's format,
 * width, height, decoded size, orientation and has_alpha, and feed acc (which they initialise;
 * the caller frees it, also on failure). name starts the error sentences. */
int kimg_decode_jpeg(const uint8_t *data, size_t len, const char *name,
                     const struct kimg_limits *lim, struct kimg_acc *acc, struct kimg_info *info,
                     struct kerr *e);
int kimg_decode_png(const uint8_t *data, size_t len, const char *name,
                    const struct kimg_limits *lim, struct kimg_acc *acc, struct kimg_info *info,
                    struct kerr *e);
int kimg_decode_webp(const uint8_t *data, size_t len, const char *name,
                     const struct kimg_limits *lim, struct kimg_acc *acc, struct kimg_info *info,
                     struct kerr *e);

/* The orientation (1..8) in an EXIF TIFF block (from "II"/"MM" on); 1 when there is none or
 * the block is malformed. Reads nothing outside tiff[0..len). */
int kimg_exif_orientation(const uint8_t *tiff, size_t len);

/* K_ETOOBIG with "name: W×H is over the N-megapixel limit" (or a side over KIMG_MAX_SIDE)
 * when the stated size is too big; K_EINVAL for a zero size; else K_OK. */
int kimg_check_size(uint64_t w, uint64_t h, const char *name, const struct kimg_limits *lim,
                    struct kerr *e);

#endif
