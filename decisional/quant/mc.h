/*
 * Monte Carlo forecast of a portfolio value under geometric Brownian motion, with monthly contributions.
 *
 * Model (SPEC §8): V <- V * exp((mu - sigma^2/2) dt + sigma sqrt(dt) Z) + c at each month end, dt = 1/12,
 * which is exact for GBM sampled monthly. Paths are split into lanes of PARITY_MC_LANE_PATHS; lane k
 * draws from the seed's stream jumped k times (rng.h), so the numbers do not depend on how many
 * threads run the lanes, and the same parameters always give byte-identical results.
 * Memory is O(paths): the simulation keeps one month of values and computes that month's exact
 * type-7 percentiles (select.h) before moving on; nothing of size paths x months is ever held.
 */
#ifndef PARITY_QUANT_MC_H
#define PARITY_QUANT_MC_H

#include <stddef.h>
#include <stdint.h>

#include "decisional/quant/quant_err.h"

#define PARITY_MC_LANE_PATHS 1024   /* paths per random stream */
#define PARITY_MC_MAX_PATHS 1000000 /* input limit */
#define PARITY_MC_MAX_MONTHS 1200   /* 100 years */
#define PARITY_MC_MAX_PCT 16        /* percentile levels per request */
#define PARITY_MC_MAX_THREADS 16
#define PARITY_MC_DEFAULT_THREADS 2
/* 10^15 cents: every amount in a request. A guard of this pure module, not a policy: sums of amounts this
 * size stay exact in a double (< 2^53). Requests are bounded lower, by common/limits.h's
 * PARITY_MAX_VALUE_CENTS; decisional/h_forecast.c asserts at compile time that it fits within this. */
#define PARITY_MC_MAX_CENTS 1000000000000000LL
#define PARITY_MC_MAX_ABS_MU 2.0 /* |annual drift| accepted */
#define PARITY_MC_MAX_SIGMA 3.0  /* annual volatility accepted */

struct parity_mc_params {
  double mu;             /* annual arithmetic expected return (GBM's mu) */
  double sigma;          /* annual volatility, >= 0 */
  int64_t initial_cents; /* V0 >= 0 */
  int64_t monthly_cents; /* contribution added at each month end, >= 0 */
  int months;            /* horizon, 1..PARITY_MC_MAX_MONTHS */
  size_t paths;          /* 1..PARITY_MC_MAX_PATHS */
  uint64_t seed;
  const double *levels; /* percentile levels in (0, 1), strictly increasing; NULL = the 7 defaults */
  size_t nlevels;
  int has_goal;
  int64_t goal_cents; /* probability of V at the horizon >= goal, when has_goal */
  unsigned threads;   /* 0 = PARITY_MC_DEFAULT_THREADS; never changes the result */
};

/* Owned by the caller; release with parity_mc_result_free. Arrays are indexed [month * nlevels + k]
 * for month 0 (the initial value) .. months. Values are in cents (not rounded). */
struct parity_mc_result {
  int months;
  size_t paths, nlevels;
  double levels[PARITY_MC_MAX_PCT];
  double *pct;    /* simulated percentiles */
  double *closed; /* closed-form lognormal quantiles ignoring contributions: V0 exp((mu - s^2/2)t + z_p s sqrt t) */
  double *mean;   /* sample mean per month, [month] */
  double goal_probability; /* fraction of paths with V at the horizon >= goal; -1 when no goal */
  double mu, sigma;
};

/* The default levels: P5 P10 P25 P50 P75 P90 P95. Writes 7 values into out and returns 7. */
size_t parity_mc_default_levels(double out[PARITY_MC_MAX_PCT]);

/* The standard normal quantile (inverse CDF), to full double precision, for p in (0, 1). */
double parity_mc_normal_quantile(double p);

/* The vectorizable exp the simulation uses, for |x| <= 700 (exposed for its accuracy test). */
double parity_mc__exp(double x);

int parity_mc_run(const struct parity_mc_params *params, struct parity_mc_result *out, struct parity_quant_err *err);
void parity_mc_result_free(struct parity_mc_result *res);

#endif
