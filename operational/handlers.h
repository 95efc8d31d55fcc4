/* HTTP handlers (h_*.c): parse the request, call a service, shape the answer. No SQL here. */
#ifndef PARITY_HANDLERS_H
#define PARITY_HANDLERS_H

#include "common/pg.h"
#include "operational/http.h"
#include "operational/svc_error.h"

/* h_common.c: a failed service call as the answer (code, message, Retry-After); returns rc. */
int parity_res_svc_error(struct parity_response *res, int rc, const struct parity_svc_error *err);

/* h_common.c: a read that needs only the caller: acquire a connection, call fn, release, answer 200. */
typedef int parity_user_read_fn(struct parity_db *db, int64_t user_id, json_t **out);
int parity_h_user_read(struct parity_request *req, struct parity_response *res, parity_user_read_fn *fn);

/* h_common.c: path parameter `index` as a row id: a positive integer of at most 18 digits, else 0 (no such row). */
int64_t parity_req_id_param(const struct parity_request *req, int index);

/* h_probe.c */
int h_livez(struct parity_request *req, struct parity_response *res);
int h_readyz(struct parity_request *req, struct parity_response *res);
int h_metrics(struct parity_request *req, struct parity_response *res);
int h_openapi(struct parity_request *req, struct parity_response *res);

/* h_static.c: the SPA (any GET on the public port outside /api) */
int h_static(struct parity_request *req, struct parity_response *res);

/* h_market.c */
int h_market_status(struct parity_request *req, struct parity_response *res);
int h_market_prices(struct parity_request *req, struct parity_response *res);

/* h_internal.c */
int h_pipeline_daily(struct parity_request *req, struct parity_response *res);
int h_pipeline_intraday(struct parity_request *req, struct parity_response *res);
int h_pipeline_generate(struct parity_request *req, struct parity_response *res);
int h_cleanup(struct parity_request *req, struct parity_response *res);
int h_market_quality(struct parity_request *req, struct parity_response *res);
int h_market_splits_apply(struct parity_request *req, struct parity_response *res);
int h_dividends_credit(struct parity_request *req, struct parity_response *res);
int h_harvest_run(struct parity_request *req, struct parity_response *res);
/* The trigger a job-starting request names (X-Job-Trigger), or a 400 (h_internal.c). */
int h_job_trigger(struct parity_request *req, struct parity_response *res, const char **trigger);
/* jobs (h_jobs.c) */
int h_jobs_list(struct parity_request *req, struct parity_response *res);
int h_job_get(struct parity_request *req, struct parity_response *res);
int h_job_events(struct parity_request *req, struct parity_response *res);
int h_job_retry(struct parity_request *req, struct parity_response *res);

/* h_money.c: the investor's money */
int h_onboarding_questions(struct parity_request *req, struct parity_response *res);
int h_onboarding_submit(struct parity_request *req, struct parity_response *res);
int h_wallet_get(struct parity_request *req, struct parity_response *res);
int h_wallet_deposit(struct parity_request *req, struct parity_response *res);
int h_wallet_withdraw(struct parity_request *req, struct parity_response *res);
int h_portfolio_invest(struct parity_request *req, struct parity_response *res);
int h_portfolio_sell(struct parity_request *req, struct parity_response *res);
int h_portfolio_get(struct parity_request *req, struct parity_response *res);
int h_portfolio_trades(struct parity_request *req, struct parity_response *res);
int h_transactions(struct parity_request *req, struct parity_response *res);

/* h_rebalance.c: the monthly run */
int h_rebalance_start(struct parity_request *req, struct parity_response *res);
int h_rebalance_run(struct parity_request *req, struct parity_response *res);

/* forecasts, models, history */
/* h_forecast.c */
int h_forecast_create(struct parity_request *req, struct parity_response *res);
int h_forecast_get(struct parity_request *req, struct parity_response *res);
/* h_models_api.c */
int h_models_list(struct parity_request *req, struct parity_response *res);
int h_model_get(struct parity_request *req, struct parity_response *res);
/* h_history.c */
int h_portfolio_history(struct parity_request *req, struct parity_response *res);
/* risk and backtests (h_analytics.c) */
int h_model_risk(struct parity_request *req, struct parity_response *res);
int h_model_backtest(struct parity_request *req, struct parity_response *res);
int h_portfolio_risk(struct parity_request *req, struct parity_response *res);
/* the tax ledger (h_tax.c) */
int h_tax_lots(struct parity_request *req, struct parity_response *res);
int h_tax_realized(struct parity_request *req, struct parity_response *res);
int h_tax_report(struct parity_request *req, struct parity_response *res);
int h_tax_harvests(struct parity_request *req, struct parity_response *res);
int h_sell_preview(struct parity_request *req, struct parity_response *res);
int h_settings_get(struct parity_request *req, struct parity_response *res);
int h_settings_patch(struct parity_request *req, struct parity_response *res);

/* h_money.c: the Idempotency-Key header (1..128 printable ASCII, or absent: *key NULL); 400 otherwise. */
int parity_req_idempotency_key(struct parity_request *req, struct parity_response *res, const char **key);
/* h_money.c: the SHA-256 of the request body in hex into out (PARITY_BODY_HASH_TEXT bytes, svc_ledger.h), by
 * which a repeated Idempotency-Key is told apart from the same key reused for another request. */
void parity_req_body_hash(const struct parity_request *req, char *out);

/* h_recurring.c: recurring deposits and their daily job */
int h_recurring_list(struct parity_request *req, struct parity_response *res);
int h_recurring_create(struct parity_request *req, struct parity_response *res);
int h_recurring_update(struct parity_request *req, struct parity_response *res);
int h_recurring_delete(struct parity_request *req, struct parity_response *res);
int h_recurring_run(struct parity_request *req, struct parity_response *res);

/* h_stripe.c: card deposits through Stripe, and the SPA's public configuration */
int h_stripe_intent(struct parity_request *req, struct parity_response *res);
int h_stripe_webhook(struct parity_request *req, struct parity_response *res);
int h_client_config(struct parity_request *req, struct parity_response *res);

/* h_goals.c: savings goals */
int h_goals_list(struct parity_request *req, struct parity_response *res);
int h_goal_create(struct parity_request *req, struct parity_response *res);
int h_goal_get(struct parity_request *req, struct parity_response *res);
int h_goal_update(struct parity_request *req, struct parity_response *res);
int h_goal_delete(struct parity_request *req, struct parity_response *res);

/* h_notifications.c */
int h_notifications_list(struct parity_request *req, struct parity_response *res);
int h_notifications_read(struct parity_request *req, struct parity_response *res);
int h_notification_settings_get(struct parity_request *req, struct parity_response *res);
int h_notification_settings_put(struct parity_request *req, struct parity_response *res);

/* h_statement.c: monthly statements and trade confirmations (JSON or PDF) */
int h_statements_list(struct parity_request *req, struct parity_response *res);
int h_statement_get(struct parity_request *req, struct parity_response *res);
int h_trade_confirmation(struct parity_request *req, struct parity_response *res);

#endif
