/*
 * CMD_BACKTEST: for one as-of day, each model's risk over the lookback and the walk-forward backtest of
 * the 15 buckets with SPY and 60/40 (SPEC §8a), one model_analytics row per series.
 *
 * Inputs are every daily_prices row of the universe, SPY and BND up to the as-of day, the universe,
 * the parameters and the models CMD_GENERATE stored for that day. Their BLAKE2b digest is stored with
 * the rows: a day whose full set of rows already carries the same digest is not recomputed (a new
 * CMD_GENERATE on unchanged prices, or any repeat); a changed close recomputes and replaces the day.
 * A redelivered message is already stopped by processed_messages in dispatch.
 *
 * The risk of a bucket is that of its stored weights (what investors hold, rounded as CMD_GENERATE
 * rounds them), rebalanced daily, over the last `lookback` returns of the days its symbols and SPY
 * share, against SPY, with rf = 0: exactly `parity risk --weights W --from F --to T` on the same prices.
 * The backtest is exactly `parity backtest` with the same parameters and --to the as-of day.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/json.h"
#include "common/log.h"
#include "decisional/analytics.h"
#include "decisional/analytics_json.h"
#include "decisional/backtest.h"
#include "decisional/daily_series.h"
#include "decisional/job.h"
#include "decisional/job_track.h"
#include "decisional/queries.h"

#define ANALYTICS_KEEP_DAYS "400"      /* history of old rows kept behind the newest day, as for the models */
#define ANALYTICS_FINGERPRINT_BYTES 32 /* BLAKE2b-256 */
#define ANALYTICS_HISTORY_START_YEAR 1900

struct analytics_inputs {
  json_t *symbols; /* equities, bonds, then SPY and BND when not among them */
  struct parity_bar_series *series;
  size_t nseries;
  PGresult *models; /* bucket_key, weights::text for the as-of day */
  char fingerprint[2 * ANALYTICS_FINGERPRINT_BYTES + 1];
};

static void inputs_free(struct analytics_inputs *in)
{
  for (size_t i = 0; i < in->nseries; i++)
    parity_bar_series_free(&in->series[i]);
  free(in->series);
  json_decref(in->symbols);
  PQclear(in->models);
}

static void digest_text(crypto_generichash_state *fp, const char *text)
{
  crypto_generichash_update(fp, (const unsigned char *)text, strlen(text) + 1);
}

static json_t *symbols_new(const json_t *equities, const json_t *bonds)
{
  json_t *all = json_deep_copy(equities);
  json_array_extend(all, (json_t *)bonds);
  static const char *const extra[2] = { PARITY_BACKTEST_BENCHMARK, PARITY_BACKTEST_BOND };
  for (size_t e = 0; e < 2; e++) {
    size_t i;
    json_t *v;
    bool present = false;
    json_array_foreach(all, i, v)
      present = present || strcmp(json_string_value(v), extra[e]) == 0;
    if (!present)
      json_array_append_new(all, json_string(extra[e]));
  }
  return all;
}

/* Reads every input and digests it (parameters first, so a change of them alone recomputes too). */
static int read_inputs(struct parity_job *job, const struct parity_backtest_params *bp, const char *as_of,
                       struct analytics_inputs *in)
{
  const json_t *p = job->msg->payload;
  in->symbols = symbols_new(json_object_get(p, "equities"), json_object_get(p, "bonds"));
  crypto_generichash_state fp;
  crypto_generichash_init(&fp, NULL, 0, ANALYTICS_FINGERPRINT_BYTES);
  char params[256];
  snprintf(params, sizeof(params), "lookback=%d min_common=%d top=%d min_weight=%.17g cost_bps=%.17g as_of=%s",
           bp->models.lookback, bp->models.min_common_days, bp->models.top_equities, bp->models.min_weight,
           bp->cost_bps, as_of);
  digest_text(&fp, params);
  for (size_t i = 0; i < json_array_size(json_object_get(p, "equities")); i++)
    digest_text(&fp, json_string_value(json_array_get(json_object_get(p, "equities"), i)));
  digest_text(&fp, "|bonds");
  for (size_t i = 0; i < json_array_size(json_object_get(p, "bonds")); i++)
    digest_text(&fp, json_string_value(json_array_get(json_object_get(p, "bonds"), i)));
  digest_text(&fp, "|prices");
  in->series = parity_xcalloc(json_array_size(in->symbols), sizeof(*in->series));
  int rc =
      parity_daily_series_read(job->db, in->symbols, as_of, parity_day_from_ymd(ANALYTICS_HISTORY_START_YEAR, 1, 1),
                               in->series, &in->nseries, &fp);
  if (!rc)
    rc = PARITY_DB_EXEC(job->db, QD_MODELS_AT_DAY, &in->models, as_of);
  if (rc)
    return rc;
  digest_text(&fp, "|models");
  for (int r = 0; r < PQntuples(in->models); r++) {
    digest_text(&fp, PQgetvalue(in->models, r, 0));
    digest_text(&fp, PQgetvalue(in->models, r, 1));
  }
  unsigned char bin[ANALYTICS_FINGERPRINT_BYTES];
  crypto_generichash_final(&fp, bin, sizeof(bin));
  sodium_bin2hex(in->fingerprint, sizeof(in->fingerprint), bin, sizeof(bin));
  return PARITY_OK;
}

/* The stored weights of a bucket (a new reference), or NULL when CMD_GENERATE stored none that day. */
static json_t *model_weights(const struct analytics_inputs *in, const char *bucket)
{
  for (int r = 0; r < PQntuples(in->models); r++)
    if (strcmp(PQgetvalue(in->models, r, 0), bucket) == 0)
      return json_loads(PQgetvalue(in->models, r, 1), 0, NULL);
  return NULL;
}

/* The bucket's risk over the last `lookback` returns its symbols and SPY share up to the as-of day. */
static json_t *bucket_risk(const struct analytics_inputs *in, const char *bucket, int lookback, int32_t as_of_day)
{
  json_t *wj = model_weights(in, bucket);
  if (!wj)
    return NULL;
  struct parity_weight w[PARITY_ANALYTICS_MAX_SYMBOLS - 1];
  size_t nw = 0;
  struct parity_quant_err err = { 0, "" };
  struct parity_analytics_panel *panel = parity_xcalloc(1, sizeof(*panel));
  json_t *out = NULL;
  const char *syms[PARITY_ANALYTICS_MAX_SYMBOLS];
  int rc = parity_models_weights_from_json(wj, w, PARITY_ANALYTICS_MAX_SYMBOLS - 1, &nw, &err);
  size_t nsym = 0;
  for (size_t i = 0; !rc && i < nw; i++)
    syms[nsym++] = w[i].symbol;
  if (!rc && parity_weights_find(w, nw, PARITY_BACKTEST_BENCHMARK) < 0)
    syms[nsym++] = PARITY_BACKTEST_BENCHMARK;
  if (!rc)
    rc = parity_analytics_panel_build(in->series, in->nseries, syms, nsym, PARITY_ANALYTICS_DAY_MIN, as_of_day, panel,
                                      &err);
  if (!rc && panel->ndays == 0)
    rc = parity_quant_fail(&err, PARITY_EINVAL, "the bucket's symbols and SPY share no day");
  struct parity_analytics_risk risk;
  if (!rc) {
    size_t first = panel->ndays > (size_t)lookback ? panel->ndays - 1 - (size_t)lookback : 0;
    rc = parity_analytics_weights_risk(in->series, in->nseries, w, nw, PARITY_BACKTEST_BENCHMARK, panel->days[first],
                                       as_of_day, 0.0, &risk, &err);
  }
  if (rc) {
    parity_log(PARITY_LOG_WARN, "model_risk_failed", "{s:s, s:s}", "bucket", bucket, "error", err.msg);
  } else {
    out = parity_analytics_risk_json(&risk);
    json_object_set_new(out, "benchmark_symbol", json_string(PARITY_BACKTEST_BENCHMARK));
    json_object_set_new(out, "lookback", json_integer(lookback));
    json_object_set_new(out, "rf", json_real(0.0));
    json_object_set(out, "weights", wj);
  }
  parity_analytics_panel_free(panel);
  free(panel);
  json_decref(wj);
  return out;
}

/* One row per series: the backtest's common keys and that series' object, as `parity backtest` prints it. */
static int store(struct parity_job *job, const struct analytics_inputs *in, const struct parity_backtest_result *res,
                 const struct parity_backtest_params *bp, const char *as_of, int32_t as_of_day)
{
  json_t *all = parity_backtest_result_json(res);
  json_t *series = json_object_get(all, "series");
  const char *key;
  json_t *one;
  int rc = PARITY_OK;
  char job_id[PARITY_I64_TEXT];
  json_object_foreach(series, key, one) {
    json_t *row =
        json_pack("{s:O, s:O, s:O, s:f}", "from", json_object_get(all, "from"), "to", json_object_get(all, "to"),
                  "decisions", json_object_get(all, "decisions"), "cost_bps", bp->cost_bps);
    json_object_update(row, one);
    json_t *risk = strncmp(key, "risk_", 5) == 0 ? bucket_risk(in, key, bp->models.lookback, as_of_day) : NULL;
    char *bt = parity_json_dumps_exact_new(row), *rk = risk ? parity_json_dumps_exact_new(risk) : NULL;
    rc = PARITY_DB_EXEC(job->db, QD_ANALYTICS_UPSERT, NULL, as_of, key, in->fingerprint, rk, bt,
                        parity_job_track_id_text(job->msg, job_id));
    free(bt);
    free(rk);
    json_decref(risk);
    json_decref(row);
    if (rc)
      break;
  }
  json_decref(all);
  return rc ? rc : PARITY_DB_EXEC(job->db, QD_ANALYTICS_PRUNE, NULL, ANALYTICS_KEEP_DAYS);
}

static bool already_computed(struct parity_job *job, const char *as_of, const char *fingerprint, int *rc)
{
  PGresult *res = NULL;
  *rc = PARITY_DB_EXEC(job->db, QD_ANALYTICS_FRESH, &res, as_of, fingerprint);
  bool done = !*rc && atol(PQgetvalue(res, 0, 0)) >= PARITY_BACKTEST_SERIES_MAX;
  PQclear(res);
  return done;
}

/* The backtest's hook: the models simulated so far, as the job's progress. */
static void backtest_progress(void *ctx, size_t done, size_t total)
{
  parity_job_track_progress(ctx, (int64_t)done, (int64_t)total);
}

int parity_h_backtest(struct parity_job *job)
{
  const json_t *p = job->msg->payload;
  const char *as_of = parity_json_str(p, "as_of", NULL);
  int32_t as_of_day;
  if (!as_of || parity_day_parse(as_of, strlen(as_of), &as_of_day) != 0)
    return PARITY_EINVAL; /* the payload check makes it a date; this is a bug */
  struct parity_backtest_params bp;
  parity_backtest_params_defaults(&bp);
  parity_h_models_params(job, &bp.models);
  bp.to_day = as_of_day;
  bp.cost_bps = parity_json_num(p, "cost_bps", 0.0);
  bp.progress = backtest_progress;
  bp.progress_ctx = job;

  struct analytics_inputs in = { 0 };
  int rc = read_inputs(job, &bp, as_of, &in);
  if (!rc && already_computed(job, as_of, in.fingerprint, &rc)) {
    job->outcome = "unchanged";
    parity_log(PARITY_LOG_INFO, "analytics_unchanged", "{s:s, s:s}", "as_of", as_of, "fingerprint", in.fingerprint);
    goto out;
  }
  if (rc)
    goto out;
  const size_t neq = json_array_size(json_object_get(p, "equities"));
  const char **names = parity_xcalloc(json_array_size(in.symbols) + 1, sizeof(*names));
  for (size_t i = 0; i < json_array_size(in.symbols); i++)
    names[i] = json_string_value(json_array_get(in.symbols, i));
  struct parity_models_universe universe = { names, neq, names + neq, json_array_size(json_object_get(p, "bonds")) };
  struct parity_backtest_result res;
  struct parity_quant_err err = { 0, "" };
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int qrc = parity_backtest_run(in.series, in.nseries, &universe, &bp, &res, &err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  if (qrc) {
    /* The data cannot carry a backtest (too little history, a symbol missing): recorded, not retried. */
    job->outcome = "not_computed";
    snprintf(job->failure, sizeof(job->failure), "backtest not computed: %.200s", err.msg);
    parity_log(PARITY_LOG_WARN, "analytics_not_computed", "{s:s, s:s}", "as_of", as_of, "error", err.msg);
  } else {
    rc = store(job, &in, &res, &bp, as_of, as_of_day);
    if (!rc)
      parity_log(PARITY_LOG_INFO, "analytics_computed", "{s:s, s:s, s:i, s:i, s:f}", "as_of", as_of, "fingerprint",
                 in.fingerprint, "decisions", (int)res.decisions, "series", (int)res.nseries, "backtest_seconds",
                 seconds);
    parity_backtest_result_free(&res);
  }
  free(names);
out:
  inputs_free(&in);
  return rc;
}
