/* Builds the refresh cookie's Set-Cookie values and reads one cookie from a Cookie header. */
#include "operational/auth/cookie.h"

#include <stdio.h>
#include <string.h>

#include "common/errors.h"

/* RFC 6265 §4.1.1 cookie-octet: US-ASCII except CTLs, whitespace, DQUOTE, comma, semicolon,
 * backslash. */
static bool cookie_octet(unsigned char c)
{
  return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) || (c >= 0x3C && c <= 0x5B) ||
         (c >= 0x5D && c <= 0x7E);
}

static bool cookie_value_ok(const char *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!cookie_octet((unsigned char)v[i]))
      return false;
  return true;
}

int parity_cookie_refresh_set(const char *token, long max_age, bool secure, char *out, size_t cap)
{
  size_t n;
  int w;

  if (!token || !out || cap == 0)
    return PARITY_EINVAL;
  n = strnlen(token, PARITY_COOKIE_VALUE_MAX + 1);
  if (n == 0 || n > PARITY_COOKIE_VALUE_MAX || !cookie_value_ok(token, n) || max_age < 1 ||
      max_age > PARITY_COOKIE_MAX_AGE_MAX)
    return PARITY_EINVAL;
  w = snprintf(out, cap, "%s=%s; Path=%s; Max-Age=%ld; HttpOnly; SameSite=Strict%s", PARITY_REFRESH_COOKIE_NAME, token,
               PARITY_REFRESH_COOKIE_PATH, max_age, secure ? "; Secure" : "");
  if (w < 0 || (size_t)w >= cap)
    return PARITY_ETOOBIG;
  return PARITY_OK;
}

int parity_cookie_refresh_clear(bool secure, char *out, size_t cap)
{
  int w;
  if (!out || cap == 0)
    return PARITY_EINVAL;
  w = snprintf(out, cap,
               "%s=; Path=%s; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; "
               "SameSite=Strict%s",
               PARITY_REFRESH_COOKIE_NAME, PARITY_REFRESH_COOKIE_PATH, secure ? "; Secure" : "");
  if (w < 0 || (size_t)w >= cap)
    return PARITY_ETOOBIG;
  return PARITY_OK;
}

static void trim_ows(const char **s, size_t *n)
{
  while (*n > 0 && (**s == ' ' || **s == '\t')) {
    (*s)++;
    (*n)--;
  }
  while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
    (*n)--;
}

int parity_cookie_get(const char *header, const char *name, char *out, size_t cap)
{
  size_t total, name_len;
  const char *found = NULL;
  size_t found_len = 0;
  int matches = 0;

  if (!name || !out || cap == 0)
    return PARITY_EINVAL;
  out[0] = '\0';
  if (!header)
    return PARITY_ENOTFOUND;
  total = strnlen(header, PARITY_COOKIE_HEADER_MAX + 1);
  if (total > PARITY_COOKIE_HEADER_MAX)
    return PARITY_ETOOBIG;
  name_len = strlen(name);

  for (const char *p = header; p < header + total;) {
    const char *semi = memchr(p, ';', (size_t)(header + total - p));
    const char *pair = p;
    size_t pair_len = (size_t)((semi ? semi : header + total) - p);
    p = semi ? semi + 1 : header + total;

    trim_ows(&pair, &pair_len);
    const char *eq = memchr(pair, '=', pair_len);
    if (!eq)
      continue; /* a nameless or valueless pair: not ours */
    const char *cname = pair;
    size_t cname_len = (size_t)(eq - pair);
    trim_ows(&cname, &cname_len);
    if (cname_len != name_len || memcmp(cname, name, name_len) != 0)
      continue;
    const char *val = eq + 1;
    size_t val_len = (size_t)(pair + pair_len - val);
    trim_ows(&val, &val_len);
    if (val_len >= 2 && val[0] == '"' && val[val_len - 1] == '"') {
      val++;
      val_len -= 2;
    }
    if (++matches > 1)
      return PARITY_EINVAL;
    if (!cookie_value_ok(val, val_len))
      return PARITY_EINVAL;
    found = val;
    found_len = val_len;
  }
  if (!found || found_len == 0)
    return PARITY_ENOTFOUND;
  if (found_len >= cap)
    return PARITY_ETOOBIG;
  memcpy(out, found, found_len);
  out[found_len] = '\0';
  return PARITY_OK;
}
