/*
 * The forecast waiters: the long-polls of GET /forecasts/{id}?wait=N sleep here on a condition variable
 * until the LISTEN thread (operational/pg_listener.c) hears forecast_done for their id. A waiting request
 * holds no pool connection: it registers, reads the row, sleeps here, and reads the row again when woken.
 *
 * Nothing is lost when a notification is: on every (re)connection the LISTEN thread wakes every waiter,
 * and every PARITY_FORECAST_SWEEP_SECONDS it wakes the waiters of results no replica has seen
 * (notified_at NULL) and ends, as errors, forecasts pending longer than
 * PARITY_FORECAST_PENDING_TIMEOUT_SECONDS (their command was dead-lettered or lost), so a forecast
 * never stays pending.
 */
#ifndef PARITY_FORECAST_LISTENER_H
#define PARITY_FORECAST_LISTENER_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "common/ids.h"

#define PARITY_FORECAST_CHANNEL "forecast_done"
#define PARITY_FORECAST_SWEEP_SECONDS 2             /* period of the two sweeps */
#define PARITY_FORECAST_UNNOTIFIED_GRACE_SECONDS 2  /* a result older than this and unseen was missed */
#define PARITY_FORECAST_PENDING_TIMEOUT_SECONDS 300 /* a forecast still pending after this ends in error */
#define PARITY_FORECAST_WAIT_SLICE_MS 250           /* waiters re-check shutdown this often */

struct parity_app;
struct parity_db;

/* One waiting request, on the waiter's stack; registered for the time of its wait. */
struct parity_forecast_waiter {
  char id[PARITY_UUID_TEXT];
  bool woken;
  struct parity_forecast_waiter *next;
};

struct parity_forecast_listener;

/* Sets up the waiters' registry (app->forecast_listener), before the LISTEN thread starts. */
int parity_forecast_listener_start(struct parity_app *app);
/* Frees the registry, after the LISTEN thread and the last long-poll ended. */
void parity_forecast_listener_stop(struct parity_app *app);

/* The forecast_done channel's hooks in the LISTEN thread's table (operational/pg_listener.h). */
int parity_forecast_on_notified(struct parity_app *app, struct parity_db *db, const char *payload);
int parity_forecast_on_connected(struct parity_app *app, struct parity_db *db);
/* The two sweeps, every PARITY_FORECAST_SWEEP_SECONDS. */
int parity_forecast_on_tick(struct parity_app *app, struct parity_db *db);

/* Registers before the first read of the row, so a result written in between still wakes the waiter. */
void parity_forecast_waiter_register(struct parity_forecast_listener *l, struct parity_forecast_waiter *w,
                                     const char *id);
void parity_forecast_waiter_unregister(struct parity_forecast_listener *l, struct parity_forecast_waiter *w);

/*
 * Sleeps until the waiter is woken (its id was notified, or notifications may have been missed), the
 * deadline (CLOCK_MONOTONIC) passes, or the process starts draining. Returns true when woken (and
 * clears the flag for the next wait), false on deadline or shutdown.
 */
bool parity_forecast_waiter_wait(struct parity_forecast_listener *l, struct parity_forecast_waiter *w,
                                 const struct timespec *deadline);

#endif
