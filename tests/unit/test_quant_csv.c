/* Unit tests of decisional/quant_csv.c: the wide CSV of `parity hrp`, strict about everything it takes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "decisional/quant_csv.h"

static int parse(const char *text, struct parity_wide_csv *csv, struct parity_quant_err *err)
{
  return parity_quant_csv_parse_wide("t.csv", text, strlen(text), csv, err);
}

static void test_good_file(void **state)
{
  (void)state;
  struct parity_wide_csv csv;
  const char *text = "\xEF\xBB\xBF"
                     "date,AAA,BBB\r\n2024-01-02,1.5,\r\n2024-01-03,2,3e0\r\n2024-01-05,-0.25,4\n";
  assert_int_equal(parse(text, &csv, NULL), 0);
  assert_int_equal(csv.ncols, 2);
  assert_int_equal(csv.nrows, 3);
  assert_string_equal(csv.names[1], "BBB");
  assert_true(csv.values[0] == 1.5 && csv.values[1] == 2.0 && csv.values[2] == -0.25);
  assert_true(isnan(csv.values[3]) && csv.values[4] == 3.0 && csv.values[5] == 4.0);
  assert_int_equal(csv.days[0], 19724);
  parity_wide_csv_free(&csv);
}

static void expect_error(const char *text, int code, const char *needle)
{
  struct parity_wide_csv csv;
  struct parity_quant_err err = { 0, "" };
  assert_int_equal(parse(text, &csv, &err), code);
  if (!strstr(err.msg, needle))
    fail_msg("\"%s\" lacks \"%s\"", err.msg, needle);
  assert_null(csv.values);
}

static void test_bad_files(void **state)
{
  (void)state;
  expect_error("", PARITY_EINVAL, "empty file");
  expect_error("date,A,B\n", PARITY_EINVAL, "no data rows");
  expect_error("date\n2024-01-02\n", PARITY_EINVAL, "at least one symbol");
  expect_error("date,A,B\n2024-01-02,1\n", PARITY_EINVAL, "t.csv:2: 2 fields, the header has 3");
  expect_error("date,A,B\n2024-01-02,1,2,3\n", PARITY_EINVAL, "4 fields");
  expect_error("date,A,B\n2024-01-02,1,nan\n", PARITY_EINVAL, "column B: \"nan\" is not a finite number");
  expect_error("date,A,B\n2024-01-02,1,inf\n", PARITY_EINVAL, "not a finite number");
  expect_error("date,A,B\n2024-01-02,1,1e999\n", PARITY_EINVAL, "not a finite number");
  expect_error("date,A,B\n2024-01-02,1,0x10\n", PARITY_EINVAL, "not a finite number");
  expect_error("date,A,B\n2024-01-02,1,2 \n", PARITY_EINVAL, "not a finite number");
  expect_error("date,A,A\n2024-01-02,1,2\n", PARITY_EINVAL, "column A appears twice");
  expect_error("date,A,\n2024-01-02,1,2\n", PARITY_EINVAL, "empty or overlong name");
  expect_error("date,A,B\n02/01/2024,1,2\n", PARITY_EINVAL, "not a YYYY-MM-DD date");
  expect_error("date,A,B\n2024-01-03,1,2\n2024-01-02,1,2\n", PARITY_EINVAL, "dates must increase");
  expect_error("date,A,B\n2024-01-02,1,2\n\n", PARITY_EINVAL, "t.csv:3");
}

/* Over the column limit and over the line limit: PARITY_ETOOBIG, not a crash or a silent cut. */
static void test_limits(void **state)
{
  (void)state;
  size_t cols = PARITY_QCSV_MAX_COLUMNS + 1;
  char *text = malloc(cols * 8 + 64);
  char *p = text + sprintf(text, "date");
  for (size_t j = 0; j < cols; j++)
    p += sprintf(p, ",C%zu", j);
  sprintf(p, "\n");
  expect_error(text, PARITY_ETOOBIG, "columns; at most");
  free(text);
  size_t len = PARITY_QCSV_MAX_LINE + 100;
  text = malloc(len + 32);
  memset(text, '1', len + 31);
  memcpy(text, "date,A\n2024-01-02,", 18);
  text[len + 30] = '\0';
  expect_error(text, PARITY_ETOOBIG, "line longer");
  free(text);
}

/* A gzip file is read transparently; a missing file is an I/O error. */
static void test_gzip_and_missing_file(void **state)
{
  (void)state;
  char path[] = "/tmp/parity_qcsv_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  gzFile gz = gzopen(path, "wb");
  assert_non_null(gz);
  const char *text = "date,X,Y\n2024-01-02,10,20\n2024-01-03,11,18\n2024-01-04,,19\n2024-01-05,12.1,19\n";
  gzwrite(gz, text, (unsigned)strlen(text));
  gzclose(gz);
  struct parity_wide_csv csv;
  struct parity_quant_err err;
  assert_int_equal(parity_quant_csv_read_wide(path, &csv, &err), 0);
  assert_int_equal(csv.nrows, 4);
  /* Returns span the gap in X: 12.1 / 11 - 1 on the last row; row 0 and the gap are NaN. */
  double r[8];
  assert_int_equal(parity_quant_csv_returns(&csv, r, NULL), 0);
  assert_true(isnan(r[0]) && fabs(r[1] - 0.1) < 1e-15 && isnan(r[2]) && fabs(r[3] - (12.1 / 11 - 1)) < 1e-15);
  assert_true(isnan(r[4]) && fabs(r[5] - (18.0 / 20 - 1)) < 1e-15);
  parity_wide_csv_free(&csv);
  unlink(path);
  assert_int_equal(parity_quant_csv_read_wide("/nonexistent/x.csv", &csv, &err), PARITY_EIO);
  assert_int_equal(parse("date,X\n2024-01-02,0\n2024-01-03,1\n", &csv, NULL), 0);
  assert_int_equal(parity_quant_csv_returns(&csv, r, &err), PARITY_EINVAL);
  assert_non_null(strstr(err.msg, "not positive"));
  parity_wide_csv_free(&csv);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_good_file),
    cmocka_unit_test(test_bad_files),
    cmocka_unit_test(test_limits),
    cmocka_unit_test(test_gzip_and_missing_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
