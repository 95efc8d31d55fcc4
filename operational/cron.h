/* The in-process schedule (ENABLE_CRON=true, as in `make run`); Kubernetes uses CronJobs instead. */
#ifndef PARITY_CRON_H
#define PARITY_CRON_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

struct parity_app;

/* A five-field-like rule: minute and hour (-1 = every), day of month (-1 = every), minute step (0 = none). */
struct parity_cron_rule {
  int minute, hour, mday, minute_step;
};

/* True when the rule fires in the minute of `tm` (UTC). Exposed for unit tests. */
bool parity_cron_due(const struct parity_cron_rule *rule, const struct tm *tm);

int parity_cron_start(struct parity_app *app, pthread_t *thread);

#endif
