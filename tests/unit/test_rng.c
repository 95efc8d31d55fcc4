/* Unit tests of decisional/quant/rng.c: xoshiro256** and SplitMix64 reference vectors, the jump, and
 * the ziggurat normal sampler's tables and distribution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "decisional/quant/rng.h"

/* Reference outputs of xoshiro256** from the state {1, 2, 3, 4}, as produced by the authors' C
 * implementation (prng.di.unimi.it/xoshiro256starstar.c) and checked in rand_xoshiro's test suite. */
static void test_xoshiro_reference_vector(void **state)
{
  (void)state;
  static const uint64_t expected[] = { 11520ull,
                                       0ull,
                                       1509978240ull,
                                       1215971899390074240ull,
                                       1216172134540287360ull,
                                       607988272756665600ull,
                                       16172922978634559625ull,
                                       8476171486693032832ull,
                                       10595114339597558777ull,
                                       2904607092377533576ull };
  struct parity_rng rng;
  const uint64_t s[4] = { 1, 2, 3, 4 };
  parity_rng_set_state(&rng, s);
  for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
    assert_true(parity_rng_next(&rng) == expected[i]);
}

/* SplitMix64 from seed 0: the first outputs of Vigna's reference splitmix64.c. */
static void test_splitmix64_reference_vector(void **state)
{
  (void)state;
  uint64_t s = 0;
  assert_true(parity_splitmix64(&s) == 0xe220a8397b1dcdafull);
  assert_true(parity_splitmix64(&s) == 0x6e789e6aa1b965f4ull);
  assert_true(parity_splitmix64(&s) == 0x06c45d188009454full);
}

/* The jump of the 256-bit state is the same linear map for xoshiro256++ and **; from {0, 0, 0, 1} the
 * reference C code gives this state (test data of DSCF-1224/xoshiro-fortran, test/README.md, made with
 * the authors' xoshiro256plusplus.c). */
static void test_jump_reference_state(void **state)
{
  (void)state;
  struct parity_rng rng;
  const uint64_t s[4] = { 0, 0, 0, 1 };
  parity_rng_set_state(&rng, s);
  parity_rng_jump(&rng);
  assert_true(rng.s[0] == 0x934D05E8B2076310ull);
  assert_true(rng.s[1] == 0xEABDD0BF76A1BE51ull);
  assert_true(rng.s[2] == 0x75DD6A992ACCB1E8ull);
  assert_true(rng.s[3] == 0xC660C602A7330187ull);
}

static void test_seeding_is_deterministic_and_seed_sensitive(void **state)
{
  (void)state;
  struct parity_rng a, b, c;
  parity_rng_seed(&a, 42);
  parity_rng_seed(&b, 42);
  parity_rng_seed(&c, 43);
  int differs = 0;
  for (int i = 0; i < 1000; i++) {
    uint64_t x = parity_rng_next(&a);
    assert_true(x == parity_rng_next(&b));
    differs |= x != parity_rng_next(&c);
  }
  assert_true(differs);
  double u = parity_rng_uniform(&a);
  assert_true(u >= 0.0 && u < 1.0);
  double v = parity_rng_uniform_pos(&a);
  assert_true(v > 0.0 && v <= 1.0);
}

/* Marsaglia and Tsang's construction: every layer (and the base strip plus tail) has area v, and the
 * recursion from r closes at the top (x[256] = 0 with f = 1) to rounding. */
static void test_ziggurat_layers_have_equal_area(void **state)
{
  (void)state;
  struct parity_ziggurat z;
  parity_ziggurat_init(&z);
  assert_true(fabs(z.x[1] - 3.6541528853610088) < 1e-15);
  for (int i = 1; i < PARITY_ZIG_LAYERS; i++) {
    double area = z.x[i] * (z.f[i + 1] - z.f[i]);
    assert_true(fabs(area / z.v - 1.0) < 1e-9);
  }
  double base = z.x[0] * z.f[1];
  assert_true(fabs(base / z.v - 1.0) < 1e-12);
  for (int i = 0; i < PARITY_ZIG_LAYERS; i++)
    assert_true(z.x[i] > z.x[i + 1]);
}

static double normal_cdf(double x)
{
  return 0.5 * erfc(-x / sqrt(2.0));
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

#define NDRAWS 2000000

/* Moments within 5 standard errors, a Kolmogorov-Smirnov distance below the 0.1% critical value
 * (1.95 / sqrt(N)), tail frequencies beyond the ziggurat's r and beyond 4 against erfc, and the
 * documented bound |Z| < 14. */
static void test_normal_distribution(void **state)
{
  (void)state;
  struct parity_ziggurat z;
  parity_ziggurat_init(&z);
  struct parity_rng rng;
  parity_rng_seed(&rng, 20240531);
  double *x = malloc(NDRAWS * sizeof(double));
  assert_non_null(x);
  double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
  size_t beyond_r = 0, beyond_4 = 0;
  for (size_t i = 0; i < NDRAWS; i++) {
    double v = parity_rng_normal(&rng, &z);
    x[i] = v;
    s1 += v;
    s2 += v * v;
    s3 += v * v * v;
    s4 += v * v * v * v;
    beyond_r += fabs(v) > z.r;
    beyond_4 += fabs(v) > 4.0;
    assert_true(fabs(v) < 14.0);
  }
  double n = NDRAWS;
  assert_true(fabs(s1 / n) < 5.0 / sqrt(n));
  assert_true(fabs(s2 / n - 1.0) < 5.0 * sqrt(2.0 / n));
  assert_true(fabs(s3 / n) < 5.0 * sqrt(15.0 / n));
  assert_true(fabs(s4 / n - 3.0) < 5.0 * sqrt(96.0 / n));
  double p_r = erfc(z.r / sqrt(2.0)), p_4 = erfc(4.0 / sqrt(2.0));
  assert_true(fabs((double)beyond_r - n * p_r) < 5.0 * sqrt(n * p_r));
  assert_true(fabs((double)beyond_4 - n * p_4) < 5.0 * sqrt(n * p_4));
  qsort(x, NDRAWS, sizeof(double), cmp_double);
  double d = 0;
  for (size_t i = 0; i < NDRAWS; i++) {
    double f = normal_cdf(x[i]);
    double lo = f - (double)i / n, hi = (double)(i + 1) / n - f;
    d = fmax(d, fmax(lo, hi));
  }
  assert_true(d * sqrt(n) < 1.95);
  free(x);
}

/* Jumped streams do not repeat each other's output. */
static void test_jumped_streams_differ(void **state)
{
  (void)state;
  struct parity_rng a, b;
  parity_rng_seed(&a, 7);
  b = a;
  parity_rng_jump(&b);
  int same = 0;
  for (int i = 0; i < 10000; i++)
    same += parity_rng_next(&a) == parity_rng_next(&b);
  assert_int_equal(same, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_xoshiro_reference_vector),
    cmocka_unit_test(test_splitmix64_reference_vector),
    cmocka_unit_test(test_jump_reference_state),
    cmocka_unit_test(test_seeding_is_deterministic_and_seed_sensitive),
    cmocka_unit_test(test_ziggurat_layers_have_equal_area),
    cmocka_unit_test(test_normal_distribution),
    cmocka_unit_test(test_jumped_streams_differ),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
