/* The /internal endpoints that Kubernetes CronJobs (or the in-process schedule) call. Internal port only. */
#include <string.h>

#include "common/calendar.h"
#include "common/errors.h"
#include "operational/app.h"
#include "operational/handlers.h"
#include "operational/svc_market_quality.h"
#include "operational/svc_dividends.h"
#include "operational/svc_harvest.h"
#include "operational/svc_jobs.h"
#include "operational/svc_pipeline.h"

typedef int (*pipeline_fn)(struct parity_db *db, const struct parity_config *cfg, const char *trigger, json_t **out);

/* Who started the job the request starts: a CronJob and the CLI say so in a header, anything else is "api". */
int h_job_trigger(struct parity_request *req, struct parity_response *res, const char **trigger)
{
  *trigger = parity_jobs_request_trigger(parity_req_header(req, PARITY_JOBS_TRIGGER_HEADER));
  if (!*trigger)
    return parity_res_error(res, PARITY_EINVAL, NULL, "%s must be cronjob, cli or api", PARITY_JOBS_TRIGGER_HEADER);
  return PARITY_OK;
}

static int run_pipeline(struct parity_request *req, struct parity_response *res, pipeline_fn fn)
{
  const char *trigger;
  int rc = h_job_trigger(req, res, &trigger);
  if (rc)
    return rc;
  struct parity_db *db;
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *body = NULL;
  rc = fn(db, &req->app->cfg, trigger, &body);
  parity_db_pool_release(&req->app->pool, db);
  if (rc)
    return rc;
  parity_wakeup_kick(&req->app->outbox_wake);
  return parity_res_json(res, 202, body);
}

int h_pipeline_daily(struct parity_request *req, struct parity_response *res)
{
  return run_pipeline(req, res, parity_svc_pipeline_daily);
}

int h_pipeline_intraday(struct parity_request *req, struct parity_response *res)
{
  return run_pipeline(req, res, parity_svc_pipeline_intraday);
}

int h_pipeline_generate(struct parity_request *req, struct parity_response *res)
{
  return run_pipeline(req, res, parity_svc_pipeline_generate);
}

/* A job the request starts and waits for, on one pooled connection: 200 with what it did. */
typedef int (*job_fn)(struct parity_app *app, struct parity_db *db, const char *trigger, json_t **out);

static int run_job(struct parity_request *req, struct parity_response *res, job_fn fn)
{
  const char *trigger;
  int rc = h_job_trigger(req, res, &trigger);
  if (rc)
    return rc;
  struct parity_db *db;
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *body = NULL;
  rc = fn(req->app, db, trigger, &body);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? rc : parity_res_json(res, 200, body);
}

static int cleanup_job(struct parity_app *app, struct parity_db *db, const char *trigger, json_t **out)
{
  (void)app;
  return parity_svc_cleanup(db, trigger, out);
}

int h_cleanup(struct parity_request *req, struct parity_response *res)
{
  return run_job(req, res, cleanup_job);
}

int h_market_quality(struct parity_request *req, struct parity_response *res)
{
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *body = NULL;
  struct parity_svc_error err = { 0 };
  rc = parity_svc_market_quality(db, parity_req_query(req, "symbol"), parity_req_query(req, "severity"),
                                 parity_req_query(req, "limit"), &body, &err);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? parity_res_svc_error(res, rc, &err) : parity_res_json(res, 200, body);
}

int h_market_splits_apply(struct parity_request *req, struct parity_response *res)
{
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *body = NULL;
  rc = parity_db_begin(db);
  if (!rc)
    rc = parity_svc_splits_apply(db, &body);
  if (!rc)
    rc = parity_db_commit(db);
  else
    parity_db_rollback(db, rc);
  parity_db_pool_release(&req->app->pool, db);
  if (rc)
    json_decref(body);
  return rc ? rc : parity_res_json(res, 200, body);
}

/* POST /internal/dividends/credit[?day=YYYY-MM-DD]: one ex-date (again, harmlessly), or the daily catch-up; a
 * dividend_credit job either way. */
int h_dividends_credit(struct parity_request *req, struct parity_response *res)
{
  const char *day = parity_req_query(req, "day");
  int32_t parsed;
  if (day && parity_day_parse(day, strlen(day), &parsed))
    return parity_res_error(res, PARITY_EINVAL, NULL, "day must be YYYY-MM-DD");
  const char *trigger;
  int rc = h_job_trigger(req, res, &trigger);
  if (rc)
    return rc;
  struct parity_db *db;
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *body = NULL;
  rc = parity_svc_dividends_credit_job(db, day, NULL, trigger, &req->app->metrics, &body);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? rc : parity_res_json(res, 200, body);
}

static int harvest_job(struct parity_app *app, struct parity_db *db, const char *trigger, json_t **out)
{
  return parity_svc_harvest_run(db, &app->cfg, trigger, &app->metrics, out);
}

/* POST /internal/harvest: today's tax-loss harvest as a job (the CronJob's; the daily pipeline runs it too).
 * Answers when it is done, with its job id and counters; a second run the same day harvests no one twice. */
int h_harvest_run(struct parity_request *req, struct parity_response *res)
{
  return run_job(req, res, harvest_job);
}
