/* profile — an account's factory profile (DESIGN §13): `profile edit` signs it into our own
 * Account (photos uploaded as blobs, like listing images) and queues it for every node;
 * `supplier show ACCOUNT|LISTING` shows a supplier's profile, factory profile and the node's
 * attestation next to it, its photos on demand (--photos) and its video link (--video hands
 * it to xdg-open, or prints it). */
#include "picture.h"
#include "resolve.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../store/store.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "kontor/text.h"

extern char **environ;

/* ---------------------------------------------------------------- showing */

static const char *str(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

void cmd_supplier_lines(const struct account *a, struct kstrv *out)
{
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "%s", a->display_name ? a->display_name : "(no name)");
	if (a->handle)
		kbuf_printf(&b, "  @%s", a->handle);
	kbuf_printf(&b, "  %s  %s", a->country, a->role);
	kstrv_push(out, kbuf_str(&b));
	kbuf_reset(&b);
	kbuf_printf(&b, "account    %s", a->id);
	kstrv_push(out, kbuf_str(&b));
	if (a->legal_name) {
		kbuf_reset(&b);
		kbuf_printf(&b, "legal name %s", a->legal_name);
		kstrv_push(out, kbuf_str(&b));
	}
	/* The node operator's word, kept by sync only when the pinned node key signed it. */
	const cJSON *at = a->attestation;
	char now[MODEL_TIME_LEN + 1];
	model_now(now);
	kbuf_reset(&b);
	if (at && str(at, "expires") && strcmp(str(at, "expires"), now) > 0)
		kbuf_printf(
		    &b,
		    "verified   ✓ %s, %s, registration %s: %s (signed by the node, until %.10s)",
		    str(at, "legalName") ? str(at, "legalName") : "?",
		    str(at, "country") ? str(at, "country") : "?",
		    str(at, "registration") ? str(at, "registration") : "?",
		    str(at, "level") && strcmp(str(at, "level"), "factory") == 0
		        ? "a factory, its site checked by the node's operator"
		        : "a business, its papers checked",
		    str(at, "expires"));
	else if (at)
		kbuf_printf(&b, "verified   no (the node's attestation expired on %.10s)",
		            str(at, "expires") ? str(at, "expires") : "?");
	else
		kbuf_puts(&b, "verified   no: the node has not checked this firm's papers");
	kstrv_push(out, kbuf_str(&b));
	kbuf_reset(&b);
	if (a->rating.count > 0)
		kbuf_printf(&b, "rating     %.1f of 5 (%lld)", a->rating.average,
		            (long long)a->rating.count);
	else
		kbuf_puts(&b, "rating     none yet");
	kstrv_push(out, kbuf_str(&b));
	if (a->about) {
		kbuf_reset(&b);
		kbuf_printf(&b, "about      %s", a->about);
		kstrv_push(out, kbuf_str(&b));
	}
	kstrv_push(out, "");
	const cJSON *f = a->factory;
	struct kerr ve = {0};
	if (!f) {
		kstrv_push(out, "factory    no factory profile");
		kbuf_free(&b);
		return;
	}
	if (account_factory_verify(f, a->id, &ve) != K_OK) {
		kbuf_reset(&b);
		kbuf_printf(&b, "factory    not shown: %s", ve.msg);
		kstrv_push(out, kbuf_str(&b));
		kbuf_free(&b);
		return;
	}
	kbuf_reset(&b);
	kbuf_printf(&b, "factory    profile signed by the account, %.10s",
	            str(f, "updated") ? str(f, "updated") : "?");
	kstrv_push(out, kbuf_str(&b));
	if (str(f, "capacity")) {
		kbuf_reset(&b);
		kbuf_printf(&b, "  capacity       %s", str(f, "capacity"));
		kstrv_push(out, kbuf_str(&b));
	}
	const cJSON *n;
	if (cJSON_IsNumber(n = cJSON_GetObjectItemCaseSensitive(f, "staff"))) {
		kbuf_reset(&b);
		kbuf_printf(&b, "  staff          %lld", (long long)n->valuedouble);
		kstrv_push(out, kbuf_str(&b));
	}
	if (cJSON_IsNumber(n = cJSON_GetObjectItemCaseSensitive(f, "founded"))) {
		kbuf_reset(&b);
		kbuf_printf(&b, "  founded        %lld", (long long)n->valuedouble);
		kstrv_push(out, kbuf_str(&b));
	}
	const cJSON *certs = cJSON_GetObjectItemCaseSensitive(f, "certifications"), *ct;
	if (cJSON_GetArraySize(certs) > 0)
		kstrv_push(out, "  certifications");
	cJSON_ArrayForEach(ct, certs)
	{
		kbuf_reset(&b);
		kbuf_printf(&b, "    %s · %s", str(ct, "name"), str(ct, "issuer"));
		if (str(ct, "number"))
			kbuf_printf(&b, " · no. %s", str(ct, "number"));
		if (str(ct, "expires"))
			kbuf_printf(&b, " · %s %s",
			            strcmp(str(ct, "expires"), now) < 0 ? "expired" : "until",
			            str(ct, "expires"));
		kstrv_push(out, kbuf_str(&b));
	}
	if (str(f, "videoUrl")) {
		kbuf_reset(&b);
		kbuf_printf(&b, "  video tour     %s", str(f, "videoUrl"));
		kstrv_push(out, kbuf_str(&b));
	}
	int np = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(f, "photos"));
	kbuf_reset(&b);
	kbuf_printf(&b, "  photos         %d%s", np, np ? " (fetched only when asked)" : "");
	kstrv_push(out, kbuf_str(&b));
	kbuf_free(&b);
}

/* ACCOUNT (@handle, the start of a name, an id) or LISTING (its seller) -> the cached
 * account. */
static int find_supplier(struct ctx *c, const char *ref, struct account *a, struct kerr *e)
{
	struct store *s;
	struct resolved r;
	int rc = resolve_word(c, RESOLVE_ACCOUNT | RESOLVE_LISTING, ref, &r, e);
	if (!rc)
		rc = ctx_store(c, &s, e);
	if (rc)
		return rc;
	const char *id = r.id;
	struct listing l;
	char seller[KCRYPTO_ID_LEN + 1] = "";
	if (r.kind == RESOLVE_LISTING && store_listing_get(s, id, &l, NULL) == K_OK) {
		snprintf(seller, sizeof seller, "%s", l.seller_id);
		listing_free(&l);
		id = seller;
	}
	rc = store_account_get(s, id, a, e);
	if (rc == K_ENOTFOUND)
		return kerr_set(e, K_ENOTFOUND,
		                "no account or listing %.60s in the cache (`kontor sync` brings the"
		                " suppliers' profiles)",
		                ref);
	return rc;
}

/* Hands url to xdg-open (no shell); 0 when it ran and said yes. */
static int open_url(const char *url)
{
	char *argv[] = {"xdg-open", (char *)url, NULL};
	pid_t pid;
	if (posix_spawnp(&pid, "xdg-open", NULL, NULL, argv, environ) != 0)
		return -1;
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int run_supplier_show(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct account acc;
	int rc = find_supplier(c, a->pos[0], &acc, e);
	if (rc)
		return rc;
	if (c->json) {
		cJSON *o = account_to_json(&acc);
		struct kerr ve = {0};
		if (acc.factory)
			cJSON_AddBoolToObject(o, "factoryVerified",
			                      account_factory_verify(acc.factory, acc.id, &ve) ==
			                          K_OK);
		cmd_print_json(c, o);
	} else {
		struct kstrv lines = {0};
		cmd_supplier_lines(&acc, &lines);
		for (size_t i = 0; i < lines.n; i++)
			text_fprintf(c->out, "%s\n", lines.v[i]);
		kstrv_free(&lines);
	}
	struct kerr ve = {0};
	int ok = acc.factory && account_factory_verify(acc.factory, acc.id, &ve) == K_OK;
	const char *video = ok ? str(acc.factory, "videoUrl") : NULL;
	if (arg_has(a, "video")) {
		if (!video)
			rc = kerr_set(e, K_ENOTFOUND, "%s has no video link", acc.id);
		else if (open_url(video) != 0)
			text_fprintf(c->out, "open this link in a browser or video app: %s\n",
			             video);
	}
	if (!rc && arg_has(a, "photos") && !c->json) {
		struct kstrv photos = {0};
		const cJSON *p,
		    *plist = ok ? cJSON_GetObjectItemCaseSensitive(acc.factory, "photos") : NULL;
		cJSON_ArrayForEach(p, plist)
		{
			if (cJSON_IsString(p))
				kstrv_push(&photos, p->valuestring);
		}
		struct kbuf what = KBUF_INIT;
		text_sanitize(&what, acc.display_name ? acc.display_name : acc.id,
		              strlen(acc.display_name ? acc.display_name : acc.id), 0);
		kbuf_puts(&what, "'s factory");
		rc = cmd_show_images(c, kbuf_str(&what), &photos, "Account", acc.id,
		                     "factoryPhotoBytes", e);
		kbuf_free(&what);
		kstrv_free(&photos);
	}
	account_free(&acc);
	return rc;
}

/* ---------------------------------------------------------------- editing */

/* "NAME|ISSUER[|NUMBER[|YYYY-MM-DD]]" -> a certification object. */
static int cert_of(const char *v, cJSON **out, struct kerr *e)
{
	char *dup = xstrdup(v), *part[4] = {0}, *p = dup;
	int n = 0;
	while (n < 4) {
		part[n++] = p;
		char *bar = strchr(p, '|');
		if (!bar)
			break;
		*bar = '\0';
		p = bar + 1;
	}
	int rc = K_OK;
	if (n < 2 || !*part[0] || !*part[1] || strchr(p, '|'))
		rc = kerr_set(
		    e, K_EUSAGE,
		    "--cert '%.60s': NAME|ISSUER, then |NUMBER and |YYYY-MM-DD if it has them", v);
	if (!rc) {
		*out = cJSON_CreateObject();
		cJSON_AddStringToObject(*out, "name", part[0]);
		cJSON_AddStringToObject(*out, "issuer", part[1]);
		if (n > 2 && *part[2])
			cJSON_AddStringToObject(*out, "number", part[2]);
		if (n > 3 && *part[3])
			cJSON_AddStringToObject(*out, "expires", part[3]);
	}
	free(dup);
	return rc;
}

static void set_or_drop(cJSON *f, const char *name, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(f, name);
	json_add_opt(f, name, v);
}

static int collect_node(void *ctx, const struct node_info *n)
{
	kstrv_push(ctx, n->name);
	return 0;
}

static int run_profile_edit(struct ctx *c, const struct args *a, struct kerr *e)
{
	static const char *const opts[] = {"capacity", "staff", "founded",  "cert",     "video",
	                                   "photo",    "clear", "no-certs", "no-photos"};
	int any = 0;
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		any |= arg_has(a, opts[i]);
	if (!any)
		return kerr_set(e, K_EUSAGE,
		                "profile edit: nothing to change (--capacity, --staff, --founded, "
		                "--cert, --video, --photo, --no-certs, --no-photos, --clear)");
	struct store *s;
	struct account acc;
	int rc = ctx_self(c, e);
	if (!rc)
		rc = ctx_store(c, &s, e);
	if (!rc)
		rc = store_account_get(s, c->self_id, &acc, e);
	if (rc)
		return rc;
	cJSON *f = acc.factory ? cJSON_Duplicate(acc.factory, 1) : cJSON_CreateObject();
	struct kstrv uploads = {0};
	const char *v;
	long long n;
	if (arg_has(a, "clear")) {
		cJSON_Delete(f);
		f = NULL;
	}
	if (f && (v = arg_get(a, "capacity")))
		set_or_drop(f, "capacity", v);
	if (f && !rc && (v = arg_get(a, "staff")) &&
	    !(rc = arg_whole("staff", v, 1, 10000000, &n, e))) {
		cJSON_DeleteItemFromObjectCaseSensitive(f, "staff");
		json_add_int(f, "staff", n);
	}
	if (f && !rc && (v = arg_get(a, "founded")) &&
	    !(rc = arg_whole("founded", v, 1800, 2100, &n, e))) {
		cJSON_DeleteItemFromObjectCaseSensitive(f, "founded");
		json_add_int(f, "founded", n);
	}
	if (f && (v = arg_get(a, "video")))
		set_or_drop(f, "videoUrl", v);
	if (f && !rc && (arg_has(a, "cert") || arg_has(a, "no-certs"))) {
		/* the certifications given replace the ones there were */
		cJSON_DeleteItemFromObjectCaseSensitive(f, "certifications");
		cJSON *certs = cJSON_CreateArray();
		for (int i = 0; !rc && (v = arg_nth(a, "cert", i)); i++) {
			cJSON *ct = NULL;
			if (!(rc = cert_of(v, &ct, e)))
				cJSON_AddItemToArray(certs, ct);
		}
		if (cJSON_GetArraySize(certs))
			cJSON_AddItemToObject(f, "certifications", certs);
		else
			cJSON_Delete(certs);
	}
	if (f && !rc && (arg_has(a, "photo") || arg_has(a, "no-photos"))) {
		/* local files become blobs, uploaded before the profile that names them */
		struct kstrv ids = {0};
		for (int i = 0; !rc && (v = arg_nth(a, "photo", i)); i++) {
			if ((rc = cmd_image_ref(v, NULL, &ids, &uploads, e)))
				kerr_prefix(e, "--photo");
		}
		cJSON_DeleteItemFromObjectCaseSensitive(f, "photos");
		if (!rc && ids.n)
			cJSON_AddItemToObject(
			    f, "photos",
			    cJSON_CreateStringArray((const char *const *)ids.v, (int)ids.n));
		kstrv_free(&ids);
	}
	if (!rc && f)
		rc = ctx_identity(c, e);
	if (!rc && f && (rc = account_factory_sign(f, &c->kp, e))) {
		kerr_prefix(e, "profile edit");
		if (rc == K_EINVAL)
			rc = K_EUSAGE; /* a value given on the command line */
	}
	cJSON_Delete(acc.factory);
	acc.factory = f;
	cJSON *patch = cJSON_CreateObject();
	cJSON_AddItemToObject(patch, "factory",
	                      acc.factory ? cJSON_Duplicate(acc.factory, 1) : cJSON_CreateNull());
	struct kbuf p = KBUF_INIT;
	json_print(patch, &p);
	cJSON_Delete(patch);
	struct kstrv nodes = {0};
	if (!rc)
		rc = store_node_each(s, collect_node, &nodes, e);
	if (!rc && (rc = store_begin(s, e)) == K_OK) {
		rc = store_account_put(s, &acc, e);
		for (size_t i = 0; rc == K_OK && i < (nodes.n ? nodes.n : 1); i++) {
			const char *node = nodes.n ? nodes.v[i] : NULL;
			for (size_t j = 0; rc == K_OK && j < uploads.n; j++)
				rc = store_outbox_add(s, "Blob/upload", "upload", c->self_id,
				                      uploads.v[j], node, NULL, e);
			if (!rc)
				rc = store_outbox_add(s, "Account/set", "update", c->self_id,
				                      kbuf_str(&p), node, NULL, e);
		}
		rc = rc ? (store_rollback(s), rc) : store_commit(s, e);
	}
	kbuf_free(&p);
	kstrv_free(&nodes);
	kstrv_free(&uploads);
	if (!rc)
		rc = cmd_push(c, e);
	if (rc == K_OK || rc == K_EQUEUED) {
		if (c->json) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "id", c->self_id);
			if (acc.factory)
				cJSON_AddItemToObject(o, "factory",
				                      cJSON_Duplicate(acc.factory, 1));
			cJSON_AddStringToObject(o, "status", rc == K_OK ? "delivered" : "queued");
			cmd_print_json(c, o);
		} else if (c->verbosity >= 0) {
			text_fprintf(c->out, "factory profile %s%s\n",
			             acc.factory ? "signed" : "removed",
			             rc == K_EQUEUED ? ", queued" : "");
		}
	}
	account_free(&acc);
	return rc;
}

static int run_profile_show(struct ctx *c, const struct args *a, struct kerr *e)
{
	int rc = ctx_self(c, e);
	if (rc)
		return rc;
	struct args b = *a;
	b.npos = 1;
	b.pos[0] = c->self_id;
	return run_supplier_show(c, &b, e);
}

const struct cmd_entry cmd_profile_entries[] = {
    {"profile edit",
     "[--capacity TEXT] [--staff N] [--founded YEAR] [--cert NAME|ISSUER|NUMBER|EXPIRY]... "
     "[--video URL] [--photo FILE]... [--no-certs] [--no-photos] [--clear]",
     "set your factory profile (signed, on every node)",
     "capacity= staff= founded= cert=* video= photo=* no-certs no-photos clear", 0, 0,
     run_profile_edit,
     "Your factory profile, part of your Account and signed by your key: what a buyer checks\n"
     "before wiring a deposit. --capacity (one line, \"50,000 pieces a month\"), --staff N,\n"
     "--founded YEAR, --cert NAME|ISSUER|NUMBER|YYYY-MM-DD (repeatable; the certifications\n"
     "given replace the ones there were), --video https://... (a video tour or call link),\n"
     "--photo FILE (repeatable: production lines, warehouse, QC lab; uploaded as blobs,\n"
     "replacing the photos there were). What is not given stays. --clear removes the\n"
     "profile. The node's `factory` attestation is the operator's and shows beside it."},
    {"profile show", "[--photos] [--video]", "show your profile and factory profile",
     "photos video", 0, 0, run_profile_show, NULL},
    {"supplier show", "ACCOUNT|LISTING [--photos] [--video]",
     "a supplier's profile, factory profile and the node's attestation", "photos video", 1, 1,
     run_supplier_show,
     "ACCOUNT: @handle, the start of a name, or an id; a LISTING (one of your SKUs, a\n"
     "title or its start, an id or its start) shows its seller. The factory profile is shown\n"
     "only when its signature verifies against the account. --photos fetches and draws the\n"
     "factory photos now (as `listing show --images`); --video hands the video link to\n"
     "xdg-open, or prints it."},
    {0},
};
