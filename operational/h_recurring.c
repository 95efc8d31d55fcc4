/* Recurring deposits: the investor's schedules (/api/v1/recurring-deposits) and the daily job
 * (POST /internal/recurring, the CronJob's and the in-process schedule's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/calendar.h"
#include "common/errors.h"
#include "common/limits.h"
#include "operational/app.h"
#include "operational/handlers.h"
#include "operational/svc_ledger.h"
#include "operational/svc_recurring.h"

static const struct parity_json_field create_fields[] = {
  { "amount_cents", PJ_INTEGER, true, 1, (double)PARITY_MAX_AMOUNT_CENTS, 0 },
  { "frequency", PJ_STRING, true, 0, 0, 16 },
  { "day", PJ_INTEGER, true, 1, 28, 0 },
  { "auto_invest", PJ_BOOL, false, 0, 0, 0 },
};
static const struct parity_json_field update_fields[] = {
  { "amount_cents", PJ_INTEGER, false, 1, (double)PARITY_MAX_AMOUNT_CENTS, 0 },
  { "frequency", PJ_STRING, false, 0, 0, 16 },
  { "day", PJ_INTEGER, false, 1, 28, 0 },
  { "auto_invest", PJ_BOOL, false, 0, 0, 0 },
  { "paused", PJ_BOOL, false, 0, 0, 0 },
};
static const struct parity_json_field run_fields[] = {
  { "day", PJ_DATE, false, 0, 0, 0 },
};

typedef int (*db_call)(struct parity_db *db, void *ctx, json_t **out, struct parity_svc_error *err);

/* Runs one service call on a pooled connection and answers `status` with its body. */
static int with_db(struct parity_request *req, struct parity_response *res, int status, db_call fn, void *ctx)
{
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *out = NULL;
  struct parity_svc_error err = { 0 };
  rc = fn(db, ctx, &out, &err);
  parity_db_pool_release(&req->app->pool, db);
  if (rc == PARITY_ENOTFOUND)
    return parity_res_error(res, rc, "SCHEDULE_NOT_FOUND", "no such recurring deposit");
  if (rc)
    return parity_res_svc_error(res, rc, &err);
  if (!out) {
    res->status = status;
    return PARITY_OK;
  }
  return parity_res_json(res, status, out);
}

/* The {id} of the path: a positive integer. */
static int schedule_id(struct parity_request *req, struct parity_response *res, int64_t *id)
{
  char *end;
  long long v = strtoll(req->params[0], &end, 10);
  if (end == req->params[0] || *end || v < 1)
    return parity_res_error(res, PARITY_ENOTFOUND, "SCHEDULE_NOT_FOUND", "no such recurring deposit");
  *id = v;
  return PARITY_OK;
}

struct call {
  struct parity_request *req;
  json_t *body;
  int64_t id;
  struct parity_recurring_change change;
  struct parity_recurring_new schedule;
  char body_hash[PARITY_BODY_HASH_TEXT];
  bool replayed;
  const char *day;
  const char *trigger;
};

static int list_call(struct parity_db *db, void *ctx, json_t **out, struct parity_svc_error *err)
{
  (void)err;
  return parity_svc_recurring_list(db, ((struct call *)ctx)->req->user_id, out);
}

int h_recurring_list(struct parity_request *req, struct parity_response *res)
{
  struct call c = { .req = req };
  return with_db(req, res, 200, list_call, &c);
}

static int create_call(struct parity_db *db, void *ctx, json_t **out, struct parity_svc_error *err)
{
  struct call *c = ctx;
  return parity_svc_recurring_create(db, c->req->user_id, &c->schedule, out, &c->replayed, err);
}

/* 201 with the new schedule, or with the one an earlier request with the same Idempotency-Key created
 * (marked Idempotent-Replayed, as the money routes mark a repeated key). */
int h_recurring_create(struct parity_request *req, struct parity_response *res)
{
  struct call c = { .req = req };
  int rc = parity_req_idempotency_key(req, res, &c.schedule.idempotency_key);
  if (!rc)
    rc = parity_req_json(req, res, create_fields, sizeof(create_fields) / sizeof(create_fields[0]), &c.body);
  if (rc)
    return rc;
  json_t *auto_invest = json_object_get(c.body, "auto_invest");
  c.schedule.amount_cents = parity_json_int(c.body, "amount_cents", 0);
  c.schedule.frequency = parity_json_str(c.body, "frequency", "");
  c.schedule.day = (long)parity_json_int(c.body, "day", 0);
  c.schedule.auto_invest = !auto_invest || json_is_true(auto_invest);
  parity_req_body_hash(req, c.body_hash);
  c.schedule.body_hash = c.body_hash;
  rc = with_db(req, res, 201, create_call, &c);
  if (!rc && c.replayed)
    parity_res_header(res, "Idempotent-Replayed", "true");
  json_decref(c.body);
  return rc;
}

static int update_call(struct parity_db *db, void *ctx, json_t **out, struct parity_svc_error *err)
{
  const struct call *c = ctx;
  return parity_svc_recurring_update(db, c->req->user_id, c->id, &c->change, out, err);
}

static int bool_change(const json_t *body, const char *key)
{
  const json_t *v = json_object_get(body, key);
  return v ? json_is_true(v) : -1;
}

int h_recurring_update(struct parity_request *req, struct parity_response *res)
{
  struct call c = { .req = req };
  int rc = schedule_id(req, res, &c.id);
  if (!rc)
    rc = parity_req_json(req, res, update_fields, sizeof(update_fields) / sizeof(update_fields[0]), &c.body);
  if (rc)
    return rc;
  c.change.amount_cents = parity_json_int(c.body, "amount_cents", 0);
  c.change.frequency = parity_json_str(c.body, "frequency", NULL);
  c.change.day = (long)parity_json_int(c.body, "day", -1);
  c.change.auto_invest = bool_change(c.body, "auto_invest");
  c.change.paused = bool_change(c.body, "paused");
  if (json_object_size(c.body) == 0)
    rc = parity_res_error(res, PARITY_EINVAL, NULL, "give at least one field to change");
  else if (!c.change.frequency != (c.change.day < 0))
    rc = parity_res_error(res, PARITY_EINVAL, NULL, "frequency and day change together");
  else
    rc = with_db(req, res, 200, update_call, &c);
  json_decref(c.body);
  return rc;
}

static int delete_call(struct parity_db *db, void *ctx, json_t **out, struct parity_svc_error *err)
{
  (void)out;
  (void)err;
  const struct call *c = ctx;
  return parity_svc_recurring_delete(db, c->req->user_id, c->id);
}

int h_recurring_delete(struct parity_request *req, struct parity_response *res)
{
  struct call c = { .req = req };
  int rc = schedule_id(req, res, &c.id);
  return rc ? rc : with_db(req, res, 204, delete_call, &c);
}

static int run_call(struct parity_db *db, void *ctx, json_t **out, struct parity_svc_error *err)
{
  (void)err;
  const struct call *c = ctx;
  return parity_svc_recurring_run(db, c->day, c->trigger, out);
}

/*
 * The daily job for day D (UTC today without a body). A body {"day": "YYYY-MM-DD"} runs another day:
 * the schedule's clock for tests and for an operator catching up by hand. It deposits what is due on or
 * before that day, so a future day deposits early: only the internal port (cluster-internal, with the
 * internal secret) offers it.
 */
int h_recurring_run(struct parity_request *req, struct parity_response *res)
{
  char today[PARITY_DAY_TEXT];
  parity_day_format(parity_day_from_epoch(time(NULL), 0), today);
  struct call c = { .req = req, .day = today };
  int rc = h_job_trigger(req, res, &c.trigger);
  if (rc)
    return rc;
  if (req->body_len > 0) {
    rc = parity_req_json(req, res, run_fields, 1, &c.body);
    if (rc)
      return rc;
    c.day = parity_json_str(c.body, "day", today);
  }
  rc = with_db(req, res, 200, run_call, &c);
  json_decref(c.body);
  return rc;
}
