/* Cash dividends into the ledger (svc_dividends.h): one set-based statement per ex-date. */
#include "operational/svc_dividends.h"

#include <stdlib.h>
#include <string.h>

#include "common/calendar.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/app.h"
#include "operational/queries.h"
#include "operational/svc_jobs.h"

json_t *parity_dividend_credit_json(const char *day, const struct parity_dividend_credit *c)
{
  return json_pack("{s:s, s:I, s:I, s:I}", "ex_day", day, "payments", (json_int_t)c->payments, "cents",
                   (json_int_t)c->cents, "portfolios", (json_int_t)c->portfolios);
}

int parity_svc_dividends_credit_day(struct parity_db *db, const char *day, int64_t job_id,
                                    struct parity_app_metrics *metrics, struct parity_dividend_credit *out)
{
  *out = (struct parity_dividend_credit){ 0 };
  int32_t parsed;
  if (!day || parity_day_parse(day, strlen(day), &parsed))
    return PARITY_EINVAL;
  int rc = parity_db_begin(db);
  if (rc)
    return rc;
  PGresult *res = NULL;
  rc = PARITY_DB_EXEC(db, Q_DIVIDENDS_CREDIT_DAY, &res, day, NULL);
  if (!rc) {
    out->payments = atol(PQgetvalue(res, 0, 0));
    out->cents = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    out->portfolios = atol(PQgetvalue(res, 0, 2));
  }
  PQclear(res);
  char payments[PARITY_I64_TEXT], cents[PARITY_I64_TEXT], job[PARITY_I64_TEXT];
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_DIVIDENDS_DAY_DONE, NULL, day, parity_i64(out->payments, payments),
                        parity_i64(out->cents, cents), job_id ? parity_i64(job_id, job) : NULL);
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  if (rc) {
    *out = (struct parity_dividend_credit){ 0 };
    return rc;
  }
  if (metrics) {
    parity_metric_add(metrics->dividend_payments, (double)out->payments);
    parity_metric_add(metrics->dividend_cents, (double)out->cents);
  }
  if (out->payments)
    parity_log(PARITY_LOG_INFO, "dividends_credited", "{s:s, s:I, s:I, s:I}", "ex_day", day, "payments",
               (json_int_t)out->payments, "cents", (json_int_t)out->cents, "portfolios", (json_int_t)out->portfolios);
  return PARITY_OK;
}

/* The newest close day ("" when there is no price at all). */
static int newest_close(struct parity_db *db, char day[PARITY_DAY_TEXT])
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC0(db, Q_LAST_PRICE_DAY, &res);
  if (rc)
    return rc;
  day[0] = '\0';
  if (!PQgetisnull(res, 0, 0))
    snprintf(day, PARITY_DAY_TEXT, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  return PARITY_OK;
}

int parity_svc_dividends_catch_up(struct parity_db *db, const char *through, int64_t job_id,
                                  struct parity_app_metrics *metrics, json_t **out)
{
  if (out)
    *out = NULL;
  char last[PARITY_DAY_TEXT];
  int32_t parsed;
  int rc = PARITY_OK;
  if (through && *through) {
    if (parity_day_parse(through, strlen(through), &parsed))
      return PARITY_EINVAL;
    snprintf(last, sizeof(last), "%s", through);
  } else {
    rc = newest_close(db, last);
  }
  json_t *days = json_array();
  struct parity_dividend_credit total = { 0 };
  PGresult *res = NULL;
  char window[PARITY_I64_TEXT];
  if (!rc && *last)
    rc = PARITY_DB_EXEC(db, Q_DIVIDENDS_DAYS_DUE, &res, last, parity_i64(PARITY_DIVIDEND_CATCH_UP_DAYS, window));
  int due = res ? PQntuples(res) : 0;
  if (!rc && job_id)
    rc = parity_jobs_progress(db, job_id, 0, due);
  for (int i = 0; !rc && i < due; i++) {
    struct parity_dividend_credit c;
    rc = parity_svc_dividends_credit_day(db, PQgetvalue(res, i, 0), job_id, metrics, &c);
    if (rc)
      break;
    json_array_append_new(days, parity_dividend_credit_json(PQgetvalue(res, i, 0), &c));
    total.payments += c.payments;
    total.cents += c.cents;
    if (job_id)
      rc = parity_jobs_progress(db, job_id, i + 1, due);
  }
  PQclear(res);
  if (!rc && out)
    *out = json_pack("{s:s?, s:O, s:I, s:I}", "through", *last ? last : NULL, "days", days, "payments",
                     (json_int_t)total.payments, "cents", (json_int_t)total.cents);
  json_decref(days);
  return rc;
}

/* One ex-date asked for by day, answered in the catch-up's shape. */
static int credit_one_day(struct parity_db *db, const char *day, int64_t job_id, struct parity_app_metrics *metrics,
                          json_t **out)
{
  struct parity_dividend_credit c;
  int rc = job_id ? parity_jobs_progress(db, job_id, 0, 1) : PARITY_OK;
  if (!rc)
    rc = parity_svc_dividends_credit_day(db, day, job_id, metrics, &c);
  if (!rc && job_id)
    rc = parity_jobs_progress(db, job_id, 1, 1);
  if (!rc)
    *out = json_pack("{s:s, s:[o], s:I, s:I}", "through", day, "days", parity_dividend_credit_json(day, &c), "payments",
                     (json_int_t)c.payments, "cents", (json_int_t)c.cents);
  return rc;
}

int parity_svc_dividends_credit_job(struct parity_db *db, const char *day, const char *through, const char *trigger,
                                    struct parity_app_metrics *metrics, json_t **out)
{
  if (out)
    *out = NULL;
  int64_t job_id = 0;
  json_t *params = day ? json_pack("{s:s}", "day", day) : json_pack("{s:s?}", "through", through);
  int rc = parity_jobs_create(db, PARITY_JOB_DIVIDEND_CREDIT, trigger, params, "running", &job_id);
  json_decref(params);
  if (rc)
    return rc;
  json_t *body = NULL;
  rc = day ? credit_one_day(db, day, job_id, metrics, &body)
           : parity_svc_dividends_catch_up(db, through, job_id, metrics, &body);
  /* A day that failed rolled back alone; the days before it stay credited, and a re-run goes on. */
  json_t *counters =
      body ? json_pack("{s:I, s:O, s:O}", "days", (json_int_t)json_array_size(json_object_get(body, "days")),
                       "payments", json_object_get(body, "payments"), "cents", json_object_get(body, "cents"))
           : json_object();
  int frc = parity_jobs_finish(db, job_id, rc ? "failed" : "succeeded", rc ? parity_err_str(rc) : NULL, counters);
  json_decref(counters);
  rc = rc ? rc : frc;
  if (!rc && body)
    json_object_set_new(body, "job_id", json_integer(job_id));
  if (!rc && out)
    *out = body;
  else
    json_decref(body);
  return rc;
}
