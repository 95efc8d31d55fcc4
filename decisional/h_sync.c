/* CMD_SYNC_DAILY and CMD_SYNC_INTRADAY: fetch (bundled file or Yahoo), validate, upsert, log the sync. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/json.h"
#include "common/log.h"
#include "decisional/job.h"
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
  int rc = PARITY_DB_EXEC(job->db, QD_SYNC_LOG_INSERT, &res, source, kind, job->msg->id);
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

/* Network before writing: every symbol is fetched and validated, then all are written together. */
static int fetch_yahoo_daily(struct parity_job *job, struct parity_bar_series **out, size_t *n_out,
                             struct parity_market_error *err)
{
  const json_t *symbols = json_object_get(job->msg->payload, "symbols");
  size_t n = json_array_size(symbols);
  struct parity_bar_series *all = parity_xcalloc(n, sizeof(*all));
  struct parity_yahoo_options opt;
  parity_yahoo_options_from_config(job->cfg, &opt);
  struct parity_yahoo_client *client = NULL;
  int rc = parity_yahoo_client_new(&opt, &client);
  const char *range = yahoo_range((long)parity_json_int(job->msg->payload, "lookback_days", 1827));
  for (size_t i = 0; i < n && !rc && !*job->stop; i++) {
    const char *symbol = json_string_value(json_array_get(symbols, i));
    rc = parity_yahoo_fetch_daily(client, symbol, range, &all[i], NULL, err);
  }
  if (!rc && *job->stop)
    rc = PARITY_EUNAVAILABLE;
  parity_yahoo_client_free(client);
  if (rc) {
    for (size_t i = 0; i < n; i++)
      parity_bar_series_free(&all[i]);
    free(all);
    return rc;
  }
  *out = all;
  *n_out = n;
  return PARITY_OK;
}

int parity_h_sync_daily(struct parity_job *job)
{
  bool bundled = strcmp(job->cfg->market_source, "bundled") == 0;
  char log_id[24];
  int rc = log_start(job, bundled ? "bundled" : "yahoo", "daily", log_id);
  if (rc)
    return rc;
  struct parity_load_stats st;
  parity_load_stats_init(&st);
  struct parity_market_error err;
  parity_market_error_clear(&err);
  if (bundled) {
    rc = parity_market_load_csv(job->db, job->cfg->bundled_data_file, json_object_get(job->msg->payload, "symbols"),
                                &st, &err);
  } else {
    struct parity_bar_series *series = NULL;
    size_t n = 0;
    rc = fetch_yahoo_daily(job, &series, &n, &err);
    /* Rate limits and outages are worth a retry; a bad answer for a symbol is not. */
    if (rc == PARITY_ERATE || rc == PARITY_EUNAVAILABLE || (rc == PARITY_EIO && !*job->stop)) {
      parity_load_stats_free(&st);
      return rc == PARITY_EIO ? PARITY_EUPSTREAM : rc;
    }
    if (!rc)
      rc = parity_market_load_series(job->db, series, n, &st);
    for (size_t i = 0; i < n; i++)
      parity_bar_series_free(&series[i]);
    free(series);
  }
  if (rc && is_data_error(rc)) {
    parity_log(PARITY_LOG_ERROR, "sync_rejected", "{s:s, s:s, s:i, s:s}", "symbol", err.symbol, "field", err.field,
               "line", (int)err.line, "error", err.message);
    rc = log_finish(job, log_id, &st, err.message[0] ? err.message : parity_err_str(rc));
    job->outcome = "data_error";
    snprintf(job->failure, sizeof(job->failure), "data rejected: %.16s %.200s", err.symbol,
             err.message[0] ? err.message : "bad data");
    parity_load_stats_free(&st);
    return rc;
  }
  if (!rc)
    rc = log_finish(job, log_id, &st, NULL);
  if (!rc) {
    char last[PARITY_DAY_TEXT] = "";
    if (st.last_day != INT32_MIN)
      parity_day_format(st.last_day, last);
    parity_metric_add(job->metrics->rows_upserted, (double)st.changed);
    job->event_type = PARITY_EVT_SYNC_DONE;
    job->event_payload = json_pack("{s:s, s:I, s:I, s:I}", "kind", "daily", "symbols", (json_int_t)st.symbols, "rows",
                                   (json_int_t)st.rows, "changed", (json_int_t)st.changed);
    if (*last)
      json_object_set_new(job->event_payload, "last_day", json_string(last));
    parity_log(PARITY_LOG_INFO, "sync_daily_done", "{s:I, s:I, s:I, s:s}", "symbols", (json_int_t)st.symbols, "rows",
               (json_int_t)st.rows, "changed", (json_int_t)st.changed, "last_day", last);
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
  struct parity_point_series *all = parity_xcalloc(n, sizeof(*all));
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
    rc = parity_yahoo_fetch_intraday(client, json_string_value(json_array_get(symbols, i)), "14d", "15m", &all[i], NULL,
                                     &err);
  parity_yahoo_client_free(client);
  struct parity_load_stats st;
  parity_load_stats_init(&st);
  if (!rc) {
    rc = parity_market_load_intraday(job->db, all, n, INTRADAY_KEEP_DAYS, &st.changed);
    st.symbols = n;
    for (size_t i = 0; i < n; i++)
      st.rows += all[i].n;
  }
  for (size_t i = 0; i < n; i++)
    parity_point_series_free(&all[i]);
  free(all);
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
