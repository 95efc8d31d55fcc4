/* The dividend history reader: exact decimal amounts, the format's errors, and the bundled file itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/calendar.h"
#include "common/errors.h"
#include "decisional/dividends_csv.h"
#include "decisional/dividends_load.h"

static int64_t amount(const char *text)
{
  int64_t micros = -1;
  return parity_dividend_amount_parse(text, strlen(text), &micros) == PARITY_OK ? micros : -1;
}

static void amounts_are_exact_micro_dollars(void **state)
{
  (void)state;
  assert_int_equal(amount("0.127"), 127000);
  assert_int_equal(amount("3.647"), 3647000);
  assert_int_equal(amount("0.003"), 3000);
  assert_int_equal(amount("1"), 1000000);
  assert_int_equal(amount("0.123456"), 123456); /* 6 decimals: the most a micro-dollar holds */
  assert_int_equal(amount("1000"), 1000000000); /* the schema's upper bound, included */
  /* refused: 7 decimals (not exact), zero, signs, exponents, empty parts, over the bound */
  const char *bad[] = { "0.1234567", "0", "0.000", "-0.5", "+0.5", "1e-3", ".5", "5.", "", "1000.000001", "0.12a" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(amount(bad[i]), -1);
}

static void the_format_is_checked(void **state)
{
  (void)state;
  struct parity_dividend_row *rows = NULL;
  size_t n = 0;
  char err[160];
  const char *ok = "date,symbol,dividend\r\n2024-03-22,VTI,0.9305\n2024-03-21,BND,0.2\n";
  assert_int_equal(parity_dividends_csv_parse(ok, strlen(ok), NULL, NULL, &rows, &n, err, sizeof(err)), PARITY_OK);
  assert_int_equal(n, 2);
  /* sorted by symbol then day */
  assert_string_equal(rows[0].symbol, "BND");
  assert_int_equal(rows[0].amount_micros, 200000);
  assert_string_equal(rows[1].symbol, "VTI");
  assert_int_equal(rows[1].amount_micros, 930500);
  char day[PARITY_DAY_TEXT];
  parity_day_format(rows[1].day, day);
  assert_string_equal(day, "2024-03-22");
  free(rows);

  struct {
    const char *text;
    int rc;
    const char *msg;
  } cases[] = {
    { "date,symbol,amount\n", PARITY_EINVAL, "line 1: the header" },
    { "date,symbol,dividend\n2024-02-30,VTI,0.9\n", PARITY_EINVAL, "line 2: bad date" },
    { "date,symbol,dividend\n2024-03-22,vti,0.9\n", PARITY_EINVAL, "line 2: bad symbol" },
    { "date,symbol,dividend\n2024-03-22,VTI,0.9,1\n", PARITY_EINVAL, "line 2: expected 3 fields" },
    { "date,symbol,dividend\n2024-03-22,VTI\n", PARITY_EINVAL, "line 2: expected 3 fields" },
    { "date,symbol,dividend\n\n", PARITY_EINVAL, "line 2: expected 3 fields" },
    { "date,symbol,dividend\n2024-03-22,VTI,0.9\n2024-03-22,VTI,0.8\n", PARITY_EINVAL,
      "VTI 2024-03-22: appears twice" },
    { "", PARITY_EINVAL, "line 0: empty file" },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    rows = (void *)1;
    assert_int_equal(
        parity_dividends_csv_parse(cases[i].text, strlen(cases[i].text), NULL, NULL, &rows, &n, err, sizeof(err)),
        cases[i].rc);
    assert_null(rows);
    if (strncmp(err, cases[i].msg, strlen(cases[i].msg)) != 0)
      fail_msg("case %zu: \"%s\" does not start with \"%s\"", i, err, cases[i].msg);
  }
}

static void a_line_over_the_limit_is_refused(void **state)
{
  (void)state;
  char text[64 + PARITY_DIVIDEND_CSV_MAX_LINE + 8];
  int len = snprintf(text, sizeof(text), "date,symbol,dividend\n2024-03-22,VTI,0.9");
  memset(text + len, '0', PARITY_DIVIDEND_CSV_MAX_LINE);
  text[len + PARITY_DIVIDEND_CSV_MAX_LINE] = '\n';
  struct parity_dividend_row *rows = NULL;
  size_t n = 0;
  char err[160];
  assert_int_equal(parity_dividends_csv_parse(text, (size_t)len + PARITY_DIVIDEND_CSV_MAX_LINE + 1, NULL, NULL, &rows,
                                              &n, err, sizeof(err)),
                   PARITY_ETOOBIG);
}

static int only_bnd_and_tlt(void *ctx, const char *symbol)
{
  (void)ctx;
  return strcmp(symbol, "BND") == 0 || strcmp(symbol, "TLT") == 0;
}

/* The bundled file reads whole; counts from decisional/data/PROVENANCE.md (2,275 rows; BND 227, TLT 255). */
static void the_bundled_file_reads(void **state)
{
  (void)state;
  FILE *f = fopen(PARITY_BUNDLED_DATA_DIR "/etf_dividends.csv", "rb");
  assert_non_null(f);
  static char buf[256 * 1024];
  size_t len = fread(buf, 1, sizeof(buf), f);
  fclose(f);
  struct parity_dividend_row *rows = NULL;
  size_t n = 0;
  char err[160] = "";
  assert_int_equal(parity_dividends_csv_parse(buf, len, NULL, NULL, &rows, &n, err, sizeof(err)), PARITY_OK);
  assert_int_equal(n, 2275);
  /* BND 2007-05-01 0.127 is the first row of the file; VNQI 2019-12-18 3.647 the largest amount */
  int64_t largest = 0;
  for (size_t i = 0; i < n; i++)
    if (rows[i].amount_micros > largest)
      largest = rows[i].amount_micros;
  assert_int_equal(largest, 3647000);
  assert_string_equal(rows[0].symbol, "BND");
  assert_int_equal(rows[0].amount_micros, 127000);
  free(rows);
  assert_int_equal(parity_dividends_csv_parse(buf, len, only_bnd_and_tlt, NULL, &rows, &n, err, sizeof(err)),
                   PARITY_OK);
  assert_int_equal(n, 227 + 255);
  free(rows);
}

static void the_bundled_path_is_beside_the_prices(void **state)
{
  (void)state;
  char path[256];
  parity_dividends_bundled_path("/opt/parity/share/parity/data/etf_daily.csv.gz", path, sizeof(path));
  assert_string_equal(path, "/opt/parity/share/parity/data/etf_dividends.csv");
  parity_dividends_bundled_path("etf_daily.csv.gz", path, sizeof(path));
  assert_string_equal(path, "etf_dividends.csv");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(amounts_are_exact_micro_dollars),       cmocka_unit_test(the_format_is_checked),
    cmocka_unit_test(a_line_over_the_limit_is_refused),      cmocka_unit_test(the_bundled_file_reads),
    cmocka_unit_test(the_bundled_path_is_beside_the_prices),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
