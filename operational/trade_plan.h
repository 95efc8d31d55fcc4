/*
 * The rebalance trade rule as a pure function over in-memory views: which trades move one portfolio toward
 * its target weights at given prices, and what they do to its cash. Every rebalance path (a monthly batch,
 * a deploy) plans with it; writing the trades is the caller's business.
 */
#ifndef PARITY_TRADE_PLAN_H
#define PARITY_TRADE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PARITY_TRADE_PLAN_MAX 256 /* symbols on either side of one portfolio, hence trades of one plan */

/* A position row as stored: shares may be 0 (a symbol sold whole keeps its row). */
struct parity_plan_holding {
  const char *symbol;
  int64_t shares_micro;
  int64_t cost_basis_cents;
  int64_t price_micros;   /* newest price; 0 when there is none */
  const char *counts_for; /* a family member standing in for this target symbol (tax_families.h); else NULL */
};

/* A target weight of the portfolio's whole value (cash is never a target). */
struct parity_plan_target {
  const char *symbol;
  double weight;
  int64_t price_micros; /* newest price; 0 when there is none */
};

struct parity_plan_trade {
  const char *symbol; /* borrowed from the holding or target it came from */
  bool buy;
  int64_t shares_micro, price_micros, cents;
  int64_t new_shares, new_cost; /* the position row after the trade */
};

struct parity_plan_input {
  int64_t cash_cents;
  const struct parity_plan_holding *held;
  size_t nheld;
  const struct parity_plan_target *targets;
  size_t ntargets;
  bool allow_sells;
};

/*
 * Value = cash + held shares at their prices. With allow_sells, overweight positions are sold first (a
 * symbol leaving the target, or asked to go entirely, is sold whole; otherwise the micro-shares closest
 * under the excess), and their proceeds join the cash. A holding that counts for a target is valued with it
 * and kept: the target's own row is sold first when the two are over, then the stand-in. Then underweight symbols are bought within the
 * cash: each gets what it lacks, or its pro-rata share of the cash when the lacks exceed it. A trade
 * under PARITY_MIN_TRADE_CENTS is skipped; a symbol without a price is neither sold nor bought.
 * out must hold PARITY_TRADE_PLAN_MAX trades; *cash_delta is the change of the portfolio's cash.
 * PARITY_ENUMERIC when a price is too small to count a budget in micro-shares.
 */
int parity_trade_plan(const struct parity_plan_input *in, struct parity_plan_trade *out, size_t *nout,
                      int64_t *cash_delta);

#endif
