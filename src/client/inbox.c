/* inbox — what waits for this account, from the cache (see inbox.h). The candidates come
 * from store/inbox.c and store/wallet.c; whether an order step is hers is asked of the
 * trade rules (kontor/order.h) on the order as its contract replays, never decided here. */
#include "inbox.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "kontor/json.h"
#include "kontor/ktime.h"
#include "kontor/buf.h"
#include "kontor/codes.h"
#include "kontor/contract.h"
#include "kontor/money.h"
#include "kontor/order.h"
#include "kontor/text.h"
#include "net/session.h"
#include "store/inbox.h"
#include "store/names.h"
#include "store/store.h"
#include "store/wallet.h"

#define CHAT_OPEN_MAX 16000 /* the longest message chat send makes */
#define QUOTE_COLS 60       /* of a message quoted in a notification */

static const char *const kind_names[INBOX_NKINDS] = {"rfq",    "offer", "order", "money", "dispute",
                                                     "ruling", "rate",  "chat",  "stock"};

const char *inbox_kind_name(enum inbox_kind k)
{
	return (unsigned)k < INBOX_NKINDS ? kind_names[k] : "?";
}

void inbox_free(struct inbox *in)
{
	if (!in)
		return;
	free(in->v);
	in->v = NULL;
	in->n = 0;
}

void inbox_money(int64_t minor, const char *currency, char out[INBOX_MONEY_MAX])
{
	char amount[MONEY_FMT_MAX];
	money_text(minor, currency, amount);
	snprintf(out, INBOX_MONEY_MAX, "%s %.3s", amount, currency);
}

static void one_line(const char *s, size_t cols, char *out, size_t cap);

/* ' "TEXT"' onto out, sanitised and cut to cols bytes (0: whole); nothing for NULL. */
static void quoted(struct kbuf *out, const char *text, size_t cols)
{
	if (!text)
		return;
	kbuf_puts(out, " \"");
	if (cols) {
		char cut[INBOX_TEXT_MAX];
		one_line(text, cols < sizeof cut - 8 ? cols : sizeof cut - 8, cut, sizeof cut);
		kbuf_puts(out, cut);
	} else {
		text_sanitize(out, text, strlen(text), 0);
	}
	kbuf_puts(out, "\"");
}

int inbox_order_release_at(const cJSON *o, char out[ORDER_TIME_LEN + 1])
{
	const char *st = json_str(o, "state");
	return st && order_state_parse(st) == ORDER_DELIVERED &&
	       json_int(o, "escrow") >= json_int(o, "total") &&
	       order_release_at(json_str(o, "deliveredAt"), json_int(o, "autoReleaseDays"), out);
}

cJSON *inbox_order_contract(struct store *s, const cJSON *o)
{
	cJSON *k = NULL;
	if (!json_str(o, "contractId") ||
	    store_object_get(s, "Contract", json_str(o, "contractId"), &k, NULL) != K_OK) {
		cJSON_Delete(k);
		return NULL;
	}
	return k;
}

char *inbox_order_product(struct store *s, const cJSON *o)
{
	cJSON *k = inbox_order_contract(s, o);
	char *product = k ? contract_product_of(k) : NULL;
	cJSON_Delete(k);
	return product;
}

/* The same of cached order id; NULL when the cache lacks the order too. */
static char *order_product(struct store *s, const char *id)
{
	cJSON *o = NULL;
	char *product =
	    store_object_get(s, "Order", id, &o, NULL) == K_OK ? inbox_order_product(s, o) : NULL;
	cJSON_Delete(o);
	return product;
}

void inbox_listing_words(struct store *s, const char *lid, const char *self, struct kbuf *out)
{
	struct listing l;
	if (!lid || store_listing_get(s, lid, &l, NULL) != K_OK) {
		kbuf_puts(out, "listing ");
		text_sanitize(out, lid ? lid : "?", strlen(lid ? lid : "?"), 0);
		return;
	}
	kbuf_putc(out, '"');
	text_sanitize(out, l.title ? l.title : "", strlen(l.title ? l.title : ""), 0);
	kbuf_putc(out, '"');
	if (l.sku) {
		kbuf_putc(out, ' ');
		text_sanitize(out, l.sku, strlen(l.sku), 0);
	}
	if (self && strcmp(l.seller_id, self) == 0)
		kbuf_puts(out, ", yours");
	listing_free(&l);
}

void inbox_chat_about(struct store *s, const cJSON *conv, size_t cols, struct kbuf *out)
{
	const char *lid = json_str(conv, "listingId"), *oid = json_str(conv, "orderId"),
	           *rid = json_str(conv, "rfqId");
	struct listing l;
	if (lid && store_listing_get(s, lid, &l, NULL) == K_OK) {
		kbuf_puts(out, "about");
		quoted(out, l.title ? l.title : "", cols);
		listing_free(&l);
	} else if (lid) {
		kbuf_puts(out, "about listing ");
		text_sanitize(out, lid, strnlen(lid, 8), 0);
	}
	if (oid) {
		kbuf_puts(out, lid ? ", order " : "about order ");
		text_sanitize(out, oid, strnlen(oid, 8), 0);
		char *product = order_product(s, oid);
		quoted(out, product, cols);
		free(product);
	}
	if (rid) {
		kbuf_puts(out, lid || oid ? ", RFQ " : "about RFQ ");
		text_sanitize(out, rid, strnlen(rid, 8), 0);
		cJSON *r = NULL;
		if (store_object_get(s, "Rfq", rid, &r, NULL) == K_OK)
			quoted(out, json_str(r, "title"), cols);
		cJSON_Delete(r);
	}
}

void inbox_short_id(const char *id, char out[16])
{
	if (!id)
		id = "?";
	if (strlen(id) <= 10)
		snprintf(out, 16, "%s", id);
	else
		snprintf(out, 16, "%.8s…", id);
}

/* A display name from the cache, sanitised, or a short id. */
static void name_of(struct store *s, const char *id, char *out, size_t cap)
{
	struct account a;
	if (id && *id && store_account_get(s, id, &a, NULL) == K_OK) {
		struct kbuf b = KBUF_INIT;
		text_sanitize(&b, a.display_name, strlen(a.display_name), 0);
		snprintf(out, cap, "%s", kbuf_str(&b));
		kbuf_free(&b);
		account_free(&a);
	} else {
		char sh[16];
		inbox_short_id(id, sh);
		snprintf(out, cap, "%s", sh);
	}
}

/* Outside text for one line: controls out, cut to cols bytes at a character boundary. */
static void one_line(const char *s, size_t cols, char *out, size_t cap)
{
	struct kbuf b = KBUF_INIT;
	text_sanitize(&b, s ? s : "", s ? strlen(s) : 0, 0);
	size_t n = b.len;
	if (n > cols) {
		n = cols;
		while (n > 0 && ((unsigned char)b.data[n] & 0xC0) == 0x80)
			n--; /* not inside a UTF-8 sequence */
		snprintf(out, cap, "%.*s…", (int)n, b.data);
	} else {
		snprintf(out, cap, "%s", kbuf_str(&b));
	}
	kbuf_free(&b);
}

struct collect {
	struct store *s;
	const char *node, *self;
	const struct kkeypair *kp;
	struct inbox *out;
	struct inbox_sells sells;  /* her categories and HS headings: which RFQs are hers */
	char *escrow_seen;         /* store_wallet_escrow_seen_get's mark; owned */
	struct wallet_view wallet; /* her wallet as the last sync brought it, read once */
	int wallet_read;           /* 0 not yet, 1 read, -1 none cached */
	int funding;               /* the node says how to add money: 0 not asked, 1 yes, -1 no */
	char rate_since[MODEL_TIME_LEN + 1]; /* a trade completed since then asks to be rated */
	struct mine {
		char id[MODEL_LISTING_ID_LEN + 1], created[MODEL_TIME_LEN + 1];
		char *sku;
		struct inbox_sells sells; /* its category and HS heading, as the rule reads them */
		int active;
		cJSON *variants;  /* owned, NULL for none: an offer for it names one (--variant) */
		char currency[4]; /* its prices': an RFQ in another one is quoted in that */
		char unit[4];     /* what its price is per: one the RFQ counts in first */
	} * mine; /* her listings with a category or HS code, to quote an RFQ with; owned */
	size_t nmine, capmine;
	struct inbox_queued *queued; /* her steps the outbox holds */
	size_t nqueued;
};

/* The command that made an outbox entry, from its payload: a contract's last section says
 * the step ("order ship"; an offer both have signed, "contract sign"), an order's patch
 * its key. */
static void queued_command(int contract, const cJSON *p, const char *op, char out[24])
{
	const char *k = NULL;
	if (contract) {
		const cJSON *secs = cJSON_GetObjectItemCaseSensitive(p, "sections");
		int last = cJSON_GetArraySize(secs) - 1;
		k = json_str(cJSON_GetArrayItem(secs, last), "kind");
		int step = order_step_parse(k ? k : "");
		if (step >= 0)
			snprintf(out, 24, "order %s", order_step_verb(step));
		else if (op && strcmp(op, "create") == 0)
			snprintf(out, 24, "contract propose");
		else if (contract_signed_as(p, last, "buyer") &&
		         contract_signed_as(p, last, "seller"))
			snprintf(out, 24, "contract sign");
		else
			snprintf(out, 24, "contract counter");
		return;
	}
	k = p && p->child ? p->child->string : NULL;
	snprintf(out, 24, "order %s",
	         !k                                ? "update"
	         : strcmp(k, "rating") == 0        ? "rate"
	         : strcmp(k, "answer") == 0        ? "dispute"
	         : strcmp(k, "cancelRequest") == 0 ? "cancel"
	                                           : k);
}

struct queued_walk {
	struct inbox_queued *v;
	size_t n;
};

static int take_queued(void *ctx, const struct outbox_item *it)
{
	struct queued_walk *c = ctx;
	const char *m = it->method ? it->method : "";
	int contract = strcmp(m, "Contract/set") == 0;
	if ((!contract && strcmp(m, "Order/set") != 0) || !it->object_id ||
	    strlen(it->object_id) > KCRYPTO_HASH_B64_LEN)
		return 0;
	if (inbox_queued_of(c->v, c->n, it->object_id, NULL))
		return 0; /* the first of them is the step she took first */
	c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
	struct inbox_queued *q = &c->v[c->n++];
	memset(q, 0, sizeof *q);
	snprintf(q->id, sizeof q->id, "%s", it->object_id);
	snprintf(q->created, sizeof q->created, "%s", it->created);
	cJSON *p = cJSON_Parse(it->payload ? it->payload : "");
	queued_command(contract, p, it->op, q->cmd);
	cJSON_Delete(p);
	if (it->last_error) {
		struct kbuf b = KBUF_INIT;
		text_sanitize(&b, it->last_error, strnlen(it->last_error, sizeof q->error), 0);
		snprintf(q->error, sizeof q->error, "%s", kbuf_str(&b));
		kbuf_free(&b);
	}
	return 0;
}

int inbox_queued_read(struct store *s, struct inbox_queued **out, size_t *n, struct kerr *e)
{
	struct queued_walk w = {NULL, 0};
	int rc = store_outbox_each(s, take_queued, &w, e);
	if (rc) {
		free(w.v);
		w.v = NULL;
		w.n = 0;
	}
	*out = w.v;
	*n = w.n;
	return rc;
}

struct inbox_queued *inbox_queued_of(struct inbox_queued *v, size_t n, const char *a, const char *b)
{
	for (size_t i = 0; i < n; i++)
		if ((a && strcmp(v[i].id, a) == 0) || (b && strcmp(v[i].id, b) == 0))
			return &v[i];
	return NULL;
}

static struct inbox_item *add(struct collect *c, enum inbox_kind kind, const char *when);

/* The item of a step the outbox holds, about "order 3fAx… \"...\" for NAME": on its way
 * (the next sync sends it) or refused (the outbox says what to do). */
static struct inbox_item *queued_item(struct collect *c, enum inbox_kind kind,
                                      const struct inbox_queued *q, const char *about)
{
	struct inbox_item *it = add(c, kind, q->created);
	char sh[16];
	inbox_short_id(q->id, sh);
	if (q->error[0]) {
		snprintf(it->key, sizeof it->key, "refused:%.64s:%s", q->id, q->cmd);
		snprintf(it->text, sizeof it->text, "%s: the node refused your `kontor %s`: %s",
		         about, q->cmd, q->error);
		snprintf(it->news, sizeof it->news, "%s: your %s refused", sh, q->cmd);
		snprintf(it->cmd, sizeof it->cmd, "kontor outbox");
	} else {
		char when[KTIME_LOCAL_MAX];
		ktime_local(q->created, when, sizeof when);
		snprintf(it->key, sizeof it->key, "queued:%.64s:%s", q->id, q->cmd);
		snprintf(it->text, sizeof it->text,
		         "%s: your `kontor %s` is not at the node yet (in the outbox since %s)",
		         about, q->cmd, when);
		snprintf(it->news, sizeof it->news, "%s: your %s waits to be sent", sh, q->cmd);
		snprintf(it->cmd, sizeof it->cmd, "kontor sync");
	}
	return it;
}

static struct inbox_item *add(struct collect *c, enum inbox_kind kind, const char *when)
{
	c->out->v = xrealloc(c->out->v, (c->out->n + 1) * sizeof *c->out->v);
	struct inbox_item *it = &c->out->v[c->out->n++];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	snprintf(it->when, sizeof it->when, "%s", when ? when : "");
	return it;
}

/* ---------------------------------------------------------------- RFQs */

/* The next step of a category path ("Furniture > Table legs"): its bytes [*b, *n) with the
 * blanks around it left off; the return points past its '>' (or at the end). */
static const char *cat_step(const char *s, const char **b, size_t *n)
{
	while (*s == ' ' || *s == '\t')
		s++;
	const char *end = strchr(s, '>');
	if (!end)
		end = s + strlen(s);
	const char *e = end;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*b = s;
	*n = (size_t)(e - s);
	return *end ? end + 1 : end;
}

/* Equal, or one a parent path of the other, step by step without regard to case. */
static int cat_related(const char *a, const char *b)
{
	int steps = 0;
	while (*a && *b) {
		const char *sa, *sb;
		size_t na, nb;
		a = cat_step(a, &sa, &na);
		b = cat_step(b, &sb, &nb);
		if (na != nb || strncasecmp(sa, sb, na) != 0)
			return 0;
		steps += na > 0;
	}
	return steps > 0;
}

/* The HS heading of code: its first six digits, in out (7 bytes); 0 when it has fewer. */
static int hs_heading(const char *code, char *out)
{
	for (int i = 0; i < 6; i++)
		if (!code || code[i] < '0' || code[i] > '9')
			return 0;
	memcpy(out, code, 6);
	out[6] = 0;
	return 1;
}

int inbox_rfq_hers(const char *rfq_cat, const char *rfq_hs, const char *rfq_listing,
                   const struct inbox_sells *sells)
{
	for (size_t i = 0; rfq_listing && *rfq_listing && i < sells->ids.n; i++)
		if (strcmp(rfq_listing, sells->ids.v[i]) == 0)
			return 1;
	for (size_t i = 0; rfq_cat && *rfq_cat && i < sells->cats.n; i++)
		if (cat_related(rfq_cat, sells->cats.v[i]))
			return 1;
	char h[7];
	for (size_t i = 0; hs_heading(rfq_hs, h) && i < sells->hs.n; i++)
		if (strcmp(h, sells->hs.v[i]) == 0)
			return 1;
	return 0;
}

static void push_once(struct kstrv *v, const char *s)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i], s) == 0)
			return;
	kstrv_push(v, s);
}

void inbox_sells_add(struct inbox_sells *sells, const struct listing *l)
{
	char h[7];
	if (l->category && *l->category)
		push_once(&sells->cats, l->category);
	if (hs_heading(l->hs_code, h))
		push_once(&sells->hs, h);
	kstrv_push(&sells->ids, l->id);
}

static int sells_add(void *ctx, const struct listing *l)
{
	inbox_sells_add(ctx, l);
	return 0;
}

int inbox_what_i_sell(struct store *s, const char *self, struct inbox_sells *out, struct kerr *e)
{
	memset(out, 0, sizeof *out);
	return store_listing_each(s, self, sells_add, out, e);
}

void inbox_sells_free(struct inbox_sells *sells)
{
	kstrv_free(&sells->cats);
	kstrv_free(&sells->hs);
	kstrv_free(&sells->ids);
}

int inbox_no_category(struct store *s, const char *self, char *out, size_t cap,
                      char sku[INBOX_SKU_LEN])
{
	struct names_hits h = {0};
	struct kerr e = {0, ""};
	if (!self || !*self || store_names_uncategorised(s, self, &h, &e) != K_OK || !h.n)
		return 0;
	snprintf(out, cap,
	         "none of your listings names a category or an HS code, so no buyer's RFQ reaches "
	         "your inbox: `kontor listing edit %s --category CATEGORY` or `--hs-code CODE`, "
	         "or those columns in your import",
	         h.id[0]);
	if (sku)
		snprintf(sku, INBOX_SKU_LEN, "%s", h.id[0]);
	return 1;
}

/* ---------------------------------------------------------------- stock */

/* What she has on hand of an offer's item: her listing's stock, or its variant's when the
 * item names one; -1 when the cache does not say (not her listing, stock never said). */
static int64_t on_hand(struct store *s, const struct contract_item *it)
{
	struct listing l;
	if (store_listing_get(s, it->listing_id, &l, NULL) != K_OK)
		return -1;
	int64_t have = listing_on_hand(&l, it->variant_sku);
	listing_free(&l);
	return have;
}

/* An active listing of hers that says none on hand, or variants that do: buyers still find
 * it and may offer, so she says new stock or pauses it. Stock not said is no item. */
static void stock_item(struct collect *c, const struct listing *l)
{
	if (strcmp(l->status, "active") != 0 || !l->sku)
		return;
	struct kbuf out = KBUF_INIT, keys = KBUF_INIT;
	const char *first = NULL;
	int n = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, l->variants)
	{
		if (listing_variant_stock(v) != 0)
			continue;
		const char *sku = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "sku"));
		if (n++ < 3) {
			kbuf_puts(&out, n > 1 ? ", " : "");
			listing_variant_label(v, &out);
		}
		kbuf_printf(&keys, ",%s", sku ? sku : "");
		if (!first)
			first = sku;
	}
	if (n > 3)
		kbuf_printf(&out, " and %d more", n - 3);
	if (!n && l->stock != 0) {
		kbuf_free(&out);
		kbuf_free(&keys);
		return;
	}
	char title[120], sku[MODEL_SKU_MAX + 1];
	one_line(l->title, 60, title, sizeof title);
	snprintf(sku, sizeof sku, "%s", l->sku);
	struct inbox_item *it = add(c, INBOX_STOCK, l->updated);
	snprintf(it->key, sizeof it->key, "stock:%s%.150s", l->id, kbuf_str(&keys));
	snprintf(it->id, sizeof it->id, "%s", l->id);
	if (n) {
		snprintf(
		    it->text, sizeof it->text,
		    "%s \"%s\": sold out of %s while buyers can offer: say new stock or pause it",
		    sku, title, kbuf_str(&out));
		snprintf(it->news, sizeof it->news, "%s sold out of %s", sku, kbuf_str(&out));
		snprintf(it->cmd, sizeof it->cmd, "kontor listing edit %s --stock N",
		         first ? first : sku);
	} else {
		snprintf(it->text, sizeof it->text,
		         "%s \"%s\": sold out while buyers can offer: say new stock or pause it",
		         sku, title);
		snprintf(it->news, sizeof it->news, "%s sold out", sku);
		snprintf(it->cmd, sizeof it->cmd, "kontor listing edit %s --stock N", sku);
	}
	kbuf_free(&out);
	kbuf_free(&keys);
}

/* Her listings as the RFQ items need them, read once per inbox; and what is sold out. */
static int take_mine(void *ctx, const struct listing *l)
{
	struct collect *c = ctx;
	inbox_sells_add(&c->sells, l);
	stock_item(c, l);
	struct inbox_sells one = {0};
	inbox_sells_add(&one, l);
	if (!l->sku) {
		inbox_sells_free(&one);
		return 0;
	}
	if (c->nmine == c->capmine) {
		c->capmine = c->capmine ? c->capmine * 2 : 16;
		c->mine = xrealloc(c->mine, c->capmine * sizeof *c->mine);
	}
	struct mine *m = &c->mine[c->nmine++];
	snprintf(m->id, sizeof m->id, "%s", l->id);
	snprintf(m->created, sizeof m->created, "%s", l->created);
	m->sku = xstrdup(l->sku);
	m->sells = one;
	m->active = strcmp(l->status, "active") == 0;
	m->variants = cJSON_GetArraySize(l->variants) > 0 ? cJSON_Duplicate(l->variants, 1) : NULL;
	snprintf(m->currency, sizeof m->currency, "%s", l->currency);
	snprintf(m->unit, sizeof m->unit, "%s", l->unit);
	return 0;
}

int inbox_quote_score(const char *id, int active, const char *unit, const struct inbox_sells *sells,
                      const struct inbox_rfq_ask *rfq)
{
	if (rfq->listing && strcmp(id, rfq->listing) == 0)
		return 8;
	if (!inbox_rfq_hers(rfq->category, rfq->hs, NULL, sells))
		return active;
	return (active ? 4 : 2) + (strcmp(unit && *unit ? unit : "C62",
	                                  rfq->unit && *rfq->unit ? rfq->unit : "C62") == 0);
}

const cJSON *inbox_rfq_variant(const cJSON *variants, const cJSON *rfq)
{
	struct kbuf text = KBUF_INIT;
	const char *title = json_str(rfq, "title"), *desc = json_str(rfq, "description");
	kbuf_printf(&text, "%s %s", title ? title : "", desc ? desc : "");
	const cJSON *v = listing_variant_in_text(variants, kbuf_str(&text));
	kbuf_free(&text);
	return v;
}

/* Her listing to quote an RFQ with, by inbox_quote_score; NULL when none. */
static const struct mine *pick_listing(const struct collect *c, const cJSON *rfq)
{
	const struct mine *best = NULL;
	const struct inbox_rfq_ask ask = {json_str(rfq, "category"), json_str(rfq, "hsCode"),
	                                  json_str(rfq, "listingId"), json_str(rfq, "unit")};
	int best_score = 0;
	for (size_t i = 0; i < c->nmine; i++) {
		const struct mine *m = &c->mine[i];
		int score = inbox_quote_score(m->id, m->active, m->unit, &m->sells, &ask);
		if (score && (score > best_score ||
		              (score == best_score && strcmp(m->created, best->created) > 0))) {
			best_score = score;
			best = m;
		}
	}
	return best;
}

/* How a person names the other party on a command line: @handle, else the display name
 * quoted for the shell (resolve takes the start of a cached name), else fill (BUYER,
 * SELLER) to fill in. */
static void party_word(struct store *s, const char *id, const char *fill, char *out, size_t cap)
{
	struct account a;
	snprintf(out, cap, "%s", fill);
	if (!id || !*id || store_account_get(s, id, &a, NULL) != K_OK)
		return;
	if (a.handle && *a.handle)
		snprintf(out, cap, "@%s", a.handle);
	else if (a.display_name && *a.display_name && !strpbrk(a.display_name, "'\n\r"))
		snprintf(out, cap, "'%s'", a.display_name);
	account_free(&a);
}

/* The rule, asked by the store's query (so its cap counts only hers). */
static int rfq_wanted(void *ctx, const char *category, const char *hs, const char *listing)
{
	const struct collect *c = ctx;
	return inbox_rfq_hers(category, hs, listing, &c->sells);
}

static int rfq_item(void *ctx, const cJSON *r)
{
	struct collect *c = ctx;
	const char *id = json_str(r, "id"), *buyer = json_str(r, "buyerId");
	if (!id || !buyer)
		return 0;
	char title[120], cat[120], name[120];
	one_line(json_str(r, "title"), 60, title, sizeof title);
	one_line(json_str(r, "category"), 60, cat, sizeof cat);
	const struct mine *m = pick_listing(c, r);
	/* what found her, where it is not her category: the HS code (beside the buyer's word
	 * for it, "Tore"), else her listing it names */
	const char *hs = json_str(r, "hsCode");
	size_t n = strlen(cat);
	if (hs && (!cat[0] || !inbox_rfq_hers(json_str(r, "category"), NULL, NULL, &c->sells)))
		snprintf(cat + n, sizeof cat - n, "%sHS %.10s", n ? ", " : "", hs);
	else if (!cat[0] && m)
		snprintf(cat, sizeof cat, "your %.60s", m->sku);
	name_of(c->s, buyer, name, sizeof name);
	struct inbox_item *it = add(c, INBOX_RFQ, json_str(r, "created"));
	snprintf(it->key, sizeof it->key, "rfq:%.64s", id);
	snprintf(it->id, sizeof it->id, "%s", id);
	snprintf(it->peer, sizeof it->peer, "%s", buyer);
	char target[INBOX_MONEY_MAX + 40] = ""; /* ", target X per square metre" */
	const char *cur = json_str(r, "currency");
	if (cur && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(r, "targetPrice"))) {
		char price[INBOX_MONEY_MAX];
		inbox_money(json_int(r, "targetPrice"), cur, price);
		snprintf(target, sizeof target, ", target %s per %s", price,
		         codes_unit_count(json_str(r, "unit"), 1));
	}
	int64_t qty = json_int(r, "qty");
	/* who and how many first, the category last: the TUI's row cuts the end */
	snprintf(it->text, sizeof it->text, "RFQ from %s: %lld %s \"%s\"%s to quote (%s)", name,
	         (long long)qty, codes_unit_count(json_str(r, "unit"), qty), title, target, cat);
	snprintf(it->news, sizeof it->news, "RFQ \"%s\" from %s", title, name);
	/* the quote, named as a person types it: the RFQ's short prefix, her SKU, @handle */
	char who[120];
	party_word(c->s, buyer, "BUYER", who, sizeof who);
	const char *inco = cJSON_GetStringValue(
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "incoterms"), 0));
	if (!inco || !codes_incoterm(inco))
		inco = "FOB";
	/* the place, as the TUI's quote fills it: the RFQ's destination for a C or D rule */
	const char *dest = json_str(r, "destination");
	char place[80] = "PLACE";
	if (codes_incoterm_at_destination(inco) && dest && *dest)
		snprintf(place, sizeof place, "%s", dest);
	/* asked in another currency than her listing's: quoted in his, at a price she names */
	char money[40] = "";
	if (m && cur && codes_currency_name(cur) && strcmp(cur, m->currency) != 0)
		snprintf(money, sizeof money, " --currency %.3s --price PRICE", cur);
	/* in variants: the one the buyer's words name ("black ... 71 cm"), else hers to fill */
	char variant[MODEL_SKU_MAX + 16] = "";
	if (m && m->variants) {
		const cJSON *v = inbox_rfq_variant(m->variants, r);
		const char *vsku = v ? listing_variant_sku(v) : NULL;
		snprintf(variant, sizeof variant, " --variant %s",
		         vsku && !strpbrk(vsku, " '\"\\$`") ? vsku : "VARIANT");
	}
	snprintf(it->cmd, sizeof it->cmd,
	         "kontor contract propose --rfq %.8s --listing %s%s --buyer %s --qty %lld "
	         "--incoterm %.3s --place %s%s",
	         id, m ? m->sku : "SKU", variant, who, (long long)json_int(r, "qty"), inco, place,
	         money);
	return 0;
}

/* ---------------------------------------------------------------- offers */

static int offer_item(void *ctx, const cJSON *k, const char *updated)
{
	struct collect *c = ctx;
	const char *id = json_str(k, "id"), *buyer = json_str(k, "buyerId"),
	           *seller = json_str(k, "sellerId");
	if (!id || !buyer || !seller)
		return 0;
	const char *mine = contract_role_of(k, c->self);
	const char *peer = strcmp(buyer, c->self) == 0 ? seller : buyer;
	const cJSON *secs = cJSON_GetObjectItemCaseSensitive(k, "sections");
	int latest = contract_latest_offer(k);
	const cJSON *sec = latest >= 0 ? cJSON_GetArrayItem(secs, latest) : NULL;
	if (!sec || !mine)
		return 0;
	if (inbox_queued_of(c->queued, c->nqueued, id, NULL))
		return 0; /* hers is given here and waits in the outbox: queued_contracts says so */
	if (contract_signed_as(k, latest, mine))
		return 0; /* hers is given: it waits for the other side */
	struct contract_terms t;
	contract_terms_init(&t);
	char what[200] = "", money[INBOX_MONEY_MAX] = "?";
	struct kerr e = {0, ""};
	if (contract_section_terms(sec, &t, &e) == K_OK) {
		inbox_money(t.total, t.currency, money);
		if (t.nitems) {
			char desc[100], short_of[MONEY_FMT_MAX + 16] = "", q[MONEY_FMT_MAX],
			                                         q2[MONEY_FMT_MAX];
			one_line(t.items[0].description, 48, desc, sizeof desc);
			int64_t have =
			    strcmp(mine, "seller") == 0 ? on_hand(c->s, &t.items[0]) : -1;
			if (have >= 0 &&
			    t.items[0].qty > have) /* she would sign for more than she has */
				snprintf(short_of, sizeof short_of, " (%s in stock)",
				         count_text(have, q));
			snprintf(what, sizeof what, "%s %s × \"%s\"%s%s, ",
			         count_text(t.items[0].qty, q2),
			         codes_unit_count(t.items[0].unit, t.items[0].qty), desc, short_of,
			         t.nitems > 1 ? " and more" : "");
		}
	}
	char name[120], sh[16];
	name_of(c->s, peer, name, sizeof name);
	inbox_short_id(id, sh);
	const char *noun = latest > 0 ? "counter-offer" : "offer";
	/* what a counter changes, so she knows what she signs: "changing payment into escrow" */
	struct kbuf changed = KBUF_INIT;
	struct contract_terms was, now;
	contract_terms_init(&was);
	contract_terms_init(&now);
	if (latest > 0 && contract_offer_pair(k, &was, &now)) {
		struct kbuf w = KBUF_INIT;
		contract_changed_words(&was, &now, &w);
		if (w.len)
			kbuf_printf(&changed, " changing %s", kbuf_str(&w));
		kbuf_free(&w);
	}
	contract_terms_free(&was);
	contract_terms_free(&now);
	/* a quote for an RFQ of his says which: he asked for several things */
	char rfq[120] = "";
	cJSON *r = NULL;
	if (strcmp(mine, "buyer") == 0 && json_str(k, "rfqId") &&
	    store_object_get(c->s, "Rfq", json_str(k, "rfqId"), &r, NULL) == K_OK) {
		char title[100];
		one_line(json_str(r, "title"), 48, title, sizeof title);
		snprintf(rfq, sizeof rfq, " for your RFQ \"%s\"", title);
	}
	cJSON_Delete(r);
	struct inbox_item *it = add(c, INBOX_OFFER, updated);
	snprintf(it->key, sizeof it->key, "offer:%.64s:%d", id, cJSON_GetArraySize(secs));
	snprintf(it->id, sizeof it->id, "%s", id);
	snprintf(it->peer, sizeof it->peer, "%s", peer);
	snprintf(it->currency, sizeof it->currency, "%s", t.currency);
	it->amount = t.total;
	snprintf(it->text, sizeof it->text,
	         "%s %s from %s%s%s: %s%s %s %s, waiting for your signature", noun, sh, name, rfq,
	         kbuf_str(&changed), what, money, t.incoterm, t.named_place ? t.named_place : "");
	kbuf_free(&changed);
	snprintf(it->news, sizeof it->news, "%s from %s to sign (%s)", noun, name, money);
	snprintf(it->cmd, sizeof it->cmd, "kontor contract sign %.8s", id);
	contract_terms_free(&t);
	return 0;
}

/* ---------------------------------------------------------------- orders */

/* Where the order stands for the rules: its contract replayed when it is cached, verifies
 * and agrees with the node's Order, else the Order's state on the default terms. st is
 * filled when the contract was used (st->binding >= 0). */
static void rules_of(const cJSON *o, const cJSON *doc, struct contract_status *st,
                     struct order_terms *t, struct order_progress *p)
{
	struct kerr e = {0, ""};
	const char *id = json_str(o, "id"), *state = json_str(o, "state");
	memset(st, 0, sizeof *st);
	st->binding = -1;
	if (doc && contract_verify(doc, st, &e) == K_OK && st->binding >= 0 && id &&
	    strcmp(st->order_id, id) == 0 && state &&
	    strcmp(order_state_name((int)st->progress.state), state) == 0) {
		*t = st->terms;
		*p = st->progress;
		return;
	}
	st->binding = -1;
	order_assume(order_state_parse(state ? state : ""), json_str(o, "currency"),
	             json_int(o, "total"), t, p);
}

/* A stage paid into escrow for her, as seller, that no "ship it" announces: a deposit on
 * signing while more is due before shipment, or a stage due on or after delivery. News in
 * the inbox (money that came to her, held) until `kontor wallet` shows her what escrow
 * holds for the order; NULL when there is none. */
static struct inbox_item *escrow_item(struct collect *c, const char *id, const char *what,
                                      const char *name, const char *when,
                                      const struct order_terms *t, const struct order_progress *p)
{
	size_t k = p->stages_paid;
	if (k == 0 || k > t->nstages || p->escrow <= 0 ||
	    p->escrow <= store_wallet_escrow_seen(c->escrow_seen, id))
		return NULL;
	const struct order_stage *last = &t->stages[k - 1];
	int before = last->due <= ORDER_DUE_BEFORE_SHIPMENT;
	if (before && (k == t->nstages || t->stages[k].due > ORDER_DUE_BEFORE_SHIPMENT))
		return NULL; /* it made the order one to ship: that item said it */
	char sh[16], m[INBOX_MONEY_MAX], held[INBOX_MONEY_MAX], due[ORDER_DUE_LEN];
	char next[ORDER_WORDS_LEN + 40];
	int64_t amount = order_stage_amount(t, k - 1);
	inbox_short_id(id, sh);
	inbox_money(amount, t->currency, m);
	inbox_money(p->escrow, t->currency, held);
	order_due_words(last, due);
	if (k < t->nstages) {
		char w[ORDER_WORDS_LEN];
		order_stage_words(t, k, w);
		snprintf(next, sizeof next, "next: %s", w);
	} else {
		snprintf(next, sizeof next, "every stage paid, %s held for you", held);
	}
	struct inbox_item *it = add(c, INBOX_MONEY, when);
	snprintf(it->key, sizeof it->key, "escrow:%.64s:%zu", id, k);
	snprintf(it->text, sizeof it->text,
	         "%s paid into escrow by %s for order %s (stage %zu of %zu, %" PRId64 "%% %s); %s",
	         m, name, what, k, t->nstages, last->pct, due, next);
	snprintf(it->news, sizeof it->news, "order %s: %s paid into escrow", sh, m);
	snprintf(it->cmd, sizeof it->cmd, "kontor wallet");
	snprintf(it->currency, sizeof it->currency, "%s", t->currency);
	it->amount = amount;
	return it;
}

/* What her wallet holds in currency, as the last sync brought it: 0 when no wallet is
 * cached (nothing to say then). */
static int wallet_holds(struct collect *c, const char *currency, int64_t *out)
{
	if (!c->wallet_read && c->node[0]) {
		int rc = store_wallet_get(c->s, c->node, c->self, &c->wallet, NULL);
		char *synced = NULL;
		if (rc == K_ENOTFOUND &&
		    store_sync_state_get(c->s, c->node, "Wallet", &synced, NULL) == K_OK && synced)
			rc = K_OK; /* synced, and the node never moved money of hers: empty */
		free(synced);
		c->wallet_read = rc == K_OK ? 1 : -1;
	}
	if (c->wallet_read <= 0)
		return 0;
	*out = wallet_view_balance(&c->wallet, currency);
	return 1;
}

int inbox_node_funding(struct store *s, const char *node, char *out, size_t cap)
{
	struct node_info n;
	struct knet_session sess;
	out[0] = '\0';
	if (node && *node && store_node_get(s, node, &n, NULL) == K_OK) {
		if (n.session &&
		    knet_session_parse(n.session, strlen(n.session), &sess, NULL) == K_OK)
			snprintf(out, cap, "%s", sess.funding);
		node_info_free(&n);
	}
	return out[0] != '\0';
}

/* Whether the node's session, as the last sync kept it, says how to add money. */
static int node_says_funding(struct collect *c)
{
	char words[KNET_FUNDING_MAX + 1];
	if (!c->funding)
		c->funding = inbox_node_funding(c->s, c->node, words, sizeof words) ? 1 : -1;
	return c->funding > 0;
}

/* Whether the order completed within INBOX_RATE_DAYS: its last section's time (the
 * confirmation or the release), else the order's updated. A rating is taken later too
 * (`order rate`); the Inbox stops asking, lest a busy seller's fill with old trades. */
static int completed_lately(const struct collect *c, const cJSON *doc, const char *updated)
{
	char at[MODEL_TIME_LEN + 1] = "";
	if (!doc || !contract_latest_time(doc, at))
		snprintf(at, sizeof at, "%s", updated ? updated : "");
	return strcmp(at, c->rate_since) >= 0;
}

static int order_item(void *ctx, const cJSON *o, const char *updated)
{
	struct collect *c = ctx;
	const char *id = json_str(o, "id"), *buyer = json_str(o, "buyerId"),
	           *seller = json_str(o, "sellerId");
	const char *state_s = json_str(o, "state"), *cur = json_str(o, "currency");
	int state = order_state_parse(state_s ? state_s : "");
	if (!id || !buyer || !seller || !cur || state < 0)
		return 0;
	int am_buyer = strcmp(buyer, c->self) == 0;
	const char *me = am_buyer ? "buyer" : "seller";
	unsigned role = am_buyer ? ORDER_BUYER : ORDER_SELLER;
	const char *peer = am_buyer ? seller : buyer;
	cJSON *doc = NULL;
	const char *kid = json_str(o, "contractId");
	if (kid)
		store_object_get(c->s, "Contract", kid, &doc, NULL);
	struct contract_status *st = xcalloc(1, sizeof *st);
	struct order_terms t;
	struct order_progress p;
	rules_of(o, doc, st, &t, &p);
	char name[120], sh[16], total[INBOX_MONEY_MAX];
	name_of(c->s, peer, name, sizeof name);
	inbox_short_id(id, sh);
	/* the order as she knows it: 'aq1Ys26K… "Quạt mây đan tay (Cỡ: Lớn)"' */
	struct kbuf wb = KBUF_INIT;
	kbuf_puts(&wb, sh);
	char *product = doc ? contract_product_of(doc) : NULL;
	quoted(&wb, product, 48);
	free(product);
	char what[200];
	snprintf(what, sizeof what, "%s", kbuf_str(&wb));
	kbuf_free(&wb);
	inbox_money(json_int(o, "total"), cur, total);
	const cJSON *ratings = cJSON_GetObjectItemCaseSensitive(o, "ratings");
	int rated = cJSON_GetObjectItemCaseSensitive(ratings, me) != NULL;
	const char *cancel_by =
	    json_str(cJSON_GetObjectItemCaseSensitive(o, "cancelRequest"), "by");

	struct inbox_item *it = NULL;
	struct inbox_queued *q = inbox_queued_of(c->queued, c->nqueued, kid, id);
	if (q) {
		q->said = 1;
		/* taken here: what waits is its way to the node, or her answer to a refusal */
		char about[INBOX_TEXT_MAX / 2];
		snprintf(about, sizeof about, "order %s %s %s", what, am_buyer ? "from" : "for",
		         name);
		it = queued_item(c, INBOX_ORDER, q, about);
	} else if (cancel_by && strcmp(cancel_by, me) != 0 && order_cancel_needs_both(state)) {
		it = add(c, INBOX_ORDER, updated);
		snprintf(it->key, sizeof it->key, "order:%.64s:cancel", id);
		snprintf(it->text, sizeof it->text,
		         "order %s with %s (%s): %s asks to cancel; both must sign", what, name,
		         total, name);
		snprintf(it->news, sizeof it->news, "order %s: cancellation to sign", sh);
		snprintf(it->cmd, sizeof it->cmd, "kontor order cancel %.8s", id);
	} else if (state == ORDER_DISPUTED) {
		struct kbuf why = KBUF_INIT, reason = KBUF_INIT; /* ' "the reason"', first read */
		char by[16] = "";
		if (doc && contract_dispute_of(doc, by, &reason, NULL) && reason.len)
			quoted(&why, kbuf_str(&reason), QUOTE_COLS);
		kbuf_free(&reason);
		const cJSON *ans = cJSON_GetObjectItemCaseSensitive(o, "answer");
		/* hers to answer while she has not (the arbitrator reads her side beside the
		 * reason); his, once she answered his */
		int hers = strcmp(by, me) != 0 && !ans;
		int answered = strcmp(by, me) == 0 && cJSON_IsObject(ans);
		if (hers || answered) {
			struct kbuf said = KBUF_INIT;
			if (answered)
				quoted(&said, json_str(ans, "text"), QUOTE_COLS);
			it = add(c, INBOX_DISPUTE, updated);
			snprintf(it->key, sizeof it->key, "dispute:%.64s%s", id,
			         hers ? "" : ":answer");
			if (hers)
				snprintf(it->text, sizeof it->text,
				         "order %s (%s) disputed by %s:%s%s give your side; "
				         "escrow holds it until the node's arbitrator rules",
				         what, total, name, kbuf_str(&why), why.len ? ";" : "");
			else
				snprintf(it->text, sizeof it->text,
				         "order %s (%s): %s answered your dispute:%s; the node's "
				         "arbitrator rules next",
				         what, total, name, kbuf_str(&said));
			snprintf(it->news, sizeof it->news, "order %s%s %s%s", sh,
			         hers ? " disputed by" : ":", name,
			         hers ? "" : " answered your dispute");
			snprintf(it->cmd, sizeof it->cmd, "kontor order %s %.8s%s",
			         hers ? "dispute" : "show", id, hers ? " --reason TEXT" : "");
			kbuf_free(&said);
		}
		kbuf_free(&why);
	} else if (state == ORDER_RESOLVED && !rated) {
		int64_t mine_amt = -1;
		for (size_t i = 0; st->binding >= 0 && i < st->nsections; i++)
			if (st->effect[i].money == ORDER_MONEY_SPLIT)
				mine_amt =
				    am_buyer ? st->effect[i].to_buyer : st->effect[i].to_seller;
		char got[INBOX_MONEY_MAX + 16] = "";
		if (mine_amt >= 0) {
			char m[INBOX_MONEY_MAX];
			inbox_money(mine_amt, cur, m);
			snprintf(got, sizeof got, ": %s to you", m);
		}
		it = add(c, INBOX_RULING, updated);
		snprintf(it->key, sizeof it->key, "ruling:%.64s", id);
		snprintf(it->text, sizeof it->text, "order %s with %s ruled%s; rate the trade",
		         what, name, got);
		snprintf(it->news, sizeof it->news, "ruling on order %s%s", sh, got);
		snprintf(it->cmd, sizeof it->cmd, "kontor order rate %.8s --stars N", id);
	} else if (state == ORDER_COMPLETED && !rated && completed_lately(c, doc, updated)) {
		it = add(c, INBOX_RATE, updated);
		snprintf(it->key, sizeof it->key, "rate:%.64s", id);
		snprintf(it->text, sizeof it->text,
		         "order %s with %s (%s) completed; rate the trade", what, name, total);
		snprintf(it->news, sizeof it->news, "order %s completed: rate %s", sh, name);
		snprintf(it->cmd, sizeof it->cmd, "kontor order rate %.8s --stars N", id);
	} else {
		/* The rules say which steps are hers now; the inbox shows pay, ship, confirm. */
		unsigned steps = order_steps_for(&t, &p, role);
		char ship_by[CONTRACT_DATE_LEN + 1];
		contract_ship_by_of(doc, ship_by);
		int ship = contract_ship_due(ship_by, &t, &p);
		int64_t due = order_due_now(&t, &p);
		char m[INBOX_MONEY_MAX], late_at[ORDER_TIME_LEN + 1];
		int late = p.state == ORDER_DELIVERED && order_stage_late(&t, &p, late_at);
		char late_day[64] = "";
		if (late) {
			ktime_local(late_at, late_day, sizeof late_day);
			late_day[10] = '\0'; /* the day it fell due */
		}
		if ((steps & (1u << ORDER_PAY)) && due > 0) {
			inbox_money(due, t.currency[0] ? t.currency : cur, m);
			it = add(c, INBOX_ORDER, updated);
			snprintf(it->key, sizeof it->key, "order:%.64s:pay:%zu", id, p.stages_paid);
			char short_of[INBOX_MONEY_MAX + 80] = "";
			int64_t have = 0;
			if (wallet_holds(c, t.currency[0] ? t.currency : cur, &have) &&
			    have < due) {
				char h[INBOX_MONEY_MAX];
				inbox_money(have, t.currency[0] ? t.currency : cur, h);
				snprintf(short_of, sizeof short_of, "; your wallet holds %s%s", h,
				         node_says_funding(c)
				             ? " (`kontor wallet` says how to add money)"
				             : "");
			}
			snprintf(it->text, sizeof it->text,
			         "order %s from %s: pay %s (total %s)%s%s%s", what, name, m, total,
			         late ? ", late since " : "", late_day, short_of);
			snprintf(it->news, sizeof it->news, "order %s to pay %s", sh, m);
			snprintf(it->cmd, sizeof it->cmd, "kontor order pay %.8s", id);
			it->amount = due;
		} else if (steps & (1u << ORDER_SHIP)) {
			inbox_money(p.paid, t.currency[0] ? t.currency : cur, m);
			it = add(c, INBOX_ORDER, updated);
			snprintf(it->key, sizeof it->key, "order:%.64s:ship", id);
			/* the day the contract says it ships by, and whether that day is gone */
			char by[64] = "";
			if (ship != CONTRACT_SHIP_NONE)
				snprintf(by, sizeof by,
				         ship == CONTRACT_SHIP_LATE
				             ? ", late: the contract said by %s"
				             : " by %s",
				         ship_by);
			if (p.paid > 0) {
				snprintf(it->text, sizeof it->text,
				         "order %s for %s: paid %s into escrow; ship it%s", what,
				         name, m, by);
				snprintf(it->news, sizeof it->news, "order %s paid %s", sh, m);
			} else {
				snprintf(it->text, sizeof it->text,
				         "order %s for %s (%s): ship it%s", what, name, total, by);
				snprintf(it->news, sizeof it->news, "order %s to ship", sh);
			}
			snprintf(it->cmd, sizeof it->cmd,
			         "kontor order ship %.8s --carrier CARRIER --tracking NUMBER", id);
			it->amount = p.paid;
		} else if (late && !am_buyer) {
			/* her money late: the stage's day is past and the buyer has not paid it */
			size_t k = p.stages_paid;
			char w[ORDER_DUE_LEN];
			const char *local = late_day;
			order_due_words(&t.stages[k], w);
			inbox_money(due, t.currency[0] ? t.currency : cur, m);
			it = add(c, INBOX_ORDER, updated);
			snprintf(it->key, sizeof it->key, "order:%.64s:late:%zu", id, k);
			char to[160];
			party_word(c->s, peer, "BUYER", to, sizeof to);
			snprintf(it->text, sizeof it->text,
			         "payment late since %s: %s of order %s for %s (stage %zu of %zu, "
			         "%" PRId64 "%% %s); write to them, or dispute it for the node's "
			         "arbitrator",
			         local, m, what, name, k + 1, t.nstages, t.stages[k].pct, w);
			snprintf(it->news, sizeof it->news, "order %s: %s late since %s", sh, m,
			         local);
			snprintf(it->cmd, sizeof it->cmd, "kontor chat send %s --order %.8s TEXT",
			         to, id);
			it->amount = due;
		} else if (am_buyer && ship == CONTRACT_SHIP_LATE) {
			/* his goods late: paid for, and the day the contract has her ship by is
			 * gone */
			it = add(c, INBOX_ORDER, updated);
			snprintf(it->key, sizeof it->key, "order:%.64s:ship-late", id);
			char to[160];
			party_word(c->s, peer, "SELLER", to, sizeof to);
			snprintf(it->text, sizeof it->text,
			         "order %s from %s is not shipped, late: the contract said by %s; "
			         "write to them, or dispute it for the node's arbitrator",
			         what, name, ship_by);
			snprintf(it->news, sizeof it->news, "order %s: not shipped by %s", sh,
			         ship_by);
			snprintf(it->cmd, sizeof it->cmd, "kontor chat send %s --order %.8s TEXT",
			         to, id);
		} else if (steps & (1u << ORDER_CONFIRM)) {
			it = add(c, INBOX_ORDER, updated);
			snprintf(it->key, sizeof it->key, "order:%.64s:confirm:%s", id, state_s);
			/* shipped: the goods may be weeks at sea; receipt is his to confirm when
			 * they are with him, not on reading this */
			snprintf(it->text, sizeof it->text,
			         "order %s from %s is %s: %sconfirm receipt to release %s", what,
			         name, order_state_words(state),
			         state == ORDER_SHIPPED ? "once the goods are with you, " : "",
			         total);
			snprintf(it->news, sizeof it->news, "order %s %s", sh,
			         order_state_words(state));
			snprintf(it->cmd, sizeof it->cmd, "kontor order confirm %.8s", id);
		}
	}
	if (!it && !am_buyer && c->node[0])
		it = escrow_item(c, id, what, name, updated, &t, &p);
	if (it) {
		snprintf(it->id, sizeof it->id, "%s", id);
		snprintf(it->peer, sizeof it->peer, "%s", peer);
		snprintf(it->currency, sizeof it->currency, "%s", cur);
		if (!it->amount)
			it->amount = json_int(o, "total");
	}
	free(st);
	cJSON_Delete(doc);
	return 0;
}

/* ---------------------------------------------------------------- money */

void inbox_line_words(const char *kind, const char *order, char *out, size_t cap)
{
	char sh[16];
	inbox_short_id(order && *order ? order : "?", sh);
	if (strcmp(kind, "deposit") == 0)
		snprintf(out, cap, "deposit");
	else if (strcmp(kind, "payout") == 0)
		snprintf(out, cap, "payout");
	else if (strcmp(kind, "escrow_fund") == 0)
		snprintf(out, cap, "paid into escrow for order %s", sh);
	else if (strcmp(kind, "escrow_release") == 0)
		snprintf(out, cap, "released by order %s", sh);
	else if (strcmp(kind, "escrow_refund") == 0)
		snprintf(out, cap, "refund of order %s", sh);
	else if (strcmp(kind, "escrow_ruling") == 0)
		snprintf(out, cap, "ruling on order %s", sh);
	else
		one_line(kind, 32, out, cap);
}

static int money_items(struct collect *c, struct kerr *e)
{
	int64_t seen = store_wallet_seen(c->s, c->node, c->self);
	struct wallet_lines l;
	int rc = store_wallet_credits_since(c->s, c->node, c->self, seen, STORE_INBOX_MAX, &l, e);
	if (rc)
		return rc;
	for (size_t i = 0; i < l.n; i++) {
		const struct wallet_line *w = &l.v[i];
		char words[120], m[INBOX_MONEY_MAX];
		inbox_line_words(w->kind, w->order, words, sizeof words);
		inbox_money(w->amount, w->currency, m);
		/* the order it came by, as she knows it: by its product */
		struct kbuf about = KBUF_INIT;
		char *product = w->order[0] ? order_product(c->s, w->order) : NULL;
		quoted(&about, product, 48);
		free(product);
		struct inbox_item *it = add(c, INBOX_MONEY, w->created);
		snprintf(it->key, sizeof it->key, "money:%.64s:%s", w->tx, w->currency);
		snprintf(it->id, sizeof it->id, "%s", w->tx);
		snprintf(it->currency, sizeof it->currency, "%s", w->currency);
		it->amount = w->amount;
		/* the amount first: the TUI's narrow row cuts the end */
		snprintf(it->text, sizeof it->text, "+%s arrived in your wallet: %s%s", m, words,
		         kbuf_str(&about));
		kbuf_free(&about);
		snprintf(it->news, sizeof it->news, "%s %s", m, words);
		snprintf(it->cmd, sizeof it->cmd, "kontor wallet");
	}
	wallet_lines_free(&l);
	return K_OK;
}

/* ---------------------------------------------------------------- conversations */

int inbox_chat_open(const cJSON *m, const char *self, const struct kkeypair *kp, struct kbuf *plain)
{
	const char *from = json_str(m, "from"), *to = json_str(m, "to");
	const char *other = from && strcmp(from, self) == 0 ? to : from;
	const char *nonce = json_str(m, "nonce"), *ct = json_str(m, "ciphertext");
	if (!other || !nonce || !ct)
		return 0;
	uint8_t pk[KCRYPTO_PK_BYTES];
	uint8_t *raw = xmalloc(24 + CHAT_OPEN_MAX + 64);
	size_t nn = 0, cn = 0;
	struct kerr e = {0, ""};
	int ok = kcrypto_account_pk(other, pk, &e) == K_OK &&
	         kcrypto_b64_decode(nonce, strlen(nonce), KB64_STD, raw, 24, &nn) == K_OK &&
	         nn == 24 &&
	         kcrypto_b64_decode(ct, strlen(ct), KB64_STD, raw + 24, CHAT_OPEN_MAX + 64, &cn) ==
	             K_OK &&
	         kcrypto_box_open(raw, 24 + cn, pk, kp->sk, plain, &e) == K_OK;
	free(raw);
	return ok;
}

struct chat_last {
	const char *self;
	const struct kkeypair *kp;
	struct kbuf text;
	int opened, mine;
};

static int chat_last_of(void *vctx, const cJSON *m)
{
	struct chat_last *x = vctx;
	x->opened = inbox_chat_open(m, x->self, x->kp, &x->text);
	x->mine = json_str(m, "from") && strcmp(json_str(m, "from"), x->self) == 0;
	return 0;
}

void inbox_chat_last(struct store *s, const char *conv_id, const char *self,
                     const struct kkeypair *kp, size_t cols, struct kbuf *out)
{
	struct chat_last x = {self, kp, KBUF_INIT, 0, 0};
	if (store_conversation_last(s, conv_id, chat_last_of, &x, NULL) == K_OK && x.opened) {
		struct kbuf line = KBUF_INIT, safe = KBUF_INIT;
		if (x.mine)
			kbuf_puts(&line, "you: ");
		for (size_t i = 0; i < x.text.len; i++) { /* a line break reads as a space */
			char ch = x.text.data[i] == '\n' || x.text.data[i] == '\r' ||
			                  x.text.data[i] == '\t'
			              ? ' '
			              : x.text.data[i];
			if (ch != ' ' || (line.len && line.data[line.len - 1] != ' '))
				kbuf_putc(&line, ch);
		}
		text_sanitize(&safe, line.data, line.len, 0);
		text_clip_mark(out, kbuf_str(&safe), cols, 0);
		kbuf_free(&line);
		kbuf_free(&safe);
	}
	kbuf_free(&x.text);
}

/* The message's text, when it is sealed to kp: one line, cut short. */
static int open_text(const cJSON *m, const char *self, const struct kkeypair *kp, char *out,
                     size_t cap)
{
	struct kbuf plain = KBUF_INIT;
	int ok = inbox_chat_open(m, self, kp, &plain);
	if (ok)
		one_line(kbuf_str(&plain), QUOTE_COLS, out, cap);
	kbuf_free(&plain);
	return ok;
}

static int chat_item(void *ctx, const struct inbox_chat_row *r)
{
	struct collect *c = ctx;
	char name[120];
	name_of(c->s, r->peer, name, sizeof name);
	const char *last = r->last ? json_str(r->last, "id") : NULL;
	struct inbox_item *it = add(c, INBOX_CHAT, r->updated);
	snprintf(it->key, sizeof it->key, "chat:%.64s:%.64s", r->conversation, last ? last : "");
	snprintf(it->id, sizeof it->id, "%s", r->conversation);
	snprintf(it->peer, sizeof it->peer, "%s", r->peer);
	char about[240] = ""; /* which of her products or orders it is about */
	struct kbuf b = KBUF_INIT;
	inbox_chat_about(c->s, r->conv, 60, &b);
	if (b.len)
		snprintf(about, sizeof about, " %s", kbuf_str(&b));
	kbuf_free(&b);
	snprintf(it->text, sizeof it->text, "%d unread message%s from %s%s", r->unread,
	         r->unread == 1 ? "" : "s", name, about);
	char quote[QUOTE_COLS * 4 + 8];
	if (c->kp && r->last && open_text(r->last, c->self, c->kp, quote, sizeof quote))
		snprintf(it->news, sizeof it->news, "message from %s%s: \"%s\"", name, about,
		         quote);
	else
		snprintf(it->news, sizeof it->news, "message from %s%s", name, about);
	snprintf(it->cmd, sizeof it->cmd, "kontor chat show %.8s", r->conversation);
	return 0;
}

/* A contract step of hers the outbox holds that no order item said: an offer she signed or
 * countered here (its order is the node's to make), on its way or refused. */
static void queued_contracts(struct collect *c)
{
	for (size_t i = 0; i < c->nqueued; i++) {
		const struct inbox_queued *q = &c->queued[i];
		cJSON *k = NULL;
		if (q->said || strncmp(q->cmd, "contract ", 9) != 0 ||
		    store_object_get(c->s, "Contract", q->id, &k, NULL) != K_OK) {
			cJSON_Delete(k);
			continue;
		}
		const char *b = json_str(k, "buyerId"), *peer = json_str(k, "sellerId");
		if (b && strcmp(b, c->self) != 0)
			peer = b;
		char name[120], sh[16], about[INBOX_TEXT_MAX / 2];
		name_of(c->s, peer, name, sizeof name);
		inbox_short_id(q->id, sh);
		struct kbuf wb = KBUF_INIT;
		char *product = contract_product_of(k);
		quoted(&wb, product, 48);
		free(product);
		snprintf(about, sizeof about, "contract %s%s with %s", sh, kbuf_str(&wb), name);
		kbuf_free(&wb);
		struct inbox_item *it = queued_item(c, INBOX_OFFER, q, about);
		snprintf(it->id, sizeof it->id, "%s", q->id);
		snprintf(it->peer, sizeof it->peer, "%s", peer ? peer : "");
		cJSON_Delete(k);
	}
}

/* ---------------------------------------------------------------- the list */

static int newest_first(const void *a, const void *b)
{
	const struct inbox_item *x = a, *y = b;
	int c = strcmp(y->when, x->when);
	if (c)
		return c;
	return strcmp(x->key, y->key);
}

int inbox_collect(struct store *s, const char *node, const char *self, const struct kkeypair *kp,
                  struct inbox *out, struct kerr *e)
{
	out->v = NULL;
	out->n = 0;
	struct collect c = {.s = s, .node = node ? node : "", .self = self, .kp = kp, .out = out};
	if (node)
		c.escrow_seen = store_wallet_escrow_seen_get(s, node, self);
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	model_time((int64_t)time(NULL) - INBOX_RATE_DAYS * 86400, c.rate_since);
	int rc = inbox_queued_read(s, &c.queued, &c.nqueued, e);
	if (rc == K_OK)
		rc = store_listing_each(s, self, take_mine, &c, e);
	if (rc == K_OK)
		rc = store_inbox_rfqs(s, self, now, rfq_wanted, rfq_item, &c, e);
	if (rc == K_OK)
		rc = store_inbox_contracts(s, self, offer_item, &c, e);
	if (rc == K_OK)
		rc = store_inbox_orders(s, self, order_item, &c, e);
	if (rc == K_OK)
		queued_contracts(&c);
	if (rc == K_OK && node)
		rc = money_items(&c, e);
	if (rc == K_OK)
		rc = store_inbox_chats(s, self, chat_item, &c, e);
	inbox_sells_free(&c.sells);
	free(c.escrow_seen);
	if (c.wallet_read > 0)
		wallet_view_free(&c.wallet);
	for (size_t i = 0; i < c.nmine; i++) {
		free(c.mine[i].sku);
		cJSON_Delete(c.mine[i].variants);
		inbox_sells_free(&c.mine[i].sells);
	}
	free(c.mine);
	free(c.queued);
	if (rc) {
		inbox_free(out);
		return rc;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, newest_first);
	return K_OK;
}

size_t inbox_news(const struct inbox *before, const struct inbox *after,
                  const struct inbox_item **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < after->n; i++) {
		int seen = 0;
		for (size_t j = 0; before && j < before->n && !seen; j++)
			seen = strcmp(before->v[j].key, after->v[i].key) == 0;
		if (seen)
			continue;
		if (n < max)
			out[n] = &after->v[i];
		n++;
	}
	return n;
}

void inbox_summary(const struct inbox_item *const *news, size_t n, size_t total, char *out,
                   size_t cap)
{
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "%zu new: ", total);
	for (size_t i = 0; i < n; i++) {
		size_t before = b.len;
		kbuf_printf(&b, "%s%s", i ? "; " : "", news[i]->news);
		if (b.len + 4 > cap) { /* no room for this phrase: say there is more */
			b.len = before;
			b.data[b.len] = '\0';
			kbuf_puts(&b, i ? "; …" : "…");
			break;
		}
	}
	if (n < total && b.len + 8 <= cap)
		kbuf_puts(&b, "; …");
	/* One line, whatever the phrases hold. */
	struct kbuf safe = KBUF_INIT;
	text_sanitize(&safe, kbuf_str(&b), b.len, 0);
	snprintf(out, cap, "%s", kbuf_str(&safe));
	kbuf_free(&safe);
	kbuf_free(&b);
}
