/* The outbox relay: publishes pending outbox rows with publisher confirms and marks them sent. */
#ifndef PARITY_OUTBOX_RELAY_H
#define PARITY_OUTBOX_RELAY_H

#include <pthread.h>

#include "common/pg.h"

struct parity_app;
struct parity_amqp;
struct parity_metric;

#define PARITY_OUTBOX_BATCH 100

/* The relay thread: publishes pending rows and marks them sent only after the broker's confirm. */
int parity_outbox_relay_start(struct parity_app *app, pthread_t *thread);

/* One pass of the relay (exposed for tests): publishes up to PARITY_OUTBOX_BATCH rows. */
/* `published_metric` ({type,status}) may be NULL. */
int parity_outbox_relay_once(struct parity_db *db, struct parity_amqp *amqp, struct parity_metric *published_metric,
                             int *published);

#endif
