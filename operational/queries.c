/* Every SQL statement parity-operational runs, named once, with the function that calls it. */
#include "operational/queries.h"

const struct parity_stmt parity_op_stmts[Q_OP_QUERY_COUNT] = {
  /* h_probe_readyz() */
  [Q_PING] = { "Q_PING", "SELECT 1" },

  /* parity_svc_market_status() */
  [Q_MARKET_STATUS] = { "Q_MARKET_STATUS",
    "SELECT symbol, min(day)::text, max(day)::text, count(*), (current_date - max(day)) AS age_days "
    "FROM daily_prices GROUP BY symbol ORDER BY symbol" },

  /* parity_svc_market_prices(): $1 symbol, $2 from, $3 to (inclusive) */
  [Q_MARKET_PRICES] = { "Q_MARKET_PRICES",
    "SELECT day::text, open, high, low, close, adj_close, volume FROM daily_prices "
    "WHERE symbol = $1 AND day BETWEEN $2::date AND $3::date ORDER BY day" },

  /* parity_svc_market_prices(): tells an unknown symbol from an empty range */
  [Q_MARKET_SYMBOL_EXISTS] = { "Q_MARKET_SYMBOL_EXISTS",
    "SELECT 1 FROM daily_prices WHERE symbol = $1 LIMIT 1" },

  /* parity_outbox_enqueue(): $1 type, $2 payload; in the caller's transaction */
  [Q_OUTBOX_INSERT] = { "Q_OUTBOX_INSERT",
    "INSERT INTO outbox (type, payload) VALUES ($1, $2::jsonb) RETURNING id::text" },

  /* outbox relay: oldest unsent rows; SKIP LOCKED lets replicas share the work without double sends */
  [Q_OUTBOX_CLAIM] = { "Q_OUTBOX_CLAIM",
    "SELECT id::text, type, payload::text FROM outbox WHERE published_at IS NULL "
    "ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED" },

  /* outbox relay: after the broker confirmed */
  [Q_OUTBOX_MARK_SENT] = { "Q_OUTBOX_MARK_SENT",
    "UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1::uuid" },

  /* outbox relay: after a nack, a return or a timeout */
  [Q_OUTBOX_MARK_FAILED] = { "Q_OUTBOX_MARK_FAILED",
    "UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1::uuid" },

  /* outbox relay: the parity_operational_outbox_pending gauge */
  [Q_OUTBOX_PENDING] = { "Q_OUTBOX_PENDING", "SELECT count(*) FROM outbox WHERE published_at IS NULL" },

  /* events consumer: a redelivered event is acked with no effect */
  [Q_PROCESSED_INSERT] = { "Q_PROCESSED_INSERT",
    "INSERT INTO processed_messages (message_id, type) VALUES ($1::uuid, $2) ON CONFLICT DO NOTHING" },

  /* h_probe / pipeline status: newest successful sync per kind */
  [Q_LAST_SYNC] = { "Q_LAST_SYNC",
    "SELECT kind, max(finished_at)::text FROM market_sync_log WHERE error IS NULL AND finished_at IS NOT NULL "
    "GROUP BY kind" },

  /* parity_svc_cleanup(): $1 days kept */
  [Q_CLEANUP_PROCESSED] = { "Q_CLEANUP_PROCESSED",
    "DELETE FROM processed_messages WHERE processed_at < now() - make_interval(days => $1::int)" },
  [Q_CLEANUP_OUTBOX] = { "Q_CLEANUP_OUTBOX",
    "DELETE FROM outbox WHERE published_at < now() - make_interval(days => $1::int)" },
  [Q_CLEANUP_ACTION_TOKENS] = { "Q_CLEANUP_ACTION_TOKENS",
    "DELETE FROM action_tokens WHERE expires_at < now() - make_interval(days => $1::int)" },
  [Q_CLEANUP_SESSIONS] = { "Q_CLEANUP_SESSIONS",
    "DELETE FROM sessions WHERE family_expires_at < now() - make_interval(days => $1::int)" },

  /* ------------------------------------------------------------ the investor's money (issue 5) */

  /* parity_svc_onboarding_submit(), parity_svc_invest(): the investor's profile */
  [Q_USER_PROFILE] = { "Q_USER_PROFILE", "SELECT risk_tolerance, horizon FROM users WHERE id = $1" },
  /* parity_svc_onboarding_submit(): $1 user, $2 risk, $3 horizon, $4 answers */
  [Q_USER_SET_PROFILE] = { "Q_USER_SET_PROFILE",
    "UPDATE users SET risk_tolerance = $2, horizon = $3, onboarding = $4::jsonb, updated_at = now() WHERE id = $1" },
  /* ledger: every user has one wallet, created on first use */
  [Q_WALLET_ENSURE] = { "Q_WALLET_ENSURE", "INSERT INTO wallets (user_id) VALUES ($1) ON CONFLICT DO NOTHING" },
  [Q_WALLET_GET] = { "Q_WALLET_GET", "SELECT cash_cents FROM wallets WHERE user_id = $1" },
  /* parity_svc_deposit(), sells: $1 user, $2 cents */
  [Q_WALLET_CREDIT] = { "Q_WALLET_CREDIT",
    "UPDATE wallets SET cash_cents = cash_cents + $2, updated_at = now() WHERE user_id = $1 RETURNING cash_cents" },
  /* parity_svc_withdraw(), parity_svc_invest(): no row when the cash is short */
  [Q_WALLET_DEBIT] = { "Q_WALLET_DEBIT",
    "UPDATE wallets SET cash_cents = cash_cents - $2, updated_at = now() WHERE user_id = $1 AND cash_cents >= $2 "
    "RETURNING cash_cents" },
  /* ledger: $1 user, $2 kind, $3 cents, $4 idempotency key (may be NULL), $5 request hash */
  [Q_MOVEMENT_INSERT] = { "Q_MOVEMENT_INSERT",
    "INSERT INTO cash_movements (user_id, kind, amount_cents, idempotency_key, request_hash) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING id" },
  /* ledger: the first answer, kept for a repeated Idempotency-Key */
  [Q_MOVEMENT_SET_RESPONSE] = { "Q_MOVEMENT_SET_RESPONSE",
    "UPDATE cash_movements SET response = $2::jsonb WHERE id = $1" },
  [Q_MOVEMENT_BY_KEY] = { "Q_MOVEMENT_BY_KEY",
    "SELECT kind, request_hash, response::text FROM cash_movements WHERE user_id = $1 AND idempotency_key = $2" },
  /* parity_svc_onboarding_submit(): one portfolio per user; the bucket follows the answers */
  [Q_PORTFOLIO_ENSURE] = { "Q_PORTFOLIO_ENSURE",
    "INSERT INTO portfolios (user_id, bucket_key) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE "
    "SET bucket_key = EXCLUDED.bucket_key, version = portfolios.version + 1, updated_at = now()" },
  /* parity_svc_portfolio_load() */
  [Q_PORTFOLIO_GET] = { "Q_PORTFOLIO_GET",
    "SELECT cash_cents, pending_cents, bucket_key, version FROM portfolios WHERE user_id = $1" },
  /* every money-moving step on a portfolio starts here: one writer at a time per portfolio */
  [Q_PORTFOLIO_LOCK] = { "Q_PORTFOLIO_LOCK",
    "SELECT cash_cents, pending_cents, bucket_key, version FROM portfolios WHERE user_id = $1 FOR UPDATE" },
  /* $1 user, $2 cash, $3 pending */
  [Q_PORTFOLIO_SET_CASH] = { "Q_PORTFOLIO_SET_CASH",
    "UPDATE portfolios SET cash_cents = $2, pending_cents = $3, version = version + 1, updated_at = now() "
    "WHERE user_id = $1" },
  /* parity_svc_portfolio_load(): positions with the newest price (intraday when newer than the close) */
  [Q_POSITIONS_VALUED] = { "Q_POSITIONS_VALUED",
    "SELECT p.symbol, p.shares_micro, p.cost_basis_cents, lp.price, to_char(lp.priced_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM positions p LEFT JOIN LATERAL ("
    "  SELECT price, priced_at FROM ("
    "    (SELECT close AS price, ((day + time '16:00') AT TIME ZONE 'America/New_York') AS priced_at "
    "     FROM daily_prices d WHERE d.symbol = p.symbol ORDER BY day DESC LIMIT 1) "
    "    UNION ALL (SELECT price, ts FROM intraday_prices i WHERE i.symbol = p.symbol ORDER BY ts DESC LIMIT 1)"
    "  ) x ORDER BY priced_at DESC LIMIT 1) lp ON true "
    "WHERE p.user_id = $1 AND p.shares_micro > 0 ORDER BY p.symbol" },
  /* trade execution: positions are locked with their portfolio */
  [Q_POSITIONS_LOCK] = { "Q_POSITIONS_LOCK",
    "SELECT symbol FROM positions WHERE user_id = $1 ORDER BY symbol FOR UPDATE" },
  /* a buy: $1 user, $2 symbol, $3 micro-shares, $4 cents */
  [Q_POSITION_BUY] = { "Q_POSITION_BUY",
    "INSERT INTO positions (user_id, symbol, shares_micro, cost_basis_cents) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (user_id, symbol) DO UPDATE SET shares_micro = positions.shares_micro + EXCLUDED.shares_micro, "
    "cost_basis_cents = positions.cost_basis_cents + EXCLUDED.cost_basis_cents, updated_at = now()" },
  /* a sell: $1 user, $2 symbol, $3 micro-shares left, $4 cost basis left */
  [Q_POSITION_SET] = { "Q_POSITION_SET",
    "UPDATE positions SET shares_micro = $3, cost_basis_cents = $4, updated_at = now() "
    "WHERE user_id = $1 AND symbol = $2" },
  /* $1 user, $2 symbol, $3 side, $4 micro-shares, $5 micro-dollars, $6 cents, $7 reason, $8 request (NULL) */
  [Q_TRADE_INSERT] = { "Q_TRADE_INSERT",
    "INSERT INTO trades (user_id, symbol, side, shares_micro, price_micros, amount_cents, reason, request_id) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::uuid)" },
  /* trade execution: the newest price of each symbol of $1 (a text[]) */
  [Q_LATEST_PRICES] = { "Q_LATEST_PRICES",
    "SELECT s.symbol, lp.price FROM unnest($1::text[]) AS s(symbol) LEFT JOIN LATERAL ("
    "  SELECT price FROM ("
    "    (SELECT close AS price, ((day + time '16:00') AT TIME ZONE 'America/New_York') AS priced_at "
    "     FROM daily_prices d WHERE d.symbol = s.symbol ORDER BY day DESC LIMIT 1) "
    "    UNION ALL (SELECT price, ts FROM intraday_prices i WHERE i.symbol = s.symbol ORDER BY ts DESC LIMIT 1)"
    "  ) x ORDER BY priced_at DESC LIMIT 1) lp ON true" },
  /* the current model of a bucket */
  [Q_MODEL_CURRENT] = { "Q_MODEL_CURRENT",
    "SELECT weights::text, as_of_day::text, to_char(computed_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM model_portfolios WHERE bucket_key = $1 ORDER BY as_of_day DESC LIMIT 1" },
  /* GET /models */
  [Q_MODELS_CURRENT_ALL] = { "Q_MODELS_CURRENT_ALL",
    "SELECT DISTINCT ON (bucket_key) bucket_key, as_of_day::text, to_char(computed_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), weights::text FROM model_portfolios ORDER BY bucket_key, as_of_day DESC" },
  /* parity_svc_request_deploy(): $1 user, $2 reason, $3 the command payload */
  [Q_REQUEST_INSERT] = { "Q_REQUEST_INSERT",
    "INSERT INTO rebalance_requests (user_id, reason, request) VALUES ($1, $2, $3::jsonb) RETURNING id::text" },
  [Q_REQUEST_OPEN_FOR_USER] = { "Q_REQUEST_OPEN_FOR_USER",
    "SELECT id::text, status FROM rebalance_requests WHERE user_id = $1 AND status IN ('pending', 'computed')" },
  /* parity_svc_apply_request(): the request row is the idempotency key of its trades */
  [Q_REQUEST_LOCK] = { "Q_REQUEST_LOCK",
    "SELECT user_id, status, targets::text FROM rebalance_requests WHERE id = $1::uuid FOR UPDATE" },
  [Q_REQUEST_APPLIED] = { "Q_REQUEST_APPLIED",
    "UPDATE rebalance_requests SET status = 'applied', applied_at = now(), trades = $2 WHERE id = $1::uuid" },
  [Q_REQUEST_FAILED] = { "Q_REQUEST_FAILED",
    "UPDATE rebalance_requests SET status = 'error', error = $2 WHERE id = $1::uuid AND status <> 'applied'" },
  /* the sweeper: results whose event never came */
  [Q_REQUESTS_COMPUTED_STALE] = { "Q_REQUESTS_COMPUTED_STALE",
    "SELECT id::text FROM rebalance_requests WHERE status = 'computed' AND computed_at < now() - interval '3 seconds' "
    "ORDER BY computed_at LIMIT 50" },
  /* the sweeper: invested cash waiting for a model (or whose request failed) */
  [Q_PORTFOLIOS_WAITING] = { "Q_PORTFOLIOS_WAITING",
    "SELECT p.user_id FROM portfolios p WHERE p.pending_cents > 0 AND p.bucket_key IS NOT NULL "
    "AND EXISTS (SELECT 1 FROM model_portfolios m WHERE m.bucket_key = p.bucket_key) "
    "AND NOT EXISTS (SELECT 1 FROM rebalance_requests r WHERE r.user_id = p.user_id AND r.status IN ('pending', 'computed')) "
    "ORDER BY p.user_id LIMIT 100" },
  /* GET /portfolio: money moved into the portfolio minus money taken out */
  [Q_PORTFOLIO_CONTRIBUTIONS] = { "Q_PORTFOLIO_CONTRIBUTIONS",
    "SELECT coalesce(sum(CASE kind WHEN 'invest' THEN amount_cents WHEN 'sell' THEN -amount_cents ELSE 0 END), 0) "
    "FROM cash_movements WHERE user_id = $1" },
  /* GET /portfolio/trades: $1 user, $2 limit, $3 offset */
  [Q_TRADES_LIST] = { "Q_TRADES_LIST",
    "SELECT id, symbol, side, shares_micro, price_micros, amount_cents, reason, to_char(created_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM trades WHERE user_id = $1 ORDER BY created_at DESC, id DESC "
    "LIMIT $2 OFFSET $3" },
  /* GET /transactions: cash movements and trades, newest first; (time, type, id) makes paging stable */
  [Q_TRANSACTIONS_LIST] = { "Q_TRANSACTIONS_LIST",
    "SELECT type, id, kind, symbol, amount_cents, shares_micro, price_micros, to_char(at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), count(*) OVER () FROM ("
    "  SELECT 'cash' AS type, id, kind, NULL::text AS symbol, amount_cents, NULL::bigint AS shares_micro, "
    "         NULL::bigint AS price_micros, created_at AS at FROM cash_movements WHERE user_id = $1 "
    "  UNION ALL SELECT 'trade', id, side, symbol, amount_cents, shares_micro, price_micros, created_at "
    "  FROM trades WHERE user_id = $1) t ORDER BY at DESC, type, id DESC LIMIT $2 OFFSET $3" },
  /* parity audit: the ledger invariant of SPEC §5 per user, rows only where it fails */
  [Q_AUDIT_CASH] = { "Q_AUDIT_CASH",
    "SELECT u.id, coalesce(m.net, 0), coalesce(w.cash_cents, 0), coalesce(p.cash_cents, 0), coalesce(t.net, 0) "
    "FROM users u LEFT JOIN wallets w ON w.user_id = u.id LEFT JOIN portfolios p ON p.user_id = u.id "
    "LEFT JOIN (SELECT user_id, sum(CASE kind WHEN 'deposit' THEN amount_cents WHEN 'withdrawal' THEN -amount_cents "
    "  ELSE 0 END) AS net FROM cash_movements GROUP BY user_id) m ON m.user_id = u.id "
    "LEFT JOIN (SELECT user_id, sum(CASE side WHEN 'buy' THEN amount_cents ELSE -amount_cents END) AS net "
    "  FROM trades GROUP BY user_id) t ON t.user_id = u.id "
    "WHERE coalesce(m.net, 0) <> coalesce(w.cash_cents, 0) + coalesce(p.cash_cents, 0) + coalesce(t.net, 0) "
    "ORDER BY u.id" },
  [Q_AUDIT_SHARES] = { "Q_AUDIT_SHARES",
    "SELECT coalesce(p.user_id, t.user_id), coalesce(p.symbol, t.symbol), coalesce(p.shares_micro, 0), "
    "coalesce(t.net, 0) FROM positions p FULL JOIN (SELECT user_id, symbol, "
    "  sum(CASE side WHEN 'buy' THEN shares_micro ELSE -shares_micro END) AS net FROM trades "
    "  GROUP BY user_id, symbol) t ON t.user_id = p.user_id AND t.symbol = p.symbol "
    "WHERE coalesce(p.shares_micro, 0) <> coalesce(t.net, 0) ORDER BY 1, 2" },
  /* ------------------------------------------------------------ end of the money block */
};
