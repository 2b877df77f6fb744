/* accounts — profiles seen (our own included). A seller's verified flag and rating feed
 * search filters and ordering, so a change to either re-indexes that seller's listings. */
#include "store_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/buf.h"
#include "kontor/json.h"

/* The store trusts what it is given: sync checks an attestation's signature against the
 * node keys it trusts and strips one that fails before the account reaches here. What is
 * left to decide is whether it is still in force. */
static int attestation_current(const struct account *a)
{
	if (!a->attestation)
		return 0;
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(a->attestation, "expires");
	if (!cJSON_IsString(x))
		return 0;
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	return strcmp(x->valuestring, now) > 0; /* RFC 3339 UTC of one form sorts as time */
}

/* Whether the search keys of a seller's listings change between two states. */
static int index_differs(const struct seller_state *a, const struct seller_state *b)
{
	int64_t ca = a->rating_count > 255 ? 255 : a->rating_count;
	int64_t cb = b->rating_count > 255 ? 255 : b->rating_count;
	return a->verified != b->verified || ca != cb ||
	       (a->rating_count > 0 && lround(a->rating_avg * 100) != lround(b->rating_avg * 100));
}

static int put_locked(struct store *s, const struct account *a, struct kerr *e)
{
	struct seller_state old, now;
	int rc = store_seller_state(s, a->id, &old, e);
	if (rc)
		return rc;
	now.verified = attestation_current(a);
	/* sum / count is what the node sends; average is for callers that only have it. */
	now.rating_avg = a->rating.count <= 0 ? 0
	                 : a->rating.sum > 0  ? (double)a->rating.sum / (double)a->rating.count
	                                      : a->rating.average;
	now.rating_count = a->rating.count;

	cJSON *j = account_to_json(a);
	struct kbuf json = KBUF_INIT;
	json_print(j, &json);
	cJSON_Delete(j);
	char seen[MODEL_TIME_LEN + 1];
	model_now(seen);
	sqlite3_stmt *st = store_stmt(s, ST_A_PUT, e);
	if (!st) {
		kbuf_free(&json);
		return K_EDB;
	}
	store_bind_text(st, 1, a->id);
	sqlite3_bind_text(st, 2, kbuf_str(&json), (int)json.len, SQLITE_STATIC);
	store_bind_text(st, 3, a->handle);
	store_bind_text(st, 4, a->display_name);
	store_bind_text(st, 5, a->country);
	sqlite3_bind_int(st, 6, now.verified);
	sqlite3_bind_double(st, 7, now.rating_avg);
	sqlite3_bind_int64(st, 8, now.rating_count);
	store_bind_text(st, 9, seen);
	rc = sqlite3_step(st) == SQLITE_DONE ? K_OK : store_dberr(s, e, "writing an account");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	kbuf_free(&json);
	if (!rc && index_differs(&old, &now))
		rc = listings_reindex_seller(s, a->id, &now, e);
	return rc;
}

int store_account_put(struct store *s, const struct account *a, struct kerr *e)
{
	if (!a->id[0])
		return kerr_set(e, K_EINVAL, "account: id is missing");
	int rc = store_wbegin(s, e);
	if (rc)
		return rc;
	if ((rc = put_locked(s, a, e)))
		kerr_prefix(e, "account %s", a->id);
	return store_wfinish(s, rc, e);
}

/* store_read_into's parse: out was initialised by store_account_get. */
static int account_parse(const cJSON *j, void *out, struct kerr *e)
{
	account_free(out);
	return account_from_json(j, out, e);
}

int store_account_get(struct store *s, const char *id, struct account *out, struct kerr *e)
{
	account_init(out);
	return store_read_into(s, ST_A_GET, id, "account", account_parse, out, e);
}
