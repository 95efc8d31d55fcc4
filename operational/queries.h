/* parity-operational's prepared statements: the names; the SQL lives in queries.c alone. */
#ifndef PARITY_OP_QUERIES_H
#define PARITY_OP_QUERIES_H

#include <stddef.h>

#include "common/pg.h"

enum parity_op_query {
  Q_PING,
  Q_MARKET_STATUS,
  Q_MARKET_PRICES,
  Q_MARKET_SYMBOL_EXISTS,
  Q_OUTBOX_INSERT,
  Q_OUTBOX_CLAIM,
  Q_OUTBOX_MARK_SENT,
  Q_OUTBOX_MARK_FAILED,
  Q_OUTBOX_PENDING,
  Q_PROCESSED_INSERT,
  Q_CLEANUP_PROCESSED,
  Q_CLEANUP_OUTBOX,
  Q_CLEANUP_ACTION_TOKENS,
  Q_CLEANUP_SESSIONS,
  /* accounts and security */
  Q_AUTH_USER_INSERT,
  Q_AUTH_USER_BY_EMAIL,
  Q_AUTH_USER_BY_ID,
  Q_AUTH_USER_ACTIVATE,
  Q_AUTH_PASSWORD_SET,
  Q_AUTH_PASSWORD_RESET,
  Q_AUTH_ME,
  Q_AUTH_TOKEN_RETIRE,
  Q_AUTH_TOKEN_INSERT,
  Q_AUTH_TOKEN_PEEK,
  Q_AUTH_TOKEN_CONSUME,
  Q_AUTH_VERIFY_CONSUME,
  Q_AUTH_MAIL_QUOTA_TAKE,
  Q_AUTH_MAIL_QUOTA_CLEANUP,
  Q_AUTH_ATTEMPTS_LOCK,
  Q_AUTH_ATTEMPTS_SAVE,
  Q_AUTH_ATTEMPTS_CLEAR,
  Q_AUTH_ATTEMPTS_REFUND,
  Q_AUTH_ATTEMPTS_CLEANUP,
  Q_AUTH_SESSION_INSERT,
  Q_AUTH_SESSION_BY_HASH,
  Q_AUTH_SESSION_MARK_USED,
  Q_AUTH_SESSION_CHECK,
  Q_AUTH_SESSION_TOUCH,
  Q_AUTH_SESSIONS_LIST,
  Q_AUTH_FAMILY_REVOKE,
  Q_AUTH_FAMILY_REVOKE_OWNED,
  Q_AUTH_USER_REVOKE_ALL,
  Q_AUTH_TOTP_GET,
  Q_AUTH_TOTP_PUT_PENDING,
  Q_AUTH_TOTP_USE_STEP,
  Q_AUTH_TOTP_ENABLE,
  Q_AUTH_TOTP_DELETE,
  Q_AUTH_RECOVERY_DELETE_ALL,
  Q_AUTH_RECOVERY_INSERT,
  Q_AUTH_RECOVERY_USE,
  /* end of the accounts block */
  /* the investor's money */
  Q_USER_SET_PROFILE,
  Q_WALLET_ENSURE,
  Q_WALLET_GET,
  Q_WALLET_CREDIT,
  Q_WALLET_DEBIT,
  Q_MOVEMENT_INSERT,
  Q_MOVEMENT_SET_RESPONSE,
  Q_MOVEMENT_BY_KEY,
  Q_PORTFOLIO_ENSURE,
  Q_PORTFOLIO_GET,
  Q_PORTFOLIO_LOCK,
  Q_PORTFOLIO_SET_CASH,
  Q_POSITIONS_VALUED,
  Q_POSITIONS_LOCK,
  Q_POSITION_BUY,
  Q_POSITION_SET,
  Q_TRADE_INSERT,
  Q_LATEST_PRICES,
  Q_MODEL_CURRENT,
  Q_MODELS_CURRENT_ALL,
  Q_PORTFOLIO_CONTRIBUTIONS,
  Q_PORTFOLIO_READ,
  Q_PRICES_NEWEST,
  Q_TRADES_LIST,
  Q_TRANSACTIONS_LIST,
  Q_AUDIT_CASH,
  Q_AUDIT_SHARES,
  Q_LAST_PRICE_DAY,
  /* end of the money block */
  /* the rebalance pipeline (monthly runs and deploys: svc_rebalance.c, rebalance_apply.c) */
  Q_RUN_INSERT,
  Q_RUN_BY_PERIOD,
  Q_RUN_GET,
  Q_RUN_CLAIM_PLANNING,
  Q_RUN_PLAN_STATE,
  Q_RUN_PLANNED_BATCH,
  Q_RUN_PLANNED,
  Q_RUN_BATCH_DONE,
  Q_PLAN_PORTFOLIOS,
  Q_BATCH_INSERT,
  Q_DEPLOY_OPEN_FOR_USER,
  Q_BATCH_LOCK,
  Q_BATCH_PORTFOLIOS_LOCK,
  Q_BATCH_TARGETS,
  Q_BATCH_POSITIONS,
  Q_BATCH_CASH_SET,
  Q_BATCH_APPLIED,
  Q_BATCHES_COMPUTED_STALE,
  Q_PORTFOLIOS_WAITING,
  Q_CLEANUP_REBALANCE_TARGETS,
  /* end of the rebalance pipeline */
  /* forecasts, models, history */
  Q_FORECAST_INSERT,
  Q_FORECAST_GET,
  Q_FORECAST_USER_LOCK,
  Q_FORECAST_PENDING_COUNT,
  Q_FORECAST_MARK_NOTIFIED,
  Q_FORECAST_UNNOTIFIED,
  Q_FORECAST_EXPIRE,
  Q_HISTORY_TODAY,
  Q_HISTORY_FLOWS,
  Q_HISTORY_TRADES,
  Q_HISTORY_CLOSES,
  Q_MODEL_RISK,
  Q_MODEL_BACKTEST,
  /* end of forecasts, models, history */
  /* synthetic investors (parity seed-investors) */
  Q_SEED_REAL_USERS,
  Q_SEED_RESERVE_USER_IDS,
  /* end of synthetic investors */
  /* the demo investor's past (parity demo-history) */
  Q_DEMO_USER,
  Q_DEMO_ACTIVITY,
  Q_DEMO_PRICES,
  Q_DEMO_STEP_DONE,
  Q_DEMO_MOVEMENT,
  Q_DEMO_WALLET_ADD,
  Q_DEMO_BATCH_INSERT,
  Q_DEMO_TRADE,
  Q_DEMO_POSITION_SET,
  Q_DEMO_TAX_DATED,
  Q_DEMO_PORTFOLIO_SET,
  Q_DEMO_USER_JOINED,
  /* end of the demo investor's past */
  /* market data: quality findings, splits applied to positions, retention */
  Q_MARKET_QUALITY,
  Q_MARKET_QUALITY_SUMMARY,
  Q_SPLIT_DUE,
  Q_SPLIT_CLAIM,
  Q_SPLIT_POSITIONS,
  Q_CLEANUP_INTRADAY,
  Q_CLEANUP_FORECASTS,
  /* end of market data */
  /* recurring deposits (svc_recurring.c) */
  Q_RECURRING_LIST,
  Q_RECURRING_INSERT,
  Q_RECURRING_BY_KEY,
  Q_RECURRING_UPDATE,
  Q_RECURRING_DELETE,
  Q_RECURRING_RUN_LOCK,
  Q_RECURRING_LOCK_PORTFOLIOS,
  Q_RECURRING_RUN_DAY,
  /* end of recurring deposits */
  /* card deposits through Stripe (svc_stripe.c) */
  Q_STRIPE_INTENT_INSERT,
  Q_STRIPE_EVENT_INSERT,
  Q_STRIPE_INTENT_OWNER,
  Q_STRIPE_CARD_DEPOSIT,
  Q_STRIPE_EVENT_SET_MOVEMENT,
  /* end of card deposits */
  /* dividends (svc_dividends.c) */
  Q_DIVIDENDS_CREDIT_DAY,
  Q_DIVIDENDS_DAY_DONE,
  Q_DIVIDENDS_DAYS_DUE,
  /* end of dividends */
  /* the tax ledger (lots, realized gains, settings: tax_book.c, svc_tax.c) */
  Q_TAX_SETTINGS,
  Q_TAX_SETTINGS_SET,
  Q_TAX_USER_LOTS,
  Q_TAX_BATCH_LOTS,
  Q_TAX_BATCH_LOSSES,
  Q_TAX_FAMILIES,
  Q_TAX_LOTS_VALUED,
  Q_TAX_REALIZED,
  Q_TAX_REPORT,
  Q_AUDIT_LOTS,
  Q_TAX_DIVIDENDS,
  Q_TAX_HARVESTS,
  Q_TAX_HARVESTED,
  /* end of the tax ledger */
  /* the daily tax-loss harvest (svc_harvest.c) */
  Q_HARVEST_RUN_LOCK,
  Q_HARVEST_PENDING,
  Q_HARVEST_LOCK_BATCH,
  Q_HARVEST_APPLY,
  /* end of the harvest */
  /* jobs */
  Q_JOB_INSERT,
  Q_JOB_ADD_MESSAGE,
  Q_JOB_PROGRESS,
  Q_JOB_FINISH,
  Q_JOB_GET,
  Q_JOB_LIST,
  Q_JOB_EVENTS,
  Q_RUN_LOCK_FOR_JOB,
  Q_JOB_LOCK,
  Q_JOB_RETRY,
  Q_RUN_RESUME_FOR_JOB,
  Q_JOBS_MARK_STUCK,
  Q_JOBS_STUCK_COUNT,
  Q_OPS_LAST_JOBS,
  Q_OPS_FRESHNESS,
  /* end of jobs */
  /* goals */
  Q_GOALS_LIST,
  Q_GOAL_INSERT,
  Q_GOAL_UPDATE,
  Q_GOAL_DELETE,
  Q_GOAL_SET_FORECAST,
  /* end of goals */
  /* notifications */
  Q_NOTIF_UNREAD,
  Q_NOTIF_LIST,
  Q_NOTIF_MARK_READ,
  Q_NOTIF_SETTINGS_GET,
  Q_NOTIF_SETTINGS_PUT,
  Q_NOTIF_GOALS_OFF_TRACK,
  Q_NOTIF_MAIL_CLAIM,
  Q_NOTIF_SIGN_IN,
  /* end of notifications */
  /* statements and trade confirmations */
  Q_STATEMENT_MONTHS,
  Q_STATEMENT_CASH,
  Q_STATEMENT_TRADES,
  Q_STATEMENT_INVESTOR,
  Q_TRADE_CONFIRMATION,
  /* end of statements */
  Q_OP_QUERY_COUNT
};

extern const struct parity_stmt parity_op_stmts[Q_OP_QUERY_COUNT];

/* Utility commands PostgreSQL cannot prepare, run with parity_db_exec_sql() by the LISTEN thread
 * (operational/pg_listener.c) on its own connection, one per channel of its table */
#define PARITY_OP_SQL_LISTEN_FORECASTS "LISTEN forecast_done"
#define PARITY_OP_SQL_LISTEN_PRICES "LISTEN prices_changed"
#define PARITY_OP_SQL_LISTEN_MODELS "LISTEN models_changed"
#define PARITY_OP_SQL_LISTEN_JOBS "LISTEN job_events"
#define PARITY_OP_SQL_LISTEN_NOTIFICATIONS "LISTEN notifications_added"
/* the LISTEN thread's connection, told apart from the pool's in pg_stat_activity (operators, tests) */
#define PARITY_OP_SQL_LISTENER_NAME "SET application_name = 'parity-operational listener'"

/* synthetic investors (parity seed-investors): utility commands PostgreSQL cannot prepare (LOCK, COPY,
 * ANALYZE), run with parity_db_exec_sql() or parity_db_copy_begin() */
enum parity_op_sql {
  SQL_OP_SEED_LOCK_USERS,
  SQL_OP_SEED_COPY_USERS,
  SQL_OP_SEED_COPY_WALLETS,
  SQL_OP_SEED_COPY_PORTFOLIOS,
  SQL_OP_SEED_COPY_MOVEMENTS,
  SQL_OP_SEED_COPY_POSITIONS,
  SQL_OP_SEED_COPY_TRADES,
  SQL_OP_SEED_ANALYZE,
  /* the rebalance pipeline: a batch's trades through session-local staging (rebalance_apply.c) */
  SQL_OP_APPLY_STAGE_CREATE,
  SQL_OP_APPLY_COPY_TRADES,
  SQL_OP_APPLY_INSERT_TRADES,
  SQL_OP_APPLY_POSITIONS,
  /* the tax ledger: a transaction's lot changes through session-local staging (tax_book.c) */
  SQL_OP_TAX_STAGE_CREATE,
  SQL_OP_TAX_COPY_LOTS,
  SQL_OP_TAX_COPY_GAINS,
  SQL_OP_TAX_COPY_LOSSES,
  SQL_OP_TAX_APPLY,
  /* synthetic investors: their positions' lots */
  SQL_OP_SEED_COPY_LOTS,
  /* a batch's "rebalance executed" notifications, from the same staging (rebalance_apply.c) */
  SQL_OP_APPLY_NOTIFY,
  SQL_OP_COUNT
};

extern const char *const parity_op_sql[SQL_OP_COUNT];

#endif
