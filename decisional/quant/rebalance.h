/*
 * Rebalance targets for one portfolio (SPEC §8), reproducing the service Parity replaces.
 *
 * Weights are fractions of the portfolio's market value; current weights may hold uninvested cash
 * under PARITY_QUANT_CASH. Steps:
 *  1. Cash first (optional): cash is spent on the underweight target assets in proportion to their
 *     deficits (target - current), never more than the total deficit.
 *  2. Threshold lock: a target asset whose weight after step 1 is within `threshold` of its target
 *     (|w - t| <= threshold, in double precision) keeps that weight.
 *  3. The other target assets share what the locked ones leave (1 - their sum) in proportion to their
 *     targets; holdings outside the target (and cash) go to zero.
 *  4. Renormalise so the weights sum to 1 (this only matters when every target asset is locked and
 *     the current weights did not sum to 1) and drop zero weights.
 * `skipped` lists the locked assets whose weight did not change at all (no trade for them), in
 * target order. Drift = sum over all symbols of |current - target| / 2, before rebalancing, with
 * cash's target 0.
 */
#ifndef PARITY_QUANT_REBALANCE_H
#define PARITY_QUANT_REBALANCE_H

#include <stddef.h>

#include "decisional/quant/quant_err.h"
#include "decisional/quant/weights.h"

#define PARITY_REBALANCE_MAX_ASSETS 256     /* symbols in one side of one portfolio */
#define PARITY_REBALANCE_SUM_TOLERANCE 1e-6 /* how far from 1 the target sum (and above 1 the current sum) may be */
#define PARITY_REBALANCE_KEPT_EPS 1e-12     /* a weight this close to the current one counts as kept */

struct parity_rebalance_result {
  size_t n;
  struct parity_weight adjusted[PARITY_REBALANCE_MAX_ASSETS]; /* positive, summing to 1, target order */
  size_t nskipped;
  char skipped[PARITY_REBALANCE_MAX_ASSETS][PARITY_QUANT_SYMBOL_MAX];
  double drift;
};

/*
 * PARITY_EINVAL (with a message) for: empty or oversized target, a non-finite or non-positive target
 * weight, cash in the target, duplicate symbols, target weights not summing to 1, a negative or
 * non-finite current weight, current weights summing above 1, a threshold outside [0, 1).
 */
int parity_rebalance_compute(const struct parity_weight *current, size_t ncur, const struct parity_weight *target,
                             size_t ntgt, double threshold, int cash_first, struct parity_rebalance_result *out,
                             struct parity_quant_err *err);

#endif
