/* sync — the nodes this client knows (`node add|list|use|rm`), `sync`, and the push that
 * follows every write command: commit locally first, then deliver at once when the node is
 * reachable, else leave it queued for the next sync (exit 4). */
#include "cmd.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../net/http.h"
#include "../net/sync.h"
#include "../store/store.h"
#include "kontor/json.h"
#include "kontor/model.h"
#include "kontor/text.h"

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

static int open_node(struct ctx *c, unsigned flags, struct ksync **out, struct kerr *e)
{
	struct store *s;
	char *node = NULL;
	int rc = ctx_store(c, &s, e);
	if (!rc)
		rc = cmd_node_name(c, &node, e);
	if (!rc)
		rc = ctx_identity(c, e);
	if (!rc)
		rc = ksync_open(s, node, c->self_id, &c->kp, flags, out, e);
	free(node);
	return rc;
}

int cmd_sync_open(struct ctx *c, struct ksync **out, struct kerr *e)
{
	return open_node(c, 0, out, e);
}

int cmd_fetch_listing(struct ctx *c, const char *id, struct kerr *e)
{
	struct store *s;
	char *node = NULL;
	struct ksync *k = NULL;
	int rc = ctx_store(c, &s, e);
	if (!rc)
		rc = cmd_node_name(c, &node, e);
	if (!rc && !(rc = ctx_self(c, e)))
		rc = ksync_open(s, node, c->self_id, NULL, KSYNC_QUICK, &k, e); /* public */
	if (!rc)
		rc = ksync_fetch_listing(k, id, e);
	ksync_close(&k);
	free(node);
	return rc;
}

int cmd_push(struct ctx *c, struct kerr *e)
{
	if (c->in_batch)
		return kerr_set(e, K_EQUEUED, "queued; the batch pushes at its end");
	struct ksync *k = NULL;
	struct sync_stats st = {0};
	int rc = open_node(c, KSYNC_QUICK, &k, e);
	if (rc == K_ENOTFOUND)
		return kerr_set(
		    e, K_EQUEUED,
		    "queued in the outbox; no node yet: `kontor node add NAME URL`, then "
		    "`kontor sync`");
	if (rc)
		return rc;
	rc = ksync_push(k, &st, e);
	struct kerr fe = {0};
	ksync_finish(k, &st, &fe);
	ksync_close(&k);
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

static int run_node_add(struct ctx *c, const struct args *a, struct kerr *e)
{
	const char *name = a->pos[0], *url = a->pos[1], *ca = arg_get(a, "ca-file");
	if (!name_ok(name))
		return kerr_set(e, K_EUSAGE,
		                "node add: '%s' is not a node name (1-32 of a-z 0-9 - _ .)", name);
	if (strncmp(url, "https://", 8) != 0)
		return kerr_set(e, K_EUSAGE, "node add: %s: a node is reached over https:// only",
		                url);
	int rc = ctx_identity(c, e);
	struct store *s;
	if (!rc)
		rc = ctx_store(c, &s, e);
	if (rc)
		return rc;
	char *ca_abs = NULL;
	if (ca && !(ca_abs = realpath(ca, NULL)))
		return kerr_set(e, K_EIO, "node add: --ca-file %s: cannot read it", ca);
	struct node_info probe = {0};
	if (store_node_get(s, name, &probe, NULL) == K_OK) {
		node_info_free(&probe);
		free(ca_abs);
		return kerr_set(e, K_EEXIST, "node add: a node named '%s' exists already", name);
	}
	/* First contact: the session names the node key, which is pinned from now on. */
	struct knet_opts o = {0};
	char base[1024];
	snprintf(base, sizeof base, "%s", url);
	size_t bl = strlen(base);
	while (bl > 8 && base[bl - 1] == '/')
		base[--bl] = '\0';
	o.base_url = base;
	o.ca_file = ca_abs;
	o.max_attempts = 2;
	struct knet *n = NULL;
	struct knet_response r;
	knet_response_init(&r);
	struct knet_session sess;
	if ((rc = knet_new(&o, &n, e)) == K_OK)
		rc = knet_request(n, "GET", "/.well-known/kontor", NULL, NULL, 0, 0, &r, e);
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
	if (rc == K_OK) {
		struct node_info ni = {0};
		ni.name = (char *)name;
		ni.url = base;
		ni.ca_file = ca_abs;
		ni.node_key = sess.node_key;
		ni.session = xstrndup(r.body.data, r.body.len);
		model_now(ni.added);
		char *cur = NULL;
		if ((rc = store_begin(s, e)) == K_OK) {
			rc = store_node_add(s, &ni, e);
			/* `init` queued the profile for whichever node comes first; a further
			 * node gets its own registration. */
			int first = store_meta_get(s, "node", &cur, NULL) != K_OK || !cur || !*cur;
			if (rc == K_OK && first)
				rc = store_meta_set(s, "node", name, e);
			else if (rc == K_OK)
				rc = queue_profile(c, s, name, e);
			rc = rc ? (store_rollback(s), rc) : store_commit(s, e);
		}
		free(cur);
		free(ni.session);
	}
	knet_response_free(&r);
	knet_free(n);
	free(ca_abs);
	if (rc)
		return rc;
	if (c->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "node", name);
		cJSON_AddStringToObject(j, "url", base);
		cJSON_AddStringToObject(j, "nodeKey", sess.node_key);
		cJSON_AddStringToObject(j, "nodeName", sess.name);
		cmd_print_json(c, j);
	} else if (c->verbosity >= 0) {
		struct kbuf nm = KBUF_INIT;
		text_sanitize(&nm, sess.name, strlen(sess.name), 0);
		fprintf(c->out, "added node %s: %s at %s\npinned node key %s\n", name,
		        kbuf_str(&nm), base, sess.node_key);
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

struct node_list {
	struct ctx *c;
	char *current;
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
		if (n->ca_file)
			cJSON_AddStringToObject(o, "caFile", n->ca_file);
		cJSON_AddBoolToObject(o, "current", cur);
		if (n->last_sync)
			cJSON_AddStringToObject(o, "lastSync", n->last_sync);
		json_add_int(o, "bytesUp", n->bytes_up);
		json_add_int(o, "bytesDown", n->bytes_down);
		cmd_print_json(c, o);
	} else {
		text_fprintf(c->out, "%s %-16s %-32s %s  %s\n", cur ? "*" : " ", n->name, n->url,
		             n->last_sync ? n->last_sync : "never synced        ", n->node_key);
	}
	return 0;
}

static int run_node_list(struct ctx *c, const struct args *a, struct kerr *e)
{
	struct store *s;
	int rc = ctx_store(c, &s, e);
	if (rc)
		return rc;
	struct node_list l = {c, NULL};
	store_meta_get(s, "node", &l.current, NULL);
	rc = store_node_each(s, list_node, &l, e);
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
	if ((rc = store_begin(s, e)) == K_OK) {
		rc = store_node_rm(s, a->pos[0], e);
		if (rc == K_OK && cur && strcmp(cur, a->pos[0]) == 0)
			rc = store_meta_set(s, "node", "", e);
		rc = rc ? (store_rollback(s), rc) : store_commit(s, e);
	}
	free(cur);
	if (rc == K_OK && c->verbosity >= 0 && !c->json)
		fprintf(c->out, "removed node %s (its queued actions are dropped)\n", a->pos[0]);
	return rc;
}

/* --- sync ------------------------------------------------------------------------ */

static void print_stats(struct ctx *c, const char *node, const struct sync_stats *st, int rc)
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
		json_add_int(o, "resyncs", st->resyncs);
		json_add_int(o, "requests", st->requests);
		json_add_int(o, "bytesUp", (int64_t)st->bytes_up);
		json_add_int(o, "bytesDown", (int64_t)st->bytes_down);
		cJSON_AddBoolToObject(o, "complete", rc == K_OK);
		cmd_print_json(c, o);
		return;
	}
	if (c->verbosity < 0)
		return;
	int64_t got = 0;
	for (int t = 0; t < SYNC_NTYPES; t++)
		got += st->got[t] + st->gone[t];
	fprintf(c->out, "sync %s: pushed %lld, pulled %lld change%s", node, (long long)st->pushed,
	        (long long)got, got == 1 ? "" : "s");
	if (st->refused)
		fprintf(c->out, ", %lld refused", (long long)st->refused);
	if (st->waiting)
		fprintf(c->out, ", %lld still queued", (long long)st->waiting);
	fputc('\n', c->out);
	if (c->verbosity > 0) {
		for (int t = 0; t < SYNC_NTYPES; t++)
			if (st->got[t] || st->gone[t])
				fprintf(c->out, "  %-13s %lld new or changed, %lld gone\n",
				        sync_types[t], (long long)st->got[t],
				        (long long)st->gone[t]);
		if (st->bad_sig)
			fprintf(c->out, "  dropped %lld object%s whose signature does not verify\n",
			        (long long)st->bad_sig, st->bad_sig == 1 ? "" : "s");
		if (st->resyncs)
			fprintf(c->out,
			        "  fetched %lld type%s whole (past the node's change horizon)\n",
			        (long long)st->resyncs, st->resyncs == 1 ? "" : "s");
		fprintf(c->out, "  %lld request%s, %llu bytes up, %llu bytes down\n",
		        (long long)st->requests, st->requests == 1 ? "" : "s",
		        (unsigned long long)st->bytes_up, (unsigned long long)st->bytes_down);
	}
}

static int run_sync(struct ctx *c, const struct args *a, struct kerr *e)
{
	int pull = !arg_has(a, "push-only"), push = !arg_has(a, "pull-only");
	if (!pull && !push)
		return kerr_set(e, K_EUSAGE,
		                "sync: --pull-only and --push-only exclude each other");
	struct ksync *k = NULL;
	int rc = cmd_sync_open(c, &k, e);
	if (rc)
		return rc;
	char *node = NULL;
	cmd_node_name(c, &node, NULL);
	struct sync_stats st = {0};
	if (push)
		rc = ksync_push(k, &st, e);
	if (rc == K_OK && pull)
		rc = ksync_pull(k, &st, e);
	struct kerr fe = {0};
	int frc = ksync_finish(k, &st, &fe);
	ksync_close(&k);
	print_stats(c, node ? node : "?", &st, rc);
	free(node);
	if (rc == K_ENET) {
		char why[sizeof e->msg];
		snprintf(why, sizeof why, "%s", e->msg);
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
    {"node add", "NAME URL [--ca-file PEM]", "add a node and pin its key", "ca-file=", 2, 2,
     run_node_add,
     "Fetches the node's session over HTTPS (verified against the system's CAs, or the CA\n"
     "in --ca-file), pins the node key it names, and registers your profile there. A later\n"
     "answer from a different key is refused. The first node added becomes the current one."},
    {"node list", "", "list the nodes (* marks the current one)", "", 0, 0, run_node_list, NULL},
    {"node use", "NAME", "make NAME the current node", "", 1, 1, run_node_use, NULL},
    {"node rm", "NAME", "forget a node and drop what is queued for it", "", 1, 1, run_node_rm,
     NULL},
    {"sync", "[--pull-only|--push-only]", "push the outbox, pull what changed",
     "pull-only push-only", 0, 0, run_sync,
     "Pushes queued actions in batches and pulls every change since the last sync in one\n"
     "request per page. -v shows what changed and the bytes used; --json gives one object.\n"
     "Exit 4 when the node cannot be reached (nothing is lost: the next sync resumes)."},
    {NULL, NULL, NULL, NULL, 0, 0, NULL, NULL},
};
