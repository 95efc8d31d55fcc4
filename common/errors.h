/* The one error taxonomy of Parity: negative codes, mapped once to HTTP status and JSON code. */
#ifndef PARITY_ERRORS_H
#define PARITY_ERRORS_H

enum parity_err {
  PARITY_OK = 0,
  PARITY_EINVAL = -1,        /* bad input from a client or a message */
  PARITY_ENOTFOUND = -2,     /* no such resource (or not the caller's) */
  PARITY_ECONFLICT = -3,     /* state forbids it: insufficient cash, already done */
  PARITY_EAUTH = -4,         /* not authenticated */
  PARITY_EFORBIDDEN = -5,    /* authenticated, not allowed */
  PARITY_ERATE = -6,         /* rate limited or locked out */
  PARITY_ETOOBIG = -7,       /* input over a limit */
  PARITY_EDB = -8,           /* database failure (transient unless stated) */
  PARITY_EAMQP = -9,         /* broker failure (transient) */
  PARITY_EIO = -10,          /* file or network I/O */
  PARITY_EUPSTREAM = -11,    /* an upstream service answered badly (Yahoo, SMTP) */
  PARITY_EUNAVAILABLE = -12, /* draining, not ready, or a dependency is down */
  PARITY_ENOMEM = -13,
  PARITY_EINTERNAL = -14, /* a bug: should never reach a client as anything else */
  PARITY_ENUMERIC = -15,  /* numerically impossible (singular covariance, constant series) */
};

/* HTTP status for an error code (500 for unknown codes). */
int parity_err_http_status(int err);
/* Stable SNAKE_CASE code for the JSON error body, e.g. "invalid_request" -> "INVALID_REQUEST". */
const char *parity_err_code(int err);
/* A short human sentence for logs and default error messages. */
const char *parity_err_str(int err);

#endif
