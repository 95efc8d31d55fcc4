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

  /* sync handlers, parity load-prices: $1 source, $2 kind, $3 message id, $4 its job (both may be NULL) */
  [QD_SYNC_LOG_INSERT] = { "QD_SYNC_LOG_INSERT",
    "INSERT INTO market_sync_log (source, kind, message_id, job_id) VALUES ($1, $2, $3::uuid, $4::bigint) "
    "RETURNING id" },
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

  /* CMD_GENERATE: one bucket for one as-of day; regenerating the same day replaces it; $5 the job (may be NULL) */
  [QD_MODEL_UPSERT] = { "QD_MODEL_UPSERT",
    "INSERT INTO model_portfolios (bucket_key, as_of_day, weights, diagnostics, job_id) VALUES ($1, $2::date, "
    "$3::jsonb, $4::jsonb, $5::bigint) ON CONFLICT (bucket_key, as_of_day) DO UPDATE SET weights = EXCLUDED.weights, "
    "diagnostics = EXCLUDED.diagnostics, computed_at = now(), job_id = EXCLUDED.job_id" },
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
  /* $1 day, $2 series, $3 digest, $4 risk (NULL for the benchmarks), $5 backtest, $6 the job (may be NULL); a
   * recompute replaces */
  [QD_ANALYTICS_UPSERT] = { "QD_ANALYTICS_UPSERT",
    "INSERT INTO model_analytics (as_of_day, series_key, prices_fingerprint, risk, backtest, job_id) "
    "VALUES ($1::date, $2, $3, $4::jsonb, $5::jsonb, $6::bigint) ON CONFLICT (as_of_day, series_key) DO UPDATE SET "
    "prices_fingerprint = EXCLUDED.prices_fingerprint, risk = EXCLUDED.risk, backtest = EXCLUDED.backtest, "
    "computed_at = now(), job_id = EXCLUDED.job_id" },
  /* keeps $1 days of history behind the newest computed day, as QD_MODELS_PRUNE does for the models */
  [QD_ANALYTICS_PRUNE] = { "QD_ANALYTICS_PRUNE",
    "DELETE FROM model_analytics WHERE as_of_day < (SELECT max(as_of_day) FROM model_analytics) - $1::int" },

  /* market data: quality, incremental sync, events */
  /* parity_quality_store(): the findings of the days a load checked are replaced; a symbol's stale finding
   * is re-decided by every load of it. $1 [{"symbol","from","to"}] */
  [QD_QUALITY_CLEAR] = { "QD_QUALITY_CLEAR",
    "DELETE FROM market_quality q USING jsonb_to_recordset($1::jsonb) AS r(symbol text, \"from\" date, \"to\" date) "
    "WHERE q.symbol = r.symbol AND (q.day BETWEEN r.\"from\" AND r.\"to\" OR q.check_name = 'stale')" },
  /* parity_quality_store(): $1 [{"symbol","day","check_name","severity","detail"}], $2 source */
  [QD_QUALITY_INSERT] = { "QD_QUALITY_INSERT",
    "INSERT INTO market_quality (symbol, day, check_name, severity, detail, source) "
    "SELECT DISTINCT ON (symbol, day, check_name) symbol, day, check_name, severity, coalesce(detail, '{}'), $2 "
    "FROM jsonb_to_recordset($1::jsonb) AS f(symbol text, day date, check_name text, severity text, detail jsonb) "
    "ON CONFLICT (symbol, day, check_name) DO UPDATE SET severity = EXCLUDED.severity, detail = EXCLUDED.detail, "
    "source = EXCLUDED.source, found_at = now()" },
  /* parity_h_sync_daily(): the open findings per check, for the parity_market_quality_findings gauge */
  [QD_QUALITY_COUNTS] = { "QD_QUALITY_COUNTS",
    "SELECT check_name, severity, count(*) FROM market_quality GROUP BY 1, 2" },
  /* parity_h_generate(): blocking findings of the symbols $1 (text[]) in the window [$2, $3] */
  [QD_QUALITY_BLOCKING] = { "QD_QUALITY_BLOCKING",
    "SELECT symbol, day::text, check_name FROM market_quality WHERE severity = 'blocking' "
    "AND symbol = ANY($1::text[]) AND day BETWEEN $2::date AND $3::date ORDER BY symbol, day, check_name" },
  /* parity_h_sync_daily() (Yahoo): each symbol's newest stored day; no row for a symbol never loaded */
  [QD_SYMBOL_LAST_DAYS] = { "QD_SYMBOL_LAST_DAYS",
    "SELECT s.symbol, (max(d.day) - DATE '1970-01-01') FROM unnest($1::text[]) AS s(symbol) "
    "JOIN daily_prices d ON d.symbol = s.symbol GROUP BY s.symbol" },
  /* parity_h_sync_daily() (Yahoo): a split or dividend seen in the source; RETURNING only when it is new or
   * changed. $1 symbol, $2 day, $3 kind, $4 numerator, $5 denominator, $6 amount, $7 source */
  [QD_EVENT_UPSERT] = { "QD_EVENT_UPSERT",
    "INSERT INTO market_events AS e (symbol, day, kind, numerator, denominator, amount, source) "
    "VALUES ($1, $2::date, $3, $4::float8, $5::float8, $6::float8, $7) ON CONFLICT (symbol, day, kind) DO UPDATE "
    "SET numerator = EXCLUDED.numerator, denominator = EXCLUDED.denominator, amount = EXCLUDED.amount "
    "WHERE (e.numerator, e.denominator, e.amount) IS DISTINCT FROM (EXCLUDED.numerator, EXCLUDED.denominator, "
    "EXCLUDED.amount) RETURNING symbol" },
  /* parity_h_sync_daily(), parity load-prices: the splits known for the symbols $1 (text[]; NULL: all) */
  [QD_SPLITS_OF] = { "QD_SPLITS_OF",
    "SELECT symbol, (day - DATE '1970-01-01'), numerator / denominator FROM market_events WHERE kind = 'split' "
    "AND ($1::text[] IS NULL OR symbol = ANY($1::text[]))" },
  /* parity_quality_store(): per checked symbol ($1 [{"symbol","from","to"}]) the stored bar before its first
   * loaded day and that day's bar, so a load of new days is checked against the history it continues */
  [QD_QUALITY_EDGES] = { "QD_QUALITY_EDGES",
    "SELECT r.symbol, (p.day - DATE '1970-01-01'), p.open, p.high, p.low, p.close, p.adj_close, p.volume, "
    "(f.day - DATE '1970-01-01'), f.open, f.high, f.low, f.close, f.adj_close, f.volume "
    "FROM jsonb_to_recordset($1::jsonb) AS r(symbol text, \"from\" date, \"to\" date) "
    "JOIN daily_prices f ON f.symbol = r.symbol AND f.day = r.\"from\" "
    "CROSS JOIN LATERAL (SELECT * FROM daily_prices d WHERE d.symbol = r.symbol AND d.day < r.\"from\" "
    "ORDER BY d.day DESC LIMIT 1) p" },

  /* parity_dividends_load_rows(): the dividend history (migration 0011_dividends) from three arrays ($1
   * symbols, $2 ex-dates, $3 micro-dollars per share, $4 source); unchanged rows are not written */
  [QD_DIVIDENDS_UPSERT] = { "QD_DIVIDENDS_UPSERT",
    "INSERT INTO dividends AS d (symbol, ex_day, amount_micros, source) "
    "SELECT s, x, a, $4 FROM unnest($1::text[], $2::date[], $3::bigint[]) AS r(s, x, a) "
    "ON CONFLICT (symbol, ex_day) DO UPDATE SET amount_micros = EXCLUDED.amount_micros, source = EXCLUDED.source, "
    "loaded_at = now() WHERE d.amount_micros <> EXCLUDED.amount_micros" },
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
  /* parity_job_track_progress(), on the consumer's progress connection (autocommit, so a watcher sees it while
   * the handler's transaction is open): $1 job, $2 done, $3 total (NULL: not known) */
  [QD_JOB_PROGRESS] = { "QD_JOB_PROGRESS",
    "UPDATE jobs SET progress_done = $2, progress_total = $3 WHERE id = $1 AND status = 'running'" },
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
  /* parity_market_load_*(), before the upsert: a staged bar that changes a stored one is a revision */
  [SQL_REVISIONS_INSERT] =
    "INSERT INTO market_revisions (symbol, day, kind, old, new) "
    "SELECT s.symbol, s.day, 'value', to_jsonb(d) - 'symbol' - 'day', to_jsonb(s) - 'symbol' - 'day' "
    "FROM staging_daily s JOIN daily_prices d ON d.symbol = s.symbol AND d.day = s.day "
    "WHERE (d.open, d.high, d.low, d.close, d.adj_close, d.volume) IS DISTINCT FROM "
    "(s.open, s.high, s.low, s.close, s.adj_close, s.volume)",
  /* parity_market_load_series() (Yahoo's incremental sync), before the upsert: the source re-adjusts its whole
   * history after a split (every price) or a dividend (adj_close); the first re-read day shows the factor, and
   * the stored days before it are rescaled by it so the series stays continuous (and recorded as a rebase) */
  [SQL_REBASE] =
    "WITH first AS (SELECT DISTINCT ON (s.symbol) s.symbol, s.day, s.close / d.close AS f_close, "
    "  s.adj_close / d.adj_close AS f_adj FROM staging_daily s JOIN daily_prices d ON d.symbol = s.symbol "
    "  AND d.day = s.day ORDER BY s.symbol, s.day), "
    "moved AS (SELECT * FROM first WHERE abs(f_close - 1) > 1e-9 OR abs(f_adj - 1) > 1e-9), "
    "logged AS (INSERT INTO market_revisions (symbol, day, kind, old, new) SELECT symbol, day, 'rebase', "
    "  jsonb_build_object('close', 1, 'adj_close', 1), jsonb_build_object('close', f_close, 'adj_close', f_adj) "
    "  FROM moved) "
    "UPDATE daily_prices p SET open = p.open * m.f_close, high = p.high * m.f_close, low = p.low * m.f_close, "
    "close = p.close * m.f_close, adj_close = p.adj_close * m.f_adj, volume = round(p.volume / m.f_close)::bigint "
    "FROM moved m WHERE p.symbol = m.symbol AND p.day < m.day",
};
/* clang-format on */
