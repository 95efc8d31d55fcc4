-- 0017_job_links: the run and log tables that predate jobs keep their rows and point to the job that wrote
-- them (rebalance_runs has pointed to its job since 0013). NULL for rows written before this migration,
-- and for rows whose writer had no job (a hand-run SQL, an older replica during a rolling upgrade).
--
-- Left without a link, on purpose: forecasts are an investor's request answered in seconds, not operators'
-- work (no job type, no progress); cleanup and the monthly rebalance's batches have no log of their own
-- beyond the job (cleanup) or the run (batches, through rebalance_runs.job_id).

-- A price load's or a sync's log row: the daily and intraday syncs' commands (decisional) and
-- `parity load-prices` (a price_load job).
ALTER TABLE market_sync_log ADD COLUMN job_id bigint REFERENCES jobs (id);
CREATE INDEX market_sync_log_job_idx ON market_sync_log (job_id) WHERE job_id IS NOT NULL;
COMMENT ON COLUMN market_sync_log.job_id IS 'The job of the sync or load (daily_sync, intraday_sync, price_load).';

-- The model generation that computed (or last recomputed) a bucket's row of an as-of day.
ALTER TABLE model_portfolios ADD COLUMN job_id bigint REFERENCES jobs (id);
CREATE INDEX model_portfolios_job_idx ON model_portfolios (job_id) WHERE job_id IS NOT NULL;
COMMENT ON COLUMN model_portfolios.job_id IS 'The model_generation job that computed the row last.';

-- The backtest that computed (or last recomputed) a series' row of an as-of day.
ALTER TABLE model_analytics ADD COLUMN job_id bigint REFERENCES jobs (id);
CREATE INDEX model_analytics_job_idx ON model_analytics (job_id) WHERE job_id IS NOT NULL;
COMMENT ON COLUMN model_analytics.job_id IS 'The backtest job that computed the row last.';

-- An ex-date's credit log: the dividend_credit job that credited it last (a day is credited again only when
-- asked by day, and its payments and cents add up over the runs).
ALTER TABLE dividend_days ADD COLUMN job_id bigint REFERENCES jobs (id);
CREATE INDEX dividend_days_job_idx ON dividend_days (job_id) WHERE job_id IS NOT NULL;
COMMENT ON COLUMN dividend_days.job_id IS 'The dividend_credit job that credited the day last.';

-- A schedule's deposit of one date: the recurring_deposits job whose pass made it.
ALTER TABLE recurring_deposit_runs ADD COLUMN job_id bigint REFERENCES jobs (id);
CREATE INDEX recurring_deposit_runs_job_idx ON recurring_deposit_runs (job_id) WHERE job_id IS NOT NULL;
COMMENT ON COLUMN recurring_deposit_runs.job_id IS 'The recurring_deposits job that made the deposit.';

-- Decisional already writes market_sync_log, model_portfolios and model_analytics with INSERT and UPDATE on
-- every column (0001, 0008), job_id included; it needs nothing more. It also moves a running job's progress
-- (progress_done, progress_total: granted in 0013) from a connection of its own while the command runs.
