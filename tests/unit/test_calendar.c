/* common/calendar.c: day numbers, month arithmetic, and the YYYY-MM-DD / YYYY-MM / RFC 3339 texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/calendar.h"
#include "common/errors.h"

/*
 * Reference: Python's proleptic Gregorian calendar,
 * date(y, m, d).toordinal() - date(1970, 1, 1).toordinal(); and for year 0, which Python lacks, Howard
 * Hinnant's "chrono-Compatible Low-Level Date Algorithms", whose days_from_civil shifts the epoch to
 * 0000-03-01, 719468 days before 1970-01-01 (year 0 is a leap year, so 0000-02-29 is the day before).
 */
static void day_numbers_match_the_references(void **state)
{
  (void)state;
  static const struct {
    int y, m, d;
    int32_t day;
  } cases[] = {
    { 1970, 1, 1, 0 },       { 1969, 12, 31, -1 },     { 0, 3, 1, -719468 },      { 0, 2, 29, -719469 },
    { 1, 1, 1, -719162 },    { 1600, 2, 29, -135081 }, { 1900, 1, 1, -25567 },    { 1900, 3, 1, -25508 },
    { 2000, 2, 29, 11016 },  { 2000, 3, 1, 11017 },    { 2020, 1, 2, 18263 },     { 2024, 2, 29, 19782 },
    { 2024, 3, 1, 19783 },   { 2024, 12, 31, 20088 },  { 2026, 5, 1, 20574 },     { 2026, 11, 22, 20779 },
    { 2100, 12, 31, 47846 }, { 2999, 12, 31, 376199 }, { 9999, 12, 31, 2932896 },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    assert_int_equal(parity_day_from_ymd(cases[i].y, cases[i].m, cases[i].d), cases[i].day);
    int y, m, d;
    parity_day_to_ymd(cases[i].day, &y, &m, &d);
    assert_int_equal(y, cases[i].y);
    assert_int_equal(m, cases[i].m);
    assert_int_equal(d, cases[i].d);
  }
  /* The named bounds of the parser are the days they say. */
  assert_int_equal(PARITY_DAY_FIRST, parity_day_from_ymd(PARITY_DAY_FIRST_YEAR, 1, 1));
  assert_int_equal(PARITY_DAY_LAST, parity_day_from_ymd(PARITY_DAY_LAST_YEAR, 12, 31));
}

/* Hinnant's own test: every day of a wide span goes there and back, and consecutive days are the next date. */
static void every_day_round_trips_and_follows_the_last(void **state)
{
  (void)state;
  int32_t first = parity_day_from_ymd(-400, 1, 1), last = parity_day_from_ymd(3200, 12, 31);
  int prev_y = -401, prev_m = 12, prev_d = 31;
  for (int32_t day = first; day <= last; day++) {
    int y, m, d;
    parity_day_to_ymd(day, &y, &m, &d);
    assert_int_equal(parity_day_from_ymd(y, m, d), day);
    int next = (y == prev_y && m == prev_m && d == prev_d + 1) ||
               (y == prev_y && m == prev_m + 1 && d == 1 && prev_d == parity_days_in_month(prev_y, prev_m)) ||
               (y == prev_y + 1 && m == 1 && d == 1 && prev_m == 12 && prev_d == 31);
    assert_true(next);
    prev_y = y;
    prev_m = m;
    prev_d = d;
  }
}

/* Gregorian rule: every 4th year, not every 100th, but every 400th. */
static void leap_years_and_month_lengths(void **state)
{
  (void)state;
  assert_true(parity_leap_year(2024));
  assert_true(parity_leap_year(2000));
  assert_true(parity_leap_year(1600));
  assert_false(parity_leap_year(2023));
  assert_false(parity_leap_year(1900));
  assert_false(parity_leap_year(2100));
  static const int days_2024[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int total = 0;
  for (int m = 1; m <= 12; m++) {
    assert_int_equal(parity_days_in_month(2024, m), days_2024[m - 1]);
    total += parity_days_in_month(2024, m);
  }
  assert_int_equal(total, 366);
  assert_int_equal(parity_days_in_month(2023, 2), 28);
  /* A month's length is the distance to the next month's first day. */
  for (int y = 1896; y <= 2104; y++)
    for (int m = 1; m <= 12; m++)
      assert_int_equal(parity_days_in_month(y, m),
                       parity_day_from_ymd(m == 12 ? y + 1 : y, m % 12 + 1, 1) - parity_day_from_ymd(y, m, 1));
}

/* Reference: PostgreSQL 15, SELECT (date 'X' + interval 'N months')::date, which clamps to the month's end. */
static void months_add_as_postgresql_does(void **state)
{
  (void)state;
  static const struct {
    int y, m, d, months, ey, em, ed;
  } cases[] = {
    { 2026, 11, 22, -1, 2026, 10, 22 }, { 2024, 3, 31, -1, 2024, 2, 29 }, { 2025, 5, 31, -1, 2025, 4, 30 },
    { 2026, 1, 15, -1, 2025, 12, 15 },  { 2024, 8, 31, -6, 2024, 2, 29 }, { 2024, 2, 29, -12, 2023, 2, 28 },
    { 2024, 2, 29, -60, 2019, 2, 28 },  { 2024, 1, 31, 1, 2024, 2, 29 },  { 2023, 1, 31, 1, 2023, 2, 28 },
    { 2024, 12, 31, 2, 2025, 2, 28 },   { 2024, 5, 15, 0, 2024, 5, 15 },  { 1900, 1, 31, 1, 1900, 2, 28 },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    assert_int_equal(parity_day_add_months(parity_day_from_ymd(cases[i].y, cases[i].m, cases[i].d), cases[i].months),
                     parity_day_from_ymd(cases[i].ey, cases[i].em, cases[i].ed));
  /* Months count down through year 0 by floor division: 24001 months before 2000-01 is December of year -1. */
  assert_int_equal(parity_day_add_months(parity_day_from_ymd(2000, 1, 31), -24001), parity_day_from_ymd(-1, 12, 31));
}

/* Every day the parser accepts survives format -> parse unchanged. */
static void every_day_in_range_formats_and_parses_back(void **state)
{
  (void)state;
  for (int32_t day = PARITY_DAY_FIRST; day <= PARITY_DAY_LAST; day++) {
    char text[PARITY_DAY_TEXT];
    parity_day_format(day, text);
    int32_t parsed = 0;
    assert_int_equal(parity_day_parse(text, strlen(text), &parsed), PARITY_OK);
    assert_int_equal(parsed, day);
  }
  char buf[PARITY_DAY_TEXT];
  parity_day_format(20088, buf);
  assert_string_equal(buf, "2024-12-31");
  parity_day_format(0, buf);
  assert_string_equal(buf, "1970-01-01");
  parity_day_format(PARITY_DAY_FIRST, buf);
  assert_string_equal(buf, "1900-01-01");
  parity_day_format(PARITY_DAY_LAST, buf);
  assert_string_equal(buf, "2999-12-31");
}

/* 2024-02-29 exists; 2023-02-29, 1900-02-29 (not a leap year) and 2024-04-31 do not. */
static void day_parse_takes_real_dates_only(void **state)
{
  (void)state;
  static const char *const bad[] = {
    "2024-02-30", "2023-02-29", "1900-02-29", "2024-04-31",          "2024-13-01", "2024-00-10",
    "2024-01-00", "2024-1-01",  "2024/01/01", "1899-12-31",          "3000-01-01", "20240101XX",
    "2024-01-0a", " 2024-01-1", "",           "2024-01-01T00:00:00", "+024-01-01", "2024-01--1",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    int32_t out = 12345;
    assert_int_equal(parity_day_parse(bad[i], strlen(bad[i]), &out), PARITY_EINVAL);
    assert_int_equal(out, 12345);
  }
  int32_t out = 0;
  assert_int_equal(parity_day_parse("2024-01-011", 11, &out), PARITY_EINVAL); /* length must be exactly 10 */
  assert_int_equal(parity_day_parse("2024-02-29", 10, &out), PARITY_OK);
  assert_int_equal(out, parity_day_from_ymd(2024, 2, 29));
  assert_int_equal(parity_day_parse("2000-02-29", 10, &out), PARITY_OK);          /* divisible by 400: leap */
  assert_int_equal(parity_day_parse("2024-12-31 trailing", 10, &out), PARITY_OK); /* len, not the NUL, ends it */
  assert_int_equal(out, 20088);
}

static void month_texts(void **state)
{
  (void)state;
  int y = 0, m = 0;
  assert_int_equal(parity_month_parse("2099-01", &y, &m), PARITY_OK);
  assert_int_equal(y, 2099);
  assert_int_equal(m, 1);
  static const char *const bad[] = { "2099-13", "99-01",      "2099-1",  "x",       "",        "2099-00",
                                     "2099/01", "2099-01-01", "1899-12", "3000-01", "2099-01 " };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(parity_month_parse(bad[i], &y, &m), PARITY_EINVAL);
  char buf[PARITY_MONTH_TEXT];
  parity_month_format(parity_day_from_ymd(2024, 2, 29), buf);
  assert_string_equal(buf, "2024-02");
  parity_month_format(parity_day_from_ymd(1999, 12, 31), buf);
  assert_string_equal(buf, "1999-12");
}

/* Epoch seconds from the recorded Yahoo fixtures (tests/fixtures/yahoo), with meta.gmtoffset -18000. */
static void epoch_seconds_fall_on_their_local_day(void **state)
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

/* RFC 3339 §5.6 with a fractional second: 2024-01-02T03:04:05.678Z, 24 characters. */
static void now_has_the_rfc3339_shape(void **state)
{
  (void)state;
  char now[PARITY_TIMESTAMP_TEXT];
  parity_now_rfc3339(now);
  assert_int_equal(strlen(now), 24);
  for (size_t i = 0; i < 24; i++) {
    char c = now[i];
    switch (i) {
    case 4:
    case 7:
      assert_int_equal(c, '-');
      break;
    case 10:
      assert_int_equal(c, 'T');
      break;
    case 13:
    case 16:
      assert_int_equal(c, ':');
      break;
    case 19:
      assert_int_equal(c, '.');
      break;
    case 23:
      assert_int_equal(c, 'Z');
      break;
    default:
      assert_true(c >= '0' && c <= '9');
    }
  }
  int32_t day;
  assert_int_equal(parity_day_parse(now, 10, &day), PARITY_OK);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(day_numbers_match_the_references),
    cmocka_unit_test(every_day_round_trips_and_follows_the_last),
    cmocka_unit_test(leap_years_and_month_lengths),
    cmocka_unit_test(months_add_as_postgresql_does),
    cmocka_unit_test(every_day_in_range_formats_and_parses_back),
    cmocka_unit_test(day_parse_takes_real_dates_only),
    cmocka_unit_test(month_texts),
    cmocka_unit_test(epoch_seconds_fall_on_their_local_day),
    cmocka_unit_test(now_has_the_rfc3339_shape),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
