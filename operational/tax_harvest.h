/*
 * The tax-loss harvest decision, in memory (no database): which lots of a symbol to sell today, and which
 * member of its family buys the proceeds (or the family's share of a rebalance). The backtest
 * (`parity backtest --harvest`) calls it on simulated lots; the daily harvest can call it on an investor's.
 *
 * A lot qualifies when its unrealized loss (basis - value) is at least max(min_loss_cents,
 * ceil(basis * min_loss_bps / 10^4)): by default $100 and 5 % of its basis, so a small lot's noise is not
 * traded and a large lot is harvested only on a real drop.
 *
 * A harvest must not lose its own loss to the wash-sale rule (tax_lots.h): it is blocked when a lot of the
 * symbol bought within the 30 days before (days day-30..day) would stay open, since that purchase would
 * replace the sold shares; the qualifying lots bought in the window are sold with the rest. The proceeds buy
 * the first other member of the family, in rank order, whose purchase today disallows no recent loss (a
 * loss sale of it within days day-30..day whose shares are not all replaced yet); with none, nothing is
 * harvested.
 */
#ifndef PARITY_TAX_HARVEST_H
#define PARITY_TAX_HARVEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config_vars.h"
#include "operational/tax_lots.h"

#define PARITY_HARVEST_MIN_LOSS_CENTS PARITY_DEFAULT_HARVEST_MIN_LOSS_CENTS /* $100 (TAX_HARVEST_MIN_LOSS_CENTS) */
#define PARITY_HARVEST_MIN_LOSS_BPS PARITY_DEFAULT_HARVEST_MIN_LOSS_BPS     /* 5 % (TAX_HARVEST_MIN_LOSS_BPS) */
#define PARITY_HARVEST_NONE ((size_t)-1)

struct parity_harvest_rule {
  int64_t min_loss_cents; /* >= 0 */
  int64_t min_loss_bps;   /* of the basis, >= 0 */
};

void parity_harvest_rule_defaults(struct parity_harvest_rule *r);

/* True when a lot of basis `basis_cents` now worth `value_cents` has a loss worth harvesting (see above). */
bool parity_harvest_lot_qualifies(const struct parity_harvest_rule *r, int64_t basis_cents, int64_t value_cents);

enum parity_harvest_verdict {
  PARITY_HARVEST_NOTHING = 0, /* no open lot qualifies */
  PARITY_HARVEST_SELL,        /* pick[] marks the lots to sell */
  PARITY_HARVEST_WASH_BLOCKED /* a lot bought within 30 days would stay open (pick[] all false) */
};

/*
 * The lots of one symbol to harvest on `day`: lots[0..n) with value_cents[i] the value of lots[i] today.
 * Sets pick[i] for each lot to sell (only when the verdict is PARITY_HARVEST_SELL).
 */
enum parity_harvest_verdict parity_harvest_pick(const struct parity_harvest_rule *r, const struct parity_lot *lots,
                                                const int64_t *value_cents, size_t n, int32_t day, bool *pick);

/* One member of a family as the buy side sees it: its recent loss sales (any order). */
struct parity_harvest_member {
  const struct parity_loss_sale *losses;
  size_t nlosses;
  bool priced; /* has today's price: a member without one is never bought */
};

/* True when buying the member on `day` would disallow a loss: a loss sale of it within days day-30..day
 * whose shares are not all replaced yet. */
bool parity_harvest_buy_washes(const struct parity_harvest_member *m, int32_t day);

/*
 * The member of a family (members[0..n), rank order) that buys on `day`: the first priced one other than
 * `skip` (PARITY_HARVEST_NONE to skip none) whose purchase disallows no loss; PARITY_HARVEST_NONE when
 * there is none. A harvest passes the sold member as `skip` and harvests nothing on NONE; a rebalance
 * passes NONE and, on NONE, buys the first priced member anyway (the wash sale is then recorded).
 */
size_t parity_harvest_buy_member(const struct parity_harvest_member *members, size_t n, size_t skip, int32_t day);

/*
 * Moves the picked lots (pick[i] for lots->lots[i], as parity_harvest_pick set it) out of *lots into *sold,
 * keeping the others in order; returns the shares moved. Exactly the qualifying lots are then sold, whole,
 * from *sold, so the investor's lot method cannot close another lot instead.
 */
int64_t parity_harvest_take_picked(struct parity_lot_list *lots, const bool *pick, struct parity_lot_list *sold);

#endif
