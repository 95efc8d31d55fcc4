/* The job kinds' table (job_types.h) and the names of triggers and statuses the jobs table accepts. */
#include "common/job_types.h"

#include <stddef.h>
#include <string.h>

struct job_type_row {
  const char *name, *unit;
  int expected_seconds;
};

static const struct job_type_row rows[PARITY_JOB_TYPE_COUNT] = { [PARITY_JOB_UNKNOWN] = { NULL, NULL, 0 },
#define PARITY_JOB_ROW(e, name, unit, seconds) [PARITY_JOB_##e] = { name, unit, seconds },
                                                                 PARITY_JOB_TYPES(PARITY_JOB_ROW)
#undef PARITY_JOB_ROW
};

/* The CHECK constraints of migrations/0013_jobs.sql, in the same order. */
static const char *const triggers[] = { "cronjob", "schedule", "cli", "api", "event" };
static const char *const statuses[] = { "queued", "running", "succeeded", "failed", "aborted" };

static bool in_list(const char *text, const char *const *list, size_t n)
{
  for (size_t i = 0; text && i < n; i++)
    if (strcmp(text, list[i]) == 0)
      return true;
  return false;
}

const char *parity_job_type_name(enum parity_job_type type)
{
  return type > PARITY_JOB_UNKNOWN && type < PARITY_JOB_TYPE_COUNT ? rows[type].name : NULL;
}

const char *parity_job_type_unit(enum parity_job_type type)
{
  return type > PARITY_JOB_UNKNOWN && type < PARITY_JOB_TYPE_COUNT ? rows[type].unit : NULL;
}

int parity_job_type_expected_seconds(enum parity_job_type type)
{
  return type > PARITY_JOB_UNKNOWN && type < PARITY_JOB_TYPE_COUNT ? rows[type].expected_seconds : 0;
}

enum parity_job_type parity_job_type_parse(const char *name)
{
  for (int t = PARITY_JOB_UNKNOWN + 1; name && t < PARITY_JOB_TYPE_COUNT; t++)
    if (strcmp(name, rows[t].name) == 0)
      return (enum parity_job_type)t;
  return PARITY_JOB_UNKNOWN;
}

bool parity_job_trigger_valid(const char *text)
{
  return in_list(text, triggers, sizeof(triggers) / sizeof(triggers[0]));
}

bool parity_job_status_valid(const char *text)
{
  return in_list(text, statuses, sizeof(statuses) / sizeof(statuses[0]));
}

bool parity_job_status_final(const char *status)
{
  return in_list(status, statuses + 2, 3);
}
