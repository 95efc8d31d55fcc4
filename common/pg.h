/* PostgreSQL helpers: one table of named prepared statements per process, transactions, a pool. */
#ifndef PARITY_PG_H
#define PARITY_PG_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A named statement, prepared on every new connection. `name` doubles as the log label. */
struct parity_stmt {
  const char *name;
  const char *sql;
};

/* One connection and the statement table it has prepared. Not thread-safe: one per thread. */
struct parity_db {
  PGconn *conn;
  char *url;
  const struct parity_stmt *stmts;
  size_t n_stmts;
  char sqlstate[6]; /* of the last failed command, "" when none */
};

/* Connects and prepares every statement. The statement table is borrowed and must outlive db. */
int parity_db_open(struct parity_db *db, const char *url, const struct parity_stmt *stmts, size_t n_stmts);
void parity_db_close(struct parity_db *db);
/* Reconnects (and re-prepares) when the connection is broken; PARITY_EDB when it cannot. */
int parity_db_ensure(struct parity_db *db);

/*
 * Runs prepared statement `stmt` with text parameters (NULL = SQL NULL). On success *res (when res is
 * not NULL) holds the result, which the caller PQclear()s. Errors: PARITY_ECONFLICT for unique and check
 * violations, PARITY_EDB otherwise; the SQLSTATE is left in db->sqlstate.
 */
int parity_db_exec(struct parity_db *db, int stmt, PGresult **res, int nparams, const char *const *params);
#define PARITY_DB_EXEC(db, stmt, res, ...)                                                                             \
  parity_db_exec((db), (stmt), (res), (int)(sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(char *)),                 \
                 (const char *const[]){ __VA_ARGS__ })
#define PARITY_DB_EXEC0(db, stmt, res) parity_db_exec((db), (stmt), (res), 0, NULL)

/* Bytes of an int64 as statement-parameter text: "-9223372036854775808" and its NUL fit. */
#define PARITY_I64_TEXT 24
/* Formats v into buf for a statement parameter and returns buf, to be used inline in PARITY_DB_EXEC. */
const char *parity_i64(int64_t v, char buf[PARITY_I64_TEXT]);

/* Runs literal SQL without parameters (transaction control, migrations). */
int parity_db_exec_sql(struct parity_db *db, const char *sql);

int parity_db_begin(struct parity_db *db);
int parity_db_commit(struct parity_db *db);
/* Rolls back and returns `rc` unchanged, so `return parity_db_rollback(db, rc);` reads naturally. */
int parity_db_rollback(struct parity_db *db, int rc);

/* COPY FROM STDIN: start with the COPY statement, send rows, then end (which reports the outcome). */
int parity_db_copy_begin(struct parity_db *db, const char *copy_sql);
int parity_db_copy_put(struct parity_db *db, const char *data, size_t len);
int parity_db_copy_end(struct parity_db *db, const char *error_or_null);

/* Number of rows a command touched (PQcmdTuples) as a long, 0 when not a count. */
long parity_db_affected(PGresult *res);

/* A thread waiting for a connection, on its own stack, queued in arrival order. */
struct parity_db_pool_waiter {
  pthread_cond_t granted_cv;
  struct parity_db *granted; /* set by the releasing thread, which hands its connection over */
  struct parity_db_pool_waiter *next;
};

/*
 * A fixed set of connections shared by threads (HTTP workers). First come, first served: a released
 * connection goes straight to the longest waiter (only that thread is woken), and a newcomer queues
 * behind the waiters instead of taking a connection they were woken for, so under load no request waits
 * for more than its turn (the tail latency of a barging pool grows with the load).
 */
struct parity_db_pool {
  struct parity_db *dbs;
  bool *busy;
  size_t size;
  pthread_mutex_t lock;
  struct parity_db_pool_waiter *head, *tail; /* the queue of waiters */
};

int parity_db_pool_open(struct parity_db_pool *pool, size_t size, const char *url, const struct parity_stmt *stmts,
                        size_t n_stmts);
void parity_db_pool_close(struct parity_db_pool *pool);
/* Blocks until a connection is free, makes sure it is usable; PARITY_EDB when it cannot reconnect. */
int parity_db_pool_acquire(struct parity_db_pool *pool, struct parity_db **out);
void parity_db_pool_release(struct parity_db_pool *pool, struct parity_db *db);

#endif
