/* Stripe-Signature verification (stripe_sig.h), with libsodium's HMAC-SHA256 as the JWT code uses. */
#include "operational/stripe_sig.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void parity_stripe_sig_compute(const char *secret, int64_t t, const char *payload, size_t len,
                               char hex[PARITY_STRIPE_SIG_HEX])
{
  char prefix[32];
  int n = snprintf(prefix, sizeof(prefix), "%" PRId64 ".", t);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)prefix, (unsigned long long)n);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)payload, len);
  crypto_auth_hmacsha256_final(&st, mac);
  sodium_bin2hex(hex, PARITY_STRIPE_SIG_HEX, mac, sizeof(mac));
  sodium_memzero(&st, sizeof(st));
}

/* A whole decimal timestamp, nothing else. */
static bool parse_time(const char *text, size_t len, int64_t *t)
{
  if (len == 0 || len > 19)
    return false;
  int64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    if (text[i] < '0' || text[i] > '9')
      return false;
    v = v * 10 + (text[i] - '0');
  }
  *t = v;
  return true;
}

enum parity_stripe_sig parity_stripe_sig_verify(const char *header, const char *payload, size_t len, const char *secret,
                                                int64_t now, int64_t tolerance)
{
  if (!header || !header[0])
    return PARITY_STRIPE_SIG_MISSING;
  if (strlen(header) > PARITY_STRIPE_SIG_HEADER_MAX)
    return PARITY_STRIPE_SIG_MALFORMED;
  int64_t t = -1;
  const char *v1[8];
  size_t n_v1 = 0;
  /* "k=v" items separated by commas; unknown schemes (v0 is Stripe's test scheme) are skipped. */
  for (const char *p = header; *p;) {
    const char *end = strchr(p, ',');
    size_t item = end ? (size_t)(end - p) : strlen(p);
    const char *eq = memchr(p, '=', item);
    if (eq) {
      size_t klen = (size_t)(eq - p), vlen = item - klen - 1;
      if (klen == 1 && p[0] == 't') {
        if (t >= 0 || !parse_time(eq + 1, vlen, &t))
          return PARITY_STRIPE_SIG_MALFORMED;
      } else if (klen == 2 && p[0] == 'v' && p[1] == '1' && vlen == PARITY_STRIPE_SIG_HEX - 1 &&
                 n_v1 < sizeof(v1) / sizeof(v1[0])) {
        v1[n_v1++] = eq + 1;
      }
    }
    p += item + (end ? 1 : 0);
  }
  if (t < 0 || n_v1 == 0)
    return PARITY_STRIPE_SIG_MALFORMED;
  if (now - t > tolerance || t - now > tolerance)
    return PARITY_STRIPE_SIG_EXPIRED;
  char want[PARITY_STRIPE_SIG_HEX];
  parity_stripe_sig_compute(secret, t, payload, len, want);
  bool match = false;
  for (size_t i = 0; i < n_v1; i++) /* every candidate compared, whole, in constant time */
    match |= sodium_memcmp(want, v1[i], PARITY_STRIPE_SIG_HEX - 1) == 0;
  return match ? PARITY_STRIPE_SIG_OK : PARITY_STRIPE_SIG_MISMATCH;
}

const char *parity_stripe_sig_code(enum parity_stripe_sig s)
{
  switch (s) {
  case PARITY_STRIPE_SIG_OK:
    return "OK";
  case PARITY_STRIPE_SIG_MISSING:
    return "SIGNATURE_MISSING";
  case PARITY_STRIPE_SIG_MALFORMED:
    return "SIGNATURE_MALFORMED";
  case PARITY_STRIPE_SIG_EXPIRED:
    return "SIGNATURE_EXPIRED";
  case PARITY_STRIPE_SIG_MISMATCH:
    return "SIGNATURE_INVALID";
  }
  return "SIGNATURE_INVALID";
}
