/* Reader of the dividend history CSV (date,symbol,dividend): cash dividend per share on its ex-date. */
#ifndef PARITY_DIVIDENDS_CSV_H
#define PARITY_DIVIDENDS_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "common/ids.h"

/*
 * The format (decisional/data/etf_dividends.csv): the header `date,symbol,dividend` exactly, then one row
 * per symbol and ex-date. Amounts are plain decimals with at most 6 decimals (micro-dollars are exact),
 * positive and at most PARITY_DIVIDEND_MAX_MICROS; a (symbol, date) twice is an error. Lines end in \n or
 * \r\n; empty lines are errors.
 */
#define PARITY_DIVIDEND_CSV_MAX_LINE 128        /* bytes of one line, without its line ending */
#define PARITY_DIVIDEND_CSV_MAX_ROWS 200000     /* rows of one file (the bundled one has 2,275) */
#define PARITY_DIVIDEND_MAX_MICROS 1000000000LL /* $1,000 a share: the schema's CHECK says the same */
#define PARITY_DIVIDEND_SCALE 1000000LL         /* micro-dollars per dollar */

struct parity_dividend_row {
  char symbol[PARITY_SYMBOL_MAX];
  int32_t day; /* days since 1970-01-01 */
  int64_t amount_micros;
};

/*
 * "0.127" -> 127000. PARITY_EINVAL for an empty text, a sign, an exponent, more than 6 decimals, a
 * value of 0 or over PARITY_DIVIDEND_MAX_MICROS.
 */
int parity_dividend_amount_parse(const char *text, size_t len, int64_t *micros);

/*
 * Parses a whole file held in memory into *rows (caller frees with free()), keeping only the symbols
 * for which `wanted` returns true (NULL keeps all). On error returns PARITY_EINVAL (malformed row,
 * duplicate) or PARITY_ETOOBIG (a limit above), with "line N: what" (or "SYMBOL DATE: appears twice") in err
 * (err_size bytes), and *rows NULL.
 */
int parity_dividends_csv_parse(const char *buf, size_t len, int (*wanted)(void *ctx, const char *symbol), void *ctx,
                               struct parity_dividend_row **rows, size_t *n, char *err, size_t err_size);

#endif
