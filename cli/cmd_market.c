/* `parity data-quality` and `parity apply-splits`: the operator's view of the market data's quality, and the
 * splits applied to positions (the same services as GET /internal/market/quality and POST .../splits/apply). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/commands.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/pg.h"
#include "operational/queries.h"
#include "operational/svc_market_quality.h"

static int open_db(struct parity_db *db, const char *cmd)
{
  parity_log_init("cli", getenv("LOG_LEVEL") ? getenv("LOG_LEVEL") : "warn");
  struct parity_cli_database target;
  if (parity_cli_database_find(&target, cmd))
    return 1;
  int rc = parity_db_open(db, target.url, parity_op_stmts, Q_OP_QUERY_COUNT);
  if (rc)
    fprintf(stderr, "parity %s: cannot connect to the database (from %s)\n", cmd, target.from);
  parity_cli_database_free(&target);
  return rc ? 1 : 0;
}

/* One line per finding, then the counts per check: what an operator reads on a terminal. */
static void print_table(const json_t *report)
{
  const json_t *findings = json_object_get(report, "findings");
  printf("%-8s %-10s %-16s %-8s %s\n", "SYMBOL", "DAY", "CHECK", "SEVERITY", "DETAIL");
  size_t i;
  const json_t *f;
  json_array_foreach(findings, i, f) {
    char *detail = json_dumps(json_object_get(f, "detail"), JSON_COMPACT | JSON_SORT_KEYS);
    printf("%-8s %-10s %-16s %-8s %.90s\n", json_string_value(json_object_get(f, "symbol")),
           json_string_value(json_object_get(f, "day")), json_string_value(json_object_get(f, "check")),
           json_string_value(json_object_get(f, "severity")), detail ? detail : "");
    free(detail);
  }
  if (json_is_true(json_object_get(report, "truncated")))
    printf("... (more findings: raise --limit)\n");
  printf("\n%-16s %8s %8s\n", "CHECK", "BLOCKING", "WARNING");
  const char *check;
  const json_t *counts;
  json_object_foreach((json_t *)json_object_get(report, "summary"), check, counts) {
    printf("%-16s %8lld %8lld\n", check, (long long)json_integer_value(json_object_get(counts, "blocking")),
           (long long)json_integer_value(json_object_get(counts, "warning")));
  }
  printf("%-16s %8lld %8lld\n", "total", (long long)json_integer_value(json_object_get(report, "blocking")),
         (long long)json_integer_value(json_object_get(report, "warning")));
}

int parity_cli_data_quality(int argc, char **argv)
{
  const char *symbol = NULL, *severity = NULL, *limit = NULL;
  bool as_json = !isatty(STDOUT_FILENO);
  static const struct option options[] = {
    { "symbol", required_argument, NULL, 's' }, { "severity", required_argument, NULL, 'v' },
    { "limit", required_argument, NULL, 'l' },  { "json", no_argument, NULL, 'j' },
    { "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 }
  };
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    if (c == 's') {
      symbol = optarg;
    } else if (c == 'v') {
      severity = optarg;
    } else if (c == 'l') {
      limit = optarg;
    } else if (c == 'j') {
      as_json = true;
    } else {
      fprintf(c == 'h' ? stdout : stderr,
              "usage: parity data-quality [--symbol S] [--severity blocking|warning] [--limit N] [--json]\n"
              "The open market-data quality findings (checked after every price load and sync): a table on a\n"
              "terminal, JSON otherwise or with --json. Blocking findings keep a symbol out of model generation.\n");
      return c == 'h' ? 0 : 2;
    }
  }
  if (optind != argc) {
    fprintf(stderr, "usage: parity data-quality [--symbol S] [--severity blocking|warning] [--limit N] [--json]\n");
    return 2;
  }
  struct parity_db db;
  if (open_db(&db, "data-quality"))
    return 1;
  json_t *report = NULL;
  struct parity_svc_error err = { 0 };
  int rc = parity_svc_market_quality(&db, symbol, severity, limit, &report, &err);
  parity_db_close(&db);
  if (rc) {
    fprintf(stderr, "parity data-quality: %s\n", err.message[0] ? err.message : parity_err_str(rc));
    return rc == PARITY_EINVAL ? 2 : 1;
  }
  if (as_json) {
    char *text = json_dumps(report, JSON_COMPACT);
    printf("%s\n", text);
    free(text);
  } else {
    print_table(report);
  }
  json_decref(report);
  return 0;
}

int parity_cli_apply_splits(int argc, char **argv)
{
  static const struct option options[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    fprintf(c == 'h' ? stdout : stderr,
            "usage: parity apply-splits\nApplies every recorded split whose day has come to the held positions, once\n"
            "(the daily sync's event does the same). Prints what was applied as JSON.\n");
    return c == 'h' ? 0 : 2;
  }
  struct parity_db db;
  if (open_db(&db, "apply-splits"))
    return 1;
  json_t *out = NULL;
  int rc = parity_db_begin(&db);
  if (!rc)
    rc = parity_svc_splits_apply(&db, &out);
  rc = rc ? parity_db_rollback(&db, rc) : parity_db_commit(&db);
  parity_db_close(&db);
  if (rc) {
    json_decref(out);
    fprintf(stderr, "parity apply-splits: %s\n", parity_err_str(rc));
    return 1;
  }
  char *text = json_dumps(out, JSON_COMPACT);
  printf("%s\n", text);
  free(text);
  json_decref(out);
  return 0;
}
