/* Liveness, readiness, metrics and the API description. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "operational/app.h"
#include "operational/handlers.h"
#include "operational/svc_probe.h"
#include "common/version.h"

int h_livez(struct parity_request *req, struct parity_response *res)
{
  (void)req;
  return parity_res_json(res, 200, json_pack("{s:s, s:s}", "status", "ok", "version", parity_version()));
}

int h_readyz(struct parity_request *req, struct parity_response *res)
{
  struct parity_app *app = req->app;
  bool draining = atomic_load(&app->draining);
  bool broker = atomic_load(&app->broker_ok);
  bool database = false;
  struct parity_db *db = NULL;
  if (!draining && parity_db_pool_acquire(&app->pool, &db) == PARITY_OK) {
    database = parity_svc_probe_database(db) == PARITY_OK;
    parity_db_pool_release(&app->pool, db);
  }
  bool ready = !draining && broker && database;
  json_t *body = json_pack("{s:s, s:s, s:s}", "status", ready ? "ready" : (draining ? "draining" : "not_ready"),
                           "database", database ? "ok" : "unreachable", "broker", broker ? "ok" : "unreachable");
  if (!ready)
    res->retry_after = 5;
  return parity_res_json(res, ready ? 200 : 503, body);
}

int h_metrics(struct parity_request *req, struct parity_response *res)
{
  /* The scrape holds a request state of its own: report the others, so an idle daemon shows 0. */
  parity_metric_set(req->app->metrics.http_in_flight, (double)(atomic_load(&req->app->in_flight) - 1));
  res->raw = parity_metrics_render_new();
  res->raw_len = strlen(res->raw);
  res->content_type = "text/plain; version=0.0.4; charset=utf-8";
  res->status = 200;
  return PARITY_OK;
}

int h_openapi(struct parity_request *req, struct parity_response *res)
{
  if (!req->app->openapi)
    return parity_res_error(res, PARITY_ENOTFOUND, NULL, "the API description is not installed");
  return parity_res_json(res, 200, json_incref(req->app->openapi));
}
