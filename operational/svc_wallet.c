/* Wallet: deposits and withdrawals (one transaction each, idempotent by key), and the ledger listings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "operational/ledger.h"
#include "operational/money.h"
#include "operational/queries.h"
#include "operational/svc_ledger.h"

int parity_svc_wallet_get(struct parity_db *db, int64_t user_id, json_t **out)
{
  char uid[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_WALLET_GET, &res, parity_i64(user_id, uid));
  if (rc)
    return rc;
  int64_t cash = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
  PQclear(res);
  *out = json_pack("{s:I}", "cash_cents", (json_int_t)cash);
  return PARITY_OK;
}

/* A deposit or withdrawal: the wallet alone moves. */
static int move_step(struct parity_ledger_tx *tx, json_t **body)
{
  const struct parity_money_request *rq = tx->rq;
  int64_t cash = 0;
  int rc = parity_ledger_wallet(tx, strcmp(tx->op->kind, "deposit") == 0, rq->amount_cents, &cash);
  if (!rc)
    rc = parity_ledger_record(tx, rq->amount_cents);
  if (!rc)
    *body = json_pack("{s:I, s:s, s:I, s:I}", "id", (json_int_t)strtoll(tx->movement, NULL, 10), "kind", tx->op->kind,
                      "amount_cents", (json_int_t)rq->amount_cents, "cash_cents", (json_int_t)cash);
  return rc;
}

static const struct parity_ledger_op deposit_op = { "deposit", NULL, move_step };
static const struct parity_ledger_op withdrawal_op = { "withdrawal", NULL, move_step };

int parity_svc_deposit(struct parity_db *db, const struct parity_config *cfg, const struct parity_money_request *rq,
                       json_t **out, bool *replayed, struct parity_svc_error *err)
{
  (void)cfg;
  return parity_ledger_run(db, rq, &deposit_op, NULL, out, replayed, err);
}

int parity_svc_withdraw(struct parity_db *db, const struct parity_config *cfg, const struct parity_money_request *rq,
                        json_t **out, bool *replayed, struct parity_svc_error *err)
{
  (void)cfg;
  return parity_ledger_run(db, rq, &withdrawal_op, NULL, out, replayed, err);
}

static json_t *page_meta(long page, long limit, long total)
{
  return json_pack("{s:i, s:i, s:i}", "page", (int)page, "limit", (int)limit, "total", (int)total);
}

int parity_svc_trades(struct parity_db *db, int64_t user_id, long page, long limit, json_t **out)
{
  char uid[PARITY_I64_TEXT], lim[PARITY_I64_TEXT], off[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_TRADES_LIST, &res, parity_i64(user_id, uid), parity_i64(limit, lim),
                          parity_i64((page - 1) * limit, off));
  if (rc)
    return rc;
  json_t *trades = json_array();
  for (int i = 0; i < PQntuples(res); i++)
    json_array_append_new(trades,
                          json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:s, s:s}", "id",
                                    (json_int_t)atoll(PQgetvalue(res, i, 0)), "symbol", PQgetvalue(res, i, 1), "side",
                                    PQgetvalue(res, i, 2), "shares_micro", (json_int_t)atoll(PQgetvalue(res, i, 3)),
                                    "price_micros", (json_int_t)atoll(PQgetvalue(res, i, 4)), "amount_cents",
                                    (json_int_t)atoll(PQgetvalue(res, i, 5)), "reason", PQgetvalue(res, i, 6),
                                    "created_at", PQgetvalue(res, i, 7)));
  PQclear(res);
  *out = json_pack("{s:o, s:i, s:i}", "trades", trades, "page", (int)page, "limit", (int)limit);
  return PARITY_OK;
}

int parity_svc_transactions(struct parity_db *db, int64_t user_id, long page, long limit, json_t **out)
{
  char uid[PARITY_I64_TEXT], lim[PARITY_I64_TEXT], off[PARITY_I64_TEXT];
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
    json_object_set_new(item, "operation", json_string(PQgetvalue(res, i, 10)));
    if (trade) {
      json_object_set_new(item, "reason", json_string(PQgetvalue(res, i, 9)));
      json_object_set_new(item, "symbol", json_string(PQgetvalue(res, i, 3)));
      json_object_set_new(item, "shares_micro", json_integer(atoll(PQgetvalue(res, i, 5))));
      json_object_set_new(item, "price_micros", json_integer(atoll(PQgetvalue(res, i, 6))));
    } else if (!PQgetisnull(res, i, 3)) {
      /* a dividend: the fund that paid, the shares it paid on and the amount per share; a split (a movement
       * of shares, not of money): the fund and the shares it added, so the SPA never shows a $0 row */
      json_object_set_new(item, "symbol", json_string(PQgetvalue(res, i, 3)));
      json_object_set_new(item, "shares_micro", json_integer(atoll(PQgetvalue(res, i, 5))));
      if (!PQgetisnull(res, i, 6))
        json_object_set_new(item, "per_share_micros", json_integer(atoll(PQgetvalue(res, i, 6))));
    }
    json_array_append_new(items, item);
    total = atol(PQgetvalue(res, i, 8));
  }
  PQclear(res);
  *out = json_pack("{s:o, s:o}", "transactions", items, "paging", page_meta(page, limit, total));
  return PARITY_OK;
}
