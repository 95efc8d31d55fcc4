/* Shared operational state: metric registration and the outbox and planner wake-ups. */
#include "operational/app.h"

void parity_app_metrics_init(struct parity_app_metrics *m)
{
  m->http_requests = parity_metric_register(PARITY_COUNTER, "parity_operational_http_requests_total",
                                            "HTTP requests answered", "route,method,status", NULL, 0);
  m->http_duration = parity_metric_register(PARITY_HISTOGRAM, "parity_operational_http_request_duration_seconds",
                                            "HTTP request latency", "route", NULL, 0);
  m->http_in_flight =
      parity_metric_register(PARITY_GAUGE, "parity_operational_http_requests_in_flight",
                             "HTTP requests whose state is held, this scrape not counted", NULL, NULL, 0);
  m->commands_published =
      parity_metric_register(PARITY_COUNTER, "parity_operational_commands_published_total",
                             "Outbox messages published, by confirm outcome", "type,status", NULL, 0);
  m->outbox_pending = parity_metric_register(PARITY_GAUGE, "parity_operational_outbox_pending",
                                             "Outbox rows not yet confirmed by the broker", NULL, NULL, 0);
  m->rebalance_runs = parity_metric_register(PARITY_COUNTER, "parity_operational_rebalance_runs_total",
                                             "Monthly rebalance runs by final status", "status", NULL, 0);
  m->rebalance_stale_aborts = parity_metric_register(PARITY_COUNTER, "parity_operational_rebalance_stale_aborts_total",
                                                     "Rebalance runs aborted because prices were stale", NULL, NULL, 0);
  m->queue_depth = parity_metric_register(PARITY_GAUGE, "parity_operational_queue_depth",
                                          "Messages ready in each broker queue", "queue", NULL, 0);
  m->dead_letters = parity_metric_register(PARITY_GAUGE, "parity_operational_dead_letter_messages",
                                           "Messages waiting in the dead-letter queue", NULL, NULL, 0);
  m->pipeline_last_success =
      parity_metric_register(PARITY_GAUGE, "parity_operational_pipeline_last_success_timestamp_seconds",
                             "Unix time of the last successful pipeline step", "pipeline", NULL, 0);
  m->rebalance_last_success =
      parity_metric_register(PARITY_GAUGE, "parity_operational_rebalance_last_success_timestamp_seconds",
                             "Unix time of the last completed rebalance run", NULL, NULL, 0);
  m->events_consumed = parity_metric_register(PARITY_COUNTER, "parity_operational_events_consumed_total",
                                              "Events consumed from operational.events", "type,status", NULL, 0);
  m->dividend_payments = parity_metric_register(PARITY_COUNTER, "parity_operational_dividends_credited_total",
                                                "Positions credited a dividend on its ex-date", NULL, NULL, 0);
  m->dividend_cents = parity_metric_register(PARITY_COUNTER, "parity_operational_dividend_cents_total",
                                             "Cents of dividends credited to portfolios' cash", NULL, NULL, 0);
  m->tax_harvests =
      parity_metric_register(PARITY_COUNTER, "parity_operational_tax_harvests_total",
                             "Funds sold by the tax-loss harvest (each bought its family's alternate)", NULL, NULL, 0);
  m->tax_harvested_cents = parity_metric_register(PARITY_COUNTER, "parity_operational_tax_harvested_cents_total",
                                                  "Cents of losses realized by the tax-loss harvest", NULL, NULL, 0);
  m->jobs_stuck = parity_metric_register(PARITY_GAUGE, "parity_operational_jobs_stuck",
                                         "Unfinished jobs past their expected time (marked stuck)", NULL, NULL, 0);
  m->job_watchers = parity_metric_register(PARITY_GAUGE, "parity_operational_job_watchers",
                                           "Open job event streams (GET /internal/jobs/{id}/events)", NULL, NULL, 0);
}
