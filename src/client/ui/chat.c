/* ui/chat — the Chat tab: conversations from the cache with unread counts, one
 * conversation oldest first (each message opened with our key, as `chat show` does), and
 * sending through `chat send` in the command table, never a second implementation. */
#include "ui.h"

#include <stdlib.h>
#include <string.h>

#include "kontor/crypto.h"
#include "kontor/ktime.h"
#include "kontor/text.h"

#define CHAT_TEXT_MAX 16000

static const char *jstr(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static const char *peer_of(const cJSON *conv, const char *self)
{
	const cJSON *p, *parts = cJSON_GetObjectItemCaseSensitive(conv, "participants");
	cJSON_ArrayForEach(p, parts) if (cJSON_IsString(p) &&
	                                 strcmp(p->valuestring, self) != 0) return p->valuestring;
	return NULL;
}

static char *name_of(struct store *s, const char *id)
{
	struct kbuf b = KBUF_INIT;
	struct account a;
	if (id && store_account_get(s, id, &a, NULL) == K_OK) {
		text_sanitize(&b, a.display_name, strlen(a.display_name), 0);
		account_free(&a);
	} else {
		kbuf_printf(&b, "%.12s…", id ? id : "?");
	}
	return kbuf_detach(&b, NULL);
}

void ui_chat_free(struct ui *u)
{
	for (int i = 0; i < u->nconvs; i++)
		free(u->convs[i].peer);
	free(u->convs);
	u->convs = NULL;
	u->nconvs = 0;
	for (int i = 0; i < u->nmsgs; i++) {
		free(u->msgs[i].head);
		free(u->msgs[i].text);
	}
	free(u->msgs);
	u->msgs = NULL;
	u->nmsgs = 0;
}

struct conv_walk {
	struct ui *u;
	int cap;
};

static int add_conv(void *vctx, const cJSON *o)
{
	struct conv_walk *w = vctx;
	struct ui *u = w->u;
	const char *id = jstr(o, "id");
	if (!id)
		return 0;
	if (u->nconvs == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		u->convs = xrealloc(u->convs, (size_t)w->cap * sizeof *u->convs);
	}
	struct conv_row *r = &u->convs[u->nconvs++];
	memset(r, 0, sizeof *r);
	/* ids from the node are drawn: cleaned like any other text from elsewhere */
	struct kbuf b = KBUF_INIT;
	text_sanitize(&b, id, strlen(id), 0);
	snprintf(r->id, sizeof r->id, "%s", kbuf_str(&b));
	kbuf_reset(&b);
	const char *lid = jstr(o, "listingId");
	text_sanitize(&b, lid ? lid : "", lid ? strlen(lid) : 0, 0);
	snprintf(r->listing, sizeof r->listing, "%s", kbuf_str(&b));
	kbuf_free(&b);
	r->peer = name_of(u->s, peer_of(o, u->c->self_id));
	r->unread = store_conversation_unread(u->s, id);
	return 0;
}

void ui_chats_load(struct ui *u)
{
	for (int i = 0; i < u->nconvs; i++)
		free(u->convs[i].peer);
	u->nconvs = 0;
	free(u->convs);
	u->convs = NULL;
	struct kerr e = {0};
	struct conv_walk w = {u, 0};
	int rc = ctx_self(u->c, &e);
	if (rc == K_OK)
		rc = store_object_each(u->s, "Conversation", NULL, add_conv, &w, &e);
	if (rc)
		ui_say(u, "%s", e.msg);
	struct ui_view *v = &u->views[VIEW_CHATS];
	if (v->cur >= u->nconvs)
		v->cur = u->nconvs ? u->nconvs - 1 : 0;
	ui_view_set_rows(u, v, u->nconvs);
	u->dirty |= DIRTY_BODY;
}

void ui_chats_row(struct ui *u, int i, struct kbuf *out, int width)
{
	const struct conv_row *r = &u->convs[i];
	struct kbuf line = KBUF_INIT;
	kbuf_puts(&line, "  ");
	text_clip(&line, r->peer, 32, 1);
	if (r->unread)
		kbuf_printf(&line, "  %4d unread", r->unread);
	else
		kbuf_printf(&line, "  %11s", "");
	kbuf_printf(&line, "  %s", r->id);
	if (r->listing[0])
		kbuf_printf(&line, "  listing %s", r->listing);
	text_clip(out, kbuf_str(&line), (size_t)width, 1);
	kbuf_free(&line);
}

struct msg_walk {
	struct ui *u;
	int cap;
	struct kstrv pending; /* ids of messages the outbox still holds */
};

/* A message written here that the node does not have yet: its Message/set is still in the
 * outbox (issue 17: an offline message showed as sent). */
static int pending_msg(void *vctx, const struct outbox_item *it)
{
	struct msg_walk *w = vctx;
	if (it->method && strcmp(it->method, "Message/set") == 0 && it->object_id)
		kstrv_push(&w->pending, it->object_id);
	return 0;
}

static int is_pending(const struct msg_walk *w, const char *id)
{
	for (size_t i = 0; id && i < w->pending.n; i++)
		if (strcmp(w->pending.v[i], id) == 0)
			return 1;
	return 0;
}

static int add_msg(void *vctx, const cJSON *m)
{
	struct msg_walk *w = vctx;
	struct ui *u = w->u;
	struct ctx *c = u->c;
	const char *from = jstr(m, "from"), *to = jstr(m, "to");
	const char *other = from && strcmp(from, c->self_id) == 0 ? to : from;
	uint8_t pk[KCRYPTO_PK_BYTES], raw[24 + CHAT_TEXT_MAX + 64];
	size_t nn = 0, cn = 0;
	struct kbuf plain = KBUF_INIT, head = KBUF_INIT, safe = KBUF_INIT;
	struct kerr e = {0};
	const char *nonce = jstr(m, "nonce"), *ct = jstr(m, "ciphertext");
	/* The other party's key opens it, whichever way it went. */
	int ok =
	    other && nonce && ct && kcrypto_account_pk(other, pk, &e) == K_OK &&
	    kcrypto_b64_decode(nonce, strlen(nonce), KB64_STD, raw, 24, &nn) == K_OK && nn == 24 &&
	    kcrypto_b64_decode(ct, strlen(ct), KB64_STD, raw + 24, sizeof raw - 24, &cn) == K_OK &&
	    kcrypto_box_open(raw, 24 + cn, pk, c->kp.sk, &plain, &e) == K_OK;
	if (u->nmsgs == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		u->msgs = xrealloc(u->msgs, (size_t)w->cap * sizeof *u->msgs);
	}
	char sent[KTIME_LOCAL_MAX];
	kbuf_puts(&head, ktime_local(jstr(m, "sent"), sent, sizeof sent));
	kbuf_puts(&head, "  ");
	if (from && strcmp(from, c->self_id) == 0) {
		kbuf_puts(&head, "you");
		if (is_pending(w, jstr(m, "id")))
			kbuf_puts(&head, "  … pending (not on the node yet)");
	} else {
		char *n = name_of(u->s, from);
		kbuf_puts(&head, n);
		free(n);
	}
	if (ok)
		text_sanitize(&safe, plain.data, plain.len, 1);
	u->msgs[u->nmsgs].head = kbuf_detach(&head, NULL);
	u->msgs[u->nmsgs].text = ok ? kbuf_detach(&safe, NULL) : NULL;
	u->nmsgs++;
	kbuf_free(&plain);
	kbuf_free(&safe);
	return 0;
}

void ui_messages_build(struct ui *u, int width)
{
	struct ui_view *v = &u->views[VIEW_MESSAGES];
	if (!u->conv_id[0])
		return;
	kstrv_free(&v->lines);
	v->built_width = width;
	if (!u->nmsgs)
		kstrv_push(&v->lines, "no messages yet — press i to write one");
	for (int i = 0; i < u->nmsgs; i++) {
		kstrv_push(&v->lines, u->msgs[i].head);
		ui_wrap(u->msgs[i].text ? u->msgs[i].text : "(cannot be opened: not sealed to you)",
		        width, "    ", &v->lines);
		ui_translate_lines(u, i, width, &v->lines); /* `t`: the translation under it */
	}
	ui_view_set_rows(u, v, (int)v->lines.n);
}

void ui_messages_open(struct ui *u, const char *conv_id)
{
	struct kerr e = {0};
	if (ui_identity(u, &e) != K_OK) {
		ui_say(u, "%s (press Enter to try again)", e.msg);
		return;
	}
	if (conv_id != u->conv_id)
		snprintf(u->conv_id, sizeof u->conv_id, "%s", conv_id);
	u->conv_peer[0] = '\0';
	for (int i = 0; i < u->nconvs; i++)
		if (strcmp(u->convs[i].id, u->conv_id) == 0)
			snprintf(u->conv_peer, sizeof u->conv_peer, "%s", u->convs[i].peer);
	for (int i = 0; i < u->nmsgs; i++) {
		free(u->msgs[i].head);
		free(u->msgs[i].text);
	}
	u->nmsgs = 0;
	struct msg_walk w = {u, 0, {0}};
	free(u->msgs);
	u->msgs = NULL;
	if (store_outbox_each(u->s, pending_msg, &w, &e) != K_OK ||
	    store_object_each(u->s, "Message", u->conv_id, add_msg, &w, &e) != K_OK)
		ui_say(u, "%s", e.msg);
	kstrv_free(&w.pending);
	store_conversation_read(u->s, u->conv_id, NULL);
	ui_messages_build(u, COLS);
	struct ui_view *v = &u->views[VIEW_MESSAGES];
	/* the newest at the bottom of the screen */
	int h = ui_body_rows(u);
	v->top = v->n > h ? v->n - h : 0;
	u->tab_view[TAB_CHAT] = VIEW_MESSAGES;
	u->dirty |= DIRTY_ALL;
}

void ui_chats_open(struct ui *u, int i)
{
	if (i < u->nconvs)
		ui_messages_open(u, u->convs[i].id);
}

void ui_chat_send(struct ui *u, const char *text)
{
	if (text[0] == '@') {
		/* `chat send` reads @FILE: a typed message never names a file */
		ui_say(u,
		       "a message starting with @ would be read as a file: start it with a space");
		return;
	}
	char *argv[5] = {"chat", "send", u->conv_id, (char *)text, NULL};
	char conv[32];
	snprintf(conv, sizeof conv, "%s", u->conv_id);
	argv[2] = conv;
	ui_run_command(u, 4, argv, NULL);
	ui_chats_load(u);
	ui_messages_open(u, u->conv_id);
}
