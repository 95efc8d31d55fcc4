/* Recurring deposits (svc_recurring.h): the schedules' CRUD and the daily job's set-based passes. */
#include "operational/svc_recurring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/log.h"
#include "operational/queries.h"
#include "operational/svc_jobs.h"

static const char *const frequency_names[] = { "weekly", "biweekly", "monthly" };

int parity_recurring_frequency_parse(const char *name, enum parity_recurring_frequency *out)
{
  for (size_t i = 0; name && i < sizeof(frequency_names) / sizeof(frequency_names[0]); i++) {
    if (strcmp(name, frequency_names[i]) == 0) {
      *out = (enum parity_recurring_frequency)i;
      return 0;
    }
  }
  return -1;
}

bool parity_recurring_day_valid(enum parity_recurring_frequency f, long day)
{
  return day >= 1 && day <= (f == PARITY_RECURRING_MONTHLY ? 28 : 7);
}

/* A frequency and a day that fit it, or PARITY_EINVAL naming what is wrong. */
static int check_schedule(const char *frequency, long day, struct parity_svc_error *err)
{
  enum parity_recurring_frequency f;
  if (parity_recurring_frequency_parse(frequency, &f))
    return parity_svc_fail(err, PARITY_EINVAL, NULL, "frequency must be weekly, biweekly or monthly");
  if (!parity_recurring_day_valid(f, day))
    return parity_svc_fail(err, PARITY_EINVAL, NULL, "day must be %s",
                           f == PARITY_RECURRING_MONTHLY ? "a day of the month from 1 to 28"
                                                         : "a weekday from 1 (Monday) to 7 (Sunday)");
  return PARITY_OK;
}

/* One schedule row (the column order of Q_RECURRING_LIST and the RETURNING lists). */
static json_t *schedule_json(PGresult *res, int i)
{
  return json_pack("{s:I, s:I, s:s, s:i, s:b, s:s, s:s, s:o, s:s}", "id", (json_int_t)atoll(PQgetvalue(res, i, 0)),
                   "amount_cents", (json_int_t)atoll(PQgetvalue(res, i, 1)), "frequency", PQgetvalue(res, i, 2), "day",
                   atoi(PQgetvalue(res, i, 3)), "auto_invest", strcmp(PQgetvalue(res, i, 4), "t") == 0, "status",
                   PQgetvalue(res, i, 5), "next_day", PQgetvalue(res, i, 6), "last_day",
                   PQgetisnull(res, i, 7) ? json_null() : json_string(PQgetvalue(res, i, 7)), "created_at",
                   PQgetvalue(res, i, 8));
}

int parity_svc_recurring_list(struct parity_db *db, int64_t user_id, json_t **out)
{
  char uid[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_RECURRING_LIST, &res, parity_i64(user_id, uid));
  if (rc)
    return rc;
  json_t *list = json_array();
  for (int i = 0; i < PQntuples(res); i++)
    json_array_append_new(list, schedule_json(res, i));
  PQclear(res);
  *out = json_pack("{s:o}", "recurring_deposits", list);
  return PARITY_OK;
}

/* The schedule the investor created with rq's key (*found), refused when that request's body was another. */
static int created_with_key(struct parity_db *db, const char *uid, const struct parity_recurring_new *rq, json_t **out,
                            bool *found, struct parity_svc_error *err)
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_RECURRING_BY_KEY, &res, uid, rq->idempotency_key);
  if (rc)
    return rc;
  *found = PQntuples(res) == 1;
  if (*found && strcmp(PQgetvalue(res, 0, 9), rq->body_hash) != 0)
    rc = parity_svc_idempotency_reused(err);
  else if (*found)
    *out = schedule_json(res, 0);
  PQclear(res);
  return rc;
}

/*
 * The insert and the lookup of the key share a transaction: an insert that found the key taken (after
 * waiting for a concurrent request with it to commit) reads that request's schedule, which has committed.
 */
int parity_svc_recurring_create(struct parity_db *db, int64_t user_id, const struct parity_recurring_new *rq,
                                json_t **out, bool *replayed, struct parity_svc_error *err)
{
  *replayed = false;
  int rc = check_schedule(rq->frequency, rq->day, err);
  if (rc)
    return rc;
  char uid[PARITY_I64_TEXT], cents[PARITY_I64_TEXT], d[PARITY_I64_TEXT], most[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  rc = parity_db_begin(db);
  if (rc)
    return rc;
  PGresult *res = NULL;
  json_t *schedule = NULL;
  rc = PARITY_DB_EXEC(db, Q_RECURRING_INSERT, &res, uid, parity_i64(rq->amount_cents, cents), rq->frequency,
                      parity_i64(rq->day, d), rq->auto_invest ? "true" : "false",
                      parity_i64(PARITY_RECURRING_MAX_PER_USER, most), rq->idempotency_key, rq->body_hash);
  if (rc)
    goto out;
  if (PQntuples(res) == 1)
    schedule = schedule_json(res, 0);
  else if (rq->idempotency_key)
    rc = created_with_key(db, uid, rq, &schedule, replayed, err);
  if (!rc && !schedule)
    rc = parity_svc_fail(err, PARITY_ECONFLICT, "TOO_MANY_SCHEDULES", "an investor keeps at most %d schedules",
                         PARITY_RECURRING_MAX_PER_USER);
  if (!rc)
    rc = parity_db_commit(db);
out:
  PQclear(res);
  if (rc) {
    json_decref(schedule);
    *replayed = false;
    return parity_db_rollback(db, rc);
  }
  *out = schedule;
  return PARITY_OK;
}

int parity_svc_recurring_update(struct parity_db *db, int64_t user_id, int64_t id,
                                const struct parity_recurring_change *change, json_t **out,
                                struct parity_svc_error *err)
{
  char sid[PARITY_I64_TEXT], uid[PARITY_I64_TEXT], cents[PARITY_I64_TEXT], d[PARITY_I64_TEXT];
  int rc = change->frequency ? check_schedule(change->frequency, change->day, err) : PARITY_OK;
  if (rc)
    return rc;
  PGresult *res = NULL;
  rc = PARITY_DB_EXEC(db, Q_RECURRING_UPDATE, &res, parity_i64(id, sid), parity_i64(user_id, uid),
                      change->amount_cents > 0 ? parity_i64(change->amount_cents, cents) : NULL, change->frequency,
                      change->frequency ? parity_i64(change->day, d) : NULL,
                      change->auto_invest < 0 ? NULL : (change->auto_invest ? "true" : "false"),
                      change->paused < 0 ? NULL : (change->paused ? "true" : "false"));
  if (rc)
    return rc;
  if (PQntuples(res) == 1)
    *out = schedule_json(res, 0);
  else
    rc = PARITY_ENOTFOUND;
  PQclear(res);
  return rc;
}

int parity_svc_recurring_delete(struct parity_db *db, int64_t user_id, int64_t id)
{
  char sid[PARITY_I64_TEXT], uid[PARITY_I64_TEXT];
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_RECURRING_DELETE, &res, parity_i64(id, sid), parity_i64(user_id, uid));
  if (!rc && PQntuples(res) != 1)
    rc = PARITY_ENOTFOUND;
  PQclear(res);
  return rc;
}

/* What one pass did (the columns of Q_RECURRING_RUN_DAY). */
struct pass_result {
  long schedules, deposits, invested;
  int64_t cents;
};

static int run_pass(struct parity_db *db, const char *day, int64_t job_id, struct pass_result *out)
{
  char size[PARITY_I64_TEXT], job[PARITY_I64_TEXT];
  parity_i64(PARITY_RECURRING_PASS_SIZE, size);
  int rc = parity_db_begin(db);
  if (!rc)
    rc = PARITY_DB_EXEC0(db, Q_RECURRING_RUN_LOCK, NULL);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_RECURRING_LOCK_PORTFOLIOS, NULL, day, size);
  PGresult *res = NULL;
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_RECURRING_RUN_DAY, &res, day, size, job_id ? parity_i64(job_id, job) : NULL);
  if (rc)
    return parity_db_rollback(db, rc);
  out->schedules = atol(PQgetvalue(res, 0, 0));
  out->deposits = atol(PQgetvalue(res, 0, 1));
  out->cents = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
  out->invested = atol(PQgetvalue(res, 0, 3));
  PQclear(res);
  return parity_db_commit(db);
}

int parity_svc_recurring_run(struct parity_db *db, const char *day, const char *trigger, json_t **out)
{
  struct pass_result total = { 0 };
  int passes = 0;
  bool complete = false;
  int64_t job_id = 0;
  json_t *params = json_pack("{s:s}", "day", day);
  int rc = parity_jobs_create(db, PARITY_JOB_RECURRING_DEPOSITS, trigger, params, "running", &job_id);
  json_decref(params);
  while (!rc && passes < PARITY_RECURRING_MAX_PASSES) {
    struct pass_result pass = { 0 };
    rc = run_pass(db, day, job_id, &pass);
    if (rc)
      break;
    passes++;
    total.schedules += pass.schedules;
    total.deposits += pass.deposits;
    total.invested += pass.invested;
    total.cents += pass.cents;
    rc = parity_jobs_progress(db, job_id, total.deposits, -1);
    if (!rc && pass.schedules == 0) {
      complete = true;
      break;
    }
  }
  parity_log(rc ? PARITY_LOG_WARN : PARITY_LOG_INFO, "recurring_deposits_run", "{s:s, s:i, s:i, s:I, s:b}", "day", day,
             "passes", passes, "deposits", (int)total.deposits, "deposited_cents", (json_int_t)total.cents, "complete",
             complete);
  json_t *counters = json_pack("{s:i, s:I, s:I, s:I, s:b}", "passes", passes, "deposits", (json_int_t)total.deposits,
                               "deposited_cents", (json_int_t)total.cents, "invested", (json_int_t)total.invested,
                               "complete", complete);
  if (job_id) {
    /* A failed pass rolled back alone; the passes before it stay deposited, and a re-run continues. */
    int frc = parity_jobs_finish(db, job_id, rc ? "failed" : "succeeded", rc ? parity_err_str(rc) : NULL, counters);
    rc = rc ? rc : frc;
  }
  json_decref(counters);
  if (rc)
    return rc;
  *out = json_pack("{s:s, s:i, s:I, s:I, s:I, s:I, s:b, s:I}", "day", day, "passes", passes, "schedules",
                   (json_int_t)total.schedules, "deposits", (json_int_t)total.deposits, "deposited_cents",
                   (json_int_t)total.cents, "invested", (json_int_t)total.invested, "complete", complete, "job_id",
                   (json_int_t)job_id);
  return PARITY_OK;
}
