/* Unit tests of operational/auth/cookie.c: Set-Cookie values and Cookie header parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "operational/auth/cookie.h"

#define TOKEN "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

static void test_set_cookie(void **state)
{
  char out[PARITY_SET_COOKIE_MAX];
  (void)state;
  assert_int_equal(parity_cookie_refresh_set(TOKEN, 2592000, false, out, sizeof(out)), PARITY_OK);
  assert_string_equal(out, "parity_refresh=" TOKEN "; Path=/api/v1/auth; Max-Age=2592000; HttpOnly; SameSite=Strict");
  assert_int_equal(parity_cookie_refresh_set(TOKEN, 60, true, out, sizeof(out)), PARITY_OK);
  assert_string_equal(out,
                      "parity_refresh=" TOKEN "; Path=/api/v1/auth; Max-Age=60; HttpOnly; SameSite=Strict; Secure");
}

static void test_set_cookie_refuses_bad_values(void **state)
{
  char out[PARITY_SET_COOKIE_MAX];
  char long_token[PARITY_COOKIE_VALUE_MAX + 2];
  (void)state;
  /* Header injection and cookie-attribute injection. */
  const char *const bad[] = { "", "a;b", "a b", "a\r\nSet-Cookie: x=y", "a,b", "\"a\"", "a\\b", "caf\xC3\xA9" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(parity_cookie_refresh_set(bad[i], 60, true, out, sizeof(out)), PARITY_EINVAL);
  assert_int_equal(parity_cookie_refresh_set(TOKEN, 0, true, out, sizeof(out)), PARITY_EINVAL);
  assert_int_equal(parity_cookie_refresh_set(TOKEN, -5, true, out, sizeof(out)), PARITY_EINVAL);
  assert_int_equal(parity_cookie_refresh_set(TOKEN, PARITY_COOKIE_MAX_AGE_MAX + 1, true, out, sizeof(out)),
                   PARITY_EINVAL);
  assert_int_equal(parity_cookie_refresh_set(TOKEN, 60, true, out, 40), PARITY_ETOOBIG);
  memset(long_token, 'a', sizeof(long_token) - 1);
  long_token[sizeof(long_token) - 1] = '\0';
  assert_int_equal(parity_cookie_refresh_set(long_token, 60, true, out, sizeof(out)), PARITY_EINVAL);
  long_token[PARITY_COOKIE_VALUE_MAX] = '\0';
  assert_int_equal(parity_cookie_refresh_set(long_token, 60, true, out, sizeof(out)), PARITY_OK);
}

static void test_clear_cookie(void **state)
{
  char out[PARITY_SET_COOKIE_MAX];
  (void)state;
  assert_int_equal(parity_cookie_refresh_clear(true, out, sizeof(out)), PARITY_OK);
  assert_string_equal(out, "parity_refresh=; Path=/api/v1/auth; Max-Age=0; "
                           "Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict; Secure");
  assert_int_equal(parity_cookie_refresh_clear(false, out, sizeof(out)), PARITY_OK);
  assert_null(strstr(out, "Secure"));
}

static void test_get_cookie(void **state)
{
  char v[128];
  (void)state;
  assert_int_equal(parity_cookie_get("parity_refresh=" TOKEN, "parity_refresh", v, sizeof(v)), PARITY_OK);
  assert_string_equal(v, TOKEN);
  assert_int_equal(parity_cookie_get("theme=dark; parity_refresh=abc; lang=en", "parity_refresh", v, sizeof(v)),
                   PARITY_OK);
  assert_string_equal(v, "abc");
  /* Lenient whitespace, quoted value, no space after ';'. */
  assert_int_equal(parity_cookie_get("a=1;parity_refresh = \"abc\" ;b=2", "parity_refresh", v, sizeof(v)), PARITY_OK);
  assert_string_equal(v, "abc");
  /* Prefix and suffix names are other cookies. */
  assert_int_equal(parity_cookie_get("xparity_refresh=1; parity_refresh_old=2", "parity_refresh", v, sizeof(v)),
                   PARITY_ENOTFOUND);
  assert_int_equal(parity_cookie_get("Parity_Refresh=1", "parity_refresh", v, sizeof(v)), PARITY_ENOTFOUND);
  assert_int_equal(parity_cookie_get("", "parity_refresh", v, sizeof(v)), PARITY_ENOTFOUND);
  assert_int_equal(parity_cookie_get(NULL, "parity_refresh", v, sizeof(v)), PARITY_ENOTFOUND);
  assert_int_equal(parity_cookie_get("parity_refresh=", "parity_refresh", v, sizeof(v)), PARITY_ENOTFOUND);
  /* Other cookies' junk is not our problem. */
  assert_int_equal(parity_cookie_get("junk; =x; a=\"b c\"; parity_refresh=ok", "parity_refresh", v, sizeof(v)),
                   PARITY_OK);
  assert_string_equal(v, "ok");
}

static void test_get_cookie_rejects(void **state)
{
  char v[16];
  (void)state;
  /* Two cookies of our name (one planted by a sibling domain): neither is trusted. */
  assert_int_equal(parity_cookie_get("parity_refresh=a; parity_refresh=b", "parity_refresh", v, sizeof(v)),
                   PARITY_EINVAL);
  /* Our value with characters a cookie cannot hold. */
  assert_int_equal(parity_cookie_get("parity_refresh=a b", "parity_refresh", v, sizeof(v)), PARITY_EINVAL);
  assert_int_equal(parity_cookie_get("parity_refresh=a\\b", "parity_refresh", v, sizeof(v)), PARITY_EINVAL);
  /* Value longer than the caller's buffer. */
  assert_int_equal(parity_cookie_get("parity_refresh=0123456789abcdef", "parity_refresh", v, sizeof(v)),
                   PARITY_ETOOBIG);
  assert_int_equal(parity_cookie_get("parity_refresh=0123456789abcde", "parity_refresh", v, sizeof(v)), PARITY_OK);
  /* Header over the limit is refused before parsing. */
  char *big = malloc(PARITY_COOKIE_HEADER_MAX + 32);
  assert_non_null(big);
  memset(big, 'a', PARITY_COOKIE_HEADER_MAX + 31);
  memcpy(big, "parity_refresh=x; pad=", 22);
  big[PARITY_COOKIE_HEADER_MAX + 31] = '\0';
  assert_int_equal(parity_cookie_get(big, "parity_refresh", v, sizeof(v)), PARITY_ETOOBIG);
  big[PARITY_COOKIE_HEADER_MAX] = '\0';
  assert_int_equal(parity_cookie_get(big, "parity_refresh", v, sizeof(v)), PARITY_OK);
  assert_string_equal(v, "x");
  free(big);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_set_cookie),         cmocka_unit_test(test_set_cookie_refuses_bad_values),
    cmocka_unit_test(test_clear_cookie),       cmocka_unit_test(test_get_cookie),
    cmocka_unit_test(test_get_cookie_rejects),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
