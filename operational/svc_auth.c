/* Registration, email verification and passwords (forgot, reset, change); the mail the account routes send. */
#include "operational/svc_auth.h"

#include <libpq-fe.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/errors.h"
#include "common/log.h"
#include "operational/app.h"
#include "operational/auth/password.h"
#include "operational/mail.h"
#include "operational/queries.h"

int parity__auth_busy(struct parity_svc_error *fail)
{
  fail->retry_after = PARITY_AUTH_BUSY_RETRY_SECONDS;
  return parity_svc_fail(fail, PARITY_EUNAVAILABLE, "BUSY", "%s", "too many requests at once: retry in a second");
}

void parity__auth_mail(struct parity_app *app, const char *kind, const char *to, const char *subject, const char *fmt,
                       ...)
{
  char body[PARITY_MAIL_BODY_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(body, sizeof(body), fmt, ap);
  va_end(ap);
  int rc = app->mail ? parity_mail_enqueue(app->mail, kind, to, subject, body) : PARITY_EUNAVAILABLE;
  sodium_memzero(body, sizeof(body)); /* it may hold a token */
  if (rc)
    parity_log(PARITY_LOG_ERROR, "mail_not_queued", "{s:s, s:s}", "kind", kind, "error", parity_err_str(rc));
}

/* PUBLIC_BASE_URL without a trailing slash, so links never hold "//". */
static void base_url(const struct parity_app *app, char *out, size_t cap)
{
  snprintf(out, cap, "%s", app->cfg.public_base_url ? app->cfg.public_base_url : "");
  size_t n = strlen(out);
  while (n > 0 && out[n - 1] == '/')
    out[--n] = '\0';
}

/*
 * The address an account is registered under, or a reset is mailed to: normalised, and one the mailer
 * can send to (an address it would refuse could never receive its verification link, and some of them,
 * such as "<a@b>" or "a,b@c", would even reach someone else).
 */
static int mailable_email(const char *email, char key[PARITY_EMAIL_MAX_BYTES + 1], struct parity_svc_error *fail)
{
  if (parity_email_normalize(email, strlen(email), key, PARITY_EMAIL_MAX_BYTES + 1) != PARITY_OK)
    return parity_svc_fail(fail, PARITY_EINVAL, "INVALID_EMAIL", "%s", "not an email address");
  if (!parity_mail_address_ok(key))
    return parity_svc_fail(fail, PARITY_EINVAL, "INVALID_EMAIL", "%s",
                           "this address cannot receive our mail: it may not contain spaces, control characters or any "
                           "of < > ( ) [ ] \\ , ; : \"");
  return PARITY_OK;
}

static int weak_password(struct parity_svc_error *fail, enum parity_password_problem problem)
{
  switch (problem) {
  case PARITY_PASSWORD_TOO_SHORT:
    return parity_svc_fail(fail, PARITY_EINVAL, "PASSWORD_TOO_SHORT", "%s",
                           "the password needs at least 10 characters");
  case PARITY_PASSWORD_TOO_LONG:
    return parity_svc_fail(fail, PARITY_EINVAL, "PASSWORD_TOO_LONG", "%s",
                           "the password may have at most 128 characters");
  case PARITY_PASSWORD_TOO_WEAK:
    return parity_svc_fail(fail, PARITY_EINVAL, "PASSWORD_TOO_WEAK", "%s",
                           "the password is too easy to guess: use a longer phrase of unrelated words");
  case PARITY_PASSWORD_INVALID_TEXT:
  case PARITY_PASSWORD_FINE:
    break;
  }
  return parity_svc_fail(fail, PARITY_EINVAL, "PASSWORD_INVALID", "%s",
                         "the password must be UTF-8 text without NUL characters");
}

/*
 * A new single-use token of `type` for uid, in the caller's transaction. password_hash: the hash a
 * verification link activates (NULL for other types). retire_older: only the newest link of the kind
 * works (reset); verification links stay independent, each bound to its own registration.
 */
static int new_action_token(struct parity_db *db, const char *uid, const char *type, int ttl_seconds,
                            const char *password_hash, bool retire_older, char token[PARITY_TOKEN_STRLEN + 1])
{
  char hash[PARITY_TOKEN_HASH_HEXLEN + 1], ttl[PARITY_I64_TEXT];
  parity_i64(ttl_seconds, ttl);
  int rc = parity_token_new(token);
  if (!rc)
    rc = parity_token_hash(token, hash);
  if (!rc && retire_older)
    rc = PARITY_DB_EXEC(db, Q_AUTH_TOKEN_RETIRE, NULL, uid, type);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_AUTH_TOKEN_INSERT, NULL, uid, type, hash, ttl, password_hash);
  return rc;
}

/*
 * One more mail from registration or forgot-password to `key`, in the caller's transaction: *allowed
 * turns false once PARITY_AUTH_MAIL_QUOTA went out within PARITY_AUTH_MAIL_QUOTA_SECONDS, whoever asks
 * from wherever. The answer never says so: it would tell whether the address has an account.
 */
static int mail_quota_take(struct parity_db *db, const char *key, const char *kind, bool *allowed)
{
  char quota[PARITY_I64_TEXT], window[PARITY_I64_TEXT];
  parity_i64(PARITY_AUTH_MAIL_QUOTA, quota);
  parity_i64(PARITY_AUTH_MAIL_QUOTA_SECONDS, window);
  PGresult *r = NULL;
  int rc = PARITY_DB_EXEC(db, Q_AUTH_MAIL_QUOTA_TAKE, &r, key, quota, window);
  *allowed = !rc && PQntuples(r) == 1;
  PQclear(r);
  if (!rc && !*allowed)
    parity_log(PARITY_LOG_WARN, "mail_quota_reached", "{s:s, s:i}", "kind", kind, "per_hour", PARITY_AUTH_MAIL_QUOTA);
  return rc;
}

int parity__auth_drop_second_factor(struct parity_db *db, const char *uid, bool *was_enabled)
{
  PGresult *r = NULL;
  int rc = PARITY_DB_EXEC(db, Q_AUTH_TOTP_DELETE, &r, uid);
  if (!rc && was_enabled)
    *was_enabled = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
  PQclear(r);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_AUTH_RECOVERY_DELETE_ALL, NULL, uid);
  return rc;
}

/* ------------------------------------------------------------------ register and verify */

int parity_svc_auth_register(struct parity_app *app, const char *email, const char *password, size_t password_len,
                             struct parity_svc_error *fail)
{
  char key[PARITY_EMAIL_MAX_BYTES + 1], hash[PARITY_PASSWORD_HASH_MAX], uid[PARITY_I64_TEXT],
      token[PARITY_TOKEN_STRLEN + 1];
  char base[PARITY_AUTH_BASE_URL_MAX];
  enum parity_password_problem problem;
  int rc = mailable_email(email, key, fail);
  if (rc)
    return rc;
  if (parity_password_check(password, password_len, key, &problem, NULL) != PARITY_OK)
    return weak_password(fail, problem);
  /* Hashed before the lookup: a new and an existing email cost the same argon2id. */
  rc = parity_password_hash(password, password_len, hash);
  if (rc == PARITY_EUNAVAILABLE)
    return parity__auth_busy(fail);
  if (rc)
    return rc;

  struct parity_db *db = NULL;
  rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  PGresult *r = NULL;
  bool created = false, verified = false, mail = false;
  token[0] = '\0';
  rc = parity_db_begin(db);
  if (rc)
    goto release;
  rc = PARITY_DB_EXEC(db, Q_AUTH_USER_INSERT, &r, key, hash);
  if (rc)
    goto out;
  created = PQntuples(r) == 1;
  if (created) {
    snprintf(uid, sizeof(uid), "%s", PQgetvalue(r, 0, 0));
  } else {
    PQclear(r);
    rc = PARITY_DB_EXEC(db, Q_AUTH_USER_BY_EMAIL, &r, key);
    if (rc)
      goto out;
    if (PQntuples(r) != 1) { /* deleted between the two statements: as if it never existed */
      rc = parity_svc_fail(fail, PARITY_ECONFLICT, "RETRY", "%s", "please try again");
      goto out;
    }
    snprintf(uid, sizeof(uid), "%s", PQgetvalue(r, 0, 0));
    verified = strcmp(PQgetvalue(r, 0, 2), "t") == 0;
  }
  /*
   * One more mail to the address (unless it had its quota this hour). Unverified, the account is only
   * a pending registration: the link carries this registration's password and activates it, whoever
   * registered the address before or after. Earlier links keep working (each for its own password), so
   * a later registration cannot disarm the owner's link.
   */
  rc = mail_quota_take(db, key, verified ? "already_registered" : "verify_email", &mail);
  if (!rc && mail && !verified)
    rc = new_action_token(db, uid, "verify_email", PARITY_AUTH_VERIFY_TTL_SECONDS, hash, false, token);
out:
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
release:
  PQclear(r);
  parity_db_pool_release(&app->pool, db);
  sodium_memzero(hash, sizeof(hash));
  if (rc)
    return rc;

  base_url(app, base, sizeof(base));
  /* Over the address's quota nothing is sent, and the answer is the same. */
  if (mail && !verified)
    parity__auth_mail(app, "verify_email", key, "Confirm your email address for Parity",
                      "Welcome to Parity.\n\nTo confirm that this address is yours, open this link within 24 "
                      "hours (it works once):\n%s/verify-email?token=%s\n\n"
                      "Opening it activates the account with the password chosen when this link was asked "
                      "for.\nIf you did not sign up for Parity, ignore this message: nothing happens without "
                      "the link.\n",
                      base, token);
  else if (mail)
    parity__auth_mail(app, "already_registered", key, "Your Parity account",
                      "Someone tried to create a Parity account with this address, which already has one.\n\n"
                      "If that was you, log in: %s/login\nForgot your password? %s/forgot-password\n\n"
                      "If it was not you, you can ignore this message: your account has not changed.\n",
                      base, base);
  sodium_memzero(token, sizeof(token));
  parity_log(PARITY_LOG_INFO, "register", "{s:b}", "new_account", created);
  return PARITY_OK;
}

int parity_svc_auth_verify_email(struct parity_app *app, const char *token, struct parity_svc_error *fail)
{
  char hash[PARITY_TOKEN_HASH_HEXLEN + 1], uid[PARITY_I64_TEXT] = "";
  if (parity_token_hash(token, hash) != PARITY_OK)
    return parity_svc_fail(fail, PARITY_EINVAL, "INVALID_TOKEN", "%s", "this link is unknown, already used or expired");
  struct parity_db *db = NULL;
  int rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  PGresult *r = NULL, *u = NULL;
  rc = parity_db_begin(db);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_AUTH_VERIFY_CONSUME, &r, hash);
  if (!rc && PQntuples(r) != 1)
    rc = parity_svc_fail(fail, PARITY_EINVAL, "INVALID_TOKEN", "%s", "this link is unknown, already used or expired");
  if (!rc) {
    snprintf(uid, sizeof(uid), "%s", PQgetvalue(r, 0, 0));
    /* The password of the registration whose link this is, whatever the account held until now. */
    rc = PARITY_DB_EXEC(db, Q_AUTH_USER_ACTIVATE, &u, uid, PQgetvalue(r, 0, 1));
  }
  /* Verified meanwhile (another of its links, or a reset): the owner has chosen; this link changes nothing. */
  if (!rc && PQntuples(u) != 1)
    rc = parity_svc_fail(fail, PARITY_EINVAL, "INVALID_TOKEN", "%s", "this link is unknown, already used or expired");
  /*
   * Until now anyone could have registered this address: whatever the unverified account gathered
   * (2FA, recovery codes, sessions, other pending links, a login half done) was not the owner's.
   */
  if (!rc)
    rc = parity__auth_drop_second_factor(db, uid, NULL);
  if (!rc)
    rc = parity__auth_revoke_all(db, atoll(uid), "email_verified", NULL);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_AUTH_TOKEN_RETIRE, NULL, uid, "verify_email");
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_AUTH_TOKEN_RETIRE, NULL, uid, "mfa");
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  if (!rc)
    parity_log(PARITY_LOG_INFO, "email_verified", "{s:s}", "user_id", uid);
  PQclear(u);
  PQclear(r);
  parity_db_pool_release(&app->pool, db);
  return rc;
}

/* ------------------------------------------------------------------ forgot and reset */

static void sleep_until(const struct timespec *start, long floor_ms)
{
  struct timespec until = *start;
  until.tv_sec += floor_ms / 1000;
  until.tv_nsec += (floor_ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) != 0)
    ;
}

int parity_svc_auth_forgot(struct parity_app *app, const char *email, struct parity_svc_error *fail)
{
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  char key[PARITY_EMAIL_MAX_BYTES + 1], token[PARITY_TOKEN_STRLEN + 1], uid[PARITY_I64_TEXT],
      base[PARITY_AUTH_BASE_URL_MAX];
  /* Refused from the text alone, before any lookup: the answer says nothing about accounts. */
  int rc = mailable_email(email, key, fail);
  if (rc)
    return rc;
  struct parity_db *db = NULL;
  rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  PGresult *r = NULL;
  bool mail = false;
  rc = PARITY_DB_EXEC(db, Q_AUTH_USER_BY_EMAIL, &r, key);
  if (!rc && PQntuples(r) == 1) {
    snprintf(uid, sizeof(uid), "%s", PQgetvalue(r, 0, 0));
    rc = parity_db_begin(db);
    if (!rc)
      rc = mail_quota_take(db, key, "reset_password", &mail);
    /* Over the quota no new link either: the last one mailed stays the one that works. */
    if (!rc && mail)
      rc = new_action_token(db, uid, "reset_password", PARITY_AUTH_RESET_TTL_SECONDS, NULL, true, token);
    rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  }
  PQclear(r);
  parity_db_pool_release(&app->pool, db);
  if (!rc && mail) {
    base_url(app, base, sizeof(base));
    parity__auth_mail(app, "reset_password", key, "Reset your Parity password",
                      "Someone asked to reset the password of your Parity account.\n\n"
                      "To choose a new password, open this link within 15 minutes (it works once):\n"
                      "%s/reset-password?token=%s\n\n"
                      "If you did not ask, ignore this message: your password stays as it is.\n",
                      base, token);
    sodium_memzero(token, sizeof(token));
  }
  /* Levelled: a real account's extra statements and an unknown email answer at the same moment. */
  sleep_until(&start, PARITY_AUTH_FORGOT_FLOOR_MS);
  return rc;
}

int parity_svc_auth_reset(struct parity_app *app, const char *token, const char *password, size_t password_len,
                          struct parity_svc_error *fail)
{
  char token_hash[PARITY_TOKEN_HASH_HEXLEN + 1], email[PARITY_EMAIL_MAX_BYTES + 1], uid[PARITY_I64_TEXT];
  char hash[PARITY_PASSWORD_HASH_MAX];
  enum parity_password_problem problem;
  bool two_factor_was_on = false;
  if (parity_token_hash(token, token_hash) != PARITY_OK)
    return parity_svc_fail(fail, PARITY_EINVAL, "INVALID_TOKEN", "%s", "this link is unknown, already used or expired");
  struct parity_db *db = NULL;
  int rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  PGresult *r = NULL;
  rc = PARITY_DB_EXEC(db, Q_AUTH_TOKEN_PEEK, &r, token_hash, "reset_password");
  if (!rc && PQntuples(r) != 1)
    rc = parity_svc_fail(fail, PARITY_EINVAL, "INVALID_TOKEN", "%s", "this link is unknown, already used or expired");
  if (!rc) {
    snprintf(uid, sizeof(uid), "%s", PQgetvalue(r, 0, 0));
    snprintf(email, sizeof(email), "%s", PQgetvalue(r, 0, 1));
  }
  PQclear(r);
  r = NULL;
  parity_db_pool_release(&app->pool, db);
  if (rc)
    return rc;
  /* The token is only peeked at so far: a weak password leaves the link usable for a better one. */
  if (parity_password_check(password, password_len, email, &problem, NULL) != PARITY_OK)
    return weak_password(fail, problem);
  rc = parity_password_hash(password, password_len, hash);
  if (rc == PARITY_EUNAVAILABLE)
    return parity__auth_busy(fail);
  if (rc)
    return rc;

  rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  rc = parity_db_begin(db);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_AUTH_TOKEN_CONSUME, &r, token_hash, "reset_password");
  if (!rc && PQntuples(r) != 1)
    rc = parity_svc_fail(fail, PARITY_EINVAL, "INVALID_TOKEN", "%s", "this link is unknown, already used or expired");
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_AUTH_PASSWORD_RESET, NULL, uid, hash);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_AUTH_TOKEN_RETIRE, NULL, uid, "reset_password");
  /* The reset verified the address too: pending registrations' links have nothing left to activate. */
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_AUTH_TOKEN_RETIRE, NULL, uid, "verify_email");
  if (!rc)
    rc = parity__auth_revoke_all(db, atoll(uid), "password_reset", NULL);
  /*
   * Whoever holds the mailbox is the owner: a second factor someone else enrolled (with a stolen
   * password or session) must not keep the owner out, so 2FA goes with the old password, and a
   * login half done with that password goes too.
   */
  if (!rc)
    rc = parity__auth_drop_second_factor(db, uid, &two_factor_was_on);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_AUTH_TOKEN_RETIRE, NULL, uid, "mfa");
  /* For the same reason, a lock from someone else's guesses ends too. */
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_AUTH_ATTEMPTS_CLEAR, NULL, email);
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  PQclear(r);
  parity_db_pool_release(&app->pool, db);
  sodium_memzero(hash, sizeof(hash));
  if (rc)
    return rc;
  parity_log(PARITY_LOG_INFO, "password_reset", "{s:s, s:b}", "user_id", uid, "two_factor_removed", two_factor_was_on);
  char base[PARITY_AUTH_BASE_URL_MAX];
  base_url(app, base, sizeof(base));
  parity__auth_mail(app, "password_changed", email, "Your Parity password was changed",
                    "The password of your Parity account was just reset with a link sent to this address, and "
                    "every device was signed out.\n\nIf you did not do this, reset your password again at "
                    "%s/forgot-password and check your email account's security.\n",
                    base);
  if (two_factor_was_on)
    parity__auth_mail(app, "two_factor_removed", email, "Two-factor authentication is off for Parity",
                      "Two-factor authentication was turned off for your Parity account, and its recovery codes "
                      "were deleted, because the password was reset with a link sent to this address.\n\n"
                      "Turn it on again on your account page: %s/account\n\n"
                      "If you did not reset your password, reset it again at %s/forgot-password and check your "
                      "email account's security.\n",
                      base, base);
  return PARITY_OK;
}

/* ------------------------------------------------------------------ change */

int parity_svc_auth_change_password(struct parity_app *app, int64_t user_id, const char *jti, const char *current,
                                    size_t current_len, const char *password, size_t password_len,
                                    struct parity_svc_error *fail)
{
  char uid[PARITY_I64_TEXT], email[PARITY_EMAIL_MAX_BYTES + 1], old_hash[PARITY_PASSWORD_HASH_MAX];
  char new_hash[PARITY_PASSWORD_HASH_MAX], family[64], touch[PARITY_I64_TEXT];
  enum parity_password_problem problem;
  struct parity__auth_attempt attempt;
  parity_i64(user_id, uid);
  parity_i64(PARITY_AUTH_TOUCH_SECONDS, touch);
  int64_t now = (int64_t)time(NULL);

  struct parity_db *db = NULL;
  int rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  PGresult *r = NULL, *s = NULL;
  rc = PARITY_DB_EXEC(db, Q_AUTH_USER_BY_ID, &r, uid);
  if (!rc && PQntuples(r) != 1)
    rc = PARITY_EAUTH;
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_AUTH_SESSION_CHECK, &s, jti, uid, touch);
  if (!rc && PQntuples(s) != 1)
    rc = PARITY_EAUTH;
  if (!rc) {
    snprintf(email, sizeof(email), "%s", PQgetvalue(r, 0, 0));
    snprintf(old_hash, sizeof(old_hash), "%s", PQgetvalue(r, 0, 1));
    snprintf(family, sizeof(family), "%s", PQgetvalue(s, 0, 0));
  }
  PQclear(r);
  PQclear(s);
  if (!rc && parity_password_check(password, password_len, email, &problem, NULL) != PARITY_OK)
    rc = weak_password(fail, problem);
  /* A stolen access token must not become an oracle for the password: the same lockout as login. */
  if (!rc)
    rc = parity__auth_attempt_begin(db, email, now, &attempt, fail);
  parity_db_pool_release(&app->pool, db);
  if (rc)
    return rc;

  rc = parity_password_verify(old_hash, current, current_len, NULL);
  if (rc == PARITY_EUNAVAILABLE)
    return parity__auth_attempt_shed(app, &attempt, fail);
  if (rc) {
    parity__auth_attempt_failed(app, &attempt, true);
    return parity_svc_fail(fail, PARITY_EFORBIDDEN, "WRONG_PASSWORD", "%s", "the current password is wrong");
  }
  rc = parity_password_hash(password, password_len, new_hash);
  if (rc == PARITY_EUNAVAILABLE)
    return parity__auth_attempt_shed(app, &attempt, fail);
  if (rc)
    return rc;

  rc = parity_db_pool_acquire(&app->pool, &db);
  if (rc)
    return rc;
  PGresult *w = NULL;
  rc = parity_db_begin(db);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_AUTH_PASSWORD_SET, &w, uid, new_hash, old_hash);
  if (!rc && parity_db_affected(w) != 1)
    rc = parity_svc_fail(fail, PARITY_ECONFLICT, "PASSWORD_CHANGED_MEANWHILE", "%s",
                         "the password was changed meanwhile: try again");
  if (!rc)
    rc = parity__auth_revoke_all(db, user_id, "password_changed", family);
  if (!rc)
    rc = parity__auth_attempt_clear(db, &attempt);
  rc = rc ? parity_db_rollback(db, rc) : parity_db_commit(db);
  PQclear(w);
  parity_db_pool_release(&app->pool, db);
  sodium_memzero(old_hash, sizeof(old_hash));
  sodium_memzero(new_hash, sizeof(new_hash));
  if (rc)
    return rc;
  parity_log(PARITY_LOG_INFO, "password_changed", "{s:I}", "user_id", (json_int_t)user_id);
  parity__auth_mail(app, "password_changed", email, "Your Parity password was changed",
                    "The password of your Parity account was just changed, and every other device was signed "
                    "out.\n\nIf you did not do this, reset your password at %s/forgot-password now.\n",
                    app->cfg.public_base_url);
  return PARITY_OK;
}
