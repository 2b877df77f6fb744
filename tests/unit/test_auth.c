/* test_auth — the node's door: Beckn signatures checked against the body and the clock,
 * replays refused, a distinct reason for each refusal, and rates that kick in and recover. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/node/node.h"

#define NOW 1700000000

static struct node_limits limits;
static struct kkeypair alice, mallory;
static char alice_id[KCRYPTO_ID_LEN + 1];

static const char body[] = "{\"using\":[\"urn:kontor:trade\"],\"methodCalls\":[]}";

static int group_setup(void **state)
{
	struct kerr e = {0};
	if (kcrypto_init(&e) != K_OK)
		return -1;
	limits.rate_account_per_min = 600;
	limits.rate_addr_per_min = 3000;
	kcrypto_keypair_new(&alice);
	kcrypto_keypair_new(&mallory);
	kcrypto_account_id(alice.pk, alice_id);
	return 0;
}

/* The Authorization header alice (or whoever holds sk) would send for b at created. */
static void sign(struct kbuf *h, const char *who, const uint8_t *sk, int64_t created,
                 int64_t expires, const char *b)
{
	char key_id[128];
	snprintf(key_id, sizeof key_id, "%s|k1|ed25519", who);
	kbuf_reset(h);
	kcrypto_beckn_authorization(key_id, created, expires, b, strlen(b), sk, h);
}

/* Runs auth_check on a fresh auth and returns its status, leaving the reason in e. */
static int check_once(const char *header, const char *b, int64_t now, struct kerr *e)
{
	struct auth *a = auth_new(&limits);
	char id[KCRYPTO_ID_LEN + 1] = "";
	int rc = auth_check(a, header, b, strlen(b), now, id, e);
	auth_free(&a);
	assert_null(a);
	return rc;
}

static void test_good_signature_is_accepted_and_names_the_account(void **state)
{
	struct kbuf h = KBUF_INIT;
	sign(&h, alice_id, alice.sk, NOW, NOW + 60, body);
	struct auth *a = auth_new(&limits);
	char id[KCRYPTO_ID_LEN + 1] = "";
	struct kerr e = {0};
	int rc = auth_check(a, kbuf_str(&h), body, strlen(body), NOW + 5, id, &e);
	if (rc != K_OK)
		fail_msg("%s", e.msg);
	assert_string_equal(id, alice_id);
	auth_free(&a);
	kbuf_free(&h);
}

static void test_second_use_of_a_signature_is_a_replay(void **state)
{
	struct kbuf h = KBUF_INIT;
	sign(&h, alice_id, alice.sk, NOW, NOW + 60, body);
	struct auth *a = auth_new(&limits);
	char id[KCRYPTO_ID_LEN + 1];
	struct kerr e = {0};
	assert_int_equal(auth_check(a, kbuf_str(&h), body, strlen(body), NOW, id, &e), K_OK);
	assert_int_equal(auth_check(a, kbuf_str(&h), body, strlen(body), NOW + 1, id, &e),
	                 K_EVERIFY);
	assert_non_null(strstr(e.msg, "replayed signature"));
	/* A fresh signature over the same body is a new request, not a replay. */
	sign(&h, alice_id, alice.sk, NOW + 1, NOW + 61, body);
	assert_int_equal(auth_check(a, kbuf_str(&h), body, strlen(body), NOW + 1, id, &e), K_OK);
	auth_free(&a);
	kbuf_free(&h);
}

static void test_replay_cache_survives_sweeps_until_the_signature_expires(void **state)
{
	struct auth *a = auth_new(&limits);
	struct kbuf h = KBUF_INIT;
	char id[KCRYPTO_ID_LEN + 1];
	struct kerr e = {0};
	/* Enough signatures to make the table grow past its first size several times. */
	enum { N = 3000 };
	char b[64];
	for (int i = 0; i < N; i++) {
		snprintf(b, sizeof b, "{\"n\":%d}", i);
		sign(&h, alice_id, alice.sk, NOW, NOW + 300, b);
		assert_int_equal(auth_check(a, kbuf_str(&h), b, strlen(b), NOW, id, &e), K_OK);
	}
	/* The first one, after growth and a sweep (over 60 s later), is still refused. */
	snprintf(b, sizeof b, "{\"n\":%d}", 0);
	sign(&h, alice_id, alice.sk, NOW, NOW + 300, b);
	assert_int_equal(auth_check(a, kbuf_str(&h), b, strlen(b), NOW + 200, id, &e), K_EVERIFY);
	assert_non_null(strstr(e.msg, "replayed"));
	/* Once expired it is refused for being expired, never accepted again. */
	assert_int_equal(auth_check(a, kbuf_str(&h), b, strlen(b), NOW + 301, id, &e), K_EVERIFY);
	assert_non_null(strstr(e.msg, "expired"));
	auth_free(&a);
	kbuf_free(&h);
}

static void test_each_refusal_has_its_own_reason(void **state)
{
	struct kbuf h = KBUF_INIT;
	struct kerr e = {0};
	char msgs[6][KERR_MSG_MAX];

	sign(&h, alice_id, alice.sk, NOW - 120, NOW - 60, body); /* expired */
	assert_int_equal(check_once(kbuf_str(&h), body, NOW, &e), K_EVERIFY);
	assert_non_null(strstr(e.msg, "expired"));
	memcpy(msgs[0], e.msg, sizeof e.msg);

	sign(&h, alice_id, alice.sk, NOW + 120, NOW + 180, body); /* from the future */
	assert_int_equal(check_once(kbuf_str(&h), body, NOW, &e), K_EVERIFY);
	assert_non_null(strstr(e.msg, "future"));
	memcpy(msgs[1], e.msg, sizeof e.msg);

	sign(&h, alice_id, alice.sk, NOW, NOW + 3600, body); /* TTL over 300 s */
	assert_int_equal(check_once(kbuf_str(&h), body, NOW, &e), K_EVERIFY);
	assert_non_null(strstr(e.msg, "lifetime"));
	memcpy(msgs[2], e.msg, sizeof e.msg);

	sign(&h, alice_id, alice.sk, NOW, NOW + 60, body); /* body altered on the way */
	assert_int_equal(check_once(kbuf_str(&h), "{\"using\":[]}", NOW, &e), K_EVERIFY);
	assert_non_null(strstr(e.msg, "digest"));
	memcpy(msgs[3], e.msg, sizeof e.msg);

	/* Signed by mallory but claiming to be alice: the signature is checked against the
	 * claimed key, so it fails the same check as an altered body (the header carries no
	 * digest of its own to tell the two apart). */
	sign(&h, alice_id, mallory.sk, NOW, NOW + 60, body);
	assert_int_equal(check_once(kbuf_str(&h), body, NOW, &e), K_EVERIFY);
	assert_non_null(strstr(e.msg, "forged"));

	sign(&h, "example-bap.com", alice.sk, NOW, NOW + 60, body); /* not an account id */
	assert_int_equal(check_once(kbuf_str(&h), body, NOW, &e), K_EVERIFY);
	assert_non_null(strstr(e.msg, "unknown key"));
	memcpy(msgs[4], e.msg, sizeof e.msg);

	assert_int_equal(check_once("Basic YWxpY2U6c2VjcmV0", body, NOW, &e), K_EVERIFY);
	assert_non_null(strstr(e.msg, "malformed"));
	memcpy(msgs[5], e.msg, sizeof e.msg);

	for (int i = 0; i < 6; i++)
		for (int j = i + 1; j < 6; j++)
			assert_string_not_equal(msgs[i], msgs[j]);
	kbuf_free(&h);
}

static void test_garbage_headers_are_refused_with_a_reason(void **state)
{
	static const char *bad[] = {
	    "",
	    "Signature",
	    "Signature keyId=",
	    "Signature keyId=\"a|b|ed25519\",algorithm=\"ed25519\"",
	    "Signature keyId=\"\",algorithm=\"\",created=\"\",expires=\"\",headers=\"\","
	    "signature=\"\"",
	    "Signature keyId=\"x|k|ed25519\",algorithm=\"ed25519\",created=\"1\",expires=\"2\","
	    "headers=\"(created) (expires) digest\",signature=\"!!!!\"",
	    "\xff\xfe\x00",
	};
	struct kerr e = {0};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&e, 0, sizeof e);
		assert_int_equal(check_once(bad[i], body, NOW, &e), K_EVERIFY);
		assert_true(e.msg[0] != '\0');
	}
	struct auth *a = auth_new(&limits);
	char id[KCRYPTO_ID_LEN + 1];
	assert_int_equal(auth_check(a, NULL, body, strlen(body), NOW, id, &e), K_EVERIFY);
	/* A valid header far over the parser's 2 KiB bound. */
	char *big = malloc(100000);
	memset(big, 'a', 99999);
	big[99999] = '\0';
	assert_int_equal(auth_check(a, big, body, strlen(body), NOW, id, &e), K_EVERIFY);
	free(big);
	auth_free(&a);
}

static void test_account_rate_kicks_in_and_recovers_with_time(void **state)
{
	struct auth *a = auth_new(&limits);
	/* 60 a minute is one a second with a burst of 60. */
	for (int i = 0; i < 60; i++)
		assert_int_equal(auth_rate(a, alice_id, 60, NOW), 0);
	int wait = auth_rate(a, alice_id, 60, NOW);
	assert_int_equal(wait, 1);
	/* Others are not held back by alice. */
	assert_int_equal(auth_rate(a, "192.0.2.7", 60, NOW), 0);
	/* One second later one more request is allowed, then the bucket is dry again. */
	assert_int_equal(auth_rate(a, alice_id, 60, NOW + 1), 0);
	assert_true(auth_rate(a, alice_id, 60, NOW + 1) > 0);
	/* A minute's rest refills it completely. */
	for (int i = 0; i < 60; i++)
		assert_int_equal(auth_rate(a, alice_id, 60, NOW + 61), 0);
	assert_true(auth_rate(a, alice_id, 60, NOW + 61) > 0);
	auth_free(&a);
}

static void test_slow_rates_ask_for_a_longer_wait(void **state)
{
	struct auth *a = auth_new(&limits);
	assert_int_equal(auth_rate(a, "k", 2, NOW), 0);
	assert_int_equal(auth_rate(a, "k", 2, NOW), 0);
	/* Two a minute: the next one is 30 s away. */
	assert_int_equal(auth_rate(a, "k", 2, NOW), 30);
	assert_int_equal(auth_rate(a, "k", 2, NOW + 10), 20);
	assert_int_equal(auth_rate(a, "k", 2, NOW + 30), 0);
	/* No allowance set means no limit. */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(auth_rate(a, "free", 0, NOW), 0);
	auth_free(&a);
}

static void test_many_rate_keys_each_get_a_bucket_that_refills(void **state)
{
	struct auth *a = auth_new(&limits);
	char key[32];
	for (int i = 0; i < 50000; i++) {
		snprintf(key, sizeof key, "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		assert_int_equal(auth_rate(a, key, 1, NOW), 0);
		assert_true(auth_rate(a, key, 1, NOW) > 0);
	}
	/* Two minutes on, every one of them has its allowance back. */
	for (int i = 0; i < 50000; i += 997) {
		snprintf(key, sizeof key, "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		assert_int_equal(auth_rate(a, key, 1, NOW + 120), 0);
	}
	auth_free(&a);
}

static void test_signature_created_before_the_floor_is_refused_as_pre_restart(void **state)
{
	struct kbuf h = KBUF_INIT;
	struct kerr e = {0};
	char id[KCRYPTO_ID_LEN + 1] = "";
	struct auth *a = auth_new(&limits);
	auth_set_floor(a, NOW + 10);
	sign(&h, alice_id, alice.sk, NOW, NOW + 60, body);
	assert_int_equal(auth_check(a, h.data, body, strlen(body), NOW + 11, id, &e), K_EVERIFY);
	assert_non_null(strstr(e.msg, "before this node started"));
	sign(&h, alice_id, alice.sk, NOW + 10, NOW + 60, body);
	assert_int_equal(auth_check(a, h.data, body, strlen(body), NOW + 11, id, &e), K_OK);
	auth_free(&a);
	kbuf_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signature_created_before_the_floor_is_refused_as_pre_restart),
	    cmocka_unit_test(test_good_signature_is_accepted_and_names_the_account),
	    cmocka_unit_test(test_second_use_of_a_signature_is_a_replay),
	    cmocka_unit_test(test_replay_cache_survives_sweeps_until_the_signature_expires),
	    cmocka_unit_test(test_each_refusal_has_its_own_reason),
	    cmocka_unit_test(test_garbage_headers_are_refused_with_a_reason),
	    cmocka_unit_test(test_account_rate_kicks_in_and_recovers_with_time),
	    cmocka_unit_test(test_slow_rates_ask_for_a_longer_wait),
	    cmocka_unit_test(test_many_rate_keys_each_get_a_bucket_that_refills),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
