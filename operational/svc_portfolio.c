/* Portfolio valuation: the newest price per symbol, integer cents per position, weights and drift. */
#include "operational/svc_portfolio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "operational/money.h"
#include "operational/portfolio_body.h"
#include "operational/queries.h"
#include "operational/svc_auth.h"

static int64_t text_to_i64(const char *s)
{
  return s && *s ? strtoll(s, NULL, 10) : 0;
}

int parity_svc_portfolio_load(struct parity_db *db, int64_t user_id, struct parity_portfolio_view *out)
{
  memset(out, 0, sizeof(*out));
  out->prices_as_of = INT32_MIN;
  char uid[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_PORTFOLIO_GET, &res, uid);
  if (rc)
    return rc;
  if (PQntuples(res) == 1) {
    out->exists = true;
    out->cash_cents = text_to_i64(PQgetvalue(res, 0, 0));
    out->pending_cents = text_to_i64(PQgetvalue(res, 0, 1));
    snprintf(out->bucket, sizeof(out->bucket), "%s", PQgetvalue(res, 0, 2));
  }
  PQclear(res);

  rc = PARITY_DB_EXEC(db, Q_POSITIONS_VALUED, &res, uid);
  if (rc)
    return rc;
  int rows = PQntuples(res);
  for (int i = 0; i < rows && out->n < PARITY_PORTFOLIO_MAX_POSITIONS; i++) {
    struct parity_position_view *p = &out->positions[out->n++];
    snprintf(p->symbol, sizeof(p->symbol), "%s", PQgetvalue(res, i, 0));
    p->shares_micro = text_to_i64(PQgetvalue(res, i, 1));
    p->cost_basis_cents = text_to_i64(PQgetvalue(res, i, 2));
    p->price = PQgetisnull(res, i, 3) ? 0.0 : atof(PQgetvalue(res, i, 3));
    snprintf(p->price_time, sizeof(p->price_time), "%s", PQgetvalue(res, i, 4));
    p->value_cents = parity_value_cents(p->shares_micro, parity_price_micros(p->price));
    out->positions_value_cents += p->value_cents;
  }
  PQclear(res);
  out->value_cents = out->positions_value_cents + out->cash_cents;

  rc = PARITY_DB_EXEC(db, Q_PORTFOLIO_CONTRIBUTIONS, &res, uid);
  if (rc)
    return rc;
  out->net_contributions_cents = text_to_i64(PQgetvalue(res, 0, 0));
  PQclear(res);
  return PARITY_OK;
}

json_t *parity_portfolio_weights_new(const struct parity_portfolio_view *v)
{
  json_t *w = json_object();
  if (v->value_cents <= 0)
    return w;
  double total = (double)v->value_cents;
  for (size_t i = 0; i < v->n; i++)
    if (v->positions[i].value_cents > 0)
      json_object_set_new(w, v->positions[i].symbol, json_real((double)v->positions[i].value_cents / total));
  if (v->cash_cents > 0)
    json_object_set_new(w, "CASH", json_real((double)v->cash_cents / total));
  return w;
}

int parity_svc_model_weights(struct parity_db *db, const char *bucket, json_t **weights, char *as_of, size_t as_of_len)
{
  *weights = NULL;
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_MODEL_CURRENT, &res, bucket);
  if (rc)
    return rc;
  if (PQntuples(res) == 1) {
    *weights = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    if (as_of)
      snprintf(as_of, as_of_len, "%s", PQgetvalue(res, 0, 1));
  }
  PQclear(res);
  return PARITY_OK;
}

/* Values the positions read by parity_svc_portfolio_read() at the prices held in memory. */
static void value_positions(struct parity_portfolio_view *v, const struct parity_price_table *prices)
{
  v->positions_value_cents = 0;
  for (size_t i = 0; i < v->n; i++) {
    struct parity_position_view *p = &v->positions[i];
    const struct parity_price_entry *e = parity_price_table_find(prices, p->symbol);
    p->price = e ? e->price : 0.0;
    snprintf(p->price_time, sizeof(p->price_time), "%s", e ? e->priced_at : "");
    if (e && e->day > v->prices_as_of)
      v->prices_as_of = e->day;
    p->value_cents = parity_value_cents(p->shares_micro, parity_price_micros(p->price));
    v->positions_value_cents += p->value_cents;
  }
  v->value_cents = v->positions_value_cents + v->cash_cents;
}

int parity_svc_portfolio_read(struct parity_db *db, int64_t user_id, const char *jti,
                              const struct parity_price_table *prices, struct parity_portfolio_view *out,
                              bool *session_live)
{
  /* Not a memset of the whole view: its 256 position slots are 20 KiB, written only as far as used. */
  out->exists = false;
  out->bucket[0] = '\0';
  out->cash_cents = out->pending_cents = out->positions_value_cents = out->value_cents = 0;
  out->net_contributions_cents = 0;
  out->prices_as_of = INT32_MIN;
  out->n = 0;
  *session_live = false;
  char uid[PARITY_I64_TEXT], touch[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  parity_i64(PARITY_AUTH_TOUCH_SECONDS, touch);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_PORTFOLIO_READ, &res, uid, jti, touch);
  if (rc)
    return rc;
  int rows = PQntuples(res);
  *session_live = rows > 0;
  bool stale = rows > 0 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
  if (rows > 0 && !PQgetisnull(res, 0, 1)) {
    out->exists = true;
    out->cash_cents = text_to_i64(PQgetvalue(res, 0, 1));
    out->pending_cents = text_to_i64(PQgetvalue(res, 0, 2));
    snprintf(out->bucket, sizeof(out->bucket), "%s", PQgetvalue(res, 0, 3));
  }
  if (rows > 0)
    out->net_contributions_cents = text_to_i64(PQgetvalue(res, 0, 4));
  for (int i = 0; i < rows && out->n < PARITY_PORTFOLIO_MAX_POSITIONS; i++) {
    if (PQgetisnull(res, i, 5))
      continue; /* the one row of a portfolio without positions */
    struct parity_position_view *p = &out->positions[out->n++];
    snprintf(p->symbol, sizeof(p->symbol), "%s", PQgetvalue(res, i, 5));
    p->shares_micro = text_to_i64(PQgetvalue(res, i, 6));
    p->cost_basis_cents = text_to_i64(PQgetvalue(res, i, 7));
  }
  PQclear(res);
  value_positions(out, prices);
  /* The session's last use, at most once a minute, as the auth gate does on other routes. */
  if (stale)
    rc = PARITY_DB_EXEC(db, Q_AUTH_SESSION_TOUCH, NULL, jti);
  return rc;
}

int parity_svc_portfolio_get(struct parity_db *db, struct parity_read_cache *cache, int64_t user_id, const char *jti,
                             bool *session_live, struct parity_buf *body)
{
  *session_live = false;
  struct parity_price_table *prices = parity_read_cache_prices(cache);
  struct parity_model_table *models = parity_read_cache_models(cache);
  struct parity_portfolio_view v; /* on the stack: a large malloc per request costs more than the answer */
  int rc = prices && models ? PARITY_OK : PARITY_EUNAVAILABLE;
  if (!rc)
    rc = parity_svc_portfolio_read(db, user_id, jti, prices, &v, session_live);
  if (!rc && *session_live)
    parity_portfolio_body_write(&v, v.bucket[0] ? parity_model_table_find(models, v.bucket) : NULL, body);
  if (models)
    parity_snapshot_release(&models->snap);
  if (prices)
    parity_snapshot_release(&prices->snap);
  return rc;
}
