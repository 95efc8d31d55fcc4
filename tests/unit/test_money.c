/* Money arithmetic: the rounding rule, buys never over budget, sells of everything return the value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/errors.h"
#include "operational/money.h"

static void value_rounds_half_up(void **state)
{
  (void)state;
  /* 1 share at $586.08 is 58608 cents; 0.5 share at $0.01 is half a cent, rounded up to 1. */
  assert_int_equal(parity_value_cents(1000000, 586080000), 58608);
  assert_int_equal(parity_value_cents(500000, 10000), 1);
  assert_int_equal(parity_value_cents(499999, 10000), 0);
  assert_int_equal(parity_value_cents(0, 586080000), 0);
  /* 10^9 shares at $10^6 (10^21 dollars... in cents 10^17) stays exact in 128-bit arithmetic. */
  assert_int_equal(parity_value_cents(1000000000LL * PARITY_MICRO, 1000000LL * PARITY_MICRO), 100000000000000000LL);
}

static void a_buy_never_spends_more_than_its_budget(void **state)
{
  (void)state;
  const int64_t prices[] = { 1, 999, 586080000, 87330000, 68410000, 1234567891, 3 };
  for (size_t p = 0; p < sizeof(prices) / sizeof(prices[0]); p++) {
    for (int64_t budget = 100; budget < 10000000; budget = budget * 3 + 7) {
      int64_t shares = -1;
      assert_int_equal(parity_shares_for_cents(budget, prices[p], &shares), PARITY_OK);
      int64_t spent = parity_value_cents(shares, prices[p]);
      assert_true(spent <= budget);
      /* One more micro-share would cost more than the budget left (the floor is the largest fit). */
      assert_true((__int128)(shares + 1) * prices[p] > (__int128)budget * PARITY_MICRO_PRODUCT_PER_CENT);
    }
  }
}

/*
 * The micro-share count of a buy must fit int64 (positions are BIGINT). At the largest request,
 * 10^10 cents, the count is 10^20 / price: 10^20 / 10 = 10^19 is over 2^63 - 1 = 9223372036854775807,
 * 10^20 / 11 = 9090909090909090909 is under it. The first is refused, never wrapped into a negative count.
 */
static void tiny_prices_are_refused_not_wrapped(void **state)
{
  (void)state;
  int64_t shares = -1;
  assert_int_equal(parity_shares_for_cents(PARITY_MAX_AMOUNT_CENTS, 11, &shares), PARITY_OK);
  assert_int_equal(shares, 9090909090909090909LL);
  assert_true(parity_value_cents(shares, 11) <= PARITY_MAX_AMOUNT_CENTS);
  assert_int_equal(parity_shares_for_cents(PARITY_MAX_AMOUNT_CENTS, 10, &shares), PARITY_ENUMERIC);
  assert_int_equal(shares, 0);
  assert_int_equal(parity_shares_for_cents(PARITY_MAX_AMOUNT_CENTS, 1, &shares), PARITY_ENUMERIC);
  /* The exact edge: a quotient of exactly INT64_MAX fits, one micro-dollar less does not. */
  assert_int_equal(parity_shares_for_cents(INT64_MAX, PARITY_MICRO_PRODUCT_PER_CENT, &shares), PARITY_OK);
  assert_int_equal(shares, INT64_MAX);
  assert_int_equal(parity_shares_for_cents(INT64_MAX, PARITY_MICRO_PRODUCT_PER_CENT - 1, &shares), PARITY_ENUMERIC);
  /* Nothing to buy: no error, no shares. */
  assert_int_equal(parity_shares_for_cents(0, 10, &shares), PARITY_OK);
  assert_int_equal(shares, 0);
  assert_int_equal(parity_shares_for_cents(100, 0, &shares), PARITY_OK);
  assert_int_equal(shares, 0);
  assert_int_equal(parity_shares_for_cents(-5, 1, &shares), PARITY_OK);
  assert_int_equal(shares, 0);
}

static void prices_convert_to_micros(void **state)
{
  (void)state;
  assert_int_equal(parity_price_micros(586.0800170898438), 586080017);
  assert_int_equal(parity_price_micros(0.0), 0);
  assert_int_equal(parity_price_micros(-1.0), 0);
}

static void cost_basis_falls_pro_rata(void **state)
{
  (void)state;
  assert_int_equal(parity_cost_basis_after_sell(1000, 3000000, 1000000), 667);
  assert_int_equal(parity_cost_basis_after_sell(1000, 3000000, 3000000), 0);
  assert_int_equal(parity_cost_basis_after_sell(999, 2, 1), 499); /* 499.5 removed -> 500, 499 left */
}

/* Dividends round DOWN to the cent: S micro-shares x A micro-dollars / 10^10, worked by hand below. */
static void dividends_round_down_to_the_cent(void **state)
{
  (void)state;
  /* 10 shares x $0.127 (BND, 2007-05-01) = $1.27 exactly */
  assert_int_equal(parity_dividend_cents(10000000, 127000), 127);
  /* 3.333333 shares x $1.745 = $5.816666085: 581 cents (half up would give 582) */
  assert_int_equal(parity_dividend_cents(3333333, 1745000), 581);
  /* 0.5 share x $0.019 = 0.95 cent: nothing is credited */
  assert_int_equal(parity_dividend_cents(500000, 19000), 0);
  /* the boundary: 1 share x $0.01 is one cent, one micro-share less is not */
  assert_int_equal(parity_dividend_cents(1000000, 10000), 1);
  assert_int_equal(parity_dividend_cents(999999, 10000), 0);
  /* 10^7 shares x $3.647 = $36,470,000: the product 3.647e19 overflows int64, the 128-bit one does not */
  assert_int_equal(parity_dividend_cents(10000000000000LL, 3647000), 3647000000LL);
  /* nothing held, or no dividend */
  assert_int_equal(parity_dividend_cents(0, 127000), 0);
  assert_int_equal(parity_dividend_cents(-5, 127000), 0);
  assert_int_equal(parity_dividend_cents(10000000, 0), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(value_rounds_half_up),
    cmocka_unit_test(a_buy_never_spends_more_than_its_budget),
    cmocka_unit_test(tiny_prices_are_refused_not_wrapped),
    cmocka_unit_test(prices_convert_to_micros),
    cmocka_unit_test(cost_basis_falls_pro_rata),
    cmocka_unit_test(dividends_round_down_to_the_cent),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
