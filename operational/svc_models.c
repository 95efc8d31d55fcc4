/* Current model portfolios from model_portfolios (newest as-of day per bucket), in bucket order, as a table
   held in memory. */
#include "operational/svc_models.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/json.h"
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
  /* A model is computed from the closes up to its as-of day: that is its prices' age. */
  return json_pack("{s:s, s:i, s:s, s:s, s:s, s:o, s:s}", "bucket", bucket, "risk_tolerance", risk, "horizon",
                   horizons[h], "as_of", as_of, "computed_at", computed_at, "weights", weights, "prices_as_of", as_of);
}

static void table_destroy(struct parity_snapshot *snap)
{
  struct parity_model_table *t = (struct parity_model_table *)snap;
  for (size_t i = 0; i < t->n; i++) {
    json_decref(t->models[i].model);
    free(t->models[i].body);
    free(t->models[i].weights_body);
    free(t->models[i].weights);
  }
  free(t->list_body);
  free(t);
}

struct parity_model_table *parity_model_table_new(void)
{
  struct parity_model_table *t = parity_xcalloc(1, sizeof(*t));
  parity_snapshot_init(&t->snap, table_destroy);
  return t;
}

int parity_model_table_add(struct parity_model_table *t, const char *bucket, const char *as_of, const char *computed_at,
                           const char *weights_text)
{
  if (t->n == PARITY_MODEL_BUCKETS || strlen(bucket) >= sizeof(t->models[0].bucket) ||
      strlen(as_of) >= PARITY_MODEL_AS_OF_MAX)
    return PARITY_EINVAL;
  json_t *m = model_json(bucket, as_of, computed_at, weights_text);
  if (!m)
    return PARITY_EINVAL;
  struct parity_model_entry *e = &t->models[t->n++];
  snprintf(e->bucket, sizeof(e->bucket), "%s", bucket);
  snprintf(e->as_of, sizeof(e->as_of), "%s", as_of);
  e->model = m;
  return PARITY_OK;
}

static int entry_rank(const struct parity_model_entry *e)
{
  int risk = 0, h = 0;
  parity_bucket_parse(e->bucket, &risk, &h);
  return risk * (int)HORIZONS + h;
}

static int by_bucket(const void *a, const void *b)
{
  return entry_rank(a) - entry_rank(b);
}

void parity_model_table_seal(struct parity_model_table *t)
{
  qsort(t->models, t->n, sizeof(t->models[0]), by_bucket);
  json_t *models = json_array();
  const char *newest = NULL; /* the list's prices_as_of: the newest model's day ("YYYY-MM-DD" sorts as text) */
  for (size_t i = 0; i < t->n; i++) {
    struct parity_model_entry *e = &t->models[i];
    e->body = parity_json_answer_new(e->model);
    e->body_len = strlen(e->body);
    const json_t *weights = json_object_get(e->model, "weights");
    e->weights_body = parity_json_answer_new(weights);
    e->weights = parity_xcalloc(json_object_size(weights) + 1, sizeof(*e->weights));
    const char *symbol;
    const json_t *w;
    json_object_foreach((json_t *)weights, symbol, w) {
      e->weights[e->n_weights++] = (struct parity_model_weight){ .symbol = symbol, .weight = json_number_value(w) };
    }
    json_array_append(models, e->model);
    if (!newest || strcmp(e->as_of, newest) > 0)
      newest = e->as_of;
  }
  json_t *list = json_pack("{s:o, s:s?}", "models", models, "prices_as_of", newest);
  t->list_body = parity_json_answer_new(list);
  t->list_len = strlen(t->list_body);
  json_decref(list); /* the entries keep their own references to the models */
}

const struct parity_model_entry *parity_model_table_find(const struct parity_model_table *t, const char *bucket)
{
  for (size_t i = 0; t && i < t->n; i++)
    if (strcmp(t->models[i].bucket, bucket) == 0)
      return &t->models[i];
  return NULL;
}

int parity_svc_models_table_load(struct parity_db *db, struct parity_model_table **out)
{
  *out = NULL;
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC0(db, Q_MODELS_CURRENT_ALL, &res);
  if (rc)
    return rc;
  /* The table's CHECK admits only the 15 bucket keys, so there are at most 15 rows; one the API cannot
     show (unparsable weights) is left out, as the list always did. */
  struct parity_model_table *t = parity_model_table_new();
  for (int i = 0; i < PQntuples(res); i++)
    parity_model_table_add(t, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
                           PQgetvalue(res, i, 3));
  PQclear(res);
  parity_model_table_seal(t);
  *out = t;
  return PARITY_OK;
}

int parity_svc_model_find(const struct parity_model_table *t, const char *bucket, const struct parity_model_entry **out,
                          struct parity_svc_error *err)
{
  int risk, h;
  *out = NULL;
  if (!parity_bucket_parse(bucket, &risk, &h)) {
    return parity_svc_fail(err, PARITY_ENOTFOUND, NULL,
                           "unknown bucket; buckets are risk_{1..5}_horizon_{short|medium|long}");
  }
  *out = parity_model_table_find(t, bucket);
  if (!*out)
    return parity_svc_fail(err, PARITY_ENOTFOUND, NULL, "bucket %s has no model portfolio yet", bucket);
  return PARITY_OK;
}
