/* parity-decisional's consumers: one thread per queue, each with its own connections. */
#ifndef PARITY_WORKER_H
#define PARITY_WORKER_H

#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "common/config.h"
#include "common/message.h"
#include "common/metrics.h"
#include "common/pg.h"
#include "decisional/job.h"

void parity_decisional_metrics_init(struct parity_decisional_metrics *m);

/* The handler for a command type, or NULL (h_*.c register through dispatch.c's table). */
parity_job_handler parity_dispatch_handler(enum parity_msg_type type);

/* Result of handling one delivery, for the consumer loop. */
enum parity_dispatch_result {
  PARITY_DISPATCH_ACK,         /* done (or already done): ack */
  PARITY_DISPATCH_RETRY,       /* transient failure: requeue after a pause */
  PARITY_DISPATCH_DEAD_LETTER, /* malformed or permanently failing: reject without requeue */
};

struct parity_worker_shared {
  struct parity_config cfg;
  struct parity_decisional_metrics metrics;
  atomic_int stopping; /* set by SIGTERM/SIGINT, read by every consumer: atomic, as in operational/app.h */
  atomic_int consumers_connected;
};

/* Parses, deduplicates and runs one message; *event gets the envelope to publish, if any (caller frees).
 * progress_db (may be NULL) is the consumer's second connection, where a handler's job progress is written
 * outside its transaction (opened on first use, closed by the caller). */
enum parity_dispatch_result parity_dispatch(struct parity_worker_shared *shared, struct parity_db *db,
                                            struct parity_db *progress_db, const char *body, size_t len,
                                            char **event_body, enum parity_msg_type *event_type, char *event_id);

/*
 * Consumer threads: one per queue, and a second on decisional.rebalance, so that one batch's targets are
 * written while the next one is computed (replicas add more competing consumers the same way).
 */
#define PARITY_WORKER_THREADS 4

int parity_worker_start(struct parity_worker_shared *shared, pthread_t threads[PARITY_WORKER_THREADS]);

#endif
