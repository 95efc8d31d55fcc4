/* `parity jobs`, `parity job ID`, and the commands that start a job (`parity pipeline`, `parity rebalance`). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "cli/api.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "common/calendar.h"
#include "common/job_types.h"

#define WATCH_SECONDS 2

static void print_json(const json_t *doc)
{
  char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
  printf("%s\n", text ? text : "null");
  free(text);
}

/* One row of the jobs table. */
static void print_job_row(const json_t *job)
{
  const json_t *progress = json_object_get(job, "progress");
  const json_t *total = json_object_get(progress, "total");
  char count[48];
  if (json_is_integer(total))
    snprintf(count, sizeof(count), "%lld/%lld %s", (long long)json_integer_value(json_object_get(progress, "done")),
             (long long)json_integer_value(total), json_string_value(json_object_get(progress, "unit")));
  else
    snprintf(count, sizeof(count), "%lld/? %s", (long long)json_integer_value(json_object_get(progress, "done")),
             json_string_value(json_object_get(progress, "unit")));
  char took[16];
  parity_progress_duration(json_number_value(json_object_get(job, "seconds")), took, sizeof(took));
  const char *reason = json_string_value(json_object_get(job, "reason"));
  printf("%-8lld %-18s %-10s%s %-9s %-24s %-8s %-20s %s\n", (long long)json_integer_value(json_object_get(job, "id")),
         json_string_value(json_object_get(job, "type")), json_string_value(json_object_get(job, "status")),
         json_is_true(json_object_get(job, "stuck")) ? "!" : " ", json_string_value(json_object_get(job, "trigger")),
         count, took, json_string_value(json_object_get(job, "created_at")), reason ? reason : "");
}

static int list_once(const struct parity_cli_api *api, const char *path, bool table)
{
  long status;
  json_t *body = NULL;
  if (parity_cli_api_call(api, "GET", path, &status, &body))
    return 1;
  if (status != 200) {
    int rc = parity_cli_api_fail(api, status, body);
    json_decref(body);
    return rc;
  }
  if (!table) {
    print_json(body);
  } else {
    printf("%-8s %-18s %-11s %-9s %-24s %-8s %-20s %s\n", "ID", "TYPE", "STATUS", "TRIGGER", "PROGRESS", "TOOK",
           "CREATED", "REASON");
    const json_t *jobs = json_object_get(body, "jobs");
    for (size_t i = 0; i < json_array_size(jobs); i++)
      print_job_row(json_array_get(jobs, i));
  }
  fflush(stdout);
  json_decref(body);
  return 0;
}

int parity_cli_jobs(int argc, char **argv)
{
  static const struct option options[] = { { "type", required_argument, NULL, 't' },
                                           { "status", required_argument, NULL, 's' },
                                           { "limit", required_argument, NULL, 'l' },
                                           { "watch", no_argument, NULL, 'w' },
                                           { "json", no_argument, NULL, 'j' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
  const char *type = NULL, *status = NULL, *limit = "20";
  bool watch = false, json = false;
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    switch (c) {
    case 't':
      type = optarg;
      break;
    case 's':
      status = optarg;
      break;
    case 'l':
      limit = optarg;
      break;
    case 'w':
      watch = true;
      break;
    case 'j':
      json = true;
      break;
    default:
      fprintf(c == 'h' ? stdout : stderr,
              "usage: parity jobs [--type T] [--status S] [--limit N] [--watch] [--json]\n"
              "The newest jobs (GET /internal/jobs) as a table (--json: the answer). --watch redraws every %d s.\n"
              "The API: PARITY_INTERNAL_URL (else http://127.0.0.1:INTERNAL_PORT) and INTERNAL_SECRET, from the\n"
              "environment or the checkout's var/env.\n",
              WATCH_SECONDS);
      return c == 'h' ? 0 : 2;
    }
  }
  struct parity_cli_api api;
  if (parity_cli_api_open(&api, "jobs"))
    return 1;
  CURL *esc = curl_easy_init();
  char path[512];
  char *t = type ? curl_easy_escape(esc, type, 0) : NULL, *s = status ? curl_easy_escape(esc, status, 0) : NULL,
       *l = curl_easy_escape(esc, limit, 0);
  snprintf(path, sizeof(path), "/internal/jobs?limit=%s%s%s%s%s", l, t ? "&type=" : "", t ? t : "", s ? "&status=" : "",
           s ? s : "");
  curl_free(t);
  curl_free(s);
  curl_free(l);
  curl_easy_cleanup(esc);
  bool tty = isatty(STDOUT_FILENO) != 0;
  int rc;
  for (;;) {
    if (watch && tty)
      printf("\033[H\033[2J");
    rc = list_once(&api, path, !json);
    if (!watch || rc)
      break;
    if (!tty)
      printf("\n");
    sleep(WATCH_SECONDS);
  }
  parity_cli_api_close(&api);
  return rc;
}

int parity_cli_job(int argc, char **argv)
{
  static const struct option options[] = { { "follow", no_argument, NULL, 'f' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
  bool follow = false;
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    if (c == 'f') {
      follow = true;
      continue;
    }
    fprintf(c == 'h' ? stdout : stderr,
            "usage: parity job ID [--follow]\nThe job as JSON; --follow shows it moving until it ends (a progress "
            "bar on a terminal, a line per change elsewhere) and exits 0 when it succeeded, 1 otherwise.\n");
    return c == 'h' ? 0 : 2;
  }
  char *end = NULL;
  long long id = optind < argc ? strtoll(argv[optind], &end, 10) : 0;
  if (id <= 0 || *end) {
    fprintf(stderr, "parity job: ID must be a job id\n");
    return 2;
  }
  struct parity_cli_api api;
  if (parity_cli_api_open(&api, "job"))
    return 1;
  int rc;
  if (follow) {
    rc = parity_cli_follow(&api, id, stdout);
  } else {
    char path[64];
    snprintf(path, sizeof(path), "/internal/jobs/%lld", id);
    rc = list_once(&api, path, false);
  }
  parity_cli_api_close(&api);
  return rc;
}

/* POSTs path, prints the answer, and follows its job_id when asked. */
static int start_job(const char *cmd, const char *path, bool follow)
{
  struct parity_cli_api api;
  if (parity_cli_api_open(&api, cmd))
    return 1;
  long status;
  json_t *body = NULL;
  int rc = parity_cli_api_call(&api, "POST", path, &status, &body) ? 1 : 0;
  if (!rc && (status < 200 || status > 299))
    rc = parity_cli_api_fail(&api, status, body);
  json_int_t job = json_integer_value(json_object_get(body, "job_id"));
  if (!rc && follow && job > 0) {
    fprintf(stderr, "job %lld\n", (long long)job);
    rc = parity_cli_follow(&api, job, stdout);
  } else if (!rc) {
    print_json(body);
  }
  json_decref(body);
  parity_cli_api_close(&api);
  return rc;
}

int parity_cli_pipeline(int argc, char **argv)
{
  static const struct option options[] = { { "follow", no_argument, NULL, 'f' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
  static const char *const steps[][2] = { { "daily", "/internal/pipeline/daily" },
                                          { "intraday", "/internal/pipeline/intraday" },
                                          { "generate", "/internal/models/generate" },
                                          { "cleanup", "/internal/cleanup" } };
  bool follow = false;
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    if (c == 'f') {
      follow = true;
      continue;
    }
    fprintf(c == 'h' ? stdout : stderr,
            "usage: parity pipeline daily|intraday|generate|cleanup [--follow]\nStarts the job (as the CronJob "
            "does) and prints its answer; --follow shows the job until it ends, exit 0 when it succeeded.\n");
    return c == 'h' ? 0 : 2;
  }
  for (size_t i = 0; optind < argc && i < sizeof(steps) / sizeof(steps[0]); i++)
    if (strcmp(argv[optind], steps[i][0]) == 0)
      return start_job("pipeline", steps[i][1], follow);
  fprintf(stderr, "parity pipeline: which one? daily, intraday, generate or cleanup\n");
  return 2;
}

int parity_cli_rebalance(int argc, char **argv)
{
  static const struct option options[] = { { "period", required_argument, NULL, 'p' },
                                           { "follow", no_argument, NULL, 'f' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
  const char *period = NULL;
  bool follow = false;
  for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
    if (c == 'f') {
      follow = true;
    } else if (c == 'p') {
      period = optarg;
    } else {
      fprintf(c == 'h' ? stdout : stderr,
              "usage: parity rebalance [--period YYYY-MM] [--follow]\nStarts (or returns) the monthly rebalance run "
              "of the period (this UTC month by default); --follow shows its job until it ends.\n");
      return c == 'h' ? 0 : 2;
    }
  }
  int y, m;
  if (period && parity_month_parse(period, &y, &m)) {
    fprintf(stderr, "parity rebalance: --period must be YYYY-MM\n");
    return 2;
  }
  char path[64];
  snprintf(path, sizeof(path), "/internal/rebalance%s%s", period ? "?period=" : "", period ? period : "");
  return start_job("rebalance", path, follow);
}
