/* Unit tests of operational/auth/totp.c against the RFC 6238 and RFC 4226 vectors. */
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
#include "operational/auth/totp.h"

static const unsigned char rfc_seed[] = "12345678901234567890";
#define RFC_SEED_LEN 20

static json_t *load_fixture(const char *name)
{
  char path[512];
  snprintf(path, sizeof(path), "%s/auth/%s", PARITY_FIXTURES_DIR, name);
  json_t *fx = json_load_file(path, 0, NULL);
  assert_non_null(fx);
  return fx;
}

static void test_rfc6238_sha1_rows(void **state)
{
  json_t *fx = load_fixture("totp_rfc6238_sha1.json");
  json_t *rows = json_object_get(fx, "rows");
  size_t i;
  json_t *row;
  (void)state;

  assert_string_equal(json_string_value(json_object_get(fx, "seed_ascii")), (const char *)rfc_seed);
  assert_int_equal(json_array_size(rows), 6);
  json_array_foreach(rows, i, row) {
    int64_t t = (int64_t)json_integer_value(json_object_get(row, "time"));
    const char *want8 = json_string_value(json_object_get(row, "totp8"));
    const char *want6 = json_string_value(json_object_get(row, "totp6"));
    int64_t step;
    char got[16], trunc[16];

    assert_int_equal(parity_totp_step(t, &step), PARITY_OK);
    assert_int_equal(step, strtoll(json_string_value(json_object_get(row, "step_hex")), NULL, 16));
    assert_int_equal(parity_totp_code(rfc_seed, RFC_SEED_LEN, t, 8, got), PARITY_OK);
    assert_string_equal(got, want8);
    /* The 6-digit code is the 8-digit value mod 10^6 (RFC 4226 §5.3). */
    snprintf(trunc, sizeof(trunc), "%06ld", strtol(want8, NULL, 10) % 1000000);
    assert_string_equal(trunc, want6);
    assert_int_equal(parity_totp_code(rfc_seed, RFC_SEED_LEN, t, 6, got), PARITY_OK);
    assert_string_equal(got, want6);
    /* And verification accepts it at that time. */
    int64_t matched = -1;
    assert_int_equal(parity_totp_verify(rfc_seed, RFC_SEED_LEN, want6, t, PARITY_TOTP_NO_LAST_STEP, &matched),
                     PARITY_OK);
    assert_int_equal(matched, step);
  }
  json_decref(fx);
}

static void test_rfc4226_hotp(void **state)
{
  json_t *fx = load_fixture("hotp_rfc4226.json");
  json_t *codes = json_object_get(fx, "hotp");
  size_t i;
  json_t *c;
  (void)state;

  assert_int_equal(json_array_size(codes), 10);
  json_array_foreach(codes, i, c) {
    char got[16];
    assert_int_equal(parity_hotp(rfc_seed, RFC_SEED_LEN, i, 6, got), PARITY_OK);
    assert_string_equal(got, json_string_value(c));
  }
  json_decref(fx);
}

/* Window: step-1, step, step+1 accepted; step-2 and step+2 refused. */
static void test_window(void **state)
{
  const int64_t now = 1111111111; /* step 0x23523ED, 1 s into it */
  int64_t step, matched;
  char code[16];
  (void)state;

  assert_int_equal(parity_totp_step(now, &step), PARITY_OK);
  for (int d = -2; d <= 2; d++) {
    assert_int_equal(parity_hotp(rfc_seed, RFC_SEED_LEN, (uint64_t)(step + d), 6, code), PARITY_OK);
    matched = -1;
    int rc = parity_totp_verify(rfc_seed, RFC_SEED_LEN, code, now, PARITY_TOTP_NO_LAST_STEP, &matched);
    if (d >= -1 && d <= 1) {
      assert_int_equal(rc, PARITY_OK);
      assert_int_equal(matched, step + d);
    } else {
      assert_int_equal(rc, PARITY_EAUTH);
    }
  }
  /* The edges of the current step: last second of step-1 is a different step. */
  assert_int_equal(parity_hotp(rfc_seed, RFC_SEED_LEN, (uint64_t)(step + 1), 6, code), PARITY_OK);
  assert_int_equal(parity_totp_verify(rfc_seed, RFC_SEED_LEN, code, step * 30 - 1, PARITY_TOTP_NO_LAST_STEP, &matched),
                   PARITY_EAUTH);
  assert_int_equal(parity_totp_verify(rfc_seed, RFC_SEED_LEN, code, step * 30, PARITY_TOTP_NO_LAST_STEP, &matched),
                   PARITY_OK);
}

static void test_replay_refused(void **state)
{
  const int64_t now = 1234567890;
  int64_t step, matched = -1;
  char code[16], prev[16];
  (void)state;

  assert_int_equal(parity_totp_step(now, &step), PARITY_OK);
  assert_int_equal(parity_totp_code(rfc_seed, RFC_SEED_LEN, now, 6, code), PARITY_OK);
  assert_int_equal(parity_totp_verify(rfc_seed, RFC_SEED_LEN, code, now, step - 1, &matched), PARITY_OK);
  assert_int_equal(matched, step);
  /* Same code again in the same step, with last_step now stored: a replay. */
  assert_int_equal(parity_totp_verify(rfc_seed, RFC_SEED_LEN, code, now + 5, matched, &matched), PARITY_ECONFLICT);
  /* And still refused in the next step, where it sits inside the window as step-1. */
  assert_int_equal(parity_totp_verify(rfc_seed, RFC_SEED_LEN, code, now + 30, step, &matched), PARITY_ECONFLICT);
  /* An older code (step-1) after step was used: also refused. */
  assert_int_equal(parity_hotp(rfc_seed, RFC_SEED_LEN, (uint64_t)(step - 1), 6, prev), PARITY_OK);
  assert_int_equal(parity_totp_verify(rfc_seed, RFC_SEED_LEN, prev, now, step, &matched), PARITY_ECONFLICT);
  /* The next step's code is still fine. */
  assert_int_equal(parity_hotp(rfc_seed, RFC_SEED_LEN, (uint64_t)(step + 1), 6, prev), PARITY_OK);
  assert_int_equal(parity_totp_verify(rfc_seed, RFC_SEED_LEN, prev, now, step, &matched), PARITY_OK);
  assert_int_equal(matched, step + 1);
}

static void test_malformed_codes(void **state)
{
  const char *const bad[] = { "",       "12345",  "1234567", "12345a", " 12345",      "123456 ",
                              "-12345", "+12345", "12 345",  "0x1234", "１２３４５６" };
  int64_t matched;
  (void)state;
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(parity_totp_verify(rfc_seed, RFC_SEED_LEN, bad[i], 59, -1, &matched), PARITY_EINVAL);
  assert_int_equal(parity_totp_verify(rfc_seed, RFC_SEED_LEN, NULL, 59, -1, &matched), PARITY_EINVAL);
  assert_int_equal(parity_totp_verify(rfc_seed, 0, "287082", 59, -1, &matched), PARITY_EINVAL);
  /* A well-formed wrong code. */
  assert_int_equal(parity_totp_verify(rfc_seed, RFC_SEED_LEN, "000000", 59, -1, &matched), PARITY_EAUTH);
  assert_int_equal(parity_totp_verify(rfc_seed, RFC_SEED_LEN, "287082", -1, -1, &matched), PARITY_EINVAL);
  char out[16];
  assert_int_equal(parity_hotp(rfc_seed, RFC_SEED_LEN, 0, 5, out), PARITY_EINVAL);
  assert_int_equal(parity_hotp(rfc_seed, RFC_SEED_LEN, 0, 9, out), PARITY_EINVAL);
}

/* At the epoch there is no step -1: the window just starts at 0. */
static void test_first_step(void **state)
{
  int64_t matched = -1;
  (void)state;
  /* RFC 4226 counter 0 value is also the TOTP code for t in [0, 30). */
  assert_int_equal(parity_totp_verify(rfc_seed, RFC_SEED_LEN, "755224", 10, -1, &matched), PARITY_OK);
  assert_int_equal(matched, 0);
}

static void test_secret_and_base32(void **state)
{
  unsigned char a[PARITY_TOTP_SECRET_BYTES], b[PARITY_TOTP_SECRET_BYTES];
  char b32[64];
  (void)state;

  /* RFC 4648 §10 test vector, padding removed. */
  assert_int_equal(parity_totp_base32((const unsigned char *)"foobar", 6, b32, sizeof(b32)), PARITY_OK);
  assert_string_equal(b32, "MZXW6YTBOI");
  assert_int_equal(parity_totp_base32(rfc_seed, RFC_SEED_LEN, b32, sizeof(b32)), PARITY_OK);
  assert_string_equal(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  assert_int_equal(strlen(b32), PARITY_TOTP_SECRET_B32_LEN);
  assert_int_equal(parity_totp_base32(rfc_seed, RFC_SEED_LEN, b32, 32), PARITY_ETOOBIG);

  assert_int_equal(parity_totp_secret_new(a), PARITY_OK);
  assert_int_equal(parity_totp_secret_new(b), PARITY_OK);
  assert_memory_not_equal(a, b, sizeof(a));
}

static void test_uri(void **state)
{
  char uri[PARITY_TOTP_URI_MAX];
  (void)state;
  assert_int_equal(parity_totp_uri("jane.doe+tag@example.com", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", uri, sizeof(uri)),
                   PARITY_OK);
  assert_string_equal(uri, "otpauth://totp/Parity:jane.doe%2Btag%40example.com"
                           "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Parity"
                           "&algorithm=SHA1&digits=6&period=30");
  /* Non-ASCII is percent-encoded byte by byte; '&', '?', '#', ':' cannot break the URI. */
  assert_int_equal(parity_totp_uri("zoë&x?#:@ex.com", "ABC", uri, sizeof(uri)), PARITY_OK);
  assert_string_equal(uri, "otpauth://totp/Parity:zo%C3%AB%26x%3F%23%3A%40ex.com?secret=ABC"
                           "&issuer=Parity&algorithm=SHA1&digits=6&period=30");
  assert_int_equal(parity_totp_uri("a\nb@example.com", "ABC", uri, sizeof(uri)), PARITY_EINVAL);
  assert_int_equal(parity_totp_uri("\xff@example.com", "ABC", uri, sizeof(uri)), PARITY_EINVAL);
  assert_int_equal(parity_totp_uri("", "ABC", uri, sizeof(uri)), PARITY_EINVAL);
  assert_int_equal(parity_totp_uri("a@b.c", "abc", uri, sizeof(uri)), PARITY_EINVAL);
  assert_int_equal(parity_totp_uri("a@b.c", "ABC&x=1", uri, sizeof(uri)), PARITY_EINVAL);
  assert_int_equal(parity_totp_uri("a@b.c", "ABC", uri, 20), PARITY_ETOOBIG);
  /* The longest allowed account, all bytes encoded, fits PARITY_TOTP_URI_MAX. */
  char long_email[PARITY_TOTP_ACCOUNT_MAX + 2];
  memset(long_email, '+', PARITY_TOTP_ACCOUNT_MAX);
  long_email[PARITY_TOTP_ACCOUNT_MAX] = '\0';
  assert_int_equal(parity_totp_uri(long_email, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", uri, sizeof(uri)), PARITY_OK);
  long_email[PARITY_TOTP_ACCOUNT_MAX] = '+';
  long_email[PARITY_TOTP_ACCOUNT_MAX + 1] = '\0';
  assert_int_equal(parity_totp_uri(long_email, "ABC", uri, sizeof(uri)), PARITY_EINVAL);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rfc6238_sha1_rows),
    cmocka_unit_test(test_rfc4226_hotp),
    cmocka_unit_test(test_window),
    cmocka_unit_test(test_replay_refused),
    cmocka_unit_test(test_malformed_codes),
    cmocka_unit_test(test_first_step),
    cmocka_unit_test(test_secret_and_base32),
    cmocka_unit_test(test_uri),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
