/*
 * Hierarchical Risk Parity (Lopez de Prado 2016) exactly as SPEC §8 and PyPortfolioOpt compute it.
 *
 * Sample covariance and Pearson correlation (cov.h), distance sqrt((1 - rho) / 2), SciPy-exact single
 * linkage (linkage.h), the quasi-diagonal order of the tree's leaves (left child first), then
 * recursive bisection of that ordered list: each list is cut into halves of floor(len/2) and the rest,
 * each half's variance is w'Σw with inverse-variance weights w inside the half, and the left half is
 * scaled by alpha = 1 - V_L / (V_L + V_R), the right by 1 - alpha. HRP never inverts Σ, so collinear
 * assets (Y = 2X) are fine; a constant series or a zero-variance cluster is PARITY_ENUMERIC, never NaN.
 * Column order matters in one place only, inherited from SciPy: when two single assets merge, the one
 * with the lower input index becomes the left child. Permuting the columns therefore permutes the
 * output, except that such a pair can swap sides of a bisection cut (PyPortfolioOpt behaves the same).
 */
#ifndef PARITY_QUANT_HRP_H
#define PARITY_QUANT_HRP_H

#include <stddef.h>

#include "decisional/quant/cov.h"
#include "decisional/quant/linkage.h"
#include "decisional/quant/quant_err.h"

/* One bisection: ordered positions [lo, mid) (left) and [mid, hi) (right). */
struct parity_hrp_split {
  size_t lo, mid, hi;
  double var_left, var_right, alpha;
};

/* Owned by the caller; release with parity_hrp_result_free. Indices refer to the input columns. */
struct parity_hrp_result {
  size_t n;
  double *weights;                     /* [n] in input order, positive, summing to 1 */
  size_t *order;                       /* [n] quasi-diagonal (leaf) order */
  struct parity_linkage_step *linkage; /* [n-1] SciPy's Z */
  struct parity_hrp_split *splits;     /* [n-1] in the order they were applied (breadth-first) */
  double *variances;                   /* [n] the covariance diagonal */
  size_t rows_used;                    /* see struct parity_cov */
};

/* HRP from a covariance (n >= 2) and its correlations; with corr NULL they are derived from cov. */
int parity_hrp_from_cov(const struct parity_cov *cov, struct parity_hrp_result *out, struct parity_quant_err *err);

/* HRP from returns: n series of t rows, series j at returns[j*t ..], NaN for missing (see cov.h). */
int parity_hrp_run(const double *returns, size_t t, size_t n, const struct parity_cov_opts *opts,
                   struct parity_hrp_result *out, struct parity_quant_err *err);

void parity_hrp_result_free(struct parity_hrp_result *res);

#endif
