/*
 * The forecast listener: ONE thread per operational process with its own PostgreSQL connection doing
 * LISTEN forecast_done, which wakes the long-polls of GET /forecasts/{id}?wait=N through a condition
 * variable. A waiting request holds no pool connection: it registers, reads the row, sleeps here,
 * and reads the row again when woken.
 *
 * Nothing is lost when a notification is: on every (re)connection the listener wakes every waiter,
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
#define PARITY_FORECAST_LISTENER_POLL_MS 250        /* poll() slice, so shutdown is noticed promptly */
#define PARITY_FORECAST_SWEEP_SECONDS 2             /* period of the two sweeps */
#define PARITY_FORECAST_UNNOTIFIED_GRACE_SECONDS 2  /* a result older than this and unseen was missed */
#define PARITY_FORECAST_PENDING_TIMEOUT_SECONDS 300 /* a forecast still pending after this ends in error */
#define PARITY_FORECAST_WAIT_SLICE_MS 250           /* waiters re-check shutdown this often */

struct parity_app;

/* One waiting request, on the waiter's stack; registered for the time of its wait. */
struct parity_forecast_waiter {
  char id[PARITY_UUID_TEXT];
  bool woken;
  struct parity_forecast_waiter *next;
};

struct parity_forecast_listener;

/* Starts the listener thread (app->forecast_listener); PARITY_EINTERNAL when it cannot. */
int parity_forecast_listener_start(struct parity_app *app);
/* Joins the thread (it ends once app->stopping is set) and frees the listener. */
void parity_forecast_listener_stop(struct parity_app *app);

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

/* True while the listener holds a LISTENing connection (for logs and tests). */
bool parity_forecast_listener_connected(const struct parity_forecast_listener *l);

#endif
