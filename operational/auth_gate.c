/* Request gate: constant-time internal secret, bearer tokens, CORS for the one frontend origin. */
#include "operational/auth_gate.h"

#include <sodium.h>
#include <stdatomic.h>
#include <string.h>
#include <strings.h>

#include "common/errors.h"
#include "operational/app.h"

int parity_auth_gate_init(struct parity_app *app)
{
  if (sodium_init() < 0)
    return PARITY_EINTERNAL;
  /* Comparing HMACs under a random key makes the comparison constant-time whatever the lengths. */
  randombytes_buf(app->internal_key, sizeof(app->internal_key));
  crypto_auth_hmacsha256(app->internal_mac, (const unsigned char *)app->cfg.internal_secret,
                         strlen(app->cfg.internal_secret), app->internal_key);
  return PARITY_OK;
}

void parity_auth_gate_shutdown(struct parity_app *app)
{
  sodium_memzero(app->internal_mac, sizeof(app->internal_mac));
}

int parity_auth_gate_before_route(struct parity_request *req, struct parity_response *res)
{
  (void)req;
  (void)res;
  return PARITY_OK;
}

int parity_auth_gate_preflight(struct parity_request *req, struct parity_response *res)
{
  const char *origin = parity_req_header(req, "Origin");
  if (!origin || strcmp(origin, req->app->cfg.frontend_origin) != 0)
    return parity_res_error(res, PARITY_EFORBIDDEN, "CORS_ORIGIN_NOT_ALLOWED", "origin not allowed");
  parity_res_header(res, "Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
  parity_res_header(res, "Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key");
  parity_res_header(res, "Access-Control-Max-Age", "600");
  res->status = 204;
  return PARITY_OK;
}

static int check_internal_secret(struct parity_request *req, struct parity_response *res)
{
  const char *given = parity_req_header(req, "X-Internal-Secret");
  if (!given)
    return parity_res_error(res, PARITY_EAUTH, NULL, "missing X-Internal-Secret");
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, (const unsigned char *)given, strlen(given), req->app->internal_key);
  if (sodium_memcmp(mac, req->app->internal_mac, sizeof(mac)) != 0)
    return parity_res_error(res, PARITY_EAUTH, NULL, "bad X-Internal-Secret");
  return PARITY_OK;
}

int parity_auth_gate_check(struct parity_request *req, struct parity_response *res)
{
  switch (req->route->auth) {
  case PARITY_AUTH_NONE:
    return PARITY_OK;
  case PARITY_AUTH_INTERNAL:
    return check_internal_secret(req, res);
  case PARITY_AUTH_USER:
    return parity_res_error(res, PARITY_EAUTH, NULL, "a valid access token is required");
  }
  return PARITY_EINTERNAL;
}

void parity_auth_gate_cors_headers(struct parity_request *req, struct MHD_Response *response)
{
  const char *origin = parity_req_header(req, "Origin");
  if (!origin || strcmp(origin, req->app->cfg.frontend_origin) != 0)
    return;
  MHD_add_response_header(response, "Access-Control-Allow-Origin", origin);
  MHD_add_response_header(response, "Access-Control-Allow-Credentials", "true");
  MHD_add_response_header(response, "Vary", "Origin");
}
