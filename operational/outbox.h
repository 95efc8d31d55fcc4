/* The transactional outbox writer: commands are written with the state change and published later by the relay. */
#ifndef PARITY_OUTBOX_H
#define PARITY_OUTBOX_H

#include <jansson.h>

#include "common/message.h"
#include "common/pg.h"

/*
 * Validates `payload` for `type` and inserts the outbox row in the caller's open transaction.
 * The message id (the outbox row id) is written to id_out (PARITY_UUID_TEXT bytes) when not NULL.
 */
int parity_outbox_enqueue(struct parity_db *db, enum parity_msg_type type, const json_t *payload, char *id_out);

#endif
