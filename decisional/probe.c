/* Probe and metrics listener of parity-decisional (libmicrohttpd, GET only, tiny answers). */
#include "decisional/probe.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/log.h"
#include "decisional/queries.h"

#define PROBE_CONNECTION_LIMIT 32
#define PROBE_TIMEOUT_SECONDS 10

static pthread_mutex_t ping_lock = PTHREAD_MUTEX_INITIALIZER;
static struct parity_db ping_db;

/* One shared connection for readiness checks, serialised: probes are rare and cheap. */
static bool database_reachable(struct parity_worker_shared *shared)
{
  pthread_mutex_lock(&ping_lock);
  int rc = ping_db.url
               ? parity_db_ensure(&ping_db)
               : parity_db_open(&ping_db, shared->cfg.decisional_database_url, parity_dec_stmts, QD_DEC_QUERY_COUNT);
  if (!rc)
    rc = PARITY_DB_EXEC0(&ping_db, QD_PING, NULL);
  pthread_mutex_unlock(&ping_lock);
  return rc == PARITY_OK;
}

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status, char *body, const char *type)
{
  struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  enum MHD_Result ok = MHD_queue_response(conn, status, r);
  MHD_destroy_response(r);
  return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
  (void)version;
  (void)upload_data;
  (void)con_cls;
  struct parity_worker_shared *shared = cls;
  if (*upload_data_size)
    return MHD_NO; /* no route here takes a body */
  if (strcmp(method, "GET") != 0)
    return answer(conn, 405, parity_xstrdup("{\"error\":{\"code\":\"METHOD_NOT_ALLOWED\",\"message\":\"GET only\"}}"),
                  "application/json");
  if (strcmp(url, "/livez") == 0)
    return answer(conn, 200, parity_xstrdup("{\"status\":\"ok\"}"), "application/json");
  if (strcmp(url, "/readyz") == 0) {
    bool db = database_reachable(shared);
    int consumers = atomic_load(&shared->consumers_connected);
    bool ready = db && consumers == PARITY_WORKER_THREADS && !shared->stopping;
    char *body = NULL;
    if (asprintf(&body, "{\"status\":\"%s\",\"database\":\"%s\",\"consumers\":%d}", ready ? "ready" : "not_ready",
                 db ? "ok" : "unreachable", consumers) < 0)
      abort();
    return answer(conn, ready ? 200 : 503, body, "application/json");
  }
  if (strcmp(url, "/metrics") == 0)
    return answer(conn, 200, parity_metrics_render_new(), "text/plain; version=0.0.4; charset=utf-8");
  return answer(conn, 404, parity_xstrdup("{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"no such route\"}}"),
                "application/json");
}

int parity_probe_start(struct parity_worker_shared *shared, struct MHD_Daemon **out)
{
  *out = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)shared->cfg.metrics_port, NULL,
                          NULL, on_request, shared, MHD_OPTION_CONNECTION_LIMIT, (unsigned)PROBE_CONNECTION_LIMIT,
                          MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)PROBE_TIMEOUT_SECONDS, MHD_OPTION_END);
  if (!*out) {
    parity_log(PARITY_LOG_ERROR, "probe_listen_failed", "{s:i}", "port", (int)shared->cfg.metrics_port);
    return PARITY_EIO;
  }
  parity_log(PARITY_LOG_INFO, "probe_listening", "{s:i}", "port", (int)shared->cfg.metrics_port);
  return PARITY_OK;
}

void parity_probe_stop(struct MHD_Daemon *daemon)
{
  if (daemon)
    MHD_stop_daemon(daemon);
  pthread_mutex_lock(&ping_lock);
  parity_db_close(&ping_db);
  pthread_mutex_unlock(&ping_lock);
}
