/* Market data as the API shows it: per-symbol coverage and daily bars. */
#ifndef PARITY_SVC_MARKET_H
#define PARITY_SVC_MARKET_H

#include <jansson.h>

#include "common/pg.h"
#include "operational/svc_error.h"

#define PARITY_MARKET_MAX_BARS 20000 /* one answer never carries more bars than this */

/* {"symbols":[{"symbol","first_day","last_day","rows","age_days"}],"last_day"}; *out is new. */
int parity_svc_market_status(struct parity_db *db, json_t **out);

/*
 * Bars of `symbol` between from and to (inclusive, YYYY-MM-DD as parity_day_parse takes them; NULL = the
 * calendar's first or last day). PARITY_EINVAL for a bad symbol, date or range (message in err),
 * PARITY_ENOTFOUND for a symbol with no data.
 */
int parity_svc_market_prices(struct parity_db *db, const char *symbol, const char *from, const char *to, json_t **out,
                             struct parity_svc_error *err);

#endif
