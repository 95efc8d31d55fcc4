/* In-process schedule: the same service calls the CronJobs make, at the same UTC times (SPEC §4). */
#include "operational/cron.h"

#include <string.h>
#include <unistd.h>

#include "common/calendar.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/app.h"
#include "operational/svc_pipeline.h"
#include "operational/svc_rebalance.h"
#include "operational/svc_harvest.h"
#include "operational/svc_recurring.h"

#define CRON_TICK_SECONDS 5

typedef int (*cron_fn)(struct parity_app *app, struct parity_db *db, json_t **out);

static int daily_job(struct parity_app *app, struct parity_db *db, json_t **out)
{
  return parity_svc_pipeline_daily(db, &app->cfg, "schedule", out);
}

static int intraday_job(struct parity_app *app, struct parity_db *db, json_t **out)
{
  return parity_svc_pipeline_intraday(db, &app->cfg, "schedule", out);
}

static int rebalance_job(struct parity_app *app, struct parity_db *db, json_t **out)
{
  bool resumed;
  struct parity_svc_error err = { 0 };
  return parity_svc_rebalance_start(db, &app->cfg, NULL, "schedule", &app->metrics, out, &resumed, &err);
}

static int cleanup_job(struct parity_app *app, struct parity_db *db, json_t **out)
{
  (void)app;
  return parity_svc_cleanup(db, "schedule", out);
}

/* Every hour, so a date missed while the daemon was down is deposited within the hour after it is back;
 * a date already deposited is skipped by its key, so running often costs one indexed query. */
static int recurring_job(struct parity_app *app, struct parity_db *db, json_t **out)
{
  (void)app;
  char today[PARITY_DAY_TEXT];
  parity_day_format(parity_day_from_epoch(time(NULL), 0), today);
  return parity_svc_recurring_run(db, today, "schedule", out);
}

/* The backstop of the harvest the daily pipeline runs after its closes (svc_harvest.h): once a day per investor. */
static int harvest_job(struct parity_app *app, struct parity_db *db, json_t **out)
{
  return parity_svc_harvest_run(db, &app->cfg, "schedule", &app->metrics, out);
}

struct cron_job {
  const char *name;
  struct parity_cron_rule rule;
  cron_fn run;
};

static const struct cron_job jobs[] = {
  { "daily_pipeline", { 0, 22, -1, 0 }, daily_job },         { "intraday_sync", { -1, -1, -1, 15 }, intraday_job },
  { "monthly_rebalance", { 0, 2, 1, 0 }, rebalance_job },    { "cleanup", { 0, 3, -1, 0 }, cleanup_job },
  { "recurring_deposits", { 5, -1, -1, 0 }, recurring_job }, { "tax_harvest", { 30, 23, -1, 0 }, harvest_job },
};

bool parity_cron_due(const struct parity_cron_rule *rule, const struct tm *tm)
{
  if (rule->minute_step > 0 && tm->tm_min % rule->minute_step != 0)
    return false;
  if (rule->minute >= 0 && tm->tm_min != rule->minute)
    return false;
  if (rule->hour >= 0 && tm->tm_hour != rule->hour)
    return false;
  return rule->mday < 0 || tm->tm_mday == rule->mday;
}

static void *cron_main(void *arg)
{
  struct parity_app *app = arg;
  long last_minute[sizeof(jobs) / sizeof(jobs[0])];
  memset(last_minute, 0, sizeof(last_minute));
  while (!app->stopping) {
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    long minute = (long)(now / 60);
    for (size_t i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++) {
      if (last_minute[i] == minute || !parity_cron_due(&jobs[i].rule, &tm))
        continue;
      last_minute[i] = minute; /* once per matching minute, however often we tick */
      struct parity_db *db;
      json_t *out = NULL;
      int rc = parity_db_pool_acquire(&app->pool, &db);
      if (!rc) {
        rc = jobs[i].run(app, db, &out);
        parity_db_pool_release(&app->pool, db);
      }
      parity_log(rc ? PARITY_LOG_WARN : PARITY_LOG_INFO, "cron_job", "{s:s, s:s}", "job", jobs[i].name, "result",
                 rc ? parity_err_str(rc) : "queued");
      json_decref(out);
      parity_wakeup_kick(&app->outbox_wake);
      parity_wakeup_kick(&app->planner_wake);
    }
    for (int s = 0; s < CRON_TICK_SECONDS * 10 && !app->stopping; s++)
      usleep(100000);
  }
  return NULL;
}

int parity_cron_start(struct parity_app *app, pthread_t *thread)
{
  return pthread_create(thread, NULL, cron_main, app) == 0 ? PARITY_OK : PARITY_EINTERNAL;
}
