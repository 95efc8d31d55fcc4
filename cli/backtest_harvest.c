/* `parity backtest --harvest`: a bucket with tax lots and daily loss harvesting (see backtest_harvest.h). */
#include "cli/backtest_harvest.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "decisional/quant/backtest.h"
#include "operational/money.h"
#include "operational/tax_lots.h"

void parity_harvest_bt_opts_defaults(struct parity_harvest_bt_opts *o)
{
  memset(o, 0, sizeof(*o));
  parity_harvest_rule_defaults(&o->rule);
  o->short_rate = PARITY_HARVEST_BT_SHORT_RATE;
  o->long_rate = PARITY_HARVEST_BT_LONG_RATE;
  o->initial_cents = PARITY_HARVEST_BT_INITIAL_CENTS;
  struct parity_quant_err err = { 0, "" };
  (void)parity_harvest_bt_families_parse(PARITY_HARVEST_BT_FAMILIES, o, &err); /* a valid constant */
}

int parity_harvest_bt_families_parse(const char *text, struct parity_harvest_bt_opts *o, struct parity_quant_err *err)
{
  o->nfamilies = 0;
  if (!text || !*text)
    return PARITY_OK; /* no families: nothing is harvested */
  const char *p = text;
  for (;;) {
    if (o->nfamilies == PARITY_HARVEST_BT_MAX_FAMILIES)
      return parity_quant_fail(err, PARITY_EINVAL, "more than %d families", PARITY_HARVEST_BT_MAX_FAMILIES);
    size_t f = o->nfamilies++, len = strcspn(p, ",");
    o->nmembers[f] = 0;
    for (const char *m = p; m < p + len;) {
      size_t mlen = strcspn(m, "=,");
      char sym[PARITY_SYMBOL_MAX] = "";
      if (mlen < sizeof(sym))
        memcpy(sym, m, mlen), sym[mlen] = '\0';
      if (mlen >= sizeof(sym) || !parity_symbol_valid(sym))
        return parity_quant_fail(err, PARITY_EINVAL, "family %zu: \"%.*s\" is not a symbol", f + 1,
                                 (int)(mlen > 20 ? 20 : mlen), m);
      for (size_t g = 0; g <= f; g++)
        for (size_t k = 0; k < o->nmembers[g]; k++)
          if (strcmp(o->members[g][k], sym) == 0)
            return parity_quant_fail(err, PARITY_EINVAL, "%s is in two families (or twice in one)", sym);
      if (o->nmembers[f] == PARITY_HARVEST_BT_MAX_MEMBERS)
        return parity_quant_fail(err, PARITY_EINVAL, "family %zu has more than %d members", f + 1,
                                 PARITY_HARVEST_BT_MAX_MEMBERS);
      memcpy(o->members[f][o->nmembers[f]++], sym, sizeof(sym));
      m += mlen;
      if (*m == '=')
        m++;
    }
    if (o->nmembers[f] < 2)
      return parity_quant_fail(err, PARITY_EINVAL, "family %zu has fewer than 2 members (A=B)", f + 1);
    if (p[len] == '\0')
      return PARITY_OK;
    p += len + 1;
  }
}

/* What the report needs of a loss sale beside what the wash-sale rule updates (struct parity_loss_sale). */
struct loss_meta {
  bool harvest; /* sold by harvesting, not by a rebalance */
  bool long_term;
};

/* One panel symbol's holding: its open lots, its loss sales so far (oldest first), today's price. */
struct holding {
  struct parity_lot_list lots;
  struct parity_loss_sale *losses;
  struct loss_meta *meta;
  size_t nlosses, cap;
  int64_t price_micros;
  int64_t *slot; /* [nsym]: slot[t] of its shares stand in for the model's symbol t (sum: the lots' shares) */
};

/* A family as present in the panel (a symbol outside every family is a family of one). */
struct group {
  size_t n;
  size_t sym[PARITY_HARVEST_BT_MAX_MEMBERS]; /* panel columns, rank order */
};

struct sim {
  const struct parity_backtest_harvest_in *in;
  const struct parity_harvest_bt_opts *o;
  struct parity_backtest_harvest *out;
  struct holding *h; /* [nsym] */
  struct group *g;   /* [ng] */
  size_t ng;
  size_t *group_of; /* [nsym]: the family (group) of each panel symbol */
  int64_t cash;
  double cost_rate;
  struct parity_piece_list pieces;
  int64_t *values; /* scratch: a symbol's lot values */
  bool *pick;
  size_t scratch;
};

static int64_t held_shares(const struct holding *h)
{
  int64_t s = 0;
  for (size_t i = 0; i < h->lots.n; i++)
    s += h->lots.lots[i].shares_micro;
  return s;
}

static int64_t holding_value(const struct holding *h)
{
  return parity_value_cents(held_shares(h), h->price_micros);
}

/* Drops the lots a sale closed whole. */
static void compact(struct parity_lot_list *l)
{
  size_t k = 0;
  for (size_t i = 0; i < l->n; i++)
    if (l->lots[i].shares_micro > 0)
      l->lots[k++] = l->lots[i];
  l->n = k;
}

/* Keeps the loss pieces of a sale (pieces[from..]) for the wash-sale rule of later buys and the report. */
static void record_losses(struct holding *h, const struct parity_piece_list *pc, size_t from, bool harvest)
{
  for (size_t i = from; i < pc->n; i++) {
    const struct parity_lot_piece *p = &pc->pieces[i];
    if (p->basis_cents <= p->proceeds_cents)
      continue;
    if (h->nlosses == h->cap) {
      h->cap = h->cap ? 2 * h->cap : 16;
      h->losses = parity_xrealloc(h->losses, h->cap * sizeof(*h->losses));
      h->meta = parity_xrealloc(h->meta, h->cap * sizeof(*h->meta));
    }
    h->losses[h->nlosses] = (struct parity_loss_sale){ .shares_micro = p->shares_micro,
                                                       .loss_cents = p->basis_cents - p->proceeds_cents,
                                                       .replaced_micro = p->replaced_micro,
                                                       .wash_cents = p->wash_cents,
                                                       .acquired = p->acquired,
                                                       .sold = p->sold };
    h->meta[h->nlosses++] = (struct loss_meta){ harvest, p->long_term };
  }
}

/* Sells `shares` of a holding by tax_min at today's price; returns the proceeds. */
static int64_t sell(struct sim *s, struct holding *h, int64_t shares, int32_t day)
{
  int64_t proceeds = parity_value_cents(shares, h->price_micros);
  size_t from = s->pieces.n;
  if (parity_lots_sell(&h->lots, shares, proceeds, day, PARITY_LOT_TAX_MIN, &s->pieces) != PARITY_OK)
    return 0; /* never: shares <= held */
  record_losses(h, &s->pieces, from, false);
  compact(&h->lots);
  return proceeds;
}

/* Buys for at most `budget` cents at today's price (the wash-sale rule against its recent losses);
 * returns what it spent. */
static int64_t buy(struct holding *h, int64_t budget, int32_t day, int64_t *bought)
{
  int64_t shares = 0;
  *bought = 0;
  if (budget <= 0 || parity_shares_for_cents(budget, h->price_micros, &shares) != PARITY_OK || shares <= 0)
    return 0;
  int64_t spent = parity_value_cents(shares, h->price_micros);
  if (parity_lots_buy(&h->lots, shares, spent, day, h->losses, h->nlosses) != PARITY_OK)
    return 0;
  *bought = shares;
  return spent;
}

/* Moves a harvest's slots: `sold` of the `held` shares of `from` left it, `bought` shares of `to` came in;
 * each slot keeps its proportion (cumulative rounding down, so the totals are exact). */
static void move_slots(const struct sim *s, struct holding *from, int64_t held, int64_t sold, struct holding *to,
                       int64_t bought)
{
  int64_t seen = 0, out_done = 0, in_done = 0;
  for (size_t t = 0; t < s->in->view->nsym; t++) {
    if (!from->slot[t])
      continue;
    seen += from->slot[t];
    int64_t out_cum = (int64_t)((__int128)sold * seen / held);
    int64_t in_cum = sold ? (int64_t)((__int128)bought * out_cum / sold) : 0;
    from->slot[t] -= out_cum - out_done;
    to->slot[t] += in_cum - in_done;
    out_done = out_cum;
    in_done = in_cum;
  }
}

static void members_of(const struct sim *s, const struct group *g, struct parity_harvest_member *m)
{
  for (size_t i = 0; i < g->n; i++) {
    const struct holding *h = &s->h[g->sym[i]];
    m[i] = (struct parity_harvest_member){ h->losses, h->nlosses, h->price_micros > 0 };
  }
}

static int year_index(const struct parity_backtest_harvest *out, int32_t day)
{
  int y, m, d;
  parity_day_to_ymd(day, &y, &m, &d);
  return y - out->first_year;
}

/* Harvests one holding (member mi of group g) on `day` when the decision says so. */
static void harvest_holding(struct sim *s, const struct group *g, size_t mi, int32_t day)
{
  struct holding *h = &s->h[g->sym[mi]];
  size_t n = h->lots.n;
  if (n == 0)
    return;
  if (n > s->scratch) {
    s->scratch = 2 * n;
    s->values = parity_xrealloc(s->values, s->scratch * sizeof(*s->values));
    s->pick = parity_xrealloc(s->pick, s->scratch * sizeof(*s->pick));
  }
  for (size_t i = 0; i < n; i++)
    s->values[i] = parity_value_cents(h->lots.lots[i].shares_micro, h->price_micros);
  enum parity_harvest_verdict v = parity_harvest_pick(&s->o->rule, h->lots.lots, s->values, n, day, s->pick);
  if (v == PARITY_HARVEST_WASH_BLOCKED)
    s->out->wash_blocked++;
  if (v != PARITY_HARVEST_SELL)
    return;
  struct parity_harvest_member m[PARITY_HARVEST_BT_MAX_MEMBERS];
  members_of(s, g, m);
  size_t alt = parity_harvest_buy_member(m, g->n, mi, day);
  if (alt == PARITY_HARVEST_NONE)
    return;
  /* Exactly the qualifying lots are sold: they go to a list of their own (whole, so the method's order
   * does not matter), the others stay. */
  struct parity_lot_list sold;
  parity_lot_list_init(&sold);
  int64_t held = held_shares(h);
  int64_t shares = parity_harvest_take_picked(&h->lots, s->pick, &sold);
  int64_t proceeds = parity_value_cents(shares, h->price_micros);
  size_t from = s->pieces.n;
  if (parity_lots_sell(&sold, shares, proceeds, day, PARITY_LOT_FIFO, &s->pieces) == PARITY_OK)
    record_losses(h, &s->pieces, from, true);
  int64_t loss = 0;
  for (size_t i = from; i < s->pieces.n; i++)
    loss += s->pieces.pieces[i].basis_cents - s->pieces.pieces[i].proceeds_cents;
  struct parity_backtest_harvest *out = s->out;
  if (out->nsales % 16 == 0)
    out->sales = parity_xrealloc(out->sales, (out->nsales + 16) * sizeof(*out->sales));
  struct parity_backtest_harvest_sale *x = &out->sales[out->nsales++];
  *x = (struct parity_backtest_harvest_sale){ .day = day, .shares_micro = shares, .loss_cents = loss };
  snprintf(x->symbol, sizeof(x->symbol), "%s", s->in->view->symbols[g->sym[mi]]);
  snprintf(x->replacement, sizeof(x->replacement), "%s", s->in->view->symbols[g->sym[alt]]);
  s->out->harvests += sold.n;
  parity_lot_list_free(&sold);
  int64_t cost = llround(2.0 * s->cost_rate * (double)proceeds); /* both legs */
  if (cost > proceeds)
    cost = proceeds;
  s->cash += proceeds - cost;
  int64_t bought = 0;
  struct holding *to = &s->h[g->sym[alt]];
  s->cash -= buy(to, proceeds - cost, day, &bought);
  move_slots(s, h, held, shares, to, bought);
}

/* The value of the shares standing in for the model's symbol t. */
static int64_t slot_value(const struct sim *s, size_t t)
{
  int64_t v = 0;
  for (size_t j = 0; j < s->in->view->nsym; j++)
    if (s->h[j].slot[t])
      v += parity_value_cents(s->h[j].slot[t], s->h[j].price_micros);
  return v;
}

/*
 * The monthly rule at execution k (panel day d), exactly as the plain backtest runs it on the model's
 * symbols, each holding counted toward the symbol it stands in for (a harvest's alternate toward the symbol
 * it replaced: a position in any member counts toward the family's target). A slot's sells take its
 * stand-ins first, then its own symbol; its buys go to its own symbol unless that would wash a recent loss,
 * then to the first member of its family that would not.
 */
static int rebalance(struct sim *s, size_t k, size_t d, struct parity_quant_err *err)
{
  const struct parity_bt_panel *p = s->in->view;
  int32_t day = p->days[d];
  double cur[PARITY_BT_MAX_SYMBOLS], adj[PARITY_BT_MAX_SYMBOLS];
  int64_t val[PARITY_BT_MAX_SYMBOLS] = { 0 };
  const double *target = s->in->targets + k * p->nsym;
  int64_t total = s->cash;
  for (size_t t = 0; t < p->nsym; t++)
    total += val[t] = slot_value(s, t);
  for (size_t t = 0; t < p->nsym; t++)
    cur[t] = (double)val[t] / (double)total;
  double turn = 1.0;
  if (k == 0) {
    memcpy(adj, target, p->nsym * sizeof(double));
  } else {
    int rc = parity_bt_threshold_rule(p, cur, target, s->in->threshold, adj, err);
    if (rc)
      return rc;
    turn = 0.0;
    for (size_t t = 0; t < p->nsym; t++)
      turn += fabs(adj[t] - cur[t]);
  }
  int64_t cost = llround(s->cost_rate * turn * (double)total);
  double after = (double)(total - cost);
  /* Sells first, so the buys have the cash. */
  for (size_t t = 0; t < p->nsym; t++) {
    int64_t excess = val[t] - llround(adj[t] * after);
    const struct group *g = &s->g[s->group_of[t]];
    for (size_t i = 0; i <= g->n && excess >= PARITY_MIN_TRADE_CENTS; i++) {
      size_t j = i < g->n ? g->sym[g->n - 1 - i] : t; /* stand-ins (last rank first), the symbol itself last */
      if (i < g->n && j == t)
        continue;
      struct holding *h = &s->h[j];
      int64_t shares = h->slot[t];
      if (shares == 0)
        continue;
      if (parity_value_cents(shares, h->price_micros) > excess &&
          parity_shares_for_cents(excess, h->price_micros, &shares) != PARITY_OK)
        shares = 0;
      if (shares > h->slot[t])
        shares = h->slot[t];
      if (shares > 0) {
        int64_t got = sell(s, h, shares, day);
        h->slot[t] -= shares;
        s->cash += got;
        excess -= got;
      }
    }
  }
  if (cost > s->cash)
    cost = s->cash;
  s->cash -= cost;
  for (size_t t = 0; t < p->nsym; t++) {
    int64_t want = llround(adj[t] * after) - val[t];
    if (want < PARITY_MIN_TRADE_CENTS)
      continue;
    if (want > s->cash)
      want = s->cash;
    size_t j = t;
    const struct parity_harvest_member self = { s->h[t].losses, s->h[t].nlosses, s->h[t].price_micros > 0 };
    if (parity_harvest_buy_washes(&self, day)) {
      const struct group *g = &s->g[s->group_of[t]];
      struct parity_harvest_member m[PARITY_HARVEST_BT_MAX_MEMBERS];
      members_of(s, g, m);
      size_t b = parity_harvest_buy_member(m, g->n, PARITY_HARVEST_NONE, day);
      if (b != PARITY_HARVEST_NONE)
        j = g->sym[b]; /* else every member washes: its own symbol, and the rule records the wash */
    }
    int64_t bought = 0;
    s->cash -= buy(&s->h[j], want, day, &bought);
    s->h[j].slot[t] += bought;
  }
  return PARITY_OK;
}

/* Families present in the panel, then every other symbol as a family of one. */
static void build_groups(struct sim *s)
{
  const struct parity_bt_panel *p = s->in->view;
  bool *used = parity_xcalloc(p->nsym, sizeof(bool));
  s->g = parity_xcalloc(p->nsym, sizeof(*s->g));
  for (size_t f = 0; f < s->o->nfamilies; f++) {
    struct group *g = &s->g[s->ng];
    g->n = 0;
    for (size_t m = 0; m < s->o->nmembers[f]; m++)
      for (size_t j = 0; j < p->nsym; j++)
        if (!used[j] && strcmp(p->symbols[j], s->o->members[f][m]) == 0) {
          g->sym[g->n++] = j;
          used[j] = true;
        }
    if (g->n)
      s->ng++;
  }
  for (size_t j = 0; j < p->nsym; j++)
    if (!used[j])
      s->g[s->ng++] = (struct group){ .n = 1, .sym = { j } };
  free(used);
  s->group_of = parity_xcalloc(p->nsym, sizeof(size_t));
  for (size_t gi = 0; gi < s->ng; gi++)
    for (size_t i = 0; i < s->g[gi].n; i++)
      s->group_of[s->g[gi].sym[i]] = gi;
}

/* Losses by year and the tax they defer, from the loss sales the harvest made. */
static void summarize(struct sim *s)
{
  struct parity_backtest_harvest *out = s->out;
  int64_t short_total = 0, long_total = 0;
  for (size_t j = 0; j < s->in->view->nsym; j++) {
    const struct holding *h = &s->h[j];
    for (size_t i = 0; i < h->nlosses; i++) {
      if (!h->meta[i].harvest)
        continue;
      int y = year_index(out, h->losses[i].sold);
      int64_t allowed = h->losses[i].loss_cents - h->losses[i].wash_cents;
      if (h->meta[i].long_term)
        out->long_cents[y] += allowed, long_total += allowed;
      else
        out->short_cents[y] += allowed, short_total += allowed;
      out->disallowed_cents[y] += h->losses[i].wash_cents;
    }
  }
  out->tax_deferred_cents = llround((double)short_total * out->short_rate + (double)long_total * out->long_rate);
}

int parity_harvest_bt_run(void *ctx, const struct parity_backtest_harvest_in *in, struct parity_backtest_harvest *out,
                          struct parity_quant_err *err)
{
  const struct parity_harvest_bt_opts *o = ctx;
  const struct parity_bt_panel *p = in->view;
  memset(out, 0, sizeof(*out));
  int y0, y1, m, d;
  parity_day_to_ymd(p->days[in->start], &y0, &m, &d);
  parity_day_to_ymd(p->days[in->end], &y1, &m, &d);
  if (y1 - y0 >= PARITY_BACKTEST_HARVEST_YEARS)
    return parity_quant_fail(err, PARITY_EINVAL, "the window spans more than %d years", PARITY_BACKTEST_HARVEST_YEARS);
  if (o->initial_cents <= 0)
    return parity_quant_fail(err, PARITY_EINVAL, "the initial value must be positive");
  out->first_year = y0;
  out->nyears = (size_t)(y1 - y0) + 1;
  out->short_rate = o->short_rate;
  out->long_rate = o->long_rate;
  out->initial_cents = o->initial_cents;
  struct sim s = { .in = in, .o = o, .out = out, .cash = o->initial_cents, .cost_rate = in->cost_bps / 1e4 };
  s.h = parity_xcalloc(p->nsym, sizeof(*s.h));
  for (size_t j = 0; j < p->nsym; j++) {
    parity_lot_list_init(&s.h[j].lots);
    s.h[j].slot = parity_xcalloc(p->nsym, sizeof(int64_t));
  }
  parity_piece_list_init(&s.pieces);
  build_groups(&s);
  int rc = PARITY_OK;
  size_t k = 0;
  for (size_t t = in->start + 1; t <= in->end && !rc; t++) {
    int32_t day = p->days[t];
    for (size_t j = 0; j < p->nsym; j++)
      s.h[j].price_micros = parity_price_micros(p->px[j * p->ndays + t]);
    for (size_t gi = 0; gi < s.ng; gi++)
      for (size_t mi = 0; s.g[gi].n > 1 && mi < s.g[gi].n; mi++)
        harvest_holding(&s, &s.g[gi], mi, day);
    if (k < in->nexec && in->exec[k] == t)
      rc = rebalance(&s, k++, t, err);
    s.pieces.n = 0; /* recorded already */
    int64_t v = s.cash;
    for (size_t j = 0; j < p->nsym; j++)
      v += holding_value(&s.h[j]);
    double plain = in->values[t - in->start], diff = fabs((double)v / (double)o->initial_cents - plain) / plain;
    if (diff > out->max_value_diff)
      out->max_value_diff = diff;
    out->final_cents = v;
  }
  if (!rc) {
    double plain = in->values[in->end - in->start];
    out->final_no_harvest_cents = llround(plain * (double)o->initial_cents);
    out->value_diff = (double)out->final_cents / (plain * (double)o->initial_cents) - 1.0;
    summarize(&s);
  }
  for (size_t j = 0; j < p->nsym; j++) {
    parity_lot_list_free(&s.h[j].lots);
    free(s.h[j].losses);
    free(s.h[j].meta);
    free(s.h[j].slot);
  }
  free(s.h);
  free(s.g);
  free(s.group_of);
  free(s.values);
  free(s.pick);
  parity_piece_list_free(&s.pieces);
  return rc;
}
