/* Price panels on common days and the risk of a constant-weight portfolio (see analytics.h). */
#include "decisional/analytics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "decisional/models.h"

void parity_analytics_panel_free(struct parity_analytics_panel *p)
{
  free(p->days);
  free(p->px);
  p->days = NULL;
  p->px = NULL;
  p->ndays = p->nsym = 0;
}

int parity_analytics_panel_build(const struct parity_bar_series *series, size_t nseries, const char *const *symbols,
                                 size_t nsym, int32_t from_day, int32_t to_day, struct parity_analytics_panel *out,
                                 struct parity_quant_err *err)
{
  memset(out, 0, sizeof(*out));
  if (nsym == 0 || nsym > PARITY_ANALYTICS_MAX_SYMBOLS)
    return parity_quant_fail(err, nsym ? PARITY_ETOOBIG : PARITY_EINVAL, "%zu symbols; 1 to %d are allowed", nsym,
                             PARITY_ANALYTICS_MAX_SYMBOLS);
  const struct parity_bar_series *src[PARITY_ANALYTICS_MAX_SYMBOLS];
  for (size_t j = 0; j < nsym; j++) {
    for (size_t k = 0; k < j; k++)
      if (strcmp(symbols[k], symbols[j]) == 0)
        return parity_quant_fail(err, PARITY_EINVAL, "%s is listed twice", symbols[j]);
    if (strlen(symbols[j]) >= PARITY_QUANT_SYMBOL_MAX)
      return parity_quant_fail(err, PARITY_EINVAL, "\"%.20s\" is not a valid symbol", symbols[j]);
    src[j] = parity_models_find_series(series, nseries, symbols[j]);
    if (!src[j] || src[j]->n == 0)
      return parity_quant_fail(err, PARITY_ENOTFOUND, "unknown symbol %s: the data has no prices for it", symbols[j]);
    int rc = parity_models_check_bars(src[j], 0, src[j]->n, err);
    if (rc)
      return rc;
    snprintf(out->symbols[j], PARITY_QUANT_SYMBOL_MAX, "%s", symbols[j]);
    out->symbol_ptrs[j] = out->symbols[j];
  }
  out->nsym = nsym;
  /* Intersect the calendars: start from the first symbol's days in range, keep those every other has. */
  const struct parity_bar_series *s0 = src[0];
  int32_t *days = parity_xmalloc((s0->n ? s0->n : 1) * sizeof(int32_t));
  size_t nd = 0;
  for (size_t i = 0; i < s0->n; i++)
    if (s0->bars[i].day >= from_day && s0->bars[i].day <= to_day)
      days[nd++] = s0->bars[i].day;
  for (size_t j = 1; j < nsym && nd; j++) {
    size_t w = 0, k = 0;
    for (size_t i = 0; i < nd; i++) {
      while (k < src[j]->n && src[j]->bars[k].day < days[i])
        k++;
      if (k < src[j]->n && src[j]->bars[k].day == days[i])
        days[w++] = days[i];
    }
    nd = w;
  }
  out->days = days;
  out->ndays = nd;
  out->px = parity_xmalloc((nd ? nd : 1) * nsym * sizeof(double));
  for (size_t j = 0; j < nsym; j++) {
    size_t k = 0;
    for (size_t i = 0; i < nd; i++) {
      while (src[j]->bars[k].day < days[i])
        k++;
      out->px[j * nd + i] = src[j]->bars[k].adj_close;
    }
  }
  return PARITY_OK;
}

struct parity_bt_panel parity_analytics_panel_view(const struct parity_analytics_panel *p)
{
  return (struct parity_bt_panel){
    .ndays = p->ndays, .nsym = p->nsym, .days = p->days, .px = p->px, .symbols = p->symbol_ptrs
  };
}

long parity_analytics_panel_find(const struct parity_analytics_panel *p, const char *symbol)
{
  for (size_t j = 0; j < p->nsym; j++)
    if (strcmp(p->symbols[j], symbol) == 0)
      return (long)j;
  return -1;
}

void parity_analytics_returns_of_values(const double *v, size_t n, double *r)
{
  for (size_t t = 0; t < n; t++)
    r[t] = v[t + 1] / v[t] - 1.0;
}

static int check_weights(const struct parity_weight *w, size_t nw, struct parity_quant_err *err)
{
  if (nw == 0 || nw + 1 > PARITY_ANALYTICS_MAX_SYMBOLS)
    return parity_quant_fail(err, PARITY_EINVAL, "%zu weights; 1 to %d are allowed", nw,
                             PARITY_ANALYTICS_MAX_SYMBOLS - 1);
  double sum = 0.0;
  for (size_t i = 0; i < nw; i++) {
    if (!isfinite(w[i].w) || w[i].w < 0.0)
      return parity_quant_fail(err, PARITY_EINVAL, "the weight of %s is %g; weights must be at least 0", w[i].symbol,
                               w[i].w);
    if (parity_weights_find(w, i, w[i].symbol) >= 0)
      return parity_quant_fail(err, PARITY_EINVAL, "%s is listed twice", w[i].symbol);
    sum += w[i].w;
  }
  if (fabs(sum - 1.0) > PARITY_ANALYTICS_WEIGHT_SUM_TOLERANCE)
    return parity_quant_fail(err, PARITY_EINVAL, "the weights sum to %.17g; they must sum to 1 (within %g)", sum,
                             PARITY_ANALYTICS_WEIGHT_SUM_TOLERANCE);
  return PARITY_OK;
}

int parity_analytics_weights_risk(const struct parity_bar_series *series, size_t nseries, const struct parity_weight *w,
                                  size_t nw, const char *benchmark, int32_t from_day, int32_t to_day, double rf,
                                  struct parity_analytics_risk *out, struct parity_quant_err *err)
{
  memset(out, 0, sizeof(*out));
  int rc = check_weights(w, nw, err);
  if (rc)
    return rc;
  if (!isfinite(rf))
    return parity_quant_fail(err, PARITY_EINVAL, "the risk-free rate is not finite");
  if (from_day > to_day)
    return parity_quant_fail(err, PARITY_EINVAL, "the window starts after it ends");
  /* The benchmark joins the panel (once, even when it is also weighted) so the days are shared. */
  const char *syms[PARITY_ANALYTICS_MAX_SYMBOLS];
  for (size_t i = 0; i < nw; i++)
    syms[i] = w[i].symbol;
  long b = parity_weights_find(w, nw, benchmark);
  size_t nsym = nw;
  if (b < 0) {
    b = (long)nw;
    syms[nsym++] = benchmark;
  }
  struct parity_analytics_panel *p = parity_xmalloc(sizeof(*p));
  double *r = NULL, *rb = NULL;
  rc = parity_analytics_panel_build(series, nseries, syms, nsym, from_day, to_day, p, err);
  if (rc)
    goto out;
  if (p->ndays < PARITY_RISK_MIN_RETURNS + 1) {
    rc = parity_quant_fail(err, PARITY_EINVAL,
                           "the window holds %zu price days shared by every symbol; at least %d are needed (%d "
                           "returns)",
                           p->ndays, PARITY_RISK_MIN_RETURNS + 1, PARITY_RISK_MIN_RETURNS);
    goto out;
  }
  size_t n = p->ndays - 1, m = p->ndays;
  r = parity_xcalloc(n, sizeof(double));
  rb = parity_xmalloc(n * sizeof(double));
  for (size_t t = 0; t < n; t++) {
    double acc = 0.0;
    for (size_t i = 0; i < nw; i++)
      acc += w[i].w * (p->px[i * m + t + 1] / p->px[i * m + t] - 1.0);
    r[t] = acc;
    rb[t] = p->px[(size_t)b * m + t + 1] / p->px[(size_t)b * m + t] - 1.0;
  }
  rc = parity_risk_own_compute(r, n, rf, &out->own, err);
  if (!rc)
    rc = parity_risk_own_compute(rb, n, rf, &out->benchmark, err);
  if (!rc)
    rc = parity_risk_relative_compute(r, rb, n, rf, &out->rel, err);
  if (rc)
    goto out;
  out->n = n;
  out->from_day = p->days[0];
  out->to_day = p->days[m - 1];
out:
  free(r);
  free(rb);
  parity_analytics_panel_free(p);
  free(p);
  return rc;
}
