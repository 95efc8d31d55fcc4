/* Sells first (when allowed), then buys within the cash: integer cents, micro-shares, one rounding rule. */
#include "operational/trade_exec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/money.h"
#include "operational/queries.h"

#define MAX_TRADE_SYMBOLS PARITY_PORTFOLIO_MAX_POSITIONS

int parity_trade_record(struct parity_db *db, int64_t user_id, const char *symbol, bool buy, int64_t shares,
                        int64_t price_micros, int64_t cents, const struct parity_trade_origin *origin,
                        int64_t new_shares, int64_t new_cost)
{
  char uid[PARITY_I64_TEXT], s[PARITY_I64_TEXT], p[PARITY_I64_TEXT], c[PARITY_I64_TEXT], ns[PARITY_I64_TEXT],
      nc[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  int rc = PARITY_DB_EXEC(db, Q_TRADE_INSERT, NULL, uid, symbol, buy ? "buy" : "sell", parity_i64(shares, s),
                          parity_i64(price_micros, p), parity_i64(cents, c), origin->reason, origin->request_id,
                          origin->run_id);
  if (rc)
    return rc;
  if (buy)
    return PARITY_DB_EXEC(db, Q_POSITION_BUY, NULL, uid, symbol, s, c);
  return PARITY_DB_EXEC(db, Q_POSITION_SET, NULL, uid, symbol, parity_i64(new_shares, ns), parity_i64(new_cost, nc));
}

struct planned_trade {
  const char *symbol;
  int64_t price_micros;
  int64_t delta_cents; /* > 0 buy, < 0 sell */
  const struct parity_position_view *held;
};

/* Newest prices for symbols the portfolio does not hold yet (held ones were priced by the view). */
static int price_missing(struct parity_db *db, struct planned_trade *plan, size_t n)
{
  char *array = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&array, &len);
  fputc('{', f);
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%s%s", i ? "," : "", plan[i].symbol);
  fputc('}', f);
  fclose(f);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_LATEST_PRICES, &res, array);
  free(array);
  if (rc)
    return rc;
  for (int r = 0; r < PQntuples(res); r++)
    for (size_t i = 0; i < n; i++)
      if (!plan[i].price_micros && strcmp(plan[i].symbol, PQgetvalue(res, r, 0)) == 0 && !PQgetisnull(res, r, 1))
        plan[i].price_micros = parity_price_micros(atof(PQgetvalue(res, r, 1)));
  PQclear(res);
  return PARITY_OK;
}

/* parity_shares_for_cents for one planned trade, logging the price that cannot be counted in micro-shares. */
static int shares_for(const struct planned_trade *t, int64_t cents, int64_t *shares)
{
  int rc = parity_shares_for_cents(cents, t->price_micros, shares);
  if (rc)
    parity_log(PARITY_LOG_ERROR, "trade_price_too_small", "{s:s, s:I, s:I}", "symbol", t->symbol, "price_micros",
               (json_int_t)t->price_micros, "cents", (json_int_t)cents);
  return rc;
}

static const struct parity_position_view *find_held(const struct parity_portfolio_view *v, const char *symbol)
{
  for (size_t i = 0; i < v->n; i++)
    if (strcmp(v->positions[i].symbol, symbol) == 0)
      return &v->positions[i];
  return NULL;
}

/* Every symbol of either side: what the targets want minus what is held. */
static size_t plan_trades(const struct parity_portfolio_view *v, const json_t *targets, struct planned_trade *plan)
{
  size_t n = 0;
  const char *symbol;
  json_t *w;
  json_object_foreach((json_t *)targets, symbol, w) {
    if (strcmp(symbol, "CASH") == 0 || n == MAX_TRADE_SYMBOLS)
      continue;
    const struct parity_position_view *held = find_held(v, symbol);
    int64_t want = (int64_t)llround(json_number_value(w) * (double)v->value_cents) - (held ? held->value_cents : 0);
    plan[n++] = (struct planned_trade){ symbol, held ? parity_price_micros(held->price) : 0, want, held };
  }
  for (size_t i = 0; i < v->n && n < MAX_TRADE_SYMBOLS; i++)
    if (!json_object_get(targets, v->positions[i].symbol))
      plan[n++] = (struct planned_trade){ v->positions[i].symbol, parity_price_micros(v->positions[i].price),
                                          -v->positions[i].value_cents, &v->positions[i] };
  return n;
}

int parity_trade_toward(struct parity_db *db, int64_t user_id, const struct parity_portfolio_view *v,
                        const json_t *targets, bool allow_sells, const struct parity_trade_origin *origin,
                        int64_t *cash_delta, int *trades)
{
  *cash_delta = 0;
  *trades = 0;
  struct planned_trade *plan = parity_xcalloc(MAX_TRADE_SYMBOLS, sizeof(*plan));
  size_t n = plan_trades(v, targets, plan);
  int rc = price_missing(db, plan, n);
  int64_t cash = v->cash_cents;

  /* Sells first: their proceeds are cash for the buys. A position leaving the target is sold whole. */
  for (size_t i = 0; i < n && !rc && allow_sells; i++) {
    const struct parity_position_view *held = plan[i].held;
    if (plan[i].delta_cents > -PARITY_MIN_TRADE_CENTS || !held || plan[i].price_micros <= 0)
      continue;
    bool whole = !json_object_get(targets, plan[i].symbol) || -plan[i].delta_cents >= held->value_cents;
    int64_t shares = held->shares_micro;
    if (!whole)
      rc = shares_for(&plan[i], -plan[i].delta_cents, &shares);
    if (rc)
      break;
    if (shares > held->shares_micro)
      shares = held->shares_micro;
    int64_t cents = parity_value_cents(shares, plan[i].price_micros);
    if (shares <= 0 || cents <= 0)
      continue;
    rc = parity_trade_record(db, user_id, plan[i].symbol, false, shares, plan[i].price_micros, cents, origin,
                             held->shares_micro - shares,
                             parity_cost_basis_after_sell(held->cost_basis_cents, held->shares_micro, shares));
    cash += cents;
    (*trades)++;
  }

  /* Buys within the cash: when the wants exceed it, each gets its share. */
  int64_t wanted = 0;
  for (size_t i = 0; i < n; i++)
    if (plan[i].delta_cents >= PARITY_MIN_TRADE_CENTS && plan[i].price_micros > 0)
      wanted += plan[i].delta_cents;
  int64_t available = cash, spent = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    if (plan[i].delta_cents < PARITY_MIN_TRADE_CENTS)
      continue;
    if (plan[i].price_micros <= 0) {
      parity_log(PARITY_LOG_WARN, "trade_no_price", "{s:s}", "symbol", plan[i].symbol);
      continue;
    }
    int64_t budget =
        wanted > available ? (int64_t)((__int128)plan[i].delta_cents * available / wanted) : plan[i].delta_cents;
    if (budget > available - spent)
      budget = available - spent;
    int64_t shares;
    rc = shares_for(&plan[i], budget, &shares);
    if (rc)
      break;
    int64_t cents = parity_value_cents(shares, plan[i].price_micros);
    if (cents < PARITY_MIN_TRADE_CENTS || shares <= 0)
      continue;
    rc = parity_trade_record(db, user_id, plan[i].symbol, true, shares, plan[i].price_micros, cents, origin, 0, 0);
    spent += cents;
    (*trades)++;
  }
  free(plan);
  *cash_delta = cash - v->cash_cents - spent;
  return rc;
}
