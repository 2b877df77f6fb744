/* fuzz_sync — the node's answer to a pull, as the client decodes it: the page of each type
 * (changes and the chained gets) and every object in it through the checks sync applies
 * before anything is cached. No crash, no hang, no leak on any bytes. */
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
		if (t == 0) {
			struct account a;
			if (account_from_json(o, &a, &e) == K_OK)
				account_free(&a);
		} else if (t == 1) {
			struct listing l;
			if (listing_from_json(o, &l, &e) == K_OK) {
				(void)listing_verify(&l, &e);
				listing_free(&l);
			}
		} else {
			(void)model_validate(sync_types[t], o, &e);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *resp = NULL;
	struct kerr e;
	if (size > (1u << 20) || json_parse((const char *)data, size, "fuzz", &resp, &e) != K_OK)
		return 0;
	for (int t = 0; t < SYNC_NTYPES; t++) {
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
