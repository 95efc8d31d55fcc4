/* Unit tests of decisional/quant/blend.c and weights.c: SPEC §8's equity shares, the minimum-weight cut
 * with pro-rata redistribution, and micro-unit rounding that sums to exactly one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "decisional/quant/blend.h"
#include "decisional/quant/rng.h"
#include "decisional/quant/weights.h"

/* min(base[risk] * mult[horizon], 0.95), worked out by hand from SPEC §8's table. */
static void test_equity_shares(void **state)
{
  (void)state;
  static const double expected[5][3] = {
    { 0.14, 0.20, 0.22 }, { 0.28, 0.40, 0.44 }, { 0.42, 0.60, 0.66 }, { 0.56, 0.80, 0.88 }, { 0.63, 0.90, 0.95 }
  };
  for (int r = 1; r <= 5; r++)
    for (int h = 0; h < 3; h++)
      assert_true(fabs(parity_blend_equity_share(r, (enum parity_horizon)h) - expected[r - 1][h]) < 1e-15);
  assert_true(isnan(parity_blend_equity_share(0, PARITY_HORIZON_SHORT)));
  assert_true(isnan(parity_blend_equity_share(6, PARITY_HORIZON_LONG)));
  char key[PARITY_BLEND_KEY_MAX];
  assert_int_equal(parity_blend_bucket_key(3, PARITY_HORIZON_MEDIUM, key), 0);
  assert_string_equal(key, "risk_3_horizon_medium");
  assert_int_equal(parity_blend_bucket_key(5, PARITY_HORIZON_LONG, key), 0);
  assert_string_equal(key, "risk_5_horizon_long");
  assert_int_equal(parity_blend_bucket_key(1, (enum parity_horizon)3, key), PARITY_EINVAL);
  assert_string_equal(parity_horizon_name(PARITY_HORIZON_SHORT), "short");
}

/* Equity share 0.05 with equities {0.5, 0.3, 0.2} and bonds {0.9, 0.1}: raw weights 0.025, 0.015,
 * 0.010, 0.855, 0.095; the two under 0.02 go and the survivors are divided by their sum 0.975:
 * 0.0256410256.., 0.876923076.., 0.0974358974.. -> floors 25641 + 876923 + 97435 = 999999 micros, and
 * the missing micro goes to the largest remainder (0.897 of the last bond): 97436. By hand. */
static void test_cut_and_redistribute(void **state)
{
  (void)state;
  const double eq[] = { 0.5, 0.3, 0.2 }, bd[] = { 0.9, 0.1 };
  int64_t m[5];
  assert_int_equal(parity_blend(eq, 3, bd, 2, 0.05, 0.02, m, NULL), 0);
  assert_true(m[0] == 25641 && m[1] == 0 && m[2] == 0 && m[3] == 876923 && m[4] == 97436);
  /* No cut at all: shares pass straight through to the nearest micro. */
  assert_int_equal(parity_blend(eq, 3, bd, 2, 0.6, 0.02, m, NULL), 0);
  assert_true(m[0] == 300000 && m[1] == 180000 && m[2] == 120000 && m[3] == 360000 && m[4] == 40000);
}

/* Random class weights: every bucket sums to exactly 10^6 micros and keeps no weight under the cut. */
static void test_random_buckets(void **state)
{
  (void)state;
  struct parity_rng rng;
  parity_rng_seed(&rng, 8);
  for (int trial = 0; trial < 200; trial++) {
    size_t ne = 1 + parity_rng_next(&rng) % 10, nb = 1 + parity_rng_next(&rng) % 6;
    double eq[10], bd[6], se = 0, sb = 0;
    for (size_t i = 0; i < ne; i++)
      se += eq[i] = 0.01 + parity_rng_uniform(&rng);
    for (size_t i = 0; i < nb; i++)
      sb += bd[i] = 0.01 + parity_rng_uniform(&rng);
    for (size_t i = 0; i < ne; i++)
      eq[i] /= se;
    for (size_t i = 0; i < nb; i++)
      bd[i] /= sb;
    for (int r = 1; r <= 5; r++)
      for (int h = 0; h < 3; h++) {
        int64_t m[16], total = 0;
        double share = parity_blend_equity_share(r, (enum parity_horizon)h);
        /* Some weight always survives: the largest bond weight is at least (1 - share) / 6 >= 0.05 / 6
         * only when share is 0.95, and then the largest equity weight is at least 0.95 / 10. */
        assert_int_equal(parity_blend(eq, ne, bd, nb, share, 0.02, m, NULL), 0);
        for (size_t i = 0; i < ne + nb; i++) {
          assert_true(m[i] == 0 || m[i] >= 20000);
          total += m[i];
        }
        assert_true(total == PARITY_WEIGHT_MICROS);
      }
  }
}

static void test_round_micros(void **state)
{
  (void)state;
  const double thirds[3] = { 1.0 / 3, 1.0 / 3, 1.0 / 3 };
  int64_t m[3];
  assert_int_equal(parity_weights_round_micros(thirds, 3, m), 0);
  assert_true(m[0] == 333334 && m[1] == 333333 && m[2] == 333333); /* ties go to the lower index */
  const double bad[2] = { 0.7, 0.7 }, neg[2] = { 1.5, -0.5 };
  assert_int_equal(parity_weights_round_micros(bad, 2, m), PARITY_EINVAL);
  assert_int_equal(parity_weights_round_micros(neg, 2, m), PARITY_EINVAL);
}

static void test_errors(void **state)
{
  (void)state;
  const double eq[] = { 0.5, 0.5 }, bd[] = { 1.0 }, bad[] = { 0.5, 0.4 },
               tiny[] = { 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1 };
  int64_t m[16];
  struct parity_quant_err err;
  assert_int_equal(parity_blend(bad, 2, bd, 1, 0.5, 0.02, m, &err), PARITY_EINVAL);
  assert_non_null(strstr(err.msg, "equity weights sum"));
  assert_int_equal(parity_blend(eq, 2, bd, 0, 0.5, 0.02, m, &err), PARITY_EINVAL);
  assert_int_equal(parity_blend(eq, 2, bd, 1, 1.5, 0.02, m, &err), PARITY_EINVAL);
  assert_int_equal(parity_blend(eq, 2, bd, 1, 0.5, 1.0, m, &err), PARITY_EINVAL);
  assert_int_equal(parity_blend(tiny, 10, tiny, 10, 0.5, 0.2, m, &err), PARITY_ENUMERIC);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_equity_shares),  cmocka_unit_test(test_cut_and_redistribute),
    cmocka_unit_test(test_random_buckets), cmocka_unit_test(test_round_micros),
    cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
