/* `parity ops-status` (`make ops-status`): the last run of each job type, data freshness, queues, dead letters. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/api.h"
#include "cli/commands.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/pg.h"
#include "operational/queries.h"

static const char *or_dash(const PGresult *res, int row, int col)
{
  return PQgetisnull(res, row, col) ? "-" : PQgetvalue(res, row, col);
}

static int print_jobs_and_freshness(struct parity_db *db)
{
  PGresult *jobs = NULL, *fresh = NULL, *stuck = NULL;
  int rc = PARITY_DB_EXEC0(db, Q_OPS_LAST_JOBS, &jobs);
  if (!rc)
    rc = PARITY_DB_EXEC0(db, Q_OPS_FRESHNESS, &fresh);
  if (!rc)
    rc = PARITY_DB_EXEC0(db, Q_JOBS_STUCK_COUNT, &stuck);
  if (!rc) {
    printf("last run of each job type\n");
    printf("  %-18s %-8s %-10s %-20s %-20s %8s  %s\n", "TYPE", "ID", "STATUS", "CREATED", "FINISHED", "SECONDS",
           "REASON");
    for (int i = 0; i < PQntuples(jobs); i++)
      printf("  %-18s %-8s %-9s%s %-20s %-20s %8s  %s\n", PQgetvalue(jobs, i, 0), PQgetvalue(jobs, i, 1),
             PQgetvalue(jobs, i, 2), strcmp(PQgetvalue(jobs, i, 3), "t") == 0 ? "!" : " ", or_dash(jobs, i, 4),
             or_dash(jobs, i, 5), or_dash(jobs, i, 6), PQgetisnull(jobs, i, 7) ? "" : PQgetvalue(jobs, i, 7));
    if (PQntuples(jobs) == 0)
      printf("  (no job yet)\n");
    printf("jobs stuck (unfinished past their expected time): %s\n", PQgetvalue(stuck, 0, 0));
    printf("data freshness\n");
    printf("  newest daily close      %s (%s days ago)\n", or_dash(fresh, 0, 0), or_dash(fresh, 0, 1));
    printf("  newest intraday price   %s\n", or_dash(fresh, 0, 2));
    printf("  newest models           as of %s, computed %s\n", or_dash(fresh, 0, 3), or_dash(fresh, 0, 4));
  }
  PQclear(jobs);
  PQclear(fresh);
  PQclear(stuck);
  return rc;
}

/* The broker's depths as the outbox relay last read them (passive declares, every 15 s), from /metrics. */
static void print_queues(const struct parity_cli_api *api)
{
  long status = 0;
  printf("queues (ready messages, as operational last read them)\n");
  char *text = NULL;
  if (parity_cli_api_get_text(api, "/metrics", &status, &text) || status != 200 || !text) {
    printf("  unknown: operational's internal port does not answer (%s)\n", api->base);
    free(text);
    return;
  }
  static const char depth[] = "parity_operational_queue_depth{queue=\"",
                    dead[] = "parity_operational_dead_letter_messages ";
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    if (strncmp(line, depth, sizeof(depth) - 1) == 0) {
      char *name = line + sizeof(depth) - 1, *close = strchr(name, '"');
      if (close && close[1] == '}') {
        *close = '\0';
        printf("  %-24s %s\n", name, close + 3);
      }
    } else if (strncmp(line, dead, sizeof(dead) - 1) == 0) {
      printf("dead letters (parity.dead): %s\n", line + sizeof(dead) - 1);
    }
  }
  free(text);
}

int parity_cli_ops_status(int argc, char **argv)
{
  static const struct option options[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    fprintf(c == 'h' ? stdout : stderr,
            "usage: parity ops-status\nThe last run of each job type, data freshness and stuck jobs (from the "
            "database: see parity --help), the queue depths and the dead-letter count (from operational's "
            "/metrics: PARITY_INTERNAL_URL or INTERNAL_PORT).\n");
    return c == 'h' ? 0 : 2;
  }
  parity_log_init("cli", getenv("LOG_LEVEL") ? getenv("LOG_LEVEL") : "warn");
  struct parity_cli_database target;
  if (parity_cli_database_find(&target, "ops-status"))
    return 1;
  struct parity_db db;
  int rc = parity_db_open(&db, target.url, parity_op_stmts, Q_OP_QUERY_COUNT);
  if (rc)
    fprintf(stderr, "parity ops-status: cannot connect to the database (from %s)\n", target.from);
  parity_cli_database_free(&target);
  if (rc)
    return 1;
  rc = print_jobs_and_freshness(&db);
  parity_db_close(&db);
  if (rc) {
    fprintf(stderr, "parity ops-status: %s\n", parity_err_str(rc));
    return 1;
  }
  struct parity_cli_api api;
  if (parity_cli_api_open(&api, "ops-status") == 0) {
    print_queues(&api);
    parity_cli_api_close(&api);
  }
  return 0;
}
