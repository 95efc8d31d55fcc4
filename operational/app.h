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
#include "common/wakeup.h"
#include "operational/auth/client_ip.h"
#include "operational/auth/jwt.h"
#include "operational/auth/secretbox.h"
#include "operational/read_cache.h"

struct MHD_Daemon;
struct parity_forecast_listener;
struct parity_pg_listener;
struct parity_job_watch;
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

  struct parity_metric *dividend_payments;   /* positions credited a dividend (svc_dividends.h) */
  struct parity_metric *dividend_cents;      /* cents of those dividends */
  struct parity_metric *tax_harvests;        /* funds sold by the tax-loss harvest (svc_harvest.h) */
  struct parity_metric *tax_harvested_cents; /* the losses they realized */
  struct parity_metric *jobs_stuck;
  struct parity_metric *job_watchers;
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
  struct parity_job_watch *job_watch;                 /* the job event streams' slots (operational/job_watch.h) */
  struct parity_read_cache read_cache;                /* prices and models served from memory */
  struct parity_wakeup outbox_wake;  /* the outbox relay: kicked after a commit that wrote the outbox */
  struct parity_wakeup planner_wake; /* the rebalance planner: kicked by a new run or an applied batch */
};

/* Registers the metrics of SPEC §11 (names are the contract with dashboards and alerts). */
void parity_app_metrics_init(struct parity_app_metrics *m);

#endif
