/* A quant error: a Parity error code plus a human sentence naming the offending input. */
#ifndef PARITY_QUANT_ERR_H
#define PARITY_QUANT_ERR_H

#include "common/errors.h"

#define PARITY_QUANT_ERR_MAX 256 /* bytes of message, including the NUL */

/* Caller-owned; every quant function that can fail takes one (or NULL when the message is not wanted). */
struct parity_quant_err {
  int code;
  char msg[PARITY_QUANT_ERR_MAX];
};

/* Records code and a printf-style message in *err (when err is not NULL) and returns code, so a
 * failing path reads `return parity_quant_fail(err, PARITY_EINVAL, "...", ...);`. */
int parity_quant_fail(struct parity_quant_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
