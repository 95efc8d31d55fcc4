/* Integer money arithmetic: cents, micro-shares, micro-dollar prices, with one rounding rule. */
#ifndef PARITY_MONEY_H
#define PARITY_MONEY_H

#include <stdbool.h>
#include <stdint.h>

#define PARITY_MAX_AMOUNT_CENTS 10000000000LL /* 10^10: the largest deposit, withdrawal, invest or sell */
#define PARITY_MIN_TRADE_CENTS 100            /* trades under $1 are skipped */
#define PARITY_MICRO 1000000LL

/* Price in micro-dollars from a price in dollars (nearest); 0 for a non-positive or non-finite price. */
int64_t parity_price_micros(double dollars);

/*
 * Value in cents of `shares_micro` at `price_micros`, rounded half up: (S * P + 5e9) / 1e10.
 * This one rule prices positions, buys and sells alike, so selling a whole position returns exactly
 * its displayed value.
 */
int64_t parity_value_cents(int64_t shares_micro, int64_t price_micros);

/* The most micro-shares that `budget_cents` buys at `price_micros` (their value never exceeds the budget). */
int64_t parity_shares_for_cents(int64_t budget_cents, int64_t price_micros);

/* Cost basis left after selling `sold` of `held` micro-shares (pro rata, rounded half up). */
int64_t parity_cost_basis_after_sell(int64_t cost_cents, int64_t held, int64_t sold);

#endif
