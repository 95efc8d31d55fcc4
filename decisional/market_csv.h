/* Streaming reader of the long daily-price CSV (optionally gzip), one validated series per symbol. */
#ifndef PARITY_MARKET_CSV_H
#define PARITY_MARKET_CSV_H

#include <jansson.h>
#include <stddef.h>

#include "decisional/bars.h"
#include "decisional/price_validate.h"

/*
 * The format: a header naming the 8 columns date,symbol,open,high,low,close,adj_close,volume (each
 * exactly once, in any order), then one row per symbol and day. Rows of a symbol must be contiguous
 * (the bundled file is sorted by symbol then date) so that each symbol can be handed over as soon as
 * its block ends; a symbol that reappears later is an error. Fields are never quoted. Dates are
 * YYYY-MM-DD, prices decimal numbers, volume a decimal integer. Lines end in \n or \r\n; a UTF-8 BOM
 * before the header is skipped; empty lines are errors.
 */
#define PARITY_CSV_MAX_LINE 1024   /* bytes of one line, without its line ending */
#define PARITY_CSV_MAX_SYMBOLS 512 /* distinct symbols in one file */
#define PARITY_CSV_MAX_BARS 100000 /* rows of one symbol (about 400 years of trading days) */
#define PARITY_CSV_MAX_NUMBER 64   /* characters of one numeric field */
#define PARITY_CSV_COLUMNS 8

struct parity_market_csv_stats {
  size_t rows;    /* data rows read (not counting the header) */
  size_t symbols; /* series handed to the callback */
};

/*
 * Called once per completed symbol, in file order, with a series that passed
 * parity_price_validate_series() and the notes of parity_price_report() (a JSON array, borrowed:
 * json_incref it to keep it). The callback may take the bars by moving them out (copy the struct,
 * then set series->bars = NULL and series->n = series->cap = 0); whatever it leaves is freed after
 * it returns. A non-zero return stops the reader, which returns that code.
 */
typedef int (*parity_market_csv_fn)(void *ctx, struct parity_bar_series *series, json_t *notes);

/*
 * Reads `path` (plain or gzip, detected by zlib) and calls `on_series` for each symbol. Stops at the
 * first error and returns it with err->message "PATH:LINE: field FIELD: what (symbol SYM)":
 *   PARITY_EINVAL  a malformed or invalid row (bad date, missing or extra field, not a number,
 *                  price <= 0, low > high, duplicate or decreasing day, unknown header, ...)
 *   PARITY_ETOOBIG a line, symbol count or bar count over the limits above
 *   PARITY_EIO     the file cannot be opened or read (including a truncated gzip stream)
 * The symbol being read when the error happens is never handed over; symbols completed before it
 * already were, so a loader that wants all-or-nothing uses one transaction around the whole call.
 * `stats` and `err` may be NULL.
 */
int parity_market_csv_read_file(const char *path, parity_market_csv_fn on_series, void *ctx,
                                struct parity_market_csv_stats *stats, struct parity_market_error *err);

/* The same from memory (uncompressed); `name` stands for the file name in messages. */
int parity_market_csv_parse(const char *name, const char *buf, size_t len, parity_market_csv_fn on_series, void *ctx,
                            struct parity_market_csv_stats *stats, struct parity_market_error *err);

#endif
