/* searchtext — the pure text side of listing search, shared by the client's cache and the
 * node so both split text the same way: the index form of text (CJK and other spaceless
 * scripts as overlapping bigrams), category tokens, value buckets. No SQL here. Changing
 * what these functions emit changes both indexes: bump the client's SEARCH_TEXT_VERSION and
 * the node's NSEARCH_TEXT_VERSION (both rebuild their index from the stored listings). */
#ifndef KONTOR_SEARCHTEXT_H
#define KONTOR_SEARCHTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "kontor/buf.h"

#define SEARCHTEXT_BUCKET_MAX 255 /* value_bucket of any int64 is below this */

/* Appends the index form of s[0..n): folded as search folds letters (Unicode's default case
 * folding with compatibility forms, then diacritics off: ß and ss, ё and е, é and e are one),
 * spaceless runs as bigrams, '_' a gap (it joins filter tokens), an HS code written with
 * dots as its digits ("7308.30.90" is 73083090). Returns the length in
 * characters of the spaceless run s ends in (0 when it ends otherwise): a one-character run
 * is matched as a prefix. */
size_t searchtext_prep(struct kbuf *out, const char *s, size_t n);
/* " " + the index form of s, cut at max bytes on a character boundary; NULL adds nothing.
 * The index form differs from a query's in one thing: an HS code written with dots
 * ("7308.30.90") is indexed as its pieces and as its digits, a query holds just the digits. */
void searchtext_prep_field(struct kbuf *out, const char *s, size_t max);
/* A listing's HS code (digits) as the words it is found by: its heading (4 digits), its
 * subheading (6) and itself, so "7308" or "730830" beside other words finds 73083090. */
#define SEARCHTEXT_HS_MAX 10
void searchtext_hs_field(struct kbuf *out, const char *hs);

/* Quarter-octave buckets, monotonic in v: everything in a lower bucket is smaller. */
int searchtext_value_bucket(int64_t v);
/* " prefix<lvl>_<bucket>" for levels 0, 2, 4, 6 (blocks of 1, 4, 16, 64 buckets). */
void searchtext_range_tokens(struct kbuf *out, const char *prefix, int64_t v);

/* A category path normalised: ASCII lower case, single spaces, '/' and '>' both the level
 * separator. */
void searchtext_category_norm(const char *c, struct kbuf *out);
/* " <prefix><hash>" of one normalised path (prefix such as "cat_"). */
void searchtext_category_token(struct kbuf *out, const char *prefix, const char *norm, size_t n);
/* One token per level of the path, so a parent finds its children. */
void searchtext_category_tokens(struct kbuf *out, const char *prefix, const char *category);

uint64_t searchtext_hash(const void *p, size_t n); /* FNV-1a */

/* Appends t as one FTS5 phrase, "..." with inner quotes doubled (and '*' for a prefix), so
 * nothing a user types is ever read as query syntax. */
void searchtext_fts_phrase(struct kbuf *out, const char *t, int prefix);
/* A currency code as a number that sorts like the code (AAA = 0 ... ZZZ), for index keys. */
int64_t searchtext_currency_rank(const char *code);

#endif
