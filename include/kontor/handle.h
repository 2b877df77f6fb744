/* handle — the @handle a business name makes, in any script: ICU's transliterator
 * ("Any-Latin; Latin-ASCII") writes the name in Latin letters ("Sắt Mỹ Thuật Hoà Phát" ->
 * "Sat My Thuat Hoa Phat", "深圳铁艺" -> "shen zhen tie yi"), then it is cut to what a
 * handle may hold. The one place handles are made; a node adds "-2", "-3" to a taken one. */
#ifndef KONTOR_HANDLE_H
#define KONTOR_HANDLE_H

#include <stddef.h>

#define HANDLE_MAX 32 /* model.h: [a-z0-9_-]{2,32} */

/* out gets the handle of name: ASCII lower-case letters and digits, one '-' for each run of
 * anything else (apostrophes and the like simply go: "O'Brien" -> "obrien"), no '-' at
 * either end, at most HANDLE_MAX bytes (cut at a '-' when one is near the end). A leading
 * '@' is not part of it. When fewer than two characters are left (a name of emoji), it is
 * "k-" and the first eight characters of id, lower-cased (id may be NULL: "k-account"). */
void handle_from_name(const char *name, const char *id, char out[HANDLE_MAX + 1]);

#endif
