/*
 * CMD_REBALANCE_BATCH: target weights (cash first, threshold lock) for every portfolio of a batch, a monthly
 * run's slice or an investor's deploy alike, written with one COPY together with the batch's status.
 * Decisional sees weight vectors only: each bucket's model once, and per portfolio its current weights.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/config.h"
#include "common/errors.h"
#include "common/json.h"
#include "common/log.h"
#include "decisional/job.h"
#include "decisional/models.h"
#include "decisional/quant/rebalance.h"
#include "decisional/queries.h"

/* A bucket's model, parsed once per batch. */
struct model {
  const char *bucket;
  size_t n;
  struct parity_weight w[PARITY_REBALANCE_MAX_ASSETS];
  bool usable;
};

static struct model *parse_models(const json_t *models, size_t *count)
{
  *count = json_object_size(models);
  struct model *m = parity_xcalloc(*count ? *count : 1, sizeof(*m));
  size_t i = 0;
  const char *bucket;
  json_t *w;
  json_object_foreach((json_t *)models, bucket, w) {
    struct parity_quant_err err = { 0 };
    m[i].bucket = bucket;
    m[i].usable = parity_models_weights_from_json(w, m[i].w, PARITY_REBALANCE_MAX_ASSETS, &m[i].n, &err) == PARITY_OK;
    if (!m[i].usable)
      parity_log(PARITY_LOG_WARN, "rebalance_model_rejected", "{s:s, s:s}", "bucket", bucket, "error", err.msg);
    i++;
  }
  return m;
}

static const struct model *find_model(const struct model *m, size_t n, const char *bucket)
{
  for (size_t i = 0; bucket && i < n; i++)
    if (strcmp(m[i].bucket, bucket) == 0)
      return m[i].usable ? &m[i] : NULL;
  return NULL;
}

/* Appends text to a COPY row, escaped for COPY's text format. */
static void add_copy_text(struct parity_buf *b, const char *text)
{
  for (const char *c = text; *c; c++) {
    const char *esc = *c == '\\' ? "\\\\" : *c == '\t' ? "\\t" : *c == '\n' ? "\\n" : *c == '\r' ? "\\r" : NULL;
    if (esc)
      parity_buf_add(b, esc, 2);
    else
      parity_buf_add(b, c, 1);
  }
}

/* One portfolio's target row, or PARITY_EINVAL (logged) when its inputs cannot be rebalanced. */
static int target_row(const json_t *entry, const struct model *model, double threshold, int cash_first,
                      const char *prefix, struct parity_weight *current, struct parity_rebalance_result *res,
                      struct parity_buf *copy)
{
  size_t ncur = 0;
  struct parity_quant_err err = { 0 };
  int rc = model ? PARITY_OK : parity_quant_fail(&err, PARITY_EINVAL, "no usable model for its bucket");
  if (!rc)
    rc = parity_models_weights_from_json(json_object_get(entry, "current"), current, PARITY_REBALANCE_MAX_ASSETS, &ncur,
                                         &err);
  if (!rc)
    rc = parity_rebalance_compute(current, ncur, model->w, model->n, threshold, cash_first, res, &err);
  json_int_t ref = json_integer_value(json_object_get(entry, "ref"));
  if (rc || ref <= 0) {
    /* One bad portfolio must not hold the others back: it keeps its positions this time. */
    parity_log(PARITY_LOG_WARN, "rebalance_portfolio_rejected", "{s:I, s:s}", "ref", ref, "error",
               err.msg[0] ? err.msg : "no ref");
    return PARITY_EINVAL;
  }
  json_t *targets = json_object(), *skipped = json_array();
  for (size_t k = 0; k < res->n; k++)
    json_object_set_new(targets, res->adjusted[k].symbol, json_real(res->adjusted[k].w));
  for (size_t k = 0; k < res->nskipped; k++)
    json_array_append_new(skipped, json_string(res->skipped[k]));
  char *t = parity_json_dumps_exact_new(targets), *s = parity_json_dumps_exact_new(skipped), tail[48], user[32];
  int n = snprintf(user, sizeof(user), "%lld\t", (long long)ref);
  parity_buf_add(copy, prefix, strlen(prefix));
  parity_buf_add(copy, user, (size_t)n);
  add_copy_text(copy, t);
  parity_buf_add(copy, "\t", 1);
  add_copy_text(copy, s);
  n = snprintf(tail, sizeof(tail), "\t%.17g\n", res->drift);
  parity_buf_add(copy, tail, (size_t)n);
  free(t);
  free(s);
  json_decref(targets);
  json_decref(skipped);
  return PARITY_OK;
}

int parity_h_rebalance_batch(struct parity_job *job)
{
  const json_t *p = job->msg->payload;
  json_int_t batch_id = parity_json_int(p, "batch_id", 0), run_id = parity_json_int(p, "run_id", 0);
  char batch[24], prefix[80];
  snprintf(batch, sizeof(batch), "%lld", (long long)batch_id);
  /* The batch row first: it is locked for the rest of the transaction, and a batch computed already (a
   * second delivery of its command under another id) is not computed twice. */
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(job->db, QD_REBALANCE_BATCH_COMPUTED, &res, batch);
  if (rc)
    return rc;
  long fresh = parity_db_affected(res);
  PQclear(res);
  if (!fresh) {
    parity_log(PARITY_LOG_INFO, "rebalance_batch_not_pending", "{s:I}", "batch_id", batch_id);
    job->outcome = "duplicate";
    return PARITY_OK;
  }
  snprintf(prefix, sizeof(prefix), "%lld\t%s\t%lld\t", (long long)batch_id, run_id ? "" : "\\N",
           (long long)parity_json_int(p, "batch_no", 0));
  if (run_id)
    snprintf(prefix, sizeof(prefix), "%lld\t%lld\t%lld\t", (long long)batch_id, (long long)run_id,
             (long long)parity_json_int(p, "batch_no", 0));
  double threshold = parity_json_num(p, "threshold", PARITY_DEFAULT_REBALANCE_THRESHOLD);
  int cash_first = json_is_true(json_object_get(p, "cash_first"));
  size_t nmodels = 0;
  struct model *models = parse_models(json_object_get(p, "models"), &nmodels);
  struct parity_rebalance_result *result = parity_xcalloc(1, sizeof(*result));
  struct parity_weight *current = parity_xcalloc(PARITY_REBALANCE_MAX_ASSETS, sizeof(*current));
  struct parity_buf copy;
  parity_buf_init(&copy, PARITY_BUF_UNBOUNDED);
  size_t i;
  const json_t *entry;
  int rows = 0, rejected = 0;
  json_array_foreach(json_object_get(p, "portfolios"), i, entry) {
    const struct model *m = find_model(models, nmodels, json_string_value(json_object_get(entry, "bucket")));
    if (target_row(entry, m, threshold, cash_first, prefix, current, result, &copy) == PARITY_OK)
      rows++;
    else
      rejected++;
  }
  if (rows > 0) {
    rc = parity_db_copy_begin(job->db, parity_dec_sql[SQL_REBALANCE_TARGETS_COPY]);
    if (!rc) {
      int put = parity_db_copy_put(job->db, copy.data, copy.len);
      rc = parity_db_copy_end(job->db, put ? "rebalance targets copy failed" : NULL);
    }
  }
  parity_buf_free(&copy);
  free(current);
  free(result);
  free(models);
  if (!rc) {
    if (rejected)
      job->outcome = "partial";
    job->event_type = PARITY_EVT_REBALANCE_BATCH_COMPUTED;
    job->event_payload = json_pack("{s:I}", "batch_id", batch_id);
  }
  return rc;
}
