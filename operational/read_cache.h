/*
 * What the read path serves from memory: the newest price of every symbol (valuations of GET /portfolio) and
 * the current model of every bucket (GET /models, GET /models/{bucket}, target weights of GET /portfolio).
 *
 * Each is a snapshot (operational/snapshot.h) replaced whole by a reload, which reads the table again:
 * - at startup, before the HTTP listeners open (parity_read_cache_reload_all);
 * - when the LISTEN thread (operational/pg_listener.c) hears prices_changed or models_changed, which triggers of
 *   migrations/0006 send in the transaction of any write to daily_prices, intraday_prices or model_portfolios
 *   (a decisional sync, `parity load-prices`, a model generation, an operator's SQL), so every replica
 *   reloads when, and only when, the write commits;
 * - after the LISTEN connection (re)connects, since a notification sent while it was down is lost;
 * - on EVT_MODELS_GENERATED (operational/events.c), for the models.
 * Reloads are serialised, so the one that ran last read last: an older read never replaces a newer one.
 */
#ifndef PARITY_READ_CACHE_H
#define PARITY_READ_CACHE_H

#include <pthread.h>

#include "common/pg.h"
#include "operational/price_table.h"
#include "operational/snapshot.h"
#include "operational/svc_models.h"

#define PARITY_PRICES_CHANNEL "prices_changed"
#define PARITY_MODELS_CHANNEL "models_changed"

struct parity_read_cache {
  pthread_mutex_t reload_lock; /* held across a reload's read and publish */
  struct parity_snapshot_slot prices;
  struct parity_snapshot_slot models;
};

void parity_read_cache_init(struct parity_read_cache *c);
void parity_read_cache_close(struct parity_read_cache *c);

int parity_read_cache_reload_prices(struct parity_read_cache *c, struct parity_db *db);
int parity_read_cache_reload_models(struct parity_read_cache *c, struct parity_db *db);
/* Both; the first error is returned, the other is still tried. */
int parity_read_cache_reload_all(struct parity_read_cache *c, struct parity_db *db);

/* The current tables with a reference each (parity_snapshot_release(&t->snap) when done); NULL while none
 * was ever loaded (the database was unreachable at startup and since). */
struct parity_price_table *parity_read_cache_prices(struct parity_read_cache *c);
struct parity_model_table *parity_read_cache_models(struct parity_read_cache *c);

#endif
