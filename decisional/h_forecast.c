/* CMD_FORECAST: GBM Monte Carlo on a portfolio's weights; the result, or why there is none, into forecasts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/log.h"
#include "decisional/job.h"
#include "decisional/models.h"
#include "decisional/quant/mc.h"
#include "decisional/queries.h"

_Static_assert(PARITY_MAX_VALUE_CENTS <= PARITY_MC_MAX_CENTS,
               "a forecast the contract admits must fit the Monte Carlo guard");

#define FORECAST_QUANTILE_DEFINITION                                                                                   \
  "type 7 (numpy's default): linear interpolation between the order statistics at (n - 1) p"
#define FORECAST_RETURN_MODEL "gbm_monthly_exact"
/* Percentile bands are answered in whole cents while a JSON double still holds the integer exactly. */
#define FORECAST_EXACT_CENTS_LIMIT 9007199254740992.0 /* 2^53 */
/* A symbol list for the series query: every symbol fits in 2 quotes and a comma. */
#define FORECAST_SYMBOL_LIST_MAX (PARITY_MODELS_MAX_SYMBOLS * (PARITY_SYMBOL_MAX + 3) + 3)
#define FORECAST_REASON_MAX 300

/* Whole cents as a JSON number (an integer when exact, else a rounded real). */
static json_t *cents_json(double v)
{
  double r = round(v);
  return fabs(r) < FORECAST_EXACT_CENTS_LIMIT ? json_integer((json_int_t)r) : json_real(r);
}

/*
 * The newest lookback + 1 adjusted closes of each non-cash symbol, oldest first, in one round trip.
 * That tail always covers the window parity_models_forecast_inputs() aligns on: a symbol's days are a
 * subset of the union calendar, so its (lookback + 1)-th newest day is no later than the union's.
 */
static int read_tails(struct parity_db *db, const struct parity_weight *w, size_t nw, int lookback,
                      struct parity_bar_series *out, size_t *n_out)
{
  char list[FORECAST_SYMBOL_LIST_MAX];
  size_t len = 0;
  list[len++] = '{';
  for (size_t i = 0; i < nw; i++) {
    if (strcmp(w[i].symbol, PARITY_QUANT_CASH) == 0)
      continue;
    /* Symbols passed parity_symbol_valid(): no quote, comma, brace or backslash can appear. */
    len += (size_t)snprintf(list + len, sizeof(list) - len, "%s\"%s\"", len > 1 ? "," : "", w[i].symbol);
  }
  list[len++] = '}';
  list[len] = '\0';
  char limit[16];
  snprintf(limit, sizeof(limit), "%d", lookback + 1);

  *n_out = 0;
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, QD_FORECAST_SERIES, &res, list, limit);
  if (rc)
    return rc;
  struct parity_bar_series *cur = NULL;
  for (int r = 0; r < PQntuples(res); r++) {
    const char *symbol = PQgetvalue(res, r, 0);
    if (!cur || strcmp(cur->symbol, symbol) != 0) {
      cur = &out[(*n_out)++];
      snprintf(cur->symbol, sizeof(cur->symbol), "%s", symbol);
    }
    struct parity_bar bar = { .day = (int32_t)atol(PQgetvalue(res, r, 1)) };
    bar.adj_close = bar.open = bar.high = bar.low = bar.close = atof(PQgetvalue(res, r, 2));
    parity_bar_series_push(cur, &bar);
  }
  PQclear(res);
  return PARITY_OK;
}

/* Percentile levels from the payload (percent, e.g. [5, 50, 95]) into fractions; mc.c checks the order. */
static int levels_from_payload(const json_t *pct, double *levels, size_t *n, char *why, size_t why_len)
{
  *n = 0;
  if (!pct)
    return PARITY_OK;
  size_t i;
  const json_t *v;
  json_array_foreach(pct, i, v) {
    if (!json_is_number(v) || i >= PARITY_MC_MAX_PCT) {
      snprintf(why, why_len, "percentiles must be at most %d numbers in (0, 100)", PARITY_MC_MAX_PCT);
      return PARITY_EINVAL;
    }
    levels[(*n)++] = json_number_value(v) / 100.0;
  }
  if (*n == 0) {
    snprintf(why, why_len, "percentiles must not be empty");
    return PARITY_EINVAL;
  }
  return PARITY_OK;
}

/* The stored result: months, the bands in cents, goal probability, the inputs, the closed-form median. */
static json_t *result_json(const struct parity_mc_result *mc, const struct parity_forecast_inputs *in,
                           const struct parity_mc_params *p)
{
  json_t *out = json_object(), *months = json_array(), *median = json_array(), *mean = json_array();
  for (int m = 0; m <= mc->months; m++) {
    json_array_append_new(months, json_integer(m));
    double t = (double)m / 12.0;
    /* V0 exp((mu - sigma^2/2) t): the exact median of GBM without contributions (SPEC §8's check). */
    json_array_append_new(median,
                          cents_json((double)p->initial_cents * exp((mc->mu - 0.5 * mc->sigma * mc->sigma) * t)));
    json_array_append_new(mean, cents_json(mc->mean[m]));
  }
  json_object_set_new(out, "months", months);
  for (size_t k = 0; k < mc->nlevels; k++) {
    char key[16];
    snprintf(key, sizeof(key), "p%g", mc->levels[k] * 100.0);
    json_t *band = json_array();
    for (int m = 0; m <= mc->months; m++)
      json_array_append_new(band, cents_json(mc->pct[(size_t)m * mc->nlevels + k]));
    json_object_set_new(out, key, band);
  }
  json_object_set_new(out, "mean", mean);
  json_object_set_new(out, "median_closed_form", median);
  json_object_set_new(out, "goal_cents", p->has_goal ? json_integer((json_int_t)p->goal_cents) : json_null());
  json_object_set_new(out, "goal_probability", p->has_goal ? json_real(mc->goal_probability) : json_null());
  json_object_set_new(out, "mu", json_real(mc->mu));
  json_object_set_new(out, "sigma", json_real(mc->sigma));
  json_object_set_new(out, "log_drift", json_real(in->log_drift));
  json_object_set_new(out, "initial_cents", json_integer((json_int_t)p->initial_cents));
  json_object_set_new(out, "monthly_cents", json_integer((json_int_t)p->monthly_cents));
  json_object_set_new(out, "paths", json_integer((json_int_t)mc->paths));
  json_object_set_new(out, "seed", json_integer((json_int_t)p->seed));
  json_object_set_new(out, "model", json_string(FORECAST_RETURN_MODEL));
  json_object_set_new(out, "quantile_definition", json_string(FORECAST_QUANTILE_DEFINITION));
  json_object_set_new(out, "returns_used", json_integer((json_int_t)in->returns_used));
  if (in->returns_used > 0) {
    char from[PARITY_DAY_TEXT], to[PARITY_DAY_TEXT];
    parity_day_format(in->from_day, from);
    parity_day_format(in->to_day, to);
    json_object_set_new(out, "history_from", json_string(from));
    json_object_set_new(out, "history_to", json_string(to));
  }
  return out;
}

/* Records the outcome (complete or error), wakes the long-polls at commit, and leaves the event. */
static int finish(struct parity_job *job, const char *id, const json_t *result, const char *reason)
{
  PGresult *res = NULL;
  int rc;
  if (result) {
    char *text = parity_json_dumps_exact_new(result);
    rc = PARITY_DB_EXEC(job->db, QD_FORECAST_COMPLETE, &res, id, text);
    free(text);
  } else {
    rc = PARITY_DB_EXEC(job->db, QD_FORECAST_FAIL, &res, id, reason);
  }
  if (rc)
    return rc;
  long changed = parity_db_affected(res);
  PQclear(res);
  if (changed == 0) {
    /* Unknown id, or already decided (operational gave up on it): nothing to add. */
    job->outcome = "not_pending";
    parity_log(PARITY_LOG_WARN, "forecast_not_pending", "{s:s}", "forecast_id", id);
    return PARITY_OK;
  }
  /* NOTIFY is transactional: the long-polls wake when, and only if, this result commits. */
  rc = PARITY_DB_EXEC(job->db, QD_FORECAST_NOTIFY, NULL, id);
  if (rc)
    return rc;
  const char *status = result ? "complete" : "error";
  if (!result)
    job->outcome = "data_error";
  job->event_type = PARITY_EVT_FORECAST_DONE;
  job->event_payload = json_pack("{s:s, s:s}", "forecast_id", id, "status", status);
  return PARITY_OK;
}

int parity_h_forecast(struct parity_job *job)
{
  const json_t *p = job->msg->payload;
  const char *id = parity_json_str(p, "forecast_id", "");
  char reason[FORECAST_REASON_MAX] = "";
  struct parity_quant_err err = { 0, "" };
  struct parity_weight w[PARITY_MODELS_MAX_SYMBOLS];
  size_t nw = 0, nseries = 0;
  struct parity_bar_series *series = NULL;
  struct parity_mc_result mc;
  memset(&mc, 0, sizeof(mc));
  bool have_mc = false;
  json_t *result = NULL;
  struct parity_models_params params;
  parity_models_params_from_config(job->cfg, &params);

  double levels[PARITY_MC_MAX_PCT];
  size_t nlevels = 0;
  int rc = levels_from_payload(json_object_get(p, "percentiles"), levels, &nlevels, reason, sizeof(reason));
  if (!rc) {
    rc = parity_models_weights_from_json(json_object_get(p, "weights"), w, PARITY_MODELS_MAX_SYMBOLS, &nw, &err);
    if (rc)
      snprintf(reason, sizeof(reason), "%s", err.msg);
  }
  if (!rc) {
    series = parity_xcalloc(nw ? nw : 1, sizeof(*series));
    rc = read_tails(job->db, w, nw, params.lookback, series, &nseries);
    if (rc)
      goto out; /* the database, not the data: retry */
  }

  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct parity_forecast_inputs in;
  memset(&in, 0, sizeof(in));
  if (!rc) {
    rc = parity_models_forecast_inputs(series, nseries, w, nw, &params, PARITY_MODELS_AS_OF_LATEST, &in, &err);
    if (rc)
      snprintf(reason, sizeof(reason), "%s", err.msg);
  }
  struct parity_mc_params mp = {
    .mu = in.mu,
    .sigma = in.sigma,
    .initial_cents = parity_json_int(p, "initial_cents", 0),
    .monthly_cents = parity_json_int(p, "monthly_cents", 0),
    .months = (int)parity_json_int(p, "months", 0),
    .paths = (size_t)parity_json_int(p, "paths", job->cfg->forecast_paths),
    .seed = (uint64_t)parity_json_int(p, "seed", 0),
    .levels = nlevels ? levels : NULL,
    .nlevels = nlevels,
    .has_goal = json_object_get(p, "goal_cents") != NULL,
    .goal_cents = parity_json_int(p, "goal_cents", 0),
  };
  if (!rc) {
    rc = parity_mc_run(&mp, &mc, &err);
    have_mc = rc == PARITY_OK;
    if (rc)
      snprintf(reason, sizeof(reason), "%s", err.msg);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (have_mc)
    parity_metric_observe(job->metrics->forecast_duration,
                          (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);

  if (rc == PARITY_ENOMEM)
    goto out; /* the machine, not the data: retry later */
  if (have_mc)
    result = result_json(&mc, &in, &mp);
  else
    parity_log(PARITY_LOG_WARN, "forecast_failed", "{s:s, s:s}", "forecast_id", id, "reason", reason);
  /* A forecast that cannot be computed is an answer too: status error with the reason, and the ack. */
  rc = finish(job, id, result, reason);
  if (!rc && result)
    parity_log(PARITY_LOG_INFO, "forecast_done", "{s:s, s:f, s:f, s:i}", "forecast_id", id, "mu", mc.mu, "sigma",
               mc.sigma, "months", mp.months);
out:
  json_decref(result);
  if (have_mc)
    parity_mc_result_free(&mc);
  for (size_t i = 0; i < nseries; i++)
    parity_bar_series_free(&series[i]);
  free(series);
  return rc;
}
