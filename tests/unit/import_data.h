/* import_data.h — the import fixtures under tests/data/import, read whole (test-only; each
 * tests/unit/test_*.c is its own binary, so this is static). Include after cmocka.h. */
#ifndef KONTOR_TESTS_IMPORT_DATA_H
#define KONTOR_TESTS_IMPORT_DATA_H

#include <stdio.h>

#include "../../src/client/import.h"
#include "kontor/buf.h"

#ifndef TEST_DATA
#define TEST_DATA "tests/data/import/"
#endif

/* The fixture NAME (relative to TEST_DATA), malloc'd; the test fails when it cannot be read. */
static char *slurp(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof path, TEST_DATA "%s", name);
	struct kbuf b = KBUF_INIT;
	struct kerr e;
	if (kbuf_read_file(path, IMPORT_MAX_BYTES, &b, &e))
		fail_msg("%s", e.msg);
	return kbuf_detach(&b, len);
}

#endif
