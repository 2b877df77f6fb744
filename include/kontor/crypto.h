/* crypto — everything kontor signs, seals, hashes or encrypts, over libsodium:
 * account keys and the encrypted identity file, domain-separated object signatures,
 * the Beckn HTTP signature, sealed message boxes, BLAKE2b and base64.
 * Secrets never reach a log or an error message. */
#ifndef KONTOR_CRYPTO_H
#define KONTOR_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "kontor/buf.h"
#include "kontor/err.h"

#define KCRYPTO_PK_BYTES 32
#define KCRYPTO_SK_BYTES 64 /* libsodium form: seed || public key */
#define KCRYPTO_SIG_BYTES 64
#define KCRYPTO_ID_LEN 43       /* base64url, unpadded, of 32 bytes */
#define KCRYPTO_HASH_B64_LEN 43 /* base64url of a 32-byte BLAKE2b-256 */

/* Must be called once before anything else here (idempotent). */
int kcrypto_init(struct kerr *e);

struct kkeypair {
	uint8_t pk[KCRYPTO_PK_BYTES];
	uint8_t sk[KCRYPTO_SK_BYTES];
};

void kcrypto_keypair_new(struct kkeypair *kp);
/* The key pair a 32-byte seed determines (crypto_sign_seed_keypair): for reproducible demo
 * and test data only; real keys come from kcrypto_keypair_new. */
void kcrypto_keypair_from_seed(struct kkeypair *kp, const uint8_t seed[32]);
/* Wipes the secret key. */
void kcrypto_keypair_wipe(struct kkeypair *kp);
/* n bytes from the OS's random source (for creation ids and SKUs; never fails). */
void kcrypto_random(void *buf, size_t n);
/* The X25519 key sealed messages to this account are boxed for (DESIGN §3): base64url,
 * unpadded, of crypto_sign_ed25519_pk_to_curve25519(pk). K_EINVAL for an invalid key. */
int kcrypto_box_key(const uint8_t pk[KCRYPTO_PK_BYTES], char out[KCRYPTO_ID_LEN + 1],
                    struct kerr *e);

/* Account id = unpadded base64url of the public key; out has room for KCRYPTO_ID_LEN+1. */
/* 1 when s has the shape of an account id or an object hash: exactly 43 characters of
 * base64url. One in 64 of them starts with '-', so command lines must take such a word
 * for an argument, never an option. */
int kcrypto_id_shaped(const char *s);
void kcrypto_account_id(const uint8_t pk[KCRYPTO_PK_BYTES], char out[KCRYPTO_ID_LEN + 1]);
/* Parses an account id back to a public key; K_EINVAL naming the id when malformed. */
int kcrypto_account_pk(const char *id, uint8_t pk[KCRYPTO_PK_BYTES], struct kerr *e);

/* --- identity.key --------------------------------------------------------------
 * The secret key encrypted with XChaCha20-Poly1305 under a key from Argon2id
 * (crypto_pwhash, moderate limits), written atomically with mode 0600.
 * passphrase NULL means stored unencrypted (kontor init --no-passphrase). */
int kcrypto_identity_save(const char *path, const struct kkeypair *kp, const char *passphrase,
                          struct kerr *e);
/* K_EPASS for a wrong passphrase, K_ENOTFOUND when the file is missing, K_EINVAL when it is
 * damaged, and K_EPASS also when a passphrase is needed but NULL was given. K_EIO when group
 * or others have any access to it (chmod 600), K_ENEWER for a newer format. A damaged
 * ciphertext cannot be told from a wrong passphrase (both K_EPASS). */
int kcrypto_identity_load(const char *path, const char *passphrase, struct kkeypair *kp,
                          struct kerr *e);
/* 1 when the file on disk is passphrase-protected, 0 when not, negative on error. */
int kcrypto_identity_encrypted(const char *path, struct kerr *e);

/* --- hashing and encoding ---------------------------------------------------- */
/* BLAKE2b with outlen 16..64 and optional key (keylen 0 or 16..64: libsodium's limits);
 * K_EINVAL for other lengths. */
int kcrypto_blake2b(uint8_t *out, size_t outlen, const void *in, size_t inlen, const uint8_t *key,
                    size_t keylen);
/* base64url, unpadded, of BLAKE2b-256(data): the hash of contract sections and blob ids. */
void kcrypto_hash_b64url(const void *data, size_t len, char out[KCRYPTO_HASH_B64_LEN + 1]);

enum kb64 { KB64_STD, KB64_URL_NOPAD };
/* Appends the base64 of bin to out. */
void kcrypto_b64_encode(const void *bin, size_t len, enum kb64 v, struct kbuf *out);
/* Decodes into bin (capacity cap); *len gets the size. K_EINVAL when malformed or too long. */
int kcrypto_b64_decode(const char *s, size_t slen, enum kb64 v, uint8_t *bin, size_t cap,
                       size_t *len);

/* --- object signatures: Ed25519 over "kontor/v1/" kind "\0" canonical-bytes ----- */
void kcrypto_sign_object(const char *kind, const void *canon, size_t len,
                         const uint8_t sk[KCRYPTO_SK_BYTES], uint8_t sig[KCRYPTO_SIG_BYTES]);
/* K_OK or K_EVERIFY. */
int kcrypto_verify_object(const char *kind, const void *canon, size_t len,
                          const uint8_t pk[KCRYPTO_PK_BYTES], const uint8_t sig[KCRYPTO_SIG_BYTES],
                          struct kerr *e);
/* Same, with the signature as standard base64 text and the signer as an account id; a
 * malformed id or signature text is also K_EVERIFY. */
void kcrypto_sign_object_b64(const char *kind, const void *canon, size_t len,
                             const uint8_t sk[KCRYPTO_SK_BYTES], struct kbuf *sig_b64);
int kcrypto_verify_object_b64(const char *kind, const void *canon, size_t len,
                              const char *account_id, const char *sig_b64, struct kerr *e);

/* --- Beckn HTTP signature (DESIGN §4) ------------------------------------------
 * digest = base64(BLAKE2b-512(body)); signing string
 * "(created): C\n(expires): X\ndigest: BLAKE-512=D"; header
 * Signature keyId="sub|ukid|ed25519",algorithm="ed25519",created="C",expires="X",
 * headers="(created) (expires) digest",signature="S" */
#define KBECKN_MAX_TTL 300
#define KBECKN_MAX_SKEW 30

void kcrypto_beckn_digest(const void *body, size_t len, struct kbuf *out_b64);
void kcrypto_beckn_signing_string(int64_t created, int64_t expires, const char *digest_b64,
                                  struct kbuf *out);
/* key_id is "subscriber|ukid|ed25519". Appends the whole Authorization header value. */
void kcrypto_beckn_authorization(const char *key_id, int64_t created, int64_t expires,
                                 const void *body, size_t len, const uint8_t sk[KCRYPTO_SK_BYTES],
                                 struct kbuf *out);

struct kbeckn_sig {
	char subscriber_id[256];
	char unique_key_id[128];
	char algorithm[32];
	int64_t created;
	int64_t expires;
	char headers[128];
	uint8_t sig[KCRYPTO_SIG_BYTES];
};
/* Parses an Authorization header value (bounded: refuses over 2 KiB, unknown or repeated
 * parameters, bad quoting). K_EINVAL with the reason. */
int kcrypto_beckn_parse(const char *header, size_t len, struct kbeckn_sig *out, struct kerr *e);
/* Checks time window (now; created not beyond KBECKN_MAX_SKEW in the future, expires not
 * passed, TTL <= KBECKN_MAX_TTL unless max_ttl overrides: pass 0 for the default), the body
 * digest, and the signature against pk. K_EVERIFY with the reason. */
int kcrypto_beckn_verify(const struct kbeckn_sig *s, const void *body, size_t len,
                         const uint8_t pk[KCRYPTO_PK_BYTES], int64_t now, int64_t max_ttl,
                         struct kerr *e);

/* --- sealed messages: crypto_box between the parties' X25519 keys -------------
 * Output = 24-byte random nonce || ciphertext (plain len + 16). their_pk must be a valid
 * public key (as kcrypto_account_pk guarantees); seal aborts on one that is not. */
void kcrypto_box_seal(const void *plain, size_t len, const uint8_t their_pk[KCRYPTO_PK_BYTES],
                      const uint8_t my_sk[KCRYPTO_SK_BYTES], struct kbuf *out);
int kcrypto_box_open(const void *boxed, size_t len, const uint8_t their_pk[KCRYPTO_PK_BYTES],
                     const uint8_t my_sk[KCRYPTO_SK_BYTES], struct kbuf *plain, struct kerr *e);
/* 16 bytes that the two parties, and no one else, make alike for what (a conversation's
 * topic): BLAKE2b of what keyed with their crypto_box shared key. So both sides name a
 * conversation they open before either has synced the other's the same, and no third
 * party can take that name first. their_pk as for kcrypto_box_seal. */
void kcrypto_pair_id(const uint8_t their_pk[KCRYPTO_PK_BYTES],
                     const uint8_t my_sk[KCRYPTO_SK_BYTES], const void *what, size_t len,
                     uint8_t out[16]);

#endif
