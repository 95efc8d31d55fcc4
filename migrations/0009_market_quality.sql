-- 0009_market_quality: what the market data is worth and how it changed. Quality issues per symbol and
-- day (found after every load or sync), revisions of stored bars (an incremental sync re-reads a few
-- days), corporate events from the source (splits, dividends), and the ledger's `split` movement that
-- multiplies an investor's shares on a split day without changing the position's value.

CREATE TABLE market_quality (
  symbol     text NOT NULL,
  day        date NOT NULL,
  check_name text NOT NULL CHECK (check_name IN ('ohlc', 'non_positive', 'missing_value', 'zero_volume',
                                                 'large_move', 'suspected_split', 'calendar_gap', 'stale')),
  severity   text NOT NULL CHECK (severity IN ('blocking', 'warning')),
  detail     jsonb NOT NULL DEFAULT '{}',
  source     text NOT NULL CHECK (source IN ('bundled', 'yahoo', 'file')),
  found_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (symbol, day, check_name)
);
CREATE INDEX market_quality_blocking_idx ON market_quality (symbol, day) WHERE severity = 'blocking';
COMMENT ON TABLE market_quality IS
  'Open data-quality findings: one row per symbol, day and check; a later load of the same days re-checks and replaces them.';
COMMENT ON COLUMN market_quality.severity IS
  'blocking: a model generation leaves the symbol out while the day is in its window; warning: reported only.';
COMMENT ON COLUMN market_quality.day IS
  'The bar''s day (calendar_gap: the missing trading day; stale: the newest stored day).';

CREATE TABLE market_revisions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  symbol      text NOT NULL,
  day         date NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('value', 'rebase')),
  old         jsonb NOT NULL,
  new         jsonb NOT NULL,
  sync_log_id bigint REFERENCES market_sync_log (id),
  revised_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX market_revisions_symbol_idx ON market_revisions (symbol, day);
COMMENT ON TABLE market_revisions IS
  'A stored bar whose values a later load changed (value: old and new bar), or a whole earlier history rescaled because the source re-adjusted it (rebase: the factors, from the first re-read day).';

CREATE TABLE market_events (
  symbol      text NOT NULL,
  day         date NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('split', 'dividend')),
  numerator   double precision CHECK (numerator > 0),
  denominator double precision CHECK (denominator > 0),
  amount      double precision CHECK (amount > 0),
  source      text NOT NULL CHECK (source IN ('bundled', 'yahoo', 'file')),
  first_seen  timestamptz NOT NULL DEFAULT now(),
  applied_at  timestamptz,
  PRIMARY KEY (symbol, day, kind),
  CHECK ((kind = 'split') = (numerator IS NOT NULL AND denominator IS NOT NULL)),
  CHECK ((kind = 'dividend') = (amount IS NOT NULL)),
  CHECK (applied_at IS NULL OR kind = 'split')
);
COMMENT ON TABLE market_events IS
  'Corporate events from the source: splits (numerator:denominator, e.g. 4:1 gives 4 new shares for 1) and cash dividends per share.';
COMMENT ON COLUMN market_events.applied_at IS
  'When the split was applied to every held position (once; operational claims the row in the transaction that applies it).';

-- A split moves shares, not money: the movement carries the symbol and the change of shares, amount 0.
ALTER TABLE cash_movements ADD COLUMN IF NOT EXISTS symbol text;
ALTER TABLE cash_movements ADD COLUMN IF NOT EXISTS shares_micro bigint;
ALTER TABLE cash_movements DROP CONSTRAINT cash_movements_kind_check;
ALTER TABLE cash_movements ADD CONSTRAINT cash_movements_kind_check
  CHECK (kind IN ('deposit', 'withdrawal', 'invest', 'sell', 'fee', 'split'));
ALTER TABLE cash_movements DROP CONSTRAINT cash_movements_amount_cents_check;
ALTER TABLE cash_movements ADD CONSTRAINT cash_movements_amount_cents_check
  CHECK (amount_cents >= 0 AND amount_cents <= 1000000000000 AND (amount_cents > 0 OR kind = 'split'));
ALTER TABLE cash_movements ADD CONSTRAINT cash_movements_split_check
  CHECK (kind <> 'split' OR (symbol IS NOT NULL AND shares_micro IS NOT NULL AND amount_cents = 0));
COMMENT ON COLUMN cash_movements.shares_micro IS 'split: the change of the position''s shares (new - old, in millionths).';

GRANT SELECT, INSERT, UPDATE, DELETE ON market_quality TO parity_decisional;
GRANT SELECT, INSERT ON market_revisions TO parity_decisional;
GRANT USAGE ON SEQUENCE market_revisions_id_seq TO parity_decisional;
GRANT SELECT, INSERT, UPDATE (numerator, denominator, amount) ON market_events TO parity_decisional;
