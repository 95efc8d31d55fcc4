/*
 * What a goal asks of the forecast, and how its answer is read (pure; tested in tests/unit/test_goal_plan.c).
 *
 * The probability of success of a goal (target G at day T, contribution c a month) is the share of the
 * forecast's simulated paths whose value at the horizon is at or above G, where
 *  - the paths start from the portfolio's value today (V0) and follow decisional's GBM month by month
 *    (decisional/quant/mc.h: V <- V exp((mu - sigma^2/2)/12 + sigma sqrt(1/12) Z) + c, mu and sigma of
 *    the investor's own weights);
 *  - c is added at the end of each simulated month, the first one month after today;
 *  - the horizon is n = parity_goal_months(today, T): the whole months from today to T (the last month
 *    end on or before T), so no contribution is counted that would fall after T.
 * With sigma = 0 every path is V0 g^n + c (g^n - 1)/(g - 1), g = exp(mu/12), and the probability is 1 or 0;
 * with c = 0 it is the lognormal Phi((ln(V0/G) + (mu - sigma^2/2) n/12) / (sigma sqrt(n/12))).
 */
#ifndef PARITY_GOAL_PLAN_H
#define PARITY_GOAL_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "common/ids.h"

#define PARITY_GOAL_MAX_PER_USER 20
#define PARITY_GOAL_NAME_MAX 80
#define PARITY_GOAL_ON_TRACK 0.5 /* a goal is on track when success is at least as likely as not */
/* A forecast is stale when the portfolio moved by more than this fraction of the value it started from. */
#define PARITY_GOAL_STALE_FRACTION 0.01

/* Whole months from `today` to `target` (day numbers): the largest n with today + n months <= target;
 * 0 when target is less than a month away (or past). */
int parity_goal_months(int32_t today, int32_t target);

/* "on_track", "off_track" for a probability in [0, 1]; "pending" when none is known yet (negative). */
const char *parity_goal_status(double probability);

/* Whether a forecast asked from `basis_cents` in the month starting `basis_month` is stale for a portfolio
 * worth `value_cents` in the month starting `month`. */
bool parity_goal_forecast_stale(int64_t basis_cents, int32_t basis_month, int64_t value_cents, int32_t month);

#endif
