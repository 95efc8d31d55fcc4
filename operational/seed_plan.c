/* Synthetic investors: one investor's deposit, invest, buys and cash, from models, prices and draws. */
#include "operational/seed_plan.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/errors.h"
#include "operational/money.h"

int parity_seed_model_init(struct parity_seed_model *m, const char *bucket)
{
  static const char *const horizons[] = { "short", "medium", "long" };
  memset(m, 0, sizeof(*m));
  int risk = 0, used = 0;
  char horizon[8] = "";
  if (sscanf(bucket, "risk_%1d_horizon_%7[a-z]%n", &risk, horizon, &used) != 2 || bucket[used] != '\0' || risk < 1 ||
      risk > 5)
    return PARITY_EINVAL;
  for (size_t i = 0; i < sizeof(horizons) / sizeof(horizons[0]); i++) {
    if (strcmp(horizon, horizons[i]) == 0) {
      snprintf(m->bucket, sizeof(m->bucket), "%s", bucket);
      snprintf(m->horizon, sizeof(m->horizon), "%s", horizon);
      m->risk = risk;
      return PARITY_OK;
    }
  }
  return PARITY_EINVAL;
}

int parity_seed_model_add(struct parity_seed_model *m, const char *symbol, double weight)
{
  if (m->n == PARITY_SEED_MODEL_SYMBOLS || !isfinite(weight) || weight <= 0 || weight > 1 || !symbol[0] ||
      strlen(symbol) >= sizeof(m->symbols[0]))
    return PARITY_EINVAL;
  snprintf(m->symbols[m->n], sizeof(m->symbols[0]), "%s", symbol);
  m->weights[m->n] = weight;
  m->price_micros[m->n] = 0;
  m->n++;
  return PARITY_OK;
}

/* floor(u * n) for a draw u in [0, 1), kept below n even if a generator returned 1. */
static size_t draw_index(parity_seed_uniform_fn uniform, void *ctx, size_t n)
{
  size_t i = (size_t)(uniform(ctx) * (double)n);
  return i < n ? i : n - 1;
}

int parity_seed_plan(const struct parity_seed_model *models, size_t n_models, parity_seed_uniform_fn uniform, void *ctx,
                     struct parity_seed_investor *out)
{
  memset(out, 0, sizeof(*out));
  if (n_models == 0)
    return PARITY_EINVAL;
  out->model = draw_index(uniform, ctx, n_models);
  const struct parity_seed_model *m = &models[out->model];
  if (m->n == 0)
    return PARITY_EINVAL;
  for (size_t i = 0; i < m->n; i++)
    if (m->price_micros[i] <= 0)
      return PARITY_EINVAL;

  /* Log-uniform values: many small portfolios and a few large ones, as real books have. */
  double lo = log((double)PARITY_SEED_MIN_VALUE_CENTS), hi = log((double)PARITY_SEED_MAX_VALUE_CENTS);
  int64_t value = (int64_t)llround(exp(lo + uniform(ctx) * (hi - lo)));
  out->value_cents = value;

  /* Which symbols are held: the first k of a partial Fisher-Yates shuffle of the model's symbols. */
  size_t order[PARITY_SEED_MODEL_SYMBOLS];
  for (size_t i = 0; i < m->n; i++)
    order[i] = i;
  size_t k =
      PARITY_SEED_MIN_POSITIONS + draw_index(uniform, ctx, PARITY_SEED_MAX_POSITIONS - PARITY_SEED_MIN_POSITIONS + 1);
  if (k > m->n)
    k = m->n;
  for (size_t j = 0; j < k; j++) {
    size_t r = j + draw_index(uniform, ctx, m->n - j);
    size_t t = order[j];
    order[j] = order[r];
    order[r] = t;
  }

  /* Each held symbol drifts from its weight; the weight of those not held stays cash in the portfolio. */
  double cash_weight = 0;
  for (size_t j = k; j < m->n; j++)
    cash_weight += m->weights[order[j]];
  int64_t spent = 0;
  for (size_t j = 0; j < k; j++) {
    size_t s = order[j];
    double drift = PARITY_SEED_DRIFT_MIN + uniform(ctx) * (PARITY_SEED_DRIFT_MAX - PARITY_SEED_DRIFT_MIN);
    if (uniform(ctx) < 0.5)
      drift = -drift;
    int64_t budget = (int64_t)llround((double)value * m->weights[s] * (1.0 + drift));
    int64_t shares = 0;
    int rc = parity_shares_for_cents(budget, m->price_micros[s], &shares);
    if (rc)
      return rc;
    int64_t cents = parity_value_cents(shares, m->price_micros[s]);
    if (shares <= 0 || cents < PARITY_MIN_TRADE_CENTS) {
      cash_weight += m->weights[s]; /* a buy under $1 is never made (trade_exec.c skips it too) */
      continue;
    }
    out->buys[out->n_buys++] = (struct parity_seed_buy){ s, shares, m->price_micros[s], cents };
    spent += cents;
  }
  out->portfolio_cash_cents = (int64_t)llround((double)value * cash_weight);
  out->wallet_cents =
      uniform(ctx) < 0.5 ? 0 : (int64_t)llround((double)value * PARITY_SEED_WALLET_SHARE * uniform(ctx));
  out->invest_cents = spent + out->portfolio_cash_cents;
  out->deposit_cents = out->invest_cents + out->wallet_cents;
  return PARITY_OK;
}
