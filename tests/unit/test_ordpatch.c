/* test_ordpatch — the Order/set patches of order.c (order_update) against a temporary
 * database through api_handle, on real contracts bound, funded and shipped by signed
 * sections: addEvents (the seller or the registered carrier; equal events taken once; the
 * ETA from the latest EST arrival; every refusal names the event and its field; an actual
 * DLVD makes the node sign "delivered" as escrow), rate (a signed Rating once per party
 * after completion; the rated account's summary goes up; tampering, a wrong id, a rating
 * from someone else refused) and cancel after funding (the first party's signed
 * "cancelled" section waits as cancelRequest; the other's co-signature cancels, refunds the
 * whole escrow to the buyer and the contract still verifies; a stale request is refused).
 * Fixed keys; runs from the repo root (needs Debian's iso-codes). */
#include <time.h>

#include "kontor/canon.h"
#include "trade_fx.h"

static struct kkeypair carrier_kp, carrier2_kp;
static char carrier_id[KCRYPTO_ID_LEN + 1], carrier2_id[KCRYPTO_ID_LEN + 1];

static int group_setup(void **state)
{
	static const struct price_tier tiers[] = {{100, 1200}};
	if (fx_group_setup(31, tiers, 1) != 0)
		return -1;
	seeded(&carrier_kp, 35, carrier_id);
	seeded(&carrier2_kp, 36, carrier2_id);
	return 0;
}

static int setup(void **state)
{
	return fx_setup(state, "ordpatch");
}

static const cJSON *step(struct fx *f, const char *kind, const char *role,
                         const struct kkeypair *kp, const char *caller)
{
	return step_x(f, kind, role, kp, caller, NULL);
}

/* The seller ships with Maersk, tracking MAEU1234567, "mode: sea" in the note. */
static void ship_maersk(struct fx *f)
{
	cJSON *x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "carrier", "Maersk");
	cJSON_AddStringToObject(x, "trackingNumber", "MAEU1234567");
	cJSON_AddStringToObject(x, "note", "mode: sea");
	assert_null(step_x(f, "shipped", "seller", &seller_kp, seller_id, x));
	cJSON_Delete(x);
}

/* Order/set {update: {order: patch}} as caller (patch is taken); the SetError or NULL,
 * *upd the "updated" entry (may be NULL). */
static const cJSON *oset(struct fx *f, const char *caller, cJSON *patch, const cJSON **upd)
{
	cJSON *args = cJSON_CreateObject();
	cJSON_AddItemToObject(cJSON_AddObjectToObject(args, "update"), f->order_id, patch);
	const cJSON *r = call(f, caller, "Order/set", args);
	if (upd)
		*upd = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(r, "updated"), f->order_id);
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "notUpdated"),
	                                        f->order_id);
}

/* An Order/set that must succeed; its "updated" entry. */
static const cJSON *oset_ok(struct fx *f, const char *caller, cJSON *patch)
{
	const cJSON *upd = NULL;
	const cJSON *err = oset(f, caller, patch, &upd);
	if (err) {
		char *s = cJSON_PrintUnformatted(err), msg[600];
		snprintf(msg, sizeof msg, "%s", s);
		free(s);
		fail_msg("Order/set refused: %s", msg);
	}
	assert_non_null(upd);
	return upd;
}

static int64_t num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	if (!cJSON_IsNumber(v))
		fail_msg("%s: not a number", name);
	return (int64_t)v->valuedouble;
}

/* ---------------------------------------------------------------- addEvents */

static cJSON *ev(const char *code, const char *cls, const char *at, const char *loc)
{
	cJSON *x = cJSON_CreateObject();
	if (code)
		cJSON_AddStringToObject(x, "code", code);
	if (cls)
		cJSON_AddStringToObject(x, "classifier", cls);
	if (at)
		cJSON_AddStringToObject(x, "at", at);
	if (loc)
		cJSON_AddStringToObject(x, "location", loc);
	return x;
}

/* {"addEvents": [e1, e2, ...]} from a NULL-ended list of events (taken). */
static cJSON *add_patch(cJSON *first, ...)
{
	cJSON *p = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(p, "addEvents");
	va_list ap;
	va_start(ap, first);
	for (cJSON *x = first; x; x = va_arg(ap, cJSON *))
		cJSON_AddItemToArray(arr, x);
	va_end(ap);
	return p;
}

/* The order's shipment events as stored (the order in *order). */
static cJSON *stored_events(struct fx *f, cJSON **order)
{
	*order = stored(f, NT_ORDER, f->order_id);
	cJSON *sh = cJSON_GetObjectItemCaseSensitive(*order, "shipment");
	assert_non_null(sh);
	return cJSON_GetObjectItemCaseSensitive(sh, "events");
}

static void test_events_on_funded_order_refused_naming_funded(void **state)
{
	struct fx *f = *state;
	int64_t total = 0;
	funded_order(f, 100, -1, &total);
	assert_null(step(f, "funded", "buyer", &buyer_kp, buyer_id));
	expect_refused(oset(f, seller_id,
	                    add_patch(ev("GTIN", "ACT", "2026-11-19T08:00:00Z", "CNSHA"), NULL),
	                    NULL),
	               "stateConflict", "order is funded");
	cJSON *o = stored(f, NT_ORDER, f->order_id);
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "shipment"));
	cJSON_Delete(o);
}

static void test_events_seller_adds_once_eta_and_refusals(void **state)
{
	struct fx *f = *state;
	int64_t total = 0;
	funded_order(f, 100, -1, &total);
	assert_null(step(f, "funded", "buyer", &buyer_kp, buyer_id));
	ship_maersk(f);

	/* The shipment made from the shipped section: carrier, tracking, mode, origin. */
	cJSON *o = stored(f, NT_ORDER, f->order_id);
	cJSON *sh = cJSON_GetObjectItemCaseSensitive(o, "shipment");
	assert_non_null(sh);
	assert_string_equal(api_str(sh, "carrier"), "Maersk");
	assert_string_equal(api_str(sh, "trackingNumber"), "MAEU1234567");
	assert_string_equal(api_str(sh, "mode"), "sea");
	assert_string_equal(api_str(sh, "origin"), "Shanghai");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(sh, "events")), 0);
	assert_null(api_str(sh, "eta"));
	cJSON_Delete(o);

	/* Four events from the seller. */
	cJSON *load = ev("LOAD", "ACT", "2026-11-20T08:00:00Z", "CNSHA");
	cJSON_AddStringToObject(load, "note", "MAERSK ESSEN 123W");
	const cJSON *upd =
	    oset_ok(f, seller_id,
	            add_patch(ev("GTIN", "ACT", "2026-11-19T08:00:00Z", "CNSHA"), load,
	                      ev("DEPA", "ACT", "2026-11-21T02:00:00Z", "CNSHA"),
	                      ev("ARRI", "EST", "2026-12-05T14:00:00Z", "USLAX"), NULL));
	assert_int_equal(num(upd, "added"), 4);
	assert_int_equal(num(upd, "known"), 0);
	assert_string_equal(api_str(upd, "eta"), "2026-12-05T14:00:00Z");
	assert_string_equal(api_str(upd, "state"), "shipped");
	cJSON *events = stored_events(f, &o);
	assert_int_equal(cJSON_GetArraySize(events), 4);
	cJSON *x = cJSON_GetArrayItem(events, 1); /* in the order received */
	assert_string_equal(api_str(x, "code"), "LOAD");
	assert_string_equal(api_str(x, "note"), "MAERSK ESSEN 123W");
	assert_string_equal(api_str(x, "by"), seller_id);
	assert_string_equal(api_str(x, "role"), "seller");
	assert_string_equal(api_str(cJSON_GetObjectItemCaseSensitive(o, "shipment"), "eta"),
	                    "2026-12-05T14:00:00Z");
	cJSON_Delete(o);

	/* The same events again (a re-imported file) add nothing; a note does not make an
	 * event new. */
	cJSON *load2 = ev("LOAD", "ACT", "2026-11-20T08:00:00Z", "CNSHA");
	cJSON_AddStringToObject(load2, "note", "another note");
	upd = oset_ok(f, seller_id,
	              add_patch(ev("GTIN", "ACT", "2026-11-19T08:00:00Z", "CNSHA"), load2,
	                        ev("DEPA", "ACT", "2026-11-21T02:00:00Z", "CNSHA"),
	                        ev("ARRI", "EST", "2026-12-05T14:00:00Z", "USLAX"), NULL));
	assert_int_equal(num(upd, "added"), 0);
	assert_int_equal(num(upd, "known"), 4);
	/* The same code at another place is another event. */
	upd = oset_ok(f, seller_id,
	              add_patch(ev("GTIN", "ACT", "2026-11-19T08:00:00Z", "CNSHA"),
	                        ev("GTIN", "ACT", "2026-11-19T08:00:00Z", "CNNGB"), NULL));
	assert_int_equal(num(upd, "added"), 1);
	assert_int_equal(num(upd, "known"), 1);

	/* A revised estimate: the ETA is the latest EST arrival received, even when earlier
	 * in time than the one before it. */
	upd = oset_ok(f, seller_id,
	              add_patch(ev("ARRI", "EST", "2026-12-03T06:00:00Z", "USLAX"), NULL));
	assert_int_equal(num(upd, "added"), 1);
	assert_string_equal(api_str(upd, "eta"), "2026-12-03T06:00:00Z");
	/* An actual event does not change it. */
	upd = oset_ok(f, seller_id,
	              add_patch(ev("DISC", "ACT", "2026-12-03T09:00:00Z", "USLAX"), NULL));
	assert_string_equal(api_str(upd, "eta"), "2026-12-03T06:00:00Z");
	events = stored_events(f, &o);
	assert_int_equal(cJSON_GetArraySize(events), 7);
	assert_string_equal(api_str(cJSON_GetObjectItemCaseSensitive(o, "shipment"), "eta"),
	                    "2026-12-03T06:00:00Z");
	cJSON_Delete(o);

	/* Refusals name the event and its field; nothing of a refused set is kept. */
	expect_refused(oset(f, seller_id,
	                    add_patch(ev("CUSR", "ACT", "2026-12-04T08:00:00Z", "USLAX"),
	                              ev("XXXX", "ACT", "2026-12-04T09:00:00Z", "USLAX"), NULL),
	                    NULL),
	               "invalidProperties", "addEvents[1].code: unknown DCSA event code 'XXXX'");
	expect_refused(oset(f, seller_id,
	                    add_patch(ev("CUSR", "ACTUAL", "2026-12-04T08:00:00Z", NULL), NULL),
	                    NULL),
	               "invalidProperties", "addEvents[0].classifier");
	expect_refused(
	    oset(f, seller_id, add_patch(ev("CUSR", "ACT", "2026-12-04 08:00", NULL), NULL), NULL),
	    "invalidProperties", "addEvents[0].at");
	expect_refused(oset(f, seller_id, add_patch(ev("CUSR", "ACT", NULL, NULL), NULL), NULL),
	               "invalidProperties", "addEvents[0].at");
	expect_refused(oset(f, seller_id,
	                    add_patch(ev(NULL, "ACT", "2026-12-04T08:00:00Z", NULL), NULL), NULL),
	               "invalidProperties", "addEvents[0].code");
	cJSON *forged = ev("CUSR", "ACT", "2026-12-04T08:00:00Z", NULL);
	cJSON_AddStringToObject(forged, "role", "escrow");
	expect_refused(oset(f, seller_id, add_patch(forged, NULL), NULL), "invalidProperties",
	               "addEvents[0].role: not an event property");
	cJSON *num_loc = ev("CUSR", "ACT", "2026-12-04T08:00:00Z", NULL);
	cJSON_AddNumberToObject(num_loc, "location", 7);
	expect_refused(oset(f, seller_id, add_patch(num_loc, NULL), NULL), "invalidProperties",
	               "addEvents[0].location: must be a string");
	cJSON *p = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(p, "addEvents");
	for (int i = 0; i < 201; i++) {
		char at[32];
		snprintf(at, sizeof at, "2026-12-04T%02d:%02d:00Z", i / 60, i % 60);
		cJSON_AddItemToArray(arr, ev("WAYP", "ACT", at, NULL));
	}
	expect_refused(oset(f, seller_id, p, NULL), "invalidProperties",
	               "addEvents: an array of 1 to 200 events");
	p = cJSON_CreateObject();
	cJSON_AddArrayToObject(p, "addEvents");
	expect_refused(oset(f, seller_id, p, NULL), "invalidProperties", "addEvents: an array");
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "addEvents", "LOAD");
	expect_refused(oset(f, seller_id, p, NULL), "invalidProperties", "addEvents: an array");
	/* Two patches at once, or a free-form one, are not taken. */
	p = add_patch(ev("CUSR", "ACT", "2026-12-04T08:00:00Z", NULL), NULL);
	cJSON_AddStringToObject(p, "state", "delivered");
	expect_refused(oset(f, seller_id, p, NULL), "forbidden", "signed sections");
	events = stored_events(f, &o);
	assert_int_equal(cJSON_GetArraySize(events), 7);
	assert_string_equal(api_str(o, "state"), "shipped");
	cJSON_Delete(o);

	/* The buyer does not report shipment events; a stranger does not see the order. */
	expect_refused(oset(f, buyer_id,
	                    add_patch(ev("CUSR", "ACT", "2026-12-04T08:00:00Z", NULL), NULL), NULL),
	               "forbidden", "not the buyer");
	expect_refused(oset(f, other_id,
	                    add_patch(ev("CUSR", "ACT", "2026-12-04T08:00:00Z", NULL), NULL), NULL),
	               "notFound", "no Order");
	events = stored_events(f, &o);
	assert_int_equal(cJSON_GetArraySize(events), 7);
	cJSON_Delete(o);
}

static void test_events_from_registered_carrier_only_its_own(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	int64_t total = 0;
	funded_order(f, 100, -1, &total);
	assert_null(step(f, "funded", "buyer", &buyer_kp, buyer_id));
	ship_maersk(f);
	must(nstore_carrier_add(f->n.store, "MAERSK", carrier_id, &e), &e); /* case differs */
	must(nstore_carrier_add(f->n.store, "DHL", carrier2_id, &e), &e);
	assert_int_equal(fx_register(f, carrier_id, "Maersk Desk"), 0);
	assert_int_equal(fx_register(f, carrier2_id, "DHL Desk"), 0);
	const cJSON *upd = oset_ok(
	    f, carrier_id, add_patch(ev("DISC", "ACT", "2026-12-04T08:00:00Z", "USLAX"), NULL));
	assert_int_equal(num(upd, "added"), 1);
	cJSON *o = NULL, *events = stored_events(f, &o);
	assert_int_equal(cJSON_GetArraySize(events), 1);
	assert_string_equal(api_str(cJSON_GetArrayItem(events, 0), "role"), "carrier");
	assert_string_equal(api_str(cJSON_GetArrayItem(events, 0), "by"), carrier_id);
	cJSON_Delete(o);
	expect_refused(oset(f, carrier2_id,
	                    add_patch(ev("GTOT", "ACT", "2026-12-05T08:00:00Z", "USLAX"), NULL),
	                    NULL),
	               "forbidden", "does not ship with DHL");
	/* The carrier adds events and nothing else. */
	cJSON *p = cJSON_CreateObject();
	cJSON_AddObjectToObject(p, "rate");
	expect_refused(oset(f, carrier_id, p, NULL), "notFound", "no Order");
	events = stored_events(f, &o);
	assert_int_equal(cJSON_GetArraySize(events), 1);
	cJSON_Delete(o);
}

static void test_events_act_dlvd_node_signs_delivered(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	int64_t total = 0;
	funded_order(f, 100, -1, &total);
	assert_null(step(f, "funded", "buyer", &buyer_kp, buyer_id));
	ship_maersk(f);
	char kid[KCRYPTO_HASH_B64_LEN + 1];
	snprintf(kid, sizeof kid, "%s",
	         cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f->doc, "id")));
	cJSON *doc = stored(f, NT_CONTRACT, kid);
	int nsec = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "sections"));
	cJSON_Delete(doc);
	/* An estimated delivery is only an ETA. */
	const cJSON *upd = oset_ok(
	    f, seller_id, add_patch(ev("DLVD", "EST", "2026-12-06T12:00:00Z", "USLAX"), NULL));
	assert_string_equal(api_str(upd, "state"), "shipped");
	assert_string_equal(api_str(upd, "eta"), "2026-12-06T12:00:00Z");
	expect_state(f, "shipped");
	int64_t now = (int64_t)time(NULL);
	upd = oset_ok(f, seller_id,
	              add_patch(ev("DLVD", "ACT", "2026-12-06T10:00:00Z", "USLAX"), NULL));
	assert_string_equal(api_str(upd, "state"), "delivered");
	assert_null(api_str(upd, "eta")); /* delivered: no ETA */
	cJSON *o = stored(f, NT_ORDER, f->order_id);
	assert_string_equal(api_str(o, "state"), "delivered");
	assert_non_null(api_str(o, "deliveredAt"));
	int64_t at = order_time_of(api_str(o, "deliveredAt"));
	assert_true(at >= now - 60 && at <= now + 60);
	assert_null(api_str(cJSON_GetObjectItemCaseSensitive(o, "shipment"), "eta"));
	assert_int_equal(num(o, "escrow"), total); /* delivery moves no money */
	cJSON_Delete(o);
	doc = stored(f, NT_CONTRACT, kid);
	struct contract_status st;
	must(contract_verify(doc, &st, &e), &e);
	assert_string_equal(st.last_kind, "delivered");
	cJSON *secs = cJSON_GetObjectItemCaseSensitive(doc, "sections");
	assert_int_equal(cJSON_GetArraySize(secs), nsec + 1);
	cJSON *last = cJSON_GetArrayItem(secs, cJSON_GetArraySize(secs) - 1);
	assert_string_equal(api_str(last, "kind"), "delivered");
	cJSON *sigs = cJSON_GetObjectItemCaseSensitive(last, "signatures");
	assert_int_equal(cJSON_GetArraySize(sigs), 1);
	assert_string_equal(api_str(cJSON_GetArrayItem(sigs, 0), "role"), "escrow");
	assert_string_equal(api_str(cJSON_GetArrayItem(sigs, 0), "by"), node_id);
	cJSON *body = cJSON_Parse(api_str(last, "body"));
	assert_non_null(strstr(api_str(body, "note"), "seller"));
	cJSON_Delete(body);
	cJSON_Delete(doc);
	assert_int_equal(balance(f, "escrow", f->order_id), total);

	/* Events still come on a delivered order; a second DLVD signs nothing more. */
	upd = oset_ok(f, seller_id,
	              add_patch(ev("DLVD", "ACT", "2026-12-06T11:00:00Z", "USLAX"), NULL));
	assert_int_equal(num(upd, "added"), 1);
	assert_string_equal(api_str(upd, "state"), "delivered");
	doc = stored(f, NT_CONTRACT, kid);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "sections")),
	                 nsec + 1);
	cJSON_Delete(doc);

	/* The parties' copy is behind the node's: the buyer's "delivered" on the old tip is
	 * refused; confirming on top of the node's chain completes the order. */
	assert_non_null(step(f, "delivered", "buyer", &buyer_kp, buyer_id));
	cJSON_Delete(f->doc);
	f->doc = stored(f, NT_CONTRACT, kid);
	assert_null(step(f, "confirmed", "buyer", &buyer_kp, buyer_id));
	expect_state(f, "completed");
	assert_int_equal(balance(f, "wallet", seller_id), total);
	must(nledger_check(f->n.store, &e), &e);
	/* Completed: no more events. */
	expect_refused(oset(f, seller_id,
	                    add_patch(ev("CUSR", "ACT", "2026-12-07T08:00:00Z", NULL), NULL), NULL),
	               "stateConflict", "order is completed");
}

/* ---------------------------------------------------------------- rate */

/* Signs r (without "sig") as kp: sig = sign_object("rating", canonical bytes). */
static void rating_sign(cJSON *r, const struct kkeypair *kp)
{
	struct kerr e = {0, ""};
	struct kbuf canon = KBUF_INIT, sig = KBUF_INIT;
	cJSON_DeleteItemFromObjectCaseSensitive(r, "sig");
	must(canon_write(r, &canon, &e), &e);
	kcrypto_sign_object_b64("rating", canon.data, canon.len, kp->sk, &sig);
	cJSON_AddStringToObject(r, "sig", kbuf_str(&sig));
	kbuf_free(&canon);
	kbuf_free(&sig);
}

/* An object of from's about this order: {"id": hash(orderId NUL from), "orderId", "from"}. */
static cJSON *order_object(struct fx *f, const char *from)
{
	cJSON *r = cJSON_CreateObject();
	struct kbuf src = KBUF_INIT;
	char id[KCRYPTO_HASH_B64_LEN + 1];
	kbuf_puts(&src, f->order_id);
	kbuf_putc(&src, '\0');
	kbuf_puts(&src, from);
	kcrypto_hash_b64url(src.data, src.len, id);
	kbuf_free(&src);
	cJSON_AddStringToObject(r, "id", id);
	cJSON_AddStringToObject(r, "orderId", f->order_id);
	cJSON_AddStringToObject(r, "from", from);
	return r;
}

/* A Rating of this order from -> to, signed by kp. */
static cJSON *rating(struct fx *f, const struct kkeypair *kp, const char *from, const char *to,
                     int stars)
{
	cJSON *r = order_object(f, from);
	cJSON_AddStringToObject(r, "to", to);
	cJSON_AddNumberToObject(r, "stars", stars);
	cJSON_AddNumberToObject(r, "quality", 4);
	cJSON_AddNumberToObject(r, "delivery", stars);
	cJSON_AddStringToObject(r, "text", "as agreed");
	cJSON_AddStringToObject(r, "created", "2026-12-10T09:00:00Z");
	rating_sign(r, kp);
	return r;
}

static cJSON *rate_patch(cJSON *r)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddItemToObject(p, "rate", r);
	return p;
}

/* The account's rating summary {sum, count}; sum -1 when it has none. */
static void summary(struct fx *f, const char *id, int64_t *sum, int64_t *count)
{
	cJSON *a = stored(f, NT_ACCOUNT, id);
	cJSON *r = cJSON_GetObjectItemCaseSensitive(a, "rating");
	*sum = r ? num(r, "sum") : -1;
	*count = r ? num(r, "count") : -1;
	cJSON_Delete(a);
}

/* The patch {"answer": a DisputeAnswer of this order from, signed by kp}. */
static cJSON *answer_patch(struct fx *f, const struct kkeypair *kp, const char *from,
                           const char *text)
{
	struct kerr e = {0, ""};
	cJSON *r = order_object(f, from);
	struct kbuf canon = KBUF_INIT, sig = KBUF_INIT;
	cJSON_AddStringToObject(r, "text", text);
	cJSON_AddStringToObject(r, "created", "2026-12-10T09:00:00Z");
	must(canon_write(r, &canon, &e), &e);
	kcrypto_sign_object_b64("answer", canon.data, canon.len, kp->sk, &sig);
	cJSON_AddStringToObject(r, "sig", kbuf_str(&sig));
	kbuf_free(&canon);
	kbuf_free(&sig);
	cJSON *p = cJSON_CreateObject();
	cJSON_AddItemToObject(p, "answer", r);
	return p;
}

static void test_dispute_answered_once_by_the_party_that_did_not_open_it(void **state)
{
	struct fx *f = *state;
	int64_t total = 0;
	funded_order(f, 100, -1, &total);
	assert_null(step(f, "funded", "buyer", &buyer_kp, buyer_id));
	ship_maersk(f);
	/* Not disputed: nothing to answer. */
	expect_refused(oset(f, seller_id, answer_patch(f, &seller_kp, seller_id, "shipped"), NULL),
	               "stateConflict", "order is shipped: an answer is to a dispute");
	cJSON *why = cJSON_CreateObject();
	cJSON_AddStringToObject(why, "reason", "wrong colour");
	assert_null(step_x(f, "disputed", "buyer", &buyer_kp, buyer_id, why));
	cJSON_Delete(why);
	expect_state(f, "disputed");
	/* The buyer opened it: his reason is his side. */
	expect_refused(oset(f, buyer_id, answer_patch(f, &buyer_kp, buyer_id, "again"), NULL),
	               "forbidden", "the buyer opened the dispute");
	/* Signed by another key than from's. */
	expect_refused(oset(f, seller_id, answer_patch(f, &other_kp, seller_id, "black"), NULL),
	               "invalidProperties", "answer.sig: the signature does not verify");
	/* The seller's side, kept on the order, signed. */
	oset_ok(f, seller_id, answer_patch(f, &seller_kp, seller_id, "black, as signed"));
	cJSON *o = stored(f, NT_ORDER, f->order_id);
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "answer");
	assert_non_null(a);
	assert_string_equal(api_str(a, "text"), "black, as signed");
	assert_string_equal(api_str(a, "from"), seller_id);
	assert_string_equal(api_str(o, "state"), "disputed");
	cJSON_Delete(o);
	/* Once. */
	expect_refused(oset(f, seller_id, answer_patch(f, &seller_kp, seller_id, "more"), NULL),
	               "stateConflict", "an answer is given once");
	/* A third account does not see the order. */
	expect_refused(oset(f, other_id, answer_patch(f, &other_kp, other_id, "hi"), NULL),
	               "notFound", "no Order");
	/* An empty text is no answer. */
	expect_refused(oset(f, seller_id, answer_patch(f, &seller_kp, seller_id, ""), NULL),
	               "invalidProperties", "text");
}

static void test_ratings_once_per_party_after_completion(void **state)
{
	struct fx *f = *state;
	int64_t total = 0, sum = 0, count = 0;
	funded_order(f, 100, -1, &total);
	assert_null(step(f, "funded", "buyer", &buyer_kp, buyer_id));
	ship_maersk(f);
	/* Before completion: refused naming the state. */
	expect_refused(
	    oset(f, buyer_id, rate_patch(rating(f, &buyer_kp, buyer_id, seller_id, 5)), NULL),
	    "stateConflict", "order is shipped: rating needs completed or resolved");
	summary(f, seller_id, &sum, &count);
	assert_int_equal(sum, -1);
	assert_null(step(f, "confirmed", "buyer", &buyer_kp, buyer_id));
	expect_state(f, "completed");

	/* The buyer rates the seller 5. */
	cJSON *r = rating(f, &buyer_kp, buyer_id, seller_id, 5);
	char rid[KCRYPTO_HASH_B64_LEN + 1];
	snprintf(rid, sizeof rid, "%s", api_str(r, "id"));
	const cJSON *upd = oset_ok(f, buyer_id, rate_patch(r));
	assert_string_equal(api_str(upd, "state"), "completed");
	summary(f, seller_id, &sum, &count);
	assert_int_equal(sum, 5);
	assert_int_equal(count, 1);
	cJSON *o = stored(f, NT_ORDER, f->order_id);
	cJSON *mine = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(o, "ratings"), "buyer");
	assert_non_null(mine);
	assert_string_equal(api_str(mine, "id"), rid);
	assert_int_equal(num(mine, "stars"), 5);
	assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "ratings"),
	                                             "seller"));
	cJSON_Delete(o);

	/* Once: a second rating by the buyer is refused and counts nothing. */
	expect_refused(
	    oset(f, buyer_id, rate_patch(rating(f, &buyer_kp, buyer_id, seller_id, 1)), NULL),
	    "stateConflict", "a rating is given once");
	summary(f, seller_id, &sum, &count);
	assert_int_equal(sum, 5);
	assert_int_equal(count, 1);

	/* Tampered: stars changed after signing. */
	r = rating(f, &seller_kp, seller_id, buyer_id, 2);
	cJSON_ReplaceItemInObjectCaseSensitive(r, "stars", cJSON_CreateNumber(5));
	expect_refused(oset(f, seller_id, rate_patch(r), NULL), "invalidProperties",
	               "rate.sig: the signature does not verify");
	/* Signed by someone else than from. */
	r = rating(f, &other_kp, seller_id, buyer_id, 2);
	expect_refused(oset(f, seller_id, rate_patch(r), NULL), "invalidProperties", "rate.sig");
	/* A wrong id (signed over, so only the id is wrong). */
	r = rating(f, &seller_kp, seller_id, buyer_id, 2);
	cJSON_ReplaceItemInObjectCaseSensitive(r, "id", cJSON_CreateString(rid));
	rating_sign(r, &seller_kp);
	expect_refused(oset(f, seller_id, rate_patch(r), NULL), "invalidProperties", "rate.id");
	/* from is not the caller: the seller relays a rating the buyer signed. */
	r = rating(f, &buyer_kp, buyer_id, seller_id, 1);
	expect_refused(oset(f, seller_id, rate_patch(r), NULL), "forbidden", "rate.from");
	/* to is not the other party. */
	r = rating(f, &seller_kp, seller_id, other_id, 2);
	expect_refused(oset(f, seller_id, rate_patch(r), NULL), "invalidProperties", "rate.to");
	/* Another order's id. */
	r = rating(f, &seller_kp, seller_id, buyer_id, 2);
	cJSON_ReplaceItemInObjectCaseSensitive(r, "orderId", cJSON_CreateString(rid));
	rating_sign(r, &seller_kp);
	expect_refused(oset(f, seller_id, rate_patch(r), NULL), "invalidProperties",
	               "rate.orderId");
	/* Out of range stars, and no Rating at all. */
	r = rating(f, &seller_kp, seller_id, buyer_id, 6);
	expect_refused(oset(f, seller_id, rate_patch(r), NULL), "invalidProperties", "stars");
	expect_refused(oset(f, seller_id, rate_patch(cJSON_CreateString("5 stars")), NULL),
	               "invalidProperties", "must be a Rating object");
	/* A third account does not see the order. */
	r = rating(f, &other_kp, other_id, seller_id, 1);
	expect_refused(oset(f, other_id, rate_patch(r), NULL), "notFound", "no Order");
	summary(f, buyer_id, &sum, &count);
	assert_int_equal(sum, -1);
	summary(f, seller_id, &sum, &count);
	assert_int_equal(sum, 5);
	assert_int_equal(count, 1);

	/* The seller rates the buyer 3. */
	oset_ok(f, seller_id, rate_patch(rating(f, &seller_kp, seller_id, buyer_id, 3)));
	summary(f, buyer_id, &sum, &count);
	assert_int_equal(sum, 3);
	assert_int_equal(count, 1);
	summary(f, seller_id, &sum, &count);
	assert_int_equal(sum, 5);
	assert_int_equal(count, 1);
	o = stored(f, NT_ORDER, f->order_id);
	cJSON *rs = cJSON_GetObjectItemCaseSensitive(o, "ratings");
	assert_int_equal(num(cJSON_GetObjectItemCaseSensitive(rs, "seller"), "stars"), 3);
	assert_int_equal(num(cJSON_GetObjectItemCaseSensitive(rs, "buyer"), "stars"), 5);
	cJSON_Delete(o);
	expect_refused(
	    oset(f, seller_id, rate_patch(rating(f, &seller_kp, seller_id, buyer_id, 4)), NULL),
	    "stateConflict", "a rating is given once");
}

/* ---------------------------------------------------------------- cancel */

/* A "cancelled" section on the tip of the parties' copy, signed by kp as role. */
static cJSON *cancel_section(struct fx *f, const char *role, const struct kkeypair *kp,
                             const char *reason)
{
	struct kerr e = {0, ""};
	char tip[KCRYPTO_HASH_B64_LEN + 1];
	cJSON *extra = cJSON_CreateObject(), *body = NULL, *sec = NULL;
	if (reason)
		cJSON_AddStringToObject(extra, "reason", reason);
	must(contract_tip(f->doc, tip, &e), &e);
	must(contract_event_body(tip, "2026-11-21T10:00:00Z", extra, &body, &e), &e);
	must(contract_section_make("cancelled", body, &sec, &e), &e);
	must(contract_section_sign(sec, role, kp, &e), &e);
	cJSON_Delete(extra);
	cJSON_Delete(body);
	return sec;
}

static cJSON *cancel_patch(const cJSON *sec)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddItemToObject(p, "cancel", cJSON_Duplicate(sec, 1));
	return p;
}

static void test_cancel_after_funding_needs_both(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	int64_t total = 0;
	funded_order(f, 100, -1, &total);
	assert_null(step(f, "funded", "buyer", &buyer_kp, buyer_id));
	assert_int_equal(balance(f, "wallet", buyer_id), 0);
	assert_int_equal(balance(f, "escrow", f->order_id), total);

	/* A signature that is not the caller's: the seller sends the buyer's section. */
	cJSON *sec = cancel_section(f, "buyer", &buyer_kp, "supplier cannot make the date");
	expect_refused(oset(f, seller_id, cancel_patch(sec), NULL), "invalidProperties",
	               "one signature, yours as the seller");
	/* ... or the buyer's own key in the seller's role. */
	cJSON *wrong = cancel_section(f, "seller", &buyer_kp, NULL);
	expect_refused(oset(f, buyer_id, cancel_patch(wrong), NULL), "invalidProperties",
	               "one signature, yours as the buyer");
	cJSON_Delete(wrong);
	/* Not a cancelled section. */
	wrong = cancel_section(f, "buyer", &buyer_kp, NULL);
	cJSON_ReplaceItemInObjectCaseSensitive(wrong, "kind", cJSON_CreateString("disputed"));
	expect_refused(oset(f, buyer_id, cancel_patch(wrong), NULL), "invalidProperties",
	               "cancel.kind");
	cJSON_Delete(wrong);
	cJSON *o = stored(f, NT_ORDER, f->order_id);
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "cancelRequest"));
	cJSON_Delete(o);

	/* The buyer asks: the order waits, still funded. */
	const cJSON *upd = oset_ok(f, buyer_id, cancel_patch(sec));
	assert_string_equal(api_str(upd, "cancel"), "requested");
	assert_string_equal(api_str(upd, "state"), "funded");
	o = stored(f, NT_ORDER, f->order_id);
	assert_string_equal(api_str(o, "state"), "funded");
	cJSON *req = cJSON_GetObjectItemCaseSensitive(o, "cancelRequest");
	assert_non_null(req);
	assert_string_equal(api_str(req, "by"), "buyer");
	assert_string_equal(api_str(req, "reason"), "supplier cannot make the date");
	assert_true(order_time_of(api_str(req, "at")) > 0);
	assert_string_equal(api_str(cJSON_GetObjectItemCaseSensitive(req, "section"), "hash"),
	                    api_str(sec, "hash"));
	cJSON_Delete(o);
	assert_int_equal(balance(f, "escrow", f->order_id), total);

	/* Asking again waits for the seller. */
	expect_refused(oset(f, buyer_id, cancel_patch(sec), NULL), "stateConflict",
	               "waits for the seller's signature");
	/* The seller's answer must carry the seller's signature. */
	expect_refused(oset(f, seller_id, cancel_patch(sec), NULL), "invalidProperties",
	               "yours as the seller is missing");

	/* The seller co-signs: cancelled, the whole escrow back to the buyer. */
	must(contract_section_sign(sec, "seller", &seller_kp, &e), &e);
	upd = oset_ok(f, seller_id, cancel_patch(sec));
	assert_string_equal(api_str(upd, "cancel"), "agreed");
	assert_int_equal(num(upd, "refunded"), total);
	assert_string_equal(api_str(upd, "state"), "cancelled");
	o = stored(f, NT_ORDER, f->order_id);
	assert_string_equal(api_str(o, "state"), "cancelled");
	assert_int_equal(num(o, "escrow"), 0);
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "cancelRequest"));
	cJSON_Delete(o);
	assert_int_equal(balance(f, "wallet", buyer_id), total);
	assert_int_equal(balance(f, "escrow", f->order_id), 0);
	assert_int_equal(balance(f, "wallet", seller_id), 0);
	must(nledger_check(f->n.store, &e), &e);

	const char *kid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f->doc, "id"));
	cJSON *doc = stored(f, NT_CONTRACT, kid);
	struct contract_status st;
	must(contract_verify(doc, &st, &e), &e);
	assert_string_equal(st.last_kind, "cancelled");
	cJSON *secs = cJSON_GetObjectItemCaseSensitive(doc, "sections");
	cJSON *last = cJSON_GetArrayItem(secs, cJSON_GetArraySize(secs) - 1);
	assert_string_equal(api_str(last, "hash"), api_str(sec, "hash"));
	cJSON *sigs = cJSON_GetObjectItemCaseSensitive(last, "signatures");
	assert_int_equal(cJSON_GetArraySize(sigs), 2);
	assert_string_equal(api_str(cJSON_GetArrayItem(sigs, 0), "by"), buyer_id);
	assert_string_equal(api_str(cJSON_GetArrayItem(sigs, 0), "role"), "buyer");
	assert_string_equal(api_str(cJSON_GetArrayItem(sigs, 1), "by"), seller_id);
	assert_string_equal(api_str(cJSON_GetArrayItem(sigs, 1), "role"), "seller");
	cJSON_Delete(doc);

	/* Once: the same answer again moves nothing. */
	expect_refused(oset(f, seller_id, cancel_patch(sec), NULL), "stateConflict",
	               "order is cancelled");
	assert_int_equal(balance(f, "wallet", buyer_id), total);
	cJSON_Delete(sec);
}

static void test_cancel_stale_request_refused_after_chain_moved(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	int64_t total = 0;
	funded_order(f, 100, -1, &total);
	assert_null(step(f, "funded", "buyer", &buyer_kp, buyer_id));
	cJSON *sec = cancel_section(f, "buyer", &buyer_kp, "changed plans");
	oset_ok(f, buyer_id, cancel_patch(sec));
	/* The seller ships instead: the request is stale and gone. */
	ship_maersk(f);
	cJSON *o = stored(f, NT_ORDER, f->order_id);
	assert_string_equal(api_str(o, "state"), "shipped");
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "cancelRequest"));
	cJSON_Delete(o);
	must(contract_section_sign(sec, "seller", &seller_kp, &e), &e);
	expect_refused(oset(f, seller_id, cancel_patch(sec), NULL), "stateConflict", "moved on");
	expect_state(f, "shipped");
	assert_int_equal(balance(f, "escrow", f->order_id), total);
	assert_int_equal(balance(f, "wallet", buyer_id), 0);
	cJSON_Delete(sec);
	/* A fresh request on the new tip, by the seller this time, is taken. */
	sec = cancel_section(f, "seller", &seller_kp, NULL);
	const cJSON *upd = oset_ok(f, seller_id, cancel_patch(sec));
	assert_string_equal(api_str(upd, "cancel"), "requested");
	o = stored(f, NT_ORDER, f->order_id);
	assert_string_equal(api_str(cJSON_GetObjectItemCaseSensitive(o, "cancelRequest"), "by"),
	                    "seller");
	assert_null(api_str(cJSON_GetObjectItemCaseSensitive(o, "cancelRequest"), "reason"));
	cJSON_Delete(o);
	cJSON_Delete(sec);
	/* The node's own "delivered" (an actual DLVD) moves the chain too: the request goes. */
	oset_ok(f, seller_id, add_patch(ev("DLVD", "ACT", "2026-11-30T10:00:00Z", "NLRTM"), NULL));
	o = stored(f, NT_ORDER, f->order_id);
	assert_string_equal(api_str(o, "state"), "delivered");
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "cancelRequest"));
	cJSON_Delete(o);
}

static void test_cancel_refused_on_completed_and_unfunded(void **state)
{
	struct fx *f = *state;
	int64_t total = 0;
	funded_order(f, 100, -1, &total);
	cJSON *sec = cancel_section(f, "buyer", &buyer_kp, NULL);
	expect_refused(oset(f, buyer_id, cancel_patch(sec), NULL), "stateConflict",
	               "order is awaiting_payment: before funding either party cancels alone");
	cJSON_Delete(sec);
	assert_null(step(f, "funded", "buyer", &buyer_kp, buyer_id));
	ship_maersk(f);
	assert_null(step(f, "confirmed", "buyer", &buyer_kp, buyer_id));
	sec = cancel_section(f, "buyer", &buyer_kp, NULL);
	expect_refused(
	    oset(f, buyer_id, cancel_patch(sec), NULL), "stateConflict",
	    "order is completed: cancel after funding needs funded, shipped or delivered");
	cJSON_Delete(sec);
	expect_state(f, "completed");
	assert_int_equal(balance(f, "wallet", seller_id), total);
}

/* Order/set is a method of the API (the patches reach order_update through it). */
static void test_order_set_is_a_method(void **state)
{
	struct fx *f = *state;
	int64_t total = 0;
	funded_order(f, 100, -1, &total);
	cJSON *args = cJSON_CreateObject();
	cJSON_AddObjectToObject(cJSON_AddObjectToObject(args, "update"), f->order_id);
	cJSON *req = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(req, "using"),
	                     cJSON_CreateString("urn:kontor:trade"));
	cJSON *c = cJSON_CreateArray();
	cJSON_AddItemToArray(c, cJSON_CreateString("Order/set"));
	cJSON_AddItemToArray(c, args);
	cJSON_AddItemToArray(c, cJSON_CreateString("c0"));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(req, "methodCalls"), c);
	struct kbuf body = KBUF_INIT, out = KBUF_INIT, methods = KBUF_INIT;
	json_print(req, &body);
	cJSON_Delete(req);
	struct api_caller who = {seller_id, "127.0.0.1"};
	assert_int_equal(api_handle(&f->n, &who, kbuf_str(&body), body.len, &out, &methods), 200);
	cJSON *resp = cJSON_Parse(kbuf_str(&out));
	kbuf_free(&body);
	kbuf_free(&out);
	kbuf_free(&methods);
	const cJSON *mr =
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(resp, "methodResponses"), 0);
	char name[32];
	snprintf(name, sizeof name, "%s",
	         cJSON_GetStringValue(cJSON_GetArrayItem(mr, 0))
	             ? cJSON_GetStringValue(cJSON_GetArrayItem(mr, 0))
	             : "?");
	char *s = cJSON_PrintUnformatted(mr);
	cJSON_Delete(resp);
	if (strcmp(name, "Order/set") != 0) {
		fprintf(stderr, "Order/set answered %s\n", s);
		free(s);
		fail_msg("Order/set is not a method of api_handle (src/node/api.c method_table)");
	}
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_order_set_is_a_method, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_events_on_funded_order_refused_naming_funded,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_events_seller_adds_once_eta_and_refusals, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_events_from_registered_carrier_only_its_own, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_events_act_dlvd_node_signs_delivered, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_dispute_answered_once_by_the_party_that_did_not_open_it, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ratings_once_per_party_after_completion, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_cancel_after_funding_needs_both, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cancel_stale_request_refused_after_chain_moved,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cancel_refused_on_completed_and_unfunded, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
