/* Price validation shared by every market-data source (bundled CSV, Yahoo), plus the gap/split report. */
#ifndef PARITY_PRICE_VALIDATE_H
#define PARITY_PRICE_VALIDATE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "decisional/bars.h"

#define PARITY_MARKET_ERROR_MAX 320 /* bytes of a formatted market-data error message, with NUL */
#define PARITY_MARKET_FIELD_MAX 16  /* bytes of a field name ("adj_close", "timestamp"), with NUL */

/* Gaps between consecutive bars longer than this many calendar days are reported (not rejected). */
#define PARITY_PRICE_GAP_DAYS 5
/* A daily move above this (as a fraction, on close or adj_close) is reported as a large move. */
#define PARITY_PRICE_LARGE_MOVE 0.40
/* Split ratios n:1 and 1:n looked for, n in 2..PARITY_PRICE_SPLIT_MAX_N. */
#define PARITY_PRICE_SPLIT_MAX_N 10
/* A close-to-close ratio within this relative distance of n or 1/n "looks like" a split. */
#define PARITY_PRICE_SPLIT_TOLERANCE 0.03
/* adj_close "follows" the close when its ratio is within this relative distance of close's ratio. */
#define PARITY_PRICE_FOLLOW_TOLERANCE 0.02
/* Notes kept per series; the rest are counted in one final {"kind":"truncated"} note. */
#define PARITY_PRICE_MAX_NOTES 100

/*
 * Where a market-data error was found, and the whole sentence for logs and market_sync_log. `line`
 * is 0 and `field` or `symbol` empty when they do not apply; `day` is INT32_MIN when no day applies.
 */
struct parity_market_error {
  char symbol[PARITY_SYMBOL_MAX];
  long line;
  int32_t day;
  char field[PARITY_MARKET_FIELD_MAX];
  char message[PARITY_MARKET_ERROR_MAX];
};

/* Empties *err (no symbol, line, day or field; empty message). Safe on NULL. */
void parity_market_error_clear(struct parity_market_error *err);

/*
 * For snprintf into a fixed message buffer: when `written` (snprintf's result) did not fit, ends the
 * text with "..." so a cut message is visibly cut.
 */
void parity_market_text_fit(char *buf, size_t size, int written);

/* The "what" part of a message made by this module (after "field FIELD: "), or the whole message. */
const char *parity_market_error_what(const struct parity_market_error *err);

/*
 * Checks one bar and, when `prev` is not NULL, its order after the previous bar of the same series:
 * every price positive and finite, volume >= 0, low <= open,close <= high, day strictly after
 * prev->day (so no duplicate day). On failure returns PARITY_EINVAL and fills err->field, err->day
 * and a message "SYMBOL DAY: field FIELD: what" (the CSV reader rewrites it with file and line).
 */
int parity_price_check_bar(const char *symbol, const struct parity_bar *prev, const struct parity_bar *bar,
                           struct parity_market_error *err);

/* Runs parity_price_check_bar over the whole series; the first failure is reported. */
int parity_price_validate_series(const struct parity_bar_series *s, struct parity_market_error *err);

/* Intraday: timestamps strictly increasing, prices positive and finite. */
int parity_price_validate_points(const struct parity_point_series *s, struct parity_market_error *err);

/* n when `ratio` (a close over the previous close) is within PARITY_PRICE_SPLIT_TOLERANCE of 1/n (an n:1
 * split left in the close), -n near n (a 1:n reverse split), else 0; n in 2..PARITY_PRICE_SPLIT_MAX_N. */
int parity_price_split_like(double ratio);

/*
 * Appends non-fatal notes about a validated series to the JSON array `notes` (borrowed):
 *   {"kind":"gap","symbol","from","to","days"}                         more than PARITY_PRICE_GAP_DAYS
 *   {"kind":"suspected_split","symbol","day","prev_day","split":"2:1","close_ratio","adj_ratio"}
 *       close jumped by ~1/n or ~n while adj_close did not: close likely carries an unadjusted split
 *   {"kind":"large_move","symbol","day","prev_day","field","return"}   |return| > PARITY_PRICE_LARGE_MOVE
 *       (also when a split-like ratio appears in both columns: nothing tells a split from a crash)
 *   {"kind":"truncated","symbol","omitted"}                            after PARITY_PRICE_MAX_NOTES
 * Returns the number of notes appended (including a truncated note), or PARITY_ENOMEM.
 */
int parity_price_report(const struct parity_bar_series *s, json_t *notes);

#endif
