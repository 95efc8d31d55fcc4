/* Unit tests of decisional/quant/linkage.c against trees SciPy computed (hrp_scipy_linkage.json):
 * merge order, cluster labels, heights and leaf order must be identical, ties included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>
#include <jansson.h>

#include "decisional/quant/linkage.h"

static json_t *load_fixture(void)
{
  json_error_t jerr;
  json_t *root = json_load_file(PARITY_FIXTURES_DIR "/hrp_scipy_linkage.json", 0, &jerr);
  if (!root)
    fail_msg("cannot load hrp_scipy_linkage.json: %s", jerr.text);
  return root;
}

static void test_matches_scipy(void **state)
{
  (void)state;
  json_t *root = load_fixture();
  json_t *cases = json_object_get(root, "cases");
  assert_true(json_array_size(cases) >= 10);
  size_t idx;
  json_t *c;
  json_array_foreach(cases, idx, c) {
    const char *name = json_string_value(json_object_get(c, "name"));
    size_t n = (size_t)json_integer_value(json_object_get(c, "n"));
    double *d = malloc(n * n * sizeof(double));
    struct parity_linkage_step *z = malloc((n - 1) * sizeof(*z));
    size_t *leaves = malloc(n * sizeof(size_t));
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < n; j++)
        d[i * n + j] = json_real_value(json_array_get(json_array_get(json_object_get(c, "dist"), i), j));
    struct parity_quant_err err;
    assert_int_equal(parity_linkage_single(d, n, z, &err), 0);
    json_t *zref = json_object_get(c, "Z");
    for (size_t k = 0; k + 1 < n; k++) {
      json_t *row = json_array_get(zref, k);
      size_t a = (size_t)json_integer_value(json_array_get(row, 0));
      size_t b = (size_t)json_integer_value(json_array_get(row, 1));
      double h = json_real_value(json_array_get(row, 2));
      size_t size = (size_t)json_integer_value(json_array_get(row, 3));
      if (z[k].a != a || z[k].b != b || z[k].height != h || z[k].size != size)
        fail_msg("%s row %zu: got [%zu, %zu, %.17g, %zu], SciPy [%zu, %zu, %.17g, %zu]", name, k, z[k].a, z[k].b,
                 z[k].height, z[k].size, a, b, h, size);
    }
    assert_int_equal(parity_linkage_leaves(z, n, leaves), 0);
    json_t *lref = json_object_get(c, "leaves");
    for (size_t i = 0; i < n; i++)
      if (leaves[i] != (size_t)json_integer_value(json_array_get(lref, i)))
        fail_msg("%s: leaf %zu is %zu, SciPy has %lld", name, i, leaves[i],
                 (long long)json_integer_value(json_array_get(lref, i)));
    free(d);
    free(z);
    free(leaves);
  }
  json_decref(root);
}

/* Building distances from correlations on the fly gives the same tree as the explicit matrix. */
static void test_corr_variant_equals_matrix(void **state)
{
  (void)state;
  size_t n = 7;
  double corr[49], d[49];
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      double r = i == j ? 1.0 : cos((double)(i * 7 + j * 7 + i * j) * 0.37) * 0.9;
      if (j < i)
        r = corr[j * n + i];
      corr[i * n + j] = r;
    }
  for (size_t i = 0; i < n * n; i++)
    d[i] = parity_linkage_corr_dist(corr[i]);
  struct parity_linkage_step z1[6], z2[6];
  assert_int_equal(parity_linkage_single(d, n, z1, NULL), 0);
  assert_int_equal(parity_linkage_single_corr(corr, n, z2, NULL), 0);
  assert_memory_equal(z1, z2, sizeof(z1));
  assert_true(parity_linkage_corr_dist(1.0) == 0.0 && parity_linkage_corr_dist(-1.0) == 1.0);
}

static void test_errors(void **state)
{
  (void)state;
  double d[9] = { 0, 1, 2, 1, 0, NAN, 2, NAN, 0 };
  struct parity_linkage_step z[2];
  struct parity_quant_err err;
  assert_int_equal(parity_linkage_single(d, 3, z, &err), PARITY_EINVAL);
  assert_non_null(strstr(err.msg, "distance"));
  d[5] = d[7] = -0.5;
  assert_int_equal(parity_linkage_single(d, 3, z, &err), PARITY_EINVAL);
  d[5] = d[7] = INFINITY;
  assert_int_equal(parity_linkage_single(d, 3, z, &err), PARITY_EINVAL);
  assert_int_equal(parity_linkage_single(d, 1, z, &err), PARITY_EINVAL);
  size_t one;
  assert_int_equal(parity_linkage_leaves(z, 1, &one), 0);
  assert_int_equal(one, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_matches_scipy),
    cmocka_unit_test(test_corr_variant_equals_matrix),
    cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
