/* gz — gzip (RFC 1952) both ways, the one codec both HTTP sides use: the client's requests
 * and the node's answers. Inflating is bounded, so a small bomb costs at most its limit. */
#ifndef KONTOR_GZ_H
#define KONTOR_GZ_H

#include <stddef.h>

#include "kontor/buf.h"
#include "kontor/err.h"

/* Appends the gzip of in[0..len) to out at zlib level (1 fastest .. 9 smallest). Aborts
 * when zlib cannot start (out of memory), as xmalloc does. */
void kgz_deflate(const void *in, size_t len, int level, struct kbuf *out);
/* Appends the inflated gzip member in[0..len) to out. K_ETOOBIG when it inflates to more
 * than max bytes (out grows to at most about max: never near a bomb's size); K_EINVAL for
 * data that is damaged, cut short or followed by other bytes. On failure out is as it was. */
int kgz_inflate(const void *in, size_t len, size_t max, struct kbuf *out, struct kerr *e);

#endif
