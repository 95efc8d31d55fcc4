/* The tax-loss harvest decision: qualifying lots, the wash-sale block, the alternate (tax_harvest.h). */
#include "operational/tax_harvest.h"

void parity_harvest_rule_defaults(struct parity_harvest_rule *r)
{
  r->min_loss_cents = PARITY_HARVEST_MIN_LOSS_CENTS;
  r->min_loss_bps = PARITY_HARVEST_MIN_LOSS_BPS;
}

bool parity_harvest_lot_qualifies(const struct parity_harvest_rule *r, int64_t basis_cents, int64_t value_cents)
{
  int64_t loss = basis_cents - value_cents;
  if (loss <= 0 || loss < r->min_loss_cents)
    return false;
  /* loss >= ceil(basis * bps / 10^4)  <=>  loss * 10^4 >= basis * bps, exactly, in 128 bits */
  return (__int128)loss * 10000 >= (__int128)basis_cents * r->min_loss_bps;
}

enum parity_harvest_verdict parity_harvest_pick(const struct parity_harvest_rule *r, const struct parity_lot *lots,
                                                const int64_t *value_cents, size_t n, int32_t day, bool *pick)
{
  size_t picked = 0;
  bool recent_kept = false;
  for (size_t i = 0; i < n; i++) {
    pick[i] = lots[i].shares_micro > 0 && parity_harvest_lot_qualifies(r, lots[i].basis_cents, value_cents[i]);
    picked += pick[i];
    if (!pick[i] && lots[i].shares_micro > 0 && lots[i].bought >= day - PARITY_WASH_WINDOW_DAYS &&
        lots[i].bought <= day)
      recent_kept = true;
  }
  if (picked && !recent_kept)
    return PARITY_HARVEST_SELL;
  for (size_t i = 0; i < n; i++)
    pick[i] = false;
  return picked ? PARITY_HARVEST_WASH_BLOCKED : PARITY_HARVEST_NOTHING;
}

bool parity_harvest_buy_washes(const struct parity_harvest_member *m, int32_t day)
{
  for (size_t i = 0; i < m->nlosses; i++) {
    const struct parity_loss_sale *s = &m->losses[i];
    if (s->loss_cents > 0 && s->replaced_micro < s->shares_micro && s->sold <= day &&
        s->sold >= day - PARITY_WASH_WINDOW_DAYS)
      return true;
  }
  return false;
}

size_t parity_harvest_buy_member(const struct parity_harvest_member *members, size_t n, size_t skip, int32_t day)
{
  for (size_t i = 0; i < n; i++) {
    if (i != skip && members[i].priced && !parity_harvest_buy_washes(&members[i], day))
      return i;
  }
  return PARITY_HARVEST_NONE;
}

int64_t parity_harvest_take_picked(struct parity_lot_list *lots, const bool *pick, struct parity_lot_list *sold)
{
  int64_t shares = 0;
  size_t k = 0;
  for (size_t i = 0; i < lots->n; i++) {
    if (pick[i]) {
      parity_lot_list_add(sold, &lots->lots[i]);
      shares += lots->lots[i].shares_micro;
    } else {
      lots->lots[k++] = lots->lots[i];
    }
  }
  lots->n = k;
  return shares;
}
