/* Unit tests of the walk-forward backtest: the trading rules of decisional/quant/backtest.c on a hand-
 * computed panel, and decisional/backtest.c on the bundled history against the independent numpy/SciPy
 * reference (tests/bench/reference.py backtest-fixture, tests/fixtures/backtest_expected_10bps.json). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>
#include <jansson.h>

#include "decisional/analytics.h"
#include "decisional/analytics_json.h"
#include "decisional/backtest.h"
#include "decisional/market_csv.h"
#include "decisional/quant/backtest.h"

#include "bundled_prices.h"

static void near(double got, double want, double tol, const char *what)
{
  if (!(fabs(got - want) <= tol))
    fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

/* A: 100, 100, 110, 121, 110; B: 50, 50, 50, 55, 55; start day 0, executions on days 1 and 3. */
static const int32_t days5[] = { 20000, 20001, 20002, 20003, 20004 };
static const double px5[] = { 100, 100, 110, 121, 110, 50, 50, 50, 55, 55 };
static const char *const syms2[] = { "A", "B" };
static const size_t exec2[] = { 1, 3 };

/*
 * 50/50 both times, 10 bps. Day 1 buys from cash: T = 1, V = 1 - 0.001 = 0.999, shares A 0.004995,
 * B 0.00999. Day 2: 0.004995 * 110 + 0.00999 * 50 = 1.04895. Day 3 before trading: 0.604395 + 0.54945
 * = 1.153845, weights 11/21 and 10/21; T = 2/42 = 1/21 (outside the 0.02 band, so the rule and a reset
 * agree), V' = 1.153845 (1 - 0.001/21). Day 4: V' (0.5 * 110/121 + 0.5 * 55/55) = V' 21/22.
 */
static void test_hand_computed_path(void **state)
{
  (void)state;
  struct parity_bt_panel p = { .ndays = 5, .nsym = 2, .days = days5, .px = px5, .symbols = syms2 };
  const double targets[] = { 0.5, 0.5, 0.5, 0.5 };
  for (int rule = PARITY_BT_THRESHOLD; rule <= PARITY_BT_RESET; rule++) {
    struct parity_bt_strategy s = {
      .rule = (enum parity_bt_rule)rule, .cost_bps = 10.0, .threshold = 0.02, .targets = targets
    };
    double v[5];
    struct parity_bt_outcome o = { .values = v };
    assert_int_equal(parity_bt_simulate(&p, 0, 4, exec2, 2, &s, &o, NULL), 0);
    double v3 = 1.153845 * (1.0 - 0.001 / 21.0);
    near(v[0], 1.0, 0, "day 0");
    near(v[1], 0.999, 1e-15, "day 1");
    near(v[2], 1.04895, 1e-15, "day 2");
    near(v[3], v3, 1e-15, "day 3");
    near(v[4], v3 * 21.0 / 22.0, 1e-15, "day 4");
    assert_int_equal(o.executions, 2);
    near(o.turnover_sum, 1.0 / 21.0, 1e-15, "turnover");
  }
}

/* Targets 0.51/0.49 on day 3: both drifted weights (11/21, 10/21) are within 0.02, so the product's rule
 * keeps them: no trade, no cost, T = 0, yet the day counts as an execution. A reset trades. */
static void test_threshold_keeps_weights(void **state)
{
  (void)state;
  struct parity_bt_panel p = { .ndays = 5, .nsym = 2, .days = days5, .px = px5, .symbols = syms2 };
  const double targets[] = { 0.5, 0.5, 0.51, 0.49 };
  struct parity_bt_strategy s = {
    .rule = PARITY_BT_THRESHOLD, .cost_bps = 10.0, .threshold = 0.02, .targets = targets
  };
  double v[5];
  struct parity_bt_outcome o = { .values = v };
  assert_int_equal(parity_bt_simulate(&p, 0, 4, exec2, 2, &s, &o, NULL), 0);
  near(v[3], 1.153845, 1e-15, "no cost on a kept day");
  near(v[4], 0.004995 * 110 + 0.00999 * 55, 1e-15, "shares unchanged");
  assert_int_equal(o.executions, 2);
  assert_true(o.turnover_sum == 0.0);
  s.rule = PARITY_BT_RESET;
  assert_int_equal(parity_bt_simulate(&p, 0, 4, exec2, 2, &s, &o, NULL), 0);
  assert_true(o.turnover_sum > 0.0);
}

/* Hold: bought once (T = 1, charged), never traded again: 1 execution, V_t = 0.999 A_t / A_1. */
static void test_hold_and_turnover_formula(void **state)
{
  (void)state;
  struct parity_bt_panel p = { .ndays = 5, .nsym = 2, .days = days5, .px = px5, .symbols = syms2 };
  const double targets[] = { 1.0, 0.0, 0.0, 1.0 };
  struct parity_bt_strategy s = { .rule = PARITY_BT_HOLD, .cost_bps = 10.0, .threshold = 0.02, .targets = targets };
  double v[5];
  struct parity_bt_outcome o = { .values = v };
  assert_int_equal(parity_bt_simulate(&p, 0, 4, exec2, 2, &s, &o, NULL), 0);
  near(v[4], 0.999 * 1.1, 1e-15, "held");
  assert_int_equal(o.executions, 1);
  assert_true(o.turnover_sum == 0.0);
  /* SPEC §8a: (sum T / 2) / (N / 252): T = 0.5 over 252 returns is 0.25 a year. */
  near(parity_bt_annual_turnover(0.5, 252), 0.25, 1e-15, "annual turnover");
  struct parity_quant_err err;
  const size_t bad_exec[] = { 3, 1 };
  assert_int_equal(parity_bt_simulate(&p, 0, 4, bad_exec, 2, &s, &o, &err), PARITY_EINVAL);
  const double bad_t[] = { 0.7, 0.7, 0.5, 0.5 };
  s.targets = bad_t;
  assert_int_equal(parity_bt_simulate(&p, 0, 4, exec2, 2, &s, &o, &err), PARITY_EINVAL);
}

/* ---- the bundled history ------------------------------------------------------------------ */

static void compare_json(json_t *got, json_t *want, const char *path)
{
  if (json_is_object(want)) {
    const char *k;
    json_t *v;
    json_object_foreach(want, k, v) {
      char sub[256];
      snprintf(sub, sizeof(sub), "%s.%s", path, k);
      json_t *g = json_object_get(got, k);
      if (!g)
        fail_msg("%s missing", sub);
      compare_json(g, v, sub);
    }
  } else if (json_is_array(want)) {
    if (json_array_size(got) != json_array_size(want))
      fail_msg("%s: %zu elements, reference %zu", path, json_array_size(got), json_array_size(want));
    for (size_t i = 0; i < json_array_size(want); i++)
      compare_json(json_array_get(got, i), json_array_get(want, i), path);
  } else if (json_is_number(want)) {
    if (!json_is_number(got) || fabs(json_number_value(got) - json_number_value(want)) > 1e-9)
      fail_msg("%s: %.17g, reference %.17g", path, json_number_value(got), json_number_value(want));
  } else if (!json_equal(got, want)) {
    fail_msg("%s differs from the reference", path);
  }
}

/* Every series' metrics, turnover and executions, and the window, agree with the reference to 1e-9. */
static void test_bundled_against_reference(void **state)
{
  struct series_set *set = *state;
  struct parity_backtest_params bp;
  parity_backtest_params_defaults(&bp);
  bp.cost_bps = 10.0;
  struct parity_models_universe u = { equities, 14, bonds, 5 };
  struct parity_backtest_result res;
  struct parity_quant_err err;
  if (parity_backtest_run(set->s, set->n, &u, &bp, &res, &err) != 0)
    fail_msg("backtest: %s", err.msg);
  json_error_t jerr;
  json_t *ref = json_load_file(PARITY_FIXTURES_DIR "/backtest_expected_10bps.json", 0, &jerr);
  assert_non_null(ref);
  json_t *got = parity_backtest_result_json(&res);
  assert_string_equal(json_string_value(json_object_get(got, "from")), "2018-06-29");
  assert_int_equal(json_integer_value(json_object_get(got, "decisions")), 95);
  assert_int_equal(res.nseries, 17);
  json_object_del(ref, "source");
  json_object_del(ref, "cost_bps");
  json_t *rs = json_object_get(ref, "series");
  const char *name;
  json_t *want;
  json_object_foreach(rs, name, want) {
    json_t *g = json_object_get(json_object_get(got, "series"), name);
    assert_non_null(g);
    json_t *values = json_object_get(g, "values");
    assert_int_equal(json_array_size(values), json_integer_value(json_object_get(want, "points")));
    compare_json(json_array_get(values, 0), json_object_get(want, "first"), name);
    compare_json(json_array_get(values, json_array_size(values) - 1), json_object_get(want, "last"), name);
    json_object_del(want, "points");
    json_object_del(want, "first");
    json_object_del(want, "last");
  }
  compare_json(got, ref, "");
  json_decref(got);
  json_decref(ref);
  parity_backtest_result_free(&res);
}

static void test_window_and_errors(void **state)
{
  struct series_set *set = *state;
  struct parity_models_universe u = { equities, 14, bonds, 5 };
  struct parity_backtest_params bp;
  parity_backtest_params_defaults(&bp);
  struct parity_backtest_result res;
  struct parity_quant_err err;
  /* An early --from moves up to the default; a later one starts at the next month end; --to ends on
   * the last trading day on or before it (2024-06-30 is a Sunday). */
  assert_int_equal(parity_day_parse("2001-01-01", 10, &bp.from_day), 0);
  assert_int_equal(parity_day_parse("2019-01-01", 10, &bp.to_day), 0);
  assert_int_equal(parity_backtest_parse_buckets("risk_3_horizon_medium", &bp.buckets, &err), 0);
  assert_int_equal(parity_backtest_run(set->s, set->n, &u, &bp, &res, &err), 0);
  char d[PARITY_DAY_TEXT];
  parity_day_format(res.days[0], d);
  assert_string_equal(d, "2018-06-29");
  parity_day_format(res.days[res.ndays - 1], d);
  assert_string_equal(d, "2018-12-31");
  assert_int_equal(res.nseries, 3);
  assert_string_equal(res.series[0].name, "risk_3_horizon_medium");
  assert_string_equal(res.series[2].name, "60/40");
  assert_int_equal(res.decisions, 6); /* June to November month ends; December's would execute in 2019 */
  parity_backtest_result_free(&res);
  assert_int_equal(parity_day_parse("2020-03-02", 10, &bp.from_day), 0);
  assert_int_equal(parity_day_parse("2024-06-30", 10, &bp.to_day), 0);
  assert_int_equal(parity_backtest_run(set->s, set->n, &u, &bp, &res, &err), 0);
  parity_day_format(res.days[0], d);
  assert_string_equal(d, "2020-03-31");
  parity_day_format(res.days[res.ndays - 1], d);
  assert_string_equal(d, "2024-06-28");
  parity_backtest_result_free(&res);

  assert_int_equal(parity_backtest_parse_buckets("risk_6_horizon_long", &bp.buckets, &err), PARITY_EINVAL);
  assert_non_null(strstr(err.msg, "unknown bucket"));
  assert_int_equal(parity_backtest_parse_buckets("risk_1_horizon_short,", &bp.buckets, &err), PARITY_EINVAL);
  assert_int_equal(parity_backtest_parse_buckets("all", &bp.buckets, &err), 0);
  assert_int_equal(bp.buckets, PARITY_BACKTEST_ALL_BUCKETS);
  /* A window with fewer than 2 returns. */
  assert_int_equal(parity_day_parse("2026-04-29", 10, &bp.from_day), 0);
  bp.to_day = PARITY_ANALYTICS_DAY_MAX;
  assert_int_equal(parity_backtest_run(set->s, set->n, &u, &bp, &res, &err), PARITY_EINVAL);
  assert_non_null(strstr(err.msg, "fewer than 2 returns"));
  /* A universe symbol without prices. */
  static const char *const nope[] = { "BND", "NOPE" };
  struct parity_models_universe bad = { equities, 14, nope, 2 };
  parity_backtest_params_defaults(&bp);
  assert_int_equal(parity_backtest_run(set->s, set->n, &bad, &bp, &res, &err), PARITY_ENOTFOUND);
  assert_non_null(strstr(err.msg, "NOPE"));
  bp.cost_bps = -1.0;
  assert_int_equal(parity_backtest_run(set->s, set->n, &u, &bp, &res, &err), PARITY_EINVAL);
}

/* What the harvest hook saw: it must be given exactly what the bucket's series was simulated with. */
struct hook_seen {
  size_t calls, nexec, ndays;
  double first_value, target_sum, threshold, cost_bps;
  int fail;
};

static int record_hook(void *ctx, const struct parity_backtest_harvest_in *in, struct parity_backtest_harvest *out,
                       struct parity_quant_err *err)
{
  struct hook_seen *seen = ctx;
  seen->calls++;
  seen->nexec = in->nexec;
  seen->ndays = in->end - in->start + 1;
  seen->first_value = in->values[0];
  seen->threshold = in->threshold;
  seen->cost_bps = in->cost_bps;
  seen->target_sum = 0.0;
  for (size_t j = 0; j < in->view->nsym; j++)
    seen->target_sum += in->targets[(in->nexec - 1) * in->view->nsym + j];
  out->harvests = 7;
  if (seen->fail)
    return parity_quant_fail(err, PARITY_EINVAL, "hook failed");
  return PARITY_OK;
}

static void test_harvest_hook(void **state)
{
  struct series_set *set = *state;
  struct parity_models_universe u = { equities, 14, bonds, 5 };
  struct parity_backtest_params bp;
  parity_backtest_params_defaults(&bp);
  struct parity_backtest_result res;
  struct parity_quant_err err;
  struct hook_seen seen = { 0 };
  assert_int_equal(parity_day_parse("2019-01-01", 10, &bp.to_day), 0);
  assert_int_equal(parity_backtest_parse_buckets("risk_3_horizon_medium,risk_5_horizon_long", &bp.buckets, &err), 0);
  bp.cost_bps = 10.0;
  bp.harvest = record_hook;
  bp.harvest_ctx = &seen;
  static const char *const extra[] = { "VOO", "QQQ" }; /* in the universe already: the panel is unchanged */
  bp.extra_symbols = extra;
  bp.nextra = 2;
  assert_int_equal(parity_backtest_run(set->s, set->n, &u, &bp, &res, &err), 0);
  /* once per bucket, never for SPY or 60/40, with the series' own days, executions, rule and cost */
  assert_int_equal(seen.calls, 2);
  assert_int_equal(seen.nexec, 6); /* June to November 2018 month ends, as test_window_and_errors */
  assert_int_equal(seen.ndays, res.ndays);
  assert_true(seen.first_value == 1.0);
  assert_true(fabs(seen.target_sum - 1.0) < 1e-9);
  assert_true(seen.threshold == PARITY_BACKTEST_THRESHOLD && seen.cost_bps == 10.0);
  assert_int_equal(res.nseries, 4);
  assert_non_null(res.series[0].harvest);
  assert_int_equal(res.series[1].harvest->harvests, 7);
  assert_null(res.series[2].harvest);
  assert_null(res.series[3].harvest);
  json_t *j = parity_backtest_result_json(&res);
  json_t *ser = json_object_get(j, "series");
  assert_non_null(json_object_get(json_object_get(ser, "risk_5_horizon_long"), "harvest"));
  assert_null(json_object_get(json_object_get(ser, "SPY"), "harvest"));
  json_decref(j);
  parity_backtest_result_free(&res);
  /* a failing hook fails the run, which frees what it built */
  seen.fail = 1;
  assert_int_equal(parity_backtest_run(set->s, set->n, &u, &bp, &res, &err), PARITY_EINVAL);
  assert_string_equal(err.msg, "hook failed");
  /* an extra symbol without prices */
  static const char *const nope[] = { "NOPE" };
  bp.extra_symbols = nope;
  bp.nextra = 1;
  assert_int_equal(parity_backtest_run(set->s, set->n, &u, &bp, &res, &err), PARITY_ENOTFOUND);
  assert_non_null(strstr(err.msg, "NOPE"));
}

/* What the progress hook was told, in order. */
struct progress_seen {
  size_t calls, done[8], total[8];
};

static void record_progress(void *ctx, size_t done, size_t total)
{
  struct progress_seen *seen = ctx;
  if (seen->calls < 8) {
    seen->done[seen->calls] = done;
    seen->total[seen->calls] = total;
  }
  seen->calls++;
}

/* The progress hook counts the buckets asked for: 0 before the decisions, then one per bucket simulated. */
static void test_progress_hook(void **state)
{
  struct series_set *set = *state;
  struct parity_models_universe u = { equities, 14, bonds, 5 };
  struct parity_backtest_params bp;
  parity_backtest_params_defaults(&bp);
  assert_null(bp.progress);
  struct parity_backtest_result res;
  struct parity_quant_err err;
  struct progress_seen seen = { 0 };
  assert_int_equal(parity_day_parse("2019-01-01", 10, &bp.to_day), 0);
  assert_int_equal(parity_backtest_parse_buckets("risk_1_horizon_short,risk_3_horizon_medium,risk_5_horizon_long",
                                                 &bp.buckets, &err),
                   0);
  bp.progress = record_progress;
  bp.progress_ctx = &seen;
  assert_int_equal(parity_backtest_run(set->s, set->n, &u, &bp, &res, &err), 0);
  assert_int_equal(seen.calls, 4);
  for (size_t i = 0; i < 4; i++) {
    assert_int_equal(seen.done[i], i);
    assert_int_equal(seen.total[i], 3);
  }
  assert_int_equal(res.nseries, 5); /* the three buckets, SPY and 60/40: the benchmarks are no models */
  parity_backtest_result_free(&res);
  /* A run that fails before its decisions reports nothing. */
  memset(&seen, 0, sizeof(seen));
  bp.cost_bps = -1.0;
  assert_int_equal(parity_backtest_run(set->s, set->n, &u, &bp, &res, &err), PARITY_EINVAL);
  assert_int_equal(seen.calls, 0);
}

/* The constant-weight risk: SPY against itself is beta 1, information ratio null; errors name the cause. */
static void test_weights_risk(void **state)
{
  struct series_set *set = *state;
  struct parity_weight w[2] = { { "SPY", 1.0 } };
  struct parity_analytics_risk r;
  struct parity_quant_err err;
  assert_int_equal(parity_analytics_weights_risk(set->s, set->n, w, 1, "SPY", PARITY_ANALYTICS_DAY_MIN,
                                                 PARITY_ANALYTICS_DAY_MAX, 0.0, &r, &err),
                   0);
  assert_true(r.rel.beta == 1.0 && isnan(r.rel.information_ratio));
  assert_int_equal(r.n, 5365); /* SPY's 5,366 prices */
  json_t *j = parity_analytics_risk_json(&r);
  assert_true(json_is_null(json_object_get(json_object_get(j, "metrics"), "information_ratio")));
  assert_int_equal(json_integer_value(json_object_get(j, "days")), 5365);
  json_decref(j);
  w[0] = (struct parity_weight){ "VTI", 0.6 };
  w[1] = (struct parity_weight){ "NOPE", 0.4 };
  assert_int_equal(parity_analytics_weights_risk(set->s, set->n, w, 2, "SPY", PARITY_ANALYTICS_DAY_MIN,
                                                 PARITY_ANALYTICS_DAY_MAX, 0.0, &r, &err),
                   PARITY_ENOTFOUND);
  w[1] = (struct parity_weight){ "BND", 0.5 };
  assert_int_equal(parity_analytics_weights_risk(set->s, set->n, w, 2, "SPY", PARITY_ANALYTICS_DAY_MIN,
                                                 PARITY_ANALYTICS_DAY_MAX, 0.0, &r, &err),
                   PARITY_EINVAL);
  assert_non_null(strstr(err.msg, "sum"));
  w[1] = (struct parity_weight){ "BND", 0.4 };
  int32_t day;
  assert_int_equal(parity_day_parse("2024-01-02", 10, &day), 0);
  assert_int_equal(parity_analytics_weights_risk(set->s, set->n, w, 2, "SPY", day, day + 1, 0.0, &r, &err),
                   PARITY_EINVAL);
  assert_non_null(strstr(err.msg, "(2 returns)"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hand_computed_path),
    cmocka_unit_test(test_threshold_keeps_weights),
    cmocka_unit_test(test_hold_and_turnover_formula),
    cmocka_unit_test(test_bundled_against_reference),
    cmocka_unit_test(test_window_and_errors),
    cmocka_unit_test(test_weights_risk),
    cmocka_unit_test(test_harvest_hook),
    cmocka_unit_test(test_progress_hook),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
