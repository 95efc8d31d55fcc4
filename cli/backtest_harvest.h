/*
 * `parity backtest --harvest`: each bucket simulated again, for an investor of initial_cents, in integer
 * cents and micro-shares with tax lots (operational/tax_lots.h, the ledger's engine) and the harvest
 * decision (operational/tax_harvest.h), on the same days, executions and targets as the plain backtest.
 *
 * Every trading day, before any rebalance, each lot whose loss qualifies is sold and the proceeds buy the
 * family's alternate (tax_harvest.h: not when that would disallow the loss or wash a recent one; a fund
 * without an alternate is not harvested). Every family member is priced (added to the panel).
 *
 * The allocation does not move: every share stands in for one of the model's symbols (its slot), bought
 * for that slot or carried over by a harvest (the alternate's shares inherit the sold shares' slots, pro
 * rata). At each execution the plain backtest's monthly rule runs on the slots' values, so a position in
 * any member counts toward the target it replaced; a slot's sells take its stand-ins first (closing lots
 * by tax_min), its buys go to its own symbol unless that would disallow a recent loss, then to the first
 * member of its family that would not. Without families the simulation is the plain backtest in cents
 * (values agree to rounding); with them, what differs is the members' returns (VOO for VTI ...).
 * Costs: cost_bps of the value traded, by the rebalance as in the plain backtest and on both legs of a
 * harvest.
 */
#ifndef PARITY_CLI_BACKTEST_HARVEST_H
#define PARITY_CLI_BACKTEST_HARVEST_H

#include <stddef.h>
#include <stdint.h>

#include "common/ids.h"
#include "decisional/backtest.h"
#include "operational/tax_harvest.h"

#define PARITY_HARVEST_BT_MAX_FAMILIES 32
#define PARITY_HARVEST_BT_MAX_MEMBERS 8
/* The defaults of migrations' tax_families: VTI <-> VOO, QQQ <-> VUG (rank order). */
#define PARITY_HARVEST_BT_FAMILIES "VTI=VOO,QQQ=VUG"
#define PARITY_HARVEST_BT_INITIAL_CENTS 10000000 /* $100,000 */
#define PARITY_HARVEST_BT_SHORT_RATE 0.37
#define PARITY_HARVEST_BT_LONG_RATE 0.20

struct parity_harvest_bt_opts {
  struct parity_harvest_rule rule;
  double short_rate, long_rate; /* 0..1 */
  int64_t initial_cents;
  size_t nfamilies;
  size_t nmembers[PARITY_HARVEST_BT_MAX_FAMILIES];
  char members[PARITY_HARVEST_BT_MAX_FAMILIES][PARITY_HARVEST_BT_MAX_MEMBERS][PARITY_SYMBOL_MAX];
};

/* Defaults above. */
void parity_harvest_bt_opts_defaults(struct parity_harvest_bt_opts *o);

/* "VTI=VOO,QQQ=VUG" (families separated by commas, members by '=', in rank order) into o's families;
 * PARITY_EINVAL with a message for an invalid symbol, a one-member family or a symbol in two families. */
int parity_harvest_bt_families_parse(const char *text, struct parity_harvest_bt_opts *o, struct parity_quant_err *err);

/* The hook of parity_backtest_params (ctx: a const struct parity_harvest_bt_opts *). */
int parity_harvest_bt_run(void *ctx, const struct parity_backtest_harvest_in *in, struct parity_backtest_harvest *out,
                          struct parity_quant_err *err);

#endif
