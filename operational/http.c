/* libmicrohttpd glue: per-request state from the URI-log callback, body caps, routing, answers, metrics. */
#include "operational/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
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
#define STREAM_BLOCK_BYTES 4096u

static const char *const security_headers[][2] = {
  { "X-Content-Type-Options", "nosniff" },
  { "Referrer-Policy", "no-referrer" },
  { "X-Frame-Options", "DENY" },
};

/* The CSP: only our own origin, unless card deposits are configured, when the SPA loads Stripe.js, which
 * runs from js.stripe.com, frames its card fields from there (and 3-D Secure from hooks.stripe.com) and
 * calls api.stripe.com (Stripe's documented CSP for Stripe.js). */
#define CSP_BASE "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
static const char csp_strict[] = CSP_BASE;
static const char csp_stripe[] = CSP_BASE "; script-src 'self' https://js.stripe.com; "
                                          "frame-src https://js.stripe.com https://hooks.stripe.com; "
                                          "connect-src 'self' https://api.stripe.com";

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

int parity_res_stream(struct parity_response *res, const char *content_type, MHD_ContentReaderCallback read,
                      MHD_ContentReaderFreeCallback release, void *cls)
{
  res->status = 200;
  res->content_type = content_type;
  res->stream_read = read;
  res->stream_free = release;
  res->stream_cls = cls;
  return PARITY_OK;
}

static void response_release(struct parity_response *res)
{
  if (res->stream_free && res->stream_cls)
    res->stream_free(res->stream_cls); /* a stream never handed to libmicrohttpd */
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

int parity_content_type_is_json(const char *value)
{
  static const char json[] = "application/json";
  if (!value)
    return 0;
  value += strspn(value, " \t");
  if (strncasecmp(value, json, sizeof(json) - 1) != 0)
    return 0;
  const char *rest = value + sizeof(json) - 1;
  rest += strspn(rest, " \t");
  return *rest == '\0' || *rest == ';';
}

int parity_req_json(struct parity_request *req, struct parity_response *res, const struct parity_json_field *fields,
                    size_t n_fields, json_t **out)
{
  *out = NULL;
  if (!parity_content_type_is_json(parity_req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE)))
    return parity_res_error(res, PARITY_EINVAL, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
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

/*
 * A request's state is allocated only once its headers are in and the rate limit let it through
 * (on_headers), so a request that libmicrohttpd drops before that (a request line that exhausts the
 * connection's memory pool, a client that resets) costs Parity nothing and cannot dodge the limit.
 * From then on the state is on its listener's list of held requests and is released exactly once:
 * by the completion callback, whatever its termination code, or by the connection-close
 * notification on the paths where libmicrohttpd closes a connection without calling the former
 * (0.9.75 has such paths: an error found while an error answer is already queued marks the
 * connection closed directly).
 */
struct held_request {
  struct parity_request req; /* the handlers' view */
  struct held_request *prev, *next;
};

struct listener_ctx {
  struct parity_app *app;
  enum parity_listener listener;
  pthread_mutex_t held_lock;
  struct held_request *held; /* requests whose state is allocated */
};

static struct listener_ctx public_ctx = { .held_lock = PTHREAD_MUTEX_INITIALIZER };
static struct listener_ctx internal_ctx = { .held_lock = PTHREAD_MUTEX_INITIALIZER };

/* Request contexts that are not allocations: set by on_uri, and after an answer given at once. */
static char target_refused, answered_at_once;

static void hold(struct listener_ctx *lc, struct held_request *held)
{
  pthread_mutex_lock(&lc->held_lock);
  held->next = lc->held;
  if (lc->held)
    lc->held->prev = held;
  lc->held = held;
  pthread_mutex_unlock(&lc->held_lock);
  atomic_fetch_add(&lc->app->in_flight, 1);
}

/* Call with held_lock taken. */
static void unlink_locked(struct listener_ctx *lc, struct held_request *held)
{
  if (held->prev)
    held->prev->next = held->next;
  else
    lc->held = held->next;
  if (held->next)
    held->next->prev = held->prev;
  held->prev = held->next = NULL;
}

static void unhold(struct listener_ctx *lc, struct held_request *held)
{
  pthread_mutex_lock(&lc->held_lock);
  unlink_locked(lc, held);
  pthread_mutex_unlock(&lc->held_lock);
}

/* The request still held on a connection that is closing, taken off the list; NULL when none. */
static struct held_request *unhold_connection(struct listener_ctx *lc, const struct MHD_Connection *conn)
{
  pthread_mutex_lock(&lc->held_lock);
  struct held_request *found = lc->held;
  while (found && found->req.conn != conn)
    found = found->next;
  if (found)
    unlink_locked(lc, found);
  pthread_mutex_unlock(&lc->held_lock);
  return found;
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

/* nginx's $request_id is 32 hex digits; a UUID is what this daemon makes itself. Nothing else is taken:
   the id lands in every log line and answer, so it must not carry arbitrary text. */
static bool request_id_well_formed(const char *id)
{
  return parity_uuid_valid(id) || (strlen(id) == 32 && strspn(id, "0123456789abcdefABCDEF") == 32);
}

/* A well-formed X-Request-Id from a TRUSTED_PROXIES peer names the request, so the proxy's log line and
   this daemon's correlate; from any other peer it is ignored (clients do not name our log lines). */
static void proxy_request_id(struct parity_request *req)
{
  const char *id = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-Request-Id");
  if (!id || req->app->proxies.count == 0 || !request_id_well_formed(id))
    return;
  const union MHD_ConnectionInfo *info = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  struct parity_ip peer;
  if (info && info->client_addr && parity_ip_from_sockaddr(info->client_addr, &peer) == PARITY_OK &&
      parity_trusted_proxies_contains(&req->app->proxies, &peer))
    snprintf(req->request_id, sizeof(req->request_id), "%s", id);
}

struct framing_headers {
  int lengths;
  int encodings;
  bool spaced_name;
};

static enum MHD_Result scan_framing_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  (void)kind;
  (void)value;
  struct framing_headers *f = cls;
  if (!key)
    return MHD_YES;
  if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
    f->lengths++;
  else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
    f->encodings++;
  if (strpbrk(key, " \t"))
    f->spaced_name = true;
  return MHD_YES;
}

/*
 * Request smuggling defences: a body must have exactly one reading, the one every server on the path
 * takes. Refused: Content-Length with Transfer-Encoding, either of them twice, a Transfer-Encoding
 * other than chunked (libmicrohttpd would read such a body until the client closes), chunked on
 * HTTP/1.0 (which has no chunked coding), a Content-Length that is not digits, and whitespace before
 * a header's colon (RFC 9112 §5.1: "Content-Length : 5" is no Content-Length to libmicrohttpd but
 * may be one to a proxy in front). These are answered at once and the connection is closed, so no
 * byte after them is read as a request. A Content-Length over the cap only marks the body too large.
 */
static int check_framing(struct parity_request *req, const char *version, struct parity_response *res)
{
  struct framing_headers f = { 0, 0, false };
  MHD_get_connection_values(req->conn, MHD_HEADER_KIND, scan_framing_header, &f);
  if (f.spaced_name)
    return parity_res_error(res, PARITY_EINVAL, NULL, "whitespace between a header name and its colon");
  if (f.lengths > 1 || f.encodings > 1 || (f.lengths && f.encodings))
    return parity_res_error(res, PARITY_EINVAL, NULL, "conflicting Content-Length/Transfer-Encoding");
  if (f.encodings) {
    const char *te = parity_req_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    if (!te || strcasecmp(te, "chunked") != 0)
      return parity_res_error(res, PARITY_EINVAL, NULL, "the only Transfer-Encoding understood is chunked");
    if (!version || strcmp(version, MHD_HTTP_VERSION_1_0) == 0)
      return parity_res_error(res, PARITY_EINVAL, NULL, "chunked Transfer-Encoding needs HTTP/1.1");
  }
  const char *cl = parity_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
  if (cl) {
    if (!cl[0] || cl[strspn(cl, "0123456789")] != '\0')
      return parity_res_error(res, PARITY_EINVAL, NULL, "Content-Length is not a decimal number");
    if (strtoull(cl, NULL, 10) > PARITY_HTTP_MAX_BODY)
      req->body_too_large = true;
  }
  return PARITY_OK;
}

static void add_common_headers(struct parity_request *req, struct MHD_Response *response)
{
  MHD_add_response_header(response, "X-Request-Id", req->request_id);
  for (size_t i = 0; i < sizeof(security_headers) / sizeof(security_headers[0]); i++)
    MHD_add_response_header(response, security_headers[i][0], security_headers[i][1]);
  const char *pk = req->app->cfg.stripe_publishable_key;
  MHD_add_response_header(response, "Content-Security-Policy", pk && pk[0] ? csp_stripe : csp_strict);
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
    text = parity_json_answer_new(res->json);
    len = strlen(text);
  } else if (res->raw) {
    text = res->raw;
    res->raw = NULL;
    len = res->raw_len;
    type = res->content_type ? res->content_type : "application/octet-stream";
  }
  struct MHD_Response *response;
  if (res->stream_read) {
    /* Chunked, of unknown length; the callback owns its state from here on. */
    response = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK_BYTES, res->stream_read,
                                                 res->stream_cls, res->stream_free);
    res->stream_cls = NULL;
    type = res->content_type;
    len = 1;
  } else {
    response = MHD_create_response_from_buffer(len, text ? text : (char *)"",
                                               text ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
  }
  if (len || res->json)
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  /* Nothing is cached unless the handler says how (the SPA's static files do). */
  bool cache_set = false;
  for (size_t i = 0; i < res->n_headers; i++)
    cache_set = cache_set || strcasecmp(res->header_names[i], MHD_HTTP_HEADER_CACHE_CONTROL) == 0;
  if (!cache_set)
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
  if (res->stream_free && res->stream_cls)
    res->stream_free(res->stream_cls);
  res->stream_read = NULL;
  res->stream_free = NULL;
  res->stream_cls = NULL;
  json_decref(res->json);
  res->json = NULL;
  free(res->raw);
  res->raw = NULL;
  res->status = parity_err_http_status(err);
  const char *message = res->error_message[0] ? res->error_message : parity_err_str(err);
  res->json =
      json_pack("{s:{s:s, s:s, s:s}}", "error", "code", res->error_code ? res->error_code : parity_err_code(err),
                "message", message, "request_id", req->request_id);
  if (res->status >= 500)
    parity_log(PARITY_LOG_ERROR, "http_error", "{s:s, s:s, s:i, s:s}", "request_id", req->request_id, "path",
               req->path ? req->path : "", "status", res->status, "message", message);
}

/* Paths a fallback row never answers: an entry ending in '*' is a prefix, any other an exact path. */
static const char *const fallback_reserved[] = { "/api/*", "/internal*", "/metrics" };

static int fallback_match(const struct parity_route *r, const char *path)
{
  if (strncmp(path, r->pattern, strlen(r->pattern)) != 0)
    return 0;
  for (size_t i = 0; i < sizeof(fallback_reserved) / sizeof(fallback_reserved[0]); i++) {
    const char *e = fallback_reserved[i];
    size_t n = strlen(e);
    if (e[n - 1] == '*' ? strncmp(path, e, n - 1) == 0 : strcmp(path, e) == 0)
      return 0;
  }
  return 1;
}

const struct parity_route *parity_route_find(const char *method, const char *path, enum parity_listener listener,
                                             char params[PARITY_HTTP_MAX_PATH_PARAMS][PARITY_HTTP_MAX_PARAM_LEN],
                                             bool *path_known)
{
  *path_known = false;
  for (size_t i = 0; i < parity_routes_count; i++) {
    const struct parity_route *r = &parity_routes[i];
    if (!(r->listeners & listener) || (r->listeners & PARITY_ROUTE_FALLBACK))
      continue;
    char found[PARITY_HTTP_MAX_PATH_PARAMS][PARITY_HTTP_MAX_PARAM_LEN];
    if (!parity_route_match(r->pattern, path, found))
      continue;
    *path_known = true;
    if (strcmp(r->method, method) == 0) {
      memcpy(params, found, sizeof(found));
      return r;
    }
  }
  if (*path_known)
    return NULL;
  for (size_t i = 0; i < parity_routes_count; i++) {
    const struct parity_route *r = &parity_routes[i];
    if ((r->listeners & listener) && (r->listeners & PARITY_ROUTE_FALLBACK) && strcmp(r->method, method) == 0 &&
        fallback_match(r, path))
      return r;
  }
  return NULL;
}

static int dispatch(struct parity_request *req, struct parity_response *res)
{
  if (req->body_too_large)
    return parity_res_error(res, PARITY_ETOOBIG, NULL, "request body larger than %u bytes", PARITY_HTTP_MAX_BODY);
  if (strcmp(req->method, "OPTIONS") == 0)
    return parity_auth_gate_preflight(req, res);

  bool path_known;
  req->route = parity_route_find(req->method, req->path, req->listener, req->params, &path_known);
  if (!req->route) {
    if (path_known) {
      res->error_code = "METHOD_NOT_ALLOWED";
      snprintf(res->error_message, sizeof(res->error_message), "method %s is not allowed here", req->method);
      res->status = 405;
      return PARITY_EINVAL;
    }
    return parity_res_error(res, PARITY_ENOTFOUND, NULL, "no route for %s %s", req->method, req->path);
  }
  int rc = parity_auth_gate_check(req, res);
  if (rc)
    return rc;
  res->status = 200;
  return req->route->handler(req, res);
}

/* Metrics and the access log line of a request that ended (answered or not: 499). */
static void record_request(struct listener_ctx *lc, const struct parity_request *req)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double seconds = (double)(now.tv_sec - req->started.tv_sec) + (double)(now.tv_nsec - req->started.tv_nsec) / 1e9;
  const char *route = req->route ? req->route->name : "unmatched";
  char status[8];
  snprintf(status, sizeof(status), "%d", req->status ? req->status : 499);
  parity_metric_add(lc->app->metrics.http_requests, 1, route, req->method ? req->method : "", status);
  parity_metric_observe(lc->app->metrics.http_duration, seconds, route);
  /* Probes and what no API route answered (404s, the SPA fallback) are counted, not logged: they would drown it. */
  if (req->route && !(req->route->listeners & PARITY_ROUTE_FALLBACK) && strcmp(req->route->name, "probe") != 0)
    parity_log(PARITY_LOG_INFO, "http_request", "{s:s, s:s, s:s, s:s, s:i, s:f}", "request_id", req->request_id,
               "method", req->method ? req->method : "", "route", route, "ip", req->client_ip, "status", req->status,
               "seconds", seconds);
}

static void release(struct listener_ctx *lc, struct held_request *held)
{
  record_request(lc, &held->req);
  free(held->req.body);
  free(held);
  atomic_fetch_sub(&lc->app->in_flight, 1);
}

/* libmicrohttpd calls this first, with the request target as sent (it decodes it afterwards): the
   one moment the raw target can be checked. Nothing is allocated: no limit has been applied yet. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
  (void)cls;
  (void)conn;
  return uri && parity_uri_is_safe(uri) ? NULL : &target_refused;
}

/*
 * The access handler's first call: headers in, no body byte read. The request is judged on the stack
 * (rate limit first, then framing and the target), and its state is allocated only if it goes on.
 * A refusal is answered at once: libmicrohttpd then reads nothing more from the connection (no body,
 * no pipelined request) and closes it, which the answer says.
 */
static enum MHD_Result on_headers(struct listener_ctx *lc, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, void **con_cls)
{
  struct parity_request head = {
    .app = lc->app, .conn = conn, .listener = lc->listener, .method = method, .path = url
  };
  clock_gettime(CLOCK_MONOTONIC, &head.started);
  parity_uuid_v4(head.request_id);
  peer_address(&head);
  proxy_request_id(&head);
  parity_log_set_context("request_id", head.request_id);
  struct parity_response res = { 0 };
  int rc = parity_auth_gate_before_route(&head, &res);
  if (!rc)
    rc = check_framing(&head, version, &res);
  if (!rc && *con_cls == &target_refused)
    rc = parity_res_error(&res, PARITY_EINVAL, "BAD_PATH", "the request path is not acceptable");
  enum MHD_Result ok = MHD_YES;
  if (rc) {
    fill_error(&head, &res, rc);
    parity_res_header(&res, MHD_HTTP_HEADER_CONNECTION, "close");
    ok = send_response(&head, &res);
    response_release(&res);
    record_request(lc, &head);
    *con_cls = &answered_at_once;
  } else {
    struct held_request *held = calloc(1, sizeof(*held));
    if (!held)
      abort();
    held->req = head;
    hold(lc, held);
    *con_cls = held;
  }
  parity_log_set_context(NULL, NULL);
  return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
  struct listener_ctx *lc = cls;
  if (!*con_cls || *con_cls == &target_refused)
    return on_headers(lc, conn, url, method, version, con_cls);
  if (*con_cls == &answered_at_once) {
    *upload_data_size = 0; /* not expected: libmicrohttpd reads no body after an early answer */
    return MHD_YES;
  }
  struct parity_request *req = &((struct held_request *)*con_cls)->req;
  if (*upload_data_size) {
    if (!req->body_too_large) {
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

/* Called with every termination code (completed, error, timeout, shutdown, read error, abort), and
   always before the connection-close notification when at all, so the two never race for a request. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
  (void)conn;
  (void)toe;
  struct listener_ctx *lc = cls;
  void *ctx = *con_cls;
  *con_cls = NULL;
  if (!ctx || ctx == &target_refused || ctx == &answered_at_once)
    return; /* nothing was allocated */
  unhold(lc, ctx);
  release(lc, ctx);
}

/* The backstop: a connection that closes takes any request state still held for it along. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
  (void)socket_context;
  struct listener_ctx *lc = cls;
  if (toe != MHD_CONNECTION_NOTIFY_CLOSED)
    return;
  struct held_request *held;
  while ((held = unhold_connection(lc, conn)) != NULL) {
    /* Their text was in the connection's memory pool, which libmicrohttpd has destroyed by now. */
    held->req.method = held->req.path = NULL;
    parity_log(PARITY_LOG_WARN, "http_request_released_on_close", "{s:s, s:s}", "request_id", held->req.request_id,
               "ip", held->req.client_ip);
    release(lc, held);
  }
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
  unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
  struct MHD_Daemon *d = MHD_start_daemon(
      flags, (uint16_t)port, NULL, NULL, on_request, lc, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
      MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_URI_LOG_CALLBACK, on_uri, lc,
      MHD_OPTION_NOTIFY_COMPLETED, on_completed, lc, MHD_OPTION_NOTIFY_CONNECTION, on_connection, lc,
      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)app->cfg.http_connection_timeout, MHD_OPTION_CONNECTION_LIMIT,
      (unsigned)app->cfg.http_max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
      (unsigned)app->cfg.http_per_ip_connections, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY_BYTES,
      MHD_OPTION_THREAD_STACK_SIZE, (size_t)THREAD_STACK_BYTES, MHD_OPTION_STRICT_FOR_CLIENT, (int)1, MHD_OPTION_END);
  if (!d)
    parity_log(PARITY_LOG_ERROR, "http_listen_failed", "{s:s, s:i}", "address", bind_addr, "port", (int)port);
  else
    parity_log(PARITY_LOG_INFO, "http_listening", "{s:s, s:i, s:s}", "address", bind_addr, "port", (int)port,
               "listener", lc->listener == PARITY_LISTEN_PUBLIC ? "public" : "internal");
  return d;
}

int parity_http_start(struct parity_app *app)
{
  public_ctx.app = internal_ctx.app = app;
  public_ctx.listener = PARITY_LISTEN_PUBLIC;
  internal_ctx.listener = PARITY_LISTEN_INTERNAL;
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
