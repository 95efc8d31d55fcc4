/* Daily price bars in memory: the one shape every market-data source and consumer shares. */
#ifndef PARITY_BARS_H
#define PARITY_BARS_H

#include <stddef.h>
#include <stdint.h>

#define PARITY_SYMBOL_MAX 16 /* including the NUL; symbols are [A-Z0-9.^=-]{1,15} */

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

/* Calendar day (days since 1970-01-01) of an epoch second shifted by a UTC offset in seconds. */
int32_t parity_day_from_epoch(int64_t ts, int64_t utc_offset);

/* Civil date <-> day number (proleptic Gregorian). parity_day_parse accepts exactly YYYY-MM-DD. */
int32_t parity_day_from_ymd(int y, int m, int d);
void parity_day_to_ymd(int32_t day, int *y, int *m, int *d);
int parity_day_parse(const char *text, size_t len, int32_t *out);
/* Writes "YYYY-MM-DD" and a NUL into buf (at least 11 bytes). */
void parity_day_format(int32_t day, char *buf);

/* True when `symbol` is 1..15 characters of [A-Z0-9.^=-]. */
int parity_symbol_valid(const char *symbol);

#endif
