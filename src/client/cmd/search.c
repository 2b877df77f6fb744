/* search — finds listings in the local cache (never the network): words in any script plus
 * the filters of DESIGN §9, as a table on a terminal or one JSON object per line. */
#include "cmd.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../net/http.h"
#include "../net/sync.h"
#include "../store/photo.h"
#include "../store/store.h"
#include "kontor/buf.h"
#include "kontor/codes.h"
#include "kontor/imagehash.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "kontor/money.h"
#include "kontor/text.h"

static void upper(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s);
	for (char *p = dst; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
}

/* The code option --NAME (a country, currency or Incoterm), upper-cased into buf and
 * checked by check: *out = buf when it passes, left alone when the option is absent. */
static int code_opt(const struct args *a, const char *name, char *buf, size_t cap,
                    int (*check)(const char *code, const char *field, struct kerr *e),
                    const char **out, struct kerr *e)
{
	const char *v = arg_get(a, name);
	if (!v)
		return K_OK;
	char field[24];
	snprintf(field, sizeof field, "--%s", name);
	upper(buf, cap, v);
	int rc = check(buf, field, e);
	if (rc == K_OK)
		*out = buf;
	return rc;
}

/* 1 when the cache holds the whole listing and its seller's signature checks out; 0 for a
 * summary from a pull, which carries no signature (DESIGN §4) until `listing show` (or
 * --remote) fetches the listing whole. */
static int hit_checked(struct ctx *c, const char *id)
{
	struct store *s;
	struct listing l;
	struct kerr ve = {0};
	if (ctx_store(c, &s, NULL) != K_OK || store_listing_get(s, id, &l, NULL) != K_OK)
		return 0;
	int ok = l.sig && listing_verify(&l, &ve) == K_OK;
	listing_free(&l);
	return ok;
}

#define SUMMARY_MARK "~"
#define TITLE_COLS 44 /* a title's columns where the row has room */
#define TITLE_LEAST 16
#define ID_SHORT 8 /* an id's start, which every command takes, on a narrow terminal */

/* The table's columns, each as wide as its widest cell (0: a column no row fills, left
 * out); the title takes what the terminal leaves, and the id gives way to its start first. */
struct hit_cols {
	int photo;
	size_t near, title, price, from, moq, unit, rating, id;
};

/* How near a photo match is, in words and the number (dist < 0: not a photo search). */
static void photo_words(int dist, char *out, size_t cap)
{
	if (dist < 0)
		snprintf(out, cap, "%s", "");
	else
		snprintf(out, cap, "%s (%d)", kimg_distance_words(dist), dist);
}

/* One hit's cells as the table shows them: the price at the MOQ, "from" the best tier's
 * where a bigger order pays less, the MOQ, the unit the price is per ("10 m", "500 kg"),
 * and the rating. */
struct hit_cells {
	char near[48], price[MONEY_FMT_MAX], from[MONEY_FMT_MAX + 8], moq[MONEY_FMT_MAX];
	char rating[32];
	const char *unit;
};

static void hit_cells(const struct search_hit *h, int dist, struct hit_cells *x)
{
	photo_words(dist, x->near, sizeof x->near);
	money_text(h->price, h->currency, x->price);
	x->from[0] = '\0';
	if (h->best < h->price) {
		char amt[MONEY_FMT_MAX];
		money_text(h->best, h->currency, amt);
		snprintf(x->from, sizeof x->from, "from %s", amt);
	}
	count_text(h->moq, x->moq);
	x->unit = h->unit[0] ? codes_unit_abbr(h->unit) : "";
	if (h->rating_count)
		snprintf(x->rating, sizeof x->rating, "%.1f(%lld)", h->rating,
		         (long long)h->rating_count);
	else
		snprintf(x->rating, sizeof x->rating, "-");
}

/* The columns for these hits (dist: their photo distances, NULL when not by photo). */
static void hit_layout(struct ctx *c, const struct search_hit *hits, const int *dist, size_t n,
                       struct hit_cols *k)
{
	*k = (struct hit_cols){.photo = dist != NULL,
	                       .near = 5, /* MATCH */
	                       .title = 5,
	                       .price = 5,
	                       .moq = 3,
	                       .rating = 6,
	                       .id = MODEL_LISTING_ID_LEN};
	for (size_t i = 0; i < n; i++) {
		struct hit_cells x;
		struct kbuf t = KBUF_INIT;
		hit_cells(&hits[i], dist ? dist[i] : -1, &x);
		text_sanitize(&t, hits[i].title, strlen(hits[i].title), 0);
		cmd_widen(&k->title, kbuf_str(&t));
		kbuf_free(&t);
		cmd_widen(&k->near, x.near);
		cmd_widen(&k->price, x.price);
		cmd_widen(&k->from, x.from);
		cmd_widen(&k->moq, x.moq);
		cmd_widen(&k->unit, x.unit);
		cmd_widen(&k->rating, x.rating);
	}
	if (k->title > TITLE_COLS)
		k->title = TITLE_COLS;
	/* the mark, the title, " CUR ", the price, the from, " ", the MOQ, the unit, " CC ✓ ",
	 * the rating, two spaces, the id */
	int rest =
	    (int)((k->photo ? k->near + 1 : 0) + 2 + 5 + k->price + (k->from ? k->from + 1 : 0) +
	          1 + k->moq + (k->unit ? k->unit + 1 : 0) + 6 + k->rating + 2);
	int width = cmd_table_width(c);
	if (width > 0 && rest + (int)k->title + MODEL_LISTING_ID_LEN > width)
		k->id = ID_SHORT;
	k->title = (size_t)cmd_flex_cols(width, rest + (int)k->id, (int)k->title, TITLE_LEAST);
}

/* Prints one hit (dist: its photo distance, -1 when the search was not by photo); returns 1
 * when it is an unchecked summary. */
static int print_hit(struct ctx *c, const struct hit_cols *k, const struct search_hit *h, int dist)
{
	int checked = hit_checked(c, h->id);
	if (c->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", h->id);
		cJSON_AddStringToObject(o, "title", h->title);
		cJSON_AddStringToObject(o, "sellerId", h->seller_id);
		cJSON_AddStringToObject(o, "currency", h->currency);
		json_add_int(o, "price", h->price); /* the unit price at the MOQ */
		json_add_int(o, "bestPrice", h->best);
		json_add_int(o, "moq", h->moq);
		if (h->unit[0]) /* what the price is per and the MOQ counts */
			cJSON_AddStringToObject(o, "unit", h->unit);
		cJSON_AddStringToObject(o, "country", h->country);
		/* verified: this listing's own signature; sellerVerified: the seller's papers. */
		cJSON_AddBoolToObject(o, "verified", checked);
		cJSON_AddBoolToObject(o, "sellerVerified", h->verified);
		if (h->rating_count) {
			cJSON *r = cJSON_AddObjectToObject(o, "rating");
			/* hundredths keep the JSON integral */
			json_add_int(r, "averageHundredths", (int64_t)(h->rating * 100 + 0.5));
			json_add_int(r, "count", h->rating_count);
		}
		cJSON_AddStringToObject(o, "updated", h->updated);
		if (dist >= 0) {
			json_add_int(o, "distance", dist);
			cJSON_AddStringToObject(o, "match", kimg_distance_words(dist));
		}
		cmd_print_json(c, o);
		return !checked;
	}
	struct kbuf line = KBUF_INIT, t = KBUF_INIT;
	struct hit_cells x;
	hit_cells(h, dist, &x);
	if (k->photo)
		kbuf_printf(&line, "%-*s ", (int)k->near, x.near);
	kbuf_puts(&line, checked ? "  " : SUMMARY_MARK " ");
	text_sanitize(&t, h->title, strlen(h->title), 0);
	text_clip_mark(&line, kbuf_str(&t), k->title, 1);
	kbuf_printf(&line, " %3s %*s ", h->currency, (int)k->price, x.price);
	if (k->from)
		kbuf_printf(&line, "%-*s ", (int)k->from, x.from);
	kbuf_printf(&line, "%*s", (int)k->moq, x.moq);
	if (k->unit) {
		kbuf_putc(&line, ' ');
		text_clip(&line, x.unit, k->unit, 1);
	}
	kbuf_printf(&line, " %-2s %s %-*s  %.*s\n", h->country, h->verified ? "\xE2\x9C\x93" : " ",
	            (int)k->rating, x.rating, (int)k->id, h->id);
	text_fprintf(c->out, "%s", line.data);
	kbuf_free(&line);
	kbuf_free(&t);
	return !checked;
}

/* The header of the human table, over the columns k lays out. */
static void print_head(struct ctx *c, const struct hit_cols *k)
{
	struct kbuf h = KBUF_INIT;
	if (k->photo)
		kbuf_printf(&h, "%-*s ", (int)k->near, "MATCH");
	kbuf_puts(&h, "  ");
	text_clip(&h, "TITLE", k->title, 1);
	kbuf_printf(&h, " %3s %*s ", "CUR", (int)k->price, "PRICE");
	if (k->from)
		kbuf_printf(&h, "%-*s ", (int)k->from, "");
	kbuf_printf(&h, "%*s", (int)k->moq, "MOQ");
	if (k->unit)
		kbuf_printf(&h, " %-*s", (int)k->unit, "");
	kbuf_printf(&h, " %-2s %s %-*s  %s\n", "CC", "\xE2\x9C\x93", (int)k->rating, "RATING",
	            "ID");
	fputs(h.data, c->out);
	kbuf_free(&h);
}

/* Prints hits as a table (or JSON lines); dist: their photo distances, NULL when not by
 * photo. Returns how many are unchecked summaries. */
static int print_hits(struct ctx *c, const struct search_hit *hits, const int *dist, size_t n)
{
	struct hit_cols k;
	int summaries = 0;
	hit_layout(c, hits, dist, n, &k);
	if (!c->json && n > 0) /* no head over no rows */
		print_head(c, &k);
	for (size_t i = 0; i < n; i++)
		summaries += print_hit(c, &k, &hits[i], dist ? dist[i] : -1);
	return summaries;
}

static void note_summaries(struct ctx *c, int n)
{
	if (n && !c->json)
		cmd_note(c,
		         SUMMARY_MARK
		         " %d summar%s: not yet checked against the seller's "
		         "signature (`kontor listing show ID` fetches the listing and checks it)",
		         n, n == 1 ? "y" : "ies");
}

/* Appends the call [method, {"#ids": {resultOf, name, path}}, id] to calls: a Foo/get of the
 * ids an earlier call (of, answering name) gave at path. */
static void get_of(cJSON *calls, const char *method, const char *of, const char *name,
                   const char *path, const char *id)
{
	cJSON *call = cJSON_CreateArray(), *args = cJSON_CreateObject(),
	      *ref = cJSON_CreateObject();
	cJSON_AddStringToObject(ref, "resultOf", of);
	cJSON_AddStringToObject(ref, "name", name);
	cJSON_AddStringToObject(ref, "path", path);
	cJSON_AddItemToObject(args, "#ids", ref);
	cJSON_AddItemToArray(call, cJSON_CreateString(method));
	cJSON_AddItemToArray(call, args);
	cJSON_AddItemToArray(call, cJSON_CreateString(id));
	cJSON_AddItemToArray(calls, call);
}

/* --remote: the node's Listing/query chained into Listing/get in one request. Each listing
 * that verifies against its seller goes into the cache (so `listing show` works offline
 * later) and is shown from there, in the node's order. */
static int remote_search(struct ctx *c, const struct search_query *q, const uint64_t *photo,
                         size_t nphoto, int max_distance, struct kerr *e)
{
	static const char *const sorts[] = {"relevance", "price", "rating", "newest"};
	cJSON *req = cJSON_CreateObject();
	cJSON *using = cJSON_AddArrayToObject(req, "using");
	cJSON_AddItemToArray(using, cJSON_CreateString("urn:kontor:trade"));
	cJSON *calls = cJSON_AddArrayToObject(req, "methodCalls");
	cJSON *qc = cJSON_CreateArray(), *qa = cJSON_CreateObject(), *f = cJSON_CreateObject();
	json_add_opt(f, "text", q->filter.text);
	if (q->filter.country)
		cJSON_AddStringToObject(f, "country", q->filter.country);
	if (q->filter.category)
		cJSON_AddStringToObject(f, "category", q->filter.category);
	if (q->filter.currency)
		cJSON_AddStringToObject(f, "currency", q->filter.currency);
	if (q->filter.max_price >= 0)
		json_add_int(f, "maxPrice", q->filter.max_price);
	if (q->filter.max_moq >= 0)
		json_add_int(f, "maxMoq", q->filter.max_moq);
	if (q->filter.verified)
		cJSON_AddBoolToObject(f, "verified", 1);
	if (q->filter.incoterm)
		cJSON_AddStringToObject(f, "incoterm", q->filter.incoterm);
	if (nphoto) { /* 8 bytes a hash (16 hex digits), never the photo */
		cJSON *ph = cJSON_AddObjectToObject(f, "photo");
		cJSON *hs = cJSON_AddArrayToObject(ph, "hashes");
		for (size_t i = 0; i < nphoto; i++) {
			char hex[KIMG_HASH_HEX_LEN + 1];
			kimg_hash_hex(photo[i], hex);
			cJSON_AddItemToArray(hs, cJSON_CreateString(hex));
		}
		json_add_int(ph, "maxDistance", max_distance);
	}
	cJSON_AddItemToObject(qa, "filter", f);
	if (q->sort != SEARCH_RELEVANCE || (q->filter.text && *q->filter.text)) {
		cJSON *srt = cJSON_AddArrayToObject(qa, "sort"), *one = cJSON_CreateObject();
		cJSON_AddStringToObject(one, "property", sorts[q->sort]);
		cJSON_AddItemToArray(srt, one);
	}
	json_add_int(qa, "position", q->offset);
	json_add_int(qa, "limit", q->limit);
	cJSON_AddBoolToObject(qa, "calculateTotal", 1);
	cJSON_AddItemToArray(qc, cJSON_CreateString("Listing/query"));
	cJSON_AddItemToArray(qc, qa);
	cJSON_AddItemToArray(qc, cJSON_CreateString("q"));
	cJSON_AddItemToArray(calls, qc);
	get_of(calls, "Listing/get", "q", "Listing/query", "/ids", "g");
	/* and their sellers: the rating and verified mark shown are the node's of now, not
	 * the cache's of the last sync (or none, for a seller never pulled) */
	get_of(calls, "Account/get", "g", "Listing/get", "/list/*/sellerId", "a");

	struct ksync *k = NULL;
	cJSON *resp = NULL;
	int rc = cmd_sync_open(c, &k, e);
	if (!rc)
		rc = knet_api(ksync_net(k), req, &resp, e);
	cJSON_Delete(req);
	struct store *s = NULL;
	if (!rc)
		rc = ctx_store(c, &s, e);
	const cJSON *mr = resp ? cJSON_GetObjectItemCaseSensitive(resp, "methodResponses") : NULL;
	const cJSON *qr = cJSON_GetArrayItem(cJSON_GetArrayItem(mr, 0), 1);
	const cJSON *gr = cJSON_GetArrayItem(cJSON_GetArrayItem(mr, 1), 1);
	const char *qn = cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetArrayItem(mr, 0), 0));
	if (!rc && qn && strcmp(qn, "error") == 0) {
		const char *d =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(qr, "description"));
		rc = kerr_set(e, K_EINVAL, "the node refused the query: %s", d ? d : "(no reason)");
	} else if (!rc && (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(qr, "ids")) ||
	                   !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(gr, "list")))) {
		rc = kerr_set(e, K_EFAIL, "node answered garbage: a query without ids or listings");
	}
	int shown = 0, bad = 0, summaries = 0;
	if (!rc) {
		const cJSON *o, *id;
		char *node = NULL;
		cmd_node_name(c, &node, NULL);
		if ((rc = store_begin(s, e)) == K_OK) {
			cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(gr, "list"))
			{
				struct listing l;
				struct kerr ve = {0};
				if (listing_from_json(o, &l, &ve) != K_OK) {
					bad++;
					continue;
				}
				if (listing_verify(&l, &ve) == K_OK && rc == K_OK)
					rc = store_listing_put(s, &l, node, e);
				else
					bad++;
				listing_free(&l);
			}
			rc = rc ? (store_rollback(s), rc) : store_commit(s, e);
		}
		free(node);
		const cJSON *ar = cJSON_GetArrayItem(mr, 2);
		const char *an = cJSON_GetStringValue(cJSON_GetArrayItem(ar, 0));
		const cJSON *al =
		    cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ar, 1), "list");
		if (!rc && an && strcmp(an, "Account/get") == 0 && cJSON_IsArray(al))
			rc = ksync_take_accounts(k, al, NULL,
			                         e); /* a seller that fails is left out */
		const cJSON *ids = cJSON_GetObjectItemCaseSensitive(qr, "ids");
		/* In the node's order, each from the cache as the local search shows it. */
		const cJSON *dists = cJSON_GetObjectItemCaseSensitive(qr, "distances");
		size_t n = rc ? 0 : (size_t)cJSON_GetArraySize(ids);
		struct search_hit *hits = xcalloc(n ? n : 1, sizeof *hits);
		int *dist = xcalloc(n ? n : 1, sizeof *dist), idx = -1;
		cJSON_ArrayForEach(id, ids)
		{
			idx++;
			if ((size_t)shown >= n || !cJSON_IsString(id) ||
			    store_search_hit(s, id->valuestring, &hits[shown], NULL) != K_OK)
				continue;
			const cJSON *dj = nphoto ? cJSON_GetArrayItem(dists, idx) : NULL;
			dist[shown] = -1;
			if (dj && json_is_int(dj) && dj->valuedouble >= 0 && dj->valuedouble <= 64)
				dist[shown] = (int)dj->valuedouble;
			shown++;
		}
		summaries = print_hits(c, hits, nphoto ? dist : NULL, (size_t)shown);
		for (int i = 0; i < shown; i++)
			free(hits[i].title);
		free(hits);
		free(dist);
		const cJSON *tot = cJSON_GetObjectItemCaseSensitive(qr, "total");
		if (!rc && !c->json && cJSON_GetArraySize(ids) == 0)
			cmd_note(c, "no listings on the node match");
		else if (!rc && !c->json)
			cmd_note(c, "%d shown of %lld on the node%s", shown,
			         cJSON_IsNumber(tot) ? (long long)tot->valuedouble
			                             : (long long)shown,
			         bad ? " (some dropped: their signature does not verify)" : "");
		note_summaries(c, summaries);
	}
	cJSON_Delete(resp);
	ksync_close(&k);
	if (!rc && bad)
		rc = kerr_set(e, K_EVERIFY,
		              "%d listing%s from the node did not verify and were dropped", bad,
		              bad == 1 ? "" : "s");
	return rc;
}

/* 1 when a filter narrows the search (words aside) */
static int filtered(const struct ksearch_query *f)
{
	return f->country || f->currency || f->max_price >= 0 || f->max_moq > 0 || f->incoterm ||
	       f->category || f->verified;
}

static int run_search(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct search_query q = {
	    .filter = KSEARCH_QUERY_ANY,
	    .limit = 20,
	};
	uint64_t photo[KIMG_TURNS];
	size_t nphoto = 0;
	long long max_distance = KIMG_DIST_SIMILAR;
	char country[8] = "", currency[8] = "", incoterm[8] = "";
	struct kbuf text = KBUF_INIT;
	int rc = K_OK;
	for (int i = 0; i < a->npos; i++)
		kbuf_printf(&text, "%s%s", i ? " " : "", a->pos[i]);
	q.filter.text = kbuf_str(&text);
	const char *v;
	long long n;
	if ((rc = code_opt(a, "country", country, sizeof country, codes_check_country,
	                   &q.filter.country, e)) ||
	    (rc = code_opt(a, "currency", currency, sizeof currency, codes_check_currency,
	                   &q.filter.currency, e)))
		goto out;
	if ((v = arg_get(a, "max-price"))) {
		if (!q.filter.currency) {
			rc = kerr_set(e, K_EUSAGE,
			              "--max-price needs --currency (prices are compared "
			              "in one currency)");
			goto out;
		}
		if ((rc = money_parse(v, q.filter.currency, &q.filter.max_price, e))) {
			kerr_prefix(e, "--max-price");
			goto out;
		}
	}
	if ((v = arg_get(a, "max-moq"))) {
		if ((rc = arg_whole("max-moq", v, 1, MONEY_MAX, &n, e)))
			goto out;
		q.filter.max_moq = n;
	}
	if ((rc = code_opt(a, "incoterm", incoterm, sizeof incoterm, codes_check_incoterm,
	                   &q.filter.incoterm, e)))
		goto out;
	q.filter.category = arg_get(a, "category");
	q.filter.verified = arg_has(a, "verified");
	if ((v = arg_get(a, "sort"))) {
		static const char *const sorts[] = {"relevance", "price", "rating", "newest"};
		int found = -1;
		for (int i = 0; i < 4; i++)
			if (strcmp(v, sorts[i]) == 0)
				found = i;
		if (found < 0) {
			rc = kerr_set(e, K_EUSAGE,
			              "--sort: '%s' is not relevance, price, rating or newest", v);
			goto out;
		}
		q.sort = (enum search_sort)found;
	}
	if ((v = arg_get(a, "limit"))) {
		if ((rc = arg_whole("limit", v, 1, 500, &n, e)))
			goto out;
		q.limit = (int)n;
	}
	if ((v = arg_get(a, "offset"))) {
		if ((rc = arg_whole("offset", v, 0, 1000000, &n, e)))
			goto out;
		q.offset = (int)n;
	}
	if ((v = arg_get(a, "max-distance"))) {
		if ((rc = arg_whole("max-distance", v, 0, 64, &max_distance, e)))
			goto out;
	}
	if ((v = arg_get(a, "photo"))) {
		/* Hashed here: the photo itself never leaves this machine. A file that is not an
		 * image we read (or a bomb, or truncated) stops the search before anything is
		 * sent. */
		if (q.sort != SEARCH_RELEVANCE) {
			rc = kerr_set(e, K_EUSAGE,
			              "--photo: the answer is ordered by distance, nearest first;"
			              " leave out --sort");
			goto out;
		}
		struct kimg_info info;
		uint64_t h;
		if ((rc = kimg_hash_file(v, NULL, &h, &info, e))) {
			kerr_prefix(e, "--photo");
			rc = K_EUSAGE;
			goto out;
		}
		nphoto = kimg_query_turns(&info, 2, photo); /* the photo and its mirror image */
	}
	if (arg_has(a, "remote")) {
		rc = remote_search(c, &q, photo, nphoto, (int)max_distance, e);
		goto out;
	}
	struct store *s;
	if ((rc = ctx_store(c, &s, e)))
		goto out;
	cmd_scope_note(c); /* a scope without the market: --remote is offered */
	if (nphoto) {
		struct photo_result pr;
		if ((rc = store_photo_search(s, &q, photo, nphoto, (int)max_distance, &pr, e)))
			goto out;
		int sums = print_hits(c, pr.r.hits, pr.distance, pr.r.n);
		if (!c->json) {
			if (pr.r.n == 0)
				cmd_note(
				    c, "no cached listing%s has an image within %lld of the photo",
				    a->npos || filtered(&q.filter) ? " of these words and filters"
				                                   : "",
				    max_distance);
			else
				cmd_note(c, "%zu shown of %s%lld, nearest first", pr.r.n,
				         pr.r.total_capped ? "over " : "", (long long)pr.r.total);
			note_summaries(c, sums);
		}
		photo_result_free(&pr);
		goto out;
	}
	struct search_result r = {0};
	if ((rc = store_search(s, &q, &r, e)))
		goto out;
	int summaries = print_hits(c, r.hits, NULL, r.n);
	if (!c->json) {
		if (r.n == 0 && a->npos)
			/* a pull brings summaries: titles and categories, not descriptions */
			cmd_note(c,
			         "no listings match in the cache (`kontor search WORDS --remote` "
			         "asks the node, which searches descriptions and tags too)");
		else if (r.n == 0)
			cmd_note(c, "no listings match in the cache");
		else
			cmd_note(c, "%zu shown of %s%lld", r.n, r.total_capped ? "over " : "",
			         (long long)r.total);
		note_summaries(c, summaries);
	}
	search_result_free(&r);
out:
	kbuf_free(&text);
	return rc;
}

const struct cmd_entry cmd_search_entries[] = {
    {"search",
     "[TERMS...] [--country CC] [--category C] [--max-price AMOUNT --currency CUR] "
     "[--max-moq N] [--verified] [--incoterm RULE] [--sort relevance|price|rating|newest] "
     "[--limit N] [--offset N] [--photo FILE [--max-distance N]] [--remote]",
     "search the cached listings (words in any script, plus filters)",
     "country= category= max-price= currency= max-moq= verified incoterm= sort= limit= offset= "
     "remote photo= max-distance=",
     0, ARGS_MAX, run_search,
     "Words match anywhere in titles and categories, and in the descriptions and tags of\n"
     "the listings the cache holds whole, in any script (a two-character Chinese word such\n"
     "as 桌腿 finds 铁艺桌腿). The last word also matches as a prefix. Results come from the\n"
     "cache; `kontor sync` fills it with summaries (titles, categories, prices: no\n"
     "descriptions, to keep a pull small). --remote asks the node instead (one request),\n"
     "which searches every listing whole, and keeps what it finds in the cache, the sellers'\n"
     "ratings and verified marks as the node has them now. A row that starts\n"
     "with ~ is a summary from a pull, its seller's signature not checked until `listing\n"
     "show` fetches it whole (--json: \"verified\": false; \"sellerVerified\" is the ✓).\n"
     "--photo FILE finds listings with a picture like FILE (JPEG, PNG or WebP): the photo is\n"
     "hashed here (64 bits; it and its mirror image, 16 bytes go to the node with --remote,\n"
     "never the photo) and matched within --max-distance (default 12), nearest first, with\n"
     "the words and filters. Found: copies resized, recompressed, mirrored, lightly cropped or\n"
     "watermarked. Not found: another photo of the same kind of thing, the same thing from\n"
     "another angle, a crop off-centre, a photo turned 90 degrees."},
    {0},
};
