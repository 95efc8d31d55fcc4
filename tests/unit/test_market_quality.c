/* decisional/market_quality.c: each check fires on the one bar that carries its defect and on no other;
 * the bundled history has no blocking finding (model generation depends on it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/errors.h"
#include "decisional/market_quality.h"
#include "bundled_prices.h"

static int32_t ymd(int y, int m, int d)
{
  return parity_day_from_ymd(y, m, d);
}

/* A clean week of bars from 2024-06-03 (Monday) at 100 with a 1 % daily rise, volume 1000. */
static void clean_week(struct parity_bar_series *s)
{
  memset(s, 0, sizeof(*s));
  snprintf(s->symbol, sizeof(s->symbol), "TEST");
  double price = 100;
  for (int d = 3; d <= 7; d++) {
    struct parity_bar b = { .day = ymd(2024, 6, d),
                            .open = price,
                            .high = price,
                            .low = price,
                            .close = price,
                            .adj_close = price,
                            .volume = 1000 };
    parity_bar_series_push(s, &b);
    price *= 1.01;
  }
}

static size_t count(const struct parity_quality_report *r, enum parity_quality_check c)
{
  size_t n = 0;
  for (size_t i = 0; i < r->n; i++)
    n += r->items[i].check == c;
  return n;
}

static void a_clean_series_has_no_finding(void **state)
{
  (void)state;
  struct parity_bar_series s;
  clean_week(&s);
  struct parity_quality_report r = { 0 };
  parity_quality_check_series(&s, INT32_MIN, INT32_MAX, NULL, 0, s.bars[s.n - 1].day, &r);
  assert_int_equal(r.n, 0);
  assert_string_equal(r.symbol, "TEST");
  parity_bar_series_free(&s);
}

static void zero_volume_on_a_trading_day(void **state)
{
  (void)state;
  struct parity_bar_series s;
  clean_week(&s);
  s.bars[2].volume = 0;
  struct parity_quality_report r = { 0 };
  parity_quality_check_series(&s, INT32_MIN, INT32_MAX, NULL, 0, INT32_MIN, &r);
  assert_int_equal(r.n, 1);
  assert_int_equal(r.items[0].check, PARITY_QC_ZERO_VOLUME);
  assert_int_equal(r.items[0].day, ymd(2024, 6, 5));
  assert_false(parity_quality_blocking(PARITY_QC_ZERO_VOLUME));
  parity_quality_report_free(&r);
  parity_bar_series_free(&s);
}

/* +30 % is beyond the 25 % limit, +20 % is not; a recorded split that day explains the jump. */
static void large_moves_need_a_split(void **state)
{
  (void)state;
  struct parity_bar_series s;
  clean_week(&s);
  s.bars[3].close = s.bars[3].adj_close = s.bars[3].high = s.bars[3].open = s.bars[3].low = s.bars[2].close * 1.30;
  s.bars[4].close = s.bars[4].adj_close = s.bars[4].high = s.bars[4].open = s.bars[4].low = s.bars[3].close * 1.20;
  struct parity_quality_report r = { 0 };
  parity_quality_check_series(&s, INT32_MIN, INT32_MAX, NULL, 0, INT32_MIN, &r);
  assert_int_equal(r.n, 1);
  assert_int_equal(r.items[0].check, PARITY_QC_LARGE_MOVE);
  assert_int_equal(r.items[0].day, ymd(2024, 6, 6));
  assert_float_equal(json_real_value(json_object_get(r.items[0].detail, "return")), 0.30, 1e-12);
  assert_true(parity_quality_blocking(PARITY_QC_LARGE_MOVE));
  parity_quality_report_free(&r);

  struct parity_split_day split = { ymd(2024, 6, 6), 1.0 / 1.3 };
  parity_quality_check_series(&s, INT32_MIN, INT32_MAX, &split, 1, INT32_MIN, &r);
  assert_int_equal(r.n, 0);
  parity_bar_series_free(&s);
}

/* The close halves (an unadjusted 2:1 split) while adj_close moves 1 %: a suspected split, not a crash. */
static void a_close_jump_the_adjusted_close_does_not_show_is_a_suspected_split(void **state)
{
  (void)state;
  struct parity_bar_series s;
  clean_week(&s);
  for (size_t i = 3; i < s.n; i++) {
    s.bars[i].open = s.bars[i].high = s.bars[i].low = s.bars[i].close = s.bars[i].close / 2;
  }
  struct parity_quality_report r = { 0 };
  parity_quality_check_series(&s, INT32_MIN, INT32_MAX, NULL, 0, INT32_MIN, &r);
  assert_int_equal(r.n, 1);
  assert_int_equal(r.items[0].check, PARITY_QC_SUSPECTED_SPLIT);
  assert_int_equal(r.items[0].day, ymd(2024, 6, 6));
  assert_string_equal(json_string_value(json_object_get(r.items[0].detail, "split")), "2:1");
  parity_quality_report_free(&r);
  parity_bar_series_free(&s);
}

/* Bars on 2024-07-02 and 2024-07-08: 07-03 and 07-05 are missing trading days; 07-04 is a holiday and
 * 07-06/07 a weekend. */
static void calendar_gaps_are_the_missing_trading_days(void **state)
{
  (void)state;
  struct parity_bar_series s = { .symbol = "GAP" };
  struct parity_bar a = {
    .day = ymd(2024, 7, 2), .open = 10, .high = 10, .low = 10, .close = 10, .adj_close = 10, .volume = 5
  };
  struct parity_bar b = a;
  b.day = ymd(2024, 7, 8);
  parity_bar_series_push(&s, &a);
  parity_bar_series_push(&s, &b);
  struct parity_quality_report r = { 0 };
  parity_quality_check_series(&s, INT32_MIN, INT32_MAX, NULL, 0, INT32_MIN, &r);
  assert_int_equal(count(&r, PARITY_QC_CALENDAR_GAP), 2);
  assert_int_equal(r.items[0].day, ymd(2024, 7, 3));
  assert_int_equal(r.items[1].day, ymd(2024, 7, 5));
  parity_quality_report_free(&r);
  parity_bar_series_free(&s);
}

/* The series ends 2024-06-07; the load's newest day 2024-06-12 is 3 trading days later (not stale),
 * 2024-06-13 is 4 (stale). Only days in [from, to] are checked. */
static void stale_symbols_and_the_checked_range(void **state)
{
  (void)state;
  struct parity_bar_series s;
  clean_week(&s);
  struct parity_quality_report r = { 0 };
  parity_quality_check_series(&s, INT32_MIN, INT32_MAX, NULL, 0, ymd(2024, 6, 12), &r);
  assert_int_equal(r.n, 0);
  parity_quality_check_series(&s, INT32_MIN, INT32_MAX, NULL, 0, ymd(2024, 6, 13), &r);
  assert_int_equal(r.n, 1);
  assert_int_equal(r.items[0].check, PARITY_QC_STALE);
  assert_int_equal(r.items[0].day, ymd(2024, 6, 7));
  parity_quality_report_free(&r);
  s.bars[1].volume = 0;
  parity_quality_check_series(&s, ymd(2024, 6, 5), INT32_MAX, NULL, 0, INT32_MIN, &r);
  assert_int_equal(r.n, 0);
  parity_bar_series_free(&s);
}

/* The loader's rejections, as parity_price_check_bar and the CSV reader word them, map to their checks. */
static void rejected_rows_map_to_their_checks(void **state)
{
  (void)state;
  struct parity_bar bad = {
    .day = ymd(2024, 6, 3), .open = 10, .high = 11, .low = 9, .close = 12, .adj_close = 12, .volume = 1
  };
  struct parity_market_error err;
  enum parity_quality_check c;
  assert_int_equal(parity_price_check_bar("SPY", NULL, &bad, &err), PARITY_EINVAL);
  assert_true(parity_quality_classify_error(&err, &c));
  assert_int_equal(c, PARITY_QC_OHLC);
  bad.close = 10;
  bad.low = -1;
  parity_price_check_bar("SPY", NULL, &bad, &err);
  assert_true(parity_quality_classify_error(&err, &c));
  assert_int_equal(c, PARITY_QC_NON_POSITIVE);

  parity_market_error_clear(&err);
  snprintf(err.symbol, sizeof(err.symbol), "SPY");
  snprintf(err.field, sizeof(err.field), "close");
  snprintf(err.message, sizeof(err.message), "bad.csv:4: field close: empty (symbol SPY)");
  err.day = ymd(2024, 6, 4);
  assert_true(parity_quality_classify_error(&err, &c));
  assert_int_equal(c, PARITY_QC_MISSING_VALUE);
  /* A bad date or a duplicate day is not a bar's value: no finding. */
  snprintf(err.field, sizeof(err.field), "date");
  assert_false(parity_quality_classify_error(&err, &c));
  snprintf(err.field, sizeof(err.field), "close");
  err.day = INT32_MIN;
  assert_false(parity_quality_classify_error(&err, &c));
}

/* The whole bundled history: no blocking finding in any symbol (the model generation reads it); BND's one
 * zero-volume day is a warning. */
static void the_bundled_history_has_no_blocking_finding(void **state)
{
  struct series_set *set = *state;
  size_t warnings = 0;
  for (size_t i = 0; i < set->n; i++) {
    struct parity_quality_report r = { 0 };
    parity_quality_check_series(&set->s[i], INT32_MIN, INT32_MAX, NULL, 0, ymd(2026, 5, 1), &r);
    for (size_t k = 0; k < r.n; k++) {
      char day[PARITY_DAY_TEXT];
      parity_day_format(r.items[k].day, day);
      if (parity_quality_blocking(r.items[k].check))
        fail_msg("%s %s: %s", set->s[i].symbol, day, parity_quality_check_name(r.items[k].check));
      warnings++;
    }
    parity_quality_report_free(&r);
  }
  assert_true(warnings > 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_clean_series_has_no_finding),
    cmocka_unit_test(zero_volume_on_a_trading_day),
    cmocka_unit_test(large_moves_need_a_split),
    cmocka_unit_test(a_close_jump_the_adjusted_close_does_not_show_is_a_suspected_split),
    cmocka_unit_test(calendar_gaps_are_the_missing_trading_days),
    cmocka_unit_test(stale_symbols_and_the_checked_range),
    cmocka_unit_test(rejected_rows_map_to_their_checks),
    cmocka_unit_test(the_bundled_history_has_no_blocking_finding),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
