/* libmicrohttpd glue: per-request state from the URI-log callback, body caps, routing, answers, metrics. */
#include "operational/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/message.h"
#include "operational/app.h"
#include "operational/auth_gate.h"
#include "operational/handlers.h"

#define THREAD_STACK_BYTES (512u * 1024u)
#define CONNECTION_MEMORY_BYTES (128u * 1024u)

static const char *const security_headers[][2] = {
  { "X-Content-Type-Options", "nosniff" },
  { "Referrer-Policy", "no-referrer" },
  { "X-Frame-Options", "DENY" },
  { "Content-Security-Policy",
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'" },
};

/* ------------------------------------------------------------------ request target checks */

static int hex_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

int parity_uri_is_safe(const char *raw_uri)
{
  size_t len = strlen(raw_uri);
  if (len == 0 || len > PARITY_HTTP_MAX_URI || raw_uri[0] != '/')
    return 0;
  const char *query = strchr(raw_uri, '?');
  size_t path_len = query ? (size_t)(query - raw_uri) : len;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)raw_uri[i];
    if (c < 0x20 || c == 0x7f || c == '\\')
      return 0;
    if (c == '%') {
      int hi = i + 2 < len ? hex_value(raw_uri[i + 1]) : -1, lo = i + 2 < len ? hex_value(raw_uri[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        return 0;
      int decoded = hi * 16 + lo;
      /* MHD decodes before routing: an encoded NUL, control byte, '/', '.' or '\' could smuggle a path. */
      if (decoded < 0x20 || decoded == 0x7f || (i < path_len && (decoded == '/' || decoded == '.' || decoded == '\\')))
        return 0;
    }
  }
  for (size_t i = 0; i + 1 < path_len; i++) {
    if (raw_uri[i] == '/' && raw_uri[i + 1] == '/')
      return 0;
    if (raw_uri[i] == '.' && raw_uri[i + 1] == '.')
      return 0;
  }
  return 1;
}

int parity_route_match(const char *pattern, const char *path,
                       char params[PARITY_HTTP_MAX_PATH_PARAMS][PARITY_HTTP_MAX_PARAM_LEN])
{
  int n_params = 0;
  const char *p = pattern, *s = path;
  while (*p && *s) {
    if (*p == '{') {
      const char *close = strchr(p, '}');
      if (!close || n_params == PARITY_HTTP_MAX_PATH_PARAMS)
        return 0;
      size_t n = strcspn(s, "/");
      if (n == 0 || n >= PARITY_HTTP_MAX_PARAM_LEN)
        return 0;
      for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-_.^=", c)))
          return 0;
      }
      memcpy(params[n_params], s, n);
      params[n_params][n] = '\0';
      n_params++;
      p = close + 1;
      s += n;
      continue;
    }
    if (*p != *s)
      return 0;
    p++;
    s++;
  }
  return *p == '\0' && *s == '\0';
}

/* ------------------------------------------------------------------ responses */

int parity_res_json(struct parity_response *res, int status, json_t *body)
{
  json_decref(res->json);
  res->json = body;
  res->status = status;
  return PARITY_OK;
}

int parity_res_error(struct parity_response *res, int err, const char *code, const char *fmt, ...)
{
  res->error_code = code;
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->error_message, sizeof(res->error_message), fmt, ap);
    va_end(ap);
  }
  return err;
}

void parity_res_header(struct parity_response *res, const char *name, const char *value)
{
  if (res->n_headers == PARITY_HTTP_MAX_HEADERS)
    abort(); /* a programming error: no answer needs that many headers */
  res->header_names[res->n_headers] = strdup(name);
  res->header_values[res->n_headers] = strdup(value);
  if (!res->header_names[res->n_headers] || !res->header_values[res->n_headers])
    abort();
  res->n_headers++;
}

static void response_release(struct parity_response *res)
{
  json_decref(res->json);
  free(res->raw);
  for (size_t i = 0; i < res->n_headers; i++) {
    free(res->header_names[i]);
    free(res->header_values[i]);
  }
  memset(res, 0, sizeof(*res));
}

/* ------------------------------------------------------------------ request helpers */

const char *parity_req_header(const struct parity_request *req, const char *name)
{
  return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *parity_req_query(const struct parity_request *req, const char *name)
{
  return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

int parity_req_json(struct parity_request *req, struct parity_response *res,
                    const struct parity_json_field *fields, size_t n_fields, json_t **out)
{
  *out = NULL;
  const char *type = parity_req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
  if (!type || strncasecmp(type, "application/json", 16) != 0)
    return parity_res_error(res, PARITY_EINVAL, "UNSUPPORTED_MEDIA_TYPE",
                            "Content-Type must be application/json");
  json_t *doc = NULL;
  int rc = parity_json_parse_object(req->body ? req->body : "", req->body_len, PARITY_HTTP_MAX_BODY, &doc,
                                    res->error_message, sizeof(res->error_message));
  if (!rc)
    rc = parity_json_check(doc, fields, n_fields, res->error_message, sizeof(res->error_message));
  if (rc) {
    json_decref(doc);
    res->error_code = rc == PARITY_ETOOBIG ? "PAYLOAD_TOO_LARGE" : "INVALID_REQUEST";
    return rc;
  }
  *out = doc;
  return PARITY_OK;
}

/* ------------------------------------------------------------------ per-request lifecycle */

struct listener_ctx {
  struct parity_app *app;
  enum parity_listener listener;
};

static struct listener_ctx public_ctx, internal_ctx;

/* MHD calls this first with the raw request target: the per-request state is born here. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
  struct listener_ctx *lc = cls;
  struct parity_request *req = calloc(1, sizeof(*req));
  if (!req)
    abort();
  req->app = lc->app;
  req->listener = lc->listener;
  req->conn = conn;
  req->raw_uri = strndup(uri ? uri : "", PARITY_HTTP_MAX_URI + 1);
  if (!req->raw_uri)
    abort();
  clock_gettime(CLOCK_MONOTONIC, &req->started);
  parity_uuid_v4(req->request_id);
  atomic_fetch_add(&lc->app->in_flight, 1);
  return req;
}

static void peer_address(struct parity_request *req)
{
  const union MHD_ConnectionInfo *info = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  snprintf(req->client_ip, sizeof(req->client_ip), "unknown");
  if (!info || !info->client_addr)
    return;
  const struct sockaddr *sa = info->client_addr;
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, req->client_ip,
              sizeof(req->client_ip));
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, req->client_ip,
              sizeof(req->client_ip));
}

struct header_count {
  const char *name;
  int count;
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  (void)kind;
  (void)value;
  struct header_count *hc = cls;
  if (strcasecmp(key, hc->name) == 0)
    hc->count++;
  return MHD_YES;
}

static int header_occurrences(struct MHD_Connection *conn, const char *name)
{
  struct header_count hc = { name, 0 };
  MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &hc);
  return hc.count;
}

/* Request smuggling defences: one Content-Length, never together with Transfer-Encoding. */
static int check_framing(struct parity_request *req)
{
  int lengths = header_occurrences(req->conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
  int encodings = header_occurrences(req->conn, MHD_HTTP_HEADER_TRANSFER_ENCODING);
  if (lengths > 1 || encodings > 1 || (lengths && encodings))
    return PARITY_EINVAL;
  const char *cl = parity_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
  if (cl) {
    char *end;
    unsigned long long n = strtoull(cl, &end, 10);
    if (end == cl || *end)
      return PARITY_EINVAL;
    if (n > PARITY_HTTP_MAX_BODY)
      return PARITY_ETOOBIG;
  }
  return PARITY_OK;
}

static void add_common_headers(struct parity_request *req, struct MHD_Response *response)
{
  MHD_add_response_header(response, "X-Request-Id", req->request_id);
  for (size_t i = 0; i < sizeof(security_headers) / sizeof(security_headers[0]); i++)
    MHD_add_response_header(response, security_headers[i][0], security_headers[i][1]);
  if (req->app->cfg.cookie_secure)
    MHD_add_response_header(response, "Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  parity_auth_gate_cors_headers(req, response);
}

static enum MHD_Result send_response(struct parity_request *req, struct parity_response *res)
{
  char *text = NULL;
  size_t len = 0;
  const char *type = "application/json";
  if (res->json) {
    text = json_dumps(res->json, JSON_COMPACT | JSON_REAL_PRECISION(15));
    if (!text)
      abort();
    len = strlen(text);
  } else if (res->raw) {
    text = res->raw;
    res->raw = NULL;
    len = res->raw_len;
    type = res->content_type ? res->content_type : "application/octet-stream";
  }
  struct MHD_Response *response =
    MHD_create_response_from_buffer(len, text ? text : (char *)"", text ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
  if (len || res->json)
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  add_common_headers(req, response);
  for (size_t i = 0; i < res->n_headers; i++)
    MHD_add_response_header(response, res->header_names[i], res->header_values[i]);
  if (res->retry_after > 0) {
    char seconds[16];
    snprintf(seconds, sizeof(seconds), "%d", res->retry_after);
    MHD_add_response_header(response, MHD_HTTP_HEADER_RETRY_AFTER, seconds);
  }
  req->status = res->status;
  enum MHD_Result ok = MHD_queue_response(req->conn, (unsigned)res->status, response);
  MHD_destroy_response(response);
  return ok;
}

/* Turns an error code (and the handler's message, if any) into the JSON error body. */
static void fill_error(struct parity_request *req, struct parity_response *res, int err)
{
  json_decref(res->json);
  res->json = NULL;
  free(res->raw);
  res->raw = NULL;
  res->status = parity_err_http_status(err);
  const char *message = res->error_message[0] ? res->error_message : parity_err_str(err);
  res->json = json_pack("{s:{s:s, s:s, s:s}}", "error", "code", res->error_code ? res->error_code : parity_err_code(err),
                        "message", message, "request_id", req->request_id);
  if (res->status >= 500)
    parity_log(PARITY_LOG_ERROR, "http_error", "{s:s, s:s, s:i, s:s}", "request_id", req->request_id, "path",
               req->path ? req->path : "", "status", res->status, "message", message);
}

static const struct parity_route *find_route(struct parity_request *req, bool *path_known)
{
  *path_known = false;
  for (size_t i = 0; i < parity_routes_count; i++) {
    const struct parity_route *r = &parity_routes[i];
    if (!(r->listeners & req->listener))
      continue;
    char params[PARITY_HTTP_MAX_PATH_PARAMS][PARITY_HTTP_MAX_PARAM_LEN];
    if (!parity_route_match(r->pattern, req->path, params))
      continue;
    *path_known = true;
    if (strcmp(r->method, req->method) == 0) {
      memcpy(req->params, params, sizeof(params));
      return r;
    }
  }
  return NULL;
}

static int dispatch(struct parity_request *req, struct parity_response *res)
{
  if (req->framing_error)
    return parity_res_error(res, req->framing_error, NULL,
                            req->framing_error == PARITY_ETOOBIG ? "request body larger than 65536 bytes"
                                                                 : "conflicting Content-Length/Transfer-Encoding");
  if (req->body_too_large)
    return parity_res_error(res, PARITY_ETOOBIG, NULL, "request body larger than %u bytes", PARITY_HTTP_MAX_BODY);
  if (!parity_uri_is_safe(req->raw_uri))
    return parity_res_error(res, PARITY_EINVAL, "BAD_PATH", "the request path is not acceptable");

  int rc = parity_auth_gate_before_route(req, res);
  if (rc)
    return rc;
  if (strcmp(req->method, "OPTIONS") == 0)
    return parity_auth_gate_preflight(req, res);

  bool path_known;
  req->route = find_route(req, &path_known);
  if (!req->route) {
    if (path_known) {
      res->error_code = "METHOD_NOT_ALLOWED";
      snprintf(res->error_message, sizeof(res->error_message), "method %s is not allowed here", req->method);
      rc = PARITY_EINVAL;
      res->status = 405;
      return rc;
    }
    if (req->listener == PARITY_LISTEN_PUBLIC && strcmp(req->method, "GET") == 0 &&
        strncmp(req->path, "/api/", 5) != 0 && strncmp(req->path, "/internal", 9) != 0 &&
        strcmp(req->path, "/metrics") != 0)
      return h_static(req, res);
    return parity_res_error(res, PARITY_ENOTFOUND, NULL, "no route for %s %s", req->method, req->path);
  }
  rc = parity_auth_gate_check(req, res);
  if (rc)
    return rc;
  res->status = 200;
  return req->route->handler(req, res);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
  (void)cls;
  (void)conn;
  (void)version;
  struct parity_request *req = *con_cls;
  if (!req)
    return MHD_NO; /* cannot happen: on_uri always runs first */

  if (!req->method) {
    /* First call: headers are in, the body is not. Check framing before accepting any body byte. */
    req->method = method;
    req->path = url;
    peer_address(req);
    req->framing_error = check_framing(req);
    return MHD_YES;
  }
  if (*upload_data_size) {
    if (!req->framing_error && !req->body_too_large) {
      if (req->body_len + *upload_data_size > PARITY_HTTP_MAX_BODY) {
        req->body_too_large = true;
      } else {
        char *grown = realloc(req->body, req->body_len + *upload_data_size + 1);
        if (!grown)
          abort();
        req->body = grown;
        memcpy(req->body + req->body_len, upload_data, *upload_data_size);
        req->body_len += *upload_data_size;
        req->body[req->body_len] = '\0';
      }
    }
    *upload_data_size = 0;
    return MHD_YES;
  }

  parity_log_set_context("request_id", req->request_id);
  struct parity_response res = { 0 };
  int rc = dispatch(req, &res);
  if (rc) {
    int forced_status = res.status == 405 ? 405 : 0;
    fill_error(req, &res, rc);
    if (forced_status)
      res.status = forced_status;
  }
  enum MHD_Result ok = send_response(req, &res);
  response_release(&res);
  parity_log_set_context(NULL, NULL);
  return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
  (void)conn;
  (void)toe;
  struct listener_ctx *lc = cls;
  struct parity_request *req = *con_cls;
  if (!req)
    return;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double seconds = (double)(now.tv_sec - req->started.tv_sec) + (double)(now.tv_nsec - req->started.tv_nsec) / 1e9;
  const char *route = req->route ? req->route->name : "unmatched";
  char status[8];
  snprintf(status, sizeof(status), "%d", req->status ? req->status : 499);
  parity_metric_add(lc->app->metrics.http_requests, 1, route, req->method ? req->method : "", status);
  parity_metric_observe(lc->app->metrics.http_duration, seconds, route);
  if (req->route && strcmp(req->route->name, "probe") != 0)
    parity_log(PARITY_LOG_INFO, "http_request", "{s:s, s:s, s:s, s:s, s:i, s:f}", "request_id", req->request_id,
               "method", req->method ? req->method : "", "route", route, "ip", req->client_ip, "status",
               req->status, "seconds", seconds);
  free(req->body);
  free(req->raw_uri);
  free(req);
  *con_cls = NULL;
  atomic_fetch_sub(&lc->app->in_flight, 1);
}

/* ------------------------------------------------------------------ daemons */

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
  (void)cls;
  char line[256];
  vsnprintf(line, sizeof(line), fmt, ap);
  line[strcspn(line, "\n")] = '\0';
  parity_log(PARITY_LOG_WARN, "mhd", "{s:s}", "message", line);
}

static struct MHD_Daemon *start_listener(struct parity_app *app, struct listener_ctx *lc, const char *bind_addr,
                                         long port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
  if (inet_pton(AF_INET, bind_addr, &addr.sin_addr) != 1) {
    parity_log(PARITY_LOG_ERROR, "http_bad_bind_address", "{s:s}", "address", bind_addr);
    return NULL;
  }
  /* Thread per connection: a long-poll holds its own thread, never a shared worker. */
  unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
                   MHD_USE_ERROR_LOG;
  struct MHD_Daemon *d = MHD_start_daemon(
    flags, (uint16_t)port, NULL, NULL, on_request, lc,
    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
    MHD_OPTION_URI_LOG_CALLBACK, on_uri, lc,
    MHD_OPTION_NOTIFY_COMPLETED, on_completed, lc,
    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)app->cfg.http_connection_timeout,
    MHD_OPTION_CONNECTION_LIMIT, (unsigned)app->cfg.http_max_connections,
    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)app->cfg.http_per_ip_connections,
    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY_BYTES,
    MHD_OPTION_THREAD_STACK_SIZE, (size_t)THREAD_STACK_BYTES,
    MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
    MHD_OPTION_END);
  if (!d)
    parity_log(PARITY_LOG_ERROR, "http_listen_failed", "{s:s, s:i}", "address", bind_addr, "port", (int)port);
  else
    parity_log(PARITY_LOG_INFO, "http_listening", "{s:s, s:i, s:s}", "address", bind_addr, "port", (int)port,
               "listener", lc->listener == PARITY_LISTEN_PUBLIC ? "public" : "internal");
  return d;
}

int parity_http_start(struct parity_app *app)
{
  public_ctx = (struct listener_ctx){ app, PARITY_LISTEN_PUBLIC };
  internal_ctx = (struct listener_ctx){ app, PARITY_LISTEN_INTERNAL };
  app->public_daemon = start_listener(app, &public_ctx, app->cfg.http_bind, app->cfg.http_port);
  if (!app->public_daemon)
    return PARITY_EIO;
  app->internal_daemon = start_listener(app, &internal_ctx, app->cfg.internal_bind, app->cfg.internal_port);
  if (!app->internal_daemon) {
    MHD_stop_daemon(app->public_daemon);
    app->public_daemon = NULL;
    return PARITY_EIO;
  }
  return PARITY_OK;
}

void parity_http_quiesce(struct parity_app *app)
{
  atomic_store(&app->draining, true);
  /* MHD_quiesce_daemon hands back the listening socket; closing it refuses new connections. */
  struct MHD_Daemon *daemons[] = { app->public_daemon, app->internal_daemon };
  for (size_t i = 0; i < 2; i++) {
    if (!daemons[i])
      continue;
    MHD_socket fd = MHD_quiesce_daemon(daemons[i]);
    if (fd != MHD_INVALID_SOCKET)
      close(fd);
  }
}

void parity_http_stop(struct parity_app *app, int grace_seconds)
{
  for (int waited_ms = 0; atomic_load(&app->in_flight) > 0 && waited_ms < grace_seconds * 1000; waited_ms += 50)
    usleep(50000);
  if (atomic_load(&app->in_flight) > 0)
    parity_log(PARITY_LOG_WARN, "http_grace_expired", "{s:i}", "in_flight", atomic_load(&app->in_flight));
  if (app->public_daemon)
    MHD_stop_daemon(app->public_daemon);
  if (app->internal_daemon)
    MHD_stop_daemon(app->internal_daemon);
  app->public_daemon = app->internal_daemon = NULL;
}
