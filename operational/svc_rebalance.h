/*
 * The rebalance pipeline's front half: the monthly run (POST /internal/rebalance, GET of a run), the
 * planner's step (one keyset batch of a run), and a deploy (an investor's batch of one). Both kinds of
 * batch carry the same CMD_REBALANCE_BATCH payload and come back as the same EVT_REBALANCE_BATCH_COMPUTED,
 * applied by rebalance_apply.h.
 */
#ifndef PARITY_SVC_REBALANCE_H
#define PARITY_SVC_REBALANCE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/config.h"
#include "common/pg.h"
#include "operational/app.h"
#include "operational/svc_error.h"

/* Batches of a run planned ahead of the applied ones: bounds the outbox, the queue and the targets table
 * while decisional and the appliers catch up. */
#define PARITY_REBALANCE_PLAN_AHEAD 24

/*
 * Starts the run of `period` (YYYY-MM; NULL = this UTC month) and returns at once: the run row, in status
 * planning, is the whole of it (the planner thread takes it from there). A new run with stale prices ends
 * as stale_aborted (counted, logged, visible in its status). Re-posting a period, or a POST racing
 * another one on any replica, returns the period's one run as it is (*resumed = true) and never repeats
 * it. A new run is created with its job (jobs.trigger = trigger), whose progress follows the run's counters
 * (migrations/0013_jobs.sql). PARITY_EINVAL for a malformed period. *out: the run's status (parity_svc_rebalance_run_get).
 */
int parity_svc_rebalance_start(struct parity_db *db, const struct parity_config *cfg, const char *period,
                               const char *trigger, struct parity_app_metrics *metrics, json_t **out, bool *resumed,
                               struct parity_svc_error *err);

/* {run_id, period, status, portfolios, portfolios_total, portfolios_done, batches, batches_computed,
 *  batches_applied, applied, trades, rate_per_second, eta_seconds, started_at, finished_at, error, job_id}. */
int parity_svc_rebalance_run_get(struct parity_db *db, int64_t run_id, json_t **out);

/*
 * One step of the planner: claims a run in status planning (a try-advisory lock: replicas share it), reads the next
 * cfg->rebalance_batch_size portfolios after its cursor, values them with one set-based query, and commits
 * their batch row, its CMD_REBALANCE_BATCH outbox row and the cursor together. Past the last portfolio the
 * run turns running (or complete). *planned: a batch was written (call again; kick the outbox relay).
 */
int parity_rebalance_plan_step(struct parity_db *db, const struct parity_config *cfg,
                               struct parity_app_metrics *metrics, bool *planned);

/*
 * Inside the caller's transaction, with the portfolio row locked: a deploy batch for the investor when its
 * bucket has a model, it has value and none is open. *status: "deploying", "waiting_for_model" or
 * "queued_behind_open_request".
 */
int parity_rebalance_open_deploy(struct parity_db *db, const struct parity_config *cfg, int64_t user_id,
                                 const char **status);

#endif
