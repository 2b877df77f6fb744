/* cmd/picture — showing the goods: the images of a listing or the factory photos of a supplier,
 * fetched only when a person asks (`listing show ID --images`, `supplier show ACCOUNT
 * --photos`, the TUI's `i`), at the size they are drawn, kept in the home's image cache
 * within `set image-cache-mb`, and drawn with libchafa (picture.h). The factory profile's
 * commands (`profile edit`, `supplier show`) live here too. */
#ifndef KONTOR_CLIENT_CMD_PICTURE_H
#define KONTOR_CLIENT_CMD_PICTURE_H

#include <stddef.h>
#include <stdint.h>

#include "../imgcache.h"
#include "../picture.h"
#include "cmd.h"
#include "kontor/buf.h"
#include "kontor/imgrgb.h"
#include "kontor/model.h"

struct ksync;

/* The image settings of the config: `set image-cache-mb` (as bytes) and `set
 * image-protocol`. Defaults when the config has none or cannot be read. */
struct picture_conf {
	uint64_t cache_limit;
	enum picture_allow allow;
};
void cmd_picture_conf(struct picture_conf *out);

/* One image blob at width: from the image cache, else downloaded scaled (*fetched gets the
 * bytes that crossed the link, 0 from the cache), checked by decoding it to fit max_w ×
 * max_h (img, the caller's to free) and kept in the cache within conf's limit. k may be NULL
 * until a download needs it (then opened, and left open for the caller to close). */
int cmd_picture_get(struct ctx *c, struct ksync **k, const struct picture_conf *conf,
                    const char *blob_id, unsigned width, uint32_t max_w, uint32_t max_h,
                    struct kimg_rgb *img, uint64_t *fetched, struct kerr *e);

/* The sizes of images as the node holds them (-1 for an https URL or one it has not):
 * listing_id's "imageBytes", or with account_id the factory photos' "factoryPhotoBytes". */
int cmd_picture_sizes(struct ctx *c, const char *type, const char *id, const char *prop,
                      int64_t *sizes, size_t n, struct kerr *e);

/* Prints what of images (blob ids or https URLs) a person asked to see: drawn on a terminal
 * that has colours (or sixels, kitty), else its size and a command to fetch it. what names
 * the owner in captions; type, id and prop as cmd_picture_sizes. */
int cmd_show_images(struct ctx *c, const char *what, const struct kstrv *images, const char *type,
                    const char *id, const char *prop, struct kerr *e);

/* profile.c: a supplier as lines of text (profile, the node's attestation, the factory
 * profile when its signature verifies), for `supplier show` and the TUI's supplier view. */
void cmd_supplier_lines(const struct account *a, struct kstrv *out);

#endif
