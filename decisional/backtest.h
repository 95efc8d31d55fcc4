/*
 * The walk-forward backtest of the 15 models (SPEC §8a) over in-memory daily prices.
 *
 * Days: the dates every universe symbol, SPY and BND share. Decisions on the last trading day d of each
 * month, with the models generated exactly as CMD_GENERATE would as of d (parity_models_generate_exact:
 * only rows dated <= d, full precision); execution at the next day's adjusted close, only when that day
 * is inside the window. Each bucket trades by the product's monthly rule (quant/backtest.h) with
 * cost_bps; SPY is bought at the first execution and held; 60/40 (SPY 0.6, BND 0.4) is reset exactly at
 * every execution date; benchmarks pay no cost. Every series' relative metrics are against the SPY series.
 * Window: by default from the first month end at which the panel has `lookback` returns of common
 * history to the data's last day; a later `from_day` starts at the first month end on or after it (an
 * earlier one is moved up to the default); `to_day` ends on the last trading day on or before it.
 *
 * Pure: no SQL, AMQP, JSON or clock (analytics_json.h renders; callers time it). A decisional handler
 * can call it on daily_prices rows exactly as the CLI does on the bundled CSV.
 */
#ifndef PARITY_BACKTEST_H
#define PARITY_BACKTEST_H

#include <stddef.h>
#include <stdint.h>

#include "decisional/bars.h"
#include "decisional/models.h"
#include "decisional/quant/backtest.h"
#include "decisional/quant/blend.h"
#include "decisional/quant/risk.h"

#define PARITY_BACKTEST_BENCHMARK "SPY"
#define PARITY_BACKTEST_BOND "BND" /* the 40 of 60/40 */
#define PARITY_BACKTEST_SIXTY_FORTY "60/40"
#define PARITY_BACKTEST_THRESHOLD 0.02 /* the product's rebalance band (SPEC §8) */
#define PARITY_BACKTEST_MAX_COST_BPS 10000.0
#define PARITY_BACKTEST_SERIES_MAX (PARITY_BLEND_BUCKETS + 2)
#define PARITY_BACKTEST_ALL_BUCKETS ((1u << PARITY_BLEND_BUCKETS) - 1u)

struct parity_backtest_harvest;
struct parity_backtest_harvest_in;

struct parity_backtest_params {
  struct parity_models_params models;
  int32_t from_day; /* PARITY_ANALYTICS_DAY_MIN: the default start */
  int32_t to_day;   /* PARITY_ANALYTICS_DAY_MAX: the data's last day */
  double cost_bps;  /* 0..PARITY_BACKTEST_MAX_COST_BPS */
  uint32_t buckets; /* bit k = bucket k ((risk - 1) * 3 + horizon); 0 means all */
  /* Optional (NULL: none): simulates each bucket again with tax-loss harvesting on the same days,
   * executions and targets, into its series' `harvest`. A hook, because the lot engine is operational's
   * (the CLI links both; decisional includes no operational header). */
  int (*harvest)(void *ctx, const struct parity_backtest_harvest_in *in, struct parity_backtest_harvest *out,
                 struct parity_quant_err *err);
  void *harvest_ctx;
  /* Symbols to price beside the universe, SPY and BND (the harvest's alternates); none by default. Like
   * theirs, their dates bound the panel's common days, and one without prices is PARITY_ENOTFOUND. */
  const char *const *extra_symbols;
  size_t nextra;
  /* Optional (NULL: none): told the models (buckets) simulated so far and their number, once before the
   * month-end decisions (done 0) and after each bucket's series; a hook, as the harvest is, so the module
   * stays free of I/O while a job shows its progress. */
  void (*progress)(void *ctx, size_t done, size_t total);
  void *progress_ctx;
};

/* What the harvest hook receives for one bucket: exactly what its series was simulated with. */
struct parity_backtest_harvest_in {
  const struct parity_bt_panel *view;
  size_t start, end;  /* panel days of the window */
  const size_t *exec; /* [nexec] execution days */
  size_t nexec;
  const double *targets; /* [nexec * view->nsym] */
  double cost_bps, threshold;
  const double *values; /* [end - start + 1]: the series without harvesting, starting at 1 */
};

#define PARITY_BACKTEST_HARVEST_YEARS 64

/* One harvest: the shape of GET /api/v1/tax/harvests' rows. */
struct parity_backtest_harvest_sale {
  int32_t day;
  char symbol[PARITY_QUANT_SYMBOL_MAX], replacement[PARITY_QUANT_SYMBOL_MAX];
  int64_t shares_micro; /* sold */
  int64_t loss_cents;   /* realized at the sale (before any later wash-sale disallowance) */
};

/* A bucket's harvesting against no harvesting (cents; losses net of any wash-sale disallowance). */
struct parity_backtest_harvest {
  int first_year;
  size_t nyears;                                           /* of the window: first_year .. first_year + nyears - 1 */
  int64_t short_cents[PARITY_BACKTEST_HARVEST_YEARS];      /* harvested short-term losses allowed, by sale year */
  int64_t long_cents[PARITY_BACKTEST_HARVEST_YEARS];       /* long-term */
  int64_t disallowed_cents[PARITY_BACKTEST_HARVEST_YEARS]; /* of harvested losses, by the wash-sale rule */
  size_t harvests;                                         /* lots sold by harvesting */
  struct parity_backtest_harvest_sale *sales;              /* [nsales], by day; freed with the result */
  size_t nsales;
  size_t wash_blocked; /* symbol-days with a qualifying loss not harvested for the wash-sale rule */
  double short_rate, long_rate;
  int64_t tax_deferred_cents; /* short losses x short_rate + long losses x long_rate, rounded */
  int64_t initial_cents, final_cents, final_no_harvest_cents;
  double value_diff;     /* final value with harvesting / without - 1 */
  double max_value_diff; /* max over days of |with - without| / without */
};

void parity_backtest_params_defaults(struct parity_backtest_params *p);

/* "risk_1_horizon_short,risk_5_horizon_long" or "all" into a bucket mask; PARITY_EINVAL naming an unknown one. */
int parity_backtest_parse_buckets(const char *list, uint32_t *mask, struct parity_quant_err *err);

struct parity_backtest_series {
  char name[PARITY_BLEND_KEY_MAX]; /* a bucket key, "SPY" or "60/40" */
  double *values;                  /* [ndays], starting at 1 */
  size_t executions;
  double turnover; /* annual, SPEC §8a */
  struct parity_risk_own own;
  struct parity_risk_relative rel;         /* against the SPY series */
  struct parity_backtest_harvest *harvest; /* NULL unless params->harvest ran for this series */
};

/* Owned by the caller; release with parity_backtest_result_free. */
struct parity_backtest_result {
  size_t ndays;     /* value points: returns + 1 */
  int32_t *days;    /* [ndays]: days[0] is the first decision day (`from`) */
  size_t decisions; /* month ends whose models were generated (each executes the next day) */
  size_t nseries;   /* the chosen buckets in bucket order, then SPY, then 60/40 */
  struct parity_backtest_series series[PARITY_BACKTEST_SERIES_MAX];
};

/*
 * Runs the backtest. Errors (with a message): PARITY_ENOTFOUND (a universe symbol, SPY or BND without
 * prices), PARITY_EINVAL (bad parameters; a window with fewer than 2 returns; a month end before any
 * decision can be made), PARITY_ENUMERIC (a generation failed: the message names the day), PARITY_ENOMEM.
 */
int parity_backtest_run(const struct parity_bar_series *series, size_t nseries,
                        const struct parity_models_universe *universe, const struct parity_backtest_params *params,
                        struct parity_backtest_result *out, struct parity_quant_err *err);
void parity_backtest_result_free(struct parity_backtest_result *r);

#endif
