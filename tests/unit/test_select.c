/* Unit tests of decisional/quant/select.c: exact order statistics and type-7 percentiles against a
 * sort-based oracle and hand-checked values of numpy.percentile's "linear" method. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "decisional/quant/rng.h"
#include "decisional/quant/select.h"

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The oracle: sort, then Hyndman and Fan's type 7 with numpy's lerp. */
static double oracle(double *sorted, size_t n, double p)
{
  double h = (double)(n - 1) * p, fl = floor(h);
  size_t lo = (size_t)fl, hi = lo + 1 < n ? lo + 1 : n - 1;
  return parity_select_lerp(sorted[lo], sorted[hi], h - fl);
}

/* numpy.percentile([1, 2, 3, 4, 10], [5, 25, 50, 90]) = [1.2, 2, 3, 7.6]: h = 4p, then linear
 * interpolation between the neighbouring order statistics (worked by hand from the definition). */
static void test_known_values(void **state)
{
  (void)state;
  struct parity_select_ws ws;
  assert_int_equal(parity_select_ws_init(&ws, 16), 0);
  const double x[] = { 10, 3, 1, 4, 2 }, p[] = { 0.05, 0.25, 0.5, 0.9, 0.0, 1.0 };
  double out[6];
  assert_int_equal(parity_percentiles(&ws, x, 5, p, 6, out, NULL), 0);
  assert_true(fabs(out[0] - 1.2) < 1e-15);
  assert_true(out[1] == 2.0 && out[2] == 3.0);
  assert_true(fabs(out[3] - 7.6) < 1e-15);
  assert_true(out[4] == 1.0 && out[5] == 10.0);
  const double one = 5.5;
  assert_int_equal(parity_percentiles(&ws, &one, 1, p, 6, out, NULL), 0);
  for (int k = 0; k < 6; k++)
    assert_true(out[k] == 5.5);
  parity_select_ws_close(&ws);
}

enum shape { UNIFORM, LOGNORMAL, FEW_VALUES, ALL_EQUAL, SIGNED_WITH_ZEROS, OUTLIER, WIDE_EXPONENTS, SHAPES };

static double draw(enum shape s, struct parity_rng *rng, const struct parity_ziggurat *z)
{
  switch (s) {
  case UNIFORM:
    return parity_rng_uniform(rng);
  case LOGNORMAL:
    return 1e6 * exp(0.5 * parity_rng_normal(rng, z));
  case FEW_VALUES:
    return (double)(parity_rng_next(rng) % 5);
  case ALL_EQUAL:
    return 42.0;
  case SIGNED_WITH_ZEROS: {
    uint64_t r = parity_rng_next(rng) % 4;
    return r == 0 ? 0.0 : (r == 1 ? -0.0 : parity_rng_normal(rng, z));
  }
  case OUTLIER:
    return parity_rng_next(rng) % 1000 == 0 ? 1e300 : 1.0 + parity_rng_uniform(rng) * 1e-9;
  case WIDE_EXPONENTS:
    return ldexp(parity_rng_uniform(rng), (int)(parity_rng_next(rng) % 2000) - 1000);
  default:
    return 0;
  }
}

/* Exact agreement with the oracle over sizes around the small-array cut-off and the bucket count, and
 * over distributions that defeat a naive bucket split (ties, one outlier, values spread over 600
 * binades, both signs and signed zeros). */
static void test_matches_sort_oracle(void **state)
{
  (void)state;
  static const size_t sizes[] = { 1, 2, 3, 47, 48, 49, 100, 1000, 4097, 10000, 33333 };
  const double p[] = { 0.0, 0.05, 0.10, 0.25, 0.5, 0.75, 0.90, 0.95, 0.999, 1.0 };
  struct parity_ziggurat z;
  parity_ziggurat_init(&z);
  struct parity_rng rng;
  parity_rng_seed(&rng, 99);
  struct parity_select_ws ws;
  assert_int_equal(parity_select_ws_init(&ws, 33333), 0);
  double *x = malloc(33333 * sizeof(double)), *sorted = malloc(33333 * sizeof(double));
  assert_non_null(x);
  assert_non_null(sorted);
  for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
    for (int s = 0; s < SHAPES; s++) {
      size_t n = sizes[si];
      for (size_t i = 0; i < n; i++)
        x[i] = sorted[i] = draw((enum shape)s, &rng, &z);
      qsort(sorted, n, sizeof(double), cmp_double);
      double out[10];
      assert_int_equal(parity_percentiles(&ws, x, n, p, 10, out, NULL), 0);
      for (int k = 0; k < 10; k++) {
        double want = oracle(sorted, n, p[k]);
        assert_true(out[k] == want || (out[k] == 0.0 && want == 0.0));
      }
      /* Raw ranks as well, in a scrambled order and with repeats. */
      size_t rank[5] = { n - 1, 0, n / 2, n / 3, n / 2 };
      double v[5];
      for (size_t i = 0; i < n; i++)
        ws.a[i] = parity_select_key(x[i]);
      assert_int_equal(parity_select_ranks(&ws, ws.a, n, rank, 5, v), 0);
      for (int k = 0; k < 5; k++)
        assert_true(v[k] == sorted[rank[k]] || (v[k] == 0.0 && sorted[rank[k]] == 0.0));
    }
  free(x);
  free(sorted);
  parity_select_ws_close(&ws);
}

static void test_key_order_matches_double_order(void **state)
{
  (void)state;
  const double v[] = { -INFINITY, -1e300, -2.5, -1e-310, -0.0, 0.0, 1e-310, 1.0, 2.5, 1e300, INFINITY };
  for (size_t i = 0; i + 1 < sizeof(v) / sizeof(v[0]); i++) {
    assert_true(parity_select_key(v[i]) < parity_select_key(v[i + 1]));
    assert_true(parity_select_unkey(parity_select_key(v[i])) == v[i]);
  }
}

static void test_rejects_bad_input(void **state)
{
  (void)state;
  struct parity_select_ws ws;
  struct parity_quant_err err;
  assert_int_equal(parity_select_ws_init(&ws, 4), 0);
  const double x[] = { 1, NAN, 3 }, inf[] = { 1, INFINITY }, p = 0.5, bad_p = 1.5;
  double out;
  assert_int_equal(parity_percentiles(&ws, x, 3, &p, 1, &out, &err), PARITY_EINVAL);
  assert_non_null(strstr(err.msg, "not finite"));
  assert_int_equal(parity_percentiles(&ws, inf, 2, &p, 1, &out, &err), PARITY_EINVAL);
  assert_int_equal(parity_percentiles(&ws, x, 0, &p, 1, &out, &err), PARITY_EINVAL);
  assert_int_equal(parity_percentiles(&ws, inf, 1, &bad_p, 1, &out, &err), PARITY_EINVAL);
  double big[5] = { 0 };
  assert_int_equal(parity_percentiles(&ws, big, 5, &p, 1, &out, &err), PARITY_ETOOBIG);
  size_t rank = 9;
  assert_int_equal(parity_select_ranks(&ws, ws.a, 3, &rank, 1, &out), PARITY_EINVAL);
  parity_select_ws_close(&ws);
  assert_int_equal(parity_select_ws_init(&ws, 0), PARITY_EINVAL);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_known_values),
    cmocka_unit_test(test_matches_sort_oracle),
    cmocka_unit_test(test_key_order_matches_double_order),
    cmocka_unit_test(test_rejects_bad_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
