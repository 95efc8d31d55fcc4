/* Maps Parity error codes to HTTP status, JSON error codes and messages (one table). */
#include "common/errors.h"

#include <stddef.h>

struct err_row {
  int err;
  int http_status;
  const char *code;
  const char *message;
};

static const struct err_row err_table[] = {
  { PARITY_OK, 200, "OK", "ok" },
  { PARITY_EINVAL, 400, "INVALID_REQUEST", "the request is not valid" },
  { PARITY_ENOTFOUND, 404, "NOT_FOUND", "no such resource" },
  { PARITY_ECONFLICT, 409, "CONFLICT", "the current state does not allow this" },
  { PARITY_EAUTH, 401, "UNAUTHENTICATED", "authentication is required" },
  { PARITY_EFORBIDDEN, 403, "FORBIDDEN", "not allowed" },
  { PARITY_ERATE, 429, "RATE_LIMITED", "too many requests" },
  { PARITY_ETOOBIG, 413, "PAYLOAD_TOO_LARGE", "the input is over a limit" },
  { PARITY_EDB, 503, "DATABASE_UNAVAILABLE", "the database failed" },
  { PARITY_EAMQP, 503, "BROKER_UNAVAILABLE", "the message broker failed" },
  { PARITY_EIO, 500, "IO_ERROR", "input/output error" },
  { PARITY_EUPSTREAM, 502, "UPSTREAM_ERROR", "an upstream service failed" },
  { PARITY_EUNAVAILABLE, 503, "UNAVAILABLE", "the service is not available" },
  { PARITY_ENOMEM, 500, "OUT_OF_MEMORY", "out of memory" },
  { PARITY_EINTERNAL, 500, "INTERNAL_ERROR", "internal error" },
  { PARITY_ENUMERIC, 422, "NUMERIC_ERROR", "the computation is not defined for this input" },
};

static const struct err_row *find_row(int err)
{
  for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
    if (err_table[i].err == err)
      return &err_table[i];
  return &err_table[sizeof(err_table) / sizeof(err_table[0]) - 2]; /* EINTERNAL */
}

int parity_err_http_status(int err)
{
  return find_row(err)->http_status;
}
const char *parity_err_code(int err)
{
  return find_row(err)->code;
}
const char *parity_err_str(int err)
{
  return find_row(err)->message;
}
