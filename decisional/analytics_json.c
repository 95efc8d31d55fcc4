/* JSON renderings of risk metrics and backtests (see analytics_json.h). */
#include "decisional/analytics_json.h"

#include <math.h>
#include <stdio.h>

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

/* A bucket's harvesting: losses by sale year (net of disallowance), the tax they defer, and how far the
 * harvested portfolio's value strayed from the same bucket's without harvesting. */
static json_t *harvest_json(const struct parity_backtest_harvest *h)
{
  json_t *by_year = json_object();
  int64_t short_total = 0, long_total = 0, disallowed = 0;
  for (size_t y = 0; y < h->nyears; y++) {
    char key[16];
    snprintf(key, sizeof(key), "%d", h->first_year + (int)y);
    json_object_set_new(by_year, key,
                        json_pack("{s:I, s:I, s:I, s:I}", "short_cents", (json_int_t)h->short_cents[y], "long_cents",
                                  (json_int_t)h->long_cents[y], "total_cents",
                                  (json_int_t)h->short_cents[y] + (json_int_t)h->long_cents[y], "disallowed_cents",
                                  (json_int_t)h->disallowed_cents[y]));
    short_total += h->short_cents[y];
    long_total += h->long_cents[y];
    disallowed += h->disallowed_cents[y];
  }
  json_t *o = json_object();
  json_object_set_new(o, "losses_by_year", by_year);
  json_object_set_new(o, "short_cents", json_integer((json_int_t)short_total));
  json_object_set_new(o, "long_cents", json_integer((json_int_t)long_total));
  json_object_set_new(o, "disallowed_cents", json_integer((json_int_t)disallowed));
  json_object_set_new(o, "harvested_lots", json_integer((json_int_t)h->harvests));
  json_t *sales = json_array();
  for (size_t i = 0; i < h->nsales; i++) {
    const struct parity_backtest_harvest_sale *x = &h->sales[i];
    json_array_append_new(sales, json_pack("{s:o, s:s, s:s, s:I, s:I}", "day", day_json(x->day), "symbol", x->symbol,
                                           "replacement", x->replacement, "shares_micro", (json_int_t)x->shares_micro,
                                           "loss_cents", (json_int_t)x->loss_cents));
  }
  json_object_set_new(o, "harvests", sales);
  json_object_set_new(o, "wash_blocked", json_integer((json_int_t)h->wash_blocked));
  json_object_set_new(o, "short_rate", num(h->short_rate));
  json_object_set_new(o, "long_rate", num(h->long_rate));
  json_object_set_new(o, "tax_deferred_cents", json_integer((json_int_t)h->tax_deferred_cents));
  json_object_set_new(o, "initial_cents", json_integer((json_int_t)h->initial_cents));
  json_object_set_new(o, "final_cents", json_integer((json_int_t)h->final_cents));
  json_object_set_new(o, "final_no_harvest_cents", json_integer((json_int_t)h->final_no_harvest_cents));
  json_object_set_new(o, "value_diff_vs_no_harvest", num(h->value_diff));
  json_object_set_new(o, "max_value_diff_vs_no_harvest", num(h->max_value_diff));
  return o;
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
    json_t *o = json_pack("{s:o, s:o, s:I, s:o}", "metrics", parity_analytics_metrics_json(&s->own, &s->rel),
                          "turnover", num(s->turnover), "executions", (json_int_t)s->executions, "values", values);
    if (o && s->harvest)
      json_object_set_new(o, "harvest", harvest_json(s->harvest));
    json_object_set_new(series, s->name, o);
  }
  return json_pack("{s:o, s:o, s:I, s:o}", "from", day_json(r->days[0]), "to", day_json(r->days[r->ndays - 1]),
                   "decisions", (json_int_t)r->decisions, "series", series);
}
