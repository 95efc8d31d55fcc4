/* Portfolio history from the ledger and daily closes: daily values, net contributions, chained TWR. */
#include "operational/svc_history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "common/ids.h"
#include "operational/money.h"
#include "operational/queries.h"

static const char *const range_names[] = {
  [PARITY_RANGE_1D] = "1D", [PARITY_RANGE_1W] = "1W",   [PARITY_RANGE_1M] = "1M", [PARITY_RANGE_6M] = "6M",
  [PARITY_RANGE_1Y] = "1Y", [PARITY_RANGE_YTD] = "YTD", [PARITY_RANGE_5Y] = "5Y", [PARITY_RANGE_MAX] = "MAX",
};
#define RANGES (sizeof(range_names) / sizeof(range_names[0]))

/* ------------------------------------------------------------------ ranges */

int parity_history_range_parse(const char *text, enum parity_history_range *out)
{
  for (size_t i = 0; text && i < RANGES; i++)
    if (strcmp(text, range_names[i]) == 0) {
      *out = (enum parity_history_range)i;
      return PARITY_OK;
    }
  return PARITY_EINVAL;
}

int32_t parity_history_range_start(enum parity_history_range range, int32_t today)
{
  int y, m, d;
  switch (range) {
  case PARITY_RANGE_1D:
    return today - 1;
  case PARITY_RANGE_1W:
    return today - 7;
  case PARITY_RANGE_1M:
    return parity_day_add_months(today, -1);
  case PARITY_RANGE_6M:
    return parity_day_add_months(today, -6);
  case PARITY_RANGE_1Y:
    return parity_day_add_months(today, -12);
  case PARITY_RANGE_YTD:
    parity_day_to_ymd(today, &y, &m, &d);
    return parity_day_from_ymd(y, 1, 1) - 1;
  case PARITY_RANGE_5Y:
    return parity_day_add_months(today, -60);
  case PARITY_RANGE_MAX:
    break;
  }
  return INT32_MIN;
}

/* ------------------------------------------------------------------ the rebuild (pure) */

void parity_history_twr_chain(struct parity_history_point *points, size_t n)
{
  double growth = 1.0;
  for (size_t i = 0; i < n; i++) {
    if (i > 0) {
      /* Flows at the start of the day: the day's return is earned on yesterday's value plus them. */
      int64_t at_risk = points[i - 1].value_cents + points[i].flow_cents;
      if (at_risk > 0)
        growth *= (double)points[i].value_cents / (double)at_risk;
    }
    points[i].twr = growth - 1.0;
  }
}

size_t parity_history_thin_step(size_t n, size_t max)
{
  if (n <= max || max < 3)
    return 1;
  /* Keep the last point and every k-th before it, plus the base: at most (n − 1) / k + 2 <= max. */
  return (n - 1 + (max - 2) - 1) / (max - 2);
}

bool parity_history_thin_keeps(size_t n, size_t k, size_t i)
{
  return i == 0 || (n - 1 - i) % k == 0;
}

size_t parity_history_thin(struct parity_history_point *points, size_t n, size_t max)
{
  size_t k = parity_history_thin_step(n, max), out = 0;
  for (size_t i = 0; i < n; i++)
    if (parity_history_thin_keeps(n, k, i))
      points[out++] = points[i];
  return out;
}

/* The price a symbol's own trades imply on a day with no close yet (micro-dollars, 0 when none). */
static int64_t implied_price(const struct parity_history_event *e)
{
  if (e->shares_micro == 0 || e->cash_cents == 0)
    return 0;
  double p = (double)llabs(e->cash_cents) * (double)PARITY_MICRO_PRODUCT_PER_CENT / (double)llabs(e->shares_micro);
  return (int64_t)(p + 0.5);
}

int parity_history_build(const struct parity_history_event *ev, size_t nev, const struct parity_history_series *series,
                         size_t nseries, int32_t first_day, int32_t last_day, struct parity_history_point *out)
{
  int64_t cash;
  size_t nholdings;
  return parity_history_build_state(ev, nev, series, nseries, first_day, last_day, out, &cash, NULL, &nholdings);
}

int parity_history_build_state(const struct parity_history_event *ev, size_t nev,
                               const struct parity_history_series *series, size_t nseries, int32_t first_day,
                               int32_t last_day, struct parity_history_point *out, int64_t *cash_cents,
                               struct parity_history_holding *holdings, size_t *nholdings)
{
  *cash_cents = 0;
  *nholdings = 0;
  if (last_day < first_day || (int64_t)last_day - first_day + 1 > PARITY_HISTORY_MAX_DAYS ||
      nseries > PARITY_HISTORY_MAX_SYMBOLS)
    return PARITY_EINVAL;
  for (size_t i = 1; i < nev; i++)
    if (ev[i].day < ev[i - 1].day)
      return PARITY_EINVAL;
  int64_t shares[PARITY_HISTORY_MAX_SYMBOLS] = { 0 }, price[PARITY_HISTORY_MAX_SYMBOLS] = { 0 };
  size_t next_price[PARITY_HISTORY_MAX_SYMBOLS] = { 0 };
  int64_t cash = 0, contributions = 0;
  size_t e = 0;
  for (int32_t day = first_day, i = 0; day <= last_day; day++, i++) {
    int64_t flow = 0;
    for (; e < nev && ev[e].day <= day; e++) {
      if (ev[e].symbol >= (int)nseries)
        return PARITY_EINVAL;
      cash += ev[e].cash_cents;
      if (ev[e].symbol < 0) {
        contributions += ev[e].cash_cents;
        if (ev[e].day == day)
          flow += ev[e].cash_cents; /* flows before the base are part of its value, not of a day's return */
        continue;
      }
      shares[ev[e].symbol] += ev[e].shares_micro;
      if (price[ev[e].symbol] == 0)
        price[ev[e].symbol] = implied_price(&ev[e]);
    }
    int64_t value = cash;
    for (size_t s = 0; s < nseries; s++) {
      const struct parity_history_series *ser = &series[s];
      for (; next_price[s] < ser->n && ser->prices[next_price[s]].day <= day; next_price[s]++)
        price[s] = ser->prices[next_price[s]].price_micros;
      int64_t p = day == last_day && ser->final_price_micros > 0 ? ser->final_price_micros : price[s];
      if (shares[s] <= 0)
        continue;
      int64_t held = parity_value_cents(shares[s], p);
      value += held;
      if (day == last_day && holdings)
        holdings[(*nholdings)++] = (struct parity_history_holding){ (int)s, shares[s], p, held };
    }
    if (day == last_day)
      *cash_cents = cash;
    out[i] = (struct parity_history_point){
      .day = day, .value_cents = value, .net_contrib_cents = contributions, .flow_cents = flow
    };
  }
  parity_history_twr_chain(out, (size_t)(last_day - first_day) + 1);
  return PARITY_OK;
}

/* ------------------------------------------------------------------ the ledger and prices from the database */

struct history_data {
  char symbols[PARITY_HISTORY_MAX_SYMBOLS][PARITY_SYMBOL_MAX];
  size_t nsymbols;
  struct parity_history_event *events;
  size_t nevents;
  struct parity_history_price *prices[PARITY_HISTORY_MAX_SYMBOLS];
  struct parity_history_series series[PARITY_HISTORY_MAX_SYMBOLS];
  int32_t prices_as_of; /* newest close read, INT32_MIN when none */
};

static void data_free(struct history_data *d)
{
  free(d->events);
  for (size_t i = 0; i < d->nsymbols; i++)
    free(d->prices[i]);
}

static int find_symbol(const struct history_data *d, const char *symbol)
{
  for (size_t i = 0; i < d->nsymbols; i++)
    if (strcmp(d->symbols[i], symbol) == 0)
      return (int)i;
  return -1;
}

/* The index of a symbol, added when new; -1 when the table is full. */
static int symbol_index(struct history_data *d, const char *symbol)
{
  int found = find_symbol(d, symbol);
  if (found >= 0)
    return found;
  if (d->nsymbols == PARITY_HISTORY_MAX_SYMBOLS)
    return -1;
  snprintf(d->symbols[d->nsymbols], sizeof(d->symbols[0]), "%s", symbol);
  return (int)d->nsymbols++;
}

static int by_day(const void *a, const void *b)
{
  const struct parity_history_event *x = a, *y = b;
  return (x->day > y->day) - (x->day < y->day);
}

static int load_events(struct parity_db *db, const char *uid, struct history_data *d)
{
  PGresult *flows = NULL, *trades = NULL;
  int rc = PARITY_DB_EXEC(db, Q_HISTORY_FLOWS, &flows, uid);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_HISTORY_TRADES, &trades, uid);
  if (rc)
    goto out;
  size_t n = (size_t)PQntuples(flows) + (size_t)PQntuples(trades);
  d->events = parity_xcalloc(n, sizeof(*d->events));
  for (int i = 0; i < PQntuples(flows); i++)
    d->events[d->nevents++] = (struct parity_history_event){ .day = (int32_t)atol(PQgetvalue(flows, i, 0)),
                                                             .symbol = -1,
                                                             .cash_cents = atoll(PQgetvalue(flows, i, 1)) };
  for (int i = 0; i < PQntuples(trades); i++) {
    int s = symbol_index(d, PQgetvalue(trades, i, 1));
    if (s < 0) {
      rc = PARITY_EINTERNAL; /* the universe is a few dozen symbols: a bug or a corrupt ledger */
      goto out;
    }
    d->events[d->nevents++] = (struct parity_history_event){ .day = (int32_t)atol(PQgetvalue(trades, i, 0)),
                                                             .symbol = s,
                                                             .shares_micro = atoll(PQgetvalue(trades, i, 2)),
                                                             .cash_cents = -atoll(PQgetvalue(trades, i, 3)) };
  }
  /* Stable within a day does not matter: a day's value is taken after all of its events. */
  qsort(d->events, d->nevents, sizeof(*d->events), by_day);
out:
  PQclear(flows);
  PQclear(trades);
  return rc;
}

/* A PostgreSQL text[] literal of the symbols (validated shapes: no quote, comma or brace). */
static char *symbols_array_new(const struct history_data *d)
{
  size_t cap = d->nsymbols * (sizeof(d->symbols[0]) + 3) + 3, len = 0;
  char *text = parity_xmalloc(cap);
  text[len++] = '{';
  for (size_t i = 0; i < d->nsymbols; i++)
    len += (size_t)snprintf(text + len, cap - len, "%s\"%s\"", i ? "," : "", d->symbols[i]);
  text[len++] = '}';
  text[len] = '\0';
  return text;
}

static int load_prices(struct parity_db *db, int32_t first_day, int32_t last_day, struct history_data *d)
{
  d->prices_as_of = INT32_MIN;
  if (d->nsymbols == 0)
    return PARITY_OK;
  char *array = symbols_array_new(d), from[PARITY_I64_TEXT], to[PARITY_I64_TEXT];
  parity_i64(first_day, from);
  parity_i64(last_day, to);
  PGresult *closes = NULL, *latest = NULL;
  int rc = PARITY_DB_EXEC(db, Q_HISTORY_CLOSES, &closes, array, from, to);
  if (!rc)
    rc = PARITY_DB_EXEC(db, Q_LATEST_PRICES, &latest, array);
  free(array);
  if (rc)
    goto out;
  size_t rows = (size_t)PQntuples(closes);
  size_t counts[PARITY_HISTORY_MAX_SYMBOLS] = { 0 };
  for (size_t s = 0; s < d->nsymbols; s++) {
    d->prices[s] = parity_xcalloc(rows, sizeof(struct parity_history_price));
  }
  /* Rows come ordered by symbol, then day. */
  for (size_t r = 0; r < rows; r++) {
    int s = find_symbol(d, PQgetvalue(closes, (int)r, 0));
    if (s < 0)
      continue;
    int32_t day = (int32_t)atol(PQgetvalue(closes, (int)r, 1));
    d->prices[s][counts[s]++] =
        (struct parity_history_price){ day, parity_price_micros(atof(PQgetvalue(closes, (int)r, 2))) };
    if (day > d->prices_as_of)
      d->prices_as_of = day;
  }
  for (size_t s = 0; s < d->nsymbols; s++)
    d->series[s] = (struct parity_history_series){ d->prices[s], counts[s], 0 };
  for (int r = 0; r < PQntuples(latest); r++) {
    int s = find_symbol(d, PQgetvalue(latest, r, 0));
    if (s >= 0 && !PQgetisnull(latest, r, 1))
      d->series[s].final_price_micros = parity_price_micros(atof(PQgetvalue(latest, r, 1)));
  }
out:
  PQclear(closes);
  PQclear(latest);
  return rc;
}

static json_t *answer_json(enum parity_history_range range, const struct parity_history_point *p, size_t n, size_t days,
                           int32_t prices_as_of, int32_t today)
{
  char day[PARITY_DAY_TEXT];
  json_t *points = json_array();
  for (size_t i = 0; i < n; i++) {
    parity_day_format(p[i].day, day);
    json_array_append_new(points,
                          json_pack("{s:s, s:I, s:I, s:f}", "date", day, "value_cents", (json_int_t)p[i].value_cents,
                                    "net_contributions_cents", (json_int_t)p[i].net_contrib_cents, "twr", p[i].twr));
  }
  parity_day_format(today, day);
  json_t *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:o}", "range", range_names[range], "method",
                          PARITY_HISTORY_METHOD, "flow_timing", PARITY_HISTORY_FLOW_TIMING, "day_basis",
                          "America/New_York", "today", day, "days", (json_int_t)days, "points", points);
  if (prices_as_of != INT32_MIN) {
    parity_day_format(prices_as_of, day);
    json_object_set_new(out, "prices_as_of", json_string(day));
  }
  if (n > 0) {
    char from[PARITY_DAY_TEXT], to[PARITY_DAY_TEXT];
    parity_day_format(p[0].day, from);
    parity_day_format(p[n - 1].day, to);
    json_object_set_new(out, "from", json_string(from));
    json_object_set_new(out, "to", json_string(to));
    json_object_set_new(out, "value_cents", json_integer((json_int_t)p[n - 1].value_cents));
    json_object_set_new(out, "net_contributions_cents", json_integer((json_int_t)p[n - 1].net_contrib_cents));
    json_object_set_new(out, "twr", json_real(p[n - 1].twr));
  }
  return out;
}

void parity_history_rebuild_free(struct parity_history_rebuild *r)
{
  free(r->points);
  memset(r, 0, sizeof(*r));
}

/* New York's today (days since 1970-01-01) by the database clock. */
static int read_today(struct parity_db *db, int32_t *today)
{
  PGresult *res = NULL;
  int rc = PARITY_DB_EXEC0(db, Q_HISTORY_TODAY, &res);
  if (!rc)
    *today = (int32_t)atol(PQgetvalue(res, 0, 0));
  PQclear(res);
  return rc;
}

/* Reads the closes of first..last and builds those days from d's events into out (its points allocated);
 * the last day is valued at the newest price only when it is today. The state of the last day as
 * parity_history_build_state() gives it. */
static int build_days(struct parity_db *db, struct history_data *d, int32_t first, int32_t last, int32_t today,
                      struct parity_history_rebuild *out, int64_t *cash, struct parity_history_holding *holdings,
                      size_t *nholdings)
{
  size_t days = (size_t)(last - first) + 1;
  int rc = load_prices(db, first, last, d);
  if (rc)
    return rc;
  if (last < today)
    for (size_t s = 0; s < d->nsymbols; s++)
      d->series[s].final_price_micros = 0;
  out->points = parity_xmalloc(days * sizeof(*out->points));
  rc = parity_history_build_state(d->events, d->nevents, d->series, d->nsymbols, first, last, out->points, cash,
                                  holdings, nholdings);
  if (rc) {
    free(out->points);
    out->points = NULL;
    return rc;
  }
  out->days = days;
  out->prices_as_of = d->prices_as_of;
  return PARITY_OK;
}

int parity_history_rebuild(struct parity_db *db, int64_t user_id, enum parity_history_range range,
                           struct parity_history_rebuild *out)
{
  memset(out, 0, sizeof(*out));
  out->prices_as_of = INT32_MIN;
  char uid[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  struct history_data *d = parity_xcalloc(1, sizeof(*d));
  int32_t today;
  int rc = read_today(db, &today);
  if (rc)
    goto out;
  out->today = today;
  rc = load_events(db, uid, d);
  if (rc || d->nevents == 0)
    goto out;
  /* The base is the day before the first ledger row at the earliest; never after today. */
  int32_t inception_base = d->events[0].day - 1, first = parity_history_range_start(range, today);
  if (first < inception_base)
    first = inception_base;
  if (first > today)
    first = today;
  if ((int64_t)today - first + 1 > PARITY_HISTORY_MAX_DAYS)
    first = today - PARITY_HISTORY_MAX_DAYS + 1;
  int64_t cash;
  size_t nholdings;
  rc = build_days(db, d, first, today, today, out, &cash, NULL, &nholdings);
out:
  data_free(d);
  free(d);
  return rc;
}

void parity_history_window_free(struct parity_history_window *w)
{
  parity_history_rebuild_free(&w->days);
  free(w->positions);
  memset(w, 0, sizeof(*w));
}

int parity_history_rebuild_window(struct parity_db *db, int64_t user_id, int32_t first_day, int32_t last_day,
                                  struct parity_history_window *out)
{
  memset(out, 0, sizeof(*out));
  out->days.prices_as_of = INT32_MIN;
  int32_t today;
  int rc = read_today(db, &today);
  if (rc)
    return rc;
  out->days.today = today;
  if (last_day < first_day || last_day > today || (int64_t)last_day - first_day + 1 > PARITY_HISTORY_MAX_DAYS)
    return PARITY_EINVAL;
  char uid[PARITY_I64_TEXT];
  parity_i64(user_id, uid);
  struct history_data *d = parity_xcalloc(1, sizeof(*d));
  struct parity_history_holding *holdings = NULL;
  rc = load_events(db, uid, d);
  if (rc)
    goto out;
  holdings = parity_xcalloc(d->nsymbols ? d->nsymbols : 1, sizeof(*holdings));
  size_t n = 0;
  rc = build_days(db, d, first_day, last_day, today, &out->days, &out->cash_cents, holdings, &n);
  if (rc || n == 0)
    goto out;
  out->positions = parity_xcalloc(n, sizeof(*out->positions));
  for (size_t i = 0; i < n; i++) {
    struct parity_history_position *p = &out->positions[i];
    snprintf(p->symbol, sizeof(p->symbol), "%s", d->symbols[holdings[i].symbol]);
    p->shares_micro = holdings[i].shares_micro;
    p->price_micros = holdings[i].price_micros;
    p->value_cents = holdings[i].value_cents;
  }
  out->npositions = n;
out:
  free(holdings);
  data_free(d);
  free(d);
  return rc;
}

int parity_svc_history(struct parity_db *db, int64_t user_id, const char *range_text, json_t **out,
                       struct parity_svc_error *err)
{
  enum parity_history_range range;
  if (parity_history_range_parse(range_text, &range)) {
    return parity_svc_fail(err, PARITY_EINVAL, NULL, "range must be one of 1D, 1W, 1M, 6M, 1Y, YTD, 5Y, MAX");
  }
  struct parity_history_rebuild r;
  int rc = parity_history_rebuild(db, user_id, range, &r);
  if (rc)
    return rc;
  size_t n = parity_history_thin(r.points, r.days, PARITY_HISTORY_MAX_POINTS);
  *out = answer_json(range, r.points, n, r.days, r.prices_as_of, r.today);
  parity_history_rebuild_free(&r);
  return PARITY_OK;
}
