/* Model risk and backtests from model_analytics; an investor's risk against SPY (see svc_analytics.h). */
#include "operational/svc_analytics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "common/ids.h"
#include "decisional/analytics_json.h"
#include "decisional/quant/risk.h"
#include "operational/money.h"
#include "operational/queries.h"
#include "operational/svc_history.h"
#include "operational/svc_models.h"

#define UNKNOWN_BUCKET "unknown bucket; buckets are risk_{1..5}_horizon_{short|medium|long}"

/* ------------------------------------------------------------------ the models */

int parity_svc_model_risk(struct parity_db *db, const char *bucket, json_t **out, struct parity_svc_error *err)
{
  int risk, h;
  if (!parity_bucket_parse(bucket, &risk, &h))
    return parity_svc_fail(err, PARITY_ENOTFOUND, NULL, UNKNOWN_BUCKET);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_MODEL_RISK, &res, bucket);
  if (rc)
    return rc;
  json_t *body = PQntuples(res) == 1 ? json_loads(PQgetvalue(res, 0, 2), 0, NULL) : NULL;
  if (body) {
    /* The as-of day is the newest close the computation read: the prices' age. */
    json_object_set_new(body, "bucket", json_string(bucket));
    json_object_set_new(body, "as_of", json_string(PQgetvalue(res, 0, 0)));
    json_object_set_new(body, "prices_as_of", json_string(PQgetvalue(res, 0, 0)));
    json_object_set_new(body, "computed_at", json_string(PQgetvalue(res, 0, 1)));
  }
  PQclear(res);
  if (!body)
    return parity_svc_fail(err, PARITY_ENOTFOUND, NULL, "bucket %s has no risk metrics yet", bucket);
  *out = body;
  return PARITY_OK;
}

/* Keeps the values of the thinning's days (the same for every series: they share the days). */
static void thin_values(json_t *series, size_t k)
{
  json_t *values = json_object_get(series, "values");
  size_t n = json_array_size(values);
  json_t *kept = json_array();
  for (size_t i = 0; i < n; i++)
    if (parity_history_thin_keeps(n, k, i))
      json_array_append(kept, json_array_get(values, i));
  json_object_set_new(series, "values", kept);
}

/* The backtest's keys common to every series move to the top; the series keep their own. */
static void hoist(json_t *body, json_t *series)
{
  static const char *const common[] = { "from", "to", "decisions", "cost_bps" };
  for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
    if (!json_object_get(body, common[i]))
      json_object_set(body, common[i], json_object_get(series, common[i]));
    json_object_del(series, common[i]);
  }
}

int parity_svc_model_backtest(struct parity_db *db, const char *bucket, bool full, json_t **out,
                              struct parity_svc_error *err)
{
  int risk, h;
  if (!parity_bucket_parse(bucket, &risk, &h))
    return parity_svc_fail(err, PARITY_ENOTFOUND, NULL, UNKNOWN_BUCKET);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_MODEL_BACKTEST, &res, bucket);
  if (rc)
    return rc;
  json_t *series = json_object();
  json_t *body = json_object();
  for (int r = 0; r < PQntuples(res); r++) {
    json_t *one = json_loads(PQgetvalue(res, r, 3), 0, NULL);
    if (!one)
      continue;
    json_object_set_new(body, "as_of", json_string(PQgetvalue(res, r, 1)));
    json_object_set_new(body, "prices_as_of", json_string(PQgetvalue(res, r, 1)));
    json_object_set_new(body, "computed_at", json_string(PQgetvalue(res, r, 2)));
    hoist(body, one);
    json_object_set_new(series, PQgetvalue(res, r, 0), one);
  }
  PQclear(res);
  if (!json_object_get(series, bucket)) {
    json_decref(series);
    json_decref(body);
    return parity_svc_fail(err, PARITY_ENOTFOUND, NULL, "bucket %s has no backtest yet", bucket);
  }
  size_t n = json_array_size(json_object_get(json_object_get(series, bucket), "values"));
  size_t k = full ? 1 : parity_history_thin_step(n, PARITY_ANALYTICS_MAX_POINTS);
  const char *key;
  json_t *one;
  json_object_foreach(series, key, one) {
    if (k > 1)
      thin_values(one, k);
  }
  size_t kept = json_array_size(json_object_get(json_object_get(series, bucket), "values"));
  json_object_set_new(body, "bucket", json_string(bucket));
  json_object_set_new(body, "benchmark_symbol", json_string("SPY"));
  json_object_set_new(body, "downsampling",
                      json_pack("{s:s, s:I, s:I, s:I, s:I}", "method", k > 1 ? PARITY_ANALYTICS_THINNING : "none",
                                "step", (json_int_t)k, "points", (json_int_t)kept, "total_points", (json_int_t)n,
                                "max_points", (json_int_t)(full ? 0 : PARITY_ANALYTICS_MAX_POINTS)));
  json_object_set_new(body, "series", series);
  *out = body;
  return PARITY_OK;
}

/* ------------------------------------------------------------------ an investor */

size_t parity_portfolio_risk_returns(const double *growth, size_t days, int32_t first_day, const int32_t *bench_days,
                                     const double *bench_px, size_t nb, double *r, double *b, int32_t *from_day,
                                     int32_t *to_day)
{
  int64_t last_day = (int64_t)first_day + (int64_t)days - 1;
  size_t n = 0;
  bool have_base = false;
  int32_t prev_day = 0;
  double prev_px = 0.0;
  for (size_t i = 0; i < nb; i++) {
    int32_t day = bench_days[i] <= first_day ? first_day : bench_days[i]; /* a close at or before the base */
    if (day > last_day)
      break;
    if (have_base && day == prev_day) {
      prev_px = bench_px[i]; /* a later close for the same grid day replaces the base's */
      continue;
    }
    if (have_base) {
      r[n] = growth[day - first_day] / growth[prev_day - first_day] - 1.0;
      b[n] = bench_px[i] / prev_px - 1.0;
      n++;
    } else {
      *from_day = day;
    }
    have_base = true;
    prev_day = day;
    prev_px = bench_px[i];
    *to_day = day;
  }
  return n;
}

struct bench_closes {
  int32_t *days;
  double *px;
  size_t n;
};

static int load_benchmark(struct parity_db *db, int32_t first, int32_t today, struct bench_closes *out)
{
  char from[PARITY_I64_TEXT], to[PARITY_I64_TEXT];
  parity_i64(first, from);
  parity_i64(today, to);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_HISTORY_CLOSES, &res, "{" PARITY_PORTFOLIO_RISK_BENCHMARK "}", from, to);
  if (rc)
    return rc;
  size_t rows = (size_t)PQntuples(res);
  out->days = parity_xcalloc(rows ? rows : 1, sizeof(*out->days));
  out->px = parity_xcalloc(rows ? rows : 1, sizeof(*out->px));
  for (size_t i = 0; i < rows; i++) {
    out->days[i] = (int32_t)atol(PQgetvalue(res, (int)i, 1));
    out->px[i] = atof(PQgetvalue(res, (int)i, 2));
  }
  out->n = rows;
  PQclear(res);
  return PARITY_OK;
}

static json_t *day_json(int32_t day)
{
  char text[PARITY_DAY_TEXT];
  parity_day_format(day, text);
  return json_string(text);
}

static json_t *short_answer(json_t *body, const char *status, const char *reason)
{
  json_object_set_new(body, "status", json_string(status));
  json_object_set_new(body, "reason", json_string(reason));
  return body;
}

int parity_svc_portfolio_risk(struct parity_db *db, int64_t user_id, const char *range_text, json_t **out,
                              struct parity_svc_error *err)
{
  enum parity_history_range range;
  if (parity_history_range_parse(range_text, &range))
    return parity_svc_fail(err, PARITY_EINVAL, NULL, "range must be one of 1D, 1W, 1M, 6M, 1Y, YTD, 5Y, MAX");
  struct parity_history_rebuild hist;
  int rc = parity_history_rebuild(db, user_id, range, &hist);
  if (rc)
    return rc;
  json_t *body =
      json_pack("{s:s, s:s, s:s, s:s, s:f}", "range", range_text, "method", PARITY_HISTORY_METHOD, "day_basis",
                "benchmark trading days", "benchmark_symbol", PARITY_PORTFOLIO_RISK_BENCHMARK, "rf", 0.0);
  if (hist.prices_as_of != INT32_MIN)
    json_object_set_new(body, "prices_as_of", day_json(hist.prices_as_of));
  json_object_set_new(body, "min_returns", json_integer(PARITY_PORTFOLIO_RISK_MIN_RETURNS));
  struct bench_closes bench = { 0 };
  double *growth = NULL, *r = NULL, *b = NULL;
  if (hist.days == 0) {
    *out = short_answer(body, "not_enough_history", "nothing has been invested yet");
    goto out;
  }
  int32_t first = hist.points[0].day;
  rc = load_benchmark(db, first, hist.today, &bench);
  if (rc) {
    json_decref(body);
    goto out;
  }
  growth = parity_xmalloc(hist.days * sizeof(*growth));
  for (size_t i = 0; i < hist.days; i++)
    growth[i] = 1.0 + hist.points[i].twr;
  r = parity_xcalloc(bench.n ? bench.n : 1, sizeof(*r));
  b = parity_xcalloc(bench.n ? bench.n : 1, sizeof(*b));
  int32_t from_day = first, to_day = first;
  size_t n =
      parity_portfolio_risk_returns(growth, hist.days, first, bench.days, bench.px, bench.n, r, b, &from_day, &to_day);
  json_object_set_new(body, "days", json_integer((json_int_t)n));
  json_object_set_new(body, "from", day_json(from_day));
  json_object_set_new(body, "to", day_json(to_day));
  if (n < PARITY_PORTFOLIO_RISK_MIN_RETURNS) {
    char reason[160];
    snprintf(reason, sizeof(reason),
             "%zu daily return%s in this range; the metrics need at least %d (about a month of trading days)", n,
             n == 1 ? "" : "s", PARITY_PORTFOLIO_RISK_MIN_RETURNS);
    *out = short_answer(body, "not_enough_history", reason);
    goto out;
  }
  struct parity_risk_own own, bown;
  struct parity_risk_relative rel;
  struct parity_quant_err qerr = { 0, "" };
  if (parity_risk_own_compute(r, n, 0.0, &own, &qerr) || parity_risk_own_compute(b, n, 0.0, &bown, &qerr) ||
      parity_risk_relative_compute(r, b, n, 0.0, &rel, &qerr)) {
    *out = short_answer(body, "unavailable", qerr.msg);
    goto out;
  }
  json_object_set_new(body, "status", json_string("ok"));
  json_object_set_new(body, "metrics", parity_analytics_metrics_json(&own, &rel));
  json_object_set_new(body, "benchmark", parity_analytics_metrics_json(&bown, NULL));
  *out = body;
out:
  free(growth);
  free(r);
  free(b);
  free(bench.days);
  free(bench.px);
  parity_history_rebuild_free(&hist);
  return rc;
}
