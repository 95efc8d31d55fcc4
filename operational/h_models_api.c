/* GET /api/v1/models and GET /api/v1/models/{bucket}: the public model portfolios. */
#include "common/errors.h"
#include "operational/app.h"
#include "operational/handlers.h"
#include "operational/svc_models.h"

int h_models_list(struct parity_request *req, struct parity_response *res)
{
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *body = NULL;
  rc = parity_svc_models_list(db, &body);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? rc : parity_res_json(res, 200, body);
}

int h_model_get(struct parity_request *req, struct parity_response *res)
{
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *body = NULL;
  struct parity_svc_error err = { 0 };
  rc = parity_svc_model_get(db, req->params[0], &body, &err);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? parity_res_svc_error(res, rc, &err) : parity_res_json(res, 200, body);
}
