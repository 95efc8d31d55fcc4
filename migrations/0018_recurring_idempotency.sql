-- 0018_recurring_idempotency: creating a recurring deposit takes an Idempotency-Key, as the money routes do,
-- because a schedule created twice deposits twice on every date. The key is unique per investor in the
-- schema, so a retried or double-submitted request, even one racing the first, finds the first schedule.
-- Schedules created before this migration, and those created without a key, have none (NULL).

ALTER TABLE recurring_deposits ADD COLUMN idempotency_key text;
ALTER TABLE recurring_deposits ADD COLUMN request_hash text;
CREATE UNIQUE INDEX recurring_deposits_idempotency_idx ON recurring_deposits (user_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
COMMENT ON COLUMN recurring_deposits.idempotency_key IS 'The Idempotency-Key of the request that created the schedule (NULL: none); the same key again answers this schedule.';
COMMENT ON COLUMN recurring_deposits.request_hash IS 'SHA-256 of the creating request''s body; the same key with another body is refused.';
