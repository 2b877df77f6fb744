/* resolve — names to ids. A word is tried in tiers, and the first tier that finds anything
 * decides: (0) a whole id of a kind asked for, taken as it is; (1) an exact name: one of our
 * SKUs (as stored or as written, then ignoring case), another seller's SKU, a listing's whole
 * title, an account's handle, an account's whole name; (2) a start: of an id (4+ characters),
 * of one of our SKUs, of a listing's title, of an account's name, of a handle after '@'; (3)
 * where nothing else fits, an order or a contract by its product, whole or its start. Where an
 * order or a contract is asked for, an account the word names stands for what is between us
 * and it, in the same tier (its exact name in (1), a start in (2)). One candidate in the
 * deciding tier is the answer; several are listed, after a command that acts (resolve_id_for)
 * has left out those by the other party it cannot act on. So "Acme" picks the firm named
 * exactly Acme even when "Acme Trading" exists, and an id prefix never hides a SKU. */
#include "resolve.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "../inbox.h"
#include "../net/sync.h"
#include "../store/names.h"
#include "../store/store.h"
#include "kontor/json.h"
#include "kontor/buf.h"
#include "kontor/contract.h"
#include "kontor/codes.h"
#include "kontor/model.h"
#include "kontor/money.h"
#include "kontor/searchtext.h"
#include "kontor/text.h"

#define CANDIDATES_MAX 64

struct cand {
	int kind;
	int by_party;   /* found through the other party's name (tier_between) */
	int by_product; /* found through what it trades (products) */
	char id[RESOLVE_ID_MAX + 1];
};

struct cands {
	size_t n;
	int more;
	struct cand c[CANDIDATES_MAX];
};

static void cands_add(struct cands *cs, int kind, const char *id)
{
	if (!id || strlen(id) > RESOLVE_ID_MAX)
		return;
	for (size_t i = 0; i < cs->n; i++)
		if (cs->c[i].kind == kind && strcmp(cs->c[i].id, id) == 0)
			return;
	if (cs->n >= CANDIDATES_MAX) {
		cs->more = 1;
		return;
	}
	cs->c[cs->n].kind = kind;
	cs->c[cs->n].by_party = 0;
	cs->c[cs->n].by_product = 0;
	memcpy(cs->c[cs->n].id, id, strlen(id) + 1);
	cs->n++;
}

static void cands_take(struct cands *cs, int kind, const struct names_hits *h)
{
	for (size_t i = 0; i < h->n; i++)
		cands_add(cs, kind, h->id[i]);
	cs->more |= h->more;
}

static int b64url_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '_';
}

static int b64url_len(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!b64url_char(s[n]))
			return -1;
	return (int)n;
}

/* Whether word is a whole id of kind, by its shape. */
static int whole_id(int kind, const char *w)
{
	int n = b64url_len(w);
	switch (kind) {
	case RESOLVE_LISTING:
		return n == MODEL_LISTING_ID_LEN && w[0] == 'L';
	case RESOLVE_CONVERSATION:
		return n == 23 && w[0] == 'C';
	case RESOLVE_RFQ:
		return n == 23 && w[0] == 'R';
	default: /* accounts (keys), orders and contracts (hashes) */
		return n == KCRYPTO_ID_LEN;
	}
}

static enum names_table table_of(int kind)
{
	switch (kind) {
	case RESOLVE_LISTING:
		return NAMES_LISTINGS;
	case RESOLVE_ACCOUNT:
		return NAMES_ACCOUNTS;
	case RESOLVE_ORDER:
		return NAMES_ORDERS;
	case RESOLVE_CONTRACT:
		return NAMES_CONTRACTS;
	case RESOLVE_RFQ:
		return NAMES_RFQS;
	default:
		return NAMES_CONVERSATIONS;
	}
}

/* The cached object type of an order, contract, RFQ or conversation. */
static const char *type_of(int kind)
{
	return kind == RESOLVE_ORDER      ? "Order"
	       : kind == RESOLVE_CONTRACT ? "Contract"
	       : kind == RESOLVE_RFQ      ? "Rfq"
	                                  : "Conversation";
}

static const char *kind_word(int kind, int plural)
{
	switch (kind) {
	case RESOLVE_LISTING:
		return plural ? "listings" : "listing";
	case RESOLVE_ACCOUNT:
		return plural ? "accounts" : "account";
	case RESOLVE_ORDER:
		return plural ? "orders" : "order";
	case RESOLVE_CONTRACT:
		return plural ? "contracts" : "contract";
	case RESOLVE_RFQ:
		return plural ? "RFQs" : "RFQ";
	default:
		return plural ? "conversations" : "conversation";
	}
}

/* Text folded as search folds it (case, accents, ß/ss, е/ё), every run of anything but
 * letters and digits one space, no space at either end. */
static void fold(const char *s, struct kbuf *out)
{
	struct kbuf f = KBUF_INIT;
	size_t n = strlen(s);
	searchtext_prep(&f, s, n > RESOLVE_WORD_MAX * 4 ? RESOLVE_WORD_MAX * 4 : n);
	int gap = 0;
	for (size_t i = 0; i < f.len; i++) {
		unsigned char ch = (unsigned char)f.data[i];
		int word = ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		           (ch >= 'A' && ch <= 'Z');
		if (!word) {
			gap = 1;
			continue;
		}
		if (gap && out->len)
			kbuf_putc(out, ' ');
		gap = 0;
		kbuf_putc(out, (char)ch);
	}
	kbuf_free(&f);
	kbuf_str(out);
}

/* Whether want (folded) is whole words of folded text f past its start: the name a firm is
 * known by ("hoa phat"), never the start of a word, which a few characters of an id would
 * hit by chance. */
static int words_in(const char *f, size_t flen, const char *want, size_t wlen)
{
	for (size_t i = 1; wlen && i + wlen <= flen; i++)
		if (f[i - 1] == ' ' && memcmp(f + i, want, wlen) == 0 &&
		    (i + wlen == flen || f[i + wlen] == ' '))
			return 1;
	return 0;
}

/* --- accounts by name ----------------------------------------------------------------- */

struct name_walk {
	const char *want; /* folded */
	size_t wlen;
	const char *handle; /* the word as a handle (lower case), or NULL */
	int handle_start;   /* a handle it starts counts too (the word had an '@') */
	struct cands *exact, *prefix;
};

/* Which of w's lists text takes w's word into, folded: exact for the whole of it, prefix for
 * its start or whole words from inside it ("Hoa Phat" of "Sat My Thuat Hoa Phat", "conical
 * hat" of "Non la (conical hat)"); NULL for neither. */
static struct cands *fits_words(const struct name_walk *w, const char *text)
{
	if (!text || !*text || !w->wlen)
		return NULL;
	struct kbuf f = KBUF_INIT;
	fold(text, &f);
	struct cands *to = NULL;
	if (f.len >= w->wlen && memcmp(f.data, w->want, w->wlen) == 0)
		to = f.len == w->wlen ? w->exact : w->prefix;
	else if (words_in(f.data, f.len, w->want, w->wlen))
		to = w->prefix;
	kbuf_free(&f);
	return to;
}

static void name_check(struct name_walk *w, const char *id, const char *name)
{
	struct cands *to = fits_words(w, name);
	if (to)
		cands_add(to, RESOLVE_ACCOUNT, id);
}

static int name_one(void *vctx, const char *id, const char *handle, const char *display,
                    const char *legal)
{
	struct name_walk *w = vctx;
	if (w->handle && handle && strcmp(handle, w->handle) == 0)
		cands_add(w->exact, RESOLVE_ACCOUNT, id);
	else if (w->handle_start && *w->handle && handle &&
	         strncmp(handle, w->handle, strlen(w->handle)) == 0)
		cands_add(w->prefix, RESOLVE_ACCOUNT, id);
	if (w->wlen) {
		name_check(w, id, display);
		name_check(w, id, legal);
	}
	return 0;
}

/* --- listings by title --------------------------------------------------------------- */

static int title_one(void *vctx, const char *id, const char *title)
{
	struct name_walk *w = vctx;
	struct cands *to = fits_words(w, title);
	if (to)
		cands_add(to, RESOLVE_LISTING, id);
	return 0;
}

/* Listings whose whole title is word (into exact) or starts with it or has it as whole words
 * (into prefix), folded as account names are: ours whatever their status, and the others'
 * that search finds by the word (active ones, the 500 most relevant). */
static int titles(struct ctx *c, struct store *s, const char *word, struct cands *exact,
                  struct cands *prefix, struct kerr *e)
{
	struct kbuf want = KBUF_INIT;
	fold(word, &want);
	struct name_walk w = {kbuf_str(&want), want.len, NULL, 0, exact, prefix};
	int rc = K_OK;
	if (w.wlen && c->self_id[0])
		rc = store_names_titles_each(s, c->self_id, title_one, &w, e);
	if (!rc && w.wlen) {
		struct search_query q = {KSEARCH_QUERY_ANY, SEARCH_RELEVANCE, 500, 0};
		q.filter.text = word;
		struct search_result r = {0};
		struct kerr se;
		if (store_search(s, &q, &r, &se) == K_OK) /* one it cannot take finds no title */
			for (size_t i = 0; i < r.n; i++)
				if (strcmp(r.hits[i].seller_id, c->self_id) != 0)
					title_one(&w, r.hits[i].id, r.hits[i].title);
		search_result_free(&r);
	}
	kbuf_free(&want);
	return rc;
}

/* --- orders not pulled yet: the binding contracts' order ids ----------------------------- */

/* The parties a word names, found on the way (tier_between), each tier's apart: what a
 * command that acts reads again (fits_between) when they leave it several candidates. */
struct peers {
	struct cands exact, prefix;
};

struct order_walk {
	const char *prefix;
	size_t plen;
	const char *peer; /* NULL, or only the contracts with this party */
	struct cands *out;
	struct ctx *c;
	const struct resolve_for *rf; /* NULL, or only the ones rf->fit takes */
};

static int order_one(void *vctx, const cJSON *doc)
{
	struct order_walk *w = vctx;
	const char *b = json_str(doc, "buyerId"), *sl = json_str(doc, "sellerId");
	if (w->peer && !(b && strcmp(b, w->peer) == 0) && !(sl && strcmp(sl, w->peer) == 0))
		return 0;
	struct contract_status *st = xcalloc(1, sizeof *st);
	struct kerr e = {0, ""};
	if (contract_verify(doc, st, &e) == K_OK && st->binding >= 0 &&
	    strncmp(st->order_id, w->prefix, w->plen) == 0 &&
	    (!w->rf || w->rf->fit(w->c, st->order_id, w->rf->arg)))
		cands_add(w->out, RESOLVE_ORDER, st->order_id);
	free(st);
	return 0;
}

struct fit_walk {
	struct ctx *c;
	const struct resolve_for *rf;
	int kind;
	struct cands *fits;
};

static int fit_one(void *vctx, const char *id)
{
	struct fit_walk *w = vctx;
	if (w->rf->fit(w->c, id, w->rf->arg))
		cands_add(w->fits, w->kind, id);
	return 0;
}

/* --- the tiers ----------------------------------------------------------------------- */

/* The word as a handle: without its '@', in lower case. */
static void handle_of(const char *word, char out[RESOLVE_WORD_MAX + 1])
{
	const char *w = word[0] == '@' ? word + 1 : word;
	size_t n = strlen(w);
	for (size_t i = 0; i <= n && i <= RESOLVE_WORD_MAX; i++)
		out[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] - 'A' + 'a' : w[i]);
	out[RESOLVE_WORD_MAX] = '\0';
}

/* --- orders and contracts by what they trade ---------------------------------------------- */

struct product_walk {
	struct name_walk n; /* the folded word, and where matches go */
	struct ctx *c;
	struct store *s;
	int kinds;
	const struct names_hits *sku; /* her listings the word is the SKU of, or NULL */
};

/* Whether the contract is for one of the listings in h (her SKU named it). */
static int of_listing(const cJSON *doc, const struct names_hits *h)
{
	const char *lid = h ? json_str(doc, "listingId") : NULL;
	for (size_t i = 0; lid && i < h->n; i++)
		if (strcmp(h->id[i], lid) == 0)
			return 1;
	return 0;
}

static int product_one(void *vctx, const cJSON *doc)
{
	struct product_walk *w = vctx;
	const char *id = json_str(doc, "id");
	if (!id || !contract_role_of(doc, w->c->self_id))
		return 0;
	struct cands *to = w->n.exact;
	if (!of_listing(doc, w->sku)) { /* "GATE-LOTUS": what she sells, as she knows it */
		char *p = contract_product_of(doc);
		/* whole words of it too: a variant's option ("nho" in "quat may (co: nho)") */
		to = fits_words(&w->n, p);
		free(p);
	}
	if (!to)
		return 0;
	/* an order signed on the first offer has its contract's id: that order, when cached */
	struct names_hits h;
	memset(&h, 0, sizeof h);
	size_t before = to->n;
	if ((w->kinds & RESOLVE_ORDER) &&
	    store_names_id_prefix(w->s, NAMES_ORDERS, id, &h, NULL) == K_OK && h.n &&
	    strcmp(h.id[0], id) == 0)
		cands_add(to, RESOLVE_ORDER, id);
	else if (w->kinds & RESOLVE_ORDER) {
		/* the order a counter-offer's signature made (its id is that section's), or one
		 * not pulled yet: the contract's binding section names it */
		struct order_walk ow = {"", 0, NULL, to, NULL, NULL};
		order_one(&ow, doc);
	}
	if (to->n == before && (w->kinds & RESOLVE_CONTRACT))
		cands_add(to, RESOLVE_CONTRACT, id);
	return 0;
}

/* An RFQ by its title, as rfq list shows it ("Bamboo trays"), whoever posted it. */
static int rfq_one(void *vctx, const cJSON *r)
{
	struct product_walk *w = vctx;
	const char *id = json_str(r, "id");
	struct cands *to = id ? fits_words(&w->n, json_str(r, "title")) : NULL;
	if (to)
		cands_add(to, RESOLVE_RFQ, id);
	return 0;
}

/* Our orders and contracts whose product (as order list names it: the first item's
 * description) is word, or starts with it, or has it as a whole word, and the RFQs whose
 * title is: a tier of its own, after every other. */
static int products(struct ctx *c, struct store *s, int kinds, const char *word,
                    struct cands *exact, struct cands *prefix, struct kerr *e)
{
	struct kbuf want = KBUF_INIT;
	fold(word, &want);
	struct product_walk w = {
	    {kbuf_str(&want), want.len, NULL, 0, exact, prefix}, c, s, kinds, NULL};
	size_t fx = exact->n, fp = prefix->n;
	int rc = K_OK;
	/* one of her SKUs (or her variants'): the trades of that listing */
	struct names_hits sku;
	memset(&sku, 0, sizeof sku);
	if (c->self_id[0] && (kinds & (RESOLVE_ORDER | RESOLVE_CONTRACT))) {
		rc = store_names_sku(s, c->self_id, word, NAMES_SKU_NOCASE, &sku, e);
		if (!rc && !sku.n)
			rc = store_names_variant_sku(s, c->self_id, word, &sku, e);
		w.sku = sku.n ? &sku : NULL;
	}
	if (!rc && w.n.wlen && (kinds & (RESOLVE_ORDER | RESOLVE_CONTRACT)))
		rc = store_object_each(s, "Contract", NULL, product_one, &w, e);
	if (!rc && w.n.wlen && (kinds & RESOLVE_RFQ))
		rc = store_object_each(s, "Rfq", NULL, rfq_one, &w, e);
	for (size_t i = fx; i < exact->n; i++)
		exact->c[i].by_product = 1;
	for (size_t i = fp; i < prefix->n; i++)
		prefix->c[i].by_product = 1;
	kbuf_free(&want);
	return rc;
}

static int tier_exact(struct ctx *c, struct store *s, int kinds, const char *word,
                      struct cands *exact, struct cands *prefix, struct kerr *e)
{
	int rc = K_OK;
	struct names_hits h;
	if (kinds & RESOLVE_LISTING) {
		if (c->self_id[0]) {
			memset(&h, 0, sizeof h);
			rc = store_names_sku(s, c->self_id, word, NAMES_SKU_EXACT, &h, e);
			if (!rc && !h.n)
				rc = store_names_sku(s, c->self_id, word, NAMES_SKU_NOCASE, &h, e);
			if (!rc)
				cands_take(exact, RESOLVE_LISTING, &h);
			/* one of our variants' SKUs names its listing ("GIO-TRE-L") */
			memset(&h, 0, sizeof h);
			if (!rc && !exact->n)
				rc = store_names_variant_sku(s, c->self_id, word, &h, e);
			if (!rc)
				cands_take(exact, RESOLVE_LISTING, &h);
		}
		/* not one of ours: another seller's SKU, as listing show and the TUI print it;
		 * two sellers' alike are listed to choose from */
		if (!rc && !exact->n) {
			memset(&h, 0, sizeof h);
			rc = store_names_sku_any(s, word, 0, &h, e);
			if (!rc && !h.n)
				rc = store_names_sku_any(s, word, 1, &h, e);
			if (!rc)
				cands_take(exact, RESOLVE_LISTING, &h);
		}
		/* or one of its variants' SKUs, of a listing the cache holds whole */
		if (!rc && !exact->n) {
			memset(&h, 0, sizeof h);
			rc = store_names_variant_sku(s, NULL, word, &h, e);
			if (!rc)
				cands_take(exact, RESOLVE_LISTING, &h);
		}
		/* the start of one of our SKUs: "RAIL" of RAIL-01 (RAIL-02 beside it is listed) */
		if (!rc && !exact->n && c->self_id[0] && word[0] != '@' && strlen(word) >= 2) {
			memset(&h, 0, sizeof h);
			rc = store_names_sku(s, c->self_id, word, NAMES_SKU_START, &h, e);
			if (!rc)
				cands_take(prefix, RESOLVE_LISTING, &h);
		}
		/* a title, whole or its start, as search and listing list show it; "@sat" names
		 * a handle, never the title with "sắt" in it */
		if (!rc && !exact->n && word[0] != '@')
			rc = titles(c, s, word, exact, prefix, e);
	}
	if (!rc && (kinds & RESOLVE_ACCOUNT)) {
		char handle[RESOLVE_WORD_MAX + 1];
		handle_of(word, handle);
		if (word[0] == '@') {
			/* a handle, exactly, then its start */
			memset(&h, 0, sizeof h);
			rc = store_names_handle(s, handle, 0, &h, e);
			if (!rc)
				cands_take(exact, RESOLVE_ACCOUNT, &h);
			memset(&h, 0, sizeof h);
			if (!rc && *handle)
				rc = store_names_handle(s, handle, 1, &h, e);
			if (!rc)
				cands_take(prefix, RESOLVE_ACCOUNT, &h);
		} else {
			/* a handle without its '@', a whole name, or the start of one */
			struct kbuf want = KBUF_INIT;
			fold(word, &want);
			struct name_walk nw = {kbuf_str(&want), want.len, handle, 0, exact, prefix};
			rc = store_names_accounts_each(s, name_one, &nw, e);
			kbuf_free(&want);
		}
	}
	return rc;
}

/* The orders and contracts (as kinds asks) between us and each of accounts, into out. */
static int between(struct ctx *c, struct store *s, int kinds, const struct cands *accounts,
                   struct cands *out, struct kerr *e)
{
	int rc = K_OK;
	size_t from = out->n;
	for (size_t i = 0; !rc && i < accounts->n; i++) {
		const char *peer = accounts->c[i].id;
		for (int k = RESOLVE_ORDER; !rc && k <= RESOLVE_CONTRACT; k <<= 1) {
			if (!(kinds & k))
				continue;
			struct names_hits h;
			memset(&h, 0, sizeof h);
			rc = store_names_between(s, table_of(k), c->self_id, peer, &h, e);
			if (!rc)
				cands_take(out, k, &h);
			if (!rc && k == RESOLVE_ORDER) {
				struct order_walk w = {"", 0, peer, out, c, NULL};
				rc = store_names_unpulled_orders_each(s, order_one, &w, e);
			}
		}
	}
	for (size_t i = from; i < out->n; i++)
		out->c[i].by_party = 1;
	out->more |= accounts->more;
	return rc;
}

/* Of everything between us and accounts (not only the first NAMES_HITS_MAX a list holds),
 * the ones rf->fit takes, into fits; fits->more when not every party or fit was read. */
static int fits_between(struct ctx *c, struct store *s, int kinds, const struct cands *accounts,
                        const struct resolve_for *rf, struct cands *fits, struct kerr *e)
{
	int rc = K_OK;
	for (size_t i = 0; !rc && i < accounts->n; i++) {
		const char *peer = accounts->c[i].id;
		for (int k = RESOLVE_ORDER; !rc && k <= RESOLVE_CONTRACT; k <<= 1) {
			if (!(kinds & k))
				continue;
			struct fit_walk fw = {c, rf, k, fits};
			rc = store_names_between_each(s, table_of(k), c->self_id, peer, fit_one,
			                              &fw, e);
			if (!rc && k == RESOLVE_ORDER) {
				struct order_walk w = {"", 0, peer, fits, c, rf};
				rc = store_names_unpulled_orders_each(s, order_one, &w, e);
			}
		}
	}
	fits->more |= accounts->more;
	return rc;
}

/* An order or a contract by the other party, named as an account is: what is between us and
 * an account the word names exactly is exact, and with one whose name or handle it starts, a
 * start. Only the accounts on the other side of one of ours are read, not the whole market. */
static int tier_between(struct ctx *c, struct store *s, int kinds, const char *word,
                        struct cands *exact, struct cands *prefix, struct peers *pp, struct kerr *e)
{
	struct cands *ax = &pp->exact, *ap = &pp->prefix;
	char handle[RESOLVE_WORD_MAX + 1];
	handle_of(word, handle);
	struct kbuf want = KBUF_INIT;
	if (word[0] != '@')
		fold(word, &want);
	struct name_walk nw = {kbuf_str(&want), want.len, handle, word[0] == '@', ax, ap};
	int rc = store_names_peers_each(s, c->self_id, name_one, &nw, e);
	kbuf_free(&want);
	if (!rc)
		rc = between(c, s, kinds, ax, exact, e);
	if (!rc)
		rc = between(c, s, kinds, ap, prefix, e);
	return rc;
}

static int tier_prefix(struct store *s, int kinds, const char *word, struct cands *out,
                       struct kerr *e)
{
	if (b64url_len(word) < RESOLVE_PREFIX_MIN || strlen(word) > RESOLVE_ID_MAX)
		return K_OK;
	static const int order[] = {RESOLVE_LISTING,  RESOLVE_ACCOUNT, RESOLVE_ORDER,
	                            RESOLVE_CONTRACT, RESOLVE_RFQ,     RESOLVE_CONVERSATION};
	int rc = K_OK;
	for (size_t k = 0; !rc && k < sizeof order / sizeof order[0]; k++) {
		if (!(kinds & order[k]))
			continue;
		struct names_hits h;
		memset(&h, 0, sizeof h);
		rc = store_names_id_prefix(s, table_of(order[k]), word, &h, e);
		if (!rc)
			cands_take(out, order[k], &h);
		if (!rc && order[k] == RESOLVE_ORDER) {
			struct order_walk w = {word, strlen(word), NULL, out, NULL, NULL};
			rc = store_names_unpulled_orders_each(s, order_one, &w, e);
		}
	}
	return rc;
}

/* --- what the candidates are called ------------------------------------------------------ */

static void put_clipped(struct kbuf *out, const char *s, size_t cols)
{
	struct kbuf safe = KBUF_INIT;
	text_sanitize(&safe, s ? s : "", s ? strlen(s) : 0, 0);
	size_t from = out->len;
	text_clip(out, kbuf_str(&safe), cols, 0);
	if (text_width(kbuf_str(&safe)) > cols) {
		/* "Iron table legs, black…", not "Iron table legs, black, …" */
		while (out->len > from &&
		       (out->data[out->len - 1] == ' ' || out->data[out->len - 1] == ',' ||
		        out->data[out->len - 1] == ';'))
			out->len--;
		kbuf_puts(out, "…");
	}
	kbuf_free(&safe);
}

void resolve_account_name(struct ctx *c, const char *id, struct kbuf *out)
{
	struct store *s = c->store;
	struct account a;
	if (id && s && store_account_get(s, id, &a, NULL) == K_OK) {
		text_sanitize(out, a.display_name ? a.display_name : "",
		              a.display_name ? strlen(a.display_name) : 0, 0);
		if (a.handle && *a.handle) {
			kbuf_puts(out, " @");
			text_sanitize(out, a.handle, strlen(a.handle), 0);
		}
		account_free(&a);
		return;
	}
	char shown[64]; /* an id is ASCII: its first 12 characters, then the ellipsis */
	kbuf_printf(out, "%.12s…", text_shown(id ? id : "?", shown, sizeof shown));
}

void resolve_json_name(struct ctx *c, cJSON *j, const char *account)
{
	struct kerr e = {0, ""};
	if (!account || ctx_self(c, &e) != K_OK || strcmp(account, c->self_id) == 0)
		return;
	struct kbuf name = KBUF_INIT;
	resolve_account_name(c, account, &name);
	cJSON_AddStringToObject(j, "counterpartyName", kbuf_str(&name));
	kbuf_free(&name);
}

const char *resolve_peer_of(struct ctx *c, const cJSON *o)
{
	const char *b = json_str(o, "buyerId"), *sl = json_str(o, "sellerId"), *peer = NULL;
	if (b || sl)
		return b && strcmp(b, c->self_id) == 0 ? sl : b;
	const cJSON *p;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(o, "participants"))
	{
		if (cJSON_IsString(p) && strcmp(p->valuestring, c->self_id) != 0)
			peer = p->valuestring;
	}
	return peer;
}

/* An account by name, clipped for a list. */
static void account_clipped(struct ctx *c, const char *id, struct kbuf *out)
{
	struct kbuf n = KBUF_INIT;
	resolve_account_name(c, id, &n);
	put_clipped(out, kbuf_str(&n), 64);
	kbuf_free(&n);
}

static void money_part(int64_t minor, const char *cur, struct kbuf *out)
{
	if (!cur || strlen(cur) != 3)
		return;
	char amt[MONEY_FMT_MAX];
	money_text(minor, cur, amt);
	kbuf_printf(out, ", %s %s", amt, text_shown(cur, (char[8]){0}, 8));
}

/* What tells two orders or contracts with one party apart, after their state: an order's
 * total; a contract's latest offer, ", 300 pieces × Iron table legs…, 3,750.00 USD". */
static void what_words(struct store *s, int kind, const cJSON *o, const struct contract_status *st,
                       struct kbuf *out)
{
	if (kind == RESOLVE_ORDER) {
		/* its product, which tells two orders with one buyer apart (two sizes of a fan) */
		char *product = inbox_order_product(s, o);
		if (product) {
			kbuf_puts(out, ", \"");
			put_clipped(out, product, 32);
			kbuf_puts(out, "\"");
		}
		free(product);
		const cJSON *tot = cJSON_GetObjectItemCaseSensitive(o, "total");
		if (cJSON_IsNumber(tot))
			money_part((int64_t)tot->valuedouble, json_str(o, "currency"), out);
		return;
	}
	if (!st)
		return;
	struct contract_terms t;
	struct kerr ie = {0, ""};
	contract_terms_init(&t);
	const cJSON *offer =
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "sections"), st->latest_offer);
	if (contract_section_terms(offer, &t, &ie) == K_OK) {
		if (t.nitems) {
			char q[MONEY_FMT_MAX];
			kbuf_printf(out, ", %s %s × ", count_text(t.items[0].qty, q),
			            codes_unit_count(t.items[0].unit, t.items[0].qty));
			put_clipped(out, t.items[0].description, 24);
			if (t.nitems > 1)
				kbuf_puts(out, " and more");
		}
		money_part(t.total, t.currency, out);
	}
	contract_terms_free(&t);
}

/* How a candidate is listed; peer_shown: the one other party all of them share, named once
 * in the message and not again here (NULL: each names its own). */
static void label(struct ctx *c, struct store *s, const struct cand *k, int short_len,
                  int with_kind, const char *peer_shown, struct kbuf *out)
{
	char sid[RESOLVE_ID_MAX + 1];
	snprintf(sid, sizeof sid, "%.*s", short_len, k->id);
	if (with_kind)
		kbuf_printf(out, "%s ", kind_word(k->kind, 0));
	if (k->kind == RESOLVE_ACCOUNT) {
		struct account a;
		if (store_account_get(s, k->id, &a, NULL) == K_OK) {
			put_clipped(out, a.display_name, 40);
			kbuf_printf(out, " (@%s, %s)", a.handle ? a.handle : "", sid);
			account_free(&a);
		} else {
			kbuf_puts(out, sid);
		}
		return;
	}
	if (k->kind == RESOLVE_LISTING) {
		struct listing l;
		if (store_listing_get(s, k->id, &l, NULL) == K_OK) {
			put_clipped(out, l.seller_sku ? l.seller_sku : l.sku, 24);
			kbuf_puts(out, " \"");
			put_clipped(out, l.title, 32);
			kbuf_puts(out, "\"");
			/* two sellers' listings may share a title and a SKU: whose each is */
			struct kerr se = {0, ""};
			if (ctx_self(c, &se) == K_OK && strcmp(l.seller_id, c->self_id) != 0) {
				kbuf_puts(out, " by ");
				resolve_account_name(c, l.seller_id, out);
			}
			kbuf_printf(out, " (%s)", sid);
			listing_free(&l);
		} else {
			kbuf_puts(out, sid);
		}
		return;
	}
	cJSON *o = NULL;
	kbuf_puts(out, sid);
	if (store_object_get(s, type_of(k->kind), k->id, &o, NULL) != K_OK) {
		if (k->kind == RESOLVE_ORDER)
			kbuf_puts(out, " (binding, not pulled yet)");
		return;
	}
	kbuf_puts(out, " (");
	if (k->kind == RESOLVE_RFQ) {
		put_clipped(out, json_str(o, "title"), 32);
	} else {
		struct contract_status *st = NULL;
		const char *state = json_str(o, "state");
		if (k->kind == RESOLVE_CONTRACT) {
			struct kerr ie = {0, ""};
			st = xcalloc(1, sizeof *st);
			if (contract_verify(o, st, &ie) != K_OK) {
				free(st);
				st = NULL;
			}
			state = st ? contract_state_name(st) : "unverified";
		}
		kbuf_puts(out, state ? text_shown(state, (char[24]){0}, 24) : "?");
		if (!peer_shown) {
			kbuf_puts(out, ", with ");
			account_clipped(c, resolve_peer_of(c, o), out);
		}
		what_words(s, k->kind, o, st, out);
		free(st);
	}
	kbuf_puts(out, ")");
	cJSON_Delete(o);
}

/* The one other party every candidate (orders, contracts, conversations) is with, or NULL;
 * into id. */
static const char *common_peer(struct ctx *c, struct store *s, const struct cands *cs,
                               char id[RESOLVE_ID_MAX + 1])
{
	id[0] = '\0';
	if (cs->more)
		return NULL; /* the ones not read may be with others */
	for (size_t i = 0; i < cs->n; i++) {
		int k = cs->c[i].kind;
		if (k == RESOLVE_ACCOUNT || k == RESOLVE_LISTING || k == RESOLVE_RFQ)
			return NULL;
		cJSON *o = NULL;
		const char *p = NULL;
		if (store_object_get(s, type_of(k), cs->c[i].id, &o, NULL) == K_OK)
			p = resolve_peer_of(c, o);
		int same = p && strlen(p) <= RESOLVE_ID_MAX && (!id[0] || strcmp(id, p) == 0);
		if (same && !id[0])
			memcpy(id, p, strlen(p) + 1);
		cJSON_Delete(o);
		if (!same)
			return NULL;
	}
	return id[0] ? id : NULL;
}

/* Long enough (8 at least) for the candidates' short ids to differ. */
static int short_len(const struct cands *cs)
{
	for (int len = 8; len < RESOLVE_ID_MAX; len++) {
		int clash = 0;
		for (size_t i = 0; i < cs->n && !clash; i++)
			for (size_t j = i + 1; j < cs->n && !clash; j++)
				clash = strncmp(cs->c[i].id, cs->c[j].id, (size_t)len) == 0;
		if (!clash)
			return len;
	}
	return RESOLVE_ID_MAX;
}

/* Several candidates, listed; none_can: the verb of a command that can act on none of them
 * ("ship": "none of which you can ship now"), or NULL. */
static int ambiguous(struct ctx *c, struct store *s, const char *none_can, const char *word,
                     const struct cands *cs, struct kerr *e)
{
	int mixed = 0;
	for (size_t i = 1; i < cs->n; i++)
		mixed |= cs->c[i].kind != cs->c[0].kind;
	struct kbuf head = KBUF_INIT, list = KBUF_INIT, one = KBUF_INIT, name = KBUF_INIT;
	char w[48], pid[RESOLVE_ID_MAX + 1];
	const char *peer = common_peer(c, s, cs, pid);
	kbuf_printf(&head, "'%s' matches %s%zu %s", text_shown(word, w, sizeof w),
	            cs->more ? "over " : "", cs->n,
	            mixed ? "objects" : kind_word(cs->c[0].kind, 1));
	if (peer) {
		resolve_account_name(c, peer, &name);
		kbuf_puts(&head, " with ");
		put_clipped(&head, kbuf_str(&name), 64);
	}
	if (none_can)
		kbuf_printf(&head, ", none of which you can %s now", none_can);
	/* the list takes what the head and "; and over N more; say which" leave */
	size_t room = KERR_MSG_MAX - 1 - head.len - 40;
	int slen = short_len(cs);
	size_t shown = 0;
	for (; shown < cs->n; shown++) {
		kbuf_reset(&one);
		label(c, s, &cs->c[shown], slen, mixed, peer, &one);
		if (shown && list.len + one.len + 2 > room)
			break;
		kbuf_printf(&list, "%s%s", shown ? "; " : "", kbuf_str(&one));
	}
	if (shown < cs->n || cs->more)
		kbuf_printf(&list, "; and %s%zu more", cs->more ? "over " : "", cs->n - shown);
	kerr_set(e, K_EUSAGE, "%s: %s; say which", kbuf_str(&head), kbuf_str(&list));
	kbuf_free(&head);
	kbuf_free(&list);
	kbuf_free(&one);
	kbuf_free(&name);
	return K_EUSAGE;
}

static int none(int kinds, const char *word, struct kerr *e)
{
	char w[48];
	text_shown(word, w, sizeof w);
	struct kbuf what = KBUF_INIT;
	int first = 1;
	for (int k = 1; k <= RESOLVE_CONVERSATION; k <<= 1)
		if (kinds & k) {
			kbuf_printf(&what, "%s%s", first ? "" : ", ", kind_word(k, 0));
			first = 0;
		}
	struct kbuf how = KBUF_INIT;
	if (kinds & RESOLVE_LISTING)
		kbuf_puts(&how,
		          "one of your SKUs or its start, a title, its start or words of it, ");
	if (kinds & RESOLVE_ACCOUNT)
		kbuf_puts(&how, "an @handle, the start or words of a name, ");
	else if (kinds & (RESOLVE_ORDER | RESOLVE_CONTRACT))
		kbuf_puts(
		    &how,
		    "the other party's @handle or the start or words of their name, the product "
		    "or its start, your SKU of it, ");
	if (kinds & RESOLVE_RFQ)
		kbuf_puts(&how, "its title, its start or words of it, ");
	kbuf_printf(&how, "an id or its first %d or more characters", RESOLVE_PREFIX_MIN);
	kerr_set(e, K_EUSAGE,
	         "no %s in the cache matches '%s' (give %s; `kontor sync` brings what the node "
	         "has)",
	         kbuf_str(&what), w, kbuf_str(&how));
	kbuf_free(&what);
	kbuf_free(&how);
	return K_EUSAGE;
}

/* An @handle the cache lacks, asked of the node: a seller in scope mine holds only the
 * accounts she deals with, and a buyer gives her his handle before they deal. K_OK with out
 * set; else e says why (K_ENOTFOUND: the node has none). */
static int handle_from_node(struct ctx *c, const char *word, struct resolved *out, struct kerr *e)
{
	char handle[RESOLVE_WORD_MAX + 1];
	handle_of(word, handle);
	if (!*handle || strspn(handle, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(handle))
		return kerr_set(e, K_ENOTFOUND, "'%s' is no handle", handle);
	struct ksync *k = NULL;
	int rc = cmd_public_open(c, &k, e);
	if (rc == K_ENOTFOUND)
		rc = K_EFAIL; /* no node to ask: not the node's answer */
	if (!rc)
		rc = ksync_fetch_handle(k, handle, out->id, e);
	ksync_close(&k);
	if (!rc)
		out->kind = RESOLVE_ACCOUNT;
	return rc;
}

/* Several candidates, every one found by the other party's name (named in accounts): the
 * ones rf can act on, read from all that is between us, stand for them, as long as none
 * was left unread. *how: 1 when they do, -1 when it can act on none of them (found stays),
 * 0 when narrowing does not apply (a word that also names something by its id names what
 * it names). K_EDB when the cache cannot be read. */
static int narrow(struct ctx *c, struct store *s, int kinds, const struct cands *accounts,
                  const struct resolve_for *rf, struct cands *found, int *how, struct kerr *e)
{
	*how = 0;
	if (!rf || !rf->fit || (found->n < 2 && !found->more))
		return K_OK;
	int party = 1, product = 1;
	for (size_t i = 0; i < found->n; i++) {
		party &= found->c[i].by_party;
		product &= found->c[i].by_product;
	}
	if (!party && !(product && !found->more))
		return K_OK; /* an id or its start names what it names */
	struct cands *fits = xcalloc(1, sizeof *fits);
	int rc = K_OK;
	if (party) {
		rc = fits_between(c, s, kinds, accounts, rf, fits, e);
	} else { /* every order or contract that trades it was read */
		for (size_t i = 0; i < found->n; i++)
			if (rf->fit(c, found->c[i].id, rf->arg)) {
				fits->c[fits->n] = found->c[i];
				fits->n++;
			}
	}
	if (rc == K_OK && !fits->more)
		*how = fits->n ? 1 : -1;
	if (*how == 1)
		*found = *fits;
	free(fits);
	return rc;
}

/* Where a person or her listing will do (chat send, supplier show), a word that names both
 * her and her listing names her: "Sắt Mỹ" is the firm Sắt Mỹ Thuật Hoà Phát, not also her
 * "Ghế sắt mỹ thuật". Leaves out of found each listing whose seller is an account in it. */
static void person_over_her_listings(struct store *s, struct cands *found)
{
	size_t keep = 0;
	for (size_t i = 0; i < found->n; i++) {
		const struct cand *x = &found->c[i];
		int hers = 0;
		struct listing l;
		if (x->kind == RESOLVE_LISTING && store_listing_get(s, x->id, &l, NULL) == K_OK) {
			for (size_t j = 0; j < found->n && !hers; j++)
				hers = found->c[j].kind == RESOLVE_ACCOUNT &&
				       strcmp(found->c[j].id, l.seller_id) == 0;
			listing_free(&l);
		}
		if (!hers)
			found->c[keep++] = *x; /* keep <= i: nothing is written before it is read */
	}
	found->n = keep;
}

static int resolve_fit(struct ctx *c, int kinds, const char *word, const struct resolve_for *rf,
                       struct resolved *out, struct kerr *e)
{
	memset(out, 0, sizeof *out);
	char w[48];
	if (!word || !*word)
		return kerr_set(e, K_EUSAGE, "an empty name names nothing");
	if (strlen(word) > RESOLVE_WORD_MAX)
		return kerr_set(e, K_EUSAGE,
		                "'%s' is too long for a name or an id (%d bytes at most)",
		                text_shown(word, w, sizeof w), RESOLVE_WORD_MAX);
	struct store *s;
	int rc = ctx_store(c, &s, e);
	if (rc)
		return rc;
	struct kerr ie = {0, ""};
	if (!c->self_id[0])
		ctx_self(c, &ie); /* our SKUs, and who "the other party" is in the candidates */
	struct cands *exact = xcalloc(1, sizeof *exact), *prefix = xcalloc(1, sizeof *prefix);
	struct peers *pp = xcalloc(1, sizeof *pp);
	/* (0) a whole id: as it is; the cached one when two kinds have its shape */
	int shaped = 0;
	for (int k = 1; k <= RESOLVE_CONVERSATION; k <<= 1) {
		if (!(kinds & k) || !whole_id(k, word))
			continue;
		struct names_hits h;
		memset(&h, 0, sizeof h);
		if (store_names_id_prefix(s, table_of(k), word, &h, NULL) == K_OK && h.n &&
		    strcmp(h.id[0], word) == 0)
			shaped = k; /* cached: this one */
		else if (!shaped)
			shaped = -k;
		if (shaped > 0)
			break;
	}
	if (shaped) {
		out->kind = shaped > 0 ? shaped : -shaped;
		snprintf(out->id, sizeof out->id, "%s", word);
		goto done;
	}
	/* (1) exact names, with (2)'s name and handle starts gathered on the way */
	rc = tier_exact(c, s, kinds, word, exact, prefix, e);
	if (!rc && (kinds & (RESOLVE_ORDER | RESOLVE_CONTRACT)) && !(kinds & RESOLVE_ACCOUNT) &&
	    c->self_id[0])
		rc = tier_between(c, s, kinds, word, exact, prefix, pp, e);
	if (!rc && !exact->n)
		rc = tier_prefix(s, kinds, word, prefix, e);
	/* (3) what an order or a contract trades, an RFQ's title, when nothing else fits */
	if (!rc && !exact->n && !prefix->n &&
	    (((kinds & (RESOLVE_ORDER | RESOLVE_CONTRACT)) && c->self_id[0]) ||
	     (kinds & RESOLVE_RFQ)) &&
	    word[0] != '@')
		rc = products(c, s, kinds, word, exact, prefix, e);
	if (rc)
		goto done;
	struct cands *found = exact->n ? exact : prefix;
	int narrowed;
	rc = narrow(c, s, kinds, exact->n ? &pp->exact : &pp->prefix, rf, found, &narrowed, e);
	if (rc)
		goto done;
	if ((kinds & RESOLVE_ACCOUNT) && (kinds & RESOLVE_LISTING))
		person_over_her_listings(s, found);
	if (found->n == 1 && !found->more) {
		out->kind = found->c[0].kind;
		memcpy(out->id, found->c[0].id, sizeof out->id);
	} else if (found->n) {
		rc = ambiguous(c, s, narrowed < 0 ? rf->verb : NULL, word, found, e);
	} else if ((kinds & RESOLVE_ACCOUNT) && word[0] == '@') {
		struct kerr ne = {0, ""};
		if ((rc = handle_from_node(c, word, out, &ne)) == K_ENOTFOUND) {
			rc = kerr_set(e, K_EUSAGE, "no account %s in the cache, and %s",
			              text_shown(word, (char[48]){0}, 48), ne.msg);
		} else if (rc) {
			rc = none(kinds, word, e);
			char why[KERR_MSG_MAX];
			snprintf(why, sizeof why, "%s; the node could not be asked: %s", e->msg,
			         ne.msg);
			kerr_set(e, rc, "%s", why);
		}
	} else {
		rc = none(kinds, word, e);
	}
done:
	free(exact);
	free(prefix);
	free(pp);
	return rc;
}

int resolve_word(struct ctx *c, int kinds, const char *word, struct resolved *out, struct kerr *e)
{
	return resolve_fit(c, kinds, word, NULL, out, e);
}

int resolve_id_for(struct ctx *c, int kind, const char *word, const struct resolve_for *rf,
                   char *out, size_t cap, struct kerr *e)
{
	struct resolved r;
	int rc = resolve_fit(c, kind, word, rf, &r, e);
	if (rc)
		return rc;
	snprintf(out, cap, "%s", r.id);
	return K_OK;
}

int resolve_id(struct ctx *c, int kind, const char *word, char *out, size_t cap, struct kerr *e)
{
	return resolve_id_for(c, kind, word, NULL, out, cap, e);
}
