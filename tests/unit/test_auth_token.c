/* Unit tests of operational/auth/token.c: tokens, hashes, recovery codes, internal secret. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "operational/auth/token.h"

static json_t *fixture(void)
{
  json_t *fx = json_load_file(PARITY_FIXTURES_DIR "/auth/token_known_answers.json", 0, NULL);
  assert_non_null(fx);
  return fx;
}

static void test_token_shape_and_uniqueness(void **state)
{
  char a[PARITY_TOKEN_STRLEN + 1], b[PARITY_TOKEN_STRLEN + 1];
  (void)state;
  assert_int_equal(parity_token_new(a), PARITY_OK);
  assert_int_equal(parity_token_new(b), PARITY_OK);
  assert_int_equal(strlen(a), PARITY_TOKEN_STRLEN);
  assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), PARITY_TOKEN_STRLEN);
  assert_string_not_equal(a, b);
  assert_true(parity_token_wellformed(a));
}

static void test_wellformed(void **state)
{
  json_t *fx = fixture();
  const char *tok = json_string_value(json_object_get(json_object_get(fx, "token"), "token"));
  char buf[64];
  (void)state;
  assert_true(parity_token_wellformed(tok));
  /* One character short, one long, a '+' or '=' from the other alphabets, a space. */
  snprintf(buf, sizeof(buf), "%.42s", tok);
  assert_false(parity_token_wellformed(buf));
  snprintf(buf, sizeof(buf), "%sA", tok);
  assert_false(parity_token_wellformed(buf));
  snprintf(buf, sizeof(buf), "+%s", tok + 1);
  assert_false(parity_token_wellformed(buf));
  snprintf(buf, sizeof(buf), "%.42s=", tok);
  assert_false(parity_token_wellformed(buf));
  snprintf(buf, sizeof(buf), " %s", tok + 1);
  assert_false(parity_token_wellformed(buf));
  /*
   * 43 characters carry 258 bits for 256: the last character's two low bits must be zero. '8'
   * (60) has them clear; 'f' (31) sets them, which would be a second spelling of a value.
   */
  snprintf(buf, sizeof(buf), "%.42sf", tok);
  assert_false(parity_token_wellformed(buf));
  assert_false(parity_token_wellformed(""));
  assert_false(parity_token_wellformed(NULL));
  json_decref(fx);
}

static void test_token_hash_known_answer(void **state)
{
  json_t *fx = fixture();
  json_t *t = json_object_get(fx, "token");
  char hex[PARITY_TOKEN_HASH_HEXLEN + 1];
  (void)state;
  assert_int_equal(parity_token_hash(json_string_value(json_object_get(t, "token")), hex), PARITY_OK);
  assert_string_equal(hex, json_string_value(json_object_get(t, "sha256_hex")));
  assert_int_equal(parity_token_hash("not-a-token", hex), PARITY_EINVAL);
  json_decref(fx);
}

static void test_hash_equal(void **state)
{
  char a[PARITY_TOKEN_STRLEN + 1], ha[65], hb[65], hc[65];
  (void)state;
  assert_int_equal(parity_token_new(a), PARITY_OK);
  assert_int_equal(parity_token_hash(a, ha), PARITY_OK);
  assert_int_equal(parity_token_hash(a, hb), PARITY_OK);
  assert_true(parity_token_hash_equal(ha, hb));
  memcpy(hc, ha, sizeof(hc));
  hc[63] = hc[63] == '0' ? '1' : '0';
  assert_false(parity_token_hash_equal(ha, hc));
  hc[63] = ha[63];
  hc[0] = hc[0] == 'a' ? 'b' : 'a';
  assert_false(parity_token_hash_equal(ha, hc));
  /* Not a hash: upper case, short, NULL. */
  memcpy(hc, ha, sizeof(hc));
  for (char *p = hc; *p; p++)
    if (*p >= 'a' && *p <= 'f')
      *p = (char)(*p - 'a' + 'A');
  assert_false(parity_token_hash_equal(hc, hc));
  assert_false(parity_token_hash_equal("abc", "abc"));
  assert_false(parity_token_hash_equal(NULL, ha));
}

static void test_recovery_codes_shape(void **state)
{
  char codes[PARITY_RECOVERY_CODE_COUNT][PARITY_RECOVERY_CODE_STRLEN + 1];
  (void)state;
  assert_int_equal(parity_recovery_codes_new(codes), PARITY_OK);
  for (int i = 0; i < PARITY_RECOVERY_CODE_COUNT; i++) {
    assert_int_equal(strlen(codes[i]), PARITY_RECOVERY_CODE_STRLEN);
    assert_int_equal(codes[i][5], '-');
    assert_int_equal(strspn(codes[i], PARITY_RECOVERY_ALPHABET), 5);
    assert_int_equal(strspn(codes[i] + 6, PARITY_RECOVERY_ALPHABET), 5);
    /* No look-alikes. */
    assert_null(strpbrk(codes[i], "01OIL"));
    for (int j = 0; j < i; j++)
      assert_string_not_equal(codes[i], codes[j]);
  }
}

static void test_recovery_normalize(void **state)
{
  char out[PARITY_RECOVERY_CODE_CHARS + 1];
  (void)state;
  const char *const same[] = { "ABCDE-FGHJK", "abcde-fghjk", "ABCDEFGHJK", " abcde fghjk ", "AB-CD-EF-GH-JK" };
  for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
    assert_int_equal(parity_recovery_code_normalize(same[i], out), PARITY_OK);
    assert_string_equal(out, "ABCDEFGHJK");
  }
  const char *const bad[] = {
    "", "ABCDE-FGHJ", "ABCDE-FGHJKM", "ABCDE-FGH0K", "ABCDE-FGHIK", "ABCDE_FGHJK", "ABCDÉ-FGHJK", "ABCDE\tFGHJK"
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(parity_recovery_code_normalize(bad[i], out), PARITY_EINVAL);
  char huge[PARITY_RECOVERY_INPUT_MAX + 16];
  memset(huge, '-', sizeof(huge) - 1);
  huge[sizeof(huge) - 1] = '\0';
  memcpy(huge, "ABCDEFGHJK", 10);
  assert_int_equal(parity_recovery_code_normalize(huge, out), PARITY_EINVAL);
}

static void test_recovery_hash_known_answer(void **state)
{
  json_t *fx = fixture();
  json_t *r = json_object_get(fx, "recovery");
  int64_t uid = (int64_t)json_integer_value(json_object_get(r, "user_id"));
  const char *want = json_string_value(json_object_get(r, "hash_hex"));
  char hex[PARITY_RECOVERY_HASH_HEXLEN + 1], other[PARITY_RECOVERY_HASH_HEXLEN + 1];
  (void)state;

  assert_int_equal(parity_recovery_code_hash(uid, json_string_value(json_object_get(r, "code")), hex), PARITY_OK);
  assert_string_equal(hex, want);
  /* Any accepted spelling gives the same hash. */
  assert_int_equal(parity_recovery_code_hash(uid, "abcde fghjk", hex), PARITY_OK);
  assert_string_equal(hex, want);
  /* Another user, another hash (the salt is per user). */
  assert_int_equal(parity_recovery_code_hash(uid + 1, "ABCDE-FGHJK", other), PARITY_OK);
  assert_string_not_equal(other, want);
  assert_int_equal(parity_recovery_code_hash(uid, "ABCDE-FGHJM", other), PARITY_OK);
  assert_string_not_equal(other, want);
  assert_int_equal(parity_recovery_code_hash(uid, "nope", other), PARITY_EINVAL);
  assert_int_equal(parity_recovery_code_hash(0, "ABCDE-FGHJK", other), PARITY_EINVAL);
  json_decref(fx);
}

static void test_internal_secret(void **state)
{
  const char *secret = "s3cr3t-internal-value-0123456789";
  char longer[2 * PARITY_INTERNAL_SECRET_MAX];
  (void)state;
  assert_true(parity_internal_secret_ok(secret, secret));
  assert_true(parity_internal_secret_ok("s3cr3t-internal-value-0123456789", secret));
  assert_false(parity_internal_secret_ok("s3cr3t-internal-value-012345678", secret));
  assert_false(parity_internal_secret_ok("s3cr3t-internal-value-01234567890", secret));
  assert_false(parity_internal_secret_ok("S3cr3t-internal-value-0123456789", secret));
  assert_false(parity_internal_secret_ok("", secret));
  assert_false(parity_internal_secret_ok(NULL, secret));
  /* Not configured: nothing matches, not even an empty header. */
  assert_false(parity_internal_secret_ok("", ""));
  assert_false(parity_internal_secret_ok("x", NULL));
  /* Over the limit: refused. */
  memset(longer, 'a', sizeof(longer) - 1);
  longer[sizeof(longer) - 1] = '\0';
  assert_false(parity_internal_secret_ok(longer, longer));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_token_shape_and_uniqueness), cmocka_unit_test(test_wellformed),
    cmocka_unit_test(test_token_hash_known_answer),    cmocka_unit_test(test_hash_equal),
    cmocka_unit_test(test_recovery_codes_shape),       cmocka_unit_test(test_recovery_normalize),
    cmocka_unit_test(test_recovery_hash_known_answer), cmocka_unit_test(test_internal_secret),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
