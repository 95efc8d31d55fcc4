/* Newest prices of a batch's symbols (batch_prices.h). */
#include "operational/batch_prices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/errors.h"
#include "operational/queries.h"

static long find(const struct parity_batch_prices *t, const char *symbol)
{
  for (size_t i = 0; i < t->n; i++)
    if (strcmp(t->symbol[i], symbol) == 0)
      return (long)i;
  return -1;
}

void parity_batch_prices_want(struct parity_batch_prices *t, const char *symbol)
{
  if (t->n == PARITY_BATCH_PRICES_MAX || !parity_symbol_valid(symbol) || find(t, symbol) >= 0)
    return;
  snprintf(t->symbol[t->n], PARITY_SYMBOL_MAX, "%s", symbol);
  t->price[t->n++] = 0.0;
}

int parity_batch_prices_load(struct parity_db *db, struct parity_batch_prices *t)
{
  t->loaded = true;
  if (t->n == 0)
    return PARITY_OK;
  /* A text[] literal: valid symbols need no quoting ([A-Z0-9.^=-]). */
  struct parity_buf array;
  parity_buf_init(&array, PARITY_BUF_UNBOUNDED);
  parity_buf_add(&array, "{", 1);
  for (size_t i = 0; i < t->n; i++) {
    if (i)
      parity_buf_add(&array, ",", 1);
    parity_buf_add(&array, t->symbol[i], strlen(t->symbol[i]));
  }
  parity_buf_add(&array, "}", 1);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_LATEST_PRICES, &res, array.data);
  parity_buf_free(&array);
  if (rc)
    return rc;
  for (int r = 0; r < PQntuples(res); r++) {
    long i = find(t, PQgetvalue(res, r, 0));
    if (i >= 0 && !PQgetisnull(res, r, 1))
      t->price[i] = atof(PQgetvalue(res, r, 1));
  }
  PQclear(res);
  return PARITY_OK;
}

double parity_batch_prices_get(const struct parity_batch_prices *t, const char *symbol)
{
  long i = find(t, symbol);
  return i < 0 ? 0.0 : t->price[i];
}
