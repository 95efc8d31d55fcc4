/* rabbitmq-c wrapper. Publisher confirms are read frame by frame: rabbitmq-c 0.11 has no wait helper. */
#include "common/amqp.h"

#include <amqp_tcp_socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/message.h"

#define CHANNEL 1
#define CONNECT_TIMEOUT_SECONDS 5
#define QUORUM_DELIVERY_LIMIT 5

static int rpc_ok(struct parity_amqp *a, const char *what)
{
  amqp_rpc_reply_t reply = amqp_get_rpc_reply(a->conn);
  if (reply.reply_type == AMQP_RESPONSE_NORMAL)
    return PARITY_OK;
  const char *detail = "unknown";
  char buf[160];
  if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
    detail = amqp_error_string2(reply.library_error);
  } else if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
    amqp_channel_close_t *m = reply.reply.decoded;
    snprintf(buf, sizeof(buf), "channel closed %u: %.*s", m->reply_code, (int)m->reply_text.len,
             (const char *)m->reply_text.bytes);
    detail = buf;
  } else if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
    amqp_connection_close_t *m = reply.reply.decoded;
    snprintf(buf, sizeof(buf), "connection closed %u: %.*s", m->reply_code, (int)m->reply_text.len,
             (const char *)m->reply_text.bytes);
    detail = buf;
  }
  parity_log(PARITY_LOG_WARN, "amqp_error", "{s:s, s:s}", "operation", what, "error", detail);
  return PARITY_EAMQP;
}

static int open_channel(struct parity_amqp *a)
{
  amqp_channel_open(a->conn, CHANNEL);
  if (rpc_ok(a, "channel.open"))
    return PARITY_EAMQP;
  if (a->confirms) {
    amqp_confirm_select(a->conn, CHANNEL);
    if (rpc_ok(a, "confirm.select"))
      return PARITY_EAMQP;
    a->next_tag = 1;
  }
  return PARITY_OK;
}

int parity_amqp_connect(struct parity_amqp *a, const char *url, bool quorum, bool confirms)
{
  /* Reconnecting reuses the struct: drop what a broken connection left behind first. */
  if (a->conn)
    amqp_destroy_connection(a->conn);
  free(a->url);
  memset(a, 0, sizeof(*a));
  a->url = strdup(url);
  if (!a->url)
    abort();
  a->quorum = quorum;
  a->confirms = confirms;

  struct amqp_connection_info info;
  char *parse_buf = strdup(url);
  if (!parse_buf)
    abort();
  int rc = PARITY_EAMQP;
  if (amqp_parse_url(parse_buf, &info) != AMQP_STATUS_OK) {
    parity_log(PARITY_LOG_ERROR, "amqp_bad_url", NULL);
    rc = PARITY_EINVAL;
    goto out;
  }
  a->conn = amqp_new_connection();
  amqp_socket_t *sock = amqp_tcp_socket_new(a->conn);
  struct timeval tv = { .tv_sec = CONNECT_TIMEOUT_SECONDS };
  if (!sock || amqp_socket_open_noblock(sock, info.host, info.port, &tv) != AMQP_STATUS_OK) {
    parity_log(PARITY_LOG_WARN, "amqp_connect_failed", "{s:s, s:i}", "host", info.host, "port", info.port);
    goto out;
  }
  /* "amqp://host:port/" names the default vhost, as most clients read it; rabbitmq-c reads "". */
  const char *vhost = info.vhost && *info.vhost ? info.vhost : "/";
  amqp_rpc_reply_t login = amqp_login(a->conn, vhost, 0, PARITY_AMQP_FRAME_MAX, PARITY_AMQP_HEARTBEAT_SECONDS,
                                      AMQP_SASL_METHOD_PLAIN, info.user, info.password);
  if (login.reply_type != AMQP_RESPONSE_NORMAL) {
    parity_log(PARITY_LOG_WARN, "amqp_login_failed", "{s:s}", "user", info.user);
    goto out;
  }
  rc = open_channel(a);
out:
  free(parse_buf);
  if (rc)
    parity_amqp_close(a);
  return rc;
}

int parity_amqp_connect_retry(struct parity_amqp *a, const char *url, bool quorum, bool confirms, atomic_int *stop)
{
  useconds_t delay_us = 250000;
  for (;;) {
    int rc = parity_amqp_connect(a, url, quorum, confirms);
    if (rc != PARITY_EAMQP)
      return rc;
    if (stop && *stop)
      return PARITY_EUNAVAILABLE;
    /* Sleep in short slices so a shutdown request is honoured promptly. */
    for (useconds_t slept = 0; slept < delay_us && !(stop && *stop); slept += 50000)
      usleep(50000);
    delay_us = delay_us * 2 > 10000000 ? 10000000 : delay_us * 2;
  }
}

void parity_amqp_close(struct parity_amqp *a)
{
  if (a->conn) {
    amqp_channel_close(a->conn, CHANNEL, AMQP_REPLY_SUCCESS);
    amqp_connection_close(a->conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(a->conn);
  }
  free(a->url);
  memset(a, 0, sizeof(*a));
}

bool parity_amqp_is_open(const struct parity_amqp *a)
{
  return a->conn != NULL;
}

static void mark_broken(struct parity_amqp *a)
{
  /* The socket is unusable: drop it without the polite close handshake. */
  if (a->conn)
    amqp_destroy_connection(a->conn);
  a->conn = NULL;
}

static int declare_exchange(struct parity_amqp *a, const char *name, const char *type)
{
  amqp_exchange_declare(a->conn, CHANNEL, amqp_cstring_bytes(name), amqp_cstring_bytes(type), 0, 1, 0, 0,
                        amqp_empty_table);
  return rpc_ok(a, "exchange.declare");
}

static int declare_queue(struct parity_amqp *a, const char *name, bool dead_letter)
{
  amqp_table_entry_t entries[3];
  int n = 0;
  if (dead_letter) {
    entries[n].key = amqp_cstring_bytes("x-dead-letter-exchange");
    entries[n].value.kind = AMQP_FIELD_KIND_UTF8;
    entries[n].value.value.bytes = amqp_cstring_bytes(PARITY_EXCHANGE_DLX);
    n++;
  }
  if (a->quorum) {
    entries[n].key = amqp_cstring_bytes("x-queue-type");
    entries[n].value.kind = AMQP_FIELD_KIND_UTF8;
    entries[n].value.value.bytes = amqp_cstring_bytes("quorum");
    n++;
    if (dead_letter) {
      entries[n].key = amqp_cstring_bytes("x-delivery-limit");
      entries[n].value.kind = AMQP_FIELD_KIND_I32;
      entries[n].value.value.i32 = QUORUM_DELIVERY_LIMIT;
      n++;
    }
  }
  amqp_table_t args = { .num_entries = n, .entries = entries };
  amqp_queue_declare(a->conn, CHANNEL, amqp_cstring_bytes(name), 0, 1, 0, 0, args);
  return rpc_ok(a, "queue.declare");
}

static int bind_queue(struct parity_amqp *a, const char *queue, const char *exchange, const char *key)
{
  amqp_queue_bind(a->conn, CHANNEL, amqp_cstring_bytes(queue), amqp_cstring_bytes(exchange), amqp_cstring_bytes(key),
                  amqp_empty_table);
  return rpc_ok(a, "queue.bind");
}

int parity_amqp_declare_topology(struct parity_amqp *a)
{
  if (!a->conn)
    return PARITY_EAMQP;
  int rc = declare_exchange(a, PARITY_EXCHANGE_COMMANDS, "direct");
  rc = rc ? rc : declare_exchange(a, PARITY_EXCHANGE_EVENTS, "topic");
  rc = rc ? rc : declare_exchange(a, PARITY_EXCHANGE_DLX, "fanout");
  rc = rc ? rc : declare_queue(a, PARITY_QUEUE_DEAD, false);
  rc = rc ? rc : bind_queue(a, PARITY_QUEUE_DEAD, PARITY_EXCHANGE_DLX, "");
  static const char *const queues[] = { PARITY_QUEUE_INTERACTIVE, PARITY_QUEUE_PIPELINE, PARITY_QUEUE_REBALANCE,
                                        PARITY_QUEUE_EVENTS };
  for (size_t i = 0; !rc && i < sizeof(queues) / sizeof(queues[0]); i++)
    rc = declare_queue(a, queues[i], true);
  /* Each command type is routed, by its name, to the queue the contract assigns it. */
  for (int t = PARITY_MSG_UNKNOWN + 1; !rc && t < PARITY_MSG_TYPE_COUNT; t++) {
    const char *queue = parity_msg_type_queue((enum parity_msg_type)t);
    if (queue)
      rc = bind_queue(a, queue, PARITY_EXCHANGE_COMMANDS, parity_msg_type_name((enum parity_msg_type)t));
  }
  rc = rc ? rc : bind_queue(a, PARITY_QUEUE_EVENTS, PARITY_EXCHANGE_EVENTS, "#");
  if (rc)
    mark_broken(a);
  return rc;
}

static long elapsed_ms(const struct timespec *start)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Reads frames until this publish is acked, nacked, or the time runs out. */
static int wait_for_confirm(struct parity_amqp *a, uint64_t tag)
{
  bool returned = false;
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    long left = PARITY_AMQP_CONFIRM_TIMEOUT_MS - elapsed_ms(&start);
    if (left <= 0) {
      parity_log(PARITY_LOG_WARN, "amqp_confirm_timeout", NULL);
      mark_broken(a); /* a late confirm would be misattributed: start over on a fresh channel */
      return PARITY_EAMQP;
    }
    struct timeval tv = { .tv_sec = left / 1000, .tv_usec = (left % 1000) * 1000 };
    amqp_frame_t frame;
    int status = amqp_simple_wait_frame_noblock(a->conn, &frame, &tv);
    if (status == AMQP_STATUS_TIMEOUT)
      continue;
    if (status != AMQP_STATUS_OK) {
      mark_broken(a);
      return PARITY_EAMQP;
    }
    if (frame.frame_type != AMQP_FRAME_METHOD)
      continue;
    switch (frame.payload.method.id) {
    case AMQP_BASIC_ACK_METHOD: {
      amqp_basic_ack_t *ack = frame.payload.method.decoded;
      if (ack->delivery_tag == tag || (ack->multiple && ack->delivery_tag >= tag))
        return returned ? PARITY_EAMQP : PARITY_OK;
      break;
    }
    case AMQP_BASIC_NACK_METHOD: {
      amqp_basic_nack_t *nack = frame.payload.method.decoded;
      if (nack->delivery_tag == tag || (nack->multiple && nack->delivery_tag >= tag)) {
        parity_log(PARITY_LOG_WARN, "amqp_publish_nacked", NULL);
        return PARITY_EAMQP;
      }
      break;
    }
    case AMQP_BASIC_RETURN_METHOD: {
      /* Unroutable with mandatory set: drain the returned content, then the ack still follows. */
      amqp_message_t msg;
      amqp_rpc_reply_t r = amqp_read_message(a->conn, frame.channel, &msg, 0);
      if (r.reply_type == AMQP_RESPONSE_NORMAL)
        amqp_destroy_message(&msg);
      parity_log(PARITY_LOG_WARN, "amqp_publish_returned", NULL);
      returned = true;
      break;
    }
    case AMQP_CHANNEL_CLOSE_METHOD:
    case AMQP_CONNECTION_CLOSE_METHOD:
      mark_broken(a);
      return PARITY_EAMQP;
    default:
      break;
    }
  }
}

int parity_amqp_publish(struct parity_amqp *a, const char *exchange, const char *routing_key, const char *message_id,
                        const char *type, const char *body, size_t len)
{
  if (!a->conn)
    return PARITY_EAMQP;
  amqp_basic_properties_t props = { 0 };
  props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG |
                 AMQP_BASIC_TYPE_FLAG | AMQP_BASIC_TIMESTAMP_FLAG;
  props.content_type = amqp_cstring_bytes("application/json");
  props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
  props.message_id = amqp_cstring_bytes(message_id);
  props.type = amqp_cstring_bytes(type);
  props.timestamp = (uint64_t)time(NULL);
  amqp_bytes_t payload = { .len = len, .bytes = (void *)body };
  int status = amqp_basic_publish(a->conn, CHANNEL, amqp_cstring_bytes(exchange), amqp_cstring_bytes(routing_key), 1, 0,
                                  &props, payload);
  if (status != AMQP_STATUS_OK) {
    parity_log(PARITY_LOG_WARN, "amqp_publish_failed", "{s:s}", "error", amqp_error_string2(status));
    mark_broken(a);
    return PARITY_EAMQP;
  }
  if (!a->confirms)
    return PARITY_OK;
  return wait_for_confirm(a, a->next_tag++);
}

int parity_amqp_consume(struct parity_amqp *a, const char *queue, uint16_t prefetch)
{
  if (!a->conn)
    return PARITY_EAMQP;
  amqp_basic_qos(a->conn, CHANNEL, 0, prefetch, 0);
  if (rpc_ok(a, "basic.qos"))
    goto broken;
  amqp_basic_consume(a->conn, CHANNEL, amqp_cstring_bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
  if (rpc_ok(a, "basic.consume"))
    goto broken;
  return PARITY_OK;
broken:
  mark_broken(a);
  return PARITY_EAMQP;
}

int parity_amqp_next(struct parity_amqp *a, int timeout_ms, struct parity_delivery *out)
{
  memset(out, 0, sizeof(*out));
  if (!a->conn)
    return PARITY_EAMQP;
  amqp_maybe_release_buffers(a->conn);
  struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
  amqp_rpc_reply_t r = amqp_consume_message(a->conn, &out->envelope, &tv, 0);
  if (r.reply_type == AMQP_RESPONSE_NORMAL) {
    out->tag = out->envelope.delivery_tag;
    out->redelivered = out->envelope.redelivered;
    out->body = out->envelope.message.body.bytes;
    out->len = out->envelope.message.body.len;
    return PARITY_OK;
  }
  if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT)
    return 1;
  if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
    /* A method other than basic.deliver arrived (e.g. channel.close, basic.cancel): read it. */
    amqp_frame_t frame;
    if (amqp_simple_wait_frame(a->conn, &frame) == AMQP_STATUS_OK && frame.frame_type == AMQP_FRAME_METHOD) {
      parity_log(PARITY_LOG_WARN, "amqp_consumer_interrupted", "{s:s}", "method",
                 amqp_method_name(frame.payload.method.id));
    }
  }
  mark_broken(a);
  return PARITY_EAMQP;
}

void parity_amqp_delivery_free(struct parity_delivery *d)
{
  if (d->body || d->envelope.message.body.bytes)
    amqp_destroy_envelope(&d->envelope);
  memset(d, 0, sizeof(*d));
}

int parity_amqp_ack(struct parity_amqp *a, uint64_t tag)
{
  if (!a->conn || amqp_basic_ack(a->conn, CHANNEL, tag, 0) != AMQP_STATUS_OK) {
    mark_broken(a);
    return PARITY_EAMQP;
  }
  return PARITY_OK;
}

int parity_amqp_reject(struct parity_amqp *a, uint64_t tag, bool requeue)
{
  if (!a->conn || amqp_basic_reject(a->conn, CHANNEL, tag, requeue) != AMQP_STATUS_OK) {
    mark_broken(a);
    return PARITY_EAMQP;
  }
  return PARITY_OK;
}

int parity_amqp_idle(struct parity_amqp *a, int timeout_ms)
{
  if (!a->conn)
    return PARITY_EAMQP;
  struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
  amqp_frame_t frame;
  int status = amqp_simple_wait_frame_noblock(a->conn, &frame, &tv);
  if (status == AMQP_STATUS_TIMEOUT || status == AMQP_STATUS_OK) {
    if (status == AMQP_STATUS_OK && frame.frame_type == AMQP_FRAME_METHOD &&
        (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
         frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD)) {
      mark_broken(a);
      return PARITY_EAMQP;
    }
    return PARITY_OK;
  }
  mark_broken(a);
  return PARITY_EAMQP;
}

long parity_amqp_queue_depth(struct parity_amqp *a, const char *queue)
{
  if (!a->conn)
    return PARITY_EAMQP;
  amqp_queue_declare_ok_t *ok =
      amqp_queue_declare(a->conn, CHANNEL, amqp_cstring_bytes(queue), 1, 0, 0, 0, amqp_empty_table);
  if (!ok || rpc_ok(a, "queue.declare(passive)")) {
    mark_broken(a);
    return PARITY_EAMQP;
  }
  return (long)ok->message_count;
}
