/* Per-address token buckets in a set-associative table: striped locks, bounded size. */
#include "operational/auth/ratelimit.h"

#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "operational/auth/auth_init.h"

/* Key bytes: family tag + up to 16 address bytes (IPv6 truncated to its /64). */
#define RL_KEY_BYTES 17

/*
 * A bucket as GCRA state: tat_us is the time at which the bucket would be full again. A request
 * at t is allowed when tat - t <= (burst - 1) * interval, and then moves tat one interval on.
 */
struct rl_slot {
  bool used;
  unsigned char key[RL_KEY_BYTES];
  uint64_t tat_us;
  uint64_t last_us; /* last request, for least-recently-used eviction */
};

struct parity_ratelimit {
  bool enabled;
  uint64_t interval_us;  /* 1 / rate */
  uint64_t tolerance_us; /* (burst - 1) * interval: how far tat may run ahead of now */
  size_t sets;           /* power of two */
  size_t stripes;
  /* Random SipHash key, so nobody can aim many addresses at one set. */
  unsigned char hash_key[crypto_shorthash_KEYBYTES];
  pthread_mutex_t *locks;
  struct rl_slot *slots; /* sets * PARITY_RATELIMIT_WAYS */
};

static void rl_key(const struct parity_ip *ip, unsigned char key[RL_KEY_BYTES])
{
  memset(key, 0, RL_KEY_BYTES);
  if (ip->family == AF_INET) {
    key[0] = 4;
    memcpy(key + 1, ip->addr, 4);
  } else {
    key[0] = 6;
    memcpy(key + 1, ip->addr, PARITY_RATELIMIT_IPV6_PREFIX_BITS / 8);
  }
}

int parity_ratelimit_new(double rate, long burst, size_t max_tracked, struct parity_ratelimit **out)
{
  struct parity_ratelimit *rl;
  size_t sets = 1;
  int rc;

  if (!out)
    return PARITY_EINVAL;
  *out = NULL;
  if (!isfinite(rate) || rate < 0 || (rate > 0 && rate < PARITY_RATELIMIT_MIN_RATE) ||
      rate > PARITY_RATELIMIT_MAX_RATE || burst < 0 || burst > PARITY_RATELIMIT_MAX_BURST ||
      max_tracked > PARITY_RATELIMIT_MAX_TRACKED)
    return PARITY_EINVAL;
  rc = parity_auth_init();
  if (rc)
    return rc;
  rl = parity_xcalloc(1, sizeof(*rl));
  rl->enabled = rate > 0 && burst > 0;
  if (!rl->enabled) {
    *out = rl;
    return PARITY_OK;
  }
  if (max_tracked == 0)
    max_tracked = PARITY_RATELIMIT_DEFAULT_TRACKED;
  while (sets * 2 * PARITY_RATELIMIT_WAYS <= max_tracked)
    sets *= 2;
  rl->interval_us = (uint64_t)llround(1e6 / rate);
  rl->tolerance_us = (uint64_t)(burst - 1) * rl->interval_us;
  rl->sets = sets;
  rl->stripes = sets < PARITY_RATELIMIT_STRIPES ? sets : PARITY_RATELIMIT_STRIPES;
  randombytes_buf(rl->hash_key, sizeof(rl->hash_key));
  rl->slots = parity_xcalloc(sets * PARITY_RATELIMIT_WAYS, sizeof(*rl->slots));
  rl->locks = parity_xcalloc(rl->stripes, sizeof(*rl->locks));
  for (size_t i = 0; i < rl->stripes; i++)
    pthread_mutex_init(&rl->locks[i], NULL);
  *out = rl;
  return PARITY_OK;
}

void parity_ratelimit_free(struct parity_ratelimit *rl)
{
  if (!rl)
    return;
  if (rl->locks)
    for (size_t i = 0; i < rl->stripes; i++)
      pthread_mutex_destroy(&rl->locks[i]);
  free(rl->locks);
  free(rl->slots);
  free(rl);
}

bool parity_ratelimit_enabled(const struct parity_ratelimit *rl)
{
  return rl && rl->enabled;
}

size_t parity_ratelimit_capacity(const struct parity_ratelimit *rl)
{
  return rl && rl->enabled ? rl->sets * PARITY_RATELIMIT_WAYS : 0;
}

/* Finds ip's slot in its set, or claims one: empty first, then a full bucket, then the LRU. */
static struct rl_slot *rl_slot_for(struct rl_slot *set, const unsigned char key[RL_KEY_BYTES], uint64_t now_us)
{
  struct rl_slot *empty = NULL, *full = NULL, *lru = NULL;

  for (size_t w = 0; w < PARITY_RATELIMIT_WAYS; w++) {
    struct rl_slot *s = &set[w];
    if (!s->used) {
      if (!empty)
        empty = s;
      continue;
    }
    if (memcmp(s->key, key, RL_KEY_BYTES) == 0)
      return s;
    /* tat <= now: refilled to full, so forgetting it changes nothing. */
    if (!full && s->tat_us <= now_us)
      full = s;
    if (!lru || s->last_us < lru->last_us)
      lru = s;
  }
  struct rl_slot *victim = empty ? empty : full ? full : lru;
  victim->used = true;
  memcpy(victim->key, key, RL_KEY_BYTES);
  victim->tat_us = now_us; /* a full bucket */
  victim->last_us = now_us;
  return victim;
}

int parity_ratelimit_take(struct parity_ratelimit *rl, const struct parity_ip *ip, uint64_t now_ms,
                          unsigned *retry_after_s)
{
  unsigned char key[RL_KEY_BYTES];
  unsigned char h[crypto_shorthash_BYTES];
  uint64_t hv = 0, now_us, tat;
  size_t set_index;
  struct rl_slot *s;
  int rc;

  if (!rl || !ip || (ip->family != AF_INET && ip->family != AF_INET6))
    return PARITY_EINVAL;
  if (!rl->enabled)
    return PARITY_OK;
  /* Milliseconds since boot fit 2^64 / 1000 for 584 000 years. */
  now_us = now_ms * 1000u;
  rl_key(ip, key);
  crypto_shorthash(h, key, sizeof(key), rl->hash_key);
  for (size_t i = 0; i < sizeof(h); i++)
    hv = (hv << 8) | h[i];
  set_index = (size_t)(hv & (rl->sets - 1));
  pthread_mutex_t *lock = &rl->locks[set_index % rl->stripes];

  pthread_mutex_lock(lock);
  s = rl_slot_for(&rl->slots[set_index * PARITY_RATELIMIT_WAYS], key, now_us);
  /* Threads read the clock before taking the lock, so a slightly older now can arrive late. */
  if (now_us < s->last_us)
    now_us = s->last_us;
  s->last_us = now_us;
  tat = s->tat_us > now_us ? s->tat_us : now_us;
  if (tat - now_us <= rl->tolerance_us) {
    s->tat_us = tat + rl->interval_us;
    rc = PARITY_OK;
  } else {
    if (retry_after_s) {
      uint64_t wait_us = tat - now_us - rl->tolerance_us;
      uint64_t secs = (wait_us + 999999u) / 1000000u;
      *retry_after_s = secs < 1 ? 1u : secs > 86400u ? 86400u : (unsigned)secs;
    }
    rc = PARITY_ERATE;
  }
  pthread_mutex_unlock(lock);
  return rc;
}

size_t parity_ratelimit_tracked(struct parity_ratelimit *rl)
{
  size_t n = 0;
  if (!rl || !rl->enabled)
    return 0;
  for (size_t set = 0; set < rl->sets; set++) {
    pthread_mutex_lock(&rl->locks[set % rl->stripes]);
    for (size_t w = 0; w < PARITY_RATELIMIT_WAYS; w++)
      n += rl->slots[set * PARITY_RATELIMIT_WAYS + w].used;
    pthread_mutex_unlock(&rl->locks[set % rl->stripes]);
  }
  return n;
}
