/* The long-polls of GET /forecasts/{id}: waiters by id, woken by the LISTEN thread's forecast_done channel. */
#include "operational/forecast_listener.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/app.h"
#include "operational/notifications.h"
#include "operational/queries.h"

#define NSEC_PER_SEC 1000000000L

struct parity_forecast_listener {
  struct parity_app *app;
  pthread_mutex_t lock;
  pthread_cond_t wake; /* on CLOCK_MONOTONIC */
  struct parity_forecast_waiter *waiters;
};

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

int parity_forecast_on_notified(struct parity_app *app, struct parity_db *db, const char *payload)
{
  if (!app->forecast_listener || !parity_uuid_valid(payload))
    return PARITY_OK;
  /* Wake its waiters now, then record that this replica saw it (the sweep looks for results none saw). */
  wake(app->forecast_listener, payload);
  int rc = PARITY_DB_EXEC(db, Q_FORECAST_MARK_NOTIFIED, NULL, payload);
  /* A goal's forecast may say it fell off track: its notification comes with the news. */
  return rc ? rc : parity_notify_goals_off_track(db, payload, 0);
}

int parity_forecast_on_connected(struct parity_app *app, struct parity_db *db)
{
  (void)db;
  /* Whatever completed while nobody listened went unheard: every waiter reads its row again. */
  if (app->forecast_listener)
    wake(app->forecast_listener, NULL);
  return PARITY_OK;
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

int parity_forecast_on_tick(struct parity_app *app, struct parity_db *db)
{
  struct parity_forecast_listener *l = app->forecast_listener;
  if (!l)
    return PARITY_OK;
  char grace[PARITY_I64_TEXT], timeout[PARITY_I64_TEXT];
  parity_i64(PARITY_FORECAST_UNNOTIFIED_GRACE_SECONDS, grace);
  parity_i64(PARITY_FORECAST_PENDING_TIMEOUT_SECONDS, timeout);
  int rc = sweep_one(l, db, Q_FORECAST_UNNOTIFIED, grace, "forecast_notify_missed");
  if (!rc)
    rc = sweep_one(l, db, Q_FORECAST_EXPIRE, timeout, "forecast_expired");
  return rc;
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
  app->forecast_listener = l;
  return PARITY_OK;
}

void parity_forecast_listener_stop(struct parity_app *app)
{
  struct parity_forecast_listener *l = app->forecast_listener;
  if (!l)
    return;
  app->forecast_listener = NULL;
  pthread_cond_destroy(&l->wake);
  pthread_mutex_destroy(&l->lock);
  free(l);
}
