/* Idempotency keys live on cash_movements: unique per user, with the request's hash and first answer. */
#include "operational/ledger_idem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "operational/queries.h"

const char *parity_i64(int64_t v, char buf[24])
{
  snprintf(buf, 24, "%lld", (long long)v);
  return buf;
}

int parity_idem_lookup(struct parity_db *db, const struct parity_money_request *rq, const char *kind,
                       json_t **response, bool *found, struct parity_ledger_error *err)
{
  *found = false;
  *response = NULL;
  if (!rq->idempotency_key)
    return PARITY_OK;
  char uid[24];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_MOVEMENT_BY_KEY, &res, parity_i64(rq->user_id, uid), rq->idempotency_key);
  if (rc)
    return rc;
  if (PQntuples(res) == 1) {
    if (strcmp(PQgetvalue(res, 0, 0), kind) != 0 || strcmp(PQgetvalue(res, 0, 1), rq->body_hash) != 0) {
      PQclear(res);
      err->code = "IDEMPOTENCY_KEY_REUSED";
      snprintf(err->message, sizeof(err->message), "this Idempotency-Key was used for a different request");
      return PARITY_ECONFLICT;
    }
    *response = json_loads(PQgetvalue(res, 0, 2), 0, NULL);
    *found = *response != NULL;
  }
  PQclear(res);
  return PARITY_OK;
}

int parity_idem_movement(struct parity_db *db, const struct parity_money_request *rq, const char *kind,
                         int64_t amount_cents, char *movement_id)
{
  char uid[24], amount[24];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_MOVEMENT_INSERT, &res, parity_i64(rq->user_id, uid), kind,
                          parity_i64(amount_cents, amount), rq->idempotency_key, rq->body_hash);
  if (!rc)
    snprintf(movement_id, 24, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  return rc;
}

int parity_idem_store(struct parity_db *db, const char *movement_id, const json_t *response)
{
  char *text = json_dumps(response, JSON_COMPACT);
  if (!text)
    abort();
  int rc = PARITY_DB_EXEC(db, Q_MOVEMENT_SET_RESPONSE, NULL, movement_id, text);
  free(text);
  return rc;
}

bool parity_idem_lost_race(const struct parity_db *db, const struct parity_money_request *rq, int rc)
{
  return rc == PARITY_ECONFLICT && rq->idempotency_key && strcmp(db->sqlstate, "23505") == 0;
}
