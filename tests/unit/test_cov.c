/* Unit tests of decisional/quant/cov.c: every Gram kernel against the textbook two-pass formulas,
 * pandas' pairwise-complete semantics, exact correlations of collinear series, and the errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "decisional/quant/cov.h"
#include "decisional/quant/rng.h"

/* The definition, computed directly: for each pair, the rows both have (all rows' completeness in
 * listwise mode), means over those rows, sum of products / (count - 1); the correlation divides the
 * centred cross sum by the square root of the two centred sums of squares over those rows. */
static void reference(const double *x, size_t t, size_t n, int pairwise, double *cov, double *corr)
{
  char *complete = malloc(t);
  for (size_t r = 0; r < t; r++) {
    complete[r] = 1;
    for (size_t k = 0; k < n; k++)
      complete[r] &= !isnan(x[k * t + r]);
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      const double *xi = x + i * t, *xj = x + j * t;
      double sx = 0, sy = 0;
      size_t c = 0;
      for (size_t r = 0; r < t; r++)
        if (pairwise ? !isnan(xi[r]) && !isnan(xj[r]) : complete[r]) {
          sx += xi[r];
          sy += xj[r];
          c++;
        }
      double mx = sx / c, my = sy / c, sxy = 0, sxx = 0, syy = 0;
      for (size_t r = 0; r < t; r++)
        if (pairwise ? !isnan(xi[r]) && !isnan(xj[r]) : complete[r]) {
          double dx = xi[r] - mx, dy = xj[r] - my;
          sxy += dx * dy;
          sxx += dx * dx;
          syy += dy * dy;
        }
      cov[i * n + j] = sxy / (double)(c - 1);
      corr[i * n + j] = i == j ? 1.0 : sxy / sqrt(sxx * syy);
    }
  free(complete);
}

static double *random_returns(size_t t, size_t n, uint64_t seed, double nan_share)
{
  struct parity_ziggurat z;
  parity_ziggurat_init(&z);
  struct parity_rng rng;
  parity_rng_seed(&rng, seed);
  double *x = malloc(t * n * sizeof(double));
  assert_non_null(x);
  for (size_t r = 0; r < t; r++) {
    double market = parity_rng_normal(&rng, &z);
    for (size_t j = 0; j < n; j++) {
      double beta = 0.2 + 0.1 * (double)(j % 7);
      x[j * t + r] = 0.0004 + 0.01 * (beta * market + parity_rng_normal(&rng, &z));
      if (parity_rng_uniform(&rng) < nan_share)
        x[j * t + r] = NAN;
    }
  }
  return x;
}

static void assert_close(const struct parity_cov *c, const double *cov, const double *corr, double tol)
{
  size_t n = c->n;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      double scale = sqrt(cov[i * n + i] * cov[j * n + j]);
      if (!(fabs(c->cov[i * n + j] - cov[i * n + j]) <= tol * scale))
        fail_msg("cov(%zu,%zu) = %.17g, reference %.17g", i, j, c->cov[i * n + j], cov[i * n + j]);
      if (!(fabs(c->corr[i * n + j] - corr[i * n + j]) <= tol))
        fail_msg("corr(%zu,%zu) = %.17g, reference %.17g", i, j, c->corr[i * n + j], corr[i * n + j]);
      assert_true(c->cov[i * n + j] == c->cov[j * n + i]);
      assert_true(c->corr[i * n + j] == c->corr[j * n + i]);
    }
  for (size_t i = 0; i < n; i++)
    assert_true(c->corr[i * n + i] == 1.0);
}

/* Listwise, every kernel this CPU and build offer, on shapes that exercise the tile padding (n not a
 * multiple of 3, 4, 6 or 12; t not a multiple of 4 or 8), one and two threads, and missing values. */
static void test_listwise_kernels_match_definition(void **state)
{
  (void)state;
  static const size_t ns[] = { 1, 2, 5, 13, 37, 100 }, ts[] = { 2, 3, 9, 100, 257 };
  static const enum parity_cov_kernel kernels[] = { PARITY_COV_KERNEL_AUTO, PARITY_COV_KERNEL_AVX512,
                                                    PARITY_COV_KERNEL_AVX2, PARITY_COV_KERNEL_BLAS,
                                                    PARITY_COV_KERNEL_PORTABLE };
  int ran = 0;
  for (size_t a = 0; a < sizeof(ns) / sizeof(ns[0]); a++)
    for (size_t b = 0; b < sizeof(ts) / sizeof(ts[0]); b++) {
      size_t n = ns[a], t = ts[b];
      double *x = random_returns(t, n, 31 * n + t, t > 20 ? 0.002 : 0.0);
      double *cov = malloc(n * n * sizeof(double)), *corr = malloc(n * n * sizeof(double));
      reference(x, t, n, 0, cov, corr);
      for (size_t k = 0; k < sizeof(kernels) / sizeof(kernels[0]); k++) {
        if (!parity_cov_kernel_available(kernels[k]))
          continue;
        for (unsigned threads = 1; threads <= 2; threads++) {
          struct parity_cov_opts o = {
            .missing = PARITY_COV_LISTWISE, .threads = threads, .kernel = kernels[k], .names = NULL
          };
          struct parity_cov c;
          struct parity_quant_err err;
          int rc = parity_cov_compute(x, t, n, &o, &c, &err);
          if (rc)
            fail_msg("n %zu t %zu kernel %d: %s", n, t, (int)kernels[k], err.msg);
          assert_true(c.rows_used <= t && c.rows_used >= 2);
          assert_close(&c, cov, corr, 1e-12);
          parity_cov_free(&c);
          ran++;
        }
      }
      free(x);
      free(cov);
      free(corr);
    }
  assert_true(ran >= 60);
}

/* A size where the kernels really run on two threads and several L2 panels. */
static void test_listwise_large(void **state)
{
  (void)state;
  size_t n = 300, t = 700;
  double *x = random_returns(t, n, 5, 0.0);
  double *cov = malloc(n * n * sizeof(double)), *corr = malloc(n * n * sizeof(double));
  reference(x, t, n, 0, cov, corr);
  struct parity_cov c;
  struct parity_cov_opts o = {
    .missing = PARITY_COV_LISTWISE, .threads = 2, .kernel = PARITY_COV_KERNEL_AUTO, .names = NULL
  };
  assert_int_equal(parity_cov_compute(x, t, n, &o, &c, NULL), 0);
  assert_close(&c, cov, corr, 1e-12);
  parity_cov_free(&c);
  free(x);
  free(cov);
  free(corr);
}

/* Pairwise mode: each entry over the rows its two series share (leading gaps of different lengths,
 * as in PyPortfolioOpt's data), correlation from the variances over those rows. */
static void test_pairwise_matches_definition(void **state)
{
  (void)state;
  size_t n = 6, t = 400;
  double *x = random_returns(t, n, 8, 0.01);
  for (size_t j = 0; j < n; j++)
    for (size_t r = 0; r < 40 * j; r++)
      x[j * t + r] = NAN;
  double cov[36], corr[36];
  reference(x, t, n, 1, cov, corr);
  struct parity_cov c;
  struct parity_cov_opts o = {
    .missing = PARITY_COV_PAIRWISE, .threads = 0, .kernel = PARITY_COV_KERNEL_AUTO, .names = NULL
  };
  assert_int_equal(parity_cov_compute(x, t, n, &o, &c, NULL), 0);
  assert_close(&c, cov, corr, 1e-13);
  assert_true(c.rows_used < t - 200);
  parity_cov_free(&c);
  /* Listwise on the same data uses only the rows after the longest gap. */
  o.missing = PARITY_COV_LISTWISE;
  assert_int_equal(parity_cov_compute(x, t, n, &o, &c, NULL), 0);
  assert_true(c.rows_used <= t - 200);
  parity_cov_free(&c);
  free(x);
}

/* Y = 2X and Z = -X: correlations exactly 1 and -1 (never 1 + 1e-16), so distances are exactly 0 and 1. */
static void test_collinear_series_are_exact(void **state)
{
  (void)state;
  size_t t = 50;
  double x[150];
  struct parity_rng rng;
  parity_rng_seed(&rng, 4);
  for (size_t r = 0; r < t; r++) {
    x[r] = parity_rng_uniform(&rng) - 0.5;
    x[t + r] = 2.0 * x[r];
    x[2 * t + r] = -x[r];
  }
  for (int mode = 0; mode < 2; mode++) {
    struct parity_cov c;
    struct parity_cov_opts o = {
      .missing = (enum parity_cov_missing)mode, .threads = 1, .kernel = PARITY_COV_KERNEL_AUTO, .names = NULL
    };
    assert_int_equal(parity_cov_compute(x, t, 3, &o, &c, NULL), 0);
    assert_true(c.corr[1] == 1.0 && c.corr[2] == -1.0 && c.corr[5] == -1.0);
    assert_true(fabs(c.cov[4] / c.cov[0] - 4.0) < 1e-15);
    parity_cov_free(&c);
  }
}

static void expect_error(const double *x, size_t t, size_t n, int mode, int code, const char *needle)
{
  struct parity_cov c;
  struct parity_quant_err err = { 0, "" };
  const char *names[] = { "AAA", "BBB", "CCC" };
  struct parity_cov_opts o = { .missing = (enum parity_cov_missing)mode,
                               .threads = 0,
                               .kernel = PARITY_COV_KERNEL_AUTO,
                               .names = n <= 3 ? names : NULL };
  assert_int_equal(parity_cov_compute(x, t, n, &o, &c, &err), code);
  if (!strstr(err.msg, needle))
    fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
  assert_null(c.cov);
}

static void test_errors(void **state)
{
  (void)state;
  double x[12] = { 0.01, 0.02, -0.01, 0.03, 0.02, 0.01, 0.00, 0.04, 0.05, 0.05, 0.05, 0.05 };
  expect_error(x, 4, 3, 0, PARITY_ENUMERIC, "CCC is constant");
  expect_error(x, 4, 3, 1, PARITY_ENUMERIC, "CCC is constant");
  x[3] = INFINITY;
  expect_error(x, 4, 3, 0, PARITY_EINVAL, "AAA has an infinite value");
  x[3] = NAN;
  x[4] = NAN;
  x[9] = NAN;
  expect_error(x, 4, 3, 0, PARITY_ENUMERIC, "only 1 rows");
  expect_error(x, 4, 0, 0, PARITY_EINVAL, "no data");
  expect_error(x, PARITY_COV_MAX_ROWS + 1, 1, 0, PARITY_ETOOBIG, "over the limit");
  double nan_col[8] = { 1, 2, 3, 4, NAN, NAN, NAN, NAN };
  expect_error(nan_col, 4, 2, 1, PARITY_ENUMERIC, "share 0 rows");
  struct parity_cov c;
  struct parity_cov_opts o = { .missing = PARITY_COV_LISTWISE,
                               .threads = PARITY_COV_MAX_THREADS + 1,
                               .kernel = PARITY_COV_KERNEL_AUTO,
                               .names = NULL };
  assert_int_equal(parity_cov_compute(x, 4, 3, &o, &c, NULL), PARITY_EINVAL);
  assert_non_null(parity_cov_kernel_name(PARITY_COV_KERNEL_AUTO));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_listwise_kernels_match_definition),
    cmocka_unit_test(test_listwise_large),
    cmocka_unit_test(test_pairwise_matches_definition),
    cmocka_unit_test(test_collinear_series_are_exact),
    cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
