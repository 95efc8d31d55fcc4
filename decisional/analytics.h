/*
 * Risk analytics over in-memory daily prices (SPEC §8a): the price panel of a set of symbols on the
 * dates they all share, and the risk of a constant-weight portfolio against a benchmark. Pure: no SQL,
 * no AMQP, no JSON (analytics_json.h renders), no globals; the CLI calls it on a CSV today, and a
 * decisional handler can call it on daily_prices rows the same way.
 */
#ifndef PARITY_ANALYTICS_H
#define PARITY_ANALYTICS_H

#include <stddef.h>
#include <stdint.h>

#include "decisional/bars.h"
#include "decisional/quant/backtest.h"
#include "decisional/quant/quant_err.h"
#include "decisional/quant/risk.h"
#include "decisional/quant/weights.h"

#define PARITY_ANALYTICS_MAX_SYMBOLS 256
#define PARITY_ANALYTICS_WEIGHT_SUM_TOLERANCE 1e-9 /* SPEC §8a: weights sum to 1 within this */
#define PARITY_ANALYTICS_DEFAULT_BENCHMARK "SPY"
#define PARITY_ANALYTICS_DAY_MIN INT32_MIN /* an open lower bound */
#define PARITY_ANALYTICS_DAY_MAX INT32_MAX /* an open upper bound */

/* Adjusted closes of symbols on their common days; owned, release with parity_analytics_panel_free. */
struct parity_analytics_panel {
  size_t ndays, nsym;
  int32_t *days; /* [ndays] increasing */
  double *px;    /* [nsym * ndays]: symbol j at px[j * ndays] */
  char symbols[PARITY_ANALYTICS_MAX_SYMBOLS][PARITY_QUANT_SYMBOL_MAX];
  const char *symbol_ptrs[PARITY_ANALYTICS_MAX_SYMBOLS]; /* into symbols[], for struct parity_bt_panel */
};

/*
 * The panel of symbols[0..nsym) (distinct) on the days in [from_day, to_day] that every one of them has
 * a bar for (listwise). PARITY_ENOTFOUND naming a symbol without any bar ("unknown symbol"),
 * PARITY_EINVAL for duplicates or unordered / non-positive bars, PARITY_ETOOBIG over the limit.
 * An empty intersection gives ndays 0 (callers decide what is too short).
 */
int parity_analytics_panel_build(const struct parity_bar_series *series, size_t nseries, const char *const *symbols,
                                 size_t nsym, int32_t from_day, int32_t to_day, struct parity_analytics_panel *out,
                                 struct parity_quant_err *err);
void parity_analytics_panel_free(struct parity_analytics_panel *p);

/* The struct parity_bt_panel view of a panel (borrowing its arrays). */
struct parity_bt_panel parity_analytics_panel_view(const struct parity_analytics_panel *p);

/* Index of a symbol in the panel, or -1. */
long parity_analytics_panel_find(const struct parity_analytics_panel *p, const char *symbol);

/* Risk of a constant-weight portfolio (rebalanced daily: r_t = sum w_i r_i,t) and of its benchmark. */
struct parity_analytics_risk {
  int32_t from_day, to_day; /* V_0's day and the last day */
  size_t n;                 /* returns */
  struct parity_risk_own own, benchmark;
  struct parity_risk_relative rel; /* the portfolio against the benchmark */
};

/*
 * Weights w[0..nw): distinct symbols with prices, each >= 0, summing to 1 within 1e-9. The days are
 * those in [from_day, to_day] shared by every weighted symbol and the benchmark. Errors: PARITY_EINVAL
 * (a negative or non-finite weight, a sum off 1, duplicates, fewer than 2 returns in the window),
 * PARITY_ENOTFOUND (a symbol or the benchmark without prices), PARITY_ENOMEM.
 */
int parity_analytics_weights_risk(const struct parity_bar_series *series, size_t nseries, const struct parity_weight *w,
                                  size_t nw, const char *benchmark, int32_t from_day, int32_t to_day, double rf,
                                  struct parity_analytics_risk *out, struct parity_quant_err *err);

/* Daily simple returns of a value path v[0..n] into r[0..n). */
void parity_analytics_returns_of_values(const double *v, size_t n, double *r);

#endif
