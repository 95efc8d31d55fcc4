/* Message dispatch: validate, claim the id, run the handler in one transaction, decide ack/retry/dead-letter. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/errors.h"
#include "common/log.h"
#include "decisional/job_track.h"
#include "decisional/queries.h"
#include "decisional/worker.h"

static const parity_job_handler handlers[PARITY_MSG_TYPE_COUNT] = {
  [PARITY_CMD_SYNC_DAILY] = parity_h_sync_daily,
  [PARITY_CMD_SYNC_INTRADAY] = parity_h_sync_intraday,
  [PARITY_CMD_GENERATE] = parity_h_generate,
  [PARITY_CMD_FORECAST] = parity_h_forecast,
  [PARITY_CMD_REBALANCE_BATCH] = parity_h_rebalance_batch,
  [PARITY_CMD_BACKTEST] = parity_h_backtest,
};

parity_job_handler parity_dispatch_handler(enum parity_msg_type type)
{
  return type > PARITY_MSG_UNKNOWN && type < PARITY_MSG_TYPE_COUNT ? handlers[type] : NULL;
}

void parity_decisional_metrics_init(struct parity_decisional_metrics *m)
{
  static const double compute_buckets[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5 };
  m->messages = parity_metric_register(PARITY_COUNTER, "parity_decisional_messages_total",
                                       "Messages handled, by type and outcome", "type,status", NULL, 0);
  m->message_duration = parity_metric_register(PARITY_HISTOGRAM, "parity_decisional_message_duration_seconds",
                                               "Time to handle a message, commit included", "type", NULL, 0);
  m->forecast_duration = parity_metric_register(PARITY_HISTOGRAM, "parity_decisional_forecast_duration_seconds",
                                                "Monte Carlo forecast compute time", NULL, compute_buckets,
                                                sizeof(compute_buckets) / sizeof(compute_buckets[0]));
  m->hrp_duration = parity_metric_register(PARITY_HISTOGRAM, "parity_decisional_hrp_duration_seconds",
                                           "Model generation (HRP for every bucket) compute time", NULL,
                                           compute_buckets, sizeof(compute_buckets) / sizeof(compute_buckets[0]));
  m->rows_upserted = parity_metric_register(PARITY_COUNTER, "parity_decisional_market_rows_upserted_total",
                                            "Price rows inserted or changed", NULL, NULL, 0);
  m->quality_findings =
      parity_metric_register(PARITY_GAUGE, "parity_market_quality_findings",
                             "Open market-data quality findings per check (market_quality), after the last daily sync",
                             "check,severity", NULL, 0);
}

static bool is_transient(int rc)
{
  return rc == PARITY_EDB || rc == PARITY_EAMQP || rc == PARITY_EIO || rc == PARITY_ERATE || rc == PARITY_EUPSTREAM ||
         rc == PARITY_EUNAVAILABLE;
}

static double seconds_since(const struct timespec *t0)
{
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

enum parity_dispatch_result parity_dispatch(struct parity_worker_shared *shared, struct parity_db *db,
                                            struct parity_db *progress_db, const char *body, size_t len,
                                            char **event_body, enum parity_msg_type *event_type, char *event_id)
{
  *event_body = NULL;
  struct parity_message msg;
  char err[512];
  if (parity_message_parse(body, len, &msg, err, sizeof(err)) != PARITY_OK) {
    parity_log(PARITY_LOG_WARN, "message_dead_lettered", "{s:s, s:i}", "error", err, "bytes", (int)len);
    parity_metric_add(shared->metrics.messages, 1, "invalid", "dead_lettered");
    parity_job_track_dead_lettered(db, body, len, err);
    return PARITY_DISPATCH_DEAD_LETTER;
  }
  const char *type = parity_msg_type_name(msg.type);
  parity_log_set_context("message_id", msg.id);
  enum parity_dispatch_result result = PARITY_DISPATCH_ACK;
  parity_job_handler handler = parity_dispatch_handler(msg.type);
  if (!handler) {
    parity_log(PARITY_LOG_WARN, "message_dead_lettered", "{s:s, s:s}", "type", type, "error",
               "no handler for this type in parity-decisional");
    parity_metric_add(shared->metrics.messages, 1, type, "dead_lettered");
    parity_job_track_dead_lettered(db, body, len, "no handler for this type in parity-decisional");
    result = PARITY_DISPATCH_DEAD_LETTER;
    goto out;
  }

  struct timespec started;
  clock_gettime(CLOCK_MONOTONIC, &started);
  struct parity_job job = {
    .db = db,
    .cfg = &shared->cfg,
    .msg = &msg,
    .metrics = &shared->metrics,
    .stop = &shared->stopping,
    .progress_db = progress_db,
  };
  parity_job_track_started(db, &msg);
  int rc = parity_db_begin(db);
  PGresult *res = NULL;
  if (!rc)
    rc = PARITY_DB_EXEC(db, QD_PROCESSED_INSERT, &res, msg.id, type);
  if (!rc && parity_db_affected(res) == 0) {
    /* Already processed (a redelivery, or a twin consumer committed first): no effect, just ack. */
    PQclear(res);
    parity_db_rollback(db, 0);
    parity_log(PARITY_LOG_INFO, "message_duplicate", "{s:s}", "type", type);
    parity_metric_add(shared->metrics.messages, 1, type, "duplicate");
    goto out;
  }
  PQclear(res);
  if (!rc)
    rc = handler(&job);
  if (!rc)
    rc = parity_job_track_done(&job);
  if (!rc)
    rc = parity_db_commit(db);
  else
    parity_db_rollback(db, rc);

  double seconds = seconds_since(&started);
  parity_metric_observe(shared->metrics.message_duration, seconds, type);
  if (rc == PARITY_OK) {
    const char *outcome = job.outcome ? job.outcome : "ok";
    parity_metric_add(shared->metrics.messages, 1, type, outcome);
    parity_log(PARITY_LOG_INFO, "message_done", "{s:s, s:s, s:f}", "type", type, "outcome", outcome, "seconds",
               seconds);
    if (job.event_payload) {
      parity_uuid_v4(event_id);
      *event_type = job.event_type;
      *event_body = parity_message_envelope_new(job.event_type, event_id, job.event_payload);
      job.event_payload = NULL;
    }
  } else if (is_transient(rc)) {
    parity_log(PARITY_LOG_WARN, "message_retry", "{s:s, s:s}", "type", type, "error", parity_err_str(rc));
    parity_metric_add(shared->metrics.messages, 1, type, "retry");
    result = PARITY_DISPATCH_RETRY;
  } else {
    parity_log(PARITY_LOG_ERROR, "message_dead_lettered", "{s:s, s:s}", "type", type, "error", parity_err_str(rc));
    parity_metric_add(shared->metrics.messages, 1, type, "dead_lettered");
    parity_job_track_dead_lettered(db, body, len, job.failure[0] ? job.failure : parity_err_str(rc));
    result = PARITY_DISPATCH_DEAD_LETTER;
  }
  json_decref(job.event_payload);
out:
  parity_log_set_context(NULL, NULL);
  parity_message_free(&msg);
  return result;
}
