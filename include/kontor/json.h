/* json — typed, bounded access to cJSON trees, so every reader of outside JSON names the
 * field that is wrong. Never trusts a number to be an integer or a string to be UTF-8. */
#ifndef KONTOR_JSON_H
#define KONTOR_JSON_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "kontor/buf.h"
#include "kontor/err.h"

#define JSON_MAX_DEPTH 64

/* Parses n bytes of JSON (any RFC 8259 text; use canon_parse for canonical input).
 * Refuses invalid UTF-8, duplicate keys, nesting deeper than JSON_MAX_DEPTH, trailing
 * garbage.
 * what names the source in messages ("request body", "listing.jsonl line 4").
 * On success *out is a tree the caller frees with cJSON_Delete. */
int json_parse(const char *s, size_t n, const char *what, cJSON **out, struct kerr *e);

/* The parser under json_parse and canon_parse (one grammar, so the two never disagree on
 * what a string or a nesting level is). integers_only also refuses fractions, exponents,
 * -0 and |n| >= 2^53, the canonical subset. Refuses input over 16 MiB (K_ETOOBIG) and
 * \u0000 (a cJSON string cannot hold NUL). Messages start "at byte N:" (offset from 0). */
int json_parse_ex(const char *s, size_t n, int integers_only, int max_depth, cJSON **out,
                  struct kerr *e);

/* The string member name of o, NULL when o is NULL, lacks it or it is not a string: for
 * reading what is known to be there, where a missing field needs no message. */
const char *json_str(const cJSON *o, const char *name);
/* The number member name of o as an integer, 0 when o lacks it or it is not a number. */
int64_t json_int(const cJSON *o, const char *name);

/* Field getters. `required` 0 means a missing or null field leaves *out untouched and
 * returns K_OK; a present field of the wrong type is always K_EINVAL naming the field. */
int json_get_str(const cJSON *obj, const char *name, int required, const char **out,
                 struct kerr *e);
int json_get_int(const cJSON *obj, const char *name, int required, int64_t *out,
                 struct kerr *e); /* integers only, |n| < 2^53 */
int json_get_bool(const cJSON *obj, const char *name, int required, int *out, struct kerr *e);
/* Arrays and objects: *out points into obj (not owned). */
int json_get_array(const cJSON *obj, const char *name, int required, const cJSON **out,
                   struct kerr *e);
int json_get_object(const cJSON *obj, const char *name, int required, const cJSON **out,
                    struct kerr *e);

/* Adds an integer exactly (cJSON stores doubles; values with |n| < 2^53 are exact). */
cJSON *json_add_int(cJSON *obj, const char *name, int64_t v);
/* Adds name: s when s is text, not NULL and not "": an optional field left empty stays
 * absent. */
void json_add_opt(cJSON *obj, const char *name, const char *s);
/* True when item is a number holding an integer with |n| < 2^53. */
int json_is_int(const cJSON *item);

/* Compact printing into a kbuf (appends), keys in the tree's order. Non-finite numbers
 * print as null; invalid UTF-8 in strings prints as U+FFFD, so the output is always JSON. */
void json_print(const cJSON *v, struct kbuf *out);
/* Appends s[0..n) as a JSON string with JCS escaping (only ", \ and U+0000-U+001F are
 * escaped); invalid UTF-8 becomes U+FFFD. canon_write checks UTF-8 before calling it. */
void json_put_string(struct kbuf *out, const char *s, size_t n);

#endif
