/*
 * The monthly rebalance run: one per period, refused when prices are stale, portfolios sent to decisional
 * in batches (CMD_REBALANCE_BATCH), each computed batch executed in one transaction, exactly once.
 */
#include "operational/svc_rebalance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/outbox.h"
#include "operational/queries.h"
#include "operational/svc_portfolio.h"
#include "operational/trade_exec.h"

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

/* Sends every eligible portfolio to decisional, PARITY_REBALANCE_BATCH_SIZE per CMD_REBALANCE_BATCH. */
static int create_batches(struct parity_db *db, const struct parity_config *cfg, int64_t run_id, int *portfolios,
                          int *batches)
{
  *portfolios = 0;
  *batches = 0;
  PGresult *users = NULL;
  int rc = PARITY_DB_EXEC0(db, Q_PORTFOLIOS_FOR_RUN, &users);
  if (rc)
    return rc;
  struct parity_portfolio_view *v = parity_xmalloc(sizeof(*v));
  json_t *batch = json_array();
  int n = PQntuples(users);
  char run[PARITY_I64_TEXT], no[PARITY_I64_TEXT], count[PARITY_I64_TEXT];
  parity_i64(run_id, run);
  for (int i = 0; i <= n && !rc; i++) {
    if (i < n) {
      int64_t user_id = strtoll(PQgetvalue(users, i, 0), NULL, 10);
      json_t *target = NULL;
      rc = parity_svc_portfolio_load(db, user_id, v);
      if (!rc && v->bucket[0] && v->value_cents > 0)
        rc = parity_svc_model_weights(db, v->bucket, &target, NULL, 0);
      if (!rc && target) {
        json_array_append_new(batch, json_pack("{s:I, s:I, s:o, s:o}", "ref", (json_int_t)user_id, "value_cents",
                                               (json_int_t)v->value_cents, "current", parity_portfolio_weights_new(v),
                                               "target", target));
        (*portfolios)++;
      }
    }
    bool flush = json_array_size(batch) == PARITY_REBALANCE_BATCH_SIZE || (i == n && json_array_size(batch) > 0);
    if (rc || !flush)
      continue;
    rc = PARITY_DB_EXEC(db, Q_BATCH_INSERT, NULL, run, parity_i64(*batches, no),
                        parity_i64((int64_t)json_array_size(batch), count));
    json_t *payload = json_pack("{s:I, s:i, s:f, s:b, s:O}", "run_id", (json_int_t)run_id, "batch_no", *batches,
                                "threshold", cfg->rebalance_threshold, "cash_first", 1, "portfolios", batch);
    if (!rc)
      rc = parity_outbox_enqueue(db, PARITY_CMD_REBALANCE_BATCH, payload, NULL);
    json_decref(payload);
    json_array_clear(batch);
    (*batches)++;
  }
  json_decref(batch);
  free(v);
  PQclear(users);
  return rc;
}

int parity_svc_rebalance_start(struct parity_db *db, const struct parity_config *cfg, const char *period,
                               struct parity_app_metrics *metrics, json_t **out, bool *resumed,
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
  int rc = parity_db_begin(db);
  PGresult *res = NULL;
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_RUN_INSERT, NULL, period);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_RUN_LOCK, &res, period);
  if (rc)
    return parity_db_rollback(db, rc);
  int64_t run_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
  char status[24];
  snprintf(status, sizeof(status), "%s", PQgetvalue(res, 0, 1));
  PQclear(res);
  char run[PARITY_I64_TEXT];
  parity_i64(run_id, run);
  *resumed = false;

  if (strcmp(status, "pending") == 0) {
    /* A new run (or one that stopped before it began): check the prices, then send the batches. */
    bool stale = false;
    long age = 0;
    rc = check_staleness(db, cfg, &stale, &age);
    if (!rc && stale) {
      char why[96];
      snprintf(why, sizeof(why), "the newest daily close is %ld days old (limit %ld)", age, cfg->staleness_max_days);
      rc = PARITY_DB_EXEC(db, Q_RUN_SET_STATUS, NULL, run, "stale_aborted", why);
      parity_metric_add(metrics->rebalance_stale_aborts, 1);
      parity_metric_add(metrics->rebalance_runs, 1, "stale_aborted");
      parity_log(PARITY_LOG_WARN, "rebalance_stale_abort", "{s:s, s:s}", "period", period, "reason", why);
    } else if (!rc) {
      int portfolios = 0, batches = 0;
      char p[PARITY_I64_TEXT], b[PARITY_I64_TEXT];
      rc = create_batches(db, cfg, run_id, &portfolios, &batches);
      if (!rc)
        rc = PARITY_DB_EXEC(db, Q_RUN_STARTED, NULL, run, parity_i64(portfolios, p), parity_i64(batches, b));
      if (!rc && batches == 0)
        parity_metric_add(metrics->rebalance_runs, 1, "complete");
    }
  } else {
    *resumed = true; /* re-posting a period resumes (the batches are on their way), never repeats */
  }
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
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
  *out = json_pack("{s:I, s:s, s:s, s:i, s:i, s:i, s:i, s:s, s:s?, s:s?}", "run_id", (json_int_t)run_id, "period",
                   PQgetvalue(res, 0, 1), "status", PQgetvalue(res, 0, 2), "portfolios", atoi(PQgetvalue(res, 0, 3)),
                   "batches", atoi(PQgetvalue(res, 0, 4)), "applied", atoi(PQgetvalue(res, 0, 5)), "trades",
                   atoi(PQgetvalue(res, 0, 6)), "started_at", PQgetvalue(res, 0, 7), "finished_at",
                   PQgetisnull(res, 0, 8) ? NULL : PQgetvalue(res, 0, 8), "error",
                   PQgetisnull(res, 0, 9) ? NULL : PQgetvalue(res, 0, 9));
  PQclear(res);
  return PARITY_OK;
}

/* One portfolio of a batch: locked, valued, moved toward its computed targets (sells allowed). */
static int apply_one(struct parity_db *db, const char *run, int64_t user_id, const char *targets_text,
                     struct parity_portfolio_view *v, int *trades)
{
  char uid[PARITY_I64_TEXT], cash[PARITY_I64_TEXT], pending[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_PORTFOLIO_LOCK, &res, parity_i64(user_id, uid));
  if (rc)
    return rc;
  bool exists = PQntuples(res) == 1;
  int64_t pending_cents = exists ? strtoll(PQgetvalue(res, 0, 1), NULL, 10) : 0;
  PQclear(res);
  json_t *targets = json_loads(targets_text, 0, NULL);
  if (!exists || !json_is_object(targets)) {
    json_decref(targets);
    return PARITY_OK; /* the portfolio went away or the row is unusable: nothing to trade */
  }
  rc = PARITY_DB_EXEC(db, Q_POSITIONS_LOCK, NULL, uid);
  if (!rc)
    rc = parity_svc_portfolio_load(db, user_id, v);
  int64_t delta = 0;
  struct parity_trade_origin origin = { "rebalance", NULL, run };
  if (!rc)
    rc = parity_trade_toward(db, user_id, v, targets, true, &origin, &delta, trades);
  int64_t new_cash = v->cash_cents + delta;
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_PORTFOLIO_SET_CASH, NULL, uid, parity_i64(new_cash, cash),
                        parity_i64(pending_cents < new_cash ? pending_cents : new_cash, pending));
  json_decref(targets);
  return rc;
}

int parity_svc_apply_batch(struct parity_db *db, int64_t run_id, int batch_no, struct parity_app_metrics *metrics,
                           int *trades)
{
  *trades = -1;
  char run[PARITY_I64_TEXT], no[PARITY_I64_TEXT], count[PARITY_I64_TEXT];
  parity_i64(run_id, run);
  parity_i64(batch_no, no);
  int rc = parity_db_begin(db);
  PGresult *res = NULL;
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_BATCH_LOCK, &res, run, no);
  if (rc)
    return parity_db_rollback(db, rc);
  bool ready = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "computed") == 0;
  PQclear(res);
  if (!ready)
    return parity_db_rollback(db, PARITY_OK); /* not computed yet, or applied already: no effect */
  rc = PARITY_DB_EXEC(db, Q_BATCH_TARGETS, &res, run, no);
  struct parity_portfolio_view *v = parity_xmalloc(sizeof(*v));
  int total = 0;
  for (int i = 0; !rc && i < PQntuples(res); i++) {
    int n = 0;
    rc = apply_one(db, run, strtoll(PQgetvalue(res, i, 0), NULL, 10), PQgetvalue(res, i, 1), v, &n);
    total += n;
  }
  free(v);
  PQclear(res);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_BATCH_APPLIED, NULL, run, no);
  PGresult *status = NULL;
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_RUN_BATCH_DONE, &status, run, parity_i64(total, count));
  bool complete = !rc && PQntuples(status) == 1 && strcmp(PQgetvalue(status, 0, 0), "complete") == 0;
  PQclear(status);
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  if (rc)
    return rc;
  *trades = total;
  if (complete) {
    parity_metric_add(metrics->rebalance_runs, 1, "complete");
    parity_metric_set(metrics->rebalance_last_success, (double)time(NULL));
  }
  parity_log(PARITY_LOG_INFO, "rebalance_batch_applied", "{s:I, s:i, s:i, s:b}", "run_id", (json_int_t)run_id,
             "batch_no", batch_no, "trades", total, "run_complete", complete);
  return PARITY_OK;
}

int parity_svc_rebalance_sweep(struct parity_db *db, struct parity_app_metrics *metrics)
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC0(db, Q_BATCHES_COMPUTED_STALE, &res);
  if (rc)
    return rc;
  for (int i = 0; i < PQntuples(res); i++) {
    int trades;
    parity_svc_apply_batch(db, strtoll(PQgetvalue(res, i, 0), NULL, 10), atoi(PQgetvalue(res, i, 1)), metrics, &trades);
  }
  PQclear(res);
  return PARITY_OK;
}
