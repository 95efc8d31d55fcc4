/* Consumer threads (worker.h), each with its own database and broker connections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/amqp.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/log.h"
#include "decisional/queries.h"
#include "decisional/job_track.h"
#include "decisional/worker.h"

#define NEXT_WAIT_MS 500
#define RETRY_PAUSE_MS 1000
#define ATTEMPT_SLOTS 64 /* message ids whose failures are being counted */

struct consumer {
  struct parity_worker_shared *shared;
  const char *queue;
  uint16_t prefetch;
};

/*
 * Classic queues carry no delivery count, so failures are counted here per message id. A bounded
 * table is enough: only messages failing right now are in it, and the count only has to reach a few.
 */
struct attempts {
  char ids[ATTEMPT_SLOTS][PARITY_UUID_TEXT];
  int counts[ATTEMPT_SLOTS];
  size_t next;
};

static int *attempt_slot(struct attempts *a, const char *id)
{
  for (size_t i = 0; i < ATTEMPT_SLOTS; i++)
    if (strcmp(a->ids[i], id) == 0)
      return &a->counts[i];
  size_t i = a->next++ % ATTEMPT_SLOTS;
  snprintf(a->ids[i], sizeof(a->ids[i]), "%s", id);
  a->counts[i] = 0;
  return &a->counts[i];
}

/* The AMQP message_id property, so a failing message is recognised even when its body is not JSON. */
static void delivery_id(const struct parity_delivery *d, char id[PARITY_UUID_TEXT])
{
  const amqp_basic_properties_t *p = &d->envelope.message.properties;
  if ((p->_flags & AMQP_BASIC_MESSAGE_ID_FLAG) && p->message_id.len < PARITY_UUID_TEXT) {
    memcpy(id, p->message_id.bytes, p->message_id.len);
    id[p->message_id.len] = '\0';
  } else {
    snprintf(id, PARITY_UUID_TEXT, "tag-%llu", (unsigned long long)d->tag);
  }
}

static void publish_event(struct parity_worker_shared *shared, struct parity_amqp *publisher, const char *body,
                          enum parity_msg_type type, const char *id)
{
  bool quorum = strcmp(shared->cfg.amqp_queue_type, "quorum") == 0;
  for (int attempt = 0; attempt < 3; attempt++) {
    if (!parity_amqp_is_open(publisher) &&
        parity_amqp_connect(publisher, shared->cfg.amqp_url, quorum, true) != PARITY_OK)
      continue;
    const char *name = parity_msg_type_name(type);
    if (parity_amqp_publish(publisher, PARITY_EXCHANGE_EVENTS, name, id, name, body, strlen(body)) == PARITY_OK)
      return;
  }
  /* The result is committed; operational's sweep notices results whose event never came. */
  parity_log(PARITY_LOG_WARN, "event_publish_failed", "{s:s}", "type", parity_msg_type_name(type));
}

static void *consumer_main(void *arg)
{
  struct consumer *c = arg;
  struct parity_worker_shared *shared = c->shared;
  struct parity_db db = { 0 }, progress_db = { 0 };
  struct parity_amqp amqp = { 0 }, publisher = { 0 };
  struct attempts attempts;
  memset(&attempts, 0, sizeof(attempts));
  bool quorum = strcmp(shared->cfg.amqp_queue_type, "quorum") == 0;
  bool counted = false;

  while (!shared->stopping) {
    int db_rc = db.url ? parity_db_ensure(&db)
                       : parity_db_open(&db, shared->cfg.decisional_database_url, parity_dec_stmts, QD_DEC_QUERY_COUNT);
    if (db_rc != PARITY_OK) {
      sleep(1);
      continue;
    }
    if (!parity_amqp_is_open(&amqp)) {
      if (counted)
        atomic_fetch_sub(&shared->consumers_connected, 1);
      counted = false;
      if (parity_amqp_connect_retry(&amqp, shared->cfg.amqp_url, quorum, false, &shared->stopping) != PARITY_OK)
        continue;
      if (parity_amqp_declare_topology(&amqp) != PARITY_OK || parity_amqp_consume(&amqp, c->queue, c->prefetch)) {
        parity_amqp_close(&amqp);
        sleep(1);
        continue;
      }
      atomic_fetch_add(&shared->consumers_connected, 1);
      counted = true;
      parity_log(PARITY_LOG_INFO, "consuming", "{s:s, s:i}", "queue", c->queue, "prefetch", c->prefetch);
    }
    struct parity_delivery d;
    int rc = parity_amqp_next(&amqp, NEXT_WAIT_MS, &d);
    if (rc == 1)
      continue;
    if (rc) {
      parity_amqp_close(&amqp);
      continue;
    }
    char *event = NULL, event_id[PARITY_UUID_TEXT] = "", id[PARITY_UUID_TEXT];
    enum parity_msg_type event_type = PARITY_MSG_UNKNOWN;
    delivery_id(&d, id);
    enum parity_dispatch_result result =
        parity_dispatch(shared, &db, &progress_db, d.body, d.len, &event, &event_type, event_id);
    if (result == PARITY_DISPATCH_RETRY) {
      int *count = attempt_slot(&attempts, id);
      if (++*count >= shared->cfg.amqp_max_attempts) {
        parity_log(PARITY_LOG_ERROR, "message_gave_up", "{s:s, s:i}", "message_id", id, "attempts", *count);
        result = PARITY_DISPATCH_DEAD_LETTER;
        char why[64];
        snprintf(why, sizeof(why), "a transient failure on each of %d attempts", *count);
        parity_job_track_dead_lettered(&db, d.body, d.len, why);
      } else {
        usleep((useconds_t)RETRY_PAUSE_MS * 1000u * (useconds_t)*count); /* linear backoff, bounded by attempts */
      }
    }
    if (result == PARITY_DISPATCH_ACK)
      parity_amqp_ack(&amqp, d.tag);
    else
      parity_amqp_reject(&amqp, d.tag, result == PARITY_DISPATCH_RETRY);
    parity_amqp_delivery_free(&d);
    if (event) {
      publish_event(shared, &publisher, event, event_type, event_id);
      free(event);
    }
  }
  if (counted)
    atomic_fetch_sub(&shared->consumers_connected, 1);
  parity_amqp_close(&publisher);
  parity_amqp_close(&amqp);
  parity_db_close(&progress_db);
  parity_db_close(&db);
  parity_log(PARITY_LOG_INFO, "consumer_stopped", "{s:s}", "queue", c->queue);
  return NULL;
}

int parity_worker_start(struct parity_worker_shared *shared, pthread_t threads[PARITY_WORKER_THREADS])
{
  static struct consumer consumers[PARITY_WORKER_THREADS];
  consumers[0] = (struct consumer){ shared, PARITY_QUEUE_INTERACTIVE, (uint16_t)shared->cfg.amqp_prefetch_interactive };
  consumers[1] = (struct consumer){ shared, PARITY_QUEUE_PIPELINE, (uint16_t)shared->cfg.amqp_prefetch_pipeline };
  consumers[2] = (struct consumer){ shared, PARITY_QUEUE_REBALANCE, (uint16_t)shared->cfg.amqp_prefetch_rebalance };
  consumers[3] = consumers[2];
  for (int i = 0; i < PARITY_WORKER_THREADS; i++) {
    if (pthread_create(&threads[i], NULL, consumer_main, &consumers[i]) != 0) {
      /* Stop and join the consumers already started, so the caller has nothing to clean up. */
      shared->stopping = 1;
      while (i-- > 0)
        pthread_join(threads[i], NULL);
      return PARITY_EINTERNAL;
    }
  }
  return PARITY_OK;
}
