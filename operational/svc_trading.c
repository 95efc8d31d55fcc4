/* Invest and sell: cash into the portfolio (and a deploy batch), shares back into cash. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/log.h"
#include "operational/ledger.h"
#include "operational/money.h"
#include "operational/outbox.h"
#include "operational/queries.h"
#include "operational/svc_ledger.h"
#include "operational/svc_portfolio.h"
#include "operational/svc_rebalance.h"
#include "operational/tax_book.h"
#include "operational/trade_exec.h"

/* The portfolio row, locked for the rest of the transaction. */
struct locked_portfolio {
  int64_t cash_cents, pending_cents;
  char bucket[PARITY_BUCKET_MAX];
};

static int lock_portfolio(struct parity_db *db, int64_t user_id, struct locked_portfolio *out, bool *exists)
{
  char uid[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_PORTFOLIO_LOCK, &res, parity_i64(user_id, uid));
  if (rc)
    return rc;
  *exists = PQntuples(res) == 1;
  if (*exists) {
    out->cash_cents = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    out->pending_cents = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    snprintf(out->bucket, sizeof(out->bucket), "%s", PQgetvalue(res, 0, 2));
  }
  PQclear(res);
  if (*exists)
    rc = PARITY_DB_EXEC(db, Q_POSITIONS_LOCK, NULL, uid);
  return rc;
}

static int set_portfolio_cash(struct parity_db *db, int64_t user_id, int64_t cash, int64_t pending)
{
  char uid[PARITY_I64_TEXT], c[PARITY_I64_TEXT], p[PARITY_I64_TEXT];
  return PARITY_DB_EXEC(db, Q_PORTFOLIO_SET_CASH, NULL, parity_i64(user_id, uid), parity_i64(cash, c),
                        parity_i64(pending < cash ? pending : cash, p));
}

/* What invest and sell keep between their lock and their step. */
struct money_portfolio {
  const struct parity_config *cfg;
  struct locked_portfolio p;
  bool exists;
};

/* The portfolio row comes first in the lock order, before the ledger ensures and locks the wallet. */
static int invest_lock(struct parity_ledger_tx *tx)
{
  struct money_portfolio *m = tx->ctx;
  int rc = lock_portfolio(tx->db, tx->rq->user_id, &m->p, &m->exists);
  if (!rc && (!m->exists || !m->p.bucket[0]))
    rc = parity_svc_fail(tx->err, PARITY_ECONFLICT, "ONBOARDING_REQUIRED",
                         "answer the onboarding questions before investing");
  return rc;
}

static int invest_step(struct parity_ledger_tx *tx, json_t **body)
{
  const struct money_portfolio *m = tx->ctx;
  const struct parity_money_request *rq = tx->rq;
  int64_t wallet = 0, cash = m->p.cash_cents + rq->amount_cents, pending = m->p.pending_cents + rq->amount_cents;
  int rc = parity_ledger_wallet(tx, false, rq->amount_cents, &wallet);
  if (!rc)
    rc = set_portfolio_cash(tx->db, rq->user_id, cash, pending);
  if (!rc)
    rc = parity_ledger_record(tx, rq->amount_cents);
  const char *status = NULL;
  if (!rc)
    rc = parity_rebalance_open_deploy(tx->db, m->cfg, rq->user_id, &status);
  if (!rc)
    *body = json_pack("{s:I, s:I, s:I, s:I, s:I, s:s}", "id", (json_int_t)atoll(tx->movement), "amount_cents",
                      (json_int_t)rq->amount_cents, "cash_cents", (json_int_t)wallet, "portfolio_cash_cents",
                      (json_int_t)cash, "pending_cents", (json_int_t)pending, "status", status);
  return rc;
}

static const struct parity_ledger_op invest_op = { "invest", invest_lock, invest_step };

int parity_svc_invest(struct parity_db *db, const struct parity_config *cfg, const struct parity_money_request *rq,
                      json_t **out, bool *replayed, struct parity_svc_error *err)
{
  struct money_portfolio m = { .cfg = cfg };
  return parity_ledger_run(db, rq, &invest_op, &m, out, replayed, err);
}

static int sell_lock(struct parity_ledger_tx *tx)
{
  struct money_portfolio *m = tx->ctx;
  int rc = lock_portfolio(tx->db, tx->rq->user_id, &m->p, &m->exists);
  if (!rc && !m->exists)
    rc = parity_svc_fail(tx->err, PARITY_EINVAL, "NOTHING_TO_SELL", "there is no portfolio to sell from");
  return rc;
}

/* The investor's lot method and open lots (the portfolio and its positions are locked). */
static int sell_tax_load(struct parity_db *db, int64_t user_id, enum parity_lot_method *method, PGresult **lots)
{
  char uid[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_TAX_SETTINGS, &res, parity_i64(user_id, uid));
  if (rc)
    return rc;
  if (PQntuples(res) != 1 || parity_lot_method_parse(PQgetvalue(res, 0, 0), method))
    *method = PARITY_LOT_TAX_MIN;
  PQclear(res);
  return PARITY_DB_EXEC(db, Q_TAX_USER_LOTS, lots, uid);
}

/* One position's sell: its lots closed by the method, then the trade and the position (basis = its lots'). */
static int sell_position(struct parity_ledger_tx *tx, const struct parity_position_view *pos, int64_t shares,
                         int64_t price, int64_t cents, const PGresult *lots, enum parity_lot_method method,
                         struct parity_tax_book *book)
{
  struct parity_lot_list list;
  parity_lot_list_init(&list);
  int first, end;
  parity_tax_symbol_rows(lots, 0, PQntuples(lots), 0, pos->symbol, &first, &end);
  parity_tax_lots_read(lots, first, end, 1, &list);
  size_t first_gain = 0;
  int64_t delta = 0, trade_id = 0;
  int rc = parity_tax_book_sell(book, tx->rq->user_id, pos->symbol, &list, shares, cents, parity_tax_today(), method, 0,
                                &first_gain, &delta);
  parity_lot_list_free(&list);
  if (rc) {
    parity_log(PARITY_LOG_ERROR, "tax_lots_out_of_step", "{s:I, s:s}", "user_id", (json_int_t)tx->rq->user_id, "symbol",
               pos->symbol);
    return rc;
  }
  struct parity_trade_origin origin = { "sell", NULL, NULL };
  rc = parity_trade_record(tx->db, tx->rq->user_id, pos->symbol, false, shares, price, cents, &origin,
                           pos->shares_micro - shares, pos->cost_basis_cents + delta, &trade_id);
  if (!rc)
    parity_tax_book_set_trade(book, first_gain, trade_id);
  return rc;
}

static int sell_step(struct parity_ledger_tx *tx, json_t **body)
{
  const struct money_portfolio *m = tx->ctx;
  const struct parity_money_request *rq = tx->rq;
  struct parity_svc_error *err = tx->err;
  struct parity_portfolio_view *v = parity_xcalloc(1, sizeof(*v)); /* zeroed: read below even when the load fails */
  int rc = parity_svc_portfolio_load(tx->db, rq->user_id, v);
  for (size_t i = 0; !rc && i < v->n; i++) {
    if (v->positions[i].price <= 0)
      rc = parity_svc_fail(err, PARITY_ECONFLICT, "PRICE_UNAVAILABLE", "no price for %s", v->positions[i].symbol);
  }
  int64_t amount = rq->all ? v->value_cents : rq->amount_cents;
  if (!rc && (amount > v->value_cents || amount <= 0))
    rc = parity_svc_fail(err, PARITY_EINVAL, amount <= 0 ? "NOTHING_TO_SELL" : "AMOUNT_EXCEEDS_VALUE",
                         "the portfolio is worth %lld cents", (long long)v->value_cents);
  enum parity_lot_method method = PARITY_LOT_TAX_MIN;
  PGresult *lots = NULL;
  struct parity_tax_book book;
  parity_tax_book_init(&book);
  if (!rc)
    rc = sell_tax_load(tx->db, rq->user_id, &method, &lots);
  /* Cash first, then every position pro rata; selling it all sells every share. */
  int64_t from_cash = 0, proceeds = 0;
  int trades = 0;
  if (!rc) {
    from_cash = amount < v->cash_cents ? amount : v->cash_cents;
    int64_t rest = amount - from_cash;
    for (size_t i = 0; !rc && rest > 0 && i < v->n; i++) {
      const struct parity_position_view *pos = &v->positions[i];
      int64_t shares = parity_sell_shares(pos->shares_micro, rest, v->positions_value_cents);
      if (shares <= 0)
        continue;
      int64_t price = parity_price_micros(pos->price);
      int64_t cents = parity_value_cents(shares, price);
      if (cents <= 0)
        continue;
      rc = sell_position(tx, pos, shares, price, cents, lots, method, &book);
      proceeds += cents;
      trades++;
    }
  }
  PQclear(lots);
  if (!rc)
    rc = parity_tax_book_write(tx->db, &book);
  parity_tax_book_free(&book);
  int64_t total = from_cash + proceeds, wallet = 0;
  if (!rc && total <= 0)
    rc = parity_svc_fail(err, PARITY_EINVAL, "NOTHING_TO_SELL", "the amount is too small to sell anything");
  if (!rc)
    rc = set_portfolio_cash(tx->db, rq->user_id, v->cash_cents - from_cash, m->p.pending_cents);
  if (!rc)
    rc = parity_ledger_wallet(tx, true, total, &wallet);
  if (!rc)
    rc = parity_ledger_record(tx, total);
  if (!rc)
    *body = json_pack("{s:I, s:I, s:I, s:I, s:i, s:I}", "id", (json_int_t)atoll(tx->movement), "amount_cents",
                      (json_int_t)total, "from_cash_cents", (json_int_t)from_cash, "proceeds_cents",
                      (json_int_t)proceeds, "trades", trades, "cash_cents", (json_int_t)wallet);
  free(v);
  return rc;
}

static const struct parity_ledger_op sell_op = { "sell", sell_lock, sell_step };

int parity_svc_sell(struct parity_db *db, const struct parity_config *cfg, const struct parity_money_request *rq,
                    json_t **out, bool *replayed, struct parity_svc_error *err)
{
  struct money_portfolio m = { .cfg = cfg };
  return parity_ledger_run(db, rq, &sell_op, &m, out, replayed, err);
}
