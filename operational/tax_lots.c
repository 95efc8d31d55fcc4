/* Tax lots in memory: lot methods, realized pieces, term, wash sales (tax_lots.h). */
#include "operational/tax_lots.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "operational/money.h"

static const char *const method_names[] = {
  [PARITY_LOT_FIFO] = "fifo", [PARITY_LOT_HIFO] = "hifo", [PARITY_LOT_TAX_MIN] = "tax_min"
};

int parity_lot_method_parse(const char *text, enum parity_lot_method *out)
{
  for (int m = PARITY_LOT_FIFO; text && m <= PARITY_LOT_TAX_MIN; m++) {
    if (strcmp(text, method_names[m]) == 0) {
      *out = (enum parity_lot_method)m;
      return PARITY_OK;
    }
  }
  return PARITY_EINVAL;
}

const char *parity_lot_method_name(enum parity_lot_method method)
{
  return method_names[method];
}

bool parity_lot_long_term(int32_t acquired, int32_t sold)
{
  return sold > parity_day_add_months(acquired, 12);
}

void parity_lot_list_init(struct parity_lot_list *l)
{
  *l = (struct parity_lot_list){ 0 };
}

void parity_lot_list_free(struct parity_lot_list *l)
{
  free(l->lots);
  *l = (struct parity_lot_list){ 0 };
}

size_t parity_lot_list_add(struct parity_lot_list *l, const struct parity_lot *lot)
{
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 8;
    l->lots = parity_xrealloc(l->lots, l->cap * sizeof(*l->lots));
  }
  l->lots[l->n] = *lot;
  return l->n++;
}

void parity_piece_list_init(struct parity_piece_list *l)
{
  *l = (struct parity_piece_list){ 0 };
}

void parity_piece_list_free(struct parity_piece_list *l)
{
  free(l->pieces);
  *l = (struct parity_piece_list){ 0 };
}

static struct parity_lot_piece *piece_add(struct parity_piece_list *l)
{
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 8;
    l->pieces = parity_xrealloc(l->pieces, l->cap * sizeof(*l->pieces));
  }
  l->pieces[l->n] = (struct parity_lot_piece){ 0 };
  return &l->pieces[l->n++];
}

/* floor(a * b / c) for non-negative a, b and positive c, without overflow. */
static int64_t mul_div(int64_t a, int64_t b, int64_t c)
{
  return (int64_t)((__int128)a * b / c);
}

/* What the order of a method depends on: the sale (the daemons call this from several threads, so no
 * static state and no qsort, whose comparator has no context argument). */
struct order_ctx {
  const struct parity_lot *lots;
  enum parity_lot_method method;
  int64_t sale_shares, sale_proceeds;
  int32_t sold;
};

/* tax_min's category: 0 short-term loss, 1 long-term loss, 2 long-term gain, 3 short-term gain (or none). */
static int category(const struct order_ctx *order, const struct parity_lot *lot)
{
  /* a loss when basis per share exceeds the sale's price per share: basis/shares > proceeds/sale_shares */
  bool loss = (__int128)lot->basis_cents * order->sale_shares > (__int128)order->sale_proceeds * lot->shares_micro;
  bool long_term = parity_lot_long_term(lot->acquired, order->sold);
  if (loss)
    return long_term ? 1 : 0;
  return long_term ? 2 : 3;
}

/* Higher basis per share first: -1 when a's is higher. */
static int by_basis(const struct parity_lot *a, const struct parity_lot *b)
{
  __int128 x = (__int128)a->basis_cents * b->shares_micro, y = (__int128)b->basis_cents * a->shares_micro;
  return x > y ? -1 : x < y ? 1 : 0;
}

static int by_age(const struct parity_lot *a, const struct parity_lot *b)
{
  if (a->acquired != b->acquired)
    return a->acquired < b->acquired ? -1 : 1;
  if (a->bought != b->bought)
    return a->bought < b->bought ? -1 : 1;
  return 0;
}

static int compare_lots(const struct order_ctx *order, size_t ia, size_t ib)
{
  const struct parity_lot *a = &order->lots[ia], *b = &order->lots[ib];
  int c = 0;
  if (order->method == PARITY_LOT_TAX_MIN) {
    int ca = category(order, a), cb = category(order, b);
    c = ca != cb ? (ca < cb ? -1 : 1) : by_basis(a, b);
  } else if (order->method == PARITY_LOT_HIFO) {
    c = by_basis(a, b);
  }
  if (!c)
    c = by_age(a, b);
  if (!c)
    c = ia < ib ? -1 : ia > ib ? 1 : 0; /* stable: the caller's order (by id) */
  return c;
}

/*
 * Splits `take` shares off lots[i] as a replacement lot carrying `wash` cents and the sold lot's acquired day
 * (its own when that is earlier: a replacement bought before the sold lot never loses holding time).
 */
static void make_replacement(struct parity_lot_list *lots, size_t i, int64_t take, int64_t wash, int32_t acquired)
{
  struct parity_lot *lot = &lots->lots[i];
  if (lot->acquired < acquired)
    acquired = lot->acquired;
  if (take == lot->shares_micro) {
    lot->basis_cents += wash;
    lot->acquired = acquired;
    lot->replacement = true;
    lot->changed = true;
    return;
  }
  int64_t rest = parity_cost_basis_after_sell(lot->basis_cents, lot->shares_micro, take);
  struct parity_lot part = { 0, take, lot->basis_cents - rest + wash, acquired, lot->bought, true, true };
  lot->basis_cents = rest;
  lot->shares_micro -= take;
  lot->changed = true;
  parity_lot_list_add(lots, &part); /* may move lots->lots: `lot` is not used after this */
}

/* The wash-sale rule for one loss piece against the lots bought in the 30 days before the sale. */
static void wash_at_sell(struct parity_lot_list *lots, const bool *closing, size_t nclosing,
                         struct parity_lot_piece *piece)
{
  int64_t loss = piece->basis_cents - piece->proceeds_cents;
  if (loss <= 0)
    return;
  /* Candidates in purchase order (oldest first); the list only grows at its end, so indexes stay valid. */
  size_t n0 = lots->n;
  size_t *idx = parity_xcalloc(n0 ? n0 : 1, sizeof(*idx));
  size_t nc = 0;
  for (size_t i = 0; i < n0; i++) {
    const struct parity_lot *l = &lots->lots[i];
    if ((i < nclosing && closing[i]) || l->replacement || l->shares_micro <= 0 ||
        l->bought < piece->sold - PARITY_WASH_WINDOW_DAYS || l->bought > piece->sold)
      continue;
    size_t k = nc++;
    while (k > 0 && lots->lots[idx[k - 1]].bought > l->bought) {
      idx[k] = idx[k - 1];
      k--;
    }
    idx[k] = i;
  }
  int64_t want = piece->shares_micro;
  for (size_t c = 0; c < nc && piece->replaced_micro < want; c++) {
    int64_t avail = lots->lots[idx[c]].shares_micro, take = want - piece->replaced_micro;
    if (take > avail)
      take = avail;
    int64_t before = piece->wash_cents;
    piece->replaced_micro += take;
    piece->wash_cents = mul_div(loss, piece->replaced_micro, want);
    make_replacement(lots, idx[c], take, piece->wash_cents - before, piece->acquired);
  }
  free(idx);
}

int parity_lots_sell(struct parity_lot_list *lots, int64_t shares_micro, int64_t proceeds_cents, int32_t sold,
                     enum parity_lot_method method, struct parity_piece_list *pieces)
{
  if (shares_micro <= 0 || proceeds_cents < 0)
    return PARITY_EINVAL;
  int64_t held = 0;
  for (size_t i = 0; i < lots->n; i++)
    held += lots->lots[i].shares_micro;
  if (held < shares_micro)
    return PARITY_EINVAL;
  size_t n = lots->n, *idx = parity_xcalloc(n, sizeof(*idx));
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (lots->lots[i].shares_micro > 0)
      idx[m++] = i;
  }
  /* insertion sort: an investor holds tens of lots of a symbol, and the order must be stable */
  const struct order_ctx order = { lots->lots, method, shares_micro, proceeds_cents, sold };
  for (size_t k = 1; k < m; k++) {
    size_t v = idx[k], j = k;
    for (; j > 0 && compare_lots(&order, idx[j - 1], v) > 0; j--)
      idx[j] = idx[j - 1];
    idx[j] = v;
  }
  bool *closing = parity_xcalloc(n, sizeof(*closing));
  size_t first = pieces->n;
  int64_t left = shares_micro, done = 0, paid = 0;
  for (size_t k = 0; k < m && left > 0; k++) {
    struct parity_lot *lot = &lots->lots[idx[k]];
    int64_t take = lot->shares_micro < left ? lot->shares_micro : left;
    int64_t rest = parity_cost_basis_after_sell(lot->basis_cents, lot->shares_micro, take);
    done += take;
    int64_t cum = mul_div(proceeds_cents, done, shares_micro); /* cumulative: the last piece gets the rest */
    struct parity_lot_piece *p = piece_add(pieces);
    *p = (struct parity_lot_piece){ lot->id,
                                    take,
                                    cum - paid,
                                    lot->basis_cents - rest,
                                    lot->acquired,
                                    sold,
                                    parity_lot_long_term(lot->acquired, sold),
                                    0,
                                    0 };
    paid = cum;
    lot->basis_cents = rest;
    lot->shares_micro -= take;
    lot->changed = true;
    closing[idx[k]] = true;
    left -= take;
  }
  free(idx);
  for (size_t k = first; k < pieces->n; k++)
    wash_at_sell(lots, closing, n, &pieces->pieces[k]);
  free(closing);
  return PARITY_OK;
}

int parity_lots_buy(struct parity_lot_list *lots, int64_t shares_micro, int64_t cost_cents, int32_t bought,
                    struct parity_loss_sale *losses, size_t nlosses)
{
  if (shares_micro <= 0 || cost_cents < 0)
    return PARITY_EINVAL;
  int64_t left = shares_micro, done = 0, spent = 0;
  for (size_t i = 0; i < nlosses && left > 0; i++) {
    struct parity_loss_sale *s = &losses[i];
    if (s->loss_cents <= 0 || s->replaced_micro >= s->shares_micro || s->sold > bought ||
        s->sold < bought - PARITY_WASH_WINDOW_DAYS)
      continue;
    int64_t take = s->shares_micro - s->replaced_micro;
    if (take > left)
      take = left;
    int64_t before = s->wash_cents;
    s->replaced_micro += take;
    s->wash_cents = mul_div(s->loss_cents, s->replaced_micro, s->shares_micro);
    s->changed = true;
    done += take;
    int64_t cum = mul_div(cost_cents, done, shares_micro);
    struct parity_lot lot = { 0, take, cum - spent + s->wash_cents - before, s->acquired, bought, true, true };
    spent = cum;
    parity_lot_list_add(lots, &lot);
    left -= take;
  }
  if (left > 0) {
    struct parity_lot lot = { 0, left, cost_cents - spent, bought, bought, false, true };
    parity_lot_list_add(lots, &lot);
  }
  return PARITY_OK;
}
