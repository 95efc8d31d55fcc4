/* The state parity-operational shares between its listeners, relay and schedule threads. */
#ifndef PARITY_APP_H
#define PARITY_APP_H

#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "common/config.h"
#include "common/metrics.h"
#include "common/pg.h"
#include "operational/auth/client_ip.h"
#include "operational/auth/jwt.h"
#include "operational/auth/secretbox.h"
#include "operational/read_cache.h"

struct MHD_Daemon;
struct parity_forecast_listener;
struct parity_pg_listener;
struct parity_mail;
struct parity_ratelimit;

struct parity_app_metrics {
  struct parity_metric *http_requests;      /* {route,method,status} */
  struct parity_metric *http_duration;      /* {route} */
  struct parity_metric *http_in_flight;     /* requests begun and not yet released, set at each scrape */
  struct parity_metric *commands_published; /* {type,status} */
  struct parity_metric *outbox_pending;
  struct parity_metric *rebalance_runs; /* {status} */
  struct parity_metric *rebalance_stale_aborts;
  struct parity_metric *queue_depth; /* {queue} */
  struct parity_metric *dead_letters;
  struct parity_metric *pipeline_last_success; /* {pipeline} */
  struct parity_metric *rebalance_last_success;
  struct parity_metric *events_consumed; /* {type,status} */
};

struct parity_app {
  struct parity_config cfg;
  struct parity_db_pool pool;
  struct parity_app_metrics metrics;
  struct MHD_Daemon *public_daemon;
  struct MHD_Daemon *internal_daemon;
  /* Set by SIGTERM/SIGINT, read by every thread: a lock-free atomic is safe to write in a signal handler
   * and, unlike volatile sig_atomic_t, a defined way to hand the flag to other threads. */
  atomic_int stopping;
  atomic_bool draining;
  atomic_bool broker_ok; /* the outbox relay's broker connection is up */
  atomic_int in_flight;  /* requests being handled */
  /* accounts and security: set up by parity_auth_gate_init(), read-only after start */
  struct parity_jwt jwt;                              /* JWT_SECRET: access tokens */
  struct parity_secretbox totp_box;                   /* TOTP_ENC_KEY: TOTP secrets at rest */
  struct parity_trusted_proxies proxies;              /* TRUSTED_PROXIES: whose X-Forwarded-For counts */
  struct parity_ratelimit *ratelimit;                 /* RATE_LIMIT_RPS / RATE_LIMIT_BURST, per client IP */
  struct parity_mail *mail;                           /* outgoing email (operational/mail.h), started in main */
  json_t *openapi;                                    /* the API description, served at /api/v1/openapi.json */
  struct parity_forecast_listener *forecast_listener; /* the forecast long-polls' waiters */
  struct parity_pg_listener *listener;                /* the LISTEN thread (operational/pg_listener.c) */
  struct parity_read_cache read_cache;                /* prices and models served from memory */
  pthread_mutex_t outbox_lock;
  pthread_cond_t outbox_wake; /* signalled when this process writes the outbox */
  bool outbox_kicked;         /* set with the signal, so a kick while the relay is busy is not lost */
  /* the rebalance planner thread (rebalance_planner.c): woken by a new run or an applied batch */
  pthread_mutex_t planner_lock;
  pthread_cond_t planner_wake;
  bool planner_kicked;
};

/* Registers the metrics of SPEC §11 (names are the contract with dashboards and alerts). */
void parity_app_metrics_init(struct parity_app_metrics *m);

/* Wakes the outbox relay (after a transaction that wrote the outbox committed). */
void parity_app_outbox_kick(struct parity_app *app);

/* Wakes the rebalance planner (a run was created, or a batch applied: the planner may be waiting on it). */
void parity_app_planner_kick(struct parity_app *app);

#endif
