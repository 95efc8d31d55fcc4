/* Sharpe preselection: rank series by annualised mean/sd of daily returns. */
#include "decisional/quant/sharpe.h"

#include <math.h>
#include <stdlib.h>

#include "decisional/quant/stats.h"

int parity_sharpe_annualised(const double *r, size_t t, double *out, struct parity_quant_err *err)
{
  if (t < 2)
    return parity_quant_fail(err, PARITY_ENUMERIC, "a Sharpe ratio needs at least 2 returns, got %zu", t);
  for (size_t i = 0; i < t; i++)
    if (!isfinite(r[i]))
      return parity_quant_fail(err, PARITY_EINVAL, "return %zu is not finite", i);
  double sd = sqrt(parity_stats_sample_var(r, t));
  if (!(sd > 0.0))
    return parity_quant_fail(err, PARITY_ENUMERIC, "the returns are constant; the Sharpe ratio is undefined");
  *out = parity_stats_mean(r, t) * PARITY_TRADING_DAYS / (sd * sqrt((double)PARITY_TRADING_DAYS));
  return PARITY_OK;
}

int parity_sharpe_top(const double *returns, size_t t, size_t n, size_t top, double *sharpe, size_t *chosen,
                      size_t *nchosen, struct parity_quant_err *err)
{
  for (size_t j = 0; j < n; j++) {
    struct parity_quant_err inner = { 0, "" };
    int rc = parity_sharpe_annualised(returns + j * t, t, &sharpe[j], &inner);
    if (rc)
      return parity_quant_fail(err, rc, "series %zu: %s", j, inner.msg);
  }
  size_t k = top < n ? top : n;
  /* Selection by repeated scans: n is a universe of ETFs, and this keeps ties on the lower index. */
  char *taken = calloc(n ? n : 1, 1);
  if (!taken)
    return parity_quant_fail(err, PARITY_ENOMEM, "out of memory");
  for (size_t c = 0; c < k; c++) {
    size_t best = n;
    for (size_t j = 0; j < n; j++)
      if (!taken[j] && (best == n || sharpe[j] > sharpe[best]))
        best = j;
    taken[best] = 1;
    chosen[c] = best;
  }
  free(taken);
  *nchosen = k;
  return PARITY_OK;
}
