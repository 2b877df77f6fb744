/* crypto — kontor's signing, sealing, hashing and key storage over libsodium. Everything read
 * from outside (key files, headers, base64) is bounded and checked before use. */
#include "kontor/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

int kcrypto_init(struct kerr *e)
{
	/* sodium_init is itself thread-safe and returns 1 when already done. */
	if (sodium_init() < 0)
		return kerr_set(e, K_ECRYPTO, "libsodium could not be initialised");
	return K_OK;
}

void kcrypto_keypair_new(struct kkeypair *kp)
{
	crypto_sign_keypair(kp->pk, kp->sk);
}

void kcrypto_keypair_from_seed(struct kkeypair *kp, const uint8_t seed[32])
{
	crypto_sign_seed_keypair(kp->pk, kp->sk, seed);
}

void kcrypto_keypair_wipe(struct kkeypair *kp)
{
	sodium_memzero(kp->sk, sizeof kp->sk);
}

void kcrypto_random(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}

int kcrypto_box_key(const uint8_t pk[KCRYPTO_PK_BYTES], char out[KCRYPTO_ID_LEN + 1],
                    struct kerr *e)
{
	uint8_t x[crypto_box_PUBLICKEYBYTES];
	if (crypto_sign_ed25519_pk_to_curve25519(x, pk) != 0)
		return kerr_set(e, K_EINVAL, "not a valid Ed25519 public key");
	sodium_bin2base64(out, KCRYPTO_ID_LEN + 1, x, sizeof x,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return K_OK;
}

/* Copies at most cap-1 bytes of outside text into out for an error message, replacing
 * anything not printable ASCII, so a hostile id cannot put escapes into a terminal or log. */
static const char *shown(const char *s, size_t n, char *out, size_t cap)
{
	size_t i = 0, lim = cap - 4;
	for (; i < n && i < lim; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (i < n) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

/* --- base64 ------------------------------------------------------------------- */

static int b64_variant(enum kb64 v)
{
	return v == KB64_URL_NOPAD ? sodium_base64_VARIANT_URLSAFE_NO_PADDING
	                           : sodium_base64_VARIANT_ORIGINAL;
}

void kcrypto_b64_encode(const void *bin, size_t len, enum kb64 v, struct kbuf *out)
{
	int var = b64_variant(v);
	size_t enc = sodium_base64_ENCODED_LEN(len, var); /* includes the NUL */
	kbuf_reserve(out, enc);
	sodium_bin2base64(out->data + out->len, enc, bin, len, var);
	out->len += enc - 1;
}

int kcrypto_b64_decode(const char *s, size_t slen, enum kb64 v, uint8_t *bin, size_t cap,
                       size_t *len)
{
	/* No ignore set and no end pointer: libsodium then refuses any character it cannot
	 * use, wrong padding and non-zero trailing bits, so each value has one spelling. */
	size_t n = 0;
	*len = 0;
	/* libsodium 1.0.18 reads the input as plain (signed) char, and every byte from 0x80 up
	 * then decodes as '/' or '_': "Zm9\xff" would pass for "Zm9/". Refuse them first. */
	for (size_t i = 0; i < slen; i++)
		if ((unsigned char)s[i] >= 0x80)
			return K_EINVAL;
	if (sodium_base642bin(bin, cap, s, slen, NULL, &n, NULL, b64_variant(v)) != 0)
		return K_EINVAL;
	*len = n;
	return K_OK;
}

/* --- account ids ---------------------------------------------------------------- */

int kcrypto_id_shaped(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') ||
		      (s[n] >= '0' && s[n] <= '9') || s[n] == '-' || s[n] == '_'))
			return 0;
	return n == KCRYPTO_ID_LEN;
}

void kcrypto_account_id(const uint8_t pk[KCRYPTO_PK_BYTES], char out[KCRYPTO_ID_LEN + 1])
{
	sodium_bin2base64(out, KCRYPTO_ID_LEN + 1, pk, KCRYPTO_PK_BYTES,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int kcrypto_account_pk(const char *id, uint8_t pk[KCRYPTO_PK_BYTES], struct kerr *e)
{
	char show[80];
	size_t n = strnlen(id, KCRYPTO_ID_LEN + 1), got;
	if (n != KCRYPTO_ID_LEN)
		return kerr_set(e, K_EINVAL, "account id \"%s\" is not %d characters long",
		                shown(id, n, show, sizeof show), KCRYPTO_ID_LEN);
	uint8_t tmp[KCRYPTO_PK_BYTES];
	if (kcrypto_b64_decode(id, n, KB64_URL_NOPAD, tmp, sizeof tmp, &got) != K_OK ||
	    got != KCRYPTO_PK_BYTES)
		return kerr_set(e, K_EINVAL, "account id \"%s\" is not unpadded base64url",
		                shown(id, n, show, sizeof show));
	/* A key off the curve, of small order or not canonically encoded can never sign
	 * anything that libsodium accepts, and could not receive sealed messages. */
	if (!crypto_core_ed25519_is_valid_point(tmp))
		return kerr_set(e, K_EINVAL, "account id \"%s\" is not a valid Ed25519 public key",
		                shown(id, n, show, sizeof show));
	memcpy(pk, tmp, KCRYPTO_PK_BYTES);
	return K_OK;
}

/* --- identity.key ----------------------------------------------------------------
 * Layout (integers little-endian):
 *   0  magic "kontorID"     8
 *   8  version (1)          1
 *   9  kind: 0 plain, 1 argon2id13 + xchacha20poly1305-ietf   1
 *  10  reserved, zero       2
 * plain:     12 secret key 64                                      = 76 bytes
 * encrypted: 12 salt 16, 28 opslimit 8, 36 memlimit 8, 44 nonce 24,
 *            68 ciphertext 64 + tag 16 (bytes 0..67 are the associated data) = 148 bytes */
#define ID_MAGIC "kontorID"
#define ID_VERSION 1
#define ID_KIND_PLAIN 0
#define ID_KIND_ARGON2ID_XCHACHA 1
#define ID_HDR 12
#define ID_PLAIN_SIZE (ID_HDR + KCRYPTO_SK_BYTES)
#define ID_OFF_SALT ID_HDR
#define ID_OFF_OPS (ID_OFF_SALT + crypto_pwhash_SALTBYTES)
#define ID_OFF_MEM (ID_OFF_OPS + 8)
#define ID_OFF_NONCE (ID_OFF_MEM + 8)
#define ID_OFF_CT (ID_OFF_NONCE + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
#define ID_ENC_SIZE (ID_OFF_CT + KCRYPTO_SK_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
/* What a loader will spend on a file it did not write: Argon2id costs come from the file,
 * so a hostile one must not be able to ask for more than a second or two and 1 GiB. */
#define ID_OPS_MAX 16
#define ID_MEM_MAX (UINT64_C(1) << 30)
#define ID_READ_MAX 512

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static int derive_key(uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES],
                      const char *passphrase, const uint8_t *salt, uint64_t ops, uint64_t mem,
                      const char *path, struct kerr *e)
{
	if (crypto_pwhash(key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES, passphrase,
	                  strlen(passphrase), salt, (unsigned long long)ops, (size_t)mem,
	                  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return kerr_set(e, K_ECRYPTO,
		                "%s: could not derive the key from the passphrase (out of memory?)",
		                path);
	return K_OK;
}

int kcrypto_identity_save(const char *path, const struct kkeypair *kp, const char *passphrase,
                          struct kerr *e)
{
	uint8_t file[ID_ENC_SIZE];
	size_t size;
	memcpy(file, ID_MAGIC, 8);
	file[8] = ID_VERSION;
	file[10] = file[11] = 0;
	if (!passphrase) {
		file[9] = ID_KIND_PLAIN;
		memcpy(file + ID_HDR, kp->sk, KCRYPTO_SK_BYTES);
		size = ID_PLAIN_SIZE;
	} else {
		uint64_t ops = crypto_pwhash_OPSLIMIT_MODERATE,
		         mem = crypto_pwhash_MEMLIMIT_MODERATE;
		uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
		file[9] = ID_KIND_ARGON2ID_XCHACHA;
		randombytes_buf(file + ID_OFF_SALT, crypto_pwhash_SALTBYTES);
		put_u64(file + ID_OFF_OPS, ops);
		put_u64(file + ID_OFF_MEM, mem);
		randombytes_buf(file + ID_OFF_NONCE, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
		int rc = derive_key(key, passphrase, file + ID_OFF_SALT, ops, mem, path, e);
		if (rc != K_OK)
			return rc;
		/* The header is associated data, so nobody can lower the Argon2 costs or swap
		 * the salt in the file without the load failing. */
		crypto_aead_xchacha20poly1305_ietf_encrypt(file + ID_OFF_CT, NULL, kp->sk,
		                                           KCRYPTO_SK_BYTES, file, ID_OFF_CT, NULL,
		                                           file + ID_OFF_NONCE, key);
		sodium_memzero(key, sizeof key);
		size = ID_ENC_SIZE;
	}
	int rc = kbuf_write_file_atomic(path, file, size, 0600, e);
	sodium_memzero(file, sizeof file);
	return rc;
}

/* Reads the identity file into file[ID_READ_MAX] after checking it is a regular file that
 * only its owner can read. */
static int identity_read(const char *path, uint8_t *file, size_t *size, struct kerr *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kerr_set(e, errno == ENOENT ? K_ENOTFOUND : K_EIO, "%s: %s", path,
		                strerror(errno));
	struct stat st;
	int rc = K_OK;
	if (fstat(fd, &st) != 0)
		rc = kerr_set(e, K_EIO, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = kerr_set(e, K_EINVAL, "%s is not a regular file", path);
	else if (st.st_mode & 0077)
		rc = kerr_set(e, K_EIO, "%s is %s by others (mode %04o); chmod 600 it", path,
		              (st.st_mode & 0044) ? "readable" : "accessible",
		              (unsigned)(st.st_mode & 07777));
	size_t n = 0;
	while (rc == K_OK) {
		ssize_t r = read(fd, file + n, ID_READ_MAX - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			rc = kerr_set(e, K_EIO, "%s: read error: %s", path, strerror(errno));
		else if (r == 0)
			break;
		else if ((n += (size_t)r) == ID_READ_MAX)
			rc = kerr_set(e, K_EINVAL, "%s is not a kontor identity file (too large)",
			              path);
	}
	close(fd);
	*size = n;
	return rc;
}

/* Checks everything in the file that can be checked without the passphrase. */
static int identity_check(const char *path, const uint8_t *file, size_t size, struct kerr *e)
{
	if (size < ID_HDR || memcmp(file, ID_MAGIC, 8) != 0)
		return kerr_set(e, K_EINVAL, "%s is not a kontor identity file (bad magic)", path);
	if (file[8] > ID_VERSION)
		return kerr_set(e, K_ENEWER, "%s was written by a newer kontor (format %u)", path,
		                file[8]);
	if (file[8] != ID_VERSION)
		return kerr_set(e, K_EINVAL, "%s: unknown identity format %u", path, file[8]);
	if (file[10] || file[11])
		return kerr_set(e, K_EINVAL, "%s is damaged (reserved bytes are not zero)", path);
	if (file[9] == ID_KIND_PLAIN) {
		if (size != ID_PLAIN_SIZE)
			return kerr_set(e, K_EINVAL, "%s is damaged (%zu bytes, expected %d)", path,
			                size, ID_PLAIN_SIZE);
		return K_OK;
	}
	if (file[9] != ID_KIND_ARGON2ID_XCHACHA)
		return kerr_set(e, K_EINVAL, "%s: unknown key protection %u", path, file[9]);
	if (size != ID_ENC_SIZE)
		return kerr_set(e, K_EINVAL, "%s is damaged (%zu bytes, expected %d)", path, size,
		                ID_ENC_SIZE);
	uint64_t ops = get_u64(file + ID_OFF_OPS), mem = get_u64(file + ID_OFF_MEM);
	if (ops < crypto_pwhash_argon2id_OPSLIMIT_MIN || ops > ID_OPS_MAX)
		return kerr_set(e, K_EINVAL, "%s: Argon2 opslimit %" PRIu64 " is outside %u..%u",
		                path, ops, (unsigned)crypto_pwhash_argon2id_OPSLIMIT_MIN,
		                ID_OPS_MAX);
	if (mem < crypto_pwhash_argon2id_MEMLIMIT_MIN || mem > ID_MEM_MAX)
		return kerr_set(
		    e, K_EINVAL, "%s: Argon2 memlimit %" PRIu64 " is outside %u..%" PRIu64 " bytes",
		    path, mem, (unsigned)crypto_pwhash_argon2id_MEMLIMIT_MIN, ID_MEM_MAX);
	return K_OK;
}

int kcrypto_identity_encrypted(const char *path, struct kerr *e)
{
	uint8_t file[ID_READ_MAX];
	size_t size;
	int rc = identity_read(path, file, &size, e);
	if (rc == K_OK)
		rc = identity_check(path, file, size, e);
	if (rc == K_OK)
		rc = file[9] == ID_KIND_ARGON2ID_XCHACHA;
	sodium_memzero(file, sizeof file);
	return rc;
}

int kcrypto_identity_load(const char *path, const char *passphrase, struct kkeypair *kp,
                          struct kerr *e)
{
	uint8_t file[ID_READ_MAX], sk[KCRYPTO_SK_BYTES], pk[KCRYPTO_PK_BYTES],
	    sk2[KCRYPTO_SK_BYTES];
	uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	size_t size;
	int rc = identity_read(path, file, &size, e);
	if (rc == K_OK)
		rc = identity_check(path, file, size, e);
	if (rc != K_OK)
		goto out;
	if (file[9] == ID_KIND_PLAIN) {
		memcpy(sk, file + ID_HDR, KCRYPTO_SK_BYTES);
	} else if (!passphrase) {
		rc = kerr_set(e, K_EPASS, "%s is protected by a passphrase and none was given",
		              path);
		goto out;
	} else {
		rc = derive_key(key, passphrase, file + ID_OFF_SALT, get_u64(file + ID_OFF_OPS),
		                get_u64(file + ID_OFF_MEM), path, e);
		if (rc != K_OK)
			goto out;
		/* A damaged ciphertext looks exactly like a wrong passphrase to an AEAD. */
		if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		        sk, NULL, NULL, file + ID_OFF_CT, ID_ENC_SIZE - ID_OFF_CT, file, ID_OFF_CT,
		        file + ID_OFF_NONCE, key) != 0) {
			rc = kerr_set(e, K_EPASS, "wrong passphrase for %s", path);
			goto out;
		}
	}
	/* The secret key carries its public half: re-deriving it from the seed catches a
	 * damaged plain file (and a wrong key written by a buggy tool). */
	crypto_sign_seed_keypair(pk, sk2, sk);
	if (sodium_memcmp(pk, sk + 32, KCRYPTO_PK_BYTES) != 0) {
		rc = kerr_set(e, K_EINVAL,
		              "%s is damaged (public key does not match the secret key)", path);
		goto out;
	}
	memcpy(kp->pk, pk, KCRYPTO_PK_BYTES);
	memcpy(kp->sk, sk, KCRYPTO_SK_BYTES);
out:
	sodium_memzero(file, sizeof file);
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(sk2, sizeof sk2);
	sodium_memzero(key, sizeof key);
	return rc;
}

/* --- hashing -------------------------------------------------------------------- */

int kcrypto_blake2b(uint8_t *out, size_t outlen, const void *in, size_t inlen, const uint8_t *key,
                    size_t keylen)
{
	if (outlen < crypto_generichash_BYTES_MIN || outlen > crypto_generichash_BYTES_MAX ||
	    (keylen != 0 && (keylen < crypto_generichash_KEYBYTES_MIN ||
	                     keylen > crypto_generichash_KEYBYTES_MAX)))
		return K_EINVAL;
	if (crypto_generichash(out, outlen, in, inlen, keylen ? key : NULL, keylen) != 0)
		return K_ECRYPTO;
	return K_OK;
}

void kcrypto_hash_b64url(const void *data, size_t len, char out[KCRYPTO_HASH_B64_LEN + 1])
{
	uint8_t h[32];
	crypto_generichash(h, sizeof h, data, len, NULL, 0);
	sodium_bin2base64(out, KCRYPTO_HASH_B64_LEN + 1, h, sizeof h,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* --- object signatures ---------------------------------------------------------- */

#define OBJ_DOMAIN "kontor/v1/"

/* Builds "kontor/v1/" kind "\0" canon; the NUL ends the kind, so no kind is a prefix of
 * another's message. Caller frees. */
static uint8_t *object_message(const char *kind, const void *canon, size_t len, size_t *mlen)
{
	size_t dl = sizeof OBJ_DOMAIN - 1, kl = strlen(kind);
	if (len > SIZE_MAX - dl - kl - 1) {
		fprintf(stderr, "kontor: object of %zu bytes is too large to sign\n", len);
		abort();
	}
	*mlen = dl + kl + 1 + len;
	uint8_t *m = xmalloc(*mlen);
	memcpy(m, OBJ_DOMAIN, dl);
	memcpy(m + dl, kind, kl);
	m[dl + kl] = 0;
	if (len)
		memcpy(m + dl + kl + 1, canon, len);
	return m;
}

void kcrypto_sign_object(const char *kind, const void *canon, size_t len,
                         const uint8_t sk[KCRYPTO_SK_BYTES], uint8_t sig[KCRYPTO_SIG_BYTES])
{
	size_t mlen;
	uint8_t *m = object_message(kind, canon, len, &mlen);
	crypto_sign_detached(sig, NULL, m, mlen, sk);
	free(m);
}

int kcrypto_verify_object(const char *kind, const void *canon, size_t len,
                          const uint8_t pk[KCRYPTO_PK_BYTES], const uint8_t sig[KCRYPTO_SIG_BYTES],
                          struct kerr *e)
{
	size_t mlen;
	uint8_t *m = object_message(kind, canon, len, &mlen);
	int ok = crypto_sign_verify_detached(sig, m, mlen, pk) == 0;
	free(m);
	if (!ok)
		return kerr_set(e, K_EVERIFY, "the %s signature does not verify", kind);
	return K_OK;
}

void kcrypto_sign_object_b64(const char *kind, const void *canon, size_t len,
                             const uint8_t sk[KCRYPTO_SK_BYTES], struct kbuf *sig_b64)
{
	uint8_t sig[KCRYPTO_SIG_BYTES];
	kcrypto_sign_object(kind, canon, len, sk, sig);
	kcrypto_b64_encode(sig, sizeof sig, KB64_STD, sig_b64);
}

/* Every failure is K_EVERIFY, as for the binary form: to a caller, a garbled signer or
 * signature is simply a signature that does not check out. */
int kcrypto_verify_object_b64(const char *kind, const void *canon, size_t len,
                              const char *account_id, const char *sig_b64, struct kerr *e)
{
	uint8_t pk[KCRYPTO_PK_BYTES], sig[KCRYPTO_SIG_BYTES];
	size_t n;
	if (kcrypto_account_pk(account_id, pk, e) != K_OK) {
		kerr_prefix(e, "the %s signature does not verify", kind);
		if (e)
			e->code = K_EVERIFY;
		return K_EVERIFY;
	}
	if (kcrypto_b64_decode(sig_b64, strlen(sig_b64), KB64_STD, sig, sizeof sig, &n) != K_OK ||
	    n != sizeof sig)
		return kerr_set(e, K_EVERIFY, "the %s signature is not 64 bytes of standard base64",
		                kind);
	return kcrypto_verify_object(kind, canon, len, pk, sig, e);
}

/* --- Beckn HTTP signature ------------------------------------------------------- */

#define BECKN_HEADER_MAX 2048
#define BECKN_HEADERS "(created) (expires) digest"
/* Times past this (year ~31.7 million) are nonsense; the bound keeps arithmetic exact. */
#define BECKN_TIME_MAX INT64_C(999999999999999)

void kcrypto_beckn_digest(const void *body, size_t len, struct kbuf *out_b64)
{
	uint8_t h[64];
	crypto_generichash(h, sizeof h, body, len, NULL, 0);
	kcrypto_b64_encode(h, sizeof h, KB64_STD, out_b64);
}

void kcrypto_beckn_signing_string(int64_t created, int64_t expires, const char *digest_b64,
                                  struct kbuf *out)
{
	kbuf_printf(out, "(created): %" PRId64 "\n(expires): %" PRId64 "\ndigest: BLAKE-512=%s",
	            created, expires, digest_b64);
}

static void beckn_sign(int64_t created, int64_t expires, const void *body, size_t len,
                       const uint8_t sk[KCRYPTO_SK_BYTES], uint8_t sig[KCRYPTO_SIG_BYTES])
{
	struct kbuf d = KBUF_INIT, s = KBUF_INIT;
	kcrypto_beckn_digest(body, len, &d);
	kcrypto_beckn_signing_string(created, expires, kbuf_str(&d), &s);
	crypto_sign_detached(sig, NULL, (const uint8_t *)s.data, s.len, sk);
	kbuf_free(&d);
	kbuf_free(&s);
}

void kcrypto_beckn_authorization(const char *key_id, int64_t created, int64_t expires,
                                 const void *body, size_t len, const uint8_t sk[KCRYPTO_SK_BYTES],
                                 struct kbuf *out)
{
	uint8_t sig[KCRYPTO_SIG_BYTES];
	beckn_sign(created, expires, body, len, sk, sig);
	kbuf_printf(out,
	            "Signature keyId=\"%s\",algorithm=\"ed25519\",created=\"%" PRId64
	            "\",expires=\"%" PRId64 "\",headers=\"" BECKN_HEADERS "\",signature=\"",
	            key_id, created, expires);
	kcrypto_b64_encode(sig, sizeof sig, KB64_STD, out);
	kbuf_putc(out, '"');
}

enum { BP_KEYID, BP_ALGORITHM, BP_CREATED, BP_EXPIRES, BP_HEADERS, BP_SIGNATURE, BP_COUNT };
static const char *const beckn_params[BP_COUNT] = {
    "keyId", "algorithm", "created", "expires", "headers", "signature",
};

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Decimal without sign or leading zeros, at most 15 digits. */
static int parse_time(const char *v, size_t n, int64_t *out)
{
	if (n == 0 || n > 15 || (n > 1 && v[0] == '0'))
		return -1;
	int64_t t = kdigits(v, n);
	if (t < 0)
		return -1;
	*out = t;
	return 0;
}

static int beckn_keyid(const char *v, size_t n, struct kbeckn_sig *out, struct kerr *e)
{
	const char *bar1 = memchr(v, '|', n);
	const char *bar2 = bar1 ? memchr(bar1 + 1, '|', n - (size_t)(bar1 + 1 - v)) : NULL;
	if (!bar2)
		return kerr_set(e, K_EINVAL,
		                "Authorization keyId is not of the form subscriber|keyid|ed25519");
	size_t sl = (size_t)(bar1 - v), ul = (size_t)(bar2 - bar1 - 1);
	size_t al = n - (size_t)(bar2 + 1 - v);
	if (sl == 0 || sl >= sizeof out->subscriber_id)
		return kerr_set(e, K_EINVAL,
		                "Authorization keyId: subscriber id must be 1..%zu characters",
		                sizeof out->subscriber_id - 1);
	if (ul == 0 || ul >= sizeof out->unique_key_id)
		return kerr_set(e, K_EINVAL,
		                "Authorization keyId: unique key id must be 1..%zu characters",
		                sizeof out->unique_key_id - 1);
	if (al != 7 || memcmp(bar2 + 1, "ed25519", 7) != 0)
		return kerr_set(e, K_EINVAL, "Authorization keyId does not end in |ed25519");
	memcpy(out->subscriber_id, v, sl);
	out->subscriber_id[sl] = '\0';
	memcpy(out->unique_key_id, bar1 + 1, ul);
	out->unique_key_id[ul] = '\0';
	return K_OK;
}

int kcrypto_beckn_parse(const char *header, size_t len, struct kbeckn_sig *out, struct kerr *e)
{
	static const char scheme[] = "Signature ";
	const size_t sn = sizeof scheme - 1;
	const char *val[BP_COUNT] = {0};
	size_t vlen[BP_COUNT] = {0};
	char show[40];

	memset(out, 0, sizeof *out);
	if (len > BECKN_HEADER_MAX)
		return kerr_set(e, K_EINVAL,
		                "Authorization header is %zu bytes, over the limit of %d", len,
		                BECKN_HEADER_MAX);
	if (len < sn || memcmp(header, scheme, sn) != 0)
		return kerr_set(e, K_EINVAL, "Authorization header does not start with \"%s\"",
		                scheme);
	const char *p = header + sn, *end = header + len;
	for (;;) {
		const char *name = p;
		while (p < end && is_alpha(*p))
			p++;
		size_t nl = (size_t)(p - name);
		if (nl == 0)
			return kerr_set(
			    e, K_EINVAL,
			    "Authorization header: expected a parameter name at byte %zu",
			    (size_t)(p - header));
		int k = 0;
		while (k < BP_COUNT &&
		       !(strlen(beckn_params[k]) == nl && memcmp(beckn_params[k], name, nl) == 0))
			k++;
		if (k == BP_COUNT)
			return kerr_set(e, K_EINVAL, "Authorization header: unknown parameter %s",
			                shown(name, nl, show, sizeof show));
		if (val[k])
			return kerr_set(e, K_EINVAL, "Authorization header: %s appears twice",
			                beckn_params[k]);
		if (p == end || *p != '=')
			return kerr_set(e, K_EINVAL, "Authorization header: %s has no '='",
			                beckn_params[k]);
		if (++p == end || *p != '"')
			return kerr_set(e, K_EINVAL, "Authorization header: %s is not quoted",
			                beckn_params[k]);
		const char *v = ++p;
		/* No escapes and nothing outside printable ASCII: none of our values needs them,
		 * and refusing them keeps every value one plain byte string. */
		while (p < end && *p != '"') {
			if (*p < 0x20 || *p >= 0x7f || *p == '\\')
				return kerr_set(e, K_EINVAL,
				                "Authorization header: %s has a character that is "
				                "not allowed",
				                beckn_params[k]);
			p++;
		}
		if (p == end)
			return kerr_set(e, K_EINVAL,
			                "Authorization header: %s has no closing quote",
			                beckn_params[k]);
		val[k] = v;
		vlen[k] = (size_t)(p - v);
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		if (*p != ',')
			return kerr_set(e, K_EINVAL, "Authorization header: expected ',' after %s",
			                beckn_params[k]);
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
	}
	for (int k = 0; k < BP_COUNT; k++)
		if (!val[k])
			return kerr_set(e, K_EINVAL, "Authorization header: %s is missing",
			                beckn_params[k]);

	int rc = beckn_keyid(val[BP_KEYID], vlen[BP_KEYID], out, e);
	if (rc != K_OK)
		return rc;
	if (vlen[BP_ALGORITHM] != 7 || memcmp(val[BP_ALGORITHM], "ed25519", 7) != 0)
		return kerr_set(e, K_EINVAL, "Authorization algorithm \"%s\" is not ed25519",
		                shown(val[BP_ALGORITHM], vlen[BP_ALGORITHM], show, sizeof show));
	memcpy(out->algorithm, "ed25519", 8);
	if (parse_time(val[BP_CREATED], vlen[BP_CREATED], &out->created) != 0)
		return kerr_set(e, K_EINVAL, "Authorization created is not a unix time");
	if (parse_time(val[BP_EXPIRES], vlen[BP_EXPIRES], &out->expires) != 0)
		return kerr_set(e, K_EINVAL, "Authorization expires is not a unix time");
	if (vlen[BP_HEADERS] != sizeof BECKN_HEADERS - 1 ||
	    memcmp(val[BP_HEADERS], BECKN_HEADERS, vlen[BP_HEADERS]) != 0)
		return kerr_set(e, K_EINVAL, "Authorization headers is not \"" BECKN_HEADERS "\"");
	memcpy(out->headers, BECKN_HEADERS, sizeof BECKN_HEADERS);
	size_t n;
	if (kcrypto_b64_decode(val[BP_SIGNATURE], vlen[BP_SIGNATURE], KB64_STD, out->sig,
	                       sizeof out->sig, &n) != K_OK ||
	    n != KCRYPTO_SIG_BYTES)
		return kerr_set(e, K_EINVAL,
		                "Authorization signature is not 64 bytes of standard base64");
	return K_OK;
}

int kcrypto_beckn_verify(const struct kbeckn_sig *s, const void *body, size_t len,
                         const uint8_t pk[KCRYPTO_PK_BYTES], int64_t now, int64_t max_ttl,
                         struct kerr *e)
{
	int64_t ttl_max = max_ttl > 0 ? max_ttl : KBECKN_MAX_TTL;
	/* The struct may not come from kcrypto_beckn_parse, so its bounds are checked again. */
	if (strcmp(s->algorithm, "ed25519") != 0 || strcmp(s->headers, BECKN_HEADERS) != 0)
		return kerr_set(e, K_EVERIFY, "signature algorithm or headers not supported");
	if (s->created < 0 || s->created > BECKN_TIME_MAX || s->expires < 0 ||
	    s->expires > BECKN_TIME_MAX || now < 0 || now > BECKN_TIME_MAX)
		return kerr_set(e, K_EVERIFY, "signature times are out of range");
	if (s->expires <= s->created)
		return kerr_set(e, K_EVERIFY,
		                "signature expires (%" PRId64
		                ") no later than it was created (%" PRId64 ")",
		                s->expires, s->created);
	if (s->created - now > KBECKN_MAX_SKEW)
		return kerr_set(e, K_EVERIFY,
		                "signature created %" PRId64
		                " s in the future (more than %d s skew)",
		                s->created - now, KBECKN_MAX_SKEW);
	if (s->expires <= now)
		return kerr_set(e, K_EVERIFY, "signature expired %" PRId64 " s ago",
		                now - s->expires);
	if (s->expires - s->created > ttl_max)
		return kerr_set(e, K_EVERIFY,
		                "signature lifetime of %" PRId64 " s is over the limit of %" PRId64
		                " s",
		                s->expires - s->created, ttl_max);
	/* The header carries no digest of its own: the digest is recomputed from the body we
	 * got, so an altered body and a forged signature fail the same check. */
	struct kbuf d = KBUF_INIT, str = KBUF_INIT;
	kcrypto_beckn_digest(body, len, &d);
	kcrypto_beckn_signing_string(s->created, s->expires, kbuf_str(&d), &str);
	int ok = crypto_sign_verify_detached(s->sig, (const uint8_t *)str.data, str.len, pk) == 0;
	kbuf_free(&d);
	kbuf_free(&str);
	if (!ok)
		return kerr_set(e, K_EVERIFY,
		                "signature does not match the body's digest under key %s|%s "
		                "(body altered or signature forged)",
		                s->subscriber_id, s->unique_key_id);
	return K_OK;
}

/* --- sealed messages ------------------------------------------------------------ */

#define BOX_OVERHEAD (crypto_box_NONCEBYTES + crypto_box_MACBYTES)

void kcrypto_pair_id(const uint8_t their_pk[KCRYPTO_PK_BYTES],
                     const uint8_t my_sk[KCRYPTO_SK_BYTES], const void *what, size_t len,
                     uint8_t out[16])
{
	uint8_t xpk[crypto_box_PUBLICKEYBYTES], xsk[crypto_box_SECRETKEYBYTES];
	uint8_t k[crypto_box_BEFORENMBYTES];
	/* as in kcrypto_box_seal: a key kcrypto_account_pk passed is a valid point */
	int bad = crypto_sign_ed25519_pk_to_curve25519(xpk, their_pk) != 0;
	if (!bad) {
		crypto_sign_ed25519_sk_to_curve25519(xsk, my_sk);
		bad = crypto_box_beforenm(k, xpk, xsk) != 0;
	}
	if (bad) {
		fprintf(stderr, "kontor: kcrypto_pair_id: the other party's key is not valid\n");
		abort();
	}
	crypto_generichash(out, 16, what, len, k, sizeof k);
	sodium_memzero(xsk, sizeof xsk);
	sodium_memzero(k, sizeof k);
}

void kcrypto_box_seal(const void *plain, size_t len, const uint8_t their_pk[KCRYPTO_PK_BYTES],
                      const uint8_t my_sk[KCRYPTO_SK_BYTES], struct kbuf *out)
{
	uint8_t xpk[crypto_box_PUBLICKEYBYTES], xsk[crypto_box_SECRETKEYBYTES];
	/* their_pk comes from kcrypto_account_pk, which only passes valid points; anything
	 * else is a bug in the caller, and sealing to a key nobody holds must not go on. */
	if (crypto_sign_ed25519_pk_to_curve25519(xpk, their_pk) != 0) {
		fprintf(stderr, "kontor: kcrypto_box_seal: recipient is not a valid public key\n");
		abort();
	}
	crypto_sign_ed25519_sk_to_curve25519(xsk, my_sk);
	if (len > SIZE_MAX - BOX_OVERHEAD - 1) {
		fprintf(stderr, "kontor: kcrypto_box_seal: message too large\n");
		abort();
	}
	kbuf_reserve(out, BOX_OVERHEAD + len);
	uint8_t *nonce = (uint8_t *)out->data + out->len;
	randombytes_buf(nonce, crypto_box_NONCEBYTES);
	if (crypto_box_easy(nonce + crypto_box_NONCEBYTES, plain, len, nonce, xpk, xsk) != 0) {
		fprintf(stderr, "kontor: kcrypto_box_seal: crypto_box_easy failed\n");
		abort();
	}
	out->len += BOX_OVERHEAD + len;
	out->data[out->len] = '\0';
	sodium_memzero(xsk, sizeof xsk);
}

int kcrypto_box_open(const void *boxed, size_t len, const uint8_t their_pk[KCRYPTO_PK_BYTES],
                     const uint8_t my_sk[KCRYPTO_SK_BYTES], struct kbuf *plain, struct kerr *e)
{
	uint8_t xpk[crypto_box_PUBLICKEYBYTES], xsk[crypto_box_SECRETKEYBYTES];
	if (len < BOX_OVERHEAD)
		return kerr_set(e, K_EVERIFY, "sealed message is %zu bytes, shorter than %d", len,
		                BOX_OVERHEAD);
	if (crypto_sign_ed25519_pk_to_curve25519(xpk, their_pk) != 0)
		return kerr_set(e, K_EVERIFY,
		                "sealed message: sender key is not a valid public key");
	crypto_sign_ed25519_sk_to_curve25519(xsk, my_sk);
	const uint8_t *b = boxed;
	size_t n = len - BOX_OVERHEAD;
	kbuf_reserve(plain, n);
	int rc =
	    crypto_box_open_easy((uint8_t *)plain->data + plain->len, b + crypto_box_NONCEBYTES,
	                         len - crypto_box_NONCEBYTES, b, xpk, xsk);
	sodium_memzero(xsk, sizeof xsk);
	if (rc != 0) {
		plain->data[plain->len] = '\0';
		return kerr_set(e, K_EVERIFY,
		                "sealed message does not authenticate (altered, or not from this "
		                "sender to this key)");
	}
	plain->len += n;
	plain->data[plain->len] = '\0';
	return K_OK;
}
