/* Covariance and correlation: listwise through a tiled multi-threaded Gram kernel, or pairwise as pandas. */
#include "decisional/quant/cov.h"
#include "decisional/quant/quant_mem.h"

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

#define IBLOCK_BYTES (1u << 20)     /* panels swept together: half of a 2 MiB L2 */
#define THREAD_MIN_FLOPS 20000000.0 /* below this a second thread costs more than it saves */

static const char *series_name(const struct parity_cov_opts *o, size_t j, char *buf, size_t len)
{
  if (o && o->names && o->names[j])
    return o->names[j];
  snprintf(buf, len, "series %zu", j);
  return buf;
}

/* Stores an entry of a tile that is inside the matrix and on or below the diagonal into both
 * triangles, so no separate pass is needed to finish the symmetric matrix. */
static inline void store_entry(double *g, size_t n, size_t i, size_t j, double v)
{
  if (i < n && j <= i)
    g[i * n + j] = g[j * n + i] = v;
}

/*
 * The Gram kernels work on a packed copy of the centred data: panels of PW series, each panel stored
 * observation-major (row k holds the PW series' k-th values), zero-padded to whole panels. A micro-tile
 * is PW rows of the result by JW columns: per observation it loads the panel row as vectors and
 * broadcasts JW values of another panel's row, so the 24 accumulators stay in registers, no horizontal
 * sums are needed, and each observation costs 3 + 8 loads for 24 fused multiply-adds.
 */
#define PW 24 /* series per panel: three 512-bit vectors */
#define JW 8  /* result columns per micro-tile: one 64-byte line of a panel row */

typedef void (*tile_fn)(const double *pi, const double *pj, size_t m, double *out);

#ifdef HAVE_X86_KERNELS
/* out[q * PW + r] = sum_k pi[k * PW + r] * pj[k * PW + q], r < 24, q < 8. */
__attribute__((target("avx512f"))) static void tile_avx512(const double *pi, const double *pj, size_t m, double *out)
{
  __m512d acc[3][JW];
  for (int h = 0; h < 3; h++)
    for (int q = 0; q < JW; q++)
      acc[h][q] = _mm512_setzero_pd();
  for (size_t k = 0; k < m; k++) {
    const double *x = pi + k * PW, *y = pj + k * PW;
    __m512d v0 = _mm512_load_pd(x), v1 = _mm512_load_pd(x + 8), v2 = _mm512_load_pd(x + 16);
    for (int q = 0; q < JW; q++) {
      __m512d b = _mm512_set1_pd(y[q]);
      acc[0][q] = _mm512_fmadd_pd(v0, b, acc[0][q]);
      acc[1][q] = _mm512_fmadd_pd(v1, b, acc[1][q]);
      acc[2][q] = _mm512_fmadd_pd(v2, b, acc[2][q]);
    }
  }
  for (int q = 0; q < JW; q++)
    for (int h = 0; h < 3; h++)
      _mm512_storeu_pd(out + q * PW + 8 * h, acc[h][q]);
}

/* With 16 registers of 4 doubles: four passes of 12 rows x 4 columns (12 accumulators each). */
__attribute__((target("avx2,fma"))) static void tile_avx2(const double *pi, const double *pj, size_t m, double *out)
{
  for (int r0 = 0; r0 < PW; r0 += 12)
    for (int q0 = 0; q0 < JW; q0 += 4) {
      __m256d acc[3][4];
      for (int h = 0; h < 3; h++)
        for (int q = 0; q < 4; q++)
          acc[h][q] = _mm256_setzero_pd();
      for (size_t k = 0; k < m; k++) {
        const double *x = pi + k * PW + r0, *y = pj + k * PW + q0;
        __m256d v0 = _mm256_load_pd(x), v1 = _mm256_load_pd(x + 4), v2 = _mm256_load_pd(x + 8);
        for (int q = 0; q < 4; q++) {
          __m256d b = _mm256_broadcast_sd(y + q);
          acc[0][q] = _mm256_fmadd_pd(v0, b, acc[0][q]);
          acc[1][q] = _mm256_fmadd_pd(v1, b, acc[1][q]);
          acc[2][q] = _mm256_fmadd_pd(v2, b, acc[2][q]);
        }
      }
      for (int q = 0; q < 4; q++)
        for (int h = 0; h < 3; h++)
          _mm256_storeu_pd(out + (q0 + q) * PW + r0 + 4 * h, acc[h][q]);
    }
}
#endif

static void tile_portable(const double *pi, const double *pj, size_t m, double *out)
{
  double acc[JW][PW] = { { 0 } };
  for (size_t k = 0; k < m; k++)
    for (int q = 0; q < JW; q++) {
      double b = pj[k * PW + q];
      for (int r = 0; r < PW; r++)
        acc[q][r] += pi[k * PW + r] * b;
    }
  memcpy(out, acc, sizeof(acc));
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

/* g = scale * A A^T over packed panels (see above), both triangles. Work items are blocks of panels
 * small enough to stay in L2 while every column group up to their diagonal streams past them; they
 * are handed out through one atomic counter, largest first, so threads finish together. */
struct gram_job {
  const double *panels;
  size_t m, n, npanels, iblock;
  double *g, scale;
  tile_fn tile;
  atomic_size_t next;
};

static void store_tile(const struct gram_job *job, size_t p, size_t jg, const double *out)
{
  size_t i0 = p * PW, n = job->n;
  double *g = job->g, s = job->scale;
  if (i0 + PW <= n && jg + JW <= i0) {
    /* Wholly inside and below the diagonal (almost every tile): rows of both triangles, no tests. */
    for (size_t q = 0; q < JW; q++)
      for (size_t r = 0; r < PW; r++)
        g[(jg + q) * n + i0 + r] = out[q * PW + r] * s;
    for (size_t r = 0; r < PW; r++)
      for (size_t q = 0; q < JW; q++)
        g[(i0 + r) * n + jg + q] = out[q * PW + r] * s;
    return;
  }
  for (size_t q = 0; q < JW; q++)
    for (size_t r = 0; r < PW; r++)
      store_entry(g, n, i0 + r, jg + q, out[q * PW + r] * s);
}

static void *gram_worker(void *arg)
{
  struct gram_job *job = arg;
  size_t nblocks = (job->npanels + job->iblock - 1) / job->iblock, item;
  double out[JW * PW];
  while ((item = atomic_fetch_add_explicit(&job->next, 1, memory_order_relaxed)) < nblocks) {
    size_t b = nblocks - 1 - item;
    size_t p0 = b * job->iblock, p1 = p0 + job->iblock < job->npanels ? p0 + job->iblock : job->npanels;
    for (size_t jg = 0; jg < p1 * PW; jg += JW) {
      const double *pj = job->panels + (jg / PW) * job->m * PW + jg % PW;
      for (size_t p = p0; p < p1; p++) {
        if (jg >= (p + 1) * PW)
          continue; /* this column group lies wholly above panel p's diagonal */
        job->tile(job->panels + p * job->m * PW, pj, job->m, out);
        store_tile(job, p, jg, out);
      }
    }
  }
  return NULL;
}

static int gram_panels(const double *panels, size_t m, size_t n, enum parity_cov_kernel kernel, unsigned threads,
                       double scale, double *g)
{
  struct gram_job job = { .panels = panels, .m = m, .n = n, .npanels = (n + PW - 1) / PW, .g = g, .scale = scale };
  switch (kernel) {
#ifdef HAVE_X86_KERNELS
  case PARITY_COV_KERNEL_AVX512:
    job.tile = tile_avx512;
    break;
  case PARITY_COV_KERNEL_AVX2:
    job.tile = tile_avx2;
    break;
#endif
  case PARITY_COV_KERNEL_PORTABLE:
    job.tile = tile_portable;
    break;
  default:
    return PARITY_EINVAL;
  }
  job.iblock = IBLOCK_BYTES / (m * PW * sizeof(double));
  if (job.iblock == 0)
    job.iblock = 1;
  atomic_init(&job.next, 0);
  if ((double)n * (double)n * (double)m < THREAD_MIN_FLOPS)
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

/* g = scale * A A^T with OpenBLAS for row-major A (n rows of m, stride m), both triangles. */
static int gram_blas(const double *a, size_t m, size_t n, double scale, double *g)
{
#ifdef PARITY_HAVE_OPENBLAS
  cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, (int)n, (int)m, scale, a, (int)m, 0.0, g, (int)n);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++)
      g[j * n + i] = g[i * n + j];
  return PARITY_OK;
#else
  (void)a, (void)m, (void)n, (void)scale, (void)g;
  return PARITY_EINVAL;
#endif
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

static int alloc_out(struct parity_cov *out, size_t n, int with_corr)
{
  out->n = n;
  out->cov = parity_quant__big_alloc(n * n * sizeof(double));
  out->corr = with_corr ? parity_quant__big_alloc(n * n * sizeof(double)) : NULL;
  return out->cov && (out->corr || !with_corr) ? PARITY_OK : PARITY_ENOMEM;
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
  double *a = NULL, *tmp = NULL;
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
    rc =
        parity_quant_fail(err, PARITY_ENUMERIC, "only %zu rows have a value in every column; at least 2 are needed", m);
    goto out;
  }
  enum parity_cov_kernel kernel = resolve_kernel(o->kernel);
  if (!parity_cov_kernel_available(kernel)) {
    rc = parity_quant_fail(err, PARITY_EINVAL, "the requested covariance kernel is not available here");
    goto out;
  }
  /* The packed copy: panels for the tiled kernels, plain rows for OpenBLAS. */
  int blas = kernel == PARITY_COV_KERNEL_BLAS;
  size_t n_pad = blas ? n : round_up(n, PW);
  a = parity_quant__big_alloc(n_pad * m * sizeof(double));
  tmp = malloc(m * sizeof(double));
  if (!a || !tmp)
    goto out;
  if (n_pad > n)
    memset(a + (n_pad - PW) * m, 0, PW * m * sizeof(double)); /* the last panel's padding series are zeros */
  for (size_t j = 0; j < n; j++) {
    const double *src = x + j * t;
    if (m == t)
      memcpy(tmp, src, m * sizeof(double)); /* the usual case: no missing values */
    else
      for (size_t k = 0; k < m; k++)
        tmp[k] = src[rows[k]];
    double sum = 0.0, lo = tmp[0], hi = lo;
    for (size_t k = 0; k < m; k++) {
      double v = tmp[k];
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
    for (size_t k = 0; k < m; k++) {
      tmp[k] -= mean;
      corr += tmp[k];
    }
    corr /= (double)m;
    if (blas) {
      for (size_t k = 0; k < m; k++)
        a[j * m + k] = tmp[k] - corr;
    } else {
      double *dst = a + (j / PW) * m * PW + j % PW;
      for (size_t k = 0; k < m; k++)
        dst[k * PW] = tmp[k] - corr;
    }
  }
  rc = alloc_out(out, n, !o->cov_only);
  if (rc)
    goto out;
  unsigned threads = o->threads ? o->threads : PARITY_COV_DEFAULT_THREADS;
  double scale = 1.0 / (double)(m - 1);
  rc = blas ? gram_blas(a, m, n, scale, out->cov) : gram_panels(a, m, n, kernel, threads, scale, out->cov);
  if (rc)
    goto out;
  for (size_t i = 0; i < n; i++)
    if (!(out->cov[i * n + i] > 0.0) || !isfinite(out->cov[i * n + i])) {
      rc = parity_quant_fail(err, PARITY_ENUMERIC, "%s has a variance of %g, which HRP cannot use",
                             series_name(o, i, buf, sizeof(buf)), out->cov[i * n + i]);
      goto out;
    }
  if (out->corr)
    corr_from_cov(out);
  out->rows_used = m;
out:
  free(rows);
  free(a);
  free(tmp);
  return rc;
}

/* pandas' nancorr: for each pair, means over the rows both have, then the centred sums. */
static int pairwise(const double *x, size_t t, size_t n, const struct parity_cov_opts *o, struct parity_cov *out,
                    struct parity_quant_err *err)
{
  char b1[32], b2[32];
  int rc = alloc_out(out, n, 1);
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
  static const struct parity_cov_opts defaults = {
    .missing = PARITY_COV_LISTWISE, .threads = 0, .kernel = PARITY_COV_KERNEL_AUTO, .names = NULL, .cov_only = 0
  };
  const struct parity_cov_opts *o = opts ? opts : &defaults;
  memset(out, 0, sizeof(*out));
  if (n < 1 || t < 1)
    return parity_quant_fail(err, PARITY_EINVAL, "no data: %zu series of %zu rows", n, t);
  if (n > PARITY_COV_MAX_SERIES || t > PARITY_COV_MAX_ROWS || (double)n * (double)t > PARITY_COV_MAX_CELLS)
    return parity_quant_fail(err, PARITY_ETOOBIG,
                             "%zu series of %zu rows is over the limit (%d series, %d rows, %d cells)", n, t,
                             PARITY_COV_MAX_SERIES, PARITY_COV_MAX_ROWS, PARITY_COV_MAX_CELLS);
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
