/* Password policy with zxcvbn and argon2id (libsodium) hashing, at most two hashes at a time. */
#include "operational/auth/password.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zxcvbn.h>

#include "common/errors.h"
#include "operational/auth/auth_init.h"
#include "operational/auth/utf8.h"

_Static_assert(PARITY_PASSWORD_HASH_MAX == crypto_pwhash_STRBYTES, "hash buffer size");
_Static_assert(PARITY_PASSWORD_OPSLIMIT == crypto_pwhash_OPSLIMIT_INTERACTIVE, "opslimit");
_Static_assert(PARITY_PASSWORD_MEMLIMIT == crypto_pwhash_MEMLIMIT_INTERACTIVE, "memlimit");

/* zxcvbn's score thresholds in guesses (scoring.coffee) and its DELTA. */
#define ZXCVBN_DELTA 5.0
static const double zxcvbn_score_guesses[] = { 1e3, 1e6, 1e8, 1e10 };

/* Bytes of random password behind the dummy hash: never known, never matched. */
#define DUMMY_PASSWORD_BYTES 32

/*
 * Process-wide state, documented in password.h: the gate (a counting semaphore built from a
 * mutex and a condition variable on CLOCK_MONOTONIC, so timeouts ignore wall-clock jumps) and
 * the dummy hash, both set up once under pthread_once.
 */
static pthread_once_t pw_once = PTHREAD_ONCE_INIT;
static int pw_init_result = PARITY_EINTERNAL;
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond;
static int gate_in_use;
static int gate_peak;
static atomic_long gate_timeout_ms = PARITY_PASSWORD_GATE_TIMEOUT_MS;
static char dummy_hash[PARITY_PASSWORD_HASH_MAX];

static void pw_init_once(void)
{
  pthread_condattr_t attr;
  unsigned char dummy_pw[DUMMY_PASSWORD_BYTES];

  if (parity_auth_init() != PARITY_OK)
    return;
  if (pthread_condattr_init(&attr) != 0)
    return;
  if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 || pthread_cond_init(&gate_cond, &attr) != 0) {
    pthread_condattr_destroy(&attr);
    return;
  }
  pthread_condattr_destroy(&attr);
  randombytes_buf(dummy_pw, sizeof(dummy_pw));
  if (crypto_pwhash_str(dummy_hash, (const char *)dummy_pw, sizeof(dummy_pw), PARITY_PASSWORD_OPSLIMIT,
                        PARITY_PASSWORD_MEMLIMIT) != 0)
    return;
  sodium_memzero(dummy_pw, sizeof(dummy_pw));
  pw_init_result = PARITY_OK;
}

int parity_password_init(void)
{
  if (pthread_once(&pw_once, pw_init_once) != 0)
    return PARITY_EINTERNAL;
  return pw_init_result;
}

static int gate_enter(void)
{
  struct timespec deadline;
  int rc = PARITY_OK;

  long timeout_ms = atomic_load(&gate_timeout_ms);
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += timeout_ms / 1000;
  deadline.tv_nsec += (timeout_ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&gate_lock);
  while (gate_in_use >= PARITY_PASSWORD_MAX_CONCURRENT) {
    if (pthread_cond_timedwait(&gate_cond, &gate_lock, &deadline) == ETIMEDOUT &&
        gate_in_use >= PARITY_PASSWORD_MAX_CONCURRENT) {
      rc = PARITY_EUNAVAILABLE;
      break;
    }
  }
  if (rc == PARITY_OK && ++gate_in_use > gate_peak)
    gate_peak = gate_in_use;
  pthread_mutex_unlock(&gate_lock);
  return rc;
}

void parity_password_gate_timeout_set(long ms)
{
  atomic_store(&gate_timeout_ms, ms < 1 ? 1 : ms);
}

static void gate_leave(void)
{
  pthread_mutex_lock(&gate_lock);
  gate_in_use--;
  pthread_cond_signal(&gate_cond);
  pthread_mutex_unlock(&gate_lock);
}

int parity_password_score_from_entropy(double bits)
{
  double guesses = exp2(bits);
  int score = 0;
  for (size_t i = 0; i < sizeof(zxcvbn_score_guesses) / sizeof(zxcvbn_score_guesses[0]); i++)
    if (guesses >= zxcvbn_score_guesses[i] + ZXCVBN_DELTA)
      score = (int)i + 1;
  return score;
}

/* Adds a lower-cased copy of s[0..n) to the user words when long enough and not yet there. */
static void add_user_word(char words[][PARITY_PASSWORD_EMAIL_MAX + 1], size_t *count, const char *s, size_t n)
{
  if (n < PARITY_PASSWORD_MIN_USER_WORD || n > PARITY_PASSWORD_EMAIL_MAX || *count >= PARITY_PASSWORD_MAX_USER_WORDS)
    return;
  for (size_t i = 0; i < n; i++)
    words[*count][i] = (char)tolower((unsigned char)s[i]);
  words[*count][n] = '\0';
  for (size_t k = 0; k < *count; k++)
    if (strcmp(words[k], words[*count]) == 0)
      return;
  (*count)++;
}

/*
 * zxcvbn user inputs from an email: the whole address, the local part, the domain, and each
 * alphanumeric run of them ("jane.doe+x@acme.io" -> jane.doe+x@acme.io, jane.doe+x, acme.io,
 * jane, doe, acme), plus the product's name.
 */
static size_t email_user_words(const char *email, char words[][PARITY_PASSWORD_EMAIL_MAX + 1])
{
  size_t count = 0, n, at;
  const char *p;

  add_user_word(words, &count, "parity", strlen("parity"));
  if (!email)
    return count;
  n = strnlen(email, PARITY_PASSWORD_EMAIL_MAX + 1);
  if (n > PARITY_PASSWORD_EMAIL_MAX || parity_utf8_validate(email, n, NULL) != PARITY_OK)
    return count;
  add_user_word(words, &count, email, n);
  p = memchr(email, '@', n);
  at = p ? (size_t)(p - email) : n;
  add_user_word(words, &count, email, at);
  if (p)
    add_user_word(words, &count, p + 1, n - at - 1);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && isalnum((unsigned char)email[j]))
      j++;
    add_user_word(words, &count, email + i, j - i);
    i = j + 1;
  }
  return count;
}

int parity_password_check(const char *pw, size_t len, const char *email, enum parity_password_problem *problem,
                          int *score)
{
  char words[PARITY_PASSWORD_MAX_USER_WORDS][PARITY_PASSWORD_EMAIL_MAX + 1];
  const char *dict[PARITY_PASSWORD_MAX_USER_WORDS + 1];
  char copy[PARITY_PASSWORD_MAX_BYTES + 1];
  size_t chars = 0, nwords;
  int s;

  *problem = PARITY_PASSWORD_INVALID_TEXT;
  if (!pw)
    return PARITY_EINVAL;
  if (len > PARITY_PASSWORD_MAX_BYTES) {
    *problem = PARITY_PASSWORD_TOO_LONG;
    return PARITY_EINVAL;
  }
  if (parity_utf8_validate(pw, len, &chars) != PARITY_OK)
    return PARITY_EINVAL;
  if (chars < PARITY_PASSWORD_MIN_CHARS) {
    *problem = PARITY_PASSWORD_TOO_SHORT;
    return PARITY_EINVAL;
  }
  if (chars > PARITY_PASSWORD_MAX_CHARS) {
    *problem = PARITY_PASSWORD_TOO_LONG;
    return PARITY_EINVAL;
  }

  nwords = email_user_words(email, words);
  for (size_t i = 0; i < nwords; i++)
    dict[i] = words[i];
  dict[nwords] = NULL;
  /* zxcvbn wants a C string; the input has no NUL (checked above), so a bounded copy is exact. */
  memcpy(copy, pw, len);
  copy[len] = '\0';
  s = parity_password_score_from_entropy(ZxcvbnMatch(copy, dict, NULL));
  sodium_memzero(copy, sizeof(copy));
  if (score)
    *score = s;
  if (s < PARITY_PASSWORD_MIN_SCORE) {
    *problem = PARITY_PASSWORD_TOO_WEAK;
    return PARITY_EINVAL;
  }
  *problem = PARITY_PASSWORD_FINE;
  return PARITY_OK;
}

int parity_password_hash(const char *pw, size_t len, char out[PARITY_PASSWORD_HASH_MAX])
{
  int rc = parity_password_init();
  if (rc)
    return rc;
  if (!pw || !out || len > PARITY_PASSWORD_MAX_BYTES)
    return PARITY_EINVAL;
  rc = gate_enter();
  if (rc)
    return rc;
  /* crypto_pwhash_str fails only when it cannot allocate memlimit bytes. */
  if (crypto_pwhash_str(out, pw, len, PARITY_PASSWORD_OPSLIMIT, PARITY_PASSWORD_MEMLIMIT) != 0)
    rc = PARITY_ENOMEM;
  gate_leave();
  return rc;
}

static bool stored_hash_ok(const char *stored)
{
  size_t n = strnlen(stored, PARITY_PASSWORD_HASH_MAX);
  if (n == 0 || n >= PARITY_PASSWORD_HASH_MAX)
    return false;
  return strncmp(stored, "$argon2id$", strlen("$argon2id$")) == 0 ||
         strncmp(stored, "$argon2i$", strlen("$argon2i$")) == 0;
}

int parity_password_verify(const char *stored, const char *pw, size_t len, bool *needs_rehash)
{
  int rc = parity_password_init();
  if (rc)
    return rc;
  if (!stored || !pw || len > PARITY_PASSWORD_MAX_BYTES || !stored_hash_ok(stored))
    return PARITY_EINVAL;
  rc = gate_enter();
  if (rc)
    return rc;
  rc = crypto_pwhash_str_verify(stored, pw, len) == 0 ? PARITY_OK : PARITY_EAUTH;
  gate_leave();
  if (rc == PARITY_OK && needs_rehash)
    *needs_rehash = crypto_pwhash_str_needs_rehash(stored, PARITY_PASSWORD_OPSLIMIT, PARITY_PASSWORD_MEMLIMIT) != 0;
  return rc;
}

int parity_password_dummy_verify(const char *pw, size_t len)
{
  int rc = parity_password_init();
  if (rc)
    return rc;
  /* Clamp rather than refuse, so even an odd input spends the time of a verify. */
  if (!pw) {
    pw = "";
    len = 0;
  }
  if (len > PARITY_PASSWORD_MAX_BYTES)
    len = PARITY_PASSWORD_MAX_BYTES;
  rc = gate_enter();
  if (rc)
    return rc;
  /* The outcome is irrelevant (the password behind dummy_hash is unknown); the work is the point.
   */
  int matched = crypto_pwhash_str_verify(dummy_hash, pw, len) == 0;
  gate_leave();
  (void)matched;
  return PARITY_EAUTH;
}

int parity__password_gate_peak(void)
{
  int peak;
  pthread_mutex_lock(&gate_lock);
  peak = gate_peak;
  pthread_mutex_unlock(&gate_lock);
  return peak;
}
