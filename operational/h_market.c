/* GET /api/v1/market/status and /api/v1/market/prices/{symbol}. */
#include "common/errors.h"
#include "operational/app.h"
#include "operational/handlers.h"
#include "operational/svc_market.h"

int h_market_status(struct parity_request *req, struct parity_response *res)
{
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *body = NULL;
  rc = parity_svc_market_status(db, &body);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? rc : parity_res_json(res, 200, body);
}

int h_market_prices(struct parity_request *req, struct parity_response *res)
{
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *body = NULL;
  struct parity_svc_error err = { 0 };
  rc = parity_svc_market_prices(db, req->params[0], parity_req_query(req, "from"), parity_req_query(req, "to"), &body,
                                &err);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? parity_res_svc_error(res, rc, &err) : parity_res_json(res, 200, body);
}
