-- 0016_tax_harvests: the daily tax-loss harvest (operational/svc_harvest.c, the rule in tax_harvest.h). For
-- every investor with harvesting on, each lot at a loss of at least max($100, 5 % of its basis) is sold and the
-- proceeds buy the family's alternate (tax_families) in one transaction per batch of investors, with trades of
-- reason 'harvest'. A harvested investor's day is claimed in tax_harvest_days, in that same transaction, and
-- every harvest row belongs to its investor's day: exactly once per investor and day is the primary key's.

-- ---------------------------------------------------------------- trades: a harvest's sell and buy

ALTER TABLE trades DROP CONSTRAINT trades_reason_check;
ALTER TABLE trades ADD CONSTRAINT trades_reason_check CHECK (reason IN ('invest', 'sell', 'rebalance', 'harvest'));

-- ---------------------------------------------------------------- the investor's harvest day

CREATE TABLE tax_harvest_days (
  user_id    bigint NOT NULL,
  day        date NOT NULL,
  job_id     bigint,
  loss_cents bigint NOT NULL CHECK (loss_cents > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, day)
);
COMMENT ON TABLE tax_harvest_days IS 'One row per investor and UTC day harvested: a later run of the day (CronJob, schedule, retry) passes the investor over.';
COMMENT ON COLUMN tax_harvest_days.job_id IS 'The tax_harvest job that harvested (jobs.id), for the operator; no key, jobs are pruned.';
COMMENT ON COLUMN tax_harvest_days.loss_cents IS 'Losses harvested that day, net of any disallowed part: the sum of its tax_harvests.';

-- ---------------------------------------------------------------- one row per symbol sold

CREATE TABLE tax_harvests (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id             bigint NOT NULL,
  day                 date NOT NULL,
  sold_symbol         text NOT NULL,
  bought_symbol       text NOT NULL,
  sold_shares_micro   bigint NOT NULL CHECK (sold_shares_micro > 0),
  bought_shares_micro bigint NOT NULL CHECK (bought_shares_micro > 0),
  proceeds_cents      bigint NOT NULL CHECK (proceeds_cents > 0),
  -- what the alternate cost: the proceeds but for the fraction of a micro-share, which stays as cash
  cost_cents          bigint NOT NULL CHECK (cost_cents > 0 AND cost_cents <= proceeds_cents),
  loss_cents          bigint NOT NULL CHECK (loss_cents > 0),
  sell_trade_id       bigint NOT NULL REFERENCES trades (id),
  buy_trade_id        bigint NOT NULL REFERENCES trades (id),
  created_at          timestamptz NOT NULL DEFAULT now(),
  CHECK (sold_symbol <> bought_symbol),
  FOREIGN KEY (user_id, day) REFERENCES tax_harvest_days (user_id, day),
  UNIQUE (user_id, day, sold_symbol)
);
CREATE INDEX tax_harvests_user_idx ON tax_harvests (user_id, day DESC, id DESC);
COMMENT ON TABLE tax_harvests IS 'Tax-loss harvests: a loss lot (or several of one fund) sold and the family alternate bought with the proceeds.';
COMMENT ON COLUMN tax_harvests.loss_cents IS 'Loss realized by the sale (its realized_gains rows: basis - proceeds - wash_cents).';
CREATE INDEX investor_settings_harvesting_idx ON investor_settings (user_id) WHERE tax_loss_harvesting;
