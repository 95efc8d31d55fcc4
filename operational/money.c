/* Money arithmetic in 128-bit intermediates: S * P reaches 10^27 for large holdings. */
#include "operational/money.h"

#include <math.h>

int64_t parity_price_micros(double dollars)
{
  if (!isfinite(dollars) || dollars <= 0 || dollars > 1e9)
    return 0;
  return (int64_t)llround(dollars * 1e6);
}

int64_t parity_value_cents(int64_t shares_micro, int64_t price_micros)
{
  __int128 product = (__int128)shares_micro * price_micros;
  return (int64_t)((product + 5000000000) / 10000000000);
}

int64_t parity_shares_for_cents(int64_t budget_cents, int64_t price_micros)
{
  if (budget_cents <= 0 || price_micros <= 0)
    return 0;
  return (int64_t)((__int128)budget_cents * 10000000000 / price_micros);
}

int64_t parity_cost_basis_after_sell(int64_t cost_cents, int64_t held, int64_t sold)
{
  if (held <= 0 || sold >= held)
    return 0;
  __int128 removed = ((__int128)cost_cents * sold * 2 + held) / (2 * (__int128)held);
  return cost_cents - (int64_t)removed;
}
