/*
 * Risk metrics of a daily simple-return series, on its own and against a benchmark, to the conventions
 * of SPEC §8a (fixed so two implementations agree to 1e-9):
 *  - N returns r[0..N), N >= 2; annualisation 252; rf annual, rf_d = rf / 252, entering Sharpe, Sortino
 *    and alpha only; sample statistics with ddof 1 (two-pass: mean, then centred sums).
 *  - Growth V_0 = 1, V_t = prod_{s<=t} (1 + r_s). Total return V_N - 1; CAGR V_N^(252/N) - 1;
 *    volatility sd(r) sqrt(252); Sharpe mean(x) 252 / (sd(x) sqrt(252)) with x = r - rf_d; Sortino
 *    mean(x) 252 / (sqrt(252) sqrt(mean over all N of min(x, 0)^2)).
 *  - Drawdown D_t = V_t / max_{s<=t} V_s - 1 over t = 0..N; max drawdown = min D_t (<= 0); trough = the
 *    first t at the minimum, peak = the first t <= trough where that running maximum was reached;
 *    duration = days from the peak to the first day after the trough with V >= V_peak (recovered), else
 *    N - peak; no drawdown at all: 0 days, recovered, Calmar undefined. Calmar = CAGR / |max drawdown|.
 *  - Historical VaR_c = -q(r, 1 - c), CVaR_c = -mean(r_t : r_t <= q(r, 1 - c)), with q Hyndman-Fan type
 *    7 (numpy's default) at the position h = (N - 1) p computed exactly from p as a fraction; parametric
 *    VaR_c = -(mean(r) + z_{1-c} sd(r)). Daily, positive fractions of value.
 *  - Against a benchmark b on the same days: beta = cov(r, b) / var(b); alpha (annual, Jensen)
 *    = ((mean r - rf_d) - beta (mean b - rf_d)) 252; tracking error sd(r - b) sqrt(252); information
 *    ratio mean(r - b) 252 / tracking error; correlation Pearson.
 * A metric that is undefined (0/0, x/0, e.g. a series against itself) is NaN, which renderers print as
 * JSON null. Pure: no I/O, no globals.
 */
#ifndef PARITY_QUANT_RISK_H
#define PARITY_QUANT_RISK_H

#include <stddef.h>

#include "decisional/quant/quant_err.h"

#define PARITY_RISK_MIN_RETURNS 2
#define PARITY_RISK_MAX_RETURNS 10000000 /* a series longer than this is a caller's bug */
#define PARITY_RISK_DAYS 252
/* Standard normal quantiles z_{0.05} and z_{0.01}, correctly rounded (50-digit Newton on the series
 * of Phi; SciPy's norm.ppf is within 2 ulp). */
#define PARITY_RISK_Z_05 (-1.6448536269514726)
#define PARITY_RISK_Z_01 (-2.326347874040841)

/* The series' own metrics (the "own-series keys" of `parity risk` and of every backtest series). */
struct parity_risk_own {
  size_t n; /* returns */
  double total_return, cagr, volatility, sharpe, sortino;
  double max_drawdown;      /* min D_t, <= 0 */
  size_t max_drawdown_days; /* duration as above */
  int recovered;
  size_t dd_peak, dd_trough; /* growth indices 0..n; equal when there is no drawdown */
  double calmar;
  double var_95, cvar_95, var_99, cvar_99, pvar_95, pvar_99;
};

/* Against a benchmark on the same days. */
struct parity_risk_relative {
  double beta, alpha, tracking_error, information_ratio, correlation;
};

/*
 * Own metrics of r[0..n). PARITY_EINVAL for n < 2 (or over the limit), a non-finite return or one at or
 * below -1 (a value cannot fall to zero or below), or a non-finite rf; PARITY_ENOMEM.
 */
int parity_risk_own_compute(const double *r, size_t n, double rf, struct parity_risk_own *out,
                            struct parity_quant_err *err);

/* Metrics of r against b, both [0..n). Errors as parity_risk_own_compute's. */
int parity_risk_relative_compute(const double *r, const double *b, size_t n, double rf,
                                 struct parity_risk_relative *out, struct parity_quant_err *err);

/*
 * Type-7 quantile of sorted[0..n) (ascending, n >= 1) at p = num / den (num <= den, den > 0): position
 * h = (n - 1) num / den split exactly into floor and fraction in integers, then numpy's lerp.
 */
double parity_risk_quantile_sorted(const double *sorted, size_t n, unsigned num, unsigned den);

#endif
