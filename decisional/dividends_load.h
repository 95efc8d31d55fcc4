/* Writes the dividend history into the dividends table: one upsert from arrays, idempotent. */
#ifndef PARITY_DIVIDENDS_LOAD_H
#define PARITY_DIVIDENDS_LOAD_H

#include <jansson.h>
#include <stddef.h>

#include "common/pg.h"
#include "decisional/dividends_csv.h"

#define PARITY_DIVIDEND_FILE_MAX_BYTES (16u * 1024u * 1024u) /* the bundled file is 60 KB */

/*
 * Upserts rows[0..n) (source "bundled", "yahoo" or "file") in the caller's transaction: rows whose
 * amount is unchanged are not written, so *changed is 0 on a repeated load.
 */
int parity_dividends_load_rows(struct parity_db *db, const struct parity_dividend_row *rows, size_t n,
                               const char *source, long *changed);

/*
 * Reads `path` (dividends_csv.h format), keeps the symbols of `symbols` (a JSON array, borrowed; NULL:
 * all) and loads them as above. *rows: rows read and kept. PARITY_EIO (no file), PARITY_EINVAL or
 * PARITY_ETOOBIG with the reason in err.
 */
int parity_dividends_load_file(struct parity_db *db, const char *path, const json_t *symbols, const char *source,
                               size_t *rows, long *changed, char *err, size_t err_size);

/* The dividend file shipped beside a bundled price file: the same directory, etf_dividends.csv. */
void parity_dividends_bundled_path(const char *prices_path, char *out, size_t size);

#endif
