/*
 * The daily tax-loss harvest, for every investor at once (the rule: tax_harvest.h; one investor's plan:
 * harvest_plan.h). Triggered after the daily pipeline's closes are in (EVT_SYNC_DONE), by POST
 * /internal/harvest (the CronJob) and by hand; each run is a job of type tax_harvest.
 *
 * Rules (decided here):
 * - Investors with investor_settings.tax_loss_harvesting on, in keyset slices of PARITY_HARVEST_BATCH_SIZE
 *   by user id, one transaction per slice: the slice's portfolios locked in user order, then its
 *   positions, lots, recent losses and the family members' newest prices read with one statement each,
 *   every investor planned in memory, and the harvests written with one statement (trades of reason
 *   'harvest', positions, cash, the investor's day and the harvest rows) plus the tax book's staging.
 * - Once per investor and UTC day: an investor harvested today (tax_harvest_days, written in the
 *   harvest's transaction) is passed over by every later run of the day. An investor with nothing to
 *   harvest is not marked, so a later run the same day (new prices) may still harvest it, once.
 * - Trades are priced at the newest price of each fund, as a sell and a deploy are; the thresholds come
 *   from TAX_HARVEST_MIN_LOSS_CENTS and TAX_HARVEST_MIN_LOSS_BPS.
 */
#ifndef PARITY_SVC_HARVEST_H
#define PARITY_SVC_HARVEST_H

#include <jansson.h>

#include "common/config.h"
#include "common/pg.h"

struct parity_app_metrics;

/*
 * Runs the harvest of today (UTC) as a job started by `trigger`. *out (new reference, may be NULL):
 * {"job_id","day","batches","investors","harvested_investors","harvests","loss_cents","wash_blocked",
 * "no_alternate"}. `metrics` may be NULL (the CLI). A failed batch rolls back alone and fails the job; the
 * batches before it stay harvested, and a re-run goes on with the investors left.
 */
int parity_svc_harvest_run(struct parity_db *db, const struct parity_config *cfg, const char *trigger,
                           struct parity_app_metrics *metrics, json_t **out);

#endif
