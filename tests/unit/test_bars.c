/* Unit tests of decisional/bars.c: civil-date arithmetic, symbol checks and series growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decisional/bars.h"

/* Expected day numbers from Python: (datetime.date(Y, M, D) - datetime.date(1970, 1, 1)).days. */
static void test_day_from_ymd_known_values(void **state)
{
  (void)state;
  assert_int_equal(parity_day_from_ymd(1970, 1, 1), 0);
  assert_int_equal(parity_day_from_ymd(2024, 12, 31), 20088);
  assert_int_equal(parity_day_from_ymd(2000, 2, 29), 11016);
  assert_int_equal(parity_day_from_ymd(1900, 1, 1), -25567);
  assert_int_equal(parity_day_from_ymd(2020, 1, 2), 18263);
  assert_int_equal(parity_day_from_ymd(2999, 12, 31), 376199);
}

/* Every day the parser accepts survives format -> parse -> to_ymd unchanged, and days are contiguous. */
static void test_day_round_trip_1900_to_2999(void **state)
{
  (void)state;
  int32_t first = parity_day_from_ymd(1900, 1, 1), last = parity_day_from_ymd(2999, 12, 31);
  int prev_y = 1899, prev_m = 12, prev_d = 31;
  for (int32_t day = first; day <= last; day++) {
    char text[11];
    parity_day_format(day, text);
    int32_t parsed = 0;
    assert_int_equal(parity_day_parse(text, 10, &parsed), 0);
    assert_int_equal(parsed, day);
    int y, m, d;
    parity_day_to_ymd(day, &y, &m, &d);
    /* The next day of (prev_y, prev_m, prev_d) is either d+1, or the 1st of the next month/year. */
    int ok = (y == prev_y && m == prev_m && d == prev_d + 1) || (y == prev_y && m == prev_m + 1 && d == 1) ||
             (y == prev_y + 1 && m == 1 && d == 1 && prev_m == 12 && prev_d == 31);
    assert_true(ok);
    prev_y = y;
    prev_m = m;
    prev_d = d;
  }
}

static void test_day_parse_rejects(void **state)
{
  (void)state;
  static const char *const bad[] = {
    "2024-02-30", "2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-01-00", "2024-1-01",
    "2024/01/01", "1899-12-31", "3000-01-01", "20240101XX", "2024-01-0a", " 2024-01-1", "",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    int32_t out = 12345;
    assert_int_not_equal(parity_day_parse(bad[i], strlen(bad[i]), &out), 0);
    assert_int_equal(out, 12345);
  }
  int32_t out = 0;
  assert_int_not_equal(parity_day_parse("2024-01-011", 11, &out), 0); /* length must be exactly 10 */
  assert_int_equal(parity_day_parse("2024-02-29", 10, &out), 0);      /* leap year */
  assert_int_equal(out, parity_day_from_ymd(2024, 2, 29));
  assert_int_equal(parity_day_parse("2000-02-29", 10, &out), 0); /* divisible by 400: leap */
}

static void test_day_format(void **state)
{
  (void)state;
  char buf[11];
  parity_day_format(20088, buf);
  assert_string_equal(buf, "2024-12-31");
  parity_day_format(0, buf);
  assert_string_equal(buf, "1970-01-01");
  parity_day_format(-25567, buf);
  assert_string_equal(buf, "1900-01-01");
}

/* Epoch seconds from the recorded Yahoo fixtures (tests/fixtures/yahoo), with meta.gmtoffset -18000. */
static void test_day_from_epoch(void **state)
{
  (void)state;
  assert_int_equal(parity_day_from_epoch(1577975400, -18000), parity_day_from_ymd(2020, 1, 2));
  assert_int_equal(parity_day_from_epoch(1598880600, -18000), parity_day_from_ymd(2020, 8, 31));
  assert_int_equal(parity_day_from_epoch(1604673000, -18000), parity_day_from_ymd(2020, 11, 6));
  assert_int_equal(parity_day_from_epoch(0, 0), 0);
  assert_int_equal(parity_day_from_epoch(-1, 0), -1); /* floor, not truncation toward zero */
  assert_int_equal(parity_day_from_epoch(3600, -7200), -1);
  assert_int_equal(parity_day_from_epoch(86399, 0), 0);
  assert_int_equal(parity_day_from_epoch(86400, 0), 1);
  /* UTC+14 (Kiribati) pushes late UTC evening into the next day. */
  assert_int_equal(parity_day_from_epoch(36000, 14 * 3600), 1);
}

static void test_symbol_valid(void **state)
{
  (void)state;
  static const char *const good[] = { "SPY", "BRK-B", "^GSPC", "EURUSD=X", "BF.B", "A", "ABCDEFGHIJKLMNO" };
  static const char *const bad[] = { "", "spy", "SP Y", "ABCDEFGHIJKLMNOP", "SPY;", "S/P", "SPY\n", "ÄB" };
  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
    assert_true(parity_symbol_valid(good[i]));
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_false(parity_symbol_valid(bad[i]));
}

static void test_bar_series_push_grows_and_keeps_order(void **state)
{
  (void)state;
  struct parity_bar_series s;
  memset(&s, 0, sizeof(s));
  for (int i = 0; i < 1000; i++) {
    struct parity_bar b = { .day = i, .open = i + 0.5, .high = i + 1, .low = i, .close = i + 0.25,
                            .adj_close = i + 0.125, .volume = i * 10 };
    parity_bar_series_push(&s, &b);
  }
  assert_int_equal(s.n, 1000);
  assert_true(s.cap >= 1000);
  for (int i = 0; i < 1000; i++) {
    assert_int_equal(s.bars[i].day, i);
    assert_true(s.bars[i].close == i + 0.25);
    assert_int_equal(s.bars[i].volume, i * 10);
  }
  parity_bar_series_free(&s);
  assert_null(s.bars);
  assert_int_equal(s.n, 0);
  assert_int_equal(s.cap, 0);
  parity_bar_series_free(&s); /* freeing twice is harmless */
}

static void test_point_series_push(void **state)
{
  (void)state;
  struct parity_point_series s;
  memset(&s, 0, sizeof(s));
  for (int i = 0; i < 300; i++) {
    struct parity_price_point p = { .ts = 1700000000 + i * 900, .price = 100 + i };
    parity_point_series_push(&s, &p);
  }
  assert_int_equal(s.n, 300);
  assert_int_equal(s.points[299].ts, 1700000000 + 299 * 900);
  assert_true(s.points[299].price == 399);
  parity_point_series_free(&s);
  assert_null(s.points);
  assert_int_equal(s.n, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_day_from_ymd_known_values),
    cmocka_unit_test(test_day_round_trip_1900_to_2999),
    cmocka_unit_test(test_day_parse_rejects),
    cmocka_unit_test(test_day_format),
    cmocka_unit_test(test_day_from_epoch),
    cmocka_unit_test(test_symbol_valid),
    cmocka_unit_test(test_bar_series_push_grows_and_keeps_order),
    cmocka_unit_test(test_point_series_push),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
