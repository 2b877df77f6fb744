/* node — the node's own state: its database and key (made by `kontord init`, opened by every
 * other command), its published limits, and the state-change broadcast /events waits on. */
#include "node.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kontor/model.h"
#include "store/nstore.h"

void node_limits_default(struct node_limits *l)
{
	l->max_size_request = 4u << 20;
	l->max_calls_in_request = 64;
	l->max_objects_in_get = 500;
	l->max_objects_in_set = 500;
	l->max_query_limit = 500;
	l->max_upload = 10u << 20;
	l->max_connections = 1024;
	l->rate_account_per_min = 600;
	l->rate_addr_per_min = 3000;
	l->max_changes = 5000;
}

/* DB ".key": beside the database, so one --db names everything a node is. */
static char *key_path(const char *db_path)
{
	struct kbuf b = KBUF_INIT;
	kbuf_printf(&b, "%s.key", db_path);
	return kbuf_detach(&b, NULL);
}

static int path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 || errno != ENOENT;
}

/* A node name travels in the session object and in logs: one short line of text. */
static int check_name(const char *name, struct kerr *e)
{
	size_t n = strlen(name);
	if (n == 0 || n >= sizeof((struct node *)0)->name)
		return kerr_set(e, K_EINVAL, "node name must be 1 to %zu bytes (got %zu)",
		                sizeof((struct node *)0)->name - 1, n);
	if (!utf8_valid(name, n))
		return kerr_set(e, K_EINVAL, "node name is not valid UTF-8");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f)
			return kerr_set(e, K_EINVAL,
			                "node name must not contain control characters");
	}
	return K_OK;
}

/* Puts the database path in front of a store message that does not name it already. */
static void name_db(struct kerr *e, const char *db_path)
{
	if (e && !strstr(e->msg, db_path))
		kerr_prefix(e, "%s", db_path);
}

/* Removes what a failed init made, so the next init is not refused by the leftovers. */
static void init_undo(const char *db_path, const char *kpath, int made_key)
{
	static const char *const side[] = {"", "-wal", "-shm", "-journal"};
	struct kbuf b = KBUF_INIT;
	for (size_t i = 0; i < sizeof side / sizeof side[0]; i++) {
		kbuf_reset(&b);
		kbuf_printf(&b, "%s%s", db_path, side[i]);
		unlink(kbuf_str(&b));
	}
	kbuf_free(&b);
	if (made_key)
		unlink(kpath);
}

int node_init(const char *db_path, const char *name, struct kerr *e)
{
	int rc = check_name(name, e);
	if (rc != K_OK)
		return rc;
	char *kpath = key_path(db_path);
	if (path_exists(db_path)) {
		rc = kerr_set(e, K_EEXIST,
		              "%s already exists; kontord init never overwrites a node", db_path);
		goto out;
	}
	if (path_exists(kpath)) {
		rc = kerr_set(e, K_EEXIST,
		              "%s already exists (a node key without its database?); move it away "
		              "or give another --db",
		              kpath);
		goto out;
	}
	struct nstore *s = NULL;
	rc = nstore_open(db_path, 1, &s, e);
	if (rc != K_OK) {
		name_db(e, db_path);
		init_undo(db_path, kpath, 0);
		goto out;
	}
	rc = nstore_meta_set(s, "name", name, e);
	nstore_close(&s);
	if (rc != K_OK) {
		name_db(e, db_path);
		init_undo(db_path, kpath, 0);
		goto out;
	}
	struct kkeypair kp;
	kcrypto_keypair_new(&kp);
	/* Unencrypted: a server restarting at 3 a.m. cannot type a passphrase; mode 0600 and
	 * the operator's file permissions are its protection. */
	rc = kcrypto_identity_save(kpath, &kp, NULL, e);
	kcrypto_keypair_wipe(&kp);
	if (rc != K_OK)
		init_undo(db_path, kpath, 1);
out:
	free(kpath);
	return rc;
}

int node_open(const char *db_path, struct node **out, struct kerr *e)
{
	*out = NULL;
	struct node *n = xcalloc(1, sizeof *n);
	n->db_path = xstrdup(db_path);
	node_limits_default(&n->limits);
	pthread_mutex_init(&n->ev_lock, NULL);
	pthread_cond_init(&n->ev_cond, NULL);

	char *kpath = key_path(db_path);
	int rc;
	if (!path_exists(db_path)) {
		rc = kerr_set(e, K_ENOTFOUND,
		              "%s: no such node database: run `kontord init --db %s` first",
		              db_path, db_path);
		goto fail;
	}
	rc = nstore_open(db_path, 0, &n->store, e);
	if (rc == K_ENOTFOUND) {
		rc = kerr_set(e, K_ENOTFOUND,
		              "%s: no such node database: run `kontord init --db %s` first",
		              db_path, db_path);
		goto fail;
	}
	if (rc != K_OK) {
		name_db(e, db_path);
		goto fail;
	}
	rc = kcrypto_identity_load(kpath, NULL, &n->key, e);
	if (rc == K_ENOTFOUND) {
		rc = kerr_set(e, K_ENOTFOUND,
		              "%s: the node key is missing; restore it from your backup (a new key "
		              "would break every client that pinned this node)",
		              kpath);
		goto fail;
	}
	if (rc == K_EPASS) {
		rc = kerr_set(e, K_EPASS,
		              "%s is passphrase-protected; a node key must be stored unencrypted",
		              kpath);
		goto fail;
	}
	if (rc != K_OK)
		goto fail;
	kcrypto_account_id(n->key.pk, n->key_id);

	char *name = NULL;
	rc = nstore_meta_get(n->store, "name", &name, e);
	if (rc == K_OK && name)
		snprintf(n->name, sizeof n->name, "%s", name);
	else if (rc == K_ENOTFOUND || (rc == K_OK && !name))
		snprintf(n->name, sizeof n->name, "kontord");
	else {
		name_db(e, db_path);
		free(name);
		goto fail;
	}
	free(name);
	rc = K_OK;
	free(kpath);
	*out = n;
	return K_OK;
fail:
	free(kpath);
	node_close(&n);
	return rc;
}

void node_close(struct node **np)
{
	struct node *n = *np;
	if (!n)
		return;
	nstore_close(&n->store);
	kcrypto_keypair_wipe(&n->key);
	pthread_cond_destroy(&n->ev_cond);
	pthread_mutex_destroy(&n->ev_lock);
	free(n->db_path);
	free(n);
	*np = NULL;
}

/* What the database holds now, as two numbers that only grow: the highest state of any
 * object type and the ledger's. Read on the calling thread's connection. */
static int node_fingerprint(struct node *n, int64_t fp[2])
{
	struct kerr e = {0, ""};
	int64_t v = 0;
	fp[0] = fp[1] = 0;
	for (int t = 0; t < NT__COUNT; t++)
		if (nstore_state(n->store, (enum ntype)t, &v, &e) == K_OK && v > fp[0])
			fp[0] = v;
	return nledger_state(n->store, NULL, &fp[1], &e);
}

/* Wakes the streams and records what they will be told about: everything committed up to
 * now (this process's write and whatever another committed before it). */
static void notify_covering(struct node *n, const int64_t fp[2])
{
	pthread_mutex_lock(&n->ev_lock);
	for (int i = 0; i < 2; i++)
		if (fp && fp[i] > n->covered_fp[i])
			n->covered_fp[i] = fp[i];
	n->ev_seq++;
	pthread_cond_broadcast(&n->ev_cond);
	pthread_mutex_unlock(&n->ev_lock);
}

void node_notify(struct node *n)
{
	int64_t fp[2];
	notify_covering(n, node_fingerprint(n, fp) == K_OK ? fp : NULL);
}

void node_watch_outside(struct node *n)
{
	/* Every write moves a type's state or the ledger's. A notify of this process covers
	 * what was committed before it; anything past what the notifies covered came from
	 * elsewhere (an outside commit can land after this process's last notify in the same
	 * second, so "this process notified meanwhile" is not enough). */
	int64_t fp[2];
	if (node_fingerprint(n, fp) != K_OK)
		return;
	pthread_mutex_lock(&n->ev_lock);
	int first = !n->watch_on, moved = fp[0] > n->covered_fp[0] || fp[1] > n->covered_fp[1];
	n->watch_on = 1;
	if (first) { /* a first look only learns the states */
		n->covered_fp[0] = fp[0] > n->covered_fp[0] ? fp[0] : n->covered_fp[0];
		n->covered_fp[1] = fp[1] > n->covered_fp[1] ? fp[1] : n->covered_fp[1];
	}
	pthread_mutex_unlock(&n->ev_lock);
	if (moved && !first)
		notify_covering(n, fp);
}
