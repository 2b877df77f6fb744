/* store/translations — translated message text (the TUI's `t`), keyed by target language
 * and the hash of the original, so each text is sent to the translation service once. */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

#define LANG_MAX 16

int store_translation_get(struct store *s, const char *lang, const char *hash, char **text,
                          char **detected, struct kerr *e)
{
	*text = NULL;
	if (detected)
		*detected = NULL;
	const char *v[] = {lang, hash};
	sqlite3_stmt *st = store_prepare(s,
	                                 "SELECT text, coalesce(detected, '') FROM translations"
	                                 " WHERE lang = ?1 AND hash = ?2",
	                                 v, 2, "reading a translation", e);
	if (!st)
		return K_EDB;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*text = store_col_dup(st, 0);
		if (!*text)
			*text = xstrdup("");
		if (detected) {
			*detected = store_col_dup(st, 1);
			if (!*detected)
				*detected = xstrdup("");
		}
		rc = K_OK;
	} else if (rc == SQLITE_DONE) {
		rc = kerr_set(e, K_ENOTFOUND, "no translation to %s of %s", lang, hash);
	} else {
		rc = store_dberr(s, e, "reading a translation");
	}
	sqlite3_finalize(st);
	return rc;
}

int store_translation_put(struct store *s, const char *lang, const char *hash, const char *text,
                          const char *detected, struct kerr *e)
{
	if (!lang || !*lang || strlen(lang) > LANG_MAX)
		return kerr_set(e, K_EINVAL, "translation language \"%.20s\": 1-%d characters",
		                lang ? lang : "", LANG_MAX);
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	const char *v[] = {lang, hash, text, detected ? detected : "", now};
	sqlite3_stmt *st;
	int rc = store_wprepare(s,
	                        "INSERT INTO translations(lang, hash, text, detected, created)"
	                        " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(lang, hash) DO UPDATE"
	                        " SET text = excluded.text, detected = excluded.detected",
	                        v, 5, "writing a translation", &st, e);
	if (rc)
		return rc;
	return store_wfinish(s, store_run_write(s, st, "writing a translation", e), e);
}
