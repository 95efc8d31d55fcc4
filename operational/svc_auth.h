/* Account services: registration, verification, login with 2FA, refresh families, passwords. */
#ifndef PARITY_SVC_AUTH_H
#define PARITY_SVC_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/pg.h"
#include "operational/auth/jwt.h"
#include "operational/auth/lockout.h"
#include "operational/auth/token.h"
#include "operational/svc_error.h"

struct parity_app;

/*
 * Decisions SPEC §7/§10 leaves open (tests/integration/test_auth*.py prove each):
 * - A session is a refresh-token family (one login). The API's session id is the family_id; rows
 *   are per rotation. Every access token is tied to its row by jti (sessions.access_jti) and the
 *   gate accepts it only while that row is not revoked: logout, logout-all, revoking a session,
 *   a password change or reset and refresh-token reuse end the family's access tokens at once,
 *   not 10 minutes later. Cost: one indexed SELECT per authenticated request.
 * - Reuse is strict: a used refresh token presented again revokes the family, with no grace
 *   period. Two tabs refreshing at once with one token therefore end the session (the loser's
 *   request is indistinguishable from a replay); a client must serialise its refreshes.
 * - Lockout counts an attempt before its hash runs (and a right password clears the streak), so
 *   concurrent guesses cannot exceed 5; with 2FA on, a right password only gives back its own
 *   count and the streak ends at the second factor. Change-password and the 2FA routes (setup,
 *   enable, disable, new recovery codes) re-authenticate with the current password, counted against
 *   the same per-email lock: a stolen access token is no oracle and cannot change the second factor.
 * - Until its address is verified an account is a pending registration, and proving the mailbox
 *   is what makes it anyone's: each verification link carries the password hash of the
 *   registration that sent it, and opening it sets that password and drops whatever the
 *   unverified account gathered (2FA, recovery codes, sessions, its other links). Registering an
 *   unverified address again mails a new link and leaves earlier ones working (each for its own
 *   password); registering a verified one changes nothing and mails its owner a notice. The
 *   password is hashed before the lookup either way, and mail leaves through a queue, so the
 *   answer costs the same. An unverified account can neither log in nor set up 2FA.
 * - forgot-password answers no sooner than PARITY_AUTH_FORGOT_FLOOR_MS. A reset proves the mailbox,
 *   and the mailbox's owner must always get the account back: it also verifies the address, ends
 *   every session, turns 2FA off (secret and recovery codes; the owner is mailed when it was on)
 *   and clears the email's lockout.
 * - Wrong codes on authenticated 2FA routes are 403 INVALID_CODE (401 would read as "log in
 *   again" to a client); at login they are 401. A right TOTP code whose step was already accepted
 *   is 409 CODE_ALREADY_USED everywhere and is not counted: two requests sent with one code (a
 *   double submit) run one after the other on the totp row lock, and the second must not push its
 *   owner toward a lockout.
 */

/* Lifetimes (SPEC §10). */
#define PARITY_AUTH_VERIFY_TTL_SECONDS (24 * 3600)      /* email verification link */
#define PARITY_AUTH_RESET_TTL_SECONDS (15 * 60)         /* password reset link */
#define PARITY_AUTH_MFA_TTL_SECONDS (5 * 60)            /* mfa_token between password and code */
#define PARITY_AUTH_FAMILY_TTL_SECONDS (30 * 24 * 3600) /* a login's refresh family, whatever the rotation */
/*
 * forgot-password never answers sooner than this after the request arrived: the work differs
 * (a token is written only for a real account), the answer time must not. Mail goes through a
 * queue, so its delivery time is outside the answer either way.
 */
#define PARITY_AUTH_FORGOT_FLOOR_MS 300
/*
 * Registration and forgot-password send at most this many mails (verification links, "already
 * registered" notices, reset links) to one address per window, whatever the client's IP; beyond it the
 * answer stays the same and nothing is sent. Counted in PostgreSQL (mail_quota), so replicas share it.
 */
#define PARITY_AUTH_MAIL_QUOTA 3
#define PARITY_AUTH_MAIL_QUOTA_SECONDS 3600
/* A session's last use is written at most this often by the gate (one UPDATE a minute, not per request). */
#define PARITY_AUTH_TOUCH_SECONDS 60
/* User-Agent kept with a session: printable ASCII only, at most this many bytes. */
#define PARITY_AUTH_USER_AGENT_MAX 256
/* GET /me/sessions lists at most this many sessions. */
#define PARITY_AUTH_SESSIONS_MAX 100
/* Longest Turnstile response token accepted (Cloudflare documents 2048 characters). */
#define PARITY_AUTH_TURNSTILE_TOKEN_MAX 2048
/* Turnstile siteverify: whole-request timeout, and the largest answer read. */
#define PARITY_AUTH_TURNSTILE_TIMEOUT_MS 10000
#define PARITY_AUTH_TURNSTILE_ANSWER_MAX 16384

/* Longest PUBLIC_BASE_URL used in email links (longer values are cut, and the links break: keep it short). */
#define PARITY_AUTH_BASE_URL_MAX 512

/* Who is asking (for the session list): the client IP after TRUSTED_PROXIES, the User-Agent. */
struct parity_auth_client {
  const char *ip;         /* text address or NULL */
  const char *user_agent; /* raw header or NULL */
};

/* A completed login, 2FA step or refresh; or, with mfa_required, the first half of a 2FA login. */
struct parity_auth_login {
  bool mfa_required;
  char mfa_token[PARITY_TOKEN_STRLEN + 1];
  char access_token[PARITY_JWT_ISSUED_MAX];
  char refresh_token[PARITY_TOKEN_STRLEN + 1];
  long refresh_max_age; /* seconds left in the family: the cookie's Max-Age */
};

/*
 * Every service below takes its database connections from app->pool itself: a login holds none
 * while argon2id runs (up to seconds in the hash gate's queue), so logins cannot starve the pool.
 * They return PARITY_OK or a negative code with *fail saying what to answer.
 */

/* POST /auth/register. The same PARITY_OK whether or not the email has an account (a mail goes out either way). */
int parity_svc_auth_register(struct parity_app *app, const char *email, const char *password, size_t password_len,
                             struct parity_svc_error *fail);
/* POST /auth/verify-email: PARITY_EINVAL for an unknown, used or expired token. */
int parity_svc_auth_verify_email(struct parity_app *app, const char *token, struct parity_svc_error *fail);
/* POST /auth/login: PARITY_EAUTH (wrong email or password, uniform), PARITY_ERATE (locked), PARITY_EFORBIDDEN (unverified). */
int parity_svc_auth_login(struct parity_app *app, const struct parity_auth_client *client, const char *email,
                          const char *password, size_t password_len, struct parity_auth_login *out,
                          struct parity_svc_error *fail);
/* POST /auth/login/2fa: a TOTP or recovery code completes the login begun with mfa_token. */
int parity_svc_auth_login_2fa(struct parity_app *app, const struct parity_auth_client *client, const char *mfa_token,
                              const char *code, struct parity_auth_login *out, struct parity_svc_error *fail);
/* POST /auth/refresh: rotation; reuse of a used token revokes its family. */
int parity_svc_auth_refresh(struct parity_app *app, const struct parity_auth_client *client, const char *refresh_token,
                            struct parity_auth_login *out, struct parity_svc_error *fail);
/* POST /auth/logout: ends the family of the refresh token (NULL or unknown: nothing to do, PARITY_OK). */
int parity_svc_auth_logout(struct parity_app *app, const char *refresh_token);
/* POST /auth/logout-all: ends every session of the user. */
int parity_svc_auth_logout_all(struct parity_app *app, int64_t user_id);
/* POST /auth/forgot-password: PARITY_OK whatever the email (a link goes out only to a real account). */
int parity_svc_auth_forgot(struct parity_app *app, const char *email, struct parity_svc_error *fail);
/* POST /auth/reset-password: new password, every session ended. */
int parity_svc_auth_reset(struct parity_app *app, const char *token, const char *password, size_t password_len,
                          struct parity_svc_error *fail);
/* POST /auth/change-password: needs the current password; ends every other session. */
int parity_svc_auth_change_password(struct parity_app *app, int64_t user_id, const char *jti, const char *current,
                                    size_t current_len, const char *password, size_t password_len,
                                    struct parity_svc_error *fail);
/*
 * Cloudflare Turnstile siteverify for register, login and forgot-password. PARITY_OK when
 * TURNSTILE_SECRET is empty (dev) or the token is accepted; PARITY_EINVAL (missing or refused
 * token) or PARITY_EUNAVAILABLE (siteverify unreachable: fail closed).
 */
int parity_svc_auth_turnstile(struct parity_app *app, const char *token, const char *client_ip,
                              struct parity_svc_error *fail);
/*
 * The gate's check of a verified access token: its session (jti) must be live (not revoked, not
 * past the family's end). Touches last_used_at at most every PARITY_AUTH_TOUCH_SECONDS.
 * PARITY_OK, PARITY_EAUTH or PARITY_EDB.
 */
int parity_svc_auth_session_live(struct parity_app *app, int64_t user_id, const char *jti);

/* ------------------------------------------------------------------ shared with svc_account.c */

/* One attempt at a secret (password or second factor) counted against an email's lockout. */
struct parity__auth_attempt {
  char key[PARITY_EMAIL_MAX_BYTES + 1];
  bool locked_now; /* this attempt's failure is the one that locks: the owner gets an email */
};

/*
 * Before checking a secret: refuses with PARITY_ERATE (and fail->retry_after) while `key` is
 * locked; otherwise counts this attempt as a failure in advance, in its own short transaction, so
 * concurrent attempts can never get more than PARITY_LOCKOUT_MAX_FAILURES guesses past the check.
 */
int parity__auth_attempt_begin(struct parity_db *db, const char *key, int64_t now, struct parity__auth_attempt *a,
                               struct parity_svc_error *fail);
/* The secret was right: the streak ends. */
int parity__auth_attempt_clear(struct parity_db *db, const struct parity__auth_attempt *a);
/*
 * This attempt was no guess after all (the hash gate shed it, or it lost a race for a code that was
 * right): the failure counted for it in advance is given back, and nothing more.
 */
int parity__auth_attempt_refund(struct parity_db *db, const struct parity__auth_attempt *a);
/* parity__auth_busy() for an attempt already counted: the count is given back first (no guess was checked). */
int parity__auth_attempt_shed(struct parity_app *app, const struct parity__auth_attempt *a,
                              struct parity_svc_error *fail);
/* The secret was wrong: nothing more to count; mails the owner (when there is one) if this attempt locked. */
void parity__auth_attempt_failed(struct parity_app *app, const struct parity__auth_attempt *a, bool account_exists);

/*
 * Checks a second factor for user_id inside the caller's transaction: 6 digits are a TOTP code
 * (its step stored so it is never accepted again), anything else a recovery code when
 * allow_recovery (marked used). PARITY_OK, PARITY_EAUTH (wrong, expired, or a used recovery code),
 * PARITY_ECONFLICT (a right TOTP code whose step was accepted already: the loser of a race between
 * two requests with one code, or a replay; it guesses nothing, so callers do not count it toward the
 * lockout), PARITY_ENOTFOUND (2FA is not on), PARITY_EDB.
 */
int parity__auth_second_factor(struct parity_app *app, struct parity_db *db, int64_t user_id, const char *code,
                               bool allow_recovery, int64_t now);

/*
 * Turns 2FA off for uid in the caller's transaction: the TOTP secret (pending or enabled) and every
 * recovery code go. *was_enabled (may be NULL): 2FA was on, so its owner is told.
 */
int parity__auth_drop_second_factor(struct parity_db *db, const char *uid, bool *was_enabled);

/* The answer to PARITY_ECONFLICT from parity__auth_second_factor(): 409 CODE_ALREADY_USED. */
int parity__auth_code_used(struct parity_svc_error *fail);

/*
 * Runs a revoking UPDATE (Q_AUTH_FAMILY_REVOKE, _OWNED or Q_AUTH_USER_REVOKE_ALL) until it touches no
 * more rows, adding the rows it revoked to *total (may be NULL). Why more than once: a rotation that
 * had locked its row before the UPDATE began inserts its successor row after the UPDATE's snapshot, so
 * one pass would leave that new token alive; the UPDATE waited for that rotation to commit, so the
 * next pass sees the successor. At most PARITY_AUTH_REVOKE_PASSES passes.
 */
#define PARITY_AUTH_REVOKE_PASSES 8
int parity__auth_revoke(struct parity_db *db, int stmt, int nparams, const char *const *params, long *total);
/* Ends every session of user_id except the family `keep` (NULL: all), with a reason for the rows. */
int parity__auth_revoke_all(struct parity_db *db, int64_t user_id, const char *reason, const char *keep);

/*
 * The hash gate said no (PARITY_EUNAVAILABLE: both argon2id slots stayed busy for
 * PASSWORD_GATE_TIMEOUT_MS). That is load shedding, not a failure: 503 BUSY with Retry-After, which
 * goes out through fail->retry_after exactly as a lockout's 429 does. Returns PARITY_EUNAVAILABLE.
 */
#define PARITY_AUTH_BUSY_RETRY_SECONDS 1
int parity__auth_busy(struct parity_svc_error *fail);

/* Queues a plain-text email (logged, never failing the request: a lost mail is logged and re-asked for). */
void parity__auth_mail(struct parity_app *app, const char *kind, const char *to, const char *subject, const char *fmt,
                       ...) __attribute__((format(printf, 5, 6)));

#endif
