/* ui/chat — the Chat tab: conversations from the cache with unread counts, one
 * conversation oldest first (each message opened with our key, as `chat show` does), and
 * sending through `chat send` in the command table, never a second implementation. */
#include "ui.h"

#include "../inbox.h"

#include <stdlib.h>
#include <string.h>

#include "kontor/json.h"
#include "kontor/crypto.h"
#include "kontor/ktime.h"
#include "kontor/text.h"

struct conv_row {
	char id[32];
	char *about; /* inbox_chat_about's words; NULL: about nothing in particular */
	char *peer;  /* display name, sanitised */
	char *last;  /* its last message on one line ("you: ..."); NULL: none, or key locked */
	int unread;
	char updated[32]; /* its last change (RFC 3339, UTC), as the store orders them */
};

struct msg_item {
	char *head; /* "2026-11-23T09:12:18Z  you" */
	char *text; /* sanitised, or NULL when it cannot be opened */
};

/* The Chat tab's own state, in the conversations view's priv (made on first use, freed by
 * its ops->free): the conversations, the one open and its messages. */
struct chat_ui {
	struct conv_row *convs;
	int nconvs;
	int name_w; /* the names' column: as wide as the widest (12 to 28), read at each load */
	char conv_id[32];
	char conv_peer[128];
	struct msg_item *msgs;
	int nmsgs;
};

static struct chat_ui *state(struct ui *u)
{
	struct ui_view *v = &u->views[VIEW_CHATS];
	if (!v->priv)
		v->priv = xcalloc(1, sizeof(struct chat_ui));
	return v->priv;
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

/* What a conversation is about (inbox_chat_about, its quoted title cut at cols bytes, 0:
 * whole); NULL when about nothing in particular. */
static char *about_of(struct store *s, const cJSON *conv, size_t cols)
{
	struct kbuf b = KBUF_INIT;
	inbox_chat_about(s, conv, cols, &b);
	return b.len ? kbuf_detach(&b, NULL) : NULL;
}

/* Its last message on one line, when the key is open (a list never asks for it). */
static char *last_of(struct ui *u, const char *conv_id)
{
	if (!u->c->have_key)
		return NULL;
	struct kbuf b = KBUF_INIT;
	inbox_chat_last(u->s, conv_id, u->c->self_id, &u->c->kp, 200, &b);
	if (b.len)
		return kbuf_detach(&b, NULL);
	kbuf_free(&b);
	return NULL;
}

static void convs_clear(struct chat_ui *st)
{
	for (int i = 0; i < st->nconvs; i++)
		free(st->convs[i].peer), free(st->convs[i].about), free(st->convs[i].last);
	st->nconvs = 0;
}

void ui_chat_free(struct ui *u)
{
	struct chat_ui *st = u->views[VIEW_CHATS].priv;
	if (!st)
		return;
	convs_clear(st);
	free(st->convs);
	for (int i = 0; i < st->nmsgs; i++) {
		free(st->msgs[i].head);
		free(st->msgs[i].text);
	}
	free(st->msgs);
	free(st);
	u->views[VIEW_CHATS].priv = NULL;
}

void ui_chats_title(struct ui *u, struct kbuf *out)
{
	kbuf_printf(out, "Conversations (%d)   Enter opens", state(u)->nconvs);
}

void ui_messages_title(struct ui *u, struct kbuf *out)
{
	struct chat_ui *st = state(u);
	/* the keys before the id, so that 80 columns keep them; the id's start names it */
	kbuf_printf(out, "Conversation with %s   i writes · q back   %.8s", st->conv_peer,
	            st->conv_id);
}

static int add_conv(void *vctx, const cJSON *o)
{
	struct ui_walk *w = vctx;
	struct ui *u = w->u;
	const char *id = json_str(o, "id");
	/* ids from the node are drawn: cleaned like any other text from elsewhere */
	struct conv_row *r = ui_walk_row(w, id);
	if (!r)
		return 0;
	r->last = last_of(u, id);
	r->about = about_of(u->s, o, r->last ? 40 : 0); /* the last message follows it */
	r->peer = name_of(u->s, peer_of(o, u->c->self_id));
	r->unread = store_conversation_unread(u->s, id);
	const char *upd = json_str(o, "updated") ? json_str(o, "updated") : json_str(o, "created");
	snprintf(r->updated, sizeof r->updated, "%s", upd ? upd : "");
	return 0;
}

void ui_chats_load(struct ui *u)
{
	struct chat_ui *st = state(u);
	struct ui_view *v = &u->views[VIEW_CHATS];
	char keep[sizeof st->convs->id];
	ui_rows_keep(v, st->convs, st->nconvs, sizeof *st->convs, offsetof(struct conv_row, id),
	             keep, sizeof keep);
	convs_clear(st);
	free(st->convs);
	st->convs = NULL;
	struct kerr e = {0}, ke = {0};
	if (!u->c->have_key && !ui_key_locked(u))
		ui_identity(u, &ke); /* opens without asking: the last messages show */
	struct ui_walk w = {u, .size = sizeof *st->convs, .id_at = offsetof(struct conv_row, id),
	                    .id_cap = sizeof st->convs->id};
	int rc = ctx_self(u->c, &e);
	if (rc == K_OK)
		rc = store_object_each(u->s, "Conversation", NULL, add_conv, &w, &e);
	st->convs = w.rows;
	st->nconvs = w.n;
	st->name_w = 12;
	for (int i = 0; i < st->nconvs; i++) {
		int nw = (int)text_width(st->convs[i].peer);
		st->name_w = nw > st->name_w ? (nw < 28 ? nw : 28) : st->name_w;
	}
	ui_rows_settle(u, v, st->convs, st->nconvs, sizeof *st->convs,
	               offsetof(struct conv_row, id), NULL, keep, rc ? e.msg : NULL);
	u->dirty |= DIRTY_BODY;
}

void ui_chats_row(struct ui *u, int i, struct kbuf *out, int width)
{
	struct chat_ui *st = state(u);
	const struct conv_row *r = &st->convs[i];
	struct kbuf line = KBUF_INIT;
	char when[KTIME_LOCAL_MAX] = "";
	if (r->updated[0])
		ktime_local(r->updated, when, sizeof when); /* "2026-12-07 17:38 UTC" */
	kbuf_puts(&line, "  ");
	text_clip(&line, r->peer, (size_t)(st->name_w ? st->name_w : 28), 1);
	if (r->unread)
		kbuf_printf(&line, "  %4d unread", r->unread);
	else
		kbuf_printf(&line, "  %11s", "");
	/* its last message's day and time, as the Inbox says them ("12-07 17:38") */
	kbuf_puts(&line, "  ");
	text_clip(&line, strlen(when) >= 16 ? when + 5 : when, 11, 1);
	if (r->about)
		kbuf_printf(&line, "  %s", r->about);
	if (r->last) /* what was said last, what may wait for her: cut to fit with … */
		kbuf_printf(&line, "%s%s", r->about ? ": " : "  ", r->last);
	text_clip_mark(out, kbuf_str(&line), (size_t)width, 1);
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
	struct chat_ui *st = state(u);
	struct ctx *c = u->c;
	const char *from = json_str(m, "from");
	struct kbuf plain = KBUF_INIT, head = KBUF_INIT, safe = KBUF_INIT;
	/* the other party's key opens it, whichever way it went */
	int ok = inbox_chat_open(m, c->self_id, &c->kp, &plain);
	st->msgs = ui_grow(st->msgs, st->nmsgs, &w->cap, sizeof *st->msgs);
	char sent[KTIME_LOCAL_MAX];
	kbuf_puts(&head, ktime_local(json_str(m, "sent"), sent, sizeof sent));
	kbuf_puts(&head, "  ");
	if (from && strcmp(from, c->self_id) == 0) {
		kbuf_puts(&head, "you");
		if (is_pending(w, json_str(m, "id")))
			kbuf_puts(&head, "  … pending (not on the node yet)");
	} else {
		char *n = name_of(u->s, from);
		kbuf_puts(&head, n);
		free(n);
	}
	if (ok)
		text_sanitize(&safe, plain.data, plain.len, 1);
	st->msgs[st->nmsgs].head = kbuf_detach(&head, NULL);
	st->msgs[st->nmsgs].text = ok ? kbuf_detach(&safe, NULL) : NULL;
	st->nmsgs++;
	kbuf_free(&plain);
	kbuf_free(&safe);
	return 0;
}

void ui_messages_build(struct ui *u, int width)
{
	struct chat_ui *st = state(u);
	struct ui_view *v = ui_build_begin(u, VIEW_MESSAGES, st->conv_id, width);
	if (!v)
		return;
	if (!st->nmsgs)
		kstrv_push(&v->lines, "no messages yet — press i to write one");
	for (int i = 0; i < st->nmsgs; i++) {
		kstrv_push(&v->lines, st->msgs[i].head);
		ui_wrap(st->msgs[i].text ? st->msgs[i].text
		                         : "(cannot be opened: not sealed to you)",
		        width, "    ", &v->lines);
		ui_translate_lines(u, st->msgs[i].text, width, &v->lines); /* `t`: under it */
	}
	ui_view_set_rows(u, v, (int)v->lines.n);
}

int ui_messages_open(struct ui *u, const char *conv_id)
{
	struct chat_ui *st = state(u);
	struct kerr e = {0};
	if (ui_identity(u, &e) != K_OK) {
		ui_say(u, "%s (press Enter to try again)", e.msg);
		return 0;
	}
	if (conv_id != st->conv_id)
		snprintf(st->conv_id, sizeof st->conv_id, "%s", conv_id);
	st->conv_peer[0] = '\0';
	for (int i = 0; i < st->nconvs; i++)
		if (strcmp(st->convs[i].id, st->conv_id) == 0)
			snprintf(st->conv_peer, sizeof st->conv_peer, "%s", st->convs[i].peer);
	for (int i = 0; i < st->nmsgs; i++) {
		free(st->msgs[i].head);
		free(st->msgs[i].text);
	}
	st->nmsgs = 0;
	struct msg_walk w = {u, 0, {0}};
	free(st->msgs);
	st->msgs = NULL;
	if (store_outbox_each(u->s, pending_msg, &w, &e) != K_OK ||
	    store_object_each(u->s, "Message", st->conv_id, add_msg, &w, &e) != K_OK)
		ui_say(u, "%s", e.msg);
	kstrv_free(&w.pending);
	store_conversation_read(u->s, st->conv_id, NULL);
	ui_messages_build(u, COLS);
	struct ui_view *v = &u->views[VIEW_MESSAGES];
	/* the newest at the bottom of the screen */
	int h = ui_body_rows(u);
	v->top = v->n > h ? v->n - h : 0;
	u->tab_view[TAB_CHAT] = VIEW_MESSAGES;
	u->dirty |= DIRTY_ALL;
	return 1;
}

void ui_chats_open(struct ui *u, int i)
{
	struct chat_ui *st = state(u);
	if (i < st->nconvs)
		ui_messages_open(u, st->convs[i].id);
}

void ui_chat_send(struct ui *u, const char *text)
{
	struct chat_ui *st = state(u);
	if (text[0] == '@') {
		/* `chat send` reads @FILE: a typed message never names a file */
		ui_say(u,
		       "a message starting with @ would be read as a file: start it with a space");
		return;
	}
	char *argv[5] = {"chat", "send", st->conv_id, (char *)text, NULL};
	char conv[32];
	snprintf(conv, sizeof conv, "%s", st->conv_id);
	argv[2] = conv;
	ui_run_command(u, 4, argv, NULL);
	ui_chats_load(u);
	ui_messages_open(u, st->conv_id);
}

/* The open conversation read again: new messages show at the bottom; a reader scrolled up
 * stays where he is. */
void ui_messages_reload(struct ui *u)
{
	struct chat_ui *st = state(u);
	if (u->tab_view[TAB_CHAT] != VIEW_MESSAGES || !st->conv_id[0])
		return;
	struct ui_view *v = &u->views[VIEW_MESSAGES];
	int h = ui_body_rows(u), top = v->top;
	int at_end = v->top >= v->n - h;
	ui_messages_open(u, st->conv_id);
	if (!at_end) {
		v->top = top;
		ui_view_set_rows(u, v, v->n);
	}
}

/* The conversation view's own keys (its ops->action): E writes in the editor, t shows or
 * hides the translations. */
int ui_messages_action(struct ui *u, enum ui_action act)
{
	if (act == ACT_TRANSLATE) {
		ui_translate_toggle(u);
		return 1;
	}
	if (act != ACT_EDITOR)
		return 0;
	if (!state(u)->conv_id[0]) {
		ui_say(u, "open a conversation first");
		return 1;
	}
	char *text = ui_compose_editor(u);
	if (text)
		ui_chat_send(u, text);
	free(text);
	return 1;
}
