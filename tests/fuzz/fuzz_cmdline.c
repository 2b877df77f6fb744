/* fuzz_cmdline — batch and ':' prompt lines on arbitrary bytes: no crash, no hang, and the
 * words it returns are NUL-terminated and bounded by the line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/client/cmd/cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmd_words w;
	struct kerr e;
	if (cmd_split_line((const char *)data, size, &w, &e) != K_OK)
		return 0;
	size_t total = 0;
	for (int i = 0; i < w.argc; i++)
		total += strlen(w.argv[i]);
	if (total > size || w.argc > CMD_WORDS_MAX || !w.argv || w.argv[w.argc] != NULL)
		abort();
	cmd_words_free(&w);
	return 0;
}
