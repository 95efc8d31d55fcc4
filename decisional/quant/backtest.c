/* Value path of one strategy over a price panel with given executions and targets (see backtest.h). */
#include "decisional/quant/backtest.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "decisional/quant/rebalance.h"
#include "decisional/quant/weights.h"

#define TARGET_SUM_TOLERANCE 1e-9

double parity_bt_annual_turnover(double turnover_sum, size_t n_returns)
{
  return n_returns ? (turnover_sum / 2.0) / ((double)n_returns / 252.0) : 0.0;
}

static int check_target(const double *t, size_t nsym, size_t k, struct parity_quant_err *err)
{
  double sum = 0.0;
  for (size_t j = 0; j < nsym; j++) {
    if (!isfinite(t[j]) || t[j] < 0.0)
      return parity_quant_fail(err, PARITY_EINVAL, "execution %zu: target weight %zu is %g", k, j, t[j]);
    sum += t[j];
  }
  if (fabs(sum - 1.0) > TARGET_SUM_TOLERANCE)
    return parity_quant_fail(err, PARITY_EINVAL, "execution %zu: target weights sum to %.17g, not 1", k, sum);
  return PARITY_OK;
}

/*
 * The product's monthly rule from drifted weights cur[] to target[], through quant/rebalance.c so the
 * backtest trades exactly as CMD_REBALANCE_USER would (without cash, micro-shares or the $1 minimum).
 */
int parity_bt_threshold_rule(const struct parity_bt_panel *p, const double *cur, const double *target, double threshold,
                             double *adj, struct parity_quant_err *err)
{
  struct parity_weight c[PARITY_BT_MAX_SYMBOLS], t[PARITY_BT_MAX_SYMBOLS];
  size_t nc = 0, nt = 0;
  for (size_t j = 0; j < p->nsym; j++) {
    if (cur[j] > 0.0) {
      c[nc] = (struct parity_weight){ .w = cur[j] };
      snprintf(c[nc++].symbol, PARITY_QUANT_SYMBOL_MAX, "%s", p->symbols[j]);
    }
    if (target[j] > 0.0) {
      t[nt] = (struct parity_weight){ .w = target[j] };
      snprintf(t[nt++].symbol, PARITY_QUANT_SYMBOL_MAX, "%s", p->symbols[j]);
    }
  }
  struct parity_rebalance_result r;
  int rc = parity_rebalance_compute(c, nc, t, nt, threshold, 0, &r, err);
  if (rc)
    return rc;
  memset(adj, 0, p->nsym * sizeof(double));
  for (size_t i = 0; i < r.n; i++)
    for (size_t j = 0; j < p->nsym; j++)
      if (strcmp(p->symbols[j], r.adjusted[i].symbol) == 0) {
        adj[j] = r.adjusted[i].w;
        break;
      }
  return PARITY_OK;
}

int parity_bt_simulate(const struct parity_bt_panel *p, size_t start, size_t end, const size_t *exec, size_t nexec,
                       const struct parity_bt_strategy *s, struct parity_bt_outcome *out, struct parity_quant_err *err)
{
  out->executions = 0;
  out->turnover_sum = 0.0;
  if (p->nsym == 0 || p->nsym > PARITY_BT_MAX_SYMBOLS)
    return parity_quant_fail(err, PARITY_EINVAL, "the panel has %zu symbols; 1 to %d are allowed", p->nsym,
                             PARITY_BT_MAX_SYMBOLS);
  if (start > end || end >= p->ndays)
    return parity_quant_fail(err, PARITY_EINVAL, "days %zu..%zu are outside the panel's %zu", start, end, p->ndays);
  if (!(s->cost_bps >= 0.0) || !isfinite(s->cost_bps))
    return parity_quant_fail(err, PARITY_EINVAL, "cost %g bps must be finite and non-negative", s->cost_bps);
  for (size_t k = 0; k < nexec; k++) {
    if (exec[k] <= start || exec[k] > end || (k > 0 && exec[k] <= exec[k - 1]))
      return parity_quant_fail(err, PARITY_EINVAL, "execution %zu on panel day %zu is out of order or range", k,
                               exec[k]);
    int rc = check_target(s->targets + k * p->nsym, p->nsym, k, err);
    if (rc)
      return rc;
  }
  const double cost_rate = s->cost_bps / 1e4;
  double shares[PARITY_BT_MAX_SYMBOLS] = { 0 }, cur[PARITY_BT_MAX_SYMBOLS], adj[PARITY_BT_MAX_SYMBOLS];
  double cash = 1.0;
  size_t k = 0;
  out->values[0] = 1.0;
  for (size_t d = start + 1; d <= end; d++) {
    double v = cash;
    for (size_t j = 0; j < p->nsym; j++)
      v += shares[j] * p->px[j * p->ndays + d];
    if (k < nexec && exec[k] == d) {
      const double *target = s->targets + k * p->nsym;
      int trade = k == 0 || s->rule != PARITY_BT_HOLD;
      if (trade) {
        for (size_t j = 0; j < p->nsym; j++)
          cur[j] = shares[j] * p->px[j * p->ndays + d] / v;
        if (k == 0 || s->rule == PARITY_BT_RESET) {
          memcpy(adj, target, p->nsym * sizeof(double));
        } else {
          int rc = parity_bt_threshold_rule(p, cur, target, s->threshold, adj, err);
          if (rc)
            return rc;
        }
        double turn = k == 0 ? 1.0 : 0.0; /* from cash: T = 1 by definition */
        if (k > 0)
          for (size_t j = 0; j < p->nsym; j++)
            turn += fabs(adj[j] - cur[j]);
        v -= cost_rate * turn * v;
        for (size_t j = 0; j < p->nsym; j++)
          shares[j] = adj[j] * v / p->px[j * p->ndays + d];
        cash = 0.0;
        out->executions++;
        if (k > 0)
          out->turnover_sum += turn;
      }
      k++;
    }
    if (!isfinite(v) || !(v > 0.0))
      return parity_quant_fail(err, PARITY_EINVAL, "the value became %g on panel day %zu", v, d);
    out->values[d - start] = v;
  }
  return PARITY_OK;
}
