/* Login, its 2FA step, refresh-token families and lockout: the services behind /auth/login..logout-all. */
#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/errors.h"
#include "common/log.h"
#include "operational/app.h"
#include "operational/auth/client_ip.h"
#include "operational/auth/password.h"
#include "operational/auth/secretbox.h"
#include "operational/auth/totp.h"
#include "operational/queries.h"
#include "operational/svc_auth.h"

/* ------------------------------------------------------------------ lockout */

int parity__auth_attempt_begin(struct parity_db *db, const char *key, int64_t now, struct parity__auth_attempt *a,
                               struct parity_svc_error *fail)
{
  memset(a, 0, sizeof(*a));
  snprintf(a->key, sizeof(a->key), "%s", key);
  PGresult *r = NULL;
  int rc = parity_db_begin(db);
  if (rc)
    return rc;
  rc = PARITY_DB_EXEC(db, Q_AUTH_ATTEMPTS_LOCK, &r, key);
  if (rc)
    goto out;
  struct parity_lockout_state st = { atoi(PQgetvalue(r, 0, 0)), atoll(PQgetvalue(r, 0, 1)) };
  int64_t retry = 0;
  if (parity_lockout_check(&st, now, &retry) == PARITY_ERATE) {
    fail->retry_after = (long)retry;
    rc = parity_svc_fail(fail, PARITY_ERATE, "ACCOUNT_LOCKED", "%s",
                         "too many failed attempts for this account: try again after Retry-After seconds");
    goto out;
  }
  rc = parity_lockout_record_failure(&st, now, &a->locked_now);
  if (rc)
    goto out;
  char failures[PARITY_I64_TEXT], last[PARITY_I64_TEXT], until[PARITY_I64_TEXT];
  parity_i64(st.failures, failures);
  parity_i64(st.last_failure, last);
  parity_i64(st.last_failure + PARITY_LOCKOUT_SECONDS, until);
  rc = PARITY_DB_EXEC(db, Q_AUTH_ATTEMPTS_SAVE, NULL, key, failures, last,
                      st.failures >= PARITY_LOCKOUT_MAX_FAILURES ? until : NULL);
out:
  PQclear(r);
  if (rc)
    return parity_db_rollback(db, rc);
  return parity_db_commit(db);
}

int parity__auth_attempt_clear(struct parity_db *db, const struct parity__auth_attempt *a)
{
  return PARITY_DB_EXEC(db, Q_AUTH_ATTEMPTS_CLEAR, NULL, a->key);
}

int parity__auth_attempt_refund(struct parity_db *db, const struct parity__auth_attempt *a)
{
  return PARITY_DB_EXEC(db, Q_AUTH_ATTEMPTS_REFUND, NULL, a->key);
}

int parity__auth_attempt_shed(struct parity_app *app, const struct parity__auth_attempt *a,
                              struct parity_svc_error *fail)
{
  struct parity_db *db = NULL;
  if (parity_db_pool_acquire(&app->pool, &db) == PARITY_OK) {
    if (parity__auth_attempt_refund(db, a) != PARITY_OK)
      parity_log(PARITY_LOG_WARN, "attempt_refund_failed", "{s:s}", "reason", "busy");
    parity_db_pool_release(&app->pool, db);
  }
  return parity__auth_busy(fail);
}

void parity__auth_attempt_failed(struct parity_app *app, const struct parity__auth_attempt *a, bool account_exists)
{
  if (!a->locked_now)
    return;
  parity_log(PARITY_LOG_WARN, "account_locked", "{s:b, s:i}", "account_exists", account_exists, "seconds",
             PARITY_LOCKOUT_SECONDS);
  if (account_exists)
    parity__auth_mail(app, "account_locked", a->key, "Your Parity account is locked for 15 minutes",
                      "Someone entered a wrong password or security code for your Parity account %d times in a "
                      "row, so signing in is blocked for the next 15 minutes.\n\n"
                      "If that was you, wait and try again. If it was not, nothing has been changed, but we "
                      "suggest you choose a new password:\n%s/forgot-password\n",
                      PARITY_LOCKOUT_MAX_FAILURES, app->cfg.public_base_url);
}

/* ------------------------------------------------------------------ second factor */

static bool six_digits(const char *code)
{
  if (strlen(code) != PARITY_TOTP_DIGITS)
    return false;
  for (const char *p = code; *p; p++)
    if (*p < '0' || *p > '9')
      return false;
  return true;
}

int parity__auth_second_factor(struct parity_app *app, struct parity_db *db, int64_t user_id, const char *code,
                               bool allow_recovery, int64_t now)
{
  char uid[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  PGresult *r = NULL, *w = NULL;
  int rc = PARITY_DB_EXEC(db, Q_AUTH_TOTP_GET, &r, uid);
  if (rc)
    return rc;
  if (PQntuples(r) == 0 || strcmp(PQgetvalue(r, 0, 1), "t") != 0) {
    rc = PARITY_ENOTFOUND;
    goto out;
  }
  if (six_digits(code)) {
    unsigned char secret[PARITY_SECRETBOX_MAX_PLAINTEXT];
    size_t secret_len = 0;
    int64_t step = 0;
    rc = parity_secretbox_open(&app->totp_box, user_id, PQgetvalue(r, 0, 0), secret, sizeof(secret), &secret_len);
    if (rc) {
      /* A secret that no longer opens means TOTP_ENC_KEY changed: an operator problem, not a wrong code. */
      parity_log(PARITY_LOG_ERROR, "totp_secret_unreadable", "{s:I}", "user_id", (json_int_t)user_id);
      rc = PARITY_EINTERNAL;
      goto out;
    }
    rc = parity_totp_verify(secret, secret_len, code, now, atoll(PQgetvalue(r, 0, 2)), &step);
    sodium_memzero(secret, sizeof(secret));
    /*
     * A right code whose step was accepted already is no guess: most often the loser of two requests
     * sent with one code (a double submit), which waited on the row lock above for the winner.
     */
    if (rc == PARITY_ECONFLICT)
      goto out;
    if (rc) {
      rc = PARITY_EAUTH; /* wrong or out of the window */
      goto out;
    }
    char step_text[PARITY_I64_TEXT];
    parity_i64(step, step_text);
    rc = PARITY_DB_EXEC(db, Q_AUTH_TOTP_USE_STEP, &w, uid, step_text);
    if (!rc && parity_db_affected(w) != 1)
      rc = PARITY_ECONFLICT;
    goto out;
  }
  if (!allow_recovery) {
    rc = PARITY_EAUTH;
    goto out;
  }
  char hash[PARITY_RECOVERY_HASH_HEXLEN + 1];
  if (parity_recovery_code_hash(user_id, code, hash) != PARITY_OK) {
    rc = PARITY_EAUTH;
    goto out;
  }
  rc = PARITY_DB_EXEC(db, Q_AUTH_RECOVERY_USE, &w, uid, hash);
  if (!rc && parity_db_affected(w) != 1)
    rc = PARITY_EAUTH;
  if (!rc)
    parity_log(PARITY_LOG_INFO, "recovery_code_used", "{s:I}", "user_id", (json_int_t)user_id);
out:
  PQclear(w);
  PQclear(r);
  return rc;
}

int parity__auth_code_used(struct parity_svc_error *fail)
{
  return parity_svc_fail(fail, PARITY_ECONFLICT, "CODE_ALREADY_USED", "%s",
                         "this code was just used (by another request?): wait for the next code from your app");
}

/* ------------------------------------------------------------------ sessions */

int parity__auth_revoke(struct parity_db *db, int stmt, int nparams, const char *const *params, long *total)
{
  for (int pass = 0; pass < PARITY_AUTH_REVOKE_PASSES; pass++) {
    PGresult *w = NULL;
    int rc = parity_db_exec(db, stmt, &w, nparams, params);
    if (rc)
      return rc;
    long n = parity_db_affected(w);
    PQclear(w);
    if (total)
      *total += n;
    if (n == 0)
      return PARITY_OK;
  }
  parity_log(PARITY_LOG_WARN, "revoke_passes_exhausted", "{s:i}", "passes", PARITY_AUTH_REVOKE_PASSES);
  return PARITY_OK;
}

int parity__auth_revoke_all(struct parity_db *db, int64_t user_id, const char *reason, const char *keep)
{
  char uid[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  const char *params[] = { uid, reason, keep };
  return parity__auth_revoke(db, Q_AUTH_USER_REVOKE_ALL, 3, params, NULL);
}

/* Only printable ASCII is kept from User-Agent: it is shown back to the user and must be valid text. */
static void clean_user_agent(const char *in, char out[PARITY_AUTH_USER_AGENT_MAX + 1])
{
  size_t n = 0;
  for (; in && *in && n < PARITY_AUTH_USER_AGENT_MAX; in++)
    out[n++] = (*in >= 0x20 && *in < 0x7f) ? *in : '?';
  out[n] = '\0';
}

/*
 * A new refresh token (a new family for a login, the same family and end for a rotation) and the
 * access token that goes with it, in the caller's transaction.
 */
static int issue_session(struct parity_app *app, struct parity_db *db, const struct parity_auth_client *client,
                         int64_t user_id, const char *family, const char *family_end, int64_t now,
                         struct parity_auth_login *out)
{
  char uid[PARITY_I64_TEXT], jti[PARITY_JWT_JTI_MAX + 1], hash[PARITY_TOKEN_HASH_HEXLEN + 1], ttl[PARITY_I64_TEXT];
  char agent[PARITY_AUTH_USER_AGENT_MAX + 1];
  parity_i64(user_id, uid);
  int rc = parity_jwt_issue(&app->jwt, user_id, now, out->access_token, sizeof(out->access_token), jti);
  if (!rc)
    rc = parity_token_new(out->refresh_token);
  if (!rc)
    rc = parity_token_hash(out->refresh_token, hash);
  if (rc)
    return rc;
  clean_user_agent(client->user_agent, agent);
  struct parity_ip ip;
  const char *ip_text =
      client->ip && parity_ip_parse(client->ip, strlen(client->ip), &ip) == PARITY_OK ? client->ip : NULL;
  parity_i64(PARITY_AUTH_FAMILY_TTL_SECONDS, ttl);
  PGresult *r = NULL;
  rc = PARITY_DB_EXEC(db, Q_AUTH_SESSION_INSERT, &r, uid, family, hash, family_end, ip_text, agent[0] ? agent : NULL,
                      jti, ttl);
  if (rc)
    return rc;
  long left = (long)(atoll(PQgetvalue(r, 0, 1)) - now);
  out->refresh_max_age = left < 1 ? 1 : left;
  /* A login (a new family, not a rotation) tells the investor, in the same transaction as the session. */
  if (!family)
    rc = PARITY_DB_EXEC(db, Q_NOTIF_SIGN_IN, NULL, uid, PQgetvalue(r, 0, 0), ip_text, agent[0] ? agent : NULL);
  PQclear(r);
  return rc;
}

/* ------------------------------------------------------------------ login */

struct login_user {
  bool found, verified, totp_on;
  int64_t id;
  char hash[PARITY_PASSWORD_HASH_MAX];
};

static int lookup_user(struct parity_db *db, const char *key, struct login_user *u)
{
  PGresult *r = NULL;
  memset(u, 0, sizeof(*u));
  int rc = PARITY_DB_EXEC(db, Q_AUTH_USER_BY_EMAIL, &r, key);
  if (rc)
    return rc;
  if (PQntuples(r) == 1) {
    u->found = true;
    u->id = atoll(PQgetvalue(r, 0, 0));
    snprintf(u->hash, sizeof(u->hash), "%s", PQgetvalue(r, 0, 1));
    u->verified = strcmp(PQgetvalue(r, 0, 2), "t") == 0;
    u->totp_on = strcmp(PQgetvalue(r, 0, 3), "t") == 0;
  }
  PQclear(r);
  return PARITY_OK;
}

/* Second half of a correct password: the mfa_token (2FA on) or the session. */
static int login_accepted(struct parity_app *app, struct parity_db *db, const struct parity_auth_client *client,
                          const struct login_user *u, const struct parity__auth_attempt *a, const char *new_hash,
                          int64_t now, struct parity_auth_login *out)
{
  char uid[PARITY_I64_TEXT], hash[PARITY_TOKEN_HASH_HEXLEN + 1], ttl[PARITY_I64_TEXT];
  parity_i64(u->id, uid);
  int rc = parity_db_begin(db);
  if (rc)
    return rc;
  if (new_hash)
    rc = PARITY_DB_EXEC(db, Q_AUTH_PASSWORD_SET, NULL, uid, new_hash, u->hash);
  if (!rc && u->totp_on) {
    /*
     * The streak goes on until the second factor: a right password gives back only the failure
     * counted for itself, never the earlier ones, or password + four code guesses could repeat forever.
     */
    rc = parity__auth_attempt_refund(db, a);
    out->mfa_required = true;
    parity_i64(PARITY_AUTH_MFA_TTL_SECONDS, ttl);
    if (!rc)
      rc = parity_token_new(out->mfa_token);
    if (!rc)
      rc = parity_token_hash(out->mfa_token, hash);
    if (!rc)
      rc = PARITY_DB_EXEC(db, Q_AUTH_TOKEN_RETIRE, NULL, uid, "mfa");
    if (!rc)
      rc = PARITY_DB_EXEC(db, Q_AUTH_TOKEN_INSERT, NULL, uid, "mfa", hash, ttl, NULL);
  } else if (!rc) {
    rc = parity__auth_attempt_clear(db, a);
    if (!rc)
      rc = issue_session(app, db, client, u->id, NULL, NULL, now, out);
  }
  if (rc)
    return parity_db_rollback(db, rc);
  return parity_db_commit(db);
}

int parity_svc_auth_login(struct parity_app *app, const struct parity_auth_client *client, const char *email,
                          const char *password, size_t password_len, struct parity_auth_login *out,
                          struct parity_svc_error *fail)
{
  char key[PARITY_EMAIL_MAX_BYTES + 1], new_hash[PARITY_PASSWORD_HASH_MAX];
  struct parity__auth_attempt attempt;
  struct login_user user;
  struct parity_db *db = NULL;
  memset(out, 0, sizeof(*out));
  if (parity_email_normalize(email, strlen(email), key, sizeof(key)) != PARITY_OK)
    return parity_svc_fail(fail, PARITY_EINVAL, "INVALID_EMAIL", "%s", "not an email address");
  int64_t now = (int64_t)time(NULL);

  int rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  /* The lock is checked, and this attempt counted, before any hashing. */
  rc = parity__auth_attempt_begin(db, key, now, &attempt, fail);
  if (!rc)
    rc = lookup_user(db, key, &user);
  parity_db_pool_release(&app->pool, db);
  if (rc)
    return rc;

  /* An unknown email costs the same argon2id verify as a known one with a wrong password. */
  bool rehash = false;
  int vrc = user.found ? parity_password_verify(user.hash, password, password_len, &rehash)
                       : parity_password_dummy_verify(password, password_len);
  if (vrc == PARITY_EUNAVAILABLE)
    return parity__auth_attempt_shed(app, &attempt, fail);
  if (vrc != PARITY_OK) {
    parity__auth_attempt_failed(app, &attempt, user.found);
    return parity_svc_fail(fail, PARITY_EAUTH, "INVALID_CREDENTIALS", "%s", "the email or the password is wrong");
  }
  if (!user.verified) {
    rc = parity_db_pool_acquire(&app->pool, &db);
    if (!rc) {
      rc = parity__auth_attempt_clear(db, &attempt);
      parity_db_pool_release(&app->pool, db);
    }
    return rc ? rc
              : parity_svc_fail(fail, PARITY_EFORBIDDEN, "EMAIL_NOT_VERIFIED", "%s",
                                "confirm your email address with the link we sent before logging in");
  }
  /* Parameters changed since this hash was made: store a hash at today's cost (outside any transaction). */
  bool have_new = rehash && parity_password_hash(password, password_len, new_hash) == PARITY_OK;

  rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  rc = login_accepted(app, db, client, &user, &attempt, have_new ? new_hash : NULL, now, out);
  parity_db_pool_release(&app->pool, db);
  sodium_memzero(user.hash, sizeof(user.hash));
  if (!rc)
    parity_log(PARITY_LOG_INFO, out->mfa_required ? "login_password_ok_mfa_required" : "login", "{s:I, s:s}", "user_id",
               (json_int_t)user.id, "ip", client->ip ? client->ip : "");
  return rc;
}

int parity_svc_auth_login_2fa(struct parity_app *app, const struct parity_auth_client *client, const char *mfa_token,
                              const char *code, struct parity_auth_login *out, struct parity_svc_error *fail)
{
  char hash[PARITY_TOKEN_HASH_HEXLEN + 1];
  memset(out, 0, sizeof(*out));
  if (parity_token_hash(mfa_token, hash) != PARITY_OK)
    return parity_svc_fail(fail, PARITY_EAUTH, "INVALID_MFA_TOKEN", "%s",
                           "the login step expired or is unknown: log in again");
  int64_t now = (int64_t)time(NULL);
  struct parity_db *db = NULL;
  int rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  PGresult *r = NULL, *w = NULL;
  struct parity__auth_attempt attempt;
  int64_t user_id = 0;
  rc = PARITY_DB_EXEC(db, Q_AUTH_TOKEN_PEEK, &r, hash, "mfa");
  if (rc)
    goto out;
  if (PQntuples(r) != 1) {
    rc = parity_svc_fail(fail, PARITY_EAUTH, "INVALID_MFA_TOKEN", "%s",
                         "the login step expired or is unknown: log in again");
    goto out;
  }
  user_id = atoll(PQgetvalue(r, 0, 0));
  /* The same streak as the password step, keyed by the account's email. */
  rc = parity__auth_attempt_begin(db, PQgetvalue(r, 0, 1), now, &attempt, fail);
  if (rc)
    goto out;
  rc = parity_db_begin(db);
  if (rc)
    goto out;
  rc = parity__auth_second_factor(app, db, user_id, code, true, now);
  if (rc == PARITY_EAUTH) {
    parity_db_rollback(db, rc);
    parity__auth_attempt_failed(app, &attempt, true);
    rc = parity_svc_fail(fail, PARITY_EAUTH, "INVALID_CODE", "%s", "the code is wrong, expired or already used");
    goto out;
  }
  if (rc == PARITY_ECONFLICT) {
    parity_db_rollback(db, rc);
    parity__auth_attempt_refund(db, &attempt);
    rc = parity__auth_code_used(fail);
    goto out;
  }
  if (rc == PARITY_ENOTFOUND)
    rc = parity_svc_fail(fail, PARITY_EAUTH, "INVALID_MFA_TOKEN", "%s",
                         "two-factor authentication is off: log in again");
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_AUTH_TOKEN_CONSUME, &w, hash, "mfa");
  if (!rc && PQntuples(w) != 1) /* a concurrent request completed this login first */
    rc = parity_svc_fail(fail, PARITY_EAUTH, "INVALID_MFA_TOKEN", "%s",
                         "the login step expired or is unknown: log in again");
  if (!rc)
    rc = parity__auth_attempt_clear(db, &attempt);
  if (!rc)
    rc = issue_session(app, db, client, user_id, NULL, NULL, now, out);
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  if (!rc)
    parity_log(PARITY_LOG_INFO, "login", "{s:I, s:s, s:b}", "user_id", (json_int_t)user_id, "ip",
               client->ip ? client->ip : "", "second_factor", 1);
out:
  PQclear(w);
  PQclear(r);
  parity_db_pool_release(&app->pool, db);
  return rc;
}

/* ------------------------------------------------------------------ refresh and logout */

int parity_svc_auth_refresh(struct parity_app *app, const struct parity_auth_client *client, const char *refresh_token,
                            struct parity_auth_login *out, struct parity_svc_error *fail)
{
  char hash[PARITY_TOKEN_HASH_HEXLEN + 1];
  memset(out, 0, sizeof(*out));
  if (!refresh_token || parity_token_hash(refresh_token, hash) != PARITY_OK)
    return parity_svc_fail(fail, PARITY_EAUTH, "INVALID_REFRESH_TOKEN", "%s", "no valid refresh token: log in again");
  int64_t now = (int64_t)time(NULL);
  struct parity_db *db = NULL;
  int rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  PGresult *r = NULL, *w = NULL;
  bool commit_anyway = false;
  rc = parity_db_begin(db);
  if (rc)
    goto release;
  /* FOR UPDATE: a second refresh with the same token waits here, then finds it used. */
  rc = PARITY_DB_EXEC(db, Q_AUTH_SESSION_BY_HASH, &r, hash);
  if (rc)
    goto out;
  if (PQntuples(r) != 1) {
    rc = parity_svc_fail(fail, PARITY_EAUTH, "INVALID_REFRESH_TOKEN", "%s", "no valid refresh token: log in again");
    goto out;
  }
  int64_t user_id = atoll(PQgetvalue(r, 0, 1));
  const char *family = PQgetvalue(r, 0, 2);
  if (strcmp(PQgetvalue(r, 0, 3), "t") == 0) {
    /* A used token came back: it was copied. Whoever holds its successor loses it too. */
    rc = parity__auth_revoke(db, Q_AUTH_FAMILY_REVOKE, 2, (const char *const[]){ family, "reuse" }, NULL);
    if (rc)
      goto out;
    commit_anyway = true;
    parity_log(PARITY_LOG_WARN, "refresh_token_reuse", "{s:I, s:s, s:s}", "user_id", (json_int_t)user_id, "family",
               family, "ip", client->ip ? client->ip : "");
    rc = parity_svc_fail(fail, PARITY_EAUTH, "REFRESH_TOKEN_REUSED", "%s",
                         "this refresh token was already used: every session of this login is ended, log in again");
    goto out;
  }
  if (strcmp(PQgetvalue(r, 0, 4), "t") == 0) {
    rc = parity_svc_fail(fail, PARITY_EAUTH, "SESSION_REVOKED", "%s", "this session was ended: log in again");
    goto out;
  }
  if (strcmp(PQgetvalue(r, 0, 6), "t") == 0) {
    rc = parity_svc_fail(fail, PARITY_EAUTH, "SESSION_EXPIRED", "%s",
                         "this session is older than 30 days: log in again");
    goto out;
  }
  rc = PARITY_DB_EXEC(db, Q_AUTH_SESSION_MARK_USED, &w, PQgetvalue(r, 0, 0));
  if (!rc && parity_db_affected(w) != 1)
    rc = PARITY_ECONFLICT; /* cannot happen under the row lock */
  if (!rc)
    rc = issue_session(app, db, client, user_id, family, PQgetvalue(r, 0, 5), now, out);
out:
  if (commit_anyway) {
    int crc = parity_db_commit(db);
    rc = crc ? crc : rc;
  } else {
    rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  }
release:
  PQclear(w);
  PQclear(r);
  parity_db_pool_release(&app->pool, db);
  return rc;
}

int parity_svc_auth_logout(struct parity_app *app, const char *refresh_token)
{
  char hash[PARITY_TOKEN_HASH_HEXLEN + 1];
  if (!refresh_token || parity_token_hash(refresh_token, hash) != PARITY_OK)
    return PARITY_OK;
  struct parity_db *db = NULL;
  int rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  PGresult *r = NULL;
  rc = parity_db_begin(db);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_AUTH_SESSION_BY_HASH, &r, hash);
  if (!rc && PQntuples(r) == 1)
    rc = parity__auth_revoke(db, Q_AUTH_FAMILY_REVOKE, 2, (const char *const[]){ PQgetvalue(r, 0, 2), "logout" }, NULL);
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  PQclear(r);
  parity_db_pool_release(&app->pool, db);
  return rc;
}

int parity_svc_auth_logout_all(struct parity_app *app, int64_t user_id)
{
  struct parity_db *db = NULL;
  int rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  /* In a transaction, rows already revoked stay locked until commit: a rotation of one waits, then fails. */
  rc = parity_db_begin(db);
  if (!rc)
    rc = parity__auth_revoke_all(db, user_id, "logout_all", NULL);
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  parity_db_pool_release(&app->pool, db);
  return rc;
}

int parity_svc_auth_session_live(struct parity_app *app, int64_t user_id, const char *jti)
{
  char uid[PARITY_I64_TEXT], touch[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  parity_i64(PARITY_AUTH_TOUCH_SECONDS, touch);
  struct parity_db *db = NULL;
  int rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  PGresult *r = NULL;
  rc = PARITY_DB_EXEC(db, Q_AUTH_SESSION_CHECK, &r, jti, uid, touch);
  if (!rc && PQntuples(r) != 1)
    rc = PARITY_EAUTH;
  if (!rc && strcmp(PQgetvalue(r, 0, 1), "t") == 0)
    rc = PARITY_DB_EXEC(db, Q_AUTH_SESSION_TOUCH, NULL, jti);
  PQclear(r);
  parity_db_pool_release(&app->pool, db);
  return rc;
}
