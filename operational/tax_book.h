/*
 * The lots side of a ledger transaction: the trades of a sell or of a rebalance batch go through the lot
 * engine (tax_lots.h) here, and what changed (lots opened, reduced, closed or split; realized gain rows;
 * earlier losses newly replaced) is kept in memory and written at the end with at most three COPYs into
 * session-local staging and one set-based statement, whatever the number of investors.
 * The caller holds the portfolios' locks, so the lots it read are the lots it changes.
 */
#ifndef PARITY_TAX_BOOK_H
#define PARITY_TAX_BOOK_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/pg.h"
#include "operational/tax_lots.h"

#define PARITY_TAX_SYMBOL_MAX 24

struct parity_tax_lot_row {
  int64_t user_id;
  char symbol[PARITY_TAX_SYMBOL_MAX];
  struct parity_lot lot;
};

struct parity_tax_gain_row {
  int64_t user_id;
  char symbol[PARITY_TAX_SYMBOL_MAX];
  int64_t trade_id; /* the trade's id when known (a sell), else 0 and found by batch_id */
  int64_t batch_id;
  struct parity_lot_piece piece;
};

struct parity_tax_loss_row {
  int64_t id, replaced_micro, wash_cents;
};

struct parity_tax_book {
  struct parity_tax_lot_row *lots;
  struct parity_tax_gain_row *gains;
  struct parity_tax_loss_row *losses;
  size_t nlots, caplots, ngains, capgains, nlosses, caplosses;
  int64_t wash_cents; /* disallowed in this transaction, for the log and the metrics */
};

void parity_tax_book_init(struct parity_tax_book *b);
void parity_tax_book_free(struct parity_tax_book *b);

/* Today's day number (UTC): the day lots are bought and sold on. */
int32_t parity_tax_today(void);

/* Within rows [first, end) of `res`, sorted by the symbol in column `col`, the rows [*sfirst, *send) of `symbol`. */
void parity_tax_symbol_rows(const PGresult *res, int first, int end, int col, const char *symbol, int *sfirst,
                            int *send);

/*
 * Appends rows [first, end) of `res` to `out` as lots; their columns from `col` on are id, shares_micro,
 * basis_cents, acquired and bought (day numbers), replacement ('t'/'f'), the order of Q_TAX_USER_LOTS.
 */
void parity_tax_lots_read(const PGresult *res, int first, int end, int col, struct parity_lot_list *out);

/*
 * Appends rows [first, end) of `res` to `out` as open losses; columns from `col` on: id, shares_micro,
 * loss_cents, replaced_micro, wash_cents, acquired, sold (Q_TAX_USER_LOSSES's order). `out` holds `end-first`.
 */
void parity_tax_losses_read(const PGresult *res, int first, int end, int col, struct parity_loss_sale *out);

/*
 * One sell of `symbol` through `lots` (every open lot of it): appends the changed lots and the gain rows
 * (their trade set later with parity_tax_book_set_trade, or found by batch_id). *basis_delta is the change of
 * the symbol's total basis (what the position's cost basis must change by); *first_gain the index of its
 * first gain row. PARITY_EINVAL when the lots do not hold the shares (a ledger out of step).
 */
int parity_tax_book_sell(struct parity_tax_book *b, int64_t user_id, const char *symbol, struct parity_lot_list *lots,
                         int64_t shares_micro, int64_t proceeds_cents, int32_t day, enum parity_lot_method method,
                         int64_t batch_id, size_t *first_gain, int64_t *basis_delta);

/* One buy: the new lot(s), the open losses it replaces (in `losses`, updated), *basis_delta as above. */
int parity_tax_book_buy(struct parity_tax_book *b, int64_t user_id, const char *symbol, struct parity_lot_list *lots,
                        int64_t shares_micro, int64_t cost_cents, int32_t day, struct parity_loss_sale *losses,
                        size_t nlosses, int64_t *basis_delta);

/* Names the trade of the gain rows from `first_gain` on. */
void parity_tax_book_set_trade(struct parity_tax_book *b, size_t first_gain, int64_t trade_id);

/*
 * The tax rows of a batch's users (Q_TAX_BATCH_LOTS with each investor's lot method, Q_TAX_BATCH_LOSSES,
 * both in user order) with cursors that advance with the investors, and the day the batch trades on.
 */
struct parity_tax_rows {
  const PGresult *lots, *losses;
  int lot_row, loss_row;
  int32_t today;
  const PGresult *families; /* Q_TAX_FAMILIES, for the investors who harvest (NULL: none) */
};

/* One investor's slice of those rows and lot method. */
struct parity_tax_investor {
  enum parity_lot_method method;
  int lot_first, lot_end, loss_first, loss_end;
};

/* Advances the cursors to `user_id` (investors come in increasing id order) and gives its slice. */
void parity_tax_investor_of(struct parity_tax_rows *t, int64_t user_id, struct parity_tax_investor *out);

/*
 * The lots side of one trade of the investor (batch_id names it for its gain rows): the symbol's lots closed
 * or opened, and the position's cost basis after it (the sum of its lots' bases: `cost` before, plus what
 * the lots gained or lost). PARITY_EINVAL, logged, when the lots do not hold a sale (a ledger out of step).
 */
int parity_tax_trade_lots(const struct parity_tax_rows *t, const struct parity_tax_investor *it, int64_t user_id,
                          int64_t batch_id, const char *symbol, bool buy, int64_t shares_micro, int64_t cents,
                          int64_t cost, struct parity_tax_book *book, int64_t *new_cost);

/* Writes everything appended, inside the caller's transaction (after the trades it refers to). */
int parity_tax_book_write(struct parity_db *db, const struct parity_tax_book *b);

#endif
