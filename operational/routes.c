/* The route table: a route is a row (method, path, listeners, auth, handler, metrics name). */
#include "operational/h_auth.h"
#include "operational/handlers.h"

#define PUB PARITY_LISTEN_PUBLIC
#define INT PARITY_LISTEN_INTERNAL

const struct parity_route parity_routes[] = {
  { "GET", "/livez", PUB | INT, PARITY_AUTH_NONE, h_livez, "probe" },
  { "GET", "/readyz", PUB | INT, PARITY_AUTH_NONE, h_readyz, "probe" },
  { "GET", "/metrics", INT, PARITY_AUTH_NONE, h_metrics, "metrics" },
  { "GET", "/api/v1/openapi.json", PUB, PARITY_AUTH_NONE, h_openapi, "openapi" },

  /* accounts and security */
  { "POST", "/api/v1/auth/register", PUB, PARITY_AUTH_NONE, h_auth_register, "auth_register" },
  { "POST", "/api/v1/auth/verify-email", PUB, PARITY_AUTH_NONE, h_auth_verify_email, "auth_verify_email" },
  { "POST", "/api/v1/auth/login", PUB, PARITY_AUTH_NONE, h_auth_login, "auth_login" },
  { "POST", "/api/v1/auth/login/2fa", PUB, PARITY_AUTH_NONE, h_auth_login_2fa, "auth_login_2fa" },
  { "POST", "/api/v1/auth/refresh", PUB, PARITY_AUTH_NONE, h_auth_refresh, "auth_refresh" },
  { "POST", "/api/v1/auth/logout", PUB, PARITY_AUTH_NONE, h_auth_logout, "auth_logout" },
  { "POST", "/api/v1/auth/logout-all", PUB, PARITY_AUTH_USER, h_auth_logout_all, "auth_logout_all" },
  { "POST", "/api/v1/auth/forgot-password", PUB, PARITY_AUTH_NONE, h_auth_forgot_password, "auth_forgot_password" },
  { "POST", "/api/v1/auth/reset-password", PUB, PARITY_AUTH_NONE, h_auth_reset_password, "auth_reset_password" },
  { "POST", "/api/v1/auth/change-password", PUB, PARITY_AUTH_USER, h_auth_change_password, "auth_change_password" },
  { "GET", "/api/v1/me", PUB, PARITY_AUTH_USER, h_me, "me" },
  { "GET", "/api/v1/me/sessions", PUB, PARITY_AUTH_USER, h_me_sessions, "me_sessions" },
  { "DELETE", "/api/v1/me/sessions/{id}", PUB, PARITY_AUTH_USER, h_me_session_revoke, "me_session_revoke" },
  { "POST", "/api/v1/me/2fa/setup", PUB, PARITY_AUTH_USER, h_me_2fa_setup, "me_2fa_setup" },
  { "POST", "/api/v1/me/2fa/enable", PUB, PARITY_AUTH_USER, h_me_2fa_enable, "me_2fa_enable" },
  { "POST", "/api/v1/me/2fa/disable", PUB, PARITY_AUTH_USER, h_me_2fa_disable, "me_2fa_disable" },
  { "POST", "/api/v1/me/2fa/recovery-codes", PUB, PARITY_AUTH_USER, h_me_2fa_recovery_codes, "me_2fa_recovery_codes" },

  { "GET", "/api/v1/market/status", PUB, PARITY_AUTH_NONE, h_market_status, "market_status" },
  { "GET", "/api/v1/market/prices/{symbol}", PUB, PARITY_AUTH_NONE, h_market_prices, "market_prices" },

  { "POST", "/internal/pipeline/daily", INT, PARITY_AUTH_INTERNAL, h_pipeline_daily, "pipeline_daily" },
  { "POST", "/internal/pipeline/intraday", INT, PARITY_AUTH_INTERNAL, h_pipeline_intraday, "pipeline_intraday" },
  { "POST", "/internal/models/generate", INT, PARITY_AUTH_INTERNAL, h_pipeline_generate, "models_generate" },
  { "POST", "/internal/cleanup", INT, PARITY_AUTH_INTERNAL, h_cleanup, "cleanup" },

  /* the investor's money */
  { "GET", "/api/v1/onboarding/questions", PUB, PARITY_AUTH_NONE, h_onboarding_questions, "onboarding_questions" },
  { "POST", "/api/v1/onboarding", PUB, PARITY_AUTH_USER, h_onboarding_submit, "onboarding" },
  { "GET", "/api/v1/wallet", PUB, PARITY_AUTH_USER, h_wallet_get, "wallet" },
  { "POST", "/api/v1/wallet/deposits", PUB, PARITY_AUTH_USER, h_wallet_deposit, "wallet_deposit" },
  { "POST", "/api/v1/wallet/withdrawals", PUB, PARITY_AUTH_USER, h_wallet_withdraw, "wallet_withdraw" },
  { "POST", "/api/v1/portfolio/invest", PUB, PARITY_AUTH_USER, h_portfolio_invest, "portfolio_invest" },
  { "POST", "/api/v1/portfolio/sell", PUB, PARITY_AUTH_USER, h_portfolio_sell, "portfolio_sell" },
  { "GET", "/api/v1/portfolio", PUB, PARITY_AUTH_USER_SESSION_IN_HANDLER, h_portfolio_get, "portfolio" },
  { "GET", "/api/v1/portfolio/trades", PUB, PARITY_AUTH_USER, h_portfolio_trades, "portfolio_trades" },
  { "GET", "/api/v1/transactions", PUB, PARITY_AUTH_USER, h_transactions, "transactions" },
  { "POST", "/internal/rebalance", INT, PARITY_AUTH_INTERNAL, h_rebalance_start, "rebalance_start" },
  { "GET", "/internal/rebalance/runs/{id}", INT, PARITY_AUTH_INTERNAL, h_rebalance_run, "rebalance_run" },

  /* forecasts, models, history */
  { "POST", "/api/v1/forecasts", PUB, PARITY_AUTH_USER, h_forecast_create, "forecast_create" },
  { "GET", "/api/v1/forecasts/{id}", PUB, PARITY_AUTH_USER, h_forecast_get, "forecast_get" },
  { "GET", "/api/v1/models", PUB, PARITY_AUTH_NONE, h_models_list, "models" },
  { "GET", "/api/v1/models/{bucket}", PUB, PARITY_AUTH_NONE, h_model_get, "model" },
  { "GET", "/api/v1/portfolio/history", PUB, PARITY_AUTH_USER, h_portfolio_history, "portfolio_history" },
  { "GET", "/api/v1/models/{bucket}/risk", PUB, PARITY_AUTH_NONE, h_model_risk, "model_risk" },
  { "GET", "/api/v1/models/{bucket}/backtest", PUB, PARITY_AUTH_NONE, h_model_backtest, "model_backtest" },
  { "GET", "/api/v1/portfolio/risk", PUB, PARITY_AUTH_USER, h_portfolio_risk, "portfolio_risk" },

  /* market data: quality findings, splits */
  { "GET", "/internal/market/quality", INT, PARITY_AUTH_INTERNAL, h_market_quality, "market_quality" },
  { "POST", "/internal/market/splits/apply", INT, PARITY_AUTH_INTERNAL, h_market_splits_apply, "market_splits_apply" },
  /* recurring deposits and card deposits */
  { "GET", "/api/v1/recurring-deposits", PUB, PARITY_AUTH_USER, h_recurring_list, "recurring_list" },
  { "POST", "/api/v1/recurring-deposits", PUB, PARITY_AUTH_USER, h_recurring_create, "recurring_create" },
  { "PATCH", "/api/v1/recurring-deposits/{id}", PUB, PARITY_AUTH_USER, h_recurring_update, "recurring_update" },
  { "DELETE", "/api/v1/recurring-deposits/{id}", PUB, PARITY_AUTH_USER, h_recurring_delete, "recurring_delete" },
  { "POST", "/internal/recurring", INT, PARITY_AUTH_INTERNAL, h_recurring_run, "recurring_run" },
  { "POST", "/api/v1/wallet/deposits/intent", PUB, PARITY_AUTH_USER, h_stripe_intent, "wallet_deposit_intent" },
  { "POST", "/api/v1/webhooks/stripe", PUB, PARITY_AUTH_NONE, h_stripe_webhook, "webhook_stripe" },
  { "GET", "/api/v1/config", PUB, PARITY_AUTH_NONE, h_client_config, "client_config" },

  /* dividends */
  { "POST", "/internal/dividends/credit", INT, PARITY_AUTH_INTERNAL, h_dividends_credit, "dividends_credit" },

  /* the tax ledger */
  { "GET", "/api/v1/tax/lots", PUB, PARITY_AUTH_USER, h_tax_lots, "tax_lots" },
  { "GET", "/api/v1/tax/realized", PUB, PARITY_AUTH_USER, h_tax_realized, "tax_realized" },
  { "GET", "/api/v1/tax/report", PUB, PARITY_AUTH_USER, h_tax_report, "tax_report" },
  { "GET", "/api/v1/tax/harvests", PUB, PARITY_AUTH_USER, h_tax_harvests, "tax_harvests" },
  { "POST", "/internal/harvest", INT, PARITY_AUTH_INTERNAL, h_harvest_run, "harvest_run" },
  { "POST", "/api/v1/portfolio/sell/preview", PUB, PARITY_AUTH_USER, h_sell_preview, "sell_preview" },
  { "GET", "/api/v1/me/settings", PUB, PARITY_AUTH_USER, h_settings_get, "settings" },
  { "PATCH", "/api/v1/me/settings", PUB, PARITY_AUTH_USER, h_settings_patch, "settings_patch" },

  /* jobs: every unit of scheduled or triggered work, its live progress, its retry */
  { "GET", "/internal/jobs", INT, PARITY_AUTH_INTERNAL, h_jobs_list, "jobs_list" },
  { "GET", "/internal/jobs/{id}", INT, PARITY_AUTH_INTERNAL, h_job_get, "job_get" },
  { "GET", "/internal/jobs/{id}/events", INT, PARITY_AUTH_INTERNAL, h_job_events, "job_events" },
  { "POST", "/internal/jobs/{id}/retry", INT, PARITY_AUTH_INTERNAL, h_job_retry, "job_retry" },

  /* goals */
  { "GET", "/api/v1/goals", PUB, PARITY_AUTH_USER, h_goals_list, "goals" },
  { "POST", "/api/v1/goals", PUB, PARITY_AUTH_USER, h_goal_create, "goal_create" },
  { "GET", "/api/v1/goals/{id}", PUB, PARITY_AUTH_USER, h_goal_get, "goal" },
  { "PATCH", "/api/v1/goals/{id}", PUB, PARITY_AUTH_USER, h_goal_update, "goal_update" },
  { "DELETE", "/api/v1/goals/{id}", PUB, PARITY_AUTH_USER, h_goal_delete, "goal_delete" },

  /* notifications */
  { "GET", "/api/v1/notifications", PUB, PARITY_AUTH_USER, h_notifications_list, "notifications" },
  { "POST", "/api/v1/notifications/read", PUB, PARITY_AUTH_USER, h_notifications_read, "notifications_read" },
  { "GET", "/api/v1/notifications/settings", PUB, PARITY_AUTH_USER, h_notification_settings_get,
    "notification_settings" },
  { "PUT", "/api/v1/notifications/settings", PUB, PARITY_AUTH_USER, h_notification_settings_put,
    "notification_settings_put" },

  /* statements and trade confirmations ({month} is YYYY-MM, or YYYY-MM.pdf for the document) */
  { "GET", "/api/v1/statements", PUB, PARITY_AUTH_USER, h_statements_list, "statements" },
  { "GET", "/api/v1/statements/{month}", PUB, PARITY_AUTH_USER, h_statement_get, "statement" },
  { "GET", "/api/v1/trades/{id}/confirmation", PUB, PARITY_AUTH_USER, h_trade_confirmation, "trade_confirmation" },

  /* the SPA: any other public GET (see PARITY_ROUTE_FALLBACK); counted as "unmatched", as a 404 would be */
  { "GET", "/", PUB | PARITY_ROUTE_FALLBACK, PARITY_AUTH_NONE, h_static, "unmatched" },
};

const size_t parity_routes_count = sizeof(parity_routes) / sizeof(parity_routes[0]);
