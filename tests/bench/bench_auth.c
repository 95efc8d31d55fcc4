/* Figures for the auth primitives here (argon2id above all): JSON lines, no assertions. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/errors.h"
#include "operational/auth/jwt.h"
#include "operational/auth/password.h"
#include "operational/auth/ratelimit.h"
#include "operational/auth/token.h"
#include "operational/auth/totp.h"

#define HASH_ROUNDS 21
#define GATE_THREADS 4
#define GATE_HASHES_PER_THREAD 3
#define FAST_ROUNDS 2000
#define RL_ROUNDS 1000000

static double now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void report(const char *what, double *samples, int n, const char *unit, double scale)
{
  qsort(samples, (size_t)n, sizeof(double), cmp_double);
  printf("{\"bench\":\"%s\",\"n\":%d,\"unit\":\"%s\",\"min\":%.3f,\"median\":%.3f,\"max\":%.3f}\n", what, n, unit,
         samples[0] * scale, samples[n / 2] * scale, samples[n - 1] * scale);
}

static void *gate_worker(void *arg)
{
  char hash[PARITY_PASSWORD_HASH_MAX];
  (void)arg;
  for (int i = 0; i < GATE_HASHES_PER_THREAD; i++)
    if (parity_password_hash("bench-password-123", 18, hash) != PARITY_OK)
      fprintf(stderr, "hash failed\n");
  return NULL;
}

int main(void)
{
  static const char pw[] = "mauve-kettle-orbit-spruce";
  char hash[PARITY_PASSWORD_HASH_MAX];
  double samples[FAST_ROUNDS];
  double t;

  /* Other work on the machine inflates every figure: say how busy it was. */
  double load[1] = { -1 };
  if (getloadavg(load, 1) == 1)
    printf("{\"loadavg_1min\":%.2f}\n", load[0]);
  if (parity_password_init() != PARITY_OK) {
    fprintf(stderr, "password init failed\n");
    return 1;
  }

  /* argon2id at the chosen parameters, one at a time. */
  for (int i = 0; i < HASH_ROUNDS; i++) {
    t = now_ms();
    if (parity_password_hash(pw, strlen(pw), hash) != PARITY_OK)
      return 1;
    samples[i] = now_ms() - t;
  }
  printf("{\"argon2id\":{\"opslimit\":%llu,\"memlimit_mib\":%lu}}\n", PARITY_PASSWORD_OPSLIMIT,
         PARITY_PASSWORD_MEMLIMIT >> 20);
  report("argon2id_hash", samples, HASH_ROUNDS, "ms", 1.0);
  for (int i = 0; i < HASH_ROUNDS; i++) {
    t = now_ms();
    if (parity_password_verify(hash, pw, strlen(pw), NULL) != PARITY_OK)
      return 1;
    samples[i] = now_ms() - t;
  }
  report("argon2id_verify_ok", samples, HASH_ROUNDS, "ms", 1.0);
  /*
   * Known email with a wrong password versus unknown email (dummy verify), interleaved so that
   * changing load on the machine affects both alike: the login timing a client can observe.
   */
  double dummy[HASH_ROUNDS];
  for (int i = 0; i < HASH_ROUNDS; i++) {
    t = now_ms();
    (void)parity_password_verify(hash, "wrong-password-xyz", 18, NULL);
    samples[i] = now_ms() - t;
    t = now_ms();
    (void)parity_password_dummy_verify("wrong-password-xyz", 18);
    dummy[i] = now_ms() - t;
  }
  report("argon2id_verify_wrong", samples, HASH_ROUNDS, "ms", 1.0);
  report("argon2id_dummy_verify", dummy, HASH_ROUNDS, "ms", 1.0);

  /* Through the gate from more threads than it admits: wall time per hash. */
  pthread_t th[GATE_THREADS];
  t = now_ms();
  for (int i = 0; i < GATE_THREADS; i++)
    pthread_create(&th[i], NULL, gate_worker, NULL);
  for (int i = 0; i < GATE_THREADS; i++)
    pthread_join(th[i], NULL);
  t = now_ms() - t;
  printf("{\"bench\":\"argon2id_gated\",\"threads\":%d,\"hashes\":%d,\"wall_ms\":%.1f,"
         "\"ms_per_hash\":%.1f,\"peak_concurrent\":%d}\n",
         GATE_THREADS, GATE_THREADS * GATE_HASHES_PER_THREAD, t, t / (GATE_THREADS * GATE_HASHES_PER_THREAD),
         parity__password_gate_peak());

  /* Policy check (zxcvbn). */
  enum parity_password_problem problem;
  for (int i = 0; i < FAST_ROUNDS; i++) {
    t = now_ms();
    (void)parity_password_check(pw, strlen(pw), "jane.doe@example.com", &problem, NULL);
    samples[i] = now_ms() - t;
  }
  report("password_policy_25_chars", samples, FAST_ROUNDS, "us", 1e3);

  /* Recovery-code hash (argon2id, 8 MiB). */
  char rc_hex[PARITY_RECOVERY_HASH_HEXLEN + 1];
  for (int i = 0; i < HASH_ROUNDS; i++) {
    t = now_ms();
    (void)parity_recovery_code_hash(42, "ABCDE-FGHJK", rc_hex);
    samples[i] = now_ms() - t;
  }
  report("recovery_code_hash", samples, HASH_ROUNDS, "ms", 1.0);

  /* JWT. */
  static const unsigned char key[] = "bench-key-bench-key-bench-key-bench-key!";
  struct parity_jwt j;
  char tok[PARITY_JWT_ISSUED_MAX];
  struct parity_jwt_claims claims;
  parity_jwt_init(&j, key, sizeof(key) - 1, NULL, NULL);
  for (int i = 0; i < FAST_ROUNDS; i++) {
    t = now_ms();
    (void)parity_jwt_issue(&j, 42, 1700000000, tok, sizeof(tok), NULL);
    samples[i] = now_ms() - t;
  }
  report("jwt_issue", samples, FAST_ROUNDS, "us", 1e3);
  for (int i = 0; i < FAST_ROUNDS; i++) {
    t = now_ms();
    (void)parity_jwt_verify(&j, tok, 1700000000, &claims, NULL);
    samples[i] = now_ms() - t;
  }
  report("jwt_verify", samples, FAST_ROUNDS, "us", 1e3);
  parity_jwt_close(&j);

  /* TOTP verification (3 HMAC-SHA1 over the window). */
  static const unsigned char seed[] = "12345678901234567890";
  int64_t step;
  for (int i = 0; i < FAST_ROUNDS; i++) {
    t = now_ms();
    (void)parity_totp_verify(seed, 20, "287082", 59, -1, &step);
    samples[i] = now_ms() - t;
  }
  report("totp_verify", samples, FAST_ROUNDS, "us", 1e3);

  /* Rate limiter: one take, many addresses. */
  struct parity_ratelimit *rl;
  parity_ratelimit_new(10, 20, 0, &rl);
  t = now_ms();
  for (uint32_t i = 0; i < RL_ROUNDS; i++) {
    struct parity_ip ip = { .family = 2,
                            .addr = { 10, (unsigned char)(i >> 16), (unsigned char)(i >> 8), (unsigned char)i } };
    (void)parity_ratelimit_take(rl, &ip, i / 1000, NULL);
  }
  t = now_ms() - t;
  printf("{\"bench\":\"ratelimit_take\",\"n\":%d,\"ns_per_take\":%.1f,\"tracked\":%zu}\n", RL_ROUNDS,
         t * 1e6 / RL_ROUNDS, parity_ratelimit_tracked(rl));
  parity_ratelimit_free(rl);
  return 0;
}
