/* Daily adjusted closes from daily_prices (see daily_series.h). */
#include "decisional/daily_series.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/calendar.h"
#include "common/errors.h"
#include "decisional/queries.h"

static void digest_text(crypto_generichash_state *fp, const char *text)
{
  /* The terminating NUL separates the fields, so "AB","C" and "A","BC" differ. */
  crypto_generichash_update(fp, (const unsigned char *)text, strlen(text) + 1);
}

char *parity_symbols_pg_array_new(const json_t *symbols)
{
  char *array = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&array, &len);
  if (!f)
    abort();
  fputc('{', f);
  for (size_t i = 0; i < json_array_size(symbols); i++)
    fprintf(f, "%s%s", i ? "," : "", json_string_value(json_array_get(symbols, i)));
  fputc('}', f);
  fclose(f);
  return array;
}

int parity_daily_series_read(struct parity_db *db, const json_t *symbols, const char *as_of, int32_t from_day,
                             struct parity_bar_series *out, size_t *n_out, crypto_generichash_state *fp)
{
  char from[PARITY_DAY_TEXT];
  size_t i;
  char *array = parity_symbols_pg_array_new(symbols);
  parity_day_format(from_day, from);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, QD_DAILY_SERIES, &res, array, as_of, from);
  free(array);
  if (rc)
    return rc;
  size_t n = 0;
  for (i = 0; i < json_array_size(symbols); i++)
    snprintf(out[n++].symbol, PARITY_SYMBOL_MAX, "%s", json_string_value(json_array_get(symbols, i)));
  for (int r = 0; r < PQntuples(res); r++) {
    const char *symbol = PQgetvalue(res, r, 0);
    if (fp) {
      digest_text(fp, symbol);
      digest_text(fp, PQgetvalue(res, r, 1));
      digest_text(fp, PQgetvalue(res, r, 2));
    }
    for (size_t k = 0; k < n; k++) {
      if (strcmp(out[k].symbol, symbol) != 0)
        continue;
      struct parity_bar bar = { .day = (int32_t)atol(PQgetvalue(res, r, 1)) };
      bar.adj_close = bar.open = bar.high = bar.low = bar.close = atof(PQgetvalue(res, r, 2));
      parity_bar_series_push(&out[k], &bar);
      break;
    }
  }
  PQclear(res);
  *n_out = n;
  return PARITY_OK;
}
