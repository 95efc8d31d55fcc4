-- 0014_goals: an investor's savings goals. Each goal keeps the forecast that gives its probability of
-- success (a Monte Carlo forecast of the investor's portfolio with the goal's monthly contribution and
-- horizon, asked through the same forecasts table and CMD_FORECAST as POST /forecasts), and what that
-- forecast started from, so that a read can tell when it is stale (the goal, the portfolio or the month
-- changed) and ask for a new one.
CREATE TABLE goals (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id              bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  target_cents         bigint NOT NULL CHECK (target_cents BETWEEN 1 AND 1000000000000),
  target_day           date NOT NULL,
  monthly_cents        bigint NOT NULL DEFAULT 0 CHECK (monthly_cents BETWEEN 0 AND 1000000000000),
  forecast_id          uuid REFERENCES forecasts (id) ON DELETE SET NULL,
  forecast_basis_cents bigint,
  forecast_month       date,
  -- Whether the investor was last told the goal is off track: the notification is written once per
  -- change to off track, not at every recomputation.
  off_track            boolean NOT NULL DEFAULT false,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX goals_user_idx ON goals (user_id, id);
CREATE INDEX goals_forecast_idx ON goals (forecast_id) WHERE forecast_id IS NOT NULL;

COMMENT ON TABLE goals IS 'Savings goals (GET/POST/PATCH/DELETE /api/v1/goals), each with the forecast of its probability.';
COMMENT ON COLUMN goals.forecast_basis_cents IS 'The portfolio value the goal''s forecast started from.';
COMMENT ON COLUMN goals.forecast_month IS 'The first day of the month (New York) the goal''s forecast was asked in.';
