/* canon — writes cJSON trees as RFC 8785 (JCS) bytes restricted to integers, and checks that
 * outside bytes are exactly that form; these are the bytes that get signed. */
#include "kontor/canon.h"
#include "kontor/json.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INT_LIMIT ((int64_t)1 << 53)
/* Keys in error paths are cut here so the sentence stays readable. */
#define PATH_KEY_MAX 48

/* Where the writer is, for messages: "priceTiers[1].unitPrice". Lives on the C stack. */
struct path {
	const struct path *up;
	const char *key; /* NULL: an array element at idx */
	size_t idx;
};

static void path_render(const struct path *p, struct kbuf *b)
{
	if (!p)
		return;
	path_render(p->up, b);
	if (!p->key) {
		kbuf_printf(b, "[%zu]", p->idx);
		return;
	}
	if (b->len)
		kbuf_putc(b, '.');
	/* Keys on the path are valid UTF-8 by now (checked before descending); control
	 * characters would garble the one-line message. */
	for (size_t i = 0; p->key[i]; i++) {
		if (i == PATH_KEY_MAX) {
			while (((unsigned char)p->key[i] & 0xC0) == 0x80)
				kbuf_putc(b, p->key[i++]);
			kbuf_puts(b, "...");
			break;
		}
		unsigned char c = (unsigned char)p->key[i];
		kbuf_putc(b, c < 0x20 || c == 0x7F ? '?' : (char)c);
	}
}

static int werr(const struct path *p, struct kerr *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int werr(const struct path *p, struct kerr *e, const char *fmt, ...)
{
	char why[KERR_MSG_MAX];
	struct kbuf where = KBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	path_render(p, &where);
	int rc = kerr_set(e, K_EINVAL, "%s: %s", where.len ? kbuf_str(&where) : "top level", why);
	kbuf_free(&where);
	return rc;
}

/* Walks valid UTF-8 as UTF-16 code units: JCS sorts keys the way JavaScript compares
 * strings, so U+1F600 (D83D DE00) sorts before U+FB33 although its UTF-8 bytes are larger. */
struct u16_iter {
	const unsigned char *p;
	unsigned pending; /* the low surrogate still to deliver, or 0 */
};

static long u16_next(struct u16_iter *it)
{
	if (it->pending) {
		unsigned u = it->pending;
		it->pending = 0;
		return u;
	}
	unsigned c = it->p[0];
	if (!c)
		return -1;
	uint32_t cp;
	size_t len;
	if (c < 0x80)
		cp = c, len = 1;
	else if (c < 0xE0)
		cp = c & 0x1F, len = 2;
	else if (c < 0xF0)
		cp = c & 0x0F, len = 3;
	else
		cp = c & 0x07, len = 4;
	for (size_t i = 1; i < len; i++)
		cp = (cp << 6) | (it->p[i] & 0x3F);
	it->p += len;
	if (cp < 0x10000)
		return cp;
	cp -= 0x10000;
	it->pending = 0xDC00 | (cp & 0x3FF);
	return 0xD800 | (cp >> 10);
}

static int key_cmp_utf16(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	struct u16_iter i = {(const unsigned char *)x->string, 0};
	struct u16_iter j = {(const unsigned char *)y->string, 0};
	for (;;) {
		long u = u16_next(&i), v = u16_next(&j);
		if (u != v)
			return u < v ? -1 : 1;
		if (u < 0)
			return 0;
	}
}

static int write_value(const cJSON *v, const struct path *at, int depth, struct kbuf *out,
                       struct kerr *e);

static int write_number(const cJSON *v, const struct path *at, struct kbuf *out, struct kerr *e)
{
	double d = v->valuedouble;
	if (d != d)
		return werr(at, e, "NaN is not allowed in canonical JSON");
	if (d - d != 0)
		return werr(at, e, "infinity is not allowed in canonical JSON");
	if (d <= -(double)INT_LIMIT || d >= (double)INT_LIMIT)
		return werr(at, e, "integer %.0f out of range (|n| must be below 2^53)", d);
	if (d != (double)(int64_t)d)
		return werr(at, e, "%.17g is not an integer (canonical JSON carries integers only)",
		            d);
	/* -0.0 becomes 0 here, as JCS serialises it. */
	kbuf_printf(out, "%lld", (long long)d);
	return K_OK;
}

static int write_object(const cJSON *v, const struct path *at, int depth, struct kbuf *out,
                        struct kerr *e)
{
	size_t n = 0, i;
	const cJSON *c;
	int rc = K_OK;
	for (c = v->child; c; c = c->next)
		n++;
	const cJSON **members = xmalloc((n ? n : 1) * sizeof *members);
	for (i = 0, c = v->child; c; c = c->next, i++) {
		if (!c->string) {
			rc = werr(at, e, "member %zu has no key", i);
			goto out;
		}
		if (!utf8_valid(c->string, strlen(c->string))) {
			rc = werr(at, e, "key number %zu is not valid UTF-8", i);
			goto out;
		}
		members[i] = c;
	}
	qsort(members, n, sizeof *members, key_cmp_utf16);
	for (i = 1; i < n; i++) {
		if (strcmp(members[i]->string, members[i - 1]->string) == 0) {
			struct kbuf q = KBUF_INIT;
			const char *k = members[i]->string;
			json_put_string(&q, k, strlen(k) > PATH_KEY_MAX ? PATH_KEY_MAX : strlen(k));
			rc = werr(at, e, "duplicate key %s", kbuf_str(&q));
			kbuf_free(&q);
			goto out;
		}
	}
	kbuf_putc(out, '{');
	for (i = 0; i < n; i++) {
		struct path here = {at, members[i]->string, 0};
		if (i)
			kbuf_putc(out, ',');
		json_put_string(out, members[i]->string, strlen(members[i]->string));
		kbuf_putc(out, ':');
		rc = write_value(members[i], &here, depth, out, e);
		if (rc != K_OK)
			goto out;
	}
	kbuf_putc(out, '}');
out:
	free(members);
	return rc;
}

static int write_value(const cJSON *v, const struct path *at, int depth, struct kbuf *out,
                       struct kerr *e)
{
	switch (v->type & 0xFF) {
	case cJSON_False:
		kbuf_puts(out, "false");
		return K_OK;
	case cJSON_True:
		kbuf_puts(out, "true");
		return K_OK;
	case cJSON_NULL:
		kbuf_puts(out, "null");
		return K_OK;
	case cJSON_Number:
		return write_number(v, at, out, e);
	case cJSON_String: {
		if (!v->valuestring)
			return werr(at, e, "string item without a value");
		size_t len = strlen(v->valuestring);
		if (!utf8_valid(v->valuestring, len))
			return werr(at, e, "string is not valid UTF-8");
		json_put_string(out, v->valuestring, len);
		return K_OK;
	}
	case cJSON_Array: {
		if (depth + 1 > CANON_MAX_DEPTH)
			return werr(at, e, "nesting deeper than %d levels", CANON_MAX_DEPTH);
		size_t i = 0;
		kbuf_putc(out, '[');
		for (const cJSON *c = v->child; c; c = c->next, i++) {
			struct path here = {at, NULL, i};
			if (i)
				kbuf_putc(out, ',');
			int rc = write_value(c, &here, depth + 1, out, e);
			if (rc != K_OK)
				return rc;
		}
		kbuf_putc(out, ']');
		return K_OK;
	}
	case cJSON_Object:
		if (depth + 1 > CANON_MAX_DEPTH)
			return werr(at, e, "nesting deeper than %d levels", CANON_MAX_DEPTH);
		return write_object(v, at, depth + 1, out, e);
	default:
		/* Raw items are unchecked text; signing them would sign whatever they hold. */
		return werr(at, e,
		            "a raw or invalid cJSON item cannot be written as canonical JSON");
	}
}

int canon_write(const cJSON *v, struct kbuf *out, struct kerr *e)
{
	size_t keep = out->len;
	if (!v)
		return kerr_set(e, K_EINVAL, "top level: no value to write");
	int rc = write_value(v, NULL, 0, out, e);
	if (rc != K_OK) {
		out->len = keep;
		if (out->data)
			out->data[keep] = '\0';
	}
	return rc;
}

int canon_parse(const char *s, size_t n, cJSON **out, struct kerr *e)
{
	return json_parse_ex(s, n, 1, CANON_MAX_DEPTH, out, e);
}

static const char *describe(const char *s, size_t n, size_t at, char buf[24])
{
	if (at >= n)
		return "the end";
	unsigned char c = (unsigned char)s[at];
	if (c >= 0x21 && c < 0x7F)
		snprintf(buf, 24, "'%c'", (char)c);
	else if (c == ' ')
		return "a space";
	else
		snprintf(buf, 24, "byte 0x%02X", c);
	return buf;
}

/* Why valid JSON s first differs from its canonical form at byte i. The bytes before i
 * are identical in both, so a scan of s up to i says where in the grammar i falls. */
static const char *diff_reason(const char *s, size_t n, size_t i)
{
	char stack[CANON_MAX_DEPTH + 1]; /* '{' or '['; s parsed, so it is no deeper */
	int top = 0, in_str = 0, is_key = 0, want_key = 0;
	size_t esc_left = 0;
	for (size_t k = 0; k < i; k++) {
		char ch = s[k];
		if (in_str) {
			if (esc_left)
				esc_left = ch == 'u' && esc_left == 1 ? 4 : esc_left - 1;
			else if (ch == '\\')
				esc_left = 1;
			else if (ch == '"')
				in_str = 0;
			continue;
		}
		switch (ch) {
		case '"':
			in_str = 1;
			is_key = want_key;
			want_key = 0;
			break;
		case '{':
			stack[top++] = '{';
			want_key = 1;
			break;
		case '[':
			stack[top++] = '[';
			break;
		case '}':
		case ']':
			top--;
			break;
		case ',':
			want_key = top > 0 && stack[top - 1] == '{';
			break;
		}
	}
	if (i >= n)
		return "";
	/* Raw whitespace inside strings was refused or is kept, so this is between tokens. */
	if (!in_str && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		return ": whitespace between tokens";
	if (in_str && (esc_left || s[i] == '\\'))
		return ": an escape JCS writes differently";
	if (in_str && is_key)
		return ": keys not sorted by UTF-16 code units";
	return "";
}

int canon_check(const char *s, size_t n, struct kerr *e)
{
	cJSON *v;
	int rc = canon_parse(s, n, &v, e);
	if (rc != K_OK) {
		/* The contract is K_EINVAL for every way of not being canonical, size included. */
		if (e)
			e->code = K_EINVAL;
		return K_EINVAL;
	}
	struct kbuf c = KBUF_INIT;
	rc = canon_write(v, &c, e);
	cJSON_Delete(v);
	if (rc != K_OK) {
		kbuf_free(&c);
		return K_EINVAL;
	}
	if (c.len == n && memcmp(c.data, s, n) == 0) {
		kbuf_free(&c);
		return K_OK;
	}
	size_t i = 0;
	while (i < n && i < c.len && s[i] == c.data[i])
		i++;
	char want[24], got[24];
	rc = kerr_set(e, K_EINVAL, "at byte %zu: not in canonical form%s (expected %s, found %s)",
	              i, diff_reason(s, n, i), describe(c.data, c.len, i, want),
	              describe(s, n, i, got));
	kbuf_free(&c);
	return rc;
}
