-- 0004_forecasts: what forecasts (issue 5) need beyond 0001: constraints that tie the status to its
-- result or error, the indexes of the two sweeps operational runs, and the documentation of the table.

-- A complete forecast has a result and no error; a failed one has a reason and no result; a pending
-- one has neither. Decisional writes them with one UPDATE, so these can only catch a bug.
ALTER TABLE forecasts ADD CONSTRAINT forecasts_result_matches_status
  CHECK ((status = 'complete') = (result IS NOT NULL));
ALTER TABLE forecasts ADD CONSTRAINT forecasts_error_matches_status
  CHECK ((status = 'error') = (error IS NOT NULL));
ALTER TABLE forecasts ADD CONSTRAINT forecasts_error_length CHECK (length(error) <= 1000);

-- The sweep that ends forecasts whose command was lost or dead-lettered (they must never stay pending).
CREATE INDEX forecasts_pending_idx ON forecasts (created_at) WHERE status = 'pending';
-- The sweep that wakes long-polls for results whose NOTIFY was missed (listener reconnecting).
CREATE INDEX forecasts_unnotified_idx ON forecasts (completed_at) WHERE status <> 'pending' AND notified_at IS NULL;

COMMENT ON TABLE forecasts IS
  'Monte Carlo forecasts asked by investors: operational inserts the row with its CMD_FORECAST outbox row, decisional writes the outcome once.';
COMMENT ON COLUMN forecasts.request IS 'The CMD_FORECAST payload as sent: weights, amounts, months, seed, percentiles, goal.';
COMMENT ON COLUMN forecasts.result IS
  'Bands per month in cents (p5..p95), goal probability, mu, sigma, closed-form median, paths, seed and the quantile definition.';
COMMENT ON COLUMN forecasts.error IS 'Why the forecast could not be computed (unknown symbol, too little history, ...).';
COMMENT ON COLUMN forecasts.notified_at IS
  'When an operational replica saw the outcome (NOTIFY forecast_done or its sweep); NULL while nobody has.';
