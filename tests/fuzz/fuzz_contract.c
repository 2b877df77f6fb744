/* fuzz_contract — outside bytes through json_parse into the contract library: the whole
 * document verified and rendered, every section's terms read, and an offer body read as
 * terms. Nothing may crash; terms that are accepted must write back to the same canonical
 * bytes, diff against themselves to nothing, and a document that verifies must render and
 * pass model_validate("Contract"). */
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
	}
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
