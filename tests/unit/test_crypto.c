/* test_crypto — kcrypto against published vectors (Wycheproof Ed25519, BLAKE2b KAT, the Beckn
 * signing example) and the rules kontor adds: key file checks, domain separation, time window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kontor/crypto.h"

#define DATA "tests/data/vectors/"

static char tmpdir[64];

static const char *tmp_path(const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", tmpdir, name);
	return out;
}

static void read_all(const char *path, struct kbuf *out)
{
	struct kerr e = {0};
	int rc = kbuf_read_file(path, 8u << 20, out, &e);
	if (rc != K_OK)
		fail_msg("%s", e.msg);
}

static void write_bytes(const char *path, const void *p, size_t n, int mode)
{
	struct kerr e = {0};
	assert_int_equal(kbuf_write_file_atomic(path, p, n, mode, &e), K_OK);
}

static size_t hex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;
	if (sodium_hex2bin(out, cap, h, strlen(h), NULL, &n, NULL) != 0)
		fail_msg("bad hex in test data: %.40s", h);
	return n;
}

static void assert_msg_has(const struct kerr *e, const char *needle)
{
	if (!strstr(e->msg, needle))
		fail_msg("message \"%s\" does not contain \"%s\"", e->msg, needle);
}

/* --- the Beckn example, read from tests/data/vectors ---------------------------- */

struct beckn_vec {
	struct kbuf file;
	const char *body, *public_key, *private_key, *digest, *signature, *authorization,
	    *fox_digest;
	int64_t created, expires;
	struct kkeypair kp;
};

static const char *vec_field(char *line, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(line, name, n) == 0 && line[n] == ':' && line[n + 1] == ' ')
		return line + n + 2;
	return NULL;
}

static void beckn_vec_load(struct beckn_vec *v)
{
	memset(v, 0, sizeof *v);
	read_all(DATA "beckn-vector.txt", &v->file);
	char *save = NULL, *line;
	int body_next = 0;
	for (line = strtok_r(v->file.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *x;
		if (body_next) {
			v->body = line;
			body_next = 0;
		} else if (strcmp(line, "body:") == 0) {
			body_next = 1;
		} else if ((x = vec_field(line, "public_key"))) {
			v->public_key = x;
		} else if ((x = vec_field(line, "private_key"))) {
			v->private_key = x;
		} else if ((x = vec_field(line, "created"))) {
			v->created = strtoll(x, NULL, 10);
		} else if ((x = vec_field(line, "expires"))) {
			v->expires = strtoll(x, NULL, 10);
		} else if ((x = vec_field(line, "digest"))) {
			v->digest = x;
		} else if ((x = vec_field(line, "signature"))) {
			v->signature = x;
		} else if ((x = vec_field(line, "authorization"))) {
			v->authorization = x;
		} else if ((x = vec_field(line, "fox_digest"))) {
			v->fox_digest = x;
		}
	}
	assert_non_null(v->body);
	assert_non_null(v->private_key);
	assert_non_null(v->authorization);
	assert_non_null(v->fox_digest);
	assert_true(v->created > 0 && v->expires > v->created);
	size_t n;
	assert_int_equal(kcrypto_b64_decode(v->private_key, strlen(v->private_key), KB64_STD,
	                                    v->kp.sk, sizeof v->kp.sk, &n),
	                 K_OK);
	assert_int_equal(n, KCRYPTO_SK_BYTES);
	assert_int_equal(kcrypto_b64_decode(v->public_key, strlen(v->public_key), KB64_STD,
	                                    v->kp.pk, sizeof v->kp.pk, &n),
	                 K_OK);
	assert_int_equal(n, KCRYPTO_PK_BYTES);
}

static void beckn_vec_free(struct beckn_vec *v)
{
	kbuf_free(&v->file);
}

#define VEC_KEY_ID "example-bap.com|ae3ea24b-cfec-495e-81f8-044aaef164ac|ed25519"

/* --- init, account ids, base64 ---------------------------------------------------- */

static void test_init_is_idempotent(void **state)
{
	struct kerr e = {0};
	assert_int_equal(kcrypto_init(&e), K_OK);
	assert_int_equal(kcrypto_init(&e), K_OK);
}

static void test_account_id_is_unpadded_base64url_of_pk_and_parses_back(void **state)
{
	struct beckn_vec v;
	beckn_vec_load(&v);
	char id[KCRYPTO_ID_LEN + 1];
	kcrypto_account_id(v.kp.pk, id);
	/* The standard base64 of this key has '/' and '+', so this also proves the URL alphabet. */
	assert_string_equal(id, "awGPjRK6i_Vg_lWr-0xObclVxlwZXvTjWYtlu6NeOHk");
	uint8_t pk[KCRYPTO_PK_BYTES];
	struct kerr e = {0};
	assert_int_equal(kcrypto_account_pk(id, pk, &e), K_OK);
	assert_memory_equal(pk, v.kp.pk, sizeof pk);

	struct kkeypair kp;
	kcrypto_keypair_new(&kp);
	kcrypto_account_id(kp.pk, id);
	assert_int_equal(strlen(id), KCRYPTO_ID_LEN);
	assert_int_equal(kcrypto_account_pk(id, pk, &e), K_OK);
	assert_memory_equal(pk, kp.pk, sizeof pk);
	kcrypto_keypair_wipe(&kp);
	assert_true(sodium_is_zero(kp.sk, sizeof kp.sk));
	beckn_vec_free(&v);
}

static void test_account_pk_refuses_malformed_ids_naming_them(void **state)
{
	static const char *const bad[] = {
	    "",
	    "awGPjRK6i_Vg_lWr-0xObclVxlwZXvTjWYtlu6NeOH",     /* 42 chars */
	    "awGPjRK6i_Vg_lWr-0xObclVxlwZXvTjWYtlu6NeOHk=",   /* padded */
	    "awGPjRK6i_Vg_lWr-0xObclVxlwZXvTjWYtlu6NeOHkA",   /* 44 chars */
	    "awGPjRK6i/Vg/lWr+0xObclVxlwZXvTjWYtlu6NeOHk",    /* standard alphabet */
	    "awGPjRK6i_Vg_lWr-0xObclVxlwZXvTjWYtlu6NeOHl",    /* non-zero trailing bits */
	    "awGPjRK6i_Vg_lWr-0xObclVxlwZXvTjWYtlu6Ne Hk",    /* space */
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",    /* small-order point */
	    "7f_______________________________________38",    /* y = p: not canonical */
	    "7v_______________________________________38",    /* y = p + 1: not canonical */
	    "AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",    /* y = 2: not on the curve */
	    "awGPjRK6i\xffVg_lWr-0xObclVxlwZXvTjWYtlu6NeOHk", /* non-ASCII for '_' */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t pk[KCRYPTO_PK_BYTES];
		struct kerr e = {0};
		if (kcrypto_account_pk(bad[i], pk, &e) != K_EINVAL)
			fail_msg("accepted bad id \"%s\"", bad[i]);
		assert_int_equal(e.code, K_EINVAL);
		assert_msg_has(&e, "account id \"");
	}
	uint8_t pk[KCRYPTO_PK_BYTES];
	struct kerr e = {0};
	kcrypto_account_pk("bad\x1b[2Jid", pk, &e);
	assert_null(strchr(e.msg, '\x1b'));
}

static void test_b64_decoding_is_strict_and_round_trips(void **state)
{
	struct {
		const char *s;
		enum kb64 v;
		const char *want; /* NULL: must be refused */
	} cases[] = {
	    {"", KB64_STD, ""},
	    {"Zm9v", KB64_STD, "foo"},
	    {"Zm9vYg==", KB64_STD, "foob"},
	    {"Zm9vYmE=", KB64_STD, "fooba"},
	    {"Zm9vYg", KB64_STD, NULL},    /* padding required */
	    {"Zm9vYg=", KB64_STD, NULL},   /* short padding */
	    {"Zm9vYg===", KB64_STD, NULL}, /* extra padding */
	    {"Zm9vYh==", KB64_STD, NULL},  /* non-zero trailing bits */
	    {"Zm9v\n", KB64_STD, NULL},    /* no ignored characters */
	    {" Zm9v", KB64_STD, NULL},
	    {"Zm 9v", KB64_STD, NULL},
	    {"Zm9vY", KB64_STD, NULL}, /* impossible length */
	    {"-_8=", KB64_STD, NULL},  /* URL alphabet in standard */
	    {"+/8=", KB64_STD, "\xfb\xff"},
	    {"-_8", KB64_URL_NOPAD, "\xfb\xff"},
	    {"+/8", KB64_URL_NOPAD, NULL}, /* standard alphabet in URL */
	    {"Zm9vYg", KB64_URL_NOPAD, "foob"},
	    {"Zm9vYg==", KB64_URL_NOPAD, NULL}, /* padding in unpadded */
	    {"Zm9vYh", KB64_URL_NOPAD, NULL},
	    /* libsodium 1.0.18 alone takes any byte >= 0x80 for '/' or '_' (found by fuzzing). */
	    {"Zm9\xff", KB64_STD, NULL},
	    {"+/\x80"
	     "A",
	     KB64_STD, NULL},
	    {"-_\xfd"
	     "A",
	     KB64_URL_NOPAD, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t bin[16];
		size_t n = 99;
		int rc = kcrypto_b64_decode(cases[i].s, strlen(cases[i].s), cases[i].v, bin,
		                            sizeof bin, &n);
		if (!cases[i].want) {
			if (rc != K_EINVAL)
				fail_msg("accepted \"%s\"", cases[i].s);
			assert_int_equal(n, 0);
			continue;
		}
		if (rc != K_OK)
			fail_msg("refused \"%s\"", cases[i].s);
		assert_int_equal(n, strlen(cases[i].want));
		assert_memory_equal(bin, cases[i].want, n);
		struct kbuf b = KBUF_INIT;
		kbuf_puts(&b, "x");
		kcrypto_b64_encode(bin, n, cases[i].v, &b);
		assert_string_equal(kbuf_str(&b) + 1, cases[i].s);
		assert_int_equal(b.len, 1 + strlen(cases[i].s));
		kbuf_free(&b);
	}
	/* Too long for the buffer is refused, not truncated. */
	uint8_t small[3];
	size_t n;
	assert_int_equal(kcrypto_b64_decode("Zm9vYg==", 8, KB64_STD, small, sizeof small, &n),
	                 K_EINVAL);
	/* slen is honoured: the string need not end where the encoding does. */
	assert_int_equal(kcrypto_b64_decode("Zm9v!!!", 4, KB64_STD, small, sizeof small, &n), K_OK);
	assert_int_equal(n, 3);
}

/* --- hashing ------------------------------------------------------------------------ */

static void test_blake2b_matches_every_reference_kat_entry(void **state)
{
	struct kbuf f = KBUF_INIT;
	read_all(DATA "blake2b-kat.json", &f);
	cJSON *root = cJSON_Parse(f.data);
	assert_non_null(root);
	int count = 0, keyed = 0;
	const cJSON *t;
	cJSON_ArrayForEach(t, root)
	{
		const char *alg = cJSON_GetStringValue(cJSON_GetObjectItem(t, "hash"));
		if (!alg || strcmp(alg, "blake2b") != 0)
			continue;
		static uint8_t in[1024];
		uint8_t key[64], want[64], got[64];
		size_t inlen =
		    hex(cJSON_GetStringValue(cJSON_GetObjectItem(t, "in")), in, sizeof in);
		size_t keylen =
		    hex(cJSON_GetStringValue(cJSON_GetObjectItem(t, "key")), key, sizeof key);
		size_t outlen =
		    hex(cJSON_GetStringValue(cJSON_GetObjectItem(t, "out")), want, sizeof want);
		assert_int_equal(
		    kcrypto_blake2b(got, outlen, in, inlen, keylen ? key : NULL, keylen), K_OK);
		if (memcmp(got, want, outlen) != 0)
			fail_msg("KAT entry %d (in %zu bytes, key %zu bytes) differs", count, inlen,
			         keylen);
		count++;
		keyed += keylen > 0;
	}
	assert_int_equal(count, 512);
	assert_int_equal(keyed, 256);
	cJSON_Delete(root);
	kbuf_free(&f);
}

static void test_blake2b_refuses_lengths_libsodium_cannot_compute(void **state)
{
	uint8_t out[65], key[65] = {0};
	assert_int_equal(kcrypto_blake2b(out, 15, "x", 1, NULL, 0), K_EINVAL);
	assert_int_equal(kcrypto_blake2b(out, 65, "x", 1, NULL, 0), K_EINVAL);
	assert_int_equal(kcrypto_blake2b(out, 32, "x", 1, key, 8), K_EINVAL);
	assert_int_equal(kcrypto_blake2b(out, 32, "x", 1, key, 65), K_EINVAL);
	assert_int_equal(kcrypto_blake2b(out, 16, "x", 1, key, 16), K_OK);
	assert_int_equal(kcrypto_blake2b(out, 64, "", 0, NULL, 0), K_OK);
}

static void test_hash_b64url_is_base64url_of_blake2b_256(void **state)
{
	/* BLAKE2b-256("") from RFC 7693's reference implementation. */
	uint8_t want[32];
	hex("0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8", want, sizeof want);
	struct kbuf b = KBUF_INIT;
	kcrypto_b64_encode(want, sizeof want, KB64_URL_NOPAD, &b);
	char h[KCRYPTO_HASH_B64_LEN + 1];
	kcrypto_hash_b64url("", 0, h);
	assert_string_equal(h, kbuf_str(&b));
	assert_int_equal(strlen(h), KCRYPTO_HASH_B64_LEN);
	kcrypto_hash_b64url("abc", 3, h);
	assert_string_not_equal(h, kbuf_str(&b));
	kbuf_free(&b);
}

/* --- Ed25519 against Wycheproof ------------------------------------------------------- */

/* tcIds where libsodium 1.0.18 deliberately gives the other verdict than Wycheproof, each
 * with the reason. None today: libsodium rejects small-order keys and R, non-canonical S
 * and non-canonical encodings, exactly as this file expects. A case that starts to differ
 * (new vectors or a new libsodium) fails the test until it is understood and listed here. */
static const struct {
	int tc_id;
	int libsodium_accepts;
	const char *why;
} wycheproof_known_differences[] = {
    {0, 0, NULL}, /* placeholder so the array is never empty; tcIds start at 1 */
};

static const char *known_difference(int tc_id, int *accepts)
{
	for (size_t i = 0;
	     i < sizeof wycheproof_known_differences / sizeof wycheproof_known_differences[0]; i++)
		if (wycheproof_known_differences[i].tc_id == tc_id && tc_id > 0) {
			*accepts = wycheproof_known_differences[i].libsodium_accepts;
			return wycheproof_known_differences[i].why;
		}
	return NULL;
}

static void test_ed25519_verify_agrees_with_every_wycheproof_case(void **state)
{
	struct kbuf f = KBUF_INIT;
	read_all(DATA "wycheproof-ed25519.json", &f);
	cJSON *root = cJSON_Parse(f.data);
	assert_non_null(root);
	int total = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(root, "numberOfTests"));
	int count = 0, valid = 0, invalid = 0;
	const cJSON *g, *t;
	cJSON_ArrayForEach(g, cJSON_GetObjectItem(root, "testGroups"))
	{
		uint8_t pk[64];
		const cJSON *key = cJSON_GetObjectItem(g, "publicKey");
		assert_int_equal(
		    hex(cJSON_GetStringValue(cJSON_GetObjectItem(key, "pk")), pk, sizeof pk),
		    KCRYPTO_PK_BYTES);
		cJSON_ArrayForEach(t, cJSON_GetObjectItem(g, "tests"))
		{
			static uint8_t msg[4096];
			uint8_t sig[256];
			int tc = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(t, "tcId"));
			size_t ml = hex(cJSON_GetStringValue(cJSON_GetObjectItem(t, "msg")), msg,
			                sizeof msg);
			size_t sl = hex(cJSON_GetStringValue(cJSON_GetObjectItem(t, "sig")), sig,
			                sizeof sig);
			const char *result = cJSON_GetStringValue(cJSON_GetObjectItem(t, "result"));
			assert_non_null(result);
			/* "acceptable" would mean either verdict is fine; this file has none, so
			 * any that appears must be looked at (and listed above). */
			if (strcmp(result, "valid") != 0 && strcmp(result, "invalid") != 0)
				fail_msg("tcId %d: result \"%s\" needs a decision", tc, result);
			int want = strcmp(result, "valid") == 0;
			/* A signature of the wrong length cannot even be passed to verify. */
			int got = sl == KCRYPTO_SIG_BYTES &&
			          crypto_sign_verify_detached(sig, msg, ml, pk) == 0;
			int accepts;
			if (known_difference(tc, &accepts)) {
				assert_int_equal(want, !accepts);
				want = accepts;
			}
			if (got != want)
				fail_msg("tcId %d (%s): libsodium says %s, expected %s", tc,
				         cJSON_GetStringValue(cJSON_GetObjectItem(t, "comment")),
				         got ? "valid" : "invalid", want ? "valid" : "invalid");
			count++;
			valid += got;
			invalid += !got;
		}
	}
	assert_int_equal(count, total);
	assert_int_equal(count, 151);
	assert_int_equal(valid, 88);
	assert_int_equal(invalid, 63);
	cJSON_Delete(root);
	kbuf_free(&f);
}

/* --- object signatures ---------------------------------------------------------------- */

static void test_object_signature_is_ed25519_over_domain_kind_nul_canon(void **state)
{
	struct kkeypair kp;
	kcrypto_keypair_new(&kp);
	const char canon[] = "{\"id\":\"x\",\"price\":100}";
	uint8_t sig[KCRYPTO_SIG_BYTES], raw[KCRYPTO_SIG_BYTES];
	kcrypto_sign_object("listing", canon, strlen(canon), kp.sk, sig);
	struct kbuf m = KBUF_INIT;
	kbuf_append(&m, "kontor/v1/listing\0", 18);
	kbuf_puts(&m, canon);
	crypto_sign_detached(raw, NULL, (const uint8_t *)m.data, m.len, kp.sk);
	assert_memory_equal(sig, raw, sizeof sig); /* Ed25519 is deterministic */
	struct kerr e = {0};
	assert_int_equal(kcrypto_verify_object("listing", canon, strlen(canon), kp.pk, sig, &e),
	                 K_OK);
	kbuf_free(&m);
}

static void test_listing_signature_fails_as_contract_signature(void **state)
{
	struct kkeypair kp;
	kcrypto_keypair_new(&kp);
	const char canon[] = "{\"a\":1}";
	uint8_t sig[KCRYPTO_SIG_BYTES];
	kcrypto_sign_object("listing", canon, strlen(canon), kp.sk, sig);
	struct kerr e = {0};
	assert_int_equal(kcrypto_verify_object("contract", canon, strlen(canon), kp.pk, sig, &e),
	                 K_EVERIFY);
	assert_msg_has(&e, "contract signature does not verify");
	/* Moving bytes between kind and body does not help either: the NUL ends the kind. */
	assert_int_equal(kcrypto_verify_object("listin", "g\0{\"a\":1}", 9, kp.pk, sig, &e),
	                 K_EVERIFY);
}

static void test_object_signature_fails_on_altered_bytes_or_other_signer(void **state)
{
	struct kkeypair kp, other;
	kcrypto_keypair_new(&kp);
	kcrypto_keypair_new(&other);
	char canon[] = "{\"a\":1}";
	uint8_t sig[KCRYPTO_SIG_BYTES];
	kcrypto_sign_object("rating", canon, strlen(canon), kp.sk, sig);
	struct kerr e = {0};
	assert_int_equal(kcrypto_verify_object("rating", canon, strlen(canon), other.pk, sig, &e),
	                 K_EVERIFY);
	canon[5] = '2';
	assert_int_equal(kcrypto_verify_object("rating", canon, strlen(canon), kp.pk, sig, &e),
	                 K_EVERIFY);
	canon[5] = '1';
	sig[10] ^= 1;
	assert_int_equal(kcrypto_verify_object("rating", canon, strlen(canon), kp.pk, sig, &e),
	                 K_EVERIFY);
}

/* Two parties make the same pair id for a topic, each from their own secret key; a third
 * party, or another topic, makes another. */
static void test_pair_id_is_alike_for_the_two_parties_only(void **state)
{
	(void)state;
	struct kkeypair a, b, m;
	kcrypto_keypair_new(&a);
	kcrypto_keypair_new(&b);
	kcrypto_keypair_new(&m);
	const char t[] = "listing L1", u[] = "listing L2";
	uint8_t ab[16], ba[16], mb[16], ab2[16];
	kcrypto_pair_id(b.pk, a.sk, t, strlen(t), ab);
	kcrypto_pair_id(a.pk, b.sk, t, strlen(t), ba);
	kcrypto_pair_id(b.pk, m.sk, t, strlen(t), mb);
	kcrypto_pair_id(b.pk, a.sk, u, strlen(u), ab2);
	assert_memory_equal(ab, ba, sizeof ab);
	assert_memory_not_equal(ab, mb, sizeof ab);
	assert_memory_not_equal(ab, ab2, sizeof ab);
	kcrypto_keypair_wipe(&a);
	kcrypto_keypair_wipe(&b);
	kcrypto_keypair_wipe(&m);
}

static void test_object_signature_b64_round_trip_and_every_failure_is_everify(void **state)
{
	struct kkeypair kp, other;
	kcrypto_keypair_new(&kp);
	kcrypto_keypair_new(&other);
	char id[KCRYPTO_ID_LEN + 1], other_id[KCRYPTO_ID_LEN + 1];
	kcrypto_account_id(kp.pk, id);
	kcrypto_account_id(other.pk, other_id);
	const char canon[] = "{\"kind\":\"offer\"}";
	struct kbuf s = KBUF_INIT;
	kcrypto_sign_object_b64("contract", canon, strlen(canon), kp.sk, &s);
	assert_int_equal(s.len, 88); /* padded standard base64 of 64 bytes */
	assert_string_equal(s.data + 86, "==");
	struct kerr e = {0};
	assert_int_equal(
	    kcrypto_verify_object_b64("contract", canon, strlen(canon), id, s.data, &e), K_OK);
	assert_int_equal(kcrypto_verify_object_b64("listing", canon, strlen(canon), id, s.data, &e),
	                 K_EVERIFY);
	assert_int_equal(
	    kcrypto_verify_object_b64("contract", canon, strlen(canon), other_id, s.data, &e),
	    K_EVERIFY);
	assert_int_equal(
	    kcrypto_verify_object_b64("contract", canon, strlen(canon), "nope", s.data, &e),
	    K_EVERIFY);
	assert_msg_has(&e, "account id \"nope\"");
	assert_int_equal(
	    kcrypto_verify_object_b64("contract", canon, strlen(canon), id, "AAAA", &e), K_EVERIFY);
	assert_msg_has(&e, "not 64 bytes");
	s.data[86] = '\0'; /* unpadded is not accepted */
	assert_int_equal(
	    kcrypto_verify_object_b64("contract", canon, strlen(canon), id, s.data, &e), K_EVERIFY);
	kbuf_free(&s);
}

/* --- Beckn ------------------------------------------------------------------------------ */

static void test_beckn_spec_example_reproduced_byte_for_byte(void **state)
{
	struct beckn_vec v;
	beckn_vec_load(&v);
	size_t blen = strlen(v.body);

	struct kbuf d = KBUF_INIT, ss = KBUF_INIT, sig = KBUF_INIT, auth = KBUF_INIT,
	            fox = KBUF_INIT;
	kcrypto_beckn_digest(v.body, blen, &d);
	assert_string_equal(kbuf_str(&d), v.digest);

	kcrypto_beckn_signing_string(v.created, v.expires, kbuf_str(&d), &ss);
	struct kbuf want_ss = KBUF_INIT;
	kbuf_printf(&want_ss, "(created): 1641287875\n(expires): 1641291475\ndigest: BLAKE-512=%s",
	            v.digest);
	assert_string_equal(kbuf_str(&ss), kbuf_str(&want_ss));

	uint8_t raw[KCRYPTO_SIG_BYTES];
	crypto_sign_detached(raw, NULL, (const uint8_t *)ss.data, ss.len, v.kp.sk);
	kcrypto_b64_encode(raw, sizeof raw, KB64_STD, &sig);
	assert_string_equal(kbuf_str(&sig), v.signature);

	kcrypto_beckn_authorization(VEC_KEY_ID, v.created, v.expires, v.body, blen, v.kp.sk, &auth);
	assert_string_equal(kbuf_str(&auth), v.authorization);

	const char fox_text[] = "The quick brown fox jumps over the lazy dog";
	kcrypto_beckn_digest(fox_text, strlen(fox_text), &fox);
	assert_string_equal(kbuf_str(&fox), v.fox_digest);

	kbuf_free(&d);
	kbuf_free(&ss);
	kbuf_free(&want_ss);
	kbuf_free(&sig);
	kbuf_free(&auth);
	kbuf_free(&fox);
	beckn_vec_free(&v);
}

static void test_beckn_spec_example_parses_and_verifies_with_its_3600s_ttl(void **state)
{
	struct beckn_vec v;
	beckn_vec_load(&v);
	struct kbeckn_sig s;
	struct kerr e = {0};
	assert_int_equal(kcrypto_beckn_parse(v.authorization, strlen(v.authorization), &s, &e),
	                 K_OK);
	assert_string_equal(s.subscriber_id, "example-bap.com");
	assert_string_equal(s.unique_key_id, "ae3ea24b-cfec-495e-81f8-044aaef164ac");
	assert_string_equal(s.algorithm, "ed25519");
	assert_string_equal(s.headers, "(created) (expires) digest");
	assert_int_equal(s.created, v.created);
	assert_int_equal(s.expires, v.expires);
	int rc = kcrypto_beckn_verify(&s, v.body, strlen(v.body), v.kp.pk, v.created, 3600, &e);
	if (rc != K_OK)
		fail_msg("%s", e.msg);
	beckn_vec_free(&v);
}

/* A fresh signed request for the rejection tests. */
static void beckn_fresh(struct kkeypair *kp, int64_t created, int64_t expires, const char *body,
                        struct kbeckn_sig *s)
{
	struct kbuf h = KBUF_INIT;
	struct kerr e = {0};
	kcrypto_beckn_authorization("node.example|k1|ed25519", created, expires, body, strlen(body),
	                            kp->sk, &h);
	assert_int_equal(kcrypto_beckn_parse(h.data, h.len, s, &e), K_OK);
	kbuf_free(&h);
}

static void test_beckn_verify_accepts_the_edges_of_the_window(void **state)
{
	struct kkeypair kp;
	kcrypto_keypair_new(&kp);
	struct kbeckn_sig s;
	struct kerr e = {0};
	const int64_t now = 1700000000;
	beckn_fresh(&kp, now + KBECKN_MAX_SKEW, now + KBECKN_MAX_SKEW + KBECKN_MAX_TTL, "{}", &s);
	assert_int_equal(kcrypto_beckn_verify(&s, "{}", 2, kp.pk, now, 0, &e), K_OK);
	beckn_fresh(&kp, now - 299, now + 1, "{}", &s);
	assert_int_equal(kcrypto_beckn_verify(&s, "{}", 2, kp.pk, now, 0, &e), K_OK);
}

static void test_beckn_verify_refuses_an_expired_signature(void **state)
{
	struct beckn_vec v;
	beckn_vec_load(&v);
	struct kbeckn_sig s;
	struct kerr e = {0};
	assert_int_equal(kcrypto_beckn_parse(v.authorization, strlen(v.authorization), &s, &e),
	                 K_OK);
	assert_int_equal(
	    kcrypto_beckn_verify(&s, v.body, strlen(v.body), v.kp.pk, v.expires, 3600, &e),
	    K_EVERIFY);
	assert_msg_has(&e, "expired 0 s ago");
	beckn_vec_free(&v);
}

static void test_beckn_verify_refuses_created_beyond_the_skew(void **state)
{
	struct kkeypair kp;
	kcrypto_keypair_new(&kp);
	struct kbeckn_sig s;
	struct kerr e = {0};
	const int64_t now = 1700000000;
	beckn_fresh(&kp, now + KBECKN_MAX_SKEW + 1, now + 100, "{}", &s);
	assert_int_equal(kcrypto_beckn_verify(&s, "{}", 2, kp.pk, now, 0, &e), K_EVERIFY);
	assert_msg_has(&e, "31 s in the future");
}

static void test_beckn_verify_refuses_a_ttl_over_the_limit(void **state)
{
	struct beckn_vec v;
	beckn_vec_load(&v);
	struct kbeckn_sig s;
	struct kerr e = {0};
	assert_int_equal(kcrypto_beckn_parse(v.authorization, strlen(v.authorization), &s, &e),
	                 K_OK);
	/* The spec's own 3600 s is over kontor's default of 300 s. */
	assert_int_equal(
	    kcrypto_beckn_verify(&s, v.body, strlen(v.body), v.kp.pk, v.created, 0, &e), K_EVERIFY);
	assert_msg_has(&e, "lifetime of 3600 s is over the limit of 300 s");
	assert_int_equal(
	    kcrypto_beckn_verify(&s, v.body, strlen(v.body), v.kp.pk, v.created, 3599, &e),
	    K_EVERIFY);
	beckn_vec_free(&v);
}

static void test_beckn_verify_refuses_expires_not_after_created(void **state)
{
	struct kkeypair kp;
	kcrypto_keypair_new(&kp);
	struct kbeckn_sig s;
	struct kerr e = {0};
	const int64_t now = 1700000000;
	beckn_fresh(&kp, now + 10, now + 10, "{}", &s);
	assert_int_equal(kcrypto_beckn_verify(&s, "{}", 2, kp.pk, now, 0, &e), K_EVERIFY);
	assert_msg_has(&e, "no later than it was created");
	beckn_fresh(&kp, now + 10, now + 5, "{}", &s);
	assert_int_equal(kcrypto_beckn_verify(&s, "{}", 2, kp.pk, now, 0, &e), K_EVERIFY);
	assert_msg_has(&e, "no later than it was created");
}

static void test_beckn_verify_refuses_a_body_whose_digest_differs(void **state)
{
	struct beckn_vec v;
	beckn_vec_load(&v);
	struct kbeckn_sig s;
	struct kerr e = {0};
	assert_int_equal(kcrypto_beckn_parse(v.authorization, strlen(v.authorization), &s, &e),
	                 K_OK);
	struct kbuf body = KBUF_INIT;
	kbuf_puts(&body, v.body);
	body.data[10] ^= 1;
	assert_int_equal(
	    kcrypto_beckn_verify(&s, body.data, body.len, v.kp.pk, v.created, 3600, &e), K_EVERIFY);
	assert_msg_has(&e, "does not match the body's digest");
	/* One byte more (a trailing newline) is a different body too. */
	kbuf_free(&body);
	kbuf_printf(&body, "%s\n", v.body);
	assert_int_equal(
	    kcrypto_beckn_verify(&s, body.data, body.len, v.kp.pk, v.created, 3600, &e), K_EVERIFY);
	kbuf_free(&body);
	beckn_vec_free(&v);
}

static void test_beckn_verify_refuses_a_tampered_signature_or_wrong_key(void **state)
{
	struct beckn_vec v;
	beckn_vec_load(&v);
	struct kbeckn_sig s;
	struct kerr e = {0};
	assert_int_equal(kcrypto_beckn_parse(v.authorization, strlen(v.authorization), &s, &e),
	                 K_OK);
	for (size_t i = 0; i < KCRYPTO_SIG_BYTES; i += 7) {
		s.sig[i] ^= 0x20;
		assert_int_equal(
		    kcrypto_beckn_verify(&s, v.body, strlen(v.body), v.kp.pk, v.created, 3600, &e),
		    K_EVERIFY);
		s.sig[i] ^= 0x20;
	}
	/* Moving created changes the signing string, even inside the window. */
	s.created += 1;
	assert_int_equal(
	    kcrypto_beckn_verify(&s, v.body, strlen(v.body), v.kp.pk, v.created, 3600, &e),
	    K_EVERIFY);
	s.created -= 1;
	struct kkeypair other;
	kcrypto_keypair_new(&other);
	assert_int_equal(
	    kcrypto_beckn_verify(&s, v.body, strlen(v.body), other.pk, v.created, 3600, &e),
	    K_EVERIFY);
	assert_msg_has(&e, "example-bap.com|ae3ea24b");
	beckn_vec_free(&v);
}

#define SIG88                                                                                      \
	"cjbhP0PFyrlSCNszJM1F/YmHDVAWsZqJUPzojnE/7TJU3fJ/rmIlgaUHEr5E0/2PIyf0tpSnWtT6cyNNlpmoAQ=="
#define HDR(keyid, alg, cr, ex, hd, sg)                                                            \
	"Signature keyId=\"" keyid "\",algorithm=\"" alg "\",created=\"" cr "\",expires=\"" ex     \
	"\",headers=\"" hd "\",signature=\"" sg "\""
#define GOOD_HDR HDR("a|b|ed25519", "ed25519", "100", "200", "(created) (expires) digest", SIG88)
#define HD "(created) (expires) digest"

static void test_beckn_parse_refuses_each_kind_of_bad_header(void **state)
{
	static const struct {
		const char *h;
		const char *why; /* part of the expected message */
	} bad[] = {
	    {"", "does not start with"},
	    {"Bearer abc", "does not start with"},
	    {"signature keyId=\"a|b|ed25519\"", "does not start with"},
	    {"Signature ", "expected a parameter name"},
	    {GOOD_HDR ",foo=\"bar\"", "unknown parameter foo"},
	    {GOOD_HDR ",created=\"100\"", "created appears twice"},
	    {GOOD_HDR ",", "expected a parameter name"},
	    {GOOD_HDR ";", "expected ',' after signature"},
	    {"Signature keyId=\"a|b|ed25519\",algorithm=\"ed25519\",created=\"100\",expires="
	     "\"200\",headers=\"" HD "\"",
	     "signature is missing"},
	    {"Signature keyId=\"a|b|ed25519\",algorithm=\"ed25519\",expires=\"200\",headers=\"" HD
	     "\",signature=\"" SIG88 "\"",
	     "created is missing"},
	    {"Signature keyId=\"a|b|ed25519\",algorithm=\"ed25519\",created=100,expires=\"200\","
	     "headers=\"" HD "\",signature=\"" SIG88 "\"",
	     "created is not quoted"},
	    {"Signature keyId=\"a|b|ed25519\",algorithm=\"ed25519\",created=\"100\",expires="
	     "\"200\",headers=\"" HD "\",signature=\"" SIG88,
	     "signature has no closing quote"},
	    {"Signature keyId", "keyId has no '='"},
	    {"Signature keyId =\"a|b|ed25519\"", "keyId has no '='"},
	    {HDR("a|b\\|ed25519", "ed25519", "100", "200", HD, SIG88), "keyId has a character"},
	    {HDR("a|b|ed25519\x01", "ed25519", "100", "200", HD, SIG88), "keyId has a character"},
	    {HDR("a|b|ed25519\xc3\xa9", "ed25519", "100", "200", HD, SIG88),
	     "keyId has a character"},
	    {HDR("a|ed25519", "ed25519", "100", "200", HD, SIG88), "not of the form"},
	    {HDR("a.b.ed25519", "ed25519", "100", "200", HD, SIG88), "not of the form"},
	    {HDR("|b|ed25519", "ed25519", "100", "200", HD, SIG88), "subscriber id must be"},
	    {HDR("a||ed25519", "ed25519", "100", "200", HD, SIG88), "unique key id must be"},
	    {HDR("a|b|rsa", "ed25519", "100", "200", HD, SIG88), "does not end in |ed25519"},
	    {HDR("a|b|c|ed25519", "ed25519", "100", "200", HD, SIG88), "does not end in |ed25519"},
	    {HDR("a|b|ed25519", "rsa-sha256", "100", "200", HD, SIG88), "algorithm \"rsa-sha256\""},
	    {HDR("a|b|ed25519", "ED25519", "100", "200", HD, SIG88), "is not ed25519"},
	    {HDR("a|b|ed25519", "ed25519", "", "200", HD, SIG88), "created is not a unix time"},
	    {HDR("a|b|ed25519", "ed25519", "-100", "200", HD, SIG88), "created is not a unix time"},
	    {HDR("a|b|ed25519", "ed25519", "0100", "200", HD, SIG88), "created is not a unix time"},
	    {HDR("a|b|ed25519", "ed25519", "10x", "200", HD, SIG88), "created is not a unix time"},
	    {HDR("a|b|ed25519", "ed25519", "1e3", "200", HD, SIG88), "created is not a unix time"},
	    {HDR("a|b|ed25519", "ed25519", "100", "99999999999999999999", HD, SIG88),
	     "expires is not a unix time"},
	    {HDR("a|b|ed25519", "ed25519", "100", " 200", HD, SIG88), "expires is not a unix time"},
	    {HDR("a|b|ed25519", "ed25519", "100", "200", "(created) digest", SIG88),
	     "headers is not"},
	    {HDR("a|b|ed25519", "ed25519", "100", "200", "(created)  (expires) digest", SIG88),
	     "headers is not"},
	    {HDR("a|b|ed25519", "ed25519", "100", "200", HD, "AAAA"), "not 64 bytes"},
	    {HDR("a|b|ed25519", "ed25519", "100", "200", HD, ""), "not 64 bytes"},
	    {HDR("a|b|ed25519", "ed25519", "100", "200", HD,
	         "cjbhP0PFyrlSCNszJM1F_YmHDVAWsZqJUPzojnE_7TJU3fJ_rmIlgaUHEr5E0_"
	         "2PIyf0tpSnWtT6cyNNlpmoAQ=="),
	     "not 64 bytes"},
	    {HDR("a|b|ed25519", "ed25519", "100", "200", HD,
	         "cjbhP0PFyrlSCNszJM1F/YmHDVAWsZqJUPzojnE/7TJU3fJ/rmIlgaUHEr5E0/"
	         "2PIyf0tpSnWtT6cyNNlpmoAQ"),
	     "not 64 bytes"},
	    {HDR("a|b|ed25519", "ed25519", "100", "200", HD,
	         "cjbhP0PFyrlSCNszJM1F/YmHDVAWsZqJUPzojnE/7TJU3fJ/rmIlgaUHEr5E0/"
	         "2PIyf0tpSnWtT6cyNNlpmoAQ==AAAA"),
	     "not 64 bytes"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct kbeckn_sig s;
		struct kerr e = {0};
		if (kcrypto_beckn_parse(bad[i].h, strlen(bad[i].h), &s, &e) != K_EINVAL)
			fail_msg("accepted bad header #%zu: %s", i, bad[i].h);
		if (!strstr(e.msg, bad[i].why))
			fail_msg("header #%zu: message \"%s\" lacks \"%s\"", i, e.msg, bad[i].why);
	}
	/* A NUL inside the given length is not the end of the header. */
	const char good[] = GOOD_HDR;
	struct kbuf b = KBUF_INIT;
	kbuf_append(&b, good, 20);
	kbuf_putc(&b, '\0');
	kbuf_append(&b, good + 21, sizeof good - 22);
	struct kbeckn_sig s;
	struct kerr e = {0};
	assert_int_equal(kcrypto_beckn_parse(b.data, b.len, &s, &e), K_EINVAL);
	kbuf_free(&b);
}

static void test_beckn_parse_refuses_headers_over_2_kib(void **state)
{
	struct kbuf b = KBUF_INIT;
	kbuf_puts(&b, "Signature keyId=\"");
	while (b.len < 2100)
		kbuf_putc(&b, 'a');
	kbuf_puts(&b, "|b|ed25519\"");
	struct kbeckn_sig s;
	struct kerr e = {0};
	assert_int_equal(kcrypto_beckn_parse(b.data, b.len, &s, &e), K_EINVAL);
	assert_msg_has(&e, "over the limit of 2048");
	/* The length given is what counts, and 2048 itself is allowed through to parsing. */
	assert_int_equal(kcrypto_beckn_parse(b.data, 2048, &s, &e), K_EINVAL);
	assert_msg_has(&e, "no closing quote");
	/* A subscriber id longer than the struct holds is refused, not truncated. */
	kbuf_reset(&b);
	kbuf_puts(&b, "Signature keyId=\"");
	for (int i = 0; i < 256; i++)
		kbuf_putc(&b, 's');
	kbuf_puts(&b, "|b|ed25519\",algorithm=\"ed25519\",created=\"1\",expires=\"2\",headers=\"" HD
	              "\",signature=\"" SIG88 "\"");
	assert_int_equal(kcrypto_beckn_parse(b.data, b.len, &s, &e), K_EINVAL);
	assert_msg_has(&e, "subscriber id must be 1..255");
	kbuf_free(&b);
}

static void test_beckn_parse_takes_any_order_and_spaces_after_commas(void **state)
{
	static const char h[] =
	    "Signature signature=\"" SIG88 "\", headers=\"" HD "\",\texpires=\"200\" ,"
	    "created=\"100\",algorithm=\"ed25519\",keyId=\"a|b|ed25519\"";
	struct kbeckn_sig s;
	struct kerr e = {0};
	assert_int_equal(kcrypto_beckn_parse(h, strlen(h), &s, &e), K_OK);
	assert_string_equal(s.subscriber_id, "a");
	assert_string_equal(s.unique_key_id, "b");
	assert_int_equal(s.created, 100);
	assert_int_equal(s.expires, 200);
}

/* --- sealed boxes ------------------------------------------------------------------------- */

static void test_box_seal_opens_in_both_directions(void **state)
{
	struct kkeypair alice, bob;
	kcrypto_keypair_new(&alice);
	kcrypto_keypair_new(&bob);
	const char msg[] = "50 pallets, FOB Hamburg";
	struct kbuf box = KBUF_INIT, plain = KBUF_INIT;
	struct kerr e = {0};

	kcrypto_box_seal(msg, strlen(msg), bob.pk, alice.sk, &box);
	assert_int_equal(box.len, 24 + strlen(msg) + 16);
	assert_int_equal(kcrypto_box_open(box.data, box.len, alice.pk, bob.sk, &plain, &e), K_OK);
	assert_string_equal(kbuf_str(&plain), msg);

	kbuf_reset(&box);
	kbuf_reset(&plain);
	kcrypto_box_seal("ok", 2, alice.pk, bob.sk, &box);
	assert_int_equal(kcrypto_box_open(box.data, box.len, bob.pk, alice.sk, &plain, &e), K_OK);
	assert_string_equal(kbuf_str(&plain), "ok");

	/* Empty messages work, and output is appended to what the buffers already hold. */
	kbuf_reset(&box);
	kbuf_puts(&plain, "|");
	kcrypto_box_seal("", 0, bob.pk, alice.sk, &box);
	assert_int_equal(box.len, 40);
	assert_int_equal(kcrypto_box_open(box.data, box.len, alice.pk, bob.sk, &plain, &e), K_OK);
	assert_string_equal(kbuf_str(&plain), "ok|");

	/* A fresh nonce each time: the same message never seals to the same bytes. */
	struct kbuf box2 = KBUF_INIT;
	kcrypto_box_seal("", 0, bob.pk, alice.sk, &box2);
	assert_memory_not_equal(box.data, box2.data, 24);
	kbuf_free(&box);
	kbuf_free(&box2);
	kbuf_free(&plain);
}

static void test_box_open_refuses_tampering_truncation_and_wrong_keys(void **state)
{
	struct kkeypair alice, bob, eve;
	kcrypto_keypair_new(&alice);
	kcrypto_keypair_new(&bob);
	kcrypto_keypair_new(&eve);
	struct kbuf box = KBUF_INIT, plain = KBUF_INIT;
	struct kerr e = {0};
	kcrypto_box_seal("pay 100", 7, bob.pk, alice.sk, &box);
	/* Every byte: nonce, MAC and ciphertext. */
	for (size_t i = 0; i < box.len; i++) {
		box.data[i] ^= 0x01;
		assert_int_equal(kcrypto_box_open(box.data, box.len, alice.pk, bob.sk, &plain, &e),
		                 K_EVERIFY);
		assert_int_equal(plain.len, 0);
		box.data[i] ^= 0x01;
	}
	assert_msg_has(&e, "does not authenticate");
	assert_int_equal(kcrypto_box_open(box.data, box.len - 1, alice.pk, bob.sk, &plain, &e),
	                 K_EVERIFY);
	assert_int_equal(kcrypto_box_open(box.data, 39, alice.pk, bob.sk, &plain, &e), K_EVERIFY);
	assert_msg_has(&e, "shorter than 40");
	assert_int_equal(kcrypto_box_open(box.data, 0, alice.pk, bob.sk, &plain, &e), K_EVERIFY);
	/* Eve cannot read it, nor pass it off as hers. */
	assert_int_equal(kcrypto_box_open(box.data, box.len, alice.pk, eve.sk, &plain, &e),
	                 K_EVERIFY);
	assert_int_equal(kcrypto_box_open(box.data, box.len, eve.pk, bob.sk, &plain, &e),
	                 K_EVERIFY);
	uint8_t zero_pk[KCRYPTO_PK_BYTES] = {0};
	assert_int_equal(kcrypto_box_open(box.data, box.len, zero_pk, bob.sk, &plain, &e),
	                 K_EVERIFY);
	assert_msg_has(&e, "not a valid public key");
	assert_int_equal(kcrypto_box_open(box.data, box.len, alice.pk, bob.sk, &plain, &e), K_OK);
	assert_string_equal(kbuf_str(&plain), "pay 100");
	kbuf_free(&box);
	kbuf_free(&plain);
}

/* --- identity.key ---------------------------------------------------------------------------
 * Argon2id at moderate limits costs about a second and 256 MiB, so the encrypted file is made
 * once and the whole file costs four crypto_pwhash calls: save, right, wrong, damaged. */

#define PASS "correct horse battery staple"

static struct kkeypair enc_kp;
static uint8_t enc_bytes[512];
static size_t enc_len;

static void enc_fixture(char *path, size_t cap)
{
	tmp_path("enc.key", path, cap);
	if (enc_len)
		return;
	struct kerr e = {0};
	kcrypto_keypair_new(&enc_kp);
	assert_int_equal(kcrypto_identity_save(path, &enc_kp, PASS, &e), K_OK);
	struct kbuf b = KBUF_INIT;
	read_all(path, &b);
	assert_true(b.len <= sizeof enc_bytes);
	memcpy(enc_bytes, b.data, b.len);
	enc_len = b.len;
	kbuf_free(&b);
}

/* Writes a modified copy of the encrypted fixture, mode 0600. */
static void enc_variant(const char *path, size_t off, uint8_t xor_with, size_t len)
{
	uint8_t copy[512];
	memcpy(copy, enc_bytes, enc_len);
	if (off < len)
		copy[off] ^= xor_with;
	write_bytes(path, copy, len, 0600);
}

static void test_identity_with_passphrase_round_trips_with_mode_0600(void **state)
{
	char path[128];
	enc_fixture(path, sizeof path);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	struct kerr e = {0};
	assert_int_equal(kcrypto_identity_encrypted(path, &e), 1);
	/* The secret key is not in the file in the clear. */
	assert_null(memmem(enc_bytes, enc_len, enc_kp.sk, 32));
	struct kkeypair kp;
	int rc = kcrypto_identity_load(path, PASS, &kp, &e);
	if (rc != K_OK)
		fail_msg("%s", e.msg);
	assert_memory_equal(kp.pk, enc_kp.pk, sizeof kp.pk);
	assert_memory_equal(kp.sk, enc_kp.sk, sizeof kp.sk);
}

static void test_identity_wrong_passphrase_is_epass_naming_the_file(void **state)
{
	char path[128];
	enc_fixture(path, sizeof path);
	struct kkeypair kp;
	memset(&kp, 0x55, sizeof kp);
	struct kerr e = {0};
	assert_int_equal(kcrypto_identity_load(path, "correct horse battery stapler", &kp, &e),
	                 K_EPASS);
	char want[160];
	snprintf(want, sizeof want, "wrong passphrase for %s", path);
	assert_string_equal(e.msg, want);
	assert_int_equal(kp.sk[0], 0x55); /* nothing written on failure */
}

static void test_identity_encrypted_without_passphrase_is_epass(void **state)
{
	char path[128];
	enc_fixture(path, sizeof path);
	struct kkeypair kp;
	struct kerr e = {0};
	assert_int_equal(kcrypto_identity_load(path, NULL, &kp, &e), K_EPASS);
	assert_msg_has(&e, "protected by a passphrase");
}

static void test_identity_damaged_ciphertext_fails_to_open(void **state)
{
	char path[128], bad[128];
	enc_fixture(path, sizeof path);
	tmp_path("enc-ct.key", bad, sizeof bad);
	enc_variant(bad, 100, 0x04, enc_len);
	struct kkeypair kp;
	struct kerr e = {0};
	/* An AEAD cannot tell damage from a wrong passphrase; either way nothing is loaded. */
	assert_int_equal(kcrypto_identity_load(bad, PASS, &kp, &e), K_EPASS);
}

static void test_identity_damaged_header_is_einval_before_any_key_derivation(void **state)
{
	char path[128], bad[128];
	enc_fixture(path, sizeof path);
	tmp_path("enc-hdr.key", bad, sizeof bad);
	static const struct {
		size_t off;
		uint8_t xor_with;
		int cut; /* bytes to drop from the end */
		int code;
		const char *why;
	} cases[] = {
	    {0, 0x20, 0, K_EINVAL, "bad magic"},
	    {8, 0x01, 0, K_EINVAL, "unknown identity format 0"},
	    {8, 0x03, 0, K_ENEWER, "newer kontor (format 2)"},
	    {9, 0x02, 0, K_EINVAL, "unknown key protection 3"},
	    {9, 0x01, 0, K_EINVAL, "is damaged (148 bytes, expected 76)"},
	    {10, 0x01, 0, K_EINVAL, "reserved bytes"},
	    {999, 0, 1, K_EINVAL, "is damaged (147 bytes, expected 148)"},
	    {999, 0, 140, K_EINVAL, "bad magic"},
	    {999, 0, 148, K_EINVAL, "bad magic"},
	    /* opslimit 3 -> 0, 3 -> 19; memlimit 256 MiB -> 0 and beyond 1 GiB */
	    {28, 0x03, 0, K_EINVAL, "opslimit 0 is outside"},
	    {28, 0x10, 0, K_EINVAL, "opslimit 19 is outside"},
	    {35, 0x01, 0, K_EINVAL, "opslimit"},
	    {39, 0x10, 0, K_EINVAL, "memlimit 0 is outside"},
	    {39, 0x40, 0, K_EINVAL, "memlimit 1342177280 is outside"},
	    {43, 0x80, 0, K_EINVAL, "memlimit"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enc_variant(bad, cases[i].off, cases[i].xor_with, enc_len - (size_t)cases[i].cut);
		struct kkeypair kp;
		struct kerr e = {0};
		int rc = kcrypto_identity_load(bad, PASS, &kp, &e);
		if (rc != cases[i].code || !strstr(e.msg, cases[i].why) || !strstr(e.msg, bad))
			fail_msg("case %zu: got %d \"%s\", want %d \"%s\"", i, rc, e.msg,
			         cases[i].code, cases[i].why);
		assert_int_equal(kcrypto_identity_encrypted(bad, &e), cases[i].code);
	}
	/* Longer than any identity file. */
	uint8_t big[600] = {0};
	memcpy(big, enc_bytes, enc_len);
	write_bytes(bad, big, sizeof big, 0600);
	struct kkeypair kp;
	struct kerr e = {0};
	assert_int_equal(kcrypto_identity_load(bad, PASS, &kp, &e), K_EINVAL);
	assert_msg_has(&e, "too large");
}

static void test_identity_without_passphrase_round_trips_and_says_so(void **state)
{
	char path[128];
	tmp_path("plain.key", path, sizeof path);
	struct kkeypair kp, back;
	kcrypto_keypair_new(&kp);
	struct kerr e = {0};
	assert_int_equal(kcrypto_identity_save(path, &kp, NULL, &e), K_OK);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(kcrypto_identity_encrypted(path, &e), 0);
	assert_int_equal(kcrypto_identity_load(path, NULL, &back, &e), K_OK);
	assert_memory_equal(back.sk, kp.sk, sizeof kp.sk);
	assert_memory_equal(back.pk, kp.pk, sizeof kp.pk);
	/* A passphrase given for a plain file is not needed and does no harm. */
	assert_int_equal(kcrypto_identity_load(path, "unused", &back, &e), K_OK);
	/* Saving again replaces the file atomically. */
	struct kkeypair kp2;
	kcrypto_keypair_new(&kp2);
	assert_int_equal(kcrypto_identity_save(path, &kp2, NULL, &e), K_OK);
	assert_int_equal(kcrypto_identity_load(path, NULL, &back, &e), K_OK);
	assert_memory_equal(back.pk, kp2.pk, sizeof kp2.pk);
}

static void test_identity_plain_file_with_mismatched_halves_is_damaged(void **state)
{
	char path[128];
	tmp_path("plain-bad.key", path, sizeof path);
	struct kkeypair kp, back;
	kcrypto_keypair_new(&kp);
	struct kerr e = {0};
	assert_int_equal(kcrypto_identity_save(path, &kp, NULL, &e), K_OK);
	struct kbuf b = KBUF_INIT;
	read_all(path, &b);
	assert_int_equal(b.len, 76);
	for (size_t off = 12; off < 76; off += 32) { /* in the seed, then in the public half */
		b.data[off + 5] ^= 0x40;
		write_bytes(path, b.data, b.len, 0600);
		assert_int_equal(kcrypto_identity_load(path, NULL, &back, &e), K_EINVAL);
		assert_msg_has(&e, "is damaged (public key does not match");
		b.data[off + 5] ^= 0x40;
	}
	kbuf_free(&b);
}

static void test_identity_readable_by_others_is_refused_with_chmod_advice(void **state)
{
	char path[128];
	tmp_path("open.key", path, sizeof path);
	struct kkeypair kp, back;
	kcrypto_keypair_new(&kp);
	struct kerr e = {0};
	assert_int_equal(kcrypto_identity_save(path, &kp, NULL, &e), K_OK);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(kcrypto_identity_load(path, NULL, &back, &e), K_EIO);
	char want[200];
	snprintf(want, sizeof want, "%s is readable by others (mode 0644); chmod 600 it", path);
	assert_string_equal(e.msg, want);
	assert_int_equal(kcrypto_identity_encrypted(path, &e), K_EIO);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(kcrypto_identity_load(path, NULL, &back, &e), K_EIO);
	assert_int_equal(chmod(path, 0620), 0);
	assert_int_equal(kcrypto_identity_load(path, NULL, &back, &e), K_EIO);
	assert_msg_has(&e, "(mode 0620)");
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(kcrypto_identity_load(path, NULL, &back, &e), K_OK);
}

static void test_identity_missing_file_is_not_found_and_directory_is_refused(void **state)
{
	char path[128];
	tmp_path("nope.key", path, sizeof path);
	struct kkeypair kp;
	struct kerr e = {0};
	assert_int_equal(kcrypto_identity_load(path, NULL, &kp, &e), K_ENOTFOUND);
	assert_msg_has(&e, path);
	assert_int_equal(kcrypto_identity_encrypted(path, &e), K_ENOTFOUND);
	tmp_path("dir.key", path, sizeof path);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(kcrypto_identity_load(path, NULL, &kp, &e), K_EINVAL);
	assert_msg_has(&e, "not a regular file");
}

static void test_identity_save_into_missing_directory_is_eio(void **state)
{
	char path[128];
	tmp_path("no/such/dir/id.key", path, sizeof path);
	struct kkeypair kp;
	kcrypto_keypair_new(&kp);
	struct kerr e = {0};
	assert_int_equal(kcrypto_identity_save(path, &kp, NULL, &e), K_EIO);
}

/* --- harness -------------------------------------------------------------------------------- */

static int group_setup(void **state)
{
	struct kerr e = {0};
	if (kcrypto_init(&e) != K_OK)
		return -1;
	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/kontor-crypto-XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	static const char *const names[] = {"enc.key",   "enc-ct.key",    "enc-hdr.key",
	                                    "plain.key", "plain-bad.key", "open.key"};
	char p[128];
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		unlink(tmp_path(names[i], p, sizeof p));
	rmdir(tmp_path("dir.key", p, sizeof p));
	rmdir(tmpdir);
	return 0;
}

static void test_box_key_is_the_x25519_key_sealed_boxes_use(void **state)
{
	struct kkeypair a, b;
	kcrypto_keypair_new(&a);
	kcrypto_keypair_new(&b);
	char box[KCRYPTO_ID_LEN + 1];
	assert_int_equal(kcrypto_box_key(a.pk, box, NULL), K_OK);
	assert_int_equal(strlen(box), KCRYPTO_ID_LEN);
	uint8_t x[32], want[32];
	size_t n = 0;
	assert_int_equal(kcrypto_b64_decode(box, strlen(box), KB64_URL_NOPAD, x, sizeof x, &n), 0);
	assert_int_equal(n, 32);
	assert_int_equal(crypto_sign_ed25519_pk_to_curve25519(want, a.pk), 0);
	assert_memory_equal(x, want, 32);
	uint8_t bad[32];
	memset(bad, 0, sizeof bad); /* the identity point has no X25519 image */
	struct kerr e;
	assert_int_equal(kcrypto_box_key(bad, box, &e), K_EINVAL);
}

static void test_random_fills_differently_each_call(void **state)
{
	uint8_t a[16] = {0}, b[16] = {0};
	kcrypto_random(a, sizeof a);
	kcrypto_random(b, sizeof b);
	assert_memory_not_equal(a, b, sizeof a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_is_idempotent),
	    cmocka_unit_test(test_account_id_is_unpadded_base64url_of_pk_and_parses_back),
	    cmocka_unit_test(test_account_pk_refuses_malformed_ids_naming_them),
	    cmocka_unit_test(test_b64_decoding_is_strict_and_round_trips),
	    cmocka_unit_test(test_blake2b_matches_every_reference_kat_entry),
	    cmocka_unit_test(test_blake2b_refuses_lengths_libsodium_cannot_compute),
	    cmocka_unit_test(test_hash_b64url_is_base64url_of_blake2b_256),
	    cmocka_unit_test(test_ed25519_verify_agrees_with_every_wycheproof_case),
	    cmocka_unit_test(test_object_signature_is_ed25519_over_domain_kind_nul_canon),
	    cmocka_unit_test(test_listing_signature_fails_as_contract_signature),
	    cmocka_unit_test(test_object_signature_fails_on_altered_bytes_or_other_signer),
	    cmocka_unit_test(test_object_signature_b64_round_trip_and_every_failure_is_everify),
	    cmocka_unit_test(test_beckn_spec_example_reproduced_byte_for_byte),
	    cmocka_unit_test(test_beckn_spec_example_parses_and_verifies_with_its_3600s_ttl),
	    cmocka_unit_test(test_beckn_verify_accepts_the_edges_of_the_window),
	    cmocka_unit_test(test_beckn_verify_refuses_an_expired_signature),
	    cmocka_unit_test(test_beckn_verify_refuses_created_beyond_the_skew),
	    cmocka_unit_test(test_beckn_verify_refuses_a_ttl_over_the_limit),
	    cmocka_unit_test(test_beckn_verify_refuses_expires_not_after_created),
	    cmocka_unit_test(test_beckn_verify_refuses_a_body_whose_digest_differs),
	    cmocka_unit_test(test_beckn_verify_refuses_a_tampered_signature_or_wrong_key),
	    cmocka_unit_test(test_beckn_parse_refuses_each_kind_of_bad_header),
	    cmocka_unit_test(test_beckn_parse_refuses_headers_over_2_kib),
	    cmocka_unit_test(test_beckn_parse_takes_any_order_and_spaces_after_commas),
	    cmocka_unit_test(test_box_seal_opens_in_both_directions),
	    cmocka_unit_test(test_box_open_refuses_tampering_truncation_and_wrong_keys),
	    cmocka_unit_test(test_identity_with_passphrase_round_trips_with_mode_0600),
	    cmocka_unit_test(test_identity_wrong_passphrase_is_epass_naming_the_file),
	    cmocka_unit_test(test_identity_encrypted_without_passphrase_is_epass),
	    cmocka_unit_test(test_identity_damaged_ciphertext_fails_to_open),
	    cmocka_unit_test(test_identity_damaged_header_is_einval_before_any_key_derivation),
	    cmocka_unit_test(test_identity_without_passphrase_round_trips_and_says_so),
	    cmocka_unit_test(test_identity_plain_file_with_mismatched_halves_is_damaged),
	    cmocka_unit_test(test_identity_readable_by_others_is_refused_with_chmod_advice),
	    cmocka_unit_test(test_identity_missing_file_is_not_found_and_directory_is_refused),
	    cmocka_unit_test(test_identity_save_into_missing_directory_is_eio),
	    cmocka_unit_test(test_box_key_is_the_x25519_key_sealed_boxes_use),
	    cmocka_unit_test(test_pair_id_is_alike_for_the_two_parties_only),
	    cmocka_unit_test(test_random_fills_differently_each_call),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
