/* fuzz_ktime — times from a node on arbitrary bytes, through the one formatter people read:
 * no crash, no read past the end; what ktime_parse takes it takes as a real instant (shown
 * as "YYYY-MM-DD HH:MM ZONE"), and what it refuses comes back as printable ASCII within the
 * buffer, so nothing from a node reaches a terminal as an escape sequence. The strict
 * reader DCSA uses lies within it, and its UTC form reads back as the same instant. */
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
	/* The strict reader under DCSA: what it takes the lenient one takes (from 1970, as the
	 * same instant), and its UTC form reads back as that instant. */
	struct ktime_fields f, g;
	char utc[KTIME_UTC_LEN + 1];
	if (ktime_read(s, KTIME_STRICT, &f) == K_OK) {
		check(ktime_date_valid(f.year, f.month, f.day), "a day that exists");
		check(f.year < 1970 || (rc == K_OK && t == ktime_epoch(&f)),
		      "strict within lenient");
		if (ktime_utc(ktime_epoch(&f), utc) == K_OK)
			check(ktime_read(utc, KTIME_STRICT, &g) == K_OK &&
			          ktime_epoch(&g) == ktime_epoch(&f) && g.offset == 0,
			      "UTC reads back as the same instant");
	}
	free(s);
	return 0;
}
