/*
 * The demo investor's schedule and steps (operational/demo_plan.c) on hand-built calendars and portfolios.
 * Month ends are read off a 2025-2026 calendar (weekdays; 1 May 2026 is a Friday). Step money is worked by
 * hand with operational/money.h's rules: value = (shares_micro × price_micros + 5e9) / 1e10 cents, a budget
 * buys floor(budget × 1e10 / price_micros) micro-shares; the targets by SPEC §8's rule (quant/rebalance.h):
 * cash first to the deficits, a target within the band (0.02) keeps its weight, the others share the rest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/calendar.h"
#include "common/errors.h"
#include "operational/demo_plan.h"

#define USD(d) ((int64_t)((d)*1000000))    /* a price in micro-dollars */
#define SHARES(s) ((int64_t)((s)*1000000)) /* micro-shares */
#define MAX_DAYS 4000                      /* weekdays of about fifteen years */

static int32_t days[MAX_DAYS];

/* Every weekday from `from` to `to` (inclusive) but the days of `skip`. */
static size_t weekdays(int32_t from, int32_t to, const int32_t *skip, size_t nskip)
{
  size_t n = 0;
  for (int32_t d = from; d <= to; d++) {
    int dow = (int)(((d % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday: 0 = Monday */
    bool skipped = false;
    for (size_t k = 0; k < nskip; k++)
      skipped = skipped || skip[k] == d;
    if (dow < 5 && !skipped && n < MAX_DAYS)
      days[n++] = d;
  }
  return n;
}

static int32_t day(int y, int m, int d)
{
  return parity_day_from_ymd(y, m, d);
}

static void one_year_joins_on_the_day_and_steps_at_each_month_end(void **state)
{
  (void)state;
  /* New Year's Eve 2025 (a Wednesday) is not a trading day here: December's month end is the 30th. */
  int32_t holiday = day(2025, 12, 31);
  size_t n = weekdays(day(2024, 1, 1), day(2026, 5, 1), &holiday, 1);
  int32_t steps[PARITY_DEMO_MAX_STEPS];
  size_t nsteps = 0;
  assert_int_equal(parity_demo_schedule(days, n, 1, steps, PARITY_DEMO_MAX_STEPS, &nsteps), PARITY_OK);
  /* 1 May 2025, a Thursday, then May 2025 .. April 2026: 12 month ends; 1 May 2026 may not end its month. */
  assert_int_equal(nsteps, 13);
  assert_int_equal(steps[0], day(2025, 5, 1));
  assert_int_equal(steps[1], day(2025, 5, 30));  /* Friday; the 31st is a Saturday */
  assert_int_equal(steps[4], day(2025, 8, 29));  /* Friday; the 31st is a Sunday */
  assert_int_equal(steps[8], day(2025, 12, 30)); /* the 31st is not traded */
  assert_int_equal(steps[12], day(2026, 4, 30));
}

static void five_years_is_the_join_day_and_sixty_month_ends(void **state)
{
  (void)state;
  size_t n = weekdays(day(2020, 1, 1), day(2026, 5, 1), NULL, 0);
  int32_t steps[PARITY_DEMO_MAX_STEPS];
  size_t nsteps = 0;
  assert_int_equal(parity_demo_schedule(days, n, 5, steps, PARITY_DEMO_MAX_STEPS, &nsteps), PARITY_OK);
  /* 1 May 2021 is a Saturday: the investor joins on Monday the 3rd. */
  assert_int_equal(nsteps, 61);
  assert_int_equal(steps[0], day(2021, 5, 3));
  assert_int_equal(steps[1], day(2021, 5, 31));
  assert_int_equal(steps[60], day(2026, 4, 30));
}

static void a_join_day_that_is_a_month_end_is_not_counted_twice(void **state)
{
  (void)state;
  /* Data to Tuesday 31 March 2026: a year back is 31 March 2025 (a Monday, March's month end). */
  size_t n = weekdays(day(2024, 1, 1), day(2026, 3, 31), NULL, 0);
  int32_t steps[PARITY_DEMO_MAX_STEPS];
  size_t nsteps = 0;
  assert_int_equal(parity_demo_schedule(days, n, 1, steps, PARITY_DEMO_MAX_STEPS, &nsteps), PARITY_OK);
  assert_int_equal(steps[0], day(2025, 3, 31));
  assert_int_equal(steps[1], day(2025, 4, 30));
  assert_int_equal(nsteps, 12); /* April 2025 .. February 2026; 31 March 2026 is the data's last day */
}

static void refuses_what_it_cannot_schedule(void **state)
{
  (void)state;
  size_t n = weekdays(day(2024, 1, 1), day(2026, 5, 1), NULL, 0);
  int32_t steps[PARITY_DEMO_MAX_STEPS];
  size_t nsteps = 0;
  assert_int_equal(parity_demo_schedule(days, n, 0, steps, PARITY_DEMO_MAX_STEPS, &nsteps), PARITY_EINVAL);
  assert_int_equal(parity_demo_schedule(days, n, PARITY_DEMO_MAX_YEARS + 1, steps, PARITY_DEMO_MAX_STEPS, &nsteps),
                   PARITY_EINVAL);
  /* The data starts in 2024: five years back (2021) is before it. */
  assert_int_equal(parity_demo_schedule(days, n, 5, steps, PARITY_DEMO_MAX_STEPS, &nsteps), PARITY_EINVAL);
  assert_int_equal(parity_demo_schedule(days, n, 1, steps, 5, &nsteps), PARITY_ETOOBIG);
  int32_t unordered[] = { day(2025, 1, 2), day(2025, 1, 1) };
  assert_int_equal(parity_demo_schedule(unordered, 2, 1, steps, PARITY_DEMO_MAX_STEPS, &nsteps), PARITY_EINVAL);
  assert_int_equal(parity_demo_schedule(days, 0, 1, steps, PARITY_DEMO_MAX_STEPS, &nsteps), PARITY_EINVAL);
}

static const struct parity_weight model[] = { { "AAA", 0.6 }, { "BB", 0.4 } };

static void the_first_deposit_buys_the_model(void **state)
{
  (void)state;
  /* $50,000 of cash only: current weight CASH 1; cash first spends all of it on the deficits (0.6, 0.4), so
   * both targets sit on their weight. AAA 0.6 × 5,000,000 = 3,000,000 cents at $100 = 300 shares, BB
   * 2,000,000 cents at $50 = 400 shares. BB comes first: jsonb puts the shorter key first. */
  const int64_t prices[] = { USD(100), USD(50) };
  struct parity_demo_step_input in = { 5000000, NULL, 0, model, prices, 2, 0.02, false };
  static struct parity_demo_step_plan plan;
  assert_int_equal(parity_demo_step(&in, &plan), PARITY_OK);
  assert_int_equal(plan.ntrades, 2);
  assert_string_equal(plan.trades[0].symbol, "BB");
  assert_true(plan.trades[0].buy);
  assert_int_equal(plan.trades[0].shares_micro, SHARES(400));
  assert_int_equal(plan.trades[0].cents, 2000000);
  assert_string_equal(plan.trades[1].symbol, "AAA");
  assert_int_equal(plan.trades[1].shares_micro, SHARES(300));
  assert_int_equal(plan.trades[1].cents, 3000000);
  assert_int_equal(plan.cash_delta, -5000000);
}

static void a_month_inside_the_band_spends_the_new_cash_on_the_deficit(void **state)
{
  (void)state;
  /* 300 AAA at $110 ($33,000), 400 BB at $50 ($20,000), $1,000 cash: 5,400,000 cents. Weights 0.61111,
   * 0.37037, CASH 0.018519. Cash first: only BB lacks (0.02963), and gets all the cash: 0.388889. Both are
   * within 0.02 of target and keep their weights. AAA wants round(0.611111 × 5,400,000) − 3,300,000 = 0;
   * BB 2,100,000 − 2,000,000 = 100,000 cents: 20 shares at $50. Nothing is sold. */
  const struct parity_plan_holding held[] = { { "AAA", SHARES(300), 3000000, USD(110), NULL },
                                              { "BB", SHARES(400), 2000000, USD(50), NULL } };
  const int64_t prices[] = { USD(110), USD(50) };
  struct parity_demo_step_input in = { 100000, held, 2, model, prices, 2, 0.02, true };
  static struct parity_demo_step_plan plan;
  assert_int_equal(parity_demo_step(&in, &plan), PARITY_OK);
  assert_int_equal(plan.targets.nskipped, 1); /* AAA keeps its weight exactly: no trade for it */
  assert_string_equal(plan.targets.skipped[0], "AAA");
  assert_int_equal(plan.ntrades, 1);
  assert_string_equal(plan.trades[0].symbol, "BB");
  assert_true(plan.trades[0].buy);
  assert_int_equal(plan.trades[0].shares_micro, SHARES(20));
  assert_int_equal(plan.trades[0].cents, 100000);
  assert_int_equal(plan.trades[0].new_shares, SHARES(420));
  assert_int_equal(plan.trades[0].new_cost, 2100000);
  assert_int_equal(plan.cash_delta, -100000);
}

static void a_month_out_of_the_band_sells_the_winner(void **state)
{
  (void)state;
  /* 300 AAA at $150 ($45,000) and 400 BB at $50 ($20,000), no cash: 6,500,000 cents, weights 0.6923 and
   * 0.3077, both 0.0923 from target: back to 0.6 / 0.4. AAA sells 600,000 cents = 40 shares at $150 (cost
   * left 3,000,000 − 3,000,000 × 40 / 300 = 2,600,000); BB buys 600,000 cents = 120 shares at $50. */
  const struct parity_plan_holding held[] = { { "AAA", SHARES(300), 3000000, USD(150), NULL },
                                              { "BB", SHARES(400), 2000000, USD(50), NULL } };
  const int64_t prices[] = { USD(150), USD(50) };
  struct parity_demo_step_input in = { 0, held, 2, model, prices, 2, 0.02, true };
  static struct parity_demo_step_plan plan;
  assert_int_equal(parity_demo_step(&in, &plan), PARITY_OK);
  assert_int_equal(plan.ntrades, 2);
  assert_string_equal(plan.trades[0].symbol, "AAA");
  assert_false(plan.trades[0].buy);
  assert_int_equal(plan.trades[0].shares_micro, SHARES(40));
  assert_int_equal(plan.trades[0].cents, 600000);
  assert_int_equal(plan.trades[0].new_shares, SHARES(260));
  assert_int_equal(plan.trades[0].new_cost, 2600000);
  assert_string_equal(plan.trades[1].symbol, "BB");
  assert_true(plan.trades[1].buy);
  assert_int_equal(plan.trades[1].shares_micro, SHARES(120));
  assert_int_equal(plan.cash_delta, 0);

  /* The same portfolio as a deploy (no sells) has no cash to buy with: nothing trades. */
  in.allow_sells = false;
  assert_int_equal(parity_demo_step(&in, &plan), PARITY_OK);
  assert_int_equal(plan.ntrades, 0);
  assert_int_equal(plan.cash_delta, 0);
}

static void a_model_that_is_not_usable_is_refused(void **state)
{
  (void)state;
  const struct parity_weight bad[] = { { "AAA", 0.6 }, { "BB", 0.3 } }; /* sums to 0.9 */
  const int64_t prices[] = { USD(100), USD(50) };
  struct parity_demo_step_input in = { 5000000, NULL, 0, bad, prices, 2, 0.02, false };
  static struct parity_demo_step_plan plan;
  assert_int_equal(parity_demo_step(&in, &plan), PARITY_EINVAL);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(one_year_joins_on_the_day_and_steps_at_each_month_end),
    cmocka_unit_test(five_years_is_the_join_day_and_sixty_month_ends),
    cmocka_unit_test(a_join_day_that_is_a_month_end_is_not_counted_twice),
    cmocka_unit_test(refuses_what_it_cannot_schedule),
    cmocka_unit_test(the_first_deposit_buys_the_model),
    cmocka_unit_test(a_month_inside_the_band_spends_the_new_cash_on_the_deficit),
    cmocka_unit_test(a_month_out_of_the_band_sells_the_winner),
    cmocka_unit_test(a_model_that_is_not_usable_is_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
