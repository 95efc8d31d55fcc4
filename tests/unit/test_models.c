/* Unit tests of decisional/models.c: generation from the bundled ETF history against the independent
 * numpy/SciPy reference (tests/bench/reference.py, fixtures models_expected_*.json), exclusions,
 * idempotency, forecast inputs, weights parsing and the shortest round-trip JSON text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/config.h"
#include "decisional/market_csv.h"
#include "common/json.h"
#include "decisional/models.h"

#include "bundled_prices.h"

static void generate(struct series_set *set, const char *as_of, struct parity_models_result *res)
{
  struct parity_models_params p;
  parity_models_params_defaults(&p);
  struct parity_models_universe u = { equities, 14, bonds, 5 };
  int32_t day;
  assert_int_equal(parity_day_parse(as_of, 10, &day), 0);
  struct parity_quant_err err;
  int rc = parity_models_generate(set->s, set->n, &u, &p, day, res, &err);
  if (rc)
    fail_msg("generate %s: %s", as_of, err.msg);
}

/* Every bucket's weights equal the reference's to the micro (they are micro-rounded on both sides),
 * sum to exactly 10^6 micros, and the excluded symbols and the as-of day agree. */
static void compare_with_reference(struct series_set *set, const char *as_of, const char *fixture)
{
  struct parity_models_result res;
  generate(set, as_of, &res);
  char path[512];
  snprintf(path, sizeof(path), "%s/%s", PARITY_FIXTURES_DIR, fixture);
  json_error_t jerr;
  json_t *ref = json_load_file(path, 0, &jerr);
  assert_non_null(ref);
  char day[11];
  parity_day_format(res.as_of_day, day);
  assert_string_equal(day, json_string_value(json_object_get(ref, "as_of")));
  assert_int_equal(res.returns_used, json_integer_value(json_object_get(ref, "returns_used")));
  json_t *rex = json_object_get(ref, "excluded");
  assert_int_equal(json_array_size(res.excluded), json_array_size(rex));
  for (size_t i = 0; i < json_array_size(rex); i++)
    assert_string_equal(json_string_value(json_object_get(json_array_get(res.excluded, i), "symbol")),
                        json_string_value(json_array_get(rex, i)));
  json_t *rb = json_object_get(ref, "buckets");
  assert_int_equal(json_object_size(res.buckets), 15);
  const char *key;
  json_t *want;
  json_object_foreach(rb, key, want) {
    json_t *got = json_object_get(res.buckets, key);
    assert_non_null(got);
    assert_int_equal(json_object_size(got), json_object_size(want));
    const char *sym;
    json_t *w;
    long long micros = 0;
    json_object_foreach(want, sym, w) {
      json_t *g = json_object_get(got, sym);
      if (!g || fabs(json_real_value(g) - json_real_value(w)) > 1e-12)
        fail_msg("%s %s: %.17g, reference %.17g", key, sym, g ? json_real_value(g) : -1.0, json_real_value(w));
      micros += llround(json_real_value(g) * 1e6);
      assert_true(json_real_value(g) >= 0.02);
    }
    assert_true(micros == 1000000);
    json_t *diag = json_object_get(res.diagnostics, key);
    assert_non_null(json_object_get(json_object_get(diag, "equities"), "linkage"));
    assert_non_null(json_object_get(json_object_get(diag, "bonds"), "cluster_variances"));
    assert_int_equal(json_array_size(json_object_get(json_object_get(diag, "equities"), "order")), 6);
  }
  json_decref(ref);
  parity_models_result_free(&res);
}

static void test_reference_2024(void **state)
{
  compare_with_reference(*state, "2024-12-31", "models_expected_2024-12-31.json");
}

/* Early 2014 BNDX has about 8 months of history: it is left out and reported, the rest proceeds. */
static void test_reference_2014_excludes_bndx(void **state)
{
  compare_with_reference(*state, "2014-01-31", "models_expected_2014-01-31.json");
  struct parity_models_result res;
  generate(*state, "2014-01-31", &res);
  json_t *ex = json_array_get(res.excluded, 0);
  assert_string_equal(json_string_value(json_object_get(ex, "symbol")), "BNDX");
  assert_non_null(strstr(json_string_value(json_object_get(ex, "reason")), "at least 253"));
  parity_models_result_free(&res);
}

/*
 * Column order of the equities' HRP (SPEC §8): the selected equities enter in decreasing Sharpe order,
 * as the original service's nlargest gives them. At 2017-12-29 the order decides how HRP splits VTI
 * and VOO (near-twins): the reference (numpy/SciPy, same column order) gives risk_5_horizon_long
 * VTI 0.255853 and VOO 0.140245; universe order (VTI before VOO) would give about 0.139 and 0.258.
 */
static void test_equities_enter_hrp_by_decreasing_sharpe(void **state)
{
  compare_with_reference(*state, "2017-12-29", "models_expected_2017-12-29.json");
  struct parity_models_result res;
  generate(*state, "2017-12-29", &res);
  json_t *b = json_object_get(res.buckets, "risk_5_horizon_long");
  assert_true(fabs(json_real_value(json_object_get(b, "VTI")) - 0.255853) < 1e-12);
  assert_true(fabs(json_real_value(json_object_get(b, "VOO")) - 0.140245) < 1e-12);
  json_t *eq = json_object_get(json_object_get(res.diagnostics, "risk_5_horizon_long"), "equities");
  json_t *columns = json_object_get(eq, "columns"), *selected = json_object_get(eq, "selected"),
         *sharpe = json_object_get(eq, "sharpe");
  assert_true(json_equal(columns, selected));
  assert_int_equal(json_array_size(columns), 6);
  for (size_t i = 1; i < json_array_size(columns); i++) {
    double prev = json_real_value(json_object_get(sharpe, json_string_value(json_array_get(columns, i - 1))));
    double cur = json_real_value(json_object_get(sharpe, json_string_value(json_array_get(columns, i))));
    assert_true(prev >= cur);
  }
  /* Not universe order: VOO (universe index 1) comes before VTI (index 0) here. */
  assert_string_equal(json_string_value(json_array_get(columns, 3)), "VOO");
  assert_string_equal(json_string_value(json_array_get(columns, 4)), "VTI");
  parity_models_result_free(&res);
}

/* The full-precision models are what CMD_GENERATE rounds: the same symbols, micro-rounding gives its
 * weights exactly, and each bucket sums to 1 within rounding. */
static void test_exact_weights_round_to_generate(void **state)
{
  static const char *const days[] = { "2014-01-31", "2017-12-29", "2024-12-31" };
  struct parity_models_exact *x = malloc(sizeof(*x));
  assert_non_null(x);
  for (size_t d = 0; d < 3; d++) {
    struct parity_models_result res;
    generate(*state, days[d], &res);
    struct parity_models_params p;
    parity_models_params_defaults(&p);
    struct parity_models_universe u = { equities, 14, bonds, 5 };
    int32_t day;
    assert_int_equal(parity_day_parse(days[d], 10, &day), 0);
    struct parity_quant_err err;
    assert_int_equal(parity_models_generate_exact(((struct series_set *)*state)->s, ((struct series_set *)*state)->n,
                                                  &u, &p, day, x, &err),
                     0);
    assert_int_equal(x->as_of_day, res.as_of_day);
    assert_int_equal(x->returns_used, res.returns_used);
    assert_int_equal(x->nexcluded, json_array_size(res.excluded));
    for (int k = 0; k < PARITY_BLEND_BUCKETS; k++) {
      char key[PARITY_BLEND_KEY_MAX];
      assert_int_equal(parity_blend_bucket_key(k / 3 + 1, (enum parity_horizon)(k % 3), key), 0);
      json_t *b = json_object_get(res.buckets, key);
      int64_t micros[PARITY_MODELS_MAX_SYMBOLS];
      assert_int_equal(parity_weights_round_micros(x->weights[k], x->n, micros), 0);
      double sum = 0.0;
      size_t nonzero = 0;
      for (size_t i = 0; i < x->n; i++) {
        sum += x->weights[k][i];
        json_t *g = json_object_get(b, x->symbols[i]);
        if (micros[i] == 0) {
          assert_null(g);
          continue;
        }
        nonzero++;
        assert_non_null(g);
        assert_true(json_real_value(g) == (double)micros[i] / 1e6);
        assert_true(fabs(x->weights[k][i] - json_real_value(g)) < 1e-6); /* floor, maybe plus one micro */
      }
      assert_int_equal(nonzero, json_object_size(b));
      assert_true(fabs(sum - 1.0) < 1e-12);
    }
    parity_models_result_free(&res);
  }
  free(x);
}

/* The same inputs give the same JSON, byte for byte (no clock, no randomness). */
static void test_idempotent(void **state)
{
  struct parity_models_result a, b;
  generate(*state, "2020-06-30", &a);
  generate(*state, "2020-06-30", &b);
  json_t *ja = parity_models_result_json(&a, 1), *jb = parity_models_result_json(&b, 1);
  char *ta = parity_json_dumps_exact_new(ja), *tb = parity_json_dumps_exact_new(jb);
  assert_string_equal(ta, tb);
  assert_non_null(strstr(ta, "\"as_of\":\"2020-06-30\""));
  free(ta);
  free(tb);
  json_decref(ja);
  json_decref(jb);
  parity_models_result_free(&a);
  parity_models_result_free(&b);
}

static void test_errors(void **state)
{
  struct series_set *set = *state;
  struct parity_models_params p;
  parity_models_params_defaults(&p);
  struct parity_models_result res;
  struct parity_quant_err err;
  /* No bond has data: generation refuses rather than producing equity-only models. */
  const char *const fake_bonds[] = { "ZZZ" };
  struct parity_models_universe u = { equities, 14, fake_bonds, 1 };
  assert_int_equal(parity_models_generate(set->s, set->n, &u, &p, PARITY_MODELS_AS_OF_LATEST, &res, &err),
                   PARITY_ENUMERIC);
  assert_non_null(strstr(err.msg, "no bond"));
  /* Before any data at all. */
  struct parity_models_universe full = { equities, 14, bonds, 5 };
  assert_int_equal(parity_models_generate(set->s, set->n, &full, &p, parity_day_from_ymd(2000, 1, 1), &res, &err),
                   PARITY_ENUMERIC);
  /* A symbol listed twice, an invalid one, bad parameters. */
  const char *const twice[] = { "VTI", "VTI" };
  struct parity_models_universe u2 = { twice, 2, bonds, 5 };
  assert_int_equal(parity_models_generate(set->s, set->n, &u2, &p, PARITY_MODELS_AS_OF_LATEST, &res, &err),
                   PARITY_EINVAL);
  const char *const bad[] = { "vti;" };
  struct parity_models_universe u3 = { bad, 1, bonds, 5 };
  assert_int_equal(parity_models_generate(set->s, set->n, &u3, &p, PARITY_MODELS_AS_OF_LATEST, &res, &err),
                   PARITY_EINVAL);
  p.min_common_days = p.lookback + 1;
  assert_int_equal(parity_models_generate(set->s, set->n, &full, &p, PARITY_MODELS_AS_OF_LATEST, &res, &err),
                   PARITY_EINVAL);
  /* Bars out of order are refused, not silently sorted. */
  struct parity_bar_series s[2] = { 0 };
  snprintf(s[0].symbol, sizeof(s[0].symbol), "VTI");
  snprintf(s[1].symbol, sizeof(s[1].symbol), "BND");
  for (int i = 0; i < 400; i++) {
    struct parity_bar b = { .day = 19000 + (i == 200 ? 150 : i), .adj_close = 100.0 + i };
    parity_bar_series_push(&s[0], &b);
    b.day = 19000 + i;
    parity_bar_series_push(&s[1], &b);
  }
  const char *const one_eq[] = { "VTI" }, *const one_bd[] = { "BND" };
  struct parity_models_universe u4 = { one_eq, 1, one_bd, 1 };
  parity_models_params_defaults(&p);
  assert_int_equal(parity_models_generate(s, 2, &u4, &p, PARITY_MODELS_AS_OF_LATEST, &res, &err), PARITY_EINVAL);
  assert_non_null(strstr(err.msg, "increasing"));
  parity_bar_series_free(&s[0]);
  parity_bar_series_free(&s[1]);
}

/* One equity and one bond: each class's HRP is trivially weight 1, so each bucket is the blend shares. */
static void test_single_asset_classes(void **state)
{
  (void)state;
  struct parity_bar_series s[2] = { 0 };
  snprintf(s[0].symbol, sizeof(s[0].symbol), "EQ");
  snprintf(s[1].symbol, sizeof(s[1].symbol), "BD");
  for (int i = 0; i < 300; i++) {
    struct parity_bar b = { .day = 19000 + i, .adj_close = 100.0 * (1.0 + 0.01 * sin(i)) };
    parity_bar_series_push(&s[0], &b);
    b.adj_close = 50.0 * (1.0 + 0.002 * cos(i));
    parity_bar_series_push(&s[1], &b);
  }
  const char *const e[] = { "EQ" }, *const bd[] = { "BD" };
  struct parity_models_universe u = { e, 1, bd, 1 };
  struct parity_models_params p;
  parity_models_params_defaults(&p);
  struct parity_models_result res;
  assert_int_equal(parity_models_generate(s, 2, &u, &p, PARITY_MODELS_AS_OF_LATEST, &res, NULL), 0);
  json_t *b = json_object_get(res.buckets, "risk_5_horizon_long");
  assert_true(json_real_value(json_object_get(b, "EQ")) == 0.95 && json_real_value(json_object_get(b, "BD")) == 0.05);
  assert_int_equal(res.returns_used, 299);
  parity_models_result_free(&res);
  parity_bar_series_free(&s[0]);
  parity_bar_series_free(&s[1]);
}

/* mu and sigma of a weighted portfolio with cash, against reference.py (models_forecast_inputs.json). */
static void test_forecast_inputs_reference(void **state)
{
  struct series_set *set = *state;
  json_error_t jerr;
  json_t *ref = json_load_file(PARITY_FIXTURES_DIR "/models_forecast_inputs.json", 0, &jerr);
  assert_non_null(ref);
  struct parity_weight w[8];
  size_t nw;
  assert_int_equal(parity_models_weights_from_json(json_object_get(ref, "weights"), w, 8, &nw, NULL), 0);
  struct parity_models_params p;
  parity_models_params_defaults(&p);
  int32_t day;
  parity_day_parse(json_string_value(json_object_get(ref, "as_of")), 10, &day);
  struct parity_forecast_inputs fi;
  struct parity_quant_err err;
  if (parity_models_forecast_inputs(set->s, set->n, w, nw, &p, day, &fi, &err) != 0)
    fail_msg("%s", err.msg);
  double tol = json_real_value(json_object_get(ref, "tolerance"));
  assert_true(fabs(fi.mu - json_real_value(json_object_get(ref, "mu"))) <= tol);
  assert_true(fabs(fi.sigma - json_real_value(json_object_get(ref, "sigma"))) <= tol);
  assert_int_equal(fi.returns_used, json_integer_value(json_object_get(ref, "returns_used")));
  json_decref(ref);
}

/* A price growing 0.1% a day: every log return is ln(1.001), so sigma = 0 and mu = g = 252 ln(1.001);
 * half in cash halves the daily simple return: ln(1.0005). All cash: mu = sigma = 0. */
static void test_forecast_inputs_closed_form(void **state)
{
  (void)state;
  struct parity_bar_series s = { 0 };
  snprintf(s.symbol, sizeof(s.symbol), "GROW");
  double px = 100.0;
  for (int i = 0; i < 400; i++) {
    struct parity_bar b = { .day = 19000 + i, .adj_close = px };
    parity_bar_series_push(&s, &b);
    px *= 1.001;
  }
  struct parity_models_params p;
  parity_models_params_defaults(&p);
  struct parity_forecast_inputs fi;
  struct parity_weight w[2] = { { "GROW", 0.5 }, { "CASH", 0.5 } };
  assert_int_equal(parity_models_forecast_inputs(&s, 1, w, 2, &p, PARITY_MODELS_AS_OF_LATEST, &fi, NULL), 0);
  assert_true(fi.sigma < 1e-12);
  assert_true(fabs(fi.mu - 252.0 * log(1.0005)) < 1e-12);
  assert_int_equal(fi.returns_used, 399);
  assert_int_equal(parity_models_forecast_inputs(&s, 1, w + 1, 1, &p, PARITY_MODELS_AS_OF_LATEST, &fi, NULL), 0);
  assert_true(fi.mu == 0.0 && fi.sigma == 0.0);
  struct parity_weight missing[1] = { { "NOPE", 1.0 } };
  struct parity_quant_err err;
  assert_int_equal(parity_models_forecast_inputs(&s, 1, missing, 1, &p, PARITY_MODELS_AS_OF_LATEST, &fi, &err),
                   PARITY_ENUMERIC);
  assert_non_null(strstr(err.msg, "NOPE"));
  struct parity_weight over[2] = { { "GROW", 0.8 }, { "CASH", 0.8 } };
  assert_int_equal(parity_models_forecast_inputs(&s, 1, over, 2, &p, PARITY_MODELS_AS_OF_LATEST, &fi, &err),
                   PARITY_EINVAL);
  p.min_common_days = 500;
  p.lookback = 600;
  assert_int_equal(parity_models_forecast_inputs(&s, 1, w, 2, &p, PARITY_MODELS_AS_OF_LATEST, &fi, &err),
                   PARITY_ENUMERIC);
  assert_non_null(strstr(err.msg, "too little history"));
  parity_bar_series_free(&s);
}

static void test_parse_symbols_and_config(void **state)
{
  (void)state;
  char out[8][PARITY_SYMBOL_MAX];
  size_t n;
  assert_int_equal(parity_models_parse_symbols("VTI,VOO,QQQ", out, 8, &n, NULL), 0);
  assert_int_equal(n, 3);
  assert_string_equal(out[2], "QQQ");
  assert_int_equal(parity_models_parse_symbols("VTI,,QQQ", out, 8, &n, NULL), PARITY_EINVAL);
  assert_int_equal(parity_models_parse_symbols("VTI,VTI", out, 8, &n, NULL), PARITY_EINVAL);
  assert_int_equal(parity_models_parse_symbols("VTI,", out, 8, &n, NULL), PARITY_EINVAL);
  assert_int_equal(parity_models_parse_symbols("vti", out, 8, &n, NULL), PARITY_EINVAL);
  assert_int_equal(parity_models_parse_symbols("A,B,C", out, 2, &n, NULL), PARITY_ETOOBIG);
  /* The built-in defaults are the configuration's defaults. */
  unsetenv("MODEL_LOOKBACK_DAYS");
  unsetenv("MODEL_MIN_COMMON_DAYS");
  unsetenv("MODEL_TOP_EQUITIES");
  unsetenv("MODEL_MIN_WEIGHT");
  struct parity_config cfg;
  assert_int_equal(parity_config_load(&cfg, PARITY_ROLE_CLI, stderr), 0);
  struct parity_models_params a, b;
  parity_models_params_defaults(&a);
  parity_models_params_from_config(&cfg, &b);
  assert_true(a.lookback == b.lookback && a.min_common_days == b.min_common_days && a.top_equities == b.top_equities &&
              a.min_weight == b.min_weight);
  parity_config_free(&cfg);
}

static void test_weights_from_json(void **state)
{
  (void)state;
  struct parity_weight w[4];
  size_t n;
  json_t *ok = json_pack("{s:f, s:i, s:f}", "VTI", 0.5, "BND", 0, "CASH", 0.5);
  assert_int_equal(parity_models_weights_from_json(ok, w, 4, &n, NULL), 0);
  assert_int_equal(n, 3);
  assert_string_equal(w[2].symbol, "CASH");
  assert_int_equal(parity_models_weights_from_json(ok, w, 2, &n, NULL), PARITY_ETOOBIG);
  json_t *bad = json_pack("{s:s}", "VTI", "half");
  assert_int_equal(parity_models_weights_from_json(bad, w, 4, &n, NULL), PARITY_EINVAL);
  json_t *badsym = json_pack("{s:f}", "DROP TABLE", 1.0);
  assert_int_equal(parity_models_weights_from_json(badsym, w, 4, &n, NULL), PARITY_EINVAL);
  json_t *arr = json_array();
  assert_int_equal(parity_models_weights_from_json(arr, w, 4, &n, NULL), PARITY_EINVAL);
  json_decref(arr);
  json_decref(ok);
  json_decref(bad);
  json_decref(badsym);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_reference_2024),
    cmocka_unit_test(test_reference_2014_excludes_bndx),
    cmocka_unit_test(test_equities_enter_hrp_by_decreasing_sharpe),
    cmocka_unit_test(test_exact_weights_round_to_generate),
    cmocka_unit_test(test_idempotent),
    cmocka_unit_test(test_errors),
    cmocka_unit_test(test_single_asset_classes),
    cmocka_unit_test(test_forecast_inputs_reference),
    cmocka_unit_test(test_forecast_inputs_closed_form),
    cmocka_unit_test(test_parse_symbols_and_config),
    cmocka_unit_test(test_weights_from_json),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
