/* Market queries for the public API: coverage per symbol and bars in a date range. */
#include "operational/svc_market.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/calendar.h"
#include "common/errors.h"
#include "common/ids.h"
#include "operational/queries.h"

int parity_svc_market_status(struct parity_db *db, json_t **out)
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC0(db, Q_MARKET_STATUS, &res);
  if (rc)
    return rc;
  json_t *symbols = json_array();
  const char *newest = NULL;
  for (int i = 0; i < PQntuples(res); i++) {
    const char *last = PQgetvalue(res, i, 2);
    if (!newest || strcmp(last, newest) > 0)
      newest = last;
    json_array_append_new(symbols, json_pack("{s:s, s:s, s:s, s:I, s:I}", "symbol", PQgetvalue(res, i, 0), "first_day",
                                             PQgetvalue(res, i, 1), "last_day", last, "rows",
                                             (json_int_t)atoll(PQgetvalue(res, i, 3)), "age_days",
                                             (json_int_t)atoll(PQgetvalue(res, i, 4))));
  }
  *out = json_pack("{s:o, s:s?}", "symbols", symbols, "last_day", newest);
  PQclear(res);
  return PARITY_OK;
}

/* The bundled prices carry float32 artefacts (586.0800170898438): shown to 1e-4, they read as quoted. */
static double price_for_display(const char *text)
{
  return round(atof(text) * 1e4) / 1e4;
}

int parity_svc_market_prices(struct parity_db *db, const char *symbol, const char *from, const char *to, json_t **out,
                             struct parity_svc_error *err)
{
  if (!parity_symbol_valid(symbol)) {
    return parity_svc_fail(err, PARITY_EINVAL, NULL, "not a ticker symbol");
  }
  int32_t first = PARITY_DAY_FIRST, last = PARITY_DAY_LAST;
  if ((from && parity_day_parse(from, strlen(from), &first)) || (to && parity_day_parse(to, strlen(to), &last))) {
    return parity_svc_fail(err, PARITY_EINVAL, NULL, "from and to must be real dates YYYY-MM-DD between %d and %d",
                           PARITY_DAY_FIRST_YEAR, PARITY_DAY_LAST_YEAR);
  }
  if (first > last) {
    return parity_svc_fail(err, PARITY_EINVAL, NULL, "from is after to");
  }
  char lo[PARITY_DAY_TEXT], hi[PARITY_DAY_TEXT];
  parity_day_format(first, lo);
  parity_day_format(last, hi);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_MARKET_PRICES, &res, symbol, lo, hi);
  if (rc)
    return rc;
  int n = PQntuples(res);
  if (n == 0) {
    PQclear(res);
    rc = PARITY_DB_EXEC(db, Q_MARKET_SYMBOL_EXISTS, &res, symbol);
    if (rc)
      return rc;
    int known = PQntuples(res) > 0;
    PQclear(res);
    if (!known) {
      return parity_svc_fail(err, PARITY_ENOTFOUND, NULL, "no prices for symbol %s", symbol);
    }
    *out = json_pack("{s:s, s:s, s:s, s:[]}", "symbol", symbol, "from", lo, "to", hi, "bars");
    return PARITY_OK;
  }
  if (n > PARITY_MARKET_MAX_BARS) {
    PQclear(res);
    return parity_svc_fail(err, PARITY_EINVAL, NULL, "range too long: at most %d bars per answer",
                           PARITY_MARKET_MAX_BARS);
  }
  json_t *bars = json_array();
  for (int i = 0; i < n; i++)
    json_array_append_new(
        bars, json_pack("{s:s, s:f, s:f, s:f, s:f, s:f, s:I}", "date", PQgetvalue(res, i, 0), "open",
                        price_for_display(PQgetvalue(res, i, 1)), "high", price_for_display(PQgetvalue(res, i, 2)),
                        "low", price_for_display(PQgetvalue(res, i, 3)), "close",
                        price_for_display(PQgetvalue(res, i, 4)), "adj_close", price_for_display(PQgetvalue(res, i, 5)),
                        "volume", (json_int_t)atoll(PQgetvalue(res, i, 6))));
  *out = json_pack("{s:s, s:s, s:s, s:o}", "symbol", symbol, "from", lo, "to", hi, "bars", bars);
  PQclear(res);
  return PARITY_OK;
}
