/*
 * Single-linkage agglomerative clustering that reproduces SciPy's linkage(y, "single") exactly.
 *
 * SciPy builds the minimum spanning tree with Prim's algorithm started at observation 0, taking the
 * first (lowest) index when two candidates are equally close; sorts the n-1 merges by height with a
 * stable sort; then relabels them with a union-find in which each merge creates cluster n + k and the
 * row lists the smaller root first. Any other tie rule changes the leaf order when distances tie or
 * nearly tie, so this code follows those three steps literally (scipy/cluster/_hierarchy.pyx,
 * mst_single_linkage and label).
 */
#ifndef PARITY_QUANT_LINKAGE_H
#define PARITY_QUANT_LINKAGE_H

#include <math.h>
#include <stddef.h>

#include "decisional/quant/quant_err.h"

/* One row of SciPy's linkage matrix Z: clusters a < b merged at `height` into a cluster of `size`. */
struct parity_linkage_step {
  size_t a, b;
  double height;
  size_t size;
};

/*
 * Fills z[0..n-1) from the full symmetric distance matrix d (n x n, row-major).
 * PARITY_EINVAL when n < 2 or a distance is NaN, infinite or negative.
 */
int parity_linkage_single(const double *d, size_t n, struct parity_linkage_step *z, struct parity_quant_err *err);

/* The same, with d(i, j) = sqrt(0.5 (1 - corr(i, j))) computed on the fly from a correlation
 * matrix, which spares HRP an n x n distance matrix. */
int parity_linkage_single_corr(const double *corr, size_t n, struct parity_linkage_step *z,
                               struct parity_quant_err *err);

/* The same from a covariance matrix with a positive diagonal: rho = cov(i, j) / (sd_i sd_j), clamped to
 * [-1, 1] exactly as cov.c computes correlations, so the tree equals the one from cov.c's corr. */
int parity_linkage_single_cov(const double *cov, size_t n, struct parity_linkage_step *z, struct parity_quant_err *err);

/* The correlation distance HRP uses, computed as numpy does for PyPortfolioOpt: sqrt((1 - rho) / 2). */
static inline double parity_linkage_corr_dist(double rho)
{
  return sqrt(0.5 * (1.0 - rho));
}

/* Leaf order of the tree (SciPy's to_tree(Z).pre_order(): left child first). order has n entries. */
int parity_linkage_leaves(const struct parity_linkage_step *z, size_t n, size_t *order);

#endif
