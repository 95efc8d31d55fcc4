/*
 * Jobs (migrations/0013_jobs.sql): every unit of scheduled or triggered work has a row, created where the
 * work starts (parity_jobs_create), moved by whichever process does it, and announced on every change
 * (NOTIFY job_events, fanned out to watchers by job_watch.c). This is the service half: the writers every
 * job uses, the API's reads, and the retry.
 */
#ifndef PARITY_SVC_JOBS_H
#define PARITY_SVC_JOBS_H

#include <jansson.h>
#include <stdint.h>

#include "common/job_types.h"
#include "common/pg.h"
#include "operational/svc_error.h"

#define PARITY_JOBS_PAGE_DEFAULT 50
#define PARITY_JOBS_PAGE_MAX 500
#define PARITY_JOBS_TRIGGER_HEADER "X-Job-Trigger" /* cronjob | cli | api (the default) */

/* Inserts a job (status "queued", or "running" for work done at once) in the caller's transaction or alone;
 * params is borrowed (NULL: {}). */
int parity_jobs_create(struct parity_db *db, enum parity_job_type type, const char *trigger, const json_t *params,
                       const char *status, int64_t *id);
/* Records a command the job sent (its outbox id), in the transaction that wrote it. */
int parity_jobs_add_message(struct parity_db *db, int64_t job_id, const char *message_id);
/* Progress of a running job; total < 0: not known yet. */
int parity_jobs_progress(struct parity_db *db, int64_t job_id, int64_t done, int64_t total);
/* Ends a queued or running job: status succeeded, failed or aborted (the last two with a reason);
 * counters (borrowed, may be NULL) are merged into the job's. */
int parity_jobs_finish(struct parity_db *db, int64_t job_id, const char *status, const char *reason,
                       const json_t *counters);

/* GET /internal/jobs: the filters as given in the query (any may be NULL). */
struct parity_jobs_query {
  const char *type, *status, *since, *cursor, *limit;
};
/* {"jobs":[...], "next_cursor": text|null}; PARITY_EINVAL (err says which) for a bad filter. */
int parity_svc_jobs_list(struct parity_db *db, const struct parity_jobs_query *q, json_t **out,
                         struct parity_svc_error *err);
/* The job as the API shows it (*out new); PARITY_ENOTFOUND. */
int parity_svc_jobs_get(struct parity_db *db, int64_t id, json_t **out);
/* POST /internal/jobs/{id}/retry: a failed or aborted job runs again, re-sending only its commands whose
 * effect never committed (for a monthly rebalance: the batches never computed; computed ones are applied
 * by the sweep, applied ones stay applied). PARITY_ECONFLICT when the job is not failed or aborted, or when
 * it has nothing to re-send (and is no rebalance run, which plans again by itself). */
int parity_svc_jobs_retry(struct parity_db *db, int64_t id, json_t **out, struct parity_svc_error *err);

/* Pure parts, exposed for unit tests. */
/* The keyset cursor of GET /internal/jobs: the last id of the previous page, in decimal. 0 or PARITY_EINVAL. */
int parity_jobs_cursor_parse(const char *text, int64_t *before);
/* The trigger a request names in PARITY_JOBS_TRIGGER_HEADER (NULL header: "api"); NULL when it names none
 * a request may claim (the schedule and events start jobs from inside the daemon). */
const char *parity_jobs_request_trigger(const char *header);

#endif
