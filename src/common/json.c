/* json — the one strict JSON parser for outside bytes (canon_parse is the same parser in
 * integers-only mode), typed field getters that name the wrong field, and compact printing. */
#include "kontor/json.h"

#include <locale.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A hostile body costs at most this much input; the tree it builds is tens of times larger. */
#define JSON_MAX_BYTES ((size_t)16 << 20)
#define INT_LIMIT ((int64_t)1 << 53)
/* Keys quoted in messages are cut here: the sentence must stay readable. */
#define MSG_KEY_MAX 48

static void *cj_check(void *p)
{
	if (!p) {
		fprintf(stderr, "kontor: out of memory (cJSON)\n");
		abort();
	}
	return p;
}

/* Numbers are read and written in the C locale: the TUI calls setlocale() and a decimal
 * comma must never change what a price means. uselocale() is per thread; the object is
 * made once and shared. */
static locale_t c_locale(void)
{
	static _Atomic(locale_t) shared;
	locale_t l = atomic_load(&shared);
	if (l)
		return l;
	l = cj_check(newlocale(LC_ALL_MASK, "C", (locale_t)0));
	locale_t expected = (locale_t)0;
	if (!atomic_compare_exchange_strong(&shared, &expected, l)) {
		freelocale(l);
		l = expected;
	}
	return l;
}

static void utf8_put(struct kbuf *b, uint32_t cp)
{
	char u[4];
	kbuf_append(b, u, utf8_encode(cp, u));
}

/* JSON's two-character escapes (RFC 8259, section 7); any other control character is
 * written as \u00XX. */
static const char *const short_escape[0x80] = {
    ['"'] = "\\\"", ['\\'] = "\\\\", ['\b'] = "\\b", ['\t'] = "\\t",
    ['\n'] = "\\n", ['\f'] = "\\f",  ['\r'] = "\\r",
};

void json_put_string(struct kbuf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0, i = 0;
	kbuf_putc(out, '"');
	while (i < n) {
		unsigned c = p[i];
		if (c >= 0x80) {
			size_t len = utf8_decode(p + i, n - i, NULL);
			if (len) {
				i += len;
				continue;
			}
			kbuf_append(out, s + run, i - run);
			kbuf_append(out, "\xEF\xBF\xBD", 3);
			run = ++i;
			continue;
		}
		if (c != '"' && c != '\\' && c >= 0x20) {
			i++;
			continue;
		}
		kbuf_append(out, s + run, i - run);
		if (short_escape[c])
			kbuf_puts(out, short_escape[c]);
		else
			kbuf_printf(out, "\\u%04x", c);
		run = ++i;
	}
	kbuf_append(out, s + run, n - run);
	kbuf_putc(out, '"');
}

/* --- parser ------------------------------------------------------------------------- */

struct parser {
	const unsigned char *s;
	size_t n, pos;
	int depth, max_depth;
	int integers_only;
	struct kbuf scratch; /* the string or number being read */
	struct kerr *e;
};

struct keyref {
	const char *key; /* the member's own item->string */
	size_t len;
	size_t at; /* offset of the key's opening quote */
};

static int perr(struct parser *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int perr(struct parser *p, size_t at, const char *fmt, ...)
{
	char why[KERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return kerr_set(p->e, K_EINVAL, "at byte %zu: %s", at, why);
}

/* "'x'" for printable ASCII, "byte 0xNN" otherwise, "the end of the input" past the end. */
static const char *describe(const struct parser *p, size_t at, char buf[24])
{
	if (at >= p->n)
		return "the end of the input";
	unsigned c = p->s[at];
	if (c >= 0x21 && c < 0x7F)
		snprintf(buf, 24, "'%c'", (char)c);
	else
		snprintf(buf, 24, "byte 0x%02X", c);
	return buf;
}

/* A key quoted for a message: escaped, and cut (on a character boundary) when long. */
static void quote_key(const char *k, size_t len, char *buf, size_t cap)
{
	struct kbuf b = KBUF_INIT;
	size_t cut = len;
	if (cut > MSG_KEY_MAX) {
		cut = MSG_KEY_MAX;
		while (cut > 0 && ((unsigned char)k[cut] & 0xC0) == 0x80)
			cut--;
	}
	json_put_string(&b, k, cut);
	if (cut < len)
		kbuf_puts(&b, "...");
	snprintf(buf, cap, "%s", kbuf_str(&b));
	kbuf_free(&b);
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->n) {
		unsigned c = p->s[p->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

/* Skips white space, then consumes c when it comes next: 1 if it did. */
static int eat(struct parser *p, char c)
{
	skip_ws(p);
	if (p->pos < p->n && p->s[p->pos] == (unsigned char)c) {
		p->pos++;
		return 1;
	}
	return 0;
}

static int is_digit(unsigned c)
{
	return c >= '0' && c <= '9';
}

static int hex4(const struct parser *p, size_t at, uint32_t *out)
{
	uint32_t v = 0;
	if (at > p->n || p->n - at < 4)
		return -1;
	for (size_t i = 0; i < 4; i++) {
		unsigned c = p->s[at + i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* Reads the \uXXXX escape at p->pos (the backslash), pairing surrogates. */
static int parse_u_escape(struct parser *p)
{
	size_t at = p->pos;
	uint32_t cp, lo;
	if (hex4(p, at + 2, &cp) != 0)
		return perr(p, at, "\\u must be followed by four hex digits");
	p->pos += 6;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return perr(p, at, "lone low surrogate \\u%04X", (unsigned)cp);
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (p->n - p->pos < 6 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u' ||
		    hex4(p, p->pos + 2, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
			return perr(p, at, "lone high surrogate \\u%04X (no low surrogate follows)",
			            (unsigned)cp);
		p->pos += 6;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	if (cp == 0)
		return perr(p, at, "\\u0000 is not accepted (strings here cannot hold NUL)");
	utf8_put(&p->scratch, cp);
	return K_OK;
}

/* Reads the string at p->pos (the opening quote) into p->scratch, NUL-terminated. */
static int parse_string(struct parser *p)
{
	size_t start = p->pos;
	char buf[24];
	kbuf_reset(&p->scratch);
	kbuf_reserve(&p->scratch, 0);
	p->pos++;
	for (;;) {
		size_t run = p->pos;
		while (p->pos < p->n) {
			unsigned c = p->s[p->pos];
			if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
				break;
			p->pos++;
		}
		kbuf_append(&p->scratch, p->s + run, p->pos - run);
		if (p->pos >= p->n)
			return perr(p, start, "unterminated string");
		unsigned c = p->s[p->pos];
		if (c == '"') {
			p->pos++;
			return K_OK;
		}
		if (c < 0x20)
			return perr(p, p->pos,
			            "control character U+%04X must be escaped in a string", c);
		if (c >= 0x80) {
			size_t len = utf8_decode(p->s + p->pos, p->n - p->pos, NULL);
			if (!len)
				return perr(p, p->pos, "invalid UTF-8 in a string");
			kbuf_append(&p->scratch, p->s + p->pos, len);
			p->pos += len;
			continue;
		}
		/* a backslash */
		if (p->pos + 1 >= p->n)
			return perr(p, start, "unterminated string");
		char ch;
		switch (p->s[p->pos + 1]) {
		case '"':
			ch = '"';
			break;
		case '\\':
			ch = '\\';
			break;
		case '/':
			ch = '/';
			break;
		case 'b':
			ch = '\b';
			break;
		case 'f':
			ch = '\f';
			break;
		case 'n':
			ch = '\n';
			break;
		case 'r':
			ch = '\r';
			break;
		case 't':
			ch = '\t';
			break;
		case 'u': {
			int rc = parse_u_escape(p);
			if (rc != K_OK)
				return rc;
			continue;
		}
		default:
			return perr(p, p->pos, "invalid escape: backslash followed by %s",
			            describe(p, p->pos + 1, buf));
		}
		kbuf_putc(&p->scratch, ch);
		p->pos += 2;
	}
}

static int parse_number(struct parser *p, cJSON **out)
{
	size_t start = p->pos, int_start;
	int neg = 0, frac = 0, exp = 0;
	char buf[24];
	if (p->s[p->pos] == '-') {
		neg = 1;
		p->pos++;
	}
	int_start = p->pos;
	if (p->pos >= p->n || !is_digit(p->s[p->pos]))
		return perr(p, p->pos, "expected a digit after '-', found %s",
		            describe(p, p->pos, buf));
	if (p->s[p->pos] == '0') {
		p->pos++;
		if (p->pos < p->n && is_digit(p->s[p->pos]))
			return perr(p, start, "number with a leading zero");
	} else {
		while (p->pos < p->n && is_digit(p->s[p->pos]))
			p->pos++;
	}
	size_t int_end = p->pos;
	if (p->pos < p->n && p->s[p->pos] == '.') {
		frac = 1;
		p->pos++;
		if (p->pos >= p->n || !is_digit(p->s[p->pos]))
			return perr(p, p->pos, "expected a digit after '.', found %s",
			            describe(p, p->pos, buf));
		while (p->pos < p->n && is_digit(p->s[p->pos]))
			p->pos++;
	}
	if (p->pos < p->n && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		exp = 1;
		p->pos++;
		if (p->pos < p->n && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (p->pos >= p->n || !is_digit(p->s[p->pos]))
			return perr(p, p->pos, "expected a digit in the exponent, found %s",
			            describe(p, p->pos, buf));
		while (p->pos < p->n && is_digit(p->s[p->pos]))
			p->pos++;
	}
	if (p->integers_only) {
		if (frac || exp)
			return perr(p, start, "only integers are allowed in canonical JSON (%s)",
			            frac ? "found a fraction" : "found an exponent");
		if (neg && int_end - int_start == 1 && p->s[int_start] == '0')
			return perr(p, start, "-0 is not canonical JSON (write 0)");
	}
	if (!frac && !exp) {
		/* Exact integer path: at most 16 digits can be below 2^53. */
		if (int_end - int_start <= 16) {
			int64_t v = 0;
			for (size_t i = int_start; i < int_end; i++)
				v = v * 10 + (p->s[i] - '0');
			if (v < INT_LIMIT) {
				*out = cj_check(cJSON_CreateNumber(neg ? -(double)v : (double)v));
				return K_OK;
			}
		}
		if (p->integers_only)
			return perr(p, start, "integer out of range (|n| must be below 2^53)");
	}
	kbuf_reset(&p->scratch);
	kbuf_append(&p->scratch, p->s + start, p->pos - start);
	locale_t old = uselocale(c_locale());
	double d = strtod(p->scratch.data, NULL);
	uselocale(old);
	/* isfinite() would need libm on some systems; d - d is NaN exactly for inf and NaN. */
	if (d - d != 0)
		return perr(p, start, "number out of range");
	*out = cj_check(cJSON_CreateNumber(d));
	return K_OK;
}

static int parse_value(struct parser *p, cJSON **out);

static int enter(struct parser *p)
{
	if (++p->depth > p->max_depth)
		return perr(p, p->pos, "nesting deeper than %d levels", p->max_depth);
	p->pos++;
	return K_OK;
}

static int parse_array(struct parser *p, cJSON **out)
{
	char buf[24];
	int rc = enter(p);
	if (rc != K_OK)
		return rc;
	cJSON *arr = cj_check(cJSON_CreateArray());
	if (eat(p, ']'))
		goto done;
	for (;;) {
		cJSON *item;
		rc = parse_value(p, &item);
		if (rc != K_OK) {
			cJSON_Delete(arr);
			return rc;
		}
		cJSON_AddItemToArray(arr, item);
		if (eat(p, ','))
			continue;
		if (eat(p, ']'))
			break;
		cJSON_Delete(arr);
		return perr(p, p->pos, "expected ',' or ']' after an array element, found %s",
		            describe(p, p->pos, buf));
	}
done:
	p->depth--;
	*out = arr;
	return K_OK;
}

static int keyref_cmp(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);
	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* Sorting finds duplicates in n log n (a linear scan per key would let one 16 MiB body
 * cost hours); the error names the earliest second occurrence, as a reader would. */
static int check_duplicates(struct parser *p, struct keyref *keys, size_t n)
{
	const struct keyref *dup = NULL;
	if (n < 2)
		return K_OK;
	qsort(keys, n, sizeof *keys, keyref_cmp);
	for (size_t i = 1; i < n; i++) {
		if (keys[i].len == keys[i - 1].len &&
		    memcmp(keys[i].key, keys[i - 1].key, keys[i].len) == 0 &&
		    (!dup || keys[i].at < dup->at))
			dup = &keys[i];
	}
	if (!dup)
		return K_OK;
	char q[MSG_KEY_MAX * 6 + 8];
	quote_key(dup->key, dup->len, q, sizeof q);
	return perr(p, dup->at, "duplicate key %s", q);
}

static int parse_object(struct parser *p, cJSON **out)
{
	char buf[24];
	struct keyref *keys = NULL;
	size_t nkeys = 0, cap = 0;
	int rc = enter(p);
	if (rc != K_OK)
		return rc;
	cJSON *obj = cj_check(cJSON_CreateObject());
	if (eat(p, '}'))
		goto done;
	for (;;) {
		skip_ws(p);
		if (p->pos >= p->n || p->s[p->pos] != '"') {
			rc = perr(p, p->pos, "expected a string key, found %s",
			          describe(p, p->pos, buf));
			goto fail;
		}
		size_t key_at = p->pos;
		rc = parse_string(p);
		if (rc != K_OK)
			goto fail;
		size_t key_len = p->scratch.len;
		char *key = xstrndup(p->scratch.data, key_len);
		if (!eat(p, ':')) {
			free(key);
			rc = perr(p, p->pos, "expected ':' after a key, found %s",
			          describe(p, p->pos, buf));
			goto fail;
		}
		cJSON *item;
		rc = parse_value(p, &item);
		if (rc != K_OK) {
			free(key);
			goto fail;
		}
		if (!cJSON_AddItemToObject(obj, key, item))
			cj_check(NULL);
		free(key);
		if (nkeys == cap) {
			cap = cap ? cap * 2 : 8;
			keys = xrealloc(keys, cap * sizeof *keys);
		}
		keys[nkeys++] = (struct keyref){item->string, key_len, key_at};
		if (eat(p, ','))
			continue;
		if (eat(p, '}'))
			break;
		rc = perr(p, p->pos, "expected ',' or '}' after an object member, found %s",
		          describe(p, p->pos, buf));
		goto fail;
	}
	rc = check_duplicates(p, keys, nkeys);
	if (rc != K_OK)
		goto fail;
done:
	free(keys);
	p->depth--;
	*out = obj;
	return K_OK;
fail:
	free(keys);
	cJSON_Delete(obj);
	return rc;
}

static int parse_literal(struct parser *p, const char *word, cJSON *(*make)(void), cJSON **out)
{
	size_t len = strlen(word);
	if (p->n - p->pos < len || memcmp(p->s + p->pos, word, len) != 0)
		return perr(p, p->pos, "invalid literal (expected %s)", word);
	p->pos += len;
	*out = cj_check(make());
	return K_OK;
}

static int parse_value(struct parser *p, cJSON **out)
{
	char buf[24];
	skip_ws(p);
	if (p->pos >= p->n)
		return perr(p, p->pos, "expected a value, found the end of the input");
	unsigned c = p->s[p->pos];
	switch (c) {
	case '{':
		return parse_object(p, out);
	case '[':
		return parse_array(p, out);
	case '"': {
		int rc = parse_string(p);
		if (rc != K_OK)
			return rc;
		*out = cj_check(cJSON_CreateString(p->scratch.data));
		return K_OK;
	}
	case 't':
		return parse_literal(p, "true", cJSON_CreateTrue, out);
	case 'f':
		return parse_literal(p, "false", cJSON_CreateFalse, out);
	case 'n':
		return parse_literal(p, "null", cJSON_CreateNull, out);
	default:
		if (c == '-' || is_digit(c))
			return parse_number(p, out);
		return perr(p, p->pos, "expected a value, found %s", describe(p, p->pos, buf));
	}
}

int json_parse_ex(const char *s, size_t n, int integers_only, int max_depth, cJSON **out,
                  struct kerr *e)
{
	*out = NULL;
	if (n > JSON_MAX_BYTES)
		return kerr_set(e, K_ETOOBIG, "%zu bytes is over the limit of %zu bytes", n,
		                JSON_MAX_BYTES);
	struct parser p = {
	    .s = (const unsigned char *)(s ? s : ""),
	    .n = s ? n : 0,
	    .max_depth = max_depth,
	    .integers_only = integers_only,
	    .e = e,
	};
	kbuf_init(&p.scratch);
	cJSON *v = NULL;
	int rc = parse_value(&p, &v);
	if (rc == K_OK) {
		skip_ws(&p);
		if (p.pos < p.n) {
			rc = perr(&p, p.pos, "trailing bytes after the JSON value");
			cJSON_Delete(v);
			v = NULL;
		}
	}
	kbuf_free(&p.scratch);
	*out = v;
	return rc;
}

int json_parse(const char *s, size_t n, const char *what, cJSON **out, struct kerr *e)
{
	int rc = json_parse_ex(s, n, 0, JSON_MAX_DEPTH, out, e);
	if (rc != K_OK && what)
		kerr_prefix(e, "%s", what);
	return rc;
}

/* --- typed access ------------------------------------------------------------------- */

int json_is_int(const cJSON *item)
{
	if (!cJSON_IsNumber(item))
		return 0;
	double d = item->valuedouble;
	/* The range test also rules out NaN; the cast is defined once it holds. */
	if (!(d > -(double)INT_LIMIT && d < (double)INT_LIMIT))
		return 0;
	return d == (double)(int64_t)d;
}

static cJSON_bool is_string(const cJSON *item)
{
	return cJSON_IsString(item) && item->valuestring;
}

/* The one typed getter under all json_get_*: finds the field and checks it with `is`,
 * saying "expected <what>" when it fails. *item is set only to a field found and of the
 * type: left alone (and K_OK) when the field is absent or null and not required. */
static int field(const cJSON *obj, const char *name, int required, cJSON_bool (*is)(const cJSON *),
                 const char *what, const cJSON **item, struct kerr *e)
{
	if (!cJSON_IsObject(obj))
		return kerr_set(e, K_EINVAL, "field '%s': the enclosing value is not an object",
		                name);
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (!it || cJSON_IsNull(it)) {
		if (required)
			return kerr_set(e, K_EINVAL, "field '%s': missing (it is required)", name);
		return K_OK;
	}
	if (!is(it))
		return kerr_set(e, K_EINVAL, "field '%s': expected %s", name, what);
	*item = it;
	return K_OK;
}

const char *json_str(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

int64_t json_int(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

int json_get_str(const cJSON *obj, const char *name, int required, const char **out, struct kerr *e)
{
	const cJSON *it = NULL;
	int rc = field(obj, name, required, is_string, "a string", &it, e);
	if (rc != K_OK || !it)
		return rc;
	if (!utf8_valid(it->valuestring, strlen(it->valuestring)))
		return kerr_set(e, K_EINVAL, "field '%s': not valid UTF-8", name);
	*out = it->valuestring;
	return K_OK;
}

int json_get_int(const cJSON *obj, const char *name, int required, int64_t *out, struct kerr *e)
{
	const cJSON *it = NULL;
	int rc = field(obj, name, required, cJSON_IsNumber, "an integer", &it, e);
	if (rc != K_OK || !it)
		return rc;
	double d = it->valuedouble;
	if (d - d != 0)
		return kerr_set(e, K_EINVAL, "field '%s': expected an integer, not %s", name,
		                d != d ? "NaN" : "infinity");
	if (!json_is_int(it)) {
		if (d <= -(double)INT_LIMIT || d >= (double)INT_LIMIT)
			return kerr_set(e, K_EINVAL,
			                "field '%s': integer out of range (|n| must be below 2^53)",
			                name);
		return kerr_set(e, K_EINVAL, "field '%s': expected an integer, not a fraction",
		                name);
	}
	*out = (int64_t)d;
	return K_OK;
}

int json_get_bool(const cJSON *obj, const char *name, int required, int *out, struct kerr *e)
{
	const cJSON *it = NULL;
	int rc = field(obj, name, required, cJSON_IsBool, "true or false", &it, e);
	if (it)
		*out = cJSON_IsTrue(it) ? 1 : 0;
	return rc;
}

int json_get_array(const cJSON *obj, const char *name, int required, const cJSON **out,
                   struct kerr *e)
{
	return field(obj, name, required, cJSON_IsArray, "an array", out, e);
}

int json_get_object(const cJSON *obj, const char *name, int required, const cJSON **out,
                    struct kerr *e)
{
	return field(obj, name, required, cJSON_IsObject, "an object", out, e);
}

/* Values at or beyond 2^53 are added too (rounded): canon_write then refuses them loudly,
 * where dropping the field would let a signature cover an object missing its total. */
cJSON *json_add_int(cJSON *obj, const char *name, int64_t v)
{
	return cj_check(cJSON_AddNumberToObject(obj, name, (double)v));
}

void json_add_opt(cJSON *obj, const char *name, const char *s)
{
	if (s && *s)
		cj_check(cJSON_AddStringToObject(obj, name, s));
}

/* --- printing ----------------------------------------------------------------------- */

static void print_number(double d, struct kbuf *out)
{
	if (d - d != 0) {
		kbuf_puts(out, "null");
		return;
	}
	if (d > -(double)INT_LIMIT && d < (double)INT_LIMIT && d == (double)(int64_t)d) {
		kbuf_printf(out, "%lld", (long long)d);
		return;
	}
	/* The shortest of 15..17 significant digits that reads back as the same double. */
	char buf[40];
	locale_t old = uselocale(c_locale());
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	uselocale(old);
	kbuf_puts(out, buf);
}

static void print_value(const cJSON *v, struct kbuf *out)
{
	const cJSON *c;
	switch (v->type & 0xFF) {
	case cJSON_False:
		kbuf_puts(out, "false");
		break;
	case cJSON_True:
		kbuf_puts(out, "true");
		break;
	case cJSON_Number:
		print_number(v->valuedouble, out);
		break;
	case cJSON_String:
		if (v->valuestring)
			json_put_string(out, v->valuestring, strlen(v->valuestring));
		else
			kbuf_puts(out, "null");
		break;
	case cJSON_Raw:
		/* Raw is pre-rendered JSON the caller vouches for (e.g. canonical bytes). */
		kbuf_puts(out, v->valuestring ? v->valuestring : "null");
		break;
	case cJSON_Array:
		kbuf_putc(out, '[');
		for (c = v->child; c; c = c->next) {
			print_value(c, out);
			if (c->next)
				kbuf_putc(out, ',');
		}
		kbuf_putc(out, ']');
		break;
	case cJSON_Object:
		kbuf_putc(out, '{');
		for (c = v->child; c; c = c->next) {
			const char *k = c->string ? c->string : "";
			json_put_string(out, k, strlen(k));
			kbuf_putc(out, ':');
			print_value(c, out);
			if (c->next)
				kbuf_putc(out, ',');
		}
		kbuf_putc(out, '}');
		break;
	default:
		kbuf_puts(out, "null");
		break;
	}
}

void json_print(const cJSON *v, struct kbuf *out)
{
	if (!v) {
		kbuf_puts(out, "null");
		return;
	}
	print_value(v, out);
}
