/* The services' one error out-parameter (svc_error.h). */
#include "operational/svc_error.h"

#include <stdarg.h>
#include <stdio.h>

#include "common/errors.h"

int parity_svc_fail(struct parity_svc_error *err, int rc, const char *code, const char *fmt, ...)
{
  err->code = code;
  err->message[0] = '\0';
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
  }
  return rc;
}

int parity_svc_idempotency_reused(struct parity_svc_error *err)
{
  return parity_svc_fail(err, PARITY_ECONFLICT, "IDEMPOTENCY_KEY_REUSED",
                         "this Idempotency-Key was used for a different request");
}
