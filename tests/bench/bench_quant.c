/* Benchmark driver of the quant engine (figures, never assertions): HRP on a float64 matrix, the GBM
 * forecast, and model generation from the bundled prices. One JSON line per run; tests/bench/run.sh
 * runs it beside the numpy/SciPy reference and prints the ratios. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "common/json.h"
#include "decisional/analytics_json.h"
#include "decisional/backtest.h"
#include "decisional/market_csv.h"
#include "decisional/models.h"
#include "decisional/quant/hrp.h"
#include "decisional/quant/mc.h"

#define MAX_REPEAT 100

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *arg(int argc, char **argv, const char *name, const char *def)
{
  for (int i = 2; i + 1 < argc; i++)
    if (strcmp(argv[i], name) == 0)
      return argv[i + 1];
  return def;
}

static int usage(void)
{
  fprintf(stderr, "usage: bench_quant hrp --data FILE --n N --t T [--repeat R] [--threads K]\n"
                  "       bench_quant forecast [--paths P] [--months M] [--repeat R] [--threads K]\n"
                  "       bench_quant models --csv FILE --as-of YYYY-MM-DD [--repeat R]\n"
                  "       bench_quant backtest --csv FILE [--repeat R]\n");
  return 2;
}

/* The file holds t rows of n float64 (row = day), as numpy's tofile writes a t x n array. */
static int bench_hrp(int argc, char **argv)
{
  const char *path = arg(argc, argv, "--data", NULL);
  size_t n = strtoul(arg(argc, argv, "--n", "0"), NULL, 10), t = strtoul(arg(argc, argv, "--t", "0"), NULL, 10);
  int repeat = atoi(arg(argc, argv, "--repeat", "5"));
  unsigned threads = (unsigned)atoi(arg(argc, argv, "--threads", "0"));
  if (!path || !n || !t || repeat < 1 || repeat > MAX_REPEAT)
    return usage();
  double *rows = malloc(n * t * sizeof(double)), *x = malloc(n * t * sizeof(double));
  FILE *f = fopen(path, "rb");
  if (!rows || !x || !f || fread(rows, sizeof(double), n * t, f) != n * t) {
    fprintf(stderr, "bench_quant: cannot read %zu x %zu doubles from %s\n", t, n, path);
    return 1;
  }
  fclose(f);
  for (size_t r = 0; r < t; r++)
    for (size_t j = 0; j < n; j++)
      x[j * t + r] = rows[r * n + j];
  free(rows);
  struct parity_cov_opts opts = {
    .missing = PARITY_COV_LISTWISE, .threads = threads, .kernel = PARITY_COV_KERNEL_AUTO, .names = NULL
  };
  double best = 1e300, cov_best = 1e300;
  for (int k = 0; k < repeat; k++) {
    struct parity_quant_err err;
    double t0 = now();
    struct parity_cov c;
    if (parity_cov_compute(x, t, n, &opts, &c, &err) != 0) {
      fprintf(stderr, "bench_quant: %s\n", err.msg);
      return 1;
    }
    double t1 = now();
    parity_cov_free(&c);
    cov_best = t1 - t0 < cov_best ? t1 - t0 : cov_best;
    struct parity_hrp_result h;
    t0 = now();
    if (parity_hrp_run(x, t, n, &opts, &h, &err) != 0) {
      fprintf(stderr, "bench_quant: %s\n", err.msg);
      return 1;
    }
    t1 = now();
    parity_hrp_result_free(&h);
    best = t1 - t0 < best ? t1 - t0 : best;
  }
  printf("{\"what\":\"hrp\",\"n\":%zu,\"t\":%zu,\"ms\":%.3f,\"cov_ms\":%.3f,\"kernel\":\"%s\"}\n", n, t, best * 1e3,
         cov_best * 1e3, parity_cov_kernel_name(PARITY_COV_KERNEL_AUTO));
  free(x);
  return 0;
}

static int bench_forecast(int argc, char **argv)
{
  struct parity_mc_params p = {
    .mu = 0.07, .sigma = 0.15, .initial_cents = 1000000, .monthly_cents = 10000, .seed = 42
  };
  p.paths = strtoul(arg(argc, argv, "--paths", "10000"), NULL, 10);
  p.months = atoi(arg(argc, argv, "--months", "120"));
  p.threads = (unsigned)atoi(arg(argc, argv, "--threads", "0"));
  int repeat = atoi(arg(argc, argv, "--repeat", "20"));
  if (repeat < 1 || repeat > MAX_REPEAT)
    return usage();
  double best = 1e300;
  for (int k = 0; k < repeat; k++) {
    struct parity_mc_result r;
    struct parity_quant_err err;
    double t0 = now();
    if (parity_mc_run(&p, &r, &err) != 0) {
      fprintf(stderr, "bench_quant: %s\n", err.msg);
      return 1;
    }
    double dt = now() - t0;
    parity_mc_result_free(&r);
    best = dt < best ? dt : best;
  }
  printf("{\"what\":\"forecast\",\"paths\":%zu,\"months\":%d,\"threads\":%u,\"ms\":%.3f}\n", p.paths, p.months,
         p.threads ? p.threads : PARITY_MC_DEFAULT_THREADS, best * 1e3);
  return 0;
}

struct series_set {
  struct parity_bar_series s[PARITY_MODELS_MAX_SYMBOLS];
  size_t n;
};

static int take(void *ctx, struct parity_bar_series *series, json_t *notes)
{
  (void)notes;
  struct series_set *set = ctx;
  if (set->n == PARITY_MODELS_MAX_SYMBOLS)
    return -1;
  set->s[set->n++] = *series;
  series->bars = NULL;
  series->n = series->cap = 0;
  return 0;
}

static int bench_models(int argc, char **argv)
{
  static const char *const eq[] = { "VTI", "VOO", "QQQ",  "VTV", "VUG", "IWM", "VEA",
                                    "VWO", "VNQ", "VNQI", "XLF", "XLV", "XLE", "XLK" };
  static const char *const bd[] = { "BND", "TLT", "LQD", "HYG", "BNDX" };
  const char *path = arg(argc, argv, "--csv", NULL), *as_of_text = arg(argc, argv, "--as-of", NULL);
  int repeat = atoi(arg(argc, argv, "--repeat", "20"));
  int32_t as_of;
  if (!path || !as_of_text || parity_day_parse(as_of_text, strlen(as_of_text), &as_of) || repeat < 1 ||
      repeat > MAX_REPEAT)
    return usage();
  static struct series_set set;
  struct parity_market_error merr;
  parity_market_error_clear(&merr);
  double t0 = now();
  if (parity_market_csv_read_file(path, take, &set, NULL, &merr) != 0) {
    fprintf(stderr, "bench_quant: %s\n", merr.message);
    return 1;
  }
  double parse = now() - t0;
  struct parity_models_params p;
  parity_models_params_defaults(&p);
  struct parity_models_universe u = { eq, 14, bd, 5 };
  double best = 1e300;
  for (int k = 0; k < repeat; k++) {
    struct parity_models_result r;
    struct parity_quant_err err;
    t0 = now();
    if (parity_models_generate(set.s, set.n, &u, &p, as_of, &r, &err) != 0) {
      fprintf(stderr, "bench_quant: %s\n", err.msg);
      return 1;
    }
    json_t *o = parity_models_result_json(&r, 1);
    char *text = parity_json_dumps_exact_new(o); /* what the worker stores */
    double dt = now() - t0;
    free(text);
    json_decref(o);
    parity_models_result_free(&r);
    best = dt < best ? dt : best;
  }
  printf("{\"what\":\"models\",\"as_of\":\"%s\",\"ms\":%.3f,\"csv_parse_ms\":%.3f}\n", as_of_text, best * 1e3,
         parse * 1e3);
  for (size_t i = 0; i < set.n; i++)
    parity_bar_series_free(&set.s[i]);
  return 0;
}

/* The walk-forward backtest of SPEC §8a on the bundled history (about 95 generations of the 15 models,
 * 17 simulated series and their metrics), prices in memory; and one full-precision generation alone. */
static double cpu_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int bench_backtest(int argc, char **argv)
{
  static const char *const eq[] = { "VTI", "VOO", "QQQ",  "VTV", "VUG", "IWM", "VEA",
                                    "VWO", "VNQ", "VNQI", "XLF", "XLV", "XLE", "XLK" };
  static const char *const bd[] = { "BND", "TLT", "LQD", "HYG", "BNDX" };
  const char *path = arg(argc, argv, "--csv", NULL);
  int repeat = atoi(arg(argc, argv, "--repeat", "5"));
  if (!path || repeat < 1 || repeat > MAX_REPEAT)
    return usage();
  static struct series_set set;
  struct parity_market_error merr;
  parity_market_error_clear(&merr);
  if (parity_market_csv_read_file(path, take, &set, NULL, &merr) != 0) {
    fprintf(stderr, "bench_quant: %s\n", merr.message);
    return 1;
  }
  struct parity_models_universe u = { eq, 14, bd, 5 };
  struct parity_backtest_params bp;
  parity_backtest_params_defaults(&bp);
  double best = 1e300, cpu_best = 1e300, json_best = 1e300, gen_best = 1e300;
  size_t decisions = 0;
  for (int k = 0; k < repeat; k++) {
    struct parity_backtest_result r;
    struct parity_quant_err err;
    double t0 = now(), c0 = cpu_now();
    if (parity_backtest_run(set.s, set.n, &u, &bp, &r, &err) != 0) {
      fprintf(stderr, "bench_quant: %s\n", err.msg);
      return 1;
    }
    double t1 = now(), c1 = cpu_now();
    cpu_best = c1 - c0 < cpu_best ? c1 - c0 : cpu_best;
    json_t *o = parity_backtest_result_json(&r);
    char *text = parity_json_dumps_exact_new(o);
    double t2 = now();
    free(text);
    json_decref(o);
    decisions = r.decisions;
    parity_backtest_result_free(&r);
    best = t1 - t0 < best ? t1 - t0 : best;
    json_best = t2 - t1 < json_best ? t2 - t1 : json_best;
  }
  struct parity_models_exact *x = malloc(sizeof(*x));
  int32_t day;
  parity_day_parse("2022-12-30", 10, &day);
  for (int k = 0; k < repeat * 4; k++) {
    struct parity_quant_err err;
    double t0 = now();
    if (parity_models_generate_exact(set.s, set.n, &u, &bp.models, day, x, &err) != 0) {
      fprintf(stderr, "bench_quant: %s\n", err.msg);
      return 1;
    }
    double dt = now() - t0;
    gen_best = dt < gen_best ? dt : gen_best;
  }
  free(x);
  printf("{\"what\":\"backtest\",\"decisions\":%zu,\"ms\":%.3f,\"cpu_ms\":%.3f,\"json_ms\":%.3f,"
         "\"generation_ms\":%.3f}\n",
         decisions, best * 1e3, cpu_best * 1e3, json_best * 1e3, gen_best * 1e3);
  for (size_t i = 0; i < set.n; i++)
    parity_bar_series_free(&set.s[i]);
  return 0;
}

int main(int argc, char **argv)
{
  if (argc < 2)
    return usage();
  if (strcmp(argv[1], "hrp") == 0)
    return bench_hrp(argc, argv);
  if (strcmp(argv[1], "forecast") == 0)
    return bench_forecast(argc, argv);
  if (strcmp(argv[1], "models") == 0)
    return bench_models(argc, argv);
  if (strcmp(argv[1], "backtest") == 0)
    return bench_backtest(argc, argv);
  return usage();
}
