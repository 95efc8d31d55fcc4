/* GET /api/v1/models and GET /api/v1/models/{bucket}: the public model portfolios, served from memory. */
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "operational/app.h"
#include "operational/handlers.h"
#include "operational/svc_models.h"

#define MODELS_RETRY_SECONDS 1

/* A body rendered once per model change, copied into the answer (libmicrohttpd frees its copy). */
static int rendered(struct parity_response *res, const char *body, size_t len)
{
  res->raw = parity_xmalloc(len + 1);
  memcpy(res->raw, body, len + 1);
  res->raw_len = len;
  res->content_type = "application/json";
  res->status = 200;
  return PARITY_OK;
}

/* The models were never loaded (the database was unreachable since startup): come back shortly. */
static int unavailable(struct parity_response *res)
{
  res->retry_after = MODELS_RETRY_SECONDS;
  return parity_res_error(res, PARITY_EUNAVAILABLE, NULL, "the model portfolios are not loaded yet; retry shortly");
}

int h_models_list(struct parity_request *req, struct parity_response *res)
{
  struct parity_model_table *t = parity_read_cache_models(&req->app->read_cache);
  if (!t)
    return unavailable(res);
  int rc = rendered(res, t->list_body, t->list_len);
  parity_snapshot_release(&t->snap);
  return rc;
}

int h_model_get(struct parity_request *req, struct parity_response *res)
{
  struct parity_model_table *t = parity_read_cache_models(&req->app->read_cache);
  if (!t)
    return unavailable(res);
  const struct parity_model_entry *model = NULL;
  struct parity_svc_error err = { 0 };
  int rc = parity_svc_model_find(t, req->params[0], &model, &err);
  rc = rc ? parity_res_svc_error(res, rc, &err) : rendered(res, model->body, model->body_len);
  parity_snapshot_release(&t->snap);
  return rc;
}
