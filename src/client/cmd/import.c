/* listing import — a seller's spreadsheet (kontor CSV, Shopify, WooCommerce, Etsy, Shopee,
 * JSON Lines; CSV or an Excel workbook) into signed, cached and queued listings. The SKU (Shopify:
 * the Handle) is the key, so a re-run changes nothing and an edited file updates only the rows that
 * changed. Writes go in transactions of IMPORT_BATCH listings: a killed import loses only rows not
 * yet committed (never half a row), and a re-run completes it. Parsing is ../import.c (pure); this
 * file reads a workbook's sheet as CSV (../xlsx.c; messages name the sheet's rows), converts the
 * encoding (--encoding), finds the currency of a file that has none, resolves
 * images, signs (on a second thread, a batch ahead of the writes), stores and queues. Every
 * record of the file is accounted for: created, updated, unchanged, merged or failed. */
#include "cmd.h"
#include "../store/names.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../import.h"
#include "../progress.h"
#include "../store/store.h"
#include "../ui/ui.h"
#include "../xlsx.h"
#include "kontor/buf.h"
#include "kontor/codes.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "kontor/money.h"
#include "kontor/searchtext.h"
#include "kontor/text.h"

#define IMPORT_BATCH 4000

/* A listing waiting for the batch's signing and transaction. */
struct pending {
	struct listing l;
	struct kstrv uploads;
	long line;
	char op; /* 'c' create, 'u' update */
	int rc;  /* from listing_sign */
	struct kerr err;
};

struct batch {
	struct pending *p; /* IMPORT_BATCH of them */
	size_t n;
	const struct kkeypair *kp;
	pthread_t thread;
	int signing; /* thread running */
};

struct imp {
	struct ctx *c;
	struct store *s;
	const char *file; /* as named in messages */
	char *base_dir;   /* images are relative to the file's directory */
	int dry;
	enum import_format format; /* as detected */
	long created, updated, unchanged, failed, merged;
	struct kbuf merges; /* "line 9 (= line 3)" of the first merged rows, for the warning */
	int in_tx;
	int bulk; /* store_bulk_load is on */
	char now[MODEL_TIME_LEN + 1];
	struct kerr fatal;
	struct kbuf ca, cb; /* canonical bytes, reused */
	struct batch b[2];
	int cur;              /* the batch filling; the other may be signing */
	struct seen_id *seen; /* open addressing, capseen a power of two */
	size_t nseen, capseen;
	struct progress prog; /* rows checked / signed / written, on a terminal */
	long checked, signed_n;
	struct xlsx_rows rows; /* a workbook's sheet: its CSV lines to its rows */
	char sheet[128];       /* the workbook's sheet read, or "" */
	char ships_from[3];    /* for rows that do not say: --ships-from, else your country */
	int ships_given;       /* --ships-from: over what a cached listing says too */
	long ships_default;    /* listings written with your country as their ships-from */
};

/* Where a row stands in the file: its line, or its row in a workbook's sheet. */
static long at(const struct imp *x, long line)
{
	return xlsx_row_of_line(&x->rows, line);
}

/* What at() counts: "line", or "row" in a workbook. */
static const char *unit(const struct imp *x)
{
	return x->rows.n ? "row" : "line";
}

/* Rows checked so far, with those signed and written. */
static void import_progress(struct imp *x)
{
	char note[96], a[32], b[32];
	snprintf(note, sizeof note, "%s signed, %s written",
	         progress_count(x->signed_n, a, sizeof a),
	         progress_count(x->created + x->updated, b, sizeof b));
	progress_update(&x->prog, x->checked, -1, "rows checked", 0, note, 0);
}

static void row_failed(struct imp *x, long line, const char *msg)
{
	progress_clear(&x->prog);
	x->failed++;
	fprintf(x->c->err, "%s:%ld: %s\n", x->file, at(x, line), msg);
}

/* An http image (an older shop's export mixes them with https ones): left out of its listing,
 * which goes in with its other images, and said once for each, like a row's error. */
static void image_left_out(struct imp *x, long line, const char *url)
{
	progress_clear(&x->prog);
	text_fprintf(x->c->err, "%s:%ld: warning: %s: left out (only https images are taken)\n",
	             x->file, at(x, line), url);
}

static void row_note(struct imp *x, long line, const char *what, const struct listing *l)
{
	if (x->c->verbosity > 0 && !x->c->json)
		fprintf(x->c->out, "%s:%ld: %s%s %s (%s)\n", x->file, at(x, line),
		        x->dry ? "would be " : "", what, l->sku, l->id);
}

/* Same content as the cached one, apart from created, updated and sig. */
static int same_listing(struct imp *x, const struct listing *l, const struct listing *old)
{
	kbuf_reset(&x->ca);
	kbuf_reset(&x->cb);
	if (listing_canon(l, &x->ca, NULL) || listing_canon(old, &x->cb, NULL))
		return 0;
	return x->ca.len == x->cb.len && memcmp(x->ca.data, x->cb.data, x->ca.len) == 0;
}

static int flush_batch(struct imp *x, struct kerr *e)
{
	if (!x->in_tx)
		return K_OK;
	x->in_tx = 0;
	return store_commit(x->s, e);
}

/* Stores and queues one signed listing inside the open transaction. A failure here is the
 * database's, not the row's: it stops the import (the open batch is rolled back). */
static int write_listing(struct imp *x, const struct listing *l, const char *op,
                         const struct kstrv *uploads, struct kerr *e)
{
	int rc;
	if (!x->in_tx) {
		if ((rc = store_begin(x->s, e)))
			return rc;
		x->in_tx = 1;
	}
	cJSON *j = listing_to_json(l, 1);
	struct kbuf payload = KBUF_INIT;
	json_print(j, &payload);
	cJSON_Delete(j);
	rc = store_listing_put(x->s, l, x->c->node, e);
	for (size_t i = 0; rc == K_OK && i < uploads->n; i++)
		rc = store_outbox_add(x->s, "Blob/upload", "upload", l->id, uploads->v[i],
		                      x->c->node, NULL, e);
	if (rc == K_OK)
		rc = store_outbox_add(x->s, "Listing/set", op, l->id, payload.data, x->c->node,
		                      NULL, e);
	kbuf_free(&payload);
	return rc;
}

/* Two batches take turns: while a second thread signs one (signing is a quarter of the work
 * and this machine has two cores), the main thread parses into the other and writes the one
 * signed before it. listing_sign validates before it signs (it never signs what a reader
 * would refuse). */
static void *sign_thread(void *arg)
{
	struct batch *b = arg;
	for (size_t i = 0; i < b->n; i++)
		b->p[i].rc = listing_sign(&b->p[i].l, b->kp, &b->p[i].err);
	return NULL;
}

static void batch_clear(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		listing_free(&b->p[i].l);
		kstrv_free(&b->p[i].uploads);
	}
	b->n = 0;
}

/* --- the SKUs seen in this file: a second row with the same SKU is refused ------------ */

struct seen_id {
	char id[MODEL_LISTING_ID_LEN + 1]; /* "" = empty slot */
	long line;
};

static size_t id_hash(const char *id)
{
	uint64_t h = 1469598103934665603ull;
	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ull;
	return (size_t)h;
}

/* 0 when id is new (and remembers it), else the line that had it first. */
static long seen_check(struct imp *x, const char *id, long line)
{
	if (x->nseen * 2 >= x->capseen) { /* grow: keep the table under half full */
		size_t cap = x->capseen ? x->capseen * 2 : 4096;
		struct seen_id *t = xcalloc(cap, sizeof *t);
		for (size_t i = 0; i < x->capseen; i++) {
			if (!x->seen[i].id[0])
				continue;
			size_t k = id_hash(x->seen[i].id) & (cap - 1);
			while (t[k].id[0])
				k = (k + 1) & (cap - 1);
			t[k] = x->seen[i];
		}
		free(x->seen);
		x->seen = t;
		x->capseen = cap;
	}
	size_t k = id_hash(id) & (x->capseen - 1);
	for (; x->seen[k].id[0]; k = (k + 1) & (x->capseen - 1))
		if (strcmp(x->seen[k].id, id) == 0)
			return x->seen[k].line;
	snprintf(x->seen[k].id, sizeof x->seen[k].id, "%s", id);
	x->seen[k].line = line;
	x->nseen++;
	return 0;
}

/* Waits for a batch's signing, then writes it in file order in one transaction. */
static int batch_write(struct imp *x, struct batch *b, struct kerr *e)
{
	if (b->signing) {
		pthread_join(b->thread, NULL);
		b->signing = 0;
	}
	for (size_t i = 0; i < b->n; i++)
		x->signed_n += !b->p[i].rc;
	int rc = K_OK;
	for (size_t i = 0; rc == K_OK && i < b->n; i++) {
		struct pending *p = &b->p[i];
		if (p->rc) {
			row_failed(x, p->line, p->err.msg);
			continue;
		}
		if ((rc = write_listing(x, &p->l, p->op == 'c' ? "create" : "update", &p->uploads,
		                        e)))
			break;
		if (p->op == 'c')
			x->created++;
		else
			x->updated++;
		row_note(x, p->line, p->op == 'c' ? "created" : "updated", &p->l);
	}
	if (rc == K_OK)
		rc = flush_batch(x, e);
	import_progress(x);
	/* a big file: the bulk-load page cache saves rewriting index pages per batch */
	if (rc == K_OK && !x->bulk && b->n >= IMPORT_BATCH &&
	    (rc = store_bulk_load(x->s, 1, e)) == K_OK)
		x->bulk = 1;
	batch_clear(b);
	return rc;
}

static void batch_sign_start(struct batch *b)
{
	b->signing = pthread_create(&b->thread, NULL, sign_thread, b) == 0;
	if (!b->signing) /* no thread: sign here */
		sign_thread(b);
}

/* Writes everything waiting: the batch being signed, then the filling one (at the end). */
static int drain(struct imp *x, struct kerr *e)
{
	struct batch *other = &x->b[1 - x->cur], *cur = &x->b[x->cur];
	int rc = batch_write(x, other, e);
	if (rc == K_OK) {
		sign_thread(cur);
		rc = batch_write(x, cur, e);
	}
	batch_clear(cur);
	return rc;
}

/* Moves l (and uploads) into the filling batch; a full batch goes to the signing thread,
 * and the one before it (signed by now, or joined) is written meanwhile. */
static int pending_add(struct imp *x, struct listing *l, struct kstrv *uploads, long line, char op,
                       struct kerr *e)
{
	struct batch *cur = &x->b[x->cur];
	struct pending *p = &cur->p[cur->n];
	memset(p, 0, sizeof *p);
	p->l = *l;
	listing_init(l);
	p->uploads = *uploads;
	*uploads = (struct kstrv){0};
	p->line = line;
	p->op = op;
	if (++cur->n < IMPORT_BATCH)
		return K_OK;
	/* This batch signs on the other core while the one before it is written. */
	struct batch *other = &x->b[1 - x->cur];
	batch_sign_start(cur);
	x->cur = 1 - x->cur;
	return batch_write(x, other, e);
}

/* A blob id as listing export writes it: 43 characters of base64url (BLAKE2b-256). */
static int is_blob_id(const char *v)
{
	return strlen(v) == KCRYPTO_HASH_B64_LEN && model_b64url(v, KCRYPTO_HASH_B64_LEN);
}

#define MERGES_SHOWN 8

static void row_merged(struct imp *x, long line, long same_as)
{
	if (x->merged < MERGES_SHOWN)
		kbuf_printf(&x->merges, "%s%s %ld (= %s %ld)", x->merged ? ", " : "", unit(x),
		            at(x, line), unit(x), at(x, same_as));
	x->merged++;
	if (x->c->verbosity > 0 && !x->c->json)
		fprintf(x->c->out, "%s:%ld: merged: the same as %s %ld\n", x->file, at(x, line),
		        unit(x), at(x, same_as));
}

/* A row that does not say where it ships from: --ships-from, else what the cached listing
 * said (kept by the caller), else your country. 1 when your country was taken unasked. */
static int ships_from_default(struct imp *x, struct listing *l)
{
	if (l->ships_from[0] || !x->ships_from[0])
		return 0;
	memcpy(l->ships_from, x->ships_from, sizeof x->ships_from);
	return !x->ships_given;
}

/* A new row of kontor's CSV whose SKU one of our listings has for a variant would list that
 * variant again as a product of its own: refused, saying where its row goes. */
static int is_our_variant(struct imp *x, const struct listing *l, long line)
{
	struct names_hits h = {0};
	struct kerr re = {0, ""};
	const char *sku = l->seller_sku ? l->seller_sku : l->sku;
	if (store_names_variant_sku(x->s, x->c->self_id, sku, &h, &re) || !h.n)
		return 0;
	struct listing p;
	if (store_listing_get(x->s, h.id[0], &p, NULL) != K_OK)
		return 0;
	char msg[KERR_MSG_MAX];
	snprintf(msg, sizeof msg,
	         "sku: '%.64s' is a variant of your listing %.64s \"%.80s\": its row goes under "
	         "that listing's, with variant_of %.64s, as listing export writes it (or: kontor "
	         "listing edit %.64s --stock N)",
	         sku, p.sku, p.title, p.sku, sku);
	listing_free(&p);
	row_failed(x, line, msg);
	return 1;
}

static int on_row(void *vx, const struct import_row *r)
{
	struct imp *x = vx;
	long line = r->line;
	struct listing *l = r->l;
	x->checked++;
	import_progress(x);
	if (r->same_as) {
		row_merged(x, line, r->same_as);
		return 0;
	}
	if (r->err) {
		row_failed(x, line, r->err->msg);
		return 0;
	}
	struct kerr re = {0, ""};
	struct kstrv images = {0}, uploads = {0};
	int rc = K_OK;
	for (size_t i = 0; rc == K_OK && i < l->images.n; i++) {
		if (is_blob_id(l->images.v[i])) { /* what listing export writes for an upload */
			kstrv_push(&images, l->images.v[i]);
			continue;
		}
		if (strncasecmp(l->images.v[i], "http://", 7) == 0) {
			image_left_out(x, line, l->images.v[i]);
			continue;
		}
		if ((rc = cmd_image_ref(l->images.v[i], x->base_dir, &images, &uploads, &re)))
			kerr_prefix(&re, "images");
	}
	if (rc) {
		row_failed(x, line, re.msg);
		rc = K_OK;
		goto out;
	}
	kstrv_free(&l->images);
	l->images = images;
	images = (struct kstrv){0};
	if (!l->sku || !*l->sku) {
		row_failed(x, line, "sku: missing (the listing id is made from it)");
		goto out;
	}

	snprintf(l->seller_id, sizeof l->seller_id, "%s", x->c->self_id);
	listing_make_id(l->seller_id, l->sku, l->id);
	long first = seen_check(x, l->id, line);
	if (first) {
		char msg[KERR_MSG_MAX];
		snprintf(msg, sizeof msg,
		         "sku: '%.64s' is already on %s %ld (the SKU is the key: one row per "
		         "product)",
		         l->sku, unit(x), at(x, first));
		row_failed(x, line, msg);
		goto out;
	}
	int took_default = 0;
	struct listing old;
	char op = 'c';
	memcpy(l->created, x->now, sizeof l->created);
	memcpy(l->updated, x->now, sizeof l->updated);
	if (store_listing_get(x->s, l->id, &old, NULL) == K_OK) {
		memcpy(l->created, old.created, sizeof l->created);
		memcpy(l->updated, old.updated, sizeof l->updated);
		/* kontor's CSV has no variants column and writes the key as the SKU: it leaves
		 * the cached variants and the SKU as the seller first wrote it alone */
		if (x->format == IMPORT_KONTOR && !l->variants && old.variants)
			l->variants = cJSON_Duplicate(old.variants, 1);
		if (x->format == IMPORT_KONTOR && !l->seller_sku && old.seller_sku)
			l->seller_sku = xstrdup(old.seller_sku);
		import_keep_unsaid(r, &old, l);
		import_keep_terms(x->format, &old, l);
		if (!l->ships_from[0] && !x->ships_given)
			memcpy(l->ships_from, old.ships_from, sizeof l->ships_from);
		took_default = ships_from_default(x, l);
		int same = same_listing(x, l, &old);
		listing_free(&old);
		if (same) {
			x->unchanged++;
			row_note(x, line, "unchanged", l);
			goto out;
		}
		model_after(l->updated, x->now, l->updated); /* the old version's, until now */
		op = 'u';
	} else {
		if (x->format == IMPORT_KONTOR && is_our_variant(x, l, line))
			goto out;
		took_default = ships_from_default(x, l);
	}
	x->ships_default += took_default;
	if (!x->dry) {
		rc = pending_add(x, l, &uploads, line, op, &x->fatal);
		goto out;
	}
	if ((rc = listing_validate(l, &re))) {
		row_failed(x, line, re.msg);
		rc = K_OK;
		goto out;
	}
	if (op == 'c')
		x->created++;
	else
		x->updated++;
	row_note(x, line, op == 'c' ? "created" : "updated", l);
out:
	kstrv_free(&images);
	kstrv_free(&uploads);
	return rc;
}

/* Whether there is a node to push to: without one, a re-run that changed nothing is done. */
static int have_node(struct ctx *c)
{
	char *node = NULL;
	int ok = cmd_node_name(c, &node, NULL) == K_OK;
	free(node);
	return ok;
}

/* How a finished import ends — the one place that decides: what was queued is pushed at once
 * (cmd_push: K_OK when the node took it, K_EQUEUED when it stays in the outbox), and so is
 * what an interrupted run left queued, though this run finds every row unchanged; any failed
 * row makes it K_EPARTIAL. */
static int import_result(struct imp *x, struct kerr *e)
{
	int rc = K_OK;
	if (!x->dry &&
	    (x->created + x->updated || (store_outbox_count(x->s) > 0 && have_node(x->c))))
		rc = cmd_push(x->c, e);
	if (x->failed)
		return kerr_set(e, K_EPARTIAL, "%s: %ld row%s failed (each named above)%s", x->file,
		                x->failed, x->failed == 1 ? "" : "s",
		                !(x->created + x->updated) ? ""
		                : x->dry                   ? "; the others would go in"
		                                           : "; the others went in");
	return rc;
}

/* The file to import, or standard input for "-", within IMPORT_MAX_BYTES. */
static int read_input(struct ctx *c, const char *path, struct kbuf *out, struct kerr *e)
{
	int rc = ctx_read_file(c, path, IMPORT_MAX_BYTES, out, e);
	if (rc == K_ETOOBIG && strcmp(path, "-") == 0)
		rc = kerr_set(e, K_ETOOBIG, "stdin: over the import limit of %u MiB",
		              IMPORT_MAX_BYTES >> 20);
	return rc;
}

static char *dir_of(const char *path)
{
	if (strcmp(path, "-") == 0)
		return xstrdup(".");
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* A --currency or `set currency` value: three letters, upper-cased, ISO 4217. */
static int currency_arg(const char *v, const char *what, char cur[8], struct kerr *e)
{
	snprintf(cur, 8, "%s", v);
	for (char *p = cur; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	if (strlen(v) != 3)
		return kerr_set(e, K_EUSAGE, "%s: '%s' is not an ISO 4217 code", what, v);
	return codes_check_currency(cur, what, e);
}

/* The prices' currency of a file that has no currency column, never guessed silently:
 * `set currency` in the config, else the currency of the account's country; where it came
 * from is said on standard error (and in --json). */
static int default_currency(const char *country, const char *file, char cur[8], char *from,
                            size_t fromcap, struct kerr *e)
{
	struct ui_config *cfg = xcalloc(1, sizeof *cfg);
	ui_config_init(cfg);
	int rc = ui_config_load(cfg, e);
	if (rc == K_OK && cfg->currency[0]) {
		snprintf(cur, 8, "%s", cfg->currency);
		snprintf(from, fromcap, "`set currency` in your config");
	}
	ui_config_free(cfg);
	free(cfg);
	if (rc) {
		kerr_prefix(e,
		            "%s has no currency column and the config (for `set currency`) "
		            "cannot be read",
		            file);
		return rc;
	}
	if (cur[0])
		return K_OK;
	const char *cc = import_country_currency(country);
	if (cc) {
		snprintf(cur, 8, "%s", cc);
		snprintf(from, fromcap, "your country %s", country);
	}
	if (!cur[0])
		return kerr_set(e, K_EUSAGE,
		                "%s has no currency column: give --currency CUR (the shop's "
		                "currency, e.g. EUR) or `set currency CUR` in your config",
		                file);
	if ((rc = codes_check_currency(cur, "currency", e)))
		kerr_prefix(e, "%s has no currency column, and %s of %s", file, cur, from);
	return rc;
}

/* A sheet's name as --sheet gives it: case and accents aside, as search folds letters ("huong
 * dan" is "Hướng dẫn": typing the accents on a terminal is not needed). */
static int same_sheet(const char *name, const char *want)
{
	struct kbuf a = KBUF_INIT, b = KBUF_INIT;
	searchtext_prep(&a, name, strlen(name));
	searchtext_prep(&b, want, strlen(want));
	int same = strcmp(kbuf_str(&a), kbuf_str(&b)) == 0;
	kbuf_free(&a);
	kbuf_free(&b);
	return same;
}

/* The sheets' names for a message: 'Guidance', 'Template'. */
static void sheet_list(const struct xlsx *wb, struct kbuf *out)
{
	for (size_t i = 0; i < xlsx_sheet_count(wb); i++)
		kbuf_printf(out, "%s'%s'", i ? ", " : "", xlsx_sheet_name(wb, i));
}

/* An Excel workbook: the sheet to import, as CSV text in place of data, and its rows in
 * x->rows. The sheet is --sheet (its name, or its number counting the tabs from 1), else the
 * first whose header kontor knows (the format --format names, when given), else the first.
 * With more than one sheet, which one was read is said on standard error. */
static int read_workbook(struct imp *x, const struct args *a, enum import_format f,
                         struct kbuf *data, struct kerr *e)
{
	struct xlsx *wb = NULL;
	int rc = xlsx_open(data->data, data->len, x->file, &wb, e);
	if (rc)
		return rc;
	size_t n = xlsx_sheet_count(wb), pick = n, have = n;
	const char *want = arg_get(a, "sheet");
	struct kbuf csv = KBUF_INIT, names = KBUF_INIT;
	if (n == 0)
		rc = kerr_set(e, K_EINVAL, "%s: the workbook has no sheet", x->file);
	if (rc == K_OK && want) {
		char *end;
		long k = strtol(want, &end, 10);
		for (size_t i = 0; i < n && pick == n; i++)
			if (same_sheet(xlsx_sheet_name(wb, i), want))
				pick = i;
		if (pick == n && *want && !*end && k >= 1 && (size_t)k <= n)
			pick = (size_t)k - 1;
		if (pick == n) {
			sheet_list(wb, &names);
			rc = kerr_set(e, K_EUSAGE,
			              "--sheet: %s has no sheet '%.64s' (its sheets: %s)", x->file,
			              want, kbuf_str(&names));
		}
	}
	for (size_t i = 0; rc == K_OK && !want && i < n && pick == n; i++) {
		struct kerr se;
		if (xlsx_sheet_csv(wb, i, &csv, &x->rows, &se)) {
			have = n; /* csv holds no sheet now */
			continue; /* a sheet that cannot be read is not the one: said if chosen */
		}
		have = i;
		enum import_format d = import_detect(csv.data ? csv.data : "", csv.len, ',');
		if (d != IMPORT_AUTO && (f == IMPORT_AUTO || d == f))
			pick = i;
	}
	if (rc == K_OK && pick == n)
		pick = 0;
	if (rc == K_OK && pick != have)
		rc = xlsx_sheet_csv(wb, pick, &csv, &x->rows, e);
	if (rc == K_OK && n > 1 && x->c->verbosity >= 0 && !x->c->json)
		fprintf(x->c->err, "%s: sheet '%s' (%zu of %zu; --sheet chooses another)\n",
		        x->file, xlsx_sheet_name(wb, pick), pick + 1, n);
	if (rc == K_OK) {
		snprintf(x->sheet, sizeof x->sheet, "%s", xlsx_sheet_name(wb, pick));
		kbuf_free(data);
		*data = csv;
	} else {
		kbuf_free(&csv);
	}
	kbuf_free(&names);
	xlsx_free(&wb);
	return rc;
}

static int run_import(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct import_opts o = {IMPORT_AUTO, NULL, 0, 0, NULL};
	int rc;
	const char *v;
	if ((v = arg_get(a, "format")) && (rc = import_format_parse(v, &o.format, e)))
		return rc;
	char cur[8] = "", cur_from[96] = "--currency";
	if ((v = arg_get(a, "currency"))) {
		if ((rc = currency_arg(v, "--currency", cur, e)))
			return rc;
		o.currency = cur;
	}
	if ((v = arg_get(a, "delimiter"))) {
		if (strcmp(v, "tab") == 0 || strcmp(v, "\\t") == 0)
			o.delim = '\t';
		else if (strlen(v) == 1 &&
		         (v[0] == ',' || v[0] == ';' || v[0] == '\t' || v[0] == '|'))
			o.delim = v[0];
		else
			return kerr_set(e, K_EUSAGE,
			                "--delimiter: '%.20s' is not one of ',' ';' '|' or tab", v);
	}
	o.decimal_comma = arg_has(a, "decimal-comma");
	const char *ships_from = arg_get(a, "ships-from");
	char ships_cc[4] = ""; /* as listing add takes it: any case */
	if (ships_from) {
		cmd_copy_upper(ships_cc, sizeof ships_cc, ships_from);
		char shown[24];
		if (strlen(ships_from) > 2 || codes_check_country(ships_cc, "--ships-from", e))
			return kerr_set(e, K_EUSAGE,
			                "--ships-from: unknown country '%s' (ISO 3166-1 alpha-2, "
			                "e.g. VN)",
			                text_shown(ships_from, shown, sizeof shown));
	}
	const char *encoding = arg_get(a, "encoding");
	struct imp x;
	memset(&x, 0, sizeof x);
	x.c = c;
	x.dry = arg_has(a, "dry-run");
	x.file = strcmp(a->pos[0], "-") == 0 ? "stdin" : a->pos[0];
	if (ships_from) {
		snprintf(x.ships_from, sizeof x.ships_from, "%.2s", ships_cc);
		x.ships_given = 1;
	}
	/* the key first: a wrong passphrase should not cost a parse */
	if ((rc = x.dry ? ctx_self(c, e) : ctx_identity(c, e)))
		return rc;
	if (!x.dry && (rc = ctx_self(c, e)))
		return rc;
	if ((rc = ctx_store(c, &x.s, e)))
		return rc;
	char country[3]; /* your profile's: the currency, charset and ships-from it implies */
	ctx_self_country(c, country);
	o.country = country[0] ? country : NULL;
	if (!x.ships_from[0])
		snprintf(x.ships_from, sizeof x.ships_from, "%s", country);
	struct kbuf data = KBUF_INIT;
	if ((rc = read_input(c, a->pos[0], &data, e))) {
		kbuf_free(&data);
		return rc;
	}
	int ole = xlsx_is_ole(data.data, data.len); /* .xls, or encrypted: xlsx_open says so */
	if (xlsx_is_zip(data.data, data.len) || ole) {
		if (!ole && (encoding || o.delim))
			rc = kerr_set(
			    e, K_EUSAGE,
			    "%s: %s is an Excel workbook (.xlsx); the option is for CSV files",
			    encoding ? "--encoding" : "--delimiter", x.file);
		else
			rc = read_workbook(&x, a, o.format, &data, e);
		if (rc) {
			kbuf_free(&data);
			xlsx_rows_free(&x.rows);
			return rc;
		}
		o.delim = ',';
	} else if (arg_get(a, "sheet")) {
		kbuf_free(&data);
		return kerr_set(e, K_EUSAGE, "--sheet: %s is no Excel workbook (.xlsx)", x.file);
	}
	if (encoding) {
		struct kbuf utf8 = KBUF_INIT;
		rc = import_to_utf8(data.data ? data.data : "", data.len, encoding, &utf8, e);
		kbuf_free(&data);
		data = utf8;
		if (rc) {
			if (rc != K_EUSAGE)
				kerr_prefix(e, "%s", x.file);
			kbuf_free(&data);
			return rc;
		}
	}
	const char *bytes = data.data ? data.data : "";
	/* a file that is not UTF-8 is refused before anything is said of its columns */
	if ((rc = import_check_encoding(bytes, data.len, x.file, o.country, e))) {
		kbuf_free(&data);
		xlsx_rows_free(&x.rows);
		return rc;
	}
	if (!o.currency && !import_has_currency(bytes, data.len, &o)) {
		if ((rc = default_currency(o.country, x.file, cur, cur_from, sizeof cur_from, e))) {
			kbuf_free(&data);
			xlsx_rows_free(&x.rows);
			return rc;
		}
		o.currency = cur;
		/* said even with -q: the prices mean nothing without it */
		if (!c->json)
			fprintf(c->err,
			        "%s: no currency column: currency %s from %s (--currency to "
			        "choose another)\n",
			        x.file, cur, cur_from);
	}
	char eg[64];
	int dc_file = import_decimal_commas(bytes, data.len, &o, eg);
	if (dc_file) {
		o.decimal_comma = 1;
		if (!c->json) /* said even with -q, as the currency is: it is how prices read */
			text_fprintf(
			    c->err,
			    "%s: prices written with a decimal comma (\"%s\"): read so, as "
			    "--decimal-comma reads them\n",
			    x.file, eg);
	}
	x.base_dir = dir_of(a->pos[0]);
	model_now(x.now);
	if (o.format == IMPORT_AUTO)
		o.format = import_detect(bytes, data.len, o.delim);
	x.format = o.format;
	for (int i = 0; i < 2; i++) {
		x.b[i].p = xcalloc(IMPORT_BATCH, sizeof *x.b[i].p);
		x.b[i].kp = &c->kp;
	}
	struct import_stats st = {o.format, 0};
	progress_begin(&x.prog, c->err, c->verbosity < 0 || c->json, "import");
	rc = import_parse(bytes, data.len, x.file, &o, &st, on_row, &x, e);
	if (rc && x.fatal.code)
		*e = x.fatal;
	if (rc == K_OK)
		rc = drain(&x, e);
	for (int i = 0; i < 2; i++) {
		if (x.b[i].signing) /* an import stopped by an error: nothing more is written */
			pthread_join(x.b[i].thread, NULL);
		batch_clear(&x.b[i]);
		free(x.b[i].p);
	}
	free(x.seen);
	if (rc == K_OK)
		rc = flush_batch(&x, e);
	else if (x.in_tx)
		store_rollback(x.s);
	if (x.bulk) {
		/* The index was written in big unmerged segments: one merge now keeps searches
		 * as fast as before the import. */
		struct kerr be;
		int brc = store_bulk_load(x.s, 0, &be);
		if (brc == K_OK && rc == K_OK)
			brc = store_search_optimize(x.s, &be);
		if (rc == K_OK && brc) {
			rc = brc;
			*e = be;
		}
	}
	kbuf_free(&data);
	xlsx_rows_free(&x.rows);
	kbuf_free(&x.ca);
	kbuf_free(&x.cb);
	free(x.base_dir);
	if (x.prog.drawn || x.checked >= IMPORT_BATCH) { /* a long run ends with one line */
		char ck[32], sg[32], w[32];
		progress_end(&x.prog, "import: %s rows checked, %s signed, %s written in %.1f s%s",
		             progress_count(x.checked, ck, sizeof ck),
		             progress_count(x.signed_n, sg, sizeof sg),
		             progress_count(x.created + x.updated, w, sizeof w),
		             progress_elapsed_ms(&x.prog) / 1000.0, rc ? "; stopped" : "");
	}
	if (rc) {
		kbuf_free(&x.merges);
		return rc;
	}
	if (x.merged && !c->json)
		fprintf(c->err,
		        "%s: warning: %ld row%s repeated an earlier one exactly and %s merged into "
		        "it: %s%s\n",
		        x.file, x.merged, x.merged == 1 ? "" : "s", x.merged == 1 ? "was" : "were",
		        kbuf_str(&x.merges), x.merged > MERGES_SHOWN ? ", ..." : "");
	kbuf_free(&x.merges);
	if (x.ships_default && !c->json && c->verbosity >= 0)
		fprintf(c->err,
		        "%s: ships from %s, your country, for %ld listing%s that do%s not say "
		        "(--ships-from to choose another)\n",
		        x.file, x.ships_from, x.ships_default, x.ships_default == 1 ? "" : "s",
		        x.ships_default == 1 ? "es" : "");
	if (c->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "file", x.file);
		cJSON_AddStringToObject(j, "format", import_format_name(st.format));
		if (x.sheet[0])
			cJSON_AddStringToObject(j, "sheet", x.sheet);
		if (o.currency && strcmp(cur_from, "--currency") != 0) {
			cJSON_AddStringToObject(j, "currency", o.currency);
			cJSON_AddStringToObject(j, "currencyFrom", cur_from);
		}
		if (dc_file)
			cJSON_AddBoolToObject(j, "decimalCommaFromFile", 1);
		if (x.ships_default) {
			char from[32];
			snprintf(from, sizeof from, "your country %s", x.ships_from);
			cJSON_AddStringToObject(j, "shipsFrom", x.ships_from);
			cJSON_AddStringToObject(j, "shipsFromFrom", from);
		}
		json_add_int(j, "created", x.created);
		json_add_int(j, "updated", x.updated);
		json_add_int(j, "unchanged", x.unchanged);
		json_add_int(j, "merged", x.merged);
		json_add_int(j, "failed", x.failed);
		json_add_int(j, "rows", st.rows);
		cJSON_AddBoolToObject(j, "dryRun", x.dry);
		cmd_print_json(c, j);
	} else if (c->verbosity >= 0 || x.failed) {
		/* counts grouped ("12,000 created"); on a terminal, in lines that fit it */
		char n[6][MONEY_FMT_MAX];
		struct kbuf line = KBUF_INIT, out = KBUF_INIT;
		kbuf_printf(
		    &line,
		    "import %s%s: %s %s, %s %s, %s unchanged, %s merged, %s failed (%s row%s)",
		    x.file, x.dry ? " (dry run, nothing written)" : "", count_text(x.created, n[0]),
		    x.dry ? "to create" : "created", count_text(x.updated, n[1]),
		    x.dry ? "to update" : "updated", count_text(x.unchanged, n[2]),
		    count_text(x.merged, n[3]), count_text(x.failed, n[4]),
		    count_text(st.rows, n[5]), st.rows == 1 ? "" : "s");
		cmd_hanging(c, &out, "", kbuf_str(&line));
		text_fprintf(c->out, "%s\n", kbuf_str(&out));
		kbuf_free(&line);
		kbuf_free(&out);
	}
	return import_result(&x, e);
}

const struct cmd_entry cmd_import_entries[] = {
    {"listing import",
     "FILE|- [--format auto|kontor|shopify|woocommerce|etsy|shopee|jsonl] [--sheet NAME] "
     "[--currency CUR] [--ships-from CC] [--encoding NAME] [--delimiter C] [--decimal-comma] "
     "[--dry-run]",
     "import listings from a CSV file or an Excel workbook (Shopify, Shopee, Etsy...)",
     "format= sheet= currency= ships-from= encoding= delimiter= decimal-comma dry-run", 1, 1,
     run_import,
     "  --format F        auto (default: from the header line), kontor, shopify, woocommerce,\n"
     "                    etsy, shopee or jsonl\n"
     "  --sheet NAME      an Excel workbook's (.xlsx) sheet, by name or number (default: the\n"
     "                    first whose header kontor knows)\n"
     "  --currency CUR    the prices' currency where the file has no currency column (Shopify,\n"
     "                    WooCommerce, Shopee) and for rows that leave it empty; without it: `set\n"
     "                    currency` in the config, else your country's (said when used)\n"
     "  --ships-from CC   the country the products ship from where a row does not say (a\n"
     "                    shop's export never does); without it: what the listing said\n"
     "                    before, else your country (said when used)\n"
     "  --encoding NAME   a CSV file's character set when it is not UTF-8, as Excel saves\n"
     "                    CSV: WINDOWS-1252 in the West, WINDOWS-1258 in Vietnam, GBK in\n"
     "                    China, CP932 in Japan... (a file that is not UTF-8 is refused,\n"
     "                    naming the set of your country with its first line read in it)\n"
     "  --delimiter C     ',' ';' '|' or tab (default: Excel's sep= line, else the header's)\n"
     "  --decimal-comma   prices written 12,50, 1.234,50 or 1.234 (a ';' file reads them\n"
     "                    anyway, and so does a file whose prices show it beyond doubt:\n"
     "                    said when used)\n"
     "  --dry-run         check every row and say what would change; write nothing\n\n"
     "A file is CSV or an Excel workbook (.xlsx, whatever its name), such as Shopee's Mass\n"
     "Update export or mass-upload template. The SKU is the key (Shopify: the Handle; Etsy rows\n"
     "without a SKU get etsy-HASH of the title; WooCommerce rows without one get woo-ID;\n"
     "Shopee: the parent SKU, else shopee-ID of the product, else the row's SKU or\n"
     "shopee-HASH of the name); a SKU with characters a key cannot have is mapped to one and\n"
     "kept as written. Importing the same file again changes nothing, an edited file updates\n"
     "only the rows that changed; a shop's export keeps the trade terms set in kontor (MOQ,\n"
     "quantity breaks, unit, HS code, origin, lead time, weights, Incoterms), which it has no\n"
     "column for. Each bad row is reported as FILE:LINE: reason (in a workbook,\n"
     "FILE:ROW:) and skipped; the others go in and the exit status is 3 when a row failed.\n"
     "Rows of nothing but delimiters or blank cells (Excel's ,,,,) are skipped, uncounted.\n"
     "In a WooCommerce file, a row that repeats an earlier one exactly is merged into it with\n"
     "a warning; in the other formats such a row fails (kontor, Etsy: as a second row with\n"
     "its SKU; Shopify, Shopee: its product, as a variant given twice). Dots may group\n"
     "thousands where they cannot be a decimal point: 1.250.000; 1.250 too with decimal\n"
     "commas (unless other prices in the file write 12.50) and in a currency without cents\n"
     "(VND, JPY, KRW: 250.000 is 250000); commas group thousands before a decimal point:\n"
     "1,234.00. Local image paths are relative to the file's directory and are uploaded at\n"
     "sync; https URLs are kept, http ones left out with a warning."},
    {0},
};
