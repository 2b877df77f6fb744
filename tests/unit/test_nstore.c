/* test_nstore — the node store: migrations and a newer schema refused, one connection per
 * thread, objects and their change log (created/updated/destroyed, paging, the tombstone
 * horizon), creation ids, blobs, the listing index (CJK by substring, every filter and
 * sort) and a restart that keeps everything. Needs Debian's iso-codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kontor/canon.h"
#include "kontor/codes.h"
#include "kontor/crypto.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "../../src/node/store/nstore.h"
#include "../../src/node/store/nstore_int.h"

static struct kkeypair seller_a, seller_b;
static char id_a[KCRYPTO_ID_LEN + 1], id_b[KCRYPTO_ID_LEN + 1];

struct fx {
	char dir[64];
	char path[96];
	struct nstore *s;
};

static int group_setup(void **state)
{
	struct kerr e = {0, ""};
	if (kcrypto_init(&e) != K_OK || codes_load(&e) != K_OK) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	kcrypto_keypair_new(&seller_a);
	kcrypto_keypair_new(&seller_b);
	kcrypto_account_id(seller_a.pk, id_a);
	kcrypto_account_id(seller_b.pk, id_b);
	return 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/nstore-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/node.db", f->dir);
	struct kerr e = {0, ""};
	if (nstore_open(f->path, 1, &f->s, &e) != K_OK) {
		fprintf(stderr, "open: %s\n", e.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	nstore_close(&f->s);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void must(int rc, const struct kerr *e)
{
	if (rc != K_OK)
		fail_msg("unexpected failure %d: %s", rc, e->msg);
}

static void make_listing(struct listing *l, const struct kkeypair *kp, const char *sku,
                         const char *title, const char *currency, int64_t price, int64_t moq,
                         const char *country, const char *category, const char *incoterm)
{
	struct kerr e = {0, ""};
	listing_init(l);
	l->sku = strdup(sku);
	l->title = strdup(title);
	if (category)
		l->category = strdup(category);
	snprintf(l->currency, sizeof l->currency, "%s", currency);
	snprintf(l->ships_from, sizeof l->ships_from, "%s", country);
	l->ntiers = 1;
	l->tiers = calloc(1, sizeof *l->tiers);
	l->tiers[0].min_qty = moq;
	l->tiers[0].unit_price = price;
	l->moq = moq;
	if (incoterm)
		kstrv_push(&l->incoterms, incoterm);
	model_now(l->created);
	model_now(l->updated);
	must(listing_sign(l, kp, &e), &e);
}

static void put_listing(struct nstore *s, const struct kkeypair *kp, const char *sku,
                        const char *title, const char *currency, int64_t price, int64_t moq,
                        const char *country, const char *category, const char *incoterm)
{
	struct listing l;
	struct kerr e = {0, ""};
	make_listing(&l, kp, sku, title, currency, price, moq, country, category, incoterm);
	must(nstore_listing_put(s, &l, &e), &e);
	listing_free(&l);
}

static void put_account(struct nstore *s, const char *id, const char *name, int verified,
                        int64_t sum, int64_t count)
{
	struct account a;
	struct kerr e = {0, ""};
	account_init(&a);
	snprintf(a.id, sizeof a.id, "%s", id);
	a.display_name = strdup(name);
	snprintf(a.country, sizeof a.country, "DE");
	snprintf(a.role, sizeof a.role, "supplier");
	if (verified) {
		cJSON *att = cJSON_CreateObject();
		cJSON_AddStringToObject(att, "legalName", name);
		a.attestation = att;
	}
	a.rating.sum = sum;
	a.rating.count = count;
	model_now(a.created);
	must(nstore_account_put(s, &a, &e), &e);
	account_free(&a);
}

static struct nlisting_query query(const char *text)
{
	struct nlisting_query q;
	memset(&q, 0, sizeof q);
	q.filter = (struct ksearch_query)KSEARCH_QUERY_ANY;
	q.filter.text = text;
	q.page.limit = 50;
	q.page.calc_total = 1;
	return q;
}

static int has(const struct nids *r, const char *id)
{
	for (size_t i = 0; i < r->ids.n; i++)
		if (strcmp(r->ids.v[i], id) == 0)
			return 1;
	return 0;
}

static void listing_id_of(const struct kkeypair *kp, const char *sku, char out[24])
{
	char seller[KCRYPTO_ID_LEN + 1];
	kcrypto_account_id(kp->pk, seller);
	listing_make_id(seller, sku, out);
}

/* ---------------------------------------------------------------- tests */

static void test_open_missing_without_create_is_notfound(void **state)
{
	struct nstore *s = NULL;
	struct kerr e = {0, ""};
	assert_int_equal(nstore_open("/tmp/no/such/node.db", 0, &s, &e), K_ENOTFOUND);
	assert_null(s);
}

static void test_open_refuses_newer_schema(void **state)
{
	struct fx *f = *state;
	nstore_close(&f->s);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	struct kerr e = {0, ""};
	assert_int_equal(nstore_open(f->path, 0, &f->s, &e), K_ENEWER);
	assert_non_null(strstr(e.msg, "newer"));
}

static void test_meta_set_get_and_missing(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	char *v = NULL;
	assert_int_equal(nstore_meta_get(f->s, "name", &v, &e), K_ENOTFOUND);
	must(nstore_meta_set(f->s, "name", "alpha", &e), &e);
	must(nstore_meta_set(f->s, "name", "beta", &e), &e);
	must(nstore_meta_get(f->s, "name", &v, &e), &e);
	assert_string_equal(v, "beta");
	free(v);
}

static void test_blob_same_bytes_is_one_blob(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	char id1[KCRYPTO_HASH_B64_LEN + 1], id2[KCRYPTO_HASH_B64_LEN + 1], type[64];
	must(nstore_blob_put(f->s, "hello", 5, "text/plain", id_a, id1, &e), &e);
	must(nstore_blob_put(f->s, "hello", 5, "text/plain", id_b, id2, &e), &e);
	assert_string_equal(id1, id2);
	struct kbuf b = KBUF_INIT;
	must(nstore_blob_get(f->s, id1, &b, type, &e), &e);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "hello", 5);
	assert_string_equal(type, "text/plain");
	assert_int_equal(nstore_blob_get(f->s, "nope", &b, type, &e), K_ENOTFOUND);
	kbuf_free(&b);
	assert_true(nstore_db_size(f->s) > 0);
}

/* Account/query by a whole handle (how a client looks up an @handle it has not cached)
 * finds the one account through the handle's index: its statements step through no table
 * scan, where the query without a handle does. */
static void test_account_query_by_handle_uses_its_index(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	const char *ids[2] = {id_a, id_b}, *handles[2] = {"alpha", "beta"};
	for (int i = 0; i < 2; i++) {
		struct account a;
		account_init(&a);
		snprintf(a.id, sizeof a.id, "%s", ids[i]);
		a.display_name = strdup(handles[i]);
		a.handle = strdup(handles[i]);
		snprintf(a.country, sizeof a.country, "DE");
		must(nstore_account_put(f->s, &a, &e), &e);
		account_free(&a);
	}
	struct nquery q;
	memset(&q, 0, sizeof q);
	q.vals[2].is_flag = 1;
	q.vals[2].flag = -1;
	q.vals[3].text = "beta";
	q.page.limit = 50;
	q.page.calc_total = 1;
	struct nids r;
	must(nstore_query(f->s, NT_ACCOUNT, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	assert_string_equal(r.ids.v[0], id_b);
	assert_int_equal(r.total, 1);
	nids_free(&r);
	struct nconn *c = nstore_conn(f->s, &e);
	assert_non_null(c);
	assert_int_equal(sqlite3_stmt_status(nstore_stmt(c, S_A_QUERY_H_DESC, &e),
	                                     SQLITE_STMTSTATUS_FULLSCAN_STEP, 0),
	                 0);
	assert_int_equal(sqlite3_stmt_status(nstore_stmt(c, S_A_COUNT_H, &e),
	                                     SQLITE_STMTSTATUS_FULLSCAN_STEP, 0),
	                 0);
	/* without the handle: every account, by a scan, which the counter does see */
	q.vals[3].text = NULL;
	must(nstore_query(f->s, NT_ACCOUNT, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 2);
	assert_int_equal(r.total, 2);
	nids_free(&r);
	assert_true(sqlite3_stmt_status(nstore_stmt(c, S_A_COUNT, &e),
	                                SQLITE_STMTSTATUS_FULLSCAN_STEP, 0) > 0);
}

static void test_account_put_get_and_handle_taken(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	struct account a;
	account_init(&a);
	snprintf(a.id, sizeof a.id, "%s", id_a);
	a.display_name = strdup("Alpha GmbH");
	a.handle = strdup("alpha");
	snprintf(a.country, sizeof a.country, "DE");
	must(nstore_account_put(f->s, &a, &e), &e);
	char who[KCRYPTO_ID_LEN + 1];
	must(nstore_account_by_handle(f->s, "alpha", who, &e), &e);
	assert_string_equal(who, id_a);
	snprintf(a.id, sizeof a.id, "%s", id_b);
	assert_int_equal(nstore_account_put(f->s, &a, &e), K_EEXIST);
	assert_non_null(strstr(e.msg, "handle"));
	account_free(&a);

	struct nobj o = {KBUF_INIT, "", ""};
	must(nstore_get(f->s, NT_ACCOUNT, id_a, &o, &e), &e);
	assert_non_null(strstr(kbuf_str(&o.json), "\"displayName\":\"Alpha GmbH\""));
	assert_string_equal(o.owner, id_a);
	assert_int_equal(nstore_get(f->s, NT_ACCOUNT, id_b, &o, &e), K_ENOTFOUND);
	nobj_free(&o);
}

static void test_changes_created_updated_destroyed(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	int64_t s0, s1, s2, ns;
	must(nstore_state(f->s, NT_LISTING, &s0, &e), &e);
	assert_int_equal(s0, 0);
	put_listing(f->s, &seller_a, "A1", "Iron table leg", "EUR", 1200, 10, "DE", NULL, NULL);
	put_listing(f->s, &seller_a, "A2", "Steel bracket", "EUR", 300, 100, "DE", NULL, NULL);
	must(nstore_state(f->s, NT_LISTING, &s1, &e), &e);
	assert_true(s1 > s0);
	put_listing(f->s, &seller_a, "A1", "Iron table leg, black", "EUR", 1200, 10, "DE", NULL,
	            NULL);
	char a1[24], a2[24];
	listing_id_of(&seller_a, "A1", a1);
	listing_id_of(&seller_a, "A2", a2);
	must(nstore_destroy(f->s, NT_LISTING, a2, &e), &e);
	must(nstore_state(f->s, NT_LISTING, &s2, &e), &e);

	struct nchange *ch;
	size_t n;
	int more;
	must(nstore_changes(f->s, NT_LISTING, NULL, s1, 100, &ch, &n, &more, &ns, &e), &e);
	assert_int_equal(n, 2);
	assert_false(more);
	assert_int_equal(ns, s2);
	assert_string_equal(ch[0].id, a1);
	assert_int_equal(ch[0].kind, NCH_UPDATED);
	assert_string_equal(ch[1].id, a2);
	assert_int_equal(ch[1].kind, NCH_DESTROYED);
	free(ch);
	/* From the start: A1 is new, A2 came and went and is not mentioned. */
	must(nstore_changes(f->s, NT_LISTING, NULL, 0, 100, &ch, &n, &more, &ns, &e), &e);
	assert_int_equal(n, 1);
	assert_int_equal(ch[0].kind, NCH_CREATED);
	free(ch);
	assert_int_equal(nstore_destroy(f->s, NT_LISTING, a2, &e), K_ENOTFOUND);
	assert_int_equal(
	    nstore_changes(f->s, NT_LISTING, NULL, s2 + 5, 10, &ch, &n, &more, &ns, &e), K_ERANGE);
}

static void test_changes_paging_sets_more_and_midway_state(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	char sku[16];
	for (int i = 0; i < 7; i++) {
		snprintf(sku, sizeof sku, "P%d", i);
		put_listing(f->s, &seller_a, sku, "Cotton fabric", "USD", 500 + i, 1, "IN", NULL,
		            NULL);
	}
	int64_t since = 0, ns;
	size_t total = 0, n;
	int more, pages = 0;
	do {
		struct nchange *ch;
		must(nstore_changes(f->s, NT_LISTING, NULL, since, 3, &ch, &n, &more, &ns, &e), &e);
		total += n;
		pages++;
		assert_true(ns > since);
		since = ns;
		free(ch);
	} while (more);
	assert_int_equal(total, 7);
	assert_int_equal(pages, 3);
}

/* ownSets: what the caller wrote itself, in (old, new] of its /set, stays out of its pull
 * while that write is the object's latest; a later write by anyone brings it; the pages
 * are cut as without it. */
static void test_changes_leave_out_own_writes_until_changed_again(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	int64_t s0, s1, s2, ns;
	char sku[16], id[24];
	must(nstore_state(f->s, NT_LISTING, &s0, &e), &e);
	for (int i = 0; i < 5; i++) {
		snprintf(sku, sizeof sku, "W%d", i);
		put_listing(f->s, &seller_a, sku, "Rattan basket", "VND", 185000, 1, "VN", NULL,
		            NULL);
	}
	must(nstore_state(f->s, NT_LISTING, &s1, &e), &e);
	put_listing(f->s, &seller_b, "OTHER", "Bamboo lamp", "VND", 320000, 1, "VN", NULL, NULL);
	const int64_t own[1][2] = {{s0, s1}};
	struct nchange *ch;
	size_t n;
	int more;
	must(nstore_changes_scoped(f->s, NT_LISTING, NULL, NSCOPE_ALL, NULL, own, 1, s0, 100, &ch,
	                           &n, &more, &ns, &e),
	     &e);
	listing_id_of(&seller_b, "OTHER", id);
	assert_int_equal(n, 1); /* only the other seller's */
	assert_string_equal(ch[0].id, id);
	free(ch);
	/* W2 written again (another device of hers): it comes, and only it of hers */
	put_listing(f->s, &seller_a, "W2", "Rattan basket, large", "VND", 245000, 1, "VN", NULL,
	            NULL);
	must(nstore_state(f->s, NT_LISTING, &s2, &e), &e);
	must(nstore_changes_scoped(f->s, NT_LISTING, NULL, NSCOPE_ALL, NULL, own, 1, s0, 100, &ch,
	                           &n, &more, &ns, &e),
	     &e);
	listing_id_of(&seller_a, "W2", id);
	assert_int_equal(n, 2);
	assert_string_equal(ch[1].id, id);
	assert_int_equal(ns, s2);
	free(ch);
	/* pages of 3 rows: the first holds her three left out, and says more from past them */
	must(nstore_changes_scoped(f->s, NT_LISTING, NULL, NSCOPE_ALL, NULL, own, 1, s0, 3, &ch, &n,
	                           &more, &ns, &e),
	     &e);
	assert_int_equal(n, 0);
	assert_true(more);
	assert_true(ns > s0 && ns <= s1);
	free(ch);
	/* without them, all six objects */
	must(nstore_changes_scoped(f->s, NT_LISTING, NULL, NSCOPE_ALL, NULL, NULL, 0, s0, 100, &ch,
	                           &n, &more, &ns, &e),
	     &e);
	assert_int_equal(n, 6);
	free(ch);
}

static void test_prune_past_horizon_cannot_calculate(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	put_listing(f->s, &seller_a, "T1", "Ceramic tile", "EUR", 99, 1, "IT", NULL, NULL);
	char t1[24];
	listing_id_of(&seller_a, "T1", t1);
	int64_t before, after, ns;
	must(nstore_state(f->s, NT_LISTING, &before, &e), &e);
	must(nstore_destroy(f->s, NT_LISTING, t1, &e), &e);
	must(nstore_state(f->s, NT_LISTING, &after, &e), &e);
	must(nstore_prune_tombstones(f->s, after, &e), &e);
	struct nchange *ch = NULL;
	size_t n;
	int more;
	assert_int_equal(
	    nstore_changes(f->s, NT_LISTING, NULL, before, 10, &ch, &n, &more, &ns, &e), K_ERANGE);
	must(nstore_changes(f->s, NT_LISTING, NULL, after, 10, &ch, &n, &more, &ns, &e), &e);
	assert_int_equal(n, 0);
	free(ch);
	/* Another type's changes are not affected by a Listing tombstone. */
	must(nstore_changes(f->s, NT_RFQ, NULL, 0, 10, &ch, &n, &more, &ns, &e), &e);
	free(ch);
}

static void test_creation_id_remembered(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	char id[NSTORE_ID_MAX + 1];
	assert_int_equal(nstore_creation_get(f->s, id_a, NT_RFQ, "c1", id, &e), K_ENOTFOUND);
	must(nstore_creation_put(f->s, id_a, NT_RFQ, "c1", "R1", &e), &e);
	must(nstore_creation_get(f->s, id_a, NT_RFQ, "c1", id, &e), &e);
	assert_string_equal(id, "R1");
	/* Another caller's c1 is not this one. */
	assert_int_equal(nstore_creation_get(f->s, id_b, NT_RFQ, "c1", id, &e), K_ENOTFOUND);
}

static void seed_search(struct nstore *s)
{
	put_account(s, id_a, "Alpha", 1, 45, 10); /* verified, 4.5 stars */
	put_account(s, id_b, "Beta", 0, 30, 10);  /* 3.0 stars */
	put_listing(s, &seller_a, "L1", "铁艺桌腿 黑色", "CNY", 4500, 50, "CN", "Furniture/Legs",
	            "FOB");
	put_listing(s, &seller_b, "L2", "Iron table legs black", "USD", 1999, 4, "DE",
	            "Furniture/Legs", "EXW");
	put_listing(s, &seller_b, "L3", "LED strip 5m warm white", "USD", 899, 10, "CN", "Lighting",
	            "FOB");
	put_listing(s, &seller_a, "L4", "Table lamp with iron base", "USD", 2999, 2, "VN",
	            "Lighting/Lamps", "CIF");
	put_listing(s, &seller_a, "L5", "Coffee beans arabica", "USD", 1500, 100, "BR", "Food",
	            "FOB");
}

static void test_query_cjk_two_characters_find_longer_word(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	seed_search(f->s);
	char l1[24];
	listing_id_of(&seller_a, "L1", l1);
	struct nlisting_query q = query("桌腿");
	struct nids r;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	assert_string_equal(r.ids.v[0], l1);
	assert_int_equal(r.total, 1);
	nids_free(&r);
	q = query("艺桌腿");
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	nids_free(&r);
	q = query("桌");
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	nids_free(&r);
}

/* As the client's cache: a last word that is no whole word finds the words it begins ("arab"
 * of arabica), without a total too; a whole word that matches is taken as meant. */
static void test_query_last_word_as_a_prefix_when_no_whole_word_matches(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	seed_search(f->s);
	char l2[24], l5[24];
	listing_id_of(&seller_b, "L2", l2);
	listing_id_of(&seller_a, "L5", l5);
	struct nlisting_query q = query("coffee arab");
	struct nids r;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	assert_string_equal(r.ids.v[0], l5);
	assert_int_equal(r.total, 1);
	nids_free(&r);
	q = query("arab");
	q.page.calc_total = 0;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	nids_free(&r);
	/* a page past the prefix's one hit is empty, not the whole-word query's */
	q = query("arab");
	q.page.calc_total = 0;
	q.page.position = 1;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 0);
	nids_free(&r);
	/* "table" is a whole word: the prefix is not tried */
	q = query("black tabl");
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	assert_string_equal(r.ids.v[0], l2);
	nids_free(&r);
	/* two characters are too few to stand for the words they begin */
	q = query("ar");
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 0);
	nids_free(&r);
	/* a trailing space says the word is whole */
	q = query("arab ");
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 0);
	nids_free(&r);
}

static void test_query_filters(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	seed_search(f->s);
	char l[6][24];
	for (int i = 1; i <= 5; i++) {
		char sku[4];
		snprintf(sku, sizeof sku, "L%d", i);
		listing_id_of(i == 1 || i >= 4 ? &seller_a : &seller_b, sku, l[i]);
	}
	struct nids r;
	struct nlisting_query q = query(NULL);
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.total, 5);
	nids_free(&r);

	q = query(NULL);
	q.filter.country = "CN";
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 2);
	assert_true(has(&r, l[1]) && has(&r, l[3]));
	nids_free(&r);

	q = query(NULL);
	q.filter.category = "furniture";
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 2);
	nids_free(&r);

	q = query(NULL);
	q.filter.currency = "USD";
	q.filter.max_price = 1999;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 3); /* 1999, 899, 1500 */
	assert_false(has(&r, l[4]));
	nids_free(&r);

	q = query(NULL);
	q.filter.currency = "USD";
	q.filter.min_price = 1500;
	q.filter.max_price = 2000;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 2);
	assert_true(has(&r, l[2]) && has(&r, l[5]));
	nids_free(&r);

	q = query(NULL);
	q.filter.max_moq = 10;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 3); /* moq 4, 10, 2 */
	nids_free(&r);

	q = query(NULL);
	q.filter.verified = 1;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 3);
	assert_true(has(&r, l[1]) && has(&r, l[4]) && has(&r, l[5]));
	nids_free(&r);

	q = query(NULL);
	q.filter.incoterm = "fob";
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 3);
	nids_free(&r);

	q = query("iron");
	q.filter.seller_id = id_b;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	assert_string_equal(r.ids.v[0], l[2]);
	nids_free(&r);

	q = query(NULL);
	q.filter.max_price = 10;
	assert_int_equal(nstore_listing_query(f->s, &q, &r, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "currency"));
	q = query(NULL);
	q.filter.country = "DEU";
	assert_int_equal(nstore_listing_query(f->s, &q, &r, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "filter.country"));
}

static void test_query_sorts(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	seed_search(f->s);
	char l[6][24];
	for (int i = 1; i <= 5; i++) {
		char sku[4];
		snprintf(sku, sizeof sku, "L%d", i);
		listing_id_of(i == 1 || i >= 4 ? &seller_a : &seller_b, sku, l[i]);
	}
	struct nids r;
	struct nlisting_query q = query(NULL);
	q.filter.currency = "USD";
	q.sort = NSORT_PRICE;
	q.page.ascending = 1;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 4);
	assert_string_equal(r.ids.v[0], l[3]); /* 899 */
	assert_string_equal(r.ids.v[1], l[5]); /* 1500 */
	assert_string_equal(r.ids.v[2], l[2]); /* 1999 */
	assert_string_equal(r.ids.v[3], l[4]); /* 2999 */
	assert_int_equal(r.total, 4);
	nids_free(&r);
	q.page.ascending = 0;
	q.filter.max_price = 2000;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 3);
	assert_string_equal(r.ids.v[0], l[2]);
	nids_free(&r);

	q = query(NULL);
	q.sort = NSORT_NEWEST;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_string_equal(r.ids.v[0], l[5]);
	assert_string_equal(r.ids.v[4], l[1]);
	nids_free(&r);

	q = query(NULL);
	q.sort = NSORT_RATING;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	/* Alpha (4.5) before Beta (3.0). */
	assert_true(has(&r, l[1]));
	for (int i = 0; i < 3; i++)
		assert_true(strcmp(r.ids.v[i], l[1]) == 0 || strcmp(r.ids.v[i], l[4]) == 0 ||
		            strcmp(r.ids.v[i], l[5]) == 0);
	nids_free(&r);

	/* Relevance: both words in the title first. */
	q = query("iron table");
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 2);
	nids_free(&r);
	q = query("iron");
	q.sort = NSORT_RELEVANCE;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 2);
	nids_free(&r);

	/* Position and limit page through newest-first. */
	q = query(NULL);
	q.sort = NSORT_NEWEST;
	q.page.position = 1;
	q.page.limit = 2;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 2);
	assert_string_equal(r.ids.v[0], l[4]);
	assert_string_equal(r.ids.v[1], l[3]);
	assert_int_equal(r.total, 5);
	nids_free(&r);
}

static void test_query_cache_dropped_by_a_write(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	seed_search(f->s);
	struct nlisting_query q = query("coffee");
	struct nids r;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	nids_free(&r);
	put_listing(f->s, &seller_b, "L9", "Coffee grinder", "USD", 4999, 1, "DE", NULL, NULL);
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 2);
	nids_free(&r);
}

/* A write makes stale only the cached answers its rows can change: a query keeps its answer
 * (served from the cache) while listings without its words are written, and gets the new
 * one as soon as a listing with them is. */
static void test_query_cache_keeps_answers_a_write_cannot_change(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	seed_search(f->s);
	struct nlisting_query q = query("coffee");
	struct nlisting_query by_country = query(NULL);
	by_country.filter.country = "BR";
	struct nids r;
	uint64_t h0, m0, h1, m1;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	nids_free(&r);
	must(nstore_listing_query(f->s, &by_country, &r, &e), &e);
	nids_free(&r);
	put_listing(f->s, &seller_b, "L8", "Tea kettle", "USD", 2500, 1, "DE", NULL, NULL);
	nstore_query_cache_stats(f->s, &h0, &m0);
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	nids_free(&r);
	must(nstore_listing_query(f->s, &by_country, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	nids_free(&r);
	nstore_query_cache_stats(f->s, &h1, &m1);
	assert_int_equal(h1 - h0, 2); /* both answers kept */
	assert_int_equal(m1 - m0, 0);
	put_listing(f->s, &seller_b, "L9", "Coffee grinder", "USD", 4999, 1, "BR", NULL, NULL);
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 2);
	nids_free(&r);
	must(nstore_listing_query(f->s, &by_country, &r, &e), &e);
	assert_int_equal(r.ids.n, 2);
	nids_free(&r);
	nstore_query_cache_stats(f->s, &h0, &m0);
	assert_int_equal(m0 - m1, 2); /* both made again */
	/* Taking the listing away again is a write the answers see too. */
	struct listing l;
	make_listing(&l, &seller_b, "L9", "Coffee grinder", "USD", 4999, 1, "BR", NULL, NULL);
	must(nstore_destroy(f->s, NT_LISTING, l.id, &e), &e);
	listing_free(&l);
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	nids_free(&r);
}

static void test_query_folds_letters_as_one(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	put_listing(f->s, &seller_a, "R1", "Берёзовая разделочная доска", "EUR", 1500, 1, "DE",
	            NULL, NULL);
	put_listing(f->s, &seller_a, "R2", "Straßenlaterne aus Gußeisen", "EUR", 9900, 1, "DE",
	            NULL, NULL);
	const char *finds[][2] = {{"березовая", "R1"},
	                          {"БЕРЁЗОВАЯ доска", "R1"},
	                          {"strassenlaterne", "R2"},
	                          {"GUSSEISEN", "R2"}};
	for (size_t i = 0; i < sizeof finds / sizeof finds[0]; i++) {
		struct nlisting_query q = query(finds[i][0]);
		struct nids r;
		must(nstore_listing_query(f->s, &q, &r, &e), &e);
		if (r.ids.n != 1)
			fail_msg("\"%s\" found %zu", finds[i][0], r.ids.n);
		nids_free(&r);
	}
}

/* The price a filter compares and the price order use is what the smallest order pays: the
 * unit price at the MOQ, not the best tier. */
static void test_query_price_is_the_price_at_the_moq(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	struct listing l;
	make_listing(&l, &seller_a, "T1", "Tiered oak board", "USD", 500, 10, "DE", NULL, NULL);
	free(l.tiers);
	l.ntiers = 2;
	l.tiers = calloc(2, sizeof *l.tiers);
	l.tiers[0] = (struct price_tier){10, 500}; /* 5.00 at the MOQ of 10 */
	l.tiers[1] = (struct price_tier){1000, 300};
	must(listing_sign(&l, &seller_a, &e), &e);
	must(nstore_listing_put(f->s, &l, &e), &e);
	listing_free(&l);
	put_listing(f->s, &seller_b, "T2", "Plain oak board", "USD", 400, 1, "DE", NULL, NULL);
	struct nlisting_query q = query("board");
	struct nids r;
	q.filter.currency = "USD";
	q.filter.max_price = 450;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1); /* only the plain one: the tiered one costs 5.00 */
	nids_free(&r);
	q.filter.max_price = 500;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 2);
	nids_free(&r);
	q.filter.max_price = -1;
	q.sort = NSORT_PRICE;
	q.page.ascending = 1;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 2);
	make_listing(&l, &seller_b, "T2", "Plain oak board", "USD", 400, 1, "DE", NULL, NULL);
	assert_string_equal(r.ids.v[0], l.id); /* 4.00 before 5.00 */
	listing_free(&l);
	nids_free(&r);
}

/* A database indexed by an older kontord (another text version) is indexed again when it is
 * opened, so what it holds is found with today's folding. */
static void test_open_rebuilds_an_index_of_an_older_text_version(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	put_listing(f->s, &seller_a, "U1", "Берёзовая полка", "EUR", 1500, 1, "DE", NULL, NULL);
	nstore_close(&f->s);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "INSERT INTO listing_fts(listing_fts) VALUES('delete-all');"
	                              "INSERT INTO listing_ord(listing_ord) VALUES('delete-all');"
	                              "UPDATE meta SET value = '1' WHERE key = 'search_version'",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	must(nstore_open(f->path, 0, &f->s, &e), &e);
	struct nlisting_query q = query("березовая");
	struct nids r;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	nids_free(&r);
	q = query(NULL);
	q.sort = NSORT_RATING;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	nids_free(&r);
}

static void test_database_files_are_private_whatever_the_umask(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	char path[128];
	struct nstore *s;
	snprintf(path, sizeof path, "%s/open.db", f->dir);
	mode_t old = umask(022);
	must(nstore_open(path, 1, &s, &e), &e);
	put_listing(s, &seller_a, "P1", "Private", "EUR", 100, 1, "DE", NULL, NULL);
	const char *sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		char p[160];
		struct stat sb;
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		assert_int_equal(stat(p, &sb), 0);
		if ((sb.st_mode & 0777) != 0600)
			fail_msg("%s is %o", p, (unsigned)(sb.st_mode & 0777));
	}
	nstore_close(&s);
	umask(old);
}

/* Many distinct queries land in the same cache sets; each one still gets its own answer,
 * and a repeat is served from the cache. */
static void test_query_cache_keeps_each_query_apart(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	seed_search(f->s);
	int64_t first[600];
	for (int round = 0; round < 2; round++) {
		uint64_t h0, m0, h1, m1;
		nstore_query_cache_stats(f->s, &h0, &m0);
		for (int i = 0; i < 600; i++) {
			struct nlisting_query q = query(i % 2 ? "coffee" : NULL);
			q.page.limit = 1 + i / 2;
			struct nids r;
			must(nstore_listing_query(f->s, &q, &r, &e), &e);
			if (round == 0)
				first[i] = (int64_t)r.ids.n;
			else
				assert_int_equal((int64_t)r.ids.n, first[i]);
			nids_free(&r);
		}
		nstore_query_cache_stats(f->s, &h1, &m1);
		assert_int_equal(h1 - h0, round == 0 ? 0 : 600);
		assert_int_equal(m1 - m0, round == 0 ? 600 : 0);
	}
}

static void test_paused_listing_leaves_index_but_seller_sees_it(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	struct listing l;
	make_listing(&l, &seller_a, "PZ", "Paused widget", "EUR", 100, 1, "FR", NULL, NULL);
	snprintf(l.status, sizeof l.status, "paused");
	must(listing_sign(&l, &seller_a, &e), &e);
	must(nstore_listing_put(f->s, &l, &e), &e);
	struct nlisting_query q = query("widget");
	struct nids r;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 0);
	nids_free(&r);
	q = query(NULL);
	q.status = "paused";
	q.filter.seller_id = id_a;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	assert_string_equal(r.ids.v[0], l.id);
	nids_free(&r);
	listing_free(&l);
}

static void test_reindex_when_seller_becomes_verified(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	put_account(f->s, id_b, "Beta", 0, 0, 0);
	put_listing(f->s, &seller_b, "V1", "Brass valve", "EUR", 700, 1, "PL", NULL, NULL);
	struct nlisting_query q = query("valve");
	q.filter.verified = 1;
	struct nids r;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 0);
	nids_free(&r);
	put_account(f->s, id_b, "Beta", 1, 5, 1);
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	nids_free(&r);
	/* And the old rows are gone: unverified again, the filter finds nothing. */
	put_account(f->s, id_b, "Beta", 0, 5, 1);
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 0);
	nids_free(&r);
	q.filter.verified = 0;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	nids_free(&r);
}

static void test_conversation_private_changes_and_cascade(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	struct kbuf j = KBUF_INIT;
	kbuf_printf(&j, "{\"created\":\"%s\",\"id\":\"C1\",\"participants\":[\"%s\",\"%s\"]}", now,
	            id_a, id_b);
	cJSON *c = cJSON_Parse(kbuf_str(&j));
	must(nstore_conversation_put(f->s, c, kbuf_str(&j), &e), &e);
	cJSON_Delete(c);
	kbuf_reset(&j);
	kbuf_printf(&j,
	            "{\"ciphertext\":\"AAAAAAAAAAAAAAAAAAAAAA==\",\"conversationId\":\"C1\","
	            "\"from\":\"%s\",\"id\":\"M1\",\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
	            "\"sent\":\"%s\",\"to\":\"%s\"}",
	            id_a, now, id_b);
	cJSON *m = cJSON_Parse(kbuf_str(&j));
	must(nstore_message_put(f->s, m, kbuf_str(&j), &e), &e);
	assert_int_equal(nstore_message_put(f->s, m, kbuf_str(&j), &e), K_EEXIST);
	cJSON_Delete(m);
	kbuf_free(&j);

	struct nchange *ch;
	size_t n;
	int more;
	int64_t ns;
	must(nstore_changes(f->s, NT_MESSAGE, id_b, 0, 10, &ch, &n, &more, &ns, &e), &e);
	assert_int_equal(n, 1);
	free(ch);
	char stranger[KCRYPTO_ID_LEN + 1];
	struct kkeypair kp;
	kcrypto_keypair_new(&kp);
	kcrypto_account_id(kp.pk, stranger);
	must(nstore_changes(f->s, NT_MESSAGE, stranger, 0, 10, &ch, &n, &more, &ns, &e), &e);
	assert_int_equal(n, 0);
	free(ch);

	int64_t since;
	must(nstore_state(f->s, NT_MESSAGE, &since, &e), &e);
	must(nstore_destroy(f->s, NT_CONVERSATION, "C1", &e), &e);
	struct nobj o = {KBUF_INIT, "", ""};
	assert_int_equal(nstore_get(f->s, NT_MESSAGE, "M1", &o, &e), K_ENOTFOUND);
	nobj_free(&o);
	must(nstore_changes(f->s, NT_MESSAGE, id_a, since, 10, &ch, &n, &more, &ns, &e), &e);
	assert_int_equal(n, 1);
	assert_int_equal(ch[0].kind, NCH_DESTROYED);
	free(ch);
}

struct thread_arg {
	struct nstore *s;
	int found;
};

static void *other_thread(void *p)
{
	struct thread_arg *a = p;
	struct kerr e = {0, ""};
	struct nobj o = {KBUF_INIT, "", ""};
	a->found = nstore_get(a->s, NT_ACCOUNT, id_a, &o, &e) == K_OK;
	nobj_free(&o);
	return NULL;
}

static void test_second_thread_has_its_own_connection(void **state)
{
	struct fx *f = *state;
	put_account(f->s, id_a, "Alpha", 0, 0, 0);
	struct thread_arg a = {f->s, 0};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, other_thread, &a), 0);
	pthread_join(t, NULL);
	assert_true(a.found);
}

static void test_restart_keeps_everything(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0, ""};
	seed_search(f->s);
	int64_t before;
	must(nstore_state(f->s, NT_LISTING, &before, &e), &e);
	nstore_close(&f->s);
	must(nstore_open(f->path, 0, &f->s, &e), &e);
	int64_t after;
	must(nstore_state(f->s, NT_LISTING, &after, &e), &e);
	assert_int_equal(before, after);
	struct nlisting_query q = query("桌腿");
	struct nids r;
	must(nstore_listing_query(f->s, &q, &r, &e), &e);
	assert_int_equal(r.ids.n, 1);
	nids_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_missing_without_create_is_notfound),
	    cmocka_unit_test_setup_teardown(test_open_refuses_newer_schema, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_meta_set_get_and_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_blob_same_bytes_is_one_blob, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_account_put_get_and_handle_taken, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_account_query_by_handle_uses_its_index, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_changes_created_updated_destroyed, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_changes_paging_sets_more_and_midway_state, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_changes_leave_out_own_writes_until_changed_again,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prune_past_horizon_cannot_calculate, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_creation_id_remembered, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_query_cjk_two_characters_find_longer_word, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_query_last_word_as_a_prefix_when_no_whole_word_matches, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_query_filters, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_query_sorts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_query_cache_dropped_by_a_write, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_query_cache_keeps_answers_a_write_cannot_change,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_query_folds_letters_as_one, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_query_price_is_the_price_at_the_moq, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_open_rebuilds_an_index_of_an_older_text_version,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_database_files_are_private_whatever_the_umask,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_query_cache_keeps_each_query_apart, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_paused_listing_leaves_index_but_seller_sees_it,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reindex_when_seller_becomes_verified, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_conversation_private_changes_and_cascade, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_second_thread_has_its_own_connection, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_restart_keeps_everything, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
