/* CMD_REBALANCE_USER: target weights for one portfolio (cash first, threshold lock), written for operational. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/config.h"
#include "common/errors.h"
#include "common/json.h"
#include "common/log.h"
#include "decisional/job.h"
#include "decisional/models.h"
#include "decisional/quant/rebalance.h"
#include "decisional/queries.h"

int parity_h_rebalance_user(struct parity_job *job)
{
  const json_t *p = job->msg->payload;
  const char *request_id = parity_json_str(p, "request_id", "");
  struct parity_weight current[PARITY_REBALANCE_MAX_ASSETS], target[PARITY_REBALANCE_MAX_ASSETS];
  size_t ncur = 0, ntgt = 0;
  struct parity_quant_err err = { 0 };
  struct parity_rebalance_result *res = parity_xcalloc(1, sizeof(*res));
  int rc =
      parity_models_weights_from_json(json_object_get(p, "current"), current, PARITY_REBALANCE_MAX_ASSETS, &ncur, &err);
  if (!rc)
    rc =
        parity_models_weights_from_json(json_object_get(p, "target"), target, PARITY_REBALANCE_MAX_ASSETS, &ntgt, &err);
  if (!rc)
    rc = parity_rebalance_compute(current, ncur, target, ntgt,
                                  parity_json_num(p, "threshold", PARITY_DEFAULT_REBALANCE_THRESHOLD),
                                  json_is_true(json_object_get(p, "cash_first")), res, &err);
  if (rc) {
    /* The inputs cannot be rebalanced: say so on the request (operational reopens it), consume the message. */
    parity_log(PARITY_LOG_WARN, "rebalance_rejected", "{s:s, s:s}", "request_id", request_id, "error", err.msg);
    job->outcome = "rejected";
    free(res);
    return PARITY_DB_EXEC(job->db, QD_REQUEST_ERROR, NULL, request_id, err.msg[0] ? err.msg : parity_err_str(rc));
  }
  json_t *targets = json_object(), *skipped = json_array();
  for (size_t i = 0; i < res->n; i++)
    json_object_set_new(targets, res->adjusted[i].symbol, json_real(res->adjusted[i].w));
  for (size_t i = 0; i < res->nskipped; i++)
    json_array_append_new(skipped, json_string(res->skipped[i]));
  char *t = parity_json_dumps_exact_new(targets), *s = parity_json_dumps_exact_new(skipped), drift[32];
  snprintf(drift, sizeof(drift), "%.17g", res->drift);
  rc = PARITY_DB_EXEC(job->db, QD_REQUEST_COMPUTED, NULL, request_id, t, s, drift);
  free(t);
  free(s);
  json_decref(targets);
  json_decref(skipped);
  free(res);
  if (!rc) {
    job->event_type = PARITY_EVT_REBALANCE_BATCH_COMPUTED;
    job->event_payload = json_pack("{s:O, s:s}", "ref", json_object_get(p, "ref"), "request_id", request_id);
  }
  return rc;
}

/* CMD_REBALANCE_BATCH: one target row per portfolio of the batch, then the batch is marked computed. */
int parity_h_rebalance_batch(struct parity_job *job)
{
  const json_t *p = job->msg->payload;
  char run[24], batch[24];
  snprintf(run, sizeof(run), "%lld", (long long)parity_json_int(p, "run_id", 0));
  snprintf(batch, sizeof(batch), "%lld", (long long)parity_json_int(p, "batch_no", 0));
  double threshold = parity_json_num(p, "threshold", PARITY_DEFAULT_REBALANCE_THRESHOLD);
  int cash_first = json_is_true(json_object_get(p, "cash_first"));
  struct parity_rebalance_result *res = parity_xcalloc(1, sizeof(*res));
  struct parity_weight *current = parity_xcalloc(PARITY_REBALANCE_MAX_ASSETS, sizeof(*current));
  struct parity_weight *target = parity_xcalloc(PARITY_REBALANCE_MAX_ASSETS, sizeof(*target));
  size_t i;
  const json_t *entry;
  int rc = PARITY_OK, rejected = 0;
  json_array_foreach(json_object_get(p, "portfolios"), i, entry) {
    size_t ncur = 0, ntgt = 0;
    struct parity_quant_err err = { 0 };
    int prc = parity_models_weights_from_json(json_object_get(entry, "current"), current, PARITY_REBALANCE_MAX_ASSETS,
                                              &ncur, &err);
    if (!prc)
      prc = parity_models_weights_from_json(json_object_get(entry, "target"), target, PARITY_REBALANCE_MAX_ASSETS,
                                            &ntgt, &err);
    if (!prc)
      prc = parity_rebalance_compute(current, ncur, target, ntgt, threshold, cash_first, res, &err);
    if (prc) {
      /* One bad portfolio must not hold the others back: it keeps its positions this month. */
      parity_log(PARITY_LOG_WARN, "rebalance_portfolio_rejected", "{s:O, s:s}", "ref", json_object_get(entry, "ref"),
                 "error", err.msg);
      rejected++;
      continue;
    }
    json_t *targets = json_object(), *skipped = json_array();
    for (size_t k = 0; k < res->n; k++)
      json_object_set_new(targets, res->adjusted[k].symbol, json_real(res->adjusted[k].w));
    for (size_t k = 0; k < res->nskipped; k++)
      json_array_append_new(skipped, json_string(res->skipped[k]));
    char *t = parity_json_dumps_exact_new(targets), *s = parity_json_dumps_exact_new(skipped), drift[32], ref[24];
    snprintf(drift, sizeof(drift), "%.17g", res->drift);
    snprintf(ref, sizeof(ref), "%lld", (long long)parity_json_int(entry, "ref", 0));
    rc = PARITY_DB_EXEC(job->db, QD_REBALANCE_TARGET_UPSERT, NULL, run, ref, batch, t, s, drift);
    free(t);
    free(s);
    json_decref(targets);
    json_decref(skipped);
    if (rc)
      break;
  }
  free(res);
  free(current);
  free(target);
  if (!rc)
    rc = PARITY_DB_EXEC(job->db, QD_REBALANCE_BATCH_COMPUTED, NULL, run, batch);
  if (!rc) {
    if (rejected)
      job->outcome = "partial";
    job->event_type = PARITY_EVT_REBALANCE_BATCH_COMPUTED;
    job->event_payload = json_pack("{s:I, s:I}", "run_id", (json_int_t)parity_json_int(p, "run_id", 0), "batch_no",
                                   (json_int_t)parity_json_int(p, "batch_no", 0));
  }
  return rc;
}
