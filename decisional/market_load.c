/* Staged, idempotent price loads: the upsert touches only rows whose values differ. */
#include "decisional/market_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/log.h"
#include "decisional/market_csv.h"
#include "decisional/queries.h"

#define COPY_BUFFER_BYTES (256u * 1024u)

void parity_load_stats_init(struct parity_load_stats *st)
{
  memset(st, 0, sizeof(*st));
  st->last_day = INT32_MIN;
  st->notes = json_array();
}

void parity_load_stats_free(struct parity_load_stats *st)
{
  json_decref(st->notes);
  st->notes = NULL;
}

/* Rows go to COPY in batches; %.17g keeps every double exactly. */
struct copy_sink {
  struct parity_db *db;
  char *buf;
  size_t len;
  int rc;
};

static void sink_flush(struct copy_sink *sink)
{
  if (!sink->rc && sink->len)
    sink->rc = parity_db_copy_put(sink->db, sink->buf, sink->len);
  sink->len = 0;
}

static void sink_series(struct copy_sink *sink, const struct parity_bar_series *s, struct parity_load_stats *st)
{
  for (size_t i = 0; i < s->n && !sink->rc; i++) {
    if (COPY_BUFFER_BYTES - sink->len < 512)
      sink_flush(sink);
    const struct parity_bar *b = &s->bars[i];
    char day[PARITY_DAY_TEXT];
    parity_day_format(b->day, day);
    int n = snprintf(sink->buf + sink->len, COPY_BUFFER_BYTES - sink->len,
                     "%s\t%s\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%lld\n", s->symbol, day, b->open, b->high, b->low,
                     b->close, b->adj_close, (long long)b->volume);
    sink->len += (size_t)n;
    st->rows++;
    if (b->day > st->last_day)
      st->last_day = b->day;
  }
  st->symbols++;
}

struct csv_ctx {
  struct copy_sink sink;
  const json_t *wanted;
  json_t *seen;
  struct parity_load_stats *st;
};

static bool wanted_symbol(const json_t *wanted, const char *symbol)
{
  if (!wanted)
    return true;
  size_t i;
  const json_t *v;
  json_array_foreach(wanted, i, v)
    if (json_is_string(v) && strcmp(json_string_value(v), symbol) == 0)
      return true;
  return false;
}

static int on_csv_series(void *arg, struct parity_bar_series *series, json_t *notes)
{
  struct csv_ctx *ctx = arg;
  if (!wanted_symbol(ctx->wanted, series->symbol))
    return PARITY_OK;
  json_array_append_new(ctx->seen, json_string(series->symbol));
  json_array_extend(ctx->st->notes, notes);
  sink_series(&ctx->sink, series, ctx->st);
  return ctx->sink.rc;
}

static int begin_staging(struct parity_db *db)
{
  int rc = parity_db_exec_sql(db, parity_dec_sql[SQL_SAVEPOINT_LOAD]);
  rc = rc ? rc : parity_db_exec_sql(db, parity_dec_sql[SQL_STAGING_CREATE]);
  rc = rc ? rc : parity_db_exec_sql(db, parity_dec_sql[SQL_STAGING_TRUNCATE]);
  rc = rc ? rc : parity_db_copy_begin(db, parity_dec_sql[SQL_STAGING_COPY]);
  return rc;
}

/* COPY is done: move staged rows into daily_prices and count what changed. */
static int finish_staging(struct parity_db *db, struct parity_load_stats *st)
{
  PGconn *conn = db->conn;
  PGresult *res = PQexec(conn, parity_dec_sql[SQL_DAILY_UPSERT]);
  int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? PARITY_OK : PARITY_EDB;
  if (rc)
    parity_log(PARITY_LOG_ERROR, "daily_upsert_failed", "{s:s}", "error", PQresultErrorMessage(res));
  else
    st->changed += parity_db_affected(res);
  PQclear(res);
  if (!rc)
    rc = parity_db_exec_sql(db, parity_dec_sql[SQL_RELEASE_LOAD]);
  return rc;
}

static void undo_staging(struct parity_db *db)
{
  parity_db_exec_sql(db, parity_dec_sql[SQL_ROLLBACK_TO_LOAD]);
  parity_db_exec_sql(db, parity_dec_sql[SQL_RELEASE_LOAD]);
}

int parity_market_load_csv(struct parity_db *db, const char *path, const json_t *symbols, struct parity_load_stats *st,
                           struct parity_market_error *err)
{
  struct csv_ctx ctx = { .sink = { .db = db }, .wanted = symbols, .seen = json_array(), .st = st };
  ctx.sink.buf = parity_xmalloc(COPY_BUFFER_BYTES);
  int rc = begin_staging(db);
  if (rc) {
    undo_staging(db);
    goto out;
  }
  rc = parity_market_csv_read_file(path, on_csv_series, &ctx, NULL, err);
  sink_flush(&ctx.sink);
  if (!rc)
    rc = ctx.sink.rc;
  /* Ending COPY with an error message aborts it; the savepoint then drops everything staged. */
  int end_rc = parity_db_copy_end(db, rc ? "bad input batch" : NULL);
  if (!rc)
    rc = end_rc;
  if (!rc)
    rc = finish_staging(db, st);
  if (rc) {
    undo_staging(db);
    goto out;
  }
  if (symbols) {
    size_t i;
    const json_t *v;
    json_array_foreach(symbols, i, v) {
      if (!wanted_symbol(ctx.seen, json_string_value(v)))
        json_array_append_new(st->notes, json_pack("{s:s, s:O}", "kind", "missing_in_source", "symbol", v));
    }
  }
out:
  json_decref(ctx.seen);
  free(ctx.sink.buf);
  return rc;
}

int parity_market_load_series(struct parity_db *db, struct parity_bar_series *series, size_t n,
                              struct parity_load_stats *st)
{
  struct copy_sink sink = { .db = db, .buf = parity_xmalloc(COPY_BUFFER_BYTES) };
  int rc = begin_staging(db);
  for (size_t i = 0; i < n && !rc; i++) {
    parity_price_report(&series[i], st->notes);
    sink_series(&sink, &series[i], st);
    rc = sink.rc;
  }
  sink_flush(&sink);
  rc = rc ? rc : sink.rc;
  int end_rc = parity_db_copy_end(db, rc ? "load failed" : NULL);
  rc = rc ? rc : end_rc;
  rc = rc ? rc : finish_staging(db, st);
  if (rc)
    undo_staging(db);
  free(sink.buf);
  return rc;
}

int parity_market_load_intraday(struct parity_db *db, const struct parity_point_series *series, size_t n, int keep_days,
                                long *changed)
{
  *changed = 0;
  struct copy_sink sink = { .db = db, .buf = parity_xmalloc(COPY_BUFFER_BYTES) };
  int rc = parity_db_exec_sql(db, parity_dec_sql[SQL_INTRADAY_STAGING_CREATE]);
  rc = rc ? rc : parity_db_exec_sql(db, parity_dec_sql[SQL_INTRADAY_STAGING_TRUNCATE]);
  rc = rc ? rc : parity_db_copy_begin(db, parity_dec_sql[SQL_INTRADAY_STAGING_COPY]);
  for (size_t s = 0; s < n && !rc; s++) {
    for (size_t i = 0; i < series[s].n && !sink.rc; i++) {
      if (COPY_BUFFER_BYTES - sink.len < 128)
        sink_flush(&sink);
      time_t ts = (time_t)series[s].points[i].ts;
      struct tm tm;
      gmtime_r(&ts, &tm);
      char when[32];
      strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S+00", &tm);
      sink.len += (size_t)snprintf(sink.buf + sink.len, COPY_BUFFER_BYTES - sink.len, "%s\t%s\t%.17g\n",
                                   series[s].symbol, when, series[s].points[i].price);
    }
    rc = sink.rc;
  }
  sink_flush(&sink);
  free(sink.buf);
  rc = rc ? rc : sink.rc;
  int end_rc = parity_db_copy_end(db, rc ? "load failed" : NULL);
  rc = rc ? rc : end_rc;
  if (!rc) {
    PGresult *res = PQexec(db->conn, parity_dec_sql[SQL_INTRADAY_UPSERT]);
    rc = PQresultStatus(res) == PGRES_COMMAND_OK ? PARITY_OK : PARITY_EDB;
    if (!rc)
      *changed = parity_db_affected(res);
    PQclear(res);
  }
  if (!rc) {
    char keep[16];
    snprintf(keep, sizeof(keep), "%d", keep_days);
    rc = PARITY_DB_EXEC(db, QD_INTRADAY_PRUNE, NULL, keep);
  }
  return rc;
}
