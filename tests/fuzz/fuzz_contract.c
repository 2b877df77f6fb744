/* fuzz_contract — outside bytes through json_parse into the contract library: the whole
 * document verified (its sections replayed through the rules of a trade) and rendered,
 * every section's terms read, and an offer body read as terms (payment stages, creation
 * time and nonce included). Nothing may crash; terms that are accepted must write back to
 * the same canonical bytes, diff against themselves to nothing, and a document that
 * verifies must render, pass model_validate("Contract") and end with its money adding up.
 * An object {"replay": {"total", "currency", "stages", "acts": [[step, roles, amount,
 * stage, buyerAmount, sellerAmount], ...]}} drives the rules (order.h) directly, as a
 * section would, and checks that no history makes money out of nothing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/canon.h"
#include "kontor/codes.h"
#include "kontor/contract.h"
#include "kontor/crypto.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "kontor/money.h"
#include "kontor/order.h"

static void die(const char *what, const struct kerr *e)
{
	fprintf(stderr, "fuzz_contract: %s: %s\n", what, e ? e->msg : "");
	abort();
}

static void terms_round_trip(const cJSON *body)
{
	struct contract_terms t, t2;
	struct kerr e = {0, ""};
	if (contract_terms_from_json(body, &t, &e) != K_OK)
		return;
	cJSON *j = NULL, *j2 = NULL;
	struct kbuf a = KBUF_INIT, b = KBUF_INIT, d = KBUF_INIT;
	if (contract_terms_to_json(&t, &j, &e) != K_OK)
		die("accepted terms do not write back", &e);
	if (contract_terms_from_json(j, &t2, &e) != K_OK)
		die("written terms are refused", &e);
	if (contract_terms_to_json(&t2, &j2, &e) != K_OK)
		die("terms do not write back twice", &e);
	if (canon_write(j, &a, &e) != K_OK || canon_write(j2, &b, &e) != K_OK)
		die("terms are not canonicalisable", &e);
	if (a.len != b.len || memcmp(kbuf_str(&a), kbuf_str(&b), a.len) != 0)
		die("terms canonical bytes drift", NULL);
	contract_diff(&t, &t2, &d);
	if (d.len != 0)
		die("terms differ from their own round trip", NULL);
	cJSON *sec = NULL;
	if (contract_section_make("offer", j, &sec, &e) == K_OK)
		cJSON_Delete(sec);
	cJSON_Delete(j);
	cJSON_Delete(j2);
	kbuf_free(&a);
	kbuf_free(&b);
	kbuf_free(&d);
	contract_terms_free(&t);
	contract_terms_free(&t2);
}

#define REPLAY_ACTS_MAX 64

/* Where any sequence of acts leaves the order, the money must add up: escrow is what was
 * paid minus what left it, never below zero, never more than the total; the stages sum to
 * the total; what the rules offer a party is what the transition takes. */
static void check_progress(const struct order_terms *t, const struct order_progress *p)
{
	if (p->escrow != p->paid - p->released - p->refunded || p->escrow < 0 ||
	    p->paid > t->total || p->paid < 0 || p->stages_paid > t->nstages)
		die("the money does not add up", NULL);
	int64_t sum = 0;
	for (size_t i = 0; i < t->nstages; i++)
		sum += order_stage_amount(t, i);
	if (t->nstages && sum != t->total)
		die("the stages do not sum to the total", NULL);
}

static int64_t int_at(const cJSON *a, int i, int64_t dflt)
{
	const cJSON *v = cJSON_GetArrayItem(a, i);
	return json_is_int(v) ? (int64_t)v->valuedouble : dflt;
}

static void replay(const cJSON *r)
{
	struct order_terms t;
	struct kerr e = {0, ""};
	memset(&t, 0, sizeof t);
	const cJSON *cur = cJSON_GetObjectItemCaseSensitive(r, "currency");
	const cJSON *tot = cJSON_GetObjectItemCaseSensitive(r, "total");
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(r, "stages");
	snprintf(t.currency, sizeof t.currency, "%s",
	         cJSON_IsString(cur) ? cur->valuestring : "USD");
	t.total = json_is_int(tot) ? (int64_t)tot->valuedouble : 0;
	if (t.total < 0 || t.total > MONEY_MAX)
		return;
	if (!cJSON_IsString(spec) ||
	    order_stages_parse(spec->valuestring, t.stages, &t.nstages, &e) != K_OK ||
	    order_stages_check(t.stages, t.nstages, &e) != K_OK)
		return;
	struct order_progress p;
	order_progress_start(&p);
	const cJSON *acts = cJSON_GetObjectItemCaseSensitive(r, "acts"), *a;
	int n = 0;
	cJSON_ArrayForEach(a, acts)
	{
		if (n++ >= REPLAY_ACTS_MAX || !cJSON_IsArray(a))
			break;
		struct order_act act = {(int)int_at(a, 0, -1), (unsigned)int_at(a, 1, 0) & 7u,
		                        int_at(a, 2, -1),      int_at(a, 3, 0),
		                        int_at(a, 4, -1),      int_at(a, 5, -1)};
		unsigned offered = order_steps_for(&t, &p, act.roles);
		struct order_progress before = p;
		struct order_effect fx;
		int rc = order_next(&t, &p, &act, &fx, &e);
		if (rc != K_OK && memcmp(&before, &p, sizeof p) != 0)
			die("a refused step changed the order", &e);
		if (rc != K_OK && !e.msg[0])
			die("a refusal without a sentence", NULL);
		if (rc == K_OK && act.step >= 0 && act.step < ORDER_NSTEPS &&
		    (act.roles == ORDER_BUYER || act.roles == ORDER_SELLER ||
		     act.roles == ORDER_ESCROW) &&
		    !(offered & (1u << act.step)))
			die("a step the rules do not offer was taken", NULL);
		check_progress(&t, &p);
	}
}

static void run(const cJSON *j)
{
	struct kerr e = {0, ""};
	struct contract_status st;
	struct kbuf out = KBUF_INIT;
	int ok = contract_verify(j, &st, &e) == K_OK;
	if (ok) {
		if (model_validate("Contract", j, &e) != K_OK)
			die("a verified contract fails model_validate", &e);
		if (st.binding >= 0 && strlen(st.order_id) != KCRYPTO_HASH_B64_LEN)
			die("binding without an order id", NULL);
		check_progress(&st.terms, &st.progress);
	}
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "replay");
	if (cJSON_IsObject(r))
		replay(r);
	int rrc = contract_render(j, &out, &e);
	if (ok && rrc != K_OK)
		die("a verified contract does not render", &e);
	kbuf_free(&out);
	(void)contract_latest_offer(j);
	char tip[KCRYPTO_HASH_B64_LEN + 1];
	(void)contract_tip(j, tip, &e);

	const cJSON *secs = cJSON_GetObjectItemCaseSensitive(j, "sections"), *s;
	int n = 0;
	cJSON_ArrayForEach(s, secs)
	{
		if (n++ >= CONTRACT_MAX_SECTIONS)
			break;
		struct contract_terms t;
		if (contract_section_terms(s, &t, &e) == K_OK)
			contract_terms_free(&t);
	}
	terms_round_trip(j);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct kerr e = {0, ""};
	if (kcrypto_init(&e) != K_OK || codes_load(&e) != K_OK)
		die("init", &e);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kerr e = {0, ""};
	cJSON *j = NULL;
	if (size > 4 * CONTRACT_BODY_MAX)
		return 0;
	if (json_parse((const char *)data, size, "fuzz input", &j, &e) == K_OK) {
		run(j);
		cJSON_Delete(j);
	}
	return 0;
}
