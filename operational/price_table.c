/* A sorted array of symbol -> newest price, built once per price change and read by every valuation. */
#include "operational/price_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"

static void table_destroy(struct parity_snapshot *snap)
{
  free(snap); /* the snapshot header is the table's first member */
}

struct parity_price_table *parity_price_table_new(size_t capacity)
{
  struct parity_price_table *t = parity_xmalloc(
      sizeof(*t) + capacity * sizeof(struct parity_price_entry)); /* NOLINT(bugprone-sizeof-expression) */
  parity_snapshot_init(&t->snap, table_destroy);
  t->n = 0;
  t->capacity = capacity;
  return t;
}

int parity_price_table_add(struct parity_price_table *t, const char *symbol, double price, const char *priced_at,
                           int32_t day)
{
  if (t->n == t->capacity)
    return PARITY_ETOOBIG;
  size_t sym_len = strlen(symbol), at_len = strlen(priced_at);
  if (sym_len == 0 || sym_len >= PARITY_SYMBOL_MAX || at_len >= PARITY_PRICE_TIME_MAX)
    return PARITY_EINVAL;
  struct parity_price_entry *e = &t->entries[t->n++];
  memcpy(e->symbol, symbol, sym_len + 1);
  memcpy(e->priced_at, priced_at, at_len + 1);
  e->price = price;
  e->day = day;
  return PARITY_OK;
}

/* By symbol, then newest time first (RFC 3339 UTC texts of one format compare as times). */
static int by_symbol_newest_first(const void *a, const void *b)
{
  const struct parity_price_entry *x = a, *y = b;
  int c = strcmp(x->symbol, y->symbol);
  return c ? c : strcmp(y->priced_at, x->priced_at);
}

void parity_price_table_seal(struct parity_price_table *t)
{
  qsort(t->entries, t->n, sizeof(t->entries[0]), by_symbol_newest_first);
  size_t kept = 0;
  for (size_t i = 0; i < t->n; i++)
    if (kept == 0 || strcmp(t->entries[kept - 1].symbol, t->entries[i].symbol) != 0)
      t->entries[kept++] = t->entries[i];
  t->n = kept;
}

static int symbol_cmp(const void *key, const void *entry)
{
  return strcmp(key, ((const struct parity_price_entry *)entry)->symbol);
}

const struct parity_price_entry *parity_price_table_find(const struct parity_price_table *t, const char *symbol)
{
  return t ? bsearch(symbol, t->entries, t->n, sizeof(t->entries[0]), symbol_cmp) : NULL;
}
