/* fuzz_sync — the node's answer to a pull, as the client decodes it: the page of each type
 * (changes and the chained gets), every object in it through sync_object_check (the checks
 * sync applies before anything is cached: malformed, or a signature that does not verify),
 * and the total the node states with the page cap made from it. No crash, no hang, no leak
 * on any bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/client/net/sync.h"
#include "kontor/json.h"
#include "kontor/model.h"

static void check_objects(int t, const cJSON *list)
{
	const cJSON *o;
	cJSON_ArrayForEach(o, list)
	{
		struct kerr e;
		struct listing l;
		int rc = sync_object_check(t, o, t == 1 ? &l : NULL, &e);
		if (rc != K_OK && rc != K_EINVAL && rc != K_EVERIFY)
			abort(); /* malformed or unverified are the only refusals */
		if (rc == K_OK && t == 1) {
			if (!l.id[0] || !l.seller_id[0] || !l.sku || !l.title || !l.ntiers)
				abort(); /* K_OK promises what the cache files a listing by */
			listing_free(&l);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *resp = NULL;
	struct kerr e;
	if (size > (1u << 20) || json_parse((const char *)data, size, "fuzz", &resp, &e) != K_OK)
		return 0;
	/* the page-packed image hashes spread onto the listings first, as the pull does */
	sync_unpack_image_hashes(resp);
	for (int t = 0; t < SYNC_NTYPES; t++) {
		int64_t total = 0;
		int rc = sync_decode_total(resp, t, &total, &e);
		if (rc == K_OK && total < -1)
			abort();
		int64_t cap = sync_page_cap(rc == K_OK ? total : -1, 1 + (int64_t)(size % 1000));
		if (cap < 1 || cap > KSYNC_PAGES_MAX)
			abort(); /* every pull is bounded */
		struct sync_page pg;
		if (sync_decode_page(resp, "t", t, &pg, &e) != K_OK || pg.error_type)
			continue;
		if (!pg.new_state || !cJSON_IsArray(pg.created) || !cJSON_IsArray(pg.updated) ||
		    !cJSON_IsArray(pg.destroyed))
			abort(); /* K_OK promises every part */
		check_objects(t, pg.created);
		check_objects(t, pg.updated);
	}
	cJSON_Delete(resp);
	return 0;
}
