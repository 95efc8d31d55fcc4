/*
 * The rebalance trade rule (operational/trade_plan.c) on hand-computed portfolios. Money arithmetic is
 * operational/money.h's: value = (shares_micro × price_micros + 5e9) / 1e10 cents, a budget buys
 * floor(budget × 1e10 / price_micros) micro-shares, cost left after a sell = cost − round(cost × sold / held).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/errors.h"
#include "operational/money.h"
#include "operational/trade_plan.h"

#define USD(d) ((int64_t)((d)*1000000))    /* a price in micro-dollars */
#define SHARES(s) ((int64_t)((s)*1000000)) /* micro-shares */

static struct parity_plan_trade trades[PARITY_TRADE_PLAN_MAX];

static const struct parity_plan_trade *find(size_t n, const char *symbol)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(trades[i].symbol, symbol) == 0)
      return &trades[i];
  return NULL;
}

static void sells_come_first_and_fund_the_buys(void **state)
{
  (void)state;
  /* 100 AAA at $10 ($1,000, cost $800), no cash; target half AAA, half BBB at $20. Value 100000 cents:
   * AAA is 50000 over, BBB 50000 under. Sell 50000 × 1e10 / 1e7 = 50 shares for 50000 cents; cost left
   * 80000 − round(80000 × 50/100) = 40000. Buy BBB with the 50000: 25 shares, 50000 cents. Cash ends at 0. */
  const struct parity_plan_holding held[] = { { "AAA", SHARES(100), 80000, USD(10), NULL } };
  const struct parity_plan_target targets[] = { { "AAA", 0.5, USD(10) }, { "BBB", 0.5, USD(20) } };
  struct parity_plan_input in = { 0, held, 1, targets, 2, true };
  size_t n = 0;
  int64_t delta = -1;
  assert_int_equal(parity_trade_plan(&in, trades, &n, &delta), PARITY_OK);
  assert_int_equal(n, 2);
  assert_string_equal(trades[0].symbol, "AAA"); /* the sell is planned before any buy */
  assert_false(trades[0].buy);
  assert_int_equal(trades[0].shares_micro, SHARES(50));
  assert_int_equal(trades[0].cents, 50000);
  assert_int_equal(trades[0].new_shares, SHARES(50));
  assert_int_equal(trades[0].new_cost, 40000);
  assert_true(trades[1].buy);
  assert_string_equal(trades[1].symbol, "BBB");
  assert_int_equal(trades[1].shares_micro, SHARES(25));
  assert_int_equal(trades[1].cents, 50000);
  assert_int_equal(trades[1].new_shares, SHARES(25));
  assert_int_equal(trades[1].new_cost, 50000);
  assert_int_equal(delta, 0);
}

static void short_cash_is_shared_pro_rata_and_nothing_is_sold_without_sells(void **state)
{
  (void)state;
  /* 100 CCC at $1 (10000 cents) + 10000 cents cash = 20000; target A 0.5 ($10), B 0.5 ($3); CCC leaves the
   * target but sells are off (a deploy). Wants: A 10000, B 10000 = 20000 > cash 10000, so each gets
   * 10000 × 10000 / 20000 = 5000. A: 5000e10/1e7 = 5,000,000 micro-shares = 5000 cents. B: 5000e10/3e6 =
   * 16,666,666 micro-shares, worth (16,666,666 × 3e6 + 5e9) / 1e10 = 5000.4998 -> 5000 cents. */
  const struct parity_plan_holding held[] = { { "CCC", SHARES(100), 9000, USD(1), NULL } };
  const struct parity_plan_target targets[] = { { "A", 0.5, USD(10) }, { "B", 0.5, USD(3) } };
  struct parity_plan_input in = { 10000, held, 1, targets, 2, false };
  size_t n = 0;
  int64_t delta = 0;
  assert_int_equal(parity_trade_plan(&in, trades, &n, &delta), PARITY_OK);
  assert_int_equal(n, 2);
  assert_null(find(n, "CCC"));
  assert_int_equal(find(n, "A")->shares_micro, 5000000);
  assert_int_equal(find(n, "A")->cents, 5000);
  assert_int_equal(find(n, "B")->shares_micro, 16666666);
  assert_int_equal(find(n, "B")->cents, 5000);
  assert_int_equal(delta, -10000);
}

static void trades_under_a_dollar_are_skipped(void **state)
{
  (void)state;
  /* 10 A at $10 = 10000 cents + 50 cents cash; target all A: it lacks 50 cents, under the $1 minimum. */
  const struct parity_plan_holding held[] = { { "A", SHARES(10), 10000, USD(10), NULL } };
  const struct parity_plan_target targets[] = { { "A", 1.0, USD(10) } };
  struct parity_plan_input in = { 50, held, 1, targets, 1, true };
  size_t n = 9;
  int64_t delta = 9;
  assert_int_equal(parity_trade_plan(&in, trades, &n, &delta), PARITY_OK);
  assert_int_equal(n, 0);
  assert_int_equal(delta, 0);
  /* 99 cents over, sells on: still nothing (10 A + 0 cash, target 0.9901 A would be a 99-cent sell). */
  const struct parity_plan_target most[] = { { "A", 0.9901, USD(10) }, { "B", 0.0099, USD(1) } };
  struct parity_plan_input in2 = { 0, held, 1, most, 2, true };
  assert_int_equal(parity_trade_plan(&in2, trades, &n, &delta), PARITY_OK);
  assert_int_equal(n, 0);
}

static void a_symbol_leaving_the_target_is_sold_whole(void **state)
{
  (void)state;
  /* 3 X at $7.50: (3e6 × 7.5e6 + 5e9) / 1e10 = 2250.5 -> 2250 cents; target all Y at $5. X is sold whole
   * (every micro-share, cost to 0), and the 2250 cents buy 2250e10 / 5e6 = 4,500,000 micro-shares of Y.
   * A stored Y row with 0 shares and cost 0 (sold whole earlier) is added to. */
  const struct parity_plan_holding held[] = { { "X", SHARES(3), 2000, USD(7.5), NULL }, { "Y", 0, 0, USD(5), NULL } };
  const struct parity_plan_target targets[] = { { "Y", 1.0, USD(5) } };
  struct parity_plan_input in = { 0, held, 2, targets, 1, true };
  size_t n = 0;
  int64_t delta = 1;
  assert_int_equal(parity_trade_plan(&in, trades, &n, &delta), PARITY_OK);
  assert_int_equal(n, 2);
  const struct parity_plan_trade *x = find(n, "X"), *y = find(n, "Y");
  assert_false(x->buy);
  assert_int_equal(x->shares_micro, SHARES(3));
  assert_int_equal(x->cents, 2250);
  assert_int_equal(x->new_shares, 0);
  assert_int_equal(x->new_cost, 0);
  assert_true(y->buy);
  assert_int_equal(y->shares_micro, 4500000);
  assert_int_equal(y->cents, 2250);
  assert_int_equal(y->new_shares, 4500000);
  assert_int_equal(delta, 0);
}

static void without_sells_only_cash_is_spent(void **state)
{
  (void)state;
  /* The same portfolio as the first case with sells off and 30000 cents of cash: value 130000, AAA wants
   * 65000 − 100000 (over, kept), BBB lacks 65000 > cash 30000, the only want, so it gets all 30000:
   * 30000e10 / 2e7 = 15 shares. */
  const struct parity_plan_holding held[] = { { "AAA", SHARES(100), 80000, USD(10), NULL } };
  const struct parity_plan_target targets[] = { { "AAA", 0.5, USD(10) }, { "BBB", 0.5, USD(20) } };
  struct parity_plan_input in = { 30000, held, 1, targets, 2, false };
  size_t n = 0;
  int64_t delta = 0;
  assert_int_equal(parity_trade_plan(&in, trades, &n, &delta), PARITY_OK);
  assert_int_equal(n, 1);
  assert_true(trades[0].buy);
  assert_int_equal(trades[0].shares_micro, SHARES(15));
  assert_int_equal(trades[0].cents, 30000);
  assert_int_equal(delta, -30000);
}

static void a_symbol_without_a_price_is_left_alone(void **state)
{
  (void)state;
  /* Z has no price: not bought, and its want does not count in the pro-rata sum (W gets all it lacks). */
  const struct parity_plan_target targets[] = { { "Z", 0.5, 0 }, { "W", 0.5, USD(1) } };
  struct parity_plan_input in = { 10000, NULL, 0, targets, 2, true };
  size_t n = 0;
  int64_t delta = 0;
  assert_int_equal(parity_trade_plan(&in, trades, &n, &delta), PARITY_OK);
  assert_int_equal(n, 1);
  assert_string_equal(trades[0].symbol, "W");
  assert_int_equal(trades[0].cents, 5000);
  assert_int_equal(delta, -5000);
}

static void a_stand_in_counts_for_its_target_and_is_kept(void **state)
{
  (void)state;
  /* 100 VOO at $10 ($1,000) stands in for VTI; no VTI held; 1000 cents cash: value 101000. Target VTI 1.0:
   * the family holds 100000 of 101000, so it lacks 1000: buy VTI at $10, 1000e10/1e7 = 1,000,000 micro-shares
   * (1 share) for 1000 cents. VOO is not sold although it is no target of its own. */
  const struct parity_plan_holding held[] = { { "VOO", SHARES(100), 90000, USD(10), "VTI" } };
  const struct parity_plan_target targets[] = { { "VTI", 1.0, USD(10) } };
  struct parity_plan_input in = { 1000, held, 1, targets, 1, true };
  size_t n = 0;
  int64_t delta = 0;
  assert_int_equal(parity_trade_plan(&in, trades, &n, &delta), PARITY_OK);
  assert_int_equal(n, 1);
  assert_string_equal(trades[0].symbol, "VTI");
  assert_true(trades[0].buy);
  assert_int_equal(trades[0].shares_micro, SHARES(1));
  assert_int_equal(trades[0].cents, 1000);
  assert_int_equal(delta, -1000);
}

static void an_overweight_family_sells_its_own_row_first_then_the_stand_in(void **state)
{
  (void)state;
  /* 30 VTI at $10 (30000) and 50 VOO at $10 (50000) for VTI; 20000 in BND at $20 (10 shares). Value 100000.
   * Targets VTI 0.5, BND 0.5: the family is 80000 for 50000, over by 30000; VTI's own 30000 is sold whole
   * first (30 shares), nothing of VOO. BND lacks 30000: 15 shares at $20. */
  const struct parity_plan_holding held[] = { { "VTI", SHARES(30), 30000, USD(10), NULL },
                                              { "VOO", SHARES(50), 50000, USD(10), "VTI" },
                                              { "BND", SHARES(10), 20000, USD(20), NULL } };
  const struct parity_plan_target targets[] = { { "VTI", 0.5, USD(10) }, { "BND", 0.5, USD(20) } };
  struct parity_plan_input in = { 0, held, 3, targets, 2, true };
  size_t n = 0;
  int64_t delta = 0;
  assert_int_equal(parity_trade_plan(&in, trades, &n, &delta), PARITY_OK);
  assert_int_equal(n, 2);
  assert_false(find(n, "VTI")->buy);
  assert_int_equal(find(n, "VTI")->shares_micro, SHARES(30));
  assert_int_equal(find(n, "VTI")->new_shares, 0);
  assert_null(find(n, "VOO"));
  assert_true(find(n, "BND")->buy);
  assert_int_equal(find(n, "BND")->shares_micro, SHARES(15));
  assert_int_equal(delta, 0);

  /* Over by more than the own row: 10 VTI (10000) and 70 VOO (70000), BND 20000: the family is over by
   * 30000, VTI is sold whole (10000), then 20000 of VOO: 20000e10/1e7 = 20 shares, 50 left. */
  const struct parity_plan_holding held2[] = { { "VTI", SHARES(10), 10000, USD(10), NULL },
                                               { "VOO", SHARES(70), 70000, USD(10), "VTI" },
                                               { "BND", SHARES(10), 20000, USD(20), NULL } };
  in.held = held2;
  assert_int_equal(parity_trade_plan(&in, trades, &n, &delta), PARITY_OK);
  assert_int_equal(find(n, "VTI")->shares_micro, SHARES(10));
  assert_false(find(n, "VOO")->buy);
  assert_int_equal(find(n, "VOO")->shares_micro, SHARES(20));
  assert_int_equal(find(n, "VOO")->new_shares, SHARES(50));
  assert_int_equal(find(n, "BND")->shares_micro, SHARES(15));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(sells_come_first_and_fund_the_buys),
    cmocka_unit_test(short_cash_is_shared_pro_rata_and_nothing_is_sold_without_sells),
    cmocka_unit_test(trades_under_a_dollar_are_skipped),
    cmocka_unit_test(a_symbol_leaving_the_target_is_sold_whole),
    cmocka_unit_test(without_sells_only_cash_is_spent),
    cmocka_unit_test(a_symbol_without_a_price_is_left_alone),
    cmocka_unit_test(a_stand_in_counts_for_its_target_and_is_kept),
    cmocka_unit_test(an_overweight_family_sells_its_own_row_first_then_the_stand_in),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
