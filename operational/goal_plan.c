/* A goal's horizon, status and staleness: the rules goal_plan.h states, nothing else. */
#include "operational/goal_plan.h"

#include <stdlib.h>

#include "common/calendar.h"
#include "common/limits.h"

int parity_goal_months(int32_t today, int32_t target)
{
  if (target <= today)
    return 0;
  /* parity_day_add_months clamps to the month's end (Jan 31 + 1 month = Feb 28), so count up from the
     lower bound the 30.4-day average gives and stop at the first month end past the target. */
  int n = (int)((target - today) / 31);
  while (n < PARITY_FORECAST_MAX_MONTHS + 1 && parity_day_add_months(today, n + 1) <= target)
    n++;
  return n;
}

const char *parity_goal_status(double probability)
{
  if (probability < 0.0)
    return "pending";
  return probability >= PARITY_GOAL_ON_TRACK ? "on_track" : "off_track";
}

bool parity_goal_forecast_stale(int64_t basis_cents, int32_t basis_month, int64_t value_cents, int32_t month)
{
  if (basis_month != month)
    return true;
  /* Relative to the value the forecast started from (an empty portfolio's forecast is stale at any change). */
  int64_t moved = llabs(value_cents - basis_cents);
  return (double)moved > PARITY_GOAL_STALE_FRACTION * (double)basis_cents;
}
