/* Integer money arithmetic: cents, micro-shares, micro-dollar prices, with one rounding rule. */
#ifndef PARITY_MONEY_H
#define PARITY_MONEY_H

#include <stdbool.h>
#include <stdint.h>

#include "common/limits.h" /* PARITY_MAX_AMOUNT_CENTS, PARITY_MAX_VALUE_CENTS */

#define PARITY_MIN_TRADE_CENTS 100 /* trades under $1 are skipped */
#define PARITY_MICRO 1000000LL
/* shares_micro × price_micros per cent: 10^6 (micro-shares) × 10^6 (micro-dollars) / 100 (cents per dollar). */
#define PARITY_MICRO_PRODUCT_PER_CENT 10000000000LL

/* Price in micro-dollars from a price in dollars (nearest); 0 for a non-positive or non-finite price. */
int64_t parity_price_micros(double dollars);

/*
 * Value in cents of `shares_micro` at `price_micros`, rounded half up: (S * P + 5e9) / 1e10.
 * This one rule prices positions, buys and sells alike, so selling a whole position returns exactly
 * its displayed value.
 */
int64_t parity_value_cents(int64_t shares_micro, int64_t price_micros);

/*
 * The most micro-shares that `budget_cents` buys at `price_micros` (their value never exceeds the budget);
 * 0 for a budget or price <= 0. PARITY_ENUMERIC when that count does not fit a micro-share quantity
 * (int64, the BIGINT of positions): the price is too small for the budget. For the largest request
 * (PARITY_MAX_AMOUNT_CENTS) that means a price under 11 micro-dollars, 10^20 / 2^63 = 10.84.
 */
int parity_shares_for_cents(int64_t budget_cents, int64_t price_micros, int64_t *shares_micro);

/*
 * A dividend in cents on `shares_micro` at `amount_micros` per share, rounded DOWN: S * A / 1e10, in
 * 128-bit arithmetic. The fund pays no fraction of a cent, so the ledger never credits one; 0 for a
 * non-positive input. The credit statement (Q_DIVIDENDS_CREDIT_DAY) and the dividend_payments CHECK
 * compute the same with numeric div().
 */
int64_t parity_dividend_cents(int64_t shares_micro, int64_t amount_micros);

/* Cost basis left after selling `sold` of `held` micro-shares (pro rata, rounded half up). */
int64_t parity_cost_basis_after_sell(int64_t cost_cents, int64_t held, int64_t sold);

/*
 * The micro-shares of a position of `held` that a sale of `rest_cents` out of positions worth
 * `positions_value_cents` sells (every position pro rata, rounded down; all of them when the sale takes
 * the whole value). The sell and its preview share it.
 */
int64_t parity_sell_shares(int64_t held, int64_t rest_cents, int64_t positions_value_cents);

/* "-$1,234,567.89": room for any int64 of cents with its separators, sign and NUL. */
#define PARITY_MONEY_TEXT 32
/* Cents as US dollars for people to read (documents, not JSON): "$1,234.50", "-$0.05". */
void parity_money_text(int64_t cents, char buf[PARITY_MONEY_TEXT]);
/* A micro-unit quantity (micro-shares, micro-dollars) as a decimal with at least min_decimals digits after
 * the point and no trailing zeros beyond them: (1500000, 0) "1.5", (412350000, 2) "412.35". */
void parity_micro_text(int64_t micros, int min_decimals, char buf[PARITY_MONEY_TEXT]);

#endif
