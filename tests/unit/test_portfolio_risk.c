/* An investor's returns on the benchmark's trading days (svc_analytics.h), on hand-computed calendars. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "operational/svc_analytics.h"

#define EPS 1e-15

/*
 * Calendar days 100..106 (Mon..Sun) from the base day 100. Growth (1 + TWR): 1, 1.01, 1.01 (flat), 0.99,
 * 1.1, 1.1, 1.1. Benchmark closes: 50 on day 98 (before the base, so it prices the base), then 51 on 101,
 * 49.98 on 103 and 52.479 on 104; no close on 102, 105 or 106 (holiday, weekend).
 * By hand: grid 100, 101, 103, 104;
 *   r = 1.01/1 - 1 = 0.01, 0.99/1.01 - 1 = -0.0198019801980198..., 1.1/0.99 - 1 = 0.1111111...;
 *   b = 51/50 - 1 = 0.02, 49.98/51 - 1 = -0.02, 52.479/49.98 - 1 = 0.05.
 */
static void returns_chain_the_days_between_trading_days(void **state)
{
  (void)state;
  const double growth[] = { 1.0, 1.01, 1.01, 0.99, 1.1, 1.1, 1.1 };
  const int32_t days[] = { 98, 101, 103, 104 };
  const double px[] = { 50.0, 51.0, 49.98, 52.479 };
  double r[4], b[4];
  int32_t from = 0, to = 0;
  size_t n = parity_portfolio_risk_returns(growth, 7, 100, days, px, 4, r, b, &from, &to);
  assert_int_equal(n, 3);
  assert_int_equal(from, 100);
  assert_int_equal(to, 104);
  assert_true(fabs(r[0] - 0.01) < EPS);
  assert_true(fabs(r[1] - (0.99 / 1.01 - 1.0)) < EPS);
  assert_true(fabs(r[2] - (1.1 / 0.99 - 1.0)) < EPS);
  assert_true(fabs(b[0] - 0.02) < EPS);
  assert_true(fabs(b[1] + 0.02) < EPS);
  assert_true(fabs(b[2] - 0.05) < EPS);
}

/* Without a close on or before the base, the first close in the range is the grid's start; closes after
 * the last day are ignored. Grid 101, 103: one return, growth 0.99/1.01 - 1, benchmark 49.98/51 - 1. */
static void without_a_base_close_the_first_trading_day_starts(void **state)
{
  (void)state;
  const double growth[] = { 1.0, 1.01, 1.01, 0.99 };
  const int32_t days[] = { 101, 103, 104 };
  const double px[] = { 51.0, 49.98, 52.479 };
  double r[3], b[3];
  int32_t from = 0, to = 0;
  size_t n = parity_portfolio_risk_returns(growth, 4, 100, days, px, 3, r, b, &from, &to);
  assert_int_equal(n, 1);
  assert_int_equal(from, 101);
  assert_int_equal(to, 103);
  assert_true(fabs(r[0] - (0.99 / 1.01 - 1.0)) < EPS);
  assert_true(fabs(b[0] - (49.98 / 51.0 - 1.0)) < EPS);
}

/* Only the base's close (no trading day after it): no return. */
static void a_range_without_trading_days_has_no_return(void **state)
{
  (void)state;
  const double growth[] = { 1.0, 1.0, 1.0 };
  const int32_t days[] = { 90 };
  const double px[] = { 50.0 };
  double r[1], b[1];
  int32_t from = 0, to = 0;
  assert_int_equal(parity_portfolio_risk_returns(growth, 3, 100, days, px, 1, r, b, &from, &to), 0);
  assert_int_equal(from, 100);
  assert_int_equal(parity_portfolio_risk_returns(growth, 3, 100, days, px, 0, r, b, &from, &to), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(returns_chain_the_days_between_trading_days),
    cmocka_unit_test(without_a_base_close_the_first_trading_day_starts),
    cmocka_unit_test(a_range_without_trading_days_has_no_return),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
