/* libFuzzer target: the Yahoo chart parser must reject or accept any bytes without crashing or leaking. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "decisional/price_validate.h"
#include "decisional/yahoo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The first byte picks daily or intraday and whether a symbol is expected; the rest is the body. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  enum parity_yahoo_kind kind = data[0] & 1 ? PARITY_YAHOO_INTRADAY : PARITY_YAHOO_DAILY;
  const char *symbol = data[0] & 2 ? "QQQ" : NULL;
  struct parity_yahoo_chart chart;
  memset(&chart, 0, sizeof(chart));
  struct parity_market_error err;
  int rc = parity_yahoo_parse_chart((const char *)data + 1, size - 1, symbol, kind, &chart, &err);
  if (rc == 0) {
    /* What the parser accepts must pass validation again, and the report must run on it. */
    if (kind == PARITY_YAHOO_DAILY) {
      if (parity_price_validate_series(&chart.bars, &err) != 0 || chart.bars.n == 0)
        __builtin_trap();
      json_t *notes = json_array();
      if (parity_price_report(&chart.bars, notes) < 0)
        __builtin_trap();
      json_decref(notes);
    } else if (parity_price_validate_points(&chart.points, &err) != 0 || chart.points.n == 0) {
      __builtin_trap();
    }
  } else {
    /* A failure leaves nothing allocated and says why. */
    if (chart.bars.bars || chart.points.points || err.message[0] == '\0')
      __builtin_trap();
  }
  parity_yahoo_chart_free(&chart);
  return 0;
}
