/*
 * Limits on what clients and messages may state, once for every process (HTTP routes, the message
 * contract and the services that check them all name these).
 *
 * Amounts are integer cents, with two bounds, because they bound two different quantities:
 * - PARITY_MAX_AMOUNT_CENTS is what one request may move: a deposit, a withdrawal, an invest or a sell
 *   of a given amount. It is the API's limit on `amount_cents`.
 * - PARITY_MAX_VALUE_CENTS is the largest sum Parity states at all: a portfolio's value (which grows past
 *   one request's limit over many deposits, and is sold whole by "sell all"), a forecast's hypothetical
 *   amounts, and one cash movement (the CHECK on cash_movements.amount_cents in migrations/0001_init.sql
 *   says the same number; migrations are checksummed and cannot name this constant).
 * Clients read both numbers from operational/openapi.yaml (the SPA's frontend/src/lib/money.ts restates
 * the forecast bound for its form); change them there too.
 * The Monte Carlo module keeps its own, larger guard (PARITY_MC_MAX_CENTS in decisional/quant/mc.h): the
 * quant code includes nothing from common/, and its guard is about doubles staying exact, not about policy.
 */
#ifndef PARITY_LIMITS_H
#define PARITY_LIMITS_H

#define PARITY_MAX_AMOUNT_CENTS 10000000000LL  /* 10^10 cents: the most one request moves */
#define PARITY_MAX_VALUE_CENTS 1000000000000LL /* 10^12 cents: the largest value, forecast amount or movement */
#define PARITY_FORECAST_MAX_MONTHS 600         /* a forecast's horizon: 50 years */

#endif
