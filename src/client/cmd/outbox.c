/* outbox — what is waiting to reach the node: every action the user took, in order, with
 * its attempts and last error. An entry the node refused is kept here, with the node's
 * SetError type as a field, until `outbox retry` sends it again or `outbox drop` lets it
 * go; a command that drops its own refused entry says so instead. */
#include "cmd.h"
#include "resolve.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "../inbox.h"
#include "../store/store.h"
#include "kontor/contract.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "kontor/text.h"

/* What an entry is about, in the words a person knows: `listing quat-may "Quạt mây đan tay"`,
 * `message to Berlin Interiors GmbH`, `contract Z9rkI3jd, funded: Quạt mây (Lớn), Berlin
 * ...`, `payout 2,000.00 USD`. From the cache where it has the object, else the entry's own
 * payload; the start of the id when neither says more. */
static void entry_words(struct ctx *c, struct store *s, const struct outbox_item *it,
                        struct kbuf *out)
{
	const char *m = it->method ? it->method : "", *id = it->object_id ? it->object_id : "";
	cJSON *p = it->payload && strcmp(m, "Blob/upload") != 0 ? cJSON_Parse(it->payload) : NULL;
	cJSON *o = NULL;
	struct listing l;
	int picture = strcmp(m, "Blob/upload") == 0;
	if ((strcmp(m, "Listing/set") == 0 || (picture && id[0] == 'L')) &&
	    store_listing_get(s, id, &l, NULL) == K_OK) {
		kbuf_printf(out, "%slisting %s \"%s\"", picture ? "a picture of " : "",
		            l.sku ? l.sku : "", l.title ? l.title : "");
		listing_free(&l);
	} else if (strcmp(m, "Listing/set") == 0 && json_str(p, "title")) {
		kbuf_printf(out, "listing %s \"%s\"", json_str(p, "sku") ? json_str(p, "sku") : "",
		            json_str(p, "title"));
	} else if (strcmp(m, "Message/set") == 0 && json_str(p, "to")) {
		kbuf_puts(out, "message to ");
		resolve_account_name(c, json_str(p, "to"), out);
	} else if (strcmp(m, "Conversation/set") == 0) {
		kbuf_puts(out, "conversation with ");
		resolve_account_name(c, resolve_peer_of(c, p), out);
	} else if (strcmp(m, "Contract/set") == 0 &&
	           store_object_get(s, "Contract", id, &o, NULL) == K_OK) {
		/* the step: the last section, an offer "signed" once both parties have */
		const cJSON *secs = cJSON_GetObjectItemCaseSensitive(p, "sections");
		int last = cJSON_GetArraySize(secs) - 1;
		const char *kind = json_str(cJSON_GetArrayItem(secs, last), "kind");
		if (kind && strcmp(kind, "offer") == 0 && contract_signed_as(p, last, "buyer") &&
		    contract_signed_as(p, last, "seller"))
			kind = "signed";
		char *product = contract_product_of(o);
		kbuf_printf(out, "contract %.8s, %s: %s, ", id, kind ? kind : it->op, product);
		resolve_account_name(c, resolve_peer_of(c, o), out);
		free(product);
	} else if (strcmp(m, "Order/set") == 0 &&
	           store_object_get(s, "Order", id, &o, NULL) == K_OK) {
		struct kbuf name = KBUF_INIT; /* the step: the key of the order's patch */
		char *product = cmd_order_product(c, o, &name, NULL);
		kbuf_printf(out, "order %.8s, %s: %s, %s", id,
		            p && p->child ? p->child->string : it->op, product, kbuf_str(&name));
		free(product);
		kbuf_free(&name);
	} else if (strcmp(m, "Wallet/set") == 0 &&
	           json_str(cJSON_GetObjectItemCaseSensitive(p, "withdraw"), "currency")) {
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(p, "withdraw");
		char money[INBOX_MONEY_MAX];
		inbox_money(json_int(w, "amount"), json_str(w, "currency"), money);
		kbuf_printf(out, "payout %s", money);
	} else if (strcmp(m, "Rfq/set") == 0 && json_str(p, "title")) {
		kbuf_printf(out, "RFQ \"%s\"", json_str(p, "title"));
	} else if (strcmp(m, "Account/set") == 0 || (picture && strcmp(id, c->self_id) == 0)) {
		kbuf_puts(out, picture ? "a picture of your profile" : "your profile");
	} else {
		kbuf_printf(out, "%s %.8s", m, id);
	}
	cJSON_Delete(o);
	cJSON_Delete(p);
}

static int list_one(void *vctx, const struct outbox_item *it)
{
	struct ctx *c = vctx;
	if (c->json) {
		cJSON *o = cJSON_CreateObject();
		json_add_int(o, "seq", it->seq);
		cJSON_AddStringToObject(o, "creationId", it->creation_id);
		cJSON_AddStringToObject(o, "method", it->method);
		cJSON_AddStringToObject(o, "op", it->op);
		cJSON_AddStringToObject(o, "objectId", it->object_id ? it->object_id : "");
		if (it->node)
			cJSON_AddStringToObject(o, "node", it->node);
		cJSON_AddStringToObject(o, "created", it->created);
		json_add_int(o, "attempts", it->attempts);
		if (it->last_error)
			cJSON_AddStringToObject(o, "lastError", it->last_error);
		if (it->last_error && it->error_type)
			cJSON_AddStringToObject(o, "errorType", it->error_type);
		cmd_print_json(c, o);
		return 0;
	}
	char when[KTIME_LOCAL_MAX];
	struct kbuf what = KBUF_INIT;
	struct store *s;
	if (ctx_store(c, &s, NULL) == K_OK)
		entry_words(c, s, it, &what);
	text_fprintf(c->out, "%5lld  %-20s  %-12s %-8s %5d  %s", (long long)it->seq,
	             ktime_local(it->created, when, sizeof when), it->method, it->op, it->attempts,
	             kbuf_str(&what));
	kbuf_free(&what);
	if (it->last_error) {
		struct kbuf b = KBUF_INIT;
		text_sanitize(&b, it->last_error, strlen(it->last_error), 0);
		fprintf(c->out,
		        "\n       refused, kept for `outbox retry %lld` or `outbox drop %lld`: %s",
		        (long long)it->seq, (long long)it->seq, kbuf_str(&b));
		kbuf_free(&b);
	}
	fputc('\n', c->out);
	return 0;
}

static int run_outbox_list(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	int rc = ctx_store(c, &s, e);
	if (!rc && !c->json) /* who "the other party" is, in the words of each entry */
		rc = ctx_self(c, e);
	if (rc)
		return rc;
	int64_t n = store_outbox_count(s);
	if (!c->json && n > 0)
		fprintf(c->out, "%5s  %-20s  %-12s %-8s %5s  %s\n", "SEQ", "QUEUED", "METHOD", "OP",
		        "TRIES", "WHAT");
	rc = store_outbox_each(s, list_one, c, e);
	if (rc == K_OK && !c->json && n)
		cmd_note(c, "%lld waiting to be sent", (long long)n);
	else if (rc == K_OK && !c->json)
		cmd_note(c, "the outbox is empty");
	return rc;
}

/* The entries about an object: its id, or the start of it as a person types it. */
struct entry_find {
	const char *word;
	size_t n;
	int64_t seq;
	int count;
	struct kbuf seqs;
};

static int entry_find_one(void *vctx, const struct outbox_item *it)
{
	struct entry_find *f = vctx;
	if (!it->object_id || strncmp(it->object_id, f->word, f->n) != 0)
		return 0;
	if (!f->count++)
		f->seq = it->seq;
	if (f->count <= 8)
		kbuf_printf(&f->seqs, "%s%lld (%s %s)", f->count > 1 ? ", " : "",
		            (long long)it->seq, it->method, it->op);
	return 0;
}

/* "all", a sequence number from `outbox list`, the id of the object one entry is about (or
 * its first RESOLVE_PREFIX_MIN or more characters), or that object's name: a listing's SKU
 * or title, an order or a contract by the other party or the product. */
static int parse_seq(struct ctx *c, const char *v, int allow_all, int64_t *seq, struct kerr *e)
{
	if (allow_all && strcmp(v, "all") == 0) {
		*seq = 0;
		return K_OK;
	}
	char *end, shown[48];
	long long n = strtoll(v, &end, 10);
	if (*v && !*end && n >= 1) {
		*seq = n;
		return K_OK;
	}
	struct store *s;
	struct entry_find f = {v, strlen(v), 0, 0, KBUF_INIT};
	int rc = f.n >= RESOLVE_PREFIX_MIN ? ctx_store(c, &s, e) : K_OK;
	if (!rc && f.n >= RESOLVE_PREFIX_MIN)
		rc = store_outbox_each(s, entry_find_one, &f, e);
	/* no id starts so: the name of a listing, an order or a contract, as elsewhere */
	struct resolved r;
	struct kerr re = {0, ""};
	if (!rc && !f.count && ctx_store(c, &s, NULL) == K_OK && ctx_self(c, NULL) == K_OK &&
	    resolve_word(c, RESOLVE_LISTING | RESOLVE_ORDER | RESOLVE_CONTRACT, v, &r, &re) ==
	        K_OK) {
		f.word = r.id;
		f.n = strlen(r.id);
		rc = store_outbox_each(s, entry_find_one, &f, e);
	}
	if (!rc && f.count == 1)
		*seq = f.seq;
	else if (!rc && f.count > 1)
		rc = kerr_set(e, K_EUSAGE, "'%s' names %d outbox entries: %s%s; give the number",
		              text_shown(v, shown, sizeof shown), f.count, kbuf_str(&f.seqs),
		              f.count > 8 ? ", ..." : "");
	else if (!rc)
		rc = kerr_set(
		    e, K_EUSAGE,
		    "'%s' is not an outbox number%s, nor the id or the name of what an entry "
		    "is about (see `kontor outbox list`)",
		    text_shown(v, shown, sizeof shown), allow_all ? " or all" : "");
	kbuf_free(&f.seqs);
	return rc;
}

static int run_outbox_retry(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	int64_t seq = 0;
	int rc = parse_seq(c, a->npos ? a->pos[0] : "all", 1, &seq, e);
	if (!rc)
		rc = ctx_store(c, &s, e);
	if (!rc)
		rc = store_outbox_retry(s, seq, e);
	if (rc)
		return rc;
	rc = cmd_push(c, e);
	char n[24];
	snprintf(n, sizeof n, "%lld", (long long)seq);
	/* no words: the CLI has always said nothing here; the status says it */
	cmd_result_set(c, "Outbox", seq ? n : "all",
	               rc == K_OK        ? "delivered"
	               : rc == K_EQUEUED ? "queued"
	                                 : "refused",
	               "%s", "");
	return rc;
}

/* Was entry seq a refused contract update? (Its order steps left the cache when the node
 * refused it.) */
struct drop_look {
	int64_t seq;
	int refused_contract;
};

static int drop_look_one(void *vctx, const struct outbox_item *it)
{
	struct drop_look *d = vctx;
	if (it->seq == d->seq)
		d->refused_contract = it->last_error && it->error_type && it->method &&
		                      strcmp(it->method, "Contract/set") == 0;
	return 0;
}

static int run_outbox_drop(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	int64_t seq = 0;
	int rc = parse_seq(c, a->pos[0], 0, &seq, e);
	struct drop_look d = {seq, 0};
	if (!rc)
		rc = ctx_store(c, &s, e);
	if (!rc)
		store_outbox_each(s, drop_look_one, &d, NULL);
	if (!rc)
		rc = store_outbox_drop(s, seq, e);
	char n[24];
	snprintf(n, sizeof n, "%lld", (long long)seq);
	if (rc == K_OK)
		cmd_result_set(
		    c, "Outbox", n, "dropped", "dropped outbox entry %lld (%s)", (long long)seq,
		    d.refused_contract
		        ? "the node refused it; your cached contract is as the node holds it"
		        : "the local change stays; the node never gets it");
	return rc;
}

const struct cmd_entry cmd_outbox_entries[] = {
    {"outbox list", "", "list the actions waiting to be sent to the node", "", 0, 0,
     run_outbox_list,
     "Oldest first: each action's number (which `outbox retry` and `outbox drop` take),\n"
     "when it was queued, its method, its attempts and what it is about in words: a\n"
     "listing's SKU and title, whom a message goes to, a contract's or an order's step,\n"
     "product and other party, a payout's amount. A refused action's reason stands on a\n"
     "line under it."},
    {"outbox retry", "[SEQ|ID|all]", "put refused entries back in line and push them", "", 0, 1,
     run_outbox_retry,
     "An entry the node refused keeps its reason (`outbox list`) and waits. After fixing\n"
     "the cause, retry puts it (or all of them) back in line and pushes at once. ID as for\n"
     "`outbox drop`."},
    {"outbox drop", "SEQ|ID", "remove one entry from the outbox", "", 1, 1, run_outbox_drop,
     "The local change stays in the cache; the node never receives it. An order step the\n"
     "node refused has already left the cached contract. ID: what the entry is about, when\n"
     "one entry is: its id or the first 4 or more characters of it, or its name (a\n"
     "listing's SKU or title, an order or a contract by the other party or its product)."},
    {"outbox", "", "same as `outbox list`", "", 0, 0, run_outbox_list, NULL},
    {0},
};
