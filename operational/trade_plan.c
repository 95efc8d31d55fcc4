/* The rebalance trade rule (trade_plan.h): sells first, then buys pro rata within the cash. */
#include "operational/trade_plan.h"

#include <math.h>
#include <string.h>

#include "common/errors.h"
#include "operational/money.h"

struct want {
  const char *symbol;
  int64_t price_micros;
  int64_t delta_cents;                    /* > 0 buy, < 0 sell */
  const struct parity_plan_holding *held; /* the stored row, even with 0 shares */
  bool in_target;
};

static const struct parity_plan_holding *find_row(const struct parity_plan_input *in, const char *symbol)
{
  for (size_t i = 0; i < in->nheld; i++)
    if (strcmp(in->held[i].symbol, symbol) == 0)
      return &in->held[i];
  return NULL;
}

static bool in_targets(const struct parity_plan_input *in, const char *symbol)
{
  for (size_t i = 0; i < in->ntargets; i++)
    if (strcmp(in->targets[i].symbol, symbol) == 0)
      return true;
  return false;
}

static int64_t held_value(const struct parity_plan_holding *h)
{
  return h && h->shares_micro > 0 ? parity_value_cents(h->shares_micro, h->price_micros) : 0;
}

/* A target's stand-ins (holdings counting for it) are valued with it, and sold after it when over. */
static bool stands_in_for(const struct parity_plan_holding *h, const char *symbol)
{
  return h->counts_for && h->shares_micro > 0 && strcmp(h->counts_for, symbol) == 0;
}

/* The larger (toward zero) of a sell's rest and what a holding can give. */
static int64_t sell_part(int64_t rest, int64_t held)
{
  return rest < -held ? -held : rest;
}

/* Every symbol of either side: what the targets want minus what is held. */
static size_t wants_of(const struct parity_plan_input *in, int64_t value, struct want *w)
{
  size_t n = 0;
  for (size_t i = 0; i < in->ntargets && n < PARITY_TRADE_PLAN_MAX; i++) {
    const char *symbol = in->targets[i].symbol;
    const struct parity_plan_holding *row = find_row(in, symbol);
    bool held = row && row->shares_micro > 0;
    int64_t family = held_value(row);
    for (size_t h = 0; h < in->nheld; h++)
      if (stands_in_for(&in->held[h], symbol))
        family += held_value(&in->held[h]);
    int64_t want = (int64_t)llround(in->targets[i].weight * (double)value) - family;
    int64_t own = want < 0 ? sell_part(want, held_value(row)) : want;
    w[n++] = (struct want){ symbol, held ? row->price_micros : in->targets[i].price_micros, own, row, true };
    int64_t rest = want < 0 ? want - own : 0;
    for (size_t h = 0; h < in->nheld && n < PARITY_TRADE_PLAN_MAX; h++) {
      const struct parity_plan_holding *m = &in->held[h];
      if (!stands_in_for(m, symbol))
        continue;
      int64_t part = sell_part(rest, held_value(m));
      w[n++] = (struct want){ m->symbol, m->price_micros, part, m, true };
      rest -= part;
    }
  }
  for (size_t i = 0; i < in->nheld && n < PARITY_TRADE_PLAN_MAX; i++) {
    const struct parity_plan_holding *h = &in->held[i];
    bool kept = in_targets(in, h->symbol) || (h->counts_for && in_targets(in, h->counts_for));
    if (h->shares_micro > 0 && !kept)
      w[n++] = (struct want){ h->symbol, h->price_micros, -held_value(h), h, false };
  }
  return n;
}

int parity_trade_plan(const struct parity_plan_input *in, struct parity_plan_trade *out, size_t *nout,
                      int64_t *cash_delta)
{
  *nout = 0;
  *cash_delta = 0;
  int64_t value = in->cash_cents;
  for (size_t i = 0; i < in->nheld; i++)
    value += held_value(&in->held[i]);
  struct want w[PARITY_TRADE_PLAN_MAX];
  size_t n = wants_of(in, value, w);
  int64_t cash = in->cash_cents;

  /* Sells first: their proceeds are cash for the buys. A position leaving the target is sold whole. */
  for (size_t i = 0; i < n && in->allow_sells; i++) {
    const struct parity_plan_holding *h = w[i].held;
    if (w[i].delta_cents > -PARITY_MIN_TRADE_CENTS || !h || h->shares_micro <= 0 || w[i].price_micros <= 0)
      continue;
    bool whole = !w[i].in_target || -w[i].delta_cents >= held_value(h);
    int64_t shares = h->shares_micro;
    if (!whole) {
      int rc = parity_shares_for_cents(-w[i].delta_cents, w[i].price_micros, &shares);
      if (rc)
        return rc;
    }
    if (shares > h->shares_micro)
      shares = h->shares_micro;
    int64_t cents = parity_value_cents(shares, w[i].price_micros);
    if (shares <= 0 || cents <= 0)
      continue;
    out[(*nout)++] =
        (struct parity_plan_trade){ w[i].symbol,
                                    false,
                                    shares,
                                    w[i].price_micros,
                                    cents,
                                    h->shares_micro - shares,
                                    parity_cost_basis_after_sell(h->cost_basis_cents, h->shares_micro, shares) };
    cash += cents;
  }

  /* Buys within the cash: when the wants exceed it, each gets its share. */
  int64_t wanted = 0;
  for (size_t i = 0; i < n; i++)
    if (w[i].delta_cents >= PARITY_MIN_TRADE_CENTS && w[i].price_micros > 0)
      wanted += w[i].delta_cents;
  int64_t spent = 0;
  for (size_t i = 0; i < n; i++) {
    if (w[i].delta_cents < PARITY_MIN_TRADE_CENTS || w[i].price_micros <= 0)
      continue;
    int64_t budget = wanted > cash ? (int64_t)((__int128)w[i].delta_cents * cash / wanted) : w[i].delta_cents;
    if (budget > cash - spent)
      budget = cash - spent;
    int64_t shares;
    int rc = parity_shares_for_cents(budget, w[i].price_micros, &shares);
    if (rc)
      return rc;
    int64_t cents = parity_value_cents(shares, w[i].price_micros);
    if (cents < PARITY_MIN_TRADE_CENTS || shares <= 0)
      continue;
    const struct parity_plan_holding *row = w[i].held;
    out[(*nout)++] = (struct parity_plan_trade){ w[i].symbol,
                                                 true,
                                                 shares,
                                                 w[i].price_micros,
                                                 cents,
                                                 (row ? row->shares_micro : 0) + shares,
                                                 (row ? row->cost_basis_cents : 0) + cents };
    spent += cents;
  }
  *cash_delta = cash - in->cash_cents - spent;
  return PARITY_OK;
}
