/* The jobs service (svc_jobs.h): the writers every job uses, the API's reads, and the retry. */
#include "operational/svc_jobs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/calendar.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/queries.h"

int parity_jobs_create(struct parity_db *db, enum parity_job_type type, const char *trigger, const json_t *params,
                       const char *status, int64_t *id)
{
  if (!parity_job_type_name(type) || !parity_job_trigger_valid(trigger))
    return PARITY_EINTERNAL;
  char *text = params ? json_dumps(params, JSON_COMPACT) : NULL;
  char seconds[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_JOB_INSERT, &res, parity_job_type_name(type), text, trigger, parity_job_type_unit(type),
                          parity_i64(parity_job_type_expected_seconds(type), seconds), status);
  free(text);
  if (!rc)
    *id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
  PQclear(res);
  return rc;
}

int parity_jobs_add_message(struct parity_db *db, int64_t job_id, const char *message_id)
{
  char id[PARITY_I64_TEXT];
  return PARITY_DB_EXEC(db, Q_JOB_ADD_MESSAGE, NULL, parity_i64(job_id, id), message_id);
}

int parity_jobs_progress(struct parity_db *db, int64_t job_id, int64_t done, int64_t total)
{
  char id[PARITY_I64_TEXT], d[PARITY_I64_TEXT], t[PARITY_I64_TEXT];
  return PARITY_DB_EXEC(db, Q_JOB_PROGRESS, NULL, parity_i64(job_id, id), parity_i64(done, d),
                        total < 0 ? NULL : parity_i64(total, t));
}

int parity_jobs_finish(struct parity_db *db, int64_t job_id, const char *status, const char *reason,
                       const json_t *counters)
{
  char id[PARITY_I64_TEXT];
  char *text = counters ? json_dumps(counters, JSON_COMPACT) : NULL;
  int rc = PARITY_DB_EXEC(db, Q_JOB_FINISH, NULL, parity_i64(job_id, id), status, reason, text);
  free(text);
  return rc;
}

int parity_jobs_cursor_parse(const char *text, int64_t *before)
{
  *before = 0;
  if (!text || !*text || strspn(text, "0123456789") != strlen(text) || strlen(text) > 18)
    return PARITY_EINVAL;
  *before = strtoll(text, NULL, 10);
  return *before > 0 ? PARITY_OK : PARITY_EINVAL;
}

const char *parity_jobs_request_trigger(const char *header)
{
  if (!header)
    return "api";
  static const char *const allowed[] = { "cronjob", "cli", "api" };
  for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
    if (strcmp(header, allowed[i]) == 0)
      return allowed[i];
  return NULL;
}

/* "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ": what `since` accepts (PostgreSQL reads both). */
static bool since_valid(const char *s)
{
  int32_t day;
  size_t n = strlen(s);
  if (n < 10 || parity_day_parse(s, 10, &day) != PARITY_OK)
    return false;
  if (n == 10)
    return true;
  return n == 20 && s[10] == 'T' && s[19] == 'Z' && s[13] == ':' && s[16] == ':' && strspn(s + 11, "0123456789:") == 8;
}

int parity_svc_jobs_list(struct parity_db *db, const struct parity_jobs_query *q, json_t **out,
                         struct parity_svc_error *err)
{
  if (q->type && parity_job_type_parse(q->type) == PARITY_JOB_UNKNOWN)
    return parity_svc_fail(err, PARITY_EINVAL, NULL, "type is not a job type");
  if (q->status && !parity_job_status_valid(q->status))
    return parity_svc_fail(err, PARITY_EINVAL, NULL, "status must be queued, running, succeeded, failed or aborted");
  if (q->since && !since_valid(q->since))
    return parity_svc_fail(err, PARITY_EINVAL, NULL, "since must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
  int64_t before = 0;
  if (q->cursor && parity_jobs_cursor_parse(q->cursor, &before))
    return parity_svc_fail(err, PARITY_EINVAL, NULL, "cursor is not one this endpoint gave");
  long limit = PARITY_JOBS_PAGE_DEFAULT;
  if (q->limit) {
    char *end;
    errno = 0;
    limit = strtol(q->limit, &end, 10);
    if (*end || errno || limit < 1 || limit > PARITY_JOBS_PAGE_MAX)
      return parity_svc_fail(err, PARITY_EINVAL, NULL, "limit must be 1 to %d", PARITY_JOBS_PAGE_MAX);
  }
  char b[PARITY_I64_TEXT], l[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_JOB_LIST, &res, q->type, q->status, q->since, before ? parity_i64(before, b) : NULL,
                          parity_i64(limit, l));
  if (rc)
    return rc;
  json_t *jobs = json_array();
  int n = PQntuples(res);
  for (int i = 0; i < n; i++)
    json_array_append_new(jobs, json_loads(PQgetvalue(res, i, 1), 0, NULL));
  /* A full page may have a next one; the cursor is its last id. */
  json_t *next = n == limit ? json_string(PQgetvalue(res, n - 1, 0)) : json_null();
  PQclear(res);
  *out = json_pack("{s:o, s:o}", "jobs", jobs, "next_cursor", next);
  return PARITY_OK;
}

int parity_svc_jobs_get(struct parity_db *db, int64_t id, json_t **out)
{
  char text[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_JOB_GET, &res, parity_i64(id, text));
  if (rc)
    return rc;
  if (PQntuples(res) != 1) {
    PQclear(res);
    return PARITY_ENOTFOUND;
  }
  *out = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
  PQclear(res);
  return *out ? PARITY_OK : PARITY_EINTERNAL;
}

int parity_svc_jobs_retry(struct parity_db *db, int64_t id, json_t **out, struct parity_svc_error *err)
{
  char text[PARITY_I64_TEXT];
  parity_i64(id, text);
  int rc = parity_db_begin(db);
  PGresult *res = NULL;
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_RUN_LOCK_FOR_JOB, NULL, text);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_JOB_LOCK, &res, text);
  if (rc)
    return parity_db_rollback(db, rc);
  if (PQntuples(res) != 1) {
    PQclear(res);
    return parity_db_rollback(db, PARITY_ENOTFOUND);
  }
  bool rebalance = strcmp(PQgetvalue(res, 0, 0), "monthly_rebalance") == 0;
  bool retryable = strcmp(PQgetvalue(res, 0, 1), "failed") == 0 || strcmp(PQgetvalue(res, 0, 1), "aborted") == 0;
  char status[16];
  snprintf(status, sizeof(status), "%s", PQgetvalue(res, 0, 1));
  PQclear(res);
  if (!retryable) {
    parity_db_rollback(db, PARITY_OK);
    return parity_svc_fail(err, PARITY_ECONFLICT, "JOB_NOT_RETRYABLE",
                           "the job is %s: only a failed or aborted "
                           "job can be retried",
                           status);
  }
  /* The run first: its trigger leaves a failed job as it is, and the retry below makes it run. */
  if (rebalance)
    rc = PARITY_DB_EXEC(db, Q_RUN_RESUME_FOR_JOB, NULL, text);
  long resent = 0;
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_JOB_RETRY, &res, text);
  if (!rc) {
    resent = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
  }
  /* A run plans again by itself; any other job runs again only through the commands it re-sends. */
  if (!rc && resent == 0 && !rebalance) {
    parity_db_rollback(db, PARITY_OK);
    return parity_svc_fail(err, PARITY_ECONFLICT, "NOTHING_TO_RETRY",
                           "every command of the job committed (or it sent none): start the work again instead");
  }
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  if (rc)
    return rc;
  parity_log(PARITY_LOG_INFO, "job_retried", "{s:I, s:i}", "job_id", (json_int_t)id, "commands_resent", (int)resent);
  rc = parity_svc_jobs_get(db, id, out);
  if (!rc)
    json_object_set_new(*out, "commands_resent", json_integer(resent));
  return rc;
}
