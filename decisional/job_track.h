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
/* Outside any transaction (so it shows while the handler runs); a failure is logged, not returned. */
void parity_job_track_started(struct parity_db *db, const struct parity_message *msg);
/* In the handler's open transaction, after it returned PARITY_OK: job->failure set means the job failed. */
int parity_job_track_done(const struct parity_job *job);
/* After a rollback, for a command about to be dead-lettered (body as received: it may not even parse). */
void parity_job_track_dead_lettered(struct parity_db *db, const char *body, size_t len, const char *reason);

#endif
