/* The monthly rebalance run (POST /internal/rebalance): batches out, computed batches executed once. */
#ifndef PARITY_SVC_REBALANCE_H
#define PARITY_SVC_REBALANCE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/config.h"
#include "common/pg.h"
#include "operational/app.h"
#include "operational/svc_error.h"

#define PARITY_REBALANCE_BATCH_SIZE 100 /* portfolios per CMD_REBALANCE_BATCH */

/*
 * Starts the run of `period` (YYYY-MM; NULL = this UTC month). A new run with stale prices ends as
 * stale_aborted (counted, logged, visible in its status); otherwise every invested portfolio goes out in
 * batches. Re-posting a period returns the run as it is (*resumed = true) and never repeats it.
 * PARITY_EINVAL for a malformed period. *out: the run's status.
 */
int parity_svc_rebalance_start(struct parity_db *db, const struct parity_config *cfg, const char *period,
                               struct parity_app_metrics *metrics, json_t **out, bool *resumed,
                               struct parity_svc_error *err);
int parity_svc_rebalance_run_get(struct parity_db *db, int64_t run_id, json_t **out);

/* Executes a computed batch in one transaction; a batch not computed or already applied is left alone. */
int parity_svc_apply_batch(struct parity_db *db, int64_t run_id, int batch_no, struct parity_app_metrics *metrics,
                           int *trades);

/* Applies computed batches whose event never came. */
int parity_svc_rebalance_sweep(struct parity_db *db, struct parity_app_metrics *metrics);

#endif
