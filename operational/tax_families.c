/* Targets per family of interchangeable funds (tax_families.h). */
#include "operational/tax_families.h"

#include <string.h>

static const struct parity_family_member *member_of(const struct parity_family_member *members, size_t n,
                                                    const char *symbol)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(members[i].symbol, symbol) == 0)
      return &members[i];
  return NULL;
}

/* The member to buy: the first by rank with a price and no recent loss to disallow, else the first priced,
 * else none (the caller keeps the model's own symbol). */
static const struct parity_family_member *buy_member(const struct parity_family_member *members, size_t n,
                                                     const char *family)
{
  const struct parity_family_member *priced = NULL;
  for (size_t i = 0; i < n; i++) {
    if (strcmp(members[i].family, family) != 0 || members[i].price_micros <= 0)
      continue;
    if (!members[i].blocked)
      return &members[i];
    if (!priced)
      priced = &members[i];
  }
  return priced;
}

size_t parity_family_targets(const struct parity_plan_target *targets, size_t ntargets,
                             const struct parity_family_member *members, size_t nmembers,
                             struct parity_plan_holding *held, size_t nheld, struct parity_plan_target *out)
{
  const char *family_of[PARITY_TRADE_PLAN_MAX]; /* the family of out[i], NULL for a target of its own */
  size_t n = 0;
  for (size_t t = 0; t < ntargets && n < PARITY_TRADE_PLAN_MAX; t++) {
    const struct parity_family_member *m = member_of(members, nmembers, targets[t].symbol);
    size_t slot = n;
    for (size_t i = 0; m && i < n; i++)
      if (family_of[i] && strcmp(family_of[i], m->family) == 0)
        slot = i;
    if (slot < n) {
      out[slot].weight += targets[t].weight;
      continue;
    }
    const struct parity_family_member *buy = m ? buy_member(members, nmembers, m->family) : NULL;
    out[n] = targets[t];
    if (buy) {
      out[n].symbol = buy->symbol;
      out[n].price_micros = buy->price_micros;
    }
    family_of[n++] = m ? m->family : NULL;
  }
  for (size_t h = 0; h < nheld; h++) {
    const struct parity_family_member *m = member_of(members, nmembers, held[h].symbol);
    for (size_t i = 0; m && i < n; i++)
      if (family_of[i] && strcmp(family_of[i], m->family) == 0 && strcmp(out[i].symbol, held[h].symbol) != 0)
        held[h].counts_for = out[i].symbol;
  }
  return n;
}
