/* HRP weights from covariance: linkage, quasi-diagonal order, recursive bisection (see hrp.h). */
#include "decisional/quant/hrp.h"
#include "decisional/quant/quant_mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* w'Σw of the ordered positions [lo, hi) with inverse-variance weights w, as numpy's
 * w = 1/diag; w /= w.sum(); w @ Σ @ w. `ord` is Σ permuted into the leaf order, so every cluster is a
 * contiguous block (gathering through the order instead thrashes the cache at 2,000 assets). */
static double cluster_variance(const double *ord, size_t n, size_t lo, size_t hi, double *w)
{
  size_t k = hi - lo;
  double total = 0.0;
  for (size_t p = 0; p < k; p++) {
    w[p] = 1.0 / ord[(lo + p) * (n + 1)];
    total += w[p];
  }
  for (size_t p = 0; p < k; p++)
    w[p] /= total;
  double v = 0.0;
  for (size_t q = 0; q < k; q++) {
    const double *row = ord + (lo + q) * n + lo; /* Σ is symmetric: row q is column q */
    double u = 0.0;
    for (size_t p = 0; p < k; p++)
      u += w[p] * row[p];
    v += u * w[q];
  }
  return v;
}

int parity_hrp_from_cov(const struct parity_cov *cov, struct parity_hrp_result *out, struct parity_quant_err *err)
{
  size_t n = cov->n;
  memset(out, 0, sizeof(*out));
  if (n < 2)
    return parity_quant_fail(err, PARITY_EINVAL, "HRP needs at least 2 assets, got %zu", n);
  int rc = PARITY_ENOMEM;
  double *w = malloc(n * sizeof(double)), *ord = NULL;
  size_t *queue = malloc(4 * n * sizeof(size_t)); /* 2n - 1 ranges of two ends */
  out->n = n;
  out->rows_used = cov->rows_used;
  out->weights = malloc(n * sizeof(double));
  out->order = malloc(n * sizeof(size_t));
  out->linkage = malloc((n - 1) * sizeof(struct parity_linkage_step));
  out->splits = malloc((n - 1) * sizeof(struct parity_hrp_split));
  out->variances = malloc(n * sizeof(double));
  if (!w || !queue || !out->weights || !out->order || !out->linkage || !out->splits || !out->variances)
    goto out;
  for (size_t i = 0; i < n; i++) {
    double v = cov->cov[i * (n + 1)];
    if (!(v > 0.0) || !isfinite(v)) {
      rc = parity_quant_fail(err, PARITY_ENUMERIC, "asset %zu has variance %g; HRP needs positive variances", i, v);
      goto out;
    }
    out->variances[i] = v;
    out->weights[i] = 1.0;
  }
  rc = cov->corr ? parity_linkage_single_corr(cov->corr, n, out->linkage, err)
                 : parity_linkage_single_cov(cov->cov, n, out->linkage, err);
  if (rc)
    goto out;
  rc = parity_linkage_leaves(out->linkage, n, out->order);
  if (rc)
    goto out;
  rc = PARITY_ENOMEM;
  ord = parity_quant__big_alloc(n * n * sizeof(double));
  if (!ord)
    goto out;
  for (size_t p = 0; p < n; p++) {
    const double *row = cov->cov + out->order[p] * n;
    for (size_t q = 0; q < n; q++)
      ord[p * n + q] = row[out->order[q]];
  }

  /* Breadth-first over [lo, hi) ranges of the ordered list, as PyPortfolioOpt's list of clusters:
   * every asset's weight is multiplied by its ancestors' factors from the top down. */
  size_t head = 0, tail = 0, nsplit = 0;
  queue[tail++] = 0;
  queue[tail++] = n;
  while (head < tail) {
    size_t lo = queue[head++], hi = queue[head++];
    if (hi - lo < 2)
      continue;
    size_t mid = lo + (hi - lo) / 2;
    double vl = cluster_variance(ord, n, lo, mid, w);
    double vr = cluster_variance(ord, n, mid, hi, w);
    if (!(vl > 0.0) || !(vr > 0.0) || !isfinite(vl + vr)) {
      rc = parity_quant_fail(err, PARITY_ENUMERIC,
                             "a cluster's variance is %g (the assets offset each other exactly); HRP is undefined",
                             vl > 0.0 ? vr : vl);
      goto out;
    }
    double alpha = 1.0 - vl / (vl + vr);
    for (size_t p = lo; p < mid; p++)
      out->weights[out->order[p]] *= alpha;
    for (size_t p = mid; p < hi; p++)
      out->weights[out->order[p]] *= 1.0 - alpha;
    out->splits[nsplit++] = (struct parity_hrp_split){ lo, mid, hi, vl, vr, alpha };
    queue[tail++] = lo;
    queue[tail++] = mid;
    queue[tail++] = mid;
    queue[tail++] = hi;
  }
  for (size_t i = 0; i < n; i++)
    if (!(out->weights[i] > 0.0)) {
      rc = parity_quant_fail(err, PARITY_ENUMERIC, "asset %zu received weight %g", i, out->weights[i]);
      goto out;
    }
  rc = PARITY_OK;
out:
  free(w);
  free(ord);
  free(queue);
  if (rc) {
    if (rc == PARITY_ENOMEM)
      parity_quant_fail(err, rc, "out of memory for HRP of %zu assets", n);
    parity_hrp_result_free(out);
  }
  return rc;
}

int parity_hrp_run(const double *returns, size_t t, size_t n, const struct parity_cov_opts *opts,
                   struct parity_hrp_result *out, struct parity_quant_err *err)
{
  memset(out, 0, sizeof(*out));
  if (n < 2)
    return parity_quant_fail(err, PARITY_EINVAL, "HRP needs at least 2 assets, got %zu", n);
  struct parity_cov_opts o = {
    .missing = PARITY_COV_LISTWISE, .threads = 0, .kernel = PARITY_COV_KERNEL_AUTO, .names = NULL, .cov_only = 0
  };
  if (opts)
    o = *opts;
  o.cov_only = o.missing == PARITY_COV_LISTWISE; /* correlations come from cov inside the linkage */
  struct parity_cov cov;
  int rc = parity_cov_compute(returns, t, n, &o, &cov, err);
  if (rc)
    return rc;
  rc = parity_hrp_from_cov(&cov, out, err);
  parity_cov_free(&cov);
  return rc;
}

void parity_hrp_result_free(struct parity_hrp_result *res)
{
  free(res->weights);
  free(res->order);
  free(res->linkage);
  free(res->splits);
  free(res->variances);
  memset(res, 0, sizeof(*res));
}
