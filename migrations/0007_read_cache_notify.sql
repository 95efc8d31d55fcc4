-- 0007_read_cache_notify: parity-operational keeps the newest prices and the current model portfolios in
-- memory (operational/read_cache.c) and reloads them when they change. These triggers send the notification
-- in the transaction of the write itself, whoever writes (a decisional sync or model generation,
-- `parity load-prices`, an operator's SQL), so every replica hears it when, and only when, the write
-- commits. One statement-level trigger per table: a sync of thousands of rows is one notification
-- (PostgreSQL also folds identical notifications of one transaction into one).

CREATE FUNCTION notify_prices_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('prices_changed', '');
  RETURN NULL;
END $$;
COMMENT ON FUNCTION notify_prices_changed() IS
  'NOTIFY prices_changed: operational reloads its in-memory table of newest prices (GET /portfolio valuations).';

CREATE FUNCTION notify_models_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('models_changed', '');
  RETURN NULL;
END $$;
COMMENT ON FUNCTION notify_models_changed() IS
  'NOTIFY models_changed: operational reloads its in-memory model portfolios (GET /models, GET /portfolio targets).';

CREATE TRIGGER daily_prices_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON daily_prices
  FOR EACH STATEMENT EXECUTE FUNCTION notify_prices_changed();
CREATE TRIGGER intraday_prices_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON intraday_prices
  FOR EACH STATEMENT EXECUTE FUNCTION notify_prices_changed();
CREATE TRIGGER model_portfolios_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON model_portfolios
  FOR EACH STATEMENT EXECUTE FUNCTION notify_models_changed();
