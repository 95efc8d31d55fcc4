/* Formats quant error messages into the caller's buffer (no I/O, no allocation). */
#include "decisional/quant/quant_err.h"

#include <stdarg.h>
#include <stdio.h>

int parity_quant_fail(struct parity_quant_err *err, int code, const char *fmt, ...)
{
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    err->code = code;
  }
  return code;
}
