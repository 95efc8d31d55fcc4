/*
 * One investor's tax-loss harvest of the day, in memory (no database): the decision of tax_harvest.h applied
 * to each fund of a family the investor holds, the sells and buys run through the lot engine into a tax book
 * (tax_book.h), and the position each leaves. svc_harvest.c reads a batch of investors, calls this for each
 * and writes the legs of all of them with a fixed handful of statements.
 *
 * A leg sells exactly the qualifying lots of one fund (whole, so the investor's lot method cannot close
 * another lot instead; it is still the method passed to the engine) for proceeds = their value at the price,
 * and buys the family's alternate with those proceeds: the most micro-shares they pay for, the fraction of
 * a micro-share (under a cent) staying as portfolio cash. The family's value moves from one member to the
 * other but for that fraction, so the allocation's weights move only by rounding. A fund sold or bought by
 * one leg takes part in no other that day (selling it again would sell a lot bought today; buying a fund
 * just sold at a loss would wash that loss).
 */
#ifndef PARITY_HARVEST_PLAN_H
#define PARITY_HARVEST_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operational/tax_book.h"
#include "operational/tax_harvest.h"
#include "operational/tax_lots.h"

/* One family member as one investor holds it (shares 0 and no lots when not held). */
struct parity_harvest_holding {
  const char *symbol;                     /* borrowed */
  const char *family;                     /* borrowed; members of a family adjacent, in rank order */
  int64_t price_micros;                   /* newest price; 0: none (never traded) */
  int64_t shares_micro, cost_basis_cents; /* the position; a leg updates them */
  struct parity_lot_list lots;            /* every open lot of it (the caller's; a leg changes them) */
  struct parity_loss_sale *losses;        /* unreplaced loss sales of the last 30 days (the caller's) */
  size_t nlosses;
  bool touched; /* sold or bought by a leg today */
};

/* One harvest: holdings[sold] sold, holdings[bought] bought. */
struct parity_harvest_leg {
  size_t sold, bought;
  int64_t sold_shares_micro, sold_price_micros, proceeds_cents;
  int64_t bought_shares_micro, bought_price_micros, cost_cents;
  int64_t loss_cents; /* the sale's realized loss, net of any disallowed part */
  size_t first_gain;  /* its realized gain rows in the book: [first_gain, first_gain + ngains) */
  size_t ngains;
};

/* Why holdings with a loss were kept (the job's counters). */
struct parity_harvest_tally {
  long wash_blocked; /* a lot of the fund bought in the last 30 days would stay open */
  long no_alternate; /* no other member could be bought without washing a loss of its own */
  long out_of_step;  /* the lots do not add up to the position: left alone, and logged by the caller */
};

/*
 * Plans the harvests of investor `user_id` on `day` over h[0..n) (every family member), appending the lot
 * changes and realized gains to *book and the legs to legs[] (room for n). *nlegs is how many.
 * PARITY_EINVAL when the lot engine refuses a step (a ledger out of step): the book is then partial, and
 * the caller abandons its transaction.
 */
int parity_harvest_plan(const struct parity_harvest_rule *rule, struct parity_harvest_holding *h, size_t n,
                        int64_t user_id, int32_t day, enum parity_lot_method method, struct parity_tax_book *book,
                        struct parity_harvest_leg *legs, size_t *nlegs, struct parity_harvest_tally *tally);

#endif
