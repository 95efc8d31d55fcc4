/*
 * Model portfolio generation (CMD_GENERATE) and forecast inputs (CMD_FORECAST) from daily prices held
 * in memory. Pure: no SQL, no AMQP, no globals; the worker reads daily_prices, calls these, and
 * stores the JSON. Given the same series, universe, parameters and as-of day, the output is identical
 * (nothing in it depends on the clock), so regenerating for an as-of day is idempotent.
 *
 * Alignment (SPEC §8): bars after the as-of day are ignored. The window is the last lookback + 1
 * trading days of the union of the candidates' calendars. A candidate with fewer than
 * min_common_days + 1 prices in the window (fewer than min_common_days returns) is left out and
 * reported in `excluded` with the reason, never silently; the others are aligned on the days they all
 * have in the window (listwise), and daily simple returns p_t / p_{t-1} - 1 of adj_close are taken
 * between consecutive common days.
 * Generation: equities are ranked by annualised Sharpe (quant/sharpe.h) and the top N kept, entering
 * HRP in decreasing Sharpe order (as the original service's nlargest gives them; SPEC §8); bonds are
 * all kept, in universe order; HRP per class (quant/hrp.h); the blend to 15 buckets
 * with the minimum-weight cut and micro-unit rounding (quant/blend.h).
 */
#ifndef PARITY_MODELS_H
#define PARITY_MODELS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "decisional/bars.h"
#include "decisional/quant/blend.h"
#include "decisional/quant/quant_err.h"
#include "decisional/quant/weights.h"

#define PARITY_MODELS_MAX_SYMBOLS 256        /* symbols in one universe or one weights map */
#define PARITY_MODELS_AS_OF_LATEST INT32_MAX /* as-of day that keeps every bar */
#define PARITY_MODELS_UNIVERSE_TEXT_MAX 4096 /* bytes of a comma-separated universe list */

struct parity_models_params {
  int lookback;        /* returns in the window (MODEL_LOOKBACK_DAYS) */
  int min_common_days; /* MODEL_MIN_COMMON_DAYS */
  int top_equities;    /* MODEL_TOP_EQUITIES */
  double min_weight;   /* MODEL_MIN_WEIGHT */
  unsigned threads;    /* for the covariance kernel; 0 = its default */
};

/* The defaults of common/config_vars.h (PARITY_DEFAULT_MODEL_*). */
void parity_models_params_defaults(struct parity_models_params *p);
void parity_models_params_from_config(const struct parity_config *cfg, struct parity_models_params *p);

/* Symbols of one universe, owned by the caller. */
struct parity_models_universe {
  const char *const *equities;
  size_t nequities;
  const char *const *bonds;
  size_t nbonds;
};

/*
 * Splits "VTI,VOO,..." into symbols (each checked with parity_symbol_valid, no duplicates).
 * out has room for max symbols. PARITY_EINVAL / PARITY_ETOOBIG with a message.
 */
int parity_models_parse_symbols(const char *list, char (*out)[PARITY_SYMBOL_MAX], size_t max, size_t *n,
                                struct parity_quant_err *err);

/* The series of `symbol` in s[0..n), or NULL. */
const struct parity_bar_series *parity_models_find_series(const struct parity_bar_series *s, size_t n,
                                                          const char *symbol);

/* Checks bars [from, end) of a series: strictly increasing days, finite positive adj_close.
 * PARITY_EINVAL naming the symbol and day. */
int parity_models_check_bars(const struct parity_bar_series *s, size_t from, size_t end, struct parity_quant_err *err);

/* Owned by the caller; release with parity_models_result_free. */
struct parity_models_result {
  int32_t as_of_day;   /* the last common day used */
  int32_t from_day;    /* the first common day used */
  size_t returns_used; /* daily returns in the aligned window */
  json_t *buckets;     /* {"risk_1_horizon_short": {"VTI": 0.123456, ...}, ...}: model_portfolios.weights */
  json_t *diagnostics; /* {"risk_1_horizon_short": {...}, ...}: model_portfolios.diagnostics */
  json_t *excluded;    /* [{"symbol": "VNQI", "reason": "...", "days": 120}, ...] */
};

/*
 * Generates the 15 model portfolios. `series` holds at least the universe's symbols (others are
 * ignored); each series must be strictly increasing by day with finite, positive adj_close.
 * Errors (with a message): PARITY_EINVAL (bad universe, bad parameters, unordered or invalid bars),
 * PARITY_ENUMERIC (no equity or no bond with enough history, too few common days, a constant
 * series, a degenerate cluster), PARITY_ENOMEM.
 */
int parity_models_generate(const struct parity_bar_series *series, size_t nseries,
                           const struct parity_models_universe *universe, const struct parity_models_params *params,
                           int32_t as_of_day, struct parity_models_result *out, struct parity_quant_err *err);
void parity_models_result_free(struct parity_models_result *res);

/*
 * The same 15 models at full precision: the blended weights after the cut, before micro-unit rounding
 * (what the walk-forward backtest trades). Caller-owned (about 32 KiB: allocate it); symbols are
 * borrowed from `series`. Bucket k is (risk - 1) * PARITY_BLEND_HORIZONS + horizon, as blend.h numbers
 * them; weights[k][i] is symbol i's weight, 0 when cut. Same inputs and errors as parity_models_generate,
 * and the same numbers before rounding (no diagnostics are built, so it is faster).
 */
struct parity_models_exact {
  int32_t as_of_day, from_day;
  size_t returns_used;
  size_t n, neq;                                  /* symbols: the selected equities (decreasing Sharpe), then bonds */
  size_t nexcluded;                               /* universe symbols left out (no or too little history) */
  const char *symbols[PARITY_MODELS_MAX_SYMBOLS]; /* [n] */
  double weights[PARITY_BLEND_BUCKETS][PARITY_MODELS_MAX_SYMBOLS];
};

int parity_models_generate_exact(const struct parity_bar_series *series, size_t nseries,
                                 const struct parity_models_universe *universe,
                                 const struct parity_models_params *params, int32_t as_of_day,
                                 struct parity_models_exact *out, struct parity_quant_err *err);

/* {"as_of": "YYYY-MM-DD", "excluded": [...], "buckets": {...}} plus "diagnostics" when asked.
 * A new reference (the result keeps its own). */
json_t *parity_models_result_json(const struct parity_models_result *res, int with_diagnostics);

/* Forecast inputs of a portfolio (SPEC §8): from daily log returns l of the weighted portfolio over
 * the lookback (cash earns 0): sigma = sqrt(252) sd(l), g = 252 mean(l), mu = g + sigma^2 / 2. */
struct parity_forecast_inputs {
  double mu, sigma, log_drift;
  size_t returns_used;
  int32_t from_day, to_day;
};

/*
 * Weights w[0..nw) may include PARITY_QUANT_CASH and may sum to less than 1 (the rest is cash); each
 * non-cash symbol must have enough history (min_common_days returns in the window), else
 * PARITY_ENUMERIC naming it. All cash gives mu = sigma = 0.
 */
int parity_models_forecast_inputs(const struct parity_bar_series *series, size_t nseries, const struct parity_weight *w,
                                  size_t nw, const struct parity_models_params *params, int32_t as_of_day,
                                  struct parity_forecast_inputs *out, struct parity_quant_err *err);

/* {"SYM": w, ...} (numbers, CASH allowed) into out[0..max). PARITY_EINVAL / PARITY_ETOOBIG. */
int parity_models_weights_from_json(const json_t *obj, struct parity_weight *out, size_t max, size_t *n,
                                    struct parity_quant_err *err);

#endif
