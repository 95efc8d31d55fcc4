/*
 * The rebalance planner thread. Each step is one transaction on its own connection (parity_rebalance_plan_step),
 * so a run is resumable at every batch and several replicas plan one run together. It waits on a kick
 * (a new run, an applied batch) and polls every second, which also picks up a run another replica left.
 */
#include "operational/rebalance_planner.h"

#include <time.h>

#include "common/errors.h"
#include "common/log.h"
#include "operational/app.h"
#include "operational/queries.h"
#include "operational/svc_rebalance.h"

#define PLANNER_POLL_MS 1000

static void wait_for_kick(struct parity_app *app, long wait_ms)
{
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  long ns = until.tv_nsec + wait_ms * 1000000L;
  until.tv_sec += ns / 1000000000L;
  until.tv_nsec = ns % 1000000000L;
  pthread_mutex_lock(&app->planner_lock);
  while (!app->planner_kicked && !app->stopping) {
    if (pthread_cond_timedwait(&app->planner_wake, &app->planner_lock, &until) != 0)
      break;
  }
  app->planner_kicked = false;
  pthread_mutex_unlock(&app->planner_lock);
}

static void *planner_main(void *arg)
{
  struct parity_app *app = arg;
  struct parity_db db = { 0 };
  while (!app->stopping) {
    int rc =
        db.url ? parity_db_ensure(&db) : parity_db_open(&db, app->cfg.database_url, parity_op_stmts, Q_OP_QUERY_COUNT);
    if (rc) {
      wait_for_kick(app, PLANNER_POLL_MS);
      continue;
    }
    bool planned = false;
    rc = parity_rebalance_plan_step(&db, &app->cfg, &app->metrics, &planned);
    if (rc) {
      parity_log(PARITY_LOG_WARN, "rebalance_plan_step_failed", "{s:s}", "error", parity_err_str(rc));
      if (rc == PARITY_EDB)
        parity_db_close(&db);
    }
    if (planned && !rc) {
      parity_app_outbox_kick(app);
      continue;
    }
    wait_for_kick(app, PLANNER_POLL_MS);
  }
  parity_db_close(&db);
  return NULL;
}

int parity_planner_start(struct parity_app *app, pthread_t *thread)
{
  return pthread_create(thread, NULL, planner_main, app) == 0 ? PARITY_OK : PARITY_EINTERNAL;
}
