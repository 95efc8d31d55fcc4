/*
 * Synthetic investors for scale tests (`parity seed-investors`): what one investor's ledger holds,
 * planned from the current models and prices with the money rules of money.c. Pure: no I/O, no globals;
 * the randomness comes from the caller's generator, so a seed gives the same investors every time.
 */
#ifndef PARITY_SEED_PLAN_H
#define PARITY_SEED_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "operational/svc_portfolio.h"

/*
 * Every synthetic investor's email ends in "@" PARITY_SEED_EMAIL_DOMAIN. The .invalid top-level domain
 * (RFC 2606) can never receive mail, and the domain is how the seeder tells its own users from real ones:
 * it refuses to write next to a real user unless forced.
 */
#define PARITY_SEED_EMAIL_DOMAIN "seed.parity.invalid"
/* Stored instead of an argon2id hash: the password check refuses anything else, so nobody logs in. */
#define PARITY_SEED_PASSWORD_HASH "!synthetic investor from parity seed-investors: no password"

#define PARITY_SEED_MAX_INVESTORS 10000000L /* one run; 10^7 investors is about 200 million rows */
#define PARITY_SEED_MODEL_SYMBOLS 32        /* symbols of one model (the universe has 19) */
#define PARITY_SEED_MIN_POSITIONS 5
#define PARITY_SEED_MAX_POSITIONS 10
#define PARITY_SEED_DRIFT_MIN 0.02 /* a held weight is the model's times 1 ± [MIN, MAX] */
#define PARITY_SEED_DRIFT_MAX 0.10
#define PARITY_SEED_MIN_VALUE_CENTS 100000LL /* portfolio values are log-uniform in [$1,000, $200,000) */
#define PARITY_SEED_MAX_VALUE_CENTS 20000000LL
#define PARITY_SEED_WALLET_SHARE 0.10 /* half the investors keep up to 10% of that value in the wallet */

/* One bucket's current model, priced: weights of the symbols in the model's order, newest prices. */
struct parity_seed_model {
  char bucket[PARITY_BUCKET_MAX];
  int risk;        /* 1..5, from the bucket key */
  char horizon[8]; /* short, medium or long, from the bucket key */
  size_t n;
  char symbols[PARITY_SEED_MODEL_SYMBOLS][16];
  double weights[PARITY_SEED_MODEL_SYMBOLS];
  int64_t price_micros[PARITY_SEED_MODEL_SYMBOLS];
};

/* One buy, as a deploy batch would have recorded it: value of the shares at the price, in cents. */
struct parity_seed_buy {
  size_t symbol; /* index into the model's symbols */
  int64_t shares_micro;
  int64_t price_micros;
  int64_t amount_cents;
};

/*
 * One investor's ledger: a deposit of deposit_cents, an invest of invest_cents, and the buys; what the
 * buys did not spend of the invest is portfolio cash, what was not invested stays in the wallet, so
 * deposit = wallet + portfolio cash + Σ buys exactly (the invariant `parity audit` checks).
 */
struct parity_seed_investor {
  size_t model; /* index into the models */
  int64_t value_cents;
  int64_t deposit_cents, invest_cents, wallet_cents, portfolio_cash_cents;
  size_t n_buys;
  struct parity_seed_buy buys[PARITY_SEED_MAX_POSITIONS];
};

/* A uniform draw on [0, 1) from the caller's generator. */
typedef double (*parity_seed_uniform_fn)(void *ctx);

/*
 * Fills *m from a bucket key ("risk_R_horizon_H") and its weights; prices are set by the caller.
 * PARITY_EINVAL for a key that is not one of the 15 buckets, a non-positive weight, or too many symbols.
 */
int parity_seed_model_init(struct parity_seed_model *m, const char *bucket);
int parity_seed_model_add(struct parity_seed_model *m, const char *symbol, double weight);

/*
 * Plans one investor: a bucket drawn uniformly among the models, a portfolio value, 5 to 10 of the model's
 * symbols (all of them when it has fewer) each bought at weight × (1 ± 2..10 %) of that value in whole
 * micro-shares at its price (parity_shares_for_cents, parity_value_cents), the weight of the symbols not
 * held kept as portfolio cash (so a monthly rebalance has cash to spend and positions to buy and trim),
 * and sometimes cash left in the wallet. PARITY_EINVAL when there is no model or a price is not positive.
 */
int parity_seed_plan(const struct parity_seed_model *models, size_t n_models, parity_seed_uniform_fn uniform, void *ctx,
                     struct parity_seed_investor *out);

#endif
