/* fuzz_money — money_parse on arbitrary text; whatever it accepts must survive
 * money_format -> money_parse unchanged, and stay within 0..MONEY_MAX; what
 * money_parse_exact accepts, money_parse reads as the same amount. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/money.h"

/* One of each minor unit (0, 2, 3, 4) plus an unknown code for the refusal path. */
static const char *const currencies[] = {"JPY", "USD", "BHD", "CLF", "USX"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* The first byte picks the currency, so the fuzzer can steer decimals too. */
	const char *cur = currencies[data[0] % (sizeof currencies / sizeof currencies[0])];
	char *text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';

	struct kerr e = {0, ""};
	int64_t v = -1;
	int rc = money_parse(text, cur, &v, &e);
	if (rc == K_OK) {
		if (v < 0 || v > MONEY_MAX)
			abort();
		char out[MONEY_FMT_MAX];
		money_format(v, cur, out);
		int64_t back = -1;
		if (money_parse(out, cur, &back, &e) != K_OK || back != v)
			abort();
	}
	int64_t x = -1;
	struct kerr xe = {0, ""};
	int xrc = money_parse_exact(text, cur, &x, &xe);
	if (xrc == K_OK && (rc != K_OK || x != v))
		abort();
	if (xrc != K_OK && x != -1)
		abort();
	if (rc != K_OK) {
		if (e.code != rc || e.msg[0] == '\0' || memchr(e.msg, '\0', sizeof e.msg) == NULL)
			abort();
		if (rc != K_EINVAL && rc != K_ERANGE)
			abort();
		if (v != -1)
			abort();
	}
	free(text);
	return 0;
}
