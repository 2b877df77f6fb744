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
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT text, coalesce(detected, '') FROM translations"
	                       " WHERE lang = ?1 AND hash = ?2",
	                       -1, &st, NULL) != SQLITE_OK)
		return store_dberr(s, e, "reading a translation");
	store_bind_text(st, 1, lang);
	store_bind_text(st, 2, hash);
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
	int rc = store_wbegin(s, e);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
	                       "INSERT INTO translations(lang, hash, text, detected, created)"
	                       " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(lang, hash) DO UPDATE"
	                       " SET text = excluded.text, detected = excluded.detected",
	                       -1, &st, NULL) != SQLITE_OK)
		return store_wfinish(s, store_dberr(s, e, "writing a translation"), e);
	store_bind_text(st, 1, lang);
	store_bind_text(st, 2, hash);
	store_bind_text(st, 3, text);
	store_bind_text(st, 4, detected ? detected : "");
	store_bind_text(st, 5, now);
	rc = sqlite3_step(st) == SQLITE_DONE ? K_OK : store_dberr(s, e, "writing a translation");
	sqlite3_finalize(st);
	return store_wfinish(s, rc, e);
}
