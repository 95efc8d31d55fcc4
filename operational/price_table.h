/*
 * The newest price of every symbol, held in memory for valuations (GET /portfolio): sorted by symbol,
 * looked up by binary search, immutable once sealed and shared as a snapshot (operational/snapshot.h).
 */
#ifndef PARITY_PRICE_TABLE_H
#define PARITY_PRICE_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "common/ids.h"
#include "operational/snapshot.h"

#define PARITY_PRICE_TIME_MAX 32 /* "YYYY-MM-DDTHH:MM:SSZ" and its NUL, with room */

struct parity_price_entry {
  char symbol[PARITY_SYMBOL_MAX];
  double price;                          /* dollars, as PostgreSQL's double precision gave it */
  char priced_at[PARITY_PRICE_TIME_MAX]; /* RFC 3339 UTC */
  int32_t day;                           /* priced_at's New York calendar day (a close's own day) */
};

struct parity_price_table {
  struct parity_snapshot snap; /* first: the table is published as a snapshot */
  size_t n, capacity;
  struct parity_price_entry entries[];
};

/* An empty table for up to `capacity` symbols, holding its creator's snapshot reference. Aborts on ENOMEM. */
struct parity_price_table *parity_price_table_new(size_t capacity);

/* Adds one symbol's price, priced at `priced_at` on New York day `day` (days since 1970-01-01).
 * PARITY_EINVAL for a symbol or time that does not fit (the entry is skipped), PARITY_ETOOBIG when the
 * table is full. */
int parity_price_table_add(struct parity_price_table *t, const char *symbol, double price, const char *priced_at,
                           int32_t day);

/* Sorts for lookups; call once, after the last add. A symbol added twice keeps its newest priced_at. */
void parity_price_table_seal(struct parity_price_table *t);

/* The entry of `symbol` in a sealed table, NULL when it has no price. */
const struct parity_price_entry *parity_price_table_find(const struct parity_price_table *t, const char *symbol);

#endif
