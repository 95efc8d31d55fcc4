/* Forecast requests: weights from the ledger (or the model), the forecasts row and CMD_FORECAST together. */
#include "operational/svc_forecast.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/message.h"
#include "operational/outbox.h"
#include "operational/queries.h"
#include "operational/svc_portfolio.h"

/* The bands every forecast reports (percent), as SPEC §8 lists them. */
static const int forecast_percentiles[] = { 5, 10, 25, 50, 75, 90, 95 };

uint64_t parity_forecast_seed(const json_t *payload_without_id)
{
  /* Sorted keys and 17 significant digits: one text per payload, whatever order it was built in. */
  char *text = json_dumps(payload_without_id, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
  if (!text)
    abort();
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, (const unsigned char *)text, strlen(text));
  free(text);
  uint64_t seed = 0;
  for (int i = 0; i < 8; i++)
    seed = seed << 8 | hash[i];
  return seed >> (64 - PARITY_FORECAST_SEED_BITS);
}

/* The weights a forecast runs on, and where they came from ("portfolio" or "model"). New reference. */
static int forecast_weights(struct parity_db *db, const struct parity_portfolio_view *v, json_t **weights,
                            const char **source, struct parity_svc_error *err)
{
  *weights = NULL;
  if (v->value_cents > 0) {
    *weights = parity_portfolio_weights_new(v);
    *source = "portfolio";
    return PARITY_OK;
  }
  if (!v->exists || !v->bucket[0])
    return parity_svc_fail(err, PARITY_ECONFLICT, "ONBOARDING_REQUIRED",
                           "the portfolio is empty and has no model yet: answer the onboarding questions first");
  int rc = parity_svc_model_weights(db, v->bucket, weights, NULL, 0);
  if (rc)
    return rc;
  if (!*weights)
    return parity_svc_fail(err, PARITY_ECONFLICT, "NO_MODEL_YET",
                           "the portfolio is empty and its bucket has no model portfolio yet; try again later");
  *source = "model";
  return PARITY_OK;
}

/* PARITY_ERATE when the investor already has the most pending forecasts allowed. Runs in the caller's
 * transaction after locking the user's row: concurrent requests of one investor wait here for each
 * other's insert, so a count taken by one always includes the rows the others added. */
static int pending_check(struct parity_db *db, const char *uid, struct parity_svc_error *err)
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_FORECAST_USER_LOCK, NULL, uid);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_FORECAST_PENDING_COUNT, &res, uid);
  if (!rc && atol(PQgetvalue(res, 0, 0)) >= PARITY_FORECAST_MAX_PENDING) {
    rc = parity_svc_fail(err, PARITY_ERATE, "TOO_MANY_PENDING_FORECASTS", "at most %d forecasts may be pending at once",
                         PARITY_FORECAST_MAX_PENDING);
  }
  PQclear(res);
  return rc;
}

int parity_svc_forecast_create(struct parity_db *db, int64_t user_id, const struct parity_forecast_request *rq,
                               char id_out[PARITY_UUID_TEXT], struct parity_svc_error *err)
{
  char uid[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  struct parity_portfolio_view *v = parity_xmalloc(sizeof(*v));
  json_t *weights = NULL, *payload = NULL, *row = NULL;
  char *row_text = NULL;
  const char *source = NULL;

  int rc = parity_svc_portfolio_load(db, user_id, v);
  if (!rc)
    rc = forecast_weights(db, v, &weights, &source, err);
  if (rc)
    goto out;
  int64_t initial = rq->has_initial ? rq->initial_cents : v->value_cents;
  if (initial > PARITY_MAX_VALUE_CENTS) {
    rc = parity_svc_fail(err, PARITY_EINVAL, "INITIAL_TOO_LARGE",
                         "the portfolio is worth more than a forecast takes (10^12 cents): give initial_cents");
    goto out;
  }

  json_t *levels = json_array();
  for (size_t i = 0; i < sizeof(forecast_percentiles) / sizeof(forecast_percentiles[0]); i++)
    json_array_append_new(levels, json_integer(forecast_percentiles[i]));
  payload =
      json_pack("{s:O, s:I, s:I, s:I, s:o}", "weights", weights, "initial_cents", (json_int_t)initial, "monthly_cents",
                (json_int_t)rq->monthly_cents, "months", (json_int_t)rq->months, "percentiles", levels);
  if (rq->has_goal)
    json_object_set_new(payload, "goal_cents", json_integer((json_int_t)rq->goal_cents));
  json_object_set_new(payload, "seed", json_integer((json_int_t)parity_forecast_seed(payload)));
  parity_uuid_v4(id_out);
  json_object_set_new(payload, "forecast_id", json_string(id_out));

  /* The row keeps the payload as sent plus where the weights came from, for the answer. */
  row = json_copy(payload);
  json_object_set_new(row, "weights_source", json_string(source));
  row_text = parity_json_dumps_new(row);

  rc = parity_db_begin(db);
  if (rc)
    goto out;
  rc = pending_check(db, uid, err);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_FORECAST_INSERT, NULL, id_out, uid, row_text);
  if (!rc)
    rc = parity_outbox_enqueue(db, PARITY_CMD_FORECAST, payload, NULL);
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
out:
  free(row_text);
  json_decref(row);
  json_decref(payload);
  json_decref(weights);
  free(v);
  return rc;
}

/* Keeps the request fields a client needs to read the answer; drops ids and internals. */
static json_t *request_view(const json_t *request)
{
  static const char *const keys[] = { "initial_cents", "monthly_cents",  "months", "goal_cents",
                                      "weights",       "weights_source", "seed" };
  json_t *out = json_object();
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    json_t *v = json_object_get(request, keys[i]);
    if (v)
      json_object_set(out, keys[i], v);
  }
  return out;
}

int parity_svc_forecast_get(struct parity_db *db, int64_t user_id, const char *id, json_t **out, bool *pending)
{
  *out = NULL;
  *pending = false;
  if (!parity_uuid_valid(id))
    return PARITY_ENOTFOUND;
  char uid[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_FORECAST_GET, &res, id, uid);
  if (rc)
    return rc;
  if (PQntuples(res) != 1) {
    PQclear(res);
    return PARITY_ENOTFOUND;
  }
  const char *status = PQgetvalue(res, 0, 0);
  json_t *result = PQgetisnull(res, 0, 1) ? json_null() : json_loads(PQgetvalue(res, 0, 1), 0, NULL);
  json_t *request = json_loads(PQgetvalue(res, 0, 5), 0, NULL);
  *out = json_pack("{s:s, s:s, s:s, s:s?, s:o, s:o}", "id", id, "status", status, "created_at", PQgetvalue(res, 0, 3),
                   "completed_at", PQgetisnull(res, 0, 4) ? NULL : PQgetvalue(res, 0, 4), "request",
                   request_view(request), "result", result ? result : json_null());
  if (!PQgetisnull(res, 0, 2))
    json_object_set_new(*out, "error", json_string(PQgetvalue(res, 0, 2)));
  *pending = strcmp(status, "pending") == 0;
  json_decref(request);
  PQclear(res);
  return PARITY_OK;
}
