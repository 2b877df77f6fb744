/* buf — allocation that aborts on failure (a trading client never limps on) and a
 * growable byte buffer. A kbuf always keeps a NUL after its data, so data is a C string
 * when no NUL was appended. */
#ifndef KONTOR_BUF_H
#define KONTOR_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Frees *pp and sets it to NULL. */
void xfree(void *pp);

struct kbuf {
	char *data; /* owned; NULL until the first append */
	size_t len;
	size_t cap;
};

#define KBUF_INIT                                                                                  \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void kbuf_init(struct kbuf *b);
void kbuf_free(struct kbuf *b);  /* frees data, leaves b empty and reusable */
void kbuf_reset(struct kbuf *b); /* len = 0, keeps the memory */
void kbuf_reserve(struct kbuf *b, size_t extra);
void kbuf_append(struct kbuf *b, const void *p, size_t n);
void kbuf_puts(struct kbuf *b, const char *s);
void kbuf_putc(struct kbuf *b, char c);
void kbuf_printf(struct kbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kbuf_vprintf(struct kbuf *b, const char *fmt, va_list ap);
/* Hands the data to the caller (who frees it with free()); b is left empty.
 * Never returns NULL: an empty buffer gives "". */
char *kbuf_detach(struct kbuf *b, size_t *len);
/* A C string view of the data ("" when empty). */
const char *kbuf_str(const struct kbuf *b);

/* Reads a whole file, refusing one over max bytes. Caller frees *out. */
struct kerr;
int kbuf_read_file(const char *path, size_t max, struct kbuf *out, struct kerr *e);
/* Writes data to path atomically (temp file, fsync, rename) with the given mode. */
int kbuf_write_file_atomic(const char *path, const void *data, size_t len, int mode,
                           struct kerr *e);

/* True when s[0..n) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
int utf8_valid(const char *s, size_t n);
/* The length (1 to 4) of the valid UTF-8 sequence at s[0..avail), its code point in *cp (may
 * be NULL); 0 when it is invalid by utf8_valid's rules or cut short (or avail is 0). */
size_t utf8_decode(const void *s, size_t avail, uint32_t *cp);
/* The UTF-8 bytes of code point cp (<= 0x10FFFF; the caller excludes surrogates) in out;
 * returns how many, 1 to 4. */
size_t utf8_encode(uint32_t cp, char out[4]);

/* s[0..n) as a number when it is 1 to 18 ASCII digits (no sign, no space), else -1. */
int64_t kdigits(const char *s, size_t n);

#endif
