/* imgdec — the three decoders under imagehash and imgrgb (libjpeg-turbo, libpng, libwebp), one
 * core for both: each feeds its decoded rows to a sink. For the hash, the grey sink turns each
 * row to grey (alpha flattened onto white) and area-averages it at once into a work image of at
 * most KIMG_WORK pixels a side, so a 50-megapixel photo never sits in memory whole. Internal to
 * libkontor. */
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

/* How a decoded row's pixels are laid out: grey; grey and alpha; RGB; RGBA; RGBA with the colour
 * premultiplied by alpha (WebP for grey); inverted CMYK as Adobe writes it (R = C·K/255 ...). */
enum kimg_layout {
	KIMG_L_GREY,
	KIMG_L_GREY_ALPHA,
	KIMG_L_RGB,
	KIMG_L_RGBA,
	KIMG_L_RGBA_PREMUL,
	KIMG_L_CMYK_INVERTED
};

/* Where a decoder puts what it reads: the grey work image (kimg_decode_grey) or the colour box
 * (imgrgb.c). A sink embeds this struct first and casts back in its callbacks. */
struct kimg_sink {
	int colour;           /* JPEG in RGB (else its luma alone), WebP not premultiplied */
	int to_eoi;           /* a JPEG is read to its end marker (a missing one is truncation) */
	const char *animated; /* ends "name: an animated WebP, ..." */
	/* The size wanted of a stored sw × sh image whose EXIF orientation is o (1 for a PNG,
	 * whose eXIf may come after the data): JPEG decodes at the smallest 1/2..1/8 scale that
	 * still gives it, WebP scales to it exactly. */
	void (*want)(struct kimg_sink *s, uint32_t sw, uint32_t sh, int o, uint32_t *dw,
	             uint32_t *dh);
	/* Before the first row, with info's decoded size filled in; interlaced for an Adam7 PNG.
	 * May refuse with a negative kstatus and a sentence starting with name. */
	int (*begin)(struct kimg_sink *s, const struct kimg_info *info, int interlaced,
	             const char *name, struct kerr *e);
	/* n pixels of decoded row y at columns x0, x0 + step, ... (an interlaced PNG gives its
	 * pixels in passes); p is the decoder's, valid during the call only. */
	void (*row)(struct kimg_sink *s, uint32_t y, uint32_t x0, uint32_t step, const uint8_t *p,
	            uint32_t n, enum kimg_layout l);
};

/* The format by the first bytes; KIMG_UNKNOWN for none of the three. */
enum kimg_format kimg_sniff(const uint8_t *data, size_t len);

/* Decodes a JPEG, PNG or WebP (by its first bytes) into s: checks lim against the stated size
 * before decoding anything, fills info's format, width, height, decoded size, orientation and
 * has_alpha. The sink keeps what it allocated, also on failure. name starts the error
 * sentences. */
int kimg_decode(const uint8_t *data, size_t len, const char *name, const struct kimg_limits *lim,
                struct kimg_sink *s, struct kimg_info *info, struct kerr *e);

/* kimg_decode into acc, which it initialises (the caller frees it, also on failure). */
int kimg_decode_grey(const uint8_t *data, size_t len, const char *name,
                     const struct kimg_limits *lim, struct kimg_acc *acc, struct kimg_info *info,
                     struct kerr *e);

/* The stored pixel (*sr, *sc) of a w × h image that a viewer shows at (r, c) when its EXIF
 * orientation is o (1..8; anything else as 1). */
void kimg_orient_src(int o, uint32_t w, uint32_t h, uint32_t r, uint32_t c, uint32_t *sr,
                     uint32_t *sc);

/* The orientation (1..8) in an EXIF TIFF block (from "II"/"MM" on); 1 when there is none or
 * the block is malformed. Reads nothing outside tiff[0..len). */
int kimg_exif_orientation(const uint8_t *tiff, size_t len);

/* K_ETOOBIG with "name: W×H is over the N-megapixel limit" (or a side over KIMG_MAX_SIDE)
 * when the stated size is too big; K_EINVAL for a zero size; else K_OK. */
int kimg_check_size(uint64_t w, uint64_t h, const char *name, const struct kimg_limits *lim,
                    struct kerr *e);

#endif
