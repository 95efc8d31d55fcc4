/* Wallet: deposits and withdrawals (one transaction each, idempotent by key), and the ledger listings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "operational/ledger_idem.h"
#include "operational/money.h"
#include "operational/queries.h"
#include "operational/svc_ledger.h"

int parity_svc_wallet_get(struct parity_db *db, int64_t user_id, json_t **out)
{
  char uid[24];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_WALLET_GET, &res, parity_i64(user_id, uid));
  if (rc)
    return rc;
  int64_t cash = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
  PQclear(res);
  *out = json_pack("{s:I}", "cash_cents", (json_int_t)cash);
  return PARITY_OK;
}

/* One attempt at a deposit or withdrawal inside its own transaction. */
static int move_once(struct parity_db *db, const struct parity_money_request *rq, const char *kind, json_t **out,
                     bool *replayed, struct parity_ledger_error *err)
{
  char uid[24], amount[24], movement[24];
  int rc = parity_db_begin(db);
  if (rc)
    return rc;
  rc = PARITY_DB_EXEC(db, Q_WALLET_ENSURE, NULL, parity_i64(rq->user_id, uid));
  json_t *first = NULL;
  bool found = false;
  if (!rc)
    rc = parity_idem_lookup(db, rq, kind, &first, &found, err);
  if (!rc && found) {
    *out = first;
    *replayed = true;
    return parity_db_rollback(db, PARITY_OK);
  }
  PGresult *res = NULL;
  bool deposit = strcmp(kind, "deposit") == 0;
  if (!rc)
    rc = PARITY_DB_EXEC(db, deposit ? Q_WALLET_CREDIT : Q_WALLET_DEBIT, &res, uid,
                        parity_i64(rq->amount_cents, amount));
  if (!rc && PQntuples(res) == 0) {
    err->code = "INSUFFICIENT_FUNDS";
    snprintf(err->message, sizeof(err->message), "the wallet holds less than %lld cents",
             (long long)rq->amount_cents);
    rc = PARITY_ECONFLICT;
  }
  int64_t cash = rc ? 0 : strtoll(PQgetvalue(res, 0, 0), NULL, 10);
  PQclear(res);
  if (!rc)
    rc = parity_idem_movement(db, rq, kind, rq->amount_cents, movement);
  json_t *body = NULL;
  if (!rc) {
    body = json_pack("{s:I, s:s, s:I, s:I}", "id", (json_int_t)strtoll(movement, NULL, 10), "kind", kind,
                     "amount_cents", (json_int_t)rq->amount_cents, "cash_cents", (json_int_t)cash);
    rc = parity_idem_store(db, movement, body);
  }
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
 * Two requests with the same key at the same moment: the second's insert waits for the first, then
 * fails on the unique key; run again, it finds the first answer.
 */
static int move(struct parity_db *db, const struct parity_money_request *rq, const char *kind, json_t **out,
                bool *replayed, struct parity_ledger_error *err)
{
  *replayed = false;
  int rc = move_once(db, rq, kind, out, replayed, err);
  if (parity_idem_lost_race(db, rq, rc))
    rc = move_once(db, rq, kind, out, replayed, err);
  return rc;
}

int parity_svc_deposit(struct parity_db *db, const struct parity_money_request *rq, json_t **out, bool *replayed,
                       struct parity_ledger_error *err)
{
  return move(db, rq, "deposit", out, replayed, err);
}

int parity_svc_withdraw(struct parity_db *db, const struct parity_money_request *rq, json_t **out, bool *replayed,
                        struct parity_ledger_error *err)
{
  return move(db, rq, "withdrawal", out, replayed, err);
}

static json_t *page_meta(long page, long limit, long total)
{
  return json_pack("{s:i, s:i, s:i}", "page", (int)page, "limit", (int)limit, "total", (int)total);
}

int parity_svc_trades(struct parity_db *db, int64_t user_id, long page, long limit, json_t **out)
{
  char uid[24], lim[24], off[24];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_TRADES_LIST, &res, parity_i64(user_id, uid), parity_i64(limit, lim),
                          parity_i64((page - 1) * limit, off));
  if (rc)
    return rc;
  json_t *trades = json_array();
  for (int i = 0; i < PQntuples(res); i++)
    json_array_append_new(
      trades, json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:s, s:s}", "id", (json_int_t)atoll(PQgetvalue(res, i, 0)),
                        "symbol", PQgetvalue(res, i, 1), "side", PQgetvalue(res, i, 2), "shares_micro",
                        (json_int_t)atoll(PQgetvalue(res, i, 3)), "price_micros",
                        (json_int_t)atoll(PQgetvalue(res, i, 4)), "amount_cents",
                        (json_int_t)atoll(PQgetvalue(res, i, 5)), "reason", PQgetvalue(res, i, 6), "created_at",
                        PQgetvalue(res, i, 7)));
  PQclear(res);
  *out = json_pack("{s:o, s:i, s:i}", "trades", trades, "page", (int)page, "limit", (int)limit);
  return PARITY_OK;
}

int parity_svc_transactions(struct parity_db *db, int64_t user_id, long page, long limit, json_t **out)
{
  char uid[24], lim[24], off[24];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_TRANSACTIONS_LIST, &res, parity_i64(user_id, uid), parity_i64(limit, lim),
                          parity_i64((page - 1) * limit, off));
  if (rc)
    return rc;
  json_t *items = json_array();
  long total = 0;
  for (int i = 0; i < PQntuples(res); i++) {
    bool trade = strcmp(PQgetvalue(res, i, 0), "trade") == 0;
    json_t *item = json_pack("{s:s, s:I, s:s, s:I, s:s}", "type", PQgetvalue(res, i, 0), "id",
                             (json_int_t)atoll(PQgetvalue(res, i, 1)), "kind", PQgetvalue(res, i, 2), "amount_cents",
                             (json_int_t)atoll(PQgetvalue(res, i, 4)), "created_at", PQgetvalue(res, i, 7));
    if (trade) {
      json_object_set_new(item, "symbol", json_string(PQgetvalue(res, i, 3)));
      json_object_set_new(item, "shares_micro", json_integer(atoll(PQgetvalue(res, i, 5))));
      json_object_set_new(item, "price_micros", json_integer(atoll(PQgetvalue(res, i, 6))));
    }
    json_array_append_new(items, item);
    total = atol(PQgetvalue(res, i, 8));
  }
  PQclear(res);
  *out = json_pack("{s:o, s:o}", "transactions", items, "paging", page_meta(page, limit, total));
  return PARITY_OK;
}
