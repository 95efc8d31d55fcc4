/* `parity migrate` and `parity load-prices`: the operator's database commands. */
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

int parity_cli_load_prices(int argc, char **argv)
{
  static const struct option options[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    fprintf(c == 'h' ? stdout : stderr,
            "usage: parity load-prices FILE\nLoads a long daily-price CSV (plain or .gz; date,symbol,open,high,"
            "low,close,adj_close,volume) into daily_prices, all or nothing, idempotently (which database:\n"
            "see parity --help).\n");
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
  parity_cli_database_free(&target);
  if (rc)
    return 1;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct parity_load_stats st;
  parity_load_stats_init(&st);
  struct parity_market_error err;
  parity_market_error_clear(&err);
  PGresult *res = NULL;
  rc = parity_db_begin(&db);
  if (!rc)
    rc = PARITY_DB_EXEC(&db, QD_SYNC_LOG_INSERT, &res, "file", "daily", NULL);
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
  size_t blocking = parity_quality_blocking_count(&st);
  if (load_rc || rc) {
    fprintf(stderr, "parity load-prices: %s\n", err.message[0] ? err.message : parity_err_str(load_rc ? load_rc : rc));
    if (json_array_size(st.findings))
      fprintf(stderr, "parity load-prices: recorded in market_quality (see parity data-quality)\n");
  } else {
    char last[PARITY_DAY_TEXT] = "";
    if (st.last_day != INT32_MIN)
      parity_day_format(st.last_day, last);
    printf("{\"file\":\"%s\",\"symbols\":%zu,\"rows\":%zu,\"changed\":%ld,\"revised\":%ld,\"last_day\":\"%s\","
           "\"seconds\":%.3f,\"rows_per_second\":%.0f,\"quality\":{\"findings\":%zu,\"blocking\":%zu}}\n",
           path, st.symbols, st.rows, st.changed, st.revised, last, seconds,
           seconds > 0 ? (double)st.rows / seconds : 0.0, json_array_size(st.findings), blocking);
  }
  parity_load_stats_free(&st);
  free(splits);
  parity_db_close(&db);
  return load_rc || rc ? 1 : 0;
}
