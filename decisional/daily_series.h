/* Daily adjusted closes from daily_prices into bar series, for the handlers that compute on them. */
#ifndef PARITY_DAILY_SERIES_H
#define PARITY_DAILY_SERIES_H

#include <jansson.h>
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "common/pg.h"
#include "decisional/bars.h"

/* The symbols (a JSON array of strings, valid symbols) as a PostgreSQL text[] literal; the caller frees it. */
char *parity_symbols_pg_array_new(const json_t *symbols);

/*
 * Reads the adjusted closes of the symbols (a JSON array of strings) dated in [from_day, as_of], in one
 * query: out[i] is symbols[i]'s series (all price fields set to adj_close), *n_out the symbol count. With
 * fp set, every row read (symbol, day, adj_close as PostgreSQL prints it) is also fed to the digest, so
 * equal digests mean equal inputs. Errors: the query's.
 */
int parity_daily_series_read(struct parity_db *db, const json_t *symbols, const char *as_of, int32_t from_day,
                             struct parity_bar_series *out, size_t *n_out, crypto_generichash_state *fp);

#endif
