/* HTTP handlers (h_*.c): parse the request, call a service, shape the answer. No SQL here. */
#ifndef PARITY_HANDLERS_H
#define PARITY_HANDLERS_H

#include "operational/http.h"
#include "operational/svc_error.h"

/* h_common.c: a failed service call as the answer (code, message, Retry-After); returns rc. */
int parity_res_svc_error(struct parity_response *res, int rc, const struct parity_svc_error *err);

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

#endif
