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
};
