/* The price and model tables of the read path: reloaded from the database, read from memory. */
#include "operational/read_cache.h"

#include <stdlib.h>

#include "common/errors.h"
#include "common/log.h"
#include "operational/queries.h"

void parity_read_cache_init(struct parity_read_cache *c)
{
  pthread_mutex_init(&c->reload_lock, NULL);
  parity_snapshot_slot_init(&c->prices);
  parity_snapshot_slot_init(&c->models);
}

void parity_read_cache_close(struct parity_read_cache *c)
{
  parity_snapshot_slot_close(&c->models);
  parity_snapshot_slot_close(&c->prices);
  pthread_mutex_destroy(&c->reload_lock);
}

static int load_prices(struct parity_db *db, struct parity_price_table **out)
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC0(db, Q_PRICES_NEWEST, &res);
  if (rc)
    return rc;
  int rows = PQntuples(res);
  struct parity_price_table *t = parity_price_table_new((size_t)rows);
  for (int i = 0; i < rows; i++)
    if (parity_price_table_add(t, PQgetvalue(res, i, 0), atof(PQgetvalue(res, i, 1)), PQgetvalue(res, i, 2),
                               (int32_t)atol(PQgetvalue(res, i, 3))))
      parity_log(PARITY_LOG_WARN, "price_not_cached", "{s:s}", "symbol", PQgetvalue(res, i, 0));
  PQclear(res);
  parity_price_table_seal(t);
  *out = t;
  return PARITY_OK;
}

int parity_read_cache_reload_prices(struct parity_read_cache *c, struct parity_db *db)
{
  pthread_mutex_lock(&c->reload_lock);
  struct parity_price_table *t = NULL;
  int rc = load_prices(db, &t);
  if (!rc) {
    parity_log(PARITY_LOG_DEBUG, "prices_reloaded", "{s:i}", "symbols", (int)t->n);
    parity_snapshot_publish(&c->prices, &t->snap);
  }
  pthread_mutex_unlock(&c->reload_lock);
  return rc;
}

int parity_read_cache_reload_models(struct parity_read_cache *c, struct parity_db *db)
{
  pthread_mutex_lock(&c->reload_lock);
  struct parity_model_table *t = NULL;
  int rc = parity_svc_models_table_load(db, &t);
  if (!rc) {
    parity_log(PARITY_LOG_DEBUG, "models_reloaded", "{s:i}", "buckets", (int)t->n);
    parity_snapshot_publish(&c->models, &t->snap);
  }
  pthread_mutex_unlock(&c->reload_lock);
  return rc;
}

int parity_read_cache_reload_all(struct parity_read_cache *c, struct parity_db *db)
{
  int rc = parity_read_cache_reload_prices(c, db);
  int models_rc = parity_read_cache_reload_models(c, db);
  return rc ? rc : models_rc;
}

struct parity_price_table *parity_read_cache_prices(struct parity_read_cache *c)
{
  return (struct parity_price_table *)parity_snapshot_acquire(&c->prices);
}

struct parity_model_table *parity_read_cache_models(struct parity_read_cache *c)
{
  return (struct parity_model_table *)parity_snapshot_acquire(&c->models);
}
