/* GET /internal/jobs, GET /internal/jobs/{id}, its event stream, POST /internal/jobs/{id}/retry (internal port). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/app.h"
#include "operational/handlers.h"
#include "operational/job_watch.h"
#include "operational/queries.h"
#include "operational/sse.h"
#include "operational/svc_jobs.h"

static int job_id_param(struct parity_request *req, struct parity_response *res, int64_t *id)
{
  if (parity_jobs_cursor_parse(req->params[0], id))
    return parity_res_error(res, PARITY_ENOTFOUND, NULL, "no such job");
  return PARITY_OK;
}

int h_jobs_list(struct parity_request *req, struct parity_response *res)
{
  struct parity_jobs_query q = { parity_req_query(req, "type"), parity_req_query(req, "status"),
                                 parity_req_query(req, "since"), parity_req_query(req, "cursor"),
                                 parity_req_query(req, "limit") };
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *out = NULL;
  struct parity_svc_error err = { 0 };
  rc = parity_svc_jobs_list(db, &q, &out, &err);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? parity_res_svc_error(res, rc, &err) : parity_res_json(res, 200, out);
}

int h_job_get(struct parity_request *req, struct parity_response *res)
{
  int64_t id;
  int rc = job_id_param(req, res, &id);
  if (rc)
    return rc;
  struct parity_db *db;
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *out = NULL;
  rc = parity_svc_jobs_get(db, id, &out);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? parity_res_error(res, rc, NULL, rc == PARITY_ENOTFOUND ? "no such job" : NULL)
            : parity_res_json(res, 200, out);
}

int h_job_retry(struct parity_request *req, struct parity_response *res)
{
  int64_t id;
  int rc = job_id_param(req, res, &id);
  if (rc)
    return rc;
  struct parity_db *db;
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *out = NULL;
  struct parity_svc_error err = { 0 };
  rc = parity_svc_jobs_retry(db, id, &out, &err);
  parity_db_pool_release(&req->app->pool, db);
  if (rc)
    return parity_res_svc_error(res, rc, &err);
  parity_wakeup_kick(&req->app->outbox_wake);
  parity_wakeup_kick(&req->app->planner_wake);
  return parity_res_json(res, 202, out);
}

/* ------------------------------------------------------------------ the event stream */

/* One stream's state, owned by the response once it is queued. */
struct job_stream {
  struct parity_app *app;
  int slot;
  int64_t rev;     /* of the last state sent */
  bool ended;      /* the final state is in buf */
  time_t last_out; /* CLOCK_MONOTONIC seconds of the last bytes produced */
  struct parity_buf buf;
  size_t off; /* bytes of buf already handed to libmicrohttpd */
};

static time_t monotonic_seconds(void)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec;
}

/* The next frame into s->buf: a state newer than the last one sent, else a heartbeat when one is due.
 * false when neither came in this wait (the caller asks again) or the process is going down. */
static bool next_frame(struct job_stream *s)
{
  char *event = NULL;
  bool final = false;
  if (parity_job_watch_next(s->app->job_watch, s->slot, &s->rev, &event, &final, PARITY_JOB_WATCH_SLICE_MS,
                            &s->app->stopping)) {
    char id[PARITY_I64_TEXT];
    parity_sse_event(&s->buf, parity_i64(s->rev, id), final ? "end" : "progress", event);
    free(event);
    s->ended = final;
    s->last_out = monotonic_seconds();
    return true;
  }
  if (monotonic_seconds() - s->last_out >= PARITY_JOB_HEARTBEAT_SECONDS) {
    parity_sse_comment(&s->buf, "heartbeat");
    s->last_out = monotonic_seconds();
    return true;
  }
  return false;
}

/* libmicrohttpd's reader, on the connection's own thread (thread per connection), so it may wait here. */
static ssize_t job_stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
  (void)pos;
  struct job_stream *s = cls;
  while (s->off == s->buf.len) {
    parity_buf_clear(&s->buf);
    s->off = 0;
    if (s->ended || atomic_load(&s->app->draining) || atomic_load(&s->app->stopping))
      return MHD_CONTENT_READER_END_OF_STREAM;
    next_frame(s);
  }
  size_t n = s->buf.len - s->off < max ? s->buf.len - s->off : max;
  memcpy(out, s->buf.data + s->off, n);
  s->off += n;
  return (ssize_t)n;
}

static void job_stream_free(void *cls)
{
  struct job_stream *s = cls;
  parity_job_watch_unsubscribe(s->app->job_watch, s->slot);
  parity_metric_set(s->app->metrics.job_watchers, parity_job_watch_count(s->app->job_watch));
  parity_buf_free(&s->buf);
  free(s);
}

int h_job_events(struct parity_request *req, struct parity_response *res)
{
  int64_t id;
  int rc = job_id_param(req, res, &id);
  if (rc)
    return rc;
  struct parity_app *app = req->app;
  int slot;
  /* Subscribed before the job is read, so a change committed in between is not missed. */
  if (parity_job_watch_subscribe(app->job_watch, id, &slot)) {
    res->retry_after = PARITY_JOB_WATCH_RETRY_AFTER_SECONDS;
    return parity_res_error(res, PARITY_EUNAVAILABLE, NULL, "%d job streams are open already; try again later",
                            PARITY_JOB_WATCHERS_MAX);
  }
  struct parity_db *db;
  rc = parity_db_pool_acquire(&app->pool, &db);
  PGresult *now = NULL;
  char ids[PARITY_I64_TEXT + 2];
  snprintf(ids, sizeof(ids), "{%lld}", (long long)id);
  if (!rc) {
    rc = PARITY_DB_EXEC(db, Q_JOB_EVENTS, &now, ids);
    parity_db_pool_release(&app->pool, db);
  }
  if (!rc && PQntuples(now) != 1)
    rc = parity_res_error(res, PARITY_ENOTFOUND, NULL, "no such job");
  if (!rc)
    parity_job_watch_offer(app->job_watch, PQgetvalue(now, 0, 0));
  PQclear(now);
  if (rc) {
    parity_job_watch_unsubscribe(app->job_watch, slot);
    return rc;
  }
  struct job_stream *s = calloc(1, sizeof(*s));
  if (!s)
    abort();
  *s = (struct job_stream){ .app = app, .slot = slot, .rev = -1, .last_out = monotonic_seconds() };
  parity_buf_init(&s->buf, PARITY_BUF_UNBOUNDED);
  parity_metric_set(app->metrics.job_watchers, parity_job_watch_count(app->job_watch));
  /* Proxies must pass each event on as it comes, not buffer the stream. */
  parity_res_header(res, "X-Accel-Buffering", "no");
  return parity_res_stream(res, "text/event-stream", job_stream_read, job_stream_free, s);
}
