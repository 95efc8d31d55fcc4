/* parity-operational: migrate, then serve the API and internal endpoints until SIGTERM, then drain. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/daemon.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/app.h"
#include "operational/auth_gate.h"
#include "operational/cron.h"
#include "operational/events.h"
#include "operational/forecast_listener.h"
#include "operational/http.h"
#include "operational/job_watch.h"
#include "operational/pg_listener.h"
#include "operational/mail.h"
#include "operational/migrate.h"
#include "operational/outbox_relay.h"
#include "operational/rebalance_planner.h"
#include "operational/queries.h"
#include "common/version.h"

#define DB_POOL_SIZE 16
#define MIGRATE_WAIT_SECONDS 60

static struct parity_app app;

static void on_signal(int sig)
{
  (void)sig;
  app.stopping = 1; /* the main loop does the shutdown; a handler only sets a flag */
}

static void install_signals(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
}

/* The database may come up after us (compose, k8s): retry the migrations for a while. */
static int migrate_with_retry(void)
{
  int applied = 0, rc = PARITY_EDB;
  for (int waited = 0; waited <= MIGRATE_WAIT_SECONDS && !app.stopping; waited++) {
    rc = parity_migrate(app.cfg.database_url, app.cfg.migrations_dir, NULL, &applied);
    if (rc != PARITY_EDB)
      break;
    sleep(1);
  }
  if (!rc)
    parity_log(PARITY_LOG_INFO, "migrations_done", "{s:i}", "applied", applied);
  return rc;
}

static json_t *load_openapi(void)
{
  json_error_t err;
  /* openapi.yaml is written in the JSON subset of YAML, so jansson reads it as it is. */
  json_t *doc = json_load_file(app.cfg.openapi_file, 0, &err);
  if (!doc)
    parity_log(PARITY_LOG_WARN, "openapi_not_loaded", "{s:s, s:i}", "error", err.text, "line", err.line);
  return doc;
}

/* The tables the read path serves are loaded before the first request; when the database cannot be read now,
   the LISTEN thread loads them once it connects, and until then the routes that need them answer 503. */
static void load_read_cache(void)
{
  struct parity_db *db = NULL;
  int rc = parity_db_pool_acquire(&app.pool, &db);
  if (!rc) {
    rc = parity_read_cache_reload_all(&app.read_cache, db);
    parity_db_pool_release(&app.pool, db);
  }
  if (rc)
    parity_log(PARITY_LOG_WARN, "read_cache_not_loaded", "{s:s}", "error", parity_err_str(rc));
}

int main(int argc, char **argv)
{
  int status = parity_daemon_start(argc, argv, "operational",
                                   "Serves the Parity API (HTTP_PORT) and internal endpoints (INTERNAL_PORT).",
                                   PARITY_ROLE_OPERATIONAL, &app.cfg);
  if (status != PARITY_DAEMON_CONTINUE)
    return status;
  install_signals();
  parity_wakeup_init(&app.outbox_wake);
  parity_wakeup_init(&app.planner_wake);
  parity_app_metrics_init(&app.metrics);

  int rc = parity_auth_gate_init(&app);
  bool gate_ready = rc == PARITY_OK;
  if (!rc)
    rc = migrate_with_retry();
  if (!rc)
    rc = parity_mail_start(&app.cfg, &app.mail);
  if (rc) {
    parity_log(PARITY_LOG_ERROR, "startup_failed", "{s:s}", "error", parity_err_str(rc));
    if (gate_ready)
      parity_auth_gate_shutdown(&app);
    parity_config_free(&app.cfg);
    return 1;
  }
  app.openapi = load_openapi();
  parity_db_pool_open(&app.pool, DB_POOL_SIZE, app.cfg.database_url, parity_op_stmts, Q_OP_QUERY_COUNT);
  parity_read_cache_init(&app.read_cache);
  load_read_cache();

  pthread_t relay, cron, planner;
  bool relay_started = false, events_started = false, cron_started = false, planner_started = false;
  rc = parity_outbox_relay_start(&app, &relay);
  relay_started = rc == PARITY_OK;
  if (!rc) {
    rc = parity_events_start(&app);
    events_started = true; /* joins whichever consumers did start */
  }
  if (!rc) {
    rc = parity_planner_start(&app, &planner);
    planner_started = rc == PARITY_OK;
  }
  if (!rc && app.cfg.enable_cron) {
    rc = parity_cron_start(&app, &cron);
    cron_started = rc == PARITY_OK;
  }
  /* the LISTEN thread: wakes forecast long-polls, reloads the read cache */
  if (!rc)
    rc = parity_forecast_listener_start(&app);
  if (!rc)
    rc = parity_job_watch_start(&app);
  if (!rc)
    rc = parity_pg_listener_start(&app);
  if (!rc)
    rc = parity_http_start(&app);
  if (!rc) {
    parity_log(PARITY_LOG_INFO, "ready", "{s:s, s:i, s:i}", "version", parity_version(), "http_port",
               (int)app.cfg.http_port, "internal_port", (int)app.cfg.internal_port);
    while (!app.stopping)
      usleep(100000);
    parity_log(PARITY_LOG_INFO, "draining", "{s:i}", "grace_seconds", (int)app.cfg.shutdown_grace_seconds);
    parity_http_quiesce(&app);
    parity_http_stop(&app, (int)app.cfg.shutdown_grace_seconds);
  }
  app.stopping = 1;
  parity_wakeup_kick(&app.outbox_wake);
  parity_wakeup_kick(&app.planner_wake);
  if (relay_started)
    pthread_join(relay, NULL);
  if (events_started)
    parity_events_join();
  if (planner_started)
    pthread_join(planner, NULL);
  if (cron_started)
    pthread_join(cron, NULL);
  parity_pg_listener_stop(&app);
  parity_forecast_listener_stop(&app); /* after the last long-poll */
  parity_job_watch_stop(&app);         /* after the last event stream */
  parity_wakeup_destroy(&app.outbox_wake);
  parity_wakeup_destroy(&app.planner_wake);

  parity_mail_stop(app.mail); /* delivers what is queued */
  parity_db_pool_close(&app.pool);
  parity_read_cache_close(&app.read_cache);
  json_decref(app.openapi);
  parity_auth_gate_shutdown(&app);
  parity_metrics_shutdown();
  parity_config_free(&app.cfg);
  parity_log(PARITY_LOG_INFO, "stopped", "{s:b}", "clean", rc == PARITY_OK);
  return rc ? 1 : 0;
}
