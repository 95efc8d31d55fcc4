/*
 * The trading half of SPEC §8a's walk-forward backtest: given a price panel, the execution days and
 * each execution's target weights, the value path of one strategy. Pure (no I/O, no globals); the
 * decisions themselves (models generated as of each month end) come from decisional/backtest.c.
 *
 * The series starts at panel day `start` with value 1 held as cash (earning 0). At each execution day
 * e, with V the value of the holdings at e's price and w_drift their weights:
 *  - the first execution buys the targets from cash: T = 1;
 *  - a later one moves to the adjusted weights of the rule: THRESHOLD is the product's own monthly rule
 *    (quant/rebalance.h: target assets within `threshold` keep their weight, the others share the rest
 *    in proportion to their targets, holdings outside the target are sold), RESET is the target
 *    exactly, HOLD never trades again (but the day still counts as a decision it ignored, not as an
 *    execution); T = sum over held and target symbols of |w_adj - w_drift|;
 *  - the cost (cost_bps / 10^4) T V is taken from V, then shares = w_adj V' / price, exact fractions.
 * Between executions shares are constant. The recorded value on an execution day is after trading and
 * cost. Turnover (SPEC §8a) counts the executions after the first only.
 */
#ifndef PARITY_QUANT_BACKTEST_H
#define PARITY_QUANT_BACKTEST_H

#include <stddef.h>
#include <stdint.h>

#include "decisional/quant/quant_err.h"

#define PARITY_BT_MAX_SYMBOLS 256 /* symbols of one panel (rebalance.h's limit per side) */

enum parity_bt_rule {
  PARITY_BT_THRESHOLD = 0, /* the product's monthly rule at every execution */
  PARITY_BT_RESET = 1,     /* back to the target exactly at every execution */
  PARITY_BT_HOLD = 2,      /* bought at the first execution, then held */
};

/* Adjusted closes of nsym symbols on ndays days, every one present and positive: px[s * ndays + d]. */
struct parity_bt_panel {
  size_t ndays, nsym;
  const int32_t *days;        /* [ndays], increasing */
  const double *px;           /* [nsym * ndays] */
  const char *const *symbols; /* [nsym], at most PARITY_QUANT_SYMBOL_MAX - 1 bytes each */
};

struct parity_bt_strategy {
  enum parity_bt_rule rule;
  double cost_bps;       /* >= 0; charged on every execution including the first */
  double threshold;      /* THRESHOLD's band, SPEC §8's 0.02 */
  const double *targets; /* [nexec * nsym]: row k holds execution k's target weights (>= 0, sum 1) */
};

/* What one simulation gives; values is caller-provided, [end - start + 1]. */
struct parity_bt_outcome {
  double *values;
  size_t executions;   /* execution days traded (HOLD: 1) */
  double turnover_sum; /* sum of T over executions after the first */
};

/*
 * Simulates panel days start..end (inclusive) with executions on exec[0..nexec) (increasing, each in
 * (start, end]). PARITY_EINVAL (with a message) for inconsistent indices, a bad target row, a negative
 * cost, or a value that stops being positive and finite.
 */
int parity_bt_simulate(const struct parity_bt_panel *p, size_t start, size_t end, const size_t *exec, size_t nexec,
                       const struct parity_bt_strategy *s, struct parity_bt_outcome *out, struct parity_quant_err *err);

/*
 * The product's monthly rule on one panel's symbols: from drifted weights cur[] to the adjusted weights adj[]
 * for target[] (all [p->nsym]; only p->nsym and p->symbols are read). The backtest's THRESHOLD rule; the
 * harvest backtest calls it on families (a panel whose symbols are family names).
 */
int parity_bt_threshold_rule(const struct parity_bt_panel *p, const double *cur, const double *target, double threshold,
                             double *adj, struct parity_quant_err *err);

/* Annual turnover of SPEC §8a: (turnover_sum / 2) / (n_returns / 252); 0 when n_returns is 0. */
double parity_bt_annual_turnover(double turnover_sum, size_t n_returns);

#endif
