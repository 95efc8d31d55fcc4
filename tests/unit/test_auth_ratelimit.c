/* Unit tests of operational/auth/ratelimit.c: burst, refill, Retry-After, eviction, threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common/errors.h"
#include "operational/auth/ratelimit.h"

static struct parity_ip ip_of(const char *s)
{
  struct parity_ip ip;
  assert_int_equal(parity_ip_parse(s, strlen(s), &ip), PARITY_OK);
  return ip;
}

static struct parity_ip ip_v4(uint32_t n)
{
  struct parity_ip ip;
  memset(&ip, 0, sizeof(ip));
  ip.family = AF_INET;
  ip.addr[0] = (unsigned char)(n >> 24);
  ip.addr[1] = (unsigned char)(n >> 16);
  ip.addr[2] = (unsigned char)(n >> 8);
  ip.addr[3] = (unsigned char)n;
  return ip;
}

/* The defaults of SPEC §10: 10 per second, burst 20. */
static void test_burst_then_deny(void **state)
{
  struct parity_ratelimit *rl;
  struct parity_ip a = ip_of("192.0.2.1"), b = ip_of("192.0.2.2");
  unsigned retry = 0;
  (void)state;

  assert_int_equal(parity_ratelimit_new(10, 20, 0, &rl), PARITY_OK);
  assert_true(parity_ratelimit_enabled(rl));
  for (int i = 0; i < 20; i++)
    assert_int_equal(parity_ratelimit_take(rl, &a, 1000, &retry), PARITY_OK);
  assert_int_equal(parity_ratelimit_take(rl, &a, 1000, &retry), PARITY_ERATE);
  /* One token comes back in 100 ms: rounded up to whole seconds for Retry-After. */
  assert_int_equal(retry, 1);
  /* Another address has its own bucket. */
  assert_int_equal(parity_ratelimit_take(rl, &b, 1000, &retry), PARITY_OK);
  parity_ratelimit_free(rl);
}

static void test_refill(void **state)
{
  struct parity_ratelimit *rl;
  struct parity_ip a = ip_of("198.51.100.7");
  unsigned retry;
  (void)state;

  assert_int_equal(parity_ratelimit_new(10, 20, 0, &rl), PARITY_OK);
  for (int i = 0; i < 20; i++)
    assert_int_equal(parity_ratelimit_take(rl, &a, 5000, NULL), PARITY_OK);
  assert_int_equal(parity_ratelimit_take(rl, &a, 5000, &retry), PARITY_ERATE);
  /* 99 ms later: not yet one token. */
  assert_int_equal(parity_ratelimit_take(rl, &a, 5099, &retry), PARITY_ERATE);
  /* 100 ms after the burst: exactly one token, then none. */
  assert_int_equal(parity_ratelimit_take(rl, &a, 5100, NULL), PARITY_OK);
  assert_int_equal(parity_ratelimit_take(rl, &a, 5100, &retry), PARITY_ERATE);
  /* 550 ms later five more tokens (5.5 rounds down). */
  for (int i = 0; i < 5; i++)
    assert_int_equal(parity_ratelimit_take(rl, &a, 5650, NULL), PARITY_OK);
  assert_int_equal(parity_ratelimit_take(rl, &a, 5650, &retry), PARITY_ERATE);
  /* A long idle refills to the burst, never beyond it. */
  for (int i = 0; i < 20; i++)
    assert_int_equal(parity_ratelimit_take(rl, &a, 60000, NULL), PARITY_OK);
  assert_int_equal(parity_ratelimit_take(rl, &a, 60000, &retry), PARITY_ERATE);
  parity_ratelimit_free(rl);
}

static void test_retry_after_slow_rate(void **state)
{
  struct parity_ratelimit *rl;
  struct parity_ip a = ip_of("203.0.113.9");
  unsigned retry = 0;
  (void)state;

  /* 0.2 per second: a token every 5 s. */
  assert_int_equal(parity_ratelimit_new(0.2, 2, 0, &rl), PARITY_OK);
  assert_int_equal(parity_ratelimit_take(rl, &a, 0, NULL), PARITY_OK);
  assert_int_equal(parity_ratelimit_take(rl, &a, 0, NULL), PARITY_OK);
  assert_int_equal(parity_ratelimit_take(rl, &a, 0, &retry), PARITY_ERATE);
  assert_int_equal(retry, 5);
  assert_int_equal(parity_ratelimit_take(rl, &a, 3500, &retry), PARITY_ERATE);
  assert_int_equal(retry, 2); /* 1.5 s left, rounded up */
  assert_int_equal(parity_ratelimit_take(rl, &a, 5000, &retry), PARITY_OK);
  parity_ratelimit_free(rl);
}

static void test_disabled(void **state)
{
  struct parity_ratelimit *rl;
  struct parity_ip a = ip_of("192.0.2.1");
  (void)state;
  assert_int_equal(parity_ratelimit_new(0, 20, 0, &rl), PARITY_OK);
  assert_false(parity_ratelimit_enabled(rl));
  for (int i = 0; i < 10000; i++)
    assert_int_equal(parity_ratelimit_take(rl, &a, 0, NULL), PARITY_OK);
  assert_int_equal(parity_ratelimit_tracked(rl), 0);
  parity_ratelimit_free(rl);
  assert_int_equal(parity_ratelimit_new(10, 0, 0, &rl), PARITY_OK);
  assert_false(parity_ratelimit_enabled(rl));
  assert_int_equal(parity_ratelimit_take(rl, &a, 0, NULL), PARITY_OK);
  parity_ratelimit_free(rl);
}

static void test_bad_config(void **state)
{
  struct parity_ratelimit *rl = (void *)1;
  (void)state;
  assert_int_equal(parity_ratelimit_new(-1, 20, 0, &rl), PARITY_EINVAL);
  assert_null(rl);
  assert_int_equal(parity_ratelimit_new(10, -1, 0, &rl), PARITY_EINVAL);
  assert_int_equal(parity_ratelimit_new(0.0001, 20, 0, &rl), PARITY_EINVAL);
  assert_int_equal(parity_ratelimit_new(1e7, 20, 0, &rl), PARITY_EINVAL);
  assert_int_equal(parity_ratelimit_new(10, 20, PARITY_RATELIMIT_MAX_TRACKED + 1, &rl), PARITY_EINVAL);
  assert_int_equal(parity_ratelimit_take(NULL, NULL, 0, NULL), PARITY_EINVAL);
}

/* IPv6 addresses in one /64 share a bucket; the next /64 does not. */
static void test_ipv6_prefix(void **state)
{
  struct parity_ratelimit *rl;
  struct parity_ip a = ip_of("2001:db8::1"), b = ip_of("2001:db8::ffff:2"), c = ip_of("2001:db8:0:1::1");
  (void)state;
  assert_int_equal(parity_ratelimit_new(1, 2, 0, &rl), PARITY_OK);
  assert_int_equal(parity_ratelimit_take(rl, &a, 0, NULL), PARITY_OK);
  assert_int_equal(parity_ratelimit_take(rl, &b, 0, NULL), PARITY_OK);
  assert_int_equal(parity_ratelimit_take(rl, &a, 0, NULL), PARITY_ERATE);
  assert_int_equal(parity_ratelimit_take(rl, &c, 0, NULL), PARITY_OK);
  parity_ratelimit_free(rl);
}

/* Memory is bounded: any number of addresses, never more buckets than the capacity. */
static void test_bounded(void **state)
{
  struct parity_ratelimit *rl;
  (void)state;
  assert_int_equal(parity_ratelimit_new(10, 20, 64, &rl), PARITY_OK);
  assert_int_equal(parity_ratelimit_capacity(rl), 64);
  for (uint32_t i = 0; i < 20000; i++) {
    struct parity_ip ip = ip_v4(0x0A000000u + i);
    assert_int_equal(parity_ratelimit_take(rl, &ip, i, NULL), PARITY_OK);
  }
  assert_true(parity_ratelimit_tracked(rl) <= 64);
  assert_true(parity_ratelimit_tracked(rl) > 0);
  parity_ratelimit_free(rl);
  /* Capacity rounds down to a power of two times the ways, at least one set. */
  assert_int_equal(parity_ratelimit_new(10, 20, 100, &rl), PARITY_OK);
  assert_int_equal(parity_ratelimit_capacity(rl), 64);
  parity_ratelimit_free(rl);
  assert_int_equal(parity_ratelimit_new(10, 20, 1, &rl), PARITY_OK);
  assert_int_equal(parity_ratelimit_capacity(rl), PARITY_RATELIMIT_WAYS);
  parity_ratelimit_free(rl);
}

/*
 * One set of 8 slots (capacity 8), so every address competes for the same slots.
 * A full (idle) bucket is evicted before the least recently used but still-limited one.
 */
static void test_eviction_prefers_full_buckets(void **state)
{
  struct parity_ratelimit *rl;
  struct parity_ip a = ip_of("192.0.2.100"), newcomer = ip_of("192.0.2.200");
  unsigned retry;
  (void)state;

  assert_int_equal(parity_ratelimit_new(1, 2, PARITY_RATELIMIT_WAYS, &rl), PARITY_OK);
  /* A empties its bucket at t = 0: it is the least recently used from now on. */
  assert_int_equal(parity_ratelimit_take(rl, &a, 0, NULL), PARITY_OK);
  assert_int_equal(parity_ratelimit_take(rl, &a, 0, NULL), PARITY_OK);
  /* Seven others take one token each at t = 500 ms: the set is now full. */
  for (uint32_t i = 1; i <= 7; i++) {
    struct parity_ip ip = ip_v4(0xC0000200u + i);
    assert_int_equal(parity_ratelimit_take(rl, &ip, 500, NULL), PARITY_OK);
  }
  assert_int_equal(parity_ratelimit_tracked(rl), 8);
  /* At 1500 ms the seven have refilled to full, A holds 1.5 tokens. A newcomer arrives. */
  assert_int_equal(parity_ratelimit_take(rl, &newcomer, 1500, NULL), PARITY_OK);
  assert_int_equal(parity_ratelimit_tracked(rl), 8);
  /* A kept its state: one token, then denied. Evicted, it would have had two. */
  assert_int_equal(parity_ratelimit_take(rl, &a, 1500, NULL), PARITY_OK);
  assert_int_equal(parity_ratelimit_take(rl, &a, 1500, &retry), PARITY_ERATE);
  parity_ratelimit_free(rl);
}

/* With no full bucket, the least recently used address is the one forgotten. */
static void test_eviction_lru(void **state)
{
  struct parity_ratelimit *rl;
  (void)state;
  assert_int_equal(parity_ratelimit_new(1, 1, PARITY_RATELIMIT_WAYS, &rl), PARITY_OK);
  /* Eight addresses, each empties its 1-token bucket at t = i ms. */
  for (uint32_t i = 0; i < 8; i++) {
    struct parity_ip ip = ip_v4(0xC6336400u + i);
    assert_int_equal(parity_ratelimit_take(rl, &ip, i, NULL), PARITY_OK);
  }
  /* A ninth at t = 10 ms replaces the first (t = 0), which then starts afresh. */
  struct parity_ip ninth = ip_v4(0xC6336400u + 8), first = ip_v4(0xC6336400u), last = ip_v4(0xC6336407u);
  assert_int_equal(parity_ratelimit_take(rl, &ninth, 10, NULL), PARITY_OK);
  assert_int_equal(parity_ratelimit_take(rl, &last, 11, NULL), PARITY_ERATE); /* still tracked */
  assert_int_equal(parity_ratelimit_take(rl, &first, 12, NULL), PARITY_OK);   /* forgotten */
  parity_ratelimit_free(rl);
}

#define RACE_THREADS 4
#define RACE_TAKES 2000

struct race {
  struct parity_ratelimit *rl;
  int allowed;
};

static void *race_worker(void *arg)
{
  struct race *r = arg;
  struct parity_ip ip = ip_v4(0xCB007101u);
  for (int i = 0; i < RACE_TAKES; i++)
    if (parity_ratelimit_take(r->rl, &ip, 42, NULL) == PARITY_OK)
      r->allowed++;
  return NULL;
}

/* Frozen clock, four threads, one address: exactly `burst` requests get through. */
static void test_threads_share_one_bucket(void **state)
{
  struct parity_ratelimit *rl;
  struct race races[RACE_THREADS];
  pthread_t th[RACE_THREADS];
  int total = 0;
  (void)state;
  assert_int_equal(parity_ratelimit_new(10, 100, 0, &rl), PARITY_OK);
  for (int i = 0; i < RACE_THREADS; i++) {
    races[i].rl = rl;
    races[i].allowed = 0;
    assert_int_equal(pthread_create(&th[i], NULL, race_worker, &races[i]), 0);
  }
  for (int i = 0; i < RACE_THREADS; i++) {
    pthread_join(th[i], NULL);
    total += races[i].allowed;
  }
  assert_int_equal(total, 100);
  parity_ratelimit_free(rl);
}

/* A late-arriving older timestamp neither refills nor penalises. */
static void test_clock_going_back(void **state)
{
  struct parity_ratelimit *rl;
  struct parity_ip a = ip_of("192.0.2.1");
  (void)state;
  assert_int_equal(parity_ratelimit_new(1, 2, 0, &rl), PARITY_OK);
  assert_int_equal(parity_ratelimit_take(rl, &a, 10000, NULL), PARITY_OK);
  assert_int_equal(parity_ratelimit_take(rl, &a, 9000, NULL), PARITY_OK);
  assert_int_equal(parity_ratelimit_take(rl, &a, 9000, NULL), PARITY_ERATE);
  assert_int_equal(parity_ratelimit_take(rl, &a, 11000, NULL), PARITY_OK);
  parity_ratelimit_free(rl);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_burst_then_deny),
    cmocka_unit_test(test_refill),
    cmocka_unit_test(test_retry_after_slow_rate),
    cmocka_unit_test(test_disabled),
    cmocka_unit_test(test_bad_config),
    cmocka_unit_test(test_ipv6_prefix),
    cmocka_unit_test(test_bounded),
    cmocka_unit_test(test_eviction_prefers_full_buckets),
    cmocka_unit_test(test_eviction_lru),
    cmocka_unit_test(test_threads_share_one_bucket),
    cmocka_unit_test(test_clock_going_back),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
