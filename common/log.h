/* JSON-lines logging: one object per line on stderr (ts, level, svc, event, context id, fields). */
#ifndef PARITY_LOG_H
#define PARITY_LOG_H

enum parity_log_level {
  PARITY_LOG_DEBUG = 0,
  PARITY_LOG_INFO = 1,
  PARITY_LOG_WARN = 2,
  PARITY_LOG_ERROR = 3,
};

/* Sets the "svc" field and the minimum level ("debug", "info", "warn", "error"; NULL = info). */
void parity_log_init(const char *service, const char *min_level);

/*
 * Logs one event. `fields` is a jansson pack format for an object of extra fields, or NULL:
 *   parity_log(PARITY_LOG_INFO, "http_listen", "{s:i, s:s}", "port", 8081, "bind", "0.0.0.0");
 * Never pass secrets or tokens. Thread-safe: each call writes one whole line.
 */
void parity_log(enum parity_log_level level, const char *event, const char *fields, ...);

/* Per-thread context id added to every line of this thread (request_id or message_id); NULL clears. */
void parity_log_set_context(const char *key, const char *id);

#endif
