/* Unit tests of operational/auth/password.c: policy edges, zxcvbn scoring, argon2id hashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "common/errors.h"
#include "operational/auth/password.h"

/* Appends the UTF-8 encoding of cp to buf at *pos. */
static void put_utf8(char *buf, size_t *pos, uint32_t cp)
{
  if (cp < 0x80) {
    buf[(*pos)++] = (char)cp;
  } else if (cp < 0x800) {
    buf[(*pos)++] = (char)(0xC0 | (cp >> 6));
    buf[(*pos)++] = (char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    buf[(*pos)++] = (char)(0xE0 | (cp >> 12));
    buf[(*pos)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[(*pos)++] = (char)(0x80 | (cp & 0x3F));
  } else {
    buf[(*pos)++] = (char)(0xF0 | (cp >> 18));
    buf[(*pos)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
    buf[(*pos)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[(*pos)++] = (char)(0x80 | (cp & 0x3F));
  }
}

/* n distinct code points starting at `first`, stepping by `step` (no repeats, so not weak). */
static size_t make_text(char *buf, uint32_t first, uint32_t step, size_t n)
{
  size_t pos = 0;
  for (size_t i = 0; i < n; i++)
    put_utf8(buf, &pos, first + step * (uint32_t)i);
  buf[pos] = '\0';
  return pos;
}

static enum parity_password_problem check(const char *pw, size_t len, const char *email)
{
  enum parity_password_problem problem = PARITY_PASSWORD_FINE;
  int rc = parity_password_check(pw, len, email, &problem, NULL);
  assert_int_equal(rc, problem == PARITY_PASSWORD_FINE ? PARITY_OK : PARITY_EINVAL);
  return problem;
}

#define CHECK_STR(s, email) check((s), strlen(s), (email))

/* A random-looking ASCII alphabet walk: distinct, unguessable-looking, any length up to 128. */
static size_t ascii_strong(char *buf, size_t n)
{
  static const char alphabet[] = "q7#Vb!x2LmZ9@kR4%tW8^pY3&nH6*jD5(sF1)gK0-cX";
  size_t a = sizeof(alphabet) - 1;
  for (size_t i = 0; i < n; i++)
    buf[i] = alphabet[(i * 7 + i / a) % a];
  buf[n] = '\0';
  return n;
}

static void test_length_edges_ascii(void **state)
{
  char buf[256];
  (void)state;
  assert_int_equal(check(buf, ascii_strong(buf, 9), NULL), PARITY_PASSWORD_TOO_SHORT);
  assert_int_equal(check(buf, ascii_strong(buf, 10), NULL), PARITY_PASSWORD_FINE);
  assert_int_equal(check(buf, ascii_strong(buf, 128), NULL), PARITY_PASSWORD_FINE);
  assert_int_equal(check(buf, ascii_strong(buf, 129), NULL), PARITY_PASSWORD_TOO_LONG);
  assert_int_equal(check("", 0, NULL), PARITY_PASSWORD_TOO_SHORT);
}

/* Length counts code points, not bytes. */
static void test_length_edges_multibyte(void **state)
{
  char buf[1024];
  size_t len;
  (void)state;
  /* 9 CJK characters are 27 bytes and still too short. */
  len = make_text(buf, 0x4E00, 7, 9);
  assert_int_equal(len, 27);
  assert_int_equal(check(buf, len, NULL), PARITY_PASSWORD_TOO_SHORT);
  len = make_text(buf, 0x4E00, 7, 10);
  assert_int_equal(check(buf, len, NULL), PARITY_PASSWORD_FINE);
  /* 128 two-byte characters (256 bytes) are fine, 129 are too long. */
  len = make_text(buf, 0x0400, 1, 128);
  assert_int_equal(len, 256);
  assert_int_equal(check(buf, len, NULL), PARITY_PASSWORD_FINE);
  len = make_text(buf, 0x0400, 1, 129);
  assert_int_equal(check(buf, len, NULL), PARITY_PASSWORD_TOO_LONG);
  /* 128 four-byte characters are exactly PARITY_PASSWORD_MAX_BYTES; 129 are over it. */
  len = make_text(buf, 0x1F300, 1, 128);
  assert_int_equal(len, PARITY_PASSWORD_MAX_BYTES);
  assert_int_equal(check(buf, len, NULL), PARITY_PASSWORD_FINE);
  len = make_text(buf, 0x1F300, 1, 129);
  assert_int_equal(check(buf, len, NULL), PARITY_PASSWORD_TOO_LONG);
  /* Mixed widths: 5 ASCII + 5 four-byte = 10 code points. */
  char mixed[64];
  size_t pos = 0;
  for (uint32_t i = 0; i < 5; i++) {
    put_utf8(mixed, &pos, 'K' + i * 3);
    put_utf8(mixed, &pos, 0x1F600 + i * 11);
  }
  assert_int_equal(check(mixed, pos, NULL), PARITY_PASSWORD_FINE);
  assert_int_equal(check(mixed, pos - 4, NULL), PARITY_PASSWORD_TOO_SHORT);
}

static void test_invalid_text(void **state)
{
  static const struct {
    const char *s;
    size_t len;
  } bad[] = {
    { "\xC3\x28q7#Vb!x2LmZ9", 14 },         /* bad continuation byte */
    { "\xC0\xAFq7#Vb!x2LmZ9", 14 },         /* overlong '/' */
    { "\xED\xA0\x80q7#Vb!x2LmZ9", 15 },     /* UTF-16 surrogate U+D800 */
    { "\xF4\x90\x80\x80q7#Vb!x2LmZ9", 16 }, /* above U+10FFFF */
    { "q7#Vb!x2LmZ9\xE4\xB8", 14 },         /* truncated at the end */
    { "\x80q7#Vb!x2LmZ9", 13 },             /* lone continuation byte */
    { "\xFFq7#Vb!x2LmZ9", 13 },             /* never valid in UTF-8 */
    { "q7#Vb!x2L\0mZ9@kR4", 17 },           /* embedded NUL */
  };
  (void)state;
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(check(bad[i].s, bad[i].len, NULL), PARITY_PASSWORD_INVALID_TEXT);
  enum parity_password_problem p;
  assert_int_equal(parity_password_check(NULL, 0, NULL, &p, NULL), PARITY_EINVAL);
}

static void test_weak_passwords(void **state)
{
  int score = -1;
  enum parity_password_problem p;
  (void)state;
  assert_int_equal(parity_password_check("password123456", 14, NULL, &p, &score), PARITY_EINVAL);
  assert_int_equal(p, PARITY_PASSWORD_TOO_WEAK);
  assert_true(score < PARITY_PASSWORD_MIN_SCORE);
  assert_int_equal(CHECK_STR("aaaaaaaaaaaa", NULL), PARITY_PASSWORD_TOO_WEAK);
  assert_int_equal(CHECK_STR("qwertyuiop12", NULL), PARITY_PASSWORD_TOO_WEAK);
  assert_int_equal(CHECK_STR("1234567890", NULL), PARITY_PASSWORD_TOO_WEAK);
  assert_int_equal(CHECK_STR("parity-parity", NULL), PARITY_PASSWORD_TOO_WEAK);
}

/* The same password is strong for a stranger and weak when it is the user's own email name. */
static void test_email_derived_weak(void **state)
{
  const char *email = "zorblaxquint42@example.com";
  (void)state;
  assert_int_equal(CHECK_STR("ZorblaxQuint42", NULL), PARITY_PASSWORD_FINE);
  assert_int_equal(CHECK_STR("ZorblaxQuint42", email), PARITY_PASSWORD_TOO_WEAK);
  assert_int_equal(CHECK_STR("zorblaxquint42!", email), PARITY_PASSWORD_TOO_WEAK);
  assert_int_equal(CHECK_STR("Zorblaxquint42@example.com", NULL), PARITY_PASSWORD_FINE);
  assert_int_equal(CHECK_STR("Zorblaxquint42@example.com", email), PARITY_PASSWORD_TOO_WEAK);
  /* Parts of the local part count too. */
  assert_int_equal(CHECK_STR("Wombatfizzle77", NULL), PARITY_PASSWORD_FINE);
  assert_int_equal(CHECK_STR("Wombatfizzle77", "wombat.fizzle@example.com"), PARITY_PASSWORD_TOO_WEAK);
  /* A strong password stays strong with an unrelated email. */
  assert_int_equal(CHECK_STR("mauve-kettle-orbit-spruce", email), PARITY_PASSWORD_FINE);
}

static void test_strong_passphrase(void **state)
{
  int score = -1;
  enum parity_password_problem p;
  (void)state;
  assert_int_equal(parity_password_check("mauve-kettle-orbit-spruce", 25, "jane.doe@example.com", &p, &score),
                   PARITY_OK);
  assert_int_equal(p, PARITY_PASSWORD_FINE);
  assert_int_equal(score, 4);
}

/* zxcvbn's guesses_to_score thresholds: 1e3, 1e6, 1e8, 1e10 guesses, each plus DELTA = 5. */
static void test_score_from_entropy(void **state)
{
  const double thresholds[] = { 1e3 + 5, 1e6 + 5, 1e8 + 5, 1e10 + 5 };
  (void)state;
  assert_int_equal(parity_password_score_from_entropy(0.0), 0);
  for (int i = 0; i < 4; i++) {
    double bits = log2(thresholds[i]);
    assert_int_equal(parity_password_score_from_entropy(bits - 1e-6), i);
    assert_int_equal(parity_password_score_from_entropy(bits + 1e-6), i + 1);
  }
  assert_int_equal(parity_password_score_from_entropy(200.0), 4);
}

static void test_hash_round_trip(void **state)
{
  char hash[PARITY_PASSWORD_HASH_MAX], hash2[PARITY_PASSWORD_HASH_MAX];
  const char *pw = "mauve-kettle-orbit-spruce";
  bool rehash = true;
  (void)state;

  assert_int_equal(parity_password_hash(pw, strlen(pw), hash), PARITY_OK);
  assert_memory_equal(hash, "$argon2id$v=19$m=65536,t=2,p=1$", 31);
  assert_int_equal(parity_password_verify(hash, pw, strlen(pw), &rehash), PARITY_OK);
  assert_false(rehash);
  /* Random salt: the same password hashes differently. */
  assert_int_equal(parity_password_hash(pw, strlen(pw), hash2), PARITY_OK);
  assert_string_not_equal(hash, hash2);
  /* Wrong password, one character off, and a prefix. */
  assert_int_equal(parity_password_verify(hash, "mauve-kettle-orbit-sprucf", 25, NULL), PARITY_EAUTH);
  assert_int_equal(parity_password_verify(hash, pw, strlen(pw) - 1, NULL), PARITY_EAUTH);
  /* Bytes after a NUL matter: the length is passed, not found with strlen. */
  char with_nul[32];
  memcpy(with_nul, pw, strlen(pw));
  with_nul[strlen(pw)] = '\0';
  with_nul[strlen(pw) + 1] = 'x';
  assert_int_equal(parity_password_verify(hash, with_nul, strlen(pw) + 2, NULL), PARITY_EAUTH);
}

/* A hash made with other parameters still verifies and asks to be replaced. */
static void test_other_parameters_need_rehash(void **state)
{
  char weak[crypto_pwhash_STRBYTES], argon2i[crypto_pwhash_STRBYTES];
  const char *pw = "mauve-kettle-orbit-spruce";
  bool rehash = false;
  (void)state;

  assert_int_equal(crypto_pwhash_str(weak, pw, strlen(pw), crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN), 0);
  assert_int_equal(parity_password_verify(weak, pw, strlen(pw), &rehash), PARITY_OK);
  assert_true(rehash);
  assert_int_equal(parity_password_verify(weak, "nope-nope-nope", 14, &rehash), PARITY_EAUTH);

  assert_int_equal(crypto_pwhash_argon2i_str(argon2i, pw, strlen(pw), crypto_pwhash_argon2i_OPSLIMIT_MIN + 2,
                                             crypto_pwhash_argon2i_MEMLIMIT_MIN),
                   0);
  rehash = false;
  assert_int_equal(parity_password_verify(argon2i, pw, strlen(pw), &rehash), PARITY_OK);
  assert_true(rehash);
}

static void test_bad_stored_hash_and_input(void **state)
{
  char hash[PARITY_PASSWORD_HASH_MAX], long_pw[PARITY_PASSWORD_MAX_BYTES + 2];
  (void)state;
  const char *const bad[] = { "", "$2b$10$abcdefghijklmnopqrstuv", "plaintext",
                              "$argon2id$v=19$m=65536,t=2,p=1$broken" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    int rc = parity_password_verify(bad[i], "whatever-123", 12, NULL);
    /* A truncated argon2id string is rejected by libsodium as a mismatch, never as success. */
    assert_true(rc == PARITY_EINVAL || rc == PARITY_EAUTH);
  }
  assert_int_equal(parity_password_verify("", "x", 1, NULL), PARITY_EINVAL);
  assert_int_equal(parity_password_verify("$2b$10$abc", "x", 1, NULL), PARITY_EINVAL);
  memset(long_pw, 'a', sizeof(long_pw) - 1);
  long_pw[sizeof(long_pw) - 1] = '\0';
  assert_int_equal(parity_password_hash(long_pw, PARITY_PASSWORD_MAX_BYTES + 1, hash), PARITY_EINVAL);
  assert_int_equal(parity_password_hash(long_pw, PARITY_PASSWORD_MAX_BYTES, hash), PARITY_OK);
  assert_int_equal(parity_password_verify(hash, long_pw, PARITY_PASSWORD_MAX_BYTES + 1, NULL), PARITY_EINVAL);
}

static void test_dummy_verify(void **state)
{
  (void)state;
  assert_int_equal(parity_password_dummy_verify("anything-at-all", 15), PARITY_EAUTH);
  assert_int_equal(parity_password_dummy_verify(NULL, 5), PARITY_EAUTH);
}

#define GATE_THREADS 6

static void *hash_worker(void *arg)
{
  char hash[PARITY_PASSWORD_HASH_MAX];
  int *rc = arg;
  *rc = parity_password_hash("gate-test-password", 18, hash);
  return NULL;
}

/* Six concurrent hashes: all succeed, never more than two at once. */
static void test_gate_limits_concurrency(void **state)
{
  pthread_t th[GATE_THREADS];
  int rcs[GATE_THREADS];
  (void)state;
  for (int i = 0; i < GATE_THREADS; i++)
    assert_int_equal(pthread_create(&th[i], NULL, hash_worker, &rcs[i]), 0);
  for (int i = 0; i < GATE_THREADS; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(rcs[i], PARITY_OK);
  }
  assert_true(parity__password_gate_peak() >= 1);
  assert_true(parity__password_gate_peak() <= PARITY_PASSWORD_MAX_CONCURRENT);
}

static int group_setup(void **state)
{
  (void)state;
  return parity_password_init() == PARITY_OK ? 0 : -1;
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_length_edges_ascii),
    cmocka_unit_test(test_length_edges_multibyte),
    cmocka_unit_test(test_invalid_text),
    cmocka_unit_test(test_weak_passwords),
    cmocka_unit_test(test_email_derived_weak),
    cmocka_unit_test(test_strong_passphrase),
    cmocka_unit_test(test_score_from_entropy),
    cmocka_unit_test(test_hash_round_trip),
    cmocka_unit_test(test_other_parameters_need_rehash),
    cmocka_unit_test(test_bad_stored_hash_and_input),
    cmocka_unit_test(test_dummy_verify),
    cmocka_unit_test(test_gate_limits_concurrency),
  };
  return cmocka_run_group_tests(tests, group_setup, NULL);
}
