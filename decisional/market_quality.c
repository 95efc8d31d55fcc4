/* The data-quality checks over one symbol's bars, and the classification of a rejected row. */
#include "decisional/market_quality.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/trading_calendar.h"

static const struct {
  const char *name;
  bool blocking;
} checks[PARITY_QC_COUNT] = {
  [PARITY_QC_OHLC] = { "ohlc", true },
  [PARITY_QC_NON_POSITIVE] = { "non_positive", true },
  [PARITY_QC_MISSING_VALUE] = { "missing_value", true },
  [PARITY_QC_ZERO_VOLUME] = { "zero_volume", false },
  [PARITY_QC_LARGE_MOVE] = { "large_move", true },
  [PARITY_QC_SUSPECTED_SPLIT] = { "suspected_split", true },
  [PARITY_QC_CALENDAR_GAP] = { "calendar_gap", false },
  [PARITY_QC_STALE] = { "stale", false },
};

const char *parity_quality_check_name(enum parity_quality_check c)
{
  return c < PARITY_QC_COUNT ? checks[c].name : "unknown";
}

bool parity_quality_blocking(enum parity_quality_check c)
{
  return c < PARITY_QC_COUNT && checks[c].blocking;
}

void parity_quality_report_free(struct parity_quality_report *r)
{
  for (size_t i = 0; i < r->n; i++)
    json_decref(r->items[i].detail);
  free(r->items);
  r->items = NULL;
  r->n = r->cap = 0;
}

static void add(struct parity_quality_report *r, enum parity_quality_check c, int32_t day, json_t *detail)
{
  if (r->n == r->cap) {
    r->cap = r->cap ? r->cap * 2 : 8;
    r->items = parity_xrealloc(r->items, r->cap * sizeof(*r->items));
  }
  r->items[r->n++] =
      (struct parity_quality_finding){ .check = c, .day = day, .detail = detail ? detail : json_object() };
}

static const struct parity_split_day *split_on(const struct parity_split_day *splits, size_t n, int32_t day)
{
  for (size_t i = 0; i < n; i++)
    if (splits[i].day == day)
      return &splits[i];
  return NULL;
}

static void day_text(int32_t day, char buf[PARITY_DAY_TEXT])
{
  parity_day_format(day, buf);
}

/* The move from prev to bar: a suspected split, a large move, or nothing. */
static void check_move(const struct parity_bar *prev, const struct parity_bar *bar,
                       const struct parity_split_day *splits, size_t n_splits, struct parity_quality_report *out)
{
  if (split_on(splits, n_splits, bar->day))
    return; /* a recorded split explains whatever the close did that day */
  double close_ratio = bar->close / prev->close, adj_ratio = bar->adj_close / prev->adj_close;
  char prev_day[PARITY_DAY_TEXT];
  day_text(prev->day, prev_day);
  int split = parity_price_split_like(close_ratio);
  bool adj_follows = fabs(adj_ratio / close_ratio - 1.0) <= PARITY_PRICE_FOLLOW_TOLERANCE;
  if (split && !adj_follows) {
    char text[16];
    snprintf(text, sizeof(text), split > 0 ? "%d:1" : "1:%d", split > 0 ? split : -split);
    add(out, PARITY_QC_SUSPECTED_SPLIT, bar->day,
        json_pack("{s:s, s:s, s:f, s:f}", "prev_day", prev_day, "split", text, "close_ratio", close_ratio, "adj_ratio",
                  adj_ratio));
    return;
  }
  double close_ret = close_ratio - 1.0, adj_ret = adj_ratio - 1.0;
  if (fabs(close_ret) > PARITY_QUALITY_LARGE_MOVE || fabs(adj_ret) > PARITY_QUALITY_LARGE_MOVE) {
    bool on_close = fabs(close_ret) >= fabs(adj_ret);
    add(out, PARITY_QC_LARGE_MOVE, bar->day,
        json_pack("{s:s, s:s, s:f, s:f}", "prev_day", prev_day, "field", on_close ? "close" : "adj_close", "return",
                  on_close ? close_ret : adj_ret, "limit", PARITY_QUALITY_LARGE_MOVE));
  }
}

void parity_quality_check_series(const struct parity_bar_series *s, int32_t from, int32_t to,
                                 const struct parity_split_day *splits, size_t n_splits, int32_t newest_day,
                                 struct parity_quality_report *out)
{
  memcpy(out->symbol, s->symbol, sizeof(out->symbol));
  for (size_t i = 0; i < s->n; i++) {
    const struct parity_bar *bar = &s->bars[i];
    if (bar->day < from || bar->day > to)
      continue;
    if (bar->volume == 0 && parity_nyse_is_trading_day(bar->day))
      add(out, PARITY_QC_ZERO_VOLUME, bar->day, NULL);
    if (i == 0)
      continue;
    const struct parity_bar *prev = &s->bars[i - 1];
    check_move(prev, bar, splits, n_splits, out);
    for (int32_t d = parity_nyse_next_trading_day(prev->day); d < bar->day; d = parity_nyse_next_trading_day(d)) {
      char before[PARITY_DAY_TEXT], after[PARITY_DAY_TEXT];
      day_text(prev->day, before);
      day_text(bar->day, after);
      add(out, PARITY_QC_CALENDAR_GAP, d, json_pack("{s:s, s:s}", "after", before, "before", after));
    }
  }
  if (s->n && newest_day != INT32_MIN) {
    int32_t last = s->bars[s->n - 1].day;
    int32_t behind = last < newest_day ? parity_nyse_trading_days(last + 1, newest_day) : 0;
    if (behind > PARITY_QUALITY_STALE_DAYS) {
      char newest[PARITY_DAY_TEXT];
      day_text(newest_day, newest);
      add(out, PARITY_QC_STALE, last,
          json_pack("{s:s, s:i}", "newest_day", newest, "trading_days_behind", (int)behind));
    }
  }
}

static bool is_value_field(const char *field)
{
  static const char *const names[] = { "open", "high", "low", "close", "adj_close", "adjclose", "volume" };
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strcmp(field, names[i]) == 0)
      return true;
  return false;
}

bool parity_quality_classify_error(const struct parity_market_error *err, enum parity_quality_check *out)
{
  if (!err || !err->symbol[0] || err->day == INT32_MIN || !is_value_field(err->field))
    return false;
  const char *what = parity_market_error_what(err);
  if (strstr(what, "not positive") || strstr(what, "is negative"))
    *out = PARITY_QC_NON_POSITIVE;
  else if (strstr(what, "outside [low") || strstr(what, "is above high"))
    *out = PARITY_QC_OHLC;
  else if (strncmp(what, "empty", 5) == 0 || strncmp(what, "missing", 7) == 0 || strstr(what, "not a number") ||
           strstr(what, "not an integer") || strstr(what, "not a finite number"))
    *out = PARITY_QC_MISSING_VALUE;
  else
    return false;
  return true;
}
