/* POST /api/v1/forecasts and GET /api/v1/forecasts/{id}?wait=N (long-poll through the forecast listener). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/errors.h"
#include "operational/app.h"
#include "operational/forecast_listener.h"
#include "operational/handlers.h"
#include "operational/svc_forecast.h"

static const struct parity_json_field create_fields[] = {
  { "monthly_cents", PJ_INTEGER, true, 0, (double)PARITY_MAX_VALUE_CENTS, 0 },
  { "months", PJ_INTEGER, true, 1, PARITY_FORECAST_MAX_MONTHS, 0 },
  { "initial_cents", PJ_INTEGER, false, 0, (double)PARITY_MAX_VALUE_CENTS, 0 },
  { "goal_cents", PJ_INTEGER, false, 1, (double)PARITY_MAX_VALUE_CENTS, 0 },
};

int h_forecast_create(struct parity_request *req, struct parity_response *res)
{
  json_t *body = NULL;
  int rc = parity_req_json(req, res, create_fields, sizeof(create_fields) / sizeof(create_fields[0]), &body);
  if (rc)
    return rc;
  struct parity_forecast_request rq = {
    .monthly_cents = parity_json_int(body, "monthly_cents", 0),
    .months = parity_json_int(body, "months", 0),
    .has_initial = json_object_get(body, "initial_cents") != NULL,
    .initial_cents = parity_json_int(body, "initial_cents", 0),
    .has_goal = json_object_get(body, "goal_cents") != NULL,
    .goal_cents = parity_json_int(body, "goal_cents", 0),
  };
  json_decref(body);

  struct parity_db *db;
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  char id[PARITY_UUID_TEXT];
  struct parity_svc_error err = { 0 };
  rc = parity_svc_forecast_create(db, req->user_id, &rq, id, &err);
  parity_db_pool_release(&req->app->pool, db);
  if (rc)
    return parity_res_svc_error(res, rc, &err);
  parity_wakeup_kick(&req->app->outbox_wake);
  char location[96];
  snprintf(location, sizeof(location), "/api/v1/forecasts/%s", id);
  parity_res_header(res, "Location", location);
  return parity_res_json(res, 202, json_pack("{s:s, s:s}", "id", id, "status", "pending"));
}

/* ?wait=N: absent means 0; otherwise digits only, 0..PARITY_FORECAST_MAX_WAIT_SECONDS. */
static int parse_wait(const char *text, int *wait)
{
  *wait = 0;
  if (!text)
    return PARITY_OK;
  size_t n = strlen(text);
  if (n == 0 || n > 2 || strspn(text, "0123456789") != n)
    return PARITY_EINVAL;
  *wait = atoi(text);
  return *wait <= PARITY_FORECAST_MAX_WAIT_SECONDS ? PARITY_OK : PARITY_EINVAL;
}

static int read_once(struct parity_request *req, json_t **out, bool *pending)
{
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  rc = parity_svc_forecast_get(db, req->user_id, req->params[0], out, pending);
  parity_db_pool_release(&req->app->pool, db);
  return rc;
}

int h_forecast_get(struct parity_request *req, struct parity_response *res)
{
  int wait;
  if (parse_wait(parity_req_query(req, "wait"), &wait))
    return parity_res_error(res, PARITY_EINVAL, NULL, "wait must be an integer from 0 to %d (seconds)",
                            PARITY_FORECAST_MAX_WAIT_SECONDS);
  if (!parity_uuid_valid(req->params[0]))
    return parity_res_error(res, PARITY_ENOTFOUND, NULL, "no such forecast");

  struct parity_forecast_listener *l = req->app->forecast_listener;
  struct parity_forecast_waiter waiter = { .woken = false };
  bool waiting = wait > 0 && l;
  struct timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += wait;
  /* Registered before the first read: a result committed between the read and the wait still wakes us. */
  if (waiting)
    parity_forecast_waiter_register(l, &waiter, req->params[0]);
  json_t *body = NULL;
  bool pending = false;
  int rc;
  for (;;) {
    rc = read_once(req, &body, &pending);
    if (rc || !pending || !waiting)
      break;
    /* No pool connection is held while sleeping; woken means "read the row again". */
    if (!parity_forecast_waiter_wait(l, &waiter, &deadline))
      break;
    json_decref(body);
    body = NULL;
  }
  if (waiting)
    parity_forecast_waiter_unregister(l, &waiter);
  if (rc == PARITY_ENOTFOUND)
    return parity_res_error(res, rc, NULL, "no such forecast");
  return rc ? rc : parity_res_json(res, 200, body);
}
