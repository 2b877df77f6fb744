/* chat — conversations with other businesses, sealed end to end: a message is encrypted here
 * to the other party's key (crypto_box, fresh nonce) and the node stores only ciphertext and
 * routing data. Cache first: `chat list` and `chat show` read what sync brought. */
#include "cmd.h"
#include "resolve.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "../inbox.h"
#include "../store/store.h"
#include "kontor/buf.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "kontor/model.h"
#include "kontor/text.h"

#define CHAT_TEXT_MAX 16000

/* "C" or "M" + 22 characters of base64url: 128 random bits. */
static void new_id(char prefix, char out[24])
{
	uint8_t r[16];
	struct kbuf b = KBUF_INIT;
	kcrypto_random(r, sizeof r);
	kcrypto_b64_encode(r, sizeof r, KB64_URL_NOPAD, &b);
	snprintf(out, 24, "%c%s", prefix, kbuf_str(&b));
	kbuf_free(&b);
}

/* A new conversation's id, alike on both sides: its topic under the two parties' shared key
 * (kcrypto_pair_id). Her first message and his, each sent before either has synced the
 * other's, meet in one conversation, and no one else can take its id first. */
static int conversation_id(const struct ctx *c, const char *peer, const char *listing,
                           const char *order, char out[24], struct kerr *e)
{
	uint8_t pk[KCRYPTO_PK_BYTES], id[16];
	int rc = kcrypto_account_pk(peer, pk, e);
	if (rc)
		return rc;
	struct kbuf what = KBUF_INIT, b = KBUF_INIT;
	kbuf_printf(&what, "kontor conversation 1\nlisting %s\norder %s", listing ? listing : "",
	            order ? order : "");
	kcrypto_pair_id(pk, c->kp.sk, what.data, what.len, id);
	kcrypto_b64_encode(id, sizeof id, KB64_URL_NOPAD, &b);
	snprintf(out, 24, "C%s", kbuf_str(&b));
	kbuf_free(&what);
	kbuf_free(&b);
	return K_OK;
}

struct find_conv {
	const char *peer, *listing, *order;
	cJSON *found;
	int any; /* any conversation with peer (the newest), whatever it is about */
};

static int match_conv(void *vctx, const cJSON *o)
{
	struct find_conv *f = vctx;
	const cJSON *p, *parts = cJSON_GetObjectItemCaseSensitive(o, "participants");
	int has = 0;
	cJSON_ArrayForEach(p, parts) has |=
	    cJSON_IsString(p) && strcmp(p->valuestring, f->peer) == 0;
	const char *l = json_str(o, "listingId"), *od = json_str(o, "orderId");
	int about = f->order     ? od && strcmp(od, f->order) == 0
	            : f->listing ? l && strcmp(l, f->listing) == 0
	                         : f->any || (!l && !od);
	if (has && about) {
		f->found = cJSON_Duplicate(o, 1);
		return 1;
	}
	return 0;
}

/* The other participant of a conversation. */
static const char *peer_of(const cJSON *conv, const char *self)
{
	const cJSON *p, *parts = cJSON_GetObjectItemCaseSensitive(conv, "participants");
	cJSON_ArrayForEach(p, parts) if (cJSON_IsString(p) &&
	                                 strcmp(p->valuestring, self) != 0) return p->valuestring;
	return NULL;
}

/* CONV|ACCOUNT|LISTING -> a conversation in the cache (*conv), or the peer to open one with.
 * listing NULL: any conversation with that party will do (the newest); otherwise the one
 * about order (when given), else about *listing (NULL: about nothing in particular), and a
 * LISTING sets *listing. */
static int resolve(struct ctx *c, struct store *s, const char *word, const char *order,
                   const char **listing, char listing_buf[RESOLVE_ID_MAX + 1], cJSON **conv,
                   char peer[KCRYPTO_ID_LEN + 1], struct kerr *e)
{
	*conv = NULL;
	peer[0] = '\0';
	struct resolved r;
	int rc =
	    resolve_word(c, RESOLVE_CONVERSATION | RESOLVE_ACCOUNT | RESOLVE_LISTING, word, &r, e);
	if (rc)
		return rc;
	const char *who = r.id;
	if (r.kind == RESOLVE_CONVERSATION &&
	    store_object_get(s, "Conversation", who, conv, NULL) == K_OK)
		return K_OK;
	struct listing l;
	uint8_t pk[KCRYPTO_PK_BYTES];
	struct kerr ignore = {0};
	if (r.kind == RESOLVE_LISTING && store_listing_get(s, who, &l, NULL) == K_OK) {
		snprintf(peer, KCRYPTO_ID_LEN + 1, "%s", l.seller_id);
		listing_free(&l);
		if (listing && !*listing) { /* a conversation about that listing */
			snprintf(listing_buf, RESOLVE_ID_MAX + 1, "%s", who);
			*listing = listing_buf;
		}
	} else if (r.kind == RESOLVE_ACCOUNT && kcrypto_account_pk(who, pk, &ignore) == K_OK) {
		snprintf(peer, KCRYPTO_ID_LEN + 1, "%s", who);
	} else {
		return kerr_set(
		    e, K_ENOTFOUND,
		    "'%s' is not a conversation, an account id or a listing in the cache "
		    "(try `kontor sync`)",
		    who);
	}
	if (strcmp(peer, c->self_id) == 0)
		return kerr_set(e, K_EINVAL, "that is you: a conversation needs another party");
	struct find_conv f = {peer, listing ? *listing : NULL, order, NULL, listing == NULL};
	rc = store_object_each(s, "Conversation", NULL, match_conv, &f, e);
	if (rc < 0)
		return rc;
	*conv = f.found;
	return K_OK;
}

static int run_chat_send(struct ctx *c, const struct args *a, struct kerr *e)
{
	const char *text = a->pos[1], *listing = arg_get(a, "listing"),
	           *order = arg_get(a, "order");
	char listing_buf[RESOLVE_ID_MAX + 1], order_buf[RESOLVE_ID_MAX + 1];
	struct kbuf body = KBUF_INIT;
	int rc = K_OK;
	if (listing &&
	    !(rc = resolve_id(c, RESOLVE_LISTING, listing, listing_buf, sizeof listing_buf, e)))
		listing = listing_buf;
	if (!rc && order &&
	    !(rc = resolve_id(c, RESOLVE_ORDER, order, order_buf, sizeof order_buf, e)))
		order = order_buf;
	if (rc)
		return rc;
	if (text[0] == '@') {
		if ((rc = ctx_read_file(c, text + 1, CHAT_TEXT_MAX, &body, e)))
			return rc;
	} else {
		kbuf_puts(&body, text);
	}
	if (!body.len || !utf8_valid(body.data, body.len)) {
		kbuf_free(&body);
		return kerr_set(e, K_EINVAL, "chat send: the message is empty or not UTF-8");
	}
	if (body.len > CHAT_TEXT_MAX) {
		kbuf_free(&body);
		return kerr_set(e, K_ETOOBIG, "chat send: a message is at most %d bytes",
		                CHAT_TEXT_MAX);
	}
	struct store *s;
	cJSON *conv = NULL;
	char peer[KCRYPTO_ID_LEN + 1];
	if (!(rc = ctx_identity(c, e)) && !(rc = ctx_store(c, &s, e)))
		rc = resolve(c, s, a->pos[0], order, &listing, listing_buf, &conv, peer, e);
	if (rc) {
		kbuf_free(&body);
		return rc;
	}
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	int fresh = conv == NULL;
	if (fresh) {
		char cid[24];
		if ((rc = conversation_id(c, peer, listing, order, cid, e))) {
			kbuf_free(&body);
			return rc;
		}
		conv = cJSON_CreateObject();
		cJSON_AddStringToObject(conv, "id", cid);
		cJSON *parts = cJSON_AddArrayToObject(conv, "participants");
		cJSON_AddItemToArray(parts, cJSON_CreateString(c->self_id));
		cJSON_AddItemToArray(parts, cJSON_CreateString(peer));
		if (listing)
			cJSON_AddStringToObject(conv, "listingId", listing);
		if (order)
			cJSON_AddStringToObject(conv, "orderId", order);
		cJSON_AddStringToObject(conv, "created", now);
	} else {
		snprintf(peer, sizeof peer, "%s",
		         peer_of(conv, c->self_id) ? peer_of(conv, c->self_id) : "");
	}
	uint8_t pk[KCRYPTO_PK_BYTES];
	struct kbuf boxed = KBUF_INIT, nonce = KBUF_INIT, ct = KBUF_INIT, p1 = KBUF_INIT,
	            p2 = KBUF_INIT;
	cJSON *msg = NULL;
	if ((rc = kcrypto_account_pk(peer, pk, e)))
		goto out;
	kcrypto_box_seal(body.data, body.len, pk, c->kp.sk, &boxed);
	kcrypto_b64_encode(boxed.data, 24, KB64_STD, &nonce);
	kcrypto_b64_encode(boxed.data + 24, boxed.len - 24, KB64_STD, &ct);
	char mid[24];
	new_id('M', mid);
	msg = cJSON_CreateObject();
	cJSON_AddStringToObject(msg, "id", mid);
	cJSON_AddStringToObject(msg, "conversationId", json_str(conv, "id"));
	cJSON_AddStringToObject(msg, "from", c->self_id);
	cJSON_AddStringToObject(msg, "to", peer);
	cJSON_AddStringToObject(msg, "nonce", kbuf_str(&nonce));
	cJSON_AddStringToObject(msg, "ciphertext", kbuf_str(&ct));
	cJSON_AddStringToObject(msg, "sent", now);
	if ((rc = model_validate("Message", msg, e)) ||
	    (rc = model_validate("Conversation", conv, e)))
		goto out;
	json_print(conv, &p1);
	json_print(msg, &p2);
	/* in the cache (not what is sent: the node keeps its own), the conversation is as new
	 * as its newest message, so `chat list` puts it first at once */
	cJSON_DeleteItemFromObjectCaseSensitive(conv, "updated");
	cJSON_AddStringToObject(conv, "updated", now);
	/* The local effect and its outbox entries in one transaction. */
	if ((rc = store_begin(s, e)) == K_OK) {
		rc = store_object_put(s, "Conversation", conv, NULL, c->self_id, e);
		if (!rc)
			rc = store_object_put(s, "Message", msg, NULL, c->self_id, e);
		if (!rc && fresh)
			rc = store_outbox_add(s, "Conversation/set", "create", json_str(conv, "id"),
			                      kbuf_str(&p1), c->node, NULL, e);
		if (!rc)
			rc = store_outbox_add(s, "Message/set", "create", mid, kbuf_str(&p2),
			                      c->node, NULL, e);
		rc = rc ? (store_rollback(s), rc) : store_commit(s, e);
	}
	if (rc)
		goto out;
	rc = cmd_push(c, e);
	if (c->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "conversation", json_str(conv, "id"));
		cJSON_AddStringToObject(o, "message", mid);
		cJSON_AddStringToObject(o, "status",
		                        rc == K_OK        ? "delivered"
		                        : rc == K_EQUEUED ? "queued"
		                                          : "refused");
		cmd_result_json(c, o);
	}
	if (rc == K_EFAIL)
		cmd_result_outbox(c, s, "Message", mid);
	struct kbuf to = KBUF_INIT;
	resolve_account_name(c, peer, &to);
	struct kbuf about = KBUF_INIT;
	inbox_chat_about(s, conv, 0, &about);
	if (about.len)
		kbuf_printf(&to, " %s", kbuf_str(&about));
	kbuf_free(&about);
	cmd_result_set(c, "Message", mid,
	               rc == K_OK        ? "delivered"
	               : rc == K_EQUEUED ? "queued"
	                                 : "refused",
	               "sent to %s in conversation %.8s%s", kbuf_str(&to), json_str(conv, "id"),
	               rc == K_EQUEUED ? ", queued" : "");
	kbuf_free(&to);
out:
	cJSON_Delete(conv);
	cJSON_Delete(msg);
	kbuf_free(&body);
	kbuf_free(&boxed);
	kbuf_free(&nonce);
	kbuf_free(&ct);
	kbuf_free(&p1);
	kbuf_free(&p2);
	return rc;
}

/* A display name for an account id: its profile's name when cached. */
static void name_of(struct store *s, const char *id, struct kbuf *out)
{
	struct account a;
	if (id && store_account_get(s, id, &a, NULL) == K_OK) {
		text_sanitize(out, a.display_name, strlen(a.display_name), 0);
		account_free(&a);
	} else {
		kbuf_printf(out, "%.12s…", id ? id : "?");
	}
}

struct list_ctx {
	struct ctx *c;
	struct store *s;
	int n;
	int open; /* the key is loaded: each last message shows under its conversation */
};

static int list_conv(void *vctx, const cJSON *o)
{
	struct list_ctx *l = vctx;
	struct ctx *c = l->c;
	const char *peer = peer_of(o, c->self_id), *id = json_str(o, "id");
	int unread = store_conversation_unread(l->s, id);
	l->n++;
	if (c->json) {
		cJSON *j = cJSON_Duplicate(o, 1);
		json_add_int(j, "unread", unread);
		resolve_json_name(c, j, peer);
		cmd_print_json(c, j);
		return 0;
	}
	struct kbuf name = KBUF_INIT, about = KBUF_INIT, head = KBUF_INIT, tail = KBUF_INIT;
	resolve_account_name(c, peer, &name);
	inbox_chat_about(l->s, o, 0, &about);
	const char *upd = json_str(o, "updated") ? json_str(o, "updated") : json_str(o, "created");
	char when[KTIME_LOCAL_MAX];
	/* the start of its id, which `chat show` takes, as the other lists print theirs */
	kbuf_printf(&head, "%-8.8s %3d unread  %-21s  ", id, unread,
	            ktime_local(upd, when, sizeof when));
	int width = cmd_table_width(c), hw = (int)text_width(kbuf_str(&head));
	int aw = about.len ? 2 + (int)text_width(kbuf_str(&about)) : 0;
	size_t rest =
	    width > 0 ? (size_t)(width - 10 > 20 ? width - 10 : 20) : 70; /* lines under */
	const char *at = strstr(kbuf_str(&name), " @");
	/* too wide for her terminal: the @handle goes, then what it is about goes under the
	 * name, as the last message does, each cut to fit */
	if (width > 0 && at && hw + (int)text_width(kbuf_str(&name)) + aw > width) {
		name.len = (size_t)(at - kbuf_str(&name));
		name.data[name.len] = '\0';
	}
	int under = width > 0 && about.len && hw + (int)text_width(kbuf_str(&name)) + aw > width;
	kbuf_puts(&tail, kbuf_str(&name));
	if (about.len && !under)
		kbuf_printf(&tail, "  %s", kbuf_str(&about));
	if (width > 0)
		text_clip_mark(&head, kbuf_str(&tail),
		               (size_t)(width - hw > CMD_NAME_LEAST ? width - hw : CMD_NAME_LEAST),
		               0);
	else
		kbuf_puts(&head, kbuf_str(&tail));
	if (under) {
		kbuf_puts(&head, "\n          ");
		text_clip_mark(&head, kbuf_str(&about), rest, 0);
	}
	text_fprintf(c->out, "%s\n", kbuf_str(&head));
	kbuf_free(&name);
	kbuf_free(&about);
	kbuf_free(&head);
	kbuf_free(&tail);
	/* its last message: 70 columns, or as many as her terminal has beside the indent */
	struct kbuf last = KBUF_INIT;
	if (l->open)
		inbox_chat_last(l->s, id, c->self_id, &c->kp, rest, &last);
	if (last.len)
		text_fprintf(c->out, "          %s\n", kbuf_str(&last));
	kbuf_free(&last);
	return 0;
}

static int run_chat_list(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct list_ctx l = {c, NULL, 0, 0};
	int rc = ctx_self(c, e);
	struct kerr ke = {0};
	/* the last messages need the key: shown when it opens without asking */
	l.open = !rc && !c->json && !ctx_key_locked(c) && ctx_identity(c, &ke) == K_OK;
	if (!rc)
		rc = ctx_store(c, &l.s, e);
	if (!rc)
		rc = store_object_each(l.s, "Conversation", NULL, list_conv, &l, e);
	if (rc == K_OK && !l.n && !c->json)
		cmd_note(
		    c, "no conversations yet (`kontor chat send ACCOUNT TEXT`, or `kontor sync`)");
	return rc;
}

struct show_ctx {
	struct ctx *c;
	struct store *s;
	int bad;
};

static int show_msg(void *vctx, const cJSON *m)
{
	struct show_ctx *x = vctx;
	struct ctx *c = x->c;
	const char *from = json_str(m, "from");
	struct kbuf plain = KBUF_INIT;
	int ok = inbox_chat_open(m, c->self_id, &c->kp, &plain);
	if (!ok)
		x->bad++;
	if (c->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "id", json_str(m, "id") ? json_str(m, "id") : "");
		cJSON_AddStringToObject(j, "from", from ? from : "");
		cJSON_AddStringToObject(j, "sent", json_str(m, "sent") ? json_str(m, "sent") : "");
		if (ok)
			cJSON_AddStringToObject(j, "text", kbuf_str(&plain));
		else
			cJSON_AddBoolToObject(j, "unreadable", 1);
		cmd_print_json(c, j);
	} else {
		struct kbuf name = KBUF_INIT, safe = KBUF_INIT;
		if (from && strcmp(from, c->self_id) == 0)
			kbuf_puts(&name, "you");
		else
			name_of(x->s, from, &name);
		if (ok)
			text_sanitize(&safe, plain.data, plain.len, 1);
		char when[KTIME_LOCAL_MAX];
		struct kbuf b = KBUF_INIT;
		kbuf_printf(&b, "%s  %s:\n", ktime_local(json_str(m, "sent"), when, sizeof when),
		            kbuf_str(&name));
		/* each of its lines indented under the sender; on a terminal, wrapped to it */
		cmd_wrap_lines(c, &b, "  ",
		               ok ? kbuf_str(&safe) : "(cannot be opened: not sealed to you)");
		text_fprintf(c->out, "%s\n", kbuf_str(&b));
		kbuf_free(&b);
		kbuf_free(&name);
		kbuf_free(&safe);
	}
	kbuf_free(&plain);
	return 0;
}

static int run_chat_show(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	cJSON *conv = NULL;
	char peer[KCRYPTO_ID_LEN + 1];
	int rc = ctx_identity(c, e);
	if (!rc)
		rc = ctx_store(c, &s, e);
	if (!rc)
		rc = resolve(c, s, a->pos[0], NULL, NULL, NULL, &conv, peer, e);
	if (!rc && !conv)
		rc = kerr_set(e, K_ENOTFOUND, "no conversation with %s yet", a->pos[0]);
	if (rc)
		return rc;
	struct show_ctx x = {c, s, 0};
	rc = store_object_each(s, "Message", json_str(conv, "id"), show_msg, &x, e);
	if (rc == K_OK)
		rc = store_conversation_read(s, json_str(conv, "id"), e);
	cJSON_Delete(conv);
	if (rc == K_OK && x.bad)
		rc = kerr_set(e, K_EVERIFY, "%d message%s could not be opened", x.bad,
		              x.bad == 1 ? "" : "s");
	return rc;
}

const struct cmd_entry cmd_chat_entries[] = {
    {"chat list", "", "list conversations with unread counts", "", 0, 0, run_chat_list,
     "Newest first: the start of each conversation's id (which `kontor chat show` takes),\n"
     "its unread count, when it last changed, the other party, and what it is about: a\n"
     "listing's title, an order with its product, an RFQ with its title. Under each, its\n"
     "last message on one line (\"you: \" before yours), when your key opens without\n"
     "asking (no passphrase, or one from KONTOR_PASSPHRASE or --passphrase-file)."},
    {"chat show", "CONV|ACCOUNT|LISTING", "show a conversation, oldest first", "", 1, 1,
     run_chat_show,
     "Opens each message with your key and the other party's; marks the conversation read."},
    {"chat send", "CONV|ACCOUNT|LISTING TEXT|@FILE [--listing ID] [--order ID]",
     "send a message, sealed end to end", "listing= order=", 2, 2, run_chat_send,
     "To a conversation, an account (@handle, the start of its name, or its id), or a\n"
     "listing's seller (one of your SKUs, its title or the title's start, or the listing's\n"
     "id or its start). A new\n"
     "conversation is opened when there is none with that party (about that listing;\n"
     "with --order, about that order, which takes it by the other party or its product).\n"
     "The text is sealed to the other party's key: the node never sees it."},
    {NULL, NULL, NULL, NULL, 0, 0, NULL, NULL},
};
