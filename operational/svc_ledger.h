/*
 * The investor's money: wallet deposits and withdrawals, invest and sell.
 * Every change of cash or shares is one transaction that locks the portfolio row first (then the
 * wallet), keyed by an Idempotency-Key where a client can repeat it; the schema's CHECKs make a negative
 * balance impossible even if this code were wrong.
 */
#ifndef PARITY_SVC_LEDGER_H
#define PARITY_SVC_LEDGER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/config.h"
#include "common/pg.h"
#include "operational/svc_error.h"

#define PARITY_IDEMPOTENCY_KEY_MAX 128
/* A request body's SHA-256 in hex and its NUL: what a repeated key's request is compared by. */
#define PARITY_BODY_HASH_TEXT 65

/* A money-moving request as the handlers pass it on. */
struct parity_money_request {
  int64_t user_id;
  int64_t amount_cents;                  /* 1..PARITY_MAX_AMOUNT_CENTS, or 0 with `all` for a sell */
  bool all;                              /* sell everything */
  const char *idempotency_key;           /* NULL when the client sent none */
  char body_hash[PARITY_BODY_HASH_TEXT]; /* SHA-256 hex of the request body, to refuse a key reused with another body */
};

int parity_svc_wallet_get(struct parity_db *db, int64_t user_id, json_t **out);

/*
 * The money operations share one signature (handlers call them alike; cfg is used by invest only).
 * *out: the 201 body; a repeated Idempotency-Key returns the first body again (*replayed = true).
 * Refusals fill *err with a specific code (INSUFFICIENT_FUNDS, ONBOARDING_REQUIRED, NOTHING_TO_SELL, ...).
 */
typedef int parity_money_fn(struct parity_db *db, const struct parity_config *cfg,
                            const struct parity_money_request *rq, json_t **out, bool *replayed,
                            struct parity_svc_error *err);

/* {"id","kind","amount_cents","cash_cents"}. */
parity_money_fn parity_svc_deposit;
parity_money_fn parity_svc_withdraw;

/*
 * Moves cash from the wallet into the portfolio (as pending cash) and, when the bucket has a model,
 * opens a deploy batch (a batch of one, CMD_REBALANCE_BATCH through the outbox) in the same transaction.
 */
parity_money_fn parity_svc_invest;

/* Spends portfolio cash first, then sells every position pro rata; proceeds go to the wallet. */
parity_money_fn parity_svc_sell;

/* GET /portfolio/trades and GET /transactions pages. */
int parity_svc_trades(struct parity_db *db, int64_t user_id, long page, long limit, json_t **out);
int parity_svc_transactions(struct parity_db *db, int64_t user_id, long page, long limit, json_t **out);

#endif
