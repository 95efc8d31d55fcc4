/* Civil-date arithmetic on day numbers, and the date and timestamp texts every process reads and writes. */
#include "common/calendar.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "common/errors.h"

#define SECONDS_PER_DAY 86400
#define DAYS_PER_400_YEARS 146097
#define EPOCH_SHIFT 719468 /* days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar */

/* C's `/` truncates toward zero; calendars need the floor (1969-12-31T23:00 is on day -1, not 0). */
static int64_t floor_div(int64_t a, int64_t b)
{
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Counting years from March makes the leap day the last day of the year, so month lengths need no table. */
int32_t parity_day_from_ymd(int y, int m, int d)
{
  int64_t year = m <= 2 ? (int64_t)y - 1 : y;
  int64_t era = floor_div(year, 400);
  int64_t year_of_era = year - era * 400;
  int64_t month_from_march = m > 2 ? m - 3 : m + 9;
  int64_t day_of_year = (153 * month_from_march + 2) / 5 + d - 1;
  int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return (int32_t)(era * DAYS_PER_400_YEARS + day_of_era - EPOCH_SHIFT);
}

void parity_day_to_ymd(int32_t day, int *y, int *m, int *d)
{
  int64_t z = (int64_t)day + EPOCH_SHIFT;
  int64_t era = floor_div(z, DAYS_PER_400_YEARS);
  int64_t day_of_era = z - era * DAYS_PER_400_YEARS;
  int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  int64_t month_from_march = (5 * day_of_year + 2) / 153;
  *d = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  *m = (int)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  *y = (int)(year_of_era + era * 400 + (*m <= 2));
}

int32_t parity_day_from_epoch(int64_t ts, int64_t utc_offset)
{
  return (int32_t)floor_div(ts + utc_offset, SECONDS_PER_DAY);
}

bool parity_leap_year(int y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int parity_days_in_month(int y, int m)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  return m == 2 && parity_leap_year(y) ? 29 : days[m - 1];
}

int32_t parity_day_add_months(int32_t day, int months)
{
  int y, m, d;
  parity_day_to_ymd(day, &y, &m, &d);
  int64_t index = (int64_t)y * 12 + (m - 1) + months;
  int64_t year = floor_div(index, 12);
  int month = (int)(index - year * 12) + 1;
  int last = parity_days_in_month((int)year, month);
  return parity_day_from_ymd((int)year, month, d < last ? d : last);
}

/* The decimal value of `width` digits at text, or -1 when one of them is not a digit. */
static int digits(const char *text, int width)
{
  int value = 0;
  for (int i = 0; i < width; i++) {
    if (text[i] < '0' || text[i] > '9')
      return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

/* Reads "YYYY-MM" at text (the length is the caller's to check). */
static int year_month(const char *text, int *y, int *m)
{
  if (text[4] != '-')
    return PARITY_EINVAL;
  *y = digits(text, 4);
  *m = digits(text + 5, 2);
  if (*y < PARITY_DAY_FIRST_YEAR || *y > PARITY_DAY_LAST_YEAR || *m < 1 || *m > 12)
    return PARITY_EINVAL;
  return PARITY_OK;
}

int parity_day_parse(const char *text, size_t len, int32_t *out)
{
  int y, m;
  if (len != PARITY_DAY_TEXT - 1 || year_month(text, &y, &m) || text[7] != '-')
    return PARITY_EINVAL;
  int d = digits(text + 8, 2);
  if (d < 1 || d > parity_days_in_month(y, m))
    return PARITY_EINVAL;
  *out = parity_day_from_ymd(y, m, d);
  return PARITY_OK;
}

void parity_day_format(int32_t day, char buf[PARITY_DAY_TEXT])
{
  int y, m, d;
  parity_day_to_ymd(day, &y, &m, &d);
  /* The moduli are no-ops for real dates; they tell the compiler the text fits. */
  snprintf(buf, PARITY_DAY_TEXT, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 13u, (unsigned)d % 32u);
}

int parity_month_parse(const char *text, int *y, int *m)
{
  if (strlen(text) != PARITY_MONTH_TEXT - 1)
    return PARITY_EINVAL;
  return year_month(text, y, m);
}

void parity_month_format(int32_t day, char buf[PARITY_MONTH_TEXT])
{
  int y, m, d;
  parity_day_to_ymd(day, &y, &m, &d);
  snprintf(buf, PARITY_MONTH_TEXT, "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 13u);
}

void parity_now_rfc3339(char buf[PARITY_TIMESTAMP_TEXT])
{
  struct timeval tv;
  struct tm tm;
  gettimeofday(&tv, NULL);
  gmtime_r(&tv.tv_sec, &tm);
  size_t n = strftime(buf, PARITY_TIMESTAMP_TEXT, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, PARITY_TIMESTAMP_TEXT - n, ".%03uZ", (unsigned)(tv.tv_usec / 1000) % 1000u);
}
