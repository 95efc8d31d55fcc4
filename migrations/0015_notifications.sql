-- 0015_notifications: what happened to an investor's account, kept per investor (the bell in the SPA) and
-- optionally emailed. A notification is written in the same transaction as the event it reports, so one
-- exists exactly when the event does: deposits by the trigger below (whatever path credits them), rebalances
-- by one INSERT ... SELECT per batch in parity_svc_apply_batch, sign-ins with the session, goals off track
-- with the goal's flag. (user_id, kind, ref) is unique: a redelivered event cannot write it twice.
-- The kinds are listed in operational/notifications.c (one line each, with the email default); no CHECK
-- here, so that a new kind needs no migration.
CREATE TABLE notifications (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind       text NOT NULL CHECK (kind ~ '^[a-z][a-z_]{1,39}$'),
  ref        text NOT NULL CHECK (length(ref) BETWEEN 1 AND 100),
  title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  body       text NOT NULL CHECK (length(body) <= 2000),
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at    timestamptz,
  -- Set when the email went to the mail queue, or was not due (switched off): the sweep's claim.
  emailed_at timestamptz,
  UNIQUE (user_id, kind, ref)
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_unmailed_idx ON notifications (id) WHERE emailed_at IS NULL;

-- Per-investor email switches; a kind without a row takes its default from operational/notifications.c.
CREATE TABLE notification_settings (
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind    text NOT NULL CHECK (kind ~ '^[a-z][a-z_]{1,39}$'),
  email   boolean NOT NULL,
  PRIMARY KEY (user_id, kind)
);

-- A deposit credited, from any source (paper, card, recurring): in the deposit's own transaction. The bulk
-- load of synthetic investors (parity seed-investors) sets parity.seeding and gets none.
CREATE FUNCTION notify_deposit_credited() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('parity.seeding', true) = 'on' THEN
    RETURN NULL;
  END IF;
  INSERT INTO notifications (user_id, kind, ref, title, body)
  VALUES (NEW.user_id, 'deposit_credited', 'movement:' || NEW.id, 'Deposit credited',
          'Your deposit of $' || to_char(NEW.amount_cents / 100.0, 'FM999,999,999,990.00') ||
          ' is in your wallet, ready to invest.')
  ON CONFLICT (user_id, kind, ref) DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER cash_movements_deposit_notification AFTER INSERT ON cash_movements
  FOR EACH ROW WHEN (NEW.kind = 'deposit') EXECUTE FUNCTION notify_deposit_credited();

-- The mail sweep wakes at once instead of at its next tick (operational's LISTEN thread).
CREATE FUNCTION notifications_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('notifications_added', '');
  RETURN NULL;
END $$;
CREATE TRIGGER notifications_added AFTER INSERT ON notifications
  FOR EACH STATEMENT EXECUTE FUNCTION notifications_added();

COMMENT ON TABLE notifications IS 'Per-investor notices (GET /api/v1/notifications), written with the event they report.';
COMMENT ON TABLE notification_settings IS 'Per-investor, per-kind email switches (PUT /api/v1/notifications/settings).';
