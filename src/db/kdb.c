/* kdb — one SQLite connection with its statements, migrations, brackets and meta. */
#include "db/kdb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kontor/buf.h"

enum { META_GET, META_SET };
static const char *const meta_sql[2] = {
    [META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [META_SET] = "INSERT INTO meta(key, value) VALUES(?1, ?2)"
                 " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
};

int kdb_err(struct kdb *k, struct kerr *e, const char *what)
{
	return kerr_set(e, K_EDB, "%s: %s: %s", k && k->path ? k->path : "database", what,
	                k && k->db ? sqlite3_errmsg(k->db) : "no connection");
}

int kdb_exec(struct kdb *k, const char *sql, const char *what, struct kerr *e)
{
	char *msg = NULL;
	if (sqlite3_exec(k->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return K_OK;
	kerr_set(e, K_EDB, "%s: %s: %s", k->path, what, msg ? msg : sqlite3_errmsg(k->db));
	sqlite3_free(msg);
	return K_EDB;
}

/* The database and its WAL and SHM are the owner's alone (private messages, keys' uses):
 * the file is made 0600 before SQLite sees it, and SQLite gives its WAL and SHM the mode of
 * the file. Files an older kontor made with the umask's mode are narrowed too. Only by path:
 * closing a descriptor of a database would drop the locks every connection of this process
 * holds on it (POSIX), so an existing file is never opened here. */
static int private_files(const char *path, int create, struct kerr *e)
{
	struct stat sb;
	if (stat(path, &sb) != 0) {
		if (errno != ENOENT)
			return kerr_set(e, K_EDB, "%s: cannot open: %s", path, strerror(errno));
		if (!create)
			return kerr_set(e, K_ENOTFOUND, "%s: no such database", path);
		/* New: no connection can hold it yet. */
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return kerr_set(e, K_EDB, "%s: cannot create: %s", path, strerror(errno));
		int bad = fd >= 0 && fchmod(fd, 0600) != 0;
		if (fd >= 0)
			close(fd);
		if (bad)
			return kerr_set(e, K_EIO, "%s: cannot make it private (0600): %s", path,
			                strerror(errno));
	}
	static const char *const sides[] = {"", "-wal", "-shm"};
	int rc = K_OK;
	for (size_t i = 0; rc == K_OK && i < 3; i++) {
		struct kbuf p = KBUF_INIT;
		kbuf_printf(&p, "%s%s", path, sides[i]);
		if (stat(kbuf_str(&p), &sb) == 0 && (sb.st_mode & 0777) != 0600 &&
		    chmod(kbuf_str(&p), 0600) != 0)
			rc = kerr_set(e, K_EIO, "%s: cannot make it private (0600): %s",
			              kbuf_str(&p), strerror(errno));
		kbuf_free(&p);
	}
	return rc;
}

int kdb_open(struct kdb *k, const char *path, const struct kdb_opts *o, struct kerr *e)
{
	memset(k, 0, sizeof *k);
	k->path = xstrdup(path);
	k->o = *o;
	k->st = xcalloc(o->nsql > 0 ? (size_t)o->nsql : 1, sizeof *k->st);
	int rc = private_files(path, o->create, e);
	if (rc)
		return rc;
	int flags = SQLITE_OPEN_READWRITE | (o->nomutex ? SQLITE_OPEN_NOMUTEX : 0);
	if (sqlite3_open_v2(path, &k->db, flags, NULL) != SQLITE_OK) {
		rc = kerr_set(e, K_EDB, "%s: cannot open: %s", path,
		              k->db ? sqlite3_errmsg(k->db) : "out of memory");
		return rc;
	}
	sqlite3_extended_result_codes(k->db, 1);
	sqlite3_busy_timeout(k->db, 5000);
	return o->setup ? kdb_exec(k, o->setup, "setting up the connection", e) : K_OK;
}

void kdb_close(struct kdb *k)
{
	if (!k)
		return;
	for (int i = 0; k->st && i < k->o.nsql; i++)
		sqlite3_finalize(k->st[i]);
	sqlite3_finalize(k->meta[META_GET]);
	sqlite3_finalize(k->meta[META_SET]);
	if (k->db)
		sqlite3_close_v2(k->db);
	free(k->st);
	free(k->path);
	memset(k, 0, sizeof *k);
}

static int user_version(struct kdb *k, int *v, struct kerr *e)
{
	sqlite3_stmt *st = kdb_prepare(k, "PRAGMA user_version", e);
	if (!st)
		return K_EDB;
	int rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? K_OK : kdb_err(k, e, "reading the schema version");
}

int kdb_migrate(struct kdb *k, const char *const *migrations, int n, const char *program,
                struct kerr *e)
{
	int v, rc = user_version(k, &v, e);
	if (rc)
		return rc;
	if (v > n)
		return kerr_set(e, K_ENEWER,
		                "%s was written by a newer %s (schema %d, this one knows %d)",
		                k->path, program, v, n);
	if (v == n)
		return K_OK;
	if ((rc = kdb_exec(k, "BEGIN IMMEDIATE", "starting a migration", e)))
		return rc;
	/* Another process may have migrated while we waited for the lock. Every step and the
	 * version it reaches commit together: a crash leaves the old version, never half. */
	if ((rc = user_version(k, &v, e)))
		goto fail;
	for (; v < n; v++) {
		char what[48], pragma[48];
		snprintf(what, sizeof what, "migration %d", v + 1);
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
		if ((rc = kdb_exec(k, migrations[v], what, e)) ||
		    (rc = kdb_exec(k, pragma, what, e)))
			goto fail;
	}
	if ((rc = kdb_exec(k, "COMMIT", "committing the migration", e)))
		goto fail;
	return K_OK;
fail:
	sqlite3_exec(k->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static sqlite3_stmt *cached(struct kdb *k, sqlite3_stmt **slot, const char *sql, struct kerr *e)
{
	sqlite3_stmt *st = *slot;
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	if (sqlite3_prepare_v3(k->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		kdb_err(k, e, "preparing a statement");
		return NULL;
	}
	return *slot = st;
}

sqlite3_stmt *kdb_stmt(struct kdb *k, int id, struct kerr *e)
{
	if (id < 0 || id >= k->o.nsql) {
		kerr_set(e, K_EDB, "%s: no statement %d", k->path, id);
		return NULL;
	}
	return cached(k, &k->st[id], k->o.sql[id], e);
}

sqlite3_stmt *kdb_prepare_as(struct kdb *k, const char *sql, const char *what, struct kerr *e)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(k->db, sql, -1, &st, NULL) != SQLITE_OK) {
		kdb_err(k, e, what);
		return NULL;
	}
	return st;
}

sqlite3_stmt *kdb_prepare(struct kdb *k, const char *sql, struct kerr *e)
{
	return kdb_prepare_as(k, sql, "preparing a statement", e);
}

int kdb_one(struct kdb *k, sqlite3_stmt *st, const char *doing, struct kerr *e)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return K_OK;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? K_ENOTFOUND : kdb_err(k, e, doing);
}

int kdb_one_key(struct kdb *k, int id, const char *key, const char *doing, sqlite3_stmt **st,
                struct kerr *e)
{
	if (!(*st = kdb_stmt(k, id, e)))
		return K_EDB;
	kdb_bind_text(*st, 1, key);
	return kdb_one(k, *st, doing, e);
}

int kdb_one_int64(struct kdb *k, sqlite3_stmt *st, const char *doing, int64_t *out, struct kerr *e)
{
	int rc = kdb_one(k, st, doing, e);
	if (rc == K_OK) {
		*out = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return rc;
}

int kdb_one_copy(struct kdb *k, sqlite3_stmt *st, const char *doing, char *out, size_t cap,
                 struct kerr *e)
{
	int rc = kdb_one(k, st, doing, e);
	if (rc == K_OK) {
		kdb_col_copy(st, 0, out, cap);
		sqlite3_reset(st);
	}
	return rc;
}

int kdb_int64(struct kdb *k, sqlite3_stmt *st, const char *doing, int64_t *out, struct kerr *e)
{
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? K_OK : kdb_err(k, e, doing);
}

int kdb_u64s(struct kdb *k, sqlite3_stmt *st, const char *doing, uint64_t *out, size_t cap,
             size_t *n, struct kerr *e)
{
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (*n < cap)
			out[(*n)++] = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? K_OK : kdb_err(k, e, doing);
}

int kdb_ints(struct kdb *k, int id, const char *key, const char *doing, int64_t **out, size_t *n,
             struct kerr *e)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = kdb_stmt(k, id, e);
	if (!st)
		return K_EDB;
	kdb_bind_text(st, 1, key);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		(*out)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return K_OK;
	free(*out);
	*out = NULL;
	*n = 0;
	return kdb_err(k, e, doing);
}

void *kdb_rows(struct kdb *k, sqlite3_stmt *st, size_t size, void (*row)(sqlite3_stmt *, void *),
               void *items, size_t *n, int *rc, const char *doing, struct kerr *e)
{
	char *v = items;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		v = xrealloc(v, (*n + 1) * size);
		memset(v + *n * size, 0, size);
		row(st, v + *n * size);
		(*n)++;
	}
	sqlite3_reset(st);
	*rc = K_OK;
	if (step == SQLITE_DONE)
		return v;
	free(v);
	*n = 0;
	*rc = kdb_err(k, e, doing);
	return NULL;
}

int kdb_step_done(struct kdb *k, sqlite3_stmt *st, const char *what, struct kerr *e)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? K_OK : kdb_err(k, e, what);
}

void kdb_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, (int)strlen(v), SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

char *kdb_col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrndup((const char *)t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

void kdb_col_copy(sqlite3_stmt *st, int i, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t n = t ? (size_t)sqlite3_column_bytes(st, i) : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(out, t, n);
	out[n] = '\0';
}

/* ---------------------------------------------------------------- transactions */

static int flush(struct kdb *k, struct kerr *e)
{
	return k->h.flush ? k->h.flush(k->h.ctx, e) : K_OK;
}

static void discard(struct kdb *k)
{
	if (k->h.discard)
		k->h.discard(k->h.ctx);
}

static void wrote(struct kdb *k)
{
	if (k->h.wrote)
		k->h.wrote(k->h.ctx);
}

static void reset(struct kdb *k)
{
	k->depth = k->user_txn = k->savepoints = k->failed = 0;
}

/* Rolls the whole transaction back; rc is returned. */
static int undo(struct kdb *k, int rc)
{
	discard(k);
	sqlite3_exec(k->db, "ROLLBACK", NULL, NULL, NULL);
	reset(k);
	wrote(k); /* results cached inside the transaction saw rows that are gone */
	return rc;
}

/* Flushes what is held back and commits; on any failure all of it is rolled back. */
static int finish(struct kdb *k, struct kerr *e)
{
	if (k->failed)
		return undo(k, kerr_set(e, K_EDB,
		                        "%s: a write in this transaction failed; all of it was "
		                        "rolled back",
		                        k->path));
	int rc = flush(k, e);
	if (!rc)
		rc = kdb_exec(k, "COMMIT", "committing", e);
	if (rc)
		return undo(k, rc);
	reset(k);
	return K_OK;
}

int kdb_begin(struct kdb *k, struct kerr *e)
{
	if (k->depth)
		return kerr_set(e, K_EINVAL, "%s: a transaction is already open", k->path);
	/* IMMEDIATE takes the write lock now: a concurrent writer makes us wait (busy
	 * timeout) instead of failing half-way through. */
	int rc = kdb_exec(k, "BEGIN IMMEDIATE", "starting a transaction", e);
	if (!rc) {
		k->depth = k->user_txn = 1;
		wrote(k);
	}
	return rc;
}

int kdb_commit(struct kdb *k, struct kerr *e)
{
	if (!k->user_txn)
		return kerr_set(e, K_EINVAL, "%s: no transaction to commit", k->path);
	return finish(k, e);
}

void kdb_rollback(struct kdb *k)
{
	if (k->user_txn)
		undo(k, K_OK);
}

/* Joins what is open, or begins with sql. */
static int bracket(struct kdb *k, const char *sql, const char *what, struct kerr *e)
{
	if (k->depth) {
		k->depth++;
		return K_OK;
	}
	int rc = kdb_exec(k, sql, what, e);
	if (!rc)
		k->depth = 1;
	return rc;
}

int kdb_wbegin(struct kdb *k, struct kerr *e)
{
	wrote(k);
	/* Inside a transaction there is no savepoint per bracket: FTS5 flushes its pending
	 * index at every savepoint, which made bulk loads write each row as a segment. */
	return bracket(k, "BEGIN IMMEDIATE", "starting a write", e);
}

int kdb_wend(struct kdb *k, int rc, struct kerr *e)
{
	int fail = rc != K_OK && rc != K_ENOTFOUND;
	if (k->depth > 1 || k->user_txn) {
		if (k->depth > 1)
			k->depth--;
		if (fail && k->o.nested_fail_dooms && !k->failed)
			k->failed = 1 + k->savepoints;
		return rc;
	}
	if (rc != K_OK)
		return undo(k, rc);
	return finish(k, e);
}

int kdb_wstmt(struct kdb *k, int id, sqlite3_stmt **st, struct kerr *e)
{
	int rc = kdb_wbegin(k, e);
	if (rc)
		return rc;
	*st = kdb_stmt(k, id, e);
	return *st ? K_OK : kdb_wend(k, K_EDB, e);
}

int kdb_read_begin(struct kdb *k, struct kerr *e)
{
	return bracket(k, "BEGIN", "starting a read", e);
}

void kdb_read_end(struct kdb *k)
{
	if (k->depth == 0 || (k->depth == 1 && k->user_txn))
		return;
	if (--k->depth == 0)
		sqlite3_exec(k->db, "COMMIT", NULL, NULL, NULL);
}

int kdb_savepoint(struct kdb *k, struct kerr *e)
{
	int rc = flush(k, e);
	if (!rc && !(rc = kdb_exec(k, "SAVEPOINT obj", "starting a savepoint", e)))
		k->savepoints++;
	return rc;
}

int kdb_release(struct kdb *k, struct kerr *e)
{
	int rc = flush(k, e);
	if (!rc && !(rc = kdb_exec(k, "RELEASE obj", "releasing a savepoint", e))) {
		if (k->failed == 1 + k->savepoints)
			k->failed--; /* the failure belongs to the level outside now */
		k->savepoints--;
	}
	return rc;
}

void kdb_rollback_to(struct kdb *k)
{
	if (k->savepoints <= 0)
		return;
	discard(k);
	sqlite3_exec(k->db, "ROLLBACK TO obj; RELEASE obj", NULL, NULL, NULL);
	if (k->failed == 1 + k->savepoints)
		k->failed = 0; /* undone with the savepoint */
	k->savepoints--;
	wrote(k);
}

/* ---------------------------------------------------------------- meta */

int kdb_meta_get(struct kdb *k, const char *key, char **out, struct kerr *e)
{
	*out = NULL;
	sqlite3_stmt *st = cached(k, &k->meta[META_GET], meta_sql[META_GET], e);
	if (!st)
		return K_EDB;
	kdb_bind_text(st, 1, key);
	int rc = kdb_one(k, st, "reading meta", e);
	if (rc == K_ENOTFOUND)
		return kerr_set(e, K_ENOTFOUND, "%s: no meta value '%s'", k->path, key);
	if (rc == K_OK) {
		*out = kdb_col_dup(st, 0);
		if (!*out)
			*out = xstrdup("");
		sqlite3_reset(st);
	}
	return rc;
}

int kdb_meta_set(struct kdb *k, const char *key, const char *value, struct kerr *e)
{
	int rc = kdb_wbegin(k, e);
	if (rc)
		return rc;
	sqlite3_stmt *st = cached(k, &k->meta[META_SET], meta_sql[META_SET], e);
	if (!st)
		return kdb_wend(k, K_EDB, e);
	kdb_bind_text(st, 1, key);
	kdb_bind_text(st, 2, value ? value : "");
	return kdb_wend(k, kdb_step_done(k, st, "writing meta", e), e);
}
