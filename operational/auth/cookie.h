/* The refresh-token cookie: Set-Cookie values (set, clear) and a bounded Cookie parser. */
#ifndef PARITY_AUTH_COOKIE_H
#define PARITY_AUTH_COOKIE_H

#include <stdbool.h>
#include <stddef.h>

#define PARITY_REFRESH_COOKIE_NAME "parity_refresh"
/* Sent only to the auth routes, so no other route ever sees the refresh token. */
#define PARITY_REFRESH_COOKIE_PATH "/api/v1/auth"
/* Cookie headers longer than this are refused unparsed (browsers send at most ~4 KiB per cookie).
 */
#define PARITY_COOKIE_HEADER_MAX 8192
/* Longest cookie value accepted when setting one. */
#define PARITY_COOKIE_VALUE_MAX 256
/* Browsers cap Max-Age at 400 days (RFC 6265bis §5.5): anything longer is a mistake. */
#define PARITY_COOKIE_MAX_AGE_MAX (400L * 24 * 3600)
/* Buffer size that always holds a Set-Cookie value built here. */
#define PARITY_SET_COOKIE_MAX (PARITY_COOKIE_VALUE_MAX + 192)

/*
 * The Set-Cookie header value for a refresh token:
 *   parity_refresh=TOKEN; Path=/api/v1/auth; Max-Age=N; HttpOnly; SameSite=Strict[; Secure]
 * Secure when `secure` (COOKIE_SECURE=true, behind TLS). token must be 1..PARITY_COOKIE_VALUE_MAX
 * cookie-octets (RFC 6265 §4.1.1); max_age 1..PARITY_COOKIE_MAX_AGE_MAX seconds.
 * Returns PARITY_OK, PARITY_EINVAL or PARITY_ETOOBIG (cap).
 */
int parity_cookie_refresh_set(const char *token, long max_age, bool secure, char *out, size_t cap);

/*
 * The Set-Cookie value that deletes the refresh cookie (logout): empty value, Max-Age=0 and an
 * Expires in 1970 for old clients, with the same Path and attributes so it matches the cookie.
 */
int parity_cookie_refresh_clear(bool secure, char *out, size_t cap);

/*
 * Finds the cookie `name` in a Cookie request header ("a=1; b=2") and copies its value
 * (surrounding double quotes removed) into out. Names compare exactly. Pairs of other cookies
 * are skipped even when malformed. Returns PARITY_OK, PARITY_ENOTFOUND (absent or empty),
 * PARITY_ETOOBIG (header over PARITY_COOKIE_HEADER_MAX, or value longer than cap - 1) or
 * PARITY_EINVAL (our cookie's value holds non-cookie-octets, or the name appears twice: a
 * sibling domain may have planted a second one, and we cannot tell which is ours).
 */
int parity_cookie_get(const char *header, const char *name, char *out, size_t cap);

#endif
