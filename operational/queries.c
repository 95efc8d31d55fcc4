/* Every SQL statement parity-operational runs, named once, with the function that calls it. */
#include "operational/queries.h"

/* Each entry's SQL is laid out to be read as SQL, not as C arguments, so the formatter leaves it be. */
/* clang-format off */
/* A job as GET /internal/jobs and /internal/jobs/{id} show it (alias j). */
#define PARITY_JOB_JSON_SQL                                                                                            \
  "json_build_object('id', j.id, 'type', j.type, 'params', j.params, 'trigger', j.trigger, 'status', j.status, "      \
  "'reason', j.reason, 'created_at', " JOB_TS("j.created_at") ", 'started_at', " JOB_TS("j.started_at") ", 'finished_at', "   \
  JOB_TS("j.finished_at") ", 'progress', json_build_object('done', j.progress_done, 'total', j.progress_total, 'unit', " \
  "j.progress_unit), 'counters', j.counters, 'message_ids', j.message_ids, 'expected_seconds', j.expected_seconds, " \
  "'stuck', j.stuck_at IS NOT NULL, 'attempts', j.attempts, 'rev', j.rev, 'seconds', round(extract(epoch FROM "       \
  "coalesce(j.finished_at, now()) - coalesce(j.started_at, j.created_at))::numeric, 1))"
#define JOB_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

const struct parity_stmt parity_op_stmts[Q_OP_QUERY_COUNT] = {
  /* parity_svc_probe_database() */
  [Q_PING] = { "Q_PING", "SELECT 1" },

  /* parity_svc_market_status() */
  [Q_MARKET_STATUS] = { "Q_MARKET_STATUS",
    "SELECT symbol, min(day)::text, max(day)::text, count(*), (current_date - max(day)) AS age_days "
    "FROM daily_prices GROUP BY symbol ORDER BY symbol" },

  /* parity_svc_market_prices(): $1 symbol, $2 from, $3 to (inclusive) */
  [Q_MARKET_PRICES] = { "Q_MARKET_PRICES",
    "SELECT day::text, open, high, low, close, adj_close, volume FROM daily_prices "
    "WHERE symbol = $1 AND day BETWEEN $2::date AND $3::date ORDER BY day" },

  /* parity_svc_market_prices(): tells an unknown symbol from an empty range */
  [Q_MARKET_SYMBOL_EXISTS] = { "Q_MARKET_SYMBOL_EXISTS",
    "SELECT 1 FROM daily_prices WHERE symbol = $1 LIMIT 1" },

  /* parity_outbox_enqueue(): $1 type, $2 payload; in the caller's transaction */
  [Q_OUTBOX_INSERT] = { "Q_OUTBOX_INSERT",
    "INSERT INTO outbox (type, payload) VALUES ($1, $2::json) RETURNING id::text" },

  /* outbox relay: oldest unsent rows, in insertion order by the partial index on seq (only the claimed
     rows' payloads are read); SKIP LOCKED lets replicas share the work without double sends */
  [Q_OUTBOX_CLAIM] = { "Q_OUTBOX_CLAIM",
    "SELECT id::text, type, payload::text FROM outbox WHERE published_at IS NULL "
    "ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED" },

  /* outbox relay: after the broker confirmed */
  [Q_OUTBOX_MARK_SENT] = { "Q_OUTBOX_MARK_SENT",
    "UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1::uuid" },

  /* outbox relay: after a nack, a return or a timeout */
  [Q_OUTBOX_MARK_FAILED] = { "Q_OUTBOX_MARK_FAILED",
    "UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1::uuid" },

  /* outbox relay: the parity_operational_outbox_pending gauge */
  [Q_OUTBOX_PENDING] = { "Q_OUTBOX_PENDING", "SELECT count(*) FROM outbox WHERE published_at IS NULL" },

  /* events consumer: a redelivered event is acked with no effect */
  [Q_PROCESSED_INSERT] = { "Q_PROCESSED_INSERT",
    "INSERT INTO processed_messages (message_id, type) VALUES ($1::uuid, $2) ON CONFLICT DO NOTHING" },

  /* parity_svc_cleanup(): $1 days kept */
  [Q_CLEANUP_PROCESSED] = { "Q_CLEANUP_PROCESSED",
    "DELETE FROM processed_messages WHERE processed_at < now() - make_interval(days => $1::int)" },
  [Q_CLEANUP_OUTBOX] = { "Q_CLEANUP_OUTBOX",
    "DELETE FROM outbox WHERE published_at < now() - make_interval(days => $1::int)" },
  [Q_CLEANUP_ACTION_TOKENS] = { "Q_CLEANUP_ACTION_TOKENS",
    "DELETE FROM action_tokens WHERE expires_at < now() - make_interval(days => $1::int)" },
  [Q_CLEANUP_SESSIONS] = { "Q_CLEANUP_SESSIONS",
    "DELETE FROM sessions WHERE family_expires_at < now() - make_interval(days => $1::int)" },

  /* ------------------------------------------------------------ accounts and security */

  /* parity_svc_auth_register(): $1 normalised email, $2 argon2id hash; no row when the email exists */
  [Q_AUTH_USER_INSERT] = { "Q_AUTH_USER_INSERT",
    "INSERT INTO users (email, password_hash) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING RETURNING id" },

  /* login, register, forgot-password: $1 normalised email */
  [Q_AUTH_USER_BY_EMAIL] = { "Q_AUTH_USER_BY_EMAIL",
    "SELECT u.id, u.password_hash, u.email_verified_at IS NOT NULL, "
    "EXISTS (SELECT 1 FROM totp t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL), u.email::text "
    "FROM users u WHERE u.email = $1" },

  /* change-password, 2FA routes, lock emails: $1 user id */
  [Q_AUTH_USER_BY_ID] = { "Q_AUTH_USER_BY_ID",
    "SELECT email::text, password_hash, email_verified_at IS NOT NULL FROM users WHERE id = $1::bigint" },

  /* parity_svc_auth_verify_email(): the link's registration becomes the account, once: $1 user id, $2 the
     password hash the link carries. No row when the address was verified meanwhile (by another link or a
     reset): its owner has chosen a password already. */
  [Q_AUTH_USER_ACTIVATE] = { "Q_AUTH_USER_ACTIVATE",
    "UPDATE users SET password_hash = $2, email_verified_at = now(), updated_at = now() "
    "WHERE id = $1::bigint AND email_verified_at IS NULL RETURNING email::text" },

  /* change-password and re-hash at login: $1 user id, $2 new hash, $3 the hash it replaces */
  [Q_AUTH_PASSWORD_SET] = { "Q_AUTH_PASSWORD_SET",
    "UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1::bigint AND password_hash = $3" },

  /* parity_svc_auth_reset(): a reset link proves the address too. $1 user id, $2 new hash */
  [Q_AUTH_PASSWORD_RESET] = { "Q_AUTH_PASSWORD_RESET",
    "UPDATE users SET password_hash = $2, email_verified_at = COALESCE(email_verified_at, now()), "
    "updated_at = now() WHERE id = $1::bigint" },

  /* parity_svc_account_me(): $1 user id */
  [Q_AUTH_ME] = { "Q_AUTH_ME",
    "SELECT u.id, u.email::text, u.email_verified_at IS NOT NULL, "
    "EXISTS (SELECT 1 FROM totp t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL), "
    "u.risk_tolerance, u.horizon, to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "(SELECT count(*) FROM recovery_codes r WHERE r.user_id = u.id AND r.used_at IS NULL) "
    "FROM users u WHERE u.id = $1::bigint" },

  /* action tokens: retires the unused links of a kind (a new reset link, a verified or reset address).
     $1 user id, $2 type */
  [Q_AUTH_TOKEN_RETIRE] = { "Q_AUTH_TOKEN_RETIRE",
    "UPDATE action_tokens SET used_at = now() WHERE user_id = $1::bigint AND type = $2 AND used_at IS NULL" },

  /* action tokens: $1 user id, $2 type, $3 SHA-256 hex of the token, $4 lifetime in seconds, $5 the password
     hash of a registration (verify_email) or NULL */
  [Q_AUTH_TOKEN_INSERT] = { "Q_AUTH_TOKEN_INSERT",
    "INSERT INTO action_tokens (user_id, type, token_hash, expires_at, password_hash) "
    "VALUES ($1::bigint, $2, decode($3, 'hex'), now() + make_interval(secs => $4::int), $5)" },

  /* reset-password, login/2fa: a live token's owner, without using it. $1 hash hex, $2 type */
  [Q_AUTH_TOKEN_PEEK] = { "Q_AUTH_TOKEN_PEEK",
    "SELECT t.user_id, u.email::text FROM action_tokens t JOIN users u ON u.id = t.user_id "
    "WHERE t.token_hash = decode($1, 'hex') AND t.type = $2 AND t.used_at IS NULL AND t.expires_at > now()" },

  /* single use: the row count says whether this caller used it. $1 hash hex, $2 type */
  [Q_AUTH_TOKEN_CONSUME] = { "Q_AUTH_TOKEN_CONSUME",
    "UPDATE action_tokens SET used_at = now() "
    "WHERE token_hash = decode($1, 'hex') AND type = $2 AND used_at IS NULL AND expires_at > now() "
    "RETURNING user_id" },

  /* parity_svc_auth_verify_email(): uses a live verification link: its user and the password hash of its
     registration. $1 hash hex. Links from before that column existed carry none and are refused. */
  [Q_AUTH_VERIFY_CONSUME] = { "Q_AUTH_VERIFY_CONSUME",
    "UPDATE action_tokens SET used_at = now() "
    "WHERE token_hash = decode($1, 'hex') AND type = 'verify_email' AND used_at IS NULL AND expires_at > now() "
    "AND password_hash IS NOT NULL RETURNING user_id, password_hash" },

  /* parity__auth_mail_quota_take(): one more registration or reset mail to $1, unless $2 already went out
     in the last $3 seconds (no row then). The upsert locks the address's row, so concurrent requests on
     any replica are counted one after the other. */
  [Q_AUTH_MAIL_QUOTA_TAKE] = { "Q_AUTH_MAIL_QUOTA_TAKE",
    "INSERT INTO mail_quota AS q (email_key, sent_at, last_sent_at) VALUES ($1, ARRAY[now()], now()) "
    "ON CONFLICT (email_key) DO UPDATE SET sent_at = ARRAY(SELECT t FROM unnest(q.sent_at) t "
    "WHERE t > now() - make_interval(secs => $3::int) ORDER BY t) || now(), last_sent_at = now() "
    "WHERE (SELECT count(*) FROM unnest(q.sent_at) t WHERE t > now() - make_interval(secs => $3::int)) < $2::int "
    "RETURNING 1" },

  /* parity_svc_cleanup() (its steps table): $1 days kept; a row whose newest mail is older counts nothing */
  [Q_AUTH_MAIL_QUOTA_CLEANUP] = { "Q_AUTH_MAIL_QUOTA_CLEANUP",
    "DELETE FROM mail_quota WHERE last_sent_at < now() - make_interval(days => $1::int)" },

  /* lockout: creates or locks the row of an email key and reads it (the upsert takes the row lock) */
  [Q_AUTH_ATTEMPTS_LOCK] = { "Q_AUTH_ATTEMPTS_LOCK",
    "INSERT INTO login_attempts (email_key) VALUES ($1) "
    "ON CONFLICT (email_key) DO UPDATE SET email_key = EXCLUDED.email_key "
    "RETURNING failures, COALESCE(extract(epoch FROM last_failure_at)::bigint, 0)" },

  /* lockout: $1 key, $2 failures, $3 last failure (Unix s), $4 locked until (Unix s) or NULL */
  [Q_AUTH_ATTEMPTS_SAVE] = { "Q_AUTH_ATTEMPTS_SAVE",
    "UPDATE login_attempts SET failures = $2::int, last_failure_at = to_timestamp($3::bigint), "
    "locked_until = to_timestamp($4::bigint) WHERE email_key = $1" },

  /* lockout: a success ends the streak */
  [Q_AUTH_ATTEMPTS_CLEAR] = { "Q_AUTH_ATTEMPTS_CLEAR", "DELETE FROM login_attempts WHERE email_key = $1" },

  /* parity__auth_attempt_refund(): an attempt that was no guess (a right password with 2FA on, an attempt
     the hash gate shed, a right code that lost a race) gives back the failure counted in advance, and
     nothing more */
  [Q_AUTH_ATTEMPTS_REFUND] = { "Q_AUTH_ATTEMPTS_REFUND",
    "UPDATE login_attempts SET failures = greatest(failures - 1, 0), locked_until = NULL, "
    "last_failure_at = CASE WHEN failures > 1 THEN last_failure_at END WHERE email_key = $1" },

  /* parity_svc_cleanup() (its steps table): $1 days kept. Rows for emails typed once, or with no failure
     left, would otherwise pile up; a streak older than 15 minutes no longer counts anyway. */
  [Q_AUTH_ATTEMPTS_CLEANUP] = { "Q_AUTH_ATTEMPTS_CLEANUP",
    "DELETE FROM login_attempts WHERE last_failure_at IS NULL "
    "OR last_failure_at < now() - make_interval(days => $1::int)" },

  /* issue_session(): $1 user, $2 family or NULL (new login), $3 token hash hex, $4 family end (timestamptz text
     as Q_AUTH_SESSION_BY_HASH gave it; NULL = now + $8 s), $5 ip or NULL, $6 user agent or NULL, $7 access
     token jti, $8 family TTL in seconds */
  [Q_AUTH_SESSION_INSERT] = { "Q_AUTH_SESSION_INSERT",
    "INSERT INTO sessions (user_id, family_id, token_hash, expires_at, family_expires_at, ip, user_agent, "
    "access_jti) SELECT $1::bigint, COALESCE($2::uuid, gen_random_uuid()), decode($3, 'hex'), f.ends, f.ends, "
    "$5::inet, $6, $7 FROM (SELECT COALESCE($4::timestamptz, now() + make_interval(secs => $8::int)) "
    "AS ends) f RETURNING family_id::text, extract(epoch FROM family_expires_at)::bigint" },

  /* parity_svc_auth_refresh(): the presented token's row, locked so two refreshes run one after the other */
  [Q_AUTH_SESSION_BY_HASH] = { "Q_AUTH_SESSION_BY_HASH",
    "SELECT id, user_id, family_id::text, used_at IS NOT NULL, revoked_at IS NOT NULL, "
    "family_expires_at::text, family_expires_at <= now() "
    "FROM sessions WHERE token_hash = decode($1, 'hex') FOR UPDATE" },

  /* parity_svc_auth_refresh(): rotation; $1 row id */
  [Q_AUTH_SESSION_MARK_USED] = { "Q_AUTH_SESSION_MARK_USED",
    "UPDATE sessions SET used_at = now() WHERE id = $1::bigint AND used_at IS NULL" },

  /* the auth gate, every bearer request: $1 jti, $2 user id, $3 seconds between last-use updates */
  [Q_AUTH_SESSION_CHECK] = { "Q_AUTH_SESSION_CHECK",
    "SELECT family_id::text, last_used_at < now() - make_interval(secs => $3::int) FROM sessions "
    "WHERE access_jti = $1 AND user_id = $2::bigint AND revoked_at IS NULL AND family_expires_at > now()" },

  /* the auth gate: last use of a session, at most once a minute */
  [Q_AUTH_SESSION_TOUCH] = { "Q_AUTH_SESSION_TOUCH",
    "UPDATE sessions SET last_used_at = now() WHERE access_jti = $1" },

  /* parity_svc_account_sessions(): live families of $1, newest use first; $2 the caller's jti, $3 limit */
  [Q_AUTH_SESSIONS_LIST] = { "Q_AUTH_SESSIONS_LIST",
    "SELECT family_id::text, to_char(min(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "to_char(max(last_used_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "(array_agg(host(ip) ORDER BY id DESC))[1], (array_agg(user_agent ORDER BY id DESC))[1], "
    "COALESCE(bool_or(access_jti = $2), false) "
    "FROM sessions WHERE user_id = $1::bigint GROUP BY family_id "
    "HAVING bool_and(revoked_at IS NULL) AND max(family_expires_at) > now() "
    "ORDER BY max(last_used_at) DESC, family_id LIMIT $3::int" },

  /* logout, refresh-token reuse: $1 family, $2 reason */
  [Q_AUTH_FAMILY_REVOKE] = { "Q_AUTH_FAMILY_REVOKE",
    "UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE family_id = $1::uuid AND revoked_at IS NULL" },

  /* DELETE /me/sessions/{id}: only the caller's own family; $1 family, $2 user id, $3 reason */
  [Q_AUTH_FAMILY_REVOKE_OWNED] = { "Q_AUTH_FAMILY_REVOKE_OWNED",
    "UPDATE sessions SET revoked_at = now(), revoked_reason = $3 "
    "WHERE family_id = $1::uuid AND user_id = $2::bigint AND revoked_at IS NULL" },

  /* logout-all, password change and reset: $1 user id, $2 reason, $3 family kept (NULL = none) */
  [Q_AUTH_USER_REVOKE_ALL] = { "Q_AUTH_USER_REVOKE_ALL",
    "UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE user_id = $1::bigint "
    "AND revoked_at IS NULL AND ($3::uuid IS NULL OR family_id <> $3::uuid)" },

  /* 2FA: the sealed secret (base64 text for secretbox.c), locked for the step update */
  [Q_AUTH_TOTP_GET] = { "Q_AUTH_TOTP_GET",
    "SELECT translate(encode(secret_enc, 'base64'), E'\\n', ''), enabled_at IS NOT NULL, last_step "
    "FROM totp WHERE user_id = $1::bigint FOR UPDATE" },

  /* POST /me/2fa/setup: a new pending secret, never over an enabled one (no row then). $2 base64 */
  [Q_AUTH_TOTP_PUT_PENDING] = { "Q_AUTH_TOTP_PUT_PENDING",
    "INSERT INTO totp (user_id, secret_enc) VALUES ($1::bigint, decode($2, 'base64')) "
    "ON CONFLICT (user_id) DO UPDATE SET secret_enc = EXCLUDED.secret_enc, last_step = 0, created_at = now() "
    "WHERE totp.enabled_at IS NULL" },

  /* a code accepted: its step can never be accepted again (no row when a concurrent request won) */
  [Q_AUTH_TOTP_USE_STEP] = { "Q_AUTH_TOTP_USE_STEP",
    "UPDATE totp SET last_step = $2::bigint WHERE user_id = $1::bigint AND last_step < $2::bigint" },

  /* POST /me/2fa/enable: $1 user id, $2 the step of the confirming code */
  [Q_AUTH_TOTP_ENABLE] = { "Q_AUTH_TOTP_ENABLE",
    "UPDATE totp SET enabled_at = now(), last_step = $2::bigint "
    "WHERE user_id = $1::bigint AND enabled_at IS NULL AND last_step < $2::bigint" },

  /* parity__auth_drop_second_factor(): 2FA off (disable, reset, verification); a row says whether it was on */
  [Q_AUTH_TOTP_DELETE] = { "Q_AUTH_TOTP_DELETE",
    "DELETE FROM totp WHERE user_id = $1::bigint RETURNING enabled_at IS NOT NULL" },
  [Q_AUTH_RECOVERY_DELETE_ALL] = { "Q_AUTH_RECOVERY_DELETE_ALL",
    "DELETE FROM recovery_codes WHERE user_id = $1::bigint" },

  /* enable and new recovery codes: $1 user id, $2 hash hex */
  [Q_AUTH_RECOVERY_INSERT] = { "Q_AUTH_RECOVERY_INSERT",
    "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1::bigint, decode($2, 'hex'))" },

  /* a recovery code is single use: the row count says whether this caller used it */
  [Q_AUTH_RECOVERY_USE] = { "Q_AUTH_RECOVERY_USE",
    "UPDATE recovery_codes SET used_at = now() "
    "WHERE user_id = $1::bigint AND code_hash = decode($2, 'hex') AND used_at IS NULL" },

  /* ------------------------------------------------------------ the investor's money */

  /* parity_svc_onboarding_submit(): $1 user, $2 risk, $3 horizon, $4 answers */
  [Q_USER_SET_PROFILE] = { "Q_USER_SET_PROFILE",
    "UPDATE users SET risk_tolerance = $2, horizon = $3, onboarding = $4::jsonb, updated_at = now() WHERE id = $1" },
  /* ledger: every user has one wallet, created on first use */
  [Q_WALLET_ENSURE] = { "Q_WALLET_ENSURE", "INSERT INTO wallets (user_id) VALUES ($1) ON CONFLICT DO NOTHING" },
  [Q_WALLET_GET] = { "Q_WALLET_GET", "SELECT cash_cents FROM wallets WHERE user_id = $1" },
  /* parity_svc_deposit(), sells: $1 user, $2 cents */
  [Q_WALLET_CREDIT] = { "Q_WALLET_CREDIT",
    "UPDATE wallets SET cash_cents = cash_cents + $2, updated_at = now() WHERE user_id = $1 RETURNING cash_cents" },
  /* parity_svc_withdraw(), parity_svc_invest(): no row when the cash is short */
  [Q_WALLET_DEBIT] = { "Q_WALLET_DEBIT",
    "UPDATE wallets SET cash_cents = cash_cents - $2, updated_at = now() WHERE user_id = $1 AND cash_cents >= $2 "
    "RETURNING cash_cents" },
  /* ledger: $1 user, $2 kind, $3 cents, $4 idempotency key (may be NULL), $5 request hash */
  [Q_MOVEMENT_INSERT] = { "Q_MOVEMENT_INSERT",
    "INSERT INTO cash_movements (user_id, kind, amount_cents, idempotency_key, request_hash) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING id" },
  /* ledger: the first answer, kept for a repeated Idempotency-Key */
  [Q_MOVEMENT_SET_RESPONSE] = { "Q_MOVEMENT_SET_RESPONSE",
    "UPDATE cash_movements SET response = $2::jsonb WHERE id = $1" },
  [Q_MOVEMENT_BY_KEY] = { "Q_MOVEMENT_BY_KEY",
    "SELECT kind, request_hash, response::text FROM cash_movements WHERE user_id = $1 AND idempotency_key = $2" },
  /* parity_svc_onboarding_submit(): one portfolio per user; the bucket follows the answers */
  [Q_PORTFOLIO_ENSURE] = { "Q_PORTFOLIO_ENSURE",
    "INSERT INTO portfolios (user_id, bucket_key) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE "
    "SET bucket_key = EXCLUDED.bucket_key, version = portfolios.version + 1, updated_at = now()" },
  /* parity_svc_portfolio_load() */
  [Q_PORTFOLIO_GET] = { "Q_PORTFOLIO_GET",
    "SELECT cash_cents, pending_cents, bucket_key, version FROM portfolios WHERE user_id = $1" },
  /* every money-moving step on a portfolio starts here: one writer at a time per portfolio */
  [Q_PORTFOLIO_LOCK] = { "Q_PORTFOLIO_LOCK",
    "SELECT cash_cents, pending_cents, bucket_key, version FROM portfolios WHERE user_id = $1 FOR UPDATE" },
  /* $1 user, $2 cash, $3 pending */
  [Q_PORTFOLIO_SET_CASH] = { "Q_PORTFOLIO_SET_CASH",
    "UPDATE portfolios SET cash_cents = $2, pending_cents = $3, version = version + 1, updated_at = now() "
    "WHERE user_id = $1" },
  /* parity_svc_portfolio_load(): positions with the newest price (intraday when newer than the close) */
  [Q_POSITIONS_VALUED] = { "Q_POSITIONS_VALUED",
    "SELECT p.symbol, p.shares_micro, p.cost_basis_cents, lp.price, to_char(lp.priced_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM positions p LEFT JOIN LATERAL ("
    "  SELECT price, priced_at FROM ("
    "    (SELECT close AS price, ((day + time '16:00') AT TIME ZONE 'America/New_York') AS priced_at "
    "     FROM daily_prices d WHERE d.symbol = p.symbol ORDER BY day DESC LIMIT 1) "
    "    UNION ALL (SELECT price, ts FROM intraday_prices i WHERE i.symbol = p.symbol ORDER BY ts DESC LIMIT 1)"
    "  ) x ORDER BY priced_at DESC LIMIT 1) lp ON true "
    "WHERE p.user_id = $1 AND p.shares_micro > 0 ORDER BY p.symbol" },
  /* trade execution: positions are locked with their portfolio */
  [Q_POSITIONS_LOCK] = { "Q_POSITIONS_LOCK",
    "SELECT symbol FROM positions WHERE user_id = $1 ORDER BY symbol FOR UPDATE" },
  /* a buy: $1 user, $2 symbol, $3 micro-shares, $4 cents */
  [Q_POSITION_BUY] = { "Q_POSITION_BUY",
    "INSERT INTO positions (user_id, symbol, shares_micro, cost_basis_cents) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (user_id, symbol) DO UPDATE SET shares_micro = positions.shares_micro + EXCLUDED.shares_micro, "
    "cost_basis_cents = positions.cost_basis_cents + EXCLUDED.cost_basis_cents, updated_at = now()" },
  /* a sell: $1 user, $2 symbol, $3 micro-shares left, $4 cost basis left */
  [Q_POSITION_SET] = { "Q_POSITION_SET",
    "UPDATE positions SET shares_micro = $3, cost_basis_cents = $4, updated_at = now() "
    "WHERE user_id = $1 AND symbol = $2" },
  /* parity_trade_record(): $1 user, $2 symbol, $3 side, $4 micro-shares, $5 micro-dollars, $6 cents,
   * $7 reason, $8 deploy request (NULL), $9 monthly run (NULL); both are unique per symbol; the id names the
   * trade in its realized gain rows */
  [Q_TRADE_INSERT] = { "Q_TRADE_INSERT",
    "INSERT INTO trades (user_id, symbol, side, shares_micro, price_micros, amount_cents, reason, request_id, run_id) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::uuid, $9) RETURNING id" },
  /* trade execution, parity_cli_seed_investors(): the newest price of each symbol of $1 (a text[]) */
  [Q_LATEST_PRICES] = { "Q_LATEST_PRICES",
    "SELECT s.symbol, lp.price FROM unnest($1::text[]) AS s(symbol) LEFT JOIN LATERAL ("
    "  SELECT price FROM ("
    "    (SELECT close AS price, ((day + time '16:00') AT TIME ZONE 'America/New_York') AS priced_at "
    "     FROM daily_prices d WHERE d.symbol = s.symbol ORDER BY day DESC LIMIT 1) "
    "    UNION ALL (SELECT price, ts FROM intraday_prices i WHERE i.symbol = s.symbol ORDER BY ts DESC LIMIT 1)"
    "  ) x ORDER BY priced_at DESC LIMIT 1) lp ON true" },
  /* the current model of a bucket */
  [Q_MODEL_CURRENT] = { "Q_MODEL_CURRENT",
    "SELECT weights::text, as_of_day::text, to_char(computed_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM model_portfolios WHERE bucket_key = $1 ORDER BY as_of_day DESC LIMIT 1" },
  /* GET /models; parity_cli_seed_investors() */
  [Q_MODELS_CURRENT_ALL] = { "Q_MODELS_CURRENT_ALL",
    "SELECT DISTINCT ON (bucket_key) bucket_key, as_of_day::text, to_char(computed_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), weights::text FROM model_portfolios ORDER BY bucket_key, as_of_day DESC" },
  /* GET /portfolio: money moved into the portfolio minus money taken out */
  [Q_PORTFOLIO_CONTRIBUTIONS] = { "Q_PORTFOLIO_CONTRIBUTIONS",
    "SELECT coalesce(sum(CASE kind WHEN 'invest' THEN amount_cents WHEN 'sell' THEN -amount_cents ELSE 0 END), 0) "
    "FROM cash_movements WHERE user_id = $1" },
  /* parity_svc_portfolio_read(), GET /portfolio in one round trip: the access token's session check of the
     auth gate (Q_AUTH_SESSION_CHECK, same conditions) folded in, then the portfolio, its contributions and its
     positions, one row per position (one row of NULL position when there is none; no row when the session has
     ended). Prices and models come from memory. $1 user, $2 jti, $3 seconds between last-use updates */
  [Q_PORTFOLIO_READ] = { "Q_PORTFOLIO_READ",
    "SELECT s.stale, p.cash_cents, p.pending_cents, p.bucket_key, (SELECT coalesce(sum(CASE kind "
    "  WHEN 'invest' THEN amount_cents WHEN 'sell' THEN -amount_cents ELSE 0 END), 0) "
    "  FROM cash_movements WHERE user_id = $1::bigint), x.symbol, x.shares_micro, x.cost_basis_cents "
    "FROM (SELECT last_used_at < now() - make_interval(secs => $3::int) AS stale FROM sessions "
    "      WHERE access_jti = $2 AND user_id = $1::bigint AND revoked_at IS NULL AND family_expires_at > now() "
    "      LIMIT 1) s "
    "LEFT JOIN portfolios p ON p.user_id = $1::bigint "
    "LEFT JOIN LATERAL (SELECT symbol, shares_micro, cost_basis_cents FROM positions "
    "  WHERE user_id = $1::bigint AND shares_micro > 0) x ON true "
    "ORDER BY x.symbol" },
  /* read_cache.c: the newest price of every symbol, for valuations held in memory, with its New York day
   * (days since 1970: GET /portfolio's prices_as_of) */
  [Q_PRICES_NEWEST] = { "Q_PRICES_NEWEST",
    "SELECT symbol, price, to_char(priced_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "(priced_at AT TIME ZONE 'America/New_York')::date - DATE '1970-01-01' FROM latest_prices" },
  /* GET /portfolio/trades: $1 user, $2 limit, $3 offset */
  [Q_TRADES_LIST] = { "Q_TRADES_LIST",
    "SELECT id, symbol, side, shares_micro, price_micros, amount_cents, reason, to_char(created_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM trades WHERE user_id = $1 ORDER BY created_at DESC, id DESC "
    "LIMIT $2 OFFSET $3" },
  /* GET /transactions: cash movements and trades, newest first; (time, type, id) makes paging stable.
   * The last two columns let the SPA show one row per operation: a trade's reason, and the operation it
   * belongs to. A sale's trades commit with its cash movement, and an invest opens its deploy request in
   * the same transaction, so equal transaction timestamps (now()) tie them; other deploys group by their
   * request, monthly rebalances by their run, a day's tax-loss harvest (at most one per investor and day, one
   * transaction) by its day. A dividend's movement carries its fund, the shares credited
   * and the amount per share (in the symbol, shares and price columns); a split's, its fund and the shares
   * it added (its own columns). */
  [Q_TRANSACTIONS_LIST] = { "Q_TRANSACTIONS_LIST",
    "SELECT type, id, kind, symbol, amount_cents, shares_micro, price_micros, to_char(at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), count(*) OVER (), reason, operation FROM ("
    "  SELECT 'cash' AS type, c.id, c.kind, coalesce(dp.symbol, c.symbol) AS symbol, c.amount_cents, "
    "         coalesce(dp.shares_micro, c.shares_micro) AS shares_micro, "
    "         dp.amount_micros AS price_micros, c.created_at AS at, NULL::text AS reason, 'movement:' || c.id AS operation "
    "  FROM cash_movements c LEFT JOIN dividend_payments dp ON dp.movement_id = c.id AND c.kind = 'dividend' "
    "  WHERE c.user_id = $1 "
    "  UNION ALL SELECT 'trade', t.id, t.side, t.symbol, t.amount_cents, t.shares_micro, t.price_micros, "
    "         t.created_at, t.reason, coalesce('movement:' || m.id, 'request:' || t.request_id, 'run:' || t.run_id, "
    "         'batch:' || t.batch_id, 'harvest:' || CASE WHEN t.reason = 'harvest' "
    "         THEN ((t.created_at AT TIME ZONE 'UTC')::date)::text END, 'trade:' || t.id) "
    "  FROM trades t LEFT JOIN rebalance_requests r ON r.id = t.request_id "
    "  LEFT JOIN rebalance_batches b ON b.id = t.batch_id LEFT JOIN LATERAL ("
    "    SELECT c.id FROM cash_movements c WHERE c.user_id = t.user_id AND ("
    "      (t.reason = 'sell' AND t.request_id IS NULL AND t.batch_id IS NULL AND c.kind = 'sell' "
    "       AND c.created_at = t.created_at) "
    "      OR (r.reason = 'invest' AND c.kind = 'invest' AND c.created_at = r.created_at) "
    "      OR (b.kind = 'deploy' AND c.kind = 'invest' AND c.created_at = b.created_at)) "
    "    ORDER BY c.id LIMIT 1) m ON true "
    "  WHERE t.user_id = $1) t ORDER BY at DESC, type, id DESC LIMIT $2 OFFSET $3" },
  /* parity audit: the ledger invariant of SPEC §5 per user, rows only where it fails. Dividends are money
   * that enters from outside, like deposits: deposits - withdrawals + dividends = the cash and the buys. */
  [Q_AUDIT_CASH] = { "Q_AUDIT_CASH",
    "SELECT u.id, coalesce(m.net, 0), coalesce(w.cash_cents, 0), coalesce(p.cash_cents, 0), coalesce(t.net, 0) "
    "FROM users u LEFT JOIN wallets w ON w.user_id = u.id LEFT JOIN portfolios p ON p.user_id = u.id "
    "LEFT JOIN (SELECT user_id, sum(CASE kind WHEN 'deposit' THEN amount_cents WHEN 'withdrawal' THEN -amount_cents "
    "  WHEN 'dividend' THEN amount_cents ELSE 0 END) AS net FROM cash_movements GROUP BY user_id) m ON m.user_id = u.id "
    "LEFT JOIN (SELECT user_id, sum(CASE side WHEN 'buy' THEN amount_cents ELSE -amount_cents END) AS net "
    "  FROM trades GROUP BY user_id) t ON t.user_id = u.id "
    "WHERE coalesce(m.net, 0) <> coalesce(w.cash_cents, 0) + coalesce(p.cash_cents, 0) + coalesce(t.net, 0) "
    "ORDER BY u.id" },
  [Q_AUDIT_SHARES] = { "Q_AUDIT_SHARES",
    "SELECT coalesce(p.user_id, t.user_id), coalesce(p.symbol, t.symbol), coalesce(p.shares_micro, 0), "
    "coalesce(t.net, 0) FROM positions p FULL JOIN (SELECT user_id, symbol, sum(shares) AS net FROM ("
    "  SELECT user_id, symbol, CASE side WHEN 'buy' THEN shares_micro ELSE -shares_micro END AS shares FROM trades "
    "  UNION ALL SELECT user_id, symbol, shares_micro FROM cash_movements WHERE kind = 'split') x "
    "  GROUP BY user_id, symbol) t ON t.user_id = p.user_id AND t.symbol = p.symbol "
    "WHERE coalesce(p.shares_micro, 0) <> coalesce(t.net, 0) ORDER BY 1, 2" },
  /* staleness: the newest close and today's date */
  [Q_LAST_PRICE_DAY] = { "Q_LAST_PRICE_DAY", "SELECT max(day)::text, current_date::text, (current_date - max(day)) "
    "FROM daily_prices" },
  /* ------------------------------------------------------------ end of the money block */

  /* ------------------------------------------------------------ the rebalance pipeline */
  /* One pipeline for the monthly run and for deploys: a batch row (its keyset slice of portfolios, or one
   * investor) goes to decisional as CMD_REBALANCE_BATCH, its targets come back by COPY, and the batch is
   * applied once, set-based (rebalance_apply.c). */

  /* parity_svc_rebalance_start(): one run per period; a racing POST or replica finds the winner's row.
   * $1 period, $2 status (planning or stale_aborted), $3 error, $4 its job */
  [Q_RUN_INSERT] = { "Q_RUN_INSERT",
    "INSERT INTO rebalance_runs (period, status, error, finished_at, job_id) VALUES ($1, $2, $3, "
    "CASE WHEN $2 = 'stale_aborted' THEN now() END, $4) ON CONFLICT (period) DO NOTHING RETURNING id" },
  /* parity_svc_rebalance_start(): re-posting a period returns its run */
  [Q_RUN_BY_PERIOD] = { "Q_RUN_BY_PERIOD", "SELECT id FROM rebalance_runs WHERE period = $1" },
  /* GET /internal/rebalance/runs/{id}: the run's counters, its computed batches (by the run's index) and
   * the seconds it has been running */
  [Q_RUN_GET] = { "Q_RUN_GET",
    "SELECT r.id, r.period, r.status, r.portfolios, r.batches, r.applied, r.trades, to_char(r.started_at AT TIME "
    "ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), to_char(r.finished_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), r.error, r.portfolios_done, "
    "(SELECT count(*) FROM rebalance_batches b WHERE b.run_id = r.id AND b.status IN ('computed', 'applied')), "
    "extract(epoch FROM coalesce(r.finished_at, now()) - r.started_at), r.job_id "
    "FROM rebalance_runs r WHERE r.id = $1" },
  /* the planner: a run still being planned, one planner at a time on any replica (the others skip it for
   * this step). A transaction-scoped advisory lock, not the row lock: the appliers update the run's
   * counters meanwhile and must not wait for a planning step. */
  [Q_RUN_CLAIM_PLANNING] = { "Q_RUN_CLAIM_PLANNING",
    "SELECT id FROM (SELECT id FROM rebalance_runs WHERE status = 'planning' ORDER BY id OFFSET 0) r "
    "WHERE pg_try_advisory_xact_lock(1919251317, (id % 2147483647)::int) LIMIT 1" },
  /* the planner, holding the run's advisory lock: its cursor as committed by the previous step (read by a
   * statement of its own, whose snapshot is taken after the lock) */
  [Q_RUN_PLAN_STATE] = { "Q_RUN_PLAN_STATE",
    "SELECT planned_through, batches, applied, job_id FROM rebalance_runs WHERE id = $1 AND status = 'planning'" },
  /* the planner, with its batch: $1 run, $2 cursor (last user id read), $3 batches added, $4 portfolios */
  [Q_RUN_PLANNED_BATCH] = { "Q_RUN_PLANNED_BATCH",
    "UPDATE rebalance_runs SET planned_through = $2, batches = batches + $3, portfolios = portfolios + $4 "
    "WHERE id = $1" },
  /* the planner, past the last portfolio: the run is complete if every batch is applied already */
  [Q_RUN_PLANNED] = { "Q_RUN_PLANNED",
    "UPDATE rebalance_runs SET planned_at = now(), "
    "status = CASE WHEN applied >= batches THEN 'complete' ELSE 'running' END, "
    "finished_at = CASE WHEN applied >= batches THEN now() END WHERE id = $1 RETURNING status" },
  /* parity_svc_apply_batch(): $1 run, $2 trades, $3 portfolios; completes a fully planned run with its
   * last batch; returns the status */
  [Q_RUN_BATCH_DONE] = { "Q_RUN_BATCH_DONE",
    "UPDATE rebalance_runs SET applied = applied + 1, trades = trades + $2, portfolios_done = portfolios_done + $3, "
    "status = CASE WHEN status = 'running' AND applied + 1 >= batches THEN 'complete' ELSE status END, "
    "finished_at = CASE WHEN status = 'running' AND applied + 1 >= batches THEN now() ELSE finished_at END "
    "WHERE id = $1 RETURNING status" },
  /* the planner and a deploy: the next $2 bucketed portfolios after user $1 (keyset), with their held
   * positions (one row each; none: one row of NULLs) and whether a deploy of theirs is open. LATERAL keeps
   * the positions read to the slice's own rows (by the primary key), never a scan of the whole table. */
  [Q_PLAN_PORTFOLIOS] = { "Q_PLAN_PORTFOLIOS",
    "WITH p AS (SELECT user_id, bucket_key, cash_cents, EXISTS (SELECT 1 FROM rebalance_batches b "
    "  WHERE b.user_id = portfolios.user_id AND b.kind = 'deploy' AND b.status IN ('pending', 'computed')) AS busy "
    "  FROM portfolios WHERE user_id > $1 AND bucket_key IS NOT NULL ORDER BY user_id LIMIT $2) "
    "SELECT p.user_id, p.bucket_key, p.cash_cents, p.busy, s.symbol, s.shares_micro FROM p LEFT JOIN LATERAL "
    "(SELECT symbol, shares_micro FROM positions WHERE user_id = p.user_id AND shares_micro > 0) s ON true "
    "ORDER BY p.user_id, s.symbol" },
  /* $1 run (NULL for a deploy), $2 batch number, $3 portfolios, $4 kind, $5 no_sells, $6 deploy's user */
  [Q_BATCH_INSERT] = { "Q_BATCH_INSERT",
    "INSERT INTO rebalance_batches (run_id, batch_no, portfolios, kind, no_sells, user_id) "
    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id" },
  /* parity_rebalance_open_deploy(): one open deploy per investor */
  [Q_DEPLOY_OPEN_FOR_USER] = { "Q_DEPLOY_OPEN_FOR_USER",
    "SELECT id FROM rebalance_batches WHERE user_id = $1 AND kind = 'deploy' AND status IN ('pending', 'computed')" },
  /* parity_svc_apply_batch(): the batch row is the idempotency key of its trades; a batch another thread
   * or replica is applying is skipped (it commits it, or the sweep finds it computed again) */
  [Q_BATCH_LOCK] = { "Q_BATCH_LOCK",
    "SELECT status, kind, no_sells, run_id, portfolios FROM rebalance_batches WHERE id = $1 FOR UPDATE SKIP LOCKED" },
  /* parity_svc_apply_batch(): the batch's target rows, by its primary key */
  [Q_BATCH_TARGETS] = { "Q_BATCH_TARGETS",
    "SELECT user_id, targets::text FROM rebalance_targets WHERE batch_id = $1 ORDER BY user_id" },
  /* parity_svc_apply_batch(): the batch's portfolios ($1 bigint[]) locked in user order (invest and sell
   * lock the same rows one at a time, so no two writers wait on each other in a cycle), by the key, each
   * with its investor's harvesting switch (a harvester is planned per family of funds) */
  [Q_BATCH_PORTFOLIOS_LOCK] = { "Q_BATCH_PORTFOLIOS_LOCK",
    "SELECT p.user_id, p.cash_cents, p.pending_cents, coalesce((SELECT s.tax_loss_harvesting "
    "FROM investor_settings s WHERE s.user_id = p.user_id), false) FROM portfolios p "
    "WHERE p.user_id = ANY($1::bigint[]) ORDER BY p.user_id FOR UPDATE OF p" },
  /* parity_svc_apply_batch(), portfolios locked: every stored position of users $1..$2 (0 shares too: a buy
   * adds to that row). A monthly batch is a keyset slice, so this is one range of the primary key. */
  [Q_BATCH_POSITIONS] = { "Q_BATCH_POSITIONS",
    "SELECT user_id, symbol, shares_micro, cost_basis_cents FROM positions WHERE user_id BETWEEN $1 AND $2 "
    "ORDER BY user_id, symbol" },
  /* parity_svc_apply_batch(): the cash of the batch's changed portfolios in one statement;
   * $1 user ids, $2 cash, $3 pending (bigint[] each, same order) */
  [Q_BATCH_CASH_SET] = { "Q_BATCH_CASH_SET",
    "UPDATE portfolios p SET cash_cents = c.cash, pending_cents = c.pending, version = p.version + 1, "
    "updated_at = now() FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS c(user_id, cash, pending) "
    "WHERE p.user_id = c.user_id" },
  /* $1 batch, $2 trades */
  [Q_BATCH_APPLIED] = { "Q_BATCH_APPLIED",
    "UPDATE rebalance_batches SET status = 'applied', applied_at = now(), trades = $2 WHERE id = $1" },
  /* the sweep: computed batches whose event has not come after a while (by the partial index) */
  [Q_BATCHES_COMPUTED_STALE] = { "Q_BATCHES_COMPUTED_STALE",
    "SELECT id FROM rebalance_batches WHERE status = 'computed' AND computed_at < now() - interval '5 seconds' "
    "ORDER BY computed_at LIMIT 4" },
  /* the sweep: invested cash waiting for a model (or whose deploy was rejected), by the partial index */
  [Q_PORTFOLIOS_WAITING] = { "Q_PORTFOLIOS_WAITING",
    "SELECT p.user_id FROM portfolios p WHERE p.pending_cents > 0 AND p.bucket_key IS NOT NULL "
    "AND EXISTS (SELECT 1 FROM model_portfolios m WHERE m.bucket_key = p.bucket_key) "
    "AND NOT EXISTS (SELECT 1 FROM rebalance_batches b WHERE b.user_id = p.user_id AND b.kind = 'deploy' "
    "AND b.status IN ('pending', 'computed')) ORDER BY p.user_id LIMIT 100" },
  /* parity_svc_cleanup(): targets of batches applied more than $1 days ago have served (the trades keep
   * their batch id); the table would otherwise grow by every investor every month */
  [Q_CLEANUP_REBALANCE_TARGETS] = { "Q_CLEANUP_REBALANCE_TARGETS",
    "DELETE FROM rebalance_targets t USING rebalance_batches b WHERE t.batch_id = b.id AND b.status = 'applied' "
    "AND b.applied_at < now() - make_interval(days => $1::int)" },
  /* ------------------------------------------------------------ end of the rebalance pipeline */

  /* ------------------------------------------------------------ forecasts, models, history */
  /* GET /models and /models/{bucket} use Q_MODELS_CURRENT_ALL and Q_MODEL_CURRENT above. */

  /* parity_svc_forecast_create(): $1 id, $2 user, $3 request (the CMD_FORECAST payload + weights_source) */
  [Q_FORECAST_INSERT] = { "Q_FORECAST_INSERT",
    "INSERT INTO forecasts (id, user_id, request) VALUES ($1::uuid, $2, $3::jsonb)" },
  /* parity_svc_forecast_get(): only the caller's own forecast; $1 id, $2 user */
  [Q_FORECAST_GET] = { "Q_FORECAST_GET",
    "SELECT status, result::text, error, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
    "to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), request::text "
    "FROM forecasts WHERE id = $1::uuid AND user_id = $2" },
  /* parity_svc_forecast_create(): serialises one investor's forecast requests so that the pending count
   * and the insert that follows it are one step. NO KEY UPDATE leaves the key-share locks of inserts that
   * reference the user (sessions, movements) unblocked. */
  [Q_FORECAST_USER_LOCK] = { "Q_FORECAST_USER_LOCK",
    "SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE" },
  /* parity_svc_forecast_create(): bounds the work one investor can queue; under Q_FORECAST_USER_LOCK */
  [Q_FORECAST_PENDING_COUNT] = { "Q_FORECAST_PENDING_COUNT",
    "SELECT count(*) FROM forecasts WHERE user_id = $1 AND status = 'pending'" },
  /* forecast listener: a NOTIFY reached this replica */
  [Q_FORECAST_MARK_NOTIFIED] = { "Q_FORECAST_MARK_NOTIFIED",
    "UPDATE forecasts SET notified_at = now() WHERE id = $1::uuid AND notified_at IS NULL AND status <> 'pending'" },
  /* forecast listener's sweep: outcomes older than $1 seconds that no replica heard of */
  [Q_FORECAST_UNNOTIFIED] = { "Q_FORECAST_UNNOTIFIED",
    "UPDATE forecasts SET notified_at = now() WHERE id IN (SELECT id FROM forecasts WHERE status <> 'pending' "
    "AND notified_at IS NULL AND completed_at < now() - make_interval(secs => $1::int) ORDER BY completed_at "
    "LIMIT 100) RETURNING id::text" },
  /* forecast listener's sweep: a forecast pending for more than $1 seconds lost its command; it ends */
  [Q_FORECAST_EXPIRE] = { "Q_FORECAST_EXPIRE",
    "UPDATE forecasts SET status = 'error', completed_at = now(), notified_at = now(), "
    "error = 'not computed within ' || $1 || ' seconds (the forecast worker may be down); ask again' "
    "WHERE id IN (SELECT id FROM forecasts WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1::int) "
    "ORDER BY created_at LIMIT 100) AND status = 'pending' RETURNING id::text" },
  /* parity_svc_history(): today in New York, as days since 1970-01-01 */
  [Q_HISTORY_TODAY] = { "Q_HISTORY_TODAY",
    "SELECT (now() AT TIME ZONE 'America/New_York')::date - DATE '1970-01-01'" },
  /* parity_svc_history(): the portfolio's external flows per New York day (invest +, sell -) */
  [Q_HISTORY_FLOWS] = { "Q_HISTORY_FLOWS",
    "SELECT (created_at AT TIME ZONE 'America/New_York')::date - DATE '1970-01-01', "
    "sum(CASE kind WHEN 'invest' THEN amount_cents ELSE -amount_cents END) FROM cash_movements "
    "WHERE user_id = $1 AND kind IN ('invest', 'sell') GROUP BY 1 ORDER BY 1" },
  /* parity_svc_history(): net shares and cash of the trades per New York day and symbol (buy +, sell -);
   * a fund's dividends count as cash it paid in without shares (a sale of no shares): income, not a flow.
   * The stored closes are split-adjusted over the whole history (a sync rebases the days before a split),
   * so a trade made before the open of an applied split counts its shares times the split's ratio (all
   * later applied splits of the symbol, multiplied): the value is then continuous across the split day and,
   * summed, these shares are the trades' plus the `split` movements' (Q_SPLIT_POSITIONS scales what was
   * held across that open the same way, to the micro-share). The cash stays as paid. */
  [Q_HISTORY_TRADES] = { "Q_HISTORY_TRADES",
    "SELECT day, symbol, sum(shares), sum(cents) FROM ("
    "  SELECT (t.created_at AT TIME ZONE 'America/New_York')::date - DATE '1970-01-01' AS day, t.symbol, "
    "  round(CASE t.side WHEN 'buy' THEN t.shares_micro ELSE -t.shares_micro END * coalesce(f.ratio, 1))::bigint "
    "  AS shares, CASE t.side WHEN 'buy' THEN t.amount_cents ELSE -t.amount_cents END AS cents FROM trades t "
    "  LEFT JOIN LATERAL (SELECT exp(sum(ln(e.numerator::numeric / e.denominator::numeric))) AS ratio "
    "    FROM market_events e WHERE e.kind = 'split' AND e.symbol = t.symbol AND e.applied_at IS NOT NULL "
    "    AND t.created_at < (e.day + time '09:30') AT TIME ZONE 'America/New_York') f ON true WHERE t.user_id = $1 "
    "  UNION ALL SELECT (m.created_at AT TIME ZONE 'America/New_York')::date - DATE '1970-01-01', dp.symbol, 0, "
    "  -dp.cents FROM dividend_payments dp JOIN cash_movements m ON m.id = dp.movement_id WHERE dp.user_id = $1"
    ") x GROUP BY 1, 2 ORDER BY 1, 2" },
  /* parity_svc_history(), parity_svc_portfolio_risk() (the benchmark's): closes of the symbols of $1 (text[])
   * on days $2 < day <= $3 (days since 1970), plus each symbol's newest close on or before $2, which values
   * the range's first days */
  [Q_HISTORY_CLOSES] = { "Q_HISTORY_CLOSES",
    "SELECT symbol, day - DATE '1970-01-01', close FROM ("
    "  SELECT s.symbol, t.day, t.close FROM unnest($1::text[]) AS s(symbol) CROSS JOIN LATERAL ("
    "    SELECT day, close FROM daily_prices d WHERE d.symbol = s.symbol AND d.day <= DATE '1970-01-01' + $2::int "
    "    ORDER BY day DESC LIMIT 1) t "
    "  UNION ALL SELECT symbol, day, close FROM daily_prices WHERE symbol = ANY($1::text[]) "
    "    AND day > DATE '1970-01-01' + $2::int AND day <= DATE '1970-01-01' + $3::int) c ORDER BY 1, 2" },
  /* parity_svc_model_risk(): the newest risk of bucket $1 CMD_BACKTEST stored (model_analytics, migration 0008) */
  [Q_MODEL_RISK] = { "Q_MODEL_RISK",
    "SELECT as_of_day::text, to_char(computed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), risk::text "
    "FROM model_analytics WHERE series_key = $1 AND risk IS NOT NULL ORDER BY as_of_day DESC LIMIT 1" },
  /* parity_svc_model_backtest(): bucket $1's backtest and the SPY and 60/40 series of the same day */
  [Q_MODEL_BACKTEST] = { "Q_MODEL_BACKTEST",
    "SELECT series_key, as_of_day::text, to_char(computed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "backtest::text FROM model_analytics WHERE series_key IN ($1, 'SPY', '60/40') AND as_of_day = "
    "(SELECT max(as_of_day) FROM model_analytics WHERE series_key = $1)" },
  /* ------------------------------------------------------------ end of forecasts, models, history */

  /* ------------------------------------------------------------ synthetic investors (parity seed-investors) */
  /* parity_cli_seed_investors(): users whose email is not in the synthetic domain $1 (real ones) */
  [Q_SEED_REAL_USERS] = { "Q_SEED_REAL_USERS",
    "SELECT count(*) FROM users WHERE lower(email::text) NOT LIKE '%@' || $1" },
  /* parity_cli_seed_investors(), with users locked: reserves the ids of $1 new users in one step (the last
   * id is returned; the block ends there) and the timestamp their rows carry */
  [Q_SEED_RESERVE_USER_IDS] = { "Q_SEED_RESERVE_USER_IDS",
    "SELECT setval(pg_get_serial_sequence('users', 'id'), "
    "nextval(pg_get_serial_sequence('users', 'id')) + $1::bigint - 1), now()::text" },
  /* ------------------------------------------------------------ end of synthetic investors */

  /* ------------------------------------------------------------ the demo investor's past (parity demo-history)
   * Every row is dated by its caller: $N::timestamp is a New York wall-clock time ("YYYY-MM-DD HH:MM:SS"). */
  /* parity_cli_demo_history(): the investor by email ($1): id, bucket, whether verified */
  [Q_DEMO_USER] = { "Q_DEMO_USER",
    "SELECT u.id, p.bucket_key, u.email_verified_at IS NOT NULL FROM users u "
    "LEFT JOIN portfolios p ON p.user_id = u.id WHERE u.email = $1" },
  /* parity_cli_demo_history(): user $1's movements not of its simulated past (prefix $2; dividends and
   * splits are the market's, paid on what that past held), and the days of the steps already written
   * (their deposits' keys are "<prefix><day>:deposit") */
  [Q_DEMO_ACTIVITY] = { "Q_DEMO_ACTIVITY",
    "SELECT (SELECT count(*) FROM cash_movements WHERE user_id = $1 AND kind NOT IN ('dividend', 'split') "
    "  AND (idempotency_key IS NULL OR left(idempotency_key, length($2)) <> $2)), "
    "(SELECT count(*) FROM cash_movements WHERE user_id = $1 AND kind = 'deposit' "
    "  AND left(idempotency_key, length($2)) = $2)" },
  /* parity_cli_demo_history(): every daily bar of the symbols of $1 (text[]): close trades, adj_close models */
  [Q_DEMO_PRICES] = { "Q_DEMO_PRICES",
    "SELECT symbol, day - DATE '1970-01-01', close, adj_close FROM daily_prices WHERE symbol = ANY($1::text[]) "
    "ORDER BY symbol, day" },
  /* parity_cli_demo_history(), portfolio locked: whether the step keyed $2 was written already */
  [Q_DEMO_STEP_DONE] = { "Q_DEMO_STEP_DONE",
    "SELECT 1 FROM cash_movements WHERE user_id = $1 AND idempotency_key = $2" },
  /* parity_cli_demo_history(): $1 user, $2 kind, $3 cents, $4 key, $5 when */
  [Q_DEMO_MOVEMENT] = { "Q_DEMO_MOVEMENT",
    "INSERT INTO cash_movements (user_id, kind, amount_cents, idempotency_key, created_at) "
    "VALUES ($1, $2, $3, $4, $5::timestamp AT TIME ZONE 'America/New_York') RETURNING id" },
  /* parity_cli_demo_history(): $2 cents in (+) or out (-) of user $1's wallet at $3 (the CHECK refuses < 0) */
  [Q_DEMO_WALLET_ADD] = { "Q_DEMO_WALLET_ADD",
    "UPDATE wallets SET cash_cents = cash_cents + $2, updated_at = $3::timestamp AT TIME ZONE 'America/New_York' "
    "WHERE user_id = $1" },
  /* parity_cli_demo_history(): a step's trades as one applied batch of the investor, created with its invest
   * ($4, so GET /transactions groups them under it); $1 user, $2 no_sells, $3 trades, $5 applied at */
  [Q_DEMO_BATCH_INSERT] = { "Q_DEMO_BATCH_INSERT",
    "INSERT INTO rebalance_batches (batch_no, portfolios, kind, no_sells, user_id, status, trades, created_at, "
    "computed_at, applied_at) VALUES (0, 1, 'deploy', $2, $1, 'applied', $3, "
    "$4::timestamp AT TIME ZONE 'America/New_York', $5::timestamp AT TIME ZONE 'America/New_York', "
    "$5::timestamp AT TIME ZONE 'America/New_York') RETURNING id" },
  /* parity_cli_demo_history(): $1 user, $2 symbol, $3 side, $4 micro-shares, $5 micro-dollars, $6 cents,
   * $7 reason, $8 batch, $9 when */
  [Q_DEMO_TRADE] = { "Q_DEMO_TRADE",
    "INSERT INTO trades (user_id, symbol, side, shares_micro, price_micros, amount_cents, reason, batch_id, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::timestamp AT TIME ZONE 'America/New_York')" },
  /* parity_cli_demo_history(): a traded position as the plan left it; $1 user, $2 symbol, $3 shares, $4 cost,
   * $5 when */
  [Q_DEMO_POSITION_SET] = { "Q_DEMO_POSITION_SET",
    "INSERT INTO positions (user_id, symbol, shares_micro, cost_basis_cents, updated_at) "
    "VALUES ($1, $2, $3, $4, $5::timestamp AT TIME ZONE 'America/New_York') ON CONFLICT (user_id, symbol) "
    "DO UPDATE SET shares_micro = EXCLUDED.shares_micro, cost_basis_cents = EXCLUDED.cost_basis_cents, "
    "updated_at = EXCLUDED.updated_at" },
  /* parity_cli_demo_history(): the lots and realized gains its step's transaction wrote (stamped now()) are
   * dated at $2, with the step's trades: a split later scales the lots held across its open by this date */
  [Q_DEMO_TAX_DATED] = { "Q_DEMO_TAX_DATED",
    "WITH gains AS (UPDATE realized_gains SET created_at = $2::timestamp AT TIME ZONE 'America/New_York' "
    "  WHERE user_id = $1 AND created_at = now()) "
    "UPDATE lots SET created_at = $2::timestamp AT TIME ZONE 'America/New_York' WHERE user_id = $1 "
    "AND created_at = now()" },
  /* parity_cli_demo_history(): $1 user, $2 cash, $3 pending, $4 when */
  [Q_DEMO_PORTFOLIO_SET] = { "Q_DEMO_PORTFOLIO_SET",
    "UPDATE portfolios SET cash_cents = $2, pending_cents = $3, version = version + 1, "
    "updated_at = $4::timestamp AT TIME ZONE 'America/New_York' WHERE user_id = $1" },
  /* parity_cli_demo_history(), with the first step: the investor joined (and confirmed the address) at $2 */
  [Q_DEMO_USER_JOINED] = { "Q_DEMO_USER_JOINED",
    "UPDATE users SET created_at = $2::timestamp AT TIME ZONE 'America/New_York', "
    "email_verified_at = CASE WHEN email_verified_at IS NULL THEN NULL "
    "  ELSE $2::timestamp AT TIME ZONE 'America/New_York' END WHERE id = $1" },
  /* ------------------------------------------------------------ end of the demo investor's past */
  /* ------------------------------------------------------------ market data */
  /* GET /internal/market/quality, parity data-quality: open findings, $1 symbol (NULL: all), $2 severity (NULL:
   * both), $3 limit; blocking first, then by symbol and day */
  [Q_MARKET_QUALITY] = { "Q_MARKET_QUALITY",
    "SELECT symbol, day::text, check_name, severity, detail::text, source, to_char(found_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM market_quality WHERE ($1::text IS NULL OR symbol = $1) "
    "AND ($2::text IS NULL OR severity = $2) ORDER BY severity, symbol, day, check_name LIMIT $3::int" },
  /* the same: counts per check and severity over every finding the filters keep ($1 symbol, $2 severity) */
  [Q_MARKET_QUALITY_SUMMARY] = { "Q_MARKET_QUALITY_SUMMARY",
    "SELECT check_name, severity, count(*) FROM market_quality WHERE ($1::text IS NULL OR symbol = $1) "
    "AND ($2::text IS NULL OR severity = $2) GROUP BY 1, 2 ORDER BY 1, 2" },
  /* parity_svc_splits_apply(): splits whose day has come (New York) and that no position has seen yet; a
   * concurrent applier skips the rows this one holds */
  [Q_SPLIT_DUE] = { "Q_SPLIT_DUE",
    "SELECT symbol, day::text, numerator, denominator FROM market_events WHERE kind = 'split' AND applied_at IS NULL "
    "AND day <= (now() AT TIME ZONE 'America/New_York')::date ORDER BY day, symbol FOR UPDATE SKIP LOCKED" },
  /* parity_svc_splits_apply(): the split is applied once: no row when it already was. $1 symbol, $2 day */
  [Q_SPLIT_CLAIM] = { "Q_SPLIT_CLAIM",
    "UPDATE market_events SET applied_at = now() WHERE kind = 'split' AND symbol = $1 AND day = $2::date "
    "AND applied_at IS NULL RETURNING numerator::text, denominator::text" },
  /* parity_svc_splits_apply(), after Q_SPLIT_CLAIM: every position of $1 held when the market opened on the
   * split day $2 gets numerator/denominator ($3/$4) times those shares (rounded down to the micro-share), in
   * one statement for all investors. Shares traded since that open were priced after the split and stay as
   * they are, so a split found late, or an old split a backfill brings in, changes only what was held
   * across it. The `split` movement records the change (amount 0: the value is unchanged, the price moved
   * the other way); its external_ref makes a repeat a no-op. The lots bought before that open take the same
   * ratio, each rounded down, the newest of an investor's also the rounding's rest, so they add up to the
   * position (a lot keeps its basis: the cost per share moves with the price). Returns the positions changed. */
  [Q_SPLIT_POSITIONS] = { "Q_SPLIT_POSITIONS",
    "WITH held AS (SELECT p.user_id, p.shares_micro - coalesce((SELECT sum(CASE t.side WHEN 'buy' THEN t.shares_micro "
    "  ELSE -t.shares_micro END) FROM trades t WHERE t.user_id = p.user_id AND t.symbol = p.symbol "
    "  AND t.created_at >= ($2::date + time '09:30') AT TIME ZONE 'America/New_York'), 0) AS shares "
    "  FROM positions p WHERE p.symbol = $1), "
    "moved AS (INSERT INTO cash_movements (user_id, kind, amount_cents, symbol, shares_micro, external_ref) "
    "  SELECT user_id, 'split', 0, $1, floor(shares::numeric * $3::numeric / $4::numeric)::bigint - shares, "
    "  'split:' || $1 || ':' || $2 || ':' || user_id FROM held WHERE shares > 0 "
    "  ON CONFLICT (external_ref) DO NOTHING RETURNING user_id, shares_micro), "
    "across AS (SELECT l.id, l.user_id, l.shares_micro, "
    "  floor(l.shares_micro::numeric * $3::numeric / $4::numeric)::bigint AS scaled, "
    "  row_number() OVER (PARTITION BY l.user_id ORDER BY l.id DESC) AS newest FROM lots l "
    "  JOIN moved m ON m.user_id = l.user_id WHERE l.symbol = $1 "
    "  AND l.created_at < ($2::date + time '09:30') AT TIME ZONE 'America/New_York'), "
    "lots_scaled AS (UPDATE lots l SET shares_micro = a.scaled + CASE WHEN a.newest = 1 THEN m.shares_micro "
    "  - (SELECT sum(b.scaled - b.shares_micro) FROM across b WHERE b.user_id = a.user_id) ELSE 0 END "
    "  FROM across a JOIN moved m ON m.user_id = a.user_id WHERE l.id = a.id) "
    "UPDATE positions p SET shares_micro = p.shares_micro + m.shares_micro, updated_at = now() FROM moved m "
    "WHERE p.user_id = m.user_id AND p.symbol = $1" },
  /* parity_svc_cleanup(): intraday bars older than $1 days (the sync prunes too; this keeps a stopped
   * intraday schedule from leaving old rows behind) */
  [Q_CLEANUP_INTRADAY] = { "Q_CLEANUP_INTRADAY",
    "DELETE FROM intraday_prices WHERE ts < now() - make_interval(days => $1::int)" },
  /* parity_svc_cleanup(): finished forecasts older than $1 days that a newer complete forecast of the same
   * investor supersedes (the newest one stays, whatever its age) */
  [Q_CLEANUP_FORECASTS] = { "Q_CLEANUP_FORECASTS",
    "DELETE FROM forecasts f WHERE f.status <> 'pending' AND f.created_at < now() - make_interval(days => $1::int) "
    "AND EXISTS (SELECT 1 FROM forecasts n WHERE n.user_id = f.user_id AND n.status = 'complete' "
    "AND n.created_at > f.created_at)" },
  /* ------------------------------------------------------------ end of market data */
  /* ------------------------------------------------------------ recurring deposits (svc_recurring.c) */
  /* parity_svc_recurring_list(): the investor's schedules (deleted ones are kept for their runs, not shown) */
  [Q_RECURRING_LIST] = { "Q_RECURRING_LIST",
    "SELECT id, amount_cents, frequency, day, auto_invest, status, next_day::text, last_day::text, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
    "FROM recurring_deposits WHERE user_id = $1 AND status <> 'deleted' ORDER BY id" },
  /* parity_svc_recurring_create(): $1 user, $2 cents, $3 frequency, $4 day, $5 auto_invest, $6 the most
   * schedules an investor keeps, $7 idempotency key (may be NULL), $8 request hash; the first date is after
   * today (UTC), so creating one never moves money at once; no row when the investor has $6 already, or
   * when a schedule has the key $7 (a request with it that is still open is waited for) */
  [Q_RECURRING_INSERT] = { "Q_RECURRING_INSERT",
    "INSERT INTO recurring_deposits (user_id, amount_cents, frequency, day, auto_invest, next_day, idempotency_key, "
    "request_hash) "
    "SELECT $1, $2, $3::text, $4::int, $5::boolean, "
    "recurring_first_day($3::text, $4::int, (now() AT TIME ZONE 'UTC')::date + 1), $7::text, $8::text "
    "WHERE (SELECT count(*) FROM recurring_deposits WHERE user_id = $1 AND status <> 'deleted') < $6::int "
    "ON CONFLICT (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING "
    "RETURNING id, amount_cents, frequency, day, auto_invest, status, next_day::text, last_day::text, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')" },
  /* parity_svc_recurring_create(): the schedule created with Idempotency-Key $2 (deleted or not), and the hash
   * of the body that created it */
  [Q_RECURRING_BY_KEY] = { "Q_RECURRING_BY_KEY",
    "SELECT id, amount_cents, frequency, day, auto_invest, status, next_day::text, last_day::text, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), request_hash "
    "FROM recurring_deposits WHERE user_id = $1 AND idempotency_key = $2" },
  /* parity_svc_recurring_update(): $1 id, $2 user, then NULL (unchanged) or $3 cents, $4 frequency with $5
   * day, $6 auto_invest, $7 paused. A new frequency/day or a resume starts again from the first date after
   * today (and after the last date deposited): a paused schedule does not catch up what it skipped */
  [Q_RECURRING_UPDATE] = { "Q_RECURRING_UPDATE",
    "UPDATE recurring_deposits SET amount_cents = coalesce($3::bigint, amount_cents), "
    "frequency = coalesce($4::text, frequency), day = coalesce($5::int, day), "
    "auto_invest = coalesce($6::boolean, auto_invest), "
    "status = CASE WHEN $7::boolean IS NULL THEN status WHEN $7::boolean THEN 'paused' ELSE 'active' END, "
    "next_day = CASE WHEN $4::text IS NOT NULL OR ($7::boolean IS FALSE AND status = 'paused') "
    "  THEN recurring_first_day(coalesce($4::text, frequency), coalesce($5::int, day::int), "
    "       greatest((now() AT TIME ZONE 'UTC')::date, coalesce(last_day, (now() AT TIME ZONE 'UTC')::date)) + 1) "
    "  ELSE next_day END, updated_at = now() "
    "WHERE id = $1 AND user_id = $2 AND status <> 'deleted' "
    "RETURNING id, amount_cents, frequency, day, auto_invest, status, next_day::text, last_day::text, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')" },
  /* parity_svc_recurring_delete(): $1 id, $2 user */
  [Q_RECURRING_DELETE] = { "Q_RECURRING_DELETE",
    "UPDATE recurring_deposits SET status = 'deleted', updated_at = now() "
    "WHERE id = $1 AND user_id = $2 AND status <> 'deleted' RETURNING id" },
  /* parity_svc_recurring_run(): one runner at a time (the CronJob, the in-process schedule, replicas),
   * so their portfolio and wallet locks never cross; the (schedule, day) key makes a date once anyway */
  [Q_RECURRING_RUN_LOCK] = { "Q_RECURRING_RUN_LOCK", "SELECT pg_advisory_xact_lock(1919251318)" },
  /* parity_svc_recurring_run(): the portfolios the pass will invest into, locked in user order first (the
   * lock order of invest and of the rebalance batches: portfolio, then wallet); $1 day, $2 pass size */
  [Q_RECURRING_LOCK_PORTFOLIOS] = { "Q_RECURRING_LOCK_PORTFOLIOS",
    "SELECT p.user_id FROM portfolios p WHERE p.user_id IN (SELECT user_id FROM recurring_deposits "
    "WHERE status = 'active' AND next_day <= $1::date ORDER BY id LIMIT $2::int) ORDER BY p.user_id FOR UPDATE" },
  /* parity_svc_recurring_run(): one pass, set-based: every active schedule due on or before $1 (at most $2,
   * by the partial index) deposits its next date once ((schedule, day) is the runs' key: a date already
   * deposited is skipped), invests it when auto_invest and the investor has a bucket (pending cash: the
   * sweep opens its deploy batch, as after an invest), and advances to the following date, all in this
   * one statement. A date missed while nothing ran is deposited by the next pass, once; a schedule late
   * by several dates needs one pass per date. Answers the schedules seen, dates deposited, their cents
   * and the deposits invested. $3: the recurring_deposits job (recurring_deposit_runs.job_id; NULL: none). */
  [Q_RECURRING_RUN_DAY] = { "Q_RECURRING_RUN_DAY",
    "WITH due AS ("
    "  SELECT s.id, s.user_id, s.amount_cents, s.next_day, s.frequency, s.day::int AS day, "
    "         s.auto_invest AND p.bucket_key IS NOT NULL AS invest "
    "  FROM recurring_deposits s LEFT JOIN portfolios p ON p.user_id = s.user_id "
    "  WHERE s.status = 'active' AND s.next_day <= $1::date ORDER BY s.id LIMIT $2::int), "
    "claimed AS ("
    "  INSERT INTO recurring_deposit_runs (schedule_id, day, user_id, amount_cents, invested, job_id) "
    "  SELECT id, next_day, user_id, amount_cents, invest, $3::bigint FROM due "
    "  ON CONFLICT (schedule_id, day) DO NOTHING "
    "  RETURNING schedule_id, day, user_id, amount_cents, invested), "
    "moves AS ("
    "  INSERT INTO cash_movements (user_id, kind, amount_cents, external_ref, source) "
    "  SELECT user_id, 'deposit', amount_cents, 'recurring:' || schedule_id || ':' || day, 'recurring' FROM claimed "
    "  UNION ALL SELECT user_id, 'invest', amount_cents, 'recurring:' || schedule_id || ':' || day || ':invest', "
    "  'recurring' FROM claimed WHERE invested RETURNING id), "
    "per_user AS ("
    "  SELECT user_id, sum(amount_cents) AS total, coalesce(sum(amount_cents) FILTER (WHERE invested), 0) AS invested "
    "  FROM claimed GROUP BY user_id), "
    "wallet AS ("
    "  INSERT INTO wallets (user_id, cash_cents) SELECT user_id, total - invested FROM per_user "
    "  ON CONFLICT (user_id) DO UPDATE SET cash_cents = wallets.cash_cents + EXCLUDED.cash_cents, updated_at = now() "
    "  RETURNING user_id), "
    "portfolio AS ("
    "  UPDATE portfolios p SET cash_cents = p.cash_cents + u.invested, pending_cents = p.pending_cents + u.invested, "
    "  version = p.version + 1, updated_at = now() FROM per_user u WHERE p.user_id = u.user_id AND u.invested > 0 "
    "  RETURNING p.user_id), "
    "advanced AS ("
    "  UPDATE recurring_deposits s SET next_day = recurring_next_day(d.frequency, d.day, d.next_day), "
    "  last_day = d.next_day, updated_at = now() FROM due d WHERE s.id = d.id RETURNING s.id) "
    "SELECT (SELECT count(*) FROM advanced), (SELECT count(*) FROM claimed), "
    "(SELECT coalesce(sum(amount_cents), 0) FROM claimed), (SELECT count(*) FROM claimed WHERE invested), "
    "(SELECT count(*) FROM moves), (SELECT count(*) FROM wallet), (SELECT count(*) FROM portfolio)" },
  /* ------------------------------------------------------------ end of recurring deposits */

  /* ------------------------------------------------------------ card deposits through Stripe (svc_stripe.c) */
  /* parity_svc_stripe_intent(): the PaymentIntent Stripe created, remembered with its investor; $1 id,
   * $2 user, $3 cents, $4 the Idempotency-Key sent to Stripe (a repeat returns the same intent) */
  [Q_STRIPE_INTENT_INSERT] = { "Q_STRIPE_INTENT_INSERT",
    "INSERT INTO stripe_payment_intents (id, user_id, amount_cents, idempotency_key) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (id) DO NOTHING" },
  /* parity_svc_stripe_webhook(): the event, once by its id; no row: a replay ($1 id, $2 type, $3 intent) */
  [Q_STRIPE_EVENT_INSERT] = { "Q_STRIPE_EVENT_INSERT",
    "INSERT INTO stripe_events (event_id, type, payment_intent) VALUES ($1, $2, $3) "
    "ON CONFLICT (event_id) DO NOTHING RETURNING event_id" },
  /* parity_svc_stripe_webhook(): whose intent $1 is (only intents this server created are credited) */
  [Q_STRIPE_INTENT_OWNER] = { "Q_STRIPE_INTENT_OWNER",
    "SELECT user_id, amount_cents FROM stripe_payment_intents WHERE id = $1" },
  /* parity_svc_stripe_webhook(): credits user $1 with $2 cents for intent $3, once per intent
   * (external_ref is unique): no row when another event credited it already */
  [Q_STRIPE_CARD_DEPOSIT] = { "Q_STRIPE_CARD_DEPOSIT",
    "WITH m AS (INSERT INTO cash_movements (user_id, kind, amount_cents, external_ref, source) "
    "  VALUES ($1, 'deposit', $2, 'stripe:' || $3, 'card') ON CONFLICT (external_ref) DO NOTHING RETURNING id), "
    "w AS (INSERT INTO wallets (user_id, cash_cents) SELECT $1, $2 FROM m ON CONFLICT (user_id) DO UPDATE "
    "  SET cash_cents = wallets.cash_cents + EXCLUDED.cash_cents, updated_at = now() RETURNING cash_cents) "
    "SELECT m.id, w.cash_cents FROM m, w" },
  /* parity_svc_stripe_webhook(): the credit an event made; $1 event, $2 movement */
  [Q_STRIPE_EVENT_SET_MOVEMENT] = { "Q_STRIPE_EVENT_SET_MOVEMENT",
    "UPDATE stripe_events SET movement_id = $2 WHERE event_id = $1" },
  /* ------------------------------------------------------------ end of card deposits */

  /* ------------------------------------------------------------ dividends (migration 0011_dividends) */
  /* parity_svc_dividends_credit_day(): every position held at the end of the New York day before ex-date
   * $1 (its shares now minus the net of its trades since that day began, both read in this statement's
   * snapshot) receives floor(shares x amount) cents as a `dividend` movement in its portfolio's cash, and
   * as pending cash, so the sweep's next deploy reinvests it. The portfolios are locked first, in user
   * order as every batch locks them, so two writers never wait on each other in a cycle. All investors in
   * one statement; positions paid already are passed over (a repeated day locks nothing), and the primary
   * key of dividend_payments makes a concurrent repeat insert nothing. The movement ids are drawn first so
   * the payment row and its movement reference each other (the foreign key is checked at commit). A
   * movement is dated at the ex-date's close, or now when that is later, so a catch-up files it on its
   * day, with one `dividend_paid` notification per investor and day. $2: one investor only (NULL: all; the
   * demo's simulated past credits its own). Returns the payments made, their cents and the portfolios
   * credited. */
  [Q_DIVIDENDS_CREDIT_DAY] = { "Q_DIVIDENDS_CREDIT_DAY",
    "WITH held AS ("
    "  SELECT p.user_id, d.symbol, d.ex_day, d.amount_micros, p.shares_micro - coalesce(("
    "    SELECT sum(CASE t.side WHEN 'buy' THEN t.shares_micro ELSE -t.shares_micro END) FROM trades t "
    "    WHERE t.user_id = p.user_id AND t.symbol = p.symbol "
    "    AND t.created_at >= (d.ex_day::timestamp AT TIME ZONE 'America/New_York')), 0) AS shares_micro "
    "  FROM dividends d JOIN positions p ON p.symbol = d.symbol WHERE d.ex_day = $1::date "
    "  AND ($2::bigint IS NULL OR p.user_id = $2)), "
    "due AS ("
    "  SELECT user_id, symbol, ex_day, amount_micros, shares_micro, "
    "    div(shares_micro::numeric * amount_micros, 10000000000)::bigint AS cents "
    "  FROM held WHERE shares_micro > 0 AND NOT EXISTS (SELECT 1 FROM dividend_payments x "
    "    WHERE x.user_id = held.user_id AND x.symbol = held.symbol AND x.ex_day = held.ex_day)), "
    "locked AS ("
    "  SELECT user_id FROM portfolios WHERE user_id IN (SELECT user_id FROM due WHERE cents > 0) "
    "  ORDER BY user_id FOR UPDATE), "
    "numbered AS ("
    "  SELECT due.*, nextval(pg_get_serial_sequence('cash_movements', 'id')) AS movement_id "
    "  FROM due JOIN locked USING (user_id) WHERE cents > 0 ORDER BY user_id, symbol), "
    "paid AS ("
    "  INSERT INTO dividend_payments (user_id, symbol, ex_day, shares_micro, amount_micros, cents, movement_id) "
    "  SELECT user_id, symbol, ex_day, shares_micro, amount_micros, cents, movement_id FROM numbered "
    "  ON CONFLICT (user_id, symbol, ex_day) DO NOTHING RETURNING user_id, ex_day, cents, movement_id), "
    "moved AS ("
    "  INSERT INTO cash_movements (id, user_id, kind, amount_cents, created_at) OVERRIDING SYSTEM VALUE "
    "  SELECT movement_id, user_id, 'dividend', cents, "
    "    least(now(), (ex_day + time '16:00') AT TIME ZONE 'America/New_York') FROM paid RETURNING 1), "
    "credited AS ("
    "  UPDATE portfolios p SET cash_cents = p.cash_cents + s.cents, pending_cents = p.pending_cents + s.cents, "
    "    version = p.version + 1, updated_at = now() "
    "  FROM (SELECT user_id, sum(cents) AS cents FROM paid GROUP BY user_id) s WHERE p.user_id = s.user_id "
    "  RETURNING 1), "
    "noted AS ("
    "  INSERT INTO notifications (user_id, kind, ref, title, body, created_at) "
    "  SELECT user_id, 'dividend_paid', 'dividend:' || ex_day, 'Dividend paid', "
    "    'Your funds paid $' || to_char(sum(cents) / 100.0, 'FM999,999,999,990.00') || ' of dividends (ex-date ' "
    "    || to_char(ex_day, 'FMDD Mon YYYY') || ') into your portfolio''s cash; the next investment of cash "
    "reinvests it.', least(now(), (ex_day + time '16:00') AT TIME ZONE 'America/New_York') "
    "  FROM paid GROUP BY user_id, ex_day ON CONFLICT (user_id, kind, ref) DO NOTHING RETURNING 1) "
    "SELECT (SELECT count(*) FROM moved), (SELECT coalesce(sum(cents), 0) FROM paid), "
    "(SELECT count(*) FROM credited)" },
  /* parity_svc_dividends_credit_day(): the day is credited; $1 day, $2 payments, $3 cents of this run, $4 its
   * dividend_credit job (NULL: none) */
  [Q_DIVIDENDS_DAY_DONE] = { "Q_DIVIDENDS_DAY_DONE",
    "INSERT INTO dividend_days (ex_day, payments, cents, job_id) VALUES ($1::date, $2::int, $3::bigint, $4::bigint) "
    "ON CONFLICT (ex_day) DO UPDATE SET payments = dividend_days.payments + EXCLUDED.payments, "
    "cents = dividend_days.cents + EXCLUDED.cents, credited_at = now(), job_id = EXCLUDED.job_id" },
  /* parity_svc_dividends_catch_up(): ex-dates in [$1 - $2 days, $1] not credited yet, oldest first (by
   * the ex_day index; older ones are credited only when asked for by day) */
  [Q_DIVIDENDS_DAYS_DUE] = { "Q_DIVIDENDS_DAYS_DUE",
    "SELECT DISTINCT d.ex_day::text FROM dividends d WHERE d.ex_day <= $1::date "
    "AND d.ex_day >= $1::date - $2::int "
    "AND NOT EXISTS (SELECT 1 FROM dividend_days c WHERE c.ex_day = d.ex_day) ORDER BY 1" },
  /* ------------------------------------------------------------ end of dividends */

  /* ------------------------------------------------------------ the tax ledger (migration 0009) */
  /* parity_svc_sell(), GET /me/settings, GET /tax/lots: the investor's settings (defaults without a row) */
  [Q_TAX_SETTINGS] = { "Q_TAX_SETTINGS",
    "SELECT coalesce(s.lot_method, 'tax_min'), coalesce(s.tax_loss_harvesting, false) "
    "FROM (SELECT $1::bigint AS user_id) u LEFT JOIN investor_settings s ON s.user_id = u.user_id" },
  /* PATCH /me/settings: $1 user, $2 lot method (NULL: unchanged), $3 harvesting (NULL: unchanged) */
  [Q_TAX_SETTINGS_SET] = { "Q_TAX_SETTINGS_SET",
    "INSERT INTO investor_settings (user_id, lot_method, tax_loss_harvesting) "
    "VALUES ($1, coalesce($2, 'tax_min'), coalesce($3::boolean, false)) ON CONFLICT (user_id) DO UPDATE SET "
    "lot_method = coalesce($2, investor_settings.lot_method), "
    "tax_loss_harvesting = coalesce($3::boolean, investor_settings.tax_loss_harvesting), updated_at = now() "
    "RETURNING lot_method, tax_loss_harvesting" },
  /* parity_svc_sell(), the sale preview, portfolio locked: every open lot of user $1, by symbol (the columns
   * parity_tax_lots_read() reads from column 1 on) */
  [Q_TAX_USER_LOTS] = { "Q_TAX_USER_LOTS",
    "SELECT symbol, id, shares_micro, basis_cents, acquired - DATE '1970-01-01', bought - DATE '1970-01-01', "
    "replacement FROM lots WHERE user_id = $1 ORDER BY symbol, id" },
  /* parity_svc_apply_batch(), portfolios locked: the open lots of users $1..$2 (one index range), each with
   * its investor's lot method (only an investor with lots can sell) */
  [Q_TAX_BATCH_LOTS] = { "Q_TAX_BATCH_LOTS",
    "SELECT l.user_id, l.symbol, l.id, l.shares_micro, l.basis_cents, l.acquired - DATE '1970-01-01', "
    "l.bought - DATE '1970-01-01', l.replacement, coalesce(s.lot_method, 'tax_min') FROM lots l "
    "LEFT JOIN investor_settings s ON s.user_id = l.user_id WHERE l.user_id BETWEEN $1 AND $2 "
    "ORDER BY l.user_id, l.symbol, l.id" },
  /* parity_svc_apply_batch(): users $1..$2's losses sold on or after day $3 not all replaced yet (the
   * partial index holds only those, so this reads next to nothing) */
  [Q_TAX_BATCH_LOSSES] = { "Q_TAX_BATCH_LOSSES",
    "SELECT user_id, symbol, id, shares_micro, basis_cents - proceeds_cents, replaced_micro, wash_cents, "
    "acquired - DATE '1970-01-01', sold - DATE '1970-01-01' FROM realized_gains WHERE user_id BETWEEN $1 AND $2 "
    "AND basis_cents > proceeds_cents AND replaced_micro < shares_micro AND sold >= DATE '1970-01-01' + $3::int "
    "ORDER BY user_id, symbol, sold, id" },
  /* parity_svc_apply_batch(), parity_svc_harvest_run(): the families of interchangeable funds, members
   * adjacent in rank order */
  [Q_TAX_FAMILIES] = { "Q_TAX_FAMILIES", "SELECT symbol, family FROM tax_families ORDER BY family, rank" },
  /* GET /tax/lots: user $1's open lots with the newest close of their symbol and its day */
  [Q_TAX_LOTS_VALUED] = { "Q_TAX_LOTS_VALUED",
    "SELECT l.id, l.symbol, l.shares_micro, l.basis_cents, l.acquired::text, l.acquired - DATE '1970-01-01', "
    "c.close, c.day::text FROM lots l LEFT JOIN LATERAL (SELECT close, day FROM daily_prices d "
    "WHERE d.symbol = l.symbol ORDER BY day DESC LIMIT 1) c ON true WHERE l.user_id = $1 ORDER BY l.symbol, l.id" },
  /* GET /tax/realized: user $1's realized gains of year $2 by term, and the disallowed losses */
  [Q_TAX_REALIZED] = { "Q_TAX_REALIZED",
    "SELECT term, sum(proceeds_cents), sum(basis_cents), sum(proceeds_cents - basis_cents + wash_cents), "
    "sum(wash_cents) FROM realized_gains WHERE user_id = $1 AND sold >= make_date($2::int, 1, 1) "
    "AND sold < make_date($2::int + 1, 1, 1) GROUP BY term" },
  /* GET /tax/report: user $1's closed pieces of year $2, one Form 8949 row each */
  [Q_TAX_REPORT] = { "Q_TAX_REPORT",
    "SELECT symbol, shares_micro, acquired::text, sold::text, proceeds_cents, basis_cents, wash_cents, term "
    "FROM realized_gains WHERE user_id = $1 AND sold >= make_date($2::int, 1, 1) "
    "AND sold < make_date($2::int + 1, 1, 1) ORDER BY term DESC, sold, id" },
  /* parity audit: positions whose lots do not add up to them (shares or cost basis) */
  [Q_AUDIT_LOTS] = { "Q_AUDIT_LOTS",
    "SELECT coalesce(p.user_id, l.user_id), coalesce(p.symbol, l.symbol), coalesce(p.shares_micro, 0), "
    "coalesce(l.shares, 0), coalesce(p.cost_basis_cents, 0), coalesce(l.basis, 0) FROM positions p "
    "FULL JOIN (SELECT user_id, symbol, sum(shares_micro) AS shares, sum(basis_cents) AS basis FROM lots "
    "  GROUP BY user_id, symbol) l ON l.user_id = p.user_id AND l.symbol = p.symbol "
    "WHERE coalesce(p.shares_micro, 0) <> coalesce(l.shares, 0) "
    "OR coalesce(p.cost_basis_cents, 0) <> coalesce(l.basis, 0) ORDER BY 1, 2" },
  /* GET /tax/realized: user $1's dividends credited in year $2 (UTC days; none before dividends exist) */
  [Q_TAX_DIVIDENDS] = { "Q_TAX_DIVIDENDS",
    "SELECT coalesce(sum(amount_cents), 0) FROM cash_movements WHERE user_id = $1 AND kind = 'dividend' "
    "AND created_at >= make_date($2::int, 1, 1)::timestamp AT TIME ZONE 'UTC' "
    "AND created_at < make_date($2::int + 1, 1, 1)::timestamp AT TIME ZONE 'UTC'" },
  /* GET /tax/harvests: user $1's harvests, newest first, at most $2 */
  [Q_TAX_HARVESTS] = { "Q_TAX_HARVESTS",
    "SELECT id, day::text, sold_symbol, bought_symbol, sold_shares_micro, bought_shares_micro, proceeds_cents, "
    "cost_cents, loss_cents, sell_trade_id, buy_trade_id FROM tax_harvests WHERE user_id = $1 "
    "ORDER BY day DESC, id DESC LIMIT $2" },
  /* GET /tax/realized: user $1's losses harvested in year $2 */
  [Q_TAX_HARVESTED] = { "Q_TAX_HARVESTED",
    "SELECT coalesce(sum(loss_cents), 0) FROM tax_harvest_days WHERE user_id = $1 "
    "AND day >= make_date($2::int, 1, 1) AND day < make_date($2::int + 1, 1, 1)" },
  /* ------------------------------------------------------------ end of the tax ledger */
  /* ------------------------------------------------------------ the daily tax-loss harvest (svc_harvest.c) */
  /* parity_svc_harvest_run(): one harvest batch at a time (the CronJob, the pipeline's event, replicas), so
   * the batch query below sees every day claimed before it; (investor, day) is tax_harvest_days' key anyway */
  [Q_HARVEST_RUN_LOCK] = { "Q_HARVEST_RUN_LOCK", "SELECT pg_advisory_xact_lock(1751216758)" },
  /* parity_svc_harvest_run(): the investors the run will look at (harvesting on, a portfolio, not harvested
   * on day $1), for the job's progress */
  [Q_HARVEST_PENDING] = { "Q_HARVEST_PENDING",
    "SELECT count(*) FROM investor_settings s JOIN portfolios p ON p.user_id = s.user_id "
    "WHERE s.tax_loss_harvesting AND NOT EXISTS (SELECT 1 FROM tax_harvest_days d "
    "WHERE d.user_id = s.user_id AND d.day = $1::date)" },
  /* parity_svc_harvest_run(), after Q_HARVEST_RUN_LOCK: the next keyset slice of investors with harvesting on
   * and a portfolio (one may turn it on before onboarding) after user $1 not harvested on day $2, at most $3,
   * their portfolios locked in user order (the lock order of invest, sell and the rebalance batches) */
  [Q_HARVEST_LOCK_BATCH] = { "Q_HARVEST_LOCK_BATCH",
    "SELECT p.user_id FROM portfolios p JOIN investor_settings s ON s.user_id = p.user_id "
    "WHERE s.tax_loss_harvesting AND p.user_id > $1 AND NOT EXISTS (SELECT 1 FROM tax_harvest_days d "
    "WHERE d.user_id = p.user_id AND d.day = $2::date) ORDER BY p.user_id LIMIT $3::int FOR UPDATE OF p" },
  /* parity_svc_harvest_run(): a batch's harvests in one statement, one element per harvest in the arrays
   * $1 user, $2 sold symbol, $3 bought symbol, $4 shares sold, $5 their price, $6 proceeds, $7 and $8 the
   * sold position after, $9 shares bought, $10 their price, $11 cost, $12 and $13 the bought position after,
   * $14 loss; $15 day, $16 job. Both trades (reason 'harvest'), both positions, the rest of the proceeds
   * into the portfolio's cash, the investor's day (its key: once a day), the harvest rows and the investor's
   * `harvest_done` notification. A fund is in
   * at most one harvest of an investor a day, so (user, symbol) names one trade. Answers the sell trades,
   * for the realized gain rows written next. */
  [Q_HARVEST_APPLY] = { "Q_HARVEST_APPLY",
    "WITH h AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], "
    "  $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], "
    "  $13::bigint[], $14::bigint[]) AS h(user_id, sold, bought, sold_shares, sold_price, proceeds, sold_left, "
    "  sold_cost, bought_shares, bought_price, cost, bought_held, bought_cost, loss)), "
    "sells AS (INSERT INTO trades (user_id, symbol, side, shares_micro, price_micros, amount_cents, reason) "
    "  SELECT user_id, sold, 'sell', sold_shares, sold_price, proceeds, 'harvest' FROM h RETURNING id, user_id, symbol), "
    "buys AS (INSERT INTO trades (user_id, symbol, side, shares_micro, price_micros, amount_cents, reason) "
    "  SELECT user_id, bought, 'buy', bought_shares, bought_price, cost, 'harvest' FROM h RETURNING id, user_id, symbol), "
    "pos AS (INSERT INTO positions (user_id, symbol, shares_micro, cost_basis_cents) "
    "  SELECT user_id, sold, sold_left, sold_cost FROM h UNION ALL SELECT user_id, bought, bought_held, bought_cost FROM h "
    "  ON CONFLICT (user_id, symbol) DO UPDATE SET shares_micro = EXCLUDED.shares_micro, "
    "  cost_basis_cents = EXCLUDED.cost_basis_cents, updated_at = now()), "
    "cash AS (UPDATE portfolios p SET cash_cents = p.cash_cents + c.rest, version = p.version + 1, updated_at = now() "
    "  FROM (SELECT user_id, sum(proceeds - cost) AS rest FROM h GROUP BY user_id) c WHERE p.user_id = c.user_id), "
    "days AS (INSERT INTO tax_harvest_days (user_id, day, job_id, loss_cents) "
    "  SELECT user_id, $15::date, $16::bigint, sum(loss) FROM h GROUP BY user_id), "
    "rows AS (INSERT INTO tax_harvests (user_id, day, sold_symbol, bought_symbol, sold_shares_micro, "
    "  bought_shares_micro, proceeds_cents, cost_cents, loss_cents, sell_trade_id, buy_trade_id) "
    "  SELECT h.user_id, $15::date, h.sold, h.bought, h.sold_shares, h.bought_shares, h.proceeds, h.cost, h.loss, "
    "  s.id, b.id FROM h JOIN sells s ON s.user_id = h.user_id AND s.symbol = h.sold "
    "  JOIN buys b ON b.user_id = h.user_id AND b.symbol = h.bought), "
    "noted AS (INSERT INTO notifications (user_id, kind, ref, title, body) "
    "  SELECT user_id, 'harvest_done', 'harvest:' || $15::date, 'Losses harvested', 'We sold ' || count(*) "
    "  || CASE count(*) WHEN 1 THEN ' fund' ELSE ' funds' END || ' at a loss of $' "
    "  || to_char(sum(loss) / 100.0, 'FM999,999,999,990.00') || ' and bought similar funds with the proceeds: your "
    "mix is unchanged, and the loss can lower your taxes.' FROM h GROUP BY user_id "
    "  ON CONFLICT (user_id, kind, ref) DO NOTHING) "
    "SELECT user_id, symbol, id FROM sells ORDER BY user_id, symbol" },
  /* ------------------------------------------------------------ end of the harvest */
  /* ------------------------------------------------------------ jobs (svc_jobs.c) */

  /* parity_jobs_create(): $1 type, $2 params, $3 trigger, $4 unit, $5 expected seconds, $6 queued|running */
  [Q_JOB_INSERT] = { "Q_JOB_INSERT",
    "INSERT INTO jobs (type, params, trigger, progress_unit, expected_seconds, status, started_at) "
    "VALUES ($1, coalesce($2::jsonb, '{}'), $3, $4, $5, $6, CASE WHEN $6 = 'running' THEN now() END) RETURNING id" },
  /* parity_jobs_add_message(): a command the job sent, in the transaction that wrote its outbox row */
  [Q_JOB_ADD_MESSAGE] = { "Q_JOB_ADD_MESSAGE",
    "UPDATE jobs SET message_ids = message_ids || $2::uuid WHERE id = $1" },
  /* parity_jobs_progress(): $1 job, $2 done, $3 total (NULL: not known) */
  [Q_JOB_PROGRESS] = { "Q_JOB_PROGRESS",
    "UPDATE jobs SET progress_done = $2, progress_total = $3 WHERE id = $1 AND status = 'running'" },
  /* parity_jobs_finish(): $1 job, $2 final status, $3 reason, $4 counters merged into the job's */
  [Q_JOB_FINISH] = { "Q_JOB_FINISH",
    "UPDATE jobs SET status = $2, reason = $3, finished_at = now(), counters = counters || coalesce($4::jsonb, '{}'), "
    "progress_done = CASE WHEN $2 = 'succeeded' THEN coalesce(progress_total, progress_done) ELSE progress_done END "
    "WHERE id = $1 AND status IN ('queued', 'running')" },
  /* GET /internal/jobs/{id}: the job as the API shows it */
  [Q_JOB_GET] = { "Q_JOB_GET", "SELECT " PARITY_JOB_JSON_SQL "::text FROM jobs j WHERE j.id = $1" },
  /* GET /internal/jobs: newest first, keyset by id ($4: the last id of the previous page); filters may be NULL:
   * $1 type, $2 status, $3 created since, $5 limit */
  [Q_JOB_LIST] = { "Q_JOB_LIST",
    "SELECT j.id, " PARITY_JOB_JSON_SQL "::text FROM jobs j WHERE ($1::text IS NULL OR j.type = $1) "
    "AND ($2::text IS NULL OR j.status = $2) AND ($3::timestamptz IS NULL OR j.created_at >= $3) "
    "AND ($4::bigint IS NULL OR j.id < $4) ORDER BY j.id DESC LIMIT $5" },
  /* the job watchers (job_watch.c): the state a notification would carry, for a new watcher or after the
   * listener reconnected; $1 bigint[] of job ids */
  [Q_JOB_EVENTS] = { "Q_JOB_EVENTS", "SELECT job_event(j)::text FROM jobs j WHERE j.id = ANY ($1::bigint[])" },
  /* parity_svc_jobs_retry(): a monthly rebalance's run (no row for other jobs), locked before the job as every
   * writer of both does (the appliers' trigger), so a retry and an applier cannot deadlock */
  [Q_RUN_LOCK_FOR_JOB] = { "Q_RUN_LOCK_FOR_JOB", "SELECT id FROM rebalance_runs WHERE job_id = $1 FOR UPDATE" },
  /* parity_svc_jobs_retry(): the job, locked against a second retry */
  [Q_JOB_LOCK] = { "Q_JOB_LOCK", "SELECT type, status FROM jobs WHERE id = $1 FOR UPDATE" },
  /* parity_svc_jobs_retry(): sends again (under new ids) the job's commands whose effect never committed
   * (dead-lettered, or lost), drops the old ids, and makes the job run again; returns how many were sent.
   * What did commit is not repeated: its message id is in processed_messages. */
  [Q_JOB_RETRY] = { "Q_JOB_RETRY",
    "WITH old AS (SELECT o.id, o.type, o.payload, o.seq FROM outbox o, jobs j WHERE j.id = $1 "
    "  AND o.id = ANY (j.message_ids) AND NOT EXISTS (SELECT 1 FROM processed_messages p WHERE p.message_id = o.id)), "
    "ins AS (INSERT INTO outbox (type, payload) SELECT type, payload FROM old ORDER BY seq RETURNING id) "
    "UPDATE jobs SET status = 'running', reason = NULL, finished_at = NULL, stuck_at = NULL, started_at = now(), "
    "attempts = attempts + 1, message_ids = ARRAY(SELECT m FROM unnest(jobs.message_ids) m "
    "  WHERE m NOT IN (SELECT id FROM old)) || ARRAY(SELECT id FROM ins) "
    "WHERE jobs.id = $1 RETURNING (SELECT count(*) FROM ins)" },
  /* parity_svc_jobs_retry() of a monthly rebalance: a run that ended in error or stale data plans again
   * from its cursor (batches already applied stay applied) */
  [Q_RUN_RESUME_FOR_JOB] = { "Q_RUN_RESUME_FOR_JOB",
    "UPDATE rebalance_runs SET status = CASE WHEN planned_at IS NULL THEN 'planning' ELSE 'running' END, "
    "error = NULL, finished_at = NULL WHERE job_id = $1 AND status IN ('stale_aborted', 'error')" },
  /* the stuck-job sweep (job_watch.c, on the LISTEN connection): unfinished past their expected time */
  [Q_JOBS_MARK_STUCK] = { "Q_JOBS_MARK_STUCK",
    "UPDATE jobs SET stuck_at = now() WHERE status IN ('queued', 'running') AND stuck_at IS NULL "
    "AND coalesce(started_at, created_at) + expected_seconds * interval '1 second' < now() RETURNING id, type" },
  /* the parity_operational_jobs_stuck gauge */
  [Q_JOBS_STUCK_COUNT] = { "Q_JOBS_STUCK_COUNT",
    "SELECT count(*) FROM jobs WHERE status IN ('queued', 'running') AND stuck_at IS NOT NULL" },
  /* parity ops-status (cli/cmd_ops.c): the newest job of each type, one index probe per type */
  [Q_OPS_LAST_JOBS] = { "Q_OPS_LAST_JOBS",
    "SELECT t.type, j.id, j.status, j.stuck_at IS NOT NULL, " JOB_TS("j.created_at") ", " JOB_TS("j.finished_at") ", "
    "round(extract(epoch FROM coalesce(j.finished_at, now()) - coalesce(j.started_at, j.created_at))::numeric, 1), "
    "j.reason FROM (SELECT DISTINCT type FROM jobs) t CROSS JOIN LATERAL "
    "(SELECT * FROM jobs WHERE type = t.type ORDER BY id DESC LIMIT 1) j ORDER BY t.type" },
  /* parity ops-status: how new the data is (newest close, newest intraday price, newest models) */
  [Q_OPS_FRESHNESS] = { "Q_OPS_FRESHNESS",
    "SELECT (SELECT max(day)::text FROM daily_prices), (SELECT current_date - max(day) FROM daily_prices), "
    "(SELECT " JOB_TS("max(ts)") " FROM intraday_prices), (SELECT max(as_of_day)::text FROM model_portfolios), "
    "(SELECT " JOB_TS("max(computed_at)") " FROM model_portfolios)" },


  /* ------------------------------------------------------------ goals (svc_goals.c) */
  /* load_goals(): the investor $1's goals ($2 = one goal's id, 0 = all) with their forecast's state; the
   * column order is svc_goals.c's G_* enum */
  [Q_GOALS_LIST] = { "Q_GOALS_LIST",
    "SELECT g.id, g.name, g.target_cents, g.target_day::text, g.target_day - DATE '1970-01-01', g.monthly_cents, "
    "g.forecast_id::text, g.forecast_basis_cents, g.forecast_month - DATE '1970-01-01', f.status, "
    "f.result->>'goal_probability', f.error, "
    "to_char(f.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
    "FROM goals g LEFT JOIN forecasts f ON f.id = g.forecast_id "
    "WHERE g.user_id = $1 AND ($2::bigint = 0 OR g.id = $2::bigint) ORDER BY g.target_day, g.id" },
  /* parity_svc_goal_create(), under Q_FORECAST_USER_LOCK: no row when the investor has $6 goals already */
  [Q_GOAL_INSERT] = { "Q_GOAL_INSERT",
    "INSERT INTO goals (user_id, name, target_cents, target_day, monthly_cents) "
    "SELECT $1, $2, $3, $4::date, $5 WHERE (SELECT count(*) FROM goals WHERE user_id = $1) < $6::int RETURNING id" },
  /* parity_svc_goal_update(): NULL leaves a field; any change drops the forecast, so the next read asks one */
  [Q_GOAL_UPDATE] = { "Q_GOAL_UPDATE",
    "UPDATE goals SET name = coalesce($3, name), target_cents = coalesce($4::bigint, target_cents), "
    "target_day = coalesce($5::date, target_day), monthly_cents = coalesce($6::bigint, monthly_cents), "
    "forecast_id = NULL, forecast_basis_cents = NULL, forecast_month = NULL, updated_at = now() "
    "WHERE id = $1 AND user_id = $2 RETURNING id" },
  /* parity_svc_goal_delete() */
  [Q_GOAL_DELETE] = { "Q_GOAL_DELETE", "DELETE FROM goals WHERE id = $1 AND user_id = $2 RETURNING id" },
  /* refresh_one(): the forecast $3 just asked for goal $1, from a portfolio worth $4 in the month $5 */
  [Q_GOAL_SET_FORECAST] = { "Q_GOAL_SET_FORECAST",
    "UPDATE goals SET forecast_id = $3::uuid, forecast_basis_cents = $4, forecast_month = $5::date "
    "WHERE id = $1 AND user_id = $2" },
  /* ------------------------------------------------------------ end of goals */

  /* ------------------------------------------------------------ notifications (notifications.c) */
  /* parity_svc_notifications_list(), _mark_read(): the unread count, by the partial index */
  [Q_NOTIF_UNREAD] = { "Q_NOTIF_UNREAD",
    "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL" },
  /* parity_svc_notifications_list(): the newest $2 */
  [Q_NOTIF_LIST] = { "Q_NOTIF_LIST",
    "SELECT id, kind, title, body, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
    "read_at IS NOT NULL FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $2::int" },
  /* parity_svc_notifications_mark_read(): the ids $2 (a bigint[] text), or all when NULL */
  [Q_NOTIF_MARK_READ] = { "Q_NOTIF_MARK_READ",
    "UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL "
    "AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))" },
  /* parity_svc_notification_settings_get() */
  [Q_NOTIF_SETTINGS_GET] = { "Q_NOTIF_SETTINGS_GET",
    "SELECT kind, email FROM notification_settings WHERE user_id = $1" },
  /* parity_svc_notification_settings_put(): one kind's switch */
  [Q_NOTIF_SETTINGS_PUT] = { "Q_NOTIF_SETTINGS_PUT",
    "INSERT INTO notification_settings (user_id, kind, email) VALUES ($1, $2, $3::boolean) "
    "ON CONFLICT (user_id, kind) DO UPDATE SET email = EXCLUDED.email" },
  /* parity_notify_goals_off_track(): the goals of forecast $1 (or of every complete forecast of user $2)
   * whose probability crossed the threshold $3 change their flag; those now off track get one notification
   * per forecast, in the same statement. Two replicas hearing the same NOTIFY: the row lock makes the second
   * UPDATE see the flag already set, and (user, kind, ref) is unique anyway. */
  [Q_NOTIF_GOALS_OFF_TRACK] = { "Q_NOTIF_GOALS_OFF_TRACK",
    "WITH flipped AS (UPDATE goals g SET off_track = (f.result->>'goal_probability')::float8 < $3::float8 "
    "FROM forecasts f WHERE f.id = g.forecast_id AND f.status = 'complete' "
    "AND f.result->>'goal_probability' IS NOT NULL "
    "AND ($1::uuid IS NULL OR f.id = $1::uuid) AND ($2::bigint IS NULL OR g.user_id = $2::bigint) "
    "AND g.off_track <> ((f.result->>'goal_probability')::float8 < $3::float8) "
    "RETURNING g.id, g.user_id, g.name, g.off_track, (f.result->>'goal_probability')::float8 AS p, f.id AS fid) "
    "INSERT INTO notifications (user_id, kind, ref, title, body) "
    "SELECT user_id, 'goal_off_track', 'goal:' || id || ':' || fid, 'Goal off track: ' || name, "
    "'The chance of reaching \"' || name || '\" is now ' || round(p * 100)::int || '%. Adding more each month, "
    "a later date or a smaller target would raise it.' FROM flipped WHERE off_track "
    "ON CONFLICT (user_id, kind, ref) DO NOTHING" },
  /* parity_notifications_mail_sweep(): claims up to $2 unmailed notifications; the last column says whether
   * the investor's switch (or the kind's default: $1 lists the kinds emailed by default) wants the email */
  [Q_NOTIF_MAIL_CLAIM] = { "Q_NOTIF_MAIL_CLAIM",
    "UPDATE notifications n SET emailed_at = now() FROM (SELECT id FROM notifications WHERE emailed_at IS NULL "
    "ORDER BY id LIMIT $2::int FOR UPDATE SKIP LOCKED) c, users u WHERE n.id = c.id AND u.id = n.user_id "
    "RETURNING n.id, u.email::text, n.kind, n.title, n.body, COALESCE((SELECT s.email FROM notification_settings s "
    "WHERE s.user_id = n.user_id AND s.kind = n.kind), n.kind = ANY($1::text[]))" },
  /* issue_session() on a login (a new session family $2): "new sign-in", in the login's transaction */
  [Q_NOTIF_SIGN_IN] = { "Q_NOTIF_SIGN_IN",
    "INSERT INTO notifications (user_id, kind, ref, title, body) VALUES ($1, 'new_sign_in', 'session:' || $2, "
    "'New sign-in', 'Someone signed in to your account' || COALESCE(' from ' || $3, '') || "
    "COALESCE(' (' || left($4, 120) || ')', '') || '. If it was not you, change your password and end the "
    "other sessions in your account.') ON CONFLICT (user_id, kind, ref) DO NOTHING" },
  /* ------------------------------------------------------------ end of notifications */

  /* ------------------------------------------------------------ statements and confirmations (svc_statement.c)
   * Months and days are New York's, as the portfolio history's (svc_history.h). */
  /* parity_svc_statement_months(): the months ("YYYY-MM") of user $1 with a cash movement or a trade */
  [Q_STATEMENT_MONTHS] = { "Q_STATEMENT_MONTHS",
    "SELECT m FROM (SELECT to_char(created_at AT TIME ZONE 'America/New_York', 'YYYY-MM') AS m "
    "  FROM cash_movements WHERE user_id = $1 "
    "  UNION SELECT to_char(created_at AT TIME ZONE 'America/New_York', 'YYYY-MM') FROM trades WHERE user_id = $1"
    ") x ORDER BY 1" },
  /* parity_svc_statement(): user $1's wallet cash at the end of day $2 - 1 and of day $3 (days since 1970),
   * then the movements of days $2..$3 by kind: deposits, withdrawals, dividends, fees, invests, sales. The
   * wallet takes deposits and sale proceeds, and pays withdrawals, invests and fees; dividends are paid
   * into the portfolio (Q_DIVIDENDS_CREDIT_DAY), so they are in its value, not in the wallet's. */
  [Q_STATEMENT_CASH] = { "Q_STATEMENT_CASH",
    "SELECT coalesce(sum(w) FILTER (WHERE d < $2::int), 0), coalesce(sum(w) FILTER (WHERE d <= $3::int), 0), "
    "coalesce(sum(amount_cents) FILTER (WHERE kind = 'deposit' AND d BETWEEN $2::int AND $3::int), 0), "
    "coalesce(sum(amount_cents) FILTER (WHERE kind = 'withdrawal' AND d BETWEEN $2::int AND $3::int), 0), "
    "coalesce(sum(amount_cents) FILTER (WHERE kind = 'dividend' AND d BETWEEN $2::int AND $3::int), 0), "
    "coalesce(sum(amount_cents) FILTER (WHERE kind = 'fee' AND d BETWEEN $2::int AND $3::int), 0), "
    "coalesce(sum(amount_cents) FILTER (WHERE kind = 'invest' AND d BETWEEN $2::int AND $3::int), 0), "
    "coalesce(sum(amount_cents) FILTER (WHERE kind = 'sell' AND d BETWEEN $2::int AND $3::int), 0) "
    "FROM (SELECT kind, amount_cents, (created_at AT TIME ZONE 'America/New_York')::date - DATE '1970-01-01' AS d, "
    "  CASE kind WHEN 'deposit' THEN amount_cents WHEN 'sell' THEN amount_cents WHEN 'withdrawal' THEN -amount_cents "
    "  WHEN 'invest' THEN -amount_cents WHEN 'fee' THEN -amount_cents ELSE 0 END AS w "
    "  FROM cash_movements WHERE user_id = $1) m" },
  /* parity_svc_statement(): user $1's trades of days $2..$3, oldest first, at most $4 */
  [Q_STATEMENT_TRADES] = { "Q_STATEMENT_TRADES",
    "SELECT id, to_char(created_at AT TIME ZONE 'America/New_York', 'YYYY-MM-DD'), symbol, side, shares_micro, "
    "price_micros, amount_cents, reason, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
    "FROM trades WHERE user_id = $1 AND (created_at AT TIME ZONE 'America/New_York')::date "
    "  BETWEEN DATE '1970-01-01' + $2::int AND DATE '1970-01-01' + $3::int ORDER BY created_at, id LIMIT $4" },
  /* parity_svc_statement(), parity_svc_trade_confirmation(): the investor named on the document */
  [Q_STATEMENT_INVESTOR] = { "Q_STATEMENT_INVESTOR", "SELECT email::text FROM users WHERE id = $1" },
  /* parity_svc_trade_confirmation(): trade $1 when it is user $2's (no row for anyone else's) */
  [Q_TRADE_CONFIRMATION] = { "Q_TRADE_CONFIRMATION",
    "SELECT t.id, to_char(t.created_at AT TIME ZONE 'America/New_York', 'YYYY-MM-DD'), t.symbol, t.side, "
    "t.shares_micro, t.price_micros, t.amount_cents, t.reason, "
    "to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), u.email::text "
    "FROM trades t JOIN users u ON u.id = t.user_id WHERE t.id = $1 AND t.user_id = $2" },
  /* ------------------------------------------------------------ end of statements */
};

/* parity_cli_seed_investors(): every row goes in by COPY, one table after the other, in one transaction */
const char *const parity_op_sql[SQL_OP_COUNT] = {
  /* no registration can take an id of the reserved block (a concurrent one waits for the commit) */
  /* ...and synthetic deposits are no news to anyone: migration 0010's deposit trigger skips them */
  [SQL_OP_SEED_LOCK_USERS] = "LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE; SET LOCAL parity.seeding = 'on'",
  [SQL_OP_SEED_COPY_USERS] =
    "COPY users (id, email, password_hash, email_verified_at, risk_tolerance, horizon, onboarding) FROM STDIN",
  [SQL_OP_SEED_COPY_WALLETS] = "COPY wallets (user_id, cash_cents) FROM STDIN",
  [SQL_OP_SEED_COPY_PORTFOLIOS] =
    "COPY portfolios (user_id, cash_cents, pending_cents, bucket_key, version) FROM STDIN",
  [SQL_OP_SEED_COPY_MOVEMENTS] = "COPY cash_movements (user_id, kind, amount_cents) FROM STDIN",
  [SQL_OP_SEED_COPY_POSITIONS] = "COPY positions (user_id, symbol, shares_micro, cost_basis_cents) FROM STDIN",
  [SQL_OP_SEED_COPY_TRADES] =
    "COPY trades (user_id, symbol, side, shares_micro, price_micros, amount_cents, reason) FROM STDIN",
  /* after a bulk load the planner's statistics are stale until autovacuum notices; refresh them now */
  [SQL_OP_SEED_ANALYZE] = "ANALYZE users, wallets, portfolios, cash_movements, positions, trades, lots",
  /* parity_svc_apply_batch(): session-local staging for a batch's trades, emptied at every commit (no WAL,
   * no vacuum debt); created once per connection, the notice of "already exists" silenced */
  [SQL_OP_APPLY_STAGE_CREATE] =
    "SET LOCAL client_min_messages = warning; CREATE TEMP TABLE IF NOT EXISTS apply_trades (user_id bigint, "
    "symbol text, side text, shares_micro bigint, price_micros bigint, amount_cents bigint, reason text, "
    "run_id bigint, batch_id bigint, new_shares bigint, new_cost bigint) ON COMMIT DELETE ROWS",
  [SQL_OP_APPLY_COPY_TRADES] = "COPY apply_trades FROM STDIN",
  [SQL_OP_APPLY_INSERT_TRADES] =
    "INSERT INTO trades (user_id, symbol, side, shares_micro, price_micros, amount_cents, reason, run_id, batch_id) "
    "SELECT user_id, symbol, side, shares_micro, price_micros, amount_cents, reason, run_id, batch_id FROM apply_trades",
  /* every traded position's row as the plan left it (a buy adds to it, a sell keeps the rest) */
  [SQL_OP_APPLY_POSITIONS] =
    "INSERT INTO positions (user_id, symbol, shares_micro, cost_basis_cents) "
    "SELECT user_id, symbol, new_shares, new_cost FROM apply_trades ON CONFLICT (user_id, symbol) DO UPDATE "
    "SET shares_micro = EXCLUDED.shares_micro, cost_basis_cents = EXCLUDED.cost_basis_cents, updated_at = now()",
  /* parity_tax_book_write(): session-local staging of a transaction's lot changes (as apply_trades above);
   * days are day numbers, ids \N for rows not written yet */
  [SQL_OP_TAX_STAGE_CREATE] =
    "SET LOCAL client_min_messages = warning; "
    "CREATE TEMP TABLE IF NOT EXISTS tax_lot_stage (user_id bigint, symbol text, id bigint, shares_micro bigint, "
    "basis_cents bigint, acquired int, bought int, replacement boolean) ON COMMIT DELETE ROWS; "
    "CREATE TEMP TABLE IF NOT EXISTS tax_gain_stage (user_id bigint, symbol text, trade_id bigint, batch_id bigint, "
    "lot_id bigint, shares_micro bigint, proceeds_cents bigint, basis_cents bigint, acquired int, sold int, "
    "term text, wash_cents bigint, replaced_micro bigint) ON COMMIT DELETE ROWS; "
    "CREATE TEMP TABLE IF NOT EXISTS tax_loss_stage (id bigint, replaced_micro bigint, wash_cents bigint) "
    "ON COMMIT DELETE ROWS",
  [SQL_OP_TAX_COPY_LOTS] = "COPY tax_lot_stage FROM STDIN",
  [SQL_OP_TAX_COPY_GAINS] = "COPY tax_gain_stage FROM STDIN",
  [SQL_OP_TAX_COPY_LOSSES] = "COPY tax_loss_stage FROM STDIN",
  /* every change in one statement (one round trip per transaction): lots a sell closed whole, lots it
   * reduced or a wash sale made (part of) a replacement, lots opened or split off, earlier losses a buy
   * replaced (more of), and the realized gain rows, a batch's trade found by its key (batch, user, symbol).
   * The parts touch different rows, so the one snapshot they share is enough. */
  [SQL_OP_TAX_APPLY] =
    "WITH closed AS (DELETE FROM lots l USING tax_lot_stage s WHERE l.id = s.id AND s.shares_micro = 0), "
    "changed AS (UPDATE lots l SET shares_micro = s.shares_micro, basis_cents = s.basis_cents, "
    "  acquired = DATE '1970-01-01' + s.acquired, replacement = s.replacement FROM tax_lot_stage s "
    "  WHERE l.id = s.id AND s.shares_micro > 0), "
    "opened AS (INSERT INTO lots (user_id, symbol, shares_micro, basis_cents, acquired, bought, replacement) "
    "  SELECT user_id, symbol, shares_micro, basis_cents, DATE '1970-01-01' + acquired, DATE '1970-01-01' + bought, "
    "  replacement FROM tax_lot_stage WHERE id IS NULL), "
    "replaced AS (UPDATE realized_gains r SET replaced_micro = s.replaced_micro, wash_cents = s.wash_cents "
    "  FROM tax_loss_stage s WHERE r.id = s.id) "
    "INSERT INTO realized_gains (user_id, symbol, trade_id, lot_id, shares_micro, proceeds_cents, basis_cents, "
    "acquired, sold, term, wash_cents, replaced_micro) "
    "SELECT g.user_id, g.symbol, coalesce(g.trade_id, t.id), g.lot_id, g.shares_micro, g.proceeds_cents, "
    "g.basis_cents, DATE '1970-01-01' + g.acquired, DATE '1970-01-01' + g.sold, g.term, g.wash_cents, "
    "g.replaced_micro FROM tax_gain_stage g LEFT JOIN trades t ON g.trade_id IS NULL AND t.batch_id = g.batch_id "
    "AND t.user_id = g.user_id AND t.symbol = g.symbol",
  /* parity_cli_seed_investors(): one lot per position (migration 0009) */
  [SQL_OP_SEED_COPY_LOTS] = "COPY lots (user_id, symbol, shares_micro, basis_cents, acquired, bought) FROM STDIN",
  /* one "rebalance executed" notification per investor the batch rebalanced (not for deploys of invested
   * cash, whose investor asked for them), in the batch's transaction: one statement for the whole batch */
  [SQL_OP_APPLY_NOTIFY] =
    "INSERT INTO notifications (user_id, kind, ref, title, body) SELECT user_id, 'rebalance_executed', "
    "'batch:' || batch_id, 'Portfolio rebalanced', 'We brought your portfolio back to its model weights: ' || "
    "count(*) || CASE count(*) WHEN 1 THEN ' trade' ELSE ' trades' END || ', no fees.' FROM apply_trades "
    "WHERE reason = 'rebalance' GROUP BY user_id, batch_id ON CONFLICT (user_id, kind, ref) DO NOTHING",
};
/* clang-format on */
