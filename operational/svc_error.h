/* Why a service said no: the one error out-parameter every service fills beside its return code. */
#ifndef PARITY_SVC_ERROR_H
#define PARITY_SVC_ERROR_H

/* As long as the answer's message can be (struct parity_response's error_message), so nothing is cut twice. */
#define PARITY_SVC_ERROR_MESSAGE_MAX 256

/*
 * Filled only when the service has something to say beyond its return code: a specific JSON code
 * ("INSUFFICIENT_FUNDS"), a message naming the bad input, or Retry-After. The caller zeroes it; a
 * zeroed one means "the taxonomy's code and sentence for rc". Handlers turn (rc, error) into the answer
 * with parity_res_svc_error() (handlers.h), services never see HTTP.
 */
struct parity_svc_error {
  const char *code;                           /* SNAKE_CASE, static; NULL = parity_err_code(rc) */
  char message[PARITY_SVC_ERROR_MESSAGE_MAX]; /* "" = parity_err_str(rc) */
  long retry_after;                           /* seconds for Retry-After (429, 503); 0 = none */
};

/* Sets code and the formatted message (fmt NULL leaves it empty) and returns rc, for `return parity_svc_fail(...)`. */
int parity_svc_fail(struct parity_svc_error *err, int rc, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* An Idempotency-Key used again for another request: PARITY_ECONFLICT IDEMPOTENCY_KEY_REUSED, the same
 * refusal from every route that takes a key. */
int parity_svc_idempotency_reused(struct parity_svc_error *err);

#endif
