/* Unit tests of decisional/quant/rebalance.c: every case of the replaced service's table
 * (rebalance_cases.json), properties over random portfolios, and input checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>
#include <jansson.h>

#include "decisional/quant/rebalance.h"
#include "decisional/quant/rng.h"

static size_t weights_from(json_t *obj, struct parity_weight *w)
{
  const char *key;
  json_t *val;
  size_t n = 0;
  json_object_foreach(obj, key, val) {
    snprintf(w[n].symbol, sizeof(w[n].symbol), "%s", key);
    w[n++].w = json_number_value(val);
  }
  return n;
}

static void test_reference_cases(void **state)
{
  (void)state;
  json_error_t jerr;
  json_t *root = json_load_file(PARITY_FIXTURES_DIR "/rebalance_cases.json", 0, &jerr);
  assert_non_null(root);
  double tol = json_real_value(json_object_get(root, "tolerance"));
  size_t idx;
  json_t *c;
  size_t count = 0;
  json_array_foreach(json_object_get(root, "cases"), idx, c) {
    struct parity_weight cur[16], tgt[16];
    size_t ncur = weights_from(json_object_get(c, "current"), cur);
    size_t ntgt = weights_from(json_object_get(c, "target"), tgt);
    static struct parity_rebalance_result res;
    struct parity_quant_err err;
    int rc = parity_rebalance_compute(cur, ncur, tgt, ntgt, json_number_value(json_object_get(c, "threshold")),
                                      json_is_true(json_object_get(c, "cash_first")), &res, &err);
    if (rc)
      fail_msg("case %zu: %s", idx, err.msg);
    json_t *expected = json_object_get(c, "expected");
    assert_int_equal(res.n, json_object_size(expected));
    double sum = 0.0;
    for (size_t i = 0; i < res.n; i++) {
      json_t *want = json_object_get(expected, res.adjusted[i].symbol);
      if (!want || !(fabs(res.adjusted[i].w - json_number_value(want)) <= tol))
        fail_msg("case %zu: %s = %.17g", idx, res.adjusted[i].symbol, res.adjusted[i].w);
      assert_true(res.adjusted[i].w > 0.0);
      sum += res.adjusted[i].w;
    }
    assert_true(fabs(sum - 1.0) < 1e-12);
    json_t *skipped = json_object_get(c, "skipped");
    assert_int_equal(res.nskipped, json_array_size(skipped));
    for (size_t i = 0; i < res.nskipped; i++) {
      int found = 0;
      for (size_t k = 0; k < json_array_size(skipped); k++)
        found |= strcmp(res.skipped[i], json_string_value(json_array_get(skipped, k))) == 0;
      if (!found)
        fail_msg("case %zu: %s skipped, not expected", idx, res.skipped[i]);
    }
    count++;
  }
  assert_int_equal(count, 11);
  json_decref(root);
}

/* Drift = sum |current - target| / 2 with cash's target 0: case 3 of the table gives 0.4. */
static void test_drift(void **state)
{
  (void)state;
  struct parity_weight cur[3] = { { "A", 0.3 }, { "M", 0.3 }, { "CASH", 0.4 } };
  struct parity_weight tgt[2] = { { "A", 0.5 }, { "M", 0.5 } };
  static struct parity_rebalance_result res;
  assert_int_equal(parity_rebalance_compute(cur, 3, tgt, 2, 0.02, 1, &res, NULL), 0);
  assert_true(fabs(res.drift - 0.4) < 1e-15);
  /* A holding outside the target is sold and counts in the drift. */
  struct parity_weight cur2[2] = { { "OLD", 0.25 }, { "A", 0.75 } };
  assert_int_equal(parity_rebalance_compute(cur2, 2, tgt, 2, 0.02, 0, &res, NULL), 0);
  assert_true(fabs(res.drift - 0.5) < 1e-15);
  assert_int_equal(res.n, 2);
  assert_true(fabs(res.adjusted[0].w - 0.5) < 1e-15);
}

/* Random portfolios: positive weights summing to 1, only target symbols, and locked assets keep their
 * weight when the rest can absorb the difference. */
static void test_properties_random(void **state)
{
  (void)state;
  struct parity_rng rng;
  parity_rng_seed(&rng, 2);
  static const char *syms[] = { "A", "B", "C", "D", "E", "F", "G", "H" };
  for (int trial = 0; trial < 5000; trial++) {
    struct parity_weight cur[9], tgt[8];
    size_t nt = 1 + parity_rng_next(&rng) % 8, nc = 0;
    double st = 0, sc = 0;
    for (size_t i = 0; i < nt; i++) {
      snprintf(tgt[i].symbol, sizeof(tgt[i].symbol), "%s", syms[i]);
      st += tgt[i].w = 0.001 + parity_rng_uniform(&rng);
    }
    for (size_t i = 0; i < nt; i++)
      tgt[i].w /= st;
    for (size_t i = 0; i < 8; i++)
      if (parity_rng_uniform(&rng) < 0.6) {
        snprintf(cur[nc].symbol, sizeof(cur[nc].symbol), "%s", syms[i]);
        sc += cur[nc++].w = parity_rng_uniform(&rng);
      }
    snprintf(cur[nc].symbol, sizeof(cur[nc].symbol), "CASH");
    sc += cur[nc++].w = parity_rng_uniform(&rng) * 0.3;
    for (size_t i = 0; i < nc; i++)
      cur[i].w /= sc;
    double threshold = parity_rng_uniform(&rng) * 0.1;
    static struct parity_rebalance_result res;
    int cash_first = (int)(parity_rng_next(&rng) & 1);
    assert_int_equal(parity_rebalance_compute(cur, nc, tgt, nt, threshold, cash_first, &res, NULL), 0);
    double sum = 0;
    for (size_t i = 0; i < res.n; i++) {
      assert_true(res.adjusted[i].w > 0.0 && res.adjusted[i].w <= 1.0 + 1e-12);
      assert_true(parity_weights_find(tgt, nt, res.adjusted[i].symbol) >= 0);
      sum += res.adjusted[i].w;
    }
    assert_true(fabs(sum - 1.0) < 1e-12);
    assert_true(res.drift >= 0.0 && res.drift <= 1.0 + 1e-12);
  }
}

static void expect_invalid(const struct parity_weight *cur, size_t nc, const struct parity_weight *tgt, size_t nt,
                           double thr, const char *needle)
{
  static struct parity_rebalance_result res;
  struct parity_quant_err err = { 0, "" };
  assert_int_equal(parity_rebalance_compute(cur, nc, tgt, nt, thr, 0, &res, &err), PARITY_EINVAL);
  if (!strstr(err.msg, needle))
    fail_msg("\"%s\" lacks \"%s\"", err.msg, needle);
}

static void test_errors(void **state)
{
  (void)state;
  struct parity_weight cur[2] = { { "A", 0.5 }, { "M", 0.5 } }, tgt[2] = { { "A", 0.5 }, { "M", 0.5 } };
  expect_invalid(cur, 2, tgt, 0, 0.02, "sum");
  expect_invalid(cur, 2, tgt, 2, 1.5, "threshold");
  expect_invalid(cur, 2, tgt, 2, NAN, "threshold");
  struct parity_weight dup[2] = { { "A", 0.5 }, { "A", 0.5 } };
  expect_invalid(cur, 2, dup, 2, 0.02, "twice");
  expect_invalid(dup, 2, tgt, 2, 0.02, "twice");
  struct parity_weight cash[2] = { { "A", 0.5 }, { "CASH", 0.5 } };
  expect_invalid(cur, 2, cash, 2, 0.02, "CASH");
  struct parity_weight over[2] = { { "A", 0.7 }, { "M", 0.7 } };
  expect_invalid(cur, 2, over, 2, 0.02, "sum");
  expect_invalid(over, 2, tgt, 2, 0.02, "more than 1");
  struct parity_weight nanw[2] = { { "A", NAN }, { "M", 0.5 } };
  expect_invalid(nanw, 2, tgt, 2, 0.02, "weight of A");
  struct parity_weight zero[2] = { { "A", 0.0 }, { "M", 1.0 } };
  expect_invalid(cur, 2, zero, 2, 0.02, "weight of A");
  struct parity_weight empty[1] = { { "", 1.0 } };
  expect_invalid(cur, 2, empty, 1, 0.02, "empty");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_reference_cases),
    cmocka_unit_test(test_drift),
    cmocka_unit_test(test_properties_random),
    cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
