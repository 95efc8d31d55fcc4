/*
 * The newest price of a set of symbols, read from the database once for a whole batch of portfolios.
 * Trades are priced from here, inside the applying transaction, never from the read cache of
 * price_table.h, so money never depends on how fresh a cache is.
 */
#ifndef PARITY_BATCH_PRICES_H
#define PARITY_BATCH_PRICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ids.h"
#include "common/pg.h"

#define PARITY_BATCH_PRICES_MAX 512 /* distinct symbols of one batch: the universe is a few dozen */

struct parity_batch_prices {
  size_t n;
  char symbol[PARITY_BATCH_PRICES_MAX][PARITY_SYMBOL_MAX];
  double price[PARITY_BATCH_PRICES_MAX]; /* dollars; 0 when the symbol has no price */
  bool loaded;
};

/* Adds a symbol to look up (duplicates and overflow are ignored: an unknown symbol has no price). */
void parity_batch_prices_want(struct parity_batch_prices *t, const char *symbol);
/* Reads the newest price of every wanted symbol in one statement (Q_LATEST_PRICES). */
int parity_batch_prices_load(struct parity_db *db, struct parity_batch_prices *t);
/* The price in dollars, 0 when none. */
double parity_batch_prices_get(const struct parity_batch_prices *t, const char *symbol);

#endif
