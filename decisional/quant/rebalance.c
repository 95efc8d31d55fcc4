/* Cash-first, threshold-locked, renormalised rebalance targets (see rebalance.h). */
#include "decisional/quant/rebalance.h"

#include <math.h>
#include <string.h>

static int check_side(const struct parity_weight *w, size_t n, int is_target, struct parity_quant_err *err)
{
  const char *side = is_target ? "target" : "current";
  if (n > PARITY_REBALANCE_MAX_ASSETS)
    return parity_quant_fail(err, PARITY_ETOOBIG, "%zu %s weights; at most %d", n, side, PARITY_REBALANCE_MAX_ASSETS);
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (w[i].symbol[0] == '\0' || memchr(w[i].symbol, '\0', PARITY_QUANT_SYMBOL_MAX) == NULL)
      return parity_quant_fail(err, PARITY_EINVAL, "%s weight %zu has an empty or overlong symbol", side, i);
    if (parity_weights_find(w, i, w[i].symbol) >= 0)
      return parity_quant_fail(err, PARITY_EINVAL, "%s lists %s twice", side, w[i].symbol);
    if (!isfinite(w[i].w) || w[i].w < 0.0 || (is_target && w[i].w == 0.0))
      return parity_quant_fail(err, PARITY_EINVAL, "%s weight of %s is %g", side, w[i].symbol, w[i].w);
    if (is_target && strcmp(w[i].symbol, PARITY_QUANT_CASH) == 0)
      return parity_quant_fail(err, PARITY_EINVAL, "the target cannot hold %s", PARITY_QUANT_CASH);
    sum += w[i].w;
  }
  if (is_target && (n == 0 || fabs(sum - 1.0) > PARITY_REBALANCE_SUM_TOLERANCE))
    return parity_quant_fail(err, PARITY_EINVAL, "target weights sum to %.17g, not 1", sum);
  if (!is_target && sum > 1.0 + PARITY_REBALANCE_SUM_TOLERANCE)
    return parity_quant_fail(err, PARITY_EINVAL, "current weights sum to %.17g, more than 1", sum);
  return PARITY_OK;
}

static double weight_of(const struct parity_weight *w, size_t n, const char *symbol)
{
  long i = parity_weights_find(w, n, symbol);
  return i < 0 ? 0.0 : w[i].w;
}

int parity_rebalance_compute(const struct parity_weight *current, size_t ncur, const struct parity_weight *target,
                             size_t ntgt, double threshold, int cash_first, struct parity_rebalance_result *out,
                             struct parity_quant_err *err)
{
  memset(out, 0, sizeof(*out));
  int rc = check_side(target, ntgt, 1, err);
  if (rc)
    return rc;
  rc = check_side(current, ncur, 0, err);
  if (rc)
    return rc;
  if (!(threshold >= 0.0 && threshold < 1.0))
    return parity_quant_fail(err, PARITY_EINVAL, "threshold %g is outside [0, 1)", threshold);

  double drift = 0.0;
  for (size_t i = 0; i < ntgt; i++)
    drift += fabs(weight_of(current, ncur, target[i].symbol) - target[i].w);
  for (size_t i = 0; i < ncur; i++)
    if (parity_weights_find(target, ntgt, current[i].symbol) < 0)
      drift += current[i].w;
  out->drift = drift / 2.0;

  double w[PARITY_REBALANCE_MAX_ASSETS], orig[PARITY_REBALANCE_MAX_ASSETS], a[PARITY_REBALANCE_MAX_ASSETS];
  int locked[PARITY_REBALANCE_MAX_ASSETS];
  for (size_t i = 0; i < ntgt; i++)
    w[i] = orig[i] = weight_of(current, ncur, target[i].symbol);

  double cash = weight_of(current, ncur, PARITY_QUANT_CASH);
  if (cash_first && cash > 0.0) {
    double deficit = 0.0;
    for (size_t i = 0; i < ntgt; i++)
      deficit += target[i].w > w[i] ? target[i].w - w[i] : 0.0;
    if (deficit > 0.0) {
      double spend = cash < deficit ? cash : deficit;
      for (size_t i = 0; i < ntgt; i++)
        if (target[i].w > w[i])
          w[i] += spend * ((target[i].w - w[i]) / deficit);
    }
  }

  double locked_sum = 0.0, free_target = 0.0;
  for (size_t i = 0; i < ntgt; i++) {
    locked[i] = fabs(w[i] - target[i].w) <= threshold;
    if (locked[i])
      locked_sum += w[i];
    else
      free_target += target[i].w;
  }
  double rest = locked_sum < 1.0 ? 1.0 - locked_sum : 0.0;
  double total = 0.0;
  for (size_t i = 0; i < ntgt; i++) {
    a[i] = locked[i] ? w[i] : (free_target > 0.0 ? rest * (target[i].w / free_target) : 0.0);
    total += a[i];
  }
  if (!(total > 0.0)) {
    /* Every target asset is locked at zero weight (tiny targets, nothing held): buy the targets. */
    for (size_t i = 0; i < ntgt; i++) {
      a[i] = target[i].w;
      locked[i] = 0;
    }
    total = 1.0;
  }
  for (size_t i = 0; i < ntgt; i++) {
    double v = a[i] / total;
    if (!(v > 0.0))
      continue;
    struct parity_weight *dst = &out->adjusted[out->n++];
    memcpy(dst->symbol, target[i].symbol, PARITY_QUANT_SYMBOL_MAX);
    dst->w = v;
    if (locked[i] && fabs(v - orig[i]) <= PARITY_REBALANCE_KEPT_EPS)
      memcpy(out->skipped[out->nskipped++], target[i].symbol, PARITY_QUANT_SYMBOL_MAX);
  }
  return PARITY_OK;
}
