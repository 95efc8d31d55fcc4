/* Risk metrics of a return series and against a benchmark (see risk.h for every definition). */
#include "decisional/quant/risk.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "decisional/quant/select.h"

static int check_returns(const double *r, size_t n, const char *what, struct parity_quant_err *err)
{
  if (n < PARITY_RISK_MIN_RETURNS)
    return parity_quant_fail(err, PARITY_EINVAL, "%s: risk metrics need at least %d returns, got %zu", what,
                             PARITY_RISK_MIN_RETURNS, n);
  if (n > PARITY_RISK_MAX_RETURNS)
    return parity_quant_fail(err, PARITY_ETOOBIG, "%s: %zu returns; at most %d", what, n, PARITY_RISK_MAX_RETURNS);
  for (size_t i = 0; i < n; i++)
    if (!isfinite(r[i]) || !(r[i] > -1.0))
      return parity_quant_fail(err, PARITY_EINVAL, "%s: return %zu is %g", what, i, r[i]);
  return PARITY_OK;
}

static double mean_of(const double *x, size_t n)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++)
    s += x[i];
  return s / (double)n;
}

/* Sample standard deviation (ddof 1) of x - shift, around its mean m (of x - shift). */
static double sd_of(const double *x, size_t n, double shift, double m)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++) {
    double d = (x[i] - shift) - m;
    s += d * d;
  }
  return sqrt(s / (double)(n - 1));
}

/* A ratio whose undefined cases (0/0, x/0, overflow) are NaN, so they render as null. */
static double ratio(double a, double b)
{
  double q = a / b;
  return isfinite(q) ? q : NAN;
}

static int cmp_double(const void *pa, const void *pb)
{
  double a = *(const double *)pa, b = *(const double *)pb;
  return (a > b) - (a < b);
}

double parity_risk_quantile_sorted(const double *sorted, size_t n, unsigned num, unsigned den)
{
  uint64_t scaled = (uint64_t)(n - 1) * num;
  size_t lo = (size_t)(scaled / den);
  double frac = (double)(scaled % den) / (double)den;
  if (lo + 1 >= n)
    return sorted[n - 1];
  return parity_select_lerp(sorted[lo], sorted[lo + 1], frac);
}

static void drawdown(const double *r, size_t n, struct parity_risk_own *o)
{
  double v = 1.0, peak_value = 1.0, worst = 0.0;
  size_t peak_at = 0, trough = 0, worst_peak = 0;
  for (size_t t = 1; t <= n; t++) {
    v *= 1.0 + r[t - 1];
    if (v > peak_value) {
      peak_value = v;
      peak_at = t; /* the first t reaching this maximum: ties keep the earlier one */
    }
    double d = v / peak_value - 1.0;
    if (d < worst) {
      worst = d;
      trough = t;
      worst_peak = peak_at;
    }
  }
  o->max_drawdown = worst;
  o->dd_trough = trough;
  o->dd_peak = worst_peak;
  if (worst == 0.0) {
    o->max_drawdown_days = 0;
    o->recovered = 1;
    o->dd_peak = o->dd_trough = 0;
    return;
  }
  /* Recompute V up to the trough, then look for the first day after it back at the peak's value. */
  double vp = 1.0;
  v = 1.0;
  for (size_t t = 1; t <= trough; t++) {
    v *= 1.0 + r[t - 1];
    if (t == worst_peak)
      vp = v;
  }
  o->recovered = 0;
  o->max_drawdown_days = n - worst_peak;
  for (size_t t = trough + 1; t <= n; t++) {
    v *= 1.0 + r[t - 1];
    if (v >= vp) {
      o->recovered = 1;
      o->max_drawdown_days = t - worst_peak;
      break;
    }
  }
}

int parity_risk_own_compute(const double *r, size_t n, double rf, struct parity_risk_own *out,
                            struct parity_quant_err *err)
{
  int rc = check_returns(r, n, "series", err);
  if (rc)
    return rc;
  if (!isfinite(rf))
    return parity_quant_fail(err, PARITY_EINVAL, "the risk-free rate is not finite");
  double *sorted = malloc(n * sizeof(double));
  if (!sorted)
    return parity_quant_fail(err, PARITY_ENOMEM, "out of memory");
  const double days = PARITY_RISK_DAYS, root = sqrt(days), rf_d = rf / days;
  struct parity_risk_own o = { .n = n };

  double growth = 1.0;
  for (size_t i = 0; i < n; i++)
    growth *= 1.0 + r[i];
  o.total_return = growth - 1.0;
  o.cagr = pow(growth, days / (double)n) - 1.0;

  double m = mean_of(r, n), sd = sd_of(r, n, 0.0, m);
  o.volatility = sd * root;
  double mx = m - rf_d, sdx = sd_of(r, n, rf_d, mx), down = 0.0;
  for (size_t i = 0; i < n; i++) {
    double x = r[i] - rf_d;
    down += x < 0.0 ? x * x : 0.0;
  }
  o.sharpe = ratio(mx * days, sdx * root);
  o.sortino = ratio(mx * days, root * sqrt(down / (double)n));

  drawdown(r, n, &o);
  o.calmar = o.max_drawdown < 0.0 ? ratio(o.cagr, -o.max_drawdown) : NAN;

  for (size_t i = 0; i < n; i++)
    sorted[i] = r[i];
  qsort(sorted, n, sizeof(double), cmp_double);
  static const unsigned tail[2] = { 5, 1 }; /* 1 - c in hundredths for c = 0.95, 0.99 */
  double var[2], cvar[2];
  for (int k = 0; k < 2; k++) {
    double q = parity_risk_quantile_sorted(sorted, n, tail[k], 100);
    double s = 0.0;
    size_t cnt = 0;
    for (size_t i = 0; i < n && sorted[i] <= q; i++, cnt++)
      s += sorted[i];
    var[k] = -q;
    cvar[k] = -(s / (double)cnt); /* cnt >= 1: the smallest return is at or below any quantile */
  }
  o.var_95 = var[0];
  o.cvar_95 = cvar[0];
  o.var_99 = var[1];
  o.cvar_99 = cvar[1];
  o.pvar_95 = -(m + PARITY_RISK_Z_05 * sd);
  o.pvar_99 = -(m + PARITY_RISK_Z_01 * sd);
  free(sorted);
  *out = o;
  return PARITY_OK;
}

int parity_risk_relative_compute(const double *r, const double *b, size_t n, double rf,
                                 struct parity_risk_relative *out, struct parity_quant_err *err)
{
  int rc = check_returns(r, n, "series", err);
  if (!rc)
    rc = check_returns(b, n, "benchmark", err);
  if (rc)
    return rc;
  if (!isfinite(rf))
    return parity_quant_fail(err, PARITY_EINVAL, "the risk-free rate is not finite");
  const double days = PARITY_RISK_DAYS, rf_d = rf / days;
  double mr = mean_of(r, n), mb = mean_of(b, n), md = 0.0;
  double srb = 0.0, sbb = 0.0, srr = 0.0;
  for (size_t i = 0; i < n; i++) {
    double dr = r[i] - mr, db = b[i] - mb;
    srb += dr * db;
    sbb += db * db;
    srr += dr * dr;
    md += r[i] - b[i];
  }
  md /= (double)n;
  double sdd = 0.0;
  for (size_t i = 0; i < n; i++) {
    double d = (r[i] - b[i]) - md;
    sdd += d * d;
  }
  out->beta = ratio(srb, sbb);
  out->alpha = isfinite(out->beta) ? ((mr - rf_d) - out->beta * (mb - rf_d)) * days : NAN;
  out->tracking_error = sqrt(sdd / (double)(n - 1)) * sqrt(days);
  out->information_ratio = ratio(md * days, out->tracking_error);
  out->correlation = ratio(srb, sqrt(srr * sbb));
  return PARITY_OK;
}
