/*
 * One idempotent money operation: the transaction every deposit, withdrawal, invest and sell runs in.
 * parity_ledger_run owns begin, the lock order, the Idempotency-Key lookup with its body hash, storing
 * the first answer, commit or rollback, and the one retry after losing a race on the key; an operation
 * only says what moves (struct parity_ledger_op).
 */
#ifndef PARITY_LEDGER_H
#define PARITY_LEDGER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/pg.h"
#include "operational/svc_error.h"
#include "operational/svc_ledger.h"

struct parity_ledger_tx;

/* What differs between the money operations. */
struct parity_ledger_op {
  const char *kind; /* cash_movements.kind: the movement's, and the scope a key may not be reused across */
  /*
   * Optional, first in the transaction: locks what comes before the wallet in the lock order (the
   * portfolio row) and may refuse. The key is looked up after it, so such a refusal wins over a replay.
   */
  int (*lock)(struct parity_ledger_tx *tx);
  /* Moves the money, calls parity_ledger_record() once, and sets *body (new reference) to the answer. */
  int (*step)(struct parity_ledger_tx *tx, json_t **body);
};

/* One attempt, as the operation's callbacks see it. */
struct parity_ledger_tx {
  struct parity_db *db;
  const struct parity_money_request *rq;
  const struct parity_ledger_op *op;
  void *ctx;                      /* the operation's own state, as given to parity_ledger_run */
  struct parity_svc_error *err;   /* for the operation's refusals */
  char uid[PARITY_I64_TEXT];      /* rq->user_id as statement text */
  char movement[PARITY_I64_TEXT]; /* the movement's id, once parity_ledger_record() ran */
};

/*
 * Runs `op` for `rq` in one transaction (twice when a concurrent request with the same key committed
 * first: the second run finds and returns that first answer). *out: the answer (new reference); a
 * repeated key returns the first answer with *replayed = true. A key reused with another body or kind
 * is PARITY_ECONFLICT with err->code IDEMPOTENCY_KEY_REUSED.
 */
int parity_ledger_run(struct parity_db *db, const struct parity_money_request *rq, const struct parity_ledger_op *op,
                      void *ctx, json_t **out, bool *replayed, struct parity_svc_error *err);

/* Records the movement of amount_cents (with the key and body hash) and sets tx->movement. */
int parity_ledger_record(struct parity_ledger_tx *tx, int64_t amount_cents);

/*
 * Credits or debits the wallet by cents and sets *cash to the new balance; a debit over the balance is
 * PARITY_ECONFLICT with err->code INSUFFICIENT_FUNDS.
 */
int parity_ledger_wallet(struct parity_ledger_tx *tx, bool credit, int64_t cents, int64_t *cash);

#endif
