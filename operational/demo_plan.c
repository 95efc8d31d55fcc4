/* The demo investor's schedule and one step's trades (demo_plan.h). */
#include "operational/demo_plan.h"

#include <stdlib.h>
#include <string.h>

#include "common/calendar.h"
#include "common/errors.h"
#include "operational/money.h"

static int month_of(int32_t day)
{
  int y, m, d;
  parity_day_to_ymd(day, &y, &m, &d);
  return y * 12 + m;
}

int parity_demo_schedule(const int32_t *days, size_t ndays, int years, int32_t *steps, size_t max, size_t *nsteps)
{
  *nsteps = 0;
  if (years < 1 || years > PARITY_DEMO_MAX_YEARS || ndays == 0)
    return PARITY_EINVAL;
  for (size_t i = 1; i < ndays; i++)
    if (days[i] <= days[i - 1])
      return PARITY_EINVAL;
  int32_t join = parity_day_add_months(days[ndays - 1], -12 * years);
  if (days[0] > join)
    return PARITY_EINVAL;
  size_t i = 0;
  while (days[i] < join)
    i++;
  /* days[ndays - 1] >= join, so i is a day of the data. */
  steps[(*nsteps)++] = days[i];
  for (i++; i + 1 < ndays; i++) {
    if (month_of(days[i]) == month_of(days[i + 1]))
      continue;
    if (*nsteps == max)
      return PARITY_ETOOBIG;
    steps[(*nsteps)++] = days[i];
  }
  return PARITY_OK;
}

/* jsonb's order of object keys: shorter first, then by bytes. The model comes from model_portfolios.weights
 * and the targets from rebalance_targets.targets, both jsonb, and the order is the order of the sums. */
static int jsonb_key_order(const void *a, const void *b)
{
  const struct parity_weight *x = a, *y = b;
  size_t lx = strlen(x->symbol), ly = strlen(y->symbol);
  if (lx != ly)
    return lx < ly ? -1 : 1;
  return strcmp(x->symbol, y->symbol);
}

static int64_t model_price(const struct parity_demo_step_input *in, const char *symbol)
{
  for (size_t i = 0; i < in->nmodel; i++)
    if (strcmp(in->model[i].symbol, symbol) == 0)
      return in->model_price_micros[i];
  return 0;
}

int parity_demo_step(const struct parity_demo_step_input *in, struct parity_demo_step_plan *out)
{
  memset(out, 0, sizeof(*out));
  if (in->nmodel > PARITY_REBALANCE_MAX_ASSETS || in->nheld >= PARITY_REBALANCE_MAX_ASSETS)
    return PARITY_ETOOBIG;
  /* Current weights as operational sends them: each priced position with value, then cash. */
  struct parity_weight current[PARITY_REBALANCE_MAX_ASSETS], model[PARITY_REBALANCE_MAX_ASSETS];
  size_t ncur = 0;
  int64_t value = in->cash_cents;
  for (size_t i = 0; i < in->nheld; i++)
    if (in->held[i].shares_micro > 0)
      value += parity_value_cents(in->held[i].shares_micro, in->held[i].price_micros);
  for (size_t i = 0; value > 0 && i < in->nheld; i++) {
    int64_t v =
        in->held[i].shares_micro > 0 ? parity_value_cents(in->held[i].shares_micro, in->held[i].price_micros) : 0;
    if (v <= 0 || strlen(in->held[i].symbol) >= PARITY_QUANT_SYMBOL_MAX)
      continue;
    memcpy(current[ncur].symbol, in->held[i].symbol, strlen(in->held[i].symbol) + 1);
    current[ncur++].w = (double)v / (double)value;
  }
  if (value > 0 && in->cash_cents > 0) {
    memcpy(current[ncur].symbol, PARITY_QUANT_CASH, sizeof(PARITY_QUANT_CASH));
    current[ncur++].w = (double)in->cash_cents / (double)value;
  }
  memcpy(model, in->model, in->nmodel * sizeof(*model));
  qsort(model, in->nmodel, sizeof(*model), jsonb_key_order);

  struct parity_quant_err err = { 0 };
  int rc = parity_rebalance_compute(current, ncur, model, in->nmodel, in->threshold, 1, &out->targets, &err);
  if (rc)
    return rc;
  struct parity_plan_target targets[PARITY_TRADE_PLAN_MAX];
  size_t ntargets = 0;
  for (size_t i = 0; i < out->targets.n && ntargets < PARITY_TRADE_PLAN_MAX; i++)
    targets[ntargets++] = (struct parity_plan_target){ out->targets.adjusted[i].symbol, out->targets.adjusted[i].w,
                                                       model_price(in, out->targets.adjusted[i].symbol) };
  struct parity_plan_input plan = { in->cash_cents, in->held, in->nheld, targets, ntargets, in->allow_sells };
  return parity_trade_plan(&plan, out->trades, &out->ntrades, &out->cash_delta);
}
