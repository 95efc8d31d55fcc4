-- 0010_recurring_and_card_deposits: deposits that do not come from the paper deposit form: recurring
-- schedules (with auto-invest) and card payments through Stripe. Both are ordinary 'deposit' movements
-- with a source; each is made exactly once by a unique key the schema holds.

-- Where a deposit's money came from (NULL: the paper deposit form, as before this migration).
ALTER TABLE cash_movements ADD COLUMN source text CHECK (source IN ('paper', 'card', 'recurring'));
COMMENT ON COLUMN cash_movements.source IS 'Origin of a deposit (and of a recurring schedule''s invest): paper (NULL), card or recurring.';

-- A recurring deposit: `amount_cents` on every date of the schedule, invested at once when auto_invest
-- (and the investor has a model bucket). Weekly and biweekly dates fall on ISO weekday `day` (1 = Monday);
-- monthly ones on day-of-month `day`, 1..28 so that every month has the date.
CREATE TABLE recurring_deposits (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users (id),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0 AND amount_cents <= 10000000000),
  frequency    text NOT NULL CHECK (frequency IN ('weekly', 'biweekly', 'monthly')),
  day          smallint NOT NULL,
  auto_invest  boolean NOT NULL DEFAULT true,
  status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'deleted')),
  next_day     date NOT NULL,
  last_day     date,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (CASE frequency WHEN 'monthly' THEN day BETWEEN 1 AND 28 ELSE day BETWEEN 1 AND 7 END),
  CHECK (last_day IS NULL OR next_day > last_day)
);
CREATE INDEX recurring_deposits_due_idx ON recurring_deposits (next_day) WHERE status = 'active';
CREATE INDEX recurring_deposits_user_idx ON recurring_deposits (user_id, id) WHERE status <> 'deleted';
COMMENT ON TABLE recurring_deposits IS 'Recurring deposit schedules; deleted ones stay (status deleted) with their runs.';
COMMENT ON COLUMN recurring_deposits.next_day IS 'The next date to deposit (UTC); the daily job deposits every active schedule whose next_day has come, then advances it.';

-- One row per schedule and date deposited: the key that makes a date deposit once, whatever retries,
-- restarts or concurrent runners do.
CREATE TABLE recurring_deposit_runs (
  schedule_id  bigint NOT NULL REFERENCES recurring_deposits (id),
  day          date NOT NULL,
  user_id      bigint NOT NULL REFERENCES users (id),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  invested     boolean NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (schedule_id, day)
);
COMMENT ON TABLE recurring_deposit_runs IS 'Each (schedule, date) deposited, once; its movements carry external_ref recurring:<schedule>:<date>[:invest].';

-- The first date of a schedule on or after `from_day`.
CREATE FUNCTION recurring_first_day(frequency text, day integer, from_day date) RETURNS date
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE WHEN frequency = 'monthly' THEN
      CASE WHEN extract(day FROM from_day)::int <= day THEN date_trunc('month', from_day)::date + (day - 1)
           ELSE (date_trunc('month', from_day) + interval '1 month')::date + (day - 1) END
    ELSE from_day + ((day - extract(isodow FROM from_day)::int + 7) % 7) END
$$;

-- The date after `after` (itself a date of the schedule).
CREATE FUNCTION recurring_next_day(frequency text, day integer, after date) RETURNS date
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE frequency WHEN 'weekly' THEN after + 7 WHEN 'biweekly' THEN after + 14
    ELSE (date_trunc('month', after) + interval '1 month')::date + (day - 1) END
$$;

-- Stripe webhook events handled, by their event id: a replayed event finds its row and credits nothing.
-- The credit itself is keyed by the PaymentIntent (cash_movements.external_ref = 'stripe:' || pi id),
-- so two different events about one payment credit it once too.
CREATE TABLE stripe_events (
  event_id       text PRIMARY KEY CHECK (length(event_id) BETWEEN 1 AND 255),
  type           text NOT NULL,
  payment_intent text,
  movement_id    bigint REFERENCES cash_movements (id),
  received_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE stripe_events IS 'Stripe webhook events processed once by event id; movement_id is the credit it made, if any.';

-- PaymentIntents this server created, to know whose wallet a payment credits and how much was asked.
CREATE TABLE stripe_payment_intents (
  id              text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
  user_id         bigint NOT NULL REFERENCES users (id),
  amount_cents    bigint NOT NULL CHECK (amount_cents > 0 AND amount_cents <= 10000000000),
  idempotency_key text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, idempotency_key)
);
COMMENT ON TABLE stripe_payment_intents IS 'PaymentIntents created for investors; the webhook credits the intent''s user, never metadata alone.';
