/* api — POST /api: the JMAP-shaped request (RFC 8620) with its limits, the method table,
 * back-references between calls, and the generic get/changes/set/query every type shares.
 * A failing call answers with its own error object and the others still run. */
#include "api_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/canon.h"
#include "kontor/crypto.h"
#include "kontor/json.h"
#include "kontor/text.h"

#define CAP_CORE "urn:ietf:params:jmap:core"
#define CAP_TRADE "urn:kontor:trade"
#define ERR_PREFIX "urn:ietf:params:jmap:error:"
#define CREATION_ID_MAX 128
#define POINTER_MAX 256
#define SHOWN 48

/* ---------------------------------------------------------------- errors */

int api_fail(struct api_err *err, const char *type, const char *fmt, ...)
{
	err->type = type;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->desc, sizeof err->desc, fmt, ap);
	va_end(ap);
	return -1;
}

int api_setfail(struct api_seterr *se, const char *type, const char *prop, const char *fmt, ...)
{
	se->type = type;
	snprintf(se->prop, sizeof se->prop, "%s", prop ? prop : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(se->desc, sizeof se->desc, fmt, ap);
	va_end(ap);
	return -1;
}

int api_setfail_kerr(struct api_seterr *se, const struct kerr *e)
{
	char prop[64];
	size_t i = 0;
	for (; e->msg[i] && i + 1 < sizeof prop; i++) {
		char ch = e->msg[i];
		if (ch == '.' || ch == '[' || ch == ':' || ch == ' ')
			break;
		prop[i] = ch;
	}
	prop[i] = '\0';
	return api_setfail(se, "invalidProperties", prop, "%s", e->msg);
}

int api_fail_kerr(struct api_err *err, const struct kerr *e)
{
	if (e->code == K_EINVAL)
		return api_fail(err, "invalidArguments", "%s", e->msg);
	return api_fail(err, "serverFail", "%s", e->msg);
}

/* Outside text in a message: cut short, printable ASCII only. */
static const char *shown(const char *s, char out[SHOWN])
{
	return text_shown(s, out, SHOWN);
}

/* ---------------------------------------------------------------- small helpers */

int api_name_in(const char *const *names, const char *s)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], s) == 0)
			return 1;
	return 0;
}

const char *api_str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

void api_set_str(cJSON *o, const char *name, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, name);
	cJSON_AddStringToObject(o, name, v);
}

void api_random_ref(const char *prefix, size_t nbytes, char *out, size_t outlen)
{
	uint8_t r[32];
	struct kbuf b = KBUF_INIT;
	if (nbytes > sizeof r)
		nbytes = sizeof r;
	kcrypto_random(r, nbytes);
	kcrypto_b64_encode(r, nbytes, KB64_URL_NOPAD, &b);
	snprintf(out, outlen, "%s%s", prefix, kbuf_str(&b));
	kbuf_free(&b);
}

void api_new_id(char prefix, char out[NSTORE_ID_MAX + 1])
{
	const char p[2] = {prefix, '\0'};
	api_random_ref(p, 16, out, NSTORE_ID_MAX + 1);
}

int api_canon(const cJSON *v, struct kbuf *out, struct kerr *e)
{
	return canon_write(v, out, e);
}

cJSON *api_load(struct api_ctx *c, enum ntype t, const char *id, struct nobj *o)
{
	struct kerr e = {0, ""};
	if (nstore_get(c->s, t, id, o, &e) != K_OK)
		return NULL;
	return cJSON_ParseWithLength(kbuf_str(&o->json), o->json.len);
}

const char *api_resolve_id(struct api_ctx *c, const char *id)
{
	if (id && id[0] == '#' && c->created_ids) {
		const char *made = api_str(c->created_ids, id + 1);
		if (made)
			return made;
	}
	return id;
}

int api_id_repeated(struct api_ctx *c, const cJSON *ids, const cJSON *id)
{
	const char *want = api_resolve_id(c, id->valuestring);
	for (const cJSON *p = ids->child; p != id; p = p->next)
		if (strcmp(api_resolve_id(c, p->valuestring), want) == 0)
			return 1;
	return 0;
}

int api_patch(cJSON *obj, const cJSON *patch, const char *const *fixed, struct api_seterr *se)
{
	if (!cJSON_IsObject(patch))
		return api_setfail(se, "invalidPatch", NULL, "the patch must be an object");
	char sh[SHOWN];
	for (const cJSON *p = patch->child; p; p = p->next) {
		const char *k = p->string ? p->string : "";
		if (strchr(k, '/'))
			return api_setfail(se, "invalidPatch", NULL,
			                   "%s: only whole properties can be patched",
			                   shown(k, sh));
		for (const char *const *f = fixed; f && *f; f++) {
			if (strcmp(*f, k) != 0)
				continue;
			const cJSON *cur = cJSON_GetObjectItemCaseSensitive(obj, k);
			if (!cur || !cJSON_Compare(cur, p, 1))
				return api_setfail(se, "invalidProperties", k,
				                   "%s: cannot be changed", k);
		}
		cJSON_DeleteItemFromObjectCaseSensitive(obj, k);
		if (!cJSON_IsNull(p))
			cJSON_AddItemToObject(obj, k, cJSON_Duplicate(p, 1));
	}
	return 0;
}

/* names (NULL-ended) as "a, b, c", for a message that lists what is allowed. */
static void names_joined(const char *const *names, struct kbuf *out)
{
	for (int i = 0; names[i]; i++)
		kbuf_printf(out, "%s%s", i ? ", " : "", names[i]);
}

int api_sort(const cJSON *sort, const char *const *names, int *which, int *ascending,
             const int *dflt, struct api_err *err)
{
	*which = -1;
	*ascending = 1;
	if (!sort || cJSON_IsNull(sort))
		return 0;
	if (!cJSON_IsArray(sort))
		return api_fail(err, "invalidArguments", "sort: must be an array of comparators");
	int n = cJSON_GetArraySize(sort);
	if (n == 0)
		return 0;
	if (n > 1)
		return api_fail(err, "unsupportedSort", "sort: one comparator at most");
	const cJSON *cmp = sort->child;
	if (!cJSON_IsObject(cmp))
		return api_fail(err, "invalidArguments", "sort[0]: must be an object");
	char sh[SHOWN];
	for (const cJSON *m = cmp->child; m; m = m->next) {
		if (strcmp(m->string, "property") && strcmp(m->string, "isAscending") &&
		    strcmp(m->string, "collation"))
			return api_fail(err, "invalidArguments", "sort[0].%s: unknown property",
			                shown(m->string, sh));
	}
	const char *prop = api_str(cmp, "property");
	if (!prop)
		return api_fail(err, "invalidArguments", "sort[0].property: missing");
	for (int i = 0; names[i]; i++) {
		if (strcmp(names[i], prop) == 0) {
			*which = i;
			break;
		}
	}
	if (*which < 0) {
		struct kbuf all = KBUF_INIT;
		names_joined(names, &all);
		api_fail(err, "unsupportedSort", "sort[0].property: '%s' is not one of %s",
		         shown(prop, sh), kbuf_str(&all));
		kbuf_free(&all);
		return -1;
	}
	const cJSON *asc = cJSON_GetObjectItemCaseSensitive(cmp, "isAscending");
	if (asc && !cJSON_IsBool(asc))
		return api_fail(err, "invalidArguments",
		                "sort[0].isAscending: must be true or false");
	*ascending = asc ? cJSON_IsTrue(asc) : dflt ? dflt[*which] : 1;
	return 0;
}

int api_filter_check(const cJSON *filter, const char *const *names, struct api_err *err)
{
	if (!filter || cJSON_IsNull(filter))
		return 0;
	if (!cJSON_IsObject(filter))
		return api_fail(err, "invalidArguments", "filter: must be an object");
	char sh[SHOWN];
	if (cJSON_GetObjectItemCaseSensitive(filter, "operator"))
		return api_fail(err, "unsupportedFilter",
		                "filter.operator: only a single condition is supported");
	for (const cJSON *m = filter->child; m; m = m->next)
		if (!api_name_in(names, m->string))
			return api_fail(err, "unsupportedFilter", "filter.%s: unknown property",
			                shown(m->string, sh));
	return 0;
}

int api_filter_str(const cJSON *filter, const char *name, const char **out, struct api_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(filter, name);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || !v->valuestring)
		return api_fail(err, "invalidArguments", "filter.%s: must be a string", name);
	if (strlen(v->valuestring) > 1000)
		return api_fail(err, "invalidArguments", "filter.%s: too long", name);
	*out = v->valuestring;
	return 0;
}

int api_filter_int(const cJSON *filter, const char *name, int64_t *out, struct api_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(filter, name);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!json_is_int(v) || v->valuedouble < 0)
		return api_fail(err, "invalidArguments", "filter.%s: must be an integer >= 0",
		                name);
	*out = (int64_t)v->valuedouble;
	return 0;
}

int api_filter_bool(const cJSON *filter, const char *name, int *out, struct api_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(filter, name);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsBool(v))
		return api_fail(err, "invalidArguments", "filter.%s: must be true or false", name);
	*out = cJSON_IsTrue(v);
	return 0;
}

void api_add_blob_sizes(struct api_ctx *c, const cJSON *images, cJSON *o, const char *name)
{
	cJSON *a = cJSON_AddArrayToObject(o, name);
	const cJSON *im;
	cJSON_ArrayForEach(im, images)
	{
		int64_t n = -1;
		struct kerr e = {0, ""};
		const char *id = cJSON_GetStringValue(im);
		if (id && strlen(id) == KCRYPTO_HASH_B64_LEN)
			nstore_blob_size(c->s, id, &n, &e);
		cJSON_AddItemToArray(a, cJSON_CreateNumber((double)n));
	}
}

void api_add_state(cJSON *o, const char *name, int64_t v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRId64, v);
	cJSON_AddStringToObject(o, name, buf);
}

int api_parse_state(const char *s, int64_t *out)
{
	int64_t v = s ? kdigits(s, strnlen(s, 19)) : -1;
	if (v < 0)
		return -1;
	*out = v;
	return 0;
}

/* Refuses arguments the method does not know, naming the first. */
static int check_args(const cJSON *args, const char *const *names, struct api_err *err)
{
	char sh[SHOWN];
	for (const cJSON *m = args->child; m; m = m->next)
		if (!api_name_in(names, m->string))
			return api_fail(err, "invalidArguments", "%s: unknown argument",
			                shown(m->string, sh));
	const cJSON *acc = cJSON_GetObjectItemCaseSensitive(args, "accountId");
	if (acc && !cJSON_IsNull(acc) && !cJSON_IsString(acc))
		return api_fail(err, "invalidArguments", "accountId: must be a string");
	return 0;
}

/* accountId is accepted for JMAP clients and echoed; the node has one shared space. */
static void echo_account(const cJSON *args, cJSON *res)
{
	const char *acc = api_str(args, "accountId");
	if (acc)
		cJSON_AddStringToObject(res, "accountId", acc);
}

/* 1 when the caller is one of o's two parties (its owner or other). */
static int takes_part(const struct api_ctx *c, const struct nobj *o)
{
	return c->caller && (strcmp(o->owner, c->caller) == 0 || strcmp(o->other, c->caller) == 0);
}

static int visible(const struct api_ctx *c, enum ntype t, const struct nobj *o)
{
	return !nstore_type_private(t) || takes_part(c, o);
}

cJSON *api_load_party(struct api_ctx *c, enum ntype t, const char *id, struct nobj *o,
                      struct api_seterr *se)
{
	struct nobj mine = {KBUF_INIT, "", ""};
	struct nobj *ob = o ? o : &mine;
	cJSON *j = api_load(c, t, id, ob);
	int party = j && takes_part(c, ob);
	nobj_free(&mine);
	if (!party) {
		cJSON_Delete(j);
		api_setfail(se, "notFound", NULL, "no %s %.64s", nstore_type_name(t), id);
		return NULL;
	}
	return j;
}

int api_refuse_change(struct api_ctx *c, enum ntype t, const char *id, const char *why,
                      struct api_seterr *se)
{
	cJSON *j = api_load_party(c, t, id, NULL, se);
	if (!j)
		return -1;
	cJSON_Delete(j);
	return api_setfail(se, "forbidden", NULL, "%s", why);
}

/* ---------------------------------------------------------------- Foo/get */

struct get_walk {
	cJSON *list;
	const cJSON *props; /* NULL = all */
	int failed;
	struct api_ctx *c;
	const struct api_type *ty;
};

/* Stored objects go out as their stored bytes (a raw node); only a properties filter
 * makes us parse one. */
static void add_object(struct get_walk *w, const char *json, size_t len)
{
	if (!w->props) {
		/* json is NUL-terminated at len (a kbuf or an SQLite text column). */
		cJSON_AddItemToArray(w->list, cJSON_CreateRaw(json));
		return;
	}
	cJSON *full = cJSON_ParseWithLength(json, len), *o = cJSON_CreateObject();
	if (!full) {
		w->failed = 1;
		cJSON_Delete(o);
		return;
	}
	cJSON_AddItemToObject(o, "id",
	                      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(full, "id"), 1));
	const cJSON *p;
	cJSON_ArrayForEach(p, w->props)
	{
		if (strcmp(p->valuestring, "id") == 0 ||
		    cJSON_GetObjectItemCaseSensitive(o, p->valuestring))
			continue;
		if (w->ty && w->ty->computed && w->ty->computed(w->c, p->valuestring, full, o))
			continue;
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(full, p->valuestring);
		cJSON_AddItemToObject(o, p->valuestring,
		                      v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull());
	}
	cJSON_AddItemToArray(w->list, o);
	cJSON_Delete(full);
}

static int list_cb(void *ctx, const char *id, const char *json, size_t len)
{
	add_object(ctx, json, len);
	return 0;
}

static int api_get(struct api_ctx *c, const struct api_type *ty, const cJSON *args, cJSON **res,
                   struct api_err *err)
{
	static const char *const names[] = {"accountId", "ids", "properties", NULL};
	if (check_args(args, names, err))
		return -1;
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(args, "ids");
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(args, "properties");
	const struct node_limits *lim = &c->n->limits;
	if (ids && !cJSON_IsNull(ids)) {
		if (!cJSON_IsArray(ids))
			return api_fail(err, "invalidArguments", "ids: must be an array or null");
		if (cJSON_GetArraySize(ids) > lim->max_objects_in_get)
			return api_fail(err, "requestTooLarge",
			                "ids: %d ids; at most %d in one get (maxObjectsInGet)",
			                cJSON_GetArraySize(ids), lim->max_objects_in_get);
		const cJSON *id;
		cJSON_ArrayForEach(id, ids)
		{
			if (!cJSON_IsString(id))
				return api_fail(err, "invalidArguments", "ids: must be strings");
		}
	} else {
		ids = NULL;
	}
	if (props && !cJSON_IsNull(props)) {
		if (!cJSON_IsArray(props))
			return api_fail(err, "invalidArguments",
			                "properties: must be an array or null");
		const cJSON *p;
		char sh[SHOWN];
		cJSON_ArrayForEach(p, props)
		{
			int known = 0;
			for (int i = 0; cJSON_IsString(p) && ty->props[i] && !known; i++)
				known = strcmp(ty->props[i], p->valuestring) == 0;
			if (!known)
				return api_fail(err, "invalidArguments",
				                "properties: '%s' is not a property of %s",
				                cJSON_IsString(p) ? shown(p->valuestring, sh) : "?",
				                nstore_type_name(ty->t));
		}
	} else {
		props = NULL;
	}
	if (nstore_type_private(ty->t) && !c->caller)
		return api_fail(err, "forbidden", "%s objects are private",
		                nstore_type_name(ty->t));

	struct kerr e = {0, ""};
	if (nstore_read_begin(c->s, &e))
		return api_fail(err, "serverFail", "%s", e.msg);
	int64_t state;
	cJSON *r = cJSON_CreateObject();
	echo_account(args, r);
	struct get_walk w = {cJSON_CreateArray(), props, 0, c, ty};
	cJSON *not_found = cJSON_CreateArray();
	int rc = nstore_state(c->s, ty->t, &state, &e);
	if (rc == K_OK && !ids) {
		rc = nstore_list(c->s, ty->t, c->caller, lim->max_objects_in_get, list_cb, &w, &e);
	} else if (rc == K_OK) {
		struct nobj o = {KBUF_INIT, "", ""};
		const cJSON *id;
		cJSON_ArrayForEach(id, ids)
		{
			const char *want = api_resolve_id(c, id->valuestring);
			if (api_id_repeated(c, ids, id))
				continue;
			int got = strlen(want) <= NSTORE_ID_MAX
			              ? nstore_get(c->s, ty->t, want, &o, &e)
			              : K_ENOTFOUND;
			if (got == K_OK && visible(c, ty->t, &o)) {
				add_object(&w, kbuf_str(&o.json), o.json.len);
			} else if (got == K_OK || got == K_ENOTFOUND) {
				cJSON_AddItemToArray(not_found, cJSON_CreateString(want));
			} else {
				rc = got;
				break;
			}
		}
		nobj_free(&o);
	}
	nstore_read_end(c->s);
	if (rc || w.failed) {
		cJSON_Delete(r);
		cJSON_Delete(w.list);
		cJSON_Delete(not_found);
		return api_fail(err, "serverFail", "%s", rc ? e.msg : "a stored object is damaged");
	}
	api_add_state(r, "state", state);
	cJSON_AddItemToObject(r, "list", w.list);
	if (ty->get_done && props)
		ty->get_done(c, props, w.list, r);
	cJSON_AddItemToObject(r, "notFound", not_found);
	*res = r;
	return 0;
}

/* ---------------------------------------------------------------- Foo/changes */

#define SCOPE_CATS_MAX 32 /* categories one scope's filter names */

/* A scope's filter on Listing/changes, Rfq/changes or Account/changes (a client's light
 * sync): {"mine": true} holds what concerns the caller (nstore_changes_scoped), and
 * {"categories": [...]} (Listing, Rfq) what is filed under those. *cats gets the
 * categories as a JSON array (the caller's to free). No filter: the whole type. */
static int scope_filter(struct api_ctx *c, enum ntype t, const cJSON *f, int *scope, char **cats,
                        struct api_err *err)
{
	static const char *const names[] = {"mine", "categories", NULL};
	*scope = NSCOPE_ALL;
	*cats = NULL;
	if (!f || cJSON_IsNull(f))
		return 0;
	if (t != NT_LISTING && t != NT_RFQ && t != NT_ACCOUNT)
		return api_fail(err, "unsupportedFilter", "filter: %s/changes takes none",
		                nstore_type_name(t));
	if (api_filter_check(f, names, err))
		return -1;
	int mine = 0;
	if (api_filter_bool(f, "mine", &mine, err))
		return -1;
	const cJSON *cs = cJSON_GetObjectItemCaseSensitive(f, "categories");
	if (mine && cs)
		return api_fail(err, "invalidArguments",
		                "filter: mine and categories exclude each other");
	if (mine) {
		if (!c->caller)
			return api_fail(err, "forbidden",
			                "filter.mine: a signed request says whose objects");
		*scope = NSCOPE_MINE;
		return 0;
	}
	if (!cs)
		return 0;
	if (t == NT_ACCOUNT)
		return api_fail(err, "unsupportedFilter",
		                "filter.categories: accounts have no category");
	int n = cJSON_GetArraySize(cs);
	if (!cJSON_IsArray(cs) || n < 1 || n > SCOPE_CATS_MAX)
		return api_fail(err, "invalidArguments",
		                "filter.categories: a list of 1 to %d categories", SCOPE_CATS_MAX);
	const cJSON *x;
	cJSON_ArrayForEach(x, cs)
	{
		if (!cJSON_IsString(x) || !*x->valuestring || strlen(x->valuestring) > 200)
			return api_fail(err, "invalidArguments",
			                "filter.categories: each a category of 1 to 200 bytes");
	}
	*cats = cJSON_PrintUnformatted(cs);
	if (!*cats)
		abort();
	*scope = NSCOPE_CATS;
	return 0;
}

int64_t api_default_max_changes(const struct node_limits *l)
{
	return l->max_objects_in_get < l->max_changes ? l->max_objects_in_get : l->max_changes;
}

/* ownSets: [{"oldState", "newState"}, ...], the caller's own /set answers, whose objects it
 * holds as it sent them (kontor's own argument: a seller's import does not come back down). */
static int own_sets(const cJSON *args, int64_t (*own)[2], size_t *n, struct api_err *err)
{
	const cJSON *os = cJSON_GetObjectItemCaseSensitive(args, "ownSets"), *x;
	*n = 0;
	if (!os || cJSON_IsNull(os))
		return 0;
	if (!cJSON_IsArray(os) || cJSON_GetArraySize(os) > NSTORE_OWN_SETS_MAX)
		return api_fail(err, "invalidArguments",
		                "ownSets: a list of at most %d {oldState, newState}",
		                NSTORE_OWN_SETS_MAX);
	cJSON_ArrayForEach(x, os)
	{
		const cJSON *o = cJSON_GetObjectItemCaseSensitive(x, "oldState");
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(x, "newState");
		if (!cJSON_IsObject(x) || !cJSON_IsString(o) || !cJSON_IsString(w) ||
		    api_parse_state(o->valuestring, &own[*n][0]) ||
		    api_parse_state(w->valuestring, &own[*n][1]) || own[*n][0] >= own[*n][1])
			return api_fail(err, "invalidArguments",
			                "ownSets[%zu]: {oldState, newState} of a /set answer, the "
			                "old before the new",
			                *n);
		(*n)++;
	}
	return 0;
}

static int api_changes(struct api_ctx *c, const struct api_type *ty, const cJSON *args, cJSON **res,
                       struct api_err *err)
{
	static const char *const names[] = {"accountId", "sinceState", "maxChanges",
	                                    "filter",    "ownSets",    NULL};
	if (check_args(args, names, err))
		return -1;
	const cJSON *since_j = cJSON_GetObjectItemCaseSensitive(args, "sinceState");
	if (!cJSON_IsString(since_j))
		return api_fail(err, "invalidArguments", "sinceState: missing (a state string)");
	/* Without maxChanges a call gets what one chained get can fetch (defaultMaxChanges in
	 * the session), so a client leaves out what it would always send. */
	int64_t since, max = api_default_max_changes(&c->n->limits);
	const cJSON *mc = cJSON_GetObjectItemCaseSensitive(args, "maxChanges");
	if (mc && !cJSON_IsNull(mc)) {
		if (!json_is_int(mc) || mc->valuedouble < 1)
			return api_fail(err, "invalidArguments",
			                "maxChanges: must be a positive integer");
		max = c->n->limits.max_changes;
		if ((int64_t)mc->valuedouble < max)
			max = (int64_t)mc->valuedouble;
	}
	char sh[SHOWN];
	if (api_parse_state(since_j->valuestring, &since))
		return api_fail(err, "cannotCalculateChanges",
		                "sinceState: '%s' is not a state this node gave out",
		                shown(since_j->valuestring, sh));
	if (nstore_type_private(ty->t) && !c->caller)
		return api_fail(err, "forbidden", "%s objects are private",
		                nstore_type_name(ty->t));
	int64_t own[NSTORE_OWN_SETS_MAX][2];
	size_t nown = 0;
	if (own_sets(args, own, &nown, err))
		return -1;
	int scope = NSCOPE_ALL;
	char *cats = NULL; /* the categories as a JSON array, for the store */
	if (scope_filter(c, ty->t, cJSON_GetObjectItemCaseSensitive(args, "filter"), &scope, &cats,
	                 err))
		return -1;
	struct kerr e = {0, ""};
	struct nchange *ch = NULL;
	size_t n = 0;
	int more = 0;
	int64_t new_state = 0;
	int rc = nstore_read_begin(c->s, &e);
	if (rc == K_OK) {
		rc = nstore_changes_scoped(c->s, ty->t, c->caller, scope,
		                           scope == NSCOPE_MINE ? c->caller : cats,
		                           (const int64_t(*)[2])own, nown, since, (int)max, &ch, &n,
		                           &more, &new_state, &e);
		nstore_read_end(c->s);
	}
	free(cats);
	if (rc == K_ERANGE)
		return api_fail(err, "cannotCalculateChanges", "%s", e.msg);
	if (rc)
		return api_fail(err, "serverFail", "%s", e.msg);
	cJSON *r = cJSON_CreateObject();
	echo_account(args, r);
	api_add_state(r, "oldState", since);
	api_add_state(r, "newState", new_state);
	cJSON_AddBoolToObject(r, "hasMoreChanges", more);
	cJSON *lists[3] = {cJSON_AddArrayToObject(r, "created"),
	                   cJSON_AddArrayToObject(r, "updated"),
	                   cJSON_AddArrayToObject(r, "destroyed")};
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(lists[ch[i].kind], cJSON_CreateString(ch[i].id));
	free(ch);
	*res = r;
	return 0;
}

/* ---------------------------------------------------------------- Foo/query */

/* The query of a type described as data (ty->filters, sort_by, ascending): the filter's
 * names checked, each property read into the store's value of the same place, the sort,
 * the one-of lists (after the sort, so a bad sort is named first), ids resolved. */
static int query_described(struct api_ctx *c, const struct api_type *ty, const cJSON *filter,
                           const cJSON *sort, const struct npage *pg, struct nids *out,
                           struct api_err *err)
{
	const struct api_filter *fs = ty->filters;
	const char *names[NQUERY_VALS_MAX + 1];
	int n = 0;
	for (; n < NQUERY_VALS_MAX && fs[n].name; n++)
		names[n] = fs[n].name;
	names[n] = NULL;
	struct nquery q;
	memset(&q, 0, sizeof q);
	q.viewer = c->caller;
	q.page = *pg;
	if (api_filter_check(filter, names, err))
		return -1;
	for (int i = 0; i < n; i++) {
		struct nqval *v = &q.vals[i];
		if (fs[i].kind == API_F_BOOL) {
			v->is_flag = 1;
			v->flag = -1;
			if (api_filter_bool(filter, fs[i].name, &v->flag, err))
				return -1;
		} else if (api_filter_str(filter, fs[i].name, &v->text, err)) {
			return -1;
		}
	}
	const char *const sorts[] = {ty->sort_by, NULL};
	const int dflt[] = {ty->ascending};
	int which, asc;
	if (api_sort(sort, sorts, &which, &asc, dflt, err))
		return -1;
	for (int i = 0; i < n; i++) {
		const char *v = q.vals[i].text;
		if (v && fs[i].one_of && !api_name_in(fs[i].one_of, v)) {
			struct kbuf all = KBUF_INIT;
			names_joined(fs[i].one_of, &all);
			api_fail(err, "unsupportedFilter", "filter.%s: one of %s", fs[i].name,
			         kbuf_str(&all));
			kbuf_free(&all);
			return -1;
		}
		if (fs[i].kind == API_F_ID)
			q.vals[i].text = api_resolve_id(c, v);
	}
	q.page.ascending = which < 0 ? ty->ascending : asc;
	struct kerr e = {0, ""};
	if (nstore_query(c->s, ty->t, &q, out, &e))
		return api_fail_kerr(err, &e);
	return 0;
}

/* One page of ty's query: described as data, or by a query function of its own. */
static int query_page(struct api_ctx *c, const struct api_type *ty, const cJSON *filter,
                      const cJSON *sort, struct npage *pg, struct nids *out, struct api_err *err)
{
	if (ty->filters)
		return query_described(c, ty, filter, sort, pg, out, err);
	return ty->query(c, filter, sort, pg, out, err);
}

static int api_query(struct api_ctx *c, const struct api_type *ty, const cJSON *args, cJSON **res,
                     struct api_err *err)
{
	static const char *const names[] = {"accountId", "filter",         "sort",
	                                    "position",  "anchor",         "anchorOffset",
	                                    "limit",     "calculateTotal", NULL};
	if (check_args(args, names, err))
		return -1;
	const struct node_limits *lim = &c->n->limits;
	const cJSON *v;
	int64_t position = 0, limit = lim->max_query_limit < 50 ? lim->max_query_limit : 50;
	int calc_total = 0, limited = 0;
	if ((v = cJSON_GetObjectItemCaseSensitive(args, "anchor")) && !cJSON_IsNull(v))
		return api_fail(err, "invalidArguments", "anchor: not supported; use position");
	if ((v = cJSON_GetObjectItemCaseSensitive(args, "position")) && !cJSON_IsNull(v)) {
		if (!json_is_int(v))
			return api_fail(err, "invalidArguments", "position: must be an integer");
		position = (int64_t)v->valuedouble;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(args, "limit")) && !cJSON_IsNull(v)) {
		if (!json_is_int(v) || v->valuedouble < 0)
			return api_fail(err, "invalidArguments", "limit: must be an integer >= 0");
		limit = (int64_t)v->valuedouble;
		if (limit > lim->max_query_limit) {
			limit = lim->max_query_limit;
			limited = 1;
		}
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(args, "calculateTotal")) && !cJSON_IsNull(v)) {
		if (!cJSON_IsBool(v))
			return api_fail(err, "invalidArguments",
			                "calculateTotal: must be true or false");
		calc_total = cJSON_IsTrue(v);
	}
	if (nstore_type_private(ty->t) && !c->caller)
		return api_fail(err, "forbidden", "%s objects are private",
		                nstore_type_name(ty->t));
	const cJSON *filter = cJSON_GetObjectItemCaseSensitive(args, "filter");
	const cJSON *sort = cJSON_GetObjectItemCaseSensitive(args, "sort");

	struct kerr e = {0, ""};
	if (nstore_read_begin(c->s, &e))
		return api_fail(err, "serverFail", "%s", e.msg);
	struct nids out = {{NULL, 0}, -1, 0, 0, NULL};
	struct npage pg = {0, 1, 0, 0};
	int rc = 0;
	if (position < 0) {
		/* From the end: the total says where that is. */
		pg.calc_total = 1;
		rc = query_page(c, ty, filter, sort, &pg, &out, err);
		if (!rc) {
			position = out.total + position < 0 ? 0 : out.total + position;
			nids_free(&out);
		}
	}
	if (!rc) {
		pg.position = position;
		pg.limit = limit > 0 ? (int)limit : 1;
		pg.calc_total = calc_total;
		rc = query_page(c, ty, filter, sort, &pg, &out, err);
	}
	nstore_read_end(c->s);
	if (rc)
		return -1;
	cJSON *r = cJSON_CreateObject();
	echo_account(args, r);
	api_add_state(r, "queryState", out.state);
	cJSON_AddBoolToObject(r, "canCalculateChanges", 0);
	json_add_int(r, "position", position);
	cJSON *ids = cJSON_AddArrayToObject(r, "ids");
	for (size_t i = 0; limit > 0 && i < out.ids.n; i++)
		cJSON_AddItemToArray(ids, cJSON_CreateString(out.ids.v[i]));
	if (out.dist) { /* a photo query: each id's Hamming distance, beside ids */
		cJSON *d = cJSON_AddArrayToObject(r, "distances");
		for (size_t i = 0; limit > 0 && i < out.ids.n; i++)
			cJSON_AddItemToArray(d, cJSON_CreateNumber(out.dist[i]));
	}
	if (calc_total) {
		json_add_int(r, "total", out.total);
		if (out.total_capped)
			cJSON_AddBoolToObject(r, "totalCapped", 1);
	}
	if (limited)
		json_add_int(r, "limit", limit);
	nids_free(&out);
	*res = r;
	return 0;
}

/* ---------------------------------------------------------------- Foo/set */

cJSON *api_seterr_json(const struct api_seterr *se)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", se->type ? se->type : "invalidProperties");
	cJSON_AddStringToObject(o, "description", se->desc);
	if (se->prop[0]) {
		cJSON *p = cJSON_AddArrayToObject(o, "properties");
		cJSON_AddItemToArray(p, cJSON_CreateString(se->prop));
	}
	return o;
}

void api_map_add(cJSON *r, const char *map, const char *key, cJSON *v)
{
	cJSON *m = cJSON_GetObjectItemCaseSensitive(r, map);
	if (cJSON_IsNull(m)) {
		cJSON_DeleteItemFromObjectCaseSensitive(r, map);
		m = cJSON_AddObjectToObject(r, map);
	}
	cJSON_AddItemToObject(m, key, v);
}

static int set_create_one(struct api_ctx *c, const struct api_type *ty, const char *cid,
                          const cJSON *obj, cJSON *r, int *changed)
{
	struct kerr e = {0, ""};
	struct api_seterr se = {NULL, "", ""};
	char id[NSTORE_ID_MAX + 1] = "";
	char sh[SHOWN];
	if (strlen(cid) < 1 || strlen(cid) > CREATION_ID_MAX) {
		api_setfail(&se, "invalidProperties", NULL,
		            "creation id '%s': must be 1 to %d bytes", shown(cid, sh),
		            CREATION_ID_MAX);
		api_map_add(r, "notCreated", cid, api_seterr_json(&se));
		return 0;
	}
	/* A retried create answers with what the first one made and makes nothing. */
	int rc = nstore_creation_get(c->s, c->caller, ty->t, cid, id, &e);
	if (rc == K_OK) {
		cJSON *made = cJSON_CreateObject();
		cJSON_AddStringToObject(made, "id", id);
		api_map_add(r, "created", cid, made);
		cJSON_AddStringToObject(c->created_ids, cid, id);
		return 0;
	}
	if (rc != K_ENOTFOUND)
		return -1;
	if (!cJSON_IsObject(obj)) {
		api_setfail(&se, "invalidProperties", NULL, "%s: must be an object",
		            shown(cid, sh));
		api_map_add(r, "notCreated", cid, api_seterr_json(&se));
		return 0;
	}
	if (nstore_savepoint(c->s, &e))
		return -1;
	cJSON *made = NULL;
	if (ty->create(c, obj, id, &made, &se) == 0 &&
	    nstore_creation_put(c->s, c->caller, ty->t, cid, id, &e) == K_OK) {
		if (nstore_release(c->s, &e)) {
			cJSON_Delete(made);
			return -1;
		}
		if (!made)
			made = cJSON_CreateObject();
		if (!cJSON_GetObjectItemCaseSensitive(made, "id"))
			cJSON_AddStringToObject(made, "id", id);
		api_map_add(r, "created", cid, made);
		cJSON_AddStringToObject(c->created_ids, cid, id);
		*changed = 1;
		return 0;
	}
	cJSON_Delete(made);
	nstore_rollback_to(c->s);
	if (!se.type)
		api_setfail(&se, "invalidProperties", NULL, "%s", e.msg);
	api_map_add(r, "notCreated", cid, api_seterr_json(&se));
	return 0;
}

/* An id longer than the store keeps is no object of the type: 1 with it notFound in r's
 * map (notUpdated, notDestroyed), else 0. */
static int id_too_long(const struct api_type *ty, const char *id, cJSON *r, const char *map)
{
	if (strlen(id) <= NSTORE_ID_MAX)
		return 0;
	struct api_seterr se = {NULL, "", ""};
	api_setfail(&se, "notFound", NULL, "no such %s", nstore_type_name(ty->t));
	api_map_add(r, map, id, api_seterr_json(&se));
	return 1;
}

static int set_update_one(struct api_ctx *c, const struct api_type *ty, const char *key,
                          const cJSON *patch, cJSON *r, int *changed)
{
	struct kerr e = {0, ""};
	struct api_seterr se = {NULL, "", ""};
	const char *id = api_resolve_id(c, key);
	cJSON *upd = NULL;
	if (id_too_long(ty, id, r, "notUpdated"))
		return 0;
	if (nstore_savepoint(c->s, &e))
		return -1;
	if (ty->update(c, id, patch, &upd, &se) == 0) {
		if (nstore_release(c->s, &e)) {
			cJSON_Delete(upd);
			return -1;
		}
		api_map_add(r, "updated", id, upd ? upd : cJSON_CreateNull());
		*changed = 1;
		return 0;
	}
	cJSON_Delete(upd);
	nstore_rollback_to(c->s);
	api_map_add(r, "notUpdated", id, api_seterr_json(&se));
	return 0;
}

static int set_destroy_one(struct api_ctx *c, const struct api_type *ty, const char *key, cJSON *r,
                           int *changed)
{
	struct kerr e = {0, ""};
	struct api_seterr se = {NULL, "", ""};
	const char *id = api_resolve_id(c, key);
	if (id_too_long(ty, id, r, "notDestroyed"))
		return 0;
	if (nstore_savepoint(c->s, &e))
		return -1;
	if (ty->destroy(c, id, &se) == 0) {
		if (nstore_release(c->s, &e))
			return -1;
		cJSON *d = cJSON_GetObjectItemCaseSensitive(r, "destroyed");
		if (cJSON_IsNull(d)) {
			cJSON_DeleteItemFromObjectCaseSensitive(r, "destroyed");
			d = cJSON_AddArrayToObject(r, "destroyed");
		}
		cJSON_AddItemToArray(d, cJSON_CreateString(id));
		*changed = 1;
		return 0;
	}
	nstore_rollback_to(c->s);
	api_map_add(r, "notDestroyed", id, api_seterr_json(&se));
	return 0;
}

const char *const api_set_names[] = {"accountId", "ifInState", "create", "update", "destroy", NULL};

static int api_set(struct api_ctx *c, const struct api_type *ty, const cJSON *args, cJSON **res,
                   struct api_err *err)
{
	if (check_args(args, api_set_names, err))
		return -1;
	return api_set_run(c, ty, args, res, err);
}

/* The type's state: the store's, or its own (a Wallet's). */
static int set_state(struct api_ctx *c, const struct api_type *ty, int64_t *out, struct kerr *e)
{
	return ty->own ? ty->own->state(c, out, e) : nstore_state(c->s, ty->t, out, e);
}

int api_set_run(struct api_ctx *c, const struct api_type *ty, const cJSON *args, cJSON **res,
                struct api_err *err)
{
	const struct api_own_set *own = ty->own;
	const char *name = own ? own->name : nstore_type_name(ty->t);
	const cJSON *create = cJSON_GetObjectItemCaseSensitive(args, "create");
	const cJSON *update = cJSON_GetObjectItemCaseSensitive(args, "update");
	const cJSON *destroy = cJSON_GetObjectItemCaseSensitive(args, "destroy");
	const cJSON *if_in = cJSON_GetObjectItemCaseSensitive(args, "ifInState");
	if (create && !cJSON_IsNull(create) && !cJSON_IsObject(create))
		return api_fail(err, "invalidArguments", "create: must be an object or null");
	if (update && !cJSON_IsNull(update) && !cJSON_IsObject(update))
		return api_fail(err, "invalidArguments", "update: must be an object or null");
	if (destroy && !cJSON_IsNull(destroy) && !cJSON_IsArray(destroy))
		return api_fail(err, "invalidArguments", "destroy: must be an array or null");
	if (if_in && !cJSON_IsNull(if_in) && !cJSON_IsString(if_in))
		return api_fail(err, "invalidArguments", "ifInState: must be a string or null");
	const cJSON *d;
	cJSON_ArrayForEach(d, (cJSON_IsArray(destroy) ? destroy : NULL))
	{
		if (!cJSON_IsString(d))
			return api_fail(err, "invalidArguments",
			                "destroy: must be an array of ids");
	}
	int total = (cJSON_IsObject(create) ? cJSON_GetArraySize(create) : 0) +
	            (cJSON_IsObject(update) ? cJSON_GetArraySize(update) : 0) +
	            (cJSON_IsArray(destroy) ? cJSON_GetArraySize(destroy) : 0);
	if (total > c->n->limits.max_objects_in_set)
		return api_fail(err, "requestTooLarge",
		                "%d objects; at most %d in one set (maxObjectsInSet)", total,
		                c->n->limits.max_objects_in_set);
	if (!c->caller)
		return api_fail(err, "forbidden", "%s/set needs a signed request", name);
	struct kerr e = {0, ""};
	if (nstore_begin(c->s, &e))
		return api_fail(err, "serverFail", "%s", e.msg);
	int64_t old_state = 0, new_state = 0;
	if (set_state(c, ty, &old_state, &e))
		goto fail;
	if (cJSON_IsString(if_in)) {
		int64_t want;
		char sh[SHOWN];
		if (api_parse_state(if_in->valuestring, &want) || want != old_state) {
			nstore_rollback(c->s);
			return api_fail(
			    err, "stateMismatch", "ifInState: %s is at state %" PRId64 ", not '%s'",
			    own ? own->state_of : name, old_state, shown(if_in->valuestring, sh));
		}
	}
	/* If the call fails as a whole, the creation ids it noted must go with it. */
	cJSON *saved_ids = cJSON_Duplicate(c->created_ids, 1);
	cJSON *r = cJSON_CreateObject();
	echo_account(args, r);
	api_add_state(r, "oldState", old_state);
	static const char *const maps[] = {"created",    "updated",    "destroyed",
	                                   "notCreated", "notUpdated", "notDestroyed"};
	for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
		cJSON_AddNullToObject(r, maps[i]);
	int changed = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, (cJSON_IsObject(create) ? create : NULL))
	{
		if (own ? own->create_one(c, it->string, it, r, &changed, &e)
		        : set_create_one(c, ty, it->string, it, r, &changed))
			goto fail_r;
	}
	cJSON_ArrayForEach(it, (cJSON_IsObject(update) ? update : NULL))
	{
		if (own ? own->update_one(c, it->string, it, r, &changed, &e)
		        : set_update_one(c, ty, it->string, it, r, &changed))
			goto fail_r;
	}
	cJSON_ArrayForEach(it, (cJSON_IsArray(destroy) ? destroy : NULL))
	{
		if (own ? own->destroy_one(c, it->valuestring, r, &changed, &e)
		        : set_destroy_one(c, ty, it->valuestring, r, &changed))
			goto fail_r;
	}
	if (set_state(c, ty, &new_state, &e) || nstore_commit(c->s, &e)) {
		cJSON_Delete(r);
		cJSON_Delete(c->created_ids);
		c->created_ids = saved_ids;
		goto fail;
	}
	api_add_state(r, "newState", new_state);
	cJSON_Delete(saved_ids);
	if (changed)
		node_notify(c->n);
	*res = r;
	return 0;
fail_r:
	cJSON_Delete(r);
	cJSON_Delete(c->created_ids);
	c->created_ids = saved_ids;
	saved_ids = NULL;
fail:
	nstore_rollback(c->s);
	return api_fail(err, "serverFail", "%s/set: %s", name,
	                e.msg[0] ? e.msg : "the store failed");
}

/* ---------------------------------------------------------------- Core/echo */

static int api_echo(struct api_ctx *c, const struct api_type *ty, const cJSON *args, cJSON **res,
                    struct api_err *err)
{
	*res = cJSON_Duplicate(args, 1);
	return 0;
}

/* ---------------------------------------------------------------- the method table */

typedef int (*api_method)(struct api_ctx *c, const struct api_type *ty, const cJSON *args,
                          cJSON **res, struct api_err *err);

struct method {
	const char *name;
	api_method fn;
	const struct api_type *type;
	int needs_signature;
};

/* One line per method. Reading public data (accounts, listings, RFQs) needs no signature;
 * every write and everything private does. */
static const struct method method_table[] = {
    {"Core/echo", api_echo, NULL, 0},
    {"Account/get", api_get, &api_account_type, 0},
    {"Account/changes", api_changes, &api_account_type, 0},
    {"Account/query", api_query, &api_account_type, 0},
    {"Account/set", api_set, &api_account_type, 1},
    {"Listing/get", api_get, &api_listing_type, 0},
    {"Listing/changes", api_changes, &api_listing_type, 0},
    {"Listing/query", api_query, &api_listing_type, 0},
    {"Listing/set", api_set, &api_listing_type, 1},
    {"Rfq/get", api_get, &api_rfq_type, 0},
    {"Rfq/changes", api_changes, &api_rfq_type, 0},
    {"Rfq/query", api_query, &api_rfq_type, 0},
    {"Rfq/set", api_set, &api_rfq_type, 1},
    {"Conversation/get", api_get, &api_conversation_type, 1},
    {"Conversation/changes", api_changes, &api_conversation_type, 1},
    {"Conversation/query", api_query, &api_conversation_type, 1},
    {"Conversation/set", api_set, &api_conversation_type, 1},
    {"Message/get", api_get, &api_message_type, 1},
    {"Message/changes", api_changes, &api_message_type, 1},
    {"Message/query", api_query, &api_message_type, 1},
    {"Message/set", api_set, &api_message_type, 1},
    {"Contract/get", api_get, &api_contract_type, 1},
    {"Contract/changes", api_changes, &api_contract_type, 1},
    {"Contract/query", api_query, &api_contract_type, 1},
    {"Contract/set", api_set, &api_contract_type, 1},
    {"Order/get", api_get, &api_order_type, 1},
    {"Order/changes", api_changes, &api_order_type, 1},
    {"Order/query", api_query, &api_order_type, 1},
    {"Order/set", api_set, &api_order_type, 1},
    {"Wallet/get", api_wallet_get, NULL, 0}, /* private: forbidden when anonymous */
    {"Wallet/changes", api_wallet_changes, NULL, 0},
    {"Wallet/set", api_wallet_set, &api_wallet_type, 1},
};

/* ---------------------------------------------------------------- registration */

int api_registered(struct node *n, const char *account_id)
{
	struct nobj o = {KBUF_INIT, "", ""};
	struct kerr e = {0, ""};
	int known = account_id && nstore_get(n->store, NT_ACCOUNT, account_id, &o, &e) == K_OK;
	nobj_free(&o);
	return known;
}

/* Registering (Account/set) is the one write an account without a profile may make: every
 * other signed /set, of whatever type, is refused for it. */
static int write_allowed(struct api_ctx *c, const struct method *m, struct api_err *err)
{
	size_t n = strlen(m->name);
	if (!c->caller || n < 4 || strcmp(m->name + n - 4, "/set") != 0 ||
	    strcmp(m->name, "Account/set") == 0 || api_registered(c->n, c->caller))
		return 0;
	return api_fail(err, "forbidden", API_UNREGISTERED_FMT, m->name, c->caller);
}

static const struct method *method_find(const char *name)
{
	for (size_t i = 0; i < sizeof method_table / sizeof method_table[0]; i++)
		if (strcmp(method_table[i].name, name) == 0)
			return &method_table[i];
	return NULL;
}

/* ---------------------------------------------------------------- back-references */

/* A JSON pointer (RFC 6901) with RFC 8620's "*": applied to every item of an array, array
 * results flattened one level. Returns a new tree (raw nodes parsed on the way) or NULL. */
static cJSON *pointer_eval(const cJSON *v, const char *path, int depth)
{
	if (!v || depth > JSON_MAX_DEPTH)
		return NULL;
	if (cJSON_IsRaw(v)) {
		cJSON *parsed = cJSON_Parse(v->valuestring);
		cJSON *r = pointer_eval(parsed, path, depth + 1);
		cJSON_Delete(parsed);
		return r;
	}
	if (!*path) {
		cJSON *dup = cJSON_Duplicate(v, 1);
		/* Raw nodes inside become plain trees: a handler must see ordinary JSON. */
		if (dup && (cJSON_IsArray(dup) || cJSON_IsObject(dup))) {
			for (cJSON *ch = dup->child; ch; ch = ch->next) {
				if (!cJSON_IsRaw(ch))
					continue;
				cJSON *p = cJSON_Parse(ch->valuestring);
				if (!p) {
					cJSON_Delete(dup);
					return NULL;
				}
				cJSON_ReplaceItemViaPointer(dup, ch, p);
				ch = p;
			}
		}
		return dup;
	}
	if (*path != '/')
		return NULL;
	path++;
	char tok[POINTER_MAX];
	size_t n = 0;
	while (*path && *path != '/' && n + 1 < sizeof tok) {
		if (*path == '~' && (path[1] == '0' || path[1] == '1')) {
			tok[n++] = path[1] == '0' ? '~' : '/';
			path += 2;
			continue;
		}
		tok[n++] = *path++;
	}
	if (*path && *path != '/')
		return NULL; /* a token longer than we take */
	tok[n] = '\0';
	if (cJSON_IsArray(v) && strcmp(tok, "*") == 0) {
		cJSON *out = cJSON_CreateArray();
		for (const cJSON *it = v->child; it; it = it->next) {
			cJSON *r = pointer_eval(it, path, depth + 1);
			if (!r) {
				cJSON_Delete(out);
				return NULL;
			}
			if (cJSON_IsArray(r)) {
				while (r->child) {
					cJSON *ch = cJSON_DetachItemViaPointer(r, r->child);
					cJSON_AddItemToArray(out, ch);
				}
				cJSON_Delete(r);
			} else {
				cJSON_AddItemToArray(out, r);
			}
		}
		return out;
	}
	if (cJSON_IsObject(v))
		return pointer_eval(cJSON_GetObjectItemCaseSensitive(v, tok), path, depth + 1);
	if (cJSON_IsArray(v)) {
		if (!n || (n > 1 && tok[0] == '0') || n > 9)
			return NULL;
		for (size_t i = 0; i < n; i++)
			if (tok[i] < '0' || tok[i] > '9')
				return NULL;
		return pointer_eval(cJSON_GetArrayItem(v, atoi(tok)), path, depth + 1);
	}
	return NULL;
}

struct response {
	char *name;
	cJSON *result; /* the arguments object, or the error object */
	char *call_id;
};

/* Replaces every "#name" argument by the value it refers to. */
static int resolve_refs(cJSON *args, const struct response *done, size_t ndone, struct api_err *err)
{
	char sh[SHOWN], sh2[SHOWN], sh3[SHOWN];
	cJSON *m = args->child;
	while (m) {
		cJSON *next = m->next;
		if (!m->string || m->string[0] != '#') {
			m = next;
			continue;
		}
		const char *plain = m->string + 1;
		if (cJSON_GetObjectItemCaseSensitive(args, plain))
			return api_fail(err, "invalidArguments",
			                "%s: given both plain and as a back-reference",
			                shown(plain, sh));
		const char *of = api_str(m, "resultOf"), *name = api_str(m, "name");
		const char *path = api_str(m, "path");
		if (!cJSON_IsObject(m) || !of || !name || !path || cJSON_GetArraySize(m) != 3)
			return api_fail(err, "invalidResultReference",
			                "#%s: must be {resultOf, name, path}", shown(plain, sh));
		const struct response *src = NULL;
		for (size_t i = 0; i < ndone && !src; i++)
			if (strcmp(done[i].call_id, of) == 0)
				src = &done[i];
		if (!src)
			return api_fail(err, "invalidResultReference", "#%s: no earlier call '%s'",
			                shown(plain, sh), shown(of, sh2));
		if (strcmp(src->name, name) != 0)
			return api_fail(err, "invalidResultReference",
			                "#%s: call '%s' answered %s, not %s", shown(plain, sh),
			                shown(of, sh2), src->name, shown(name, sh3));
		cJSON *val = pointer_eval(src->result, path, 0);
		if (!val)
			return api_fail(err, "invalidResultReference",
			                "#%s: path '%s' leads nowhere", shown(plain, sh),
			                shown(path, sh2));
		char *key = xstrdup(plain);
		cJSON_DeleteItemFromObjectCaseSensitive(args, m->string);
		cJSON_AddItemToObject(args, key, val);
		free(key);
		m = next;
	}
	return 0;
}

/* ---------------------------------------------------------------- the request */

static int request_error(struct kbuf *out, int status, const char *type, const char *limit,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int request_error(struct kbuf *out, int status, const char *type, const char *limit,
                         const char *fmt, ...)
{
	char desc[KERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(desc, sizeof desc, fmt, ap);
	va_end(ap);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", type);
	if (limit)
		cJSON_AddStringToObject(o, "limit", limit);
	json_add_int(o, "status", status);
	cJSON_AddStringToObject(o, "description", desc);
	kbuf_reset(out);
	json_print(o, out);
	cJSON_Delete(o);
	return status;
}

/* The operator's words on adding money, read at each request: `kontord admin funding`
 * changes them while the node serves. NULL when none are set; the caller frees. */
static char *funding_words(struct node *n)
{
	char *f = NULL;
	if (nstore_meta_get(n->store, NODE_FUNDING_META, &f, NULL) != K_OK || (f && !*f)) {
		free(f);
		return NULL;
	}
	return f;
}

/* Changes whenever what the session object says changes (name, key, limits, funding): a
 * client that kept the session fetches it again when an answer's sessionState differs. */
static void session_state(struct node *n, const char *funding, char out[17])
{
	struct kbuf b = KBUF_INIT;
	const struct node_limits *l = &n->limits;
	kbuf_printf(&b, "%s|%s|%zu|%d|%d|%d|%d|%zu|%d|%s", n->name, n->key_id, l->max_size_request,
	            l->max_calls_in_request, l->max_objects_in_get, l->max_objects_in_set,
	            l->max_query_limit, l->max_upload, l->max_changes, funding ? funding : "");
	char h[KCRYPTO_HASH_B64_LEN + 1];
	kcrypto_hash_b64url(b.data, b.len, h);
	memcpy(out, h, 16);
	out[16] = '\0';
	kbuf_free(&b);
}

static int check_shape(const cJSON *req, struct kbuf *out, int max_calls)
{
	char sh[SHOWN];
	if (!cJSON_IsObject(req))
		return request_error(out, 400, ERR_PREFIX "notRequest", NULL,
		                     "the body must be a JSON object {using, methodCalls}");
	const cJSON *using = cJSON_GetObjectItemCaseSensitive(req, "using");
	const cJSON *calls = cJSON_GetObjectItemCaseSensitive(req, "methodCalls");
	const cJSON *cids = cJSON_GetObjectItemCaseSensitive(req, "createdIds");
	if (!cJSON_IsArray(using))
		return request_error(out, 400, ERR_PREFIX "notRequest", NULL,
		                     "using: missing (an array of capabilities)");
	if (!cJSON_IsArray(calls))
		return request_error(
		    out, 400, ERR_PREFIX "notRequest", NULL,
		    "methodCalls: missing (an array of [name, arguments, callId])");
	if (cids && !cJSON_IsNull(cids) && !cJSON_IsObject(cids))
		return request_error(out, 400, ERR_PREFIX "notRequest", NULL,
		                     "createdIds: must be an object");
	const cJSON *u;
	cJSON_ArrayForEach(u, using)
	{
		if (!cJSON_IsString(u))
			return request_error(out, 400, ERR_PREFIX "notRequest", NULL,
			                     "using: must be an array of strings");
		if (strcmp(u->valuestring, CAP_CORE) && strcmp(u->valuestring, CAP_TRADE))
			return request_error(
			    out, 400, ERR_PREFIX "unknownCapability", NULL,
			    "using: this node does not know '%s' (it knows " CAP_CORE
			    " and " CAP_TRADE ")",
			    shown(u->valuestring, sh));
	}
	int n = cJSON_GetArraySize(calls);
	if (n > max_calls)
		return request_error(out, 413, ERR_PREFIX "limit", "maxCallsInRequest",
		                     "methodCalls: %d calls; at most %d in one request", n,
		                     max_calls);
	int i = 0;
	const cJSON *call;
	cJSON_ArrayForEach(call, calls)
	{
		const cJSON *name = cJSON_GetArrayItem(call, 0),
		            *args = cJSON_GetArrayItem(call, 1), *id = cJSON_GetArrayItem(call, 2);
		if (!cJSON_IsArray(call) || cJSON_GetArraySize(call) != 3 ||
		    !cJSON_IsString(name) || !cJSON_IsObject(args) || !cJSON_IsString(id))
			return request_error(out, 400, ERR_PREFIX "notRequest", NULL,
			                     "methodCalls[%d]: must be [name, {arguments}, callId]",
			                     i);
		i++;
	}
	return 0;
}

static void add_method_name(struct kbuf *methods, const char *name)
{
	char sh[SHOWN];
	if (methods->len)
		kbuf_putc(methods, ',');
	kbuf_puts(methods, shown(name, sh));
}

int api_handle(struct node *n, const struct api_caller *who, const char *body, size_t len,
               struct kbuf *out, struct kbuf *methods)
{
	kbuf_reset(out);
	kbuf_reset(methods);
	if (len > n->limits.max_size_request)
		return request_error(out, 413, ERR_PREFIX "limit", "maxSizeRequest",
		                     "the request is %zu bytes; at most %zu", len,
		                     n->limits.max_size_request);
	cJSON *req = NULL;
	struct kerr e = {0, ""};
	if (json_parse(body ? body : "", body ? len : 0, "request body", &req, &e) != K_OK)
		return request_error(out, 400, ERR_PREFIX "notRequest", NULL, "not JSON: %s",
		                     e.msg);
	int status = check_shape(req, out, n->limits.max_calls_in_request);
	if (status) {
		cJSON_Delete(req);
		return status;
	}
	const cJSON *calls = cJSON_GetObjectItemCaseSensitive(req, "methodCalls"), *call;
	const char *caller = who && who->account_id && *who->account_id ? who->account_id : NULL;
	cJSON_ArrayForEach(call, calls)
	{
		const char *name = cJSON_GetArrayItem(call, 0)->valuestring;
		add_method_name(methods, name);
		const struct method *m = method_find(name);
		if (m && m->needs_signature && !caller) {
			cJSON_Delete(req);
			return request_error(out, 401, "unauthorized", NULL,
			                     "%s needs a signed request (Authorization: Signature"
			                     " ...)",
			                     m->name);
		}
	}

	struct api_ctx c = {n, n->store, caller, NULL};
	const cJSON *cids = cJSON_GetObjectItemCaseSensitive(req, "createdIds");
	c.created_ids = cJSON_IsObject(cids) ? cJSON_Duplicate(cids, 1) : cJSON_CreateObject();
	size_t ncalls = (size_t)cJSON_GetArraySize(calls), nd = 0;
	struct response *done = xcalloc(ncalls ? ncalls : 1, sizeof *done);
	cJSON_ArrayForEach(call, calls)
	{
		const char *name = cJSON_GetArrayItem(call, 0)->valuestring;
		const char *call_id = cJSON_GetArrayItem(call, 2)->valuestring;
		cJSON *args = cJSON_Duplicate(cJSON_GetArrayItem(call, 1), 1);
		const struct method *m = method_find(name);
		struct api_err err = {NULL, ""};
		cJSON *result = NULL;
		char sh[SHOWN];
		int rc;
		if (!m)
			rc = api_fail(&err, "unknownMethod", "%s: no such method", shown(name, sh));
		else if ((rc = resolve_refs(args, done, nd, &err)) == 0 &&
		         (rc = write_allowed(&c, m, &err)) == 0)
			rc = m->fn(&c, m->type, args, &result, &err);
		cJSON_Delete(args);
		if (rc) {
			cJSON_Delete(result);
			result = cJSON_CreateObject();
			cJSON_AddStringToObject(result, "type", err.type ? err.type : "serverFail");
			cJSON_AddStringToObject(result, "description", err.desc);
			done[nd].name = xstrdup("error");
		} else {
			done[nd].name = xstrdup(m->name);
		}
		done[nd].result = result;
		done[nd].call_id = xstrdup(call_id);
		nd++;
	}

	cJSON *resp = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(resp, "methodResponses");
	for (size_t i = 0; i < nd; i++) {
		cJSON *triple = cJSON_CreateArray();
		cJSON_AddItemToArray(triple, cJSON_CreateString(done[i].name));
		cJSON_AddItemToArray(triple, done[i].result);
		cJSON_AddItemToArray(triple, cJSON_CreateString(done[i].call_id));
		cJSON_AddItemToArray(list, triple);
		free(done[i].name);
		free(done[i].call_id);
	}
	free(done);
	if (cJSON_IsObject(cids))
		cJSON_AddItemToObject(resp, "createdIds", c.created_ids);
	else
		cJSON_Delete(c.created_ids);
	char state[17], *funding = funding_words(n);
	session_state(n, funding, state);
	free(funding);
	cJSON_AddStringToObject(resp, "sessionState", state);
	json_print(resp, out);
	cJSON_Delete(resp);
	cJSON_Delete(req);
	return 200;
}

/* ---------------------------------------------------------------- session and states */

void api_session(struct node *n, const char *base, struct kbuf *out)
{
	const struct node_limits *l = &n->limits;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", n->name);
	cJSON_AddStringToObject(o, "nodeKey", n->key_id);
	struct kbuf url = KBUF_INIT;
	static const char *const urls[][2] = {{"apiUrl", "/api"},
	                                      {"uploadUrl", "/upload"},
	                                      {"downloadUrl", "/download/{blobId}"},
	                                      {"eventSourceUrl", "/events"}};
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		kbuf_reset(&url);
		kbuf_printf(&url, "%s%s", base ? base : "", urls[i][1]);
		cJSON_AddStringToObject(o, urls[i][0], kbuf_str(&url));
	}
	kbuf_free(&url);
	cJSON *caps = cJSON_AddObjectToObject(o, "capabilities");
	cJSON *core = cJSON_AddObjectToObject(caps, CAP_CORE);
	json_add_int(core, "maxSizeUpload", (int64_t)l->max_upload);
	json_add_int(core, "maxSizeRequest", (int64_t)l->max_size_request);
	json_add_int(core, "maxCallsInRequest", l->max_calls_in_request);
	json_add_int(core, "maxObjectsInGet", l->max_objects_in_get);
	json_add_int(core, "maxObjectsInSet", l->max_objects_in_set);
	cJSON_AddArrayToObject(core, "collationAlgorithms");
	cJSON *trade = cJSON_AddObjectToObject(caps, CAP_TRADE);
	json_add_int(trade, "maxSizeRequest", (int64_t)l->max_size_request);
	json_add_int(trade, "maxCallsInRequest", l->max_calls_in_request);
	json_add_int(trade, "maxObjectsInGet", l->max_objects_in_get);
	json_add_int(trade, "maxObjectsInSet", l->max_objects_in_set);
	json_add_int(trade, "maxQueryLimit", l->max_query_limit);
	json_add_int(trade, "maxQueryDepth", NSTORE_SCAN_MAX);
	json_add_int(trade, "maxSizeUpload", (int64_t)l->max_upload);
	json_add_int(trade, "maxChanges", l->max_changes);
	json_add_int(trade, "defaultMaxChanges", api_default_max_changes(l));
	cJSON_AddBoolToObject(trade, "changesOwnSets", 1); /* Foo/changes takes ownSets */
	cJSON *types = cJSON_AddArrayToObject(trade, "types");
	for (int t = 0; t < NT__COUNT; t++)
		cJSON_AddItemToArray(types, cJSON_CreateString(nstore_type_name((enum ntype)t)));
	cJSON_AddItemToArray(types, cJSON_CreateString("Wallet")); /* the ledger's, wallet.c */
	char state[17], *funding = funding_words(n);
	session_state(n, funding, state);
	cJSON_AddStringToObject(o, "state", state);
	if (funding)
		cJSON_AddStringToObject(o, "funding", funding);
	free(funding);
	json_print(o, out);
	cJSON_Delete(o);
}

void api_states(struct node *n, struct kbuf *out)
{
	cJSON *o = cJSON_CreateObject();
	struct kerr e = {0, ""};
	for (int t = 0; t < NT__COUNT; t++) {
		int64_t v = 0;
		if (nstore_state(n->store, (enum ntype)t, &v, &e) == K_OK)
			api_add_state(o, nstore_type_name((enum ntype)t), v);
	}
	/* The whole ledger's: a listener learns that some wallet moved (each wallet's own
	 * state, per account, comes with Wallet/changes). */
	int64_t lv = 0;
	if (nledger_state(n->store, NULL, &lv, &e) == K_OK)
		api_add_state(o, "Wallet", lv);
	json_print(o, out);
	cJSON_Delete(o);
}
