/* test_store — the client cache: migrations and the schema guard, listings and their search
 * index, every filter and sort, hostile query text, accounts, the outbox, transactions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "../../src/client/store/names.h"
#include "../../src/client/store/store.h"
#include "kontor/buf.h"
#include "kontor/crypto.h"
#include "kontor/model.h"

struct fx {
	char dir[64];
	char path[96];
	struct store *s;
	char seller[3][KCRYPTO_ID_LEN + 1];
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct kerr e = {0};
	snprintf(f->dir, sizeof f->dir, "/tmp/kontor-store-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/cache.db", f->dir);
	assert_int_equal(kcrypto_init(&e), 0);
	for (int i = 0; i < 3; i++) {
		struct kkeypair kp;
		kcrypto_keypair_new(&kp);
		kcrypto_account_id(kp.pk, f->seller[i]);
		kcrypto_keypair_wipe(&kp);
	}
	int rc = store_open(f->path, &f->s, &e);
	if (rc)
		fprintf(stderr, "store_open: %s\n", e.msg);
	assert_int_equal(rc, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[128];
	store_close(&f->s);
	const char *sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", f->path, sfx[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

struct spec {
	int seller;
	const char *sku, *title, *currency;
	int64_t price, moq;
	const char *country, *incoterm, *category, *updated, *description;
};

static void make_listing(struct fx *f, const struct spec *sp, struct listing *l)
{
	listing_init(l);
	memcpy(l->seller_id, f->seller[sp->seller], sizeof l->seller_id);
	l->sku = xstrdup(sp->sku);
	listing_make_id(l->seller_id, l->sku, l->id);
	l->title = xstrdup(sp->title);
	if (sp->description)
		l->description = xstrdup(sp->description);
	if (sp->category)
		l->category = xstrdup(sp->category);
	memcpy(l->currency, sp->currency ? sp->currency : "USD", 4);
	l->ntiers = 2;
	l->tiers = xcalloc(2, sizeof *l->tiers);
	l->moq = sp->moq > 0 ? sp->moq : 1;
	l->tiers[0].min_qty = l->moq;
	l->tiers[0].unit_price = sp->price; /* the price at the MOQ is the search price */
	l->tiers[1].min_qty = l->moq * 10;
	l->tiers[1].unit_price = sp->price - sp->price / 10; /* the best tier: "from" */
	memcpy(l->ships_from, sp->country ? sp->country : "CN", 3);
	memcpy(l->origin_country, l->ships_from, 3);
	kstrv_push(&l->incoterms, sp->incoterm ? sp->incoterm : "FOB");
	kstrv_push(&l->tags, "sample");
	const char *t = sp->updated ? sp->updated : "2026-01-01T00:00:00Z";
	memcpy(l->created, "2025-01-01T00:00:00Z", MODEL_TIME_LEN + 1);
	memcpy(l->updated, t, MODEL_TIME_LEN + 1);
}

static void put(struct fx *f, const struct spec *sp)
{
	struct listing l;
	struct kerr e = {0};
	make_listing(f, sp, &l);
	int rc = store_listing_put(f->s, &l, "main", &e);
	if (rc)
		fprintf(stderr, "put: %s\n", e.msg);
	assert_int_equal(rc, 0);
	listing_free(&l);
}

static struct search_query query(const char *text)
{
	struct search_query q = {0};
	q.filter = (struct ksearch_query)KSEARCH_QUERY_ANY;
	q.filter.text = text;
	q.limit = 50;
	return q;
}

static int64_t run(struct fx *f, const struct search_query *q, struct search_result *r)
{
	struct kerr e = {0};
	int rc = store_search(f->s, q, r, &e);
	if (rc)
		fprintf(stderr, "search: %s\n", e.msg);
	assert_int_equal(rc, 0);
	return (int64_t)r->n;
}

/* Number of hits for the text alone. */
static int64_t hits(struct fx *f, const char *text)
{
	struct search_query q = query(text);
	struct search_result r;
	int64_t n = run(f, &q, &r);
	search_result_free(&r);
	return n;
}

static int has_title(const struct search_result *r, const char *title)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->hits[i].title, title) == 0)
			return 1;
	return 0;
}

static void test_migrations_from_empty_reach_current_version(void **state)
{
	struct fx *f = *state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), store_schema_version(f->s));
	sqlite3_finalize(st);
	const char *tables[] = {"meta",          "listings", "search",    "accounts",
	                        "conversations", "messages", "contracts", "orders",
	                        "shipments",     "outbox",   "sync_state"};
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		assert_int_equal(sqlite3_prepare_v2(db,
		                                    "SELECT 1 FROM sqlite_master WHERE name = ?1",
		                                    -1, &st, NULL),
		                 SQLITE_OK);
		sqlite3_bind_text(st, 1, tables[i], -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		sqlite3_finalize(st);
	}
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);
	/* Reopening an up-to-date file runs nothing and works. */
	struct kerr e = {0};
	store_close(&f->s);
	assert_int_equal(store_open(f->path, &f->s, &e), 0);
}

static void test_open_refuses_a_newer_schema(void **state)
{
	struct fx *f = *state;
	store_close(&f->s);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	struct kerr e = {0};
	assert_int_equal(store_open(f->path, &f->s, &e), K_ENEWER);
	assert_null(f->s);
	assert_non_null(strstr(e.msg, "written by a newer kontor (schema 999, this one knows"));
	assert_non_null(strstr(e.msg, f->path));
}

static void test_open_names_the_file_it_cannot_open(void **state)
{
	(void)state;
	struct store *s = NULL;
	struct kerr e = {0};
	assert_int_equal(store_open("/nonexistent-dir/x/cache.db", &s, &e), K_EDB);
	assert_non_null(strstr(e.msg, "/nonexistent-dir/x/cache.db"));
}

static void test_listing_put_get_round_trip(void **state)
{
	struct fx *f = *state;
	struct spec sp = {.seller = 0,
	                  .sku = "LEG-1",
	                  .title = "Iron table legs, black",
	                  .currency = "EUR",
	                  .price = 1250,
	                  .moq = 20,
	                  .country = "DE",
	                  .incoterm = "EXW",
	                  .category = "Furniture/Legs",
	                  .updated = "2026-02-03T04:05:06Z",
	                  .description = "Powder coated steel."};
	struct listing in, out;
	struct kerr e = {0};
	make_listing(f, &sp, &in);
	/* Any 64 bytes in standard base64: the store keeps what it is given. */
	in.sig = xstrdup("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQ"
	                 "UFBQUFBQUFBQQ==");
	assert_int_equal(store_listing_put(f->s, &in, NULL, &e), 0);
	int rc = store_listing_get(f->s, in.id, &out, &e);
	if (rc)
		fprintf(stderr, "get: %s\n", e.msg);
	assert_int_equal(rc, 0);
	assert_string_equal(out.id, in.id);
	assert_string_equal(out.seller_id, in.seller_id);
	assert_string_equal(out.title, in.title);
	assert_string_equal(out.description, in.description);
	assert_string_equal(out.category, in.category);
	assert_string_equal(out.currency, "EUR");
	assert_int_equal(out.ntiers, 2);
	assert_int_equal(out.tiers[0].unit_price, 1250);
	assert_int_equal(out.tiers[1].unit_price, 1125);
	assert_int_equal(out.moq, 20);
	assert_string_equal(out.incoterms.v[0], "EXW");
	assert_string_equal(out.updated, "2026-02-03T04:05:06Z");
	assert_string_equal(out.sig, in.sig);
	listing_free(&out);
	listing_free(&in);
	assert_int_equal(store_listing_get(f->s, "Lnope", &out, &e), K_ENOTFOUND);
	listing_free(&out);
}

static void test_listing_replace_keeps_one_row_and_reindexes(void **state)
{
	struct fx *f = *state;
	struct spec sp = {.seller = 0,
	                  .sku = "SKU-1",
	                  .title = "Cotton fabric roll",
	                  .currency = "USD",
	                  .price = 500};
	put(f, &sp);
	sp.title = "Linen fabric roll";
	sp.updated = "2026-03-01T00:00:00Z";
	put(f, &sp);
	put(f, &sp); /* the same again: still one row, one index entry */
	assert_int_equal(store_listing_count(f->s), 1);
	assert_int_equal(hits(f, "cotton"), 0);
	assert_int_equal(hits(f, "linen"), 1);
	assert_int_equal(hits(f, "fabric"), 1);
}

static void test_listing_delete_removes_from_search(void **state)
{
	struct fx *f = *state;
	struct spec sp = {.seller = 0,
	                  .sku = "SKU-1",
	                  .title = "Ceramic floor tiles",
	                  .currency = "USD",
	                  .price = 900};
	put(f, &sp);
	assert_int_equal(hits(f, "ceramic"), 1);
	struct listing l;
	struct kerr e = {0};
	make_listing(f, &sp, &l);
	assert_int_equal(store_listing_delete(f->s, l.id, &e), 0);
	assert_int_equal(hits(f, "ceramic"), 0);
	assert_int_equal(hits(f, ""), 0);
	assert_int_equal(store_listing_count(f->s), 0);
	assert_int_equal(store_listing_delete(f->s, l.id, &e), K_ENOTFOUND);
	listing_free(&l);
}

static void test_paused_listing_is_kept_but_not_searchable(void **state)
{
	struct fx *f = *state;
	struct spec sp = {.seller = 0,
	                  .sku = "SKU-P",
	                  .title = "Bamboo cutting board",
	                  .currency = "USD",
	                  .price = 700};
	struct listing l;
	struct kerr e = {0};
	make_listing(f, &sp, &l);
	memcpy(l.status, "paused", 7);
	assert_int_equal(store_listing_put(f->s, &l, NULL, &e), 0);
	assert_int_equal(hits(f, "bamboo"), 0);
	assert_int_equal(store_listing_count(f->s), 1);
	memcpy(l.status, "active", 7);
	assert_int_equal(store_listing_put(f->s, &l, NULL, &e), 0);
	assert_int_equal(hits(f, "bamboo"), 1);
	listing_free(&l);
}

static void test_search_by_word_case_and_diacritics(void **state)
{
	struct fx *f = *state;
	struct spec a = {.seller = 0,
	                 .sku = "A",
	                 .title = "LED strip lights 5m warm white",
	                 .currency = "USD",
	                 .price = 300};
	struct spec b = {.seller = 0,
	                 .sku = "B",
	                 .title = "Möbelbeine aus Eisen",
	                 .currency = "EUR",
	                 .price = 900};
	struct spec c = {.seller = 0,
	                 .sku = "C",
	                 .title = "Phone case",
	                 .currency = "USD",
	                 .price = 200,
	                 .moq = 1,
	                 .description = "Fits every model, shockproof silicone"};
	put(f, &a);
	put(f, &b);
	put(f, &c);
	assert_int_equal(hits(f, "led"), 1);
	assert_int_equal(hits(f, "LED Strip"), 1);
	assert_int_equal(hits(f, "mobelbeine"), 1);
	assert_int_equal(hits(f, "Möbelbeine"), 1);
	assert_int_equal(hits(f, "silicone"), 1); /* from the description */
	assert_int_equal(hits(f, "led case"), 0); /* every word must match */
	assert_int_equal(hits(f, "nothing-like-this"), 0);
}

static void test_search_last_word_is_a_prefix(void **state)
{
	struct fx *f = *state;
	struct spec a = {
	    .seller = 0, .sku = "A", .title = "Ceramic tiles", .currency = "USD", .price = 300};
	put(f, &a);
	assert_int_equal(hits(f, "cera"), 1);
	assert_int_equal(hits(f, "cera "), 0);       /* a finished word is whole */
	assert_int_equal(hits(f, "til ceramic"), 0); /* only the last word */
}

static void test_search_two_cjk_characters_find_a_longer_word(void **state)
{
	struct fx *f = *state;
	struct spec a = {
	    .seller = 0, .sku = "A", .title = "铁艺桌腿 黑色", .currency = "CNY", .price = 3500};
	struct spec b = {
	    .seller = 0, .sku = "B", .title = "陶瓷地砖", .currency = "CNY", .price = 4500};
	struct spec c = {.seller = 0,
	                 .sku = "C",
	                 .title = "コーヒー豆 エチオピア",
	                 .currency = "JPY",
	                 .price = 1200};
	struct spec d = {
	    .seller = 0, .sku = "D", .title = "면 원단 100%", .currency = "KRW", .price = 5000};
	put(f, &a);
	put(f, &b);
	put(f, &c);
	put(f, &d);
	assert_int_equal(hits(f, "桌腿"), 1);
	assert_int_equal(hits(f, "铁艺桌腿"), 1);
	assert_int_equal(hits(f, "艺桌"), 1);
	assert_int_equal(hits(f, "桌"), 1); /* one character: a prefix of its bigrams */
	assert_int_equal(hits(f, "地砖"), 1);
	assert_int_equal(hits(f, "桌砖"), 0);
	assert_int_equal(hits(f, "コーヒー"), 1);
	assert_int_equal(hits(f, "원단"), 1);
}

static void test_search_cyrillic_arabic_thai_devanagari_words(void **state)
{
	struct fx *f = *state;
	struct spec a = {.seller = 0,
	                 .sku = "A",
	                 .title = "Светодиодная лента 5 м",
	                 .currency = "RUB",
	                 .price = 90000};
	struct spec b = {.seller = 0,
	                 .sku = "B",
	                 .title = "حبوب القهوة العربية",
	                 .currency = "AED",
	                 .price = 4000};
	struct spec c = {
	    .seller = 0, .sku = "C", .title = "ผ้าฝ้ายคุณภาพสูง", .currency = "THB", .price = 25000};
	struct spec d = {
	    .seller = 0, .sku = "D", .title = "सूती कपड़ा थोक", .currency = "INR", .price = 15000};
	put(f, &a);
	put(f, &b);
	put(f, &c);
	put(f, &d);
	assert_int_equal(hits(f, "лента"), 1);
	assert_int_equal(hits(f, "СВЕТОДИОДНАЯ"), 1);
	assert_int_equal(hits(f, "القهوة"), 1);
	assert_int_equal(hits(f, "ผ้าฝ้าย"), 1);
	assert_int_equal(hits(f, "คุณภาพ"), 1);
	assert_int_equal(hits(f, "कपड़ा"), 1);
	assert_int_equal(hits(f, "सूती"), 1);
}

static void seed_filters(struct fx *f)
{
	struct spec s[] = {
	    {.seller = 0,
	     .sku = "1",
	     .title = "Widget alpha",
	     .currency = "USD",
	     .price = 1000,
	     .moq = 10,
	     .country = "DE",
	     .incoterm = "FOB",
	     .category = "Tools/Hand"},
	    {.seller = 0,
	     .sku = "2",
	     .title = "Widget beta",
	     .currency = "USD",
	     .price = 1999,
	     .moq = 100,
	     .country = "CN",
	     .incoterm = "EXW",
	     .category = "Tools/Power"},
	    {.seller = 1,
	     .sku = "3",
	     .title = "Widget gamma",
	     .currency = "USD",
	     .price = 2000,
	     .moq = 500,
	     .country = "CN",
	     .incoterm = "FOB",
	     .category = "Tools/Hand"},
	    {.seller = 1,
	     .sku = "4",
	     .title = "Widget delta",
	     .currency = "EUR",
	     .price = 500,
	     .moq = 1,
	     .country = "FR",
	     .incoterm = "CIF",
	     .category = "Garden"},
	    {.seller = 2,
	     .sku = "5",
	     .title = "Widget epsilon",
	     .currency = "USD",
	     .price = 2001,
	     .moq = 50,
	     .country = "VN",
	     .incoterm = "DDP",
	     .category = "Garden"},
	};
	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
		put(f, &s[i]);
}

static void test_search_filters_country_currency_price_moq_incoterm_category(void **state)
{
	struct fx *f = *state;
	seed_filters(f);
	struct search_query q = query("widget");
	struct search_result r;

	q.filter.country = "cn";
	assert_int_equal(run(f, &q, &r), 2);
	search_result_free(&r);
	q.filter.country = NULL;

	/* At most 20.00 USD: 19.99 and 20.00 in, 20.01 out (the edge bucket is exact). */
	q.filter.currency = "USD";
	q.filter.max_price = 2000;
	assert_int_equal(run(f, &q, &r), 3);
	assert_false(has_title(&r, "Widget epsilon"));
	assert_false(has_title(&r, "Widget delta"));
	search_result_free(&r);
	q.filter.max_price = 1999;
	assert_int_equal(run(f, &q, &r), 2);
	search_result_free(&r);
	q.filter.max_price = -1;
	assert_int_equal(run(f, &q, &r), 4);
	search_result_free(&r);
	q.filter.currency = NULL;

	q.filter.max_moq = 100;
	assert_int_equal(run(f, &q, &r), 4);
	assert_false(has_title(&r, "Widget gamma"));
	search_result_free(&r);
	q.filter.max_moq = 99;
	assert_int_equal(run(f, &q, &r), 3);
	search_result_free(&r);
	q.filter.max_moq = -1;

	q.filter.incoterm = "FOB";
	assert_int_equal(run(f, &q, &r), 2);
	search_result_free(&r);
	q.filter.incoterm = NULL;

	q.filter.category = "Tools";
	assert_int_equal(run(f, &q, &r), 3);
	search_result_free(&r);
	q.filter.category = "tools / hand";
	assert_int_equal(run(f, &q, &r), 2);
	search_result_free(&r);
	q.filter.category = "Garden";
	q.filter.country = "FR";
	assert_int_equal(run(f, &q, &r), 1);
	assert_string_equal(r.hits[0].title, "Widget delta");
	assert_string_equal(r.hits[0].currency, "EUR");
	assert_int_equal(r.hits[0].price, 500);
	assert_string_equal(r.hits[0].country, "FR");
	search_result_free(&r);

	/* Filters alone, no words. */
	struct search_query q2 = query(NULL);
	q2.filter.currency = "USD";
	q2.filter.max_price = 1999;
	assert_int_equal(run(f, &q2, &r), 2);
	search_result_free(&r);

	struct kerr e = {0};
	q2.filter.currency = NULL;
	assert_int_equal(store_search(f->s, &q2, &r, &e), K_EINVAL);
	assert_non_null(strstr(e.msg, "currency"));
	q2.filter.currency = "US$";
	assert_int_equal(store_search(f->s, &q2, &r, &e), K_EINVAL);
}

/* The cache files no seller token and its scans check no price floor: a query with either
 * is refused, not answered as if the filter held (no hits, or hits under the floor). */
static void test_search_refuses_a_seller_or_price_floor_the_cache_cannot_check(void **state)
{
	struct fx *f = *state;
	seed_filters(f);
	struct search_query q = query("widget");
	struct search_result r;
	struct kerr e = {0};
	q.filter.seller_id = "kontor1someone";
	assert_int_equal(store_search(f->s, &q, &r, &e), K_EINVAL);
	assert_string_equal(e.msg, "search: the local cache takes no seller filter");
	q.filter.seller_id = NULL;
	q.filter.currency = "USD";
	q.filter.min_price = 2000;
	assert_int_equal(store_search(f->s, &q, &r, &e), K_EINVAL);
	assert_string_equal(e.msg, "search: the local cache takes no min-price filter");
	/* An empty seller is no filter, as the planner reads it. */
	q.filter.seller_id = "";
	assert_int_equal(store_search(f->s, &q, &r, &e), K_EINVAL);
	assert_string_equal(e.msg, "search: the local cache takes no min-price filter");
	q.filter.min_price = -1;
	assert_int_equal(run(f, &q, &r), 4);
	search_result_free(&r);
}

static void put_account(struct fx *f, int seller, int verified, double avg, int64_t count)
{
	struct account a;
	struct kerr e = {0};
	account_init(&a);
	memcpy(a.id, f->seller[seller], sizeof a.id);
	a.display_name = xstrdup("Seller");
	memcpy(a.country, "DE", 3);
	a.rating.average = avg;
	a.rating.count = count;
	a.rating.sum = (int64_t)(avg * (double)count + 0.5);
	if (verified) {
		a.attestation = cJSON_CreateObject();
		cJSON_AddStringToObject(a.attestation, "legalName", "Seller GmbH");
		cJSON_AddStringToObject(a.attestation, "expires", "2099-01-01T00:00:00Z");
	}
	int rc = store_account_put(f->s, &a, &e);
	if (rc)
		fprintf(stderr, "account put: %s\n", e.msg);
	assert_int_equal(rc, 0);
	account_free(&a);
}

static void test_search_folds_letters_as_one(void **state)
{
	struct fx *f = *state;
	struct spec a = {.seller = 0, .sku = "R1", .title = "Берёзовая разделочная доска"};
	struct spec b = {.seller = 0, .sku = "R2", .title = "Straßenlaterne aus Gußeisen"};
	struct spec c = {.seller = 0, .sku = "R3", .title = "Crème brûlée torch"};
	put(f, &a);
	put(f, &b);
	put(f, &c);
	assert_int_equal(hits(f, "березовая"), 1); /* е finds ё */
	assert_int_equal(hits(f, "БЕРЁЗОВАЯ доска"), 1);
	assert_int_equal(hits(f, "strassenlaterne"), 1); /* ss finds ß */
	assert_int_equal(hits(f, "GUSSEISEN"), 1);
	assert_int_equal(hits(f, "creme brulee"), 1);
	assert_int_equal(hits(f, "CRÈME"), 1);
}

/* A result shows (and max: compares) the unit price at the MOQ: what the smallest order
 * pays. The best tier is there too, for "from". */
static void test_search_price_is_the_price_at_the_moq_and_best_is_from(void **state)
{
	struct fx *f = *state;
	struct spec a = {
	    .seller = 0, .sku = "T1", .title = "Tiered oak board", .price = 500, .moq = 10};
	put(f, &a); /* 5.00 at 10, 4.50 from 100 */
	struct search_query q = query("board");
	struct search_result r;
	q.filter.currency = "USD";
	assert_int_equal(run(f, &q, &r), 1);
	assert_int_equal(r.hits[0].price, 500);
	assert_int_equal(r.hits[0].best, 450);
	search_result_free(&r);
	q.filter.max_price = 499; /* the best tier is under it; what the MOQ costs is not */
	assert_int_equal(run(f, &q, &r), 0);
	search_result_free(&r);
	q.filter.max_price = 500;
	assert_int_equal(run(f, &q, &r), 1);
	search_result_free(&r);
	struct search_hit h;
	struct listing l;
	struct kerr e = {0};
	make_listing(f, &a, &l);
	assert_int_equal(store_search_hit(f->s, l.id, &h, &e), 0);
	assert_int_equal(h.price, 500);
	assert_int_equal(h.best, 450);
	free(h.title);
	listing_free(&l);
}

/* A summary as a pull brings it: unit given, or (from a node or pull before 2026-12-07) not. */
static void put_summary(struct fx *f, const char *sku, const char *title, const char *unit)
{
	char id[MODEL_LISTING_ID_LEN + 1], js[640];
	listing_make_id(f->seller[1], sku, id);
	snprintf(js, sizeof js,
	         "{\"id\":\"%s\",\"sellerId\":\"%s\",\"sku\":\"%s\",\"title\":\"%s\","
	         "\"shipsFrom\":\"VN\",\"currency\":\"USD\",\"priceTiers\":[{\"minQty\":10,"
	         "\"unitPrice\":4800}],%s%s%s\"moq\":10,\"status\":\"active\","
	         "\"updated\":\"2026-12-01T00:00:00Z\"}",
	         id, f->seller[1], sku, title, unit ? "\"unit\":\"" : "", unit ? unit : "",
	         unit ? "\"," : "");
	cJSON *o = cJSON_Parse(js);
	struct listing l;
	struct kerr e = {0};
	assert_int_equal(listing_from_json(o, &l, &e), 0);
	store_summary_unit(o, &l); /* as a pull does */
	assert_int_equal(store_listing_put(f->s, &l, "main", &e), 0);
	listing_free(&l);
	cJSON_Delete(o);
}

static void unit_of(struct fx *f, const char *sku, const char *hit_unit, const char *unit)
{
	char id[MODEL_LISTING_ID_LEN + 1];
	listing_make_id(f->seller[1], sku, id);
	struct search_hit h;
	struct listing l;
	struct kerr e = {0};
	assert_int_equal(store_search_hit(f->s, id, &h, &e), 0);
	assert_string_equal(h.unit, hit_unit);
	free(h.title);
	assert_int_equal(store_listing_get(f->s, id, &l, &e), 0);
	assert_string_equal(l.unit, unit);
	listing_free(&l);
}

/* What a price is per: a summary that says its unit keeps it, for the search hit and the
 * listing read back; one that does not is not known ("") rather than taken for pieces; a
 * whole signed listing without one is in pieces, as the model says. A cache from before
 * summaries carried the unit kept every summary in pieces: opening it forgets that unit
 * (migration 13), and keeps a whole listing's. */
static void test_a_summary_says_its_unit_or_none_never_pieces_by_default(void **state)
{
	struct fx *f = *state;
	put_summary(f, "RAIL", "Balcony railing", "MTR");
	put_summary(f, "OLD", "Stair railing", NULL);
	unit_of(f, "RAIL", "MTR", "MTR");
	unit_of(f, "OLD", "", "");
	struct spec w = {
	    .seller = 1, .sku = "LEGS", .title = "Table legs", .price = 1250, .moq = 100};
	struct listing l;
	struct kerr e = {0};
	make_listing(f, &w, &l);
	/* whole: signed (a signature's shape; the store does not check it, sync does) */
	l.sig = xstrdup(
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAA==");
	assert_int_equal(store_listing_put(f->s, &l, "main", &e), 0);
	listing_free(&l);
	unit_of(f, "LEGS", "C62", "C62");

	/* as a pull before 2026-12-07 kept a railing sold by the metre: in pieces */
	store_close(&f->s);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db,
	                 "UPDATE listing_json SET json = json_set(json, '$.unit', 'C62');"
	                 "PRAGMA user_version = 12",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(f->path, &f->s, &e), 0);
	unit_of(f, "RAIL", "", ""); /* not known until it changes or is fetched */
	unit_of(f, "OLD", "", "");
	unit_of(f, "LEGS", "C62", "C62"); /* the signed listing says its own */
}

static int first_title(void *ctx, const cJSON *o)
{
	char *out = ctx;
	if (!*out)
		snprintf(out, 64, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(o, "title")));
	return 0;
}

/* RFQs are newest first; two made in one second (created has seconds) come the one the
 * cache took last first, every time, not by their random ids. */
static void test_rfqs_made_in_one_second_list_the_last_taken_first(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	const char *ids[] = {"Rzzzz", "Raaaa", "Rmmmm"}; /* ids that sort against the order */
	for (int i = 0; i < 3; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", ids[i]);
		cJSON_AddStringToObject(o, "buyerId", f->seller[2]);
		char t[16];
		snprintf(t, sizeof t, "RFQ %d", i);
		cJSON_AddStringToObject(o, "title", t);
		cJSON_AddStringToObject(o, "created", "2026-12-07T11:50:00Z");
		assert_int_equal(store_object_put(f->s, "Rfq", o, "main", f->seller[0], &e), 0);
		cJSON_Delete(o);
		char first[64] = "";
		assert_int_equal(store_object_each(f->s, "Rfq", NULL, first_title, first, &e), 0);
		assert_string_equal(first, t);
	}
}

static int message_text(void *ctx, const cJSON *o)
{
	struct kbuf *b = ctx;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "text");
	kbuf_printf(b, "%s%s", b->len ? "," : "", cJSON_IsString(t) ? t->valuestring : "?");
	return 0;
}

/* Sent in one second (times are in seconds), with ids that sort against their order: the
 * conversation reads in the order the cache took them, and its last is the last taken. */
static void test_messages_sent_in_one_second_keep_the_order_they_came_in(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "id", "C1");
	cJSON_AddStringToObject(c, "updated", "2026-12-08T03:28:00Z");
	assert_int_equal(store_object_put(f->s, "Conversation", c, "main", f->seller[0], &e), 0);
	cJSON_Delete(c);
	const char *ids[] = {"Mzzzz", "Maaaa", "Mmmmm"};
	const char *texts[] = {"Your legs left Hai Phong", "ETA Hamburg on the 2nd", "Thanks"};
	for (int i = 0; i < 3; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", ids[i]);
		cJSON_AddStringToObject(o, "conversationId", "C1");
		cJSON_AddStringToObject(o, "from", f->seller[0]);
		cJSON_AddStringToObject(o, "sent", "2026-12-08T03:28:00Z");
		cJSON_AddStringToObject(o, "text", texts[i]);
		assert_int_equal(store_object_put(f->s, "Message", o, "main", f->seller[0], &e), 0);
		cJSON_Delete(o);
		struct kbuf last = KBUF_INIT;
		assert_int_equal(store_conversation_last(f->s, "C1", message_text, &last, &e), 0);
		assert_string_equal(kbuf_str(&last), texts[i]);
		kbuf_free(&last);
	}
	struct kbuf all = KBUF_INIT;
	assert_int_equal(store_object_each(f->s, "Message", "C1", message_text, &all, &e), 0);
	assert_string_equal(kbuf_str(&all),
	                    "Your legs left Hai Phong,ETA Hamburg on the 2nd,Thanks");
	kbuf_free(&all);
}

static void test_cache_files_are_private_whatever_the_umask(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	char path[160];
	struct store *s;
	snprintf(path, sizeof path, "%s/other.db", f->dir);
	mode_t old = umask(022);
	assert_int_equal(store_open(path, &s, &e), 0);
	assert_int_equal(store_meta_set(s, "k", "v", &e), 0);
	const char *sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		char p[192];
		struct stat sb;
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		assert_int_equal(stat(p, &sb), 0);
		if ((sb.st_mode & 0777) != 0600)
			fail_msg("%s is %o", p, (unsigned)(sb.st_mode & 0777));
	}
	store_close(&s);
	umask(old);
	for (int i = 0; i < 3; i++) {
		char p[192];
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		unlink(p);
	}
}

static void test_search_verified_follows_the_account(void **state)
{
	struct fx *f = *state;
	seed_filters(f); /* listings first, accounts later: the index must catch up */
	struct search_query q = query("widget");
	struct search_result r;
	q.filter.verified = 1;
	assert_int_equal(run(f, &q, &r), 0);
	search_result_free(&r);
	put_account(f, 1, 1, 4.5, 10);
	assert_int_equal(run(f, &q, &r), 2);
	assert_int_equal(r.hits[0].verified, 1);
	assert_true(r.hits[0].rating > 4.4 && r.hits[0].rating < 4.6);
	assert_int_equal(r.hits[0].rating_count, 10);
	search_result_free(&r);
	put_account(f, 1, 0, 4.5, 10);
	assert_int_equal(run(f, &q, &r), 0);
	search_result_free(&r);
	/* An expired attestation is no verification. */
	struct account a;
	struct kerr e = {0};
	account_init(&a);
	memcpy(a.id, f->seller[2], sizeof a.id);
	a.display_name = xstrdup("Old");
	memcpy(a.country, "VN", 3);
	a.attestation = cJSON_CreateObject();
	cJSON_AddStringToObject(a.attestation, "expires", "2001-01-01T00:00:00Z");
	assert_int_equal(store_account_put(f->s, &a, &e), 0);
	account_free(&a);
	assert_int_equal(run(f, &q, &r), 0);
	search_result_free(&r);
}

static void test_search_sorts_price_newest_rating_relevance(void **state)
{
	struct fx *f = *state;
	struct spec s[] = {
	    {.seller = 0,
	     .sku = "1",
	     .title = "Coffee beans arabica",
	     .currency = "USD",
	     .price = 1500,
	     .moq = 1,
	     .country = "BR",
	     .updated = "2026-01-03T00:00:00Z"},
	    {.seller = 1,
	     .sku = "2",
	     .title = "Roasted coffee beans",
	     .currency = "USD",
	     .price = 900,
	     .moq = 1,
	     .country = "CO",
	     .updated = "2026-01-01T00:00:00Z"},
	    {.seller = 2,
	     .sku = "3",
	     .title = "Green beans for roasting",
	     .currency = "USD",
	     .price = 1200,
	     .moq = 1,
	     .country = "ET",
	     .updated = "2026-01-02T00:00:00Z",
	     .description = "Ideal for coffee roasters"},
	    {.seller = 0,
	     .sku = "4",
	     .title = "Coffee beans robusta",
	     .currency = "EUR",
	     .price = 100,
	     .moq = 1,
	     .country = "VN",
	     .updated = "2026-01-04T00:00:00Z"},
	};
	for (size_t i = 0; i < 4; i++)
		put(f, &s[i]);
	put_account(f, 0, 0, 3.0, 5);
	put_account(f, 1, 0, 4.9, 30);
	put_account(f, 2, 0, 4.0, 2);
	struct search_query q = query("coffee");
	struct search_result r;

	q.sort = SEARCH_NEWEST;
	assert_int_equal(run(f, &q, &r), 4);
	assert_string_equal(r.hits[0].title, "Coffee beans robusta");
	assert_string_equal(r.hits[1].title, "Coffee beans arabica");
	assert_string_equal(r.hits[2].title, "Green beans for roasting");
	assert_string_equal(r.hits[3].title, "Roasted coffee beans");
	search_result_free(&r);

	q.sort = SEARCH_PRICE;
	q.filter.currency = "USD";
	assert_int_equal(run(f, &q, &r), 3);
	assert_int_equal(r.hits[0].price, 900);
	assert_int_equal(r.hits[1].price, 1200);
	assert_int_equal(r.hits[2].price, 1500);
	search_result_free(&r);
	q.filter.max_price = 1200;
	assert_int_equal(run(f, &q, &r), 2);
	assert_int_equal(r.total, 2);
	search_result_free(&r);
	q.filter.max_price = -1;
	q.filter.currency = NULL; /* no currency: grouped by currency, cheapest first in each */
	assert_int_equal(run(f, &q, &r), 4);
	assert_string_equal(r.hits[0].currency, "EUR");
	assert_int_equal(r.hits[1].price, 900);
	search_result_free(&r);

	q.sort = SEARCH_RATING;
	assert_int_equal(run(f, &q, &r), 4);
	assert_string_equal(r.hits[0].title, "Roasted coffee beans");
	assert_string_equal(r.hits[1].title, "Green beans for roasting");
	assert_true(r.hits[2].rating < 3.1);
	search_result_free(&r);

	/* Relevance: the word in the title beats the word in the description. */
	q.sort = SEARCH_RELEVANCE;
	assert_int_equal(run(f, &q, &r), 4);
	assert_string_equal(r.hits[3].title, "Green beans for roasting");
	assert_string_equal(r.hits[0].title, "Coffee beans robusta");
	search_result_free(&r);
	/* A rating change re-orders. */
	put_account(f, 2, 0, 5.0, 40);
	q.sort = SEARCH_RATING;
	assert_int_equal(run(f, &q, &r), 4);
	assert_string_equal(r.hits[0].title, "Green beans for roasting");
	search_result_free(&r);
}

static void test_search_limit_offset_and_total(void **state)
{
	struct fx *f = *state;
	char sku[16], title[64], upd[32];
	for (int i = 0; i < 30; i++) {
		snprintf(sku, sizeof sku, "S%02d", i);
		snprintf(title, sizeof title, "Phone case model %d", i);
		snprintf(upd, sizeof upd, "2026-01-01T00:00:%02dZ", i);
		struct spec sp = {.seller = i % 3,
		                  .sku = sku,
		                  .title = title,
		                  .currency = "USD",
		                  .price = 100 + i,
		                  .moq = 1,
		                  .country = "CN",
		                  .updated = upd};
		put(f, &sp);
	}
	struct search_query q = query("phone case");
	struct search_result r;
	q.sort = SEARCH_NEWEST;
	q.limit = 10;
	q.offset = 25;
	assert_int_equal(run(f, &q, &r), 5);
	assert_int_equal(r.total, 30);
	assert_int_equal(r.total_capped, 0);
	assert_string_equal(r.hits[0].title, "Phone case model 4");
	search_result_free(&r);
	q.offset = 40;
	assert_int_equal(run(f, &q, &r), 0);
	assert_int_equal(r.total, 30);
	search_result_free(&r);
	q.offset = 0;
	q.limit = 0;
	struct kerr e = {0};
	assert_int_equal(store_search(f->s, &q, &r, &e), K_EINVAL);
	q.limit = 501;
	assert_int_equal(store_search(f->s, &q, &r, &e), K_EINVAL);
	/* An empty query lists everything in the chosen order. */
	struct search_query all = query("");
	all.sort = SEARCH_PRICE;
	all.limit = 3;
	assert_int_equal(run(f, &all, &r), 3);
	assert_int_equal(r.total, 30);
	assert_int_equal(r.hits[0].price, 100);
	assert_int_equal(r.hits[2].price, 102);
	search_result_free(&r);
}

static void test_search_price_cap_with_many_matches_keeps_order_and_caps_total(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	char sku[16], upd[32];
	/* More matches than the count cap: the page comes from walking newest first and
	 * checking each row's price; the total says "1000+". */
	assert_int_equal(store_begin(f->s, &e), 0);
	for (int i = 0; i < 1500; i++) {
		snprintf(sku, sizeof sku, "B%04d", i);
		snprintf(upd, sizeof upd, "2026-01-01T00:%02d:%02dZ", i / 60, i % 60);
		struct spec sp = {.seller = i % 3,
		                  .sku = sku,
		                  .title = "Bulk bolt",
		                  .currency = i % 7 ? "USD" : "EUR",
		                  .price = 100 + (i * 37) % 1100,
		                  .updated = upd};
		put(f, &sp);
	}
	assert_int_equal(store_commit(f->s, &e), 0);
	struct search_query q = query("bolt");
	struct search_result r;
	q.filter.currency = "USD";
	q.filter.max_price = 1100;
	q.sort = SEARCH_NEWEST;
	q.limit = 20;
	assert_int_equal(run(f, &q, &r), 20);
	assert_true(r.total_capped);
	assert_int_equal(r.total, 1000);
	for (size_t i = 0; i < r.n; i++) {
		assert_string_equal(r.hits[i].currency, "USD");
		assert_true(r.hits[i].price <= 1100);
		if (i)
			assert_true(strcmp(r.hits[i - 1].updated, r.hits[i].updated) >= 0);
	}
	search_result_free(&r);
	q.filter.max_price = 150; /* few enough to count and re-order */
	int64_t want = 0;
	for (int i = 0; i < 1500; i++)
		want += i % 7 && 100 + (i * 37) % 1100 <= 150;
	assert_int_equal(run(f, &q, &r), 20);
	assert_false(r.total_capped);
	assert_int_equal(r.total, want);
	for (size_t i = 0; i < r.n; i++) {
		assert_true(r.hits[i].price <= 150);
		if (i)
			assert_true(strcmp(r.hits[i - 1].updated, r.hits[i].updated) >= 0);
	}
	search_result_free(&r);
	q.sort = SEARCH_RATING;
	q.filter.max_price = 1100;
	assert_int_equal(run(f, &q, &r), 20);
	for (size_t i = 0; i < r.n; i++)
		assert_true(r.hits[i].price <= 1100 && strcmp(r.hits[i].currency, "USD") == 0);
	search_result_free(&r);
}

static void test_search_injection_looking_queries_are_harmless(void **state)
{
	struct fx *f = *state;
	struct spec a = {.seller = 0,
	                 .sku = "A",
	                 .title = "Near field antenna",
	                 .currency = "USD",
	                 .price = 300};
	struct spec b = {
	    .seller = 0, .sku = "B", .title = "Plain x item", .currency = "USD", .price = 300};
	put(f, &a);
	put(f, &b);
	const char *evil[] = {"a\" OR *", "NEAR(",      "-x",         "\"",
	                      "*",        "title:near", "{title}: x", "x AND OR NOT",
	                      "c_us",     "all_",       ")",          "''; DROP TABLE listings; --",
	                      "\xff\xfe", "x^",         "NOT near"};
	for (size_t i = 0; i < sizeof evil / sizeof evil[0]; i++) {
		struct search_query q = query(evil[i]);
		struct search_result r;
		struct kerr e = {0};
		int rc = store_search(f->s, &q, &r, &e);
		assert_true(rc == 0 || rc == K_EINVAL);
		if (rc == 0)
			search_result_free(&r);
	}
	assert_int_equal(hits(f, "NEAR("), 1); /* just the word "near" */
	assert_int_equal(hits(f, "-x"), 1);    /* just the word "x" */
	assert_int_equal(hits(f, "all_"), 0);  /* filter tokens cannot be typed */
	assert_int_equal(hits(f, "\"*\""), 2); /* no words: everything */
	assert_int_equal(store_listing_count(f->s), 2);
}

static void test_search_results_follow_writes(void **state)
{
	struct fx *f = *state;
	struct spec a = {
	    .seller = 0, .sku = "A", .title = "Cotton fabric", .currency = "USD", .price = 300};
	put(f, &a);
	assert_int_equal(hits(f, "fabric"), 1);
	assert_int_equal(hits(f, "fabric"), 1); /* from the result cache */
	struct spec b = {
	    .seller = 1, .sku = "B", .title = "Denim fabric", .currency = "USD", .price = 300};
	put(f, &b);
	assert_int_equal(hits(f, "fabric"), 2);
}

struct collect {
	char sku[8][16];
	int n;
};

static int collect_cb(void *ctx, const struct listing *l)
{
	struct collect *c = ctx;
	snprintf(c->sku[c->n++], sizeof c->sku[0], "%s", l->sku);
	return c->n == 8 ? 7 : 0;
}

static void test_listing_each_walks_a_seller_in_sku_order(void **state)
{
	struct fx *f = *state;
	struct spec s[] = {{.seller = 0, .sku = "C", .title = "c", .currency = "USD", .price = 1},
	                   {.seller = 0, .sku = "A", .title = "a", .currency = "USD", .price = 1},
	                   {.seller = 1, .sku = "B", .title = "b", .currency = "USD", .price = 1},
	                   {.seller = 0, .sku = "B", .title = "b", .currency = "USD", .price = 1}};
	for (size_t i = 0; i < 4; i++)
		put(f, &s[i]);
	struct collect c = {0};
	struct kerr e = {0};
	assert_int_equal(store_listing_each(f->s, f->seller[0], collect_cb, &c, &e), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.sku[0], "A");
	assert_string_equal(c.sku[1], "B");
	assert_string_equal(c.sku[2], "C");
	memset(&c, 0, sizeof c);
	assert_int_equal(store_listing_each(f->s, NULL, collect_cb, &c, &e), 0);
	assert_int_equal(c.n, 4);
}

static void test_account_put_get_round_trip(void **state)
{
	struct fx *f = *state;
	put_account(f, 0, 0, 4.0, 3);
	struct account a;
	struct kerr e = {0};
	int rc = store_account_get(f->s, f->seller[0], &a, &e);
	if (rc)
		fprintf(stderr, "account get: %s\n", e.msg);
	assert_int_equal(rc, 0);
	assert_string_equal(a.display_name, "Seller");
	assert_string_equal(a.country, "DE");
	account_free(&a);
	assert_int_equal(store_account_get(f->s, f->seller[1], &a, &e), K_ENOTFOUND);
	account_free(&a);
}

struct obx {
	int64_t seq[8];
	char cid[8][40];
	char method[8][32];
	int attempts[8];
	char err[8][32];
	int n;
};

static int obx_cb(void *ctx, const struct outbox_item *it)
{
	struct obx *o = ctx;
	o->seq[o->n] = it->seq;
	memcpy(o->cid[o->n], it->creation_id, 40);
	snprintf(o->method[o->n], 32, "%s", it->method);
	o->attempts[o->n] = it->attempts;
	snprintf(o->err[o->n], 32, "%s", it->last_error ? it->last_error : "");
	o->n++;
	return 0;
}

static void test_outbox_add_list_fail_done_drop_in_order(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	char cid[3][40];
	assert_int_equal(
	    store_outbox_add(f->s, "Listing/set", "create", "L1", "{}", NULL, cid[0], &e), 0);
	assert_int_equal(
	    store_outbox_add(f->s, "Message/set", "create", "M1", "{\"a\":1}", "main", cid[1], &e),
	    0);
	assert_int_equal(
	    store_outbox_add(f->s, "Listing/set", "destroy", "L1", NULL, NULL, cid[2], &e), 0);
	assert_int_equal(store_outbox_count(f->s), 3);
	struct obx o = {0};
	assert_int_equal(store_outbox_each(f->s, obx_cb, &o, &e), 0);
	assert_int_equal(o.n, 3);
	assert_true(o.seq[0] < o.seq[1] && o.seq[1] < o.seq[2]);
	assert_string_equal(o.method[1], "Message/set");
	assert_string_equal(o.cid[0], cid[0]);

	assert_int_equal(store_outbox_fail(f->s, o.seq[0], "node unreachable", &e), 0);
	assert_int_equal(store_outbox_fail(f->s, o.seq[0], "timeout", &e), 0);
	assert_int_equal(store_outbox_done(f->s, o.seq[1], &e), 0);
	assert_int_equal(store_outbox_drop(f->s, o.seq[2], &e), 0);
	assert_int_equal(store_outbox_done(f->s, o.seq[2], &e), K_ENOTFOUND);
	memset(&o, 0, sizeof o);
	assert_int_equal(store_outbox_each(f->s, obx_cb, &o, &e), 0);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.attempts[0], 2);
	assert_string_equal(o.err[0], "timeout");
	/* A new entry after deletions still sorts last (AUTOINCREMENT never reuses). */
	assert_int_equal(store_outbox_add(f->s, "Order/set", "update", "O1", "{}", NULL, NULL, &e),
	                 0);
	memset(&o, 0, sizeof o);
	assert_int_equal(store_outbox_each(f->s, obx_cb, &o, &e), 0);
	assert_int_equal(o.n, 2);
	assert_string_equal(o.method[1], "Order/set");
}

static void test_outbox_creation_ids_are_unique(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	char ids[200][40];
	for (int i = 0; i < 200; i++) {
		assert_int_equal(
		    store_outbox_add(f->s, "Listing/set", "create", NULL, "{}", NULL, ids[i], &e),
		    0);
		assert_int_equal(strlen(ids[i]), 33);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(ids[i], ids[j]);
	}
}

static void test_transaction_rolls_back_listing_and_outbox_together(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	struct spec sp = {
	    .seller = 0, .sku = "T", .title = "Rollback widget", .currency = "USD", .price = 100};
	struct listing l;
	make_listing(f, &sp, &l);
	assert_int_equal(store_begin(f->s, &e), 0);
	assert_int_equal(store_begin(f->s, &e), K_EINVAL);
	assert_int_equal(store_listing_put(f->s, &l, NULL, &e), 0);
	assert_int_equal(
	    store_outbox_add(f->s, "Listing/set", "create", l.id, "{}", NULL, NULL, &e), 0);
	assert_int_equal(hits(f, "rollback"), 1); /* visible inside */
	store_rollback(f->s);
	assert_int_equal(hits(f, "rollback"), 0);
	assert_int_equal(store_listing_count(f->s), 0);
	assert_int_equal(store_outbox_count(f->s), 0);
	/* And a committed one stays. */
	assert_int_equal(store_begin(f->s, &e), 0);
	assert_int_equal(store_listing_put(f->s, &l, NULL, &e), 0);
	assert_int_equal(
	    store_outbox_add(f->s, "Listing/set", "create", l.id, "{}", NULL, NULL, &e), 0);
	assert_int_equal(store_commit(f->s, &e), 0);
	assert_int_equal(hits(f, "rollback"), 1);
	assert_int_equal(store_outbox_count(f->s), 1);
	listing_free(&l);
}

static void test_failed_write_inside_a_transaction_dooms_the_commit(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	struct spec a = {.sku = "A", .title = "Good widget", .currency = "USD", .price = 1};
	struct spec b = {.sku = "B", .title = "Damaged widget", .currency = "USD", .price = 1};
	put(f, &a);
	put(f, &b);
	/* Damage one stored row behind the store's back, so deleting it fails midway. */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "UPDATE listing_json SET json = 'not json' WHERE rid ="
	                              " (SELECT rid FROM listings WHERE sku = 'B')",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	struct listing la, lb;
	make_listing(f, &a, &la);
	make_listing(f, &b, &lb);
	assert_int_equal(store_begin(f->s, &e), 0);
	assert_int_equal(store_listing_delete(f->s, la.id, &e), 0);
	assert_int_equal(store_listing_delete(f->s, lb.id, &e), K_EDB);
	assert_non_null(strstr(e.msg, "damaged"));
	assert_int_equal(store_commit(f->s, &e), K_EDB);
	assert_non_null(strstr(e.msg, "rolled back"));
	assert_int_equal(hits(f, "good"), 1); /* the first delete was undone too */
	assert_int_equal(store_listing_count(f->s), 2);
	listing_free(&la);
	listing_free(&lb);
}

static void test_search_index_is_rebuilt_when_its_text_version_changes(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	struct spec a = {
	    .seller = 1, .sku = "A", .title = "Walnut desk", .currency = "USD", .price = 1};
	struct spec b = {
	    .seller = 0, .sku = "B", .title = "Oak desk", .currency = "USD", .price = 2};
	put(f, &a);
	put(f, &b);
	put_account(f, 1, 1, 4.0, 2);
	assert_int_equal(store_bulk_load(f->s, 1, &e), 0); /* and never switched off */
	store_close(&f->s);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "UPDATE meta SET value = '0' WHERE key = 'search_version'",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(f->path, &f->s, &e), 0);
	char *v = NULL;
	assert_int_equal(store_meta_get(f->s, "bulk_load", &v, &e), K_ENOTFOUND);
	assert_int_equal(hits(f, "desk"), 2);
	struct search_query q = query("desk");
	struct search_result r;
	q.filter.verified = 1;
	assert_int_equal(run(f, &q, &r), 1);
	assert_string_equal(r.hits[0].title, "Walnut desk");
	search_result_free(&r);
	/* Rows rebuilt that way can still be deleted exactly. */
	struct listing l;
	make_listing(f, &a, &l);
	assert_int_equal(store_listing_delete(f->s, l.id, &e), 0);
	listing_free(&l);
	assert_int_equal(hits(f, "walnut"), 0);
	assert_int_equal(hits(f, "desk"), 1);
}

static void test_meta_set_get_and_missing(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	char *v = NULL;
	assert_int_equal(store_meta_get(f->s, "node", &v, &e), K_ENOTFOUND);
	assert_int_equal(store_meta_set(f->s, "node", "main", &e), 0);
	assert_int_equal(store_meta_set(f->s, "node", "backup", &e), 0);
	assert_int_equal(store_meta_get(f->s, "node", &v, &e), 0);
	assert_string_equal(v, "backup");
	free(v);
}

/* node add checks the name first, but two processes adding one name at once meet at the
 * table's key: the second must hear "exists already", not a database failure. */
static void test_node_add_twice_says_it_exists_already(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	struct node_info n;
	memset(&n, 0, sizeof n);
	n.name = "main";
	n.url = "https://127.0.0.1:8443";
	n.node_key = "key";
	snprintf(n.added, sizeof n.added, "2026-12-05T00:00:00Z");
	assert_int_equal(store_node_add(f->s, &n, &e), K_OK);
	assert_int_equal(store_node_add(f->s, &n, &e), K_EEXIST);
	assert_string_equal(e.msg, "a node named 'main' exists already");
}

/* The SKUs that name a listing besides its key follow each write of it: the one the seller
 * wrote and each variant's, found by any case, and gone with a new version or the listing. */
static int named(struct fx *f, const char *sku, int variant)
{
	struct names_hits h;
	struct kerr e = {0};
	memset(&h, 0, sizeof h);
	int rc = variant ? store_names_variant_sku(f->s, f->seller[0], sku, &h, &e)
	                 : store_names_sku(f->s, f->seller[0], sku, 1, &h, &e);
	assert_int_equal(rc, K_OK);
	return (int)h.n;
}

static void test_a_listing_is_named_by_its_variants_skus_while_it_has_them(void **state)
{
	struct fx *f = *state;
	struct kerr e = {0};
	struct spec sp = {
	    .sku = "GIO-TRE", .title = "Bamboo basket", .currency = "VND", .price = 1};
	struct listing l;
	make_listing(f, &sp, &l);
	l.seller_sku = xstrdup("Giỏ tre #1");
	l.variants = cJSON_Parse("[{\"sku\":\"GIO-TRE-S\",\"options\":{\"Size\":\"S\"}},"
	                         "{\"sku\":\"GIO-TRE-L\",\"options\":{\"Size\":\"L\"},"
	                         "\"sellerSku\":\"gio tre lon\"}]");
	assert_int_equal(store_listing_put(f->s, &l, "main", &e), K_OK);
	assert_int_equal(named(f, "gio-tre-l", 1), 1);
	assert_int_equal(named(f, "GIO TRE LON", 1), 1);
	assert_int_equal(named(f, "Giỏ tre #1", 0), 1);
	assert_int_equal(named(f, "GIO-TRE-L", 0), 0); /* a variant's is no listing's own */
	assert_int_equal(named(f, "GIO-TRE-M", 1), 0);
	/* a new version without them: they name it no more */
	cJSON_Delete(l.variants);
	l.variants = NULL;
	assert_int_equal(store_listing_put(f->s, &l, "main", &e), K_OK);
	assert_int_equal(named(f, "gio-tre-l", 1), 0);
	assert_int_equal(named(f, "Giỏ tre #1", 0), 1);
	assert_int_equal(store_listing_delete(f->s, l.id, &e), K_OK);
	assert_int_equal(named(f, "Giỏ tre #1", 0), 0);
	listing_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(test_migrations_from_empty_reach_current_version),
	    T(test_open_refuses_a_newer_schema),
	    T(test_open_names_the_file_it_cannot_open),
	    T(test_listing_put_get_round_trip),
	    T(test_listing_replace_keeps_one_row_and_reindexes),
	    T(test_listing_delete_removes_from_search),
	    T(test_paused_listing_is_kept_but_not_searchable),
	    T(test_search_by_word_case_and_diacritics),
	    T(test_search_last_word_is_a_prefix),
	    T(test_search_two_cjk_characters_find_a_longer_word),
	    T(test_search_cyrillic_arabic_thai_devanagari_words),
	    T(test_search_filters_country_currency_price_moq_incoterm_category),
	    T(test_search_refuses_a_seller_or_price_floor_the_cache_cannot_check),
	    T(test_search_folds_letters_as_one),
	    T(test_search_price_is_the_price_at_the_moq_and_best_is_from),
	    T(test_a_summary_says_its_unit_or_none_never_pieces_by_default),
	    T(test_rfqs_made_in_one_second_list_the_last_taken_first),
	    T(test_messages_sent_in_one_second_keep_the_order_they_came_in),
	    T(test_cache_files_are_private_whatever_the_umask),
	    T(test_search_verified_follows_the_account),
	    T(test_search_sorts_price_newest_rating_relevance),
	    T(test_search_limit_offset_and_total),
	    T(test_search_price_cap_with_many_matches_keeps_order_and_caps_total),
	    T(test_search_injection_looking_queries_are_harmless),
	    T(test_search_results_follow_writes),
	    T(test_listing_each_walks_a_seller_in_sku_order),
	    T(test_a_listing_is_named_by_its_variants_skus_while_it_has_them),
	    T(test_account_put_get_round_trip),
	    T(test_outbox_add_list_fail_done_drop_in_order),
	    T(test_outbox_creation_ids_are_unique),
	    T(test_transaction_rolls_back_listing_and_outbox_together),
	    T(test_failed_write_inside_a_transaction_dooms_the_commit),
	    T(test_search_index_is_rebuilt_when_its_text_version_changes),
	    T(test_meta_set_get_and_missing),
	    T(test_node_add_twice_says_it_exists_already),
#undef T
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
