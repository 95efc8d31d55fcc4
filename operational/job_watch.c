/* The job watchers' registry and the job_events channel's hooks (job_watch.h). */
#include "operational/job_watch.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/errors.h"
#include "common/job_types.h"
#include "common/log.h"
#include "operational/app.h"
#include "operational/queries.h"

struct watch_slot {
  bool used;
  int64_t job_id;
  int64_t rev; /* of the state held; -1: none yet */
  char *event; /* owned */
  bool final;
};

struct parity_job_watch {
  pthread_mutex_t lock;
  pthread_cond_t changed; /* CLOCK_MONOTONIC */
  int used;
  struct watch_slot slots[PARITY_JOB_WATCHERS_MAX];
};

int parity_job_watch_start(struct parity_app *app)
{
  struct parity_job_watch *w = parity_xcalloc(1, sizeof(*w));
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_mutex_init(&w->lock, NULL);
  pthread_cond_init(&w->changed, &attr);
  pthread_condattr_destroy(&attr);
  app->job_watch = w;
  return PARITY_OK;
}

void parity_job_watch_stop(struct parity_app *app)
{
  struct parity_job_watch *w = app->job_watch;
  if (!w)
    return;
  for (int i = 0; i < PARITY_JOB_WATCHERS_MAX; i++)
    free(w->slots[i].event);
  pthread_cond_destroy(&w->changed);
  pthread_mutex_destroy(&w->lock);
  free(w);
  app->job_watch = NULL;
}

int parity_job_watch_subscribe(struct parity_job_watch *w, int64_t job_id, int *slot)
{
  int rc = PARITY_EUNAVAILABLE;
  pthread_mutex_lock(&w->lock);
  for (int i = 0; i < PARITY_JOB_WATCHERS_MAX; i++) {
    if (w->slots[i].used)
      continue;
    w->slots[i] = (struct watch_slot){ true, job_id, -1, NULL, false };
    w->used++;
    *slot = i;
    rc = PARITY_OK;
    break;
  }
  pthread_mutex_unlock(&w->lock);
  return rc;
}

void parity_job_watch_unsubscribe(struct parity_job_watch *w, int slot)
{
  pthread_mutex_lock(&w->lock);
  free(w->slots[slot].event);
  w->slots[slot] = (struct watch_slot){ 0 };
  w->used--;
  pthread_mutex_unlock(&w->lock);
}

int parity_job_watch_count(struct parity_job_watch *w)
{
  pthread_mutex_lock(&w->lock);
  int n = w->used;
  pthread_mutex_unlock(&w->lock);
  return n;
}

void parity_job_watch_offer(struct parity_job_watch *w, const char *event)
{
  json_t *doc = event ? json_loads(event, 0, NULL) : NULL;
  json_int_t id = json_integer_value(json_object_get(doc, "id")), rev = json_integer_value(json_object_get(doc, "rev"));
  bool final = parity_job_status_final(json_string_value(json_object_get(doc, "status")));
  json_decref(doc);
  if (id <= 0)
    return;
  bool woke = false;
  pthread_mutex_lock(&w->lock);
  for (int i = 0; i < PARITY_JOB_WATCHERS_MAX; i++) {
    struct watch_slot *s = &w->slots[i];
    if (!s->used || s->job_id != id || s->rev >= rev)
      continue;
    free(s->event);
    s->event = parity_xstrdup(event);
    s->rev = rev;
    s->final = final;
    woke = true;
  }
  if (woke)
    pthread_cond_broadcast(&w->changed);
  pthread_mutex_unlock(&w->lock);
}

bool parity_job_watch_next(struct parity_job_watch *w, int slot, int64_t *rev, char **event, bool *final, int wait_ms,
                           const atomic_int *stop)
{
  struct timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += wait_ms / 1000;
  deadline.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  bool got = false;
  pthread_mutex_lock(&w->lock);
  struct watch_slot *s = &w->slots[slot];
  while (s->rev <= *rev && !atomic_load(stop))
    if (pthread_cond_timedwait(&w->changed, &w->lock, &deadline) != 0)
      break;
  if (s->rev > *rev && s->event) {
    *event = parity_xstrdup(s->event);
    *rev = s->rev;
    *final = s->final;
    got = true;
  }
  pthread_mutex_unlock(&w->lock);
  return got;
}

int parity_job_watch_on_notified(struct parity_app *app, struct parity_db *db, const char *payload)
{
  (void)db;
  if (app->job_watch)
    parity_job_watch_offer(app->job_watch, payload);
  return PARITY_OK;
}

/* What a lost notification would have said: one read of every watched job's state. */
int parity_job_watch_on_connected(struct parity_app *app, struct parity_db *db)
{
  struct parity_job_watch *w = app->job_watch;
  if (!w)
    return PARITY_OK;
  struct parity_buf ids;
  parity_buf_init(&ids, PARITY_BUF_UNBOUNDED);
  parity_buf_add(&ids, "{", 1);
  pthread_mutex_lock(&w->lock);
  for (int i = 0; i < PARITY_JOB_WATCHERS_MAX; i++) {
    if (!w->slots[i].used)
      continue;
    char text[PARITY_I64_TEXT + 1];
    int n = snprintf(text, sizeof(text), "%s%lld", ids.len > 1 ? "," : "", (long long)w->slots[i].job_id);
    parity_buf_add(&ids, text, (size_t)n);
  }
  pthread_mutex_unlock(&w->lock);
  parity_buf_add(&ids, "}", 1);
  int rc = PARITY_OK;
  if (ids.len > 2) {
    PGresult *res = NULL;
    rc = PARITY_DB_EXEC(db, Q_JOB_EVENTS, &res, ids.data);
    for (int i = 0; !rc && i < PQntuples(res); i++)
      parity_job_watch_offer(w, PQgetvalue(res, i, 0));
    PQclear(res);
  }
  parity_buf_free(&ids);
  return rc;
}

int parity_job_watch_on_tick(struct parity_app *app, struct parity_db *db)
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC0(db, Q_JOBS_MARK_STUCK, &res);
  for (int i = 0; !rc && i < PQntuples(res); i++)
    parity_log(PARITY_LOG_ERROR, "job_stuck", "{s:s, s:s}", "job_id", PQgetvalue(res, i, 0), "type",
               PQgetvalue(res, i, 1));
  PQclear(res);
  res = NULL;
  if (!rc)
    rc = PARITY_DB_EXEC0(db, Q_JOBS_STUCK_COUNT, &res);
  if (!rc)
    parity_metric_set(app->metrics.jobs_stuck, atof(PQgetvalue(res, 0, 0)));
  PQclear(res);
  return rc;
}
