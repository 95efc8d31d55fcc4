/* The newest price of a set of symbols, read once for a whole batch of portfolios. */
#ifndef PARITY_PRICE_TABLE_H
#define PARITY_PRICE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ids.h"
#include "common/pg.h"

#define PARITY_PRICE_TABLE_MAX 512 /* distinct symbols of one batch: the universe is a few dozen */

struct parity_price_table {
  size_t n;
  char symbol[PARITY_PRICE_TABLE_MAX][PARITY_SYMBOL_MAX];
  double price[PARITY_PRICE_TABLE_MAX]; /* dollars; 0 when the symbol has no price */
  bool loaded;
};

/* Adds a symbol to look up (duplicates and overflow are ignored: an unknown symbol has no price). */
void parity_price_table_want(struct parity_price_table *t, const char *symbol);
/* Reads the newest price of every wanted symbol in one statement (Q_LATEST_PRICES). */
int parity_price_table_load(struct parity_db *db, struct parity_price_table *t);
/* The price in dollars, 0 when none. */
double parity_price_table_get(const struct parity_price_table *t, const char *symbol);

#endif
