/* `parity migrate` and `parity load-prices` (a price_load job): the operator's database commands. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "common/config.h"
#include "common/errors.h"
#include "common/log.h"
#include "decisional/market_load.h"
#include "decisional/queries.h"
#include "operational/migrate.h"
#include "operational/queries.h"
#include "operational/svc_jobs.h"

int parity_cli_migrate(int argc, char **argv)
{
  const char *dir_opt = NULL;
  static const struct option options[] = { { "dir", required_argument, NULL, 'd' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    if (c == 'd') {
      dir_opt = optarg;
    } else {
      fprintf(c == 'h' ? stdout : stderr,
              "usage: parity migrate [--dir DIR]\nApplies the migrations not yet applied to the database "
              "(which one: see parity --help).\n");
      return c == 'h' ? 0 : 2;
    }
  }
  parity_log_init("cli", getenv("LOG_LEVEL") ? getenv("LOG_LEVEL") : "warn");
  char *dir = dir_opt ? strdup(dir_opt) : parity_config_env_dup("PARITY_MIGRATIONS_DIR");
  if (!dir) {
    fprintf(stderr, "parity migrate: cannot find the migrations; set PARITY_MIGRATIONS_DIR or pass --dir\n");
    return 1;
  }
  struct parity_cli_database target;
  if (parity_cli_database_find(&target, "migrate")) {
    free(dir);
    return 1;
  }
  int applied = 0;
  int rc = parity_migrate(target.url, dir, NULL, &applied);
  if (rc)
    fprintf(stderr, "parity migrate: %s (database from %s)\n", parity_err_str(rc), target.from);
  else
    printf("{\"applied\":%d,\"dir\":\"%s\"}\n", applied, dir);
  parity_cli_database_free(&target);
  free(dir);
  return rc ? 1 : 0;
}

/*
 * The price_load job of `parity load-prices`, on a connection of its own: its progress commits as the file is
 * read, while the load's transaction stays open; it ends after that transaction, so "succeeded" means the
 * prices are in. A job that cannot be written (a database without the jobs table) leaves the load as it was.
 */
struct load_job {
  struct parity_db db;
  int64_t id;
};

static void load_job_start(struct load_job *job, const char *url, const char *path)
{
  job->id = 0;
  json_t *params = json_pack("{s:s}", "file", path);
  int rc = parity_db_open(&job->db, url, parity_op_stmts, Q_OP_QUERY_COUNT);
  if (!rc)
    rc = parity_jobs_create(&job->db, PARITY_JOB_PRICE_LOAD, "cli", params, "running", &job->id);
  json_decref(params);
  if (rc) {
    fprintf(stderr, "parity load-prices: no job recorded (%s); loading anyway\n", parity_err_str(rc));
    job->id = 0;
    return;
  }
  fprintf(stderr, "job %lld\n", (long long)job->id);
}

/* The loader's hook: the symbols staged so far (their number in the file is known only at its end). */
static void load_job_progress(void *ctx, const struct parity_load_stats *st)
{
  struct load_job *job = ctx;
  if (job->id && parity_jobs_progress(&job->db, job->id, (int64_t)st->symbols, -1))
    fprintf(stderr, "parity load-prices: job %lld: progress not recorded\n", (long long)job->id);
}

static void load_job_finish(struct load_job *job, const char *reason, json_t *counters)
{
  int rc = PARITY_OK;
  if (job->id && !reason)
    rc = parity_jobs_progress(&job->db, job->id, json_integer_value(json_object_get(counters, "symbols")),
                              json_integer_value(json_object_get(counters, "symbols")));
  if (job->id && !rc)
    rc = parity_jobs_finish(&job->db, job->id, reason ? "failed" : "succeeded", reason, counters);
  if (rc)
    fprintf(stderr, "parity load-prices: job %lld not finished (%s)\n", (long long)job->id, parity_err_str(rc));
  if (job->db.url)
    parity_db_close(&job->db);
}

/* What a load did: the job's counters, and (with its timing) the line the command prints. */
static json_t *load_counters_new(const char *path, const struct parity_load_stats *st, const char *log_id)
{
  char last[PARITY_DAY_TEXT] = "";
  if (st->last_day != INT32_MIN)
    parity_day_format(st->last_day, last);
  return json_pack("{s:s, s:I, s:I, s:I, s:I, s:s, s:{s:I, s:I}, s:I}", "file", path, "symbols",
                   (json_int_t)st->symbols, "rows", (json_int_t)st->rows, "changed", (json_int_t)st->changed, "revised",
                   (json_int_t)st->revised, "last_day", last, "quality", "findings",
                   (json_int_t)json_array_size(st->findings), "blocking", (json_int_t)parity_quality_blocking_count(st),
                   "sync_log_id", (json_int_t)(log_id[0] ? strtoll(log_id, NULL, 10) : 0));
}

int parity_cli_load_prices(int argc, char **argv)
{
  static const struct option options[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    fprintf(c == 'h' ? stdout : stderr,
            "usage: parity load-prices FILE\nLoads a long daily-price CSV (plain or .gz; date,symbol,open,high,"
            "low,close,adj_close,volume) into daily_prices, all or nothing, idempotently (which database:\n"
            "see parity --help). The load is a price_load job (parity jobs --type price_load): its id is\n"
            "printed on stderr, its progress counts the symbols staged, and it ends with the counters printed.\n");
    return c == 'h' ? 0 : 2;
  }
  if (optind + 1 != argc) {
    fprintf(stderr, "usage: parity load-prices FILE\n");
    return 2;
  }
  const char *path = argv[optind];
  parity_log_init("cli", getenv("LOG_LEVEL") ? getenv("LOG_LEVEL") : "warn");
  struct parity_cli_database target;
  if (parity_cli_database_find(&target, "load-prices"))
    return 1;
  struct parity_db db;
  int rc = parity_db_open(&db, target.url, parity_dec_stmts, QD_DEC_QUERY_COUNT);
  if (rc)
    fprintf(stderr, "parity load-prices: cannot connect to the database (from %s)\n", target.from);
  struct load_job job = { 0 };
  if (!rc)
    load_job_start(&job, target.url, path);
  parity_cli_database_free(&target);
  if (rc)
    return 1;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct parity_load_stats st;
  parity_load_stats_init(&st);
  st.on_series = load_job_progress;
  st.on_series_ctx = &job;
  struct parity_market_error err;
  parity_market_error_clear(&err);
  PGresult *res = NULL;
  char job_id[PARITY_I64_TEXT];
  rc = parity_db_begin(&db);
  if (!rc)
    rc = PARITY_DB_EXEC(&db, QD_SYNC_LOG_INSERT, &res, "file", "daily", NULL,
                        job.id ? parity_i64(job.id, job_id) : NULL);
  char log_id[24] = "";
  if (!rc)
    snprintf(log_id, sizeof(log_id), "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  struct parity_symbol_split *splits = NULL;
  if (!rc)
    rc = parity_market_known_splits(&db, NULL, &splits, &st.n_splits);
  st.splits = splits;
  if (!rc)
    rc = parity_market_load_csv(&db, path, NULL, &st, &err);
  int load_rc = rc;
  /* The quality job of this load: the rejected row's defect, or the findings of the loaded days. */
  if (log_id[0] && (!rc || rc == PARITY_EINVAL || rc == PARITY_ETOOBIG || rc == PARITY_EIO))
    rc = parity_quality_store(&db, "file", &st, load_rc ? &err : NULL);
  if (!rc || log_id[0]) {
    /* The log row records a rejected file too; the savepoint already dropped its rows. */
    char symbols[PARITY_I64_TEXT], rows[PARITY_I64_TEXT], changed[PARITY_I64_TEXT];
    parity_i64((int64_t)st.symbols, symbols);
    parity_i64((int64_t)st.rows, rows);
    parity_i64(st.changed, changed);
    char *notes = json_dumps(st.notes, JSON_COMPACT);
    int lrc = PARITY_DB_EXEC(&db, QD_SYNC_LOG_FINISH, NULL, log_id, symbols, rows, changed,
                             load_rc ? (err.message[0] ? err.message : parity_err_str(load_rc)) : NULL, notes);
    free(notes);
    rc = lrc ? lrc : parity_db_commit(&db);
  }
  if (rc)
    parity_db_rollback(&db, rc);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  json_t *counters = load_counters_new(path, &st, log_id);
  const char *reason = load_rc || rc ? (err.message[0] ? err.message : parity_err_str(load_rc ? load_rc : rc)) : NULL;
  load_job_finish(&job, reason, counters);
  if (reason) {
    fprintf(stderr, "parity load-prices: %s\n", reason);
    if (json_array_size(st.findings))
      fprintf(stderr, "parity load-prices: recorded in market_quality (see parity data-quality)\n");
  } else {
    json_object_set_new(counters, "seconds", json_real(seconds));
    json_object_set_new(counters, "rows_per_second", json_real(seconds > 0 ? (double)st.rows / seconds : 0.0));
    json_object_set_new(counters, "job_id", job.id ? json_integer(job.id) : json_null());
    char *text = json_dumps(counters, JSON_COMPACT);
    printf("%s\n", text);
    free(text);
  }
  json_decref(counters);
  parity_load_stats_free(&st);
  free(splits);
  parity_db_close(&db);
  return load_rc || rc ? 1 : 0;
}
