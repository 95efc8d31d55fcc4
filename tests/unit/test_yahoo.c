/*
 * Unit tests of decisional/yahoo.c: the chart parser on recorded and synthetic bodies, and the client
 * against a local libmicrohttpd server (127.0.0.1, ephemeral port) that plays scripted answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <microhttpd.h>

#include "common/config.h"
#include "common/errors.h"
#include "decisional/market_csv.h"
#include "decisional/yahoo.h"

#define FIXTURE(name) PARITY_FIXTURES_DIR "/yahoo/" name
/* 2024-01-02 14:30 UTC, the 09:30 New York open in winter: (19724 days * 86400) + 52200 s. */
#define TS0 1704205800LL
#define DAY_SECONDS 86400LL

static char *read_fixture(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)size + 1);
  assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
  buf[size] = '\0';
  fclose(f);
  *len = (size_t)size;
  return buf;
}

/* ---------------------------------------------------------------------------------------------- */
/* Parser on recorded bodies                                                                       */
/* ---------------------------------------------------------------------------------------------- */

static int parse_file(const char *path, const char *symbol, enum parity_yahoo_kind kind,
                      struct parity_yahoo_chart *chart, struct parity_market_error *err)
{
  size_t len;
  char *body = read_fixture(path, &len);
  memset(chart, 0, sizeof(*chart));
  int rc = parity_yahoo_parse_chart(body, len, symbol, kind, chart, err);
  free(body);
  return rc;
}

/* The bundled CSV's QQQ row for a day, read through the CSV reader. */
struct find_bar {
  const char *symbol;
  int32_t day;
  struct parity_bar bar;
  int found;
};

static int find_bar_cb(void *ctx, struct parity_bar_series *s, json_t *notes)
{
  (void)notes;
  struct find_bar *f = ctx;
  if (strcmp(s->symbol, f->symbol) != 0)
    return PARITY_OK;
  for (size_t i = 0; i < s->n; i++)
    if (s->bars[i].day == f->day) {
      f->bar = s->bars[i];
      f->found = 1;
    }
  return PARITY_OK;
}

static void test_parse_qqq_matches_bundled_csv(void **state)
{
  (void)state;
  struct parity_yahoo_chart chart;
  struct parity_market_error err;
  assert_int_equal(parse_file(FIXTURE("yahoo_chart_QQQ_1d.json"), "QQQ", PARITY_YAHOO_DAILY, &chart, &err), PARITY_OK);
  assert_int_equal(chart.bars.n, 1);
  assert_string_equal(chart.bars.symbol, "QQQ");
  const struct parity_bar *b = &chart.bars.bars[0];
  assert_int_equal(b->day, parity_day_from_ymd(2020, 1, 2));
  /* Values as written in the recorded response. */
  assert_true(b->open == 214.39999389648438);
  assert_true(b->high == 216.16000366210938);
  assert_true(b->low == 213.97999572753906);
  assert_true(b->close == 216.16000366210938);
  assert_true(b->adj_close == 209.6380615234375);
  assert_int_equal(b->volume, 30969400);
  assert_int_equal(chart.info.gmtoffset, -18000);
  assert_string_equal(chart.info.exchange_tz, "America/New_York");
  assert_int_equal(chart.info.timestamps, 1);
  assert_int_equal(chart.info.skipped_null, 0);
  assert_int_equal(chart.info.has_adjclose, 1);

  /* The same day in the bundled CSV (a different pull): identical OHLCV; adj_close differs by design. */
  struct find_bar f = { .symbol = "QQQ", .day = b->day, .found = 0 };
  assert_int_equal(
      parity_market_csv_read_file(PARITY_BUNDLED_DATA_DIR "/etf_daily.csv.gz", find_bar_cb, &f, NULL, &err), PARITY_OK);
  assert_true(f.found);
  assert_true(f.bar.open == b->open);
  assert_true(f.bar.high == b->high);
  assert_true(f.bar.low == b->low);
  assert_true(f.bar.close == b->close);
  assert_int_equal(f.bar.volume, b->volume);
  assert_true(fabs(f.bar.adj_close - 208.31753540039062) < 1e-9);
  parity_yahoo_chart_free(&chart);
}

static void test_parse_aapl_49_bars(void **state)
{
  (void)state;
  struct parity_yahoo_chart chart;
  struct parity_market_error err;
  assert_int_equal(parse_file(FIXTURE("yahoo_chart_AAPL_1d.json"), "AAPL", PARITY_YAHOO_DAILY, &chart, &err),
                   PARITY_OK);
  assert_int_equal(chart.bars.n, 49);
  char first[11], last[11];
  parity_day_format(chart.bars.bars[0].day, first);
  parity_day_format(chart.bars.bars[48].day, last);
  assert_string_equal(first, "2020-08-31");
  assert_string_equal(last, "2020-11-06");
  const struct parity_bar *b0 = &chart.bars.bars[0], *b48 = &chart.bars.bars[48];
  assert_true(b0->open == 127.58000183105469);
  assert_true(b0->high == 131);
  assert_true(b0->low == 126);
  assert_true(b0->close == 129.0399932861328);
  assert_true(b0->adj_close == 125.82673645019531);
  assert_int_equal(b0->volume, 225702700);
  assert_true(b48->close == 118.69000244140625);
  assert_int_equal(b48->volume, 114457900);
  /* The 4:1 split of 2020-08-31 is already in the prices: the report sees no jump. */
  json_t *notes = json_array();
  assert_int_equal(parity_price_report(&chart.bars, notes), 0);
  json_decref(notes);
  parity_yahoo_chart_free(&chart);
}

static void test_parse_empty_result_shape(void **state)
{
  (void)state;
  struct parity_yahoo_chart chart;
  struct parity_market_error err;
  assert_int_equal(parse_file(FIXTURE("yahoo_chart_AAPL_1m_empty.json"), "AAPL", PARITY_YAHOO_INTRADAY, &chart, &err),
                   PARITY_ENOTFOUND);
  assert_string_equal(
      err.message, "yahoo AAPL: no price data in the response (empty result: no timestamp, indicators.quote == [{}])");
  assert_int_equal(chart.points.n, 0);
  assert_int_equal(parse_file(FIXTURE("yahoo_chart_AAPL_1m_empty.json"), "AAPL", PARITY_YAHOO_DAILY, &chart, &err),
                   PARITY_ENOTFOUND);
  parity_yahoo_chart_free(&chart);
}

static void test_parse_error_bodies(void **state)
{
  (void)state;
  struct parity_yahoo_chart chart;
  struct parity_market_error err;
  assert_int_equal(parse_file(FIXTURE("chart_404_not_found.json"), "NOPE", PARITY_YAHOO_DAILY, &chart, &err),
                   PARITY_ENOTFOUND);
  assert_string_equal(err.message, "yahoo NOPE: Not Found: No data found, symbol may be delisted");
  assert_int_equal(parse_file(FIXTURE("chart_422_range.json"), "VTI", PARITY_YAHOO_INTRADAY, &chart, &err),
                   PARITY_EUPSTREAM);
  assert_non_null(strstr(err.message, "Unprocessable Entity: 15m data not available"));
}

static void test_parse_wrong_symbol(void **state)
{
  (void)state;
  struct parity_yahoo_chart chart;
  struct parity_market_error err;
  assert_int_equal(parse_file(FIXTURE("yahoo_chart_QQQ_1d.json"), "SPY", PARITY_YAHOO_DAILY, &chart, &err),
                   PARITY_EUPSTREAM);
  assert_string_equal(err.field, "symbol");
  assert_string_equal(err.message, "yahoo SPY: field symbol: the response is for QQQ");
  assert_int_equal(chart.bars.n, 0);
}

static void test_parse_not_json_and_truncated(void **state)
{
  (void)state;
  size_t len;
  char *body = read_fixture(FIXTURE("yahoo_chart_QQQ_1d.json"), &len);
  struct parity_yahoo_chart chart;
  memset(&chart, 0, sizeof(chart));
  struct parity_market_error err;
  assert_int_equal(parity_yahoo_parse_chart(body, len / 2, "QQQ", PARITY_YAHOO_DAILY, &chart, &err), PARITY_EUPSTREAM);
  assert_non_null(strstr(err.message, "yahoo QQQ: not JSON"));
  assert_int_equal(
      parity_yahoo_parse_chart("<html>Too Many Requests</html>", 30, "QQQ", PARITY_YAHOO_DAILY, &chart, &err),
      PARITY_EUPSTREAM);
  assert_int_equal(parity_yahoo_parse_chart("", 0, "QQQ", PARITY_YAHOO_DAILY, &chart, &err), PARITY_EUPSTREAM);
  assert_int_equal(parity_yahoo_parse_chart("{\"chart\":{\"result\":null,\"error\":null}}", 38, "QQQ",
                                            PARITY_YAHOO_DAILY, &chart, &err),
                   PARITY_ENOTFOUND);
  assert_int_equal(parity_yahoo_parse_chart("{\"chart\":{\"result\":[],\"error\":null}}", 36, "QQQ", PARITY_YAHOO_DAILY,
                                            &chart, &err),
                   PARITY_ENOTFOUND);
  assert_int_equal(
      parity_yahoo_parse_chart("{\"chart\":{\"result\":[1]}}", 24, "QQQ", PARITY_YAHOO_DAILY, &chart, &err),
      PARITY_EUPSTREAM);
  assert_int_equal(parity_yahoo_parse_chart("[]", 2, "QQQ", PARITY_YAHOO_DAILY, &chart, &err), PARITY_EUPSTREAM);
  assert_string_equal(err.field, "chart");
  free(body);
}

/* ---------------------------------------------------------------------------------------------- */
/* Parser on synthetic bodies (made-up numbers, the layout of the recorded daily responses)         */
/* ---------------------------------------------------------------------------------------------- */

/* A chart body: arrays given as JSON text, e.g. "[1,2]"; adjclose NULL leaves indicators.adjclose out. */
static char *synthetic(const char *symbol, const char *ts, const char *open, const char *high, const char *low,
                       const char *close, const char *volume, const char *adjclose)
{
  char *buf = malloc(16384);
  int n = snprintf(buf, 16384,
                   "{\"chart\":{\"result\":[{\"meta\":{\"symbol\":\"%s\",\"gmtoffset\":-18000,"
                   "\"exchangeTimezoneName\":\"America/New_York\"},\"timestamp\":%s,\"indicators\":{\"quote\":[{"
                   "\"open\":%s,\"high\":%s,\"low\":%s,\"close\":%s,\"volume\":%s}]%s%s%s}}],\"error\":null}}",
                   symbol, ts, open, high, low, close, volume, adjclose ? ",\"adjclose\":[{\"adjclose\":" : "",
                   adjclose ? adjclose : "", adjclose ? "}]" : "");
  assert_true(n > 0 && n < 16384);
  return buf;
}

static int parse_text(const char *text, const char *symbol, enum parity_yahoo_kind kind,
                      struct parity_yahoo_chart *chart, struct parity_market_error *err)
{
  memset(chart, 0, sizeof(*chart));
  return parity_yahoo_parse_chart(text, strlen(text), symbol, kind, chart, err);
}

#define TS3 "[1704205800,1704292200,1704378600]" /* 2024-01-02, 01-03, 01-04 at 14:30 UTC */

/* The AAPL recording's events: the 4:1 split of 2020-08-31 and the 0.205 dividend of 2020-11-06, oldest first,
 * dated by the exchange's day of their timestamps (13:30 UTC = 09:30 New York). */
static void test_parse_events(void **state)
{
  (void)state;
  struct parity_yahoo_chart chart;
  struct parity_market_error err;
  assert_int_equal(parse_file(FIXTURE("yahoo_chart_AAPL_1d.json"), "AAPL", PARITY_YAHOO_DAILY, &chart, &err),
                   PARITY_OK);
  assert_int_equal(chart.events.n, 2);
  const struct parity_yahoo_event *split = &chart.events.items[0], *div = &chart.events.items[1];
  assert_int_equal(split->day, parity_day_from_ymd(2020, 8, 31));
  assert_true(split->is_split && split->numerator == 4 && split->denominator == 1);
  assert_int_equal(div->day, parity_day_from_ymd(2020, 11, 6));
  assert_true(!div->is_split && div->amount == 0.205);
  parity_yahoo_chart_free(&chart);

  /* A split without its denominator is a malformed answer, not a split of n:0. */
  size_t len;
  char *body = read_fixture(FIXTURE("yahoo_chart_AAPL_1d.json"), &len);
  json_t *root = json_loadb(body, len, 0, NULL);
  free(body);
  json_t *ev = json_object_get(
      json_object_get(json_array_get(json_object_get(json_object_get(root, "chart"), "result"), 0), "events"),
      "splits");
  json_object_del(json_object_get(ev, "1598880600"), "denominator");
  char *text = json_dumps(root, JSON_COMPACT);
  json_decref(root);
  assert_int_equal(parse_text(text, "AAPL", PARITY_YAHOO_DAILY, &chart, &err), PARITY_EUPSTREAM);
  assert_string_equal(err.field, "events");
  assert_int_equal(chart.events.n, 0);
  free(text);
}

static void test_parse_nulls_are_skipped_and_counted(void **state)
{
  (void)state;
  char *text = synthetic("VTI", TS3, "[10,null,12]", "[11,11,13]", "[9,9,11]", "[10.5,10.5,12.5]", "[1,2,3]",
                         "[10.4,10.4,12.4]");
  struct parity_yahoo_chart chart;
  struct parity_market_error err;
  assert_int_equal(parse_text(text, "VTI", PARITY_YAHOO_DAILY, &chart, &err), PARITY_OK);
  assert_int_equal(chart.bars.n, 2);
  assert_int_equal(chart.info.skipped_null, 1);
  assert_int_equal(chart.info.timestamps, 3);
  assert_int_equal(chart.bars.bars[1].day, parity_day_from_ymd(2024, 1, 4));
  assert_true(chart.bars.bars[1].adj_close == 12.4);
  parity_yahoo_chart_free(&chart);
  free(text);

  /* Every entry null: no bars at all is "not found", not an empty success. */
  text = synthetic("VTI", "[1704205800]", "[null]", "[null]", "[null]", "[null]", "[null]", NULL);
  assert_int_equal(parse_text(text, "VTI", PARITY_YAHOO_DAILY, &chart, &err), PARITY_ENOTFOUND);
  assert_string_equal(err.message, "yahoo VTI: all 1 entries have null fields");
  free(text);
}

static void test_parse_without_adjclose_uses_close(void **state)
{
  (void)state;
  char *text = synthetic("VTI", TS3, "[10,11,12]", "[11,12,13]", "[9,10,11]", "[10.5,11.5,12.5]", "[1,2.0,3]", NULL);
  struct parity_yahoo_chart chart;
  struct parity_market_error err;
  assert_int_equal(parse_text(text, "VTI", PARITY_YAHOO_DAILY, &chart, &err), PARITY_OK);
  assert_int_equal(chart.info.has_adjclose, 0);
  for (size_t i = 0; i < 3; i++)
    assert_true(chart.bars.bars[i].adj_close == chart.bars.bars[i].close);
  assert_int_equal(chart.bars.bars[1].volume, 2); /* 2.0 is an integer volume */
  parity_yahoo_chart_free(&chart);
  free(text);
}

static void test_parse_malformed_fields(void **state)
{
  (void)state;
  static const struct {
    const char *what, *ts, *open, *close, *volume, *adj;
    const char *field;
    int rc;
  } cases[] = {
    { "short close", TS3, "[10,11,12]", "[10.5,11.5]", "[1,2,3]", NULL, "close", PARITY_EUPSTREAM },
    { "string close", TS3, "[10,11,12]", "[10.5,\"x\",12.5]", "[1,2,3]", NULL, "close", PARITY_EUPSTREAM },
    { "object open", TS3, "{}", "[10.5,11.5,12.5]", "[1,2,3]", NULL, "open", PARITY_EUPSTREAM },
    { "fraction volume", TS3, "[10,11,12]", "[10.5,11.5,12.5]", "[1,2.5,3]", NULL, "volume", PARITY_EUPSTREAM },
    { "string ts", "[1704205800,\"x\",1704378600]", "[10,11,12]", "[10.5,11.5,12.5]", "[1,2,3]", NULL, "timestamp",
      PARITY_EUPSTREAM },
    { "long adjclose", TS3, "[10,11,12]", "[10.5,11.5,12.5]", "[1,2,3]", "[1,2,3,4]", "adjclose", PARITY_EUPSTREAM },
    { "timestamp object", "{}", "[10,11,12]", "[10.5,11.5,12.5]", "[1,2,3]", NULL, "timestamp", PARITY_EUPSTREAM },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *text = synthetic("VTI", cases[i].ts, cases[i].open, "[11,12,13]", "[9,10,11]", cases[i].close,
                           cases[i].volume, cases[i].adj);
    struct parity_yahoo_chart chart;
    struct parity_market_error err;
    int rc = parse_text(text, "VTI", PARITY_YAHOO_DAILY, &chart, &err);
    print_message("%-16s -> %s\n", cases[i].what, err.message);
    assert_int_equal(rc, cases[i].rc);
    assert_string_equal(err.field, cases[i].field);
    assert_int_equal(chart.bars.n, 0); /* nothing of a bad response is kept */
    free(text);
  }
}

static void test_parse_invalid_bars_are_rejected(void **state)
{
  (void)state;
  /* low above high on 2024-01-03. */
  char *text = synthetic("VTI", TS3, "[10,11,12]", "[11,12,13]", "[9,12.5,11]", "[10.5,11.5,12.5]", "[1,2,3]", NULL);
  struct parity_yahoo_chart chart;
  struct parity_market_error err;
  assert_int_equal(parse_text(text, "VTI", PARITY_YAHOO_DAILY, &chart, &err), PARITY_EINVAL);
  assert_string_equal(err.field, "low");
  assert_int_equal(err.day, parity_day_from_ymd(2024, 1, 3));
  assert_string_equal(err.message, "yahoo VTI: field low: 12.5 is above high 12");
  assert_int_equal(chart.bars.n, 0);
  free(text);

  /* Two entries on one day that is not the last: a duplicate day. */
  text = synthetic("VTI", "[1704205800,1704209400,1704378600]", "[10,11,12]", "[11,12,13]", "[9,10,11]",
                   "[10.5,11.5,12.5]", "[1,2,3]", NULL);
  assert_int_equal(parse_text(text, "VTI", PARITY_YAHOO_DAILY, &chart, &err), PARITY_EINVAL);
  assert_string_equal(err.field, "date");
  free(text);

  /* Missing gmtoffset: no way to tell the day. */
  const char *no_offset = "{\"chart\":{\"result\":[{\"meta\":{\"symbol\":\"VTI\"},\"timestamp\":[1704205800],"
                          "\"indicators\":{\"quote\":[{\"open\":[1],\"high\":[1],\"low\":[1],\"close\":[1],"
                          "\"volume\":[1]}]}}],\"error\":null}}";
  assert_int_equal(parse_text(no_offset, "VTI", PARITY_YAHOO_DAILY, &chart, &err), PARITY_EUPSTREAM);
  assert_string_equal(err.field, "gmtoffset");

  /* An offset beyond any time zone (18 h + 1 s) is refused; exactly 18 h is accepted. */
  static const char *const offsets[] = { "64801", "-64801", "64800" };
  for (size_t i = 0; i < 3; i++) {
    char body[512];
    snprintf(body, sizeof(body),
             "{\"chart\":{\"result\":[{\"meta\":{\"symbol\":\"VTI\",\"gmtoffset\":%s},\"timestamp\":"
             "[1704205800],\"indicators\":{\"quote\":[{\"open\":[1],\"high\":[1],\"low\":[1],\"close\":[1],"
             "\"volume\":[1]}]}}],\"error\":null}}",
             offsets[i]);
    int rc = parse_text(body, "VTI", PARITY_YAHOO_DAILY, &chart, &err);
    assert_int_equal(rc, i < 2 ? PARITY_EUPSTREAM : PARITY_OK);
    parity_yahoo_chart_free(&chart);
  }
}

/* During a session Yahoo appends the live bar as a separate entry on the same day. */
static void test_parse_live_bar_is_merged(void **state)
{
  (void)state;
  char *text = synthetic("VTI", "[1704205800,1704292200,1704304800]", "[10,11,11.2]", "[11,12,12.5]", "[9,10,10.8]",
                         "[10.5,11.5,12.2]", "[100,200,250]", NULL);
  struct parity_yahoo_chart chart;
  struct parity_market_error err;
  assert_int_equal(parse_text(text, "VTI", PARITY_YAHOO_DAILY, &chart, &err), PARITY_OK);
  assert_int_equal(chart.bars.n, 2);
  assert_int_equal(chart.info.merged_live, 1);
  const struct parity_bar *b = &chart.bars.bars[1];
  assert_true(b->open == 11);    /* the day's open */
  assert_true(b->high == 12.5);  /* highest of the two */
  assert_true(b->low == 10);     /* lowest of the two */
  assert_true(b->close == 12.2); /* the live close */
  assert_int_equal(b->volume, 250);
  parity_yahoo_chart_free(&chart);
  free(text);
}

static void test_parse_too_many_points(void **state)
{
  (void)state;
  size_t n = PARITY_YAHOO_MAX_POINTS + 1;
  char *text = malloc(n * 12 + 512);
  size_t pos = (size_t)sprintf(text, "{\"chart\":{\"result\":[{\"meta\":{\"symbol\":\"VTI\",\"gmtoffset\":0},"
                                     "\"timestamp\":[");
  for (size_t i = 0; i < n; i++)
    pos += (size_t)sprintf(text + pos, "%s%zu", i ? "," : "", 1000000000 + i * 60);
  pos += (size_t)sprintf(text + pos, "],\"indicators\":{\"quote\":[{}]}}],\"error\":null}}");
  struct parity_yahoo_chart chart;
  memset(&chart, 0, sizeof(chart));
  struct parity_market_error err;
  assert_int_equal(parity_yahoo_parse_chart(text, pos, "VTI", PARITY_YAHOO_INTRADAY, &chart, &err), PARITY_ETOOBIG);
  assert_string_equal(err.message, "yahoo VTI: field timestamp: 100001 entries; the limit is 100000");
  free(text);
}

/* Synthetic 15-minute body: no verbatim real one exists (tests/fixtures/yahoo/PROVENANCE.md). */
#define INTRADAY_VTI                                                                                                   \
  "{\"chart\":{\"result\":[{\"meta\":{\"symbol\":\"VTI\",\"gmtoffset\":-18000,\"dataGranularity\":\"15m\"},"           \
  "\"timestamp\":[1704205800,1704206700,1704207600,1704208500],\"indicators\":{\"quote\":[{"                           \
  "\"close\":[250.5,null,251.25,250.75],\"volume\":[1000,null,900,800]}]}}],\"error\":null}}"

static void test_parse_intraday(void **state)
{
  (void)state;
  struct parity_yahoo_chart chart;
  struct parity_market_error err;
  assert_int_equal(parse_text(INTRADAY_VTI, "VTI", PARITY_YAHOO_INTRADAY, &chart, &err), PARITY_OK);
  assert_int_equal(chart.points.n, 3);
  assert_int_equal(chart.info.skipped_null, 1);
  assert_int_equal(chart.points.points[1].ts, 1704207600);
  assert_true(chart.points.points[1].price == 251.25);
  assert_int_equal(chart.bars.n, 0);
  parity_yahoo_chart_free(&chart);
}

/* ---------------------------------------------------------------------------------------------- */
/* Local HTTP server with a script                                                                 */
/* ---------------------------------------------------------------------------------------------- */

#define SCRIPT_MAX 16

struct step {
  int status;
  const char *body; /* NULL: the recorded fixture for the symbol in the path (404 body if none) */
  const char *retry_after;
  int delay_ms;     /* wait before answering */
  int truncate;     /* declare the full length, send half, then drop the connection */
  size_t generated; /* > 0: a body of this many spaces instead */
  int chunked;      /* generated body without Content-Length */
};

struct server {
  struct MHD_Daemon *daemon;
  uint16_t port;
  pthread_mutex_t lock;
  struct step script[SCRIPT_MAX];
  size_t n_script, next;
  int requests;
  char last_path[128], last_range[16], last_interval[16];
  char *qqq, *aapl, *not_found;
  size_t qqq_len, aapl_len, not_found_len;
};

static struct server srv;

struct body_source {
  const char *data;
  size_t len, limit; /* limit < len: stop there with an error */
  size_t generated;
};

static ssize_t read_body(void *cls, uint64_t pos, char *buf, size_t max)
{
  struct body_source *src = cls;
  if (src->generated) {
    if (pos >= src->generated)
      return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = src->generated - (size_t)pos < max ? src->generated - (size_t)pos : max;
    memset(buf, ' ', n);
    return (ssize_t)n;
  }
  if (pos >= src->limit)
    return MHD_CONTENT_READER_END_WITH_ERROR;
  size_t n = src->limit - (size_t)pos < max ? src->limit - (size_t)pos : max;
  memcpy(buf, src->data + pos, n);
  return (ssize_t)n;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size, void **req)
{
  (void)cls;
  (void)method;
  (void)version;
  (void)upload_data;
  (void)upload_data_size;
  (void)req;
  struct step step = { .status = 200 };
  pthread_mutex_lock(&srv.lock);
  srv.requests++;
  snprintf(srv.last_path, sizeof(srv.last_path), "%s", url);
  const char *range = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "range");
  const char *interval = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "interval");
  snprintf(srv.last_range, sizeof(srv.last_range), "%s", range ? range : "");
  snprintf(srv.last_interval, sizeof(srv.last_interval), "%s", interval ? interval : "");
  if (srv.next < srv.n_script)
    step = srv.script[srv.next++];
  pthread_mutex_unlock(&srv.lock);

  if (step.delay_ms)
    usleep((useconds_t)step.delay_ms * 1000);
  const char *body = step.body;
  size_t len = body ? strlen(body) : 0;
  if (!body) {
    if (strcmp(url, "/v8/finance/chart/QQQ") == 0) {
      body = srv.qqq;
      len = srv.qqq_len;
    } else if (strcmp(url, "/v8/finance/chart/AAPL") == 0) {
      body = srv.aapl;
      len = srv.aapl_len;
    } else {
      body = srv.not_found;
      len = srv.not_found_len;
      step.status = 404;
    }
  }
  struct MHD_Response *resp;
  if (step.generated || step.truncate) {
    struct body_source *src = calloc(1, sizeof(*src));
    src->data = body;
    src->len = len;
    src->limit = step.truncate ? len / 2 : len;
    src->generated = step.generated;
    uint64_t size = step.generated ? (step.chunked ? MHD_SIZE_UNKNOWN : step.generated) : len;
    resp = MHD_create_response_from_callback(size, 64 * 1024, read_body, src, free);
  } else {
    resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
  }
  MHD_add_response_header(resp, "Content-Type", "application/json");
  if (step.retry_after)
    MHD_add_response_header(resp, "Retry-After", step.retry_after);
  enum MHD_Result ret = MHD_queue_response(conn, (unsigned)step.status, resp);
  MHD_destroy_response(resp);
  return ret;
}

static int server_start(void **state)
{
  (void)state;
  memset(&srv, 0, sizeof(srv));
  pthread_mutex_init(&srv.lock, NULL);
  srv.qqq = read_fixture(FIXTURE("yahoo_chart_QQQ_1d.json"), &srv.qqq_len);
  srv.aapl = read_fixture(FIXTURE("yahoo_chart_AAPL_1d.json"), &srv.aapl_len);
  srv.not_found = read_fixture(FIXTURE("chart_404_not_found.json"), &srv.not_found_len);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = 0; /* ephemeral */
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  srv.daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handle,
                                NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_TIMEOUT,
                                10u, MHD_OPTION_END);
  if (!srv.daemon)
    return -1;
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv.daemon, MHD_DAEMON_INFO_BIND_PORT);
  srv.port = info ? info->port : 0;
  return srv.port ? 0 : -1;
}

static int server_stop(void **state)
{
  (void)state;
  MHD_stop_daemon(srv.daemon);
  free(srv.qqq);
  free(srv.aapl);
  free(srv.not_found);
  pthread_mutex_destroy(&srv.lock);
  return 0;
}

static void script(const struct step *steps, size_t n)
{
  pthread_mutex_lock(&srv.lock);
  if (n)
    memcpy(srv.script, steps, n * sizeof(*steps));
  srv.n_script = n;
  srv.next = 0;
  srv.requests = 0;
  pthread_mutex_unlock(&srv.lock);
}

static int requests(void)
{
  pthread_mutex_lock(&srv.lock);
  int n = srv.requests;
  pthread_mutex_unlock(&srv.lock);
  return n;
}

static int reset_script(void **state)
{
  (void)state;
  script(NULL, 0);
  return 0;
}

/* Fast backoff so retries cost milliseconds; 3 retries; 2 s timeout. */
static struct parity_yahoo_client *test_client(long timeout_ms, int retries, size_t max_response)
{
  char base[64];
  snprintf(base, sizeof(base), "http://127.0.0.1:%u", (unsigned)srv.port);
  struct parity_yahoo_options opt;
  parity_yahoo_options_default(&opt);
  opt.base_url = base;
  opt.timeout_ms = timeout_ms;
  opt.max_retries = retries;
  opt.backoff_base_ms = 1;
  opt.backoff_max_ms = 5;
  opt.max_response = max_response;
  struct parity_yahoo_client *c = NULL;
  assert_int_equal(parity_yahoo_client_new(&opt, &c), PARITY_OK);
  return c;
}

/* ---------------------------------------------------------------------------------------------- */
/* Client                                                                                          */
/* ---------------------------------------------------------------------------------------------- */

static void test_fetch_daily_qqq_and_aapl(void **state)
{
  (void)state;
  struct parity_yahoo_client *c = test_client(2000, 3, 0);
  struct parity_bar_series s;
  memset(&s, 0, sizeof(s));
  struct parity_yahoo_fetch_info info;
  struct parity_market_error err;
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_OK);
  assert_string_equal(srv.last_path, "/v8/finance/chart/QQQ");
  assert_string_equal(srv.last_range, "5y");
  assert_string_equal(srv.last_interval, "1d");
  assert_int_equal(info.attempts, 1);
  assert_int_equal(info.http_status, 200);
  assert_int_equal(info.bytes, srv.qqq_len);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.symbol, "QQQ");
  assert_true(s.bars[0].close == 216.16000366210938);
  assert_int_equal(s.bars[0].volume, 30969400);
  parity_bar_series_free(&s);

  assert_int_equal(parity_yahoo_fetch_daily(c, "AAPL", "max", &s, &info, &err), PARITY_OK);
  assert_string_equal(srv.last_range, "max");
  assert_int_equal(s.n, 49);
  assert_int_equal(s.bars[0].day, parity_day_from_ymd(2020, 8, 31));
  assert_int_equal(s.bars[48].day, parity_day_from_ymd(2020, 11, 6));
  assert_int_equal(info.chart.timestamps, 49);
  parity_bar_series_free(&s);
  parity_yahoo_client_free(c);
}

static void test_fetch_404_is_not_retried(void **state)
{
  (void)state;
  struct parity_yahoo_client *c = test_client(2000, 3, 0);
  struct parity_bar_series s;
  memset(&s, 0, sizeof(s));
  struct parity_yahoo_fetch_info info;
  struct parity_market_error err;
  assert_int_equal(parity_yahoo_fetch_daily(c, "NOPE", "5y", &s, &info, &err), PARITY_ENOTFOUND);
  assert_string_equal(err.message, "yahoo NOPE: HTTP 404: Not Found: No data found, symbol may be delisted");
  assert_int_equal(info.attempts, 1);
  assert_int_equal(requests(), 1);
  assert_int_equal(info.http_status, 404);
  assert_null(s.bars);

  /* A 404 without a JSON body still reads clearly. */
  struct step steps[] = { { .status = 404, .body = "Not Found" } };
  script(steps, 1);
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_ENOTFOUND);
  assert_string_equal(err.message, "yahoo QQQ: HTTP 404: no chart.error.description in the body");
  parity_yahoo_client_free(c);
}

static void test_fetch_other_4xx_not_retried(void **state)
{
  (void)state;
  struct parity_yahoo_client *c = test_client(2000, 3, 0);
  char *body422;
  size_t len;
  body422 = read_fixture(FIXTURE("chart_422_range.json"), &len);
  struct step steps[] = { { .status = 422, .body = body422 } };
  script(steps, 1);
  struct parity_point_series p;
  memset(&p, 0, sizeof(p));
  struct parity_yahoo_fetch_info info;
  struct parity_market_error err;
  assert_int_equal(parity_yahoo_fetch_intraday(c, "QQQ", "60d", "15m", &p, NULL, &info, &err), PARITY_EUPSTREAM);
  assert_int_equal(info.attempts, 1);
  assert_int_equal(requests(), 1);
  assert_non_null(strstr(err.message, "HTTP 422 (not retried): Unprocessable Entity: 15m data not available"));
  free(body422);

  struct step bad_request[] = { { .status = 400, .body = "" }, { .status = 200 } };
  script(bad_request, 2);
  struct parity_bar_series s;
  memset(&s, 0, sizeof(s));
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_EUPSTREAM);
  assert_int_equal(requests(), 1);
  parity_yahoo_client_free(c);
}

static void test_fetch_retries_429_and_5xx(void **state)
{
  (void)state;
  struct parity_yahoo_client *c = test_client(2000, 3, 0);
  struct parity_bar_series s;
  memset(&s, 0, sizeof(s));
  struct parity_yahoo_fetch_info info;
  struct parity_market_error err;

  struct step rate_then_ok[] = { { .status = 429, .body = "Too Many Requests" }, { .status = 200 } };
  script(rate_then_ok, 2);
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_OK);
  assert_int_equal(info.attempts, 2);
  assert_int_equal(s.n, 1);
  parity_bar_series_free(&s);

  struct step errors_then_ok[] = {
    { .status = 500, .body = "" }, { .status = 502, .body = "" }, { .status = 503, .body = "" }, { .status = 200 }
  };
  script(errors_then_ok, 4);
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_OK);
  assert_int_equal(info.attempts, 4);
  parity_bar_series_free(&s);

  /* Always 429: retries run out (1 + 3 attempts). */
  struct step always_429[] = { { .status = 429, .body = "" },
                               { .status = 429, .body = "" },
                               { .status = 429, .body = "" },
                               { .status = 429, .body = "" },
                               { .status = 200 } };
  script(always_429, 5);
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_ERATE);
  assert_int_equal(info.attempts, 4);
  assert_int_equal(requests(), 4);
  assert_string_equal(err.message, "yahoo QQQ: HTTP 429 Too Many Requests (4 attempts)");
  assert_null(s.bars);

  struct step always_503[] = { { .status = 503, .body = "" },
                               { .status = 503, .body = "" },
                               { .status = 503, .body = "" },
                               { .status = 503, .body = "" } };
  script(always_503, 4);
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_EUPSTREAM);
  assert_string_equal(err.message, "yahoo QQQ: HTTP 503 (4 attempts)");
  parity_yahoo_client_free(c);
}

static void test_fetch_honours_retry_after(void **state)
{
  (void)state;
  struct parity_yahoo_client *c = test_client(2000, 3, 0);
  struct parity_bar_series s;
  memset(&s, 0, sizeof(s));
  struct parity_yahoo_fetch_info info;
  struct parity_market_error err;
  struct step wait_one[] = { { .status = 429, .body = "", .retry_after = "1" }, { .status = 200 } };
  script(wait_one, 2);
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_OK);
  assert_int_equal(info.attempts, 2);
  assert_int_equal(info.waited_ms, 1000); /* the server's wait, not the 1..5 ms backoff */
  parity_bar_series_free(&s);

  struct step wait_hour[] = { { .status = 503, .body = "", .retry_after = "3600" }, { .status = 200 } };
  script(wait_hour, 2);
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_ERATE);
  assert_int_equal(info.attempts, 1);
  assert_string_equal(err.message, "yahoo QQQ: HTTP 503 with Retry-After 3600 s, over the 60 s this client waits");
  parity_yahoo_client_free(c);
}

static void test_fetch_timeout(void **state)
{
  (void)state;
  struct parity_yahoo_client *c = test_client(200, 1, 0);
  struct parity_bar_series s;
  memset(&s, 0, sizeof(s));
  struct parity_yahoo_fetch_info info;
  struct parity_market_error err;
  struct step slow[] = { { .status = 200, .delay_ms = 700 }, { .status = 200, .delay_ms = 700 } };
  script(slow, 2);
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_EIO);
  print_message("timeout -> %s\n", err.message);
  assert_int_equal(info.attempts, 2);
  assert_non_null(strstr(err.message, "yahoo QQQ: Operation timed out"));
  assert_non_null(strstr(err.message, "(2 attempts)"));

  struct step slow_then_fast[] = { { .status = 200, .delay_ms = 700 }, { .status = 200 } };
  script(slow_then_fast, 2);
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_OK);
  assert_int_equal(info.attempts, 2);
  parity_bar_series_free(&s);
  parity_yahoo_client_free(c);
}

static void test_fetch_truncated_body(void **state)
{
  (void)state;
  struct parity_yahoo_client *c = test_client(2000, 1, 0);
  struct parity_bar_series s;
  memset(&s, 0, sizeof(s));
  struct parity_yahoo_fetch_info info;
  struct parity_market_error err;
  /* The connection drops mid-body: a transport error, retried. */
  struct step cut_then_ok[] = { { .status = 200, .truncate = 1 }, { .status = 200 } };
  script(cut_then_ok, 2);
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_OK);
  assert_int_equal(info.attempts, 2);
  parity_bar_series_free(&s);

  struct step cut_twice[] = { { .status = 200, .truncate = 1 }, { .status = 200, .truncate = 1 } };
  script(cut_twice, 2);
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_EIO);
  print_message("truncated -> %s\n", err.message);
  assert_int_equal(info.attempts, 2);

  /* A complete transfer of a cut JSON document: the answer itself is bad; not retried. */
  char half[700];
  memcpy(half, srv.qqq, 600);
  half[600] = '\0';
  struct step cut_json[] = { { .status = 200, .body = half }, { .status = 200 } };
  script(cut_json, 2);
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_EUPSTREAM);
  assert_int_equal(info.attempts, 1);
  assert_non_null(strstr(err.message, "yahoo QQQ: not JSON"));
  parity_yahoo_client_free(c);
}

static void test_fetch_response_size_cap(void **state)
{
  (void)state;
  struct parity_yahoo_client *c = test_client(5000, 3, 4096);
  struct parity_bar_series s;
  memset(&s, 0, sizeof(s));
  struct parity_yahoo_fetch_info info;
  struct parity_market_error err;
  /* Chunked (no Content-Length): stopped while receiving; not retried. */
  struct step big_chunked[] = { { .status = 200, .generated = 100000, .chunked = 1 }, { .status = 200 } };
  script(big_chunked, 2);
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_ETOOBIG);
  assert_string_equal(err.message, "yahoo QQQ: response larger than 4096 bytes");
  assert_int_equal(info.attempts, 1);
  /* With a Content-Length over the cap: refused before the body. */
  struct step big_sized[] = { { .status = 200, .generated = 4097 } };
  script(big_sized, 1);
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_ETOOBIG);
  assert_int_equal(info.attempts, 1);
  /* Exactly the cap is received (and then fails as JSON: it is all spaces). */
  struct step at_cap[] = { { .status = 200, .generated = 4096, .chunked = 1 } };
  script(at_cap, 1);
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_EUPSTREAM);
  assert_int_equal(info.bytes, 4096);
  parity_yahoo_client_free(c);

  /* The default cap, PARITY_YAHOO_MAX_RESPONSE (32 MiB), exceeded by one byte. */
  c = test_client(20000, 0, 0);
  struct step over_default[] = { { .status = 200, .generated = PARITY_YAHOO_MAX_RESPONSE + 1, .chunked = 1 } };
  script(over_default, 1);
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_ETOOBIG);
  assert_string_equal(err.message, "yahoo QQQ: response larger than 33554432 bytes");
  parity_yahoo_client_free(c);
}

static void test_fetch_connection_refused(void **state)
{
  (void)state;
  /* Port 1 on loopback: nothing listens there in a test environment. */
  struct parity_yahoo_options opt;
  parity_yahoo_options_default(&opt);
  opt.base_url = "http://127.0.0.1:1/";
  opt.timeout_ms = 1000;
  opt.max_retries = 2;
  opt.backoff_base_ms = 1;
  struct parity_yahoo_client *c = NULL;
  assert_int_equal(parity_yahoo_client_new(&opt, &c), PARITY_OK);
  struct parity_bar_series s;
  memset(&s, 0, sizeof(s));
  struct parity_yahoo_fetch_info info;
  struct parity_market_error err;
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_EIO);
  print_message("refused -> %s\n", err.message);
  assert_int_equal(info.attempts, 3);
  assert_int_equal(info.http_status, 0);
  parity_yahoo_client_free(c);
}

static void test_fetch_empty_shape(void **state)
{
  (void)state;
  size_t len;
  char *empty = read_fixture(FIXTURE("yahoo_chart_AAPL_1m_empty.json"), &len);
  struct step steps[] = { { .status = 200, .body = empty } };
  script(steps, 1);
  struct parity_yahoo_client *c = test_client(2000, 3, 0);
  struct parity_point_series p;
  memset(&p, 0, sizeof(p));
  struct parity_yahoo_fetch_info info;
  struct parity_market_error err;
  assert_int_equal(parity_yahoo_fetch_intraday(c, "AAPL", "1d", "1m", &p, NULL, &info, &err), PARITY_ENOTFOUND);
  assert_string_equal(
      err.message, "yahoo AAPL: no price data in the response (empty result: no timestamp, indicators.quote == [{}])");
  assert_int_equal(info.attempts, 1);
  assert_null(p.points);
  parity_yahoo_client_free(c);
  free(empty);
}

static void test_fetch_intraday(void **state)
{
  (void)state;
  struct step steps[] = { { .status = 200, .body = INTRADAY_VTI } };
  script(steps, 1);
  struct parity_yahoo_client *c = test_client(2000, 3, 0);
  struct parity_point_series p;
  memset(&p, 0, sizeof(p));
  struct parity_yahoo_fetch_info info;
  struct parity_market_error err;
  assert_int_equal(parity_yahoo_fetch_intraday(c, "VTI", "14d", "15m", &p, NULL, &info, &err), PARITY_OK);
  assert_string_equal(srv.last_range, "14d");
  assert_string_equal(srv.last_interval, "15m");
  assert_int_equal(p.n, 3);
  assert_int_equal(info.chart.skipped_null, 1);
  assert_string_equal(p.symbol, "VTI");
  parity_point_series_free(&p);
  parity_yahoo_client_free(c);
}

static void test_fetch_escapes_symbol(void **state)
{
  (void)state;
  const char *body = "{\"chart\":{\"result\":[{\"meta\":{\"symbol\":\"^GSPC\",\"gmtoffset\":-18000},"
                     "\"timestamp\":[1704205800],\"indicators\":{\"quote\":[{\"open\":[4745],\"high\":[4754],"
                     "\"low\":[4722],\"close\":[4742],\"volume\":[3743050000]}]}}],\"error\":null}}";
  struct step steps[] = { { .status = 200, .body = body } };
  script(steps, 1);
  struct parity_yahoo_client *c = test_client(2000, 0, 0);
  struct parity_bar_series s;
  memset(&s, 0, sizeof(s));
  struct parity_market_error err;
  assert_int_equal(parity_yahoo_fetch_daily(c, "^GSPC", "5y", &s, NULL, &err), PARITY_OK);
  assert_string_equal(srv.last_path, "/v8/finance/chart/^GSPC"); /* sent as %5EGSPC, decoded by the server */
  assert_int_equal(s.n, 1);
  parity_bar_series_free(&s);
  parity_yahoo_client_free(c);
}

static void test_fetch_rejects_bad_arguments(void **state)
{
  (void)state;
  struct parity_yahoo_client *c = test_client(2000, 0, 0);
  struct parity_bar_series s;
  memset(&s, 0, sizeof(s));
  struct parity_market_error err;
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQ Q", "5y", &s, NULL, &err), PARITY_EINVAL);
  assert_string_equal(err.field, "symbol");
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ/../x", "5y", &s, NULL, &err), PARITY_EINVAL);
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y&x=1", &s, NULL, &err), PARITY_EINVAL);
  assert_string_equal(err.field, "range");
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "", &s, NULL, &err), PARITY_EINVAL);
  struct parity_point_series p;
  memset(&p, 0, sizeof(p));
  assert_int_equal(parity_yahoo_fetch_intraday(c, "QQQ", "14d", "123456789", &p, NULL, NULL, &err), PARITY_EINVAL);
  assert_string_equal(err.field, "interval");
  assert_int_equal(requests(), 0);
  parity_yahoo_client_free(c);

  struct parity_yahoo_options opt;
  parity_yahoo_options_default(&opt);
  struct parity_yahoo_client *bad = NULL;
  opt.base_url = "ftp://example.com";
  assert_int_equal(parity_yahoo_client_new(&opt, &bad), PARITY_EINVAL);
  opt.base_url = "";
  assert_int_equal(parity_yahoo_client_new(&opt, &bad), PARITY_EINVAL);
  char long_base[PARITY_YAHOO_BASE_URL_MAX + 1];
  memset(long_base, 'a', sizeof(long_base) - 1);
  memcpy(long_base, "http://", 7);
  long_base[PARITY_YAHOO_BASE_URL_MAX] = '\0'; /* 256 bytes: one over the limit with its NUL */
  opt.base_url = long_base;
  assert_int_equal(parity_yahoo_client_new(&opt, &bad), PARITY_EINVAL);
  long_base[PARITY_YAHOO_BASE_URL_MAX - 1] = '\0'; /* 255: fits */
  assert_int_equal(parity_yahoo_client_new(&opt, &bad), PARITY_OK);
  parity_yahoo_client_free(bad);
  bad = NULL;
  opt.base_url = "https://query2.finance.yahoo.com";
  opt.timeout_ms = 0;
  assert_int_equal(parity_yahoo_client_new(&opt, &bad), PARITY_EINVAL);
  assert_null(bad);
}

struct canceller {
  atomic_int *flag;
  int after_ms;
};

static void *cancel_later(void *arg)
{
  struct canceller *k = arg;
  usleep((useconds_t)k->after_ms * 1000);
  atomic_store(k->flag, 1);
  return NULL;
}

static void test_fetch_cancel(void **state)
{
  (void)state;
  atomic_int flag = 0;
  char base[64];
  snprintf(base, sizeof(base), "http://127.0.0.1:%u", (unsigned)srv.port);
  struct parity_yahoo_options opt;
  parity_yahoo_options_default(&opt);
  opt.base_url = base;
  opt.cancel = &flag;
  struct parity_yahoo_client *c = NULL;
  assert_int_equal(parity_yahoo_client_new(&opt, &c), PARITY_OK);
  struct parity_bar_series s;
  memset(&s, 0, sizeof(s));
  struct parity_yahoo_fetch_info info;
  struct parity_market_error err;

  /* Raised during a 30 s Retry-After wait: the fetch ends without the second request. */
  struct step steps[] = { { .status = 429, .body = "", .retry_after = "30" }, { .status = 200 } };
  script(steps, 2);
  struct canceller k = { &flag, 100 };
  pthread_t t;
  pthread_create(&t, NULL, cancel_later, &k);
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_EUNAVAILABLE);
  pthread_join(t, NULL);
  assert_int_equal(info.attempts, 1);
  assert_int_equal(requests(), 1);

  /* Already raised: no request at all. */
  assert_int_equal(parity_yahoo_fetch_daily(c, "QQQ", "5y", &s, &info, &err), PARITY_EUNAVAILABLE);
  assert_int_equal(info.attempts, 0);
  assert_string_equal(err.message, "yahoo QQQ: cancelled (shutting down)");
  parity_yahoo_client_free(c);
}

#define THREADS 4
#define FETCHES_PER_THREAD 6

static void *fetch_many(void *arg)
{
  int *failures = arg;
  struct parity_yahoo_client *c = test_client(5000, 2, 0);
  for (int i = 0; i < FETCHES_PER_THREAD; i++) {
    struct parity_bar_series s;
    memset(&s, 0, sizeof(s));
    const char *sym = i % 2 ? "AAPL" : "QQQ";
    if (parity_yahoo_fetch_daily(c, sym, "5y", &s, NULL, NULL) != PARITY_OK || s.n != (i % 2 ? 49u : 1u))
      (*failures)++;
    parity_bar_series_free(&s);
  }
  parity_yahoo_client_free(c);
  return NULL;
}

/* One client per thread, all at once: libcurl initialised once, no shared state between clients. */
static void test_clients_in_parallel_threads(void **state)
{
  (void)state;
  pthread_t threads[THREADS];
  int failures[THREADS] = { 0 };
  for (int i = 0; i < THREADS; i++)
    pthread_create(&threads[i], NULL, fetch_many, &failures[i]);
  for (int i = 0; i < THREADS; i++) {
    pthread_join(threads[i], NULL);
    assert_int_equal(failures[i], 0);
  }
  assert_int_equal(requests(), THREADS * FETCHES_PER_THREAD);
}

static void test_options_from_config(void **state)
{
  (void)state;
  struct parity_config cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.yahoo_base_url = (char *)"http://127.0.0.1:9999";
  cfg.yahoo_timeout_ms = 1234;
  cfg.yahoo_max_retries = 7;
  struct parity_yahoo_options opt;
  parity_yahoo_options_from_config(&cfg, &opt);
  assert_string_equal(opt.base_url, "http://127.0.0.1:9999");
  assert_int_equal(opt.timeout_ms, 1234);
  assert_int_equal(opt.max_retries, 7);
  assert_int_equal(opt.max_response, PARITY_YAHOO_MAX_RESPONSE);
  assert_int_equal(opt.backoff_base_ms, PARITY_YAHOO_BACKOFF_BASE_MS);
}

int main(void)
{
  const struct CMUnitTest parser[] = {
    cmocka_unit_test(test_parse_qqq_matches_bundled_csv),
    cmocka_unit_test(test_parse_aapl_49_bars),
    cmocka_unit_test(test_parse_events),
    cmocka_unit_test(test_parse_empty_result_shape),
    cmocka_unit_test(test_parse_error_bodies),
    cmocka_unit_test(test_parse_wrong_symbol),
    cmocka_unit_test(test_parse_not_json_and_truncated),
    cmocka_unit_test(test_parse_nulls_are_skipped_and_counted),
    cmocka_unit_test(test_parse_without_adjclose_uses_close),
    cmocka_unit_test(test_parse_malformed_fields),
    cmocka_unit_test(test_parse_invalid_bars_are_rejected),
    cmocka_unit_test(test_parse_live_bar_is_merged),
    cmocka_unit_test(test_parse_too_many_points),
    cmocka_unit_test(test_parse_intraday),
    cmocka_unit_test(test_options_from_config),
  };
  const struct CMUnitTest client[] = {
    cmocka_unit_test_setup(test_fetch_daily_qqq_and_aapl, reset_script),
    cmocka_unit_test_setup(test_fetch_404_is_not_retried, reset_script),
    cmocka_unit_test_setup(test_fetch_other_4xx_not_retried, reset_script),
    cmocka_unit_test_setup(test_fetch_retries_429_and_5xx, reset_script),
    cmocka_unit_test_setup(test_fetch_honours_retry_after, reset_script),
    cmocka_unit_test_setup(test_fetch_timeout, reset_script),
    cmocka_unit_test_setup(test_fetch_truncated_body, reset_script),
    cmocka_unit_test_setup(test_fetch_response_size_cap, reset_script),
    cmocka_unit_test_setup(test_fetch_connection_refused, reset_script),
    cmocka_unit_test_setup(test_fetch_empty_shape, reset_script),
    cmocka_unit_test_setup(test_fetch_intraday, reset_script),
    cmocka_unit_test_setup(test_fetch_escapes_symbol, reset_script),
    cmocka_unit_test_setup(test_fetch_rejects_bad_arguments, reset_script),
    cmocka_unit_test_setup(test_fetch_cancel, reset_script),
    cmocka_unit_test_setup(test_clients_in_parallel_threads, reset_script),
  };
  int failed = cmocka_run_group_tests_name("yahoo_parser", parser, NULL, NULL);
  failed += cmocka_run_group_tests_name("yahoo_client", client, server_start, server_stop);
  return failed;
}
