/* The bundled ETF history (decisional/data) as a cmocka group fixture, and the default universe, for the
 * unit tests that run the engine on real prices (test_models, test_backtest). Header-only: each test
 * binary is one translation unit. */
#ifndef PARITY_TEST_BUNDLED_PRICES_H
#define PARITY_TEST_BUNDLED_PRICES_H

#include <stdlib.h>

#include <jansson.h>

#include "decisional/bars.h"
#include "decisional/market_csv.h"

#define BUNDLED_MAX_SERIES 64

static const char *const equities[] = { "VTI", "VOO", "QQQ",  "VTV", "VUG", "IWM", "VEA",
                                        "VWO", "VNQ", "VNQI", "XLF", "XLV", "XLE", "XLK" };
static const char *const bonds[] = { "BND", "TLT", "LQD", "HYG", "BNDX" };

struct series_set {
  struct parity_bar_series s[BUNDLED_MAX_SERIES];
  size_t n;
};

static int take(void *ctx, struct parity_bar_series *series, json_t *notes)
{
  (void)notes;
  struct series_set *set = ctx;
  if (set->n == BUNDLED_MAX_SERIES)
    return PARITY_ETOOBIG;
  set->s[set->n++] = *series;
  series->bars = NULL;
  series->n = series->cap = 0;
  return 0;
}

/* cmocka group setup: *state becomes the struct series_set of every symbol in the bundled file. */
static int setup(void **state)
{
  struct series_set *set = calloc(1, sizeof(*set));
  struct parity_market_error err;
  parity_market_error_clear(&err);
  if (!set || parity_market_csv_read_file(PARITY_BUNDLED_DATA_DIR "/etf_daily.csv.gz", take, set, NULL, &err) != 0) {
    print_error("cannot read the bundled prices: %s\n", set ? err.message : "out of memory");
    return -1;
  }
  *state = set;
  return 0;
}

static int teardown(void **state)
{
  struct series_set *set = *state;
  for (size_t i = 0; i < set->n; i++)
    parity_bar_series_free(&set->s[i]);
  free(set);
  return 0;
}

#endif
