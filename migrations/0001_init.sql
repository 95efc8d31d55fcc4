-- 0001_init: every table of SPEC §5, the constraints that make wrong money states impossible,
-- and the decisional role with DML rights only on the tables it writes.
-- Applied by parity-operational / `parity migrate` in one transaction under an advisory lock.

CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- ---------------------------------------------------------------- accounts and security

CREATE TABLE users (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email             citext NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 254),
  password_hash     text NOT NULL,
  email_verified_at timestamptz,
  risk_tolerance    smallint CHECK (risk_tolerance BETWEEN 1 AND 5),
  horizon           text CHECK (horizon IN ('short', 'medium', 'long')),
  onboarding        jsonb,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK ((risk_tolerance IS NULL) = (horizon IS NULL))
);
COMMENT ON TABLE users IS 'Investors. Personal data never leaves parity-operational.';
COMMENT ON COLUMN users.password_hash IS 'argon2id encoded string (libsodium crypto_pwhash_str).';
COMMENT ON COLUMN users.onboarding IS 'The questionnaire answers that produced risk_tolerance and horizon.';

CREATE TABLE sessions (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id           bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id         uuid NOT NULL,
  token_hash        bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  created_at        timestamptz NOT NULL DEFAULT now(),
  last_used_at      timestamptz NOT NULL DEFAULT now(),
  used_at           timestamptz,
  revoked_at        timestamptz,
  revoked_reason    text,
  expires_at        timestamptz NOT NULL,
  family_expires_at timestamptz NOT NULL,
  ip                inet,
  user_agent        text CHECK (length(user_agent) <= 512)
);
CREATE INDEX sessions_family_idx ON sessions (family_id);
CREATE INDEX sessions_user_idx ON sessions (user_id);
COMMENT ON TABLE sessions IS 'Refresh tokens grouped in rotation families; one row per issued token.';
COMMENT ON COLUMN sessions.token_hash IS 'SHA-256 of the refresh token; the token itself is never stored.';
COMMENT ON COLUMN sessions.used_at IS 'Set when rotated; presenting a used token revokes the whole family.';

CREATE TABLE action_tokens (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  type        text NOT NULL CHECK (type IN ('verify_email', 'reset_password', 'mfa')),
  token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);
CREATE INDEX action_tokens_user_idx ON action_tokens (user_id, type);
COMMENT ON TABLE action_tokens IS 'Single-use, hashed tokens: email verification, password reset, MFA step.';

CREATE TABLE login_attempts (
  email_key       text PRIMARY KEY CHECK (length(email_key) <= 254),
  failures        integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
  last_failure_at timestamptz,
  locked_until    timestamptz
);
COMMENT ON TABLE login_attempts IS 'Consecutive failures per normalised email, whether or not an account exists.';

CREATE TABLE totp (
  user_id    bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  secret_enc bytea NOT NULL,
  enabled_at timestamptz,
  last_step  bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON COLUMN totp.secret_enc IS 'AES-256-GCM ciphertext under TOTP_ENC_KEY, user id as associated data.';
COMMENT ON COLUMN totp.last_step IS 'Newest accepted time step: a step is never accepted twice.';

CREATE TABLE recovery_codes (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash  bytea NOT NULL CHECK (length(code_hash) = 32),
  used_at    timestamptz,
  UNIQUE (user_id, code_hash)
);

-- ---------------------------------------------------------------- money

CREATE TABLE wallets (
  user_id    bigint PRIMARY KEY REFERENCES users (id),
  cash_cents bigint NOT NULL DEFAULT 0 CHECK (cash_cents >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE wallets IS 'Cash outside the portfolio, in integer cents.';

CREATE TABLE cash_movements (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id         bigint NOT NULL REFERENCES users (id),
  kind            text NOT NULL CHECK (kind IN ('deposit', 'withdrawal', 'invest', 'sell', 'fee')),
  amount_cents    bigint NOT NULL CHECK (amount_cents > 0 AND amount_cents <= 1000000000000),
  idempotency_key text,
  external_ref    text UNIQUE,
  response        jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, idempotency_key)
);
CREATE INDEX cash_movements_user_idx ON cash_movements (user_id, created_at DESC, id DESC);
COMMENT ON TABLE cash_movements IS 'Every move of cash: deposit/withdrawal cross the wallet boundary, invest/sell move between wallet and portfolio.';
COMMENT ON COLUMN cash_movements.amount_cents IS 'Always positive; the kind gives the direction.';
COMMENT ON COLUMN cash_movements.response IS 'The first answer, returned again when the Idempotency-Key repeats.';

CREATE TABLE portfolios (
  user_id       bigint PRIMARY KEY REFERENCES users (id),
  cash_cents    bigint NOT NULL DEFAULT 0 CHECK (cash_cents >= 0),
  pending_cents bigint NOT NULL DEFAULT 0 CHECK (pending_cents >= 0 AND pending_cents <= cash_cents),
  bucket_key    text,
  version       bigint NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON COLUMN portfolios.cash_cents IS 'Uninvested cash inside the portfolio (includes pending_cents).';
COMMENT ON COLUMN portfolios.pending_cents IS 'Invested by the user but not yet deployed into positions.';
COMMENT ON COLUMN portfolios.version IS 'Bumped on every change; optimistic concurrency for rebalance batches.';

CREATE TABLE positions (
  user_id          bigint NOT NULL REFERENCES users (id),
  symbol           text NOT NULL,
  shares_micro     bigint NOT NULL CHECK (shares_micro >= 0),
  cost_basis_cents bigint NOT NULL DEFAULT 0 CHECK (cost_basis_cents >= 0),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, symbol)
);
COMMENT ON COLUMN positions.shares_micro IS 'Shares held, in millionths of a share.';

CREATE TABLE trades (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users (id),
  symbol       text NOT NULL,
  side         text NOT NULL CHECK (side IN ('buy', 'sell')),
  shares_micro bigint NOT NULL CHECK (shares_micro > 0),
  price_micros bigint NOT NULL CHECK (price_micros > 0),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  reason       text NOT NULL CHECK (reason IN ('invest', 'sell', 'rebalance')),
  run_id       bigint,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX trades_run_user_symbol_idx ON trades (run_id, user_id, symbol) WHERE run_id IS NOT NULL;
CREATE INDEX trades_user_idx ON trades (user_id, created_at DESC, id DESC);
COMMENT ON COLUMN trades.price_micros IS 'Execution price in micro-dollars.';

CREATE TABLE portfolio_snapshots (
  user_id           bigint NOT NULL REFERENCES users (id),
  day               date NOT NULL,
  value_cents       bigint NOT NULL CHECK (value_cents >= 0),
  net_contrib_cents bigint NOT NULL,
  PRIMARY KEY (user_id, day)
);

-- ---------------------------------------------------------------- market data

CREATE TABLE daily_prices (
  symbol    text NOT NULL CHECK (symbol ~ '^[A-Z0-9.^=-]{1,15}$'),
  day       date NOT NULL,
  open      double precision NOT NULL CHECK (open > 0),
  high      double precision NOT NULL CHECK (high > 0),
  low       double precision NOT NULL CHECK (low > 0),
  close     double precision NOT NULL CHECK (close > 0),
  adj_close double precision NOT NULL CHECK (adj_close > 0),
  volume    bigint NOT NULL CHECK (volume >= 0),
  PRIMARY KEY (symbol, day),
  CHECK (low <= open AND open <= high AND low <= close AND close <= high)
);
COMMENT ON TABLE daily_prices IS 'Daily bars (split-adjusted prices; adj_close also dividend-adjusted).';

CREATE TABLE intraday_prices (
  symbol text NOT NULL,
  ts     timestamptz NOT NULL,
  price  double precision NOT NULL CHECK (price > 0),
  PRIMARY KEY (symbol, ts)
);

CREATE TABLE market_sync_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source      text NOT NULL CHECK (source IN ('bundled', 'yahoo', 'file')),
  kind        text NOT NULL CHECK (kind IN ('daily', 'intraday')),
  message_id  uuid,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  symbols     integer NOT NULL DEFAULT 0,
  rows        bigint NOT NULL DEFAULT 0,
  changed     bigint NOT NULL DEFAULT 0,
  error       text,
  notes       jsonb
);
COMMENT ON COLUMN market_sync_log.rows IS 'Rows read and validated.';
COMMENT ON COLUMN market_sync_log.changed IS 'Rows inserted or updated (0 when the data was already there).';
COMMENT ON COLUMN market_sync_log.notes IS 'Gaps and suspected splits found by validation, per symbol.';

-- ---------------------------------------------------------------- results of decisional

CREATE TABLE model_portfolios (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  bucket_key  text NOT NULL CHECK (bucket_key ~ '^risk_[1-5]_horizon_(short|medium|long)$'),
  as_of_day   date NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now(),
  weights     jsonb NOT NULL,
  diagnostics jsonb NOT NULL DEFAULT '{}',
  UNIQUE (bucket_key, as_of_day)
);
CREATE INDEX model_portfolios_current_idx ON model_portfolios (bucket_key, as_of_day DESC);
COMMENT ON TABLE model_portfolios IS 'HRP model weights per bucket and as-of day; the newest per bucket is current.';

CREATE TABLE forecasts (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      bigint NOT NULL REFERENCES users (id),
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'complete', 'error')),
  request      jsonb NOT NULL,
  result       jsonb,
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  notified_at  timestamptz,
  CHECK ((status = 'pending') = (completed_at IS NULL))
);
CREATE INDEX forecasts_user_idx ON forecasts (user_id, created_at DESC);

CREATE TABLE rebalance_runs (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  period      text NOT NULL UNIQUE CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  status      text NOT NULL DEFAULT 'pending'
              CHECK (status IN ('pending', 'running', 'complete', 'stale_aborted', 'error')),
  portfolios  integer NOT NULL DEFAULT 0,
  batches     integer NOT NULL DEFAULT 0,
  applied     integer NOT NULL DEFAULT 0,
  trades      integer NOT NULL DEFAULT 0,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  error       text
);

CREATE TABLE rebalance_targets (
  run_id      bigint NOT NULL REFERENCES rebalance_runs (id),
  user_id     bigint NOT NULL REFERENCES users (id),
  batch_no    integer NOT NULL,
  targets     jsonb NOT NULL,
  skipped     jsonb NOT NULL DEFAULT '[]',
  drift       double precision NOT NULL CHECK (drift >= 0),
  computed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, user_id)
);
COMMENT ON TABLE rebalance_targets IS 'Target weights computed by decisional; operational turns them into trades.';

CREATE TABLE rebalance_batches (
  run_id     bigint NOT NULL REFERENCES rebalance_runs (id),
  batch_no   integer NOT NULL,
  status     text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'computed', 'applied', 'error')),
  portfolios integer NOT NULL DEFAULT 0,
  applied_at timestamptz,
  PRIMARY KEY (run_id, batch_no)
);

-- ---------------------------------------------------------------- messaging

CREATE TABLE outbox (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  type         text NOT NULL CHECK (type ~ '^(CMD|EVT)_[A-Z_]+$'),
  payload      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text
);
CREATE INDEX outbox_pending_idx ON outbox (created_at) WHERE published_at IS NULL;
COMMENT ON TABLE outbox IS 'Commands written in the same transaction as the state change; the relay publishes them with confirms.';

CREATE TABLE processed_messages (
  message_id   uuid PRIMARY KEY,
  type         text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE processed_messages IS 'Messages whose effect has committed: a redelivery is acked with no effect.';

-- ---------------------------------------------------------------- the decisional role

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'parity_decisional') THEN
    CREATE ROLE parity_decisional LOGIN;
  END IF;
END
$$;
COMMENT ON ROLE parity_decisional IS 'parity-decisional: DML on market data and results only, never on users or money.';

GRANT USAGE ON SCHEMA public TO parity_decisional;
GRANT SELECT, INSERT, UPDATE, DELETE ON daily_prices, intraday_prices, model_portfolios,
  rebalance_targets, processed_messages TO parity_decisional;
GRANT SELECT, INSERT, UPDATE ON market_sync_log TO parity_decisional;
GRANT SELECT, UPDATE (status, result, error, completed_at) ON forecasts TO parity_decisional;
GRANT SELECT, UPDATE (status) ON rebalance_batches TO parity_decisional;
GRANT SELECT ON rebalance_runs TO parity_decisional;
GRANT USAGE ON SEQUENCE market_sync_log_id_seq, model_portfolios_id_seq TO parity_decisional;
