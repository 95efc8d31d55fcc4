/* Bar series growth, civil-date arithmetic and symbol checks shared by every price source. */
#include "decisional/bars.h"

#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void parity_bar_series_push(struct parity_bar_series *s, const struct parity_bar *bar)
{
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 256;
    struct parity_bar *grown = realloc(s->bars, cap * sizeof(*grown));
    if (!grown)
      abort();
    s->bars = grown;
    s->cap = cap;
  }
  s->bars[s->n++] = *bar;
}

void parity_bar_series_free(struct parity_bar_series *s)
{
  free(s->bars);
  s->bars = NULL;
  s->n = s->cap = 0;
}

void parity_point_series_push(struct parity_point_series *s, const struct parity_price_point *point)
{
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 256;
    struct parity_price_point *grown = realloc(s->points, cap * sizeof(*grown));
    if (!grown)
      abort();
    s->points = grown;
    s->cap = cap;
  }
  s->points[s->n++] = *point;
}

void parity_point_series_free(struct parity_point_series *s)
{
  free(s->points);
  s->points = NULL;
  s->n = s->cap = 0;
}

int32_t parity_day_from_epoch(int64_t ts, int64_t utc_offset)
{
  int64_t local = ts + utc_offset;
  /* Floor division: C's `/` truncates toward zero, which would put 1969-12-31T23:00 on day 0. */
  int64_t day = local / 86400;
  if (local % 86400 < 0)
    day -= 1;
  return (int32_t)day;
}

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
int32_t parity_day_from_ymd(int y, int m, int d)
{
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int32_t)(era * 146097 + doe - 719468);
}

void parity_day_to_ymd(int32_t day, int *y, int *m, int *d)
{
  int z = day + 719468;
  int era = (z >= 0 ? z : z - 146096) / 146097;
  int doe = z - era * 146097;
  int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int y, int m)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

int parity_day_parse(const char *text, size_t len, int32_t *out)
{
  if (len != 10 || text[4] != '-' || text[7] != '-')
    return -1;
  int parts[3] = { 0, 0, 0 };
  const int starts[3] = { 0, 5, 8 }, widths[3] = { 4, 2, 2 };
  for (int p = 0; p < 3; p++) {
    for (int i = 0; i < widths[p]; i++) {
      char c = text[starts[p] + i];
      if (c < '0' || c > '9')
        return -1;
      parts[p] = parts[p] * 10 + (c - '0');
    }
  }
  if (parts[0] < 1900 || parts[0] > 2999 || parts[1] < 1 || parts[1] > 12 || parts[2] < 1 ||
      parts[2] > days_in_month(parts[0], parts[1]))
    return -1;
  *out = parity_day_from_ymd(parts[0], parts[1], parts[2]);
  return 0;
}

void parity_day_format(int32_t day, char *buf)
{
  int y, m, d;
  parity_day_to_ymd(day, &y, &m, &d);
  /* The modulo bounds keep the compiler's truncation check satisfied; days come from 1900..2999. */
  snprintf(buf, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
}

int parity_symbol_valid(const char *symbol)
{
  size_t n = strlen(symbol);
  if (n < 1 || n >= PARITY_SYMBOL_MAX)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = symbol[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr(".^=-", c)))
      return 0;
  }
  return 1;
}
