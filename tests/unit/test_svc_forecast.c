/* Forecast request helpers: the seed derived from the payload, bucket keys of the models API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "operational/svc_forecast.h"
#include "operational/svc_models.h"

/*
 * Reference: Python, hashlib.sha256(text).digest()[:8] as a big-endian integer >> 12, where text is the
 * payload with sorted keys, no spaces and reals at 17 significant digits (format(x, '.17g')):
 * {"initial_cents":100,"monthly_cents":5,"months":12,"percentiles":[5,50,95],
 *  "weights":{"BND":0.40000000000000002,"VTI":0.59999999999999998}}
 */
static void seed_is_sha256_of_the_canonical_payload(void **state)
{
  (void)state;
  json_t *a = json_pack("{s:{s:f, s:f}, s:i, s:i, s:i, s:[i, i, i]}", "weights", "VTI", 0.6, "BND", 0.4,
                        "initial_cents", 100, "monthly_cents", 5, "months", 12, "percentiles", 5, 50, 95);
  /* The same payload built in another order gives the same seed. */
  json_t *b = json_pack("{s:[i, i, i], s:i, s:i, s:i, s:{s:f, s:f}}", "percentiles", 5, 50, 95, "months", 12,
                        "monthly_cents", 5, "initial_cents", 100, "weights", "BND", 0.4, "VTI", 0.6);
  assert_int_equal(parity_forecast_seed(a), 4433089962500806ULL);
  assert_int_equal(parity_forecast_seed(b), 4433089962500806ULL);
  /* Any change of input changes it; every seed fits the payload's bound (2^53 - 1). */
  json_object_set_new(b, "months", json_integer(13));
  assert_int_not_equal(parity_forecast_seed(b), parity_forecast_seed(a));
  assert_true(parity_forecast_seed(b) < (1ULL << PARITY_FORECAST_SEED_BITS));
  json_decref(a);
  json_decref(b);
}

static void bucket_keys_parse_exactly(void **state)
{
  (void)state;
  static const char *const horizons[] = { "short", "medium", "long" };
  char key[32];
  int risk, h;
  for (int r = 1; r <= 5; r++)
    for (int i = 0; i < 3; i++) {
      snprintf(key, sizeof(key), "risk_%d_horizon_%s", r, horizons[i]);
      assert_true(parity_bucket_parse(key, &risk, &h));
      assert_int_equal(risk, r);
      assert_int_equal(h, i);
    }
  static const char *const bad[] = { "risk_0_horizon_short",
                                     "risk_6_horizon_long",
                                     "risk_3_horizon_lon",
                                     "risk_3_horizon_longer",
                                     "risk_33_horizon_long",
                                     "RISK_3_HORIZON_LONG",
                                     "risk_3_horizon_",
                                     "risk__horizon_long",
                                     "",
                                     "risk_3" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_false(parity_bucket_parse(bad[i], &risk, &h));
  assert_false(parity_bucket_parse(NULL, &risk, &h));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(seed_is_sha256_of_the_canonical_payload),
    cmocka_unit_test(bucket_keys_parse_exactly),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
