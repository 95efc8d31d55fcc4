/* HTTP handlers of the account and security routes: h_auth.c and h_account.c. */
#ifndef PARITY_H_AUTH_H
#define PARITY_H_AUTH_H

#include "operational/auth/password.h"
#include "operational/auth/token.h"
#include "operational/http.h"
#include "operational/svc_auth.h"

/* h_auth.c: /api/v1/auth/... */
int h_auth_register(struct parity_request *req, struct parity_response *res);
int h_auth_verify_email(struct parity_request *req, struct parity_response *res);
int h_auth_login(struct parity_request *req, struct parity_response *res);
int h_auth_login_2fa(struct parity_request *req, struct parity_response *res);
int h_auth_refresh(struct parity_request *req, struct parity_response *res);
int h_auth_logout(struct parity_request *req, struct parity_response *res);
int h_auth_logout_all(struct parity_request *req, struct parity_response *res);
int h_auth_forgot_password(struct parity_request *req, struct parity_response *res);
int h_auth_reset_password(struct parity_request *req, struct parity_response *res);
int h_auth_change_password(struct parity_request *req, struct parity_response *res);

/* h_account.c: /api/v1/me/... */
int h_me(struct parity_request *req, struct parity_response *res);
int h_me_sessions(struct parity_request *req, struct parity_response *res);
int h_me_session_revoke(struct parity_request *req, struct parity_response *res);
int h_me_2fa_setup(struct parity_request *req, struct parity_response *res);
int h_me_2fa_enable(struct parity_request *req, struct parity_response *res);
int h_me_2fa_disable(struct parity_request *req, struct parity_response *res);
int h_me_2fa_recovery_codes(struct parity_request *req, struct parity_response *res);

/* Shared by the two files: body fields (a password of at most 512 bytes, a TOTP or recovery code), and the
 * length of a table of them. */
#define PARITY_H_AUTH_FIELD_PASSWORD(name)                                                                             \
  {                                                                                                                    \
    name, PJ_STRING, true, 0, 0, PARITY_PASSWORD_MAX_BYTES                                                             \
  }
#define PARITY_H_AUTH_FIELD_CODE                                                                                       \
  {                                                                                                                    \
    "code", PJ_STRING, true, 0, 0, PARITY_RECOVERY_INPUT_MAX                                                           \
  }
#define PARITY_H_AUTH_N(fields) (sizeof(fields) / sizeof((fields)[0]))
/* Routes without input: an empty body or "{}" (application/json); anything else is 400 or 413. */
int parity__h_auth_no_body(struct parity_request *req, struct parity_response *res);

#endif
