/* codes_data — the tables scripts/gen-codes.sh generates into codes_data.c; private to
 * codes.c (everyone else goes through kontor/codes.h). */
#ifndef KONTOR_CODES_DATA_H
#define KONTOR_CODES_DATA_H

#include "kontor/codes.h"

struct codes_minor {
	char code[4];      /* ISO 4217 alpha-3, NUL-terminated */
	signed char minor; /* 0..4 */
};

struct codes_classifier {
	const char *code; /* "ACT" */
	const char *name; /* "Actual" */
};

extern const struct codes_minor codes_minor_table[]; /* sorted by code */
extern const int codes_minor_count;
extern const struct incoterm codes_incoterm_table[]; /* in rule order, EXW first */
extern const int codes_incoterm_count;
extern const struct dcsa_code codes_dcsa_table[]; /* sorted by code */
extern const int codes_dcsa_count;
extern const struct codes_classifier codes_classifier_table[];
extern const int codes_classifier_count;

#endif
