/* rfq — a buyer's request for quotation: what, how many, at what target price, delivered
 * where. Signed by the buyer, public on the node, so suppliers can answer in a chat or with
 * a contract offer. */
#include "cmd.h"
#include "resolve.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../inbox.h"
#include "../store/store.h"
#include "kontor/canon.h"
#include "kontor/codes.h"
#include "kontor/contract.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "kontor/model.h"
#include "kontor/money.h"
#include "kontor/text.h"

static void upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

static int run_rfq_post(struct ctx *c, const struct args *a, struct kerr *e)
{
	const char *title = arg_get(a, "title"), *qty_s = arg_get(a, "qty"), *v;
	if (!title || !qty_s)
		return kerr_set(e, K_EUSAGE, "rfq post: --title and --qty are required");
	char *end;
	errno = 0;
	long long qty = strtoll(qty_s, &end, 10);
	if (!*qty_s || *end || errno || qty < 1 || qty > MONEY_MAX)
		return kerr_set(e, K_EINVAL, "--qty: '%s' is not a whole number of at least 1",
		                qty_s);
	int rc = ctx_identity(c, e);
	struct store *s;
	if (!rc)
		rc = ctx_store(c, &s, e);
	if (rc)
		return rc;
	cJSON *o = cJSON_CreateObject();
	uint8_t r[16];
	kcrypto_random(r, sizeof r);
	struct kbuf id = KBUF_INIT, sig = KBUF_INIT, canon = KBUF_INIT, payload = KBUF_INIT;
	kbuf_putc(&id, 'R');
	kcrypto_b64_encode(r, sizeof r, KB64_URL_NOPAD, &id);
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	cJSON_AddStringToObject(o, "id", kbuf_str(&id));
	cJSON_AddStringToObject(o, "buyerId", c->self_id);
	cJSON_AddStringToObject(o, "title", title);
	if ((v = arg_get(a, "description")))
		cJSON_AddStringToObject(o, "description", v);
	if ((v = arg_get(a, "category")))
		cJSON_AddStringToObject(o, "category", v);
	char hs[CODES_HS_MAX + 1];
	if ((v = arg_get(a, "hs-code")))
		cJSON_AddStringToObject(o, "hsCode", codes_hs_code(v, hs) ? hs : v);
	char lid[RESOLVE_ID_MAX + 1];
	if ((v = arg_get(a, "listing")) &&
	    !(rc = resolve_id(c, RESOLVE_LISTING, v, lid, sizeof lid, e)))
		cJSON_AddStringToObject(o, "listingId", lid);
	json_add_int(o, "qty", qty);
	char code[8];
	if (!rc && (v = arg_get(a, "unit")) && !(rc = codes_unit_parse(v, code, "--unit", e)))
		cJSON_AddStringToObject(o, "unit", code);
	struct listing l;
	/* --qty 40 of a railing sold by the metre is 40 metres, as the offer from it will be */
	if (!rc && !arg_get(a, "unit") && arg_get(a, "listing") &&
	    store_listing_get(s, lid, &l, NULL) == K_OK) {
		if (l.unit[0])
			cJSON_AddStringToObject(o, "unit", l.unit);
		listing_free(&l);
	}
	const char *price = arg_get(a, "target-price"), *cur = arg_get(a, "currency");
	if (price && !cur)
		rc = kerr_set(e, K_EUSAGE, "rfq post: --target-price needs --currency");
	if (!rc && cur) {
		snprintf(code, sizeof code, "%s", cur);
		upper(code);
		cJSON_AddStringToObject(o, "currency", code);
		if (price) {
			int64_t minor;
			if ((rc = money_parse(price, code, &minor, e)))
				kerr_prefix(e, "--target-price");
			else
				json_add_int(o, "targetPrice", minor);
		}
	}
	if (!rc && arg_nth(a, "incoterm", 0)) {
		cJSON *inc = cJSON_AddArrayToObject(o, "incoterms");
		for (int i = 0; (v = arg_nth(a, "incoterm", i)); i++) {
			snprintf(code, sizeof code, "%s", v);
			upper(code);
			cJSON_AddItemToArray(inc, cJSON_CreateString(code));
		}
	}
	if (!rc && (v = arg_get(a, "destination"))) {
		snprintf(code, sizeof code, "%s", v);
		upper(code);
		cJSON_AddStringToObject(o, "destination", code);
	}
	cJSON_AddStringToObject(o, "status", "open");
	cJSON_AddStringToObject(o, "created", now);
	if (!rc)
		rc = model_validate("Rfq", o, e);
	if (!rc)
		rc = canon_write(o, &canon, e);
	if (!rc) {
		kcrypto_sign_object_b64("rfq", canon.data, canon.len, c->kp.sk, &sig);
		cJSON_AddStringToObject(o, "sig", kbuf_str(&sig));
		json_print(o, &payload);
		if ((rc = store_begin(s, e)) == K_OK) {
			rc = store_object_put(s, "Rfq", o, c->node, c->self_id, e);
			if (!rc)
				rc = store_outbox_add(s, "Rfq/set", "create", kbuf_str(&id),
				                      kbuf_str(&payload), c->node, NULL, e);
			rc = rc ? (store_rollback(s), rc) : store_commit(s, e);
		}
	}
	if (!rc) {
		rc = cmd_push(c, e);
		if (c->json) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddStringToObject(j, "id", kbuf_str(&id));
			cJSON_AddStringToObject(j, "status",
			                        rc == K_OK        ? "delivered"
			                        : rc == K_EQUEUED ? "queued"
			                                          : "refused");
			cmd_result_json(c, j);
		}
		if (rc == K_EFAIL)
			cmd_result_outbox(c, s, "Rfq", kbuf_str(&id));
		cmd_result_set(c, "Rfq", kbuf_str(&id), "open", "posted RFQ %s%s", kbuf_str(&id),
		               rc == K_EQUEUED ? ", queued" : "");
		/* what a supplier's inbox finds an RFQ by (inbox_rfq_hers): say when it has none */
		if (!arg_get(a, "category") && !arg_get(a, "hs-code") && !arg_get(a, "listing"))
			cmd_note(
			    c,
			    "it names no category and no HS code, so it reaches no supplier's "
			    "inbox, only `kontor rfq list`: post it with --category or --hs-code "
			    "for those who sell it to hear of it");
	}
	cJSON_Delete(o);
	kbuf_free(&id);
	kbuf_free(&sig);
	kbuf_free(&canon);
	kbuf_free(&payload);
	return rc;
}

#define RFQ_TITLE_COLS 40
#define RFQ_TITLE_LEAST 12

static void print_rfq_line(struct ctx *c, const cJSON *o)
{
	struct kbuf t = KBUF_INIT, head = KBUF_INIT, mid = KBUF_INIT;
	const char *title = json_str(o, "title") ? json_str(o, "title") : "";
	text_sanitize(&t, title, strlen(title), 0);
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(o, "qty");
	struct kbuf buyer = KBUF_INIT;
	resolve_account_name(c, json_str(o, "buyerId"), &buyer);
	char when[KTIME_LOCAL_MAX], qty[MONEY_FMT_MAX + 24], qs[MONEY_FMT_MAX];
	long long n = cJSON_IsNumber(q) ? (long long)q->valuedouble : 0LL;
	snprintf(qty, sizeof qty, "%s %s", count_text(n, qs),
	         codes_unit_count(json_str(o, "unit"), n));
	/* the id's start, as order list and contract list give theirs and commands take it */
	kbuf_printf(&head, "%-8.8s  ", json_str(o, "id") ? json_str(o, "id") : "");
	kbuf_printf(&mid, " %16s  %-6s %-21s  ", qty,
	            json_str(o, "status") ? json_str(o, "status") : "",
	            ktime_local(json_str(o, "created"), when, sizeof when));
	struct kbuf safe = KBUF_INIT; /* the cache's words, made safe as text_fprintf does */
	text_sanitize(&safe, kbuf_str(&mid), mid.len, 0);
	cmd_fit_row(c, kbuf_str(&head), kbuf_str(&t), RFQ_TITLE_COLS, RFQ_TITLE_LEAST,
	            kbuf_str(&safe), kbuf_str(&buyer));
	kbuf_free(&t);
	kbuf_free(&head);
	kbuf_free(&mid);
	kbuf_free(&safe);
	kbuf_free(&buyer);
}

struct rfq_list {
	struct ctx *c;
	long n;
};

static int list_rfq(void *vctx, const cJSON *o)
{
	struct rfq_list *l = vctx;
	struct ctx *c = l->c;
	l->n++;
	if (c->json) {
		cJSON *j = cJSON_Duplicate(o, 1);
		resolve_json_name(c, j, json_str(o, "buyerId"));
		cmd_print_json(c, j);
	} else
		print_rfq_line(c, o);
	return 0;
}

static int run_rfq_list(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	struct rfq_list l = {c, 0};
	int rc = ctx_store(c, &s, e);
	if (!rc)
		rc = store_object_each(s, "Rfq", NULL, list_rfq, &l, e);
	if (!rc && !l.n && !c->json && c->verbosity >= 0)
		fprintf(c->out, "no RFQs in the cache (`kontor sync` brings them)\n");
	char why[400];
	if (!rc && ctx_self(c, NULL) == K_OK &&
	    inbox_no_category(s, c->self_id, why, sizeof why, NULL))
		cmd_note(c, "%s", why);
	return rc;
}

/* The offers in the cache that answer one RFQ (a contract naming it by rfqId), for its buyer
 * to set side by side: each verified one's latest terms. */
struct rfq_quotes {
	struct ctx *c;
	const char *rfq;
	int n;
	cJSON *json;        /* --json: the array they go in */
	struct kstrv *line; /* else a line each */
};

static int quote_one(void *vctx, const cJSON *doc)
{
	struct rfq_quotes *q = vctx;
	const char *rid = json_str(doc, "rfqId"), *id = json_str(doc, "id");
	struct contract_status st;
	struct contract_terms t;
	struct kerr ve = {0, ""};
	if (!rid || !id || strcmp(rid, q->rfq) != 0 || contract_verify(doc, &st, &ve) != K_OK)
		return 0;
	contract_terms_init(&t);
	const cJSON *sec =
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "sections"), st.latest_offer);
	if (contract_section_terms(sec, &t, &ve) != K_OK || t.nitems < 1) {
		contract_terms_free(&t);
		return 0;
	}
	struct kbuf name = KBUF_INIT, ship = KBUF_INIT;
	resolve_account_name(q->c, t.seller, &name);
	contract_shipping_words(&t, &ship);
	const char *state = contract_state_name(&st);
	if (q->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "id", id);
		cJSON_AddStringToObject(j, "state", state);
		cJSON_AddStringToObject(j, "sellerId", t.seller);
		cJSON_AddStringToObject(j, "sellerName", kbuf_str(&name));
		json_add_int(j, "qty", t.items[0].qty);
		json_add_int(j, "unitPrice", t.items[0].unit_price);
		json_add_int(j, "total", t.total);
		cJSON_AddStringToObject(j, "currency", t.currency);
		cJSON_AddItemToArray(q->json, j);
	} else {
		char unit[MONEY_FMT_MAX], total[MONEY_FMT_MAX], qs[MONEY_FMT_MAX];
		money_text(t.items[0].unit_price, t.currency, unit);
		money_text(t.total, t.currency, total);
		struct kbuf l = KBUF_INIT;
		kbuf_printf(&l, "%.8s  %s: %s %s at %s %s, %s %s; %s; %s", id, kbuf_str(&name),
		            count_text(t.items[0].qty, qs),
		            codes_unit_count(t.items[0].unit, t.items[0].qty), unit, t.currency,
		            total, t.currency, kbuf_str(&ship), state);
		kstrv_push(q->line, kbuf_str(&l));
		kbuf_free(&l);
	}
	q->n++;
	kbuf_free(&name);
	kbuf_free(&ship);
	contract_terms_free(&t);
	return 0;
}

int cmd_rfq_quotes(struct ctx *c, struct store *s, const char *rfq, cJSON *json,
                   struct kstrv *lines)
{
	struct rfq_quotes q = {c, rfq, 0, json, lines};
	store_object_each(s, "Contract", NULL, quote_one, &q, NULL);
	return q.n;
}

static int run_rfq_show(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	cJSON *o = NULL;
	char id[RESOLVE_ID_MAX + 1];
	int rc = resolve_id(c, RESOLVE_RFQ, a->pos[0], id, sizeof id, e);
	if (!rc)
		rc = ctx_store(c, &s, e);
	if (!rc)
		rc = store_object_get(s, "Rfq", id, &o, e);
	if (rc)
		return rc;
	/* Shown only when the buyer's signature checks out. */
	const char *sig = json_str(o, "sig"), *buyer = json_str(o, "buyerId");
	cJSON *u = cJSON_Duplicate(o, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(u, "sig");
	struct kbuf canon = KBUF_INIT;
	struct kerr ve = {0};
	int ok = sig && buyer && canon_write(u, &canon, &ve) == K_OK &&
	         kcrypto_verify_object_b64("rfq", canon.data, canon.len, buyer, sig, &ve) == K_OK;
	cJSON_Delete(u);
	kbuf_free(&canon);
	if (c->json) {
		cJSON_AddBoolToObject(o, "verified", ok);
		resolve_json_name(c, o, json_str(o, "buyerId"));
		cmd_rfq_quotes(c, s, id, cJSON_AddArrayToObject(o, "quotes"), NULL);
		cmd_print_json(c, o);
		o = NULL;
	} else {
		struct kbuf b = KBUF_INIT;
		static const char *const fields[] = {
		    "id",        "buyer", "title",    "description", "category", "hsCode",
		    "listingId", "unit",  "currency", "destination", "status",   "created"};
		for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
			const char *v = json_str(o, fields[i]);
			char when[KTIME_LOCAL_MAX];
			kbuf_reset(&b);
			if (strcmp(fields[i], "buyer") == 0 && buyer) {
				/* a name a person knows, and the id it stands for */
				resolve_account_name(c, buyer, &b);
				kbuf_puts(&b, " (");
				text_sanitize(&b, buyer, strlen(buyer), 0);
				kbuf_putc(&b, ')');
			} else if (strcmp(fields[i], "created") == 0 && v) {
				kbuf_puts(&b, ktime_local(v, when, sizeof when));
			} else if (strcmp(fields[i], "unit") == 0 && v) {
				/* its word first; the code it stands for after it */
				const struct unit *un = codes_unit(v);
				if (un)
					kbuf_printf(&b, "%s (", un->name);
				text_sanitize(&b, v, strlen(v), 1);
				if (un)
					kbuf_putc(&b, ')');
			} else if (strcmp(fields[i], "listingId") == 0 && v) {
				/* the listing by its title and SKU, and the id it stands for */
				inbox_listing_words(
				    s, v, ctx_self(c, NULL) == K_OK ? c->self_id : NULL, &b);
				kbuf_puts(&b, " (");
				text_sanitize(&b, v, strlen(v), 0);
				kbuf_putc(&b, ')');
			} else if (v) {
				text_sanitize(&b, v, strlen(v), 1);
			} else {
				continue;
			}
			/* on a terminal too narrow for it, the value wraps under itself */
			char head[24];
			snprintf(head, sizeof head, "%-12s ", fields[i]);
			struct kbuf line = KBUF_INIT;
			cmd_field(c, &line, head, kbuf_str(&b));
			fprintf(c->out, "%s\n", kbuf_str(&line));
			kbuf_free(&line);
		}
		const cJSON *q = cJSON_GetObjectItemCaseSensitive(o, "qty");
		const cJSON *tp = cJSON_GetObjectItemCaseSensitive(o, "targetPrice");
		int64_t qn = cJSON_IsNumber(q) ? (int64_t)q->valuedouble : 0;
		char qs[MONEY_FMT_MAX];
		fprintf(c->out, "%-12s %s %s\n", "qty", count_text(qn, qs),
		        codes_unit_count(json_str(o, "unit"), qn)); /* 30 metres, not 30 */
		if (cJSON_IsNumber(tp) && json_str(o, "currency")) {
			char amount[MONEY_FMT_MAX];
			money_text((int64_t)tp->valuedouble, json_str(o, "currency"), amount);
			text_fprintf(c->out, "%-12s %s %s\n", "targetPrice", amount,
			             json_str(o, "currency"));
		}
		const cJSON *inc, *incs = cJSON_GetObjectItemCaseSensitive(o, "incoterms");
		kbuf_reset(&b);
		if (!cJSON_IsArray(incs))
			incs = NULL;
		cJSON_ArrayForEach(inc, incs)
		{
			if (!cJSON_IsString(inc))
				continue;
			kbuf_puts(&b, b.len ? " " : "");
			text_sanitize(&b, inc->valuestring, strlen(inc->valuestring), 1);
		}
		if (b.len)
			fprintf(c->out, "%-12s %s\n", "incoterms", kbuf_str(&b));
		fprintf(c->out, "%-12s %s\n", "signature",
		        ok ? "verified (buyer)" : "DOES NOT VERIFY");
		/* what suppliers offered for it, as far as the cache holds their offers */
		struct kstrv quotes = {0};
		cmd_rfq_quotes(c, s, id, NULL, &quotes);
		for (size_t i = 0; i < quotes.n; i++)
			text_fprintf(c->out, "%-12s %s\n", i ? "" : "quotes", quotes.v[i]);
		if (!quotes.n && buyer && ctx_self(c, NULL) == K_OK &&
		    strcmp(buyer, c->self_id) == 0)
			fprintf(c->out, "%-12s %s\n", "quotes",
			        "none in the cache yet (`kontor sync` brings the offers)");
		kstrv_free(&quotes);
		kbuf_free(&b);
	}
	cJSON_Delete(o);
	return ok ? K_OK
	          : kerr_set(e, K_EVERIFY, "RFQ %s: the buyer's signature does not verify", id);
}

const struct cmd_entry cmd_rfq_entries[] = {
    {"rfq post",
     "--title T --qty N [--unit UNIT] [--currency CUR --target-price AMOUNT] [--incoterm RULE]\n"
     "        [--destination CC] [--description TEXT] [--category C] [--hs-code H] [--listing ID]",
     "ask suppliers for a quotation",
     "title= qty= unit= currency= target-price= incoterm=* destination= description= category= "
     "hs-code= listing=",
     0, 0, run_rfq_post,
     "Signed by you and public on the node: suppliers answer in a chat. Without --unit, an\n"
     "RFQ that names a listing counts in its unit (40 of a railing sold by the metre is 40\n"
     "metres), else in pieces."},
    {"rfq list", "", "list the RFQs in the cache, newest first", "", 0, 0, run_rfq_list, NULL},
    {"rfq show", "ID", "show an RFQ and check the buyer's signature", "", 1, 1, run_rfq_show,
     "ID: its id, the start of it, or its title. Below it, the offers in the cache that\n"
     "answer it (quotes), to set side by side: seller, quantity, unit price, total, terms,\n"
     "state."},
    {NULL, NULL, NULL, NULL, 0, 0, NULL, NULL},
};
