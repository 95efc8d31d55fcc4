/* JSON renderings of risk metrics and backtests (see analytics_json.h). */
#include "decisional/analytics_json.h"

#include <math.h>

static json_t *num(double v)
{
  return isfinite(v) ? json_real(v) : json_null();
}

json_t *parity_analytics_metrics_json(const struct parity_risk_own *o, const struct parity_risk_relative *rel)
{
  json_t *m = json_object();
  if (!m)
    return NULL;
  json_object_set_new(m, "total_return", num(o->total_return));
  json_object_set_new(m, "cagr", num(o->cagr));
  json_object_set_new(m, "volatility", num(o->volatility));
  json_object_set_new(m, "sharpe", num(o->sharpe));
  json_object_set_new(m, "sortino", num(o->sortino));
  json_object_set_new(m, "max_drawdown", num(o->max_drawdown));
  json_object_set_new(m, "max_drawdown_days", json_integer((json_int_t)o->max_drawdown_days));
  json_object_set_new(m, "recovered", json_boolean(o->recovered));
  json_object_set_new(m, "calmar", num(o->calmar));
  json_object_set_new(m, "var_95", num(o->var_95));
  json_object_set_new(m, "cvar_95", num(o->cvar_95));
  json_object_set_new(m, "var_99", num(o->var_99));
  json_object_set_new(m, "cvar_99", num(o->cvar_99));
  json_object_set_new(m, "pvar_95", num(o->pvar_95));
  json_object_set_new(m, "pvar_99", num(o->pvar_99));
  if (rel) {
    json_object_set_new(m, "beta", num(rel->beta));
    json_object_set_new(m, "alpha", num(rel->alpha));
    json_object_set_new(m, "tracking_error", num(rel->tracking_error));
    json_object_set_new(m, "information_ratio", num(rel->information_ratio));
    json_object_set_new(m, "correlation", num(rel->correlation));
  }
  return m;
}

static json_t *day_json(int32_t day)
{
  char text[PARITY_DAY_TEXT];
  parity_day_format(day, text);
  return json_string(text);
}

json_t *parity_analytics_risk_json(const struct parity_analytics_risk *r)
{
  return json_pack("{s:I, s:o, s:o, s:o, s:o}", "days", (json_int_t)r->n, "from", day_json(r->from_day), "to",
                   day_json(r->to_day), "metrics", parity_analytics_metrics_json(&r->own, &r->rel), "benchmark",
                   parity_analytics_metrics_json(&r->benchmark, NULL));
}

json_t *parity_backtest_result_json(const struct parity_backtest_result *r)
{
  json_t *series = json_object();
  if (!series)
    return NULL;
  for (size_t i = 0; i < r->nseries; i++) {
    const struct parity_backtest_series *s = &r->series[i];
    json_t *values = json_array();
    for (size_t t = 0; t < r->ndays; t++)
      json_array_append_new(values, json_pack("[o, f]", day_json(r->days[t]), s->values[t]));
    json_object_set_new(series, s->name,
                        json_pack("{s:o, s:o, s:I, s:o}", "metrics", parity_analytics_metrics_json(&s->own, &s->rel),
                                  "turnover", num(s->turnover), "executions", (json_int_t)s->executions, "values",
                                  values));
  }
  return json_pack("{s:o, s:o, s:I, s:o}", "from", day_json(r->days[0]), "to", day_json(r->days[r->ndays - 1]),
                   "decisions", (json_int_t)r->decisions, "series", series);
}
