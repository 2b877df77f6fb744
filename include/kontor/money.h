/* money — amounts as integer counts of a currency's minor unit (JPY 0, USD 2, BHD 3,
 * CLF 4). Parsing refuses what would silently round: too many decimals, overflow past
 * 2^53-1 (the canonical-JSON integer limit), unknown currencies, negative amounts. */
#ifndef KONTOR_MONEY_H
#define KONTOR_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "kontor/err.h"

#define MONEY_MAX ((int64_t)9007199254740991) /* 2^53 - 1 */
#define MONEY_FMT_MAX 64 /* money_text's grouping marks may be 3 bytes each (U+202F) */

/* Digits after the decimal point for a current ISO 4217 code; -1 when unknown. */
int money_minor_units(const char *currency);

/* "12", "12.5", "12.50", "1234.567" (BHD) -> minor units. Allows surrounding spaces, no sign,
 * no thousands separators, no ".5" or "12.". Zeros past the currency's decimals are read as
 * nothing ("245000.00" VND is 245000), unless there are three of them, which may be a
 * thousands group ("245.000"). K_EINVAL with a sentence naming the amount and currency:
 * "12.345: USD has 2 decimal places (if the '.' groups thousands, write 12345)",
 * "currency: unknown currency 'USX' (...)", "-5 is negative: ..."; K_ERANGE past MONEY_MAX;
 * K_EIO when iso-codes is unreadable. *minor is left alone on failure. */
int money_parse(const char *text, const char *currency, int64_t *minor, struct kerr *e);

/* money_parse that refuses every decimal past the currency's, zeros too: for a file whose
 * other prices have cents, where "12.00" read as 12 VND would be dollars misread. */
int money_parse_exact(const char *text, const char *currency, int64_t *minor, struct kerr *e);

/* minor units -> "12.50" (no currency code), "1,000" never: plain digits and one '.'.
 * Negative amounts get a leading '-'. Unknown currency formats with 2 decimals. */
void money_format(int64_t minor, const char *currency, char out[MONEY_FMT_MAX]);

/* minor units -> an amount for people: the thousands grouping and decimal mark of the
 * person's locale (LC_ALL, else LC_NUMERIC, else LANG; read once, through newlocale, so the
 * process's own LC_NUMERIC stays "C" for JSON): "19.600,00" in de_DE, "1,19,600.00" in
 * en_IN, "19,600.00" in a locale that groups nothing (C, C.UTF-8, POSIX) or is not
 * installed. No currency code. Never for JSON, files or signed text: money_format is. */
void money_text(int64_t minor, const char *currency, char out[MONEY_FMT_MAX]);
/* A count for people (stock, a quantity), grouped as money_text groups: "249,600" (C),
 * "249.600" (de_DE). Never for JSON, files, signed text or a value she edits. */
const char *count_text(int64_t n, char out[MONEY_FMT_MAX]); /* returns out */

/* Overflow-checked arithmetic for totals: K_ERANGE when the result would pass MONEY_MAX. */
int money_mul(int64_t unit, int64_t qty, int64_t *out, struct kerr *e);
int money_add(int64_t a, int64_t b, int64_t *out, struct kerr *e);

#endif
