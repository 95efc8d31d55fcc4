/* What every handler does with a service's answer: one mapping from (rc, struct parity_svc_error) to HTTP. */
#include "common/errors.h"
#include "operational/handlers.h"

int parity_res_svc_error(struct parity_response *res, int rc, const struct parity_svc_error *err)
{
  if (err->retry_after > 0)
    res->retry_after = (int)err->retry_after;
  if (err->code || err->message[0])
    return parity_res_error(res, rc, err->code, "%s", err->message[0] ? err->message : parity_err_str(rc));
  return rc;
}
