/* Writes validated price series into PostgreSQL: COPY into a staging table, then one upsert. */
#ifndef PARITY_MARKET_LOAD_H
#define PARITY_MARKET_LOAD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/pg.h"
#include "decisional/bars.h"
#include "decisional/price_validate.h"

struct parity_load_stats {
  size_t symbols;   /* series written */
  size_t rows;      /* rows staged */
  long changed;     /* rows inserted or updated in daily_prices (0 when nothing was new) */
  int32_t last_day; /* newest day staged, INT32_MIN when none */
  json_t *notes;    /* validation notes (gaps, suspected splits), owned; NULL until the first load */
};

void parity_load_stats_init(struct parity_load_stats *st);
void parity_load_stats_free(struct parity_load_stats *st);

/*
 * Loads a long CSV (plain or gzip) into daily_prices, inside the caller's open transaction and under a
 * savepoint: on bad data (PARITY_EINVAL / ETOOBIG / EIO with err filled) nothing of the batch remains
 * and the transaction stays usable. `symbols` (a JSON array of names, borrowed) keeps only those
 * symbols; NULL keeps all. Names asked for but absent from the file are noted in st->notes.
 */
int parity_market_load_csv(struct parity_db *db, const char *path, const json_t *symbols, struct parity_load_stats *st,
                           struct parity_market_error *err);

/* The same for series already in memory (the Yahoo path); each must have passed validation. */
int parity_market_load_series(struct parity_db *db, struct parity_bar_series *series, size_t n,
                              struct parity_load_stats *st);

/* Upserts intraday points and prunes points older than keep_days; *changed receives rows written. */
int parity_market_load_intraday(struct parity_db *db, const struct parity_point_series *series, size_t n, int keep_days,
                                long *changed);

#endif
