/* fuzz_api — bytes as a POST /api body into api_handle against a temporary database, once
 * anonymous and once signed by a registered account. Whatever comes in, the answer is one
 * of the statuses api_handle promises and its body is JSON. The database starts over every
 * few thousand inputs so writes never pile up. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kontor/codes.h"
#include "kontor/crypto.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "../../src/node/node.h"
#include "../../src/node/store/nstore.h"

#define RESET_EVERY 4000

/* node.c may not be linked in: a stand-in. */
__attribute__((weak)) void node_notify(struct node *n)
{
	(void)n;
}

static struct node node;
static char dir[64], path[96];
static struct kkeypair key_a, key_b;
static char id_a[KCRYPTO_ID_LEN + 1], id_b[KCRYPTO_ID_LEN + 1];
static long runs;

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "fuzz_api: %s: %s\n", what, msg);
	abort();
}

static void must_api(const char *caller, const char *body)
{
	struct api_caller who = {caller, "fuzz"};
	struct kbuf out = KBUF_INIT, methods = KBUF_INIT;
	int st = api_handle(&node, &who, body, strlen(body), &out, &methods);
	if (st != 200)
		die("seeding request failed", kbuf_str(&out));
	kbuf_free(&out);
	kbuf_free(&methods);
}

/* Two accounts, a listing and a conversation, so get/set paths find something. */
static void seed(void)
{
	struct kbuf b = KBUF_INIT;
	must_api(id_a,
	         "{\"using\":[],\"methodCalls\":[[\"Account/set\",{\"create\":{\"a\":"
	         "{\"displayName\":\"Alpha\",\"country\":\"DE\",\"handle\":\"alpha\"}}},\"0\"]]}");
	must_api(id_b, "{\"using\":[],\"methodCalls\":[[\"Account/set\",{\"create\":{\"b\":"
	               "{\"displayName\":\"Beta\",\"country\":\"CN\"}}},\"0\"]]}");
	struct listing l;
	struct kerr e = {0, ""};
	listing_init(&l);
	l.sku = strdup("FZ-1");
	l.title = strdup("铁艺桌腿 iron table leg");
	snprintf(l.currency, sizeof l.currency, "EUR");
	snprintf(l.ships_from, sizeof l.ships_from, "DE");
	l.ntiers = 1;
	l.tiers = calloc(1, sizeof *l.tiers);
	l.tiers[0].min_qty = 1;
	l.tiers[0].unit_price = 1250;
	kstrv_push(&l.incoterms, "FOB");
	if (listing_sign(&l, &key_a, &e) != K_OK)
		die("sign", e.msg);
	cJSON *j = listing_to_json(&l, 1);
	kbuf_puts(&b, "{\"using\":[],\"methodCalls\":[[\"Listing/set\",{\"create\":{\"l\":");
	json_print(j, &b);
	kbuf_puts(&b, "}},\"0\"]]}");
	must_api(id_a, kbuf_str(&b));
	cJSON_Delete(j);
	listing_free(&l);
	kbuf_reset(&b);
	kbuf_printf(&b,
	            "{\"using\":[],\"methodCalls\":[[\"Conversation/set\",{\"create\":{\"c\":"
	            "{\"id\":\"C1\",\"participants\":[\"%s\",\"%s\"]}}},\"0\"]]}",
	            id_a, id_b);
	must_api(id_a, kbuf_str(&b));
	kbuf_free(&b);
}

static void open_fresh(void)
{
	struct kerr e = {0, ""};
	if (node.store)
		nstore_close(&node.store);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -f %s %s-wal %s-shm", path, path, path);
	if (system(cmd) != 0)
		die("reset", "rm failed");
	if (nstore_open(path, 1, &node.store, &e) != K_OK)
		die("open", e.msg);
	seed();
}

static void cleanup(void)
{
	char cmd[96];
	nstore_close(&node.store);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_api: could not remove %s\n", dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	struct kerr e = {0, ""};
	if (kcrypto_init(&e) != K_OK || codes_load(&e) != K_OK)
		die("init", e.msg);
	snprintf(dir, sizeof dir, "/tmp/fuzz-api-XXXXXX");
	if (!mkdtemp(dir))
		die("init", "mkdtemp failed");
	snprintf(path, sizeof path, "%s/node.db", dir);
	snprintf(node.name, sizeof node.name, "fuzz");
	kcrypto_keypair_new(&node.key);
	kcrypto_account_id(node.key.pk, node.key_id);
	struct node_limits *l = &node.limits;
	l->max_size_request = 1 << 20;
	l->max_calls_in_request = 16;
	l->max_objects_in_get = 100;
	l->max_objects_in_set = 20;
	l->max_query_limit = 100;
	l->max_upload = 1 << 20;
	l->max_connections = 16;
	l->rate_account_per_min = 600;
	l->rate_addr_per_min = 3000;
	l->max_changes = 500;
	pthread_mutex_init(&node.ev_lock, NULL);
	pthread_cond_init(&node.ev_cond, NULL);
	/* The signed caller's key from a fixed seed: the corpus can name its own objects (its
	 * wallet, W + the id ksign prints for seed 01...01). */
	uint8_t seed[32];
	memset(seed, 1, sizeof seed);
	kcrypto_keypair_from_seed(&key_a, seed);
	kcrypto_keypair_new(&key_b);
	kcrypto_account_id(key_a.pk, id_a);
	kcrypto_account_id(key_b.pk, id_b);
	open_fresh();
	atexit(cleanup);
	return 0;
}

static void one(const char *caller, const uint8_t *data, size_t size)
{
	struct api_caller who = {caller, "fuzz"};
	struct kbuf out = KBUF_INIT, methods = KBUF_INIT;
	int st = api_handle(&node, &who, (const char *)data, size, &out, &methods);
	if (st != 200 && st != 400 && st != 401 && st != 413)
		die("unexpected status", kbuf_str(&out));
	if (st == 401 && caller)
		die("401 for a signed caller", kbuf_str(&out));
	cJSON *j = NULL;
	struct kerr e = {0, ""};
	if (json_parse(kbuf_str(&out), out.len, "response", &j, &e) != K_OK)
		die("response is not JSON", e.msg);
	cJSON_Delete(j);
	kbuf_free(&out);
	kbuf_free(&methods);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (++runs % RESET_EVERY == 0)
		open_fresh();
	one(NULL, data, size);
	one(id_a, data, size);
	return 0;
}
