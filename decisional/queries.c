/* Every SQL statement parity-decisional runs, named once, with the function that calls it. */
#include "decisional/queries.h"

/* Each entry's SQL is laid out to be read as SQL, not as C arguments, so the formatter leaves it be. */
/* clang-format off */
const struct parity_stmt parity_dec_stmts[QD_DEC_QUERY_COUNT] = {
  /* readiness probe */
  [QD_PING] = { "QD_PING", "SELECT 1" },

  /* parity_dispatch(): claims the message id in the handler's transaction; 0 rows = already done */
  [QD_PROCESSED_INSERT] = { "QD_PROCESSED_INSERT",
    "INSERT INTO processed_messages (message_id, type) VALUES ($1::uuid, $2) ON CONFLICT DO NOTHING" },

  /* parity_market_load_intraday(): $1 days kept */
  [QD_INTRADAY_PRUNE] = { "QD_INTRADAY_PRUNE",
    "DELETE FROM intraday_prices WHERE ts < now() - make_interval(days => $1::int)" },

  /* sync handlers: $1 source, $2 kind, $3 message id (may be NULL) */
  [QD_SYNC_LOG_INSERT] = { "QD_SYNC_LOG_INSERT",
    "INSERT INTO market_sync_log (source, kind, message_id) VALUES ($1, $2, $3::uuid) RETURNING id" },
  /* $1 id, $2 symbols, $3 rows, $4 changed, $5 error, $6 notes */
  [QD_SYNC_LOG_FINISH] = { "QD_SYNC_LOG_FINISH",
    "UPDATE market_sync_log SET finished_at = now(), symbols = $2, rows = $3, changed = $4, error = $5, "
    "notes = $6::jsonb WHERE id = $1" },

  /* model generation and staleness: the newest day any symbol has */
  [QD_LAST_DAY] = { "QD_LAST_DAY", "SELECT max(day)::text FROM daily_prices" },

  /* model generation: every universe symbol's adjusted closes in [$3, $2] in one round trip, by symbol then
   * day ($1 a text[] of symbols; $3 bounds the read to the lookback window, not the whole history) */
  [QD_DAILY_SERIES] = { "QD_DAILY_SERIES",
    "SELECT symbol, (day - DATE '1970-01-01'), adj_close FROM daily_prices WHERE symbol = ANY($1::text[]) "
    "AND day <= $2::date AND day >= $3::date ORDER BY symbol, day" },

  /* CMD_GENERATE: one bucket for one as-of day; regenerating the same day replaces it */
  [QD_MODEL_UPSERT] = { "QD_MODEL_UPSERT",
    "INSERT INTO model_portfolios (bucket_key, as_of_day, weights, diagnostics) VALUES ($1, $2::date, $3::jsonb, "
    "$4::jsonb) ON CONFLICT (bucket_key, as_of_day) DO UPDATE SET weights = EXCLUDED.weights, "
    "diagnostics = EXCLUDED.diagnostics, computed_at = now()" },
  /* CMD_GENERATE: keeps $1 days of history behind the newest model of each bucket */
  [QD_MODELS_PRUNE] = { "QD_MODELS_PRUNE",
    "DELETE FROM model_portfolios m WHERE as_of_day < (SELECT max(as_of_day) FROM model_portfolios n "
    "WHERE n.bucket_key = m.bucket_key) - $1::int" },

  /* CMD_FORECAST: $1 id, $2 result; completed_at is when it was written (clock_timestamp), not when the
   * message's transaction began, so created_at -> completed_at is the forecast's server-side latency */
  [QD_FORECAST_COMPLETE] = { "QD_FORECAST_COMPLETE",
    "UPDATE forecasts SET status = 'complete', result = $2::jsonb, completed_at = clock_timestamp() "
    "WHERE id = $1::uuid AND status = 'pending'" },
  /* CMD_FORECAST: $1 id, $2 reason */
  [QD_FORECAST_FAIL] = { "QD_FORECAST_FAIL",
    "UPDATE forecasts SET status = 'error', error = $2, completed_at = clock_timestamp() "
    "WHERE id = $1::uuid AND status = 'pending'" },
  /* CMD_FORECAST: wakes long-polls in operational when the transaction commits */
  [QD_FORECAST_NOTIFY] = { "QD_FORECAST_NOTIFY", "SELECT pg_notify('forecast_done', $1)" },

  /* parity_h_rebalance_batch(): the batch is computed once; $1 batch id. No row: computed already. */
  [QD_REBALANCE_BATCH_COMPUTED] = { "QD_REBALANCE_BATCH_COMPUTED",
    "UPDATE rebalance_batches SET status = 'computed', computed_at = now() WHERE id = $1 AND status = 'pending'" },

  /* forecasts, models, history */
  /* parity_h_forecast(): the newest $2 adjusted closes of each symbol of $1 (a text[]), oldest first;
   * one backward index scan per symbol instead of each symbol's whole history */
  [QD_FORECAST_SERIES] = { "QD_FORECAST_SERIES",
    "SELECT s.symbol, (t.day - DATE '1970-01-01'), t.adj_close FROM unnest($1::text[]) AS s(symbol) "
    "CROSS JOIN LATERAL (SELECT day, adj_close FROM daily_prices d WHERE d.symbol = s.symbol "
    "ORDER BY day DESC LIMIT $2::int) t ORDER BY 1, 2" },

  /* the models' risk and backtest: parity_h_backtest() */
  /* the models CMD_GENERATE stored for the as-of day $1 (their weights are what the risk is of) */
  [QD_MODELS_AT_DAY] = { "QD_MODELS_AT_DAY",
    "SELECT bucket_key, weights::text FROM model_portfolios WHERE as_of_day = $1::date ORDER BY bucket_key" },
  /* the rows of day $1 already computed from the inputs of digest $2 (a full set means nothing to do) */
  [QD_ANALYTICS_FRESH] = { "QD_ANALYTICS_FRESH",
    "SELECT count(*) FROM model_analytics WHERE as_of_day = $1::date AND prices_fingerprint = $2" },
  /* $1 day, $2 series, $3 digest, $4 risk (NULL for the benchmarks), $5 backtest; a recompute replaces */
  [QD_ANALYTICS_UPSERT] = { "QD_ANALYTICS_UPSERT",
    "INSERT INTO model_analytics (as_of_day, series_key, prices_fingerprint, risk, backtest) "
    "VALUES ($1::date, $2, $3, $4::jsonb, $5::jsonb) ON CONFLICT (as_of_day, series_key) DO UPDATE SET "
    "prices_fingerprint = EXCLUDED.prices_fingerprint, risk = EXCLUDED.risk, backtest = EXCLUDED.backtest, "
    "computed_at = now()" },
  /* keeps $1 days of history behind the newest computed day, as QD_MODELS_PRUNE does for the models */
  [QD_ANALYTICS_PRUNE] = { "QD_ANALYTICS_PRUNE",
    "DELETE FROM model_analytics WHERE as_of_day < (SELECT max(as_of_day) FROM model_analytics) - $1::int" },
  /* ------------------------------------------------------------ the jobs of the commands (job_track.c) */
  /* parity_job_track_started(): the command's job runs from its first delivery; $1 job */
  [QD_JOB_RUNNING] = { "QD_JOB_RUNNING",
    "UPDATE jobs SET status = 'running', started_at = coalesce(started_at, now()) WHERE id = $1 AND status = 'queued'" },
  /* parity_job_track_done(), in the handler's transaction: $1 job, $2 succeeded|failed, $3 reason, $4 units
   * done (the total when none was set), $5 counters merged into the job's */
  [QD_JOB_DONE] = { "QD_JOB_DONE",
    "UPDATE jobs SET status = $2, reason = $3, finished_at = now(), progress_total = coalesce(progress_total, $4), "
    "progress_done = CASE WHEN $2 = 'succeeded' THEN coalesce(progress_total, $4) ELSE progress_done END, "
    "counters = counters || coalesce($5::jsonb, '{}') WHERE id = $1 AND status IN ('queued', 'running')" },
  /* parity_job_track_dead_lettered(): $1 job, $2 reason */
  [QD_JOB_FAIL] = { "QD_JOB_FAIL",
    "UPDATE jobs SET status = 'failed', reason = $2, finished_at = now() WHERE id = $1 "
    "AND status IN ('queued', 'running')" },
};

const char *const parity_dec_sql[SQL_DEC_COUNT] = {
  /* parity_market_load_*(): a session-local staging table, emptied per load */
  [SQL_STAGING_CREATE] = "CREATE TEMP TABLE IF NOT EXISTS staging_daily (LIKE daily_prices INCLUDING DEFAULTS)",
  [SQL_STAGING_TRUNCATE] = "TRUNCATE staging_daily",
  [SQL_STAGING_COPY] = "COPY staging_daily (symbol, day, open, high, low, close, adj_close, volume) FROM STDIN",
  /* changes only rows that differ, so a repeated load writes nothing */
  [SQL_DAILY_UPSERT] =
    "INSERT INTO daily_prices AS d SELECT symbol, day, open, high, low, close, adj_close, volume FROM staging_daily "
    "ON CONFLICT (symbol, day) DO UPDATE SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, "
    "close = EXCLUDED.close, adj_close = EXCLUDED.adj_close, volume = EXCLUDED.volume "
    "WHERE (d.open, d.high, d.low, d.close, d.adj_close, d.volume) IS DISTINCT FROM "
    "(EXCLUDED.open, EXCLUDED.high, EXCLUDED.low, EXCLUDED.close, EXCLUDED.adj_close, EXCLUDED.volume)",
  /* parity_market_load_intraday() */
  [SQL_INTRADAY_STAGING_CREATE] =
    "CREATE TEMP TABLE IF NOT EXISTS staging_intraday (LIKE intraday_prices INCLUDING DEFAULTS)",
  [SQL_INTRADAY_STAGING_TRUNCATE] = "TRUNCATE staging_intraday",
  [SQL_INTRADAY_STAGING_COPY] = "COPY staging_intraday (symbol, ts, price) FROM STDIN",
  [SQL_INTRADAY_UPSERT] =
    "INSERT INTO intraday_prices AS p SELECT symbol, ts, price FROM staging_intraday "
    "ON CONFLICT (symbol, ts) DO UPDATE SET price = EXCLUDED.price WHERE p.price IS DISTINCT FROM EXCLUDED.price",
  /* a bad batch is undone to here, while the sync log row that reports it survives */
  [SQL_SAVEPOINT_LOAD] = "SAVEPOINT load",
  [SQL_ROLLBACK_TO_LOAD] = "ROLLBACK TO SAVEPOINT load",
  [SQL_RELEASE_LOAD] = "RELEASE SAVEPOINT load",
  /* parity_h_rebalance_batch(): a batch's target rows in one COPY */
  [SQL_REBALANCE_TARGETS_COPY] =
    "COPY rebalance_targets (batch_id, run_id, batch_no, user_id, targets, skipped, drift) FROM STDIN",
};
/* clang-format on */
