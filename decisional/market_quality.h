/*
 * Data-quality checks of daily bars, pure: a series in, findings out (one per symbol, day and check).
 *
 * Blocking findings keep a symbol out of a model generation whose window holds the day; warnings are
 * reported only. The checks, and their severity:
 *   ohlc             blocking  low <= open, close <= high broken (a rejected row)
 *   non_positive     blocking  a price <= 0 or a negative volume (a rejected row)
 *   missing_value    blocking  an empty or unreadable price or volume (a rejected row)
 *   large_move       blocking  |close or adj_close return| > PARITY_QUALITY_LARGE_MOVE with no split that day
 *   suspected_split  blocking  close moved by ~n or ~1/n while adj_close did not, and no split is recorded
 *   zero_volume      warning   volume 0 on an NYSE trading day
 *   calendar_gap     warning   an NYSE trading day between two bars with no bar (one finding per missing day)
 *   stale            warning   the symbol's newest day is more than PARITY_QUALITY_STALE_DAYS trading days
 *                              behind the newest day of the whole load
 * The three row checks come from the loader's rejection of the row (the database refuses such bars), the
 * others from the stored series.
 */
#ifndef PARITY_MARKET_QUALITY_H
#define PARITY_MARKET_QUALITY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decisional/bars.h"
#include "decisional/price_validate.h"

#define PARITY_QUALITY_LARGE_MOVE 0.25 /* a daily move beyond 25 % needs a split to explain it */
#define PARITY_QUALITY_STALE_DAYS 3    /* trading days a symbol may lag the newest day of its load */

enum parity_quality_check {
  PARITY_QC_OHLC,
  PARITY_QC_NON_POSITIVE,
  PARITY_QC_MISSING_VALUE,
  PARITY_QC_ZERO_VOLUME,
  PARITY_QC_LARGE_MOVE,
  PARITY_QC_SUSPECTED_SPLIT,
  PARITY_QC_CALENDAR_GAP,
  PARITY_QC_STALE,
  PARITY_QC_COUNT
};

/* "ohlc", "zero_volume", ... (the market_quality.check_name values). */
const char *parity_quality_check_name(enum parity_quality_check c);
/* true for the checks that keep a symbol out of a model generation. */
bool parity_quality_blocking(enum parity_quality_check c);

/* A split known for a symbol (market_events): `ratio` new shares per old share (4:1 -> 4, 1:10 -> 0.1). */
struct parity_split_day {
  int32_t day;
  double ratio;
};

struct parity_quality_finding {
  enum parity_quality_check check;
  int32_t day;
  json_t *detail; /* owned */
};

struct parity_quality_report {
  char symbol[PARITY_SYMBOL_MAX];
  struct parity_quality_finding *items;
  size_t n, cap;
};

void parity_quality_report_free(struct parity_quality_report *r);

/*
 * Checks the bars of `s` (validated: increasing days, positive prices) whose day is in [from, to]; the bar
 * before `from`, when present, is the base of the first return. `splits` (n_splits, any order) explain
 * jumps on their day. `newest_day` is the newest day of the load (stale check; INT32_MIN skips it).
 * Appends to `out` (its symbol is set from s).
 */
void parity_quality_check_series(const struct parity_bar_series *s, int32_t from, int32_t to,
                                 const struct parity_split_day *splits, size_t n_splits, int32_t newest_day,
                                 struct parity_quality_report *out);

/*
 * The check a loader's rejection of one row stands for (ohlc, non_positive, missing_value), from the
 * error's field and text; false when the rejection is not a bar's value (a bad date, a duplicate day, a
 * malformed line) or when it names no symbol or day.
 */
bool parity_quality_classify_error(const struct parity_market_error *err, enum parity_quality_check *out);

#endif
