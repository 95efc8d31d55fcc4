/* Idempotency-Key handling for money-moving requests: the first answer is stored with its movement. */
#ifndef PARITY_LEDGER_IDEM_H
#define PARITY_LEDGER_IDEM_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/pg.h"
#include "operational/svc_ledger.h"

/*
 * Inside the caller's transaction: when `rq` carries a key already used by this user, *response gets
 * the first answer (new reference) and *found is true. A key reused with another body or another kind
 * is PARITY_ECONFLICT with err->code IDEMPOTENCY_KEY_REUSED.
 */
int parity_idem_lookup(struct parity_db *db, const struct parity_money_request *rq, const char *kind,
                       json_t **response, bool *found, struct parity_ledger_error *err);

/* Records the movement (with the key and body hash) and returns its id in movement_id (24 bytes). */
int parity_idem_movement(struct parity_db *db, const struct parity_money_request *rq, const char *kind,
                         int64_t amount_cents, char *movement_id);

/* Stores the answer on the movement row so a repeat can return it. */
int parity_idem_store(struct parity_db *db, const char *movement_id, const json_t *response);

/*
 * True when an attempt failed only because a concurrent request with the same key committed first (its
 * movement insert hit the unique key): running it again finds and returns that first answer.
 */
bool parity_idem_lost_race(const struct parity_db *db, const struct parity_money_request *rq, int rc);

/* Formats an int64 for a statement parameter. */
const char *parity_i64(int64_t v, char buf[24]);

#endif
