/* NYSE holidays and early closes as tables of rules, evaluated per day. */
#include "common/trading_calendar.h"

#include <stddef.h>

#include "common/calendar.h"

enum weekday { SUN, MON, TUE, WED, THU, FRI, SAT };

/* 1970-01-01 was a Thursday. */
static int weekday(int32_t day)
{
  int w = (int)((day + 4) % 7);
  return w < 0 ? w + 7 : w;
}

enum rule_kind {
  FIXED,        /* month/mday; Saturday -> the Friday before, Sunday -> the Monday after */
  FIXED_NO_SAT, /* month/mday; Sunday -> Monday, Saturday not observed (New Year's Day: NYSE rule 7.2) */
  NTH_WEEKDAY,  /* the n-th `wday` of month (n = -1: the last) */
  EASTER,       /* Easter Sunday + offset days */
};

struct holiday_rule {
  const char *name;
  enum rule_kind kind;
  int month, mday; /* FIXED */
  int wday, n;     /* NTH_WEEKDAY; n is the offset for EASTER */
  int first_year, last_year;
};

/* The exchange's regular holidays (NYSE Rule 7.2 and its yearly notices). */
static const struct holiday_rule holidays[] = {
  { "New Year's Day", FIXED_NO_SAT, 1, 1, 0, 0, 0, 9999 },
  { "Martin Luther King Jr. Day", NTH_WEEKDAY, 1, 0, MON, 3, 1998, 9999 },
  { "Washington's Birthday", NTH_WEEKDAY, 2, 0, MON, 3, 0, 9999 },
  { "Good Friday", EASTER, 0, 0, 0, -2, 0, 9999 },
  { "Memorial Day", NTH_WEEKDAY, 5, 0, MON, -1, 0, 9999 },
  { "Juneteenth", FIXED, 6, 19, 0, 0, 2022, 9999 },
  { "Independence Day", FIXED, 7, 4, 0, 0, 0, 9999 },
  { "Labor Day", NTH_WEEKDAY, 9, 0, MON, 1, 0, 9999 },
  { "Thanksgiving Day", NTH_WEEKDAY, 11, 0, THU, 4, 0, 9999 },
  { "Christmas Day", FIXED, 12, 25, 0, 0, 0, 9999 },
};

/* Closures no rule predicts. */
static const struct {
  int y, m, d;
  const char *name;
} closures[] = {
  { 2001, 9, 11, "September 11" },
  { 2001, 9, 12, "September 11" },
  { 2001, 9, 13, "September 11" },
  { 2001, 9, 14, "September 11" },
  { 2004, 6, 11, "Ronald Reagan funeral" },
  { 2007, 1, 2, "Gerald Ford funeral" },
  { 2012, 10, 29, "Hurricane Sandy" },
  { 2012, 10, 30, "Hurricane Sandy" },
  { 2018, 12, 5, "George H. W. Bush funeral" },
  { 2025, 1, 9, "Jimmy Carter funeral" },
};

int32_t parity_easter(int y)
{
  int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
  int h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  int month = (h + l - 7 * m + 114) / 31, mday = (h + l - 7 * m + 114) % 31 + 1;
  return parity_day_from_ymd(y, month, mday);
}

/* The day the rule closes the exchange in year y (a weekday), or INT32_MIN when it closes none. */
static int32_t rule_day(const struct holiday_rule *r, int y)
{
  if (y < r->first_year || y > r->last_year)
    return INT32_MIN;
  switch (r->kind) {
  case FIXED:
  case FIXED_NO_SAT: {
    int32_t day = parity_day_from_ymd(y, r->month, r->mday);
    int w = weekday(day);
    if (w == SUN)
      return day + 1;
    if (w == SAT)
      return r->kind == FIXED ? day - 1 : INT32_MIN;
    return day;
  }
  case NTH_WEEKDAY: {
    if (r->n > 0) {
      int32_t first = parity_day_from_ymd(y, r->month, 1);
      return first + (r->wday - weekday(first) + 7) % 7 + 7 * (r->n - 1);
    }
    int32_t last = parity_day_from_ymd(y, r->month, parity_days_in_month(y, r->month));
    return last - (weekday(last) - r->wday + 7) % 7;
  }
  case EASTER:
    return parity_easter(y) + r->n;
  }
  return INT32_MIN;
}

const char *parity_nyse_holiday(int32_t day)
{
  int w = weekday(day);
  if (w == SAT || w == SUN)
    return NULL;
  int y, m, d;
  parity_day_to_ymd(day, &y, &m, &d);
  for (size_t i = 0; i < sizeof(holidays) / sizeof(holidays[0]); i++) {
    /* A fixed date observed on the Friday before can fall in the previous year (never for NYSE's
     * New Year's Day, which is not moved back); checking y and y + 1 covers it. */
    if (rule_day(&holidays[i], y) == day || rule_day(&holidays[i], y + 1) == day)
      return holidays[i].name;
  }
  for (size_t i = 0; i < sizeof(closures) / sizeof(closures[0]); i++)
    if (closures[i].y == y && closures[i].m == m && closures[i].d == d)
      return closures[i].name;
  return NULL;
}

bool parity_nyse_is_trading_day(int32_t day)
{
  int w = weekday(day);
  return w != SAT && w != SUN && !parity_nyse_holiday(day);
}

/* Early closes: the trading day before Independence Day when that is July 3, the day after
 * Thanksgiving, and Christmas Eve when it is a trading day. */
const char *parity_nyse_early_close(int32_t day)
{
  if (!parity_nyse_is_trading_day(day))
    return NULL;
  int y, m, d;
  parity_day_to_ymd(day, &y, &m, &d);
  if (m == 7 && d == 3)
    return "Independence Day eve";
  if (m == 12 && d == 24)
    return "Christmas Eve";
  if (m == 11 && weekday(day) == FRI && parity_nyse_holiday(day - 1))
    return "day after Thanksgiving";
  return NULL;
}

int32_t parity_nyse_next_trading_day(int32_t day)
{
  do
    day++;
  while (!parity_nyse_is_trading_day(day));
  return day;
}

int32_t parity_nyse_prev_trading_day(int32_t day)
{
  do
    day--;
  while (!parity_nyse_is_trading_day(day));
  return day;
}

int32_t parity_nyse_trading_days(int32_t from, int32_t to)
{
  int32_t n = 0;
  for (int32_t day = from; day <= to; day++)
    n += parity_nyse_is_trading_day(day);
  return n;
}
