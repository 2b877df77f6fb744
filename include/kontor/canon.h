/* canon — canonical JSON (RFC 8785 / JCS restricted to what kontor emits): objects with
 * keys sorted by UTF-16 code units, no insignificant whitespace, JCS string escaping,
 * integers only (|n| < 2^53), no duplicate keys. These bytes are what gets signed and
 * stored; nothing here ever re-serialises bytes before they are verified. */
#ifndef KONTOR_CANON_H
#define KONTOR_CANON_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "kontor/buf.h"
#include "kontor/err.h"

#define CANON_MAX_DEPTH 64

/* Appends the canonical form of v to out. Refuses (K_EINVAL, naming the JSON path such as
 * "priceTiers[1].unitPrice") floats, integers with |n| >= 2^53, invalid UTF-8 in strings
 * or keys, and duplicate keys. On error out is left as it was. */
int canon_write(const cJSON *v, struct kbuf *out, struct kerr *e);

/* Strict parser for outside bytes that claim to be canonical JSON or plain JSON:
 * refuses duplicate keys, non-integer numbers (1.0, 1e3, -0), integers >= 2^53,
 * invalid UTF-8, lone surrogates in \u escapes, nesting deeper than CANON_MAX_DEPTH,
 * and trailing bytes. Whitespace between tokens is allowed. Error messages give the
 * byte offset. On success *out is owned by the caller (cJSON_Delete). */
int canon_parse(const char *s, size_t n, cJSON **out, struct kerr *e);

/* K_OK when s[0..n) is exactly the canonical form of what it encodes, K_EINVAL (with the
 * reason) otherwise. */
int canon_check(const char *s, size_t n, struct kerr *e);

#endif
