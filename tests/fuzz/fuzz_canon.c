/* libFuzzer target for canon and json: whatever canon_parse accepts must write, re-parse
 * and re-write to identical bytes, and whatever json_parse accepts must print stably. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/canon.h"
#include "kontor/json.h"

static void die(const char *what, const struct kerr *e)
{
	fprintf(stderr, "fuzz_canon: %s: %s\n", what, e->msg);
	abort();
}

static void check_canon(const char *s, size_t n)
{
	struct kerr e = {0};
	cJSON *v, *w;
	if (canon_parse(s, n, &v, &e) != K_OK) {
		/* The checker must agree that it is not canonical. */
		if (canon_check(s, n, &e) == K_OK)
			die("canon_check accepted what canon_parse refused", &e);
		return;
	}
	struct kbuf a = KBUF_INIT, b = KBUF_INIT;
	if (canon_write(v, &a, &e) != K_OK)
		die("canon_write refused a parsed tree", &e);
	if (canon_parse(a.data, a.len, &w, &e) != K_OK)
		die("canon_parse refused canon_write output", &e);
	if (canon_write(w, &b, &e) != K_OK)
		die("canon_write refused the re-parsed tree", &e);
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		die("canonical bytes changed on a round trip", &e);
	if (canon_check(a.data, a.len, &e) != K_OK)
		die("canon_check refused canon_write output", &e);
	int same = a.len == n && memcmp(a.data, s, n) == 0;
	if ((canon_check(s, n, &e) == K_OK) != same)
		die("canon_check disagrees with byte comparison", &e);
	/* The general parser reads everything the strict one does. */
	cJSON *g;
	if (json_parse(s, n, "fuzz", &g, &e) != K_OK)
		die("json_parse refused what canon_parse accepted", &e);
	cJSON_Delete(g);
	kbuf_free(&a);
	kbuf_free(&b);
	cJSON_Delete(v);
	cJSON_Delete(w);
}

static void check_json(const char *s, size_t n)
{
	struct kerr e = {0};
	cJSON *v, *w;
	if (json_parse(s, n, "fuzz", &v, &e) != K_OK)
		return;
	struct kbuf a = KBUF_INIT, b = KBUF_INIT;
	json_print(v, &a);
	if (json_parse(a.data, a.len, "printed", &w, &e) != K_OK)
		die("json_parse refused json_print output", &e);
	json_print(w, &b);
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		die("json_print output changed on a round trip", &e);
	/* Either the tree is canonical-writable or canon_write says why, leaving b alone. */
	size_t keep = b.len;
	if (canon_write(v, &b, &e) != K_OK && b.len != keep)
		die("canon_write changed its output on error", &e);
	kbuf_free(&a);
	kbuf_free(&b);
	cJSON_Delete(v);
	cJSON_Delete(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_canon((const char *)data, size);
	check_json((const char *)data, size);
	return 0;
}
