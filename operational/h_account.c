/* The /api/v1/me routes: the profile, the session list and revocation, and TOTP 2FA (setup, enable, disable, codes). */
#include "common/errors.h"
#include "operational/app.h"
#include "operational/h_auth.h"
#include "operational/handlers.h"
#include "operational/svc_account.h"

/* The 2FA routes re-authenticate: each takes the current password, and all but setup a code. */
static const struct parity_json_field password_fields[] = { PARITY_H_AUTH_FIELD_PASSWORD("password") };
static const struct parity_json_field code_fields[] = { PARITY_H_AUTH_FIELD_PASSWORD("password"),
                                                        PARITY_H_AUTH_FIELD_CODE };

int h_me(struct parity_request *req, struct parity_response *res)
{
  json_t *body = NULL;
  int rc = parity__h_auth_no_body(req, res);
  if (!rc)
    rc = parity_svc_account_me(req->app, req->user_id, &body);
  return rc ? rc : parity_res_json(res, 200, body);
}

int h_me_sessions(struct parity_request *req, struct parity_response *res)
{
  json_t *body = NULL;
  int rc = parity__h_auth_no_body(req, res);
  if (!rc)
    rc = parity_svc_account_sessions(req->app, req->user_id, req->token_id, &body);
  return rc ? rc : parity_res_json(res, 200, body);
}

int h_me_session_revoke(struct parity_request *req, struct parity_response *res)
{
  int rc = parity__h_auth_no_body(req, res);
  if (!rc)
    rc = parity_svc_account_revoke_session(req->app, req->user_id, req->params[0]);
  if (rc == PARITY_ENOTFOUND)
    return parity_res_error(res, rc, "SESSION_NOT_FOUND", "no such session");
  if (rc)
    return rc;
  res->status = 204;
  return PARITY_OK;
}

int h_me_2fa_setup(struct parity_request *req, struct parity_response *res)
{
  json_t *in = NULL, *out = NULL;
  struct parity_svc_error fail = { 0 };
  int rc = parity_req_json(req, res, password_fields, PARITY_H_AUTH_N(password_fields), &in);
  if (rc)
    return rc;
  const json_t *password = json_object_get(in, "password");
  rc = parity_svc_account_2fa_setup(req->app, req->user_id, json_string_value(password), json_string_length(password),
                                    &out, &fail);
  json_decref(in);
  return rc ? parity_res_svc_error(res, rc, &fail) : parity_res_json(res, 200, out);
}

/* enable and new recovery codes both take {"password","code"} and answer the new recovery codes. */
static int with_code(struct parity_request *req, struct parity_response *res,
                     int (*svc)(struct parity_app *, int64_t, const char *, size_t, const char *, json_t **,
                                struct parity_svc_error *))
{
  json_t *in = NULL, *out = NULL;
  struct parity_svc_error fail = { 0 };
  int rc = parity_req_json(req, res, code_fields, PARITY_H_AUTH_N(code_fields), &in);
  if (rc)
    return rc;
  const json_t *password = json_object_get(in, "password");
  rc = svc(req->app, req->user_id, json_string_value(password), json_string_length(password),
           parity_json_str(in, "code", NULL), &out, &fail);
  json_decref(in);
  return rc ? parity_res_svc_error(res, rc, &fail) : parity_res_json(res, 200, out);
}

int h_me_2fa_enable(struct parity_request *req, struct parity_response *res)
{
  return with_code(req, res, parity_svc_account_2fa_enable);
}

int h_me_2fa_recovery_codes(struct parity_request *req, struct parity_response *res)
{
  return with_code(req, res, parity_svc_account_recovery_codes);
}

int h_me_2fa_disable(struct parity_request *req, struct parity_response *res)
{
  json_t *in = NULL;
  struct parity_svc_error fail = { 0 };
  int rc = parity_req_json(req, res, code_fields, PARITY_H_AUTH_N(code_fields), &in);
  if (rc)
    return rc;
  const json_t *password = json_object_get(in, "password");
  rc = parity_svc_account_2fa_disable(req->app, req->user_id, json_string_value(password), json_string_length(password),
                                      parity_json_str(in, "code", NULL), &fail);
  json_decref(in);
  if (rc)
    return parity_res_svc_error(res, rc, &fail);
  res->status = 204;
  return PARITY_OK;
}
