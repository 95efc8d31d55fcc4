/* The HTTP layer on libmicrohttpd: listeners, per-request state, routing, JSON answers and errors. */
#ifndef PARITY_HTTP_H
#define PARITY_HTTP_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/ids.h"
#include "common/json.h"

#define PARITY_HTTP_MAX_BODY (64u * 1024u) /* bodies over this answer 413 */
#define PARITY_HTTP_MAX_URI 2048           /* longer request targets answer 414 */
#define PARITY_HTTP_MAX_PATH_PARAMS 2
#define PARITY_HTTP_MAX_PARAM_LEN 64
#define PARITY_HTTP_MAX_HEADERS 8 /* extra response headers per answer */

struct parity_app;

enum parity_listener { PARITY_LISTEN_PUBLIC = 1, PARITY_LISTEN_INTERNAL = 2 };

enum parity_auth {
  PARITY_AUTH_NONE, /* anyone */
  PARITY_AUTH_USER, /* a valid access token (Authorization: Bearer) */
  /* A valid access token whose session the handler checks in its own statement, so that a hot read costs one
     round trip: the handler MUST answer parity_auth_gate_session_ended() when the session is not live. */
  PARITY_AUTH_USER_SESSION_IN_HANDLER,
  PARITY_AUTH_INTERNAL, /* X-Internal-Secret, compared in constant time */
};

struct parity_request {
  struct parity_app *app;
  struct MHD_Connection *conn;
  enum parity_listener listener;
  const char *method;
  const char *path; /* decoded path, without the query */
  const struct parity_route *route;
  char params[PARITY_HTTP_MAX_PATH_PARAMS][PARITY_HTTP_MAX_PARAM_LEN];
  char request_id[PARITY_UUID_TEXT];
  char client_ip[64];
  char *body;
  size_t body_len;
  bool body_too_large;
  int64_t user_id;   /* set by PARITY_AUTH_USER and PARITY_AUTH_USER_SESSION_IN_HANDLER */
  char token_id[64]; /* jti of the access token */
  struct timespec started;
  int status; /* the status answered, for metrics and logs */
};

struct parity_response {
  int status;
  json_t *json; /* owned; the body when set */
  char *raw;    /* owned; the body when json is NULL */
  size_t raw_len;
  const char *content_type; /* for raw bodies */
  const char *error_code;   /* overrides the code of the error taxonomy */
  char error_message[256];
  int retry_after; /* seconds, for 429 and 503; 0 = none */
  size_t n_headers;
  char *header_names[PARITY_HTTP_MAX_HEADERS];
  char *header_values[PARITY_HTTP_MAX_HEADERS];
  /* A streamed body (content_type says which): libmicrohttpd calls stream_read on the connection's own thread
   * until it ends the stream, then stream_free(stream_cls). Set by parity_res_stream() only. */
  MHD_ContentReaderCallback stream_read;
  MHD_ContentReaderFreeCallback stream_free;
  void *stream_cls;
};

/* A handler fills `res` and returns PARITY_OK, or returns an error code (and may set the message). */
typedef int (*parity_handler)(struct parity_request *req, struct parity_response *res);

struct parity_route {
  const char *method;
  const char *pattern; /* "/api/v1/market/prices/{symbol}": each {x} matches one path segment */
  unsigned listeners;  /* PARITY_LISTEN_* mask, plus PARITY_ROUTE_FALLBACK */
  enum parity_auth auth;
  parity_handler handler;
  const char *name; /* the metrics label */
};

/* A fallback row answers only what no other row knows: any path under its pattern (a prefix) but those the
   matcher keeps for the API, the internal routes and the metrics. It never makes a path known (another
   method there is 404, not 405), is not in openapi.yaml, and is counted under the metrics label it names. */
#define PARITY_ROUTE_FALLBACK 0x100u

/* The route table (operational/routes.c). */
extern const struct parity_route parity_routes[];
extern const size_t parity_routes_count;

/* Starts the public and internal listeners. */
int parity_http_start(struct parity_app *app);
/* Stops accepting new connections (listeners closed), keeps serving those already open. */
void parity_http_quiesce(struct parity_app *app);
/* Waits up to grace_seconds for in-flight requests, then stops both daemons. */
void parity_http_stop(struct parity_app *app, int grace_seconds);

/* Response helpers. */
int parity_res_json(struct parity_response *res, int status, json_t *body); /* steals body; returns 0 */
int parity_res_error(struct parity_response *res, int err, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void parity_res_header(struct parity_response *res, const char *name, const char *value);
/* Answers 200 with a body streamed by `read` (ownership of cls passes to the response: `release` frees it,
 * also when the answer is never sent). Returns 0. */
int parity_res_stream(struct parity_response *res, const char *content_type, MHD_ContentReaderCallback read,
                      MHD_ContentReaderFreeCallback release, void *cls);

/* Request helpers. */
const char *parity_req_header(const struct parity_request *req, const char *name);
const char *parity_req_query(const struct parity_request *req, const char *name);
/* Parses the body as a JSON object validated against `fields`; on failure fills res and returns the error. */
int parity_req_json(struct parity_request *req, struct parity_response *res, const struct parity_json_field *fields,
                    size_t n_fields, json_t **out);

/* Route matching, exposed for unit tests: 1 when `path` matches `pattern`, capturing {params}. */
int parity_route_match(const char *pattern, const char *path,
                       char params[PARITY_HTTP_MAX_PATH_PARAMS][PARITY_HTTP_MAX_PARAM_LEN]);
/* The row answering `method path` on `listener`: an exact row first, then (when no row knows the path) a
   fallback row; NULL with *path_known set when the path is served only for other methods (405). */
const struct parity_route *parity_route_find(const char *method, const char *path, enum parity_listener listener,
                                             char params[PARITY_HTTP_MAX_PATH_PARAMS][PARITY_HTTP_MAX_PARAM_LEN],
                                             bool *path_known);
/* 1 when a Content-Type value is application/json (any case), with or without parameters ("; charset=utf-8");
   0 for anything that only starts like it ("application/jsonx", "application/json-seq"). */
int parity_content_type_is_json(const char *value);
/* Rejects request targets with "..", "//", backslashes, control characters or encoded '/', '.', NUL. */
int parity_uri_is_safe(const char *raw_uri);

#endif
