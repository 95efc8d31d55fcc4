/* Portfolio valuation: the newest price per symbol, integer cents per position, weights and drift. */
#include "operational/svc_portfolio.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "operational/money.h"
#include "operational/queries.h"
#include "operational/svc_auth.h"

static int64_t text_to_i64(const char *s)
{
  return s && *s ? strtoll(s, NULL, 10) : 0;
}

int parity_svc_portfolio_load(struct parity_db *db, int64_t user_id, struct parity_portfolio_view *out)
{
  memset(out, 0, sizeof(*out));
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

/* Drift = Σ|actual − target| / 2 over every symbol of either side, cash's target being 0. */
static double drift_of(const json_t *actual, const json_t *target)
{
  double sum = 0;
  const char *sym;
  json_t *v;
  json_object_foreach((json_t *)actual, sym, v)
    sum += fabs(json_number_value(v) - json_number_value(json_object_get(target, sym)));
  json_object_foreach((json_t *)target, sym, v)
    if (!json_object_get(actual, sym))
      sum += fabs(json_number_value(v));
  return sum / 2.0;
}

json_t *parity_portfolio_body_new(const struct parity_portfolio_view *v, const json_t *target, const char *as_of)
{
  json_t *actual = parity_portfolio_weights_new(v);
  json_t *positions = json_array();
  for (size_t i = 0; i < v->n; i++) {
    const struct parity_position_view *p = &v->positions[i];
    json_t *tw = target ? json_object_get(target, p->symbol) : NULL;
    json_array_append_new(
        positions,
        json_pack("{s:s, s:I, s:f, s:s?, s:I, s:I, s:I, s:f, s:f}", "symbol", p->symbol, "shares_micro",
                  (json_int_t)p->shares_micro, "price", p->price, "price_time", p->price_time[0] ? p->price_time : NULL,
                  "value_cents", (json_int_t)p->value_cents, "cost_basis_cents", (json_int_t)p->cost_basis_cents,
                  "unrealized_pnl_cents", (json_int_t)(p->value_cents - p->cost_basis_cents), "weight",
                  json_number_value(json_object_get(actual, p->symbol)), "target_weight", json_number_value(tw)));
  }
  /* A copy: the target may belong to a shared snapshot, whose reference counts are not ours to move. */
  json_t *targets = target ? json_deep_copy(target) : json_object();
  return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:s?, s:s?, s:f, s:o, s:o, s:o}", "value_cents",
                   (json_int_t)v->value_cents, "cash_cents", (json_int_t)v->cash_cents, "pending_cents",
                   (json_int_t)v->pending_cents, "positions_value_cents", (json_int_t)v->positions_value_cents,
                   "net_contributions_cents", (json_int_t)v->net_contributions_cents, "pnl_cents",
                   (json_int_t)(v->value_cents - v->net_contributions_cents), "bucket", v->bucket[0] ? v->bucket : NULL,
                   "model_as_of", as_of && as_of[0] ? as_of : NULL, "drift",
                   target && v->value_cents > 0 ? drift_of(actual, target) : 0.0, "positions", positions, "weights",
                   actual, "target_weights", targets);
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
    p->value_cents = parity_value_cents(p->shares_micro, parity_price_micros(p->price));
    v->positions_value_cents += p->value_cents;
  }
  v->value_cents = v->positions_value_cents + v->cash_cents;
}

int parity_svc_portfolio_read(struct parity_db *db, int64_t user_id, const char *jti,
                              const struct parity_price_table *prices, struct parity_portfolio_view *out,
                              bool *session_live)
{
  memset(out, 0, sizeof(*out));
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
                             bool *session_live, json_t **out)
{
  *out = NULL;
  *session_live = false;
  struct parity_price_table *prices = parity_read_cache_prices(cache);
  struct parity_model_table *models = parity_read_cache_models(cache);
  struct parity_portfolio_view *v = parity_xmalloc(sizeof(*v));
  int rc = prices && models ? PARITY_OK : PARITY_EUNAVAILABLE;
  if (!rc)
    rc = parity_svc_portfolio_read(db, user_id, jti, prices, v, session_live);
  if (!rc && *session_live) {
    const struct parity_model_entry *model = v->bucket[0] ? parity_model_table_find(models, v->bucket) : NULL;
    *out = parity_portfolio_body_new(v, model ? json_object_get(model->model, "weights") : NULL,
                                     model ? model->as_of : NULL);
  }
  free(v);
  if (models)
    parity_snapshot_release(&models->snap);
  if (prices)
    parity_snapshot_release(&prices->snap);
  return rc;
}
