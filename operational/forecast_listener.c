/* LISTEN forecast_done on one connection, poll() on its socket, wake the long-polls waiting for an id. */
#include "operational/forecast_listener.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/app.h"
#include "operational/queries.h"

#define RECONNECT_PAUSE_MS 1000
#define NSEC_PER_SEC 1000000000L

struct parity_forecast_listener {
  struct parity_app *app;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake; /* on CLOCK_MONOTONIC */
  struct parity_forecast_waiter *waiters;
  atomic_bool connected;
};

bool parity_forecast_listener_connected(const struct parity_forecast_listener *l)
{
  return l && atomic_load(&l->connected);
}

/* Wakes the waiters of one id, or every waiter when id is NULL. */
static void wake(struct parity_forecast_listener *l, const char *id)
{
  pthread_mutex_lock(&l->lock);
  bool any = false;
  for (struct parity_forecast_waiter *w = l->waiters; w; w = w->next)
    if (!id || strcasecmp(w->id, id) == 0) {
      w->woken = true;
      any = true;
    }
  if (any)
    pthread_cond_broadcast(&l->wake);
  pthread_mutex_unlock(&l->lock);
}

void parity_forecast_waiter_register(struct parity_forecast_listener *l, struct parity_forecast_waiter *w,
                                     const char *id)
{
  snprintf(w->id, sizeof(w->id), "%s", id);
  w->woken = false;
  pthread_mutex_lock(&l->lock);
  w->next = l->waiters;
  l->waiters = w;
  pthread_mutex_unlock(&l->lock);
}

void parity_forecast_waiter_unregister(struct parity_forecast_listener *l, struct parity_forecast_waiter *w)
{
  pthread_mutex_lock(&l->lock);
  for (struct parity_forecast_waiter **p = &l->waiters; *p; p = &(*p)->next)
    if (*p == w) {
      *p = w->next;
      break;
    }
  pthread_mutex_unlock(&l->lock);
}

static bool before(const struct timespec *a, const struct timespec *b)
{
  return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

bool parity_forecast_waiter_wait(struct parity_forecast_listener *l, struct parity_forecast_waiter *w,
                                 const struct timespec *deadline)
{
  bool woken = false;
  pthread_mutex_lock(&l->lock);
  for (;;) {
    if (w->woken) {
      w->woken = false;
      woken = true;
      break;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (l->app->stopping || !before(&now, deadline))
      break;
    /* Sleep in slices: a shutdown begun after the listener's last broadcast is still seen. */
    struct timespec slice = now;
    slice.tv_nsec += (long)PARITY_FORECAST_WAIT_SLICE_MS * 1000000L;
    if (slice.tv_nsec >= NSEC_PER_SEC) {
      slice.tv_sec++;
      slice.tv_nsec -= NSEC_PER_SEC;
    }
    pthread_cond_timedwait(&l->wake, &l->lock, before(&slice, deadline) ? &slice : deadline);
  }
  pthread_mutex_unlock(&l->lock);
  return woken;
}

/* Every notification libpq has queued: wake its waiters now, then record that this replica saw it. */
static int drain(struct parity_forecast_listener *l, struct parity_db *db)
{
  int rc = PARITY_OK;
  for (PGnotify *n; (n = PQnotifies(db->conn)) != NULL; PQfreemem(n)) {
    if (strcmp(n->relname, PARITY_FORECAST_CHANNEL) != 0 || !parity_uuid_valid(n->extra))
      continue;
    wake(l, n->extra);
    if (!rc)
      rc = PARITY_DB_EXEC(db, Q_FORECAST_MARK_NOTIFIED, NULL, n->extra);
  }
  return rc;
}

/* Runs a sweep statement that returns forecast ids, waking the waiters of each. */
static int sweep_one(struct parity_forecast_listener *l, struct parity_db *db, int stmt, const char *seconds,
                     const char *event)
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, stmt, &res, seconds);
  if (rc)
    return rc;
  for (int i = 0; i < PQntuples(res); i++) {
    wake(l, PQgetvalue(res, i, 0));
    parity_log(PARITY_LOG_WARN, event, "{s:s}", "forecast_id", PQgetvalue(res, i, 0));
  }
  PQclear(res);
  return PARITY_OK;
}

static int sweep(struct parity_forecast_listener *l, struct parity_db *db)
{
  char grace[PARITY_I64_TEXT], timeout[PARITY_I64_TEXT];
  parity_i64(PARITY_FORECAST_UNNOTIFIED_GRACE_SECONDS, grace);
  parity_i64(PARITY_FORECAST_PENDING_TIMEOUT_SECONDS, timeout);
  int rc = sweep_one(l, db, Q_FORECAST_UNNOTIFIED, grace, "forecast_notify_missed");
  if (!rc)
    rc = sweep_one(l, db, Q_FORECAST_EXPIRE, timeout, "forecast_expired");
  return rc;
}

static int connect_and_listen(struct parity_forecast_listener *l, struct parity_db *db)
{
  int rc = parity_db_open(db, l->app->cfg.database_url, parity_op_stmts, Q_OP_QUERY_COUNT);
  if (!rc)
    rc = parity_db_exec_sql(db, PARITY_OP_SQL_LISTEN_FORECASTS);
  if (rc) {
    parity_db_close(db);
    return rc;
  }
  atomic_store(&l->connected, true);
  parity_log(PARITY_LOG_INFO, "forecast_listener_connected", "{s:s}", "channel", PARITY_FORECAST_CHANNEL);
  /* Whatever completed while we were not listening went unheard: every waiter reads its row again. */
  wake(l, NULL);
  return PARITY_OK;
}

static void pause_ms(struct parity_forecast_listener *l, int ms)
{
  for (int slept = 0; slept < ms && !l->app->stopping; slept += PARITY_FORECAST_LISTENER_POLL_MS)
    usleep((useconds_t)PARITY_FORECAST_LISTENER_POLL_MS * 1000u);
}

static void *listener_main(void *arg)
{
  struct parity_forecast_listener *l = arg;
  struct parity_db db = { 0 };
  struct timespec last_sweep = { 0, 0 };
  while (!l->app->stopping) {
    if (!db.conn) {
      if (connect_and_listen(l, &db) != PARITY_OK) {
        pause_ms(l, RECONNECT_PAUSE_MS);
        continue;
      }
      last_sweep = (struct timespec){ 0, 0 }; /* sweep at once after a reconnection */
    }
    int rc = PARITY_OK;
    struct pollfd pfd = { .fd = PQsocket(db.conn), .events = POLLIN };
    int ready = pfd.fd >= 0 ? poll(&pfd, 1, PARITY_FORECAST_LISTENER_POLL_MS) : -1;
    if (ready < 0 && errno != EINTR)
      rc = PARITY_EDB;
    if (!rc && ready > 0 && !PQconsumeInput(db.conn))
      rc = PARITY_EDB;
    if (!rc)
      rc = drain(l, &db);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!rc && now.tv_sec - last_sweep.tv_sec >= PARITY_FORECAST_SWEEP_SECONDS) {
      last_sweep = now;
      rc = sweep(l, &db);
      if (!rc)
        rc = drain(l, &db); /* libpq may have queued notifications while the sweep ran */
    }
    if (rc || PQstatus(db.conn) != CONNECTION_OK) {
      parity_log(PARITY_LOG_WARN, "forecast_listener_lost", "{s:s}", "error", PQerrorMessage(db.conn));
      atomic_store(&l->connected, false);
      parity_db_close(&db);
      pause_ms(l, RECONNECT_PAUSE_MS);
    }
  }
  atomic_store(&l->connected, false);
  parity_db_close(&db);
  wake(l, NULL); /* draining: long-polls answer with what they have */
  return NULL;
}

int parity_forecast_listener_start(struct parity_app *app)
{
  struct parity_forecast_listener *l = parity_xcalloc(1, sizeof(*l));
  l->app = app;
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&l->wake, &attr);
  pthread_condattr_destroy(&attr);
  pthread_mutex_init(&l->lock, NULL);
  if (pthread_create(&l->thread, NULL, listener_main, l) != 0) {
    pthread_cond_destroy(&l->wake);
    pthread_mutex_destroy(&l->lock);
    free(l);
    return PARITY_EINTERNAL;
  }
  app->forecast_listener = l;
  return PARITY_OK;
}

void parity_forecast_listener_stop(struct parity_app *app)
{
  struct parity_forecast_listener *l = app->forecast_listener;
  if (!l)
    return;
  pthread_join(l->thread, NULL);
  app->forecast_listener = NULL;
  pthread_cond_destroy(&l->wake);
  pthread_mutex_destroy(&l->lock);
  free(l);
}
