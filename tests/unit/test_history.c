/* Portfolio history: range starts, the rebuild of daily values and the TWR chain, thinning. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/calendar.h"
#include "operational/svc_history.h"

#define TWR_TOLERANCE 1e-12

/* cmocka's assert_float_equal works in single precision; returns are checked in double. */
#define assert_close(a, b) assert_true(fabs((a) - (b)) <= TWR_TOLERANCE)

static int32_t ymd(int y, int m, int d)
{
  return parity_day_from_ymd(y, m, d);
}

/* Reference: PostgreSQL 15, SELECT (date 'X' - interval 'N months')::date (end-of-month clamping). */
static void range_starts_follow_postgresql_date_arithmetic(void **state)
{
  (void)state;
  assert_int_equal(parity_history_range_start(PARITY_RANGE_1D, ymd(2026, 11, 22)), ymd(2026, 11, 21));
  assert_int_equal(parity_history_range_start(PARITY_RANGE_1W, ymd(2026, 11, 22)), ymd(2026, 11, 15));
  assert_int_equal(parity_history_range_start(PARITY_RANGE_1M, ymd(2026, 11, 22)), ymd(2026, 10, 22));
  assert_int_equal(parity_history_range_start(PARITY_RANGE_1M, ymd(2024, 3, 31)), ymd(2024, 2, 29));
  assert_int_equal(parity_history_range_start(PARITY_RANGE_1M, ymd(2025, 5, 31)), ymd(2025, 4, 30));
  assert_int_equal(parity_history_range_start(PARITY_RANGE_1M, ymd(2026, 1, 15)), ymd(2025, 12, 15));
  assert_int_equal(parity_history_range_start(PARITY_RANGE_6M, ymd(2024, 8, 31)), ymd(2024, 2, 29));
  assert_int_equal(parity_history_range_start(PARITY_RANGE_1Y, ymd(2024, 2, 29)), ymd(2023, 2, 28));
  assert_int_equal(parity_history_range_start(PARITY_RANGE_5Y, ymd(2024, 2, 29)), ymd(2019, 2, 28));
  assert_int_equal(parity_history_range_start(PARITY_RANGE_YTD, ymd(2026, 11, 22)), ymd(2025, 12, 31));
  assert_int_equal(parity_history_range_start(PARITY_RANGE_YTD, ymd(2026, 1, 1)), ymd(2025, 12, 31));
  assert_int_equal(parity_history_range_start(PARITY_RANGE_MAX, ymd(2026, 11, 22)), INT32_MIN);
}

static void ranges_parse_exactly(void **state)
{
  (void)state;
  static const char *const good[] = { "1D", "1W", "1M", "6M", "1Y", "YTD", "5Y", "MAX" };
  enum parity_history_range r;
  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    assert_int_equal(parity_history_range_parse(good[i], &r), 0);
    assert_int_equal((int)r, (int)i);
  }
  static const char *const bad[] = { "", "1d", "ytd", "MAXX", "2Y", "1M ", " 1M", "1M\n" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_not_equal(parity_history_range_parse(bad[i], &r), 0);
  assert_int_not_equal(parity_history_range_parse(NULL, &r), 0);
}

/*
 * The chain against the definition (GIPS: geometric linking of sub-period returns). The portfolio
 * behaves like a fund whose unit value moves +10%, -10%, +10%, +5% while money comes and goes, so its
 * TWR is 1.1 * 0.9 * 1.1 * 1.05 - 1 = 0.14345 whatever the flows.
 */
static void twr_chain_links_daily_returns_and_ignores_flows(void **state)
{
  (void)state;
  struct parity_history_point p[] = {
    { .value_cents = 0 },                         /* base: nothing yet */
    { .value_cents = 1100, .flow_cents = 1000 },  /* 1000 in, +10% */
    { .value_cents = 990 },                       /* -10% */
    { .value_cents = 2200, .flow_cents = 1010 },  /* 1010 in, +10% on 2000 */
    { .value_cents = 1155, .flow_cents = -1100 }, /* 1100 out, +5% on 1100 */
  };
  parity_history_twr_chain(p, 5);
  assert_close(p[0].twr, 0.0);
  assert_close(p[1].twr, 0.10);
  assert_close(p[2].twr, 1.1 * 0.9 - 1.0);
  assert_close(p[3].twr, 1.1 * 0.9 * 1.1 - 1.0);
  assert_close(p[4].twr, 0.14345);
}

/* Days with nothing at risk (everything sold, or before the first flow) add no return. */
static void twr_chain_skips_days_with_nothing_at_risk(void **state)
{
  (void)state;
  struct parity_history_point p[] = {
    { .value_cents = 1000 },
    { .value_cents = 1200 },                   /* +20% */
    { .value_cents = 0, .flow_cents = -1200 }, /* sold everything at yesterday's value */
    { .value_cents = 0 },                      /* empty */
    { .value_cents = 500, .flow_cents = 500 }, /* back in, flat */
    { .value_cents = 450 },                    /* -10% */
  };
  parity_history_twr_chain(p, 6);
  assert_close(p[1].twr, 0.2);
  assert_close(p[2].twr, 0.2);
  assert_close(p[3].twr, 0.2);
  assert_close(p[4].twr, 0.2);
  assert_close(p[5].twr, 1.2 * 0.9 - 1.0);
}

#define A 0
#define B 1
#define C 2

/*
 * A small ledger worked by hand. Closes: A $100 (day 100), $110 (day 103); B $48 (day 99), $50 (day 100),
 * $55 (day 101); C none. Day 100: $10,000 invested, 50 A for $5,000 and 99 B for $4,950 ($50 left).
 * Day 101: $300 more invested and spent on 2 C at $150 (C has no close, so that implied price values
 * it). Day 103: 10 A sold at $100 (the previous close) and the $1,000 taken out. Day 104 is "now": A's
 * newest (intraday) price is $120.
 */
static void rebuild_values_a_ledger_by_hand(void **state)
{
  (void)state;
  const struct parity_history_event ev[] = {
    { 100, -1, 0, 1000000 },     { 100, A, 50000000, -500000 }, { 100, B, 99000000, -495000 }, { 101, -1, 0, 30000 },
    { 101, C, 2000000, -30000 }, { 103, A, -10000000, 100000 }, { 103, -1, 0, -100000 },
  };
  const struct parity_history_price a[] = { { 100, 100000000 }, { 103, 110000000 } };
  const struct parity_history_price b[] = { { 99, 48000000 }, { 100, 50000000 }, { 101, 55000000 } };
  const struct parity_history_series series[] = { { a, 2, 120000000 }, { b, 3, 0 }, { NULL, 0, 0 } };
  struct parity_history_point p[6];
  assert_int_equal(parity_history_build(ev, 7, series, 3, 99, 104, p), 0);

  /* value = cash + 50/40 A + 99 B + 2 C, by hand (cents) */
  const int64_t value[] = {
    0, 1000000, 500000 + 544500 + 5000 + 30000, 1079500, 440000 + 544500 + 5000 + 30000, 480000 + 544500 + 5000 + 30000
  };
  const int64_t contrib[] = { 0, 1000000, 1030000, 1030000, 930000, 930000 };
  const int64_t flow[] = { 0, 1000000, 30000, 0, -100000, 0 };
  for (int i = 0; i < 6; i++) {
    assert_int_equal(p[i].day, 99 + i);
    assert_int_equal(p[i].value_cents, value[i]);
    assert_int_equal(p[i].net_contrib_cents, contrib[i]);
    assert_int_equal(p[i].flow_cents, flow[i]);
  }
  /* Unit values: day 101 B +10% on 495000 of 1030000 at risk; day 103 A +10% on 400000 of 979500. */
  double g101 = 1079500.0 / 1030000.0, g103 = 1019500.0 / 979500.0, g104 = 1059500.0 / 1019500.0;
  assert_close(p[1].twr, 0.0);
  assert_close(p[2].twr, g101 - 1.0);
  assert_close(p[3].twr, g101 - 1.0);
  assert_close(p[4].twr, g101 * g103 - 1.0);
  assert_close(p[5].twr, g101 * g103 * g104 - 1.0);
}

/* A range that starts after the first flows opens with their effect already in its base value. */
static void rebuild_opens_with_earlier_ledger(void **state)
{
  (void)state;
  /* $2,000 in on day 10, 10 A bought at $100; the range starts on day 20 (A closes at $90). */
  const struct parity_history_event ev[] = { { 10, -1, 0, 200000 }, { 10, A, 10000000, -100000 } };
  const struct parity_history_price a[] = { { 10, 100000000 }, { 20, 90000000 }, { 21, 99000000 } };
  const struct parity_history_series series[] = { { a, 3, 0 } };
  struct parity_history_point p[3];
  assert_int_equal(parity_history_build(ev, 2, series, 1, 20, 22, p), 0);
  assert_int_equal(p[0].value_cents, 100000 + 90000);
  assert_int_equal(p[0].net_contrib_cents, 200000);
  assert_int_equal(p[0].flow_cents, 0);
  assert_int_equal(p[1].value_cents, 100000 + 99000);
  assert_int_equal(p[2].value_cents, 100000 + 99000);
  assert_close(p[0].twr, 0.0);
  assert_close(p[2].twr, 199000.0 / 190000.0 - 1.0);
}

/*
 * A dividend (a fund's event with cash and no shares, as Q_HISTORY_TRADES gives it) is income, not a flow:
 * 10 A at $100; on day 21 A goes ex-dividend $1 a share, its close drops by exactly that to $99, and
 * the 10 x $1 = $10.00 paid keeps the value at $2,000.00: the total return of the day is 0, as adj_close
 * would give, and the contributions do not move.
 */
static void a_dividend_is_return_not_contribution(void **state)
{
  (void)state;
  const struct parity_history_event ev[] = { { 10, -1, 0, 200000 }, { 10, A, 10000000, -100000 }, { 21, A, 0, 1000 } };
  const struct parity_history_price a[] = { { 10, 100000000 }, { 20, 100000000 }, { 21, 99000000 } };
  const struct parity_history_series series[] = { { a, 3, 0 } };
  struct parity_history_point p[2];
  assert_int_equal(parity_history_build(ev, 3, series, 1, 20, 21, p), 0);
  assert_int_equal(p[0].value_cents, 200000);
  assert_int_equal(p[1].value_cents, 100000 + 1000 + 99000);
  assert_int_equal(p[1].net_contrib_cents, 200000);
  assert_int_equal(p[1].flow_cents, 0);
  assert_close(p[1].twr, 0.0);
}

static void rebuild_refuses_bad_input(void **state)
{
  (void)state;
  const struct parity_history_event unsorted[] = { { 5, -1, 0, 100 }, { 4, -1, 0, 100 } };
  const struct parity_history_event bad_symbol[] = { { 5, 3, 1, -100 } };
  struct parity_history_point p[4];
  assert_int_not_equal(parity_history_build(unsorted, 2, NULL, 0, 3, 6, p), 0);
  assert_int_not_equal(parity_history_build(bad_symbol, 1, NULL, 0, 3, 6, p), 0);
  assert_int_not_equal(parity_history_build(NULL, 0, NULL, 0, 6, 3, p), 0);
  assert_int_not_equal(parity_history_build(NULL, 0, NULL, 0, 0, PARITY_HISTORY_MAX_DAYS, p), 0);
}

static void thinning_keeps_base_and_now_and_a_regular_step(void **state)
{
  (void)state;
  enum { N = 2001 };
  static struct parity_history_point p[N];
  for (int i = 0; i < N; i++)
    p[i] = (struct parity_history_point){ .day = i, .value_cents = i };
  size_t n = parity_history_thin(p, N, PARITY_HISTORY_MAX_POINTS);
  assert_true(n <= PARITY_HISTORY_MAX_POINTS);
  assert_true(n >= PARITY_HISTORY_MAX_POINTS / 2);
  assert_int_equal(p[0].day, 0);
  assert_int_equal(p[n - 1].day, N - 1);
  int32_t step = p[n - 1].day - p[n - 2].day;
  for (size_t i = 2; i < n; i++)
    assert_int_equal(p[i].day - p[i - 1].day, step);
  /* Short series are left alone. */
  struct parity_history_point q[3] = { { .day = 1 }, { .day = 2 }, { .day = 3 } };
  assert_int_equal(parity_history_thin(q, 3, PARITY_HISTORY_MAX_POINTS), 3);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(range_starts_follow_postgresql_date_arithmetic),
    cmocka_unit_test(ranges_parse_exactly),
    cmocka_unit_test(twr_chain_links_daily_returns_and_ignores_flows),
    cmocka_unit_test(twr_chain_skips_days_with_nothing_at_risk),
    cmocka_unit_test(rebuild_values_a_ledger_by_hand),
    cmocka_unit_test(rebuild_opens_with_earlier_ledger),
    cmocka_unit_test(rebuild_refuses_bad_input),
    cmocka_unit_test(a_dividend_is_return_not_contribution),
    cmocka_unit_test(thinning_keeps_base_and_now_and_a_regular_step),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
