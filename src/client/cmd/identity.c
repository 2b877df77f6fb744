/* identity commands: `init` makes the key pair, the encrypted identity.key and the cache,
 * and queues the account for the node; `id show` prints who we are without the passphrase. */
#include "cmd.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../store/store.h"
#include "kontor/buf.h"
#include "kontor/codes.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "kontor/text.h"

/* A handle from the display name: lower-case letters and digits, '-' for the rest. */
static void derive_handle(const char *name, const char *id, char *out, size_t cap)
{
	size_t n = 0;
	int dash = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p && n + 1 < cap && n < 32;
	     p++) {
		if (isalnum(*p) && *p < 0x80) {
			out[n++] = (char)tolower(*p);
			dash = 0;
		} else if (n > 0 && !dash) {
			out[n++] = '-';
			dash = 1;
		}
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	out[n] = '\0';
	if (n < 2) /* a name in another script: make one from the account id */
		snprintf(out, cap, "k-%.8s", id);
	for (char *p = out; *p; p++)
		if (*p != '-' && !isalnum((unsigned char)*p))
			*p = '_';
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
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
	char handle[40];
	derive_handle(arg_get(a, "handle") ? arg_get(a, "handle") : name, acc.id, handle,
	              sizeof handle);
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
		if ((rc = store_meta_set(s, "self.id", acc.id, e)) == K_OK &&
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
		text_fprintf(c->out,
		             "country:  %s%s%s%s\nrole:     %s\ncreated:  %s\nkey:      %s (%s)\n",
		             acc.country, cn ? " (" : "", cn ? cn : "", cn ? ")" : "", acc.role,
		             acc.created, key_path,
		             enc < 0 ? ke.msg
		             : enc   ? "encrypted"
		                     : "NOT encrypted");
	}
	account_free(&acc);
	return K_OK;
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
    {0},
};
