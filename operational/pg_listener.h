/*
 * The LISTEN thread: ONE thread per operational process with its own PostgreSQL connection, LISTENing on
 * every channel of its table (pg_listener.c) and handing each notification to that channel's module:
 * forecast_done wakes the forecast long-polls (forecast_listener.c), prices_changed and models_changed
 * reload the tables the read path serves from memory (read_cache.c).
 *
 * A notification sent while the connection is down is lost, so on every (re)connection each channel's
 * module is told to catch up (wake every waiter, reload the tables); a channel may also ask for a
 * periodic tick on the same connection (the forecast sweeps).
 */
#ifndef PARITY_PG_LISTENER_H
#define PARITY_PG_LISTENER_H

#include <stdbool.h>

#include "common/pg.h"

#define PARITY_PG_LISTENER_POLL_MS 250 /* poll() slice, so shutdown and ticks are noticed promptly */
#define PARITY_PG_LISTENER_RECONNECT_PAUSE_MS 1000

struct parity_app;

/* One channel: what to LISTEN to and who handles it. Hooks return PARITY_OK or an error, which makes the
 * thread drop the connection and reconnect (as for a lost connection). */
struct parity_listen_channel {
  const char *channel;
  const char *listen_sql; /* the LISTEN command (operational/queries.h) */
  /* After every (re)connection, once LISTENing: catch up on what a lost notification would have said. */
  int (*connected)(struct parity_app *app, struct parity_db *db);
  /* A notification. With coalesce, once per wake-up however many arrived, with payload NULL. */
  int (*notified)(struct parity_app *app, struct parity_db *db, const char *payload);
  bool coalesce;
  /* Every tick_seconds (and at once after a reconnection); NULL when the channel needs none. */
  int (*tick)(struct parity_app *app, struct parity_db *db);
  int tick_seconds;
};

struct parity_pg_listener;

/* Starts the thread (app->listener); PARITY_EINTERNAL when it cannot. */
int parity_pg_listener_start(struct parity_app *app);
/* Joins the thread (it ends once app->stopping is set) and frees the listener. */
void parity_pg_listener_stop(struct parity_app *app);
/* True while the thread holds a LISTENing connection (for logs and tests). */
bool parity_pg_listener_connected(const struct parity_pg_listener *l);

#endif
