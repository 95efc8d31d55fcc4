/* Unit tests of decisional/market_csv.c: good input, every kind of bad row, the limits, and the bundled file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <zlib.h>

#include "common/errors.h"
#include "decisional/market_csv.h"

#define HEADER "date,symbol,open,high,low,close,adj_close,volume\n"
#define MAX_COLLECT 600

/* What the callback saw: symbols in order, their bar counts, one kept series, every note. */
struct collected {
  size_t n;
  char symbols[MAX_COLLECT][PARITY_SYMBOL_MAX];
  size_t rows[MAX_COLLECT];
  const char *keep_symbol; /* move this symbol's bars into `kept` */
  struct parity_bar_series kept;
  json_t *notes;
  const char *fail_on; /* return PARITY_EDB for this symbol */
};

static int collect(void *ctx, struct parity_bar_series *series, json_t *notes)
{
  struct collected *c = ctx;
  if (c->fail_on && strcmp(series->symbol, c->fail_on) == 0)
    return PARITY_EDB;
  assert_true(c->n < MAX_COLLECT);
  strcpy(c->symbols[c->n], series->symbol);
  c->rows[c->n] = series->n;
  c->n++;
  if (c->notes)
    json_array_extend(c->notes, notes);
  if (c->keep_symbol && strcmp(series->symbol, c->keep_symbol) == 0) {
    /* Take the bars over, as a loader that keeps them would. */
    c->kept = *series;
    series->bars = NULL;
    series->n = series->cap = 0;
  }
  return PARITY_OK;
}

static void collected_init(struct collected *c)
{
  memset(c, 0, sizeof(*c));
  c->notes = json_array();
}

static void collected_free(struct collected *c)
{
  parity_bar_series_free(&c->kept);
  json_decref(c->notes);
}

static int parse_text(const char *text, struct collected *c, struct parity_market_csv_stats *stats,
                      struct parity_market_error *err)
{
  return parity_market_csv_parse("t.csv", text, strlen(text), collect, c, stats, err);
}

static void test_good_input(void **state)
{
  (void)state;
  const char *text = HEADER "2024-01-02,AAA,10,11,9,10.5,10.25,100\n"
                            "2024-01-03,AAA,10.5,12,10,11.5,11.25,200\n"
                            "2024-01-04,AAA,11.5,12,11,12,11.75,0\n"
                            "2024-01-02,BBB,1e2,1.1e2,9.0e1,105,105,5\n"
                            "2024-01-03,BBB,105,106,104,105.5,105.5,6\n";
  struct collected c;
  collected_init(&c);
  c.keep_symbol = "AAA";
  struct parity_market_csv_stats stats;
  struct parity_market_error err;
  assert_int_equal(parse_text(text, &c, &stats, &err), PARITY_OK);
  assert_int_equal(c.n, 2);
  assert_string_equal(c.symbols[0], "AAA");
  assert_string_equal(c.symbols[1], "BBB");
  assert_int_equal(c.rows[0], 3);
  assert_int_equal(c.rows[1], 2);
  assert_int_equal(stats.rows, 5);
  assert_int_equal(stats.symbols, 2);
  assert_int_equal(json_array_size(c.notes), 0);
  assert_string_equal(c.kept.symbol, "AAA");
  assert_int_equal(c.kept.n, 3);
  assert_int_equal(c.kept.bars[1].day, parity_day_from_ymd(2024, 1, 3));
  assert_true(c.kept.bars[1].open == 10.5);
  assert_true(c.kept.bars[1].high == 12);
  assert_true(c.kept.bars[1].low == 10);
  assert_true(c.kept.bars[1].close == 11.5);
  assert_true(c.kept.bars[1].adj_close == 11.25);
  assert_int_equal(c.kept.bars[1].volume, 200);
  assert_string_equal(err.message, "");
  collected_free(&c);
}

/* Columns in another order, a UTF-8 BOM, CRLF endings and no final newline are all fine. */
static void test_header_order_bom_crlf(void **state)
{
  (void)state;
  const char *text = "\xEF\xBB\xBFsymbol,date,volume,close,adj_close,open,high,low\r\n"
                     "SPY,2024-12-30,100,588.22,588.22,587,591,584\r\n"
                     "SPY,2024-12-31,200,586.08,586.08,589,590,585";
  struct collected c;
  collected_init(&c);
  c.keep_symbol = "SPY";
  struct parity_market_error err;
  assert_int_equal(parse_text(text, &c, NULL, &err), PARITY_OK);
  assert_int_equal(c.kept.n, 2);
  assert_int_equal(c.kept.bars[1].day, 20088);
  assert_true(c.kept.bars[1].close == 586.08);
  assert_true(c.kept.bars[1].open == 589);
  assert_true(c.kept.bars[1].low == 585);
  assert_int_equal(c.kept.bars[1].volume, 200);
  collected_free(&c);
}

struct bad_row {
  const char *what;
  const char *row; /* replaces BBB's second row, which is line 5 */
  int rc;
  const char *field;
  const char *message;
  size_t delivered; /* symbols handed over before the error; 0 means 1 (AAA) */
};

/*
 * Each bad row sits in symbol BBB's block after a complete AAA block: AAA is handed over, BBB never is,
 * and nothing after the bad line is read (CCC).
 */
static void test_each_bad_row_names_line_and_field(void **state)
{
  (void)state;
  static const struct bad_row cases[] = {
    { "bad date", "2024-13-03,BBB,1,1,1,1,1,1", PARITY_EINVAL, "date",
      "t.csv:5: field date: \"2024-13-03\" is not a date YYYY-MM-DD (1900..2999) (symbol BBB)", 0 },
    { "missing field", "2024-01-03,BBB,1,1,1,1,1", PARITY_EINVAL, "volume",
      "t.csv:5: field volume: missing (7 of 8 fields) (symbol BBB)", 0 },
    { "extra field", "2024-01-03,BBB,1,1,1,1,1,1,9", PARITY_EINVAL, "#9",
      "t.csv:5: field #9: extra field \"9\" (the header has 8 columns) (symbol BBB)", 0 },
    { "non-numeric", "2024-01-03,BBB,1,1,1,1.x,1,1", PARITY_EINVAL, "close",
      "t.csv:5: field close: \"1.x\" is not a number (symbol BBB)", 0 },
    { "nan", "2024-01-03,BBB,1,1,1,nan,1,1", PARITY_EINVAL, "close",
      "t.csv:5: field close: \"nan\" is not a number (symbol BBB)", 0 },
    { "empty price", "2024-01-03,BBB,1,,1,1,1,1", PARITY_EINVAL, "high", "t.csv:5: field high: empty (symbol BBB)", 0 },
    { "negative price", "2024-01-03,BBB,1,1,-1,1,1,1", PARITY_EINVAL, "low",
      "t.csv:5: field low: -1 is not positive (symbol BBB)", 0 },
    { "zero adj_close", "2024-01-03,BBB,1,1,1,1,0,1", PARITY_EINVAL, "adj_close",
      "t.csv:5: field adj_close: 0 is not positive (symbol BBB)", 0 },
    { "low > high", "2024-01-03,BBB,1,1,2,1,1,1", PARITY_EINVAL, "low",
      "t.csv:5: field low: 2 is above high 1 (symbol BBB)", 0 },
    { "close > high", "2024-01-03,BBB,1,2,1,3,1,1", PARITY_EINVAL, "close",
      "t.csv:5: field close: 3 is outside [low 1, high 2] (symbol BBB)", 0 },
    { "negative volume", "2024-01-03,BBB,1,1,1,1,1,-5", PARITY_EINVAL, "volume",
      "t.csv:5: field volume: -5 is negative (symbol BBB)", 0 },
    { "fractional volume", "2024-01-03,BBB,1,1,1,1,1,1.5", PARITY_EINVAL, "volume",
      "t.csv:5: field volume: \"1.5\" is not an integer (symbol BBB)", 0 },
    { "duplicate day", "2024-01-02,BBB,1,1,1,1,1,1", PARITY_EINVAL, "date",
      "t.csv:5: field date: duplicate day after 2024-01-02 (dates must increase, one bar per day) (symbol BBB)", 0 },
    { "decreasing date", "2024-01-01,BBB,1,1,1,1,1,1", PARITY_EINVAL, "date",
      "t.csv:5: field date: goes back after 2024-01-02 (dates must increase, one bar per day) (symbol BBB)", 0 },
    { "bad symbol", "2024-01-03,bbb,1,1,1,1,1,1", PARITY_EINVAL, "symbol",
      "t.csv:5: field symbol: \"bbb\" is not a valid symbol (1 to 15 of [A-Z0-9.^=-])", 0 },
    { "symbol again", "2024-01-05,AAA,1,1,1,1,1,1", PARITY_EINVAL, "symbol",
      "t.csv:5: field symbol: AAA appears again after its rows ended (rows of a symbol must be contiguous) "
      "(symbol AAA)",
      2 /* BBB's one-row block was complete */ },
    { "empty line", "", PARITY_EINVAL, "", "t.csv:5: empty line (symbol BBB)", 0 },
    { "quoted field", "2024-01-03,BBB,\"1\",1,1,1,1,1", PARITY_EINVAL, "open",
      "t.csv:5: field open: \"\"1\"\" is not a number (symbol BBB)", 0 },
    { "hex number", "2024-01-03,BBB,0x1p0,1,1,1,1,1", PARITY_EINVAL, "open",
      "t.csv:5: field open: \"0x1p0\" is not a number (symbol BBB)", 0 },
    { "space", "2024-01-03,BBB, 1,1,1,1,1,1", PARITY_EINVAL, "open",
      "t.csv:5: field open: \" 1\" is not a number (symbol BBB)", 0 },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char text[2048];
    snprintf(text, sizeof(text),
             HEADER "2024-01-02,AAA,1,1,1,1,1,1\n2024-01-03,AAA,1,1,1,1,1,1\n2024-01-02,BBB,1,1,1,1,1,1\n%s\n"
                    "2024-01-02,CCC,1,1,1,1,1,1\n",
             cases[i].row);
    struct collected c;
    collected_init(&c);
    struct parity_market_error err;
    int rc = parse_text(text, &c, NULL, &err);
    print_message("%-18s -> %s\n", cases[i].what, err.message);
    assert_int_equal(rc, cases[i].rc);
    assert_int_equal(err.line, 5);
    assert_string_equal(err.field, cases[i].field);
    assert_string_equal(err.message, cases[i].message);
    /* AAA only: the bad batch (BBB) and what follows are never handed over. */
    assert_int_equal(c.n, cases[i].delivered ? cases[i].delivered : 1);
    assert_string_equal(c.symbols[0], "AAA");
    collected_free(&c);
  }
}

static void test_bad_header(void **state)
{
  (void)state;
  static const struct {
    const char *text;
    const char *message;
  } cases[] = {
    { "date,symbol,open,high,low,close,adjclose,volume\n2024-01-02,AAA,1,1,1,1,1,1\n",
      "t.csv:1: field header: expected the columns date,symbol,open,high,low,close,adj_close,volume; column 7 is "
      "\"adjclose\"" },
    { "date,symbol,open,high,low,close,adj_close\n", "t.csv:1: field header: column volume is missing" },
    { "date,symbol,open,high,low,close,adj_close,volume,dividends\n",
      "t.csv:1: field header: expected the columns date,symbol,open,high,low,close,adj_close,volume; column 9 is "
      "\"dividends\"" },
    { "date,date,open,high,low,close,adj_close,volume\n",
      "t.csv:1: field header: expected the columns date,symbol,open,high,low,close,adj_close,volume; column 2 is "
      "\"date\" again" },
    { "2024-01-02,AAA,1,1,1,1,1,1\n",
      "t.csv:1: field header: expected the columns date,symbol,open,high,low,close,adj_close,volume; column 1 is "
      "\"2024-01-02\"" },
    { "", "t.csv: field header: no header line (the input is empty)" },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct collected c;
    collected_init(&c);
    struct parity_market_error err;
    assert_int_equal(parse_text(cases[i].text, &c, NULL, &err), PARITY_EINVAL);
    assert_string_equal(err.field, "header");
    assert_string_equal(err.message, cases[i].message);
    assert_int_equal(c.n, 0);
    collected_free(&c);
  }
}

static void test_line_length_limit(void **state)
{
  (void)state;
  /* A line of exactly PARITY_CSV_MAX_LINE bytes is read (and fails on its content, not its length)... */
  char *text = malloc(PARITY_CSV_MAX_LINE * 2 + 128);
  size_t pos = (size_t)sprintf(text, HEADER "2024-01-02,AAA,");
  size_t line_start = strlen(HEADER);
  while (pos - line_start < PARITY_CSV_MAX_LINE)
    text[pos++] = '1';
  text[pos++] = '\n';
  text[pos] = '\0';
  struct collected c;
  collected_init(&c);
  struct parity_market_error err;
  assert_int_equal(parse_text(text, &c, NULL, &err), PARITY_EINVAL);
  assert_string_equal(err.field, "high"); /* 3 fields of 8: the fourth is missing */
  collected_free(&c);

  /* ...one byte more is over the limit. */
  text[pos - 1] = '1';
  text[pos++] = '\n';
  text[pos] = '\0';
  collected_init(&c);
  assert_int_equal(parse_text(text, &c, NULL, &err), PARITY_ETOOBIG);
  assert_int_equal(err.line, 2);
  assert_string_equal(err.message, "t.csv:2: line longer than 1024 bytes");
  collected_free(&c);
  free(text);
}

static void test_number_length_limit(void **state)
{
  (void)state;
  char text[512];
  char digits[PARITY_CSV_MAX_NUMBER + 1];
  memset(digits, '1', PARITY_CSV_MAX_NUMBER);
  digits[0] = '0';
  digits[1] = '.';
  digits[PARITY_CSV_MAX_NUMBER] = '\0';
  snprintf(text, sizeof(text), HEADER "2024-01-02,AAA,%s,1,0.1,1,1,1\n", digits + 1); /* 63 chars: fine */
  struct collected c;
  collected_init(&c);
  struct parity_market_error err;
  assert_int_equal(parse_text(text, &c, NULL, &err), PARITY_OK);
  collected_free(&c);
  snprintf(text, sizeof(text), HEADER "2024-01-02,AAA,%s,1,0.1,1,1,1\n", digits); /* 64 chars */
  collected_init(&c);
  assert_int_equal(parse_text(text, &c, NULL, &err), PARITY_EINVAL);
  assert_string_equal(err.field, "open");
  assert_string_equal(err.message, "t.csv:2: field open: number longer than 63 characters (symbol AAA)");
  collected_free(&c);
}

static void test_symbol_count_limit(void **state)
{
  (void)state;
  size_t cap = strlen(HEADER) + (PARITY_CSV_MAX_SYMBOLS + 1) * 40 + 1;
  char *text = malloc(cap);
  size_t pos = (size_t)sprintf(text, HEADER);
  for (int i = 0; i <= PARITY_CSV_MAX_SYMBOLS; i++)
    pos += (size_t)sprintf(text + pos, "2024-01-02,S%d,1,1,1,1,1,1\n", i);
  struct collected c;
  collected_init(&c);
  struct parity_market_error err;
  assert_int_equal(parse_text(text, &c, NULL, &err), PARITY_ETOOBIG);
  assert_int_equal(err.line, PARITY_CSV_MAX_SYMBOLS + 2);
  assert_string_equal(err.field, "symbol");
  assert_string_equal(err.symbol, "S512");
  assert_int_equal(c.n, PARITY_CSV_MAX_SYMBOLS); /* every complete symbol before the limit */
  collected_free(&c);

  /* Exactly the limit is fine. */
  text[strlen(text) - strlen("2024-01-02,S512,1,1,1,1,1,1\n")] = '\0';
  collected_init(&c);
  assert_int_equal(parse_text(text, &c, NULL, &err), PARITY_OK);
  assert_int_equal(c.n, PARITY_CSV_MAX_SYMBOLS);
  collected_free(&c);
  free(text);
}

static void test_bar_count_limit(void **state)
{
  (void)state;
  size_t cap = strlen(HEADER) + (size_t)(PARITY_CSV_MAX_BARS + 1) * 40 + 1;
  char *text = malloc(cap);
  size_t pos = (size_t)sprintf(text, HEADER);
  int32_t day0 = parity_day_from_ymd(1900, 1, 1);
  size_t last_line_start = 0;
  for (int i = 0; i <= PARITY_CSV_MAX_BARS; i++) {
    char ymd[11];
    parity_day_format(day0 + i, ymd);
    last_line_start = pos;
    pos += (size_t)sprintf(text + pos, "%s,AAA,1,1,1,1,1,1\n", ymd);
  }
  struct collected c;
  collected_init(&c);
  struct parity_market_error err;
  assert_int_equal(parse_text(text, &c, NULL, &err), PARITY_ETOOBIG);
  assert_int_equal(err.line, PARITY_CSV_MAX_BARS + 2);
  assert_string_equal(err.message, "t.csv:100002: field symbol: more than 100000 rows for one symbol (symbol AAA)");
  assert_int_equal(c.n, 0);
  collected_free(&c);

  text[last_line_start] = '\0';
  collected_init(&c);
  assert_int_equal(parse_text(text, &c, NULL, &err), PARITY_OK);
  assert_int_equal(c.rows[0], PARITY_CSV_MAX_BARS);
  collected_free(&c);
  free(text);
}

static void test_nul_byte(void **state)
{
  (void)state;
  static const char text[] = HEADER "2024-01-02,AAA,1,1,1,1\0,1,1\n";
  struct collected c;
  collected_init(&c);
  struct parity_market_error err;
  assert_int_equal(parity_market_csv_parse("t.csv", text, sizeof(text) - 1, collect, &c, NULL, &err), PARITY_EINVAL);
  assert_string_equal(err.message, "t.csv:2: NUL byte in line");
  collected_free(&c);
}

static void test_consumer_failure_stops(void **state)
{
  (void)state;
  const char *text = HEADER "2024-01-02,AAA,1,1,1,1,1,1\n2024-01-02,BBB,1,1,1,1,1,1\n2024-01-02,CCC,1,1,1,1,1,1\n";
  struct collected c;
  collected_init(&c);
  c.fail_on = "BBB";
  struct parity_market_error err;
  struct parity_market_csv_stats stats;
  assert_int_equal(parse_text(text, &c, &stats, &err), PARITY_EDB);
  assert_int_equal(c.n, 1);
  assert_int_equal(stats.symbols, 1);
  assert_string_equal(err.symbol, "BBB");
  assert_string_equal(err.message, "t.csv: the consumer failed (the database failed) (symbol BBB)");
  collected_free(&c);
}

/* Notes of the report travel with each series. */
static void test_notes_are_passed_on(void **state)
{
  (void)state;
  const char *text = HEADER "2024-01-02,AAA,100,100,100,100,100,1\n2024-01-10,AAA,50,50,50,50,100,1\n";
  struct collected c;
  collected_init(&c);
  struct parity_market_error err;
  assert_int_equal(parse_text(text, &c, NULL, &err), PARITY_OK);
  assert_int_equal(json_array_size(c.notes), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(c.notes, 0), "kind")), "gap");
  assert_string_equal(json_string_value(json_object_get(json_array_get(c.notes, 1), "kind")), "suspected_split");
  collected_free(&c);
}

static char *temp_path(const char *suffix)
{
  static int counter;
  char *path = malloc(256);
  snprintf(path, 256, "/tmp/parity_test_market_csv_%ld_%d%s", (long)getpid(), counter++, suffix);
  return path;
}

static void write_file(const char *path, const char *data, size_t len, int gzip)
{
  if (gzip) {
    gzFile gz = gzopen(path, "wb9");
    assert_non_null(gz);
    assert_int_equal(gzwrite(gz, data, (unsigned)len), (int)len);
    assert_int_equal(gzclose(gz), Z_OK);
  } else {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
  }
}

/* A file of a few thousand rows crosses the reader's chunk boundary many times, plain and gzip. */
static void test_file_plain_and_gzip(void **state)
{
  (void)state;
  size_t cap = 64 * 1024 * 1024;
  char *text = malloc(cap);
  size_t pos = (size_t)sprintf(text, HEADER);
  int32_t day0 = parity_day_from_ymd(2000, 1, 3);
  const char *const symbols[] = { "AAA", "BB.B", "^IDX" };
  for (int s = 0; s < 3; s++)
    for (int i = 0; i < 20000; i++) {
      char ymd[11];
      parity_day_format(day0 + i, ymd);
      pos += (size_t)sprintf(text + pos, "%s,%s,%.17g,%.17g,%.17g,%.17g,%.17g,%d\r\n", ymd, symbols[s], 100.0 + i,
                             101.0 + i, 99.0 + i, 100.5 + i, 50.25 + i, i);
    }
  for (int gzip = 0; gzip <= 1; gzip++) {
    char *path = temp_path(gzip ? ".csv.gz" : ".csv");
    write_file(path, text, pos, gzip);
    struct collected c;
    collected_init(&c);
    c.keep_symbol = "^IDX";
    struct parity_market_csv_stats stats;
    struct parity_market_error err;
    assert_int_equal(parity_market_csv_read_file(path, collect, &c, &stats, &err), PARITY_OK);
    assert_int_equal(stats.rows, 60000);
    assert_int_equal(stats.symbols, 3);
    assert_string_equal(c.symbols[1], "BB.B");
    assert_int_equal(c.kept.n, 20000);
    assert_int_equal(c.kept.bars[19999].day, day0 + 19999);
    assert_true(c.kept.bars[19999].close == 100.5 + 19999);
    assert_int_equal(c.kept.bars[19999].volume, 19999);
    collected_free(&c);
    unlink(path);
    free(path);
  }

  /* A gzip stream cut short is an I/O error, and the symbol being read is not handed over. */
  char *path = temp_path(".csv.gz");
  write_file(path, text, pos, 1);
  FILE *f = fopen(path, "rb");
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fclose(f);
  assert_int_equal(truncate(path, size / 2), 0);
  struct collected c;
  collected_init(&c);
  struct parity_market_error err;
  int rc = parity_market_csv_read_file(path, collect, &c, NULL, &err);
  print_message("truncated gzip -> %s\n", err.message);
  assert_int_equal(rc, PARITY_EIO);
  for (size_t i = 0; i < c.n; i++)
    assert_int_equal(c.rows[i], 20000); /* only complete symbols */
  assert_non_null(strstr(err.message, "read failed"));
  collected_free(&c);
  unlink(path);
  free(path);
  free(text);
}

static void test_file_errors(void **state)
{
  (void)state;
  struct collected c;
  collected_init(&c);
  struct parity_market_error err;
  assert_int_equal(parity_market_csv_read_file("/nonexistent/prices.csv", collect, &c, NULL, &err), PARITY_EIO);
  assert_string_equal(err.message, "/nonexistent/prices.csv: cannot open: No such file or directory");
  collected_free(&c);

  /* An overlong line deep in a file, in the streaming path: reported at its own line. */
  size_t cap = 1024 * 1024;
  char *text = malloc(cap);
  size_t pos = (size_t)sprintf(text, HEADER);
  for (int i = 0; i < 3000; i++) {
    char ymd[11];
    parity_day_format(10000 + i, ymd);
    pos += (size_t)sprintf(text + pos, "%s,AAA,1,1,1,1,1,1\n", ymd);
  }
  /* Longer than the reader's chunk, so the limit trips on the carried-over tail, before any newline. */
  memset(text + pos, '9', 300000);
  pos += 300000;
  text[pos++] = '\n';
  for (int gzip = 0; gzip <= 1; gzip++) {
    char *path = temp_path(gzip ? ".csv.gz" : ".csv");
    write_file(path, text, pos, gzip);
    collected_init(&c);
    assert_int_equal(parity_market_csv_read_file(path, collect, &c, NULL, &err), PARITY_ETOOBIG);
    assert_int_equal(err.line, 3002);
    assert_non_null(strstr(err.message, ":3002: line longer than 1024 bytes"));
    assert_int_equal(c.n, 0);
    collected_free(&c);
    unlink(path);
    free(path);
  }
  free(text);
}

/* Rows, first and last day per symbol: the table in decisional/data/PROVENANCE.md. */
static const struct {
  const char *symbol, *first, *last;
  size_t rows;
} bundled[] = {
  { "BND", "2007-04-10", "2026-05-01", 4797 },  { "BNDX", "2013-06-04", "2026-05-01", 3248 },
  { "HYG", "2007-04-11", "2026-05-01", 4796 },  { "IWM", "2005-01-03", "2026-05-01", 5366 },
  { "LQD", "2005-01-03", "2026-05-01", 5366 },  { "QQQ", "2005-01-03", "2026-05-01", 5366 },
  { "SPY", "2005-01-03", "2026-05-01", 5366 },  { "TLT", "2005-01-03", "2026-05-01", 5366 },
  { "VEA", "2007-07-26", "2026-05-01", 4722 },  { "VNQ", "2005-01-03", "2026-05-01", 5366 },
  { "VNQI", "2010-11-01", "2026-05-01", 3898 }, { "VOO", "2010-09-09", "2026-05-01", 3935 },
  { "VTI", "2005-01-03", "2026-05-01", 5366 },  { "VTV", "2005-01-03", "2026-05-01", 5366 },
  { "VUG", "2005-01-03", "2026-05-01", 5366 },  { "VWO", "2005-03-10", "2026-05-01", 5320 },
  { "XLE", "2005-01-03", "2026-05-01", 5366 },  { "XLF", "2005-01-03", "2026-05-01", 5366 },
  { "XLK", "2005-01-03", "2026-05-01", 5366 },  { "XLV", "2005-01-03", "2026-05-01", 5366 },
};

struct bundled_check {
  size_t n;
  double spy_close_2024_12_31;
  double spy_close_2020_03_23;
  double vti_close_2024_12_31;
};

static int check_bundled(void *ctx, struct parity_bar_series *s, json_t *notes)
{
  struct bundled_check *b = ctx;
  assert_true(b->n < sizeof(bundled) / sizeof(bundled[0]));
  assert_string_equal(s->symbol, bundled[b->n].symbol);
  assert_int_equal(s->n, bundled[b->n].rows);
  char first[11], last[11];
  parity_day_format(s->bars[0].day, first);
  parity_day_format(s->bars[s->n - 1].day, last);
  assert_string_equal(first, bundled[b->n].first);
  assert_string_equal(last, bundled[b->n].last);
  /* PROVENANCE.md: no gap over 5 days, no daily move near 40%, no unadjusted split. */
  assert_int_equal(json_array_size(notes), 0);
  for (size_t i = 0; i < s->n; i++) {
    if (strcmp(s->symbol, "SPY") == 0 && s->bars[i].day == parity_day_from_ymd(2024, 12, 31))
      b->spy_close_2024_12_31 = s->bars[i].close;
    if (strcmp(s->symbol, "SPY") == 0 && s->bars[i].day == parity_day_from_ymd(2020, 3, 23))
      b->spy_close_2020_03_23 = s->bars[i].close;
    if (strcmp(s->symbol, "VTI") == 0 && s->bars[i].day == parity_day_from_ymd(2024, 12, 31))
      b->vti_close_2024_12_31 = s->bars[i].close;
  }
  b->n++;
  return PARITY_OK;
}

static void test_bundled_file(void **state)
{
  (void)state;
  struct bundled_check b;
  memset(&b, 0, sizeof(b));
  struct parity_market_csv_stats stats;
  struct parity_market_error err;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int rc = parity_market_csv_read_file(PARITY_BUNDLED_DATA_DIR "/etf_daily.csv.gz", check_bundled, &b, &stats, &err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (rc)
    print_message("bundled: %s\n", err.message);
  assert_int_equal(rc, PARITY_OK);
  double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  print_message("bundled etf_daily.csv.gz: %zu rows, %zu symbols parsed and validated in %.3f s (%.0f rows/s)\n",
                stats.rows, stats.symbols, seconds, (double)stats.rows / seconds);
  assert_int_equal(stats.symbols, 20);
  assert_int_equal(stats.rows, 100474);
  assert_int_equal(b.n, 20);
  /* Known values from decisional/data/PROVENANCE.md; the stored numbers are float32 artefacts. */
  assert_true(fabs(b.spy_close_2024_12_31 - 586.08) < 1e-2);
  assert_true(fabs(b.spy_close_2020_03_23 - 222.95) < 1e-2);
  assert_true(fabs(b.vti_close_2024_12_31 - 289.81) < 1e-2);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_good_input),
    cmocka_unit_test(test_header_order_bom_crlf),
    cmocka_unit_test(test_each_bad_row_names_line_and_field),
    cmocka_unit_test(test_bad_header),
    cmocka_unit_test(test_line_length_limit),
    cmocka_unit_test(test_number_length_limit),
    cmocka_unit_test(test_symbol_count_limit),
    cmocka_unit_test(test_bar_count_limit),
    cmocka_unit_test(test_nul_byte),
    cmocka_unit_test(test_consumer_failure_stops),
    cmocka_unit_test(test_notes_are_passed_on),
    cmocka_unit_test(test_file_plain_and_gzip),
    cmocka_unit_test(test_file_errors),
    cmocka_unit_test(test_bundled_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
