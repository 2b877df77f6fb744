/* kdb — the SQLite kernel under both stores (the client's cache.db and kontord's database):
 * opening a file 0600 with its WAL and SHM, ordered migrations under PRAGMA user_version,
 * the table of statements prepared once per connection, transactions, write brackets,
 * savepoints and the meta key/value table. It knows no table of either program but meta:
 * each store keeps its own schema and SQL and hands them in. Used only by store/ files. */
#ifndef KONTOR_KDB_H
#define KONTOR_KDB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "kontor/err.h"

struct kdb;

/* What a store hooks into the brackets (each may be NULL; ctx is theirs). flush runs before
 * anything commits or a savepoint opens or closes (index writes held back go out); discard
 * runs after a rollback (of the whole or to a savepoint): what was held back is forgotten;
 * wrote runs at the start of every write bracket (cached results go stale). */
struct kdb_hooks {
	int (*flush)(void *ctx, struct kerr *e);
	void (*discard)(void *ctx);
	void (*wrote)(void *ctx);
	void *ctx;
};

struct kdb_opts {
	const char *const *sql; /* the store's statements, indexed by its own enum */
	int nsql;
	const char *setup; /* PRAGMAs run on every new connection */
	int create;        /* create the file when absent (else K_ENOTFOUND) */
	int nomutex;       /* one connection per thread: SQLite's own mutex is not needed */
	/* A write bracket that fails inside the caller's transaction dooms it (the commit rolls
	 * everything back). Off: the caller rolls back to a savepoint of its own instead. */
	int nested_fail_dooms;
};

struct kdb {
	sqlite3 *db;
	char *path;
	struct kdb_opts o;
	struct kdb_hooks h;
	sqlite3_stmt **st; /* o.nsql slots, prepared on first use */
	sqlite3_stmt *meta[2];
	int depth;      /* open brackets (write or read) on this connection; 0 = autocommit */
	int user_txn;   /* kdb_begin is open: brackets join it */
	int savepoints; /* open kdb_savepoint levels */
	int failed;     /* 0, or 1 + the savepoint level a write failed at: never commit that */
};

/* Opens path (creating it 0600 when o->create, and making an existing file, its WAL and SHM
 * 0600 whatever the umask) and runs o->setup. K_ENOTFOUND when absent and not create; K_EDB
 * naming the file otherwise. k is the caller's; kdb_close frees what it holds. */
int kdb_open(struct kdb *k, const char *path, const struct kdb_opts *o, struct kerr *e);
void kdb_close(struct kdb *k);

/* Runs migrations[v..n) on a file at schema version v, each with its version number in one
 * transaction. K_ENEWER naming program when the file's version is above n. */
int kdb_migrate(struct kdb *k, const char *const *migrations, int n, const char *program,
                struct kerr *e);

/* Statement id of the store's table, reset and with bindings cleared; NULL with e filled. */
sqlite3_stmt *kdb_stmt(struct kdb *k, int id, struct kerr *e);
/* A one-off statement (the caller finalizes it); NULL with e filled, saying what was being
 * done ("preparing a statement" for kdb_prepare). */
sqlite3_stmt *kdb_prepare(struct kdb *k, const char *sql, struct kerr *e);
sqlite3_stmt *kdb_prepare_as(struct kdb *k, const char *sql, const char *what, struct kerr *e);
/* K_EDB: "<file>: <what>: <SQLite's message>". Returns K_EDB. */
int kdb_err(struct kdb *k, struct kerr *e, const char *what);
int kdb_exec(struct kdb *k, const char *sql, const char *what, struct kerr *e);
/* Steps st (prepared and bound by the caller) for the one row it asks for: K_OK on the row
 * (read its columns, then reset st), K_ENOTFOUND (st reset, e left for the caller to fill)
 * when there is none, K_EDB naming doing otherwise. */
int kdb_one(struct kdb *k, sqlite3_stmt *st, const char *doing, struct kerr *e);
/* kdb_one on the store's statement id with key bound to ?1: on K_OK *st stands on the row
 * (read its columns, then reset it); K_EDB when the statement cannot be prepared. */
int kdb_one_key(struct kdb *k, int id, const char *key, const char *doing, sqlite3_stmt **st,
                struct kerr *e);
/* kdb_one for a row whose first column is text: on K_OK it is copied into out (as
 * kdb_col_copy) and st is reset. */
int kdb_one_copy(struct kdb *k, sqlite3_stmt *st, const char *doing, char *out, size_t cap,
                 struct kerr *e);
/* kdb_one for a row whose first column is an integer: on K_OK it is read into *out (left
 * alone otherwise) and st is reset. */
int kdb_one_int64(struct kdb *k, sqlite3_stmt *st, const char *doing, int64_t *out, struct kerr *e);
/* Steps st, a statement that always yields one row (an aggregate such as count or max, or a
 * write RETURNING a value), reads its first column into *out (0 when the step failed) and
 * resets st. K_EDB naming doing when it failed. */
int kdb_int64(struct kdb *k, sqlite3_stmt *st, const char *doing, int64_t *out, struct kerr *e);
/* The first column (an integer) of every row the store's statement id yields, key bound to
 * ?1 (NULL binds NULL), all read before the caller rewrites those rows. *out is malloc'd (the
 * caller frees; NULL when there are none or on failure); K_EDB naming doing. */
int kdb_ints(struct kdb *k, int id, const char *key, const char *doing, int64_t **out, size_t *n,
             struct kerr *e);
/* Steps st (prepared and bound by the caller) to its end and resets it, keeping the first
 * column (an integer) of its first cap rows in out[0..*n); rows past cap are dropped. K_EDB
 * naming doing when a step failed (*n then counts the rows kept before it). */
int kdb_u64s(struct kdb *k, sqlite3_stmt *st, const char *doing, uint64_t *out, size_t cap,
             size_t *n, struct kerr *e);
/* Steps st to its end and resets it, adding to items (an array of *n items of size bytes,
 * NULL when empty) one item a row, zeroed and then filled by row(st, item). Returns the
 * array (the caller frees); on a failed step NULL with the array freed, *n 0 and *rc K_EDB
 * naming doing, else *rc K_OK. */
void *kdb_rows(struct kdb *k, sqlite3_stmt *st, size_t size, void (*row)(sqlite3_stmt *, void *),
               void *items, size_t *n, int *rc, const char *doing, struct kerr *e);
/* Steps a statement that returns at most a row it does not need, then resets it. */
int kdb_step_done(struct kdb *k, sqlite3_stmt *st, const char *what, struct kerr *e);
/* Binds v without copying (NULL binds NULL): v must outlive the step. */
void kdb_bind_text(sqlite3_stmt *st, int i, const char *v);
/* A malloc'd copy of a text column (the caller frees), NULL when the column is NULL. */
char *kdb_col_dup(sqlite3_stmt *st, int i);
/* Copies a text column into out (truncated, always NUL-terminated). */
void kdb_col_copy(sqlite3_stmt *st, int i, char *out, size_t cap);

/* The caller's transaction (BEGIN IMMEDIATE): brackets inside join it. kdb_commit refuses a
 * transaction a bracket doomed (rolling all of it back). */
int kdb_begin(struct kdb *k, struct kerr *e);
int kdb_commit(struct kdb *k, struct kerr *e);
void kdb_rollback(struct kdb *k);
/* A write bracket: a transaction of its own, or part of the one open. End it with the
 * status of the work: K_OK commits (on its own) or joins; K_ENOTFOUND changed nothing and
 * rolls back only its own transaction; any other failure rolls back its own, or inside a
 * transaction dooms it (nested_fail_dooms) or leaves it to the caller's savepoint. Returns
 * rc when it failed, else the commit's status. */
int kdb_wbegin(struct kdb *k, struct kerr *e);
int kdb_wend(struct kdb *k, int rc, struct kerr *e);
/* A write bracket opened for the store's statement id: on K_OK *st is ready and the caller
 * ends the bracket with kdb_wend; on failure the bracket is already ended and its status
 * returned. */
int kdb_wstmt(struct kdb *k, int id, sqlite3_stmt **st, struct kerr *e);
/* A read snapshot (deferred BEGIN), or part of whatever is open. */
int kdb_read_begin(struct kdb *k, struct kerr *e);
void kdb_read_end(struct kdb *k);
/* Savepoints inside a transaction: a failure inside one is undone by kdb_rollback_to and
 * no longer dooms the transaction. */
int kdb_savepoint(struct kdb *k, struct kerr *e);
int kdb_release(struct kdb *k, struct kerr *e);
void kdb_rollback_to(struct kdb *k);

/* The meta table (key TEXT PRIMARY KEY, value TEXT NOT NULL) both schemas have. get:
 * K_ENOTFOUND naming the key when absent; *out malloc'd (the caller frees). */
int kdb_meta_get(struct kdb *k, const char *key, char **out, struct kerr *e);
int kdb_meta_set(struct kdb *k, const char *key, const char *value, struct kerr *e);

#endif
