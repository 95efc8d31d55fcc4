/* Exact multi-rank selection by radix buckets over order-preserving keys (see select.h). */
#include "decisional/quant/select.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS (1u << PARITY_SELECT_BUCKET_BITS)

/* A wanted rank, relative to the keys of the current level, and where its answer goes. */
struct want {
  size_t rank;
  size_t out;
};

struct slot {
  size_t bucket, offset, count;
  size_t first_want, nwants;
};

int parity_select_ws_init(struct parity_select_ws *ws, size_t cap)
{
  memset(ws, 0, sizeof(*ws));
  if (cap == 0 || cap > SIZE_MAX / sizeof(uint64_t) / 2)
    return PARITY_EINVAL;
  ws->a = malloc(cap * sizeof(uint64_t));
  ws->b = malloc(cap * sizeof(uint64_t));
  ws->hist = malloc(NBUCKETS * sizeof(uint32_t));
  ws->slot = malloc(NBUCKETS * sizeof(int16_t));
  if (!ws->a || !ws->b || !ws->hist || !ws->slot) {
    parity_select_ws_close(ws);
    return PARITY_ENOMEM;
  }
  for (size_t i = 0; i < NBUCKETS; i++)
    ws->slot[i] = -1;
  ws->cap = cap;
  return PARITY_OK;
}

void parity_select_ws_close(struct parity_select_ws *ws)
{
  free(ws->a);
  free(ws->b);
  free(ws->hist);
  free(ws->slot);
  memset(ws, 0, sizeof(*ws));
}

static void insertion_sort(uint64_t *k, size_t n)
{
  for (size_t i = 1; i < n; i++) {
    uint64_t v = k[i];
    size_t j = i;
    while (j > 0 && k[j - 1] > v) {
      k[j] = k[j - 1];
      j--;
    }
    k[j] = v;
  }
}

/* Wants are sorted by rank. src holds the n keys of this level; dst is free space of the same extent. */
static void select_level(struct parity_select_ws *ws, uint64_t *src, uint64_t *dst, size_t n, struct want *w, size_t nw,
                         uint64_t *res)
{
  if (n <= PARITY_SELECT_SMALL) {
    insertion_sort(src, n);
    for (size_t k = 0; k < nw; k++)
      res[w[k].out] = src[w[k].rank];
    return;
  }
  uint64_t lo = src[0], hi = src[0];
  for (size_t i = 1; i < n; i++) {
    uint64_t v = src[i];
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  if (lo == hi) {
    for (size_t k = 0; k < nw; k++)
      res[w[k].out] = lo;
    return;
  }
  int bits = 64 - __builtin_clzll(hi - lo);
  int shift = bits > PARITY_SELECT_BUCKET_BITS ? bits - PARITY_SELECT_BUCKET_BITS : 0;
  size_t nb = (size_t)((hi - lo) >> shift) + 1;
  uint32_t *hist = ws->hist;
  memset(hist, 0, nb * sizeof(*hist));
  for (size_t i = 0; i < n; i++)
    hist[(src[i] - lo) >> shift]++;

  /* Walk the cumulative counts once, in rank order, to find each wanted rank's bucket. */
  struct slot slots[PARITY_SELECT_MAX_RANKS];
  size_t nslots = 0, cum = 0, b = 0, offset = 0;
  for (size_t k = 0; k < nw; k++) {
    while (cum + hist[b] <= w[k].rank)
      cum += hist[b++];
    if (nslots == 0 || slots[nslots - 1].bucket != b) {
      slots[nslots] = (struct slot){ b, offset, hist[b], k, 0 };
      offset += hist[b];
      ws->slot[b] = (int16_t)nslots;
      nslots++;
    }
    slots[nslots - 1].nwants++;
    w[k].rank -= cum;
  }

  size_t pos[PARITY_SELECT_MAX_RANKS];
  for (size_t s = 0; s < nslots; s++)
    pos[s] = slots[s].offset;
  for (size_t i = 0; i < n; i++) {
    int s = ws->slot[(src[i] - lo) >> shift];
    if (s >= 0)
      dst[pos[s]++] = src[i];
  }
  for (size_t s = 0; s < nslots; s++)
    ws->slot[slots[s].bucket] = -1;

  /* Each gathered bucket is a smaller instance; the roles of the two buffers swap at each level. */
  for (size_t s = 0; s < nslots; s++)
    select_level(ws, dst + slots[s].offset, src + slots[s].offset, slots[s].count, w + slots[s].first_want,
                 slots[s].nwants, res);
}

static int cmp_want(const void *pa, const void *pb)
{
  const struct want *a = pa, *b = pb;
  return (a->rank > b->rank) - (a->rank < b->rank);
}

int parity_select_ranks(struct parity_select_ws *ws, uint64_t *keys, size_t n, const size_t *rank, size_t nranks,
                        double *out)
{
  if (n == 0 || n > ws->cap || nranks == 0 || nranks > PARITY_SELECT_MAX_RANKS)
    return PARITY_EINVAL;
  struct want w[PARITY_SELECT_MAX_RANKS];
  uint64_t res[PARITY_SELECT_MAX_RANKS];
  for (size_t k = 0; k < nranks; k++) {
    if (rank[k] >= n)
      return PARITY_EINVAL;
    w[k] = (struct want){ rank[k], k };
  }
  qsort(w, nranks, sizeof(w[0]), cmp_want);
  select_level(ws, keys, ws->b, n, w, nranks, res);
  for (size_t k = 0; k < nranks; k++)
    out[k] = parity_select_unkey(res[k]);
  return PARITY_OK;
}

double parity_select_lerp(double a, double b, double t)
{
  double d = b - a;
  return t >= 0.5 ? b - d * (1.0 - t) : a + d * t;
}

int parity_percentiles_from_keys(struct parity_select_ws *ws, uint64_t *keys, size_t n, const double *p, size_t np,
                                 double *out)
{
  if (np == 0 || np > PARITY_SELECT_MAX_RANKS / 2 || n == 0)
    return PARITY_EINVAL;
  size_t rank[PARITY_SELECT_MAX_RANKS];
  double frac[PARITY_SELECT_MAX_RANKS / 2];
  for (size_t k = 0; k < np; k++) {
    if (!(p[k] >= 0.0 && p[k] <= 1.0))
      return PARITY_EINVAL;
    double h = (double)(n - 1) * p[k];
    double fl = floor(h);
    size_t lo = (size_t)fl;
    if (lo > n - 1)
      lo = n - 1;
    rank[2 * k] = lo;
    rank[2 * k + 1] = lo + 1 < n ? lo + 1 : n - 1;
    frac[k] = h - fl;
  }
  double v[PARITY_SELECT_MAX_RANKS];
  int rc = parity_select_ranks(ws, keys, n, rank, 2 * np, v);
  if (rc)
    return rc;
  for (size_t k = 0; k < np; k++)
    out[k] = parity_select_lerp(v[2 * k], v[2 * k + 1], frac[k]);
  return PARITY_OK;
}

int parity_percentiles(struct parity_select_ws *ws, const double *x, size_t n, const double *p, size_t np, double *out,
                       struct parity_quant_err *err)
{
  if (n == 0)
    return parity_quant_fail(err, PARITY_EINVAL, "percentiles of an empty sample");
  if (n > ws->cap)
    return parity_quant_fail(err, PARITY_ETOOBIG, "%zu values exceed the workspace of %zu", n, ws->cap);
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(x[i]))
      return parity_quant_fail(err, PARITY_EINVAL, "value %zu is not finite", i);
    ws->a[i] = parity_select_key(x[i]);
  }
  int rc = parity_percentiles_from_keys(ws, ws->a, n, p, np, out);
  if (rc)
    return parity_quant_fail(err, rc, "percentile levels must be in [0, 1] and at most %d",
                             PARITY_SELECT_MAX_RANKS / 2);
  return PARITY_OK;
}
