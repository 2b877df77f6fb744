/* buf — aborting allocators, the growable buffer, whole-file read and atomic write. */
#include "kontor/buf.h"
#include "kontor/err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void oom(size_t n)
{
	fprintf(stderr, "kontor: out of memory (asked for %zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void xfree(void *pp)
{
	void **p = pp;
	free(*p);
	*p = NULL;
}

void kbuf_init(struct kbuf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void kbuf_free(struct kbuf *b)
{
	free(b->data);
	kbuf_init(b);
}

void kbuf_reset(struct kbuf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void kbuf_reserve(struct kbuf *b, size_t extra)
{
	if (extra > SIZE_MAX / 2 - b->len)
		oom(extra);
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void kbuf_append(struct kbuf *b, const void *p, size_t n)
{
	kbuf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void kbuf_puts(struct kbuf *b, const char *s)
{
	kbuf_append(b, s, strlen(s));
}

void kbuf_putc(struct kbuf *b, char c)
{
	kbuf_append(b, &c, 1);
}

void kbuf_vprintf(struct kbuf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	kbuf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void kbuf_printf(struct kbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *kbuf_detach(struct kbuf *b, size_t *len)
{
	if (!b->data)
		kbuf_reserve(b, 0), b->data[0] = '\0';
	char *p = b->data;
	if (len)
		*len = b->len;
	kbuf_init(b);
	return p;
}

const char *kbuf_str(const struct kbuf *b)
{
	return b->data ? b->data : "";
}

int kbuf_read_file(const char *path, size_t max, struct kbuf *out, struct kerr *e)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f)
		return kerr_set(e, errno == ENOENT ? K_ENOTFOUND : K_EIO, "%s: %s", path,
		                strerror(errno));
	char chunk[65536];
	size_t n;
	int rc = K_OK;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (out->len + n > max) {
			rc = kerr_set(e, K_ETOOBIG, "%s: larger than the limit of %zu bytes", path,
			              max);
			break;
		}
		kbuf_append(out, chunk, n);
	}
	if (rc == K_OK && ferror(f))
		rc = kerr_set(e, K_EIO, "%s: read error: %s", path, strerror(errno));
	if (f != stdin)
		fclose(f);
	if (rc == K_OK && !out->data)
		kbuf_reserve(out, 0), out->data[0] = '\0';
	return rc;
}

int kbuf_write_file_atomic(const char *path, const void *data, size_t len, int mode, struct kerr *e)
{
	struct kbuf tmp = KBUF_INIT;
	kbuf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		/* the file asked for, not our temporary name beside it */
		int rc = kerr_set(e, K_EIO, "%s: cannot write it: %s", path, strerror(errno));
		kbuf_free(&tmp);
		return rc;
	}
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int rc = kerr_set(e, K_EIO, "%s: write: %s", path, strerror(errno));
			close(fd);
			unlink(tmp.data);
			kbuf_free(&tmp);
			return rc;
		}
		p += w;
		left -= (size_t)w;
	}
	if (fchmod(fd, (mode_t)mode) != 0 || fsync(fd) != 0 || close(fd) != 0) {
		int rc = kerr_set(e, K_EIO, "%s: %s", path, strerror(errno));
		unlink(tmp.data);
		kbuf_free(&tmp);
		return rc;
	}
	if (rename(tmp.data, path) != 0) {
		int rc = kerr_set(e, K_EIO, "%s: rename: %s", path, strerror(errno));
		unlink(tmp.data);
		kbuf_free(&tmp);
		return rc;
	}
	kbuf_free(&tmp);
	return K_OK;
}

size_t utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t utf8_decode(const void *s, size_t avail, uint32_t *cp)
{
	const unsigned char *p = s;
	if (avail == 0)
		return 0;
	unsigned c = p[0];
	size_t len;
	uint32_t v, min;
	if (c < 0x80)
		len = 1, v = c, min = 0;
	else if ((c & 0xE0) == 0xC0)
		len = 2, v = c & 0x1F, min = 0x80;
	else if ((c & 0xF0) == 0xE0)
		len = 3, v = c & 0x0F, min = 0x800;
	else if ((c & 0xF8) == 0xF0)
		len = 4, v = c & 0x07, min = 0x10000;
	else
		return 0;
	if (avail < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	if (cp)
		*cp = v;
	return len;
}

int utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t len = utf8_decode(s + i, n - i, NULL);
		if (!len)
			return 0;
		i += len;
	}
	return 1;
}

int64_t kdigits(const char *s, size_t n)
{
	if (n == 0 || n > 18)
		return -1;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}
