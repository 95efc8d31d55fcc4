-- 0011_dividends: cash dividends. Decisional loads the per-share amounts (bundled etf_dividends.csv, or a
-- live source); operational credits every held position on each ex-date to its portfolio's cash as a
-- `dividend` movement, once per position and ex-date, and the next deploy reinvests that cash.

-- ---------------------------------------------------------------- market data: the amounts per share

CREATE TABLE dividends (
  symbol        text NOT NULL CHECK (symbol ~ '^[A-Z0-9.^=-]{1,15}$'),
  ex_day        date NOT NULL,
  amount_micros bigint NOT NULL CHECK (amount_micros > 0 AND amount_micros <= 1000000000),
  source        text NOT NULL CHECK (source IN ('bundled', 'yahoo', 'file')),
  loaded_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (symbol, ex_day)
);
-- "Which dividends go ex on day D" (the credit) and "which ex-dates are not credited yet" (the catch-up).
CREATE INDEX dividends_ex_day_idx ON dividends (ex_day);
COMMENT ON TABLE dividends IS 'Cash dividend per share on its ex-date (split-adjusted like daily_prices); written by decisional.';
COMMENT ON COLUMN dividends.amount_micros IS 'Dividend per share in micro-dollars (the sources give at most 6 decimals).';

GRANT SELECT, INSERT, UPDATE ON dividends TO parity_decisional;

-- ---------------------------------------------------------------- the ledger: one credit per position and ex-date

ALTER TABLE cash_movements DROP CONSTRAINT cash_movements_kind_check;
ALTER TABLE cash_movements ADD CONSTRAINT cash_movements_kind_check
  CHECK (kind IN ('deposit', 'withdrawal', 'invest', 'sell', 'fee', 'split', 'dividend'));
COMMENT ON TABLE cash_movements IS
  'Every move of cash: deposit/withdrawal cross the wallet boundary, invest/sell move between wallet and portfolio, dividend enters the portfolio from a held fund.';

-- The primary key is what makes a credit happen once: a re-run or a redelivered day inserts nothing.
-- The CHECK writes the rounding rule into the schema: floor(shares x amount) in cents, from integers.
CREATE TABLE dividend_payments (
  user_id       bigint NOT NULL REFERENCES users (id),
  symbol        text NOT NULL,
  ex_day        date NOT NULL,
  shares_micro  bigint NOT NULL CHECK (shares_micro > 0),
  amount_micros bigint NOT NULL CHECK (amount_micros > 0),
  cents         bigint NOT NULL CHECK (cents > 0),
  movement_id   bigint NOT NULL UNIQUE REFERENCES cash_movements (id) DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY (user_id, symbol, ex_day),
  CHECK (cents = div(shares_micro::numeric * amount_micros, 10000000000))
);
COMMENT ON TABLE dividend_payments IS
  'One credited dividend: the position held at the end of the day before ex_day, the amount per share, the cents (rounded down) and its cash movement.';
COMMENT ON COLUMN dividend_payments.shares_micro IS 'Shares held at the end of the New York day before ex_day.';

-- Ex-dates the daily catch-up has credited (a day is credited again only by an explicit call, which the
-- primary key of dividend_payments keeps harmless).
CREATE TABLE dividend_days (
  ex_day      date PRIMARY KEY,
  payments    integer NOT NULL DEFAULT 0 CHECK (payments >= 0),
  cents       bigint NOT NULL DEFAULT 0 CHECK (cents >= 0),
  credited_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE dividend_days IS 'Ex-dates credited, with the payments and cents of all the runs over each.';
