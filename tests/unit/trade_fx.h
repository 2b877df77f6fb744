/* trade_fx.h — the node trade unit tests' one fixture (test-only; each tests/unit/test_*.c is
 * its own binary, so everything here is static, and marked unused or inline because no test
 * uses all of it): fixed keys for buyer, seller, node and a stranger seeded from one byte, a
 * signed listing of the seller's, a node on a temporary database, one call through
 * api_handle, and the steps of a trade: a contract sent by a party, a funded order, an event
 * section, a ledger balance, a stored object, the order's state, a refusal.
 *
 * It includes cmocka and the node's headers itself. Each test names its own setup (fx_setup
 * with its temporary directory's tag) and group setup (fx_group_setup with its seed and
 * price tiers). */
#ifndef KONTOR_TESTS_TRADE_FX_H
#define KONTOR_TESTS_TRADE_FX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kontor/codes.h"
#include "kontor/contract.h"
#include "kontor/crypto.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "../../src/node/api_int.h"
#include "../../src/node/node.h"
#include "../../src/node/store/nstore.h"

#define FX_UNUSED __attribute__((unused))

/* node.c may not be linked in: a stand-in. */
__attribute__((weak)) void node_notify(struct node *n)
{
}

static FX_UNUSED struct kkeypair buyer_kp, seller_kp, node_kp, other_kp;
static FX_UNUSED char buyer_id[KCRYPTO_ID_LEN + 1], seller_id[KCRYPTO_ID_LEN + 1],
    node_id[KCRYPTO_ID_LEN + 1], other_id[KCRYPTO_ID_LEN + 1];
static FX_UNUSED struct listing lst;

static FX_UNUSED void must(int rc, const struct kerr *e)
{
	if (rc != K_OK)
		fail_msg("unexpected failure %d: %s", rc, e->msg);
}

static FX_UNUSED void seeded(struct kkeypair *kp, uint8_t b, char id[KCRYPTO_ID_LEN + 1])
{
	uint8_t seed[32];
	memset(seed, b, sizeof seed);
	kcrypto_keypair_from_seed(kp, seed);
	kcrypto_account_id(kp->pk, id);
}

/* Crypto and codes ready; buyer, seller, node and other seeded from seed, seed + 1, seed + 2
 * and seed + 3; lst the seller's signed PSU-650W listing in USD at tiers (ntiers of them). */
static FX_UNUSED int fx_group_setup(uint8_t seed, const struct price_tier *tiers, size_t ntiers)
{
	struct kerr e = {0, ""};
	if (kcrypto_init(&e) != K_OK || codes_load(&e) != K_OK) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	seeded(&buyer_kp, seed, buyer_id);
	seeded(&seller_kp, (uint8_t)(seed + 1), seller_id);
	seeded(&node_kp, (uint8_t)(seed + 2), node_id);
	seeded(&other_kp, (uint8_t)(seed + 3), other_id);
	listing_init(&lst);
	lst.sku = xstrdup("PSU-650W");
	lst.title = xstrdup("650 W ATX power supply");
	memcpy(lst.currency, "USD", 4);
	lst.moq = 100;
	lst.ntiers = ntiers;
	lst.tiers = xmalloc(ntiers * sizeof *tiers);
	memcpy(lst.tiers, tiers, ntiers * sizeof *tiers);
	memcpy(lst.created, "2026-11-01T09:00:00Z", MODEL_TIME_LEN + 1);
	memcpy(lst.updated, "2026-11-01T09:00:00Z", MODEL_TIME_LEN + 1);
	if (listing_sign(&lst, &seller_kp, &e) != K_OK) {
		fprintf(stderr, "setup: listing_sign: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static FX_UNUSED int group_teardown(void **state)
{
	listing_free(&lst);
	return 0;
}

struct fx {
	char dir[64];
	char path[96];
	struct node n;
	cJSON *resp; /* the last response */
	cJSON *doc;  /* the contract as the parties hold it */
	char order_id[KCRYPTO_HASH_B64_LEN + 1];
};

/* Registers id on f's node as `kontor node add` does (Account/set create as itself, named
 * name, country DE, role both): the node takes no other write from an account without a
 * profile. 0, or -1 after saying why on stderr (usable in a setup). */
static FX_UNUSED int fx_register(struct fx *f, const char *id, const char *name)
{
	struct kbuf body = KBUF_INIT, out = KBUF_INIT, methods = KBUF_INIT;
	kbuf_printf(&body,
	            "{\"using\":[\"urn:kontor:trade\"],\"methodCalls\":[[\"Account/set\","
	            "{\"create\":{\"me\":{\"displayName\":\"%s\",\"country\":\"DE\","
	            "\"role\":\"both\"}}},\"r0\"]]}",
	            name);
	struct api_caller who = {id, "127.0.0.1"};
	int status = api_handle(&f->n, &who, kbuf_str(&body), body.len, &out, &methods);
	cJSON *resp = cJSON_Parse(kbuf_str(&out));
	const cJSON *r =
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(resp, "methodResponses"), 0);
	int ok = status == 200 &&
	         cJSON_GetObjectItemCaseSensitive(
	             cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(r, 1), "created"), "me");
	if (!ok)
		fprintf(stderr, "register %s: %d %s\n", name, status, kbuf_str(&out));
	cJSON_Delete(resp);
	kbuf_free(&body);
	kbuf_free(&out);
	kbuf_free(&methods);
	return ok ? 0 : -1;
}

static FX_UNUSED int teardown(void **state);

/* A node named test-node with node_kp's key and the default limits, on a new database in
 * /tmp/TAG-XXXXXX, with buyer, seller and other registered on it (once fx_group_setup has
 * made them). */
static FX_UNUSED int fx_setup(void **state, const char *tag)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/%s-XXXXXX", tag);
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/node.db", f->dir);
	struct kerr e = {0, ""};
	if (nstore_open(f->path, 1, &f->n.store, &e) != K_OK) {
		fprintf(stderr, "open: %s\n", e.msg);
		return -1;
	}
	snprintf(f->n.name, sizeof f->n.name, "test-node");
	f->n.key = node_kp;
	memcpy(f->n.key_id, node_id, sizeof node_id);
	node_limits_default(&f->n.limits);
	pthread_mutex_init(&f->n.ev_lock, NULL);
	pthread_cond_init(&f->n.ev_cond, NULL);
	*state = f;
	/* A test that keeps ids of its own (no fx_group_setup) registers nobody here. */
	if (buyer_id[0] &&
	    (fx_register(f, buyer_id, "Buyer GmbH") || fx_register(f, seller_id, "Seller Ltd") ||
	     fx_register(f, other_id, "Other Trading"))) {
		teardown(state);
		return -1;
	}
	return 0;
}

static FX_UNUSED int teardown(void **state)
{
	struct fx *f = *state;
	cJSON_Delete(f->resp);
	cJSON_Delete(f->doc);
	nstore_close(&f->n.store);
	pthread_mutex_destroy(&f->n.ev_lock);
	pthread_cond_destroy(&f->n.ev_cond);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* One call name(args) (args taken) as caller through api_handle; the response's arguments
 * (f->resp holds them until the next call). A response other than name fails the test. */
static FX_UNUSED const cJSON *call(struct fx *f, const char *caller, const char *name, cJSON *args)
{
	cJSON *req = cJSON_CreateObject();
	cJSON *using = cJSON_AddArrayToObject(req, "using");
	cJSON_AddItemToArray(using, cJSON_CreateString("urn:kontor:trade"));
	cJSON *calls = cJSON_AddArrayToObject(req, "methodCalls"), *c = cJSON_CreateArray();
	cJSON_AddItemToArray(c, cJSON_CreateString(name));
	cJSON_AddItemToArray(c, args);
	cJSON_AddItemToArray(c, cJSON_CreateString("c0"));
	cJSON_AddItemToArray(calls, c);
	struct kbuf body = KBUF_INIT, out = KBUF_INIT, methods = KBUF_INIT;
	json_print(req, &body);
	cJSON_Delete(req);
	struct api_caller who = {caller, "127.0.0.1"};
	assert_int_equal(api_handle(&f->n, &who, kbuf_str(&body), body.len, &out, &methods), 200);
	cJSON_Delete(f->resp);
	f->resp = cJSON_Parse(kbuf_str(&out));
	kbuf_free(&body);
	kbuf_free(&out);
	kbuf_free(&methods);
	assert_non_null(f->resp);
	const cJSON *r =
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f->resp, "methodResponses"), 0);
	const char *got = cJSON_GetStringValue(cJSON_GetArrayItem(r, 0));
	if (!got || strcmp(got, name) != 0) {
		char *s = cJSON_PrintUnformatted(r), msg[600];
		snprintf(msg, sizeof msg, "%s", s ? s : "(none)");
		free(s);
		fail_msg("%s: %s", name, msg);
	}
	return cJSON_GetArrayItem(r, 1);
}

/* Sends the parties' contract as caller (create or update); the SetError or NULL. */
static FX_UNUSED const cJSON *send_doc(struct fx *f, const char *caller, int create)
{
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f->doc, "id"));
	cJSON *args = cJSON_CreateObject();
	if (create) {
		cJSON *cr = cJSON_AddObjectToObject(args, "create");
		cJSON_AddItemToObject(cr, "k1", cJSON_Duplicate(f->doc, 1));
	} else {
		cJSON *up = cJSON_AddObjectToObject(args, "update");
		cJSON *patch = cJSON_AddObjectToObject(up, id);
		cJSON_AddItemToObject(
		    patch, "sections",
		    cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(f->doc, "sections"), 1));
	}
	const cJSON *r = call(f, caller, "Contract/set", args);
	const cJSON *errs =
	    cJSON_GetObjectItemCaseSensitive(r, create ? "notCreated" : "notUpdated");
	return cJSON_GetObjectItemCaseSensitive(errs, create ? "k1" : id);
}

/* A binding contract for qty of lst at unit_price (minor units; -1: the listing's tier)
 * between buyer and seller, node as escrow, funded with exactly the total deposited first;
 * f->doc and f->order_id set. */
static FX_UNUSED void funded_order(struct fx *f, int64_t qty, int64_t unit_price, int64_t *total)
{
	struct kerr e = {0, ""};
	struct contract_terms t;
	contract_terms_init(&t);
	memcpy(t.buyer, buyer_id, sizeof t.buyer);
	memcpy(t.escrow_agent, node_id, sizeof t.escrow_agent);
	must(contract_terms_add_listing(&t, &lst, qty, unit_price, NULL, &e), &e);
	memcpy(t.incoterm, "FOB", 4);
	t.named_place = xstrdup("Shanghai");
	memcpy(t.mode, "sea", 4);
	memcpy(t.ship_by, "2027-01-15", 11);
	memcpy(t.deliver_by, "2027-03-01", 11);
	t.governing_law = xstrdup("CISG");
	t.dispute_venue = xstrdup("Arbitration by the node operator");
	memcpy(t.language, "en", 3);
	must(contract_terms_total(&t, &e), &e);
	*total = t.total;
	cJSON *body = NULL, *sec = NULL;
	must(contract_terms_to_json(&t, &body, &e), &e);
	contract_terms_free(&t);
	must(contract_section_make("offer", body, &sec, &e), &e);
	cJSON_Delete(body);
	must(contract_section_sign(sec, "buyer", &buyer_kp, &e), &e);
	must(contract_new(sec, &f->doc, &e), &e);
	assert_null(send_doc(f, buyer_id, 1));
	cJSON *offer = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f->doc, "sections"), 0);
	must(contract_section_sign(offer, "seller", &seller_kp, &e), &e);
	assert_null(send_doc(f, seller_id, 0));
	snprintf(f->order_id, sizeof f->order_id, "%s",
	         cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(offer, "hash")));
	char wallet[NLEDGER_ACCOUNT_MAX + 1];
	snprintf(wallet, sizeof wallet, "wallet:%s", buyer_id);
	struct nentry dep[2] = {{"provider:sim", "USD", -*total, NULL},
	                        {wallet, "USD", *total, NULL}};
	char ref[64];
	snprintf(ref, sizeof ref, "psp-%.20s", f->order_id);
	struct ntx tx = {"deposit", NULL, ref, dep, 2};
	must(nledger_post(f->n.store, &tx, NULL, NULL, &e), &e);
}

/* Appends an event section (extra copied into its body, may be NULL) signed by kp as role
 * and sends it as caller; the SetError (the section is taken back out of f->doc when
 * refused) or NULL. */
static FX_UNUSED const cJSON *step_x(struct fx *f, const char *kind, const char *role,
                                     const struct kkeypair *kp, const char *caller,
                                     const cJSON *extra)
{
	struct kerr e = {0, ""};
	char tip[KCRYPTO_HASH_B64_LEN + 1];
	cJSON *body = NULL, *sec = NULL;
	must(contract_tip(f->doc, tip, &e), &e);
	must(contract_event_body(tip, "2026-11-20T10:00:00Z", extra, &body, &e), &e);
	must(contract_section_make(kind, body, &sec, &e), &e);
	must(contract_section_sign(sec, role, kp, &e), &e);
	must(contract_append(f->doc, sec, &e), &e);
	cJSON_Delete(body);
	const cJSON *err = send_doc(f, caller, 0);
	if (err) {
		cJSON *secs = cJSON_GetObjectItemCaseSensitive(f->doc, "sections");
		cJSON_DeleteItemFromArray(secs, cJSON_GetArraySize(secs) - 1);
	}
	return err;
}

/* The USD balance of ledger account kind:who. */
static FX_UNUSED int64_t balance(struct fx *f, const char *kind, const char *who)
{
	char acc[NLEDGER_ACCOUNT_MAX + 1];
	snprintf(acc, sizeof acc, "%s:%s", kind, who);
	int64_t v = -1;
	struct kerr e = {0, ""};
	must(nledger_balance(f->n.store, acc, "USD", &v, &e), &e);
	return v;
}

/* The node's object of type t (the caller frees it); a missing one fails the test. */
static FX_UNUSED cJSON *stored(struct fx *f, enum ntype t, const char *id)
{
	struct api_ctx c = {&f->n, f->n.store, NULL, NULL};
	struct nobj o = {KBUF_INIT, "", ""};
	cJSON *j = api_load(&c, t, id, &o);
	nobj_free(&o);
	assert_non_null(j);
	return j;
}

static FX_UNUSED void expect_state(struct fx *f, const char *want)
{
	cJSON *o = stored(f, NT_ORDER, f->order_id);
	assert_string_equal(api_str(o, "state"), want);
	cJSON_Delete(o);
}

/* err is a SetError of type whose description contains desc. */
static FX_UNUSED void expect_refused(const cJSON *err, const char *type, const char *desc)
{
	if (!err)
		fail_msg("accepted; expected %s '%s'", type, desc);
	assert_string_equal(api_str(err, "type"), type);
	if (!strstr(api_str(err, "description"), desc))
		fail_msg("'%s' does not contain '%s'", api_str(err, "description"), desc);
}

#endif
