/* One investor's tax-loss harvest of the day, in memory (harvest_plan.h). */
#include "operational/harvest_plan.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "operational/money.h"

/* The members of h[i]'s family: [*first, *end). */
static void family_of(const struct parity_harvest_holding *h, size_t n, size_t i, size_t *first, size_t *end)
{
  size_t a = i, b = i + 1;
  while (a > 0 && strcmp(h[a - 1].family, h[i].family) == 0)
    a--;
  while (b < n && strcmp(h[b].family, h[i].family) == 0)
    b++;
  *first = a;
  *end = b;
}

static int64_t lots_shares(const struct parity_lot_list *lots)
{
  int64_t sum = 0;
  for (size_t i = 0; i < lots->n; i++)
    sum += lots->lots[i].shares_micro;
  return sum;
}

/* The alternate h[i] is sold into, or PARITY_HARVEST_NONE. */
static size_t alternate_of(const struct parity_harvest_holding *h, size_t n, size_t i, int32_t day)
{
  size_t first, end;
  family_of(h, n, i, &first, &end);
  if (end - first < 2)
    return PARITY_HARVEST_NONE;
  struct parity_harvest_member *m = parity_xcalloc(end - first, sizeof(*m));
  for (size_t j = first; j < end; j++)
    m[j - first] = (struct parity_harvest_member){ h[j].losses, h[j].nlosses, h[j].price_micros > 0 && !h[j].touched };
  size_t k = parity_harvest_buy_member(m, end - first, i - first, day);
  free(m);
  return k == PARITY_HARVEST_NONE ? k : first + k;
}

/* The qualifying lots of h[i] today, marked in pick[] (room for its lots); the verdict. */
static enum parity_harvest_verdict pick_lots(const struct parity_harvest_rule *rule,
                                             const struct parity_harvest_holding *h, int32_t day, bool *pick)
{
  size_t n = h->lots.n;
  int64_t *values = parity_xcalloc(n + 1, sizeof(*values));
  for (size_t k = 0; k < n; k++)
    values[k] = parity_value_cents(h->lots.lots[k].shares_micro, h->price_micros);
  enum parity_harvest_verdict v = parity_harvest_pick(rule, h->lots.lots, values, n, day, pick);
  free(values);
  return v;
}

/* Sells the picked lots of h[i] and buys h[a] with the proceeds; *leg filled, nothing done when a leg would
 * trade less than the smallest trade or realize no loss (*skipped). */
static int run_leg(struct parity_harvest_holding *h, size_t i, size_t a, const bool *pick, int64_t user_id, int32_t day,
                   enum parity_lot_method method, struct parity_tax_book *book, struct parity_harvest_leg *leg,
                   bool *skipped)
{
  struct parity_harvest_holding *from = &h[i], *to = &h[a];
  int64_t shares = 0, basis = 0;
  for (size_t k = 0; k < from->lots.n; k++) {
    shares += pick[k] ? from->lots.lots[k].shares_micro : 0;
    basis += pick[k] ? from->lots.lots[k].basis_cents : 0;
  }
  int64_t proceeds = parity_value_cents(shares, from->price_micros), bought = 0;
  /* the lots' values were each rounded: the sale as a whole must still be a loss */
  *skipped = proceeds < PARITY_MIN_TRADE_CENTS || proceeds >= basis ||
             parity_shares_for_cents(proceeds, to->price_micros, &bought) || bought <= 0 ||
             parity_value_cents(bought, to->price_micros) <= 0;
  if (*skipped)
    return PARITY_OK;
  int64_t cost = parity_value_cents(bought, to->price_micros);
  struct parity_lot_list sold;
  parity_lot_list_init(&sold);
  parity_harvest_take_picked(&from->lots, pick, &sold);
  size_t first_gain = 0;
  int64_t sold_delta = 0, bought_delta = 0;
  int rc = parity_tax_book_sell(book, user_id, from->symbol, &sold, shares, proceeds, day, method, 0, &first_gain,
                                &sold_delta);
  parity_lot_list_free(&sold);
  if (!rc)
    rc = parity_tax_book_buy(book, user_id, to->symbol, &to->lots, bought, cost, day, to->losses, to->nlosses,
                             &bought_delta);
  if (rc)
    return rc;
  int64_t loss = 0;
  for (size_t g = first_gain; g < book->ngains; g++) {
    const struct parity_lot_piece *p = &book->gains[g].piece;
    loss += p->basis_cents - p->proceeds_cents - p->wash_cents;
  }
  *leg =
      (struct parity_harvest_leg){ i,    a,    shares,     from->price_micros,       proceeds, bought, to->price_micros,
                                   cost, loss, first_gain, book->ngains - first_gain };
  from->shares_micro -= shares;
  from->cost_basis_cents += sold_delta;
  to->shares_micro += bought;
  to->cost_basis_cents += bought_delta;
  from->touched = to->touched = true;
  return PARITY_OK;
}

int parity_harvest_plan(const struct parity_harvest_rule *rule, struct parity_harvest_holding *h, size_t n,
                        int64_t user_id, int32_t day, enum parity_lot_method method, struct parity_tax_book *book,
                        struct parity_harvest_leg *legs, size_t *nlegs, struct parity_harvest_tally *tally)
{
  *nlegs = 0;
  int rc = PARITY_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    if (h[i].touched || h[i].shares_micro <= 0 || h[i].price_micros <= 0 || h[i].lots.n == 0)
      continue;
    if (lots_shares(&h[i].lots) != h[i].shares_micro) {
      tally->out_of_step++;
      continue;
    }
    bool *pick = parity_xcalloc(h[i].lots.n, sizeof(*pick));
    enum parity_harvest_verdict v = pick_lots(rule, &h[i], day, pick);
    size_t a = v == PARITY_HARVEST_SELL ? alternate_of(h, n, i, day) : PARITY_HARVEST_NONE;
    if (v == PARITY_HARVEST_WASH_BLOCKED)
      tally->wash_blocked++;
    else if (v == PARITY_HARVEST_SELL && a == PARITY_HARVEST_NONE)
      tally->no_alternate++;
    bool skipped = true;
    if (a != PARITY_HARVEST_NONE)
      rc = run_leg(h, i, a, pick, user_id, day, method, book, &legs[*nlegs], &skipped);
    if (!rc && !skipped)
      (*nlegs)++;
    free(pick);
  }
  return rc;
}
