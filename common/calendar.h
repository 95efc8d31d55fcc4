/*
 * The one calendar of Parity: civil dates as day numbers (days since 1970-01-01, proleptic Gregorian),
 * month arithmetic, and the text forms YYYY-MM-DD, YYYY-MM and RFC 3339 timestamps.
 *
 * A day number is an int32_t, so dates compare and subtract as integers and a series of bars needs no
 * struct tm. Text is accepted for the years PARITY_DAY_FIRST_YEAR..PARITY_DAY_LAST_YEAR only: price
 * history starts after 1900, and a bound keeps a typo like 20240-01-01 from reaching the database.
 */
#ifndef PARITY_CALENDAR_H
#define PARITY_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PARITY_DAY_FIRST_YEAR 1900
#define PARITY_DAY_LAST_YEAR 2999
#define PARITY_DAY_FIRST (-25567) /* 1900-01-01 as a day number */
#define PARITY_DAY_LAST 376199    /* 2999-12-31 as a day number */
#define PARITY_DAY_TEXT 11        /* "YYYY-MM-DD" and a NUL */
#define PARITY_MONTH_TEXT 8       /* "YYYY-MM" and a NUL */
#define PARITY_TIMESTAMP_TEXT 32  /* "YYYY-MM-DDTHH:MM:SS.mmmZ" and a NUL, with room */

/* Civil date <-> day number (Howard Hinnant's days_from_civil / civil_from_days, exact for any int year). */
int32_t parity_day_from_ymd(int y, int m, int d);
void parity_day_to_ymd(int32_t day, int *y, int *m, int *d);

/* Calendar day of an epoch second shifted by a UTC offset in seconds (floor, also before 1970). */
int32_t parity_day_from_epoch(int64_t ts, int64_t utc_offset);

bool parity_leap_year(int y);
/* Days in month m (1..12) of year y: 28..31. */
int parity_days_in_month(int y, int m);

/*
 * `months` calendar months after `day` (before it when negative), clamped to the end of a shorter month,
 * as PostgreSQL's date + interval does: 2024-03-31 minus one month is 2024-02-29.
 */
int32_t parity_day_add_months(int32_t day, int months);

/* Exactly YYYY-MM-DD (len bytes, no NUL needed), a real date in the years above; PARITY_EINVAL otherwise. */
int parity_day_parse(const char *text, size_t len, int32_t *out);
/* Writes "YYYY-MM-DD" and a NUL into buf. */
void parity_day_format(int32_t day, char buf[PARITY_DAY_TEXT]);

/* Exactly YYYY-MM (a NUL-terminated string), a month of the years above; PARITY_EINVAL otherwise. */
int parity_month_parse(const char *text, int *y, int *m);
/* Writes the "YYYY-MM" of `day` and a NUL into buf. */
void parity_month_format(int32_t day, char buf[PARITY_MONTH_TEXT]);

/* Writes the current UTC time as RFC 3339 with milliseconds ("2024-01-02T03:04:05.678Z") into buf. */
void parity_now_rfc3339(char buf[PARITY_TIMESTAMP_TEXT]);

#endif
