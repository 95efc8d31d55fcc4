/* CMD_GENERATE: the 15 model portfolios from daily_prices, one row per bucket and as-of day. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/json.h"
#include "common/log.h"
#include "decisional/daily_series.h"
#include "decisional/job.h"
#include "decisional/job_track.h"
#include "decisional/models.h"
#include "decisional/queries.h"

#define MODELS_KEEP_DAYS "400" /* history of old model rows kept behind the newest one */
/* The job's sentence about refused symbols: a full universe of refusals fits (about 40 bytes each); more is
 * cut, the list beside it stays whole. */
#define PARITY_MODELS_REFUSAL_NOTE_MAX 2048

/*
 * Calendar days read before the as-of day: the lookback's trading days span about 1.45 calendar days each
 * (weekends, holidays); 1.6 plus a month leaves room, and the window itself is chosen by models.c.
 */
static int32_t read_window_days(int lookback)
{
  return lookback * 8 / 5 + 31;
}

/* The JSON array's strings as a C array borrowed from it. */
static const char **names_of(const json_t *array, size_t *n)
{
  *n = json_array_size(array);
  const char **names = parity_xcalloc(*n ? *n : 1, sizeof(*names));
  for (size_t i = 0; i < *n; i++)
    names[i] = json_string_value(json_array_get(array, i));
  return names;
}

static int store(struct parity_job *job, const struct parity_models_result *res, const char *as_of)
{
  const char *bucket;
  json_t *weights;
  int rc = PARITY_OK;
  char job_id[PARITY_I64_TEXT];
  const char *job_text = parity_job_track_id_text(job->msg, job_id);
  int64_t done = 0, total = (int64_t)json_object_size(res->buckets);
  json_object_foreach(res->buckets, bucket, weights) {
    json_t *diag = json_object_get(res->diagnostics, bucket);
    json_t *diag_full = json_pack("{s:O?, s:O}", "bucket", diag, "excluded", res->excluded);
    char *w = parity_json_dumps_exact_new(weights), *d = parity_json_dumps_exact_new(diag_full);
    json_decref(diag_full);
    rc = PARITY_DB_EXEC(job->db, QD_MODEL_UPSERT, NULL, bucket, as_of, w, d, job_text);
    free(w);
    free(d);
    if (rc)
      return rc;
    parity_job_track_progress(job, ++done, total);
  }
  return PARITY_DB_EXEC(job->db, QD_MODELS_PRUNE, NULL, MODELS_KEEP_DAYS);
}

/*
 * Symbols with a blocking data-quality finding (market_quality) dated in the window [from, as_of] are left
 * out of the generation: their entries in names[] are removed, and each refusal is added to `refused`
 * ({"symbol","reason","check","day"}) and logged.
 */
static int refuse_defective(struct parity_job *job, const json_t *all, const char **names, size_t *n, const char *from,
                            const char *as_of, json_t *refused)
{
  char *arr = parity_symbols_pg_array_new(all);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(job->db, QD_QUALITY_BLOCKING, &res, arr, from, as_of);
  free(arr);
  if (rc)
    return rc;
  size_t kept = 0;
  for (size_t i = 0; i < *n; i++) {
    int row = -1;
    for (int r = 0; r < PQntuples(res) && row < 0; r++)
      if (strcmp(PQgetvalue(res, r, 0), names[i]) == 0)
        row = r;
    if (row < 0) {
      names[kept++] = names[i];
      continue;
    }
    const char *day = PQgetvalue(res, row, 1), *check = PQgetvalue(res, row, 2);
    char reason[160];
    snprintf(reason, sizeof(reason), "blocking data-quality finding %s on %s (parity data-quality --symbol %s)", check,
             day, names[i]);
    json_array_append_new(
        refused, json_pack("{s:s, s:s, s:s, s:s}", "symbol", names[i], "reason", reason, "check", check, "day", day));
    parity_log(PARITY_LOG_WARN, "models_symbol_refused", "{s:s, s:s, s:s, s:s}", "symbol", names[i], "check", check,
               "day", day, "as_of", as_of);
  }
  *n = kept;
  PQclear(res);
  return PARITY_OK;
}

/* The sentence naming each refused symbol with its check and day, cut to `size`. */
static void refusal_note(const json_t *refused, char *note, size_t size)
{
  size_t used = (size_t)snprintf(note, size, "left out for blocking data-quality findings:");
  size_t i;
  const json_t *r;
  json_array_foreach(refused, i, r) {
    if (used >= size)
      break;
    used += (size_t)snprintf(
        note + used, size - used, "%s %s (%s on %s)", i ? "," : "", json_string_value(json_object_get(r, "symbol")),
        json_string_value(json_object_get(r, "check")), json_string_value(json_object_get(r, "day")));
  }
}

/*
 * What the job says of the refusals (its counters are the event's payload): the symbols left out, and the
 * sentence naming each, for `parity job ID` and GET /internal/jobs/{id}.
 */
static void refusal_summary(const json_t *refused, json_t *payload)
{
  json_t *symbols = json_array();
  size_t i;
  const json_t *r;
  json_array_foreach(refused, i, r) {
    json_array_append_new(symbols, json_incref(json_object_get(r, "symbol")));
  }
  char note[PARITY_MODELS_REFUSAL_NOTE_MAX];
  refusal_note(refused, note, sizeof(note));
  json_object_set_new(payload, "refused_symbols", symbols);
  json_object_set_new(payload, "note", json_string(note));
}

void parity_h_models_params(const struct parity_job *job, struct parity_models_params *params)
{
  parity_models_params_from_config(job->cfg, params);
  const json_t *overrides = json_object_get(job->msg->payload, "params");
  params->lookback = (int)parity_json_int(overrides, "lookback_days", params->lookback);
  params->min_common_days = (int)parity_json_int(overrides, "min_common_days", params->min_common_days);
  params->top_equities = (int)parity_json_int(overrides, "top_equities", params->top_equities);
  params->min_weight = parity_json_num(overrides, "min_weight", params->min_weight);
}

int parity_h_generate(struct parity_job *job)
{
  const json_t *p = job->msg->payload;
  const json_t *equities = json_object_get(p, "equities"), *bonds = json_object_get(p, "bonds");
  const char *as_of = parity_json_str(p, "as_of", NULL);
  char latest[16] = "";
  if (!as_of) {
    PGresult *res = NULL;
    int rc = PARITY_DB_EXEC0(job->db, QD_LAST_DAY, &res);
    if (rc)
      return rc;
    snprintf(latest, sizeof(latest), "%s", PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0));
    PQclear(res);
    if (!*latest) {
      job->outcome = "no_prices";
      parity_log(PARITY_LOG_WARN, "models_skipped", "{s:s}", "reason", "daily_prices is empty");
      return PARITY_OK;
    }
    as_of = latest;
  }
  int32_t as_of_day;
  if (parity_day_parse(as_of, strlen(as_of), &as_of_day) != 0)
    return PARITY_EINVAL;

  struct parity_models_params params;
  parity_h_models_params(job, &params);

  size_t n_eq, n_bd, n_series = 0;
  const char **eq = names_of(equities, &n_eq), **bd = names_of(bonds, &n_bd);
  struct parity_bar_series *series = parity_xcalloc(n_eq + n_bd, sizeof(*series));
  json_t *all = json_deep_copy(equities);
  json_array_extend(all, (json_t *)bonds);
  struct parity_models_result res;
  memset(&res, 0, sizeof(res));
  int32_t from_day = as_of_day - read_window_days(params.lookback);
  char from[PARITY_DAY_TEXT];
  parity_day_format(from_day, from);
  json_t *refused = json_array();
  int rc = refuse_defective(job, all, eq, &n_eq, from, as_of, refused);
  if (!rc)
    rc = refuse_defective(job, all, bd, &n_bd, from, as_of, refused);
  if (!rc)
    rc = parity_daily_series_read(job->db, all, as_of, from_day, series, &n_series, NULL);
  json_decref(all);
  if (!rc) {
    struct parity_models_universe universe = { eq, n_eq, bd, n_bd };
    struct parity_quant_err err = { 0 };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = parity_models_generate(series, n_series, &universe, &params, as_of_day, &res, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    parity_metric_observe(job->metrics->hrp_duration,
                          (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    if (rc) {
      parity_log(PARITY_LOG_ERROR, "models_failed", "{s:s, s:s}", "as_of", as_of, "error", err.msg);
      /* The command is dead-lettered (the data cannot carry models); its job fails saying why, the symbols
       * refused first: they are often the cause. */
      char note[PARITY_MODELS_REFUSAL_NOTE_MAX] = "";
      if (json_array_size(refused))
        refusal_note(refused, note, sizeof(note));
      snprintf(job->failure, sizeof(job->failure), "models not generated: %.280s%s%.60s", note, *note ? "; " : "",
               err.msg);
    }
  }
  char day[PARITY_DAY_TEXT] = "";
  if (!rc)
    json_array_extend(res.excluded, refused); /* stored with every bucket's diagnostics: the reason */
  if (!rc) {
    parity_day_format(res.as_of_day, day);
    rc = store(job, &res, day);
  }
  if (!rc) {
    job->event_type = PARITY_EVT_MODELS_GENERATED;
    job->event_payload =
        json_pack("{s:s, s:i, s:O}", "as_of", day, "buckets", (int)json_object_size(res.buckets), "refused", refused);
    if (json_array_size(refused))
      refusal_summary(refused, job->event_payload);
    parity_log(PARITY_LOG_INFO, "models_generated", "{s:s, s:i, s:O}", "as_of", day, "buckets",
               (int)json_object_size(res.buckets), "excluded", res.excluded);
  }
  parity_models_result_free(&res);
  json_decref(refused);
  for (size_t i = 0; i < n_series; i++)
    parity_bar_series_free(&series[i]);
  free(series);
  free(eq);
  free(bd);
  return rc;
}
