/*
 * The blend of SPEC §8: each of the 15 buckets (risk 1..5 x horizon short/medium/long) holds the
 * equity HRP portfolio scaled by the bucket's equity share and the bond HRP portfolio scaled by the
 * rest; weights below the minimum are removed and their total is given back pro rata to the others
 * (one pass suffices: scaling up never pushes a kept weight below the cut); the result is rounded to
 * micro-units that sum to exactly one (weights.h).
 * equity share = min(base[risk] * mult[horizon], 0.95), base = {0.20, 0.40, 0.60, 0.80, 0.90},
 * mult = {short 0.7, medium 1.0, long 1.1}.
 */
#ifndef PARITY_QUANT_BLEND_H
#define PARITY_QUANT_BLEND_H

#include <stddef.h>
#include <stdint.h>

#include "decisional/quant/quant_err.h"

#define PARITY_BLEND_RISKS 5
#define PARITY_BLEND_HORIZONS 3
#define PARITY_BLEND_BUCKETS (PARITY_BLEND_RISKS * PARITY_BLEND_HORIZONS)
#define PARITY_BLEND_MAX_EQUITY_SHARE 0.95
#define PARITY_BLEND_KEY_MAX 32 /* "risk_5_horizon_medium" and its NUL fit */

enum parity_horizon {
  PARITY_HORIZON_SHORT = 0,
  PARITY_HORIZON_MEDIUM = 1,
  PARITY_HORIZON_LONG = 2,
};

/* "short", "medium", "long"; NULL for an invalid horizon. */
const char *parity_horizon_name(enum parity_horizon h);

/* Equity share of a bucket; risk in 1..5. NAN for an invalid bucket. */
double parity_blend_equity_share(int risk, enum parity_horizon h);

/* Writes "risk_R_horizon_H" into buf (PARITY_BLEND_KEY_MAX bytes); PARITY_EINVAL for an invalid bucket. */
int parity_blend_bucket_key(int risk, enum parity_horizon h, char *buf);

/*
 * One bucket at full precision: the blended weights after the cut and the pro-rata give-back, equities
 * then bonds, into w[0..neq+nbond) (a removed weight is 0; the rest sum to 1 within rounding). This is
 * what parity_blend rounds, and what the walk-forward backtest trades. Errors as parity_blend's.
 */
int parity_blend_exact(const double *eq, size_t neq, const double *bond, size_t nbond, double equity_share,
                       double min_weight, double *w, struct parity_quant_err *err);

/*
 * One bucket: eq[0..neq) and bond[0..nbond) are each class's weights (each summing to 1),
 * equity_share in [0, 1]. Writes micro-weights for the equities then the bonds into
 * micros[0..neq+nbond); a removed weight is 0. PARITY_EINVAL for bad inputs, PARITY_ENUMERIC
 * when every weight falls under min_weight.
 */
int parity_blend(const double *eq, size_t neq, const double *bond, size_t nbond, double equity_share, double min_weight,
                 int64_t *micros, struct parity_quant_err *err);

#endif
