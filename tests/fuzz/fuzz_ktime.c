/* fuzz_ktime — times from a node on arbitrary bytes, through the one formatter people read:
 * no crash, no read past the end; what ktime_parse takes it takes as a real instant (shown
 * as "YYYY-MM-DD HH:MM ZONE"), and what it refuses comes back as printable ASCII within the
 * buffer, so nothing from a node reaches a terminal as an escape sequence. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kontor/err.h"
#include "kontor/ktime.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ktime: %s\n", what);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1); /* a string as the cache hands it over */
	memcpy(s, data, size);
	s[size] = '\0';
	time_t t;
	int rc = ktime_parse(s, &t);
	check(rc == K_OK || rc == K_EINVAL, "a status of its own");
	char out[KTIME_LOCAL_MAX], small[8];
	ktime_local(s, out, sizeof out);
	ktime_local(s, small, sizeof small);
	size_t n = strnlen(out, sizeof out);
	check(n < sizeof out && strnlen(small, sizeof small) < sizeof small, "terminated");
	for (size_t i = 0; i < n; i++)
		check((unsigned char)out[i] >= 0x20 && (unsigned char)out[i] < 0x7f, "printable");
	if (rc == K_OK) {
		check(n >= 20 && out[4] == '-' && out[10] == ' ' && out[13] == ':' &&
		          out[16] == ' ',
		      "a time is shown as a time");
		check(t >= -86400, "no instant before 1970 in any offset");
	}
	free(s);
	return 0;
}
