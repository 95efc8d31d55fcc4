/* The walk-forward backtest of the models against SPY and 60/40 (see backtest.h). */
#include "decisional/backtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "decisional/analytics.h"
#include "decisional/quant/backtest.h"

void parity_backtest_params_defaults(struct parity_backtest_params *p)
{
  parity_models_params_defaults(&p->models);
  p->from_day = PARITY_ANALYTICS_DAY_MIN;
  p->to_day = PARITY_ANALYTICS_DAY_MAX;
  p->cost_bps = 0.0;
  p->buckets = 0;
  p->harvest = NULL;
  p->harvest_ctx = NULL;
  p->extra_symbols = NULL;
  p->nextra = 0;
  p->progress = NULL;
  p->progress_ctx = NULL;
}

int parity_backtest_parse_buckets(const char *list, uint32_t *mask, struct parity_quant_err *err)
{
  *mask = 0;
  if (!list || strcmp(list, "all") == 0) {
    *mask = PARITY_BACKTEST_ALL_BUCKETS;
    return PARITY_OK;
  }
  const char *p = list;
  for (;;) {
    size_t len = strcspn(p, ",");
    int found = -1;
    for (int k = 0; k < PARITY_BLEND_BUCKETS && found < 0; k++) {
      char key[PARITY_BLEND_KEY_MAX];
      parity_blend_bucket_key(k / PARITY_BLEND_HORIZONS + 1, (enum parity_horizon)(k % PARITY_BLEND_HORIZONS), key);
      if (strlen(key) == len && strncmp(key, p, len) == 0)
        found = k;
    }
    if (found < 0)
      return parity_quant_fail(err, PARITY_EINVAL,
                               "unknown bucket \"%.*s\": buckets are risk_1..5_horizon_short|medium|long, or all",
                               (int)(len > 40 ? 40 : len), p);
    *mask |= 1u << found;
    if (p[len] == '\0')
      return PARITY_OK;
    p += len + 1;
  }
}

void parity_backtest_result_free(struct parity_backtest_result *r)
{
  for (size_t i = 0; i < r->nseries; i++) {
    free(r->series[i].values);
    if (r->series[i].harvest)
      free(r->series[i].harvest->sales);
    free(r->series[i].harvest);
  }
  free(r->days);
  memset(r, 0, sizeof(*r));
}

static int month_of(int32_t day)
{
  int y, m, d;
  parity_day_to_ymd(day, &y, &m, &d);
  return y * 12 + m;
}

/* Panel day i is a month end when the next panel day is in another month (the last day never is:
 * whether its month goes on is not known yet). */
static int is_month_end(const struct parity_analytics_panel *p, size_t i)
{
  return i + 1 < p->ndays && month_of(p->days[i]) != month_of(p->days[i + 1]);
}

/* Appends `sym` to syms[0..*n) unless it is there already. */
static void add_symbol(const char **syms, size_t *n, const char *sym)
{
  size_t k = 0;
  while (k < *n && strcmp(syms[k], sym) != 0)
    k++;
  if (k == *n)
    syms[(*n)++] = sym;
}

/* The panel: every universe symbol, then SPY and BND, then the extra symbols, each once. */
static int build_panel(const struct parity_bar_series *series, size_t nseries, const struct parity_models_universe *u,
                       const struct parity_backtest_params *params, struct parity_analytics_panel *panel,
                       struct parity_quant_err *err)
{
  const char *syms[PARITY_ANALYTICS_MAX_SYMBOLS];
  size_t n = 0;
  if (u->nequities + u->nbonds + 2 + params->nextra > PARITY_ANALYTICS_MAX_SYMBOLS)
    return parity_quant_fail(err, PARITY_ETOOBIG, "the universe has too many symbols");
  for (size_t i = 0; i < u->nequities; i++)
    syms[n++] = u->equities[i];
  for (size_t i = 0; i < u->nbonds; i++)
    syms[n++] = u->bonds[i];
  add_symbol(syms, &n, PARITY_BACKTEST_BENCHMARK);
  add_symbol(syms, &n, PARITY_BACKTEST_BOND);
  for (size_t i = 0; i < params->nextra; i++)
    add_symbol(syms, &n, params->extra_symbols[i]);
  return parity_analytics_panel_build(series, nseries, syms, n, PARITY_ANALYTICS_DAY_MIN, PARITY_ANALYTICS_DAY_MAX,
                                      panel, err);
}

/* Start and end panel indices of the window (see backtest.h). */
static int window(const struct parity_analytics_panel *p, const struct parity_backtest_params *params, size_t *start,
                  size_t *end, struct parity_quant_err *err)
{
  size_t lookback = (size_t)params->models.lookback, s = lookback;
  while (s < p->ndays && !is_month_end(p, s))
    s++;
  if (s >= p->ndays)
    return parity_quant_fail(err, PARITY_EINVAL,
                             "the data never has %zu returns of common history before a month end: no decision "
                             "can be made",
                             lookback);
  while (s < p->ndays && (p->days[s] < params->from_day || !is_month_end(p, s)))
    s++;
  size_t e = p->ndays;
  while (e > 0 && p->days[e - 1] > params->to_day)
    e--;
  char a[PARITY_DAY_TEXT], b[PARITY_DAY_TEXT];
  if (s >= p->ndays || e == 0 || e - 1 < s + PARITY_RISK_MIN_RETURNS) {
    parity_day_format(s < p->ndays ? p->days[s] : p->days[p->ndays - 1], a);
    parity_day_format(e ? p->days[e - 1] : p->days[0], b);
    return parity_quant_fail(err, PARITY_EINVAL,
                             "the window from the first decision day %s to %s has fewer than %d returns", a, b,
                             PARITY_RISK_MIN_RETURNS);
  }
  *start = s;
  *end = e - 1;
  return PARITY_OK;
}

/* Generates the models as of panel day d and writes each bucket's targets over the panel's symbols. */
static int decide(const struct parity_bar_series *series, size_t nseries, const struct parity_models_universe *u,
                  const struct parity_backtest_params *params, const struct parity_analytics_panel *p, size_t d,
                  struct parity_models_exact *x, double *targets, size_t stride, struct parity_quant_err *err)
{
  struct parity_quant_err inner = { 0, "" };
  int rc = parity_models_generate_exact(series, nseries, u, &params->models, p->days[d], x, &inner);
  if (rc) {
    char day[PARITY_DAY_TEXT];
    parity_day_format(p->days[d], day);
    return parity_quant_fail(err, rc, "generating the models as of %s: %s", day, inner.msg);
  }
  long col[PARITY_MODELS_MAX_SYMBOLS];
  for (size_t i = 0; i < x->n; i++)
    col[i] = parity_analytics_panel_find(p, x->symbols[i]); /* universe symbols are all in the panel */
  for (int k = 0; k < PARITY_BLEND_BUCKETS; k++) {
    double *row = targets + (size_t)k * stride;
    memset(row, 0, p->nsym * sizeof(double));
    for (size_t i = 0; i < x->n; i++)
      row[col[i]] = x->weights[k][i];
  }
  return PARITY_OK;
}

static int finish_series(struct parity_backtest_series *s, size_t n, const double *bench, double *r,
                         struct parity_quant_err *err)
{
  parity_analytics_returns_of_values(s->values, n, r);
  int rc = parity_risk_own_compute(r, n, 0.0, &s->own, err);
  if (!rc)
    rc = parity_risk_relative_compute(r, bench, n, 0.0, &s->rel, err);
  return rc;
}

/* The days and executions every series of one run shares. */
struct plan {
  const struct parity_bt_panel *view;
  size_t start, end;
  const size_t *exec;
  size_t nexec;
};

/* Simulates one strategy into the next series of the result (its metrics come later). */
static int add_series(struct parity_backtest_result *out, const char *name, const struct plan *plan,
                      const struct parity_bt_strategy *st, struct parity_quant_err *err)
{
  struct parity_backtest_series *s = &out->series[out->nseries++];
  snprintf(s->name, sizeof(s->name), "%s", name);
  s->values = parity_xmalloc(out->ndays * sizeof(double));
  struct parity_bt_outcome o = { .values = s->values };
  int rc = parity_bt_simulate(plan->view, plan->start, plan->end, plan->exec, plan->nexec, st, &o, err);
  s->executions = o.executions;
  s->turnover = parity_bt_annual_turnover(o.turnover_sum, out->ndays - 1);
  return rc;
}

int parity_backtest_run(const struct parity_bar_series *series, size_t nseries,
                        const struct parity_models_universe *universe, const struct parity_backtest_params *params,
                        struct parity_backtest_result *out, struct parity_quant_err *err)
{
  memset(out, 0, sizeof(*out));
  if (!(params->cost_bps >= 0.0 && params->cost_bps <= PARITY_BACKTEST_MAX_COST_BPS))
    return parity_quant_fail(err, PARITY_EINVAL, "cost %g bps is outside [0, %g]", params->cost_bps,
                             PARITY_BACKTEST_MAX_COST_BPS);
  if (params->from_day > params->to_day)
    return parity_quant_fail(err, PARITY_EINVAL, "the window starts after it ends");
  uint32_t mask = params->buckets ? params->buckets : PARITY_BACKTEST_ALL_BUCKETS;
  struct parity_analytics_panel *p = parity_xmalloc(sizeof(*p));
  struct parity_models_exact *x = parity_xmalloc(sizeof(*x));
  size_t *exec = NULL;
  double *targets = NULL, *fixed = NULL, *r = NULL, *rb = NULL;
  int rc = build_panel(series, nseries, universe, params, p, err);
  if (rc)
    goto out;
  size_t start = 0, end = 0;
  rc = window(p, params, &start, &end, err);
  if (rc)
    goto out;

  size_t models = 0, simulated = 0;
  for (int k = 0; k < PARITY_BLEND_BUCKETS; k++)
    models += (mask >> k) & 1u;
  if (params->progress)
    params->progress(params->progress_ctx, 0, models);
  /* Decisions: month ends d in [start, end) whose next day is inside the window. */
  exec = parity_xmalloc((end - start) * sizeof(size_t));
  size_t nexec = 0;
  for (size_t d = start; d < end; d++)
    if (is_month_end(p, d))
      exec[nexec++] = d + 1;
  /* targets[k][e][sym]: bucket k's target for execution e. */
  size_t stride = nexec * p->nsym;
  targets = parity_xcalloc((size_t)PARITY_BLEND_BUCKETS * (stride ? stride : 1), sizeof(double));
  for (size_t e = 0; e < nexec; e++) {
    rc = decide(series, nseries, universe, params, p, exec[e] - 1, x, targets + e * p->nsym, stride, err);
    if (rc)
      goto out;
  }
  out->decisions = nexec;
  out->ndays = end - start + 1;
  out->days = parity_xmalloc(out->ndays * sizeof(int32_t));
  memcpy(out->days, p->days + start, out->ndays * sizeof(int32_t));

  struct parity_bt_panel view = parity_analytics_panel_view(p);
  struct plan plan = { .view = &view, .start = start, .end = end, .exec = exec, .nexec = nexec };
  size_t n = out->ndays - 1;
  for (int k = 0; k < PARITY_BLEND_BUCKETS && !rc; k++) {
    if (!(mask & (1u << k)))
      continue;
    char name[PARITY_BLEND_KEY_MAX];
    parity_blend_bucket_key(k / PARITY_BLEND_HORIZONS + 1, (enum parity_horizon)(k % PARITY_BLEND_HORIZONS), name);
    struct parity_bt_strategy st = { .rule = PARITY_BT_THRESHOLD,
                                     .cost_bps = params->cost_bps,
                                     .threshold = PARITY_BACKTEST_THRESHOLD,
                                     .targets = targets + (size_t)k * stride };
    rc = add_series(out, name, &plan, &st, err);
    if (!rc && params->harvest) {
      struct parity_backtest_series *s = &out->series[out->nseries - 1];
      const struct parity_backtest_harvest_in in = { &view,      start,       end,          exec,     nexec,
                                                     st.targets, st.cost_bps, st.threshold, s->values };
      s->harvest = parity_xcalloc(1, sizeof(*s->harvest));
      rc = params->harvest(params->harvest_ctx, &in, s->harvest, err);
    }
    if (!rc && params->progress)
      params->progress(params->progress_ctx, ++simulated, models);
  }
  if (rc)
    goto out;
  /* The benchmarks: fixed targets on every execution row, no cost. */
  long spy = parity_analytics_panel_find(p, PARITY_BACKTEST_BENCHMARK),
       bnd = parity_analytics_panel_find(p, PARITY_BACKTEST_BOND);
  fixed = parity_xcalloc(2 * (stride ? stride : 1), sizeof(double));
  for (size_t e = 0; e < nexec; e++) {
    fixed[e * p->nsym + (size_t)spy] = 1.0;
    fixed[stride + e * p->nsym + (size_t)spy] = 0.6;
    fixed[stride + e * p->nsym + (size_t)bnd] = 0.4;
  }
  size_t spy_series = out->nseries;
  struct parity_bt_strategy hold = { .rule = PARITY_BT_HOLD, .targets = fixed };
  struct parity_bt_strategy reset = { .rule = PARITY_BT_RESET, .targets = fixed + stride };
  rc = add_series(out, PARITY_BACKTEST_BENCHMARK, &plan, &hold, err);
  if (!rc)
    rc = add_series(out, PARITY_BACKTEST_SIXTY_FORTY, &plan, &reset, err);
  if (rc)
    goto out;
  r = parity_xmalloc(n * sizeof(double));
  rb = parity_xmalloc(n * sizeof(double));
  parity_analytics_returns_of_values(out->series[spy_series].values, n, rb);
  for (size_t i = 0; i < out->nseries && !rc; i++)
    rc = finish_series(&out->series[i], n, rb, r, err);
out:
  free(r);
  free(rb);
  free(fixed);
  free(targets);
  free(exec);
  free(x);
  parity_analytics_panel_free(p);
  free(p);
  if (rc)
    parity_backtest_result_free(out);
  return rc;
}
