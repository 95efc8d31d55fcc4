/* SciPy-exact single linkage: Prim from node 0, stable sort by height, union-find labels. */
#include "decisional/quant/linkage.h"

#include <stdlib.h>
#include <string.h>

/* Distances come from a matrix, from correlations or from a covariance; one Prim loop serves all. */
enum dist_kind {
  FROM_DIST,
  FROM_CORR,
  FROM_COV,
};

struct dist_src {
  const double *m;
  enum dist_kind kind;
  const double *sd; /* FROM_COV: square roots of the diagonal */
};

/* Stable merge sort of idx[0..n) by key[idx], using tmp (n entries). */
static void stable_sort_by(size_t *idx, size_t *tmp, size_t n, const struct parity_linkage_step *key)
{
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        tmp[k++] = key[idx[j]].height < key[idx[i]].height ? idx[j++] : idx[i++];
      while (i < mid)
        tmp[k++] = idx[i++];
      while (j < hi)
        tmp[k++] = idx[j++];
    }
    memcpy(idx, tmp, n * sizeof(size_t));
  }
}

static size_t uf_find(size_t *parent, size_t x)
{
  size_t root = x;
  while (parent[root] != root)
    root = parent[root];
  while (parent[x] != root) { /* path compression, as SciPy's LinkageUnionFind */
    size_t next = parent[x];
    parent[x] = root;
    x = next;
  }
  return root;
}

/* Row x of the distances, for every column (the caller skips the merged ones). Written as a plain loop
 * over contiguous memory so it vectorizes; division, sqrt and the clamps are exact IEEE operations,
 * so the values are bit-identical to the scalar formulas. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void dist_row(const struct dist_src *s, size_t n,
                                                                                  size_t x, double *restrict out)
{
  const double *restrict row = s->m + x * n;
  if (s->kind == FROM_DIST) {
    memcpy(out, row, n * sizeof(double));
    return;
  }
  const double *restrict sd = s->sd;
  const double sdx = s->kind == FROM_COV ? sd[x] : 0.0;
  for (size_t i = 0; i < n; i++) {
    double v = row[i];
    if (s->kind == FROM_COV) {
      v = v / (sdx * sd[i]);
      v = v > 1.0 ? 1.0 : v;
      v = v < -1.0 ? -1.0 : v;
    }
    out[i] = sqrt(0.5 * (1.0 - v));
  }
}

static int single_linkage(const struct dist_src *src, size_t n, struct parity_linkage_step *z,
                          struct parity_quant_err *err)
{
  if (n < 2)
    return parity_quant_fail(err, PARITY_EINVAL, "clustering needs at least 2 items, got %zu", n);
  int rc = PARITY_ENOMEM;
  double *best = malloc(n * sizeof(double)), *row = malloc(n * sizeof(double));
  size_t *rest = malloc(n * sizeof(size_t));
  size_t *idx = malloc(n * sizeof(size_t)), *tmp = malloc(n * sizeof(size_t));
  size_t *parent = malloc((2 * n - 1) * sizeof(size_t)), *size = malloc((2 * n - 1) * sizeof(size_t));
  struct parity_linkage_step *raw = malloc((n - 1) * sizeof(*raw));
  if (!best || !row || !rest || !idx || !tmp || !parent || !size || !raw)
    goto out;

  /* Prim's algorithm. `rest` lists the unmerged nodes in increasing order, so the strict `<` below
   * keeps the lowest index among equally close nodes, as SciPy's loop over i = 0..n-1 does. */
  size_t nrest = 0;
  for (size_t i = 1; i < n; i++) {
    rest[nrest++] = i;
    best[i] = INFINITY;
  }
  size_t x = 0;
  for (size_t k = 0; k < n - 1; k++) {
    double cur = INFINITY;
    size_t y = 0, ypos = 0;
    dist_row(src, n, x, row);
    for (size_t p = 0; p < nrest; p++) {
      size_t i = rest[p];
      double d = row[i];
      if (!(d >= 0.0) || d == INFINITY) {
        rc = parity_quant_fail(err, PARITY_EINVAL, "distance (%zu, %zu) is %g; distances must be finite and >= 0", x, i,
                               d);
        goto out;
      }
      if (best[i] > d)
        best[i] = d;
      if (best[i] < cur) {
        cur = best[i];
        y = i;
        ypos = p;
      }
    }
    raw[k] = (struct parity_linkage_step){ x, y, cur, 0 };
    memmove(rest + ypos, rest + ypos + 1, (nrest - ypos - 1) * sizeof(size_t));
    nrest--;
    x = y;
  }

  for (size_t k = 0; k < n - 1; k++)
    idx[k] = k;
  stable_sort_by(idx, tmp, n - 1, raw);

  for (size_t i = 0; i < 2 * n - 1; i++) {
    parent[i] = i;
    size[i] = 1;
  }
  for (size_t k = 0; k < n - 1; k++) {
    const struct parity_linkage_step *r = &raw[idx[k]];
    size_t ra = uf_find(parent, r->a), rb = uf_find(parent, r->b);
    size_t label = n + k;
    parent[ra] = parent[rb] = label;
    size[label] = size[ra] + size[rb];
    z[k] = (struct parity_linkage_step){ ra < rb ? ra : rb, ra < rb ? rb : ra, r->height, size[label] };
  }
  rc = PARITY_OK;
out:
  if (rc == PARITY_ENOMEM)
    parity_quant_fail(err, rc, "out of memory clustering %zu items", n);
  free(best);
  free(row);
  free(rest);
  free(idx);
  free(tmp);
  free(parent);
  free(size);
  free(raw);
  return rc;
}

int parity_linkage_single(const double *d, size_t n, struct parity_linkage_step *z, struct parity_quant_err *err)
{
  struct dist_src src = { d, FROM_DIST, NULL };
  return single_linkage(&src, n, z, err);
}

int parity_linkage_single_corr(const double *corr, size_t n, struct parity_linkage_step *z,
                               struct parity_quant_err *err)
{
  struct dist_src src = { corr, FROM_CORR, NULL };
  return single_linkage(&src, n, z, err);
}

int parity_linkage_single_cov(const double *cov, size_t n, struct parity_linkage_step *z, struct parity_quant_err *err)
{
  double *sd = malloc((n ? n : 1) * sizeof(double));
  if (!sd)
    return parity_quant_fail(err, PARITY_ENOMEM, "out of memory clustering %zu items", n);
  for (size_t i = 0; i < n; i++)
    sd[i] = sqrt(cov[i * n + i]);
  struct dist_src src = { cov, FROM_COV, sd };
  int rc = single_linkage(&src, n, z, err);
  free(sd);
  return rc;
}

int parity_linkage_leaves(const struct parity_linkage_step *z, size_t n, size_t *order)
{
  if (n < 1)
    return PARITY_EINVAL;
  if (n == 1) {
    order[0] = 0;
    return PARITY_OK;
  }
  /* Depth-first from the root with an explicit stack (the tree can be a chain n deep). */
  size_t *stack = malloc(n * sizeof(size_t));
  if (!stack)
    return PARITY_ENOMEM;
  size_t top = 0, out = 0;
  stack[top++] = 2 * n - 2;
  while (top > 0) {
    size_t node = stack[--top];
    if (node < n) {
      order[out++] = node;
      continue;
    }
    const struct parity_linkage_step *s = &z[node - n];
    stack[top++] = s->b; /* right pushed first so the left child comes out first */
    stack[top++] = s->a;
  }
  free(stack);
  return out == n ? PARITY_OK : PARITY_EINVAL;
}
