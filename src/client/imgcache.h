/* imgcache — the images a person asked to see, kept in the home's blob cache (HOME/images/,
 * one file a blob and size) within a limit (`set image-cache-mb`), least recently used out.
 * Room is made before a file is written, so the directory never holds more than the limit,
 * whatever a node sends; files are 0600 like the rest of the home. Nothing here fetches. */
#ifndef KONTOR_CLIENT_IMGCACHE_H
#define KONTOR_CLIENT_IMGCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "kontor/buf.h"
#include "kontor/err.h"

#define IMGCACHE_MB_DEFAULT 64
#define IMGCACHE_MB_MAX 4096
#define IMGCACHE_KEY_MAX 64 /* a blob id, '-w' and a width */

/* The key of blob_id fetched at width (0: the original). */
void imgcache_key(const char *blob_id, unsigned width, char out[IMGCACHE_KEY_MAX + 1]);
/* The cached bytes of key into out (reset first), at most max; K_ENOTFOUND when absent. A
 * hit counts as a use (its time moves to now). */
int imgcache_get(const char *home, const char *key, size_t max, struct kbuf *out, struct kerr *e);
/* Keeps data under key, first removing the least recently used files until the cache holds
 * at most limit bytes with it. K_ETOOBIG (nothing written, nothing removed) when len alone
 * is over limit; K_EINVAL for a key that is not a blob id and width. */
int imgcache_put(const char *home, const char *key, const void *data, size_t len, uint64_t limit,
                 struct kerr *e);
/* Bytes the cache holds now. */
uint64_t imgcache_used(const char *home);

#endif
