-- 0006_rebalance_pipeline: one rebalance pipeline for the monthly run and for deploys (an invest, cash that
-- waited for a model), set-based at every step. The batch row is the unit of work and the idempotency key
-- of every rebalance trade: planned by keyset over portfolios (the run keeps the cursor), computed by
-- decisional (its targets written with COPY), applied once by operational in one transaction.

-- ---------------------------------------------------------------- runs: planned in steps, resumable

ALTER TABLE rebalance_runs DROP CONSTRAINT rebalance_runs_status_check;
ALTER TABLE rebalance_runs ADD CONSTRAINT rebalance_runs_status_check
  CHECK (status IN ('pending', 'planning', 'running', 'complete', 'stale_aborted', 'error'));
ALTER TABLE rebalance_runs
  ADD COLUMN planned_through bigint NOT NULL DEFAULT 0,
  ADD COLUMN portfolios_done integer NOT NULL DEFAULT 0,
  ADD COLUMN planned_at      timestamptz;
COMMENT ON COLUMN rebalance_runs.planned_through IS 'Keyset cursor: every portfolio with user_id <= this is in a batch (or was not eligible).';
COMMENT ON COLUMN rebalance_runs.portfolios IS 'Portfolios in the run''s batches: final once status leaves planning, planned so far before.';
COMMENT ON COLUMN rebalance_runs.portfolios_done IS 'Portfolios of the applied batches.';

-- ---------------------------------------------------------------- batches: one row per unit of work

ALTER TABLE rebalance_batches ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE rebalance_batches DROP CONSTRAINT rebalance_batches_pkey;
ALTER TABLE rebalance_batches ADD PRIMARY KEY (id);
ALTER TABLE rebalance_batches ALTER COLUMN run_id DROP NOT NULL;
ALTER TABLE rebalance_batches ADD CONSTRAINT rebalance_batches_run_batch_key UNIQUE (run_id, batch_no);
ALTER TABLE rebalance_batches
  ADD COLUMN kind        text NOT NULL DEFAULT 'monthly' CHECK (kind IN ('monthly', 'deploy')),
  ADD COLUMN no_sells    boolean NOT NULL DEFAULT false,
  ADD COLUMN user_id     bigint REFERENCES users (id),
  ADD COLUMN trades      integer NOT NULL DEFAULT 0 CHECK (trades >= 0),
  ADD COLUMN created_at  timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN computed_at timestamptz;
ALTER TABLE rebalance_batches ADD CONSTRAINT rebalance_batches_kind_check2
  CHECK ((kind = 'monthly') = (run_id IS NOT NULL) AND (kind = 'deploy') = (user_id IS NOT NULL));
-- A deploy is a batch of one; an investor has at most one open at a time.
CREATE UNIQUE INDEX rebalance_batches_open_deploy_idx ON rebalance_batches (user_id)
  WHERE kind = 'deploy' AND status IN ('pending', 'computed');
-- The sweep's "computed, but its event never came", without a scan of every batch ever made.
CREATE INDEX rebalance_batches_computed_idx ON rebalance_batches (computed_at) WHERE status = 'computed';
COMMENT ON TABLE rebalance_batches IS 'Units of rebalance work: a monthly run''s keyset slice or one investor''s deploy. Applied exactly once.';

-- ---------------------------------------------------------------- targets: keyed by their batch

ALTER TABLE rebalance_targets ADD COLUMN batch_id bigint;
UPDATE rebalance_targets t SET batch_id = b.id FROM rebalance_batches b
  WHERE b.run_id = t.run_id AND b.batch_no = t.batch_no;
DELETE FROM rebalance_targets WHERE batch_id IS NULL;
ALTER TABLE rebalance_targets DROP CONSTRAINT rebalance_targets_pkey;
ALTER TABLE rebalance_targets ALTER COLUMN batch_id SET NOT NULL;
ALTER TABLE rebalance_targets ALTER COLUMN run_id DROP NOT NULL;
ALTER TABLE rebalance_targets ADD PRIMARY KEY (batch_id, user_id);
-- Decisional writes a batch's rows with one COPY; the batch (written by operational before the command
-- went out) is the only reference they need. The per-row checks against users and runs are gone.
ALTER TABLE rebalance_targets DROP CONSTRAINT rebalance_targets_user_id_fkey;
ALTER TABLE rebalance_targets DROP CONSTRAINT rebalance_targets_run_id_fkey;
COMMENT ON COLUMN rebalance_targets.run_id IS 'The monthly run of the batch (NULL for a deploy); the batch is the key.';

-- ---------------------------------------------------------------- trades: the batch is their key

ALTER TABLE trades ADD COLUMN batch_id bigint;
-- The per-row check against users took a share lock on the investor's users row for every trade (a write
-- to that row's page, in WAL) and served nothing: a trade is written only for a locked portfolio, whose own
-- foreign key keeps its user, and users are never deleted while money history exists.
ALTER TABLE trades DROP CONSTRAINT trades_user_id_fkey;
CREATE UNIQUE INDEX trades_batch_user_symbol_idx ON trades (batch_id, user_id, symbol) WHERE batch_id IS NOT NULL;
COMMENT ON COLUMN trades.batch_id IS 'The rebalance batch (monthly or deploy) that made the trade: at most one trade per investor and symbol.';

-- Deploy requests give way to deploy batches: open ones close, and the sweep deploys their cash anew.
UPDATE rebalance_requests SET status = 'error', error = 'superseded by the batch pipeline (0006)'
  WHERE status IN ('pending', 'computed');

-- ---------------------------------------------------------------- outbox: claim in insertion order by index

-- Rows of one transaction share created_at, so ordering by it sorted every pending payload; a sequence
-- gives the order and a partial index the claim.
ALTER TABLE outbox ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
DROP INDEX outbox_pending_idx;
CREATE INDEX outbox_unsent_idx ON outbox (seq) WHERE published_at IS NULL;
-- A payload is written once and read back once as text (a rebalance batch: about 700 KB): json keeps the
-- text as written, where jsonb parsed it into its binary form and printed it again, each way.
ALTER TABLE outbox ALTER COLUMN payload TYPE json USING payload::json;

-- ---------------------------------------------------------------- the sweeps' questions, answered by index

CREATE INDEX portfolios_pending_idx ON portfolios (user_id) WHERE pending_cents > 0;

-- ---------------------------------------------------------------- the decisional role: what it needs, no more

REVOKE UPDATE ON rebalance_requests FROM parity_decisional;
REVOKE SELECT ON rebalance_requests FROM parity_decisional;
REVOKE UPDATE (status) ON rebalance_batches FROM parity_decisional;
GRANT UPDATE (status, computed_at) ON rebalance_batches TO parity_decisional;
REVOKE UPDATE, DELETE ON rebalance_targets FROM parity_decisional;
