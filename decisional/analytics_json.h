/*
 * JSON renderings of the analytics results, with the key names tools read (`parity risk`, `parity
 * backtest`, later the API): metrics objects hold total_return, cagr, volatility, sharpe, sortino,
 * max_drawdown, max_drawdown_days, recovered, calmar, var_95, cvar_95, var_99, cvar_99, pvar_95, pvar_99,
 * then (against a benchmark) beta, alpha, tracking_error, information_ratio, correlation. An undefined
 * metric (NaN) is null. Every function returns a new reference (NULL only when out of memory).
 */
#ifndef PARITY_ANALYTICS_JSON_H
#define PARITY_ANALYTICS_JSON_H

#include <jansson.h>

#include "decisional/analytics.h"
#include "decisional/backtest.h"

/* The own-series keys; with rel set, the relative keys too. */
json_t *parity_analytics_metrics_json(const struct parity_risk_own *own, const struct parity_risk_relative *rel);

/* {"days":N,"from":D,"to":D,"metrics":{...},"benchmark":{...}} (N returns; from is V_0's day). */
json_t *parity_analytics_risk_json(const struct parity_analytics_risk *r);

/* {"from":D,"to":D,"decisions":n,"series":{"risk_1_horizon_short":{"metrics":{...},"turnover":x,
 * "executions":n,"values":[["YYYY-MM-DD",v],...]},...,"SPY":{...},"60/40":{...}}}. */
json_t *parity_backtest_result_json(const struct parity_backtest_result *r);

#endif
