/* import_data.h — the import fixtures under tests/data/import, read whole (test-only; each
 * tests/unit/test_*.c is its own binary, so this is static). Include after cmocka.h. */
#ifndef KONTOR_TESTS_IMPORT_DATA_H
#define KONTOR_TESTS_IMPORT_DATA_H

#include "../../src/client/import.h"
#include "fixture.h"

#ifndef TEST_DATA
#define TEST_DATA "tests/data/import/"
#endif

/* The fixture NAME (relative to TEST_DATA), malloc'd; the test fails when it cannot be read. */
static char *slurp(const char *name, size_t *len)
{
	return fixture_read(TEST_DATA, name, IMPORT_MAX_BYTES, len);
}

#endif
