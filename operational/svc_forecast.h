/* Forecasts as the API offers them: ask (row + CMD_FORECAST in one transaction) and read back. */
#ifndef PARITY_SVC_FORECAST_H
#define PARITY_SVC_FORECAST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/ids.h"
#include "common/limits.h" /* PARITY_MAX_VALUE_CENTS, PARITY_FORECAST_MAX_MONTHS */
#include "common/pg.h"
#include "operational/svc_error.h"

#define PARITY_FORECAST_MAX_PENDING 20      /* unanswered forecasts one investor may have at once */
#define PARITY_FORECAST_MAX_WAIT_SECONDS 30 /* GET /forecasts/{id}?wait=N */
#define PARITY_FORECAST_SEED_BITS 52        /* seeds stay exact in JSON and in the payload's bound */

/* POST /forecasts after validation: amounts in cents, `has_*` for the optional ones. */
struct parity_forecast_request {
  int64_t monthly_cents;
  int64_t months;
  bool has_initial;
  int64_t initial_cents; /* default: the portfolio's value now */
  bool has_goal;
  int64_t goal_cents;
};

/*
 * Creates a pending forecast on the investor's actual weights (positions and cash), or the bucket's
 * model weights while the portfolio holds nothing, and enqueues CMD_FORECAST in the same transaction.
 * The seed is a hash of the payload without its id, so the same question on the same portfolio gets
 * the same answer. id_out receives the forecast id (37 bytes). Errors: PARITY_ECONFLICT
 * (ONBOARDING_REQUIRED, NO_MODEL_YET), PARITY_ERATE (TOO_MANY_PENDING_FORECASTS), PARITY_EINVAL
 * (INITIAL_TOO_LARGE: a default initial amount over PARITY_MAX_VALUE_CENTS), PARITY_EDB.
 * The caller kicks the outbox relay after success.
 */
int parity_svc_forecast_create(struct parity_db *db, int64_t user_id, const struct parity_forecast_request *rq,
                               char id_out[PARITY_UUID_TEXT], struct parity_svc_error *err);

/*
 * {"id","status","created_at","completed_at","request":{...},"result":{...}|null,"error"?} of the
 * caller's forecast; *pending tells whether it is still being computed. PARITY_ENOTFOUND for an id
 * that is malformed, unknown or another user's (the three are indistinguishable on purpose).
 */
int parity_svc_forecast_get(struct parity_db *db, int64_t user_id, const char *id, json_t **out, bool *pending);

/* The seed of a payload: the first PARITY_FORECAST_SEED_BITS bits of SHA-256 of its canonical text. */
uint64_t parity_forecast_seed(const json_t *payload_without_id);

#endif
