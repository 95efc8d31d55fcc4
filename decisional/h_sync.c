/* CMD_SYNC_DAILY and CMD_SYNC_INTRADAY: fetch (bundled file or Yahoo), validate, upsert, log the sync. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/json.h"
#include "common/log.h"
#include "decisional/daily_series.h"
#include "decisional/dividends_load.h"
#include "decisional/job.h"
#include "decisional/job_track.h"
#include "decisional/market_load.h"
#include "decisional/queries.h"
#include "decisional/yahoo.h"

#define INTRADAY_KEEP_DAYS 14

/* A failure of the data (not of the system): reported, nothing of the batch kept, message consumed. */
static bool is_data_error(int rc)
{
  return rc == PARITY_EINVAL || rc == PARITY_ETOOBIG || rc == PARITY_ENOTFOUND || rc == PARITY_EUPSTREAM ||
         rc == PARITY_EIO;
}

static int log_start(struct parity_job *job, const char *source, const char *kind, char id[24])
{
  PGresult *res = NULL;
  char job_id[PARITY_I64_TEXT];
  int rc = PARITY_DB_EXEC(job->db, QD_SYNC_LOG_INSERT, &res, source, kind, job->msg->id,
                          parity_job_track_id_text(job->msg, job_id));
  if (!rc)
    snprintf(id, 24, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  return rc;
}

static int log_finish(struct parity_job *job, const char *id, const struct parity_load_stats *st, const char *error)
{
  char symbols[24], rows[24], changed[24];
  snprintf(symbols, sizeof(symbols), "%zu", st->symbols);
  snprintf(rows, sizeof(rows), "%zu", st->rows);
  snprintf(changed, sizeof(changed), "%ld", st->changed);
  char *notes = parity_json_dumps_new(st->notes ? st->notes : json_array());
  int rc = PARITY_DB_EXEC(job->db, QD_SYNC_LOG_FINISH, NULL, id, symbols, rows, changed, error, notes);
  free(notes);
  return rc;
}

/* Yahoo's range parameter for a lookback in calendar days. */
static const char *yahoo_range(long days)
{
  if (days <= 30)
    return "1mo";
  if (days <= 366)
    return "1y";
  if (days <= 731)
    return "2y";
  if (days <= 1827)
    return "5y";
  if (days <= 3653)
    return "10y";
  return "max";
}

/* Calendar days re-read before a symbol's newest stored day: the source's late revisions show up there. */
#define SYNC_OVERLAP_DAYS 7

/* What the Yahoo path fetched: per symbol (in the payload's order) its bars and events. */
struct yahoo_batch {
  struct parity_bar_series *series;
  struct parity_yahoo_events *events;
  size_t n;
};

static void yahoo_batch_free(struct yahoo_batch *b)
{
  for (size_t i = 0; i < b->n; i++) {
    parity_bar_series_free(&b->series[i]);
    parity_yahoo_events_free(&b->events[i]);
  }
  free(b->series);
  free(b->events);
  memset(b, 0, sizeof(*b));
}

/* Each symbol's newest stored day (INT32_MIN: never loaded, so it is backfilled over the lookback). */
static int last_days(struct parity_job *job, const json_t *symbols, int32_t *last)
{
  size_t n = json_array_size(symbols);
  for (size_t i = 0; i < n; i++)
    last[i] = INT32_MIN;
  char *arr = parity_symbols_pg_array_new(symbols);
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(job->db, QD_SYMBOL_LAST_DAYS, &res, arr);
  free(arr);
  for (int r = 0; !rc && r < PQntuples(res); r++)
    for (size_t i = 0; i < n; i++)
      if (strcmp(PQgetvalue(res, r, 0), json_string_value(json_array_get(symbols, i))) == 0)
        last[i] = (int32_t)atol(PQgetvalue(res, r, 1));
  PQclear(res);
  return rc;
}

/*
 * Network before writing: every symbol is fetched and validated, then all are written together. A symbol
 * already stored is asked only from SYNC_OVERLAP_DAYS before its newest day; a new one (it joined the
 * universe) over the whole lookback.
 */
static int fetch_yahoo_daily(struct parity_job *job, struct yahoo_batch *out, json_t *notes,
                             struct parity_market_error *err)
{
  const json_t *symbols = json_object_get(job->msg->payload, "symbols");
  size_t n = json_array_size(symbols);
  int32_t *last = parity_xcalloc(n ? n : 1, sizeof(*last));
  int rc = last_days(job, symbols, last);
  if (rc) {
    free(last);
    return rc;
  }
  out->series = parity_xcalloc(n ? n : 1, sizeof(*out->series));
  out->events = parity_xcalloc(n ? n : 1, sizeof(*out->events));
  out->n = n;
  struct parity_yahoo_options opt;
  parity_yahoo_options_from_config(job->cfg, &opt);
  struct parity_yahoo_client *client = NULL;
  rc = parity_yahoo_client_new(&opt, &client);
  const char *range = yahoo_range((long)parity_json_int(job->msg->payload, "lookback_days", 1827));
  for (size_t i = 0; i < n && !rc && !*job->stop; i++) {
    const char *symbol = json_string_value(json_array_get(symbols, i));
    int32_t from = last[i] == INT32_MIN ? INT32_MIN : last[i] - SYNC_OVERLAP_DAYS;
    rc = parity_yahoo_fetch_daily_events(client, symbol, from, range, &out->series[i], &out->events[i], NULL, err);
    if (!rc)
      parity_job_track_progress(job, (int64_t)i + 1, (int64_t)n); /* the network is the long part */
    char day[PARITY_DAY_TEXT] = "";
    if (from != INT32_MIN)
      parity_day_format(from, day);
    json_array_append_new(notes,
                          json_pack("{s:s, s:s, s:s}", "kind", from == INT32_MIN ? "backfill" : "incremental", "symbol",
                                    symbol, from == INT32_MIN ? "range" : "from", from == INT32_MIN ? range : day));
  }
  free(last);
  if (!rc && *job->stop)
    rc = PARITY_EUNAVAILABLE;
  parity_yahoo_client_free(client);
  if (rc)
    yahoo_batch_free(out);
  return rc;
}

/* Stores the fetched splits and dividends (market_events) of symbols[i]; a split seen for the first time is
 * logged. */
static int store_events(struct parity_job *job, const json_t *symbols, const struct parity_yahoo_events *events,
                        size_t n)
{
  for (size_t i = 0; i < n; i++) {
    const char *symbol = json_string_value(json_array_get(symbols, i));
    for (size_t k = 0; k < events[i].n; k++) {
      const struct parity_yahoo_event *e = &events[i].items[k];
      char day[PARITY_DAY_TEXT], num[32], den[32], amount[32];
      parity_day_format(e->day, day);
      snprintf(num, sizeof(num), "%.17g", e->numerator);
      snprintf(den, sizeof(den), "%.17g", e->denominator);
      snprintf(amount, sizeof(amount), "%.17g", e->amount);
      PGresult *res = NULL;
      int rc = PARITY_DB_EXEC(job->db, QD_EVENT_UPSERT, &res, symbol, day, e->is_split ? "split" : "dividend",
                              e->is_split ? num : NULL, e->is_split ? den : NULL, e->is_split ? NULL : amount, "yahoo");
      if (!rc && e->is_split && PQntuples(res) == 1)
        parity_log(PARITY_LOG_INFO, "market_split_seen", "{s:s, s:s, s:f, s:f}", "symbol", symbol, "day", day,
                   "numerator", e->numerator, "denominator", e->denominator);
      PQclear(res);
      if (rc)
        return rc;
    }
  }
  return PARITY_OK;
}

/* The findings of the open market_quality rows, per check, as the parity_market_quality_findings gauge. */
static void quality_gauge(struct parity_job *job)
{
  if (!job->metrics->quality_findings)
    return;
  PGresult *res = NULL;
  if (PARITY_DB_EXEC0(job->db, QD_QUALITY_COUNTS, &res))
    return;
  for (int c = 0; c < PARITY_QC_COUNT; c++) {
    double count = 0;
    for (int r = 0; r < PQntuples(res); r++)
      if (strcmp(PQgetvalue(res, r, 0), parity_quality_check_name((enum parity_quality_check)c)) == 0)
        count += atof(PQgetvalue(res, r, 2));
    parity_metric_set(job->metrics->quality_findings, count, parity_quality_check_name((enum parity_quality_check)c),
                      parity_quality_blocking((enum parity_quality_check)c) ? "blocking" : "warning");
  }
  PQclear(res);
}

/*
 * The dividend history shipped beside the bundled prices, in the same transaction: operational credits
 * the ex-dates once EVT_SYNC_DONE says the closes are in. A bad file is logged and leaves the dividends
 * as they were (the prices still load): they are an addition to the prices, not a condition of them.
 */
static int load_bundled_dividends(struct parity_job *job, size_t *rows, long *changed)
{
  char path[4096], why[512];
  parity_dividends_bundled_path(job->cfg->bundled_data_file, path, sizeof(path));
  int rc = parity_db_exec_sql(job->db, parity_dec_sql[SQL_SAVEPOINT_LOAD]);
  if (rc)
    return rc;
  rc = parity_dividends_load_file(job->db, path, json_object_get(job->msg->payload, "symbols"), "bundled", rows,
                                  changed, why, sizeof(why));
  if (rc == PARITY_EDB)
    return rc;
  if (rc) {
    /* A price file of one's own (BUNDLED_DATA_FILE) may come without dividends: that is no error. */
    parity_log(rc == PARITY_EIO ? PARITY_LOG_WARN : PARITY_LOG_ERROR,
               rc == PARITY_EIO ? "dividends_file_missing" : "dividends_rejected", "{s:s}", "error", why);
    *rows = 0;
    *changed = 0;
    rc = parity_db_exec_sql(job->db, parity_dec_sql[SQL_ROLLBACK_TO_LOAD]);
  }
  return rc ? rc : parity_db_exec_sql(job->db, parity_dec_sql[SQL_RELEASE_LOAD]);
}

/* The bundled load's progress: a symbol's series is staged (the file is read once, all symbols together). */
static void staged_progress(void *ctx, const struct parity_load_stats *st)
{
  const struct parity_job *job = ctx;
  parity_job_track_progress(job, (int64_t)st->symbols,
                            (int64_t)json_array_size(json_object_get(job->msg->payload, "symbols")));
}

int parity_h_sync_daily(struct parity_job *job)
{
  bool bundled = strcmp(job->cfg->market_source, "bundled") == 0;
  const char *source = bundled ? "bundled" : "yahoo";
  char log_id[24];
  int rc = log_start(job, source, "daily", log_id);
  if (rc)
    return rc;
  struct parity_load_stats st;
  parity_load_stats_init(&st);
  struct parity_market_error err;
  parity_market_error_clear(&err);
  struct parity_symbol_split *splits = NULL;
  parity_job_track_progress(job, 0, (int64_t)json_array_size(json_object_get(job->msg->payload, "symbols")));
  size_t dividend_rows = 0;
  long dividends_changed = 0;
  if (bundled) {
    rc = parity_market_known_splits(job->db, json_object_get(job->msg->payload, "symbols"), &splits, &st.n_splits);
    st.splits = splits;
    st.on_series = staged_progress;
    st.on_series_ctx = job;
    if (!rc)
      rc = parity_market_load_csv(job->db, job->cfg->bundled_data_file, json_object_get(job->msg->payload, "symbols"),
                                  &st, &err);
    if (!rc)
      rc = load_bundled_dividends(job, &dividend_rows, &dividends_changed);
  } else {
    struct yahoo_batch batch;
    memset(&batch, 0, sizeof(batch));
    rc = fetch_yahoo_daily(job, &batch, st.notes, &err);
    /* Rate limits and outages are worth a retry; a bad answer for a symbol is not. */
    if (rc == PARITY_ERATE || rc == PARITY_EUNAVAILABLE || rc == PARITY_EDB || (rc == PARITY_EIO && !*job->stop)) {
      parity_load_stats_free(&st);
      return rc == PARITY_EIO ? PARITY_EUPSTREAM : rc;
    }
    if (!rc)
      rc = store_events(job, json_object_get(job->msg->payload, "symbols"), batch.events, batch.n);
    if (!rc) {
      rc = parity_market_known_splits(job->db, json_object_get(job->msg->payload, "symbols"), &splits, &st.n_splits);
      st.splits = splits;
    }
    if (!rc)
      rc = parity_market_load_series(job->db, batch.series, batch.n, &st);
    yahoo_batch_free(&batch);
  }
  if (rc && !is_data_error(rc)) {
    free(splits);
    parity_load_stats_free(&st);
    return rc;
  }
  /* The quality job of this load: its findings replace those of the days it covered. */
  int qrc = parity_quality_store(job->db, source, &st, rc ? &err : NULL);
  free(splits);
  if (qrc) {
    parity_load_stats_free(&st);
    return qrc;
  }
  quality_gauge(job);
  if (rc) {
    parity_log(PARITY_LOG_ERROR, "sync_rejected", "{s:s, s:s, s:i, s:s}", "symbol", err.symbol, "field", err.field,
               "line", (int)err.line, "error", err.message);
    rc = log_finish(job, log_id, &st, err.message[0] ? err.message : parity_err_str(rc));
    job->outcome = "data_error";
    snprintf(job->failure, sizeof(job->failure), "data rejected: %.16s %.200s", err.symbol,
             err.message[0] ? err.message : "bad data");
    parity_load_stats_free(&st);
    return rc;
  }
  rc = log_finish(job, log_id, &st, NULL);
  if (!rc) {
    char last[PARITY_DAY_TEXT] = "";
    if (st.last_day != INT32_MIN)
      parity_day_format(st.last_day, last);
    parity_metric_add(job->metrics->rows_upserted, (double)st.changed);
    job->event_type = PARITY_EVT_SYNC_DONE;
    job->event_payload =
        json_pack("{s:s, s:I, s:I, s:I, s:I}", "kind", "daily", "symbols", (json_int_t)st.symbols, "rows",
                  (json_int_t)st.rows, "changed", (json_int_t)st.changed, "revised", (json_int_t)st.revised);
    if (*last)
      json_object_set_new(job->event_payload, "last_day", json_string(last));
    parity_log(PARITY_LOG_INFO, "sync_daily_done", "{s:I, s:I, s:I, s:I, s:s, s:I, s:I}", "symbols",
               (json_int_t)st.symbols, "rows", (json_int_t)st.rows, "changed", (json_int_t)st.changed, "revised",
               (json_int_t)st.revised, "last_day", last, "dividend_rows", (json_int_t)dividend_rows,
               "dividends_changed", (json_int_t)dividends_changed);
  }
  parity_load_stats_free(&st);
  return rc;
}

int parity_h_sync_intraday(struct parity_job *job)
{
  if (strcmp(job->cfg->market_source, "bundled") == 0) {
    /* The bundled data set has no intraday bars: nothing to do, and that is not an error. */
    job->outcome = "skipped_bundled";
    return PARITY_OK;
  }
  const json_t *symbols = json_object_get(job->msg->payload, "symbols");
  size_t n = json_array_size(symbols);
  struct parity_point_series *all = parity_xcalloc(n ? n : 1, sizeof(*all));
  struct parity_yahoo_events *events = parity_xcalloc(n ? n : 1, sizeof(*events));
  char log_id[24];
  int rc = log_start(job, "yahoo", "intraday", log_id);
  struct parity_yahoo_options opt;
  parity_yahoo_options_from_config(job->cfg, &opt);
  struct parity_yahoo_client *client = NULL;
  if (!rc)
    rc = parity_yahoo_client_new(&opt, &client);
  struct parity_market_error err;
  parity_market_error_clear(&err);
  for (size_t i = 0; i < n && !rc; i++)
    rc = parity_yahoo_fetch_intraday(client, json_string_value(json_array_get(symbols, i)), "14d", "15m", &all[i],
                                     &events[i], NULL, &err);
  parity_yahoo_client_free(client);
  struct parity_load_stats st;
  parity_load_stats_init(&st);
  if (!rc)
    rc = store_events(job, symbols, events, n);
  if (!rc) {
    rc = parity_market_load_intraday(job->db, all, n, INTRADAY_KEEP_DAYS, &st.changed);
    st.symbols = n;
    for (size_t i = 0; i < n; i++)
      st.rows += all[i].n;
  }
  for (size_t i = 0; i < n; i++) {
    parity_point_series_free(&all[i]);
    parity_yahoo_events_free(&events[i]);
  }
  free(all);
  free(events);
  if (rc == PARITY_ERATE || rc == PARITY_EIO || rc == PARITY_EDB) {
    parity_load_stats_free(&st);
    return rc == PARITY_EIO ? PARITY_EUPSTREAM : rc;
  }
  if (rc) {
    job->outcome = "data_error";
    rc = log_finish(job, log_id, &st, err.message[0] ? err.message : parity_err_str(rc));
  } else {
    rc = log_finish(job, log_id, &st, NULL);
    job->event_type = PARITY_EVT_SYNC_DONE;
    job->event_payload = json_pack("{s:s, s:I, s:I, s:I}", "kind", "intraday", "symbols", (json_int_t)st.symbols,
                                   "rows", (json_int_t)st.rows, "changed", (json_int_t)st.changed);
  }
  parity_load_stats_free(&st);
  return rc;
}
