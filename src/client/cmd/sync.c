/* sync — the nodes this client knows (`node add|list|use|rm`), `sync`, and the push that
 * follows every write command: commit locally first, then deliver at once when the node is
 * reachable, else leave it queued for the next sync (exit 4). */
#include "cmd.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../net/http.h"
#include "../net/sync.h"
#include "../notify.h"
#include "../stock.h"
#include "../progress.h"
#include "../store/store.h"
#include "kontor/json.h"
#include "kontor/ktime.h"
#include "kontor/model.h"
#include "kontor/text.h"
#include "kontor/buf.h"

/* The node a command works with: --node, else the current one. K_ENOTFOUND when none. */
int cmd_node_name(struct ctx *c, char **out, struct kerr *e)
{
	*out = NULL;
	if (c->node) {
		*out = xstrdup(c->node);
		return K_OK;
	}
	struct store *s;
	int rc = ctx_store(c, &s, e);
	if (rc)
		return rc;
	rc = store_meta_get(s, "node", out, e);
	if (rc == K_ENOTFOUND)
		return kerr_set(
		    e, K_ENOTFOUND,
		    "no node yet: add one with `kontor node add NAME https://HOST:PORT`");
	return rc;
}

static void scope_words(const char *scope, char *buf, size_t cap);

int cmd_cache_scope(struct ctx *c, char **node, char *words, size_t cap)
{
	struct store *s;
	struct node_info n;
	*node = NULL;
	if (ctx_store(c, &s, NULL) != K_OK || cmd_node_name(c, node, NULL) != K_OK || !*node ||
	    !**node || store_node_get(s, *node, &n, NULL) != K_OK) {
		free(*node);
		*node = NULL;
		return 0;
	}
	int market = sync_scope_is_market(n.scope);
	if (!market)
		scope_words(n.scope, words, cap);
	node_info_free(&n);
	if (market) {
		free(*node);
		*node = NULL;
	}
	return !market;
}

int cmd_scope_note(struct ctx *c)
{
	char *node = NULL, words[200];
	if (!cmd_cache_scope(c, &node, words, sizeof words))
		return 0;
	cmd_note(c,
	         "the cache holds node %s's scope %s, not the market: --remote asks the node, or "
	         "`kontor node scope %s market` pulls the market's listings",
	         node, words, node);
	free(node);
	return 1;
}

/* The deadline of what a command does with a node: $KONTOR_SYNC_TIMEOUT seconds, else
 * ksync's default (0). K_EUSAGE for a value that is not whole seconds in range. */
static int sync_timeout(long *out, struct kerr *e)
{
	*out = 0;
	const char *v = getenv("KONTOR_SYNC_TIMEOUT");
	if (!v || !*v)
		return K_OK;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || n < 1 || n > KSYNC_TIMEOUT_MAX)
		return kerr_set(e, K_EUSAGE,
		                "KONTOR_SYNC_TIMEOUT=%.20s: whole seconds from 1 to %d, please", v,
		                KSYNC_TIMEOUT_MAX);
	*out = n;
	return K_OK;
}

static int open_as(struct ctx *c, struct store *s, const char *node, const struct kkeypair *kp,
                   unsigned flags, struct ksync **out, struct kerr *e)
{
	long secs;
	int rc = sync_timeout(&secs, e);
	if (!rc)
		rc = ksync_open(s, node, c->self_id, kp, flags, out, e);
	if (!rc)
		ksync_set_timeout(*out, secs);
	return rc;
}

/* A session with the current node: as ourselves (the key, asking for the passphrase when
 * needed), or public (no key: only our id, for the cache). */
static int open_node(struct ctx *c, int public, unsigned flags, struct ksync **out, struct kerr *e)
{
	struct store *s;
	char *node = NULL;
	int rc = ctx_store(c, &s, e);
	if (!rc)
		rc = cmd_node_name(c, &node, e);
	if (!rc)
		rc = public ? ctx_self(c, e) : ctx_identity(c, e);
	if (!rc)
		rc = open_as(c, s, node, public ? NULL : &c->kp, flags, out, e);
	free(node);
	return rc;
}

int cmd_sync_open(struct ctx *c, struct ksync **out, struct kerr *e)
{
	return open_node(c, 0, 0, out, e);
}

int cmd_public_open(struct ctx *c, struct ksync **out, struct kerr *e)
{
	return open_node(c, 1, KSYNC_QUICK, out, e);
}

int cmd_fetch_listing(struct ctx *c, const char *id, struct kerr *e)
{
	struct ksync *k = NULL;
	int rc = cmd_public_open(c, &k, e);
	if (!rc)
		rc = ksync_fetch_listing(k, id, e);
	ksync_close(&k);
	return rc;
}

int cmd_fetch(struct ctx *c, const char *type, const char *id, struct kerr *e)
{
	struct ksync *k = NULL;
	int rc = cmd_sync_open(c, &k, e);
	if (!rc)
		rc = ksync_fetch(k, type, id, e);
	ksync_close(&k);
	return rc;
}

int cmd_push(struct ctx *c, struct kerr *e)
{
	if (c->in_batch)
		return kerr_set(e, K_EQUEUED, "queued; the batch pushes at its end");
	struct ksync *k = NULL;
	struct sync_stats st = {0};
	int rc = open_node(c, 0, KSYNC_QUICK, &k, e);
	if (rc == K_ENOTFOUND)
		return kerr_set(
		    e, K_EQUEUED,
		    "queued in the outbox; no node yet: `kontor node add NAME URL`, then "
		    "`kontor sync`");
	if (rc)
		return rc;
	/* A long push (an import's, pictures) is drawn on a terminal, and ends with a line. */
	struct progress pr;
	progress_begin(&pr, c->err, c->verbosity < 0, "push");
	ksync_set_progress(k, &pr);
	rc = ksync_push(k, &st, e);
	struct kerr fe = {0};
	ksync_finish(k, &st, &fe);
	ksync_close(&k);
	if (pr.drawn) {
		char n[32], b[32];
		progress_end(&pr, "push: %s action%s pushed, %s up in %.1f s%s",
		             progress_count(st.pushed, n, sizeof n), st.pushed == 1 ? "" : "s",
		             progress_bytes(st.bytes_up, b, sizeof b),
		             progress_elapsed_ms(&pr) / 1000.0, rc == K_OK ? "" : "; incomplete");
	}
	if (rc == K_ENET) {
		char why[sizeof e->msg];
		snprintf(why, sizeof why, "%s", e->msg);
		return kerr_set(e, K_EQUEUED, "queued in the outbox (%lld waiting): %s",
		                (long long)st.waiting, why);
	}
	if (rc)
		return rc;
	if (st.refused)
		return kerr_set(e, K_EFAIL,
		                "the node refused %s (kept in the outbox: `kontor "
		                "outbox list`, then `outbox retry` or `outbox drop`)",
		                st.first_refusal);
	if (st.waiting)
		return kerr_set(e, K_EQUEUED, "%lld still queued", (long long)st.waiting);
	return K_OK;
}

/* --- node add|list|use|rm ------------------------------------------------------- */

static int name_ok(const char *n)
{
	size_t len = strlen(n);
	if (len < 1 || len > 32)
		return 0;
	for (const char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_' || *p == '.'))
			return 0;
	return 1;
}

/* Our profile as the node's Account/set create wants it. */
static int queue_profile(struct ctx *c, struct store *s, const char *node, struct kerr *e)
{
	struct account a;
	int rc = store_account_get(s, c->self_id, &a, e);
	if (rc)
		return rc;
	cJSON *j = account_to_json(&a);
	account_free(&a);
	cJSON_DeleteItemFromObjectCaseSensitive(j, "rating");
	cJSON_DeleteItemFromObjectCaseSensitive(j, "attestation");
	struct kbuf p = KBUF_INIT;
	json_print(j, &p);
	cJSON_Delete(j);
	rc = store_outbox_add(s, "Account/set", "create", c->self_id, kbuf_str(&p), node, NULL, e);
	kbuf_free(&p);
	return rc;
}

#define T_LISTING_IX 1         /* sync_types[1] */
#define CA_FILE_MAX (1u << 20) /* a CA bundle larger than this is refused */

/* The name of the copy of a node's CA file in the home (stored relative: a home that
 * moves keeps it). */
static void ca_copy_name(const char *node, const char *suffix, char *out, size_t cap)
{
	snprintf(out, cap, "node-%s.ca.pem%s", node, suffix);
}

/* Writes len bytes to path, mode 0600 whatever the umask; replaces what was there. */
static int write_private(const char *path, const void *data, size_t len, struct kerr *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return kerr_set(e, K_EIO, "%s: %s", path, strerror(errno));
	int rc = K_OK;
	if (fchmod(fd, 0600) != 0)
		rc = kerr_set(e, K_EIO, "%s: %s", path, strerror(errno));
	const char *p = data;
	for (size_t off = 0; rc == K_OK && off < len;) {
		ssize_t w = write(fd, p + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			rc = kerr_set(e, K_EIO, "%s: %s", path, strerror(errno));
		else
			off += (size_t)w;
	}
	if (rc == K_OK && fsync(fd) != 0)
		rc = kerr_set(e, K_EIO, "%s: %s", path, strerror(errno));
	if (close(fd) != 0 && rc == K_OK)
		rc = kerr_set(e, K_EIO, "%s: %s", path, strerror(errno));
	if (rc)
		unlink(path);
	return rc;
}

/* --ca-file copied into the home as tmp (node-NAME.ca.pem.new): certificates only, so a
 * key pasted by mistake never lands there. */
static int copy_ca(struct ctx *c, const char *from, const char *tmp, struct kerr *e)
{
	struct kbuf b = KBUF_INIT;
	int rc = ctx_read_file(c, from, CA_FILE_MAX, &b, e);
	if (rc) {
		kerr_prefix(e, "node add: --ca-file");
		kbuf_free(&b);
		return rc;
	}
	if (!b.len || !memmem(b.data, b.len, "-----BEGIN CERTIFICATE-----", 27))
		rc = kerr_set(e, K_EINVAL, "node add: --ca-file %s holds no PEM certificate", from);
	else if (memmem(b.data, b.len, "PRIVATE KEY-----", 16))
		rc = kerr_set(e, K_EINVAL,
		              "node add: --ca-file %s holds a private key; give the certificate "
		              "alone",
		              from);
	else
		rc = write_private(tmp, b.data, b.len, e);
	kbuf_free(&b);
	return rc;
}

/* node add's first contact failed on a certificate nobody vouched for: say what to compare
 * and which option to use. */
static int untrusted(struct knet *n, const char *ca, struct kerr *e)
{
	const char *fpr = knet_fingerprint_seen(n);
	char why[sizeof e->msg];
	snprintf(why, sizeof why, "%s", e->msg);
	if (ca)
		return kerr_set(
		    e, K_ENET,
		    "node add: %s. The CA in --ca-file %s did not sign it: ask the node's "
		    "operator which CA did",
		    why, ca);
	return kerr_set(e, K_ENET,
	                "node add: %s. Compare %s with the fingerprint the node's operator "
	                "published; if they match, add the node with --ca-file PEM naming the CA "
	                "that signed it (or that certificate itself)",
	                why, fpr[0] ? "that fingerprint" : "the certificate");
}

static int run_node_add(struct ctx *c, const struct args *a, struct kerr *e)
{
	const char *name = a->pos[0], *url = a->pos[1], *ca = arg_get(a, "ca-file");
	int replace = arg_has(a, "replace");
	if (!name_ok(name))
		return kerr_set(e, K_EUSAGE,
		                "node add: '%s' is not a node name (1-32 of a-z 0-9 - _ .)", name);
	if (strncmp(url, "https://", 8) != 0)
		return kerr_set(e, K_EUSAGE, "node add: %s: a node is reached over https:// only",
		                url);
	long secs;
	int rc = sync_timeout(&secs, e);
	if (!rc)
		rc = ctx_identity(c, e);
	struct store *s;
	if (!rc)
		rc = ctx_store(c, &s, e);
	if (rc)
		return rc;
	struct node_info old = {0};
	int exists = store_node_get(s, name, &old, NULL) == K_OK;
	if (exists && !replace) {
		node_info_free(&old);
		return kerr_set(e, K_EEXIST,
		                "node add: a node named '%s' exists already (--replace pins its "
		                "keys again and keeps what is queued for it)",
		                name);
	}
	if (!exists && replace)
		return kerr_set(e, K_ENOTFOUND,
		                "node add --replace: no node named '%s' to replace (add it without "
		                "--replace)",
		                name);
	/* The CA file is copied into the home now and used from there: the copy is what later
	 * syncs read, so moving or deleting the original breaks nothing. */
	char copy[64], tmp[64], tmp_path[4096], copy_path[4096];
	ca_copy_name(name, "", copy, sizeof copy);
	ca_copy_name(name, ".new", tmp, sizeof tmp);
	ctx_path(c, copy, copy_path, sizeof copy_path);
	ctx_path(c, tmp, tmp_path, sizeof tmp_path);
	const char *contact_ca = NULL;
	if (ca) {
		if ((rc = copy_ca(c, ca, tmp_path, e))) {
			node_info_free(&old);
			return rc;
		}
		contact_ca = tmp_path;
	} else if (replace) {
		contact_ca = old.ca_file; /* --replace keeps the CA it had */
	}
	/* First contact: the session names the node key, which is pinned from now on, with
	 * the TLS key it came over. */
	struct knet_opts o = {0};
	char base[1024];
	snprintf(base, sizeof base, "%s", url);
	size_t bl = strlen(base);
	while (bl > 8 && base[bl - 1] == '/')
		base[--bl] = '\0';
	o.base_url = base;
	o.ca_file = contact_ca;
	o.max_attempts = 2;
	o.call_timeout_s = KSYNC_CALL_TIMEOUT_S;
	struct knet *n = NULL;
	struct knet_response r;
	knet_response_init(&r);
	struct knet_session sess;
	memset(&sess, 0, sizeof sess);
	if ((rc = knet_new(&o, &n, e)) == K_OK) {
		char what[64];
		snprintf(what, sizeof what, "the sync-timeout of %ld s",
		         secs ? secs : KSYNC_TIMEOUT_S);
		knet_set_deadline(n, knet_now_ms() + (secs ? secs : KSYNC_TIMEOUT_S) * 1000, what);
		rc = knet_request(n, "GET", "/.well-known/kontor", NULL, NULL, 0, 0, &r, e);
		if (rc == K_ENET && knet_untrusted(n))
			rc = untrusted(n, ca, e);
	}
	if (rc == K_OK && r.status != 200)
		rc = kerr_set(e, K_EFAIL, "node add: %s answered HTTP %ld for its session", base,
		              r.status);
	if (rc == K_OK)
		rc = knet_session_parse(r.body.data, r.body.len, &sess, e);
	if (rc == K_OK && r.node_key[0] && strcmp(r.node_key, sess.node_key) != 0)
		rc = kerr_set(e, K_EVERIFY,
		              "node add: the session's key %s differs from the "
		              "Kontor-Node-Key header %s",
		              sess.node_key, r.node_key);
	char tls_pin[KNET_TLS_PIN_MAX] = "", fpr[KNET_FINGERPRINT_MAX] = "";
	if (rc == K_OK) {
		snprintf(tls_pin, sizeof tls_pin, "%s", knet_tls_pin_seen(n));
		snprintf(fpr, sizeof fpr, "%s", knet_fingerprint_seen(n));
		if (!tls_pin[0])
			rc = kerr_set(
			    e, K_EFAIL,
			    "node add: the TLS key of %s could not be read to pin it (this "
			    "libcurl is not built on OpenSSL)",
			    base);
	}
	int key_changed = exists && rc == K_OK && strcmp(old.node_key, sess.node_key) != 0;
	if (rc == K_OK) {
		struct node_info ni = {0};
		ni.name = (char *)name;
		ni.url = base;
		ni.ca_file = ca ? copy : NULL; /* --replace without --ca-file: kept */
		ni.node_key = sess.node_key;
		ni.tls_pin = tls_pin;
		ni.session = xstrndup(r.body.data, r.body.len);
		model_now(ni.added);
		/* `init --role supplier` chose what a new node's sync pulls (else the market). */
		char *cur = NULL, *scope = NULL;
		if (store_meta_get(s, "scope", &scope, NULL) == K_OK && scope && *scope)
			ni.scope = scope;
		if ((rc = store_begin(s, e)) == K_OK) {
			rc = replace ? store_node_replace(s, &ni, key_changed, e)
			             : store_node_add(s, &ni, e);
			/* `init` queued the profile for whichever node comes first; a further
			 * node, or one that now has another key, gets its own registration. */
			int first = !replace && (store_meta_get(s, "node", &cur, NULL) != K_OK ||
			                         !cur || !*cur);
			if (rc == K_OK && first)
				rc = store_meta_set(s, "node", name, e);
			else if (rc == K_OK && (!replace || key_changed))
				rc = queue_profile(c, s, name, e);
			if (rc == K_OK && ca && rename(tmp_path, copy_path) != 0)
				rc = kerr_set(e, K_EIO, "node add: %s: %s", copy_path,
				              strerror(errno));
			rc = rc ? (store_rollback(s), rc) : store_commit(s, e);
		}
		free(cur);
		free(scope);
		free(ni.session);
	}
	if (ca && rc)
		unlink(tmp_path);
	knet_response_free(&r);
	knet_free(n);
	node_info_free(&old);
	if (rc)
		return rc;
	if (c->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "node", name);
		cJSON_AddStringToObject(j, "url", base);
		cJSON_AddStringToObject(j, "nodeKey", sess.node_key);
		cJSON_AddStringToObject(j, "tlsPin", tls_pin);
		cJSON_AddStringToObject(j, "fingerprint", fpr);
		if (ca)
			cJSON_AddStringToObject(j, "caFile", copy_path);
		cJSON_AddStringToObject(j, "nodeName", sess.name);
		cJSON_AddBoolToObject(j, "replaced", replace);
		cmd_print_json(c, j);
	} else if (c->verbosity >= 0) {
		struct kbuf nm = KBUF_INIT;
		text_sanitize(&nm, sess.name, strlen(sess.name), 0);
		text_fprintf(c->out,
		             "%s node %s: %s at %s\npinned node key %s\npinned TLS key %s "
		             "(certificate SHA-256 %s)\n",
		             replace ? "re-pinned" : "added", name, kbuf_str(&nm), base,
		             sess.node_key, tls_pin, fpr);
		if (ca)
			fprintf(c->out, "CA certificate copied to %s\n", copy_path);
		if (key_changed)
			fprintf(c->out, "its node key changed: everything is pulled again\n");
		kbuf_free(&nm);
	}
	/* Registers our profile there (queued above) right away; a handle taken there comes
	 * back with a suffix, which the person is told. */
	c->node = name;
	rc = cmd_push(c, e);
	c->node = NULL;
	if (rc == K_OK)
		cmd_learn_handle(c, name);
	return rc;
}

/* A scope as a person writes it: "market", "mine", or the categories joined by spaces
 * (each as stored; sanitized when printed). */
static void scope_words(const char *scope, char *buf, size_t cap)
{
	if (sync_scope_is_market(scope) || strcmp(scope, "mine") == 0) {
		snprintf(buf, cap, "%s", sync_scope_is_market(scope) ? "market" : "mine");
		return;
	}
	cJSON *cats = cJSON_Parse(scope), *x;
	struct kbuf b = KBUF_INIT;
	cJSON_ArrayForEach(x, cats) if (cJSON_IsString(x))
	    kbuf_printf(&b, "%s%s", b.len ? " " : "", x->valuestring);
	snprintf(buf, cap, "%s", b.len ? kbuf_str(&b) : "market");
	kbuf_free(&b);
	cJSON_Delete(cats);
}

static void print_scope(struct ctx *c, const char *name, const char *scope, const char *then)
{
	char words[200];
	scope_words(scope, words, sizeof words);
	if (c->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "node", name);
		cJSON_AddStringToObject(o, "scope", words);
		cmd_print_json(c, o);
	} else if (c->verbosity >= 0) {
		text_fprintf(c->out, "node %s: scope %s%s\n", name, words, then);
	}
}

/* node scope [NAME]: what its syncs pull now (NAME's, else the current node's). */
static int show_scope(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	char *name = NULL;
	struct node_info n;
	int rc = ctx_store(c, &s, e);
	if (rc == K_OK && a->npos == 1)
		name = xstrdup(a->pos[0]);
	else if (rc == K_OK)
		rc = cmd_node_name(c, &name, e);
	if (rc == K_OK && (rc = store_node_get(s, name, &n, e)) == K_OK) {
		print_scope(c, name, n.scope ? n.scope : "market", "");
		node_info_free(&n);
	}
	free(name);
	return rc;
}

/* node scope NAME mine|market|CATEGORY...: what its syncs pull from now on. */
static int run_node_scope(struct ctx *c, const struct args *a, struct kerr *e)
{
	if (a->npos < 2)
		return show_scope(c, a, e);
	const char *name = a->pos[0];
	char *scope = NULL;
	if (a->npos == 2 && (strcmp(a->pos[1], "mine") == 0 || strcmp(a->pos[1], "market") == 0)) {
		scope = xstrdup(a->pos[1]);
	} else {
		cJSON *cats = cJSON_CreateArray();
		for (int i = 1; i < a->npos; i++) {
			const char *cat = a->pos[i];
			if (strcmp(cat, "mine") == 0 || strcmp(cat, "market") == 0) {
				cJSON_Delete(cats);
				return kerr_set(e, K_EUSAGE,
				                "node scope: %s stands alone (not with categories)",
				                cat);
			}
			int ctl = 0;
			for (const char *q = cat; *q; q++)
				ctl |= (unsigned char)*q < 0x20 || *q == 0x7f;
			if (!*cat || strlen(cat) > 200 || ctl) {
				cJSON_Delete(cats);
				return kerr_set(
				    e, K_EUSAGE,
				    "node scope: '%.40s' is not a category (one line of "
				    "1-200 bytes)",
				    cat);
			}
			cJSON_AddItemToArray(cats, cJSON_CreateString(cat));
		}
		if (cJSON_GetArraySize(cats) > SCOPE_CATS_MAX) {
			cJSON_Delete(cats);
			return kerr_set(e, K_EUSAGE, "node scope: at most %d categories",
			                SCOPE_CATS_MAX);
		}
		scope = cJSON_PrintUnformatted(cats);
		cJSON_Delete(cats);
		if (!scope)
			abort();
	}
	struct store *s;
	int rc = ctx_store(c, &s, e);
	if (rc == K_OK)
		rc = store_node_set_scope(s, name, scope, e);
	if (rc == K_OK)
		print_scope(c, name, scope, "; the next sync pulls what it holds");
	free(scope);
	return rc;
}

struct node_list {
	struct ctx *c;
	char *current;
	struct kstrv rows; /* each row's cells, printed when all are read: mark, name, url,
	                    * last sync, scope, key */
};

static int list_node(void *vctx, const struct node_info *n)
{
	struct node_list *l = vctx;
	struct ctx *c = l->c;
	int cur = l->current && strcmp(l->current, n->name) == 0;
	if (c->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", n->name);
		cJSON_AddStringToObject(o, "url", n->url);
		cJSON_AddStringToObject(o, "nodeKey", n->node_key);
		if (n->tls_pin)
			cJSON_AddStringToObject(o, "tlsPin", n->tls_pin);
		if (n->ca_file)
			cJSON_AddStringToObject(o, "caFile", n->ca_file);
		cJSON_AddBoolToObject(o, "current", cur);
		if (n->last_sync)
			cJSON_AddStringToObject(o, "lastSync", n->last_sync);
		json_add_int(o, "bytesUp", n->bytes_up);
		json_add_int(o, "bytesDown", n->bytes_down);
		cJSON *cats = sync_scope_is_market(n->scope) || strcmp(n->scope, "mine") == 0
		                  ? NULL
		                  : cJSON_Parse(n->scope);
		if (cats)
			cJSON_AddItemToObject(o, "scope", cats);
		else
			cJSON_AddStringToObject(o, "scope",
			                        sync_scope_is_market(n->scope) ? "market" : "mine");
		cmd_print_json(c, o);
	} else {
		char when[KTIME_LOCAL_MAX], scope[200]; /* the local zone, named */
		scope_words(n->scope, scope, sizeof scope);
		kstrv_push(&l->rows, cur ? "*" : " ");
		kstrv_push(&l->rows, n->name);
		kstrv_push(&l->rows, n->url);
		kstrv_push(&l->rows, n->last_sync ? ktime_local(n->last_sync, when, sizeof when)
		                                  : "never synced");
		kstrv_push(&l->rows, scope);
		kstrv_push(&l->rows, n->node_key);
	}
	return 0;
}

/* The spaces that bring s to cols columns; none where it is as wide or wider. */
static int pad(const char *s, size_t cols)
{
	size_t w = text_width(s);
	return w < cols ? (int)(cols - w) : 0;
}

/* The rows: piped, in the columns they always had; on a terminal, the name and URL columns
 * as wide as their widest, and where a row is still too wide the key by its first 8
 * characters, cut with "…" (--json has it whole). */
static void print_nodes(struct ctx *c, const struct kstrv *rows)
{
	int width = cmd_table_width(c);
	size_t nw = 16, uw = 32;
	if (width > 0) {
		nw = uw = 0;
		for (size_t i = 0; i + 5 < rows->n; i += 6) {
			cmd_widen(&nw, rows->v[i + 1]);
			cmd_widen(&uw, rows->v[i + 2]);
		}
	}
	for (size_t i = 0; i + 5 < rows->n; i += 6) {
		struct kbuf b = KBUF_INIT;
		/* whole, then padded to the column: never cut */
		kbuf_printf(&b, "%s %s%*s %s%*s %-21s  %-8s  ", rows->v[i], rows->v[i + 1],
		            pad(rows->v[i + 1], nw), "", rows->v[i + 2], pad(rows->v[i + 2], uw),
		            "", rows->v[i + 3], rows->v[i + 4]);
		if (width > 0 &&
		    (int)(text_width(kbuf_str(&b)) + text_width(rows->v[i + 5])) > width)
			text_clip_mark(&b, rows->v[i + 5], 9, 0);
		else
			kbuf_puts(&b, rows->v[i + 5]);
		text_fprintf(c->out, "%s\n", kbuf_str(&b));
		kbuf_free(&b);
	}
}

static int run_node_list(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	int rc = ctx_store(c, &s, e);
	if (rc)
		return rc;
	struct node_list l = {c, NULL, {0}};
	store_meta_get(s, "node", &l.current, NULL);
	rc = store_node_each(s, list_node, &l, e);
	if (rc == K_OK)
		print_nodes(c, &l.rows);
	kstrv_free(&l.rows);
	if (rc == K_OK && !l.current && !c->json)
		cmd_note(c, "no node yet: `kontor node add NAME https://HOST:PORT`");
	free(l.current);
	return rc;
}

static int run_node_use(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	struct node_info n;
	int rc = ctx_store(c, &s, e);
	if (!rc)
		rc = store_node_get(s, a->pos[0], &n, e);
	if (rc)
		return rc;
	node_info_free(&n);
	rc = store_meta_set(s, "node", a->pos[0], e);
	if (rc == K_OK && c->verbosity >= 0 && !c->json)
		fprintf(c->out, "using node %s\n", a->pos[0]);
	return rc;
}

static int run_node_rm(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	int rc = ctx_store(c, &s, e);
	if (rc)
		return rc;
	char *cur = NULL;
	store_meta_get(s, "node", &cur, NULL);
	char copy[64], copy_path[4096];
	ca_copy_name(a->pos[0], "", copy, sizeof copy);
	ctx_path(c, copy, copy_path, sizeof copy_path);
	struct node_info ni = {0};
	int own_copy = name_ok(a->pos[0]) && store_node_get(s, a->pos[0], &ni, NULL) == K_OK &&
	               ni.ca_file && strcmp(ni.ca_file, copy_path) == 0;
	node_info_free(&ni);
	if ((rc = store_begin(s, e)) == K_OK) {
		rc = store_node_rm(s, a->pos[0], e);
		if (rc == K_OK && cur && strcmp(cur, a->pos[0]) == 0)
			rc = store_meta_set(s, "node", "", e);
		rc = rc ? (store_rollback(s), rc) : store_commit(s, e);
	}
	free(cur);
	if (rc == K_OK && own_copy)
		unlink(copy_path); /* the CA copied at node add goes with the node */
	if (rc == K_OK && c->verbosity >= 0 && !c->json)
		fprintf(c->out, "removed node %s (its queued actions are dropped)\n", a->pos[0]);
	return rc;
}

/* --- sync ------------------------------------------------------------------------ */

int cmd_stock_follow(struct ctx *c, struct store *s, const char *node, struct kstrv *said)
{
	struct kerr e = {0};
	if (!s || !c->have_key || stock_follow(s, c->self_id, &c->kp, node, said, NULL, &e) == K_OK)
		return said->n > 0;
	cmd_note(c, "your listings' stock was not brought up to date: %s", e.msg);
	return 0;
}

#define NEWS_SHOWN 5 /* new inbox items a sync shows; `kontor inbox` has them all */

/* The sync's result: its object and sentence (and with -v its lines) for the front end,
 * and under the sentence each listing whose stock its orders moved, then news: the inbox
 * items it brought. */
static void stats_result(struct ctx *c, const char *node, const struct sync_stats *st,
                         const struct kstrv *stock, const struct inbox *news, int rc)
{
	if (c->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "node", node);
		json_add_int(o, "pushed", st->pushed);
		json_add_int(o, "refused", st->refused);
		json_add_int(o, "queued", st->waiting);
		json_add_int(o, "held", st->held);
		cJSON *got = cJSON_AddObjectToObject(o, "pulled");
		cJSON *gone = cJSON_AddObjectToObject(o, "destroyed");
		for (int t = 0; t < SYNC_NTYPES; t++) {
			json_add_int(got, sync_types[t], st->got[t]);
			json_add_int(gone, sync_types[t], st->gone[t]);
		}
		json_add_int(o, "badSignatures", st->bad_sig);
		json_add_int(o, "malformed", st->malformed);
		cJSON *sk = cJSON_AddArrayToObject(o, "skipped");
		for (int i = 0; i < st->nskipped; i++)
			cJSON_AddItemToArray(sk, cJSON_CreateString(st->skipped[i]));
		json_add_int(o, "resyncs", st->resyncs);
		json_add_int(o, "requests", st->requests);
		json_add_int(o, "bytesUp", (int64_t)st->bytes_up);
		json_add_int(o, "bytesDown", (int64_t)st->bytes_down);
		cJSON_AddBoolToObject(o, "complete", rc == K_OK);
		cJSON *sa = cJSON_AddArrayToObject(o, "stock");
		for (size_t i = 0; i < stock->n; i++)
			cJSON_AddItemToArray(sa, cJSON_CreateString(stock->v[i]));
		cJSON *na = cJSON_AddArrayToObject(o, "news"); /* what came into the inbox */
		for (size_t i = 0; i < news->n; i++) {
			cJSON *it = cJSON_CreateObject();
			cJSON_AddStringToObject(it, "kind", inbox_kind_name(news->v[i].kind));
			cJSON_AddStringToObject(it, "id", news->v[i].id);
			cJSON_AddStringToObject(it, "text", news->v[i].text);
			cJSON_AddStringToObject(it, "command", news->v[i].cmd);
			cJSON_AddItemToArray(na, it);
		}
		cmd_result_json(c, o);
	}
	int64_t got = 0;
	for (int t = 0; t < SYNC_NTYPES; t++)
		got += st->got[t] + st->gone[t];
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "sync %s: pushed %lld, pulled %lld change%s", node, (long long)st->pushed,
	            (long long)got, got == 1 ? "" : "s");
	if (st->refused)
		kbuf_printf(&b, ", %lld refused", (long long)st->refused);
	if (st->waiting)
		kbuf_printf(&b, ", %lld still queued", (long long)st->waiting);
	if (st->bad_sig + st->malformed)
		kbuf_printf(&b, ", %lld skipped%s", (long long)(st->bad_sig + st->malformed),
		            c->verbosity > 0 ? "" : " (-v names them)");
	cmd_result_set(c, "Node", node,
	               rc != K_OK                ? "incomplete"
	               : st->refused || st->held ? "refused"
	               : st->waiting             ? "queued"
	                                         : "synced",
	               "%s", kbuf_str(&b));
	kbuf_free(&b);
	for (size_t i = 0; i < stock->n; i++)
		cmd_result_more(c, "%s", stock->v[i]);
	/* What it brought that waits for her, as `kontor inbox` says it, so that a sync by hand
	 * needs no second command to learn that money came or an order waits. */
	for (size_t i = 0; i < news->n && i < NEWS_SHOWN; i++) {
		struct kbuf line = KBUF_INIT;
		cmd_inbox_item(c, &line, &news->v[i], NULL);
		cmd_result_more(c, "%s", kbuf_str(&line));
		kbuf_free(&line);
	}
	if (news->n > NEWS_SHOWN)
		cmd_result_more(c, "and %zu more new: `kontor inbox`", news->n - NEWS_SHOWN);
	if (c->verbosity > 0) {
		for (int t = 0; t < SYNC_NTYPES; t++)
			if (st->got[t] || st->gone[t])
				cmd_result_more(c, "  %-13s %lld new or changed, %lld gone",
				                sync_types[t], (long long)st->got[t],
				                (long long)st->gone[t]);
		if (st->bad_sig)
			cmd_result_more(c,
			                "  dropped %lld object%s whose signature does not verify",
			                (long long)st->bad_sig, st->bad_sig == 1 ? "" : "s");
		if (st->malformed)
			cmd_result_more(c, "  skipped %lld malformed object%s",
			                (long long)st->malformed, st->malformed == 1 ? "" : "s");
		/* Ids and reasons come from the node: printable ASCII only (text_shown). */
		for (int i = 0; i < st->nskipped; i++)
			cmd_result_more(c, "    %s", st->skipped[i]);
		if (st->bad_sig + st->malformed > st->nskipped)
			cmd_result_more(c, "    and %lld more",
			                (long long)(st->bad_sig + st->malformed - st->nskipped));
		if (st->resyncs)
			cmd_result_more(
			    c, "  fetched %lld type%s whole (past the node's change horizon)",
			    (long long)st->resyncs, st->resyncs == 1 ? "" : "s");
		cmd_result_more(c, "  %lld request%s, %llu bytes up, %llu bytes down",
		                (long long)st->requests, st->requests == 1 ? "" : "s",
		                (unsigned long long)st->bytes_up,
		                (unsigned long long)st->bytes_down);
	}
}

static int run_sync(struct ctx *c, const struct args *a, struct kerr *e)
{
	int pull = !arg_has(a, "push-only"), push = !arg_has(a, "pull-only");
	if (!pull && !push)
		return kerr_set(e, K_EUSAGE,
		                "sync: --pull-only and --push-only exclude each other");
	long secs = 0;
	const char *tv = arg_get(a, "timeout");
	if (tv) {
		char *end;
		errno = 0;
		secs = strtol(tv, &end, 10);
		if (errno || !*tv || *end || secs < 1 || secs > KSYNC_TIMEOUT_MAX)
			return kerr_set(e, K_EUSAGE,
			                "sync: --timeout %.20s: whole seconds from 1 to %d", tv,
			                KSYNC_TIMEOUT_MAX);
	}
	struct ksync *k = NULL;
	int rc = cmd_sync_open(c, &k, e);
	if (rc)
		return rc;
	if (secs)
		ksync_set_timeout(k, secs);
	char *node = NULL;
	cmd_node_name(c, &node, NULL);
	/* The notify-command runs once after it when the sync brought news (notify.h). */
	struct notify_conf nc;
	struct notify_watch nw;
	struct store *s = NULL;
	ctx_store(c, &s, NULL);
	struct kerr ne = {0};
	if (notify_conf_load(&nc, &ne) != K_OK) {
		cmd_note(c, "%s; the notify-command is off for this sync", ne.msg);
		notify_conf_init(&nc);
	}
	notify_watch_begin(&nw, &nc, s, node, c->self_id, c->json || c->verbosity >= 0);
	struct sync_stats st = {0};
	struct progress pr;
	progress_begin(&pr, c->err, c->verbosity < 0, "sync");
	ksync_set_progress(k, &pr);
	if (push)
		rc = ksync_push(k, &st, e);
	if (rc == K_OK && pull)
		rc = ksync_pull(k, &st, e);
	/* Her stock follows the orders the pull brought; the new versions go up in this sync. */
	struct kstrv stock = {0};
	if (rc == K_OK && pull && cmd_stock_follow(c, s, node, &stock) && push)
		rc = ksync_push(k, &st, e);
	struct kerr fe = {0};
	int frc = ksync_finish(k, &st, &fe);
	ksync_close(&k);
	int64_t pulled = 0;
	for (int t = 0; t < SYNC_NTYPES; t++)
		pulled += st.got[t] + st.gone[t];
	/* The final line of a long pull (more than one page, or drawn live). */
	if (pr.drawn || st.pages > 1) {
		char n[32], b[32], r[32];
		int64_t ms = progress_elapsed_ms(&pr);
		progress_end(
		    &pr, "sync: pulled %s object%s, %s down in %.1f s (%s/s)%s",
		    progress_count(pulled, n, sizeof n), pulled == 1 ? "" : "s",
		    progress_bytes(st.bytes_down, b, sizeof b), ms / 1000.0,
		    progress_bytes(ms > 0 ? st.bytes_down * 1000 / (uint64_t)ms : 0, r, sizeof r),
		    rc == K_OK ? "" : "; incomplete");
	} else {
		progress_end(&pr, NULL);
	}
	struct notify_result nr;
	struct inbox news;
	notify_watch_end(&nw, &nc, s, node, c->self_id, &c->kp, &news);
	stats_result(c, node ? node : "?", &st, &stock, &news, rc);
	kstrv_free(&stock);
	int ran = notify_news_run(&nc, &news, c->home, 0, &nr);
	inbox_free(&news);
	if (ran && notify_result_failed(&nr)) {
		char words[256];
		notify_result_words(&nr, words, sizeof words);
		cmd_note(c, "notify-command %s (see %s/notify.log); the sync is done", words,
		         c->home);
	}
	free(node);
	if (rc == K_ENET && pulled) {
		/* A pull cut off mid-way: what came is kept, and the next sync resumes there. */
		char why[sizeof e->msg], n[32], of[48] = "", queued[64] = "";
		snprintf(why, sizeof why, "%s", e->msg);
		int listings = st.got[T_LISTING_IX] > 0;
		if (listings && st.total[T_LISTING_IX] > 0) {
			char t[32];
			snprintf(of, sizeof of, " of %s",
			         progress_count(st.total[T_LISTING_IX], t, sizeof t));
		}
		if (st.waiting)
			snprintf(queued, sizeof queued, "; %lld action%s still queued",
			         (long long)st.waiting, st.waiting == 1 ? "" : "s");
		return kerr_set(
		    e, K_EQUEUED, "pulled %s%s %s; the link failed; `kontor sync` resumes%s (%s)",
		    progress_count(listings ? st.got[T_LISTING_IX] : pulled, n, sizeof n), of,
		    listings ? "listings" : "objects", queued, why);
	}
	if (rc == K_ENET) {
		char why[sizeof e->msg];
		snprintf(why, sizeof why, "%s", e->msg);
		if (!st.waiting) /* nothing of hers waits: the cache is as the last sync left it */
			return kerr_set(e, K_EQUEUED, "%s; nothing is queued", why);
		return kerr_set(e, K_EQUEUED, "%s; %lld action%s still queued", why,
		                (long long)st.waiting, st.waiting == 1 ? "" : "s");
	}
	if (rc)
		return rc;
	if (frc)
		return kerr_set(e, frc, "%s", fe.msg);
	if (st.refused)
		return kerr_set(e, K_EPARTIAL, "the node refused %lld action%s; first: %s",
		                (long long)st.refused, st.refused == 1 ? "" : "s",
		                st.first_refusal);
	if (st.held)
		return kerr_set(e, K_EPARTIAL,
		                "%lld refused action%s wait in the outbox (`kontor outbox list`, "
		                "then `outbox retry` or `outbox drop`)",
		                (long long)st.held, st.held == 1 ? "" : "s");
	return K_OK;
}

const struct cmd_entry cmd_sync_entries[] = {
    {"node add", "NAME URL [--ca-file PEM] [--replace]", "add a node and pin its keys",
     "ca-file= replace", 2, 2, run_node_add,
     "Fetches the node's session over HTTPS (verified against the system's CAs, or the CA\n"
     "in --ca-file, which is copied into the kontor home), pins the node key it names and\n"
     "the TLS key it came over, and registers your profile there. A later connection with\n"
     "another TLS key is refused before anything is sent (exit 5). --replace pins the keys\n"
     "of a node added before again (after its operator confirmed a change), keeping what is\n"
     "queued for it. The first node added becomes the current one."},
    {"node list", "", "list the nodes (* marks the current one)", "", 0, 0, run_node_list, NULL},
    {"node use", "NAME", "make NAME the current node", "", 1, 1, run_node_use, NULL},
    {"node scope", "[NAME [mine|market|CATEGORY...]]", "choose what a sync pulls from a node", "",
     0, 1 + SCOPE_CATS_MAX, run_node_scope,
     "Without a scope it says the one NAME has (without NAME, the current node's).\n"
     "mine pulls only what concerns you: your listings, conversations, messages, contracts,\n"
     "orders and wallet, the RFQs you posted or that match your listings' categories, and\n"
     "the accounts you deal with. market pulls every listing's summary (the default; a\n"
     "buyer's). CATEGORY... pulls the summaries of those categories only (and every RFQ).\n"
     "The node does the filtering. The next sync pulls what the new scope holds; search in a\n"
     "scope without the market says so and offers --remote."},
    {"node rm", "NAME", "forget a node and drop what is queued for it", "", 1, 1, run_node_rm,
     NULL},
    {"sync", "[--pull-only|--push-only] [--timeout SECONDS]", "push the outbox, pull what changed",
     "pull-only push-only timeout=", 0, 0, run_sync,
     "Pushes queued actions in batches and pulls every change since the last sync in one\n"
     "request per page. -v shows what changed, the objects skipped and the bytes used;\n"
     "--json gives one object. Exit 4 when the node cannot be reached or the sync runs past\n"
     "--timeout (default $KONTOR_SYNC_TIMEOUT, else 300 s); nothing is lost: the next sync\n"
     "resumes. Exit 1 when the node keeps saying it has more past what its own total needs.\n"
     "What it brought that waits for you (an item of `kontor inbox`: money, an RFQ, an\n"
     "offer, an order to ship) follows its line, with the command that acts on it, five\n"
     "at most; and the config's notify-command runs once with a one-line summary\n"
     "(KONTOR_NOTIFY_COMMAND overrides)."},
    {NULL, NULL, NULL, NULL, 0, 0, NULL, NULL},
};
