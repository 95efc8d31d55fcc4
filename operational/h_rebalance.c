/* POST /internal/rebalance[?period=YYYY-MM] and GET /internal/rebalance/runs/{id} (internal port). */
#include <stdlib.h>

#include "common/errors.h"
#include "operational/app.h"
#include "operational/handlers.h"
#include "operational/svc_rebalance.h"

int h_rebalance_start(struct parity_request *req, struct parity_response *res)
{
  const char *trigger;
  int rc = h_job_trigger(req, res, &trigger);
  if (rc)
    return rc;
  struct parity_db *db;
  rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *out = NULL;
  bool resumed = false;
  struct parity_svc_error err = { 0 };
  rc = parity_svc_rebalance_start(db, &req->app->cfg, parity_req_query(req, "period"), trigger, &req->app->metrics,
                                  &out, &resumed, &err);
  parity_db_pool_release(&req->app->pool, db);
  if (rc)
    return parity_res_svc_error(res, rc, &err);
  parity_wakeup_kick(&req->app->planner_wake);
  /* 202: the run was created now and the planner has it; 200: the period's run as it is. */
  return parity_res_json(res, resumed ? 200 : 202, out);
}

int h_rebalance_run(struct parity_request *req, struct parity_response *res)
{
  char *end;
  long long id = strtoll(req->params[0], &end, 10);
  if (*end || id <= 0)
    return parity_res_error(res, PARITY_ENOTFOUND, NULL, "no such run");
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *out = NULL;
  rc = parity_svc_rebalance_run_get(db, id, &out);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? rc : parity_res_json(res, 200, out);
}
