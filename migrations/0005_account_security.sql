-- 0005_account_security: a pending registration is its verification link, and the link carries the
-- password of the registration that sent it. Whoever opens a link proves the mailbox and activates
-- the password typed with that registration, so registering someone's address first (with a
-- password of one's own) and waiting for its owner to verify gains nothing.

ALTER TABLE action_tokens ADD COLUMN password_hash text
  CONSTRAINT action_tokens_password_hash_only_to_verify
  CHECK (password_hash IS NULL OR (type = 'verify_email' AND length(password_hash) BETWEEN 1 AND 128));
COMMENT ON COLUMN action_tokens.password_hash IS
  'verify_email only: argon2id hash of the password typed with the registration that sent this link; verifying sets it as the account''s password. NULL on links older than this column (refused).';
COMMENT ON TABLE action_tokens IS
  'Single-use, hashed tokens: email verification (one pending registration each), password reset, MFA step.';
COMMENT ON COLUMN sessions.revoked_reason IS
  'logout, logout_all, revoked, reuse, password_changed, password_reset, email_verified.';

-- The mails registration and forgot-password send (verification links, "already registered" notices,
-- reset links) are limited per address, whatever the client's IP, so nobody can flood a mailbox through
-- Parity. The count lives here rather than in a replica's memory: every operational replica shares it.
CREATE TABLE mail_quota (
  email_key    text PRIMARY KEY CHECK (length(email_key) BETWEEN 1 AND 254),
  sent_at      timestamptz[] NOT NULL CHECK (cardinality(sent_at) BETWEEN 1 AND 16),
  last_sent_at timestamptz NOT NULL
);
CREATE INDEX mail_quota_last_sent_idx ON mail_quota (last_sent_at);
COMMENT ON TABLE mail_quota IS
  'Per-address limit of the mails registration and forgot-password send (PARITY_AUTH_MAIL_QUOTA per PARITY_AUTH_MAIL_QUOTA_SECONDS, svc_auth.h), shared by every replica.';
COMMENT ON COLUMN mail_quota.email_key IS 'parity_email_normalize() of the address, whether or not an account has it.';
COMMENT ON COLUMN mail_quota.sent_at IS 'When the mails still inside the window went out, oldest first; older times are dropped at the next mail.';
COMMENT ON COLUMN mail_quota.last_sent_at IS 'The newest of sent_at: rows whose newest mail is days old are deleted by the cleanup.';
