/* common/trading_calendar.c: NYSE holidays, early closes and trading days, checked against the exchange's
 * published calendars and against the bundled price history (a bar on every trading day, none on others). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/calendar.h"
#include "common/errors.h"
#include "common/trading_calendar.h"
#include "bundled_prices.h"

static int32_t ymd(int y, int m, int d)
{
  return parity_day_from_ymd(y, m, d);
}

/* Easter Sunday per the US Naval Observatory's table of Easter dates. */
static void easter_matches_the_published_dates(void **state)
{
  (void)state;
  static const int dates[][3] = { { 2000, 4, 23 }, { 2005, 3, 27 }, { 2008, 3, 23 }, { 2011, 4, 24 }, { 2019, 4, 21 },
                                  { 2024, 3, 31 }, { 2025, 4, 20 }, { 2026, 4, 5 },  { 2038, 4, 25 } };
  for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++)
    assert_int_equal(parity_easter(dates[i][0]), ymd(dates[i][0], dates[i][1], dates[i][2]));
}

/* NYSE's 2025 holiday list (nyse.com "Holidays & Trading Hours") plus the closure for President Carter. */
static void the_2025_holidays_are_nyse_s(void **state)
{
  (void)state;
  static const int closed[][2] = { { 1, 1 },  { 1, 9 }, { 1, 20 }, { 2, 17 },  { 4, 18 }, { 5, 26 },
                                   { 6, 19 }, { 7, 4 }, { 9, 1 },  { 11, 27 }, { 12, 25 } };
  int32_t n = 0;
  for (int32_t d = ymd(2025, 1, 1); d <= ymd(2025, 12, 31); d++) {
    if (!parity_nyse_holiday(d))
      continue;
    assert_true((size_t)n < sizeof(closed) / sizeof(closed[0]));
    int y, m, md;
    parity_day_to_ymd(d, &y, &m, &md);
    assert_int_equal(m, closed[n][0]);
    assert_int_equal(md, closed[n][1]);
    n++;
  }
  assert_int_equal(n, 11);
  /* 261 weekdays in 2025, less 11 closures: NYSE's 250 trading days. */
  assert_int_equal(parity_nyse_trading_days(ymd(2025, 1, 1), ymd(2025, 12, 31)), 250);
  assert_string_equal(parity_nyse_holiday(ymd(2025, 4, 18)), "Good Friday");
}

/* Weekend observance: Saturday holidays move to Friday, Sunday ones to Monday; New Year's Day on a
 * Saturday is not observed (NYSE Rule 7.2: 2021-12-31 was a trading day). */
static void weekend_holidays_are_observed_as_the_exchange_does(void **state)
{
  (void)state;
  assert_non_null(parity_nyse_holiday(ymd(2022, 12, 26)));    /* Christmas on Sunday */
  assert_non_null(parity_nyse_holiday(ymd(2021, 12, 24)));    /* Christmas on Saturday */
  assert_non_null(parity_nyse_holiday(ymd(2020, 7, 3)));      /* Independence Day on Saturday */
  assert_non_null(parity_nyse_holiday(ymd(2022, 6, 20)));     /* Juneteenth on Sunday */
  assert_non_null(parity_nyse_holiday(ymd(2023, 1, 2)));      /* New Year's Day on Sunday */
  assert_true(parity_nyse_is_trading_day(ymd(2021, 12, 31))); /* New Year's Day 2022 on Saturday */
  assert_true(parity_nyse_is_trading_day(ymd(2021, 6, 18)));  /* no Juneteenth before 2022 */
  assert_false(parity_nyse_is_trading_day(ymd(2024, 6, 15))); /* a Saturday */
  assert_non_null(parity_nyse_holiday(ymd(2012, 10, 29)));    /* Hurricane Sandy */
  assert_non_null(parity_nyse_holiday(ymd(2001, 9, 11)));
}

/* The 13:00 closes NYSE published for 2024 and 2025, and none where the eve is itself closed. */
static void early_closes(void **state)
{
  (void)state;
  assert_non_null(parity_nyse_early_close(ymd(2024, 7, 3)));
  assert_non_null(parity_nyse_early_close(ymd(2024, 11, 29)));
  assert_non_null(parity_nyse_early_close(ymd(2024, 12, 24)));
  assert_non_null(parity_nyse_early_close(ymd(2025, 7, 3)));
  assert_non_null(parity_nyse_early_close(ymd(2025, 11, 28)));
  assert_non_null(parity_nyse_early_close(ymd(2025, 12, 24)));
  assert_null(parity_nyse_early_close(ymd(2026, 7, 3)));   /* Independence Day observed that Friday */
  assert_null(parity_nyse_early_close(ymd(2021, 12, 24))); /* closed all day */
  assert_null(parity_nyse_early_close(ymd(2025, 7, 2)));
  int32_t early = 0;
  for (int32_t d = ymd(2025, 1, 1); d <= ymd(2025, 12, 31); d++)
    early += parity_nyse_early_close(d) != NULL;
  assert_int_equal(early, 3);
}

static void next_and_previous_trading_days(void **state)
{
  (void)state;
  assert_int_equal(parity_nyse_next_trading_day(ymd(2024, 7, 3)), ymd(2024, 7, 5));
  assert_int_equal(parity_nyse_prev_trading_day(ymd(2024, 7, 5)), ymd(2024, 7, 3));
  assert_int_equal(parity_nyse_next_trading_day(ymd(2025, 4, 17)), ymd(2025, 4, 21)); /* Good Friday, weekend */
  assert_int_equal(parity_nyse_trading_days(ymd(2025, 1, 2), ymd(2025, 1, 1)), 0);
}

/*
 * The bundled history (Yahoo's daily bars of 20 ETFs, 2005-01-03 .. 2026-05-01): SPY has a bar on exactly the
 * calendar's trading days, and no symbol has a bar on a day the calendar says was closed.
 */
static void the_bundled_history_trades_on_the_calendar_s_days(void **state)
{
  struct series_set *set = *state;
  const struct parity_bar_series *spy = NULL;
  for (size_t i = 0; i < set->n; i++) {
    if (strcmp(set->s[i].symbol, "SPY") == 0)
      spy = &set->s[i];
    for (size_t k = 0; k < set->s[i].n; k++)
      if (!parity_nyse_is_trading_day(set->s[i].bars[k].day)) {
        char day[PARITY_DAY_TEXT];
        parity_day_format(set->s[i].bars[k].day, day);
        fail_msg("%s has a bar on %s, a day the calendar says was closed", set->s[i].symbol, day);
      }
  }
  assert_non_null(spy);
  assert_int_equal(spy->n, 5366);
  assert_int_equal(parity_nyse_trading_days(spy->bars[0].day, spy->bars[spy->n - 1].day), (int32_t)spy->n);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(easter_matches_the_published_dates),
    cmocka_unit_test(the_2025_holidays_are_nyse_s),
    cmocka_unit_test(weekend_holidays_are_observed_as_the_exchange_does),
    cmocka_unit_test(early_closes),
    cmocka_unit_test(next_and_previous_trading_days),
    cmocka_unit_test(the_bundled_history_trades_on_the_calendar_s_days),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
