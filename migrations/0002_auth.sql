-- 0002_auth: what the account and security routes (issue 4) need beyond 0001: the access token a
-- refresh-token row was issued with (so a revoked session stops its access tokens too), and the
-- indexes of the lookups the routes make on every request.

ALTER TABLE sessions ADD COLUMN access_jti text CHECK (length(access_jti) BETWEEN 1 AND 64);
CREATE UNIQUE INDEX sessions_access_jti_idx ON sessions (access_jti);
COMMENT ON COLUMN sessions.access_jti IS
  'jti of the access token issued with this refresh token: the gate accepts a bearer token only while its row is not revoked.';
COMMENT ON COLUMN sessions.family_id IS
  'One login: every rotation of its refresh token keeps the family; the API shows a family as one session.';
COMMENT ON COLUMN sessions.family_expires_at IS
  'Login time + 30 days; copied unchanged to every rotated row, so no rotation extends a session.';
COMMENT ON COLUMN sessions.revoked_reason IS 'logout, logout_all, revoked, reuse, password_changed, password_reset.';

-- Unused tokens of one kind for a user (verification resent, reset asked twice): the newest
-- single-use tokens are found and the older ones retired through this index.
CREATE INDEX action_tokens_unused_idx ON action_tokens (user_id, type) WHERE used_at IS NULL;
COMMENT ON COLUMN action_tokens.token_hash IS 'SHA-256 of the token text (the token itself is only ever in the email or the answer).';

COMMENT ON COLUMN login_attempts.email_key IS 'parity_email_normalize() of the address typed, whether or not an account has it.';
COMMENT ON COLUMN login_attempts.failures IS
  'Failures in the current streak, counted before the password is hashed (an attempt in flight already counts).';
COMMENT ON COLUMN login_attempts.locked_until IS 'last failure + 15 minutes once failures reached 5; informative, the rule lives in lockout.c.';
CREATE INDEX login_attempts_last_failure_idx ON login_attempts (last_failure_at);

COMMENT ON COLUMN totp.enabled_at IS 'NULL while set up but not confirmed with a code; 2FA is on once set.';
COMMENT ON TABLE recovery_codes IS 'Ten single-use codes per user with 2FA; code_hash is argon2id (token.h), used_at marks the single use.';
