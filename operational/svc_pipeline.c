/* Pipeline commands go through the outbox, so a crash between the request and the broker loses nothing. */
#include "operational/svc_pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/ids.h"
#include "operational/outbox.h"
#include "operational/queries.h"

/* Splits "A,B,C" into a JSON array of trimmed, non-empty names. */
static json_t *split_symbols(const char *list)
{
  json_t *out = json_array();
  char *copy = parity_xstrdup(list ? list : ""), *save = NULL;
  for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
    json_array_append_new(out, json_string(tok));
  free(copy);
  return out;
}

json_t *parity_svc_universe_new(const struct parity_config *cfg)
{
  json_t *all = split_symbols(cfg->universe_equities);
  json_t *bonds = split_symbols(cfg->universe_bonds);
  json_array_extend(all, bonds);
  json_decref(bonds);
  json_t *bench = json_string(cfg->benchmark_symbol);
  size_t i;
  json_t *v;
  bool present = false;
  json_array_foreach(all, i, v)
    present = present || json_equal(v, bench);
  if (!present && *cfg->benchmark_symbol)
    json_array_append(all, bench);
  json_decref(bench);
  return all;
}

/* One transaction around one outbox row. */
static int enqueue_one(struct parity_db *db, enum parity_msg_type type, json_t *payload, json_t **out)
{
  char id[PARITY_UUID_TEXT];
  int rc = parity_db_begin(db);
  if (!rc)
    rc = parity_outbox_enqueue(db, type, payload, id);
  if (rc) {
    json_decref(payload);
    return parity_db_rollback(db, rc);
  }
  rc = parity_db_commit(db);
  json_decref(payload);
  if (rc)
    return rc;
  *out = json_pack("{s:s, s:s, s:s}", "status", "queued", "type", parity_msg_type_name(type), "message_id", id);
  return PARITY_OK;
}

int parity_svc_pipeline_daily(struct parity_db *db, const struct parity_config *cfg, json_t **out)
{
  json_t *payload =
      json_pack("{s:o, s:i}", "symbols", parity_svc_universe_new(cfg), "lookback_days", PARITY_DAILY_LOOKBACK_DAYS);
  return enqueue_one(db, PARITY_CMD_SYNC_DAILY, payload, out);
}

int parity_svc_pipeline_intraday(struct parity_db *db, const struct parity_config *cfg, json_t **out)
{
  json_t *payload = json_pack("{s:o}", "symbols", parity_svc_universe_new(cfg));
  return enqueue_one(db, PARITY_CMD_SYNC_INTRADAY, payload, out);
}

static json_t *generate_payload_new(const struct parity_config *cfg)
{
  json_t *params = json_pack("{s:i, s:i, s:i, s:f}", "lookback_days", (int)cfg->model_lookback_days, "min_common_days",
                             (int)cfg->model_min_common_days, "top_equities", (int)cfg->model_top_equities,
                             "min_weight", cfg->model_min_weight);
  return json_pack("{s:o, s:o, s:o}", "equities", split_symbols(cfg->universe_equities), "bonds",
                   split_symbols(cfg->universe_bonds), "params", params);
}

int parity_svc_pipeline_generate(struct parity_db *db, const struct parity_config *cfg, json_t **out)
{
  return enqueue_one(db, PARITY_CMD_GENERATE, generate_payload_new(cfg), out);
}

int parity_svc_pipeline_generate_in_tx(struct parity_db *db, const struct parity_config *cfg, json_t **out)
{
  json_t *payload = generate_payload_new(cfg);
  char id[PARITY_UUID_TEXT];
  int rc = parity_outbox_enqueue(db, PARITY_CMD_GENERATE, payload, id);
  json_decref(payload);
  if (!rc)
    *out = json_pack("{s:s, s:s}", "status", "queued", "message_id", id);
  return rc;
}

int parity_svc_pipeline_backtest_after_models(struct parity_db *db, const struct parity_config *cfg,
                                              const char *event_id, const char *as_of)
{
  int rc = parity_db_begin(db);
  if (rc)
    return rc;
  PGresult *res = NULL;
  rc = PARITY_DB_EXEC(db, Q_PROCESSED_INSERT, &res, event_id, "EVT_MODELS_GENERATED");
  if (rc)
    return parity_db_rollback(db, rc);
  long fresh = parity_db_affected(res);
  PQclear(res);
  if (!fresh)
    return parity_db_rollback(db, PARITY_OK); /* a redelivered event: its CMD_BACKTEST is queued already */
  json_t *payload = generate_payload_new(cfg);
  json_object_set_new(payload, "as_of", json_string(as_of));
  char id[PARITY_UUID_TEXT];
  rc = parity_outbox_enqueue(db, PARITY_CMD_BACKTEST, payload, id);
  json_decref(payload);
  if (rc)
    return parity_db_rollback(db, rc);
  return parity_db_commit(db);
}

int parity_svc_cleanup(struct parity_db *db, json_t **out)
{
  static const struct {
    enum parity_op_query query;
    const char *name;
    int keep_days;
  } steps[] = {
    { Q_CLEANUP_PROCESSED, "processed_messages", PARITY_CLEANUP_KEEP_DAYS },
    { Q_CLEANUP_OUTBOX, "outbox", PARITY_CLEANUP_KEEP_DAYS },
    { Q_CLEANUP_ACTION_TOKENS, "action_tokens", PARITY_CLEANUP_KEEP_DAYS },
    { Q_CLEANUP_SESSIONS, "sessions", PARITY_CLEANUP_KEEP_DAYS },
    { Q_AUTH_ATTEMPTS_CLEANUP, "login_attempts", PARITY_CLEANUP_KEEP_DAYS },
    { Q_AUTH_MAIL_QUOTA_CLEANUP, "mail_quota", PARITY_CLEANUP_KEEP_DAYS },
    { Q_CLEANUP_REBALANCE_TARGETS, "rebalance_targets", PARITY_CLEANUP_KEEP_DAYS },
    { Q_CLEANUP_INTRADAY, "intraday_prices", PARITY_INTRADAY_KEEP_DAYS },
    { Q_CLEANUP_FORECASTS, "superseded_forecasts", PARITY_CLEANUP_KEEP_DAYS },
  };
  json_t *deleted = json_object();
  for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
    char keep[PARITY_I64_TEXT];
    parity_i64(steps[i].keep_days, keep);
    PGresult *res = NULL;
    int rc = PARITY_DB_EXEC(db, steps[i].query, &res, keep);
    if (rc) {
      json_decref(deleted);
      return rc;
    }
    json_object_set_new(deleted, steps[i].name, json_integer(parity_db_affected(res)));
    PQclear(res);
  }
  *out = json_pack("{s:s, s:o}", "status", "done", "deleted", deleted);
  return PARITY_OK;
}
