/*
 * Monthly statements and trade confirmations, as JSON and as PDF documents.
 *
 * Decisions (SPEC is silent on them):
 * - A statement covers the investor's whole account: the wallet's cash and the portfolio (its uninvested
 *   cash and its positions). "includes_wallet_cash": true says so in every answer. Contributions are the
 *   deposits into the wallet, withdrawals the withdrawals from it; invests and sales move money between the
 *   wallet and the portfolio and are shown (invested_cents, sold_cents, the trades), never as flows.
 * - Months and days are New York's, as the portfolio history's (svc_history.h): a ledger row belongs to the
 *   month of its created_at in America/New_York.
 * - Values come from the portfolio history's rebuild (parity_history_rebuild_window()): the opening value is
 *   the state at the end of the last day of the previous month, the closing value the state at the end of
 *   the month's last day, each symbol at its newest close on or before that day. The current month ends
 *   today ("complete": false) and is valued at the newest price, as GET /portfolio values it.
 * - The month's figures add up to the cent: opening + contributions − withdrawals + dividends − fees
 *   + market_change = closing. Dividends are income paid into the portfolio; market_change is everything
 *   else the investments gained or lost (price moves and the rounding of trades).
 * - Performance is the portfolio's time-weighted return over the month (the history's daily chain, flows at
 *   the start of the day), which the wallet's cash does not dilute; null when nothing was at risk.
 * - A statement exists for every month from the investor's first ledger row to the current one; any other
 *   month is 404, a text that is not a month 400.
 * - The PDF is rendered from the JSON answer (the same figures by construction) with the writer in pdf.h.
 */
#ifndef PARITY_SVC_STATEMENT_H
#define PARITY_SVC_STATEMENT_H

#include <jansson.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/pg.h"
#include "operational/svc_error.h"

#define PARITY_STATEMENT_MAX_TRADES 2000 /* trades listed on one statement; more sets "trades_truncated" */
#define PARITY_STATEMENT_MAX_MONTHS 1200 /* months GET /statements lists (the newest) */
#define PARITY_STATEMENT_MONTH_TEXT 16   /* "YYYY-MM" and a NUL, with room the compiler can prove */

/* "YYYY-MM" exactly (year 1970..9999, month 01..12); PARITY_EINVAL otherwise. */
int parity_statement_month_parse(const char *text, int *year, int *month);

/* GET /api/v1/statements: {"months":[{"month","complete","activity"}]}, newest first. */
int parity_svc_statement_months(struct parity_db *db, int64_t user_id, json_t **out);

/* GET /api/v1/statements/{YYYY-MM}: the month's statement (the decisions above). PARITY_EINVAL (400) for a
 * text that is not a month, PARITY_ENOTFOUND for a month without a statement; err says which. */
int parity_svc_statement(struct parity_db *db, int64_t user_id, const char *month, json_t **out,
                         struct parity_svc_error *err);

/* GET /api/v1/trades/{id}/confirmation: the trade when it is the investor's, PARITY_ENOTFOUND otherwise. */
int parity_svc_trade_confirmation(struct parity_db *db, int64_t user_id, int64_t trade_id, json_t **out);

/* The PDF of a statement / a confirmation answer above, appended to out. Errors: pdf.h's. */
int parity_statement_pdf(const json_t *statement, struct parity_buf *out);
int parity_confirmation_pdf(const json_t *confirmation, struct parity_buf *out);

#endif
