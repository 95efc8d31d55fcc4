/*
 * The Stripe-Signature header of a webhook (Stripe's documented scheme "t=<unix time>,v1=<hex>[,v1=...]"):
 * v1 is HMAC-SHA256 keyed with the endpoint's signing secret over "<t>.<raw body>". Pure: no I/O, the
 * clock is a parameter.
 */
#ifndef PARITY_STRIPE_SIG_H
#define PARITY_STRIPE_SIG_H

#include <stddef.h>
#include <stdint.h>

/* Stripe's default tolerance: a signature older (or newer) than this is refused, against replays. */
#define PARITY_STRIPE_SIG_TOLERANCE_SECONDS 300
/* Longest header read; Stripe sends one v1 (two while a secret is rolled). */
#define PARITY_STRIPE_SIG_HEADER_MAX 2048
#define PARITY_STRIPE_SIG_HEX 65 /* 64 hex digits and a NUL */

enum parity_stripe_sig {
  PARITY_STRIPE_SIG_OK = 0,
  PARITY_STRIPE_SIG_MISSING,   /* no header */
  PARITY_STRIPE_SIG_MALFORMED, /* no integer t, no v1, or too long */
  PARITY_STRIPE_SIG_EXPIRED,   /* |now - t| > tolerance */
  PARITY_STRIPE_SIG_MISMATCH,  /* no v1 equals the HMAC (compared in constant time) */
};

/* v1 for (secret, t, payload) as lowercase hex. */
void parity_stripe_sig_compute(const char *secret, int64_t t, const char *payload, size_t len,
                               char hex[PARITY_STRIPE_SIG_HEX]);

/* Checks `header` (NULL: missing) for the raw body `payload`, at time `now`. */
enum parity_stripe_sig parity_stripe_sig_verify(const char *header, const char *payload, size_t len, const char *secret,
                                                int64_t now, int64_t tolerance);

/* "SIGNATURE_MISSING", ... : the API error code of a refusal. */
const char *parity_stripe_sig_code(enum parity_stripe_sig s);

#endif
