/* Monthly statements and trade confirmations from the ledger and the portfolio history (svc_statement.h). */
#include "operational/svc_statement.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/calendar.h"
#include "common/errors.h"
#include "operational/queries.h"
#include "operational/svc_history.h"

#define FIRST_YEAR 1970
#define LAST_YEAR 9999

int parity_statement_month_parse(const char *text, int *year, int *month)
{
  if (!text || strlen(text) != 7 || text[4] != '-' || strspn(text, "0123456789") != 4 ||
      strspn(text + 5, "0123456789") != 2)
    return PARITY_EINVAL;
  int y = atoi(text), m = atoi(text + 5);
  if (y < FIRST_YEAR || y > LAST_YEAR || m < 1 || m > 12)
    return PARITY_EINVAL;
  *year = y;
  *month = m;
  return PARITY_OK;
}

/* Months counted from year 0 (y * 12 + m − 1), so consecutive months are consecutive numbers. */
static int month_index(int year, int month)
{
  return year * 12 + month - 1;
}

static void month_text(int index, char buf[PARITY_STATEMENT_MONTH_TEXT])
{
  snprintf(buf, PARITY_STATEMENT_MONTH_TEXT, "%04d-%02d", (index / 12) % 10000, (index % 12 + 12) % 12 + 1);
}

/* Today in New York (days since 1970) and the months with ledger rows, oldest first ("YYYY-MM"). */
static int read_months(struct parity_db *db, const char *uid, int32_t *today, PGresult **months)
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC0(db, Q_HISTORY_TODAY, &res);
  if (rc)
    return rc;
  *today = (int32_t)atol(PQgetvalue(res, 0, 0));
  PQclear(res);
  return PARITY_DB_EXEC(db, Q_STATEMENT_MONTHS, months, uid);
}

static int today_month(int32_t today)
{
  int y, m, d;
  parity_day_to_ymd(today, &y, &m, &d);
  return month_index(y, m);
}

int parity_svc_statement_months(struct parity_db *db, int64_t user_id, json_t **out)
{
  char uid[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  int32_t today;
  PGresult *months = NULL;
  int rc = read_months(db, uid, &today, &months);
  if (rc)
    goto out;
  json_t *list = json_array();
  int n = PQntuples(months), current = today_month(today), y, m;
  if (n > 0 && parity_statement_month_parse(PQgetvalue(months, 0, 0), &y, &m) == PARITY_OK) {
    int first = month_index(y, m), row = n - 1;
    for (int i = current; i >= first && current - i < PARITY_STATEMENT_MAX_MONTHS; i--) {
      char text[PARITY_STATEMENT_MONTH_TEXT];
      month_text(i, text);
      /* rows are oldest first: walk them back alongside */
      while (row >= 0 && strcmp(PQgetvalue(months, row, 0), text) > 0)
        row--;
      bool activity = row >= 0 && strcmp(PQgetvalue(months, row, 0), text) == 0;
      json_array_append_new(list,
                            json_pack("{s:s, s:b, s:b}", "month", text, "complete", i < current, "activity", activity));
    }
  }
  *out = json_pack("{s:s, s:o}", "day_basis", "America/New_York", "months", list);
out:
  PQclear(months);
  return rc;
}

/* ------------------------------------------------------------------ one month */

static json_t *trade_json(PGresult *r, int row)
{
  return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "id", (json_int_t)atoll(PQgetvalue(r, row, 0)),
                   "date", PQgetvalue(r, row, 1), "symbol", PQgetvalue(r, row, 2), "side", PQgetvalue(r, row, 3),
                   "reason", PQgetvalue(r, row, 7), "shares_micro", (json_int_t)atoll(PQgetvalue(r, row, 4)),
                   "price_micros", (json_int_t)atoll(PQgetvalue(r, row, 5)), "amount_cents",
                   (json_int_t)atoll(PQgetvalue(r, row, 6)), "executed_at", PQgetvalue(r, row, 8));
}

static int64_t cell(PGresult *r, int col)
{
  return atoll(PQgetvalue(r, 0, col));
}

/* The trades of days first..last into the statement, and the buy and sell totals. */
static int add_trades(struct parity_db *db, const char *uid, const char *from, const char *to, json_t *statement)
{
  char limit[PARITY_I64_TEXT];
  parity_i64(PARITY_STATEMENT_MAX_TRADES + 1, limit);
  PGresult *r = NULL;
  int rc = PARITY_DB_EXEC(db, Q_STATEMENT_TRADES, &r, uid, from, to, limit);
  if (rc)
    return rc;
  json_t *trades = json_array();
  int n = PQntuples(r);
  int64_t bought = 0, sold = 0;
  for (int i = 0; i < n && i < PARITY_STATEMENT_MAX_TRADES; i++) {
    json_t *t = trade_json(r, i);
    if (strcmp(PQgetvalue(r, i, 3), "buy") == 0)
      bought += atoll(PQgetvalue(r, i, 6));
    else
      sold += atoll(PQgetvalue(r, i, 6));
    json_array_append_new(trades, t);
  }
  json_object_set_new(statement, "trades", trades);
  json_object_set_new(statement, "trades_truncated", json_boolean(n > PARITY_STATEMENT_MAX_TRADES));
  json_object_set_new(statement, "bought_cents", json_integer((json_int_t)bought));
  json_object_set_new(statement, "sold_trades_cents", json_integer((json_int_t)sold));
  PQclear(r);
  return PARITY_OK;
}

static json_t *holdings_json(const struct parity_history_window *w)
{
  json_t *list = json_array();
  for (size_t i = 0; i < w->npositions; i++) {
    const struct parity_history_position *p = &w->positions[i];
    json_array_append_new(list, json_pack("{s:s, s:I, s:I, s:I}", "symbol", p->symbol, "shares_micro",
                                          (json_int_t)p->shares_micro, "price_micros", (json_int_t)p->price_micros,
                                          "value_cents", (json_int_t)p->value_cents));
  }
  return list;
}

static int investor_email(struct parity_db *db, const char *uid, json_t *doc)
{
  PGresult *r = NULL;
  int rc = PARITY_DB_EXEC(db, Q_STATEMENT_INVESTOR, &r, uid);
  if (!rc)
    json_object_set_new(doc, "investor", json_pack("{s:s}", "email", PQntuples(r) ? PQgetvalue(r, 0, 0) : ""));
  PQclear(r);
  return rc;
}

/* Whether month (an index) has a statement: from the first ledger month to the current one. */
static int month_exists(struct parity_db *db, const char *uid, int month, int32_t *today, bool *exists)
{
  PGresult *months = NULL;
  int rc = read_months(db, uid, today, &months);
  int y, m;
  *exists = !rc && PQntuples(months) > 0 && month <= today_month(*today) &&
            parity_statement_month_parse(PQgetvalue(months, 0, 0), &y, &m) == PARITY_OK && month >= month_index(y, m);
  PQclear(months);
  return rc;
}

int parity_svc_statement(struct parity_db *db, int64_t user_id, const char *month_text_in, json_t **out,
                         struct parity_svc_error *err)
{
  int year, mon;
  if (parity_statement_month_parse(month_text_in, &year, &mon))
    return parity_svc_fail(err, PARITY_EINVAL, "INVALID_MONTH", "month must be YYYY-MM, like 2026-04");
  char uid[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  int32_t today;
  bool exists;
  int rc = month_exists(db, uid, month_index(year, mon), &today, &exists);
  if (rc)
    return rc;
  if (!exists)
    return parity_svc_fail(err, PARITY_ENOTFOUND, "STATEMENT_NOT_FOUND",
                           "no statement for %s: statements run from the first month with activity to this one",
                           month_text_in);
  int32_t first = parity_day_from_ymd(year, mon, 1), last = first + parity_days_in_month(year, mon) - 1;
  bool complete = last < today;
  if (!complete)
    last = today;
  struct parity_history_window w;
  PGresult *cash = NULL;
  json_t *doc = NULL;
  rc = parity_history_rebuild_window(db, user_id, first - 1, last, &w);
  if (rc)
    goto out;
  char from[PARITY_I64_TEXT], to[PARITY_I64_TEXT];
  parity_i64(first, from);
  parity_i64(last, to);
  rc = PARITY_DB_EXEC(db, Q_STATEMENT_CASH, &cash, uid, from, to);
  if (rc)
    goto out;
  int64_t wallet_open = cell(cash, 0), wallet_close = cell(cash, 1), deposits = cell(cash, 2),
          withdrawals = cell(cash, 3), dividends = cell(cash, 4), fees = cell(cash, 5), invested = cell(cash, 6),
          sold = cell(cash, 7);
  const struct parity_history_point *open = &w.days.points[0], *close = &w.days.points[w.days.days - 1];
  int64_t opening = wallet_open + open->value_cents, closing = wallet_close + close->value_cents;
  int64_t positions = close->value_cents - w.cash_cents;
  int64_t market = closing - opening - deposits + withdrawals - dividends + fees;
  char day_from[PARITY_DAY_TEXT], day_to[PARITY_DAY_TEXT], month[PARITY_STATEMENT_MONTH_TEXT];
  parity_day_format(first, day_from);
  parity_day_format(last, day_to);
  snprintf(month, sizeof(month), "%04d-%02d", year, mon);
  /* Nothing at risk all month (no value, no flow) leaves the chain at 0: say "no return", not 0 %. */
  bool at_risk = false;
  for (size_t i = 0; i < w.days.days && !at_risk; i++)
    at_risk = w.days.points[i].value_cents != 0;
  doc = json_pack("{s:s, s:s, s:s, s:b, s:s, s:b}", "month", month, "from", day_from, "to", day_to, "complete",
                  complete, "day_basis", "America/New_York", "includes_wallet_cash", true);
  json_object_set_new(doc, "opening_value_cents", json_integer((json_int_t)opening));
  json_object_set_new(doc, "closing_value_cents", json_integer((json_int_t)closing));
  json_object_set_new(doc, "contributions_cents", json_integer((json_int_t)deposits));
  json_object_set_new(doc, "withdrawals_cents", json_integer((json_int_t)withdrawals));
  json_object_set_new(doc, "dividends_cents", json_integer((json_int_t)dividends));
  json_object_set_new(doc, "fees_cents", json_integer((json_int_t)fees));
  json_object_set_new(doc, "market_change_cents", json_integer((json_int_t)market));
  json_object_set_new(doc, "invested_cents", json_integer((json_int_t)invested));
  json_object_set_new(doc, "sold_cents", json_integer((json_int_t)sold));
  json_object_set_new(doc, "opening",
                      json_pack("{s:I, s:I}", "wallet_cash_cents", (json_int_t)wallet_open, "portfolio_value_cents",
                                (json_int_t)open->value_cents));
  json_object_set_new(doc, "closing",
                      json_pack("{s:I, s:I, s:I, s:I}", "wallet_cash_cents", (json_int_t)wallet_close,
                                "portfolio_cash_cents", (json_int_t)w.cash_cents, "positions_value_cents",
                                (json_int_t)positions, "portfolio_value_cents", (json_int_t)close->value_cents));
  json_object_set_new(doc, "performance",
                      json_pack("{s:o, s:s, s:s, s:s}", "twr", at_risk ? json_real(close->twr) : json_null(), "basis",
                                "portfolio", "method", PARITY_HISTORY_METHOD, "flow_timing",
                                PARITY_HISTORY_FLOW_TIMING));
  json_object_set_new(doc, "holdings", holdings_json(&w));
  if (w.days.prices_as_of != INT32_MIN) {
    char asof[PARITY_DAY_TEXT];
    parity_day_format(w.days.prices_as_of, asof);
    json_object_set_new(doc, "prices_as_of", json_string(asof));
  }
  rc = add_trades(db, uid, from, to, doc);
  if (!rc)
    rc = investor_email(db, uid, doc);
  if (!rc) {
    *out = doc;
    doc = NULL;
  }
out:
  json_decref(doc);
  PQclear(cash);
  parity_history_window_free(&w);
  return rc;
}

int parity_svc_trade_confirmation(struct parity_db *db, int64_t user_id, int64_t trade_id, json_t **out)
{
  char uid[PARITY_I64_TEXT], tid[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  parity_i64(trade_id, tid);
  PGresult *r = NULL;
  int rc = PARITY_DB_EXEC(db, Q_TRADE_CONFIRMATION, &r, tid, uid);
  if (rc)
    return rc;
  if (PQntuples(r) == 0) {
    PQclear(r);
    return PARITY_ENOTFOUND;
  }
  json_t *doc = trade_json(r, 0);
  json_object_set_new(doc, "investor", json_pack("{s:s}", "email", PQgetvalue(r, 0, 9)));
  json_object_set_new(doc, "fees_cents", json_integer(0));
  json_object_set_new(doc, "day_basis", json_string("America/New_York"));
  PQclear(r);
  *out = doc;
  return PARITY_OK;
}
