/* Unit tests of decisional/quant/risk.c against closed forms and hand computations (each written out
 * below), to the conventions of SPEC §8a. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

#include "decisional/quant/risk.h"

#define REL 1e-12

static void near(double got, double want, const char *what)
{
  if (!(fabs(got - want) <= REL * fmax(1.0, fabs(want))))
    fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

/*
 * r = 0.10, -0.20, 0.05, 0.10, 0.10, -0.05. Growth V = 1, 1.1, 0.88, 0.924, 1.0164, 1.11804, 1.062138;
 * running max 1, 1.1, 1.1, 1.1, 1.1, 1.11804, 1.11804; D = 0, 0, -0.2, -0.16, -0.076, 0, -0.05.
 * Max drawdown -0.2 at the trough t = 2, peak t = 1; V first gets back to 1.1 at t = 5: 4 days,
 * recovered. Total return 0.062138, CAGR 1.062138^(252/6) - 1, Calmar CAGR / 0.2.
 */
static void test_drawdown_recovered(void **state)
{
  (void)state;
  const double r[] = { 0.10, -0.20, 0.05, 0.10, 0.10, -0.05 };
  struct parity_risk_own o;
  assert_int_equal(parity_risk_own_compute(r, 6, 0.0, &o, NULL), 0);
  near(o.total_return, 0.062138, "total return");
  near(o.cagr, pow(1.062138, 42.0) - 1.0, "cagr");
  near(o.max_drawdown, -0.2, "max drawdown");
  assert_int_equal(o.dd_peak, 1);
  assert_int_equal(o.dd_trough, 2);
  assert_int_equal(o.max_drawdown_days, 4);
  assert_true(o.recovered);
  near(o.calmar, (pow(1.062138, 42.0) - 1.0) / 0.2, "calmar");
}

/* r = 0.10, -0.20, 0.05: V = 1, 1.1, 0.88, 0.924 never regains 1.1: N - peak = 3 - 1 = 2 days, not
 * recovered. A drawdown from V_0: r = -0.1, 0.05: peak 0, trough 1, 2 days, not recovered. */
static void test_drawdown_unrecovered(void **state)
{
  (void)state;
  const double r[] = { 0.10, -0.20, 0.05 };
  struct parity_risk_own o;
  assert_int_equal(parity_risk_own_compute(r, 3, 0.0, &o, NULL), 0);
  near(o.max_drawdown, -0.2, "max drawdown");
  assert_int_equal(o.max_drawdown_days, 2);
  assert_false(o.recovered);
  const double r2[] = { -0.10, 0.05 };
  assert_int_equal(parity_risk_own_compute(r2, 2, 0.0, &o, NULL), 0);
  near(o.max_drawdown, -0.1, "max drawdown from V_0");
  assert_int_equal(o.dd_peak, 0);
  assert_int_equal(o.dd_trough, 1);
  assert_int_equal(o.max_drawdown_days, 2);
  assert_false(o.recovered);
}

/* Never below the running maximum: 0 days, recovered, Calmar undefined (NaN, rendered null). */
static void test_no_drawdown(void **state)
{
  (void)state;
  const double r[] = { 0.01, 0.02, 0.0, 0.03 };
  struct parity_risk_own o;
  assert_int_equal(parity_risk_own_compute(r, 4, 0.0, &o, NULL), 0);
  assert_true(o.max_drawdown == 0.0);
  assert_int_equal(o.max_drawdown_days, 0);
  assert_true(o.recovered);
  assert_true(isnan(o.calmar));
}

/*
 * r = 0.02, -0.01, 0.02, -0.01: mean 0.005, deviations +-0.015, sample variance 4 * 0.000225 / 3 =
 * 0.0003. Sharpe = 0.005 * 252 / (sqrt(0.0003) sqrt(252)) = 0.005 sqrt(252 / 0.0003); downside
 * sqrt((2 * 0.01^2) / 4) = sqrt(0.00005), Sortino = 0.005 sqrt(252) / sqrt(0.00005). With rf = 0.0252
 * (rf_d = 0.0001): excess mean 0.0049, same sd; downside sqrt(2 * 0.0101^2 / 4). Volatility
 * sqrt(0.0003 * 252); parametric VaR -(0.005 + z sd).
 */
static void test_sharpe_sortino_closed_form(void **state)
{
  (void)state;
  const double r[] = { 0.02, -0.01, 0.02, -0.01 };
  struct parity_risk_own o;
  assert_int_equal(parity_risk_own_compute(r, 4, 0.0, &o, NULL), 0);
  near(o.volatility, sqrt(0.0003 * 252.0), "volatility");
  near(o.sharpe, 0.005 * sqrt(252.0 / 0.0003), "sharpe");
  near(o.sortino, 0.005 * sqrt(252.0) / sqrt(0.00005), "sortino");
  near(o.pvar_95, -(0.005 + PARITY_RISK_Z_05 * sqrt(0.0003)), "pvar 95");
  near(o.pvar_99, -(0.005 + PARITY_RISK_Z_01 * sqrt(0.0003)), "pvar 99");
  assert_int_equal(parity_risk_own_compute(r, 4, 0.0252, &o, NULL), 0);
  near(o.sharpe, 0.0049 * sqrt(252.0 / 0.0003), "sharpe with rf");
  near(o.sortino, 0.0049 * sqrt(252.0) / sqrt(2.0 * 0.0101 * 0.0101 / 4.0), "sortino with rf");
  near(o.volatility, sqrt(0.0003 * 252.0), "rf does not enter volatility");
  /* The quantiles named in the header: Phi(z) = 0.05 and 0.01 (50-digit values -1.64485362695147271...,
   * -2.32634787404084110...). */
  near(PARITY_RISK_Z_05, -1.6448536269514727, "z 0.05");
  near(PARITY_RISK_Z_01, -2.3263478740408411, "z 0.01");
}

/*
 * 21 returns: -0.10, -0.09 and 19 values from 0.50 up (shuffled). Type 7 at p = 0.05: h = 20 * 5/100 = 1
 * exactly, so q = the second smallest, -0.09, with no interpolation at all (a position computed as
 * 20 * (1 - 0.95) in doubles is 1.0000000000000009 and would move q by 5e-16 toward 0.50); CVaR 95 =
 * -mean(-0.10, -0.09) = 0.095. At p = 0.01: h = 0.2, q = -0.10 + 0.2 * 0.01 = -0.098, CVaR 99 = 0.10
 * (only -0.10 is at or below). 31 returns: h = 30 * 0.05 = 1.5, halfway between the 2nd and 3rd smallest.
 */
static void test_historical_var_cvar(void **state)
{
  (void)state;
  double r[21];
  for (int i = 0; i < 21; i++) {
    int k = (i * 8) % 21; /* a permutation of 0..20 */
    r[i] = k == 0 ? -0.10 : k == 1 ? -0.09 : 0.50 + k / 100.0;
  }
  struct parity_risk_own o;
  assert_int_equal(parity_risk_own_compute(r, 21, 0.0, &o, NULL), 0);
  assert_true(o.var_95 == 0.09);
  near(o.cvar_95, 0.095, "cvar 95");
  near(o.var_99, 0.098, "var 99");
  near(o.cvar_99, 0.10, "cvar 99");
  double s[31];
  for (int i = 0; i < 31; i++)
    s[i] = (double)i / 1000.0;
  assert_true(parity_risk_quantile_sorted(s, 31, 5, 100) == 0.0015);
  assert_true(parity_risk_quantile_sorted(s, 31, 0, 100) == 0.0);
  assert_true(parity_risk_quantile_sorted(s, 31, 100, 100) == 0.030);
  assert_true(parity_risk_quantile_sorted(s, 1, 5, 100) == 0.0);
}

/*
 * r = 0.001 + 2 b exactly in the reals: beta 2, correlation 1, alpha (0.001 + rf_d) 252 (Jensen:
 * (mean r - rf_d) - 2 (mean b - rf_d) = 0.001 + rf_d), tracking error sd(b + 0.001) sqrt 252 =
 * sd(b) sqrt 252, information ratio mean(b + 0.001) 252 / that.
 */
static void test_beta_alpha_constructed(void **state)
{
  (void)state;
  const double b[] = { 0.012, -0.004, 0.007, -0.015, 0.003, 0.009, -0.002 };
  double r[7], mb = 0.0, sb = 0.0;
  for (int i = 0; i < 7; i++) {
    r[i] = 0.001 + 2.0 * b[i];
    mb += b[i] / 7.0;
  }
  for (int i = 0; i < 7; i++)
    sb += (b[i] - mb) * (b[i] - mb) / 6.0;
  struct parity_risk_relative rel;
  assert_int_equal(parity_risk_relative_compute(r, b, 7, 0.0, &rel, NULL), 0);
  near(rel.beta, 2.0, "beta");
  near(rel.correlation, 1.0, "correlation");
  near(rel.alpha, 0.252, "alpha");
  near(rel.tracking_error, sqrt(sb * 252.0), "tracking error");
  near(rel.information_ratio, (mb + 0.001) * 252.0 / sqrt(sb * 252.0), "information ratio");
  assert_int_equal(parity_risk_relative_compute(r, b, 7, 0.05, &rel, NULL), 0);
  near(rel.alpha, 0.252 + 0.05, "alpha with rf");
}

/* Orthogonal +-1% patterns: beta 0, correlation 0. A series against itself: beta 1, alpha 0, tracking
 * error 0, information ratio 0/0 = undefined. A constant benchmark: beta undefined. */
static void test_relative_degenerate(void **state)
{
  (void)state;
  const double b[] = { 0.01, -0.01, 0.01, -0.01 }, r[] = { 0.01, 0.01, -0.01, -0.01 };
  struct parity_risk_relative rel;
  assert_int_equal(parity_risk_relative_compute(r, b, 4, 0.0, &rel, NULL), 0);
  assert_true(rel.beta == 0.0 && rel.correlation == 0.0);
  assert_int_equal(parity_risk_relative_compute(b, b, 4, 0.0, &rel, NULL), 0);
  assert_true(rel.beta == 1.0 && rel.alpha == 0.0 && rel.tracking_error == 0.0);
  assert_true(isnan(rel.information_ratio));
  const double c[] = { 0.01, 0.01, 0.01, 0.01 };
  assert_int_equal(parity_risk_relative_compute(r, c, 4, 0.0, &rel, NULL), 0);
  assert_true(isnan(rel.beta) && isnan(rel.alpha) && isnan(rel.correlation));
  struct parity_risk_own o;
  assert_int_equal(parity_risk_own_compute(c, 4, 0.0, &o, NULL), 0);
  assert_true(isnan(o.sharpe) && o.volatility == 0.0);
}

static void test_errors(void **state)
{
  (void)state;
  struct parity_risk_own o;
  struct parity_risk_relative rel;
  struct parity_quant_err err;
  const double one[] = { 0.01, 0.02 }, bad[] = { 0.01, NAN }, ruin[] = { 0.01, -1.0 };
  assert_int_equal(parity_risk_own_compute(one, 1, 0.0, &o, &err), PARITY_EINVAL);
  assert_non_null(strstr(err.msg, "at least 2 returns"));
  assert_int_equal(parity_risk_own_compute(bad, 2, 0.0, &o, &err), PARITY_EINVAL);
  assert_int_equal(parity_risk_own_compute(ruin, 2, 0.0, &o, &err), PARITY_EINVAL);
  assert_int_equal(parity_risk_own_compute(one, 2, INFINITY, &o, &err), PARITY_EINVAL);
  assert_int_equal(parity_risk_relative_compute(one, bad, 2, 0.0, &rel, &err), PARITY_EINVAL);
  assert_non_null(strstr(err.msg, "benchmark"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_drawdown_recovered),  cmocka_unit_test(test_drawdown_unrecovered),
    cmocka_unit_test(test_no_drawdown),         cmocka_unit_test(test_sharpe_sortino_closed_form),
    cmocka_unit_test(test_historical_var_cvar), cmocka_unit_test(test_beta_alpha_constructed),
    cmocka_unit_test(test_relative_degenerate), cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
