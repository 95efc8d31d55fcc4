/* `parity hrp`, `models`, `forecast`, `rebalance-check`, `risk` and `backtest`: the quant engine from the command line. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/backtest_harvest.h"
#include "cli/commands.h"
#include "common/alloc.h"
#include "common/config.h"
#include "common/errors.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/log.h"
#include "decisional/analytics.h"
#include "decisional/analytics_json.h"
#include "decisional/backtest.h"
#include "decisional/bars.h"
#include "decisional/market_csv.h"
#include "decisional/models.h"
#include "decisional/quant/hrp.h"
#include "decisional/quant/mc.h"
#include "decisional/quant/rebalance.h"
#include "decisional/quant_csv.h"

#define CLI_FORECAST_DEFAULT_PATHS 10000 /* SPEC §8's default; FORECAST_PATHS configures the worker */
#define CLI_JSON_MAX_BYTES (16u << 20)   /* rebalance-check input */
#define CLI_REBALANCE_MAX_CASES 100000
#define CLI_LEVEL_KEY_MAX 16

static int fail(const char *cmd, const char *msg)
{
  fprintf(stderr, "parity %s: %s\n", cmd, msg);
  return 1;
}

static int usage_error(const char *cmd, const char *usage)
{
  fprintf(stderr, "usage: %s\n(see 'parity %s --help')\n", usage, cmd);
  return 2;
}

/* Prints a JSON value and a newline to stdout; reals as %.17g (jansson's default), so they round-trip. */
static int print_json(const char *cmd, json_t *v)
{
  if (!v)
    return fail(cmd, "out of memory building the output");
  int rc = json_dumpf(v, stdout, JSON_COMPACT);
  json_decref(v);
  if (rc != 0 || fputc('\n', stdout) == EOF || fflush(stdout) != 0)
    return fail(cmd, "cannot write the output");
  return 0;
}

static int parse_i64(const char *s, int64_t *out)
{
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end != '\0')
    return -1;
  *out = v;
  return 0;
}

static int parse_double(const char *s, double *out)
{
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end != '\0' || !isfinite(v))
    return -1;
  *out = v;
  return 0;
}

/* ---- parity hrp --------------------------------------------------------------------------- */

static const char hrp_usage[] = "parity hrp --csv FILE [--input prices|returns] [--missing listwise|pairwise]";
static const char hrp_help[] =
    "Hierarchical Risk Parity weights of the columns of a wide CSV.\n"
    "\n"
    "  --csv FILE        header date,SYM1,SYM2,...; one row per day; an empty cell means no data\n"
    "                    (plain or gzip)\n"
    "  --input prices    the cells are prices; simple returns p_t / p_prev - 1 are used (default)\n"
    "  --input returns   the cells are simple returns already\n"
    "  --missing listwise  use only the dates where every column has data (default; as model generation)\n"
    "  --missing pairwise  each covariance and correlation over the dates both columns have, as pandas\n"
    "\n"
    "Output: {\"order\":[leaf order],\"weights\":{\"SYM\":w,...}} with weights printed round-trip exact.\n"
    "Errors go to stderr with exit status 1 (2 for usage errors).\n";

int parity_cli_hrp(int argc, char **argv)
{
  static const struct option options[] = { { "csv", required_argument, NULL, 'c' },
                                           { "input", required_argument, NULL, 'i' },
                                           { "missing", required_argument, NULL, 'm' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
  const char *path = NULL;
  int returns_given = 0;
  enum parity_cov_missing missing = PARITY_COV_LISTWISE;
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    if (c == 'c')
      path = optarg;
    else if (c == 'i' && (strcmp(optarg, "prices") == 0 || strcmp(optarg, "returns") == 0))
      returns_given = strcmp(optarg, "returns") == 0;
    else if (c == 'm' && (strcmp(optarg, "listwise") == 0 || strcmp(optarg, "pairwise") == 0))
      missing = strcmp(optarg, "pairwise") == 0 ? PARITY_COV_PAIRWISE : PARITY_COV_LISTWISE;
    else if (c == 'h')
      return printf("usage: %s\n\n%s", hrp_usage, hrp_help) < 0;
    else
      return usage_error("hrp", hrp_usage);
  }
  if (!path || optind != argc)
    return usage_error("hrp", hrp_usage);

  struct parity_quant_err err = { 0, "" };
  struct parity_wide_csv csv;
  int rc = parity_quant_csv_read_wide(path, &csv, &err);
  if (rc)
    return fail("hrp", err.msg);
  int status = 1;
  double *r = NULL;
  const char **names = NULL;
  if (csv.ncols < 2) {
    fail("hrp", "HRP needs at least 2 columns of data");
    goto out;
  }
  r = parity_xmalloc(csv.ncols * csv.nrows * sizeof(double));
  names = parity_xmalloc(csv.ncols * sizeof(char *));
  for (size_t j = 0; j < csv.ncols; j++)
    names[j] = csv.names[j];
  if (returns_given)
    memcpy(r, csv.values, csv.ncols * csv.nrows * sizeof(double));
  else if (parity_quant_csv_returns(&csv, r, &err)) {
    fail("hrp", err.msg);
    goto out;
  }
  struct parity_cov_opts opts = { .missing = missing, .threads = 0, .kernel = PARITY_COV_KERNEL_AUTO, .names = names };
  struct parity_hrp_result h;
  if (parity_hrp_run(r, csv.nrows, csv.ncols, &opts, &h, &err)) {
    fail("hrp", err.msg);
    goto out;
  }
  json_t *order = json_array(), *weights = json_object();
  for (size_t i = 0; i < h.n; i++) {
    json_array_append_new(order, json_string(csv.names[h.order[i]]));
    json_object_set_new(weights, csv.names[i], json_real(h.weights[i]));
  }
  parity_hrp_result_free(&h);
  status = print_json("hrp", json_pack("{s:o, s:o}", "order", order, "weights", weights));
out:
  free(r);
  free(names);
  parity_wide_csv_free(&csv);
  return status;
}

/* ---- parity models ------------------------------------------------------------------------ */

static const char models_usage[] = "parity models --csv FILE [--as-of YYYY-MM-DD] [--diagnostics]";
static const char models_help[] =
    "Generates the 15 model portfolios from a long daily-price CSV, as CMD_GENERATE does.\n"
    "\n"
    "  --csv FILE          date,symbol,open,high,low,close,adj_close,volume (plain or gzip), as in\n"
    "                      decisional/data; returns come from adj_close\n"
    "  --as-of YYYY-MM-DD  ignore rows after this day (default: use every row)\n"
    "  --diagnostics       also print each bucket's diagnostics (leaf order, linkage, cluster variances)\n"
    "\n"
    "The universe (UNIVERSE_EQUITIES, UNIVERSE_BONDS) and parameters (MODEL_LOOKBACK_DAYS,\n"
    "MODEL_MIN_COMMON_DAYS, MODEL_TOP_EQUITIES, MODEL_MIN_WEIGHT) come from the environment, as for the\n"
    "worker. Output: {\"as_of\":day,\"excluded\":[...],\"buckets\":{\"risk_1_horizon_short\":{...},...}}.\n";

struct series_set {
  struct parity_bar_series *s;
  size_t n, cap;
};

static int collect_series(void *ctx, struct parity_bar_series *series, json_t *notes)
{
  (void)notes;
  struct series_set *set = ctx;
  if (set->n == set->cap) {
    size_t cap = set->cap ? set->cap * 2 : 32;
    set->s = parity_xrealloc(set->s, cap * sizeof(*set->s));
    set->cap = cap;
  }
  set->s[set->n++] = *series; /* take the bars over */
  series->bars = NULL;
  series->n = series->cap = 0;
  return PARITY_OK;
}

static void series_set_free(struct series_set *set)
{
  for (size_t i = 0; i < set->n; i++)
    parity_bar_series_free(&set->s[i]);
  free(set->s);
}

int parity_cli_models(int argc, char **argv)
{
  static const struct option options[] = { { "csv", required_argument, NULL, 'c' },
                                           { "as-of", required_argument, NULL, 'a' },
                                           { "diagnostics", no_argument, NULL, 'd' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
  const char *path = NULL;
  int32_t as_of = PARITY_MODELS_AS_OF_LATEST;
  int diagnostics = 0;
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    if (c == 'c')
      path = optarg;
    else if (c == 'a' && parity_day_parse(optarg, strlen(optarg), &as_of) == 0)
      continue;
    else if (c == 'd')
      diagnostics = 1;
    else if (c == 'h')
      return printf("usage: %s\n\n%s", models_usage, models_help) < 0;
    else
      return usage_error("models", models_usage);
  }
  if (!path || optind != argc)
    return usage_error("models", models_usage);

  parity_log_init("cli", getenv("LOG_LEVEL") ? getenv("LOG_LEVEL") : "warn");
  struct parity_config cfg;
  if (parity_config_load(&cfg, PARITY_ROLE_CLI, stderr) != 0)
    return fail("models", "invalid configuration (see above)");
  int status = 1;
  struct series_set set = { 0 };
  struct parity_quant_err err = { 0, "" };
  char eq[PARITY_MODELS_MAX_SYMBOLS][PARITY_SYMBOL_MAX], bd[PARITY_MODELS_MAX_SYMBOLS][PARITY_SYMBOL_MAX];
  const char *eqp[PARITY_MODELS_MAX_SYMBOLS], *bdp[PARITY_MODELS_MAX_SYMBOLS];
  size_t neq = 0, nbd = 0;
  if (parity_models_parse_symbols(cfg.universe_equities, eq, PARITY_MODELS_MAX_SYMBOLS, &neq, &err) ||
      parity_models_parse_symbols(cfg.universe_bonds, bd, PARITY_MODELS_MAX_SYMBOLS, &nbd, &err)) {
    fail("models", err.msg);
    goto out;
  }
  for (size_t i = 0; i < neq; i++)
    eqp[i] = eq[i];
  for (size_t i = 0; i < nbd; i++)
    bdp[i] = bd[i];
  struct parity_market_error merr;
  parity_market_error_clear(&merr);
  if (parity_market_csv_read_file(path, collect_series, &set, NULL, &merr) != 0) {
    fail("models", merr.message);
    goto out;
  }
  struct parity_models_params params;
  parity_models_params_from_config(&cfg, &params);
  struct parity_models_universe u = { eqp, neq, bdp, nbd };
  struct parity_models_result res;
  if (parity_models_generate(set.s, set.n, &u, &params, as_of, &res, &err) != 0) {
    fail("models", err.msg);
    goto out;
  }
  json_t *o = parity_models_result_json(&res, diagnostics);
  char *text = o ? parity_json_dumps_exact_new(o) : NULL;
  json_decref(o);
  parity_models_result_free(&res);
  if (!text) {
    fail("models", "out of memory building the output");
    goto out;
  }
  status = (puts(text) == EOF || fflush(stdout) != 0) ? fail("models", "cannot write the output") : 0;
  free(text);
out:
  series_set_free(&set);
  parity_config_free(&cfg);
  return status;
}

/* ---- parity forecast ---------------------------------------------------------------------- */

static const char forecast_usage[] =
    "parity forecast --mu M --sigma S --initial-cents N --monthly-cents N --months N [--paths N] [--seed N] "
    "[--goal-cents N]";
static const char forecast_help[] =
    "Monte Carlo forecast of a portfolio under geometric Brownian motion with monthly contributions.\n"
    "\n"
    "  --mu M             GBM's arithmetic annual expected return (e.g. 0.07)\n"
    "  --sigma S          annual volatility (e.g. 0.15)\n"
    "  --initial-cents N  starting value; --monthly-cents N  added at each month end\n"
    "  --months N         horizon (1..1200)\n"
    "  --paths N          simulated paths (default 10000); --seed N  (default 0): same seed, same bytes\n"
    "  --goal-cents N     also report the probability that the final value reaches N\n"
    "\n"
    "Output (cents, not rounded): {\"months\":[0..N],\"p5\":[...],\"p10\":[...],\"p25\":[...],\"p50\":[...],\n"
    "\"p75\":[...],\"p90\":[...],\"p95\":[...],\"goal_probability\":x|null,\"mu\":..,\"sigma\":..,\"paths\":..,\n"
    "\"seed\":..,\"closed_form\":{\"p5\":[...],...}} where closed_form is V0 exp((mu - s^2/2)t + z_p s sqrt t),\n"
    "the exact quantiles without contributions. Percentiles are type 7 (numpy's default).\n";

int parity_cli_forecast(int argc, char **argv)
{
  static const struct option options[] = { { "mu", required_argument, NULL, 'm' },
                                           { "sigma", required_argument, NULL, 's' },
                                           { "initial-cents", required_argument, NULL, 'i' },
                                           { "monthly-cents", required_argument, NULL, 'c' },
                                           { "months", required_argument, NULL, 'n' },
                                           { "paths", required_argument, NULL, 'p' },
                                           { "seed", required_argument, NULL, 'r' },
                                           { "goal-cents", required_argument, NULL, 'g' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
  struct parity_mc_params p = { .paths = CLI_FORECAST_DEFAULT_PATHS };
  int have = 0; /* bit per required option */
  int64_t v = 0;
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    int ok = 1;
    switch (c) {
    case 'm':
      ok = parse_double(optarg, &p.mu) == 0, have |= 1;
      break;
    case 's':
      ok = parse_double(optarg, &p.sigma) == 0, have |= 2;
      break;
    case 'i':
      ok = parse_i64(optarg, &p.initial_cents) == 0, have |= 4;
      break;
    case 'c':
      ok = parse_i64(optarg, &p.monthly_cents) == 0, have |= 8;
      break;
    case 'n':
      ok = parse_i64(optarg, &v) == 0 && v >= INT32_MIN && v <= INT32_MAX, p.months = (int)v, have |= 16;
      break;
    case 'p':
      ok = parse_i64(optarg, &v) == 0 && v >= 0, p.paths = (size_t)v;
      break;
    case 'r':
      ok = parse_i64(optarg, &v) == 0 && v >= 0, p.seed = (uint64_t)v;
      break;
    case 'g':
      ok = parse_i64(optarg, &p.goal_cents) == 0, p.has_goal = 1;
      break;
    case 'h':
      return printf("usage: %s\n\n%s", forecast_usage, forecast_help) < 0;
    default:
      ok = 0;
    }
    if (!ok) {
      fprintf(stderr, "parity forecast: invalid value for an option\n");
      return usage_error("forecast", forecast_usage);
    }
  }
  if (have != 31 || optind != argc)
    return usage_error("forecast", forecast_usage);

  struct parity_mc_result res;
  struct parity_quant_err err = { 0, "" };
  if (parity_mc_run(&p, &res, &err) != 0)
    return fail("forecast", err.msg);
  json_t *out = json_object(), *closed = json_object(), *months = json_array();
  for (int m = 0; m <= res.months; m++)
    json_array_append_new(months, json_integer(m));
  json_object_set_new(out, "months", months);
  for (size_t k = 0; k < res.nlevels; k++) {
    char key[CLI_LEVEL_KEY_MAX];
    snprintf(key, sizeof(key), "p%g", res.levels[k] * 100.0);
    json_t *sim = json_array(), *cf = json_array();
    for (int m = 0; m <= res.months; m++) {
      json_array_append_new(sim, json_real(res.pct[(size_t)m * res.nlevels + k]));
      json_array_append_new(cf, json_real(res.closed[(size_t)m * res.nlevels + k]));
    }
    json_object_set_new(out, key, sim);
    json_object_set_new(closed, key, cf);
  }
  json_object_set_new(out, "goal_probability", p.has_goal ? json_real(res.goal_probability) : json_null());
  json_object_set_new(out, "mu", json_real(res.mu));
  json_object_set_new(out, "sigma", json_real(res.sigma));
  json_object_set_new(out, "paths", json_integer((json_int_t)res.paths));
  json_object_set_new(out, "seed", json_integer((json_int_t)p.seed));
  json_object_set_new(out, "closed_form", closed);
  parity_mc_result_free(&res);
  return print_json("forecast", out);
}

/* ---- parity rebalance-check --------------------------------------------------------------- */

static const char rebalance_usage[] = "parity rebalance-check --json FILE";
static const char rebalance_help[] =
    "Rebalance targets for a list of cases, as CMD_REBALANCE_BATCH computes them.\n"
    "\n"
    "  --json FILE  [{\"current\":{\"SYM\":w,...,\"CASH\":w},\"target\":{\"SYM\":w,...},\"threshold\":t,\n"
    "               \"cash_first\":true|false}, ...]\n"
    "\n"
    "Output: [{\"adjusted\":{\"SYM\":w,...},\"skipped\":[SYM,...],\"drift\":d}, ...], one per case.\n"
    "Cash first spends cash on underweight assets in proportion to their deficits; assets within the\n"
    "threshold of their target keep their weight; the others share the rest in proportion to their\n"
    "targets; skipped lists the assets whose weight was kept. Drift is sum |current - target| / 2.\n";

static int weights_of(const json_t *obj, struct parity_weight *w, size_t *n, const char *what, size_t idx, char *msg,
                      size_t msglen)
{
  struct parity_quant_err err = { 0, "" };
  if (parity_models_weights_from_json(obj, w, PARITY_REBALANCE_MAX_ASSETS, n, &err) != 0) {
    snprintf(msg, msglen, "case %zu: %s: %s", idx, what, err.msg);
    return -1;
  }
  return 0;
}

static json_t *rebalance_case(const json_t *c, size_t idx, char *msg, size_t msglen)
{
  if (!json_is_object(c)) {
    snprintf(msg, msglen, "case %zu is not an object", idx);
    return NULL;
  }
  const char *key;
  json_t *val;
  json_object_foreach((json_t *)c, key, val) {
    if (strcmp(key, "current") != 0 && strcmp(key, "target") != 0 && strcmp(key, "threshold") != 0 &&
        strcmp(key, "cash_first") != 0) {
      snprintf(msg, msglen, "case %zu: unknown field \"%.32s\"", idx, key);
      return NULL;
    }
  }
  const json_t *thr = json_object_get(c, "threshold"), *cf = json_object_get(c, "cash_first");
  if (!json_is_number(thr) || !json_is_boolean(cf)) {
    snprintf(msg, msglen, "case %zu: threshold must be a number and cash_first a boolean", idx);
    return NULL;
  }
  struct parity_weight cur[PARITY_REBALANCE_MAX_ASSETS], tgt[PARITY_REBALANCE_MAX_ASSETS];
  size_t ncur, ntgt;
  if (weights_of(json_object_get(c, "current"), cur, &ncur, "current", idx, msg, msglen) ||
      weights_of(json_object_get(c, "target"), tgt, &ntgt, "target", idx, msg, msglen))
    return NULL;
  struct parity_rebalance_result res;
  struct parity_quant_err err = { 0, "" };
  if (parity_rebalance_compute(cur, ncur, tgt, ntgt, json_number_value(thr), json_is_true(cf), &res, &err) != 0) {
    snprintf(msg, msglen, "case %zu: %s", idx, err.msg);
    return NULL;
  }
  json_t *adjusted = json_object(), *skipped = json_array();
  for (size_t i = 0; i < res.n; i++)
    json_object_set_new(adjusted, res.adjusted[i].symbol, json_real(res.adjusted[i].w));
  for (size_t i = 0; i < res.nskipped; i++)
    json_array_append_new(skipped, json_string(res.skipped[i]));
  return json_pack("{s:o, s:o, s:f}", "adjusted", adjusted, "skipped", skipped, "drift", res.drift);
}

int parity_cli_rebalance_check(int argc, char **argv)
{
  static const struct option options[] = { { "json", required_argument, NULL, 'j' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
  const char *path = NULL;
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    if (c == 'j')
      path = optarg;
    else if (c == 'h')
      return printf("usage: %s\n\n%s", rebalance_usage, rebalance_help) < 0;
    else
      return usage_error("rebalance-check", rebalance_usage);
  }
  if (!path || optind != argc)
    return usage_error("rebalance-check", rebalance_usage);
  FILE *f = fopen(path, "rb");
  if (!f)
    return fail("rebalance-check", "cannot open the input file");
  json_error_t jerr;
  char msg[PARITY_QUANT_ERR_MAX + 64];
  json_t *in = NULL;
  if (fseek(f, 0, SEEK_END) == 0 && ftell(f) > (long)CLI_JSON_MAX_BYTES) {
    fclose(f);
    return fail("rebalance-check", "the input is larger than 16 MiB");
  }
  rewind(f);
  in = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
  fclose(f);
  if (!in) {
    snprintf(msg, sizeof(msg), "invalid JSON at line %d: %s", jerr.line, jerr.text);
    return fail("rebalance-check", msg);
  }
  if (!json_is_array(in) || json_array_size(in) > CLI_REBALANCE_MAX_CASES) {
    json_decref(in);
    return fail("rebalance-check", "the input must be an array of at most 100000 cases");
  }
  json_t *out = json_array();
  for (size_t i = 0; i < json_array_size(in); i++) {
    json_t *r = rebalance_case(json_array_get(in, i), i, msg, sizeof(msg));
    if (!r) {
      json_decref(in);
      json_decref(out);
      return fail("rebalance-check", msg);
    }
    json_array_append_new(out, r);
  }
  json_decref(in);
  return print_json("rebalance-check", out);
}

/* ---- parity risk -------------------------------------------------------------------------- */

static const char risk_usage[] = "parity risk --csv FILE --weights JSON [--from YYYY-MM-DD] [--to YYYY-MM-DD] "
                                 "[--benchmark SYM] [--rf R]";
static const char risk_help[] =
    "Risk metrics of a constant-weight portfolio (rebalanced daily) and of a benchmark, as SPEC §8a defines\n"
    "them: daily simple returns of adj_close on the dates every weighted symbol and the benchmark share.\n"
    "\n"
    "  --csv FILE          date,symbol,open,high,low,close,adj_close,volume (plain or gzip), as in\n"
    "                      decisional/data\n"
    "  --weights JSON      e.g. '{\"VTI\":0.6,\"BND\":0.4}': each >= 0, summing to 1 within 1e-9\n"
    "  --from, --to        inclusive bounds on price dates; the first price day in the window is V_0\n"
    "  --benchmark SYM     default SPY\n"
    "  --rf R              annual risk-free rate (default 0); enters Sharpe, Sortino and alpha only\n"
    "\n"
    "Output: {\"days\":N,\"from\":D,\"to\":D,\"metrics\":{total_return, cagr, volatility, sharpe, sortino,\n"
    "max_drawdown, max_drawdown_days, recovered, calmar, var_95, cvar_95, var_99, cvar_99, pvar_95, pvar_99,\n"
    "beta, alpha, tracking_error, information_ratio, correlation},\"benchmark\":{the same own-series keys}}.\n"
    "N is the number of returns. VaR/CVaR are daily, positive fractions of value (historical, type-7\n"
    "quantiles; pvar parametric normal). An undefined metric is null. Errors go to stderr with exit\n"
    "status 1 (2 for usage errors).\n";

/* Reads the long CSV into series; on failure prints the reason and returns -1. */
static int read_prices(const char *cmd, const char *path, struct series_set *set)
{
  struct parity_market_error merr;
  parity_market_error_clear(&merr);
  if (parity_market_csv_read_file(path, collect_series, set, NULL, &merr) != 0) {
    fail(cmd, merr.message);
    return -1;
  }
  return 0;
}

static int print_exact(const char *cmd, json_t *o)
{
  char *text = o ? parity_json_dumps_exact_new(o) : NULL;
  json_decref(o);
  if (!text)
    return fail(cmd, "out of memory building the output");
  int status = (puts(text) == EOF || fflush(stdout) != 0) ? fail(cmd, "cannot write the output") : 0;
  free(text);
  return status;
}

static int parse_day_arg(const char *s, int32_t *out)
{
  return parity_day_parse(s, strlen(s), out);
}

int parity_cli_risk(int argc, char **argv)
{
  static const struct option options[] = { { "csv", required_argument, NULL, 'c' },
                                           { "weights", required_argument, NULL, 'w' },
                                           { "from", required_argument, NULL, 'f' },
                                           { "to", required_argument, NULL, 't' },
                                           { "benchmark", required_argument, NULL, 'b' },
                                           { "rf", required_argument, NULL, 'r' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
  const char *path = NULL, *weights_text = NULL, *benchmark = PARITY_ANALYTICS_DEFAULT_BENCHMARK;
  int32_t from = PARITY_ANALYTICS_DAY_MIN, to = PARITY_ANALYTICS_DAY_MAX;
  double rf = 0.0;
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    int ok = 1;
    if (c == 'c')
      path = optarg;
    else if (c == 'w')
      weights_text = optarg;
    else if (c == 'f')
      ok = parse_day_arg(optarg, &from) == 0;
    else if (c == 't')
      ok = parse_day_arg(optarg, &to) == 0;
    else if (c == 'b')
      benchmark = optarg;
    else if (c == 'r')
      ok = parse_double(optarg, &rf) == 0;
    else if (c == 'h')
      return printf("usage: %s\n\n%s", risk_usage, risk_help) < 0;
    else
      ok = 0;
    if (!ok) {
      fprintf(stderr, "parity risk: invalid value for an option\n");
      return usage_error("risk", risk_usage);
    }
  }
  if (!path || !weights_text || optind != argc)
    return usage_error("risk", risk_usage);
  if (!parity_symbol_valid(benchmark))
    return fail("risk", "the benchmark is not a valid symbol");

  json_error_t jerr;
  json_t *wj = json_loads(weights_text, JSON_REJECT_DUPLICATES, &jerr);
  if (!wj) {
    char msg[256];
    snprintf(msg, sizeof(msg), "--weights is not valid JSON: %s", jerr.text);
    return fail("risk", msg);
  }
  struct parity_weight w[PARITY_ANALYTICS_MAX_SYMBOLS - 1];
  size_t nw = 0;
  struct parity_quant_err err = { 0, "" };
  int rc = parity_models_weights_from_json(wj, w, PARITY_ANALYTICS_MAX_SYMBOLS - 1, &nw, &err);
  json_decref(wj);
  if (rc)
    return fail("risk", err.msg);
  struct series_set set = { 0 };
  int status = 1;
  if (read_prices("risk", path, &set) != 0)
    goto out;
  struct parity_analytics_risk res;
  if (parity_analytics_weights_risk(set.s, set.n, w, nw, benchmark, from, to, rf, &res, &err) != 0) {
    fail("risk", err.msg);
    goto out;
  }
  status = print_exact("risk", parity_analytics_risk_json(&res));
out:
  series_set_free(&set);
  return status;
}

/* ---- parity backtest ---------------------------------------------------------------------- */

static const char backtest_usage[] = "parity backtest --csv FILE [--from YYYY-MM-DD] [--to YYYY-MM-DD] "
                                     "[--cost-bps B] [--buckets all|BUCKET,...] [--harvest [--short-rate R] "
                                     "[--long-rate R] [--min-loss-cents N] [--min-loss-bps N] [--families LIST] "
                                     "[--initial-cents N]]";
static const char backtest_help[] =
    "Walk-forward backtest of the 15 model portfolios against SPY and 60/40 (SPEC §8a).\n"
    "\n"
    "On the last trading day of each month the models are generated as CMD_GENERATE would as of that day\n"
    "(rows up to it only, full precision); they trade at the next day's adjusted close by the product's\n"
    "monthly rule (0.02 threshold, holdings outside the target sold), paying --cost-bps on the value\n"
    "traded. SPY is bought once and held; 60/40 (SPY/BND) is reset at every execution; neither pays costs.\n"
    "\n"
    "  --csv FILE      the long daily-price CSV (plain or gzip), as in decisional/data\n"
    "  --from DAY      start at the first month end on or after DAY (never before the first month end\n"
    "                  with MODEL_LOOKBACK_DAYS returns of common history: the default)\n"
    "  --to DAY        end on the last trading day on or before DAY (default: the data's last day)\n"
    "  --cost-bps B    transaction cost in basis points of the value traded (default 0)\n"
    "  --buckets LIST  all (default) or a comma-separated list such as risk_3_horizon_medium\n"
    "\n"
    "The universe and model parameters come from the environment, as for `parity models`. Output:\n"
    "{\"from\":D,\"to\":D,\"decisions\":n,\"series\":{\"risk_1_horizon_short\":{\"metrics\":{...},\"turnover\":x,\n"
    "\"executions\":n,\"values\":[[day,value],...]},...,\"SPY\":{...},\"60/40\":{...}}}; values start at 1,\n"
    "metrics as `parity risk` prints them, against the SPY series; turnover is annual.\n"
    "\n"
    "Tax-loss harvesting (--harvest): each bucket is simulated again for an investor of --initial-cents\n"
    "(default 10000000, $100,000) in cents and micro-shares with tax lots, on the same days, executions and\n"
    "targets. Every trading day each lot with an unrealized loss of at least max(--min-loss-cents, default\n"
    "10000, and --min-loss-bps of its basis, default 500 = 5 %) is sold and the proceeds buy its family's\n"
    "alternate, unless a lot of the symbol bought in the 30 days before would stay open (the loss would be\n"
    "washed) or every alternate had a loss sale in the 30 days before (a fund without an alternate is never\n"
    "harvested). The monthly rule runs on families (a position in any member counts toward the family's\n"
    "target); a family's buy goes to its first member whose purchase disallows no recent loss; sells close\n"
    "lots by tax_min. Harvest trades pay --cost-bps on both legs.\n"
    "  --families LIST     members in rank order, '=' between members, ',' between families (default\n"
    "                      VTI=VOO,QQQ=VUG, the tax_families defaults)\n"
    "  --short-rate R      tax rate of short-term losses (default 0.37); --long-rate R  long-term (0.20)\n"
    "Each bucket's series then also holds \"harvest\":{\"losses_by_year\":{\"2019\":{\"short_cents\":n,\n"
    "\"long_cents\":n,\"total_cents\":n,\"disallowed_cents\":n},...},\"short_cents\":n,\"long_cents\":n,\n"
    "\"disallowed_cents\":n,\"harvested_lots\":n,\"harvests\":[{\"day\":D,\"symbol\":S,\"replacement\":S,\n"
    "\"shares_micro\":n,\"loss_cents\":n},...],\"wash_blocked\":n,\"short_rate\":r,\"long_rate\":r,\n"
    "\"tax_deferred_cents\":n,\"initial_cents\":n,\"final_cents\":n,\"final_no_harvest_cents\":n,\n"
    "\"value_diff_vs_no_harvest\":x,\"max_value_diff_vs_no_harvest\":x}: losses net of wash-sale\n"
    "disallowance by sale year, tax deferred = short x short rate + long x long rate, and the harvested\n"
    "value's relative difference from the same bucket without harvesting (final, and the largest on any day).\n"
    "The other keys are unchanged.\n";

int parity_cli_backtest(int argc, char **argv)
{
  static const struct option options[] = { { "csv", required_argument, NULL, 'c' },
                                           { "from", required_argument, NULL, 'f' },
                                           { "to", required_argument, NULL, 't' },
                                           { "cost-bps", required_argument, NULL, 'k' },
                                           { "buckets", required_argument, NULL, 'b' },
                                           { "harvest", no_argument, NULL, 'H' },
                                           { "short-rate", required_argument, NULL, 'S' },
                                           { "long-rate", required_argument, NULL, 'L' },
                                           { "min-loss-cents", required_argument, NULL, 'M' },
                                           { "min-loss-bps", required_argument, NULL, 'B' },
                                           { "families", required_argument, NULL, 'F' },
                                           { "initial-cents", required_argument, NULL, 'I' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
  const char *path = NULL, *buckets = "all", *families = PARITY_HARVEST_BT_FAMILIES;
  struct parity_backtest_params bp;
  parity_backtest_params_defaults(&bp);
  struct parity_harvest_bt_opts ho;
  parity_harvest_bt_opts_defaults(&ho);
  int harvest = 0;
  const char *family_syms[PARITY_HARVEST_BT_MAX_FAMILIES * PARITY_HARVEST_BT_MAX_MEMBERS];
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    int ok = 1;
    if (c == 'c')
      path = optarg;
    else if (c == 'f')
      ok = parse_day_arg(optarg, &bp.from_day) == 0;
    else if (c == 't')
      ok = parse_day_arg(optarg, &bp.to_day) == 0;
    else if (c == 'k')
      ok = parse_double(optarg, &bp.cost_bps) == 0;
    else if (c == 'b')
      buckets = optarg;
    else if (c == 'H')
      harvest = 1;
    else if (c == 'S')
      ok = parse_double(optarg, &ho.short_rate) == 0 && ho.short_rate >= 0.0 && ho.short_rate <= 1.0;
    else if (c == 'L')
      ok = parse_double(optarg, &ho.long_rate) == 0 && ho.long_rate >= 0.0 && ho.long_rate <= 1.0;
    else if (c == 'M')
      ok = parse_i64(optarg, &ho.rule.min_loss_cents) == 0 && ho.rule.min_loss_cents >= 0;
    else if (c == 'B')
      ok = parse_i64(optarg, &ho.rule.min_loss_bps) == 0 && ho.rule.min_loss_bps >= 0 && ho.rule.min_loss_bps <= 10000;
    else if (c == 'F')
      families = optarg;
    else if (c == 'I')
      ok = parse_i64(optarg, &ho.initial_cents) == 0 && ho.initial_cents > 0 &&
           ho.initial_cents <= PARITY_MAX_VALUE_CENTS;
    else if (c == 'h')
      return printf("usage: %s\n\n%s", backtest_usage, backtest_help) < 0;
    else
      ok = 0;
    if (!ok) {
      fprintf(stderr, "parity backtest: invalid value for an option\n");
      return usage_error("backtest", backtest_usage);
    }
  }
  if (!path || optind != argc)
    return usage_error("backtest", backtest_usage);
  struct parity_quant_err err = { 0, "" };
  if (parity_backtest_parse_buckets(buckets, &bp.buckets, &err) != 0)
    return fail("backtest", err.msg);
  if (harvest) {
    if (parity_harvest_bt_families_parse(families, &ho, &err) != 0)
      return fail("backtest", err.msg);
    bp.harvest = parity_harvest_bt_run;
    bp.harvest_ctx = &ho;
    /* Every family member is priced, so an alternate outside the universe can be bought. */
    for (size_t f = 0; f < ho.nfamilies; f++)
      for (size_t m = 0; m < ho.nmembers[f]; m++)
        family_syms[bp.nextra++] = ho.members[f][m];
    bp.extra_symbols = family_syms;
  }

  parity_log_init("cli", getenv("LOG_LEVEL") ? getenv("LOG_LEVEL") : "warn");
  struct parity_config cfg;
  if (parity_config_load(&cfg, PARITY_ROLE_CLI, stderr) != 0)
    return fail("backtest", "invalid configuration (see above)");
  int status = 1;
  struct series_set set = { 0 };
  char eq[PARITY_MODELS_MAX_SYMBOLS][PARITY_SYMBOL_MAX], bd[PARITY_MODELS_MAX_SYMBOLS][PARITY_SYMBOL_MAX];
  const char *eqp[PARITY_MODELS_MAX_SYMBOLS], *bdp[PARITY_MODELS_MAX_SYMBOLS];
  size_t neq = 0, nbd = 0;
  if (parity_models_parse_symbols(cfg.universe_equities, eq, PARITY_MODELS_MAX_SYMBOLS, &neq, &err) ||
      parity_models_parse_symbols(cfg.universe_bonds, bd, PARITY_MODELS_MAX_SYMBOLS, &nbd, &err)) {
    fail("backtest", err.msg);
    goto out;
  }
  for (size_t i = 0; i < neq; i++)
    eqp[i] = eq[i];
  for (size_t i = 0; i < nbd; i++)
    bdp[i] = bd[i];
  if (read_prices("backtest", path, &set) != 0)
    goto out;
  parity_models_params_from_config(&cfg, &bp.models);
  struct parity_models_universe u = { eqp, neq, bdp, nbd };
  struct parity_backtest_result res;
  if (parity_backtest_run(set.s, set.n, &u, &bp, &res, &err) != 0) {
    fail("backtest", err.msg);
    goto out;
  }
  status = print_exact("backtest", parity_backtest_result_json(&res));
  parity_backtest_result_free(&res);
out:
  series_set_free(&set);
  parity_config_free(&cfg);
  return status;
}
