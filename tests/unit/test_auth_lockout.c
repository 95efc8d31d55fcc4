/* Unit tests of operational/auth/lockout.c: the lockout policy and email normalisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/errors.h"
#include "operational/auth/lockout.h"

#define T0 1700000000

static void test_five_failures_lock_for_fifteen_minutes(void **state)
{
  struct parity_lockout_state st = { 0, 0 };
  bool locked_now = true;
  int64_t retry = 0;
  (void)state;

  for (int i = 0; i < 4; i++) {
    assert_int_equal(parity_lockout_record_failure(&st, T0 + i, &locked_now), PARITY_OK);
    assert_false(locked_now);
    assert_int_equal(parity_lockout_check(&st, T0 + i, &retry), PARITY_OK);
  }
  assert_int_equal(parity_lockout_record_failure(&st, T0 + 10, &locked_now), PARITY_OK);
  assert_true(locked_now); /* the fifth failure starts the lock: email the owner once */
  assert_int_equal(parity_lockout_check(&st, T0 + 10, &retry), PARITY_ERATE);
  assert_int_equal(retry, 900);
  assert_int_equal(parity_lockout_check(&st, T0 + 10 + 899, &retry), PARITY_ERATE);
  assert_int_equal(retry, 1);
  assert_int_equal(parity_lockout_check(&st, T0 + 10 + 900, &retry), PARITY_OK);
}

static void test_failures_while_locked_do_not_extend(void **state)
{
  struct parity_lockout_state st = { 0, 0 };
  bool locked_now;
  int64_t retry;
  (void)state;
  for (int i = 0; i < 5; i++)
    assert_int_equal(parity_lockout_record_failure(&st, T0, &locked_now), PARITY_OK);
  assert_int_equal(parity_lockout_record_failure(&st, T0 + 600, &locked_now), PARITY_OK);
  assert_false(locked_now);
  assert_int_equal(parity_lockout_check(&st, T0 + 600, &retry), PARITY_ERATE);
  assert_int_equal(retry, 300);
  assert_int_equal(parity_lockout_check(&st, T0 + 900, &retry), PARITY_OK);
}

/* After the lock expires, one failure starts a new streak rather than locking again. */
static void test_after_expiry_a_new_streak(void **state)
{
  struct parity_lockout_state st = { 0, 0 };
  bool locked_now;
  (void)state;
  for (int i = 0; i < 5; i++)
    assert_int_equal(parity_lockout_record_failure(&st, T0, NULL), PARITY_OK);
  assert_int_equal(parity_lockout_record_failure(&st, T0 + 901, &locked_now), PARITY_OK);
  assert_false(locked_now);
  assert_int_equal(st.failures, 1);
  assert_int_equal(parity_lockout_check(&st, T0 + 901, NULL), PARITY_OK);
  /* Four more, quickly: locked again. */
  for (int i = 0; i < 4; i++)
    assert_int_equal(parity_lockout_record_failure(&st, T0 + 902 + i, &locked_now), PARITY_OK);
  assert_true(locked_now);
  assert_int_equal(parity_lockout_check(&st, T0 + 910, NULL), PARITY_ERATE);
}

static void test_success_and_stale_streak_reset(void **state)
{
  struct parity_lockout_state st = { 0, 0 };
  (void)state;
  for (int i = 0; i < 4; i++)
    assert_int_equal(parity_lockout_record_failure(&st, T0 + i, NULL), PARITY_OK);
  parity_lockout_record_success(&st);
  assert_int_equal(st.failures, 0);
  assert_int_equal(parity_lockout_record_failure(&st, T0 + 10, NULL), PARITY_OK);
  assert_int_equal(parity_lockout_check(&st, T0 + 10, NULL), PARITY_OK);
  /* Four failures, then the fifth 15 minutes after the fourth: a new streak of one. */
  parity_lockout_record_success(&st);
  for (int i = 0; i < 4; i++)
    assert_int_equal(parity_lockout_record_failure(&st, T0 + 100 * i, NULL), PARITY_OK);
  assert_int_equal(parity_lockout_record_failure(&st, T0 + 300 + 900, NULL), PARITY_OK);
  assert_int_equal(st.failures, 1);
  assert_int_equal(parity_lockout_check(&st, T0 + 1200, NULL), PARITY_OK);
  /* Gaps just under the streak window still add up. */
  parity_lockout_record_success(&st);
  bool locked_now = false;
  for (int i = 0; i < 5; i++)
    assert_int_equal(parity_lockout_record_failure(&st, T0 + 899 * i, &locked_now), PARITY_OK);
  assert_true(locked_now);
  assert_int_equal(parity_lockout_record_failure(NULL, T0, NULL), PARITY_EINVAL);
}

static void norm_ok(const char *in, const char *want)
{
  char out[PARITY_EMAIL_MAX_BYTES + 1];
  assert_int_equal(parity_email_normalize(in, strlen(in), out, sizeof(out)), PARITY_OK);
  assert_string_equal(out, want);
}

static void norm_bad(const char *in, size_t len)
{
  char out[PARITY_EMAIL_MAX_BYTES + 1];
  assert_int_equal(parity_email_normalize(in, len, out, sizeof(out)), PARITY_EINVAL);
}

static void test_email_normalize(void **state)
{
  (void)state;
  norm_ok("Jane.Doe@Example.COM", "jane.doe@example.com");
  norm_ok("  jane@example.com\t\r\n", "jane@example.com");
  norm_ok("demo@parity.local", "demo@parity.local");
  norm_ok("a+tag@b.c", "a+tag@b.c");
  /* Non-ASCII is kept as is (only ASCII is case-folded here). */
  norm_ok("ZOË@Example.com", "zoË@example.com");
  norm_bad("", 0);
  norm_bad("   ", 3);
  norm_bad("jane", 4);
  norm_bad("@example.com", 12);
  norm_bad("jane@", 5);
  norm_bad("a@b@c.d", 7);
  norm_bad("ja ne@example.com", 17);
  norm_bad("jane@exa\tmple.com", 17);
  norm_bad("jane@.example.com", 17);
  norm_bad("jane@example.com.", 17);
  norm_bad("jane@example..com", 17);
  norm_bad("jane\x01@example.com", 17);
  norm_bad("jane\x7f@example.com", 17);
  norm_bad("jane\xC2\x85@example.com", 18); /* U+0085, a C1 control */
  norm_bad("jane\xff@example.com", 17);     /* invalid UTF-8 */
  norm_bad("jane\0@example.com", 17);       /* NUL inside */
  norm_bad(NULL, 0);
}

static void test_email_lengths(void **state)
{
  char in[PARITY_EMAIL_INPUT_MAX + 16], out[PARITY_EMAIL_MAX_BYTES + 1];
  (void)state;
  /* 64-byte local part is the limit. */
  memset(in, 'a', 64);
  strcpy(in + 64, "@example.com");
  assert_int_equal(parity_email_normalize(in, strlen(in), out, sizeof(out)), PARITY_OK);
  memset(in, 'a', 65);
  strcpy(in + 65, "@example.com");
  norm_bad(in, strlen(in));
  /* 254 bytes in all is the limit. */
  memcpy(in, "a@", 2);
  memset(in + 2, 'b', 252);
  in[254] = '\0';
  assert_int_equal(parity_email_normalize(in, 254, out, sizeof(out)), PARITY_OK);
  assert_int_equal(strlen(out), 254);
  in[254] = 'b';
  in[255] = '\0';
  norm_bad(in, 255);
  /* A 10 KB email is refused outright. */
  char big[10240];
  memset(big, 'a', sizeof(big));
  big[5] = '@';
  norm_bad(big, sizeof(big));
  /* Output buffer too small. */
  assert_int_equal(parity_email_normalize("jane@example.com", 16, out, 10), PARITY_ETOOBIG);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_five_failures_lock_for_fifteen_minutes),
    cmocka_unit_test(test_failures_while_locked_do_not_extend),
    cmocka_unit_test(test_after_expiry_a_new_streak),
    cmocka_unit_test(test_success_and_stale_streak_reset),
    cmocka_unit_test(test_email_normalize),
    cmocka_unit_test(test_email_lengths),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
