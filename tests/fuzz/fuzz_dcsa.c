/* fuzz_dcsa — DCSA Track & Trace events on arbitrary bytes: no crash, no hang; a refusal
 * always has a code and a message; every event made passes the model's rules (wrapped in a
 * Shipment), and the words, ETA, timeline order and customs status over the result are
 * NUL-terminated within their caps, valid UTF-8, and free of control characters. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/dcsa.h"
#include "kontor/model.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_dcsa: %s\n", what);
		abort();
	}
}

static void check_text(const char *s, size_t n, size_t cap, const char *what)
{
	check(n < cap && strlen(s) == n, what);
	check(utf8_valid(s, n), what);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		check(c >= 0x20 && c != 0x7F, what);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *ev = NULL;
	struct kerr e = {0, ""};
	int rc = dcsa_parse((const char *)data, size, &ev, &e);
	if (rc != K_OK) {
		check(rc < 0 && e.code == rc && e.msg[0], "refusal without a code or message");
		check(ev == NULL, "refusal left an array");
		check(!strchr(e.msg, 0x1b), "escape in the error message");
		return 0;
	}
	check(cJSON_IsArray(ev), "not an array");
	int n = cJSON_GetArraySize(ev);
	check(n <= DCSA_MAX_EVENTS, "too many events");

	cJSON *sh = cJSON_CreateObject();
	cJSON_AddStringToObject(sh, "id", "S1");
	cJSON_AddStringToObject(sh, "orderId", "O1");
	cJSON_AddStringToObject(sh, "carrier", "c");
	cJSON_AddStringToObject(sh, "trackingNumber", "t");
	cJSON_AddStringToObject(sh, "mode", "sea");
	cJSON_AddItemReferenceToObject(sh, "events", ev);
	if (model_validate("Shipment", sh, &e) != K_OK) {
		fprintf(stderr, "fuzz_dcsa: %s\n", e.msg);
		abort();
	}
	cJSON_Delete(sh);

	static const size_t caps[] = {1, 7, 13, 256};
	const cJSON *one;
	cJSON_ArrayForEach(one, ev)
	{
		for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
			char out[256];
			size_t k = dcsa_words(one, (c & 1) ? "air" : NULL, out, caps[c]);
			check_text(out, k, caps[c], "words");
		}
	}
	const char *eta = dcsa_eta(ev);
	check(!eta || model_check_time(eta, "eta", NULL) == K_OK, "eta not a time");

	size_t *idx = calloc((size_t)n + 1, sizeof *idx);
	size_t m = dcsa_recent_first(ev, idx, (size_t)n);
	check(m == (size_t)n, "recent_first lost events");
	char *seen = calloc((size_t)n + 1, 1);
	for (size_t i = 0; i < m; i++) {
		check(idx[i] < (size_t)n && !seen[idx[i]], "recent_first not a permutation");
		seen[idx[i]] = 1;
		if (i) {
			const char *a =
			    cJSON_GetObjectItem(cJSON_GetArrayItem(ev, (int)idx[i - 1]), "at")
			        ->valuestring;
			const char *b =
			    cJSON_GetObjectItem(cJSON_GetArrayItem(ev, (int)idx[i]), "at")
			        ->valuestring;
			check(strcmp(a, b) > 0 || (strcmp(a, b) == 0 && idx[i - 1] > idx[i]),
			      "recent_first out of order");
		}
	}
	free(seen);
	free(idx);

	char cs[24];
	const char *c = dcsa_customs(ev, cs, sizeof cs);
	if (c)
		check_text(c, strlen(c), sizeof cs, "customs");
	cJSON_Delete(ev);
	return 0;
}
