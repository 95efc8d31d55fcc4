/*
 * Targets per family of interchangeable funds (the tax_families table) for an investor who harvests
 * losses: the family's weight is the sum of its members' model weights, a position in any member counts
 * toward it, and a buy goes to the first member (by rank) that has a price and whose purchase would not
 * disallow a recent loss (tax_lots.h's wash-sale rule). So a harvested alternate is kept, never sold back
 * into the fund it replaced within the 30 days.
 */
#ifndef PARITY_TAX_FAMILIES_H
#define PARITY_TAX_FAMILIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operational/trade_plan.h"

/* One row of tax_families, with what the investor's plan needs to know of it now. */
struct parity_family_member {
  const char *symbol;
  const char *family;
  int64_t price_micros; /* newest price; 0: none, never bought */
  bool blocked;         /* a buy now would disallow one of the investor's recent losses */
};

/*
 * `targets` regrouped by family into `out` (room for ntargets): one target per family that has weight,
 * named by the member to buy, at its price; other targets as they are. `members` are in family order, then
 * rank (Q_TAX_FAMILIES). Every held member of a family with a target counts for that target's symbol
 * (counts_for), unless it is that symbol. Returns the number of targets written.
 */
size_t parity_family_targets(const struct parity_plan_target *targets, size_t ntargets,
                             const struct parity_family_member *members, size_t nmembers,
                             struct parity_plan_holding *held, size_t nheld, struct parity_plan_target *out);

#endif
