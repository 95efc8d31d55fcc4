/*
 * The demo investor's simulated years (`parity demo-history`), the pure half: on which trading days its
 * money moves, and one step's trades by the product's own rules. No I/O: the command reads the ledger
 * and prices, generates the models as decisional does, and writes what this plans.
 */
#ifndef PARITY_DEMO_PLAN_H
#define PARITY_DEMO_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decisional/quant/rebalance.h"
#include "operational/trade_plan.h"

#define PARITY_DEMO_MAX_YEARS 20
#define PARITY_DEMO_MAX_STEPS (12 * PARITY_DEMO_MAX_YEARS + 1) /* the join day and one step per month end */

/*
 * The steps over trading days days[0..ndays) (strictly increasing): the join day, the first trading day on
 * or after the last day moved back `years` calendar years, then every month end after it, a month end being
 * a trading day whose next trading day falls in another month (so the data's last day never is one: its
 * month may go on, as the walk-forward backtest decides). steps has room for max days.
 * PARITY_EINVAL for years outside 1..PARITY_DEMO_MAX_YEARS, unordered days, or data that starts after the
 * join day would be (the history must not begin later than asked); PARITY_ETOOBIG when max is too small.
 */
int parity_demo_schedule(const int32_t *days, size_t ndays, int years, int32_t *steps, size_t max, size_t *nsteps);

/* One step as the product would take it: a portfolio's cash and stored positions at the day's closes. */
struct parity_demo_step_input {
  int64_t cash_cents;
  const struct parity_plan_holding *held; /* every stored row (0 shares too), by symbol */
  size_t nheld;
  const struct parity_weight *model; /* the bucket's model weights as stored (sum 1, no cash) */
  const int64_t *model_price_micros; /* [nmodel]: each model symbol's close, 0 when it has none */
  size_t nmodel;
  double threshold; /* the rebalance band (REBALANCE_THRESHOLD) */
  bool allow_sells; /* false: a deploy of invested cash; true: the monthly rebalance */
};

/* Caller-owned (about 25 KiB: allocate it). trades[i].symbol points into targets or the input's holdings. */
struct parity_demo_step_plan {
  struct parity_rebalance_result targets; /* what decisional would have answered for this portfolio */
  struct parity_plan_trade trades[PARITY_TRADE_PLAN_MAX];
  size_t ntrades;
  int64_t cash_delta; /* the change of the portfolio's cash */
};

/*
 * Plans one step the way the rebalance pipeline does for one portfolio: current weights of value (positions
 * at their prices and cash under "CASH", as parity_portfolio_weights_new gives them), the model's rule
 * (parity_rebalance_compute, cash first, the threshold lock), the model's and the targets' symbols in the
 * order jsonb stores them (shorter keys first, then bytes), and the trades of parity_trade_plan.
 * Errors: parity_rebalance_compute's (a model that is not usable) and parity_trade_plan's.
 */
int parity_demo_step(const struct parity_demo_step_input *in, struct parity_demo_step_plan *out);

#endif
