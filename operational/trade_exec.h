/* Trade execution at the newest prices in micro-shares: the one place shares and cash change hands. */
#ifndef PARITY_TRADE_EXEC_H
#define PARITY_TRADE_EXEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/pg.h"
#include "operational/svc_portfolio.h"

/* Why a trade happened and what makes it unique (a deploy request, or a monthly run). */
struct parity_trade_origin {
  const char *reason;     /* "invest", "sell" or "rebalance" */
  const char *request_id; /* rebalance_requests.id, or NULL */
  const char *run_id;     /* rebalance_runs.id, or NULL */
};

/*
 * Records one trade and its position change (buy: adds shares and cost; sell: sets what is left).
 * Cash is not touched: the caller settles the portfolio's cash once for all its trades.
 */
int parity_trade_record(struct parity_db *db, int64_t user_id, const char *symbol, bool buy, int64_t shares,
                        int64_t price_micros, int64_t cents, const struct parity_trade_origin *origin,
                        int64_t new_shares, int64_t new_cost);

/*
 * Moves a locked, freshly valued portfolio toward `targets` ({"SYM": w} of its whole value). With
 * allow_sells, overweight positions are sold first (their proceeds fund the buys); buys never spend more
 * than the cash there is, each underweight symbol getting its share when the cash is short. Trades under
 * $1 are skipped and the residue stays as cash. *cash_delta is the change of portfolio cash.
 */
int parity_trade_toward(struct parity_db *db, int64_t user_id, const struct parity_portfolio_view *v,
                        const json_t *targets, bool allow_sells, const struct parity_trade_origin *origin,
                        int64_t *cash_delta, int *trades);

#endif
