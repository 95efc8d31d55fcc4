/* The transactional outbox: commands written with the state change, published later with confirms. */
#ifndef PARITY_OUTBOX_H
#define PARITY_OUTBOX_H

#include <jansson.h>
#include <pthread.h>

#include "common/message.h"
#include "common/pg.h"

struct parity_app;
struct parity_amqp;
struct parity_metric;

#define PARITY_OUTBOX_BATCH 100

/*
 * Validates `payload` for `type` and inserts the outbox row in the caller's open transaction.
 * The message id (the outbox row id) is written to id_out (PARITY_UUID_TEXT bytes) when not NULL.
 */
int parity_outbox_enqueue(struct parity_db *db, enum parity_msg_type type, const json_t *payload, char *id_out);

/* The relay thread: publishes pending rows and marks them sent only after the broker's confirm. */
int parity_outbox_relay_start(struct parity_app *app, pthread_t *thread);

/* One pass of the relay (exposed for tests): publishes up to PARITY_OUTBOX_BATCH rows. */
/* `published_metric` ({type,status}) may be NULL. */
int parity_outbox_relay_once(struct parity_db *db, struct parity_amqp *amqp, struct parity_metric *published_metric,
                             int *published);

#endif
