/* Daily price bars in memory: the one shape every market-data source and consumer shares. */
#ifndef PARITY_BARS_H
#define PARITY_BARS_H

#include <stddef.h>
#include <stdint.h>

#include "common/calendar.h" /* day numbers */
#include "common/ids.h"      /* PARITY_SYMBOL_MAX, parity_symbol_valid */

struct parity_bar {
  int32_t day; /* days since 1970-01-01 (UTC calendar day of the exchange session) */
  double open, high, low, close, adj_close;
  int64_t volume;
};

/* One symbol's bars, increasing by day once validated. Owns `bars`. */
struct parity_bar_series {
  char symbol[PARITY_SYMBOL_MAX];
  struct parity_bar *bars;
  size_t n, cap;
};

/* Appends a bar, growing the array (aborts on allocation failure, as Redis does). */
void parity_bar_series_push(struct parity_bar_series *s, const struct parity_bar *bar);
void parity_bar_series_free(struct parity_bar_series *s);

/* One intraday observation: the close of a bar that starts at `ts` (epoch seconds, UTC). */
struct parity_price_point {
  int64_t ts;
  double price;
};

/* One symbol's intraday points, increasing by ts once validated. Owns `points`. */
struct parity_point_series {
  char symbol[PARITY_SYMBOL_MAX];
  struct parity_price_point *points;
  size_t n, cap;
};

/* Appends a point, growing the array (aborts on allocation failure). */
void parity_point_series_push(struct parity_point_series *s, const struct parity_price_point *point);
void parity_point_series_free(struct parity_point_series *s);

#endif
