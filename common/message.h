/* The AMQP message contract (SPEC §6): types, queues, the envelope and payload validation. */
#ifndef PARITY_MESSAGE_H
#define PARITY_MESSAGE_H

#include <jansson.h>
#include <stddef.h>

#include "common/ids.h" /* parity_uuid_v4: every message id */

#define PARITY_MESSAGE_VERSION 1
#define PARITY_MESSAGE_MAX_BYTES (4u << 20) /* a rebalance batch of 5,000 portfolios (about 2 MB) fits */

#define PARITY_EXCHANGE_COMMANDS "parity.commands"
#define PARITY_EXCHANGE_EVENTS "parity.events"
#define PARITY_EXCHANGE_DLX "parity.dlx"
#define PARITY_QUEUE_DEAD "parity.dead"
#define PARITY_QUEUE_INTERACTIVE "decisional.interactive"
#define PARITY_QUEUE_PIPELINE "decisional.pipeline"
#define PARITY_QUEUE_REBALANCE "decisional.rebalance"
#define PARITY_QUEUE_EVENTS "operational.events"

enum parity_msg_type {
  PARITY_MSG_UNKNOWN = 0,
  PARITY_CMD_SYNC_DAILY,
  PARITY_CMD_SYNC_INTRADAY,
  PARITY_CMD_GENERATE,
  PARITY_CMD_FORECAST,
  PARITY_CMD_REBALANCE_BATCH,
  PARITY_CMD_BACKTEST,
  PARITY_EVT_SYNC_DONE,
  PARITY_EVT_MODELS_GENERATED,
  PARITY_EVT_FORECAST_DONE,
  PARITY_EVT_REBALANCE_BATCH_COMPUTED,
  PARITY_MSG_TYPE_COUNT
};

/* "CMD_SYNC_DAILY" etc.; NULL for out-of-range values. */
const char *parity_msg_type_name(enum parity_msg_type type);
enum parity_msg_type parity_msg_type_parse(const char *name);
/* The queue a command is consumed from, or NULL for events. */
const char *parity_msg_type_queue(enum parity_msg_type type);
/* True for CMD_*: published on parity.commands; events go to parity.events. */
int parity_msg_type_is_command(enum parity_msg_type type);

/* A parsed, validated message. `doc` owns everything; `payload` is borrowed from it. */
struct parity_message {
  json_t *doc;
  enum parity_msg_type type;
  const char *id;
  const char *issued_at;
  const json_t *payload;
};

/*
 * Parses and validates an envelope and its payload (strict: unknown keys, wrong `v`, unknown type,
 * invalid payload are all errors, described in err). On success the caller frees with
 * parity_message_free().
 */
int parity_message_parse(const char *body, size_t len, struct parity_message *out, char *err, size_t err_len);
void parity_message_free(struct parity_message *msg);

/* Validates a payload for its type (used by publishers before they write the outbox, and by parse). */
int parity_message_check_payload(enum parity_msg_type type, const json_t *payload, char *err, size_t err_len);

/* Builds an envelope around `payload` (reference stolen) with a fresh id; returns a new JSON text. */
char *parity_message_envelope_new(enum parity_msg_type type, const char *id, json_t *payload);

#endif
