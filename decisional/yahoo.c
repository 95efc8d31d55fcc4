/* Yahoo chart API: a bounded, retrying libcurl transport and a strict jansson parser of its answers. */
#include "decisional/yahoo.h"

#include <curl/curl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/config.h"
#include "common/errors.h"
#include "common/log.h"

#define YAHOO_USER_AGENT "Mozilla/5.0 (compatible; parity/0.1; +https://github.com/parity)"
#define YAHOO_MAX_REDIRECTS 3
#define YAHOO_SLEEP_SLICE_MS 50 /* backoff sleeps wake this often to notice the cancel flag */
#define YAHOO_URL_MAX (PARITY_YAHOO_BASE_URL_MAX + 128)

/* ---------------------------------------------------------------------------------------------- */
/* Parser                                                                                          */
/* ---------------------------------------------------------------------------------------------- */

static int chart_error(struct parity_market_error *err, int rc, const char *symbol, const char *field, int32_t day,
                       const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Fills err with "yahoo SYM: field FIELD: what" (no field part when field is NULL) and returns rc. */
static int chart_error(struct parity_market_error *err, int rc, const char *symbol, const char *field, int32_t day,
                       const char *fmt, ...)
{
  if (!err)
    return rc;
  char what[PARITY_MARKET_ERROR_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof(what), fmt, ap);
  va_end(ap);
  parity_market_error_clear(err);
  snprintf(err->symbol, sizeof(err->symbol), "%s", symbol ? symbol : "");
  snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
  err->day = day;
  int n;
  if (field)
    n = snprintf(err->message, sizeof(err->message), "yahoo %s: field %s: %s", err->symbol, field, what);
  else
    n = snprintf(err->message, sizeof(err->message), "yahoo %s: %s", err->symbol, what);
  parity_market_text_fit(err->message, sizeof(err->message), n);
  return rc;
}

void parity_yahoo_events_free(struct parity_yahoo_events *e)
{
  free(e->items);
  e->items = NULL;
  e->n = 0;
}

void parity_yahoo_chart_free(struct parity_yahoo_chart *chart)
{
  parity_bar_series_free(&chart->bars);
  parity_point_series_free(&chart->points);
  parity_yahoo_events_free(&chart->events);
}

static int event_order(const void *a, const void *b)
{
  const struct parity_yahoo_event *x = a, *y = b;
  return x->day != y->day ? (x->day < y->day ? -1 : 1) : x->is_split - y->is_split;
}

/* A positive finite number member of an event object. */
static bool event_number(json_t *obj, const char *key, double *out)
{
  json_t *v = json_object_get(obj, key);
  if (!json_is_number(v))
    return false;
  *out = json_number_value(v);
  return isfinite(*out) && *out > 0;
}

/*
 * result.events: {"splits": {"<ts>": {"date", "numerator", "denominator", "splitRatio"}},
 *                 "dividends": {"<ts>": {"date", "amount"}}}; absent when the range has none.
 */
static int read_events(json_t *result, const char *symbol, long gmtoffset, struct parity_yahoo_chart *out,
                       struct parity_market_error *err)
{
  json_t *events = json_object_get(result, "events");
  if (!events || json_is_null(events))
    return PARITY_OK;
  if (!json_is_object(events))
    return chart_error(err, PARITY_EUPSTREAM, symbol, "events", INT32_MIN, "not an object");
  static const char *const kinds[] = { "splits", "dividends" };
  for (size_t k = 0; k < 2; k++) {
    json_t *group = json_object_get(events, kinds[k]);
    if (!group || json_is_null(group))
      continue;
    if (!json_is_object(group))
      return chart_error(err, PARITY_EUPSTREAM, symbol, "events", INT32_MIN, "events.%s is not an object", kinds[k]);
    const char *key;
    json_t *ev;
    json_object_foreach(group, key, ev) {
      struct parity_yahoo_event e = { .is_split = k == 0 };
      json_t *date = json_object_get(ev, "date");
      bool ok = json_is_integer(date);
      if (ok && e.is_split)
        ok = event_number(ev, "numerator", &e.numerator) && event_number(ev, "denominator", &e.denominator);
      else if (ok)
        ok = event_number(ev, "amount", &e.amount);
      if (!ok)
        return chart_error(err, PARITY_EUPSTREAM, symbol, "events", INT32_MIN, "events.%s.%s is malformed", kinds[k],
                           key);
      e.day = parity_day_from_epoch((int64_t)json_integer_value(date), gmtoffset);
      out->events.items = parity_xrealloc(out->events.items, (out->events.n + 1) * sizeof(e));
      out->events.items[out->events.n++] = e;
    }
  }
  if (out->events.n > 1)
    qsort(out->events.items, out->events.n, sizeof(out->events.items[0]), event_order);
  return PARITY_OK;
}

/* An optional array member: NULL when absent or JSON null; *bad when present with another type. */
static json_t *opt_array(json_t *obj, const char *key, bool *bad)
{
  json_t *v = json_object_get(obj, key);
  if (!v || json_is_null(v))
    return NULL;
  if (!json_is_array(v)) {
    *bad = true;
    return NULL;
  }
  return v;
}

/* The chart.error object, when set, decides the outcome: "Not Found" means no such symbol. */
static int parse_chart_error(json_t *error, const char *symbol, struct parity_market_error *err)
{
  const char *code = json_string_value(json_object_get(error, "code"));
  const char *desc = json_string_value(json_object_get(error, "description"));
  int rc = code && strcmp(code, "Not Found") == 0 ? PARITY_ENOTFOUND : PARITY_EUPSTREAM;
  return chart_error(err, rc, symbol, NULL, INT32_MIN, "%s: %s", code ? code : "error",
                     desc ? desc : "(no description)");
}

/* One quote value: a finite number, or null (*is_null). Anything else is malformed. */
static int quote_number(json_t *arr, size_t i, double *out, bool *is_null)
{
  json_t *v = json_array_get(arr, i);
  if (json_is_null(v)) {
    *is_null = true;
    return 0;
  }
  if (!json_is_number(v))
    return -1;
  *out = json_number_value(v);
  return isfinite(*out) ? 0 : -1;
}

/* Volume is an integer; Yahoo sometimes writes it as a real with no fraction. */
static int quote_volume(json_t *arr, size_t i, int64_t *out, bool *is_null)
{
  json_t *v = json_array_get(arr, i);
  if (json_is_null(v)) {
    *is_null = true;
    return 0;
  }
  if (json_is_integer(v)) {
    *out = (int64_t)json_integer_value(v);
    return 0;
  }
  if (json_is_real(v)) {
    double d = json_real_value(v);
    if (!isfinite(d) || d != floor(d) || fabs(d) > 9.0e15)
      return -1;
    *out = (int64_t)d;
    return 0;
  }
  return -1;
}

/* The arrays of one chart, checked for shape before any value is read. */
struct chart_arrays {
  json_t *timestamp, *open, *high, *low, *close, *volume, *adjclose;
  size_t n;
};

static int find_arrays(json_t *result, const char *symbol, enum parity_yahoo_kind kind, struct chart_arrays *a,
                       struct parity_market_error *err)
{
  bool bad = false;
  json_t *indicators = json_object_get(result, "indicators");
  if (!json_is_object(indicators))
    return chart_error(err, PARITY_EUPSTREAM, symbol, "indicators", INT32_MIN, "missing or not an object");
  json_t *quotes = json_object_get(indicators, "quote");
  json_t *quote = json_array_get(quotes, 0);
  if (!json_is_array(quotes) || !json_is_object(quote))
    return chart_error(err, PARITY_EUPSTREAM, symbol, "quote", INT32_MIN,
                       "indicators.quote is not an array of objects");

  a->timestamp = opt_array(result, "timestamp", &bad);
  if (bad)
    return chart_error(err, PARITY_EUPSTREAM, symbol, "timestamp", INT32_MIN, "not an array");
  /* The "no bars" shape: HTTP 200, meta present, no timestamp and indicators.quote == [{}]. */
  if (!a->timestamp || json_array_size(a->timestamp) == 0) {
    if (json_object_size(quote) == 0)
      return chart_error(err, PARITY_ENOTFOUND, symbol, NULL, INT32_MIN,
                         "no price data in the response (empty result: no timestamp, indicators.quote == [{}])");
    return chart_error(err, PARITY_EUPSTREAM, symbol, "timestamp", INT32_MIN, "missing while quotes are present");
  }
  a->n = json_array_size(a->timestamp);
  if (a->n > PARITY_YAHOO_MAX_POINTS)
    return chart_error(err, PARITY_ETOOBIG, symbol, "timestamp", INT32_MIN, "%zu entries; the limit is %d", a->n,
                       PARITY_YAHOO_MAX_POINTS);

  const struct {
    const char *name;
    json_t **slot;
    bool needed;
  } cols[] = {
    { "open", &a->open, kind == PARITY_YAHOO_DAILY },     { "high", &a->high, kind == PARITY_YAHOO_DAILY },
    { "low", &a->low, kind == PARITY_YAHOO_DAILY },       { "close", &a->close, true },
    { "volume", &a->volume, kind == PARITY_YAHOO_DAILY },
  };
  for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
    *cols[c].slot = opt_array(quote, cols[c].name, &bad);
    if (bad || (cols[c].needed && !*cols[c].slot))
      return chart_error(err, PARITY_EUPSTREAM, symbol, cols[c].name, INT32_MIN, "indicators.quote[0].%s is %s",
                         cols[c].name, bad ? "not an array" : "missing");
    if (*cols[c].slot && json_array_size(*cols[c].slot) != a->n)
      return chart_error(err, PARITY_EUPSTREAM, symbol, cols[c].name, INT32_MIN, "%zu values for %zu timestamps",
                         json_array_size(*cols[c].slot), a->n);
  }

  a->adjclose = NULL;
  json_t *adj_list = json_object_get(indicators, "adjclose");
  if (kind == PARITY_YAHOO_DAILY && adj_list && !json_is_null(adj_list)) {
    json_t *adj = json_array_get(adj_list, 0);
    if (!json_is_array(adj_list) || !json_is_object(adj))
      return chart_error(err, PARITY_EUPSTREAM, symbol, "adjclose", INT32_MIN,
                         "indicators.adjclose is not an array of objects");
    a->adjclose = opt_array(adj, "adjclose", &bad);
    if (bad || !a->adjclose)
      return chart_error(err, PARITY_EUPSTREAM, symbol, "adjclose", INT32_MIN, "indicators.adjclose[0].adjclose is %s",
                         bad ? "not an array" : "missing");
    if (json_array_size(a->adjclose) != a->n)
      return chart_error(err, PARITY_EUPSTREAM, symbol, "adjclose", INT32_MIN, "%zu values for %zu timestamps",
                         json_array_size(a->adjclose), a->n);
  }
  return PARITY_OK;
}

/* Yahoo's live bar arrives as a separate entry on the same day: fold it into the day's bar. */
static void merge_live_bar(struct parity_bar *day_bar, const struct parity_bar *live)
{
  day_bar->high = fmax(day_bar->high, live->high);
  day_bar->low = fmin(day_bar->low, live->low);
  day_bar->close = live->close;
  day_bar->adj_close = live->adj_close;
  if (live->volume > day_bar->volume)
    day_bar->volume = live->volume;
}

static int read_daily(const struct chart_arrays *a, long gmtoffset, struct parity_yahoo_chart *out,
                      struct parity_market_error *err)
{
  const char *symbol = out->bars.symbol;
  for (size_t i = 0; i < a->n; i++) {
    json_t *ts_value = json_array_get(a->timestamp, i);
    if (!json_is_integer(ts_value))
      return chart_error(err, PARITY_EUPSTREAM, symbol, "timestamp", INT32_MIN, "entry %zu is not an integer", i);
    int64_t ts = (int64_t)json_integer_value(ts_value);
    struct parity_bar bar;
    memset(&bar, 0, sizeof(bar));
    bar.day = parity_day_from_epoch(ts, gmtoffset);
    bool is_null = false;
    const struct {
      const char *name;
      json_t *arr;
      double *slot;
    } cols[] = {
      { "open", a->open, &bar.open },
      { "high", a->high, &bar.high },
      { "low", a->low, &bar.low },
      { "close", a->close, &bar.close },
      { "adjclose", a->adjclose, &bar.adj_close },
    };
    for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
      if (!cols[c].arr)
        continue;
      if (quote_number(cols[c].arr, i, cols[c].slot, &is_null))
        return chart_error(err, PARITY_EUPSTREAM, symbol, cols[c].name, bar.day, "entry %zu is not a number or null",
                           i);
    }
    if (quote_volume(a->volume, i, &bar.volume, &is_null))
      return chart_error(err, PARITY_EUPSTREAM, symbol, "volume", bar.day, "entry %zu is not an integer or null", i);
    if (is_null) {
      out->info.skipped_null++;
      continue;
    }
    if (!a->adjclose)
      bar.adj_close = bar.close;
    struct parity_bar_series *s = &out->bars;
    if (i == a->n - 1 && s->n && s->bars[s->n - 1].day == bar.day) {
      merge_live_bar(&s->bars[s->n - 1], &bar);
      out->info.merged_live = 1;
      continue;
    }
    parity_bar_series_push(s, &bar);
  }
  return PARITY_OK;
}

static int read_intraday(const struct chart_arrays *a, struct parity_yahoo_chart *out, struct parity_market_error *err)
{
  const char *symbol = out->points.symbol;
  for (size_t i = 0; i < a->n; i++) {
    json_t *ts_value = json_array_get(a->timestamp, i);
    if (!json_is_integer(ts_value))
      return chart_error(err, PARITY_EUPSTREAM, symbol, "timestamp", INT32_MIN, "entry %zu is not an integer", i);
    struct parity_price_point p = { .ts = (int64_t)json_integer_value(ts_value), .price = 0 };
    bool is_null = false;
    if (quote_number(a->close, i, &p.price, &is_null))
      return chart_error(err, PARITY_EUPSTREAM, symbol, "close", parity_day_from_epoch(p.ts, 0),
                         "entry %zu is not a number or null", i);
    if (is_null) {
      out->info.skipped_null++;
      continue;
    }
    parity_point_series_push(&out->points, &p);
  }
  return PARITY_OK;
}

static int parse_meta(json_t *result, const char *symbol, enum parity_yahoo_kind kind,
                      struct parity_yahoo_chart_info *info, struct parity_market_error *err)
{
  json_t *meta = json_object_get(result, "meta");
  if (!json_is_object(meta))
    return chart_error(err, PARITY_EUPSTREAM, symbol, "meta", INT32_MIN, "missing or not an object");
  const char *meta_symbol = json_string_value(json_object_get(meta, "symbol"));
  if (!meta_symbol || strlen(meta_symbol) >= PARITY_SYMBOL_MAX || !parity_symbol_valid(meta_symbol))
    return chart_error(err, PARITY_EUPSTREAM, symbol, "symbol", INT32_MIN, "meta.symbol is missing or invalid");
  if (symbol && strcmp(symbol, meta_symbol) != 0)
    return chart_error(err, PARITY_EUPSTREAM, symbol, "symbol", INT32_MIN, "the response is for %s", meta_symbol);
  snprintf(info->symbol, sizeof(info->symbol), "%s", meta_symbol);
  const char *tz = json_string_value(json_object_get(meta, "exchangeTimezoneName"));
  snprintf(info->exchange_tz, sizeof(info->exchange_tz), "%s", tz ? tz : "");

  json_t *offset = json_object_get(meta, "gmtoffset");
  if (json_is_integer(offset) && llabs((long long)json_integer_value(offset)) <= PARITY_YAHOO_MAX_GMTOFFSET)
    info->gmtoffset = (long)json_integer_value(offset);
  else if (kind == PARITY_YAHOO_DAILY || offset)
    return chart_error(err, PARITY_EUPSTREAM, info->symbol, "gmtoffset", INT32_MIN,
                       "meta.gmtoffset is missing or not an integer within +-%d s", PARITY_YAHOO_MAX_GMTOFFSET);
  return PARITY_OK;
}

int parity_yahoo_parse_chart(const char *json, size_t len, const char *symbol, enum parity_yahoo_kind kind,
                             struct parity_yahoo_chart *out, struct parity_market_error *err)
{
  int rc = PARITY_OK;
  json_error_t jerr;
  parity_market_error_clear(err);
  memset(&out->info, 0, sizeof(out->info));
  json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!root) {
    rc = chart_error(err, PARITY_EUPSTREAM, symbol, NULL, INT32_MIN, "not JSON (line %d column %d: %s)", jerr.line,
                     jerr.column, jerr.text);
    goto out;
  }
  json_t *chart = json_object_get(root, "chart");
  if (!json_is_object(chart)) {
    rc = chart_error(err, PARITY_EUPSTREAM, symbol, "chart", INT32_MIN, "missing or not an object");
    goto out;
  }
  json_t *error = json_object_get(chart, "error");
  if (error && !json_is_null(error)) {
    rc = parse_chart_error(error, symbol, err);
    goto out;
  }
  json_t *results = json_object_get(chart, "result");
  json_t *result = json_array_get(results, 0);
  if (!json_is_array(results) || json_array_size(results) == 0) {
    rc = chart_error(err, PARITY_ENOTFOUND, symbol, NULL, INT32_MIN, "no price data in the response (empty result)");
    goto out;
  }
  if (!json_is_object(result)) {
    rc = chart_error(err, PARITY_EUPSTREAM, symbol, "result", INT32_MIN, "chart.result[0] is not an object");
    goto out;
  }
  rc = parse_meta(result, symbol, kind, &out->info, err);
  if (rc)
    goto out;
  const char *sym = out->info.symbol;
  struct chart_arrays arrays;
  memset(&arrays, 0, sizeof(arrays));
  rc = find_arrays(result, sym, kind, &arrays, err);
  if (rc)
    goto out;
  out->info.timestamps = arrays.n;
  out->info.has_adjclose = arrays.adjclose != NULL;
  struct parity_market_error check;
  if (kind == PARITY_YAHOO_DAILY) {
    memcpy(out->bars.symbol, sym, sizeof(out->bars.symbol));
    rc = read_daily(&arrays, out->info.gmtoffset, out, err);
    if (rc == PARITY_OK)
      rc = read_events(result, sym, out->info.gmtoffset, out, err);
    if (rc == PARITY_OK && (rc = parity_price_validate_series(&out->bars, &check)))
      chart_error(err, rc, sym, check.field, check.day, "%s", parity_market_error_what(&check));
  } else {
    memcpy(out->points.symbol, sym, sizeof(out->points.symbol));
    rc = read_intraday(&arrays, out, err);
    /* A split shows in the intraday answer on its day, hours before the daily sync sees it. */
    if (rc == PARITY_OK)
      rc = read_events(result, sym, out->info.gmtoffset, out, err);
    if (rc == PARITY_OK && (rc = parity_price_validate_points(&out->points, &check)))
      chart_error(err, rc, sym, check.field, check.day, "%s", parity_market_error_what(&check));
  }
  if (rc == PARITY_OK && out->bars.n == 0 && out->points.n == 0)
    rc = chart_error(err, PARITY_ENOTFOUND, sym, NULL, INT32_MIN, "all %zu entries have null fields", arrays.n);
out:
  if (rc)
    parity_yahoo_chart_free(out);
  json_decref(root);
  return rc;
}

/* ---------------------------------------------------------------------------------------------- */
/* Transport                                                                                       */
/* ---------------------------------------------------------------------------------------------- */

struct parity_yahoo_client {
  CURL *curl;
  char base_url[PARITY_YAHOO_BASE_URL_MAX];
  long timeout_ms, connect_timeout_ms;
  int max_retries;
  long backoff_base_ms, backoff_max_ms, retry_after_max_ms;
  size_t max_response;
  const atomic_int *cancel;
  uint64_t rng;           /* jitter only; per client so threads never share it */
  struct parity_buf body; /* bounded by max_response */
  bool body_too_big;
  char curl_error[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result = CURLE_FAILED_INIT;

static void curl_init_once(void)
{
  curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void parity_yahoo_options_default(struct parity_yahoo_options *opt)
{
  memset(opt, 0, sizeof(*opt));
  opt->base_url = PARITY_DEFAULT_YAHOO_BASE_URL;
  opt->timeout_ms = PARITY_DEFAULT_YAHOO_TIMEOUT_MS;
  opt->max_retries = PARITY_DEFAULT_YAHOO_MAX_RETRIES;
  opt->backoff_base_ms = PARITY_YAHOO_BACKOFF_BASE_MS;
  opt->backoff_max_ms = PARITY_YAHOO_BACKOFF_MAX_MS;
  opt->retry_after_max_ms = PARITY_YAHOO_RETRY_AFTER_MAX_MS;
  opt->max_response = PARITY_YAHOO_MAX_RESPONSE;
}

void parity_yahoo_options_from_config(const struct parity_config *cfg, struct parity_yahoo_options *opt)
{
  parity_yahoo_options_default(opt);
  if (cfg->yahoo_base_url && cfg->yahoo_base_url[0])
    opt->base_url = cfg->yahoo_base_url;
  opt->timeout_ms = cfg->yahoo_timeout_ms;
  opt->max_retries = (int)cfg->yahoo_max_retries;
}

/* xorshift64*: enough for spreading retries, not for anything secret. */
static uint64_t next_random(struct parity_yahoo_client *c)
{
  c->rng ^= c->rng >> 12;
  c->rng ^= c->rng << 25;
  c->rng ^= c->rng >> 27;
  return c->rng * 0x2545F4914F6CDD1DULL;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
  struct parity_yahoo_client *c = userp;
  size_t n = size * nmemb;
  if (parity_buf_add(&c->body, data, n)) {
    c->body_too_big = true;
    return 0; /* curl stops the transfer with CURLE_WRITE_ERROR */
  }
  return n;
}

static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
  (void)dltotal;
  (void)dlnow;
  (void)ultotal;
  (void)ulnow;
  struct parity_yahoo_client *c = userp;
  return c->cancel && atomic_load(c->cancel) ? 1 : 0;
}

static bool cancelled(const struct parity_yahoo_client *c)
{
  return c->cancel && atomic_load(c->cancel);
}

int parity_yahoo_client_new(const struct parity_yahoo_options *opt, struct parity_yahoo_client **out)
{
  *out = NULL;
  const char *base = opt->base_url;
  size_t base_len = base ? strlen(base) : 0;
  while (base_len && base[base_len - 1] == '/')
    base_len--;
  if (!base || base_len == 0 || base_len >= PARITY_YAHOO_BASE_URL_MAX ||
      (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0) || opt->timeout_ms <= 0 ||
      opt->max_retries < 0)
    return PARITY_EINVAL;
  pthread_once(&curl_once, curl_init_once);
  if (curl_init_result != CURLE_OK)
    return PARITY_EINTERNAL;

  struct parity_yahoo_client *c = parity_xcalloc(1, sizeof(*c));
  memcpy(c->base_url, base, base_len);
  c->base_url[base_len] = '\0';
  c->timeout_ms = opt->timeout_ms;
  c->connect_timeout_ms = opt->connect_timeout_ms > 0                         ? opt->connect_timeout_ms
                          : opt->timeout_ms < PARITY_YAHOO_CONNECT_TIMEOUT_MS ? opt->timeout_ms
                                                                              : PARITY_YAHOO_CONNECT_TIMEOUT_MS;
  c->max_retries = opt->max_retries;
  c->backoff_base_ms = opt->backoff_base_ms > 0 ? opt->backoff_base_ms : PARITY_YAHOO_BACKOFF_BASE_MS;
  c->backoff_max_ms = opt->backoff_max_ms > 0 ? opt->backoff_max_ms : PARITY_YAHOO_BACKOFF_MAX_MS;
  c->retry_after_max_ms = opt->retry_after_max_ms > 0 ? opt->retry_after_max_ms : PARITY_YAHOO_RETRY_AFTER_MAX_MS;
  c->max_response = opt->max_response > 0 && opt->max_response < PARITY_YAHOO_MAX_RESPONSE ? opt->max_response
                                                                                           : PARITY_YAHOO_MAX_RESPONSE;
  parity_buf_init(&c->body, c->max_response);
  c->cancel = opt->cancel;
  if (getrandom(&c->rng, sizeof(c->rng), 0) != (ssize_t)sizeof(c->rng))
    c->rng = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)c;
  c->rng |= 1; /* xorshift must never hold 0 */

  int rc = PARITY_OK;
  c->curl = curl_easy_init();
  if (!c->curl) {
    rc = PARITY_EINTERNAL;
    goto out;
  }
  CURL *h = c->curl;
  /* Threads: no signals (the default resolver would use SIGALRM for timeouts). */
  bool ok = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)YAHOO_MAX_REDIRECTS) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_response) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_USERAGENT, YAHOO_USER_AGENT) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_WRITEDATA, c) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_XFERINFODATA, c) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_error) == CURLE_OK;
  if (!ok)
    rc = PARITY_EINTERNAL;
out:
  if (rc) {
    parity_yahoo_client_free(c);
    return rc;
  }
  *out = c;
  return PARITY_OK;
}

void parity_yahoo_client_free(struct parity_yahoo_client *client)
{
  if (!client)
    return;
  if (client->curl)
    curl_easy_cleanup(client->curl);
  parity_buf_free(&client->body);
  free(client);
}

/* Ranges and intervals are short alphanumerics ("5y", "14d", "15m", "ytd"): nothing to escape. */
static bool param_valid(const char *p)
{
  size_t n = p ? strlen(p) : 0;
  if (n == 0 || n > PARITY_YAHOO_PARAM_MAX)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9')))
      return false;
  return true;
}

/* Sleeps in short slices so a shutdown does not wait out a long backoff; false when cancelled. */
static bool sleep_ms(const struct parity_yahoo_client *c, long ms)
{
  while (ms > 0) {
    if (cancelled(c))
      return false;
    long slice = ms < YAHOO_SLEEP_SLICE_MS ? ms : YAHOO_SLEEP_SLICE_MS;
    struct timespec ts = { .tv_sec = slice / 1000, .tv_nsec = (slice % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    ms -= slice;
  }
  return !cancelled(c);
}

/* Exponential backoff with "equal jitter": half the step fixed, half random, so retries spread out. */
static long backoff_ms(struct parity_yahoo_client *c, int retry)
{
  long step = c->backoff_base_ms;
  for (int i = 0; i < retry && step < c->backoff_max_ms; i++)
    step *= 2;
  if (step > c->backoff_max_ms)
    step = c->backoff_max_ms;
  long half = step / 2;
  return half + (long)(next_random(c) % (uint64_t)(step - half + 1));
}

/* The outcome of one HTTP attempt, classified. */
enum attempt_outcome { ATTEMPT_DONE, ATTEMPT_RETRY, ATTEMPT_FAIL };

struct attempt {
  CURLcode code;
  long status;
  long retry_after_ms; /* -1 when the server gave none */
};

static void perform(struct parity_yahoo_client *c, struct attempt *a)
{
  parity_buf_clear(&c->body);
  c->body_too_big = false;
  c->curl_error[0] = '\0';
  a->status = 0;
  a->retry_after_ms = -1;
  a->code = curl_easy_perform(c->curl);
  curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &a->status);
  curl_off_t retry_after = 0;
  /* libcurl parses both forms of Retry-After (seconds and HTTP date) into seconds. */
  if (curl_easy_getinfo(c->curl, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
    a->retry_after_ms = retry_after > LONG_MAX / 1000 ? LONG_MAX : (long)retry_after * 1000;
}

static const char *curl_reason(const struct parity_yahoo_client *c, CURLcode code)
{
  return c->curl_error[0] ? c->curl_error : curl_easy_strerror(code);
}

/* chart.error.description of an error body ("No data found, symbol may be delisted"), if any. */
static const char *error_description(const struct parity_yahoo_client *c, char *buf, size_t len)
{
  snprintf(buf, len, "%s", "no chart.error.description in the body");
  json_t *root = c->body.len ? json_loadb(c->body.data, c->body.len, 0, NULL) : NULL;
  json_t *error = json_object_get(json_object_get(root, "chart"), "error");
  const char *code = json_string_value(json_object_get(error, "code"));
  const char *desc = json_string_value(json_object_get(error, "description"));
  if (desc)
    snprintf(buf, len, "%s%s%s", code ? code : "", code ? ": " : "", desc);
  json_decref(root);
  return buf;
}

/*
 * Runs the request with retries. On success (HTTP 200) the body is in c->body. Returns the
 * error code of the last failure otherwise, with err filled.
 */
static int fetch_body(struct parity_yahoo_client *c, const char *symbol, const char *url,
                      struct parity_yahoo_fetch_info *info, struct parity_market_error *err)
{
  curl_easy_setopt(c->curl, CURLOPT_URL, url);
  for (int attempt = 0;; attempt++) {
    if (cancelled(c))
      return chart_error(err, PARITY_EUNAVAILABLE, symbol, NULL, INT32_MIN, "cancelled (shutting down)");
    struct attempt a;
    perform(c, &a);
    info->attempts++;
    info->http_status = a.status;
    info->bytes = c->body.len;

    int rc = PARITY_OK;
    bool retry = false;
    if (a.code == CURLE_OK && a.status == 200)
      return PARITY_OK;
    if (a.code == CURLE_OK && a.status == 404) {
      char desc[PARITY_MARKET_ERROR_MAX / 2];
      return chart_error(err, PARITY_ENOTFOUND, symbol, NULL, INT32_MIN, "HTTP 404: %s",
                         error_description(c, desc, sizeof(desc)));
    }
    if (a.code == CURLE_OK && a.status == 429) {
      rc = chart_error(err, PARITY_ERATE, symbol, NULL, INT32_MIN, "HTTP 429 Too Many Requests (%d attempt%s)",
                       info->attempts, info->attempts == 1 ? "" : "s");
      retry = true;
    } else if (a.code == CURLE_OK && a.status >= 500 && a.status <= 599) {
      rc = chart_error(err, PARITY_EUPSTREAM, symbol, NULL, INT32_MIN, "HTTP %ld (%d attempt%s)", a.status,
                       info->attempts, info->attempts == 1 ? "" : "s");
      retry = true;
    } else if (a.code == CURLE_OK) {
      char desc[PARITY_MARKET_ERROR_MAX / 2];
      return chart_error(err, PARITY_EUPSTREAM, symbol, NULL, INT32_MIN, "HTTP %ld (not retried): %s", a.status,
                         error_description(c, desc, sizeof(desc)));
    } else if (c->body_too_big || a.code == CURLE_FILESIZE_EXCEEDED) {
      return chart_error(err, PARITY_ETOOBIG, symbol, NULL, INT32_MIN, "response larger than %zu bytes",
                         c->max_response);
    } else if (a.code == CURLE_ABORTED_BY_CALLBACK) {
      return chart_error(err, PARITY_EUNAVAILABLE, symbol, NULL, INT32_MIN, "cancelled (shutting down)");
    } else {
      rc = chart_error(err, PARITY_EIO, symbol, NULL, INT32_MIN, "%s (%d attempt%s)", curl_reason(c, a.code),
                       info->attempts, info->attempts == 1 ? "" : "s");
      retry = true;
    }
    if (!retry || attempt >= c->max_retries)
      return rc;

    long delay;
    if (a.retry_after_ms >= 0) {
      if (a.retry_after_ms > c->retry_after_max_ms)
        return chart_error(err, PARITY_ERATE, symbol, NULL, INT32_MIN,
                           "HTTP %ld with Retry-After %ld s, over the %ld s this client waits", a.status,
                           a.retry_after_ms / 1000, c->retry_after_max_ms / 1000);
      delay = a.retry_after_ms;
    } else {
      delay = backoff_ms(c, attempt);
    }
    info->waited_ms += delay;
    parity_log(PARITY_LOG_WARN, "yahoo_retry", "{s:s, s:i, s:I, s:s, s:I}", "symbol", symbol, "attempt", info->attempts,
               "status", (json_int_t)a.status, "error", err ? err->message : "", "delay_ms", (json_int_t)delay);
    if (!sleep_ms(c, delay))
      return chart_error(err, PARITY_EUNAVAILABLE, symbol, NULL, INT32_MIN, "cancelled (shutting down)");
  }
}

/* The query of a chart request: a range, or a period from `from_day` (when not INT32_MIN) to tomorrow. */
static void chart_query(char *buf, size_t len, const char *range, int32_t from_day, const char *interval, bool events)
{
  const char *ev = events ? "&events=div%2Csplits" : "";
  if (from_day == INT32_MIN) {
    snprintf(buf, len, "range=%s&interval=%s%s", range, interval, ev);
    return;
  }
  long long period1 = (long long)from_day * 86400, period2 = (long long)time(NULL) + 86400;
  snprintf(buf, len, "period1=%lld&period2=%lld&interval=%s%s", period1, period2, interval, ev);
}

static int fetch_chart(struct parity_yahoo_client *c, const char *symbol, const char *range, int32_t from_day,
                       const char *interval, enum parity_yahoo_kind kind, struct parity_yahoo_chart *chart,
                       struct parity_yahoo_fetch_info *info_out, struct parity_market_error *err)
{
  struct parity_yahoo_fetch_info local_info;
  memset(&local_info, 0, sizeof(local_info));
  struct parity_yahoo_fetch_info *info = info_out ? info_out : &local_info;
  memset(info, 0, sizeof(*info));
  parity_market_error_clear(err);
  bool symbol_ok = symbol && strlen(symbol) < PARITY_SYMBOL_MAX && parity_symbol_valid(symbol);
  if (!symbol_ok)
    return chart_error(err, PARITY_EINVAL, NULL, "symbol", INT32_MIN, "not a valid symbol");
  if ((from_day == INT32_MIN && !param_valid(range)) || !param_valid(interval))
    return chart_error(err, PARITY_EINVAL, symbol, param_valid(interval) ? "range" : "interval", INT32_MIN,
                       "must be 1 to %d of [a-z0-9]", PARITY_YAHOO_PARAM_MAX);

  int rc = PARITY_OK;
  /* Symbols may hold ^ and = (indices, currencies), which must be percent-encoded in a path. */
  char *escaped = curl_easy_escape(c->curl, symbol, 0);
  if (!escaped)
    abort();
  char url[YAHOO_URL_MAX];
  char query[128];
  chart_query(query, sizeof(query), range, from_day, interval, true);
  int n = snprintf(url, sizeof(url), "%s/v8/finance/chart/%s?%s", c->base_url, escaped, query);
  curl_free(escaped);
  if (n < 0 || (size_t)n >= sizeof(url)) {
    rc = chart_error(err, PARITY_EINVAL, symbol, NULL, INT32_MIN, "URL too long");
    goto out;
  }
  rc = fetch_body(c, symbol, url, info, err);
  if (rc)
    goto out;
  rc = parity_yahoo_parse_chart(c->body.data ? c->body.data : "", c->body.len, symbol, kind, chart, err);
  info->chart = chart->info;
out:
  if (rc)
    parity_log(PARITY_LOG_WARN, "yahoo_fetch_failed", "{s:s, s:i, s:I, s:s}", "symbol", symbol, "attempts",
               info->attempts, "status", (json_int_t)info->http_status, "error", err ? err->message : "");
  return rc;
}

int parity_yahoo_fetch_daily(struct parity_yahoo_client *client, const char *symbol, const char *range,
                             struct parity_bar_series *out, struct parity_yahoo_fetch_info *info,
                             struct parity_market_error *err)
{
  struct parity_yahoo_chart chart;
  memset(&chart, 0, sizeof(chart));
  int rc = fetch_chart(client, symbol, range, INT32_MIN, "1d", PARITY_YAHOO_DAILY, &chart, info, err);
  if (rc == PARITY_OK) {
    *out = chart.bars; /* moved: the caller owns the bars now */
    memset(&chart.bars, 0, sizeof(chart.bars));
  }
  parity_yahoo_chart_free(&chart);
  return rc;
}

int parity_yahoo_fetch_daily_events(struct parity_yahoo_client *client, const char *symbol, int32_t from_day,
                                    const char *range, struct parity_bar_series *out,
                                    struct parity_yahoo_events *events, struct parity_yahoo_fetch_info *info,
                                    struct parity_market_error *err)
{
  struct parity_yahoo_chart chart;
  memset(&chart, 0, sizeof(chart));
  int rc = fetch_chart(client, symbol, range, from_day, "1d", PARITY_YAHOO_DAILY, &chart, info, err);
  if (rc == PARITY_OK) {
    *out = chart.bars;
    *events = chart.events;
    memset(&chart.bars, 0, sizeof(chart.bars));
    memset(&chart.events, 0, sizeof(chart.events));
  }
  parity_yahoo_chart_free(&chart);
  return rc;
}

int parity_yahoo_fetch_intraday(struct parity_yahoo_client *client, const char *symbol, const char *range,
                                const char *interval, struct parity_point_series *out,
                                struct parity_yahoo_events *events, struct parity_yahoo_fetch_info *info,
                                struct parity_market_error *err)
{
  struct parity_yahoo_chart chart;
  memset(&chart, 0, sizeof(chart));
  int rc = fetch_chart(client, symbol, range, INT32_MIN, interval, PARITY_YAHOO_INTRADAY, &chart, info, err);
  if (rc == PARITY_OK) {
    *out = chart.points;
    memset(&chart.points, 0, sizeof(chart.points));
    if (events) {
      *events = chart.events;
      memset(&chart.events, 0, sizeof(chart.events));
    }
  }
  parity_yahoo_chart_free(&chart);
  return rc;
}
