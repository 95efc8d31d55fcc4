/* GBM Monte Carlo with exact streaming percentiles, run on a few threads without changing the result. */
#include "decisional/quant/mc.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "decisional/quant/rng.h"
#include "decisional/quant/select.h"

#define MONTHS_PER_YEAR 12
#define BARRIER_SPINS 20000 /* busy polls before yielding: a month's work takes tens of microseconds */
#define QUANTILE_MAX_ITER 8

static const double default_levels[] = { 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95 };

size_t parity_mc_default_levels(double out[PARITY_MC_MAX_PCT])
{
  size_t n = sizeof(default_levels) / sizeof(default_levels[0]);
  memcpy(out, default_levels, sizeof(default_levels));
  return n;
}

static double normal_cdf(double x)
{
  return 0.5 * erfc(-x * M_SQRT1_2);
}

double parity_mc_normal_quantile(double p)
{
  if (!(p > 0.0 && p < 1.0))
    return NAN;
  if (p > 0.5)
    return -parity_mc_normal_quantile(1.0 - p); /* 1 - p is exact here (Sterbenz) */
  if (p == 0.5)
    return 0.0;
  /* Abramowitz and Stegun 26.2.23 (|error| < 4.5e-4) as the start, then Halley's method on the exact
   * CDF (erfc is accurate to an ulp or two), which triples the correct digits at each step. */
  double t = sqrt(-2.0 * log(p));
  double x = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) / (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308))));
  for (int i = 0; i < QUANTILE_MAX_ITER; i++) {
    double pdf = exp(-0.5 * x * x) / sqrt(2.0 * M_PI);
    double e = (normal_cdf(x) - p) / pdf;
    double step = e / (1.0 + 0.5 * x * e);
    x -= step;
    if (fabs(step) <= 1e-16 * (1.0 + fabs(x)))
      break;
  }
  return x;
}

/* A sense-counting barrier that spins briefly: the waits are short and frequent (one per month). */
struct spin_barrier {
  atomic_uint arrived;
  atomic_uint generation;
  unsigned parties;
};

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

static void barrier_wait(struct spin_barrier *b)
{
  unsigned gen = atomic_load_explicit(&b->generation, memory_order_acquire);
  if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) + 1 == b->parties) {
    atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
    atomic_fetch_add_explicit(&b->generation, 1, memory_order_release);
    return;
  }
  unsigned spins = 0;
  while (atomic_load_explicit(&b->generation, memory_order_acquire) == gen) {
    if (++spins < BARRIER_SPINS)
      cpu_relax();
    else
      sched_yield();
  }
}

/* Shared state of one run. Month m's keys and lane sums live in buffer m & 1, so lanes of month m + 1
 * can be simulated while thread 0 still selects month m's percentiles. */
struct mc_run {
  const struct parity_mc_params *p;
  struct parity_mc_result *res;
  struct parity_ziggurat zig;
  double drift, vol, contribution, goal;
  size_t nlanes;
  double *v;
  uint64_t *keys[2];
  double *lane_sum[2];
  size_t *lane_goal;
  struct parity_rng *rng;
  atomic_size_t *claim; /* [month]: next unclaimed lane */
  struct parity_select_ws ws;
  struct spin_barrier barrier;
  atomic_int start; /* helpers wait for it, so the barrier's party count is final before any work */
  unsigned nthreads;
  int rc;
};

/*
 * exp for the growth factors, written so the compiler can vectorize it: Cody-Waite reduction
 * x = k ln2 + r with |r| <= ln2/2 (fdlibm's split of ln2, so k*LN2_HI is exact), the Taylor series of
 * e^r to degree 13 (truncation below 5e-18 relative), then scaling by 2^k through the exponent bits,
 * taken straight from the rounding shifter's mantissa so no float-to-integer conversion is needed.
 * About 1 ulp, branch-free, and, because it uses plain IEEE adds and multiplies (ISO C mode does not
 * contract them into FMAs), bit-identical on every x86-64 whatever vector width runs it.
 * Domain |x| <= 700 (no clamp, so the loop stays branch-free). The forecast's arguments are far
 * inside: |(mu - s^2/2)/12| < 0.6, s/sqrt(12) < 0.9, and the ziggurat never returns |Z| > 14 (its
 * largest value is r - ln(2^-53)/r with 53-bit uniforms).
 */
#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10
#define ROUND_SHIFTER 0x1.8p52 /* adding it rounds to an integer held in the low mantissa bits */
#define ROUND_SHIFTER_BITS 0x4338000000000000ull
#define EXP_BIAS 1023ull

static inline double gbm_exp(double x)
{
  double t = x * M_LOG2E + ROUND_SHIFTER;
  double kd = t - ROUND_SHIFTER;
  double r = (x - kd * LN2_HI) - kd * LN2_LO;
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  uint64_t tbits;
  memcpy(&tbits, &t, sizeof(tbits));
  uint64_t sbits = (tbits + (EXP_BIAS - ROUND_SHIFTER_BITS)) << 52;
  double scale;
  memcpy(&scale, &sbits, sizeof(scale));
  return p * scale;
}

double parity_mc__exp(double x)
{
  return gbm_exp(x);
}

/* Order key of a double (select.h's map) without the branch, so it vectorizes. */
static inline uint64_t order_key(double x)
{
  uint64_t u;
  memcpy(&u, &x, sizeof(u));
  return u ^ ((0 - (u >> 63)) | 0x8000000000000000ull);
}

#define SUM_WAYS 8       /* partial sums kept in a fixed pattern, so the total is the same on every CPU */
#define NORMAL_BLOCK 256 /* normals drawn per block (scalar, branchy) before the vector update */

/* One block of the month update: v <- v e^(drift + vol z) + c and the order keys. Cloned for wider
 * vectors; the ISA only changes the speed, never the result. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void grow_block(double *restrict v,
                                                                                    uint64_t *restrict keys,
                                                                                    const double *restrict z, size_t n,
                                                                                    double drift, double vol, double c)
{
  for (size_t i = 0; i < n; i++) {
    double x = v[i] * gbm_exp(drift + vol * z[i]) + c;
    v[i] = x;
    keys[i] = order_key(x);
  }
}

/* Sum in SUM_WAYS interleaved partial sums (n a multiple of SUM_WAYS). */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void sum_block(const double *restrict v, size_t n,
                                                                                   double *restrict acc)
{
  for (size_t i = 0; i < n; i += SUM_WAYS)
    for (size_t j = 0; j < SUM_WAYS; j++)
      acc[j] += v[i + j];
}

static void simulate_lane(struct mc_run *run, size_t lane, int month)
{
  size_t lo = lane * PARITY_MC_LANE_PATHS;
  size_t hi = lo + PARITY_MC_LANE_PATHS < run->p->paths ? lo + PARITY_MC_LANE_PATHS : run->p->paths;
  struct parity_rng rng = run->rng[lane];
  const struct parity_ziggurat *zig = &run->zig;
  double *v = run->v;
  uint64_t *keys = run->keys[month & 1];
  double z[NORMAL_BLOCK];
  double acc[SUM_WAYS] = { 0 };
  for (size_t i = lo; i < hi; i += NORMAL_BLOCK) {
    size_t n = hi - i < NORMAL_BLOCK ? hi - i : NORMAL_BLOCK;
    for (size_t j = 0; j < n; j++)
      z[j] = parity_rng_normal(&rng, zig);
    grow_block(v + i, keys + i, z, n, run->drift, run->vol, run->contribution);
  }
  size_t whole = (hi - lo) - (hi - lo) % SUM_WAYS;
  sum_block(v + lo, whole, acc);
  for (size_t j = whole; j < hi - lo; j++)
    acc[j - whole] += v[lo + j];
  double sum = 0.0;
  for (size_t j = 0; j < SUM_WAYS; j++)
    sum += acc[j];
  run->rng[lane] = rng;
  run->lane_sum[month & 1][lane] = sum;
  if (month == run->p->months && run->p->has_goal) {
    size_t hits = 0;
    for (size_t i = lo; i < hi; i++)
      hits += v[i] >= run->goal;
    run->lane_goal[lane] = hits;
  }
}

/* Percentiles and mean of a finished month; only thread 0 runs this. */
static void finish_month(struct mc_run *run, int month)
{
  struct parity_mc_result *res = run->res;
  double sum = 0.0;
  for (size_t l = 0; l < run->nlanes; l++)
    sum += run->lane_sum[month & 1][l]; /* lane order: the same total whatever the thread count */
  res->mean[month] = sum / (double)run->p->paths;
  int rc = parity_percentiles_from_keys(&run->ws, run->keys[month & 1], run->p->paths, res->levels, res->nlevels,
                                        res->pct + (size_t)month * res->nlevels);
  if (rc && !run->rc)
    run->rc = rc;
}

struct mc_worker {
  struct mc_run *run;
  unsigned id;
};

static void *worker_main(void *arg)
{
  struct mc_worker *w = arg;
  struct mc_run *run = w->run;
  while (!atomic_load_explicit(&run->start, memory_order_acquire))
    sched_yield();
  for (int m = 1; m <= run->p->months; m++) {
    size_t lane;
    while ((lane = atomic_fetch_add_explicit(&run->claim[m], 1, memory_order_relaxed)) < run->nlanes)
      simulate_lane(run, lane, m);
    barrier_wait(&run->barrier);
    if (w->id == 0)
      finish_month(run, m);
  }
  return NULL;
}

static int check_params(const struct parity_mc_params *p, struct parity_quant_err *err)
{
  if (!isfinite(p->mu) || fabs(p->mu) > PARITY_MC_MAX_ABS_MU)
    return parity_quant_fail(err, PARITY_EINVAL, "mu must be a finite annual rate within +/-%g", PARITY_MC_MAX_ABS_MU);
  if (!isfinite(p->sigma) || p->sigma < 0.0 || p->sigma > PARITY_MC_MAX_SIGMA)
    return parity_quant_fail(err, PARITY_EINVAL, "sigma must be in [0, %g]", PARITY_MC_MAX_SIGMA);
  if (p->months < 1 || p->months > PARITY_MC_MAX_MONTHS)
    return parity_quant_fail(err, PARITY_EINVAL, "months must be in [1, %d]", PARITY_MC_MAX_MONTHS);
  if (p->paths < 1 || p->paths > PARITY_MC_MAX_PATHS)
    return parity_quant_fail(err, PARITY_EINVAL, "paths must be in [1, %d]", PARITY_MC_MAX_PATHS);
  if (p->initial_cents < 0 || p->initial_cents > PARITY_MC_MAX_CENTS)
    return parity_quant_fail(err, PARITY_EINVAL, "initial_cents must be in [0, %lld]", PARITY_MC_MAX_CENTS);
  if (p->monthly_cents < 0 || p->monthly_cents > PARITY_MC_MAX_CENTS)
    return parity_quant_fail(err, PARITY_EINVAL, "monthly_cents must be in [0, %lld]", PARITY_MC_MAX_CENTS);
  if (p->has_goal && (p->goal_cents <= 0 || p->goal_cents > PARITY_MC_MAX_CENTS))
    return parity_quant_fail(err, PARITY_EINVAL, "goal_cents must be in [1, %lld]", PARITY_MC_MAX_CENTS);
  if (p->threads > PARITY_MC_MAX_THREADS)
    return parity_quant_fail(err, PARITY_EINVAL, "at most %d threads", PARITY_MC_MAX_THREADS);
  if (p->levels) {
    if (p->nlevels < 1 || p->nlevels > PARITY_MC_MAX_PCT)
      return parity_quant_fail(err, PARITY_EINVAL, "between 1 and %d percentile levels", PARITY_MC_MAX_PCT);
    for (size_t k = 0; k < p->nlevels; k++)
      if (!(p->levels[k] > 0.0 && p->levels[k] < 1.0) || (k > 0 && !(p->levels[k] > p->levels[k - 1])))
        return parity_quant_fail(err, PARITY_EINVAL, "percentile levels must be increasing and inside (0, 1)");
  }
  return PARITY_OK;
}

static int alloc_result(struct parity_mc_result *res, const struct parity_mc_params *p)
{
  size_t rows = (size_t)p->months + 1;
  res->pct = calloc(rows * res->nlevels, sizeof(double));
  res->closed = calloc(rows * res->nlevels, sizeof(double));
  res->mean = calloc(rows, sizeof(double));
  return res->pct && res->closed && res->mean ? PARITY_OK : PARITY_ENOMEM;
}

static void fill_closed_form(struct parity_mc_result *res, const struct parity_mc_params *p, double v0)
{
  double z[PARITY_MC_MAX_PCT];
  for (size_t k = 0; k < res->nlevels; k++)
    z[k] = parity_mc_normal_quantile(res->levels[k]);
  for (int m = 0; m <= p->months; m++) {
    double t = (double)m / MONTHS_PER_YEAR;
    for (size_t k = 0; k < res->nlevels; k++)
      res->closed[(size_t)m * res->nlevels + k] =
          v0 * exp((p->mu - 0.5 * p->sigma * p->sigma) * t + z[k] * p->sigma * sqrt(t));
  }
}

int parity_mc_run(const struct parity_mc_params *params, struct parity_mc_result *out, struct parity_quant_err *err)
{
  struct mc_run run;
  memset(&run, 0, sizeof(run));
  memset(out, 0, sizeof(*out));
  int rc = check_params(params, err);
  if (rc)
    return rc;
  const struct parity_mc_params *p = params;
  out->months = p->months;
  out->paths = p->paths;
  out->mu = p->mu;
  out->sigma = p->sigma;
  out->goal_probability = -1.0;
  if (p->levels) {
    out->nlevels = p->nlevels;
    memcpy(out->levels, p->levels, p->nlevels * sizeof(double));
  } else {
    out->nlevels = parity_mc_default_levels(out->levels);
  }
  rc = alloc_result(out, p);
  if (rc)
    goto out;

  const double dt = 1.0 / MONTHS_PER_YEAR;
  const double v0 = (double)p->initial_cents;
  run.p = p;
  run.res = out;
  run.drift = (p->mu - 0.5 * p->sigma * p->sigma) * dt;
  run.vol = p->sigma * sqrt(dt);
  run.contribution = (double)p->monthly_cents;
  run.goal = (double)p->goal_cents;
  run.nlanes = (p->paths + PARITY_MC_LANE_PATHS - 1) / PARITY_MC_LANE_PATHS;
  parity_ziggurat_init(&run.zig);

  rc = PARITY_ENOMEM;
  run.v = malloc(p->paths * sizeof(double));
  run.keys[0] = malloc(p->paths * sizeof(uint64_t));
  run.keys[1] = malloc(p->paths * sizeof(uint64_t));
  run.lane_sum[0] = calloc(run.nlanes, sizeof(double));
  run.lane_sum[1] = calloc(run.nlanes, sizeof(double));
  run.lane_goal = calloc(run.nlanes, sizeof(size_t));
  run.rng = malloc(run.nlanes * sizeof(struct parity_rng));
  run.claim = calloc((size_t)p->months + 1, sizeof(atomic_size_t));
  if (!run.v || !run.keys[0] || !run.keys[1] || !run.lane_sum[0] || !run.lane_sum[1] || !run.lane_goal || !run.rng ||
      !run.claim)
    goto out;
  rc = parity_select_ws_init(&run.ws, p->paths);
  if (rc)
    goto out;

  for (size_t i = 0; i < p->paths; i++)
    run.v[i] = v0;
  parity_rng_seed(&run.rng[0], p->seed);
  for (size_t l = 1; l < run.nlanes; l++) {
    run.rng[l] = run.rng[l - 1];
    parity_rng_jump(&run.rng[l]);
  }
  for (size_t k = 0; k < out->nlevels; k++)
    out->pct[k] = v0;
  out->mean[0] = v0;
  fill_closed_form(out, p, v0);

  unsigned nthreads = p->threads ? p->threads : PARITY_MC_DEFAULT_THREADS;
  if (nthreads > run.nlanes)
    nthreads = (unsigned)run.nlanes;
  run.nthreads = nthreads;
  run.barrier.parties = nthreads;
  struct mc_worker workers[PARITY_MC_MAX_THREADS];
  pthread_t tids[PARITY_MC_MAX_THREADS];
  unsigned started = 1;
  for (unsigned t = 0; t < PARITY_MC_MAX_THREADS; t++)
    workers[t] = (struct mc_worker){ &run, t };
  for (unsigned t = 1; t < nthreads; t++) {
    if (pthread_create(&tids[t], NULL, worker_main, &workers[t]) != 0)
      break;
    started++;
  }
  /* When the system refuses a thread, the ones that did start share the lanes; the result is the same. */
  run.barrier.parties = started;
  run.nthreads = started;
  atomic_store_explicit(&run.start, 1, memory_order_release);
  worker_main(&workers[0]);
  for (unsigned t = 1; t < started; t++)
    pthread_join(tids[t], NULL);
  rc = run.rc;
  if (rc)
    goto out;

  if (p->has_goal) {
    size_t hits = 0;
    for (size_t l = 0; l < run.nlanes; l++)
      hits += run.lane_goal[l];
    out->goal_probability = (double)hits / (double)p->paths;
  }
  for (size_t i = 0; i < ((size_t)p->months + 1) * out->nlevels; i++)
    if (!isfinite(out->pct[i])) {
      rc = parity_quant_fail(err, PARITY_ENUMERIC, "the forecast overflowed: lower mu, sigma or months");
      goto out;
    }
  rc = PARITY_OK;
out:
  parity_select_ws_close(&run.ws);
  free(run.v);
  free(run.keys[0]);
  free(run.keys[1]);
  free(run.lane_sum[0]);
  free(run.lane_sum[1]);
  free(run.lane_goal);
  free(run.rng);
  free(run.claim);
  if (rc) {
    if (rc == PARITY_ENOMEM)
      parity_quant_fail(err, rc, "out of memory for %zu paths", p->paths);
    parity_mc_result_free(out);
  }
  return rc;
}

void parity_mc_result_free(struct parity_mc_result *res)
{
  free(res->pct);
  free(res->closed);
  free(res->mean);
  res->pct = res->closed = res->mean = NULL;
}
