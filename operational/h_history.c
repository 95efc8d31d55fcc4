/* GET /api/v1/portfolio/history?range=...: value, net contributions and TWR per day (svc_history.h). */
#include "common/errors.h"
#include "operational/app.h"
#include "operational/handlers.h"
#include "operational/svc_history.h"

#define HISTORY_DEFAULT_RANGE "1M"

int h_portfolio_history(struct parity_request *req, struct parity_response *res)
{
  const char *range = parity_req_query(req, "range");
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *body = NULL;
  struct parity_svc_error err = { 0 };
  rc = parity_svc_history(db, req->user_id, range ? range : HISTORY_DEFAULT_RANGE, &body, &err);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? parity_res_svc_error(res, rc, &err) : parity_res_json(res, 200, body);
}
