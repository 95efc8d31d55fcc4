/* Pure lockout decisions and email normalisation; counters live in PostgreSQL (login_attempts). */
#include "operational/auth/lockout.h"

#include <string.h>

#include "common/errors.h"
#include "operational/auth/utf8.h"

static bool lockout_locked(const struct parity_lockout_state *st, int64_t now)
{
  return st->failures >= PARITY_LOCKOUT_MAX_FAILURES && now < st->last_failure + PARITY_LOCKOUT_SECONDS;
}

int parity_lockout_check(const struct parity_lockout_state *st, int64_t now, int64_t *retry_after)
{
  if (!st)
    return PARITY_EINVAL;
  if (!lockout_locked(st, now))
    return PARITY_OK;
  if (retry_after) {
    int64_t left = st->last_failure + PARITY_LOCKOUT_SECONDS - now;
    *retry_after = left < 1 ? 1 : left;
  }
  return PARITY_ERATE;
}

int parity_lockout_record_failure(struct parity_lockout_state *st, int64_t now, bool *locked_now)
{
  if (locked_now)
    *locked_now = false;
  if (!st || st->failures < 0)
    return PARITY_EINVAL;
  if (lockout_locked(st, now))
    return PARITY_OK;
  if (st->failures > 0 && now - st->last_failure >= PARITY_LOCKOUT_STREAK_SECONDS)
    st->failures = 0;
  if (st->failures < PARITY_LOCKOUT_MAX_FAILURES)
    st->failures++;
  st->last_failure = now;
  if (st->failures == PARITY_LOCKOUT_MAX_FAILURES && locked_now)
    *locked_now = true;
  return PARITY_OK;
}

void parity_lockout_record_success(struct parity_lockout_state *st)
{
  if (!st)
    return;
  st->failures = 0;
  st->last_failure = 0;
}

static bool ascii_space(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* C0 controls, DEL, and C1 controls (U+0080..U+009F, encoded as C2 80..C2 9F). */
static bool has_control(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7F)
      return true;
    if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9F)
      return true;
  }
  return false;
}

static bool domain_ok(const char *d, size_t n)
{
  if (n == 0 || d[0] == '.' || d[n - 1] == '.')
    return false;
  for (size_t i = 1; i < n; i++)
    if (d[i] == '.' && d[i - 1] == '.')
      return false;
  return true;
}

int parity_email_normalize(const char *in, size_t len, char *out, size_t cap)
{
  const char *at;
  size_t local_len;

  if (!in || !out || len > PARITY_EMAIL_INPUT_MAX)
    return PARITY_EINVAL;
  while (len > 0 && ascii_space(in[0])) {
    in++;
    len--;
  }
  while (len > 0 && ascii_space(in[len - 1]))
    len--;
  if (len == 0 || len > PARITY_EMAIL_MAX_BYTES)
    return PARITY_EINVAL;
  if (parity_utf8_validate(in, len, NULL) != PARITY_OK || has_control(in, len))
    return PARITY_EINVAL;
  for (size_t i = 0; i < len; i++)
    if (ascii_space(in[i]))
      return PARITY_EINVAL;
  at = memchr(in, '@', len);
  if (!at || memchr(at + 1, '@', len - (size_t)(at - in) - 1))
    return PARITY_EINVAL;
  local_len = (size_t)(at - in);
  if (local_len == 0 || local_len > PARITY_EMAIL_LOCAL_MAX || !domain_ok(at + 1, len - local_len - 1))
    return PARITY_EINVAL;
  if (cap < len + 1)
    return PARITY_ETOOBIG;
  for (size_t i = 0; i < len; i++) {
    char c = in[i];
    out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  out[len] = '\0';
  return PARITY_OK;
}
