/* Yahoo Finance chart API client (libcurl) and its JSON parser, kept apart so the parser can be fuzzed. */
#ifndef PARITY_YAHOO_H
#define PARITY_YAHOO_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "decisional/bars.h"
#include "decisional/price_validate.h"

struct parity_config;

#define PARITY_YAHOO_MAX_RESPONSE (32u * 1024u * 1024u) /* bytes of one (decoded) response body */
#define PARITY_YAHOO_MAX_POINTS 100000                  /* timestamps in one chart response */
#define PARITY_YAHOO_CONNECT_TIMEOUT_MS 5000            /* TCP+TLS connect; less when the total timeout is less */
#define PARITY_YAHOO_BACKOFF_BASE_MS 500                /* first retry waits 250..500 ms, then doubles */
#define PARITY_YAHOO_BACKOFF_MAX_MS 30000               /* ceiling of one backoff wait */
#define PARITY_YAHOO_RETRY_AFTER_MAX_MS 60000           /* a longer Retry-After ends the fetch with PARITY_ERATE */
#define PARITY_YAHOO_BASE_URL_MAX 256                   /* bytes of the base URL */
#define PARITY_YAHOO_PARAM_MAX 8                        /* characters of a range ("5y") or interval ("15m") */
#define PARITY_YAHOO_TZ_MAX 64                          /* bytes of meta.exchangeTimezoneName */
#define PARITY_YAHOO_MAX_GMTOFFSET (18 * 3600)          /* |meta.gmtoffset| in seconds (UTC-12..UTC+14 fit) */

struct parity_yahoo_options {
  const char *base_url;     /* e.g. PARITY_DEFAULT_YAHOO_BASE_URL (copied; a trailing / is dropped) */
  long timeout_ms;          /* whole request, connect to last byte */
  long connect_timeout_ms;  /* 0: min(timeout_ms, PARITY_YAHOO_CONNECT_TIMEOUT_MS) */
  int max_retries;          /* retries after the first attempt, on 429, 5xx and transport errors */
  long backoff_base_ms;     /* 0: PARITY_YAHOO_BACKOFF_BASE_MS */
  long backoff_max_ms;      /* 0: PARITY_YAHOO_BACKOFF_MAX_MS */
  long retry_after_max_ms;  /* 0: PARITY_YAHOO_RETRY_AFTER_MAX_MS */
  size_t max_response;      /* 0: PARITY_YAHOO_MAX_RESPONSE (larger values are clamped to it) */
  const atomic_int *cancel; /* optional: when it becomes non-zero, the fetch stops (shutdown) */
};

/* Fills defaults: the production base URL, 15 s timeout, 4 retries, the constants above. */
void parity_yahoo_options_default(struct parity_yahoo_options *opt);
/* Defaults, then YAHOO_BASE_URL, YAHOO_TIMEOUT_MS and YAHOO_MAX_RETRIES from cfg (borrowed strings). */
void parity_yahoo_options_from_config(const struct parity_config *cfg, struct parity_yahoo_options *opt);

enum parity_yahoo_kind {
  PARITY_YAHOO_DAILY,    /* bars keyed by exchange calendar day, OHLC + adj_close + volume */
  PARITY_YAHOO_INTRADAY, /* (ts, close) points */
};

/* What the parser learned besides the bars. */
struct parity_yahoo_chart_info {
  char symbol[PARITY_SYMBOL_MAX];        /* meta.symbol */
  char exchange_tz[PARITY_YAHOO_TZ_MAX]; /* meta.exchangeTimezoneName, "" when absent */
  long gmtoffset;                        /* meta.gmtoffset, seconds east of UTC */
  size_t timestamps;                     /* entries in `timestamp` */
  size_t skipped_null;                   /* entries dropped because a needed field was null */
  int merged_live;                       /* 1 when a trailing live bar was merged into its day */
  int has_adjclose;                      /* 1 when indicators.adjclose was present */
};

/* A corporate event of chart.result[0].events (asked for with events=div,splits). */
struct parity_yahoo_event {
  int32_t day;  /* the exchange's calendar day of its timestamp */
  int is_split; /* 1: a split numerator:denominator; 0: a cash dividend of `amount` per share */
  double numerator, denominator, amount;
};

/* The events of one chart, oldest first. Owns `items`. */
struct parity_yahoo_events {
  struct parity_yahoo_event *items;
  size_t n;
};

void parity_yahoo_events_free(struct parity_yahoo_events *e);

/* A parsed, validated chart. Owns bars, points and events. */
struct parity_yahoo_chart {
  struct parity_bar_series bars;     /* PARITY_YAHOO_DAILY */
  struct parity_point_series points; /* PARITY_YAHOO_INTRADAY */
  struct parity_yahoo_events events; /* when the answer has any */
  struct parity_yahoo_chart_info info;
};

void parity_yahoo_chart_free(struct parity_yahoo_chart *chart);

/*
 * Parses one chart response body (`json`, `len` bytes, need not be NUL-terminated) into *out (which
 * the caller zeroes first and frees with parity_yahoo_chart_free, also after a failure). `symbol`,
 * when not NULL, must equal meta.symbol. Daily bars take the exchange's calendar day of each
 * timestamp using meta.gmtoffset (daily timestamps are the 09:30 session open, hours away from
 * midnight, so the offset's daylight-saving error of one hour cannot move the day); entries with a
 * null in a needed field (Yahoo emits them on half-days and for the live bar) are skipped and
 * counted; adj_close is indicators.adjclose when present, else close; when the last entry falls on
 * the same day as the one before (Yahoo's live bar during a session) the two are merged. The result
 * passes parity_price_validate_series (or _points). Errors, with err->message "yahoo SYM: ...":
 *   PARITY_ENOTFOUND   chart.error with code "Not Found", or the empty-result shape (no `timestamp`,
 *                      indicators.quote == [{}]): no bars for that symbol and range
 *   PARITY_EUPSTREAM   not JSON, another chart.error, a missing or mistyped field, arrays of unequal
 *                      length, another symbol than asked for
 *   PARITY_ETOOBIG     more than PARITY_YAHOO_MAX_POINTS timestamps
 *   PARITY_EINVAL      bars that fail validation (err->field and err->day say where)
 */
int parity_yahoo_parse_chart(const char *json, size_t len, const char *symbol, enum parity_yahoo_kind kind,
                             struct parity_yahoo_chart *out, struct parity_market_error *err);

/* How a fetch went, for logs, metrics and market_sync_log. */
struct parity_yahoo_fetch_info {
  int attempts;     /* HTTP requests made */
  long http_status; /* of the last attempt; 0 when no response arrived */
  size_t bytes;     /* body bytes of the last attempt */
  long waited_ms;   /* total backoff chosen between attempts (Retry-After or exponential with jitter) */
  struct parity_yahoo_chart_info chart;
};

/*
 * One client per thread: it owns one CURL easy handle (connections are reused between requests) and
 * must not be used by two threads at once; any number of clients may run in parallel.
 * curl_global_init runs once per process, on the first client_new. Returns PARITY_EINVAL for a bad
 * base URL or timeout, PARITY_EINTERNAL when libcurl cannot start.
 */
struct parity_yahoo_client;
int parity_yahoo_client_new(const struct parity_yahoo_options *opt, struct parity_yahoo_client **out);
void parity_yahoo_client_free(struct parity_yahoo_client *client);

/*
 * GETs {base}/v8/finance/chart/{symbol}?range={range}&interval=1d and parses it into *out (empty on
 * entry; owned by the caller, left empty on failure). Retries with exponential backoff and jitter on
 * 429, 5xx and transport errors (honouring Retry-After), never on 404 or another 4xx. Errors are
 * those of parity_yahoo_parse_chart plus:
 *   PARITY_ENOTFOUND   HTTP 404 (message carries chart.error.description)
 *   PARITY_ERATE       still 429 after the retries, or a Retry-After over the maximum
 *   PARITY_EUPSTREAM   still 5xx after the retries, or another 4xx
 *   PARITY_EIO         transport failure (connect, timeout, truncated body) after the retries
 *   PARITY_ETOOBIG     a body over max_response (not retried)
 *   PARITY_EUNAVAILABLE the cancel flag was raised
 *   PARITY_EINVAL      an invalid symbol, range or interval (no request is made)
 * `info` and `err` may be NULL.
 */
int parity_yahoo_fetch_daily(struct parity_yahoo_client *client, const char *symbol, const char *range,
                             struct parity_bar_series *out, struct parity_yahoo_fetch_info *info,
                             struct parity_market_error *err);

/*
 * Daily bars and events from `from_day` on (period1 = its 00:00 UTC, period2 = now + 1 day) with
 * events=div,splits: the incremental sync's request. from_day == INT32_MIN asks for `range` instead
 * (a backfill). `events` (empty on entry; the caller frees it) receives the splits and dividends.
 */
int parity_yahoo_fetch_daily_events(struct parity_yahoo_client *client, const char *symbol, int32_t from_day,
                                    const char *range, struct parity_bar_series *out,
                                    struct parity_yahoo_events *events, struct parity_yahoo_fetch_info *info,
                                    struct parity_market_error *err);

/* The same for intraday bars: range e.g. "14d", interval e.g. "15m"; points are (bar start, close). `events`
 * (empty on entry, may be NULL) receives the splits and dividends of the range. */
int parity_yahoo_fetch_intraday(struct parity_yahoo_client *client, const char *symbol, const char *range,
                                const char *interval, struct parity_point_series *out,
                                struct parity_yahoo_events *events, struct parity_yahoo_fetch_info *info,
                                struct parity_market_error *err);

#endif
