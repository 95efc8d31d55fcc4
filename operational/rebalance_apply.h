/* The rebalance pipeline's back half: a computed batch (monthly or deploy) turned into trades, once. */
#ifndef PARITY_REBALANCE_APPLY_H
#define PARITY_REBALANCE_APPLY_H

#include <stdbool.h>
#include <stdint.h>

#include "common/config.h"
#include "common/pg.h"
#include "operational/app.h"

/*
 * Applies a computed batch in one transaction, set-based: the batch row locked (computed -> applied, once;
 * a batch not computed, applied already, or being applied elsewhere is left alone: *trades = -1), its
 * portfolios locked in user order, targets, positions and prices read in three statements, the trades
 * planned in memory (trade_plan.h), then written with one COPY into staging, one INSERT into trades, one
 * upsert of the traded positions, one UPDATE of the changed portfolios' cash, and the run's counters.
 * *run_complete: this batch was the run's last.
 */
int parity_svc_apply_batch(struct parity_db *db, int64_t batch_id, struct parity_app_metrics *metrics, int *trades,
                           bool *run_complete);

/*
 * Housekeeping the first events consumer runs every few seconds, by index only: applies computed batches
 * whose event never came, and opens deploys for invested cash that waits for a model. *kicked is set when
 * it wrote the outbox.
 */
int parity_svc_rebalance_sweep(struct parity_db *db, const struct parity_config *cfg,
                               struct parity_app_metrics *metrics, bool *kicked);

#endif
