/* Unit tests of decisional/quant/mc.c: the GBM forecast against closed forms (lognormal quantiles,
 * expected value with contributions, goal probability), the deterministic case, reproducibility and
 * input checks. The sampling-error bounds are the standard errors of the sample quantiles below. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "decisional/quant/mc.h"
#include "decisional/quant/rng.h"

#define PATHS 10000

/* z_p = scipy.stats.norm.ppf(p) (SciPy 1.10.1) for the 7 default levels. */
static const double z_ref[7] = { -1.6448536269514729, -1.2815515655446004, -0.6744897501960817, 0.0,
                                 0.6744897501960817,  1.2815515655446004,  1.6448536269514722 };
/* Standard error of the sample p-quantile of a standard normal at 10,000 paths,
 * sqrt(p(1-p)) / (phi(z_p) sqrt(n)). */
static const double se_ref[7] = { 0.02113, 0.01709, 0.01363, 0.01253, 0.01363, 0.01709, 0.02113 };

static void run(const struct parity_mc_params *p, struct parity_mc_result *r)
{
  struct parity_quant_err err = { 0, "" };
  int rc = parity_mc_run(p, r, &err);
  if (rc)
    print_error("parity_mc_run: %s\n", err.msg);
  assert_int_equal(rc, 0);
}

/* Without contributions every simulated percentile sits within 4 standard errors of the lognormal
 * quantile V0 exp((mu - s^2/2) t + z_p s sqrt t), in log space; several drifts, volatilities and
 * horizons up to 30 years. The engine's own closed form matches SciPy's z to 1e-13. */
static void test_percentiles_match_closed_form(void **state)
{
  (void)state;
  const struct {
    double mu, sigma;
    int months;
  } cases[] = {
    { 0.07, 0.15, 120 }, { 0.05, 0.10, 360 }, { 0.12, 0.30, 60 }, { -0.02, 0.25, 360 }, { 0.09, 0.45, 240 }
  };
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
    struct parity_mc_params p = { .mu = cases[c].mu,
                                  .sigma = cases[c].sigma,
                                  .initial_cents = 2500000,
                                  .months = cases[c].months,
                                  .paths = PATHS,
                                  .seed = 1000 + c };
    struct parity_mc_result r;
    run(&p, &r);
    assert_int_equal(r.nlevels, 7);
    for (int m = 1; m <= p.months; m++) {
      double t = m / 12.0;
      for (int k = 0; k < 7; k++) {
        double cf = 2500000.0 * exp((p.mu - 0.5 * p.sigma * p.sigma) * t + z_ref[k] * p.sigma * sqrt(t));
        double sim = r.pct[(size_t)m * 7 + k];
        assert_true(fabs(r.closed[(size_t)m * 7 + k] / cf - 1.0) < 1e-13);
        double bound = 4.0 * se_ref[k] * p.sigma * sqrt(t);
        if (!(fabs(log(sim / cf)) <= bound))
          fail_msg("case %zu month %d level %d: |ln(%g/%g)| > %g", c, m, k, sim, cf, bound);
      }
    }
    for (int k = 0; k < 7; k++)
      assert_true(r.pct[k] == 2500000.0);
    parity_mc_result_free(&r);
  }
}

/* With contributions there is no closed form for the quantiles, but the mean is exact:
 * E[V_n] = V0 e^{mu t} + c sum_j e^{mu (t - t_j)}, and so is the variance (products of independent
 * lognormal factors: E[G(a,n) G(b,n)] = e^{mu (t_b - t_a)} e^{(2 mu + s^2)(t_n - t_b)} for a <= b).
 * The sample mean must be within 4 standard errors at every month. */
static void test_mean_with_contributions(void **state)
{
  (void)state;
  struct parity_mc_params p = {
    .mu = 0.08, .sigma = 0.2, .initial_cents = 1000000, .monthly_cents = 50000, .months = 240, .paths = PATHS, .seed = 5
  };
  struct parity_mc_result r;
  run(&p, &r);
  const double dt = 1.0 / 12, mu = p.mu, s2 = p.sigma * p.sigma;
  for (int n = 1; n <= p.months; n++) {
    /* Deposits: index 0 is V0 at time 0, index j >= 1 is c at month j. */
    double mean = 0.0, second = 0.0;
    for (int a = 0; a <= n; a++) {
      double ca = a == 0 ? 1000000.0 : 50000.0;
      mean += ca * exp(mu * (n - a) * dt);
      for (int b = 0; b <= n; b++) {
        double cb = b == 0 ? 1000000.0 : 50000.0;
        int lo = a < b ? a : b, hi = a < b ? b : a;
        second += ca * cb * exp(mu * (hi - lo) * dt) * exp((2 * mu + s2) * (n - hi) * dt);
      }
    }
    double se = sqrt((second - mean * mean) / PATHS);
    if (!(fabs(r.mean[n] - mean) <= 4.0 * se))
      fail_msg("month %d: mean %f, expected %f +/- 4 x %f", n, r.mean[n], mean, se);
  }
  parity_mc_result_free(&r);
}

/* sigma = 0 makes every path the recursion V <- V e^{mu/12} + c; every percentile and the mean
 * equal it to 1e-12 relative. */
static void test_zero_volatility_is_deterministic(void **state)
{
  (void)state;
  struct parity_mc_params p = { .mu = 0.06,
                                .sigma = 0.0,
                                .initial_cents = 123456789,
                                .monthly_cents = 250000,
                                .months = 600,
                                .paths = 3000,
                                .seed = 9,
                                .has_goal = 1 };
  double v = 123456789.0;
  for (int m = 1; m <= p.months; m++)
    v = v * exp(0.06 / 12) + 250000.0;
  p.goal_cents = (int64_t)(v * 0.999);
  struct parity_mc_result r;
  run(&p, &r);
  double want = 123456789.0;
  for (int m = 0; m <= p.months; m++) {
    if (m > 0)
      want = want * exp(0.06 / 12) + 250000.0;
    for (int k = 0; k < 7; k++)
      assert_true(fabs(r.pct[(size_t)m * 7 + k] / want - 1.0) < 1e-12);
    assert_true(fabs(r.mean[m] / want - 1.0) < 1e-12);
  }
  assert_true(r.goal_probability == 1.0);
  parity_mc_result_free(&r);
  p.goal_cents = (int64_t)(v * 1.001);
  run(&p, &r);
  assert_true(r.goal_probability == 0.0);
  parity_mc_result_free(&r);
}

static int same_result(const struct parity_mc_result *a, const struct parity_mc_result *b)
{
  size_t cells = ((size_t)a->months + 1) * a->nlevels;
  return a->months == b->months && memcmp(a->pct, b->pct, cells * sizeof(double)) == 0 &&
         memcmp(a->mean, b->mean, ((size_t)a->months + 1) * sizeof(double)) == 0 &&
         /* NOLINTNEXTLINE(bugprone-suspicious-memory-comparison): byte-identical is the property tested */
         memcmp(&a->goal_probability, &b->goal_probability, sizeof(double)) == 0;
}

/* The same seed gives byte-identical results, whatever the number of threads (lanes own their
 * random streams); another seed gives different numbers. Path counts that are not a multiple of the
 * lane size are covered. */
static void test_reproducible_across_runs_and_threads(void **state)
{
  (void)state;
  struct parity_mc_params p = { .mu = 0.07,
                                .sigma = 0.18,
                                .initial_cents = 5000000,
                                .monthly_cents = 20000,
                                .months = 120,
                                .paths = 10001,
                                .seed = 77,
                                .has_goal = 1,
                                .goal_cents = 9000000 };
  struct parity_mc_result base, other;
  run(&p, &base);
  const unsigned threads[] = { 1, 2, 3, 16 };
  for (size_t i = 0; i < 4; i++) {
    p.threads = threads[i];
    run(&p, &other);
    assert_true(same_result(&base, &other));
    parity_mc_result_free(&other);
  }
  p.seed = 78;
  run(&p, &other);
  assert_false(same_result(&base, &other));
  parity_mc_result_free(&other);
  parity_mc_result_free(&base);
}

/* P(V_T >= G) without contributions is Phi((ln(V0/G) + (mu - s^2/2) T) / (s sqrt T)); the sampled
 * frequency is within 4 binomial standard errors. */
static void test_goal_probability(void **state)
{
  (void)state;
  struct parity_mc_params p = { .mu = 0.07,
                                .sigma = 0.2,
                                .initial_cents = 1000000,
                                .months = 180,
                                .paths = PATHS,
                                .seed = 3,
                                .has_goal = 1,
                                .goal_cents = 2500000 };
  struct parity_mc_result r;
  run(&p, &r);
  double T = 15.0;
  double d = (log(1000000.0 / 2500000.0) + (0.07 - 0.02) * T) / (0.2 * sqrt(T));
  double want = 0.5 * erfc(-d / sqrt(2.0));
  assert_true(fabs(r.goal_probability - want) <= 4.0 * sqrt(want * (1 - want) / PATHS));
  parity_mc_result_free(&r);
}

/* Custom levels, one path, and the normal quantile used for the closed form. */
static void test_levels_and_quantile(void **state)
{
  (void)state;
  for (int k = 0; k < 7; k++) {
    static const double lv[7] = { 0.05, 0.10, 0.25, 0.5, 0.75, 0.90, 0.95 };
    assert_true(fabs(parity_mc_normal_quantile(lv[k]) - z_ref[k]) < 2e-15);
  }
  assert_true(fabs(parity_mc_normal_quantile(1e-10) - (-6.361340902404056)) < 1e-12);
  assert_true(isnan(parity_mc_normal_quantile(0.0)) && isnan(parity_mc_normal_quantile(1.0)));
  const double levels[] = { 0.01, 0.5, 0.99 };
  struct parity_mc_params p = {
    .mu = 0.05, .sigma = 0.1, .initial_cents = 100, .months = 12, .paths = 1, .levels = levels, .nlevels = 3
  };
  struct parity_mc_result r;
  run(&p, &r);
  assert_int_equal(r.nlevels, 3);
  for (int m = 0; m <= 12; m++)
    assert_true(r.pct[m * 3] == r.pct[m * 3 + 1] && r.pct[m * 3 + 1] == r.pct[m * 3 + 2]);
  assert_true(r.goal_probability == -1.0);
  parity_mc_result_free(&r);
}

/* The vectorised exp agrees with libm's to 2 ulp over the forecast's range and beyond. */
static void test_exp_accuracy(void **state)
{
  (void)state;
  struct parity_rng rng;
  parity_rng_seed(&rng, 1);
  double worst = 0.0;
  for (int i = 0; i < 1000000; i++) {
    double x = (parity_rng_uniform(&rng) - 0.5) * (i < 900000 ? 40.0 : 1400.0);
    double got = parity_mc__exp(x), want = exp(x);
    worst = fmax(worst, fabs(got - want) / want);
  }
  assert_true(worst < 4.5e-16);
  assert_true(parity_mc__exp(0.0) == 1.0);
}

static void expect_invalid(struct parity_mc_params p, const char *needle)
{
  struct parity_mc_result r;
  struct parity_quant_err err = { 0, "" };
  assert_int_equal(parity_mc_run(&p, &r, &err), PARITY_EINVAL);
  assert_non_null(strstr(err.msg, needle));
}

static void test_rejects_bad_input(void **state)
{
  (void)state;
  const struct parity_mc_params ok = { .mu = 0.05, .sigma = 0.1, .initial_cents = 100, .months = 12, .paths = 100 };
  struct parity_mc_params p = ok;
  p.mu = NAN;
  expect_invalid(p, "mu");
  p = ok, p.mu = 5.0;
  expect_invalid(p, "mu");
  p = ok, p.sigma = -0.1;
  expect_invalid(p, "sigma");
  p = ok, p.sigma = INFINITY;
  expect_invalid(p, "sigma");
  p = ok, p.months = 0;
  expect_invalid(p, "months");
  p = ok, p.months = PARITY_MC_MAX_MONTHS + 1;
  expect_invalid(p, "months");
  p = ok, p.paths = 0;
  expect_invalid(p, "paths");
  p = ok, p.paths = PARITY_MC_MAX_PATHS + 1;
  expect_invalid(p, "paths");
  p = ok, p.initial_cents = -1;
  expect_invalid(p, "initial_cents");
  p = ok, p.monthly_cents = PARITY_MC_MAX_CENTS + 1;
  expect_invalid(p, "monthly_cents");
  p = ok, p.has_goal = 1, p.goal_cents = 0;
  expect_invalid(p, "goal_cents");
  const double bad_levels[] = { 0.5, 0.25 };
  p = ok, p.levels = bad_levels, p.nlevels = 2;
  expect_invalid(p, "percentile");
  p = ok, p.threads = PARITY_MC_MAX_THREADS + 1;
  expect_invalid(p, "threads");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_percentiles_match_closed_form),
    cmocka_unit_test(test_mean_with_contributions),
    cmocka_unit_test(test_zero_volatility_is_deterministic),
    cmocka_unit_test(test_reproducible_across_runs_and_threads),
    cmocka_unit_test(test_goal_probability),
    cmocka_unit_test(test_levels_and_quantile),
    cmocka_unit_test(test_exp_accuracy),
    cmocka_unit_test(test_rejects_bad_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
