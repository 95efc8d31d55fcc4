/* The money transaction (ledger.h); idempotency keys live on cash_movements, unique per user, with the
 * request's hash and first answer. */
#include "operational/ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "operational/queries.h"

/* Inside the transaction: *response gets the first answer (new reference) when the key was used. */
static int idem_lookup(struct parity_ledger_tx *tx, json_t **response, bool *found)
{
  const struct parity_money_request *rq = tx->rq;
  *found = false;
  *response = NULL;
  if (!rq->idempotency_key)
    return PARITY_OK;
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(tx->db, Q_MOVEMENT_BY_KEY, &res, tx->uid, rq->idempotency_key);
  if (rc)
    return rc;
  if (PQntuples(res) == 1) {
    if (strcmp(PQgetvalue(res, 0, 0), tx->op->kind) != 0 || strcmp(PQgetvalue(res, 0, 1), rq->body_hash) != 0) {
      PQclear(res);
      return parity_svc_idempotency_reused(tx->err);
    }
    *response = json_loads(PQgetvalue(res, 0, 2), 0, NULL);
    *found = *response != NULL;
  }
  PQclear(res);
  return PARITY_OK;
}

int parity_ledger_record(struct parity_ledger_tx *tx, int64_t amount_cents)
{
  char amount[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(tx->db, Q_MOVEMENT_INSERT, &res, tx->uid, tx->op->kind, parity_i64(amount_cents, amount),
                          tx->rq->idempotency_key, tx->rq->body_hash);
  if (!rc)
    snprintf(tx->movement, sizeof(tx->movement), "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  return rc;
}

int parity_ledger_wallet(struct parity_ledger_tx *tx, bool credit, int64_t cents, int64_t *cash)
{
  char amount[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(tx->db, credit ? Q_WALLET_CREDIT : Q_WALLET_DEBIT, &res, tx->uid, parity_i64(cents, amount));
  if (!rc && PQntuples(res) == 0)
    rc = parity_svc_fail(tx->err, PARITY_ECONFLICT, "INSUFFICIENT_FUNDS", "the wallet holds less than %lld cents",
                         (long long)cents);
  *cash = rc ? 0 : strtoll(PQgetvalue(res, 0, 0), NULL, 10);
  PQclear(res);
  return rc;
}

/* Stores the answer on the movement row so a repeat can return it. */
static int idem_store(struct parity_db *db, const char *movement_id, const json_t *response)
{
  char *text = json_dumps(response, JSON_COMPACT);
  if (!text)
    abort();
  int rc = PARITY_DB_EXEC(db, Q_MOVEMENT_SET_RESPONSE, NULL, movement_id, text);
  free(text);
  return rc;
}

/* Lock order: the operation's rows (the portfolio) first, then the wallet; the key is looked up last. */
static int attempt(struct parity_ledger_tx *tx, json_t **out, bool *replayed)
{
  struct parity_db *db = tx->db;
  int rc = parity_db_begin(db);
  if (rc)
    return rc;
  if (tx->op->lock)
    rc = tx->op->lock(tx);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_WALLET_ENSURE, NULL, tx->uid);
  json_t *body = NULL;
  bool found = false;
  if (!rc)
    rc = idem_lookup(tx, &body, &found);
  if (!rc && found) {
    *out = body;
    *replayed = true;
    return parity_db_rollback(db, PARITY_OK);
  }
  if (!rc)
    rc = tx->op->step(tx, &body);
  if (!rc)
    rc = idem_store(db, tx->movement, body);
  if (!rc)
    rc = parity_db_commit(db);
  if (rc) {
    json_decref(body);
    return parity_db_rollback(db, rc);
  }
  *out = body;
  return PARITY_OK;
}

/*
 * True when an attempt failed only because a concurrent request with the same key committed first: its
 * movement insert waited for the first, then hit the unique key.
 */
static bool lost_race(const struct parity_db *db, const struct parity_money_request *rq, int rc)
{
  return rc == PARITY_ECONFLICT && rq->idempotency_key && strcmp(db->sqlstate, "23505") == 0;
}

int parity_ledger_run(struct parity_db *db, const struct parity_money_request *rq, const struct parity_ledger_op *op,
                      void *ctx, json_t **out, bool *replayed, struct parity_svc_error *err)
{
  struct parity_ledger_tx tx = { .db = db, .rq = rq, .op = op, .ctx = ctx, .err = err };
  parity_i64(rq->user_id, tx.uid);
  *replayed = false;
  int rc = attempt(&tx, out, replayed);
  if (lost_race(db, rq, rc))
    rc = attempt(&tx, out, replayed);
  return rc;
}
