/*
 * Sample covariance (ddof 1) and Pearson correlation of n return series, listwise or pairwise.
 *
 * Listwise (what model generation uses) keeps the rows where every series has a value, centres each
 * series and forms the Gram matrix of the centred data, the O(n^2 t) step that dominates HRP. The
 * Gram matrix comes from a register-tiled kernel over packed panels of 24 series (24 x 8 result tiles
 * held in 512-bit accumulators, or in 256-bit ones, chosen at run time from the CPU), with blocks of
 * panels kept in L2 and shared by up to PARITY_COV_MAX_THREADS threads; without those instruction sets
 * OpenBLAS's dsyrk is used when the build found it, else a portable loop over the same tiles. Different
 * kernels sum in different orders, so results agree to rounding, not bit for bit, across CPUs. Pairwise follows pandas' DataFrame.cov()/.corr(): each
 * entry uses the rows where both series have values, with means over those rows, and the correlation
 * divides by the two variances over those same rows. Correlations are clamped to [-1, 1].
 * Missing values are NaN; infinities are an error; a series constant over the rows used is an error
 * (PARITY_ENUMERIC), because its correlations are undefined and HRP would divide by its zero variance.
 */
#ifndef PARITY_QUANT_COV_H
#define PARITY_QUANT_COV_H

#include <stddef.h>

#include "decisional/quant/quant_err.h"

#define PARITY_COV_MAX_THREADS 8
#define PARITY_COV_DEFAULT_THREADS 2
#define PARITY_COV_MAX_SERIES 20000    /* n limit: the n x n matrices must fit in memory */
#define PARITY_COV_MAX_ROWS 1000000    /* t limit */
#define PARITY_COV_MAX_CELLS 400000000 /* n * t limit (3.2 GB of doubles) */

enum parity_cov_missing {
  PARITY_COV_LISTWISE = 0,
  PARITY_COV_PAIRWISE = 1,
};

/* Which Gram kernel listwise mode uses; AUTO picks the fastest this CPU and build support. */
enum parity_cov_kernel {
  PARITY_COV_KERNEL_AUTO = 0,
  PARITY_COV_KERNEL_AVX512,
  PARITY_COV_KERNEL_AVX2,
  PARITY_COV_KERNEL_BLAS,
  PARITY_COV_KERNEL_PORTABLE,
};

struct parity_cov_opts {
  enum parity_cov_missing missing;
  unsigned threads;              /* 0 = PARITY_COV_DEFAULT_THREADS */
  enum parity_cov_kernel kernel; /* PARITY_COV_KERNEL_AUTO unless testing a kernel */
  const char *const *names;      /* optional series names for error messages (NULL: indices) */
  int cov_only;                  /* listwise only: skip the correlation matrix (corr stays NULL); HRP
                                   * derives correlations from cov on the fly and saves n^2 memory */
};

/* Owned by the caller; release with parity_cov_free. */
struct parity_cov {
  size_t n;
  double *cov;      /* n x n, row-major, symmetric */
  double *corr;     /* n x n, symmetric, in [-1, 1], diagonal exactly 1; NULL with opts.cov_only */
  size_t rows_used; /* listwise: complete rows; pairwise: the smallest count of any pair */
};

/*
 * x holds n series of t observations, series j at x[j*t .. j*t + t), NaN for missing.
 * Errors: PARITY_EINVAL (n < 1, an infinity, a kernel this CPU or build lacks), PARITY_ETOOBIG (over
 * the limits), PARITY_ENUMERIC (fewer than 2 usable rows, a constant series), PARITY_ENOMEM.
 */
int parity_cov_compute(const double *x, size_t t, size_t n, const struct parity_cov_opts *opts, struct parity_cov *out,
                       struct parity_quant_err *err);
void parity_cov_free(struct parity_cov *c);

/* True when this CPU (and build) can run the kernel. */
int parity_cov_kernel_available(enum parity_cov_kernel kernel);
/* A short name of the kernel AUTO resolves to here ("avx512", "avx2", "openblas", "portable"). */
const char *parity_cov_kernel_name(enum parity_cov_kernel kernel);

#endif
