/* ui/translate — `t` in a conversation: each message's translation under the original
 * (which always stays). Translations come from a LibreTranslate-compatible service
 * (`set translate-url`), fetched by the live worker off the main thread, and are kept in
 * the cache by target language and the text's hash, so a text is asked for once. What
 * comes back is sanitised before it is drawn, as any remote text. */
#include "ui.h"

#include <ctype.h>
#include <string.h>

#include "kontor/crypto.h"
#include "kontor/text.h"

#define PENDING_MAX 512 /* texts asked for (or failed) in this session */

/* Texts asked for in this session: pending until the worker answers; failed ones are not
 * asked again until `t` is pressed anew. */
static struct {
	char hash[KCRYPTO_HASH_B64_LEN + 1];
	int failed;
} asked[PENDING_MAX];
static int nasked;

static int asked_find(const char *hash)
{
	for (int i = 0; i < nasked; i++)
		if (strcmp(asked[i].hash, hash) == 0)
			return i;
	return -1;
}

void ui_translate_lang(struct ui *u, char out[16])
{
	if (u->cfg->translate_lang[0]) {
		snprintf(out, 16, "%s", u->cfg->translate_lang);
		return;
	}
	struct account a;
	if (u->c->self_id[0] && store_account_get(u->s, u->c->self_id, &a, NULL) == K_OK) {
		const char *l = a.languages.n ? a.languages.v[0] : NULL;
		int ok = l && strlen(l) >= 2 && strlen(l) < 16;
		for (const char *p = l; ok && *p; p++)
			ok = isalpha((unsigned char)*p) || *p == '-';
		if (ok)
			snprintf(out, 16, "%s", l);
		account_free(&a);
		if (ok)
			return;
	}
	const char *env = getenv("LANG");
	if (env && islower((unsigned char)env[0]) && islower((unsigned char)env[1]) &&
	    (env[2] == '\0' || env[2] == '_' || env[2] == '.' || env[2] == '@')) {
		snprintf(out, 16, "%.2s", env);
		return;
	}
	snprintf(out, 16, "en");
}

/* Rebuilds the open conversation, keeping the reader at the end when he was there. */
static void rebuild(struct ui *u)
{
	struct ui_view *v = &u->views[VIEW_MESSAGES];
	int h = ui_body_rows(u);
	int at_end = v->top >= v->n - h;
	ui_view_build(u, VIEW_MESSAGES);
	if (at_end)
		v->top = v->n > h ? v->n - h : 0;
	ui_view_set_rows(u, v, v->n);
	u->dirty |= DIRTY_BODY;
}

void ui_translate_toggle(struct ui *u)
{
	if (!u->cfg->translate_url[0]) {
		ui_say(u, "no translate-url set (see kontor.conf(5))");
		return;
	}
	u->translate = !u->translate;
	if (u->translate) {
		for (int i = 0; i < nasked; i++) /* a new `t` tries failed ones again */
			if (asked[i].failed)
				asked[i] = asked[--nasked], i--;
		char lang[16];
		ui_translate_lang(u, lang);
		ui_say(u, "translations to %s under each message (t hides them)", lang);
	} else {
		ui_say(u, "translations hidden");
	}
	rebuild(u);
}

/* A translation arrived or failed (live.c calls it on the main thread). */
static void translated(struct ui *u, const char *hash, const char *error)
{
	int k = asked_find(hash);
	if (k >= 0) {
		if (error)
			asked[k].failed = 1;
		else
			asked[k] = asked[--nasked]; /* in the cache now */
	}
	if (error)
		ui_say(u, "error: translation: %s", error);
	if (u->translate && u->tab_view[TAB_CHAT] == VIEW_MESSAGES)
		rebuild(u);
}

void ui_translate_lines(struct ui *u, const char *text, int width, struct kstrv *out)
{
	if (!u->translate || !u->cfg->translate_url[0] || !text || !text[0])
		return;
	char hash[KCRYPTO_HASH_B64_LEN + 1], lang[16];
	kcrypto_hash_b64url(text, strlen(text), hash);
	ui_translate_lang(u, lang);
	char *tr = NULL, *det = NULL;
	struct kbuf line = KBUF_INIT, safe = KBUF_INIT;
	if (store_translation_get(u->s, lang, hash, &tr, &det, NULL) == K_OK) {
		/* the same language, or nothing changed: the original says it all */
		if (strcmp(tr, text) != 0 && strcmp(det, lang) != 0) {
			text_sanitize(&safe, tr, strlen(tr), 1);
			if (det[0]) {
				struct kbuf d = KBUF_INIT;
				text_sanitize(&d, det, strlen(det), 0);
				kbuf_printf(&line, "[%.8s→%s] ", kbuf_str(&d), lang);
				kbuf_free(&d);
			} else {
				kbuf_printf(&line, "[→%s] ", lang);
			}
			kbuf_puts(&line, kbuf_str(&safe));
			ui_wrap(kbuf_str(&line), width, "    » ", out);
		}
	} else {
		int k = asked_find(hash);
		if (k < 0 && nasked < PENDING_MAX &&
		    ui_live_translate(u, u->cfg->translate_url, lang, hash, text, translated) ==
		        0) {
			k = nasked++;
			snprintf(asked[k].hash, sizeof asked[k].hash, "%s", hash);
			asked[k].failed = 0;
		}
		if (k >= 0 && asked[k].failed)
			kstrv_push(out, "    » (no translation: see the status line)");
		else if (k >= 0)
			kstrv_push(out, "    » translating…");
	}
	free(tr);
	free(det);
	kbuf_free(&line);
	kbuf_free(&safe);
}
