/*
 * Tax lots, in memory (no database): which lots a sell closes by the investor's method, the realized gain of
 * each closed piece, the holding term, and the wash-sale rule at sell time and at buy time. The callers
 * (trade_exec.c for a sell, rebalance_apply.c for a batch) read the lots, call these, and write the result.
 *
 * Money rules: cents and micro-shares only. A sale's proceeds are split over its pieces pro rata to their
 * shares with cumulative rounding down, so the pieces' proceeds sum to the sale's proceeds exactly; a closed
 * piece's basis is what the lot loses (parity_cost_basis_after_sell keeps the rest), so the pieces' bases plus
 * the lots' remaining bases equal the bases before.
 *
 * Term: a lot is long-term when sold more than one year after it was acquired, i.e. on a day after the
 * anniversary of its acquisition (parity_day_add_months(acquired, 12), which takes 29 February to
 * 28 February of the next year). Sold on the anniversary itself: short-term.
 *
 * Wash sales (the product's reading of IRC §1091): a loss is disallowed in proportion to the shares of the
 * same symbol bought within 30 days before or after the sale (days sold-30..sold+30, both included) by any
 * path. Only the very same symbol counts: members of a family (VTI and VOO, ...) are not substantially
 * identical. A lot the sale itself closes shares of is not its own replacement; a lot (or part of one) that
 * already absorbed a disallowed loss absorbs no other. The disallowed loss is added to the replacement's
 * basis and the replacement's holding period starts at the sold lot's acquired day (or its own, when it was
 * acquired earlier still: a replacement bought before the sold lot keeps its own day, so a holding period
 * never starts after its purchase); a lot only partly used as replacement is split in two. The disallowed amount of a loss with shares q, loss L and r of them
 * replaced is floor(L * r / q) (cumulative, so a loss replaced in several steps is disallowed in whole
 * once fully replaced, never one cent more).
 */
#ifndef PARITY_TAX_LOTS_H
#define PARITY_TAX_LOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PARITY_WASH_WINDOW_DAYS 30

enum parity_lot_method { PARITY_LOT_FIFO, PARITY_LOT_HIFO, PARITY_LOT_TAX_MIN };

/* "fifo", "hifo", "tax_min"; PARITY_EINVAL for anything else. */
int parity_lot_method_parse(const char *text, enum parity_lot_method *out);
const char *parity_lot_method_name(enum parity_lot_method method);

/* True when a lot acquired on day `acquired` and sold on day `sold` is long-term (see above). */
bool parity_lot_long_term(int32_t acquired, int32_t sold);

/* One open lot of one investor's symbol. */
struct parity_lot {
  int64_t id;           /* the row's id; 0 for a lot opened (or split off) by this step */
  int64_t shares_micro; /* > 0 while open; a sell leaves 0 in a lot it closed whole */
  int64_t basis_cents;  /* >= 0; includes any disallowed wash-sale loss */
  int32_t acquired;     /* the holding period starts here (a replacement inherits the sold lot's day) */
  int32_t bought;       /* the purchase day: the wash-sale window is about this one */
  bool replacement;     /* already absorbed a disallowed loss */
  bool changed;         /* set by the functions below when the caller must write it */
};

/* A growable list of lots (the sell may split a replacement lot in two). */
struct parity_lot_list {
  struct parity_lot *lots;
  size_t n, cap;
};
void parity_lot_list_init(struct parity_lot_list *l);
void parity_lot_list_free(struct parity_lot_list *l);
/* Appends a copy of *lot; returns its index. */
size_t parity_lot_list_add(struct parity_lot_list *l, const struct parity_lot *lot);

/* One closed piece of a sale: a realized gain row. */
struct parity_lot_piece {
  int64_t lot_id;         /* the lot it came from (0 for a lot opened by this step) */
  int64_t shares_micro;   /* > 0 */
  int64_t proceeds_cents; /* its share of the sale's proceeds */
  int64_t basis_cents;    /* what the lot lost */
  int32_t acquired, sold;
  bool long_term;
  int64_t wash_cents;     /* loss disallowed (>= 0): gain = proceeds - basis + wash_cents */
  int64_t replaced_micro; /* shares of the loss already matched by replacements (0..shares_micro) */
};

/* A growable list of pieces. */
struct parity_piece_list {
  struct parity_lot_piece *pieces;
  size_t n, cap;
};
void parity_piece_list_init(struct parity_piece_list *l);
void parity_piece_list_free(struct parity_piece_list *l);

/*
 * Sells `shares_micro` of the lots for `proceeds_cents` on day `sold` by `method`, appending the closed
 * pieces to *pieces, reducing the lots (a lot closed whole keeps 0 shares and 0 basis, changed) and applying
 * the wash-sale rule against the lots bought within the 30 days before (the caller passes every open lot of
 * the symbol). PARITY_EINVAL when the lots hold fewer shares than sold or an amount is negative.
 */
int parity_lots_sell(struct parity_lot_list *lots, int64_t shares_micro, int64_t proceeds_cents, int32_t sold,
                     enum parity_lot_method method, struct parity_piece_list *pieces);

/* A loss sale of the symbol within the 30 days before a buy whose loss is not all replaced yet. */
struct parity_loss_sale {
  int64_t id;             /* the realized gain row */
  int64_t shares_micro;   /* of the piece */
  int64_t loss_cents;     /* basis - proceeds, > 0 */
  int64_t replaced_micro; /* in: matched so far; out: after this buy */
  int64_t wash_cents;     /* in: disallowed so far; out: after this buy */
  int32_t acquired, sold;
  bool changed; /* set when this buy matched some of it */
};

/*
 * Buys `shares_micro` for `cost_cents` on day `bought`: appends the new lot(s) to *lots. Shares matching
 * the unreplaced part of a loss sale (`losses`, in the order given: oldest sale first; those outside the
 * window are passed over) become replacement lots carrying that loss's disallowed part and its acquired
 * day; the rest is one plain lot. The lots' bases sum to cost_cents plus the disallowed losses.
 * PARITY_EINVAL for a non-positive share count or a negative cost.
 */
int parity_lots_buy(struct parity_lot_list *lots, int64_t shares_micro, int64_t cost_cents, int32_t bought,
                    struct parity_loss_sale *losses, size_t nlosses);

#endif
