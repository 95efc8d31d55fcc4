/* Unit tests of operational/auth/secretbox.c: round trip, tampering, wrong user, wrong key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "common/errors.h"
#include "operational/auth/secretbox.h"

static const char key_a[] = "8f3a1c9e0b7d4f2a6c5e8b1d3f7a9c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d0f1a";
static const char key_b[] = "0000000000000000000000000000000000000000000000000000000000000001";
static const unsigned char secret20[] = "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a"
                                        "\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14";

static int setup(void **state)
{
  static struct parity_secretbox sb;
  int rc = parity_secretbox_init(&sb, key_a);
  if (rc == PARITY_EUNAVAILABLE) {
    print_message("AES-256-GCM is not available on this CPU: secretbox cannot run here\n");
    return -1;
  }
  assert_int_equal(rc, PARITY_OK);
  *state = &sb;
  return 0;
}

static int teardown(void **state)
{
  parity_secretbox_close(*state);
  return 0;
}

static void test_round_trip(void **state)
{
  char sealed[PARITY_SECRETBOX_SEALED_MAX], again[PARITY_SECRETBOX_SEALED_MAX];
  unsigned char pt[PARITY_SECRETBOX_MAX_PLAINTEXT];
  size_t n = 0;

  assert_int_equal(parity_secretbox_seal(*state, 7, secret20, 20, sealed, sizeof(sealed)), PARITY_OK);
  assert_int_equal(strlen(sealed) + 1, PARITY_SECRETBOX_B64_CAP(20));
  assert_int_equal(parity_secretbox_open(*state, 7, sealed, pt, sizeof(pt), &n), PARITY_OK);
  assert_int_equal(n, 20);
  assert_memory_equal(pt, secret20, 20);
  /* Random nonces: sealing the same secret twice gives different text. */
  assert_int_equal(parity_secretbox_seal(*state, 7, secret20, 20, again, sizeof(again)), PARITY_OK);
  assert_string_not_equal(sealed, again);
  /* Largest plaintext. */
  unsigned char big[PARITY_SECRETBOX_MAX_PLAINTEXT];
  memset(big, 0x5a, sizeof(big));
  assert_int_equal(parity_secretbox_seal(*state, 7, big, sizeof(big), sealed, sizeof(sealed)), PARITY_OK);
  assert_int_equal(parity_secretbox_open(*state, 7, sealed, pt, sizeof(pt), &n), PARITY_OK);
  assert_int_equal(n, sizeof(big));
  assert_memory_equal(pt, big, sizeof(big));
}

/* Every single byte of the sealed value, altered, makes opening fail. */
static void test_tampered_byte(void **state)
{
  char sealed[PARITY_SECRETBOX_SEALED_MAX], forged[PARITY_SECRETBOX_SEALED_MAX];
  unsigned char raw[256], pt[PARITY_SECRETBOX_MAX_PLAINTEXT];
  size_t raw_len, n;

  assert_int_equal(parity_secretbox_seal(*state, 7, secret20, 20, sealed, sizeof(sealed)), PARITY_OK);
  assert_int_equal(
      sodium_base642bin(raw, sizeof(raw), sealed, strlen(sealed), NULL, &raw_len, NULL, sodium_base64_VARIANT_ORIGINAL),
      0);
  assert_int_equal(raw_len, PARITY_SECRETBOX_RAW_LEN(20));
  for (size_t i = 0; i < raw_len; i++) {
    raw[i] ^= 0x01;
    sodium_bin2base64(forged, sizeof(forged), raw, raw_len, sodium_base64_VARIANT_ORIGINAL);
    int rc = parity_secretbox_open(*state, 7, forged, pt, sizeof(pt), &n);
    /* Byte 0 is the version: an unknown version is malformed, anything else fails the tag. */
    assert_int_equal(rc, i == 0 ? PARITY_EINVAL : PARITY_EAUTH);
    raw[i] ^= 0x01;
  }
  /* Truncated by one byte. */
  sodium_bin2base64(forged, sizeof(forged), raw, raw_len - 1, sodium_base64_VARIANT_ORIGINAL);
  assert_int_equal(parity_secretbox_open(*state, 7, forged, pt, sizeof(pt), &n), PARITY_EAUTH);
}

static void test_wrong_user(void **state)
{
  char sealed[PARITY_SECRETBOX_SEALED_MAX];
  unsigned char pt[PARITY_SECRETBOX_MAX_PLAINTEXT];
  size_t n;
  assert_int_equal(parity_secretbox_seal(*state, 7, secret20, 20, sealed, sizeof(sealed)), PARITY_OK);
  assert_int_equal(parity_secretbox_open(*state, 8, sealed, pt, sizeof(pt), &n), PARITY_EAUTH);
  /* 7 and 7 + 2^32 differ only in the high bytes of the associated data. */
  assert_int_equal(parity_secretbox_open(*state, 7 + (INT64_C(1) << 32), sealed, pt, sizeof(pt), &n), PARITY_EAUTH);
  /* The failed open leaves nothing behind. */
  unsigned char zero[PARITY_SECRETBOX_MAX_PLAINTEXT] = { 0 };
  assert_memory_equal(pt, zero, sizeof(pt));
}

static void test_wrong_key(void **state)
{
  struct parity_secretbox other;
  char sealed[PARITY_SECRETBOX_SEALED_MAX];
  unsigned char pt[PARITY_SECRETBOX_MAX_PLAINTEXT];
  size_t n;
  assert_int_equal(parity_secretbox_init(&other, key_b), PARITY_OK);
  assert_int_equal(parity_secretbox_seal(*state, 7, secret20, 20, sealed, sizeof(sealed)), PARITY_OK);
  assert_int_equal(parity_secretbox_open(&other, 7, sealed, pt, sizeof(pt), &n), PARITY_EAUTH);
  parity_secretbox_close(&other);
  assert_false(other.ready);
}

/* A value sealed by an independent implementation (python3-cryptography) opens here. */
static void test_known_answer(void **state)
{
  json_t *fx = json_load_file(PARITY_FIXTURES_DIR "/auth/secretbox_known_answer.json", 0, NULL);
  struct parity_secretbox sb;
  unsigned char pt[PARITY_SECRETBOX_MAX_PLAINTEXT];
  size_t n = 0;
  (void)state;
  assert_non_null(fx);
  const char *pt_want = json_string_value(json_object_get(fx, "plaintext_ascii"));
  int64_t uid = (int64_t)json_integer_value(json_object_get(fx, "user_id"));
  const char *sealed = json_string_value(json_object_get(fx, "sealed"));
  assert_int_equal(parity_secretbox_init(&sb, json_string_value(json_object_get(fx, "key_hex"))), PARITY_OK);
  assert_int_equal(parity_secretbox_open(&sb, uid, sealed, pt, sizeof(pt), &n), PARITY_OK);
  assert_int_equal(n, strlen(pt_want));
  assert_memory_equal(pt, pt_want, n);
  assert_int_equal(parity_secretbox_open(&sb, uid + 1, sealed, pt, sizeof(pt), &n), PARITY_EAUTH);
  parity_secretbox_close(&sb);
  json_decref(fx);
}

static void test_bad_keys_and_input(void **state)
{
  struct parity_secretbox sb;
  char sealed[PARITY_SECRETBOX_SEALED_MAX];
  unsigned char pt[PARITY_SECRETBOX_MAX_PLAINTEXT];
  size_t n;
  const char *const bad_keys[] = {
    "",
    "00",
    "8f3a1c9e0b7d4f2a6c5e8b1d3f7a9c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d0f1",
    "8f3a1c9e0b7d4f2a6c5e8b1d3f7a9c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d0f1a0",
    "8f3a1c9e0b7d4f2a6c5e8b1d3f7a9c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d0f1g",
    "8f3a1c9e 0b7d4f2a6c5e8b1d3f7a9c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d0f1",
  };
  for (size_t i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++)
    assert_int_equal(parity_secretbox_init(&sb, bad_keys[i]), PARITY_EINVAL);
  assert_int_equal(parity_secretbox_init(&sb, NULL), PARITY_EINVAL);

  assert_int_equal(parity_secretbox_seal(*state, 0, secret20, 20, sealed, sizeof(sealed)), PARITY_EINVAL);
  assert_int_equal(parity_secretbox_seal(*state, 7, secret20, 0, sealed, sizeof(sealed)), PARITY_EINVAL);
  assert_int_equal(
      parity_secretbox_seal(*state, 7, secret20, PARITY_SECRETBOX_MAX_PLAINTEXT + 1, sealed, sizeof(sealed)),
      PARITY_EINVAL);
  assert_int_equal(parity_secretbox_seal(*state, 7, secret20, 20, sealed, 10), PARITY_ETOOBIG);
  const char *const bad_sealed[] = { "", "!!!!", "AQ==", "not base64 at all",
                                     "Acr+ur76ztut3sr4iLuRkxKfTHgjfzts70gpvAk6GPlhmnjt5ff8I979Qi8lPaqkzA" };
  for (size_t i = 0; i < sizeof(bad_sealed) / sizeof(bad_sealed[0]); i++)
    assert_int_equal(parity_secretbox_open(*state, 7, bad_sealed[i], pt, sizeof(pt), &n), PARITY_EINVAL);
  /* A too-small output buffer is refused before decrypting. */
  assert_int_equal(parity_secretbox_seal(*state, 7, secret20, 20, sealed, sizeof(sealed)), PARITY_OK);
  assert_int_equal(parity_secretbox_open(*state, 7, sealed, pt, 19, &n), PARITY_ETOOBIG);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_round_trip), cmocka_unit_test(test_tampered_byte), cmocka_unit_test(test_wrong_user),
    cmocka_unit_test(test_wrong_key),  cmocka_unit_test(test_known_answer),  cmocka_unit_test(test_bad_keys_and_input),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
