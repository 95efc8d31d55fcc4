/* Bucket blend of the equity and bond HRP portfolios, with the minimum-weight cut (see blend.h). */
#include "decisional/quant/blend.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "decisional/quant/weights.h"

#define CLASS_SUM_TOLERANCE 1e-9

static const double risk_base[PARITY_BLEND_RISKS] = { 0.20, 0.40, 0.60, 0.80, 0.90 };
static const double horizon_mult[PARITY_BLEND_HORIZONS] = { 0.7, 1.0, 1.1 };
static const char *const horizon_names[PARITY_BLEND_HORIZONS] = { "short", "medium", "long" };

static int valid_bucket(int risk, enum parity_horizon h)
{
  return risk >= 1 && risk <= PARITY_BLEND_RISKS && (int)h >= 0 && (int)h < PARITY_BLEND_HORIZONS;
}

const char *parity_horizon_name(enum parity_horizon h)
{
  return (int)h >= 0 && (int)h < PARITY_BLEND_HORIZONS ? horizon_names[h] : NULL;
}

double parity_blend_equity_share(int risk, enum parity_horizon h)
{
  if (!valid_bucket(risk, h))
    return NAN;
  double share = risk_base[risk - 1] * horizon_mult[h];
  return share < PARITY_BLEND_MAX_EQUITY_SHARE ? share : PARITY_BLEND_MAX_EQUITY_SHARE;
}

int parity_blend_bucket_key(int risk, enum parity_horizon h, char *buf)
{
  if (!valid_bucket(risk, h))
    return PARITY_EINVAL;
  snprintf(buf, PARITY_BLEND_KEY_MAX, "risk_%d_horizon_%s", risk, horizon_names[h]);
  return PARITY_OK;
}

static int check_class(const double *w, size_t n, const char *what, struct parity_quant_err *err)
{
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(w[i]) || w[i] < 0.0)
      return parity_quant_fail(err, PARITY_EINVAL, "%s weight %zu is %g", what, i, w[i]);
    sum += w[i];
  }
  if (n == 0 || fabs(sum - 1.0) > CLASS_SUM_TOLERANCE)
    return parity_quant_fail(err, PARITY_EINVAL, "the %s weights sum to %.17g, not 1", what, sum);
  return PARITY_OK;
}

int parity_blend_exact(const double *eq, size_t neq, const double *bond, size_t nbond, double equity_share,
                       double min_weight, double *w, struct parity_quant_err *err)
{
  int rc = check_class(eq, neq, "equity", err);
  if (rc)
    return rc;
  rc = check_class(bond, nbond, "bond", err);
  if (rc)
    return rc;
  if (!(equity_share >= 0.0 && equity_share <= 1.0))
    return parity_quant_fail(err, PARITY_EINVAL, "equity share %g is outside [0, 1]", equity_share);
  if (!(min_weight >= 0.0 && min_weight < 1.0))
    return parity_quant_fail(err, PARITY_EINVAL, "minimum weight %g is outside [0, 1)", min_weight);
  size_t n = neq + nbond;
  double kept = 0.0;
  for (size_t i = 0; i < n; i++) {
    double raw = i < neq ? equity_share * eq[i] : (1.0 - equity_share) * bond[i - neq];
    w[i] = raw >= min_weight ? raw : 0.0;
    kept += w[i];
  }
  if (!(kept > 0.0))
    return parity_quant_fail(err, PARITY_ENUMERIC, "every weight is below the minimum of %g", min_weight);
  for (size_t i = 0; i < n; i++)
    w[i] /= kept; /* pro rata: each survivor gains the cut total in proportion to its own weight */
  return PARITY_OK;
}

int parity_blend(const double *eq, size_t neq, const double *bond, size_t nbond, double equity_share, double min_weight,
                 int64_t *micros, struct parity_quant_err *err)
{
  size_t n = neq + nbond;
  double *w = malloc((n ? n : 1) * sizeof(double));
  if (!w)
    return parity_quant_fail(err, PARITY_ENOMEM, "out of memory");
  int rc = parity_blend_exact(eq, neq, bond, nbond, equity_share, min_weight, w, err);
  if (!rc && parity_weights_round_micros(w, n, micros) != 0)
    rc = parity_quant_fail(err, PARITY_EINVAL, "the blended weights could not be rounded");
  free(w);
  return rc;
}
