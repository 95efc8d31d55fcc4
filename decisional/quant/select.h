/*
 * Exact order statistics and type-7 percentiles without sorting: a radix-bucket multi-select.
 *
 * Doubles are mapped to unsigned keys with the same order; one histogram pass over 2^B buckets that
 * span [min, max] of the keys finds the bucket holding each wanted rank, one gather pass copies just
 * those buckets out, and the same step recurses inside them (each level narrows the key range by
 * 2^B, so at most 64/B levels). Work is O(n) per level whatever the distribution, with no random
 * pivots, so results and costs are deterministic. Percentiles follow Hyndman and Fan's type 7 (numpy's
 * default "linear"): h = (n-1)p, q = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
 */
#ifndef PARITY_QUANT_SELECT_H
#define PARITY_QUANT_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "decisional/quant/quant_err.h"

#define PARITY_SELECT_MAX_RANKS 64   /* order statistics per call */
#define PARITY_SELECT_BUCKET_BITS 12 /* at most 4096 buckets per level (16 KiB of counts, stays in L1/L2) */
#define PARITY_SELECT_SMALL 48       /* at or below this many keys, insertion sort is cheaper */

/* Reusable scratch for selections over at most `cap` values. Init/close pair; caller-owned. */
struct parity_select_ws {
  size_t cap;
  uint64_t *a, *b; /* key buffers of cap entries: a for parity_percentiles' keys, b the scratch */
  uint32_t *hist;  /* 2^B counts */
  int16_t *slot;   /* 2^B bucket -> gather slot, -1 when not wanted */
};

int parity_select_ws_init(struct parity_select_ws *ws, size_t cap);
void parity_select_ws_close(struct parity_select_ws *ws);

/* Order-preserving maps between doubles and 64-bit keys (NaN excluded by the callers). */
static inline uint64_t parity_select_key(double x)
{
  union {
    double d;
    uint64_t u;
  } c = { .d = x };
  return (c.u & 0x8000000000000000ull) ? ~c.u : (c.u | 0x8000000000000000ull);
}

static inline double parity_select_unkey(uint64_t k)
{
  union {
    double d;
    uint64_t u;
  } c;
  c.u = (k & 0x8000000000000000ull) ? (k & ~0x8000000000000000ull) : ~k;
  return c.d;
}

/*
 * The values of ranks rank[0..nranks) (0-based, any order, repeats allowed) among keys[0..n)
 * (made with parity_select_key), written to out[]. The keys are reordered (clobbered); ws->b is the
 * scratch. PARITY_EINVAL when n is 0 or over ws->cap, a rank is >= n or there are too many ranks.
 */
int parity_select_ranks(struct parity_select_ws *ws, uint64_t *keys, size_t n, const size_t *rank, size_t nranks,
                        double *out);

/*
 * Type-7 percentiles: p[k] in [0, 1], x[0..n) finite (NaN and infinities are rejected).
 * out[k] receives the k-th percentile.
 */
int parity_percentiles(struct parity_select_ws *ws, const double *x, size_t n, const double *p, size_t np, double *out,
                       struct parity_quant_err *err);

/* The same from keys (clobbered); the forecast makes them while it simulates. */
int parity_percentiles_from_keys(struct parity_select_ws *ws, uint64_t *keys, size_t n, const double *p, size_t np,
                                 double *out);

/* numpy's linear interpolation between a and b at fraction t (a + (b-a)t, or b - (b-a)(1-t) when t >= 1/2,
 * which is exact at both ends and monotone). */
double parity_select_lerp(double a, double b, double t);

#endif
