/* GET/POST /api/v1/goals, GET/PATCH/DELETE /api/v1/goals/{id}: savings goals and their probability. */
#include <stdlib.h>
#include <string.h>

#include "common/calendar.h"
#include "common/errors.h"
#include "common/limits.h"
#include "operational/app.h"
#include "operational/goal_plan.h"
#include "operational/handlers.h"
#include "operational/svc_goals.h"

#define GOAL_FIELDS(required)                                                                                          \
  { "name", PJ_STRING, required, 0, 0, PARITY_GOAL_NAME_MAX },                                                         \
      { "target_cents", PJ_INTEGER, required, 1, (double)PARITY_MAX_VALUE_CENTS, 0 },                                  \
      { "target_date", PJ_DATE, required, 0, 0, 0 },                                                                   \
  {                                                                                                                    \
    "monthly_cents", PJ_INTEGER, false, 0, (double)PARITY_MAX_VALUE_CENTS, 0                                           \
  }

static const struct parity_json_field create_fields[] = { GOAL_FIELDS(true) };
static const struct parity_json_field update_fields[] = { GOAL_FIELDS(false) };

/* The body's fields into `in`; strings point into `body`, which the caller keeps until done. */
static void goal_input(const json_t *body, struct parity_goal_input *in)
{
  memset(in, 0, sizeof(*in));
  in->name = parity_json_str(body, "name", NULL);
  in->has_target = json_object_get(body, "target_cents") != NULL;
  in->target_cents = parity_json_int(body, "target_cents", 0);
  const char *day = parity_json_str(body, "target_date", NULL);
  in->has_day = day && parity_day_parse(day, strlen(day), &in->target_day) == PARITY_OK;
  in->has_monthly = json_object_get(body, "monthly_cents") != NULL;
  in->monthly_cents = parity_json_int(body, "monthly_cents", 0);
}

int h_goals_list(struct parity_request *req, struct parity_response *res)
{
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *out = NULL;
  rc = parity_svc_goals_list(db, req->user_id, &out);
  parity_db_pool_release(&req->app->pool, db);
  if (rc)
    return rc;
  parity_wakeup_kick(&req->app->outbox_wake); /* stale goals asked new forecasts */
  return parity_res_json(res, 200, out);
}

int h_goal_create(struct parity_request *req, struct parity_response *res)
{
  json_t *body = NULL, *out = NULL;
  int rc = parity_req_json(req, res, create_fields, sizeof(create_fields) / sizeof(create_fields[0]), &body);
  if (rc)
    return rc;
  struct parity_goal_input in;
  goal_input(body, &in);
  struct parity_db *db;
  struct parity_svc_error err = { 0 };
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (!rc) {
    rc = parity_svc_goal_create(db, req->user_id, &in, &out, &err);
    parity_db_pool_release(&req->app->pool, db);
  }
  json_decref(body);
  if (rc)
    return parity_res_svc_error(res, rc, &err);
  parity_wakeup_kick(&req->app->outbox_wake);
  char location[64];
  snprintf(location, sizeof(location), "/api/v1/goals/%lld", (long long)json_integer_value(json_object_get(out, "id")));
  parity_res_header(res, "Location", location);
  return parity_res_json(res, 201, out);
}

int h_goal_get(struct parity_request *req, struct parity_response *res)
{
  int64_t id = parity_req_id_param(req, 0);
  if (!id)
    return parity_res_error(res, PARITY_ENOTFOUND, "GOAL_NOT_FOUND", "no such goal");
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *out = NULL;
  rc = parity_svc_goal_get(db, req->user_id, id, &out);
  parity_db_pool_release(&req->app->pool, db);
  if (rc == PARITY_ENOTFOUND)
    return parity_res_error(res, rc, "GOAL_NOT_FOUND", "no such goal");
  if (rc)
    return rc;
  parity_wakeup_kick(&req->app->outbox_wake);
  return parity_res_json(res, 200, out);
}

int h_goal_update(struct parity_request *req, struct parity_response *res)
{
  int64_t id = parity_req_id_param(req, 0);
  if (!id)
    return parity_res_error(res, PARITY_ENOTFOUND, "GOAL_NOT_FOUND", "no such goal");
  json_t *body = NULL, *out = NULL;
  int rc = parity_req_json(req, res, update_fields, sizeof(update_fields) / sizeof(update_fields[0]), &body);
  if (rc)
    return rc;
  if (json_object_size(body) == 0) {
    json_decref(body);
    return parity_res_error(res, PARITY_EINVAL, NULL,
                            "give at least one of name, target_cents, target_date, monthly_cents");
  }
  struct parity_goal_input in;
  goal_input(body, &in);
  struct parity_db *db;
  struct parity_svc_error err = { 0 };
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (!rc) {
    rc = parity_svc_goal_update(db, req->user_id, id, &in, &out, &err);
    parity_db_pool_release(&req->app->pool, db);
  }
  json_decref(body);
  if (rc == PARITY_ENOTFOUND)
    return parity_res_error(res, rc, "GOAL_NOT_FOUND", "no such goal");
  if (rc)
    return parity_res_svc_error(res, rc, &err);
  parity_wakeup_kick(&req->app->outbox_wake);
  return parity_res_json(res, 200, out);
}

int h_goal_delete(struct parity_request *req, struct parity_response *res)
{
  int64_t id = parity_req_id_param(req, 0);
  if (!id)
    return parity_res_error(res, PARITY_ENOTFOUND, "GOAL_NOT_FOUND", "no such goal");
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  rc = parity_svc_goal_delete(db, req->user_id, id);
  parity_db_pool_release(&req->app->pool, db);
  if (rc == PARITY_ENOTFOUND)
    return parity_res_error(res, rc, "GOAL_NOT_FOUND", "no such goal");
  if (rc)
    return rc;
  res->status = 204;
  return PARITY_OK;
}
