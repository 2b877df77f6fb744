/* ui/contracts — the Contracts tab: the cached contracts (waiting for us first), and one
 * contract as a readable document laid out for the view's width (contract_render_width),
 * verified first and said so, with the diff against the offer it counters and each
 * signature's status. Signing runs `contract sign ID` after a confirmation that names the
 * total and the parties; the passphrase is asked the way the `:` prompt asks it
 * (ui_run_command). Never shows a document as verified that contract_verify refused. */
#include "ui.h"

#include <stdlib.h>
#include <string.h>

#include "kontor/json.h"
#include "kontor/contract.h"
#include "kontor/codes.h"
#include "kontor/money.h"
#include "kontor/text.h"

/* The state in words, and rank 0 when it waits for us. */
static const char *state_of(struct ui *u, const cJSON *doc, int *rank)
{
	struct contract_status st;
	struct kerr e = {0};
	*rank = 2;
	if (contract_verify(doc, &st, &e) != K_OK)
		return "DOES NOT VERIFY";
	if (strcmp(st.last_kind, "cancelled") == 0)
		return "cancelled";
	if (st.binding >= 0)
		return "binding";
	const char *role = contract_role_of(doc, u->c->self_id);
	if (role && !contract_signed_as(doc, st.latest_offer, role)) {
		*rank = 0;
		return "offer waiting for me";
	}
	*rank = 1;
	return "waiting for them";
}

static int add_contract(void *vctx, const cJSON *doc)
{
	struct ui_walk *w = vctx;
	struct ui *u = w->u;
	struct trade_contract *k = ui_walk_row(w, json_str(doc, "id"));
	if (!k)
		return 0;
	k->seq = w->n - 1; /* the cache's order */
	const char *role = contract_role_of(doc, u->c->self_id);
	const char *peer = role && strcmp(role, "buyer") == 0 ? json_str(doc, "sellerId")
	                                                      : json_str(doc, "buyerId");
	k->peer = ui_account_name(u, peer);
	k->state = state_of(u, doc, &k->rank);
	k->total = -1;
	struct contract_terms terms;
	struct kerr e = {0};
	if (contract_latest_terms(doc, &terms, &e) == K_OK) {
		k->total = terms.total;
		snprintf(k->currency, sizeof k->currency, "%s", terms.currency);
		k->product = contract_product(&terms);
	} else {
		k->product = contract_product(NULL);
	}
	contract_terms_free(&terms);
	char last[MODEL_TIME_LEN + 1];
	contract_latest_time(doc, last); /* "" shows as "-" */
	ui_local_time(last, k->updated, sizeof k->updated);
	return 0;
}

static int contract_cmp(const void *a, const void *b)
{
	const struct trade_contract *x = a, *y = b;
	return x->rank != y->rank ? x->rank - y->rank : x->seq - y->seq;
}

#define COL_STATE 21 /* "offer waiting for me" and a space */
#define COL_TOTAL 24 /* as the Orders list's */

/* The state column as wide as the contracts' words need, so that on 80 columns a list of
 * binding ones leaves the room to the counterparty and the product. Measured once a load. */
static void state_width(struct ui_trade *t)
{
	size_t w = 5, tw = 5; /* "STATE", "TOTAL" */
	for (int i = 0; i < t->ncontracts; i++) {
		char total[UI_MONEY_MAX];
		ui_money(t->contracts[i].total, t->contracts[i].currency, total);
		size_t a = text_width(t->contracts[i].state ? t->contracts[i].state : "");
		size_t c = text_width(total);
		w = a > w ? a : w;
		tw = c > tw ? c : tw;
	}
	t->kstate_w = w + 1 < COL_STATE ? (int)w + 1 : COL_STATE;
	t->ktotal_w = tw < COL_TOTAL ? (int)tw : COL_TOTAL;
}

void ui_contracts_load(struct ui *u)
{
	struct ui_trade *t = ui_trade(u);
	struct ui_view *v = &u->views[VIEW_CONTRACTS];
	char keep[UI_TRADE_ID];
	ui_rows_keep(v, t->contracts, t->ncontracts, sizeof *t->contracts,
	             offsetof(struct trade_contract, id), keep, sizeof keep);
	for (int i = 0; i < t->ncontracts; i++) {
		free(t->contracts[i].peer);
		free(t->contracts[i].product);
	}
	free(t->contracts);
	t->contracts = NULL;
	t->ncontracts = 0;
	struct kerr e = {0};
	struct ui_walk w = {u, .size = sizeof *t->contracts,
	                    .id_at = offsetof(struct trade_contract, id),
	                    .id_cap = sizeof t->contracts->id};
	if (store_object_each(u->s, "Contract", NULL, add_contract, &w, &e) != K_OK)
		ui_say(u, "%s", e.msg);
	t->contracts = w.rows;
	t->ncontracts = w.n;
	/* sorted, the cursor on the contract it was on (signing moves one down the list) */
	ui_rows_settle(u, v, t->contracts, t->ncontracts, sizeof *t->contracts,
	               offsetof(struct trade_contract, id), contract_cmp, keep, NULL);
	state_width(t);
	u->dirty |= DIRTY_BODY | DIRTY_HEAD;
}

/* 8 characters of the id, as commands and the Inbox print it; 10 from 120 columns */
static int id_width(int width)
{
	return width >= 120 ? 12 : 10;
}

/* 13 ("1,200.00 USD"), 16 from 100 columns, or what the widest total needs */
static int total_width(const struct ui_trade *t, int width)
{
	int w = width >= 100 ? 16 : 13;
	return t->ktotal_w > w ? t->ktotal_w : w;
}

/* "2026-11-23 14:58 CEST" (local, named) from 120 columns, its date from 100; below 100 the
 * column gives its room to the counterparty and the product (the contract itself shows
 * when it changed) */
static int updated_width(int width)
{
	return width >= 120 ? 21 : width >= 100 ? 10 : 0;
}

/* The spaces around the total and the updated column, and the updated column itself. */
static int gaps(int width)
{
	return updated_width(width) ? updated_width(width) + 4 : 2;
}

/* The counterparty and the product share what the other columns leave. */
static int peer_width(const struct ui_trade *t, int width)
{
	int w =
	    (width - 2 - id_width(width) - t->kstate_w - total_width(t, width) - gaps(width)) / 2;
	return w < 8 ? 8 : w > 30 ? 30 : w;
}

static int product_width(const struct ui_trade *t, int width)
{
	int w = width - 2 - id_width(width) - t->kstate_w - total_width(t, width) - gaps(width) -
	        peer_width(t, width);
	return w < 8 ? 8 : w > 40 ? 40 : w;
}

void ui_contracts_head(struct ui *u, int y)
{
	struct ui_trade *t = ui_trade(u);
	struct kbuf b = KBUF_INIT, h = KBUF_INIT;
	int waiting = 0;
	ui_trade_head_said(u);
	for (int i = 0; i < t->ncontracts; i++)
		waiting += t->contracts[i].rank == 0;
	kbuf_printf(&b, "Contracts (%d, %d waiting for you)   Enter opens", t->ncontracts, waiting);
	ui_head_row(u, y, kbuf_str(&b), u->a_head);
	kbuf_puts(&h, "  ");
	text_clip(&h, "CONTRACT", (size_t)id_width(COLS), 1);
	ui_col(&h, "COUNTERPARTY", peer_width(t, COLS));
	ui_col(&h, "PRODUCT", product_width(t, COLS));
	text_clip(&h, "STATE", (size_t)t->kstate_w, 1);
	kbuf_printf(&h, " %*s%s", total_width(t, COLS), "TOTAL",
	            updated_width(COLS) ? "  UPDATED" : "");
	ui_head_row(u, y + 1, kbuf_str(&h), u->a_dim);
	kbuf_free(&b);
	kbuf_free(&h);
}

void ui_contracts_row(struct ui *u, int i, struct kbuf *out, int width)
{
	struct ui_trade *t = ui_trade(u);
	const struct trade_contract *k = &t->contracts[i];
	struct kbuf line = KBUF_INIT;
	char total[UI_MONEY_MAX], id[16];
	ui_money(k->total, k->currency, total);
	snprintf(id, sizeof id, "%.*s", id_width(width) - 2, k->id);
	kbuf_puts(&line, "  ");
	text_clip(&line, id, (size_t)id_width(width), 1);
	ui_col(&line, k->peer, peer_width(t, width));
	ui_col_product(&line, k->product, product_width(t, width));
	ui_clip(&line, k->state, t->kstate_w, 1);
	kbuf_printf(&line, " %*s%s%.*s", total_width(t, width), total,
	            updated_width(width) ? "  " : "", updated_width(width), k->updated);
	ui_clip(out, kbuf_str(&line), width, 1);
	kbuf_free(&line);
}

/* --- one contract --------------------------------------------------------------- */

static void push_text(struct kstrv *lines, const char *text, size_t len, int width,
                      const char *indent)
{
	struct kbuf b = KBUF_INIT;
	text_sanitize(&b, text, len, 1);
	ui_wrap(kbuf_str(&b), width, indent, lines);
	kbuf_free(&b);
}

/* Each signature: who, in which role, and whether it checks out over its section. */
static void signatures(struct ui *u, const cJSON *doc, struct kstrv *lines, int width)
{
	const cJSON *sec, *secs = cJSON_GetObjectItemCaseSensitive(doc, "sections");
	int i = 0;
	kstrv_push(lines, "");
	kstrv_push(lines, "Signatures");
	cJSON_ArrayForEach(sec, (cJSON_IsArray(secs) ? secs : NULL))
	{
		const char *kind = json_str(sec, "kind") ? json_str(sec, "kind") : "?";
		const char *body = json_str(sec, "body");
		const cJSON *sig, *sigs = cJSON_GetObjectItemCaseSensitive(sec, "signatures");
		int nsig = 0;
		char domain[48];
		snprintf(domain, sizeof domain, "contract/%.30s", kind);
		cJSON_ArrayForEach(sig, (cJSON_IsArray(sigs) ? sigs : NULL))
		{
			const char *by = json_str(sig, "by"), *role = json_str(sig, "role"),
			           *s = json_str(sig, "sig");
			struct kerr e = {0};
			int ok = by && s && body &&
			         kcrypto_verify_object_b64(domain, body, strlen(body), by, s, &e) ==
			             K_OK;
			char *name = ui_account_name(u, by);
			struct kbuf b = KBUF_INIT;
			kbuf_printf(&b, "section %d %s: %s as %s — %s", i, kind, name,
			            role ? role : "?", ok ? "verified" : "DOES NOT VERIFY");
			if (by && strcmp(by, u->c->self_id) == 0)
				kbuf_puts(&b, " (you)");
			push_text(lines, kbuf_str(&b), b.len, width, "  ");
			kbuf_free(&b);
			free(name);
			nsig++;
		}
		if (!nsig) {
			struct kbuf b = KBUF_INIT;
			kbuf_printf(&b, "section %d %s: not signed yet", i, kind);
			push_text(lines, kbuf_str(&b), b.len, width, "  ");
			kbuf_free(&b);
		}
		i++;
	}
}

/* The terms of the offer the latest one counters (by its supersedes hash). */
void ui_contract_build(struct ui *u, int width)
{
	struct ui_trade *t = ui_trade(u);
	struct ui_view *v = ui_build_begin(u, VIEW_CONTRACT, t->contract_id, width);
	if (!v)
		return;
	cJSON *doc = NULL;
	t->contract_ok = 0;
	if (store_object_get(u->s, "Contract", t->contract_id, &doc, NULL) != K_OK) {
		snprintf(t->contract_check, sizeof t->contract_check, "not in the cache");
		kstrv_push(&v->lines,
		           "This contract is no longer in the cache (:sync fetches it).");
		cJSON_Delete(doc);
		ui_view_set_rows(u, v, (int)v->lines.n);
		return;
	}
	struct contract_status st;
	struct kerr ve = {0};
	if (contract_verify(doc, &st, &ve) == K_OK) {
		t->contract_ok = 1;
		snprintf(t->contract_check, sizeof t->contract_check,
		         "signatures verified: %zu section%s, every hash and signature checks out",
		         st.nsections, st.nsections == 1 ? "" : "s");
	} else {
		struct kbuf b = KBUF_INIT;
		text_sanitize(&b, ve.msg, strlen(ve.msg), 0);
		snprintf(t->contract_check, sizeof t->contract_check, "DOES NOT VERIFY: %s",
		         kbuf_str(&b));
		kbuf_free(&b);
	}
	if (t->diff) {
		struct contract_terms old_t, new_t;
		contract_terms_init(&old_t);
		contract_terms_init(&new_t);
		kstrv_push(&v->lines, "Changes against the offer it counters (d: the document)");
		kstrv_push(&v->lines, "");
		if (contract_offer_pair(doc, &old_t, &new_t)) {
			struct kbuf d = KBUF_INIT;
			contract_diff(&old_t, &new_t, &d);
			if (d.len)
				push_text(&v->lines, kbuf_str(&d), d.len, width, "  ");
			else
				kstrv_push(&v->lines, "  no changes: the terms agree");
			kbuf_free(&d);
		} else {
			kstrv_push(&v->lines, "  no earlier offer: this is the first offer");
		}
		contract_terms_free(&old_t);
		contract_terms_free(&new_t);
	} else {
		struct kbuf r = KBUF_INIT, p = KBUF_INIT;
		struct kerr re = {0};
		char *bn = ui_account_name(u, json_str(doc, "buyerId"));
		char *sn = ui_account_name(u, json_str(doc, "sellerId"));
		kbuf_printf(&p, "Between %s (buyer) and %s (seller)", bn, sn);
		push_text(&v->lines, kbuf_str(&p), p.len, width, "");
		kbuf_free(&p);
		free(bn);
		free(sn);
		if (contract_render_width(doc, width, &r, &re) == K_OK) {
			/* a trailing newline is no extra line */
			while (r.len && r.data[r.len - 1] == '\n')
				r.len--;
			push_text(&v->lines, kbuf_str(&r), r.len, width, "");
		} else {
			struct kbuf b = KBUF_INIT;
			kbuf_printf(&b, "cannot render this contract: %s", re.msg);
			push_text(&v->lines, kbuf_str(&b), b.len, width, "");
			kbuf_free(&b);
		}
		kbuf_free(&r);
	}
	signatures(u, doc, &v->lines, width);
	cJSON_Delete(doc);
	ui_view_set_rows(u, v, (int)v->lines.n);
}

static const struct trade_contract *find_contract(struct ui *u, const char *id)
{
	struct ui_trade *t = ui_trade(u);
	for (int i = 0; i < t->ncontracts; i++)
		if (strcmp(t->contracts[i].id, id) == 0)
			return &t->contracts[i];
	return NULL;
}

/* The keys the contract view takes now, as bound ("S signs · c counters · d diff · q
 * back"), the first n of them. */
static void contract_keys(int waiting, int n, struct kbuf *out)
{
	static const struct {
		enum ui_action act;
		const char *dflt, *word;
		int waiting; /* only on an offer that waits for her */
	} keys[] = {{ACT_SIGN, "S", "signs", 1},
	            {ACT_COUNTER, "c", "counters", 1},
	            {ACT_DIFF, "d", "diff", 0},
	            {ACT_BACK, "q", "back", 0}};
	int shown = 0;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0] && shown < n; i++) {
		if (keys[i].waiting && !waiting)
			continue;
		char key[16];
		ui_key_of(keys[i].act == ACT_BACK ? "any" : "contract", keys[i].act, keys[i].dflt,
		          key, sizeof key);
		kbuf_printf(out, "%s%s %s", shown ? " · " : "", key, keys[i].word);
		shown++;
	}
}

/* Who, where it stands and its keys on the first row, the signature check on the second;
 * at 80 columns the keys follow the check, said shorter, dropping the last keys first and
 * never cutting the counterparty's name for them. */
void ui_contract_head(struct ui *u, int y)
{
	struct ui_trade *t = ui_trade(u);
	const struct trade_contract *k = find_contract(u, t->contract_id);
	struct kbuf b = KBUF_INIT, keys = KBUF_INIT, check = KBUF_INIT;
	ui_trade_head_said(u);
	int waiting = k && k->rank == 0, nkeys = waiting ? 4 : 2;
	kbuf_printf(&b, "Contract %.12s…  %s  with %s", t->contract_id, k ? k->state : "?",
	            k ? k->peer : "?");
	contract_keys(waiting, nkeys, &keys);
	kbuf_puts(&check, t->contract_check);
	if ((int)(text_width(kbuf_str(&b)) + 3 + text_width(kbuf_str(&keys))) <= COLS) {
		kbuf_printf(&b, "   %s", kbuf_str(&keys));
	} else {
		if (t->contract_ok &&
		    (int)(text_width(kbuf_str(&check)) + 3 + text_width(kbuf_str(&keys))) > COLS) {
			kbuf_reset(&check);
			kbuf_puts(&check, "signatures and hashes all verified");
		}
		for (; nkeys > 0; nkeys--) {
			kbuf_reset(&keys);
			contract_keys(waiting, nkeys, &keys);
			if ((int)(text_width(kbuf_str(&check)) + 3 + text_width(kbuf_str(&keys))) <=
			    COLS)
				break;
		}
		if (nkeys > 0)
			kbuf_printf(&check, "   %s", kbuf_str(&keys));
	}
	ui_head_row(u, y, kbuf_str(&b), u->a_head);
	ui_head_row(u, y + 1, kbuf_str(&check), t->contract_ok ? u->a_dim : u->slot[SLOT_ERROR]);
	kbuf_free(&b);
	kbuf_free(&keys);
	kbuf_free(&check);
}

void ui_contracts_empty(struct ui *u, struct kbuf *out)
{
	if (ui_self_supplier(u))
		kbuf_puts(out,
		          "No contracts yet. A buyer's offer for your listings comes here; Q on "
		          "an RFQ (8) offers to a buyer who asked.");
	else
		kbuf_puts(out, u->views[VIEW_CONTRACTS].ops->empty +
		                   strspn(u->views[VIEW_CONTRACTS].ops->empty, " "));
}

void ui_contracts_open(struct ui *u, int i)
{
	struct ui_trade *t = ui_trade(u);
	if (i >= t->ncontracts)
		return;
	t->diff = 0;                          /* a contract opens as its document */
	ui_view_cursor(u, VIEW_CONTRACTS, i); /* q comes back to the list on it */
	ui_view_show_id(u, TAB_CONTRACTS, VIEW_CONTRACT, t->contract_id, sizeof t->contract_id,
	                t->contracts[i].id);
}

void ui_contract_reload(struct ui *u)
{
	if (ui_trade(u)->contract_id[0])
		ui_contract_build(u, COLS);
}

int ui_contract_open_id(struct ui *u, const char *id)
{
	const struct trade_contract *k = find_contract(u, id);
	if (k)
		ui_contracts_open(u, (int)(k - ui_trade(u)->contracts));
	return k != NULL;
}

static void sign_answered(struct ui *u, int yes, void *arg)
{
	(void)arg;
	if (!yes) {
		ui_say_note(u, "nothing was done");
		return;
	}
	ui_trade_run(u, ACT_SIGN, ui_trade(u)->contract_id, NULL);
}

static void contract_sign(struct ui *u)
{
	struct ui_trade *t = ui_trade(u);
	cJSON *doc = NULL;
	if (!t->contract_id[0] ||
	    store_object_get(u->s, "Contract", t->contract_id, &doc, NULL) != K_OK) {
		cJSON_Delete(doc);
		ui_say_note(u, "sign: this contract is no longer in the cache");
		return;
	}
	struct contract_status st;
	struct kerr e = {0};
	const char *role = contract_role_of(doc, u->c->self_id);
	const char *why = NULL;
	if (contract_verify(doc, &st, &e) != K_OK)
		why = "it does not verify, and a document that does not verify is never signed";
	else if (!role)
		why = "you are neither its buyer nor its seller";
	else if (strcmp(st.last_kind, "cancelled") == 0)
		why = "it is cancelled";
	else if (st.binding >= 0)
		why = "it is binding already (its order is in the Orders tab)";
	else if (contract_signed_as(doc, st.latest_offer, role))
		why = "you signed its latest offer already; it waits for the other party";
	if (why) {
		ui_say_note(u, "sign: not now — %s", why);
		cJSON_Delete(doc);
		return;
	}
	struct contract_terms terms;
	contract_terms_init(&terms);
	const cJSON *secs = cJSON_GetObjectItemCaseSensitive(doc, "sections");
	char total[UI_MONEY_MAX] = "?";
	char *buyer = ui_account_name(u, json_str(doc, "buyerId"));
	char *seller = ui_account_name(u, json_str(doc, "sellerId"));
	if (contract_section_terms(cJSON_GetArrayItem(secs, st.latest_offer), &terms, &e) == K_OK)
		ui_money(terms.total, terms.currency, total);
	/* what she binds herself to: the goods, and, as seller, what she lacks of them */
	char shortfall[96] = "";
	char *desc = NULL;
	if (terms.nitems) {
		const struct contract_item *it = &terms.items[0];
		desc = ui_clean(it->description ? it->description : ""); /* his words */
		struct listing l;
		if (strcmp(role, "seller") == 0 &&
		    store_listing_get(u->s, it->listing_id, &l, NULL) == K_OK) {
			int64_t have = listing_on_hand(&l, it->variant_sku);
			if (have >= 0 && it->qty > have) {
				char h[MONEY_FMT_MAX], s[MONEY_FMT_MAX];
				snprintf(shortfall, sizeof shortfall, " (%s on hand, %s short)",
				         count_text(have, h), count_text(it->qty - have, s));
			}
			listing_free(&l);
		}
	}
	/* Whole over the two prompt rows: she is "you", the other party named; the product's
	 * title (its variant with it) gives way first (cut with …), then the other party's name;
	 * the quantities, the total and the keys never do. */
	char q[640];
	static const int name_cols[] = {200, 24, 12};
	int selling = strcmp(role, "seller") == 0;
	for (size_t ni = 0; ni < sizeof name_cols / sizeof name_cols[0]; ni++) {
		int fits = 0;
		for (int tw = 80; tw >= 8 && !fits; tw--) {
			struct kbuf what = KBUF_INIT, b = KBUF_INIT;
			if (desc) {
				/* "300 pcs", "25 m": the unit short, the names need the room */
				char n[MONEY_FMT_MAX];
				kbuf_printf(&what, "%s %s × ", count_text(terms.items[0].qty, n),
				            codes_unit_abbr(terms.items[0].unit));
				ui_clip(&what, desc, tw, 0);
				kbuf_puts(&what, terms.nitems > 1 ? " and more, " : ", ");
			}
			ui_clip(&b, selling ? buyer : seller, name_cols[ni], 0);
			snprintf(q, sizeof q, "Sign this offer: %s%s, %s %s, you %s %s%s?",
			         kbuf_str(&what), total, terms.incoterm,
			         terms.named_place ? terms.named_place : "",
			         selling ? "selling to" : "buying from", kbuf_str(&b), shortfall);
			kbuf_free(&what);
			kbuf_free(&b);
			fits = ui_ask_fits(q);
		}
		if (fits)
			break;
	}
	free(desc);
	ui_ask_yn(u, q, sign_answered, NULL);
	free(buyer);
	free(seller);
	contract_terms_free(&terms);
	cJSON_Delete(doc);
}

/* The contract view's own keys (its ops->action): S signs, d shows the changes. */
int ui_contract_action(struct ui *u, enum ui_action act)
{
	struct ui_trade *t = ui_trade(u);
	if (act == ACT_COUNTER) { /* c: the counter-offer form (counter.c) */
		ui_open(u, VIEW_COUNTER, t->contract_id);
		return 1;
	}
	if (act == ACT_SIGN) {
		contract_sign(u);
		return 1;
	}
	if (act != ACT_DIFF)
		return 0;
	t->diff = !t->diff;
	u->views[VIEW_CONTRACT].top = 0;
	ui_contract_build(u, COLS);
	ui_say(u, "%s",
	       t->diff ? "the changes against the offer it counters (d: the document)"
	               : "the offer as a document (d: the changes)");
	u->dirty |= DIRTY_ALL;
	return 1;
}
