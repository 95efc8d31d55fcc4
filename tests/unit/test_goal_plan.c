/*
 * A goal's horizon and the probability that comes from it (operational/goal_plan.h): whole months from today
 * to the target date, counted the way PostgreSQL adds months; then, through decisional's Monte Carlo with the
 * goal's parameters, the probability against two closed forms:
 *  - sigma = 0: every path ends at the annuity V0 g^n + c (g^n - 1)/(g - 1), g = e^{mu/12}, so the
 *    probability is exactly 1 for a target just under it and 0 just over it;
 *  - no contribution: the lognormal P(V_T >= G) = Phi((ln(V0/G) + (mu - sigma^2/2) T) / (sigma sqrt T)).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/calendar.h"
#include "decisional/quant/mc.h"
#include "operational/goal_plan.h"

#define PATHS 20000

static int32_t day(int y, int m, int d)
{
  return parity_day_from_ymd(y, m, d);
}

static void months_are_whole_month_ends_on_or_before_the_target(void **state)
{
  (void)state;
  assert_int_equal(parity_goal_months(day(2026, 1, 15), day(2026, 2, 14)), 0);
  assert_int_equal(parity_goal_months(day(2026, 1, 15), day(2026, 2, 15)), 1);
  assert_int_equal(parity_goal_months(day(2026, 1, 15), day(2036, 1, 15)), 120);
  assert_int_equal(parity_goal_months(day(2026, 1, 15), day(2036, 1, 14)), 119);
  /* Jan 31 + 1 month is Feb 28 (clamped, as PostgreSQL's date + interval); + 12 months is next Jan 31 */
  assert_int_equal(parity_goal_months(day(2026, 1, 31), day(2026, 2, 28)), 1);
  assert_int_equal(parity_goal_months(day(2026, 1, 31), day(2027, 1, 30)), 11);
  assert_int_equal(parity_goal_months(day(2026, 1, 31), day(2027, 1, 31)), 12);
  /* Feb 29 of a leap year: + 12 months is Feb 28 */
  assert_int_equal(parity_goal_months(day(2028, 2, 29), day(2029, 2, 28)), 12);
  /* the past and today */
  assert_int_equal(parity_goal_months(day(2026, 5, 1), day(2026, 5, 1)), 0);
  assert_int_equal(parity_goal_months(day(2026, 5, 1), day(2020, 5, 1)), 0);
}

static void status_and_staleness(void **state)
{
  (void)state;
  assert_string_equal(parity_goal_status(-1.0), "pending");
  assert_string_equal(parity_goal_status(0.5), "on_track");
  assert_string_equal(parity_goal_status(0.4999), "off_track");
  assert_string_equal(parity_goal_status(1.0), "on_track");
  int32_t may = day(2026, 5, 1), june = day(2026, 6, 1);
  assert_false(parity_goal_forecast_stale(1000000, may, 1010000, may)); /* exactly 1% of the basis: not more */
  assert_true(parity_goal_forecast_stale(1000000, may, 1010101, may));
  assert_true(parity_goal_forecast_stale(1000000, may, 989000, may));
  assert_true(parity_goal_forecast_stale(1000000, may, 1000000, june)); /* a new month */
  assert_false(parity_goal_forecast_stale(0, may, 0, may));
  assert_true(parity_goal_forecast_stale(0, may, 1, may));
}

static double run_goal(double mu, double sigma, int64_t v0, int64_t monthly, int months, int64_t goal)
{
  struct parity_mc_params p = { .mu = mu,
                                .sigma = sigma,
                                .initial_cents = v0,
                                .monthly_cents = monthly,
                                .months = months,
                                .paths = PATHS,
                                .seed = 11,
                                .has_goal = 1,
                                .goal_cents = goal };
  struct parity_mc_result r;
  struct parity_quant_err err;
  assert_int_equal(parity_mc_run(&p, &r, &err), 0);
  double prob = r.goal_probability;
  parity_mc_result_free(&r);
  return prob;
}

static double annuity(double v0, double c, double mu, int n)
{
  double g = exp(mu / 12.0), gn = pow(g, n);
  return v0 * gn + c * (gn - 1.0) / (g - 1.0);
}

static void zero_volatility_matches_the_annuity_at_the_goals_horizon(void **state)
{
  (void)state;
  /* Today 2026-01-31, target 2027-01-30: 11 month ends fall on or before it, not 12. */
  int n = parity_goal_months(day(2026, 1, 31), day(2027, 1, 30));
  assert_int_equal(n, 11);
  double at11 = annuity(5000000.0, 100000.0, 0.06, 11), at12 = annuity(5000000.0, 100000.0, 0.06, 12);
  assert_true(run_goal(0.06, 0.0, 5000000, 100000, n, (int64_t)(at11 * 0.9999)) == 1.0);
  assert_true(run_goal(0.06, 0.0, 5000000, 100000, n, (int64_t)(at11 * 1.0001)) == 0.0);
  /* A target the 12th contribution would reach is not reached by the goal's date. */
  assert_true(at11 * 1.0001 < at12 * 0.9999);
  assert_true(run_goal(0.06, 0.0, 5000000, 100000, n, (int64_t)(at12 * 0.9999)) == 0.0);
}

static void without_contributions_the_probability_is_lognormal(void **state)
{
  (void)state;
  int n = parity_goal_months(day(2026, 3, 10), day(2036, 3, 10)); /* 10 years */
  assert_int_equal(n, 120);
  double T = n / 12.0, mu = 0.07, sigma = 0.15, v0 = 10000000.0, goal = 18000000.0;
  double d = (log(v0 / goal) + (mu - 0.5 * sigma * sigma) * T) / (sigma * sqrt(T));
  double want = 0.5 * erfc(-d / sqrt(2.0)); /* Phi(d) = 0.6006... */
  double got = run_goal(mu, sigma, (int64_t)v0, 0, n, (int64_t)goal);
  double se = sqrt(want * (1.0 - want) / PATHS);
  if (!(fabs(got - want) <= 4.0 * se))
    fail_msg("probability %f, closed form %f +/- 4 x %f", got, want, se);
  assert_string_equal(parity_goal_status(got), "on_track");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(months_are_whole_month_ends_on_or_before_the_target),
    cmocka_unit_test(status_and_staleness),
    cmocka_unit_test(zero_volatility_matches_the_annuity_at_the_goals_horizon),
    cmocka_unit_test(without_contributions_the_probability_is_lognormal),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
