/* identity commands: `init` makes the key pair, the encrypted identity.key and the cache,
 * and queues the account for the node; `id show` prints who we are without the passphrase. */
#include "cmd.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../net/http.h"
#include "../net/sync.h"
#include "../store/store.h"
#include "kontor/buf.h"
#include "kontor/codes.h"
#include "kontor/handle.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "kontor/model.h"
#include "kontor/text.h"

#define PASS_MIN_CHARS 12

/* A passphrase under PASS_MIN_CHARS characters (code points) is guessed soon by anyone who
 * copies identity.key. Typed at the terminal: said so, and taken only when the person
 * answers yes (K_EPASS otherwise). From --passphrase-file or KONTOR_PASSPHRASE: a warning on
 * err, and init goes on (a script cannot answer). */
static int short_passphrase(struct ctx *c, const char *pass, struct kerr *e)
{
	size_t n = 0;
	for (const char *p = pass; *p; p++)
		n += ((unsigned char)*p & 0xc0) != 0x80;
	if (n >= PASS_MIN_CHARS)
		return K_OK;
	char warn[200];
	snprintf(warn, sizeof warn,
	         "WARNING: this passphrase is %zu character%s long; under %d, anyone who copies "
	         "identity.key can guess it.\n",
	         n, n == 1 ? "" : "s", PASS_MIN_CHARS);
	if (!c->pass_typed) {
		fputs(warn, c->err);
		return K_OK;
	}
	ctx_tty_say(warn);
	if (ctx_confirm("Use it anyway? [y/N] "))
		return K_OK;
	return kerr_set(e, K_EPASS,
	                "init: a passphrase of %zu characters was not confirmed; nothing was "
	                "written (choose one of %d or more)",
	                n, PASS_MIN_CHARS);
}

static int run_init(struct ctx *c, const struct args *a, struct kerr *e)
{
	const char *name = arg_get(a, "name"), *country = arg_get(a, "country");
	const char *role = arg_get(a, "role") ? arg_get(a, "role") : "both";
	int no_pass = arg_has(a, "no-passphrase");
	if (!name || !*name)
		return kerr_set(e, K_EUSAGE, "init: --name is required (your business name)");
	if (!country)
		return kerr_set(e, K_EUSAGE,
		                "init: --country is required (ISO 3166 code, e.g. DE)");
	int rc = codes_check_country(country, "--country", e);
	if (rc)
		return rc;
	if (strcmp(role, "buyer") && strcmp(role, "supplier") && strcmp(role, "both"))
		return kerr_set(e, K_EINVAL, "--role: '%s' is not buyer, supplier or both", role);

	char key_path[4096], db_path[4096];
	ctx_path(c, "identity.key", key_path, sizeof key_path);
	ctx_path(c, "cache.db", db_path, sizeof db_path);
	if (access(key_path, F_OK) == 0)
		return kerr_set(
		    e, K_EEXIST,
		    "%s already exists: this home has an identity (use --home for another)",
		    key_path);

	struct kkeypair kp;
	kcrypto_keypair_new(&kp);
	struct account acc;
	account_init(&acc);
	kcrypto_account_id(kp.pk, acc.id);
	char handle[HANDLE_MAX + 1];
	handle_from_name(arg_get(a, "handle") ? arg_get(a, "handle") : name, acc.id, handle);
	acc.handle = xstrdup(handle);
	acc.display_name = xstrdup(name);
	if (arg_get(a, "legal-name"))
		acc.legal_name = xstrdup(arg_get(a, "legal-name"));
	snprintf(acc.country, sizeof acc.country, "%s", country);
	snprintf(acc.role, sizeof acc.role, "%s", role);
	char box[KCRYPTO_ID_LEN + 1];
	if ((rc = kcrypto_box_key(kp.pk, box, e)))
		goto out;
	acc.box_key = xstrdup(box);
	model_now(acc.created);
	rc = account_validate(&acc, e);
	if (rc)
		goto out;

	char pass[1024] = "";
	if (!no_pass) {
		rc = ctx_passphrase(c, "New passphrase for your kontor identity: ", 1, pass,
		                    sizeof pass, e);
		if (rc) {
			kerr_prefix(e, "init");
			goto out;
		}
		if ((rc = short_passphrase(c, pass, e))) {
			explicit_bzero(pass, sizeof pass);
			goto out;
		}
	}
	rc = ctx_home(c, 1, e); /* 0700, and umask 077 for what is written there */
	if (rc)
		goto out;
	rc = kcrypto_identity_save(key_path, &kp, no_pass ? NULL : pass, e);
	explicit_bzero(pass, sizeof pass);
	if (rc)
		goto out;

	struct store *s;
	rc = ctx_store(c, &s, e);
	if (rc == K_OK && (rc = store_begin(s, e)) == K_OK) {
		cJSON *j = account_to_json(&acc);
		struct kbuf payload = KBUF_INIT;
		json_print(j, &payload);
		cJSON_Delete(j);
		/* A supplier's nodes sync in scope mine (node scope), a buyer's the market. */
		if ((rc = store_meta_set(s, "self.id", acc.id, e)) == K_OK &&
		    (rc = store_meta_set(s, "scope", strcmp(role, "supplier") ? "market" : "mine",
		                         e)) == K_OK &&
		    (rc = store_account_put(s, &acc, e)) == K_OK &&
		    (rc = store_outbox_add(s, "Account/set", "create", acc.id, payload.data,
		                           c->node, NULL, e)) == K_OK)
			rc = store_commit(s, e);
		else
			store_rollback(s);
		kbuf_free(&payload);
	}
	if (rc) {
		/* Without its cache entry the key is unusable: take it back so init can rerun. */
		unlink(key_path);
		goto out;
	}
	snprintf(c->self_id, sizeof c->self_id, "%s", acc.id);

	if (no_pass)
		fprintf(
		    c->err,
		    "WARNING: %s is stored WITHOUT a passphrase. Anyone who can read it can sign "
		    "contracts and spend escrow as you. Use --no-passphrase for demos only.\n",
		    key_path);
	if (c->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", acc.id);
		cJSON_AddStringToObject(o, "handle", acc.handle);
		cJSON_AddStringToObject(o, "home", c->home);
		cJSON_AddBoolToObject(o, "encrypted", !no_pass);
		cmd_print_json(c, o);
	} else if (c->verbosity >= 0) {
		fprintf(c->out,
		        "Created identity %s\n  name:    %s (@%s), %s\n  key:     %s (%s)\n",
		        acc.id, acc.display_name, acc.handle, acc.country, key_path,
		        no_pass ? "NOT encrypted" : "encrypted");
	}
out:
	kcrypto_keypair_wipe(&kp);
	account_free(&acc);
	return rc;
}

static int run_id_show(struct ctx *c, const struct args *a, struct kerr *e)
{
	int rc = ctx_self(c, e);
	if (rc)
		return rc;
	struct store *s;
	if ((rc = ctx_store(c, &s, e)))
		return rc;
	struct account acc;
	if ((rc = store_account_get(s, c->self_id, &acc, e)))
		return rc;
	char key_path[4096];
	ctx_path(c, "identity.key", key_path, sizeof key_path);
	struct kerr ke;
	int enc = kcrypto_identity_encrypted(key_path, &ke);
	if (c->json) {
		cJSON *o = account_to_json(&acc);
		cJSON_AddStringToObject(o, "keyFile", key_path);
		if (enc >= 0)
			cJSON_AddBoolToObject(o, "encrypted", enc);
		cmd_print_json(c, o);
	} else {
		text_fprintf(c->out, "id:       %s\nhandle:   @%s\nname:     %s\n", acc.id,
		             acc.handle ? acc.handle : "",
		             acc.display_name ? acc.display_name : "");
		if (acc.legal_name)
			text_fprintf(c->out, "legal:    %s\n", acc.legal_name);
		const char *cn = codes_country_name(acc.country);
		char created[KTIME_LOCAL_MAX];
		text_fprintf(c->out,
		             "country:  %s%s%s%s\nrole:     %s\ncreated:  %s\nkey:      %s (%s)\n",
		             acc.country, cn ? " (" : "", cn ? cn : "", cn ? ")" : "", acc.role,
		             ktime_local(acc.created, created, sizeof created), key_path,
		             enc < 0 ? ke.msg
		             : enc   ? "encrypted"
		                     : "NOT encrypted");
	}
	account_free(&acc);
	return K_OK;
}

/* --- id edit: the profile changed here, pushed to each node as an Account/set update ---- */

struct node_names {
	struct kstrv v;
};

static int collect_node(void *ctx, const struct node_info *n)
{
	kstrv_push(&((struct node_names *)ctx)->v, n->name);
	return 0;
}

static void set_field(char **field, const char *v)
{
	free(*field);
	*field = v && *v ? xstrdup(v) : NULL;
}

/* An optional text field set to v, and said in the patch as key: v, or null for "" (cleared). */
static void set_patched(char **field, cJSON *patch, const char *key, const char *v)
{
	set_field(field, v);
	if (*v)
		cJSON_AddStringToObject(patch, key, v);
	else
		cJSON_AddNullToObject(patch, key);
}

/* The entries an edit queued (by creation id), to take back when the node refused it. */
struct edit_undo {
	struct kstrv cids;
	struct store *s;
	int dropped;
};

static int drop_edit(void *ctx, const struct outbox_item *it)
{
	struct edit_undo *u = ctx;
	for (size_t i = 0; i < u->cids.n; i++)
		if (strcmp(it->creation_id, u->cids.v[i]) == 0 &&
		    store_outbox_drop(u->s, it->seq, NULL) == K_OK)
			u->dropped++;
	return 0;
}

/* --address 'line; line' [--city C] [--postcode P] [--address-country CC] and --tax-id
 * SCHEME:ID[,SCHEME:ID]: the postal address and tax ids offers copy for the trade papers.
 * An empty value takes them out (JSON null in the patch). */
static int edit_papers_fields(const struct args *a, struct account *acc, cJSON *patch,
                              struct kerr *e)
{
	const char *addr = arg_get(a, "address"), *tax = arg_get(a, "tax-id");
	if (addr && !*addr) {
		cJSON_Delete(acc->address);
		acc->address = NULL;
		cJSON_AddNullToObject(patch, "address");
	} else if (addr) {
		const char *city = arg_get(a, "city"), *pc = arg_get(a, "postcode"),
		           *cc = arg_get(a, "address-country");
		if (!city || !*city)
			return kerr_set(e, K_EUSAGE, "id edit: --address needs --city");
		cJSON *o = cJSON_CreateObject(), *lines = cJSON_AddArrayToObject(o, "lines");
		for (const char *p = addr, *it; *p;) {
			size_t len = text_list_next(&p, ';', &it);
			if (len) {
				char *line = xstrndup(it, len);
				cJSON_AddItemToArray(lines, cJSON_CreateString(line));
				free(line);
			}
		}
		cJSON_AddStringToObject(o, "city", city);
		json_add_opt(o, "postcode", pc);
		cJSON_AddStringToObject(o, "country", cc ? cc : acc->country);
		cJSON_Delete(acc->address);
		acc->address = o;
		cJSON_AddItemToObject(patch, "address", cJSON_Duplicate(o, 1));
	}
	if (tax && !*tax) {
		cJSON_Delete(acc->tax_ids);
		acc->tax_ids = NULL;
		cJSON_AddNullToObject(patch, "taxIds");
	} else if (tax) {
		cJSON *arr = cJSON_CreateArray();
		for (const char *p = tax; *p;) {
			const char *comma = strchr(p, ','), *colon = strchr(p, ':');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			if (!colon || colon >= p + len) {
				cJSON_Delete(arr);
				return kerr_set(
				    e, K_EINVAL,
				    "--tax-id: '%.*s' is not SCHEME:ID like VAT:DE123456789",
				    (int)(len > 60 ? 60 : len), p);
			}
			cJSON *x = cJSON_CreateObject();
			char *sc = xstrndup(p, (size_t)(colon - p)),
			     *id = xstrndup(colon + 1, len - (size_t)(colon - p) - 1);
			cJSON_AddStringToObject(x, "scheme", sc);
			cJSON_AddStringToObject(x, "id", id);
			free(sc);
			free(id);
			cJSON_AddItemToArray(arr, x);
			p += len + (comma != NULL);
		}
		cJSON_Delete(acc->tax_ids);
		acc->tax_ids = arr;
		cJSON_AddItemToObject(patch, "taxIds", cJSON_Duplicate(arr, 1));
	}
	return K_OK;
}

static int run_id_edit(struct ctx *c, const struct args *a, struct kerr *e)
{
	const char *handle = arg_get(a, "handle"), *name = arg_get(a, "name");
	const char *legal = arg_get(a, "legal-name"), *about = arg_get(a, "about");
	if (!handle && !name && !legal && !about && !arg_get(a, "address") && !arg_get(a, "tax-id"))
		return kerr_set(
		    e, K_EUSAGE,
		    "id edit: nothing to change (--handle, --name, --legal-name, --about, "
		    "--address, --tax-id)");
	if (handle && handle[0] == '@')
		handle++;
	struct store *s;
	struct account acc, old;
	int rc = ctx_self(c, e);
	if (!rc)
		rc = ctx_store(c, &s, e);
	if (!rc && (rc = store_account_get(s, c->self_id, &acc, e)) == K_OK &&
	    (rc = store_account_get(s, c->self_id, &old, e)) != K_OK)
		account_free(&acc);
	if (rc)
		return rc;
	cJSON *patch = cJSON_CreateObject();
	if (handle) {
		set_field(&acc.handle, handle);
		cJSON_AddStringToObject(patch, "handle", handle);
	}
	if (name) {
		set_field(&acc.display_name, name);
		cJSON_AddStringToObject(patch, "displayName", name);
	}
	if (legal)
		set_patched(&acc.legal_name, patch, "legalName", legal);
	if (about)
		set_patched(&acc.about, patch, "about", about);
	rc = edit_papers_fields(a, &acc, patch, e);
	/* The node's own rules: a bad handle or name never reaches the outbox. */
	if (!rc)
		rc = account_validate(&acc, e);
	if (rc)
		kerr_prefix(e, "id edit");
	struct kbuf p = KBUF_INIT;
	json_print(patch, &p);
	cJSON_Delete(patch);
	/* One update per node the profile is registered on; with none yet, one for the first
	 * node added (after the registration `init` queued). */
	struct node_names nodes = {{0}};
	struct edit_undo undo = {{0}, s, 0};
	if (!rc)
		rc = store_node_each(s, collect_node, &nodes, e);
	if (!rc && (rc = store_begin(s, e)) == K_OK) {
		rc = store_account_put(s, &acc, e);
		for (size_t i = 0; rc == K_OK && i < (nodes.v.n ? nodes.v.n : 1); i++) {
			char cid[40];
			rc = store_outbox_add(s, "Account/set", "update", c->self_id, kbuf_str(&p),
			                      nodes.v.n ? nodes.v.v[i] : NULL, cid, e);
			if (!rc)
				kstrv_push(&undo.cids, cid);
		}
		rc = rc ? (store_rollback(s), rc) : store_commit(s, e);
	}
	kbuf_free(&p);
	kstrv_free(&nodes.v);
	if (!rc)
		rc = cmd_push(c, e);
	if (rc == K_EFAIL && undo.cids.n && store_begin(s, NULL) == K_OK) {
		/* Refused (a handle another account has): nothing is left half done, in the
		 * cache or in the outbox, and later syncs have nothing held to report. */
		int urc = store_outbox_each(s, drop_edit, &undo, NULL);
		if (urc == K_OK && undo.dropped)
			urc = store_account_put(s, &old, NULL);
		if (urc == K_OK && undo.dropped && store_commit(s, NULL) == K_OK) {
			char why[sizeof e->msg];
			snprintf(why, sizeof why, "%s", e->msg);
			char *kept = strstr(why, " (kept in the outbox");
			if (kept)
				*kept = '\0'; /* it is not: it was taken back */
			kerr_set(e, K_EFAIL, "id edit: nothing changed: %s", why);
		} else {
			store_rollback(s);
		}
	}
	if (rc == K_OK || rc == K_EQUEUED) {
		if (c->json) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "id", c->self_id);
			cJSON_AddStringToObject(o, "handle", acc.handle ? acc.handle : "");
			cJSON_AddStringToObject(o, "displayName", acc.display_name);
			cJSON_AddStringToObject(o, "status", rc == K_OK ? "delivered" : "queued");
			cmd_print_json(c, o);
		} else if (c->verbosity >= 0 && handle &&
		           strcmp(old.handle ? old.handle : "", acc.handle) != 0) {
			text_fprintf(c->out, "handle @%s (was @%s)%s\n", acc.handle,
			             old.handle ? old.handle : "",
			             rc == K_EQUEUED ? ", queued" : "");
		} else if (c->verbosity >= 0) {
			text_fprintf(c->out, "profile updated%s\n",
			             rc == K_EQUEUED ? ", queued" : "");
		}
	}
	kstrv_free(&undo.cids);
	account_free(&old);
	account_free(&acc);
	return rc;
}

/* After node add registered us: the node may have given us another handle than the one we
 * asked for (ours was taken there). Takes the node's into the cache and says so. */
void cmd_learn_handle(struct ctx *c, const char *node)
{
	struct store *s;
	struct account mine, theirs;
	struct ksync *k = NULL;
	cJSON *resp = NULL;
	struct kerr e = {0};
	if (ctx_self(c, &e) || ctx_store(c, &s, &e) || store_account_get(s, c->self_id, &mine, &e))
		return;
	const char *saved = c->node;
	c->node = node;
	int rc = cmd_sync_open(c, &k, &e);
	c->node = saved;
	if (!rc) {
		cJSON *req = cJSON_CreateObject();
		cJSON *using = cJSON_AddArrayToObject(req, "using");
		cJSON_AddItemToArray(using, cJSON_CreateString("urn:kontor:trade"));
		cJSON *call = cJSON_CreateArray(), *args = cJSON_CreateObject();
		cJSON *ids = cJSON_AddArrayToObject(args, "ids");
		cJSON_AddItemToArray(ids, cJSON_CreateString(c->self_id));
		cJSON_AddItemToArray(call, cJSON_CreateString("Account/get"));
		cJSON_AddItemToArray(call, args);
		cJSON_AddItemToArray(call, cJSON_CreateString("me"));
		cJSON_AddItemToArray(cJSON_AddArrayToObject(req, "methodCalls"), call);
		rc = knet_api(ksync_net(k), req, &resp, &e);
		cJSON_Delete(req);
	}
	const cJSON *r = cJSON_GetArrayItem(
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(resp, "methodResponses"), 0), 1);
	const cJSON *me = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "list"), 0);
	if (!rc && me && account_from_json(me, &theirs, &e) == K_OK) {
		if (strcmp(theirs.id, c->self_id) == 0 && theirs.handle &&
		    (!mine.handle || strcmp(theirs.handle, mine.handle) != 0)) {
			char *was = mine.handle ? xstrdup(mine.handle) : xstrdup("");
			set_field(&mine.handle, theirs.handle);
			if (store_account_put(s, &mine, &e) == K_OK)
				text_fprintf(
				    c->err,
				    "kontor: the handle @%s is taken on node %s: you are @%s "
				    "there (`kontor id edit --handle NEW` chooses another)\n",
				    was, node, theirs.handle);
			free(was);
		}
		account_free(&theirs);
	}
	cJSON_Delete(resp);
	ksync_close(&k);
	account_free(&mine);
}

const struct cmd_entry cmd_identity_entries[] = {
    {"init",
     "--name NAME --country CC [--legal-name NAME] [--role buyer|supplier|both] "
     "[--handle H] [--no-passphrase]",
     "create your identity (an Ed25519 key pair) and the local cache",
     "name= country= legal-name= role= handle= no-passphrase", 0, 0, run_init,
     "The secret key is kept in $KONTOR_HOME/identity.key, encrypted with a key derived from\n"
     "your passphrase (Argon2id). The passphrase comes from --passphrase-file, from\n"
     "KONTOR_PASSPHRASE, or is asked for twice on the terminal. --no-passphrase stores the\n"
     "key unencrypted: for demos only."},
    {"id show", "", "print your account id and profile (needs no passphrase)", "", 0, 0,
     run_id_show, NULL},
    {"id edit",
     "[--handle H] [--name N] [--legal-name N] [--about TEXT]\n"
     "        [--address 'LINE; LINE' --city C [--postcode P] [--address-country CC]]\n"
     "        [--tax-id SCHEME:ID[,SCHEME:ID]]",
     "change your handle or profile, on every node",
     "handle= name= legal-name= about= address= city= postcode= address-country= tax-id=", 0, 0,
     run_id_edit,
     "Changes the profile in the cache and queues an Account/set update for each node it is\n"
     "registered on, pushed at once. A handle is 2 to 32 of a-z 0-9 _ -; a node refuses one\n"
     "another account has (exit 1; `kontor outbox drop` the update and choose another).\n"
     "An empty --legal-name or --about removes it.\n"
     "--address (lines separated by ';'), --city, --postcode and --tax-id (VAT:DE123456789,\n"
     "EORI:DE..., comma separated) are what offers copy for the trade papers (`order docs`);\n"
     "the address country is your account's unless --address-country. Empty removes them."},
    {0},
};
