/*
 * The job a command works for (its payload's "job_id", migrations/0013_jobs.sql), moved by the dispatcher
 * around the handler: running at the first delivery, succeeded or failed with the handler's effect (one
 * transaction), failed with the reason when the command is dead-lettered. A rebalance batch is a part of
 * its run's job, which the run's own counters move: only its dead-lettering touches the job.
 */
#ifndef PARITY_JOB_TRACK_H
#define PARITY_JOB_TRACK_H

#include <stddef.h>

#include "decisional/job.h"

/* The job of msg, 0 when it names none. */
int64_t parity_job_track_id(const struct parity_message *msg);
/* The job of msg as a statement parameter in buf, NULL when it names none (a run table's job_id column). */
const char *parity_job_track_id_text(const struct parity_message *msg, char buf[PARITY_I64_TEXT]);
/*
 * Progress of the running job of job->msg (total < 0: not known yet), written at once on job->progress_db so
 * that watchers see it move while the handler's transaction is still open (the effect and the final state
 * still commit together). Advisory: a failure is logged, never returned, and nothing is written for a
 * command without a job, a rebalance batch, or a job without a progress connection.
 */
void parity_job_track_progress(const struct parity_job *job, int64_t done, int64_t total);
/* Outside any transaction (so it shows while the handler runs); a failure is logged, not returned. */
void parity_job_track_started(struct parity_db *db, const struct parity_message *msg);
/* In the handler's open transaction, after it returned PARITY_OK: job->failure set means the job failed. */
int parity_job_track_done(const struct parity_job *job);
/* After a rollback, for a command about to be dead-lettered (body as received: it may not even parse). */
void parity_job_track_dead_lettered(struct parity_db *db, const char *body, size_t len, const char *reason);

#endif
