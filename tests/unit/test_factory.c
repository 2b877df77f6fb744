/* test_factory — the factory profile in the Account (model.c): signed by the account and
 * verified against it, a change after signing found, malformed fields named, and an account
 * without one (every account before it) read as before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/crypto.h"
#include "kontor/model.h"

static struct kkeypair kp, other;
static char id[KCRYPTO_ID_LEN + 1], other_id[KCRYPTO_ID_LEN + 1];

static int group_setup(void **state)
{
	struct kerr e = {0};
	if (kcrypto_init(&e) != K_OK)
		return -1;
	kcrypto_keypair_new(&kp);
	kcrypto_keypair_new(&other);
	kcrypto_account_id(kp.pk, id);
	kcrypto_account_id(other.pk, other_id);
	return 0;
}

static cJSON *factory(void)
{
	return cJSON_Parse("{\"capacity\":\"50,000 pieces a month\",\"staff\":120,\"founded\":2009,"
	                   "\"certifications\":[{\"name\":\"ISO 9001:2015\",\"issuer\":\"TÜV SÜD\","
	                   "\"number\":\"12 100 4567\",\"expires\":\"2027-05-31\"}],"
	                   "\"videoUrl\":\"https://video.example.com/tour\","
	                   "\"photos\":[\"5FyReJuky6wAiK3sQMq-curoyvnUWcFi57RrwH_iixI\"]}");
}

static void test_signed_profile_verifies_and_travels_in_the_account(void **state)
{
	struct kerr e = {0};
	cJSON *f = factory();
	assert_int_equal(account_factory_sign(f, &kp, &e), K_OK);
	assert_int_equal(account_factory_verify(f, id, &e), K_OK);
	/* in an Account, through JSON and back */
	char acc[512];
	snprintf(acc, sizeof acc, "{\"id\":\"%s\",\"displayName\":\"Acme\",\"country\":\"CN\"}",
	         id);
	cJSON *j = cJSON_Parse(acc);
	cJSON_AddItemToObject(j, "factory", f);
	struct account a;
	assert_int_equal(account_from_json(j, &a, &e), K_OK);
	assert_non_null(a.factory);
	cJSON *back = account_to_json(&a);
	assert_int_equal(
	    account_factory_verify(cJSON_GetObjectItemCaseSensitive(back, "factory"), id, &e),
	    K_OK);
	cJSON_Delete(back);
	account_free(&a);
	cJSON_Delete(j);
}

static void test_a_change_after_signing_or_another_key_fails(void **state)
{
	struct kerr e = {0};
	cJSON *f = factory();
	assert_int_equal(account_factory_sign(f, &kp, &e), K_OK);
	cJSON_ReplaceItemInObjectCaseSensitive(f, "staff", cJSON_CreateNumber(5000));
	assert_int_equal(account_factory_verify(f, id, &e), K_EVERIFY);
	assert_non_null(strstr(e.msg, "does not verify"));
	cJSON_Delete(f);
	f = factory();
	assert_int_equal(account_factory_sign(f, &other, &e), K_OK);
	assert_int_equal(account_factory_verify(f, id, &e), K_EVERIFY); /* someone else's */
	assert_int_equal(account_factory_verify(f, other_id, &e), K_OK);
	cJSON_Delete(f);
}

static void test_malformed_fields_are_named(void **state)
{
	struct kerr e = {0};
	cJSON *f = factory();
	cJSON_ReplaceItemInObjectCaseSensitive(f, "videoUrl",
	                                       cJSON_CreateString("http://video.example.com"));
	assert_int_equal(account_factory_sign(f, &kp, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "factory.videoUrl"));
	cJSON_Delete(f);
	f = factory();
	cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f, "certifications"), 0);
	cJSON_ReplaceItemInObjectCaseSensitive(c, "expires", cJSON_CreateString("31.05.2027"));
	assert_int_equal(account_factory_sign(f, &kp, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "certifications[0].expires"));
	cJSON_Delete(f);
	f = factory();
	cJSON_ReplaceItemInObjectCaseSensitive(f, "founded", cJSON_CreateNumber(1066));
	assert_int_equal(account_factory_sign(f, &kp, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "founded"));
	cJSON_Delete(f);
	f = factory();
	cJSON_AddStringToObject(f, "extra", "x");
	assert_int_equal(account_factory_sign(f, &kp, &e), K_EINVAL);
	cJSON_Delete(f);
}

static void test_an_account_without_one_is_as_before(void **state)
{
	struct kerr e = {0};
	char acc[256];
	snprintf(
	    acc, sizeof acc,
	    "{\"id\":\"%s\",\"displayName\":\"Old Firm\",\"country\":\"DE\",\"role\":\"buyer\"}",
	    id);
	cJSON *j = cJSON_Parse(acc);
	struct account a;
	assert_int_equal(account_from_json(j, &a, &e), K_OK);
	assert_null(a.factory);
	cJSON *back = account_to_json(&a);
	assert_null(cJSON_GetObjectItemCaseSensitive(back, "factory"));
	assert_int_equal(model_validate("Account", back, &e), K_OK);
	cJSON_Delete(back);
	account_free(&a);
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signed_profile_verifies_and_travels_in_the_account),
	    cmocka_unit_test(test_a_change_after_signing_or_another_key_fails),
	    cmocka_unit_test(test_malformed_fields_are_named),
	    cmocka_unit_test(test_an_account_without_one_is_as_before),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
