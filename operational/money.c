/* Money arithmetic in 128-bit intermediates: S * P reaches 10^27 for large holdings. */
#include "operational/money.h"

#include <math.h>
#include <stdio.h>

#include "common/errors.h"

int64_t parity_price_micros(double dollars)
{
  if (!isfinite(dollars) || dollars <= 0 || dollars > 1e9)
    return 0;
  return (int64_t)llround(dollars * 1e6);
}

int64_t parity_value_cents(int64_t shares_micro, int64_t price_micros)
{
  __int128 product = (__int128)shares_micro * price_micros;
  return (int64_t)((product + PARITY_MICRO_PRODUCT_PER_CENT / 2) / PARITY_MICRO_PRODUCT_PER_CENT);
}

int parity_shares_for_cents(int64_t budget_cents, int64_t price_micros, int64_t *shares_micro)
{
  *shares_micro = 0;
  if (budget_cents <= 0 || price_micros <= 0)
    return PARITY_OK;
  /* Exact in 128 bits (a budget of 2^63 cents times 10^10 is below 2^97); only the result can overflow. */
  __int128 shares = (__int128)budget_cents * PARITY_MICRO_PRODUCT_PER_CENT / price_micros;
  if (shares > INT64_MAX)
    return PARITY_ENUMERIC;
  *shares_micro = (int64_t)shares;
  return PARITY_OK;
}

int64_t parity_cost_basis_after_sell(int64_t cost_cents, int64_t held, int64_t sold)
{
  if (held <= 0 || sold >= held)
    return 0;
  __int128 removed = ((__int128)cost_cents * sold * 2 + held) / (2 * (__int128)held);
  return cost_cents - (int64_t)removed;
}

int64_t parity_dividend_cents(int64_t shares_micro, int64_t amount_micros)
{
  if (shares_micro <= 0 || amount_micros <= 0)
    return 0;
  __int128 cents = (__int128)shares_micro * amount_micros / PARITY_MICRO_PRODUCT_PER_CENT;
  return cents > INT64_MAX ? INT64_MAX : (int64_t)cents;
}

int64_t parity_sell_shares(int64_t held, int64_t rest_cents, int64_t positions_value_cents)
{
  if (rest_cents >= positions_value_cents)
    return held;
  return (int64_t)((__int128)held * rest_cents / positions_value_cents);
}

void parity_money_text(int64_t cents, char buf[PARITY_MONEY_TEXT])
{
  uint64_t a = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
  char digits[24];
  int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)(a / 100));
  size_t len = 0;
  if (cents < 0)
    buf[len++] = '-';
  buf[len++] = '$';
  for (int i = 0; i < n; i++) {
    if (i > 0 && (n - i) % 3 == 0)
      buf[len++] = ',';
    buf[len++] = digits[i];
  }
  snprintf(buf + len, PARITY_MONEY_TEXT - len, ".%02llu", (unsigned long long)(a % 100));
}

void parity_micro_text(int64_t micros, int min_decimals, char buf[PARITY_MONEY_TEXT])
{
  uint64_t a = micros < 0 ? (uint64_t)0 - (uint64_t)micros : (uint64_t)micros;
  char frac[8];
  snprintf(frac, sizeof(frac), "%06llu", (unsigned long long)(a % PARITY_MICRO));
  for (int i = 5; i >= min_decimals && frac[i] == '0'; i--)
    frac[i] = '\0';
  snprintf(buf, PARITY_MONEY_TEXT, "%s%llu%s%s", micros < 0 ? "-" : "", (unsigned long long)(a / PARITY_MICRO),
           frac[0] ? "." : "", frac);
}
