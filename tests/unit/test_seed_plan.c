/* Synthetic investors: buckets parse, every plan balances to the cent, drifts and counts stay in range. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/errors.h"
#include "decisional/quant/rng.h"
#include "operational/money.h"
#include "operational/seed_plan.h"

static double next_uniform(void *ctx)
{
  return parity_rng_uniform(ctx);
}

/* A draw that is always the same value: the edges of every range. */
static double constant_draw(void *ctx)
{
  return *(const double *)ctx;
}

/* Two models shaped like the bundled data's: 11 symbols (more than 10 held) and 4 (fewer than 5). */
static void two_models(struct parity_seed_model m[2])
{
  static const char *const syms[] = { "VTI", "VOO", "QQQ", "VTV", "VUG", "XLK", "BND", "TLT", "LQD", "HYG", "BNDX" };
  static const double w[] = { 0.062289, 0.064093, 0.045527, 0.145, 0.047, 0.07629, 0.1, 0.03, 0.04, 0.09, 0.299801 };
  static const int64_t prices[] = { 293120000, 535420000, 511230000, 168650000, 394050000, 237300000,
                                    71660000,  87330000,  80890000,  78710000,  48810000 };
  assert_int_equal(parity_seed_model_init(&m[0], "risk_2_horizon_long"), PARITY_OK);
  for (size_t i = 0; i < 11; i++) {
    assert_int_equal(parity_seed_model_add(&m[0], syms[i], w[i]), PARITY_OK);
    m[0].price_micros[i] = prices[i];
  }
  assert_int_equal(parity_seed_model_init(&m[1], "risk_5_horizon_short"), PARITY_OK);
  static const double w2[] = { 0.4, 0.3, 0.2, 0.1 };
  for (size_t i = 0; i < 4; i++) {
    assert_int_equal(parity_seed_model_add(&m[1], syms[i], w2[i]), PARITY_OK);
    m[1].price_micros[i] = prices[i];
  }
}

static void bucket_keys_parse(void **state)
{
  (void)state;
  struct parity_seed_model m;
  assert_int_equal(parity_seed_model_init(&m, "risk_3_horizon_medium"), PARITY_OK);
  assert_int_equal(m.risk, 3);
  assert_string_equal(m.horizon, "medium");
  assert_string_equal(m.bucket, "risk_3_horizon_medium");
  assert_int_equal(parity_seed_model_init(&m, "risk_0_horizon_short"), PARITY_EINVAL);
  assert_int_equal(parity_seed_model_init(&m, "risk_6_horizon_short"), PARITY_EINVAL);
  assert_int_equal(parity_seed_model_init(&m, "risk_1_horizon_later"), PARITY_EINVAL);
  assert_int_equal(parity_seed_model_init(&m, "risk_1_horizon_long_x"), PARITY_EINVAL);
  assert_int_equal(parity_seed_model_init(&m, "risk_12_horizon_long"), PARITY_EINVAL);
  assert_int_equal(parity_seed_model_init(&m, ""), PARITY_EINVAL);
  assert_int_equal(parity_seed_model_init(&m, "risk_1_horizon_long"), PARITY_OK);
  assert_int_equal(parity_seed_model_add(&m, "VTI", 0), PARITY_EINVAL);
  assert_int_equal(parity_seed_model_add(&m, "VTI", NAN), PARITY_EINVAL);
  assert_int_equal(parity_seed_model_add(&m, "A_SYMBOL_FAR_TOO_LONG", 0.5), PARITY_EINVAL);
  for (int i = 0; i < PARITY_SEED_MODEL_SYMBOLS; i++)
    assert_int_equal(parity_seed_model_add(&m, "VTI", 0.01), PARITY_OK);
  assert_int_equal(parity_seed_model_add(&m, "VTI", 0.01), PARITY_EINVAL);
}

/* The ledger invariant `parity audit` checks, per planned investor, and the shape the issue asks for. */
static void plans_balance_to_the_cent(void **state)
{
  (void)state;
  struct parity_seed_model m[2];
  two_models(m);
  struct parity_rng rng;
  parity_rng_seed(&rng, 42);
  size_t per_model[2] = { 0, 0 }, with_wallet = 0;
  for (int i = 0; i < 20000; i++) {
    struct parity_seed_investor p;
    assert_int_equal(parity_seed_plan(m, 2, next_uniform, &rng, &p), PARITY_OK);
    assert_true(p.model < 2);
    per_model[p.model]++;
    const struct parity_seed_model *mm = &m[p.model];
    assert_in_range(p.value_cents, PARITY_SEED_MIN_VALUE_CENTS, PARITY_SEED_MAX_VALUE_CENTS);
    size_t want = mm->n < PARITY_SEED_MIN_POSITIONS ? mm->n : 0;
    if (want)
      assert_int_equal(p.n_buys, want); /* a model with fewer than 5 symbols: all of them */
    else
      assert_in_range(p.n_buys, PARITY_SEED_MIN_POSITIONS, PARITY_SEED_MAX_POSITIONS);
    int64_t spent = 0;
    double held_weight = 0;
    for (size_t b = 0; b < p.n_buys; b++) {
      const struct parity_seed_buy *buy = &p.buys[b];
      for (size_t c = 0; c < b; c++)
        assert_true(p.buys[c].symbol != buy->symbol); /* one position per symbol */
      assert_true(buy->shares_micro > 0);
      assert_int_equal(buy->price_micros, mm->price_micros[buy->symbol]);
      assert_int_equal(buy->amount_cents, parity_value_cents(buy->shares_micro, buy->price_micros));
      assert_true(buy->amount_cents >= PARITY_MIN_TRADE_CENTS);
      /* weight × (1 ± 2..10 %) of the value, less under one micro-share of rounding */
      double ratio = (double)buy->amount_cents / ((double)p.value_cents * mm->weights[buy->symbol]);
      double drift = fabs(ratio - 1.0);
      assert_true(drift >= PARITY_SEED_DRIFT_MIN - 0.001 && drift <= PARITY_SEED_DRIFT_MAX + 0.001);
      spent += buy->amount_cents;
      held_weight += mm->weights[buy->symbol];
    }
    assert_true(p.portfolio_cash_cents >= 0 && p.wallet_cents >= 0);
    assert_true(llabs(p.portfolio_cash_cents - llround((double)p.value_cents * (1.0 - held_weight))) <= 2);
    assert_int_equal(p.invest_cents, spent + p.portfolio_cash_cents);
    assert_int_equal(p.deposit_cents, p.wallet_cents + p.portfolio_cash_cents + spent);
    assert_true(p.invest_cents > 0 && p.deposit_cents <= 1000000000000LL);
    with_wallet += p.wallet_cents > 0;
  }
  /* A fair draw of the bucket and of a wallet balance (binomial, 20000 trials: 6 sigma is about 420). */
  assert_in_range(per_model[0], 9580, 10420);
  assert_in_range(with_wallet, 9580, 10420);
}

/* The same stream gives the same investor; another stream another one. */
static void plans_are_deterministic(void **state)
{
  (void)state;
  struct parity_seed_model m[2];
  two_models(m);
  struct parity_rng a, b, c;
  parity_rng_seed(&a, 7);
  parity_rng_seed(&b, 7);
  parity_rng_seed(&c, 8);
  struct parity_seed_investor pa, pb, pc;
  int differ = 0;
  for (int i = 0; i < 100; i++) {
    assert_int_equal(parity_seed_plan(m, 2, next_uniform, &a, &pa), PARITY_OK);
    assert_int_equal(parity_seed_plan(m, 2, next_uniform, &b, &pb), PARITY_OK);
    assert_int_equal(parity_seed_plan(m, 2, next_uniform, &c, &pc), PARITY_OK);
    assert_memory_equal(&pa, &pb, sizeof(pa));
    differ += memcmp(&pa, &pc, sizeof(pa)) != 0;
  }
  assert_int_equal(differ, 100);
}

/* The ends of every range: a draw of 0 and a draw just under 1 (and even 1) stay inside. */
static void extreme_draws_stay_in_range(void **state)
{
  (void)state;
  struct parity_seed_model m[2];
  two_models(m);
  const double edges[] = { 0.0, 0.999999999, 1.0 };
  for (size_t e = 0; e < 3; e++) {
    struct parity_seed_investor p;
    double u = edges[e];
    assert_int_equal(parity_seed_plan(m, 2, constant_draw, &u, &p), PARITY_OK);
    assert_true(p.model < 2);
    assert_in_range(p.value_cents, PARITY_SEED_MIN_VALUE_CENTS, PARITY_SEED_MAX_VALUE_CENTS);
    assert_int_equal(p.deposit_cents, p.wallet_cents + p.invest_cents);
  }
}

static void refuses_what_it_cannot_price(void **state)
{
  (void)state;
  struct parity_seed_model m[2];
  two_models(m);
  struct parity_seed_investor p;
  double u = 0.0;
  assert_int_equal(parity_seed_plan(m, 0, constant_draw, &u, &p), PARITY_EINVAL);
  m[0].price_micros[3] = 0;
  assert_int_equal(parity_seed_plan(m, 1, constant_draw, &u, &p), PARITY_EINVAL);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(bucket_keys_parse),
    cmocka_unit_test(plans_balance_to_the_cent),
    cmocka_unit_test(plans_are_deterministic),
    cmocka_unit_test(extreme_draws_stay_in_range),
    cmocka_unit_test(refuses_what_it_cannot_price),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
