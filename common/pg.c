/* libpq wrapper: prepared-statement tables, error mapping, transactions, COPY and a blocking pool. */
#include "common/pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/log.h"

const char *parity_i64(int64_t v, char buf[PARITY_I64_TEXT])
{
  snprintf(buf, PARITY_I64_TEXT, "%lld", (long long)v);
  return buf;
}

static void remember_sqlstate(struct parity_db *db, const PGresult *res)
{
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", state ? state : "");
}

/* Integrity violations (class 23) are conflicts of state; data exceptions (class 22) are bad input. */
static int classify_failure(struct parity_db *db, const PGresult *res)
{
  remember_sqlstate(db, res);
  if (strncmp(db->sqlstate, "23", 2) == 0)
    return PARITY_ECONFLICT;
  if (strncmp(db->sqlstate, "22", 2) == 0)
    return PARITY_EINVAL; /* data exceptions: a bad date, number or text that came from input */
  return PARITY_EDB;
}

static int prepare_all(struct parity_db *db)
{
  for (size_t i = 0; i < db->n_stmts; i++) {
    PGresult *res = PQprepare(db->conn, db->stmts[i].name, db->stmts[i].sql, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
      parity_log(PARITY_LOG_ERROR, "db_prepare_failed", "{s:s, s:s}", "statement", db->stmts[i].name, "error",
                 PQresultErrorMessage(res));
      PQclear(res);
      return PARITY_EDB;
    }
    PQclear(res);
  }
  return PARITY_OK;
}

static int connect_and_prepare(struct parity_db *db)
{
  if (db->conn)
    PQfinish(db->conn);
  db->conn = PQconnectdb(db->url);
  if (PQstatus(db->conn) != CONNECTION_OK) {
    parity_log(PARITY_LOG_WARN, "db_connect_failed", "{s:s}", "error", PQerrorMessage(db->conn));
    PQfinish(db->conn);
    db->conn = NULL;
    return PARITY_EDB;
  }
  return prepare_all(db);
}

int parity_db_open(struct parity_db *db, const char *url, const struct parity_stmt *stmts, size_t n_stmts)
{
  memset(db, 0, sizeof(*db));
  db->url = parity_xstrdup(url);
  db->stmts = stmts;
  db->n_stmts = n_stmts;
  int rc = connect_and_prepare(db);
  if (rc)
    parity_db_close(db);
  return rc;
}

void parity_db_close(struct parity_db *db)
{
  if (db->conn)
    PQfinish(db->conn);
  free(db->url);
  memset(db, 0, sizeof(*db));
}

int parity_db_ensure(struct parity_db *db)
{
  if (db->conn && PQstatus(db->conn) == CONNECTION_OK)
    return PARITY_OK;
  return connect_and_prepare(db);
}

int parity_db_exec(struct parity_db *db, int stmt, PGresult **res, int nparams, const char *const *params)
{
  if (res)
    *res = NULL;
  if (stmt < 0 || (size_t)stmt >= db->n_stmts || !db->conn)
    return PARITY_EDB;
  PGresult *r = PQexecPrepared(db->conn, db->stmts[stmt].name, nparams, params, NULL, NULL, 0);
  ExecStatusType status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    int rc = classify_failure(db, r);
    parity_log(rc == PARITY_EDB ? PARITY_LOG_ERROR : PARITY_LOG_INFO, "db_statement_failed", "{s:s, s:s, s:s}",
               "statement", db->stmts[stmt].name, "sqlstate", db->sqlstate, "error", PQresultErrorMessage(r));
    PQclear(r);
    return rc;
  }
  db->sqlstate[0] = '\0';
  if (res)
    *res = r;
  else
    PQclear(r);
  return PARITY_OK;
}

int parity_db_exec_sql(struct parity_db *db, const char *sql)
{
  if (!db->conn)
    return PARITY_EDB;
  PGresult *r = PQexec(db->conn, sql);
  ExecStatusType status = PQresultStatus(r);
  int rc = PARITY_OK;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    rc = classify_failure(db, r);
    parity_log(PARITY_LOG_ERROR, "db_sql_failed", "{s:s, s:s}", "sqlstate", db->sqlstate, "error",
               PQresultErrorMessage(r));
  }
  PQclear(r);
  return rc;
}

int parity_db_begin(struct parity_db *db)
{
  return parity_db_exec_sql(db, "BEGIN");
}

int parity_db_commit(struct parity_db *db)
{
  return parity_db_exec_sql(db, "COMMIT");
}

int parity_db_rollback(struct parity_db *db, int rc)
{
  if (db->conn && PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
    PGresult *r = PQexec(db->conn, "ROLLBACK");
    PQclear(r);
  }
  return rc;
}

int parity_db_copy_begin(struct parity_db *db, const char *copy_sql)
{
  if (!db->conn)
    return PARITY_EDB;
  PGresult *r = PQexec(db->conn, copy_sql);
  int rc = PQresultStatus(r) == PGRES_COPY_IN ? PARITY_OK : classify_failure(db, r);
  if (rc)
    parity_log(PARITY_LOG_ERROR, "db_copy_failed", "{s:s}", "error", PQresultErrorMessage(r));
  PQclear(r);
  return rc;
}

int parity_db_copy_put(struct parity_db *db, const char *data, size_t len)
{
  return PQputCopyData(db->conn, data, (int)len) == 1 ? PARITY_OK : PARITY_EDB;
}

int parity_db_copy_end(struct parity_db *db, const char *error_or_null)
{
  if (PQputCopyEnd(db->conn, error_or_null) != 1)
    return PARITY_EDB;
  int rc = PARITY_OK;
  PGresult *r;
  while ((r = PQgetResult(db->conn)) != NULL) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      rc = classify_failure(db, r);
      if (!error_or_null)
        parity_log(PARITY_LOG_ERROR, "db_copy_failed", "{s:s}", "error", PQresultErrorMessage(r));
    }
    PQclear(r);
  }
  return error_or_null ? PARITY_EINVAL : rc;
}

long parity_db_affected(PGresult *res)
{
  const char *n = res ? PQcmdTuples(res) : "";
  return *n ? strtol(n, NULL, 10) : 0;
}

int parity_db_pool_open(struct parity_db_pool *pool, size_t size, const char *url, const struct parity_stmt *stmts,
                        size_t n_stmts)
{
  memset(pool, 0, sizeof(*pool));
  pool->dbs = parity_xcalloc(size, sizeof(*pool->dbs));
  pool->busy = parity_xcalloc(size, sizeof(*pool->busy));
  pool->size = size;
  pthread_mutex_init(&pool->lock, NULL);
  pool->head = pool->tail = NULL;
  /* Connections open lazily, so a daemon starts (and reports not ready) while the database is down. */
  for (size_t i = 0; i < size; i++) {
    pool->dbs[i].url = parity_xstrdup(url);
    pool->dbs[i].stmts = stmts;
    pool->dbs[i].n_stmts = n_stmts;
  }
  return PARITY_OK;
}

void parity_db_pool_close(struct parity_db_pool *pool)
{
  if (!pool->dbs)
    return;
  for (size_t i = 0; i < pool->size; i++)
    parity_db_close(&pool->dbs[i]);
  free(pool->dbs);
  free(pool->busy);
  pthread_mutex_destroy(&pool->lock);
  memset(pool, 0, sizeof(*pool));
}

int parity_db_pool_acquire(struct parity_db_pool *pool, struct parity_db **out)
{
  pthread_mutex_lock(&pool->lock);
  size_t slot = pool->size;
  if (!pool->head)
    for (slot = 0; slot < pool->size && pool->busy[slot]; slot++)
      ;
  struct parity_db *db;
  if (slot < pool->size) {
    pool->busy[slot] = true;
    db = &pool->dbs[slot];
  } else {
    /* The waiter lives on this stack while queued: parity_db_pool_release() takes it off the queue before
       it sets granted, and this frame stays until granted is set, so the queue never holds a dead frame. */
    struct parity_db_pool_waiter me = { .granted = NULL, .next = NULL };
    pthread_cond_init(&me.granted_cv, NULL);
    if (pool->tail)
      pool->tail->next = &me;
    else
      pool->head = &me; // cppcheck-suppress autoVariables
    pool->tail = &me;   // cppcheck-suppress autoVariables
    while (!me.granted)
      pthread_cond_wait(&me.granted_cv, &pool->lock);
    pthread_cond_destroy(&me.granted_cv);
    db = me.granted; /* still marked busy: handed over by parity_db_pool_release() */
  }
  pthread_mutex_unlock(&pool->lock);

  int rc = parity_db_ensure(db);
  if (rc) {
    parity_db_pool_release(pool, db);
    return rc;
  }
  *out = db;
  return PARITY_OK;
}

void parity_db_pool_release(struct parity_db_pool *pool, struct parity_db *db)
{
  /* A connection returned mid-transaction (a bug or an error path) is reset rather than reused dirty. */
  if (db->conn && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
    parity_db_rollback(db, 0);
  pthread_mutex_lock(&pool->lock);
  struct parity_db_pool_waiter *next = pool->head;
  if (next) {
    pool->head = next->next;
    if (!pool->head)
      pool->tail = NULL;
    next->granted = db; /* the connection stays busy: it changes hands */
    pthread_cond_signal(&next->granted_cv);
  } else {
    pool->busy[db - pool->dbs] = false;
  }
  pthread_mutex_unlock(&pool->lock);
}
