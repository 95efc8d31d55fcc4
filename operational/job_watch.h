/*
 * The job watchers: every GET /internal/jobs/{id}/events stream holds a slot here, and the LISTEN thread
 * (pg_listener.c) offers each job_events notification to the slots of its job. The notification carries
 * the job's state (job_event() in migrations/0013_jobs.sql), so a watcher costs no database work beyond
 * the one read when it arrives, however many watch and however often the job moves.
 *
 * The slots are bounded (PARITY_JOB_WATCHERS_MAX): the HTTP listeners run a thread per connection, and a
 * stream holds its thread for the job's lifetime, so an unbounded number of watchers would take the
 * threads (and connections) the API needs. A watcher beyond the bound is answered 503 with Retry-After.
 * A client that went away is noticed at the next write, so its slot is free again within a heartbeat.
 *
 * A slot keeps only the job's newest state (by its revision): progress is a state, not a log, so a slow
 * watcher skips intermediate states but always sees the last one, which ends its stream when final.
 */
#ifndef PARITY_JOB_WATCH_H
#define PARITY_JOB_WATCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define PARITY_JOB_EVENTS_CHANNEL "job_events"
#define PARITY_JOB_WATCHERS_MAX 32
#define PARITY_JOB_WATCH_RETRY_AFTER_SECONDS 5
#define PARITY_JOB_HEARTBEAT_SECONDS 15
#define PARITY_JOB_STUCK_SWEEP_SECONDS 30
#define PARITY_JOB_WATCH_SLICE_MS 500 /* a waiting stream re-checks shutdown this often */

struct parity_app;
struct parity_db;
struct parity_job_watch;

/* Sets up the registry (app->job_watch), before the LISTEN thread starts; frees it after the last stream. */
int parity_job_watch_start(struct parity_app *app);
void parity_job_watch_stop(struct parity_app *app);

/* A slot for job_id; PARITY_EUNAVAILABLE when all are taken. */
int parity_job_watch_subscribe(struct parity_job_watch *w, int64_t job_id, int *slot);
void parity_job_watch_unsubscribe(struct parity_job_watch *w, int slot);
/* Offers a job's state (job_event() JSON text) to the slots watching that job; older revisions are dropped. */
void parity_job_watch_offer(struct parity_job_watch *w, const char *event);
/*
 * Waits up to wait_ms for a state newer than *rev in the slot. true with *event (new, the caller frees),
 * *rev and *final set; false on timeout or when *stop is set.
 */
bool parity_job_watch_next(struct parity_job_watch *w, int slot, int64_t *rev, char **event, bool *final, int wait_ms,
                           const atomic_int *stop);
/* How many slots are in use (metrics, tests). */
int parity_job_watch_count(struct parity_job_watch *w);

/* The job_events channel's hooks in the LISTEN thread's table (pg_listener.h). */
int parity_job_watch_on_notified(struct parity_app *app, struct parity_db *db, const char *payload);
int parity_job_watch_on_connected(struct parity_app *app, struct parity_db *db);
/* Every PARITY_JOB_STUCK_SWEEP_SECONDS: marks unfinished jobs past their expected time stuck, sets the gauge. */
int parity_job_watch_on_tick(struct parity_app *app, struct parity_db *db);

#endif
