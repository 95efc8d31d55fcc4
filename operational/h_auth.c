/* The /api/v1/auth routes: register, verify-email, login (+2fa), refresh, logout(-all), forgot/reset/change password. */
#include "operational/h_auth.h"

#include <stdio.h>
#include <string.h>

#include "common/errors.h"
#include "operational/app.h"
#include "operational/auth/cookie.h"
#include "operational/auth/lockout.h"
#include "operational/auth/password.h"
#include "operational/auth/token.h"
#include "operational/handlers.h"
#include "operational/svc_auth.h"

/* Single-use tokens are 43 characters; a little room lets a wrong one answer "invalid token", not "too long". */
#define TOKEN_FIELD_MAX 64

/* Every field bounded: an email over 1 KiB or a password over 512 bytes is refused before any work. */
#define FIELD_EMAIL                                                                                                    \
  {                                                                                                                    \
    "email", PJ_STRING, true, 0, 0, PARITY_EMAIL_INPUT_MAX                                                             \
  }
#define FIELD_TURNSTILE                                                                                                \
  {                                                                                                                    \
    "turnstile_token", PJ_STRING, false, 0, 0, PARITY_AUTH_TURNSTILE_TOKEN_MAX                                         \
  }
#define FIELD_TOKEN(name)                                                                                              \
  {                                                                                                                    \
    name, PJ_STRING, true, 0, 0, TOKEN_FIELD_MAX                                                                       \
  }

static const struct parity_json_field register_fields[] = { FIELD_EMAIL, PARITY_H_AUTH_FIELD_PASSWORD("password"),
                                                            FIELD_TURNSTILE };
static const struct parity_json_field verify_fields[] = { FIELD_TOKEN("token") };
static const struct parity_json_field login_fields[] = { FIELD_EMAIL, PARITY_H_AUTH_FIELD_PASSWORD("password"),
                                                         FIELD_TURNSTILE };
static const struct parity_json_field login_2fa_fields[] = { FIELD_TOKEN("mfa_token"), PARITY_H_AUTH_FIELD_CODE };
static const struct parity_json_field forgot_fields[] = { FIELD_EMAIL, FIELD_TURNSTILE };
static const struct parity_json_field reset_fields[] = { FIELD_TOKEN("token"),
                                                         PARITY_H_AUTH_FIELD_PASSWORD("password") };
static const struct parity_json_field change_fields[] = { PARITY_H_AUTH_FIELD_PASSWORD("current_password"),
                                                          PARITY_H_AUTH_FIELD_PASSWORD("new_password") };

int parity__h_auth_no_body(struct parity_request *req, struct parity_response *res)
{
  if (req->body_len == 0)
    return PARITY_OK;
  json_t *body = NULL;
  int rc = parity_req_json(req, res, NULL, 0, &body);
  json_decref(body);
  return rc;
}

static struct parity_auth_client client_of(const struct parity_request *req)
{
  return (struct parity_auth_client){ req->client_ip, parity_req_header(req, "User-Agent") };
}

static const char *str(const json_t *body, const char *key)
{
  return json_string_value(json_object_get(body, key));
}

static size_t len(const json_t *body, const char *key)
{
  return json_string_length(json_object_get(body, key));
}

/* The refresh cookie from the Cookie header, or NULL (absent, malformed, or planted twice). */
static const char *refresh_cookie(const struct parity_request *req, char *buf, size_t cap)
{
  const char *header = parity_req_header(req, MHD_HTTP_HEADER_COOKIE);
  if (!header || parity_cookie_get(header, PARITY_REFRESH_COOKIE_NAME, buf, cap) != PARITY_OK)
    return NULL;
  return buf;
}

static void clear_cookie(struct parity_request *req, struct parity_response *res)
{
  char cookie[PARITY_SET_COOKIE_MAX];
  if (parity_cookie_refresh_clear(req->app->cfg.cookie_secure, cookie, sizeof(cookie)) == PARITY_OK)
    parity_res_header(res, MHD_HTTP_HEADER_SET_COOKIE, cookie);
}

/* The login answer: the access token in the body, the refresh token only in its HttpOnly cookie. */
static int answer_login(struct parity_request *req, struct parity_response *res, const struct parity_auth_login *l)
{
  if (l->mfa_required)
    return parity_res_json(res, 200,
                           json_pack("{s:b, s:s, s:i}", "mfa_required", 1, "mfa_token", l->mfa_token, "expires_in",
                                     PARITY_AUTH_MFA_TTL_SECONDS));
  char cookie[PARITY_SET_COOKIE_MAX];
  int rc = parity_cookie_refresh_set(l->refresh_token, l->refresh_max_age, req->app->cfg.cookie_secure, cookie,
                                     sizeof(cookie));
  if (rc)
    return rc;
  parity_res_header(res, MHD_HTTP_HEADER_SET_COOKIE, cookie);
  return parity_res_json(res, 200,
                         json_pack("{s:s, s:s, s:i}", "access_token", l->access_token, "token_type", "Bearer",
                                   "expires_in", PARITY_JWT_TTL_SECONDS));
}

int h_auth_register(struct parity_request *req, struct parity_response *res)
{
  json_t *body = NULL;
  struct parity_svc_error fail = { 0 };
  int rc = parity_req_json(req, res, register_fields, PARITY_H_AUTH_N(register_fields), &body);
  if (rc)
    return rc;
  rc = parity_svc_auth_turnstile(req->app, str(body, "turnstile_token"), req->client_ip, &fail);
  if (!rc)
    rc = parity_svc_auth_register(req->app, str(body, "email"), str(body, "password"), len(body, "password"), &fail);
  json_decref(body);
  if (rc)
    return parity_res_svc_error(res, rc, &fail);
  return parity_res_json(res, 202, json_pack("{s:s}", "status", "verification_sent"));
}

int h_auth_verify_email(struct parity_request *req, struct parity_response *res)
{
  json_t *body = NULL;
  struct parity_svc_error fail = { 0 };
  int rc = parity_req_json(req, res, verify_fields, PARITY_H_AUTH_N(verify_fields), &body);
  if (rc)
    return rc;
  rc = parity_svc_auth_verify_email(req->app, str(body, "token"), &fail);
  json_decref(body);
  if (rc)
    return parity_res_svc_error(res, rc, &fail);
  return parity_res_json(res, 200, json_pack("{s:s}", "status", "verified"));
}

int h_auth_login(struct parity_request *req, struct parity_response *res)
{
  json_t *body = NULL;
  struct parity_svc_error fail = { 0 };
  struct parity_auth_login login;
  struct parity_auth_client client = client_of(req);
  int rc = parity_req_json(req, res, login_fields, PARITY_H_AUTH_N(login_fields), &body);
  if (rc)
    return rc;
  rc = parity_svc_auth_turnstile(req->app, str(body, "turnstile_token"), req->client_ip, &fail);
  if (!rc)
    rc = parity_svc_auth_login(req->app, &client, str(body, "email"), str(body, "password"), len(body, "password"),
                               &login, &fail);
  json_decref(body);
  if (rc)
    return parity_res_svc_error(res, rc, &fail);
  return answer_login(req, res, &login);
}

int h_auth_login_2fa(struct parity_request *req, struct parity_response *res)
{
  json_t *body = NULL;
  struct parity_svc_error fail = { 0 };
  struct parity_auth_login login;
  struct parity_auth_client client = client_of(req);
  int rc = parity_req_json(req, res, login_2fa_fields, PARITY_H_AUTH_N(login_2fa_fields), &body);
  if (rc)
    return rc;
  rc = parity_svc_auth_login_2fa(req->app, &client, str(body, "mfa_token"), str(body, "code"), &login, &fail);
  json_decref(body);
  if (rc)
    return parity_res_svc_error(res, rc, &fail);
  return answer_login(req, res, &login);
}

int h_auth_refresh(struct parity_request *req, struct parity_response *res)
{
  char token[PARITY_COOKIE_VALUE_MAX + 1];
  struct parity_svc_error fail = { 0 };
  struct parity_auth_login login;
  struct parity_auth_client client = client_of(req);
  int rc = parity__h_auth_no_body(req, res);
  if (rc)
    return rc;
  rc = parity_svc_auth_refresh(req->app, &client, refresh_cookie(req, token, sizeof(token)), &login, &fail);
  if (rc) {
    if (rc == PARITY_EAUTH)
      clear_cookie(req, res); /* a dead token is useless to keep in the browser */
    return parity_res_svc_error(res, rc, &fail);
  }
  return answer_login(req, res, &login);
}

int h_auth_logout(struct parity_request *req, struct parity_response *res)
{
  char token[PARITY_COOKIE_VALUE_MAX + 1];
  int rc = parity__h_auth_no_body(req, res);
  if (!rc)
    rc = parity_svc_auth_logout(req->app, refresh_cookie(req, token, sizeof(token)));
  if (rc)
    return rc;
  clear_cookie(req, res);
  res->status = 204;
  return PARITY_OK;
}

int h_auth_logout_all(struct parity_request *req, struct parity_response *res)
{
  int rc = parity__h_auth_no_body(req, res);
  if (!rc)
    rc = parity_svc_auth_logout_all(req->app, req->user_id);
  if (rc)
    return rc;
  clear_cookie(req, res);
  res->status = 204;
  return PARITY_OK;
}

int h_auth_forgot_password(struct parity_request *req, struct parity_response *res)
{
  json_t *body = NULL;
  struct parity_svc_error fail = { 0 };
  int rc = parity_req_json(req, res, forgot_fields, PARITY_H_AUTH_N(forgot_fields), &body);
  if (rc)
    return rc;
  rc = parity_svc_auth_turnstile(req->app, str(body, "turnstile_token"), req->client_ip, &fail);
  if (!rc)
    rc = parity_svc_auth_forgot(req->app, str(body, "email"), &fail);
  json_decref(body);
  if (rc)
    return parity_res_svc_error(res, rc, &fail);
  return parity_res_json(res, 202, json_pack("{s:s}", "status", "reset_sent"));
}

int h_auth_reset_password(struct parity_request *req, struct parity_response *res)
{
  json_t *body = NULL;
  struct parity_svc_error fail = { 0 };
  int rc = parity_req_json(req, res, reset_fields, PARITY_H_AUTH_N(reset_fields), &body);
  if (rc)
    return rc;
  rc = parity_svc_auth_reset(req->app, str(body, "token"), str(body, "password"), len(body, "password"), &fail);
  json_decref(body);
  if (rc)
    return parity_res_svc_error(res, rc, &fail);
  clear_cookie(req, res);
  return parity_res_json(res, 200, json_pack("{s:s}", "status", "password_reset"));
}

int h_auth_change_password(struct parity_request *req, struct parity_response *res)
{
  json_t *body = NULL;
  struct parity_svc_error fail = { 0 };
  int rc = parity_req_json(req, res, change_fields, PARITY_H_AUTH_N(change_fields), &body);
  if (rc)
    return rc;
  rc = parity_svc_auth_change_password(req->app, req->user_id, req->token_id, str(body, "current_password"),
                                       len(body, "current_password"), str(body, "new_password"),
                                       len(body, "new_password"), &fail);
  json_decref(body);
  if (rc)
    return parity_res_svc_error(res, rc, &fail);
  res->status = 204;
  return PARITY_OK;
}
