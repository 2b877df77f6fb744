/* sync — push the outbox, pull changes; see sync.h for the promises. */
#include "sync.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../progress.h"
#include "../store/photo.h"
#include "../store/store.h"
#include "../store/wallet.h"
#include "http.h"
#include "kontor/buf.h"
#include "kontor/canon.h"
#include "kontor/imagehash.h"
#include "kontor/contract.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "kontor/text.h"

#define UPLOAD_MAX (10u << 20)
#define OPTIMIZE_AFTER 5000 /* listings pulled in one sync before the index is merged */
#define CALLS_MAX 64        /* when the session does not say */
#define STATE_MAX 64

const char *const sync_types[SYNC_NTYPES] = {"Account", "Listing",  "Rfq",   "Conversation",
                                             "Message", "Contract", "Order", "Wallet"};
enum { T_ACCOUNT, T_LISTING, T_RFQ, T_CONVERSATION, T_MESSAGE, T_CONTRACT, T_ORDER, T_WALLET };

struct ksync {
	struct kstrv own; /* our own listings seen as summaries in this page: fetched whole */
	struct store *s;
	struct knet *net;
	struct node_info node;
	char self[KCRYPTO_ID_LEN + 1];
	struct knet_session sess;
	int have_sess;
	char *sess_json; /* fetched during this sync, to be recorded */
	struct progress *prog;
	struct kstrv named; /* a scope's pull: accounts its objects name that the cache lacks */
	int failed; /* a push or pull did not finish: the node is not known to have answered */
};

void ksync_set_progress(struct ksync *k, struct progress *p)
{
	k->prog = p;
}

int sync_scope_is_market(const char *scope)
{
	return !scope || !*scope || strcmp(scope, "market") == 0;
}

cJSON *sync_scope_filter(const char *scope, int t)
{
	if (sync_scope_is_market(scope) || (t != T_LISTING && t != T_RFQ && t != T_ACCOUNT))
		return NULL;
	if (strcmp(scope, "mine") == 0) {
		cJSON *f = cJSON_CreateObject();
		cJSON_AddBoolToObject(f, "mine", 1);
		return f;
	}
	if (t != T_LISTING)
		return NULL; /* a category scope keeps every RFQ and public profile (they are
		              * few, and the no-change request stays within its 1.5 KiB) */
	cJSON *cats = cJSON_Parse(scope);
	if (!cJSON_IsArray(cats) || !cJSON_GetArraySize(cats)) {
		cJSON_Delete(cats);
		return NULL;
	}
	cJSON *f = cJSON_CreateObject();
	cJSON_AddItemToObject(f, "categories", cats);
	return f;
}

/* A node pinned before TLS pins: the TLS key learned on this contact is kept. */
static int pin_learned(void *ctx, const char *tls_pin, struct kerr *e)
{
	struct ksync *k = ctx;
	int rc = store_node_set_tls_pin(k->s, k->node.name, tls_pin, e);
	if (rc == K_OK) {
		free(k->node.tls_pin);
		k->node.tls_pin = xstrdup(tls_pin);
	}
	return rc;
}

void ksync_set_timeout(struct ksync *k, long seconds)
{
	if (seconds <= 0)
		seconds = KSYNC_TIMEOUT_S;
	if (seconds > KSYNC_TIMEOUT_MAX)
		seconds = KSYNC_TIMEOUT_MAX;
	char what[64];
	snprintf(what, sizeof what, "the sync-timeout of %ld s", seconds);
	knet_set_deadline(k->net, knet_now_ms() + seconds * 1000, what);
}

int ksync_open(struct store *s, const char *node, const char *self_id, const struct kkeypair *kp,
               unsigned flags, struct ksync **out, struct kerr *e)
{
	*out = NULL;
	struct ksync *k = xcalloc(1, sizeof *k);
	k->s = s;
	snprintf(k->self, sizeof k->self, "%s", self_id);
	int rc = store_node_get(s, node, &k->node, e);
	if (rc == K_OK) {
		struct knet_opts o = {0};
		char hint[400];
		snprintf(hint, sizeof hint,
		         "If its operator confirms the new key, re-pin it: kontor node add %s "
		         "%.200s --replace",
		         k->node.name, k->node.url);
		o.base_url = k->node.url;
		o.ca_file = k->node.ca_file;
		o.node_key = k->node.node_key;
		o.tls_pin = k->node.tls_pin;
		o.repin_hint = hint;
		o.call_timeout_s = KSYNC_CALL_TIMEOUT_S;
		if (flags & KSYNC_QUICK) {
			o.max_attempts = 2;
			o.connect_timeout_s = 5;
			o.low_speed_time_s = 15;
		}
		rc = knet_new(&o, &k->net, e);
	}
	if (rc == K_OK) {
		knet_learn_tls_pin(k->net, pin_learned, k);
		ksync_set_timeout(k, 0);
	}
	if (rc == K_OK && kp)
		rc = knet_set_signer(k->net, self_id, kp->sk, e);
	/* The node's session (its limits, its word on adding money) is kept between syncs, on
	 * a slow link a round trip saved; once it is older than KSYNC_SESSION_MAX_AGE_S the
	 * next push or pull fetches it again. */
	if (rc == K_OK && k->node.session &&
	    !store_node_session_stale(s, k->node.name, KSYNC_SESSION_MAX_AGE_S)) {
		struct kerr ignore = {0};
		k->have_sess = knet_session_parse(k->node.session, strlen(k->node.session),
		                                  &k->sess, &ignore) == K_OK;
	}
	if (rc) {
		ksync_close(&k);
		return rc;
	}
	*out = k;
	return K_OK;
}

void ksync_close(struct ksync **kp)
{
	struct ksync *k = *kp;
	if (!k)
		return;
	knet_free(k->net);
	kstrv_free(&k->own);
	kstrv_free(&k->named);
	node_info_free(&k->node);
	free(k->sess_json);
	free(k);
	*kp = NULL;
}

struct knet *ksync_net(struct ksync *k)
{
	return k->net;
}

static void count_net(struct ksync *k, struct sync_stats *st)
{
	struct knet_counters c;
	knet_counters(k->net, &c);
	st->requests = (int64_t)c.requests;
	st->bytes_up = c.bytes_up;
	st->bytes_down = c.bytes_down;
}

/* The node's limits: the session kept from an earlier sync, or fetched now. */
static int session(struct ksync *k, struct kerr *e)
{
	if (k->have_sess)
		return K_OK;
	struct knet_response r;
	knet_response_init(&r);
	int rc = knet_request(k->net, "GET", "/.well-known/kontor", NULL, NULL, 0, 0, &r, e);
	if (rc == K_OK && r.status != 200)
		rc = kerr_set(e, K_EFAIL, "%s: the session answered HTTP %ld", k->node.url,
		              r.status);
	if (rc == K_OK)
		rc = knet_session_parse(r.body.data, r.body.len, &k->sess, e);
	if (rc == K_OK) {
		k->have_sess = 1;
		free(k->sess_json);
		k->sess_json = xstrndup(r.body.data, r.body.len);
	}
	knet_response_free(&r);
	return rc;
}

int ksync_finish(struct ksync *k, struct sync_stats *st, struct kerr *e)
{
	/* An answer said the session changed (new limits, the operator's words on adding
	 * money): fetched again now, one request; when that fails the kept one is stale. */
	const char *seen = knet_session_state(k->net);
	int changed = k->have_sess && seen[0] && strcmp(seen, k->sess.state) != 0;
	if (changed) {
		struct kerr ignore = {0};
		k->have_sess = 0;
		changed = session(k, &ignore) != K_OK;
	}
	count_net(k, st);
	int rc = store_node_synced(k->s, k->node.name, !k->failed, (int64_t)st->bytes_up,
	                           (int64_t)st->bytes_down, k->sess_json, e);
	return rc == K_OK && changed ? store_node_session_expire(k->s, k->node.name, e) : rc;
}

/* ---------------------------------------------------------------- push */

struct items {
	struct outbox_item *v;
	size_t n, cap;
	const char *node;
	int64_t held; /* refused earlier, waiting for `outbox retry` */
};

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int collect(void *ctx, const struct outbox_item *it)
{
	struct items *x = ctx;
	if (it->node && strcmp(it->node, x->node) != 0)
		return 0; /* waits for its own node */
	if (it->last_error) {
		x->held++; /* refused: waits for `outbox retry` */
		return 0;
	}
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 64;
		x->v = xrealloc(x->v, x->cap * sizeof *x->v);
	}
	struct outbox_item *c = &x->v[x->n++];
	*c = *it;
	c->method = dup_or_null(it->method);
	c->op = dup_or_null(it->op);
	c->object_id = dup_or_null(it->object_id);
	c->payload = dup_or_null(it->payload);
	c->node = dup_or_null(it->node);
	c->last_error = NULL;
	return 0;
}

/* One outbox entry as a method call. */
static cJSON *make_call(const struct outbox_item *it, struct kerr *e)
{
	cJSON *payload = NULL;
	if (it->payload && *it->payload &&
	    json_parse(it->payload, strlen(it->payload), "outbox payload", &payload, e) != K_OK)
		return NULL;
	cJSON *args = cJSON_CreateObject();
	if (strcmp(it->op, "create") == 0) {
		cJSON *c = cJSON_AddObjectToObject(args, "create");
		cJSON_AddItemToObject(c, it->creation_id, payload ? payload : cJSON_CreateObject());
	} else if (strcmp(it->op, "update") == 0) {
		cJSON *u = cJSON_AddObjectToObject(args, "update");
		cJSON_AddItemToObject(u, it->object_id ? it->object_id : "",
		                      payload ? payload : cJSON_CreateObject());
	} else if (strcmp(it->op, "destroy") == 0) {
		cJSON *d = cJSON_AddArrayToObject(args, "destroy");
		cJSON_AddItemToArray(d, cJSON_CreateString(it->object_id ? it->object_id : ""));
		cJSON_Delete(payload);
	} else {
		cJSON_Delete(payload);
		cJSON_Delete(args);
		kerr_set(e, K_EINVAL, "outbox entry %lld: unknown op '%s'", (long long)it->seq,
		         it->op);
		return NULL;
	}
	cJSON *call = cJSON_CreateArray();
	cJSON_AddItemToArray(call, cJSON_CreateString(it->method));
	cJSON_AddItemToArray(call, args);
	char id[32];
	snprintf(id, sizeof id, "o%lld", (long long)it->seq);
	cJSON_AddItemToArray(call, cJSON_CreateString(id));
	return call;
}

#define SYNC_ERROR_TYPE_LEN 32 /* a JMAP SetError type ("insufficientFunds") */

/* The node's verdict on one entry from its method response: 1 done, 0 refused (the reason
 * in why; for the node's own refusal its SetError type in type, else type stays ""). */
static int verdict(const struct outbox_item *it, const cJSON *name, const cJSON *args, char *why,
                   size_t cap, char type[SYNC_ERROR_TYPE_LEN])
{
	const char *t = NULL, *d = NULL;
	if (cJSON_IsString(name) && strcmp(name->valuestring, "error") == 0) {
		t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args, "type"));
		d = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args, "description"));
		snprintf(type, SYNC_ERROR_TYPE_LEN, "%s", t ? t : "error");
		snprintf(why, cap, "%s", d ? d : "(no description)");
		return 0;
	}
	const char *key = strcmp(it->op, "create") == 0 ? it->creation_id : it->object_id;
	const char *ok_name = strcmp(it->op, "create") == 0   ? "created"
	                      : strcmp(it->op, "update") == 0 ? "updated"
	                                                      : "destroyed";
	const char *bad_name = strcmp(it->op, "create") == 0   ? "notCreated"
	                       : strcmp(it->op, "update") == 0 ? "notUpdated"
	                                                       : "notDestroyed";
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(args, ok_name);
	if (cJSON_IsArray(ok)) {
		const cJSON *x;
		cJSON_ArrayForEach(x, ok) if (cJSON_IsString(x) && key &&
		                              strcmp(x->valuestring, key) == 0) return 1;
	} else if (ok && key && cJSON_HasObjectItem(ok, key)) {
		return 1;
	}
	const cJSON *bad = cJSON_GetObjectItemCaseSensitive(args, bad_name);
	const cJSON *err = key && bad ? cJSON_GetObjectItemCaseSensitive(bad, key) : NULL;
	if (err) {
		t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err, "type"));
		d = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err, "description"));
		/* Destroying what is already gone is what was asked for; so is registering an
		 * account the node has (our profile, queued again for a second name of a node
		 * or after `node rm` and `node add`). */
		if (strcmp(it->op, "destroy") == 0 && t && strcmp(t, "notFound") == 0)
			return 1;
		if (strcmp(it->method, "Account/set") == 0 && strcmp(it->op, "create") == 0 && t &&
		    strcmp(t, "alreadyExists") == 0)
			return 1;
		snprintf(type, SYNC_ERROR_TYPE_LEN, "%s", t ? t : "refused");
		snprintf(why, cap, "%s", d ? d : "(no description)");
		return 0;
	}
	snprintf(why, cap, "the node did not answer for this entry");
	return 0;
}

static void note_refusal(struct sync_stats *st, const struct outbox_item *it, const char *why)
{
	st->refused++;
	if (!st->first_refusal[0])
		snprintf(st->first_refusal, sizeof st->first_refusal, "%s %s %s: %s", it->method,
		         it->op, it->object_id ? it->object_id : "", why);
}

/* Our own writes of listings, so that the next pull leaves them out (the node's ownSets):
 * the (oldState, newState] of each Listing/set the node took, kept per node as a JSON list of
 * [old, new] pairs, one pair while they follow on from each other, at most
 * OWN_SETS_MAX (the oldest dropped: its listings merely come down again). The node keeps a
 * listing as its seller signed it, so she holds all a pull would bring (the photo hashes come
 * with summaries, never with her own listings, which a pull fetches whole). */
#define OWN_KEY "Listing.own"
#define OWN_SETS_MAX 64

/* Whether a /set answer's states make a pair the node takes back: kontord's states are
 * counts, the old one below the new. A node whose states are not is sent none, so a pull
 * never fails over them. */
static int own_pair(const char *old, const char *new)
{
	size_t a = strlen(old), b = strlen(new);
	if (!a || !b || a > 18 || b > 18 || strspn(old, "0123456789") != a ||
	    strspn(new, "0123456789") != b)
		return 0;
	return strtoll(old, NULL, 10) < strtoll(new, NULL, 10);
}

static int own_sets_add(struct ksync *k, const char *old, const char *new, struct kerr *e)
{
	char *was = NULL;
	int rc = store_sync_state_get(k->s, k->node.name, OWN_KEY, &was, e);
	if (rc)
		return rc;
	cJSON *list = was ? cJSON_Parse(was) : NULL;
	free(was);
	if (!cJSON_IsArray(list)) {
		cJSON_Delete(list);
		list = cJSON_CreateArray();
	}
	cJSON *last = cJSON_GetArrayItem(list, cJSON_GetArraySize(list) - 1);
	const char *last_new = cJSON_GetStringValue(cJSON_GetArrayItem(last, 1));
	if (last_new && strcmp(last_new, old) == 0) {
		cJSON_ReplaceItemInArray(last, 1, cJSON_CreateString(new));
	} else {
		cJSON *pair = cJSON_CreateArray();
		cJSON_AddItemToArray(pair, cJSON_CreateString(old));
		cJSON_AddItemToArray(pair, cJSON_CreateString(new));
		cJSON_AddItemToArray(list, pair);
	}
	while (cJSON_GetArraySize(list) > OWN_SETS_MAX)
		cJSON_DeleteItemFromArray(list, 0);
	char *text = cJSON_PrintUnformatted(list);
	cJSON_Delete(list);
	if (!text)
		abort();
	rc = store_sync_state_set(k->s, k->node.name, OWN_KEY, text, e);
	free(text);
	return rc;
}

/* ownSets for a Listing/changes call: the pairs of text (our kept list), as the node reads
 * them; NULL for none. */
static cJSON *own_sets_arg(const char *text)
{
	cJSON *list = text ? cJSON_Parse(text) : NULL, *pair, *out = NULL;
	cJSON_ArrayForEach(pair, (cJSON_IsArray(list) ? list : NULL))
	{
		const char *o = cJSON_GetStringValue(cJSON_GetArrayItem(pair, 0));
		const char *w = cJSON_GetStringValue(cJSON_GetArrayItem(pair, 1));
		if (!o || !w)
			continue;
		if (!out)
			out = cJSON_CreateArray();
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "oldState", o);
		cJSON_AddStringToObject(x, "newState", w);
		cJSON_AddItemToArray(out, x);
	}
	cJSON_Delete(list);
	return out;
}

/* A whole pull of listings is past every write of ours it began with: those pairs go
 * (pairs added since, by a push beside it, stay for the next). */
static int own_sets_done(struct ksync *k, const char *began, struct kerr *e)
{
	char *now = NULL;
	int rc = store_sync_state_get(k->s, k->node.name, OWN_KEY, &now, e);
	if (rc || !now || !began) {
		free(now);
		return rc;
	}
	cJSON *cur = cJSON_Parse(now), *old = cJSON_Parse(began);
	free(now);
	for (int i = cJSON_GetArraySize(cur) - 1; i >= 0; i--) {
		const cJSON *p = cJSON_GetArrayItem(cur, i), *q;
		int went = 0;
		cJSON_ArrayForEach(q, (cJSON_IsArray(old) ? old : NULL)) went =
		    went || cJSON_Compare(p, q, 1);
		if (went)
			cJSON_DeleteItemFromArray(cur, i);
	}
	char *text = cJSON_GetArraySize(cur) > 0 ? cJSON_PrintUnformatted(cur) : NULL;
	cJSON_Delete(cur);
	cJSON_Delete(old);
	rc = store_sync_state_set(k->s, k->node.name, OWN_KEY, text, e);
	free(text);
	return rc;
}

/* Sends items[0..n) in one request and records each verdict in one transaction. */
static int flush(struct ksync *k, struct outbox_item **batch, size_t n, struct sync_stats *st,
                 struct kerr *e)
{
	if (!n)
		return K_OK;
	cJSON *req = cJSON_CreateObject();
	cJSON *using = cJSON_AddArrayToObject(req, "using");
	cJSON_AddItemToArray(using, cJSON_CreateString("urn:kontor:trade"));
	cJSON *calls = cJSON_AddArrayToObject(req, "methodCalls");
	char(*why)[256] = xcalloc(n, sizeof *why);
	char(*type)[SYNC_ERROR_TYPE_LEN] = xcalloc(n, sizeof *type); /* the node's SetError type */
	int *state = xcalloc(n, sizeof *state);    /* 0 unsent, 1 done, -1 refused */
	char *(*own)[2] = xcalloc(n, sizeof *own); /* a listing's Listing/set: its states */
	for (size_t i = 0; i < n; i++) {
		struct kerr ce = {0};
		cJSON *call = make_call(batch[i], &ce);
		if (call) {
			cJSON_AddItemToArray(calls, call);
		} else {
			state[i] = -1;
			snprintf(why[i], sizeof why[i], "%s", ce.msg);
		}
	}
	cJSON *resp = NULL;
	int rc = cJSON_GetArraySize(calls) ? knet_api(k->net, req, &resp, e) : K_OK;
	cJSON_Delete(req);
	if (rc == K_ETOOBIG && n > 1) {
		/* Over the node's request size: halves, each its own request. */
		free(why);
		free(type);
		free(state);
		free(own);
		rc = flush(k, batch, n / 2, st, e);
		return rc ? rc : flush(k, batch + n / 2, n - n / 2, st, e);
	}
	if (rc != K_OK && rc != K_EINVAL && rc != K_ETOOBIG) {
		free(why);
		free(type);
		free(state);
		free(own);
		return rc; /* unreachable, or not ours to judge: every entry stays queued */
	}
	const cJSON *mr = resp ? cJSON_GetObjectItemCaseSensitive(resp, "methodResponses") : NULL;
	for (size_t i = 0; i < n; i++) {
		if (state[i])
			continue;
		if (rc != K_OK) { /* 400/413 for a single entry: the node will never take it */
			state[i] = -1;
			snprintf(why[i], sizeof why[i], "%s", e->msg);
			continue;
		}
		char id[32];
		snprintf(id, sizeof id, "o%lld", (long long)batch[i]->seq);
		const cJSON *r, *found = NULL;
		cJSON_ArrayForEach(r, mr)
		{
			const cJSON *cid = cJSON_GetArrayItem(r, 2);
			if (cJSON_IsString(cid) && strcmp(cid->valuestring, id) == 0)
				found = r;
		}
		if (found &&
		    verdict(batch[i], cJSON_GetArrayItem(found, 0), cJSON_GetArrayItem(found, 1),
		            why[i], sizeof why[i], type[i])) {
			state[i] = 1;
			const cJSON *a = cJSON_GetArrayItem(found, 1);
			const char *o =
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "oldState"));
			const char *w =
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "newState"));
			if (o && w && own_pair(o, w) &&
			    strcmp(batch[i]->method, "Listing/set") == 0) {
				own[i][0] = xstrdup(o);
				own[i][1] = xstrdup(w);
			}
		} else {
			state[i] = -1;
			if (!found)
				snprintf(why[i], sizeof why[i],
				         "the node did not answer for this entry");
		}
	}
	cJSON_Delete(resp);
	int wrc = store_begin(k->s, e);
	for (size_t i = 0; wrc == K_OK && i < n; i++) {
		if (state[i] == 1) {
			wrc = store_outbox_done(k->s, batch[i]->seq, e);
			if (wrc == K_OK && own[i][0])
				wrc = own_sets_add(k, own[i][0], own[i][1], e);
			st->pushed++;
		} else if (type[i][0]) { /* the node's refusal: its type stays a field */
			char full[SYNC_ERROR_TYPE_LEN + sizeof why[i]];
			snprintf(full, sizeof full, "%s: %s", type[i], why[i]);
			wrc = store_outbox_refused(k->s, batch[i]->seq, type[i], why[i], e);
			note_refusal(st, batch[i], full);
		} else {
			wrc = store_outbox_fail(k->s, batch[i]->seq, why[i], e);
			note_refusal(st, batch[i], why[i]);
		}
		if (wrc == K_ENOTFOUND) /* settled meanwhile by another sync or `outbox drop` */
			wrc = K_OK;
	}
	if (wrc == K_OK)
		wrc = store_commit(k->s, e);
	else
		store_rollback(k->s);
	for (size_t i = 0; i < n; i++) {
		free(own[i][0]);
		free(own[i][1]);
	}
	free(why);
	free(type);
	free(state);
	free(own);
	return wrc;
}

static int upload(struct ksync *k, struct outbox_item *it, struct sync_stats *st, struct kerr *e)
{
	cJSON *p = NULL;
	const char *path = NULL, *want = NULL;
	char why[256] = "";
	struct kbuf data = KBUF_INIT;
	int rc = K_OK;
	struct kerr fe = {0};
	if (json_parse(it->payload ? it->payload : "", it->payload ? strlen(it->payload) : 0,
	               "upload entry", &p, &fe) != K_OK ||
	    json_get_str(p, "path", 1, &path, &fe) != K_OK ||
	    json_get_str(p, "blobId", 1, &want, &fe) != K_OK ||
	    kbuf_read_file(path, UPLOAD_MAX, &data, &fe) != K_OK) {
		snprintf(why, sizeof why, "%s", fe.msg);
	} else {
		char got[KCRYPTO_HASH_B64_LEN + 1];
		kcrypto_hash_b64url(data.data, data.len, got);
		if (strcmp(got, want) != 0) {
			snprintf(why, sizeof why,
			         "%s changed since it was queued (blob %s, now %s)", path, want,
			         got);
		} else {
			rc = knet_upload(k->net, data.data, data.len, "application/octet-stream",
			                 got, e);
			if (rc == K_OK || rc == K_ETOOBIG || rc == K_EINVAL || rc == K_EVERIFY) {
				if (rc != K_OK)
					snprintf(why, sizeof why, "%s", e->msg);
				rc = K_OK;
			}
		}
	}
	kbuf_free(&data);
	cJSON_Delete(p);
	if (rc)
		return rc; /* network: stays queued */
	if (why[0]) {
		note_refusal(st, it, why);
		rc = store_outbox_fail(k->s, it->seq, why, e);
	} else {
		st->pushed++;
		rc = store_outbox_done(k->s, it->seq, e);
	}
	return rc == K_ENOTFOUND ? K_OK : rc; /* settled meanwhile by another run */
}

/* A push under way: entries the node answered of all, the pictures among them, bytes up. */
static void push_progress(struct ksync *k, struct sync_stats *st, int64_t all, int64_t sent,
                          int64_t pictures)
{
	if (!k->prog)
		return;
	count_net(k, st);
	char note[64] = "";
	if (pictures)
		snprintf(note, sizeof note, "%lld of %lld picture%s uploaded", (long long)sent,
		         (long long)pictures, pictures == 1 ? "" : "s");
	progress_update(k->prog, st->pushed + st->refused, all, "actions pushed", st->bytes_up,
	                note, 0);
}

int ksync_push(struct ksync *k, struct sync_stats *st, struct kerr *e)
{
	struct items x = {0};
	x.node = k->node.name;
	int rc = store_outbox_each(k->s, collect, &x, e);
	if (rc == K_OK && x.n)
		rc = session(k, e);
	size_t max_calls = k->have_sess && k->sess.max_calls_in_request > 0
	                       ? (size_t)k->sess.max_calls_in_request
	                       : CALLS_MAX;
	size_t max_bytes = k->have_sess && k->sess.max_size_request > 0
	                       ? (size_t)k->sess.max_size_request / 2
	                       : (1u << 20);
	struct outbox_item **batch = xcalloc(max_calls + 1, sizeof *batch);
	size_t nb = 0, bytes = 0;
	int64_t pictures = 0, sent = 0; /* uploads among the entries, and those done */
	for (size_t i = 0; i < x.n; i++)
		pictures += strcmp(x.v[i].method, "Blob/upload") == 0;
	for (size_t i = 0; rc == K_OK && i < x.n; i++) {
		struct outbox_item *it = &x.v[i];
		if (strcmp(it->method, "Blob/upload") == 0) {
			if ((rc = flush(k, batch, nb, st, e)) == K_OK)
				rc = upload(k, it, st, e);
			nb = bytes = 0;
			sent++;
			push_progress(k, st, (int64_t)x.n, sent, pictures);
			continue;
		}
		size_t sz = (it->payload ? strlen(it->payload) : 0) + 128;
		if (nb && (nb == max_calls || bytes + sz > max_bytes)) {
			rc = flush(k, batch, nb, st, e);
			nb = bytes = 0;
			push_progress(k, st, (int64_t)x.n, sent, pictures);
		}
		batch[nb++] = it;
		bytes += sz;
	}
	if (rc == K_OK)
		rc = flush(k, batch, nb, st, e);
	free(batch);
	for (size_t i = 0; i < x.n; i++)
		outbox_item_free(&x.v[i]);
	free(x.v);
	if (rc)
		k->failed = 1;
	struct items left = {0};
	left.node = k->node.name;
	if (store_outbox_each(k->s, collect, &left, NULL) == K_OK) {
		st->waiting = (int64_t)left.n;
		st->held = left.held;
	}
	for (size_t i = 0; i < left.n; i++)
		outbox_item_free(&left.v[i]);
	free(left.v);
	count_net(k, st);
	return rc;
}

/* ---------------------------------------------------------------- pull */

static void skip(struct sync_stats *st, int t, const cJSON *o, int why_rc, const char *why);
static cJSON *new_request(cJSON **calls);
static void add_call(cJSON *calls, const char *name, cJSON *args, const char *id);
static cJSON *ref(const char *result_of, const char *name, const char *path);
static const cJSON *response_of(const cJSON *resp, const char *id, const char **name);
static int apply_list(struct ksync *k, int t, const cJSON *list, struct sync_stats *st,
                      struct kerr *e);
static int garbage(struct kerr *e, const char *what);

/* An attestation counts only when the node key this client pinned signed it. */
static void check_attestation(struct ksync *k, cJSON *acc, struct sync_stats *st)
{
	cJSON *att = cJSON_GetObjectItemCaseSensitive(acc, "attestation");
	if (!att || cJSON_IsNull(att))
		return;
	const char *sig = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(att, "sig"));
	cJSON *body = cJSON_Duplicate(att, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(body, "sig");
	struct kbuf canon = KBUF_INIT;
	struct kerr e = {0};
	int ok = sig && canon_write(body, &canon, &e) == K_OK &&
	         kcrypto_verify_object_b64("attestation", canon.data, canon.len, k->node.node_key,
	                                   sig, &e) == K_OK;
	kbuf_free(&canon);
	cJSON_Delete(body);
	if (!ok) {
		skip(st, T_ACCOUNT, acc, K_EVERIFY,
		     "its attestation does not verify against the pinned node key (dropped)");
		cJSON_DeleteItemFromObjectCaseSensitive(acc, "attestation");
	}
}

/* A summary must carry what the cache files it by (the store refuses it otherwise). */
static int summary_check(const struct listing *l, struct kerr *e)
{
	const char *missing = store_listing_missing(l);
	if (missing)
		return kerr_set(e, K_EINVAL, "%s is missing", missing);
	return K_OK;
}

int sync_object_check(int t, const cJSON *o, struct listing *l, struct kerr *e)
{
	if (t < 0 || t >= SYNC_NTYPES)
		return kerr_set(e, K_EINVAL, "sync: no type %d", t);
	if (!cJSON_IsObject(o))
		return kerr_set(e, K_EINVAL, "not a JSON object");
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "id")))
		return kerr_set(e, K_EINVAL, "id is missing");
	if (t == T_ACCOUNT) {
		struct account a;
		int rc = account_from_json(o, &a, e);
		if (rc == K_OK)
			account_free(&a);
		return rc ? K_EINVAL : K_OK;
	}
	if (t == T_LISTING) {
		struct listing tmp, *p = l ? l : &tmp;
		if (listing_from_json(o, p, e) != K_OK) {
			listing_free(p);
			return K_EINVAL;
		}
		int rc = p->sig ? (listing_verify(p, e) == K_OK ? K_OK : K_EVERIFY)
		                : summary_check(p, e);
		if (rc || !l)
			listing_free(p);
		return rc;
	}
	if (model_validate(sync_types[t], o, e) != K_OK)
		return K_EINVAL;
	/* A contract is cached only when its whole chain verifies offline. */
	if (t == T_CONTRACT && contract_verify(o, NULL, e) != K_OK)
		return K_EVERIFY;
	return K_OK;
}

/* A bad object: counted by kind, and named while there is room. */
static void skip(struct sync_stats *st, int t, const cJSON *o, int why_rc, const char *why)
{
	if (why_rc == K_EVERIFY)
		st->bad_sig++;
	else
		st->malformed++;
	if (st->nskipped >= SYNC_SKIPPED_NAMED)
		return;
	char id[72], reason[120];
	text_shown(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "id")), id, sizeof id);
	text_shown(why, reason, sizeof reason);
	snprintf(st->skipped[st->nskipped++], sizeof st->skipped[0], "%s %s: %s", sync_types[t],
	         id[0] ? id : "(no id)", reason);
}

/* The page-packed imageHashes beside each Listing/get's list in resp (the node's form:
 * {"counts": [n per listing], "hashes": base64url of 8 bytes a hash}) spread onto the
 * listings as "imageHashes": [hex, ...], the form apply reads. A pack that does not add up
 * is dropped whole: its listings keep no hashes. */
void sync_unpack_image_hashes(cJSON *resp)
{
	cJSON *mr = cJSON_GetObjectItemCaseSensitive(resp, "methodResponses"), *call;
	cJSON_ArrayForEach(call, mr)
	{
		const char *name = cJSON_GetStringValue(cJSON_GetArrayItem(call, 0));
		cJSON *args = cJSON_GetArrayItem(call, 1);
		if (!name || strcmp(name, "Listing/get") != 0 || !cJSON_IsObject(args))
			continue;
		cJSON *ih = cJSON_DetachItemFromObjectCaseSensitive(args, "imageHashes");
		if (!ih)
			continue;
		cJSON *list = cJSON_GetObjectItemCaseSensitive(args, "list");
		cJSON *counts = cJSON_GetObjectItemCaseSensitive(ih, "counts"), *c;
		const char *b64 =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ih, "hashes"));
		int n = cJSON_GetArraySize(list);
		size_t cap = (size_t)n * MODEL_IMAGES_MAX * 8, rl = 0, total = 0;
		int ok = cJSON_IsArray(list) && cJSON_IsArray(counts) &&
		         cJSON_GetArraySize(counts) == n && b64 && strlen(b64) <= cap / 3 * 4 + 8;
		uint8_t *raw = ok ? xmalloc(cap + 8) : NULL;
		ok = ok && kcrypto_b64_decode(b64, strlen(b64), KB64_URL_NOPAD, raw, cap + 8,
		                              &rl) == K_OK;
		cJSON *cl = ok ? counts : NULL;
		cJSON_ArrayForEach(c, cl)
		{
			if (!json_is_int(c) || c->valuedouble < 0 ||
			    c->valuedouble > MODEL_IMAGES_MAX)
				ok = 0;
			else
				total += (size_t)c->valuedouble;
		}
		if (ok && total * 8 != rl)
			ok = 0;
		size_t at = 0;
		cJSON *o = ok ? list->child : NULL;
		cl = ok ? counts : NULL;
		cJSON_ArrayForEach(c, cl)
		{
			int k = (int)c->valuedouble;
			if (k > 0 && cJSON_IsObject(o)) {
				cJSON *a = cJSON_CreateArray();
				for (int i = 0; i < k; i++) {
					uint64_t h = 0;
					for (int b = 0; b < 8; b++)
						h = h << 8 | raw[at++];
					char hex[KIMG_HASH_HEX_LEN + 1];
					kimg_hash_hex(h, hex);
					cJSON_AddItemToArray(a, cJSON_CreateString(hex));
				}
				cJSON_DeleteItemFromObjectCaseSensitive(o, "imageHashes");
				cJSON_AddItemToObject(o, "imageHashes", a);
			} else {
				at += (size_t)k * 8;
			}
			o = o ? o->next : NULL;
		}
		free(raw);
		cJSON_Delete(ih);
	}
}

/* The imageHashes of a listing summary, taken out of o (they are the node's, not part of
 * the signed listing): how many (0 when none), or -1 with e filled when they are malformed. */
static int image_hashes(cJSON *o, uint64_t out[MODEL_IMAGES_MAX], struct kerr *e)
{
	cJSON *a = cJSON_DetachItemFromObjectCaseSensitive(o, "imageHashes");
	int n = 0;
	if (!a || cJSON_IsNull(a)) {
		cJSON_Delete(a);
		return 0;
	}
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > MODEL_IMAGES_MAX)
		n = kerr_set(e, K_EINVAL, "imageHashes: not a list of at most %d hashes",
		             MODEL_IMAGES_MAX);
	const cJSON *h;
	cJSON_ArrayForEach(h, a)
	{
		if (n < 0)
			break;
		const char *v = cJSON_GetStringValue(h);
		struct kerr he = {0};
		if (kimg_hash_parse(v ? v : "", &out[n], &he) != K_OK)
			n = kerr_set(e, K_EINVAL, "imageHashes[%d]: %s", n, he.msg);
		else
			n++;
	}
	cJSON_Delete(a);
	return n < 0 ? -1 : n;
}

/* An account id the object names (buyer, seller, sender, recipient, participant) that the
 * cache lacks, noted for a scope's pull to fetch: the node's filter sends the accounts an
 * account deals with, but not one whose last change is older than the state pulled from. */
static void note_one(struct ksync *k, const char *id)
{
	if (!id || !*id || strlen(id) > KCRYPTO_ID_LEN || strcmp(id, k->self) == 0 ||
	    k->named.n >= 1000)
		return;
	for (size_t i = 0; i < k->named.n; i++)
		if (strcmp(k->named.v[i], id) == 0)
			return;
	struct account a;
	if (store_account_get(k->s, id, &a, NULL) == K_OK) {
		account_free(&a);
		return;
	}
	kstrv_push(&k->named, id);
}

static void note_named(struct ksync *k, const cJSON *o)
{
	static const char *const fields[] = {"buyerId", "sellerId", "from", "to"};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		note_one(k, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, fields[i])));
	const cJSON *p;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(o, "participants"))
	    note_one(k, cJSON_GetStringValue(p));
}

/* Foo/get of ids for type t: *resp is the node's answer (the caller's to cJSON_Delete, also
 * on failure) and *list its array of objects, not yet checked. */
static int get_ids(struct ksync *k, int t, const struct kstrv *ids, cJSON **resp,
                   const cJSON **list, struct kerr *e)
{
	char name[40];
	snprintf(name, sizeof name, "%s/get", sync_types[t]);
	cJSON *calls, *req = new_request(&calls);
	cJSON *args = cJSON_CreateObject();
	cJSON_AddItemToObject(args, "ids",
	                      cJSON_CreateStringArray((const char *const *)ids->v, (int)ids->n));
	add_call(calls, name, args, "a");
	*resp = NULL;
	int rc = knet_api(k->net, req, resp, e);
	cJSON_Delete(req);
	const char *got = NULL;
	const cJSON *r = rc ? NULL : response_of(*resp, "a", &got);
	*list = r ? cJSON_GetObjectItemCaseSensitive(r, "list") : NULL;
	if (!rc && (!got || strcmp(got, name) != 0 || !cJSON_IsArray(*list))) {
		char what[64];
		snprintf(what, sizeof what, "a %s without a list", name);
		rc = garbage(e, what);
	}
	return rc;
}

/* A Foo/get list of type t cached in one transaction as a pull caches it: checked one by
 * one, a bad one skipped and counted in st. */
static int apply_fetched(struct ksync *k, int t, const cJSON *list, struct sync_stats *st,
                         struct kerr *e)
{
	int rc = store_begin(k->s, e);
	if (rc == K_OK) {
		rc = apply_list(k, t, list, st, e);
		rc = rc ? (store_rollback(k->s), rc) : store_commit(k->s, e);
	}
	return rc;
}

int ksync_take_accounts(struct ksync *k, const cJSON *list, size_t *n, struct kerr *e)
{
	struct sync_stats st;
	memset(&st, 0, sizeof st);
	int rc = apply_fetched(k, T_ACCOUNT, list, &st, e);
	if (n)
		*n = st.got[T_ACCOUNT];
	return rc;
}

/* Objects of type t by id, cached as a pull caches them. */
static int fetch_ids(struct ksync *k, int t, const struct kstrv *ids, struct sync_stats *st,
                     struct kerr *e)
{
	cJSON *resp;
	const cJSON *list;
	int rc = get_ids(k, t, ids, &resp, &list, e);
	if (!rc)
		rc = apply_fetched(k, t, list, st, e);
	cJSON_Delete(resp);
	return rc;
}

/* The accounts noted by note_named, fetched (Account/get, public) and cached. */
static int fetch_named(struct ksync *k, struct sync_stats *st, struct kerr *e)
{
	if (!k->named.n)
		return K_OK;
	struct kstrv ids = k->named;
	memset(&k->named, 0, sizeof k->named);
	int rc = fetch_ids(k, T_ACCOUNT, &ids, st, e);
	kstrv_free(&ids);
	return rc;
}

int ksync_fetch(struct ksync *k, const char *type, const char *id, struct kerr *e)
{
	int t = 0;
	while (t < SYNC_NTYPES && strcmp(sync_types[t], type) != 0)
		t++;
	if (t == SYNC_NTYPES || t == T_LISTING || t == T_WALLET)
		return kerr_set(e, K_EINVAL, "sync: no fetch by id for %s", type);
	struct kstrv ids = {0};
	struct sync_stats st;
	memset(&st, 0, sizeof st);
	kstrv_push(&ids, id);
	int rc = fetch_ids(k, t, &ids, &st, e);
	kstrv_free(&ids);
	if (!rc && st.got[t] == 0)
		rc = st.nskipped
		         ? kerr_set(e, K_EVERIFY, "%s", st.skipped[0])
		         : kerr_set(e, K_ENOTFOUND, "the node has no %s %s", sync_types[t], id);
	return rc;
}

int ksync_fetch_handle(struct ksync *k, const char *handle, char *id, struct kerr *e)
{
	cJSON *calls, *req = new_request(&calls);
	cJSON *qa = cJSON_CreateObject();
	cJSON_AddStringToObject(cJSON_AddObjectToObject(qa, "filter"), "handle", handle);
	json_add_int(qa, "limit", 1);
	add_call(calls, "Account/query", qa, "q");
	cJSON *ga = cJSON_CreateObject();
	cJSON_AddItemToObject(ga, "#ids", ref("q", "Account/query", "/ids"));
	add_call(calls, "Account/get", ga, "a");
	cJSON *resp = NULL;
	int rc = knet_api(k->net, req, &resp, e);
	cJSON_Delete(req);
	const char *got = NULL;
	const cJSON *r = rc ? NULL : response_of(resp, "a", &got);
	const cJSON *list = r ? cJSON_GetObjectItemCaseSensitive(r, "list") : NULL;
	struct sync_stats st;
	memset(&st, 0, sizeof st);
	if (!rc && got && strcmp(got, "error") == 0) /* a node from before the handle filter */
		rc = kerr_set(e, K_ENOTFOUND, "node %s looks up no account by its handle",
		              k->node.name);
	else if (!rc && (!got || strcmp(got, "Account/get") != 0 || !cJSON_IsArray(list)))
		rc = garbage(e, "an Account/get without a list");
	if (!rc)
		rc = apply_fetched(k, T_ACCOUNT, list, &st, e);
	const cJSON *a0 = cJSON_GetArrayItem(list, 0);
	const char *found = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a0, "id"));
	const char *named = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a0, "handle"));
	if (!rc && (!named || strcmp(named, handle) != 0))
		found = NULL; /* not the one asked for: none */
	if (!rc && (st.got[T_ACCOUNT] == 0 || !found || strlen(found) > KCRYPTO_ID_LEN))
		rc = st.nskipped ? kerr_set(e, K_EVERIFY, "%s", st.skipped[0])
		                 : kerr_set(e, K_ENOTFOUND, "node %s has no account @%s",
		                            k->node.name, handle);
	if (!rc)
		snprintf(id, KCRYPTO_ID_LEN + 1, "%s", found);
	cJSON_Delete(resp);
	return rc;
}

/* Puts one object from a Foo/get list into the cache. A bad object is skipped, counted and
 * named, never cached: nothing from the network is trusted until it checks out, and one
 * bad object never stops the pull of the others. */
static int apply(struct ksync *k, int t, cJSON *o, struct sync_stats *st, struct kerr *e)
{
	struct kerr ve = {0};
	int rc = K_OK;
	if (t == T_ACCOUNT) {
		check_attestation(k, o, st);
		struct account a;
		if ((rc = sync_object_check(t, o, NULL, &ve)) != K_OK ||
		    account_from_json(o, &a, &ve) != K_OK) {
			skip(st, t, o, rc ? rc : K_EINVAL, ve.msg);
			return K_OK;
		}
		rc = store_account_put(k->s, &a, e);
		account_free(&a);
	} else if (t == T_LISTING) {
		struct listing l;
		uint64_t ih[MODEL_IMAGES_MAX];
		int nih = image_hashes(o, ih, &ve);
		int vrc = nih < 0 ? K_EINVAL : sync_object_check(t, o, &l, &ve);
		if (vrc) {
			skip(st, t, o, vrc, ve.msg);
			return K_OK;
		}
		if (nih > 0 || !l.sig)
			rc = store_listing_photos_put(k->s, l.id, ih, (size_t)nih, e);
		if (rc) {
			listing_free(&l);
			return rc;
		}
		if (!l.sig) {
			/* A summary (the pull asks for those). Our own listings we keep whole and
			 * signed, so an edit never loses what a summary leaves out; a full copy of
			 * the same version stays; anything else is cached as a summary until
			 * `listing show` fetches it whole. */
			struct listing old;
			int keep = 0;
			store_summary_unit(o, &l); /* a node's that does not say it */
			if (strcmp(l.seller_id, k->self) == 0) {
				kstrv_push(&k->own, l.id);
				keep = 1;
			} else if (store_listing_get(k->s, l.id, &old, NULL) == K_OK) {
				keep = old.sig && strcmp(old.updated, l.updated) == 0;
				listing_free(&old);
			}
			if (!keep)
				rc = store_listing_put(k->s, &l, k->node.name, e);
			listing_free(&l);
			if (rc == K_OK)
				st->got[t]++;
			return rc;
		}
		rc = store_listing_put(k->s, &l, k->node.name, e);
		listing_free(&l);
	} else {
		int vrc = sync_object_check(t, o, NULL, &ve);
		const char *acc =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "accountId"));
		if (!vrc && t == T_WALLET && (!acc || strcmp(acc, k->self) != 0)) {
			vrc = K_EINVAL;
			snprintf(ve.msg, sizeof ve.msg, "the wallet of another account");
		}
		if (vrc) {
			skip(st, t, o, vrc, ve.msg);
			return K_OK;
		}
		rc = store_object_put(k->s, sync_types[t], o, k->node.name, k->self, e);
		if (rc == K_OK && !sync_scope_is_market(k->node.scope))
			note_named(k, o);
	}
	if (rc == K_OK)
		st->got[t]++;
	return rc;
}

static int gone(struct ksync *k, int t, const char *id, struct sync_stats *st, struct kerr *e)
{
	int rc = K_OK;
	if (t == T_LISTING)
		rc = store_listing_delete(k->s, id, e);
	else if (t != T_ACCOUNT)
		rc = store_object_delete(k->s, sync_types[t], id, e);
	if (rc == K_ENOTFOUND)
		rc = K_OK;
	if (rc == K_OK)
		st->gone[t]++;
	return rc;
}

static void add_call(cJSON *calls, const char *name, cJSON *args, const char *id)
{
	cJSON *c = cJSON_CreateArray();
	cJSON_AddItemToArray(c, cJSON_CreateString(name));
	cJSON_AddItemToArray(c, args);
	cJSON_AddItemToArray(c, cJSON_CreateString(id));
	cJSON_AddItemToArray(calls, c);
}

static cJSON *ref(const char *result_of, const char *name, const char *path)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "resultOf", result_of);
	cJSON_AddStringToObject(r, "name", name);
	cJSON_AddStringToObject(r, "path", path);
	return r;
}

static cJSON *new_request(cJSON **calls)
{
	cJSON *req = cJSON_CreateObject();
	cJSON *using = cJSON_AddArrayToObject(req, "using");
	cJSON_AddItemToArray(using, cJSON_CreateString("urn:kontor:trade"));
	*calls = cJSON_AddArrayToObject(req, "methodCalls");
	return req;
}

/* The response of call id, or NULL. */
static const cJSON *response_of(const cJSON *resp, const char *id, const char **name)
{
	const cJSON *r, *mr = cJSON_GetObjectItemCaseSensitive(resp, "methodResponses");
	cJSON_ArrayForEach(r, mr)
	{
		const cJSON *cid = cJSON_GetArrayItem(r, 2);
		if (cJSON_IsString(cid) && strcmp(cid->valuestring, id) == 0) {
			*name = cJSON_GetStringValue(cJSON_GetArrayItem(r, 0));
			return cJSON_GetArrayItem(r, 1);
		}
	}
	return NULL;
}

static int apply_list(struct ksync *k, int t, const cJSON *list, struct sync_stats *st,
                      struct kerr *e)
{
	const cJSON *o;
	int rc = K_OK;
	cJSON_ArrayForEach(o, list) if (rc == K_OK && cJSON_IsObject(o)) rc =
	    apply(k, t, (cJSON *)o, st, e);
	return rc;
}

static int garbage(struct kerr *e, const char *what)
{
	return kerr_set(e, K_EFAIL, "node answered garbage: %s", what);
}

#define WALLET_PAGE 500 /* history lines a Wallet/get gives at most (the model's bound) */

/* One Wallet/get of the history from position (with the rest of the wallet, which the
 * model needs to pass it): *wallet is our checked Wallet and *state the node's, both
 * pointing into *resp (the caller's to cJSON_Delete, also on failure). */
static int wallet_page(struct ksync *k, int64_t position, cJSON **wallet, const char **state,
                       cJSON **resp, struct kerr *e)
{
	cJSON *calls, *req = new_request(&calls);
	cJSON *a = cJSON_CreateObject();
	json_add_int(a, "historyPosition", position);
	json_add_int(a, "historyLimit", WALLET_PAGE);
	add_call(calls, "Wallet/get", a, "w");
	*resp = NULL;
	*wallet = NULL;
	int rc = knet_api(k->net, req, resp, e);
	cJSON_Delete(req);
	if (rc)
		return rc;
	const char *name = NULL;
	const cJSON *r = response_of(*resp, "w", &name);
	const cJSON *list = r ? cJSON_GetObjectItemCaseSensitive(r, "list") : NULL;
	*state = r ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "state")) : NULL;
	if (!name || strcmp(name, "Wallet/get") != 0 || !cJSON_IsArray(list) || !*state ||
	    strlen(*state) > STATE_MAX)
		return garbage(e, "a Wallet/get without a list or a state");
	cJSON *w = cJSON_GetArrayItem(list, 0);
	struct kerr ve = {0};
	if (!w || sync_object_check(T_WALLET, w, NULL, &ve) != K_OK ||
	    !cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w, "accountId")) ||
	    strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w, "accountId")),
	           k->self) != 0)
		return garbage(e, "a Wallet that is not ours, or malformed");
	*wallet = w;
	return K_OK;
}

/* A Wallet/get brings the newest lines of the history; when the cache then holds fewer
 * than the node says there are (more came since the last sync than one page holds), the
 * older pages are fetched until it holds them all, bounded as a pull is. */
static int wallet_fill(struct ksync *k, struct kerr *e)
{
	const char *node = k->node.name;
	int64_t pages = 0, cap = -1;
	for (int64_t pos = 0;;) {
		struct wallet_view v;
		if (store_wallet_get(k->s, node, k->self, &v, NULL) != K_OK)
			return K_OK; /* nothing cached to fill */
		int64_t total = v.history_total, have = v.lines;
		wallet_view_free(&v);
		if (have >= total)
			return K_OK;
		if (cap < 0)
			cap = sync_page_cap(total, WALLET_PAGE);
		if (pages++ >= cap)
			return kerr_set(
			    e, K_EFAIL,
			    "Wallet/get: the history still lacks lines after %lld pages of "
			    "%d; stopped",
			    (long long)cap, WALLET_PAGE);
		cJSON *resp = NULL, *w = NULL;
		const char *state = NULL;
		int rc = wallet_page(k, pos, &w, &state, &resp, e);
		const cJSON *hist = w ? cJSON_GetObjectItemCaseSensitive(w, "history") : NULL;
		int got = cJSON_GetArraySize(hist);
		if (rc == K_OK)
			rc = store_wallet_lines_put(k->s, node, k->self, hist, e);
		cJSON_Delete(resp);
		if (rc || got < WALLET_PAGE)
			return rc;
		pos += got;
	}
}

/* Past the wallet's states (a node restored from an older copy): the whole wallet again. */
static int resync_wallet(struct ksync *k, struct sync_stats *st, struct kerr *e)
{
	cJSON *resp = NULL, *w = NULL;
	const char *state = NULL;
	int rc = wallet_page(k, 0, &w, &state, &resp, e);
	if (rc == K_OK && (rc = store_begin(k->s, e)) == K_OK) {
		rc = apply(k, T_WALLET, w, st, e);
		if (rc == K_OK)
			rc = store_sync_state_set(k->s, k->node.name, "Wallet", state, e);
		rc = rc ? (store_rollback(k->s), rc) : store_commit(k->s, e);
	}
	cJSON_Delete(resp);
	st->resyncs++;
	return rc ? rc : wallet_fill(k, e);
}

/* A type the node can no longer give changes for (past its horizon) is fetched whole:
 * Foo/query pages chained into Foo/get, and the state becomes the query's. */
static int resync(struct ksync *k, int t, int64_t page, struct sync_stats *st, struct kerr *e)
{
	if (t == T_WALLET)
		return resync_wallet(k, st, e);
	const char *ty = sync_types[t];
	char qname[40], gname[40];
	snprintf(qname, sizeof qname, "%s/query", ty);
	snprintf(gname, sizeof gname, "%s/get", ty);
	char *state = NULL;
	int rc = K_OK;
	/* Bounded as a pull is: by the total the node states on the first page. */
	int64_t total = -1, cap = KSYNC_PAGES_UNSTATED, pages = 0;
	for (int64_t pos = 0; rc == K_OK;) {
		cJSON *calls, *req = new_request(&calls);
		cJSON *qa = cJSON_CreateObject();
		json_add_int(qa, "position", pos);
		json_add_int(qa, "limit", page);
		if (!pages)
			cJSON_AddBoolToObject(qa, "calculateTotal", 1);
		add_call(calls, qname, qa, "q");
		cJSON *ga = cJSON_CreateObject();
		cJSON_AddItemToObject(ga, "#ids", ref("q", qname, "/ids"));
		add_call(calls, gname, ga, "g");
		cJSON *resp = NULL;
		rc = knet_api(k->net, req, &resp, e);
		cJSON_Delete(req);
		if (rc)
			break;
		const char *n1 = NULL, *n2 = NULL;
		const cJSON *q = response_of(resp, "q", &n1), *g = response_of(resp, "g", &n2);
		const cJSON *ids = q ? cJSON_GetObjectItemCaseSensitive(q, "ids") : NULL;
		const char *qs =
		    q ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, "queryState"))
		      : NULL;
		if (!q || !g || !n1 || strcmp(n1, qname) != 0 || !cJSON_IsArray(ids) || !qs) {
			rc = garbage(e, "a query without ids or queryState");
			cJSON_Delete(resp);
			break;
		}
		if (!state)
			state = xstrdup(qs);
		if (!pages++) {
			const cJSON *tj = cJSON_GetObjectItemCaseSensitive(q, "total");
			if (json_is_int(tj) && tj->valuedouble >= 0 &&
			    !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q, "totalCapped")))
				total = (int64_t)tj->valuedouble;
			cap = sync_page_cap(total, page);
		}
		if ((rc = store_begin(k->s, e)) == K_OK) {
			rc = apply_list(k, t, cJSON_GetObjectItemCaseSensitive(g, "list"), st, e);
			if (rc == K_OK)
				rc = store_commit(k->s, e);
			else
				store_rollback(k->s);
		}
		int got = cJSON_GetArraySize(ids);
		cJSON_Delete(resp);
		if (got < page || (total >= 0 && pos + got >= total))
			break;
		pos += got;
		if (pages >= cap) {
			rc = kerr_set(e, K_EFAIL,
			              "%s: the node still had more after %lld pages of %lld, more "
			              "than its stated %lld need; stopped",
			              qname, (long long)pages, (long long)page, (long long)total);
			break;
		}
	}
	if (rc == K_OK && state)
		rc = store_sync_state_set(k->s, k->node.name, ty, state, e);
	free(state);
	st->resyncs++;
	return rc;
}

/* What a pull asks of each listing: what search, its filters and the result list show,
 * the unit the price is per among them (the id comes with every object without asking,
 * RFC 8620 5.1). The description, images, variants and the signature come with `listing
 * show`. Measured at 137 bytes a listing on the wire, the node's pages gzip'd at level 6
 * (DESIGN §11: 150). */
static cJSON *summary_props(void)
{
	static const char *const names[] = {"sellerId",   "sku",           "title",     "category",
	                                    "tags",       "originCountry", "shipsFrom", "currency",
	                                    "priceTiers", "unit",          "moq",       "incoterms",
	                                    "status",     "updated"};
	cJSON *a = cJSON_CreateStringArray(names, (int)(sizeof names / sizeof names[0]));
	/* the 64-bit photo hash of each image, 8 bytes of 16 hex digits: photo search offline */
	cJSON_AddItemToArray(a, cJSON_CreateString("imageHashes"));
	return a;
}

/* Listing/get of ids, whole; each that verifies replaces the cached copy. *got counts them. */
static int fetch_whole(struct ksync *k, const struct kstrv *ids, int64_t *got, int64_t *bad,
                       struct kerr *e)
{
	cJSON *resp;
	const cJSON *list;
	int rc = get_ids(k, T_LISTING, ids, &resp, &list, e);
	if (!rc && (rc = store_begin(k->s, e)) == K_OK) {
		const cJSON *o;
		cJSON_ArrayForEach(o, list)
		{
			struct listing l;
			struct kerr ve = {0};
			if (rc || !cJSON_IsObject(o))
				continue;
			if (listing_from_json(o, &l, &ve) != K_OK) {
				(*bad)++;
				continue;
			}
			if (l.sig && listing_verify(&l, &ve) == K_OK) {
				rc = store_listing_put(k->s, &l, k->node.name, e);
				(*got)++;
			} else {
				(*bad)++;
			}
			listing_free(&l);
		}
		rc = rc ? (store_rollback(k->s), rc) : store_commit(k->s, e);
	}
	cJSON_Delete(resp);
	return rc;
}

/* Our own listings that came as summaries, fetched whole and verified. */
static int fetch_own(struct ksync *k, struct sync_stats *st, struct kerr *e)
{
	if (!k->own.n)
		return K_OK;
	int64_t got = 0;
	int rc = fetch_whole(k, &k->own, &got, &st->bad_sig, e);
	kstrv_free(&k->own);
	return rc;
}

int ksync_fetch_listing(struct ksync *k, const char *id, struct kerr *e)
{
	struct kstrv ids = {0};
	kstrv_push(&ids, id);
	int64_t got = 0, bad = 0;
	int rc = fetch_whole(k, &ids, &got, &bad, e);
	kstrv_free(&ids);
	if (!rc && bad)
		return kerr_set(e, K_EVERIFY, "listing %s from the node does not verify", id);
	if (!rc && !got)
		return kerr_set(e, K_ENOTFOUND, "the node has no listing %s", id);
	return rc;
}

int sync_decode_page(const cJSON *resp, const char *tag, int t, struct sync_page *out,
                     struct kerr *e)
{
	memset(out, 0, sizeof *out);
	if (t < 0 || t >= SYNC_NTYPES)
		return kerr_set(e, K_EINVAL, "sync: no type %d", t);
	if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(resp, "methodResponses")))
		return garbage(e, "no methodResponses");
	char cid[48], gc[8], gu[8], cname[40], gname[40];
	if (tag)
		snprintf(cid, sizeof cid, "c%d.%s", t, tag);
	else
		snprintf(cid, sizeof cid, "c%d", t);
	snprintf(gc, sizeof gc, "g%d", t);
	snprintf(gu, sizeof gu, "u%d", t);
	snprintf(cname, sizeof cname, "%s/changes", sync_types[t]);
	snprintf(gname, sizeof gname, "%s/get", sync_types[t]);
	const char *cn = NULL, *gn = NULL, *un = NULL;
	const cJSON *ch = response_of(resp, cid, &cn);
	if (!cJSON_IsObject(ch) || !cn)
		return garbage(e, "a change list is missing");
	if (strcmp(cn, "error") == 0) {
		out->error_type =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ch, "type"));
		out->error_desc =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ch, "description"));
		if (!out->error_type)
			return garbage(e, "an error without a type");
		return K_OK;
	}
	if (strcmp(cn, cname) != 0)
		return garbage(e, "a change list answered by another method");
	out->new_state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ch, "newState"));
	const cJSON *more = cJSON_GetObjectItemCaseSensitive(ch, "hasMoreChanges");
	if (!out->new_state || !*out->new_state || strlen(out->new_state) > STATE_MAX ||
	    !cJSON_IsBool(more))
		return garbage(e, "a change list without newState or hasMoreChanges");
	out->has_more = cJSON_IsTrue(more);
	out->destroyed = cJSON_GetObjectItemCaseSensitive(ch, "destroyed");
	if (!cJSON_IsArray(out->destroyed))
		return garbage(e, "a change list without destroyed");
	const cJSON *d;
	cJSON_ArrayForEach(d, out->destroyed) if (!cJSON_IsString(d)) return garbage(
	    e, "a destroyed id that is not a string");
	/* A wallet is only ever updated: its pull has no get for created ones. */
	static const cJSON no_objects = {.type = cJSON_Array};
	const cJSON *g = t == T_WALLET ? NULL : response_of(resp, gc, &gn);
	const cJSON *u = response_of(resp, gu, &un);
	if ((t != T_WALLET && (!g || !gn || strcmp(gn, gname) != 0)) || !u || !un ||
	    strcmp(un, gname) != 0)
		return garbage(e, "the objects of a change list are missing");
	if (t == T_WALLET && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(ch, "created")))
		return garbage(e, "a wallet among the created");
	out->created = g ? cJSON_GetObjectItemCaseSensitive(g, "list") : &no_objects;
	out->updated = cJSON_GetObjectItemCaseSensitive(u, "list");
	if (!cJSON_IsArray(out->created) || !cJSON_IsArray(out->updated))
		return garbage(e, "a get without a list");
	return K_OK;
}

int sync_decode_total(const cJSON *resp, int t, int64_t *total, struct kerr *e)
{
	*total = -1;
	if (t < 0 || t >= SYNC_NTYPES)
		return kerr_set(e, K_EINVAL, "sync: no type %d", t);
	char id[8], qname[40];
	snprintf(id, sizeof id, "n%d", t);
	snprintf(qname, sizeof qname, "%s/query", sync_types[t]);
	const char *name = NULL;
	const cJSON *q = response_of(resp, id, &name);
	if (!cJSON_IsObject(q) || !name || strcmp(name, qname) != 0)
		return kerr_set(e, K_ENOTFOUND, "%s states no total", qname);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q, "totalCapped")))
		return K_OK; /* more than it counted: unknown */
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(q, "total");
	if (!n)
		return kerr_set(e, K_ENOTFOUND, "%s states no total", qname);
	if (!json_is_int(n) || n->valuedouble < 0)
		return garbage(e, "a total that is not a count");
	*total = (int64_t)n->valuedouble;
	return K_OK;
}

int64_t sync_page_cap(int64_t total, int64_t page)
{
	if (total < 0 || page < 1)
		return KSYNC_PAGES_UNSTATED;
	if (total > KSYNC_PAGES_MAX * page) /* also keeps 2 * total from overflowing */
		return KSYNC_PAGES_MAX;
	int64_t cap = 4 + (2 * total + page - 1) / page;
	return cap < KSYNC_PAGES_MAX ? cap : KSYNC_PAGES_MAX;
}

/* Foo/query asking only for the total. (A node counts active listings; the paused ones
 * changes carry too fit in the cap's room for twice the total.) */
static void add_total_call(struct ksync *k, cJSON *calls, int t)
{
	/* In a scope, the count of what it holds: the node's Listing/query filters by one
	 * seller or one category; of anything else it is not asked (the cap stays the one
	 * for an unstated total). */
	cJSON *f = NULL;
	if (!sync_scope_is_market(k->node.scope)) {
		if (t != T_LISTING)
			return;
		f = cJSON_CreateObject();
		cJSON *cats = strcmp(k->node.scope, "mine") ? cJSON_Parse(k->node.scope) : NULL;
		if (strcmp(k->node.scope, "mine") == 0) {
			cJSON_AddStringToObject(f, "sellerId", k->self);
		} else if (cJSON_GetArraySize(cats) == 1 &&
		           cJSON_IsString(cJSON_GetArrayItem(cats, 0))) {
			cJSON_AddStringToObject(f, "category",
			                        cJSON_GetArrayItem(cats, 0)->valuestring);
		} else {
			cJSON_Delete(cats);
			cJSON_Delete(f);
			return;
		}
		cJSON_Delete(cats);
	}
	char qname[40], id[8];
	snprintf(qname, sizeof qname, "%s/query", sync_types[t]);
	snprintf(id, sizeof id, "n%d", t);
	cJSON *a = cJSON_CreateObject();
	json_add_int(a, "limit", 0);
	cJSON_AddBoolToObject(a, "calculateTotal", 1);
	if (f)
		cJSON_AddItemToObject(a, "filter", f);
	add_call(calls, qname, a, id);
}

/* A page committed: listings (of the node's total when it said one) while listings come,
 * else every object, and the bytes so far. */
static void sync_progress(struct ksync *k, struct sync_stats *st)
{
	count_net(k, st);
	int64_t all = 0;
	for (int t = 0; t < SYNC_NTYPES; t++)
		all += st->got[t] + st->gone[t];
	if (st->total[T_LISTING] > 0 || st->got[T_LISTING] * 2 > all)
		progress_update(k->prog, st->got[T_LISTING],
		                st->total[T_LISTING] > 0 ? st->total[T_LISTING] : -1, "listings",
		                st->bytes_down, NULL, 0);
	else
		progress_update(k->prog, all, -1, "objects", st->bytes_down, NULL, 0);
}

/* In scope mine the node sends the RFQs of her listings' categories and HS headings, and
 * the profiles of their buyers, from where her last pull stopped: one she could not see
 * before a category or HS code of hers was given stays behind that point. So when those are
 * not what the last pull asked under (kept as the pseudo-type "Rfq.categories"), those two
 * types are pulled again from the start. */
static int categories_moved(struct ksync *k, struct kerr *e)
{
	char *now = NULL, *was = NULL;
	int rc = store_listing_categories(k->s, k->self, &now, e);
	if (rc == K_OK)
		rc = store_sync_state_get(k->s, k->node.name, "Rfq.categories", &was, e);
	if (rc == K_OK && (!was || strcmp(was, now) != 0)) {
		rc = store_sync_state_set(k->s, k->node.name, "Rfq", NULL, e);
		if (rc == K_OK)
			rc = store_sync_state_set(k->s, k->node.name, "Account", NULL, e);
		if (rc == K_OK)
			rc = store_sync_state_set(k->s, k->node.name, "Rfq.categories", now, e);
	}
	free(now);
	free(was);
	return rc;
}

int ksync_pull(struct ksync *k, struct sync_stats *st, struct kerr *e)
{
	int rc = session(k, e);
	if (rc) {
		k->failed = 1;
		return rc;
	}
	int64_t page = k->sess.max_objects_in_get > 0 ? k->sess.max_objects_in_get : 500;
	int mine = k->node.scope && strcmp(k->node.scope, "mine") == 0;
	char *state[SYNC_NTYPES] = {0};
	int active[SYNC_NTYPES], bulk = 0;
	/* The bound on pages per type: asked of the node (its total) once a type has more
	 * than one page; want_total 1 = ask in the next request, 2 = cap[] is known. */
	int64_t pages[SYNC_NTYPES] = {0}, cap[SYNC_NTYPES] = {0}, stated[SYNC_NTYPES];
	int want_total[SYNC_NTYPES] = {0}, capped = -1;
	for (int t = 0; t < SYNC_NTYPES; t++)
		stated[t] = -1;
	if (mine)
		rc = categories_moved(k, e);
	for (int t = 0; t < SYNC_NTYPES && rc == K_OK; t++) {
		active[t] = 1;
		rc = store_sync_state_get(k->s, k->node.name, sync_types[t], &state[t], e);
	}
	char *own_began = NULL; /* our own writes of listings, left up when the node can */
	if (rc == K_OK)
		rc = store_sync_state_get(k->s, k->node.name, OWN_KEY, &own_began, e);
	while (rc == K_OK) {
		int any = 0, need_resync[SYNC_NTYPES] = {0};
		cJSON *calls, *req = new_request(&calls);
		/* A fresh tag in the call ids: two syncs in one second never send the same
		 * bytes (the node would take the second signature for a replay). */
		uint8_t r[3];
		kcrypto_random(r, sizeof r);
		char tag[16];
		snprintf(tag, sizeof tag, "%02x%02x%02x", r[0], r[1], r[2]);
		/* The tag goes once, in the first call: every byte counts when nothing is new
		 * (DESIGN §11: one request, 1.5 KiB). */
		int tagged = -1;
		for (int t = 0; t < SYNC_NTYPES; t++) {
			if (!active[t])
				continue;
			any = 1;
			char cname[40], gname[40], cid[48], gc[8], gu[8];
			snprintf(cname, sizeof cname, "%s/changes", sync_types[t]);
			snprintf(gname, sizeof gname, "%s/get", sync_types[t]);
			if (tagged < 0) {
				tagged = t;
				snprintf(cid, sizeof cid, "c%d.%s", t, tag);
			} else {
				snprintf(cid, sizeof cid, "c%d", t);
			}
			cJSON *ca = cJSON_CreateObject();
			cJSON_AddStringToObject(ca, "sinceState", state[t] ? state[t] : "0");
			if (k->sess.default_max_changes != page) /* the node's default: left out */
				json_add_int(ca, "maxChanges", page);
			cJSON *scope = sync_scope_filter(k->node.scope, t);
			if (scope) /* the node filters what the scope holds */
				cJSON_AddItemToObject(ca, "filter", scope);
			cJSON *own = t == T_LISTING && k->sess.changes_own_sets
			                 ? own_sets_arg(own_began)
			                 : NULL;
			if (own)
				cJSON_AddItemToObject(ca, "ownSets", own);
			add_call(calls, cname, ca, cid);
			snprintf(gc, sizeof gc, "g%d", t);
			snprintf(gu, sizeof gu, "u%d", t);
			cJSON *ga = cJSON_CreateObject();
			cJSON_AddItemToObject(ga, "#ids", ref(cid, cname, "/created"));
			cJSON *ua = cJSON_CreateObject();
			cJSON_AddItemToObject(ua, "#ids", ref(cid, cname, "/updated"));
			/* Scope mine pulls only our own listings, which we keep whole and signed:
			 * asked whole, they need no second fetch (and the request no list of
			 * properties). */
			if (t == T_LISTING && !mine) {
				cJSON_AddItemToObject(ga, "properties", summary_props());
				cJSON_AddItemToObject(ua, "properties", summary_props());
			}
			if (t == T_WALLET)
				cJSON_Delete(ga); /* never created: see sync_decode_page */
			else
				add_call(calls, gname, ga, gc);
			add_call(calls, gname, ua, gu);
			if (want_total[t] == 1)
				add_total_call(k, calls, t);
		}
		if (!any) {
			cJSON_Delete(req);
			break;
		}
		cJSON *resp = NULL;
		rc = knet_api(k->net, req, &resp, e);
		cJSON_Delete(req);
		if (rc)
			break;
		sync_unpack_image_hashes(resp);
		st->pages++;
		for (int t = 0; t < SYNC_NTYPES; t++) {
			if (want_total[t] != 1)
				continue;
			struct kerr te = {0};
			if (sync_decode_total(resp, t, &stated[t], &te) != K_OK)
				stated[t] = -1;
			st->total[t] = stated[t];
			cap[t] = sync_page_cap(stated[t], page);
			want_total[t] = 2;
		}
		int64_t wallet_before = st->got[T_WALLET];
		/* One transaction for the page: objects and the states they bring us to. */
		if ((rc = store_begin(k->s, e))) {
			cJSON_Delete(resp);
			break;
		}
		for (int t = 0; t < SYNC_NTYPES && rc == K_OK; t++) {
			if (!active[t])
				continue;
			struct sync_page pg;
			if ((rc = sync_decode_page(resp, t == tagged ? tag : NULL, t, &pg, e)))
				break;
			if (pg.error_type) {
				if (strcmp(pg.error_type, "cannotCalculateChanges") == 0) {
					need_resync[t] = 1;
					active[t] = 0;
					continue;
				}
				/* A node from before this type (Order): nothing of it to pull. */
				if (strcmp(pg.error_type, "unknownMethod") == 0) {
					active[t] = 0;
					continue;
				}
				rc = kerr_set(e, K_EFAIL, "%s/changes: %s: %s", sync_types[t],
				              pg.error_type, pg.error_desc ? pg.error_desc : "");
				break;
			}
			if (t == T_LISTING && !bulk && cJSON_GetArraySize(pg.created) >= page) {
				/* A big first pull: a bigger page cache for the index writes. */
				bulk = store_bulk_load(k->s, 1, NULL) == K_OK;
			}
			if ((rc = apply_list(k, t, pg.created, st, e)) ||
			    (rc = apply_list(k, t, pg.updated, st, e)))
				break;
			const cJSON *d;
			cJSON_ArrayForEach(d, pg.destroyed) if (rc == K_OK) rc =
			    gone(k, t, d->valuestring, st, e);
			const char *ns = pg.new_state;
			if (rc == K_OK)
				rc = store_sync_state_set(k->s, k->node.name, sync_types[t], ns, e);
			int more_pages = pg.has_more;
			if (rc == K_OK && t == T_LISTING && !more_pages)
				rc = own_sets_done(k, own_began, e);
			free(state[t]);
			state[t] = xstrdup(ns);
			active[t] = more_pages;
			pages[t]++;
			if (more_pages && !want_total[t])
				want_total[t] = 1;
			if (more_pages && ((want_total[t] == 2 && pages[t] >= cap[t]) ||
			                   pages[t] >= KSYNC_PAGES_MAX)) {
				active[t] = 0; /* this page is kept; the next sync goes on */
				if (capped < 0)
					capped = t;
			}
		}
		cJSON_Delete(resp);
		if (rc == K_OK)
			rc = store_commit(k->s, e);
		else
			store_rollback(k->s);
		if (rc == K_OK && k->prog)
			sync_progress(k, st);
		if (rc == K_OK)
			rc = fetch_own(k, st, e);
		if (rc == K_OK && st->got[T_WALLET] > wallet_before)
			rc = wallet_fill(k, e);
		for (int t = 0; t < SYNC_NTYPES && rc == K_OK; t++)
			if (need_resync[t])
				rc = resync(k, t, page, st, e);
		if (rc == K_OK && capped >= 0) {
			char need[80];
			if (stated[capped] >= 0)
				snprintf(need, sizeof need, "more than its stated %lld need",
				         (long long)stated[capped]);
			else
				snprintf(need, sizeof need, "and it states no total");
			rc = kerr_set(
			    e, K_EFAIL,
			    "%s/changes: the node still says it has more after %lld pages "
			    "of %lld, %s; stopped (what came is kept, and the next sync "
			    "resumes there)",
			    sync_types[capped], (long long)pages[capped], (long long)page, need);
		}
	}
	if (rc == K_OK)
		rc = fetch_named(k, st, e);
	if (bulk)
		store_bulk_load(k->s, 0, NULL);
	if (rc == K_OK && st->got[T_LISTING] >= OPTIMIZE_AFTER)
		rc = store_search_optimize(k->s, e);
	for (int t = 0; t < SYNC_NTYPES; t++)
		free(state[t]);
	free(own_began);
	count_net(k, st);
	if (rc)
		k->failed = 1;
	return rc;
}
