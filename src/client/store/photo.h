/* store/photo — the cache's side of search by photo (DESIGN §13): the image hashes a pull's
 * listing summaries carry, kept beside the listings, and the photo search over them, offline,
 * combined with the words and filters of a search. The hashes are 8 bytes a picture; the
 * pictures themselves never come with a pull. */
#ifndef KONTOR_STORE_PHOTO_H
#define KONTOR_STORE_PHOTO_H

#include <stddef.h>
#include <stdint.h>

#include "kontor/err.h"
#include "kontor/model.h"
#include "store.h"

#define PHOTO_QUERY_HASHES_MAX 8
#define PHOTO_MATCHES_MAX 1000 /* matches past this are not counted */

/* Replaces the image hashes kept for listing id (n may be 0: none). */
int store_listing_photos_put(struct store *s, const char *id, const uint64_t *hashes, size_t n,
                             struct kerr *e);
/* The image hashes kept for listing id, in the order of its images; *n gets how many. */
int store_listing_photos_get(struct store *s, const char *id, uint64_t out[MODEL_IMAGES_MAX],
                             size_t *n, struct kerr *e);

/* A photo search's answer: the listings found, nearest first, and each one's distance. */
struct photo_result {
	struct search_result r; /* r.total: matches that pass the filters (capped) */
	int *distance;          /* r.n of them; owned */
};
void photo_result_free(struct photo_result *p);

/* Active cached listings with an image within max_distance (0..64) of any of hashes[0..nq)
 * (1..PHOTO_QUERY_HASHES_MAX), that also match q's words and filters, nearest first (among
 * equals the newest); q->sort must be SEARCH_RELEVANCE (K_EINVAL otherwise), q->limit and
 * q->offset page as store_search does. */
int store_photo_search(struct store *s, const struct search_query *q, const uint64_t *hashes,
                       size_t nq, int max_distance, struct photo_result *out, struct kerr *e);

#endif
