/* LISTEN on one connection, poll() on its socket, hand each notification to its channel's module. */
#include "operational/pg_listener.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/app.h"
#include "operational/forecast_listener.h"
#include "operational/job_watch.h"
#include "operational/notifications.h"
#include "operational/queries.h"
#include "operational/read_cache.h"

static int prices_changed(struct parity_app *app, struct parity_db *db, const char *payload)
{
  (void)payload;
  return parity_read_cache_reload_prices(&app->read_cache, db);
}

static int prices_catch_up(struct parity_app *app, struct parity_db *db)
{
  return parity_read_cache_reload_prices(&app->read_cache, db);
}

static int models_changed(struct parity_app *app, struct parity_db *db, const char *payload)
{
  (void)payload;
  return parity_read_cache_reload_models(&app->read_cache, db);
}

static int models_catch_up(struct parity_app *app, struct parity_db *db)
{
  return parity_read_cache_reload_models(&app->read_cache, db);
}

/* The channels, one row each. A sync of many symbols is one transaction and so one reload. */
static const struct parity_listen_channel channels[] = {
  { PARITY_FORECAST_CHANNEL, PARITY_OP_SQL_LISTEN_FORECASTS, parity_forecast_on_connected, parity_forecast_on_notified,
    false, parity_forecast_on_tick, PARITY_FORECAST_SWEEP_SECONDS },
  { PARITY_PRICES_CHANNEL, PARITY_OP_SQL_LISTEN_PRICES, prices_catch_up, prices_changed, true, NULL, 0 },
  { PARITY_MODELS_CHANNEL, PARITY_OP_SQL_LISTEN_MODELS, models_catch_up, models_changed, true, NULL, 0 },
  { PARITY_JOB_EVENTS_CHANNEL, PARITY_OP_SQL_LISTEN_JOBS, parity_job_watch_on_connected, parity_job_watch_on_notified,
    false, parity_job_watch_on_tick, PARITY_JOB_STUCK_SWEEP_SECONDS },
  { PARITY_NOTIFICATIONS_CHANNEL, PARITY_OP_SQL_LISTEN_NOTIFICATIONS, parity_notifications_on_connected,
    parity_notifications_on_notified, true, parity_notifications_mail_sweep, PARITY_NOTIFICATIONS_SWEEP_SECONDS },
};
#define N_CHANNELS (sizeof(channels) / sizeof(channels[0]))

struct parity_pg_listener {
  struct parity_app *app;
  pthread_t thread;
  atomic_bool connected;
  struct timespec last_tick[N_CHANNELS];
};

bool parity_pg_listener_connected(const struct parity_pg_listener *l)
{
  return l && atomic_load(&l->connected);
}

/* Every notification libpq has queued, to its channel; coalescing channels are called once at the end. */
static int drain(struct parity_pg_listener *l, struct parity_db *db)
{
  bool pending[N_CHANNELS] = { false };
  int rc = PARITY_OK;
  for (PGnotify *n; (n = PQnotifies(db->conn)) != NULL; PQfreemem(n)) {
    for (size_t c = 0; c < N_CHANNELS; c++) {
      if (strcmp(n->relname, channels[c].channel) != 0)
        continue;
      if (channels[c].coalesce)
        pending[c] = true;
      else if (!rc)
        rc = channels[c].notified(l->app, db, n->extra);
    }
  }
  for (size_t c = 0; c < N_CHANNELS && !rc; c++)
    if (pending[c])
      rc = channels[c].notified(l->app, db, NULL);
  return rc;
}

static int ticks(struct parity_pg_listener *l, struct parity_db *db)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  int rc = PARITY_OK;
  for (size_t c = 0; c < N_CHANNELS && !rc; c++) {
    if (!channels[c].tick || now.tv_sec - l->last_tick[c].tv_sec < channels[c].tick_seconds)
      continue;
    l->last_tick[c] = now;
    rc = channels[c].tick(l->app, db);
  }
  return rc ? rc : drain(l, db); /* libpq may have queued notifications while a tick ran */
}

static int connect_and_listen(struct parity_pg_listener *l, struct parity_db *db)
{
  int rc = parity_db_open(db, l->app->cfg.database_url, parity_op_stmts, Q_OP_QUERY_COUNT);
  if (!rc)
    rc = parity_db_exec_sql(db, PARITY_OP_SQL_LISTENER_NAME);
  for (size_t c = 0; c < N_CHANNELS && !rc; c++)
    rc = parity_db_exec_sql(db, channels[c].listen_sql);
  /* Whatever was sent while we were not listening went unheard: every module catches up, once LISTENing. */
  for (size_t c = 0; c < N_CHANNELS && !rc; c++)
    rc = channels[c].connected(l->app, db);
  if (rc) {
    parity_db_close(db);
    return rc;
  }
  memset(l->last_tick, 0, sizeof(l->last_tick)); /* tick at once after a reconnection */
  atomic_store(&l->connected, true);
  parity_log(PARITY_LOG_INFO, "listener_connected", "{s:i}", "channels", (int)N_CHANNELS);
  return PARITY_OK;
}

static void pause_ms(struct parity_pg_listener *l, int ms)
{
  for (int slept = 0; slept < ms && !l->app->stopping; slept += PARITY_PG_LISTENER_POLL_MS)
    usleep((useconds_t)PARITY_PG_LISTENER_POLL_MS * 1000u);
}

static void *listener_main(void *arg)
{
  struct parity_pg_listener *l = arg;
  struct parity_db db = { 0 };
  while (!l->app->stopping) {
    if (!db.conn && connect_and_listen(l, &db) != PARITY_OK) {
      pause_ms(l, PARITY_PG_LISTENER_RECONNECT_PAUSE_MS);
      continue;
    }
    int rc = PARITY_OK;
    struct pollfd pfd = { .fd = PQsocket(db.conn), .events = POLLIN };
    int ready = pfd.fd >= 0 ? poll(&pfd, 1, PARITY_PG_LISTENER_POLL_MS) : -1;
    if (ready < 0 && errno != EINTR)
      rc = PARITY_EDB;
    if (!rc && ready > 0 && !PQconsumeInput(db.conn))
      rc = PARITY_EDB;
    if (!rc)
      rc = drain(l, &db);
    if (!rc)
      rc = ticks(l, &db);
    if (rc || PQstatus(db.conn) != CONNECTION_OK) {
      parity_log(PARITY_LOG_WARN, "listener_lost", "{s:s}", "error", PQerrorMessage(db.conn));
      atomic_store(&l->connected, false);
      parity_db_close(&db);
      pause_ms(l, PARITY_PG_LISTENER_RECONNECT_PAUSE_MS);
    }
  }
  atomic_store(&l->connected, false);
  parity_db_close(&db);
  return NULL;
}

int parity_pg_listener_start(struct parity_app *app)
{
  struct parity_pg_listener *l = parity_xcalloc(1, sizeof(*l));
  l->app = app;
  if (pthread_create(&l->thread, NULL, listener_main, l) != 0) {
    free(l);
    return PARITY_EINTERNAL;
  }
  app->listener = l;
  return PARITY_OK;
}

void parity_pg_listener_stop(struct parity_app *app)
{
  struct parity_pg_listener *l = app->listener;
  if (!l)
    return;
  pthread_join(l->thread, NULL);
  app->listener = NULL;
  free(l);
}
