/* What every handler does with a service's answer: one mapping from (rc, struct parity_svc_error) to HTTP. */
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "operational/app.h"
#include "operational/handlers.h"

int parity_res_svc_error(struct parity_response *res, int rc, const struct parity_svc_error *err)
{
  if (err->retry_after > 0)
    res->retry_after = (int)err->retry_after;
  if (err->code || err->message[0])
    return parity_res_error(res, rc, err->code, "%s", err->message[0] ? err->message : parity_err_str(rc));
  return rc;
}

int parity_h_user_read(struct parity_request *req, struct parity_response *res, parity_user_read_fn *fn)
{
  struct parity_db *db;
  int rc = parity_db_pool_acquire(&req->app->pool, &db);
  if (rc)
    return rc;
  json_t *out = NULL;
  rc = fn(db, req->user_id, &out);
  parity_db_pool_release(&req->app->pool, db);
  return rc ? rc : parity_res_json(res, 200, out);
}

int64_t parity_req_id_param(const struct parity_request *req, int index)
{
  const char *p = req->params[index];
  size_t n = strlen(p);
  if (n == 0 || n > 18 || strspn(p, "0123456789") != n || p[0] == '0')
    return 0;
  return strtoll(p, NULL, 10);
}
