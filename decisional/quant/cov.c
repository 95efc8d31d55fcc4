/* Covariance and correlation: listwise through a tiled multi-threaded Gram kernel, or pairwise as pandas. */
#include "decisional/quant/cov.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define HAVE_X86_KERNELS 1
#endif
#ifdef PARITY_HAVE_OPENBLAS
#include <cblas.h>
#endif

#define ROW_PAD 12                 /* rows padded to a multiple of every tile height and width (4x6, 3x4) */
#define T_PAD 8                    /* row length padded to whole 512-bit vectors (zeros add nothing) */
#define PANEL_BYTES (1u << 20)     /* the block of series swept against each tile stays in a 2 MiB L2 */
#define THREAD_MIN_FLOPS 20000000.0 /* below this a second thread costs more than it saves */
#define ALIGNMENT 64

typedef void (*tile_fn)(const double *a, size_t ld, size_t len, size_t i0, size_t j0, double *g, size_t n);

static const char *series_name(const struct parity_cov_opts *o, size_t j, char *buf, size_t len)
{
  if (o && o->names && o->names[j])
    return o->names[j];
  snprintf(buf, len, "series %zu", j);
  return buf;
}

/* Writes the part of an mr x nr tile that is inside the matrix and on or below the diagonal. */
static inline void store_entry(double *g, size_t n, size_t i, size_t j, double v)
{
  if (i < n && j <= i)
    g[i * n + j] = v;
}

#ifdef HAVE_X86_KERNELS
#define MR512 4
#define NR512 6
__attribute__((target("avx512f"))) static void tile_avx512(const double *a, size_t ld, size_t len, size_t i0,
                                                          size_t j0, double *g, size_t n)
{
  __m512d acc[MR512][NR512];
  const double *ra[MR512], *rb[NR512];
  for (int p = 0; p < MR512; p++) {
    ra[p] = a + (i0 + p) * ld;
    for (int q = 0; q < NR512; q++)
      acc[p][q] = _mm512_setzero_pd();
  }
  for (int q = 0; q < NR512; q++)
    rb[q] = a + (j0 + q) * ld;
  for (size_t k = 0; k < len; k += 8) {
    __m512d av[MR512];
    for (int p = 0; p < MR512; p++)
      av[p] = _mm512_load_pd(ra[p] + k);
    for (int q = 0; q < NR512; q++) {
      __m512d bv = _mm512_load_pd(rb[q] + k);
      for (int p = 0; p < MR512; p++)
        acc[p][q] = _mm512_fmadd_pd(av[p], bv, acc[p][q]);
    }
  }
  for (int p = 0; p < MR512; p++)
    for (int q = 0; q < NR512; q++)
      store_entry(g, n, i0 + (size_t)p, j0 + (size_t)q, _mm512_reduce_add_pd(acc[p][q]));
}

#define MR256 3
#define NR256 4
__attribute__((target("avx2,fma"))) static double hsum256(__m256d v)
{
  __m128d lo = _mm256_castpd256_pd128(v), hi = _mm256_extractf128_pd(v, 1);
  lo = _mm_add_pd(lo, hi);
  return _mm_cvtsd_f64(_mm_add_sd(lo, _mm_unpackhi_pd(lo, lo)));
}

__attribute__((target("avx2,fma"))) static void tile_avx2(const double *a, size_t ld, size_t len, size_t i0,
                                                         size_t j0, double *g, size_t n)
{
  __m256d acc[MR256][NR256];
  const double *ra[MR256], *rb[NR256];
  for (int p = 0; p < MR256; p++) {
    ra[p] = a + (i0 + p) * ld;
    for (int q = 0; q < NR256; q++)
      acc[p][q] = _mm256_setzero_pd();
  }
  for (int q = 0; q < NR256; q++)
    rb[q] = a + (j0 + q) * ld;
  for (size_t k = 0; k < len; k += 4) {
    __m256d av[MR256];
    for (int p = 0; p < MR256; p++)
      av[p] = _mm256_load_pd(ra[p] + k);
    for (int q = 0; q < NR256; q++) {
      __m256d bv = _mm256_load_pd(rb[q] + k);
      for (int p = 0; p < MR256; p++)
        acc[p][q] = _mm256_fmadd_pd(av[p], bv, acc[p][q]);
    }
  }
  for (int p = 0; p < MR256; p++)
    for (int q = 0; q < NR256; q++)
      store_entry(g, n, i0 + (size_t)p, j0 + (size_t)q, hsum256(acc[p][q]));
}
#endif

#define MRP 2
#define NRP 2
#define PORTABLE_WAYS 4
static void tile_portable(const double *a, size_t ld, size_t len, size_t i0, size_t j0, double *g, size_t n)
{
  for (size_t p = 0; p < MRP; p++)
    for (size_t q = 0; q < NRP; q++) {
      const double *x = a + (i0 + p) * ld, *y = a + (j0 + q) * ld;
      double s[PORTABLE_WAYS] = { 0 };
      for (size_t k = 0; k < len; k += PORTABLE_WAYS)
        for (size_t w = 0; w < PORTABLE_WAYS; w++)
          s[w] += x[k + w] * y[k + w];
      store_entry(g, n, i0 + p, j0 + q, (s[0] + s[1]) + (s[2] + s[3]));
    }
}

int parity_cov_kernel_available(enum parity_cov_kernel kernel)
{
  switch (kernel) {
  case PARITY_COV_KERNEL_AUTO:
  case PARITY_COV_KERNEL_PORTABLE:
    return 1;
#ifdef HAVE_X86_KERNELS
  case PARITY_COV_KERNEL_AVX512:
    return __builtin_cpu_supports("avx512f");
  case PARITY_COV_KERNEL_AVX2:
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
#ifdef PARITY_HAVE_OPENBLAS
  case PARITY_COV_KERNEL_BLAS:
    return 1;
#endif
  default:
    return 0;
  }
}

static enum parity_cov_kernel resolve_kernel(enum parity_cov_kernel k)
{
  if (k != PARITY_COV_KERNEL_AUTO)
    return k;
  if (parity_cov_kernel_available(PARITY_COV_KERNEL_AVX512))
    return PARITY_COV_KERNEL_AVX512;
  if (parity_cov_kernel_available(PARITY_COV_KERNEL_AVX2))
    return PARITY_COV_KERNEL_AVX2;
  if (parity_cov_kernel_available(PARITY_COV_KERNEL_BLAS))
    return PARITY_COV_KERNEL_BLAS;
  return PARITY_COV_KERNEL_PORTABLE;
}

const char *parity_cov_kernel_name(enum parity_cov_kernel kernel)
{
  switch (resolve_kernel(kernel)) {
  case PARITY_COV_KERNEL_AVX512:
    return "avx512";
  case PARITY_COV_KERNEL_AVX2:
    return "avx2";
  case PARITY_COV_KERNEL_BLAS:
    return "openblas";
  default:
    return "portable";
  }
}

/* The lower triangle of a = A A^T for n padded rows of length len (stride ld), tile by tile.
 * Work items are (panel of j, tile of i) pairs handed out through one atomic counter. */
struct gram_job {
  const double *a;
  size_t ld, len, n, n_pad;
  double *g;
  tile_fn tile;
  size_t mr, nr, panel, npanels, itiles;
  atomic_size_t next;
};

static void *gram_worker(void *arg)
{
  struct gram_job *job = arg;
  size_t total = job->npanels * job->itiles, item;
  while ((item = atomic_fetch_add_explicit(&job->next, 1, memory_order_relaxed)) < total) {
    size_t j_lo = (item / job->itiles) * job->panel;
    size_t j_hi = j_lo + job->panel < job->n_pad ? j_lo + job->panel : job->n_pad;
    size_t i0 = (item % job->itiles) * job->mr;
    if (i0 + job->mr <= j_lo)
      continue; /* the tile row lies wholly above this panel's diagonal */
    for (size_t j0 = j_lo; j0 < j_hi && j0 < i0 + job->mr; j0 += job->nr)
      job->tile(job->a, job->ld, job->len, i0, j0, job->g, job->n);
  }
  return NULL;
}

static int gram(const double *a, size_t ld, size_t len, size_t n, size_t n_pad, enum parity_cov_kernel kernel,
                unsigned threads, double *g)
{
  if (kernel == PARITY_COV_KERNEL_BLAS) {
#ifdef PARITY_HAVE_OPENBLAS
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, (int)n, (int)len, 1.0, a, (int)ld, 0.0, g, (int)n);
    return PARITY_OK;
#else
    return PARITY_EINVAL;
#endif
  }
  struct gram_job job = { .a = a, .ld = ld, .len = len, .n = n, .n_pad = n_pad, .g = g };
  switch (kernel) {
#ifdef HAVE_X86_KERNELS
  case PARITY_COV_KERNEL_AVX512:
    job.tile = tile_avx512, job.mr = MR512, job.nr = NR512;
    break;
  case PARITY_COV_KERNEL_AVX2:
    job.tile = tile_avx2, job.mr = MR256, job.nr = NR256;
    break;
#endif
  case PARITY_COV_KERNEL_PORTABLE:
    job.tile = tile_portable, job.mr = MRP, job.nr = NRP;
    break;
  default:
    return PARITY_EINVAL;
  }
  size_t panel = PANEL_BYTES / (ld * sizeof(double));
  panel -= panel % job.nr;
  job.panel = panel < job.nr ? job.nr : panel;
  job.npanels = (n_pad + job.panel - 1) / job.panel;
  job.itiles = n_pad / job.mr;
  atomic_init(&job.next, 0);

  double flops = (double)n * (double)n * (double)len;
  if (flops < THREAD_MIN_FLOPS)
    threads = 1;
  pthread_t tid[PARITY_COV_MAX_THREADS];
  unsigned started = 0;
  for (unsigned t = 1; t < threads; t++) {
    if (pthread_create(&tid[started], NULL, gram_worker, &job) != 0)
      break; /* the threads that did start, and this one, share the items anyway */
    started++;
  }
  gram_worker(&job);
  for (unsigned t = 0; t < started; t++)
    pthread_join(tid[t], NULL);
  return PARITY_OK;
}

static size_t round_up(size_t x, size_t m)
{
  return (x + m - 1) / m * m;
}

static int check_finite_or_nan(const double *x, size_t t, size_t n, const struct parity_cov_opts *o,
                               struct parity_quant_err *err)
{
  char buf[32];
  for (size_t j = 0; j < n; j++)
    for (size_t r = 0; r < t; r++)
      if (isinf(x[j * t + r]))
        return parity_quant_fail(err, PARITY_EINVAL, "%s has an infinite value at row %zu",
                                 series_name(o, j, buf, sizeof(buf)), r);
  return PARITY_OK;
}

static int alloc_out(struct parity_cov *out, size_t n)
{
  out->n = n;
  out->cov = malloc(n * n * sizeof(double));
  out->corr = malloc(n * n * sizeof(double));
  return out->cov && out->corr ? PARITY_OK : PARITY_ENOMEM;
}

/* Correlations from a covariance matrix whose diagonal is positive; clamped, diagonal exactly 1. */
static void corr_from_cov(struct parity_cov *c)
{
  size_t n = c->n;
  double *sd = malloc(n * sizeof(double));
  if (!sd)
    abort(); /* a few KB after n^2 succeeded: treat as the Redis-style fatal case */
  for (size_t i = 0; i < n; i++)
    sd[i] = sqrt(c->cov[i * n + i]);
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < i; j++) {
      double r = c->cov[i * n + j] / (sd[i] * sd[j]);
      r = r > 1.0 ? 1.0 : (r < -1.0 ? -1.0 : r);
      c->corr[i * n + j] = c->corr[j * n + i] = r;
    }
    c->corr[i * n + i] = 1.0;
  }
  free(sd);
}

static int listwise(const double *x, size_t t, size_t n, const struct parity_cov_opts *o, struct parity_cov *out,
                    struct parity_quant_err *err)
{
  char buf[32];
  int rc = PARITY_ENOMEM;
  size_t *rows = malloc(t * sizeof(size_t));
  double *a = NULL;
  if (!rows)
    goto out;
  size_t m = 0;
  for (size_t r = 0; r < t; r++) {
    size_t j = 0;
    while (j < n && !isnan(x[j * t + r]))
      j++;
    if (j == n)
      rows[m++] = r;
  }
  if (m < 2) {
    rc = parity_quant_fail(err, PARITY_ENUMERIC, "only %zu rows have a value in every column; at least 2 are needed", m);
    goto out;
  }
  enum parity_cov_kernel kernel = resolve_kernel(o->kernel);
  if (!parity_cov_kernel_available(kernel)) {
    rc = parity_quant_fail(err, PARITY_EINVAL, "the requested covariance kernel is not available here");
    goto out;
  }
  size_t ld = round_up(m, T_PAD), n_pad = round_up(n, ROW_PAD);
  a = aligned_alloc(ALIGNMENT, n_pad * ld * sizeof(double));
  if (!a)
    goto out;
  memset(a + n * ld, 0, (n_pad - n) * ld * sizeof(double));
  for (size_t j = 0; j < n; j++) {
    double *row = a + j * ld;
    const double *src = x + j * t;
    double sum = 0.0, lo = src[rows[0]], hi = lo;
    for (size_t k = 0; k < m; k++) {
      double v = src[rows[k]];
      row[k] = v;
      sum += v;
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
    }
    if (lo == hi) {
      rc = parity_quant_fail(err, PARITY_ENUMERIC, "%s is constant over the %zu rows used; its variance is zero",
                             series_name(o, j, buf, sizeof(buf)), m);
      goto out;
    }
    /* Two-pass mean with the correction term (Chan, Golub and LeVeque): exact up to rounding even
     * when the values share a large offset. */
    double mean = sum / (double)m, corr = 0.0;
    for (size_t k = 0; k < m; k++)
      corr += row[k] - mean;
    mean += corr / (double)m;
    for (size_t k = 0; k < m; k++)
      row[k] -= mean;
    for (size_t k = m; k < ld; k++)
      row[k] = 0.0;
  }
  rc = alloc_out(out, n);
  if (rc)
    goto out;
  rc = gram(a, ld, ld, n, n_pad, kernel, o->threads ? o->threads : PARITY_COV_DEFAULT_THREADS, out->cov);
  if (rc)
    goto out;
  double scale = 1.0 / (double)(m - 1);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j <= i; j++)
      out->cov[i * n + j] = out->cov[j * n + i] = out->cov[i * n + j] * scale;
  for (size_t i = 0; i < n; i++)
    if (!(out->cov[i * n + i] > 0.0) || !isfinite(out->cov[i * n + i])) {
      rc = parity_quant_fail(err, PARITY_ENUMERIC, "%s has a variance of %g, which HRP cannot use",
                             series_name(o, i, buf, sizeof(buf)), out->cov[i * n + i]);
      goto out;
    }
  corr_from_cov(out);
  out->rows_used = m;
out:
  free(rows);
  free(a);
  return rc;
}

/* pandas' nancorr: for each pair, means over the rows both have, then the centred sums. */
static int pairwise(const double *x, size_t t, size_t n, const struct parity_cov_opts *o, struct parity_cov *out,
                    struct parity_quant_err *err)
{
  char b1[32], b2[32];
  int rc = alloc_out(out, n);
  if (rc)
    return rc;
  out->rows_used = t;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j <= i; j++) {
      const double *xi = x + i * t, *xj = x + j * t;
      size_t cnt = 0;
      double sx = 0.0, sy = 0.0;
      for (size_t r = 0; r < t; r++)
        if (!isnan(xi[r]) && !isnan(xj[r])) {
          cnt++;
          sx += xi[r];
          sy += xj[r];
        }
      if (cnt < 2)
        return parity_quant_fail(err, PARITY_ENUMERIC, "%s and %s share %zu rows; at least 2 are needed",
                                 series_name(o, i, b1, sizeof(b1)), series_name(o, j, b2, sizeof(b2)), cnt);
      double mx = sx / (double)cnt, my = sy / (double)cnt, sxy = 0.0, sxx = 0.0, syy = 0.0;
      for (size_t r = 0; r < t; r++)
        if (!isnan(xi[r]) && !isnan(xj[r])) {
          double dx = xi[r] - mx, dy = xj[r] - my;
          sxy += dx * dy;
          sxx += dx * dx;
          syy += dy * dy;
        }
      if (!(sxx > 0.0) || !(syy > 0.0))
        return parity_quant_fail(err, PARITY_ENUMERIC, "%s is constant over the %zu rows it shares with %s",
                                 series_name(o, sxx > 0.0 ? j : i, b1, sizeof(b1)), cnt,
                                 series_name(o, sxx > 0.0 ? i : j, b2, sizeof(b2)));
      double r = i == j ? 1.0 : sxy / sqrt(sxx * syy);
      r = r > 1.0 ? 1.0 : (r < -1.0 ? -1.0 : r);
      out->cov[i * n + j] = out->cov[j * n + i] = sxy / (double)(cnt - 1);
      out->corr[i * n + j] = out->corr[j * n + i] = r;
      if (cnt < out->rows_used)
        out->rows_used = cnt;
    }
  return PARITY_OK;
}

int parity_cov_compute(const double *x, size_t t, size_t n, const struct parity_cov_opts *opts, struct parity_cov *out,
                       struct parity_quant_err *err)
{
  static const struct parity_cov_opts defaults = { PARITY_COV_LISTWISE, 0, PARITY_COV_KERNEL_AUTO, NULL };
  const struct parity_cov_opts *o = opts ? opts : &defaults;
  memset(out, 0, sizeof(*out));
  if (n < 1 || t < 1)
    return parity_quant_fail(err, PARITY_EINVAL, "no data: %zu series of %zu rows", n, t);
  if (n > PARITY_COV_MAX_SERIES || t > PARITY_COV_MAX_ROWS || (double)n * (double)t > PARITY_COV_MAX_CELLS)
    return parity_quant_fail(err, PARITY_ETOOBIG, "%zu series of %zu rows is over the limit (%d series, %d rows, %d cells)",
                             n, t, PARITY_COV_MAX_SERIES, PARITY_COV_MAX_ROWS, PARITY_COV_MAX_CELLS);
  if (o->threads > PARITY_COV_MAX_THREADS)
    return parity_quant_fail(err, PARITY_EINVAL, "at most %d threads", PARITY_COV_MAX_THREADS);
  int rc = check_finite_or_nan(x, t, n, o, err);
  if (rc)
    return rc;
  rc = o->missing == PARITY_COV_PAIRWISE ? pairwise(x, t, n, o, out, err) : listwise(x, t, n, o, out, err);
  if (rc) {
    if (rc == PARITY_ENOMEM)
      parity_quant_fail(err, rc, "out of memory for a %zu x %zu covariance", n, n);
    parity_cov_free(out);
  }
  return rc;
}

void parity_cov_free(struct parity_cov *c)
{
  free(c->cov);
  free(c->corr);
  c->cov = c->corr = NULL;
  c->n = 0;
}
