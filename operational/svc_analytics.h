/*
 * Risk and backtests as the API shows them (SPEC §8a):
 * - a model's risk and walk-forward backtest, read from model_analytics (CMD_BACKTEST writes it after
 *   every CMD_GENERATE);
 * - an investor's risk, computed here from the time-weighted daily returns GET /portfolio/history
 *   rebuilds, against SPY, with the pure functions of decisional/quant/risk.c (linked, not copied).
 *
 * Decisions (SPEC §8a is silent on them):
 * - Backtest values are thinned to at most PARITY_ANALYTICS_MAX_POINTS per series unless full=1, by the
 *   history endpoint's rule: the last point and every k-th one counted back from it, plus the first,
 *   with k = ceil((n - 1) / (max - 2)); the three series keep the same days. Metrics are of the full series.
 * - An investor's returns are taken on SPY's trading days, so annualising by 252 means what it means for
 *   the models: the return between two trading days chains the history's daily sub-period returns
 *   between them (weekends and holidays included, flows at the start of their day). The first return
 *   starts at the range's base (the history's first point) when SPY has a close on or before it.
 * - The benchmark is SPY's `close`, the same price series the portfolio is valued at. The portfolio's
 *   return includes the dividends credited to it (svc_dividends.h), SPY's here does not: the comparison
 *   flatters the portfolio by SPY's yield (about 1.3 % a year) until the benchmark uses adj_close. rf is 0.
 * - Fewer than PARITY_PORTFOLIO_RISK_MIN_RETURNS returns (about a trading month) is not an error: the
 *   answer is 200 with status "not_enough_history" and the reason, as is a series the metrics refuse.
 */
#ifndef PARITY_SVC_ANALYTICS_H
#define PARITY_SVC_ANALYTICS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/pg.h"
#include "operational/svc_error.h"

#define PARITY_ANALYTICS_MAX_POINTS 1000 /* backtest values per series unless full=1 */
#define PARITY_ANALYTICS_THINNING "every_kth_from_last"
#define PARITY_PORTFOLIO_RISK_MIN_RETURNS 20 /* daily returns an investor's risk needs */
#define PARITY_PORTFOLIO_RISK_DEFAULT_RANGE "1Y"
#define PARITY_PORTFOLIO_RISK_BENCHMARK "SPY"

/* GET /models/{bucket}/risk. PARITY_ENOTFOUND for an unknown bucket or one not computed yet. */
int parity_svc_model_risk(struct parity_db *db, const char *bucket, json_t **out, struct parity_svc_error *err);

/* GET /models/{bucket}/backtest: the bucket, SPY and 60/40, thinned unless full. Errors as above. */
int parity_svc_model_backtest(struct parity_db *db, const char *bucket, bool full, json_t **out,
                              struct parity_svc_error *err);

/* GET /portfolio/risk?range=: PARITY_EINVAL for a bad range (message in err); short history is a 200. */
int parity_svc_portfolio_risk(struct parity_db *db, int64_t user_id, const char *range, json_t **out,
                              struct parity_svc_error *err);

/*
 * The pure part of the investor's risk: the returns on the benchmark's trading days. growth[0..days) is
 * 1 + the history's TWR per calendar day from first_day; bench_days/bench_px[0..nb) the benchmark's
 * closes, increasing, the first possibly on or before first_day (the base). Fills r and b (room for nb
 * each) and returns the number of returns; *from_day and *to_day get the first and last grid day.
 */
size_t parity_portfolio_risk_returns(const double *growth, size_t days, int32_t first_day, const int32_t *bench_days,
                                     const double *bench_px, size_t nb, double *r, double *b, int32_t *from_day,
                                     int32_t *to_day);

#endif
