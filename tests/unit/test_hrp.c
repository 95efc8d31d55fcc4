/* Unit tests of decisional/quant/hrp.c: the golden cases (5 assets, Y = 2X, PyPortfolioOpt's
 * published weights in pairwise mode), properties over random inputs, and the errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>
#include <jansson.h>

#include "decisional/quant/hrp.h"
#include "decisional/quant/rng.h"
#include "decisional/quant_csv.h"

static json_t *load_json(const char *name)
{
  char path[512];
  snprintf(path, sizeof(path), "%s/%s", PARITY_FIXTURES_DIR, name);
  json_error_t jerr;
  json_t *root = json_load_file(path, 0, &jerr);
  if (!root)
    fail_msg("cannot load %s: %s", name, jerr.text);
  return root;
}

static void load_csv(const char *name, struct parity_wide_csv *csv)
{
  char path[512];
  snprintf(path, sizeof(path), "%s/%s", PARITY_FIXTURES_DIR, name);
  struct parity_quant_err err;
  if (parity_quant_csv_read_wide(path, csv, &err) != 0)
    fail_msg("%s", err.msg);
}

/* Compares weights and leaf order with a golden fixture {order, weights, tolerance}. */
static void check_golden(const struct parity_hrp_result *h, const struct parity_wide_csv *csv, json_t *golden)
{
  double tol = json_real_value(json_object_get(golden, "tolerance"));
  json_t *weights = json_object_get(golden, "weights"), *order = json_object_get(golden, "order");
  assert_int_equal(json_object_size(weights), h->n);
  double sum = 0.0;
  for (size_t i = 0; i < h->n; i++) {
    double want = json_real_value(json_object_get(weights, csv->names[i]));
    if (!(fabs(h->weights[i] - want) <= tol))
      fail_msg("%s: %.17g, golden %.17g (tolerance %g)", csv->names[i], h->weights[i], want, tol);
    sum += h->weights[i];
    assert_string_equal(csv->names[h->order[i]], json_string_value(json_array_get(order, i)));
  }
  assert_true(fabs(sum - 1.0) < 1e-14);
}

/* The 5-asset golden case (hrp_five_assets.json): weights to 1e-10 and leaf order E, A, B, C, D. */
static void test_five_assets(void **state)
{
  (void)state;
  struct parity_wide_csv csv;
  load_csv("hrp_five_assets.csv", &csv);
  json_t *golden = load_json("hrp_five_assets.json");
  for (int mode = 0; mode < 2; mode++) {
    struct parity_cov_opts o = {
      .missing = (enum parity_cov_missing)mode, .threads = 0, .kernel = PARITY_COV_KERNEL_AUTO, .names = NULL
    };
    struct parity_hrp_result h;
    assert_int_equal(parity_hrp_run(csv.values, csv.nrows, csv.ncols, &o, &h, NULL), 0);
    check_golden(&h, &csv, golden);
    assert_int_equal(h.rows_used, 8);
    parity_hrp_result_free(&h);
  }
  json_decref(golden);
  parity_wide_csv_free(&csv);
}

/* PyPortfolioOpt's own expected weights for its data set (simple returns of the prices, pairwise
 * statistics as pandas computes them), to 1e-12, with its leaf order. */
static void test_pypfopt_pairwise(void **state)
{
  (void)state;
  struct parity_wide_csv csv;
  load_csv("pypfopt_stock_prices.csv", &csv);
  assert_int_equal(csv.ncols, 20);
  double *r = malloc(csv.ncols * csv.nrows * sizeof(double));
  assert_int_equal(parity_quant_csv_returns(&csv, r, NULL), 0);
  json_t *golden = load_json("pypfopt_hrp_weights.json");
  struct parity_cov_opts o = {
    .missing = PARITY_COV_PAIRWISE, .threads = 0, .kernel = PARITY_COV_KERNEL_AUTO, .names = NULL
  };
  struct parity_hrp_result h;
  assert_int_equal(parity_hrp_run(r, csv.nrows, csv.ncols, &o, &h, NULL), 0);
  check_golden(&h, &csv, golden);
  parity_hrp_result_free(&h);
  json_decref(golden);
  free(r);
  parity_wide_csv_free(&csv);
}

/* Y = 2X: correlation 1, so the tree is trivial and inverse variance decides: 1/v : 1/(4v) = 0.8 : 0.2. */
static void test_scaled_copy(void **state)
{
  (void)state;
  double x[2 * 30];
  struct parity_rng rng;
  parity_rng_seed(&rng, 11);
  for (int t = 0; t < 30; t++) {
    x[t] = parity_rng_uniform(&rng) * 0.02 - 0.01;
    x[30 + t] = 2.0 * x[t];
  }
  struct parity_hrp_result h;
  assert_int_equal(parity_hrp_run(x, 30, 2, NULL, &h, NULL), 0);
  assert_true(fabs(h.weights[0] - 0.8) < 1e-15);
  assert_true(fabs(h.weights[1] - 0.2) < 1e-15);
  assert_true(h.linkage[0].height == 0.0);
  parity_hrp_result_free(&h);
}

static double *random_returns(size_t t, size_t n, uint64_t seed)
{
  struct parity_ziggurat z;
  parity_ziggurat_init(&z);
  struct parity_rng rng;
  parity_rng_seed(&rng, seed);
  double *x = malloc(t * n * sizeof(double));
  for (size_t r = 0; r < t; r++) {
    double f1 = parity_rng_normal(&rng, &z), f2 = parity_rng_normal(&rng, &z);
    for (size_t j = 0; j < n; j++)
      x[j * t + r] = 0.01 * ((0.3 + 0.05 * (double)(j % 9)) * f1 + (j % 2 ? 0.4 : -0.2) * f2 +
                             (0.5 + 0.1 * (double)(j % 5)) * parity_rng_normal(&rng, &z));
  }
  return x;
}

/* Random inputs: weights positive and summing to 1; permuting the input columns permutes the weights
 * and the order and changes nothing else. One rule of SciPy's makes the input order visible: when two
 * single assets merge, the lower input index becomes the left child, so the permutation is adjusted to
 * keep each such pair in its original relative order (otherwise the pair may swap sides of a
 * bisection cut, exactly as in SciPy/PyPortfolioOpt). */
static void test_properties_random(void **state)
{
  (void)state;
  struct parity_rng rng;
  parity_rng_seed(&rng, 123);
  for (int trial = 0; trial < 40; trial++) {
    size_t n = 2 + (size_t)(parity_rng_next(&rng) % 40), t = 30 + (size_t)(parity_rng_next(&rng) % 300);
    double *x = random_returns(t, n, 1000 + (uint64_t)trial);
    size_t *perm = malloc(n * sizeof(size_t));
    for (size_t i = 0; i < n; i++)
      perm[i] = i;
    for (size_t i = n - 1; i > 0; i--) {
      size_t j = (size_t)(parity_rng_next(&rng) % (i + 1)), tmp = perm[i];
      perm[i] = perm[j];
      perm[j] = tmp;
    }
    struct parity_hrp_result a, b;
    assert_int_equal(parity_hrp_run(x, t, n, NULL, &a, NULL), 0);
    size_t *pos = malloc(n * sizeof(size_t));
    for (size_t k = 0; k < n; k++)
      pos[perm[k]] = k;
    for (size_t k = 0; k + 1 < n; k++) {
      size_t u = a.linkage[k].a, v = a.linkage[k].b;
      if (u < n && v < n && pos[u] > pos[v]) {
        size_t pu = pos[u], pv = pos[v];
        perm[pu] = v, perm[pv] = u, pos[u] = pv, pos[v] = pu;
      }
    }
    free(pos);
    double *y = malloc(t * n * sizeof(double));
    for (size_t k = 0; k < n; k++)
      memcpy(y + k * t, x + perm[k] * t, t * sizeof(double));
    assert_int_equal(parity_hrp_run(y, t, n, NULL, &b, NULL), 0);
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
      assert_true(a.weights[i] > 0.0 && isfinite(a.weights[i]));
      sum += a.weights[i];
    }
    assert_true(fabs(sum - 1.0) < 1e-13);
    for (size_t k = 0; k < n; k++) {
      /* Column k of y is column perm[k] of x. */
      assert_true(fabs(b.weights[k] - a.weights[perm[k]]) <= 1e-15);
      assert_int_equal(perm[b.order[k]], a.order[k]);
    }
    parity_hrp_result_free(&a);
    parity_hrp_result_free(&b);
    free(x);
    free(y);
    free(perm);
  }
}

/* Diagnostics are consistent: n - 1 splits whose alphas are in (0, 1) and reproduce the weights. */
static void test_splits_reproduce_weights(void **state)
{
  (void)state;
  size_t n = 17, t = 200;
  double *x = random_returns(t, n, 77);
  struct parity_hrp_result h;
  assert_int_equal(parity_hrp_run(x, t, n, NULL, &h, NULL), 0);
  double *w = malloc(n * sizeof(double));
  for (size_t i = 0; i < n; i++)
    w[i] = 1.0;
  for (size_t k = 0; k + 1 < n; k++) {
    const struct parity_hrp_split *s = &h.splits[k];
    assert_true(s->alpha > 0.0 && s->alpha < 1.0 && s->mid - s->lo == (s->hi - s->lo) / 2);
    assert_true(fabs(s->alpha - (1.0 - s->var_left / (s->var_left + s->var_right))) < 1e-15);
    for (size_t p = s->lo; p < s->hi; p++)
      w[h.order[p]] *= p < s->mid ? s->alpha : 1.0 - s->alpha;
  }
  for (size_t i = 0; i < n; i++)
    assert_true(w[i] == h.weights[i]);
  free(w);
  free(x);
  parity_hrp_result_free(&h);
}

static void test_errors(void **state)
{
  (void)state;
  struct parity_hrp_result h;
  struct parity_quant_err err = { 0, "" };
  double one[5] = { 0.01, 0.02, -0.01, 0.0, 0.03 };
  assert_int_equal(parity_hrp_run(one, 5, 1, NULL, &h, &err), PARITY_EINVAL);
  assert_non_null(strstr(err.msg, "at least 2"));
  double flat[10] = { 0.01, 0.02, -0.01, 0.0, 0.03, 0.01, 0.01, 0.01, 0.01, 0.01 };
  const char *names[] = { "AAA", "FLAT" };
  struct parity_cov_opts o = {
    .missing = PARITY_COV_LISTWISE, .threads = 0, .kernel = PARITY_COV_KERNEL_AUTO, .names = names
  };
  assert_int_equal(parity_hrp_run(flat, 5, 2, &o, &h, &err), PARITY_ENUMERIC);
  assert_non_null(strstr(err.msg, "FLAT is constant"));
  assert_null(h.weights);
  double bad[10] = { 0.01, NAN, INFINITY, 0.0, 0.03, 0.01, 0.02, 0.03, 0.01, 0.0 };
  assert_int_equal(parity_hrp_run(bad, 5, 2, &o, &h, &err), PARITY_EINVAL);
  assert_non_null(strstr(err.msg, "infinite"));
  /* A covariance whose diagonal is not positive (as a caller could hand over) is refused. */
  double cov[4] = { 0.0, 0.0, 0.0, 1.0 }, corr[4] = { 1, 0, 0, 1 };
  struct parity_cov c = { 2, cov, corr, 10 };
  assert_int_equal(parity_hrp_from_cov(&c, &h, &err), PARITY_ENUMERIC);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_five_assets),
    cmocka_unit_test(test_pypfopt_pairwise),
    cmocka_unit_test(test_scaled_copy),
    cmocka_unit_test(test_properties_random),
    cmocka_unit_test(test_splits_reproduce_weights),
    cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
