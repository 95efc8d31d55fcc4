/* libFuzzer target: the market CSV reader must reject or accept any bytes without crashing or leaking. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "decisional/market_csv.h"
#include "decisional/price_validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every series handed over must be valid, non-empty and come with a notes array. */
static int check_series(void *ctx, struct parity_bar_series *series, json_t *notes)
{
  size_t *rows = ctx;
  struct parity_market_error err;
  if (series->n == 0 || !json_is_array(notes) || parity_price_validate_series(series, &err) != 0)
    __builtin_trap();
  *rows += series->n;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  size_t rows = 0;
  struct parity_market_csv_stats stats;
  struct parity_market_error err;
  int rc = parity_market_csv_parse("fuzz.csv", (const char *)data, size, check_series, &rows, &stats, &err);
  if (rc == 0 && rows != stats.rows)
    __builtin_trap(); /* on success every row read was handed over */
  if (rc != 0 && err.message[0] == '\0')
    __builtin_trap();
  return 0;
}
