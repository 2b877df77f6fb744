/* stock — a seller's stock follows her sales (see stock.h). */
#include "stock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "kontor/buf.h"
#include "kontor/contract.h"
#include "kontor/json.h"
#include "kontor/money.h"
#include "kontor/text.h"
#include "store/store.h"

#define STOCK_SINCE_KEY "stock-since"

/* One listing of hers whose stock an order moves: the units taken (less those given back),
 * each variant's by its SKU, and the latest time counted. */
struct moved {
	struct listing l;
	int usable; /* hers, whole and keeping stock: else its orders pass */
	int64_t sold, back;
	cJSON *by_variant; /* {"GIO-TRE-L": units}: taken less given back */
	char latest[MODEL_TIME_LEN + 1];
};

struct walk {
	struct store *s;
	const char *self;
	const char *since;
	struct moved *v;
	size_t n, cap;
};

static int keeps_stock(const struct listing *l)
{
	return l->stock >= 0 || listing_variants_stock(l) >= 0;
}

/* The listing id names, loaded once. */
static struct moved *moved_of(struct walk *w, const char *id)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->v[i].l.id, id) == 0)
			return &w->v[i];
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 8;
		w->v = xrealloc(w->v, w->cap * sizeof *w->v);
	}
	struct moved *m = &w->v[w->n++];
	memset(m, 0, sizeof *m);
	if (store_listing_get(w->s, id, &m->l, NULL) != K_OK) {
		listing_init(&m->l);
		snprintf(m->l.id, sizeof m->l.id, "%s", id);
		return m;
	}
	m->usable = strcmp(m->l.seller_id, w->self) == 0 && m->l.sig &&
	            !store_listing_missing(&m->l) && keeps_stock(&m->l);
	return m;
}

/* Whether the order's goods left: a shipped section in its contract. */
static int shipped(const cJSON *doc)
{
	const cJSON *sec;
	cJSON_ArrayForEach(sec, cJSON_GetObjectItemCaseSensitive(doc, "sections"))
	{
		const char *k = json_str(sec, "kind");
		if (k && strcmp(k, "shipped") == 0)
			return 1;
	}
	return 0;
}

static void later(char latest[MODEL_TIME_LEN + 1], const char *t)
{
	if (t && strcmp(t, latest) > 0)
		snprintf(latest, MODEL_TIME_LEN + 1, "%s", t);
}

/* What an order does to m's stock: 1 takes its quantity (made since she said it; in the
 * second she said it counts as since: a version this file makes is dated after what it
 * counted, so a tie is never one of its own), -1 gives it back (cancelled since, made
 * before), 0 nothing. */
static int effect(const struct moved *m, const char *created, const char *updated, int cancelled)
{
	if (!m->usable)
		return 0;
	if (!cancelled)
		return strcmp(created, m->l.updated) >= 0;
	return strcmp(created, m->l.updated) < 0 && strcmp(updated, m->l.updated) >= 0 ? -1 : 0;
}

/* Counts one order of hers: its binding offer's lines against their listings' stock. */
static int count_order(void *vw, const cJSON *o)
{
	struct walk *w = vw;
	const char *seller = json_str(o, "sellerId"), *created = json_str(o, "created"),
	           *updated = json_str(o, "updated"), *state = json_str(o, "state"),
	           *lid = json_str(o, "listingId"), *kid = json_str(o, "contractId");
	if (!seller || strcmp(seller, w->self) != 0 || !created || !updated || !state || !lid ||
	    !kid || strcmp(created, w->since) < 0)
		return 0;
	int cancelled = strcmp(state, "cancelled") == 0;
	/* the order's listing says whether to read its contract at all: an offer's lines are
	 * of the one listing it quotes */
	if (!effect(moved_of(w, lid), created, updated, cancelled))
		return 0;
	cJSON *doc = NULL;
	if (store_object_get(w->s, "Contract", kid, &doc, NULL) != K_OK)
		return 0; /* not cached yet: the next run counts it */
	if (cancelled && shipped(doc)) {
		cJSON_Delete(doc);
		return 0; /* the goods left: nothing came back to her shelf */
	}
	int i = contract_latest_offer(doc);
	struct contract_terms t;
	struct kerr ignore = {0};
	if (i < 0 || contract_section_terms(
	                 cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "sections"), i),
	                 &t, &ignore) != K_OK) {
		cJSON_Delete(doc);
		return 0;
	}
	for (size_t k = 0; k < t.nitems; k++) {
		const struct contract_item *it = &t.items[k];
		struct moved *m = moved_of(w, it->listing_id); /* may move w->v: no pointer kept */
		int eff = effect(m, created, updated, cancelled);
		if (!eff)
			continue;
		int64_t q = it->qty;
		if (eff > 0)
			m->sold += q;
		else
			m->back += q;
		later(m->latest, eff > 0 ? created : updated);
		if (it->variant_sku[0]) {
			if (!m->by_variant)
				m->by_variant = cJSON_CreateObject();
			cJSON *n = cJSON_GetObjectItemCaseSensitive(m->by_variant, it->variant_sku);
			int64_t have = n ? (int64_t)n->valuedouble : 0;
			cJSON_DeleteItemFromObjectCaseSensitive(m->by_variant, it->variant_sku);
			json_add_int(m->by_variant, it->variant_sku, have + eff * q);
		}
	}
	contract_terms_free(&t);
	cJSON_Delete(doc);
	return 0;
}

/* n less taken, never below none; *short_by what was taken beyond n. */
static int64_t less(int64_t n, int64_t taken, int64_t *short_by)
{
	int64_t left = n - taken;
	if (left < 0) {
		*short_by += -left;
		left = 0;
	}
	return left > MONEY_MAX ? MONEY_MAX : left;
}

static void sku_text(const struct listing *l, struct kbuf *out)
{
	const char *k = l->seller_sku ? l->seller_sku : l->sku;
	text_sanitize(out, k, strlen(k), 0);
}

/* The new version's stock, the line that says it and its brief form ("GIO-TRE: stock 65 ->
 * 40, 5 sold beyond it"); 0 when nothing moves. */
static int apply(struct moved *m, struct kbuf *line, struct kbuf *brief)
{
	int changed = 0;
	struct listing *l = &m->l;
	int64_t net = m->sold - m->back, short_by = 0, vshort_all = 0;
	struct kbuf vs = KBUF_INIT;
	cJSON *v;
	cJSON_ArrayForEach(v, l->variants)
	{
		const char *sku = json_str(v, "sku");
		const cJSON *n = sku && m->by_variant
		                     ? cJSON_GetObjectItemCaseSensitive(m->by_variant, sku)
		                     : NULL;
		int64_t had = listing_variant_stock(v);
		if (!n || had < 0 || (int64_t)n->valuedouble == 0)
			continue;
		int64_t vshort = 0, now = less(had, (int64_t)n->valuedouble, &vshort);
		listing_variant_set_stock(v, now);
		changed |= now != had;
		vshort_all += vshort;
		kbuf_puts(&vs, vs.len ? "; " : " (");
		listing_variant_label(v, &vs);
		char h[MONEY_FMT_MAX], q[MONEY_FMT_MAX];
		kbuf_printf(&vs, " %s -> %s", count_text(had, h), count_text(now, q));
		if (vshort)
			kbuf_printf(&vs, ": %s more than you had", count_text(vshort, q));
	}
	if (vs.len)
		kbuf_puts(&vs, ")");
	int64_t had = l->stock;
	/* variants that keep their own: the listing's is their sum, else what it said less net */
	if (listing_variants_stock(l) >= 0)
		l->stock = listing_stock(l);
	else if (had >= 0)
		l->stock = less(had, net, &short_by);
	changed |= l->stock != had;
	sku_text(l, line);
	char h[MONEY_FMT_MAX], n[MONEY_FMT_MAX];
	kbuf_printf(line, ": stock %s -> %s", count_text(had, h), count_text(l->stock, n));
	kbuf_puts(brief, kbuf_str(line));
	if (short_by + vshort_all)
		kbuf_printf(brief, ", %s sold beyond it", count_text(short_by + vshort_all, n));
	if (m->sold)
		kbuf_printf(line, ", %s sold since you last said it", count_text(m->sold, n));
	if (m->back)
		kbuf_printf(line, ", %s back from a cancelled order", count_text(m->back, n));
	if (short_by)
		kbuf_printf(line, ", %s more than you had", count_text(short_by, n));
	kbuf_puts(line, kbuf_str(&vs));
	kbuf_free(&vs);
	return changed;
}

int listing_queue_signed(struct store *s, struct listing *l, const struct kkeypair *kp,
                         const char *node, const char *op, const struct kstrv *uploads,
                         struct kerr *e)
{
	int rc = listing_sign(l, kp, e);
	if (rc)
		return rc;
	if ((rc = listing_validate(l, e)))
		return rc;
	cJSON *j = listing_to_json(l, 1);
	struct kbuf payload = KBUF_INIT;
	json_print(j, &payload);
	cJSON_Delete(j);
	if ((rc = store_begin(s, e)) == K_OK) {
		rc = store_listing_put(s, l, node, e);
		for (size_t i = 0; rc == K_OK && uploads && i < uploads->n; i++)
			rc = store_outbox_add(s, "Blob/upload", "upload", l->id, uploads->v[i],
			                      node, NULL, e);
		if (rc == K_OK)
			rc = store_outbox_add(s, "Listing/set", op, l->id, payload.data, node, NULL,
			                      e);
		if (rc == K_OK)
			rc = store_commit(s, e);
		else
			store_rollback(s);
	}
	kbuf_free(&payload);
	return rc;
}

int stock_follow(struct store *s, const char *self, const struct kkeypair *kp, const char *node,
                 struct kstrv *said, struct kstrv *brief, struct kerr *e)
{
	char *since = NULL;
	int rc = store_meta_get(s, STOCK_SINCE_KEY, &since, e);
	if (rc == K_ENOTFOUND) { /* a cache older than the rule: from now on */
		char now[MODEL_TIME_LEN + 1];
		model_now(now);
		free(since);
		return store_meta_set(s, STOCK_SINCE_KEY, now, e);
	}
	if (rc)
		return rc;
	struct walk w = {.s = s, .self = self, .since = since};
	rc = store_orders_sold_since(s, self, since, count_order, &w, e);
	for (size_t i = 0; rc == K_OK && i < w.n; i++) {
		struct moved *m = &w.v[i];
		struct kbuf line = KBUF_INIT, b = KBUF_INIT;
		if (!m->usable || !(m->sold || m->back) || !apply(m, &line, &b)) {
			kbuf_free(&line);
			kbuf_free(&b);
			continue;
		}
		/* dated after every order counted, so none is counted again */
		char prev[MODEL_TIME_LEN + 1];
		snprintf(prev, sizeof prev, "%s", m->l.updated);
		later(prev, m->latest);
		model_after(prev, NULL, m->l.updated);
		if ((rc = listing_queue_signed(s, &m->l, kp, node, "update", NULL, e)) == K_OK) {
			if (said)
				kstrv_push(said, kbuf_str(&line));
			if (brief)
				kstrv_push(brief, kbuf_str(&b));
		}
		kbuf_free(&line);
		kbuf_free(&b);
	}
	for (size_t i = 0; i < w.n; i++) {
		listing_free(&w.v[i].l);
		cJSON_Delete(w.v[i].by_variant);
	}
	free(w.v);
	free(since);
	return rc;
}
