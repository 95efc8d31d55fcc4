/* Request gate: client IP behind trusted proxies, per-IP rate limit, CORS, bearer tokens, internal secret. */
#include "operational/auth_gate.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/buf.h"
#include "common/errors.h"
#include "common/log.h"
#include "operational/app.h"
#include "operational/auth/auth_init.h"
#include "operational/auth/client_ip.h"
#include "operational/auth/jwt.h"
#include "operational/auth/password.h"
#include "operational/auth/ratelimit.h"
#include "operational/auth/secretbox.h"
#include "operational/auth/token.h"
#include "operational/svc_auth.h"

static int refuse(const char *variable, const char *why, int rc)
{
  parity_log(PARITY_LOG_ERROR, "config_refused", "{s:s, s:s}", "variable", variable, "reason", why);
  return rc;
}

int parity_auth_gate_init(struct parity_app *app)
{
  const struct parity_config *cfg = &app->cfg;
  int rc = parity_auth_init();
  if (!rc)
    rc = parity_password_init();
  if (rc)
    return refuse("(libsodium/liboath)", "the crypto libraries did not initialise", rc);
  parity_password_gate_timeout_set(cfg->password_gate_timeout_ms);

  /* Turnstile's siteverify calls run in request threads: libcurl's global state is set up here, once. */
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return refuse("(libcurl)", "curl_global_init failed", PARITY_EINTERNAL);

  const char *secret = cfg->jwt_secret ? cfg->jwt_secret : "";
  rc = parity_jwt_init(&app->jwt, (const unsigned char *)secret, strlen(secret), NULL, NULL);
  if (rc) {
    curl_global_cleanup();
    return refuse("JWT_SECRET", "must be 32 to 1024 bytes", rc);
  }

  rc = parity_secretbox_init(&app->totp_box, cfg->totp_enc_key ? cfg->totp_enc_key : "");
  if (rc) {
    parity_jwt_close(&app->jwt);
    curl_global_cleanup();
    return refuse("TOTP_ENC_KEY",
                  rc == PARITY_EUNAVAILABLE ? "this CPU has no AES-NI/CLMUL for AES-256-GCM"
                                            : "must be exactly 64 hex digits",
                  rc);
  }
  const char *variable = "TRUSTED_PROXIES";
  const char *why = "not a list of at most 32 addresses or networks (a.b.c.d, a.b.c.d/n, IPv6, IPv6/n)";
  rc = parity_trusted_proxies_parse(cfg->trusted_proxies ? cfg->trusted_proxies : "", &app->proxies);
  if (!rc) {
    variable = "RATE_LIMIT_RPS";
    why = "a positive rate must be at least 0.001 per second";
    rc = parity_ratelimit_new(cfg->rate_limit_rps, cfg->rate_limit_burst, 0, &app->ratelimit);
  }
  if (rc) {
    parity_secretbox_close(&app->totp_box);
    parity_jwt_close(&app->jwt);
    curl_global_cleanup();
    return refuse(variable, why, rc);
  }
  parity_log(PARITY_LOG_INFO, "auth_gate_ready", "{s:b, s:f, s:i, s:i}", "rate_limit",
             parity_ratelimit_enabled(app->ratelimit), "rate_limit_rps", cfg->rate_limit_rps, "rate_limit_burst",
             (int)cfg->rate_limit_burst, "trusted_proxies", (int)app->proxies.count);
  return PARITY_OK;
}

void parity_auth_gate_shutdown(struct parity_app *app)
{
  parity_ratelimit_free(app->ratelimit);
  app->ratelimit = NULL;
  parity_secretbox_close(&app->totp_box);
  parity_jwt_close(&app->jwt);
  curl_global_cleanup();
}

/* ------------------------------------------------------------------ client IP and rate limit */

struct xff_collect {
  struct parity_buf list; /* bounded by PARITY_GATE_XFF_COLLECT_MAX */
  bool overflow;
};

/* RFC 9110 §5.3: several X-Forwarded-For lines mean one list, joined with commas in order. */
static enum MHD_Result collect_xff(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  (void)kind;
  struct xff_collect *c = cls;
  if (strcasecmp(key, "X-Forwarded-For") != 0 || !value)
    return MHD_YES;
  if ((c->list.len && parity_buf_add(&c->list, ",", 1)) || parity_buf_add(&c->list, value, strlen(value))) {
    c->overflow = true;
    return MHD_NO;
  }
  return MHD_YES;
}

static void client_address(struct parity_request *req)
{
  const union MHD_ConnectionInfo *info = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!info || !info->client_addr)
    return;
  struct xff_collect xff = { .overflow = false };
  parity_buf_init(&xff.list, PARITY_GATE_XFF_COLLECT_MAX - 1);
  if (req->app->proxies.count > 0)
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, collect_xff, &xff);
  struct parity_ip ip;
  /* A list too long to hold is not trusted: the peer (the proxy) is used, as for a malformed one. */
  if (parity_client_ip(info->client_addr, xff.overflow ? NULL : xff.list.data, &req->app->proxies, &ip) == PARITY_OK) {
    char text[PARITY_IP_STRLEN];
    if (parity_ip_format(&ip, text) == PARITY_OK)
      snprintf(req->client_ip, sizeof(req->client_ip), "%s", text);
  }
  parity_buf_free(&xff.list);
}

static uint64_t monotonic_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int parity_auth_gate_before_route(struct parity_request *req, struct parity_response *res)
{
  client_address(req);
  /* The internal listener is never exposed and every route there needs the secret. */
  if (req->listener != PARITY_LISTEN_PUBLIC || !parity_ratelimit_enabled(req->app->ratelimit))
    return PARITY_OK;
  struct parity_ip ip;
  if (parity_ip_parse(req->client_ip, strlen(req->client_ip), &ip) != PARITY_OK)
    return PARITY_OK; /* not IPv4/IPv6 (cannot happen on a TCP listener) */
  unsigned retry = 0;
  if (parity_ratelimit_take(req->app->ratelimit, &ip, monotonic_ms(), &retry) == PARITY_ERATE) {
    res->retry_after = (int)retry;
    return parity_res_error(res, PARITY_ERATE, "RATE_LIMITED", "too many requests from this address; retry in %u s",
                            retry);
  }
  return PARITY_OK;
}

/* ------------------------------------------------------------------ CORS */

static bool origin_allowed(struct parity_request *req)
{
  const char *origin = parity_req_header(req, "Origin");
  const char *allowed = req->app->cfg.frontend_origin;
  return origin && allowed && allowed[0] && strcmp(origin, allowed) == 0;
}

int parity_auth_gate_preflight(struct parity_request *req, struct parity_response *res)
{
  if (!origin_allowed(req))
    return parity_res_error(res, PARITY_EFORBIDDEN, "CORS_ORIGIN_NOT_ALLOWED", "origin not allowed");
  parity_res_header(res, "Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
  parity_res_header(res, "Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key");
  parity_res_header(res, "Access-Control-Max-Age", PARITY_GATE_CORS_MAX_AGE);
  res->status = 204;
  return PARITY_OK;
}

void parity_auth_gate_cors_headers(struct parity_request *req, struct MHD_Response *response)
{
  /* Vary even when refused, so a cache never hands one origin's answer to another. */
  MHD_add_response_header(response, "Vary", "Origin");
  if (!origin_allowed(req))
    return;
  MHD_add_response_header(response, "Access-Control-Allow-Origin", req->app->cfg.frontend_origin);
  MHD_add_response_header(response, "Access-Control-Allow-Credentials", "true");
  MHD_add_response_header(response, "Access-Control-Expose-Headers", "X-Request-Id, Retry-After");
}

/* ------------------------------------------------------------------ authentication */

static int invalid_token(struct parity_response *res, const char *message)
{
  parity_res_header(res, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
  return parity_res_error(res, PARITY_EAUTH, "INVALID_TOKEN", "%s", message);
}

/*
 * The last token this thread verified. Threads serve one connection each, and a client's requests on a
 * connection carry the same token: its signature and claims are checked once, and only its expiry again
 * on each request. Only the very bytes of a token that verified are reused, never across a clock that went
 * back; the session check (logout, revocation) still runs on every request.
 */
struct verified_token {
  bool valid;
  size_t len;
  int64_t verified_at;
  struct parity_jwt_claims claims;
  char token[PARITY_JWT_ISSUED_MAX];
};
static _Thread_local struct verified_token last_verified;

static int verify_token(const struct parity_jwt *jwt, const char *token, int64_t now, struct parity_jwt_claims *claims,
                        enum parity_jwt_fail *why)
{
  struct verified_token *last = &last_verified;
  size_t len = strlen(token);
  if (last->valid && len == last->len && now >= last->verified_at && memcmp(token, last->token, len) == 0 &&
      now - PARITY_JWT_LEEWAY_SECONDS < last->claims.expires_at) {
    *claims = last->claims;
    return PARITY_OK;
  }
  last->valid = false;
  int rc = parity_jwt_verify(jwt, token, now, claims, why);
  if (rc == PARITY_OK && len < sizeof(last->token)) {
    memcpy(last->token, token, len + 1);
    last->len = len;
    last->verified_at = now;
    last->claims = *claims;
    last->valid = true;
  }
  return rc;
}

int parity_auth_gate_session_ended(struct parity_request *req, struct parity_response *res)
{
  parity_log(PARITY_LOG_INFO, "access_token_refused", "{s:s, s:s}", "reason", "session_ended", "ip", req->client_ip);
  return invalid_token(res, "the session of this access token has ended");
}

/* The token's signature and claims; its session too unless the handler checks it in its own statement. */
static int check_bearer(struct parity_request *req, struct parity_response *res, bool check_session)
{
  static const char scheme[] = "Bearer ";
  const char *header = parity_req_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
  if (!header || strncasecmp(header, scheme, sizeof(scheme) - 1) != 0)
    return invalid_token(res, "a valid access token is required (Authorization: Bearer)");
  const char *token = header + sizeof(scheme) - 1;
  while (*token == ' ')
    token++;
  struct parity_jwt_claims claims;
  enum parity_jwt_fail why = PARITY_JWT_FAIL_NONE;
  if (verify_token(&req->app->jwt, token, (int64_t)time(NULL), &claims, &why) != PARITY_OK) {
    parity_log(PARITY_LOG_INFO, "access_token_refused", "{s:s, s:s}", "reason", parity_jwt_fail_str(why), "ip",
               req->client_ip);
    return invalid_token(res, "a valid access token is required");
  }
  int rc = check_session ? parity_svc_auth_session_live(req->app, claims.user_id, claims.jti) : PARITY_OK;
  if (rc == PARITY_EAUTH)
    return parity_auth_gate_session_ended(req, res);
  if (rc)
    return rc;
  /* Our own jtis are far shorter than token_id; a longer one was not issued here. */
  size_t jti_len = strlen(claims.jti);
  if (jti_len >= sizeof(req->token_id))
    return invalid_token(res, "a valid access token is required");
  memcpy(req->token_id, claims.jti, jti_len + 1);
  req->user_id = claims.user_id;
  return PARITY_OK;
}

int parity_auth_gate_check(struct parity_request *req, struct parity_response *res)
{
  switch (req->route->auth) {
  case PARITY_AUTH_NONE:
    return PARITY_OK;
  case PARITY_AUTH_INTERNAL: {
    const char *given = parity_req_header(req, "X-Internal-Secret");
    if (!given)
      return parity_res_error(res, PARITY_EAUTH, NULL, "missing X-Internal-Secret");
    if (!parity_internal_secret_ok(given, req->app->cfg.internal_secret))
      return parity_res_error(res, PARITY_EAUTH, NULL, "bad X-Internal-Secret");
    return PARITY_OK;
  }
  case PARITY_AUTH_USER:
    return check_bearer(req, res, true);
  case PARITY_AUTH_USER_SESSION_IN_HANDLER:
    return check_bearer(req, res, false);
  }
  return PARITY_EINTERNAL;
}
