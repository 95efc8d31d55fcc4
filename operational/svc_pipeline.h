/* The market-data pipeline commands (daily sync then models, intraday sync) and housekeeping. */
#ifndef PARITY_SVC_PIPELINE_H
#define PARITY_SVC_PIPELINE_H

#include <jansson.h>

#include "common/config.h"
#include "common/pg.h"

#define PARITY_DAILY_LOOKBACK_DAYS 1900 /* five years of calendar days and some slack */
#define PARITY_CLEANUP_KEEP_DAYS 30
#define PARITY_INTRADAY_KEEP_DAYS 14 /* intraday bars value today's positions; two weeks cover any late reader */

/* Every symbol the pipeline syncs: equities, bonds and the benchmark, as a new JSON array. */
json_t *parity_svc_universe_new(const struct parity_config *cfg);

/* Each starts a job (trigger: who asked, jobs.trigger) and answers with its id. */
/* Queues CMD_SYNC_DAILY (the models follow when its EVT_SYNC_DONE arrives). *out: {"status","message_id","job_id"}. */
int parity_svc_pipeline_daily(struct parity_db *db, const struct parity_config *cfg, const char *trigger, json_t **out);
/* Queues CMD_SYNC_INTRADAY. */
int parity_svc_pipeline_intraday(struct parity_db *db, const struct parity_config *cfg, const char *trigger,
                                 json_t **out);
/* Queues CMD_GENERATE for the configured universe (after a daily sync, or by hand). */
int parity_svc_pipeline_generate(struct parity_db *db, const struct parity_config *cfg, const char *trigger,
                                 json_t **out);
/* The same, inside the caller's open transaction (the events consumer's). */
int parity_svc_pipeline_generate_in_tx(struct parity_db *db, const struct parity_config *cfg, json_t **out);
/*
 * After EVT_MODELS_GENERATED: queues CMD_BACKTEST (the models' risk and backtest) for the models' as-of
 * day, in one transaction with the event's processed_messages row, so a redelivered event queues nothing.
 */
int parity_svc_pipeline_backtest_after_models(struct parity_db *db, const struct parity_config *cfg,
                                              const char *event_id, const char *as_of);
/* Deletes expired tokens, old sessions, sent outbox rows and old processed-message ids. */
int parity_svc_cleanup(struct parity_db *db, const char *trigger, json_t **out);

#endif
