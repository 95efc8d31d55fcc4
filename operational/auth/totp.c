/* TOTP and HOTP on top of liboath, with a constant-time window check and a replay guard. */
#include "operational/auth/totp.h"

#include <liboath/oath.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "operational/auth/auth_init.h"
#include "operational/auth/utf8.h"

int parity_totp_secret_new(unsigned char secret[PARITY_TOTP_SECRET_BYTES])
{
  int rc = parity_auth_init();
  if (rc)
    return rc;
  randombytes_buf(secret, PARITY_TOTP_SECRET_BYTES);
  return PARITY_OK;
}

static bool secret_ok(const unsigned char *secret, size_t len)
{
  return secret && len > 0 && len <= PARITY_TOTP_MAX_SECRET_BYTES;
}

int parity_totp_base32(const unsigned char *secret, size_t len, char *out, size_t cap)
{
  char *b32 = NULL;
  size_t b32_len = 0;
  int rc = parity_auth_init();

  if (rc)
    return rc;
  if (!secret_ok(secret, len) || !out || cap == 0)
    return PARITY_EINVAL;
  if (oath_base32_encode((const char *)secret, len, &b32, &b32_len) != OATH_OK)
    return PARITY_EINTERNAL;
  while (b32_len > 0 && b32[b32_len - 1] == '=')
    b32_len--;
  if (b32_len >= cap) {
    rc = PARITY_ETOOBIG;
    goto out;
  }
  memcpy(out, b32, b32_len);
  out[b32_len] = '\0';
  rc = PARITY_OK;
out:
  free(b32);
  return rc;
}

/* Appends s percent-encoded (RFC 3986: everything but unreserved characters). */
static size_t pct_encode(const char *s, char *out, size_t pos, size_t cap)
{
  static const char hex[] = "0123456789ABCDEF";
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    bool unreserved = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                      *p == '.' || *p == '_' || *p == '~';
    if (unreserved) {
      if (pos + 1 >= cap)
        return cap;
      out[pos++] = (char)*p;
    } else {
      if (pos + 3 >= cap)
        return cap;
      out[pos++] = '%';
      out[pos++] = hex[*p >> 4];
      out[pos++] = hex[*p & 0x0F];
    }
  }
  out[pos] = '\0';
  return pos;
}

int parity_totp_uri(const char *email, const char *secret_b32, char *out, size_t cap)
{
  size_t email_len, pos;
  int n;

  if (!email || !secret_b32 || !out || cap == 0)
    return PARITY_EINVAL;
  email_len = strnlen(email, PARITY_TOTP_ACCOUNT_MAX + 1);
  if (email_len == 0 || email_len > PARITY_TOTP_ACCOUNT_MAX ||
      parity_utf8_validate(email, email_len, NULL) != PARITY_OK)
    return PARITY_EINVAL;
  for (size_t i = 0; i < email_len; i++)
    if ((unsigned char)email[i] < 0x20 || email[i] == 0x7f)
      return PARITY_EINVAL;
  /* The secret goes in unencoded, so it must be plain base32. */
  if (strnlen(secret_b32, PARITY_TOTP_URI_MAX) == 0 ||
      strspn(secret_b32, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != strlen(secret_b32))
    return PARITY_EINVAL;

  n = snprintf(out, cap, "otpauth://totp/%s:", PARITY_TOTP_ISSUER);
  if (n < 0 || (size_t)n >= cap)
    return PARITY_ETOOBIG;
  pos = pct_encode(email, out, (size_t)n, cap);
  if (pos >= cap)
    return PARITY_ETOOBIG;
  n = snprintf(out + pos, cap - pos, "?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d", secret_b32,
               PARITY_TOTP_ISSUER, PARITY_TOTP_DIGITS, PARITY_TOTP_STEP_SECONDS);
  if (n < 0 || (size_t)n >= cap - pos)
    return PARITY_ETOOBIG;
  return PARITY_OK;
}

int parity_hotp(const unsigned char *secret, size_t len, uint64_t counter, unsigned digits, char *out)
{
  int rc = parity_auth_init();
  if (rc)
    return rc;
  if (!secret_ok(secret, len) || !out || digits < PARITY_HOTP_MIN_DIGITS || digits > PARITY_HOTP_MAX_DIGITS)
    return PARITY_EINVAL;
  if (oath_hotp_generate((const char *)secret, len, counter, digits, false, OATH_HOTP_DYNAMIC_TRUNCATION, out) !=
      OATH_OK)
    return PARITY_EINTERNAL;
  return PARITY_OK;
}

int parity_totp_step(int64_t now, int64_t *step)
{
  if (now < 0)
    return PARITY_EINVAL;
  *step = now / PARITY_TOTP_STEP_SECONDS;
  return PARITY_OK;
}

int parity_totp_code(const unsigned char *secret, size_t len, int64_t now, unsigned digits, char *out)
{
  int64_t step;
  int rc = parity_totp_step(now, &step);
  if (rc)
    return rc;
  return parity_hotp(secret, len, (uint64_t)step, digits, out);
}

int parity_totp_verify(const unsigned char *secret, size_t len, const char *code, int64_t now, int64_t last_step,
                       int64_t *matched_step)
{
  char expect[PARITY_HOTP_MAX_DIGITS + 1];
  int64_t step, accepted = -1;
  bool replay = false;
  int rc;

  if (!code || !matched_step || !secret_ok(secret, len))
    return PARITY_EINVAL;
  if (strnlen(code, PARITY_TOTP_DIGITS + 1) != PARITY_TOTP_DIGITS || strspn(code, "0123456789") != PARITY_TOTP_DIGITS)
    return PARITY_EINVAL;
  rc = parity_totp_step(now, &step);
  if (rc)
    return rc;

  /*
   * Every step of the window is computed and compared, whatever matched earlier, so the time
   * taken does not tell which step (if any) matched. The earliest unused matching step wins.
   */
  for (int64_t s = step - PARITY_TOTP_WINDOW_STEPS; s <= step + PARITY_TOTP_WINDOW_STEPS; s++) {
    bool match;
    if (s < 0)
      continue;
    rc = parity_hotp(secret, len, (uint64_t)s, PARITY_TOTP_DIGITS, expect);
    if (rc)
      goto out;
    match = sodium_memcmp(expect, code, PARITY_TOTP_DIGITS) == 0;
    if (match && s > last_step && accepted < 0)
      accepted = s;
    else if (match && s <= last_step)
      replay = true;
  }
  if (accepted >= 0) {
    *matched_step = accepted;
    rc = PARITY_OK;
  } else {
    rc = replay ? PARITY_ECONFLICT : PARITY_EAUTH;
  }
out:
  sodium_memzero(expect, sizeof(expect));
  return rc;
}
