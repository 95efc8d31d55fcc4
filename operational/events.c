/*
 * Events consumers: PARITY_APPLY_THREADS threads share operational.events, each with its own database and
 * broker connections, so rebalance batches are applied concurrently (and across replicas: the batch row
 * is the lock). Each event's effect and its processed_messages row (or batch status) commit together,
 * then the ack. The first consumer also runs the sweep.
 */
#include "operational/events.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/amqp.h"
#include "common/errors.h"
#include "common/json.h"
#include "common/log.h"
#include "common/message.h"
#include "operational/app.h"
#include "operational/queries.h"
#include "operational/rebalance_apply.h"
#include "operational/svc_market_quality.h"
#include "operational/svc_dividends.h"
#include "operational/svc_harvest.h"
#include "operational/svc_pipeline.h"

/* A batch is large: a low prefetch lets every consumer (thread or replica) take its share. */
#define EVENTS_PREFETCH 2
#define EVENTS_WAIT_MS 500
#define SWEEP_PERIOD_SECONDS 2

struct consumer {
  struct parity_app *app;
  int index;
  pthread_t thread;
  bool started;
};

static struct consumer *consumers;
static int n_consumers;

/* Runs the event's effect inside the open transaction. */
static int apply_event(struct parity_app *app, struct parity_db *db, const struct parity_message *msg)
{
  switch (msg->type) {
  case PARITY_EVT_SYNC_DONE: {
    const char *kind = parity_json_str(msg->payload, "kind", "");
    parity_metric_set(app->metrics.pipeline_last_success, (double)time(NULL),
                      strcmp(kind, "daily") == 0 ? "daily_sync" : "intraday_sync");
    /* A split a sync brought in (the intraday one sees it during its day) multiplies the held shares. */
    json_t *splits = NULL;
    int rc = parity_svc_splits_apply(db, &splits);
    json_decref(splits);
    if (rc || strcmp(kind, "daily") != 0)
      return rc;
    /* New daily closes: regenerate the model portfolios (idempotent per as-of day). */
    json_t *queued = NULL;
    rc = parity_svc_pipeline_generate_in_tx(db, &app->cfg, &queued);
    json_decref(queued);
    return rc;
  }
  default:
    return PARITY_OK;
  }
}

/* Applies late results and deploys waiting cash; safe to run any time (every step is idempotent). */
static int sweep(struct parity_app *app, struct parity_db *db)
{
  bool kicked = false;
  int rc = parity_svc_rebalance_sweep(db, &app->cfg, &app->metrics, &kicked);
  if (kicked)
    parity_wakeup_kick(&app->outbox_wake);
  return rc;
}

/* 0: acked (applied or already applied); negative: transient, the message is requeued. */
static int handle(struct parity_app *app, struct parity_db *db, const struct parity_message *msg)
{
  if (msg->type == PARITY_EVT_REBALANCE_BATCH_COMPUTED) {
    /* The batch row is the idempotency key: applying it twice changes nothing. */
    int trades;
    bool complete;
    int rc =
        parity_svc_apply_batch(db, parity_json_int(msg->payload, "batch_id", 0), &app->metrics, &trades, &complete);
    if (!rc && trades >= 0)
      parity_wakeup_kick(&app->planner_wake); /* the planner may be waiting for the run to catch up */
    return rc;
  }
  if (msg->type == PARITY_EVT_SYNC_DONE && strcmp(parity_json_str(msg->payload, "kind", ""), "daily") == 0) {
    /* New closes: credit the ex-dates they reach before the event is recorded, so a failure requeues it
     * and a redelivery finds every day credited already (each day is its own transaction, once). */
    int rc = parity_svc_dividends_credit_job(db, NULL, parity_json_str(msg->payload, "last_day", NULL), "event",
                                             &app->metrics, NULL);
    if (rc)
      return rc;
    /* Then today's tax-loss harvest at the new closes (its own job and transactions, once per investor and
     * day). Its failure does not hold the pipeline back: the job says so, and the CronJob runs it again. */
    if (parity_svc_harvest_run(db, &app->cfg, "event", &app->metrics, NULL) == PARITY_EDB)
      return PARITY_EDB;
  }
  if (msg->type == PARITY_EVT_MODELS_GENERATED) {
    parity_metric_set(app->metrics.pipeline_last_success, (double)time(NULL), "models");
    parity_read_cache_reload_models(&app->read_cache, db); /* this replica at once; the others on NOTIFY */
    int rc = sweep(app, db);                               /* cash that waited for a model can be deployed now */
    if (rc)
      return rc;
    return parity_svc_pipeline_backtest_after_models(db, &app->cfg, msg->id,
                                                     parity_json_str(msg->payload, "as_of", ""));
  }
  int rc = parity_db_begin(db);
  if (rc)
    return rc;
  PGresult *res = NULL;
  rc = PARITY_DB_EXEC(db, Q_PROCESSED_INSERT, &res, msg->id, parity_msg_type_name(msg->type));
  if (rc)
    return parity_db_rollback(db, rc);
  long fresh = parity_db_affected(res);
  PQclear(res);
  if (!fresh)
    return parity_db_rollback(db, PARITY_OK); /* a redelivery: the effect is already there */
  rc = apply_event(app, db, msg);
  if (rc)
    return parity_db_rollback(db, rc);
  return parity_db_commit(db);
}

static void consume_one(struct parity_app *app, struct parity_db *db, struct parity_amqp *amqp,
                        struct parity_delivery *d)
{
  struct parity_message msg;
  char err[256];
  if (parity_message_parse(d->body, d->len, &msg, err, sizeof(err)) != PARITY_OK) {
    parity_log(PARITY_LOG_WARN, "event_rejected", "{s:s}", "error", err);
    parity_metric_add(app->metrics.events_consumed, 1, "invalid", "dead_lettered");
    parity_amqp_reject(amqp, d->tag, false);
    return;
  }
  parity_log_set_context("message_id", msg.id);
  int rc = handle(app, db, &msg);
  const char *type = parity_msg_type_name(msg.type);
  if (rc == PARITY_OK) {
    parity_amqp_ack(amqp, d->tag);
    parity_wakeup_kick(&app->outbox_wake);
    parity_metric_add(app->metrics.events_consumed, 1, type, "ok");
  } else {
    parity_log(PARITY_LOG_WARN, "event_failed", "{s:s, s:s}", "type", type, "error", parity_err_str(rc));
    parity_metric_add(app->metrics.events_consumed, 1, type, "retry");
    if (rc == PARITY_EDB)
      parity_db_close(db); /* reconnected on the next turn: PostgreSQL may have restarted */
    sleep(1);
    parity_amqp_reject(amqp, d->tag, true);
  }
  parity_log_set_context(NULL, NULL);
  parity_message_free(&msg);
}

static void *events_main(void *arg)
{
  struct consumer *c = arg;
  struct parity_app *app = c->app;
  struct parity_db db = { 0 };
  struct parity_amqp amqp = { 0 };
  bool quorum = strcmp(app->cfg.amqp_queue_type, "quorum") == 0;
  time_t last_sweep = 0;
  while (!app->stopping) {
    int db_rc =
        db.url ? parity_db_ensure(&db) : parity_db_open(&db, app->cfg.database_url, parity_op_stmts, Q_OP_QUERY_COUNT);
    if (db_rc != PARITY_OK) {
      sleep(1);
      continue;
    }
    if (!parity_amqp_is_open(&amqp)) {
      if (parity_amqp_connect_retry(&amqp, app->cfg.amqp_url, quorum, false, &app->stopping) != PARITY_OK)
        continue;
      if (parity_amqp_declare_topology(&amqp) != PARITY_OK ||
          parity_amqp_consume(&amqp, PARITY_QUEUE_EVENTS, EVENTS_PREFETCH) != PARITY_OK) {
        parity_amqp_close(&amqp);
        sleep(1);
        continue;
      }
    }
    if (c->index == 0 && time(NULL) - last_sweep >= SWEEP_PERIOD_SECONDS) {
      last_sweep = time(NULL);
      if (sweep(app, &db) == PARITY_EDB)
        parity_db_close(&db);
      continue;
    }
    struct parity_delivery d;
    int rc = parity_amqp_next(&amqp, EVENTS_WAIT_MS, &d);
    if (rc == 1)
      continue;
    if (rc) {
      parity_amqp_close(&amqp);
      continue;
    }
    consume_one(app, &db, &amqp, &d);
    parity_amqp_delivery_free(&d);
  }
  parity_amqp_close(&amqp);
  parity_db_close(&db);
  return NULL;
}

int parity_events_start(struct parity_app *app)
{
  n_consumers = (int)app->cfg.apply_threads;
  consumers = parity_xcalloc((size_t)n_consumers, sizeof(*consumers));
  for (int i = 0; i < n_consumers; i++) {
    consumers[i] = (struct consumer){ app, i, 0, false };
    if (pthread_create(&consumers[i].thread, NULL, events_main, &consumers[i]) != 0)
      return PARITY_EINTERNAL;
    consumers[i].started = true;
  }
  return PARITY_OK;
}

void parity_events_join(void)
{
  for (int i = 0; i < n_consumers; i++)
    if (consumers[i].started)
      pthread_join(consumers[i].thread, NULL);
  free(consumers);
  consumers = NULL;
  n_consumers = 0;
}
