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

struct parity_decisional_metrics {
  struct parity_metric *messages;          /* {type,status} */
  struct parity_metric *message_duration;  /* {type} */
  struct parity_metric *forecast_duration;
  struct parity_metric *hrp_duration;
  struct parity_metric *rows_upserted;
};

void parity_decisional_metrics_init(struct parity_decisional_metrics *m);

/* What a handler gets: an open transaction, the validated message, and where to leave its event. */
struct parity_job {
  struct parity_db *db;
  const struct parity_config *cfg;
  const struct parity_message *msg;
  struct parity_decisional_metrics *metrics;
  atomic_int *stop;
  enum parity_msg_type event_type; /* set with event_payload to publish an event after commit */
  json_t *event_payload;           /* owned by the job once set */
  const char *outcome;             /* metrics status when not plain "ok" (e.g. "data_error") */
};

/*
 * A handler runs inside the transaction that also records the message as processed. It returns
 * PARITY_OK to commit (including when it recorded a failure of the data, not of the system), a
 * transient error (PARITY_EDB, EAMQP, EIO, ERATE, EUPSTREAM, EUNAVAILABLE) to roll back and retry
 * later, or a permanent one (PARITY_EINVAL, ENUMERIC, ...) to roll back and dead-letter.
 */
typedef int (*parity_job_handler)(struct parity_job *job);

/* The handler for a command type, or NULL (h_*.c register through dispatch.c's table). */
parity_job_handler parity_dispatch_handler(enum parity_msg_type type);

/* Handlers (decisional/h_*.c). */
int parity_h_sync_daily(struct parity_job *job);
int parity_h_sync_intraday(struct parity_job *job);
int parity_h_generate(struct parity_job *job);
/* forecasts, models, history */
int parity_h_forecast(struct parity_job *job);
int parity_h_rebalance_user(struct parity_job *job);
int parity_h_rebalance_batch(struct parity_job *job);

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

/* Parses, deduplicates and runs one message; *event gets the envelope to publish, if any (caller frees). */
enum parity_dispatch_result parity_dispatch(struct parity_worker_shared *shared, struct parity_db *db,
                                            const char *body, size_t len, char **event_body,
                                            enum parity_msg_type *event_type, char *event_id);

/* Starts one consumer thread per queue. */
int parity_worker_start(struct parity_worker_shared *shared, pthread_t threads[3]);

#endif
