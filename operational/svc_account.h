/* Account services: the profile, the session list, and turning TOTP 2FA on and off. */
#ifndef PARITY_SVC_ACCOUNT_H
#define PARITY_SVC_ACCOUNT_H

#include <jansson.h>
#include <stdint.h>

#include "operational/svc_auth.h"

struct parity_app;

/*
 * Each returns PARITY_OK with *out (a new reference) where there is a body, or an error with *fail
 * saying what to answer. They take connections from app->pool themselves.
 */

/* GET /me: {"id","email","email_verified","two_factor_enabled","risk_tolerance","horizon","bucket",
 * "created_at","recovery_codes_left"}. */
int parity_svc_account_me(struct parity_app *app, int64_t user_id, json_t **out);
/* GET /me/sessions: live sessions (one per login), the caller's marked "current". */
int parity_svc_account_sessions(struct parity_app *app, int64_t user_id, const char *jti, json_t **out);
/* DELETE /me/sessions/{id}: PARITY_ENOTFOUND unless `id` is a live session of this user. */
int parity_svc_account_revoke_session(struct parity_app *app, int64_t user_id, const char *id);
/*
 * The 2FA routes below re-authenticate with the current password (password[0..password_len)): a
 * wrong one is PARITY_EFORBIDDEN WRONG_PASSWORD and counts toward the account's lockout like a
 * failed login (PARITY_ERATE ACCOUNT_LOCKED while locked); an unverified account is
 * PARITY_EFORBIDDEN EMAIL_NOT_VERIFIED.
 */
/* POST /me/2fa/setup: a new pending secret: {"secret","otpauth_uri"}. PARITY_ECONFLICT when 2FA is on. */
int parity_svc_account_2fa_setup(struct parity_app *app, int64_t user_id, const char *password, size_t password_len,
                                 json_t **out, struct parity_svc_error *fail);
/* POST /me/2fa/enable: a code of the pending secret turns 2FA on: {"recovery_codes":[10]}. */
int parity_svc_account_2fa_enable(struct parity_app *app, int64_t user_id, const char *password, size_t password_len,
                                  const char *code, json_t **out, struct parity_svc_error *fail);
/* POST /me/2fa/disable: a TOTP or recovery code turns 2FA off (counted against the lockout). */
int parity_svc_account_2fa_disable(struct parity_app *app, int64_t user_id, const char *password, size_t password_len,
                                   const char *code, struct parity_svc_error *fail);
/* POST /me/2fa/recovery-codes: a TOTP code replaces the recovery codes: {"recovery_codes":[10]}. */
int parity_svc_account_recovery_codes(struct parity_app *app, int64_t user_id, const char *password,
                                      size_t password_len, const char *code, json_t **out,
                                      struct parity_svc_error *fail);

#endif
