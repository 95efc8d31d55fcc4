/* Writes validated price series into PostgreSQL: COPY into a staging table, then one upsert. */
#ifndef PARITY_MARKET_LOAD_H
#define PARITY_MARKET_LOAD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/pg.h"
#include "decisional/bars.h"
#include "decisional/market_quality.h"
#include "decisional/price_validate.h"

/* A split known for one symbol, for the quality checks of a load (a split explains that day's jump). */
struct parity_symbol_split {
  char symbol[PARITY_SYMBOL_MAX];
  struct parity_split_day split;
};

struct parity_load_stats {
  size_t symbols;   /* series written */
  size_t rows;      /* rows staged */
  long changed;     /* rows inserted or updated in daily_prices (0 when nothing was new) */
  long revised;     /* of those, stored rows whose values changed (market_revisions) */
  int32_t last_day; /* newest day staged, INT32_MIN when none */
  json_t *notes;    /* validation notes (gaps, suspected splits), owned; NULL until the first load */
  /* Quality checks of what was loaded (market_quality.h), filled by every load: */
  json_t *checked;                          /* [{"symbol","from","to"}] the days each symbol's checks covered, owned */
  json_t *findings;                         /* [{"symbol","day","check_name","severity","detail"}], owned */
  const struct parity_symbol_split *splits; /* borrowed, may be NULL: splits known before the load */
  size_t n_splits;
  /* Optional (NULL: none): called after each series is staged, with st->symbols counting it, so the job of
   * the load can show its progress. */
  void (*on_series)(void *ctx, const struct parity_load_stats *st);
  void *on_series_ctx;
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

/*
 * The same for series already in memory (the Yahoo path); each must have passed validation. A series that
 * starts on stored days (an incremental sync's overlap) whose values the source re-adjusted rescales the
 * stored days before it by the same factor (SQL_REBASE): Yahoo rewrites past prices after a split and past
 * adjusted closes after a dividend.
 */
int parity_market_load_series(struct parity_db *db, struct parity_bar_series *series, size_t n,
                              struct parity_load_stats *st);

/*
 * The quality job of a load: adds the stale findings (symbols behind the newest day of the load) and the
 * finding a rejected row stands for (`rejected`, may be NULL or empty), then replaces the stored findings
 * of the checked days (market_quality) with the new ones, in the caller's transaction. Adds a note
 * {"kind":"quality","findings":N,"blocking":M} to st->notes. Safe after a failed load (its savepoint is gone).
 */
int parity_quality_store(struct parity_db *db, const char *source, struct parity_load_stats *st,
                         const struct parity_market_error *rejected);

/* The blocking findings among st->findings. */
size_t parity_quality_blocking_count(const struct parity_load_stats *st);

/* The splits market_events holds for the symbols (a JSON array; NULL: every symbol); *out is the caller's to free. */
int parity_market_known_splits(struct parity_db *db, const json_t *symbols, struct parity_symbol_split **out,
                               size_t *n_out);

/* Upserts intraday points and prunes points older than keep_days; *changed receives rows written. */
int parity_market_load_intraday(struct parity_db *db, const struct parity_point_series *series, size_t n, int keep_days,
                                long *changed);

#endif
