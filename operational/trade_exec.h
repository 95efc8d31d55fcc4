/* Recording one trade and its position change (a sell's; rebalance batches: rebalance_apply.c). */
#ifndef PARITY_TRADE_EXEC_H
#define PARITY_TRADE_EXEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/pg.h"
#include "operational/svc_portfolio.h"

/* Why a trade happened and what makes it unique (rebalance batches record theirs set-based, with their
 * batch id: rebalance_apply.c). */
struct parity_trade_origin {
  const char *reason;     /* "invest", "sell" or "rebalance" */
  const char *request_id; /* rebalance_requests.id (rows before 0006), or NULL */
  const char *run_id;     /* rebalance_runs.id, or NULL */
};

/*
 * Records one trade and its position change (buy: adds shares and cost; sell: sets what is left).
 * Cash is not touched: the caller settles the portfolio's cash once for all its trades. *trade_id (when not
 * NULL) gets the trade's id, which its realized gain rows name.
 */
int parity_trade_record(struct parity_db *db, int64_t user_id, const char *symbol, bool buy, int64_t shares,
                        int64_t price_micros, int64_t cents, const struct parity_trade_origin *origin,
                        int64_t new_shares, int64_t new_cost, int64_t *trade_id);

#endif
