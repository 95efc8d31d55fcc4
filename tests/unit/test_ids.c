/* common/ids.c: the one ticker-symbol rule and the one UUID rule, and fresh UUIDs that pass it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/ids.h"

/* Real tickers in every shape the rule admits: plain, class shares, an index, a currency pair. */
static void symbols_follow_the_one_rule(void **state)
{
  (void)state;
  static const char *const good[] = { "SPY", "BRK-B", "^GSPC", "EURUSD=X", "BF.B", "A", "ABCDEFGHIJKLMNO" };
  static const char *const bad[] = { "",
                                     "spy",
                                     "SP Y",
                                     "ABCDEFGHIJKLMNOP",
                                     "SPY;",
                                     "S/P",
                                     "SPY\n",
                                     "\xc3\x84"
                                     "B",
                                     "CASH\"",
                                     "{SPY}",
                                     "SPY,QQQ" };
  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
    assert_true(parity_symbol_valid(good[i]));
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_false(parity_symbol_valid(bad[i]));
  assert_false(parity_symbol_valid(NULL));
  /* The longest valid symbol fills a buffer of PARITY_SYMBOL_MAX exactly, NUL included. */
  assert_int_equal(strlen(good[6]), PARITY_SYMBOL_MAX_LEN);
  assert_int_equal(PARITY_SYMBOL_MAX, PARITY_SYMBOL_MAX_LEN + 1);
}

/* RFC 4122 §3: the canonical text is 8-4-4-4-12 hex digits; PostgreSQL's uuid input takes either case. */
static void uuids_are_the_canonical_text(void **state)
{
  (void)state;
  assert_true(parity_uuid_valid("3f2b8c1e-9a4d-4e7b-8c2a-1d5e6f708192"));
  assert_true(parity_uuid_valid("3F2B8C1E-9A4D-4E7B-8C2A-1D5E6F708192"));
  assert_true(parity_uuid_valid("00000000-0000-0000-0000-000000000000"));
  assert_false(parity_uuid_valid(NULL));
  assert_false(parity_uuid_valid(""));
  assert_false(parity_uuid_valid("3f2b8c1e9a4d4e7b8c2a1d5e6f708192"));       /* no dashes */
  assert_false(parity_uuid_valid("{3f2b8c1e-9a4d-4e7b-8c2a-1d5e6f708192}")); /* braces */
  assert_false(parity_uuid_valid("3f2b8c1e-9a4d-4e7b-8c2a-1d5e6f70819"));
  assert_false(parity_uuid_valid("3f2b8c1e-9a4d-4e7b-8c2a-1d5e6f7081923"));
  assert_false(parity_uuid_valid("3f2b8c1e-9a4d-4e7b-8c2a_1d5e6f708192"));
  assert_false(parity_uuid_valid("3f2b8c1e-9a4d4-e7b-8c2a-1d5e6f708192")); /* a dash in the wrong place */
  assert_false(parity_uuid_valid("zf2b8c1e-9a4d-4e7b-8c2a-1d5e6f708192"));
}

/* RFC 4122 §4.4: version 4 in the 13th digit, the variant (8, 9, a or b) in the 17th; lowercase. */
static void fresh_uuids_are_random_v4_and_valid(void **state)
{
  (void)state;
  char a[PARITY_UUID_TEXT], b[PARITY_UUID_TEXT];
  parity_uuid_v4(a);
  parity_uuid_v4(b);
  assert_int_equal(strlen(a), PARITY_UUID_LEN);
  assert_true(parity_uuid_valid(a));
  assert_int_equal(a[14], '4');
  assert_non_null(strchr("89ab", a[19]));
  for (size_t i = 0; i < PARITY_UUID_LEN; i++)
    assert_false(a[i] >= 'A' && a[i] <= 'F');
  assert_string_not_equal(a, b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(symbols_follow_the_one_rule),
    cmocka_unit_test(uuids_are_the_canonical_text),
    cmocka_unit_test(fresh_uuids_are_random_v4_and_valid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
