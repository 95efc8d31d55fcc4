/* Staged, idempotent price loads: the upsert touches only rows whose values differ. */
#include "decisional/market_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/trading_calendar.h"
#include "decisional/daily_series.h"
#include "decisional/market_csv.h"
#include "decisional/queries.h"

#define COPY_BUFFER_BYTES (256u * 1024u)

void parity_load_stats_init(struct parity_load_stats *st)
{
  memset(st, 0, sizeof(*st));
  st->last_day = INT32_MIN;
  st->notes = json_array();
  st->checked = json_array();
  st->findings = json_array();
}

void parity_load_stats_free(struct parity_load_stats *st)
{
  json_decref(st->notes);
  json_decref(st->checked);
  json_decref(st->findings);
  st->notes = st->checked = st->findings = NULL;
}

static json_t *finding_json(const char *symbol, enum parity_quality_check check, int32_t day, json_t *detail)
{
  char ymd[PARITY_DAY_TEXT];
  parity_day_format(day, ymd);
  return json_pack("{s:s, s:s, s:s, s:s, s:O}", "symbol", symbol, "day", ymd, "check_name",
                   parity_quality_check_name(check), "severity",
                   parity_quality_blocking(check) ? "blocking" : "warning", "detail", detail);
}

/* The checks of s over [from, to] (the bar before `from`, when s has it, is the first move's base). */
static void check_days(const struct parity_bar_series *s, int32_t from, int32_t to, struct parity_load_stats *st)
{
  size_t n = 0;
  struct parity_split_day *splits = parity_xcalloc(st->n_splits + 1, sizeof(*splits));
  for (size_t i = 0; i < st->n_splits; i++)
    if (strcmp(st->splits[i].symbol, s->symbol) == 0)
      splits[n++] = st->splits[i].split;
  struct parity_quality_report r;
  memset(&r, 0, sizeof(r));
  parity_quality_check_series(s, from, to, splits, n, INT32_MIN, &r);
  for (size_t i = 0; i < r.n; i++)
    json_array_append_new(st->findings, finding_json(s->symbol, r.items[i].check, r.items[i].day, r.items[i].detail));
  parity_quality_report_free(&r);
  free(splits);
}

/* The checks of one loaded series over its own days (the stale check waits for the whole load). */
static void check_series(const struct parity_bar_series *s, struct parity_load_stats *st)
{
  if (!s->n)
    return;
  int32_t from = s->bars[0].day, to = s->bars[s->n - 1].day;
  check_days(s, from, to, st);
  char a[PARITY_DAY_TEXT], b[PARITY_DAY_TEXT];
  parity_day_format(from, a);
  parity_day_format(to, b);
  json_array_append_new(st->checked, json_pack("{s:s, s:s, s:s}", "symbol", s->symbol, "from", a, "to", b));
}

/* A bar of QD_QUALITY_EDGES from column `col` on (day, open, high, low, close, adj_close, volume). */
static struct parity_bar edge_bar(PGresult *res, int row, int col)
{
  return (struct parity_bar){ .day = (int32_t)atol(PQgetvalue(res, row, col)),
                              .open = atof(PQgetvalue(res, row, col + 1)),
                              .high = atof(PQgetvalue(res, row, col + 2)),
                              .low = atof(PQgetvalue(res, row, col + 3)),
                              .close = atof(PQgetvalue(res, row, col + 4)),
                              .adj_close = atof(PQgetvalue(res, row, col + 5)),
                              .volume = atoll(PQgetvalue(res, row, col + 6)) };
}

/* The first loaded day of each symbol against the stored day before it: its move and the gap between. */
static int check_edges(struct parity_db *db, struct parity_load_stats *st, const char *checked)
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, QD_QUALITY_EDGES, &res, checked);
  if (rc)
    return rc;
  for (int r = 0; r < PQntuples(res); r++) {
    struct parity_bar_series s;
    memset(&s, 0, sizeof(s));
    snprintf(s.symbol, sizeof(s.symbol), "%s", PQgetvalue(res, r, 0));
    struct parity_bar prev = edge_bar(res, r, 1), first = edge_bar(res, r, 8);
    parity_bar_series_push(&s, &prev);
    parity_bar_series_push(&s, &first);
    check_days(&s, first.day, first.day, st);
    parity_bar_series_free(&s);
  }
  PQclear(res);
  return PARITY_OK;
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
  check_series(s, st);
  if (st->on_series)
    st->on_series(st->on_series_ctx, st);
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
static int finish_staging(struct parity_db *db, struct parity_load_stats *st, bool rebase)
{
  PGconn *conn = db->conn;
  PGresult *res = PQexec(conn, parity_dec_sql[SQL_REVISIONS_INSERT]);
  int revised = PQresultStatus(res) == PGRES_COMMAND_OK ? PARITY_OK : PARITY_EDB;
  if (!revised)
    st->revised += parity_db_affected(res);
  PQclear(res);
  if (revised)
    return revised;
  if (rebase) {
    res = PQexec(conn, parity_dec_sql[SQL_REBASE]);
    int rebased = PQresultStatus(res) == PGRES_COMMAND_OK ? PARITY_OK : PARITY_EDB;
    if (rebased)
      parity_log(PARITY_LOG_ERROR, "daily_rebase_failed", "{s:s}", "error", PQresultErrorMessage(res));
    PQclear(res);
    if (rebased)
      return rebased;
  }
  res = PQexec(conn, parity_dec_sql[SQL_DAILY_UPSERT]);
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
    rc = finish_staging(db, st, false);
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
  rc = rc ? rc : finish_staging(db, st, true);
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

/* Symbols whose newest loaded day is more than PARITY_QUALITY_STALE_DAYS trading days behind the load's. */
static void add_stale(struct parity_load_stats *st)
{
  size_t i;
  json_t *c;
  json_array_foreach(st->checked, i, c) {
    const char *to = json_string_value(json_object_get(c, "to"));
    int32_t last;
    if (st->last_day == INT32_MIN || !to || parity_day_parse(to, strlen(to), &last))
      continue;
    int32_t behind = last < st->last_day ? parity_nyse_trading_days(last + 1, st->last_day) : 0;
    if (behind <= PARITY_QUALITY_STALE_DAYS)
      continue;
    char newest[PARITY_DAY_TEXT];
    parity_day_format(st->last_day, newest);
    json_t *detail = json_pack("{s:s, s:i}", "newest_day", newest, "trading_days_behind", (int)behind);
    json_array_append_new(st->findings,
                          finding_json(json_string_value(json_object_get(c, "symbol")), PARITY_QC_STALE, last, detail));
    json_decref(detail);
  }
}

size_t parity_quality_blocking_count(const struct parity_load_stats *st)
{
  size_t i, blocking = 0;
  const json_t *f;
  json_array_foreach(st->findings, i, f) {
    blocking += strcmp(json_string_value(json_object_get(f, "severity")), "blocking") == 0;
  }
  return blocking;
}

int parity_quality_store(struct parity_db *db, const char *source, struct parity_load_stats *st,
                         const struct parity_market_error *rejected)
{
  if (rejected && rejected->message[0]) {
    /* The failed batch's rows were rolled back: only the rejection itself is a finding. */
    json_array_clear(st->checked);
    json_array_clear(st->findings);
  }
  add_stale(st);
  enum parity_quality_check check;
  if (rejected && parity_quality_classify_error(rejected, &check)) {
    json_t *detail = json_pack("{s:s, s:s}", "field", rejected->field, "error", rejected->message);
    json_array_append_new(st->findings, finding_json(rejected->symbol, check, rejected->day, detail));
    json_decref(detail);
  }
  char *checked = json_dumps(st->checked, JSON_COMPACT);
  int rc = check_edges(db, st, checked);
  char *findings = json_dumps(st->findings, JSON_COMPACT);
  if (!rc)
    rc = PARITY_DB_EXEC(db, QD_QUALITY_CLEAR, NULL, checked);
  if (!rc)
    rc = PARITY_DB_EXEC(db, QD_QUALITY_INSERT, NULL, findings, source);
  free(checked);
  free(findings);
  size_t blocking = parity_quality_blocking_count(st);
  json_array_append_new(st->notes,
                        json_pack("{s:s, s:I, s:I}", "kind", "quality", "findings",
                                  (json_int_t)json_array_size(st->findings), "blocking", (json_int_t)blocking));
  if (blocking)
    parity_log(PARITY_LOG_WARN, "market_quality_blocking", "{s:s, s:I}", "source", source, "blocking",
               (json_int_t)blocking);
  return rc;
}

int parity_market_known_splits(struct parity_db *db, const json_t *symbols, struct parity_symbol_split **out,
                               size_t *n_out)
{
  char *arr = symbols ? parity_symbols_pg_array_new(symbols) : NULL;
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC(db, QD_SPLITS_OF, &res, arr);
  free(arr);
  *out = NULL;
  *n_out = 0;
  if (rc)
    return rc;
  int rows = PQntuples(res);
  *out = parity_xcalloc(rows ? (size_t)rows : 1, sizeof(**out));
  for (int r = 0; r < rows; r++) {
    snprintf((*out)[r].symbol, sizeof((*out)[r].symbol), "%s", PQgetvalue(res, r, 0));
    (*out)[r].split.day = (int32_t)atol(PQgetvalue(res, r, 1));
    (*out)[r].split.ratio = atof(PQgetvalue(res, r, 2));
  }
  *n_out = (size_t)rows;
  PQclear(res);
  return PARITY_OK;
}
