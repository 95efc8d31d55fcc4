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

static void *planner_main(void *arg)
{
  struct parity_app *app = arg;
  struct parity_db db = { 0 };
  while (!app->stopping) {
    int rc =
        db.url ? parity_db_ensure(&db) : parity_db_open(&db, app->cfg.database_url, parity_op_stmts, Q_OP_QUERY_COUNT);
    if (rc) {
      parity_wakeup_wait(&app->planner_wake, PLANNER_POLL_MS, &app->stopping);
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
      parity_wakeup_kick(&app->outbox_wake);
      continue;
    }
    parity_wakeup_wait(&app->planner_wake, PLANNER_POLL_MS, &app->stopping);
  }
  parity_db_close(&db);
  return NULL;
}

int parity_planner_start(struct parity_app *app, pthread_t *thread)
{
  return pthread_create(thread, NULL, planner_main, app) == 0 ? PARITY_OK : PARITY_EINTERNAL;
}
