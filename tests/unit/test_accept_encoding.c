/* Accept-Encoding as RFC 9110 §12.5.3 reads it: q=0 refuses, "*" covers unlisted codings, absent = identity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "operational/accept_encoding.h"

static void absent_or_empty_accepts_no_coding(void **state)
{
  (void)state;
  assert_false(parity_accepts_coding(NULL, "gzip"));
  assert_false(parity_accepts_coding("", "gzip"));
  assert_false(parity_accepts_coding("identity", "br"));
  assert_int_equal(parity_choose_coding(NULL, true, true), PARITY_CODING_IDENTITY);
  assert_int_equal(parity_choose_coding("", true, true), PARITY_CODING_IDENTITY);
}

static void listed_codings_with_q(void **state)
{
  (void)state;
  assert_true(parity_accepts_coding("gzip, deflate, br", "br"));
  assert_true(parity_accepts_coding("gzip, deflate, br", "gzip"));
  assert_true(parity_accepts_coding("GZip;Q=0.5", "gzip"));
  assert_true(parity_accepts_coding("x-gzip", "gzip"));
  assert_false(parity_accepts_coding("gzip;q=0", "gzip"));
  assert_false(parity_accepts_coding("gzip;q=0.000", "gzip"));
  assert_false(parity_accepts_coding("gzip;q=2", "gzip")); /* out of range: read as refusal */
  assert_false(parity_accepts_coding("gzipper", "gzip"));
  assert_false(parity_accepts_coding("deflate", "gzip"));
}

static void star_covers_only_unlisted(void **state)
{
  (void)state;
  assert_true(parity_accepts_coding("*", "br"));
  assert_false(parity_accepts_coding("*;q=0", "br"));
  assert_false(parity_accepts_coding("br;q=0, *", "br"));
  assert_true(parity_accepts_coding("gzip;q=0, *", "br"));
}

static void choice_prefers_higher_q_then_br(void **state)
{
  (void)state;
  assert_int_equal(parity_choose_coding("gzip, br", true, true), PARITY_CODING_BR);
  assert_int_equal(parity_choose_coding("br;q=0.2, gzip;q=0.8", true, true), PARITY_CODING_GZIP);
  assert_int_equal(parity_choose_coding("br, gzip", true, false), PARITY_CODING_GZIP);
  assert_int_equal(parity_choose_coding("br", true, false), PARITY_CODING_IDENTITY);
  assert_int_equal(parity_choose_coding("gzip", false, true), PARITY_CODING_IDENTITY);
  assert_int_equal(parity_choose_coding("br;q=0, gzip;q=0", true, true), PARITY_CODING_IDENTITY);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(absent_or_empty_accepts_no_coding),
    cmocka_unit_test(listed_codings_with_q),
    cmocka_unit_test(star_covers_only_unlisted),
    cmocka_unit_test(choice_prefers_higher_q_then_br),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
