/* Current model portfolios from model_portfolios (newest as-of day per bucket), in bucket order. */
#include "operational/svc_models.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "operational/queries.h"

static const char *const horizons[] = { "short", "medium", "long" };
#define HORIZONS (sizeof(horizons) / sizeof(horizons[0]))
#define RISK_MIN 1
#define RISK_MAX 5

bool parity_bucket_parse(const char *bucket, int *risk, int *horizon_index)
{
  static const char prefix[] = "risk_", middle[] = "_horizon_";
  if (!bucket || strncmp(bucket, prefix, sizeof(prefix) - 1) != 0)
    return false;
  const char *p = bucket + sizeof(prefix) - 1;
  if (*p < '0' + RISK_MIN || *p > '0' + RISK_MAX)
    return false;
  *risk = *p - '0';
  p++;
  if (strncmp(p, middle, sizeof(middle) - 1) != 0)
    return false;
  p += sizeof(middle) - 1;
  for (size_t h = 0; h < HORIZONS; h++)
    if (strcmp(p, horizons[h]) == 0) {
      *horizon_index = (int)h;
      return true;
    }
  return false;
}

/* One model as the API shows it; weights parsed from the jsonb text. New reference, NULL if unparsable. */
static json_t *model_json(const char *bucket, const char *as_of, const char *computed_at, const char *weights_text)
{
  int risk, h;
  json_t *weights = json_loads(weights_text, 0, NULL);
  if (!weights || !parity_bucket_parse(bucket, &risk, &h)) {
    json_decref(weights);
    return NULL;
  }
  return json_pack("{s:s, s:i, s:s, s:s, s:s, s:o}", "bucket", bucket, "risk_tolerance", risk, "horizon", horizons[h],
                   "as_of", as_of, "computed_at", computed_at, "weights", weights);
}

static int bucket_rank(const json_t *model)
{
  int risk = 0, h = 0;
  parity_bucket_parse(json_string_value(json_object_get(model, "bucket")), &risk, &h);
  return risk * (int)HORIZONS + h;
}

static int by_bucket(const void *a, const void *b)
{
  return bucket_rank(*(json_t *const *)a) - bucket_rank(*(json_t *const *)b);
}

int parity_svc_models_list(struct parity_db *db, json_t **out)
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC0(db, Q_MODELS_CURRENT_ALL, &res);
  if (rc)
    return rc;
  /* The table's CHECK admits only the 15 bucket keys, so there are at most 15 rows. */
  json_t *found[PARITY_MODEL_BUCKETS] = { 0 };
  size_t n = 0;
  for (int i = 0; i < PQntuples(res) && n < PARITY_MODEL_BUCKETS; i++) {
    json_t *m = model_json(PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3));
    if (m)
      found[n++] = m;
  }
  PQclear(res);
  qsort(found, n, sizeof(found[0]), by_bucket); /* NOLINT(bugprone-sizeof-expression): sorts the pointers */
  json_t *models = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(models, found[i]);
  *out = json_pack("{s:o}", "models", models);
  return PARITY_OK;
}

int parity_svc_model_get(struct parity_db *db, const char *bucket, json_t **out, struct parity_svc_error *err)
{
  int risk, h;
  if (!parity_bucket_parse(bucket, &risk, &h)) {
    return parity_svc_fail(err, PARITY_ENOTFOUND, NULL,
                           "unknown bucket; buckets are risk_{1..5}_horizon_{short|medium|long}");
  }
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, Q_MODEL_CURRENT, &res, bucket);
  if (rc)
    return rc;
  *out = PQntuples(res) == 1 ? model_json(bucket, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 0))
                             : NULL;
  PQclear(res);
  if (!*out) {
    return parity_svc_fail(err, PARITY_ENOTFOUND, NULL, "bucket %s has no model portfolio yet", bucket);
  }
  return PARITY_OK;
}
