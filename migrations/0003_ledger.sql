-- 0003_ledger: what the investor's money needs beyond 0001: deploy requests (invest -> rebalance
-- targets -> trades), the current-price view, and the decisional role's rights on the requests.

-- One request to deploy a portfolio's cash toward its model (after an invest, or when models appear).
-- Operational writes it with the CMD_REBALANCE_USER outbox row; decisional fills the targets; operational
-- turns the targets into trades and marks it applied, once.
CREATE TABLE rebalance_requests (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     bigint NOT NULL REFERENCES users (id),
  reason      text NOT NULL CHECK (reason IN ('invest', 'deploy', 'rebalance')),
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'computed', 'applied', 'error')),
  request     jsonb NOT NULL,
  targets     jsonb,
  skipped     jsonb,
  drift       double precision CHECK (drift >= 0),
  error       text,
  trades      integer NOT NULL DEFAULT 0 CHECK (trades >= 0),
  created_at  timestamptz NOT NULL DEFAULT now(),
  computed_at timestamptz,
  applied_at  timestamptz,
  CHECK ((status = 'applied') = (applied_at IS NOT NULL))
);
CREATE INDEX rebalance_requests_open_idx ON rebalance_requests (status, created_at) WHERE status IN ('pending', 'computed');
CREATE UNIQUE INDEX rebalance_requests_one_open_idx ON rebalance_requests (user_id) WHERE status IN ('pending', 'computed');
COMMENT ON TABLE rebalance_requests IS 'Deploy/rebalance of one portfolio: at most one open per user; applied exactly once.';

-- Trades of a request point back to it, so a repeated execution step is recognisable.
ALTER TABLE trades ADD COLUMN request_id uuid REFERENCES rebalance_requests (id);
CREATE UNIQUE INDEX trades_request_symbol_idx ON trades (request_id, symbol) WHERE request_id IS NOT NULL;

-- A sell or withdrawal repeated with the same Idempotency-Key returns the first answer.
ALTER TABLE cash_movements ADD COLUMN request_hash text;
COMMENT ON COLUMN cash_movements.request_hash IS 'SHA-256 of the request body; the same key with another body is refused.';

-- The newest price of each symbol: the intraday bar when newer than the daily close (16:00 New York).
CREATE VIEW latest_prices AS
SELECT DISTINCT ON (symbol) symbol, price, priced_at
FROM (
  SELECT symbol, close AS price, ((day + time '16:00') AT TIME ZONE 'America/New_York') AS priced_at
  FROM (SELECT DISTINCT ON (symbol) symbol, day, close FROM daily_prices ORDER BY symbol, day DESC) d
  UNION ALL
  SELECT symbol, price, ts FROM (SELECT DISTINCT ON (symbol) symbol, ts, price FROM intraday_prices
                                 ORDER BY symbol, ts DESC) i
) p
ORDER BY symbol, priced_at DESC;
COMMENT ON VIEW latest_prices IS 'Valuation price per symbol: the newest of the daily close and the intraday price.';

GRANT SELECT, UPDATE (status, targets, skipped, drift, error, computed_at) ON rebalance_requests TO parity_decisional;
GRANT SELECT ON latest_prices TO parity_decisional;
