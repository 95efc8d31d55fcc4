/* Unit tests of operational/auth/utf8.c against the RFC 3629 boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/errors.h"
#include "operational/auth/utf8.h"

static void ok(const char *s, size_t len, size_t want_cp)
{
  size_t cp = 0;
  assert_int_equal(parity_utf8_validate(s, len, &cp), PARITY_OK);
  assert_int_equal(cp, want_cp);
}

static void bad(const char *s, size_t len)
{
  assert_int_equal(parity_utf8_validate(s, len, NULL), PARITY_EINVAL);
}

/* The first and last code point of each sequence length (RFC 3629 §4 table). */
static void test_boundaries(void **state)
{
  (void)state;
  ok("", 0, 0);
  ok("\x01", 1, 1);
  ok("\x7F", 1, 1);
  ok("\xC2\x80", 2, 1);
  ok("\xDF\xBF", 2, 1);
  ok("\xE0\xA0\x80", 3, 1);
  ok("\xED\x9F\xBF", 3, 1); /* U+D7FF, just below the surrogates */
  ok("\xEE\x80\x80", 3, 1); /* U+E000, just above */
  ok("\xEF\xBF\xBF", 3, 1);
  ok("\xF0\x90\x80\x80", 4, 1);
  ok("\xF4\x8F\xBF\xBF", 4, 1); /* U+10FFFF */
  ok("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 10, 4);
}

static void test_rejects(void **state)
{
  (void)state;
  bad("\0", 1);
  bad("a\0b", 3);
  bad("\x80", 1);
  bad("\xBF", 1);
  bad("\xC0\x80", 2);         /* overlong NUL */
  bad("\xC1\xBF", 2);         /* overlong */
  bad("\xE0\x9F\xBF", 3);     /* overlong */
  bad("\xF0\x8F\xBF\xBF", 4); /* overlong */
  bad("\xED\xA0\x80", 3);     /* U+D800 */
  bad("\xED\xBF\xBF", 3);     /* U+DFFF */
  bad("\xF4\x90\x80\x80", 4); /* U+110000 */
  bad("\xF5\x80\x80\x80", 4);
  bad("\xF8\x88\x80\x80\x80", 5);
  bad("\xFE", 1);
  bad("\xFF", 1);
  bad("\xC3", 1);         /* truncated */
  bad("\xE2\x82", 2);     /* truncated */
  bad("\xF0\x9F\x98", 3); /* truncated */
  bad("\xC3\x28", 2);     /* bad continuation */
  bad("\xE2\x28\xA1", 3); /* bad continuation */
  bad(NULL, 3);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_boundaries),
    cmocka_unit_test(test_rejects),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
