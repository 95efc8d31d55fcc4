/* The job a command works for (job_track.h). */
#include "decisional/job_track.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/json.h"
#include "common/log.h"
#include "decisional/queries.h"

/* A batch is one part of its run's job: the run's counters move the job, not the batch's handler. */
static bool moves_whole_job(const struct parity_message *msg)
{
  return msg->type != PARITY_CMD_REBALANCE_BATCH;
}

int64_t parity_job_track_id(const struct parity_message *msg)
{
  return parity_json_int(msg->payload, "job_id", 0);
}

const char *parity_job_track_id_text(const struct parity_message *msg, char buf[PARITY_I64_TEXT])
{
  int64_t id = parity_job_track_id(msg);
  return id > 0 ? parity_i64(id, buf) : NULL;
}

void parity_job_track_progress(const struct parity_job *job, int64_t done, int64_t total)
{
  int64_t id = parity_job_track_id(job->msg);
  struct parity_db *db = job->progress_db;
  if (!id || !moves_whole_job(job->msg) || !db)
    return;
  int rc = db->url ? parity_db_ensure(db)
                   : parity_db_open(db, job->cfg->decisional_database_url, parity_dec_stmts, QD_DEC_QUERY_COUNT);
  char idt[PARITY_I64_TEXT], donet[PARITY_I64_TEXT], totalt[PARITY_I64_TEXT];
  if (!rc)
    rc = PARITY_DB_EXEC(db, QD_JOB_PROGRESS, NULL, parity_i64(id, idt), parity_i64(done, donet),
                        total < 0 ? NULL : parity_i64(total, totalt));
  if (rc)
    parity_log(PARITY_LOG_WARN, "job_progress_not_written", "{s:I, s:I, s:s}", "job_id", (json_int_t)id, "done",
               (json_int_t)done, "error", parity_err_str(rc));
}

void parity_job_track_started(struct parity_db *db, const struct parity_message *msg)
{
  int64_t id = parity_job_track_id(msg);
  if (!id || !moves_whole_job(msg))
    return;
  char text[PARITY_I64_TEXT];
  int rc = PARITY_DB_EXEC(db, QD_JOB_RUNNING, NULL, parity_i64(id, text));
  if (rc)
    parity_log(PARITY_LOG_WARN, "job_not_marked_running", "{s:I, s:s}", "job_id", (json_int_t)id, "error",
               parity_err_str(rc));
}

int parity_job_track_done(const struct parity_job *job)
{
  int64_t id = parity_job_track_id(job->msg);
  if (!id || !moves_whole_job(job->msg))
    return PARITY_OK;
  /* The units of a command: its symbols for a sync, one for the rest. */
  const json_t *symbols = json_object_get(job->msg->payload, "symbols");
  int64_t units = json_is_array(symbols) ? (int64_t)json_array_size(symbols) : 1;
  json_t *counters = job->event_payload ? json_deep_copy(job->event_payload) : json_object();
  if (job->outcome)
    json_object_set_new(counters, "outcome", json_string(job->outcome));
  char *text = json_dumps(counters, JSON_COMPACT);
  json_decref(counters);
  char idt[PARITY_I64_TEXT], unitst[PARITY_I64_TEXT];
  bool failed = job->failure[0] != '\0';
  int rc = PARITY_DB_EXEC(job->db, QD_JOB_DONE, NULL, parity_i64(id, idt), failed ? "failed" : "succeeded",
                          failed ? job->failure : NULL, parity_i64(units, unitst), text);
  free(text);
  return rc;
}

void parity_job_track_dead_lettered(struct parity_db *db, const char *body, size_t len, const char *reason)
{
  json_t *doc = len <= PARITY_MESSAGE_MAX_BYTES ? json_loadb(body, len, 0, NULL) : NULL;
  const json_t *payload = json_object_get(doc, "payload");
  json_int_t id = json_integer_value(json_object_get(payload, "job_id"));
  char why[512];
  snprintf(why, sizeof(why), "%s %s dead-lettered: %s",
           json_string_value(json_object_get(doc, "type")) ? json_string_value(json_object_get(doc, "type"))
                                                           : "a command",
           json_string_value(json_object_get(doc, "id")) ? json_string_value(json_object_get(doc, "id")) : "", reason);
  json_decref(doc);
  if (id <= 0)
    return;
  char text[PARITY_I64_TEXT];
  int rc = PARITY_DB_EXEC(db, QD_JOB_FAIL, NULL, parity_i64(id, text), why);
  parity_log(rc ? PARITY_LOG_ERROR : PARITY_LOG_WARN, "job_failed_dead_letter", "{s:I, s:s, s:s}", "job_id", id,
             "reason", why, "error", rc ? parity_err_str(rc) : "none");
}
