/* GET /api/v1/models/{bucket}/risk, /models/{bucket}/backtest and /portfolio/risk (svc_analytics.h). */
#include <string.h>

#include "common/errors.h"
#include "operational/app.h"
#include "operational/handlers.h"
#include "operational/svc_analytics.h"

int h_model_risk(struct parity_request *req, struct parity_response *res)
{
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *body = NULL;
  struct parity_svc_error err = { 0 };
  rc = parity_svc_model_risk(db, req->params[0], &body, &err);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? parity_res_svc_error(res, rc, &err) : parity_res_json(res, 200, body);
}

int h_model_backtest(struct parity_request *req, struct parity_response *res)
{
  const char *full = parity_req_query(req, "full");
  if (full && strcmp(full, "0") != 0 && strcmp(full, "1") != 0) {
    struct parity_svc_error err = { 0 };
    return parity_res_svc_error(res, parity_svc_fail(&err, PARITY_EINVAL, NULL, "full must be 0 or 1"), &err);
  }
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *body = NULL;
  struct parity_svc_error err = { 0 };
  rc = parity_svc_model_backtest(db, req->params[0], full && strcmp(full, "1") == 0, &body, &err);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? parity_res_svc_error(res, rc, &err) : parity_res_json(res, 200, body);
}

int h_portfolio_risk(struct parity_request *req, struct parity_response *res)
{
  const char *range = parity_req_query(req, "range");
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *body = NULL;
  struct parity_svc_error err = { 0 };
  rc = parity_svc_portfolio_risk(db, req->user_id, range ? range : PARITY_PORTFOLIO_RISK_DEFAULT_RANGE, &body, &err);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? parity_res_svc_error(res, rc, &err) : parity_res_json(res, 200, body);
}
