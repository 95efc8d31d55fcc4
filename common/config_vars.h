/*
 * Every environment variable Parity reads, once. The daemons parse them all with parity_config_load();
 * LOG_LEVEL is also read before that (to log the parse), and the CLI reads the few it needs one by one,
 * as the daemons' secrets do not concern it. X-macro rows:
 *   X(NAME, type, member, default, min, max, "meaning")
 * type: STR, SECRET (redacted when printed; required in production), INT, BOOL, DOUBLE.
 * min/max bound INT and DOUBLE values. Deployment manifests are checked against this table.
 *
 * A default that code also needs without a configuration (a library's own defaults, a test, a tool) is
 * a named constant here, stated once, and enters its row as text through PARITY_CONFIG_TEXT.
 */
#ifndef PARITY_CONFIG_VARS_H
#define PARITY_CONFIG_VARS_H

#define PARITY_CONFIG_TEXT(value) PARITY_CONFIG_TEXT_(value)
#define PARITY_CONFIG_TEXT_(value) #value

#define PARITY_DEFAULT_YAHOO_BASE_URL "https://query2.finance.yahoo.com"
#define PARITY_DEFAULT_STRIPE_API_BASE "https://api.stripe.com"
#define PARITY_DEFAULT_YAHOO_TIMEOUT_MS 15000
#define PARITY_DEFAULT_YAHOO_MAX_RETRIES 4
#define PARITY_DEFAULT_MODEL_LOOKBACK_DAYS 1260 /* SPEC §8: five years of trading days */
#define PARITY_DEFAULT_MODEL_MIN_COMMON_DAYS 252
#define PARITY_DEFAULT_MODEL_TOP_EQUITIES 6
#define PARITY_DEFAULT_MODEL_MIN_WEIGHT 0.02
#define PARITY_DEFAULT_REBALANCE_THRESHOLD 0.02
#define PARITY_DEFAULT_HARVEST_MIN_LOSS_CENTS 10000 /* $100 */
#define PARITY_DEFAULT_HARVEST_MIN_LOSS_BPS 500     /* 5 % of the lot's basis */

/* clang-format off */
#define PARITY_CONFIG_VARS(X) \
  X(PARITY_ENV, STR, env, "development", 0, 0, "development or production (production requires every secret)") \
  X(LOG_LEVEL, STR, log_level, "info", 0, 0, "debug, info, warn or error") \
  X(DATABASE_URL, SECRET, database_url, "postgresql://parity@127.0.0.1:55432/parity", 0, 0, "operational connection (schema owner)") \
  X(DECISIONAL_DATABASE_URL, SECRET, decisional_database_url, "postgresql://parity_decisional@127.0.0.1:55432/parity", 0, 0, "decisional connection (DML role)") \
  X(AMQP_URL, SECRET, amqp_url, "amqp://parity:parity@127.0.0.1:55672/", 0, 0, "RabbitMQ broker") \
  X(AMQP_QUEUE_TYPE, STR, amqp_queue_type, "classic", 0, 0, "classic or quorum") \
  X(AMQP_PREFETCH_INTERACTIVE, INT, amqp_prefetch_interactive, "1", 1, 1000, "prefetch on decisional.interactive") \
  X(AMQP_PREFETCH_PIPELINE, INT, amqp_prefetch_pipeline, "1", 1, 1000, "prefetch on decisional.pipeline") \
  X(AMQP_PREFETCH_REBALANCE, INT, amqp_prefetch_rebalance, "2", 1, 1000, "prefetch on decisional.rebalance (batches are large: a low prefetch lets replicas share them)") \
  X(AMQP_MAX_ATTEMPTS, INT, amqp_max_attempts, "5", 1, 100, "deliveries of a failing message before it is dead-lettered") \
  X(HTTP_BIND, STR, http_bind, "0.0.0.0", 0, 0, "address of the public API") \
  X(HTTP_PORT, INT, http_port, "8081", 1, 65535, "public API and SPA port") \
  X(INTERNAL_BIND, STR, internal_bind, "127.0.0.1", 0, 0, "address of the internal endpoints") \
  X(INTERNAL_PORT, INT, internal_port, "8082", 1, 65535, "internal endpoints port (CronJobs)") \
  X(METRICS_PORT, INT, metrics_port, "9090", 1, 65535, "decisional metrics and probes port") \
  X(INTERNAL_SECRET, SECRET, internal_secret, "", 0, 0, "X-Internal-Secret for /internal/*") \
  X(JWT_SECRET, SECRET, jwt_secret, "", 0, 0, "HS256 key for access tokens (>= 32 bytes)") \
  X(TOTP_ENC_KEY, SECRET, totp_enc_key, "", 0, 0, "64 hex digits: AES-256-GCM key for TOTP secrets") \
  X(HTTP_MAX_CONNECTIONS, INT, http_max_connections, "512", 1, 100000, "concurrent connections per listener") \
  X(HTTP_PER_IP_CONNECTIONS, INT, http_per_ip_connections, "64", 1, 100000, "concurrent connections per client IP") \
  X(HTTP_CONNECTION_TIMEOUT, INT, http_connection_timeout, "30", 1, 3600, "idle connection timeout, seconds") \
  X(SHUTDOWN_GRACE_SECONDS, INT, shutdown_grace_seconds, "10", 0, 600, "time given to in-flight work on SIGTERM") \
  X(STATIC_DIR, STR, static_dir, "", 0, 0, "built SPA served on the public port (empty: share/parity/www beside the binary)") \
  X(PARITY_MIGRATIONS_DIR, STR, migrations_dir, "", 0, 0, "schema migrations (empty: share/parity/migrations beside the binary)") \
  X(PARITY_OPENAPI_FILE, STR, openapi_file, "", 0, 0, "API description served as /api/v1/openapi.json (empty: share/parity/openapi.yaml)") \
  X(OUTBOX_POLL_MS, INT, outbox_poll_ms, "200", 10, 60000, "outbox relay poll interval") \
  X(ENABLE_CRON, BOOL, enable_cron, "false", 0, 0, "run the schedule in-process (make run) instead of CronJobs") \
  X(MARKET_SOURCE, STR, market_source, "bundled", 0, 0, "bundled or yahoo") \
  X(BUNDLED_DATA_FILE, STR, bundled_data_file, "", 0, 0, "bundled prices (empty: share/parity/data/etf_daily.csv.gz beside the binary)") \
  X(YAHOO_BASE_URL, STR, yahoo_base_url, PARITY_DEFAULT_YAHOO_BASE_URL, 0, 0, "Yahoo chart API base URL") \
  X(YAHOO_TIMEOUT_MS, INT, yahoo_timeout_ms, PARITY_CONFIG_TEXT(PARITY_DEFAULT_YAHOO_TIMEOUT_MS), 100, 600000, "per-request timeout") \
  X(YAHOO_MAX_RETRIES, INT, yahoo_max_retries, PARITY_CONFIG_TEXT(PARITY_DEFAULT_YAHOO_MAX_RETRIES), 0, 20, "retries on 429 and 5xx") \
  X(UNIVERSE_EQUITIES, STR, universe_equities, "VTI,VOO,QQQ,VTV,VUG,IWM,VEA,VWO,VNQ,VNQI,XLF,XLV,XLE,XLK", 0, 0, "equity ETFs") \
  X(UNIVERSE_BONDS, STR, universe_bonds, "BND,TLT,LQD,HYG,BNDX", 0, 0, "bond ETFs") \
  X(BENCHMARK_SYMBOL, STR, benchmark_symbol, "SPY", 0, 0, "benchmark, synced with the universe") \
  X(MODEL_LOOKBACK_DAYS, INT, model_lookback_days, PARITY_CONFIG_TEXT(PARITY_DEFAULT_MODEL_LOOKBACK_DAYS), 20, 10000, "returns used for HRP and forecasts") \
  X(MODEL_MIN_COMMON_DAYS, INT, model_min_common_days, PARITY_CONFIG_TEXT(PARITY_DEFAULT_MODEL_MIN_COMMON_DAYS), 2, 10000, "symbols with fewer common days are excluded") \
  X(MODEL_TOP_EQUITIES, INT, model_top_equities, PARITY_CONFIG_TEXT(PARITY_DEFAULT_MODEL_TOP_EQUITIES), 1, 100, "equities kept by Sharpe preselection") \
  X(MODEL_MIN_WEIGHT, DOUBLE, model_min_weight, PARITY_CONFIG_TEXT(PARITY_DEFAULT_MODEL_MIN_WEIGHT), 0, 0.5, "weights below are cut and redistributed") \
  X(REBALANCE_THRESHOLD, DOUBLE, rebalance_threshold, PARITY_CONFIG_TEXT(PARITY_DEFAULT_REBALANCE_THRESHOLD), 0, 1, "assets within this of target keep their weight") \
  X(PARITY_REBALANCE_BATCH_SIZE, INT, rebalance_batch_size, "2000", 1, 5000, "portfolios per rebalance batch (keyset slice of a monthly run)") \
  X(PARITY_APPLY_THREADS, INT, apply_threads, "2", 1, 32, "operational threads consuming events and applying rebalance batches, each with its own connections") \
  X(TAX_HARVEST_MIN_LOSS_CENTS, INT, tax_harvest_min_loss_cents, PARITY_CONFIG_TEXT(PARITY_DEFAULT_HARVEST_MIN_LOSS_CENTS), 0, 1000000000000, "tax-loss harvest: least unrealized loss of a lot sold, cents (and TAX_HARVEST_MIN_LOSS_BPS of its basis)") \
  X(TAX_HARVEST_MIN_LOSS_BPS, INT, tax_harvest_min_loss_bps, PARITY_CONFIG_TEXT(PARITY_DEFAULT_HARVEST_MIN_LOSS_BPS), 0, 10000, "tax-loss harvest: least unrealized loss of a lot sold, basis points of its basis") \
  X(PARITY_HARVEST_BATCH_SIZE, INT, harvest_batch_size, "1000", 1, 5000, "investors per tax-loss harvest batch (keyset slice, one transaction)") \
  X(STALENESS_MAX_DAYS, INT, staleness_max_days, "4", 0, 365, "no rebalance when the newest close is older") \
  X(FORECAST_PATHS, INT, forecast_paths, "10000", 100, 1000000, "Monte Carlo paths") \
  X(RATE_LIMIT_RPS, DOUBLE, rate_limit_rps, "10", 0, 1000000, "per-IP token bucket rate (0 disables)") \
  X(RATE_LIMIT_BURST, INT, rate_limit_burst, "20", 0, 1000000, "per-IP token bucket size") \
  X(PASSWORD_GATE_TIMEOUT_MS, INT, password_gate_timeout_ms, "10000", 1, 600000, "wait for one of the 2 argon2id slots, then 503 BUSY") \
  X(TRUSTED_PROXIES, STR, trusted_proxies, "", 0, 0, "comma-separated proxy addresses or CIDR networks, IPv4 or IPv6 (10.42.0.0/16, fd00::/8), whose X-Forwarded-For is trusted") \
  X(FRONTEND_ORIGIN, STR, frontend_origin, "http://localhost:8081", 0, 0, "the only CORS origin") \
  X(PUBLIC_BASE_URL, STR, public_base_url, "http://localhost:8081", 0, 0, "base of links in emails") \
  X(COOKIE_SECURE, BOOL, cookie_secure, "false", 0, 0, "Secure cookies and HSTS (behind TLS)") \
  X(SMTP_URL, SECRET, smtp_url, "", 0, 0, "smtp(s)://user:pass@host:port; empty writes .eml files") \
  X(SMTP_FROM, STR, smtp_from, "Parity <no-reply@parity.local>", 0, 0, "sender of emails") \
  X(MAIL_DIR, STR, mail_dir, "var/mail", 0, 0, "where emails go when SMTP_URL is empty") \
  X(TURNSTILE_SECRET, SECRET, turnstile_secret, "", 0, 0, "Cloudflare Turnstile secret; empty disables the check") \
  X(TURNSTILE_VERIFY_URL, STR, turnstile_verify_url, "https://challenges.cloudflare.com/turnstile/v0/siteverify", 0, 0, "Turnstile siteverify endpoint (tests point it at a local server)") \
  X(STRIPE_SECRET_KEY, SECRET, stripe_secret_key, "", 0, 0, "Stripe secret API key; with STRIPE_WEBHOOK_SECRET enables card deposits (empty: paper deposits only)") \
  X(STRIPE_WEBHOOK_SECRET, SECRET, stripe_webhook_secret, "", 0, 0, "signing secret (whsec_...) of the Stripe webhook endpoint") \
  X(STRIPE_PUBLISHABLE_KEY, STR, stripe_publishable_key, "", 0, 0, "Stripe publishable key served to the SPA, which loads Stripe.js only when it is set") \
  X(STRIPE_API_BASE, STR, stripe_api_base, PARITY_DEFAULT_STRIPE_API_BASE, 0, 0, "Stripe API base URL (tests point it at a local stand-in)")
/* clang-format on */

#endif
