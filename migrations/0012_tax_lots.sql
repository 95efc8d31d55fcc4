-- 0012_tax_lots: the tax layer of the ledger. Every buy opens a lot, every sell closes lots by the investor's
-- method and writes one realized gain row per closed piece, both in the transaction of the trade
-- (operational/tax_lots.c is the rule; trade_exec.c and rebalance_apply.c write it). `parity audit` checks
-- that the lots of every position add up to it: shares and cost basis (the position's cost basis is the sum
-- of its lots' tax bases, wash-sale adjustments included).

-- ---------------------------------------------------------------- lots: open tax lots

CREATE TABLE lots (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      bigint NOT NULL,
  symbol       text NOT NULL,
  shares_micro bigint NOT NULL CHECK (shares_micro > 0),
  basis_cents  bigint NOT NULL CHECK (basis_cents >= 0),
  acquired     date NOT NULL,
  bought       date NOT NULL,
  replacement  boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  -- a wash-sale replacement's holding period starts at the sold lot's day, never after its purchase
  CHECK (acquired <= bought),
  CHECK (replacement OR acquired = bought)
);
-- No foreign key to positions or users: lots are written for locked portfolios only, in the transaction
-- that writes their position (as trades, since 0006), and a per-row key check costs the batch a lock each.
CREATE INDEX lots_user_symbol_idx ON lots (user_id, symbol, id);
COMMENT ON TABLE lots IS 'Open tax lots: the shares of a position by purchase; closed lots are deleted (their history is realized_gains).';
COMMENT ON COLUMN lots.acquired IS 'Start of the holding period (term); a wash-sale replacement inherits the sold lot''s.';
COMMENT ON COLUMN lots.bought IS 'Purchase day: the wash-sale window (30 days either side of a loss sale) is about this day.';
COMMENT ON COLUMN lots.replacement IS 'Already absorbed a disallowed wash-sale loss, so it absorbs no other.';
COMMENT ON COLUMN lots.basis_cents IS 'Tax basis: the cost, plus any wash-sale loss disallowed into it.';

-- ---------------------------------------------------------------- realized gains: one row per closed piece

CREATE TABLE realized_gains (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id        bigint NOT NULL,
  symbol         text NOT NULL,
  trade_id       bigint NOT NULL REFERENCES trades (id),
  lot_id         bigint,
  shares_micro   bigint NOT NULL CHECK (shares_micro > 0),
  proceeds_cents bigint NOT NULL CHECK (proceeds_cents >= 0),
  basis_cents    bigint NOT NULL CHECK (basis_cents >= 0),
  acquired       date NOT NULL,
  sold           date NOT NULL,
  term           text NOT NULL CHECK (term IN ('short', 'long')),
  wash_cents     bigint NOT NULL DEFAULT 0,
  replaced_micro bigint NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (acquired <= sold),
  -- long-term: sold after the anniversary of the acquisition (date + 1 year takes 29 Feb to 28 Feb), the
  -- rule of parity_lot_long_term()
  CHECK ((term = 'long') = (sold > acquired + interval '1 year')),
  -- a disallowed loss never exceeds the loss, and is in proportion to the replaced shares
  CHECK (wash_cents >= 0 AND wash_cents <= greatest(basis_cents - proceeds_cents, 0)),
  CHECK (replaced_micro >= 0 AND replaced_micro <= shares_micro),
  CHECK (wash_cents = 0 OR replaced_micro > 0)
);
CREATE INDEX realized_gains_user_sold_idx ON realized_gains (user_id, sold, id);
-- A buy looks for the investor's recent losses of its symbol whose shares are not all replaced yet.
CREATE INDEX realized_gains_open_loss_idx ON realized_gains (user_id, symbol, sold)
  WHERE basis_cents > proceeds_cents AND replaced_micro < shares_micro;
COMMENT ON TABLE realized_gains IS 'One row per closed lot piece (Form 8949): gain = proceeds - basis + wash_cents.';
COMMENT ON COLUMN realized_gains.wash_cents IS 'Loss disallowed by the wash-sale rule (code W adjustment); moved into the replacement lots'' basis.';
COMMENT ON COLUMN realized_gains.replaced_micro IS 'Shares of this loss matched by replacement purchases so far (the disallowed part is in proportion).';

-- ---------------------------------------------------------------- families of interchangeable funds

-- Members of a family track the same or a close index with different issuers or methods; Parity treats
-- them as not substantially identical for the wash-sale rule (the product's stance, README "Taxes").
-- Editable: operators add or remove rows. Every member must have prices (the harvest and the deploy
-- choose only members whose newest close exists).
CREATE TABLE tax_families (
  symbol text PRIMARY KEY,
  family text NOT NULL,
  rank   integer NOT NULL CHECK (rank >= 1),
  UNIQUE (family, rank)
);
INSERT INTO tax_families (symbol, family, rank) VALUES
  ('VTI', 'us_broad', 1), ('VOO', 'us_broad', 2),
  ('QQQ', 'us_growth', 1), ('VUG', 'us_growth', 2);
COMMENT ON TABLE tax_families IS 'Interchangeable funds (not substantially identical): targets are per family, rank 1 first.';

-- ---------------------------------------------------------------- investor settings

CREATE TABLE investor_settings (
  user_id             bigint PRIMARY KEY REFERENCES users (id),
  lot_method          text NOT NULL DEFAULT 'tax_min' CHECK (lot_method IN ('fifo', 'hifo', 'tax_min')),
  tax_loss_harvesting boolean NOT NULL DEFAULT false,
  updated_at          timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE investor_settings IS 'Tax settings; an investor without a row has the defaults (tax_min, no harvesting).';

-- ---------------------------------------------------------------- backfill: one lot per held position

-- Acquired on the day of the position's first trade (UTC), or the day of its row when it has none; the
-- basis is the position's cost basis, so `parity audit` holds on an upgraded database.
INSERT INTO lots (user_id, symbol, shares_micro, basis_cents, acquired, bought)
SELECT p.user_id, p.symbol, p.shares_micro, p.cost_basis_cents, d.day, d.day
FROM positions p
CROSS JOIN LATERAL (
  SELECT coalesce((SELECT (min(t.created_at) AT TIME ZONE 'UTC')::date FROM trades t
                   WHERE t.user_id = p.user_id AND t.symbol = p.symbol),
                  (p.updated_at AT TIME ZONE 'UTC')::date) AS day) d
WHERE p.shares_micro > 0;
-- A position emptied by a sell keeps no basis (parity_cost_basis_after_sell), so the audit's sums agree.
UPDATE positions SET cost_basis_cents = 0 WHERE shares_micro = 0 AND cost_basis_cents <> 0;
