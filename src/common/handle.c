/* handle — a name in any script to an ASCII @handle, through ICU's transliterator. */
#include "kontor/handle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/utrans.h>
#include <unicode/ustring.h>

#include "kontor/buf.h"

#define NAME_IN_MAX 512 /* bytes of the name looked at: a handle holds 32 */
#define TRANSLIT_ID "Any-Latin; Latin-ASCII"

/* Marks that sit inside a word once it is written in Latin letters: dropped, not a gap. */
static int is_apostrophe(UChar c)
{
	return c == 0x27 || c == 0x60 || c == 0xB4 || c == 0x2019 || c == 0x2018 || c == 0x02BC ||
	       c == 0x02B9 || c == 0x02BA || c == 0x02BE || c == 0x02BF || c == 0xB7;
}

/* name (UTF-8) written in Latin ASCII letters as far as ICU can; *len UTF-16 units in the
 * xmalloc'd result (the caller frees). */
static UChar *latin(const char *name, int32_t *len)
{
	size_t n = strnlen(name, NAME_IN_MAX);
	UErrorCode st = U_ZERO_ERROR;
	int32_t cap = (int32_t)n * 8 + 16, ulen = 0;
	UChar *u = xmalloc((size_t)cap * sizeof *u);
	u_strFromUTF8WithSub(u, cap, &ulen, name, (int32_t)n, 0xFFFD, NULL, &st);
	if (U_FAILURE(st)) {
		*len = 0;
		return u;
	}
	UChar id[64];
	u_uastrncpy(id, TRANSLIT_ID, (int32_t)(sizeof id / sizeof id[0]));
	st = U_ZERO_ERROR;
	UTransliterator *t = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
	if (t && U_SUCCESS(st)) {
		/* Latin text of a CJK character is a syllable and a space: at most 8 units each. */
		int32_t tlen = ulen, limit = ulen;
		UChar *w = xmalloc((size_t)cap * sizeof *w);
		memcpy(w, u, (size_t)ulen * sizeof *u);
		utrans_transUChars(t, w, &tlen, cap, 0, &limit, &st);
		if (U_SUCCESS(st) && tlen <= cap) {
			free(u);
			u = w;
			ulen = tlen;
		} else {
			free(w); /* what ICU could not write stays as it was: its ASCII letters
			            count */
		}
	}
	if (t)
		utrans_close(t);
	*len = ulen;
	return u;
}

void handle_from_name(const char *name, const char *id, char out[HANDLE_MAX + 1])
{
	char buf[NAME_IN_MAX + 1];
	size_t n = 0;
	int32_t len = 0;
	UChar *u = latin(name ? name : "", &len);
	int gap = 0;
	for (int32_t i = 0; i < len && n < NAME_IN_MAX; i++) {
		UChar c = u[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) {
			if (gap && n > 0)
				buf[n++] = '-';
			gap = 0;
			if (n < NAME_IN_MAX)
				buf[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		} else if (!is_apostrophe(c)) {
			gap = 1;
		}
	}
	free(u);
	buf[n] = '\0';
	if (n > HANDLE_MAX) {
		/* Whole words where they fit: cut at the last '-' in the second half. */
		size_t cut = HANDLE_MAX;
		for (size_t k = HANDLE_MAX; k > HANDLE_MAX / 2; k--)
			if (buf[k] == '-') {
				cut = k;
				break;
			}
		n = cut;
		while (n > 0 && buf[n - 1] == '-')
			n--;
		buf[n] = '\0';
	}
	if (n >= 2) {
		memcpy(out, buf, n + 1);
		return;
	}
	/* No letters to speak of: one from the account id. */
	snprintf(out, HANDLE_MAX + 1, "k-%.8s", id && *id ? id : "account");
	for (char *p = out; *p; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			*p = (char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			*p = '_';
	}
}
