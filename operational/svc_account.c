/* The account's own data: profile, sessions (one per login family), and TOTP 2FA with recovery codes. */
#include "operational/svc_account.h"

#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/errors.h"
#include "common/ids.h"
#include "common/log.h"
#include "operational/app.h"
#include "operational/auth/password.h"
#include "operational/auth/secretbox.h"
#include "operational/auth/token.h"
#include "operational/auth/totp.h"
#include "operational/queries.h"

static bool is_true(const PGresult *r, int row, int col)
{
  return strcmp(PQgetvalue(r, row, col), "t") == 0;
}

int parity_svc_account_me(struct parity_app *app, int64_t user_id, json_t **out)
{
  char uid[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  struct parity_db *db = NULL;
  int rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  PGresult *r = NULL;
  rc = PARITY_DB_EXEC(db, Q_AUTH_ME, &r, uid);
  if (!rc && PQntuples(r) != 1)
    rc = PARITY_ENOTFOUND;
  if (!rc) {
    json_t *risk = PQgetisnull(r, 0, 4) ? json_null() : json_integer(atoi(PQgetvalue(r, 0, 4)));
    json_t *horizon = PQgetisnull(r, 0, 5) ? json_null() : json_string(PQgetvalue(r, 0, 5));
    json_t *bucket = json_null();
    if (!PQgetisnull(r, 0, 4) && !PQgetisnull(r, 0, 5)) {
      char key[48];
      snprintf(key, sizeof(key), "risk_%s_horizon_%s", PQgetvalue(r, 0, 4), PQgetvalue(r, 0, 5));
      bucket = json_string(key);
    }
    *out = json_pack("{s:I, s:s, s:b, s:b, s:o, s:o, s:o, s:s, s:I}", "id", (json_int_t)atoll(PQgetvalue(r, 0, 0)),
                     "email", PQgetvalue(r, 0, 1), "email_verified", is_true(r, 0, 2), "two_factor_enabled",
                     is_true(r, 0, 3), "risk_tolerance", risk, "horizon", horizon, "bucket", bucket, "created_at",
                     PQgetvalue(r, 0, 6), "recovery_codes_left", (json_int_t)atoll(PQgetvalue(r, 0, 7)));
  }
  PQclear(r);
  parity_db_pool_release(&app->pool, db);
  return rc;
}

int parity_svc_account_sessions(struct parity_app *app, int64_t user_id, const char *jti, json_t **out)
{
  char uid[PARITY_I64_TEXT], limit[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  parity_i64(PARITY_AUTH_SESSIONS_MAX, limit);
  struct parity_db *db = NULL;
  int rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  PGresult *r = NULL;
  rc = PARITY_DB_EXEC(db, Q_AUTH_SESSIONS_LIST, &r, uid, jti, limit);
  if (!rc) {
    json_t *list = json_array();
    for (int i = 0; i < PQntuples(r); i++)
      json_array_append_new(list,
                            json_pack("{s:s, s:b, s:s, s:s, s:s?, s:s?}", "id", PQgetvalue(r, i, 0), "current",
                                      is_true(r, i, 5), "created_at", PQgetvalue(r, i, 1), "last_used_at",
                                      PQgetvalue(r, i, 2), "ip", PQgetisnull(r, i, 3) ? NULL : PQgetvalue(r, i, 3),
                                      "user_agent", PQgetisnull(r, i, 4) ? NULL : PQgetvalue(r, i, 4)));
    *out = json_pack("{s:o}", "sessions", list);
  }
  PQclear(r);
  parity_db_pool_release(&app->pool, db);
  return rc;
}

int parity_svc_account_revoke_session(struct parity_app *app, int64_t user_id, const char *id)
{
  if (!parity_uuid_valid(id)) /* nothing else may reach a ::uuid cast */
    return PARITY_ENOTFOUND;
  char uid[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  struct parity_db *db = NULL;
  int rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  long revoked = 0;
  rc = parity_db_begin(db);
  /* Another user's id and an unknown id look the same: both are not found. */
  if (!rc)
    rc = parity__auth_revoke(db, Q_AUTH_FAMILY_REVOKE_OWNED, 3, (const char *const[]){ id, uid, "revoked" }, &revoked);
  if (!rc && revoked == 0)
    rc = PARITY_ENOTFOUND;
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  parity_db_pool_release(&app->pool, db);
  return rc;
}

/* ------------------------------------------------------------------ 2FA */

/*
 * The 2FA routes re-authenticate: a bearer token alone (copied out of a browser, say) must not set
 * up, turn off or re-key the second factor. The current password is checked as at login: this
 * attempt is counted against the email's lockout before its hash runs (429 ACCOUNT_LOCKED while
 * locked), a wrong password is 403 WRONG_PASSWORD and stays counted. On PARITY_OK the attempt is
 * still counted: the caller ends the streak once the request did what it asked, or else gives back
 * only this attempt's count (reauth_refund), as a right password does at a 2FA login, so that a right
 * password never wipes out failed code guesses. An unverified account is refused before anything is
 * counted.
 */
static int reauthenticate(struct parity_app *app, int64_t user_id, const char *password, size_t password_len,
                          struct parity__auth_attempt *attempt, struct parity_svc_error *fail)
{
  char uid[PARITY_I64_TEXT], hash[PARITY_PASSWORD_HASH_MAX];
  parity_i64(user_id, uid);
  struct parity_db *db = NULL;
  int rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  PGresult *r = NULL;
  rc = PARITY_DB_EXEC(db, Q_AUTH_USER_BY_ID, &r, uid);
  if (!rc && PQntuples(r) != 1)
    rc = PARITY_ENOTFOUND;
  /* Until the mailbox is proven the account may be someone else's registration: no 2FA to lock its owner out. */
  if (!rc && !is_true(r, 0, 2))
    rc = parity_svc_fail(fail, PARITY_EFORBIDDEN, "EMAIL_NOT_VERIFIED", "%s", "confirm your email address first");
  if (!rc) {
    snprintf(hash, sizeof(hash), "%s", PQgetvalue(r, 0, 1));
    rc = parity__auth_attempt_begin(db, PQgetvalue(r, 0, 0), (int64_t)time(NULL), attempt, fail);
  }
  PQclear(r);
  parity_db_pool_release(&app->pool, db);
  if (rc)
    return rc;
  rc = parity_password_verify(hash, password, password_len, NULL);
  sodium_memzero(hash, sizeof(hash));
  if (rc == PARITY_EUNAVAILABLE)
    return parity__auth_attempt_shed(app, attempt, fail);
  if (rc) {
    parity__auth_attempt_failed(app, attempt, true);
    return parity_svc_fail(fail, PARITY_EFORBIDDEN, "WRONG_PASSWORD", "%s", "the current password is wrong");
  }
  return PARITY_OK;
}

/*
 * A right password, then a refusal that was no guess (2FA already on or off, a code of the pending
 * secret): only this attempt's count goes back.
 */
static void reauth_refund(struct parity_db *db, const struct parity__auth_attempt *attempt)
{
  if (parity__auth_attempt_refund(db, attempt) != PARITY_OK)
    parity_log(PARITY_LOG_WARN, "attempt_refund_failed", "{s:s}", "reason", "2fa_route");
}

int parity_svc_account_2fa_setup(struct parity_app *app, int64_t user_id, const char *password, size_t password_len,
                                 json_t **out, struct parity_svc_error *fail)
{
  unsigned char secret[PARITY_TOTP_SECRET_BYTES];
  char uid[PARITY_I64_TEXT], b32[PARITY_TOTP_SECRET_B32_LEN + 8], uri[PARITY_TOTP_URI_MAX];
  char sealed[PARITY_SECRETBOX_SEALED_MAX];
  struct parity__auth_attempt attempt;
  parity_i64(user_id, uid);
  int rc = reauthenticate(app, user_id, password, password_len, &attempt, fail);
  if (rc)
    return rc;
  struct parity_db *db = NULL;
  rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  PGresult *w = NULL;
  bool refund = false;
  rc = parity_totp_secret_new(secret);
  if (!rc)
    rc = parity_totp_base32(secret, sizeof(secret), b32, sizeof(b32));
  if (!rc)
    rc = parity_totp_uri(attempt.key, b32, uri, sizeof(uri)); /* the key is the account's stored email */
  if (!rc)
    rc = parity_secretbox_seal(&app->totp_box, user_id, secret, sizeof(secret), sealed, sizeof(sealed));
  sodium_memzero(secret, sizeof(secret));
  if (rc)
    goto release;
  rc = parity_db_begin(db);
  if (rc)
    goto release;
  rc = PARITY_DB_EXEC(db, Q_AUTH_TOTP_PUT_PENDING, &w, uid, sealed);
  if (!rc && parity_db_affected(w) != 1) {
    refund = true;
    rc = parity_svc_fail(fail, PARITY_ECONFLICT, "TWO_FACTOR_ALREADY_ENABLED", "%s",
                         "two-factor authentication is already on");
  }
  if (!rc)
    rc = parity__auth_attempt_clear(db, &attempt);
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  if (refund)
    reauth_refund(db, &attempt);
  if (!rc)
    *out = json_pack("{s:s, s:s, s:s, s:i, s:i}", "secret", b32, "otpauth_uri", uri, "algorithm", "SHA1", "digits",
                     PARITY_TOTP_DIGITS, "period", PARITY_TOTP_STEP_SECONDS);
release:
  sodium_memzero(b32, sizeof(b32));
  sodium_memzero(uri, sizeof(uri));
  PQclear(w);
  parity_db_pool_release(&app->pool, db);
  return rc;
}

/* Ten new recovery codes replace the old ones, in the caller's transaction; *out gets them, once. */
static int new_recovery_codes(struct parity_db *db, int64_t user_id, json_t **out)
{
  char codes[PARITY_RECOVERY_CODE_COUNT][PARITY_RECOVERY_CODE_STRLEN + 1], uid[PARITY_I64_TEXT];
  char hash[PARITY_RECOVERY_HASH_HEXLEN + 1];
  parity_i64(user_id, uid);
  int rc = parity_recovery_codes_new(codes);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_AUTH_RECOVERY_DELETE_ALL, NULL, uid);
  json_t *list = json_array();
  for (size_t i = 0; !rc && i < PARITY_RECOVERY_CODE_COUNT; i++) {
    rc = parity_recovery_code_hash(user_id, codes[i], hash);
    if (!rc)
      rc = PARITY_DB_EXEC(db, Q_AUTH_RECOVERY_INSERT, NULL, uid, hash);
    json_array_append_new(list, json_string(codes[i]));
  }
  sodium_memzero(codes, sizeof(codes));
  if (rc) {
    json_decref(list);
    return rc;
  }
  *out = json_pack("{s:o}", "recovery_codes", list);
  return PARITY_OK;
}

int parity_svc_account_2fa_enable(struct parity_app *app, int64_t user_id, const char *password, size_t password_len,
                                  const char *code, json_t **out, struct parity_svc_error *fail)
{
  char uid[PARITY_I64_TEXT], step_text[PARITY_I64_TEXT];
  unsigned char secret[PARITY_SECRETBOX_MAX_PLAINTEXT];
  size_t secret_len = 0;
  int64_t step = 0;
  struct parity__auth_attempt attempt;
  parity_i64(user_id, uid);
  int rc = reauthenticate(app, user_id, password, password_len, &attempt, fail);
  if (rc)
    return rc;
  struct parity_db *db = NULL;
  rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  PGresult *r = NULL, *w = NULL;
  json_t *codes = NULL;
  /* A wrong code of the pending secret guesses nothing of the account: it is refused, not counted. */
  bool refund = true;
  rc = parity_db_begin(db);
  if (rc)
    goto release;
  rc = PARITY_DB_EXEC(db, Q_AUTH_TOTP_GET, &r, uid);
  if (rc)
    goto out;
  if (PQntuples(r) != 1) {
    rc = parity_svc_fail(fail, PARITY_ECONFLICT, "TWO_FACTOR_NOT_SET_UP", "%s", "call POST /api/v1/me/2fa/setup first");
    goto out;
  }
  if (is_true(r, 0, 1)) {
    rc = parity_svc_fail(fail, PARITY_ECONFLICT, "TWO_FACTOR_ALREADY_ENABLED", "%s",
                         "two-factor authentication is already on");
    goto out;
  }
  rc = parity_secretbox_open(&app->totp_box, user_id, PQgetvalue(r, 0, 0), secret, sizeof(secret), &secret_len);
  if (rc) {
    parity_log(PARITY_LOG_ERROR, "totp_secret_unreadable", "{s:I}", "user_id", (json_int_t)user_id);
    rc = PARITY_EINTERNAL;
    goto out;
  }
  rc = parity_totp_verify(secret, secret_len, code, (int64_t)time(NULL), atoll(PQgetvalue(r, 0, 2)), &step);
  sodium_memzero(secret, sizeof(secret));
  if (rc == PARITY_ECONFLICT) {
    rc = parity__auth_code_used(fail);
    goto out;
  }
  if (rc) {
    rc = parity_svc_fail(fail, PARITY_EFORBIDDEN, "INVALID_CODE", "%s",
                         "the code does not match: check the app's clock and retry");
    goto out;
  }
  parity_i64(step, step_text);
  rc = PARITY_DB_EXEC(db, Q_AUTH_TOTP_ENABLE, &w, uid, step_text);
  if (!rc && parity_db_affected(w) != 1)
    rc = parity_svc_fail(fail, PARITY_ECONFLICT, "TWO_FACTOR_ALREADY_ENABLED", "%s",
                         "two-factor authentication is already on");
  if (!rc)
    rc = new_recovery_codes(db, user_id, &codes);
  if (!rc)
    rc = parity__auth_attempt_clear(db, &attempt);
  refund = rc != PARITY_OK;
out:
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  if (refund)
    reauth_refund(db, &attempt);
release:
  PQclear(w);
  PQclear(r);
  parity_db_pool_release(&app->pool, db);
  if (rc) {
    json_decref(codes);
    return rc;
  }
  parity_log(PARITY_LOG_INFO, "two_factor_enabled", "{s:I}", "user_id", (json_int_t)user_id);
  *out = codes;
  return PARITY_OK;
}

/*
 * The shared step of disable and new recovery codes, after the password: the code checked inside a
 * transaction that is left open on success (rolled back on any failure). 2FA off is 409 and counts
 * nothing, nor does a right code already used (409 CODE_ALREADY_USED: a race lost to another request);
 * a wrong or expired code is 403 INVALID_CODE and stays counted toward the lockout.
 */
static int second_factor_step(struct parity_app *app, struct parity_db *db, int64_t user_id, const char *code,
                              bool allow_recovery, const struct parity__auth_attempt *attempt,
                              struct parity_svc_error *fail)
{
  int rc = parity_db_begin(db);
  if (rc)
    return rc;
  rc = parity__auth_second_factor(app, db, user_id, code, allow_recovery, (int64_t)time(NULL));
  if (rc == PARITY_ENOTFOUND) {
    parity_db_rollback(db, rc);
    reauth_refund(db, attempt);
    return parity_svc_fail(fail, PARITY_ECONFLICT, "TWO_FACTOR_NOT_ENABLED", "%s", "two-factor authentication is off");
  }
  if (rc == PARITY_EAUTH) {
    parity_db_rollback(db, rc);
    parity__auth_attempt_failed(app, attempt, true);
    return parity_svc_fail(fail, PARITY_EFORBIDDEN, "INVALID_CODE", "%s", "the code is wrong, expired or already used");
  }
  if (rc == PARITY_ECONFLICT) {
    parity_db_rollback(db, rc);
    reauth_refund(db, attempt);
    return parity__auth_code_used(fail);
  }
  return rc ? parity_db_rollback(db, rc) : PARITY_OK;
}

int parity_svc_account_2fa_disable(struct parity_app *app, int64_t user_id, const char *password, size_t password_len,
                                   const char *code, struct parity_svc_error *fail)
{
  char uid[PARITY_I64_TEXT];
  struct parity__auth_attempt attempt;
  parity_i64(user_id, uid);
  int rc = reauthenticate(app, user_id, password, password_len, &attempt, fail);
  if (rc)
    return rc;
  struct parity_db *db = NULL;
  rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  rc = second_factor_step(app, db, user_id, code, true, &attempt, fail);
  if (rc)
    goto release;
  rc = parity__auth_drop_second_factor(db, uid, NULL);
  if (!rc)
    rc = parity__auth_attempt_clear(db, &attempt);
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
release:
  parity_db_pool_release(&app->pool, db);
  if (rc)
    return rc;
  parity_log(PARITY_LOG_INFO, "two_factor_disabled", "{s:I}", "user_id", (json_int_t)user_id);
  parity__auth_mail(app, "two_factor_disabled", attempt.key, "Two-factor authentication is off for Parity",
                    "Two-factor authentication was just turned off for your Parity account.\n\n"
                    "If you did not do this, reset your password at %s/forgot-password and turn it on again.\n",
                    app->cfg.public_base_url);
  return PARITY_OK;
}

int parity_svc_account_recovery_codes(struct parity_app *app, int64_t user_id, const char *password,
                                      size_t password_len, const char *code, json_t **out,
                                      struct parity_svc_error *fail)
{
  struct parity__auth_attempt attempt;
  json_t *codes = NULL;
  int rc = reauthenticate(app, user_id, password, password_len, &attempt, fail);
  if (rc)
    return rc;
  struct parity_db *db = NULL;
  rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  /* A recovery code cannot mint new ones: only the authenticator app can. */
  rc = second_factor_step(app, db, user_id, code, false, &attempt, fail);
  if (rc)
    goto release;
  rc = new_recovery_codes(db, user_id, &codes);
  if (!rc)
    rc = parity__auth_attempt_clear(db, &attempt);
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
release:
  parity_db_pool_release(&app->pool, db);
  if (rc) {
    json_decref(codes);
    return rc;
  }
  *out = codes;
  return PARITY_OK;
}
