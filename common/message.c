/* Envelope parsing and per-type payload checks: the one place the message contract is enforced. */
#include "common/message.h"

#include <stdio.h>
#include <string.h>

#include "common/calendar.h"
#include "common/errors.h"
#include "common/json.h"
#include "common/limits.h"

#define MAX_SYMBOLS 512
#define MAX_PORTFOLIOS_PER_BATCH 5000
#define MAX_ROWS 1e12 /* rows a sync reports: far more than any history holds */
/* Every command may name the job it works for (the jobs table): its handler moves that job. */

struct msg_type_row {
  const char *name;
  const char *queue;
  const struct parity_json_field *fields;
  size_t n_fields;
};

static const struct parity_json_field sync_daily_fields[] = {
  { "symbols", PJ_SYMBOLS, true, 0, 0, MAX_SYMBOLS },
  { "lookback_days", PJ_INTEGER, true, 1, 20000, 0 },
  { "job_id", PJ_INTEGER, false, 1, 9007199254740991.0, 0 },
};
static const struct parity_json_field sync_intraday_fields[] = {
  { "symbols", PJ_SYMBOLS, true, 0, 0, MAX_SYMBOLS },
  { "job_id", PJ_INTEGER, false, 1, 9007199254740991.0, 0 },
};
static const struct parity_json_field generate_fields[] = {
  { "equities", PJ_SYMBOLS, true, 0, 0, MAX_SYMBOLS },
  { "bonds", PJ_SYMBOLS, true, 0, 0, MAX_SYMBOLS },
  { "params", PJ_OBJECT, false, 0, 0, 0 },
  { "as_of", PJ_DATE, false, 0, 0, 0 },
  { "job_id", PJ_INTEGER, false, 1, 9007199254740991.0, 0 },
};
static const struct parity_json_field forecast_fields[] = {
  { "forecast_id", PJ_UUID, true, 0, 0, 0 },
  { "weights", PJ_WEIGHTS, true, 0, 0, MAX_SYMBOLS },
  { "initial_cents", PJ_INTEGER, true, 0, (double)PARITY_MAX_VALUE_CENTS, 0 },
  { "monthly_cents", PJ_INTEGER, true, 0, (double)PARITY_MAX_VALUE_CENTS, 0 },
  { "months", PJ_INTEGER, true, 1, PARITY_FORECAST_MAX_MONTHS, 0 },
  { "seed", PJ_INTEGER, true, 0, 9007199254740991.0, 0 },
  { "percentiles", PJ_ARRAY, false, 0, 0, 16 },
  { "goal_cents", PJ_INTEGER, false, 1, (double)PARITY_MAX_VALUE_CENTS, 0 },
  { "paths", PJ_INTEGER, false, 100, 1000000, 0 },
};
/* One shape for every rebalance (a monthly run's slice, an investor's deploy): each bucket's model once,
 * and per portfolio only what decisional needs, its value and current weights (cash as "CASH"). */
static const struct parity_json_field rebalance_batch_fields[] = {
  { "batch_id", PJ_INTEGER, true, 1, 9007199254740991.0, 0 },
  { "run_id", PJ_INTEGER, false, 1, 9007199254740991.0, 0 },
  { "batch_no", PJ_INTEGER, false, 0, 1000000, 0 },
  { "kind", PJ_STRING, true, 0, 0, 16 },
  { "threshold", PJ_NUMBER, true, 0, 1, 0 },
  { "cash_first", PJ_BOOL, true, 0, 0, 0 },
  { "no_sells", PJ_BOOL, true, 0, 0, 0 },
  { "models", PJ_OBJECT, true, 0, 0, 0 },
  { "portfolios", PJ_ARRAY, true, 0, 0, MAX_PORTFOLIOS_PER_BATCH },
  { "job_id", PJ_INTEGER, false, 1, 9007199254740991.0, 0 },
};
/* The models' risk and backtest of one as-of day: CMD_GENERATE's universe and parameters. */
static const struct parity_json_field backtest_fields[] = {
  { "equities", PJ_SYMBOLS, true, 0, 0, MAX_SYMBOLS },
  { "bonds", PJ_SYMBOLS, true, 0, 0, MAX_SYMBOLS },
  { "params", PJ_OBJECT, false, 0, 0, 0 },
  { "as_of", PJ_DATE, true, 0, 0, 0 },
  { "cost_bps", PJ_NUMBER, false, 0, 10000, 0 },
  { "job_id", PJ_INTEGER, false, 1, 9007199254740991.0, 0 },
};
/* Events carry little: a pointer to the result row and counts. */
static const struct parity_json_field evt_sync_done_fields[] = {
  { "kind", PJ_STRING, true, 0, 0, 16 },        { "symbols", PJ_INTEGER, true, 0, 1e6, 0 },
  { "rows", PJ_INTEGER, true, 0, MAX_ROWS, 0 }, { "changed", PJ_INTEGER, true, 0, MAX_ROWS, 0 },
  { "last_day", PJ_DATE, false, 0, 0, 0 },      { "revised", PJ_INTEGER, false, 0, MAX_ROWS, 0 },
};
static const struct parity_json_field evt_models_fields[] = {
  { "as_of", PJ_DATE, true, 0, 0, 0 },
  { "buckets", PJ_INTEGER, true, 0, 15, 0 },
  { "refused", PJ_ARRAY, false, 0, 0, 64 },
};
static const struct parity_json_field evt_forecast_fields[] = {
  { "forecast_id", PJ_UUID, true, 0, 0, 0 },
  { "status", PJ_STRING, true, 0, 0, 16 },
};
static const struct parity_json_field evt_rebalance_fields[] = {
  { "batch_id", PJ_INTEGER, true, 1, 9007199254740991.0, 0 },
};

#define ROW(name, queue, fields)                                                                                       \
  {                                                                                                                    \
    name, queue, fields, sizeof(fields) / sizeof((fields)[0])                                                          \
  }
static const struct msg_type_row msg_types[PARITY_MSG_TYPE_COUNT] = {
  [PARITY_MSG_UNKNOWN] = { NULL, NULL, NULL, 0 },
  [PARITY_CMD_SYNC_DAILY] = ROW("CMD_SYNC_DAILY", PARITY_QUEUE_PIPELINE, sync_daily_fields),
  [PARITY_CMD_SYNC_INTRADAY] = ROW("CMD_SYNC_INTRADAY", PARITY_QUEUE_PIPELINE, sync_intraday_fields),
  [PARITY_CMD_GENERATE] = ROW("CMD_GENERATE", PARITY_QUEUE_PIPELINE, generate_fields),
  [PARITY_CMD_FORECAST] = ROW("CMD_FORECAST", PARITY_QUEUE_INTERACTIVE, forecast_fields),
  [PARITY_CMD_REBALANCE_BATCH] = ROW("CMD_REBALANCE_BATCH", PARITY_QUEUE_REBALANCE, rebalance_batch_fields),
  [PARITY_CMD_BACKTEST] = ROW("CMD_BACKTEST", PARITY_QUEUE_PIPELINE, backtest_fields),
  [PARITY_EVT_SYNC_DONE] = ROW("EVT_SYNC_DONE", NULL, evt_sync_done_fields),
  [PARITY_EVT_MODELS_GENERATED] = ROW("EVT_MODELS_GENERATED", NULL, evt_models_fields),
  [PARITY_EVT_FORECAST_DONE] = ROW("EVT_FORECAST_DONE", NULL, evt_forecast_fields),
  [PARITY_EVT_REBALANCE_BATCH_COMPUTED] = ROW("EVT_REBALANCE_BATCH_COMPUTED", NULL, evt_rebalance_fields),
};

const char *parity_msg_type_name(enum parity_msg_type type)
{
  return type > PARITY_MSG_UNKNOWN && type < PARITY_MSG_TYPE_COUNT ? msg_types[type].name : NULL;
}

enum parity_msg_type parity_msg_type_parse(const char *name)
{
  for (int t = PARITY_MSG_UNKNOWN + 1; t < PARITY_MSG_TYPE_COUNT; t++)
    if (name && strcmp(name, msg_types[t].name) == 0)
      return (enum parity_msg_type)t;
  return PARITY_MSG_UNKNOWN;
}

const char *parity_msg_type_queue(enum parity_msg_type type)
{
  return type > PARITY_MSG_UNKNOWN && type < PARITY_MSG_TYPE_COUNT ? msg_types[type].queue : NULL;
}

int parity_msg_type_is_command(enum parity_msg_type type)
{
  return parity_msg_type_queue(type) != NULL;
}

int parity_message_check_payload(enum parity_msg_type type, const json_t *payload, char *err, size_t err_len)
{
  if (type <= PARITY_MSG_UNKNOWN || type >= PARITY_MSG_TYPE_COUNT) {
    snprintf(err, err_len, "unknown message type");
    return PARITY_EINVAL;
  }
  return parity_json_check(payload, msg_types[type].fields, msg_types[type].n_fields, err, err_len);
}

static const struct parity_json_field envelope_fields[] = {
  { "v", PJ_INTEGER, true, PARITY_MESSAGE_VERSION, PARITY_MESSAGE_VERSION, 0 },
  { "id", PJ_UUID, true, 0, 0, 0 },
  { "type", PJ_STRING, true, 0, 0, 64 },
  { "issued_at", PJ_STRING, true, 0, 0, 40 },
  { "payload", PJ_OBJECT, true, 0, 0, 0 },
};

int parity_message_parse(const char *body, size_t len, struct parity_message *out, char *err, size_t err_len)
{
  memset(out, 0, sizeof(*out));
  json_t *doc = NULL;
  int rc = parity_json_parse_object(body, len, PARITY_MESSAGE_MAX_BYTES, &doc, err, err_len);
  if (rc)
    return rc;
  rc = parity_json_check(doc, envelope_fields, sizeof(envelope_fields) / sizeof(envelope_fields[0]), err, err_len);
  if (rc)
    goto out;
  enum parity_msg_type type = parity_msg_type_parse(json_string_value(json_object_get(doc, "type")));
  if (type == PARITY_MSG_UNKNOWN) {
    snprintf(err, err_len, "unknown message type %.64s", json_string_value(json_object_get(doc, "type")));
    rc = PARITY_EINVAL;
    goto out;
  }
  const json_t *payload = json_object_get(doc, "payload");
  char perr[256];
  rc = parity_message_check_payload(type, payload, perr, sizeof(perr));
  if (rc) {
    snprintf(err, err_len, "payload of %s: %s", msg_types[type].name, perr);
    goto out;
  }
  out->doc = doc;
  out->type = type;
  out->id = json_string_value(json_object_get(doc, "id"));
  out->issued_at = json_string_value(json_object_get(doc, "issued_at"));
  out->payload = payload;
  return PARITY_OK;
out:
  json_decref(doc);
  return rc;
}

void parity_message_free(struct parity_message *msg)
{
  json_decref(msg->doc);
  memset(msg, 0, sizeof(*msg));
}

char *parity_message_envelope_new(enum parity_msg_type type, const char *id, json_t *payload)
{
  char now[PARITY_TIMESTAMP_TEXT];
  parity_now_rfc3339(now);
  json_t *doc = json_pack("{s:i, s:s, s:s, s:s, s:o}", "v", PARITY_MESSAGE_VERSION, "id", id, "type",
                          parity_msg_type_name(type), "issued_at", now, "payload", payload);
  char *text = parity_json_dumps_new(doc);
  json_decref(doc);
  return text;
}
