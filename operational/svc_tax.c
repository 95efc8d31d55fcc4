/* The investor's tax answers (svc_tax.h): lots, realized gains, Form 8949 rows, sale preview, settings. */
#include "operational/svc_tax.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "operational/money.h"
#include "operational/queries.h"
#include "operational/svc_portfolio.h"
#include "operational/tax_book.h"

static int64_t col_i64(const PGresult *res, int r, int c)
{
  return strtoll(PQgetvalue(res, r, c), NULL, 10);
}

static enum parity_lot_method method_of(struct parity_db *db, int64_t user_id, bool *harvesting, int *rc)
{
  char uid[PARITY_I64_TEXT];
  PGresult *res = NULL;
  enum parity_lot_method method = PARITY_LOT_TAX_MIN;
  *rc = PARITY_DB_EXEC(db, Q_TAX_SETTINGS, &res, parity_i64(user_id, uid));
  if (!*rc && PQntuples(res) == 1) {
    (void)parity_lot_method_parse(PQgetvalue(res, 0, 0), &method);
    if (harvesting)
      *harvesting = PQgetvalue(res, 0, 1)[0] == 't';
  }
  PQclear(res);
  return method;
}

int parity_svc_tax_lots(struct parity_db *db, int64_t user_id, json_t **out)
{
  int rc;
  enum parity_lot_method method = method_of(db, user_id, NULL, &rc);
  if (rc)
    return rc;
  char uid[PARITY_I64_TEXT];
  PGresult *res = NULL;
  rc = PARITY_DB_EXEC(db, Q_TAX_LOTS_VALUED, &res, parity_i64(user_id, uid));
  if (rc)
    return rc;
  int32_t today = parity_tax_today();
  json_t *lots = json_array();
  char as_of[PARITY_DAY_TEXT] = "";
  for (int r = 0; r < PQntuples(res); r++) {
    int64_t shares = col_i64(res, r, 2), basis = col_i64(res, r, 3);
    bool priced = !PQgetisnull(res, r, 6);
    int64_t value = priced ? parity_value_cents(shares, parity_price_micros(atof(PQgetvalue(res, r, 6)))) : 0;
    if (priced && strcmp(PQgetvalue(res, r, 7), as_of) > 0)
      snprintf(as_of, sizeof(as_of), "%s", PQgetvalue(res, r, 7));
    json_t *lot = json_pack("{s:I, s:s, s:I, s:I, s:s, s:s}", "id", (json_int_t)col_i64(res, r, 0), "symbol",
                            PQgetvalue(res, r, 1), "shares_micro", (json_int_t)shares, "basis_cents", (json_int_t)basis,
                            "acquired", PQgetvalue(res, r, 4), "term",
                            parity_lot_long_term((int32_t)col_i64(res, r, 5), today) ? "long" : "short");
    json_object_set_new(lot, "value_cents", priced ? json_integer(value) : json_null());
    json_object_set_new(lot, "unrealized_cents", priced ? json_integer(value - basis) : json_null());
    json_array_append_new(lots, lot);
  }
  PQclear(res);
  *out = json_pack("{s:s, s:o, s:o}", "method", parity_lot_method_name(method), "prices_as_of",
                   as_of[0] ? json_string(as_of) : json_null(), "lots", lots);
  return PARITY_OK;
}

int parity_svc_tax_year(const char *text, int *year, struct parity_svc_error *err)
{
  if (!text) {
    int m, d;
    parity_day_to_ymd(parity_tax_today(), year, &m, &d);
    return PARITY_OK;
  }
  char *end = NULL;
  long y = strtol(text, &end, 10);
  if (strlen(text) != 4 || *end || y < PARITY_DAY_FIRST_YEAR || y > PARITY_DAY_LAST_YEAR)
    return parity_svc_fail(err, PARITY_EINVAL, "INVALID_YEAR", "year must be a year like 2026");
  *year = (int)y;
  return PARITY_OK;
}

static json_t *term_sums(int64_t proceeds, int64_t basis, int64_t gain)
{
  return json_pack("{s:I, s:I, s:I}", "proceeds_cents", (json_int_t)proceeds, "basis_cents", (json_int_t)basis,
                   "gain_cents", (json_int_t)gain);
}

int parity_svc_tax_realized(struct parity_db *db, int64_t user_id, int year, json_t **out)
{
  char uid[PARITY_I64_TEXT], y[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  parity_i64(year, y);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_TAX_REALIZED, &res, uid, y);
  if (rc)
    return rc;
  int64_t sums[2][3] = { { 0 } }, wash = 0; /* [short, long][proceeds, basis, gain] */
  for (int r = 0; r < PQntuples(res); r++) {
    int t = strcmp(PQgetvalue(res, r, 0), "long") == 0;
    for (int k = 0; k < 3; k++)
      sums[t][k] = col_i64(res, r, 1 + k);
    wash += col_i64(res, r, 4);
  }
  PQclear(res);
  rc = PARITY_DB_EXEC(db, Q_TAX_DIVIDENDS, &res, uid, y);
  if (rc)
    return rc;
  int64_t dividends = PQntuples(res) == 1 ? col_i64(res, 0, 0) : 0;
  PQclear(res);
  rc = PARITY_DB_EXEC(db, Q_TAX_HARVESTED, &res, uid, y);
  if (rc)
    return rc;
  int64_t harvested = PQntuples(res) == 1 ? col_i64(res, 0, 0) : 0;
  PQclear(res);
  *out =
      json_pack("{s:i, s:o, s:o, s:I, s:I, s:I}", "year", year, "short", term_sums(sums[0][0], sums[0][1], sums[0][2]),
                "long", term_sums(sums[1][0], sums[1][1], sums[1][2]), "wash_sale_disallowed_cents", (json_int_t)wash,
                "dividends_cents", (json_int_t)dividends, "harvested_losses_cents", (json_int_t)harvested);
  return PARITY_OK;
}

int parity_svc_tax_harvests(struct parity_db *db, int64_t user_id, json_t **out)
{
  char uid[PARITY_I64_TEXT], limit[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc =
      PARITY_DB_EXEC(db, Q_TAX_HARVESTS, &res, parity_i64(user_id, uid), parity_i64(PARITY_TAX_HARVESTS_MAX, limit));
  if (rc)
    return rc;
  json_t *list = json_array();
  int64_t total = 0;
  for (int r = 0; r < PQntuples(res); r++) {
    total += col_i64(res, r, 8);
    json_array_append_new(
        list,
        json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "id", (json_int_t)col_i64(res, r, 0),
                  "day", PQgetvalue(res, r, 1), "symbol", PQgetvalue(res, r, 2), "replacement", PQgetvalue(res, r, 3),
                  "shares_micro", (json_int_t)col_i64(res, r, 4), "replacement_shares_micro",
                  (json_int_t)col_i64(res, r, 5), "proceeds_cents", (json_int_t)col_i64(res, r, 6), "cost_cents",
                  (json_int_t)col_i64(res, r, 7), "loss_cents", (json_int_t)col_i64(res, r, 8), "sell_trade_id",
                  (json_int_t)col_i64(res, r, 9), "buy_trade_id", (json_int_t)col_i64(res, r, 10)));
  }
  PQclear(res);
  *out = json_pack("{s:o, s:I}", "harvests", list, "loss_cents", (json_int_t)total);
  return PARITY_OK;
}

/* "12.5 sh VTI": Form 8949's description (a), shares without trailing zeros. */
static void describe(int64_t shares_micro, const char *symbol, char *buf, size_t len)
{
  char frac[8];
  snprintf(frac, sizeof(frac), "%06lld", (long long)(shares_micro % PARITY_MICRO));
  for (int i = 5; i >= 0 && frac[i] == '0'; i--)
    frac[i] = '\0';
  snprintf(buf, len, "%lld%s%s sh %s", (long long)(shares_micro / PARITY_MICRO), frac[0] ? "." : "", frac, symbol);
}

/* Cents as dollars with two decimals, the sign in front ("-12.05"). */
static void dollars(int64_t cents, char *buf, size_t len)
{
  unsigned long long a = cents < 0 ? (unsigned long long)-cents : (unsigned long long)cents;
  snprintf(buf, len, "%s%llu.%02llu", cents < 0 ? "-" : "", a / 100, a % 100);
}

int parity_svc_tax_report(struct parity_db *db, int64_t user_id, int year, json_t **out, struct parity_buf *csv)
{
  char uid[PARITY_I64_TEXT], y[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_TAX_REPORT, &res, parity_i64(user_id, uid), parity_i64(year, y));
  if (rc)
    return rc;
  json_t *rows = json_array();
  static const char header[] = "description,acquired,sold,proceeds,basis,code,adjustment,gain,term\n";
  if (csv)
    parity_buf_add(csv, header, sizeof(header) - 1);
  for (int r = 0; r < PQntuples(res); r++) {
    char desc[64], p[32], b[32], a[32], g[32], line[320];
    describe(col_i64(res, r, 1), PQgetvalue(res, r, 0), desc, sizeof(desc));
    int64_t proceeds = col_i64(res, r, 4), basis = col_i64(res, r, 5), wash = col_i64(res, r, 6);
    int64_t gain = proceeds - basis + wash;
    const char *code = wash > 0 ? "W" : "", *acquired = PQgetvalue(res, r, 2), *sold = PQgetvalue(res, r, 3),
               *term = PQgetvalue(res, r, 7);
    if (csv) {
      dollars(proceeds, p, sizeof(p));
      dollars(basis, b, sizeof(b));
      dollars(wash, a, sizeof(a));
      dollars(gain, g, sizeof(g));
      int n = snprintf(line, sizeof(line), "%s,%s,%s,%s,%s,%s,%s,%s,%s\n", desc, acquired, sold, p, b, code,
                       wash ? a : "", g, term);
      parity_buf_add(csv, line, (size_t)n);
    } else {
      json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:I, s:I, s:s}", "description", desc,
                                            "acquired", acquired, "sold", sold, "proceeds_cents", (json_int_t)proceeds,
                                            "basis_cents", (json_int_t)basis, "code", code, "adjustment_cents",
                                            (json_int_t)wash, "gain_cents", (json_int_t)gain, "term", term));
    }
  }
  PQclear(res);
  if (csv)
    json_decref(rows);
  else
    *out = json_pack("{s:i, s:o}", "year", year, "rows", rows);
  return PARITY_OK;
}

/* The preview of one position's sell: its pieces appended to `out`, gains added to the term sums. */
static int preview_position(const PGresult *lots, const char *symbol, int64_t shares, int64_t cents,
                            enum parity_lot_method method, json_t *out, int64_t gains[2])
{
  struct parity_lot_list list;
  struct parity_piece_list pieces;
  parity_lot_list_init(&list);
  parity_piece_list_init(&pieces);
  int first, end;
  parity_tax_symbol_rows(lots, 0, PQntuples(lots), 0, symbol, &first, &end);
  parity_tax_lots_read(lots, first, end, 1, &list);
  int rc = parity_lots_sell(&list, shares, cents, parity_tax_today(), method, &pieces);
  for (size_t i = 0; !rc && i < pieces.n; i++) {
    const struct parity_lot_piece *p = &pieces.pieces[i];
    char acquired[PARITY_DAY_TEXT];
    parity_day_format(p->acquired, acquired);
    int64_t gain = p->proceeds_cents - p->basis_cents + p->wash_cents;
    gains[p->long_term] += gain;
    json_array_append_new(out, json_pack("{s:s, s:I, s:s, s:I, s:I, s:I, s:s}", "symbol", symbol, "shares_micro",
                                         (json_int_t)p->shares_micro, "acquired", acquired, "basis_cents",
                                         (json_int_t)p->basis_cents, "proceeds_cents", (json_int_t)p->proceeds_cents,
                                         "gain_cents", (json_int_t)gain, "term", p->long_term ? "long" : "short"));
  }
  parity_lot_list_free(&list);
  parity_piece_list_free(&pieces);
  return rc;
}

int parity_svc_sell_preview(struct parity_db *db, int64_t user_id, int64_t amount_cents, json_t **out,
                            struct parity_svc_error *err)
{
  struct parity_portfolio_view *v = parity_xcalloc(1, sizeof(*v));
  int rc = parity_svc_portfolio_load(db, user_id, v);
  if (!rc && !v->exists)
    rc = parity_svc_fail(err, PARITY_EINVAL, "NOTHING_TO_SELL", "there is no portfolio to sell from");
  for (size_t i = 0; !rc && i < v->n; i++) {
    if (v->positions[i].price <= 0)
      rc = parity_svc_fail(err, PARITY_ECONFLICT, "PRICE_UNAVAILABLE", "no price for %s", v->positions[i].symbol);
  }
  if (!rc && amount_cents > v->value_cents)
    rc = parity_svc_fail(err, PARITY_EINVAL, "AMOUNT_EXCEEDS_VALUE", "the portfolio is worth %lld cents",
                         (long long)v->value_cents);
  enum parity_lot_method method = PARITY_LOT_TAX_MIN;
  if (!rc)
    method = method_of(db, user_id, NULL, &rc);
  PGresult *lots = NULL;
  char uid[PARITY_I64_TEXT];
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_TAX_USER_LOTS, &lots, parity_i64(user_id, uid));
  /* The sell's own arithmetic (svc_trading.c): cash first, then every position pro rata. */
  json_t *pieces = json_array();
  int64_t gains[2] = { 0, 0 }, total = 0;
  if (!rc) {
    int64_t from_cash = amount_cents < v->cash_cents ? amount_cents : v->cash_cents, rest = amount_cents - from_cash;
    total = from_cash;
    for (size_t i = 0; !rc && rest > 0 && i < v->n; i++) {
      const struct parity_position_view *pos = &v->positions[i];
      int64_t shares = parity_sell_shares(pos->shares_micro, rest, v->positions_value_cents);
      int64_t cents = shares > 0 ? parity_value_cents(shares, parity_price_micros(pos->price)) : 0;
      if (cents <= 0)
        continue;
      rc = preview_position(lots, pos->symbol, shares, cents, method, pieces, gains);
      total += cents;
    }
  }
  PQclear(lots);
  free(v);
  if (rc) {
    json_decref(pieces);
    return rc;
  }
  *out = json_pack("{s:I, s:{s:I}, s:{s:I}, s:o}", "amount_cents", (json_int_t)total, "short", "gain_cents",
                   (json_int_t)gains[0], "long", "gain_cents", (json_int_t)gains[1], "lots", pieces);
  return PARITY_OK;
}

int parity_svc_settings_get(struct parity_db *db, int64_t user_id, json_t **out)
{
  int rc;
  bool harvesting = false;
  enum parity_lot_method method = method_of(db, user_id, &harvesting, &rc);
  if (!rc)
    *out = json_pack("{s:b, s:s}", "tax_loss_harvesting", harvesting, "lot_method", parity_lot_method_name(method));
  return rc;
}

int parity_svc_settings_set(struct parity_db *db, int64_t user_id, const char *lot_method, const json_t *harvesting,
                            json_t **out, struct parity_svc_error *err)
{
  enum parity_lot_method method;
  if (lot_method && parity_lot_method_parse(lot_method, &method))
    return parity_svc_fail(err, PARITY_EINVAL, "INVALID_LOT_METHOD", "lot_method must be fifo, hifo or tax_min");
  if (!lot_method && !harvesting)
    return parity_svc_fail(err, PARITY_EINVAL, NULL, "give lot_method and/or tax_loss_harvesting");
  char uid[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_TAX_SETTINGS_SET, &res, parity_i64(user_id, uid), lot_method,
                          harvesting ? (json_is_true(harvesting) ? "true" : "false") : NULL);
  if (rc)
    return rc;
  *out = json_pack("{s:b, s:s}", "tax_loss_harvesting", PQgetvalue(res, 0, 1)[0] == 't', "lot_method",
                   PQgetvalue(res, 0, 0));
  PQclear(res);
  return PARITY_OK;
}
