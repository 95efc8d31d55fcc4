/* Market data an operator looks after: the open data-quality findings, and splits applied to positions. */
#ifndef PARITY_SVC_MARKET_QUALITY_H
#define PARITY_SVC_MARKET_QUALITY_H

#include <jansson.h>

#include "common/pg.h"
#include "operational/svc_error.h"

#define PARITY_QUALITY_LIST_DEFAULT 500 /* findings in one answer unless ?limit= says otherwise */
#define PARITY_QUALITY_LIST_MAX 10000

/*
 * The open findings of market_quality (decisional writes them after every load or sync):
 * {"summary":{"CHECK":{"blocking":N,"warning":N}},"blocking":N,"warning":N,"findings":[{"symbol","day","check",
 * "severity","detail","source","found_at"}],"truncated":bool}. symbol/severity/limit may be NULL. PARITY_EINVAL
 * (message in err) for a bad symbol, severity or limit.
 */
int parity_svc_market_quality(struct parity_db *db, const char *symbol, const char *severity, const char *limit,
                              json_t **out, struct parity_svc_error *err);

/*
 * Applies every split whose day has come (market_events, New York date) and that was not applied yet, in
 * the caller's open transaction: each position of the symbol is multiplied by numerator/denominator and a
 * `split` movement records the change (value unchanged). Exactly once per split: the event row is claimed.
 * *out: {"applied":[{"symbol","day","ratio":"N:D","positions":N}]}.
 */
int parity_svc_splits_apply(struct parity_db *db, json_t **out);

#endif
