/* Outbox relay. A crash after commit loses nothing: the row waits until the broker confirms it. */
#include "operational/outbox_relay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/amqp.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/message.h"
#include "operational/app.h"
#include "operational/queries.h"

static int publish_row(struct parity_amqp *amqp, const char *id, const char *type_name, const char *payload_text)
{
  enum parity_msg_type type = parity_msg_type_parse(type_name);
  json_error_t jerr;
  json_t *payload = json_loads(payload_text, 0, &jerr);
  if (type == PARITY_MSG_UNKNOWN || !payload) {
    json_decref(payload);
    return PARITY_EINVAL;
  }
  char *body = parity_message_envelope_new(type, id, payload);
  const char *exchange = parity_msg_type_is_command(type) ? PARITY_EXCHANGE_COMMANDS : PARITY_EXCHANGE_EVENTS;
  int rc = parity_amqp_publish(amqp, exchange, type_name, id, type_name, body, strlen(body));
  free(body);
  return rc;
}

int parity_outbox_relay_once(struct parity_db *db, struct parity_amqp *amqp, struct parity_metric *published_metric,
                             int *published)
{
  *published = 0;
  char limit[PARITY_I64_TEXT];
  parity_i64(PARITY_OUTBOX_BATCH, limit);
  int rc = parity_db_begin(db);
  if (rc)
    return rc;
  PGresult *rows = NULL;
  rc = PARITY_DB_EXEC(db, Q_OUTBOX_CLAIM, &rows, limit);
  if (rc)
    return parity_db_rollback(db, rc);
  int n = PQntuples(rows);
  for (int i = 0; i < n && !rc; i++) {
    const char *id = PQgetvalue(rows, i, 0), *type = PQgetvalue(rows, i, 1);
    int prc = publish_row(amqp, id, type, PQgetvalue(rows, i, 2));
    if (published_metric)
      parity_metric_add(published_metric, 1, type, prc == PARITY_OK ? "confirmed" : "failed");
    if (prc == PARITY_OK) {
      rc = PARITY_DB_EXEC(db, Q_OUTBOX_MARK_SENT, NULL, id);
      (*published)++;
    } else {
      /* Stop at the first failure so order is kept; the row is retried on the next pass. */
      rc = PARITY_DB_EXEC(db, Q_OUTBOX_MARK_FAILED, NULL, id, parity_err_str(prc));
      if (!rc)
        rc = prc;
    }
  }
  PQclear(rows);
  if (rc == PARITY_EAMQP || rc == PARITY_EINVAL) {
    /* Keep the marks made so far (they reflect confirmed publishes) and the failure count. */
    int crc = parity_db_commit(db);
    return crc ? crc : rc;
  }
  if (rc)
    return parity_db_rollback(db, rc);
  return parity_db_commit(db);
}

static void update_pending_gauge(struct parity_app *app, struct parity_db *db)
{
  PGresult *res = NULL;
  if (PARITY_DB_EXEC0(db, Q_OUTBOX_PENDING, &res) == PARITY_OK)
    parity_metric_set(app->metrics.outbox_pending, atof(PQgetvalue(res, 0, 0)));
  PQclear(res);
}

static void wait_for_work(struct parity_app *app, struct parity_amqp *amqp, long wait_ms)
{
  /* Service broker heartbeats while idle, then sleep on the wake-up signal for the rest of the poll. */
  if (parity_amqp_is_open(amqp) && parity_amqp_idle(amqp, 10) != PARITY_OK)
    atomic_store(&app->broker_ok, false);
  parity_wakeup_wait(&app->outbox_wake, wait_ms, &app->stopping);
}

#define QUEUE_DEPTH_PERIOD_SECONDS 15

/* The broker's backlog, for dashboards and the dead-letter alert; passive declares on the relay channel. */
static void poll_queue_depths(struct parity_app *app, struct parity_amqp *amqp, time_t *last)
{
  time_t now = time(NULL);
  if (now - *last < QUEUE_DEPTH_PERIOD_SECONDS || !parity_amqp_is_open(amqp))
    return;
  *last = now;
  static const char *const queues[] = { PARITY_QUEUE_INTERACTIVE, PARITY_QUEUE_PIPELINE, PARITY_QUEUE_REBALANCE,
                                        PARITY_QUEUE_EVENTS, PARITY_QUEUE_DEAD };
  for (size_t i = 0; i < sizeof(queues) / sizeof(queues[0]); i++) {
    long depth = parity_amqp_queue_depth(amqp, queues[i]);
    if (depth < 0)
      return;
    parity_metric_set(app->metrics.queue_depth, (double)depth, queues[i]);
    if (strcmp(queues[i], PARITY_QUEUE_DEAD) == 0)
      parity_metric_set(app->metrics.dead_letters, (double)depth);
  }
}

static void *relay_main(void *arg)
{
  struct parity_app *app = arg;
  struct parity_db db = { 0 };
  struct parity_amqp amqp = { 0 };
  bool quorum = strcmp(app->cfg.amqp_queue_type, "quorum") == 0;
  time_t last_depth_poll = 0;
  long backoff_ms = app->cfg.outbox_poll_ms; /* grows while the database or broker is away */
  parity_log(PARITY_LOG_INFO, "outbox_relay_started", NULL);
  while (!app->stopping) {
    if (!db.conn && parity_db_open(&db, app->cfg.database_url, parity_op_stmts, Q_OP_QUERY_COUNT) != PARITY_OK) {
      wait_for_work(app, &amqp, backoff_ms);
      backoff_ms = backoff_ms * 2 > 5000 ? 5000 : backoff_ms * 2;
      continue;
    }
    if (!parity_amqp_is_open(&amqp)) {
      if (parity_amqp_connect(&amqp, app->cfg.amqp_url, quorum, true) != PARITY_OK ||
          parity_amqp_declare_topology(&amqp) != PARITY_OK) {
        atomic_store(&app->broker_ok, false);
        parity_amqp_close(&amqp);
        wait_for_work(app, &amqp, backoff_ms);
        backoff_ms = backoff_ms * 2 > 5000 ? 5000 : backoff_ms * 2;
        continue;
      }
      atomic_store(&app->broker_ok, true);
      parity_log(PARITY_LOG_INFO, "outbox_broker_connected", NULL);
    }
    int published = 0;
    int rc = parity_outbox_relay_once(&db, &amqp, app->metrics.commands_published, &published);
    if (rc == PARITY_EAMQP) {
      atomic_store(&app->broker_ok, parity_amqp_is_open(&amqp));
    } else if (rc == PARITY_EDB) {
      parity_db_close(&db);
    }
    update_pending_gauge(app, &db);
    poll_queue_depths(app, &amqp, &last_depth_poll);
    backoff_ms = app->cfg.outbox_poll_ms;
    if (published < PARITY_OUTBOX_BATCH || rc)
      wait_for_work(app, &amqp, app->cfg.outbox_poll_ms);
  }
  parity_amqp_close(&amqp);
  parity_db_close(&db);
  parity_log(PARITY_LOG_INFO, "outbox_relay_stopped", NULL);
  return NULL;
}

int parity_outbox_relay_start(struct parity_app *app, pthread_t *thread)
{
  return pthread_create(thread, NULL, relay_main, app) == 0 ? PARITY_OK : PARITY_EINTERNAL;
}
