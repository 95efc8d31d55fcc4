/* RabbitMQ on rabbitmq-c 0.11: connect with backoff and heartbeats, topology, confirmed publish, consume. */
#ifndef PARITY_AMQP_H
#define PARITY_AMQP_H

#include <amqp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PARITY_AMQP_HEARTBEAT_SECONDS 30
#define PARITY_AMQP_CONFIRM_TIMEOUT_MS 5000
#define PARITY_AMQP_FRAME_MAX 131072

/* One connection with one channel. rabbitmq-c is not thread-safe: one of these per thread. */
struct parity_amqp {
  amqp_connection_state_t conn;
  char *url;
  bool quorum;       /* declare quorum queues (clustered brokers) instead of classic ones */
  bool confirms;     /* publisher confirms enabled on the channel */
  uint64_t next_tag; /* delivery tag of the next publish in confirm mode */
};

/* A received message; the body is borrowed until parity_amqp_delivery_free(). */
struct parity_delivery {
  amqp_envelope_t envelope;
  uint64_t tag;
  bool redelivered;
  const char *body;
  size_t len;
};

/* Connects once (no retry): socket, login, channel 1, confirm.select when `confirms`. `a` must be zeroed
 * or a connection from an earlier call (broken or not): whatever it held is released first. */
int parity_amqp_connect(struct parity_amqp *a, const char *url, bool quorum, bool confirms);
/* Retries with exponential backoff (0.25 s doubling to 10 s) until connected or *stop becomes true. */
int parity_amqp_connect_retry(struct parity_amqp *a, const char *url, bool quorum, bool confirms, atomic_int *stop);
void parity_amqp_close(struct parity_amqp *a);
bool parity_amqp_is_open(const struct parity_amqp *a);

/* Declares the exchanges, queues (each dead-lettering into parity.dead) and bindings of SPEC §6. */
int parity_amqp_declare_topology(struct parity_amqp *a);

/*
 * Publishes persistently with `mandatory` set and waits for the broker's confirm. PARITY_OK only on
 * basic.ack of this message without a basic.return; a nack, a return or no answer within
 * PARITY_AMQP_CONFIRM_TIMEOUT_MS is PARITY_EAMQP (the caller retries later).
 */
int parity_amqp_publish(struct parity_amqp *a, const char *exchange, const char *routing_key, const char *message_id,
                        const char *type, const char *body, size_t len);

/* basic.qos(prefetch) and basic.consume with manual acknowledgement. */
int parity_amqp_consume(struct parity_amqp *a, const char *queue, uint16_t prefetch);
/*
 * Waits up to timeout_ms for the next delivery. Returns PARITY_OK with *out filled, 1 on timeout
 * (heartbeats are serviced while waiting), PARITY_EAMQP when the connection is lost.
 */
int parity_amqp_next(struct parity_amqp *a, int timeout_ms, struct parity_delivery *out);
void parity_amqp_delivery_free(struct parity_delivery *d);
int parity_amqp_ack(struct parity_amqp *a, uint64_t tag);
/* Rejects: requeue=false sends the message to the dead-letter exchange. */
int parity_amqp_reject(struct parity_amqp *a, uint64_t tag, bool requeue);

/* Services heartbeats on an otherwise idle publisher connection for up to timeout_ms. */
int parity_amqp_idle(struct parity_amqp *a, int timeout_ms);

/* Messages ready in a queue (passive declare), or a negative error code. */
long parity_amqp_queue_depth(struct parity_amqp *a, const char *queue);

#endif
