/*
 * The rebalance pipeline's front half (svc_rebalance.h): runs, the keyset planner's step, deploys. A batch's
 * portfolios are read and valued with one statement and one price lookup, whatever their number.
 */
#include "operational/svc_rebalance.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/money.h"
#include "operational/outbox.h"
#include "operational/batch_prices.h"
#include "operational/queries.h"
#include "operational/svc_jobs.h"
#include "operational/svc_portfolio.h"

/* Staleness (SPEC §8): with bundled data the market clock is the data set's last day, so only live
 * data can be stale; *age_days is how old the newest close is against that clock. */
static int check_staleness(struct parity_db *db, const struct parity_config *cfg, bool *stale, long *age_days)
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC0(db, Q_LAST_PRICE_DAY, &res);
  if (rc)
    return rc;
  bool none = PQgetisnull(res, 0, 0);
  *age_days = none ? -1 : atol(PQgetvalue(res, 0, 2));
  PQclear(res);
  if (none)
    *stale = true;
  else if (strcmp(cfg->market_source, "bundled") == 0)
    *stale = false;
  else
    *stale = *age_days > cfg->staleness_max_days;
  return PARITY_OK;
}

static int run_by_period(struct parity_db *db, const char *period, int64_t *run_id)
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_RUN_BY_PERIOD, &res, period);
  if (rc)
    return rc;
  *run_id = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
  PQclear(res);
  return PARITY_OK;
}

/* The run and its job in one transaction; *run_id 0 when another POST created the period's run first. */
static int insert_run(struct parity_db *db, const char *period, const char *trigger, bool stale, const char *why,
                      int64_t *run_id)
{
  *run_id = 0;
  int64_t job_id = 0;
  json_t *params = json_pack("{s:s}", "period", period);
  int rc = parity_db_begin(db);
  if (!rc)
    rc = parity_jobs_create(db, PARITY_JOB_MONTHLY_REBALANCE, trigger, params, "queued", &job_id);
  json_decref(params);
  char job[PARITY_I64_TEXT];
  PGresult *res = NULL;
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_RUN_INSERT, &res, period, stale ? "stale_aborted" : "planning", stale ? why : NULL,
                        parity_i64(job_id, job));
  if (!rc && PQntuples(res) == 1)
    *run_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
  PQclear(res);
  if (rc || !*run_id)
    return parity_db_rollback(db, rc); /* the winner's run has its own job: this one goes too */
  return parity_db_commit(db);
}

int parity_svc_rebalance_start(struct parity_db *db, const struct parity_config *cfg, const char *period,
                               const char *trigger, struct parity_app_metrics *metrics, json_t **out, bool *resumed,
                               struct parity_svc_error *err)
{
  char this_month[PARITY_MONTH_TEXT];
  if (!period) {
    parity_month_format(parity_day_from_epoch(time(NULL), 0), this_month);
    period = this_month;
  }
  int year, month;
  if (parity_month_parse(period, &year, &month))
    return parity_svc_fail(err, PARITY_EINVAL, NULL, "period must be YYYY-MM");
  int64_t run_id = 0;
  int rc = run_by_period(db, period, &run_id);
  *resumed = run_id != 0; /* re-posting a period returns its run: the planner resumes it, nothing repeats */
  if (!rc && !run_id) {
    bool stale = false;
    long age = 0;
    char why[96] = "";
    rc = check_staleness(db, cfg, &stale, &age);
    if (!rc && stale)
      snprintf(why, sizeof(why), "the newest daily close is %ld days old (limit %ld)", age, cfg->staleness_max_days);
    if (!rc)
      rc = insert_run(db, period, trigger, stale, why, &run_id);
    if (!rc && run_id) {
      if (stale) {
        parity_metric_add(metrics->rebalance_stale_aborts, 1);
        parity_metric_add(metrics->rebalance_runs, 1, "stale_aborted");
        parity_log(PARITY_LOG_WARN, "rebalance_stale_abort", "{s:s, s:s}", "period", period, "reason", why);
      } else {
        parity_log(PARITY_LOG_INFO, "rebalance_run_created", "{s:s, s:I}", "period", period, "run_id",
                   (json_int_t)run_id);
      }
    } else if (!rc) {
      *resumed = true; /* another POST (here or on another replica) created it a moment ago */
      rc = run_by_period(db, period, &run_id);
    }
  }
  if (!rc)
    rc = parity_svc_rebalance_run_get(db, run_id, out);
  return rc;
}

int parity_svc_rebalance_run_get(struct parity_db *db, int64_t run_id, json_t **out)
{
  char run[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_RUN_GET, &res, parity_i64(run_id, run));
  if (rc)
    return rc;
  if (PQntuples(res) != 1) {
    PQclear(res);
    return PARITY_ENOTFOUND;
  }
  const char *status = PQgetvalue(res, 0, 2);
  long portfolios = atol(PQgetvalue(res, 0, 3)), done = atol(PQgetvalue(res, 0, 10));
  double seconds = atof(PQgetvalue(res, 0, 12));
  bool planning = strcmp(status, "planning") == 0;
  double rate = seconds > 0 ? (double)done / seconds : 0.0;
  /* The total is known once planning has passed the last portfolio; an ETA only then. */
  json_t *total = planning ? json_null() : json_integer(portfolios);
  json_t *eta =
      strcmp(status, "running") == 0 && rate > 0 ? json_real(ceil((double)(portfolios - done) / rate)) : json_null();
  *out = json_pack("{s:I, s:s, s:s, s:i, s:o, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:o, s:s, s:s?, s:s?}", "run_id",
                   (json_int_t)run_id, "period", PQgetvalue(res, 0, 1), "status", status, "portfolios", (int)portfolios,
                   "portfolios_total", total, "portfolios_done", (int)done, "batches", atoi(PQgetvalue(res, 0, 4)),
                   "batches_computed", atoi(PQgetvalue(res, 0, 11)), "batches_applied", atoi(PQgetvalue(res, 0, 5)),
                   "applied", atoi(PQgetvalue(res, 0, 5)), "trades", atoi(PQgetvalue(res, 0, 6)), "rate_per_second",
                   round(rate * 10) / 10, "eta_seconds", eta, "started_at", PQgetvalue(res, 0, 7), "finished_at",
                   PQgetisnull(res, 0, 8) ? NULL : PQgetvalue(res, 0, 8), "error",
                   PQgetisnull(res, 0, 9) ? NULL : PQgetvalue(res, 0, 9));
  json_object_set_new(*out, "job_id",
                      PQgetisnull(res, 0, 13) ? json_null() : json_integer(atoll(PQgetvalue(res, 0, 13))));
  PQclear(res);
  return PARITY_OK;
}

/* ------------------------------------------------------------------ reading and valuing portfolios */

/* {bucket: weights} of every current model (15 rows). */
static int load_models(struct parity_db *db, json_t **models)
{
  *models = json_object();
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC0(db, Q_MODELS_CURRENT_ALL, &res);
  for (int i = 0; !rc && i < PQntuples(res); i++) {
    json_t *w = json_loads(PQgetvalue(res, i, 3), 0, NULL);
    if (json_is_object(w))
      json_object_set_new(*models, PQgetvalue(res, i, 0), w);
    else
      json_decref(w);
  }
  PQclear(res);
  return rc;
}

/* Appends {ref, bucket, value_cents, current} for the portfolio in v when it can be rebalanced. */
static void add_portfolio(json_t *portfolios, int64_t user_id, struct parity_portfolio_view *v, bool busy,
                          const json_t *models)
{
  v->value_cents = v->positions_value_cents + v->cash_cents;
  if (busy || v->value_cents <= 0 || !json_object_get(models, v->bucket))
    return;
  json_array_append_new(portfolios, json_pack("{s:I, s:s, s:I, s:o}", "ref", (json_int_t)user_id, "bucket", v->bucket,
                                              "value_cents", (json_int_t)v->value_cents, "current",
                                              parity_portfolio_weights_new(v)));
}

/*
 * Up to `limit` bucketed portfolios after user `after`, valued at the newest prices: the eligible ones
 * (a model for their bucket, some value, no open deploy when skip_busy) go into `portfolios`. *last is the
 * last user id read, *read how many were read.
 */
static int plan_read(struct parity_db *db, int64_t after, long limit, const json_t *models, bool skip_busy,
                     json_t *portfolios, int64_t *last, int *read)
{
  *read = 0;
  char a[PARITY_I64_TEXT], l[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_PLAN_PORTFOLIOS, &res, parity_i64(after, a), parity_i64(limit, l));
  if (rc)
    return rc;
  struct parity_batch_prices *prices = parity_xcalloc(1, sizeof(*prices));
  int n = PQntuples(res);
  for (int i = 0; i < n; i++)
    if (!PQgetisnull(res, i, 4))
      parity_batch_prices_want(prices, PQgetvalue(res, i, 4));
  rc = parity_batch_prices_load(db, prices);
  struct parity_portfolio_view *v = parity_xmalloc(sizeof(*v));
  int64_t current = 0;
  bool busy = false;
  for (int i = 0; !rc && i <= n; i++) {
    int64_t user_id = i < n ? strtoll(PQgetvalue(res, i, 0), NULL, 10) : 0;
    if (i == n || user_id != current) {
      if (current)
        add_portfolio(portfolios, current, v, busy, models);
      if (i == n)
        break;
      memset(v, 0, offsetof(struct parity_portfolio_view, positions));
      current = user_id;
      (*read)++;
      *last = user_id;
      snprintf(v->bucket, sizeof(v->bucket), "%s", PQgetvalue(res, i, 1));
      v->cash_cents = strtoll(PQgetvalue(res, i, 2), NULL, 10);
      busy = skip_busy && strcmp(PQgetvalue(res, i, 3), "t") == 0;
    }
    if (PQgetisnull(res, i, 4) || v->n == PARITY_PORTFOLIO_MAX_POSITIONS)
      continue;
    struct parity_position_view *p = &v->positions[v->n++];
    snprintf(p->symbol, sizeof(p->symbol), "%s", PQgetvalue(res, i, 4));
    p->shares_micro = strtoll(PQgetvalue(res, i, 5), NULL, 10);
    p->price = parity_batch_prices_get(prices, p->symbol);
    p->value_cents = parity_value_cents(p->shares_micro, parity_price_micros(p->price));
    v->positions_value_cents += p->value_cents;
  }
  free(v);
  free(prices);
  PQclear(res);
  return rc;
}

/* The batch row and its command, in the caller's transaction. run_id 0: a deploy of user_id. */
static int write_batch(struct parity_db *db, const struct parity_config *cfg, int64_t run_id, int64_t job_id,
                       long batch_no, int64_t user_id, const json_t *models, json_t *portfolios, int64_t *batch_id,
                       char message_id[PARITY_UUID_TEXT])
{
  bool deploy = run_id == 0;
  char run[PARITY_I64_TEXT], no[PARITY_I64_TEXT], count[PARITY_I64_TEXT], uid[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_BATCH_INSERT, &res, deploy ? NULL : parity_i64(run_id, run), parity_i64(batch_no, no),
                          parity_i64((int64_t)json_array_size(portfolios), count), deploy ? "deploy" : "monthly",
                          deploy ? "true" : "false", deploy ? parity_i64(user_id, uid) : NULL);
  if (rc)
    return rc;
  *batch_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
  PQclear(res);
  /* Each bucket's model once, for the buckets of this batch. */
  json_t *used = json_object();
  size_t i;
  json_t *p;
  json_array_foreach(portfolios, i, p) {
    const char *bucket = json_string_value(json_object_get(p, "bucket"));
    if (!json_object_get(used, bucket))
      json_object_set(used, bucket, json_object_get(models, bucket));
  }
  json_t *payload = json_pack("{s:I, s:s, s:f, s:b, s:b, s:o, s:O}", "batch_id", (json_int_t)*batch_id, "kind",
                              deploy ? "deploy" : "monthly", "threshold", cfg->rebalance_threshold, "cash_first", 1,
                              "no_sells", deploy, "models", used, "portfolios", portfolios);
  if (!deploy) {
    json_object_set_new(payload, "run_id", json_integer(run_id));
    json_object_set_new(payload, "batch_no", json_integer(batch_no));
  }
  if (job_id)
    json_object_set_new(payload, "job_id", json_integer(job_id));
  rc = parity_outbox_enqueue(db, PARITY_CMD_REBALANCE_BATCH, payload, message_id);
  json_decref(payload);
  return rc;
}

int parity_rebalance_plan_step(struct parity_db *db, const struct parity_config *cfg,
                               struct parity_app_metrics *metrics, bool *planned)
{
  *planned = false;
  int rc = parity_db_begin(db);
  PGresult *res = NULL;
  if (!rc)
    rc = PARITY_DB_EXEC0(db, Q_RUN_CLAIM_PLANNING, &res);
  if (rc)
    return parity_db_rollback(db, rc);
  if (PQntuples(res) != 1) {
    PQclear(res);
    return parity_db_rollback(db, PARITY_OK);
  }
  int64_t run_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
  PQclear(res);
  char run[PARITY_I64_TEXT], through[PARITY_I64_TEXT], count[PARITY_I64_TEXT];
  parity_i64(run_id, run);
  rc = PARITY_DB_EXEC(db, Q_RUN_PLAN_STATE, &res, run);
  if (rc || PQntuples(res) != 1) {
    PQclear(res);
    return parity_db_rollback(db, rc); /* planned to the end by another step meanwhile */
  }
  int64_t cursor = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
  long batches = atol(PQgetvalue(res, 0, 1)), applied = atol(PQgetvalue(res, 0, 2));
  int64_t job_id = PQgetisnull(res, 0, 3) ? 0 : strtoll(PQgetvalue(res, 0, 3), NULL, 10);
  PQclear(res);
  if (batches - applied >= PARITY_REBALANCE_PLAN_AHEAD)
    return parity_db_rollback(db, PARITY_OK); /* far enough ahead: an applied batch kicks us again */

  json_t *models = NULL, *portfolios = json_array();
  int64_t last = cursor, batch_id = 0;
  int read = 0;
  char message_id[PARITY_UUID_TEXT];
  rc = load_models(db, &models);
  if (!rc)
    rc = plan_read(db, cursor, cfg->rebalance_batch_size, models, true, portfolios, &last, &read);
  size_t n = json_array_size(portfolios);
  bool complete = false;
  if (!rc && read == 0) {
    /* Past the last portfolio: the total is known now. */
    rc = PARITY_DB_EXEC(db, Q_RUN_PLANNED, &res, run);
    complete = !rc && strcmp(PQgetvalue(res, 0, 0), "complete") == 0;
    PQclear(res);
  } else if (!rc) {
    if (n > 0)
      rc = write_batch(db, cfg, run_id, job_id, batches, 0, models, portfolios, &batch_id, message_id);
    if (!rc)
      rc = PARITY_DB_EXEC(db, Q_RUN_PLANNED_BATCH, NULL, run, parity_i64(last, through), n > 0 ? "1" : "0",
                          parity_i64((int64_t)n, count));
    /* The job knows its commands, so a retry re-sends exactly those whose effect never committed. After the
     * run's row: every writer locks the run before its job (the appliers' trigger does), so none deadlock. */
    if (!rc && n > 0 && job_id)
      rc = parity_jobs_add_message(db, job_id, message_id);
  }
  json_decref(models);
  json_decref(portfolios);
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  if (rc)
    return rc;
  *planned = true;
  if (read == 0)
    parity_log(PARITY_LOG_INFO, "rebalance_run_planned", "{s:I, s:i, s:b}", "run_id", (json_int_t)run_id, "batches",
               (int)batches, "complete", complete);
  if (complete) {
    parity_metric_add(metrics->rebalance_runs, 1, "complete");
    parity_metric_set(metrics->rebalance_last_success, (double)time(NULL));
  }
  return PARITY_OK;
}

int parity_rebalance_open_deploy(struct parity_db *db, const struct parity_config *cfg, int64_t user_id,
                                 const char **status)
{
  char uid[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_DEPLOY_OPEN_FOR_USER, &res, parity_i64(user_id, uid));
  if (rc)
    return rc;
  bool open = PQntuples(res) > 0;
  PQclear(res);
  if (open) {
    *status = "queued_behind_open_request";
    return PARITY_OK;
  }
  json_t *models = NULL, *portfolios = json_array();
  int64_t last = 0, batch_id = 0;
  int read = 0;
  rc = load_models(db, &models);
  if (!rc)
    rc = plan_read(db, user_id - 1, 1, models, false, portfolios, &last, &read);
  *status = "waiting_for_model";
  if (!rc && json_array_size(portfolios) == 1 && last == user_id) {
    char message_id[PARITY_UUID_TEXT];
    rc = write_batch(db, cfg, 0, 0, 0, user_id, models, portfolios, &batch_id, message_id);
    if (!rc)
      *status = "deploying";
  }
  json_decref(models);
  json_decref(portfolios);
  return rc;
}
