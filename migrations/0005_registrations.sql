-- 0005_registrations: a pending registration is its verification link, and the link carries the
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
