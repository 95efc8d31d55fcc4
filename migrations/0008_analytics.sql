-- 0008_analytics: the models' risk metrics and walk-forward backtest (SPEC §8a), computed by decisional
-- after each CMD_GENERATE (CMD_BACKTEST) and read by GET /api/v1/models/{bucket}/risk and /backtest.

-- One row per as-of day and series: the 15 buckets carry their risk over the lookback and their
-- backtest; SPY and 60/40 carry only their backtest (the benchmarks every bucket is compared with).
-- prices_fingerprint is a BLAKE2b digest of every price row, the universe, the parameters and the
-- models the computation read: CMD_BACKTEST skips a day whose rows already carry the same digest.
CREATE TABLE model_analytics (
  as_of_day          date NOT NULL,
  series_key         text NOT NULL
                     CHECK (series_key ~ '^risk_[1-5]_horizon_(short|medium|long)$' OR series_key IN ('SPY', '60/40')),
  prices_fingerprint text NOT NULL CHECK (prices_fingerprint ~ '^[0-9a-f]{64}$'),
  computed_at        timestamptz NOT NULL DEFAULT now(),
  risk               jsonb,
  backtest           jsonb NOT NULL,
  PRIMARY KEY (as_of_day, series_key),
  CHECK (risk IS NULL OR series_key LIKE 'risk_%')
);
-- The newest day of one series (GET /models/{bucket}/risk and /backtest).
CREATE INDEX model_analytics_current_idx ON model_analytics (series_key, as_of_day DESC);

COMMENT ON TABLE model_analytics IS
  'Risk metrics over the lookback and the walk-forward backtest per model bucket (and the SPY and 60/40 benchmarks) per as-of day; written by CMD_BACKTEST.';
COMMENT ON COLUMN model_analytics.risk IS
  'The bucket''s stored weights over the last lookback returns against SPY: days, from, to, metrics, benchmark, weights (NULL for SPY and 60/40).';
COMMENT ON COLUMN model_analytics.backtest IS
  'The series of the walk-forward backtest: from, to, decisions, cost_bps, metrics (against the SPY series), turnover, executions, values [[day, value], ...] from 1.';
COMMENT ON COLUMN model_analytics.prices_fingerprint IS
  'BLAKE2b-256 (hex) of the price rows, universe, parameters and models read; equal digests mean nothing to recompute.';

GRANT SELECT, INSERT, UPDATE, DELETE ON model_analytics TO parity_decisional;
