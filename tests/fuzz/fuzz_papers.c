/* fuzz_papers — the trade papers' outside input: `order docs --set KEY=VALUE` lines (one per
 * input line) and an amendment file read back as JSON. Whatever papers_amend_set accepts
 * must pass papers_amend_check; whatever is refused says why; nothing crashes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/codes.h"
#include "kontor/json.h"
#include "kontor/papers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int loaded;
	struct kerr e = {0, ""};
	if (!loaded)
		loaded = codes_load(&e) == K_OK ? 1 : -1;
	if (size > 65536)
		return 0;
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	/* As --set lines. */
	cJSON *a = cJSON_CreateObject();
	for (char *line = text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		int rc = papers_amend_set(a, line, &e);
		if (rc != K_OK && (e.msg[0] == '\0' || (rc != K_EINVAL && rc != K_ETOOBIG)))
			abort();
	}
	if (papers_amend_check(a, &e) != K_OK)
		abort(); /* what --set took, the file check takes back */
	cJSON_Delete(a);
	/* As an amendment file. */
	cJSON *j = NULL;
	if (json_parse((const char *)data, size, "fuzz", &j, &e) == K_OK) {
		int rc = papers_amend_check(j, &e);
		if (rc != K_OK && e.msg[0] == '\0')
			abort();
		cJSON_Delete(j);
	}
	free(text);
	return 0;
}
