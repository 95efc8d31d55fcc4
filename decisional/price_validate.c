/* Rejects impossible price bars (with symbol, day and field) and reports gaps and suspected splits. */
#include "decisional/price_validate.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/errors.h"

void parity_market_error_clear(struct parity_market_error *err)
{
  if (!err)
    return;
  memset(err, 0, sizeof(*err));
  err->day = INT32_MIN;
}

void parity_market_text_fit(char *buf, size_t size, int written)
{
  if (written >= 0 && (size_t)written < size)
    return;
  if (size >= 4)
    memcpy(buf + size - 4, "...", 4);
}

const char *parity_market_error_what(const struct parity_market_error *err)
{
  const char *field = strstr(err->message, ": field ");
  const char *what = field ? strstr(field + 1, ": ") : NULL;
  return what ? what + 2 : err->message;
}

/* Fills err with "SYMBOL DAY: field FIELD: what" and returns PARITY_EINVAL. */
static int bar_error(struct parity_market_error *err, const char *symbol, int32_t day, const char *field,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int bar_error(struct parity_market_error *err, const char *symbol, int32_t day, const char *field,
                     const char *fmt, ...)
{
  if (!err)
    return PARITY_EINVAL;
  parity_market_error_clear(err);
  snprintf(err->symbol, sizeof(err->symbol), "%s", symbol ? symbol : "");
  snprintf(err->field, sizeof(err->field), "%s", field);
  err->day = day;
  char what[PARITY_MARKET_ERROR_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof(what), fmt, ap);
  va_end(ap);
  char ymd[PARITY_DAY_TEXT];
  parity_day_format(day, ymd);
  int n = snprintf(err->message, sizeof(err->message), "%s %s: field %s: %s", err->symbol, ymd, field, what);
  parity_market_text_fit(err->message, sizeof(err->message), n);
  return PARITY_EINVAL;
}

int parity_price_check_bar(const char *symbol, const struct parity_bar *prev, const struct parity_bar *bar,
                           struct parity_market_error *err)
{
  const struct {
    const char *name;
    double value;
  } prices[] = {
    { "open", bar->open },   { "high", bar->high },           { "low", bar->low },
    { "close", bar->close }, { "adj_close", bar->adj_close },
  };
  for (size_t i = 0; i < sizeof(prices) / sizeof(prices[0]); i++) {
    if (!isfinite(prices[i].value))
      return bar_error(err, symbol, bar->day, prices[i].name, "not a finite number");
    if (!(prices[i].value > 0))
      return bar_error(err, symbol, bar->day, prices[i].name, "%.10g is not positive", prices[i].value);
  }
  if (bar->volume < 0)
    return bar_error(err, symbol, bar->day, "volume", "%lld is negative", (long long)bar->volume);
  if (bar->low > bar->high)
    return bar_error(err, symbol, bar->day, "low", "%.10g is above high %.10g", bar->low, bar->high);
  if (bar->open < bar->low || bar->open > bar->high)
    return bar_error(err, symbol, bar->day, "open", "%.10g is outside [low %.10g, high %.10g]", bar->open, bar->low,
                     bar->high);
  if (bar->close < bar->low || bar->close > bar->high)
    return bar_error(err, symbol, bar->day, "close", "%.10g is outside [low %.10g, high %.10g]", bar->close, bar->low,
                     bar->high);
  if (prev && bar->day <= prev->day) {
    char prev_ymd[PARITY_DAY_TEXT];
    parity_day_format(prev->day, prev_ymd);
    return bar_error(err, symbol, bar->day, "date", "%s after %s (dates must increase, one bar per day)",
                     bar->day == prev->day ? "duplicate day" : "goes back", prev_ymd);
  }
  return PARITY_OK;
}

int parity_price_validate_series(const struct parity_bar_series *s, struct parity_market_error *err)
{
  for (size_t i = 0; i < s->n; i++) {
    int rc = parity_price_check_bar(s->symbol, i ? &s->bars[i - 1] : NULL, &s->bars[i], err);
    if (rc)
      return rc;
  }
  return PARITY_OK;
}

/* Intraday errors name the timestamp as well as its UTC day. */
static int point_error(struct parity_market_error *err, const char *symbol, const struct parity_price_point *p,
                       const char *field, const char *what)
{
  if (!err)
    return PARITY_EINVAL;
  int32_t day = parity_day_from_epoch(p->ts, 0);
  bar_error(err, symbol, day, field, "%s (ts %lld)", what, (long long)p->ts);
  return PARITY_EINVAL;
}

int parity_price_validate_points(const struct parity_point_series *s, struct parity_market_error *err)
{
  for (size_t i = 0; i < s->n; i++) {
    const struct parity_price_point *p = &s->points[i];
    if (!isfinite(p->price) || !(p->price > 0))
      return point_error(err, s->symbol, p, "price", "not a positive finite number");
    if (i && p->ts <= s->points[i - 1].ts)
      return point_error(err, s->symbol, p, "timestamp", "not after the previous point");
  }
  return PARITY_OK;
}

int parity_price_split_like(double ratio)
{
  for (int n = 2; n <= PARITY_PRICE_SPLIT_MAX_N; n++) {
    if (fabs(ratio * n - 1.0) <= PARITY_PRICE_SPLIT_TOLERANCE)
      return n;
    if (fabs(ratio / n - 1.0) <= PARITY_PRICE_SPLIT_TOLERANCE)
      return -n;
  }
  return 0;
}

static void format_split(int split, char *buf, size_t len)
{
  if (split > 0)
    snprintf(buf, len, "%d:1", split);
  else
    snprintf(buf, len, "1:%d", -split);
}

/* Appends `note` (stolen) unless the cap is reached; counts what the cap drops. */
static int add_note(json_t *notes, json_t *note, int *added, size_t *omitted)
{
  if (!note)
    return PARITY_ENOMEM;
  if (*added >= PARITY_PRICE_MAX_NOTES) {
    json_decref(note);
    (*omitted)++;
    return PARITY_OK;
  }
  if (json_array_append_new(notes, note))
    return PARITY_ENOMEM;
  (*added)++;
  return PARITY_OK;
}

int parity_price_report(const struct parity_bar_series *s, json_t *notes)
{
  int added = 0, rc = PARITY_OK;
  size_t omitted = 0;
  for (size_t i = 1; i < s->n && rc == PARITY_OK; i++) {
    const struct parity_bar *prev = &s->bars[i - 1], *bar = &s->bars[i];
    char day[PARITY_DAY_TEXT], prev_day[PARITY_DAY_TEXT];
    parity_day_format(bar->day, day);
    parity_day_format(prev->day, prev_day);

    int32_t gap = bar->day - prev->day;
    if (gap > PARITY_PRICE_GAP_DAYS) {
      rc = add_note(notes,
                    json_pack("{s:s, s:s, s:s, s:s, s:i}", "kind", "gap", "symbol", s->symbol, "from", prev_day, "to",
                              day, "days", (int)gap),
                    &added, &omitted);
      if (rc)
        break;
    }

    /* Prices are validated positive, so the ratios are finite. */
    double close_ratio = bar->close / prev->close, adj_ratio = bar->adj_close / prev->adj_close;
    int split = parity_price_split_like(close_ratio);
    int follows = fabs(adj_ratio / close_ratio - 1.0) <= PARITY_PRICE_FOLLOW_TOLERANCE;
    char split_text[16];
    format_split(split, split_text, sizeof(split_text));
    if (split && !follows) {
      rc = add_note(notes,
                    json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:f}", "kind", "suspected_split", "symbol", s->symbol,
                              "day", day, "prev_day", prev_day, "split", split_text, "close_ratio", close_ratio,
                              "adj_ratio", adj_ratio),
                    &added, &omitted);
      continue;
    }
    double close_ret = close_ratio - 1.0, adj_ret = adj_ratio - 1.0;
    const char *field = NULL;
    double ret = 0;
    if (fabs(close_ret) > PARITY_PRICE_LARGE_MOVE) {
      field = "close";
      ret = close_ret;
    } else if (fabs(adj_ret) > PARITY_PRICE_LARGE_MOVE) {
      field = "adj_close";
      ret = adj_ret;
    }
    if (!field)
      continue;
    json_t *note = json_pack("{s:s, s:s, s:s, s:s, s:s, s:f}", "kind", "large_move", "symbol", s->symbol, "day", day,
                             "prev_day", prev_day, "field", field, "return", ret);
    /* The same n:1 ratio in both columns may be an unadjusted split in the whole source. */
    if (note && split && json_object_set_new(note, "looks_like_split", json_string(split_text))) {
      json_decref(note);
      note = NULL;
    }
    rc = add_note(notes, note, &added, &omitted);
  }
  if (rc == PARITY_OK && omitted) {
    json_t *note =
        json_pack("{s:s, s:s, s:I}", "kind", "truncated", "symbol", s->symbol, "omitted", (json_int_t)omitted);
    if (!note || json_array_append_new(notes, note))
      rc = PARITY_ENOMEM;
    else
      added++;
  }
  return rc ? rc : added;
}
