/* fixture.h — a test's data file under tests/data, read whole (test-only; each
 * tests/unit/test_*.c is its own binary, so this is static). Include after cmocka.h; the
 * tests run from the repository root. */
#ifndef KONTOR_TESTS_FIXTURE_H
#define KONTOR_TESTS_FIXTURE_H

#include <stdio.h>

#include "kontor/buf.h"
#include "kontor/err.h"

/* dir (ending in '/') + name, at most max bytes, malloc'd with its length in *len; the test
 * fails, naming the file, when it cannot be read. */
static char *fixture_read(const char *dir, const char *name, size_t max, size_t *len)
{
	char path[512];
	snprintf(path, sizeof path, "%s%s", dir, name);
	struct kbuf b = KBUF_INIT;
	struct kerr e = {0, ""};
	if (kbuf_read_file(path, max, &b, &e))
		fail_msg("%s", e.msg);
	return kbuf_detach(&b, len);
}

#endif
