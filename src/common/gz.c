/* gz — gzip both ways with zlib. */
#include "kontor/gz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

void kgz_deflate(const void *in, size_t len, int level, struct kbuf *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		fputs("kontor: zlib could not start a compressor (out of memory)\n", stderr);
		abort();
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	int rc;
	do {
		/* JSON shrinks several times over: start small and grow, rather than reserving
		 * deflateBound (more than the input) for every body. */
		size_t room = len / 4 + 1024;
		kbuf_reserve(out, room + 1);
		z.next_out = (Bytef *)out->data + out->len;
		z.avail_out = (uInt)room;
		rc = deflate(&z, Z_FINISH);
		out->len += room - z.avail_out;
	} while (rc == Z_OK || (rc == Z_BUF_ERROR && z.avail_out == 0));
	if (rc != Z_STREAM_END) {
		fprintf(stderr, "kontor: zlib deflate failed (%d)\n", rc);
		abort();
	}
	out->data[out->len] = '\0';
	deflateEnd(&z);
}

int kgz_inflate(const void *in, size_t len, size_t max, struct kbuf *out, struct kerr *e)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return kerr_set(e, K_ENOMEM, "zlib could not start a decompressor");
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	size_t start = out->len;
	int rc;
	do {
		/* Grow in steps, never past max + 1: one byte over proves the limit is hit. */
		size_t have = out->len - start;
		size_t room = have < 65536 ? 65536 : have;
		if (room > max + 1 - have)
			room = max + 1 - have;
		kbuf_reserve(out, room + 1);
		z.next_out = (Bytef *)out->data + out->len;
		z.avail_out = (uInt)room;
		rc = inflate(&z, Z_NO_FLUSH);
		out->len += room - z.avail_out;
		out->data[out->len] = '\0';
		if (out->len - start > max) {
			inflateEnd(&z);
			out->len = start;
			out->data[start] = '\0';
			return kerr_set(e, K_ETOOBIG,
			                "gzip data of %zu bytes inflates to over %zu bytes", len,
			                max);
		}
		if (rc == Z_BUF_ERROR && z.avail_in == 0)
			break;
	} while (rc == Z_OK || (rc == Z_BUF_ERROR && z.avail_out == 0));
	int trailing = z.avail_in != 0;
	inflateEnd(&z);
	if (rc != Z_STREAM_END || trailing) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
		return kerr_set(e, K_EINVAL, "gzip data %s",
		                trailing && rc == Z_STREAM_END ? "has bytes after its end"
		                : rc == Z_BUF_ERROR            ? "is cut short"
		                                               : "is damaged");
	}
	return K_OK;
}
