/*
 * Reader of the wide CSV that `parity hrp` takes: a header `date,SYM1,SYM2,...`, then one row per day
 * with a YYYY-MM-DD date (strictly increasing) and one number per column; an empty cell means no data
 * (stored as NaN). Plain or gzip (zlib detects it). Fields are never quoted; lines end in \n or \r\n;
 * a UTF-8 BOM is skipped. Anything else is an error naming the line and column: a wrong number of
 * fields, a value that is not a finite decimal number (NaN and infinities are refused), a duplicate
 * or empty column name, an empty file, or input over the limits below.
 */
#ifndef PARITY_QUANT_CSV_H
#define PARITY_QUANT_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "decisional/quant/quant_err.h"

#define PARITY_QCSV_MAX_BYTES (256u << 20) /* whole file, uncompressed */
#define PARITY_QCSV_MAX_LINE (1u << 20)    /* one line */
#define PARITY_QCSV_MAX_COLUMNS 10000      /* value columns */
#define PARITY_QCSV_MAX_ROWS 200000        /* data rows */
#define PARITY_QCSV_MAX_CELLS 50000000     /* rows x columns */
#define PARITY_QCSV_MAX_NAME 64            /* bytes of a column name, including the NUL */
#define PARITY_QCSV_MAX_NUMBER 64          /* characters of one numeric field */

/* Owned by the caller; release with parity_wide_csv_free. */
struct parity_wide_csv {
  size_t ncols, nrows;
  char (*names)[PARITY_QCSV_MAX_NAME]; /* [ncols] */
  int32_t *days;                       /* [nrows] days since 1970-01-01 */
  double *values;                      /* column-major: column j at values[j * nrows], NaN = empty */
};

int parity_quant_csv_read_wide(const char *path, struct parity_wide_csv *out, struct parity_quant_err *err);
/* The same from memory; `name` stands for the file in messages. */
int parity_quant_csv_parse_wide(const char *name, const char *buf, size_t len, struct parity_wide_csv *out,
                                struct parity_quant_err *err);
void parity_wide_csv_free(struct parity_wide_csv *csv);

/*
 * Simple returns from prices, column by column: r[t] = p[t] / p[prev] - 1 where prev is the last
 * earlier row with a price (a gap is spanned), NaN where p[t] is empty or nothing came before. Row 0
 * is therefore all NaN and is kept, since every statistic skips missing rows. Prices must be > 0.
 * Writes column-major into r (ncols x nrows).
 */
int parity_quant_csv_returns(const struct parity_wide_csv *csv, double *r, struct parity_quant_err *err);

#endif
