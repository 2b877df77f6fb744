/* ksign — signs things for the shell tests, with libkontor's own code:
 *   ksign keygen SEEDHEX|random      key file on stdout: the secret key (standard base64)
 *                                    on line 1, the account id on line 2
 *   ksign id KEYFILE                 the account id
 *   ksign header KEYFILE BODYFILE [--created T] [--expires T] [--as ACCOUNTID]
 *                                    the Authorization header value (Beckn, DESIGN §4) for
 *                                    the body's exact bytes; keyId "<account>|k1|ed25519"
 *                                    (--as names another account, to make a wrong signature)
 *   ksign listing KEYFILE SKU TITLE PRICE CURRENCY [--moq N]
 *                                    a complete signed Listing JSON for Listing/set
 * Exit 0 when done, 1 when something failed, 2 for bad usage. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kontor/buf.h"
#include "kontor/crypto.h"
#include "kontor/err.h"
#include "kontor/json.h"
#include "kontor/model.h"

static int usage(void)
{
	fputs("usage: ksign keygen SEEDHEX|random\n"
	      "       ksign id KEYFILE\n"
	      "       ksign header KEYFILE BODYFILE [--created T] [--expires T] [--as ACCOUNTID]\n"
	      "       ksign listing KEYFILE SKU TITLE PRICE CURRENCY [--moq N]\n",
	      stderr);
	return 2;
}

/* A whole decimal number (optionally negative); 0 when s is one. */
static int parse_int(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno)
		return -1;
	*out = (int64_t)v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void print_key(const struct kkeypair *kp)
{
	struct kbuf b = KBUF_INIT;
	char id[KCRYPTO_ID_LEN + 1];
	kcrypto_b64_encode(kp->sk, KCRYPTO_SK_BYTES, KB64_STD, &b);
	kcrypto_account_id(kp->pk, id);
	printf("%s\n%s\n", kbuf_str(&b), id);
	kbuf_free(&b);
}

static int cmd_keygen(const char *arg)
{
	struct kkeypair kp;
	if (strcmp(arg, "random") == 0) {
		kcrypto_keypair_new(&kp);
	} else {
		uint8_t seed[32];
		if (strlen(arg) != 64)
			return usage();
		for (size_t i = 0; i < 32; i++) {
			int hi = hexval(arg[2 * i]), lo = hexval(arg[2 * i + 1]);
			if (hi < 0 || lo < 0)
				return usage();
			seed[i] = (uint8_t)(hi << 4 | lo);
		}
		kcrypto_keypair_from_seed(&kp, seed);
	}
	print_key(&kp);
	kcrypto_keypair_wipe(&kp);
	return 0;
}

/* Reads the first line of a key file written by keygen. */
static int load_key(const char *path, struct kkeypair *kp)
{
	struct kbuf b = KBUF_INIT;
	struct kerr e = {0, ""};
	if (kbuf_read_file(path, 4096, &b, &e) != K_OK) {
		fprintf(stderr, "ksign: %s\n", e.msg);
		return -1;
	}
	const char *text = kbuf_str(&b);
	size_t n = strcspn(text, "\r\n");
	size_t len = 0;
	int rc = kcrypto_b64_decode(text, n, KB64_STD, kp->sk, sizeof kp->sk, &len);
	kbuf_free(&b);
	if (rc != K_OK || len != KCRYPTO_SK_BYTES) {
		fprintf(stderr, "ksign: %s: not a key file from `ksign keygen`\n", path);
		return -1;
	}
	memcpy(kp->pk, kp->sk + 32, KCRYPTO_PK_BYTES);
	return 0;
}

static int cmd_id(const char *keyfile)
{
	struct kkeypair kp;
	char id[KCRYPTO_ID_LEN + 1];
	if (load_key(keyfile, &kp))
		return 1;
	kcrypto_account_id(kp.pk, id);
	kcrypto_keypair_wipe(&kp);
	printf("%s\n", id);
	return 0;
}

static int cmd_header(int argc, char **argv)
{
	const char *keyfile = argv[0], *bodyfile = argv[1], *as = NULL;
	int64_t created = (int64_t)time(NULL), expires = 0;
	int have_expires = 0;
	for (int i = 2; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage();
		if (strcmp(argv[i], "--created") == 0) {
			if (parse_int(argv[i + 1], &created))
				return usage();
		} else if (strcmp(argv[i], "--expires") == 0) {
			if (parse_int(argv[i + 1], &expires))
				return usage();
			have_expires = 1;
		} else if (strcmp(argv[i], "--as") == 0) {
			as = argv[i + 1];
		} else {
			return usage();
		}
	}
	if (!have_expires)
		expires = created + 60;
	struct kkeypair kp;
	if (load_key(keyfile, &kp))
		return 1;
	struct kbuf body = KBUF_INIT;
	struct kerr e = {0, ""};
	if (kbuf_read_file(bodyfile, 64u << 20, &body, &e) != K_OK) {
		fprintf(stderr, "ksign: %s\n", e.msg);
		kcrypto_keypair_wipe(&kp);
		return 1;
	}
	char id[KCRYPTO_ID_LEN + 1];
	kcrypto_account_id(kp.pk, id);
	struct kbuf key_id = KBUF_INIT, out = KBUF_INIT;
	kbuf_printf(&key_id, "%s|k1|ed25519", as ? as : id);
	kcrypto_beckn_authorization(kbuf_str(&key_id), created, expires, body.data, body.len, kp.sk,
	                            &out);
	printf("%s\n", kbuf_str(&out));
	kcrypto_keypair_wipe(&kp);
	kbuf_free(&key_id);
	kbuf_free(&out);
	kbuf_free(&body);
	return 0;
}

static int cmd_listing(int argc, char **argv)
{
	int64_t price, moq = 1;
	if (parse_int(argv[3], &price) || strlen(argv[4]) != 3)
		return usage();
	for (int i = 5; i < argc; i += 2) {
		if (i + 1 >= argc || strcmp(argv[i], "--moq") != 0 || parse_int(argv[i + 1], &moq))
			return usage();
	}
	struct kkeypair kp;
	if (load_key(argv[0], &kp))
		return 1;
	struct listing l;
	listing_init(&l);
	l.sku = strdup(argv[1]);
	l.title = strdup(argv[2]);
	memcpy(l.currency, argv[4], 4);
	l.moq = moq;
	l.tiers = calloc(1, sizeof *l.tiers);
	if (!l.sku || !l.title || !l.tiers) {
		fputs("ksign: out of memory\n", stderr);
		abort();
	}
	l.ntiers = 1;
	l.tiers[0].min_qty = moq;
	l.tiers[0].unit_price = price;
	model_now(l.created);
	memcpy(l.updated, l.created, sizeof l.updated);
	struct kerr e = {0, ""};
	int rc = 1;
	if (listing_validate(&l, &e) != K_OK || listing_sign(&l, &kp, &e) != K_OK) {
		fprintf(stderr, "ksign: %s\n", e.msg);
	} else {
		cJSON *j = listing_to_json(&l, 1);
		struct kbuf out = KBUF_INIT;
		json_print(j, &out);
		printf("%s\n", kbuf_str(&out));
		kbuf_free(&out);
		cJSON_Delete(j);
		rc = 0;
	}
	listing_free(&l);
	kcrypto_keypair_wipe(&kp);
	return rc;
}

int main(int argc, char **argv)
{
	struct kerr e = {0, ""};
	if (kcrypto_init(&e) != K_OK) {
		fprintf(stderr, "ksign: %s\n", e.msg);
		return 1;
	}
	if (argc < 2)
		return usage();
	const char *cmd = argv[1];
	if (strcmp(cmd, "keygen") == 0 && argc == 3)
		return cmd_keygen(argv[2]);
	if (strcmp(cmd, "id") == 0 && argc == 3)
		return cmd_id(argv[2]);
	if (strcmp(cmd, "header") == 0 && argc >= 4)
		return cmd_header(argc - 2, argv + 2);
	if (strcmp(cmd, "listing") == 0 && argc >= 7)
		return cmd_listing(argc - 2, argv + 2);
	return usage();
}
